"""Steps the frame path repeats: rows in order within a key, exact nulls, spans collected.

Window functions differ by engine: narwhals runs ``shift().over(key,
order_by=...)`` on polars, pandas, DuckDB and Spark, but not on pyarrow,
which gets the same columns from one sort and a shift over the whole table
(rows of one key are then adjacent, so a neighbour of another key is
masked). Only aggregates leave the engine: :func:`span_counts` collects a
multiset of spans as (value, how many) pairs.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from salesflow.metrics._read.frames import Bound, whole


def backend(frame: Any) -> str:
    """The engine of a narwhals frame: ``"polars"``, ``"pyarrow"``, ``"duckdb"``, ..."""
    return str(frame.implementation).rpartition(".")[2].lower()


def exact_nulls(nw: Any, frame: Any) -> Any:
    """``frame``, with a pandas table on NumPy types moved to Arrow types (others unchanged).

    NumPy has no missing integer: a missing time or a shifted integer would
    become a float64, exact only within 2**53 (microseconds: the years 1685
    to 2255). Arrow-backed pandas columns keep integers exact beside nulls.
    """
    if backend(frame) != "pandas":
        return frame
    native = frame.to_native()
    pd = importlib.import_module("pandas")
    if all(isinstance(dtype, pd.ArrowDtype) for dtype in native.dtypes):
        return frame
    pa = importlib.import_module("pyarrow")
    arrow = pa.Table.from_pandas(native, preserve_index=False)
    return nw.from_native(arrow.to_pandas(types_mapper=pd.ArrowDtype))


def with_neighbours(
    nw: Any,
    frame: Any,
    *,
    key: str,
    order: Sequence[str],
    shifts: Sequence[tuple[str, int, str]],
) -> Any:
    """``frame`` with, for each ``(column, n, alias)``, ``column`` of the row ``n`` places
    before (``n = 1``; ``-1`` is the next row) within the rows of one ``key`` in ``order``.

    None where there is no such row. Rows tied on ``order`` come in an
    order the engine picks: callers refuse ties first, or break them.
    """
    if backend(frame) != "pyarrow":
        return frame.with_columns(
            nw.col(column).shift(n).over(key, order_by=list(order)).alias(alias)
            for column, n, alias in shifts
        )
    frame = frame.sort(key, *order)
    return frame.with_columns(
        nw.when(nw.col(key).shift(n) == nw.col(key)).then(nw.col(column).shift(n)).alias(alias)
        for column, n, alias in shifts
    )


def with_running_sum(
    nw: Any, frame: Any, *, key: str, order: Sequence[str], column: str, alias: str
) -> Any:
    """``frame`` with ``alias``: a running sum of ``column`` within one ``key`` in ``order``.

    On pyarrow the sum runs over the whole sorted table: it still grows by
    ``column`` from row to row within a key, which is all a caller grouping
    by ``(key, alias)`` needs.
    """
    if backend(frame) != "pyarrow":
        return frame.with_columns(
            nw.col(column).cum_sum().over(key, order_by=list(order)).alias(alias)
        )
    return frame.sort(key, *order).with_columns(nw.col(column).cum_sum().alias(alias))


def span_counts(bound: Bound, query: Any, *, keys: Sequence[str], span: str) -> list[Any]:
    """The rows of ``query`` (``keys``, ``span`` in microseconds, ``n``) as
    ``(key values..., timedelta, n)`` tuples; ``n`` counts the rows with that span."""
    nw = bound.nw
    counted = query.group_by(*keys, span).agg(nw.len().alias("n"))
    return [
        (
            *(row[name] for name in keys),
            timedelta(microseconds=whole(row[span])),
            whole(row["n"]),
        )
        for row in bound.collect(counted)
    ]


def us(moment: datetime) -> int:
    """An aware datetime as UTC epoch microseconds (exact)."""
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
