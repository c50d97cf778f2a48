"""An order error names the parameter as the caller wrote it and shows the value."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from helpers import ETA, T0, at, delayed_from, next_status, packed, picking, placed, shipped
from salesflow import CurrencyMismatch, InvalidField, InvalidType, Money
from salesflow.orders import (
    Customer,
    Notification,
    Order,
    OrderLifecycle,
    OrderLine,
    OrderStatus,
    SupportContact,
    replay_status,
)
from salesflow.orders.lifecycle import ORDER_EVENTS
from salesflow.orders.notifications import ReceivedNotice

LATEST = datetime.max.replace(tzinfo=UTC)


def test_placing_at_the_end_of_time_names_at_with_its_value():
    with pytest.raises(InvalidField) as caught:
        Order.place(
            number="1001",
            customer=Customer("c-1", "Ada"),
            lines=[OrderLine("MUG-1", "Blue mug", 1, Money("8.50", "EUR"))],
            estimated_delivery=ETA,
            support=SupportContact(email="help@shop.example"),
            at=LATEST,
        )

    assert f"at {LATEST.isoformat()}" in str(caught.value)


LATER = date(2026, 11, 30)


@pytest.mark.parametrize(
    "verb",
    [
        lambda: picking().delay(reason="storm", estimated_delivery=LATER, at=LATEST),
        lambda: delayed_from(picking()).resume(at=LATEST, estimated_delivery=date(2026, 12, 1)),
        lambda: packed().ship(
            carrier="DHL", tracking_number="J1", estimated_delivery=LATER, at=LATEST
        ),
        lambda: shipped().transit(location="Hub", estimated_delivery=LATER, at=LATEST),
    ],
    ids=["delay", "resume", "ship", "transit"],
)
def test_a_change_at_the_end_of_time_names_at_with_its_value(verb):
    with pytest.raises(InvalidField) as caught:
        verb()

    assert f"at {LATEST.isoformat()}" in str(caught.value)


@pytest.mark.parametrize("history", [[1], [None], [{"id": "x"}]])
def test_an_order_built_from_a_bad_history_names_history(history):
    with pytest.raises(InvalidType, match=r"^history\[0\]"):
        Order(history)


def test_an_order_replayed_from_bad_events_names_events():
    with pytest.raises(InvalidField, match=r"^events\[1\]"):
        Order.replay([placed().history[0], 7])


@pytest.mark.parametrize("events", ["process", {"process": 1}])
def test_a_string_or_mapping_is_not_read_as_events(events):
    with pytest.raises(InvalidType, match=r"^events"):
        Order.replay(events)
    with pytest.raises(InvalidType, match=r"^events"):
        replay_status(events)


@pytest.mark.parametrize("event", ["teleport", "", "x" * 1000])
def test_an_unknown_event_name_is_an_invalid_field_naming_event(event):
    with pytest.raises(InvalidField, match=r"^event: got '") as caught:
        next_status(OrderStatus.PICKING, event)

    assert all(name in str(caught.value) for name in ORDER_EVENTS)


@pytest.mark.parametrize("event", ["resume", "cancel", "deliver"])
def test_a_delayed_status_without_what_it_interrupted_names_resumes_to(event):
    with pytest.raises(InvalidField, match=r"^resumes_to: got None"):
        next_status(OrderStatus.DELAYED, event)


def test_a_delayed_status_without_what_it_interrupted_may_still_be_delayed_again():
    assert next_status(OrderStatus.DELAYED, "delay") is OrderStatus.DELAYED


@pytest.mark.parametrize(("events", "name"), [([1], "events[0]"), (["pick", "x"], "events[1]")])
def test_replay_status_names_the_bad_item_of_events(events, name):
    with pytest.raises(InvalidField) as caught:
        replay_status(events, start=OrderStatus.PROCESSING)

    assert str(caught.value).startswith(f"{name}: got ")


@pytest.mark.parametrize("start", [None, "bogus", 7, datetime.max.replace(tzinfo=UTC)])
def test_replay_status_names_start(start):
    with pytest.raises(InvalidField, match=r"^start: got "):
        replay_status(["pick"], start=start)


@pytest.mark.parametrize("start", ["bogus", 7, [], {}])
def test_the_lifecycle_refuses_an_unknown_start_value_naming_it(start):
    with pytest.raises(InvalidField, match=r"^start_value: got "):
        OrderLifecycle(start_value=start)


def test_the_lifecycle_starts_where_it_is_told():
    assert OrderLifecycle(start_value="picking").current_state_value is OrderStatus.PICKING


def test_the_base_notification_cannot_be_built():
    with pytest.raises(InvalidType, match=r"^Notification: got 'Notification'"):
        Notification(
            order_number="1001",
            customer_name="Ada",
            support=SupportContact(email="help@shop.example"),
            at=T0,
            version=1,
            event="place",
            estimated_delivery=ETA,
        )


def test_a_received_notice_in_another_currency_than_its_items_names_amount_due():
    with pytest.raises(CurrencyMismatch, match=r"amount_due\.currency: got 'GBP'"):
        ReceivedNotice(
            order_number="1001",
            customer_name="Ada",
            support=SupportContact(email="help@shop.example"),
            at=at(0),
            version=1,
            event="place",
            estimated_delivery=ETA,
            items=placed().lines,
            amount_due=Money("21.00", "GBP"),
        )


def test_a_received_notice_whose_items_mix_currencies_names_the_odd_item():
    lines = (
        OrderLine("MUG-1", "Blue mug", 1, Money("8.50", "USD")),
        OrderLine("TEA-1", "Earl Grey", 1, Money("4.00", "GBP")),
    )

    with pytest.raises(CurrencyMismatch, match=r"items\[1\]\.unit_price\.currency: got 'GBP'"):
        ReceivedNotice(
            order_number="1001",
            customer_name="Ada",
            support=SupportContact(email="help@shop.example"),
            at=at(0),
            version=1,
            event="place",
            estimated_delivery=ETA,
            items=lines,
            amount_due=Money("12.50", "USD"),
        )
