"""P(X(t) = n): the distribution of the number of purchases under the purchase models.

For a new customer (the time since the first purchase) and, through the
posterior of a customer's rates, for an existing one (the next ``t`` time
units after the end of calibration). Every term is a sum of positive parts
computed in logs, so no probability comes from the difference of two nearly
equal numbers (which is where the published closed forms lose their digits):

- BG/NBD and MBG/NBD: the NBD probability of n purchases while alive, plus
  the chance of dropping out after the n-th, P(N(t) >= n) being the
  regularised incomplete beta function I(t/(alpha+t); n, r).
- Pareto/NBD: the NBD probability of n purchases times the chance of being
  alive at t, plus the integral over the time of death tau in (0, t) of the
  death density times the NBD probability of n purchases by tau. That
  integrand is log-concave in log(tau); it is integrated by Gauss-Legendre
  panels placed around its maximum, on the scale of its curvature there and
  growing geometrically away from it (about 1e-10 relative, checked against
  adaptive quadrature from 1e-3 to 1e3 in every parameter).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

from salesflow.errors import InvalidField, InvalidType
from salesflow.predict._numeric import FloatArray, np, special

__all__ = ["bg_counts", "count_values", "pareto_counts"]

# At most this many values of n in one call, each at most this large.
_MAX_COUNTS: Final = 10_000
_MAX_COUNT: Final = 1_000_000_000


def count_values(name: str, value: Any) -> tuple[FloatArray, bool]:
    """Whole numbers of purchases (one, or a sequence of them) as floats, and whether one was given."""
    expected = f"a whole number of purchases from 0 to {_MAX_COUNT:,}"
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        values, single = [value], True
    elif isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidType(name, value, f"{expected}, or a sequence of them")
    else:
        values, single = list(value), False  # a generator is read once, here
        if not values or len(values) > _MAX_COUNTS:
            raise InvalidField(
                name, value, f"1 to {_MAX_COUNTS:,} whole numbers of purchases (0 or more each)"
            )
    for index, item in enumerate(values):
        where = name if single else f"{name}[{index}]"
        if isinstance(item, bool) or not isinstance(item, int | np.integer):
            raise InvalidType(where, item, expected)
        if not 0 <= int(item) <= _MAX_COUNT:
            raise InvalidField(where, item, expected)
    return np.asarray([float(v) for v in values], dtype=np.float64), single


def _log_nbd(n: FloatArray, r: Any, alpha: Any, t: float) -> FloatArray:
    """log P(N(t) = n) under the NBD (gamma(r, alpha) rates): at t = 0, 1 for n = 0."""
    result: FloatArray = (
        special.gammaln(r + n)
        - special.gammaln(r)
        - special.gammaln(n + 1)
        - r * np.log1p(t / alpha)
        + special.xlogy(n, t / (alpha + t))
    )
    return result


def bg_counts(
    n: FloatArray, t: float, r: Any, alpha: Any, a: float, b: Any, *, first: bool
) -> FloatArray:
    """P(X(t) = n) under BG/NBD (``first`` False) or MBG/NBD (``first`` True, a dropout chance at 0).

    B(a, b+n+k)/B(a, b) NBD(n) + B(a+1, b+n+k-1)/B(a, b) P(N(t) >= n), k = 1
    with the dropout chance at the first purchase, 0 without; the second term
    (dropping out after the n-th purchase) needs n + k >= 1. ``r``, ``alpha``
    and ``b`` may be arrays (a customer's posterior), broadcast against ``n``.
    """
    k = 1.0 if first else 0.0
    base = special.betaln(a, b)
    alive = special.betaln(a, b + n + k) - base + _log_nbd(n, r, alpha, t)
    reached = np.where(n > 0, special.betainc(np.maximum(n, 1.0), r, t / (alpha + t)), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(
            n + k >= 1,
            special.betaln(a + 1, np.maximum(b + n + k - 1, 1e-300)) - base + np.log(reached),
            -np.inf,
        )
    result: FloatArray = np.exp(alive) + np.exp(dropped)
    return result


# Offsets of the panels' edges from the integrand's maximum, in its scale: fine near the
# maximum, then growing geometrically; the last reaches the end of the range whatever it is.
def _offsets() -> FloatArray:
    edges, step = [0.0], 0.5
    while edges[-1] < 2e6:
        edges.append(edges[-1] + step)
        step *= 1.5
    edges.append(math.inf)
    return np.asarray(edges)


_OFFSETS: Final = _offsets()
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(8)
_ROWS: Final = 2048  # rows integrated at once: bounds the memory of the quadrature


def _log_death_integral(
    n: FloatArray, t: float, r: FloatArray, a: FloatArray, s: float, b: FloatArray
) -> FloatArray:
    """log of the integral over v = log(tau) < log(t) of exp(g(v)), row by row.

    g(v) = (n+1) v - (r+n) log(alpha + e**v) - (s+1) log(beta + e**v)
    (a = log alpha, b = log beta); g is concave, its slope falling from n+1
    to -(r+s), so its maximum on the range is found by bisection.
    """
    hi = math.log(t)

    def g(v: FloatArray, rows: tuple[FloatArray, ...]) -> FloatArray:
        n_, r_, a_, b_ = rows
        result: FloatArray = (
            (n_ + 1) * v - (r_ + n_) * np.logaddexp(a_, v) - (s + 1) * np.logaddexp(b_, v)
        )
        return result

    def slope(v: FloatArray) -> FloatArray:
        result: FloatArray = (
            (n + 1) - (r + n) * special.expit(v - a) - (s + 1) * special.expit(v - b)
        )
        return result

    # The slope is > 0 below `low` and < 0 above `high`; 64 halvings pin the maximum.
    low = np.minimum(a, b) - 40.0 - np.log1p(r + n + s)
    high = np.maximum(a, b) + np.log((r + 2 * n + s + 2) / (r + s)) + 5.0
    for _ in range(64):
        middle = (low + high) / 2
        rising = slope(middle) > 0
        low, high = np.where(rising, middle, low), np.where(rising, high, middle)
    top = np.minimum((low + high) / 2, hi)
    curvature = (r + n) * special.expit(top - a) * special.expit(a - top) + (s + 1) * special.expit(
        top - b
    ) * special.expit(b - top)
    with np.errstate(divide="ignore"):
        scale = np.minimum(np.minimum(1.0, 1 / np.sqrt(curvature)), 1 / np.abs(slope(top)))
    # Below `start` the integrand is exp of a line of slope n + 1: its integral is exact.
    start = np.minimum(np.minimum(np.minimum(top, a), b) - 40.0, hi - 1.0)
    rows = (n, r, a, b)
    peak = g(top, rows)
    body = np.empty_like(n)
    for first in range(0, n.size, _ROWS):
        part = slice(first, first + _ROWS)
        centre, size = top[part, None], scale[part, None]
        left = int(
            np.searchsorted(_OFFSETS, float(np.max((top[part] - start[part]) / scale[part])))
        )
        right = int(np.searchsorted(_OFFSETS, float(np.max((hi - top[part]) / scale[part]))))
        steps = np.concatenate([-_OFFSETS[left:0:-1], _OFFSETS[: right + 1]])
        with np.errstate(invalid="ignore"):
            edges = np.clip(centre + size * steps, start[part, None], hi)
        mid, half = (edges[:, 1:] + edges[:, :-1]) / 2, (edges[:, 1:] - edges[:, :-1]) / 2
        v = (mid[:, :, None] + half[:, :, None] * _NODES).reshape(mid.shape[0], -1)
        w = (half[:, :, None] * _WEIGHTS).reshape(mid.shape[0], -1)
        these = tuple(column[part, None] for column in rows)
        total = np.sum(w * np.exp(g(v, these) - peak[part, None]), axis=1)
        body[part] = np.log(total) + peak[part]
    tail = g(start, rows) - np.log(n + 1)
    result: FloatArray = np.logaddexp(body, tail)
    return result


def pareto_counts(n: FloatArray, t: float, r: Any, alpha: Any, s: float, beta: Any) -> FloatArray:
    """P(X(t) = n) under Pareto/NBD; ``r``, ``alpha`` and ``beta`` may be arrays, broadcast with ``n``.

    NBD(n) (beta/(beta+t))**s + the integral over tau in (0, t) of
    s beta**s / (beta+tau)**(s+1) NBD(n; tau) (Fader and Hardie's note on
    P(X(t) = x) under the Pareto/NBD, in a form without cancellation).
    """
    shape = np.broadcast_shapes(np.shape(n), np.shape(r), np.shape(alpha), np.shape(beta))
    n, r, alpha, beta = (
        np.ascontiguousarray(np.broadcast_to(v, shape), dtype=np.float64).ravel()
        for v in (n, r, alpha, beta)
    )
    alive = _log_nbd(n, r, alpha, t) - s * np.log1p(t / beta)
    if t == 0:
        now: FloatArray = np.exp(alive).reshape(shape)
        return now
    result: FloatArray = np.exp(alive)
    for first in range(0, n.size, 32 * _ROWS):  # bounds the memory of the bisection too
        part = slice(first, first + 32 * _ROWS)
        n_, r_, a, b = n[part], r[part], np.log(alpha[part]), np.log(beta[part])
        constant = (
            math.log(s)
            + s * b
            + special.gammaln(r_ + n_)
            - special.gammaln(r_)
            - special.gammaln(n_ + 1)
            + r_ * a
        )
        result[part] += np.exp(constant + _log_death_integral(n_, t, r_, a, s, b))
    shaped: FloatArray = result.reshape(shape)
    return shaped
