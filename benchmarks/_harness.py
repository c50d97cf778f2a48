"""A tiny harness: scenarios register here and report a ratio against a baseline."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    scenario: str
    ours: float
    baseline: float
    unit: str  # "us" per item, or "B" per object
    target: float | None  # the highest acceptable ratio ours / baseline; None: for information
    baseline_name: str
    budget: float | None = None  # the highest acceptable ``ours`` itself, in ``unit``
    holds: bool = True  # a condition of the target beside time (the same result, say)

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline

    @property
    def judged(self) -> bool:
        """Whether the row has a target at all (else it is for information)."""
        return self.target is not None or self.budget is not None

    @property
    def met(self) -> bool:
        within = self.target is None or self.ratio <= self.target
        return within and (self.budget is None or self.ours <= self.budget) and self.holds


Scenario = Callable[[bool], list[Result]]
SCENARIOS: list[Scenario] = []
FULL_SCENARIOS: list[Scenario] = []  # the largest sizes, run only with --full
REPLACED: dict[Scenario, Scenario] = {}  # with --full, a full scenario runs in place of these


def scenario(function: Scenario) -> Scenario:
    SCENARIOS.append(function)
    return function


def full_scenario(*, replaces: Scenario | None = None) -> Callable[[Scenario], Scenario]:
    """A scenario run only with ``--full``, in place of ``replaces`` (its smaller sizes)."""

    def register(function: Scenario) -> Scenario:
        FULL_SCENARIOS.append(function)
        if replaces is not None:
            REPLACED[replaces] = function
        return function

    return register


def best_time(function: Callable[[], object], *, repeat: int, number: int = 1) -> float:
    """Best wall time of ``repeat`` runs of ``number`` calls, in seconds per call."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def interleaved(
    ours: Callable[[], object], baseline: Callable[[], object], *, repeat: int, number: int = 1
) -> tuple[float, float]:
    """Best times of two functions, measured alternately so drift hits both alike."""
    ours_best = baseline_best = float("inf")
    for _ in range(repeat):
        ours_best = min(ours_best, best_time(ours, repeat=1, number=number))
        baseline_best = min(baseline_best, best_time(baseline, repeat=1, number=number))
    return ours_best, baseline_best


def bytes_per_object(make: Callable[[int], object], count: int) -> float:
    """Average traced bytes that ``count`` live objects made by ``make`` hold."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    keep = [make(index) for index in range(count)]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del keep
    return (after - before) / count
