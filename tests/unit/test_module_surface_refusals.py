"""Names importable from their public module refuse bad input like the package's names.

Found when the bad-input suite (tests/fuzz) widened to every public module's
``__all__``: these callables let a bare AttributeError or TypeError escape, or a
shared constant could be changed by a caller.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime

import pytest

import salesflow
from helpers import placed
from salesflow import InvalidField, InvalidType
from salesflow.leads import lifecycle as lead_lifecycle
from salesflow.orders import lifecycle as order_lifecycle
from salesflow.orders.order import OrderOutcome
from salesflow.routing import LeastLoaded, Person, Role, Team
from salesflow.routing import lifecycle as handoff_lifecycle
from salesflow.routing.dispatcher import Decisions, Dispatcher

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
PUBLIC_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(salesflow.__path__, "salesflow.")
    if not any(part.startswith("_") for part in info.name.split("."))
)


def _dispatcher_with_two_decisions() -> tuple[Dispatcher, Decisions]:
    dispatcher = Dispatcher(Team([Person("ana", Role.CLOSER)]), LeastLoaded())
    decisions = dispatcher.assign_many([("L-1", Role.CLOSER, NOW), ("L-2", "closer", NOW)])
    return dispatcher, decisions


def test_an_order_outcome_of_something_not_an_order_is_refused_naming_order():
    event = placed().history[-1]

    with pytest.raises(InvalidType, match=r"order: got None"):
        OrderOutcome.of(None, event)


def test_an_order_outcome_of_something_not_an_order_event_is_refused_naming_event():
    order = placed()

    with pytest.raises(InvalidType, match=r"event: got .delay."):
        OrderOutcome.of(order, "delay")


def test_an_order_outcome_of_a_real_event_carries_its_notification():
    order = placed()

    outcome = OrderOutcome.of(order, order.history[-1], repeated=True)

    assert outcome.order is order
    assert outcome.repeated is True
    assert outcome.notification is not None


def test_decisions_over_something_not_a_dispatcher_are_refused_naming_dispatcher():
    with pytest.raises(InvalidType, match=r"dispatcher: got None"):
        Decisions(None, 0, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "stop", "named"),
    [
        ("0", 1, "start"),
        (-1, 1, "start"),
        (3, 3, "start"),
        (0, None, "stop"),
        (1, 0, "stop"),
        (0, 3, "stop"),
    ],
)
def test_decisions_out_of_the_dispatchers_range_are_refused_naming_the_bound(start, stop, named):
    dispatcher, _ = _dispatcher_with_two_decisions()

    with pytest.raises((InvalidType, InvalidField), match=rf"^{named}: got"):
        Decisions(dispatcher, start, stop)


def test_decisions_rebuilt_from_their_bounds_read_the_same_decisions():
    dispatcher, decisions = _dispatcher_with_two_decisions()

    again = Decisions(dispatcher, 0, 2)

    assert list(again) == list(decisions)


@pytest.mark.parametrize("module", [order_lifecycle, lead_lifecycle, handoff_lifecycle])
def test_a_compiled_transition_table_cannot_be_changed_by_a_caller(module):
    table = module.TRANSITIONS
    key = next(iter(table.table))

    with pytest.raises(AttributeError):
        table.table = {}
    with pytest.raises(AttributeError):
        del table.events
    with pytest.raises(TypeError):
        table.table[key] = {}
    with pytest.raises(TypeError):
        table.table[key]["cancel"] = None
    assert table.allowed(key) == frozenset(table.table[key])


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_module_names_what_it_exports_and_each_name_exists(module_name):
    module = importlib.import_module(module_name)

    assert hasattr(module, "__all__"), f"{module_name} has no __all__"
    assert len(set(module.__all__)) == len(module.__all__)
    assert all(hasattr(module, name) for name in module.__all__)
    assert not [name for name in module.__all__ if name.startswith("_")]
    assert list(module.__all__) == sorted(module.__all__, key=lambda n: (not n.isupper(), n))


@pytest.mark.parametrize(
    ("module_name", "names"),
    [
        (
            "salesflow.routing.models",
            ["owner", "owner_of", "ownership_table", "model_diagram", "AFTER_SALE"],
        ),
        ("salesflow.routing.strategies", ["Rule", "Strategy"]),
        ("salesflow.routing.ledger", ["LedgerEntry", "RoleTurns", "SCHEMA"]),
        (
            "salesflow.routing.assignment",
            ["Decision", "Assignment", "AssignmentReason", "AssignmentVerdict"],
        ),
        ("salesflow.routing.dispatcher", ["Decisions"]),
        ("salesflow.routing.deadlines", ["WaitingLead", "Reassignment", "DeadlineResult"]),
        ("salesflow.routing.reroute", ["RerouteReport", "Routed", "RoleTransferApplied"]),
        ("salesflow.routing.hours", ["END_OF_TIME", "MAX_SPAN"]),
        ("salesflow.orders.lifecycle", ["TRANSITIONS", "key"]),
        ("salesflow.routing.lifecycle", ["TRANSITIONS", "key"]),
        ("salesflow.leads.stage", ["FUNNEL", "JOURNEY", "OPEN_STAGES", "TEAM_PHASES"]),
    ],
)
def test_a_name_documented_as_importable_from_its_module_is_in_its_all(module_name, names):
    module = importlib.import_module(module_name)

    assert set(names) <= set(module.__all__)
