"""No silent misreads: what analysts pass (Series, numpy integers) is read as meant, or refused."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType, Money
from salesflow.metrics import (
    churn_rate,
    clv,
    conversion_rate,
    csat,
    customer_acquisition_cost,
    customer_summary,
    nps,
    purchase_frequency,
    repeat_purchase_rate,
    retention_rate,
)

counts_per_customer = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3), st.integers(1, 6), min_size=1
)


# -- a Series of counts per customer ---------------------------------------------------------


def test_purchase_frequency_of_a_series_of_counts_per_customer_is_orders_per_customer():
    counts = pd.Series({"a": 1, "b": 3, "c": 2})

    assert purchase_frequency(orders_per_customer=counts).value == 2


def test_repeat_purchase_rate_of_a_series_of_counts_per_customer_counts_repeat_customers():
    counts = pd.Series({"a": 1, "b": 3, "c": 2})

    assert repeat_purchase_rate(orders_per_customer=counts).fraction == pytest.approx(2 / 3)
    assert (
        repeat_purchase_rate(orders_per_customer=counts).numerator,
        repeat_purchase_rate(orders_per_customer=counts).denominator,
    ) == (
        2,
        3,
    )


@settings(max_examples=60, deadline=None)
@given(counts=counts_per_customer)
def test_a_series_a_dict_and_one_id_per_order_give_the_same_purchase_metrics(counts):
    ids = [customer for customer, count in counts.items() for _ in range(count)]
    series = pd.Series(counts)
    value_counts = pd.Series(ids).value_counts()
    grouped = pd.DataFrame({"customer_id": ids}).groupby("customer_id").size()

    for metric in (purchase_frequency, repeat_purchase_rate):
        expected = metric(orders_per_customer=counts)
        assert metric(orders_per_customer=series) == expected
        assert metric(orders_per_customer=value_counts) == expected
        assert metric(orders_per_customer=grouped) == expected
        assert metric(customer_ids=ids) == expected
        assert metric(customer_ids=pd.Series(ids)) == expected
        assert metric(customer_ids=pd.Series(ids).tolist()) == expected


@pytest.mark.parametrize("metric", [purchase_frequency, repeat_purchase_rate])
def test_a_series_indexed_by_position_is_refused_as_counts_per_customer(metric):
    column = pd.Series([7, 8, 7])  # customer ids 7, 8, 7, or counts for customers 0, 1, 2?

    with pytest.raises(InvalidType) as caught:
        metric(orders_per_customer=column)

    assert caught.value.field == "orders_per_customer"
    assert ".tolist()" in str(caught.value)
    assert ".to_dict()" in str(caught.value)


@pytest.mark.parametrize("metric", [purchase_frequency, repeat_purchase_rate])
def test_counts_per_customer_given_as_customer_ids_are_refused_naming_the_other_keyword(metric):
    with pytest.raises(InvalidType) as caught:
        metric(customer_ids={"a": 2, "b": 1})

    assert caught.value.field == "customer_ids"
    assert "orders_per_customer=" in str(caught.value)


@pytest.mark.parametrize("metric", [purchase_frequency, repeat_purchase_rate])
def test_customer_ids_given_as_counts_per_customer_are_refused_naming_the_other_keyword(metric):
    with pytest.raises(InvalidType) as caught:
        metric(orders_per_customer=["a", "b", "a"])

    assert caught.value.field == "orders_per_customer"
    assert "customer_ids=" in str(caught.value)


@pytest.mark.parametrize("metric", [nps, csat, functools.partial(csat, variant="mean")])
def test_survey_scores_read_a_column_and_refuse_an_indexed_series(metric):
    column = pd.Series([5, 4, 1])
    by_respondent = pd.Series({"ada": 5, "bob": 4, "cy": 1})

    assert metric(column) == metric([5, 4, 1])
    with pytest.raises(InvalidType) as caught:
        metric(by_respondent)
    assert caught.value.field == "scores"


def test_csat_from_counts_reads_a_series_of_answers_per_score():
    answers = pd.Series([5, 5, 4, 2]).value_counts()

    assert csat(counts=answers) == csat(counts={5: 2, 4: 1, 2: 1})


@pytest.mark.parametrize(
    "metric",
    [
        lambda ids: retention_rate(variant="ids", at_start=ids, at_end=["a"]),
        lambda ids: churn_rate(variant="ids", at_start=ids, at_end=["a"]),
        lambda ids: conversion_rate(visitors=ids, variant="distinct_ids", converted=[]),
    ],
)
def test_id_sets_read_a_column_and_refuse_counts_per_id(metric):
    assert metric(pd.Series(["a", "b"])) == metric(["a", "b"])
    with pytest.raises(InvalidType):
        metric(pd.Series(["a", "b"]).value_counts())
    with pytest.raises(InvalidType):
        metric({"a": 1, "b": 1})


# -- numpy integers -------------------------------------------------------------------------------

COUNT_CALLS = [
    (purchase_frequency, {"order_count": 6, "customers": 3}),
    (repeat_purchase_rate, {"repeat_customers": 1, "customers": 3}),
    (retention_rate, {"customers_at_start": 500, "new_customers": 50, "customers_at_end": 480}),
    (churn_rate, {"customers_at_start": 500, "customers_lost": 20}),
    (
        partial(churn_rate, variant="average_customers"),
        {"customers_at_start": 500, "customers_at_end": 480, "customers_lost": 20},
    ),
    (
        partial(churn_rate, variant="customer_days"),
        {"customers_lost": 3, "customer_days": 1500, "days": 30},
    ),
    (conversion_rate, {"conversions": 30, "visitors": 1200}),
    (nps, {"promoters": 30, "passives": 50, "detractors": 20}),
    (
        customer_acquisition_cost,
        {
            "sales_spend": Money("6000", "EUR"),
            "marketing_spend": Money("3000", "EUR"),
            "new_customers": 40,
        },
    ),
    (
        clv,
        {
            "average_order_value": Money("50", "EUR"),
            "purchase_frequency": 4,
            "lifespan": 3,
            "lifespan_unit": "years",
        },
    ),
]


@pytest.mark.parametrize(("metric", "arguments"), COUNT_CALLS)
@pytest.mark.parametrize("scalar", [np.int64, np.int32, np.uint16])
def test_numpy_integer_counts_give_the_same_result_as_ints(metric, arguments, scalar):
    for name, value in arguments.items():
        if type(value) is not int:
            continue
        given_numpy = {**arguments, name: scalar(value)}

        assert metric(**given_numpy) == metric(**arguments)


@pytest.mark.parametrize(("metric", "arguments"), COUNT_CALLS)
@pytest.mark.parametrize("bad", [True, np.True_, 2.0, np.float64(2.0)])
def test_bools_and_floats_are_refused_as_counts_naming_the_parameter(metric, arguments, bad):
    for name, value in arguments.items():
        if type(value) is not int:
            continue
        with pytest.raises(InvalidType) as caught:
            metric(**{**arguments, name: bad})

        assert caught.value.field == name


def test_numpy_integer_ids_are_the_same_customers_as_ints():
    start = datetime(2026, 1, 5, 12, tzinfo=UTC)
    rows = [
        {
            "order_id": np.int64(index),
            "customer_id": np.int64(index % 2),
            "placed_at": start + timedelta(days=index),
            "amount": np.int64(10),
            "currency": "EUR",
        }
        for index in range(4)
    ]
    plain = [
        {**row, "order_id": int(row["order_id"]), "customer_id": int(row["customer_id"])}
        for row in rows
    ]

    summary = customer_summary(rows, now=start + timedelta(days=9))

    assert summary == customer_summary(plain, now=start + timedelta(days=9))
    assert list(summary) == [0, 1]
    assert all(type(key) is int for key in summary)
    assert purchase_frequency(customer_ids=np.array([1, 2, 1])) == purchase_frequency(
        customer_ids=[1, 2, 1]
    )
    assert retention_rate(variant="ids", at_start=np.array([1, 2]), at_end=[1]) == (
        retention_rate(variant="ids", at_start=[1, 2], at_end=[1])
    )
    assert nps(np.array([9, 10, 3])) == nps([9, 10, 3])


# -- mutants that survived in metrics/customers.py -----------------------------------------------


def test_purchase_frequency_from_counts_accepts_as_many_orders_as_customers():
    assert purchase_frequency(order_count=3, customers=3).value == 1


def test_purchase_frequency_from_counts_refuses_fewer_orders_than_customers():
    with pytest.raises(InvalidField) as caught:
        purchase_frequency(order_count=2, customers=3)

    assert caught.value.field == "order_count"


@pytest.mark.parametrize("frequency", [Decimal("0.5"), Decimal("0.01"), Decimal("0.999")])
def test_historical_clv_takes_a_purchase_frequency_between_0_and_1(frequency):
    lifetime_value = clv(
        average_order_value=Money("100", "EUR"),
        purchase_frequency=frequency,
        lifespan=2,
        lifespan_unit="years",
    )

    assert lifetime_value.require() == Money(Decimal(200) * frequency, "EUR")


def test_historical_clv_takes_a_purchase_frequency_score_between_0_and_1():
    frequency = purchase_frequency(orders_per_customer={"a": 1, "b": 1})  # 1 per customer ...
    half = type(frequency)(
        "purchase frequency", 1, 2, variant="counts", formula="orders / customers"
    )

    lifetime_value = clv(
        average_order_value=Money("100", "EUR"),
        purchase_frequency=half,
        lifespan=2,
        lifespan_unit="years",
    )

    assert lifetime_value.require() == Money("100", "EUR")


def test_growth_reads_a_series_of_revenue_per_month_as_the_mapping_it_is():
    from salesflow.metrics import revenue_growth

    revenue = {(2026, 1): Money("100", "EUR"), (2026, 2): Money("110", "EUR")}

    assert revenue_growth(pd.Series(revenue), variant="compound_monthly") == revenue_growth(
        revenue, variant="compound_monthly"
    )
    assert revenue_growth(pd.Series(revenue)) == revenue_growth(revenue)
