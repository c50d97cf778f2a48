"""MBG/NBD (Batislam, Denizel and Filiztekin 2007): BG/NBD with a dropout chance at the first purchase too.

Under BG/NBD a customer can drop out only just after a repeat purchase, so a
one-time buyer has P(alive) = 1 however long ago they bought; MBG/NBD lets a
customer drop out after every purchase, the first included, so P(alive) falls
with time for one-time buyers as well. Fitted by maximum likelihood on a
:class:`~salesflow.predict.ModelInput`, with the same predictions as BG/NBD.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import ClassVar

import attrs

from salesflow.predict._bgnbd import _near_one, _over, _while_alive
from salesflow.predict._counts import bg_counts
from salesflow.predict._fitting import customers_table, fit_purchases
from salesflow.predict._numeric import Convergence, FloatArray, horizon, np, special
from salesflow.predict._purchases import PurchaseModel
from salesflow.predict.inputs import ModelInput

__all__ = ["MBGNBD", "fit_mbgnbd", "mbgnbd_log_likelihood"]


def _log_dropout_odds(
    r: float, alpha: float, a: float, b: float, customers: ModelInput
) -> FloatArray:
    """log of P(dropped after the last purchase) / P(alive at T), per customer.

    a/(b+x) * ((alpha+T)/(alpha+t_x))**(r+x): finite for every customer,
    one-time buyers included (b + x > 0 always).
    """
    x, t_x, big_t = customers.frequency, customers.first_to_last, customers.first_to_end
    result: FloatArray = (
        math.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
    )
    return result


def mbgnbd_log_likelihood(
    r: float, alpha: float, a: float, b: float, customers: ModelInput
) -> FloatArray:
    """Each customer's log-likelihood under MBG/NBD(r, alpha, a, b).

    Gamma(r+x) alpha**r / Gamma(r) * B(a, b+x+1) / B(a, b) / (alpha+T)**(r+x)
    * [1 + a/(b+x) ((alpha+T)/(alpha+t_x))**(r+x)].
    """
    x, big_t = customers.frequency, customers.first_to_end
    alive = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * math.log(alpha)
        + special.betaln(a, b + x + 1)
        - special.betaln(a, b)
        - (r + x) * np.log(alpha + big_t)
    )
    result: FloatArray = alive + np.logaddexp(0.0, _log_dropout_odds(r, alpha, a, b, customers))
    return result


@attrs.frozen
class MBGNBD(PurchaseModel):
    """A fitted MBG/NBD model: parameters by their published names, and its predictions.

    ``r`` and ``alpha`` are the gamma heterogeneity of the purchase rate,
    ``a`` and ``b`` the beta heterogeneity of the dropout probability (which
    applies after every purchase, the first included). ``standard_errors``
    maps each name to its standard error (None when the Hessian was singular
    or the fit did not converge); ``convergence`` says how the search ended.
    Predictions are numpy arrays, one value per customer, finite and at least 0.
    """

    NAME: ClassVar[str] = "mbgnbd"
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    standard_errors: dict[str, float] | None
    convergence: Convergence
    unit: str

    def p_alive(self, customers: ModelInput) -> FloatArray:
        """P(alive) of each customer at the end of calibration: below 1 for every customer.

        1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))**(r+x)); for a one-time buyer
        it falls as the time since their first purchase grows.
        """
        table = customers_table(customers)
        odds = _log_dropout_odds(self.r, self.alpha, self.a, self.b, table)
        result: FloatArray = special.expit(-odds)
        return result

    def expected_purchases(self, t: float, customers: ModelInput) -> FloatArray:
        """E[X(t) | x, t_x, T]: each customer's expected purchases in the next ``t`` time units."""
        length = horizon("t", t)
        table = customers_table(customers)
        x, big_t = table.frequency, table.first_to_end
        # While alive, MBG/NBD is BG/NBD with b + 1: one more survived dropout chance.
        conditional = _near_one(
            self.a,
            lambda a: _while_alive(
                self.r, self.alpha, a, self.b + 1, x, big_t + self.alpha, length
            ),
        )
        result: FloatArray = conditional * self.p_alive(table)
        return result

    def _expected_purchases_over(
        self, lengths: Sequence[float], customers: ModelInput
    ) -> Iterator[FloatArray]:
        table = customers_table(customers)
        # While alive, MBG/NBD is BG/NBD with b + 1 (see expected_purchases).
        return _over(self, self.b + 1, lengths, table, self.p_alive(table))

    def expected_cumulative_purchases(self, t: float) -> float:
        """E[X(t)]: expected repeat purchases of a new customer in ``t`` time units from the first.

        b/(a-1) * [1 - (alpha/(alpha+t))**r 2F1(r, b+1; a+b; t/(alpha+t))]: the
        customer is still alive after the first purchase with probability b/(a+b).
        """
        length = horizon("t", t)
        zero = np.zeros(1)
        value = _near_one(
            self.a,
            lambda a: (
                _while_alive(self.r, self.alpha, a, self.b + 1, zero, zero + self.alpha, length)
                * (self.b / (a + self.b))
            ),
        )
        return float(value[0])

    def _counts(self, n: FloatArray, t: float, customers: ModelInput | None) -> FloatArray:
        if customers is None:  # a dropout chance at the first purchase too
            return bg_counts(n, t, self.r, self.alpha, self.a, self.b, first=True)
        # Alive at T: later dropout chances follow purchases only, as under BG/NBD.
        x, big_t = customers.frequency[:, None], customers.first_to_end[:, None]
        return bg_counts(n, t, self.r + x, self.alpha + big_t, self.a, self.b + x + 1, first=False)


def fit_mbgnbd(customers: ModelInput) -> MBGNBD:
    """The MBG/NBD model of ``customers`` by maximum likelihood.

    A fit that did not converge is still returned, saying so in
    ``convergence``. Refuses anything but a :class:`ModelInput` with at
    least one customer.
    """
    return fit_purchases(MBGNBD, mbgnbd_log_likelihood, customers, ("r", "alpha", "a", "b"))
