"""Sales-team economics: per-manager KPIs and customer acquisition cost.

Leads come in any shape the lead reader takes (see docs/metrics.md, "The lead inputs").

>>> from salesflow import Money
>>> from salesflow.metrics.managers import customer_acquisition_cost
>>> customer_acquisition_cost(sales_spend=Money("600", "EUR"), marketing_spend=Money("400", "EUR"),
...                           new_customers=4).value
Money('250', 'EUR')
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, ClassVar, Final, cast

import attrs

from salesflow import _check
from salesflow._frames_out import Columns, records_to_frame
from salesflow._results import (
    Amount,
    OnEmpty,
    Ratio,
    Score,
    check_places,
    check_rounding,
    instance_field,
    settle,
)
from salesflow._tables import html_record, html_table, text_table
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType
from salesflow.leads import ActivityKind
from salesflow.metrics._framed.managers import (
    Figures,
    framed_manager_figures,
    tables_given,
)
from salesflow.metrics._kpi_reading import activity_kind, credits, in_scope, survey_manager
from salesflow.metrics._read.fields import currency as currency_code
from salesflow.metrics._read.fields import (
    items,
    required,
    row_at,
    shown_ids,
    survey_scale,
    where,
    whole_number,
)
from salesflow.metrics._read.frames import rows_only
from salesflow.metrics._read.leads import lead_rows
from salesflow.metrics._read.orders import sum_exact
from salesflow.metrics._read.scope import (
    currency_argument,
    optional_now,
    period_argument,
    unfinished,
)
from salesflow.metrics.surveys import csat
from salesflow.money import Money
from salesflow.periods import Period

__all__ = [
    "CALL_KINDS",
    "MEETING_KINDS",
    "ManagerKPI",
    "ManagerKPIs",
    "customer_acquisition_cost",
    "manager_kpis",
]

MEETING_KINDS: Final = frozenset({ActivityKind.MEETING, ActivityKind.DEMO})
"""Activity kinds counted as meetings: meetings and demos."""

CALL_KINDS: Final = frozenset({ActivityKind.CALL, ActivityKind.INTRO_CALL})
"""Activity kinds counted as calls: calls and intro calls."""


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
    customers = whole_number("new_customers", new_customers, minimum=0)
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

    _repr_html_ = html_record

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


def _count(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)


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

    COLUMNS: ClassVar[Columns] = (
        ("manager", "text"),
        ("leads", "int"),
        ("won", "int"),
        ("lead_conversion", "decimal"),
        ("sales_volume", "decimal"),
        ("average_check", "decimal"),
        ("margin", "decimal"),
        ("meetings", "int"),
        ("calls", "int"),
        ("satisfaction", "decimal"),
        ("currency", "text"),
    )
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

    currency: str = attrs.field(validator=lambda _i, _a, value: currency_code("currency", value))
    period: Period | None = attrs.field(validator=lambda _i, _a, value: period_argument(value))
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

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The KPIs as a DataFrame of ``backend``: "pandas", "polars" or "pyarrow".

        One row per manager, the columns of :meth:`to_records`, in order and typed (undefined
        figures null). Decimals stay exact (a decimal128 column) unless ``money="float"`` makes them
        float64, inexact, for plotting, ``describe()`` and ``qcut``. Needs the library
        (:class:`~salesflow.errors.MissingExtra` names the extra to install); see docs/metrics.md
        ("In a notebook").
        """
        return records_to_frame(
            self.to_records(),
            columns=self.COLUMNS,
            backend=backend,
            money=money,
        )

    def format(self, places: int = 1, rounding: str = ROUND_HALF_EVEN) -> str:
        """The KPIs as a text table, one row per manager.

        Money is rounded to the currency's minor unit, shares to ``places``
        as percentages and the mean CSAT to two places, all with
        ``rounding``, here and only here. ``-`` marks a margin without cost
        data, ``undefined`` an empty denominator. A period not over is said
        in the heading.
        """
        places = check_places(places)
        rounding = check_rounding(rounding)
        lines = [self._heading(rounding)]
        lines += text_table([_KPI_HEADER, *self._rows(places, rounding)])
        lines += self._notes()
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return html_table(
            kind="manager-kpis",
            caption=self._heading(ROUND_HALF_EVEN),
            header=_KPI_HEADER,
            rows=self._rows(1, ROUND_HALF_EVEN),
            notes=self._notes(),
        )

    def _heading(self, rounding: str) -> str:
        return f"Manager KPIs ({self._scope()}, amounts in {self.currency}, rounded {rounding})"

    def _notes(self) -> list[str]:
        notes = [] if self.managers else ["(no managers)"]
        if self.unassigned:
            notes.append(f"{self.unassigned} lead(s) without a manager left out")
        return notes

    def _rows(self, places: int, rounding: str) -> list[tuple[str, ...]]:
        rows: list[tuple[str, ...]] = []
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
        return rows

    def _scope(self) -> str:
        if self.period is None:
            return "all time"
        return self.period.label + (", period not over" if self.unfinished else "")

    def __repr__(self) -> str:
        return f"<ManagerKPIs {len(self.managers)} managers ({self._scope()}, {self.currency})>"


_KPI_HEADER: Final = (
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
        self.scores: dict[int, int] = {}  # score -> answers

    @classmethod
    def of(cls, figures: Figures) -> _Tally:
        """The tally of a manager's figures taken in an engine (a cost index only says
        whether there was a costed deal: the refusal of a partial margin is made there)."""
        tally = cls()
        tally.leads, tally.won, tally.deals = figures.leads, figures.won, figures.deals
        tally.meetings, tally.calls = figures.meetings, figures.calls
        tally.revenue, tally.cost, tally.scores = figures.revenue, figures.cost, figures.scores
        tally.costed = 0 if figures.costed else None
        return tally


def manager_kpis(
    leads: Any = (),
    *,
    activities: Any = (),
    surveys: Any = (),
    period: Period | None = None,
    now: datetime | None = None,
    currency: str | None = None,
    csat_scale: tuple[int, int] = (1, 5),
    ownerships: Iterable[Any] | None = None,
    columns: Mapping[str, str] | None = None,
    activity_columns: Mapping[str, str] | None = None,
    survey_columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
    amount_scale: int | None = None,
    amount_rounding: str | None = None,
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

    ``leads`` come in any shape of the lead inputs (docs/metrics.md). A
    lead's manager is :attr:`Lead.manager <salesflow.leads.Lead.manager>`
    (the closer of its win, else its latest person), or a record's
    ``manager``. With ``ownerships`` (routing's
    :class:`~salesflow.routing.Ownership` records, one per lead at most),
    the manager of a lead that has one is the person routing credits its
    sale to, :attr:`Ownership.sales_credit <salesflow.routing.Ownership.sales_credit>`
    (its closer, else its one-tier manager; none yet: the lead has no
    manager); a record with an ownership may then leave out ``manager``, and
    an ownership of a lead not given is refused. A won lead's revenue is its deal value or the record's
    ``revenue``, its cost the record's ``cost``. ``activities`` are
    ``{"manager", "kind", "at"}`` records (``kind`` an
    :class:`~salesflow.leads.ActivityKind` value); a Lead's own logged
    activities count too, credited to their actor (to the lead's manager
    when logged by ``"system"``: :meth:`Lead.credited_activities
    <salesflow.leads.Lead.credited_activities>`). Each lead once: a lead id given twice is
    refused. ``surveys`` are
    ``{"manager" or "lead_id", "score", "at"}`` records: an answer with a
    ``lead_id`` counts for that lead's manager.

    With ``period``: leads created in it (conversion), deals won in it
    (volume, margin, average check), activities and answers at a time in it
    (``at`` is then read). With ``now`` too, a period not over at ``now``
    is flagged ``unfinished``, on the table and on every figure in it; with
    ``now``, a lead, activity or answer dated after it is refused (``at`` is
    then read): see docs/metrics.md. A manager's margin needs every won
    deal's cost or none (a partial margin would be wrong); without costs it
    is None.
    ``currency`` states the deals' currency (needed when no deal carries one).

    ``leads``, ``activities`` and ``surveys`` may be tables instead (the
    ``frames`` extra: pandas, polars, pyarrow, DuckDB, Spark), their
    records' keys as columns; tables and records do not mix in one call.
    Each manager's sums are taken in the engine (38-digit decimals, at the
    column's scale) and the result is the same :class:`ManagerKPIs`; a row
    is refused as a record would be, naming the column (``leads['cost']``).
    Answers by ``lead_id`` are joined to the leads table (one engine).
    ``columns``, ``activity_columns`` and ``survey_columns`` map the keys to
    each table's columns; ``naive_zone``, ``amount_scale`` and
    ``amount_rounding`` read naive times and float money (docs/frames.md).
    ``ownerships`` is for records: with tables, put the credited manager in
    the leads' ``manager`` column.

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
    scope = period_argument(period)
    moment = optional_now(now)
    code = currency_argument(currency)
    scale = survey_scale("csat_scale", csat_scale)
    if tables_given(leads, activities, surveys):
        if ownerships is not None:
            raise InvalidField(
                "ownerships",
                ownerships,
                "None with tables: put the manager routing credits in the leads' manager column",
            )
        figures, unassigned, code = framed_manager_figures(
            leads,
            activities,
            surveys,
            period=scope,
            now=moment,
            currency=code,
            scale=scale,
            columns=columns,
            activity_columns=activity_columns,
            survey_columns=survey_columns,
            naive_zone=naive_zone,
            amount_scale=amount_scale,
            amount_rounding=amount_rounding,
        )
        tallies = {manager: _Tally.of(found) for manager, found in figures.items()}
    else:
        rows_only(
            {
                "columns": columns,
                "activity_columns": activity_columns,
                "survey_columns": survey_columns,
                "naive_zone": naive_zone,
                "amount_scale": amount_scale,
                "amount_rounding": amount_rounding,
            }
        )
        tallies, unassigned, code = _record_tallies(
            leads, activities, surveys, scope, moment, code, scale, ownerships
        )
    if code is None:
        raise InvalidField(
            "currency",
            None,
            "the deals' currency (an ISO 4217 code): no won deal carries one, "
            "and the money KPIs are in a currency",
        )
    late = unfinished(scope, moment)
    return ManagerKPIs(
        currency=code,
        period=scope,
        managers=tuple(
            _kpi(manager, tallies[manager], code, scope, scale, late) for manager in sorted(tallies)
        ),
        unassigned=unassigned,
        unfinished=late,
    )


def _record_tallies(
    leads: Iterable[Any],
    activities: Iterable[Mapping[str, Any]],
    surveys: Iterable[Mapping[str, Any]],
    scope: Period | None,
    moment: datetime | None,
    code: str | None,
    scale: tuple[int, int],
    ownerships: Iterable[Any] | None,
) -> tuple[dict[str, _Tally], int, str | None]:
    """Each manager's running figures over the records, the leads without a manager and
    the deals' currency (``code`` as stated, or taken from the first won deal)."""
    credit = credits(ownerships)
    tallies: dict[str, _Tally] = {}
    owners: dict[str | int, str | None] = {}
    unassigned = 0

    def tally(manager: str) -> _Tally:
        found = tallies.get(manager)
        if found is None:
            found = tallies[manager] = _Tally()
        return found

    rows = lead_rows(
        leads, created=scope is not None, manager=True, owned=credit, money=True, now=moment
    )
    for lead in rows:
        index = lead.index
        if lead.lead_id is not None:
            if lead.lead_id in credit:
                lead.manager = credit[lead.lead_id]
            owners[lead.lead_id] = lead.manager
        if lead.currency is not None:
            code = currency_code(
                where(row_at("leads", index), "currency"), lead.currency, expected=code
            )
        if lead.lead is not None:
            for actor, event in lead.lead.credited_activities(manager=lead.manager):
                if scope is None or scope.contains(event.at):
                    _count_activity(tally(actor), event.kind)
        if lead.manager is None:
            unassigned += 1
            continue
        figures = tally(lead.manager)
        if scope is None or scope.contains(lead.created_at):  # type: ignore[arg-type]
            figures.leads += 1
            figures.won += lead.won_at is not None
        if lead.won_at is not None and (scope is None or scope.contains(lead.won_at)):
            figures.deals += 1
            revenue = cast(Decimal, lead.revenue)  # read for every won lead
            figures.revenue = sum_exact(
                figures.revenue, revenue, where(row_at("leads", index), "revenue")
            )
            if lead.cost is None:
                figures.uncosted = index if figures.uncosted is None else figures.uncosted
            else:
                figures.cost = sum_exact(
                    figures.cost, lead.cost, where(row_at("leads", index), "cost")
                )
                figures.costed = index if figures.costed is None else figures.costed
            if figures.costed is not None and figures.uncosted is not None:
                raise InvalidField(
                    where(row_at("leads", figures.uncosted), "cost"),
                    None,
                    f"a cost, like leads[{figures.costed}] of the same manager "
                    f"({lead.manager!r}): a margin needs every won deal's cost, or none",
                )
    for lead_key, index in credit.positions.items():
        if lead_key not in owners:
            raise InvalidField(
                f"ownerships[{index}].lead_id",
                lead_key,
                f"the id of one of leads ({shown_ids(owners)})",
            )
    for index, row in enumerate(
        items("activities", activities, expected="an iterable of items, each a mapping")
    ):
        if not isinstance(row, Mapping):
            raise InvalidType(f"activities[{index}]", row, "a mapping with manager, kind and at")
        manager = _check.text(
            where(row_at("activities", index), "manager"),
            required(row_at("activities", index), row, "manager"),
        )
        kind = activity_kind(index, required(row_at("activities", index), row, "kind"))
        if not in_scope("activities", index, row, scope, moment):
            continue
        _count_activity(tally(manager), kind)
    low, high = scale
    for index, row in enumerate(
        items("surveys", surveys, expected="an iterable of items, each a mapping")
    ):
        if not isinstance(row, Mapping):
            raise InvalidType(
                f"surveys[{index}]", row, "a mapping with manager or lead_id, score and at"
            )
        owner = survey_manager(index, row, owners)
        score = required(row_at("surveys", index), row, "score")
        field = where(row_at("surveys", index), "score")
        if isinstance(score, bool) or not isinstance(score, int):
            raise InvalidType(field, score, f"a whole number from {low} to {high}")
        if not low <= score <= high:
            raise InvalidField(field, score, f"a whole number from {low} to {high}")
        if not in_scope("surveys", index, row, scope, moment):
            continue
        if owner is not None:
            scores = tally(owner).scores
            scores[score] = scores.get(score, 0) + 1
    return tallies, unassigned, code


def _count_activity(figures: _Tally, kind: ActivityKind) -> None:
    if kind in MEETING_KINDS:
        figures.meetings += 1
    elif kind in CALL_KINDS:
        figures.calls += 1


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
            csat(counts=figures.scores, scale=scale, variant="mean"), unfinished=unfinished
        ),
    )
