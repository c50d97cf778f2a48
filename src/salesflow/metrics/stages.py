"""How leads move through their stages: time in each stage, and the lead conversion rates.

Leads come in any shape the lead reader takes (see docs/metrics.md, "The lead inputs").

>>> from datetime import datetime, timedelta, timezone
>>> from salesflow.leads import Lead, LeadSource
>>> from salesflow.metrics.stages import time_in_lead_stages
>>> t = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
>>> lead = Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=t).lead
>>> lead = lead.advance(at=t + timedelta(days=1)).lead
>>> times = time_in_lead_stages([lead], now=t + timedelta(days=3))
>>> times["interest"].median, times.slowest
(datetime.timedelta(days=2), <LeadStage.INTEREST: 'interest'>)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any, ClassVar, Final, Literal

import attrs

from salesflow import _charts, _check, _zones
from salesflow._durations import Durations
from salesflow._frames_out import Columns, records_to_frame
from salesflow._results import OnEmpty, Ratio, check_on_empty, settle
from salesflow._tables import html_table
from salesflow.errors import InvalidField, InvalidType, UndefinedMetric
from salesflow.leads import LeadStage
from salesflow.metrics._framed.histories import LEAD_HISTORY, framed_stays
from salesflow.metrics._framed.leads import framed_conversion
from salesflow.metrics._read.frames import rows_only, table
from salesflow.metrics._read.leads import lead_rows
from salesflow.metrics._read.scope import optional_now, period_argument, scope_label, unfinished
from salesflow.periods import Period

__all__ = ["LeadStageTimes", "LeadVariant", "lead_conversion_rate", "time_in_lead_stages"]

LeadVariant = Literal["leads", "qualified", "demo_after_intro_call", "lost_after_demo"]

_STAGES: Final = tuple(LeadStage)


# -- time in lead stage ------------------------------------------------------------------------


def _count_field(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)


def _times_field(instance: Any, attribute: Any, value: Any) -> None:
    if (
        not isinstance(value, tuple)
        or len(value) != len(_STAGES)
        or not all(isinstance(times, Durations) for times in value)
    ):
        raise InvalidType(
            attribute.name,
            value,
            "a tuple of Durations, one per LeadStage in stage order",
            context=type(instance).__name__,
        )
    for stage, times in zip(_STAGES, value, strict=True):
        if times.variant != stage.value:
            raise InvalidField(
                f"{attribute.name}[{_STAGES.index(stage)}].variant",
                times.variant,
                f"the stage {stage.value!r} (one Durations per LeadStage in stage order)",
                context=type(instance).__name__,
            )


def _stage_durations(stage: LeadStage, spans: list[timedelta], ongoing: int) -> Durations:
    return Durations(
        "time in stage",
        stage.value,
        "the lead's time in the stage over all its visits (an open visit up to now)",
        spans,
        counted="leads",
        ongoing=ongoing,
    )


@attrs.frozen(repr=False)
class LeadStageTimes(Mapping[LeadStage, Durations]):
    """Time in each lead stage across leads, at ``now``: a mapping LeadStage -> Durations.

    ``times[stage]`` (a LeadStage or its value) holds one span per lead that
    was ever in the stage, ``ongoing`` the leads still in it (their time is
    counted up to ``now``). :attr:`slowest` is the open stage where leads
    stall longest; :meth:`format` draws the table.
    """

    COLUMNS: ClassVar[Columns] = (("stage", "text"), *Durations.COLUMNS)
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

    now: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    leads: int = attrs.field(validator=_count_field)
    stages: tuple[Durations, ...] = attrs.field(validator=_times_field)

    def __getitem__(self, stage: LeadStage | str) -> Durations:
        return self.stages[_STAGES.index(_check.choice(LeadStage, "stage", stage))]

    def __iter__(self) -> Iterator[LeadStage]:
        return iter(_STAGES)

    def __len__(self) -> int:
        return len(_STAGES)

    @property
    def slowest(self) -> LeadStage | None:
        """The open stage with the longest median time in it; ties go to the earlier stage.

        Only the open stages (awareness, interest, consideration, decision)
        are candidates: customer, retained and lost are where leads rest, not
        where they stall. None when no lead was in an open stage.
        """
        best: LeadStage | None = None
        longest = timedelta(0)
        for stage, times in zip(_STAGES, self.stages, strict=True):
            median = times.median
            if not stage.is_open or median is None:
                continue
            if best is None or median > longest:
                best, longest = stage, median
        return best

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per stage: the stage and its :meth:`Durations.to_dict` figures."""
        return [
            {"stage": stage.value, **times.to_dict()}
            for stage, times in zip(_STAGES, self.stages, strict=True)
        ]

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The times as a DataFrame of ``backend``: "pandas", "polars" or "pyarrow".

        One row per stage, the columns of :meth:`to_records`, in order and typed (durations as the
        library's duration type). Decimals stay exact (a decimal128 column) unless ``money="float"``
        makes them float64, inexact, for plotting, ``describe()`` and ``qcut``. Needs the library
        (:class:`~salesflow.errors.MissingExtra` names the extra to install); see docs/metrics.md
        ("In a notebook").
        """
        return records_to_frame(
            self.to_records(),
            columns=self.COLUMNS,
            backend=backend,
            money=money,
        )

    def format(self) -> str:
        """The figures as a text table; ``*`` marks a stage with leads still in it."""
        width = max(len(stage.value) for stage in LeadStage)
        lines = [
            f"Time in lead stage across {self.leads:,} leads at {self.now.isoformat()}",
            f"{'stage'.ljust(width)}  {'leads':>6}  {'open':>5}  {'median':>18}  "
            f"{'mean':>18}  {'total':>22}",
        ]
        for stage, times in zip(_STAGES, self.stages, strict=True):
            median = "-" if times.median is None else str(times.median)
            mean = "-" if times.mean is None else str(times.mean)
            mark = "*" if times.ongoing else " "
            lines.append(
                f"{stage.value.ljust(width)}  {times.count:>6,}  "
                f"{times.ongoing:>5,}  {median:>18}  {mean:>18}  {times.total!s:>22}{mark}"
            )
        slowest = self.slowest
        if slowest is not None:
            lines.append(f"slowest open stage (by median): {slowest.value}")
        if any(times.ongoing for times in self.stages):
            lines.append(
                f"* leads still in the stage: their time is counted to {self.now.isoformat()}"
            )
        return "\n".join(lines)

    def to_vega_lite(self) -> dict[str, Any]:
        """A Vega-Lite v5 bar chart (a plain dict) of the mean days in each lead stage.

        The tooltip adds the leads counted, those still in the stage and the
        median (days as floats for plotting only). See docs/metrics.md ("Charts").
        """
        return _charts.duration_bars(
            title=f"Time in lead stage across {self.leads:,} leads at {self.now.isoformat()}",
            field="stage",
            label="Stage",
            names=[stage.value for stage in _STAGES],
            times=self.stages,
            resting=[stage.value for stage in _STAGES if not stage.is_open],
        )

    def to_altair(self) -> Any:
        """:meth:`to_vega_lite` as an ``altair.Chart`` (needs ``pip install 'salesflow[viz]'``)."""
        return _charts.altair_chart(self.to_vega_lite())

    def _repr_html_(self) -> str:
        rows = [
            (
                stage.value + ("*" if times.ongoing else ""),
                f"{times.count:,}",
                f"{times.ongoing:,}",
                "-" if times.median is None else str(times.median),
                "-" if times.mean is None else str(times.mean),
                str(times.total),
            )
            for stage, times in zip(_STAGES, self.stages, strict=True)
        ]
        slowest = self.slowest
        notes = [] if slowest is None else [f"slowest open stage (by median): {slowest.value}"]
        if any(times.ongoing for times in self.stages):
            notes.append(
                f"* leads still in the stage: their time is counted to {self.now.isoformat()}"
            )
        return html_table(
            kind="lead-stage-times",
            caption=f"Time in lead stage across {self.leads:,} leads at {self.now.isoformat()}",
            header=("stage", "leads", "open", "median", "mean", "total"),
            rows=rows,
            notes=notes,
        )

    def __repr__(self) -> str:
        slowest = self.slowest
        name = "none" if slowest is None else slowest.value
        return (
            f"<LeadStageTimes {self.leads:,} leads at {self.now.isoformat()}, slowest open "
            f"stage: {name}>"
        )


def time_in_lead_stages(
    leads: Any,
    *,
    now: datetime,
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> LeadStageTimes:
    """Time in each lead stage across leads: a :class:`~salesflow.metrics.Durations` per stage, at ``now``.

    time in stage(lead)  = the lead's time in the stage over all its visits,
                           elapsed between its stage changes as UTC instants
                           (an open visit up to ``now``), as :meth:`Lead.time_in_stages`
    total                = sum over the leads that were in the stage
    mean                 = total / leads that were in the stage
    median               = median of the per-lead times

    A lead still in a stage counts up to ``now`` and is counted in the
    stage's ``ongoing``: its time will grow. The result's ``slowest`` is the
    open stage where leads stall longest. Leads come as the lead metrics take
    them, each once; a lead record is refused (it has no stage history).

    Refuses a naive ``now``, a ``now`` before a lead's latest change, and
    anything that is not a lead or a valid history, naming it. No leads give
    an empty table, or :class:`UndefinedMetric` with ``on_empty="raise"``.

    ``leads`` may be a table of stage changes instead (pandas, polars,
    pyarrow, DuckDB, Spark, ...; the ``frames`` extra), as exported from an
    event store: one row per change, ``lead_id``, ``stage`` (the stage
    entered) and ``at``, the creation included as an ``awareness`` row, and
    optionally ``version`` (the event's version, which orders changes at the
    same instant; without it such ties are refused). The visits are summed
    inside the engine and only their totals leave it, so the result is the
    same :class:`LeadStageTimes`. The table is checked as a replayed history
    is, on what it carries: each lead starts at awareness, every move is one
    the stage graph allows (a reactivation returns to the stage the lead was
    lost from), times do not go back, and ``now`` is not before a change. A
    fast track to decision needs the lead qualified, which the table does
    not say: it is taken as recorded. ``columns`` maps these names to the
    table's; ``naive_zone`` is the zone a naive ``at`` column was written in.

    >>> from datetime import datetime, timedelta, timezone
    >>> from salesflow.leads import Lead, LeadSource
    >>> t = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    >>> ada = Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=t).lead
    >>> ada = ada.advance(at=t + timedelta(days=2)).lead
    >>> bob = Lead.create(lead_id="L-2", source=LeadSource.INBOUND, at=t).lead
    >>> times = time_in_lead_stages([ada, bob], now=t + timedelta(days=6))
    >>> awareness = times["awareness"]
    >>> awareness.count, awareness.ongoing, awareness.median, awareness.mean_days.value
    (2, 1, datetime.timedelta(days=4), Decimal('4'))
    """
    moment = _zones.utc(_check.aware("now", now))
    check_on_empty(on_empty)
    if table(leads):
        stays = framed_stays(
            leads, LEAD_HISTORY, now=moment, period=None, columns=columns, naive_zone=naive_zone
        )
        if on_empty == "raise" and not stays.count:
            raise UndefinedMetric("time in lead stages", "leads")
        return LeadStageTimes(
            now=moment,
            leads=stays.count,
            stages=tuple(
                _stage_durations(stage, stays.spans[stage.value], stays.ongoing[stage.value])
                for stage in LeadStage
            ),
        )
    rows_only({"columns": columns, "naive_zone": naive_zone})
    rows = lead_rows(leads, history="time in stage needs the stage history")
    spent: dict[LeadStage, list[timedelta]] = {stage: [] for stage in LeadStage}
    still: dict[LeadStage, int] = dict.fromkeys(LeadStage, 0)
    for row in rows:
        lead = row.lead
        assert lead is not None  # a history is required
        if _zones.utc(lead.updated_at) > moment:
            raise InvalidField(
                "now",
                now,
                f"a time on or after every lead's latest change "
                f"(lead {lead.id!r} changed at {lead.updated_at.isoformat()})",
            )
        for stage, times in lead.time_in_stages(moment).items():
            spent[stage].append(times.total)
        still[lead.stage] += 1
    if on_empty == "raise" and not rows:
        raise UndefinedMetric("time in lead stages", "leads")
    return LeadStageTimes(
        now=moment,
        leads=len(rows),
        stages=tuple(_stage_durations(stage, spent[stage], still[stage]) for stage in LeadStage),
    )


# -- lead conversion --------------------------------------------------------------------------


@attrs.frozen
class _Shares:
    """How one variant of lead conversion is named (private): its texts and input names."""

    metric: str
    variant: str  # with ``{leads}`` standing for the leads counted and when they were created
    formula: str
    counted: str
    reached: str


_VARIANTS: Final = {
    "leads": _Shares("lead conversion rate", "{leads}", "won leads / leads", "leads", "won leads"),
    "qualified": _Shares(
        "lead conversion rate",
        "{leads}",
        "won qualified leads / qualified leads",
        "qualified leads",
        "won qualified leads",
    ),
    "demo_after_intro_call": _Shares(
        "share asking for a demo after an intro call",
        "a demo after the first intro call{created}",
        "leads with a demo after an intro call / leads with an intro call",
        "leads with an intro call",
        "demo after the intro call",
    ),
    "lost_after_demo": _Shares(
        "share lost after a demo",
        "lost after the first demo{created}",
        "leads with a demo that were later lost / leads with a demo",
        "leads with a demo",
        "lost after a demo",
    ),
}


def lead_conversion_rate(
    leads: Any,
    *,
    variant: LeadVariant = "leads",
    period: Period | None = None,
    now: datetime | None = None,
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> Ratio:
    """Lead conversion: how many leads went on to the next mark, by ``variant``.

    - ``"leads"`` (the default): won leads / leads;
    - ``"qualified"``: won qualified leads / qualified leads, a lead counting
      as qualified once it was ever qualified (records carry ``qualified``);
    - ``"demo_after_intro_call"``: leads with a demo after their first intro
      call / leads with an intro call (a demo before any intro call does not
      count; records carry ``intro_call`` and ``demo_after_intro_call``);
    - ``"lost_after_demo"``: leads lost (``lose`` or ``disqualify``) after
      their first demo / leads with a demo; a lead reactivated since still
      counts, a lead lost before any demo does not (records carry ``demo``
      and ``lost_after_demo``).

    With ``period``, only leads *created* in it count (won then or later);
    with ``now`` too, a period not over at ``now`` is flagged (see
    docs/metrics.md). No lead in the denominator gives an undefined ratio,
    or :class:`UndefinedMetric` with ``on_empty="raise"``.

    ``leads`` may be a table of lead records instead (pandas, polars,
    pyarrow, DuckDB, Spark, ...; the ``frames`` extra): its columns are the
    record keys (``won_at`` empty when not won; ``created_at`` read with a
    ``period`` or ``now``; a missing flag column is False, as a missing
    key), the counts are taken inside the engine, and the result is the
    same :class:`Ratio`. A row is refused as a record would be, naming the
    column (``leads['won_at']``). ``columns`` maps the record keys to the
    table's column names; ``naive_zone`` is the zone naive time columns
    were written in.

    >>> leads = [{"won_at": None, "qualified": True}, {"won_at": None, "qualified": False},
    ...          {"won_at": "2026-03-05T10:00:00+00:00", "qualified": True}]
    >>> lead_conversion_rate(leads).percent(), lead_conversion_rate(leads, variant="qualified").percent()
    ('33.3%', '50.0%')
    """
    if not isinstance(variant, str) or variant not in _VARIANTS:
        raise InvalidField("variant", variant, f"one of {', '.join(map(repr, _VARIANTS))}")
    shares = _VARIANTS[variant]
    scope = period_argument(period)
    moment = optional_now(now)
    on_empty = check_on_empty(on_empty)
    if table(leads):
        counted, reached = framed_conversion(
            leads,
            variant=variant,
            period=scope,
            now=moment,
            columns=columns,
            naive_zone=naive_zone,
        )
    else:
        rows_only({"columns": columns, "naive_zone": naive_zone})
        counted, reached = _conversions(leads, variant, scope, moment)
    text = shares.variant.format(
        leads=scope_label(scope, f"{shares.counted} created"),
        created="" if scope is None else f", leads created in {scope.label}",
    )
    result = Ratio(
        shares.metric,
        reached,
        counted,
        variant=text,
        formula=shares.formula,
        inputs=((shares.counted, counted), (shares.reached, reached)),
        denominator_name=shares.counted,
        unfinished=unfinished(scope, moment),
    )
    return settle(result, on_empty)


def _conversions(
    leads: Iterable[Any], variant: str, scope: Period | None, now: datetime | None
) -> tuple[int, int]:
    """``(leads with the mark, those of them that went on)`` for lead conversion ``variant``."""
    counted = reached = 0
    for row in lead_rows(
        leads,
        created=scope is not None,
        qualified=variant == "qualified",
        journey=variant in ("demo_after_intro_call", "lost_after_demo"),
        now=now,
    ):
        if scope is not None and not scope.contains(row.created_at):  # type: ignore[arg-type]
            continue
        if variant == "demo_after_intro_call":
            mark, went_on = row.intro_call, row.demo_after_intro_call
        elif variant == "lost_after_demo":
            mark, went_on = row.demo, row.lost_after_demo
        else:
            mark, went_on = row.qualified or variant == "leads", row.won_at is not None
        counted += mark
        reached += mark and went_on
    return counted, reached
