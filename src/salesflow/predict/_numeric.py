"""What the predict models share: numpy and scipy (the ``predict`` extra), the fit, its report.

Every model is fitted the same way: the negative log-likelihood is minimised
over the logarithms of the parameters (all are positive), then the Hessian of
the log-likelihood in the published parameters gives the standard errors.
Non-convergence is a value (:class:`Convergence`), never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Final

import attrs

from salesflow.errors import InvalidField, InvalidType, MissingExtra

try:
    import numpy as np
    from numpy.typing import NDArray
    from scipy import optimize, special
except ImportError as error:  # pragma: no cover - the test extra installs both
    raise MissingExtra(
        error.name or "numpy", "predict", feature="salesflow.predict (customer-base models)"
    ) from None

__all__ = [
    "Convergence",
    "FloatArray",
    "MaximumLikelihood",
    "horizon",
    "hyp2f1",
    "maximise",
    "np",
    "special",
]

FloatArray = NDArray[np.float64]

# The log-parameters are searched inside these bounds: e**±30 covers every scale a
# parameter of these models takes on real data, and keeps exp() finite.
_LOG_BOUND: Final = 30.0
_AT_BOUND: Final = 1e-6


@attrs.frozen
class Convergence:
    """How the maximum-likelihood search ended: a fit that did not converge says so here.

    ``converged`` is True when the optimiser reported success and no parameter
    ended on the edge of the searched range (e**-30 to e**30); ``message`` is
    the optimiser's own words, ``iterations`` how many it took and
    ``gradient_norm`` the size of the gradient of the mean log-likelihood at
    the end (near 0 at a maximum).
    """

    converged: bool
    iterations: int
    message: str
    gradient_norm: float


@attrs.frozen
class MaximumLikelihood:
    """The outcome of :func:`maximise`: parameters, log-likelihood, errors and the report."""

    parameters: tuple[float, ...]
    log_likelihood: float
    standard_errors: tuple[float, ...] | None
    convergence: Convergence


def _hessian(function: Callable[[FloatArray], float], point: FloatArray) -> FloatArray:
    """The Hessian of ``function`` at ``point`` by central differences, relative steps."""
    size = point.size
    steps = 1e-4 * np.maximum(np.abs(point), 1e-8)
    result = np.empty((size, size))
    for i in range(size):
        for j in range(i, size):
            shifts = []
            for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                moved = point.copy()
                moved[i] += si * steps[i]
                moved[j] += sj * steps[j]
                shifts.append(function(moved))
            value = (shifts[0] - shifts[1] - shifts[2] + shifts[3]) / (4 * steps[i] * steps[j])
            result[i, j] = result[j, i] = value
    return result


def _standard_errors(
    log_likelihood: Callable[[FloatArray], float], point: FloatArray
) -> tuple[float, ...] | None:
    """Square roots of the diagonal of the inverse observed information; None when singular."""
    information = -_hessian(log_likelihood, point)
    if not np.all(np.isfinite(information)):
        return None
    try:
        covariance = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        return None
    variances = np.diag(covariance)
    if not np.all(np.isfinite(variances)) or np.any(variances <= 0):
        return None
    return tuple(float(math.sqrt(v)) for v in variances)


def maximise(
    log_likelihood: Callable[[FloatArray], float],
    *,
    start: Sequence[float],
    customers: int,
) -> MaximumLikelihood:
    """The maximum-likelihood parameters of ``log_likelihood`` (a function of the parameters).

    The search runs over the logarithms of the (positive) parameters, on the
    mean log-likelihood per customer so its tolerances mean the same on any
    cohort size. A log-likelihood that is not finite counts as the worst value.
    """

    def objective(logs: FloatArray) -> float:
        with np.errstate(all="ignore"):
            value = log_likelihood(np.exp(logs))
        return -value / customers if math.isfinite(value) else math.inf

    def gradient(logs: FloatArray) -> FloatArray:
        # Central differences on the log scale: accurate enough for a 1e-10 tolerance.
        grad = np.empty_like(logs)
        for i in range(logs.size):
            step = 1e-6 * max(1.0, abs(float(logs[i])))
            up, down = logs.copy(), logs.copy()
            up[i] += step
            down[i] -= step
            grad[i] = (objective(up) - objective(down)) / (2 * step)
        return np.nan_to_num(grad, nan=0.0, posinf=1e6, neginf=-1e6)

    first = np.log(np.asarray(start, dtype=np.float64))
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * first.size
    found = optimize.minimize(
        objective,
        first,
        jac=gradient,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9},
    )
    logs = np.asarray(found.x, dtype=np.float64)
    parameters = np.exp(logs)
    with np.errstate(all="ignore"):
        value = float(log_likelihood(parameters))
        grad_norm = float(np.linalg.norm(gradient(logs)))
    at_bound = bool(np.any(np.abs(logs) >= _LOG_BOUND - _AT_BOUND))
    converged = bool(found.success) and not at_bound and math.isfinite(value)
    message = str(found.message)
    if at_bound:
        message = f"{message}; a parameter reached the edge of the searched range"
    with np.errstate(all="ignore"):
        errors = _standard_errors(log_likelihood, parameters) if converged else None
    return MaximumLikelihood(
        parameters=tuple(float(p) for p in parameters),
        log_likelihood=value,
        standard_errors=errors,
        convergence=Convergence(
            converged=converged,
            iterations=int(found.nit),
            message=message,
            gradient_norm=grad_norm if math.isfinite(grad_norm) else math.inf,
        ),
    )


def hyp2f1(a: Any, b: Any, c: Any, z: Any) -> FloatArray:
    """The Gaussian hypergeometric function 2F1(a, b; c; z), finite where scipy's is not.

    scipy returns NaN when c - a - b is a whole number (its connection formula
    meets the poles of the gamma function there), though the function is
    smooth in c: those values are read as the mean of the values either side
    of c, a relative 1e-7 away (about 1e-12 accurate) or, where scipy fails
    there too, up to 1e-2 away (about 1e-5).
    """
    a, b, c, z = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c, z)))
    value = np.asarray(special.hyp2f1(a, b, c, z), dtype=np.float64)
    value = value.copy()
    # The mean of the two sides cancels the first-order error: even the widest step
    # (a relative 1e-2) leaves an error of order 1e-5 relative, from the curvature in c.
    for relative in (1e-7, 1e-5, 1e-3, 1e-2):
        bad = ~np.isfinite(value) | (value <= 0)
        if not np.any(bad):
            break
        step = relative * np.maximum(np.abs(c[bad]), 1.0)
        with np.errstate(all="ignore"):
            above = special.hyp2f1(a[bad], b[bad], c[bad] + step, z[bad])
            below = special.hyp2f1(a[bad], b[bad], c[bad] - step, z[bad])
        value[bad] = (above + below) / 2
    return value


def horizon(name: str, value: Any) -> float:
    """A prediction horizon: a finite number of time units, at least 0 (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InvalidType(name, value, "a number of time units, at least 0")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InvalidField(name, value, "a finite number of time units, at least 0")
    return number
