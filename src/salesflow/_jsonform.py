"""JSON primitives and the Python values they stand for, read from type hints (private).

One place says how a parameter or a field of a given type is written in JSON:
a datetime as ISO 8601 with its offset, a date as ``YYYY-MM-DD``, Money as
``{"amount": "12.00", "currency": "GBP"}`` (the amount a decimal string), an
enum as its value, a value object (Customer, OrderLine...) as its
``to_dict()``, a list as a list. :func:`shape_of` reads a type hint once into a
:class:`Shape`; :func:`read`, :func:`write` and :func:`schema` use it. Commands
(:mod:`salesflow.commands`), ``CarrierUpdate.from_dict`` and the JSON Schemas
(:mod:`salesflow.schemas`) share it, so the three never disagree.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Any, Final, TypeVar, Union

import attrs

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.money import CURRENCY_MINOR_UNITS, Money

DECIMAL_PATTERN: Final = r"^-?[0-9]+(\.[0-9]+)?(E[+-][0-9]+)?$"
"""A decimal number as ``str(Decimal)`` writes it ("12.00", "-0.5", "1E+3")."""

TEXT_PATTERN: Final = r"\S"
"""Text with at least one character that is not white space."""

DURATION_PATTERN: Final = (
    r"^P(?!$)([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?$"
)
"""An ISO 8601 duration as :func:`duration_text` writes it ("P2DT3H4M5.5S", "PT0S")."""

_T = TypeVar("_T")

_ROLE: Final = re.compile(r":\w+:`~?([^`]+)`")

_LISTS: Final = frozenset({list, tuple, Iterable, Sequence})
_MONEY_AMOUNT: Final = (
    "a decimal string such as '12.00' (a JSON number is refused: it may not be exact)"
)


@attrs.frozen
class Shape:
    """How one type is written in JSON.

    ``kind`` is one of ``text``, ``whole``, ``flag``, ``instant`` (datetime),
    ``day`` (date), ``decimal``, ``money``, ``choice`` (an enum, ``type``),
    ``value`` (a value object with ``to_dict``/``from_dict``, ``type``) and
    ``list`` (of ``item``). ``nullable``: None (JSON null) is allowed.
    """

    kind: str
    nullable: bool = False
    type: Any = None
    item: Shape | None = None

    @property
    def expected(self) -> str:
        """What a value of this shape is, in words (for an error)."""
        words = _WORDS.get(self.kind)
        if self.kind == "choice":
            words = f"one of {', '.join(str(member.value) for member in self.type)}"
        elif self.kind == "value":
            words = f"a {self.type.__name__} as its to_dict() writes it (a JSON object)"
        elif self.kind == "list":
            assert self.item is not None
            words = f"a list, each item {self.item.expected}"
        return f"{words} or null" if self.nullable else str(words)


_WORDS: Final = {
    "text": "a string",
    "whole": "a whole number (a JSON integer; not true, false or 1.0)",
    "flag": "true or false",
    "instant": "an ISO 8601 datetime string with an offset",
    "day": "an ISO 8601 date string (YYYY-MM-DD)",
    "decimal": "a decimal number written as a string",
    "money": 'money as {"amount": "12.00", "currency": "GBP"}',
}


def shape_of(hint: Any) -> Shape:
    """The :class:`Shape` of a resolved type hint; a hint with no JSON form raises TypeError.

    ``X | None`` is nullable; ``SomeEnum | str`` is the enum (its string
    values); ``Iterable[X]``, ``list[X]`` and ``tuple[X, ...]`` are lists.
    """
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        nullable = len(members) < len(typing.get_args(hint))
        enums = [m for m in members if isinstance(m, type) and issubclass(m, Enum)]
        if len(enums) == 1 and all(m is str or m is enums[0] for m in members):
            return Shape("choice", nullable, enums[0])
        if len(members) == 1:
            return attrs.evolve(shape_of(members[0]), nullable=nullable)
        raise TypeError(f"no JSON form for {hint!r}")
    if origin in _LISTS:
        return Shape("list", item=shape_of(typing.get_args(hint)[0]))
    simple = {
        bool: "flag",
        str: "text",
        int: "whole",
        datetime: "instant",
        date: "day",
        Decimal: "decimal",
        Money: "money",
    }
    if hint in simple:
        return Shape(simple[hint])
    if isinstance(hint, type) and issubclass(hint, Enum):
        return Shape("choice", type=hint)
    if isinstance(hint, type) and hasattr(hint, "from_dict") and hasattr(hint, "to_dict"):
        return Shape("value", type=hint)
    raise TypeError(f"no JSON form for {hint!r}")


def without_none(shape: Shape) -> Shape:
    """``shape``, not nullable: for documents that leave a None field out rather than null."""
    return attrs.evolve(shape, nullable=False) if shape.nullable else shape


# -- reading JSON primitives -------------------------------------------------------


def read(shape: Shape, value: Any, path: str) -> Any:
    """The Python value ``value`` (JSON primitives) stands for; errors name ``path``."""
    if value is None:
        if shape.nullable:
            return None
        raise InvalidType(path, None, shape.expected)
    kind = shape.kind
    if kind == "text":
        if type(value) is not str:
            raise InvalidType(path, value, shape.expected)
        return value
    if kind == "whole":
        if type(value) is not int:
            raise InvalidType(path, value, shape.expected)
        return value
    if kind == "flag":
        if type(value) is not bool:
            raise InvalidType(path, value, shape.expected)
        return value
    if kind == "instant":
        return read_instant(path, value)
    if kind == "day":
        return _check.parse_date(path, value)
    if kind == "decimal":
        return _check.decimal_text(path, value)
    if kind == "money":
        return read_money(path, value)
    if kind == "choice":
        if type(value) is not str:
            raise InvalidType(path, value, shape.expected)
        return _check.choice(shape.type, path, value)
    if kind == "value":
        if not isinstance(value, dict):
            raise InvalidType(path, value, shape.expected)
        _refuse_number_amounts(shape.type, value, path)
        return shape.type.from_dict(value, field=path)
    assert shape.item is not None
    if type(value) is not list:
        raise InvalidType(path, value, shape.expected)
    return tuple(read(shape.item, item, f"{path}[{index}]") for index, item in enumerate(value))


def read_instant(path: str, value: Any) -> datetime:
    """A timezone-aware datetime from ISO 8601 text; a time without an offset is refused."""
    if type(value) is not str:
        raise InvalidType(path, value, _WORDS["instant"])
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidField(path, value, _WORDS["instant"]) from None
    if parsed.utcoffset() is None:
        raise InvalidType(
            path, value, f"{_WORDS['instant']} (this one has none: a naive time is not guessed)"
        )
    return _check.aware(path, parsed)


def read_money(path: str, value: Any) -> Money:
    """Money from ``{"amount": "12.00", "currency": "GBP"}``; a number amount is refused, saying why."""
    if isinstance(value, dict):
        amount = value.get("amount")
        if isinstance(amount, int | float) and not isinstance(amount, bool):
            raise InvalidType(f"{path}.amount", amount, _MONEY_AMOUNT)
    return Money.from_dict(value, field=path)


def _refuse_number_amounts(kind: type, document: dict[str, Any], path: str) -> None:
    """Refuse a JSON number where a value object holds Money (an order line's unit price)."""
    for name in _money_fields(kind):
        inner = document.get(name)
        if isinstance(inner, dict):
            amount = inner.get("amount")
            if isinstance(amount, int | float) and not isinstance(amount, bool):
                raise InvalidType(f"{path}.{name}.amount", amount, _MONEY_AMOUNT)


@functools.cache
def _money_fields(kind: type) -> tuple[str, ...]:
    if not attrs.has(kind):
        return ()
    return tuple(field.name for field, hint in field_hints(kind) if hint is Money)


_ATTRS_SHAPES: dict[type, Mapping[str, tuple[Shape, bool]]] = {}


def attrs_shapes(kind: type) -> Mapping[str, tuple[Shape, bool]]:
    """Each init field of the attrs class ``kind``: its shape and whether it is required."""
    found = _ATTRS_SHAPES.get(kind)
    if found is None:
        found = MappingProxyType(
            {
                field.name: (shape_of(hint), field.default is attrs.NOTHING)
                for field, hint in field_hints(kind)
            }
        )
        _ATTRS_SHAPES[kind] = found
    return found


def read_attrs(kind: type[_T], document: Any, *, field: str = "document") -> _T:
    """The attrs value ``kind`` built from a JSON object of its fields (null for a None one).

    A document that is not a JSON object is refused naming ``field``; an
    unknown key, a missing required one or a malformed value naming the key.
    """
    shapes = attrs_shapes(kind)
    if not isinstance(document, dict):
        raise InvalidType(field, document, f"a JSON object (dict) of {kind.__name__} fields")
    for key, value in document.items():
        if key not in shapes:
            shown = key if isinstance(key, str) else repr(key)
            raise InvalidField(shown, value, f"no such key (allowed: {', '.join(shapes)})")
    missing = [name for name, (_, required) in shapes.items() if required and name not in document]
    if missing:
        raise InvalidField(
            missing[0], None, f"a value (it is missing; required: {', '.join(missing)})"
        )
    values = {key: read(shapes[key][0], value, key) for key, value in document.items()}
    return kind(**values)


def write_attrs(value: Any) -> dict[str, Any]:
    """The JSON object :func:`read_attrs` reads: every field that is not None."""
    document: dict[str, Any] = {}
    for name, (shape, _) in attrs_shapes(type(value)).items():
        item = getattr(value, name)
        if item is not None:
            document[name] = write(shape, item, name)
    return document


# -- writing JSON primitives -------------------------------------------------------


def write(shape: Shape, value: Any, path: str) -> Any:
    """``value`` as JSON primitives; a value of the wrong type raises ``InvalidType`` at ``path``."""
    if value is None:
        if shape.nullable:
            return None
        raise InvalidType(path, None, _python_words(shape))
    kind = shape.kind
    if kind == "text" and type(value) is str:
        return value
    if kind == "whole" and type(value) is int:
        return value
    if kind == "flag" and type(value) is bool:
        return value
    if kind == "instant":
        return _check.aware(path, value).isoformat()
    if kind == "day":
        return _check.calendar_date(path, value).isoformat()
    if kind == "decimal" and isinstance(value, Decimal):
        return str(value)
    if kind == "money" and isinstance(value, Money):
        return value.to_dict()
    if kind == "choice":
        return _check.choice(shape.type, path, value).value
    if kind == "value" and isinstance(value, shape.type):
        return value.to_dict()
    if (
        kind == "list"
        and not isinstance(value, str | bytes | Mapping)
        and isinstance(value, Iterable)
    ):
        assert shape.item is not None
        return [write(shape.item, item, f"{path}[{index}]") for index, item in enumerate(value)]
    raise InvalidType(path, value, _python_words(shape))


def canonical(shape: Shape, value: Any, path: str) -> Any:
    """``value`` checked by :func:`write` and made what :func:`read` gives (enums, tuples)."""
    write(shape, value, path)
    if value is None:
        return None
    if shape.kind == "choice":
        return _check.choice(shape.type, path, value)
    if shape.kind == "list":
        assert shape.item is not None
        return tuple(canonical(shape.item, item, f"{path}[{i}]") for i, item in enumerate(value))
    return value


def _python_words(shape: Shape) -> str:
    words = {
        "text": "a string",
        "whole": "an int",
        "flag": "a bool",
        "instant": "a timezone-aware datetime",
        "day": "a date",
        "decimal": "a Decimal",
        "money": "Money",
    }.get(shape.kind)
    if shape.kind == "choice":
        words = f"a {shape.type.__name__} or one of its values"
    elif shape.kind == "value":
        words = f"a {shape.type.__name__}"
    elif shape.kind == "list":
        assert shape.item is not None
        words = f"a list of {_python_words(shape.item)}"
    return f"{words} or None" if shape.nullable else str(words)


def duration_text(span: timedelta) -> str:
    """A timedelta of zero or more as an ISO 8601 duration: ``P2DT3H4M5.000006S``, ``PT0S``."""
    if span < timedelta(0):
        raise InvalidField("span", span, "a timedelta of zero or more")
    days, seconds, micros = span.days, span.seconds, span.microseconds
    hours, rest = divmod(seconds, 3600)
    minutes, whole = divmod(rest, 60)
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if whole or micros:
        clock += f"{whole}.{micros:06d}".rstrip("0").rstrip(".") + "S"
    if not days and not clock:
        return "PT0S"
    return "P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "")


# -- JSON Schema -------------------------------------------------------------------------


def schema(shape: Shape) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``shape``; value objects and Money are ``$ref``s
    to ``#/$defs/<ClassName>`` (:func:`value_schema` makes them)."""
    kind = shape.kind
    result: dict[str, Any]
    if kind == "text":
        result = {"type": "string", "minLength": 1, "pattern": TEXT_PATTERN}
    elif kind == "whole":
        result = {"type": "integer"}
    elif kind == "flag":
        result = {"type": "boolean"}
    elif kind == "instant":
        result = {"type": "string", "format": "date-time"}
    elif kind == "day":
        result = {"type": "string", "format": "date"}
    elif kind == "decimal":
        result = {"type": "string", "pattern": DECIMAL_PATTERN}
    elif kind == "money":
        result = {"$ref": "#/$defs/Money"}
    elif kind == "choice":
        result = {"type": "string", "enum": [member.value for member in shape.type]}
    elif kind == "value":
        result = {"$ref": f"#/$defs/{shape.type.__name__}"}
    else:
        assert shape.item is not None
        result = {"type": "array", "items": schema(shape.item)}
    return nullable(result) if shape.nullable else result


def nullable(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` that also allows null."""
    if isinstance(result.get("type"), str):
        widened = {**result, "type": [result["type"], "null"]}
        if "enum" in widened:
            widened["enum"] = [*widened["enum"], None]
        return widened
    return {"anyOf": [result, {"type": "null"}]}


def referenced(shape: Shape) -> set[type]:
    """The value classes (and Money) ``shape`` refers to, for ``$defs``."""
    if shape.kind == "money":
        return {Money}
    if shape.kind == "value":
        found: set[type] = {shape.type}
        for _, hint in field_hints(shape.type):
            found |= referenced(shape_of(hint))
        return found
    if shape.kind == "list":
        assert shape.item is not None
        return referenced(shape.item)
    return set()


def field_hints(kind: type) -> tuple[tuple[attrs.Attribute[Any], Any], ...]:
    """Each attrs field of ``kind`` (that ``__init__`` takes) with its resolved type hint."""
    hints = typing.get_type_hints(kind)
    return tuple((field, hints[field.name]) for field in attrs.fields(kind) if field.init)


def value_schema(kind: type) -> dict[str, Any]:
    """The schema of a value object's ``to_dict()``: its attrs fields, a None field left out."""
    if kind is Money:
        return {
            "title": "Money",
            "description": summary(Money),
            "type": "object",
            "properties": {
                "amount": schema(Shape("decimal")),
                "currency": {"type": "string", "enum": sorted(CURRENCY_MINOR_UNITS)},
            },
            "required": ["amount", "currency"],
            "additionalProperties": False,
        }
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field, hint in field_hints(kind):
        properties[field.name] = schema(without_none(shape_of(hint)))
        if field.default is attrs.NOTHING:
            required.append(field.name)
    return {
        "title": kind.__name__,
        "description": summary(kind),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def summary(thing: Any) -> str:
    """The first paragraph of ``thing``'s docstring, on one line ('' without one)."""
    text = getattr(thing, "__doc__", None) or ""
    first = " ".join(text.strip().split("\n\n")[0].split())
    return _ROLE.sub(r"\1", first).replace("``", "")
