"""Small validators shared by the value types (private)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import (
    ROUND_05UP,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from enum import Enum
from typing import Any, Final, TypeVar

import attrs

from salesflow.errors import InvalidField, InvalidType

_E = TypeVar("_E", bound=Enum)
_T = TypeVar("_T")


def choice(kind: type[_E], field: str, value: Any, *, context: str = "") -> _E:
    """A member of the enum ``kind``, given as the member or its value."""
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except (ValueError, TypeError):
        expected = f"one of {', '.join(str(member.value) for member in kind)}"
        raise InvalidField(field, value, expected, context=context) from None


def text(field: str, value: Any, *, context: str = "") -> str:
    """A non-empty string, stripped of surrounding white space."""
    if not isinstance(value, str):
        raise InvalidType(field, value, "a non-empty string", context=context)
    stripped = value.strip()
    if not stripped:
        raise InvalidField(field, value, "a non-empty string", context=context)
    return stripped


def aware(field: str, value: Any, *, context: str = "") -> datetime:
    """A timezone-aware datetime; a naive one is refused, never guessed."""
    if not isinstance(value, datetime):
        raise InvalidType(field, value, "a timezone-aware datetime", context=context)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidType(
            field, value, "a timezone-aware datetime (this one is naive)", context=context
        )
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise InvalidField(
            field,
            value,
            "a datetime whose UTC instant lies within years 1 to 9999",
            context=context,
        ) from None
    return value


def calendar_date(field: str, value: Any, *, context: str = "") -> date:
    """A calendar date (a datetime is refused: it would hide a time zone choice)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidType(field, value, "a date (datetime.date, not a datetime)", context=context)
    return value


def whole(field: str, value: Any, *, minimum: int, context: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidType(field, value, f"a whole number of at least {minimum}", context=context)
    if value < minimum:
        raise InvalidField(field, value, f"a whole number of at least {minimum}", context=context)
    return value


def parse_datetime(field: str, value: Any) -> datetime:
    """An ISO 8601 datetime with an offset, from a serialised document."""
    if not isinstance(value, str):
        raise InvalidType(field, value, "an ISO 8601 datetime string with an offset")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidField(field, value, "an ISO 8601 datetime string with an offset") from None
    return aware(field, parsed)


def parse_date(field: str, value: Any) -> date:
    # YYYY-MM-DD only: fromisoformat also reads ISO week dates ("2026-W48-5"), which
    # the docs and the JSON Schemas ("format": "date") do not promise.
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise InvalidField(field, value, "an ISO 8601 date string (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidField(field, value, "an ISO 8601 date string (YYYY-MM-DD)") from None


def mapping(field: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidType(field, value, "a mapping (dict)")
    return value


def key(field: str, document: dict[str, Any], name: str) -> Any:
    try:
        return document[name]
    except KeyError:
        raise InvalidField(
            f"{field}.{name}" if field else name, None, "a value (it is missing)"
        ) from None


def only_keys(field: str, document: dict[str, Any], allowed: Any) -> None:
    """Refuse a document that carries a key not in ``allowed`` (naming the key).

    A reader that silently dropped an unknown key would accept a document
    that was added to; every document reader calls this.
    """
    for name in document:
        if name not in allowed:
            path = f"{field}.{name}" if field else str(name)
            raise InvalidField(
                path,
                document[name],
                f"no such key (allowed: {', '.join(sorted(allowed))})",
            )


def required_keys(field: str, document: dict[str, Any], kind: type) -> None:
    """Refuse ``document`` when it lacks a key the attrs class ``kind`` requires, naming it."""
    for attribute in attrs.fields(kind):
        if attribute.init and attribute.default is attrs.NOTHING:
            key(field, document, attribute.alias)


def decimal_text(field: str, value: Any) -> Decimal:
    if not isinstance(value, str):
        raise InvalidType(field, value, "a decimal number written as a string")
    try:
        return Decimal(value)
    except ArithmeticError:
        raise InvalidField(field, value, "a decimal number written as a string") from None


# attrs validators: the check above, named after the attribute and its class.


def text_field(instance: Any, attribute: Any, value: Any) -> None:
    text(attribute.name, value, context=type(instance).__name__)


def optional_text_field(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        text(attribute.name, value, context=type(instance).__name__)


def aware_field(instance: Any, attribute: Any, value: Any) -> None:
    aware(attribute.name, value, context=type(instance).__name__)


def date_field(instance: Any, attribute: Any, value: Any) -> None:
    calendar_date(attribute.name, value, context=type(instance).__name__)


def optional_date_field(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        calendar_date(attribute.name, value, context=type(instance).__name__)


def whole_field(minimum: int) -> Callable[[Any, Any, Any], None]:
    """An attrs validator: a whole number of at least ``minimum`` (an event's ``version``)."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        whole(attribute.name, value, minimum=minimum, context=type(instance).__name__)

    return check


def instance_field(
    *kinds: type, expected: str, optional: bool = False
) -> Callable[[Any, Any, Any], None]:
    """An attrs validator like ``attrs.validators.instance_of``, raising ``InvalidType``.

    attrs' own raises a plain ``TypeError``; this one names the field, the
    value and ``expected`` (a bool is refused where ``int`` is asked for).

    >>> import attrs
    >>> @attrs.frozen
    ... class Cell:
    ...     active: int = attrs.field(validator=instance_field(int, expected="a count"))
    >>> Cell(active=None)
    Traceback (most recent call last):
        ...
    salesflow.errors.InvalidType: Cell: active: got None, expected a count
    >>> Cell(active=True)
    Traceback (most recent call last):
        ...
    salesflow.errors.InvalidType: Cell: active: got True, expected a count
    """

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is None and optional:
            return
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            raise InvalidType(attribute.name, value, expected, context=type(instance).__name__)

    return check


def build(field: str, kind: type[_T], values: Mapping[str, Any]) -> _T:
    """``kind(**values)`` read from the document at ``field``, naming that path on error."""
    try:
        return kind(**values)
    except InvalidField as err:
        name = err.field if err.field.startswith(field) else f"{field}.{err.field}"
        raise type(err)(name, err.value, err.expected) from None


def same_document(field: str, given: Any, rebuilt: Any, *, why: str) -> None:
    """Refuse ``given`` unless it is exactly ``rebuilt``, the document its content makes.

    The honest check of a document with derived or defaulted parts: rebuild
    from the source of truth and compare the whole, types too (``9.0`` is not
    the version ``9``, a ``null`` is not a missing key, ``True`` is not ``1``).
    Whatever was altered, retyped, added or removed, the rebuilt form differs.
    The first difference is named by its path (``field.key[0].key``); ``why``
    ends the message ("as the history gives").
    """
    if _identical(given, rebuilt):  # the usual case: no paths built
        return
    if isinstance(rebuilt, dict) and isinstance(given, dict):
        for name in given:
            if name not in rebuilt:
                path = f"{field}.{name}" if field else str(name)
                raise InvalidField(path, given[name], f"no such key, {why}")
        for name, value in rebuilt.items():
            path = f"{field}.{name}" if field else str(name)
            if name not in given:
                raise InvalidField(path, None, f"{value!r} (it is missing), {why}")
            same_document(path, given[name], value, why=why)
    elif isinstance(rebuilt, list) and isinstance(given, list) and len(given) == len(rebuilt):
        for index, (item, expected) in enumerate(zip(given, rebuilt, strict=True)):
            same_document(f"{field}[{index}]", item, expected, why=why)
    elif isinstance(rebuilt, list) and isinstance(given, list):
        raise InvalidField(field or "document", given, f"{len(rebuilt)} items, {why}")
    raise InvalidField(field or "document", given, f"{rebuilt!r}, {why}")


# JSON's scalar types: two values of one of them compare safely and exactly.
_SCALARS: Final = frozenset({str, int, bool, float, type(None)})


def _identical(given: Any, expected: Any) -> bool:
    """Equal and of the same type all the way down (``6.0`` is not ``6``, ``True`` not ``1``).

    A JSON object or array may come as a dict or list subclass (``json.loads``
    with ``object_pairs_hook=OrderedDict``): what counts is its content.
    """
    if type(expected) is dict:
        if not isinstance(given, dict) or given.keys() != expected.keys():
            return False
        for name, value in expected.items():  # most values are scalars: compared inline
            other, kind = given[name], type(value)
            if kind is dict or kind is list or kind not in _SCALARS:
                if not _identical(other, value):
                    return False
            elif type(other) is not kind or other != value:
                return False
        return True
    if type(expected) is list:
        return (
            isinstance(given, list)
            and len(given) == len(expected)
            and all(map(_identical, given, expected))
        )
    if type(given) is not type(expected):
        return False
    try:
        return bool(given == expected)
    except Exception:  # a value whose own comparison fails is not the expected one
        return False


ROUNDINGS: Final = frozenset(
    {
        ROUND_05UP,
        ROUND_CEILING,
        ROUND_DOWN,
        ROUND_FLOOR,
        ROUND_HALF_DOWN,
        ROUND_HALF_EVEN,
        ROUND_HALF_UP,
        ROUND_UP,
    }
)
"""The decimal module's rounding modes, by name."""


def rounding_mode(field: str, value: Any) -> str:
    """``value`` if it names a decimal rounding mode (``"ROUND_HALF_EVEN"``), else refused."""
    if not isinstance(value, str) or value not in ROUNDINGS:
        raise InvalidField(
            field, value, f"a decimal rounding mode: one of {', '.join(sorted(ROUNDINGS))}"
        )
    return value
