"""MBG/NBD: the BTYDplus values on CDNOW, P(alive) below 1 for one-time buyers, sound predictions."""

from __future__ import annotations

import math

import pytest
from scipy import special

from salesflow import InvalidField, InvalidType
from salesflow.predict import fit
from salesflow.predict.inputs import ModelInput


@pytest.fixture(scope="module")
def mbgnbd(cdnow):
    return fit(cdnow, model="mbgnbd")


def test_mbgnbd_on_cdnow_gives_the_btydplus_parameters(mbgnbd):
    # BTYDplus (Platzer), as pinned in lifetimes' tests: r, alpha, a, b.
    published = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}

    for name, value in published.items():
        assert getattr(mbgnbd, name) == pytest.approx(value, abs=0.0005), name
    assert mbgnbd.convergence.converged
    assert set(mbgnbd.standard_errors) == {"r", "alpha", "a", "b"}


def test_mbgnbd_fits_cdnow_at_least_as_well_as_bgnbd(cdnow, mbgnbd):
    bgnbd = fit(cdnow, model="bgnbd")

    assert mbgnbd.log_likelihood >= bgnbd.log_likelihood
    assert mbgnbd.log_likelihood == pytest.approx(-9582.13, abs=0.01)


def test_one_time_buyers_are_alive_for_sure_under_bgnbd_but_not_under_mbgnbd(cdnow, mbgnbd):
    bgnbd = fit(cdnow, model="bgnbd")
    one_time = ModelInput(frequency=[0, 0], first_to_last=[0, 0], first_to_end=[1.0, 38.0])

    under_bgnbd = bgnbd.p_alive(one_time)
    under_mbgnbd = mbgnbd.p_alive(one_time)

    assert under_bgnbd.tolist() == [1.0, 1.0]
    assert 0 < under_mbgnbd[1] < under_mbgnbd[0] < 1


def test_p_alive_is_the_papers_closed_form(mbgnbd):
    r, alpha, a, b = mbgnbd.r, mbgnbd.alpha, mbgnbd.a, mbgnbd.b
    table = ModelInput(frequency=[3], first_to_last=[20.0], first_to_end=[35.0])

    expected = 1 / (1 + a / (b + 3) * ((alpha + 35) / (alpha + 20)) ** (r + 3))

    assert mbgnbd.p_alive(table)[0] == pytest.approx(expected, rel=1e-12)


def test_conditional_expectation_is_the_papers_closed_form(mbgnbd):
    # Batislam et al. (2007), eq. for E[Y(t) | x, t_x, T], written out independently.
    r, alpha, a, b = mbgnbd.r, mbgnbd.alpha, mbgnbd.a, mbgnbd.b
    x, t_x, big_t, t = 2, 30.43, 38.86, 39.0
    hyp = special.hyp2f1(r + x, b + x + 1, a + b + x, t / (alpha + big_t + t))
    while_alive = (
        (a + b + x) / (a - 1) * (1 - hyp * ((alpha + big_t) / (alpha + big_t + t)) ** (r + x))
    )
    alive = 1 / (1 + a / (b + x) * ((alpha + big_t) / (alpha + t_x)) ** (r + x))
    table = ModelInput(frequency=[x], first_to_last=[t_x], first_to_end=[big_t])

    assert mbgnbd.expected_purchases(t, table)[0] == pytest.approx(while_alive * alive, rel=1e-9)


@pytest.mark.parametrize(("t", "hardie"), [(1, 0.0532), (3, 0.1506), (32, 1.0437), (78, 1.8576)])
def test_expected_cumulative_purchases_stay_within_5_percent_of_the_bgnbd_spreadsheet(
    mbgnbd, t, hardie
):
    # lifetimes holds its ModifiedBetaGeoFitter to Hardie's BG/NBD figures with rtol 0.05.
    assert mbgnbd.expected_cumulative_purchases(t) == pytest.approx(hardie, rel=0.05)


def test_log_likelihood_sums_over_customers_and_is_finite_for_one_time_buyers(cdnow, mbgnbd):
    from salesflow.predict._mbgnbd import mbgnbd_log_likelihood

    each = mbgnbd_log_likelihood(mbgnbd.r, mbgnbd.alpha, mbgnbd.a, mbgnbd.b, cdnow)

    assert bool(((each < 0) & (each > -math.inf)).all())
    assert float(each.sum()) == pytest.approx(mbgnbd.log_likelihood, rel=1e-12)


def test_predictions_are_finite_at_least_0_and_grow_with_the_horizon(cdnow, mbgnbd):
    near = mbgnbd.expected_purchases(10, cdnow)
    far = mbgnbd.expected_purchases(50, cdnow)
    alive = mbgnbd.p_alive(cdnow)

    assert bool(((near >= 0) & (far >= near)).all())
    assert bool(((alive > 0) & (alive < 1)).all())


def test_a_near_1_gives_the_limit_not_nan(mbgnbd):
    import attrs

    at_one = attrs.evolve(mbgnbd, a=1.0)
    table = ModelInput(frequency=[0, 4], first_to_last=[0, 12.0], first_to_end=[20.0, 30.0])

    values = at_one.expected_purchases(26, table)
    beside = attrs.evolve(mbgnbd, a=1.001).expected_purchases(26, table)

    assert values.tolist() == pytest.approx(beside.tolist(), rel=1e-2)
    assert at_one.expected_cumulative_purchases(26) > 0


def test_fit_refuses_anything_but_a_non_empty_table():
    empty = ModelInput(frequency=[], first_to_last=[], first_to_end=[])

    with pytest.raises(InvalidType, match=r"^data: "):
        fit([[1, 2, 3]], model="mbgnbd")
    with pytest.raises(InvalidType, match="at least one customer"):
        fit(empty, model="mbgnbd")


def test_predictions_refuse_a_negative_horizon_and_a_plain_list(mbgnbd):
    table = ModelInput(frequency=[1], first_to_last=[2.0], first_to_end=[3.0])

    with pytest.raises(InvalidField, match="t"):
        mbgnbd.expected_purchases(-1, table)
    with pytest.raises(InvalidType, match=r"^customers: "):
        mbgnbd.p_alive([1, 2.0, 3.0])
