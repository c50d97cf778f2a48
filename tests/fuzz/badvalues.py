"""The classes of bad value the suite puts in place of each argument, one at a time.

Each class has a name (it appears in the test's failure report) and one
representative value. A value is built fresh for each call (``make()``), so a
callee that mutates its argument cannot spoil the next call.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from salesflow import Money

FAR_EAST = timezone(timedelta(hours=14))
FAR_WEST = timezone(timedelta(hours=-14))


class Foreign(enum.Enum):
    """A member of an enum salesflow has never heard of (an unknown enum value)."""

    MEMBER = "no_such_member"


class Opaque:
    """An object of no type salesflow knows (a plain ``object()`` with a readable repr)."""

    def __repr__(self) -> str:
        return "<Opaque object>"


BAD_VALUES: dict[str, Callable[[], Any]] = {
    "None": lambda: None,
    "int": lambda: 7,
    "str": lambda: "bogus",
    "list": lambda: [1],
    "dict": lambda: {"x": 1},
    "object": Opaque,
    "bool": lambda: True,
    "float": lambda: 1.5,
    "float nan": lambda: float("nan"),
    "naive datetime": lambda: datetime(2026, 11, 23, 9, 0),
    "datetime.min UTC": lambda: datetime.min.replace(tzinfo=UTC),
    "datetime.max UTC": lambda: datetime.max.replace(tzinfo=UTC),
    "datetime.min +14:00": lambda: datetime.min.replace(tzinfo=FAR_EAST),
    "datetime.max -14:00": lambda: datetime.max.replace(tzinfo=FAR_WEST),
    "date.min": lambda: date.min,
    "date.max": lambda: date.max,
    "timedelta.max": lambda: timedelta.max,
    "negative timedelta": lambda: timedelta(hours=-1),
    "Decimal NaN": lambda: Decimal("NaN"),
    "Decimal Infinity": lambda: Decimal("Infinity"),
    "Decimal -Infinity": lambda: Decimal("-Infinity"),
    "huge Decimal": lambda: Decimal("1E+999999"),
    "tiny Decimal": lambda: Decimal("1E-999999"),
    "huge int": lambda: 10**30,
    "negative int": lambda: -1,
    "empty str": lambda: "",
    "huge str": lambda: "x" * 10**6,
    "unknown enum value": lambda: Foreign.MEMBER,
    "other currency Money": lambda: Money("1", "GBP"),
    "unhashable empty list": list,
    "unhashable empty dict": dict,
    "list of unhashable": lambda: [{"id": "x"}],
    "huge Money": lambda: Money("1E+26", "EUR"),
}
"""Every class of bad value, by name."""

UNKNOWN_KEYWORD = "no_such_option"
"""The keyword passed to verbs that take ``**options``: a typo must be a clear error."""


def shown(value: Any) -> tuple[str, ...]:
    """The ways a message may show ``value``: a prefix of its repr or str.

    Also accepted: an enum's value, a date's ISO form, a collection as the
    tuple a converter made of it or one of its first elements (the one the
    message singles out), and a Money's currency (in a currency mismatch).
    """
    if isinstance(value, enum.Enum):
        value = value.value
    forms = [repr(value), str(value)]
    if isinstance(value, (date, datetime)):
        forms.append(value.isoformat())
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        forms += [repr(tuple(value)), repr(list(value))]
        forms += [repr(item) for item in list(value)[:3]]
    if isinstance(value, Money):
        forms.append(repr(value.currency))
    return tuple(form[:20] for form in forms)
