"""Reading email messages (private): records in, one :data:`Message` row per message out.

The keys are documented on docs/metrics.md ("Email open, click and
click-to-open rates"). Opens and clicks on an undelivered message, or before
its delivery, are refused naming the record (``rows[3].opened_at``). A plain
dict of the common shape takes a fast path; anything else, and every fault,
goes through :func:`message`. A law test holds the two paths to the same rows
and errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Final

from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.fields import (
    identifier,
    items,
    optional_moment,
    required,
    row_at,
    where,
)

EXPECTED: Final = (
    "a mapping with the keys message_id, kind and delivered_at "
    "(from a DataFrame, pass df.to_dict('records'))"
)

_ROWS: Final = f"an iterable of records: {EXPECTED}"


Message = tuple[str, bool, bool, bool]
"""One message: ``(kind, delivered, opened, clicked)`` (a plain tuple: millions are read)."""


def _kind(field: str, value: Any) -> str:
    name = value.value if isinstance(value, Enum) else value
    if not isinstance(name, str):
        raise InvalidType(field, value, "a notification kind (a non-empty string)")
    if not name:
        raise InvalidField(field, value, "a notification kind (a non-empty string)")
    return str(name)


def _not_before(field: str, value: Any, moment: datetime | None, delivered: datetime) -> None:
    if moment is not None and moment < delivered:
        raise InvalidField(
            field, value, f"a moment not before delivered_at ({delivered.isoformat()})"
        )


def message(index: int, row: Any) -> Message:
    """One message, checked key by key (the thorough path)."""
    place = row_at("rows", index)
    if not isinstance(row, Mapping):
        raise InvalidType(place, row, EXPECTED)
    identifier(where(place, "message_id"), required(place, row, "message_id"))
    kind = _kind(where(place, "kind"), required(place, row, "kind"))
    delivered = optional_moment(where(place, "delivered_at"), required(place, row, "delivered_at"))
    opened = optional_moment(where(place, "opened_at"), row.get("opened_at"))
    clicked = optional_moment(where(place, "clicked_at"), row.get("clicked_at"))
    if delivered is None:
        for key, moment in (("opened_at", opened), ("clicked_at", clicked)):
            if moment is not None:
                raise InvalidField(
                    where(place, key),
                    row.get(key),
                    "None: the message was not delivered (delivered_at is None)",
                )
        return (kind, False, False, False)
    _not_before(where(place, "opened_at"), row.get("opened_at"), opened, delivered)
    _not_before(where(place, "clicked_at"), row.get("clicked_at"), clicked, delivered)
    return (kind, True, opened is not None, clicked is not None)


def messages(rows: Any) -> Iterator[Message]:
    """Every message of ``rows``, in order, read once; a bad record is refused by its index."""
    dt, text, whole, utc, plain = datetime, str, int, UTC, dict
    for index, row in enumerate(items("rows", rows, expected=_ROWS)):
        # The inline check accepts the common shape of a plain dict only;
        # anything else, including every fault, goes through message.
        if type(row) is plain:
            get = row.get
            number = get("message_id")
            kind = get("kind")
            delivered = get("delivered_at")
            opened = get("opened_at")
            clicked = get("clicked_at")
            if (
                type(kind) is text
                and kind != ""
                and type(delivered) is dt
                and delivered.tzinfo is utc
                and ((type(number) is text and number != "") or type(number) is whole)
                and (
                    opened is None
                    or (type(opened) is dt and opened.tzinfo is utc and opened >= delivered)
                )
                and (
                    clicked is None
                    or (type(clicked) is dt and clicked.tzinfo is utc and clicked >= delivered)
                )
            ):
                yield (kind, True, opened is not None, clicked is not None)
                continue
        yield message(index, row)
