"""Public constants are values a caller cannot change (the library reads them too).

A constant such as the default stage facts is also a default argument; if a
caller could mutate it, one caller's mistake would change every later call.
"""

from __future__ import annotations

import copy
import enum
import typing
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs
import pytest

from fuzz.surface import CONSTANT, public_surface

SURFACE = public_surface()
CONSTANTS = sorted(name for name, item in SURFACE.items() if item.kind == CONSTANT)
SCALARS = (str, int, float, Decimal, date, datetime, time, timedelta, enum.Enum, type, type(None))


def _mutable_part(value: Any, path: str) -> str | None:
    """The path of the first part of ``value`` a caller could change, if any."""
    if isinstance(value, SCALARS) or typing.get_origin(value) is not None:
        return None
    if isinstance(value, (tuple, frozenset)):
        for index, item in enumerate(value):
            found = _mutable_part(item, f"{path}[{index}]")
            if found:
                return found
        return None
    if isinstance(value, MappingProxyType):
        for key, item in value.items():
            found = _mutable_part(key, f"{path} key {key!r}") or _mutable_part(
                item, f"{path}[{key!r}]"
            )
            if found:
                return found
        return None
    if attrs.has(type(value)):
        first = attrs.fields(type(value))[0].name
        try:
            setattr(copy.copy(value), first, getattr(value, first))
        except attrs.exceptions.FrozenInstanceError:
            return None
    elif slots := _public_slots(type(value)):
        try:
            # Setting an attribute to the value it has changes nothing if it is allowed.
            setattr(value, slots[0], getattr(value, slots[0]))
        except AttributeError:
            for name in slots:
                found = _mutable_part(getattr(value, name), f"{path}.{name}")
                if found:
                    return found
            return None
    return f"{path} ({type(value).__name__})"


def _public_slots(cls: type) -> list[str]:
    """The public attributes of a plain class with ``__slots__`` (a read-only record)."""
    return [
        name
        for klass in cls.__mro__
        for name in _as_names(vars(klass).get("__slots__", ()))
        if not name.startswith("_")
    ]


@pytest.mark.parametrize("name", CONSTANTS)
def test_a_public_constant_cannot_be_changed_by_a_caller(name: str) -> None:
    found = _mutable_part(SURFACE[name].obj, name)

    assert found is None, f"{found} can be changed in place"


def _as_names(slots: str | tuple[str, ...]) -> tuple[str, ...]:
    return (slots,) if isinstance(slots, str) else tuple(slots)
