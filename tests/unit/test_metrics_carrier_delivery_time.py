"""On-time delivery reads the carrier's own delivery time, not when a late scan was recorded.

A delivery scan that arrives after a later change is recorded at the latest
change's time (the history stays in order) with the carrier's time kept as
``StatusChanged.reported_at``; ``Order.delivered_at`` reads it. The metric
must judge the delivery day from that time, whatever form the order comes in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow import Money
from salesflow.metrics.orders import on_time_delivery_rate
from salesflow.orders import (
    CarrierUpdate,
    Customer,
    Order,
    OrderLine,
    ProcessingStep,
    SupportContact,
    apply_carrier_update,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PROMISED = date(2026, 3, 6)
CARRIER_DELIVERED = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
"""The carrier delivered on the promised day..."""
RECORDED = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
"""...but the scan reached the shop the next day, after an in-transit scan."""


def in_transit(at: datetime) -> Order:
    order = Order.place(
        number="1",
        customer=Customer("c-1", "Ada"),
        lines=[OrderLine("MUG-1", "Mug", 2, Money("8.00", "EUR"))],
        estimated_delivery=PROMISED,
        support=SupportContact(email="help@shop.example"),
        at=T0,
    ).order
    order = order.process(step=ProcessingStep.STOCK_CHECK, at=T0 + timedelta(hours=1)).order
    order = order.pick(at=T0 + timedelta(hours=2)).order
    order = order.pack(at=T0 + timedelta(hours=3)).order
    order = order.ship(carrier="DHL", tracking_number="JD01", at=T0 + timedelta(hours=4)).order
    return order.transit(location="Leipzig hub", at=at).order


def delivered_late_scan() -> Order:
    order = in_transit(RECORDED)
    return order.deliver(at=RECORDED, reported_at=CARRIER_DELIVERED).order


FORMS: dict[str, Any] = {
    "Order": lambda order: order,
    "its history (events)": lambda order: list(order.history),
    "its document": lambda order: order.to_dict(),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_late_delivery_scan_counts_on_the_day_the_carrier_delivered(form):
    order = delivered_late_scan()

    result = on_time_delivery_rate([FORMS[form](order)], zone="UTC")

    assert order.delivered_at == CARRIER_DELIVERED
    assert order.updated_at == RECORDED
    assert (result.numerator, result.denominator) == (1, 1)


def test_a_late_delivered_scan_applied_by_the_carrier_adapter_keeps_the_carrier_time():
    order = in_transit(RECORDED)
    update = CarrierUpdate(
        vocabulary="easypost", code="delivered", tracking_number="JD01", at=CARRIER_DELIVERED
    )

    delivered = apply_carrier_update(order, update).order
    result = on_time_delivery_rate([delivered], zone="UTC")

    assert delivered.delivered_at == CARRIER_DELIVERED
    assert (result.numerator, result.denominator) == (1, 1)


@given(
    carrier=st.integers(min_value=0, max_value=6 * 24),
    delay=st.integers(min_value=0, max_value=3 * 24),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]),
)
def test_the_on_time_rate_judges_exactly_the_day_of_delivered_at(carrier, delay, zone):
    delivered_at = T0 + timedelta(hours=5 + carrier)
    recorded = delivered_at + timedelta(hours=delay)
    order = in_transit(recorded).deliver(at=recorded, reported_at=delivered_at).order

    result = on_time_delivery_rate([order], zone=zone)

    expected = delivered_at.astimezone(ZoneInfo(zone)).date() <= PROMISED
    assert result.numerator == int(expected)
