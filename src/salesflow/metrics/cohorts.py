"""Per-customer summary and monthly cohort retention, from order records in one pass.

Both read the order items once, front to back, holding state per customer only,
so a generator of a million records works (docs/metrics.md, "Per-customer
summary and cohorts").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Context, Decimal
from operator import attrgetter
from typing import Any, Final, cast

import attrs

from salesflow import _check, _zones
from salesflow._durations import MICROSECONDS_PER_DAY
from salesflow._results import (
    INPUT_DIGITS,
    VALUE_PRECISION,
    Amount,
    Ratio,
    bounded_decimal,
    check_places,
    flag_field,
)
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.fields import id_attribute, moment
from salesflow.metrics._read.folds import (
    CustomerId,
    fold_active_months,
    fold_spending,
    id_key,
    month_number,
)
from salesflow.metrics._read.purchases import (
    Purchase,
    check_purchase,
    fold_purchase_months,
    fold_purchase_spending,
)
from salesflow.metrics._records import check_basis
from salesflow.money import CURRENCY_MINOR_UNITS, EXACT, Money
from salesflow.periods import Period, PeriodUnit

__all__ = [
    "Cohort",
    "CohortCell",
    "CohortTable",
    "CustomerSummaries",
    "CustomerSummary",
    "cohort_retention",
    "customer_summary",
]

_VALUE: Final = Context(prec=VALUE_PRECISION, rounding=ROUND_HALF_EVEN)
_RETENTION_FORMULA: Final = (
    "customers of the cohort who ordered in the month / customers in the cohort"
)


_summary_id: Final = attrgetter("customer_id")


def _now(value: Any) -> datetime:
    if isinstance(value, str):  # only a datetime is accepted here; an ISO string is a record's
        raise InvalidType("now", value, "a timezone-aware datetime")
    return moment("now", value)


def _zone(value: Any) -> tzinfo:
    return _zones.zone("zone", value)


def _shown_in(field: str, given: Any, moment: datetime, zone: tzinfo) -> datetime:
    """``moment`` read in ``zone``; refused when that reading falls outside years 1 to 9999."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        raise InvalidField(
            field,
            given,
            f"a moment that reads within the years 1 to 9999 in {_zones.zone_label(zone)}",
        ) from None


def _month_of_now(given: Any, moment: datetime, zone: tzinfo) -> int:
    """The calendar month number of ``now`` in ``zone``; refused outside the years 2 to 9998."""
    number = month_number(_shown_in("now", given, moment, zone), zone)
    if not 2 * 12 <= number < 9999 * 12:
        raise InvalidField(
            "now",
            given,
            f"a moment whose month in {_zones.zone_label(zone)} lies within the years 2 to 9998",
        )
    return number


# -- validators for the result values -------------------------------------------------


def _count_field(minimum: int) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        _check.whole(attribute.name, value, minimum=minimum, context=type(instance).__name__)

    return check


def _timedelta_field(instance: Any, attribute: Any, value: Any) -> None:
    context = type(instance).__name__
    if not isinstance(value, timedelta):
        raise InvalidType(attribute.name, value, "a timedelta of at least 0", context=context)
    if value < timedelta(0):
        raise InvalidField(attribute.name, value, "a timedelta of at least 0", context=context)


def _currency_field(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None and (not isinstance(value, str) or value not in CURRENCY_MINOR_UNITS):
        raise InvalidField(
            attribute.name, value, "None or an ISO 4217 code", context=type(instance).__name__
        )


def _month_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Period) or value.unit is not PeriodUnit.MONTH:
        raise InvalidType(
            attribute.name, value, "a calendar month Period", context=type(instance).__name__
        )


# -- the per-customer summary ---------------------------------------------------------------


def _amount_field(instance: Any, attribute: Any, value: Any) -> None:
    context = type(instance).__name__
    if not isinstance(value, Decimal):
        raise InvalidType(attribute.name, value, "a Decimal of at least 0", context=context)
    bounded_decimal(attribute.name, value, context=context, digits=2 * INPUT_DIGITS)
    if value < 0:
        raise InvalidField(attribute.name, value, "a Decimal of at least 0", context=context)


def _code_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or value not in CURRENCY_MINOR_UNITS:
        raise InvalidField(
            attribute.name, value, "an ISO 4217 code such as 'EUR'", context=type(instance).__name__
        )


@attrs.frozen
class CustomerSummary:
    """One customer's purchases: first and last, how many, how recent, how much.

    ``first_purchase`` and ``last_purchase`` are shown in the summary's zone;
    ``recency`` is ``now - last_purchase``. ``total_spend`` (Money) sums the
    orders, net of discounts unless the summary was asked for gross, and
    ``first_order_spend`` is the first order's part of it, for the repeat
    average; the fields keep their exact Decimal amounts and ``currency``.
    A one-time customer has no repeat average and no interval between
    orders: those are None, never 0.

    Refuses ids that are not non-empty strings or ints, naive times, a first
    purchase after the last, an order count below 1, negative or non-Decimal
    amounts, a first order worth more than the total, an unknown currency
    and a negative recency.
    """

    customer_id: CustomerId = attrs.field(validator=id_attribute)
    first_purchase: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    last_purchase: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    orders: int = attrs.field(validator=_count_field(1))
    recency: timedelta = attrs.field(validator=_timedelta_field)
    total_amount: Decimal = attrs.field(validator=_amount_field)
    first_order_amount: Decimal = attrs.field(validator=_amount_field)
    currency: str = attrs.field(validator=_code_field)

    def __attrs_post_init__(self) -> None:
        if _zones.utc(self.last_purchase) < _zones.utc(self.first_purchase):
            raise InvalidField(
                "last_purchase",
                self.last_purchase,
                f"a moment not before first_purchase ({self.first_purchase.isoformat()})",
                context="CustomerSummary",
            )
        if self.first_order_amount > self.total_amount:
            raise InvalidField(
                "first_order_amount",
                self.first_order_amount,
                f"at most total_amount ({self.total_amount})",
                context="CustomerSummary",
            )
        try:
            EXACT.subtract(self.total_amount, self.first_order_amount)
        except ArithmeticError:
            raise InvalidField(
                "first_order_amount",
                self.first_order_amount,
                "an amount whose difference from total_amount is exact within 60 digits",
                context="CustomerSummary",
            ) from None

    @classmethod
    def _trusted(
        cls,
        customer_id: CustomerId,
        first_purchase: datetime,
        last_purchase: datetime,
        orders: int,
        recency: timedelta,
        total_amount: Decimal,
        first_order_amount: Decimal,
        currency: str,
    ) -> CustomerSummary:
        # For figures the records fold has already checked: a million-row
        # summary builds 100,000 of these, and checking again would cost a
        # fifth of the whole run.
        summary: CustomerSummary = object.__new__(cls)
        setter = object.__setattr__
        setter(summary, "customer_id", customer_id)
        setter(summary, "first_purchase", first_purchase)
        setter(summary, "last_purchase", last_purchase)
        setter(summary, "orders", orders)
        setter(summary, "recency", recency)
        setter(summary, "total_amount", total_amount)
        setter(summary, "first_order_amount", first_order_amount)
        setter(summary, "currency", currency)
        return summary

    @property
    def total_spend(self) -> Money:
        """What the customer spent over all their orders."""
        return Money(self.total_amount, self.currency)

    @property
    def first_order_spend(self) -> Money:
        """What the customer spent on their first order."""
        return Money(self.first_order_amount, self.currency)

    @property
    def is_repeat_customer(self) -> bool:
        """True with two orders or more."""
        return self.orders > 1

    @property
    def average_spend(self) -> Amount:
        """Average order value of this customer: ``total spend / orders``."""
        return Amount(
            "average spend",
            self.total_spend,
            self.orders,
            variant="per order",
            formula="total spend / orders",
        )

    @property
    def average_repeat_spend(self) -> Amount | None:
        """``(total spend - first order spend) / (orders - 1)``; None for a one-time customer."""
        if self.orders < 2:
            return None
        return Amount(
            "average repeat spend",
            self.total_spend - self.first_order_spend,
            self.orders - 1,
            variant="after the first order",
            formula="(total spend - first order spend) / (orders - 1)",
            working=f"({self.total_spend} - {self.first_order_spend}) / {self.orders - 1}",
        )

    @property
    def days_between_orders(self) -> Decimal | None:
        """Average days between consecutive orders: ``(last - first) / (orders - 1)``.

        Exact when the quotient terminates within 28 significant digits, else
        rounded half-even there. None for a one-time customer.
        """
        if self.orders < 2:
            return None
        span = _zones.elapsed(self.first_purchase, self.last_purchase)
        microseconds = (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds
        return _VALUE.divide(
            Decimal(microseconds), Decimal(MICROSECONDS_PER_DAY * (self.orders - 1))
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values for a DataFrame row: Decimals, datetimes, a timedelta, None.

        The averages equal ``average_spend.value`` and
        ``average_repeat_spend.value`` (28 significant digits, see
        :mod:`salesflow._results`).
        """
        total, orders = self.total_amount, self.orders
        return {
            "customer_id": self.customer_id,
            "first_purchase": self.first_purchase,
            "last_purchase": self.last_purchase,
            "orders": orders,
            "recency": self.recency,
            "total_spend": total,
            "first_order_spend": self.first_order_amount,
            "average_spend": _VALUE.divide(total, Decimal(orders)),
            "average_repeat_spend": (
                _VALUE.divide(EXACT.subtract(total, self.first_order_amount), Decimal(orders - 1))
                if orders > 1
                else None
            ),
            "days_between_orders": self.days_between_orders,
            "currency": self.currency,
        }


def _summaries_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple) or not all(isinstance(s, CustomerSummary) for s in value):
        raise InvalidType(
            attribute.name, value, "a tuple of CustomerSummary", context=type(instance).__name__
        )


class _UnknownCustomer(InvalidField, KeyError):
    """A customer id the summary does not hold: an InvalidField, and a KeyError as a mapping's is."""

    __str__ = BaseException.__str__  # not KeyError's, which would quote the message


@attrs.frozen(repr=False)
class CustomerSummaries(Mapping[CustomerId, CustomerSummary]):
    """The per-customer summary: a mapping from customer id to :class:`CustomerSummary`.

    Iterates in customer id order (ints first, then strings). ``now`` and
    ``zone`` are what it was computed with, ``basis`` says whether spend is
    ``"net"`` of discounts or ``"gross"``, ``currency`` is the records'
    currency (None when there were none). :meth:`to_records` gives plain
    dicts: ``pd.DataFrame(summary.to_records())``.
    """

    now: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    zone: tzinfo = attrs.field(converter=_zone)
    basis: str = attrs.field(validator=lambda _i, _a, value: check_basis(value))
    currency: str | None = attrs.field(validator=_currency_field)
    customers: tuple[CustomerSummary, ...] = attrs.field(validator=_summaries_field)
    _index: dict[CustomerId, CustomerSummary] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        index = {summary.customer_id: summary for summary in self.customers}
        if len(index) != len(self.customers):
            raise InvalidField(
                "customers", len(self.customers), "one summary per customer id (ids repeat)"
            )
        object.__setattr__(self, "_index", index)

    def __getitem__(self, customer_id: CustomerId) -> CustomerSummary:
        try:
            return self._index[customer_id]
        except (KeyError, TypeError):
            raise _UnknownCustomer(
                "customer_id", customer_id, "the id of a customer with a purchase in the records"
            ) from None

    def __contains__(self, customer_id: object) -> bool:
        try:
            return customer_id in self._index
        except TypeError:
            return False

    def __iter__(self) -> Iterator[CustomerId]:
        return (summary.customer_id for summary in self.customers)

    def __len__(self) -> int:
        return len(self.customers)

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per customer (see :meth:`CustomerSummary.to_dict`), in id order."""
        return [summary.to_dict() for summary in self.customers]

    def __repr__(self) -> str:
        where = _zones.zone_label(self.zone)
        return (
            f"<CustomerSummaries {len(self.customers):,} customers, {self.basis} spend in "
            f"{self.currency or 'no currency'}, now {self.now.isoformat()} ({where})>"
        )


def customer_summary(
    orders: Any,
    *,
    now: datetime,
    zone: tzinfo | str = UTC,
    basis: str = "net",
    purchase: Purchase = "row",
) -> CustomerSummaries:
    """Per customer: first and last purchase, order count, recency, total and average spend.

    - ``total spend`` = sum of the customer's orders, ``amount - discount``
      (``basis="net"``, the default) or ``amount`` (``basis="gross"``);
    - ``average spend`` = total spend / orders;
    - ``average repeat spend`` = (total spend - first order spend) / (orders - 1),
      None for a one-time customer (never 0);
    - ``days between orders`` = (last purchase - first purchase) / (orders - 1),
      None for a one-time customer;
    - ``recency`` = now - last purchase.

    One pass over ``orders`` (any iterable of order records; see
    :mod:`salesflow.metrics._records`), keeping per-customer state only.
    Reads order_id, customer_id, placed_at, amount, currency, status and,
    for the net basis, discount. Cancelled orders are left out; a customer
    whose orders were all cancelled does not appear. ``first_purchase`` and
    ``last_purchase`` are shown in ``zone`` (a tzinfo or an IANA key).

    Refuses a naive ``now``, an unknown zone or basis, and any bad record
    (naming it: ``orders[12].amount: got 19.99, ...``), including records
    placed after ``now`` and a second currency.

    ``purchase`` says what one purchase is: ``"row"`` (each record, the
    default), ``"order"`` (the rows of one ``order_id``) or ``"customer_day"``
    (a customer's rows on one calendar day in ``zone``); orders, first order
    spend, average and repeat spend and days between orders count purchases
    (docs/metrics.md, "What counts as a purchase").
    """
    moment = _now(now)
    where = _zones.zone("zone", zone)
    local_now = _shown_in("now", now, moment, where)
    net = check_basis(basis)
    if check_purchase(purchase) == "row":
        currency, state = fold_spending(orders, now=moment, net=net)
    else:
        currency, state = fold_purchase_spending(
            orders, now=moment, net=net, purchase=purchase, zone=where
        )
    code = cast(str, currency)  # set by the first record, and there is one per customer
    summaries: list[CustomerSummary] = []
    build = CustomerSummary._trusted
    try:
        for customer_id, (first, last, orders, total, first_spend, _) in state.items():
            summaries.append(
                build(
                    customer_id,
                    first.astimezone(where),
                    last.astimezone(where),
                    orders,
                    moment - last,
                    total,
                    first_spend,
                    code,
                )
            )
    except OverflowError:
        raise InvalidField(
            "zone", zone, "a zone in which every purchase stays within the years 1 to 9999"
        ) from None
    try:
        summaries.sort(key=_summary_id)
    except TypeError:  # ints and strings together
        summaries.sort(key=lambda summary: id_key(summary.customer_id))
    return CustomerSummaries(
        now=local_now,
        zone=where,
        basis=basis,
        currency=currency,
        customers=tuple(summaries),
    )


# -- the cohort table -------------------------------------------------------------------------


@attrs.frozen
class CohortCell:
    """One cell: of the customers whose first purchase fell in ``cohort``, how many ordered in ``month``.

    ``offset`` is k in "month cohort + k" (0 is the first-purchase month
    itself, where every customer of the cohort is active by definition).
    ``customers`` is the cohort's size, ``active`` the customers of it who
    ordered in ``month``. ``partial`` is True when ``month`` had not ended at
    the table's ``now``: its share can still grow.
    """

    cohort: Period = attrs.field(validator=_month_field)
    offset: int = attrs.field(validator=_count_field(0))
    month: Period = attrs.field(validator=_month_field)
    customers: int = attrs.field(validator=_count_field(0))
    active: int = attrs.field(validator=_count_field(0))
    partial: bool = attrs.field(validator=flag_field)

    def __attrs_post_init__(self) -> None:
        if self.active > self.customers:
            raise InvalidField(
                "active",
                self.active,
                f"at most the cohort's customers ({self.customers})",
                context="CohortCell",
            )

    @property
    def retention(self) -> Ratio:
        """``active / customers``: the share of the cohort that ordered in the month."""
        return Ratio(
            "cohort retention",
            self.active,
            self.customers,
            variant=f"month +{self.offset}",
            formula=_RETENTION_FORMULA,
            denominator_name="customers in the cohort",
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values for a DataFrame row; ``retention`` is the Decimal share."""
        return {
            "cohort": self.cohort.label,
            "offset": self.offset,
            "month": self.month.label,
            "customers": self.customers,
            "active": self.active,
            "retention": self.retention.value,
            "partial": self.partial,
        }


@attrs.frozen
class Cohort:
    """The customers whose first purchase fell in the calendar month ``period``.

    ``customers`` is how many; ``cells`` are months +0, +1, ... up to the
    table's last month.
    """

    period: Period = attrs.field(validator=_month_field)
    customers: int = attrs.field(validator=_count_field(1))
    cells: tuple[CohortCell, ...] = attrs.field(validator=lambda i, a, v: _cells_field(i, a, v))

    @property
    def label(self) -> str:
        return self.period.label


def _cells_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple) or not all(isinstance(c, CohortCell) for c in value):
        raise InvalidType(
            attribute.name, value, "a tuple of CohortCell", context=type(instance).__name__
        )


def _cohorts_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple) or not all(isinstance(c, Cohort) for c in value):
        raise InvalidType(
            attribute.name, value, "a tuple of Cohort", context=type(instance).__name__
        )


def _optional_now(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        _check.aware_field(instance, attribute, value)


@attrs.frozen(repr=False)
class CohortTable:
    """Monthly cohort retention: cohorts by first-purchase month, rows of monthly shares.

    ``cohorts`` run from the earliest first-purchase month to the latest;
    each has cells for months +0 up to the table's last month (the month of
    ``now``, or the latest month with an order when ``now`` is None). Months
    are calendar months in ``zone``. :meth:`cell` finds one cell,
    :meth:`format` draws the table, :meth:`to_records` gives plain dicts.
    """

    zone: tzinfo = attrs.field(converter=_zone)
    now: datetime | None = attrs.field(validator=_optional_now, eq=_zones.instant_key)
    cohorts: tuple[Cohort, ...] = attrs.field(validator=_cohorts_field)

    @property
    def customers(self) -> int:
        """Customers in all cohorts together (each counted once, in their first month)."""
        return sum(cohort.customers for cohort in self.cohorts)

    def cohort(self, month: str | Period) -> Cohort:
        """The cohort of ``month`` (a label such as ``"2026-03"`` or a month Period)."""
        return self._cohort("month", month)

    def _cohort(self, field: str, month: Any) -> Cohort:
        label = month.label if isinstance(month, Period) else month
        for cohort in self.cohorts:
            if cohort.label == label:
                return cohort
        known = ", ".join(c.label for c in self.cohorts) or "none"
        raise InvalidField(field, month, f"a cohort month of this table (known: {known})")

    def cell(self, cohort: str | Period, offset: int) -> CohortCell:
        """The cell for months ``offset`` after ``cohort``."""
        row = self._cohort("cohort", cohort)
        offset = _check.whole("offset", offset, minimum=0)
        if offset >= len(row.cells):
            raise InvalidField(
                "offset", offset, f"an offset from 0 to {len(row.cells) - 1} for {row.label}"
            )
        return row.cells[offset]

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per cell (see :meth:`CohortCell.to_dict`), cohort by cohort.

        ``pd.DataFrame(table.to_records()).pivot(index="cohort", columns="offset",
        values="retention")`` gives the usual triangle.
        """
        return [cell.to_dict() for cohort in self.cohorts for cell in cohort.cells]

    def format(self, places: int = 1, rounding: str = ROUND_HALF_EVEN) -> str:
        """The table as text: one row per cohort, shares as percentages.

        Shares are rounded to ``places`` with ``rounding`` (only here). A
        ``*`` marks a month that had not ended at ``now``.
        """
        check_places(places)
        columns = max((len(c.cells) for c in self.cohorts), default=0)
        # "+k " leaves room for the partial mark, so labels sit over the digits.
        table = [["cohort", "customers", *(f"+{k} " for k in range(columns))]]
        for cohort in self.cohorts:
            shares = [
                cell.retention.percent(places, rounding) + ("*" if cell.partial else " ")
                for cell in cohort.cells
            ]
            table.append([cohort.label, str(cohort.customers), *shares])
        widths = [max(len(row[i]) for row in table if i < len(row)) for i in range(columns + 2)]
        lines = [
            f"Cohort retention by first-purchase month in {_zones.zone_label(self.zone)}: "
            "share of each cohort ordering in month +k"
        ]
        for row in table:
            cells = [row[0].ljust(widths[0])]
            cells += [text.rjust(widths[i + 1]) for i, text in enumerate(row[1:])]
            lines.append("  ".join(cells).rstrip())
        if not self.cohorts:
            lines.append("(no purchases)")
        if self.now is not None and any(c.partial for r in self.cohorts for c in r.cells):
            lines.append(f"* month not ended at {self.now.isoformat()} (partial)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        span = f"{self.cohorts[0].label} to {self.cohorts[-1].label}" if self.cohorts else "empty"
        return (
            f"<CohortTable {len(self.cohorts)} cohorts ({span}), {self.customers:,} customers, "
            f"months in {_zones.zone_label(self.zone)}>"
        )


def _month(number: int, zone: tzinfo) -> Period:
    year, month = divmod(number, 12)
    return Period.month(year, month + 1, zone)


def cohort_retention(
    orders: Any,
    *,
    zone: tzinfo | str,
    now: datetime | None = None,
    purchase: Purchase = "row",
) -> CohortTable:
    """Cohort retention by first-purchase month: for each cohort and k = 0, 1, 2, ...

    ``retention(cohort, k) = customers of the cohort who ordered in month
    cohort + k / customers in the cohort``. A customer's cohort is the
    calendar month, in ``zone``, of their first purchase: each order time is
    converted to ``zone`` and its year and month taken, so an order at
    23:30 UTC on 31 March is an April order in Berlin (DST included). A
    customer counts once per month however many orders they placed in it.

    With ``now``, the table runs to the month of ``now``, months not yet
    ended are flagged ``partial`` and records after ``now`` are refused;
    without it, the table runs to the latest month with an order and nothing
    is flagged. Months in which no one of a cohort ordered show 0 active.

    One pass over ``orders`` (any iterable of order records), keeping per
    customer only the set of months they ordered in. Reads customer_id,
    placed_at and status (cancelled orders are left out). Refuses an unknown
    zone, a naive ``now`` and any bad record, naming it.

    ``purchase`` (``"row"``, ``"order"`` or ``"customer_day"``, as for
    :func:`customer_summary`): a customer's rows on one day fall in one month,
    so ``"customer_day"`` gives the table of ``"row"``; with ``"order"`` an
    order counts in the month of its earliest row only, and the rows of one
    order must name one customer.
    """
    where = _zones.zone("zone", zone)
    moment = None if now is None else _now(now)
    now_month = None if moment is None else _month_of_now(now, moment, where)
    if check_purchase(purchase) == "order":
        base, masks = fold_purchase_months(orders, zone=where, now=moment)
    else:
        base, masks = fold_active_months(orders, zone=where, now=moment)
    patterns: defaultdict[int, Counter[int]] = defaultdict(Counter)
    last = base
    for mask in masks.values():
        low = (mask & -mask).bit_length() - 1
        patterns[base + low][mask >> low] += 1
        last = max(last, base + mask.bit_length() - 1)
    if now_month is not None and patterns:
        last = now_month
    months: dict[int, Period] = {}

    def month(number: int) -> Period:
        if number not in months:
            months[number] = _month(number, where)
        return months[number]

    cohorts: list[Cohort] = []
    for first in sorted(patterns):
        counts = patterns[first]
        active = [0] * (last - first + 1)
        for pattern, customers in counts.items():
            while pattern:
                bit = pattern & -pattern
                active[bit.bit_length() - 1] += customers
                pattern ^= bit
        size = sum(counts.values())
        cells = tuple(
            CohortCell(
                month(first),
                offset,
                month(first + offset),
                size,
                active[offset],
                moment is not None and not month(first + offset).ended(moment),
            )
            for offset in range(len(active))
        )
        cohorts.append(Cohort(month(first), size, cells))
    return CohortTable(
        zone=where,
        now=None if moment is None else moment.astimezone(where),
        cohorts=tuple(cohorts),
    )
