"""NPS and CSAT: the published examples, refusals and laws against reference versions."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType, UndefinedMetric
from salesflow.metrics import csat, nps
from strategies import survey_scores

PUBLISHED_CSAT = [5] * 10 + [4] * 20 + [3] * 10 + [2] * 5 + [1] * 5


def reference_nps(scores):
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return Fraction(100 * promoters, len(scores)) - Fraction(100 * detractors, len(scores))


def reference_csat(scores, threshold):
    return Fraction(sum(1 for s in scores if s >= threshold), len(scores))


# -- NPS ---------------------------------------------------------------------------


def test_30_percent_promoters_and_20_percent_detractors_give_an_nps_of_plus_10():
    scores = [9] * 15 + [10] * 15 + [7] * 25 + [8] * 25 + [0] * 5 + [6] * 15

    result = nps(scores)

    assert result.value == Decimal(10)
    assert result.text() == "+10"
    assert result == nps(promoters=30, passives=50, detractors=20)


def test_the_nps_repr_shows_promoters_detractors_and_responses():
    result = nps(promoters=30, passives=50, detractors=20)

    assert repr(result) == (
        "<Score NPS (promoters 9-10, detractors 0-6): 100 * (30 - 20) / 100 = 10>"
    )
    assert dict(result.inputs) == {
        "promoters": 30,
        "passives": 50,
        "detractors": 20,
        "responses": 100,
    }


def test_all_detractors_give_minus_100_and_all_promoters_plus_100():
    assert nps([0, 3, 6]).value == Decimal(-100)
    assert nps([9, 10]).text() == "+100"


def test_no_answers_give_an_undefined_nps_or_an_error_on_request():
    assert nps([]).value is None
    assert nps([]).text() == "undefined"
    with pytest.raises(UndefinedMetric, match="responses is 0"):
        nps([], on_empty="raise")


@pytest.mark.parametrize(
    ("scores", "index", "error"),
    [
        ([10, 11], 1, InvalidField),
        ([-1], 0, InvalidField),
        ([5, 5, 7.0], 2, InvalidType),
        ([True], 0, InvalidType),
        ([9, "9"], 1, InvalidType),
        ([9, Decimal(9)], 1, InvalidType),
        ([9, None], 1, InvalidType),
    ],
)
def test_a_bad_nps_score_is_refused_naming_its_index(scores, index, error):
    with pytest.raises(error) as caught:
        nps(scores)

    assert caught.value.field == f"scores[{index}]"
    assert caught.value.value is scores[index]
    assert "a whole number from 0 to 10" in str(caught.value)


def test_nps_refuses_a_mapping_or_a_string_for_scores():
    with pytest.raises(InvalidType, match="counts by keyword"):
        nps({9: 3})  # type: ignore[arg-type]
    with pytest.raises(InvalidType, match="scores"):
        nps("9910")  # type: ignore[arg-type]


def test_nps_from_counts_refuses_negative_counts():
    with pytest.raises(InvalidField, match="detractors"):
        nps(promoters=3, passives=1, detractors=-1)


def test_an_nps_from_a_generator_reads_it_once():
    result = nps(score for score in [10, 10, 0, 8])

    assert result.value == Decimal(25)


# -- CSAT --------------------------------------------------------------------------


def test_50_answers_of_which_10_five_and_20_four_give_a_csat_of_60_percent():
    result = csat(PUBLISHED_CSAT)

    assert result.value == Decimal("0.6")
    assert result.percent() == "60.0%"
    assert result == csat(counts={5: 10, 4: 20, 3: 10, 2: 5, 1: 5})


def test_the_csat_repr_shows_the_satisfied_answers():
    assert repr(csat(PUBLISHED_CSAT)) == (
        "<Ratio CSAT (share of 4-5 on 1-5): (10 + 20) / 50 = 0.6>"
    )


def test_the_mean_score_variant_is_a_score_on_the_scale():
    result = csat(PUBLISHED_CSAT, variant="mean")

    assert result.value == Decimal("3.5")
    assert result.variant == "mean on 1-5"


def test_another_scale_needs_a_stated_satisfied_threshold():
    with pytest.raises(InvalidField, match="satisfied_from"):
        csat([7, 1], scale=(1, 7))

    result = csat([7, 6, 5, 1], scale=(1, 7), satisfied_from=6)

    assert result.fraction == Fraction(1, 2)
    assert result.variant == "share of 6-7 on 1-7"


def test_a_ten_point_scale_with_a_top_box_threshold():
    result = csat(counts={10: 2, 9: 1, 3: 1}, scale=(1, 10), satisfied_from=10)

    assert result.fraction == Fraction(1, 2)
    assert result.variant == "share of 10 on 1-10"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scale": (5, 1)}, "scale"),
        ({"scale": (1, 5.0)}, "scale"),
        ({"scale": [1, 5]}, "scale"),
        ({"satisfied_from": 1}, "satisfied_from"),
        ({"satisfied_from": 6}, "satisfied_from"),
        ({"satisfied_from": True}, "satisfied_from"),
        ({"on_empty": "zero"}, "on_empty"),
    ],
)
def test_bad_csat_options_are_refused_naming_them(kwargs, field):
    with pytest.raises(InvalidField) as caught:
        csat([4, 5], **kwargs)

    assert caught.value.field == field


def test_a_score_off_the_csat_scale_is_refused_with_its_index():
    with pytest.raises(InvalidField) as caught:
        csat([5, 4, 0])

    assert caught.value.field == "scores[2]"
    assert "from 1 to 5" in str(caught.value)


def test_csat_from_counts_refuses_an_off_scale_score_and_a_negative_count():
    with pytest.raises(InvalidField, match=r"counts\[6\]"):
        csat(counts={6: 1})
    with pytest.raises(InvalidField, match=r"counts\[4\]"):
        csat(counts={4: -2})


def test_no_answers_give_an_undefined_csat():
    assert csat([]).percent() == "undefined"
    assert csat([], variant="mean").value is None
    with pytest.raises(UndefinedMetric, match="answers is 0"):
        csat([], on_empty="raise", variant="mean")


# -- laws ---------------------------------------------------------------------------


@given(survey_scores(0, 10))
def test_nps_agrees_with_a_reference_and_stays_within_minus_100_and_100(scores):
    result = nps(scores)

    if scores:
        assert result.fraction == reference_nps(scores)
        assert -100 <= result.fraction <= 100
    else:
        assert not result.defined


@given(survey_scores(0, 10), st.randoms(use_true_random=False))
def test_shuffling_the_answers_changes_no_survey_result(scores, rng):
    shuffled = list(scores)
    rng.shuffle(shuffled)

    assert nps(shuffled) == nps(scores)
    assert csat(shuffled, scale=(0, 10), satisfied_from=9) == csat(
        scores, scale=(0, 10), satisfied_from=9
    )


@given(st.integers(1, 6), st.data())
def test_csat_agrees_with_a_reference_on_any_scale_and_stays_within_0_and_1(width, data):
    low = data.draw(st.integers(-3, 3))
    high = low + width
    threshold = data.draw(st.integers(low + 1, high))
    scores = data.draw(survey_scores(low, high))

    result = csat(scores, scale=(low, high), satisfied_from=threshold)

    if scores:
        assert result.fraction == reference_csat(scores, threshold)
        assert 0 <= result.fraction <= 1
    else:
        assert result.value is None


@given(survey_scores(1, 5), survey_scores(1, 5))
def test_satisfied_answers_and_answers_add_up_when_two_batches_are_merged(first, second):
    merged = csat(first + second)

    assert merged.numerator == csat(first).numerator + csat(second).numerator
    assert merged.denominator == csat(first).denominator + csat(second).denominator
    assert csat(first + second, variant="mean").numerator == (
        csat(first, variant="mean").numerator + csat(second, variant="mean").numerator
    )


@given(survey_scores(1, 5))
def test_counts_and_raw_scores_give_the_same_csat(scores):
    counts = {score: scores.count(score) for score in set(scores)}

    assert csat(counts=counts) == csat(scores)


@given(survey_scores(1, 5))
def test_the_mean_score_agrees_with_a_reference_and_stays_on_the_scale(scores):
    result = csat(scores, variant="mean")

    if scores:
        assert result.fraction == Fraction(sum(scores), len(scores))
        assert 1 <= result.fraction <= 5


# -- one function, two ways in -------------------------------------------------------


def test_nps_refuses_scores_and_counts_together_naming_the_count():
    with pytest.raises(InvalidField, match="not both") as caught:
        nps([10, 9], promoters=2, passives=0, detractors=0)

    assert caught.value.field == "promoters"


def test_nps_without_scores_needs_all_three_counts_and_names_the_missing_one():
    with pytest.raises(InvalidField, match="together") as caught:
        nps(promoters=30, passives=50)
    with pytest.raises(InvalidField) as neither:
        nps()

    assert caught.value.field == "detractors"
    assert neither.value.field == "scores"


def test_csat_refuses_scores_and_counts_together_and_neither():
    with pytest.raises(InvalidField, match="not both") as both:
        csat([5], counts={5: 1})
    with pytest.raises(InvalidField) as neither:
        csat()

    assert both.value.field == "counts"
    assert neither.value.field == "scores"


def test_the_mean_variant_reads_counts_too_and_refuses_a_threshold():
    assert csat(counts={5: 1, 3: 1}, variant="mean") == csat([5, 3], variant="mean")
    with pytest.raises(InvalidField) as threshold:
        csat([5, 3], satisfied_from=4, variant="mean")  # type: ignore[call-overload]
    with pytest.raises(InvalidField) as variant:
        csat([5, 3], variant="median")  # type: ignore[call-overload]

    assert threshold.value.field == "satisfied_from"
    assert variant.value.field == "variant"
