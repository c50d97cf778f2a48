"""Routing: who in the sales department owns a lead, under four sales models.

See docs/routing.md.
"""

from salesflow.routing.assignment import (
    LEDGER_SCHEMA,
    Assignment,
    Decision,
    Dispatcher,
    LeastLoaded,
    Ledger,
    Reason,
    RoleTally,
    RoundRobin,
    Rule,
    Rules,
    Sticky,
    Strategy,
    Tally,
    Verdict,
    Weighted,
    assign,
)
from salesflow.routing.deadlines import DeadlineResult, Reassignment, Waiting, reassign_overdue
from salesflow.routing.events import RejectReason, event_from_dict
from salesflow.routing.hours import END_OF_TIME, Shift, WorkingHours
from salesflow.routing.lifecycle import HandoffLifecycle, HandoffStatus, allowed_events
from salesflow.routing.models import (
    AFTER_SALE,
    Role,
    SalesModel,
    model_diagram,
    owner,
    owner_of,
    ownership_table,
)
from salesflow.routing.ownership import Ownership, needs_handoff
from salesflow.routing.people import Absence, Person, Team
from salesflow.routing.profile import ShopProfile
from salesflow.routing.recommender import recommend_model
from salesflow.routing.reroute import Move, MoveApplied, RerouteReport, Routed, reroute
from salesflow.routing.simulation import compare_models, simulate

__all__ = [
    "AFTER_SALE",
    "END_OF_TIME",
    "LEDGER_SCHEMA",
    "Absence",
    "Assignment",
    "DeadlineResult",
    "Decision",
    "Dispatcher",
    "HandoffLifecycle",
    "HandoffStatus",
    "LeastLoaded",
    "Ledger",
    "Move",
    "MoveApplied",
    "Ownership",
    "Person",
    "Reason",
    "Reassignment",
    "RejectReason",
    "RerouteReport",
    "Role",
    "RoleTally",
    "RoundRobin",
    "Routed",
    "Rule",
    "Rules",
    "SalesModel",
    "Shift",
    "ShopProfile",
    "Sticky",
    "Strategy",
    "Tally",
    "Team",
    "Verdict",
    "Waiting",
    "Weighted",
    "WorkingHours",
    "allowed_events",
    "assign",
    "compare_models",
    "event_from_dict",
    "model_diagram",
    "needs_handoff",
    "owner",
    "owner_of",
    "ownership_table",
    "reassign_overdue",
    "recommend_model",
    "reroute",
    "simulate",
]
