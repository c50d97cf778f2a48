"""cohort_retention on a table: customers' months found in the engine, counts out."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from salesflow.metrics._framed.orders import check_one_customer_per_order, order_table
from salesflow.metrics._read.frame_times import distinct_with_first, with_local_calendar
from salesflow.metrics._read.frames import whole

_FEATURE = "cohort_retention on a table"


def framed_cohorts(
    orders: Any,
    *,
    zone: tzinfo,
    now: datetime | None,
    by_order: bool,
    columns: Any,
    naive_zone: Any,
) -> dict[int, dict[int, int]]:
    """``{cohort month: {offset: customers active}}`` of the table ``orders``.

    A customer's cohort is the month (in ``zone``) of their first purchase;
    they count once in each month they ordered in. With ``by_order`` an
    order counts in the month of its earliest row only. Cancelled rows are
    left out. Only the counts (cohorts times months) leave the engine.
    """
    reads = (
        ("order_id", "customer_id", "placed_at", "status")
        if by_order
        else (
            "customer_id",
            "placed_at",
            "status",
        )
    )
    table = order_table(
        "orders",
        orders,
        reads=reads,
        now=now,
        columns=columns,
        naive_zone=naive_zone,
        feature=_FEATURE,
    )
    if table.earliest is None:
        return {}
    assert table.latest is not None
    nw = table.nw
    if by_order:
        check_one_customer_per_order(table)
    rows = table.kept()
    if by_order:
        rows = rows.group_by("order_id").agg(nw.col("customer_id").min(), nw.col("placed_at").min())
    rows = with_local_calendar(
        nw,
        rows.select("customer_id", "placed_at"),
        "placed_at",
        zone,
        unit="month",
        alias="month",
        earliest=table.earliest,
        latest=table.latest,
        place=table.bound.field("placed_at"),
    )
    counts = (
        distinct_with_first(nw, rows, "customer_id", "month", "cohort")
        .with_columns((nw.col("month") - nw.col("cohort")).alias("offset"))
        .group_by("cohort", "offset")
        .agg(nw.len().alias("active"))
    )
    table_counts: dict[int, dict[int, int]] = {}
    for row in table.bound.collect(counts):
        table_counts.setdefault(whole(row["cohort"]), {})[whole(row["offset"])] = whole(
            row["active"]
        )
    return table_counts
