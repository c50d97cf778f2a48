"""A small seeded random number generator, the same on every platform (private).

:class:`Rng` is xoshiro256** seeded through splitmix64, in plain integer
arithmetic, so a seed gives the same stream on every platform and Python
version; why and how: docs/development.md, "Seeded randomness".
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from typing import Final, TypeVar

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType

__all__ = ["Rng"]

_T = TypeVar("_T")

_MASK: Final = (1 << 64) - 1
_GOLDEN: Final = 0x9E3779B97F4A7C15
_FNV_OFFSET: Final = 0xCBF29CE484222325
_FNV_PRIME: Final = 0x100000001B3
_TWO_53: Final = 1 << 53
# Bounds that keep every draw quick: the most bits one call draws, the finest
# probability chance() resolves (finer shares are rounded to it), the widest
# lognormal spread.
_MOST_BITS: Final = 1 << 22
_FINEST: Final = 1 << 256
_MOST_SIGMA: Final = Decimal(100)
_TWO_32: Final = Decimal(1 << 32)
# Transcendental helpers compute in their own context, never the caller's
# thread context, so a host that changes decimal.getcontext() changes nothing here.
_CONTEXT: Final = Context(prec=18, rounding=ROUND_HALF_EVEN)


def _mix(z: int) -> int:
    """splitmix64's output function: a 64-bit bijection that scrambles every bit."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def splitmix64(state: int) -> tuple[int, int]:
    """One step of splitmix64: ``(next state, output)``."""
    state = (state + _GOLDEN) & _MASK
    return state, _mix(state)


def _fold(value: int) -> int:
    """A non-negative integer of any size as 64 bits (itself when it fits)."""
    if value <= _MASK:
        return value
    folded = 0
    while value:
        folded = _mix(folded ^ (value & _MASK))
        value >>= 64
    return folded


def _key(value: int | str) -> int:
    """A key for :meth:`Rng.fork` as 64 bits: strings by FNV-1a over UTF-8 (never ``hash()``,
    which changes from run to run)."""
    if isinstance(value, bool):
        raise InvalidType("key", value, "an int or a string")
    if isinstance(value, int):
        # The sign goes into the low bit so that -1 and 1 differ.
        return _fold((abs(value) << 1) | (value < 0))
    if isinstance(value, str):
        digest = _FNV_OFFSET
        for byte in value.encode("utf-8"):
            digest = ((digest ^ byte) * _FNV_PRIME) & _MASK
        return digest
    raise InvalidType("key", value, "an int or a string")


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & _MASK


class Rng:
    """xoshiro256** seeded through splitmix64: a fast, well-tested generator.

    ``Rng(seed)`` takes a whole number of at least 0 (seeds wider than 64
    bits are folded, not truncated). The stream is the reference one: the
    state is four splitmix64 outputs from the seed, as ``seed_from_u64``
    does in Rust's ``rand_xoshiro``. A generator is a mutable object; use one
    per stream, and :meth:`fork` for independent streams keyed by name.
    """

    __slots__ = ("_s0", "_s1", "_s2", "_s3")

    def __init__(self, seed: int) -> None:
        _check.whole("seed", seed, minimum=0)
        state = _fold(seed)
        words = []
        for _ in range(4):
            state, word = splitmix64(state)
            words.append(word)
        self._s0, self._s1, self._s2, self._s3 = words

    @classmethod
    def from_state(cls, state: Sequence[int]) -> Rng:
        """A generator in exactly ``state`` (four 64-bit words, not all zero)."""
        if isinstance(state, str) or not isinstance(state, Sequence) or len(state) != 4:
            raise InvalidType("state", state, "four 64-bit words")
        for index, word in enumerate(state):
            if isinstance(word, bool) or not isinstance(word, int) or not 0 <= word <= _MASK:
                raise InvalidField(f"state[{index}]", word, "a whole number from 0 to 2**64 - 1")
        if not any(state):
            raise InvalidField("state", list(state), "at least one word that is not zero")
        rng = cls.__new__(cls)
        rng._s0, rng._s1, rng._s2, rng._s3 = state
        return rng

    @property
    def state(self) -> tuple[int, int, int, int]:
        return self._s0, self._s1, self._s2, self._s3

    def next64(self) -> int:
        """The next 64 random bits, as an int from 0 to 2**64 - 1."""
        s0, s1, s2, s3 = self._s0, self._s1, self._s2, self._s3
        result = (_rotl((s1 * 5) & _MASK, 7) * 9) & _MASK
        t = (s1 << 17) & _MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self._s0, self._s1, self._s2, self._s3 = s0, s1, s2, s3
        return result

    def bits(self, count: int) -> int:
        """``count`` random bits (the high bits of each draw, which are the strongest).

        Refused: more than 2**22 bits at once.
        """
        _check.whole("count", count, minimum=0)
        if count > _MOST_BITS:
            raise InvalidField("count", count, f"a whole number from 0 to {_MOST_BITS}")
        value, have = 0, 0
        while have < count:
            take = min(64, count - have)
            value = (value << take) | (self.next64() >> (64 - take))
            have += take
        return value

    def below(self, n: int) -> int:
        """A uniform whole number from 0 to ``n - 1``, without bias (rejection sampling)."""
        _check.whole("n", n, minimum=1)
        width = (n - 1).bit_length()
        if width == 0:
            return 0
        while True:
            value = self.bits(width)
            if value < n:
                return value

    def randint(self, low: int, high: int) -> int:
        """A uniform whole number from ``low`` to ``high``, both included."""
        if isinstance(low, bool) or not isinstance(low, int):
            raise InvalidType("low", low, "a whole number")
        if isinstance(high, bool) or not isinstance(high, int):
            raise InvalidType("high", high, "a whole number")
        if high < low:
            raise InvalidField("high", high, f"a whole number of at least low ({low})")
        return low + self.below(high - low + 1)

    def random(self) -> float:
        """A float in [0, 1) from 53 random bits: exact, the same on every IEEE 754 platform."""
        return (self.next64() >> 11) / _TWO_53

    def chance(self, share: Decimal | Fraction | int) -> bool:
        """True with probability ``share`` (0 to 1), decided exactly, with no float in between.

        A share finer than 2**-256 is first rounded to the nearest multiple of it.
        """
        if isinstance(share, bool) or not isinstance(share, Decimal | Fraction | int):
            raise InvalidType("share", share, "a Decimal, Fraction or int from 0 to 1")
        if isinstance(share, Decimal) and not share.is_finite():
            raise InvalidField("share", share, "a finite share from 0 to 1")
        exact = Fraction(share)
        if not 0 <= exact <= 1:
            raise InvalidField("share", share, "a share from 0 to 1")
        if exact.denominator > _FINEST:
            exact = Fraction(round(exact * _FINEST), _FINEST)
        return self.below(exact.denominator) < exact.numerator

    def choice(self, items: Sequence[_T]) -> _T:
        """One of ``items``, each equally likely."""
        if isinstance(items, str) or not isinstance(items, Sequence):
            raise InvalidType("items", items, "a sequence")
        if not items:
            raise InvalidField("items", items, "a sequence with at least one item")
        return items[self.below(len(items))]

    def weighted_index(self, weights: Sequence[int]) -> int:
        """An index into ``weights`` with probability proportional to its (whole) weight."""
        if isinstance(weights, str) or not isinstance(weights, Sequence):
            raise InvalidType("weights", weights, "a sequence of whole numbers")
        total = 0
        for index, weight in enumerate(weights):
            _check.whole(f"weights[{index}]", weight, minimum=0)
            total += weight
        if total == 0:
            raise InvalidField("weights", list(weights), "at least one weight above 0")
        point = self.below(total)
        for index, weight in enumerate(weights):
            if point < weight:
                return index
            point -= weight
        raise AssertionError("unreachable: point < total")  # pragma: no cover

    def coin_flips(self, count: int) -> int:
        """Heads in ``count`` fair coin flips: Binomial(count, 1/2), mean count / 2."""
        return self.bits(count).bit_count()

    def exponential(self, mean: Decimal) -> Decimal:
        """An exponential draw with ``mean`` (a Decimal above 0): ``-ln(u) * mean``, u in (0, 1]."""
        if not isinstance(mean, Decimal) or not mean.is_finite() or mean <= 0:
            raise InvalidField("mean", mean, "a finite Decimal above 0")
        u = _CONTEXT.divide(Decimal(self.bits(53) + 1), Decimal(_TWO_53))
        return _CONTEXT.multiply(_CONTEXT.minus(_CONTEXT.ln(u)), mean)

    def normal(self) -> Decimal:
        """An approximately standard normal draw: the sum of twelve uniforms, less six.

        (Irwin-Hall: mean 0, variance 1, bounded to -6..6; plenty for a simulation.)
        """
        total = sum(self.next64() >> 32 for _ in range(12))
        return _CONTEXT.subtract(_CONTEXT.divide(Decimal(total), _TWO_32), Decimal(6))

    def lognormal(self, median: Decimal, sigma: Decimal) -> Decimal:
        """``median * exp(sigma * z)`` for an approximately normal ``z``: skewed, always above 0."""
        if not isinstance(median, Decimal) or not median.is_finite() or median <= 0:
            raise InvalidField("median", median, "a finite Decimal above 0")
        if not isinstance(sigma, Decimal) or not sigma.is_finite() or not 0 <= sigma <= _MOST_SIGMA:
            raise InvalidField("sigma", sigma, f"a Decimal from 0 to {_MOST_SIGMA}")
        return _CONTEXT.multiply(median, _CONTEXT.exp(_CONTEXT.multiply(sigma, self.normal())))

    def fork(self, *keys: int | str) -> Rng:
        """An independent generator derived from this one's state and ``keys``.

        This generator does not move: the same keys give the same child, and
        different keys give unrelated streams.
        """
        digest = _mix(self._s0 ^ _mix(self._s1 ^ _mix(self._s2 ^ _mix(self._s3))))
        for key in keys:
            digest = _mix(digest ^ _key(key))
        return Rng(digest)

    def __repr__(self) -> str:
        return f"<Rng xoshiro256** state={self.state}>"
