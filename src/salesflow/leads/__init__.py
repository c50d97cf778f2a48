"""Leads: one stage graph with three views (funnel, buyer's journey, team phases).

See docs/leads.md.
"""

from salesflow.leads.lifecycle import LEAD_EVENTS, LeadLifecycle, allowed_lead_events, next_stage
from salesflow.leads.stage import (
    FUNNEL,
    JOURNEY,
    OPEN_STAGES,
    TEAM_PHASES,
    FunnelStep,
    JourneyStage,
    LeadStage,
    TeamPhase,
    funnel_step,
    journey_stage,
    team_phase,
)

__all__ = [
    "FUNNEL",
    "JOURNEY",
    "LEAD_EVENTS",
    "OPEN_STAGES",
    "TEAM_PHASES",
    "FunnelStep",
    "JourneyStage",
    "LeadLifecycle",
    "LeadStage",
    "TeamPhase",
    "allowed_lead_events",
    "funnel_step",
    "journey_stage",
    "next_stage",
    "team_phase",
]
