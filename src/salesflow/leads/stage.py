"""Lead stages: one canonical graph, and three views over it.

The canonical stages are what a lead *is*; the views are how different people
talk about it: marketing's funnel, the buyer's journey, and the phases that
organise a sales department. Each view is a total mapping over the stages.

>>> from salesflow.leads import LeadStage, funnel_step, journey_stage, team_phase
>>> funnel_step(LeadStage.CUSTOMER), journey_stage(LeadStage.INTEREST), team_phase(LeadStage.DECISION)
(<FunnelStep.ACTION: 'action'>, <JourneyStage.CONSIDERATION: 'consideration'>, <TeamPhase.SALES: 'sales'>)
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final

from salesflow.errors import InvalidField

__all__ = [
    "FUNNEL",
    "JOURNEY",
    "OPEN_STAGES",
    "TEAM_PHASES",
    "FunnelStep",
    "JourneyStage",
    "LeadStage",
    "TeamPhase",
    "funnel_step",
    "journey_stage",
    "team_phase",
]


class LeadStage(StrEnum):
    """Where a lead is, from first contact to loyal customer (or lost)."""

    AWARENESS = "awareness"
    INTEREST = "interest"
    CONSIDERATION = "consideration"
    DECISION = "decision"
    CUSTOMER = "customer"
    RETAINED = "retained"
    LOST = "lost"

    @property
    def is_open(self) -> bool:
        """Still being worked towards a first sale (lost is reachable from here)."""
        return self in OPEN_STAGES


OPEN_STAGES: Final = frozenset(
    {LeadStage.AWARENESS, LeadStage.INTEREST, LeadStage.CONSIDERATION, LeadStage.DECISION}
)


class FunnelStep(StrEnum):
    """The marketing funnel: awareness, interest, consideration, decision, action, retention."""

    AWARENESS = "awareness"
    INTEREST = "interest"
    CONSIDERATION = "consideration"
    DECISION = "decision"
    ACTION = "action"
    RETENTION = "retention"


class JourneyStage(StrEnum):
    """The buyer's journey: what the buyer is doing before they buy."""

    AWARENESS = "awareness"
    CONSIDERATION = "consideration"
    DECISION = "decision"


class TeamPhase(StrEnum):
    """Which part of a sales department a stage belongs to."""

    PRE_SALES = "pre_sales"
    SALES = "sales"
    AFTER_SALES = "after_sales"


_S = LeadStage

FUNNEL: Final[MappingProxyType[LeadStage, FunnelStep | None]] = MappingProxyType(
    {
        _S.AWARENESS: FunnelStep.AWARENESS,
        _S.INTEREST: FunnelStep.INTEREST,
        _S.CONSIDERATION: FunnelStep.CONSIDERATION,
        _S.DECISION: FunnelStep.DECISION,
        _S.CUSTOMER: FunnelStep.ACTION,
        _S.RETAINED: FunnelStep.RETENTION,
        _S.LOST: None,
    }
)
"""Funnel step of each stage; a lost lead has left the funnel (None)."""

JOURNEY: Final[MappingProxyType[LeadStage, JourneyStage | None]] = MappingProxyType(
    {
        _S.AWARENESS: JourneyStage.AWARENESS,
        _S.INTEREST: JourneyStage.CONSIDERATION,
        _S.CONSIDERATION: JourneyStage.CONSIDERATION,
        _S.DECISION: JourneyStage.DECISION,
        _S.CUSTOMER: None,
        _S.RETAINED: None,
        _S.LOST: None,
    }
)
"""Buyer's-journey stage of each lead stage; the journey ends at the purchase (None after)."""

TEAM_PHASES: Final[MappingProxyType[LeadStage, TeamPhase | None]] = MappingProxyType(
    {
        _S.AWARENESS: TeamPhase.PRE_SALES,
        _S.INTEREST: TeamPhase.PRE_SALES,
        _S.CONSIDERATION: TeamPhase.SALES,
        _S.DECISION: TeamPhase.SALES,
        _S.CUSTOMER: TeamPhase.AFTER_SALES,
        _S.RETAINED: TeamPhase.AFTER_SALES,
        _S.LOST: None,
    }
)
"""Team phase of each stage; a lost lead belongs to no phase until it is reactivated (None)."""


def _stage(value: LeadStage | str) -> LeadStage:
    try:
        return LeadStage(value)
    except ValueError:
        raise InvalidField(
            "stage", value, f"one of {', '.join(stage.value for stage in LeadStage)}"
        ) from None


def funnel_step(stage: LeadStage | str) -> FunnelStep | None:
    """The funnel step of ``stage`` (None for lost)."""
    return FUNNEL[_stage(stage)]


def journey_stage(stage: LeadStage | str) -> JourneyStage | None:
    """The buyer's-journey stage of ``stage`` (None once bought or lost)."""
    return JOURNEY[_stage(stage)]


def team_phase(stage: LeadStage | str) -> TeamPhase | None:
    """The team phase that works a lead in ``stage`` (None for lost)."""
    return TEAM_PHASES[_stage(stage)]
