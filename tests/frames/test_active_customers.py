"""Law tests: retention and churn from orders (variant="orders") on every engine equal the records.

Random order rows cluster around the windows' edges (the period's start and
end, and a window before each) and around clock changes, so the half-open
rule ``[t - window, t)`` is exercised on every engine, whose session zone is
not the data's.
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

from salesflow import InvalidField, Period
from salesflow.metrics import churn_rate, retention_rate

PERIODS = (
    Period.month(2026, 3, "Europe/Berlin"),  # its end is a spring-forward night away
    Period.month(2026, 11, "America/New_York"),
    Period(datetime(2026, 6, 1, 12, tzinfo=UTC), datetime(2026, 7, 1, 12, tzinfo=UTC)),
)
WINDOWS = (timedelta(days=1), timedelta(days=30), timedelta(days=90), timedelta(hours=36))
SCHEMA = {
    "order_id": pa.string(),
    "customer_id": pa.int64(),
    "placed_at": pa.timestamp("us", tz="UTC"),
    "amount": pa.decimal128(18, 2),
    "currency": pa.string(),
    "status": pa.string(),
}
FEW = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def edge_rows(seed: int, period: Period, window: timedelta, count: int = 50) -> list[dict]:
    """Random orders at and around the four edges of the two windows, some cancelled."""
    rng = random.Random(seed)
    edges = (period.start - window, period.start, period.end - window, period.end)
    rows = []
    for number in range(count):
        at = rng.choice(edges) + timedelta(microseconds=rng.choice((-1, 0, 0, 1)))
        at += timedelta(hours=rng.choice((0, 0, -3, 5, -200, 400)))
        rows.append(
            {
                "order_id": str(number),
                "customer_id": rng.randrange(10),
                "placed_at": at,
                "amount": Decimal("12.50"),
                "currency": "EUR",
                "status": rng.choice((None, "delivered", "cancelled", "received")),
            }
        )
    return rows


@FEW
@given(
    seed=st.integers(0, 2**32 - 1), period=st.sampled_from(PERIODS), window=st.sampled_from(WINDOWS)
)
def test_retention_and_churn_from_an_order_table_equal_the_records_results(
    to_table: Any, seed: int, period: Period, window: timedelta
) -> None:
    rows = edge_rows(seed, period, window)
    table = to_table(rows, schema=SCHEMA)
    asked = {"variant": "orders", "period": period, "active_window": window}

    assert retention_rate(orders=table, **asked) == retention_rate(orders=rows, **asked)
    assert churn_rate(orders=table, **asked) == churn_rate(orders=rows, **asked)


def test_an_empty_order_table_gives_the_undefined_rates_of_no_records(to_table: Any) -> None:
    asked = {"variant": "orders", "period": PERIODS[0], "active_window": WINDOWS[1]}

    got = retention_rate(orders=to_table([], schema=SCHEMA), **asked)

    assert got == retention_rate(orders=[], **asked)
    assert not got.defined


def test_a_table_is_read_by_the_callers_column_names_and_refused_naming_them() -> None:
    pl = pytest.importorskip("polars")
    rows = edge_rows(7, PERIODS[2], WINDOWS[1])
    renamed = pl.DataFrame(
        {
            "buyer": [row["customer_id"] for row in rows],
            "when": [row["placed_at"] for row in rows],
            "state": [row["status"] for row in rows],
        }
    )
    asked = {"variant": "orders", "period": PERIODS[2], "active_window": WINDOWS[1]}
    mapping = {"customer_id": "buyer", "placed_at": "when", "status": "state"}

    got = retention_rate(orders=renamed, columns=mapping, **asked)

    assert got == retention_rate(orders=rows, **asked)
    with pytest.raises(InvalidField, match=r"^orders\['when'\]"):
        retention_rate(
            orders=renamed.with_columns(pl.lit(None).cast(pl.Datetime("us", "UTC")).alias("when")),
            columns=mapping,
            **asked,
        )
