"""Routing benchmark: assigning 100,000 leads among 50 people, least loaded.

The target (at most 3x a bare heap loop) is for bulk assignment, ``assign_many``;
calling ``assign`` once per lead is measured too, for information: it builds a
Decision object and checks its arguments on every call.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime, timedelta

from benchmarks._harness import Result, interleaved, scenario
from salesflow.routing import Dispatcher, LeastLoaded, Person, Role, Team

PEOPLE = 50
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _leads(count: int) -> list[tuple[str, Role, datetime]]:
    return [(f"L-{n}", Role.CLOSER, START + timedelta(seconds=n)) for n in range(count)]


def bare_heap(count: int) -> list[int]:
    """The baseline: pop the least loaded person, push them back one heavier."""
    heap = [(0, index) for index in range(PEOPLE)]
    heapq.heapify(heap)
    picks = []
    for _ in range(count):
        load, index = heapq.heappop(heap)
        picks.append(index)
        heapq.heappush(heap, (load + 1, index))
    return picks


@scenario
def least_loaded_assignment(quick: bool) -> list[Result]:
    count = 20_000 if quick else 100_000
    team = Team([Person(f"p{i}", Role.CLOSER) for i in range(PEOPLE)])
    leads = _leads(count)

    def batch() -> object:
        return Dispatcher(team, LeastLoaded()).assign_many(leads)

    def one_by_one() -> object:
        assign = Dispatcher(team, LeastLoaded()).assign
        return [assign(lead_id, role, at=at) for lead_id, role, at in leads]

    # Every decision can explain itself: read a few explanations to prove it.
    sample = batch()
    assert all(len(sample[n].reasons) == PEOPLE for n in (0, count // 2, count - 1))
    picks = bare_heap(count)
    assert [d.person for d in sample[:PEOPLE]] == [f"p{i}" for i in picks[:PEOPLE]]

    repeat = 3 if quick else 5
    ours_batch, base = interleaved(batch, lambda: bare_heap(count), repeat=repeat)
    ours_single, base_single = interleaved(one_by_one, lambda: bare_heap(count), repeat=repeat)
    name = f"least-loaded assignment, {count:,} leads, {PEOPLE} people"
    baseline = "a bare heapq loop picking the least loaded"
    return [
        Result(f"{name} (assign_many)", ours_batch / count * 1e6, base / count * 1e6, "us", 3.0,
               baseline),
        Result(f"{name} (assign per lead)", ours_single / count * 1e6,
               base_single / count * 1e6, "us", None, baseline),
    ]
