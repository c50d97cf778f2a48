"""Pareto/NBD (Schmittlein, Morrison and Colombo 1987): purchases while alive, dropout any time.

The likelihood follows Fader and Hardie's "A Note on Deriving the Pareto/NBD
Model and Related Expressions" (2005). Its Gaussian hypergeometric terms are
evaluated in logs, after Euler's transformation where the series would
diverge near 1, which is where other implementations return NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Final

import attrs

from salesflow.predict._counts import pareto_counts
from salesflow.predict._fitting import Columns, customers_table, fit_purchases
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

__all__ = [
    "ParetoNBD",
    "fit_pareto_nbd",
    "pareto_nbd_log_likelihood",
    "pareto_nbd_log_likelihood_gradient",
]


def _log_hyp2f1(a: Any, b: Any, c: Any, z: Any) -> FloatArray:
    """log 2F1(a, b; c; z) for 0 <= z < 1 and positive a, b, c.

    When c - a - b < 0 the series grows without bound as z -> 1; Euler's
    transformation 2F1(a, b; c; z) = (1 - z)**(c-a-b) 2F1(c-a, c-b; c; z) moves
    the growth into the first factor, computed exactly in logs.
    """
    a, b, c, z = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c, z)))
    excess = c - a - b
    euler = excess < 0  # each value computed one way only: scipy's hyp2f1 is the cost here
    with np.errstate(all="ignore"):
        result: FloatArray = np.log(
            hyp2f1(np.where(euler, c - a, a), np.where(euler, c - b, b), c, z)
        ) + np.where(euler, excess * np.log1p(-z), 0.0)
    bad = ~np.isfinite(result)
    if np.any(bad):  # scipy failed (z near 1 with extreme parameters): integrate instead
        result[bad] = _log_hyp2f1_by_quadrature(a[bad], b[bad], z[bad])
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


def _constant(r: float, alpha: float, s: float, beta: float, x: FloatArray) -> FloatArray:
    """log of Gamma(r + x) alpha**r beta**s / Gamma(r): the factor of both terms."""
    result: FloatArray = (
        special.gammaln(r + x) - special.gammaln(r) + r * math.log(alpha) + s * math.log(beta)
    )
    return result


def _parts(
    r: float, alpha: float, s: float, beta: float, customers: Columns
) -> tuple[FloatArray, FloatArray]:
    """The log of the 'alive at T' term and of the 'dropped before T' term, less the constant."""
    x, t_x, big_t = customers.frequency, customers.first_to_last, customers.first_to_end
    alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    top, second, bigger = _hypergeometric_arguments(r, alpha, s, beta, x)
    # The hypergeometric function is the cost here: t_x and T in one call, and the
    # term at t_x once for all one-time buyers (x = 0 and t_x = 0 give them one value).
    once = (x == 0) & (t_x == 0)
    first = np.flatnonzero(~once)
    k, one = first.size, np.flatnonzero(once)[:1]
    both = np.concatenate([t_x[first], big_t, t_x[one]])
    tops = np.concatenate([top[first], top, top[one]])
    terms = _log_hyp2f1(
        tops,
        np.concatenate([second[first], second, second[one]]),
        tops + 1,
        abs(alpha - beta) / (bigger + both),
    ) - tops * np.log(bigger + both)
    lower = terms[k : k + x.size]
    upper = np.empty(x.shape)
    upper[first] = terms[:k]
    upper[once] = terms[k + x.size :]  # one value, or none
    with np.errstate(all="ignore"):
        # log(e**upper - e**lower), upper >= lower; equal (t_x = T) means no such term.
        gap = np.minimum(lower - upper, 0.0)
        log_a0 = upper + np.log(-np.expm1(gap))
    dropped = math.log(s) - np.log(top) + log_a0
    return alive, dropped


def _hypergeometric_arguments(
    r: float, alpha: float, s: float, beta: float, x: FloatArray
) -> tuple[FloatArray, FloatArray, float]:
    """a = r + s + x and b of the 2F1(a, b; a + 1; z) terms, and max(alpha, beta).

    z = |alpha - beta| / (max(alpha, beta) + t); b is s + 1 when alpha >= beta,
    else r + x (Fader and Hardie 2005, equations 19 and 20).
    """
    top = r + s + x
    if alpha >= beta:
        return top, np.full(x.shape, s + 1.0), alpha
    return top, r + x, beta


def pareto_nbd_log_likelihood(
    r: float, alpha: float, s: float, beta: float, customers: Columns
) -> FloatArray:
    """Each customer's log-likelihood under Pareto/NBD(r, alpha, s, beta)."""
    alive, dropped = _parts(r, alpha, s, beta, customers)
    result: FloatArray = _constant(r, alpha, s, beta, customers.frequency) + np.logaddexp(
        alive, dropped
    )
    return result


# The relative step of the central differences in 2F1's own parameters (about 1e-10 accurate).
_STEP: Final = 1e-5


def pareto_nbd_log_likelihood_gradient(
    r: float, alpha: float, s: float, beta: float, customers: Columns
) -> tuple[FloatArray, FloatArray]:
    """Each customer's log-likelihood and its gradient in (r, alpha, s, beta), one row each.

    Exact but for the derivatives of log 2F1(a, b; a + 1; z) in a and b,
    which have no closed form: central differences of the function itself,
    per customer. Its derivative in z is a b / (a + 1) 2F1(a+1, b+1; a+2; z).
    All the 2F1 values of one evaluation are computed in one call.
    """
    x, t_x, big_t = customers.frequency, customers.first_to_last, customers.first_to_end
    n = x.size
    top, second, bigger = _hypergeometric_arguments(r, alpha, s, beta, x)
    t = np.concatenate([t_x, big_t])
    a, b = np.concatenate([top, top]), np.concatenate([second, second])
    h, k = _STEP * a, _STEP * b
    z = np.tile(abs(alpha - beta) / (bigger + t), 6)
    logs = _log_hyp2f1(
        np.concatenate([a, a + h, a - h, a, a, a + 1]),
        np.concatenate([b, b, b, b + k, b - k, b + 1]),
        np.concatenate([a + 1, a + 1 + h, a + 1 - h, a + 1, a + 1, a + 2]),
        z,
    ).reshape(6, 2 * n)
    phi = logs[0]
    phi_a = (logs[1] - logs[2]) / (2 * h)
    phi_b = (logs[3] - logs[4]) / (2 * k)
    phi_z = np.exp(np.log(a * b / (a + 1)) + logs[5] - phi)
    log_bigger = np.log(bigger + t)
    d_top = phi_a - log_bigger
    if alpha >= beta:  # z = (alpha - beta) / (alpha + t), b = s + 1
        d_terms = [
            d_top,
            phi_z * (beta + t) / (alpha + t) ** 2 - a / (alpha + t),
            d_top + phi_b,
            -phi_z / (alpha + t),
        ]
    else:  # z = (beta - alpha) / (beta + t), b = r + x
        d_terms = [
            d_top + phi_b,
            -phi_z / (beta + t),
            d_top,
            phi_z * (alpha + t) / (beta + t) ** 2 - a / (beta + t),
        ]
    slope_terms = np.stack(d_terms)
    terms = phi - a * log_bigger
    upper, lower = terms[:n], terms[n:]
    with np.errstate(all="ignore"):
        gap = np.minimum(lower - upper, 0.0)
        rest = -np.expm1(gap)  # 1 - e**(lower - upper): 0 when t_x = T
        log_a0 = upper + np.log(rest)
        # d log(e**upper - e**lower) = (d upper - e**(lower - upper) d lower) / rest
        d_a0 = (slope_terms[:, :n] - np.exp(gap) * slope_terms[:, n:]) / rest
    constant = _constant(r, alpha, s, beta, x)
    log_alpha_end, log_beta_end = np.log(alpha + big_t), np.log(beta + big_t)
    alive = -(r + x) * log_alpha_end - s * log_beta_end
    dropped = math.log(s) - np.log(top) + log_a0
    both = np.logaddexp(alive, dropped)
    share_alive, share_dropped = np.exp(alive - both), np.exp(dropped - both)
    d_dropped = d_a0 + np.stack([-1 / top, np.zeros(n), 1 / s - 1 / top, np.zeros(n)])
    slopes: FloatArray = (
        np.stack(
            [
                special.digamma(r + x) - special.digamma(r) + math.log(alpha),
                np.full(n, r / alpha),
                np.full(n, math.log(beta)),
                np.full(n, s / beta),
            ]
        )
        + share_alive
        * np.stack([-log_alpha_end, -(r + x) / (alpha + big_t), -log_beta_end, -s / (beta + big_t)])
        + np.where(share_dropped > 0, share_dropped * d_dropped, 0.0)
    )
    values: FloatArray = constant + both
    return values, slopes


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
        alive, dropped = _parts(self.r, self.alpha, self.s, self.beta, table)
        with np.errstate(all="ignore"):
            result: FloatArray = np.exp(alive - np.logaddexp(alive, dropped))
        return result

    def expected_purchases(self, t: float, customers: ModelInput) -> FloatArray:
        """E[X(t) | x, t_x, T]: each customer's expected purchases in the next ``t`` time units."""
        length = horizon("t", t)
        table = customers_table(customers)
        x, big_t = table.frequency, table.first_to_end
        r, alpha, beta = self.r, self.alpha, self.beta
        result: FloatArray = (
            (r + x) * (beta + big_t) / (alpha + big_t) * self._growth(length, big_t)
        ) * self.p_alive(table)
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

    def _growth(self, length: float, big_t: FloatArray) -> FloatArray:
        """[1 - ((beta+T)/(beta+T+t))**(s-1)] / (s-1), whose limit at s = 1 is the log."""
        s = self.s
        span = np.log1p(length / (self.beta + big_t))
        if abs(s - 1.0) < 1e-9:
            return span
        result: FloatArray = -np.expm1(-(s - 1.0) * span) / (s - 1.0)
        return result

    def _expected_purchases_over(
        self, lengths: Sequence[float], customers: ModelInput
    ) -> Iterator[FloatArray]:
        table = customers_table(customers)
        x, big_t = table.frequency, table.first_to_end
        rate = (self.r + x) * (self.beta + big_t) / (self.alpha + big_t)
        alive = self.p_alive(table)
        # The growth depends on T alone: computed once per distinct T, then looked up.
        ages, index = np.unique(big_t, return_inverse=True)
        for length in lengths:
            result: FloatArray = (rate * self._growth(length, ages)[index]) * alive
            yield result


def fit_pareto_nbd(customers: ModelInput) -> ParetoNBD:
    """The Pareto/NBD model of ``customers`` by maximum likelihood.

    A fit that did not converge is still returned, saying so in
    ``convergence``. Refuses anything but a :class:`ModelInput` with at
    least one customer.
    """
    return fit_purchases(
        ParetoNBD,
        pareto_nbd_log_likelihood,
        customers,
        ("r", "alpha", "s", "beta"),
        gradient=pareto_nbd_log_likelihood_gradient,
    )
