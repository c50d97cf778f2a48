"""Metrics: the numbers a shop and its sales team track, each explained.

Every metric returns a result value (a ``Ratio``, ``Score`` or ``Amount``;
durations a ``Durations``) that carries its numerator, denominator, variant and
formula, and an empty denominator is an explicit undefined result, never a
silent 0. The result types live in :mod:`salesflow.metrics.results`, with
``result_from_dict``; see docs/metrics.md.
"""

import typing

from salesflow.metrics._records import OrderRecord
from salesflow.metrics.cohorts import cohort_retention
from salesflow.metrics.customers import (
    churn_rate,
    purchase_frequency,
    repeat_purchase_rate,
    retention_rate,
)
from salesflow.metrics.cycle import sales_cycle_length
from salesflow.metrics.email import email_engagement
from salesflow.metrics.funnel import conversion_rate, funnel
from salesflow.metrics.growth import monthly_revenue, revenue_growth
from salesflow.metrics.lifetime_value import clv
from salesflow.metrics.managers import customer_acquisition_cost, manager_kpis
from salesflow.metrics.orders import (
    average_order_value,
    cancellation_rate,
    delay_rate,
    on_time_delivery_rate,
    order_status_request_share,
    time_in_status,
)
from salesflow.metrics.site import site_engagement
from salesflow.metrics.stages import lead_conversion_rate, time_in_lead_stages
from salesflow.metrics.summary import customer_summary
from salesflow.metrics.surveys import csat, nps

__all__ = [
    "OrderRecord",
    "average_order_value",
    "cancellation_rate",
    "churn_rate",
    "clv",
    "cohort_retention",
    "conversion_rate",
    "csat",
    "customer_acquisition_cost",
    "customer_summary",
    "delay_rate",
    "email_engagement",
    "funnel",
    "lead_conversion_rate",
    "manager_kpis",
    "monthly_revenue",
    "nps",
    "on_time_delivery_rate",
    "order_status_request_share",
    "purchase_frequency",
    "repeat_purchase_rate",
    "retention_rate",
    "revenue_growth",
    "sales_cycle_length",
    "site_engagement",
    "time_in_lead_stages",
    "time_in_status",
]


def __getattr__(name: str) -> typing.Any:
    """The result types, still importable from here as code written for 0.2 does.

    Their home is :mod:`salesflow.metrics.results`; they are left out of
    ``__all__`` to keep the package to its verbs (docs/api.md, "Public names").
    """
    if name in ("Amount", "Durations", "Ratio", "Score"):
        from salesflow.metrics import results

        return getattr(results, name)
    raise AttributeError(f"module 'salesflow.metrics' has no attribute {name!r}")
