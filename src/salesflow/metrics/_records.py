"""Order records: the input contract of the record-based metrics, read in one fast pass.

A record-based metric (the per-customer summary and the cohort table in
:mod:`salesflow.metrics.cohorts`) reads an iterable of order records, once,
front to back: a list, a generator, or ``df.to_dict("records")`` from pandas
(``df.to_dicts()`` from polars), without pandas or polars being a dependency.
Each record is one order, given as

- a plain mapping with the keys below,
- an :class:`OrderRecord` (this module's value type), or
- an :class:`~salesflow.orders.Order` aggregate (its number, customer id,
  placement time, amount due and status).

========== ========= =====================================================
key        required  value
========== ========= =====================================================
order_id   yes       a non-empty string or an int, used exactly as given
customer_id yes      a non-empty string or an int, used exactly as given
placed_at  yes       a timezone-aware datetime (a pandas ``Timestamp`` is
                     one), or an ISO 8601 string with an offset
amount     yes       the order's gross amount, at least 0: a Decimal, an int
                     or a decimal string such as ``"19.99"``
currency   yes       an ISO 4217 code; every record has the same one
discount   no        the discount granted, from 0 to the amount, same types
                     as ``amount``; None, NaN or absent means none
status     no        an order status (``"delivered"``...); None, NaN or
                     absent means a placed order. ``"cancelled"`` orders are
                     checked and then left out: they are not purchases
========== ========= =====================================================

In the optional keys, a DataFrame's missing value (the NaN or NaT that
``df.to_dict("records")`` gives for a gap) means None.

Refusals. A record that breaks the contract raises
:class:`~salesflow.errors.InvalidField` (``InvalidType`` for a wrong type,
``CurrencyMismatch`` for a second currency) whose field names the record and
the key: ``rows[12].placed_at: got ..., expected a timezone-aware datetime``.
Floats are refused as money (a float such as 0.1 is not the amount that was
charged): convert a float column with ``Decimal(str(x))``, or better read it
as text (``pd.read_csv(..., dtype={"amount": str})``). Naive datetimes are
refused, never guessed. A metric reads only the keys it needs, and checks
exactly those; extra keys are ignored.

What is not checked: order ids are not de-duplicated (that would mean holding
every row); a record is one order, so pass each order once. Nanoseconds of a
pandas ``Timestamp`` are dropped (Python datetimes stop at microseconds).

>>> from datetime import datetime, timezone
>>> from salesflow.metrics._records import OrderRecord
>>> record = OrderRecord.from_mapping({
...     "order_id": "1001", "customer_id": "c-7", "amount": "19.99", "currency": "EUR",
...     "placed_at": "2026-03-31T23:30:00+02:00", "status": "delivered"})
>>> record.amount, record.placed_at
(Money('19.99', 'EUR'), datetime.datetime(2026, 3, 31, 21, 30, tzinfo=datetime.timezone.utc))
>>> OrderRecord.from_mapping({**record.to_dict(), "amount": 19.99})
Traceback (most recent call last):
...
salesflow.errors.InvalidType: rows[0]: row.amount: got 19.99, expected a Decimal, int or decimal string (floats are inexact: convert with Decimal(str(x)) or read the column as text)

How it is fast: each metric folds the rows in one loop that keeps per-customer
state only (never the rows). A record of plain values in the common shape (a
dict, str or int ids, a UTC ``datetime``, Decimal money) is checked inline
with exact type tests; anything else takes a slower path that checks it
thoroughly, converts it (strings, other zones, pandas timestamps) and names
what is wrong.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timezone, tzinfo
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from salesflow import _check, _zones
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType
from salesflow.metrics._read.fields import (
    Id,
    absent,
    amount,
    currency,
    id_attribute,
    identifier,
    integer,
    items,
    keyed_items,
    moment,
    money_attribute,
    required,
    row_at,
    shown_ids,
    survey_scale,
    values_of,
    where,
    whole_number,
)
from salesflow.money import EXACT, Money
from salesflow.orders import Order, OrderStatus

__all__ = [
    "OPTIONAL_KEYS",
    "REQUIRED_KEYS",
    "CustomerId",
    "OrderRecord",
    "SpendState",
    "check_basis",
    "fold_active_months",
    "fold_spending",
    "keyed_items",
    "month_number",
    "month_start",
    "shown_ids",
    "survey_scale",
    "values_of",
    "whole_number",
]

CustomerId = Id
"""A customer or order id: a non-empty string or an int, used exactly as given."""

REQUIRED_KEYS: Final = ("order_id", "customer_id", "placed_at", "amount", "currency")
OPTIONAL_KEYS: Final = ("discount", "status")

_CANCELLED: Final = OrderStatus.CANCELLED.value
_STATUSES: Final = frozenset(status.value for status in OrderStatus)
_PURCHASES: Final = _STATUSES - {_CANCELLED}
_ROW_EXPECTED: Final = (
    "a mapping with the keys order_id, customer_id, placed_at, amount and currency, "
    "an OrderRecord or an Order (from a DataFrame, pass df.to_dict('records'))"
)
_BASES: Final = ("net", "gross")
# Stands for the currency of a record the inline check could not read: it is
# no currency, so the record goes to the thorough path, which names the fault.
_UNREAD: Final = object()


# -- checking one record (the thorough path) ----------------------------------------


Row = int | str
"""Where a row is: its index in ``rows`` (named ``rows[index]``), or a name of its own."""


def _row(index: Row) -> str:
    return row_at("rows", index) if isinstance(index, int) else index


def _where(index: Row, key: str) -> str:
    return where(_row(index), key)


def _required(index: Row, row: Mapping[str, Any], key: str) -> Any:
    return required(_row(index), row, key)


def _identifier(index: Row, key: str, value: Any) -> CustomerId:
    return identifier(_where(index, key), value)


# Transitional names for the metric modules not yet reading through
# salesflow.metrics._read.fields (one definition each lives there).
_absent = absent
_utc = moment
_amount = amount
_integer = integer
_id_value = identifier


def _fields(index: Row, row: Any) -> Mapping[str, Any]:
    """The record as a mapping, whatever form it came in."""
    if isinstance(row, Mapping):
        return row
    if isinstance(row, OrderRecord):
        return row.to_dict()
    if isinstance(row, Order):
        return {
            "order_id": row.number,
            "customer_id": row.customer.id,
            "placed_at": row.placed_at,
            "amount": row.amount_due.amount,
            "currency": row.amount_due.currency,
            "status": row.status.value,
        }
    raise InvalidType(_row(index), row, _ROW_EXPECTED)


# tzinfo classes that give an offset for every datetime: for these,
# ``astimezone(UTC)`` converts an aware value without a check of its own.
_ALWAYS_AWARE: Final = frozenset({ZoneInfo, timezone})
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_SINCE: Final = datetime.__sub__


def _placed_at(index: Row, value: Any, now: datetime | None) -> datetime:
    field = _where(index, "placed_at")
    placed = moment(field, value)
    if now is not None and placed > now:
        raise InvalidField(field, value, f"a moment not after now ({now.isoformat()})")
    return placed


def _discount(index: Row, value: Any, gross: Decimal) -> Decimal | None:
    if absent(value):
        return None
    field = _where(index, "discount")
    discount = amount(field, value)
    if discount > gross:
        raise InvalidField(field, value, f"a discount of at most the amount ({gross})")
    return discount


def _currency(index: Row, value: Any, expected: str | None) -> str:
    return currency(_where(index, "currency"), value, expected=expected)


def _cancelled(index: Row, value: Any) -> bool:
    if absent(value):
        return False
    if not isinstance(value, str) or value not in _STATUSES:
        raise InvalidField(
            _where(index, "status"),
            value,
            f"None or an order status, one of {', '.join(sorted(_STATUSES))}",
        )
    return value == _CANCELLED


def _inexact(index: int, value: Decimal) -> InvalidField:
    return InvalidField(
        _where(index, "amount"), value, "amounts whose sums stay exact within 60 digits"
    )


def _read_spend(
    index: int, row: Any, now: datetime, expected: str | None, net: bool
) -> tuple[CustomerId, CustomerId, datetime, Decimal, str, bool]:
    """One record for the spending fold, checked key by key (the thorough path)."""
    fields = _fields(index, row)
    order_id = _identifier(index, "order_id", _required(index, fields, "order_id"))
    customer_id = _identifier(index, "customer_id", _required(index, fields, "customer_id"))
    placed = _placed_at(index, _required(index, fields, "placed_at"), now)
    spend = amount(_where(index, "amount"), _required(index, fields, "amount"))
    code = _currency(index, _required(index, fields, "currency"), expected)
    if net:
        discount = _discount(index, fields.get("discount"), spend)
        if discount is not None:
            try:
                spend = EXACT.subtract(spend, discount)
            except ArithmeticError:
                raise _inexact(index, discount) from None
    cancelled = _cancelled(index, fields.get("status"))
    return order_id, customer_id, placed, spend, code, cancelled


def _read_activity(index: int, row: Any, now: datetime | None) -> tuple[CustomerId, datetime, bool]:
    """One record for the month fold: who ordered, when, and whether it counts."""
    fields = _fields(index, row)
    customer_id = _identifier(index, "customer_id", _required(index, fields, "customer_id"))
    placed = _placed_at(index, _required(index, fields, "placed_at"), now)
    return customer_id, placed, _cancelled(index, fields.get("status"))


def _rows(rows: Any) -> Iterable[Any]:
    return items(
        "rows",
        rows,
        expected="an iterable of order records: mappings, OrderRecord or Order values "
        "(from a DataFrame, pass df.to_dict('records'))",
    )


def check_basis(basis: Any) -> bool:
    """``"net"`` (amount minus discount, the default) or ``"gross"``; True for net."""
    if not isinstance(basis, str) or basis not in _BASES:
        raise InvalidField("basis", basis, "'net' (amount minus discount) or 'gross'")
    return basis == "net"


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


def _id_key(value: CustomerId) -> tuple[bool, Any]:
    return (isinstance(value, str), value)


def _earlier_tie(order_id: CustomerId, spend: Decimal, state: SpendState) -> bool:
    """Same instant as the customer's first order: does this one come first?"""
    mine, theirs = _id_key(order_id), _id_key(state[_FIRST_ID])
    if mine != theirs:
        return mine < theirs
    return bool(spend < state[_FIRST_SPEND])


def fold_spending(
    rows: Any, *, now: datetime, net: bool
) -> tuple[str | None, dict[CustomerId, SpendState]]:
    """One pass over ``rows``: the currency and each customer's :data:`SpendState`.

    Reads order_id, customer_id, placed_at, amount, currency, status, and
    discount when ``net``. Cancelled orders are checked and left out. ``now``
    must be an aware datetime in ``datetime.UTC``; a record placed after it is
    refused.
    """
    state: dict[CustomerId, SpendState] = {}
    lookup = state.get
    currency: str | None = None
    purchases = _PURCHASES
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
    for index, row in enumerate(_rows(rows)):
        limit = now
        # The inline check accepts the common shape only; anything else,
        # including every error, goes through _read_spend, which names it.
        try:
            order_id = row["order_id"]
            customer_id = row["customer_id"]
            at = row["placed_at"]
            spend = row["amount"]
            code = row["currency"]
            get = row.get
            discount = get("discount") if net else None
            status = get("status")
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
            and (status is None or (type(status) is text and status in purchases))
        ):
            if discount:
                try:
                    spend = subtract(spend, discount)
                except ArithmeticError:
                    raise _inexact(index, discount) from None
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
            raise _inexact(index, spend) from None
        first = customer[0]
        if at <= first:
            if at < first or _earlier_tie(order_id, spend, customer):
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
                _where(index, "placed_at"), at, "a moment in the years 2 to 9998 (in the zone)"
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
    rows: Any, *, zone: tzinfo, now: datetime | None
) -> tuple[int, dict[CustomerId, int]]:
    """One pass over ``rows``: for each customer, the months (in ``zone``) they ordered in.

    Returns ``(base, masks)``: bit ``b`` of a customer's mask is set when they
    ordered in month number ``base + b`` (see :func:`month_number`). Reads
    customer_id, placed_at and status; cancelled orders are checked and left
    out. ``now`` (aware, UTC) refuses records placed after it.
    """
    state: dict[CustomerId, int] = {}
    lookup = state.get
    window = _Window(zone)
    bounds, masks, size = window.bounds, window.masks, 0
    locate: Callable[[list[datetime], datetime], int] = bisect_right
    purchases = _PURCHASES
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
    for index, row in enumerate(_rows(rows)):
        marks, last = bounds, latest
        try:
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
            and (status is None or (type(status) is text and status in purchases))
        ):
            customer_id, at, cancelled = _read_activity(index, row, now)
            if cancelled:
                continue
            marks = bounds
        position = locate(marks, at)
        if not 0 < position < size:
            position = window.widen(index, at, state)
            bounds, masks, size = window.bounds, window.masks, len(window.bounds)
            if local_zone is not _UNREAD:
                local_marks, local_latest = _local_marks(bounds, latest, local_zone)
        state[customer_id] = lookup(customer_id, 0) | masks[position]
    return window.base, state


# -- the value type ------------------------------------------------------------------------


def _utc_field(value: Any) -> datetime:
    return moment("placed_at", value)


def _optional_status(value: Any) -> OrderStatus | None:
    if value is None or isinstance(value, OrderStatus):
        return value
    try:
        return OrderStatus(value)
    except ValueError:
        raise InvalidField(
            "status", value, f"None or an order status, one of {', '.join(sorted(_STATUSES))}"
        ) from None


@attrs.frozen
class OrderRecord:
    """One order as the record-based metrics read it: the library's own record value.

    ``placed_at`` is kept in UTC (an ISO string with an offset or any aware
    datetime is converted). ``discount``, when given, is in the order's
    currency and at most ``amount``. Refuses empty or non-string/int ids,
    naive times, negative or non-Money amounts, mixed currencies and unknown
    statuses. :meth:`to_dict` gives the plain mapping form, and
    :meth:`from_mapping` checks one (naming it ``row``, at ``rows[index]``).
    """

    order_id: CustomerId = attrs.field(validator=id_attribute)
    customer_id: CustomerId = attrs.field(validator=id_attribute)
    placed_at: datetime = attrs.field(converter=_utc_field)
    amount: Money = attrs.field(validator=money_attribute)
    discount: Money | None = attrs.field(default=None, kw_only=True)
    status: OrderStatus | None = attrs.field(default=None, kw_only=True, converter=_optional_status)

    def __attrs_post_init__(self) -> None:
        if self.discount is None:
            return
        money_attribute(self, attrs.fields(OrderRecord).discount, self.discount)
        if self.discount.currency != self.amount.currency:
            raise CurrencyMismatch(
                "discount",
                self.discount.currency,
                f"the currency of amount ({self.amount.currency!r})",
                context="OrderRecord",
            )
        if self.discount > self.amount:
            raise InvalidField(
                "discount",
                self.discount,
                f"a discount of at most the amount ({self.amount})",
                context="OrderRecord",
            )

    @property
    def cancelled(self) -> bool:
        """A cancelled order is not a purchase: the metrics leave it out."""
        return self.status is OrderStatus.CANCELLED

    @property
    def net_amount(self) -> Money:
        """``amount - discount``."""
        return self.amount if self.discount is None else self.amount - self.discount

    def to_dict(self) -> dict[str, Any]:
        """The plain mapping form (Decimal amounts, a UTC datetime, the status value)."""
        return {
            "order_id": self.order_id,
            "customer_id": self.customer_id,
            "placed_at": self.placed_at,
            "amount": self.amount.amount,
            "currency": self.amount.currency,
            "discount": None if self.discount is None else self.discount.amount,
            "status": None if self.status is None else self.status.value,
        }

    @classmethod
    def from_mapping(cls, row: Any, *, index: int = 0) -> OrderRecord:
        """Check one mapping against the contract.

        Errors name the parameter, ``row`` (``row.amount``), and say which row
        of the caller's table it is: ``rows[index]: row.amount: got ...``.
        """
        index = _check.whole("index", index, minimum=0)
        try:
            fields = _fields("row", row)
            order_id = _identifier("row", "order_id", _required("row", fields, "order_id"))
            customer_id = _identifier("row", "customer_id", _required("row", fields, "customer_id"))
            moment = _placed_at("row", _required("row", fields, "placed_at"), None)
            amount = _amount(_where("row", "amount"), _required("row", fields, "amount"))
            currency = _currency("row", _required("row", fields, "currency"), None)
            discount = _discount("row", fields.get("discount"), amount)
            status = fields.get("status")
            _cancelled("row", status)
        except InvalidField as error:
            raise type(error)(
                error.field,
                error.value,
                error.expected,
                context=", ".join(filter(None, (f"rows[{index}]", error.context))),
            ) from None
        return cls(
            order_id,
            customer_id,
            moment,
            Money(amount, currency),
            discount=None if discount is None else Money(discount, currency),
            status=None if absent(status) else status,
        )

    @classmethod
    def from_order(cls, order: Order) -> OrderRecord:
        """The record of an :class:`~salesflow.orders.Order`: number, customer, amount due, status."""
        if not isinstance(order, Order):
            raise InvalidType("order", order, "an Order")
        return cls(
            order.number,
            order.customer.id,
            order.placed_at,
            order.amount_due,
            status=order.status,
        )
