"""Sales-team metrics: sales cycle, lead conversion, CAC, sales growth and per-manager KPIs.

The lead metrics read the library's own leads, or plain records, in any mix:

- a :class:`~salesflow.leads.Lead` aggregate;
- its events, a list or tuple (``lead.history``, or the stored
  ``lead_event_to_dict()`` documents, which are replayed and checked);
- a ``lead.to_dict()`` document (a mapping whose ``schema`` is ``"salesflow.lead/1"``);
- a lead record, a plain mapping (``df.to_dict("records")`` works):

================ =====================================================================
record key       value
================ =====================================================================
``lead_id``      a non-empty string or an int; read by :func:`manager_kpis` when present
``created_at``   when the lead was created: an aware datetime or an ISO string with an
                 offset; read for the sales cycle and whenever a ``period`` or ``now``
                 is given
``won_at``       when it was won (its first ``win``), or None: the key is required
``lost``         True for a lead lost and not won (default False: still open)
``qualified``    True when the lead was ever qualified (the qualified-leads variant)
``manager``      who owns the lead (:func:`manager_kpis`)
``revenue``      a won deal's revenue, at least 0: a Decimal, an int or a decimal string
``currency``     the revenue's ISO 4217 code; every deal has the same one
``cost``         a won deal's cost (optional, same types): gives the margin
================ =====================================================================

For a Lead, the history says it: created at ``LeadCreated.at``, won at its
``win`` event, qualified when it has a ``LeadQualified`` event, lost when its
stage is lost, revenue its ``deal_value``. Its **manager** is the ``actor``
of its ``win`` when a person won it, otherwise the actor of its latest event
whose actor is not ``"system"`` (a lead no person acted on has no manager):
``"system"``, the default actor, is never a manager.

Missing values as a DataFrame writes them (``NaN``, ``NaT``) mean None in the
keys that may be None (``won_at``, ``lost``, ``cost``...).

A metric reads only the keys it needs; a bad value raises
:class:`~salesflow.errors.InvalidField` naming the item and the key
(``leads[3].won_at``). Naive datetimes and floats are refused. The order of
the items never matters.

A period not over yet. The library reads no clock: pass ``now`` (an aware
datetime, the moment the data was taken) to the metrics that take a
``period``. With both, a result whose period had not ended at ``now`` says
so: ``unfinished`` is True on it (and on each figure of
:class:`ManagerKPIs`), and its repr or table says "period not over". With
``now``, every item is checked against it: a record's ``created_at`` is
read even without a period, and a time after ``now`` (``created_at``,
``won_at``, an activity's or an answer's ``at``, an event of a Lead) is
refused, naming the item and the key. A ``now`` before the period's start
is allowed: nothing in the period has happened yet, so the result counts
nothing and is flagged. Without ``now`` nothing is checked or flagged.

>>> from datetime import datetime, timezone
>>> from salesflow.metrics.sales import lead_conversion_rate, sales_cycle_length
>>> def day(n):
...     return datetime(2026, 3, n, tzinfo=timezone.utc)
>>> leads = [
...     {"lead_id": "a", "created_at": day(1), "won_at": day(11)},
...     {"lead_id": "b", "created_at": day(2), "won_at": day(22)},
...     {"lead_id": "c", "created_at": day(3), "won_at": None},
... ]
>>> cycle = sales_cycle_length(leads)
>>> cycle.mean, cycle.median, cycle.still_open
(datetime.timedelta(days=15), datetime.timedelta(days=15), 1)
>>> lead_conversion_rate(leads).percent()
'66.7%'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any, Final, cast

import attrs

from salesflow import _check, _zones
from salesflow._aggregate import SYSTEM
from salesflow._durations import Durations
from salesflow._results import (
    Amount,
    OnEmpty,
    Ratio,
    Score,
    _check_rounding,
    check_on_empty,
    check_places,
    flag_field,
    instance_field,
    settle,
    shown_int,
)
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType, UndefinedMetric
from salesflow.leads import ActivityKind, Lead, LeadStage
from salesflow.leads import event_from_dict as lead_event_from_dict
from salesflow.leads.lead import SCHEMA as LEAD_SCHEMA
from salesflow.metrics._read import fields as read
from salesflow.metrics._read import scope as scopes
from salesflow.metrics._read.orders import GROSS, NET, order_rows
from salesflow.metrics._records import check_basis
from salesflow.metrics.surveys import csat
from salesflow.money import EXACT, Money
from salesflow.periods import Period

__all__ = [
    "CALL_KINDS",
    "MEETING_KINDS",
    "GrowthRate",
    "ManagerKPI",
    "ManagerKPIs",
    "SalesCycle",
    "compound_monthly_growth_rate",
    "customer_acquisition_cost",
    "lead_conversion_rate",
    "manager_kpis",
    "month_over_month_growth",
    "monthly_revenue",
    "sales_cycle_length",
]

MEETING_KINDS: Final = frozenset({ActivityKind.MEETING, ActivityKind.DEMO})
"""Activity kinds counted as meetings: meetings and demos."""

CALL_KINDS: Final = frozenset({ActivityKind.CALL, ActivityKind.INTRO_CALL})
"""Activity kinds counted as calls: calls and intro calls."""

_LEAD_EXPECTED: Final = (
    "a Lead, its events (a list or tuple), a lead.to_dict() document, or a lead record (a mapping)"
)


# -- reading leads ------------------------------------------------------------------------------


def _as_lead(name: str, index: int, item: Any) -> Lead | None:
    """The lead an item describes, or None when it is a plain record."""
    if isinstance(item, Lead):
        return item
    if isinstance(item, list | tuple):
        events = [
            lead_event_from_dict(event, field=f"{name}[{index}][{position}]")
            if isinstance(event, Mapping)
            else event
            for position, event in enumerate(item)
        ]
        try:
            return Lead.replay(events)
        except InvalidField as err:
            raise read.renamed(err, err.field.replace("events[", f"{name}[{index}][", 1)) from None
    if isinstance(item, Mapping) and item.get("schema") == LEAD_SCHEMA:
        try:
            return Lead.from_dict(item)
        except InvalidField as err:
            raise read.renamed(err, f"{name}[{index}].{err.field}") from None
    if isinstance(item, Mapping):
        return None
    raise InvalidType(f"{name}[{index}]", item, _LEAD_EXPECTED)


class _LeadFacts:
    """What one lead contributes (private)."""

    __slots__ = (
        "cost",
        "created_at",
        "currency",
        "lead_id",
        "lost",
        "manager",
        "qualified",
        "revenue",
        "won_at",
    )

    def __init__(self) -> None:
        self.lead_id: str | int | None = None
        self.created_at: datetime | None = None
        self.won_at: datetime | None = None
        self.lost = False
        self.qualified = False
        self.manager: str | None = None
        self.revenue: Decimal | None = None
        self.cost: Decimal | None = None
        self.currency: str | None = None


def _lead_id(name: str, index: int, value: Any) -> str | int:
    field = read.where(read.row_at(name, index), "lead_id")
    if isinstance(value, str):
        return _check.text(field, value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidType(field, value, "a non-empty string or an int")
    return value


def _from_lead(lead: Lead, *, money: bool, name: str, index: int) -> _LeadFacts:
    facts = _LeadFacts()
    facts.lead_id = lead.id
    facts.created_at = _zones.utc(lead.created_at)
    won = lead.won_at
    facts.won_at = None if won is None else _zones.utc(won)
    facts.lost = lead.stage is LeadStage.LOST
    facts.qualified = lead.was_qualified
    facts.manager = lead.manager
    if money and facts.won_at is not None:
        value = lead.deal_value
        if value is None:
            raise InvalidField(
                read.where(read.row_at(name, index), "deal_value"),
                None,
                "Money: a won lead needs its deal value for the sales volume "
                "(or pass a record with its revenue)",
            )
        facts.revenue, facts.currency = value.amount, value.currency
    return facts


def _from_record(
    name: str,
    index: int,
    row: Mapping[str, Any],
    *,
    created: bool,
    qualified: bool = False,
    lost: bool = False,
    manager: bool = False,
    money: bool = False,
) -> _LeadFacts:
    facts = _LeadFacts()
    won = read.required(read.row_at(name, index), row, "won_at")
    facts.won_at = (
        None
        if read.absent(won)
        else read.moment(read.where(read.row_at(name, index), "won_at"), won)
    )
    if created:
        facts.created_at = read.moment(
            read.where(read.row_at(name, index), "created_at"),
            read.required(read.row_at(name, index), row, "created_at"),
        )
        if facts.won_at is not None and facts.won_at < facts.created_at:
            raise InvalidField(
                read.where(read.row_at(name, index), "won_at"),
                won,
                f"a moment not before created_at ({facts.created_at.isoformat()})",
            )
    if lost:
        facts.lost = read.flag(
            read.where(read.row_at(name, index), "lost"), row.get("lost"), default=False
        )
        if facts.lost and facts.won_at is not None:
            raise InvalidField(
                read.where(read.row_at(name, index), "lost"),
                True,
                "False for a won lead (won_at is set)",
            )
    if qualified:
        facts.qualified = read.flag(
            read.where(read.row_at(name, index), "qualified"),
            read.required(read.row_at(name, index), row, "qualified"),
        )
    if manager:
        if not read.absent(row.get("lead_id")):
            facts.lead_id = _lead_id(name, index, row["lead_id"])
        facts.manager = _check.text(
            read.where(read.row_at(name, index), "manager"),
            read.required(read.row_at(name, index), row, "manager"),
        )
    if money and facts.won_at is not None:
        facts.revenue = read.amount(
            read.where(read.row_at(name, index), "revenue"),
            read.required(read.row_at(name, index), row, "revenue"),
        )
        facts.currency = read.currency(
            read.where(read.row_at(name, index), "currency"),
            read.required(read.row_at(name, index), row, "currency"),
        )
        if not read.absent(row.get("cost")):
            facts.cost = read.amount(read.where(read.row_at(name, index), "cost"), row["cost"])
    return facts


def _leads(
    leads: Any,
    *,
    created: bool,
    qualified: bool = False,
    lost: bool = False,
    manager: bool = False,
    money: bool = False,
    now: datetime | None = None,
) -> Iterator[tuple[int, Lead | None, _LeadFacts]]:
    """(index, the Lead or None for a record, facts) for every lead, each checked.

    With ``now`` (UTC), a record's ``created_at`` is read, and a lead with a
    time after ``now`` (an event, ``created_at``, ``won_at``) is refused.
    """
    for index, item in enumerate(
        read.items("leads", leads, expected=f"an iterable of items, each {_LEAD_EXPECTED}")
    ):
        lead = _as_lead("leads", index, item)
        if lead is not None:
            scopes.history_not_after(now, read.row_at("leads", index), item, lead.history)
            yield index, lead, _from_lead(lead, money=money, name="leads", index=index)
            continue
        facts = _from_record(
            "leads",
            index,
            item,
            created=created or now is not None,
            qualified=qualified,
            lost=lost,
            manager=manager,
            money=money,
        )
        if now is not None:
            for key in ("created_at", "won_at"):
                scopes.not_after(
                    now,
                    read.where(read.row_at("leads", index), key),
                    getattr(facts, key),
                    item.get(key),
                )
        yield index, None, facts


# -- sales cycle ----------------------------------------------------------------------------------


def _count(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)


def _durations(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Durations):
        raise InvalidType(attribute.name, value, "Durations", context=type(instance).__name__)


@attrs.frozen(repr=False)
class SalesCycle:
    """Sales cycle lengths of the won leads, and the leads left out of them.

    ``cycles`` holds one duration per won lead (created to won); ``mean`` and
    ``median`` come from it (None when no lead was won, never 0).
    ``still_open`` and ``lost`` count the leads not won: they are reported,
    not mixed in, since an open lead's cycle has not ended and a lost one
    never will. ``unfinished`` is True when the leads were those created in
    a period that had not ended at the ``now`` given: more leads may still
    be created in it, and more of them won.
    """

    cycles: Durations = attrs.field(validator=_durations)
    still_open: int = attrs.field(validator=_count)
    lost: int = attrs.field(validator=_count)
    unfinished: bool = attrs.field(default=False, kw_only=True, validator=flag_field)

    @property
    def won(self) -> int:
        return self.cycles.count

    @property
    def mean(self) -> timedelta | None:
        return self.cycles.mean

    @property
    def median(self) -> timedelta | None:
        return self.cycles.median

    @property
    def mean_days(self) -> Score:
        """The mean cycle in days, exact (a :class:`Score`; undefined when no lead was won)."""
        return attrs.evolve(self.cycles.mean_days, unfinished=self.unfinished)

    def require(self) -> timedelta:
        """The mean cycle, or :class:`UndefinedMetric` when no lead was won."""
        return self.cycles.require()

    def __repr__(self) -> str:
        head = f"<SalesCycle ({self.cycles.variant}): {self.won} won"
        if self.won:
            head += f", mean {self.mean}, median {self.median}"
        head += f"; not included: {self.still_open} still open, {self.lost} lost"
        return head + (", period not over>" if self.unfinished else ">")


def sales_cycle_length(
    leads: Iterable[Any],
    *,
    period: Period | None = None,
    now: datetime | None = None,
    on_empty: OnEmpty = "undefined",
) -> SalesCycle:
    """Sales cycle length: the time from lead created to won, over won leads only.

    cycle = won at (the lead's first ``win``) - created at, per won lead;
    mean = sum of cycles / won leads; median = the middle cycle.

    Open leads are counted as ``still_open`` and lost leads as ``lost``,
    never mixed into the mean (an open lead would pull it down, as if it had
    closed today). With ``period``, only leads *created* in it count: a
    cohort view, where a recent period's figures grow as its leads close.
    With ``now`` too, a period not over at ``now`` is flagged
    ``unfinished`` (see the module docs).

    Records need ``created_at``, ``won_at`` (None when not won) and may
    carry ``lost``. Refuses a won time before the creation time, a naive
    ``now`` and a lead dated after ``now``.
    ``on_empty="raise"`` raises :class:`UndefinedMetric` when no lead was won.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
    >>> sales_cycle_length([{"created_at": at, "won_at": None, "lost": True}])
    <SalesCycle (all leads created): 0 won; not included: 0 still open, 1 lost>
    """
    scope = scopes.period_argument(period)
    moment = scopes.optional_now(now)
    on_empty = check_on_empty(on_empty)
    spans: list[timedelta] = []
    still_open = lost = 0
    for _, _, facts in _leads(leads, created=True, lost=True, now=moment):
        created = facts.created_at
        if scope is not None and not scope.contains(created):  # type: ignore[arg-type]
            continue
        if facts.won_at is not None:
            spans.append(facts.won_at - created)  # type: ignore[operator]
        elif facts.lost:
            lost += 1
        else:
            still_open += 1
    cycles = Durations(
        "sales cycle length",
        scopes.scope_label(scope, "leads created"),
        "won at - created at, per won lead",
        spans,
        counted="won leads",
    )
    if on_empty == "raise":
        cycles.require()
    return SalesCycle(cycles, still_open, lost, unfinished=scopes.unfinished(scope, moment))


# -- lead conversion ---------------------------------------------------------------------------

_DENOMINATORS: Final = ("leads", "qualified")


def lead_conversion_rate(
    leads: Iterable[Any],
    *,
    denominator: str = "leads",
    period: Period | None = None,
    now: datetime | None = None,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Lead conversion rate: won leads / leads.

    - ``denominator="leads"`` (the default): won leads / leads;
    - ``denominator="qualified"``: won qualified leads / qualified leads, a
      lead counting as qualified once it was ever qualified (records carry
      ``qualified``).

    With ``period``, only leads *created* in it count (won then or later);
    with ``now`` too, a period not over at ``now`` is flagged (see the
    module docs).

    >>> leads = [{"won_at": None, "qualified": True}, {"won_at": None, "qualified": False},
    ...          {"won_at": "2026-03-05T10:00:00+00:00", "qualified": True}]
    >>> lead_conversion_rate(leads).percent(), lead_conversion_rate(leads, denominator="qualified").percent()
    ('33.3%', '50.0%')
    """
    if not isinstance(denominator, str) or denominator not in _DENOMINATORS:
        raise InvalidField("denominator", denominator, "'leads' or 'qualified'")
    scope = scopes.period_argument(period)
    moment = scopes.optional_now(now)
    on_empty = check_on_empty(on_empty)
    only_qualified = denominator == "qualified"
    counted = won = 0
    for _, _, facts in _leads(
        leads, created=scope is not None, qualified=only_qualified, now=moment
    ):
        if scope is not None and not scope.contains(facts.created_at):  # type: ignore[arg-type]
            continue
        if only_qualified and not facts.qualified:
            continue
        counted += 1
        won += facts.won_at is not None
    name = "qualified leads" if only_qualified else "leads"
    result = Ratio(
        "lead conversion rate",
        won,
        counted,
        variant=scopes.scope_label(scope, f"{name} created"),
        formula=f"won {name} / {name}",
        inputs=((name, counted), (f"won {name}", won)),
        denominator_name=name,
        unfinished=scopes.unfinished(scope, moment),
    )
    return settle(result, on_empty)


# -- customer acquisition cost ---------------------------------------------------------------------


def _spend(field: str, value: Any, currency: str | None) -> Money:
    if not isinstance(value, Money):
        raise InvalidType(field, value, "Money (Decimal + currency; floats are inexact)")
    if value.amount < 0:
        raise InvalidField(field, value, "an amount of at least 0")
    if currency is not None and value.currency != currency:
        raise CurrencyMismatch(
            f"{field}.currency",
            value.currency,
            f"the currency of sales_spend ({currency!r}): amounts never mix",
        )
    return value


def customer_acquisition_cost(
    *,
    sales_spend: Money,
    marketing_spend: Money,
    overhead_spend: Money | None = None,
    new_customers: int,
    on_empty: OnEmpty = "undefined",
) -> Amount:
    """Customer acquisition cost: (sales + marketing + overhead spend) / new customers.

    Spend and new customers must cover the same period. ``overhead_spend``
    (the share of tools, offices... that acquisition carries) is optional;
    without it the variant says so, since CAC then looks lower than it is.
    No new customers give an undefined amount (or :class:`UndefinedMetric`
    with ``on_empty="raise"``), never a division by zero.

    Refuses floats, negative spend, mixed currencies and a negative count.

    >>> from salesflow import Money
    >>> customer_acquisition_cost(sales_spend=Money("6000", "EUR"), marketing_spend=Money("3000", "EUR"),
    ...                           overhead_spend=Money("1000", "EUR"), new_customers=40)
    <Amount customer acquisition cost (sales + marketing + overhead): (6000 EUR + 3000 EUR + 1000 EUR) / 40 = 250 EUR>
    """
    sales = _spend("sales_spend", sales_spend, None)
    marketing = _spend("marketing_spend", marketing_spend, sales.currency)
    parts = [("sales spend", sales), ("marketing spend", marketing)]
    if overhead_spend is not None:
        parts.append(("overhead spend", _spend("overhead_spend", overhead_spend, sales.currency)))
    customers = read.whole_number("new_customers", new_customers, minimum=0)
    total = Money.total((money for _, money in parts), sales.currency)
    names = " + ".join(part.split()[0] for part, _ in parts)
    variant = names if overhead_spend is not None else f"{names}, no overhead given"
    result = Amount(
        "customer acquisition cost",
        total,
        customers,
        variant=variant,
        formula=f"({' + '.join(part for part, _ in parts)}) / new customers",
        working=f"({' + '.join(str(money) for _, money in parts)}) / {customers}",
        inputs=(*parts, ("new customers", customers)),
        denominator_name="new customers",
    )
    return settle(result, on_empty)


# -- monthly revenue and growth ----------------------------------------------------------------------


def monthly_revenue(
    orders: Iterable[Any], *, zone: tzinfo | str, basis: str = "net"
) -> dict[Period, Money]:
    """Revenue per calendar month in ``zone``, from orders: the input of the growth metrics.

    Each order counts in the calendar month, in ``zone``, of its placement
    time, with its net (default) or gross revenue as in
    :func:`~salesflow.metrics.orders.average_order_value`; cancelled orders
    are left out. The months run without a gap from the first month with an
    order to the last, a month without orders holding zero. Takes the same
    items as the order metrics (Orders, their events, order records).

    >>> from datetime import datetime, timezone
    >>> rows = [{"placed_at": datetime(2026, 1, 31, 23, 30, tzinfo=timezone.utc),
    ...          "amount": "100", "currency": "EUR"},
    ...         {"placed_at": "2026-03-10T12:00:00+00:00", "amount": "50", "currency": "EUR"}]
    >>> {month.label: str(money) for month, money in monthly_revenue(rows, zone="Europe/Berlin").items()}
    {'2026-02': '100 EUR', '2026-03': '50 EUR'}
    """
    where = _zones.zone("zone", zone)
    net = check_basis(basis)
    totals: dict[tuple[int, int], Decimal] = {}
    code: str | None = None
    for index, facts in enumerate(
        order_rows("orders", orders, placed=True, revenue=NET if net else GROSS)
    ):
        code = read.currency(f"orders[{index}].currency", facts.currency, expected=code)
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
        key = (local.year, local.month)
        try:
            totals[key] = EXACT.add(totals.get(key, Decimal(0)), facts.amount)
        except ArithmeticError:
            raise InvalidField(
                f"orders[{index}].amount", facts.amount, "amounts whose sums stay exact"
            ) from None
    if not totals or code is None:
        return {}
    first, last = min(totals), max(totals)
    result: dict[Period, Money] = {}
    number = first[0] * 12 + first[1] - 1
    while number <= last[0] * 12 + last[1] - 1:
        year, month = divmod(number, 12)
        amount = totals.get((year, month + 1), Decimal(0))
        result[Period.month(year, month + 1, where)] = Money(amount, code)
        number += 1
    return result


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
    pairs = read.keyed_items("revenue", revenue, key="month", count="Money")
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
        currency = read.currency(f"{field}.currency", money.currency, expected=currency)
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


def month_over_month_growth(
    revenue: Mapping[Any, Money], *, on_empty: OnEmpty = "undefined"
) -> tuple[Ratio, ...]:
    """Month-over-month sales growth, per consecutive month: (this month - last month) / last month.

    ``revenue`` maps each month (a month :class:`~salesflow.Period` or a
    ``(year, month)`` pair) to its revenue, as :func:`monthly_revenue`
    gives it. The result has one :class:`Ratio` per month after the first,
    in month order, its variant naming the two months; growth may be
    negative (a fall). A month after a month of zero revenue has undefined
    growth (or :class:`UndefinedMetric` with ``on_empty="raise"``).

    Refuses gaps (a missing month: give it zero), a month twice, Period keys
    in different zones, negative or non-Money revenue and mixed currencies.

    >>> from salesflow import Money
    >>> growth = month_over_month_growth({(2026, 1): Money("1000", "EUR"),
    ...                                   (2026, 2): Money("1200", "EUR"),
    ...                                   (2026, 3): Money("900", "EUR")})
    >>> growth[0]
    <Ratio month-over-month sales growth (2026-02 vs 2026-01): (1200 EUR - 1000 EUR) / 1000 EUR = 0.2>
    >>> [g.percent() for g in growth]
    ['20.0%', '-25.0%']
    """
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
    _count(instance, attribute, value)
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
        rounding = _check_rounding(rounding)
        if not self.defined:
            return "undefined"
        value, exact = _root_growth(self._ratio(), self.months, places + 2, rounding)
        context = Context(prec=_wide(value).prec + places + 2)
        shown = value.scaleb(2, context=context)
        if exact:
            shown = shown.quantize(Decimal(1).scaleb(-places), context=context)
        return f"{shown}%"

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


def compound_monthly_growth_rate(
    revenue: Mapping[Any, Money], *, places: int = 28, on_empty: OnEmpty = "undefined"
) -> GrowthRate:
    """Compound monthly growth rate: (last month / first month) ** (1 / months) - 1.

    ``months`` is the number of monthly steps from the first month to the
    last (three for January to April). ``revenue`` is as for
    :func:`month_over_month_growth`. The k-th root is irrational in general:
    it is computed exactly with integers (never a float) and rounded
    half-even to ``places`` decimal places, and the result says whether its
    ``value`` is exact (:class:`GrowthRate`).

    Fewer than two months, or a first month of zero revenue, give an
    undefined rate (or :class:`UndefinedMetric` with ``on_empty="raise"``).

    >>> from salesflow import Money
    >>> revenue = {(2026, 1): Money("1000", "EUR"), (2026, 2): Money("1100", "EUR"),
    ...            (2026, 3): Money("1250", "EUR"), (2026, 4): Money("1331", "EUR")}
    >>> compound_monthly_growth_rate(revenue)
    <GrowthRate compound monthly growth rate (2026-01 to 2026-04, 3 months): (1331 EUR / 1000 EUR) ** (1 / 3) - 1 = 0.1>
    >>> rate = compound_monthly_growth_rate({(2026, 1): Money("100", "EUR"), (2026, 3): Money("150", "EUR"),
    ...                                      (2026, 2): Money("120", "EUR")}, places=12)
    >>> rate.value, rate.value_is_exact, rate.percent(2)
    (Decimal('0.224744871392'), False, '22.47%')
    """
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


@attrs.frozen
class ManagerKPI:
    """One manager's KPIs, each an explained result.

    - ``sales_volume``: revenue of the deals they won (an :class:`Amount`);
    - ``margin``: that revenue minus its cost, or None when no cost was given;
    - ``lead_conversion``: their won leads / their leads (a :class:`Ratio`);
    - ``average_check``: revenue / won deals (undefined with no deal);
    - ``meetings`` and ``calls``: activities they logged (a :class:`Score`
      whose value is the count);
    - ``satisfaction``: mean CSAT of their customers' answers (a
      :class:`Score`, undefined with no answer).
    """

    manager: str = attrs.field(validator=_check.text_field)
    sales_volume: Amount = attrs.field(validator=instance_field(Amount))
    margin: Amount | None = attrs.field(validator=instance_field(Amount, optional=True))
    lead_conversion: Ratio = attrs.field(validator=instance_field(Ratio))
    average_check: Amount = attrs.field(validator=instance_field(Amount))
    meetings: Score = attrs.field(validator=instance_field(Score))
    calls: Score = attrs.field(validator=instance_field(Score))
    satisfaction: Score = attrs.field(validator=instance_field(Score))

    def to_dict(self) -> dict[str, Any]:
        """Plain values for a DataFrame row: Decimals (exact where they terminate) or None."""
        return {
            "manager": self.manager,
            "leads": self.lead_conversion.denominator,
            "won": self.lead_conversion.numerator,
            "lead_conversion": self.lead_conversion.value,
            "sales_volume": self.sales_volume.numerator.amount,
            "average_check": None
            if self.average_check.value is None
            else self.average_check.value.amount,
            "margin": None if self.margin is None else self.margin.numerator.amount,
            "meetings": self.meetings.numerator,
            "calls": self.calls.numerator,
            "satisfaction": self.satisfaction.value,
            "currency": self.sales_volume.currency,
        }


def _kpis_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple) or not all(isinstance(kpi, ManagerKPI) for kpi in value):
        raise InvalidType(
            attribute.name, value, "a tuple of ManagerKPI", context=type(instance).__name__
        )


def _unfinished_field(instance: Any, attribute: Any, value: Any) -> None:
    context = type(instance).__name__
    if not isinstance(value, bool):
        raise InvalidType(attribute.name, value, "True or False", context=context)
    if value and instance.period is None:
        raise InvalidField(
            attribute.name,
            value,
            "False when there is no period (all time is not a period)",
            context=context,
        )


@attrs.frozen(repr=False)
class ManagerKPIs(Mapping[str, ManagerKPI]):
    """Per-manager KPIs: a mapping manager -> :class:`ManagerKPI`, in manager order.

    ``currency`` is the deals' currency, ``period`` the period (None for all
    time), ``unassigned`` the leads that had no manager (no person acted on
    them). ``unfinished`` is True when ``period`` had not ended at the
    ``now`` given (it needs a period). :meth:`format` draws a table,
    :meth:`to_records` gives plain dicts.
    """

    currency: str = attrs.field(validator=lambda _i, _a, value: read.currency("currency", value))
    period: Period | None = attrs.field(
        validator=lambda _i, _a, value: scopes.period_argument(value)
    )
    managers: tuple[ManagerKPI, ...] = attrs.field(validator=_kpis_field)
    unassigned: int = attrs.field(validator=_count)
    unfinished: bool = attrs.field(default=False, kw_only=True, validator=_unfinished_field)

    def __getitem__(self, manager: str) -> ManagerKPI:
        for kpi in self.managers:
            if kpi.manager == manager:
                return kpi
        known = ", ".join(kpi.manager for kpi in self.managers) or "none"
        raise InvalidField("manager", manager, f"a manager in these KPIs (known: {known})")

    def __contains__(self, manager: object) -> bool:
        return any(kpi.manager == manager for kpi in self.managers)

    def get(self, manager: str, default: Any = None) -> Any:
        """The manager's KPIs, or ``default`` when the manager is not in them."""
        try:
            return self[manager]
        except InvalidField:
            return default

    def __iter__(self) -> Iterator[str]:
        return (kpi.manager for kpi in self.managers)

    def __len__(self) -> int:
        return len(self.managers)

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per manager (see :meth:`ManagerKPI.to_dict`)."""
        return [kpi.to_dict() for kpi in self.managers]

    def format(self, places: int = 1, rounding: str = ROUND_HALF_EVEN) -> str:
        """The KPIs as a text table, one row per manager.

        Money is rounded to the currency's minor unit, shares to ``places``
        as percentages and the mean CSAT to two places, all with
        ``rounding``, here and only here. ``-`` marks a margin without cost
        data, ``undefined`` an empty denominator. A period not over is said
        in the heading.
        """
        places = check_places(places)
        rounding = _check_rounding(rounding)
        header = (
            "manager",
            "leads",
            "won",
            "conversion",
            "volume",
            "avg check",
            "margin",
            "meetings",
            "calls",
            "CSAT",
        )
        rows = [header]
        for kpi in self.managers:
            check = kpi.average_check.rounded(rounding)
            score = kpi.satisfaction.rounded(2, rounding)
            rows.append(
                (
                    kpi.manager,
                    str(kpi.lead_conversion.denominator),
                    str(kpi.lead_conversion.numerator),
                    kpi.lead_conversion.percent(places, rounding),
                    str(_rounded(kpi.sales_volume, rounding)),
                    "undefined" if check is None else str(check.amount),
                    "-" if kpi.margin is None else str(_rounded(kpi.margin, rounding)),
                    str(kpi.meetings.numerator),
                    str(kpi.calls.numerator),
                    "undefined" if score is None else str(score),
                )
            )
        widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
        scope = self._scope()
        lines = [f"Manager KPIs ({scope}, amounts in {self.currency}, rounded {rounding})"]
        for row in rows:
            cells = [row[0].ljust(widths[0])]
            cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
            lines.append("  ".join(cells).rstrip())
        if not self.managers:
            lines.append("(no managers)")
        if self.unassigned:
            lines.append(f"{self.unassigned} lead(s) without a manager left out")
        return "\n".join(lines)

    def _scope(self) -> str:
        if self.period is None:
            return "all time"
        return self.period.label + (", period not over" if self.unfinished else "")

    def __repr__(self) -> str:
        return f"<ManagerKPIs {len(self.managers)} managers ({self._scope()}, {self.currency})>"


def _rounded(amount: Amount, rounding: str) -> Decimal:
    value = amount.rounded(rounding)
    return Decimal(0) if value is None else value.amount


class _Tally:
    """One manager's running figures (private)."""

    __slots__ = (
        "calls",
        "cost",
        "costed",
        "deals",
        "leads",
        "meetings",
        "revenue",
        "scores",
        "uncosted",
        "won",
    )

    def __init__(self) -> None:
        self.leads = self.won = self.deals = self.meetings = self.calls = 0
        self.revenue = self.cost = Decimal(0)
        self.costed: int | None = None  # index of a won deal with a cost
        self.uncosted: int | None = None  # index of a won deal without one
        self.scores: list[int] = []


def _add(total: Decimal, amount: Decimal, field: str) -> Decimal:
    try:
        return EXACT.add(total, amount)
    except ArithmeticError:
        raise InvalidField(field, amount, "amounts whose sums stay exact") from None


def manager_kpis(
    leads: Iterable[Any] = (),
    *,
    activities: Iterable[Mapping[str, Any]] = (),
    surveys: Iterable[Mapping[str, Any]] = (),
    period: Period | None = None,
    now: datetime | None = None,
    currency: str | None = None,
    csat_scale: tuple[int, int] = (1, 5),
) -> ManagerKPIs:
    """Per-manager KPIs: sales volume, margin, lead conversion, average check, meetings,
    calls and customer satisfaction.

    - sales volume  = sum of revenue of the deals the manager won
    - margin        = sales volume - cost of those deals (when costs are given)
    - lead conversion = the manager's won leads / the manager's leads
    - average check = sales volume / deals won
    - meetings, calls = activities logged of the kinds in :data:`MEETING_KINDS`
      (meeting, demo) and :data:`CALL_KINDS` (call, intro call)
    - satisfaction  = mean CSAT score of the manager's customers
      (:func:`~salesflow.metrics.surveys.csat` with ``variant="mean"`` on ``csat_scale``)

    ``leads`` are Leads or records (see the module docs: a lead's manager is
    the actor of its win, else its latest non-system actor, or a record's
    ``manager``); a won lead's revenue is its deal value or the record's
    ``revenue``, its cost the record's ``cost``. ``activities`` are
    ``{"manager", "kind", "at"}`` records (``kind`` an
    :class:`~salesflow.leads.ActivityKind` value); a Lead's own logged
    activities count too, credited to their actor (to the lead's manager
    when logged by ``"system"``). Each lead once: a lead id given twice is
    refused. ``surveys`` are
    ``{"manager" or "lead_id", "score", "at"}`` records: an answer with a
    ``lead_id`` counts for that lead's manager.

    With ``period``: leads created in it (conversion), deals won in it
    (volume, margin, average check), activities and answers at a time in it
    (``at`` is then read). With ``now`` too, a period not over at ``now``
    is flagged ``unfinished``, on the table and on every figure in it; with
    ``now``, a lead, activity or answer dated after it is refused (``at`` is
    then read): see the module docs. A manager's margin needs every won
    deal's cost or none (a partial margin would be wrong); without costs it
    is None.
    ``currency`` states the deals' currency (needed when no deal carries one).

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> kpis = manager_kpis(
    ...     [{"manager": "sam", "won_at": at, "revenue": "1200", "cost": "700", "currency": "EUR"},
    ...      {"manager": "sam", "won_at": None}],
    ...     activities=[{"manager": "sam", "kind": "demo", "at": at}],
    ...     surveys=[{"manager": "sam", "score": 5, "at": at}])
    >>> sam = kpis["sam"]
    >>> sam.sales_volume.value, sam.margin.value, sam.lead_conversion.percent(), sam.meetings.value
    (Money('1200', 'EUR'), Money('500', 'EUR'), '50.0%', Decimal('1'))
    """
    scope = scopes.period_argument(period)
    moment = scopes.optional_now(now)
    code = scopes.currency_argument(currency)
    scale = read.survey_scale("csat_scale", csat_scale)
    tallies: dict[str, _Tally] = {}
    owners: dict[str | int, str | None] = {}
    unassigned = 0

    def tally(manager: str) -> _Tally:
        found = tallies.get(manager)
        if found is None:
            found = tallies[manager] = _Tally()
        return found

    for index, lead, facts in _leads(
        leads, created=scope is not None, manager=True, money=True, now=moment
    ):
        if facts.lead_id is not None:
            if facts.lead_id in owners:
                # A lead twice would count twice, and its surveys would go to
                # whichever copy came last: the result would depend on row order.
                raise InvalidField(
                    read.where(read.row_at("leads", index), "lead_id"),
                    facts.lead_id,
                    "each lead once (this lead id is already given)",
                )
            owners[facts.lead_id] = facts.manager
        if facts.currency is not None:
            code = read.currency(
                read.where(read.row_at("leads", index), "currency"), facts.currency, expected=code
            )
        for event in lead.activities if lead is not None else ():
            # An activity logged by "system" (the default actor) is the lead's
            # manager's; with no manager it is nobody's and is not counted.
            actor = facts.manager if event.actor == SYSTEM else event.actor
            if actor is not None and (scope is None or scope.contains(event.at)):
                _count_activity(tally(actor), event.kind)
        if facts.manager is None:
            unassigned += 1
            continue
        figures = tally(facts.manager)
        if scope is None or scope.contains(facts.created_at):  # type: ignore[arg-type]
            figures.leads += 1
            figures.won += facts.won_at is not None
        if facts.won_at is not None and (scope is None or scope.contains(facts.won_at)):
            figures.deals += 1
            revenue = cast(Decimal, facts.revenue)  # read for every won lead
            figures.revenue = _add(
                figures.revenue, revenue, read.where(read.row_at("leads", index), "revenue")
            )
            if facts.cost is None:
                figures.uncosted = index if figures.uncosted is None else figures.uncosted
            else:
                figures.cost = _add(
                    figures.cost, facts.cost, read.where(read.row_at("leads", index), "cost")
                )
                figures.costed = index if figures.costed is None else figures.costed
            if figures.costed is not None and figures.uncosted is not None:
                raise InvalidField(
                    read.where(read.row_at("leads", figures.uncosted), "cost"),
                    None,
                    f"a cost, like leads[{figures.costed}] of the same manager "
                    f"({facts.manager!r}): a margin needs every won deal's cost, or none",
                )
    for index, row in enumerate(
        read.items("activities", activities, expected="an iterable of items, each a mapping")
    ):
        if not isinstance(row, Mapping):
            raise InvalidType(f"activities[{index}]", row, "a mapping with manager, kind and at")
        manager = _check.text(
            read.where(read.row_at("activities", index), "manager"),
            read.required(read.row_at("activities", index), row, "manager"),
        )
        kind = _activity_kind(index, read.required(read.row_at("activities", index), row, "kind"))
        if not _in_scope("activities", index, row, scope, moment):
            continue
        _count_activity(tally(manager), kind)
    low, high = scale
    for index, row in enumerate(
        read.items("surveys", surveys, expected="an iterable of items, each a mapping")
    ):
        if not isinstance(row, Mapping):
            raise InvalidType(
                f"surveys[{index}]", row, "a mapping with manager or lead_id, score and at"
            )
        owner = _survey_manager(index, row, owners)
        score = read.required(read.row_at("surveys", index), row, "score")
        field = read.where(read.row_at("surveys", index), "score")
        if isinstance(score, bool) or not isinstance(score, int):
            raise InvalidType(field, score, f"a whole number from {low} to {high}")
        if not low <= score <= high:
            raise InvalidField(field, score, f"a whole number from {low} to {high}")
        if not _in_scope("surveys", index, row, scope, moment):
            continue
        if owner is not None:
            tally(owner).scores.append(score)
    if code is None:
        raise InvalidField(
            "currency",
            None,
            "the deals' currency (an ISO 4217 code): no won deal carries one, "
            "and the money KPIs are in a currency",
        )
    unfinished = scopes.unfinished(scope, moment)
    return ManagerKPIs(
        currency=code,
        period=scope,
        managers=tuple(
            _kpi(manager, tallies[manager], code, scope, scale, unfinished)
            for manager in sorted(tallies)
        ),
        unassigned=unassigned,
        unfinished=unfinished,
    )


def _in_scope(
    name: str, index: int, row: Mapping[str, Any], scope: Period | None, now: datetime | None
) -> bool:
    """Whether a record's ``at`` is in ``scope``; read (and checked against ``now``) as needed."""
    if scope is None and now is None:
        return True
    at = read.moment(
        read.where(read.row_at(name, index), "at"),
        read.required(read.row_at(name, index), row, "at"),
    )
    scopes.not_after(now, read.where(read.row_at(name, index), "at"), at, row["at"])
    return scope is None or scope.contains(at)


def _activity_kind(index: int, value: Any) -> ActivityKind:
    try:
        if not isinstance(value, str):  # an enum lookup would hash and compare anything
            raise ValueError(value)
        return ActivityKind(value)
    except ValueError:
        raise InvalidField(
            read.where(read.row_at("activities", index), "kind"),
            value,
            f"an activity kind, one of {', '.join(kind.value for kind in ActivityKind)}",
        ) from None


def _count_activity(figures: _Tally, kind: ActivityKind) -> None:
    if kind in MEETING_KINDS:
        figures.meetings += 1
    elif kind in CALL_KINDS:
        figures.calls += 1


def _survey_manager(
    index: int, row: Mapping[str, Any], owners: dict[str | int, str | None]
) -> str | None:
    if not read.absent(row.get("manager")):
        return _check.text(read.where(read.row_at("surveys", index), "manager"), row["manager"])
    value = row.get("lead_id")
    if read.absent(value):
        raise InvalidField(
            read.where(read.row_at("surveys", index), "manager"),
            None,
            "a manager, or a lead_id of one of the leads",
        )
    lead_id = _lead_id("surveys", index, value)
    if lead_id not in owners:
        raise InvalidField(
            read.where(read.row_at("surveys", index), "lead_id"),
            value,
            f"the id of one of leads ({read.shown_ids(owners)})",
        )
    return owners[lead_id]


def _kpi(
    manager: str,
    figures: _Tally,
    currency: str,
    scope: Period | None,
    scale: tuple[int, int],
    unfinished: bool,
) -> ManagerKPI:
    when = "all time" if scope is None else scope.label
    revenue = Money(figures.revenue, currency)
    margin = None
    if figures.costed is not None:
        cost = Money(figures.cost, currency)
        margin = Amount(
            "margin",
            revenue - cost,
            1,
            variant=f"deals won, {when}",
            formula="revenue of won deals - their cost",
            working=f"{revenue} - {cost}",
            inputs=(("revenue", revenue), ("cost", cost)),
            unfinished=unfinished,
        )
    return ManagerKPI(
        manager=manager,
        sales_volume=Amount(
            "sales volume",
            revenue,
            1,
            variant=f"deals won, {when}",
            formula="sum of revenue of won deals",
            inputs=(("deals won", figures.deals),),
            unfinished=unfinished,
        ),
        margin=margin,
        lead_conversion=Ratio(
            "lead conversion rate",
            figures.won,
            figures.leads,
            variant=f"leads created, {when}",
            formula="won leads / leads",
            denominator_name="leads",
            unfinished=unfinished,
        ),
        average_check=Amount(
            "average check",
            revenue,
            figures.deals,
            variant=f"deals won, {when}",
            formula="revenue of won deals / deals won",
            denominator_name="deals won",
            unfinished=unfinished,
        ),
        meetings=Score(
            "meetings",
            figures.meetings,
            1,
            variant=when,
            formula="activities logged of kind meeting or demo",
            working=str(figures.meetings),
            unfinished=unfinished,
        ),
        calls=Score(
            "calls",
            figures.calls,
            1,
            variant=when,
            formula="activities logged of kind call or intro_call",
            working=str(figures.calls),
            unfinished=unfinished,
        ),
        satisfaction=attrs.evolve(
            csat(figures.scores, scale=scale, variant="mean"), unfinished=unfinished
        ),
    )
