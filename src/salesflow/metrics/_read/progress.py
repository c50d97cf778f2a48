"""Progress on long inputs: the optional ``progress`` hook of the records-path metrics.

The caller passes a callable taking a row count, or an object with
``.update(n)`` (a tqdm bar); the reader reports every :data:`EVERY` rows and
once at the end with the remainder (docs/metrics.md, "Progress on long inputs").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from typing import Any, Final

from salesflow.errors import InvalidType

EVERY: Final = 10_000
"""Rows read between two calls of a progress hook (the last call gets the remainder)."""

Report = Callable[[int], object]

_EXPECTED: Final = (
    "None, a callable taking the number of rows read since the last call, "
    "or an object with .update(n) such as a tqdm bar"
)


def reporter(field: str, value: Any) -> Report | None:
    """The hook ``value`` (at ``field``) as a callable taking a row count, or None."""
    if value is None:
        return None
    update = getattr(value, "update", None)
    if callable(update) and not isinstance(value, type | Mapping | Set):
        return update  # type: ignore[no-any-return]
    if callable(value) and not isinstance(value, type):
        return value  # type: ignore[no-any-return]
    raise InvalidType(field, value, _EXPECTED)


def counted(rows: Iterable[Any], report: Report) -> Iterator[Any]:
    """``rows`` in order, calling ``report(n)`` after each :data:`EVERY` rows and the remainder.

    An empty input calls nothing; the counts add up to the rows read. An
    exception raised by ``report`` propagates unchanged.
    """
    since = 0
    for row in rows:  # no read-ahead: a generator is pulled one row at a time
        yield row
        since += 1
        if since == EVERY:
            report(since)
            since = 0
    if since:
        report(since)
