"""Field primitives the engagement readers share until the reading layer's fields land (private)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from salesflow.errors import InvalidType
from salesflow.metrics._records import _absent, _utc, _where


def records(rows: Any, expected: str) -> Iterable[Any]:
    """``rows`` when it is an iterable of records (not a string or a single mapping)."""
    if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Iterable):
        raise InvalidType("rows", rows, f"an iterable of records: {expected}")
    return rows


def flag(index: int, key: str, value: Any) -> bool:
    """True, False, or absent (None, NaN) meaning False; a numpy bool is read too."""
    if _absent(value):
        return False
    if isinstance(value, bool):
        return value
    item = getattr(value, "item", None)  # a numpy bool from a DataFrame
    if callable(item) and type(value).__name__ == "bool_":
        return bool(item())
    raise InvalidType(_where(index, key), value, "True, False or None")


def optional_time(index: int, key: str, value: Any) -> datetime | None:
    """An instant in UTC, or None when absent (None, NaT)."""
    return None if _absent(value) else _utc(_where(index, key), value)
