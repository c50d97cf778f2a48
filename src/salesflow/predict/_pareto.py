"""Pareto/NBD (Schmittlein, Morrison and Colombo 1987): purchases while alive, dropout any time.

The likelihood follows Fader and Hardie's "A Note on Deriving the Pareto/NBD
Model and Related Expressions" (2005). Its Gaussian hypergeometric terms are
evaluated in logs, after Euler's transformation where the series would
diverge near 1, which is where other implementations return NaN.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs

from salesflow.predict._counts import pareto_counts
from salesflow.predict._fitting import customers_table, fit_purchases
from salesflow.predict._numeric import (
    Convergence,
    FloatArray,
    horizon,
    hyp2f1,
    np,
    special,
)
from salesflow.predict._purchases import PurchaseModel
from salesflow.predict.inputs import ModelInput

__all__ = ["ParetoNBD", "fit_pareto_nbd", "pareto_nbd_log_likelihood"]


def _log_hyp2f1(a: Any, b: Any, c: Any, z: Any) -> FloatArray:
    """log 2F1(a, b; c; z) for 0 <= z < 1 and positive a, b, c.

    When c - a - b < 0 the series grows without bound as z -> 1; Euler's
    transformation 2F1(a, b; c; z) = (1 - z)**(c-a-b) 2F1(c-a, c-b; c; z) moves
    the growth into the first factor, computed exactly in logs.
    """
    excess = c - a - b
    with np.errstate(all="ignore"):
        direct = np.log(hyp2f1(a, b, c, z))
        euler = excess * np.log1p(-z) + np.log(hyp2f1(c - a, c - b, c, z))
    result: FloatArray = np.where(excess < 0, euler, direct)
    bad = ~np.isfinite(result)
    if np.any(bad):  # scipy failed (z near 1 with extreme parameters): integrate instead
        a_, b_, z_ = np.broadcast_arrays(a, b, z)
        result = np.array(result, dtype=np.float64)
        result[bad] = _log_hyp2f1_by_quadrature(a_[bad], b_[bad], z_[bad])
    return result


# Gauss-Legendre nodes on [0, 1], read once: the fallback below needs no more than this.
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(400)
_NODES, _WEIGHTS = (_NODES + 1) / 2, _WEIGHTS / 2


def _log_hyp2f1_by_quadrature(a: FloatArray, b: FloatArray, z: FloatArray) -> FloatArray:
    """log 2F1(a, b; a + 1; z) for 0 <= z < 1, from Euler's integral (the c = a + 1 the model has).

    2F1(a, b; a+1; z) = integral over u in [0, 1] of (1 - z u**(1/a))**(-b) du,
    a positive integrand rising towards u = 1; u = 1 - v**4 puts the nodes
    there. Summed in logs, so the value is finite and positive wherever the
    function is (scipy's series can give NaN near z = 1).
    """
    v = _NODES[None, :]
    u = -np.expm1(4 * np.log(v))  # 1 - v**4
    with np.errstate(divide="ignore"):
        log_u = np.log(u)
    inner = np.exp(log_u / a[:, None])  # u**(1/a)
    log_terms = (
        -b[:, None] * np.log1p(-z[:, None] * inner)
        + math.log(4)
        + 3 * np.log(v)
        + np.log(_WEIGHTS)[None, :]
    )
    result: FloatArray = special.logsumexp(log_terms, axis=1)
    return result


def _parts(
    r: float, alpha: float, s: float, beta: float, customers: ModelInput
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The log of the constant, of the 'alive at T' term and of the 'dropped before T' term."""
    x, t_x, big_t = customers.frequency, customers.first_to_last, customers.first_to_end
    constant = (
        special.gammaln(r + x) - special.gammaln(r) + r * math.log(alpha) + s * math.log(beta)
    )
    alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    top = r + s + x
    if alpha >= beta:
        second = s + 1

        def term(t: FloatArray) -> FloatArray:
            z = (alpha - beta) / (alpha + t)
            result: FloatArray = _log_hyp2f1(top, second, top + 1, z) - top * np.log(alpha + t)
            return result
    else:
        second_x = r + x

        def term(t: FloatArray) -> FloatArray:
            z = (beta - alpha) / (beta + t)
            result: FloatArray = _log_hyp2f1(top, second_x, top + 1, z) - top * np.log(beta + t)
            return result

    upper, lower = term(t_x), term(big_t)
    with np.errstate(all="ignore"):
        # log(e**upper - e**lower), upper >= lower; equal (t_x = T) means no such term.
        gap = np.minimum(lower - upper, 0.0)
        log_a0 = upper + np.log(-np.expm1(gap))
    dropped = math.log(s) - np.log(top) + log_a0
    return constant, alive, dropped


def pareto_nbd_log_likelihood(
    r: float, alpha: float, s: float, beta: float, customers: ModelInput
) -> FloatArray:
    """Each customer's log-likelihood under Pareto/NBD(r, alpha, s, beta)."""
    constant, alive, dropped = _parts(r, alpha, s, beta, customers)
    result: FloatArray = constant + np.logaddexp(alive, dropped)
    return result


@attrs.frozen
class ParetoNBD(PurchaseModel):
    """A fitted Pareto/NBD model: parameters by their published names, and its predictions.

    ``r`` and ``alpha`` are the gamma heterogeneity of the purchase rate,
    ``s`` and ``beta`` that of the dropout rate. ``standard_errors`` maps each
    name to its standard error (None when the Hessian was singular or the fit
    did not converge); ``convergence`` says how the search ended.
    """

    NAME: ClassVar[str] = "pareto_nbd"
    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float
    standard_errors: dict[str, float] | None
    convergence: Convergence
    unit: str

    def p_alive(self, customers: ModelInput) -> FloatArray:
        """P(alive) of each customer at the end of calibration."""
        table = customers_table(customers)
        _, alive, dropped = _parts(self.r, self.alpha, self.s, self.beta, table)
        with np.errstate(all="ignore"):
            result: FloatArray = np.exp(alive - np.logaddexp(alive, dropped))
        return result

    def expected_purchases(self, t: float, customers: ModelInput) -> FloatArray:
        """E[X(t) | x, t_x, T]: each customer's expected purchases in the next ``t`` time units."""
        length = horizon("t", t)
        table = customers_table(customers)
        x, big_t = table.frequency, table.first_to_end
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        span = np.log1p(length / (beta + big_t))
        # [1 - ((beta+T)/(beta+T+t))**(s-1)] / (s-1), whose limit at s = 1 is the log.
        near_one = abs(s - 1.0) < 1e-9
        growth = span if near_one else -np.expm1(-(s - 1.0) * span) / (s - 1.0)
        result: FloatArray = (
            (r + x) * (beta + big_t) / (alpha + big_t) * growth * self.p_alive(table)
        )
        return result

    def expected_cumulative_purchases(self, t: float) -> float:
        """E[X(t)]: expected repeat purchases of a new customer in ``t`` time units from the first.

        r beta / (alpha (s-1)) [1 - (beta/(beta+t))**(s-1)]: the mean rate r/alpha
        times the expected time alive within t; at s = 1 the bracket over s - 1
        is its limit, log(1 + t/beta).
        """
        length = horizon("t", t)
        span = math.log1p(length / self.beta)
        growth = span if self.s == 1.0 else -math.expm1(-(self.s - 1.0) * span) / (self.s - 1.0)
        return self.r * self.beta / self.alpha * growth

    def _counts(self, n: FloatArray, t: float, customers: ModelInput | None) -> FloatArray:
        if customers is None:
            return pareto_counts(n, t, self.r, self.alpha, self.s, self.beta)
        x, big_t = customers.frequency[:, None], customers.first_to_end[:, None]
        return pareto_counts(n, t, self.r + x, self.alpha + big_t, self.s, self.beta + big_t)


def fit_pareto_nbd(customers: ModelInput) -> ParetoNBD:
    """The Pareto/NBD model of ``customers`` by maximum likelihood.

    A fit that did not converge is still returned, saying so in
    ``convergence``. Refuses anything but a :class:`ModelInput` with at
    least one customer.
    """
    return fit_purchases(
        ParetoNBD, pareto_nbd_log_likelihood, customers, ("r", "alpha", "s", "beta")
    )
