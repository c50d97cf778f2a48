"""Reading survey answers (private): scores or counts in, one tally per score out.

Both readers give the same row: ``{score: number of answers}`` for every
score on the scale (zero where nobody answered it).
"""

from __future__ import annotations

from typing import Any

from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.fields import integer, keyed_items, values_of, whole_number


def score_counts(field: str, scores: Any, scale: tuple[int, int]) -> dict[int, int]:
    """How many times each score occurs in ``scores``; a bad score is refused by its index."""
    values = values_of(
        field,
        scores,
        expected="an iterable of whole-number scores",
        instead="a mapping or an indexed Series could be scores per respondent or answers "
        "per score: pass .tolist() for one score per answer, or pass the counts by keyword",
    )
    low, high = scale
    expected = f"a whole number from {low} to {high}"
    counts = dict.fromkeys(range(low, high + 1), 0)
    for index, raw in enumerate(values):
        score = integer(raw)
        if score is None:
            raise InvalidType(f"{field}[{index}]", raw, expected)
        if not low <= score <= high:
            raise InvalidField(f"{field}[{index}]", score, expected)
        counts[score] += 1
    return counts


def answer_counts(field: str, counts: Any, scale: tuple[int, int]) -> dict[int, int]:
    """A mapping (or Series) score -> number of answers, every score on the scale filled in."""
    low, high = scale
    pairs = keyed_items(field, counts, key="score", count="number of answers")
    if pairs is None:
        raise InvalidType(field, counts, "a mapping of score -> number of answers")
    tally = dict.fromkeys(range(low, high + 1), 0)
    for raw, count in pairs:
        score = integer(raw)
        if score is None or not low <= score <= high:
            raise InvalidField(
                f"{field}[{raw!r}]", raw, f"a score that is a whole number from {low} to {high}"
            )
        tally[score] += whole_number(f"{field}[{raw!r}]", count, minimum=0)
    return tally
