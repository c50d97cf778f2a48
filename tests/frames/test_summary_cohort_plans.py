"""customer_summary and cohort_retention on a table equal the records path, whatever the
shape of the money and the zone.

The frame path keeps a row's money at the amount column's own precision (an
engine computes 18 digits or fewer in 64 bits), finds each customer's first
purchase with a join rather than a window, and on DuckDB reads calendar
months and days with its own ``timezone()``: these laws pin each of those to
the records path, on narrow and 38-digit decimals, integer amounts, missing
discounts, ties at a customer's first instant, IANA zones, UTC and a fixed
offset (which DuckDB computes with integer arithmetic instead).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from frames.conftest import rows_of
from salesflow.metrics.cohorts import cohort_retention
from salesflow.metrics.summary import customer_summary

START = datetime(2024, 10, 20, tzinfo=UTC)  # a clock change in Europe and America ahead
NOW = datetime(2025, 6, 1, tzinfo=UTC)
MONEY = {
    "decimal(9, 2)": pa.decimal128(9, 2),
    "decimal(38, 2)": pa.decimal128(38, 2),
    "int64": pa.int64(),
}
ZONES = ("Europe/Berlin", "UTC", "UTC+05:30", "America/Los_Angeles")


def orders(seed: int, money: str, count: int = 40) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``count`` seeded order rows over 8 months: ties at a first instant, orders of several
    rows, missing and non-zero discounts, cancelled rows, times near midnight and a clock
    change."""
    rng = random.Random(seed)
    scale = 0 if money == "int64" else 2
    firsts: dict[str, datetime] = {}
    orders_of: dict[str, list[str]] = {}
    rows = []
    for index in range(count):
        customer = f"c{rng.randrange(6)}"
        if customer in firsts and rng.random() < 0.3:
            placed = firsts[customer]  # a tie at the customer's first instant
        else:
            placed = START + timedelta(
                days=rng.randrange(220), hours=rng.choice((0, 1, 22, 23)), minutes=rng.randrange(60)
            )
            firsts.setdefault(customer, placed)
            firsts[customer] = min(firsts[customer], placed)
        amount = Decimal(rng.randrange(0, 90_000)).scaleb(-scale)
        # (No missing discount in an integer column: pandas would make it a float column.)
        none = None if money != "int64" else Decimal(0)
        discount = rng.choice((none, Decimal(0), (amount / 3).quantize(Decimal(1).scaleb(-scale))))
        known = orders_of.setdefault(customer, [])
        if known and rng.random() < 0.2:
            order_id = rng.choice(known)  # another row of an order
        else:
            order_id = f"o{rng.randrange(10_000):05d}-{index}"
            known.append(order_id)
        rows.append(
            {
                "order_id": order_id,
                "customer_id": customer,
                "placed_at": placed,
                "amount": int(amount) if money == "int64" else amount,
                "discount": (None if discount is None else int(discount))
                if money == "int64"
                else discount,
                "currency": "EUR",
                "status": rng.choice(("delivered", "delivered", "shipped", "cancelled")),
            }
        )
    schema = {
        "order_id": pa.string(),
        "customer_id": pa.string(),
        "placed_at": pa.timestamp("us", tz="UTC"),
        "amount": MONEY[money],
        "discount": MONEY[money],
        "currency": pa.string(),
        "status": pa.string(),
    }
    return rows, schema


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: Decimal(value) if key in ("total_spend", "first_order_spend") else value
        for key, value in row.items()
        if key not in ("average_spend", "average_repeat_spend", "days_between_orders")
    }


def _cases(engine: str) -> list[tuple[int, str]]:
    cases = [(seed, money) for seed in range(3) for money in MONEY]
    return cases[:2] if engine == "spark" else cases


@pytest.mark.parametrize("purchase", ["row", "order", "customer_day"])
def test_customer_summary_on_a_table_equals_the_records_path(
    engine: str, to_table: Any, purchase: str
) -> None:
    for seed, money in _cases(engine):
        rows, schema = orders(seed, money)
        zone = ZONES[seed % len(ZONES)] if purchase == "customer_day" else None

        expected = customer_summary(rows, now=NOW, zone=zone, purchase=purchase).to_records()
        got = rows_of(
            customer_summary(to_table(rows, schema=schema), now=NOW, zone=zone, purchase=purchase)
        )

        assert [_plain(row) for row in got] == [_plain(row) for row in expected], (seed, money)


@pytest.mark.parametrize("zone", ZONES)
def test_cohort_retention_on_a_table_equals_the_records_path(
    engine: str, to_table: Any, zone: str
) -> None:
    for seed, money in _cases(engine)[:: len(MONEY)]:
        rows, schema = orders(seed, money)

        expected = cohort_retention(rows, zone=zone, now=NOW)
        got = cohort_retention(to_table(rows, schema=schema), zone=zone, now=NOW)

        assert got == expected, (seed, zone)
