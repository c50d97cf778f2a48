"""The cohort folds: one pass over order items, keeping per-customer state only.

:func:`fold_spending` (the per-customer summary) and :func:`fold_active_months`
(the cohort table) check the common record shape (a plain dict, str or int
ids, an aware ``datetime``, Decimal money) inline with exact type tests; every
other item, and every fault, goes through the one orders reader
(:func:`salesflow.metrics._read.orders.order_row`), which names it. A law test
holds the two paths to the same results and errors.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from datetime import UTC, datetime, timezone, tzinfo
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from salesflow import _zones
from salesflow._results import INPUT_DIGITS
from salesflow.errors import InvalidField
from salesflow.metrics._read.fields import Id, currency, row_at, where
from salesflow.metrics._read.orders import GROSS, NET, order_items, order_row
from salesflow.metrics._read.progress import Report
from salesflow.money import EXACT
from salesflow.orders import OrderStatus

CustomerId = Id

_STATUSES: Final = frozenset(status.value for status in OrderStatus)
_CANCELLED: Final = OrderStatus.CANCELLED.value
# tzinfo classes that give an offset for every datetime: for these,
# ``astimezone(UTC)`` converts an aware value without a check of its own.
_ALWAYS_AWARE: Final = frozenset({ZoneInfo, timezone})
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# datetime's own subtraction, also for subclasses (a pandas Timestamp's "-"
# returns a pandas Timedelta); it raises TypeError for a naive datetime.
_SINCE: Final = datetime.__sub__
# Stands for the currency of a record the inline check could not read: it is
# no currency, so the record goes to the thorough path, which names the fault.
_UNREAD: Final = object()
# Quantizing to this many places in EXACT raises exactly when the reader's
# bound (salesflow._results.bounded_decimal) refuses a finite amount: more
# than INPUT_DIGITS decimal places, or a size of 10**INPUT_DIGITS or more.
_PLACES: Final = Decimal(1).scaleb(-INPUT_DIGITS)


def inexact_amount(index: int, value: Decimal) -> InvalidField:
    """The refusal of ``orders[index].amount`` whose sum would not stay exact."""
    return InvalidField(
        where(row_at("orders", index), "amount"),
        value,
        "amounts whose sums stay exact within 60 digits",
    )


def _read_spend(
    index: int, item: Any, now: datetime, expected: str | None, net: bool
) -> tuple[CustomerId, CustomerId, datetime, Decimal, str, bool]:
    """One item for the spending fold, through the orders reader (the thorough path)."""
    at = row_at("orders", index)
    row = order_row(
        at,
        item,
        now=now,
        placed=True,
        order_id=True,
        customer_id=True,
        revenue=NET if net else GROSS,
    )
    code = currency(where(at, "currency"), row.currency, expected=expected)
    return row.order_id, row.customer_id, row.placed_at, row.amount, code, row.cancelled  # type: ignore[return-value]


def _read_activity(
    index: int, item: Any, now: datetime | None
) -> tuple[CustomerId, datetime, bool]:
    """One item for the month fold: who ordered, when, and whether it counts."""
    row = order_row(row_at("orders", index), item, now=now, placed=True, customer_id=True)
    return row.customer_id, row.placed_at, row.cancelled  # type: ignore[return-value]


# -- the spending fold ---------------------------------------------------------------

SpendState = list[Any]
"""Per customer: [first_at, last_at, orders, total, first_order_spend, first_order_id].

(The fold indexes it with literals 0 to 5: a module constant costs a global
lookup per row.)

``first_at`` and ``last_at`` are aware datetimes in UTC, under
``datetime.UTC`` or, as the rows gave them, another name of UTC such as
``ZoneInfo("UTC")`` (they compare and subtract as instants); ``total`` and
``first_order_spend`` exact Decimals. The first order is the earliest; among
orders placed at the same instant, the one with the lowest id (then the lowest
amount), so the order of the rows never matters.
"""

_FIRST_SPEND, _FIRST_ID = 4, 5


def id_key(value: CustomerId) -> tuple[bool, Any]:
    """A sort key for ids: ints before strings, each in their own order."""
    return (isinstance(value, str), value)


def earlier_tie(order_id: CustomerId, spend: Decimal, state: SpendState) -> bool:
    """Same instant as the customer's first order: does this one come first?"""
    mine, theirs = id_key(order_id), id_key(state[_FIRST_ID])
    if mine != theirs:
        return mine < theirs
    return bool(spend < state[_FIRST_SPEND])


def fold_spending(
    rows: Any, *, now: datetime, net: bool, progress: Report | None = None
) -> tuple[str | None, dict[CustomerId, SpendState]]:
    """One pass over ``rows``: the currency and each customer's :data:`SpendState`.

    Reads order_id, customer_id, placed_at, amount, currency, status, and
    discount when ``net``. Cancelled orders are checked and left out. ``now``
    must be an aware datetime in ``datetime.UTC``; a record placed after it is
    refused. ``progress`` is reported the rows read (see
    :func:`~salesflow.metrics._read.orders.order_items`).
    """
    state: dict[CustomerId, SpendState] = {}
    lookup = state.get
    currency: str | None = None
    statuses, dropped = _STATUSES, _CANCELLED
    add, subtract = EXACT.add, EXACT.subtract
    dt, dec, text, whole = datetime, Decimal, str, int
    utc, epoch, since, zones = UTC, _EPOCH, _SINCE, _ALWAYS_AWARE
    # A UTC zone under another name (ZoneInfo("UTC") from parquet or DuckDB)
    # has no clock changes, so its times are kept as given and compared as
    # they are: with each other by wall clock (exact here), with ``now``
    # written in the same zone. Every other zone is converted to UTC.
    alias: Any = _UNREAD
    alias_now = now
    other: Any = _UNREAD
    fits, places, plain = EXACT.quantize, _PLACES, dict
    for index, row in enumerate(order_items("orders", rows, progress=progress)):
        limit = now
        # The inline check accepts the common shape of a plain dict only;
        # anything else, including every error, goes through _read_spend.
        try:
            if type(row) is not plain:
                raise TypeError
            order_id = row["order_id"]
            customer_id = row["customer_id"]
            at = row["placed_at"]
            spend = row["amount"]
            code = row["currency"]
            get = row.get
            discount = get("discount") if net else None
            status = get("status")
            fits(spend, places)
            if discount:
                fits(discount, places)
            if type(at) is not dt:
                at = epoch + since(at, epoch)  # pandas timestamps, naive values raise
            elif (tz := at.tzinfo) is not utc:
                if tz is alias:
                    limit = alias_now
                elif tz is other:
                    at = at.astimezone(utc)
                # Any other zone: astimezone is the cheap conversion; other
                # tzinfo classes (which may give no offset) take the checked
                # subtraction.
                elif tz is not None and type(tz) in zones:
                    if _zones.is_utc(tz):
                        alias, alias_now = tz, now.astimezone(tz)
                        limit = alias_now
                    else:
                        other = tz
                        at = at.astimezone(utc)
                else:
                    at = epoch + since(at, epoch)
        except Exception:
            code = _UNREAD
        if (
            type(code) is text
            and code == currency
            and ((type(customer_id) is text and customer_id) or type(customer_id) is whole)
            and ((type(order_id) is text and order_id) or type(order_id) is whole)
            and at <= limit
            and type(spend) is dec
            and spend.is_finite()
            and spend >= 0
            and (
                discount is None
                or (
                    type(discount) is dec
                    and (not discount or (discount.is_finite() and 0 < discount <= spend))
                )
            )
            and (status is None or (type(status) is text and status in statuses))
        ):
            if discount:
                try:
                    spend = subtract(spend, discount)
                except ArithmeticError:  # the thorough path names the fault
                    _read_spend(index, row, now, currency, net)
                    raise
            if status == dropped:  # a cancelled order: checked like any, then left out
                continue
        else:
            order_id, customer_id, at, spend, currency, cancelled = _read_spend(
                index, row, now, currency, net
            )
            if cancelled:
                continue
        customer = lookup(customer_id)
        if customer is None:
            state[customer_id] = [at, at, 1, spend, spend, order_id]
            continue
        customer[2] += 1
        try:
            customer[3] = add(customer[3], spend)
        except ArithmeticError:
            raise inexact_amount(index, spend) from None
        first = customer[0]
        if at <= first:
            if at < first or earlier_tie(order_id, spend, customer):
                customer[0] = at
                customer[4] = spend
                customer[5] = order_id
        elif at > customer[1]:
            customer[1] = at
    return currency, state


# -- the month fold --------------------------------------------------------------------


def month_number(at: datetime, zone: tzinfo) -> int:
    """``year * 12 + month - 1`` of the aware instant ``at`` seen in ``zone``."""
    local = at.astimezone(zone)
    return local.year * 12 + local.month - 1


def month_start(number: int, zone: tzinfo) -> datetime:
    """The first instant (UTC) of calendar month ``number`` in ``zone``.

    Local midnight on the 1st; where DST skips that midnight, fold=0 gives the
    pre-transition offset, which lands on the transition itself: still the
    first instant of the local month.
    """
    year, month = divmod(number, 12)
    return datetime(year, month + 1, 1, tzinfo=zone).astimezone(UTC)


_REACH: Final = 60  # months of room kept on each side of a record outside the window
_FIRST_MONTH: Final = 2 * 12  # January of year 2 ...
_END_MONTH: Final = 9999 * 12  # ... up to (not including) January of year 9999, as Period


class _Window:
    """UTC month boundaries in a zone, and one bit per month, for a bisect lookup.

    ``bounds[j]`` is the start of month ``base + j``; a record with
    ``bisect_right(bounds, at) == i`` (0 < i < len(bounds)) falls in month
    ``base + i - 1`` and sets bit ``masks[i] == 1 << (i - 1)``.
    """

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.base = 0
        self.bounds: list[datetime] = []
        self.masks: list[int] = []

    def widen(self, index: int, at: datetime, state: dict[CustomerId, int]) -> int:
        """Cover the month of ``at`` (with room around it); re-base the bits in ``state``.

        Returns the bisect position of ``at`` in the new bounds.
        """
        try:
            month = month_number(at, self.zone)
        except OverflowError:
            month = -1
        if not _FIRST_MONTH <= month < _END_MONTH:
            raise InvalidField(
                where(row_at("orders", index), "placed_at"),
                at,
                "a moment in the years 2 to 9998 (in the zone)",
            )
        low, high = month - _REACH, month + _REACH + 1
        if self.bounds:
            low = min(low, self.base)
            high = max(high, self.base + len(self.bounds) - 1)
        low, high = max(low, _FIRST_MONTH), min(high, _END_MONTH)
        shift = self.base - low if self.bounds else 0
        if shift:
            for customer, mask in state.items():
                state[customer] = mask << shift
        self.base = low
        self.bounds = [month_start(number, self.zone) for number in range(low, high + 1)]
        self.masks = [0, *(1 << bit for bit in range(len(self.bounds) - 1))]
        return bisect_right(self.bounds, at)


def _local_marks(
    bounds: list[datetime], latest: datetime, zone: tzinfo
) -> tuple[list[datetime] | None, datetime]:
    """``bounds`` and ``latest`` written in ``zone``, or None when comparing in it is unsafe.

    Python compares two datetimes of one tzinfo by their wall clocks. Across
    a clock change that orders correctly every instant against a mark whose
    own wall-clock reading happens once (neither repeated nor skipped): the
    readings only run backwards inside a repeated hour, and such a mark lies
    outside every one. A mark that is not such a reading makes this None.
    """
    try:
        marks = [bound.astimezone(zone) for bound in bounds]
        last = latest.astimezone(zone)
    except OverflowError:
        return None, latest
    for mark in (*marks, last):
        if mark.replace(fold=1 - mark.fold).utcoffset() != mark.utcoffset():
            return None, latest
    return marks, last


def fold_active_months(
    rows: Any, *, zone: tzinfo, now: datetime | None, progress: Report | None = None
) -> tuple[int, dict[CustomerId, int]]:
    """One pass over ``rows``: for each customer, the months (in ``zone``) they ordered in.

    Returns ``(base, masks)``: bit ``b`` of a customer's mask is set when they
    ordered in month number ``base + b`` (see :func:`month_number`). Reads
    customer_id, placed_at and status; cancelled orders are checked and left
    out. ``now`` (aware, UTC) refuses records placed after it. ``progress``
    is reported the rows read (see :func:`~salesflow.metrics._read.orders.order_items`).
    """
    state: dict[CustomerId, int] = {}
    lookup = state.get
    window = _Window(zone)
    bounds, masks, size = window.bounds, window.masks, 0
    locate: Callable[[list[datetime], datetime], int] = bisect_right
    statuses, dropped = _STATUSES, _CANCELLED
    dt, text, whole = datetime, str, int
    utc, epoch, since, zones = UTC, _EPOCH, _SINCE, _ALWAYS_AWARE
    latest = now if now is not None else datetime.max.replace(tzinfo=UTC)
    # Rows written in one other zone (ZoneInfo("UTC") from parquet, or a
    # shop's zone) are compared with the bounds written in that same zone,
    # which costs no conversion per row. That is exact when no bound and not
    # ``latest`` is a wall-clock reading the zone repeats or skips (see
    # _local_marks); otherwise local_marks is None and each row is converted.
    local_zone: Any = _UNREAD
    local_marks: list[datetime] | None = None
    local_latest = latest
    plain = dict
    for index, row in enumerate(order_items("orders", rows, progress=progress)):
        marks, last = bounds, latest
        try:
            if type(row) is not plain:
                raise TypeError
            customer_id = row["customer_id"]
            at = row["placed_at"]
            status = row.get("status")
            if type(at) is not dt:
                at = epoch + since(at, epoch)  # pandas timestamps, naive values raise
            elif (tz := at.tzinfo) is not utc:
                if tz is not local_zone and tz is not None and type(tz) in zones:
                    local_zone = tz
                    local_marks, local_latest = _local_marks(bounds, latest, tz)
                if tz is local_zone and local_marks is not None:
                    marks, last = local_marks, local_latest
                elif type(tz) in zones:
                    at = at.astimezone(utc)
                else:
                    at = epoch + since(at, epoch)
        except Exception:
            at = None
        if not (
            at is not None
            and at <= last
            and ((type(customer_id) is text and customer_id) or type(customer_id) is whole)
            and (status is None or (type(status) is text and status in statuses))
        ):
            customer_id, at, cancelled = _read_activity(index, row, now)
            if cancelled:
                continue
            marks = bounds
        elif status == dropped:  # a cancelled order: checked like any, then left out
            continue
        position = locate(marks, at)
        if not 0 < position < size:
            position = window.widen(index, at, state)
            bounds, masks, size = window.bounds, window.masks, len(window.bounds)
            if local_zone is not _UNREAD:
                local_marks, local_latest = _local_marks(bounds, latest, local_zone)
        state[customer_id] = lookup(customer_id, 0) | masks[position]
    return window.base, state
