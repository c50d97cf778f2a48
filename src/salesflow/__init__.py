"""salesflow: a pure-domain core for e-commerce sales.

Orders through nine customer-facing statuses with checked notifications
(:mod:`salesflow.orders`), exact :class:`Money`, and one error hierarchy
rooted at :class:`SalesflowError`. No I/O: time comes in as ``at=``, side
effects leave as values.
"""

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

__version__ = "0.1.0"
