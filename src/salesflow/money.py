"""Exact money: a Decimal amount in one ISO 4217 currency.

Floats, NaN, infinities and mixed currencies are refused; sums stay exact and
rounding happens once, at the edge (:meth:`Money.rounded`). The supported
range and examples are in docs/orders.md ("Amounts").
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from types import MappingProxyType
from typing import Any, Final

import attrs

from salesflow import _check
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType

__all__ = ["CURRENCY_MINOR_UNITS", "MAX_AMOUNT", "MAX_DECIMAL_PLACES", "Money"]

MAX_AMOUNT: Final = Decimal(10**18)
"""No amount is larger than this in size."""

MAX_DECIMAL_PLACES: Final = 40
"""Every amount has at most this many decimal places (trailing zeros aside)."""

_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_DECIMALS = "CLF UYW"
_TWO_DECIMALS = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB "
    "EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS "
    "KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN "
    "MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD "
    "SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS "
    "UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)

CURRENCY_MINOR_UNITS: Final[MappingProxyType[str, int]] = MappingProxyType(
    {
        **dict.fromkeys(_ZERO_DECIMALS.split(), 0),
        **dict.fromkeys(_TWO_DECIMALS.split(), 2),
        **dict.fromkeys(_THREE_DECIMALS.split(), 3),
        **dict.fromkeys(_FOUR_DECIMALS.split(), 4),
    }
)
"""Active ISO 4217 currency codes and the digits of their minor unit (read-only)."""

# Arithmetic runs in a shared context that traps rounding: a result that is
# not exact raises rather than drifting by a fraction of a cent (metrics use it too;
# not part of the public API, hence not in __all__).
EXACT = Context(prec=60, traps=[Inexact, InvalidOperation, Overflow, DivisionByZero])
# Rounding to a minor unit, whatever the caller's thread-local context says.
_ROUNDING = Context(prec=60, traps=[InvalidOperation, Overflow, DivisionByZero])


def _to_amount(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except ArithmeticError:
            raise InvalidField("amount", value, "a decimal number such as '19.99'") from None
    else:
        raise InvalidType("amount", value, "a Decimal, int or decimal string (floats are inexact)")
    if not amount.is_finite():
        raise InvalidField("amount", value, "a finite number (not NaN or infinity)")
    if amount.copy_abs() > MAX_AMOUNT:
        raise InvalidField("amount", value, "an amount of at most 10**18 in size")
    exponent = amount.as_tuple().exponent
    if not amount and isinstance(exponent, int) and exponent > 0:
        return Decimal(0).copy_sign(amount)  # 0E+1000000 is zero, written as 0
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        digits = amount.as_tuple().digits
        surplus = -MAX_DECIMAL_PLACES - exponent
        if any(digits[-surplus:]):
            raise InvalidField("amount", value, f"at most {MAX_DECIMAL_PLACES} decimal places")
        amount = amount.quantize(Decimal(1).scaleb(-MAX_DECIMAL_PLACES), context=EXACT)
    return amount


def _check_currency(_instance: Any, _attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or value not in CURRENCY_MINOR_UNITS:
        raise InvalidField("currency", value, "an ISO 4217 code such as 'EUR' or 'USD'")


def _exact(operation: str, compute: Any, *args: Decimal) -> Decimal:
    try:
        result: Decimal = compute(*args)
    except ArithmeticError:
        raise InvalidField(
            "amount", args, f"a {operation} that is exact within 60 digits"
        ) from None
    return result


@attrs.frozen(repr=False, order=False)
class Money:
    """An exact amount of one currency.

    Refuses: floats and bools (``InvalidType``), NaN and infinities, unknown
    currency codes, arithmetic or comparison across currencies
    (``CurrencyMismatch``) and any result that would need rounding.
    """

    amount: Decimal = attrs.field(converter=_to_amount)
    currency: str = attrs.field(validator=_check_currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``; the start value for ``sum()``."""
        return cls(Decimal(0), currency)

    @classmethod
    def total(cls, amounts: Any, currency: str) -> Money:
        """The exact sum of ``amounts``, all in ``currency`` (zero for none).

        >>> Money.total([Money("1.50", "EUR"), Money("2", "EUR")], "EUR")
        Money('3.50', 'EUR')
        >>> Money.total(None, "EUR")
        Traceback (most recent call last):
        ...
        salesflow.errors.InvalidType: amounts: got None, expected an iterable of Money
        """
        result = cls.zero(currency)
        if isinstance(amounts, str | bytes | dict):
            raise InvalidType("amounts", amounts, "an iterable of Money")
        try:
            items = iter(amounts)
        except TypeError:
            raise InvalidType("amounts", amounts, "an iterable of Money") from None
        for index, amount in enumerate(items):
            if not isinstance(amount, Money):
                raise InvalidType(f"amounts[{index}]", amount, "Money")
            result = result + amount
        return result

    def _same(self, other: Any, operation: str) -> Money:
        if not isinstance(other, Money):
            raise InvalidType("other", other, f"Money to {operation}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                "currency",
                other.currency,
                f"{self.currency!r} (amounts in different currencies never mix)",
            )
        return other

    def __add__(self, other: Money) -> Money:
        other = self._same(other, "add")
        return Money(_exact("sum", EXACT.add, self.amount, other.amount), self.currency)

    def __sub__(self, other: Money) -> Money:
        other = self._same(other, "subtract")
        return Money(_exact("difference", EXACT.subtract, self.amount, other.amount), self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            raise InvalidType("factor", factor, "an int or Decimal (floats are inexact)")
        return Money(_exact("product", EXACT.multiply, self.amount, Decimal(factor)), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(self.amount.copy_negate(), self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other, "compare").amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    @property
    def minor_units(self) -> int:
        """Digits after the decimal point in this currency's minor unit (2 for EUR)."""
        return CURRENCY_MINOR_UNITS[self.currency]

    def rounded(self, rounding: str = ROUND_HALF_EVEN) -> Money:
        """This amount rounded to the currency's minor unit with the stated mode.

        >>> Money("2.345", "EUR").rounded()
        Money('2.34', 'EUR')
        >>> from decimal import ROUND_HALF_UP
        >>> Money("2.345", "EUR").rounded(ROUND_HALF_UP)
        Money('2.35', 'EUR')
        """
        _check.rounding_mode("rounding", rounding)
        exponent = Decimal(1).scaleb(-self.minor_units)
        rounded = self.amount.quantize(exponent, rounding=rounding, context=_ROUNDING)
        return Money(rounded, self.currency)

    def __repr__(self) -> str:
        return f"Money({str(self.amount)!r}, {self.currency!r})"

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def to_dict(self) -> dict[str, str]:
        """JSON-compatible form: the amount as a string, so nothing is lost."""
        return {"amount": str(self.amount), "currency": self.currency}

    @classmethod
    def from_dict(cls, document: Any, *, field: str = "money") -> Money:
        """Rebuild from :meth:`to_dict`; a malformed document, one with a key
        other than ``amount`` and ``currency``, or one not written exactly as
        :meth:`to_dict` writes it raises ``InvalidField``."""
        doc = _check.mapping(field, document)
        _check.only_keys(field, doc, _KEYS)
        try:
            text, currency = doc["amount"], doc["currency"]
        except KeyError as err:
            raise InvalidField(f"{field}.{err.args[0]}", None, "a value (it is missing)") from None
        amount = _check.decimal_text(f"{field}.amount", text)
        try:
            money = cls(amount, currency)
        except InvalidField as err:
            raise type(err)(f"{field}.{err.field}", err.value, err.expected) from None
        # Written exactly as to_dict writes it (" 8.50" or "8.5E0" was altered).
        _check.same_document(field, doc, money.to_dict(), why="as the amount gives")
        return money


_KEYS: Final = frozenset({"amount", "currency"})
