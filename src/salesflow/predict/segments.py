"""The RFM segment table that :func:`salesflow.predict.rfm` reads: the default, to copy and change.

A table is an ordered sequence of rules ``(segment, (lowest R, highest R),
(lowest FM, highest FM))``; a customer gets the segment of the first rule
whose inclusive ranges hold their R score and FM, the mean of their F and M
scores. Pass your own as ``rfm(..., segments=...)``; it must give every
(R, FM) cell a segment.

>>> from salesflow.predict.segments import DEFAULT_RFM_SEGMENTS
>>> DEFAULT_RFM_SEGMENTS[0]
('champions', (4, 5), (4, 5))
"""

from __future__ import annotations

from typing import Final

__all__ = ["DEFAULT_RFM_SEGMENTS", "Rule"]

Rule = tuple[str, tuple[int, int], tuple[float, float]]
"""One row of a segment table: (segment, (lowest R, highest R), (lowest FM, highest FM))."""

DEFAULT_RFM_SEGMENTS: Final[tuple[Rule, ...]] = (
    ("champions", (4, 5), (4, 5)),
    ("loyal", (4, 5), (3, 3.5)),
    ("loyal", (3, 3), (4, 5)),
    ("potential loyalists", (4, 5), (2, 2.5)),
    ("new", (5, 5), (1, 1.5)),
    ("promising", (4, 4), (1, 1.5)),
    ("need attention", (3, 3), (2, 3.5)),
    ("about to sleep", (3, 3), (1, 1.5)),
    ("about to sleep", (2, 2), (2, 2.5)),
    ("at risk", (2, 2), (3, 5)),
    ("at risk", (1, 1), (3, 3.5)),
    ("can't lose them", (1, 1), (4, 5)),
    ("hibernating", (2, 2), (1, 1.5)),
    ("hibernating", (1, 1), (2, 2.5)),
    ("lost", (1, 1), (1, 1.5)),
)
"""The default segment table: the first rule whose R and FM ranges (inclusive) hold the customer.

FM is the mean of the F and M scores (1, 1.5, ... 5). Every (R, FM) cell
falls in the range the 11-segment table gives that segment; see
docs/predict.md ("RFM segments") for the grid and the source.
"""
