"""Survey scores on a table or a Series: the answers per score counted in the engine (private).

nps and csat read one tally, ``{score: answers}`` for every score on the
scale; here it comes from a ``group_by`` inside the caller's engine, after one
audit query that refuses what the records path refuses (a missing score, a
score off the scale), naming the column. A non-integer column is refused on
its type alone, as the records path refuses 2.0 or Decimal(2).
"""

from __future__ import annotations

from typing import Any, Final

from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._framed.columns import count_where, one_column
from salesflow.metrics._read.frames import COUNT, audit, found_value, whole

_INSTEAD: Final = (
    "this Series is indexed by something other than 0, 1, 2, ..., so it could be scores "
    "per respondent or answers per score: pass .reset_index(drop=True) for one score per "
    "answer, or the counts by keyword"
)


def framed_score_counts(
    field: str, scores: Any, scale: tuple[int, int], *, columns: Any, feature: str
) -> dict[int, int]:
    """How many answers gave each score on ``scale``, from the Series or table ``scores``.

    The column is the Series itself, a one-column table's column, the
    ``score`` column, or the one ``columns={"score": ...}`` names. Refuses a
    column that is not of integers, a missing score and a score off the
    scale, naming the column; only the counts per score leave the engine.
    """
    low, high = scale
    expected = f"a whole number from {low} to {high}"
    bound, place = one_column(
        field,
        scores,
        name="score",
        kind=COUNT,
        columns=columns,
        expected="an iterable of whole-number scores",
        instead=_INSTEAD,
        feature=feature,
    )
    nw = bound.nw
    score = nw.col("score")
    found = audit(
        bound,
        [
            ("nulls", count_where(nw, score.is_null())),
            ("lowest", score.min()),
            ("highest", score.max()),
        ],
    )
    missing = whole(found["nulls"])
    if missing:
        raise InvalidType(place, None, f"{expected} in every row ({missing:,} rows have none)")
    if found_value(found["lowest"]) and whole(found["lowest"]) < low:
        raise InvalidField(place, whole(found["lowest"]), expected)
    if found_value(found["highest"]) and whole(found["highest"]) > high:
        raise InvalidField(place, whole(found["highest"]), expected)
    counts = dict.fromkeys(range(low, high + 1), 0)
    per_score = bound.frame.group_by("score").agg(nw.len().alias("answers"))
    for row in bound.collect(per_score):
        counts[whole(row["score"])] = whole(row["answers"])
    return counts
