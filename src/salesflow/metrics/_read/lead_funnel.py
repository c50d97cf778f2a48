"""A lead funnel's input (private): leads with their histories, read into steps reached and losses.

:func:`salesflow.metrics.funnel` reads leads here (docs/metrics.md, "Lead
funnel and where leads drop out"): every item goes through the one lead
reader, so a Lead, its events and its ``to_dict()`` document are taken as
every lead metric takes them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from salesflow import _zones
from salesflow.errors import InvalidField
from salesflow.leads import FunnelStep, Lead, LeadStage, LostReason
from salesflow.leads.events import ActivityLogged, LeadCreated, LeadQualified, LeadStageChanged
from salesflow.metrics._read.fields import renamed
from salesflow.metrics._read.leads import lead_rows

__all__ = [
    "LEAD_STEPS",
    "LeadJourney",
    "lead_counts",
    "lead_item",
    "lead_journeys",
    "lead_positions",
    "leads_given",
    "loss_step",
]

_S = LeadStage
_ORDER: Final = (_S.AWARENESS, _S.INTEREST, _S.CONSIDERATION, _S.DECISION, _S.CUSTOMER, _S.RETAINED)
_POSITION: Final = MappingProxyType({stage: position for position, stage in enumerate(_ORDER)})
# A step of a lead funnel is named by its lead stage or by the funnel view's step.
_NAMES: Final = MappingProxyType(
    {
        **{stage.value: position for position, stage in enumerate(_ORDER)},
        **{
            step.value: _POSITION[stage]
            for stage in _ORDER
            if (step := stage.funnel_step) is not None
        },
    }
)
LEAD_STEPS: Final = tuple(step.value for step in FunnelStep)
"""A lead funnel's default steps: the funnel view of the lead stages, awareness to retention."""

_EVENTS: Final = (LeadCreated, LeadStageChanged, LeadQualified, ActivityLogged)
_HISTORY: Final = "the lead funnel reads each lead's stage history"


def leads_given(rows: Any) -> tuple[bool, Any]:
    """``(whether rows are leads, rows to read)``: the first item decides (:func:`lead_item`).

    A list or tuple is looked into; another iterable is read for its first
    item, which is put back in front. Anything else is left to the reader
    of event records to refuse.
    """
    if isinstance(rows, list | tuple):
        return bool(rows) and lead_item(rows[0]), rows
    if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Iterable):
        return False, rows
    remaining = iter(rows)
    for first in remaining:
        return lead_item(first), itertools.chain((first,), remaining)
    return False, ()


def lead_item(item: Any) -> bool:
    """Whether ``item``, the first of a funnel's input, makes it a lead funnel.

    A Lead, a lead event, a list or tuple (one lead's events), a
    ``lead.to_dict()`` document or a lead event document (a mapping with an
    ``event`` and a ``lead_id`` and no ``step``); an event record has a ``step``.
    """
    if isinstance(item, (Lead, *_EVENTS, list, tuple)):
        return True
    if not isinstance(item, Mapping) or "step" in item:
        return False
    return item.get("schema") == Lead.SCHEMA or ("event" in item and "lead_id" in item)


def lead_positions(names: tuple[str, ...]) -> tuple[int, ...]:
    """The lead stage position of each step (awareness 0 to retained 5), checked.

    A step is a lead stage's value or its funnel step's (``customer`` or
    ``action``, ``retained`` or ``retention``); the steps follow the stages'
    order, each stage once.
    """
    known = "awareness, interest, consideration, decision, customer (or action), retained (or retention)"
    positions: list[int] = []
    for index, name in enumerate(names):
        position = _NAMES.get(name)
        if position is None:
            raise InvalidField(
                f"steps[{index}]", name, f"a stage of the lead funnel, in order: {known}"
            )
        if positions and position <= positions[-1]:
            before = names[index - 1]
            raise InvalidField(
                f"steps[{index}]",
                name,
                f"a stage after {before!r}: a lead funnel's steps follow the stages in order "
                f"({known}), each once",
            )
        positions.append(position)
    return tuple(positions)


class LeadJourney:
    """One lead as the funnel reads it (private): when it first reached each stage, and its loss.

    ``reached[p]`` is when it first reached the stage at position ``p``
    (awareness 0 to retained 5), up to the furthest it reached: a lead that
    jumped ahead (a fast track) reached the stages it skipped at the jump.
    ``loss`` is the loss that stands, None unless the lead is lost now:
    ``(lost_from, reason, lost_at, stay)``, the stage it was lost from (a
    position), its LostReason, when, and its time in that stage from when it
    last entered it to the loss.
    """

    __slots__ = ("loss", "reached")

    def __init__(self, lead: Lead) -> None:
        reached = [_zones.utc(lead.created_at)]
        for event in lead.history[1:]:
            if isinstance(event, LeadStageChanged) and event.to_stage is not _S.LOST:
                position = _POSITION[event.to_stage]
                while len(reached) <= position:
                    reached.append(_zones.utc(event.at))
        self.reached: list[datetime] = reached
        self.loss: tuple[int, LostReason, datetime, timedelta] | None = None
        stage, reason = lead.lost_from, lead.lost_reason
        if lead.stage is _S.LOST and stage is not None and reason is not None:
            entered, left = lead.stage_visits(stage)[-1]
            assert left is not None  # the visit the loss ended
            self.loss = (_POSITION[stage], reason, _zones.utc(left), _zones.elapsed(entered, left))


def lead_journeys(leads: Iterable[Any]) -> list[LeadJourney]:
    """Every lead of ``leads`` (the funnel's ``rows``), read by the one lead reader.

    A lead record (it has no stage history) is refused, and every refusal
    names the item as the caller passed it (``rows[3]``).
    """
    try:
        rows = lead_rows(leads, history=_HISTORY)
    except InvalidField as error:
        if error.field == "leads" or error.field.startswith("leads["):
            raise renamed(error, "rows" + error.field[len("leads") :]) from None
        raise
    journeys: list[LeadJourney] = []
    for row in rows:
        assert row.lead is not None  # a history is required
        journeys.append(LeadJourney(row.lead))
    return journeys


def loss_step(lost_from: int, positions: tuple[int, ...]) -> int:
    """The step a loss counts at: the latest step at or before the stage it was lost from.

    A stage before the first step (a lead that moved back past it) counts at the first.
    """
    step = 0
    for index, position in enumerate(positions):
        if position <= lost_from:
            step = index
    return step


def lead_counts(
    journeys: Iterable[LeadJourney], positions: tuple[int, ...], window: timedelta | None
) -> tuple[list[int], list[list[tuple[LostReason, timedelta]]]]:
    """``(leads reached per step, per step the losses counted there: (reason, stay) each)``.

    A lead enters when it reaches the first step's stage (t0) and reaches
    step k when it reached step k's stage within ``window`` of t0 (the
    reaching moments only grow along the stages, so strict order holds). A
    loss counts when the lead is lost now, entered, and was lost within
    ``window`` of t0, at :func:`loss_step`.
    """
    reached = [0] * len(positions)
    losses: list[list[tuple[LostReason, timedelta]]] = [[] for _ in positions]
    first = positions[0]
    for journey in journeys:
        times = journey.reached
        if len(times) <= first:
            continue  # never reached the first step: not in the funnel
        start = times[first]
        for step, position in enumerate(positions):
            if len(times) <= position or (window is not None and times[position] - start > window):
                break
            reached[step] += 1
        if journey.loss is None:
            continue
        lost_from, reason, lost_at, stay = journey.loss
        if window is None or lost_at - start <= window:
            losses[loss_step(lost_from, positions)].append((reason, stay))
    return reached, losses
