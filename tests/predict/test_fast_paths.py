"""What makes fits and predictions fast gives the same answers as the plain computation.

Analytic gradients against central differences of the log-likelihoods, fits
over distinct rows against sums over every customer, the gradient search
against the search by differences, CLV's shared horizons against one
expected_purchases call per period, and the fast rounding to cents against
Decimal's own.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pytest

from salesflow.predict import fit
from salesflow.predict._bgnbd import bgnbd_log_likelihood, bgnbd_log_likelihood_gradient
from salesflow.predict._fitting import distinct_pairs, distinct_rows
from salesflow.predict._numeric import maximise, to_cents
from salesflow.predict._pareto import (
    pareto_nbd_log_likelihood,
    pareto_nbd_log_likelihood_gradient,
)
from salesflow.predict._spend import (
    gamma_gamma_log_likelihood,
    gamma_gamma_log_likelihood_gradient,
)
from salesflow.predict.inputs import ModelInput


def _differences(function, point, relative=1e-6):
    """Central differences of the summed ``function(*point)`` in each parameter."""
    slopes = []
    for i in range(len(point)):
        step = relative * point[i]
        up, down = list(point), list(point)
        up[i] += step
        down[i] -= step
        slopes.append((np.sum(function(*up)) - np.sum(function(*down))) / (2 * step))
    return np.array(slopes)


@pytest.mark.parametrize(
    "point",
    [(0.243, 4.414, 0.793, 2.426), (1.0, 1.0, 1.0, 1.0), (0.3, 20.0, 3.0, 0.5)],
)
def test_the_bgnbd_gradient_is_the_slope_of_its_log_likelihood(cdnow, point):
    values, slopes = bgnbd_log_likelihood_gradient(*point, cdnow)

    assert values == pytest.approx(bgnbd_log_likelihood(*point, cdnow), rel=1e-13)
    expected = _differences(lambda *p: bgnbd_log_likelihood(*p, cdnow), point)
    assert slopes.sum(axis=1) == pytest.approx(expected, rel=1e-6, abs=1e-4)


@pytest.mark.parametrize(
    "point",
    # alpha < beta and alpha >= beta take different hypergeometric terms.
    [(0.553, 10.578, 0.606, 11.669), (0.55, 12.0, 0.61, 3.0), (2.0, 1.0, 0.3, 40.0)],
)
def test_the_pareto_nbd_gradient_is_the_slope_of_its_log_likelihood(cdnow, point):
    values, slopes = pareto_nbd_log_likelihood_gradient(*point, cdnow)

    assert values == pytest.approx(pareto_nbd_log_likelihood(*point, cdnow), rel=1e-12)
    expected = _differences(lambda *p: pareto_nbd_log_likelihood(*p, cdnow), point)
    assert slopes.sum(axis=1) == pytest.approx(expected, rel=1e-6, abs=1e-4)


@pytest.mark.parametrize("point", [(6.25, 3.74, 15.44), (1.0, 1.0, 1.0), (0.5, 9.0, 200.0)])
def test_the_gamma_gamma_gradient_is_the_slope_of_its_log_likelihood(cdnow, point):
    repeat = cdnow.frequency > 0
    x = cdnow.frequency[repeat]
    spend = np.array([float(v) for v in cdnow.monetary_value if v is not None])

    values, slopes = gamma_gamma_log_likelihood_gradient(*point, x, spend)

    assert values == pytest.approx(gamma_gamma_log_likelihood(*point, x, spend), rel=1e-13)
    expected = _differences(lambda *p: gamma_gamma_log_likelihood(*p, x, spend), point)
    assert slopes.sum(axis=1) == pytest.approx(expected, rel=1e-6, abs=1e-4)


def test_distinct_rows_weighted_by_their_counts_sum_to_the_log_likelihood_of_everyone(cdnow):
    rows, counts = distinct_rows(cdnow)

    assert rows.frequency.size < len(cdnow)
    assert counts.sum() == len(cdnow)
    each = pareto_nbd_log_likelihood(0.55, 10.6, 0.6, 11.7, cdnow)
    assert counts @ pareto_nbd_log_likelihood(0.55, 10.6, 0.6, 11.7, rows) == pytest.approx(
        each.sum(), rel=1e-12
    )


def test_distinct_pairs_give_back_every_customers_own_pair(cdnow):
    x, big_t, index = distinct_pairs(cdnow.frequency, cdnow.first_to_end)

    assert np.array_equal(x[index], cdnow.frequency)
    assert np.array_equal(big_t[index], cdnow.first_to_end)
    assert len({(a, b) for a, b in zip(x, big_t, strict=True)}) == x.size


def test_the_gradient_search_finds_the_maximum_the_search_by_differences_finds(cdnow):
    rows, counts = distinct_rows(cdnow)

    def total(p):
        return float(counts @ bgnbd_log_likelihood(*p, rows))

    def with_gradient(p):
        values, slopes = bgnbd_log_likelihood_gradient(*p, rows)
        return float(counts @ values), slopes @ counts

    start = (1.0, 1.0, 1.0, 1.0)
    plain = maximise(total, start=start, customers=len(cdnow))
    fast = maximise(total, start=start, customers=len(cdnow), value_and_gradient=with_gradient)

    assert fast.convergence.converged
    assert plain.convergence.converged
    assert fast.log_likelihood == pytest.approx(plain.log_likelihood, abs=1e-6)
    assert fast.parameters == pytest.approx(plain.parameters, rel=1e-4)
    assert fast.standard_errors == pytest.approx(plain.standard_errors, rel=1e-3)


@pytest.mark.parametrize("model", ["mbgnbd", "pareto_nbd"])
def test_clv_is_the_discounted_sum_of_each_periods_purchases_for_every_purchase_model(cdnow, model):
    # 60 customers, many of them one-time buyers sharing their (x, T).
    table = ModelInput(
        frequency=cdnow.frequency[:60],
        first_to_last=cdnow.first_to_last[:60],
        first_to_end=cdnow.first_to_end[:60],
        monetary_value=cdnow.monetary_value[:60],
    )
    purchases, spend = fit(cdnow, model=model), fit(cdnow, model="gamma_gamma")

    values = purchases.clv(table, spend=spend, periods=6, period_length=4.0, discount_rate="0.02")

    cumulative = [np.zeros(60)] + [
        purchases.expected_purchases(4.0 * k, table) for k in range(1, 7)
    ]
    x = table.frequency
    z = np.array([0.0 if v is None else float(v) for v in table.monetary_value])
    per_purchase = spend.p * (spend.gamma + x * z) / (spend.p * x + spend.q - 1)
    for i, value in enumerate(values):
        expected = (
            sum((cumulative[k][i] - cumulative[k - 1][i]) / 1.02**k for k in range(1, 7))
            * per_purchase[i]
        )
        assert value == Decimal(repr(float(expected))).quantize(Decimal("0.01")), i


def _by_decimal(values):
    return tuple(
        Decimal(repr(float(v))).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) for v in values
    )


def test_to_cents_rounds_as_decimal_does_from_the_shortest_repr_half_to_even():
    rng = np.random.default_rng(14)
    # Halves of a cent as written (2.675 is below the half in binary, but its repr is not).
    halves = (rng.integers(0, 10**7, 2000) + 0.5) / 100
    values = np.concatenate(
        [
            halves,
            rng.gamma(1.0, 50.0, 2000),
            rng.random(500) * 1e12,
            [0.0, -0.0, 0.005, 0.015, 0.125, 1.005, 2.675, 1e15, 2.0**45 / 100, 5e-324, -3.215],
        ]
    )

    fast = to_cents(values)

    assert fast == _by_decimal(values)
    assert [str(v) for v in fast] == [str(v) for v in _by_decimal(values)]
    assert not any(math.isnan(v) for v in fast)
