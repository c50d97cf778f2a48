"""Small builders shared by the tests (not strategies: plain, fixed examples)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from salesflow import Money
from salesflow.orders import Customer, Order, OrderLine, OrderStatus, ProcessingStep, SupportContact
from salesflow.orders.lifecycle import TRANSITIONS, key
from salesflow.orders.order import OrderOutcome

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ETA = date(2026, 11, 27)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def place(number: str = "1001") -> OrderOutcome:
    """Place the standard test order: two EUR lines, 21.00 due, Ada as the customer."""
    return Order.place(
        number=number,
        customer=Customer("cust-1", "Ada"),
        lines=[
            OrderLine("MUG-1", "Blue mug", 2, Money("8.50", "EUR")),
            OrderLine("TEA-1", "Earl Grey", 1, Money("4.00", "EUR")),
        ],
        estimated_delivery=ETA,
        support=SupportContact(email="help@shop.example"),
        at=T0,
    )


def placed(number: str = "1001") -> Order:
    return place(number).order


def processing() -> Order:
    return placed().process(step=ProcessingStep.STOCK_CHECK, at=at(1)).order


def picking() -> Order:
    return processing().pick(at=at(2)).order


def packed() -> Order:
    return picking().pack(at=at(3)).order


def shipped() -> Order:
    return packed().ship(carrier="DHL", tracking_number="JD01", at=at(4)).order


def in_transit() -> Order:
    return shipped().transit(location="Leipzig hub", at=at(5)).order


def delayed_from(order: Order, hours: float = 6) -> Order:
    return order.delay(reason="storm", estimated_delivery=date(2026, 11, 30), at=at(hours)).order


def next_stage(stage, event, *, qualified=False, lost_from=None):
    """Where ``event`` takes a lead at ``stage``: the compiled table, read as the aggregate does."""
    from salesflow.leads.lifecycle import TRANSITIONS, key

    return TRANSITIONS.next(key(stage, qualified, lost_from), event)


def next_status(status: object, event: object, *, resumes_to: object = None) -> OrderStatus:
    """Where ``event`` leads from ``status``: the aggregate's own lookup, ``TRANSITIONS.next``."""
    result: OrderStatus = TRANSITIONS.next(key(status, resumes_to), event)
    return result
