"""Active customers on an order table (private): the retention and churn counts, found in the engine."""

from __future__ import annotations

from typing import Any, Final

from salesflow.metrics._framed.orders import order_table
from salesflow.metrics._read.active import ActiveWindows
from salesflow.metrics._read.frame_times import epoch_microseconds, us
from salesflow.metrics._read.frames import whole

_FEATURE: Final = "retention_rate and churn_rate on a table"


def framed_active(
    orders: Any, windows: ActiveWindows, *, columns: Any, naive_zone: Any
) -> tuple[int, int, int]:
    """``(customers active at the start, at the end, at both)`` of the table ``orders``.

    As :func:`~salesflow.metrics._read.active.active_counts`: rows that are
    not cancelled, placed in ``[moment - window, moment)``, compared as UTC
    epoch microseconds. Only the three counts leave the engine.
    """
    table = order_table(
        "orders",
        orders,
        reads=("customer_id", "placed_at", "status"),
        now=None,
        columns=columns,
        naive_zone=naive_zone,
        feature=_FEATURE,
    )
    nw = table.nw
    rows = epoch_microseconds(
        nw, table.kept().select("customer_id", "placed_at"), "placed_at", "us"
    )
    micros = nw.col("us")
    at_start = (micros >= us(windows.start_from)) & (micros < us(windows.start))
    at_end = (micros >= us(windows.end_from)) & (micros < us(windows.end))
    flags = (
        rows.filter(at_start | at_end)
        .with_columns(
            at_start.cast(nw.Int64).alias("at_start"), at_end.cast(nw.Int64).alias("at_end")
        )
        .group_by("customer_id")
        .agg(nw.col("at_start").max(), nw.col("at_end").max())
    )
    counts = flags.select(
        nw.col("at_start").sum().alias("start"),
        nw.col("at_end").sum().alias("end"),
        (nw.col("at_start") * nw.col("at_end")).sum().alias("both"),
    )
    (row,) = table.bound.collect(counts)
    return whole(row["start"]), whole(row["end"]), whole(row["both"])
