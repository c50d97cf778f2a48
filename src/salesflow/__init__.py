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
    UnknownCode,
    VersionConflict,
)
from salesflow.money import Money

__all__ = [
    "CurrencyMismatch",
    "IdempotencyConflict",
    "InvalidField",
    "InvalidTransition",
    "InvalidType",
    "Money",
    "SalesflowError",
    "UnknownCode",
    "VersionConflict",
]

__version__ = "0.1.0"
