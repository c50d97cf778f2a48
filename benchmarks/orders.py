"""Order benchmarks: status replay, one backend request, memory per live order."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

from benchmarks._harness import Result, bytes_per_object, interleaved, scenario
from salesflow import Money
from salesflow.orders import (
    Customer,
    Order,
    OrderLifecycle,
    OrderLine,
    OrderStatus,
    ProcessingStep,
    SupportContact,
    allowed_events,
    replay_status,
)
from salesflow.orders.lifecycle import TRANSITIONS, key

# The baseline: a transition table written out by hand, as a shop would without salesflow.
HAND_TABLE = {
    "received": {"process": "processing", "cancel": "cancelled"},
    "processing": {"pick": "picking", "cancel": "cancelled", "delay": "delayed"},
    "picking": {"pack": "packed", "cancel": "cancelled", "delay": "delayed"},
    "packed": {"ship": "shipped", "cancel": "cancelled", "delay": "delayed"},
    "shipped": {"transit": "in_transit", "deliver": "delivered", "delay": "delayed"},
    "in_transit": {"transit": "in_transit", "deliver": "delivered", "delay": "delayed"},
    "delivered": {},
    "cancelled": {},
}
BEFORE_SHIPPING = frozenset({"processing", "picking", "packed"})


def hand_replay(events: list[str]) -> str:
    status, interrupted = "received", ""
    for event in events:
        if status == "delayed":
            if event == "delay":
                continue
            if event == "resume":
                status, interrupted = interrupted, ""
            elif event == "cancel" and interrupted in BEFORE_SHIPPING:
                status = "cancelled"
            elif event == "deliver" and interrupted not in BEFORE_SHIPPING:
                status = "delivered"
            else:
                raise ValueError(event)
            continue
        target = HAND_TABLE[status][event]
        if target == "delayed":
            interrupted = status
        status = target
    return status


def histories(count: int, seed: int = 2026) -> list[list[str]]:
    """Legal event histories after placement, by walking the allowed events."""
    rng = random.Random(seed)
    weights = {"cancel": 1, "delay": 2, "resume": 6, "transit": 4}
    result = []
    for _ in range(count):
        status, interrupted, events = OrderStatus.RECEIVED, None, []
        while not status.is_final and len(events) < 12:
            options = sorted(allowed_events(status, resumes_to=interrupted))
            event = rng.choices(options, [weights.get(o, 8) for o in options])[0]
            target = TRANSITIONS.next(key(status, interrupted), event)
            if target is OrderStatus.DELAYED:
                interrupted = interrupted if status is OrderStatus.DELAYED else status
            else:
                interrupted = None
            status = target
            events.append(event)
        result.append(events)
    return result


@scenario
def status_replay(quick: bool) -> list[Result]:
    count = 10_000 if quick else 100_000
    data = histories(count)
    assert all(replay_status(h).value == hand_replay(h) for h in data)

    def ours() -> None:
        for history in data:
            replay_status(history)

    def baseline() -> None:
        for history in data:
            hand_replay(history)

    ours_t, base_t = interleaved(ours, baseline, repeat=3 if quick else 5)
    return [
        Result(
            f"order status replay, {count:,} histories",
            ours_t / count * 1e6,
            base_t / count * 1e6,
            "us",
            1.5,
            "hand-written dict table",
        )
    ]


T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _order(steps: int) -> Order:
    order = Order.place(
        number="1001",
        customer=Customer("cust-42", "Ada Lovelace"),
        lines=[
            OrderLine("TEA-EARL", "Earl Grey, 250 g", 2, Money("7.50", "GBP")),
            OrderLine("MUG-BLUE", "Blue mug", 1, Money("12.00", "GBP")),
        ],
        estimated_delivery=date(2026, 11, 27),
        support=SupportContact(email="help@teashop.example"),
        at=T0,
    ).order
    commands = [
        lambda o, t: o.process(step=ProcessingStep.PAYMENT_CONFIRMATION, at=t),
        lambda o, t: o.pick(at=t, actor="warehouse"),
        lambda o, t: o.pack(at=t, actor="warehouse"),
        lambda o, t: o.ship(carrier="Royal Mail", tracking_number="RM123456785GB", at=t),
        lambda o, t: o.transit(location="Birmingham mail centre", at=t),
        lambda o, t: o.transit(location="Leeds depot", at=t),
    ]
    for hour, command in enumerate(commands[: steps - 1], start=1):
        order = command(order, T0 + timedelta(hours=hour)).order
    return order


def _request(steps: int, status: OrderStatus, event: str) -> tuple[str, object, object]:
    document = json.loads(json.dumps(_order(steps).to_dict()))
    later = T0 + timedelta(hours=20)

    def command(order: Order):  # type: ignore[no-untyped-def]
        if event == "ship":
            return order.ship(carrier="DPD", tracking_number="DPD-1", at=later)
        return order.deliver(at=later, proof="signed")

    def ours() -> None:
        outcome = command(Order.from_dict(document))
        outcome.notification.message  # noqa: B018 - the notification is part of the request
        outcome.order.to_dict()

    def baseline() -> None:
        machine = OrderLifecycle(start_value=status)
        machine.send(event)

    return f"backend request, {steps} events, {event}", ours, baseline


@scenario
def backend_request(quick: bool) -> list[Result]:
    results = []
    for steps, status, event in ((4, OrderStatus.PACKED, "ship"), (7, OrderStatus.IN_TRANSIT, "deliver")):
        name, ours, baseline = _request(steps, status, event)
        number = 200 if quick else 1000
        ours_t, base_t = interleaved(ours, baseline, repeat=3 if quick else 7, number=number)
        results.append(
            Result(
                f"{name} (restore, command, notify, serialise)",
                ours_t * 1e6,
                base_t * 1e6,
                "us",
                0.10,
                "python-statemachine restore + send",
            )
        )
    return results


@scenario
def order_memory(quick: bool) -> list[Result]:
    document = json.loads(json.dumps(_order(7).to_dict()))
    texts = [json.dumps(document) for _ in range(1)]
    ours = bytes_per_object(lambda i: Order.from_dict(json.loads(texts[0])), 200 if quick else 500)
    baseline = bytes_per_object(
        lambda i: OrderLifecycle(start_value=OrderStatus.IN_TRANSIT), 100 if quick else 200
    )
    return [
        Result(
            "memory per live Order (2 lines, 7 events)",
            ours,
            baseline,
            "B",
            0.20,
            "one live OrderLifecycle",
        )
    ]
