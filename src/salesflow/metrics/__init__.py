"""Metrics: the numbers a shop and its sales team track, each explained.

Every metric returns a result value (:class:`Ratio`, :class:`Score` or
:class:`Amount`) that carries its numerator, denominator, variant and formula,
and an empty denominator is an explicit undefined result, never a silent 0.
See docs/metrics.md.
"""

from salesflow._durations import Durations
from salesflow._results import Amount, Ratio, Score
from salesflow.metrics._records import OrderRecord
from salesflow.metrics.cohorts import cohort_retention, customer_summary
from salesflow.metrics.customers import (
    churn_rate,
    purchase_frequency,
    repeat_purchase_rate,
    retention_rate,
)
from salesflow.metrics.email import email_engagement
from salesflow.metrics.funnel import (
    DEFAULT_FUNNEL_STEPS,
    Funnel,
    FunnelStepResult,
    LeadStageTimes,
    StageDuration,
    conversion_rate,
    conversion_rate_from_ids,
    demo_after_intro_call_rate,
    funnel,
    lost_after_demo_rate,
    slowest_lead_stage,
    time_in_lead_stages,
)
from salesflow.metrics.lifetime_value import clv
from salesflow.metrics.orders import (
    average_order_value,
    cancellation_rate,
    delay_rate,
    on_time_delivery_rate,
    order_status_request_share,
    time_in_status,
)
from salesflow.metrics.sales import (
    CALL_KINDS,
    MEETING_KINDS,
    GrowthRate,
    ManagerKPI,
    ManagerKPIs,
    SalesCycle,
    compound_monthly_growth_rate,
    customer_acquisition_cost,
    lead_conversion_rate,
    manager_kpis,
    month_over_month_growth,
    monthly_revenue,
    sales_cycle_length,
)
from salesflow.metrics.site import site_engagement
from salesflow.metrics.surveys import csat, nps

__all__ = [
    "CALL_KINDS",
    "DEFAULT_FUNNEL_STEPS",
    "MEETING_KINDS",
    "Amount",
    "Durations",
    "Funnel",
    "FunnelStepResult",
    "GrowthRate",
    "LeadStageTimes",
    "ManagerKPI",
    "ManagerKPIs",
    "OrderRecord",
    "Ratio",
    "SalesCycle",
    "Score",
    "StageDuration",
    "average_order_value",
    "cancellation_rate",
    "churn_rate",
    "clv",
    "cohort_retention",
    "compound_monthly_growth_rate",
    "conversion_rate",
    "conversion_rate_from_ids",
    "csat",
    "customer_acquisition_cost",
    "customer_summary",
    "delay_rate",
    "demo_after_intro_call_rate",
    "email_engagement",
    "funnel",
    "lead_conversion_rate",
    "lost_after_demo_rate",
    "manager_kpis",
    "month_over_month_growth",
    "monthly_revenue",
    "nps",
    "on_time_delivery_rate",
    "order_status_request_share",
    "purchase_frequency",
    "repeat_purchase_rate",
    "retention_rate",
    "sales_cycle_length",
    "site_engagement",
    "slowest_lead_stage",
    "time_in_lead_stages",
    "time_in_status",
]
