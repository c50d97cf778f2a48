"""Lead stages: one canonical graph, and three views over it (see docs/leads.md).

>>> from salesflow.leads import LeadStage
>>> LeadStage.CUSTOMER.funnel_step, LeadStage.INTEREST.journey_stage, LeadStage.DECISION.team_phase
(<FunnelStep.ACTION: 'action'>, <JourneyStage.CONSIDERATION: 'consideration'>, <TeamPhase.SALES: 'sales'>)
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "FUNNEL",
    "JOURNEY",
    "OPEN_STAGES",
    "TEAM_PHASES",
    "FunnelStep",
    "JourneyStage",
    "LeadStage",
    "TeamPhase",
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

    @property
    def funnel_step(self) -> FunnelStep | None:
        """The marketing funnel's step for this stage (None for lost: it left the funnel)."""
        return FUNNEL[self]

    @property
    def journey_stage(self) -> JourneyStage | None:
        """The buyer's-journey stage (None once bought or lost: the journey ended)."""
        return JOURNEY[self]

    @property
    def team_phase(self) -> TeamPhase | None:
        """The phase of the sales department that works this stage (None for lost)."""
        return TEAM_PHASES[self]


OPEN_STAGES: Final = frozenset(
    {LeadStage.AWARENESS, LeadStage.INTEREST, LeadStage.CONSIDERATION, LeadStage.DECISION}
)
"""The stages still worked towards a first sale, in any order (internal)."""


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

# The three views, each total over the stages (read through the LeadStage properties).
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
