"""Predicted customer lifetime value: expected purchases times expected spend, discounted.

Per period of a horizon: the purchase model's expected purchases in that
period, times the Gamma-Gamma expected spend per purchase, divided by
(1 + discount rate) ** period number; summed, then rounded once to the cent.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from salesflow.errors import InvalidField, InvalidType, UndefinedMetric
from salesflow.predict._numeric import np, to_cents
from salesflow.predict._purchases import PurchaseModel
from salesflow.predict._spend import GammaGamma, _spend_columns
from salesflow.predict.inputs import ModelInput

__all__ = ["predicted_clv"]

# Each period is one pass over the table: 10,000 covers daily periods for 27 years.
_MOST: Final = 10_000


def _rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise InvalidType("discount_rate", value, "a rate per period: Decimal, int, float or str")
    try:
        rate = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise InvalidField("discount_rate", value, "a rate per period: a decimal number") from None
    if not rate.is_finite() or rate < 0:
        raise InvalidField("discount_rate", value, "a finite rate per period, at least 0")
    return float(rate)


def _margin(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise InvalidType("margin", value, "a share of revenue: Decimal, int, float or str")
    try:
        share = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise InvalidField("margin", value, "a share of revenue: a decimal number") from None
    if not share.is_finite() or not 0 < share <= 1:
        raise InvalidField("margin", value, "a share of revenue above 0 and at most 1")
    return float(share)


def predicted_clv(
    purchases: PurchaseModel,
    spend: GammaGamma,
    customers: ModelInput,
    *,
    periods: int,
    period_length: float,
    discount_rate: Decimal | int | float | str,
    margin: Decimal | int | float | str = 1,
) -> tuple[Decimal, ...]:
    """Each customer's predicted value over ``periods`` periods, to the cent (ROUND_HALF_EVEN).

    ``purchases`` is a fitted BG/NBD, MBG/NBD or Pareto/NBD model in the
    table's unit, ``spend`` a fitted Gamma-Gamma model; ``period_length`` is
    one period in the table's unit (``52 / 12`` weeks for a month) and
    ``discount_rate`` the rate per period. Period k's expected purchases,
    E[X(k L)] - E[X((k-1) L)], are discounted by (1 + discount_rate) ** k (the
    value arrives at the period's end). The spend per purchase is Gamma-Gamma's
    unrounded expectation, so the result is rounded once. Refuses other model
    types, a unit mismatch, a table without monetary values, ``periods`` not a
    whole number from 1 to 10,000, a ``period_length`` not above 0, a negative or
    non-finite rate; undefined (``UndefinedMetric``) when q <= 1.
    """
    if not isinstance(purchases, PurchaseModel):
        raise InvalidType("purchases", purchases, "a fitted BG/NBD, MBG/NBD or Pareto/NBD model")
    if not isinstance(spend, GammaGamma):
        raise InvalidType(
            "spend", spend, "a fitted Gamma-Gamma model (fit(..., model='gamma_gamma'))"
        )
    frequency, mean_spend = _spend_columns(customers)
    if purchases.unit != customers.unit:
        raise InvalidField(
            "customers.unit", customers.unit, f"the model's time unit ({purchases.unit!r})"
        )
    if isinstance(periods, bool) or not isinstance(periods, int) or not 1 <= periods <= _MOST:
        raise InvalidField("periods", periods, f"a whole number of periods, from 1 to {_MOST}")
    if isinstance(period_length, bool) or not isinstance(
        period_length, int | float | np.integer | np.floating
    ):
        raise InvalidType("period_length", period_length, "a number of time units, above 0")
    length = float(period_length)
    if not math.isfinite(length) or length <= 0:
        raise InvalidField("period_length", period_length, "a finite number of time units, above 0")
    rate = _rate(discount_rate)
    share = _margin(margin)
    if spend.q <= 1:
        raise UndefinedMetric("expected spend", "q - 1 (q is at most 1)", variant="gamma_gamma")
    per_purchase = (
        spend.p * (spend.gamma + frequency * mean_spend) / (spend.p * frequency + spend.q - 1)
    )
    value = np.zeros(len(customers))
    previous = np.zeros(len(customers))
    horizons = [k * length for k in range(1, periods + 1)]
    for k, cumulative in enumerate(purchases._expected_purchases_over(horizons, customers), 1):
        # A cumulative expectation never falls; the max guards against rounding noise.
        value += np.maximum(cumulative - previous, 0.0) / (1.0 + rate) ** k
        previous = cumulative
    value *= per_purchase * share
    return to_cents(value)
