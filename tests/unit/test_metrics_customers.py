"""Customer metrics: the published examples, refusals and laws against reference versions."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from salesflow import CurrencyMismatch, InvalidField, InvalidType, Money, UndefinedMetric
from salesflow.metrics import (
    Amount,
    Ratio,
    Score,
    churn_rate,
    clv,
    purchase_frequency,
    repeat_purchase_rate,
    retention_rate,
)
from strategies import customer_ids, shares

USD = "USD"


def reference_repeat_rate(order_ids):
    counts = {}
    for customer in order_ids:
        counts[customer] = counts.get(customer, 0) + 1
    return Fraction(sum(1 for n in counts.values() if n > 1), len(counts))


def reference_frequency(order_ids):
    return Fraction(len(order_ids), len(set(order_ids)))


# -- retention -------------------------------------------------------------------------


def test_500_at_start_50_new_and_480_at_end_give_a_retention_of_86_percent():
    result = retention_rate(customers_at_start=500, new_customers=50, customers_at_end=480)

    assert result.value == Decimal("0.86")
    assert result.percent() == "86.0%"
    assert repr(result) == "<Ratio retention rate (counts): (480 - 50) / 500 = 0.86>"
    assert (result.numerator, result.denominator, result.variant) == (430, 500, "counts")


def test_a_customer_new_and_lost_in_the_same_period_bends_the_count_formula_not_the_set_one():
    start, end = {"a", "b"}, {"a", "b"}  # "c" joined and left within the period

    counted = retention_rate(customers_at_start=2, new_customers=1, customers_at_end=2)
    set_based = retention_rate(variant="ids", at_start=start, at_end=end)

    assert counted.value == Decimal("0.5")
    assert set_based.value == Decimal(1)
    assert set_based.variant == "set-based"


def test_set_based_retention_counts_duplicate_ids_once_and_reports_its_inputs():
    result = retention_rate(variant="ids", at_start=["a", "a", "b", 7], at_end=[7, "c"])

    assert result.fraction == Fraction(1, 3)
    assert dict(result.inputs)["lost"] == 2
    assert dict(result.inputs)["new and still there"] == 1


def test_no_customers_at_start_give_an_undefined_retention_or_an_error_on_request():
    assert retention_rate(customers_at_start=0, new_customers=3, customers_at_end=3).value is None
    assert retention_rate(variant="ids", at_start=[], at_end=["a"]).percent() == "undefined"
    with pytest.raises(UndefinedMetric, match="customers at start is 0"):
        retention_rate(customers_at_start=0, new_customers=0, customers_at_end=0, on_empty="raise")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (
            {"customers_at_start": -1, "new_customers": 0, "customers_at_end": 0},
            "customers_at_start",
        ),
        ({"customers_at_start": 10, "new_customers": 5, "customers_at_end": 4}, "new_customers"),
        (
            {"customers_at_start": 10, "new_customers": 5, "customers_at_end": 16},
            "customers_at_end",
        ),
        (
            {"customers_at_start": 10.0, "new_customers": 0, "customers_at_end": 10},
            "customers_at_start",
        ),
        (
            {"customers_at_start": 10, "new_customers": True, "customers_at_end": 10},
            "new_customers",
        ),
    ],
)
def test_impossible_retention_counts_are_refused_naming_the_field(kwargs, field):
    with pytest.raises(InvalidField) as caught:
        retention_rate(**kwargs)

    assert caught.value.field == field


def test_more_retained_than_at_start_names_the_limit():
    with pytest.raises(
        InvalidField, match=r"at most customers_at_start 10 \+ new_customers 5 = 15"
    ):
        retention_rate(customers_at_start=10, new_customers=5, customers_at_end=16)


@pytest.mark.parametrize("bad", [[""], [1.5], [None], [True]])
def test_a_bad_customer_id_is_refused_naming_its_index(bad):
    with pytest.raises(InvalidField) as caught:
        retention_rate(variant="ids", at_start=["a", *bad], at_end=[])

    assert caught.value.field == "at_start[1]"


def test_a_string_is_not_a_set_of_customer_ids():
    with pytest.raises(InvalidType, match="at_end"):
        retention_rate(variant="ids", at_start=["a"], at_end="abc")


# -- churn ------------------------------------------------------------------------------


def test_churn_is_customers_lost_over_customers_at_start():
    result = churn_rate(customers_at_start=500, customers_lost=70)

    assert result.value == Decimal("0.14")
    assert result.formula == "customers lost / customers at start"


def test_losing_more_customers_than_there_were_at_the_start_is_refused():
    with pytest.raises(InvalidField, match="customers_lost: got 501"):
        churn_rate(customers_at_start=500, customers_lost=501)


def test_the_average_customers_variant_divides_by_the_mean_of_start_and_end():
    result = churn_rate(
        variant="average_customers", customers_at_start=500, customers_at_end=481, customers_lost=70
    )

    assert result.fraction == Fraction(70 * 2, 981)
    assert result.denominator == Decimal("490.5")
    assert result.variant == "average customers"


def test_the_customer_days_variant_weighs_customers_by_their_exposure():
    result = churn_rate(variant="customer_days", customers_lost=3, customer_days=1500, days=30)

    assert result.value == Decimal("0.06")
    assert repr(result) == "<Ratio churn rate (customer-days): 3 / (1500 / 30) = 0.06>"


def test_the_customer_days_variant_refuses_a_period_of_no_days_and_floats():
    with pytest.raises(InvalidField, match="days: got 0"):
        churn_rate(variant="customer_days", customers_lost=1, customer_days=10, days=0)
    with pytest.raises(InvalidType, match="customer_days"):
        churn_rate(variant="customer_days", customers_lost=1, customer_days=10.5, days=30)


def test_no_exposure_gives_an_undefined_churn():
    assert (
        churn_rate(variant="customer_days", customers_lost=0, customer_days=0, days=30).value
        is None
    )
    with pytest.raises(UndefinedMetric, match="customer-days is 0"):
        churn_rate(
            variant="customer_days", customers_lost=0, customer_days=0, days=30, on_empty="raise"
        )


def test_set_based_churn_ignores_customers_who_joined_during_the_period():
    result = churn_rate(variant="ids", at_start=["a", "b", "c", "d"], at_end=["a", "e", "f"])

    assert result.fraction == Fraction(3, 4)


# -- purchases --------------------------------------------------------------------------


def test_repeat_purchase_rate_from_one_customer_id_per_order():
    result = repeat_purchase_rate(customer_ids=["a", "b", "a", "c", "a", "b"])

    assert result.fraction == Fraction(2, 3)
    assert result.formula == "customers with 2+ orders / customers"


def test_repeat_purchase_rate_from_a_mapping_of_order_counts():
    assert repeat_purchase_rate(orders_per_customer={"a": 3, "b": 1, 9: 2}).fraction == Fraction(
        2, 3
    )


def test_a_customer_with_no_orders_in_the_mapping_is_refused():
    with pytest.raises(InvalidField, match=r"orders_per_customer\['b'\]: got 0"):
        repeat_purchase_rate(orders_per_customer={"a": 3, "b": 0})


def test_repeat_purchase_rate_from_counts_refuses_more_repeaters_than_customers():
    with pytest.raises(InvalidField, match="repeat_customers"):
        repeat_purchase_rate(repeat_customers=5, customers=4)


def test_purchase_frequency_is_orders_per_customer_and_not_a_share():
    result = purchase_frequency(order_count=600, customers=400)

    assert isinstance(result, Score)
    assert result.value == Decimal("1.5")


def test_purchase_frequency_refuses_fewer_orders_than_customers():
    with pytest.raises(InvalidField, match="order_count: got 3"):
        purchase_frequency(order_count=3, customers=4)


def test_no_orders_give_undefined_purchase_metrics():
    assert repeat_purchase_rate(customer_ids=[]).value is None
    assert purchase_frequency(orders_per_customer={}).value is None
    with pytest.raises(UndefinedMetric):
        purchase_frequency(customer_ids=[], on_empty="raise")


# -- lifetime value ---------------------------------------------------------------------


def test_100_dollars_arpu_at_5_percent_monthly_churn_is_worth_2000_dollars():
    result = clv(arpu=Money("100", USD), churn_rate=Decimal("0.05"))

    assert isinstance(result, Amount)
    assert result.value == Money("2000", USD)
    assert repr(result) == "<Amount churn-based CLV (ARPU / churn): 100 USD / 0.05 = 2000 USD>"


def test_at_an_80_percent_margin_it_is_worth_1600_dollars():
    result = clv(arpu=Money("100", USD), churn_rate=Decimal("0.05"), margin=Decimal("0.8"))

    assert result.value == Money("1600", USD)
    assert result.variant == "ARPU * margin / churn"


def test_churn_clv_takes_the_churn_ratio_itself_and_stays_exact():
    churn = churn_rate(customers_at_start=3, customers_lost=1)

    result = clv(arpu=Money("10", USD), churn_rate=churn)

    assert result.fraction == 30
    assert result.rounded() == Money("30.00", USD)


def test_a_churn_of_zero_gives_an_undefined_clv_not_infinity():
    result = clv(arpu=Money("100", USD), churn_rate=0)

    assert result.value is None
    with pytest.raises(UndefinedMetric, match="churn rate is 0"):
        clv(arpu=Money("100", USD), churn_rate=0, on_empty="raise")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"arpu": 100.0, "churn_rate": Decimal("0.05")}, "arpu"),
        ({"arpu": Money("-1", USD), "churn_rate": Decimal("0.05")}, "arpu"),
        ({"arpu": Money("100", USD), "churn_rate": 0.05}, "churn_rate"),
        ({"arpu": Money("100", USD), "churn_rate": Decimal("1.5")}, "churn_rate"),
        ({"arpu": Money("100", USD), "churn_rate": Decimal("0.05"), "margin": -1}, "margin"),
        ({"arpu": Money("100", USD), "churn_rate": Decimal("0.05"), "margin": 0.8}, "margin"),
        ({"arpu": Money("100", USD), "churn_rate": Decimal("NaN")}, "churn_rate"),
    ],
)
def test_bad_churn_clv_inputs_are_refused_naming_the_field(kwargs, field):
    with pytest.raises(InvalidField) as caught:
        clv(**kwargs)

    assert caught.value.field == field


def test_historical_clv_multiplies_aov_frequency_and_lifespan():
    result = clv(
        average_order_value=Money("50", "EUR"),
        purchase_frequency=4,
        lifespan=3,
        lifespan_unit="years",
    )

    assert result.value == Money("600", "EUR")
    assert repr(result) == (
        "<Amount historical CLV (AOV * frequency * lifespan): 50 EUR * 4 * 3 years = 600 EUR>"
    )


def test_historical_clv_with_a_margin_and_a_measured_frequency():
    frequency = purchase_frequency(customer_ids=["a", "a", "b"])  # 3/2 orders per customer

    result = clv(
        average_order_value=Money("30", "EUR"),
        purchase_frequency=frequency,
        lifespan=Decimal("2.5"),
        lifespan_unit="years",
        margin=Decimal("0.4"),
    )

    assert result.value == Money("45", "EUR")
    assert result.formula.endswith("* margin")


def test_historical_clv_stays_exact_with_a_frequency_that_does_not_terminate():
    frequency = purchase_frequency(customer_ids=["a", "a", "a", "a", "b", "c"])  # 2 per customer
    thirds = purchase_frequency(customer_ids=["a", "a", "b", "c"])  # 4/3 per customer

    exact = clv(
        average_order_value=Money("10", "EUR"),
        purchase_frequency=thirds,
        lifespan=1,
        lifespan_unit="years",
    )

    assert frequency.value == 2
    assert exact.fraction == Fraction(40, 3)
    assert exact.rounded(ROUND_HALF_UP) == Money("13.33", "EUR")


def test_an_undefined_purchase_frequency_gives_an_undefined_clv():
    result = clv(
        average_order_value=Money("10", "EUR"),
        purchase_frequency=purchase_frequency(customer_ids=[]),
        lifespan=2,
        lifespan_unit="years",
    )

    assert result.value is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"average_order_value": 50.0}, "average_order_value"),
        ({"average_order_value": Decimal("50")}, "average_order_value"),
        ({"purchase_frequency": 1.5}, "purchase_frequency"),
        ({"purchase_frequency": -1}, "purchase_frequency"),
        ({"lifespan": -2}, "lifespan"),
        ({"lifespan_unit": ""}, "lifespan_unit"),
        ({"margin": Decimal("1.01")}, "margin"),
    ],
)
def test_bad_historical_clv_inputs_are_refused_naming_the_field(kwargs, field):
    arguments = {
        "average_order_value": Money("50", "EUR"),
        "purchase_frequency": 4,
        "lifespan": 3,
        "lifespan_unit": "years",
    }

    with pytest.raises(InvalidField) as caught:
        clv(**{**arguments, **kwargs})

    assert caught.value.field == field


def test_clv_amounts_never_mix_currencies():
    lifetime_value = clv(arpu=Money("100", USD), churn_rate=Decimal("0.05"))

    with pytest.raises(CurrencyMismatch):
        lifetime_value.require() + Money("1", "EUR")


# -- laws ----------------------------------------------------------------------------------


@given(st.lists(customer_ids, max_size=80))
def test_purchase_metrics_agree_with_references_and_shares_stay_within_0_and_1(order_ids):
    repeat = repeat_purchase_rate(customer_ids=order_ids)
    frequency = purchase_frequency(customer_ids=order_ids)

    if order_ids:
        assert repeat.fraction == reference_repeat_rate(order_ids)
        assert frequency.fraction == reference_frequency(order_ids)
        assert 0 <= repeat.fraction <= 1
        assert frequency.fraction >= 1
    else:
        assert not repeat.defined
        assert not frequency.defined


@given(st.lists(customer_ids, max_size=80), st.randoms(use_true_random=False))
def test_shuffling_the_orders_changes_no_purchase_metric(order_ids, rng):
    shuffled = list(order_ids)
    rng.shuffle(shuffled)

    assert (
        repeat_purchase_rate(customer_ids=shuffled).fraction
        == repeat_purchase_rate(customer_ids=order_ids).fraction
    )
    assert purchase_frequency(customer_ids=shuffled) == purchase_frequency(customer_ids=order_ids)


@given(st.lists(customer_ids, max_size=80), st.lists(customer_ids, max_size=80))
def test_order_counts_from_two_batches_merge_into_the_same_totals(first, second):
    merged = Counter(first) + Counter(second)

    from_merged_counts = purchase_frequency(orders_per_customer=dict(merged))
    from_all_rows = purchase_frequency(customer_ids=first + second)

    assert from_merged_counts == from_all_rows
    assert repeat_purchase_rate(orders_per_customer=dict(merged)) == repeat_purchase_rate(
        customer_ids=first + second
    )
    assert from_all_rows.numerator == len(first) + len(second)


@given(st.sets(customer_ids, max_size=40), st.sets(customer_ids, max_size=40))
def test_set_based_retention_and_churn_agree_with_references_and_add_up_to_one(start, end):
    retained = retention_rate(variant="ids", at_start=start, at_end=end)
    churned = churn_rate(variant="ids", at_start=start, at_end=end)

    if start:
        assert retained.fraction == Fraction(len(start & end), len(start))
        assert churned.fraction == Fraction(len(start - end), len(start))
        assert retained.fraction + churned.fraction == 1
        assert 0 <= retained.fraction <= 1
    else:
        assert retained.value is None
        assert churned.value is None


@given(st.sets(customer_ids, max_size=40), st.sets(customer_ids, max_size=40))
def test_count_retention_equals_set_retention_when_no_one_is_new_and_lost(start, end):
    new = end - start

    counted = retention_rate(
        customers_at_start=len(start), new_customers=len(new), customers_at_end=len(end)
    )
    set_based = retention_rate(variant="ids", at_start=start, at_end=end)

    assert counted.fraction == set_based.fraction


@given(
    st.sets(st.integers(0, 99), min_size=1, max_size=30),
    st.sets(st.integers(100, 199), max_size=30),
    st.sets(st.integers(200, 299), max_size=30),
    st.sets(st.integers(300, 399), max_size=30),
)
def test_customers_new_and_lost_in_the_period_only_lower_the_count_formula(
    stayed, lost, joined_and_stayed, joined_and_left
):
    joined_and_left = set(sorted(joined_and_left)[: len(stayed)])  # keeps new <= end
    start, end = stayed | lost, stayed | joined_and_stayed

    counted = retention_rate(
        customers_at_start=len(start),
        new_customers=len(joined_and_stayed | joined_and_left),
        customers_at_end=len(end),
    )
    set_based = retention_rate(variant="ids", at_start=start, at_end=end)

    assert counted.fraction <= set_based.fraction
    assert (counted.fraction < set_based.fraction) == bool(joined_and_left)


@given(
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
)
def test_count_retention_agrees_with_its_formula_when_valid(start, new, end):
    assume(new <= end and end - new <= start)

    result = retention_rate(customers_at_start=start, new_customers=new, customers_at_end=end)

    if start:
        assert result.fraction == Fraction(end - new, start)
        assert 0 <= result.fraction <= 1
    else:
        assert not result.defined


@given(
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
    shares,
    st.one_of(st.none(), shares),
)
def test_churn_clv_agrees_with_a_reference_and_never_rounds(arpu, churn, margin):
    result = clv(arpu=Money(arpu, USD), churn_rate=churn, margin=margin)

    if churn == 0:
        assert result.value is None
    else:
        expected = (
            Fraction(arpu) * (Fraction(margin) if margin is not None else 1) / Fraction(churn)
        )
        assert result.fraction == expected
        assert result.currency == USD


@given(
    st.decimals(min_value=0, max_value=10**5, places=2, allow_nan=False),
    st.decimals(min_value=0, max_value=50, places=3, allow_nan=False),
    st.decimals(min_value=0, max_value=40, places=1, allow_nan=False),
    st.one_of(st.none(), shares),
)
def test_historical_clv_agrees_with_a_reference(aov, frequency, lifespan, margin):
    result = clv(
        average_order_value=Money(aov, "EUR"),
        purchase_frequency=frequency,
        lifespan=lifespan,
        lifespan_unit="years",
        margin=margin,
    )

    expected = Fraction(aov) * Fraction(frequency) * Fraction(lifespan)
    if margin is not None:
        expected *= Fraction(margin)
    assert result.fraction == expected
    assert result.value_is_exact


@given(st.lists(customer_ids, min_size=1, max_size=60))
def test_churn_clv_from_a_measured_churn_ratio_equals_arpu_over_its_fraction(order_ids):
    start = set(order_ids)
    lost = max(1, len(start) // 3)
    churn = churn_rate(customers_at_start=len(start), customers_lost=lost)

    result = clv(arpu=Money("12.34", USD), churn_rate=churn)

    assert isinstance(churn, Ratio)
    assert result.fraction == Fraction(Decimal("12.34")) / churn.fraction


# -- ids and decimal contexts --------------------------------------------------------------


def test_customer_ids_are_used_exactly_as_given_as_in_the_order_records():
    repeat = repeat_purchase_rate(customer_ids=["a", "a "])
    retained = retention_rate(variant="ids", at_start=["a", "b"], at_end=["a ", "b"])

    assert repeat.fraction == 0
    assert retained.fraction == Fraction(1, 2)


def test_the_churn_variants_stay_exact_under_a_callers_low_decimal_precision():
    from decimal import localcontext

    with localcontext() as context:
        context.prec = 3
        average = churn_rate(
            variant="average_customers",
            customers_at_start=1234,
            customers_at_end=1001,
            customers_lost=70,
        )
        exposure = churn_rate(
            variant="customer_days", customers_lost=7, customer_days=12345, days=Decimal("30.5")
        )

    assert average.fraction == Fraction(70 * 2, 1234 + 1001)
    assert average.denominator == Decimal("1117.5")
    assert exposure.fraction == Fraction(7) * Fraction("30.5") / 12345
