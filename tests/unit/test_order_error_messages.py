"""Each refusal in orders/order.py and orders/lifecycle.py names the field, the value and what
was expected, in exactly the words a caller reads (one row per raise site).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import attrs
import pytest

from helpers import T0, at, next_status, packed, placed, processing
from salesflow import InvalidField, InvalidTransition, InvalidType
from salesflow.errors import CorruptDocument
from salesflow.orders import Order, OrderStatus
from salesflow.orders.lifecycle import allowed_events

# What replay raises for stored data of the wrong type: a CorruptDocument still an InvalidType.
CorruptType = type(CorruptDocument.of(InvalidType("x", None, "y")))


def _replay_with_second_event(**changes):
    history = processing().history
    return Order.replay([history[0], attrs.evolve(history[1], **changes)])


EARLIER = T0 - timedelta(hours=1)
STATUSES = (
    "received, processing, picking, packed, shipped, in_transit, delivered, cancelled, delayed"
)

# (call, error type, field, value, the whole message)
REFUSALS = {
    "an event of another order": (
        lambda: _replay_with_second_event(order_number="9"),
        CorruptDocument,
        "events[1].order_number",
        "9",
        "events[1].order_number: got '9', expected '1001', this order's number",
    ),
    "a skipped version": (
        lambda: _replay_with_second_event(version=3),
        CorruptDocument,
        "events[1].version",
        3,
        "events[1].version: got 3, expected 2, the next version",
    ),
    "a wrong from_status": (
        lambda: _replay_with_second_event(from_status=OrderStatus.PICKING),
        CorruptDocument,
        "events[1].from_status",
        OrderStatus.PICKING,
        "events[1].from_status: got 'picking', expected 'received', the current status",
    ),
    "time going backwards": (
        lambda: _replay_with_second_event(at=EARLIER),
        CorruptDocument,
        "events[1].at",
        EARLIER,
        f"events[1].at: got {EARLIER!r}, expected a time on or after the latest change"
        " (2026-11-23T09:00:00+00:00)",
    ),
    "a wrong to_status": (
        lambda: _replay_with_second_event(to_status=OrderStatus.PICKING),
        CorruptDocument,
        "events[1].to_status",
        OrderStatus.PICKING,
        "events[1].to_status: got 'picking', expected 'processing', where process leads from received",
    ),
    "a new date before the day of the change": (
        lambda: _replay_with_second_event(estimated_delivery=date(2026, 11, 20)),
        CorruptDocument,
        "events[1].estimated_delivery",
        date(2026, 11, 20),
        "events[1].estimated_delivery: got datetime.date(2026, 11, 20), expected a date on or"
        " after 2026-11-23, the day of the change (at 2026-11-23T10:00:00+00:00)",
    ),
    "an event the status does not allow": (
        lambda: _replay_with_second_event(event="pick", step=None, to_status=OrderStatus.PICKING),
        CorruptDocument,
        "events[1].event",
        "pick",
        "events[1].event: got 'pick', expected an event allowed from received: cancel, process",
    ),
    "an unknown processing step": (
        lambda: placed().process(step="bogus", at=at(1)),
        InvalidField,
        "step",
        "bogus",
        "step: got 'bogus', expected one of stock_check, payment_confirmation",
    ),
    "a delay without a date": (
        lambda: packed().delay(reason="storm", estimated_delivery=None, at=at(4)),
        InvalidField,
        "estimated_delivery",
        None,
        "estimated_delivery: got None, expected the new estimated delivery date",
    ),
    "replaying something not iterable": (
        lambda: Order.replay(5),
        CorruptType,
        "events",
        5,
        "events: got 5, expected an iterable of order events",
    ),
    "an unknown status": (
        lambda: next_status("bogus", "pick"),
        InvalidField,
        "status",
        "bogus",
        f"status: got 'bogus', expected one of {STATUSES}",
    ),
    "an unknown status for allowed_events": (
        lambda: allowed_events("bogus"),
        InvalidField,
        "status",
        "bogus",
        f"status: got 'bogus', expected one of {STATUSES}",
    ),
    "an interrupted status a delay cannot interrupt": (
        lambda: next_status("delayed", "pick", resumes_to="delivered"),
        InvalidField,
        "resumes_to",
        "delivered",
        "resumes_to: got 'delivered', expected None or a status a delay can interrupt"
        " (processing, picking, packed, shipped, in_transit)",
    ),
    "an event name that is not a string": (
        lambda: next_status("picking", 5),
        InvalidType,
        "event",
        5,
        "event: got 5, expected an event name (a string)",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refusal_names_the_field_the_value_and_what_was_expected(case):
    call, error, field, value, message = REFUSALS[case]

    with pytest.raises(error) as caught:
        call()

    assert type(caught.value) is error
    assert (caught.value.field, caught.value.value) == (field, value)
    assert str(caught.value) == message


TRANSITIONS = {
    "cancelling after the parcel left, while delayed": (
        ("delayed", "cancel", "shipped"),
        "Can't cancel an order that is delayed (the delay interrupted shipped);"
        " allowed: delay, deliver, resume.",
    ),
    "cancelling a delivered order": (
        ("delivered", "cancel", None),
        "Can't cancel an order that is delivered; allowed: none (it is final).",
    ),
    "shipping a processing order": (
        ("processing", "ship", None),
        "Can't ship an order that is processing; allowed: cancel, delay, pick.",
    ),
}


@pytest.mark.parametrize("case", TRANSITIONS)
def test_a_refused_transition_says_the_state_the_event_and_what_was_allowed(case):
    (status, event, resumes_to), message = TRANSITIONS[case]

    with pytest.raises(InvalidTransition) as caught:
        next_status(status, event, resumes_to=resumes_to)

    assert (caught.value.state, caught.value.event) == (status, event)
    assert str(caught.value) == message


def test_a_refused_verb_says_the_same_as_the_lifecycle():
    with pytest.raises(InvalidTransition) as caught:
        processing().ship(carrier="DHL", tracking_number="JD01", at=at(2))

    assert str(caught.value) == TRANSITIONS["shipping a processing order"][1]


@pytest.mark.parametrize("bad", [datetime(2026, 11, 23, 10), "2026-11-23T10:00:00+00:00"])
def test_a_verb_refuses_a_time_that_is_not_an_aware_datetime_naming_at(bad):
    with pytest.raises(InvalidType) as caught:
        processing().pick(at=bad)

    assert caught.value.field.endswith("at")
    assert caught.value.value == bad
