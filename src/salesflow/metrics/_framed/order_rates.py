"""The order metrics on a table: average order value, cancellation, delay and on-time rates.

Each returns the figures its metric's result is built from (the metric
builds the same result on both paths); only those counts and sums leave
the engine.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from salesflow.metrics._framed.orders import OrderTable, order_table
from salesflow.metrics._read.frames import decimal, epoch_days, whole, with_local_calendar, within
from salesflow.money import EXACT
from salesflow.periods import Period


def _orders(
    orders: Any,
    reads: Collection[str],
    *,
    feature: str,
    scope: Period | None,
    now: datetime | None,
    needs: Collection[str] = (),
    **options: Any,
) -> tuple[OrderTable, Any]:
    """The bound table (``placed_at`` read too with a period or ``now``) and its rows in ``scope``."""
    placed = ("placed_at",) if scope is not None or now is not None else ()
    table = order_table(
        "orders", orders, reads=(*reads, *placed), needs=needs, now=now, feature=feature, **options
    )
    rows = table.bound.frame
    if scope is not None:
        rows = within(table.nw, rows, "placed_at", scope.start, scope.end)
    return table, rows


def framed_order_value(
    orders: Any,
    *,
    net: bool,
    include_cancelled: bool,
    scope: Period | None,
    now: datetime | None,
    currency: str | None,
    columns: Any,
    naive_zone: Any,
    amount_scale: Any,
    amount_rounding: Any,
) -> tuple[Decimal, int, int, str | None]:
    """``(revenue, orders, cancelled orders left out, currency)`` of the table ``orders``.

    Revenue and orders count the rows placed in ``scope`` (all without one),
    cancelled rows too with ``include_cancelled``; the currency is the
    table's one (every row's, in the period or not), else ``currency``.
    """
    table, rows = _orders(
        orders,
        ("amount", "currency", "status", *(("discount",) if net else ())),
        feature="average_order_value on a table",
        scope=scope,
        now=now,
        columns=columns,
        currency=currency,
        naive_zone=naive_zone,
        amount_scale=amount_scale,
        amount_rounding=amount_rounding,
    )
    nw = table.nw
    groups = (
        rows.with_columns(table.cancelled().alias("cancelled"), table.spend(net).alias("spend"))
        .group_by("cancelled")
        .agg(nw.len().alias("orders"), nw.col("spend").sum().alias("revenue"))
    )
    total, count, left_out = Decimal(0), 0, 0
    for group in table.bound.collect(groups):
        if group["cancelled"] and not include_cancelled:
            left_out += whole(group["orders"])
            continue
        total = EXACT.add(total, decimal(group["revenue"]))
        count += whole(group["orders"])
    return total, count, left_out, table.currency if table.currency is not None else currency


def framed_cancellations(
    orders: Any, *, scope: Period | None, now: datetime | None, columns: Any, naive_zone: Any
) -> tuple[int, int]:
    """``(orders placed in scope, of which cancelled)`` of the table ``orders``.

    The ``status`` column is required here (a table without one has no
    cancellations to count); a missing status in a row is a placed order.
    """
    table, rows = _orders(
        orders,
        ("status",),
        needs=("status",),
        feature="cancellation_rate on a table",
        scope=scope,
        now=now,
        columns=columns,
        naive_zone=naive_zone,
    )
    nw = table.nw
    (row,) = table.bound.collect(
        rows.select(
            nw.len().alias("placed"), table.cancelled().cast(nw.Int64).sum().alias("cancelled")
        )
    )
    return whole(row["placed"]), whole(row["cancelled"])


def framed_delays(
    orders: Any, *, scope: Period | None, now: datetime | None, columns: Any, naive_zone: Any
) -> tuple[int, int]:
    """``(orders placed in scope, of which ever delayed)``, from the ``delayed`` flag column."""
    table, rows = _orders(
        orders,
        ("status", "delayed"),
        feature="delay_rate on a table",
        scope=scope,
        now=now,
        columns=columns,
        naive_zone=naive_zone,
    )
    nw = table.nw
    (row,) = table.bound.collect(
        rows.select(
            nw.len().alias("placed"), nw.col("delayed").cast(nw.Int64).sum().alias("delayed")
        )
    )
    return whole(row["placed"]), whole(row["delayed"])


def framed_deliveries(
    orders: Any,
    *,
    zone: tzinfo,
    scope: Period | None,
    now: datetime | None,
    columns: Any,
    naive_zone: Any,
) -> tuple[int, int, int]:
    """``(delivered, on time, not delivered)`` among the orders placed in ``scope``.

    A row is delivered when its ``delivered_at`` is set, and on time when that
    instant's calendar day in ``zone`` is on or before its ``promised_delivery``
    date; both are compared as days since 1970-01-01 inside the engine.
    """
    table, rows = _orders(
        orders,
        ("status", "delivered_at", "promised_delivery"),
        feature="on_time_delivery_rate on a table",
        scope=scope,
        now=now,
        columns=columns,
        naive_zone=naive_zone,
    )
    nw = table.nw
    delivered = ~nw.col("delivered_at").is_null()
    span = table.span("delivered_at")
    figures = [
        nw.len().alias("orders"),
        delivered.cast(nw.Int64).sum().alias("delivered"),
    ]
    if span is not None:
        # A row not delivered gets a stand-in time (not counted: it is not
        # delivered), so the integer calendar arithmetic meets no missing
        # value (pandas' NaT would make it a float).
        rows = rows.with_columns(
            nw.col("delivered_at").fill_null(nw.lit(span[0])).alias("delivery_time")
        )
        rows = with_local_calendar(
            nw,
            rows,
            "delivery_time",
            zone,
            unit="day",
            alias="delivered_day",
            earliest=span[0],
            latest=span[1],
        )
        rows = epoch_days(nw, rows, "promised_delivery", "promised_day")
        on_time = delivered & (nw.col("delivered_day") <= nw.col("promised_day"))
        figures.append(nw.when(on_time).then(1).otherwise(0).sum().alias("on_time"))
    (row,) = table.bound.collect(rows.select(*figures))
    count, done = whole(row["orders"]), whole(row["delivered"])
    return done, whole(row.get("on_time")), count - done
