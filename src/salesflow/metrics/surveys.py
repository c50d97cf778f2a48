"""Survey metrics: Net Promoter Score and customer satisfaction (CSAT).

Scores come in as whole numbers on a stated scale; a score outside the scale,
a float, a bool or anything else is refused with the index of the bad score,
never dropped or clamped.

>>> from salesflow.metrics import csat_from_counts, nps_from_counts
>>> nps_from_counts(promoters=30, passives=50, detractors=20)
<Score NPS (promoters 9-10, detractors 0-6): 100 * (30 - 20) / 100 = 10>
>>> csat_from_counts({5: 10, 4: 20, 3: 10, 2: 5, 1: 5}).percent()
'60.0%'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from salesflow._results import OnEmpty, Ratio, Score, settle
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._records import (
    _integer,
    keyed_items,
    survey_scale,
    values_of,
    whole_number,
)

__all__ = ["csat", "csat_from_counts", "csat_mean", "nps", "nps_from_counts"]

_NPS_FORMULA: Final = (
    "% promoters (9-10) - % detractors (0-6) = 100 * (promoters - detractors) / responses"
)
_NPS_VARIANT: Final = "promoters 9-10, detractors 0-6"
_NPS_SCALE: Final = (0, 10)
_CSAT_SCALE: Final = (1, 5)
_CSAT_SATISFIED: Final = 4


def _satisfied_from(value: Any, scale: tuple[int, int]) -> int:
    low, high = scale
    if value is None:
        if scale == _CSAT_SCALE:
            return _CSAT_SATISFIED
        raise InvalidField(
            "satisfied_from",
            value,
            f"the lowest satisfied score, from {low + 1} to {high}: "
            f"state it for a {low}-{high} scale (only 1-5 has a default, 4)",
        )
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidType("satisfied_from", value, f"a whole number from {low + 1} to {high}")
    if not low < value <= high:
        raise InvalidField("satisfied_from", value, f"a whole number from {low + 1} to {high}")
    return value


def _tally(field: str, scores: Any, scale: tuple[int, int]) -> dict[int, int]:
    """How many times each score occurs; any bad score is refused by its index."""
    values = values_of(
        field,
        scores,
        expected="an iterable of whole-number scores",
        instead="a mapping or an indexed Series could be scores per respondent or answers "
        "per score: pass .tolist() for one score per answer, or the counts to *_from_counts",
    )
    low, high = scale
    expected = f"a whole number from {low} to {high}"
    counts = dict.fromkeys(range(low, high + 1), 0)
    for index, raw in enumerate(values):
        score = _integer(raw)
        if score is None:
            raise InvalidType(f"{field}[{index}]", raw, expected)
        if not low <= score <= high:
            raise InvalidField(f"{field}[{index}]", score, expected)
        counts[score] += 1
    return counts


def _counts(field: str, counts: Any, scale: tuple[int, int]) -> dict[int, int]:
    low, high = scale
    pairs = keyed_items(field, counts, key="score", count="number of answers")
    if pairs is None:
        raise InvalidType(field, counts, "a mapping of score -> number of answers")
    tally = dict.fromkeys(range(low, high + 1), 0)
    for raw, count in pairs:
        score = _integer(raw)
        if score is None or not low <= score <= high:
            raise InvalidField(
                f"{field}[{raw!r}]", raw, f"a score that is a whole number from {low} to {high}"
            )
        tally[score] += whole_number(f"{field}[{raw!r}]", count, minimum=0)
    return tally


# -- NPS -------------------------------------------------------------------------


def nps(scores: Iterable[int], *, on_empty: OnEmpty = "undefined") -> Score:
    """Net Promoter Score from "how likely are you to recommend us?" answers on 0-10.

    NPS = % promoters (9-10) - % detractors (0-6)
        = 100 * (promoters - detractors) / responses, in -100..100.

    Passives (7-8) count in the responses only. The result is a signed
    :class:`Score` (``text()`` gives ``"+10"``). Refuses scores that are not
    whole numbers from 0 to 10 (naming the index); no answers give an
    undefined score, or :class:`UndefinedMetric` with ``on_empty="raise"``.

    >>> nps([10, 9, 9, 8, 7, 6, 3, 10]).text()
    '+25'
    >>> nps([10, 11])
    Traceback (most recent call last):
    ...
    salesflow.errors.InvalidField: scores[1]: got 11, expected a whole number from 0 to 10
    """
    tally = _tally("scores", scores, _NPS_SCALE)
    return _nps(
        promoters=tally[9] + tally[10],
        passives=tally[7] + tally[8],
        detractors=sum(tally[score] for score in range(7)),
        on_empty=on_empty,
    )


def nps_from_counts(
    *, promoters: int, passives: int, detractors: int, on_empty: OnEmpty = "undefined"
) -> Score:
    """NPS from the number of promoters (9-10), passives (7-8) and detractors (0-6).

    NPS = 100 * (promoters - detractors) / (promoters + passives + detractors).

    >>> nps_from_counts(promoters=30, passives=50, detractors=20).text()
    '+10'
    """
    return _nps(
        promoters=whole_number("promoters", promoters, minimum=0),
        passives=whole_number("passives", passives, minimum=0),
        detractors=whole_number("detractors", detractors, minimum=0),
        on_empty=on_empty,
    )


def _nps(*, promoters: int, passives: int, detractors: int, on_empty: Any) -> Score:
    responses = promoters + passives + detractors
    score = Score(
        "NPS",
        promoters - detractors,
        responses,
        variant=_NPS_VARIANT,
        formula=_NPS_FORMULA,
        scale=100,
        signed=True,
        working=f"100 * ({promoters} - {detractors}) / {responses}",
        inputs=(
            ("promoters", promoters),
            ("passives", passives),
            ("detractors", detractors),
            ("responses", responses),
        ),
        denominator_name="responses",
    )
    return settle(score, on_empty)


# -- CSAT ------------------------------------------------------------------------


def csat(
    scores: Iterable[int],
    *,
    scale: tuple[int, int] = _CSAT_SCALE,
    satisfied_from: int | None = None,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Customer satisfaction: the share of satisfied answers.

    CSAT = satisfied answers / answers; on the usual 1-5 scale an answer is
    satisfied from 4 (4 or 5). Other scales (1-7, 1-10...) are variants and
    need ``satisfied_from`` stated: there is no agreed threshold for them.

    Refuses scores that are not whole numbers on ``scale`` (naming the
    index), an invalid scale or threshold; no answers give an undefined
    ratio, or :class:`UndefinedMetric` with ``on_empty="raise"``.

    >>> csat([5, 4, 3, 2, 5])
    <Ratio CSAT (share of 4-5 on 1-5): (2 + 1) / 5 = 0.6>
    >>> csat([6, 7, 2], scale=(1, 7), satisfied_from=6).percent()
    '66.7%'
    """
    bounds = survey_scale("scale", scale)
    threshold = _satisfied_from(satisfied_from, bounds)
    return _csat(_tally("scores", scores, bounds), bounds, threshold, on_empty)


def csat_from_counts(
    counts: Mapping[int, int],
    *,
    scale: tuple[int, int] = _CSAT_SCALE,
    satisfied_from: int | None = None,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """CSAT from a mapping score -> number of answers (scores not listed had none).

    CSAT = answers scoring ``satisfied_from`` or more / answers.

    >>> csat_from_counts({5: 10, 4: 20, 3: 10, 2: 5, 1: 5})
    <Ratio CSAT (share of 4-5 on 1-5): (10 + 20) / 50 = 0.6>
    """
    bounds = survey_scale("scale", scale)
    threshold = _satisfied_from(satisfied_from, bounds)
    return _csat(_counts("counts", counts, bounds), bounds, threshold, on_empty)


def _csat(tally: dict[int, int], scale: tuple[int, int], threshold: int, on_empty: Any) -> Ratio:
    low, high = scale
    satisfied_scores = range(threshold, high + 1)
    satisfied = sum(tally[score] for score in satisfied_scores)
    answers = sum(tally.values())
    parts = " + ".join(str(tally[score]) for score in reversed(satisfied_scores))
    shown = f"({parts})" if len(satisfied_scores) > 1 else parts
    ratio = Ratio(
        "CSAT",
        satisfied,
        answers,
        variant=f"share of {threshold}-{high} on {low}-{high}"
        if threshold < high
        else f"share of {high} on {low}-{high}",
        formula=f"answers scoring {threshold} or more / answers",
        working=f"{shown} / {answers}",
        inputs=tuple((f"answers scoring {score}", tally[score]) for score in reversed(tally)),
        denominator_name="answers",
    )
    return settle(ratio, on_empty)


def csat_mean(
    scores: Iterable[int],
    *,
    scale: tuple[int, int] = _CSAT_SCALE,
    on_empty: OnEmpty = "undefined",
) -> Score:
    """The mean satisfaction score, a CSAT variant: sum of scores / answers.

    The mean is a :class:`Score` on the scale itself (4.2 on 1-5), not a share.
    Refuses scores off the scale, naming the index.

    >>> csat_mean([5, 4, 4, 3])
    <Score mean satisfaction (mean on 1-5): 16 / 4 = 4>
    """
    bounds = survey_scale("scale", scale)
    tally = _tally("scores", scores, bounds)
    low, high = bounds
    total = sum(score * count for score, count in tally.items())
    answers = sum(tally.values())
    score = Score(
        "mean satisfaction",
        total,
        answers,
        variant=f"mean on {low}-{high}",
        formula="sum of scores / answers",
        inputs=(("sum of scores", total), ("answers", answers)),
        denominator_name="answers",
    )
    return settle(score, on_empty)
