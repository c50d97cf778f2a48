"""time_in_status and time_in_lead_stages on a table of changes: stays summed in the engine.

The table is what an analyst exports from an event store: one row per change
of an order's status (``order_id, status, at``) or of a lead's stage
(``lead_id, stage, at``), the creation included (an order's first row is
``received``, a lead's ``awareness``). An optional ``version`` column (the
event's version) orders the changes; without it they are ordered by time,
and two changes of one order at the same instant are refused (their order
would decide which status the time between them counts in).

Each row's stay runs to the next row of the same order (or lead), by window
functions over the order's rows; the last one, when the status is not final,
runs to ``now``. Only the per-status multiset of stay totals leaves the
engine, as (span, how many) pairs.

Checked as a history is when replayed, on what the table carries: the first
row is the creation, every move is one the lifecycle allows (a resume or a
reactivation returns where the delay or the loss interrupted), nothing
follows a final status, times do not go back, nothing is after ``now``. A
lead's fast track to decision needs a qualification, an event the stage
table does not carry: it is taken as recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any, Final

import attrs

from salesflow.errors import InvalidField
from salesflow.leads import LeadStage
from salesflow.leads.lifecycle import TRANSITIONS as LEAD_MOVES
from salesflow.metrics._framed.windows import (
    exact_nulls,
    span_counts,
    us,
    with_neighbours,
    with_running_sum,
)
from salesflow.metrics._read.frames import (
    COUNT,
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
from salesflow.metrics._read.scope import after_now
from salesflow.orders import OrderStatus
from salesflow.orders.lifecycle import INTERRUPTIBLE
from salesflow.orders.lifecycle import TRANSITIONS as ORDER_MOVES
from salesflow.periods import Period


@attrs.frozen
class History:
    """How one aggregate's changes read as a table (private): its columns and its moves.

    ``moves`` maps a state to the states a change may lead to from it;
    ``resumes`` does so for the ``overlay`` state (delayed, lost) by the
    state it interrupted. ``timed`` are the states whose stays are measured.
    ``names_now``: a change after ``now`` is refused naming ``now``, as the
    records path of time_in_lead_stages does (else naming the ``at`` column).
    """

    noun: str
    argument: str
    key: str
    state: str
    first: str
    overlay: str
    moves: Mapping[str, frozenset[str]]
    resumes: Mapping[str, frozenset[str]]
    timed: tuple[str, ...]
    feature: str
    names_now: bool = False

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(sorted({*self.moves, self.overlay, *self.timed}))


def _targets(moves: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(target.value for target in moves.values())


ORDER_HISTORY: Final = History(
    noun="order",
    argument="orders",
    key="order_id",
    state="status",
    first=OrderStatus.RECEIVED.value,
    overlay=OrderStatus.DELAYED.value,
    moves={
        status.value: _targets(ORDER_MOVES.table[(status, None)])
        for status in OrderStatus
        if status is not OrderStatus.DELAYED
    },
    resumes={
        status.value: _targets(ORDER_MOVES.table[(OrderStatus.DELAYED, status)])
        for status in INTERRUPTIBLE
    },
    timed=tuple(status.value for status in OrderStatus if not status.is_final),
    feature="time_in_status on a table",
)

ORDER_COLUMNS: Final = ("order_id", "status", "at", "version")

# A fast track needs the lead qualified, a fact the stage table does not carry:
# the moves allowed with or without it are taken together.
LEAD_HISTORY: Final = History(
    noun="lead",
    argument="leads",
    key="lead_id",
    state="stage",
    first=LeadStage.AWARENESS.value,
    overlay=LeadStage.LOST.value,
    moves={
        stage.value: _targets(LEAD_MOVES.table[(stage, (None, False))])
        | _targets(LEAD_MOVES.table[(stage, (None, True))])
        for stage in LeadStage
        if stage is not LeadStage.LOST
    },
    resumes={
        stage.value: _targets(LEAD_MOVES.table[(LeadStage.LOST, (stage, False))])
        | _targets(LEAD_MOVES.table[(LeadStage.LOST, (stage, True))])
        for stage in LeadStage
        if stage.is_open
    },
    timed=tuple(stage.value for stage in LeadStage),
    feature="time_in_lead_stages on a table",
    names_now=True,
)


class Stays:
    """What a table of changes gives: the aggregates counted, and per timed state
    one total per aggregate that was in it and how many were still there at ``now``."""

    __slots__ = ("count", "ongoing", "spans")

    def __init__(
        self, count: int, spans: dict[str, list[timedelta]], ongoing: dict[str, int]
    ) -> None:
        self.count = count
        self.spans = spans
        self.ongoing = ongoing


def framed_stays(
    native: Any,
    history: History,
    *,
    now: datetime,
    period: Period | None,
    columns: Any,
    naive_zone: Any,
) -> Stays:
    """Per timed state, each aggregate's total time in it (its stays summed, an open
    one up to ``now``): the table ``native`` of changes, computed in its engine.

    With ``period``, only the aggregates created in it count (the time of
    their first row).
    """
    key, state = history.key, history.state
    bound = bind(
        history.argument,
        native,
        reads={key: ID, state: TEXT, "at": TIME, "version": COUNT},
        optional=("version",),
        columns=columns,
        naive_zone=naive_zone,
        feature=history.feature,
    )
    nw = bound.nw
    order = ["version"] if bound.has("version") else ["_us"]
    frame = epoch_microseconds(nw, exact_nulls(nw, bound.frame), "at", "_us")
    shifts = [("_us", 1, "_prev_us"), ("_us", -1, "_next_us"), (state, 1, "_prev")]
    if bound.has("version"):
        shifts.append(("version", -1, "_next_version"))
    frame = with_neighbours(nw, frame, key=key, order=order, shifts=shifts)
    # The state an overlay interrupted: the latest state before it that is not the overlay.
    frame = frame.with_columns(
        (nw.col(state) != history.overlay).cast(nw.Int64).alias("_resumable"),
        nw.when(nw.col(state) != history.overlay).then(nw.col(state)).alias("_resumed"),
    )
    frame = with_running_sum(nw, frame, key=key, order=order, column="_resumable", alias="_run")
    frame = frame.with_columns(nw.col("_resumed").max().over(key, "_run").alias("_base"))
    frame = with_neighbours(nw, frame, key=key, order=order, shifts=[("_base", 1, "_interrupted")])
    frame = frame.with_columns(_legal(nw, history).fill_null(False).alias("_legal"))
    _audit(bound, frame, history, now, order)

    if period is not None:
        placed = nw.col("_us").min().over(key)
        frame = frame.with_columns(placed.alias("_placed")).filter(
            (nw.col("_placed") >= us(period.start)) & (nw.col("_placed") < us(period.end))
        )
    stays = (
        frame.filter(nw.col(state).is_in(list(history.timed)))
        .with_columns(
            (nw.col("_next_us").fill_null(us(now)) - nw.col("_us")).alias("_span"),
            nw.col("_next_us").is_null().cast(nw.Int64).alias("_open"),
        )
        .group_by(key, state)
        .agg(nw.col("_span").sum(), nw.col("_open").max())
    )
    spans: dict[str, list[timedelta]] = {name: [] for name in history.timed}
    ongoing = dict.fromkeys(history.timed, 0)
    for name, still, span, times in span_counts(bound, stays, keys=(state, "_open"), span="_span"):
        spans[name].extend([span] * times)
        if whole(still):
            ongoing[name] += times
    return Stays(len(spans[history.first]), spans, ongoing)


def _legal(nw: Any, history: History) -> Any:
    """Whether a row's state is a move the lifecycle allows from the row before it."""
    before, state = nw.col("_prev"), nw.col(history.state)
    terms = [
        (before == origin) & state.is_in(sorted(targets))
        for origin, targets in history.moves.items()
        if targets
    ]
    terms += [
        (before == history.overlay)
        & (nw.col("_interrupted") == interrupted)
        & state.is_in(sorted(targets))
        for interrupted, targets in history.resumes.items()
    ]
    return reduce(or_, terms)


def _audit(bound: Bound, frame: Any, history: History, now: datetime, order: list[str]) -> None:
    """One aggregate query over the changes; a refusal names the caller's column."""
    nw = bound.nw
    key, state = nw.col(history.key), nw.col(history.state)
    first = nw.col("_prev_us").is_null()
    checks: list[tuple[str, Any]] = [
        (f"{name}__nulls", nw.col(name).is_null().cast(nw.Int64).sum()) for name in bound.source
    ]
    if bound.frame.collect_schema()[history.key] == nw.String:
        checks.append(("key__empty", (key == "").cast(nw.Int64).sum()))
    unknown = ~state.is_in(list(history.states)) & ~state.is_null()
    checks += [
        ("state__unknown", nw.when(unknown).then(state).min()),
        ("at__max", nw.col("_us").max()),
        ("first__wrong", nw.when(first & (state != history.first)).then(key).min()),
        ("move__illegal", nw.when(~first & ~nw.col("_legal")).then(key).min()),
    ]
    if bound.has("version"):
        twice = nw.col("_next_version") == nw.col("version")
        checks.append(("version__twice", nw.when(twice).then(key).min()))
        checks.append(("at__back", nw.when(nw.col("_prev_us") > nw.col("_us")).then(key).min()))
    else:
        checks.append(("at__tied", nw.when(nw.col("_next_us") == nw.col("_us")).then(key).min()))
    found = audit(Bound(nw, bound.argument, frame, bound.source, bound.lazy), checks)
    for name in bound.source:
        nulls = whole(found[f"{name}__nulls"])
        if nulls:
            raise InvalidField(
                bound.field(name), None, f"a value in every row ({nulls:,} rows have none)"
            )
    if found.get("key__empty"):
        raise InvalidField(
            bound.field(history.key), "", "a non-empty string or an int in every row"
        )
    if found_value(found["state__unknown"]):
        raise InvalidField(
            bound.field(history.state),
            found["state__unknown"],
            f"a {history.noun} {history.state}, one of {', '.join(history.states)}",
        )
    if found_value(found["at__max"]) and whole(found["at__max"]) > us(now):
        _after_now(bound, frame, history, now, order)
    if found_value(found.get("version__twice")):
        row = _offender(bound, frame, nw.col("_next_version") == nw.col("version"), history, order)
        raise InvalidField(
            bound.field("version"),
            row["version"],
            f"each version once per {history.noun} ({history.noun} {row[history.key]!r} has "
            f"two changes at version {row['version']})",
        )
    if found_value(found.get("at__back")):
        row = _offender(bound, frame, nw.col("_prev_us") > nw.col("_us"), history, order)
        raise InvalidField(
            bound.field("at"),
            instant(row["at"]),
            f"a time on or after the change before it in version order ({history.noun} "
            f"{row[history.key]!r}, version {row['version']})",
        )
    if found_value(found.get("at__tied")):
        row = _offender(bound, frame, nw.col("_next_us") == nw.col("_us"), history, order)
        raise InvalidField(
            bound.field("at"),
            instant(row["at"]),
            f"one change of each {history.noun} per instant ({history.noun} "
            f"{row[history.key]!r} has two): give the events' version column "
            "(columns={'version': ...}) to order changes at the same instant",
        )
    if found_value(found["first__wrong"]):
        row = _offender(bound, frame, first & (state != history.first), history, order)
        raise InvalidField(
            bound.field(history.state),
            row[history.state],
            f"{history.first!r} in the first row of each {history.noun}, its creation "
            f"({history.noun} {row[history.key]!r} starts at {instant(row['at']).isoformat()})",
        )
    if found_value(found["move__illegal"]):
        row = _offender(bound, frame, ~first & ~nw.col("_legal"), history, order)
        raise InvalidField(
            bound.field(history.state),
            row[history.state],
            f"a move the {history.noun} lifecycle allows: {_allowed(history, row)} "
            f"({history.noun} {row[history.key]!r} at {instant(row['at']).isoformat()})",
        )


def _allowed(history: History, row: dict[str, Any]) -> str:
    before = row["_prev"]
    if before == history.overlay:
        interrupted = row["_interrupted"]
        targets = history.resumes.get(interrupted, frozenset())
        origin = f"{before} (interrupting {interrupted})"
    else:
        targets = history.moves.get(before, frozenset())
        origin = str(before)
    if not targets:
        return f"nothing after {origin}, a final {history.state}"
    return f"from {origin}, one of {', '.join(sorted(targets))}"


def _offender(
    bound: Bound, frame: Any, condition: Any, history: History, order: list[str]
) -> dict[str, Any]:
    """The first row (by key, then in order) where ``condition`` holds, for a message."""
    names = [history.key, history.state, "at", "_prev", "_interrupted"]
    if bound.has("version"):
        names.append("version")
    query = frame.filter(condition).sort(history.key, *order).head(1).select(*names)
    (row,) = bound.collect(query)
    return row


def _after_now(bound: Bound, frame: Any, history: History, now: datetime, order: list[str]) -> None:
    nw = bound.nw
    row = _offender(bound, frame, nw.col("_us") > us(now), history, order)
    if history.names_now:
        latest = bound.collect(
            frame.filter(nw.col(history.key) == row[history.key]).select(nw.col("at").max())
        )[0]["at"]
        raise InvalidField(
            "now",
            now,
            f"a time on or after every {history.noun}'s latest change "
            f"({history.noun} {row[history.key]!r} "
            f"changed at {instant(latest).isoformat()})",
        )
    raise after_now(now, bound.field("at"), instant(row["at"]))
