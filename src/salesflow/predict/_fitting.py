"""What the purchase models share (private): the table they read and one way to fit them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from salesflow.errors import InvalidType
from salesflow.predict._numeric import FloatArray, maximise, np
from salesflow.predict.inputs import ModelInput

__all__ = ["customers_table", "fit_purchases"]

_M = TypeVar("_M")


def customers_table(value: Any) -> ModelInput:
    """``value`` when it is a :class:`ModelInput`; else refused, named ``customers``."""
    if not isinstance(value, ModelInput):
        raise InvalidType("customers", value, "a ModelInput (see model_input)")
    return value


def fit_purchases(
    kind: Callable[..., _M],
    log_likelihood: Callable[..., FloatArray],
    customers: Any,
    names: tuple[str, str, str, str],
) -> _M:
    """A four-parameter purchase model of ``customers`` by maximum likelihood.

    ``log_likelihood(p1, p2, p3, p4, table)`` gives each customer's
    log-likelihood; the fit is ``kind(<names>=..., log_likelihood=,
    standard_errors=, convergence=, unit=)``, returned even when the search did
    not converge (it says so). Refuses anything but a :class:`ModelInput` with
    at least one customer.
    """
    table = customers_table(customers)
    if len(table) == 0:
        raise InvalidType("customers", table, "a ModelInput with at least one customer")

    def total(p: FloatArray) -> float:
        return float(np.sum(log_likelihood(p[0], p[1], p[2], p[3], table)))

    found = maximise(total, start=(1.0, 1.0, 1.0, 1.0), customers=len(table), names=names)
    errors = found.standard_errors
    return kind(
        **dict(zip(names, found.parameters, strict=True)),
        log_likelihood=found.log_likelihood,
        standard_errors=None if errors is None else dict(zip(names, errors, strict=True)),
        convergence=found.convergence,
        unit=table.unit,
    )
