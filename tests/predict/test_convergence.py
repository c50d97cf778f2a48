"""A fit says it converged only at a maximum of the likelihood, and says why not otherwise.

Converged means: the optimiser succeeded, no parameter is on the edge of the
searched range, the likelihood is no higher a step away, and the observed
information is positive definite (so the standard errors are finite). Data
without a maximum inside the parameter space (one-time buyers only, nobody
dropping out, one customer, identical customers) must say so, and the
predictions of such a fit must still be finite and at least 0.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from salesflow.predict import fit
from salesflow.predict._numeric import maximise
from salesflow.predict.inputs import ModelInput

# --- The judge on functions whose answer is known --------------------------------------


def test_a_concave_likelihood_converges_with_the_standard_errors_of_its_curvature():
    # log L = -(log a - log 2)**2 / (2 * 0.1**2) - (log b - log 5)**2 / (2 * 0.3**2):
    # in log-parameters the errors are 0.1 and 0.3, so a's is 2 * 0.1 and b's 5 * 0.3.
    def log_likelihood(p):
        return float(
            -((math.log(p[0]) - math.log(2)) ** 2) / 0.02
            - (math.log(p[1]) - math.log(5)) ** 2 / 0.18
        )

    found = maximise(log_likelihood, start=(1.0, 1.0), customers=1, names=("a", "b"))

    assert found.convergence.converged
    assert found.parameters == pytest.approx((2.0, 5.0), rel=1e-6)
    assert found.standard_errors == pytest.approx((0.2, 1.5), rel=1e-4)


def test_a_likelihood_rising_towards_infinity_is_not_converged_and_says_which_way():
    # Rises for ever as a grows (towards 0 from below); b has a maximum at 1.
    def log_likelihood(p):
        return float(-1 / p[0] - (math.log(p[1])) ** 2)

    found = maximise(log_likelihood, start=(1.0, 2.0), customers=1, names=("a", "b"))

    assert not found.convergence.converged
    assert found.standard_errors is None
    # Where the search stops, the rise left may be below what can be told from flat.
    assert any(
        why in found.convergence.message
        for why in ("keeps rising as a grows", "flat in one direction (moving a)", "a reached")
    )


def test_a_likelihood_flat_along_a_ratio_is_not_converged_and_names_the_parameters():
    # Depends on a * b only: any a with b = 3 / a is as good.
    def log_likelihood(p):
        return float(-((math.log(p[0] * p[1]) - math.log(3)) ** 2))

    found = maximise(log_likelihood, start=(1.0, 1.0), customers=1, names=("a", "b"))

    assert not found.convergence.converged
    assert "flat in one direction (moving a and b)" in found.convergence.message
    assert found.standard_errors is None


def test_a_maximum_beyond_the_searched_range_is_on_the_edge():
    def log_likelihood(p):
        return float(math.log(p[0]) - (math.log(p[1])) ** 2)

    found = maximise(log_likelihood, start=(1.0, 1.0), customers=1, names=("a", "b"))

    assert not found.convergence.converged
    assert "a reached the edge of the searched range" in found.convergence.message


# --- Published fits: maxima, with finite errors -----------------------------------------


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "pareto_nbd", "gamma_gamma"])
def test_every_cdnow_fit_is_a_maximum_with_finite_standard_errors(cdnow, model):
    fitted = fit(cdnow, model=model)

    assert fitted.convergence.converged
    assert fitted.standard_errors is not None
    assert all(math.isfinite(e) and e > 0 for e in fitted.standard_errors.values())


def test_pareto_nbd_standard_errors_on_cdnow_match_clvtools(cdnow):
    # CLVTools' tests (test_correctness_pnbd.R) pin these standard errors on CDNOW.
    published = {"r": 0.0476264, "alpha": 0.8427222, "s": 0.1872594, "beta": 6.2105448}

    errors = fit(cdnow, model="pareto_nbd").standard_errors

    assert errors is not None
    for name, value in published.items():
        assert errors[name] == pytest.approx(value, rel=1e-3), name


# --- Data without a maximum inside the parameter space --------------------------------


def _cohort(kind: str) -> ModelInput:
    rng = np.random.default_rng(3)
    size = 500
    big_t = rng.uniform(20, 40, size)
    if kind == "one-time buyers only":
        return ModelInput(frequency=[0] * size, first_to_last=[0] * size, first_to_end=big_t)
    if kind == "clockwork, nobody drops out":  # a purchase every week, to the end
        weeks = np.floor(big_t)
        return ModelInput(frequency=weeks, first_to_last=weeks, first_to_end=big_t)
    if kind == "nobody drops out":  # purchase rates differ, everybody buys to the end
        rates = rng.gamma(0.5, 1 / 5, size)
        x, t_x = [], []
        for rate, end in zip(rates, big_t, strict=True):
            times = np.cumsum(rng.exponential(1 / rate, 200))
            times = times[times < end]
            x.append(len(times))
            t_x.append(float(times[-1]) if len(times) else 0.0)
        return ModelInput(frequency=x, first_to_last=t_x, first_to_end=big_t)
    if kind == "one customer":
        return ModelInput(frequency=[3], first_to_last=[20.0], first_to_end=[30.0])
    assert kind == "identical customers"
    return ModelInput(frequency=[3] * size, first_to_last=[20.0] * size, first_to_end=[30.0] * size)


REASONS = ("keeps rising as", "flat in one direction", "the maximum lies on the edge")
DEGENERATE = [
    ("one-time buyers only", "bgnbd"),
    ("one-time buyers only", "mbgnbd"),
    ("one-time buyers only", "pareto_nbd"),
    ("clockwork, nobody drops out", "bgnbd"),
    ("clockwork, nobody drops out", "mbgnbd"),
    ("nobody drops out", "bgnbd"),
    ("nobody drops out", "mbgnbd"),
    ("nobody drops out", "pareto_nbd"),
    ("one customer", "bgnbd"),
    ("one customer", "mbgnbd"),
    ("one customer", "pareto_nbd"),
    ("identical customers", "bgnbd"),
    ("identical customers", "mbgnbd"),
]


@pytest.mark.parametrize(("kind", "model"), DEGENERATE)
def test_data_without_a_maximum_is_fitted_as_not_converged_with_sound_predictions(kind, model):
    table = _cohort(kind)

    fitted = fit(table, model=model)

    assert not fitted.convergence.converged
    assert any(reason in fitted.convergence.message for reason in REASONS)
    assert fitted.standard_errors is None
    alive = fitted.p_alive(table)
    assert np.all(np.isfinite(alive))
    assert np.all((alive >= 0) & (alive <= 1))
    for t in (1, 26, 520):
        expected = fitted.expected_purchases(t, table)
        counts = fitted.probability_of_purchases([0, 1, 5], t, table)
        cumulative = fitted.expected_cumulative_purchases(t)
        assert np.all(np.isfinite(expected))
        assert np.all(expected >= 0)
        assert np.all(np.isfinite(counts))
        assert np.all((counts >= 0) & (counts <= 1))
        assert math.isfinite(cumulative)
        assert cumulative >= 0


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])
def test_clockwork_buyers_have_their_maximum_at_infinite_r_and_alpha(model):
    # Everybody buys at the same rate: no heterogeneity, so gamma(r, alpha) wants r and
    # alpha to grow together without end (their ratio, the rate, stays put).
    fitted = fit(_cohort("clockwork, nobody drops out"), model=model)

    assert "keeps rising as r and alpha grow together" in fitted.convergence.message
    assert fitted.r / fitted.alpha == pytest.approx(1.0, rel=0.05)


def test_a_cohort_with_one_retention_rate_has_no_sbg_maximum():
    # Half leave each period: no heterogeneity, so alpha and beta grow together without end.
    fitted = fit([1000, 500, 250, 125, 63, 31], model="sbg")

    assert not fitted.convergence.converged
    assert "keeps rising as alpha and beta grow together" in fitted.convergence.message
    assert fitted.standard_errors is None
    assert fitted.retention_rate([1, 5]) == pytest.approx([0.5, 0.5], abs=0.01)
