"""Each customer's purchases to the models' columns: one arithmetic for records and tables (private).

The records path (:func:`salesflow.predict.model_input` on mappings) and the
table path (:mod:`salesflow.predict._framed`, where the engine groups the
rows) both reduce a customer to a :class:`Purchases`; :func:`model_columns`
turns those into the columns of a ``ModelInput``, so the two paths cannot
drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Final

from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType
from salesflow.money import CURRENCY_MINOR_UNITS, Money
from salesflow.predict._numeric import np

UNIT_DAYS: Final = {"days": 1.0, "weeks": 7.0}
PERIODS: Final = ("day", "purchase")
_SECONDS_PER_DAY: Final = 86_400.0
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_EXACT_FLOAT: Final = 2**53


def record_customer(name: str, record: Any) -> str | int:
    """The customer id of the order record ``record`` (named ``name``), its three keys checked."""
    if not isinstance(record, Mapping):
        raise InvalidType(name, record, "an order record (a mapping)")
    for key in ("customer_id", "placed_at", "amount"):
        if key not in record:
            raise InvalidField(f"{name}.{key}", None, f"a {key} in every record")
    cid = record["customer_id"]
    if isinstance(cid, bool) or not isinstance(cid, str | int):
        raise InvalidType(f"{name}.customer_id", cid, "a customer id (str or int)")
    if cid == "":
        raise InvalidField(f"{name}.customer_id", cid, "a customer id (a non-empty str)")
    return cid


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


class Purchases:
    """Each customer's purchases before the end of calibration, as columns (one entry per
    customer, in any order).

    ``first`` and ``last`` are the first and last purchase's moments as UTC
    epoch microseconds: a calendar day's start, or the purchase's own time;
    ``purchases`` counts them, ``repeat_spend`` sums all but the first one's value.
    """

    __slots__ = ("customer_ids", "first", "last", "purchases", "repeat_spend")

    def __init__(
        self,
        customer_ids: list[Any],
        first: Sequence[int],
        last: Sequence[int],
        purchases: Sequence[int],
        repeat_spend: list[Decimal],
    ) -> None:
        self.customer_ids = customer_ids
        self.first = np.asarray(first, dtype=np.int64)
        self.last = np.asarray(last, dtype=np.int64)
        self.purchases = np.asarray(purchases, dtype=np.int64)
        self.repeat_spend = repeat_spend


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


def microseconds(moment: datetime) -> int:
    """An aware datetime as UTC epoch microseconds (exact)."""
    return (moment - _EPOCH) // _MICROSECOND


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


def _id_order(ids: list[Any]) -> Any:
    """The positions of ``ids`` in id order (ints first, then strings)."""
    if ids and all(type(cid) is int for cid in ids):
        try:
            return np.argsort(np.asarray(ids, dtype=np.int64), kind="stable")
        except OverflowError:  # ids beyond 64 bits
            pass
    return np.asarray(sorted(range(len(ids)), key=lambda at: id_order(ids[at])), dtype=np.int64)


def _in_unit(spans: Any, unit: str) -> Any:
    """Durations in microseconds as floats in ``unit``, exactly as ``timedelta.total_seconds()
    / seconds per unit`` gives each (one float division of the exact count, then another)."""
    scale = UNIT_DAYS[unit] * _SECONDS_PER_DAY
    if spans.size and int(np.abs(spans).max()) >= _EXACT_FLOAT:
        # Beyond 2**53 microseconds (285 years) a float64 no longer holds the count exactly.
        return np.asarray(
            [(int(span) * _MICROSECOND).total_seconds() / scale for span in spans],
            dtype=np.float64,
        )
    return spans.astype(np.float64) / 1e6 / scale


def model_columns(customers: Purchases, *, end: datetime, unit: str) -> dict[str, Any]:
    """The keyword arguments of ``ModelInput`` (but ``unit``), customers in id order.

    Per customer, from the first purchase, in ``unit``: frequency = purchases
    after the first; first_to_last = to the last purchase; first_to_end = to
    ``end`` (at least first_to_last); monetary_value = the mean repeat
    purchase (None without one).
    """
    order = _id_order(customers.customer_ids)
    first = customers.first[order]
    first_to_last = _in_unit(customers.last[order] - first, unit)
    first_to_end = np.maximum(_in_unit(microseconds(end) - first, unit), first_to_last)
    repeats = customers.purchases[order] - 1
    spend = customers.repeat_spend
    return {
        "customer_ids": [customers.customer_ids[at] for at in order.tolist()],
        "frequency": repeats,
        "first_to_last": first_to_last,
        "first_to_end": first_to_end,
        "monetary_value": [
            spend[at] / count if count else None
            for at, count in zip(order.tolist(), repeats.tolist(), strict=True)
        ],
    }
