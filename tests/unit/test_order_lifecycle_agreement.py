"""The compiled table agrees with the python-statemachine engine on every input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statemachine.exceptions import TransitionNotAllowed

from helpers import next_status
from salesflow import InvalidField, InvalidTransition
from salesflow.orders import OrderLifecycle, OrderStatus, allowed_events, replay_status
from salesflow.orders.lifecycle import INTERRUPTIBLE, ORDER_EVENTS, TRANSITIONS, key

CONTEXTS = (None, *INTERRUPTIBLE)
COMBINATIONS = [
    (status, event, context)
    for status in OrderStatus
    for event in (*ORDER_EVENTS, "teleport")
    for context in CONTEXTS
]


def _engine(status, event, context):
    machine = OrderLifecycle(start_value=status)
    try:
        machine.send(event, resumes_to=context)
    except TransitionNotAllowed:
        return None
    return machine.current_state_value


def _compiled(status, event, context):
    try:
        return TRANSITIONS.next(key(status, context), event)
    except (InvalidTransition, InvalidField):  # an unknown event, or a delay's missing context
        return None


@pytest.mark.parametrize(("status", "event", "context"), COMBINATIONS, ids=str)
def test_engine_and_compiled_table_agree_on_every_status_event_and_interrupted_status(
    status, event, context
):
    expected = _engine(status, event, context)

    actual = _compiled(status, event, context)

    assert actual == expected


@pytest.mark.parametrize("status", list(OrderStatus), ids=str)
@pytest.mark.parametrize("context", CONTEXTS, ids=str)
def test_allowed_events_equal_the_engines_enabled_events(status, context):
    machine = OrderLifecycle(start_value=status)

    enabled = {event.id for event in machine.enabled_events(resumes_to=context)}

    assert allowed_events(status, resumes_to=context) == enabled


def test_the_lifecycle_declares_exactly_the_nine_events_in_order():
    assert ORDER_EVENTS == (
        "process",
        "pick",
        "pack",
        "ship",
        "transit",
        "deliver",
        "cancel",
        "delay",
        "resume",
    )


def test_final_statuses_allow_no_events():
    for status in (OrderStatus.DELIVERED, OrderStatus.CANCELLED):
        assert allowed_events(status) == frozenset()


def test_invalid_transition_carries_state_event_allowed_and_one_sentence():
    with pytest.raises(InvalidTransition) as caught:
        next_status(OrderStatus.PICKING, "ship")

    assert caught.value.state == "picking"
    assert caught.value.event == "ship"
    assert caught.value.allowed == ("cancel", "delay", "pack")
    assert str(caught.value) == "Can't ship an order that is picking; allowed: cancel, delay, pack."
    assert isinstance(caught.value, ValueError)


def test_an_interrupted_status_that_a_delay_cannot_interrupt_is_refused():
    with pytest.raises(ValueError, match="resumes_to"):
        next_status(OrderStatus.DELAYED, "resume", resumes_to=OrderStatus.DELIVERED)


@given(st.lists(st.sampled_from([*ORDER_EVENTS, "teleport"]), max_size=12))
def test_replay_status_equals_firing_the_same_events_on_the_engine(events):
    machine = OrderLifecycle()
    interrupted = None
    engine_result: object
    try:
        for event in events:
            before = machine.current_state_value
            machine.send(event, resumes_to=interrupted)
            after = machine.current_state_value
            if after is OrderStatus.DELAYED:
                interrupted = interrupted if before is OrderStatus.DELAYED else before
            else:
                interrupted = None
        engine_result = machine.current_state_value
    except TransitionNotAllowed:
        engine_result = "refused"

    try:
        ours: object = replay_status(events)
    except (InvalidTransition, InvalidField):  # an unknown event name is refused by name
        ours = "refused"

    assert ours == engine_result


def test_an_event_that_is_not_a_name_is_refused_as_a_type_error():
    with pytest.raises(TypeError, match="an event name"):
        next_status(OrderStatus.RECEIVED, 5)  # type: ignore[arg-type]


def test_replay_status_refuses_something_that_is_not_iterable():
    with pytest.raises(TypeError, match="events"):
        replay_status(None)  # type: ignore[arg-type]
