"""Field primitives of the metrics reading layer: one definition each.

Every reader of metric inputs checks a value through these, so a field is
refused the same way, with the same message, whatever metric reads it. A
``field`` argument is the place of the value as the caller wrote it
(``orders[3].placed_at``); build it with :func:`row_at` and :func:`where`.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from salesflow import _check
from salesflow._results import INPUT_DIGITS, bounded_decimal, shown_int
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType
from salesflow.money import CURRENCY_MINOR_UNITS, Money

Id = str | int
"""A customer, order, session or person id: a non-empty string or an int, used exactly as given."""

ID_EXPECTED: Final = "a non-empty string or an int"
TIME_EXPECTED: Final = "a timezone-aware datetime or an ISO 8601 string with an offset"
MONEY_EXPECTED: Final = (
    "a Decimal, int or decimal string (floats are inexact: "
    "convert with Decimal(str(x)) or read the column as text)"
)
_COUNT_LIMIT: Final = 10**INPUT_DIGITS
_MOST_SCALE_STEPS: Final = 100
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# datetime's own subtraction, also for subclasses (a pandas Timestamp's "-"
# returns a pandas Timedelta): epoch + (moment - epoch) is the instant as a
# plain UTC datetime, whatever the zone or the class (nanoseconds dropped).
_SINCE: Final = datetime.__sub__


# -- places --------------------------------------------------------------------------


def row_at(name: str, index: int) -> str:
    """The place of one item of the argument ``name``: ``orders[3]``."""
    return f"{name}[{index}]"


def where(row: str, key: str) -> str:
    """The place of one key of an item: ``where("orders[3]", "amount")`` is ``orders[3].amount``."""
    return f"{row}.{key}"


def renamed(error: InvalidField, field: str) -> InvalidField:
    """The same refusal, naming ``field`` (the place as the caller wrote it)."""
    return type(error)(field, error.value, error.expected, context=error.context)


def shown_ids(ids: Iterable[Any], *, few: int = 5) -> str:
    """The first few of ``ids`` as a list for a message (``['a', 'b', ...]``, ``[]`` for none)."""
    shown: list[str] = []
    for number, item in enumerate(ids):
        if number == few:
            shown.append("...")
            break
        shown.append(repr(item))
    return f"[{', '.join(shown)}]"


# -- containers ------------------------------------------------------------------------


def items(field: str, value: Any, *, expected: str) -> Iterable[Any]:
    """``value`` as an iterable of items; a string, bytes or a single mapping is refused.

    ``expected`` is the whole description of the argument, shown when it is refused.
    """
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidType(field, value, expected)
    return value


def required(row: str, fields: Mapping[str, Any], key: str) -> Any:
    """``fields[key]``; a missing key is refused at ``row.key``."""
    try:
        return fields[key]
    except KeyError:
        raise InvalidField(where(row, key), None, "a value (it is missing)") from None


def absent(value: Any) -> bool:
    """None, or a DataFrame's missing value (NaN, NaT: not equal to itself).

    ``df.to_dict("records")`` gives NaN for a gap in a column of strings or
    numbers, and NaT in a column of times; in an optional key they mean None.
    A Decimal NaN is not a gap but a value, and is refused where it is read.
    """
    if value is None:
        return True
    if isinstance(value, Decimal):
        return False
    try:
        return bool(value != value)
    except Exception:
        return False


def _keyed(value: Any) -> bool:
    """A mapping, or a mapping-like value such as a pandas Series (it has ``.items()``)."""
    return isinstance(value, Mapping) or (
        not isinstance(value, str | bytes) and callable(getattr(value, "items", None))
    )


def _positional(value: Any) -> bool:
    """Whether a mapping-like value is keyed 0, 1, 2, ... in order (a DataFrame column's index)."""
    keys = getattr(value, "keys", None)
    if not callable(keys):
        return False
    return all(integer(key) == position for position, key in enumerate(keys()))


def keyed_items(field: str, value: Any, *, key: str, count: str) -> list[tuple[Any, Any]] | None:
    """The ``(key, count)`` pairs of a mapping or a Series, or None when ``value`` is not keyed.

    A Series keyed 0, 1, 2, ... is refused: it is as likely a DataFrame column
    (one value per row) as counts for the keys 0, 1, 2, and reading the wrong
    one would be silently wrong.
    """
    if not _keyed(value):
        return None
    if not isinstance(value, Mapping) and len(value) and _positional(value):
        raise InvalidType(
            field,
            value,
            f"a mapping or Series of {key} -> {count}; this one is indexed 0, 1, 2, ... like a "
            f"column of {key}s, so it is ambiguous: pass .tolist() for one {key} per item, or "
            f".to_dict() for counts per {key}",
        )
    return list(value.items())


def values_of(field: str, value: Any, *, expected: str, instead: str) -> Any:
    """An iterable of plain values; a mapping, or a Series with a meaningful index, is refused.

    A Series keyed 0, 1, 2, ... (a DataFrame column) gives its values. One
    keyed by anything else could be values per key or counts per value, so
    it is refused with ``instead``, the unambiguous way to pass it.
    """
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidType(field, value, expected)
    if _keyed(value) and (isinstance(value, Mapping) or not _positional(value)):
        raise InvalidType(field, value, f"{expected} ({instead})")
    return _arrow_values(value)


def _arrow_values(value: Any) -> Any:
    """A pyarrow array's values as Python objects, chunk by chunk; anything else as it is.

    Iterating a pyarrow array gives pyarrow scalars (a ``StringScalar`` is no
    string); its ``to_pylist()`` gives the values.
    """
    kind = type(value)
    if kind.__module__.partition(".")[0] != "pyarrow" or not kind.__name__.endswith("Array"):
        return value
    chunks = getattr(value, "chunks", None)  # a ChunkedArray
    return (item for chunk in ([value] if chunks is None else chunks) for item in chunk.to_pylist())


# -- scalars --------------------------------------------------------------------------


def integer(value: Any) -> int | None:
    """``value`` as an int when it is an integer (an int, or a scalar such as numpy's
    ``int64`` that says so through ``__index__``), else None. Bools are not numbers here."""
    if isinstance(value, bool):
        return None
    if type(value) is int:
        return value
    try:
        return operator.index(value)
    except TypeError:
        return None


def whole_number(field: str, value: Any, *, minimum: int = 0, context: str = "") -> int:
    """A whole number of at least ``minimum``: an int or an integer scalar (numpy's ``int64``).

    Read through ``operator.index``, so numpy is never imported; bools,
    floats (even 2.0) and Decimals are refused.
    """
    number = integer(value)
    if number is None:
        raise InvalidType(field, value, f"a whole number of at least {minimum}", context=context)
    if number < minimum:
        raise InvalidField(field, value, f"a whole number of at least {minimum}", context=context)
    if number >= _COUNT_LIMIT:
        raise InvalidField(
            field,
            shown_int(number),
            f"a whole number from {minimum} to below 10**30",
            context=context,
        )
    return number


def decimal_number(field: str, value: Any, *, low: int | None, high: int | None = None) -> Decimal:
    """An exact int or Decimal within [low, high] (a bound of None is open); floats are refused."""
    if low is not None and high is not None:
        expected = f"an int or Decimal from {low} to {high} (floats are inexact)"
    elif low is not None:
        expected = f"an int or Decimal of at least {low} (floats are inexact)"
    else:
        expected = "an int or Decimal (floats are inexact)"
    if isinstance(value, Decimal):
        number = value
    else:
        whole = integer(value)
        if whole is None:
            raise InvalidType(field, value, expected)
        number = Decimal(whole)
    bounded_decimal(field, number)
    if (low is not None and number < low) or (high is not None and number > high):
        raise InvalidField(field, value, expected)
    return number


def count(field: str, value: Any) -> int:
    """A count: a whole number of at least 0 (see :func:`whole_number`)."""
    return whole_number(field, value, minimum=0)


def identifier(field: str, value: Any) -> Id:
    """A customer, order or person id: a non-empty string or an int, used exactly as given.

    Strings are not stripped: ``"a"`` and ``"a "`` are two ids, as they are
    two keys of a dict or two groups of a DataFrame. An integer scalar
    (numpy's ``int64``) is read as the int it is.
    """
    if isinstance(value, str):
        if not value:
            raise InvalidField(field, value, ID_EXPECTED)
        return value
    number = integer(value)
    if number is None:
        raise InvalidType(field, value, ID_EXPECTED)
    return number


def flag(field: str, value: Any, *, default: bool | None = None) -> bool:
    """True or False (a numpy ``bool_`` from a DataFrame counts); with a ``default``,
    an absent value (None, NaN) is that default, else it is refused."""
    if isinstance(value, bool):
        return value
    if default is not None and absent(value):
        return default
    item = getattr(value, "item", None)
    if callable(item) and type(value).__name__ == "bool_":
        return bool(item())
    raise InvalidType(field, value, "True or False" if default is None else "True, False or None")


def moment(field: str, value: Any) -> datetime:
    """``value`` as a plain ``datetime`` in UTC; naive or unparseable times are refused."""
    if isinstance(value, str):
        parsed = _check.parse_datetime(field, value)
    elif isinstance(value, datetime):
        parsed = _check.aware(field, value)
    else:
        raise InvalidType(field, value, TIME_EXPECTED)
    try:
        return _EPOCH + _SINCE(parsed, _EPOCH)
    except OverflowError:
        raise InvalidField(field, value, "a moment within the years 1 to 9999 in UTC") from None


def optional_moment(field: str, value: Any) -> datetime | None:
    """An optional aware time in UTC; None, NaT or NaN (a DataFrame's gap) is None."""
    return None if absent(value) else moment(field, value)


def amount(field: str, value: Any) -> Decimal:
    """An amount of at least 0: a Decimal, an int or a decimal string; floats are refused."""
    if isinstance(value, Decimal):
        number = value
    elif (whole := integer(value)) is not None:
        number = Decimal(whole)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            raise InvalidField(field, value, "a decimal number such as '19.99'") from None
    else:
        raise InvalidType(field, value, MONEY_EXPECTED)
    bounded_decimal(field, number)
    if number < 0:
        raise InvalidField(field, value, "an amount of at least 0")
    return number


def currency(field: str, value: Any, *, expected: str | None = None) -> str:
    """An ISO 4217 code, the same as ``expected`` (the items before it) when that is known."""
    if not isinstance(value, str) or value not in CURRENCY_MINOR_UNITS:
        raise InvalidField(field, value, "an ISO 4217 code such as 'EUR' or 'USD'")
    if expected is not None and value != expected:
        raise CurrencyMismatch(
            field,
            value,
            f"{expected!r} like the items before it (amounts in different currencies never "
            "mix: filter by currency and compute each separately)",
        )
    return str(value)


def survey_scale(field: str, value: Any) -> tuple[int, int]:
    """A survey's ``(lowest, highest)`` scale: whole numbers, lowest below highest,
    at most 100 steps apart (0-100 is the widest survey scale; every score on it is tallied)."""
    expected = (
        "a (lowest, highest) pair of whole numbers with lowest < highest, such as (1, 5), "
        f"at most {_MOST_SCALE_STEPS} apart"
    )
    if (
        not isinstance(value, tuple)
        or len(value) != 2
        or any(isinstance(end, bool) or not isinstance(end, int) for end in value)
    ):
        raise InvalidType(field, value, expected)
    low, high = value
    if not 0 < high - low <= _MOST_SCALE_STEPS:
        raise InvalidField(field, value, expected)
    return low, high


# -- attrs validators (a SalesflowError naming the field, never attrs' TypeError) -------


def id_attribute(instance: Any, attribute: Any, value: Any) -> None:
    """An attrs validator: an id (a non-empty string or an int)."""
    context = type(instance).__name__
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidType(attribute.name, value, ID_EXPECTED, context=context)
    if value == "":
        raise InvalidField(attribute.name, value, ID_EXPECTED, context=context)


def count_attribute(instance: Any, attribute: Any, value: Any) -> None:
    """An attrs validator: a whole number of at least 0."""
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)


def money_attribute(instance: Any, attribute: Any, value: Any) -> None:
    """An attrs validator: Money of at least 0."""
    if not isinstance(value, Money):
        raise InvalidType(attribute.name, value, "Money", context=type(instance).__name__)
    if value.amount < 0:
        raise InvalidField(
            attribute.name, value, "an amount of at least 0", context=type(instance).__name__
        )
