"""Gamma-Gamma (Fader and Hardie 2013): the mean spend per purchase of repeat customers.

Fitted on the customers with repeat purchases (their count and mean repeat
value); predicts each customer's expected spend per purchase, in Decimal.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import attrs

from salesflow.errors import InvalidField, InvalidType, UndefinedMetric
from salesflow.predict._numeric import (
    Convergence,
    FloatArray,
    maximise,
    np,
    special,
    to_cents,
)
from salesflow.predict.inputs import ModelInput

__all__ = [
    "GammaGamma",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "gamma_gamma_log_likelihood_gradient",
]


def _spend_columns(value: Any) -> tuple[FloatArray, FloatArray]:
    """Frequency and mean repeat value (as floats) of every customer, 0 without repeats."""
    if not isinstance(value, ModelInput):
        raise InvalidType("customers", value, "a ModelInput (see model_input)")
    if value.monetary_value is None:
        raise InvalidField(
            "customers.monetary_value", None, "the mean repeat spend of each customer"
        )
    spend = np.asarray([0.0 if v is None else float(v) for v in value.monetary_value])
    return value.frequency, spend


def gamma_gamma_log_likelihood(
    p: float, q: float, gamma: float, frequency: FloatArray, spend: FloatArray
) -> FloatArray:
    """Each repeat customer's log-likelihood of their mean spend under Gamma-Gamma(p, q, gamma)."""
    px = p * frequency
    result: FloatArray = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * math.log(gamma)
        + (px - 1) * np.log(spend)
        + px * np.log(frequency)
        - (px + q) * np.log(gamma + frequency * spend)
    )
    return result


def gamma_gamma_log_likelihood_gradient(
    p: float, q: float, gamma: float, frequency: FloatArray, spend: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Each repeat customer's log-likelihood and its exact gradient in (p, q, gamma), one row each."""
    px = p * frequency
    log_total = np.log(gamma + frequency * spend)
    psi_all = special.digamma(px + q)
    values = gamma_gamma_log_likelihood(p, q, gamma, frequency, spend)
    slopes: FloatArray = np.stack(
        [
            frequency
            * (psi_all - special.digamma(px) + np.log(spend) + np.log(frequency) - log_total),
            psi_all - special.digamma(q) + math.log(gamma) - log_total,
            q / gamma - (px + q) / (gamma + frequency * spend),
        ]
    )
    return values, slopes


@attrs.frozen
class GammaGamma:
    """A fitted Gamma-Gamma spend model: ``p``, ``q`` and ``gamma`` by their published names.

    ``standard_errors`` maps each name to its standard error (None when the
    Hessian was singular or the fit did not converge); ``convergence`` says
    how the search ended; ``customers`` counts the repeat customers fitted on.
    """

    p: float
    q: float
    gamma: float
    log_likelihood: float
    standard_errors: dict[str, float] | None
    convergence: Convergence
    customers: int

    def expected_spend(self, customers: ModelInput) -> tuple[Decimal, ...]:
        """Each customer's expected spend per purchase, to the cent (ROUND_HALF_EVEN).

        p (gamma + x zbar) / (p x + q - 1): the population mean p gamma / (q - 1)
        for a customer without repeat purchases, moving towards their own mean
        with each repeat. Undefined (``UndefinedMetric``) when q <= 1: the
        model's mean spend is then infinite.
        """
        frequency, spend = _spend_columns(customers)
        if self.q <= 1:
            raise UndefinedMetric("expected spend", "q - 1 (q is at most 1)", variant="gamma_gamma")
        values = self.p * (self.gamma + frequency * spend) / (self.p * frequency + self.q - 1)
        return to_cents(values)


def fit_gamma_gamma(customers: ModelInput) -> GammaGamma:
    """The Gamma-Gamma spend model of the repeat customers in ``customers``.

    Uses the customers with repeat purchases only, their ``frequency`` and
    ``monetary_value`` as given. A fit that did not converge is still
    returned, saying so in ``convergence``. Refuses a table without monetary
    values, without a repeat customer, or with a repeat customer whose mean
    spend is 0.
    """
    frequency, spend = _spend_columns(customers)
    repeat = frequency > 0
    if not np.any(repeat):
        raise InvalidField("customers.frequency", 0, "at least one customer with a repeat purchase")
    zero = np.flatnonzero(repeat & (spend <= 0))
    if zero.size:
        index = int(zero[0])
        raise InvalidField(
            f"customers.monetary_value[{index}]",
            spend[index],
            "more than 0 for a customer with repeat purchases",
        )
    x, z = frequency[repeat], spend[repeat]

    def log_likelihood(params: FloatArray) -> float:
        return float(np.sum(gamma_gamma_log_likelihood(params[0], params[1], params[2], x, z)))

    def with_gradient(params: FloatArray) -> tuple[float, FloatArray]:
        values, slopes = gamma_gamma_log_likelihood_gradient(params[0], params[1], params[2], x, z)
        total: FloatArray = slopes.sum(axis=1)
        return float(values.sum()), total

    found = maximise(
        log_likelihood,
        start=(1.0, 1.0, 1.0),
        customers=int(x.size),
        names=("p", "q", "gamma"),
        value_and_gradient=with_gradient,
    )
    p, q, gamma = found.parameters
    return GammaGamma(
        p=p,
        q=q,
        gamma=gamma,
        log_likelihood=found.log_likelihood,
        standard_errors=None
        if found.standard_errors is None
        else dict(zip(("p", "q", "gamma"), found.standard_errors, strict=True)),
        convergence=found.convergence,
        customers=int(x.size),
    )
