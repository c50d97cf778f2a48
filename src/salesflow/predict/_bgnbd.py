"""BG/NBD (Fader, Hardie and Lee 2005): purchases while alive, dropout after any purchase.

Fitted by maximum likelihood on a :class:`~salesflow.predict.ModelInput`; the
fit predicts expected purchases, P(alive) and the expected cumulative purchases
of a new customer. Formulas: "Counting Your Customers the Easy Way" (2005).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import attrs

from salesflow.predict._counts import bg_counts
from salesflow.predict._fitting import Columns, customers_table, distinct_pairs, fit_purchases
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

__all__ = ["BGNBD", "bgnbd_log_likelihood", "bgnbd_log_likelihood_gradient", "fit_bgnbd"]


def bgnbd_log_likelihood(
    r: float, alpha: float, a: float, b: float, customers: Columns
) -> FloatArray:
    """Each customer's log-likelihood under BG/NBD(r, alpha, a, b)."""
    x, t_x, big_t = customers.frequency, customers.first_to_last, customers.first_to_end
    common = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        + special.betaln(a, b + x)
        - special.betaln(a, b)
    )
    alive = -(r + x) * np.log(alpha + big_t)
    # The dropped-out branch exists only after a repeat purchase: B(a+1, b+x-1)/B(a, b+x).
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    result: FloatArray = common + np.logaddexp(alive, dropped)
    return result


def bgnbd_log_likelihood_gradient(
    r: float, alpha: float, a: float, b: float, customers: Columns
) -> tuple[FloatArray, FloatArray]:
    """Each customer's log-likelihood and its gradient in (r, alpha, a, b), one row each.

    The derivatives are exact (digamma for the gamma and beta functions); the
    two branches, alive at T and dropped out after the last purchase, are
    weighted by their share of the likelihood.
    """
    x, t_x, big_t = customers.frequency, customers.first_to_last, customers.first_to_end
    repeat = x > 0
    b_x_1 = np.where(repeat, b + x - 1, 1.0)  # only read where x > 0
    log_end, log_last = np.log(alpha + big_t), np.log(alpha + t_x)
    alive = -(r + x) * log_end
    with np.errstate(divide="ignore"):
        dropped = np.where(repeat, math.log(a) - np.log(b_x_1) - (r + x) * log_last, -np.inf)
    both = np.logaddexp(alive, dropped)
    values: FloatArray = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * math.log(alpha)
        + special.betaln(a, b + x)
        - special.betaln(a, b)
        + both
    )
    share_alive = np.exp(alive - both)
    share_dropped = 1.0 - share_alive
    psi_ab, psi_abx = special.digamma(a + b), special.digamma(a + b + x)
    slopes: FloatArray = np.stack(
        [
            special.digamma(r + x)
            - special.digamma(r)
            + math.log(alpha)
            - share_alive * log_end
            - share_dropped * log_last,
            r / alpha - (r + x) * (share_alive / (alpha + big_t) + share_dropped / (alpha + t_x)),
            psi_ab - psi_abx + share_dropped / a,
            special.digamma(b + x) - special.digamma(b) + psi_ab - psi_abx - share_dropped / b_x_1,
        ]
    )
    return values, slopes


@attrs.frozen
class BGNBD(PurchaseModel):
    """A fitted BG/NBD model: parameters by their published names, and its predictions.

    ``r`` and ``alpha`` are the gamma heterogeneity of the purchase rate,
    ``a`` and ``b`` the beta heterogeneity of the dropout probability.
    ``standard_errors`` maps each name to its standard error (None when the
    Hessian was singular or the fit did not converge); ``convergence`` says
    how the search ended. Predictions are numpy arrays, one value per customer,
    finite and at least 0.
    """

    NAME: ClassVar[str] = "bgnbd"
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    standard_errors: dict[str, float] | None
    convergence: Convergence
    unit: str

    def p_alive(self, customers: ModelInput) -> FloatArray:
        """P(alive) of each customer at the end of calibration.

        A customer without repeat purchases has P(alive) = 1 under BG/NBD by
        construction (dropout happens only right after a purchase).
        """
        table = customers_table(customers)
        x, t_x, big_t = table.frequency, table.first_to_last, table.first_to_end
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = np.where(
                x > 0,
                math.log(self.a)
                - np.log(np.maximum(self.b + x - 1, 1e-300))
                + (self.r + x) * (np.log(self.alpha + big_t) - np.log(self.alpha + t_x)),
                -np.inf,
            )
        result: FloatArray = special.expit(-odds)
        return result

    def expected_purchases(self, t: float, customers: ModelInput) -> FloatArray:
        """E[X(t) | x, t_x, T]: each customer's expected purchases in the next ``t`` time units."""
        length = horizon("t", t)
        table = customers_table(customers)
        x, big_t = table.frequency, table.first_to_end
        conditional = _near_one(
            self.a,
            lambda a: _while_alive(self.r, self.alpha, a, self.b, x, big_t + self.alpha, length),
        )
        result: FloatArray = conditional * self.p_alive(table)
        return result

    def _expected_purchases_over(
        self, lengths: Sequence[float], customers: ModelInput
    ) -> Iterator[FloatArray]:
        table = customers_table(customers)
        return _over(self, self.b, lengths, table, self.p_alive(table))

    def expected_cumulative_purchases(self, t: float) -> float:
        """E[X(t)]: expected purchases of a new customer in ``t`` time units from the first."""
        length = horizon("t", t)
        zero = np.zeros(1)
        value = _near_one(
            self.a,
            lambda a: _while_alive(self.r, self.alpha, a, self.b, zero, zero + self.alpha, length),
        )
        return float(value[0])

    def _counts(self, n: FloatArray, t: float, customers: ModelInput | None) -> FloatArray:
        if customers is None:
            return bg_counts(n, t, self.r, self.alpha, self.a, self.b, first=False)
        x, big_t = customers.frequency[:, None], customers.first_to_end[:, None]
        return bg_counts(n, t, self.r + x, self.alpha + big_t, self.a, self.b + x, first=False)


# Within this distance of a = 1 the closed form is 0/0; the expectation is smooth in a,
# so it is read as the mean of its values on either side (error of order 1e-8).
_NEAR_ONE = 1e-4


def _near_one(a: float, value: Any) -> FloatArray:
    if abs(a - 1.0) >= _NEAR_ONE:
        result: FloatArray = value(a)
        return result
    mean: FloatArray = (value(1.0 - _NEAR_ONE) + value(1.0 + _NEAR_ONE)) / 2
    return mean


def _over(
    model: Any, b: float, lengths: Sequence[float], table: ModelInput, alive: FloatArray
) -> Iterator[FloatArray]:
    """Expected purchases in each of ``lengths``: ``_while_alive`` once per distinct (x, T)."""
    x, big_t, inverse = distinct_pairs(table.frequency, table.first_to_end)
    r, alpha = model.r, model.alpha
    for length in lengths:
        conditional = _near_one(
            model.a,
            lambda a, t=length: _while_alive(r, alpha, a, b, x, big_t + alpha, t),
        )
        result: FloatArray = conditional[inverse] * alive
        yield result


def _while_alive(
    r: float, alpha: float, a: float, b: float, x: FloatArray, base: FloatArray, length: float
) -> FloatArray:
    """(a+b+x-1)/(a-1) * [1 - (base/(base+t))**(r+x) * 2F1(r+x, b+x; a+b+x-1; t/(base+t))].

    The expected purchases in ``length`` of a customer known to be alive at the
    start (``base`` = alpha + T); at least 0 and finite.
    """
    z = length / (base + length)
    with np.errstate(all="ignore"):
        log_rest = (r + x) * np.log1p(-z) + np.log(hyp2f1(r + x, b + x, a + b + x - 1, z))
        value = (a + b + x - 1) / (a - 1) * -np.expm1(log_rest)
    result: FloatArray = np.where(np.isfinite(value), np.maximum(value, 0.0), 0.0)
    return result


def fit_bgnbd(customers: ModelInput) -> BGNBD:
    """The BG/NBD model of ``customers`` by maximum likelihood.

    A fit that did not converge is still returned, saying so in
    ``convergence``. Refuses anything but a :class:`ModelInput` with at
    least one customer.
    """
    return fit_purchases(
        BGNBD,
        bgnbd_log_likelihood,
        customers,
        ("r", "alpha", "a", "b"),
        gradient=bgnbd_log_likelihood_gradient,
    )
