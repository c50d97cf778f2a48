"""model_input, calibration_holdout and rfm on a table: grouped per customer in its engine (private).

The table is bound and audited as the metrics bind an order table
(``columns=``, ``naive_zone=``, the float opt-in; refusals name the caller's
column). Its rows are then grouped per customer and purchase (a calendar day
in the zone, computed alike on every engine, or an instant) inside the
engine, and only one row per customer leaves it. The models' table, the
holdout counts and the RFM values are built from those rows with the same
arithmetic as the records path (:mod:`salesflow.predict._customers`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from operator import index
from typing import Any, Final

from salesflow.errors import InvalidType
from salesflow.metrics._framed.orders import OrderTable, order_table
from salesflow.metrics._read.frame_times import epoch_microseconds, us, with_local_calendar
from salesflow.metrics._read.frames import decimal, instant, whole
from salesflow.predict._customers import Purchases, day_start, microseconds, model_columns
from salesflow.predict._numeric import FloatArray, np
from salesflow.predict.inputs import ModelInput

_FEATURE: Final = "salesflow.predict on a table"
_READS: Final = ("customer_id", "placed_at", "amount", "currency")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY: Final = date(1970, 1, 1)
_MICROSECOND: Final = timedelta(microseconds=1)


def orders(
    argument: str,
    native: Any,
    *,
    now: datetime | None,
    columns: Any,
    naive_zone: Any,
    amount_scale: Any,
    amount_rounding: Any,
) -> OrderTable:
    """The table ``native`` (the argument ``argument``) bound and audited: ``customer_id``,
    ``placed_at``, ``amount`` and, when the table has one, ``currency`` (one code)."""
    return order_table(
        argument,
        native,
        reads=_READS,
        optional=("currency",),
        now=now,
        columns=columns,
        naive_zone=naive_zone,
        amount_scale=amount_scale,
        amount_rounding=amount_rounding,
        feature=_FEATURE,
    )


def _customer_id(value: Any) -> str | int:
    """An engine's id as the records give it: a str, or a Python int (not a numpy one)."""
    if isinstance(value, str):
        return value
    try:
        return index(value)
    except TypeError:  # pragma: no cover - the audit admits string and integer ids only
        raise InvalidType("customer_id", value, "a customer id (str or int)") from None


def _readable(moment: datetime, zone: tzinfo) -> bool:
    """Whether ``moment`` has a date in the years 1 to 9999 in ``zone``."""
    try:
        moment.astimezone(zone)
    except OverflowError:
        return False
    return True


def _moments(
    table: OrderTable, *, start: datetime | None, stop: datetime, period: str, zone: tzinfo
) -> Any:
    """The rows placed in ``[start, stop)`` as ``customer_id``, ``moment``, ``amount``
    (None when no row can be): the moment is the calendar day in ``zone`` (days since
    1970-01-01) with ``period="day"``, else the time (UTC epoch microseconds)."""
    nw = table.nw
    if table.earliest is None or table.latest is None:
        return None
    low = table.earliest if start is None else max(table.earliest, start)
    high = min(table.latest, stop - _MICROSECOND)
    if low > high:
        return None
    rows = epoch_microseconds(
        nw, table.bound.frame.select("customer_id", "placed_at", "amount"), "placed_at", "us"
    )
    kept = nw.col("us") < us(stop)
    if start is not None:
        kept = kept & (nw.col("us") >= us(start))
    rows = rows.filter(kept)
    if period == "purchase":
        return rows.select("customer_id", nw.col("us").alias("moment"), "amount")
    if not (_readable(low, zone) and _readable(high, zone)):
        # The records path reads a calendar day only for the rows in range: the
        # range's own ends decide the refusal (one more query, only here).
        (found,) = table.bound.collect(
            rows.select(nw.col("placed_at").min().alias("low"), nw.col("placed_at").max())
        )
        low, high = instant(found["low"]), instant(found["placed_at"])
    rows = with_local_calendar(
        nw,
        rows,
        "placed_at",
        zone,
        unit="day",
        alias="moment",
        earliest=low,
        latest=high,
        place=table.bound.field("placed_at"),
    )
    return rows.select("customer_id", "moment", "amount")


def _columns(table: OrderTable, query: Any, names: tuple[str, ...]) -> dict[str, list[Any]]:
    """A small result (one row per customer, no times) as plain Python columns."""
    nw = table.nw
    if isinstance(query, nw.LazyFrame):
        query = query.collect()
    return {name: query.get_column(name).to_list() for name in names}


def _instants(moments: list[Any], period: str, zone: tzinfo, place: str) -> Any:
    """The engine's moments as UTC epoch microseconds: a day's start in ``zone`` (found once
    per distinct day), or the instant itself."""
    numbers = np.asarray(moments, dtype=np.int64)
    if period == "purchase":
        return numbers
    days, where = np.unique(numbers, return_inverse=True)
    starts = [
        microseconds(day_start(place, _EPOCH_DAY + timedelta(days=int(day)), zone)) for day in days
    ]
    return np.asarray(starts, dtype=np.int64)[where.reshape(-1)]


def _calibration(
    table: OrderTable, *, end: datetime, period: str, zone: tzinfo
) -> tuple[Purchases, dict[Any, int]]:
    """Each customer's purchases before ``end``, and each one's last moment (as the engine
    numbers it), from one query that returns a row per customer."""
    rows = _moments(table, start=None, stop=end, period=period, zone=zone)
    if rows is None:
        return Purchases([], [], [], [], []), {}
    nw = table.nw
    moment, spend = nw.col("moment"), nw.col("spend")
    purchases = rows.group_by("customer_id", "moment").agg(nw.col("amount").sum().alias("spend"))
    totals = purchases.group_by("customer_id").agg(
        moment.min(),
        moment.max().alias("last"),
        nw.len().alias("purchases"),
        spend.sum().alias("total"),
    )
    # The first purchase's spend: the purchase at each customer's first moment.
    firsts = purchases.join(totals, on=["customer_id", "moment"]).select(
        "customer_id", "moment", "last", "purchases", "total", spend.alias("first_spend")
    )
    found = _columns(
        table, firsts, ("customer_id", "moment", "last", "purchases", "total", "first_spend")
    )
    ids = [cid if type(cid) in (str, int) else _customer_id(cid) for cid in found["customer_id"]]
    place = table.bound.field("placed_at")
    customers = Purchases(
        ids,
        _instants(found["moment"], period, zone, place),
        _instants(found["last"], period, zone, place),
        [whole(count) for count in found["purchases"]],
        [
            decimal(total) - decimal(first)
            for total, first in zip(found["total"], found["first_spend"], strict=True)
        ],
    )
    return customers, dict(zip(ids, found["last"], strict=True))


def framed_model_input(
    native: Any,
    *,
    end: datetime,
    unit: str,
    period: str,
    zone: tzinfo,
    columns: Any,
    naive_zone: Any,
    amount_scale: Any,
    amount_rounding: Any,
) -> ModelInput:
    """:func:`salesflow.predict.model_input` on the table ``native`` (arguments checked)."""
    table = orders(
        "records",
        native,
        now=None,
        columns=columns,
        naive_zone=naive_zone,
        amount_scale=amount_scale,
        amount_rounding=amount_rounding,
    )
    customers, _ = _calibration(table, end=end, period=period, zone=zone)
    return ModelInput(**model_columns(customers, end=end, unit=unit), unit=unit)


def framed_holdout(
    native: Any,
    *,
    end: datetime,
    stop: datetime,
    unit: str,
    period: str,
    zone: tzinfo,
    columns: Any,
    naive_zone: Any,
    amount_scale: Any,
    amount_rounding: Any,
) -> tuple[ModelInput, FloatArray]:
    """:func:`salesflow.predict.calibration_holdout` on the table ``native``: the calibration
    table and its customers' purchases in ``[end, stop)`` (a day already counted in
    calibration not counted again), in the calibration table's order."""
    table = orders(
        "records",
        native,
        now=None,
        columns=columns,
        naive_zone=naive_zone,
        amount_scale=amount_scale,
        amount_rounding=amount_rounding,
    )
    customers, lasts = _calibration(table, end=end, period=period, zone=zone)
    calibration = ModelInput(**model_columns(customers, end=end, unit=unit), unit=unit)
    during: dict[Any, int] = {}
    rows = _moments(table, start=end, stop=stop, period=period, zone=zone) if lasts else None
    if rows is not None:
        nw = table.nw
        moments = rows.group_by("customer_id", "moment").agg(nw.len().alias("rows"))
        counts = moments.group_by("customer_id").agg(
            nw.len().alias("purchases"), nw.col("moment").min()
        )
        found = _columns(table, counts, ("customer_id", "purchases", "moment"))
        for cid, count, first in zip(*found.values(), strict=True):
            last = lasts.get(_customer_id(cid))
            if last is not None:
                # Only the day that holds ``end`` can hold purchases on both sides of it.
                during[_customer_id(cid)] = whole(count) - int(first == last)
    actual = np.asarray([during.get(cid, 0) for cid in calibration.customer_ids], dtype=np.float64)
    actual.flags.writeable = False
    return calibration, actual


def framed_rfm(
    native: Any,
    *,
    now: datetime,
    columns: Any,
    naive_zone: Any,
    amount_scale: Any,
    amount_rounding: Any,
) -> tuple[str | None, dict[Any, tuple[timedelta, int, Decimal]]]:
    """The currency and each customer's (recency, purchases, total spend) of the table
    ``native`` at ``now`` (UTC), each row one purchase, as :func:`salesflow.predict.rfm`
    reads records."""
    table = orders(
        "customers",
        native,
        now=now,
        columns=columns,
        naive_zone=naive_zone,
        amount_scale=amount_scale,
        amount_rounding=amount_rounding,
    )
    if not table.rows:
        return table.currency, {}
    nw = table.nw
    rows = epoch_microseconds(nw, table.bound.frame, "placed_at", "us")
    per_customer = rows.group_by("customer_id").agg(
        nw.col("us").max(),
        nw.len().alias("purchases"),
        nw.col("amount").sum().alias("spend"),
    )
    found = _columns(table, per_customer, ("customer_id", "us", "purchases", "spend"))
    values = {
        _customer_id(cid): (now - _EPOCH - index(last) * _MICROSECOND, whole(count), decimal(spend))
        for cid, last, count, spend in zip(*found.values(), strict=True)
    }
    return table.currency, values
