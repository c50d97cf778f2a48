"""What counts as a purchase: the ``purchase=`` rule of the per-customer metrics.

``"row"`` (each record is a purchase) is the folds' own fast path
(:mod:`salesflow.metrics._read.folds`); ``"order"`` and ``"customer_day"``
merge rows here, reading each through the orders reader, which names every
fault (docs/metrics.md, "What counts as a purchase").
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any, Final, Literal

from salesflow import _zones
from salesflow.errors import InvalidField
from salesflow.metrics._read.fields import currency, renamed, row_at, where
from salesflow.metrics._read.folds import (
    CustomerId,
    SpendState,
    earlier_tie,
    fold_active_months,
    inexact_amount,
)
from salesflow.metrics._read.orders import GROSS, NET, OrderRow, order_items, order_row
from salesflow.metrics._read.progress import Report
from salesflow.money import EXACT

Purchase = Literal["row", "order", "customer_day"]
PURCHASES: Final = ("row", "order", "customer_day")


def check_purchase(purchase: Any) -> str:
    """``"row"`` (the default), ``"order"`` or ``"customer_day"``; anything else is refused."""
    if not isinstance(purchase, str) or purchase not in PURCHASES:
        raise InvalidField(
            "purchase",
            purchase,
            "'row' (each record), 'order' (the rows of one order_id) or "
            "'customer_day' (a customer's rows on one calendar day in the zone)",
        )
    return purchase


def _add(index: int, total: Decimal, spend: Decimal) -> Decimal:
    try:
        return EXACT.add(total, spend)
    except ArithmeticError:
        raise inexact_amount(index, spend) from None


def _rows(
    rows: Any,
    *,
    now: datetime | None,
    revenue: str | None,
    code: list[str | None],
    progress: Report | None,
) -> Iterator[tuple[int, OrderRow]]:
    """Every item read with its order id, customer and time (and money when ``revenue``).

    ``code`` holds the currency: the first record's, which every other must match.
    """
    for index, item in enumerate(order_items("orders", rows, progress=progress)):
        at = row_at("orders", index)
        row = order_row(
            at, item, now=now, placed=True, order_id=True, customer_id=True, revenue=revenue
        )
        if revenue is not None:
            code[0] = currency(where(at, "currency"), row.currency, expected=code[0])
        yield index, row


def _same_customer(index: int, row: OrderRow, first: int, customer: CustomerId) -> None:
    if row.customer_id != customer:
        raise InvalidField(
            where(row_at("orders", index), "customer_id"),
            row.customer_id,
            f"{customer!r}, the customer of order {row.order_id!r} in orders[{first}] "
            "(with purchase='order' the rows of one order belong to one customer)",
        )


def _orders(
    rows: Any, *, now: datetime | None, revenue: str | None, progress: Report | None
) -> tuple[str | None, dict[Any, list[Any]]]:
    """Per order id: [customer_id, first row index, earliest time, spend] of its rows.

    Cancelled rows are checked (their customer too) and left out; an order all
    of whose rows are cancelled keeps None as its time.
    """
    merged: dict[Any, list[Any]] = {}
    code: list[str | None] = [None]
    for index, row in _rows(rows, now=now, revenue=revenue, code=code, progress=progress):
        entry = merged.get(row.order_id)
        if entry is None:
            entry = merged[row.order_id] = [row.customer_id, index, None, Decimal(0)]
        else:
            _same_customer(index, row, entry[1], entry[0])
        if row.cancelled:
            continue
        at = row.placed_at
        if entry[2] is None or at < entry[2]:
            entry[2] = at
        entry[3] = _add(index, entry[3], row.amount)
    return code[0], merged


def _spend_by_order(
    rows: Any, *, now: datetime, net: bool, progress: Report | None
) -> tuple[str | None, dict[CustomerId, SpendState]]:
    code, merged = _orders(rows, now=now, revenue=NET if net else GROSS, progress=progress)
    state: dict[CustomerId, SpendState] = {}
    for order_id, (customer_id, index, at, spend) in merged.items():
        if at is None:
            continue
        customer = state.get(customer_id)
        if customer is None:
            state[customer_id] = [at, at, 1, spend, spend, order_id]
            continue
        customer[2] += 1
        customer[3] = _add(index, customer[3], spend)
        first = customer[0]
        if at < first or (at == first and earlier_tie(order_id, spend, customer)):
            customer[0], customer[4], customer[5] = at, spend, order_id
        elif at > customer[1]:
            customer[1] = at
    return code, state


def _day(index: int, at: datetime, zone: tzinfo) -> int:
    try:
        return at.astimezone(zone).toordinal()
    except OverflowError:
        raise InvalidField(
            where(row_at("orders", index), "placed_at"),
            at,
            f"a moment that reads within the years 1 to 9999 in {_zones.zone_label(zone)}",
        ) from None


def _spend_by_day(
    rows: Any, *, now: datetime, net: bool, zone: tzinfo, progress: Report | None
) -> tuple[str | None, dict[CustomerId, SpendState]]:
    # Per customer: [first_at, last_at, days, total, first-day spend, first day, last day].
    # A purchase's time is its earliest row's, so last_at is the earliest row of the last day.
    days: dict[Any, list[Any]] = {}
    code: list[str | None] = [None]
    for index, row in _rows(
        rows, now=now, revenue=NET if net else GROSS, code=code, progress=progress
    ):
        if row.cancelled:
            continue
        at, spend = row.placed_at, row.amount
        day = _day(index, at, zone)  # type: ignore[arg-type]
        customer = days.get(row.customer_id)
        if customer is None:
            days[row.customer_id] = [at, at, {day}, spend, spend, day, day]
            continue
        customer[2].add(day)
        customer[3] = _add(index, customer[3], spend)
        if day < customer[5]:
            customer[0], customer[4], customer[5] = at, spend, day
        elif day == customer[5]:
            customer[0] = min(customer[0], at)
            customer[4] = _add(index, customer[4], spend)
        if day > customer[6]:
            customer[1], customer[6] = at, day
        elif day == customer[6]:
            customer[1] = min(customer[1], at)
    state: dict[CustomerId, SpendState] = {
        customer_id: [first, last, len(seen), total, first_spend, None]
        for customer_id, (first, last, seen, total, first_spend, _, _) in days.items()
    }
    return code[0], state


def fold_purchase_spending(
    rows: Any,
    *,
    now: datetime,
    net: bool,
    purchase: str,
    zone: tzinfo,
    progress: Report | None = None,
) -> tuple[str | None, dict[CustomerId, SpendState]]:
    """:func:`~salesflow.metrics._read.folds.fold_spending` for merged purchases.

    ``purchase`` is ``"order"`` (per-order state: one small entry per order
    id) or ``"customer_day"`` (per customer, the set of their days in
    ``zone``). The state's last item (the first order's id) is None for days.
    """
    if purchase == "order":
        return _spend_by_order(rows, now=now, net=net, progress=progress)
    return _spend_by_day(rows, now=now, net=net, zone=zone, progress=progress)


def fold_purchase_months(
    rows: Any, *, zone: tzinfo, now: datetime | None, progress: Report | None = None
) -> tuple[int, dict[CustomerId, int]]:
    """:func:`~salesflow.metrics._read.folds.fold_active_months` with one purchase per order id.

    An order's month is its earliest (not cancelled) row's.
    """
    _, merged = _orders(rows, now=now, revenue=None, progress=progress)
    kept = [(index, customer, at) for customer, index, at, _ in merged.values() if at is not None]
    try:
        return fold_active_months(
            ({"customer_id": customer, "placed_at": at} for _, customer, at in kept),
            zone=zone,
            now=now,
        )
    except InvalidField as err:
        prefix = "orders["
        if not err.field.startswith(prefix):
            raise
        position, rest = err.field[len(prefix) :].split("]", 1)
        raise renamed(err, f"orders[{kept[int(position)][0]}]{rest}") from None
