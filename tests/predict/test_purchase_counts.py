"""P(X(t) = n) under BG/NBD, MBG/NBD and Pareto/NBD, and Pareto/NBD's E[X(t)] (issue 14, section 2).

Pinned to the peers' published values where they exist (R's BTYD, as pinned in
lifetimes' tests) and otherwise checked against computations that share
nothing with the implementation: the individual-level model integrated
numerically over the gamma and beta mixing distributions, the peers' own
closed form, and simulation with a fixed seed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special

from salesflow.errors import InvalidField, InvalidType
from salesflow.predict import fit
from salesflow.predict._bgnbd import BGNBD
from salesflow.predict._mbgnbd import MBGNBD
from salesflow.predict._numeric import Convergence
from salesflow.predict._pareto import ParetoNBD
from salesflow.predict.inputs import ModelInput

DONE = Convergence(converged=True, iterations=0, message="given", gradient_norm=0.0)
# The published CDNOW estimates (Fader, Hardie and Lee 2005; BTYDplus for MBG/NBD).
BG = BGNBD(0.243, 4.414, 0.793, 2.426, 0.0, None, DONE, "weeks")
MBG = MBGNBD(0.525, 6.183, 0.891, 1.614, 0.0, None, DONE, "weeks")
PARETO = ParetoNBD(0.553, 10.578, 0.606, 11.669, 0.0, None, DONE, "weeks")
MODELS = {"bgnbd": BG, "mbgnbd": MBG, "pareto_nbd": PARETO}
HISTORY = ModelInput(
    frequency=[0, 2, 7, 1],
    first_to_last=[0, 30.43, 35.0, 2.0],
    first_to_end=[38.86, 38.86, 36.0, 30.0],
)


# --- Published values -------------------------------------------------------------------


def test_bgnbd_probabilities_match_btyds_bgnbd_pmf_examples():
    # BTYD's bgnbd.pmf examples (params 0.243, 4.414, 0.793, 2.426), as pinned in lifetimes' tests.
    assert BG.probability_of_purchases(10, 2) == pytest.approx(1.07869e-07, rel=1e-5)
    assert BG.probability_of_purchases(0, 39) == pytest.approx(0.5737864, abs=5e-8)
    published = [
        0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148, 0.0007023638,
        0.0005517902, 0.0004361913, 0.0003467171, 0.0002769613, 0.0002222260,
    ]  # fmt: skip

    values = BG.probability_of_purchases(range(11, 21), 30)

    assert values == pytest.approx(published, abs=6e-11)


def test_pareto_nbd_expected_cumulative_purchases_match_btyds_pnbd_expectation():
    # BTYD's pnbd.Expectation example (params 0.55, 10.56, 0.61, 11.64, t = 0..9), as
    # pinned in lifetimes' tests.
    model = ParetoNBD(0.55, 10.56, 0.61, 11.64, 0.0, None, DONE, "weeks")
    published = [
        0.0, 0.05077821, 0.09916088, 0.14542507, 0.18979930,
        0.23247466, 0.27361274, 0.31335159, 0.35181024, 0.38909211,
    ]  # fmt: skip

    values = [model.expected_cumulative_purchases(t) for t in range(10)]

    assert values == pytest.approx(published, abs=5e-9)


def test_pareto_nbd_fitted_on_cdnow_expects_the_walkthroughs_purchases_in_a_year(cdnow):
    # BTYD's walkthrough: pnbd.Expectation(params, t = 52) = 1.473434 with its own CDNOW
    # estimates, which differ from the published ones in the fourth figure.
    model = fit(cdnow, model="pareto_nbd")

    assert model.expected_cumulative_purchases(52) == pytest.approx(1.473434, abs=2e-3)


# --- Independent computations ---------------------------------------------------------


def _gamma_pdf(x: float, shape: float, rate: float) -> float:
    return math.exp(
        shape * math.log(rate) + (shape - 1) * math.log(x) - rate * x - special.gammaln(shape)
    )


def _beta_pdf(p: float, a: float, b: float) -> float:
    return math.exp((a - 1) * math.log(p) + (b - 1) * math.log1p(-p) - special.betaln(a, b))


def _poisson(n: int, mean: float) -> float:
    return math.exp(n * math.log(mean) - mean - special.gammaln(n + 1)) if mean else float(n == 0)


def _at_least(n: int, mean: float) -> float:
    """P(Poisson(mean) >= n)."""
    return 1.0 if n == 0 else float(special.gammainc(n, mean))


def _bg_individual(n: int, t: float, rate: float, p: float, *, first: bool) -> float:
    """P(X(t) = n | lambda, p): buying at `rate`, leaving with chance p after each purchase
    (and at the first, when `first`)."""
    stay = 1 - p
    kept = stay ** (n + first) * _poisson(n, rate * t)
    if n == 0 and not first:
        return kept
    return kept + p * stay ** (n - 1 + first) * _at_least(n, rate * t)


def _pareto_individual(n: int, t: float, rate: float, death: float) -> float:
    """P(X(t) = n | lambda, mu): buying at `rate` until an exponential(`death`) lifetime."""
    total = rate + death
    alive = math.exp(-death * t) * _poisson(n, rate * t)
    dead = (rate / total) ** n * (death / total) * float(special.gammainc(n + 1, total * t))
    return alive + dead


def _mixture(function, outer: tuple[float, float], inner: tuple[float, float]) -> float:
    value, _ = integrate.dblquad(function, *outer, *inner, epsabs=1e-13, epsrel=1e-10)
    return float(value)


@pytest.mark.parametrize(("n", "t"), [(0, 39), (1, 39), (4, 78), (2, 5)])
@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd"])
def test_bg_probabilities_equal_the_individual_model_integrated_over_rates_and_dropout(name, n, t):
    model = MODELS[name]
    first = name == "mbgnbd"

    def joint(p: float, rate: float) -> float:
        return (
            _bg_individual(n, t, rate, p, first=first)
            * _gamma_pdf(rate, model.r, model.alpha)
            * _beta_pdf(p, model.a, model.b)
        )

    expected = _mixture(joint, (0, np.inf), (0, 1))

    assert model.probability_of_purchases(n, t) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(("n", "t"), [(0, 39), (1, 39), (4, 78), (2, 5), (10, 2)])
def test_pareto_probabilities_equal_the_individual_model_integrated_over_both_rates(n, t):
    model = PARETO

    def joint(death: float, rate: float) -> float:
        return (
            _pareto_individual(n, t, rate, death)
            * _gamma_pdf(rate, model.r, model.alpha)
            * _gamma_pdf(death, model.s, model.beta)
        )

    expected = _mixture(joint, (0, np.inf), (0, np.inf))

    assert model.probability_of_purchases(n, t) == pytest.approx(expected, rel=1e-6)


def _btyd_pnbd_pmf(x: int, t: float, r: float, alpha: float, s: float, beta: float) -> float:
    """BTYD's pnbd.pmf closed form (Fader and Hardie 2006, with its 2.4.3 fix), written anew."""
    nbd = math.exp(
        special.gammaln(r + x)
        - special.gammaln(r)
        - special.gammaln(x + 1)
        + r * math.log(alpha / (alpha + t))
        + x * math.log(t / (alpha + t))
        + s * math.log(beta / (beta + t))
    )
    top, bottom = max(alpha, beta), min(alpha, beta)
    second = s + 1 if alpha >= beta else r + x

    def b_term(i: int, shift: float) -> float:
        power = r + s + i
        z = (top - bottom) / (top + shift)
        return float(special.hyp2f1(power, second, r + s + x + 1, z)) / (top + shift) ** power

    summed = b_term(0, t) + sum(
        t**i / (i * special.beta(r + s, i)) * b_term(i, t) for i in range(1, x + 1)
    )
    scale = math.exp(
        r * math.log(alpha)
        + s * math.log(beta)
        + special.betaln(r + x, s + 1)
        - special.betaln(r, s)
    )
    return nbd + scale * (b_term(0, 0) - summed)


@pytest.mark.parametrize(
    ("n", "t", "params"),
    [
        (0, 39, (0.553, 10.578, 0.606, 11.669)),
        (3, 39, (0.553, 10.578, 0.606, 11.669)),
        (2, 30, (0.55, 10.56, 0.61, 11.64)),
        (1, 5, (2.0, 1.0, 0.5, 30.0)),  # alpha < beta: the other form of the hypergeometric
        (4, 20, (0.3, 30.0, 2.0, 1.0)),
    ],
)
def test_pareto_probabilities_agree_with_btyds_closed_form(n, t, params):
    model = ParetoNBD(*params, 0.0, None, DONE, "weeks")

    assert model.probability_of_purchases(n, t) == pytest.approx(
        _btyd_pnbd_pmf(n, t, *params), rel=1e-9
    )


def _simulate(name: str, model, rng, size: int, horizon: float) -> np.ndarray:
    """Repeat purchases in `horizon` of `size` new customers drawn from the model."""
    rate = rng.gamma(model.r, 1 / model.alpha, size)
    if name == "pareto_nbd":
        lifetime = rng.exponential(1 / rng.gamma(model.s, 1 / model.beta, size))
        return rng.poisson(rate * np.minimum(lifetime, horizon))
    p = rng.beta(model.a, model.b, size)
    # Purchases made before leaving: geometric, counted from 1 (BG/NBD) or from 0 (MBG/NBD).
    made = rng.geometric(p) - (name == "mbgnbd")
    return np.minimum(rng.poisson(rate * horizon), made)


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_probabilities_match_the_shares_in_a_simulated_cohort(name):
    model, size = MODELS[name], 200_000
    counts = _simulate(name, model, np.random.default_rng(20260), size, 39.0)

    probabilities = model.probability_of_purchases(range(6), 39)

    for n, probability in enumerate(probabilities):
        share = float(np.mean(counts == n))
        error = math.sqrt(probability * (1 - probability) / size)
        assert abs(share - probability) < 5 * error, (n, share, probability)


# --- Consistency ----------------------------------------------------------------------


@pytest.mark.parametrize("t", [1.0, 39.0, 78.0])
@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_probabilities_sum_to_1_and_their_mean_is_the_expected_cumulative_purchases(name, t):
    model = MODELS[name]
    n = np.arange(5000)

    values = model.probability_of_purchases(n, t)

    assert float(values.sum()) == pytest.approx(1.0, abs=1e-9)
    assert float((n * values).sum()) == pytest.approx(
        model.expected_cumulative_purchases(t), rel=1e-9
    )


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_nobody_buys_in_no_time(name):
    model = MODELS[name]

    assert model.probability_of_purchases(0, 0) == 1.0
    assert model.probability_of_purchases(3, 0) == 0.0
    assert list(model.probability_of_purchases([0, 1], 0, HISTORY)[:, 0]) == [1.0] * 4


def test_pareto_nbd_expected_cumulative_purchases_are_a_new_customers_expected_purchases():
    new = ModelInput(frequency=[0], first_to_last=[0], first_to_end=[0])

    for t in (0.5, 13, 52, 500):
        assert PARETO.expected_cumulative_purchases(t) == pytest.approx(
            PARETO.expected_purchases(t, new)[0], rel=1e-12
        )


def test_pareto_nbd_expected_cumulative_purchases_at_s_1_is_the_logarithmic_limit():
    at_one = ParetoNBD(0.5, 10.0, 1.0, 12.0, 0.0, None, DONE, "weeks")
    beside = [ParetoNBD(0.5, 10.0, 1.0 + d, 12.0, 0.0, None, DONE, "weeks") for d in (-1e-7, 1e-7)]

    value = at_one.expected_cumulative_purchases(52)

    # E[X(t)] = r/alpha * E[time alive within t] = r/alpha * beta log(1 + t/beta) at s = 1.
    assert value == pytest.approx(0.5 / 10.0 * 12.0 * math.log1p(52 / 12.0), rel=1e-12)
    for model in beside:
        assert model.expected_cumulative_purchases(52) == pytest.approx(value, rel=1e-6)


# --- Existing customers -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_each_customers_probabilities_sum_to_1_with_mean_their_expected_purchases(name):
    model = MODELS[name]
    n = np.arange(3000)

    values = model.probability_of_purchases(n, 39, HISTORY)

    assert values.shape == (4, 3000)
    assert values.sum(axis=1) == pytest.approx([1.0] * 4, abs=1e-9)
    assert (values * n).sum(axis=1) == pytest.approx(
        model.expected_purchases(39, HISTORY), rel=1e-9
    )


def _posterior_check(joint_future, joint_history, outer, inner) -> float:
    return _mixture(joint_future, outer, inner) / _mixture(joint_history, outer, inner)


@pytest.mark.parametrize(
    ("x", "t_x", "big_t", "n"), [(2, 30.43, 38.86, 0), (2, 30.43, 38.86, 2), (0, 0.0, 30.0, 1)]
)
@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd"])
def test_a_customers_bg_probabilities_equal_the_posterior_average_of_the_individual_model(
    name, x, t_x, big_t, n
):
    model, t = MODELS[name], 26.0
    first = name == "mbgnbd"

    def alive(rate: float, p: float) -> float:  # likelihood of the history, alive at T
        return (1 - p) ** (x + first) * rate**x * math.exp(-rate * big_t)

    def gone(rate: float, p: float) -> float:  # ... and having left after the last purchase
        if x == 0 and not first:
            return 0.0
        return p * (1 - p) ** (x - 1 + first) * rate**x * math.exp(-rate * t_x)

    def prior(rate: float, p: float) -> float:
        return _gamma_pdf(rate, model.r, model.alpha) * _beta_pdf(p, model.a, model.b)

    def future(p: float, rate: float) -> float:
        ahead = _bg_individual(n, t, rate, p, first=False)  # alive at T: no chance at T itself
        return prior(rate, p) * (alive(rate, p) * ahead + gone(rate, p) * (n == 0))

    def history(p: float, rate: float) -> float:
        return prior(rate, p) * (alive(rate, p) + gone(rate, p))

    expected = _posterior_check(future, history, (0, np.inf), (0, 1))
    table = ModelInput(frequency=[x], first_to_last=[t_x], first_to_end=[big_t])

    assert model.probability_of_purchases(n, t, table)[0] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("x", "t_x", "big_t", "n"), [(2, 30.43, 38.86, 0), (2, 30.43, 38.86, 2), (0, 0.0, 30.0, 1)]
)
def test_a_customers_pareto_probabilities_equal_the_posterior_average_of_the_individual_model(
    x, t_x, big_t, n
):
    model, t = PARETO, 26.0

    def alive(rate: float, death: float) -> float:
        return rate**x * math.exp(-(rate + death) * big_t)

    def gone(rate: float, death: float) -> float:  # left at some time in (t_x, T)
        total = rate + death
        return rate**x * death / total * (math.exp(-total * t_x) - math.exp(-total * big_t))

    def prior(rate: float, death: float) -> float:
        return _gamma_pdf(rate, model.r, model.alpha) * _gamma_pdf(death, model.s, model.beta)

    def future(death: float, rate: float) -> float:
        ahead = _pareto_individual(n, t, rate, death)
        return prior(rate, death) * (alive(rate, death) * ahead + gone(rate, death) * (n == 0))

    def history(death: float, rate: float) -> float:
        return prior(rate, death) * (alive(rate, death) + gone(rate, death))

    expected = _posterior_check(future, history, (0, np.inf), (0, np.inf))
    table = ModelInput(frequency=[x], first_to_last=[t_x], first_to_end=[big_t])

    assert model.probability_of_purchases(n, t, table)[0] == pytest.approx(expected, rel=1e-6)


def _simulate_histories(name: str, model, rng, size: int, holdout: float):
    """Calibration histories (x, t_x, T) and holdout purchases of customers drawn from the model."""
    big_t = rng.uniform(20.0, 40.0, size)
    rate = rng.gamma(model.r, 1 / model.alpha, size)
    if name == "pareto_nbd":
        end = rng.exponential(1 / rng.gamma(model.s, 1 / model.beta, size))
        allowed = np.full(size, np.iinfo(np.int64).max)
    else:
        end = np.full(size, np.inf)
        allowed = rng.geometric(rng.beta(model.a, model.b, size)) - (name == "mbgnbd")
    x, t_x, future = np.zeros(size), np.zeros(size), np.zeros(size)
    now, made = np.zeros(size), np.zeros(size, dtype=np.int64)
    for _ in range(1000):  # enough purchases for every customer drawn (checked below)
        now = now + rng.exponential(1 / rate)
        buys = (now < end) & (made < allowed) & (now < big_t + holdout)
        if not buys.any():
            break
        made += buys
        before = buys & (now <= big_t)
        x += before
        t_x = np.where(before, now, t_x)
        future += buys & (now > big_t)
    else:  # pragma: no cover - the draw would need more than 1000 purchases
        raise AssertionError("simulation did not finish")
    return ModelInput(frequency=x, first_to_last=t_x, first_to_end=big_t), future


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_customers_probabilities_match_holdout_shares_in_a_simulated_cohort(name):
    # For any group defined by the calibration data, the mean of the customers'
    # P(n purchases in the holdout) is the share of the group that makes n of them.
    model, size = MODELS[name], 30_000
    table, future = _simulate_histories(name, model, np.random.default_rng(7), size, 26.0)
    probabilities = model.probability_of_purchases(range(3), 26.0, table)

    groups = {"none": table.frequency == 0, "1-2": (table.frequency >= 1) & (table.frequency <= 2)}
    groups["3+"] = table.frequency >= 3
    for label, members in groups.items():
        for n in range(3):
            expected = float(probabilities[members, n].mean())
            share = float(np.mean(future[members] == n))
            error = math.sqrt(expected * (1 - expected) / members.sum())
            assert abs(share - expected) < 5 * error, (label, n, share, expected)


# --- Shapes, input, extremes ----------------------------------------------------------


def test_one_n_gives_a_float_a_sequence_an_array_and_customers_one_value_each():
    assert isinstance(BG.probability_of_purchases(np.int64(2), 10), float)
    assert BG.probability_of_purchases((n for n in (0, 1, 2)), 10).shape == (3,)
    assert PARETO.probability_of_purchases(1, 10, HISTORY).shape == (4,)
    assert MBG.probability_of_purchases([1, 2], 10, HISTORY).shape == (4, 2)
    assert MBG.probability_of_purchases([1, 2], 10, HISTORY)[:, 1] == pytest.approx(
        MBG.probability_of_purchases(2, 10, HISTORY), rel=1e-15
    )


@pytest.mark.parametrize(
    ("n", "error", "field"),
    [
        (True, InvalidType, "n"),
        (1.0, InvalidType, "n"),
        ("2", InvalidType, "n"),
        (None, InvalidType, "n"),
        (-1, InvalidField, "n"),
        (10**10, InvalidField, "n"),
        ([], InvalidField, "n"),
        (range(10_001), InvalidField, "n"),
        ([0, 1, 2.5], InvalidType, "n[2]"),
        ([0, -3], InvalidField, "n[1]"),
    ],
)
@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_a_bad_n_is_refused_naming_it(name, n, error, field):
    with pytest.raises(error) as raised:
        MODELS[name].probability_of_purchases(n, 10)

    assert raised.value.field == field


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_a_bad_horizon_or_table_is_refused_naming_it(name):
    model = MODELS[name]

    with pytest.raises(InvalidField) as raised:
        model.probability_of_purchases(1, -1)
    assert raised.value.field == "t"
    with pytest.raises(InvalidType) as raised:
        model.probability_of_purchases(1, 10, customers=[(1, 2.0, 3.0)])
    assert raised.value.field == "customers"
    with pytest.raises(InvalidType) as raised:
        PARETO.expected_cumulative_purchases("52")
    assert raised.value.field == "t"


positive = st.floats(min_value=1e-3, max_value=1e3)


@st.composite
def histories(draw):
    x = draw(st.integers(min_value=0, max_value=300))
    big_t = draw(st.floats(min_value=0.01, max_value=500))
    t_x = draw(st.floats(min_value=0.001, max_value=big_t)) if x else 0.0
    return ModelInput(frequency=[x], first_to_last=[t_x], first_to_end=[big_t])


def _probabilities(values) -> bool:
    return bool(np.all(np.isfinite(values)) and np.all(values >= 0) and np.all(values <= 1))


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["bgnbd", "mbgnbd", "pareto_nbd"]),
    positive,
    positive,
    positive,
    positive,
    histories(),
    st.lists(st.integers(min_value=0, max_value=2000), min_size=1, max_size=4),
    st.floats(0, 1e3),
)
def test_probabilities_are_finite_and_between_0_and_1_over_wide_parameters(
    name, p1, p2, p3, p4, table, n, t
):
    kind = {"bgnbd": BGNBD, "mbgnbd": MBGNBD, "pareto_nbd": ParetoNBD}[name]
    model = kind(p1, p2, p3, p4, 0.0, None, DONE, "weeks")

    assert _probabilities(model.probability_of_purchases(n, t))
    assert _probabilities(model.probability_of_purchases(n, t, table))
    if name == "pareto_nbd":
        value = model.expected_cumulative_purchases(t)
        assert math.isfinite(value)
        assert value >= 0
