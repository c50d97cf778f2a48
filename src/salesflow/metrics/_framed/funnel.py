"""The ordered funnel and the distinct-id conversion rate on tables, computed in the engine.

The funnel's rule (metrics/funnel.py) is a chain per person: t0 is their
earliest event of the first step, and t(k) their earliest event of step k at
or after t(k-1), at most ``window`` after t0. Each link is a minimum over the
person's events given the link before, so the chain is computed exactly, one
step at a time, as a minimum over each person's rows (a window ``min() over
person``): no row order, no Python loop over rows. A person who has not
reached step k-1 gets a sentinel beyond every instant for t(k-1), so no event
qualifies for step k (integers stay integers on every engine: a missing value
would turn pandas' int64 into float64 and round the microseconds).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._framed.columns import count_where, one_column, series
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
    table,
    whole,
)

_FEATURE: Final = "funnel on a table"
_READS: Final = {"person_id": ID, "step": TEXT, "at": TIME}
# Beyond every instant a table holds (the year 9999 is about 2.5e17 microseconds
# after 1970), and far enough from 2**63 that ``us - _NEVER`` cannot overflow.
_NEVER: Final = 2**62
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
    us, person = col("us"), "person_id"
    for position, step in enumerate(steps):
        here = col("step") == step
        if position:
            here = here & (us >= col(f"t{position - 1}"))
            if limit is not None:
                here = here & (us - col("t0") <= limit)
        events = events.with_columns(
            nw.when(here).then(us).otherwise(nw.lit(_NEVER)).alias(f"c{position}")
        )
        events = events.with_columns(col(f"c{position}").min().over(person).alias(f"t{position}"))
    people = events.group_by(person).agg(*(col(f"t{k}").min() for k in range(len(steps))))
    people = people.with_columns(
        *(
            nw.when(col(f"t{k}") < _NEVER).then(1).otherwise(0).alias(f"r{k}")
            for k in range(len(steps))
        )
    )
    totals = people.select(
        nw.len().alias("people"), *(col(f"r{k}").sum() for k in range(len(steps)))
    )
    (row,) = bound.collect(totals)
    reached = tuple(whole(row[f"r{k}"]) for k in range(len(steps)))
    return FunnelCounts(reached, whole(row["people"]) - reached[0], skipped)


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


# -- conversion_rate(variant="distinct_ids") ----------------------------------------------

_ID_INSTEAD: Final = (
    "this Series is indexed by something other than 0, 1, 2, ..., so it could be ids per "
    "key or counts per id: pass .reset_index(drop=True) or list(ids) of the ids themselves"
)


def framed_distinct_ids(visitors: Any, converted: Any, *, columns: Any) -> tuple[int, int]:
    """``(distinct converted ids, distinct visitor ids)`` of two Series or tables of one engine.

    Each is a Series, a one-column table, or a table whose ``person_id``
    column (or the one ``columns={"person_id": ...}`` names) holds the ids.
    Refuses a missing or empty id, two engines, and a converted id that is
    not among the visitors (it belongs to another period or site), naming
    the column.
    """
    feature = "conversion_rate on a table"
    given = (("visitors", visitors), ("converted", converted))
    for (argument, value), (other, other_value) in zip(given, reversed(given), strict=True):
        if not (table(value) or series(value)):
            raise InvalidType(
                argument,
                value,
                f"ids in a Series or table of the same engine as {other} "
                f"({type(other_value).__name__}), or both as lists of ids",
            )
    sides = {}
    for argument, value in given:
        sides[argument] = one_column(
            argument,
            value,
            name="person_id",
            kind=ID,
            columns=columns,
            expected="an iterable of person ids (strings or ints)",
            instead=_ID_INSTEAD,
            feature=feature,
        )
    (people, people_at), (buyers, buyers_at) = sides["visitors"], sides["converted"]
    nw = people.nw
    if buyers.backend != people.backend:
        raise InvalidField(
            "converted",
            type(converted).__name__,
            f"ids of the same engine as visitors ({people.backend}), so the engine compares them",
        )
    counts = {argument: _distinct_ids(bound, place) for argument, (bound, place) in sides.items()}
    if counts["converted"]:
        visitor_ids, buyer_ids = people.frame, buyers.frame
        text = nw.String
        if (visitor_ids.collect_schema()["person_id"] == text) != (
            buyer_ids.collect_schema()["person_id"] == text
        ):  # strings and integers: no converted id is a visitor's (1 is not "1")
            example = buyers.collect(buyer_ids.select(nw.col("person_id").min()))[0]["person_id"]
            raise InvalidField(buyers_at, example, _NOT_A_VISITOR.format(place=people_at))
        if visitor_ids.collect_schema()["person_id"] != text:  # integers of any width
            visitor_ids = visitor_ids.with_columns(nw.col("person_id").cast(nw.Int64))
            buyer_ids = buyer_ids.with_columns(nw.col("person_id").cast(nw.Int64))
        if buyers.lazy != people.lazy:
            visitor_ids, buyer_ids = visitor_ids.lazy(), buyer_ids.lazy()
        try:
            strangers = (
                buyer_ids.unique(["person_id"])
                .join(visitor_ids.unique(["person_id"]), on="person_id", how="anti")
                .select(nw.len().alias("ids"), nw.col("person_id").min())
            )
            (found,) = buyers.collect(strangers)
        except Exception as error:  # the engine's own error type, imported by the caller only
            if "different connections" not in str(error):
                raise
            raise InvalidField(
                "converted",
                type(converted).__name__,
                "a relation of the same DuckDB connection as visitors, so the two can be joined",
            ) from None
        if whole(found["ids"]):
            raise InvalidField(
                buyers_at, found["person_id"], _NOT_A_VISITOR.format(place=people_at)
            )
    return counts["converted"], counts["visitors"]


_NOT_A_VISITOR: Final = "the id of one of {place}: a visitor converts"


def _distinct_ids(bound: Bound, place: str) -> int:
    """The distinct ids of a bound id column; a missing or empty id is refused at ``place``."""
    nw = bound.nw
    ids = nw.col("person_id")
    checks: list[tuple[str, Any]] = [
        ("nulls", count_where(nw, ids.is_null())),
        ("distinct", ids.n_unique()),
    ]
    if bound.frame.collect_schema()["person_id"] == nw.String:
        checks.append(("empty", count_where(nw, ids == "")))
    found = audit(bound, checks)
    missing = whole(found["nulls"])
    if missing:
        raise InvalidField(place, None, f"an id in every row ({missing:,} rows have none)")
    if whole(found.get("empty")):
        raise InvalidField(place, "", "a non-empty string or an int in every row")
    return whole(found["distinct"])
