"""The engine fixtures build the same table on every engine (the law tests rely on it)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from frames.conftest import rows_of

ROWS = [
    {"id": "a", "at": datetime(2026, 3, 1, 12, tzinfo=UTC), "amount": Decimal("1.25")},
    {"id": "b", "at": datetime(2026, 3, 2, 8, tzinfo=UTC), "amount": Decimal("0.10")},
]
SCHEMA = {"id": pa.string(), "at": pa.timestamp("us", tz="UTC"), "amount": pa.decimal128(12, 2)}


def test_every_engine_gives_back_the_rows_it_was_built_from(to_table: Any) -> None:
    got = sorted(rows_of(to_table(ROWS, schema=SCHEMA)), key=lambda row: row["id"])
    assert [row["id"] for row in got] == ["a", "b"]
    assert [row["at"] for row in got] == [row["at"] for row in ROWS]
    assert [Decimal(row["amount"]) for row in got] == [row["amount"] for row in ROWS]
