"""Reading email messages (private): records in, one :class:`Message` row per message out.

The keys are documented on docs/metrics.md ("Email open, click and
click-to-open rates"). Opens and clicks on an undelivered message, or before
its delivery, are refused naming the record (``rows[3].opened_at``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Final, NamedTuple

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read._interim import optional_time, records
from salesflow.metrics._records import _identifier, _required, _where

EXPECTED: Final = (
    "a mapping with the keys message_id, kind and delivered_at "
    "(from a DataFrame, pass df.to_dict('records'))"
)


class Message(NamedTuple):
    """One message: its kind, and whether it was delivered, opened and clicked."""

    kind: str
    delivered: bool
    opened: bool
    clicked: bool


def kind_filter(value: Any) -> str | None:
    """A kind to select (a string or an enum member such as an OrderStatus), or None for all."""
    if value is None:
        return None
    name = value.value if isinstance(value, Enum) else value
    return _check.text("kind", name)


def _kind(index: int, value: Any) -> str:
    name = value.value if isinstance(value, Enum) else value
    if not isinstance(name, str):
        raise InvalidType(_where(index, "kind"), value, "a notification kind (a non-empty string)")
    if not name:
        raise InvalidField(_where(index, "kind"), value, "a notification kind (a non-empty string)")
    return str(name)


def _not_before(
    index: int, key: str, value: Any, moment: datetime | None, delivered: datetime
) -> None:
    if moment is not None and moment < delivered:
        raise InvalidField(
            _where(index, key), value, f"a moment not before delivered_at ({delivered.isoformat()})"
        )


def _read_message(index: int, row: Any) -> Message:
    """One message, checked key by key (the thorough path)."""
    if not isinstance(row, Mapping):
        raise InvalidType(f"rows[{index}]", row, EXPECTED)
    _identifier(index, "message_id", _required(index, row, "message_id"))
    kind = _kind(index, _required(index, row, "kind"))
    delivered = optional_time(index, "delivered_at", _required(index, row, "delivered_at"))
    opened = optional_time(index, "opened_at", row.get("opened_at"))
    clicked = optional_time(index, "clicked_at", row.get("clicked_at"))
    if delivered is None:
        for key, moment in (("opened_at", opened), ("clicked_at", clicked)):
            if moment is not None:
                raise InvalidField(
                    _where(index, key),
                    row.get(key),
                    "None: the message was not delivered (delivered_at is None)",
                )
        return Message(kind, False, False, False)
    _not_before(index, "opened_at", row.get("opened_at"), opened, delivered)
    _not_before(index, "clicked_at", row.get("clicked_at"), clicked, delivered)
    return Message(kind, True, opened is not None, clicked is not None)


def messages(rows: Any) -> Iterator[Message]:
    """Every message of ``rows``, in order, read once; a bad record is refused by its index."""
    dt, text, whole, utc, message = datetime, str, int, UTC, Message
    for index, row in enumerate(records(rows, EXPECTED)):
        try:
            identifier = row["message_id"]
            kind = row["kind"]
            delivered = row["delivered_at"]
            get = row.get
            opened = get("opened_at")
            clicked = get("clicked_at")
        except Exception:
            kind = delivered = None
        if (
            type(kind) is text
            and kind != ""
            and type(delivered) is dt
            and delivered.tzinfo is utc
            and ((type(identifier) is text and identifier != "") or type(identifier) is whole)
            and (
                opened is None
                or (type(opened) is dt and opened.tzinfo is utc and opened >= delivered)
            )
            and (
                clicked is None
                or (type(clicked) is dt and clicked.tzinfo is utc and clicked >= delivered)
            )
        ):
            yield message(kind, True, opened is not None, clicked is not None)
        else:
            yield _read_message(index, row)
