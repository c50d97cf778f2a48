"""The one duration type: how long something took, across the items measured (private home).

Order stays in a status, a lead's stays in a stage, won leads' sales cycles:
each is a :class:`Durations`, read like :class:`~salesflow.metrics.Ratio`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, ClassVar, Final

import attrs

from salesflow import _check
from salesflow._frames_out import Columns
from salesflow._results import Score
from salesflow._tables import html_table
from salesflow.errors import InvalidField, InvalidType, UndefinedMetric

MICROSECONDS_PER_DAY: Final = 86_400_000_000


def microseconds(span: timedelta) -> int:
    """The whole length of ``span`` in microseconds (exact, unlike ``total_seconds()``)."""
    return (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds


def _spans(value: Any) -> tuple[timedelta, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidType("spans", value, "an iterable of timedeltas of at least 0")
    spans = tuple(value)
    for index, span in enumerate(spans):
        if not isinstance(span, timedelta):
            raise InvalidType(f"spans[{index}]", span, "a timedelta of at least 0")
        if span < timedelta(0):
            raise InvalidField(f"spans[{index}]", span, "a timedelta of at least 0")
    return tuple(sorted(spans))


def _ongoing(instance: Durations, attribute: Any, value: Any) -> None:
    _check.whole("ongoing", value, minimum=0, context="Durations")
    if value > len(instance.spans):
        raise InvalidField(
            "ongoing",
            value,
            f"at most the number of spans ({len(instance.spans)})",
            context="Durations",
        )


@attrs.frozen(repr=False)
class Durations:
    """How long something took, across the items measured: count, total, mean, median.

    ``spans`` holds one duration per item (an order's time in a status, a won
    lead's sales cycle), sorted. ``counted`` names the items ("orders",
    "won leads"); ``ongoing`` says how many spans had not ended and were
    counted up to ``now`` (they can still grow). ``mean`` and ``median`` are
    None when nothing was measured, never 0.

    Exact: ``total`` is exact; ``mean`` (``total / count``) and a median of
    two middle spans are rounded half-even to the microsecond, the
    resolution of :class:`~datetime.timedelta`.
    """

    metric: str = attrs.field(validator=_check.text_field)
    variant: str = attrs.field(validator=_check.text_field)
    formula: str = attrs.field(validator=_check.text_field)
    spans: tuple[timedelta, ...] = attrs.field(converter=_spans)
    counted: str = attrs.field(default="items", kw_only=True, validator=_check.text_field)
    ongoing: int = attrs.field(default=0, kw_only=True, validator=_ongoing)

    COLUMNS: ClassVar[Columns] = (
        ("metric", "text"),
        ("count", "int"),
        ("ongoing", "int"),
        ("total", "duration"),
        ("mean", "duration"),
        ("median", "duration"),
    )
    """The keys of :meth:`to_dict`, in order, with their kinds (the time tables' columns)."""

    @property
    def count(self) -> int:
        return len(self.spans)

    @property
    def defined(self) -> bool:
        """False when nothing was measured: there is no mean or median."""
        return bool(self.spans)

    @property
    def total(self) -> timedelta:
        return sum(self.spans, timedelta(0))

    @property
    def mean(self) -> timedelta | None:
        """``total / count``, or None when nothing was measured."""
        return self.total / len(self.spans) if self.spans else None

    @property
    def median(self) -> timedelta | None:
        """The middle span (the mean of the two middle ones for an even count), or None."""
        spans, middle = self.spans, len(self.spans) // 2
        if not spans:
            return None
        return spans[middle] if len(spans) % 2 else (spans[middle - 1] + spans[middle]) / 2

    @property
    def shortest(self) -> timedelta | None:
        return self.spans[0] if self.spans else None

    @property
    def longest(self) -> timedelta | None:
        return self.spans[-1] if self.spans else None

    @property
    def mean_days(self) -> Score:
        """The mean in days, exact (a :class:`Score`): ``total / count``, undefined for none."""
        total = self.total
        return Score(
            f"mean {self.metric}",
            microseconds(total),
            self.count * MICROSECONDS_PER_DAY,
            variant=f"{self.variant}, in days",
            formula=f"total {self.metric} / {self.counted}",
            working=f"{total} / {self.count} {self.counted}",
            inputs=((self.counted, self.count), ("not ended", self.ongoing)),
            denominator_name=self.counted,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values for a DataFrame row (timedeltas; None when nothing was measured)."""
        return {
            "metric": self.metric,
            "count": self.count,
            "ongoing": self.ongoing,
            "total": self.total,
            "mean": self.mean,
            "median": self.median,
        }

    def require(self) -> timedelta:
        """``mean``, or :class:`UndefinedMetric` when nothing was measured."""
        mean = self.mean
        if mean is None:
            raise UndefinedMetric(self.metric, self.counted, variant=self.variant)
        return mean

    def __repr__(self) -> str:
        head = f"<Durations {self.metric} ({self.variant}): "
        if not self.spans:
            return head + f"no {self.counted} = undefined>"
        text = (
            f"{self.counted} {self.count}, mean {self.mean}, median {self.median}, "
            f"total {self.total}"
        )
        if self.ongoing:
            text += f"; {self.ongoing} not ended, counted up to now"
        return head + text + ">"

    def _repr_html_(self) -> str:
        figures = [
            (self.counted, f"{self.count:,}"),
            ("mean", _shown(self.mean)),
            ("median", _shown(self.median)),
            ("shortest", _shown(self.shortest)),
            ("longest", _shown(self.longest)),
            ("total", str(self.total)),
        ]
        if self.ongoing:
            figures.append(("not ended (counted up to now)", f"{self.ongoing:,}"))
        return html_table(
            kind="durations",
            caption=f"{self.metric} ({self.variant})",
            header=("figure", "value"),
            rows=figures,
            notes=(self.formula,),
        )


def _shown(span: timedelta | None) -> str:
    return "undefined" if span is None else str(span)
