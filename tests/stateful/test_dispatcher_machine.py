"""Random assignments, releases, team changes and refused calls against a Dispatcher,
beside the pure assign() on an AssignmentLedger as the reference: every decision (with its
reasons) and the ledger agree after every step, and a refused call changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from salesflow import SalesflowError
from salesflow.routing import (
    Absence,
    AssignmentLedger,
    Dispatcher,
    LeastLoaded,
    Person,
    Role,
    RoundRobin,
    Sticky,
    Team,
    Weighted,
    WorkingHours,
    assign,
)

T0 = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # the night Berlin's clocks go back
BERLIN = ZoneInfo("Europe/Berlin")
NAMES = ["ana", "ben", "cy", "dee"]
STRATEGIES = [
    LeastLoaded(),
    LeastLoaded(pace=None),
    RoundRobin(),
    Weighted(),
    Sticky(LeastLoaded()),
]


def make_team(away: frozenset[str], capacity: int | None) -> Team:
    absence = Absence(T0 - timedelta(days=1), T0 + timedelta(hours=5), reason="leave")
    return Team(
        [
            Person(
                name,
                Role.CLOSER if index < 3 else Role.QUALIFIER,
                capacity=capacity if name == "ana" else None,
                weight=index + 1,
                absences=[absence] if name in away else [],
                hours=WorkingHours.office(
                    "Europe/Berlin", days=range(7), start="00:00", end="20:00"
                )
                if name == "cy"
                else None,
            )
            for index, name in enumerate(NAMES)
        ]
    )


# Calls that must be refused, each with nothing changed afterwards.
BAD_CALLS = [
    ("assign", ("L-x", Role.CLOSER), {"at": datetime.min.replace(tzinfo=UTC)}),
    ("assign", ("L-x", Role.CLOSER), {"at": datetime.max.replace(tzinfo=UTC)}),
    ("assign", ("L-x", Role.CLOSER), {"at": datetime(2026, 10, 25, 9)}),  # naive
    ("assign", ("L-x", "cashier"), {"at": T0}),
    ("assign", ("", Role.CLOSER), {"at": T0}),
    ("assign", (["L-x"], Role.CLOSER), {"at": T0}),
    ("assign", ("L-x", Role.CLOSER), {"at": T0, "exclude": [{"ana"}]}),
    ("assign", ("L-x", Role.CLOSER), {"at": T0, "exclude": "ana"}),
    ("assign", ("L-x", Role.CLOSER), {"at": T0, "attributes": 7}),
    ("assign", ("L-x", Role.CLOSER), {"at": T0, "account_owner": ""}),
    ("release", ("nobody",), {}),
    ("release", ([],), {}),
    ("credit_back", ({},), {}),
    ("replace_team", (None,), {}),
    ("explain", (None,), {}),
    (
        "assign_many",
        ([("L-y", Role.CLOSER, T0), ("L-z", Role.CLOSER, datetime.min.replace(tzinfo=UTC))],),
        {},
    ),
]


class DispatcherMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.strategy = STRATEGIES[0]
        self.dispatcher: Dispatcher | None = None
        self.clock = T0
        self.count = 0

    @precondition(lambda self: self.dispatcher is None)
    @rule(strategy=st.sampled_from(STRATEGIES), capacity=st.sampled_from([None, 1, 2]))
    def start(self, strategy, capacity) -> None:
        self.strategy = strategy
        self.team = make_team(frozenset({"ben"}), capacity)
        self.ledger = AssignmentLedger()
        self.dispatcher = Dispatcher(self.team, strategy)

    def _snapshot(self):
        d = self.dispatcher
        assert d is not None
        return d.ledger.to_dict(), d.team, d.strategy

    @precondition(lambda self: self.dispatcher is not None)
    @rule(minutes=st.integers(0, 240))
    def time_passes(self, minutes: int) -> None:
        self.clock += timedelta(minutes=minutes)

    @precondition(lambda self: self.dispatcher is not None)
    @rule(
        role=st.sampled_from([Role.CLOSER, Role.QUALIFIER]),
        in_berlin=st.booleans(),
        owner=st.sampled_from([None, "ben", "cy"]),
        exclude=st.sampled_from([(), ("ana",), ("ana", "cy")]),
    )
    def assign_one(self, role, in_berlin, owner, exclude) -> None:
        assert self.dispatcher is not None
        self.count += 1
        lead = f"L-{self.count}"
        at = self.clock.astimezone(BERLIN) if in_berlin else self.clock

        expected = assign(
            lead,
            role,
            at=at,
            team=self.team,
            ledger=self.ledger,
            strategy=self.strategy,
            account_owner=owner,
            exclude=exclude,
        )
        decision = self.dispatcher.assign(lead, role, at=at, account_owner=owner, exclude=exclude)

        assert decision.person == expected.decision.person
        assert decision.reasons == expected.decision.reasons
        self.ledger = expected.ledger

    @precondition(lambda self: self.dispatcher is not None)
    @rule(person=st.sampled_from(NAMES), credit=st.booleans())
    def release(self, person: str, credit: bool) -> None:
        assert self.dispatcher is not None
        method = "credit_back" if credit else "release"
        try:
            self.ledger = getattr(self.ledger, method)(person)
        except SalesflowError:
            before = self._snapshot()
            try:
                getattr(self.dispatcher, method)(person)
            except SalesflowError:
                pass
            else:
                raise AssertionError(f"{method}({person!r}) should be refused") from None
            assert self._snapshot() == before
        else:
            getattr(self.dispatcher, method)(person)

    @precondition(lambda self: self.dispatcher is not None)
    @rule(away=st.frozensets(st.sampled_from(NAMES)), capacity=st.sampled_from([None, 1, 2]))
    def change_the_team(self, away, capacity) -> None:
        assert self.dispatcher is not None
        self.team = make_team(away, capacity)
        self.dispatcher.replace_team(self.team)

    @precondition(lambda self: self.dispatcher is not None)
    @rule(call=st.sampled_from(BAD_CALLS))
    def a_refused_call_changes_nothing(self, call) -> None:
        assert self.dispatcher is not None
        name, args, kwargs = call
        before = self._snapshot()

        try:
            getattr(self.dispatcher, name)(*args, **kwargs)
        except SalesflowError:
            pass
        else:
            raise AssertionError(f"{name}{args} {kwargs} should be refused")

        assert self._snapshot() == before

    @invariant()
    def the_ledger_is_the_reference_ledger(self) -> None:
        if self.dispatcher is not None:
            assert self.dispatcher.ledger == self.ledger


DispatcherMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None
)
TestDispatcherMachine = DispatcherMachine.TestCase


def test_after_a_refused_assignment_the_next_one_is_as_if_it_never_happened():
    team = Team([Person(name, Role.QUALIFIER) for name in ("ana", "ben", "cy")])
    at = datetime(2026, 11, 25, 10, tzinfo=UTC)
    clean, refused = Dispatcher(team, LeastLoaded()), Dispatcher(team, LeastLoaded())
    clean.assign("L-0", Role.QUALIFIER, at=at)
    refused.assign("L-0", Role.QUALIFIER, at=at)

    try:
        refused.assign("L-1", Role.QUALIFIER, at=datetime.min.replace(tzinfo=UTC))
    except SalesflowError:
        pass
    else:
        raise AssertionError("an assignment at datetime.min should be refused")
    expected = clean.assign("L-1", Role.QUALIFIER, at=at)
    decision = refused.assign("L-1", Role.QUALIFIER, at=at)

    assert decision.person == expected.person
    assert decision.explain() == expected.explain()
    assert refused.ledger == clean.ledger
