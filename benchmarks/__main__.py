"""Run every benchmark and print one table.

python -m benchmarks [--quick | --full] [--only WORD] [--check] [--record]

--full also runs the largest sizes (the frame scenarios on 10,000,000 rows,
and Spark); --check exits 1 when a target is missed; --record also writes the
table, with the machine it ran on, into docs/performance.md (between its
table markers). --only WORD runs only the scenarios whose name holds WORD
(``--only snapshot``: the backend requests through a snapshot); it cannot be
recorded, since the table is one run of them all.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from datetime import date
from pathlib import Path

from benchmarks import (  # noqa: F401 - registers their scenarios
    frames,
    leads,
    metrics,
    orders,
    predict,
    routing,
    snapshots,
)
from benchmarks._harness import FULL_SCENARIOS, REPLACED, SCENARIOS, Result


def main(argv: list[str]) -> int:
    quick, full = "--quick" in argv, "--full" in argv
    if quick and full:
        print("--quick and --full: choose one")
        return 2
    print(f"salesflow benchmarks{' (quick)' if quick else ' (full)' if full else ''}")
    print(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs")
    print(
        "time: best of interleaved repeats (perf_counter); memory: tracemalloc bytes per live "
        "object, or (frames) the peak resident set growth of one call in a fresh process"
    )
    started = time.perf_counter()
    results: list[Result] = []
    runs = [s for s in SCENARIOS if s not in REPLACED] + FULL_SCENARIOS if full else SCENARIOS
    if "--only" in argv:
        position = argv.index("--only") + 1
        if position >= len(argv) or "--record" in argv:
            print("--only takes a word (a part of a scenario's name) and cannot be recorded")
            return 2
        runs = [s for s in runs if argv[position] in s.__name__]
    for run in runs:
        results.extend(run(quick))
    header = ("scenario", "salesflow", "baseline", "ratio", "target", "met", "baseline is")
    rows = [
        (
            r.scenario,
            f"{r.ours:,.1f} {r.unit}",
            f"{r.baseline:,.1f} {r.unit}",
            f"{r.ratio:.3f}",
            _target(r),
            ("yes" if r.met else "NO") if r.judged else "(info)",
            r.baseline_name,
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"({time.perf_counter() - started:.0f} s)")
    if "--record" in argv:
        record(header, rows, quick=quick, full=full)
    if "--check" in argv and not all(r.met for r in results):
        return 1
    return 0


def _target(result: Result) -> str:
    """The target column: a ratio, a budget in the row's unit, or both."""
    parts = [] if result.target is None else [f"<= {result.target}"]
    if result.budget is not None:
        parts.append(f"<= {result.budget:,g} {result.unit}")
    return "; ".join(parts) or "-"


PAGE = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
_TABLE = re.compile(r"(<!-- benchmark table -->\n)(.*?)(<!-- /benchmark table -->)", re.DOTALL)


def machine() -> str:
    """What the run ran on, in one line."""
    versions = []
    for name in (
        "statemachine",
        "attrs",
        "pandas",
        "polars",
        "duckdb",
        "pyarrow",
        "narwhals",
        "numpy",
        "scipy",
        "lifetimes",
    ):
        try:
            module = __import__(name)
            versions.append(f"{name} {module.__version__}")
        except ImportError:
            versions.append(f"{name} not installed")
    return (
        f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()}; "
        f"CPython {platform.python_version()}; {', '.join(versions)}"
    )


def record(
    header: tuple[str, ...], rows: list[tuple[str, ...]], *, quick: bool, full: bool
) -> None:
    """Write the table into docs/performance.md, between its markers."""
    run = " (quick run)" if quick else " (--full run)" if full else ""
    lines = [
        f"Recorded {date.today().isoformat()}{run} on: {machine()}.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    text = PAGE.read_text(encoding="utf-8")
    new, count = _TABLE.subn(lambda m: m.group(1) + "\n".join(lines) + "\n" + m.group(3), text)
    if count != 1:
        raise SystemExit(f"{PAGE}: expected one '<!-- benchmark table -->' block")
    PAGE.write_text(new, encoding="utf-8")
    print(f"recorded in {PAGE.relative_to(PAGE.parent.parent)}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
