"""Duplicated and retried carrier deliveries never record a second change (issue 10, section 3)."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import at, delayed_from, in_transit, packed, processing, shipped
from salesflow import IdempotencyConflict, InvalidField, InvalidType, VersionConflict
from salesflow.orders import CarrierUpdate, Order, OrderStatus, apply_carrier_update
from salesflow.orders.carriers import CARRIER_VOCABULARIES, IgnoredReason

NEW_DATE = date(2026, 12, 2)
EVERY_CODE = [
    pytest.param(vocabulary, code, id=f"{vocabulary}-{code}")
    for vocabulary, codes in sorted(CARRIER_VOCABULARIES.items())
    for code in sorted(codes)
]


def scan(code="InTransit", hours=10.0, vocabulary="aftership", **extra):
    extra.setdefault("tracking_number", "JD01")
    return CarrierUpdate(vocabulary=vocabulary, code=code, at=at(hours), **extra)


def _rich(vocabulary: str, code: str, hours: float = 10.0) -> CarrierUpdate:
    return scan(
        code,
        hours,
        vocabulary,
        carrier="DHL",
        location="Leipzig hub",
        estimated_delivery=NEW_DATE,
        message="address not found",
    )


@pytest.mark.parametrize(("vocabulary", "code"), EVERY_CODE)
@pytest.mark.parametrize("start", [packed, shipped, in_transit, lambda: delayed_from(shipped())])
def test_an_exactly_repeated_scan_records_nothing_more_than_the_first(vocabulary, code, start):
    update = _rich(vocabulary, code)
    once = apply_carrier_update(start(), update)

    twice = apply_carrier_update(once.order, update)

    assert not twice.applied
    assert twice.order is once.order
    assert twice.reason is not None
    assert isinstance(twice.ignored, str)


@pytest.mark.parametrize(("vocabulary", "code"), EVERY_CODE)
def test_a_repeated_problem_scan_later_with_the_same_reason_and_date_adds_no_second_delay(
    vocabulary, code
):
    first = apply_carrier_update(in_transit(), _rich(vocabulary, code, hours=10))

    again = apply_carrier_update(first.order, _rich(vocabulary, code, hours=14))

    delays = [event for event in again.order.history if event.event == "delay"]
    assert len(delays) <= 1
    phone_calls = [
        o for o in first.outcomes + again.outcomes if "phone_call" in o.notification.channels
    ]
    assert len(phone_calls) <= 1


def test_a_problem_scan_with_another_date_moves_the_delay():
    first = apply_carrier_update(in_transit(), _rich("aftership", "Exception", hours=10))
    update = scan(
        "Exception", 14, estimated_delivery=date(2026, 12, 9), message="address not found"
    )

    again = apply_carrier_update(first.order, update)

    assert [o.event.event for o in again.outcomes] == ["delay"]
    assert again.order.estimated_delivery == date(2026, 12, 9)


@given(
    locations=st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=8),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]),
)
@settings(max_examples=60, deadline=None)
def test_scans_at_one_instant_never_flap(locations, zone):
    order = shipped()
    moment = at(10).astimezone(ZoneInfo(zone))

    for location in locations:
        update = CarrierUpdate(
            vocabulary="aftership",
            code="InTransit",
            tracking_number="JD01",
            at=moment,
            location=location,
        )
        order = apply_carrier_update(order, update).order

    transits = [event for event in order.history if event.event == "transit"]
    assert len(transits) == 1
    assert order.location == locations[0]


def test_scans_a_b_a_b_at_one_instant_give_at_most_two_transit_events():
    order = shipped()

    for location in ["A", "B", "A", "B"]:
        order = apply_carrier_update(order, scan(location=location)).order

    assert sum(event.event == "transit" for event in order.history) <= 2


def test_a_scan_at_the_same_instant_is_ignored_with_its_own_code():
    first = apply_carrier_update(shipped(), scan(location="A"))

    result = apply_carrier_update(first.order, scan(location="B"))

    assert result.reason is IgnoredReason.SAME_INSTANT
    assert "first report" in result.ignored


def test_a_late_delivered_scan_keeps_the_carriers_time_and_the_history_stays_in_order():
    order = apply_carrier_update(shipped(), scan(location="Hub", hours=20)).order

    result = apply_carrier_update(order, scan("Delivered", hours=15, message="signed by Ada"))

    delivered = result.order
    event = result.outcomes[-1].event
    assert delivered.status is OrderStatus.DELIVERED
    assert event.at == at(20)
    assert event.reported_at == at(15)
    assert delivered.delivered_at == at(15)
    assert result.outcomes[-1].notification.at == at(15)
    times = [e.at for e in delivered.history]
    assert times == sorted(times)
    restored = Order.from_dict(json.loads(json.dumps(delivered.to_dict())))
    assert restored == delivered
    assert restored.delivered_at == at(15)


def test_an_on_time_delivery_reads_the_delivery_time_of_the_order():
    order = in_transit().deliver(at=at(30), reported_at=at(29)).order

    assert order.delivered_at == at(29)
    assert in_transit().deliver(at=at(30)).order.delivered_at == at(30)
    assert in_transit().delivered_at is None


def test_a_carrier_time_after_the_change_is_refused_in_a_document():
    document = in_transit().deliver(at=at(30), reported_at=at(29)).order.to_dict()
    document["history"][-1]["reported_at"] = at(31).isoformat()

    with pytest.raises(InvalidField, match=r"history\[6\]\.reported_at"):
        Order.from_dict(document)


def test_a_delivery_id_makes_a_retried_webhook_return_the_earlier_outcomes():
    update = scan(carrier="DHL", location="Leipzig hub")
    first = apply_carrier_update(packed(), update, idempotency_key="whk_1")

    again = apply_carrier_update(first.order, update, idempotency_key="whk_1")

    assert [o.event.event for o in first.outcomes] == ["ship", "transit"]
    assert again.repeated
    assert again.order is first.order
    assert [o.event for o in again.outcomes] == [o.event for o in first.outcomes]
    assert [o.notification for o in again.outcomes] == [o.notification for o in first.outcomes]
    assert all(o.repeated for o in again.outcomes)


def test_a_delivery_id_is_found_after_the_order_moved_on():
    first = apply_carrier_update(shipped(), scan(location="Hub"), idempotency_key="whk_1")
    moved = first.order.deliver(at=at(30)).order

    again = apply_carrier_update(moved, scan(location="Hub"), idempotency_key="whk_1")

    assert again.repeated
    assert again.outcomes[0].event is first.outcomes[0].event


@pytest.mark.parametrize(
    ("changed", "argument"),
    [
        ({"hours": 11}, "update.at"),
        ({"location": "Berlin depot"}, "update.location"),
    ],
)
def test_a_delivery_id_reused_for_another_scan_is_a_conflict(changed, argument):
    first = apply_carrier_update(shipped(), scan(location="Hub"), idempotency_key="whk_1")
    options = {"location": "Hub", **changed}

    with pytest.raises(IdempotencyConflict) as caught:
        apply_carrier_update(first.order, scan(**options), idempotency_key="whk_1")

    assert (caught.value.key, caught.value.argument) == ("whk_1", argument)


def test_a_carrier_update_checks_its_expected_version():
    order = shipped()

    with pytest.raises(VersionConflict):
        apply_carrier_update(order, scan(location="Hub"), expected_version=order.version - 1)
    with pytest.raises(InvalidType, match="expected_version"):
        apply_carrier_update(order, scan(location="Hub"), expected_version="5")
    result = apply_carrier_update(order, scan(location="Hub"), expected_version=order.version)
    assert result.applied


def test_a_malformed_delivery_id_or_actor_is_refused():
    with pytest.raises(InvalidType, match="idempotency_key"):
        apply_carrier_update(shipped(), scan(), idempotency_key=17)
    with pytest.raises(InvalidType, match="actor"):
        apply_carrier_update(shipped(), scan(), actor=None)


@pytest.mark.parametrize(
    ("order", "update", "reason"),
    [
        (shipped, scan(tracking_number="OTHER"), IgnoredReason.OTHER_PARCEL),
        (lambda: in_transit().deliver(at=at(6)).order, scan(), IgnoredReason.ALREADY_FINAL),
        (shipped, scan("InfoReceived"), IgnoredReason.INFORMATIONAL),
        (shipped, scan("Expired"), IgnoredReason.RETURNING),
        (processing, scan(carrier="DHL"), IgnoredReason.NOT_YET_PACKED),
        (packed, scan(location="Hub"), IgnoredReason.NO_CARRIER),
        (shipped, scan("Exception"), IgnoredReason.NO_NEW_DATE),
        (in_transit, scan(hours=4.5, location="Old"), IgnoredReason.LATE),
        (in_transit, scan(location="Leipzig hub"), IgnoredReason.DUPLICATE),
    ],
)
def test_every_ignored_update_carries_a_code_and_words(order, update, reason):
    result = apply_carrier_update(order(), update)

    assert not result.applied
    assert result.reason is reason
    assert result.ignored


def test_an_applied_update_carries_no_ignored_reason():
    result = apply_carrier_update(shipped(), scan(location="Hub"))

    assert result.reason is None
    assert result.ignored is None
    assert not result.repeated


def test_a_carrier_time_written_in_another_zone_is_the_same_instant():
    berlin = at(10).astimezone(ZoneInfo("Europe/Berlin"))
    first = apply_carrier_update(shipped(), scan(location="Hub"), idempotency_key="whk")
    update = CarrierUpdate(
        vocabulary="aftership", code="InTransit", tracking_number="JD01", at=berlin, location="Hub"
    )

    assert apply_carrier_update(first.order, update, idempotency_key="whk").repeated
    assert apply_carrier_update(first.order, update).reason is IgnoredReason.DUPLICATE
