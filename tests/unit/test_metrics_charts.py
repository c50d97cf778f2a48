"""Charts: ``to_vega_lite()`` gives a plain Vega-Lite v5 dict, ``to_altair()`` its Altair chart."""

from __future__ import annotations

import builtins
import json
import pickle
from datetime import UTC, datetime, timedelta

import pytest

from salesflow import Money, SalesflowError
from salesflow._durations import Durations
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads import LeadStage
from salesflow.metrics import cohort_retention
from salesflow.metrics.funnel import Funnel
from salesflow.metrics.growth import MonthlyRevenue, monthly_revenue
from salesflow.metrics.orders import TIMED_STATUSES, StatusTimes
from salesflow.metrics.stages import LeadStageTimes

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
NOW = datetime(2026, 2, 20, tzinfo=UTC)


def order(order_id, customer_id, day):
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "placed_at": day,
        "amount": "10",
        "currency": "EUR",
    }


def cohort_table():
    # January: a and b (a comes back in February); February: c. February is not over at NOW.
    rows = [
        order(1, "a", datetime(2026, 1, 5, tzinfo=UTC)),
        order(2, "b", datetime(2026, 1, 6, tzinfo=UTC)),
        order(3, "a", datetime(2026, 2, 6, tzinfo=UTC)),
        order(4, "c", datetime(2026, 2, 7, tzinfo=UTC)),
    ]
    return cohort_retention(rows, zone="UTC", now=NOW)


def tiny_funnel():
    return Funnel(("visit", "buy"), (4, 1), None)


def spans(name, *days, ongoing=0):
    return Durations(
        "time in status",
        name,
        "the order's time in the status",
        [timedelta(days=d) for d in days],
        counted="orders",
        ongoing=ongoing,
    )


def status_times():
    statuses = [spans(status.value) for status in TIMED_STATUSES]
    statuses[0] = spans("received", 1, 2, ongoing=1)  # mean 1.5 days, median 1.5
    statuses[1] = spans("processing", 0.5, 1, 3)  # mean 1.5 days, median 1
    return StatusTimes(NOW, 2, None, tuple(statuses))


def stage_times():
    stages = []
    for stage in LeadStage:
        days = (2, 4) if stage is LeadStage.AWARENESS else ()
        stages.append(
            Durations("time in stage", stage.value, "the lead's time", [timedelta(d) for d in days])
        )
    return LeadStageTimes(NOW, 2, tuple(stages))


def duration_tooltip(field, label):
    return [
        {"field": field, "type": "nominal", "title": label},
        {"field": "count", "type": "quantitative", "title": "Count"},
        {"field": "ongoing", "type": "quantitative", "title": "Still in it"},
        {"field": "mean_days", "type": "quantitative", "title": "Mean days", "format": ".2f"},
        {"field": "median_days", "type": "quantitative", "title": "Median days", "format": ".2f"},
    ]


def test_the_cohort_heatmap_is_cohort_by_months_since_coloured_by_retention():
    assert cohort_table().to_vega_lite() == {
        "$schema": SCHEMA,
        "title": {
            "text": "Cohort retention by first-purchase month in UTC",
            "subtitle": "outlined: month not ended at 2026-02-20T00:00:00+00:00",
        },
        "data": {
            "values": [
                {"cohort": "2026-01", "offset": 0, "month": "2026-01", "customers": 2,
                 "active": 2, "retention": 1.0, "partial": False},
                {"cohort": "2026-01", "offset": 1, "month": "2026-02", "customers": 2,
                 "active": 1, "retention": 0.5, "partial": True},
                {"cohort": "2026-02", "offset": 0, "month": "2026-02", "customers": 1,
                 "active": 1, "retention": 1.0, "partial": True},
            ]
        },
        "mark": {"type": "rect", "tooltip": True, "strokeWidth": 1.5},
        "encoding": {
            "x": {"field": "offset", "type": "ordinal", "title": "Months since first purchase"},
            "y": {
                "field": "cohort",
                "type": "ordinal",
                "title": "Cohort",
                "sort": ["2026-01", "2026-02"],
            },
            "color": {
                "field": "retention",
                "type": "quantitative",
                "title": "Retention",
                "scale": {"domain": [0, 1]},
                "legend": {"format": ".0%"},
            },
            "stroke": {"condition": {"test": "datum.partial", "value": "#222222"}, "value": None},
            "tooltip": [
                {"field": "cohort", "type": "ordinal", "title": "Cohort"},
                {"field": "month", "type": "ordinal", "title": "Month"},
                {"field": "offset", "type": "ordinal", "title": "Months since"},
                {"field": "customers", "type": "quantitative", "title": "Customers"},
                {"field": "active", "type": "quantitative", "title": "Active"},
                {"field": "retention", "type": "quantitative", "title": "Retention",
                 "format": ".1%"},
                {"field": "partial", "type": "nominal", "title": "Month not ended"},
            ],
        },
    }  # fmt: skip


def test_the_heatmap_has_a_plain_title_when_no_month_is_partial():
    rows = [
        order(1, "a", datetime(2026, 1, 5, tzinfo=UTC)),
        order(2, "a", datetime(2026, 2, 5, tzinfo=UTC)),
    ]

    spec = cohort_retention(rows, zone="UTC").to_vega_lite()  # no now: no month is partial

    assert spec["title"] == "Cohort retention by first-purchase month in UTC"
    assert [row["partial"] for row in spec["data"]["values"]] == [False, False]


def test_the_funnel_chart_has_one_bar_per_step_in_step_order():
    assert tiny_funnel().to_vega_lite() == {
        "$schema": SCHEMA,
        "title": "Funnel (strict order, no window): 4 entered",
        "data": {
            "values": [
                {"step": "visit", "position": 0, "reached": 4, "from_entry": 1.0,
                 "conversion": None},
                {"step": "buy", "position": 1, "reached": 1, "from_entry": 0.25,
                 "conversion": 0.25},
            ]
        },
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "step", "type": "nominal", "sort": ["visit", "buy"], "title": "Step"},
            "y": {"field": "reached", "type": "quantitative", "title": "Reached"},
            "tooltip": [
                {"field": "step", "type": "nominal", "title": "Step"},
                {"field": "reached", "type": "quantitative", "title": "Reached"},
                {"field": "from_entry", "type": "quantitative", "title": "From entry",
                 "format": ".1%"},
                {"field": "conversion", "type": "quantitative", "title": "Step conversion",
                 "format": ".1%"},
            ],
        },
    }  # fmt: skip


def test_time_in_status_is_a_bar_of_mean_days_per_status_in_lifecycle_order():
    names = [status.value for status in TIMED_STATUSES]
    empty = {"count": 0, "ongoing": 0, "mean_days": None, "median_days": None}
    assert status_times().to_vega_lite() == {
        "$schema": SCHEMA,
        "title": "Time in each order status (all orders placed, 2 orders)",
        "data": {
            "values": [
                {"status": "received", "count": 2, "ongoing": 1, "mean_days": 1.5,
                 "median_days": 1.5},
                {"status": "processing", "count": 3, "ongoing": 0, "mean_days": 1.5,
                 "median_days": 1.0},
                *({"status": name, **empty} for name in names[2:]),
            ]
        },
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "status", "type": "nominal", "sort": names, "title": "Status"},
            "y": {"field": "mean_days", "type": "quantitative", "title": "Mean days"},
            "tooltip": duration_tooltip("status", "Status"),
        },
    }  # fmt: skip


def test_time_in_lead_stage_is_a_bar_of_mean_days_per_stage_in_stage_order_resting_ones_grey():
    names = [stage.value for stage in LeadStage]
    empty = {"count": 0, "ongoing": 0, "mean_days": None, "median_days": None}
    open_, resting = "open: still worked", "resting: won or lost"
    assert stage_times().to_vega_lite() == {
        "$schema": SCHEMA,
        "title": "Time in lead stage across 2 leads at 2026-02-20T00:00:00+00:00",
        "data": {
            "values": [
                {"stage": "awareness", "count": 2, "ongoing": 0, "mean_days": 3.0,
                 "median_days": 3.0, "kind": open_},
                *({"stage": name, **empty, "kind": open_} for name in names[1:4]),
                *({"stage": name, **empty, "kind": resting} for name in names[4:]),
            ]
        },
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "stage", "type": "nominal", "sort": names, "title": "Stage"},
            "y": {"field": "mean_days", "type": "quantitative", "title": "Mean days"},
            "color": {
                "field": "kind",
                "type": "nominal",
                "title": "Stage",
                "scale": {"domain": [open_, resting], "range": ["#4c78a8", "#bab0ac"]},
                "legend": {"orient": "bottom"},
            },
            "tooltip": duration_tooltip("stage", "Stage"),
        },
    }  # fmt: skip


def revenue():
    return MonthlyRevenue(
        {
            (2026, 1): Money("100", "EUR"),
            (2026, 2): Money("0", "EUR"),
            (2026, 3): Money("50.5", "EUR"),
        }
    )


def test_monthly_revenue_is_a_bar_per_month_with_its_growth_in_the_tooltip():
    assert revenue().to_vega_lite() == {
        "$schema": SCHEMA,
        "title": "Monthly revenue (EUR)",
        "data": {
            "values": [
                {"month": "2026-01", "revenue": 100.0, "currency": "EUR", "growth": None},
                {"month": "2026-02", "revenue": 0.0, "currency": "EUR", "growth": -1.0},
                # growth after a month of zero revenue is undefined
                {"month": "2026-03", "revenue": 50.5, "currency": "EUR", "growth": None},
            ]
        },
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "month",
                "type": "ordinal",
                "title": "Month",
                "sort": ["2026-01", "2026-02", "2026-03"],
            },
            "y": {"field": "revenue", "type": "quantitative", "title": "Revenue"},
            "tooltip": [
                {"field": "month", "type": "ordinal", "title": "Month"},
                {"field": "revenue", "type": "quantitative", "title": "Revenue",
                 "format": ",.2f"},
                {"field": "currency", "type": "nominal", "title": "Currency"},
                {"field": "growth", "type": "quantitative", "title": "Growth", "format": ".1%"},
            ],
        },
    }  # fmt: skip


def test_monthly_revenue_returns_the_charting_dict_equal_to_a_plain_one():
    rows = [
        order(1, "a", datetime(2026, 1, 5, tzinfo=UTC)),
        order(2, "a", datetime(2026, 2, 5, tzinfo=UTC)),
    ]
    months = monthly_revenue(rows, zone="UTC")
    assert isinstance(months, MonthlyRevenue)
    assert months == {month: Money("10", "EUR") for month in months}
    assert [row["month"] for row in months.to_vega_lite()["data"]["values"]] == [
        "2026-01",
        "2026-02",
    ]
    assert MonthlyRevenue().to_vega_lite()["data"] == {"values": []}


def test_monthly_revenue_is_checked_when_built_and_when_drawn():
    with pytest.raises(InvalidType, match=r"^revenue: got 5"):
        MonthlyRevenue(5)
    with pytest.raises(InvalidField, match=r"^revenue: got '2026-02'"):
        MonthlyRevenue({(2026, 1): Money("1", "EUR"), (2026, 3): Money("1", "EUR")})
    months = revenue()
    months[(2026, 5)] = Money("1", "EUR")  # a plain dict: the caller may change it
    with pytest.raises(InvalidField, match=r"^revenue: got '2026-04'"):
        months.to_vega_lite()


CHARTED = [cohort_table, tiny_funnel, status_times, stage_times, revenue]


@pytest.mark.parametrize("build", CHARTED)
def test_every_spec_is_json_and_the_same_on_every_call(build):
    first, second = build().to_vega_lite(), build().to_vega_lite()
    assert json.dumps(first, allow_nan=False) == json.dumps(second, allow_nan=False)
    assert json.loads(json.dumps(first)) == first


def test_user_strings_pass_through_as_data():
    steps = ('say "hi"', "</script><b>")
    spec = Funnel(steps, (2, 1), None).to_vega_lite()
    assert [row["step"] for row in spec["data"]["values"]] == list(steps)
    assert json.loads(json.dumps(spec))["encoding"]["x"]["sort"] == list(steps)


@pytest.mark.parametrize("build", CHARTED)
def test_every_spec_is_valid_vega_lite_and_to_altair_gives_its_chart(build):
    altair = pytest.importorskip("altair")
    table = build()
    altair.Chart.from_dict(table.to_vega_lite(), validate=True)  # raises when invalid
    chart = table.to_altair()
    assert isinstance(chart, altair.Chart)
    drawn, spec = chart.to_dict(), table.to_vega_lite()
    assert drawn["encoding"] == spec["encoding"]
    assert drawn["datasets"][drawn["data"]["name"]] == spec["data"]["values"]


@pytest.mark.parametrize("build", CHARTED)
def test_to_altair_without_altair_says_which_extra_to_install(build, monkeypatch):
    real_import = builtins.__import__

    def no_altair(name, *args, **kwargs):
        if name == "altair" or name.startswith("altair."):
            raise ImportError("No module named 'altair'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_altair)
    with pytest.raises(SalesflowError, match=r"pip install 'salesflow\[viz\]'") as caught:
        build().to_altair()
    assert isinstance(caught.value, ImportError)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (type(copy), str(copy)) == (type(caught.value), str(caught.value))
