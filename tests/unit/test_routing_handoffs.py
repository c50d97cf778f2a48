"""Handoffs between roles: the lifecycle agrees with its table, and Ownership keeps its rules."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from statemachine.exceptions import TransitionNotAllowed

from helpers import T0, at
from salesflow import InvalidField, InvalidTransition, InvalidType, SalesflowError
from salesflow.errors import IdempotencyConflict, VersionConflict
from salesflow.leads import Lead, LeadSource
from salesflow.routing import (
    HandoffLifecycle,
    HandoffStatus,
    Ownership,
    RejectReason,
    Role,
    SalesModel,
    allowed_events,
    event_from_dict,
    needs_handoff,
)
from salesflow.routing.events import HandoffAccepted, HandoffSubmitted, OwnerAssigned
from salesflow.routing.lifecycle import HANDOFF_EVENTS, TRANSITIONS, key
from salesflow.routing.ownership import SCHEMA

# -- the lifecycle -------------------------------------------------------------------


def _engine(status, event):
    machine = HandoffLifecycle(start_value=status)
    try:
        machine.send(event)
    except TransitionNotAllowed:
        return None
    return machine.current_state_value


@pytest.mark.parametrize("event", [*HANDOFF_EVENTS, "teleport"])
@pytest.mark.parametrize("status", list(HandoffStatus), ids=str)
def test_engine_and_compiled_table_agree_on_every_status_and_event(status, event):
    expected = _engine(status, event)

    try:
        actual = TRANSITIONS.next(key(status), event)
    except (InvalidTransition, InvalidField):  # refused: an illegal move, or no such event
        actual = None

    assert actual == expected


@pytest.mark.parametrize("status", list(HandoffStatus), ids=str)
def test_allowed_events_equal_the_engines_enabled_events(status):
    machine = HandoffLifecycle(start_value=status)

    enabled = {event.id for event in machine.enabled_events()}

    assert allowed_events(status) == enabled


def test_every_outcome_of_a_handoff_is_final():
    finals = [status for status in HandoffStatus if status is not HandoffStatus.SUBMITTED]

    assert all(status.is_final and not allowed_events(status) for status in finals)
    assert allowed_events("submitted") == {"accept", "reject", "expire", "withdraw"}


def test_a_record_allows_handoff_events_only_while_one_is_pending():
    record = offered()

    assert record.allowed_events == {"accept", "reject", "expire", "withdraw"}
    assert started().allowed_events == frozenset()
    assert record.accept(at=at(2)).ownership.allowed_events == frozenset()


def test_the_schema_tag_is_on_the_class_and_in_every_document():
    assert Ownership.SCHEMA == SCHEMA == "salesflow.ownership/1"
    assert started().to_dict()["schema"] == Ownership.SCHEMA


def test_a_refused_handoff_event_names_the_status_and_that_it_is_final():
    with pytest.raises(InvalidTransition) as caught:
        TRANSITIONS.next(key("rejected"), "accept")

    assert (
        str(caught.value) == "Can't accept a handoff that is rejected; allowed: none (it is final)."
    )


def test_unknown_statuses_and_events_that_are_not_names_are_refused():
    with pytest.raises(InvalidField, match="status"):
        TRANSITIONS.next(key("lost"), "accept")
    with pytest.raises(InvalidType, match="event"):
        TRANSITIONS.next(key("submitted"), 3)


# -- building blocks -----------------------------------------------------------------


def started(role=Role.QUALIFIER, person: str | None = "quinn") -> Ownership:
    return Ownership.start(lead_id="L-1", role=role, person=person, at=T0).ownership


def offered(**options) -> Ownership:
    return started().hand_off(to_role=Role.CLOSER, to_person="cleo", at=at(1), **options).ownership


def queued() -> Ownership:
    return started().hand_off(to_role=Role.CLOSER, at=at(1)).ownership


def refused(command) -> SalesflowError:
    with pytest.raises(SalesflowError) as caught:
        command()
    return caught.value


# -- starting and reassigning -------------------------------------------------------


def test_a_started_record_has_its_first_owner_on_the_record():
    record = started()

    assert (record.role, record.person, record.version) == (Role.QUALIFIER, "quinn", 1)
    assert dict(record.owners) == {Role.QUALIFIER: ("quinn",)}
    assert record.pending is None


def test_a_lead_may_start_in_a_roles_queue_and_be_claimed_from_it():
    record = started(person=None)

    claimed = record.reassign(person="quinn", at=at(1)).ownership

    assert record.person is None
    assert record.owners == {}
    assert claimed.person == "quinn"


def test_reassigning_within_the_role_adds_the_new_owner_after_the_old():
    record = started().reassign(person="quentin", at=at(1)).ownership

    assert record.role is Role.QUALIFIER
    assert record.owners[Role.QUALIFIER] == ("quinn", "quentin")


def test_reassigning_to_the_current_owner_is_refused():
    record = started()

    error = refused(lambda: record.reassign(person="quinn", at=at(1)))

    assert isinstance(error, InvalidField)
    assert error.field == "person"


def test_a_transfer_moves_the_lead_to_another_role_without_a_handoff():
    record = (
        started().transfer(role=Role.MANAGER, person="max", at=at(1), note="one-tier now").ownership
    )

    assert (record.role, record.person) == (Role.MANAGER, "max")
    assert record.handoffs == ()
    assert record.history[-1].note == "one-tier now"


def test_a_transfer_to_the_current_role_is_refused_pointing_at_reassign():
    error = refused(lambda: started().transfer(role=Role.QUALIFIER, person="q2", at=at(1)))

    assert isinstance(error, InvalidField)
    assert "reassign" in str(error)


# -- handing off ---------------------------------------------------------------------


def test_a_submitted_handoff_leaves_the_lead_waiting_in_the_receiving_role_without_an_owner():
    record = offered()

    assert (record.role, record.person) == (Role.CLOSER, None)
    assert record.pending.from_role is Role.QUALIFIER
    assert record.pending.to_person == "cleo"
    assert record.handoffs[-1].status is HandoffStatus.SUBMITTED


def test_an_accepted_handoff_makes_the_receiver_the_owner_and_keeps_the_sender_on_record():
    record = offered().accept(at=at(2)).ownership

    assert (record.role, record.person) == (Role.CLOSER, "cleo")
    assert dict(record.owners) == {Role.QUALIFIER: ("quinn",), Role.CLOSER: ("cleo",)}
    assert record.handoffs[-1].status is HandoffStatus.ACCEPTED
    assert record.pending is None


@pytest.mark.parametrize("role", ["closr", None, 3, ["closer"]], ids=repr)
def test_credit_for_something_that_is_not_a_role_is_refused_naming_role(role):
    record = offered().accept(at=at(2)).ownership

    error = refused(lambda: record.credited(role))

    assert isinstance(error, InvalidField)
    assert error.field == "role"


def test_a_command_leaves_the_owners_of_the_record_it_came_from_as_they_were():
    record = offered()

    record.accept(at=at(2))

    assert dict(record.owners) == {Role.QUALIFIER: ("quinn",)}
    assert record.credited(Role.CLOSER) is None


def test_the_closer_keeps_credit_after_the_account_manager_takes_over():
    record = offered().accept(at=at(2)).ownership
    record = record.hand_off(to_role=Role.ACCOUNT_MANAGER, to_person="ava", at=at(3)).ownership
    record = record.accept(at=at(4)).ownership

    assert record.person == "ava"
    assert record.credited(Role.CLOSER) == "cleo"
    assert record.credited("qualifier") == "quinn"
    assert record.credited(Role.MANAGER) is None


@pytest.mark.parametrize(
    ("settle", "status"),
    [("reject", HandoffStatus.REJECTED), ("withdraw", HandoffStatus.WITHDRAWN)],
)
def test_a_rejected_or_withdrawn_handoff_returns_the_lead_to_the_sender(settle, status):
    record = offered()

    if settle == "reject":
        back = record.reject(reason=RejectReason.NOT_QUALIFIED, at=at(2)).ownership
    else:
        back = record.withdraw(at=at(2)).ownership

    assert (back.role, back.person) == (Role.QUALIFIER, "quinn")
    assert back.pending is None
    assert back.handoffs[-1].status is status
    assert dict(back.owners) == {Role.QUALIFIER: ("quinn",)}


def test_a_rejection_carries_its_structured_reason_and_note():
    back = (
        offered().reject(reason="missing_information", note="no phone number", at=at(2)).ownership
    )

    closing = back.handoffs[-1].closed_by
    assert (closing.reason, closing.note) == (RejectReason.MISSING_INFORMATION, "no phone number")


def test_a_rejection_for_another_reason_needs_a_note():
    record = offered()

    error = refused(lambda: record.reject(reason=RejectReason.OTHER, at=at(2)))

    assert isinstance(error, InvalidField)
    assert error.field == "note"


def test_an_unknown_reject_reason_is_refused_naming_the_choices():
    error = refused(lambda: offered().reject(reason="too_busy", at=at(2)))

    assert isinstance(error, InvalidField)
    assert "not_qualified" in str(error)


def test_a_handoff_to_a_queue_needs_someone_to_accept_it():
    record = queued()

    error = refused(lambda: record.accept(at=at(2)))
    accepted = record.accept(person="carl", at=at(2)).ownership

    assert isinstance(error, InvalidField)
    assert "closer queue" in str(error)
    assert accepted.person == "carl"


def test_a_handoff_offered_to_one_person_is_not_accepted_by_another():
    error = refused(lambda: offered().accept(person="carl", at=at(2)))

    assert isinstance(error, InvalidField)
    assert error.field == "person"


def test_a_handoff_from_a_queue_returns_to_that_queue_when_rejected():
    record = (
        started(person=None).hand_off(to_role=Role.CLOSER, to_person="cleo", at=at(1)).ownership
    )

    back = record.reject(reason=RejectReason.DUPLICATE, at=at(2)).ownership

    assert (back.role, back.person) == (Role.QUALIFIER, None)


def test_a_handoff_to_the_current_role_is_refused():
    error = refused(lambda: started().hand_off(to_role=Role.QUALIFIER, at=at(1)))

    assert isinstance(error, InvalidField)
    assert error.field == "to_role"


def test_only_one_handoff_may_be_pending_and_the_owner_waits_for_it():
    record = offered()

    for command in (
        lambda: record.hand_off(to_role=Role.ACCOUNT_MANAGER, at=at(2)),
        lambda: record.reassign(person="carl", at=at(2)),
        lambda: record.transfer(role=Role.MANAGER, at=at(2)),
    ):
        error = refused(command)
        assert isinstance(error, InvalidField)
        assert error.field == "pending"


def test_settling_without_any_handoff_is_refused_saying_there_is_none():
    error = refused(lambda: started().accept(at=at(1)))

    assert isinstance(error, InvalidField)
    assert "has had none" in str(error)


def test_settling_a_handoff_twice_is_an_invalid_transition_from_its_final_status():
    record = offered().accept(at=at(2)).ownership

    error = refused(lambda: record.reject(reason=RejectReason.WRONG_ROLE, at=at(3)))

    assert isinstance(error, InvalidTransition)
    assert (error.state, error.event, error.allowed) == ("accepted", "reject", ())


# -- deadlines -----------------------------------------------------------------------


def test_a_handoff_expires_only_at_or_after_its_deadline_and_returns_to_the_sender():
    record = offered(expires_at=at(5))

    early = refused(lambda: record.expire(at=at(4)))
    expired = record.expire(at=at(5)).ownership

    assert isinstance(early, InvalidField)
    assert early.field == "at"
    assert (expired.role, expired.person) == (Role.QUALIFIER, "quinn")
    assert expired.handoffs[-1].status is HandoffStatus.EXPIRED


def test_a_handoff_without_a_deadline_cannot_expire():
    error = refused(lambda: offered().expire(at=at(100)))

    assert isinstance(error, InvalidField)
    assert error.field == "expires_at"


@pytest.mark.parametrize("command", ["accept", "reject"])
def test_once_the_deadline_has_passed_the_receiver_can_no_longer_accept_or_reject(command):
    record = offered(expires_at=at(5))

    if command == "accept":
        error = refused(lambda: record.accept(at=at(5)))
    else:
        error = refused(lambda: record.reject(reason=RejectReason.WRONG_ROLE, at=at(6)))

    assert isinstance(error, InvalidField)
    assert "expire it" in str(error)


def test_a_deadline_must_come_after_the_submission():
    error = refused(lambda: started().hand_off(to_role=Role.CLOSER, at=at(2), expires_at=at(2)))

    assert isinstance(error, InvalidField)
    assert error.field == "expires_at"


# -- time, retries and races ---------------------------------------------------------


def test_time_never_goes_backwards():
    record = offered()

    error = refused(lambda: record.accept(at=at(0)))

    assert isinstance(error, InvalidField)
    assert error.field == "at"


def test_naive_datetimes_are_refused():
    naive = datetime(2026, 11, 23, 10, 0)

    error = refused(lambda: started().hand_off(to_role=Role.CLOSER, at=naive))
    start = refused(lambda: Ownership.start(lead_id="L-1", role="closer", at=naive))

    assert isinstance(error, InvalidType)
    assert isinstance(start, InvalidType)


def test_a_refused_command_leaves_the_record_as_it_was():
    record = offered(expires_at=at(5))
    before = (record.history, record.role, record.person, record.pending, dict(record.owners))

    for command in (
        lambda: record.accept(person="carl", at=at(2)),
        lambda: record.expire(at=at(2)),
        lambda: record.reject(reason=RejectReason.OTHER, at=at(2)),
        lambda: record.hand_off(to_role=Role.MANAGER, at=at(2)),
    ):
        refused(command)

    assert (
        record.history,
        record.role,
        record.person,
        record.pending,
        dict(record.owners),
    ) == before


def test_a_repeated_idempotency_key_returns_the_earlier_outcome_and_changes_nothing():
    first = offered().accept(at=at(2), idempotency_key="k-1")

    again = first.ownership.accept(at=at(3), idempotency_key="k-1")

    assert again.repeated
    assert again.ownership == first.ownership
    assert again.event == first.event


def test_an_idempotency_key_reused_for_another_command_is_refused():
    record = started().reassign(person="quentin", at=at(1), idempotency_key="k-1").ownership

    with pytest.raises(IdempotencyConflict):
        record.hand_off(to_role=Role.CLOSER, at=at(2), idempotency_key="k-1")


def test_a_stale_writer_gets_a_version_conflict():
    record = offered()

    with pytest.raises(VersionConflict):
        record.accept(at=at(2), expected_version=1)
    assert record.accept(at=at(2), expected_version=2).ownership.version == 3


# -- replay and serialisation -------------------------------------------------------


def test_replaying_the_history_rebuilds_the_same_record():
    record = offered().reject(reason=RejectReason.WRONG_ROLE, at=at(2)).ownership

    assert Ownership.replay(record.history) == record
    assert Ownership.replay(record.history).role is Role.QUALIFIER


def test_the_serialised_form_round_trips_through_json():
    record = offered(expires_at=at(9), note="ready to buy").accept(at=at(2)).ownership

    document = json.loads(json.dumps(record.to_dict()))

    assert Ownership.from_dict(document) == record
    assert document["role"] == "closer"
    assert document["person"] == "cleo"


def test_every_event_kind_round_trips_through_its_dict_form():
    record = offered().withdraw(at=at(2), note="oops").ownership
    record = record.hand_off(to_role=Role.CLOSER, at=at(3), expires_at=at(4)).ownership
    record = record.expire(at=at(4)).ownership
    record = record.hand_off(to_role=Role.CLOSER, at=at(5)).ownership
    record = record.reject(reason=RejectReason.OTHER, note="closed shop", at=at(6)).ownership
    record = record.transfer(role=Role.MANAGER, at=at(7)).ownership

    for event in record.history:
        assert event_from_dict(json.loads(json.dumps(event.to_dict()))) == event


@pytest.mark.parametrize("bad", [None, 7, "accept", {"event": "teleport"}, {}], ids=repr)
def test_reading_what_is_not_an_ownership_event_document_is_refused(bad):
    with pytest.raises(InvalidField, match="event"):
        event_from_dict(bad)


def test_a_tampered_history_is_refused_naming_the_event():
    document = offered().accept(at=at(2)).ownership.to_dict()
    document["history"][2]["person"] = "carl"

    with pytest.raises(InvalidField) as caught:
        Ownership.from_dict(document)

    assert caught.value.field == "history[2].person"


def test_a_summary_that_disagrees_with_the_history_is_refused():
    document = offered().to_dict()
    document["role"] = "qualifier"

    with pytest.raises(InvalidField, match="role"):
        Ownership.from_dict(document)


def test_an_event_from_another_lead_is_refused_on_replay():
    record = started()
    stray = HandoffSubmitted(
        lead_id="L-2",
        version=2,
        from_role="qualifier",
        to_role="closer",
        from_person="quinn",
        at=at(1),
        actor="x",
    )

    with pytest.raises(InvalidField, match="lead_id"):
        Ownership.replay((*record.history, stray))


def test_a_second_start_is_refused_on_replay():
    first = started().history[0]
    again = OwnerAssigned(
        lead_id="L-1", version=1, event="start", role="closer", person="c", at=at(1), actor="x"
    )

    with pytest.raises(InvalidType):
        Ownership.replay((first, again))


def test_an_accept_for_a_handoff_that_is_not_pending_is_refused_on_replay():
    record = offered()
    wrong = HandoffAccepted(
        lead_id="L-1", version=3, handoff=7, person="cleo", at=at(2), actor="cleo"
    )

    with pytest.raises(InvalidField, match="handoff"):
        Ownership.replay((*record.history, wrong))


# -- which role should own the lead ---------------------------------------------------


def lead_at(*steps: str) -> Lead:
    lead = Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=T0).lead
    for step in steps:
        lead = getattr(lead, step)(at=T0).lead
    return lead


def test_a_qualified_lead_in_a_contact_center_model_needs_a_handoff_to_a_closer():
    lead = lead_at("qualify")

    assert needs_handoff(SalesModel.TWO_TIER_CONTACT_CENTER, lead, started()) is Role.CLOSER
    assert needs_handoff(SalesModel.TWO_TIER_CONTACT_CENTER, lead_at(), started()) is None


def test_no_handoff_is_due_while_one_is_pending():
    assert needs_handoff(SalesModel.ONE_TIER, lead_at(), offered()) is None


def test_a_lost_lead_needs_no_handoff():
    lead = lead_at("disqualify")

    assert needs_handoff(SalesModel.TWO_TIER_ACCOUNT_MANAGER, lead, started()) is None


def test_a_customer_needs_a_handoff_to_the_account_manager_once_the_closer_has_won():
    lead = lead_at("qualify", "fast_track", "win")

    assert needs_handoff("three_tier", lead, started(Role.CLOSER, "cleo")) is Role.ACCOUNT_MANAGER


def test_needs_handoff_refuses_a_record_of_another_lead():
    other = Ownership.start(lead_id="L-2", role="closer", at=T0).ownership

    with pytest.raises(InvalidField, match="ownership"):
        needs_handoff("three_tier", lead_at(), other)


def test_updated_at_is_the_time_of_the_latest_change():
    assert started().updated_at == T0
    assert offered().updated_at == T0 + timedelta(hours=1)
