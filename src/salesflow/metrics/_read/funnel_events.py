"""Reading funnel events (private): records in, one :data:`FunnelEvent` row per record out,
and the strict-order rule that counts the people reaching each step (:func:`reached_counts`).

The keys are documented on docs/metrics.md ("Funnel"). A plain dict of the
common shape takes a fast path; anything else, and every fault, is checked
key by key by :func:`funnel_event` and refused naming it (``rows[12].at``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, Final

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.fields import (
    Id,
    identifier,
    items,
    moment,
    required,
    row_at,
    where,
)

PersonId = Id

EXPECTED: Final = (
    "a mapping with the keys person_id, step and at (from a DataFrame, pass df.to_dict('records'))"
)

_ROWS: Final = f"an iterable of event records: {EXPECTED}"

FunnelEvent = tuple[PersonId, int | None, datetime]
"""One event: ``(person, position, at)``: the position of its step in the funnel (None: a
step of another funnel, to skip), ``at`` in UTC (a plain tuple: millions are read)."""


# -- the arguments --------------------------------------------------------------------------


def funnel_steps(value: Any) -> tuple[str, ...]:
    """``steps``: at least two distinct names (an Enum member gives its value), in order."""
    expected = "at least two distinct step names (non-empty strings), in funnel order"
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidType("steps", value, expected)
    names: list[str] = []
    for index, step in enumerate(value):
        name = step.value if isinstance(step, Enum) else step
        name = _check.text(f"steps[{index}]", name)
        if name in names:
            raise InvalidField(f"steps[{index}]", step, "a step not already in the funnel")
        names.append(name)
    if len(names) < 2:
        raise InvalidField("steps", value, expected)
    return tuple(names)


def funnel_window(value: Any) -> timedelta | None:
    """``window``: a positive timedelta, or None for no window."""
    expected = "a positive timedelta (the conversion window), or None for no window"
    if value is None:
        return None
    if not isinstance(value, timedelta):
        raise InvalidType("window", value, expected)
    if value <= timedelta(0):
        raise InvalidField("window", value, expected)
    return value


def skips_other_steps(value: Any) -> bool:
    """True when rows of other steps are skipped."""
    if value == "skip" and isinstance(value, str):
        return True
    if value == "refuse" and isinstance(value, str):
        return False
    raise InvalidField("other_steps", value, "'refuse' or 'skip'")


def duration_words(value: timedelta) -> str:
    """``"30 days"``, ``"1 hour"``: a whole number of the largest unit that divides it."""
    for unit, name in (
        (timedelta(days=1), "day"),
        (timedelta(hours=1), "hour"),
        (timedelta(minutes=1), "minute"),
        (timedelta(seconds=1), "second"),
    ):
        if value % unit == timedelta(0):
            count = value // unit
            return f"{count} {name}" if count == 1 else f"{count} {name}s"
    return str(value)


def strict_order(window: timedelta | None) -> str:
    """The funnel's variant: ``"strict order, within 30 days of entry"``."""
    if window is None:
        return "strict order, no window"
    return f"strict order, within {duration_words(window)} of entry"


def funnel_event(
    index: int, row: Any, positions: Mapping[str, int], steps: tuple[str, ...], skip: bool
) -> FunnelEvent:
    """One event record, checked key by key (the thorough path)."""
    place = row_at("rows", index)
    if not isinstance(row, Mapping):
        raise InvalidType(place, row, EXPECTED)
    person = identifier(where(place, "person_id"), required(place, row, "person_id"))
    step = required(place, row, "step")
    if not isinstance(step, str):
        raise InvalidType(where(place, "step"), step, "a step name (a string)")
    position = positions.get(step)
    if position is None and not skip:
        raise InvalidField(
            where(place, "step"),
            step,
            f"one of the funnel's steps: {', '.join(steps)} "
            "(pass other_steps='skip' to leave other steps out)",
        )
    return person, position, moment(where(place, "at"), required(place, row, "at"))


def funnel_events(
    rows: Any, *, positions: Mapping[str, int], steps: tuple[str, ...], skip: bool
) -> Iterator[FunnelEvent]:
    """Every event of ``rows``, in order, read once; a bad record is refused by its index.

    ``positions`` maps each step of the funnel to its place; a record of
    another step is refused, or yielded with position None when ``skip``.
    """
    find = positions.get
    dt, text, whole, utc, plain = datetime, str, int, UTC, dict
    for index, row in enumerate(items("rows", rows, expected=_ROWS)):
        # The inline check accepts the common shape of a plain dict only;
        # anything else, including every fault, goes through funnel_event.
        if type(row) is plain:
            person = row.get("person_id")
            at = row.get("at")
            step = row.get("step")
            position = find(step) if type(step) is text else None
            if (
                position is not None
                and type(at) is dt
                and at.tzinfo is utc
                and ((type(person) is text and person != "") or type(person) is whole)
            ):
                yield person, position, at
                continue
        yield funnel_event(index, row, positions, steps, skip)


_Event = tuple[int, datetime]


def _settle(events: list[_Event], window: timedelta | None) -> tuple[list[datetime], list[_Event]]:
    """One person's chain of reached steps, and the kept events that may still change it.

    The chain is the strict-order rule itself: t0 is the earliest entry, and
    t(k) the earliest event of step k at or after t(k-1), at most ``window``
    after t0. More events can only move a t(k) earlier, so an event is kept
    only while it could still count: one before t(k-1) (an earlier t(k-1)
    may reach it), or of a step beyond the chain; events after t(k), or
    beyond the window of t0, never can.
    """
    by_step: dict[int, list[datetime]] = {}
    for position, instant in events:
        by_step.setdefault(position, []).append(instant)
    entries = by_step.pop(0, None)
    if not entries:
        return [], events
    first = min(entries)
    chain = [first]
    previous, position = first, 1
    while position in by_step:
        eligible = [
            instant
            for instant in by_step[position]
            if instant >= previous and (window is None or instant - first <= window)
        ]
        if not eligible:
            break
        previous = min(eligible)
        chain.append(previous)
        position += 1
    kept: list[_Event] = []
    size = len(chain)
    for position, instants in by_step.items():
        before = chain[position - 1] if position <= size else None
        for instant in instants:
            if window is not None and instant - first > window:
                continue
            if before is None or instant < before:
                kept.append((position, instant))
    return chain, kept


def reached_counts(
    events: Iterable[FunnelEvent], steps: int, limit: timedelta | None
) -> tuple[list[int], int, int]:
    """``(reached per step, people without entry, rows skipped)`` of the strict-order funnel.

    Reads ``events`` once, front to back, holding per person only the
    moments of their chain (plus, for events out of time order, those that
    could still count; see :func:`_settle`). ``steps`` is the number of
    steps, ``limit`` the window from entry (None: none).
    """
    chains: dict[PersonId, list[datetime]] = {}
    pending: dict[PersonId, list[_Event]] = {}
    lookup, hold = chains.get, pending.get
    skipped = 0
    for person, position, at in events:
        if position is None:
            skipped += 1
            continue
        chain = lookup(person)
        if chain is None:
            if position:
                chains[person] = []
                pending[person] = [(position, at)]
            else:
                chains[person] = [at]
            continue
        size = len(chain)
        if not size:  # no entry yet: keep everything until one arrives
            if position:
                pending[person].append((position, at))
                continue
        else:
            if position < size and at >= chain[position]:
                continue  # a repeat, or later than the step already counted
            if position and limit is not None and at - chain[0] > limit:
                continue  # beyond the window: t0 only moves earlier, so never
            if position == size and at >= chain[-1] and person not in pending:
                chain.append(at)  # the next step, in order: the common case
                continue
            if position and (position > size or at < chain[position - 1]):
                kept = hold(person)
                if kept is None:
                    pending[person] = [(position, at)]
                else:
                    kept.append((position, at))
                continue
        # The chain may change: settle it again from everything kept.
        held = pending.pop(person, [])
        held.extend(enumerate(chain))
        held.append((position, at))
        chain[:], rest = _settle(held, limit)
        if rest:
            pending[person] = rest
    lengths = Counter(len(chain) for chain in chains.values())
    without_entry = lengths.pop(0, 0)
    reached = [sum(count for size, count in lengths.items() if size > k) for k in range(steps)]
    return reached, without_entry, skipped
