"""Money is exact and never mixes currencies."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow import CurrencyMismatch, InvalidField, InvalidType, Money
from strategies import amounts, money


@given(st.lists(amounts, max_size=30))
def test_a_sum_of_money_equals_money_of_the_decimal_sum(values):
    total = Money.total((Money(v, "EUR") for v in values), "EUR")

    assert total == Money(sum(values, Decimal(0)), "EUR")


@given(money("EUR"), money("EUR"), money("EUR"))
def test_addition_is_associative_and_commutative(a, b, c):
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a


@given(money("EUR"), money("USD"))
def test_amounts_in_different_currencies_never_mix(euros, dollars):
    for operation in (
        lambda: euros + dollars,
        lambda: euros - dollars,
        lambda: euros < dollars,
    ):
        with pytest.raises(CurrencyMismatch) as caught:
            operation()
        assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("bad", [0.1, True, 1.0])
def test_floats_and_bools_are_refused_naming_the_amount(bad):
    with pytest.raises(InvalidType) as caught:
        Money(bad, "EUR")

    assert caught.value.field == "amount"


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-inf", "abc", Decimal("NaN")])
def test_nan_infinities_and_garbage_are_refused(bad):
    with pytest.raises(InvalidField, match="amount"):
        Money(bad, "EUR")


def test_an_unknown_currency_is_refused():
    with pytest.raises(InvalidField, match="ISO 4217"):
        Money("1", "EURO")


def test_multiplying_by_a_float_is_refused():
    with pytest.raises(InvalidType, match="factor"):
        Money("1", "EUR") * 1.5  # type: ignore[operator]


@given(money())
def test_to_dict_and_from_dict_round_trip_through_json(value):
    document = json.loads(json.dumps(value.to_dict()))

    assert Money.from_dict(document) == value
    assert Money.from_dict(document).amount.as_tuple() == value.amount.as_tuple()


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("2.5", "JPY", "2"), ("2.345", "EUR", "2.34"), ("1.23456", "KWD", "1.235")],
)
def test_rounding_uses_the_currencys_minor_unit_and_half_even(amount, currency, expected):
    assert Money(amount, currency).rounded() == Money(expected, currency)


def test_rounding_takes_a_stated_mode():
    assert Money("2.345", "EUR").rounded(ROUND_HALF_UP) == Money("2.35", "EUR")


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"currency": "EUR"}, "money.amount"),
        ({"amount": 1.5, "currency": "EUR"}, "money.amount"),
        ({"amount": "1", "currency": "XXX"}, "money.currency"),
        ("1 EUR", "money"),
    ],
)
def test_a_malformed_document_raises_naming_the_path(document, field):
    with pytest.raises(InvalidField) as caught:
        Money.from_dict(document)

    assert caught.value.field == field


def test_a_result_that_would_need_rounding_raises_instead_of_losing_a_cent():
    precise = Money("999999999999.000000000001", "EUR")

    with pytest.raises(InvalidField, match="exact"):
        precise * (10**40 + 1)
