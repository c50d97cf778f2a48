"""customer_summary on a table: one row per customer, as the caller's own table type."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from salesflow.metrics._framed.orders import check_one_customer_per_order, order_table
from salesflow.metrics._read.frames import with_local_calendar, with_time_since

_FEATURE = "customer_summary on a table"


def framed_summary(
    orders: Any,
    *,
    now: datetime,
    zone: tzinfo,
    net: bool,
    purchase: str,
    columns: Any,
    currency: str | None,
    naive_zone: Any,
    amount_scale: Any,
    amount_rounding: Any,
) -> Any:
    """The per-customer summary of the table ``orders``, computed in its engine.

    Columns, as ``CustomerSummaries.to_records()`` has them: customer_id,
    first_purchase and last_purchase (UTC instants), orders, recency,
    total_spend and first_order_spend (decimals), currency.
    """
    table = order_table(
        "orders",
        orders,
        reads=("order_id", "customer_id", "placed_at", "amount", "currency", "status", "discount"),
        now=now,
        columns=columns,
        currency=currency,
        naive_zone=naive_zone,
        amount_scale=amount_scale,
        amount_rounding=amount_rounding,
        feature=_FEATURE,
    )
    nw = table.nw
    if purchase == "order":
        check_one_customer_per_order(table)
    rows = table.kept().select(
        "order_id", "customer_id", "placed_at", table.spend(net).alias("spend")
    )
    at, spend, customer = nw.col("placed_at"), nw.col("spend"), nw.col("customer_id")
    if purchase == "order":
        rows = rows.group_by("order_id").agg(
            customer.min().alias("customer_id"), at.min().alias("placed_at"), spend.sum()
        )
    elif purchase == "customer_day" and table.earliest is not None:
        assert table.latest is not None
        rows = with_local_calendar(
            nw,
            rows,
            "placed_at",
            zone,
            unit="day",
            alias="day",
            earliest=table.earliest,
            latest=table.latest,
        )
        rows = rows.group_by("customer_id", "day").agg(at.min().alias("placed_at"), spend.sum())
    totals = rows.group_by("customer_id").agg(
        at.min().alias("placed_at"),
        at.max().alias("last_purchase"),
        nw.len().alias("orders"),
        spend.sum().alias("total_spend"),
    )
    # Each customer's purchases at their first instant, the totals carried
    # along; among those few, the records' tie-break: the lowest order id,
    # then the lowest spend. A tree, not a graph: SQL engines would compute
    # a step used twice twice.
    earliest = rows.join(totals, on=["customer_id", "placed_at"])
    if purchase != "customer_day":
        earliest = earliest.filter(
            nw.col("order_id") == nw.col("order_id").min().over("customer_id")
        )
    summary = earliest.group_by("customer_id").agg(
        at.min().alias("first_purchase"),
        *(nw.col(name).min() for name in ("last_purchase", "orders", "total_spend")),
        spend.min().alias("first_order_spend"),
    )
    money = table.money_type()
    summary = (
        with_time_since(nw, summary, now, "last_purchase", "recency")
        .with_columns(
            nw.col("orders").cast(nw.Int64),
            nw.col("total_spend").cast(money),
            nw.col("first_order_spend").cast(money),
            nw.lit(table.currency, nw.String).alias("currency"),
        )
        .select(
            "customer_id",
            "first_purchase",
            "last_purchase",
            "orders",
            "recency",
            "total_spend",
            "first_order_spend",
            "currency",
        )
        .sort("customer_id")
    )
    return table.bound.native(summary)
