"""salesflow: a pure-domain core for e-commerce sales.

- :mod:`salesflow.orders`: orders through nine statuses, with checked notifications (docs/orders.md);
- :mod:`salesflow.leads`: lead stages, with funnel, journey and phase views (docs/leads.md);
- :mod:`salesflow.routing`: who owns a lead under four sales models (docs/routing.md);
- :mod:`salesflow.metrics`: retention, churn, CLV, funnels, NPS, KPIs (docs/metrics.md).

Shared: exact :class:`Money`, :class:`Period`, one error hierarchy rooted at
:class:`SalesflowError`, and :class:`Command`, any verb read from JSON (docs/api.md). No I/O: time comes in as ``at=``, side effects leave
as values. docs/index.md is the tour.
"""

from salesflow.commands import Command
from salesflow.errors import (
    CurrencyMismatch,
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    InvalidType,
    SalesflowError,
    UndefinedMetric,
    UnknownCode,
    VersionConflict,
)
from salesflow.money import Money
from salesflow.periods import Period, PeriodUnit

__all__ = [
    "Command",
    "CurrencyMismatch",
    "IdempotencyConflict",
    "InvalidField",
    "InvalidTransition",
    "InvalidType",
    "Money",
    "Period",
    "PeriodUnit",
    "SalesflowError",
    "UndefinedMetric",
    "UnknownCode",
    "VersionConflict",
]

__version__ = "0.2.0"
