"""The customer-base models' input: per customer, repeat purchases, first-to-last and age.

In the models' convention (Fader, Hardie and Lee): ``frequency`` (x) counts
repeat purchase periods, ``first_to_last`` (t_x) is the time from the first to
the last purchase and ``first_to_end`` (T) from the first purchase to the end of
calibration, in a stated unit. ``first_to_last`` is *not* customer_summary's
``recency`` (time since the last purchase); see docs/predict.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType
from salesflow.money import Money
from salesflow.predict._numeric import FloatArray, np

__all__ = ["ModelInput", "model_input"]

_UNITS: Final = {"days": 1.0, "weeks": 7.0}
_PERIODS: Final = ("day", "purchase")
_SECONDS_PER_DAY: Final = 86_400.0


def _unit(name: str, value: Any) -> str:
    if not isinstance(value, str) or value not in _UNITS:
        raise InvalidField(name, value, "a time unit, 'days' or 'weeks'")
    return value


def _column(name: str, values: Any, *, whole: bool) -> FloatArray:
    what = "whole numbers of repeat purchases, at least 0" if whole else "finite times, at least 0"
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise InvalidType(name, values, f"a sequence of {what}")
    numbers = []
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(
            value, int | float | Decimal | np.integer | np.floating
        ):
            raise InvalidType(f"{name}[{index}]", value, f"a number ({what})")
        number = float(value)
        if not math.isfinite(number) or number < 0 or (whole and number != int(number)):
            raise InvalidField(f"{name}[{index}]", value, what[:-1] if whole else what)
        numbers.append(number)
    array = np.asarray(numbers, dtype=np.float64)
    array.flags.writeable = False
    return array


def _spend(name: str, value: Any) -> Decimal:
    if isinstance(value, Money):
        value = value.amount
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidType(name, value, "an amount: Money, Decimal, int or a decimal string")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise InvalidField(name, value, "an amount: a decimal number") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidField(name, value, "a finite amount, at least 0")
    return amount


class ModelInput:
    """The per-customer table the models fit on: x, t_x and T, and the mean repeat spend.

    Build it from order records with :func:`model_input`, or from a summary you
    already have (the CDNOW cohort is published so). ``frequency`` holds whole
    numbers, ``first_to_last`` and ``first_to_end`` times in ``unit`` (``"days"``
    or ``"weeks"``); ``monetary_value`` is the mean value of the repeat
    purchases (Decimal, None for a customer without one), ``customer_ids`` name
    the rows (0, 1, 2... when not given). Refuses columns of different lengths,
    negative or non-finite times, a frequency that is not a whole number,
    ``first_to_last`` after ``first_to_end``, a customer with repeat purchases
    but ``first_to_last`` 0 or without any but not 0, and a monetary value for
    a customer without repeat purchases. The columns are read-only numpy arrays.

    >>> table = ModelInput(frequency=[2, 0], first_to_last=[30.43, 0], first_to_end=[38.86, 38.86])
    >>> len(table), table.unit, table.frequency.tolist()
    (2, 'weeks', [2.0, 0.0])
    """

    __slots__ = (
        "customer_ids",
        "first_to_end",
        "first_to_last",
        "frequency",
        "monetary_value",
        "unit",
    )

    customer_ids: tuple[Any, ...]
    frequency: FloatArray
    first_to_last: FloatArray
    first_to_end: FloatArray
    monetary_value: tuple[Decimal | None, ...] | None
    unit: str

    def __init__(
        self,
        *,
        frequency: Sequence[Any],
        first_to_last: Sequence[Any],
        first_to_end: Sequence[Any],
        monetary_value: Sequence[Any] | None = None,
        customer_ids: Sequence[Any] | None = None,
        unit: str = "weeks",
    ) -> None:
        checked_unit = _unit("unit", unit)
        x = _column("frequency", frequency, whole=True)
        t_x = _column("first_to_last", first_to_last, whole=False)
        big_t = _column("first_to_end", first_to_end, whole=False)
        given = {
            "frequency": frequency,
            "first_to_last": first_to_last,
            "first_to_end": first_to_end,
        }
        sizes = {"frequency": x.size, "first_to_last": t_x.size, "first_to_end": big_t.size}
        if len(set(sizes.values())) > 1:
            # The odd one out is the column whose length the other two do not share.
            counts = list(sizes.values())
            odd = next(
                (
                    name
                    for name, size in sizes.items()
                    if counts.count(size) == 1 and len(set(counts)) == 2
                ),
                "first_to_last",
            )
            others = sorted({size for name, size in sizes.items() if name != odd})
            raise InvalidField(
                odd,
                given[odd],
                f"one value per customer ({' or '.join(map(str, others))}, as the other columns have)",
            )
        for index in range(x.size):
            if t_x[index] > big_t[index]:
                raise InvalidField(
                    f"first_to_last[{index}]",
                    float(t_x[index]),
                    f"at most first_to_end[{index}] ({float(big_t[index])})",
                )
            if (x[index] > 0) != (t_x[index] > 0):
                raise InvalidField(
                    f"first_to_last[{index}]",
                    float(t_x[index]),
                    "more than 0 exactly when frequency is more than 0",
                )
        ids = self._ids(customer_ids, x.size)
        values = None if monetary_value is None else self._values(monetary_value, x)
        for name, value in (
            ("customer_ids", ids),
            ("frequency", x),
            ("first_to_last", t_x),
            ("first_to_end", big_t),
            ("monetary_value", values),
            ("unit", checked_unit),
        ):
            object.__setattr__(self, name, value)

    @staticmethod
    def _ids(customer_ids: Any, size: int) -> tuple[Any, ...]:
        if customer_ids is None:
            return tuple(range(size))
        if isinstance(customer_ids, str | bytes | Mapping) or not isinstance(
            customer_ids, Iterable
        ):
            raise InvalidType("customer_ids", customer_ids, "a sequence of customer ids")
        ids = tuple(customer_ids)
        if len(ids) != size:
            raise InvalidField(
                "customer_ids", customer_ids, f"one id per customer ({size}, as frequency has)"
            )
        for index, value in enumerate(ids):
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise InvalidType(f"customer_ids[{index}]", value, "a customer id (str or int)")
        if len(set(ids)) != size:
            raise InvalidField("customer_ids", "a repeated id", "each customer once")
        return ids

    @staticmethod
    def _values(monetary_value: Any, x: FloatArray) -> tuple[Decimal | None, ...]:
        if isinstance(monetary_value, str | bytes | Mapping) or not isinstance(
            monetary_value, Iterable
        ):
            raise InvalidType("monetary_value", monetary_value, "a sequence of amounts")
        values = tuple(monetary_value)
        if len(values) != x.size:
            raise InvalidField(
                "monetary_value", monetary_value, f"one amount per customer ({x.size})"
            )
        checked: list[Decimal | None] = []
        for index, value in enumerate(values):
            name = f"monetary_value[{index}]"
            if x[index] == 0:
                if value is not None and _spend(name, value) != 0:
                    raise InvalidField(
                        name, value, "None or 0 for a customer with no repeat purchase"
                    )
                checked.append(None)
            else:
                checked.append(_spend(name, value))
        return tuple(checked)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ModelInput is read-only: cannot set {name}")

    def __len__(self) -> int:
        return int(self.frequency.size)

    def __repr__(self) -> str:
        return f"<ModelInput: {len(self)} customers, times in {self.unit}>"

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per customer: customer_id, frequency, first_to_last, first_to_end, monetary_value."""
        values = self.monetary_value or (None,) * len(self)
        return [
            {
                "customer_id": cid,
                "frequency": int(x),
                "first_to_last": float(t_x),
                "first_to_end": float(big_t),
                "monetary_value": value,
            }
            for cid, x, t_x, big_t, value in zip(
                self.customer_ids,
                self.frequency,
                self.first_to_last,
                self.first_to_end,
                values,
                strict=True,
            )
        ]


def _aware(name: str, value: Any, zone: tzinfo = UTC) -> datetime:
    """``value`` (timezone-aware) in ``zone``; refused when that instant is out of range there."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidType(name, value, "a timezone-aware datetime")
    try:
        return value.astimezone(zone)
    except OverflowError:
        raise InvalidField(
            name, value, "a time whose instant has a date in the year 1 to 9999 in every zone used"
        ) from None


def _zone(value: Any) -> tzinfo:
    if not isinstance(value, tzinfo):
        raise InvalidType("zone", value, "a tzinfo (the zone whose calendar days count)")
    return value


def model_input(
    records: Iterable[Mapping[str, Any]],
    *,
    calibration_end: datetime,
    unit: str = "weeks",
    period: str = "day",
    zone: tzinfo = UTC,
) -> ModelInput:
    """The models' per-customer table from order records: frequency, first_to_last, first_to_end.

    Each record is a mapping with ``customer_id`` (str or int), ``placed_at``
    (a timezone-aware datetime) and ``amount`` (Money, Decimal, int or a decimal
    string; never a float). With ``period="day"`` (the default) a customer's
    records on one calendar day in ``zone`` are one purchase (their amounts
    add up); ``period="purchase"`` counts each record. Then, per customer, in
    ``unit`` (``"days"`` or ``"weeks"``) from the first purchase's time:

    - ``frequency`` = purchases after the first (repeat purchases);
    - ``first_to_last`` = first to last purchase (0 without repeat purchases);
    - ``first_to_end`` = first purchase to ``calibration_end``;
    - ``monetary_value`` = mean value of the repeat purchases (None without any).

    With ``period="day"`` the times run between the calendar days (the
    first day's start to the last day's start), as the CDNOW summary does. Records
    placed at or after ``calibration_end`` are left out (the holdout).
    Refuses a naive ``calibration_end``, an unknown unit or period, and any bad
    record, naming it (``records[3].placed_at``), and a second currency.

    >>> from datetime import datetime, timezone
    >>> at = lambda day: datetime(2026, 1, day, 12, tzinfo=timezone.utc)
    >>> table = model_input(
    ...     [{"customer_id": "ada", "placed_at": at(1), "amount": "10"},
    ...      {"customer_id": "ada", "placed_at": at(8), "amount": "30"},
    ...      {"customer_id": "bob", "placed_at": at(15), "amount": "5"}],
    ...     calibration_end=datetime(2026, 1, 29, tzinfo=timezone.utc))
    >>> table.to_records()[0]
    {'customer_id': 'ada', 'frequency': 1, 'first_to_last': 1.0, 'first_to_end': 4.0, 'monetary_value': Decimal('30')}
    """
    where = _zone(zone)
    end = _aware("calibration_end", calibration_end)
    scale = _UNITS[_unit("unit", unit)] * _SECONDS_PER_DAY
    if not isinstance(period, str) or period not in _PERIODS:
        raise InvalidField("period", period, "'day' or 'purchase'")
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise InvalidType("records", records, "an iterable of order records (mappings)")
    # Per customer: purchase moment -> amount; a moment is a day's start or the record's time.
    purchases: dict[Any, dict[datetime, Decimal]] = {}
    currency: str | None = None
    for index, record in enumerate(records):
        name = f"records[{index}]"
        if not isinstance(record, Mapping):
            raise InvalidType(name, record, "an order record (a mapping)")
        for key in ("customer_id", "placed_at", "amount"):
            if key not in record:
                raise InvalidField(f"{name}.{key}", None, f"a {key} in every record")
        cid = record["customer_id"]
        if isinstance(cid, bool) or not isinstance(cid, str | int):
            raise InvalidType(f"{name}.customer_id", cid, "a customer id (str or int)")
        placed = _aware(f"{name}.placed_at", record["placed_at"])
        amount = record["amount"]
        if isinstance(amount, Money):
            if currency is not None and amount.currency != currency:
                raise CurrencyMismatch(f"{name}.amount", amount, f"an amount in {currency}")
            currency = amount.currency
        value = _spend(f"{name}.amount", amount)
        if placed >= end:
            continue
        if period == "day":
            local = _aware(f"{name}.placed_at", placed, where)
            moment = datetime(local.year, local.month, local.day, tzinfo=where)
        else:
            moment = placed
        moments = purchases.setdefault(cid, {})
        moments[moment] = moments.get(moment, Decimal(0)) + value
    ids, x, t_x, big_t, spend = [], [], [], [], []
    for cid, moments in purchases.items():
        ordered = sorted(moments, key=lambda m: m.astimezone(UTC))
        first = ordered[0].astimezone(UTC)
        ids.append(cid)
        x.append(len(ordered) - 1)
        t_x.append(_elapsed(first, ordered[-1], scale))
        big_t.append(max(_elapsed(first, end, scale), t_x[-1]))
        repeat = [moments[m] for m in ordered[1:]]
        spend.append(sum(repeat, Decimal(0)) / len(repeat) if repeat else None)
    return ModelInput(
        frequency=x,
        first_to_last=t_x,
        first_to_end=big_t,
        monetary_value=spend,
        customer_ids=ids,
        unit=unit,
    )


def _elapsed(start: datetime, stop: datetime, scale: float) -> float:
    delta: timedelta = stop.astimezone(UTC) - start.astimezone(UTC)
    return delta.total_seconds() / scale
