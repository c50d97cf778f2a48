"""Routing: who in the sales department owns a lead, under four sales models.

See docs/routing.md.
"""

from salesflow.routing.assignment import assign
from salesflow.routing.deadlines import reassign_overdue
from salesflow.routing.dispatcher import Dispatcher
from salesflow.routing.events import RejectReason, event_from_dict
from salesflow.routing.hours import Shift, WorkingHours
from salesflow.routing.ledger import AssignmentLedger
from salesflow.routing.lifecycle import HandoffLifecycle, HandoffStatus, allowed_events
from salesflow.routing.models import Role, SalesModel
from salesflow.routing.ownership import Ownership, needs_handoff
from salesflow.routing.people import Absence, Person, Team
from salesflow.routing.profile import ShopProfile
from salesflow.routing.recommender import recommend_model
from salesflow.routing.reroute import RoleTransfer, reroute
from salesflow.routing.simulation import compare_models, simulate
from salesflow.routing.strategies import LeastLoaded, RoundRobin, Rules, Sticky, Weighted

__all__ = [
    "Absence",
    "AssignmentLedger",
    "Dispatcher",
    "HandoffLifecycle",
    "HandoffStatus",
    "LeastLoaded",
    "Ownership",
    "Person",
    "RejectReason",
    "Role",
    "RoleTransfer",
    "RoundRobin",
    "Rules",
    "SalesModel",
    "Shift",
    "ShopProfile",
    "Sticky",
    "Team",
    "Weighted",
    "WorkingHours",
    "allowed_events",
    "assign",
    "compare_models",
    "event_from_dict",
    "needs_handoff",
    "reassign_overdue",
    "recommend_model",
    "reroute",
    "simulate",
]
