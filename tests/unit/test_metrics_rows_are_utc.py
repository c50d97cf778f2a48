"""Every row of the metrics reading layer holds its datetimes as instants in ``datetime.UTC``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow import Money
from salesflow.metrics._read.orders import order_row
from salesflow.orders import Customer, Order, OrderLine, SupportContact

_ZONES = [UTC, ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]


def _placed_in(at: datetime) -> Order:
    return Order.place(
        number="1001",
        customer=Customer("cust-1", "Ada"),
        lines=[OrderLine("MUG-1", "Blue mug", 1, Money("8.50", "EUR"))],
        estimated_delivery=(at + timedelta(days=3)).date(),
        support=SupportContact(email="help@shop.example"),
        at=at,
    ).order


@settings(max_examples=50, deadline=None)
@given(
    instant=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(_ZONES),
)
def test_an_order_row_holds_placed_at_as_a_utc_instant_whatever_the_orders_zone(instant, zone):
    order = _placed_in(instant.astimezone(zone))
    record = {
        "order_id": "1001",
        "customer_id": "cust-1",
        "placed_at": instant.astimezone(zone),
        "amount": order.amount_due.amount,
        "currency": "EUR",
    }

    from_order = order_row("orders[0]", order, placed=True)
    from_record = order_row("orders[0]", record, placed=True)

    assert from_order.placed_at == from_record.placed_at == instant
    assert from_order.placed_at.tzinfo is UTC
    assert from_record.placed_at.tzinfo is UTC
