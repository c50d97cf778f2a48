"""Sales cycle length: the time from a lead's creation to its win, over the won leads.

Leads come in any shape the lead reader takes (docs/metrics.md, "The lead inputs"
and "Sales cycle length").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any

import attrs

from salesflow import _check
from salesflow._durations import Durations
from salesflow._jsonform import duration_text
from salesflow._results import OnEmpty, Score, check_on_empty, flag_field
from salesflow._tables import html_table
from salesflow.errors import InvalidType
from salesflow.metrics._framed.leads import framed_cycle
from salesflow.metrics._read.frames import rows_only, table
from salesflow.metrics._read.leads import lead_rows
from salesflow.metrics._read.scope import optional_now, period_argument, scope_label, unfinished
from salesflow.periods import Period

__all__ = ["SalesCycle", "sales_cycle_length"]


def _count(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)


def _durations(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Durations):
        raise InvalidType(attribute.name, value, "Durations", context=type(instance).__name__)


@attrs.frozen(repr=False)
class SalesCycle:
    """Sales cycle lengths of the won leads, and the leads left out of them.

    ``cycles`` holds one duration per won lead (created to won); ``mean`` and
    ``median`` come from it (None when no lead was won, never 0).
    ``still_open`` and ``lost`` count the leads not won: they are reported,
    not mixed in, since an open lead's cycle has not ended and a lost one
    never will. ``unfinished`` is True when the leads were those created in
    a period that had not ended at the ``now`` given: more leads may still
    be created in it, and more of them won.
    """

    cycles: Durations = attrs.field(validator=_durations)
    still_open: int = attrs.field(validator=_count)
    lost: int = attrs.field(validator=_count)
    unfinished: bool = attrs.field(default=False, kw_only=True, validator=flag_field)

    @property
    def won(self) -> int:
        return self.cycles.count

    @property
    def mean(self) -> timedelta | None:
        return self.cycles.mean

    @property
    def median(self) -> timedelta | None:
        return self.cycles.median

    @property
    def mean_days(self) -> Score:
        """The mean cycle in days, exact (a :class:`Score`; undefined when no lead was won)."""
        return attrs.evolve(self.cycles.mean_days, unfinished=self.unfinished)

    @property
    def variant(self) -> str:
        """Which leads were measured: ``"all leads created"`` or ``"leads created in 2026-03"``."""
        return self.cycles.variant

    def require(self) -> timedelta:
        """The mean cycle, or :class:`UndefinedMetric` when no lead was won."""
        return self.cycles.require()

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives: ``kind``, ``variant``, the cycles, the leads left out.

        ``cycles`` is :meth:`Durations.to_dict` with its durations as ISO 8601
        text (``"P10D"``; ``mean`` and ``median`` null when no lead was won),
        the form the ``metric.durations`` schema describes; the document's own
        schema is ``salesflow.schemas.schema("metric.sales_cycle")``. A
        summary: the single cycles are not written (they grow with the leads).
        """
        return {
            "kind": "sales_cycle",
            "variant": self.variant,
            "cycles": {
                key: duration_text(value) if isinstance(value, timedelta) else value
                for key, value in self.cycles.to_dict().items()
            },
            "still_open": self.still_open,
            "lost": self.lost,
            "unfinished": self.unfinished,
        }

    def _repr_html_(self) -> str:
        def shown(span: timedelta | None) -> str:
            return "undefined" if span is None else str(span)

        return html_table(
            kind="sales-cycle",
            caption=f"Sales cycle ({self.cycles.variant})",
            header=("figure", "value"),
            rows=[
                ("won", f"{self.won:,}"),
                ("mean", shown(self.mean)),
                ("median", shown(self.median)),
                ("not included: still open", f"{self.still_open:,}"),
                ("not included: lost", f"{self.lost:,}"),
            ],
            notes=("period not over",) if self.unfinished else (),
        )

    def __repr__(self) -> str:
        head = f"<SalesCycle ({self.cycles.variant}): {self.won} won"
        if self.won:
            head += f", mean {self.mean}, median {self.median}"
        head += f"; not included: {self.still_open} still open, {self.lost} lost"
        return head + (", period not over>" if self.unfinished else ">")


def sales_cycle_length(
    leads: Any,
    *,
    period: Period | None = None,
    now: datetime | None = None,
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> SalesCycle:
    """Sales cycle length: the time from lead created to won, over won leads only.

    cycle = won at (the lead's first ``win``) - created at, per won lead;
    mean = sum of cycles / won leads; median = the middle cycle.

    Open leads are counted as ``still_open`` and lost leads as ``lost``,
    never mixed into the mean (an open lead would pull it down, as if it had
    closed today). With ``period``, only leads *created* in it count: a
    cohort view, where a recent period's figures grow as its leads close.
    With ``now`` too, a period not over at ``now`` is flagged
    ``unfinished`` (see docs/metrics.md).

    Records need ``created_at``, ``won_at`` (None when not won) and may
    carry ``lost``. Refuses a won time before the creation time, a naive
    ``now`` and a lead dated after ``now``.
    ``on_empty="raise"`` raises :class:`UndefinedMetric` when no lead was won.

    ``leads`` may be a table of lead records instead (pandas, polars,
    pyarrow, DuckDB, Spark, ...; the ``frames`` extra) with the record keys
    as columns (``created_at``, ``won_at`` empty when not won, ``lost`` may
    be left out): the cycles are computed inside the engine and only their
    distinct lengths, counted, leave it, so the result is the same
    :class:`SalesCycle`. A row is refused as a record would be, naming the
    column (``leads['won_at']``). ``columns`` maps the record keys to the
    table's column names; ``naive_zone`` is the zone naive time columns
    were written in.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
    >>> sales_cycle_length([{"created_at": at, "won_at": None, "lost": True}])
    <SalesCycle (all leads created): 0 won; not included: 0 still open, 1 lost>
    """
    within = period_argument(period)
    moment = optional_now(now)
    on_empty = check_on_empty(on_empty)
    if table(leads):
        spans, still_open, lost = framed_cycle(
            leads, period=within, now=moment, columns=columns, naive_zone=naive_zone
        )
    else:
        rows_only({"columns": columns, "naive_zone": naive_zone})
        spans, still_open, lost = _cycles(leads, within, moment)
    cycles = Durations(
        "sales cycle length",
        scope_label(within, "leads created"),
        "won at - created at, per won lead",
        spans,
        counted="won leads",
    )
    if on_empty == "raise":
        cycles.require()
    return SalesCycle(cycles, still_open, lost, unfinished=unfinished(within, moment))


def _cycles(
    leads: Iterable[Any], within: Period | None, now: datetime | None
) -> tuple[list[timedelta], int, int]:
    """``(cycles of the won leads, still open, lost)`` among the leads created ``within``."""
    spans: list[timedelta] = []
    still_open = lost = 0
    for row in lead_rows(leads, created=True, lost=True, now=now):
        created = row.created_at
        assert created is not None  # read for every lead
        if within is not None and not within.contains(created):
            continue
        if row.won_at is not None:
            spans.append(row.won_at - created)
        elif row.lost:
            lost += 1
        else:
            still_open += 1
    return spans, still_open, lost
