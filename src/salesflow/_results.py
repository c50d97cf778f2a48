"""Result values: every metric says what it divided by what, and how.

:class:`Ratio` (shares and rates), :class:`Score` (quotients on a scale of their
own) and :class:`Amount` (money) keep their figures, variant and formula, and the
exact quotient as a :class:`fractions.Fraction`; exactness, rounding and empty
denominators are on docs/metrics.md, "Results".

>>> from salesflow.metrics import Ratio
>>> Ratio("repeat purchase rate", 3, 4, variant="counts", formula="customers with 2+ orders / customers")
<Ratio repeat purchase rate (counts): 3 / 4 = 0.75>
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
)
from fractions import Fraction
from math import floor
from typing import Any, Final, Literal, TypeVar

import attrs

from salesflow import _check
from salesflow._tables import html_result
from salesflow.errors import InvalidField, InvalidType, UndefinedMetric
from salesflow.money import Money

__all__ = [
    "VALUE_PRECISION",
    "Amount",
    "OnEmpty",
    "Ratio",
    "Score",
    "UndefinedMetric",
    "MAX_PLACES",
    "bounded_decimal",
    "check_on_empty",
    "check_places",
    "flag_field",
    "instance_field",
    "shown_int",
    "result_from_dict",
    "settle",
]

VALUE_PRECISION: Final = 28
"""Significant digits of ``value``; ``fraction`` is always exact."""

MAX_PLACES: Final = 100
"""The most decimal places a result is rounded to for display (more would only be noise)."""

INPUT_DIGITS: Final = 30
"""A Decimal given to a metric is below ``10**30`` in size and has at most 30 decimal places."""

_RESULT_EXPONENT: Final = 1000
# A result's own figures (products of up to four inputs) stay far inside
# 10**±1000: no figure is so large or so fine that printing or rounding it
# would hang or hit Python's integer string limit.

OnEmpty = Literal["undefined", "raise"]
"""What a metric does with an empty denominator: an undefined result, or raise."""

_VALUE_CONTEXT: Final = Context(prec=VALUE_PRECISION, rounding=ROUND_HALF_EVEN)
_UNFINISHED_MARK: Final = ", period not over"
"""What a result's repr ends with when its period had not ended at ``now``."""

Number = int | Decimal
Input = int | Decimal | Money
_R = TypeVar("_R", "Ratio", "Score", "Amount")


# -- shared checks -----------------------------------------------------------


def _primitive(value: Any) -> Any:
    if isinstance(value, Money):
        return value.to_dict()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _read_number(field: str, value: Any) -> Any:
    """A number from a document: a whole number as is, a Decimal from its string, Money from
    its mapping."""
    if isinstance(value, dict):
        return Money.from_dict(value, field=field)
    if isinstance(value, str):
        return _check.decimal_text(field, value)
    return value


def check_on_empty(on_empty: Any) -> OnEmpty:
    """``on_empty`` is ``"undefined"`` or ``"raise"``."""
    if isinstance(on_empty, str) and on_empty == "undefined":
        return "undefined"
    if isinstance(on_empty, str) and on_empty == "raise":
        return "raise"
    raise InvalidField("on_empty", on_empty, "'undefined' or 'raise'")


def settle(result: _R, on_empty: Any) -> _R:
    """``result`` itself, or :class:`UndefinedMetric` when it is undefined and ``on_empty="raise"``."""
    if check_on_empty(on_empty) == "raise" and not result.defined:
        result.require()
    return result


def bounded_decimal(
    field: str, value: Decimal, *, context: str = "", digits: int = INPUT_DIGITS
) -> Decimal:
    """``value`` when it is finite, below ``10**digits`` in size and has at most ``digits``
    decimal places (trailing zeros do not count); else ``InvalidField``."""
    if not value.is_finite():
        raise InvalidField(field, value, "a finite number (not NaN or infinity)", context=context)
    if value.is_zero():
        return value
    _, figures, exponent = value.as_tuple()
    shown = "".join(map(str, figures))
    places = -(int(exponent) + len(shown) - len(shown.rstrip("0")))
    if value.adjusted() >= digits or places > digits:
        raise InvalidField(
            field,
            value,
            f"a number below 10**{digits} in size with at most {digits} decimal places",
            context=context,
        )
    return value


def shown_int(value: int) -> int | str:
    """``value`` for an error message: an int too long to print is described instead."""
    if value.bit_length() < 10_000:
        return value
    return f"an int of about {value.bit_length() * 3 // 10:,} digits"


def _bounded_int(field: str, value: int, *, context: str, digits: int) -> int:
    if abs(value) >= 10**digits:
        raise InvalidField(
            field, shown_int(value), f"a whole number below 10**{digits}", context=context
        )
    return value


def _number(field: str, value: Any, *, context: str, minimum: int | None = None) -> Number:
    expected = "an int or Decimal (floats are inexact)"
    if minimum is not None:
        expected = f"an int or Decimal of at least {minimum} (floats are inexact)"
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InvalidType(field, value, expected, context=context)
    if isinstance(value, Decimal):
        bounded_decimal(field, value, context=context, digits=_RESULT_EXPONENT)
    else:
        _bounded_int(field, value, context=context, digits=_RESULT_EXPONENT)
    if minimum is not None and value < minimum:
        raise InvalidField(field, value, expected, context=context)
    return value


def _numerator_field(instance: Any, attribute: Any, value: Any) -> None:
    _number(attribute.name, value, context=type(instance).__name__)


def _denominator_field(instance: Any, attribute: Any, value: Any) -> None:
    _number(attribute.name, value, context=type(instance).__name__, minimum=0)


def _flag_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, bool):
        raise InvalidType(attribute.name, value, "True or False", context=type(instance).__name__)


def flag_field(instance: Any, attribute: Any, value: Any) -> None:
    """An attrs validator: True or False (a SalesflowError, never attrs' TypeError)."""
    _flag_field(instance, attribute, value)


def instance_field(kind: type, *, optional: bool = False) -> Any:
    """An attrs validator: an instance of ``kind`` (or None when ``optional``), else InvalidType."""
    expected = f"{'None or ' if optional else ''}{'an' if kind.__name__[0] in 'AEIOU' else 'a'} "
    expected += kind.__name__

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if (value is None and optional) or isinstance(value, kind):
            return
        raise InvalidType(attribute.name, value, expected, context=type(instance).__name__)

    return check


def _unfinished_mark(unfinished: bool) -> str:
    return _UNFINISHED_MARK if unfinished else ""


def _optional_text(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise InvalidType(
            attribute.name, value, "a string ('' for the default)", context=type(instance).__name__
        )


def _inputs(value: Any) -> tuple[tuple[str, Input], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    if not isinstance(pairs, Iterable) or isinstance(pairs, str | bytes):
        raise InvalidType("inputs", value, "a mapping or (name, value) pairs")
    result: list[tuple[str, Input]] = []
    for index, pair in enumerate(pairs):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidType(f"inputs[{index}]", pair, "a (name, value) pair")
        name, item = pair
        name = _check.text(f"inputs[{index}].name", name)
        if any(name == seen for seen, _ in result):
            raise InvalidField(f"inputs[{index}].name", name, "a name not already in inputs")
        if isinstance(item, Money):
            bounded_decimal(f"inputs[{index}].value", item.amount, digits=_RESULT_EXPONENT)
        else:
            _number(f"inputs[{index}].value", item, context="")
        result.append((name, item))
    return tuple(result)


def check_places(places: Any) -> int:
    """Decimal places for display: a whole number from 0 to :data:`MAX_PLACES`."""
    number = _check.whole("places", places, minimum=0)
    if number > MAX_PLACES:
        raise InvalidField("places", shown_int(number), f"a whole number from 0 to {MAX_PLACES}")
    return number


def check_rounding(rounding: Any) -> str:
    return _check.rounding_mode("rounding", rounding)


def _decimal(fraction: Fraction) -> Decimal:
    value = _VALUE_CONTEXT.divide(Decimal(fraction.numerator), Decimal(fraction.denominator))
    # 2000 rather than 2E+3: a whole number is written out when it fits.
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0 and value.adjusted() < VALUE_PRECISION:
        value = value.quantize(Decimal(1), context=_VALUE_CONTEXT)
    return value


def round_fraction(fraction: Fraction, places: int, rounding: str) -> Decimal:
    """``fraction`` rounded to ``places`` decimals with ``rounding``, exactly.

    The scaled fraction is replaced by a proxy with the same integer part and
    the same position relative to the midpoint (below, on, above); every
    decimal rounding mode decides from exactly those facts, so rounding the
    short proxy gives the same result as rounding the exact fraction.
    """
    scaled = fraction * 10**places
    whole = floor(scaled)
    rest = scaled - whole
    quarter = 0 if rest == 0 else 1 if rest < Fraction(1, 2) else 2 if rest == Fraction(1, 2) else 3
    # A context wide enough for every digit of the proxy: the default 28 digits
    # would round (or refuse) a large value before the rounding that is asked for.
    context = Context(prec=len(str(abs(whole))) + places + 4, rounding=rounding)
    proxy = context.add(Decimal(whole), Decimal(quarter) / 4)
    result = proxy.quantize(Decimal(1), context=context).scaleb(-places, context=context)
    # -0.33 rounded to a whole is 0, not "-0".
    return result.copy_abs() if result.is_zero() else result


def _shown(value: Input) -> str:
    return str(value)


def _shown_fraction(fraction: Fraction, value: Decimal) -> str:
    if Fraction(value) == fraction:
        return str(value)
    short = Context(prec=10, rounding=ROUND_HALF_EVEN).divide(
        Decimal(fraction.numerator), Decimal(fraction.denominator)
    )
    return f"{fraction} ≈ {short}"


def _denominator_name(formula: str) -> str:
    _, slash, after = formula.rpartition(" / ")
    name = after.strip() if slash else "the denominator"
    if name.startswith("(") and name.endswith(")"):
        name = name[1:-1].strip()
    return name or "the denominator"


# -- Ratio -----------------------------------------------------------------


class _Result:
    """What the three results share: defined, exactness, and the undefined error.

    Each result gives ``fraction`` (the exact value, or None when undefined).
    """

    __slots__ = ()

    metric: str
    denominator: Number
    variant: str
    formula: str
    denominator_name: str

    @property
    def defined(self) -> bool:
        """False when the denominator is 0: the result has no value."""
        return self.denominator != 0

    @property
    def fraction(self) -> Fraction | None:  # pragma: no cover - every result defines it
        raise NotImplementedError

    @property
    def value_is_exact(self) -> bool:
        """True when ``value`` equals ``fraction`` (and the result is defined)."""
        fraction = self.fraction
        return fraction is not None and Fraction(_decimal(fraction)) == fraction

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives; :meth:`from_dict` reads them back.

        Whole numbers stay numbers, Decimals are written as strings, Money as
        its ``to_dict``. ``value`` and ``fraction`` are written too, for
        readers; reading checks them against the figures.
        """
        document: dict[str, Any] = {"kind": type(self).__name__.lower()}
        for field in attrs.fields(type(self)):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            if field.name == "inputs":
                value = [[name, _primitive(item)] for name, item in value]
            document[field.name] = _primitive(value)
        fraction = self.fraction
        document["fraction"] = None if fraction is None else str(fraction)
        value = getattr(self, "value", None)
        document["value"] = _primitive(value) if value is not None else None
        return document

    @classmethod
    def from_dict(cls, document: Any) -> Any:
        """Rebuild a result from :meth:`to_dict`; a malformed or altered document raises."""
        doc = _check.mapping("document", document)
        kind = _check.key("", doc, "kind")
        if kind != cls.__name__.lower():
            raise InvalidField("kind", kind, repr(cls.__name__.lower()))
        names = {field.name for field in attrs.fields(cls)}  # type: ignore[arg-type]
        _check.only_keys("", doc, names | {"kind", "fraction", "value"})
        values: dict[str, Any] = {}
        for name in names:
            if name not in doc:
                continue
            raw = doc[name]
            if name == "inputs":
                if not isinstance(raw, list):
                    raise InvalidType("inputs", raw, "a list of [name, value] pairs")
                raw = [
                    (pair[0], _read_number(f"inputs[{i}]", pair[1]))
                    if isinstance(pair, list) and len(pair) == 2
                    else pair
                    for i, pair in enumerate(raw)
                ]
            elif name in ("numerator", "denominator", "scale"):
                raw = _read_number(name, raw)
            values[name] = raw
        try:
            result = cls(**values)
        except TypeError as err:
            if isinstance(err, InvalidField):
                raise
            raise InvalidField("document", sorted(doc), f"the keys of a {cls.__name__}") from None
        _check.same_document("", doc, result.to_dict(), why="as the figures give")
        # Imported here: the metrics that rebuild results import this module.
        from salesflow.metrics._rebuild import from_inputs

        try:
            again = from_inputs(result)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            raise InvalidField(
                "inputs", doc.get("inputs"), f"the inputs of a {result.metric} result"
            ) from None
        if again is not None:
            _check.same_document("", doc, again.to_dict(), why="as the inputs give")
        return result

    def _undefined(self) -> UndefinedMetric:
        return UndefinedMetric(
            self.metric,
            self.denominator_name or _denominator_name(self.formula),
            variant=self.variant,
        )


class _DecimalResult(_Result):
    """A result whose value is a Decimal (Ratio and Score; an Amount's is Money)."""

    __slots__ = ()

    @property
    def value(self) -> Decimal | None:
        """The value as a Decimal (exact when it terminates, see the module docs), or None."""
        fraction = self.fraction
        return None if fraction is None else _decimal(fraction)

    def require(self) -> Decimal:
        """``value``, or :class:`UndefinedMetric` naming the metric and the empty denominator."""
        value = self.value
        if value is None:
            raise self._undefined()
        return value


@attrs.frozen(repr=False)
class Ratio(_DecimalResult):
    """A share or a rate: ``numerator / denominator``, with how it was computed.

    ``metric`` names it ("retention rate"), ``variant`` says which of the
    field's definitions was used ("counts", "set-based"...), ``formula``
    states it in words. ``working`` is the computation as shown in the repr
    (defaults to ``"numerator / denominator"``) and ``inputs`` the named
    figures it came from. ``denominator_name`` is what an empty denominator
    is reported as (defaults to the part of ``formula`` after its last " / ").
    ``unfinished`` is True when the metric covered a period that had not
    ended at the ``now`` it was given: a part of the period, whose figures
    will still move (the repr ends with ", period not over"). It takes part
    in equality: a half-finished month never equals a full one.

    Refuses floats and bools for numerator and denominator, non-finite
    Decimals, a negative denominator and an ``unfinished`` that is not a bool.

    >>> Ratio("order cancellation rate", 3, 40, variant="orders placed in 2026-03",
    ...       formula="cancelled orders / orders placed", unfinished=True)
    <Ratio order cancellation rate (orders placed in 2026-03): 3 / 40 = 0.075, period not over>
    """

    metric: str = attrs.field(validator=_check.text_field)
    numerator: Number = attrs.field(validator=_numerator_field)
    denominator: Number = attrs.field(validator=_denominator_field)
    variant: str = attrs.field(validator=_check.text_field)
    formula: str = attrs.field(validator=_check.text_field)
    working: str = attrs.field(default="", kw_only=True, validator=_optional_text)
    inputs: tuple[tuple[str, Input], ...] = attrs.field(default=(), kw_only=True, converter=_inputs)
    denominator_name: str = attrs.field(default="", kw_only=True, validator=_optional_text)
    unfinished: bool = attrs.field(default=False, kw_only=True, validator=_flag_field)

    @property
    def fraction(self) -> Fraction | None:
        """The exact quotient, or None when undefined."""
        if not self.defined:
            return None
        return Fraction(self.numerator) / Fraction(self.denominator)

    def percent(self, places: int = 1, rounding: str = ROUND_HALF_EVEN) -> str:
        """The share as a percentage rounded to ``places`` with ``rounding``: ``"86.0%"``.

        ``"undefined"`` when the denominator is empty. Rounding happens here
        and only here, from the exact fraction.
        """
        places = check_places(places)
        rounding = check_rounding(rounding)
        fraction = self.fraction
        if fraction is None:
            return "undefined"
        return f"{round_fraction(fraction * 100, places, rounding)}%"

    def __repr__(self) -> str:
        working = self.working or f"{_shown(self.numerator)} / {_shown(self.denominator)}"
        fraction = self.fraction
        outcome = "undefined" if fraction is None else _shown_fraction(fraction, _decimal(fraction))
        mark = _unfinished_mark(self.unfinished)
        return f"<Ratio {self.metric} ({self.variant}): {working} = {outcome}{mark}>"

    def _repr_html_(self) -> str:
        return html_result(kind="ratio", shown=self.percent(), detail=repr(self))


# -- Score ---------------------------------------------------------------------


@attrs.frozen(repr=False)
class Score(_DecimalResult):
    """A quotient on a scale of its own: ``scale * numerator / denominator``.

    NPS is a Score (``100 * (promoters - detractors) / responses``, in
    -100..100), and so is a mean satisfaction score (``1 * sum of scores /
    responses``). ``signed`` makes :meth:`text` write a leading ``+`` for
    positive values, as NPS is usually written. The other fields mean what
    they mean on :class:`Ratio`.
    """

    metric: str = attrs.field(validator=_check.text_field)
    numerator: Number = attrs.field(validator=_numerator_field)
    denominator: Number = attrs.field(validator=_denominator_field)
    variant: str = attrs.field(validator=_check.text_field)
    formula: str = attrs.field(validator=_check.text_field)
    scale: Number = attrs.field(default=1, kw_only=True, validator=_numerator_field)
    signed: bool = attrs.field(default=False, kw_only=True, validator=_flag_field)
    working: str = attrs.field(default="", kw_only=True, validator=_optional_text)
    inputs: tuple[tuple[str, Input], ...] = attrs.field(default=(), kw_only=True, converter=_inputs)
    denominator_name: str = attrs.field(default="", kw_only=True, validator=_optional_text)
    unfinished: bool = attrs.field(default=False, kw_only=True, validator=_flag_field)

    @property
    def fraction(self) -> Fraction | None:
        """The exact score, or None when undefined."""
        if not self.defined:
            return None
        return Fraction(self.scale) * Fraction(self.numerator) / Fraction(self.denominator)

    def rounded(self, places: int = 0, rounding: str = ROUND_HALF_EVEN) -> Decimal | None:
        """The score rounded to ``places`` with ``rounding`` (None when undefined)."""
        places = check_places(places)
        rounding = check_rounding(rounding)
        fraction = self.fraction
        return None if fraction is None else round_fraction(fraction, places, rounding)

    def text(self, places: int = 0, rounding: str = ROUND_HALF_EVEN) -> str:
        """The rounded score as text (``"+10"`` for a signed score), or ``"undefined"``."""
        value = self.rounded(places, rounding)
        if value is None:
            return "undefined"
        return f"+{value}" if self.signed and value > 0 else str(value)

    def __repr__(self) -> str:
        working = self.working or f"{_shown(self.numerator)} / {_shown(self.denominator)}"
        if self.scale != 1 and not self.working:
            working = f"{self.scale} * {working}"
        fraction = self.fraction
        outcome = "undefined" if fraction is None else _shown_fraction(fraction, _decimal(fraction))
        mark = _unfinished_mark(self.unfinished)
        return f"<Score {self.metric} ({self.variant}): {working} = {outcome}{mark}>"

    def _repr_html_(self) -> str:
        return html_result(kind="score", shown=self.text(2), detail=repr(self))


# -- Amount --------------------------------------------------------------------


def _money_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Money):
        raise InvalidType(
            attribute.name, value, "Money (Decimal + currency)", context=type(instance).__name__
        )
    bounded_decimal(
        attribute.name, value.amount, context=type(instance).__name__, digits=_RESULT_EXPONENT
    )


@attrs.frozen(repr=False)
class Amount(_Result):
    """An amount of money computed from others: ``numerator / denominator``.

    ``numerator`` is Money, ``denominator`` a plain number (1 when nothing is
    divided). Customer lifetime value is an Amount: historical CLV has
    denominator 1, churn-based CLV divides by the churn rate. ``value`` is
    Money (its amount exact when the quotient terminates, see the module
    docs); :meth:`rounded` rounds to the currency's minor unit, once, with a
    stated mode. The other fields mean what they mean on :class:`Ratio`.
    """

    metric: str = attrs.field(validator=_check.text_field)
    numerator: Money = attrs.field(validator=_money_field)
    denominator: Number = attrs.field(validator=_denominator_field)
    variant: str = attrs.field(validator=_check.text_field)
    formula: str = attrs.field(validator=_check.text_field)
    working: str = attrs.field(default="", kw_only=True, validator=_optional_text)
    inputs: tuple[tuple[str, Input], ...] = attrs.field(default=(), kw_only=True, converter=_inputs)
    denominator_name: str = attrs.field(default="", kw_only=True, validator=_optional_text)
    unfinished: bool = attrs.field(default=False, kw_only=True, validator=_flag_field)

    @property
    def currency(self) -> str:
        return self.numerator.currency

    @property
    def fraction(self) -> Fraction | None:
        """The exact amount (in the currency's major unit), or None when undefined."""
        if not self.defined:
            return None
        return Fraction(self.numerator.amount) / Fraction(self.denominator)

    @property
    def value(self) -> Money | None:
        """The amount as Money (exact when it terminates), or None."""
        fraction = self.fraction
        return None if fraction is None else Money(_decimal(fraction), self.currency)

    def require(self) -> Money:
        """``value``, or :class:`UndefinedMetric` naming the metric and the empty denominator."""
        value = self.value
        if value is None:
            raise self._undefined()
        return value

    def rounded(self, rounding: str = ROUND_HALF_EVEN) -> Money | None:
        """The amount rounded to the currency's minor unit with ``rounding`` (None when undefined)."""
        rounding = check_rounding(rounding)
        fraction = self.fraction
        if fraction is None:
            return None
        return Money(round_fraction(fraction, self.numerator.minor_units, rounding), self.currency)

    def __repr__(self) -> str:
        if self.working:
            working = self.working
        elif self.denominator == 1 and "/" not in self.formula:
            working = _shown(self.numerator)
        else:
            working = f"{_shown(self.numerator)} / {_shown(self.denominator)}"
        fraction = self.fraction
        if fraction is None:
            outcome = "undefined"
        else:
            outcome = f"{_shown_fraction(fraction, _decimal(fraction))} {self.currency}"
        mark = _unfinished_mark(self.unfinished)
        return f"<Amount {self.metric} ({self.variant}): {working} = {outcome}{mark}>"

    def _repr_html_(self) -> str:
        value = self.rounded()
        shown = "undefined" if value is None else str(value)
        return html_result(kind="amount", shown=shown, detail=repr(self))


def result_from_dict(document: Any) -> Ratio | Score | Amount:
    """Any result from its ``to_dict`` form, by its ``kind``.

    >>> from salesflow.metrics import retention_rate
    >>> ratio = retention_rate(customers_at_start=500, new_customers=50, customers_at_end=480)
    >>> result_from_dict(ratio.to_dict()) == ratio
    True
    """
    kind = _check.key("", _check.mapping("document", document), "kind")
    kinds: dict[str, type[Ratio] | type[Score] | type[Amount]] = {
        "ratio": Ratio,
        "score": Score,
        "amount": Amount,
    }
    if not isinstance(kind, str) or kind not in kinds:
        raise InvalidField("kind", kind, "one of ratio, score, amount")
    result: Ratio | Score | Amount = kinds[kind].from_dict(document)
    return result
