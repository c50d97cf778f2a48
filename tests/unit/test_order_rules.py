"""One test per order rule from DESIGN.md."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from helpers import (
    ETA,
    T0,
    at,
    delayed_from,
    in_transit,
    packed,
    picking,
    placed,
    processing,
    shipped,
)
from salesflow import (
    CurrencyMismatch,
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    InvalidType,
    Money,
    SalesflowError,
    VersionConflict,
)
from salesflow.orders import (
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    ProcessingStep,
    SupportContact,
)


def test_an_order_is_received_when_placed():
    order = placed()

    assert order.status is OrderStatus.RECEIVED
    assert order.version == 1
    assert order.allowed_events == {"process", "cancel"}


def test_amount_due_defaults_to_the_sum_of_the_lines():
    order = placed()

    assert order.amount_due == Money("21.00", "EUR")


def test_mixed_currency_lines_are_refused():
    with pytest.raises(CurrencyMismatch, match=r"lines\[1\]\.unit_price\.currency"):
        Order.place(
            number="1",
            customer=Customer("c", "Ada"),
            lines=[
                OrderLine("A", "a", 1, Money("1", "EUR")),
                OrderLine("B", "b", 1, Money("1", "USD")),
            ],
            estimated_delivery=ETA,
            support=SupportContact(email="x@y.example"),
            at=T0,
        )


def test_an_order_needs_at_least_one_line():
    with pytest.raises(InvalidField, match="lines"):
        Order.place(
            number="1",
            customer=Customer("c", "Ada"),
            lines=[],
            estimated_delivery=ETA,
            support=SupportContact(email="x@y.example"),
            at=T0,
        )


def test_the_straight_path_reaches_delivered():
    order = in_transit().deliver(at=at(9)).order

    assert [e.to_status.value for e in order.history] == [
        "received",
        "processing",
        "picking",
        "packed",
        "shipped",
        "in_transit",
        "delivered",
    ]


def test_shipped_may_go_straight_to_delivered():
    order = shipped().deliver(at=at(9)).order

    assert order.status is OrderStatus.DELIVERED


def test_in_transit_repeats_for_location_updates():
    order = in_transit().transit(location="Berlin depot", at=at(6)).order

    assert order.status is OrderStatus.IN_TRANSIT
    assert order.location == "Berlin depot"


@pytest.mark.parametrize("make", [placed, processing, picking, packed], ids=lambda f: f.__name__)
def test_cancel_is_possible_until_the_parcel_leaves(make):
    order = make().cancel(reason="customer asked", at=at(9)).order

    assert order.status is OrderStatus.CANCELLED


@pytest.mark.parametrize("make", [shipped, in_transit], ids=lambda f: f.__name__)
def test_cannot_cancel_after_shipping(make):
    order = make()

    with pytest.raises(InvalidTransition, match="Can't cancel"):
        order.cancel(reason="too late", at=at(9))


def test_cancel_needs_a_reason():
    with pytest.raises(InvalidField, match="reason"):
        placed().cancel(reason="   ", at=at(1))


def test_cannot_ship_without_a_tracking_number():
    with pytest.raises(InvalidField, match="tracking_number"):
        packed().ship(carrier="DHL", tracking_number="", at=at(4))


def test_delay_needs_a_reason_and_a_new_date():
    with pytest.raises(InvalidField, match="reason"):
        picking().delay(reason="", estimated_delivery=date(2026, 11, 30), at=at(3))
    with pytest.raises(InvalidField, match="estimated_delivery"):
        picking().delay(reason="storm", estimated_delivery=None, at=at(3))  # type: ignore[arg-type]


def test_delay_date_in_the_past_is_refused():
    with pytest.raises(InvalidField, match="on or after 2026-11-23"):
        picking().delay(reason="storm", estimated_delivery=date(2026, 11, 22), at=at(3))


def test_delaying_again_moves_the_date():
    order = delayed_from(picking())

    again = order.delay(reason="still stormy", estimated_delivery=date(2026, 12, 2), at=at(8)).order

    assert again.status is OrderStatus.DELAYED
    assert again.estimated_delivery == date(2026, 12, 2)
    assert again.resumes_to is OrderStatus.PICKING


@pytest.mark.parametrize(
    "make", [processing, picking, packed, shipped, in_transit], ids=lambda f: f.__name__
)
def test_resume_returns_to_exactly_the_interrupted_status(make):
    before = make()

    resumed = delayed_from(before).resume(at=at(7)).order

    assert resumed.status is before.status
    assert resumed.resumes_to is None


def test_cancel_from_a_delay_before_shipping_is_allowed():
    order = delayed_from(packed()).cancel(reason="customer gave up", at=at(7)).order

    assert order.status is OrderStatus.CANCELLED


def test_cancel_from_a_delay_on_the_road_is_refused():
    with pytest.raises(InvalidTransition, match="the delay interrupted shipped"):
        delayed_from(shipped()).cancel(reason="too late", at=at(7))


def test_deliver_from_a_delay_on_the_road_is_allowed():
    order = delayed_from(in_transit()).deliver(at=at(7)).order

    assert order.status is OrderStatus.DELIVERED


def test_deliver_from_a_delay_before_shipping_is_refused():
    with pytest.raises(InvalidTransition):
        delayed_from(picking()).deliver(at=at(7))


@pytest.mark.parametrize(
    "final",
    [
        lambda: shipped().deliver(at=at(9)).order,
        lambda: placed().cancel(reason="x", at=at(1)).order,
    ],
    ids=["delivered", "cancelled"],
)
def test_delivered_and_cancelled_are_final(final):
    order = final()

    assert order.is_final
    assert order.allowed_events == frozenset()
    with pytest.raises(InvalidTransition, match="it is final"):
        order.delay(reason="x", estimated_delivery=date(2026, 12, 1), at=at(10))


def test_naive_datetime_is_refused():
    with pytest.raises(InvalidType, match="naive"):
        placed().process(step=ProcessingStep.STOCK_CHECK, at=datetime(2026, 11, 23, 10))


def test_time_cannot_go_backwards():
    with pytest.raises(InvalidField, match="on or after the latest change"):
        processing().pick(at=at(0.5))


def test_refused_command_leaves_the_order_untouched():
    order = packed()
    snapshot = order.to_dict()

    with pytest.raises(SalesflowError):
        order.ship(carrier="DHL", tracking_number=" ", at=at(4))

    assert order.to_dict() == snapshot
    assert order.version == 4


def test_idempotency_key_repeat_returns_the_earlier_outcome_and_changes_nothing():
    first = packed().ship(carrier="DHL", tracking_number="JD01", at=at(4), idempotency_key="s-1")

    again = first.order.ship(carrier="DHL", tracking_number="JD01", at=at(5), idempotency_key="s-1")

    assert again.repeated
    assert again.order == first.order
    assert again.event == first.event
    assert again.notification == first.notification


def test_idempotency_key_reused_for_another_command_raises():
    first = packed().ship(carrier="DHL", tracking_number="JD01", at=at(4), idempotency_key="k")

    with pytest.raises(IdempotencyConflict, match="'k' was already used for 'ship'"):
        first.order.deliver(at=at(5), idempotency_key="k")


def test_stale_expected_version_raises_version_conflict():
    order = processing()

    with pytest.raises(VersionConflict) as caught:
        order.pick(at=at(2), expected_version=1)

    assert (caught.value.expected, caught.value.actual) == (1, 2)
    assert order.pick(at=at(2), expected_version=2).order.version == 3


def test_promised_delivery_stays_the_first_date():
    order = delayed_from(picking())

    assert order.promised_delivery == ETA
    assert order.estimated_delivery == date(2026, 11, 30)


def test_errors_name_the_field_the_value_and_what_was_expected():
    with pytest.raises(InvalidField) as caught:
        OrderLine("A", "mug", 0, Money("1", "EUR"))

    assert caught.value.field == "quantity"
    assert caught.value.value == 0
    assert "at least 1" in caught.value.expected
    assert str(caught.value) == "quantity: got 0, expected a whole number of at least 1"


def _primitives_only(value):
    if isinstance(value, dict):
        return all(isinstance(k, str) and _primitives_only(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_primitives_only(v) for v in value)
    return value is None or type(value) in (str, int, bool)


def test_to_dict_is_json_compatible_primitives_with_exact_amounts_and_offsets():
    document = in_transit().to_dict()

    assert _primitives_only(document)
    assert document["history"][0]["amount_due"] == {"amount": "21.00", "currency": "EUR"}
    assert document["history"][0]["at"] == "2026-11-23T09:00:00+00:00"


def test_from_dict_and_replay_round_trip():
    order = delayed_from(in_transit())

    assert Order.from_dict(json.loads(json.dumps(order.to_dict()))) == order
    assert Order.replay(order.history) == order


def _tampered(change):
    document = json.loads(json.dumps(delayed_from(in_transit()).to_dict()))
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["history"][2].update(to_status="packed"), "history[2].to_status"),
        (lambda d: d["history"][4].pop("tracking_number"), "history[4].tracking_number"),
        (lambda d: d["history"].insert(2, d["history"].pop(3)), "history[2]"),
        (lambda d: d["history"][3].update(version=9), "history[3].version"),
        (lambda d: d.update(status="cancelled"), "status"),
        (lambda d: d["history"][1].update(at="2026-11-23T10:00:00"), "history[1].at"),
        (lambda d: d["history"][1].update(colour="red"), "history[1]"),
        (lambda d: d.update(schema="other/9"), "schema"),
        (lambda d: d["history"][0]["lines"][0].update(quantity=-2), "history[0].lines[0].quantity"),
        (
            lambda d: d["history"][0]["amount_due"].update(amount=21.0),
            "history[0].amount_due.amount",
        ),
        (lambda d: d["history"][5].update(event="deliver"), "history[5]"),
    ],
    ids=[
        "to_status",
        "tracking",
        "swapped",
        "version",
        "summary",
        "naive",
        "unknown key",
        "schema",
        "quantity",
        "float amount",
        "event",
    ],
)
def test_a_tampered_document_is_refused_naming_the_path(change, field):
    document = _tampered(change)

    with pytest.raises(InvalidField) as caught:
        Order.from_dict(document)

    assert caught.value.field.startswith(field)


def test_a_processing_step_may_be_given_by_its_value():
    order = placed().process(step="payment_confirmation", at=at(1)).order  # type: ignore[arg-type]

    assert order.processing_step is ProcessingStep.PAYMENT_CONFIRMATION


def test_an_unknown_processing_step_is_refused_naming_the_choices():
    with pytest.raises(InvalidField, match="stock_check, payment_confirmation"):
        placed().process(step="gift_wrap", at=at(1))  # type: ignore[arg-type]


def test_an_expected_version_that_is_not_a_whole_number_is_refused():
    with pytest.raises(InvalidType, match="expected_version"):
        processing().pick(at=at(2), expected_version="2")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["abc", None, 7])
def test_an_order_is_built_only_from_a_sequence_of_events(bad):
    with pytest.raises(InvalidType):
        Order(bad)


def test_replay_refuses_something_that_is_not_iterable():
    with pytest.raises(InvalidType, match="events"):
        Order.replay(None)  # type: ignore[arg-type]


def test_a_delay_cannot_keep_a_date_that_has_already_passed():
    late = at(24 * 10)  # ten days on: the promised date is in the past

    with pytest.raises(InvalidField, match="estimated_delivery"):
        picking().delay(reason="storm", estimated_delivery=ETA, at=late)


def test_an_expected_version_below_one_is_refused_as_out_of_range_not_as_a_wrong_type():
    order = processing()

    with pytest.raises(InvalidField) as raised:
        order.pick(at=at(2), expected_version=0)

    assert not isinstance(raised.value, InvalidType)
    assert raised.value.expected == "the version read, 1 or more"
    assert order.status is OrderStatus.PROCESSING
