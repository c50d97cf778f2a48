"""Random command sequences against Ownership, beside a small reference model of the handoff rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from salesflow import SalesflowError
from salesflow.errors import VersionConflict
from salesflow.routing import Ownership, RejectReason, Role, allowed_events, event_from_dict

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PEOPLE = ["ann", "bob", "cy"]
roles = st.sampled_from(list(Role))
maybe_person = st.sampled_from([None, *PEOPLE])


def snapshot(record: Ownership) -> tuple:
    """Everything a record says about itself: a refused command must leave all of it as it was."""
    return (
        json.dumps(record.to_dict(), sort_keys=True),
        record.version,
        record.updated_at,
        record.role,
        record.person,
        record.pending,
        record.handoffs,
        dict(record.owners),
    )


LATER = datetime(2027, 6, 1, tzinfo=UTC)
BAD_CALLS = [
    ("hand_off", (), {"to_role": "cashier", "at": LATER}),
    ("hand_off", (), {"to_role": Role.CLOSER, "at": datetime(2027, 6, 1)}),  # naive
    ("hand_off", (), {"to_role": Role.CLOSER, "at": LATER, "expires_at": LATER}),
    (
        "hand_off",
        (),
        {"to_role": Role.CLOSER, "at": LATER, "expires_at": LATER - timedelta(hours=1)},
    ),
    ("hand_off", (), {"to_role": Role.CLOSER, "at": LATER, "to_person": ""}),
    ("hand_off", (), {"to_role": Role.CLOSER, "at": datetime.min.replace(tzinfo=UTC)}),
    ("reassign", (), {"person": None, "at": LATER}),
    ("transfer", (), {"role": {}, "at": LATER}),
    ("reject", (), {"reason": "bogus", "at": LATER}),
    ("reject", (), {"reason": RejectReason.OTHER, "at": LATER, "note": None}),
    ("accept", (), {"at": LATER, "person": ""}),
    ("accept", (), {"at": LATER, "expected_version": 0}),
    ("expire", (), {"at": None}),
    ("withdraw", (), {"at": LATER, "note": "", "actor": None}),
]


class OwnershipMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = T0
        self.record = Ownership.start(
            lead_id="L-5", role=Role.QUALIFIER, person="ann", at=T0
        ).ownership
        # The reference model: plain values, written from the rules in the brief.
        self.role, self.person = Role.QUALIFIER, "ann"
        self.pending: dict | None = None
        self.owners: dict[Role, list[str]] = {Role.QUALIFIER: ["ann"]}
        self.seen_owners: dict[Role, tuple[str, ...]] = {}
        self.previous_history = self.record.history

    # -- helpers ------------------------------------------------------------------------

    def _own(self) -> None:
        if self.person is not None:
            spells = self.owners.setdefault(self.role, [])
            if not spells or spells[-1] != self.person:
                spells.append(self.person)

    def _return_to_sender(self) -> None:
        assert self.pending is not None
        self.role, self.person = self.pending["from_role"], self.pending["from_person"]
        self.pending = None

    def _before_deadline(self) -> bool:
        assert self.pending is not None
        deadline = self.pending["expires_at"]
        return deadline is None or self.clock < deadline

    def _expect(self, allowed: bool, command) -> None:
        before = self.record
        if allowed:
            self.record = command().ownership
            return
        try:
            command()
        except SalesflowError:
            pass
        else:
            raise AssertionError("the command should have been refused")
        assert self.record == before
        assert snapshot(self.record) == snapshot(before)

    # -- rules --------------------------------------------------------------------------

    @rule(hours=st.integers(min_value=0, max_value=48))
    def time_passes(self, hours: int) -> None:
        self.clock += timedelta(hours=hours)

    @rule(to_role=roles, to_person=maybe_person, deadline=st.sampled_from([None, 1, 24]))
    def hand_off(self, to_role: Role, to_person: str | None, deadline: int | None) -> None:
        expires_at = None if deadline is None else self.clock + timedelta(hours=deadline)
        allowed = self.pending is None and to_role is not self.role
        self._expect(
            allowed,
            lambda: self.record.hand_off(
                to_role=to_role, at=self.clock, to_person=to_person, expires_at=expires_at
            ),
        )
        if allowed:
            self.pending = {
                "from_role": self.role,
                "from_person": self.person,
                "to_person": to_person,
                "expires_at": expires_at,
            }
            self.role, self.person = to_role, None

    @rule(person=maybe_person)
    def accept(self, person: str | None) -> None:
        allowed = False
        if self.pending is not None and self._before_deadline():
            offered = self.pending["to_person"]
            taker = person or offered
            allowed = taker is not None and (offered is None or taker == offered)
        self._expect(allowed, lambda: self.record.accept(at=self.clock, person=person))
        if allowed:
            self.person = person or self.pending["to_person"]  # type: ignore[index]
            self.pending = None
            self._own()

    @rule(reason=st.sampled_from(list(RejectReason)), note=st.sampled_from([None, "see notes"]))
    def reject(self, reason: RejectReason, note: str | None) -> None:
        allowed = (
            self.pending is not None
            and self._before_deadline()
            and (reason is not RejectReason.OTHER or note is not None)
        )
        self._expect(allowed, lambda: self.record.reject(reason=reason, at=self.clock, note=note))
        if allowed:
            self._return_to_sender()

    @rule()
    def expire(self) -> None:
        allowed = (
            self.pending is not None
            and self.pending["expires_at"] is not None
            and self.clock >= self.pending["expires_at"]
        )
        self._expect(allowed, lambda: self.record.expire(at=self.clock))
        if allowed:
            self._return_to_sender()

    @rule()
    def withdraw(self) -> None:
        allowed = self.pending is not None
        self._expect(allowed, lambda: self.record.withdraw(at=self.clock))
        if allowed:
            self._return_to_sender()

    @rule(person=st.sampled_from(PEOPLE))
    def reassign(self, person: str) -> None:
        allowed = self.pending is None and person != self.person
        self._expect(allowed, lambda: self.record.reassign(person=person, at=self.clock))
        if allowed:
            self.person = person
            self._own()

    @rule(role=roles, person=maybe_person)
    def transfer(self, role: Role, person: str | None) -> None:
        allowed = self.pending is None and role is not self.role
        self._expect(allowed, lambda: self.record.transfer(role=role, at=self.clock, person=person))
        if allowed:
            self.role, self.person = role, person
            self._own()

    @rule(call=st.sampled_from(BAD_CALLS))
    def a_refused_call_changes_nothing(self, call) -> None:
        name, args, kwargs = call
        before = snapshot(self.record)

        try:
            getattr(self.record, name)(*args, **kwargs)
        except SalesflowError:
            pass
        else:
            raise AssertionError(f"{name}{args} {kwargs} should be refused")

        assert snapshot(self.record) == before

    @precondition(lambda self: self.record.version > 1)
    @rule()
    def a_stale_writer_is_refused(self) -> None:
        before = self.record
        try:
            self.record.withdraw(at=self.clock, expected_version=self.record.version - 1)
        except VersionConflict:
            pass
        else:
            raise AssertionError("a stale expected_version should be refused")
        assert self.record == before

    # -- invariants ---------------------------------------------------------------------

    @invariant()
    def role_person_and_pending_match_the_model(self) -> None:
        assert (self.record.role, self.record.person) == (self.role, self.person)
        assert (self.record.pending is None) == (self.pending is None)
        if self.pending is not None:
            assert self.record.pending.from_role is self.pending["from_role"]
            assert self.record.pending.from_person == self.pending["from_person"]

    @invariant()
    def owners_per_role_match_the_model_and_only_grow(self) -> None:
        owners = dict(self.record.owners)
        assert owners == {role: tuple(spells) for role, spells in self.owners.items()}
        for role, spells in self.seen_owners.items():
            assert owners[role][: len(spells)] == spells
        self.seen_owners = owners
        for role in Role:
            assert self.record.credited(role) == (owners[role][-1] if role in owners else None)

    @invariant()
    def at_most_the_last_handoff_is_open(self) -> None:
        statuses = [handoff.status.is_final for handoff in self.record.handoffs]
        assert all(statuses[:-1])
        assert (statuses[-1:] == [False]) == (self.pending is not None)

    @invariant()
    def the_history_is_append_only(self) -> None:
        assert self.record.history[: len(self.previous_history)] == self.previous_history
        self.previous_history = self.record.history

    @invariant()
    def replay_and_the_serialised_form_round_trip(self) -> None:
        assert Ownership.replay(self.record.history) == self.record
        assert Ownership.from_dict(json.loads(json.dumps(self.record.to_dict()))) == self.record
        for event in self.record.history:
            assert event_from_dict(json.loads(json.dumps(event.to_dict()))) == event

    @invariant()
    def only_a_pending_handoff_allows_handoff_events(self) -> None:
        expected = allowed_events("submitted") if self.pending is not None else frozenset()
        assert self.record.allowed_events == expected
        for handoff in self.record.handoffs:
            assert bool(allowed_events(handoff.status)) == (not handoff.status.is_final)


OwnershipMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=30, deadline=None
)
TestOwnershipMachine = OwnershipMachine.TestCase
