"""Idempotency keys on orders: a key binds the command and its arguments (issue 10, section 3)."""

from __future__ import annotations

import json
import pickle
from datetime import date, timedelta
from typing import Any

import pytest

from helpers import ETA, T0, at, delayed_from, in_transit, packed, placed, processing, shipped
from salesflow import IdempotencyConflict, InvalidField, InvalidType, Money, VersionConflict
from salesflow.orders import (
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    ProcessingStep,
    SupportContact,
    event_from_dict,
)

LATER = date(2026, 12, 4)

# Every verb, the order it applies to, and its business arguments with another value for each.
COMMANDS: list[tuple[str, Any, dict[str, Any], dict[str, Any]]] = [
    (
        "process",
        placed,
        {"step": ProcessingStep.STOCK_CHECK},
        {"step": ProcessingStep.PAYMENT_CONFIRMATION, "actor": "someone else"},
    ),
    ("pick", processing, {}, {"actor": "someone else"}),
    ("pack", lambda: processing().pick(at=at(2)).order, {}, {"actor": "someone else"}),
    (
        "ship",
        packed,
        {"carrier": "DHL", "tracking_number": "JD01", "tracking_url": "https://t.example/JD01"},
        {
            "carrier": "UPS",
            "tracking_number": "JD02",
            "tracking_url": "https://t.example/other",
            "estimated_delivery": LATER,
            "actor": "someone else",
        },
    ),
    (
        "transit",
        shipped,
        {"location": "Leipzig hub"},
        {"location": "Berlin depot", "estimated_delivery": LATER, "actor": "someone else"},
    ),
    (
        "deliver",
        in_transit,
        {"proof": "signed by Ada", "review_url": "https://r.example"},
        {"proof": "left at the door", "review_url": "https://other.example", "actor": "x"},
    ),
    (
        "cancel",
        processing,
        {"reason": "customer asked"},
        {"reason": "out of stock", "actor": "someone else"},
    ),
    (
        "delay",
        in_transit,
        {"reason": "storm", "estimated_delivery": date(2026, 11, 30)},
        {"reason": "flood", "estimated_delivery": LATER, "actor": "someone else"},
    ),
    (
        "resume",
        lambda: delayed_from(in_transit()),
        {},
        {"estimated_delivery": LATER, "actor": "someone else"},
    ),
]
CHANGED = [
    pytest.param(verb, make, arguments, name, value, id=f"{verb}-{name}")
    for verb, make, arguments, others in COMMANDS
    for name, value in others.items()
]
VERBS = [pytest.param(verb, make, arguments, id=verb) for verb, make, arguments, _ in COMMANDS]


def _run(order: Order, verb: str, arguments: dict[str, Any], hours: float, **options: Any):
    return getattr(order, verb)(at=at(hours), **arguments, **options)


@pytest.mark.parametrize(("verb", "make", "arguments"), VERBS)
def test_a_retry_with_the_same_arguments_returns_the_earlier_outcome_and_notification(
    verb, make, arguments
):
    order = make()
    first = _run(order, verb, arguments, 10, idempotency_key="k")

    again = _run(first.order, verb, arguments, 30, idempotency_key="k")

    assert again.repeated
    assert not first.repeated
    assert again.order is first.order
    assert again.event is first.event
    assert again.notification == first.notification
    assert again.notification.to_dict() == first.notification.to_dict()


@pytest.mark.parametrize(("verb", "make", "arguments"), VERBS)
def test_a_retry_after_the_order_moved_on_still_returns_the_earlier_outcome(verb, make, arguments):
    first = _run(make(), verb, arguments, 10, idempotency_key="k")
    moved = first.order
    if not moved.is_final:
        moved = moved.delay(reason="later", estimated_delivery=LATER, at=at(11)).order

    again = _run(moved, verb, arguments, 40, idempotency_key="k", expected_version=1)

    assert again.repeated
    assert again.order is moved
    assert again.event is first.event
    assert again.notification == first.notification


@pytest.mark.parametrize(("verb", "make", "arguments", "name", "value"), CHANGED)
def test_the_same_key_with_a_different_argument_is_a_conflict_naming_key_and_argument(
    verb, make, arguments, name, value
):
    first = _run(make(), verb, arguments, 10, idempotency_key="k-42")
    document = first.order.to_dict()
    changed = {**arguments, name: value}

    with pytest.raises(IdempotencyConflict) as caught:
        _run(first.order, verb, changed, 10, idempotency_key="k-42")

    assert caught.value.key == "k-42"
    assert caught.value.argument == name
    assert caught.value.given == value
    assert "'k-42'" in str(caught.value)
    assert name in str(caught.value)
    assert first.order.to_dict() == document


def test_the_same_key_for_another_command_is_a_conflict():
    first = processing().pick(at=at(2), idempotency_key="k")

    with pytest.raises(IdempotencyConflict, match="'k' was already used for 'pick'"):
        first.order.pack(at=at(3), idempotency_key="k")


def test_a_missing_estimated_delivery_on_a_retry_means_the_date_in_force_before():
    shipped_order = shipped()
    first = shipped_order.transit(location="Hub", at=at(5), idempotency_key="k")
    moved = first.order.delay(reason="storm", estimated_delivery=LATER, at=at(6)).order

    again = moved.transit(location="Hub", at=at(7), idempotency_key="k")
    explicit = moved.transit(location="Hub", estimated_delivery=ETA, at=at(7), idempotency_key="k")

    assert again.repeated
    assert explicit.repeated
    with pytest.raises(IdempotencyConflict, match="estimated_delivery"):
        moved.transit(location="Hub", estimated_delivery=LATER, at=at(7), idempotency_key="k")


def test_a_malformed_expected_version_is_refused_even_on_a_repeat():
    first = placed().process(step=ProcessingStep.STOCK_CHECK, at=at(1), idempotency_key="k")

    for bad in ("2", 1.0, True, 0, -3):
        with pytest.raises((InvalidType, InvalidField), match="expected_version"):
            first.order.process(
                step=ProcessingStep.STOCK_CHECK, at=at(1), idempotency_key="k", expected_version=bad
            )


@pytest.mark.parametrize("bad", [None, "2026-11-23", T0.replace(tzinfo=None)])
def test_a_malformed_at_is_refused_even_on_a_repeat(bad):
    first = placed().process(step=ProcessingStep.STOCK_CHECK, at=at(1), idempotency_key="k")

    with pytest.raises(InvalidType, match=r"^at: "):
        first.order.process(step=ProcessingStep.STOCK_CHECK, at=bad, idempotency_key="k")


@pytest.mark.parametrize("bad", [["k"], 7, "", "   "])
def test_a_malformed_key_is_refused_before_any_lookup(bad):
    order = placed()

    with pytest.raises(InvalidField, match="idempotency_key"):
        order.process(step=ProcessingStep.STOCK_CHECK, at=at(1), idempotency_key=bad)


def test_resume_checks_its_expected_version():
    order = delayed_from(in_transit())

    with pytest.raises(VersionConflict, match="expected_version 2 is stale"):
        order.resume(at=at(7), expected_version=2)
    assert order.resume(at=at(7), expected_version=order.version).order.status is (
        OrderStatus.IN_TRANSIT
    )


def test_ship_and_transit_record_a_new_estimated_delivery():
    shipped_order = packed().ship(
        carrier="DHL", tracking_number="JD01", estimated_delivery=LATER, at=at(4)
    )
    moved = shipped_order.order.transit(
        location="Hub", estimated_delivery=date(2026, 12, 5), at=at(5)
    )

    assert shipped_order.event.estimated_delivery == LATER
    assert shipped_order.order.estimated_delivery == LATER
    assert shipped_order.notification.estimated_delivery == LATER
    assert moved.order.estimated_delivery == date(2026, 12, 5)
    assert moved.notification.estimated_delivery == date(2026, 12, 5)


def test_a_resume_to_processing_without_its_step_is_refused_from_a_document():
    order = delayed_from(processing(), hours=2).resume(at=at(3)).order
    document = json.loads(json.dumps(order.to_dict()))
    del document["history"][-1]["step"]

    with pytest.raises(InvalidField, match=r"history\[3\]\.step"):
        Order.from_dict(document)


def test_the_key_index_is_built_by_replay_and_from_dict_and_never_shared_with_a_new_order():
    order = placed().process(step=ProcessingStep.STOCK_CHECK, at=at(1), idempotency_key="a")
    before = dict(order.order._fold.keys)

    after = order.order.pick(at=at(2), idempotency_key="b").order

    assert before == {"a": 2}
    assert order.order._fold.keys == {"a": 2}
    assert after._fold.keys == {"a": 2, "b": 3}
    assert Order.replay(after.history)._fold.keys == {"a": 2, "b": 3}
    assert Order.from_dict(after.to_dict())._fold.keys == {"a": 2, "b": 3}


def test_a_history_that_uses_one_key_twice_is_refused():
    order = placed().process(step=ProcessingStep.STOCK_CHECK, at=at(1), idempotency_key="a").order
    document = order.pick(at=at(2)).order.to_dict()
    document["history"][2]["idempotency_key"] = "a"

    with pytest.raises(InvalidField, match=r"history\[2\]\.idempotency_key.*version 2 used it"):
        Order.from_dict(document)


class _Watched(tuple):
    """A history that records which events are read, and refuses to be scanned."""

    read: list[int]

    def __getitem__(self, index: Any) -> Any:
        self.read.append(index)
        return super().__getitem__(index)

    def __iter__(self) -> Any:
        raise AssertionError("the history was scanned")


def test_the_key_lookup_reads_only_the_event_under_the_key_however_long_the_history():
    order = processing()
    for hour in range(2, 60):
        order = order.delay(
            reason="storm", estimated_delivery=LATER, at=at(hour), idempotency_key=f"k{hour}"
        ).order
    watched = _Watched(order.history)
    watched.read = []
    object.__setattr__(order, "history", watched)

    again = order.delay(reason="storm", estimated_delivery=LATER, at=at(70), idempotency_key="k50")

    assert again.repeated
    assert again.event.version == 51
    # The event under the key, nothing else (the placement is kept on the fold).
    assert set(watched.read) == {50}


def test_place_keeps_its_idempotency_key():
    outcome = _place(idempotency_key="req-1")

    assert outcome.event.idempotency_key == "req-1"
    assert outcome.order.to_dict()["history"][0]["idempotency_key"] == "req-1"
    assert outcome.order._fold.keys == {"req-1": 1}


def _place(**options: Any):
    arguments: dict[str, Any] = {
        "number": "1001",
        "customer": Customer("cust-1", "Ada"),
        "lines": [OrderLine("MUG-1", "Blue mug", 2, Money("8.50", "EUR"))],
        "estimated_delivery": ETA,
        "support": SupportContact(email="help@shop.example"),
        "at": T0,
    }
    arguments.update(options)
    return Order.place(**arguments)


def test_a_repeated_placement_returns_the_original_outcome_and_notification():
    first = _place(idempotency_key="req-1")
    stored = Order.from_dict(json.loads(json.dumps(first.order.to_dict())))

    again = _place(idempotency_key="req-1", at=T0 + timedelta(minutes=5), existing=stored)

    assert again.repeated
    assert again.order is stored
    assert again.event == first.event
    assert again.notification == first.notification


def test_a_repeated_placement_is_recognised_after_the_order_moved_on():
    first = _place(idempotency_key="req-1")
    moved = first.order.process(step=ProcessingStep.STOCK_CHECK, at=at(1)).order

    again = _place(idempotency_key="req-1", existing=moved)

    assert again.repeated
    assert again.order is moved
    assert again.event is first.event


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("number", "1002"),
        ("customer", Customer("cust-2", "Bob")),
        ("lines", [OrderLine("MUG-1", "Blue mug", 3, Money("8.50", "EUR"))]),
        ("estimated_delivery", LATER),
        ("support", SupportContact(email="other@shop.example")),
        ("amount_due", Money("1.00", "EUR")),
        ("actor", "someone else"),
    ],
)
def test_a_repeated_placement_with_a_different_argument_is_a_conflict(name, value):
    stored = _place(idempotency_key="req-1").order

    with pytest.raises(IdempotencyConflict) as caught:
        _place(idempotency_key="req-1", existing=stored, **{name: value})

    assert caught.value.key == "req-1"
    assert caught.value.argument == name


def test_a_placement_under_another_key_than_the_stored_order_is_a_conflict():
    stored = _place(idempotency_key="req-1").order

    with pytest.raises(IdempotencyConflict, match="'req-2'"):
        _place(idempotency_key="req-2", existing=stored)
    with pytest.raises(InvalidField, match="idempotency_key"):
        _place(existing=stored)
    with pytest.raises(InvalidType, match="existing"):
        _place(idempotency_key="req-1", existing=stored.to_dict())


def test_an_idempotency_conflict_pickles_with_its_context():
    stored = _place(idempotency_key="req-1").order
    with pytest.raises(IdempotencyConflict) as caught:
        _place(idempotency_key="req-1", existing=stored, number="1002")

    copy = pickle.loads(pickle.dumps(caught.value))

    assert str(copy) == str(caught.value)
    assert (copy.key, copy.argument, copy.recorded, copy.given) == (
        "req-1",
        "number",
        "1001",
        "1002",
    )


def test_an_event_document_round_trips_its_key():
    event = placed().process(step=ProcessingStep.STOCK_CHECK, at=at(1), idempotency_key="k").event

    assert event_from_dict(event.to_dict()).idempotency_key == "k"


@pytest.mark.parametrize("verb", ["process", "cancel"])
def test_the_key_of_the_placement_reused_for_a_command_is_a_conflict(verb):
    order = _place(idempotency_key="req-1").order
    content = {"step": ProcessingStep.STOCK_CHECK} if verb == "process" else {"reason": "x"}

    with pytest.raises(IdempotencyConflict, match="'req-1' was already used for 'place'"):
        getattr(order, verb)(at=at(1), idempotency_key="req-1", **content)
