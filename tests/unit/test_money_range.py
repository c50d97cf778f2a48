"""The supported range of amounts: decided, documented, refused at construction (section 5)."""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import ETA, T0
from salesflow import InvalidField, InvalidType, Money
from salesflow.money import MAX_DECIMAL_PLACES
from salesflow.orders import Customer, Order, OrderLine, SupportContact

# Amounts inside the range: up to 18 integer digits (or 10**18), up to 40 decimal places.
supported = st.builds(
    lambda whole, fraction, places, sign: Decimal(
        f"{sign}{whole}" if whole == 10**18 else f"{sign}{whole}.{fraction:0{places}d}"
    ),
    st.integers(min_value=0, max_value=10**18 - 1) | st.just(10**18),
    st.integers(min_value=0, max_value=10**MAX_DECIMAL_PLACES - 1),
    st.just(MAX_DECIMAL_PLACES),
    st.sampled_from(["", "-"]),
)


@given(supported, st.sampled_from(["EUR", "JPY", "KWD", "CLF"]))
def test_every_supported_amount_renders_rounds_and_round_trips(amount, currency):
    # Up to 40 places: the amount sums exactly with itself and with any other.
    assert Money(amount, "EUR") + Money(amount.copy_negate(), "EUR") == Money.zero("EUR")
    value = Money(amount, currency)

    line = OrderLine("SKU", "Thing", 1, Money(amount.copy_abs(), currency))
    placed = Order.place(
        number="1",
        customer=Customer("c", "Ada"),
        lines=[line],
        estimated_delivery=ETA,
        support=SupportContact(email="help@shop.example"),
        at=T0,
    )

    assert placed.notification.message
    assert placed.notification.to_dict()["message"] == placed.notification.message
    assert Money.from_dict(json.loads(json.dumps(value.to_dict()))) == value
    assert str(value.rounded())
    assert Order.from_dict(placed.order.to_dict()) == placed.order


@pytest.mark.parametrize(
    "text",
    ["1E+26", "1E+30", "-1.000000000001E+18", "1000000000000000000.01", "1E+999999"],
)
def test_amounts_above_10_to_the_18_are_refused_naming_the_amount(text):
    with pytest.raises(InvalidField, match=r"^amount: .*at most 10\*\*18"):
        Money(text, "EUR")
    with pytest.raises(InvalidField, match=r"unit_price\.amount"):
        OrderLine.from_dict(
            {
                "sku": "S",
                "name": "N",
                "quantity": 1,
                "unit_price": {"amount": text, "currency": "EUR"},
            }
        )


@pytest.mark.parametrize("text", ["1E-41", "0." + "0" * 40 + "1", "1E-999999", "-5." + "1" * 41])
def test_more_than_40_decimal_places_are_refused(text):
    with pytest.raises(InvalidField, match="at most 40 decimal places"):
        Money(text, "EUR")


def test_trailing_zeros_beyond_40_places_are_not_precision_and_are_accepted():
    assert Money("1.5" + "0" * 50, "EUR") == Money("1.5", "EUR")
    assert Money("0E-30", "EUR") == Money.zero("EUR")


def test_amounts_next_to_the_limit_are_accepted_and_round_within_it():
    below = Money("999999999999999999." + "9" * 40, "EUR")

    assert below.rounded(ROUND_DOWN) == Money("999999999999999999.99", "EUR")
    assert below.rounded() == Money("1E+18", "EUR")
    assert (-below).rounded() == Money("-1E+18", "EUR")
    assert Money("1E+18", "JPY").rounded() == Money("1000000000000000000", "JPY")


@pytest.mark.parametrize("bad", ["NaN", "sNaN", "Infinity", "-Infinity", Decimal("NaN")])
def test_nan_and_infinity_are_refused(bad):
    with pytest.raises(InvalidField, match=r"^amount: "):
        Money(bad, "EUR")


@pytest.mark.parametrize("bad", ["bogus", None, 3, "round_half_up"])
def test_an_unknown_rounding_mode_is_refused_naming_rounding(bad):
    with pytest.raises(InvalidField, match=r"^rounding: .*ROUND_HALF_EVEN"):
        Money("1", "EUR").rounded(bad)


def test_rounding_does_not_depend_on_the_callers_decimal_context():
    amount = Money("123456789012345678.125", "EUR")

    with localcontext() as context:
        context.prec = 5
        rounded = amount.rounded()

    assert rounded == Money("123456789012345678.12", "EUR")


@pytest.mark.parametrize("bad", [None, 7, 1.5, "EUR", {"a": Money("1", "EUR")}])
def test_money_total_refuses_what_is_not_an_iterable_of_money(bad):
    with pytest.raises(InvalidType, match=r"^amounts"):
        Money.total(bad, "EUR")


def test_money_total_names_the_item_that_is_not_money():
    with pytest.raises(InvalidType, match=r"^amounts\[1\]"):
        Money.total([Money("1", "EUR"), Decimal(1)], "EUR")


def test_a_money_document_with_an_unknown_key_is_refused_naming_it():
    with pytest.raises(InvalidField, match=r"^price\.note: "):
        Money.from_dict({"amount": "1", "currency": "EUR", "note": "x"}, field="price")


def test_negating_keeps_every_digit_whatever_the_callers_context():
    amount = Money("1." + "0" * 39 + "1", "EUR")

    assert (-amount).amount == Decimal("-1." + "0" * 39 + "1")
    assert amount * -1 == -amount


def test_a_zero_with_a_huge_exponent_is_plain_zero():
    assert Money("0E+1000000", "EUR").to_dict() == {"amount": "0", "currency": "EUR"}
    assert Money(Decimal("-0E+9"), "EUR").amount.is_zero()
