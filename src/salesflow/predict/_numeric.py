"""What the predict models share: numpy and scipy (the ``predict`` extra), the fit, its report.

Every model is fitted the same way: the negative log-likelihood is minimised
over the logarithms of the parameters (all are positive), then the Hessian of
the log-likelihood in the published parameters gives the standard errors.
Non-convergence is a value (:class:`Convergence`), never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal
from itertools import repeat
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
    "to_cents",
]

FloatArray = NDArray[np.float64]

# The log-parameters are searched inside these bounds: e**±30 covers every scale a
# parameter of these models takes on real data, and keeps exp() finite.
_LOG_BOUND: Final = 30.0
_AT_BOUND: Final = 1e-6
_LBFGSB_OPTIONS: Final = {"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9}


@attrs.frozen
class Convergence:
    """How the maximum-likelihood search ended: a fit that did not converge says so here.

    ``converged`` is True only when the point found is a maximum: the
    optimiser reported success, no parameter ended on the edge of the searched
    range (e**-30 to e**30), and the log-likelihood curves down in every
    direction there (the observed information, minus its Hessian, is positive
    definite, so the standard errors are finite). ``message`` is the
    optimiser's own words followed, when the fit did not converge, by why: a
    maximum on the edge, a likelihood that keeps rising in some direction (its
    maximum lies at the edge of the parameter space, at 0 or infinity), or one
    that is flat in some direction (the data cannot tell the parameters
    apart), naming the parameters involved. ``iterations`` is how many
    iterations the optimiser took and ``gradient_norm`` the size of the
    gradient of the mean log-likelihood at the end (near 0 at a maximum).
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


# Curvature below this share of |log-likelihood| (per unit of log-parameter) is not told
# apart from zero, nor below a hundred times the Hessian's own rounding (measured).
_FLAT: Final = 1e-6
# A mean gradient (per customer, in log-parameters) this small is a stationary point.
_STILL: Final = 1e-6
# The Hessian's step in log-parameters, and the likelihood's probes (both ways).
_STEP: Final = 1e-3
_PROBES: Final = (1.0, 4.0)


def _direction(vector: FloatArray, names: Sequence[str], *, signed: bool) -> str:
    """The parameters a direction in log-parameters moves, in words."""
    size = float(np.max(np.abs(vector)))
    moved = [(names[i], float(vector[i])) for i in range(vector.size) if abs(vector[i]) >= size / 4]
    if not signed:
        return " and ".join(name for name, _ in moved)
    grow = [name for name, value in moved if value > 0]
    fall = [name for name, value in moved if value < 0]
    parts = []
    if grow:
        parts.append(" and ".join(grow) + (" grow" if len(grow) > 1 else " grows"))
    if fall:
        parts.append(" and ".join(fall) + (" fall" if len(fall) > 1 else " falls"))
    together = " together" if len(moved) > 1 and not (grow and fall) else ""
    return " while ".join(parts) + together


def _candidates(size: int, directions: FloatArray, uphill: FloatArray) -> list[FloatArray]:
    """Where to look for higher ground: every principal direction of the curvature, the
    gradient, each parameter alone and each pair moving together or against each other."""
    found = [directions[:, i] for i in range(size)]
    length = float(np.linalg.norm(uphill))
    if math.isfinite(length) and length > 0:
        found.append(uphill / length)
    unit = np.eye(size)
    found.extend(unit[i] for i in range(size))
    for i in range(size):
        for j in range(i + 1, size):
            found.extend(((unit[i] + unit[j]) / math.sqrt(2), (unit[i] - unit[j]) / math.sqrt(2)))
    return found


def _judge(
    log_likelihood: Callable[[FloatArray], float],
    logs: FloatArray,
    value: float,
    names: Sequence[str],
    uphill: FloatArray,
) -> tuple[str, tuple[float, ...] | None]:
    """Whether ``logs`` (log-parameters) is a maximum of the log-likelihood: '' and the
    standard errors of the parameters when it is, else why not (and None).

    The observed information in log-parameters (minus the Hessian, by central
    differences) must be positive definite beyond its rounding, and the
    likelihood no higher a step away along its flattest direction and its
    gradient. Where the information is not positive definite, the likelihood is
    probed in more directions: a higher value means it keeps rising (its
    maximum is at the edge of the parameter space), none means it is flat.
    """

    def in_logs(point: FloatArray) -> float:
        with np.errstate(all="ignore"):
            result = float(log_likelihood(np.exp(point)))
        return result if math.isfinite(result) else -math.inf

    information = -_hessian_in_logs(in_logs, logs)
    if not np.all(np.isfinite(information)):
        return "the likelihood cannot be evaluated all around the point found", None
    curvatures, directions = np.linalg.eigh((information + information.T) / 2)
    tolerance = max(_FLAT * max(abs(value), 1.0), 100 * _roughness(in_logs, logs) / _STEP**2)
    rise = max(abs(value), 1.0) * 1e-9
    definite = bool(curvatures[0] > tolerance)
    if definite:
        length = float(np.linalg.norm(uphill))
        looks = [directions[:, 0]] + ([uphill / length] if 0 < length < math.inf else [])
    else:
        looks = _candidates(logs.size, directions, uphill)
    best, where = rise, None
    for look in looks:
        for step in _PROBES:
            for sign in (1.0, -1.0):
                gain = in_logs(logs + sign * step * look) - value
                if gain > best:
                    best, where = gain, sign * look
    if where is not None:
        return (
            f"the likelihood keeps rising as {_direction(where, names, signed=True)}: its "
            "maximum lies at the edge of the parameter space (a parameter at 0 or "
            "infinity), not at the point found"
        ), None
    if not definite:
        flat = _direction(directions[:, 0], names, signed=False)
        return (
            f"the likelihood is flat in one direction (moving {flat}): the data cannot "
            "tell the parameters apart"
        ), None
    covariance = (directions / curvatures) @ directions.T
    errors = np.exp(logs) * np.sqrt(np.diag(covariance))  # d(p) = p d(log p)
    return "", tuple(float(e) for e in errors)


def _roughness(function: Callable[[FloatArray], float], logs: FloatArray) -> float:
    """The rounding noise of ``function`` near ``logs``: its largest second difference
    over steps of 1e-8, where the smooth part of the function is far smaller."""
    centre, noise = function(logs), 0.0
    for i in range(logs.size):
        up, down = logs.copy(), logs.copy()
        up[i] += 1e-8
        down[i] -= 1e-8
        noise = max(noise, abs(function(up) - 2 * centre + function(down)))
    return noise if math.isfinite(noise) else math.inf


def _hessian_in_logs(function: Callable[[FloatArray], float], logs: FloatArray) -> FloatArray:
    """The Hessian of ``function`` at ``logs`` by central differences."""
    size, centre = logs.size, function(logs)
    result = np.empty((size, size))
    for i in range(size):
        for j in range(i, size):
            if i == j:  # the corners (1, -1) and (-1, 1) are the centre itself
                up, down = logs.copy(), logs.copy()
                up[i] += 2 * _STEP
                down[i] -= 2 * _STEP
                corners = [function(up), centre, centre, function(down)]
            else:
                corners = []
                for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                    moved = logs.copy()
                    moved[i] += si * _STEP
                    moved[j] += sj * _STEP
                    corners.append(function(moved))
            value = (corners[0] - corners[1] - corners[2] + corners[3]) / (4 * _STEP * _STEP)
            result[i, j] = result[j, i] = value
    return result


def maximise(
    log_likelihood: Callable[[FloatArray], float],
    *,
    start: Sequence[float],
    customers: int,
    names: Sequence[str] = (),
    value_and_gradient: Callable[[FloatArray], tuple[float, FloatArray]] | None = None,
) -> MaximumLikelihood:
    """The maximum-likelihood parameters of ``log_likelihood`` (a function of the parameters).

    The search runs over the logarithms of the (positive) parameters, on the
    mean log-likelihood per customer so its tolerances mean the same on any
    cohort size. A log-likelihood that is not finite counts as the worst value.
    The point found is then judged (:class:`Convergence`); ``names`` name the
    parameters in its message. ``value_and_gradient``, when given, returns the
    log-likelihood and its gradient in the parameters at once (analytic): the
    search then needs one evaluation per step instead of one per parameter and
    direction (:func:`_search_with_gradient`); the judging is the same.
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
    slope: Callable[[FloatArray], FloatArray] = gradient
    if value_and_gradient is None:
        bounds = [(-_LOG_BOUND, _LOG_BOUND)] * first.size
        found = optimize.minimize(
            objective,
            first,
            jac=gradient,
            method="L-BFGS-B",
            bounds=bounds,
            options=_LBFGSB_OPTIONS,
        )
    else:
        found, slope = _search_with_gradient(value_and_gradient, first, customers)
    logs = np.clip(np.asarray(found.x, dtype=np.float64), -_LOG_BOUND, _LOG_BOUND)
    parameters = np.exp(logs)
    with np.errstate(all="ignore"):
        value = float(log_likelihood(parameters))
        grad_norm = float(np.linalg.norm(slope(logs)))
    labels = list(names) or [f"parameter {i + 1}" for i in range(logs.size)]
    edges = [labels[i] for i in range(logs.size) if abs(logs[i]) >= _LOG_BOUND - _AT_BOUND]
    message, errors = str(found.message), None
    if not math.isfinite(value):
        why = "the log-likelihood is not finite at the point found"
    elif edges:
        why = (
            f"the maximum lies on the edge: {' and '.join(edges)} reached the edge of the "
            "searched range (e**-30 to e**30)"
        )
    else:
        why, errors = _judge(log_likelihood, logs, value, labels, -slope(logs))
        if not why and not found.success and grad_norm > _STILL:
            why = "the search stopped before it reached a maximum"
    converged = not why
    if why:
        message, errors = f"{message}; {why}", None
    elif not found.success:  # stopped short of its own tolerance, at a maximum all the same
        message = f"{message}; the point found is a maximum all the same"
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


def _search_with_gradient(
    value_and_gradient: Callable[[FloatArray], tuple[float, FloatArray]],
    first: FloatArray,
    customers: int,
) -> tuple[Any, Callable[[FloatArray], FloatArray]]:
    """BFGS on the log-parameters with the analytic gradient: the search's result, and
    the gradient of its objective (the mean negative log-likelihood) in log-parameters.

    BFGS, not L-BFGS-B: since scipy 1.15 L-BFGS-B makes LAPACK calls on every
    step, which threaded OpenBLAS can slow to milliseconds each (scipy issues
    22438 and 23191) - more than a whole evaluation here. BFGS has no bounds,
    so beyond the searched range (e**-30 to e**30) the objective continues as
    the value at the edge plus a quadratic wall, smooth and finite; the point
    found is read back inside the range. Where BFGS stops short with a
    gradient that is not small, L-BFGS-B on the same gradient takes over from
    there, inside the range.
    """

    def objective(logs: FloatArray) -> tuple[float, FloatArray]:
        inside = np.clip(logs, -_LOG_BOUND, _LOG_BOUND)
        outside = logs - inside
        parameters = np.exp(inside)
        with np.errstate(all="ignore"):
            value, slope = value_and_gradient(parameters)
        if not math.isfinite(value) or not np.all(np.isfinite(slope)):
            return math.inf, np.zeros_like(logs)
        wall = float(outside @ outside) / 2
        grad: FloatArray = np.where(outside == 0, -slope * parameters / customers, outside)
        return -value / customers + wall, grad

    def gradient(logs: FloatArray) -> FloatArray:
        return objective(logs)[1]

    found = optimize.minimize(
        objective, first, jac=True, method="BFGS", options={"maxiter": 2000, "gtol": 1e-9}
    )
    found.message = str(found.message).rstrip(".")  # the judge's words follow it
    inside = np.clip(found.x, -_LOG_BOUND, _LOG_BOUND)
    if not found.success and float(np.linalg.norm(gradient(inside))) > _STILL:
        steps = int(found.nit)
        found = optimize.minimize(
            objective,
            inside,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-_LOG_BOUND, _LOG_BOUND)] * first.size,
            options=_LBFGSB_OPTIONS,
        )
        found.nit = steps + int(found.nit)
    return found, gradient


def hyp2f1(a: Any, b: Any, c: Any, z: Any) -> FloatArray:
    """The Gaussian hypergeometric function 2F1(a, b; c; z), finite where scipy's is not.

    scipy returns NaN when c - a - b is a whole number (its connection formula
    meets the poles of the gamma function there), though the function is
    smooth in c: those values are read as the mean of the values either side
    of c, a relative 1e-7 away (about 1e-12 accurate) or, where scipy fails
    there too, up to 1e-2 away (about 1e-5).
    """
    a, b, c, z = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c, z)))
    value = np.array(special.hyp2f1(a, b, c, z), dtype=np.float64, copy=None)
    if not value.flags.writeable:  # a scalar's; an array is the ufunc's own, fresh
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


_CENT: Final = Decimal("0.01")
# Exact for every amount the fast path takes (at most 14 digits of cents).
_EXACT: Final = Context(prec=40, rounding=ROUND_HALF_EVEN)
# Cents up to 2**45 (about 350 billion in units) are read from floats directly.
_MOST_CENTS: Final = 2.0**45


def to_cents(values: FloatArray) -> tuple[Decimal, ...]:
    """Each value as Decimal to the cent: ``Decimal(repr(v)).quantize(0.01, ROUND_HALF_EVEN)``.

    The same result, about five times faster on a million values: v * 100 is
    within 1.3 units in its last place of the decimal repr's value times 100,
    so rounding it to the nearest whole number gives the same cents unless it
    lies within 4 units in the last place of a half; those values (and
    negative or very large ones) take the Decimal path itself.
    """
    hundreds = np.asarray(values, dtype=np.float64) * 100
    whole = np.rint(hundreds)
    with np.errstate(invalid="ignore"):
        near_half = np.abs(np.abs(hundreds - np.floor(hundreds)) - 0.5) <= 4 * np.spacing(hundreds)
        slow = ~np.isfinite(hundreds) | np.signbit(hundreds) | (hundreds > _MOST_CENTS) | near_half
    cents = np.where(slow, 0.0, whole).astype(np.int64).tolist()
    result = list(map(_EXACT.multiply, map(Decimal, cents), repeat(_CENT)))
    for index in np.flatnonzero(slow).tolist():
        result[index] = Decimal(repr(float(values[index]))).quantize(
            _CENT, rounding=ROUND_HALF_EVEN
        )
    return tuple(result)


def horizon(name: str, value: Any) -> float:
    """A prediction horizon: a finite number of time units, at least 0 (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InvalidType(name, value, "a number of time units, at least 0")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InvalidField(name, value, "a finite number of time units, at least 0")
    return number
