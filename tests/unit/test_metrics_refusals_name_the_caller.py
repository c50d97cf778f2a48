"""Metric and period refusals name the parameter the caller wrote, with its value (issue 10, §5-6).

Where two arguments disagree (an end beyond start + new, two currencies, a
converted id no visitor has), the message names the one that was checked
*and* the one it was checked against, each with its value, so whichever the
caller got wrong is in the message. Result documents whose inputs were edited
are refused for every metric with a rebuilder, and growth roots stay exact and
bounded.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz import samples
from salesflow import InvalidField, Money, Period, PeriodUnit, SalesflowError
from salesflow.metrics import (
    Ratio,
    conversion_rate,
    customer_acquisition_cost,
    manager_kpis,
    retention_rate,
    revenue_growth,
)
from salesflow.metrics._records import OrderRecord
from salesflow.metrics.growth import MAX_GROWTH_MONTHS, GrowthRate, _iroot
from salesflow.metrics.results import result_from_dict


def _refusal(call: Callable[[], Any]) -> str:
    with pytest.raises(SalesflowError) as caught:
        call()
    return str(caught.value)


REFUSALS: dict[str, tuple[Callable[[], Any], str]] = {
    "retention_rate customers_at_start": (
        lambda: retention_rate(customers_at_start=7, new_customers=50, customers_at_end=480),
        "customers_at_start 7",
    ),
    "GrowthRate first": (
        lambda: attrs.evolve(samples.growth(), first=Money("1", "GBP")),
        "first ('GBP')",
    ),
    "OrderRecord amount": (
        lambda: OrderRecord(
            "1", "ada", samples.PLACED, Money("9", "GBP"), discount=Money("1", "EUR")
        ),
        "amount ('GBP')",
    ),
    "customer_acquisition_cost sales_spend": (
        lambda: customer_acquisition_cost(
            sales_spend=Money("1", "GBP"), marketing_spend=Money("3", "EUR"), new_customers=4
        ),
        "sales_spend ('GBP')",
    ),
    "conversion_rate_from_ids visitors": (
        lambda: conversion_rate(visitors=[1], variant="distinct_ids", converted=["b"]),
        "visitors ([1])",
    ),
    "manager_kpis leads": (
        lambda: manager_kpis([], surveys=samples.survey_rows()),
        "leads ([])",
    ),
    "SiteEngagement page_views": (
        lambda: attrs.evolve(samples.site(), page_views=7),
        "page_views (7)",
    ),
    "FunnelStepResult drop_off": (
        lambda: attrs.evolve(samples.shop_funnel().step("add_to_cart"), drop_off=None),
        "drop_off: got None",
    ),
    "CohortTable.cell cohort": (
        lambda: samples.cohort_table().cell("2099-01", 0),
        "cohort: got '2099-01'",
    ),
    "Period start": (
        lambda: Period(
            datetime.min.replace(tzinfo=UTC),
            datetime(2026, 4, 1, tzinfo=UTC),
            unit=PeriodUnit.MONTH,
            zone="UTC",
        ),
        "start (0001-01-01T00:00:00+00:00)",
    ),
    "OrderRecord.from_mapping row": (
        lambda: OrderRecord.from_mapping(7, index=3),
        "rows[3]: row: got 7",
    ),
    "OrderRecord.from_mapping row key": (
        lambda: OrderRecord.from_mapping({"x": 1}, index=3),
        "rows[3]: row.order_id: got None",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_refusal_names_the_parameter_the_caller_wrote_with_its_value(case):
    call, named = REFUSALS[case]

    message = _refusal(call)

    assert named in message


# -- result documents: edited inputs are refused ------------------------------------------------


def _edits(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every edit of a document's inputs: delete, duplicate, retype to text, alter by one."""
    edits = {}
    for index, (name, value) in enumerate(document["inputs"]):
        deleted = copy.deepcopy(document)
        del deleted["inputs"][index]
        edits[f"delete {name}"] = deleted
        doubled = copy.deepcopy(document)
        doubled["inputs"].insert(index, copy.deepcopy(doubled["inputs"][index]))
        edits[f"duplicate {name}"] = doubled
        if isinstance(value, int):
            retyped = copy.deepcopy(document)
            retyped["inputs"][index][1] = str(value)
            edits[f"retype {name}"] = retyped
        if isinstance(value, int) and not name.endswith("left out"):
            # A count left out is reported beside the figures and nothing else in
            # the document determines it, so an edit of its value alone can't be
            # told; its type is still checked (the retype above).
            altered = copy.deepcopy(document)
            altered["inputs"][index][1] = value + 1
            edits[f"alter {name}"] = altered
    for name in ("numerator", "denominator"):
        if isinstance(document[name], int):
            retyped = copy.deepcopy(document)
            retyped[name] = str(document[name])
            edits[f"retype {name}"] = retyped
    return edits


DOCUMENTS = {
    "average order value": lambda: samples.amount().to_dict(),
    "average order value, cancelled included": lambda: samples.average_order_value(
        samples.order_rows(), basis="gross", include_cancelled=True
    ).to_dict(),
    "mean satisfaction": lambda: samples.score().to_dict(),
}

EDITS = [
    (metric, edit)
    for metric, build in sorted(DOCUMENTS.items())
    for edit in sorted(_edits(build()))
]


@pytest.mark.parametrize(("metric", "edit"), EDITS)
def test_a_result_document_with_edited_inputs_is_refused(metric, edit):
    document = DOCUMENTS[metric]()
    assert result_from_dict(document).to_dict() == document

    with pytest.raises(SalesflowError):
        result_from_dict(_edits(document)[edit])


def test_a_result_refuses_two_inputs_with_one_name():
    with pytest.raises(InvalidField, match=r"inputs\[1\]\.name"):
        Ratio("share", 1, 2, variant="v", formula="a / b", inputs=(("b", 2), ("b", 1)))


def test_a_period_document_without_its_unit_is_refused():
    document = samples.march().to_dict()
    del document["unit"]

    with pytest.raises(InvalidField, match="unit"):
        Period.from_dict(document)


# -- growth: exact roots, bounded months ---------------------------------------------------------


@given(value=st.integers(min_value=0, max_value=10**400), degree=st.integers(1, 1300))
def test_the_integer_root_is_the_floor_of_the_true_root(value, degree):
    root = _iroot(value, degree)

    assert root**degree <= value < (root + 1) ** degree


def test_a_growth_rate_over_more_than_a_century_of_months_is_refused():
    growth = samples.growth()

    with pytest.raises(InvalidField, match=rf"months: got {MAX_GROWTH_MONTHS + 1}"):
        attrs.evolve(growth, months=MAX_GROWTH_MONTHS + 1)
    with pytest.raises(InvalidField, match="months: got 'an int of about"):
        attrs.evolve(growth, months=10**30000)


def test_a_growth_rate_at_the_month_limit_is_exact_at_the_most_places():
    first, last = Money("1000", "EUR"), Money("1331", "EUR")

    rate = GrowthRate("g", "v", "f", first, last, MAX_GROWTH_MONTHS, 100)

    root = (Decimal(1331) / Decimal(1000)) ** (Decimal(1) / MAX_GROWTH_MONTHS) - 1
    assert abs(rate.value - root) < Decimal("1E-25")


def test_compound_growth_over_too_many_months_names_the_revenue():
    revenue = {(2000 + m // 12, m % 12 + 1): Money("1", "EUR") for m in range(1202)}

    with pytest.raises(InvalidField, match=r"^revenue: got '2000-01 to 2100-02, 1201 monthly"):
        revenue_growth(revenue, variant="compound_monthly")
