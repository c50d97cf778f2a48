"""Shifted-beta-geometric (sBG): how long customers keep renewing a contract.

Fitted by maximum likelihood on one cohort's survivors per period (Fader and
Hardie 2007, "How to project customer retention"); predicts survival, retention
rates and the discounted expected residual lifetime (Fader and Hardie 2010).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from salesflow.errors import InvalidField, InvalidType
from salesflow.predict._numeric import Convergence, FloatArray, maximise, np, special

__all__ = ["ShiftedBetaGeometric", "fit_sbg", "sbg_log_likelihood"]

_NUMBER = int | float | Decimal | np.integer | np.floating


def _whole(name: str, value: Any, expected: str) -> int:
    """A whole number at least 0 (int, or a float/Decimal without a fraction; not a bool)."""
    if isinstance(value, bool) or not isinstance(value, _NUMBER):
        raise InvalidType(name, value, expected)
    number = float(value)
    if not math.isfinite(number) or number < 0 or number != int(number):
        raise InvalidField(name, value, expected)
    return int(number)


def _survivors(value: Any) -> FloatArray:
    """The cohort's counts alive at periods 0..n, checked: whole, non-increasing, n >= 1."""
    what = "whole numbers of customers alive at periods 0, 1, ..., n"
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidType("survivors", value, f"a sequence of {what}")
    counts: list[int] = []
    for index, item in enumerate(value):
        count = _whole(f"survivors[{index}]", item, "a whole number of customers, at least 0")
        if index == 0 and count == 0:
            raise InvalidField("survivors[0]", item, "the cohort's size at period 0, more than 0")
        if counts and count > counts[-1]:
            raise InvalidField(
                f"survivors[{index}]",
                item,
                f"at most survivors[{index - 1}] ({counts[-1]}): a cohort never grows",
            )
        counts.append(count)
    if len(counts) < 2:
        raise InvalidField("survivors", value, f"{what}: at least two counts (periods 0 and 1)")
    return np.asarray(counts, dtype=np.float64)


def _periods(value: Any) -> FloatArray:
    """Whole periods at least 0: one number or a sequence of them, as a float array."""
    expected = "a whole number of periods, at least 0"
    if isinstance(value, str | bytes | Mapping):
        raise InvalidType("t", value, f"{expected}, or a sequence of them")
    if not isinstance(value, Iterable):
        return np.asarray([_whole("t", value, expected)], dtype=np.float64)
    return np.asarray(
        [_whole(f"t[{index}]", item, expected) for index, item in enumerate(value)],
        dtype=np.float64,
    )


def sbg_log_likelihood(alpha: float, beta: float, survivors: FloatArray) -> float:
    """The cohort's log-likelihood under sBG(alpha, beta), from its counts alive per period.

    The customers lost in period t (survivors[t-1] - survivors[t]) left with
    probability P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta); those
    still alive at the last period n add S(n) = B(alpha, beta + n) / B(alpha, beta).
    """
    n = survivors.size - 1
    t = np.arange(1, n + 1, dtype=np.float64)
    lost = survivors[:-1] - survivors[1:]
    base = special.betaln(alpha, beta)
    churn = special.betaln(alpha + 1, beta + t - 1) - base
    alive = special.betaln(alpha, beta + n) - base
    return float(np.sum(lost * churn) + survivors[-1] * alive)


def _rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, _NUMBER):
        raise InvalidType("discount_rate", value, "a discount rate per period, at least 0.0001")
    rate = float(value)
    if not math.isfinite(rate) or rate < _LEAST_RATE:
        raise InvalidField(
            "discount_rate", value, "a finite discount rate per period, at least 0.0001"
        )
    return rate


@attrs.frozen
class ShiftedBetaGeometric:
    """A fitted sBG retention model: ``alpha`` and ``beta`` by their published names.

    Each customer renews at the end of every period with their own
    probability 1 - theta, theta ~ Beta(alpha, beta) across customers, so the
    cohort's retention rate rises as the likely leavers leave.
    ``standard_errors`` maps each name to its standard error (None when the
    Hessian was singular or the fit did not converge); ``convergence`` says
    how the search ended; ``cohort`` is the count at period 0 and ``periods``
    the last period observed. Predictions are finite, in [0, 1] for
    probabilities.
    """

    alpha: float
    beta: float
    log_likelihood: float
    standard_errors: dict[str, float] | None
    convergence: Convergence
    cohort: int
    periods: int

    def survival(self, t: Any) -> FloatArray:
        """S(t): the share of the cohort still a customer at period ``t`` (one value per t).

        ``t`` is a whole number of periods at least 0, or a sequence of them;
        S(0) = 1. Multiply by the cohort's size for expected survivors.
        """
        periods = _periods(t)
        log_s = special.betaln(self.alpha, self.beta + periods) - special.betaln(
            self.alpha, self.beta
        )
        result: FloatArray = np.clip(np.exp(log_s), 0.0, 1.0)
        return result

    def retention_rate(self, t: Any) -> FloatArray:
        """r(t) = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1), for t at least 1.

        The share of the customers alive at period t - 1 who renew for period
        ``t`` (a whole number at least 1, or a sequence of them); it rises with t.
        """
        periods = _periods(t)
        early = np.flatnonzero(periods < 1)
        if early.size:
            field = "t" if not isinstance(t, Iterable) else f"t[{int(early[0])}]"
            raise InvalidField(field, 0, "a whole number of periods, at least 1")
        result: FloatArray = (self.beta + periods - 1) / (self.alpha + self.beta + periods - 1)
        return result

    def derl(self, discount_rate: Any, *, renewals: Any) -> float:
        """The discounted expected residual lifetime, in periods, of a customer still active.

        For a customer who has renewed ``renewals`` times (``renewals`` = 0: in
        their first period) and is about to decide on the next renewal, the
        expected number of further periods they pay for, each discounted by
        ``discount_rate`` per period (at least 0.0001), the next one undiscounted
        since its decision is now (Fader and Hardie 2010, with n - 1 renewals):
        B(alpha, beta + n) / B(alpha, beta + n - 1) * 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d)).
        Multiply by the margin per period for the customer's residual value.
        """
        rate = _rate(discount_rate)
        n = _whole("renewals", renewals, "a whole number of renewals, at least 0") + 1
        return _derl(self.alpha, self.beta, n, rate)


# The smallest discount rate per period: 0.01% (5% a year is about 0.013% a day). The
# series then needs about 400,000 terms; scipy's 2F1, the closed form, returns NaN for
# many parameters at such rates, so the series is summed term by term instead.
_LEAST_RATE = 1e-4


def _derl(alpha: float, beta: float, n: int, rate: float) -> float:
    """sum over k >= 0 of S(n + k) / S(n - 1) / (1 + d)**k, summed to a 1e-17 remainder.

    Each term is at most (1 + d)**-k, so the terms left out after k = 40 / ln(1 + d)
    sum to less than e**-40 (1 + d) / d; the value lies within [0, (1 + d) / d].
    """
    discount = 1.0 / (1.0 + rate)
    first = beta + n - 1
    k = np.arange(math.ceil(40.0 / math.log1p(rate)) + 1, dtype=np.float64)
    with np.errstate(under="ignore"):
        steps = (first + k) / (alpha + first + k) * np.where(k > 0, discount, 1.0)
        value = float(np.sum(np.cumprod(steps)))
    return min(max(value, 0.0), (1.0 + rate) / rate)


def _no_maximum(counts: FloatArray) -> str:
    """Why the likelihood of these counts has no maximum inside the parameter space, or ''."""
    if counts[-1] == counts[0]:
        return "nobody left the cohort, so the maximum is at the edge (churn probability 0)"
    if counts[1] == 0:
        return "everybody left in period 1, so the maximum is at the edge (churn probability 1)"
    return ""


def fit_sbg(survivors: Any) -> ShiftedBetaGeometric:
    """The sBG model of one cohort by maximum likelihood, from its counts alive per period.

    ``survivors`` are whole numbers of customers alive at periods 0, 1, ...,
    n (period 0 is the whole cohort), at least two of them, never
    increasing; a cohort tracked per 1,000 works as well. A fit that did not
    converge is still returned, saying so in ``convergence``: so is the fit of
    a cohort where nobody left, or everybody left in period 1, whose
    likelihood has no maximum (it rises towards the edge of the parameters).
    """
    counts = _survivors(survivors)

    def log_likelihood(params: FloatArray) -> float:
        return sbg_log_likelihood(float(params[0]), float(params[1]), counts)

    found = maximise(
        log_likelihood, start=(1.0, 1.0), customers=int(counts[0]), names=("alpha", "beta")
    )
    alpha, beta = found.parameters
    convergence, errors = found.convergence, found.standard_errors
    edge = _no_maximum(counts)
    if edge:
        # The likelihood keeps rising towards the edge; wherever the search stopped,
        # its parameters are not a maximum and their errors mean nothing.
        convergence = attrs.evolve(
            convergence, converged=False, message=f"{convergence.message}; {edge}"
        )
        errors = None
    return ShiftedBetaGeometric(
        alpha=alpha,
        beta=beta,
        log_likelihood=found.log_likelihood,
        standard_errors=None
        if errors is None
        else dict(zip(("alpha", "beta"), errors, strict=True)),
        convergence=convergence,
        cohort=int(counts[0]),
        periods=int(counts.size - 1),
    )
