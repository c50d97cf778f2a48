"""Leads: one stage graph with three views (funnel, buyer's journey, team phases).

Events live in :mod:`salesflow.leads.events`. See docs/leads.md.
"""

from salesflow.leads.events import (
    ActivityKind,
    LeadSource,
    LostReason,
    Qualification,
    event_from_dict,
)
from salesflow.leads.facts import ForecastCategory, StageFacts
from salesflow.leads.lead import Lead
from salesflow.leads.lifecycle import LeadLifecycle, allowed_events
from salesflow.leads.replay import replay_stage
from salesflow.leads.stage import FunnelStep, JourneyStage, LeadStage, TeamPhase

__all__ = [
    "ActivityKind",
    "ForecastCategory",
    "FunnelStep",
    "JourneyStage",
    "Lead",
    "LeadLifecycle",
    "LeadSource",
    "LeadStage",
    "LostReason",
    "Qualification",
    "StageFacts",
    "TeamPhase",
    "allowed_events",
    "event_from_dict",
    "replay_stage",
]
