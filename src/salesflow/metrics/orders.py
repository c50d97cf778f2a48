"""Order metrics: average order value, cancellation, delays, on-time delivery, time in status.

Each takes Orders, their event histories, ``order.to_dict()`` documents or
order records, in any mix, read through one reader (``metrics._read.orders``);
docs/metrics.md ("Orders") lists the record keys each metric reads.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, ClassVar, Final

import attrs

from salesflow import _charts, _check, _zones
from salesflow._durations import Durations
from salesflow._frames_out import Columns, records_to_frame
from salesflow._results import Amount, OnEmpty, Ratio, check_on_empty, settle
from salesflow._tables import html_table, text_table
from salesflow.errors import InvalidField, InvalidType, UndefinedMetric
from salesflow.metrics._framed.histories import ORDER_HISTORY, framed_stays
from salesflow.metrics._framed.order_rates import (
    framed_cancellations,
    framed_delays,
    framed_deliveries,
    framed_order_value,
)
from salesflow.metrics._framed.requests import framed_requests
from salesflow.metrics._order_tallies import (
    TIMED_STATUSES,
    request_share,
    status_stays,
    topic_test,
)
from salesflow.metrics._read.fields import currency as currency_field
from salesflow.metrics._read.fields import items, required, row_at, where
from salesflow.metrics._read.fields import moment as moment_field
from salesflow.metrics._read.frames import rows_only, table
from salesflow.metrics._read.orders import (
    GROSS,
    NET,
    order_rows,
    sum_exact,
)
from salesflow.metrics._read.scope import (
    currency_argument,
    not_after,
    now_argument,
    optional_now,
    period_argument,
    scope_label,
    unfinished,
)
from salesflow.metrics._records import check_basis
from salesflow.money import Money
from salesflow.orders import OrderStatus
from salesflow.periods import Period

__all__ = [
    "ORDER_STATUS_TOPICS",
    "TIMED_STATUSES",
    "Durations",
    "StatusTimes",
    "average_order_value",
    "cancellation_rate",
    "delay_rate",
    "on_time_delivery_rate",
    "order_status_request_share",
    "time_in_status",
]

ORDER_STATUS_TOPICS: Final = frozenset({"order_status"})
"""The support request topics that count as "about order status" by default."""

"""The statuses an order spends time in: all but the final delivered and cancelled."""

_STATUS_VALUES: Final = {status.value: status for status in OrderStatus}


def _table_only(
    columns: Any, naive_zone: Any, amount_scale: Any = None, amount_rounding: Any = None
) -> dict[str, Any]:
    """The arguments that apply to a table only, for :func:`rows_only` on records."""
    return {
        "columns": columns,
        "naive_zone": naive_zone,
        "amount_scale": amount_scale,
        "amount_rounding": amount_rounding,
    }


# -- average order value --------------------------------------------------------------------


def average_order_value(
    orders: Any,
    *,
    basis: str = "net",
    include_cancelled: bool = False,
    period: Period | None = None,
    now: datetime | None = None,
    currency: str | None = None,
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
    amount_scale: int | None = None,
    amount_rounding: str | None = None,
) -> Amount:
    """Average order value: revenue / orders.

    AOV = revenue / orders, where an order's revenue is

    - ``basis="net"`` (the default): net of discounts. For a record,
      ``amount - discount``; for an :class:`~salesflow.orders.Order`, its
      amount due (the lines' total unless the shop set another amount at
      placement: a discount lowers it, shipping put in it raises it);
    - ``basis="gross"``: before discounts. For a record, ``amount``; for an
      Order, the sum of its line totals (quantity x unit price).

    Cancelled orders are not purchases and are left out of both revenue and
    orders, unless ``include_cancelled=True`` (a variant). With ``period``,
    only orders placed in it count; with ``now`` too, the result is flagged
    ``unfinished`` while the period has not ended (see docs/metrics.md, "Periods"). The
    result is an :class:`Amount` in the orders' one currency; ``currency``
    states it (and is needed for an empty input, where there is no order to
    take it from).

    Refuses mixed currencies (:class:`~salesflow.errors.CurrencyMismatch`,
    naming the item), floats, negative amounts, a discount above the amount,
    an unknown basis, a naive ``now`` and an order dated after ``now``. No
    orders give an undefined amount (or
    :class:`UndefinedMetric` with ``on_empty="raise"``).

    ``orders`` may be a table instead (pandas, polars, pyarrow, DuckDB,
    Spark, ...; the ``frames`` extra), one order per row: revenue and orders
    are summed inside its engine and the result is the same Amount. It reads
    amount, currency, status (may be absent), discount (net basis; may be
    absent) and, with ``period`` or ``now``, placed_at. ``columns`` maps
    salesflow's column names to the table's, ``currency`` stands in for a
    missing currency column (and is checked against a present one),
    ``naive_zone`` is the zone a naive time column was written in, and
    ``amount_scale`` with ``amount_rounding`` (``"ROUND_HALF_UP"``) rounds a
    float money column inside the engine (docs/frames.md).

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> rows = [{"placed_at": at, "amount": "40", "discount": "10", "currency": "EUR"},
    ...         {"placed_at": at, "amount": "20", "currency": "EUR"}]
    >>> average_order_value(rows, basis="gross")
    <Amount average order value (gross): 60 EUR / 2 = 30 EUR>
    """
    net = check_basis(basis)
    if not isinstance(include_cancelled, bool):
        raise InvalidType("include_cancelled", include_cancelled, "True or False")
    scope = period_argument(period)
    moment = optional_now(now)
    code = currency_argument(currency)
    on_empty = check_on_empty(on_empty)
    if table(orders):
        total, count, left_out, code = framed_order_value(
            orders,
            net=net,
            include_cancelled=include_cancelled,
            scope=scope,
            now=moment,
            currency=code,
            columns=columns,
            naive_zone=naive_zone,
            amount_scale=amount_scale,
            amount_rounding=amount_rounding,
        )
    else:
        rows_only(_table_only(columns, naive_zone, amount_scale, amount_rounding))
        total, count, left_out = Decimal(0), 0, 0
        # Every order is read, in the period or not, so the currency is known
        # (and checked) even when no order falls in the period.
        rows = order_rows(
            "orders", orders, now=moment, placed=scope is not None, revenue=NET if net else GROSS
        )
        for index, row in enumerate(rows):
            code = currency_field(f"orders[{index}].currency", row.currency, expected=code)
            if scope is not None and not scope.contains(row.placed_at):  # type: ignore[arg-type]
                continue
            if row.cancelled and not include_cancelled:
                left_out += 1
                continue
            total = sum_exact(total, row.amount, f"orders[{index}].amount")
            count += 1
    if code is None:
        raise InvalidField(
            "currency",
            None,
            "the orders' currency (an ISO 4217 code): there are no orders to take it from, "
            "and even an undefined amount is in a currency",
        )
    variant = basis
    if include_cancelled:
        variant += ", cancelled included"
    if scope is not None:
        variant += f", placed in {scope.label}"
    revenue = "net revenue (amount - discount)" if net else "gross revenue"
    inputs: list[tuple[str, Money | int]] = [(revenue, Money(total, code)), ("orders", count)]
    if not include_cancelled:
        inputs.append(("cancelled orders left out", left_out))
    result = Amount(
        "average order value",
        Money(total, code),
        count,
        variant=variant,
        formula=f"{revenue} / orders",
        inputs=tuple(inputs),
        denominator_name="orders",
        unfinished=unfinished(scope, moment),
    )
    return settle(result, on_empty)


_STATUS_HEADER: Final = ("status", "orders", "mean", "median", "total")


def _seconds(span: timedelta) -> str:
    """``span`` rounded half-even to the whole second, as ``timedelta`` prints it."""
    seconds, rest = divmod(span // timedelta(microseconds=1), 1_000_000)
    if rest * 2 > 1_000_000 or (rest * 2 == 1_000_000 and seconds % 2):
        seconds += 1
    return str(timedelta(seconds=seconds))


# -- rates over orders --------------------------------------------------------------------------


def cancellation_rate(
    orders: Any,
    *,
    period: Period | None = None,
    now: datetime | None = None,
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> Ratio:
    """Order cancellation rate: cancelled orders / orders placed.

    An order counts in the period it was placed in (``period``, by placement
    time; all orders without one), and is cancelled when its status is
    cancelled now: an order placed in March and cancelled in April counts
    in March. Reads ``status`` (and ``placed_at`` with a period or ``now``)
    of records. With ``period`` and ``now``, a period not over at ``now`` is
    flagged (see docs/metrics.md, "Periods").

    ``orders`` may be a table instead (the ``frames`` extra), one order per
    row: the orders are counted inside its engine, and the result is the
    same Ratio. The table must have a status column (a missing value in it
    is a placed order); ``columns`` maps salesflow's column names
    (``status``, ``placed_at``) to the table's, and ``naive_zone`` is the
    zone a naive ``placed_at`` column was written in (docs/frames.md).

    >>> from datetime import datetime, timezone
    >>> rows = [{"status": "cancelled"}, {"status": "delivered"}, {}, {"status": None}]
    >>> cancellation_rate(rows)
    <Ratio order cancellation rate (all orders placed): 1 / 4 = 0.25>
    """
    scope = period_argument(period)
    moment = optional_now(now)
    on_empty = check_on_empty(on_empty)
    if table(orders):
        placed, cancelled = framed_cancellations(
            orders, scope=scope, now=moment, columns=columns, naive_zone=naive_zone
        )
    else:
        rows_only(_table_only(columns, naive_zone))
        placed = cancelled = 0
        for row in order_rows("orders", orders, now=moment, placed=scope is not None):
            if scope is None or scope.contains(row.placed_at):  # type: ignore[arg-type]
                placed += 1
                cancelled += row.cancelled
    result = Ratio(
        "order cancellation rate",
        cancelled,
        placed,
        variant=scope_label(scope, "orders placed"),
        formula="cancelled orders / orders placed",
        inputs=(("orders placed", placed), ("cancelled", cancelled)),
        unfinished=unfinished(scope, moment),
    )
    return settle(result, on_empty)


def delay_rate(
    orders: Any,
    *,
    period: Period | None = None,
    now: datetime | None = None,
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> Ratio:
    """Delay rate: orders that were ever delayed / orders placed.

    An order delayed twice counts once; an order delayed and then delivered
    on time still counts (it was delayed). For an Order the history says it
    (a status change to delayed); a record carries ``delayed`` (True or
    False, required). Cancelled orders count in both, like any placed order.
    With ``period`` and ``now``, a period not over at ``now`` is flagged
    (see docs/metrics.md, "Periods").

    ``orders`` may be a table instead (the ``frames`` extra), one order per
    row with a boolean ``delayed`` column: the orders are counted inside its
    engine, and the result is the same Ratio. ``columns`` maps salesflow's
    column names (``delayed``, ``status``, ``placed_at``) to the table's;
    ``naive_zone`` is the zone a naive ``placed_at`` column was written in.

    >>> delay_rate([{"delayed": True}, {"delayed": False}, {"delayed": False}])
    <Ratio delay rate (all orders placed): 1 / 3 = 1/3 ≈ 0.3333333333>
    """
    scope = period_argument(period)
    moment = optional_now(now)
    on_empty = check_on_empty(on_empty)
    if table(orders):
        placed, delayed = framed_delays(
            orders, scope=scope, now=moment, columns=columns, naive_zone=naive_zone
        )
    else:
        rows_only(_table_only(columns, naive_zone))
        placed = delayed = 0
        rows = order_rows("orders", orders, now=moment, placed=scope is not None, delayed=True)
        for row in rows:
            if scope is None or scope.contains(row.placed_at):  # type: ignore[arg-type]
                placed += 1
                delayed += row.delayed
    result = Ratio(
        "delay rate",
        delayed,
        placed,
        variant=scope_label(scope, "orders placed"),
        formula="orders ever delayed / orders placed",
        inputs=(("orders placed", placed), ("ever delayed", delayed)),
        unfinished=unfinished(scope, moment),
    )
    return settle(result, on_empty)


def on_time_delivery_rate(
    orders: Any,
    *,
    zone: tzinfo | str,
    period: Period | None = None,
    now: datetime | None = None,
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> Ratio:
    """On-time delivery rate: orders delivered by the first promised date / orders delivered.

    An order is on time when the day it was delivered, read in ``zone`` (the
    shop's or the customer's: state it), is on or before the estimated
    delivery date promised *at placement*. A delay moves the estimated date
    but not the promise: an order delayed from the 27th to the 30th and
    delivered on the 29th is late. Orders not delivered (yet, or cancelled)
    are not in the denominator; they are reported in ``inputs``.

    For an Order, the promise is ``order.promised_delivery`` and the delivery
    time ``order.delivered_at``: the carrier's own time of its ``deliver``
    event (``reported_at``, when a late scan was recorded later), else the
    event's time; a record carries ``delivered_at``
    (None when not delivered) and, when delivered, ``promised_delivery``.
    With ``period`` (orders placed in it) and ``now``, a period not over at
    ``now`` is flagged, and a delivery after ``now`` is refused (see
    docs/metrics.md, "Periods").

    ``orders`` may be a table instead (the ``frames`` extra), one order per
    row: ``delivered_at`` a time column (missing where not delivered),
    ``promised_delivery`` a date column (needed where delivered). The
    delivery days in ``zone`` are found inside its engine and the result is
    the same Ratio. ``columns`` maps salesflow's column names to the
    table's; ``naive_zone`` is the zone naive time columns were written in.

    >>> from datetime import date, datetime, timezone
    >>> rows = [
    ...     {"promised_delivery": date(2026, 3, 5),
    ...      "delivered_at": datetime(2026, 3, 5, 23, 30, tzinfo=timezone.utc)},
    ...     {"promised_delivery": "2026-03-06",
    ...      "delivered_at": datetime(2026, 3, 6, 9, 0, tzinfo=timezone.utc)},
    ...     {"delivered_at": None},
    ... ]
    >>> on_time_delivery_rate(rows, zone="UTC").percent()
    '100.0%'
    >>> on_time_delivery_rate(rows, zone="Europe/Berlin").percent()  # 00:30 on the 6th there
    '50.0%'
    """
    local = _zones.zone("zone", zone)
    scope = period_argument(period)
    moment = optional_now(now)
    on_empty = check_on_empty(on_empty)
    if table(orders):
        delivered, on_time, waiting = framed_deliveries(
            orders, zone=local, scope=scope, now=moment, columns=columns, naive_zone=naive_zone
        )
    else:
        rows_only(_table_only(columns, naive_zone))
        delivered = on_time = waiting = 0
        rows = order_rows("orders", orders, now=moment, placed=scope is not None, delivery=True)
        for index, row in enumerate(rows):
            if scope is not None and not scope.contains(row.placed_at):  # type: ignore[arg-type]
                continue
            if row.delivered_at is None:
                waiting += 1
                continue
            delivered += 1
            try:
                day = row.delivered_at.astimezone(local).date()
            except OverflowError:  # the year 0 or 10000 in the zone
                raise InvalidField(
                    where(row_at("orders", index), "delivered_at"),
                    row.delivered_at,
                    f"a moment that reads within the years 1 to 9999 in {_zones.zone_label(local)}",
                ) from None
            on_time += day <= row.promised  # type: ignore[operator]
    result = Ratio(
        "on-time delivery rate",
        on_time,
        delivered,
        variant=f"first promised date, delivery day in {_zones.zone_label(local)}",
        formula="orders delivered on or before the first promised date / orders delivered",
        inputs=(
            ("orders delivered", delivered),
            ("on time", on_time),
            ("late", delivered - on_time),
            ("not delivered (left out)", waiting),
        ),
        unfinished=unfinished(scope, moment),
    )
    return settle(result, on_empty)


# -- time in status -----------------------------------------------------------------------------


def _durations_field(instance: Any, attribute: Any, value: Any) -> None:
    if (
        not isinstance(value, tuple)
        or len(value) != len(TIMED_STATUSES)
        or not all(isinstance(item, Durations) for item in value)
    ):
        raise InvalidType(
            attribute.name,
            value,
            f"a tuple of {len(TIMED_STATUSES)} Durations, one per timed status",
            context=type(instance).__name__,
        )


@attrs.frozen(repr=False)
class StatusTimes(Mapping[OrderStatus, Durations]):
    """Time spent in each status across orders: a mapping status -> :class:`Durations`.

    Keys are the :data:`TIMED_STATUSES` in lifecycle order (a status string
    such as ``"picking"`` works too). ``orders`` is how many orders were
    read, ``now`` the moment open stays were counted up to, ``period`` the
    placement period (None for all orders). ``unfinished`` is True when the
    period had not ended at ``now``: more orders may still be placed in it
    and its stays still grow. :meth:`format` draws a table.
    """

    COLUMNS: ClassVar[Columns] = (("status", "text"), *Durations.COLUMNS)
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

    now: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    orders: int = attrs.field(
        validator=lambda _i, _a, value: _check.whole("orders", value, minimum=0)
    )
    period: Period | None = attrs.field(validator=lambda _i, _a, value: period_argument(value))
    statuses: tuple[Durations, ...] = attrs.field(validator=_durations_field)

    @property
    def unfinished(self) -> bool:
        """True when ``period`` is given and had not ended at ``now``."""
        return unfinished(self.period, self.now)

    def __getitem__(self, status: OrderStatus | str) -> Durations:
        found = _STATUS_VALUES.get(status) if isinstance(status, str) else None
        if found is None or found.is_final:
            raise InvalidField(
                "status",
                status,
                f"a status orders spend time in, one of {', '.join(TIMED_STATUSES)}",
            )
        return self.statuses[TIMED_STATUSES.index(found)]

    def __contains__(self, status: object) -> bool:
        found = _STATUS_VALUES.get(status) if isinstance(status, str) else None
        return found is not None and not found.is_final

    def get(self, status: OrderStatus | str, default: Any = None) -> Any:
        """The status's durations, or ``default`` for a status orders spend no time in."""
        try:
            return self[status]
        except InvalidField:
            return default

    def __iter__(self) -> Iterator[OrderStatus]:
        return iter(TIMED_STATUSES)

    def __len__(self) -> int:
        return len(TIMED_STATUSES)

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per status: ``pd.DataFrame(times.to_records())``."""
        return [
            {"status": status.value, **durations.to_dict()}
            for status, durations in zip(TIMED_STATUSES, self.statuses, strict=True)
        ]

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The times as a DataFrame of ``backend``: "pandas", "polars" or "pyarrow".

        One row per status, the columns of :meth:`to_records`, in order and typed (durations as the
        library's duration type). Decimals stay exact (a decimal128 column) unless ``money="float"``
        makes them float64, inexact, for plotting, ``describe()`` and ``qcut``. Needs the library
        (:class:`~salesflow.errors.MissingExtra` names the extra to install); see docs/metrics.md
        ("In a notebook").
        """
        return records_to_frame(
            self.to_records(),
            columns=self.COLUMNS,
            backend=backend,
            money=money,
        )

    def format(self) -> str:
        """The table as text: per status, orders, mean, median and total time.

        Durations print as ``timedelta`` does (``1 day, 2:30:00``), rounded
        half-even to the second for display only; a ``*`` marks a status where
        some orders still were at ``now``. A period not over at ``now`` is
        said in the heading.
        """
        lines = [self._heading(), *text_table([_STATUS_HEADER, *self._rows()]), *self._notes()]
        return "\n".join(lines)

    def to_vega_lite(self) -> dict[str, Any]:
        """A Vega-Lite v5 bar chart (a plain dict) of the mean days in each status.

        The tooltip adds the orders counted, those still in the status and the
        median (days as floats for plotting only). See docs/metrics.md ("Charts").
        """
        return _charts.duration_bars(
            title=self._heading(),
            field="status",
            label="Status",
            names=[status.value for status in TIMED_STATUSES],
            times=self.statuses,
        )

    def to_altair(self) -> Any:
        """:meth:`to_vega_lite` as an ``altair.Chart`` (needs ``pip install 'salesflow[viz]'``)."""
        return _charts.altair_chart(self.to_vega_lite())

    def _repr_html_(self) -> str:
        return html_table(
            kind="status-times",
            caption=self._heading(),
            header=_STATUS_HEADER,
            rows=self._rows(),
            notes=self._notes(),
        )

    def _heading(self) -> str:
        scope = scope_label(self.period, "orders placed")
        if self.unfinished:
            scope += f", period not over at {self.now.isoformat()}"
        return f"Time in each order status ({scope}, {self.orders} orders)"

    def _rows(self) -> list[tuple[str, ...]]:
        return [
            (
                status.value + ("*" if durations.ongoing else ""),
                str(durations.count),
                "undefined" if durations.mean is None else _seconds(durations.mean),
                "undefined" if durations.median is None else _seconds(durations.median),
                _seconds(durations.total),
            )
            for status, durations in zip(TIMED_STATUSES, self.statuses, strict=True)
        ]

    def _notes(self) -> list[str]:
        if any(durations.ongoing for durations in self.statuses):
            return [
                f"* some orders were still in it at {self.now.isoformat()} (counted up to then)"
            ]
        return []

    def __repr__(self) -> str:
        scope = scope_label(self.period, "orders placed")
        mark = ", period not over" if self.unfinished else ""
        return f"<StatusTimes {self.orders} orders ({scope}), up to {self.now.isoformat()}{mark}>"


def time_in_status(
    orders: Any,
    *,
    now: datetime,
    period: Period | None = None,
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> StatusTimes:
    """Time spent in each order status, from the histories: per status total, mean and median.

    For each order, the time in a status is the sum of its stays there: a
    stay runs from the event that entered the status to the next status
    change (``StatusChanged.at``); an order that is processing, delayed,
    then processing again adds both processing stays. An order still in a
    status at ``now`` counts up to ``now``, and the status's ``ongoing``
    says how many such open stays it holds. Mean and median are across the
    orders that were in the status (an order never delayed is not a zero
    in the delayed column). Delivered and cancelled are final: no time is
    measured there.

    With ``period`` (orders placed in it), the result's ``unfinished`` says
    whether the period had ended at ``now`` (see docs/metrics.md, "Periods"). ``now``
    is required here: open stays are counted up to it.

    Takes Orders, their events or their documents (not records: the history
    is needed). Refuses a naive ``now`` and an order with an event after
    ``now`` (naming the event: ``orders[3].history[2].at``).
    ``on_empty="raise"`` raises :class:`UndefinedMetric` when there are no
    orders at all.

    ``orders`` may be a table of status changes instead (pandas, polars,
    pyarrow, DuckDB, Spark, ...; the ``frames`` extra), as exported from an
    event store: one row per change, ``order_id``, ``status`` (the status
    entered) and ``at``, the placement included as a ``received`` row, and
    optionally ``version`` (the event's version, which orders changes at the
    same instant; without it such ties are refused). The stays are summed
    inside the engine and only their totals leave it, so the result is the
    same :class:`StatusTimes`. The table is checked as a replayed history
    is, on what it carries: each order starts ``received``, every move is
    one the lifecycle allows (a resume returns to the status the delay
    interrupted; nothing follows delivered or cancelled), times do not go
    back, nothing is after ``now``. ``columns`` maps these names to the
    table's; ``naive_zone`` is the zone a naive ``at`` column was written in.

    >>> from datetime import date, datetime, timedelta, timezone
    >>> from salesflow import Money
    >>> from salesflow.orders import Customer, Order, OrderLine, ProcessingStep, SupportContact
    >>> t0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> order = Order.place(number="1", customer=Customer("c-1", "Ada"),
    ...     lines=[OrderLine("MUG-1", "Mug", 1, Money("8", "EUR"))],
    ...     estimated_delivery=date(2026, 3, 6), support=SupportContact(email="help@shop.example"),
    ...     at=t0).order
    >>> order = order.process(step=ProcessingStep.STOCK_CHECK, at=t0 + timedelta(hours=2)).order
    >>> times = time_in_status([order], now=t0 + timedelta(hours=5))
    >>> times["received"].total, times["processing"].total, times["processing"].ongoing
    (datetime.timedelta(seconds=7200), datetime.timedelta(seconds=10800), 1)
    """
    moment = now_argument(now)
    scope = period_argument(period)
    on_empty = check_on_empty(on_empty)
    if table(orders):
        stays = framed_stays(
            orders, ORDER_HISTORY, now=moment, period=scope, columns=columns, naive_zone=naive_zone
        )
        count = stays.count
        spans = {status: stays.spans[status.value] for status in TIMED_STATUSES}
        ongoing = {status: stays.ongoing[status.value] for status in TIMED_STATUSES}
    else:
        rows_only({"columns": columns, "naive_zone": naive_zone})
        spans, ongoing, count = status_stays(orders, moment, scope)
    if count == 0 and on_empty == "raise":
        raise UndefinedMetric("time in status", "orders")
    variant = scope_label(scope, "orders placed")
    return StatusTimes(
        now=moment,
        orders=count,
        period=scope,
        statuses=tuple(
            Durations(
                f"time in {status.value}",
                variant,
                f"sum over the order's stays in {status.value} (open stays up to now), per order",
                spans[status],
                counted="orders",
                ongoing=ongoing[status],
            )
            for status in TIMED_STATUSES
        ),
    )


# -- support requests --------------------------------------------------------------------------


def order_status_request_share(
    requests: Any,
    *,
    topics: Collection[str] | Callable[[str], bool] = ORDER_STATUS_TOPICS,
    period: Period | None = None,
    now: datetime | None = None,
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> Ratio:
    """Share of support requests about order status: requests about it / all requests.

    Each request is a plain mapping ``{"request_id", "topic", "at"}``:
    ``topic`` a non-empty string, ``at`` an aware datetime (or an ISO
    string with an offset), read when a ``period`` or ``now`` is given (with
    ``now``, a request after it is refused; with both, a period not over at
    ``now`` is flagged: see docs/metrics.md, "Periods"). A request is
    about order status when its topic is in ``topics`` (by default
    :data:`ORDER_STATUS_TOPICS`, just ``"order_status"``; topics compare
    exactly, case included), or, when ``topics`` is a callable, when it
    returns True for the topic. ``request_id`` is not read: requests are not
    de-duplicated.

    A high share says customers cannot see where their order is: the status
    notifications are missing or unclear.

    ``requests`` may be a table instead (the ``frames`` extra), one request
    per row with a string ``topic`` column (and a time column ``at``, read
    with a period or ``now``): the requests are counted per topic inside its
    engine, ``topics`` is applied to each topic found, and the result is
    the same Ratio. ``columns`` maps salesflow's column names to the
    table's; ``naive_zone`` is the zone a naive ``at`` column was written in.

    >>> requests = [{"request_id": 1, "topic": "order_status"},
    ...             {"request_id": 2, "topic": "returns"},
    ...             {"request_id": 3, "topic": "where_is_my_order"}]
    >>> order_status_request_share(requests).percent()
    '33.3%'
    >>> order_status_request_share(requests, topics={"order_status", "where_is_my_order"})
    <Ratio share of support requests about order status (topic order_status or where_is_my_order): 2 / 3 = 2/3 ≈ 0.6666666667>
    """
    test, variant = topic_test(topics)
    scope = period_argument(period)
    moment = optional_now(now)
    on_empty = check_on_empty(on_empty)
    if table(requests):
        total, about = framed_requests(
            requests, test=test, scope=scope, now=moment, columns=columns, naive_zone=naive_zone
        )
        return request_share(variant, total, about, scope, moment, on_empty)
    rows_only(_table_only(columns, naive_zone))
    name = "requests"
    total = about = 0
    requested = items(
        name, requests, expected="an iterable of items, each a mapping with topic and at"
    )
    for index, row in enumerate(requested):
        place = row_at(name, index)
        if not isinstance(row, Mapping):
            raise InvalidType(place, row, "a mapping with the keys request_id, topic and at")
        topic = _check.text(where(place, "topic"), required(place, row, "topic"))
        at = None
        if scope is not None or moment is not None:
            at = moment_field(where(place, "at"), required(place, row, "at"))
            not_after(moment, where(place, "at"), at, row["at"])
        if scope is not None and not scope.contains(at):  # type: ignore[arg-type]
            continue
        verdict = test(topic)
        if not isinstance(verdict, bool):
            raise InvalidType(
                "topics", verdict, f"a predicate returning True or False (for {topic!r})"
            )
        total += 1
        about += verdict
    return request_share(variant, total, about, scope, moment, on_empty)
