"""Customer metrics: retention, churn, repeat purchases and purchase frequency.

Each function states its formula, validates its inputs and returns an explained
result (docs/metrics.md, "Customers").

>>> from salesflow.metrics import retention_rate
>>> retention_rate(customers_at_start=500, new_customers=50, customers_at_end=480)
<Ratio retention rate (counts): (480 - 50) / 500 = 0.86>
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import timedelta, tzinfo
from decimal import Decimal
from typing import Any, Final, Literal

from salesflow._results import OnEmpty, Ratio, Score, settle
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._framed.active import framed_active
from salesflow.metrics._read.active import ACTIVE_PREFIX, active_counts, active_windows
from salesflow.metrics._read.choices import alternatives, variant_arguments
from salesflow.metrics._read.fields import count as read_count
from salesflow.metrics._read.fields import (
    decimal_number,
    identifier,
    keyed_items,
    values_of,
    whole_number,
)
from salesflow.metrics._read.frames import rows_only, table
from salesflow.money import EXACT
from salesflow.periods import Period

__all__ = [
    "ChurnVariant",
    "RetentionVariant",
    "churn_rate",
    "purchase_frequency",
    "repeat_purchase_rate",
    "retention_rate",
]

CustomerId = str | int

_RETENTION_FORMULA: Final = "(customers at end - new customers) / customers at start"
_CHURN_FORMULA: Final = "customers lost / customers at start"


# -- checks ------------------------------------------------------------------------


def _customer_id(field: str, value: Any) -> CustomerId:
    # The record contract's rule (salesflow.metrics._records): ids exactly as
    # given, so "a" and "a " stay two customers here as in customer_summary.
    return identifier(field, value)


def _id_set(field: str, ids: Any) -> set[CustomerId]:
    values = values_of(
        field,
        ids,
        expected="an iterable of customer ids (strings or ints)",
        instead="a mapping or an indexed Series could be ids per key or counts per id: "
        "pass list(ids) of the ids themselves",
    )
    return {_customer_id(f"{field}[{index}]", value) for index, value in enumerate(values)}


def _exact(field: str, value: Any, operation: Any, *operands: Decimal) -> Decimal:
    """``operation(*operands)`` in the exact context (never the caller's), or a refusal."""
    try:
        result: Decimal = operation(*operands)
    except ArithmeticError:
        raise InvalidField(
            field, value, "a figure whose result stays exact within 60 digits"
        ) from None
    return result


def _orders_by_customer(customer_ids: Any, orders_per_customer: Any) -> dict[CustomerId, int]:
    """Order counts per customer, from one customer id per order or from counts per id."""
    if orders_per_customer is not None:
        field = "orders_per_customer"
        pairs = keyed_items(field, orders_per_customer, key="customer id", count="order count")
        if pairs is None:
            raise InvalidType(
                field,
                orders_per_customer,
                "a mapping or Series customer id -> order count "
                "(for customer ids, one per order, pass customer_ids=)",
            )
        counts: dict[CustomerId, int] = {}
        for customer, count in pairs:
            key = _customer_id(f"{field} key", customer)
            counts[key] = counts.get(key, 0) + whole_number(
                f"{field}[{customer!r}]", count, minimum=1
            )
        return counts
    field = "customer_ids"
    ids = values_of(
        field,
        customer_ids,
        expected="an iterable of customer ids, one per order",
        instead="for order counts per customer id, pass orders_per_customer=",
    )
    return dict(
        Counter(_customer_id(f"{field}[{index}]", value) for index, value in enumerate(ids))
    )


# -- retention ---------------------------------------------------------------------


RetentionVariant = Literal["counts", "ids", "orders"]
_FROM_ORDERS: Final = ("orders", "period", "active_window")
_RETENTION_VARIANTS: Final = {
    "counts": ("customers_at_start", "new_customers", "customers_at_end"),
    "ids": ("at_start", "at_end"),
    "orders": _FROM_ORDERS,
}
ChurnVariant = Literal["counts", "average_customers", "customer_days", "ids", "orders"]
_CHURN_VARIANTS: Final = {
    "counts": ("customers_at_start", "customers_lost"),
    "average_customers": ("customers_at_start", "customers_at_end", "customers_lost"),
    "customer_days": ("customers_lost", "customer_days", "days"),
    "ids": ("at_start", "at_end"),
    "orders": _FROM_ORDERS,
}


def _orders_arguments(
    variant: Any, orders: Any, period: Any, active_window: Any, columns: Any, naive_zone: Any
) -> dict[str, Any]:
    """The arguments of ``variant="orders"`` for :func:`variant_arguments`.

    ``columns`` and ``naive_zone`` are read by that variant only, and only
    with a table: any other variant refuses them as not read.
    """
    given = {"orders": orders, "period": period, "active_window": active_window}
    if variant != "orders":
        given |= {"columns": columns, "naive_zone": naive_zone}
    return given


def _active_from_orders(
    given: Mapping[str, Any], columns: Any, naive_zone: Any
) -> tuple[str, int, int, int]:
    """``(variant text, active at start, active at end, at both)`` for ``variant="orders"``."""
    period: Period = given["period"]
    windows = active_windows(period, given["active_window"])
    orders = given["orders"]
    if table(orders):
        counts = framed_active(orders, windows, columns=columns, naive_zone=naive_zone)
    else:
        rows_only({"columns": columns, "naive_zone": naive_zone})
        counts = active_counts(orders, windows)
    return (f"{windows.text} the start and the end of {period.label}", *counts)


def active_retention(start: int, end: int, retained: int, variant: str) -> Ratio:
    """Retention from orders with an active window, from the sizes of its sets.

    What ``retention_rate(variant="orders")`` returns, and what its result
    document is rebuilt from; ``variant`` names the window and the period.
    """
    return Ratio(
        "retention rate",
        retained,
        start,
        variant=variant,
        formula="|active at start ∩ active at end| / |active at start|, "
        "active at t = a purchase in [t - window, t)",
        inputs=(
            ("customers at start", start),
            ("customers at end", end),
            ("retained", retained),
            ("lost", start - retained),
            ("new or back", end - retained),
        ),
        denominator_name="customers active at start",
    )


def active_churn(start: int, end: int, lost: int, variant: str) -> Ratio:
    """Churn from orders with an active window, from the sizes of its sets (see :func:`active_retention`)."""
    return Ratio(
        "churn rate",
        lost,
        start,
        variant=variant,
        formula="|active at start, not active at end| / |active at start|, "
        "active at t = a purchase in [t - window, t)",
        inputs=(
            ("customers at start", start),
            ("customers at end", end),
            ("customers lost", lost),
        ),
        denominator_name="customers active at start",
    )


def is_active_variant(variant: str) -> bool:
    """Whether a result's variant is that of ``variant="orders"`` (for rebuilding documents)."""
    return variant.startswith(ACTIVE_PREFIX)


def retention_rate(
    *,
    variant: RetentionVariant = "counts",
    customers_at_start: int | None = None,
    new_customers: int | None = None,
    customers_at_end: int | None = None,
    at_start: Iterable[CustomerId] | None = None,
    at_end: Iterable[CustomerId] | None = None,
    on_empty: OnEmpty = "undefined",
    orders: Any = None,
    period: Period | None = None,
    active_window: timedelta | None = None,
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> Ratio:
    """Customer retention rate over a period: from counts, from ids, or from orders.

    ``variant="counts"`` (the default) reads ``customers_at_start``,
    ``new_customers`` and ``customers_at_end``; ``variant="ids"`` reads the
    customer ids active ``at_start`` and ``at_end`` (see below);
    ``variant="orders"`` reads ``orders``, ``period`` and ``active_window``
    and finds the active customers itself (see below). An argument the
    variant does not read, or one it reads left out, is refused.

    ``variant="orders"``: a customer is *active* at a moment when they
    purchased within ``active_window`` before it (an order not cancelled,
    placed in ``[moment - active_window, moment)``), so

        customers at start = active at period.start
        customers at end   = active at period.end
        retention rate     = |active at start ∩ active at end| / |active at start|

    the set-based rate over the active sets, which an analyst would
    otherwise build by hand (docs/metrics.md, "Retention and churn from
    orders"). ``orders`` are the order items every order metric takes
    (records, Orders, their events or documents), or a table (pandas,
    polars, pyarrow, DuckDB, Spark; the ``frames`` extra) with
    ``customer_id``, ``placed_at`` and an optional ``status``, counted
    inside its engine (``columns`` and ``naive_zone`` as for every table).

    >>> retention_rate(variant="ids", at_start=["a", "b", "c", "d"], at_end=["a", "b", "c", "e"])
    <Ratio retention rate (set-based): 3 / 4 = 0.75>
    """
    given = variant_arguments(
        "retention_rate",
        variant,
        _RETENTION_VARIANTS,
        {
            "customers_at_start": customers_at_start,
            "new_customers": new_customers,
            "customers_at_end": customers_at_end,
            "at_start": at_start,
            "at_end": at_end,
            **_orders_arguments(variant, orders, period, active_window, columns, naive_zone),
        },
    )
    if variant == "orders":
        text, start, end, both = _active_from_orders(given, columns, naive_zone)
        return settle(active_retention(start, end, both, text), on_empty)
    if variant == "ids":
        return _retention_from_ids(**given, on_empty=on_empty)
    return _retention_counts(**given, on_empty=on_empty)


def _retention_counts(
    *,
    customers_at_start: int,
    new_customers: int,
    customers_at_end: int,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Customer retention rate over a period, from counts.

    retention rate = (customers at end - new customers) / customers at start

    500 customers at the start, 50 new during the period and 480 at the end
    give (480 - 50) / 500 = 86%.

    Pitfall: the formula assumes every new customer is still there at the
    end. A customer who is new *and* lost in the same period is counted in
    ``new_customers`` but not in ``customers_at_end``, so the formula
    subtracts them from customers they never were part of and understates
    retention. When you have customer ids, use ``variant="ids"``.

    Refuses negative counts, fewer customers at end than new customers, and
    more retained customers (end - new) than there were at the start. No
    customers at the start give an undefined ratio (or
    :class:`UndefinedMetric` with ``on_empty="raise"``).

    >>> retention_rate(customers_at_start=500, new_customers=50, customers_at_end=480).percent()
    '86.0%'
    """
    start = read_count("customers_at_start", customers_at_start)
    new = read_count("new_customers", new_customers)
    end = read_count("customers_at_end", customers_at_end)
    if new > end:
        raise InvalidField(
            "new_customers",
            new,
            f"at most customers_at_end ({end}): the count formula assumes the new customers "
            "are still there at the end (when some left within the period, use "
            "variant='ids')",
        )
    if end - new > start:
        raise InvalidField(
            "customers_at_end",
            end,
            f"at most customers_at_start {start} + new_customers {new} = {start + new}",
        )
    ratio = Ratio(
        "retention rate",
        end - new,
        start,
        variant="counts",
        formula=_RETENTION_FORMULA,
        working=f"({end} - {new}) / {start}",
        inputs=(
            ("customers at start", start),
            ("new customers", new),
            ("customers at end", end),
        ),
    )
    return settle(ratio, on_empty)


def _retention_from_ids(
    *,
    at_start: Iterable[CustomerId],
    at_end: Iterable[CustomerId],
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Retention rate from the customer ids active at the start and at the end.

    retention rate = |customers at start ∩ customers at end| / |customers at start|

    Set-based, so it stays correct where the count formula does not: a
    customer who is new and lost within the same period is in neither the
    numerator nor the denominator here, while ``(end - new) / start`` counts
    them as a new customer missing from the end and so understates retention.
    Duplicate ids count once. Ids are non-empty strings or ints, used exactly
    as given (``"a"`` and ``"a "`` are two customers, as in the records).

    """
    start = _id_set("at_start", at_start)
    end = _id_set("at_end", at_end)
    return settle(set_based_retention(len(start), len(end), len(start & end)), on_empty)


def set_based_retention(start: int, end: int, retained: int) -> Ratio:
    """The set-based retention result from the sizes of its sets (``retained`` of both).

    What ``retention_rate(variant="ids")`` returns, and what a result document
    of that variant is rebuilt from (without making sets of that size).
    """
    return Ratio(
        "retention rate",
        retained,
        start,
        variant="set-based",
        formula="|customers at start ∩ customers at end| / |customers at start|",
        inputs=(
            ("customers at start", start),
            ("customers at end", end),
            ("retained", retained),
            ("lost", start - retained),
            ("new and still there", end - retained),
        ),
        denominator_name="customers at start",
    )


# -- churn ---------------------------------------------------------------------------


def churn_rate(
    *,
    variant: ChurnVariant = "counts",
    customers_at_start: int | None = None,
    customers_lost: int | None = None,
    customers_at_end: int | None = None,
    customer_days: int | Decimal | None = None,
    days: int | Decimal | None = None,
    at_start: Iterable[CustomerId] | None = None,
    at_end: Iterable[CustomerId] | None = None,
    on_empty: OnEmpty = "undefined",
    orders: Any = None,
    period: Period | None = None,
    active_window: timedelta | None = None,
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> Ratio:
    """Churn rate over a period, in one of five variants.

    - ``"counts"`` (the default): customers lost / customers at start, from
      ``customers_at_start`` and ``customers_lost``;
    - ``"average_customers"``: lost / ((start + end) / 2), from
      ``customers_at_start``, ``customers_at_end`` and ``customers_lost``;
    - ``"customer_days"``: lost / (customer-days / days), from
      ``customers_lost``, ``customer_days`` and ``days``;
    - ``"ids"``: |at start, not at end| / |at start|, from the customer ids
      ``at_start`` and ``at_end``;
    - ``"orders"``: |active at start, not active at end| / |active at start|,
      from ``orders``, ``period`` and ``active_window``: the complement of
      ``retention_rate(variant="orders")``, which says what active means.

    An argument the variant does not read, or one it reads left out, is refused.

    >>> churn_rate(customers_at_start=500, customers_lost=70).percent()
    '14.0%'
    >>> churn_rate(variant="average_customers", customers_at_start=500, customers_at_end=480,
    ...            customers_lost=70)
    <Ratio churn rate (average customers): 70 / ((500 + 480) / 2) = 1/7 ≈ 0.1428571429>
    """
    given = variant_arguments(
        "churn_rate",
        variant,
        _CHURN_VARIANTS,
        {
            "customers_at_start": customers_at_start,
            "customers_lost": customers_lost,
            "customers_at_end": customers_at_end,
            "customer_days": customer_days,
            "days": days,
            "at_start": at_start,
            "at_end": at_end,
            **_orders_arguments(variant, orders, period, active_window, columns, naive_zone),
        },
    )
    if variant == "orders":
        text, start, end, both = _active_from_orders(given, columns, naive_zone)
        return settle(active_churn(start, end, start - both, text), on_empty)
    if variant == "ids":
        return _churn_from_ids(**given, on_empty=on_empty)
    if variant == "average_customers":
        return _churn_average_customers(**given, on_empty=on_empty)
    if variant == "customer_days":
        return _churn_customer_days(**given, on_empty=on_empty)
    return _churn_counts(**given, on_empty=on_empty)


def _churn_counts(
    *, customers_at_start: int, customers_lost: int, on_empty: OnEmpty = "undefined"
) -> Ratio:
    """Churn rate over a period: customers lost / customers at start.

    Count in ``customers_lost`` only customers who were customers at the
    start; customers acquired and lost within the period belong to the
    average-customers or customer-days variants.

    Refuses negative counts and more customers lost than there were at the start.
    """
    start = read_count("customers_at_start", customers_at_start)
    lost = read_count("customers_lost", customers_lost)
    if lost > start:
        raise InvalidField(
            "customers_lost",
            lost,
            f"at most customers_at_start ({start}): only customers there at the start are lost",
        )
    ratio = Ratio(
        "churn rate",
        lost,
        start,
        variant="counts",
        formula=_CHURN_FORMULA,
        inputs=(("customers at start", start), ("customers lost", lost)),
    )
    return settle(ratio, on_empty)


def _churn_from_ids(
    *,
    at_start: Iterable[CustomerId],
    at_end: Iterable[CustomerId],
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Churn rate from customer ids: |at start, not at end| / |at start|.

    The set-based complement of ``retention_rate(variant="ids")``: customers
    who joined during the period do not count, lost or not.

    >>> churn_rate(variant="ids", at_start=["a", "b", "c", "d"], at_end=["a", "b", "c", "e"])
    <Ratio churn rate (set-based): 1 / 4 = 0.25>
    """
    start = _id_set("at_start", at_start)
    end = _id_set("at_end", at_end)
    return settle(set_based_churn(len(start), len(start - end)), on_empty)


def set_based_churn(start: int, lost: int) -> Ratio:
    """The set-based churn result from the sizes of its sets (see :func:`set_based_retention`)."""
    return Ratio(
        "churn rate",
        lost,
        start,
        variant="set-based",
        formula="|customers at start - customers at end| / |customers at start|",
        inputs=(("customers at start", start), ("customers lost", lost)),
        denominator_name="customers at start",
    )


def _churn_average_customers(
    *,
    customers_at_start: int,
    customers_at_end: int,
    customers_lost: int,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Churn rate against the average customer count: lost / ((start + end) / 2).

    A variant for a base that grows or shrinks during the period; here
    ``customers_lost`` may include customers acquired and lost within it.
    With heavy acquisition and churn the result can exceed 1.

    """
    start = read_count("customers_at_start", customers_at_start)
    end = read_count("customers_at_end", customers_at_end)
    lost = read_count("customers_lost", customers_lost)
    # Exact, whatever the caller's decimal context: (start + end) / 2 ends in .5 at most.
    average = _exact("customers_at_start", start, EXACT.divide, Decimal(start + end), Decimal(2))
    ratio = Ratio(
        "churn rate",
        lost,
        average,
        variant="average customers",
        formula="customers lost / ((customers at start + customers at end) / 2)",
        working=f"{lost} / (({start} + {end}) / 2)",
        inputs=(
            ("customers at start", start),
            ("customers at end", end),
            ("customers lost", lost),
        ),
        denominator_name="the average customer count",
    )
    return settle(ratio, on_empty)


def _churn_customer_days(
    *,
    customers_lost: int,
    customer_days: int | Decimal,
    days: int | Decimal,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Churn rate against exposure: lost / (customer-days / days in the period).

    ``customer_days`` sums, over every customer, the days they were a
    customer within the period (a customer there for the whole 30-day
    period adds 30, one who joined halfway adds 15); divided by ``days`` it
    is the time-weighted average customer count. This variant weighs
    customers who joined or left mid-period by the time they were exposed.

    lost / (customer-days / days) = lost * days / customer-days

    Refuses negative counts, floats and a period of no days.

    >>> churn_rate(variant="customer_days", customers_lost=3, customer_days=1500, days=30)
    <Ratio churn rate (customer-days): 3 / (1500 / 30) = 0.06>
    """
    lost = read_count("customers_lost", customers_lost)
    exposure = decimal_number("customer_days", customer_days, low=0)
    length = decimal_number("days", days, low=0)
    if length == 0:
        raise InvalidField("days", days, "a number of days above 0 (the period's length)")
    ratio = Ratio(
        "churn rate",
        _exact("days", days, EXACT.multiply, Decimal(lost), length),
        exposure,
        variant="customer-days",
        formula="customers lost / (customer-days / days in period)",
        working=f"{lost} / ({customer_days} / {days})",
        inputs=(("customers lost", lost), ("customer-days", exposure), ("days", length)),
        denominator_name="customer-days",
    )
    return settle(ratio, on_empty)


# -- purchases ----------------------------------------------------------------------


def repeat_purchase_rate(
    *,
    customer_ids: Iterable[CustomerId] | None = None,
    orders_per_customer: Mapping[CustomerId, int] | None = None,
    repeat_customers: int | None = None,
    customers: int | None = None,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Share of customers who ordered more than once: customers with >= 2 orders / customers.

    Reads one of: ``customer_ids``, ``orders_per_customer``, or the counts
    ``repeat_customers`` and ``customers``; two of them, or none, is refused.

    - ``customer_ids``: the customer id of each order, one per order
      (``[row["customer_id"] for row in rows]``, ``df["customer_id"]``);
    - ``orders_per_customer``: a mapping customer id -> order count (each at
      least 1: a customer here is someone who ordered), such as a dict or a
      pandas Series (``df.groupby("customer_id").size()``,
      ``df["customer_id"].value_counts()``). A Series indexed 0, 1, 2, ... is
      refused: it could be a column of ids or counts for customers 0, 1, 2.

    Counts and ids may be numpy integers.

    >>> repeat_purchase_rate(customer_ids=["a", "b", "a", "c", "a", "b"])
    <Ratio repeat purchase rate (counts): 2 / 3 = 2/3 ≈ 0.6666666667>
    >>> repeat_purchase_rate(orders_per_customer={"a": 3, "b": 1}).percent()
    '50.0%'
    >>> import pandas as pd
    >>> repeat_purchase_rate(orders_per_customer=pd.Series({"a": 1, "b": 3, "c": 2}))
    <Ratio repeat purchase rate (counts): 2 / 3 = 2/3 ≈ 0.6666666667>
    >>> repeat_purchase_rate(repeat_customers=120, customers=400).percent()
    '30.0%'
    """
    given = alternatives(
        "repeat_purchase_rate",
        {"customer_ids": customer_ids},
        {"orders_per_customer": orders_per_customer},
        {"repeat_customers": repeat_customers, "customers": customers},
    )
    if "repeat_customers" not in given:
        counts = _orders_by_customer(customer_ids, orders_per_customer)
        repeat = sum(1 for count in counts.values() if count >= 2)
        return _repeat(repeat, len(counts), on_empty)
    repeat = read_count("repeat_customers", repeat_customers)
    total = read_count("customers", customers)
    if repeat > total:
        raise InvalidField("repeat_customers", repeat, f"at most customers ({total})")
    return _repeat(repeat, total, on_empty)


def _repeat(repeat: int, customers: int, on_empty: Any) -> Ratio:
    ratio = Ratio(
        "repeat purchase rate",
        repeat,
        customers,
        variant="counts",
        formula="customers with 2+ orders / customers",
        inputs=(("customers with 2+ orders", repeat), ("customers", customers)),
    )
    return settle(ratio, on_empty)


def purchase_frequency(
    *,
    customer_ids: Iterable[CustomerId] | None = None,
    orders_per_customer: Mapping[CustomerId, int] | None = None,
    order_count: int | None = None,
    customers: int | None = None,
    on_empty: OnEmpty = "undefined",
) -> Score:
    """Average orders per customer: orders / customers.

    Reads one of: ``customer_ids`` or ``orders_per_customer`` (as for
    :func:`repeat_purchase_rate`), or the counts ``order_count`` and
    ``customers``, where ``order_count`` is at least ``customers`` (each
    customer ordered). The result is a :class:`Score` (1.5 orders per
    customer is not a share).

    >>> purchase_frequency(customer_ids=["a", "b", "a", "c", "a", "b"])
    <Score purchase frequency (counts): 6 / 3 = 2>
    >>> purchase_frequency(order_count=600, customers=400)
    <Score purchase frequency (counts): 600 / 400 = 1.5>
    """
    given = alternatives(
        "purchase_frequency",
        {"customer_ids": customer_ids},
        {"orders_per_customer": orders_per_customer},
        {"order_count": order_count, "customers": customers},
    )
    if "order_count" not in given:
        counts = _orders_by_customer(customer_ids, orders_per_customer)
        return _frequency(sum(counts.values()), len(counts), on_empty)
    total_orders = read_count("order_count", order_count)
    total = read_count("customers", customers)
    if total_orders < total:
        raise InvalidField(
            "order_count", total_orders, f"at least customers ({total}): each customer ordered"
        )
    return _frequency(total_orders, total, on_empty)


def _frequency(orders: int, customers: int, on_empty: Any) -> Score:
    score = Score(
        "purchase frequency",
        orders,
        customers,
        variant="counts",
        formula="orders / customers",
        inputs=(("orders", orders), ("customers", customers)),
    )
    return settle(score, on_empty)
