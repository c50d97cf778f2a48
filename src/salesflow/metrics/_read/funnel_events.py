"""Reading funnel events (private): records in, one :data:`FunnelEvent` row per record out.

The keys are documented on docs/metrics.md ("Funnel"). A plain dict of the
common shape takes a fast path; anything else, and every fault, is checked
key by key by :func:`funnel_event` and refused naming it (``rows[12].at``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Final

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
