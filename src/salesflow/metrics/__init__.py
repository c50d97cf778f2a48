"""Metrics: the numbers a shop and its sales team track, each explained.

Every metric returns a result value (:class:`Ratio`, :class:`Score` or
:class:`Amount`) that carries its numerator, denominator, variant and formula,
and an empty denominator is an explicit undefined result, never a silent 0.
See docs/metrics.md.
"""

from salesflow.metrics._result import (
    VALUE_PRECISION,
    Amount,
    OnEmpty,
    Ratio,
    Score,
    UndefinedMetric,
)
from salesflow.metrics.customers import (
    churn_clv,
    churn_rate,
    churn_rate_average_customers,
    churn_rate_customer_days,
    churn_rate_from_ids,
    historical_clv,
    purchase_frequency,
    purchase_frequency_from_counts,
    repeat_purchase_rate,
    repeat_purchase_rate_from_counts,
    retention_rate,
    retention_rate_from_ids,
)
from salesflow.metrics.surveys import csat, csat_from_counts, csat_mean, nps, nps_from_counts

__all__ = [
    "VALUE_PRECISION",
    "Amount",
    "OnEmpty",
    "Ratio",
    "Score",
    "UndefinedMetric",
    "churn_clv",
    "churn_rate",
    "churn_rate_average_customers",
    "churn_rate_customer_days",
    "churn_rate_from_ids",
    "csat",
    "csat_from_counts",
    "csat_mean",
    "historical_clv",
    "nps",
    "nps_from_counts",
    "purchase_frequency",
    "purchase_frequency_from_counts",
    "repeat_purchase_rate",
    "repeat_purchase_rate_from_counts",
    "retention_rate",
    "retention_rate_from_ids",
]
