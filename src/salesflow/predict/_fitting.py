"""What the purchase models share (private): the table they read and one way to fit them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import attrs
from numpy.typing import NDArray

from salesflow.errors import InvalidType
from salesflow.predict._numeric import FloatArray, maximise, np
from salesflow.predict.inputs import ModelInput

__all__ = [
    "Columns",
    "customers_table",
    "distinct_pairs",
    "distinct_rows",
    "fit_purchases",
]


class Columns(Protocol):
    """What a purchase model's log-likelihood reads: x, t_x and T, one row per customer or pattern."""

    @property
    def frequency(self) -> FloatArray: ...
    @property
    def first_to_last(self) -> FloatArray: ...
    @property
    def first_to_end(self) -> FloatArray: ...


@attrs.frozen
class _Rows:
    frequency: FloatArray
    first_to_last: FloatArray
    first_to_end: FloatArray


def distinct_rows(table: Columns) -> tuple[Columns, FloatArray]:
    """The distinct (x, t_x, T) rows of ``table`` and how many customers share each.

    A log-likelihood is a sum over customers, so customers with the same
    pattern count once, weighted (on CDNOW 2,357 customers are 1,016
    patterns: one-time buyers differ only in T).
    """
    x, t_x, big_t = table.frequency, table.first_to_last, table.first_to_end
    order = np.lexsort((big_t, t_x, x))
    x, t_x, big_t = x[order], t_x[order], big_t[order]
    new = np.ones(x.size, dtype=bool)
    new[1:] = (x[1:] != x[:-1]) | (t_x[1:] != t_x[:-1]) | (big_t[1:] != big_t[:-1])
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, x.size)).astype(np.float64)
    return _Rows(x[starts], t_x[starts], big_t[starts]), counts


_M = TypeVar("_M")


def customers_table(value: Any) -> ModelInput:
    """``value`` when it is a :class:`ModelInput`; else refused, named ``customers``."""
    if not isinstance(value, ModelInput):
        raise InvalidType("customers", value, "a ModelInput (see model_input)")
    return value


def distinct_pairs(
    frequency: FloatArray, times: FloatArray
) -> tuple[FloatArray, FloatArray, NDArray[np.intp]]:
    """The distinct (x, t) pairs and, per customer, the index of theirs.

    ``frequency`` holds whole numbers (a ModelInput's do), so a pair is one
    integer key: x times the count of distinct t, plus the rank of t.
    """
    distinct_times, rank = np.unique(times, return_inverse=True)
    key = frequency.astype(np.int64) * distinct_times.size + rank
    keys, inverse = np.unique(key, return_inverse=True)
    return (
        (keys // distinct_times.size).astype(np.float64),
        distinct_times[keys % distinct_times.size],
        inverse,
    )


def fit_purchases(
    kind: Callable[..., _M],
    log_likelihood: Callable[..., FloatArray],
    customers: Any,
    names: tuple[str, str, str, str],
    gradient: Callable[..., tuple[FloatArray, FloatArray]] | None = None,
) -> _M:
    """A four-parameter purchase model of ``customers`` by maximum likelihood.

    ``log_likelihood(p1, p2, p3, p4, table)`` gives each customer's
    log-likelihood; the fit is ``kind(<names>=..., log_likelihood=,
    standard_errors=, convergence=, unit=)``, returned even when the search did
    not converge (it says so). ``gradient(p1, p2, p3, p4, table)``, when
    given, gives each customer's log-likelihood and its gradient (one row per
    parameter) at once. Refuses anything but a :class:`ModelInput` with at
    least one customer.
    """
    table = customers_table(customers)
    if len(table) == 0:
        raise InvalidType("customers", table, "a ModelInput with at least one customer")
    rows, weights = distinct_rows(table)

    def total(p: FloatArray) -> float:
        return float(weights @ log_likelihood(p[0], p[1], p[2], p[3], rows))

    def total_and_gradient(p: FloatArray) -> tuple[float, FloatArray]:
        assert gradient is not None
        values, slopes = gradient(p[0], p[1], p[2], p[3], rows)
        result: FloatArray = slopes @ weights
        return float(weights @ values), result

    found = maximise(
        total,
        start=(1.0, 1.0, 1.0, 1.0),
        customers=len(table),
        names=names,
        value_and_gradient=None if gradient is None else total_and_gradient,
    )
    errors = found.standard_errors
    return kind(
        **dict(zip(names, found.parameters, strict=True)),
        log_likelihood=found.log_likelihood,
        standard_errors=None if errors is None else dict(zip(names, errors, strict=True)),
        convergence=found.convergence,
        unit=table.unit,
    )
