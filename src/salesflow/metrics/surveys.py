"""Survey metrics: Net Promoter Score and customer satisfaction (CSAT).

Each takes the answers one score each, or the counts by keyword; scores off
the scale are refused with their index, never dropped or clamped (rules and
variants on docs/metrics.md, "Surveys").

>>> from salesflow.metrics import csat, nps
>>> nps(promoters=30, passives=50, detractors=20)
<Score NPS (promoters 9-10, detractors 0-6): 100 * (30 - 20) / 100 = 10>
>>> csat(counts={5: 10, 4: 20, 3: 10, 2: 5, 1: 5}).percent()
'60.0%'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal, overload

from salesflow._results import OnEmpty, Ratio, Score, settle
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._framed.columns import series
from salesflow.metrics._framed.surveys import framed_score_counts
from salesflow.metrics._read.fields import survey_scale, whole_number
from salesflow.metrics._read.frames import rows_only, table
from salesflow.metrics._read.surveys import answer_counts, score_counts

__all__ = ["CsatVariant", "csat", "nps"]

CsatVariant = Literal["share", "mean"]

_NPS_FORMULA: Final = (
    "% promoters (9-10) - % detractors (0-6) = 100 * (promoters - detractors) / responses"
)
_NPS_VARIANT: Final = "promoters 9-10, detractors 0-6"
_NPS_SCALE: Final = (0, 10)
_NPS_COUNTS: Final = ("promoters", "passives", "detractors")
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


def _tally(scores: Any, scale: tuple[int, int], columns: Any, metric: str) -> dict[int, int]:
    """How many answers gave each score: counted in the engine for a table or a Series."""
    if table(scores) or series(scores):
        return framed_score_counts(
            "scores", scores, scale, columns=columns, feature=f"{metric} on a table"
        )
    rows_only({"columns": columns})
    return score_counts("scores", scores, scale)


def _answers(scores: Any, counts: Any, scale: tuple[int, int], columns: Any) -> dict[int, int]:
    """The tally of ``scores`` or of ``counts``: exactly one of them is given."""
    if scores is not None and counts is not None:
        raise InvalidField(
            "counts", counts, "None when scores are given: pass the scores or the counts, not both"
        )
    if counts is not None:
        rows_only({"columns": columns})
        return answer_counts("counts", counts, scale)
    if scores is None:
        raise InvalidField(
            "scores",
            None,
            "the answers' scores, or their counts per score (counts=None too: pass one of them)",
        )
    return _tally(scores, scale, columns, "csat")


# -- NPS -------------------------------------------------------------------------


def nps(
    scores: Iterable[int] | Any | None = None,
    *,
    promoters: int | None = None,
    passives: int | None = None,
    detractors: int | None = None,
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
) -> Score:
    """Net Promoter Score from "how likely are you to recommend us?" answers on 0-10.

    NPS = % promoters (9-10) - % detractors (0-6)
        = 100 * (promoters - detractors) / responses, in -100..100.

    Pass the ``scores`` (one per answer), or the counts ``promoters``,
    ``passives`` and ``detractors`` (all three), not both. Passives (7-8)
    count in the responses only. The result is a signed :class:`Score`
    (``text()`` gives ``"+10"``). Refuses scores that are not whole numbers
    from 0 to 10 (naming the index) and negative counts; no answers give an
    undefined score, or :class:`UndefinedMetric` with ``on_empty="raise"``.

    ``scores`` may instead be a Series (pandas, polars, a pyarrow Array or
    ChunkedArray) or a table (pandas, polars, pyarrow, DuckDB, Spark, ...;
    the ``frames`` extra): its only column, its ``score`` column, or the
    one ``columns={"score": ...}`` names. The answers per score are counted
    inside its engine and the result is the same :class:`Score`. A column that is
    not of integers, a missing score and one off the scale are refused
    naming the column (``scores['answer']``).

    >>> nps([10, 9, 9, 8, 7, 6, 3, 10]).text()
    '+25'
    >>> nps(promoters=30, passives=50, detractors=20).text()
    '+10'
    >>> nps([10, 11])
    Traceback (most recent call last):
    ...
    salesflow.errors.InvalidField: scores[1]: got 11, expected a whole number from 0 to 10
    """
    given = {
        name: value
        for name, value in zip(_NPS_COUNTS, (promoters, passives, detractors), strict=True)
        if value is not None
    }
    if scores is not None and given:
        name, value = next(iter(given.items()))
        raise InvalidField(
            name,
            value,
            "None when scores are given: pass the scores or the counts "
            "(promoters, passives and detractors), not both",
        )
    if scores is None and not given:
        raise InvalidField(
            "scores",
            None,
            "the answers' scores, or the counts promoters=, passives= and detractors= "
            "(none given: pass one or the other)",
        )
    if given:
        rows_only({"columns": columns})
        for name in _NPS_COUNTS:
            if name not in given:
                raise InvalidField(
                    name,
                    None,
                    "a whole number of at least 0: pass promoters, passives and detractors "
                    "together, or the scores",
                )
        return _nps(
            promoters=whole_number("promoters", promoters, minimum=0),
            passives=whole_number("passives", passives, minimum=0),
            detractors=whole_number("detractors", detractors, minimum=0),
            on_empty=on_empty,
        )
    tally = _tally(scores, _NPS_SCALE, columns, "nps")
    return _nps(
        promoters=tally[9] + tally[10],
        passives=tally[7] + tally[8],
        detractors=sum(tally[score] for score in range(7)),
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


@overload
def csat(
    scores: Iterable[int] | Any | None = None,
    *,
    counts: Mapping[int, int] | None = None,
    scale: tuple[int, int] = _CSAT_SCALE,
    satisfied_from: int | None = None,
    variant: Literal["share"] = "share",
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
) -> Ratio: ...


@overload
def csat(
    scores: Iterable[int] | Any | None = None,
    *,
    counts: Mapping[int, int] | None = None,
    scale: tuple[int, int] = _CSAT_SCALE,
    satisfied_from: None = None,
    variant: Literal["mean"],
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
) -> Score: ...


def csat(
    scores: Iterable[int] | Any | None = None,
    *,
    counts: Mapping[int, int] | None = None,
    scale: tuple[int, int] = _CSAT_SCALE,
    satisfied_from: int | None = None,
    variant: CsatVariant = "share",
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
) -> Ratio | Score:
    """Customer satisfaction: the share of satisfied answers, or (a variant) the mean score.

    variant="share"   CSAT = satisfied answers / answers (a :class:`Ratio`)
    variant="mean"    mean satisfaction = sum of scores / answers (a :class:`Score`
                      on the scale itself, 4.2 on 1-5)

    Pass the ``scores`` (one per answer), or ``counts``, a mapping score ->
    number of answers (scores not listed had none), not both. On the usual
    1-5 scale an answer is satisfied from 4 (4 or 5). Other scales (1-7,
    1-10...) need ``satisfied_from`` stated for the share: there is no
    agreed threshold for them (the mean takes none).

    Refuses scores that are not whole numbers on ``scale`` (naming the
    index), an invalid scale, threshold or variant; no answers give an
    undefined result, or :class:`UndefinedMetric` with ``on_empty="raise"``.

    ``scores`` may instead be a Series (pandas, polars, a pyarrow Array or
    ChunkedArray) or a table (pandas, polars, pyarrow, DuckDB, Spark, ...;
    the ``frames`` extra): its only column, its ``score`` column, or the
    one ``columns={"score": ...}`` names. The answers per score are counted
    inside its engine and the result is the same result. A column that is
    not of integers, a missing score and one off the scale are refused
    naming the column (``scores['answer']``).

    >>> csat([5, 4, 3, 2, 5])
    <Ratio CSAT (share of 4-5 on 1-5): (2 + 1) / 5 = 0.6>
    >>> csat(counts={5: 10, 4: 20, 3: 10, 2: 5, 1: 5})
    <Ratio CSAT (share of 4-5 on 1-5): (10 + 20) / 50 = 0.6>
    >>> csat([6, 7, 2], scale=(1, 7), satisfied_from=6).percent()
    '66.7%'
    >>> csat([5, 4, 4, 3], variant="mean")
    <Score mean satisfaction (mean on 1-5): 16 / 4 = 4>
    """
    bounds = survey_scale("scale", scale)
    if isinstance(variant, str) and variant == "mean":
        if satisfied_from is not None:
            raise InvalidField(
                "satisfied_from",
                satisfied_from,
                "None for variant='mean' (a threshold applies to the share of satisfied answers)",
            )
        return _mean(_answers(scores, counts, bounds, columns), bounds, on_empty)
    if not (isinstance(variant, str) and variant == "share"):
        raise InvalidField("variant", variant, "'share' or 'mean'")
    threshold = _satisfied_from(satisfied_from, bounds)
    return _csat(_answers(scores, counts, bounds, columns), bounds, threshold, on_empty)


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


def _mean(tally: dict[int, int], scale: tuple[int, int], on_empty: Any) -> Score:
    low, high = scale
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
