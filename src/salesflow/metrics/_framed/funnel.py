"""The ordered funnel on a table of events, computed in the engine (private).

The funnel's rule (metrics/funnel.py) is a chain per person: t0 is their
earliest event of the first step, and t(k) their earliest event of step k at
or after t(k-1), at most ``window`` after t0. Each link depends only on the
link before and on t0, so the chain is computed exactly, one step at a time:
the events of step k joined to the people who reached step k-1 (with their
t(k-1) and t0), filtered by the rule, and the minimum per person is t(k).
Only the people per step leave the engine (one query: a union of the counts);
no row order, no Python loop over rows. Times are UTC epoch microseconds, so
every engine compares the same integers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from salesflow.errors import InvalidField
from salesflow.metrics._framed.columns import count_where
from salesflow.metrics._read.frames import (
    ID,
    TEXT,
    TIME,
    Bound,
    audit,
    bind,
    epoch_microseconds,
    found_value,
    instant,
    whole,
)

_FEATURE: Final = "funnel on a table"
_READS: Final = {"person_id": ID, "step": TEXT, "at": TIME}
_MICROSECOND: Final = timedelta(microseconds=1)


class FunnelCounts:
    """What the funnel table gives: people per reached step, people without entry, rows skipped."""

    __slots__ = ("reached", "skipped", "without_entry")

    def __init__(self, reached: tuple[int, ...], without_entry: int, skipped: int) -> None:
        self.reached = reached
        self.without_entry = without_entry
        self.skipped = skipped


def framed_funnel(
    rows: Any,
    *,
    steps: tuple[str, ...],
    window: timedelta | None,
    skip: bool,
    columns: Any,
    naive_zone: Any,
) -> FunnelCounts:
    """The funnel counts of the event table ``rows`` (person_id, step, at), found in its engine.

    Refuses, naming the column, a missing person, step or time, an empty
    person id and (unless ``skip``) a step not in ``steps``; with ``skip``
    such rows are counted and left out.
    """
    bound = bind(
        "rows", rows, reads=_READS, columns=columns, naive_zone=naive_zone, feature=_FEATURE
    )
    nw = bound.nw
    col = nw.col
    found = _audit(bound, steps, skip)
    skipped = whole(found["step__other"])
    events = bound.frame.filter(col("step").is_in(list(steps))) if skipped else bound.frame
    events = epoch_microseconds(nw, events.select("person_id", "step", "at"), "at", "us")
    events = events.select("person_id", "step", "us")
    limit = None
    if window is not None and found_value(found["at__min"]):
        span = instant(found["at__max"]) - instant(found["at__min"])
        if window <= span:  # a longer window holds every event: the same as none
            limit = window // _MICROSECOND
    # t0 per person, then each step's moment from the step before: a join of the
    # step's events to the people who reached the one before, and a minimum.
    us = col("us")
    chain = (
        events.filter(col("step") == steps[0])
        .group_by("person_id")
        .agg(us.min().alias("t0"))
        .with_columns(col("t0").alias("t"))
    )
    counts = [_counted(nw, chain, 0)]
    for position, step in enumerate(steps[1:], start=1):
        reached = us >= col("t")
        if limit is not None:
            reached = reached & (us - col("t0") <= limit)
        chain = (
            events.filter(col("step") == step)
            .select("person_id", "us")
            .join(chain, on="person_id")
            .filter(reached)
            .group_by("person_id")
            .agg(us.min().alias("t"), col("t0").min())
        )
        counts.append(_counted(nw, chain, position))
    people = events.select(
        nw.lit(-1, nw.Int64).alias("k"), col("person_id").n_unique().cast(nw.Int64).alias("n")
    )
    found_counts = {
        whole(row["k"]): whole(row["n"]) for row in bound.collect(nw.concat([*counts, people]))
    }
    reached_counts = tuple(found_counts.get(k, 0) for k in range(len(steps)))
    return FunnelCounts(reached_counts, found_counts.get(-1, 0) - reached_counts[0], skipped)


def _counted(nw: Any, chain: Any, position: int) -> Any:
    """One row: the step's position and the people who reached it."""
    return chain.select(nw.lit(position, nw.Int64).alias("k"), nw.len().cast(nw.Int64).alias("n"))


def _audit(bound: Bound, steps: tuple[str, ...], skip: bool) -> dict[str, Any]:
    nw = bound.nw
    col = nw.col
    other = ~col("step").is_in(list(steps)) & ~col("step").is_null()
    checks: list[tuple[str, Any]] = [
        (f"{name}__nulls", count_where(nw, col(name).is_null()))
        for name in ("person_id", "step", "at")
    ]
    checks += [
        ("step__other", count_where(nw, other)),
        ("step__example", nw.when(other).then(col("step")).min()),
        ("at__min", col("at").min()),
        ("at__max", col("at").max()),
    ]
    if bound.frame.collect_schema()["person_id"] == nw.String:
        checks.append(("person_id__empty", count_where(nw, col("person_id") == "")))
    found = audit(bound, checks)
    for name in ("person_id", "step", "at"):
        missing = whole(found[f"{name}__nulls"])
        if missing:
            raise InvalidField(
                bound.field(name), None, f"a value in every row ({missing:,} rows have none)"
            )
    if whole(found.get("person_id__empty")):
        raise InvalidField(bound.field("person_id"), "", "a non-empty string or an int")
    if whole(found["step__other"]) and not skip:
        raise InvalidField(
            bound.field("step"),
            found["step__example"],
            f"one of the funnel's steps: {', '.join(steps)} "
            "(pass other_steps='skip' to leave other steps out)",
        )
    return found
