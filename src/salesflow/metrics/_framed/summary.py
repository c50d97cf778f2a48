"""customer_summary on a table: one row per customer, as the caller's own table type."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from salesflow.metrics._framed.orders import check_one_customer_per_order, order_table
from salesflow.metrics._read.frame_times import with_local_calendar, with_time_since

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
    rows = table.kept().with_columns(table.spend(net).alias("spend"))
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
            place=table.bound.field("placed_at"),
        )
        rows = rows.group_by("customer_id", "day").agg(at.min().alias("placed_at"), spend.sum())
    totals = rows.group_by("customer_id").agg(
        at.min().alias("first_purchase"),
        at.max().alias("last_purchase"),
        nw.len().alias("orders"),
        spend.sum().alias("total_spend"),
    )
    earliest = rows.filter(at == at.min().over("customer_id"))
    if purchase != "customer_day":
        # The records' tie-break among orders at the same first instant: the
        # lowest order id, then the lowest amount (a customer's days never tie).
        earliest = earliest.filter(
            nw.col("order_id") == nw.col("order_id").min().over("customer_id")
        )
    first = earliest.group_by("customer_id").agg(spend.min().alias("first_order_spend"))
    money = table.money_type()
    joined = with_time_since(
        nw, totals.join(first, on="customer_id"), now, "last_purchase", "recency"
    )
    summary = (
        joined.with_columns(
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
