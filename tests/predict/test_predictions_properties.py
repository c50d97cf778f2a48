"""Predictions are finite, at least 0, and probabilities at most 1, over wide ranges."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.predict._bgnbd import BGNBD
from salesflow.predict._numeric import Convergence
from salesflow.predict._pareto import ParetoNBD
from salesflow.predict.inputs import ModelInput

positive = st.floats(min_value=1e-3, max_value=1e3)
DONE = Convergence(converged=True, iterations=0, message="given", gradient_norm=0.0)


@st.composite
def customers(draw):
    x = draw(st.integers(min_value=0, max_value=300))
    big_t = draw(st.floats(min_value=0.01, max_value=500))
    t_x = draw(st.floats(min_value=0.001, max_value=big_t)) if x else 0.0
    return ModelInput(frequency=[x], first_to_last=[t_x], first_to_end=[big_t])


def _sound(values) -> bool:
    return all(math.isfinite(v) and v >= 0 for v in values)


@settings(max_examples=300)
@given(positive, positive, positive, positive, customers(), st.floats(0, 1e3))
def test_bgnbd_predictions_are_finite_non_negative_and_probabilities(r, alpha, a, b, table, t):
    model = BGNBD(r, alpha, a, b, 0.0, None, DONE, "weeks")

    alive = model.p_alive(table)
    expected = model.expected_purchases(t, table)
    cumulative = model.expected_cumulative_purchases(t)

    assert _sound(alive)
    assert all(p <= 1 for p in alive)
    assert _sound(expected)
    assert _sound([cumulative])


@settings(max_examples=300)
@given(positive, positive, positive, positive, customers(), st.floats(0, 1e3))
def test_pareto_nbd_predictions_are_finite_non_negative_and_probabilities(
    r, alpha, s, beta, table, t
):
    model = ParetoNBD(r, alpha, s, beta, 0.0, None, DONE, "weeks")

    alive = model.p_alive(table)
    expected = model.expected_purchases(t, table)

    assert _sound(alive)
    assert all(p <= 1 for p in alive)
    assert _sound(expected)


@given(positive, positive, customers())
def test_bgnbd_expected_purchases_near_a_equal_1_agree_with_either_side(r, alpha, table):
    below = BGNBD(r, alpha, 1 - 1e-3, 2.0, 0.0, None, DONE, "weeks")
    at = BGNBD(r, alpha, 1.0, 2.0, 0.0, None, DONE, "weeks")
    above = BGNBD(r, alpha, 1 + 1e-3, 2.0, 0.0, None, DONE, "weeks")

    low, mid, high = (m.expected_purchases(10, table)[0] for m in (below, at, above))

    assert min(low, high) - 1e-6 * (1 + high) <= mid <= max(low, high) + 1e-6 * (1 + high)
