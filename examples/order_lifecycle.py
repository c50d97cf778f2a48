"""Walk a few orders through their lives and print every customer notification.

Run it with ``python examples/order_lifecycle.py`` (after ``pip install -e .``).
Everything here is deterministic: time is passed in, never read from a clock.

The script plays the host application: it calls salesflow's verbs, "stores"
the events in a list, "sends" each notification by printing it, and at the end
restores every order from its serialised form to prove nothing was lost.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from salesflow import InvalidTransition, Money, SalesflowError
from salesflow.orders import (
    CarrierUpdate,
    Customer,
    Order,
    OrderLine,
    ProcessingStep,
    SupportContact,
    apply_carrier_update,
)
from salesflow.orders.order import OrderOutcome

START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=1)))
SUPPORT = SupportContact(email="help@teashop.example", phone="+44 20 7946 0000")
event_store: list[dict[str, object]] = []
sent = Counter[str]()


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def handle(outcome: OrderOutcome) -> Order:
    """What a host does with an outcome: store the event, send the notification."""
    event_store.append(outcome.event.to_dict())
    notice = outcome.notification
    sent[notice.status.value] += 1
    channels = ", ".join(channel.value for channel in notice.channels)
    print(f"  [{notice.status.value:>10}] via {channels}")
    print(f"               {notice.message}")
    return outcome.order


def place(number: str, name: str, lines: list[OrderLine], hours: float) -> Order:
    print(f"\nOrder {number} for {name}")
    return handle(
        Order.place(
            number=number,
            customer=Customer(f"cust-{number}", name),
            lines=lines,
            estimated_delivery=date(2026, 11, 27),
            support=SUPPORT,
            at=at(hours),
            actor="web-shop",
        )
    )


def happy_path() -> Order:
    order = place(
        "1001",
        "Ada Lovelace",
        [
            OrderLine("TEA-EARL", "Earl Grey, 250 g", 2, Money("7.50", "GBP")),
            OrderLine("MUG-BLUE", "Blue mug", 1, Money("12.00", "GBP")),
        ],
        0,
    )
    order = handle(order.process(step=ProcessingStep.PAYMENT_CONFIRMATION, at=at(0.1)))
    order = handle(order.pick(at=at(2), actor="warehouse"))
    order = handle(order.pack(at=at(3), actor="warehouse"))
    order = handle(
        order.ship(
            carrier="Royal Mail",
            tracking_number="RM123456785GB",
            tracking_url="https://track.example/RM123456785GB",
            at=at(5),
            actor="warehouse",
        )
    )
    # The carrier's webhooks: one scan, then a late duplicate that must not move it back.
    scan = CarrierUpdate(
        vocabulary="aftership",
        code="InTransit",
        tracking_number="RM123456785GB",
        at=at(20),
        location="Birmingham mail centre",
    )
    result = apply_carrier_update(order, scan)
    for outcome in result.outcomes:
        order = handle(outcome)
    late = CarrierUpdate(
        vocabulary="aftership",
        code="InTransit",
        tracking_number="RM123456785GB",
        at=at(12),
        location="Leeds depot",
    )
    print(f"  [   ignored] {apply_carrier_update(order, late).ignored}")
    return handle(order.deliver(at=at(48), proof="signed for by A. Lovelace", actor="carrier"))


def delayed_then_resumed() -> Order:
    order = place(
        "1002",
        "Grace Hopper",
        [OrderLine("TEA-SENCHA", "Sencha, 100 g", 3, Money("9.90", "GBP"))],
        1,
    )
    order = handle(order.process(step=ProcessingStep.STOCK_CHECK, at=at(1.5)))
    order = handle(order.pick(at=at(4)))
    order = handle(
        order.delay(
            reason="one tea is waiting for a delivery from our supplier",
            estimated_delivery=date(2026, 11, 30),
            at=at(5),
        )
    )
    order = handle(order.resume(at=at(30)))
    order = handle(order.pack(at=at(31)))
    # A retry of the same command (same idempotency key) changes nothing.
    first = order.ship(carrier="DPD", tracking_number="DPD-0042", at=at(33), idempotency_key="ship-1002")
    order = handle(first)
    retry = first.order.ship(carrier="DPD", tracking_number="DPD-0042", at=at(33), idempotency_key="ship-1002")
    print(f"  [     retry] repeated={retry.repeated}, version still {retry.order.version}")
    return order


def cancelled() -> Order:
    order = place(
        "1003",
        "Alan Turing",
        [OrderLine("TEA-ASSAM", "Assam, 500 g", 1, Money("14.00", "GBP"))],
        2,
    )
    order = handle(order.process(step=ProcessingStep.PAYMENT_CONFIRMATION, at=at(2.2)))
    order = handle(order.cancel(reason="the payment was declined", at=at(2.5)))
    try:
        order.ship(carrier="DPD", tracking_number="DPD-0043", at=at(3))
    except InvalidTransition as refused:
        print(f"  [   refused] {refused}")
    return order


def main() -> None:
    orders = [happy_path(), delayed_then_resumed(), cancelled()]

    # Restore every order from its stored form: nothing is lost on the way.
    restored = [Order.from_dict(json.loads(json.dumps(order.to_dict()))) for order in orders]
    assert restored == orders

    try:
        Order.from_dict({**orders[0].to_dict(), "status": "cancelled"})
    except SalesflowError as tampered:
        print(f"\nA tampered document is refused: {tampered}")

    print("\nSummary")
    for order in orders:
        print(
            f"  order {order.number}: {order.status.value:<9} v{order.version}, "
            f"{order.amount_due.rounded()} due, promised {order.promised_delivery}, "
            f"now {order.estimated_delivery}"
        )
    print(f"  events stored: {len(event_store)}")
    print(f"  notifications sent: {sum(sent.values())} ({', '.join(f'{k} {v}' for k, v in sorted(sent.items()))})")


if __name__ == "__main__":
    main()
