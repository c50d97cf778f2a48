"""Frame benchmarks: the metrics on the analyst's own table, against what they would write.

Every scenario starts from a table the user already holds, built once from
columns (benchmarks/_by_hand.py): a polars DataFrame, a DuckDB table, a
pandas DataFrame with NumPy dtypes (money as Decimal objects, what
``pd.read_parquet`` gives) and one with pyarrow dtypes
(``dtype_backend="pyarrow"``). salesflow's ``customer_summary`` and
``cohort_retention`` run on it against a hand-written query on the same
engine computing the same figures; both results are checked equal once
before timing. A DuckDB result (a relation) is fetched as Arrow on both
sides; salesflow's cohort result is its CohortTable, the hand-written one
the counts.

Time: best of interleaved repeats (wall clock, ``perf_counter``), in
nanoseconds per order row. Memory: the peak resident set growth of one
call, measured in a fresh subprocess per call (the engine's native
allocations included, which tracemalloc does not see): the table is loaded,
the code path is warmed on a small table (imports, engine start), the
kernel's high-water mark of the resident set is reset
(``/proc/self/clear_refs``), then the call runs; the figure is the
high-water mark after it (``VmHWM``) less the resident set before it
(``VmRSS``), both from /proc/self/status. Not ``getrusage``'s ``ru_maxrss``:
a child process inherits its parent's peak through fork and exec, and the
reset does not clear it. Linux only; elsewhere the memory rows are skipped,
saying so.

Sizes: 1,000,000 rows in the default run (the records path on 200,000, to
keep the run short), 20,000 with ``--quick`` (a smoke run: fixed costs
dominate there), and both of the issue's sizes with ``--full``: 1,000,000
and 10,000,000 rows (the records path on 1,000,000: ten million rows as
dicts take about 7 GB), then Spark on 10,000,000
(``python -m benchmarks --full``).
``python -m benchmarks.frames [--quick | --full | --rows N] [--no-memory]``
runs these scenarios alone.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import _by_hand as by_hand
from benchmarks._by_hand import NOW, ZONE
from benchmarks._harness import Result, full_scenario, interleaved, scenario

SMALL = 2_000  # the warm-up table of the memory subprocesses


# -- the engines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Engine:
    """One engine: how the user's table is made, and both sides of both metrics."""

    name: str
    label: str  # what the user's table is
    baseline: str  # what the hand-written side is
    make: Callable[[Any], Any]  # Arrow table -> the user's table
    ours_summary: Callable[[Any], Any]
    hand_summary: Callable[[Any], Any]
    ours_cohorts: Callable[[Any], Any]
    hand_cohorts: Callable[[Any], Any]


def _customer_summary(table: Any) -> Any:
    from salesflow.metrics.summary import customer_summary

    return customer_summary(table, now=NOW)


def _cohort_retention(table: Any) -> Any:
    from salesflow.metrics.cohorts import cohort_retention

    return cohort_retention(table, zone=ZONE, now=NOW)


def _polars() -> Engine:
    import polars as pl

    return Engine(
        "polars",
        "a polars DataFrame",
        "hand-written polars (lazy group_by)",
        pl.from_arrow,
        _customer_summary,
        lambda frame: by_hand.polars_summary(pl, frame),
        _cohort_retention,
        lambda frame: by_hand.polars_cohorts(pl, frame),
    )


def _duckdb() -> Engine:
    import duckdb

    def make(arrow: Any) -> Any:
        connection = duckdb.connect()
        connection.register("arrow_orders", arrow)
        connection.sql("CREATE TABLE orders AS SELECT * FROM arrow_orders")
        connection.unregister("arrow_orders")
        return connection.table("orders")

    def sql(query: str) -> Callable[[Any], Any]:
        return lambda relation: relation.query("orders", query).to_arrow_table()

    return Engine(
        "duckdb",
        "a DuckDB table",
        "hand-written DuckDB SQL",
        make,
        lambda relation: _customer_summary(relation).to_arrow_table(),
        sql(by_hand.DUCKDB_SUMMARY),
        _cohort_retention,
        sql(by_hand.DUCKDB_COHORTS),
    )


def _pandas(backend: str) -> Engine:
    import pandas as pd

    def make(arrow: Any) -> Any:
        if backend == "pyarrow":
            return arrow.to_pandas(types_mapper=pd.ArrowDtype)
        return arrow.to_pandas()

    dtypes = "pyarrow dtypes" if backend == "pyarrow" else "NumPy dtypes, Decimal objects"
    return Engine(
        f"pandas ({dtypes})",
        f"pandas ({dtypes})",
        "hand-written pandas (groupby)",
        make,
        _customer_summary,
        lambda frame: by_hand.pandas_summary(pd, frame),
        _cohort_retention,
        lambda frame: by_hand.pandas_cohorts(pd, frame),
    )


ENGINES: dict[str, Callable[[], Engine]] = {
    "polars": _polars,
    "duckdb": _duckdb,
    "pandas": lambda: _pandas("numpy"),
    "pandas_arrow": lambda: _pandas("pyarrow"),
}


def _records(engine: Engine) -> Engine:
    """The records path on the pandas frame: ``df.to_dict("records")`` and the metric."""
    return Engine(
        "records",
        engine.label,
        engine.baseline,
        engine.make,
        lambda frame: _customer_summary(frame.to_dict("records")),
        engine.hand_summary,
        lambda frame: _cohort_retention(frame.to_dict("records")),
        engine.hand_cohorts,
    )


# -- the same figures on both sides ---------------------------------------------------------

_FIGURES = ("customer_id", "first_purchase", "last_purchase", "orders", "total_spend")


def _summary_arrow(result: Any) -> Any:
    """A summary (a salesflow or engine table, or CustomerSummaries) as canonical Arrow."""
    import narwhals.stable.v2 as nw
    import pyarrow as pa

    from salesflow.metrics.summary import CustomerSummaries

    if isinstance(result, CustomerSummaries):
        result = pa.Table.from_pylist(result.to_records())
    elif not isinstance(result, pa.Table):
        result = nw.from_native(result).to_arrow()
    columns = {name: result.column(name) for name in (*_FIGURES, "first_order_spend")}
    types = {
        "customer_id": pa.string(),
        "first_purchase": pa.timestamp("us", "UTC"),
        "last_purchase": pa.timestamp("us", "UTC"),
        "orders": pa.int64(),
        "total_spend": pa.decimal128(38, 2),
        "first_order_spend": pa.decimal128(38, 2),
    }
    return pa.table({name: column.cast(types[name]) for name, column in columns.items()})


def same_summary(ours: Any, theirs: Any, where: str) -> None:
    mine, hand = _summary_arrow(ours), _summary_arrow(theirs)
    for name in mine.column_names:
        if not mine.column(name).equals(hand.column(name)):
            raise AssertionError(f"{where}: customer_summary differs from the hand-written {name}")


def _cells(result: Any) -> dict[tuple[int, int], int]:
    """Customers active per (cohort month number, offset), zero cells left out."""
    if hasattr(result, "cohorts"):  # salesflow's CohortTable
        cells = {}
        for cohort in result.cohorts:
            start = cohort.period.local_start
            for cell in cohort.cells:
                if cell.active:
                    cells[(start.year * 12 + start.month - 1, cell.offset)] = cell.active
        return cells
    import narwhals.stable.v2 as nw

    frame = nw.from_native(result)
    return {
        (int(row["cohort"]), int(row["offset"])): int(row["active"])
        for row in frame.iter_rows(named=True)
    }


def same_cohorts(ours: Any, theirs: Any, where: str) -> None:
    if _cells(ours) != _cells(theirs):
        raise AssertionError(f"{where}: cohort_retention differs from the hand-written counts")


# -- memory: one call in a fresh process ----------------------------------------------------


def _status(field: str) -> int:
    """A size from /proc/self/status (``VmRSS``, ``VmHWM``), in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def _peak_growth(engine_name: str, metric: str, side: str, path: str) -> int:
    """Inside the subprocess: bytes the call grew the resident set by, at its peak."""
    import pyarrow as pa

    engine = _engine(engine_name)
    with pa.OSFile(path) as source:
        arrow = pa.ipc.open_file(source).read_all()
    table = engine.make(arrow)
    if engine_name not in ("polars",):  # polars shares the Arrow buffers; the rest copied them
        del arrow
    function = getattr(engine, f"{side}_{metric}")
    function(engine.make(by_hand.orders_table(SMALL, seed=7)))  # imports, engine start
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the high-water mark is now the current resident set
    before = _status("VmRSS")
    function(table)
    return _status("VmHWM") - before


def _engine(name: str) -> Engine:
    if name == "records":
        return _records(ENGINES["pandas"]())
    return ENGINES[name]()


def memory_supported() -> str | None:
    """Why peak memory cannot be measured here, or None."""
    if not os.path.exists("/proc/self/clear_refs"):
        return "peak memory needs Linux (/proc/self/clear_refs to reset the high-water mark)"
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError as error:
        return f"peak memory: /proc/self/clear_refs is not writable here ({error})"
    return None


def measure_peak(engine: str, metric: str, side: str, path: str) -> int:
    """Peak resident growth of one call, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.frames", "--peak", engine, metric, side, path],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory of {side} {metric} on {engine} failed:\n{done.stderr}")
    return int(json.loads(done.stdout.strip().splitlines()[-1])["bytes"])


# -- the scenarios ----------------------------------------------------------------------------

TARGETS = {"polars": 1.3, "duckdb": 1.3}  # pandas: 1.5; memory: 1.5 on every engine


def _time_engine(
    engine: Engine, native: Any, count: int, *, repeat: int, target: float | None
) -> list[Result]:
    """Both metrics timed against the hand-written side; the first results checked equal."""
    where = f"{engine.name}, {count:,} rows"
    results = []
    for metric, name, same in (
        ("summary", "customer_summary", same_summary),
        ("cohorts", "cohort_retention", same_cohorts),
    ):
        ours_call = getattr(engine, f"ours_{metric}")
        hand_call = getattr(engine, f"hand_{metric}")
        started = time.perf_counter()
        mine = ours_call(native)
        ours = time.perf_counter() - started
        started = time.perf_counter()
        theirs_result = hand_call(native)
        theirs = time.perf_counter() - started
        same(mine, theirs_result, where)
        del mine, theirs_result
        if repeat > 1:
            more = interleaved(
                lambda call=ours_call: call(native),
                lambda call=hand_call: call(native),
                repeat=repeat - 1,
            )
            ours, theirs = min(ours, more[0]), min(theirs, more[1])
        path = "records path: df.to_dict('records') + " if engine.name == "records" else ""
        results.append(
            Result(
                f"{path}{name} on {engine.label}, {count:,} rows",
                ours / count * 1e9,
                theirs / count * 1e9,
                "ns",
                target,
                engine.baseline,
            )
        )
    return results


def _memory_rows(
    name: str, label: str, count: int, path: str, *, target: float | None, parallel: bool
) -> list[Result]:
    """Peak memory of both sides of both metrics, each call in its own process."""
    jobs = [(metric, side) for metric in ("summary", "cohorts") for side in ("ours", "hand")]
    # Separate processes do not share a high-water mark: two may run at once.
    with ThreadPoolExecutor(max_workers=2 if parallel else 1) as pool:
        peaks = dict(
            zip(
                jobs,
                pool.map(lambda job: measure_peak(name, job[0], job[1], path), jobs),
                strict=True,
            )
        )
    prefix = "records path: " if name == "records" else ""
    return [
        Result(
            f"memory: {prefix}{metric_name} on {label}, {count:,} rows",
            peaks[(metric, "ours")] / 1e6,
            peaks[(metric, "hand")] / 1e6,
            "MB",
            target,
            f"{_engine(name).baseline}, peak RSS growth of one call",
        )
        for metric, metric_name in (
            ("summary", "customer_summary"),
            ("cohorts", "cohort_retention"),
        )
    ]


def engine_rows(
    arrow: Any, count: int, names: list[str], *, repeat: int, path: str | None
) -> list[Result]:
    """Time (and, with ``path``, memory) of both metrics on the engines ``names``."""
    results: list[Result] = []
    for name in names:
        try:
            engine = _engine(name)
        except ImportError as missing:
            print(
                f"frames: {name} skipped ({missing.name} is not installed: "
                "pip install -e '.[bench]')"
            )
            continue
        native = engine.make(arrow)
        target = None if name == "records" else TARGETS.get(name, 1.5)
        results += _time_engine(
            engine, native, count, repeat=1 if name == "records" else repeat, target=target
        )
        del native
        gc.collect()
        if path is not None:
            results += _memory_rows(
                name,
                engine.label,
                count,
                path,
                target=None if name == "records" else 1.5,
                parallel=count <= 1_000_000,
            )
    return results


def frame_results(
    counts: tuple[int, ...], *, records: int | None, memory: bool = True
) -> list[Result]:
    """Every engine's rows at each size in ``counts``, and the records path's at ``records``
    rows (None: not run; ten million rows as dicts would take about 7 GB)."""
    plan = {count: list(ENGINES) for count in counts}
    if records is not None:
        plan.setdefault(records, []).append("records")
    results: list[Result] = []
    reason = memory_supported() if memory else None
    if reason is not None:
        print(f"frames: {reason}; the memory rows are skipped")
    with tempfile.TemporaryDirectory(prefix="salesflow-bench-") as folder:
        for count in sorted(plan):
            arrow = by_hand.orders_table(count)
            path = None
            if memory and reason is None:
                import pyarrow as pa

                path = str(Path(folder) / f"orders-{count}.arrow")
                with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, arrow.schema) as writer:
                    writer.write_table(arrow)
            repeat = 3 if count < 5_000_000 else 2
            results += engine_rows(arrow, count, plan[count], repeat=repeat, path=path)
            del arrow
            gc.collect()
    return results


def _have_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        print(
            "frames: pyarrow is not installed, so the frame benchmarks were skipped "
            "(pip install -e '.[bench]')"
        )
        return False
    return True


QUICK, DEFAULT, FULL = (20_000,), (1_000_000,), (1_000_000, 10_000_000)


@scenario
def frames(quick: bool) -> list[Result]:
    """The frame scenarios on 1,000,000 rows (``--quick``: 20,000; ``--full``: 1,000,000
    and 10,000,000, then Spark)."""
    if not _have_pyarrow():
        return []
    return (
        frame_results(QUICK, records=QUICK[0]) if quick else frame_results(DEFAULT, records=200_000)
    )


@full_scenario(replaces=frames)
def frames_full(quick: bool) -> list[Result]:
    """``--full``: 1,000,000 and 10,000,000 rows on every engine, then Spark on 10,000,000."""
    if not _have_pyarrow():
        return []
    return frame_results(FULL, records=FULL[0]) + spark_results(FULL[-1])


# -- Spark, for information --------------------------------------------------------------------


def spark_results(count: int) -> list[Result]:
    from benchmarks import _spark

    if shutil.which("java") is None:
        print("frames: Spark skipped: it needs Java (a JRE 17) and this machine has none")
        return []
    try:
        import pyspark  # noqa: F401
    except ImportError:
        print("frames: Spark skipped: pyspark is not installed (pip install -e '.[spark]')")
        return []
    return _spark.results(count)


def main(argv: list[str]) -> int:
    """``python -m benchmarks.frames [--quick | --full | --rows N] [--no-memory] [--no-records]
    [--no-spark]``."""
    if argv[:1] == ["--peak"]:
        engine, metric, side, path = argv[1:5]
        print(json.dumps({"bytes": _peak_growth(engine, metric, side, path)}))
        return 0
    full = "--full" in argv
    counts = QUICK if "--quick" in argv else FULL if full else DEFAULT
    records = counts[0] if full or "--quick" in argv else 200_000
    if "--rows" in argv:
        counts = (int(argv[argv.index("--rows") + 1]),)
        records = counts[0]
    if "--no-records" in argv:
        records = None
    started = time.perf_counter()
    results = frame_results(counts, records=records, memory="--no-memory" not in argv)
    if full and "--no-spark" not in argv:
        results += spark_results(FULL[-1])
    for r in results:
        target = f"<= {r.target}" if r.target is not None else "(info)"
        met = "" if r.target is None else ("yes" if r.met else "NO")
        print(
            f"{r.scenario}: {r.ours:,.1f} vs {r.baseline:,.1f} {r.unit}, "
            f"ratio {r.ratio:.3f} {target} {met}"
        )
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
