"""Result values are exact, explain themselves and never turn empty into zero."""

from __future__ import annotations

import json
import pickle
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Context, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow
from salesflow import InvalidField, InvalidType, Money, SalesflowError, UndefinedMetric
from salesflow._results import check_on_empty, settle
from salesflow.metrics import Amount, Ratio, Score
from salesflow.metrics.results import result_from_dict

ROUNDINGS = (
    "ROUND_HALF_EVEN",
    "ROUND_HALF_UP",
    "ROUND_HALF_DOWN",
    "ROUND_UP",
    "ROUND_DOWN",
    "ROUND_CEILING",
    "ROUND_FLOOR",
    "ROUND_05UP",
)


def retention(numerator=430, denominator=500):
    return Ratio(
        "retention rate",
        numerator,
        denominator,
        variant="counts",
        formula="(customers at end - new customers) / customers at start",
        working=f"(480 - 50) / {denominator}",
    )


def test_the_repr_says_how_the_ratio_was_computed():
    assert repr(retention()) == "<Ratio retention rate (counts): (480 - 50) / 500 = 0.86>"


def test_the_value_is_an_exact_decimal_and_the_fraction_is_kept():
    ratio = retention()

    assert ratio.value == Decimal("0.86")
    assert ratio.fraction == Fraction(43, 50)
    assert ratio.value_is_exact


def test_a_quotient_that_does_not_terminate_keeps_its_exact_fraction():
    ratio = Ratio("share", 1, 3, variant="counts", formula="a / b")

    assert ratio.fraction == Fraction(1, 3)
    assert not ratio.value_is_exact
    assert ratio.value == Decimal("0.3333333333333333333333333333")
    assert repr(ratio) == "<Ratio share (counts): 1 / 3 = 1/3 ≈ 0.3333333333>"


def test_percent_rounds_only_when_formatting_with_the_stated_mode():
    ratio = Ratio("share", 1, 8, variant="counts", formula="a / b")

    assert ratio.percent() == "12.5%"
    assert ratio.percent(0) == "12%"
    assert ratio.percent(0, ROUND_HALF_UP) == "13%"
    assert ratio.percent(3) == "12.500%"


def test_an_empty_denominator_is_undefined_not_zero():
    ratio = retention(0, 0)

    assert not ratio.defined
    assert ratio.value is None
    assert ratio.fraction is None
    assert ratio.percent() == "undefined"
    assert repr(ratio).endswith("= undefined>")


def test_require_names_the_metric_and_the_empty_denominator():
    with pytest.raises(UndefinedMetric) as caught:
        retention(0, 0).require()

    assert str(caught.value) == (
        "retention rate (counts) is undefined: customers at start is 0 (an empty denominator)"
    )
    assert caught.value.metric == "retention rate"
    assert caught.value.denominator == "customers at start"
    assert isinstance(caught.value, ArithmeticError)
    assert isinstance(caught.value, SalesflowError)


def test_undefined_metric_is_exported_from_the_package_and_pickles():
    error = UndefinedMetric("NPS", "responses", variant="0-10")

    copy = pickle.loads(pickle.dumps(error))

    assert salesflow.UndefinedMetric is UndefinedMetric
    assert "UndefinedMetric" in salesflow.errors.__all__
    assert str(copy) == str(error)
    assert copy.variant == "0-10"


def test_settle_raises_for_an_undefined_result_only_when_asked():
    empty = retention(0, 0)

    assert settle(empty, "undefined") is empty
    assert settle(retention(), "raise") == retention()
    with pytest.raises(UndefinedMetric):
        settle(empty, "raise")


@pytest.mark.parametrize("bad", ["zero", "", None, "RAISE"])
def test_an_unknown_on_empty_choice_is_refused(bad):
    with pytest.raises(InvalidField, match="on_empty"):
        check_on_empty(bad)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("numerator", {"numerator": 0.5}),
        ("numerator", {"numerator": True}),
        ("denominator", {"denominator": 2.0}),
        ("denominator", {"denominator": -1}),
        ("numerator", {"numerator": Decimal("NaN")}),
        ("metric", {"metric": " "}),
        ("variant", {"variant": 3}),
    ],
)
def test_bad_fields_are_refused_naming_them(field, kwargs):
    arguments = {
        "metric": "m",
        "numerator": 1,
        "denominator": 2,
        "variant": "v",
        "formula": "a / b",
    }

    with pytest.raises(InvalidField) as caught:
        Ratio(**{**arguments, **kwargs})

    assert caught.value.field == field


def test_percent_refuses_an_unknown_rounding_mode_and_negative_places():
    with pytest.raises(InvalidField, match="rounding"):
        retention().percent(1, "nearest")
    with pytest.raises(InvalidField, match="places"):
        retention().percent(-1)


def test_a_score_shows_its_scale_and_a_sign_when_signed():
    score = Score("NPS", -15, 100, variant="v", formula="f", scale=100, signed=True)

    assert score.value == Decimal(-15)
    assert score.text() == "-15"
    assert Score("NPS", 15, 100, variant="v", formula="f", scale=100, signed=True).text() == "+15"
    assert repr(score) == "<Score NPS (v): 100 * -15 / 100 = -15>"


def test_an_amount_is_money_and_rounds_to_the_minor_unit_once():
    amount = Amount(
        "CLV", Money("100", "USD"), Decimal("0.03"), variant="v", formula="ARPU / churn"
    )

    assert amount.fraction == Fraction(10000, 3)
    assert amount.rounded() == Money("3333.33", "USD")
    assert amount.rounded(ROUND_UP) == Money("3333.34", "USD")
    assert amount.require().currency == "USD"


def test_an_amount_refuses_a_float_numerator():
    with pytest.raises(InvalidType, match="numerator"):
        Amount("CLV", 100.0, 1, variant="v", formula="f")


def test_an_undefined_amount_has_no_value_and_require_raises():
    amount = Amount("CLV", Money("100", "USD"), 0, variant="v", formula="ARPU / churn rate")

    assert amount.value is None
    assert amount.rounded() is None
    with pytest.raises(UndefinedMetric, match="churn rate is 0"):
        amount.require()


def test_results_are_frozen():
    with pytest.raises(AttributeError):
        retention().numerator = 1  # type: ignore[misc]


# -- laws ---------------------------------------------------------------------------


@given(st.integers(-(10**6), 10**6), st.integers(1, 10**6))
def test_value_is_the_exact_quotient_to_28_significant_digits(numerator, denominator):
    ratio = Ratio("m", numerator, denominator, variant="v", formula="a / b")

    assert ratio.fraction == Fraction(numerator, denominator)
    assert abs(Fraction(ratio.value) - ratio.fraction) <= abs(ratio.fraction) / 10**27
    assert ratio.value_is_exact == (Fraction(ratio.value) == ratio.fraction)


@given(
    st.integers(-(10**6), 10**6),
    st.integers(1, 10**6),
    st.integers(0, 4),
    st.sampled_from(ROUNDINGS),
)
def test_percent_matches_decimal_rounding_of_a_high_precision_quotient(
    numerator, denominator, places, rounding
):
    ratio = Ratio("m", numerator, denominator, variant="v", formula="a / b")
    # Reference: enough digits that no rounding decision can change (the
    # denominator is below 10**7, so a tie or boundary shows within them).
    precise = Context(prec=80).divide(Decimal(numerator * 100), Decimal(denominator))
    expected = precise.quantize(Decimal(1).scaleb(-places), rounding=rounding)
    if expected.is_zero():
        expected = expected.copy_abs()  # a value that rounds to zero is shown without a sign

    assert ratio.percent(places, rounding) == f"{expected}%"


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_rounding_modes_bracket_the_exact_value(numerator, denominator):
    ratio = Ratio("m", numerator, denominator, variant="v", formula="a / b")

    low = Decimal(ratio.percent(2, ROUND_DOWN)[:-1])
    high = Decimal(ratio.percent(2, ROUND_CEILING)[:-1])

    assert Fraction(low) <= ratio.fraction * 100 <= Fraction(high)
    assert high - low in (0, Decimal("0.01"))


def test_a_ratio_far_beyond_28_digits_still_rounds_exactly_when_formatted():
    huge = Ratio("x", 10**30 + 1, 3, variant="v", formula="a / b")

    assert huge.percent(0) == "33333333333333333333333333333367%"
    assert huge.percent(2) == "33333333333333333333333333333366.67%"


def test_a_small_negative_score_rounds_to_zero_without_a_minus_sign():
    score = Score("net promoter score", -1, 3, variant="v", formula="a / b", signed=True)

    assert score.text() == "0"
    assert Ratio("x", -1, 3000, variant="v", formula="a / b").percent(1) == "0.0%"


# -- JSON round trip --------------------------------------------------------------------

_numbers = st.one_of(
    st.integers(0, 10**9),
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
)


@given(_numbers, _numbers, st.booleans())
def test_a_ratio_round_trips_through_json_text(numerator, denominator, unfinished):
    ratio = Ratio(
        "m",
        numerator,
        denominator,
        variant="v",
        formula="a / b",
        inputs=(("a", numerator),),
        unfinished=unfinished,
    )

    again = result_from_dict(json.loads(json.dumps(ratio.to_dict())))

    assert again == ratio
    assert again.fraction == ratio.fraction


@given(st.integers(-(10**6), 10**6), st.integers(0, 10**6), st.booleans())
def test_a_score_round_trips_with_its_scale_and_sign(numerator, denominator, signed):
    score = Score(
        "s", numerator, denominator, variant="v", formula="a / b", scale=100, signed=signed
    )

    assert result_from_dict(json.loads(json.dumps(score.to_dict()))) == score


def test_an_amount_round_trips_with_its_money():
    amount = Amount(
        "CLV",
        Money("80", "USD"),
        Decimal("0.05"),
        variant="v",
        formula="a / b",
        inputs=(("ARPU", Money("100", "USD")),),
    )

    document = json.loads(json.dumps(amount.to_dict()))

    assert document["value"] == {"amount": "1600", "currency": "USD"}
    assert result_from_dict(document) == amount


def test_a_document_whose_fraction_was_altered_is_refused():
    document = Ratio("m", 3, 4, variant="v", formula="a / b").to_dict()
    document["fraction"] = "4/5"

    with pytest.raises(InvalidField, match="fraction: got '4/5', expected '3/4'"):
        result_from_dict(document)


@pytest.mark.parametrize(
    ("change", "field"),
    [({"kind": "median"}, "kind"), ({"numerator": 1.5}, "numerator"), ({"extra": 1}, "extra")],
)
def test_a_malformed_result_document_names_the_field(change, field):
    document = {**Ratio("m", 3, 4, variant="v", formula="a / b").to_dict(), **change}

    with pytest.raises(SalesflowError) as raised:
        result_from_dict(document)

    assert raised.value.field == field
