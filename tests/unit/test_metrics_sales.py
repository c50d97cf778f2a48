"""Sales-team metrics: sales cycle, lead conversion, CAC, growth and per-manager KPIs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow import CurrencyMismatch, InvalidField, InvalidType, Money, Period, UndefinedMetric
from salesflow.leads import Lead, LostReason
from salesflow.metrics.cycle import sales_cycle_length
from salesflow.metrics.growth import _iroot, monthly_revenue, revenue_growth
from salesflow.metrics.managers import (
    CALL_KINDS,
    MEETING_KINDS,
    customer_acquisition_cost,
    manager_kpis,
)
from salesflow.metrics.stages import lead_conversion_rate
from salesflow.orders import Customer, Order, OrderLine, SupportContact

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def days(n: float) -> datetime:
    return T0 + timedelta(days=n)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def new_lead(lead_id: str = "L-1", *, actor: str = "system", value: str | None = "1000") -> Lead:
    return Lead.create(
        lead_id=lead_id,
        source="inbound",
        at=T0,
        actor=actor,
        deal_value=None if value is None else eur(value),
    ).lead


def won_lead(lead_id: str = "L-1", *, after: float = 10, closer: str = "bob", **options) -> Lead:
    lead = new_lead(lead_id, **options)
    for step in range(3):
        lead = lead.advance(at=days(step + 1), actor="ann").lead
    return lead.win(at=days(after), actor=closer).lead


# -- sales cycle ----------------------------------------------------------------------------------


def test_the_sales_cycle_is_created_to_won_over_won_leads_only():
    leads = [
        {"created_at": days(0), "won_at": days(10)},
        {"created_at": days(1), "won_at": days(21)},
        {"created_at": days(2), "won_at": days(5)},
        {"created_at": days(3), "won_at": None},
        {"created_at": days(3), "won_at": None, "lost": True},
    ]

    cycle = sales_cycle_length(leads)

    assert cycle.won == 3
    assert cycle.mean == timedelta(days=11)
    assert cycle.median == timedelta(days=10)
    assert (cycle.still_open, cycle.lost) == (1, 1)
    assert repr(cycle) == (
        "<SalesCycle (all leads created): 3 won, mean 11 days, 0:00:00, median 10 days, 0:00:00; "
        "not included: 1 still open, 1 lost>"
    )


def test_the_sales_cycle_of_a_lead_runs_to_its_win_and_lost_leads_are_reported_apart():
    lost = new_lead("L-3").lose(reason=LostReason.BUDGET, at=days(4)).lead

    cycle = sales_cycle_length([won_lead(after=12), new_lead("L-2"), list(lost.history)])

    assert cycle.cycles.spans == (timedelta(days=12),)
    assert (cycle.still_open, cycle.lost) == (1, 1)


def test_a_period_keeps_the_leads_created_in_it():
    leads = [
        {"created_at": "2026-02-27T10:00:00+00:00", "won_at": days(3)},
        {"created_at": days(0), "won_at": days(4)},
    ]

    cycle = sales_cycle_length(leads, period=Period.month(2026, 3, "UTC"))

    assert cycle.cycles.spans == (timedelta(days=4),)
    assert cycle.cycles.variant == "leads created in 2026-03"


def test_no_won_lead_gives_an_undefined_cycle_not_zero():
    cycle = sales_cycle_length([{"created_at": T0, "won_at": None}])

    assert cycle.mean is None
    assert cycle.median is None
    with pytest.raises(UndefinedMetric, match="won leads is 0"):
        cycle.require()
    with pytest.raises(UndefinedMetric):
        sales_cycle_length([], on_empty="raise")


@pytest.mark.parametrize(
    ("row", "field", "error"),
    [
        ({"created_at": days(5), "won_at": days(1)}, "leads[0].won_at", InvalidField),
        ({"created_at": datetime(2026, 3, 2), "won_at": None}, "leads[0].created_at", InvalidType),
        ({"created_at": T0}, "leads[0].won_at", InvalidField),
        ({"won_at": None}, "leads[0].created_at", InvalidField),
        ({"created_at": T0, "won_at": days(1), "lost": True}, "leads[0].lost", InvalidField),
        ({"created_at": T0, "won_at": None, "lost": "no"}, "leads[0].lost", InvalidType),
    ],
)
def test_a_bad_lead_record_is_refused_naming_the_lead_and_the_key(row, field, error):
    with pytest.raises(error) as caught:
        sales_cycle_length([row])

    assert caught.value.field == field


def test_a_tampered_lead_history_is_refused_naming_the_lead_and_the_event():
    history = list(won_lead().history)
    del history[1]  # a version is missing

    with pytest.raises(InvalidField, match=r"leads\[0\]\[1\]\.version"):
        sales_cycle_length([history])
    with pytest.raises(InvalidField, match=r"leads\[0\]\[2\]\.version"):
        sales_cycle_length([list(reversed(history))])  # named where it was given


def test_a_leads_events_in_any_order_are_put_in_version_order():
    lead = won_lead(after=7)

    assert sales_cycle_length([list(reversed(lead.history))]) == sales_cycle_length([lead])


def test_a_lead_document_is_read_like_the_lead():
    lead = won_lead(after=7)

    assert sales_cycle_length([lead.to_dict()]).mean == timedelta(days=7)


# -- lead conversion ---------------------------------------------------------------------------


def test_lead_conversion_is_won_leads_over_leads():
    leads = [won_lead("a"), new_lead("b"), new_lead("c"), {"won_at": days(2)}]

    result = lead_conversion_rate(leads)

    assert result.fraction == Fraction(1, 2)
    assert result.formula == "won leads / leads"


def test_the_qualified_variant_divides_by_leads_ever_qualified():
    qualified_won = new_lead("a").qualify(at=days(1), actor="ann").lead
    qualified_won = qualified_won.fast_track(at=days(1), actor="ann").lead
    qualified_won = qualified_won.win(at=days(3), actor="ann").lead
    qualified_open = new_lead("b").qualify(at=days(1), actor="ann").lead
    leads = [qualified_won, qualified_open, won_lead("c"), {"won_at": None, "qualified": False}]

    result = lead_conversion_rate(leads, variant="qualified")

    assert (result.numerator, result.denominator) == (1, 2)
    assert result.variant == "all qualified leads created"
    assert lead_conversion_rate(leads).fraction == Fraction(2, 4)


def test_the_qualified_variant_needs_the_qualified_key_of_records():
    with pytest.raises(InvalidField, match=r"leads\[0\]\.qualified"):
        lead_conversion_rate([{"won_at": None}], variant="qualified")


def test_lead_conversion_in_a_period_counts_leads_created_in_it():
    leads = [
        {"created_at": days(0), "won_at": days(40)},
        {"created_at": days(1), "won_at": None},
        {"created_at": days(-10), "won_at": days(1)},
    ]

    result = lead_conversion_rate(leads, period=Period.month(2026, 3, "UTC"))

    assert (result.numerator, result.denominator) == (1, 2)


def test_lead_conversion_refuses_an_unknown_variant_and_is_undefined_without_leads():
    with pytest.raises(InvalidField, match="variant"):
        lead_conversion_rate([], variant="customers")
    assert lead_conversion_rate([]).percent() == "undefined"
    with pytest.raises(UndefinedMetric, match="leads is 0"):
        lead_conversion_rate([], on_empty="raise")


# -- CAC ------------------------------------------------------------------------------------------


def test_cac_is_all_acquisition_spend_over_new_customers():
    result = customer_acquisition_cost(
        sales_spend=eur("6000"),
        marketing_spend=eur("3000"),
        overhead_spend=eur("1000"),
        new_customers=40,
    )

    assert result.value == eur("250")
    assert result.variant == "sales + marketing + overhead"
    assert dict(result.inputs)["new customers"] == 40


def test_cac_without_overhead_says_so():
    result = customer_acquisition_cost(
        sales_spend=eur("600"), marketing_spend=eur("300"), new_customers=3
    )

    assert result.value == eur("300")
    assert result.variant == "sales + marketing, no overhead given"


def test_cac_for_no_new_customers_is_undefined_not_a_division_by_zero():
    result = customer_acquisition_cost(
        sales_spend=eur("600"), marketing_spend=eur("300"), new_customers=0
    )

    assert result.value is None
    with pytest.raises(UndefinedMetric, match="new customers is 0"):
        result.require()


@pytest.mark.parametrize(
    ("kwargs", "field", "error"),
    [
        ({"sales_spend": 600.0}, "sales_spend", InvalidType),
        ({"marketing_spend": eur("-1")}, "marketing_spend", InvalidField),
        ({"overhead_spend": Money("5", "USD")}, "overhead_spend.currency", CurrencyMismatch),
        ({"new_customers": -1}, "new_customers", InvalidField),
        ({"new_customers": 2.0}, "new_customers", InvalidType),
    ],
)
def test_bad_cac_inputs_are_refused_naming_them(kwargs, field, error):
    options = {"sales_spend": eur("600"), "marketing_spend": eur("300"), "new_customers": 3}

    with pytest.raises(error) as caught:
        customer_acquisition_cost(**{**options, **kwargs})

    assert caught.value.field == field


# -- monthly revenue and growth -----------------------------------------------------------------


def test_monthly_revenue_groups_orders_by_calendar_month_in_the_zone_and_fills_gaps():
    rows = [
        {
            "placed_at": datetime(2026, 1, 31, 23, 30, tzinfo=UTC),
            "amount": "100",
            "currency": "EUR",
        },
        {
            "placed_at": datetime(2026, 4, 2, tzinfo=UTC),
            "amount": "40",
            "discount": "10",
            "currency": "EUR",
        },
        {
            "placed_at": datetime(2026, 4, 3, tzinfo=UTC),
            "amount": "70",
            "currency": "EUR",
            "status": "cancelled",
        },
    ]

    months = monthly_revenue(rows, zone="Europe/Berlin")
    gross = monthly_revenue(rows, zone="UTC", basis="gross")

    assert {m.label: money for m, money in months.items()} == {
        "2026-02": eur("100"),
        "2026-03": eur("0"),
        "2026-04": eur("30"),
    }
    assert [m.label for m in gross] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert gross[Period.month(2026, 4, "UTC")] == eur("40")


def test_monthly_revenue_reads_orders_as_well_as_records():
    order = Order.place(
        number="1",
        customer=Customer("c", "Ada"),
        lines=[OrderLine("MUG", "Mug", 3, eur("5"))],
        estimated_delivery=T0.date(),
        support=SupportContact(email="help@shop.example"),
        at=T0,
    ).order

    assert monthly_revenue([order], zone="UTC") == {Period.month(2026, 3, "UTC"): eur("15")}


def test_month_over_month_growth_is_this_month_minus_last_over_last_per_month():
    revenue = {
        Period.month(2026, 1, "UTC"): eur("1000"),
        Period.month(2026, 3, "UTC"): eur("900"),
        Period.month(2026, 2, "UTC"): eur("1200"),
    }

    growth = revenue_growth(revenue)

    assert [g.variant for g in growth] == ["2026-02 vs 2026-01", "2026-03 vs 2026-02"]
    assert [g.fraction for g in growth] == [Fraction(1, 5), Fraction(-1, 4)]
    assert growth[1].percent() == "-25.0%"


def test_growth_after_a_month_without_revenue_is_undefined():
    growth = revenue_growth({(2026, 1): eur("0"), (2026, 2): eur("50")})

    assert not growth[0].defined
    with pytest.raises(UndefinedMetric, match="revenue 2026-01 is 0"):
        revenue_growth({(2026, 1): eur("0"), (2026, 2): eur("50")}, on_empty="raise")


def test_a_single_month_has_no_month_over_month_growth():
    assert revenue_growth({(2026, 1): eur("10")}) == ()


@pytest.mark.parametrize(
    ("revenue", "field", "error"),
    [
        ({(2026, 1): eur("1"), (2026, 3): eur("2")}, "revenue", InvalidField),
        (
            {(2026, 1): eur("1"), Period.month(2026, 1, "UTC"): eur("2")},
            "revenue[2026-01]",
            InvalidField,
        ),
        (
            {Period.month(2026, 1, "UTC"): eur("1"), Period.month(2026, 2, "Asia/Tokyo"): eur("2")},
            "revenue[2026-02]",
            InvalidField,
        ),
        (
            {(2026, 1): eur("1"), (2026, 2): Money("2", "USD")},
            "revenue[2026-02].currency",
            CurrencyMismatch,
        ),
        ({(2026, 1): 100}, "revenue[2026-01]", InvalidType),
        ({(2026, 1): eur("-5")}, "revenue[2026-01]", InvalidField),
        ({(2026, 13): eur("1")}, "revenue", InvalidField),
        ({"2026-01": eur("1")}, "revenue", InvalidField),
        ({Period.quarter(2026, 1, "UTC"): eur("1")}, "revenue", InvalidField),
        ([eur("1")], "revenue", InvalidType),
    ],
)
def test_bad_monthly_revenue_is_refused_naming_it(revenue, field, error):
    with pytest.raises(error) as caught:
        revenue_growth(revenue)

    assert caught.value.field == field


def test_a_missing_month_is_named_in_the_refusal():
    with pytest.raises(InvalidField, match=r"2026-02.*missing"):
        revenue_growth({(2026, 1): eur("1"), (2026, 3): eur("2")}, variant="compound_monthly")


def test_compound_monthly_growth_is_exact_when_the_root_is():
    revenue = {
        (2026, 1): eur("1000"),
        (2026, 2): eur("1080"),
        (2026, 3): eur("1190"),
        (2026, 4): eur("1331"),
    }

    rate = revenue_growth(revenue, variant="compound_monthly")

    assert rate.value == Decimal("0.1")
    assert rate.value_is_exact
    assert rate.months == 3
    assert rate.percent() == "10.0%"


def test_an_irrational_compound_growth_is_rounded_to_the_stated_places_and_says_so():
    revenue = {(2026, 1): eur("100"), (2026, 2): eur("120"), (2026, 3): eur("200")}

    rate = revenue_growth(revenue, variant="compound_monthly", places=20)

    assert rate.value == Decimal("0.41421356237309504880")  # sqrt(2) - 1
    assert not rate.value_is_exact
    assert rate.percent(3) == "41.421%"
    assert rate.percent(2, ROUND_UP) == "41.43%"
    assert "≈ 0.4142135624" in repr(rate)


def test_a_falling_compound_growth_rounds_toward_and_away_from_zero_as_asked():
    rate = revenue_growth(
        {(2026, 1): eur("200"), (2026, 2): eur("150"), (2026, 3): eur("100")},
        variant="compound_monthly",
    )

    # 1/sqrt(2) - 1 = -0.29289321881...
    assert rate.percent(1) == "-29.3%"
    assert rate.percent(1, ROUND_DOWN) == "-29.2%"
    assert rate.percent(1, ROUND_FLOOR) == "-29.3%"
    assert rate.percent(1, ROUND_CEILING) == "-29.2%"


def test_compound_growth_is_undefined_for_one_month_or_a_first_month_of_zero():
    one = revenue_growth({(2026, 1): eur("100")}, variant="compound_monthly")
    from_zero = revenue_growth(
        {(2026, 1): eur("0"), (2026, 2): eur("100")}, variant="compound_monthly"
    )

    assert one.value is None
    assert one.percent() == "undefined"
    assert from_zero.value is None
    with pytest.raises(UndefinedMetric, match="first month's revenue"):
        from_zero.require()
    with pytest.raises(UndefinedMetric, match="months of growth"):
        revenue_growth({(2026, 1): eur("100")}, variant="compound_monthly", on_empty="raise")


def test_compound_growth_refuses_bad_places_and_no_months():
    with pytest.raises(InvalidField, match="places"):
        revenue_growth({(2026, 1): eur("1")}, variant="compound_monthly", places=-1)
    with pytest.raises(InvalidField, match="revenue"):
        revenue_growth({}, variant="compound_monthly")
    with pytest.raises(InvalidField, match="rounding"):
        revenue_growth(
            {(2026, 1): eur("1"), (2026, 2): eur("2")}, variant="compound_monthly"
        ).percent(1, "up")


# -- per-manager KPIs -------------------------------------------------------------------------------


def kpi_rows():
    return [
        {
            "lead_id": 1,
            "manager": "ann",
            "created_at": days(0),
            "won_at": days(5),
            "revenue": "1200",
            "cost": "700",
            "currency": "EUR",
        },
        {
            "lead_id": 2,
            "manager": "ann",
            "created_at": days(1),
            "won_at": days(9),
            "revenue": "800",
            "cost": "500",
            "currency": "EUR",
        },
        {"lead_id": 3, "manager": "ann", "created_at": days(2), "won_at": None},
        {
            "lead_id": 4,
            "manager": "bob",
            "created_at": days(2),
            "won_at": days(3),
            "revenue": "300",
            "currency": "EUR",
        },
        {"lead_id": 5, "manager": "bob", "created_at": days(2), "won_at": None},
    ]


def test_manager_kpis_from_records():
    activities = [
        {"manager": "ann", "kind": "meeting", "at": T0},
        {"manager": "ann", "kind": "demo", "at": T0},
        {"manager": "ann", "kind": "call", "at": T0},
        {"manager": "bob", "kind": "intro_call", "at": T0},
        {"manager": "bob", "kind": "email", "at": T0},
    ]
    surveys = [
        {"lead_id": 1, "score": 5},
        {"lead_id": 2, "score": 4},
        {"manager": "bob", "score": 2},
    ]

    kpis = manager_kpis(kpi_rows(), activities=activities, surveys=surveys)

    ann, bob = kpis["ann"], kpis["bob"]
    assert list(kpis) == ["ann", "bob"]
    assert ann.sales_volume.value == eur("2000")
    assert ann.margin.value == eur("800")
    assert ann.lead_conversion.fraction == Fraction(2, 3)
    assert ann.average_check.value == eur("1000")
    assert (ann.meetings.value, ann.calls.value) == (2, 1)
    assert ann.satisfaction.value == Decimal("4.5")
    assert bob.margin is None
    assert (bob.meetings.value, bob.calls.value) == (0, 1)
    assert bob.satisfaction.value == 2


def test_a_leads_manager_is_the_closer_of_a_won_lead_or_its_latest_person():
    won = won_lead("a", closer="bob")  # ann advanced it, bob won it
    worked = new_lead("b").advance(at=days(1), actor="cy").lead
    untouched = new_lead("c")
    activity = new_lead("d", actor="dee").log_activity(kind="demo", at=days(1), actor="eve").lead

    kpis = manager_kpis([won, worked, untouched, activity])

    assert list(kpis) == ["bob", "cy", "eve"]
    assert kpis["bob"].sales_volume.value == eur("1000")
    assert kpis["cy"].lead_conversion.fraction == 0
    assert kpis["eve"].meetings.value == 1
    assert kpis.unassigned == 1
    assert kpis.currency == "EUR"


def test_a_lead_won_by_the_system_actor_is_credited_to_the_person_who_worked_it():
    lead = won_lead("a", closer="system")  # ann advanced it; an automation recorded the win

    kpis = manager_kpis([lead])

    assert list(kpis) == ["ann"]
    assert kpis["ann"].sales_volume.value == eur("1000")
    assert kpis["ann"].lead_conversion.fraction == 1


def test_activities_logged_by_the_system_count_for_the_leads_manager_not_a_system_manager():
    worked = new_lead("a").advance(at=days(1), actor="ann").lead
    worked = worked.log_activity(kind="demo", at=days(2)).lead  # logged by "system"
    nobodys = new_lead("b").log_activity(kind="call", at=days(2)).lead

    kpis = manager_kpis([worked, nobodys], currency="EUR")

    assert list(kpis) == ["ann"]
    assert kpis["ann"].meetings.value == 1
    assert kpis.unassigned == 1


def test_a_lead_given_twice_to_the_manager_kpis_is_refused():
    rows = kpi_rows()
    rows[4]["lead_id"] = 1

    with pytest.raises(InvalidField, match="each lead once") as caught:
        manager_kpis(rows)

    assert caught.value.field == "leads[4].lead_id"


class MissingTime(datetime):
    """What a DataFrame writes for a missing time (pandas' NaT): naive, and not equal to itself."""

    def __new__(cls):
        return super().__new__(cls, 1970, 1, 1)

    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return True

    __hash__ = datetime.__hash__


def test_dataframe_gaps_in_lead_records_mean_none():
    gap = float("nan")
    rows = [
        {
            "lead_id": 1,
            "manager": "ann",
            "created_at": T0,
            "won_at": days(4),
            "revenue": "500",
            "cost": gap,
            "currency": "EUR",
            "lost": gap,
        },
        {
            "lead_id": 2,
            "manager": "ann",
            "created_at": T0,
            "won_at": MissingTime(),
            "revenue": gap,
            "cost": gap,
            "currency": gap,
            "lost": True,
        },
    ]

    cycle = sales_cycle_length(rows)
    kpis = manager_kpis(rows)

    assert (cycle.won, cycle.still_open, cycle.lost) == (1, 0, 1)
    assert lead_conversion_rate(rows).fraction == Fraction(1, 2)
    assert kpis["ann"].margin is None
    assert (
        manager_kpis(rows, surveys=[{"manager": gap, "lead_id": 1, "score": 5}])[
            "ann"
        ].satisfaction.value
        == 5
    )


def test_a_won_lead_without_a_deal_value_is_refused_for_the_sales_volume():
    with pytest.raises(InvalidField, match=r"leads\[0\]\.deal_value"):
        manager_kpis([won_lead(value=None)])


def test_a_margin_needs_the_cost_of_every_won_deal_of_the_manager_or_none():
    rows = kpi_rows()
    del rows[1]["cost"]

    with pytest.raises(InvalidField) as caught:
        manager_kpis(rows)

    assert caught.value.field == "leads[1].cost"


def test_a_period_filters_each_kpi_by_its_own_time():
    rows = kpi_rows()
    activities = [{"manager": "ann", "kind": "call", "at": days(40)}]
    surveys = [{"manager": "ann", "score": 1, "at": days(40)}]

    kpis = manager_kpis(
        rows, activities=activities, surveys=surveys, period=Period.week(T0.date(), "UTC")
    )

    ann = kpis["ann"]
    assert ann.sales_volume.value == eur("1200")  # won on day 5; the day-9 win is next week
    assert ann.lead_conversion.fraction == Fraction(2, 3)  # all created this week
    assert ann.calls.value == 0
    assert not ann.satisfaction.defined


def test_the_kpi_table_rounds_once_and_marks_what_is_missing():
    kpis = manager_kpis(kpi_rows(), currency="EUR")

    lines = kpis.format().splitlines()

    assert lines[0] == "Manager KPIs (all time, amounts in EUR, rounded ROUND_HALF_EVEN)"
    assert lines[2].split() == [
        "ann",
        "3",
        "2",
        "66.7%",
        "2000.00",
        "1000.00",
        "800.00",
        "0",
        "0",
        "undefined",
    ]
    assert lines[3].split()[6] == "-"
    assert kpis.to_records()[1]["margin"] is None


def test_manager_kpis_answer_membership_lookups():
    kpis = manager_kpis(kpi_rows())

    assert "ann" in kpis
    assert "zed" not in kpis
    assert kpis.get("zed") is None
    with pytest.raises(InvalidField, match="known: ann, bob"):
        kpis["zed"]


def test_kpis_without_any_deal_need_the_currency_stated():
    rows = [{"manager": "ann", "won_at": None}]

    with pytest.raises(InvalidField, match="currency"):
        manager_kpis(rows)

    kpis = manager_kpis(rows, currency="GBP")
    assert kpis["ann"].sales_volume.value == Money("0", "GBP")
    assert not kpis["ann"].average_check.defined


@pytest.mark.parametrize(
    ("kwargs", "field", "error"),
    [
        ({"surveys": [{"manager": "ann", "score": 6}]}, "surveys[0].score", InvalidField),
        ({"surveys": [{"manager": "ann", "score": 4.5}]}, "surveys[0].score", InvalidType),
        ({"surveys": [{"lead_id": 99, "score": 4}]}, "surveys[0].lead_id", InvalidField),
        ({"surveys": [{"score": 4}]}, "surveys[0].manager", InvalidField),
        ({"activities": [{"manager": "ann", "kind": "lunch"}]}, "activities[0].kind", InvalidField),
        ({"activities": [{"kind": "call"}]}, "activities[0].manager", InvalidField),
        ({"csat_scale": (5, 1)}, "csat_scale", InvalidField),
        ({"currency": "EURO"}, "currency", InvalidField),
    ],
)
def test_bad_kpi_inputs_are_refused_naming_them(kwargs, field, error):
    with pytest.raises(error) as caught:
        manager_kpis(kpi_rows(), **kwargs)

    assert caught.value.field == field


def test_kpi_deals_in_mixed_currencies_are_refused():
    rows = kpi_rows()
    rows[3]["currency"] = "USD"

    with pytest.raises(CurrencyMismatch, match=r"leads\[3\]\.currency"):
        manager_kpis(rows)


def test_the_activity_kinds_counted_as_meetings_and_calls_are_stated():
    assert {kind.value for kind in MEETING_KINDS} == {"meeting", "demo"}
    assert {kind.value for kind in CALL_KINDS} == {"call", "intro_call"}


# -- laws against straightforward references ------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)


@st.composite
def lead_rows(draw):
    created = draw(instants)
    won = draw(st.one_of(st.none(), st.timedeltas(timedelta(0), timedelta(days=90))))
    return {
        "lead_id": draw(st.integers(0, 10**6)),
        "manager": draw(st.sampled_from(["ann", "bob", "cy"])),
        "created_at": created,
        "won_at": None if won is None else created + won,
        "lost": won is None and draw(st.booleans()),
        "qualified": draw(st.booleans()),
        "revenue": draw(st.decimals(min_value=0, max_value=10_000, places=2)),
        "currency": "EUR",
    }


def reference_median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@given(
    st.lists(lead_rows(), max_size=40, unique_by=lambda row: row["lead_id"]),
    st.randoms(use_true_random=False),
)
def test_the_sales_cycle_agrees_with_a_reference_and_ignores_the_order_of_leads(rows, rng):
    shuffled = list(rows)
    rng.shuffle(shuffled)

    cycle = sales_cycle_length(shuffled)

    spans = [row["won_at"] - row["created_at"] for row in rows if row["won_at"] is not None]
    assert cycle.won == len(spans)
    assert cycle.still_open + cycle.lost + cycle.won == len(rows)
    assert cycle.lost == sum(row["lost"] for row in rows)
    if spans:
        assert cycle.mean == sum(spans, timedelta(0)) / len(spans)
        assert cycle.median == reference_median(spans)
        assert cycle.cycles.shortest <= cycle.median <= cycle.cycles.longest
    assert cycle == sales_cycle_length(rows)


@given(
    st.lists(lead_rows(), max_size=40, unique_by=lambda row: row["lead_id"]),
    st.sampled_from(["leads", "qualified"]),
    st.integers(0, 40),
)
def test_lead_conversion_agrees_with_a_reference_stays_within_0_and_1_and_adds_up(
    rows, variant, cut
):
    result = lead_conversion_rate(rows, variant=variant)
    first = lead_conversion_rate(rows[:cut], variant=variant)
    second = lead_conversion_rate(rows[cut:], variant=variant)

    counted = [row for row in rows if variant == "leads" or row["qualified"]]
    won = [row for row in counted if row["won_at"] is not None]
    assert (result.numerator, result.denominator) == (len(won), len(counted))
    assert result.fraction is None or 0 <= result.fraction <= 1
    assert result.numerator == first.numerator + second.numerator
    assert result.denominator == first.denominator + second.denominator


@given(
    st.lists(lead_rows(), min_size=1, max_size=40, unique_by=lambda row: row["lead_id"]),
    st.randoms(use_true_random=False),
    st.integers(0, 40),
)
def test_kpis_agree_with_a_reference_ignore_the_order_and_add_up_across_batches(rows, rng, cut):
    shuffled = list(rows)
    rng.shuffle(shuffled)

    kpis = manager_kpis(rows, currency="EUR")
    parts = [manager_kpis(rows[:cut], currency="EUR"), manager_kpis(rows[cut:], currency="EUR")]

    assert manager_kpis(shuffled, currency="EUR") == kpis
    for manager, kpi in kpis.items():
        mine = [row for row in rows if row["manager"] == manager]
        won = [row for row in mine if row["won_at"] is not None]
        revenue = sum((row["revenue"] for row in won), Decimal(0))
        assert kpi.sales_volume.value == Money(revenue, "EUR")
        assert (kpi.lead_conversion.numerator, kpi.lead_conversion.denominator) == (
            len(won),
            len(mine),
        )
        assert kpi.average_check.fraction == (Fraction(revenue) / len(won) if won else None)
        assert kpi.sales_volume.numerator == sum(
            (part[manager].sales_volume.numerator for part in parts if manager in part),
            Money.zero("EUR"),
        )


months_of_revenue = st.lists(
    st.decimals(min_value=0, max_value=10**6, places=2), min_size=1, max_size=24
)


def as_revenue(amounts, start=(2025, 11)):
    year, month = start
    revenue = {}
    for amount in amounts:
        revenue[(year, month)] = eur(str(amount))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return revenue


@given(months_of_revenue, st.randoms(use_true_random=False))
def test_month_over_month_growth_agrees_with_a_reference_whatever_the_mapping_order(amounts, rng):
    items = list(as_revenue(amounts).items())
    rng.shuffle(items)

    growth = revenue_growth(dict(items))

    assert len(growth) == len(amounts) - 1
    for result, last, this in zip(growth, amounts, amounts[1:], strict=False):
        expected = None if last == 0 else (Fraction(this) - Fraction(last)) / Fraction(last)
        assert result.fraction == expected


@given(months_of_revenue, st.integers(0, 30))
def test_compound_growth_is_the_true_root_rounded_half_even_to_the_stated_places(amounts, places):
    rate = revenue_growth(as_revenue(amounts), variant="compound_monthly", places=places)

    first, last, months = Fraction(amounts[0]), Fraction(amounts[-1]), len(amounts) - 1
    if months == 0 or first == 0:
        assert rate.value is None
        return
    ratio, half = last / first, Fraction(1, 2 * 10**places)
    root = 1 + Fraction(rate.value)
    assert max(root - half, 0) ** months <= ratio <= (root + half) ** months
    assert rate.value_is_exact == (root**months == ratio)


@given(months_of_revenue, st.integers(0, 6))
def test_a_floor_and_a_ceiling_percentage_bracket_the_true_growth(amounts, places):
    rate = revenue_growth(as_revenue(amounts), variant="compound_monthly")
    if rate.value is None:
        return

    low = Fraction(Decimal(rate.percent(places, ROUND_FLOOR)[:-1])) / 100
    high = Fraction(Decimal(rate.percent(places, ROUND_CEILING)[:-1])) / 100

    ratio, months = Fraction(amounts[-1]) / Fraction(amounts[0]), len(amounts) - 1
    assert (1 + low) ** months <= ratio <= (1 + high) ** months
    assert high - low <= Fraction(1, 100 * 10**places)


@given(st.integers(0, 10**60), st.integers(1, 12))
def test_the_integer_root_is_the_floor_of_the_true_root(value, degree):
    root = _iroot(value, degree)

    assert root**degree <= value < (root + 1) ** degree


def test_revenue_growth_names_an_unknown_variant_and_checks_places_in_both():
    revenue = {(2026, 1): eur("100"), (2026, 2): eur("110")}

    with pytest.raises(InvalidField) as caught:
        revenue_growth(revenue, variant="yearly")
    assert caught.value.field == "variant"
    with pytest.raises(InvalidField) as caught:
        revenue_growth(revenue, places=-1)
    assert caught.value.field == "places"
    assert revenue_growth(revenue, variant="compound_monthly").percent() == "10.0%"
