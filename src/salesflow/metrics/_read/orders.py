"""The orders reader: every shape an order metric accepts, read into one :class:`OrderRow`.

An item is an :class:`~salesflow.orders.Order`, its events (a list or
tuple, of events or their ``to_dict()`` documents), an ``order.to_dict()``
document, or an order record (a mapping or an
:class:`~salesflow.metrics._records.OrderRecord`). Order metrics are written
against the rows, never against the input shapes; the aggregates' rules are
read as their properties (``was_delayed``, ``promised_delivery``,
``delivered_at``). A metric asks for the columns it needs, and a record is
checked for exactly those.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from salesflow import _check, _zones
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.fields import (
    Id,
    amount,
    currency,
    flag,
    identifier,
    items,
    moment,
    optional_moment,
    renamed,
    required,
    row_at,
    where,
)
from salesflow.metrics._read.progress import Report, counted
from salesflow.metrics._read.scope import history_not_after, not_after
from salesflow.metrics._records import OrderRecord, discount, order_status
from salesflow.money import EXACT, Money
from salesflow.orders import Order, OrderStatus
from salesflow.orders.events import event_from_dict as order_event_from_dict
from salesflow.orders.order import SCHEMA

ORDERS_EXPECTED: Final = (
    "an Order, its events (a list or tuple), an order.to_dict() document, "
    "or an order record (a mapping or an OrderRecord; from a DataFrame, pass "
    "df.to_dict('records'))"
)
HISTORY_EXPECTED: Final = (
    "an Order, its events (a list or tuple) or an order.to_dict() document: "
    "time in status needs the history"
)

NET: Final = "net"
GROSS: Final = "gross"


class OrderRow:
    """One order as the order metrics read it: the columns a metric asked for.

    ``amount`` is the order's revenue on the basis asked (net: the amount due
    or ``amount - discount``; gross: the line totals or ``amount``), in
    ``currency``. ``placed_at`` and ``delivered_at`` are instants in
    ``datetime.UTC``, whatever zone the order or record gave them in (as in
    every row of the reading layer). Columns not asked for keep their defaults.
    """

    __slots__ = (
        "amount",
        "cancelled",
        "currency",
        "customer_id",
        "delayed",
        "delivered_at",
        "order_id",
        "placed_at",
        "promised",
    )

    def __init__(self) -> None:
        self.order_id: Id | None = None
        self.customer_id: Id | None = None
        self.placed_at: datetime | None = None
        self.cancelled = False
        self.amount = Decimal(0)
        self.currency: str | None = None
        self.delayed = False
        self.delivered_at: datetime | None = None
        self.promised: date | None = None


def _replayed(field: str, events: list[Any] | tuple[Any, ...]) -> Order:
    parsed = [
        order_event_from_dict(event, field=f"{field}[{position}]")
        if isinstance(event, Mapping)
        else event
        for position, event in enumerate(events)
    ]
    try:
        return Order.replay(parsed)
    except InvalidField as err:
        raise renamed(err, err.field.replace("events[", f"{field}[", 1)) from None


WHOLE_HISTORY: Final = (
    "an aggregate with its whole history (metrics read every event; "
    "one restored from a snapshot holds only the events after it: replay it)"
)


def as_order(field: str, item: Any) -> Order | None:
    """The order an item at ``field`` describes, or None when it is a plain record."""
    if isinstance(item, Order):
        if item.snapshot_version:
            raise InvalidField(field, item, WHOLE_HISTORY)
        return item
    if isinstance(item, list | tuple):
        return _replayed(field, item)
    if isinstance(item, Mapping) and item.get("schema") == SCHEMA:
        try:
            return Order.from_dict(item)
        except InvalidField as err:
            raise renamed(err, f"{field}.{err.field}") from None
    return None


def record_fields(field: str, item: Any) -> Mapping[str, Any]:
    """A plain record's keys: the mapping itself, or an OrderRecord's ``to_dict()``."""
    if isinstance(item, Mapping):
        return item
    if isinstance(item, OrderRecord):
        return item.to_dict()
    raise InvalidType(field, item, ORDERS_EXPECTED)


def _net(field: str, gross: Decimal, value: Any) -> Decimal:
    """``gross`` less the discount ``value`` (absent means none)."""
    granted = discount(field, value, gross)
    if granted is None:
        return gross
    try:
        return EXACT.subtract(gross, granted)
    except ArithmeticError:
        raise InvalidField(field, value, "a discount whose difference stays exact") from None


def _from_order(
    order: Order,
    row: OrderRow,
    *,
    order_id: bool,
    customer_id: bool,
    revenue: str | None,
    delayed: bool,
    delivery: bool,
) -> None:
    row.placed_at = _zones.utc(order.placed_at)
    row.cancelled = order.status is OrderStatus.CANCELLED
    if order_id:
        row.order_id = order.number
    if customer_id:
        row.customer_id = order.customer.id
    if revenue is not None:
        due = order.amount_due
        row.currency = due.currency
        row.amount = (
            due.amount
            if revenue == NET
            else Money.total((line.total for line in order.lines), due.currency).amount
        )
    if delayed:
        row.delayed = order.was_delayed
    if delivery and order.status is OrderStatus.DELIVERED:
        delivered = order.delivered_at
        row.delivered_at = None if delivered is None else _zones.utc(delivered)
        row.promised = order.promised_delivery


def _from_record(
    at: str,
    fields: Mapping[str, Any],
    row: OrderRow,
    *,
    now: datetime | None,
    placed: bool,
    order_id: bool,
    customer_id: bool,
    revenue: str | None,
    delayed: bool,
    delivery: bool,
) -> None:
    if placed or now is not None:
        row.placed_at = moment(where(at, "placed_at"), required(at, fields, "placed_at"))
        not_after(now, where(at, "placed_at"), row.placed_at, fields["placed_at"])
    row.cancelled = order_status(where(at, "status"), fields.get("status")) is OrderStatus.CANCELLED
    if order_id:
        row.order_id = identifier(where(at, "order_id"), required(at, fields, "order_id"))
    if customer_id:
        row.customer_id = identifier(where(at, "customer_id"), required(at, fields, "customer_id"))
    if revenue is not None:
        gross = amount(where(at, "amount"), required(at, fields, "amount"))
        row.currency = currency(where(at, "currency"), required(at, fields, "currency"))
        row.amount = (
            _net(where(at, "discount"), gross, fields.get("discount")) if revenue == NET else gross
        )
    if delayed:
        row.delayed = flag(where(at, "delayed"), required(at, fields, "delayed"))
    if delivery:
        row.delivered_at = optional_moment(where(at, "delivered_at"), fields.get("delivered_at"))
        if row.delivered_at is not None:
            not_after(now, where(at, "delivered_at"), row.delivered_at, fields["delivered_at"])
            field = where(at, "promised_delivery")
            value = required(at, fields, "promised_delivery")
            row.promised = (
                _check.parse_date(field, value)
                if isinstance(value, str)
                else _check.calendar_date(field, value)
            )


def order_row(
    at: str,
    item: Any,
    *,
    now: datetime | None = None,
    placed: bool = False,
    order_id: bool = False,
    customer_id: bool = False,
    revenue: str | None = None,
    delayed: bool = False,
    delivery: bool = False,
) -> OrderRow:
    """One item at ``at`` (``orders[3]``) read into an :class:`OrderRow`.

    Every row has ``placed_at`` for an order (a record's only when ``placed``
    or ``now`` is given) and ``cancelled``. The columns asked for are read too:
    ``order_id`` and ``customer_id``, ``revenue`` (``"net"`` or ``"gross"``:
    amount and currency), ``delayed`` (ever delayed) and ``delivery``
    (delivery time and first promised date of a delivered order). With
    ``now`` (UTC), a time after it is refused.
    """
    row = OrderRow()
    order = as_order(at, item)
    if order is not None:
        history_not_after(now, at, item, order.history)
        _from_order(
            order,
            row,
            order_id=order_id,
            customer_id=customer_id,
            revenue=revenue,
            delayed=delayed,
            delivery=delivery,
        )
    else:
        _from_record(
            at,
            record_fields(at, item),
            row,
            now=now,
            placed=placed,
            order_id=order_id,
            customer_id=customer_id,
            revenue=revenue,
            delayed=delayed,
            delivery=delivery,
        )
    return row


def order_rows(
    name: str,
    orders: Any,
    *,
    now: datetime | None = None,
    placed: bool = False,
    order_id: bool = False,
    customer_id: bool = False,
    revenue: str | None = None,
    delayed: bool = False,
    delivery: bool = False,
) -> Iterator[OrderRow]:
    """Every item of the argument ``name`` read by :func:`order_row`, in order."""
    for index, item in enumerate(items(name, orders, expected=_items_expected())):
        yield order_row(
            row_at(name, index),
            item,
            now=now,
            placed=placed,
            order_id=order_id,
            customer_id=customer_id,
            revenue=revenue,
            delayed=delayed,
            delivery=delivery,
        )


def _items_expected() -> str:
    return f"an iterable of items, each {ORDERS_EXPECTED}"


def order_histories(name: str, orders: Any, *, now: datetime | None) -> Iterator[Order]:
    """Every item of ``name`` as an Order with its history; a plain record is refused."""
    for index, item in enumerate(
        items(name, orders, expected=f"an iterable of items, each {HISTORY_EXPECTED}")
    ):
        at = row_at(name, index)
        order = as_order(at, item)
        if order is None:
            raise InvalidType(at, item, HISTORY_EXPECTED)
        history_not_after(now, at, item, order.history)
        yield order


def sum_exact(total: Decimal, value: Decimal, field: str) -> Decimal:
    """``total + value`` in the exact context, or a refusal naming ``field``."""
    try:
        return EXACT.add(total, value)
    except ArithmeticError:
        raise InvalidField(field, value, "amounts whose sum stays exact within 60 digits") from None


def order_items(name: str, orders: Any, *, progress: Report | None = None) -> Iterable[Any]:
    """The argument ``name`` as an iterable of order items (a string or one mapping is refused).

    With ``progress`` (from :func:`~salesflow.metrics._read.progress.reporter`),
    the rows read are reported every :data:`~salesflow.metrics._read.progress.EVERY`
    rows; without it the items come as they are, at no cost.
    """
    rows = items(name, orders, expected=_items_expected())
    return rows if progress is None else counted(rows, progress)
