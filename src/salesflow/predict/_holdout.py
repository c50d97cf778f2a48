"""Calibration and holdout: fit on the earlier period, check the predictions on the later one.

:func:`calibration_holdout` splits order records at ``calibration_end`` into the
models' table of the calibration period and each of those customers' repeat
purchases in the holdout; :meth:`CalibrationHoldout.compare` sets a fitted
model's expected purchases beside them, per customer and by number of
calibration repeat purchases.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, ClassVar, Protocol

import attrs

from salesflow._frames_out import Columns, records_to_frame
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.frames import table as _table
from salesflow.predict._customers import (
    UNIT_DAYS,
    aware,
    check_period,
    check_unit,
    check_zone,
)
from salesflow.predict._numeric import FloatArray, np
from salesflow.predict.inputs import ModelInput, model_input

__all__ = ["CalibrationHoldout", "FrequencyGroup", "HoldoutComparison", "calibration_holdout"]


class _PurchaseModel(Protocol):
    unit: str

    def expected_purchases(self, t: float, customers: ModelInput) -> FloatArray: ...


@attrs.frozen
class FrequencyGroup:
    """The customers with ``calibration_purchases`` repeat purchases in calibration (or more,
    when ``and_more``): how many, and their mean predicted and actual holdout purchases."""

    calibration_purchases: int
    and_more: bool
    customers: int
    predicted: float
    actual: float


@attrs.frozen
class HoldoutComparison:
    """Predicted beside actual holdout purchases, per customer and in aggregate.

    ``predicted`` and ``actual`` are numpy arrays in the calibration table's
    order (``customer_ids``); ``by_frequency`` groups the customers by their
    number of calibration repeat purchases (the last group takes that number
    and more), as the peers' calibration-versus-holdout plots do.
    ``mean_absolute_error`` is the mean over customers of |predicted - actual|.
    :meth:`to_records` and :meth:`to_frame` give the per-customer table.
    """

    COLUMNS: ClassVar[Columns] = (
        ("customer_id", "id"),
        ("predicted", "float"),
        ("actual", "int"),
    )
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

    customer_ids: tuple[Any, ...]
    predicted: FloatArray
    actual: FloatArray
    by_frequency: tuple[FrequencyGroup, ...]
    predicted_total: float
    actual_total: float
    mean_absolute_error: float

    def to_vega_lite(self) -> dict[str, Any]:
        """A Vega-Lite v5 line chart (a plain dict): mean predicted and actual holdout purchases.

        x is the number of calibration repeat purchases (the groups of
        ``by_frequency``, the open-ended last one labelled "k+"), y the mean
        purchases in the holdout, one line for the actual and one for the
        predicted. One data row per group: its fields and the label
        (``group``). See docs/predict.md ("Charts").
        """
        from salesflow.predict._pictures import holdout_chart

        return holdout_chart(self)

    def to_altair(self) -> Any:
        """:meth:`to_vega_lite` as an ``altair.Chart`` (needs ``pip install 'salesflow[viz]'``)."""
        from salesflow._charts import altair_chart

        return altair_chart(self.to_vega_lite())

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per customer, in the calibration table's order: customer_id, predicted
        (expected holdout purchases, a float) and actual (holdout purchases, an int)."""
        return [
            {"customer_id": cid, "predicted": float(predicted), "actual": int(actual)}
            for cid, predicted, actual in zip(
                self.customer_ids, self.predicted, self.actual, strict=True
            )
        ]

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The per-customer table as a DataFrame of ``backend``: "pandas", "polars" or
        "pyarrow", the columns of :meth:`to_records` in order (``predicted`` float64,
        ``actual`` int64; ``money`` is accepted as every ``to_frame`` takes it, and this
        table holds no money). Needs the library (:class:`~salesflow.errors.MissingExtra`
        names the extra to install)."""
        return records_to_frame(
            self.to_records(), columns=self.COLUMNS, backend=backend, money=money
        )


@attrs.frozen
class CalibrationHoldout:
    """The calibration table and the actual repeat purchases of its customers in the holdout.

    ``calibration`` is :func:`model_input` on the records before
    ``calibration_end``; ``actual`` holds, in the same order, each of those
    customers' purchases in the holdout (read-only numpy array); ``duration``
    is the holdout's length in ``calibration.unit``. Customers whose first
    purchase falls in the holdout are not in the calibration cohort and are
    left out.
    """

    calibration: ModelInput
    actual: FloatArray
    duration: float

    def compare(self, model: _PurchaseModel, *, groups: int = 7) -> HoldoutComparison:
        """A fitted purchase model's expected holdout purchases beside the actual ones.

        ``model`` is a fitted BG/NBD, MBG/NBD or Pareto/NBD model (anything with
        ``expected_purchases(t, table)`` and a ``unit``) whose unit is the
        calibration table's; ``groups`` (at least 1) is the number of groups in
        ``by_frequency``: 0, 1, ... repeat purchases, the last one open-ended.
        """
        if not callable(getattr(model, "expected_purchases", None)) or not isinstance(
            getattr(model, "unit", None), str
        ):
            raise InvalidType("model", model, "a fitted purchase model (fit_bgnbd, fit_mbgnbd...)")
        if model.unit != self.calibration.unit:
            raise InvalidField(
                "model.unit",
                model.unit,
                f"the calibration table's unit ({self.calibration.unit!r})",
            )
        if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
            raise InvalidField("groups", groups, "a whole number of groups, at least 1")
        predicted = np.asarray(
            model.expected_purchases(self.duration, self.calibration), dtype=np.float64
        )
        predicted.flags.writeable = False
        actual = self.actual
        capped = np.minimum(self.calibration.frequency, groups - 1)
        rows = []
        # Only the levels some customer holds: a huge ``groups`` costs nothing more.
        for level in (int(v) for v in np.unique(capped)):
            members = capped == level
            count = int(members.sum())
            rows.append(
                FrequencyGroup(
                    calibration_purchases=level,
                    and_more=level == groups - 1,
                    customers=count,
                    predicted=float(predicted[members].mean()),
                    actual=float(actual[members].mean()),
                )
            )
        size = len(self.calibration)
        return HoldoutComparison(
            customer_ids=self.calibration.customer_ids,
            predicted=predicted,
            actual=actual,
            by_frequency=tuple(rows),
            predicted_total=float(predicted.sum()),
            actual_total=float(actual.sum()),
            mean_absolute_error=float(np.abs(predicted - actual).mean()) if size else 0.0,
        )


def _moment(name: str, placed: datetime, period: str, zone: tzinfo) -> datetime:
    """The purchase a record belongs to: its calendar day's start in ``zone``, or its own time."""
    if period == "purchase":
        return placed.astimezone(UTC)
    try:
        local = placed.astimezone(zone)
    except OverflowError:
        raise InvalidField(
            name, placed, "a time whose instant has a date in the year 1 to 9999 in every zone used"
        ) from None
    return datetime(local.year, local.month, local.day, tzinfo=zone)


def calibration_holdout(
    records: Any,
    *,
    calibration_end: datetime,
    holdout_end: datetime,
    unit: str = "weeks",
    period: str = "day",
    zone: tzinfo = UTC,
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
    amount_scale: int | None = None,
    amount_rounding: str | None = None,
) -> CalibrationHoldout:
    """Split order records into a calibration table and the actual purchases in the holdout.

    The records are read as :func:`model_input` reads them (same keys,
    ``period`` and ``zone``). The calibration table is ``model_input`` on the
    records before ``calibration_end``; the holdout runs from
    ``calibration_end`` to ``holdout_end`` (half-open), and a customer's
    holdout purchases are the purchases (distinct days in ``zone``, or
    records with ``period="purchase"``) in it, a day already counted in
    calibration not counted again. Records at or after ``holdout_end`` are
    left out. Refuses what ``model_input`` refuses, a naive ``holdout_end``
    and one not after ``calibration_end``.

    ``records`` may be a table, read as :func:`model_input` reads one (the
    same ``columns``, ``naive_zone``, ``amount_scale`` and
    ``amount_rounding``): the purchases per customer are counted in its
    engine, and the split is the same as on the table's rows as records.

    >>> from datetime import datetime, timezone
    >>> at = lambda day: datetime(2026, 1, day, 12, tzinfo=timezone.utc)
    >>> split = calibration_holdout(
    ...     [{"customer_id": "ada", "placed_at": at(1), "amount": "10"},
    ...      {"customer_id": "ada", "placed_at": at(20), "amount": "30"},
    ...      {"customer_id": "ada", "placed_at": at(22), "amount": "30"},
    ...      {"customer_id": "bob", "placed_at": at(22), "amount": "5"}],
    ...     calibration_end=at(15), holdout_end=at(29), unit="days")
    >>> split.calibration.customer_ids, split.actual.tolist(), split.duration
    (('ada',), [2.0], 14.0)
    """
    if _table(records):
        from salesflow.predict._framed import framed_holdout

        where = check_zone(zone)
        start = aware("calibration_end", calibration_end)
        checked_unit = check_unit("unit", unit)
        rule = check_period(period)
        stop = _holdout_end(holdout_end, start)
        calibration, actual = framed_holdout(
            records,
            end=start,
            stop=stop,
            unit=checked_unit,
            period=rule,
            zone=where,
            columns=columns,
            naive_zone=naive_zone,
            amount_scale=amount_scale,
            amount_rounding=amount_rounding,
        )
        return CalibrationHoldout(
            calibration=calibration, actual=actual, duration=_duration(start, stop, unit)
        )
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise InvalidType("records", records, "an iterable of order records (mappings)")
    rows = list(records)
    calibration = model_input(
        rows,
        calibration_end=calibration_end,
        unit=unit,
        period=period,
        zone=zone,
        columns=columns,
        naive_zone=naive_zone,
        amount_scale=amount_scale,
        amount_rounding=amount_rounding,
    )
    start = calibration_end.astimezone(UTC)
    stop = _holdout_end(holdout_end, start)
    # model_input has checked every record; the moments are recomputed here the same way.
    before: dict[Any, set[datetime]] = {}
    during: dict[Any, set[datetime]] = {}
    for index, record in enumerate(rows):
        placed = record["placed_at"].astimezone(UTC)
        if placed >= stop:
            continue
        moment = _moment(f"records[{index}].placed_at", placed, period, zone)
        (before if placed < start else during).setdefault(record["customer_id"], set()).add(moment)
    actual = np.asarray(
        [len(during.get(cid, set()) - before.get(cid, set())) for cid in calibration.customer_ids],
        dtype=np.float64,
    )
    actual.flags.writeable = False
    return CalibrationHoldout(
        calibration=calibration, actual=actual, duration=_duration(start, stop, unit)
    )


def _holdout_end(value: Any, start: datetime) -> datetime:
    """``holdout_end`` as a UTC instant after ``start`` (the calibration's end)."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidType("holdout_end", value, "a timezone-aware datetime")
    try:
        stop = value.astimezone(UTC)
    except OverflowError:
        raise InvalidField(
            "holdout_end", value, "a time whose instant has a date in the year 1 to 9999"
        ) from None
    if stop <= start:
        raise InvalidField("holdout_end", value, f"a time after calibration_end ({start})")
    return stop


def _duration(start: datetime, stop: datetime, unit: str) -> float:
    """The holdout's length in ``unit``."""
    length: timedelta = stop - start
    return length.total_seconds() / (UNIT_DAYS[unit] * 86_400.0)
