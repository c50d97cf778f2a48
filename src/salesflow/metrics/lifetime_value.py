"""Customer lifetime value: historical (AOV * frequency * lifespan) or churn-based (ARPU / churn).

Exact: Money stays Decimal and a currency, shares are exact fractions, and
nothing is rounded (use ``.rounded()`` on the result).

>>> from decimal import Decimal
>>> from salesflow import Money
>>> from salesflow.metrics import clv
>>> clv(arpu=Money("100", "USD"), churn_rate=Decimal("0.05"))
<Amount churn-based CLV (ARPU / churn): 100 USD / 0.05 = 2000 USD>
"""

from __future__ import annotations

from decimal import Context, Decimal
from fractions import Fraction
from typing import Any, Final

from salesflow import _check
from salesflow._results import Amount, OnEmpty, Ratio, Score, settle
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.choices import alternatives
from salesflow.metrics._read.fields import decimal_number
from salesflow.money import Money

__all__ = ["clv"]

_APPROXIMATE: Final = Context(prec=28)


def _share(field: str, value: Any) -> Fraction:
    """A share in 0..1: an int or Decimal, or a defined :class:`Ratio`."""
    if isinstance(value, Ratio):
        fraction = value.fraction
        if fraction is None:
            raise InvalidField(field, value, "a defined ratio (this one has an empty denominator)")
        if not 0 <= fraction <= 1:
            raise InvalidField(field, value, "a share from 0 to 1")
        return fraction
    return Fraction(decimal_number(field, value, low=0, high=1))


def _money_quotient(field: str, value: Any) -> tuple[Money, Fraction]:
    """Money or an :class:`Amount` as (money numerator, exact divisor)."""
    if isinstance(value, Money):
        return value, Fraction(1)
    if isinstance(value, Amount):
        if not value.defined:
            raise InvalidField(field, value, "a defined amount (this one has an empty denominator)")
        return value.numerator, Fraction(value.denominator)
    raise InvalidType(field, value, "Money or an Amount (Decimal + currency; floats are inexact)")


def clv(
    *,
    average_order_value: Money | Amount | None = None,
    purchase_frequency: int | Decimal | Score | None = None,
    lifespan: int | Decimal | None = None,
    lifespan_unit: str | None = None,
    arpu: Money | Amount | None = None,
    churn_rate: int | Decimal | Ratio | None = None,
    margin: int | Decimal | Ratio | None = None,
    on_empty: OnEmpty = "undefined",
) -> Amount:
    """Customer lifetime value: historical (from past behaviour) or churn-based.

    Give either ``average_order_value``, ``purchase_frequency``, ``lifespan``
    and ``lifespan_unit`` (historical CLV: AOV * frequency * lifespan), or
    ``arpu`` and ``churn_rate`` (churn-based CLV: ARPU / churn); ``margin``
    (a share in 0..1) multiplies either. Both sets, neither, or part of one
    is refused, naming the parameter. Exact: nothing is rounded (use
    ``.rounded()`` on the result).

    >>> clv(average_order_value=Money("50", "EUR"), purchase_frequency=4,
    ...     lifespan=3, lifespan_unit="years")
    <Amount historical CLV (AOV * frequency * lifespan): 50 EUR * 4 * 3 years = 600 EUR>
    >>> clv(arpu=Money("100", "USD"), churn_rate=Decimal("0.05"), margin=Decimal("0.8"))
    <Amount churn-based CLV (ARPU * margin / churn): 100 USD * 0.8 / 0.05 = 1600 USD>
    """
    given = alternatives(
        "clv",
        {
            "average_order_value": average_order_value,
            "purchase_frequency": purchase_frequency,
            "lifespan": lifespan,
            "lifespan_unit": lifespan_unit,
        },
        {"arpu": arpu, "churn_rate": churn_rate},
    )
    if "arpu" in given:
        return _churn_clv(**given, margin=margin, on_empty=on_empty)
    return _historical_clv(**given, margin=margin, on_empty=on_empty)


def _historical_clv(
    *,
    average_order_value: Money | Amount,
    purchase_frequency: int | Decimal | Score,
    lifespan: int | Decimal,
    lifespan_unit: str,
    margin: int | Decimal | Ratio | None = None,
    on_empty: OnEmpty = "undefined",
) -> Amount:
    """Historical customer lifetime value from past behaviour.

    CLV = AOV * purchase frequency * lifespan            (revenue)
    CLV = AOV * purchase frequency * lifespan * margin   (with ``margin``)

    ``purchase_frequency`` is orders per customer per ``lifespan_unit`` and
    ``lifespan`` how many of those units a customer stays: state the unit
    (``"years"``, ``"months"``), the two must agree. ``average_order_value``
    is Money (or an :class:`Amount`), ``purchase_frequency`` an int, Decimal
    or the :class:`Score` from :func:`purchase_frequency`, ``margin`` a share
    in 0..1. Exact: nothing is rounded (use ``.rounded()`` on the result).

    Refuses floats, negative values, a margin outside 0..1 and undefined
    inputs. An undefined purchase frequency gives an undefined amount (or
    :class:`UndefinedMetric` with ``on_empty="raise"``).

    """
    aov, aov_divisor = _money_quotient("average_order_value", average_order_value)
    if aov.amount < 0:
        raise InvalidField("average_order_value", average_order_value, "an amount of at least 0")
    unit = _check.text("lifespan_unit", lifespan_unit)
    length = Fraction(decimal_number("lifespan", lifespan, low=0))
    frequency: Fraction | None
    if isinstance(purchase_frequency, Score):
        frequency = purchase_frequency.fraction
        if frequency is not None and frequency < 0:
            raise InvalidField("purchase_frequency", purchase_frequency, "a score of at least 0")
        frequency_text = "undefined" if frequency is None else _plain(frequency)
    else:
        frequency = Fraction(decimal_number("purchase_frequency", purchase_frequency, low=0))
        frequency_text = str(purchase_frequency)
    share = None if margin is None else _share("margin", margin)
    suffix = " * margin" if share is not None else ""
    working = f"{_aov_text(average_order_value)} * {frequency_text} * {lifespan} {unit}"
    if share is not None:
        working += f" * {_shown_share(margin, share)}"
    denominator: int | Decimal
    if frequency is None:
        numerator, denominator = Money.zero(aov.currency), 0
    else:
        factor = frequency * length * (share if share is not None else 1)
        numerator, denominator = _parts(aov, factor, aov_divisor)
    inputs: list[tuple[str, Money | int | Decimal]] = [("average order value", aov)]
    if frequency is not None:
        inputs.append(("purchase frequency", _approximate(frequency)))
    inputs.append((f"lifespan ({unit})", _approximate(length)))
    if share is not None:
        inputs.append(("margin", _approximate(share)))
    amount = Amount(
        "historical CLV",
        numerator,
        denominator,
        variant=f"AOV * frequency * lifespan{suffix}",
        formula=f"average order value * purchase frequency * lifespan{suffix}",
        working=working,
        inputs=tuple(inputs),
        denominator_name="the purchase frequency's customer count",
    )
    return settle(amount, on_empty)


def _churn_clv(
    *,
    arpu: Money | Amount,
    churn_rate: int | Decimal | Ratio,
    margin: int | Decimal | Ratio | None = None,
    on_empty: OnEmpty = "undefined",
) -> Amount:
    """Customer lifetime value from churn: ARPU / churn rate, optionally * margin.

    CLV = ARPU / churn            (revenue)
    CLV = ARPU * margin / churn   (with ``margin``)

    1 / churn is the expected lifetime in periods, so ARPU and churn must be
    per the same period (monthly ARPU with monthly churn). $100 ARPU at 5%
    monthly churn gives $2,000; at an 80% margin, $1,600. ``churn_rate`` is a
    share in 0..1 (an int, Decimal or the :class:`Ratio` from
    :func:`churn_rate`); a churn of 0 means an unbounded lifetime, so the
    result is undefined (or :class:`UndefinedMetric` with ``on_empty="raise"``).

    Refuses floats, negative ARPU, a churn or margin outside 0..1.

    """
    money, divisor = _money_quotient("arpu", arpu)
    if money.amount < 0:
        raise InvalidField("arpu", arpu, "an amount of at least 0")
    churn = _share("churn_rate", churn_rate)
    share = None if margin is None else _share("margin", margin)
    suffix = " * margin" if share is not None else ""
    working = _aov_text(arpu)
    if share is not None:
        working += f" * {_shown_share(margin, share)}"
    working += f" / {_shown_share(churn_rate, churn)}"
    kept = share if share is not None else Fraction(1)
    # A churn of 0 is an unbounded lifetime: an undefined amount, not infinity.
    numerator, denominator = _parts(money, kept, divisor * churn if churn else divisor)
    if churn == 0:
        denominator = 0
    inputs: list[tuple[str, Money | int | Decimal]] = [
        ("ARPU", money),
        ("churn rate", _approximate(churn)),
    ]
    if share is not None:
        inputs.append(("margin", _approximate(share)))
    amount = Amount(
        "churn-based CLV",
        numerator,
        denominator,
        variant=f"ARPU{suffix} / churn",
        formula=f"average revenue per user{suffix} / churn rate",
        working=working,
        inputs=tuple(inputs),
        denominator_name="churn rate",
    )
    return settle(amount, on_empty)


def _shown_share(given: Any, share: Fraction) -> str:
    return _plain(share) if isinstance(given, Ratio) else str(given)


def _aov_text(value: Money | Amount) -> str:
    if isinstance(value, Money):
        return str(value)
    shown = value.value
    return "undefined" if shown is None else str(shown)


def _terminating(value: Fraction) -> Decimal | None:
    """``value`` as an exact Decimal, or None when its decimal expansion does not end."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return None
    digits = len(str(value.denominator))
    context = Context(prec=len(str(abs(value.numerator))) + 4 * digits + 2)
    return context.divide(Decimal(value.numerator), Decimal(value.denominator))


def _plain(value: Fraction) -> str:
    decimal = _terminating(value)
    return f"({value})" if decimal is None else str(decimal.normalize() if decimal else 0)


def _approximate(value: Fraction) -> Decimal:
    decimal = _terminating(value)
    if decimal is not None:
        return decimal
    return _APPROXIMATE.divide(Decimal(value.numerator), Decimal(value.denominator))


def _parts(money: Money, multiply: Fraction, divide: Fraction) -> tuple[Money, int | Decimal]:
    """``money * multiply / divide`` as an Amount's (numerator, denominator), exactly.

    Kept in the caller's terms (ARPU * margin over churn) when every factor is
    a terminating decimal; otherwise reduced to one exact fraction.
    """
    factor = _terminating(multiply)
    divisor = _terminating(divide)
    if factor is not None and divisor is not None:
        product = _terminating(Fraction(money.amount) * multiply)
        if product is not None:
            whole = divisor == divisor.to_integral_value()
            return Money(product, money.currency), int(divisor) if whole else divisor
    total = Fraction(money.amount) * multiply / divide
    return Money(Decimal(total.numerator), money.currency), total.denominator
