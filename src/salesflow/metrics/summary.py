"""The per-customer summary: first and last purchase, orders, spend, recency, in one pass.

It reads the order items once, front to back, holding state per customer only,
so a generator of a million records works (docs/metrics.md, "Per-customer
summary and cohorts").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from operator import attrgetter
from typing import Any, ClassVar, Final, cast

import attrs

from salesflow import _check, _zones
from salesflow._durations import MICROSECONDS_PER_DAY, microseconds
from salesflow._frames_out import Columns, records_to_frame
from salesflow._results import (
    INPUT_DIGITS,
    VALUE_PRECISION,
    Amount,
    bounded_decimal,
    check_places,
    check_rounding,
    round_fraction,
)
from salesflow._tables import ends, html_record, html_table, text_table
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType
from salesflow.metrics._figures import checked_now, checked_zone, count_field, shown_in
from salesflow.metrics._framed.summary import framed_summary as _framed_summary
from salesflow.metrics._read.fields import id_attribute
from salesflow.metrics._read.folds import (
    CustomerId,
    fold_spending,
    id_key,
)
from salesflow.metrics._read.frames import rows_only, table, tables_only
from salesflow.metrics._read.progress import reporter
from salesflow.metrics._read.purchases import (
    Purchase,
    check_purchase,
    fold_purchase_spending,
)
from salesflow.metrics._read.scope import currency_argument
from salesflow.metrics._records import check_basis
from salesflow.money import CURRENCY_MINOR_UNITS, EXACT, Money

__all__ = ["CustomerSummaries", "CustomerSummary", "customer_summary"]

_VALUE: Final = Context(prec=VALUE_PRECISION, rounding=ROUND_HALF_EVEN)
_summary_id: Final = attrgetter("customer_id")


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
    orders: int = attrs.field(validator=count_field(1))
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
        return _VALUE.divide(
            Decimal(microseconds(span)), Decimal(MICROSECONDS_PER_DAY * (self.orders - 1))
        )

    _repr_html_ = html_record

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

    COLUMNS: ClassVar[Columns] = (
        ("customer_id", "id"),
        ("first_purchase", "instant"),
        ("last_purchase", "instant"),
        ("orders", "int"),
        ("recency", "duration"),
        ("total_spend", "decimal"),
        ("first_order_spend", "decimal"),
        ("average_spend", "decimal"),
        ("average_repeat_spend", "decimal"),
        ("days_between_orders", "decimal"),
        ("currency", "text"),
    )
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

    now: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    zone: tzinfo = attrs.field(converter=checked_zone)
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

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The summary as a DataFrame of ``backend``: "pandas", "polars" or "pyarrow".

        One row per customer, the columns of :meth:`to_records`, in order and typed (int ids as
        int64, other ids as strings; times in the summary's zone). Decimals stay exact (a decimal128
        column) unless ``money="float"`` makes them float64, inexact, for plotting, ``describe()``
        and ``qcut``. Needs the library (:class:`~salesflow.errors.MissingExtra` names the extra to
        install); see docs/metrics.md ("In a notebook").
        """
        return records_to_frame(
            self.to_records(),
            columns=self.COLUMNS,
            backend=backend,
            money=money,
            zone=self.zone,
        )

    def format(self, places: int = 1, rounding: str = ROUND_HALF_EVEN) -> str:
        """The summaries as a text table, one row per customer, in id order.

        Money is rounded to the currency's minor unit, recency and days
        between orders (in days) to ``places``, all with ``rounding``, here
        and only here. ``-`` marks a one-time customer's days between orders.
        """
        rows = self._rows(places, rounding)
        lines = [self._heading(check_rounding(rounding)), *text_table([_SUMMARY_HEADER, *rows])]
        if not self.customers:
            lines.append("(no customers)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return html_table(
            kind="customer-summaries",
            caption=self._heading(ROUND_HALF_EVEN),
            header=_SUMMARY_HEADER,
            rows=self._rows(1, ROUND_HALF_EVEN, ends(self.customers)),
            notes=() if self.customers else ("(no customers)",),
            total=len(self.customers),
        )

    def _heading(self, rounding: str) -> str:
        return (
            f"Customer summary ({len(self.customers):,} customers, {self.basis} spend in "
            f"{self.currency or 'no currency'}, now {self.now.isoformat()} in "
            f"{_zones.zone_label(self.zone)}, rounded {rounding})"
        )

    def _rows(self, places: int, rounding: str, customers: Any = None) -> list[tuple[str, ...]]:
        places, rounding = check_places(places), check_rounding(rounding)

        def days(value: Fraction | None) -> str:
            return "-" if value is None else str(round_fraction(value, places, rounding))

        return [
            (
                str(summary.customer_id),
                f"{summary.orders:,}",
                summary.first_purchase.strftime(_MINUTE),
                summary.last_purchase.strftime(_MINUTE),
                days(Fraction(microseconds(summary.recency), MICROSECONDS_PER_DAY)),
                str(summary.total_spend.rounded(rounding).amount),
                str(cast(Money, summary.average_spend.rounded(rounding)).amount),
                days(None if between is None else Fraction(between)),
            )
            for summary in (self.customers if customers is None else customers)
            for between in [summary.days_between_orders]
        ]

    def __repr__(self) -> str:
        where = _zones.zone_label(self.zone)
        return (
            f"<CustomerSummaries {len(self.customers):,} customers, {self.basis} spend in "
            f"{self.currency or 'no currency'}, now {self.now.isoformat()} ({where})>"
        )


_SUMMARY_HEADER: Final = (
    "customer",
    "orders",
    "first purchase",
    "last purchase",
    "recency (days)",
    "total spend",
    "average spend",
    "days between orders",
)
_MINUTE: Final = "%Y-%m-%d %H:%M"


def _summary_zone(zone: Any, rule: str) -> tzinfo:
    if zone is None and rule == "customer_day":
        raise InvalidField(
            "zone",
            None,
            'the zone whose calendar days make a purchase (purchase="customer_day" needs it)',
        )
    return UTC if zone is None else _zones.zone("zone", zone)


def customer_summary(
    orders: Any,
    *,
    now: datetime,
    zone: tzinfo | str | None = None,
    basis: str = "net",
    purchase: Purchase = "row",
    progress: Any = None,
    columns: Mapping[str, str] | None = None,
    currency: str | None = None,
    naive_zone: tzinfo | str | None = None,
    amount_scale: int | None = None,
    amount_rounding: str | None = None,
) -> Any:
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
    ``last_purchase`` are shown in ``zone`` (a tzinfo or an IANA key; None,
    the default, shows them in UTC).

    Refuses a naive ``now``, an unknown zone or basis, and any bad record
    (naming it: ``orders[12].amount: got 19.99, ...``), including records
    placed after ``now`` and a second currency.

    ``purchase`` says what one purchase is: ``"row"`` (each record, the
    default), ``"order"`` (the rows of one ``order_id``) or ``"customer_day"``
    (a customer's rows on one calendar day in ``zone``, which must then be
    given: a day is a local notion); orders, first order spend, average and
    repeat spend and days between orders count purchases (docs/metrics.md,
    "What counts as a purchase"). ``discount`` is read per row: an order-level
    discount repeated on each of an order's rows is subtracted once per row.

    ``progress`` (None, a callable or a tqdm bar) is told the rows read:
    every 10,000 and the remainder at the end (docs/metrics.md, "Progress on
    long inputs"); an exception it raises propagates unchanged.

    ``orders`` may be a table instead (pandas, polars, pyarrow, DuckDB,
    Spark, ...; the ``frames`` extra): the summary is computed in its engine
    and comes back as a table of the same kind, lazy if it was lazy, with
    the columns of :meth:`CustomerSummaries.to_records` but the averages
    (docs/frames.md). ``columns`` maps salesflow's column names to the
    table's, ``currency`` stands in for a missing currency column (and is
    checked against a present one), ``naive_zone`` is the zone a naive time
    column was written in, ``amount_scale`` with ``amount_rounding``
    (``"ROUND_HALF_UP"``) rounds a float money column inside the engine.
    """
    moment = checked_now(now)
    if table(orders):
        tables_only({"progress": progress})
        return _framed_summary(
            orders,
            now=moment,
            zone=_summary_zone(zone, purchase),
            net=check_basis(basis),
            purchase=check_purchase(purchase),
            columns=columns,
            currency=currency_argument(currency),
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
    report = reporter("progress", progress)
    stated = currency_argument(currency)
    rule = check_purchase(purchase)
    where = _summary_zone(zone, rule)
    local_now = shown_in("now", now, moment, where)
    net = check_basis(basis)
    if rule == "row":
        code_read, state = fold_spending(orders, now=moment, net=net, progress=report)
    else:
        code_read, state = fold_purchase_spending(
            orders, now=moment, net=net, purchase=purchase, zone=where, progress=report
        )
    if stated is not None and state and stated != code_read:
        raise CurrencyMismatch("currency", stated, f"{code_read!r}, the records' currency")
    code = cast(str, code_read)  # set by the first record, and there is one per customer
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
        currency=code_read,
        customers=tuple(summaries),
    )
