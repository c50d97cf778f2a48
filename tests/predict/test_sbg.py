"""sBG, contractual retention: the published fits (Fader and Hardie 2007), predictions, refusals.

Survivors per 1,000 in years 0-7 are the paper's two cohorts; parameters to 3
significant figures.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from salesflow.errors import InvalidField, InvalidType
from salesflow.predict import fit
from salesflow.predict._numeric import Convergence
from salesflow.predict._sbg import ShiftedBetaGeometric, sbg_log_likelihood

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]
DONE = Convergence(converged=True, iterations=0, message="given", gradient_norm=0.0)
positive = st.floats(min_value=1e-3, max_value=1e3)


def _three_figures(value: float, published: float) -> bool:
    return f"{value:.3g}" == f"{published:.3g}"


def _model(alpha: float, beta: float) -> ShiftedBetaGeometric:
    return ShiftedBetaGeometric(alpha, beta, 0.0, None, DONE, 1000, 7)


@pytest.fixture(scope="module")
def regular():
    return fit(REGULAR, model="sbg")


@pytest.fixture(scope="module")
def high_end():
    return fit(HIGH_END, model="sbg")


def test_the_regular_cohort_fits_alpha_0_704_and_beta_1_182(regular):
    assert _three_figures(regular.alpha, 0.704)
    assert _three_figures(regular.beta, 1.182)
    assert regular.convergence.converged
    assert (regular.cohort, regular.periods) == (1000, 7)


def test_the_high_end_cohort_fits_alpha_0_668_and_beta_3_806(high_end):
    assert _three_figures(high_end.alpha, 0.668)
    assert _three_figures(high_end.beta, 3.806)
    assert high_end.convergence.converged


def test_the_fit_is_a_maximum_of_the_log_likelihood(regular):
    counts = np.asarray(REGULAR, dtype=np.float64)
    best = sbg_log_likelihood(regular.alpha, regular.beta, counts)

    nearby = [
        sbg_log_likelihood(regular.alpha * (1 + da), regular.beta * (1 + db), counts)
        for da in (-0.01, 0.0, 0.01)
        for db in (-0.01, 0.0, 0.01)
        if (da, db) != (0.0, 0.0)
    ]

    assert regular.log_likelihood == pytest.approx(best)
    assert all(value < best for value in nearby)


def test_the_log_likelihood_counts_each_loss_at_its_period_and_the_survivors_at_the_end():
    alpha, beta, counts = 0.7, 1.2, np.asarray([100.0, 60.0, 45.0])
    # P(T = 1) = alpha / (alpha + beta); P(T = 2) = P(T = 1) * beta / (alpha + beta + 1).
    first = alpha / (alpha + beta)
    second = first * beta / (alpha + beta + 1)
    by_hand = 40 * math.log(first) + 15 * math.log(second) + 45 * math.log(1 - first - second)

    assert sbg_log_likelihood(alpha, beta, counts) == pytest.approx(by_hand, rel=1e-12)


def test_standard_errors_name_both_parameters_and_are_smaller_than_them(high_end):
    errors = high_end.standard_errors

    assert errors is not None
    assert set(errors) == {"alpha", "beta"}
    assert all(0 < errors[name] < getattr(high_end, name) for name in errors)


def test_high_end_projections_for_years_8_to_12_match_the_published_sbg_values(high_end):
    # The survivors per 1,000 that JD Maturen's sBG implementation (README) reports for
    # this cohort's maximum-likelihood fit: .460, .436, .414, .395, .378.
    projected = high_end.survival(range(8, 13)) * 1000

    assert [round(v) for v in projected] == [460, 436, 414, 395, 378]


@pytest.mark.parametrize("cohort", [REGULAR, HIGH_END], ids=["regular", "high_end"])
def test_projections_for_years_8_to_12_are_s_t_of_the_fit_and_decreasing(cohort):
    model = fit(cohort, model="sbg")
    # S(t) as the product of the renewal probabilities 1 - theta, averaged over Beta(alpha, beta).
    by_moments = [
        1000
        * math.exp(
            special.betaln(model.alpha, model.beta + t) - special.betaln(model.alpha, model.beta)
        )
        for t in range(8, 13)
    ]

    projected = model.survival([8, 9, 10, 11, 12]) * 1000

    assert projected == pytest.approx(by_moments, abs=1)
    assert np.all(np.diff(projected) < 0)
    assert projected[0] < cohort[-1]


@pytest.mark.parametrize("cohort", [REGULAR, HIGH_END], ids=["regular", "high_end"])
def test_the_fit_follows_the_observed_survivors_within_2_percent_of_the_cohort(cohort):
    model = fit(cohort, model="sbg")

    fitted = model.survival(range(8)) * 1000

    # sBG's retention only rises; it cannot follow the high-end year 1 exactly (18 per 1,000 off).
    assert np.max(np.abs(fitted - np.asarray(cohort))) < 20


def test_survival_at_period_0_is_1_and_a_single_period_gives_one_value(regular):
    assert regular.survival(0).tolist() == [1.0]
    assert regular.survival(3).shape == (1,)


@settings(max_examples=200)
@given(positive, positive, st.integers(min_value=1, max_value=500))
def test_survival_is_the_product_of_the_retention_rates(alpha, beta, t):
    model = _model(alpha, beta)

    survival = model.survival(t)[0]
    product = float(np.prod(model.retention_rate(range(1, t + 1))))

    assert survival == pytest.approx(product, rel=1e-9, abs=1e-300)
    assert 0 <= survival <= 1


def test_retention_rates_rise_over_time_as_the_likely_leavers_leave(regular):
    rates = regular.retention_rate(range(1, 13))

    assert np.all(np.diff(rates) > 0)
    assert rates[0] == pytest.approx(REGULAR[1] / REGULAR[0], abs=0.01)


def test_derl_of_the_high_end_survivors_after_7_renewals_at_10_percent_is_7_530(high_end):
    # JD Maturen's sBG implementation reports 7.530 for this cohort, d = 0.10, after year 7.
    assert high_end.derl(0.1, renewals=7) == pytest.approx(7.530, abs=0.0005)


@pytest.mark.parametrize(
    ("alpha", "beta", "renewals", "rate"),
    [(0.704, 1.182, 0, 0.1), (0.668, 3.806, 4, 0.1), (2.0, 3.0, 10, 0.01), (0.2, 50.0, 1, 1.0)],
)
def test_derl_is_the_discounted_lifetime_averaged_over_the_survivors_churn_probabilities(
    alpha, beta, renewals, rate
):
    # Survivors of n - 1 renewals have theta ~ Beta(alpha, beta + n - 1); one of them is worth
    # sum (1 - theta)**(k + 1) / (1 + d)**k = (1 + d)(1 - theta) / (d + theta).
    posterior = stats.beta(alpha, beta + renewals)
    expected, _ = integrate.quad(
        lambda theta: (1 + rate) * (1 - theta) / (rate + theta) * posterior.pdf(theta),
        0,
        1,
        limit=200,
        points=[1e-6, 1e-3],
    )

    assert _model(alpha, beta).derl(rate, renewals=renewals) == pytest.approx(expected, rel=1e-6)


def test_derl_agrees_with_the_closed_form_by_the_hypergeometric_function(high_end):
    n, d = 8, 0.1
    closed = (
        (high_end.beta + n - 1)
        / (high_end.alpha + high_end.beta + n - 1)
        * special.hyp2f1(1, high_end.beta + n, high_end.alpha + high_end.beta + n, 1 / (1 + d))
    )

    assert high_end.derl(d, renewals=n - 1) == pytest.approx(closed, rel=1e-10)


@settings(max_examples=100)
@given(positive, positive, st.integers(min_value=0, max_value=1000), st.floats(1e-3, 10))
def test_derl_is_finite_bounded_by_always_renewing_and_grows_with_renewals(
    alpha, beta, renewals, rate
):
    model = _model(alpha, beta)

    value = model.derl(rate, renewals=renewals)
    later = model.derl(rate, renewals=renewals + 1)

    assert math.isfinite(value)
    assert 0 <= value <= (1 + rate) / rate * (1 + 1e-12)
    assert later >= value * (1 - 1e-12)


def test_derl_at_the_smallest_discount_rate_is_finite_and_below_its_bound(regular):
    value = regular.derl(0.0001, renewals=3)

    assert math.isfinite(value)
    assert 0 < value < 10_001


@pytest.mark.parametrize(
    ("survivors", "why"),
    [([500, 500, 500, 500], "nobody left"), ([500, 0, 0], "everybody left in period 1")],
)
def test_a_cohort_whose_likelihood_has_no_maximum_is_fitted_as_not_converged(survivors, why):
    model = fit(survivors, model="sbg")

    assert not model.convergence.converged
    assert why in model.convergence.message
    assert model.standard_errors is None
    assert np.all(np.isfinite(model.survival(range(20))))
    assert math.isfinite(model.derl(0.1, renewals=3))


def test_whole_counts_given_as_floats_decimals_or_numpy_fit_the_same_as_ints(regular):
    as_floats = fit([float(v) for v in REGULAR], model="sbg")
    as_decimals = fit([Decimal(v) for v in REGULAR], model="sbg")
    as_numpy = fit(np.asarray(REGULAR), model="sbg")

    for model in (as_floats, as_decimals, as_numpy):
        assert model.alpha == pytest.approx(regular.alpha, rel=1e-9)
        assert model.beta == pytest.approx(regular.beta, rel=1e-9)


@pytest.mark.parametrize(
    ("survivors", "error", "field"),
    [
        ("1000,600", InvalidType, "data"),
        (1000, InvalidType, "data"),
        ({0: 1000}, InvalidType, "data"),
        ([1000], InvalidField, "data"),
        ([], InvalidField, "data"),
        ([0, 0], InvalidField, "data[0]"),
        ([1000, 600.5], InvalidField, "data[1]"),
        ([1000, -1], InvalidField, "data[1]"),
        ([1000, math.nan], InvalidField, "data[1]"),
        ([1000, True], InvalidType, "data[1]"),
        ([1000, "600"], InvalidType, "data[1]"),
        ([1000, 600, 700], InvalidField, "data[2]"),
    ],
)
def test_fit_sbg_refuses_what_is_not_a_shrinking_cohort_naming_the_count(survivors, error, field):
    with pytest.raises(error) as raised:
        fit(survivors, model="sbg")

    assert raised.value.field == field


def test_a_growing_cohort_is_refused_with_the_count_it_grew_from():
    with pytest.raises(InvalidField, match=r"at most survivors\[1\] \(600\)"):
        fit([1000, 600, 700], model="sbg")


@pytest.mark.parametrize(
    ("t", "error", "field"),
    [
        (-1, InvalidField, "t"),
        (1.5, InvalidField, "t"),
        ("3", InvalidType, "t"),
        ([2, -1], InvalidField, "t[1]"),
    ],
)
def test_survival_refuses_what_is_not_a_whole_number_of_periods(regular, t, error, field):
    with pytest.raises(error) as raised:
        regular.survival(t)

    assert raised.value.field == field


@pytest.mark.parametrize(("t", "field"), [(0, "t"), ([1, 0], "t[1]")])
def test_retention_rate_refuses_period_0_which_has_no_period_before_it(regular, t, field):
    with pytest.raises(InvalidField) as raised:
        regular.retention_rate(t)

    assert raised.value.field == field


@pytest.mark.parametrize(
    ("rate", "renewals", "error", "field"),
    [
        (0, 1, InvalidField, "discount_rate"),
        (-0.1, 1, InvalidField, "discount_rate"),
        (0.00001, 1, InvalidField, "discount_rate"),
        (math.inf, 1, InvalidField, "discount_rate"),
        (True, 1, InvalidType, "discount_rate"),
        ("0.1", 1, InvalidType, "discount_rate"),
        (0.1, -1, InvalidField, "renewals"),
        (0.1, 1.5, InvalidField, "renewals"),
        (0.1, None, InvalidType, "renewals"),
    ],
)
def test_derl_refuses_a_rate_or_renewals_it_cannot_use_naming_them(
    regular, rate, renewals, error, field
):
    with pytest.raises(error) as raised:
        regular.derl(rate, renewals=renewals)

    assert raised.value.field == field


def test_derl_takes_a_decimal_discount_rate(regular):
    assert regular.derl(Decimal("0.1"), renewals=2) == regular.derl(0.1, renewals=2)
