"""Order metrics: average order value, cancellation, delays, on-time delivery, time in status.

The metrics read order histories in the library's own vocabulary, or plain
records, in any mix:

- an :class:`~salesflow.orders.Order` aggregate;
- its events, a list or tuple (``order.history``, or the stored
  ``event.to_dict()`` documents, which are replayed and checked);
- an ``order.to_dict()`` document (a mapping whose ``schema`` is
  ``"salesflow.order/1"``);
- an order record: a plain mapping (``df.to_dict("records")`` works) or an
  :class:`~salesflow.metrics._records.OrderRecord`, with the keys of
  :mod:`salesflow.metrics._records` plus the delivery keys below.

========================= ==============================================================
record key                read by
========================= ==============================================================
``placed_at``             every metric given a ``period`` (placement time), aware
``status``                all; None or absent means a placed order
``amount``, ``currency``  :func:`average_order_value` (``amount`` is gross)
``discount``              :func:`average_order_value` with ``basis="net"``; None is none
``delayed``               :func:`delay_rate`: True when the order was ever delayed
``delivered_at``          :func:`on_time_delivery_rate`: aware, None when not delivered
``promised_delivery``     :func:`on_time_delivery_rate`, for delivered orders: the first
                          promised date (a ``date`` or ``"YYYY-MM-DD"``)
========================= ==============================================================

A metric reads only the keys it needs and checks exactly those; a bad value
raises :class:`~salesflow.errors.InvalidField` naming the item and the key
(``orders[3].placed_at``; ``orders[3][2].at`` for the third event of an event
list). Floats are refused as money, naive datetimes as times. In the keys
that may be None (``status``, ``discount``, ``delivered_at``), a DataFrame's
missing value (``NaN``, ``NaT``) means None. Every item is checked, in the
period or not; the order of the items never matters.

A period not over yet. The library reads no clock: pass ``now`` (an aware
datetime, the moment the data was taken) to the metrics that take a
``period``. With both, a result whose period had not ended at ``now`` says
so: its ``unfinished`` is True and its repr ends with "period not over"
(a half-finished month must not be compared with a full one as if alike).
With ``now``, every item is checked against it: a record's ``placed_at`` is
read even without a period, and a time after ``now`` (``placed_at``,
``delivered_at``, a request's ``at``, an event of a history) is refused,
naming the item and the key. A ``now`` before the period's start is
allowed: nothing in the period has happened yet, so the result counts
nothing and is flagged. Without ``now`` nothing is checked or flagged.

>>> from datetime import date, datetime, timezone
>>> from salesflow.metrics.orders import average_order_value, cancellation_rate
>>> at = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
>>> rows = [
...     {"placed_at": at, "amount": "40.00", "discount": "5.00", "currency": "EUR"},
...     {"placed_at": at, "amount": "20.00", "currency": "EUR", "status": "delivered"},
...     {"placed_at": at, "amount": "30.00", "currency": "EUR", "status": "cancelled"},
... ]
>>> average_order_value(rows)
<Amount average order value (net): 55.00 EUR / 2 = 27.5 EUR>
>>> cancellation_rate(rows).percent()
'33.3%'
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Final

import attrs

from salesflow import _check, _zones
from salesflow._durations import Durations
from salesflow._results import Amount, OnEmpty, Ratio, check_on_empty, settle
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType, UndefinedMetric
from salesflow.metrics._records import OrderRecord, _absent, _amount, _utc, check_basis
from salesflow.money import CURRENCY_MINOR_UNITS, EXACT, Money
from salesflow.orders import Order, OrderStatus
from salesflow.orders import event_from_dict as order_event_from_dict
from salesflow.orders.order import SCHEMA
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

TIMED_STATUSES: Final = tuple(status for status in OrderStatus if not status.is_final)
"""The statuses an order spends time in: all but the final delivered and cancelled."""

_MICROSECONDS_PER_DAY: Final = 86_400_000_000
_ORDER_EXPECTED: Final = (
    "an Order, its events (a list or tuple), an order.to_dict() document, "
    "or an order record (a mapping or an OrderRecord)"
)
_HISTORY_EXPECTED: Final = (
    "an Order, its events (a list or tuple) or an order.to_dict() document: "
    "time in status needs the history"
)


# -- reading the inputs (shared with salesflow.metrics.sales) ----------------------------


def _where(name: str, index: int, key: str) -> str:
    return f"{name}[{index}].{key}"


def _items(name: str, value: Any, expected: str) -> Iterable[Any]:
    """``value`` as an iterable of items; a string or a single mapping is refused."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidType(name, value, f"an iterable of items, each {expected}")
    return value


def _renamed(err: InvalidField, field: str) -> InvalidField:
    return type(err)(field, err.value, err.expected, context=err.context)


def _required(name: str, index: int, row: Mapping[str, Any], key: str) -> Any:
    try:
        return row[key]
    except KeyError:
        raise InvalidField(_where(name, index, key), None, "a value (it is missing)") from None


def _moment(name: str, index: int, row: Mapping[str, Any], key: str) -> datetime:
    """A required aware time (a datetime or an ISO string with an offset), in UTC."""
    return _utc(_where(name, index, key), _required(name, index, row, key))


def _optional_moment(name: str, index: int, row: Mapping[str, Any], key: str) -> datetime | None:
    """An optional aware time in UTC; None, absent, NaT or NaN (a DataFrame's gap) is None."""
    value = row.get(key)
    return None if _absent(value) else _utc(_where(name, index, key), value)


def _flag(name: str, index: int, row: Mapping[str, Any], key: str, *, default: bool | None) -> bool:
    value = row.get(key) if default is not None else _required(name, index, row, key)
    if default is not None and _absent(value):
        return default
    if not isinstance(value, bool):
        raise InvalidType(_where(name, index, key), value, "True or False")
    return value


def _money(name: str, index: int, row: Mapping[str, Any], key: str) -> Decimal:
    """A required amount of at least 0: a Decimal, an int or a decimal string."""
    return _amount(_where(name, index, key), _required(name, index, row, key))


def _currency(field: str, value: Any, expected: str | None) -> str:
    """An ISO 4217 code, the same as ``expected`` when that is known."""
    if not isinstance(value, str) or value not in CURRENCY_MINOR_UNITS:
        raise InvalidField(field, value, "an ISO 4217 code such as 'EUR' or 'USD'")
    if expected is not None and value != expected:
        raise CurrencyMismatch(
            field,
            value,
            f"{expected!r} like the items before it (amounts in different currencies never "
            "mix: filter by currency and compute each separately)",
        )
    return value


def _expected_currency(value: Any) -> str | None:
    if value is None:
        return None
    return _currency("currency", value, None)


def _period(value: Any) -> Period | None:
    if value is not None and not isinstance(value, Period):
        raise InvalidType("period", value, "None or a Period (Period.month(2026, 3, 'UTC'), ...)")
    return value


def _scope(period: Period | None, name: str) -> str:
    return f"{name} in {period.label}" if period is not None else f"all {name}"


def _now(value: Any) -> datetime:
    return _check.aware("now", value).astimezone(UTC)


def _optional_now(value: Any) -> datetime | None:
    """``now`` in UTC, or None: the library reads no clock, so only a given ``now`` counts."""
    return None if value is None else _now(value)


def _unfinished(period: Period | None, now: datetime | None) -> bool:
    """True when both a period and ``now`` are given and the period had not ended at ``now``."""
    return period is not None and now is not None and not period.ended(now)


def _after_now(now: datetime, field: str, value: Any) -> InvalidField:
    return InvalidField(field, value, f"a moment not after now ({now.isoformat()})")


def _not_after(now: datetime | None, field: str, moment: datetime | None, value: Any) -> None:
    """Refuse a record's time past ``now``: what happens after it is not known yet."""
    if now is not None and moment is not None and _zones.utc(moment) > now:
        raise _after_now(now, field, value)


def _history_not_after(
    now: datetime | None, name: str, index: int, item: Any, history: tuple[Any, ...]
) -> None:
    """Refuse a history that runs past ``now``, naming its first event after it.

    The event is named as the item was given: ``orders[3][2].at`` in a list
    of events, ``orders[3].history[2].at`` in an Order or its document.
    """
    if now is None or not history or _zones.utc(history[-1].at) <= now:
        return
    for position, event in enumerate(history):
        if _zones.utc(event.at) > now:
            field = (
                f"{name}[{index}][{position}].at"
                if isinstance(item, list | tuple)
                else f"{name}[{index}].history[{position}].at"
            )
            raise _after_now(now, field, event.at)


def _replayed(name: str, index: int, events: list[Any] | tuple[Any, ...]) -> Order:
    parsed = [
        order_event_from_dict(event, field=f"{name}[{index}][{position}]")
        if isinstance(event, Mapping)
        else event
        for position, event in enumerate(events)
    ]
    try:
        return Order.replay(parsed)
    except InvalidField as err:
        raise _renamed(err, err.field.replace("events[", f"{name}[{index}][", 1)) from None


def _as_order(name: str, index: int, item: Any) -> Order | None:
    """The order an item describes, or None when it is a plain record."""
    if isinstance(item, Order):
        return item
    if isinstance(item, list | tuple):
        return _replayed(name, index, item)
    if isinstance(item, Mapping) and item.get("schema") == SCHEMA:
        try:
            return Order.from_dict(item)
        except InvalidField as err:
            raise _renamed(err, f"{name}[{index}].{err.field}") from None
    return None


def _record(name: str, index: int, item: Any) -> Mapping[str, Any]:
    if isinstance(item, Mapping):
        return item
    if isinstance(item, OrderRecord):
        return item.to_dict()
    raise InvalidType(f"{name}[{index}]", item, _ORDER_EXPECTED)


_STATUS_VALUES: Final = {status.value: status for status in OrderStatus}


def _status(name: str, index: int, row: Mapping[str, Any]) -> OrderStatus | None:
    value = row.get("status")
    if _absent(value):
        return None
    status = _STATUS_VALUES.get(value) if isinstance(value, str) else None
    if status is None:
        raise InvalidField(
            _where(name, index, "status"),
            value,
            f"None or an order status, one of {', '.join(_STATUS_VALUES)}",
        )
    return status


class _Facts:
    """What one order contributes, read from an Order or a record (private)."""

    __slots__ = (
        "amount",
        "cancelled",
        "currency",
        "delayed",
        "delivered_at",
        "placed_at",
        "promised",
    )

    def __init__(self) -> None:
        self.placed_at: datetime | None = None
        self.cancelled = False
        self.amount = Decimal(0)
        self.currency: str | None = None
        self.delayed = False
        self.delivered_at: datetime | None = None
        self.promised: date | None = None


_Reader = Callable[[str, int, Mapping[str, Any], _Facts], None]


def _facts(
    name: str,
    orders: Any,
    *,
    period: Period | None,
    from_order: Callable[[Order, _Facts], None],
    from_record: _Reader,
    keep_all: bool = False,
    read_placed: bool = False,
    now: datetime | None = None,
) -> Iterator[_Facts]:
    """One :class:`_Facts` per order placed in ``period`` (every item is checked).

    With ``keep_all``, every order is yielded and the caller filters by period;
    ``read_placed`` reads a record's placement time even without a period.
    With ``now`` (UTC), a record's placement time is read too, and an order
    with a time after ``now`` (an event, ``placed_at``, ``delivered_at``) is refused.
    """
    for index, item in enumerate(_items(name, orders, _ORDER_EXPECTED)):
        facts = _Facts()
        order = _as_order(name, index, item)
        if order is not None:
            _history_not_after(now, name, index, item, order.history)
            facts.placed_at = order.placed_at
            facts.cancelled = order.status is OrderStatus.CANCELLED
            from_order(order, facts)
        else:
            row = _record(name, index, item)
            if period is not None or read_placed or now is not None:
                facts.placed_at = _moment(name, index, row, "placed_at")
                _not_after(now, _where(name, index, "placed_at"), facts.placed_at, row["placed_at"])
            facts.cancelled = _status(name, index, row) is OrderStatus.CANCELLED
            from_record(name, index, row, facts)
            _not_after(
                now,
                _where(name, index, "delivered_at"),
                facts.delivered_at,
                row.get("delivered_at"),
            )
        if keep_all or period is None or period.contains(facts.placed_at):  # type: ignore[arg-type]
            yield facts


def _nothing(_order: Order, _facts: _Facts) -> None:
    return None


def _no_keys(_name: str, _index: int, _row: Mapping[str, Any], _facts: _Facts) -> None:
    return None


def _revenue_reader(net: bool) -> tuple[Callable[[Order, _Facts], None], _Reader]:
    """Readers of an order's revenue: gross (line totals / ``amount``) or net of discounts."""

    def from_order(order: Order, facts: _Facts) -> None:
        due = order.amount_due
        facts.currency = due.currency
        if net:
            facts.amount = due.amount
        else:
            facts.amount = Money.total((line.total for line in order.lines), due.currency).amount

    def from_record(name: str, index: int, row: Mapping[str, Any], facts: _Facts) -> None:
        amount = _money(name, index, row, "amount")
        facts.currency = _currency(
            _where(name, index, "currency"), _required(name, index, row, "currency"), None
        )
        if net and not _absent(row.get("discount")):
            field = _where(name, index, "discount")
            discount = _amount(field, row["discount"])
            if discount > amount:
                raise InvalidField(
                    field, row["discount"], f"a discount of at most the amount ({amount})"
                )
            try:
                amount = EXACT.subtract(amount, discount)
            except ArithmeticError:
                raise InvalidField(
                    field, row["discount"], "a discount whose difference stays exact"
                ) from None
        facts.amount = amount

    return from_order, from_record


def _sum(total: Decimal, amount: Decimal, field: str) -> Decimal:
    try:
        return EXACT.add(total, amount)
    except ArithmeticError:
        raise InvalidField(
            field, amount, "amounts whose sum stays exact within 60 digits"
        ) from None


# -- average order value --------------------------------------------------------------------


def average_order_value(
    orders: Iterable[Any],
    *,
    basis: str = "net",
    include_cancelled: bool = False,
    period: Period | None = None,
    now: datetime | None = None,
    currency: str | None = None,
    on_empty: OnEmpty = "undefined",
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
    ``unfinished`` while the period has not ended (see the module docs). The
    result is an :class:`Amount` in the orders' one currency; ``currency``
    states it (and is needed for an empty input, where there is no order to
    take it from).

    Refuses mixed currencies (:class:`~salesflow.errors.CurrencyMismatch`,
    naming the item), floats, negative amounts, a discount above the amount,
    an unknown basis, a naive ``now`` and an order dated after ``now``. No
    orders give an undefined amount (or
    :class:`UndefinedMetric` with ``on_empty="raise"``).

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
    scope = _period(period)
    moment = _optional_now(now)
    code = _expected_currency(currency)
    on_empty = check_on_empty(on_empty)
    from_order, from_record = _revenue_reader(net)
    total, count, left_out = Decimal(0), 0, 0
    name = "orders"
    # Every order is read, in the period or not, so the currency is known
    # (and checked) even when no order falls in the period.
    for index, facts in enumerate(
        _facts(
            name,
            orders,
            period=scope,
            from_order=from_order,
            from_record=from_record,
            keep_all=True,
            now=moment,
        )
    ):
        code = _currency(f"{name}[{index}].currency", facts.currency, code)
        if scope is not None and not scope.contains(facts.placed_at):  # type: ignore[arg-type]
            continue
        if facts.cancelled and not include_cancelled:
            left_out += 1
            continue
        total = _sum(total, facts.amount, f"{name}[{index}].amount")
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
        unfinished=_unfinished(scope, moment),
    )
    return settle(result, on_empty)


def _seconds(span: timedelta) -> str:
    """``span`` rounded half-even to the whole second, as ``timedelta`` prints it."""
    seconds, rest = divmod(span // timedelta(microseconds=1), 1_000_000)
    if rest * 2 > 1_000_000 or (rest * 2 == 1_000_000 and seconds % 2):
        seconds += 1
    return str(timedelta(seconds=seconds))


# -- rates over orders --------------------------------------------------------------------------


def cancellation_rate(
    orders: Iterable[Any],
    *,
    period: Period | None = None,
    now: datetime | None = None,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Order cancellation rate: cancelled orders / orders placed.

    An order counts in the period it was placed in (``period``, by placement
    time; all orders without one), and is cancelled when its status is
    cancelled now: an order placed in March and cancelled in April counts
    in March. Reads ``status`` (and ``placed_at`` with a period or ``now``)
    of records. With ``period`` and ``now``, a period not over at ``now`` is
    flagged (see the module docs).

    >>> from datetime import datetime, timezone
    >>> rows = [{"status": "cancelled"}, {"status": "delivered"}, {}, {"status": None}]
    >>> cancellation_rate(rows)
    <Ratio order cancellation rate (all orders placed): 1 / 4 = 0.25>
    """
    scope = _period(period)
    moment = _optional_now(now)
    on_empty = check_on_empty(on_empty)
    placed = cancelled = 0
    for facts in _facts(
        "orders", orders, period=scope, from_order=_nothing, from_record=_no_keys, now=moment
    ):
        placed += 1
        cancelled += facts.cancelled
    result = Ratio(
        "order cancellation rate",
        cancelled,
        placed,
        variant=_scope(scope, "orders placed"),
        formula="cancelled orders / orders placed",
        inputs=(("orders placed", placed), ("cancelled", cancelled)),
        unfinished=_unfinished(scope, moment),
    )
    return settle(result, on_empty)


def _delay_from_order(order: Order, facts: _Facts) -> None:
    facts.delayed = order.was_delayed


def _delay_from_record(name: str, index: int, row: Mapping[str, Any], facts: _Facts) -> None:
    facts.delayed = _flag(name, index, row, "delayed", default=None)


def delay_rate(
    orders: Iterable[Any],
    *,
    period: Period | None = None,
    now: datetime | None = None,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Delay rate: orders that were ever delayed / orders placed.

    An order delayed twice counts once; an order delayed and then delivered
    on time still counts (it was delayed). For an Order the history says it
    (a status change to delayed); a record carries ``delayed`` (True or
    False, required). Cancelled orders count in both, like any placed order.
    With ``period`` and ``now``, a period not over at ``now`` is flagged
    (see the module docs).

    >>> delay_rate([{"delayed": True}, {"delayed": False}, {"delayed": False}])
    <Ratio delay rate (all orders placed): 1 / 3 = 1/3 ≈ 0.3333333333>
    """
    scope = _period(period)
    moment = _optional_now(now)
    on_empty = check_on_empty(on_empty)
    placed = delayed = 0
    for facts in _facts(
        "orders",
        orders,
        period=scope,
        from_order=_delay_from_order,
        from_record=_delay_from_record,
        now=moment,
    ):
        placed += 1
        delayed += facts.delayed
    result = Ratio(
        "delay rate",
        delayed,
        placed,
        variant=_scope(scope, "orders placed"),
        formula="orders ever delayed / orders placed",
        inputs=(("orders placed", placed), ("ever delayed", delayed)),
        unfinished=_unfinished(scope, moment),
    )
    return settle(result, on_empty)


def _delivery_from_order(order: Order, facts: _Facts) -> None:
    # The carrier's own time (a late scan is recorded later, to keep the history
    # in order): the delivery day is the day the parcel arrived.
    if order.status is OrderStatus.DELIVERED:
        facts.delivered_at = order.delivered_at
        facts.promised = order.promised_delivery


def _delivery_from_record(name: str, index: int, row: Mapping[str, Any], facts: _Facts) -> None:
    facts.delivered_at = _optional_moment(name, index, row, "delivered_at")
    if facts.delivered_at is None:
        return
    field = _where(name, index, "promised_delivery")
    value = _required(name, index, row, "promised_delivery")
    facts.promised = (
        _check.parse_date(field, value)
        if isinstance(value, str)
        else _check.calendar_date(field, value)
    )


def on_time_delivery_rate(
    orders: Iterable[Any],
    *,
    zone: tzinfo | str,
    period: Period | None = None,
    now: datetime | None = None,
    on_empty: OnEmpty = "undefined",
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
    ``now`` is flagged, and a delivery after ``now`` is refused (see the
    module docs).

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
    where = _zones.zone("zone", zone)
    scope = _period(period)
    moment = _optional_now(now)
    on_empty = check_on_empty(on_empty)
    delivered = on_time = waiting = 0
    for facts in _facts(
        "orders",
        orders,
        period=scope,
        from_order=_delivery_from_order,
        from_record=_delivery_from_record,
        now=moment,
    ):
        if facts.delivered_at is None:
            waiting += 1
            continue
        delivered += 1
        on_time += facts.delivered_at.astimezone(where).date() <= facts.promised  # type: ignore[operator]
    result = Ratio(
        "on-time delivery rate",
        on_time,
        delivered,
        variant=f"first promised date, delivery day in {_zones.zone_label(where)}",
        formula="orders delivered on or before the first promised date / orders delivered",
        inputs=(
            ("orders delivered", delivered),
            ("on time", on_time),
            ("late", delivered - on_time),
            ("not delivered (left out)", waiting),
        ),
        unfinished=_unfinished(scope, moment),
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

    now: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    orders: int = attrs.field(
        validator=lambda _i, _a, value: _check.whole("orders", value, minimum=0)
    )
    period: Period | None = attrs.field(validator=lambda _i, _a, value: _period(value))
    statuses: tuple[Durations, ...] = attrs.field(validator=_durations_field)

    @property
    def unfinished(self) -> bool:
        """True when ``period`` is given and had not ended at ``now``."""
        return _unfinished(self.period, self.now)

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

    def format(self) -> str:
        """The table as text: per status, orders, mean, median and total time.

        Durations print as ``timedelta`` does (``1 day, 2:30:00``), rounded
        half-even to the second for display only; a ``*`` marks a status where
        some orders still were at ``now``. A period not over at ``now`` is
        said in the heading.
        """
        rows = [("status", "orders", "mean", "median", "total")]
        for status, durations in zip(TIMED_STATUSES, self.statuses, strict=True):
            flag = "*" if durations.ongoing else ""
            rows.append(
                (
                    status.value + flag,
                    str(durations.count),
                    "undefined" if durations.mean is None else _seconds(durations.mean),
                    "undefined" if durations.median is None else _seconds(durations.median),
                    _seconds(durations.total),
                )
            )
        widths = [max(len(row[column]) for row in rows) for column in range(5)]
        scope = _scope(self.period, "orders placed")
        if self.unfinished:
            scope += f", period not over at {self.now.isoformat()}"
        lines = [f"Time in each order status ({scope}, {self.orders} orders)"]
        for row in rows:
            lines.append(
                "  ".join(
                    [
                        row[0].ljust(widths[0]),
                        *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)),
                    ]
                ).rstrip()
            )
        if any(durations.ongoing for durations in self.statuses):
            lines.append(
                f"* some orders were still in it at {self.now.isoformat()} (counted up to then)"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        scope = _scope(self.period, "orders placed")
        mark = ", period not over" if self.unfinished else ""
        return f"<StatusTimes {self.orders} orders ({scope}), up to {self.now.isoformat()}{mark}>"


def _order_history(index: int, item: Any) -> Order:
    order = _as_order("orders", index, item)
    if order is None:
        raise InvalidType(f"orders[{index}]", item, _HISTORY_EXPECTED)
    return order


def time_in_status(
    orders: Iterable[Any],
    *,
    now: datetime,
    period: Period | None = None,
    on_empty: OnEmpty = "undefined",
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
    whether the period had ended at ``now`` (see the module docs). ``now``
    is required here: open stays are counted up to it.

    Takes Orders, their events or their documents (not records: the history
    is needed). Refuses a naive ``now`` and an order with an event after
    ``now`` (naming the event: ``orders[3].history[2].at``).
    ``on_empty="raise"`` raises :class:`UndefinedMetric` when there are no
    orders at all.

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
    moment = _now(now)
    scope = _period(period)
    on_empty = check_on_empty(on_empty)
    spans: dict[OrderStatus, list[timedelta]] = {status: [] for status in TIMED_STATUSES}
    ongoing = dict.fromkeys(TIMED_STATUSES, 0)
    count = 0
    for index, item in enumerate(_items("orders", orders, _HISTORY_EXPECTED)):
        order = _order_history(index, item)
        _history_not_after(moment, "orders", index, item, order.history)
        if scope is not None and not scope.contains(order.placed_at):
            continue
        count += 1
        stays: dict[OrderStatus, timedelta] = {}
        status, entered = OrderStatus.RECEIVED, order.placed_at
        for event in order.history[1:]:
            stays[status] = stays.get(status, timedelta(0)) + _zones.elapsed(entered, event.at)
            status, entered = event.to_status, event.at
        if not status.is_final:
            stays[status] = stays.get(status, timedelta(0)) + _zones.elapsed(entered, moment)
            ongoing[status] += 1
        for stayed, length in stays.items():
            spans[stayed].append(length)
    if count == 0 and on_empty == "raise":
        raise UndefinedMetric("time in status", "orders")
    variant = _scope(scope, "orders placed")
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


def _topic_test(topics: Any) -> tuple[Callable[[str], Any], str]:
    if callable(topics):
        return topics, "topic chosen by a predicate"
    if isinstance(topics, str | bytes | Mapping) or not isinstance(topics, Collection):
        raise InvalidType(
            "topics", topics, "a collection of topic strings, or a predicate taking the topic"
        )
    chosen = frozenset(
        _check.text(f"topics[{index}]", topic)
        for index, topic in enumerate(sorted(topics, key=str))
    )
    if not chosen:
        raise InvalidField("topics", topics, "at least one topic")
    return chosen.__contains__, "topic " + " or ".join(sorted(chosen))


def order_status_request_share(
    requests: Iterable[Mapping[str, Any]],
    *,
    topics: Collection[str] | Callable[[str], bool] = ORDER_STATUS_TOPICS,
    period: Period | None = None,
    now: datetime | None = None,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Share of support requests about order status: requests about it / all requests.

    Each request is a plain mapping ``{"request_id", "topic", "at"}``:
    ``topic`` a non-empty string, ``at`` an aware datetime (or an ISO
    string with an offset), read when a ``period`` or ``now`` is given (with
    ``now``, a request after it is refused; with both, a period not over at
    ``now`` is flagged: see the module docs). A request is
    about order status when its topic is in ``topics`` (by default
    :data:`ORDER_STATUS_TOPICS`, just ``"order_status"``; topics compare
    exactly, case included), or, when ``topics`` is a callable, when it
    returns True for the topic. ``request_id`` is not read: requests are not
    de-duplicated.

    A high share says customers cannot see where their order is: the status
    notifications are missing or unclear.

    >>> requests = [{"request_id": 1, "topic": "order_status"},
    ...             {"request_id": 2, "topic": "returns"},
    ...             {"request_id": 3, "topic": "where_is_my_order"}]
    >>> order_status_request_share(requests).percent()
    '33.3%'
    >>> order_status_request_share(requests, topics={"order_status", "where_is_my_order"})
    <Ratio share of support requests about order status (topic order_status or where_is_my_order): 2 / 3 = 2/3 ≈ 0.6666666667>
    """
    test, variant = _topic_test(topics)
    scope = _period(period)
    moment = _optional_now(now)
    on_empty = check_on_empty(on_empty)
    name = "requests"
    total = about = 0
    for index, row in enumerate(_items(name, requests, "a mapping with topic and at")):
        if not isinstance(row, Mapping):
            raise InvalidType(
                f"{name}[{index}]", row, "a mapping with the keys request_id, topic and at"
            )
        topic = _check.text(_where(name, index, "topic"), _required(name, index, row, "topic"))
        at = None
        if scope is not None or moment is not None:
            at = _moment(name, index, row, "at")
            _not_after(moment, _where(name, index, "at"), at, row["at"])
        if scope is not None and not scope.contains(at):  # type: ignore[arg-type]
            continue
        verdict = test(topic)
        if not isinstance(verdict, bool):
            raise InvalidType(
                "topics", verdict, f"a predicate returning True or False (for {topic!r})"
            )
        total += 1
        about += verdict
    if scope is not None:
        variant += f", in {scope.label}"
    result = Ratio(
        "share of support requests about order status",
        about,
        total,
        variant=variant,
        formula="requests about order status / all requests",
        inputs=(("requests", total), ("about order status", about)),
        unfinished=_unfinished(scope, moment),
    )
    return settle(result, on_empty)
