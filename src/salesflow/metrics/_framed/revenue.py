"""monthly_revenue on a table: revenue summed per calendar month inside the engine."""

from __future__ import annotations

from datetime import tzinfo
from decimal import Decimal
from typing import Any, Final

from salesflow import _zones
from salesflow.errors import InvalidField
from salesflow.metrics._framed.orders import order_table
from salesflow.metrics._read.frames import decimal, whole, with_local_calendar

_FEATURE: Final = "monthly_revenue on a table"
# The months a Period can be (periods.py): the years 2 to 9998.
_FIRST_MONTH: Final = 2 * 12
_LAST_MONTH: Final = 9998 * 12 + 11


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
    come back (one row per month leaves the engine).
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
    )
    query = rows.group_by("month").agg(nw.col("spend").sum().alias("revenue"))
    totals = {whole(row["month"]): decimal(row["revenue"]) for row in table.bound.collect(query)}
    outside = [month for month in totals if not _FIRST_MONTH <= month <= _LAST_MONTH]
    if outside:
        raise InvalidField(
            table.bound.field("placed_at"),
            f"a time in the year {min(outside) // 12}",
            f"moments whose month in {_zones.zone_label(zone)} lies within the years 2 to 9998",
        )
    return totals, table.currency
