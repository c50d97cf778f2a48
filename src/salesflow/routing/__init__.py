"""Routing: who in the sales department owns a lead, under four sales models.

See docs/routing.md.
"""

from salesflow.routing.assignment import assign
from salesflow.routing.deadlines import reassign_overdue
from salesflow.routing.dispatcher import Dispatcher
from salesflow.routing.handoffs import (
    HANDOFF_EVENTS,
    OWNERSHIP_SCHEMA,
    Handoff,
    HandoffAccepted,
    HandoffExpired,
    HandoffLifecycle,
    HandoffRejected,
    HandoffStatus,
    HandoffSubmitted,
    HandoffWithdrawn,
    OwnerAssigned,
    Ownership,
    OwnershipEvent,
    OwnershipOutcome,
    RejectReason,
    allowed_handoff_events,
    needs_handoff,
    next_handoff_status,
    ownership_event_from_dict,
    ownership_event_to_dict,
)
from salesflow.routing.hours import Shift, WorkingHours
from salesflow.routing.ledger import AssignmentLedger
from salesflow.routing.models import Role, SalesModel
from salesflow.routing.people import Absence, Person, Team
from salesflow.routing.recommender import BusinessProfile, Recommendation, recommend_model
from salesflow.routing.reroute import RoleTransfer, reroute
from salesflow.routing.simulator import (
    DEFAULT_START,
    BreachTally,
    HandoffTally,
    LeadStream,
    Outcomes,
    PersonLoad,
    ShopProfile,
    SimulationReport,
    StreamLead,
    compare_models,
    default_team,
    format_comparison,
    simulate,
)
from salesflow.routing.strategies import LeastLoaded, RoundRobin, Rules, Sticky, Weighted

__all__ = [
    "DEFAULT_START",
    "HANDOFF_EVENTS",
    "OWNERSHIP_SCHEMA",
    "Absence",
    "AssignmentLedger",
    "BreachTally",
    "BusinessProfile",
    "Dispatcher",
    "Handoff",
    "HandoffAccepted",
    "HandoffExpired",
    "HandoffLifecycle",
    "HandoffRejected",
    "HandoffStatus",
    "HandoffSubmitted",
    "HandoffTally",
    "HandoffWithdrawn",
    "LeadStream",
    "LeastLoaded",
    "Outcomes",
    "OwnerAssigned",
    "Ownership",
    "OwnershipEvent",
    "OwnershipOutcome",
    "Person",
    "PersonLoad",
    "Recommendation",
    "RejectReason",
    "Role",
    "RoleTransfer",
    "RoundRobin",
    "Rules",
    "SalesModel",
    "Shift",
    "ShopProfile",
    "SimulationReport",
    "Sticky",
    "StreamLead",
    "Team",
    "Weighted",
    "WorkingHours",
    "allowed_handoff_events",
    "assign",
    "compare_models",
    "default_team",
    "format_comparison",
    "needs_handoff",
    "next_handoff_status",
    "ownership_event_from_dict",
    "ownership_event_to_dict",
    "reassign_overdue",
    "recommend_model",
    "reroute",
    "simulate",
]
