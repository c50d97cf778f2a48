"""The frame scenarios' data and what an analyst would write by hand on each engine.

``orders_table(count)`` builds the orders once, as columns (an Arrow table,
seeded, vectorised with numpy): about ``count / 10`` customers over 24
months, a fifth of the orders discounted, 3% cancelled, 1% placed at the
same instant as the customer's first order (so the first-order tie-break
matters), order ids shuffled. Each engine's table is made from it.

The hand-written versions compute the same figures as salesflow, exactly:
per customer the first and last purchase, the orders, the recency, the
total spend net of discount and the first order's spend (earliest instant,
then lowest order id, then lowest spend); per cohort month and month offset
(in ``ZONE``) the customers active. They do not check their input.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

ZONE = "Europe/Berlin"
START = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2025, 12, 31, 12, 0, tzinfo=UTC)
SPAN_US = (NOW - START) // timedelta(microseconds=1)
_START_US = (START - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
COLUMNS = ("order_id", "customer_id", "placed_at", "amount", "discount", "currency", "status")


def orders_table(count: int, seed: int = 2031) -> Any:
    """``count`` orders as an Arrow table, the same for the same seed (see the module doc)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(seed)
    customers = max(count // 10, 1)
    index = np.arange(count, dtype=np.int64)
    firsts = rng.integers(0, SPAN_US, customers, dtype=np.int64)
    customer = np.where(
        index < customers, index, (customers * rng.random(count) ** 1.5).astype(np.int64)
    )
    first = firsts[customer]
    later = first + ((SPAN_US - first) * rng.random(count) ** 3).astype(np.int64)
    same_instant = rng.random(count) < 0.01
    offset = np.where((index < customers) | same_instant, first, later)
    cents = rng.integers(100, 50_000, count, dtype=np.int64)
    draw = rng.random(count)
    # A tenth of the amount, to the cent, half to even (Decimal.quantize's default).
    tenth, rest = np.divmod(cents, 10)
    tenth += (rest > 5) | ((rest == 5) & (tenth % 2 == 1))
    discount = np.where(draw < 0.2, tenth, 0)
    ids = pc.cast(pa.array(customer), pa.string())
    return pa.table(
        {
            "order_id": pa.array(rng.permutation(count) + 1),
            "customer_id": pc.binary_join_element_wise("C", pc.utf8_lpad(ids, 7, padding="0"), ""),
            "placed_at": pa.array(_START_US + offset, pa.int64()).cast(pa.timestamp("us", "UTC")),
            "amount": _cents(pa, np, cents),
            "discount": _cents(pa, np, discount),
            "currency": pa.array(["EUR"]).take(np.zeros(count, dtype=np.int64)),
            "status": pa.array(["delivered", "cancelled"]).take((draw > 0.97).astype(np.int64)),
        }
    )


def _cents(pa: Any, np: Any, cents: Any) -> Any:
    """Whole cents (non-negative int64) as a decimal128(12, 2) array, built from its buffer."""
    unscaled = np.zeros((len(cents), 2), dtype=np.int64)  # little-endian int128: low, high
    unscaled[:, 0] = cents
    return pa.Array.from_buffers(pa.decimal128(12, 2), len(cents), [None, pa.py_buffer(unscaled)])


# -- polars ---------------------------------------------------------------------------------


def polars_summary(pl: Any, frame: Any) -> Any:
    spend = pl.col("amount") - pl.col("discount")
    return (
        frame.lazy()
        .filter(pl.col("status") != "cancelled")
        .with_columns(spend=spend)
        .group_by("customer_id")
        .agg(
            first_purchase=pl.col("placed_at").min(),
            last_purchase=pl.col("placed_at").max(),
            orders=pl.len(),
            total_spend=pl.col("spend").sum(),
            first_order_spend=pl.col("spend").sort_by("placed_at", "order_id", "spend").first(),
        )
        .with_columns(recency=pl.lit(NOW) - pl.col("last_purchase"))
        .sort("customer_id")
        .collect()
    )


def polars_cohorts(pl: Any, frame: Any) -> Any:
    local = pl.col("placed_at").dt.convert_time_zone(ZONE)
    return (
        frame.lazy()
        .filter(pl.col("status") != "cancelled")
        .select("customer_id", month=local.dt.year().cast(pl.Int64) * 12 + local.dt.month() - 1)
        .unique()
        .with_columns(cohort=pl.col("month").min().over("customer_id"))
        .group_by("cohort", offset=pl.col("month") - pl.col("cohort"))
        .agg(active=pl.len())
        .collect()
    )


# -- DuckDB ---------------------------------------------------------------------------------

DUCKDB_SUMMARY = f"""
SELECT customer_id,
       min(placed_at) AS first_purchase,
       max(placed_at) AS last_purchase,
       count(*) AS orders,
       TIMESTAMPTZ '{NOW.isoformat()}' - max(placed_at) AS recency,
       sum(amount - discount) AS total_spend,
       arg_min(amount - discount, (placed_at, order_id, amount - discount)) AS first_order_spend
FROM orders
WHERE status <> 'cancelled'
GROUP BY customer_id
ORDER BY customer_id
"""

DUCKDB_COHORTS = f"""
WITH months AS (
    SELECT DISTINCT customer_id,
           year(timezone('{ZONE}', placed_at)) * 12 + month(timezone('{ZONE}', placed_at)) - 1
               AS month
    FROM orders
    WHERE status <> 'cancelled'
)
SELECT cohort, month - cohort AS offset, count(*) AS active
FROM (SELECT month, min(month) OVER (PARTITION BY customer_id) AS cohort FROM months)
GROUP BY ALL
"""


# -- pandas ---------------------------------------------------------------------------------


def pandas_summary(pd: Any, frame: Any) -> Any:
    kept = frame[frame["status"] != "cancelled"]
    work = pd.DataFrame(
        {
            "customer_id": kept["customer_id"],
            "placed_at": kept["placed_at"],
            "order_id": kept["order_id"],
            "spend": kept["amount"] - kept["discount"],
        }
    )
    grouped = work.groupby("customer_id", sort=True)
    out = grouped.agg(
        first_purchase=("placed_at", "min"),
        last_purchase=("placed_at", "max"),
        orders=("placed_at", "size"),
        total_spend=("spend", "sum"),
    )
    firsts = work.sort_values(["placed_at", "order_id", "spend"]).drop_duplicates("customer_id")
    out["first_order_spend"] = firsts.set_index("customer_id")["spend"]
    out["recency"] = pd.Timestamp(NOW) - out["last_purchase"]
    return out.reset_index()


def pandas_cohorts(pd: Any, frame: Any) -> Any:
    kept = frame[frame["status"] != "cancelled"]
    local = kept["placed_at"].dt.tz_convert(ZONE)
    work = pd.DataFrame(
        {"customer_id": kept["customer_id"], "month": local.dt.year * 12 + local.dt.month - 1}
    ).drop_duplicates()
    work["cohort"] = work.groupby("customer_id")["month"].transform("min")
    work["offset"] = work["month"] - work["cohort"]
    return work.groupby(["cohort", "offset"]).size().rename("active").reset_index()
