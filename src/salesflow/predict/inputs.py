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
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from salesflow._frames_out import Columns, records_to_frame
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.frames import rows_only
from salesflow.metrics._read.frames import table as _table
from salesflow.money import Money
from salesflow.predict._customers import (
    Purchases,
    aware,
    check_period,
    check_unit,
    check_zone,
    day_start,
    microseconds,
    model_columns,
    record_currency,
    record_customer,
)
from salesflow.predict._numeric import FloatArray, np

__all__ = ["ModelInput", "model_input"]


def _column(name: str, values: Any, *, whole: bool) -> FloatArray:
    what = "whole numbers of repeat purchases, at least 0" if whole else "finite times, at least 0"
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise InvalidType(name, values, f"a sequence of {what}")
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind in "iuf":
        # A numeric array (the table built from orders): checked as a whole, as the loop would.
        array = values.astype(np.float64)
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(array) | (array < 0)
            if whole:
                bad |= array != np.floor(array)
        if bad.any():
            index = int(np.argmax(bad))
            value = values[index].item()
            raise InvalidField(f"{name}[{index}]", value, what[:-1] if whole else what)
        array.flags.writeable = False
        return array
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

    COLUMNS: ClassVar[Columns] = (
        ("customer_id", "id"),
        ("frequency", "int"),
        ("first_to_last", "float"),
        ("first_to_end", "float"),
        ("monetary_value", "decimal"),
    )
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

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
        checked_unit = check_unit("unit", unit)
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
        after = t_x > big_t
        wrong = after | ((x > 0) != (t_x > 0))
        if wrong.any():
            index = int(np.argmax(wrong))
            raise InvalidField(
                f"first_to_last[{index}]",
                float(t_x[index]),
                f"at most first_to_end[{index}] ({float(big_t[index])})"
                if after[index]
                else "more than 0 exactly when frequency is more than 0",
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
        repeats = (x > 0).tolist()
        for index, value in enumerate(values):
            if repeats[index] and type(value) is Decimal and value.is_finite() and value >= 0:
                checked.append(value)  # the common case, as _spend would give it
                continue
            name = f"monetary_value[{index}]"
            if not repeats[index]:
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

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The table as a DataFrame of ``backend``: "pandas", "polars" or "pyarrow".

        One row per customer, the columns of :meth:`to_records` in order and
        typed: int ids as int64 (other ids as strings), ``frequency`` int64,
        the times float64 in ``unit``, ``monetary_value`` an exact decimal
        column (null without repeat purchases) unless ``money="float"`` makes
        it float64. Needs the library (:class:`~salesflow.errors.MissingExtra`
        names the extra to install).
        """
        return records_to_frame(
            self.to_records(), columns=self.COLUMNS, backend=backend, money=money
        )


def model_input(
    records: Any,
    *,
    calibration_end: datetime,
    unit: str = "weeks",
    period: str = "day",
    zone: tzinfo = UTC,
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
    amount_scale: int | None = None,
    amount_rounding: str | None = None,
) -> ModelInput:
    """The models' per-customer table from order records: frequency, first_to_last, first_to_end.

    Each record is a mapping with ``customer_id`` (a non-empty str, or an int),
    ``placed_at`` (a timezone-aware datetime) and ``amount`` (Money, Decimal,
    int or a decimal string; never a float; a ``currency`` key, where present,
    is read as the amount's). With ``period="day"`` (the default) a customer's
    records on one calendar day in ``zone`` are one purchase (their amounts
    add up); ``period="purchase"`` counts each record (records of one customer
    at the very same time are one purchase). Then, per customer, in ``unit``
    (``"days"`` or ``"weeks"``) from the first purchase's time:

    - ``frequency`` = purchases after the first (repeat purchases);
    - ``first_to_last`` = first to last purchase (0 without repeat purchases);
    - ``first_to_end`` = first purchase to ``calibration_end``;
    - ``monetary_value`` = mean value of the repeat purchases (None without any).

    With ``period="day"`` the times run between the calendar days (the
    first day's start to the last day's start), as the CDNOW summary does. Records
    placed at or after ``calibration_end`` are left out (the holdout). The
    customers come in id order (ints first, then strings), whatever the
    records' order. Refuses a naive ``calibration_end``, an unknown unit or
    period, and any bad record, naming it (``records[3].placed_at``), and a
    second currency.

    ``records`` may be a table instead (pandas, polars, pyarrow, DuckDB,
    Spark, ...; the ``frames`` extra) with the columns ``customer_id``,
    ``placed_at``, ``amount`` and, optionally, ``currency``: the purchases
    per customer and day are counted in its engine and only one row per
    customer leaves it; the result is the same ``ModelInput``. ``columns``
    maps those names to the table's, ``naive_zone`` is the zone a naive time
    column was written in, and ``amount_scale`` with ``amount_rounding``
    (``"ROUND_HALF_UP"``) rounds a float amount column in the engine, as
    the metrics do (docs/frames.md).

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
    where = check_zone(zone)
    end = aware("calibration_end", calibration_end)
    checked_unit = check_unit("unit", unit)
    rule = check_period(period)
    if _table(records):
        from salesflow.predict._framed import framed_model_input

        return framed_model_input(
            records,
            end=end,
            unit=checked_unit,
            period=rule,
            zone=where,
            columns=columns,
            naive_zone=naive_zone,
            amount_scale=amount_scale,
            amount_rounding=amount_rounding,
        )
    rows_only(
        {
            "columns": columns,
            "naive_zone": naive_zone,
            "amount_scale": amount_scale,
            "amount_rounding": amount_rounding,
        }
    )
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise InvalidType("records", records, "an iterable of order records (mappings)")
    customers = _purchases(records, end=end, period=rule, zone=where)
    return ModelInput(**model_columns(customers, end=end, unit=checked_unit), unit=checked_unit)


def _purchases(records: Iterable[Any], *, end: datetime, period: str, zone: tzinfo) -> Purchases:
    """Each customer's purchases before ``end``, every record checked (those after it too)."""
    # Per customer: purchase moment (UTC) -> amount; a moment is a day's start or the record's time.
    moments: dict[Any, dict[datetime, Decimal]] = {}
    starts: dict[date, datetime] = {}
    currency: str | None = None
    for index, record in enumerate(records):
        name = f"records[{index}]"
        cid = record_customer(name, record)
        placed = aware(f"{name}.placed_at", record["placed_at"], UTC)
        currency = record_currency(name, record, currency)
        amount = record["amount"]
        value = _spend(f"{name}.amount", amount)
        if placed >= end:
            continue
        if period == "day":
            day = aware(f"{name}.placed_at", placed, zone).date()
            moment = starts.get(day)
            if moment is None:
                moment = starts[day] = day_start(f"{name}.placed_at", day, zone)
        else:
            moment = placed
        spent = moments.setdefault(cid, {})
        spent[moment] = spent.get(moment, Decimal(0)) + value
    ids, first, last, count, repeat = [], [], [], [], []
    for cid, spent in moments.items():
        ordered = sorted(spent)
        ids.append(cid)
        first.append(microseconds(ordered[0]))
        last.append(microseconds(ordered[-1]))
        count.append(len(ordered))
        repeat.append(sum((spent[moment] for moment in ordered[1:]), Decimal(0)))
    return Purchases(ids, first, last, count, repeat)
