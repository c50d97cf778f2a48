"""Law tests: customer_summary and cohort_retention on every engine equal the records path.

The same random rows go to the records path (the definition) and, as a table,
to the frame path of each engine; the results must be identical: counts,
instants and Decimal money exact. Rows cluster around clock changes and
month ends in the zones used, tie at the same instant, repeat a customer on
one day and one order over several rows, so each rule is exercised.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frames.conftest import rows_of
from salesflow.metrics import cohort_retention, customer_summary

NOW = datetime(2027, 1, 15, tzinfo=UTC)
ZONES = ("Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "America/New_York", "UTC")
# Instants near clock changes and local month ends (in the zones above).
ANCHORS = (
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # Berlin springs forward
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # Berlin falls back
    datetime(2026, 3, 31, 22, 30, tzinfo=UTC),  # midnight of 1 April in Berlin (CEST)
    datetime(2026, 4, 4, 15, tzinfo=UTC),  # Lord Howe's half-hour change
    datetime(2026, 2, 28, 18, 15, tzinfo=UTC),  # Kathmandu's 1 March
    datetime(2026, 11, 1, 6, tzinfo=UTC),  # New York falls back
    datetime(2026, 6, 30, 23, 59, 59, 999_999, tzinfo=UTC),
)
SCHEMA = {
    "order_id": pa.string(),
    "customer_id": pa.int64(),
    "placed_at": pa.timestamp("us", tz="UTC"),
    "amount": pa.decimal128(18, 2),
    "discount": pa.decimal128(18, 2),
    "currency": pa.string(),
    "status": pa.string(),
}
FEW = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def order_rows(seed: int, count: int = 60) -> list[dict[str, Any]]:
    """Random order rows: several rows per order, ties, discounts, cancelled and unset statuses."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for number in range(count):
        customer = rng.randrange(8)
        at = rng.choice(ANCHORS) + timedelta(minutes=rng.choice((-90, -30, -1, 0, 0, 1, 30, 600)))
        at += timedelta(days=rng.choice((0, 0, 0, 1, 40, -60)))
        for part in range(rng.choice((1, 1, 2, 3))):
            amount = Decimal(rng.randrange(0, 50_000)) / 100
            discount = rng.choice((None, None, Decimal("0.00"), amount / 2)) if amount else None
            if discount is not None:
                discount = discount.quantize(Decimal("0.01"))
            rows.append(
                {
                    "order_id": f"{customer}-{number % 40}",
                    "customer_id": customer,
                    "placed_at": at + timedelta(minutes=part * rng.choice((0, 5))),
                    "amount": amount,
                    "discount": discount,
                    "currency": "EUR",
                    "status": rng.choice((None, "delivered", "shipped", "cancelled", "received")),
                }
            )
    rng.shuffle(rows)
    return rows


def summary_rows(result: Any) -> list[dict[str, Any]]:
    keys = ("customer_id", "orders", "recency")
    times = ("first_purchase", "last_purchase")
    money = ("total_spend", "first_order_spend")
    # Instants compared in UTC: Python calls two aware datetimes in different
    # zones unequal whenever one is in a repeated hour (PEP 495).
    return [
        {
            **{key: row[key] for key in keys},
            **{key: row[key].astimezone(UTC) for key in times},
            **{key: Decimal(row[key]) for key in money},
            "currency": row["currency"],
        }
        for row in result
    ]


@FEW
@given(seed=st.integers(0, 2**32 - 1), purchase=st.sampled_from(("row", "order", "customer_day")))
@pytest.mark.parametrize("basis", ["net", "gross"])
def test_customer_summary_on_a_table_equals_the_records_summary(
    to_table: Any, engine: str, basis: str, seed: int, purchase: str
) -> None:
    rows = order_rows(seed)
    zone = random.Random(seed).choice(ZONES)
    expected = customer_summary(rows, now=NOW, zone=zone, basis=basis, purchase=purchase)
    got = customer_summary(
        to_table(rows, schema=SCHEMA), now=NOW, zone=zone, basis=basis, purchase=purchase
    )
    assert summary_rows(rows_of(got)) == summary_rows(expected.to_records())


@FEW
@given(
    seed=st.integers(0, 2**32 - 1),
    purchase=st.sampled_from(("row", "order", "customer_day")),
    zone=st.sampled_from(ZONES),
    with_now=st.booleans(),
)
def test_cohort_retention_on_a_table_equals_the_records_table(
    to_table: Any, seed: int, purchase: str, zone: str, with_now: bool
) -> None:
    rows = order_rows(seed)
    now = NOW if with_now else None
    expected = cohort_retention(rows, zone=zone, now=now, purchase=purchase)
    got = cohort_retention(to_table(rows, schema=SCHEMA), zone=zone, now=now, purchase=purchase)
    assert got == expected
    assert got.to_records() == expected.to_records()


def test_an_empty_table_gives_the_empty_results(to_table: Any) -> None:
    table = to_table([], schema=SCHEMA)
    assert rows_of(customer_summary(table, now=NOW)) == []
    assert cohort_retention(table, zone="UTC", now=NOW) == cohort_retention([], zone="UTC", now=NOW)


def test_a_table_summary_comes_back_as_the_callers_own_kind_of_table(
    to_table: Any, engine: str
) -> None:
    table = to_table(order_rows(7), schema=SCHEMA)
    result = customer_summary(table, now=NOW)
    assert type(result) is type(table)


def test_float_money_rounds_half_up_alike_on_every_engine(to_table: Any) -> None:
    import math

    floats = [0.125, 10.005, 2.675, 1.005, 0.045, 1234.5651, 0.0, 99.995]
    rows = [
        {
            "order_id": f"o{index}",
            "customer_id": index,
            "placed_at": datetime(2026, 5, 1, tzinfo=UTC),
            "amount": value,
            "currency": "EUR",
        }
        for index, value in enumerate(floats)
    ]
    schema = {
        "order_id": pa.string(),
        "customer_id": pa.int64(),
        "placed_at": pa.timestamp("us", tz="UTC"),
        "amount": pa.float64(),
        "currency": pa.string(),
    }
    got = rows_of(
        customer_summary(
            to_table(rows, schema=schema), now=NOW, amount_scale=2, amount_rounding="ROUND_HALF_UP"
        )
    )
    expected = [Decimal(math.floor(value * 100 + 0.5)) / 100 for value in floats]
    assert [Decimal(row["total_spend"]) for row in got] == expected
