"""Spark in local mode, for information: the frame metrics against hand-written PySpark.

The orders are generated in Spark itself (``spark.range`` and expressions,
no rows through Python), with the same shape as benchmarks/_by_hand.py
(about a tenth as many customers as rows, a fifth discounted, 3%
cancelled, 1% at a customer's first instant) though not the same draws,
then written to parquet in a temporary folder and read back: the user's
table is a parquet read, as on a cluster. Both sides run on that table; the
summary is written to Spark's ``noop`` sink (computed, not collected), the
cohort counts are collected. Both results are checked equal once.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from benchmarks._by_hand import _START_US, NOW, SPAN_US, ZONE
from benchmarks._harness import Result, interleaved


def session() -> Any:
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(f"local[{os.cpu_count() or 1}]")
        .appName("salesflow-benchmarks")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.shuffle.partitions", str(4 * (os.cpu_count() or 1)))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def orders(spark: Any, count: int) -> Any:
    """``count`` orders built in Spark (see the module doc)."""
    from pyspark.sql import functions as f

    customers = max(count // 10, 1)
    rows = spark.range(count).select(f.col("id"))
    customer = f.when(f.col("id") < customers, f.col("id")).otherwise(
        f.floor(customers * f.pow(f.rand(11), 1.5)).cast("bigint")
    )
    rows = rows.withColumn("customer", customer)
    first = f.pmod(f.xxhash64(f.col("customer"), f.lit(2031)), f.lit(SPAN_US))
    later = first + f.floor((f.lit(SPAN_US) - first) * f.pow(f.rand(12), 3)).cast("bigint")
    tie = (f.col("id") < customers) | (f.rand(13) < 0.01)
    rows = rows.withColumn("offset", f.when(tie, first).otherwise(later))
    rows = rows.withColumn("cents", 100 + f.pmod(f.xxhash64(f.col("id"), f.lit(14)), f.lit(49_900)))
    rows = rows.withColumn("draw", f.rand(15))
    money = "decimal(12,2)"
    tenth = f.round(f.col("cents").cast("decimal(14,0)") / 10, 0)  # half up here, not half even
    return rows.select(
        (f.pmod(f.col("id") * 7919, f.lit(count)) + 1).alias("order_id"),
        f.format_string("C%07d", f.col("customer")).alias("customer_id"),
        f.timestamp_micros(f.lit(_START_US) + f.col("offset")).alias("placed_at"),
        (f.col("cents").cast("decimal(14,0)") / 100).cast(money).alias("amount"),
        f.when(f.col("draw") < 0.2, tenth / 100).otherwise(0).cast(money).alias("discount"),
        f.lit("EUR").alias("currency"),
        f.when(f.col("draw") > 0.97, "cancelled").otherwise("delivered").alias("status"),
    )


def hand_summary(frame: Any) -> Any:
    from pyspark.sql import functions as f

    kept = frame.where(f.col("status") != "cancelled").withColumn(
        "spend", f.col("amount") - f.col("discount")
    )
    first = f.min_by(f.col("spend"), f.struct("placed_at", "order_id", "spend"))
    return (
        kept.groupBy("customer_id")
        .agg(
            f.min("placed_at").alias("first_purchase"),
            f.max("placed_at").alias("last_purchase"),
            f.count(f.lit(1)).alias("orders"),
            f.sum("spend").alias("total_spend"),
            first.alias("first_order_spend"),
        )
        .withColumn("recency", f.lit(NOW) - f.col("last_purchase"))
        .orderBy("customer_id")
    )


def hand_cohorts(frame: Any) -> list[Any]:
    from pyspark.sql import Window
    from pyspark.sql import functions as f

    local = f.from_utc_timestamp(f.col("placed_at"), ZONE)  # a UTC session: wall time in ZONE
    months = (
        frame.where(f.col("status") != "cancelled")
        .select("customer_id", (f.year(local) * 12 + f.month(local) - 1).alias("month"))
        .distinct()
    )
    cohort = f.min("month").over(Window.partitionBy("customer_id"))
    counts = (
        months.withColumn("cohort", cohort)
        .groupBy("cohort", (f.col("month") - f.col("cohort")).alias("offset"))
        .agg(f.count(f.lit(1)).alias("active"))
    )
    return counts.collect()


def results(count: int) -> list[Result]:
    from salesflow.metrics.cohorts import cohort_retention
    from salesflow.metrics.summary import customer_summary

    spark = session()
    version = spark.version
    try:
        with tempfile.TemporaryDirectory(prefix="salesflow-spark-") as folder:
            path = os.path.join(folder, "orders.parquet")
            orders(spark, count).write.parquet(path)
            table = spark.read.parquet(path)
            ours_summary = customer_summary(table, now=NOW)
            columns = ["customer_id", "first_purchase", "last_purchase", "orders"]
            columns += ["total_spend", "first_order_spend"]
            mine, hand = ours_summary.select(*columns), hand_summary(table).select(*columns)
            if mine.exceptAll(hand).count() or hand.exceptAll(mine).count():
                raise AssertionError("spark: customer_summary differs from the hand-written one")
            ours_table = cohort_retention(table, zone=ZONE, now=NOW)
            cells = {(row["cohort"], row["offset"]): row["active"] for row in hand_cohorts(table)}
            mine_cells = {
                (c.period.local_start.year * 12 + c.period.local_start.month - 1, cell.offset): (
                    cell.active
                )
                for c in ours_table.cohorts
                for cell in c.cells
                if cell.active
            }
            if mine_cells != cells:
                raise AssertionError("spark: cohort_retention differs from the hand-written one")

            def noop(frame: Any) -> None:
                frame.write.format("noop").mode("overwrite").save()

            summary_t = interleaved(
                lambda: noop(customer_summary(table, now=NOW)),
                lambda: noop(hand_summary(table)),
                repeat=2,
            )
            cohorts_t = interleaved(
                lambda: cohort_retention(table, zone=ZONE, now=NOW),
                lambda: hand_cohorts(table),
                repeat=2,
            )
    finally:
        spark.stop()
    label = f"Spark {version}, local[{os.cpu_count()}], a DataFrame read from parquet"
    return [
        Result(
            f"{name} on {label}, {count:,} rows",
            ours / count * 1e9,
            theirs / count * 1e9,
            "ns",
            None,
            "hand-written PySpark",
        )
        for name, (ours, theirs) in (
            ("customer_summary", summary_t),
            ("cohort_retention", cohorts_t),
        )
    ]
