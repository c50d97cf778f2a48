"""Run every benchmark and print one table: python -m benchmarks [--quick] [--check]."""

from __future__ import annotations

import os
import platform
import sys
import time

from benchmarks import leads, metrics, orders, routing  # noqa: F401 - registers their scenarios
from benchmarks._harness import SCENARIOS, Result


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    print(f"salesflow benchmarks{' (quick)' if quick else ''}")
    print(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs")
    print("time: best of interleaved repeats (perf_counter); memory: tracemalloc bytes per live object")
    started = time.perf_counter()
    results: list[Result] = []
    for run in SCENARIOS:
        results.extend(run(quick))
    header = ("scenario", "salesflow", "baseline", "ratio", "target", "met", "baseline is")
    rows = [
        (
            r.scenario,
            f"{r.ours:,.1f} {r.unit}",
            f"{r.baseline:,.1f} {r.unit}",
            f"{r.ratio:.3f}",
            f"<= {r.target}" if r.target is not None else "-",
            ("yes" if r.met else "NO") if r.target is not None else "(info)",
            r.baseline_name,
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"({time.perf_counter() - started:.0f} s)")
    if "--check" in argv and not all(r.met for r in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
