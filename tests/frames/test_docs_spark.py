"""docs/frames.md's Spark example, run in local mode (it needs Java: skipped, saying so, without)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from frames.conftest import rows_of
from salesflow.metrics import cohort_retention, customer_summary

pytestmark = pytest.mark.spark


def test_the_docs_spark_example_reads_parquet_and_writes_the_summary(
    spark: Any, tmp_path: Path
) -> None:
    rows = {
        "order_id": ["A-1", "A-2", "B-1"],
        "customer_id": ["ann", "ann", "bob"],
        "placed_at": [
            datetime(2026, 1, 5, 9, tzinfo=UTC),
            datetime(2026, 2, 7, 18, tzinfo=UTC),
            datetime(2026, 1, 31, 23, 30, tzinfo=UTC),
        ],
        "amount": [Decimal("40.00"), Decimal("25.50"), Decimal("99.90")],
        "currency": ["EUR"] * 3,
    }
    schema = pa.schema(
        [
            ("order_id", pa.string()),
            ("customer_id", pa.string()),
            ("placed_at", pa.timestamp("us", tz="UTC")),
            ("amount", pa.decimal128(10, 2)),
            ("currency", pa.string()),
        ]
    )
    pq.write_table(pa.table(rows, schema=schema), tmp_path / "orders.parquet")
    now = datetime(2026, 4, 1, tzinfo=UTC)

    # As on the page:
    orders = spark.read.parquet(str(tmp_path / "orders.parquet"))
    summary = customer_summary(orders, now=now)
    summary.write.parquet(str(tmp_path / "customer_summary"))

    written = spark.read.parquet(str(tmp_path / "customer_summary"))
    got = {row["customer_id"]: (row["orders"], row["total_spend"]) for row in rows_of(written)}
    assert got == {"ann": (2, Decimal("65.50")), "bob": (1, Decimal("99.90"))}
    table = cohort_retention(orders, zone="Europe/Berlin", now=now)
    assert [(c.label, c.customers) for c in table.cohorts] == [("2026-01", 1), ("2026-02", 1)]
