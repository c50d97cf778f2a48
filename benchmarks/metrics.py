"""Metrics benchmarks: per-customer summary and cohort retention over a million order records.

The data: seeded, deterministic plain dicts, as ``df.to_dict("records")``
would give them (Decimal amounts, aware UTC datetimes), about 100,000
customers over 24 months, a fifth of the orders discounted and 3% cancelled.

The baseline is pandas on the same list of dicts: building its DataFrame is
part of its work, because the list is the input both sides get. It computes
the same figures, exactly (Decimal objects, not floats), and the scenario
checks that both agree before timing. pandas is only in the ``bench`` extra
(``pip install -e '.[bench]'``); without it, the scenario says so and reports
nothing.
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks._harness import Result, interleaved, scenario
from salesflow.metrics.cohorts import CohortTable, cohort_retention
from salesflow.metrics.summary import CustomerSummaries, customer_summary

ZONE = "Europe/Berlin"
START = datetime(2024, 1, 1, tzinfo=UTC)
# 24 calendar months of orders; the last one (in ZONE) has not ended at NOW.
NOW = datetime(2025, 12, 31, 12, 0, tzinfo=UTC)
SPAN_US = int((NOW - START) / timedelta(microseconds=1))


def order_stream(count: int, customers: int, seed: int = 2029) -> Iterator[dict[str, Any]]:
    """``count`` order records for about ``customers`` customers, the same for the same seed.

    The first ``customers`` records are each customer's first order; the
    rest go to customers picked with a skew (a few buy often), at a time
    after their first order.
    """
    rng = random.Random(seed)
    firsts = [rng.randrange(SPAN_US) for _ in range(customers)]
    zero = Decimal("0.00")
    for index in range(count):
        customer = index if index < customers else int(customers * rng.random() ** 1.5)
        first = firsts[customer]
        offset = first if index < customers else first + int((SPAN_US - first) * rng.random() ** 3)
        amount = Decimal(rng.randrange(100, 50_000)).scaleb(-2)
        draw = rng.random()
        yield {
            "order_id": f"{index + 1:08d}",
            "customer_id": f"C{customer:06d}",
            "placed_at": START + timedelta(microseconds=offset),
            "amount": amount,
            "currency": "EUR",
            "discount": (amount / 10).quantize(zero) if draw < 0.2 else zero,
            "status": "cancelled" if draw > 0.97 else "delivered",
        }


# -- the pandas baseline -----------------------------------------------------------------


def pandas_summary(pd: Any, rows: list[dict[str, Any]]) -> Any:
    """The per-customer summary in pandas, exact: Decimal objects in, Decimal objects out."""
    frame = pd.DataFrame(rows)
    frame = frame[frame["status"] != "cancelled"]
    work = pd.DataFrame(
        {
            "customer_id": frame["customer_id"],
            "placed_at": pd.to_datetime(frame["placed_at"], utc=True),
            "net": frame["amount"] - frame["discount"],
        }
    ).reset_index(drop=True)
    grouped = work.groupby("customer_id", sort=True)
    placed = grouped["placed_at"]
    out = pd.DataFrame(
        {
            "first_purchase": placed.min(),
            "last_purchase": placed.max(),
            "orders": grouped.size(),
            "total_spend": grouped["net"].sum(),
        }
    )
    out["first_order_spend"] = work["net"].to_numpy()[placed.idxmin().to_numpy()]
    out["recency"] = pd.Timestamp(NOW) - out["last_purchase"]
    out["average_spend"] = out["total_spend"] / out["orders"]
    repeat = out["orders"] > 1
    out["average_repeat_spend"] = None
    out.loc[repeat, "average_repeat_spend"] = (
        out.loc[repeat, "total_spend"] - out.loc[repeat, "first_order_spend"]
    ) / (out.loc[repeat, "orders"] - 1)
    span = out["last_purchase"] - out["first_purchase"]
    out["days_between_orders"] = (span.dt.total_seconds() / 86_400 / (out["orders"] - 1)).where(
        repeat
    )
    for column in ("first_purchase", "last_purchase"):
        out[column] = out[column].dt.tz_convert(ZONE)
    return out


def pandas_cohorts(pd: Any, rows: list[dict[str, Any]]) -> Any:
    """Active customers per (first-purchase month, month offset) in pandas, months in ZONE."""
    frame = pd.DataFrame(rows, columns=["customer_id", "placed_at", "status"])
    frame = frame[frame["status"] != "cancelled"]
    local = pd.to_datetime(frame["placed_at"], utc=True).dt.tz_convert(ZONE)
    work = pd.DataFrame(
        {
            "customer_id": frame["customer_id"].to_numpy(),
            "month": (local.dt.year * 12 + local.dt.month - 1).to_numpy(),
        }
    ).drop_duplicates()
    first = work.groupby("customer_id")["month"].transform("min")
    work["cohort"] = first
    work["offset"] = work["month"] - first
    active = work.groupby(["cohort", "offset"]).size().unstack(fill_value=0)
    return active, active.div(active[0], axis=0)


def _same_summary(ours: CustomerSummaries, theirs: Any) -> None:
    assert list(ours) == list(theirs.index)
    for column in ("orders", "total_spend", "first_order_spend"):
        values = theirs[column].tolist()
        mine = [getattr(s, column) for s in ours.values()]
        mine = [m.amount if hasattr(m, "amount") else m for m in mine]
        assert mine == values, column
    first = theirs["first_purchase"].tolist()
    assert [s.first_purchase for s in ours.values()] == [t.to_pydatetime() for t in first]


def _same_cohorts(ours: CohortTable, theirs: Any) -> None:
    active, _ = theirs
    for cohort in ours.cohorts:
        number = cohort.period.local_start.year * 12 + cohort.period.local_start.month - 1
        for cell in cohort.cells:
            expected = active.loc[number].get(cell.offset, 0)
            assert cell.active == expected, (cohort.label, cell.offset)


# -- memory: one pass, per-customer state --------------------------------------------------


def _traced_peak(work: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _memory_rows(count: int, customers: int) -> list[Result]:
    """Peak traced memory of each metric fed a generator, against the rows as a list.

    Per-customer state grows with customers, not rows: at 10 rows per
    customer it stays far below the rows themselves.
    """
    materialised = _traced_peak(lambda: list(order_stream(count, customers)))
    streamed_summary = _traced_peak(
        lambda: customer_summary(order_stream(count, customers), now=NOW, zone=ZONE)
    )
    streamed_cohorts = _traced_peak(
        lambda: cohort_retention(order_stream(count, customers), zone=ZONE, now=NOW)
    )
    return [
        Result(
            f"memory: customer_summary fed a generator, {count:,} rows",
            streamed_summary / count,
            materialised / count,
            "B",
            0.25,
            "the same rows materialised as a list (bytes per row)",
        ),
        Result(
            f"memory: cohort_retention fed a generator, {count:,} rows",
            streamed_cohorts / count,
            materialised / count,
            "B",
            0.25,
            "the same rows materialised as a list (bytes per row)",
        ),
    ]


def _timings(pd: Any, count: int, customers: int, *, repeat: int) -> list[Result]:
    rows = list(order_stream(count, customers))
    _same_summary(customer_summary(rows, now=NOW, zone=ZONE), pandas_summary(pd, rows))
    _same_cohorts(cohort_retention(rows, zone=ZONE, now=NOW), pandas_cohorts(pd, rows))
    summary_t, pandas_summary_t = interleaved(
        lambda: customer_summary(rows, now=NOW, zone=ZONE),
        lambda: pandas_summary(pd, rows),
        repeat=repeat,
    )
    cohorts_t, pandas_cohorts_t = interleaved(
        lambda: cohort_retention(rows, zone=ZONE, now=NOW),
        lambda: pandas_cohorts(pd, rows),
        repeat=repeat,
    )
    baseline = f"pandas {pd.__version__}: DataFrame built from the same dicts, then groupby"
    return [
        Result(
            f"customer_summary, {count:,} order records",
            summary_t / count * 1e6,
            pandas_summary_t / count * 1e6,
            "us",
            2.0,
            baseline,
        ),
        Result(
            f"cohort_retention, {count:,} order records",
            cohorts_t / count * 1e6,
            pandas_cohorts_t / count * 1e6,
            "us",
            2.0,
            baseline,
        ),
    ]


@scenario
def customer_metrics(quick: bool) -> list[Result]:
    try:
        import pandas as pd
    except ImportError:
        print(
            "metrics: pandas is not installed, so the per-customer summary and cohort "
            "benchmarks were skipped (pip install -e '.[bench]')"
        )
        return []
    count, customers = (100_000, 10_000) if quick else (1_000_000, 100_000)
    results = _timings(pd, count, customers, repeat=3 if quick else 5)
    memory_count, memory_customers = (50_000, 5_000) if quick else (200_000, 20_000)
    return results + _memory_rows(memory_count, memory_customers)


# -- the zone the timestamps come in -------------------------------------------------------


def _cpu_interleaved(
    ours: Callable[[], object], baseline: Callable[[], object], *, repeat: int
) -> tuple[float, float]:
    """Best CPU times (``time.process_time``) of two functions, measured alternately.

    CPU time, not wall time: the two sides differ by a few percent, which
    other processes on a shared machine would drown in wall-clock time.
    """
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for side, function in enumerate((ours, baseline)):
            gc.collect()
            start = time.process_time()
            function()
            best[side] = min(best[side], time.process_time() - start)
    return best[0], best[1]


def _zone_timings(count: int, customers: int, *, repeat: int) -> list[Result]:
    """The same instants written as datetime.UTC, ZoneInfo("UTC") and Europe/Berlin.

    parquet, polars and DuckDB hand over ZoneInfo("UTC"), a shop's export its
    own zone. Each is timed against datetime.UTC in the same run (interleaved);
    the results must agree before anything is timed.
    """
    base = list(order_stream(count, customers))
    written = {
        'ZoneInfo("UTC")': ZoneInfo("UTC"),
        "Europe/Berlin": ZoneInfo("Europe/Berlin"),
    }
    results: list[Result] = []
    metrics: list[tuple[str, Callable[[list[dict[str, Any]]], object]]] = [
        ("customer_summary", lambda rows: customer_summary(rows, now=NOW, zone=ZONE)),
        ("cohort_retention", lambda rows: cohort_retention(rows, zone=ZONE, now=NOW)),
    ]
    for label, zone in written.items():
        rows = [{**row, "placed_at": row["placed_at"].astimezone(zone)} for row in base]
        for name, metric in metrics:
            if metric(rows) != metric(base):
                raise AssertionError(f"{name}: rows written in {label} give another result")
            ours, baseline = _cpu_interleaved(
                lambda metric=metric, rows=rows: metric(rows),
                lambda metric=metric: metric(base),
                repeat=repeat,
            )
            results.append(
                Result(
                    f"{name}, {count:,} records with placed_at in {label}",
                    ours / count * 1e6,
                    baseline / count * 1e6,
                    "us",
                    1.5,
                    "the same records with placed_at in datetime.UTC",
                )
            )
    return results


@scenario
def timestamp_zones(quick: bool) -> list[Result]:
    count, customers = (100_000, 10_000) if quick else (1_000_000, 100_000)
    return _zone_timings(count, customers, repeat=3 if quick else 5)


def _print_zones(argv: list[str]) -> None:
    """``python -m benchmarks.metrics [--quick | --rows N]``: the zone scenario alone."""
    quick = "--quick" in argv
    count = 100_000 if quick else 1_000_000
    if "--rows" in argv:
        count = int(argv[argv.index("--rows") + 1])
    print(f"timestamp zones: {count:,} order records, best CPU time of interleaved repeats")
    for result in _zone_timings(count, max(count // 10, 1), repeat=3 if quick else 5):
        print(
            f"  {result.scenario}: {result.ours:.2f} us vs {result.baseline:.2f} us "
            f"per record, ratio {result.ratio:.2f} (target <= {result.target})"
        )


if __name__ == "__main__":
    import sys

    _print_zones(sys.argv[1:])
