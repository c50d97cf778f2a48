"""Reading page views (private): records in, one :data:`PageView` row per view out.

The keys are documented on docs/metrics.md ("Engagement"). A plain dict of
the common shape takes a fast path; anything else, and every fault, is
checked key by key by :func:`page_view` and refused naming it
(``rows[12].at``). A law test holds the two paths to the same rows and errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.fields import (
    Id,
    flag,
    identifier,
    items,
    moment,
    optional_moment,
    required,
    row_at,
    where,
)

SessionId = Id

EXPECTED: Final = (
    "a mapping with the keys session_id, page and at (from a DataFrame, pass df.to_dict('records'))"
)

_ROWS: Final = f"an iterable of records: {EXPECTED}"


PageView = tuple[SessionId, str, datetime, bool, datetime | None]
"""One page view: ``(session, page, at, converted, left_at)``, times in UTC (a plain tuple:
millions are read)."""


def _page(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidType(field, value, "a page (a non-empty string)")
    if not value:
        raise InvalidField(field, value, "a page (a non-empty string)")
    return str(value)


def page_view(index: int, row: Any) -> PageView:
    """One page view, checked key by key (the thorough path)."""
    place = row_at("rows", index)
    if not isinstance(row, Mapping):
        raise InvalidType(place, row, EXPECTED)
    session = identifier(where(place, "session_id"), required(place, row, "session_id"))
    page = _page(where(place, "page"), required(place, row, "page"))
    at = moment(where(place, "at"), required(place, row, "at"))
    converted = flag(where(place, "converted"), row.get("converted"), default=False)
    left = optional_moment(where(place, "left_at"), row.get("left_at"))
    if left is not None and left < at:
        raise InvalidField(
            where(place, "left_at"),
            row.get("left_at"),
            f"a moment not before at ({at.isoformat()})",
        )
    return (session, page, at, converted, left)


def page_views(rows: Any) -> Iterator[PageView]:
    """Every page view of ``rows``, in order, read once; a bad record is refused by its index."""
    dt, text, whole, utc, plain = datetime, str, int, UTC, dict
    for index, row in enumerate(items("rows", rows, expected=_ROWS)):
        # The inline check accepts the common shape of a plain dict only;
        # anything else, including every fault, goes through page_view.
        if type(row) is plain:
            get = row.get
            session = get("session_id")
            page = get("page")
            at = get("at")
            converted = get("converted")
            left = get("left_at")
            if (
                type(at) is dt
                and at.tzinfo is utc
                and type(page) is text
                and page != ""
                and ((type(session) is text and session != "") or type(session) is whole)
                and (converted is None or converted is True or converted is False)
                and (left is None or (type(left) is dt and left.tzinfo is utc and left >= at))
            ):
                yield (session, page, at, converted is True, left)
                continue
        yield page_view(index, row)
