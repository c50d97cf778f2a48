"""Checks and formatting shared by the simulator's and the recommender's modules.

profile, stream, report, simulation and recommender read them.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, Final

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.money import Money

SECOND: Final = timedelta(seconds=1)


def count(instance: Any, attribute: Any, value: Any) -> None:
    """attrs validator: a whole number of at least 0."""
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)


def positive_count(instance: Any, attribute: Any, value: Any) -> None:
    """attrs validator: a whole number of at least 1."""
    _check.whole(attribute.name, value, minimum=1, context=type(instance).__name__)


def at_most(field: str, value: int, most: int, *, context: str = "") -> int:
    """``value`` (already a whole number) when it is at most ``most``."""
    if value > most:
        raise InvalidField(field, value, f"a whole number from 1 to {most}", context=context)
    return value


def bounded_count(most: int) -> Any:
    """attrs validator: a whole number from 1 to ``most``."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        context = type(instance).__name__
        _check.whole(attribute.name, value, minimum=1, context=context)
        at_most(attribute.name, value, most, context=context)

    return check


def positive_span(instance: Any, attribute: Any, value: Any) -> None:
    """attrs validator: a timedelta of at least a second."""
    context = type(instance).__name__
    if not isinstance(value, timedelta):
        raise InvalidType(attribute.name, value, "a timedelta of at least 1s", context=context)
    if value < SECOND:
        raise InvalidField(attribute.name, value, "a timedelta of at least 1s", context=context)


def number(field: str, value: Any, *, context: str = "") -> Decimal:
    """A finite number (int, float, decimal string or Decimal) as an exact Decimal.

    Floats are read as they print (``0.1`` is ``Decimal("0.1")``); True and
    False are refused, not read as 1 and 0.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InvalidType(field, value, "a number", context=context)
    try:
        figure = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        raise InvalidField(field, value, "a number", context=context) from None
    if not figure.is_finite():
        raise InvalidField(field, value, "a finite number", context=context)
    return figure


def money(instance: Any, attribute: Any, value: Any) -> None:
    """attrs validator: Money of zero or more."""
    if not isinstance(value, Money) or value.amount < 0:
        raise InvalidField(
            attribute.name, value, "Money of zero or more", context=type(instance).__name__
        )


def duration(span: timedelta) -> str:
    """``2h``, ``1h30m``, ``14d``: short and exact to the minute (seconds shown when present)."""
    seconds = span // SECOND
    if seconds == 0:
        return "0"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)
