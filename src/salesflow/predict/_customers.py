"""Each customer's purchases to the models' columns: one arithmetic for records and tables (private).

The records path (:func:`salesflow.predict.model_input` on mappings) and the
table path (:mod:`salesflow.predict._framed`, where the engine groups the
rows) both reduce a customer to a :class:`Purchases`; :func:`model_columns`
turns those into the columns of a ``ModelInput``, so the two paths cannot
drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Final, NamedTuple

from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType
from salesflow.money import CURRENCY_MINOR_UNITS, Money

UNIT_DAYS: Final = {"days": 1.0, "weeks": 7.0}
PERIODS: Final = ("day", "purchase")
_SECONDS_PER_DAY: Final = 86_400.0


def check_unit(name: str, value: Any) -> str:
    """A time unit, ``"days"`` or ``"weeks"``; anything else refused, naming ``name``."""
    if not isinstance(value, str) or value not in UNIT_DAYS:
        raise InvalidField(name, value, "a time unit, 'days' or 'weeks'")
    return value


def check_period(value: Any) -> str:
    """``period``: ``"day"`` (a customer's calendar day is one purchase) or ``"purchase"``."""
    if not isinstance(value, str) or value not in PERIODS:
        raise InvalidField("period", value, "'day' or 'purchase'")
    return value


def check_zone(value: Any) -> tzinfo:
    """``zone``: a tzinfo, the zone whose calendar days count."""
    if not isinstance(value, tzinfo):
        raise InvalidType("zone", value, "a tzinfo (the zone whose calendar days count)")
    return value


def aware(name: str, value: Any, zone: tzinfo = UTC) -> datetime:
    """``value`` (timezone-aware) in ``zone``; refused when that instant is out of range there."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidType(name, value, "a timezone-aware datetime")
    try:
        return value.astimezone(zone)
    except OverflowError:
        raise InvalidField(
            name, value, "a time whose instant has a date in the year 1 to 9999 in every zone used"
        ) from None


class Purchases(NamedTuple):
    """One customer's purchases before the end of calibration.

    ``first`` and ``last`` are the first and last purchase's moments (UTC): a
    calendar day's start, or the purchase's own time; ``purchases`` the
    purchases, ``repeat_spend`` the sum of all but the first one's value.
    """

    customer_id: str | int
    first: datetime
    last: datetime
    purchases: int
    repeat_spend: Decimal


def record_currency(name: str, record: Mapping[str, Any], current: str | None) -> str | None:
    """The currency of the record ``name``: its Money amount's, else its ``currency`` key's
    (an ISO 4217 code), else ``current``; a second currency refused."""
    amount = record["amount"]
    if isinstance(amount, Money):
        code = amount.currency
    elif "currency" in record:
        code = record["currency"]
        if not isinstance(code, str):
            raise InvalidType(f"{name}.currency", code, "a currency code such as 'EUR'")
        if code not in CURRENCY_MINOR_UNITS:
            raise InvalidField(f"{name}.currency", code, "an ISO 4217 code such as 'EUR'")
    else:
        return current
    if current is not None and code != current:
        raise CurrencyMismatch(f"{name}.amount", amount, f"an amount in {current}")
    return code


def elapsed(start: datetime, stop: datetime, unit: str) -> float:
    """The time from ``start`` to ``stop`` (UTC instants) in ``unit``, ``"days"`` or ``"weeks"``."""
    delta: timedelta = stop.astimezone(UTC) - start.astimezone(UTC)
    return delta.total_seconds() / (UNIT_DAYS[unit] * _SECONDS_PER_DAY)


def id_order(customer_id: Any) -> tuple[bool, Any]:
    """The sort key of customer ids: ints first, then strings (as the summaries order them)."""
    return isinstance(customer_id, str), customer_id


def day_start(place: str, day: date, zone: tzinfo) -> datetime:
    """The instant (UTC) at which calendar ``day`` begins in ``zone``; refused, naming ``place``,
    when that instant has no date in the years 1 to 9999."""
    try:
        return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    except OverflowError:
        raise InvalidField(
            place, day, "a time whose calendar day starts within the years 1 to 9999 in UTC"
        ) from None


def model_columns(customers: Iterable[Purchases], *, end: datetime, unit: str) -> dict[str, Any]:
    """The keyword arguments of ``ModelInput`` (but ``unit``), customers in id order.

    Per customer, from the first purchase, in ``unit``: frequency = purchases
    after the first; first_to_last = to the last purchase; first_to_end = to
    ``end`` (at least first_to_last); monetary_value = the mean repeat
    purchase (None without one).
    """
    ids: list[Any] = []
    frequency: list[int] = []
    first_to_last: list[float] = []
    first_to_end: list[float] = []
    spend: list[Decimal | None] = []
    for customer in sorted(customers, key=lambda c: id_order(c.customer_id)):
        repeats = customer.purchases - 1
        span = elapsed(customer.first, customer.last, unit)
        ids.append(customer.customer_id)
        frequency.append(repeats)
        first_to_last.append(span)
        first_to_end.append(max(elapsed(customer.first, end, unit), span))
        spend.append(customer.repeat_spend / repeats if repeats else None)
    return {
        "customer_ids": ids,
        "frequency": frequency,
        "first_to_last": first_to_last,
        "first_to_end": first_to_end,
        "monetary_value": spend,
    }
