"""Carrier updates move orders forward only, and say why when they do not."""

from __future__ import annotations

from datetime import date

import pytest

from helpers import at, delayed_from, in_transit, packed, placed, shipped
from salesflow import InvalidType, UnknownCode
from salesflow.orders import CarrierUpdate, OrderStatus, apply_carrier_update
from salesflow.orders.carriers import CARRIER_VOCABULARIES


def scan(code="InTransit", hours=10.0, vocabulary="aftership", **extra):
    extra.setdefault("tracking_number", "JD01")
    return CarrierUpdate(vocabulary=vocabulary, code=code, at=at(hours), **extra)


def test_an_in_transit_scan_moves_a_shipped_order_on_with_its_location():
    result = apply_carrier_update(shipped(), scan(location="Leipzig hub"))

    assert result.applied
    assert result.order.status is OrderStatus.IN_TRANSIT
    assert result.order.location == "Leipzig hub"
    assert [o.event.actor for o in result.outcomes] == ["carrier"]


def test_a_packed_order_scanned_in_transit_is_shipped_then_moved_on():
    result = apply_carrier_update(packed(), scan(carrier="DHL", location="Leipzig hub"))

    assert [o.event.event for o in result.outcomes] == ["ship", "transit"]
    assert result.order.tracking_number == "JD01"
    assert result.order.carrier == "DHL"


def test_a_packed_order_scanned_without_a_carrier_name_needs_attention():
    order = packed()

    result = apply_carrier_update(order, scan(location="Leipzig hub"))

    assert result.needs_attention
    assert result.order is order


def test_a_late_scan_is_ignored_with_a_reason_and_changes_nothing():
    order = in_transit()

    result = apply_carrier_update(order, scan(hours=4.5, location="Old depot"))

    assert not result.applied
    assert "older than the latest change" in result.ignored
    assert result.order == order


def test_a_scan_for_another_tracking_number_is_ignored():
    result = apply_carrier_update(shipped(), scan(tracking_number="OTHER"))

    assert "is not this order's" in result.ignored


def test_a_scan_for_a_delivered_order_is_ignored():
    order = shipped().deliver(at=at(6)).order

    result = apply_carrier_update(order, scan())

    assert "already delivered" in result.ignored
    assert not result.needs_attention


def test_a_moving_parcel_for_a_cancelled_order_needs_attention():
    order = placed().cancel(reason="x", at=at(1)).order

    result = apply_carrier_update(order, scan())

    assert result.needs_attention
    assert "already cancelled" in result.ignored


def test_a_returning_parcel_needs_attention_and_changes_nothing():
    order = in_transit()

    result = apply_carrier_update(order, scan(code="return_to_sender", vocabulary="easypost"))

    assert result.needs_attention
    assert result.order == order


def test_a_delivery_problem_without_a_new_date_needs_attention():
    result = apply_carrier_update(in_transit(), scan(code="AttemptFail", message="nobody home"))

    assert result.needs_attention
    assert "nobody home" in result.ignored


def test_a_delivery_problem_with_a_new_date_delays_the_order():
    result = apply_carrier_update(
        in_transit(),
        scan(code="AttemptFail", message="nobody home", estimated_delivery=date(2026, 11, 28)),
    )

    assert result.order.status is OrderStatus.DELAYED
    assert result.order.estimated_delivery == date(2026, 11, 28)
    assert result.outcomes[0].event.reason == "nobody home"


def test_a_delivered_scan_delivers_a_parcel_delayed_on_the_road():
    result = apply_carrier_update(delayed_from(in_transit()), scan(code="Delivered", hours=12))

    assert result.order.status is OrderStatus.DELIVERED


def test_a_moving_scan_resumes_a_parcel_delayed_on_the_road():
    result = apply_carrier_update(delayed_from(shipped()), scan(hours=12, location="Hub"))

    assert [o.event.event for o in result.outcomes] == ["resume", "transit"]
    assert result.order.status is OrderStatus.IN_TRANSIT


def test_informational_codes_change_nothing():
    result = apply_carrier_update(shipped(), scan(code="InfoReceived"))

    assert "informational" in result.ignored


@pytest.mark.parametrize(
    ("vocabulary", "code", "status"),
    [
        ("easypost", "in_transit", OrderStatus.IN_TRANSIT),
        ("easypost", "out_for_delivery", OrderStatus.IN_TRANSIT),
        ("easypost", "delivered", OrderStatus.DELIVERED),
        ("aftership", "OutForDelivery", OrderStatus.IN_TRANSIT),
        ("aftership", "Delivered", OrderStatus.DELIVERED),
        ("shopify", "in_transit", OrderStatus.IN_TRANSIT),
        ("shopify", "IN_TRANSIT", OrderStatus.IN_TRANSIT),
        ("shopify", "delivered", OrderStatus.DELIVERED),
        ("shopify", "picked_up", OrderStatus.DELIVERED),
    ],
)
def test_each_vocabulary_maps_onto_the_lifecycle(vocabulary, code, status):
    result = apply_carrier_update(shipped(), scan(code=code, vocabulary=vocabulary))

    assert result.order.status is status


def test_every_vocabulary_lists_its_codes():
    assert set(CARRIER_VOCABULARIES) == {"easypost", "aftership", "shopify"}
    assert "InTransit" in CARRIER_VOCABULARIES["aftership"]


def test_an_unknown_code_raises_unknown_code_listing_the_known_ones():
    with pytest.raises(UnknownCode) as caught:
        scan(code="Teleported")

    assert isinstance(caught.value, LookupError)
    assert "InTransit" in caught.value.known


def test_a_carrier_update_refuses_a_naive_time():
    from datetime import datetime

    with pytest.raises(InvalidType, match="naive"):
        CarrierUpdate(
            vocabulary="aftership",
            code="InTransit",
            tracking_number="JD01",
            at=datetime(2026, 1, 1),
        )
