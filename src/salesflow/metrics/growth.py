"""Monthly revenue from orders, and sales growth over it: month over month, or compound.

>>> from salesflow import Money
>>> from salesflow.metrics.growth import revenue_growth
>>> revenue = {(2026, 1): Money("1000", "EUR"), (2026, 2): Money("1200", "EUR")}
>>> [rate.percent() for rate in revenue_growth(revenue)]
['20.0%']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import tzinfo
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any, ClassVar, Final, Literal, overload

import attrs

from salesflow import _charts, _check, _zones
from salesflow._frames_out import Columns, records_to_frame
from salesflow._results import (
    OnEmpty,
    Ratio,
    check_on_empty,
    check_places,
    check_rounding,
    settle,
    shown_int,
)
from salesflow._tables import html_result
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType, UndefinedMetric
from salesflow.metrics._framed.revenue import framed_monthly_revenue
from salesflow.metrics._read.fields import currency as currency_code
from salesflow.metrics._read.fields import keyed_items
from salesflow.metrics._read.frames import rows_only, table
from salesflow.metrics._read.orders import GROSS, NET, order_rows, sum_exact
from salesflow.metrics._read.scope import currency_argument
from salesflow.metrics._records import check_basis
from salesflow.money import Money
from salesflow.periods import Period

__all__ = [
    "MAX_GROWTH_MONTHS",
    "GrowthRate",
    "GrowthVariant",
    "MonthlyRevenue",
    "monthly_revenue",
    "revenue_growth",
]

GrowthVariant = Literal["month_over_month", "compound_monthly"]


class MonthlyRevenue(dict[Period, Money]):
    """Revenue per calendar month, as :func:`monthly_revenue` gives it: a dict month -> Money.

    A plain dict (equal to one with the same items), checked when built like
    the ``revenue`` of :func:`revenue_growth`, that also draws itself:
    :meth:`to_vega_lite`, :meth:`to_altair` (in month order, whatever order
    the dict was built in; :func:`monthly_revenue` builds it in month order).
    """

    COLUMNS: ClassVar[Columns] = (
        ("month", "text"),
        ("revenue", "decimal"),
        ("currency", "text"),
        ("growth", "decimal"),
    )
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

    def __init__(self, revenue: Mapping[Any, Money] | None = None, /) -> None:
        if revenue is None:
            revenue = {}
        _monthly(revenue)
        super().__init__(revenue)

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per month, in month order: its label, revenue, currency and growth.

        ``growth`` is the month-over-month growth as a Decimal share, None
        for the first month and after a month of zero revenue.
        """
        months = _monthly(self)
        growth = (None, *_month_over_month(self, "undefined")) if months else ()
        return [
            {
                "month": label,
                "revenue": money.amount,
                "currency": money.currency,
                "growth": None if rate is None else rate.value,
            }
            for (label, money), rate in zip(months, growth, strict=True)
        ]

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The revenue as a DataFrame of ``backend``: "pandas", "polars" or "pyarrow".

        One row per month, the columns of :meth:`to_records`, in order and typed (months as labels
        such as ``"2026-03"``). Decimals stay exact (a decimal128 column) unless ``money="float"``
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

    def to_vega_lite(self) -> dict[str, Any]:
        """A Vega-Lite v5 bar chart (a plain dict) of the revenue per month, in month order.

        The tooltip adds the currency and the month-over-month growth (None
        after a month of zero revenue); amounts and shares are floats for
        plotting only. See docs/metrics.md ("Charts").
        """
        months = _monthly(self)
        growth = (None, *_month_over_month(self, "undefined")) if months else ()
        values = [
            {
                "month": label,
                "revenue": float(money.amount),
                "currency": money.currency,
                "growth": _charts.share(rate),
            }
            for (label, money), rate in zip(months, growth, strict=True)
        ]
        title = f"Monthly revenue ({months[0][1].currency})" if months else "Monthly revenue"
        return _charts.revenue_bars(title=title, values=values)

    def to_altair(self) -> Any:
        """:meth:`to_vega_lite` as an ``altair.Chart`` (needs ``pip install 'salesflow[viz]'``)."""
        return _charts.altair_chart(self.to_vega_lite())


def monthly_revenue(
    orders: Any,
    *,
    zone: tzinfo | str,
    basis: str = "net",
    currency: str | None = None,
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
    amount_scale: int | None = None,
    amount_rounding: str | None = None,
) -> MonthlyRevenue:
    """Revenue per calendar month in ``zone``, from orders (a :class:`MonthlyRevenue`).

    Each order counts in the calendar month, in ``zone``, of its placement
    time, with its net (default) or gross revenue as in
    :func:`~salesflow.metrics.orders.average_order_value`; cancelled orders
    are left out. The months run without a gap from the first month with an
    order to the last, a month without orders holding zero. Takes the same
    items as the order metrics (Orders, their events, order records).
    ``currency``, when given, is the orders' currency: every order is
    checked against it (:class:`~salesflow.errors.CurrencyMismatch`).

    ``orders`` may be a table instead (pandas, polars, pyarrow, DuckDB,
    Spark, ...; the ``frames`` extra), one order per row: the months in
    ``zone`` and their revenue are found inside its engine and the result
    is the same MonthlyRevenue. It reads placed_at, amount, currency, status
    (may be absent) and discount (net basis; may be absent). ``columns``
    maps salesflow's column names to the table's, ``currency`` stands in
    for a missing currency column (and is checked against a present one),
    ``naive_zone`` is the zone a naive ``placed_at`` column was written in,
    and ``amount_scale`` with ``amount_rounding`` (``"ROUND_HALF_UP"``)
    rounds a float money column inside the engine (docs/frames.md).

    >>> from datetime import datetime, timezone
    >>> rows = [{"placed_at": datetime(2026, 1, 31, 23, 30, tzinfo=timezone.utc),
    ...          "amount": "100", "currency": "EUR"},
    ...         {"placed_at": "2026-03-10T12:00:00+00:00", "amount": "50", "currency": "EUR"}]
    >>> {month.label: str(money) for month, money in monthly_revenue(rows, zone="Europe/Berlin").items()}
    {'2026-02': '100 EUR', '2026-03': '50 EUR'}
    """
    where = _zones.zone("zone", zone)
    net = check_basis(basis)
    code = currency_argument(currency)
    if table(orders):
        totals, code = framed_monthly_revenue(
            orders,
            zone=where,
            net=net,
            currency=code,
            columns=columns,
            naive_zone=naive_zone,
            amount_scale=amount_scale,
            amount_rounding=amount_rounding,
        )
        return _revenue_months(totals, code, where)
    rows_only(
        {
            "columns": columns,
            "naive_zone": naive_zone,
            "amount_scale": amount_scale,
            "amount_rounding": amount_rounding,
        }
    )
    totals = {}
    for index, facts in enumerate(
        order_rows("orders", orders, placed=True, revenue=NET if net else GROSS)
    ):
        code = currency_code(f"orders[{index}].currency", facts.currency, expected=code)
        if facts.cancelled:
            continue
        try:
            local = facts.placed_at.astimezone(where)  # type: ignore[union-attr]
        except OverflowError:
            local = None
        if local is None or not 2 <= local.year <= 9998:
            raise InvalidField(
                f"orders[{index}].placed_at",
                facts.placed_at,
                f"a moment whose month in {_zones.zone_label(where)} lies within the years "
                "2 to 9998",
            )
        key = local.year * 12 + local.month - 1
        totals[key] = sum_exact(
            totals.get(key, Decimal(0)), facts.amount, f"orders[{index}].amount"
        )
    return _revenue_months(totals, code, where)


def _revenue_months(totals: dict[int, Decimal], code: str | None, where: tzinfo) -> MonthlyRevenue:
    """The revenue per month from ``totals`` (month number ``year * 12 + month - 1`` to
    revenue), every month from the first to the last, a month without orders at zero."""
    if not totals or code is None:
        return MonthlyRevenue()
    result: dict[Period, Money] = {}
    for number in range(min(totals), max(totals) + 1):
        year, month = divmod(number, 12)
        result[Period.month(year, month + 1, where)] = Money(totals.get(number, Decimal(0)), code)
    return MonthlyRevenue(result)


_MONTHS_EXPECTED: Final = (
    "a mapping of months (month Periods or (year, month) pairs) to Money, "
    "such as monthly_revenue(...) returns"
)


def _month_key(key: Any) -> tuple[int, str, str | None]:
    """(month number, label, zone name or None) of a revenue key."""
    if isinstance(key, Period):
        if key.unit is None or key.unit.value != "month":
            raise InvalidField("revenue", key, "month Periods as keys (Period.month(...))")
        first = key.local_start
        return first.year * 12 + first.month - 1, key.label, _zones.zone_label(key.zone)
    if (
        isinstance(key, tuple)
        and len(key) == 2
        and all(isinstance(part, int) and not isinstance(part, bool) for part in key)
        and 1 <= key[1] <= 12
        and 1 <= key[0] <= 9999
    ):
        return key[0] * 12 + key[1] - 1, f"{key[0]:04d}-{key[1]:02d}", None
    raise InvalidField(
        "revenue", key, "month keys: a month Period or a (year, month) pair such as (2026, 3)"
    )


def _monthly(revenue: Any) -> list[tuple[str, Money]]:
    """The months in order, each once, consecutive, with their revenue in one currency."""
    pairs = keyed_items("revenue", revenue, key="month", count="Money")
    if pairs is None:
        raise InvalidType("revenue", revenue, _MONTHS_EXPECTED)
    months: dict[int, tuple[str, Money]] = {}
    zone: str | None = None
    currency: str | None = None
    for key, money in pairs:
        number, label, key_zone = _month_key(key)
        field = f"revenue[{label}]"
        if key_zone is not None:
            if zone is not None and key_zone != zone:
                raise InvalidField(
                    field, key, f"a month in {zone}, like the other Period keys (zones never mix)"
                )
            zone = key_zone
        if number in months:
            raise InvalidField(field, key, "each month once")
        if not isinstance(money, Money):
            raise InvalidType(field, money, "Money (Decimal + currency; floats are inexact)")
        if money.amount < 0:
            raise InvalidField(field, money, "an amount of at least 0")
        currency = currency_code(f"{field}.currency", money.currency, expected=currency)
        months[number] = (label, money)
    ordered = sorted(months)
    for before, after in pairwise(ordered):
        if after != before + 1:
            year, month = divmod(before + 1, 12)
            raise InvalidField(
                "revenue",
                f"{year:04d}-{month + 1:02d}",
                "consecutive months: this one is missing (give it Money 0 if nothing was sold)",
            )
    return [months[number] for number in ordered]


def _month_over_month(revenue: Any, on_empty: OnEmpty) -> tuple[Ratio, ...]:
    """One growth Ratio per month after the first: (this month - last month) / last month."""
    on_empty = check_on_empty(on_empty)
    months = _monthly(revenue)
    results: list[Ratio] = []
    for (before, last), (label, this) in pairwise(months):
        growth = Ratio(
            "month-over-month sales growth",
            this.amount - last.amount,
            last.amount,
            variant=f"{label} vs {before}",
            formula="(this month - last month) / last month",
            working=f"({this} - {last}) / {last}",
            inputs=((f"revenue {label}", this), (f"revenue {before}", last)),
            denominator_name=f"revenue {before}",
        )
        results.append(settle(growth, on_empty))
    return tuple(results)


def _root_above(value: int, degree: int) -> int:
    """A start for Newton's root at most a millionth above ``value ** (1 / degree)``.

    Newton from the bit length alone creeps down by a factor ``(degree - 1) /
    degree`` a step, thousands of steps for a long series; from here it needs a
    few. A float estimate is only a start: it is checked to be at least the root.
    """
    shift = max(value.bit_length() - 64, 0)
    log2 = (math.log2(value >> shift) + shift) / degree
    whole = math.floor(log2)
    guess: int
    if whole < 60:
        guess = math.floor(2.0**log2 * (1 + 2**-20)) + 1
    else:
        guess = (math.floor(2.0 ** (log2 - whole + 52) * (1 + 2**-20)) + 1) << (whole - 52)
    if guess**degree < value:  # never for a sane float; kept so the root is exact regardless
        return 1 << -(-value.bit_length() // degree)
    return guess


def _iroot(value: int, degree: int) -> int:
    """``floor(value ** (1 / degree))`` for ``value >= 0``, exactly (integer Newton)."""
    if value < 2 or degree == 1:
        return value
    guess = _root_above(value, degree)
    while True:
        better = ((degree - 1) * guess + value // guess ** (degree - 1)) // degree
        if better >= guess:
            return guess
        guess = better


def _root_growth(ratio: Fraction, degree: int, places: int, rounding: str) -> tuple[Decimal, bool]:
    """``ratio ** (1 / degree) - 1`` rounded to ``places`` with ``rounding``, and whether exact.

    ``m = floor(root * 10**places)`` comes from an integer root; where the
    rest lies (none, below, on or above one half) is decided by comparing
    exact integer powers, so every rounding mode rounds the true value,
    never a float or a rounded intermediate.
    """
    scaled = ratio.numerator * 10 ** (places * degree)
    whole = _iroot(scaled // ratio.denominator, degree)
    if whole**degree * ratio.denominator == scaled:
        rest = Decimal(0)
    else:
        half = (2 * whole + 1) ** degree * ratio.denominator
        doubled = scaled * 2**degree
        rest = Decimal("0.25") if half > doubled else Decimal("0.5" if half == doubled else "0.75")
    exact = rest == 0
    context = Context(prec=len(str(whole)) + places + 10)
    proxy = context.add(context.subtract(Decimal(whole), Decimal(10) ** places), rest)
    rounded = proxy.quantize(Decimal(1), rounding=rounding, context=context)
    rounded = rounded.scaleb(-places, context=context)
    if exact:
        rounded = _plain(rounded)
    return rounded, exact


def _wide(value: Decimal) -> Context:
    """A context with room for every digit of ``value`` and a few more: nothing rounds."""
    return Context(prec=len(value.as_tuple().digits) + abs(value.adjusted()) + 10)


def _plain(value: Decimal) -> Decimal:
    """An exact value without trailing zeros, written out (``2``, not ``2E+0``)."""
    context = _wide(value)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1), context=context)
    return value.normalize(context=context)


def _money_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Money) or value.amount < 0:
        raise InvalidType(
            attribute.name, value, "Money of at least 0", context=type(instance).__name__
        )


MAX_GROWTH_MONTHS: Final = 1200
# A century of monthly steps. The exact root costs about places x months
# digits; past this a long series at 100 places would take seconds.


def _growth_months(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)
    if value > MAX_GROWTH_MONTHS:
        raise InvalidField(
            attribute.name,
            shown_int(value),
            f"at most {MAX_GROWTH_MONTHS} monthly steps (a century)",
            context=type(instance).__name__,
        )


@attrs.frozen(repr=False)
class GrowthRate:
    """A compound growth rate: ``(last / first) ** (1 / months) - 1``, to a stated precision.

    The root is irrational in general, so ``value`` is the true rate rounded
    half-even to ``places`` decimal places, and ``value_is_exact`` says
    whether that is the rate itself (when the root comes out exact, as for
    1331 / 1000 over 3 months: 0.1). :meth:`percent` rounds the true rate
    (not ``value``) once, with a stated mode. Undefined (``value`` None) with
    fewer than two months or a first month of zero revenue.
    """

    metric: str = attrs.field(validator=_check.text_field)
    variant: str = attrs.field(validator=_check.text_field)
    formula: str = attrs.field(validator=_check.text_field)
    first: Money = attrs.field(validator=_money_field)
    last: Money = attrs.field(validator=_money_field)
    months: int = attrs.field(validator=_growth_months)
    places: int = attrs.field(validator=lambda _i, _a, value: check_places(value))
    _value: Decimal | None = attrs.field(init=False, eq=False, hash=False)
    _exact: bool = attrs.field(init=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        if self.first.currency != self.last.currency:
            raise CurrencyMismatch(
                "last",
                self.last.currency,
                f"the currency of first ({self.first.currency!r})",
                context="GrowthRate",
            )
        value, exact = (None, False)
        if self.defined:
            value, exact = _root_growth(self._ratio(), self.months, self.places, ROUND_HALF_EVEN)
        object.__setattr__(self, "_value", value)
        object.__setattr__(self, "_exact", exact)

    def _ratio(self) -> Fraction:
        return Fraction(self.last.amount) / Fraction(self.first.amount)

    @property
    def defined(self) -> bool:
        """False with fewer than two months or a first month of zero revenue."""
        return self.months > 0 and self.first.amount > 0

    @property
    def value(self) -> Decimal | None:
        """The rate rounded half-even to ``places`` decimals (see ``value_is_exact``), or None."""
        return self._value

    @property
    def value_is_exact(self) -> bool:
        """True when ``value`` is the rate itself, not a rounding of it."""
        return self._exact

    def require(self) -> Decimal:
        """``value``, or :class:`UndefinedMetric` naming what is missing."""
        if self._value is None:
            missing = "months of growth" if self.months == 0 else "the first month's revenue"
            raise UndefinedMetric(self.metric, missing, variant=self.variant)
        return self._value

    def percent(self, places: int = 1, rounding: str = ROUND_HALF_EVEN) -> str:
        """The rate as a percentage, the true rate rounded once to ``places``: ``"5.9%"``."""
        places = check_places(places)
        rounding = check_rounding(rounding)
        if not self.defined:
            return "undefined"
        value, exact = _root_growth(self._ratio(), self.months, places + 2, rounding)
        context = Context(prec=_wide(value).prec + places + 2)
        shown = value.scaleb(2, context=context)
        if exact:
            shown = shown.quantize(Decimal(1).scaleb(-places), context=context)
        return f"{shown}%"

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives, as a :class:`~salesflow.metrics.Ratio` writes them.

        ``kind`` (``"growth_rate"``), the figures (the two months' Money as
        its ``to_dict``, whole numbers as numbers), then for readers ``value``
        (a decimal string, null when undefined) and ``value_is_exact``. The
        schema is ``salesflow.schemas.schema("metric.growth_rate")``.
        """
        return {
            "kind": "growth_rate",
            "metric": self.metric,
            "variant": self.variant,
            "formula": self.formula,
            "first": self.first.to_dict(),
            "last": self.last.to_dict(),
            "months": self.months,
            "places": self.places,
            "value": None if self._value is None else str(self._value),
            "value_is_exact": self._exact,
        }

    def _repr_html_(self) -> str:
        return html_result(kind="growth-rate", shown=self.percent(), detail=repr(self))

    def __repr__(self) -> str:
        working = f"({self.last} / {self.first}) ** (1 / {self.months}) - 1"
        if self._value is None:
            outcome = "= undefined"
        elif self._exact:
            outcome = f"= {self._value}"
        else:
            short = _root_growth(self._ratio(), self.months, 10, ROUND_HALF_EVEN)[0]
            outcome = f"≈ {short} (value rounded half-even to {self.places} places)"
        return f"<GrowthRate {self.metric} ({self.variant}): {working} {outcome}>"


def _compound(revenue: Any, places: int, on_empty: OnEmpty) -> GrowthRate:
    """(last month / first month) ** (1 / months) - 1, computed exactly and rounded."""
    digits = check_places(places)
    on_empty = check_on_empty(on_empty)
    months = _monthly(revenue)
    if months:
        (first_label, first), (last_label, last) = months[0], months[-1]
        steps = len(months) - 1
        if steps > MAX_GROWTH_MONTHS:
            raise InvalidField(
                "revenue",
                f"{first_label} to {last_label}, {steps} monthly steps",
                f"at most {MAX_GROWTH_MONTHS} monthly steps (a century)",
            )
        variant = f"{first_label} to {last_label}, {steps} month{'s' if steps != 1 else ''}"
    else:
        raise InvalidField("revenue", revenue, "at least one month of revenue")
    rate = GrowthRate(
        "compound monthly growth rate",
        variant,
        "(last month / first month) ** (1 / months) - 1",
        first,
        last,
        steps,
        digits,
    )
    if on_empty == "raise":
        rate.require()
    return rate


# -- per-manager KPIs ----------------------------------------------------------------------------


@overload
def revenue_growth(
    revenue: Mapping[Any, Money],
    *,
    variant: Literal["month_over_month"] = ...,
    places: int = ...,
    on_empty: OnEmpty = ...,
) -> tuple[Ratio, ...]: ...


@overload
def revenue_growth(
    revenue: Mapping[Any, Money],
    *,
    variant: Literal["compound_monthly"],
    places: int = ...,
    on_empty: OnEmpty = ...,
) -> GrowthRate: ...


def revenue_growth(
    revenue: Mapping[Any, Money],
    *,
    variant: GrowthVariant = "month_over_month",
    places: int = 28,
    on_empty: OnEmpty = "undefined",
) -> tuple[Ratio, ...] | GrowthRate:
    """Sales growth over monthly revenue, as :func:`monthly_revenue` gives it.

    - ``variant="month_over_month"`` (the default): per consecutive month,
      (this month - last month) / last month: one :class:`Ratio` per month
      after the first, in month order, its variant naming the two months;
      growth may be negative (a fall). A month after a month of zero
      revenue has undefined growth.
    - ``variant="compound_monthly"``: (last month / first month) ** (1 /
      months) - 1, ``months`` the monthly steps from the first month to the
      last (three for January to April). The k-th root is irrational in
      general: it is computed exactly with integers (never a float) and
      rounded half-even to ``places`` decimal places, and the result says
      whether its ``value`` is exact (:class:`GrowthRate`). Fewer than two
      months, or a first month of zero revenue, give an undefined rate.

    ``revenue`` maps each month (a month :class:`~salesflow.Period` or a
    ``(year, month)`` pair) to its revenue. An undefined result raises
    :class:`UndefinedMetric` with ``on_empty="raise"``. Refuses gaps (a
    missing month: give it zero), a month twice, Period keys in different
    zones, negative or non-Money revenue and mixed currencies.

    >>> from salesflow import Money
    >>> growth = revenue_growth({(2026, 1): Money("1000", "EUR"),
    ...                          (2026, 2): Money("1200", "EUR"),
    ...                          (2026, 3): Money("900", "EUR")})
    >>> growth[0]
    <Ratio month-over-month sales growth (2026-02 vs 2026-01): (1200 EUR - 1000 EUR) / 1000 EUR = 0.2>
    >>> [g.percent() for g in growth]
    ['20.0%', '-25.0%']
    >>> revenue = {(2026, 1): Money("1000", "EUR"), (2026, 2): Money("1100", "EUR"),
    ...            (2026, 3): Money("1250", "EUR"), (2026, 4): Money("1331", "EUR")}
    >>> revenue_growth(revenue, variant="compound_monthly")
    <GrowthRate compound monthly growth rate (2026-01 to 2026-04, 3 months): (1331 EUR / 1000 EUR) ** (1 / 3) - 1 = 0.1>
    >>> rate = revenue_growth({(2026, 1): Money("100", "EUR"), (2026, 3): Money("150", "EUR"),
    ...                        (2026, 2): Money("120", "EUR")}, variant="compound_monthly", places=12)
    >>> rate.value, rate.value_is_exact, rate.percent(2)
    (Decimal('0.224744871392'), False, '22.47%')
    """
    if variant == "month_over_month" and isinstance(variant, str):
        check_places(places)  # checked in both variants; only the compound rate uses it
        return _month_over_month(revenue, on_empty)
    if variant == "compound_monthly" and isinstance(variant, str):
        return _compound(revenue, places, on_empty)
    raise InvalidField("variant", variant, "'month_over_month' or 'compound_monthly'")
