"""Supported ranges of metrics and periods: outside them, a SalesflowError naming the parameter, fast."""

from __future__ import annotations

import signal
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial

import attrs
import pytest

from salesflow import InvalidField, Money, Period
from salesflow._results import MAX_PLACES
from salesflow.errors import SalesflowError
from salesflow.metrics import (
    Ratio,
    Score,
    churn_rate,
    clv,
    cohort_retention,
    customer_summary,
    nps,
    retention_rate,
    revenue_growth,
)
from salesflow.metrics.cohorts import Cohort, CohortCell
from salesflow.metrics.cycle import SalesCycle
from salesflow.metrics.funnel import FunnelStepResult
from salesflow.metrics.managers import ManagerKPI
from salesflow.metrics.summary import CustomerSummary

MAX = datetime.max.replace(tzinfo=UTC)
MIN = datetime.min.replace(tzinfo=UTC)
T = datetime(2026, 3, 2, 9, tzinfo=UTC)
ROWS = [
    {"order_id": "1", "customer_id": "a", "placed_at": T, "amount": "5", "currency": "EUR"},
    {
        "order_id": "2",
        "customer_id": "a",
        "placed_at": T + timedelta(days=3),
        "amount": "7",
        "currency": "EUR",
    },
]


@contextmanager
def within(seconds: int = 10):
    """A liveness guard: the call must come back (this is not a speed test)."""

    def stop(*_):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# -- dates at the edges -------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Europe/Berlin", "UTC", "America/New_York"])
@pytest.mark.parametrize("moment", [MAX, MIN])
@pytest.mark.parametrize("unit", ["day", "week", "month", "quarter"])
def test_the_period_containing_an_edge_of_time_is_refused_naming_at(zone, moment, unit):
    with pytest.raises(InvalidField) as caught:
        Period.containing(moment, unit, zone)

    assert caught.value.field == "at"


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin"])
def test_a_period_whose_bounds_cannot_be_read_in_its_zone_is_refused(zone):
    start, end = (
        (MIN, datetime(2000, 1, 1, tzinfo=UTC))
        if zone.startswith("America")
        else (datetime(2000, 1, 1, tzinfo=UTC), MAX)
    )

    with pytest.raises(InvalidField) as caught:
        Period(start, end, zone=zone)

    assert caught.value.field in ("start", "end")


def test_a_period_from_the_first_instant_in_utc_still_prints_and_round_trips():
    period = Period(MIN, datetime(2000, 1, 1, tzinfo=UTC))

    assert Period.from_dict(period.to_dict()) == period
    assert repr(period).startswith("<Period [0001-01-01")


def test_a_series_that_would_leave_the_calendar_is_refused_naming_count_at_once():
    with within(), pytest.raises(InvalidField) as caught:
        Period.month(2026, 1, "UTC").series(10**30)

    assert caught.value.field == "count"


@pytest.mark.parametrize(
    ("metric", "zone"),
    [
        (customer_summary, "Europe/Berlin"),  # now reads as year 10000 there
        (cohort_retention, "Europe/Berlin"),
        (cohort_retention, "UTC"),  # its month, December 9999, is past the calendar
    ],
)
def test_now_at_the_end_of_time_is_refused_naming_now(metric, zone):
    with pytest.raises(InvalidField) as caught:
        metric(ROWS, now=MAX, zone=zone)

    assert caught.value.field == "now"


def test_customer_summary_with_now_at_the_end_of_time_in_utc_works():
    summary = customer_summary(ROWS, now=MAX)

    assert summary["a"].orders == 2


# -- huge and tiny numbers ------------------------------------------------------------------------

EURO = Money("50", "EUR")
DECIMAL_CALLS = [
    (
        clv,
        {
            "average_order_value": EURO,
            "purchase_frequency": 4,
            "lifespan": 3,
            "lifespan_unit": "years",
        },
        ["purchase_frequency", "lifespan"],
    ),
    (clv, {"arpu": EURO, "churn_rate": Decimal("0.05")}, ["churn_rate"]),
    (
        clv,
        {"arpu": EURO, "churn_rate": Decimal("0.05"), "margin": Decimal("0.5")},
        ["margin"],
    ),
    (
        partial(churn_rate, variant="customer_days"),
        {"customers_lost": 3, "customer_days": 1500, "days": 30},
        ["customer_days", "days"],
    ),
]
OUT_OF_RANGE = [
    Decimal("1E+999999"),
    Decimal("1E-999999"),
    Decimal("1E+30"),
    Decimal("1E-31"),
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("-1E+999999"),
]


@pytest.mark.parametrize(("metric", "arguments", "names"), DECIMAL_CALLS)
@pytest.mark.parametrize("bad", OUT_OF_RANGE, ids=str)
def test_decimals_outside_the_supported_range_are_refused_naming_the_parameter(
    metric, arguments, names, bad
):
    for name in names:
        with within(), pytest.raises(InvalidField) as caught:
            metric(**{**arguments, name: bad})

        assert caught.value.field == name


@pytest.mark.parametrize(
    "edge", [Decimal("9" * 30), Decimal("1E-30"), Decimal("0." + "9" * 30)], ids=str
)
def test_decimals_at_the_edge_of_the_range_are_taken(edge):
    with within():
        result = churn_rate(variant="customer_days", customers_lost=3, customer_days=edge, days=30)

    assert result.to_dict()["denominator"] == str(edge)


def test_counts_from_10_to_the_30_are_refused_and_just_below_taken():
    with pytest.raises(InvalidField):
        retention_rate(customers_at_start=10**30, new_customers=0, customers_at_end=0)

    assert retention_rate(
        customers_at_start=10**30 - 1, new_customers=0, customers_at_end=1
    ).defined


def test_a_count_too_long_to_print_is_refused_with_a_message_that_prints():
    with pytest.raises(InvalidField) as caught:
        retention_rate(customers_at_start=10**5000, new_customers=0, customers_at_end=0)

    assert "digits" in str(caught.value)


def test_a_customer_summary_with_an_amount_out_of_range_is_refused_at_construction():
    with pytest.raises(InvalidField) as caught:
        CustomerSummary("a", T, T, 2, timedelta(0), Decimal("1E+999999"), Decimal("1"), "EUR")

    assert caught.value.field == "total_amount"


# -- decimal places for display -----------------------------------------------------------------

ROUNDERS = {
    "Ratio.percent": lambda places: retention_rate(
        customers_at_start=3, new_customers=0, customers_at_end=1
    ).percent(places),
    "Score.rounded": lambda places: nps([9, 3, 7]).rounded(places),
    "Score.text": lambda places: nps([9, 3, 7]).text(places),
    "CohortTable.format": lambda places: cohort_retention(ROWS, zone="UTC").format(places),
    "empty CohortTable.format": lambda places: cohort_retention([], zone="UTC").format(places),
    "compound_monthly_growth_rate": lambda places: revenue_growth(
        {
            (2026, 1): Money("100", "EUR"),
            (2026, 2): Money("110", "EUR"),
            (2026, 3): Money("121", "EUR"),
        },
        variant="compound_monthly",
        places=places,
    ),
    "GrowthRate.percent": lambda places: revenue_growth(
        {
            (2026, 1): Money("100", "EUR"),
            (2026, 2): Money("110", "EUR"),
            (2026, 3): Money("121", "EUR"),
        },
        variant="compound_monthly",
    ).percent(places),
}


@pytest.mark.parametrize("name", ROUNDERS)
@pytest.mark.parametrize(
    "places", [MAX_PLACES + 1, 10**30, 10**5000], ids=["101", "1e30", "1e5000"]
)
def test_more_decimal_places_than_supported_are_refused_at_once(name, places):
    with within(), pytest.raises(InvalidField) as caught:
        ROUNDERS[name](places)

    assert caught.value.field == "places"


@pytest.mark.parametrize("name", ROUNDERS)
def test_the_most_decimal_places_supported_are_given(name):
    with within():
        ROUNDERS[name](MAX_PLACES)


# -- result and record types refuse garbage at construction ----------------------------------

BUILT = {
    "Ratio": lambda: Ratio("m", 1, 2, variant="v", formula="a / b"),
    "Score": lambda: Score("m", 1, 2, variant="v", formula="a / b", signed=True),
    "CohortCell": lambda: CohortCell(
        Period.month(2026, 1, "UTC"), 1, Period.month(2026, 2, "UTC"), 3, 1, False
    ),
    "Cohort": lambda: Cohort(Period.month(2026, 1, "UTC"), 3, ()),
    "CustomerSummary": lambda: CustomerSummary(
        "a", T, T, 2, timedelta(0), Decimal("3"), Decimal("1"), "EUR"
    ),
}


@pytest.mark.parametrize("name", BUILT)
def test_a_record_type_refuses_none_in_every_field_at_construction(name):
    good = BUILT[name]()
    for field in attrs.fields(type(good)):
        if not field.init:
            continue
        with pytest.raises(SalesflowError):
            attrs.evolve(good, **{field.name.lstrip("_"): None})


@pytest.mark.parametrize("cls", [CohortCell, FunnelStepResult, ManagerKPI, SalesCycle, Score])
def test_the_issue_types_built_from_nones_raise_a_salesflow_error(cls):
    fields = [field for field in attrs.fields(cls) if field.init]
    positional = [field for field in fields if not field.kw_only]

    with pytest.raises(SalesflowError):
        cls(*([None] * len(positional)))
