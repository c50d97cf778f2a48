"""monthly_revenue on a table: revenue summed per calendar month inside the engine."""

from __future__ import annotations

from datetime import tzinfo
from decimal import Decimal
from typing import Any, Final

from salesflow.metrics._framed.orders import order_table
from salesflow.metrics._read.frame_times import with_local_calendar
from salesflow.metrics._read.frames import decimal, whole

_FEATURE: Final = "monthly_revenue on a table"


def framed_monthly_revenue(
    orders: Any,
    *,
    zone: tzinfo,
    net: bool,
    currency: str | None,
    columns: Any,
    naive_zone: Any,
    amount_scale: Any,
    amount_rounding: Any,
) -> tuple[dict[int, Decimal], str | None]:
    """``({year * 12 + month - 1: revenue}, currency)`` of the table ``orders``.

    Each row not cancelled counts in the calendar month, in ``zone``, of its
    ``placed_at``, with its net or gross revenue; only the months with a row
    come back (one row per month leaves the engine). A month outside the
    years 2 to 9998 in ``zone`` is refused, naming the column.
    """
    table = order_table(
        "orders",
        orders,
        reads=("placed_at", "amount", "currency", "status", *(("discount",) if net else ())),
        now=None,
        columns=columns,
        currency=currency,
        naive_zone=naive_zone,
        amount_scale=amount_scale,
        amount_rounding=amount_rounding,
        feature=_FEATURE,
    )
    if table.earliest is None or table.latest is None:
        return {}, table.currency
    nw = table.nw
    rows = table.kept().select("placed_at", table.spend(net).alias("spend"))
    rows = with_local_calendar(
        nw,
        rows,
        "placed_at",
        zone,
        unit="month",
        alias="month",
        earliest=table.earliest,
        latest=table.latest,
        place=table.bound.field("placed_at"),
    )
    query = rows.group_by("month").agg(nw.col("spend").sum().alias("revenue"))
    totals = {whole(row["month"]): decimal(row["revenue"]) for row in table.bound.collect(query)}
    return totals, table.currency
