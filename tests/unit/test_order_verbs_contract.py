"""Every order verb keeps the command contract: actor, key, expected version, new date.

One table of verbs, each with the order it applies to and its arguments, so a
verb that forgets any part of the pipeline fails here (mutation testing found
`resume` ignoring `expected_version`, `place` dropping its key, `ship` and
`transit` dropping a new estimated delivery).
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest

from helpers import (
    ETA,
    T0,
    at,
    delayed_from,
    in_transit,
    packed,
    picking,
    place,
    placed,
    processing,
    shipped,
)
from salesflow import IdempotencyConflict, InvalidField, InvalidType, VersionConflict
from salesflow.orders import Order, OrderStatus, ProcessingStep
from salesflow.orders.lifecycle import allowed_events

NEW_ETA = date(2026, 12, 3)

# name: (the order it applies to, its arguments besides at/actor/key/expected_version)
VERBS = {
    "process": (placed, {"step": ProcessingStep.PAYMENT_CONFIRMATION}),
    "pick": (processing, {}),
    "pack": (picking, {}),
    "ship": (packed, {"carrier": "UPS", "tracking_number": "1Z9", "tracking_url": "https://t/1Z9"}),
    "transit": (shipped, {"location": "Kassel"}),
    "deliver": (in_transit, {"proof": "signed by A.", "review_url": "https://r/1"}),
    "cancel": (picking, {"reason": "customer asked"}),
    "delay": (packed, {"reason": "storm", "estimated_delivery": NEW_ETA}),
    "resume": (lambda: delayed_from(picking()), {}),
}


def _call(name, order, **extra):
    _, arguments = VERBS[name]
    return getattr(order, name)(**arguments, **extra)


@pytest.mark.parametrize("name", VERBS)
def test_every_verb_records_its_actor_and_idempotency_key_on_its_event(name):
    order = VERBS[name][0]()

    outcome = _call(name, order, at=at(7), actor="alice", idempotency_key=f"{name}-1")

    assert outcome.event.actor == "alice"
    assert outcome.event.idempotency_key == f"{name}-1"
    assert outcome.order.history[-1] == outcome.event
    assert Order.from_dict(outcome.order.to_dict()).history[-1].idempotency_key == f"{name}-1"


@pytest.mark.parametrize("name", VERBS)
def test_every_verb_refuses_an_expected_version_other_than_the_current_and_changes_nothing(name):
    order = VERBS[name][0]()
    before = order.to_dict()
    wrong = [order.version + 1] + ([order.version - 1] if order.version > 1 else [])

    for expected in wrong:
        with pytest.raises(VersionConflict) as caught:
            _call(name, order, at=at(7), expected_version=expected)

        assert (caught.value.expected, caught.value.actual) == (expected, order.version)
    assert order.to_dict() == before


@pytest.mark.parametrize("name", VERBS)
def test_every_verb_accepts_the_current_expected_version(name):
    order = VERBS[name][0]()

    outcome = _call(name, order, at=at(7), expected_version=order.version)

    assert outcome.order.version == order.version + 1
    assert not outcome.repeated


@pytest.mark.parametrize("bad", ["3", 3.0, True])
@pytest.mark.parametrize("name", VERBS)
def test_a_malformed_expected_version_is_refused_even_on_an_idempotent_repeat(name, bad):
    first = _call(name, VERBS[name][0](), at=at(7), idempotency_key="k-1")

    with pytest.raises(InvalidType) as caught:
        _call(name, first.order, at=at(7), idempotency_key="k-1", expected_version=bad)

    assert caught.value.field == "expected_version"
    assert caught.value.value == bad


@pytest.mark.parametrize("name", VERBS)
def test_an_idempotent_repeat_returns_the_earlier_event_and_notification(name):
    first = _call(name, VERBS[name][0](), at=at(7), idempotency_key="k-1")

    again = _call(name, first.order, at=at(7), idempotency_key="k-1")

    assert again.repeated
    assert again.order is first.order
    assert (again.event, again.notification) == (first.event, first.notification)


def test_place_records_its_actor_and_idempotency_key():
    from salesflow import Money
    from salesflow.orders import Customer, OrderLine, SupportContact

    outcome = Order.place(
        number="2002",
        customer=Customer("c-9", "Bo"),
        lines=[OrderLine("MUG-1", "Blue mug", 1, Money("8.50", "EUR"))],
        estimated_delivery=ETA,
        support=SupportContact(email="help@shop.example"),
        at=T0,
        actor="web",
        idempotency_key="checkout-77",
    )

    assert outcome.event.idempotency_key == "checkout-77"
    assert outcome.event.actor == "web"
    assert outcome.order.history == (outcome.event,)
    assert Order.from_dict(outcome.order.to_dict()).history[0].idempotency_key == "checkout-77"


@pytest.mark.parametrize("name", ["ship", "transit", "resume", "delay"])
def test_a_new_estimated_delivery_is_recorded_and_announced(name):
    order = VERBS[name][0]()

    outcome = _call(
        name, order, at=at(7), **({} if name == "delay" else {"estimated_delivery": NEW_ETA})
    )

    assert outcome.event.estimated_delivery == NEW_ETA
    assert outcome.order.estimated_delivery == NEW_ETA
    assert outcome.notification.estimated_delivery == NEW_ETA
    assert outcome.order.promised_delivery == ETA


@pytest.mark.parametrize("name", ["process", "pick", "pack", "ship", "transit", "resume"])
def test_without_a_new_date_a_verb_keeps_the_date_in_force(name):
    order = VERBS[name][0]()

    outcome = _call(name, order, at=at(7))

    assert outcome.event.estimated_delivery == order.estimated_delivery
    assert outcome.order.estimated_delivery == order.estimated_delivery


def test_each_verb_stores_what_it_carries():
    ship = _call("ship", packed(), at=at(7))
    transit = _call("transit", ship.order, at=at(8))
    deliver = _call("deliver", transit.order, at=at(9))
    cancel = _call("cancel", picking(), at=at(7))
    delay = _call("delay", packed(), at=at(7))
    process = _call("process", placed(), at=at(7))

    assert (ship.order.carrier, ship.order.tracking_number, ship.order.tracking_url) == (
        "UPS",
        "1Z9",
        "https://t/1Z9",
    )
    assert (ship.notification.carrier, ship.notification.tracking_url) == ("UPS", "https://t/1Z9")
    assert transit.order.location == "Kassel" == transit.notification.location
    assert (deliver.event.proof, deliver.event.review_url) == ("signed by A.", "https://r/1")
    assert deliver.notification.review_url == "https://r/1"
    assert deliver.order.is_final
    assert cancel.event.reason == "customer asked" == cancel.notification.reason
    assert delay.event.reason == "storm"
    assert delay.order.resumes_to is OrderStatus.PACKED
    assert process.order.processing_step is ProcessingStep.PAYMENT_CONFIRMATION


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (processing, OrderStatus.PROCESSING),
        (picking, OrderStatus.PICKING),
        (packed, OrderStatus.PACKED),
        (shipped, OrderStatus.SHIPPED),
        (in_transit, OrderStatus.IN_TRANSIT),
    ],
)
def test_resume_goes_back_with_what_the_interrupted_status_carried(make, status):
    before = make()
    order = delayed_from(before)

    outcome = order.resume(at=at(7))

    assert outcome.order.status is status
    assert outcome.order.resumes_to is None
    assert outcome.notification.resumed
    assert outcome.event.step == (
        before.processing_step if status is OrderStatus.PROCESSING else None
    )
    assert outcome.event.location == (before.location if status is OrderStatus.IN_TRANSIT else None)


@pytest.mark.parametrize(
    ("make", "field", "expected"),
    [
        (processing, "step", "the processing step to resume"),
        (in_transit, "location", "the last known location to resume from"),
    ],
)
def test_a_resume_event_without_what_its_status_needs_is_refused_from_a_document(
    make, field, expected
):
    order = delayed_from(make()).resume(at=at(7)).order
    document = order.to_dict()
    del document["history"][-1][field]  # a document leaves out what is None

    with pytest.raises(InvalidField) as caught:
        Order.from_dict(document)

    assert caught.value.field == f"history[{len(document['history']) - 1}].{field}"
    assert caught.value.expected == expected


@pytest.mark.parametrize(
    ("make", "field", "expected"),
    [
        (processing, "step", "the processing step to resume"),
        (in_transit, "location", "the last known location to resume from"),
    ],
)
def test_a_resume_event_without_what_its_status_needs_is_refused_on_replay(make, field, expected):
    order = delayed_from(make()).resume(at=at(7)).order
    last = attrs.evolve(order.history[-1], **{field: None})

    with pytest.raises(InvalidField) as caught:
        Order.replay([*order.history[:-1], last])

    assert (
        str(caught.value)
        == f"events[{len(order.history) - 1}].{field}: got None, expected {expected}"
    )


def test_the_delay_keeps_the_first_interrupted_status_when_delayed_again():
    order = delayed_from(shipped())

    again = order.delay(reason="still stormy", estimated_delivery=date(2026, 12, 5), at=at(8)).order

    assert again.resumes_to is OrderStatus.SHIPPED
    assert again.resume(at=at(9)).order.status is OrderStatus.SHIPPED


def test_place_outcome_is_not_repeated():
    assert not place().repeated


@pytest.mark.parametrize("name", VERBS)
def test_every_verb_records_the_system_as_actor_by_default(name):
    outcome = _call(name, VERBS[name][0](), at=at(7))

    assert outcome.event.actor == "system"


def test_place_records_the_system_as_actor_by_default():
    assert place().event.actor == "system"


LATE = T0 + timedelta(days=10)  # after the estimated delivery date of every helper order


@pytest.mark.parametrize(
    "name", ["process", "pick", "pack", "ship", "transit", "deliver", "cancel"]
)
def test_a_late_order_moves_on_keeping_its_date_that_has_passed(name):
    order = VERBS[name][0]()

    outcome = _call(name, order, at=LATE)

    assert outcome.event.estimated_delivery == ETA < LATE.date()
    assert outcome.order.estimated_delivery == ETA


def test_a_late_delay_must_set_a_date_from_its_own_day_on():
    order = packed()

    with pytest.raises(InvalidField) as caught:
        order.delay(reason="storm", estimated_delivery=ETA, at=LATE)

    assert caught.value.field == "estimated_delivery"
    assert order.delay(reason="storm", estimated_delivery=LATE.date(), at=LATE).order.version == 5


@pytest.mark.parametrize("name", VERBS)
def test_after_every_verb_the_order_says_when_it_changed_and_what_it_allows_next(name):
    outcome = _call(name, VERBS[name][0](), at=at(7))
    order = outcome.order

    assert order.updated_at == at(7)
    assert order.placed_at == T0
    assert order.allowed_events == allowed_events(order.status, resumes_to=order.resumes_to)
    assert order.is_final == (order.status in (OrderStatus.DELIVERED, OrderStatus.CANCELLED))
    assert repr(order) == f"<Order 1001 {order.status.value} v{order.version}>"


@pytest.mark.parametrize("name", VERBS)
def test_a_retry_with_the_expected_version_first_sent_returns_the_earlier_outcome(name):
    order = VERBS[name][0]()
    first = _call(name, order, at=at(7), idempotency_key="k-1", expected_version=order.version)

    again = _call(
        name, first.order, at=at(7), idempotency_key="k-1", expected_version=order.version
    )

    assert again.repeated
    assert again.event == first.event


def test_an_order_read_back_is_equal_and_hashes_the_same():
    order = delayed_from(in_transit())

    again = Order.from_dict(order.to_dict())

    assert again == order
    assert hash(again) == hash(order)


def test_a_resume_keeps_the_carriers_own_time():
    order = delayed_from(in_transit())
    carrier_time = at(6)

    outcome = order.resume(at=at(8), reported_at=carrier_time)

    assert outcome.event.reported_at == carrier_time
    assert outcome.event.at == at(8)


def test_a_repeated_placement_under_another_key_names_the_stored_order():
    stored = place().order

    with pytest.raises(IdempotencyConflict) as caught:
        Order.place(
            number="1001",
            customer=stored.customer,
            lines=list(stored.lines),
            estimated_delivery=ETA,
            support=stored.support,
            at=T0,
            idempotency_key="another",
            existing=stored,
        )

    assert str(caught.value).startswith("order 1001: idempotency_key 'another'")
