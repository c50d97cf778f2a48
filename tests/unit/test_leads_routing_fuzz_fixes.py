"""Bad input in leads and routing is refused at our boundary, naming what the caller wrote."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

import attrs
import pytest

from helpers import next_stage
from salesflow import InvalidField, InvalidType, Money, SalesflowError, routing
from salesflow.leads import (
    Lead,
    LeadLifecycle,
    LeadStage,
    allowed_events,
    event_from_dict,
    replay_stage,
)
from salesflow.leads.facts import DEFAULT_STAGE_FACTS
from salesflow.leads.lifecycle import LEAD_EVENTS
from salesflow.routing import (
    AssignmentLedger,
    HandoffLifecycle,
    HandoffStatus,
    Ownership,
    WorkingHours,
    reroute,
)
from salesflow.routing.reroute import RerouteReport

BAD_STARTS = [7, "bogus", "", [], {}, object(), True, 1.5, float("nan"), datetime.now(UTC)]


@pytest.mark.parametrize("machine", [LeadLifecycle, HandoffLifecycle], ids=lambda m: m.__name__)
@pytest.mark.parametrize("value", BAD_STARTS, ids=repr)
def test_a_lifecycle_refuses_a_bad_start_value_with_invalid_field_naming_it(machine, value):
    with pytest.raises(InvalidField, match=r"^start_value: got "):
        machine(start_value=value)


@pytest.mark.parametrize(
    ("machine", "states"),
    [(LeadLifecycle, list(LeadStage)), (HandoffLifecycle, list(HandoffStatus))],
    ids=["lead", "handoff"],
)
def test_a_lifecycle_starts_at_any_of_its_states_given_as_member_or_string(machine, states):
    for state in states:
        assert machine(start_value=state).current_state_value is state
        assert machine(start_value=state.value).current_state_value is state


def test_the_default_stage_facts_cannot_be_changed_in_place():
    assert isinstance(DEFAULT_STAGE_FACTS, MappingProxyType)
    with pytest.raises(TypeError):
        DEFAULT_STAGE_FACTS[LeadStage.LOST] = DEFAULT_STAGE_FACTS[LeadStage.CUSTOMER]  # type: ignore[index]


@pytest.mark.parametrize("stage", list(LeadStage), ids=str)
def test_an_unknown_event_name_is_refused_naming_the_event_from_every_stage(stage):
    with pytest.raises(InvalidField, match=r"^event: got 'teleport', expected one of "):
        next_stage(stage, "teleport")


def test_reactivating_without_the_stage_it_was_lost_from_names_lost_from():
    with pytest.raises(InvalidField, match=r"^lost_from: got None"):
        next_stage(LeadStage.LOST, "reactivate")


@pytest.mark.parametrize("value", ["decisive", 7, 1.5, object()], ids=repr)
def test_a_bad_lost_from_is_shown_as_the_caller_gave_it(value):
    with pytest.raises(InvalidField) as caught:
        allowed_events(LeadStage.LOST, lost_from=value)

    assert caught.value.value is value


@pytest.mark.parametrize("events", ["advance", {"advance": 1}, b"advance"], ids=repr)
def test_replay_stage_refuses_a_string_or_mapping_instead_of_a_list_of_events(events):
    with pytest.raises(InvalidType, match=r"^events: got "):
        replay_stage(events)


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (["advance", 1], r"^events\[1\]: got 1, expected an event name"),
        (["advance", "teleport"], r"^events\[1\]: got 'teleport', expected one of "),
    ],
)
def test_replay_stage_names_the_position_of_a_bad_event(events, message):
    with pytest.raises(SalesflowError, match=message):
        replay_stage(events)


def test_every_lead_event_name_is_known_to_replay_stage():
    for name in LEAD_EVENTS:
        try:
            replay_stage([name])
        except InvalidField:  # pragma: no cover - the failure this test is for
            pytest.fail(f"{name} is refused as unknown")
        except SalesflowError:
            pass


# -- documents: a reader rebuilds and compares the whole document -------------------

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _lead() -> Lead:
    lead = Lead.create(lead_id="L-7", source="inbound", at=T0, deal_value=Money("900", "EUR")).lead
    return lead.advance(at=T0).lead


def _handed() -> Ownership:
    record = Ownership.start(lead_id="L-7", role="qualifier", person="quinn", at=T0).ownership
    return record.hand_off(
        to_role="closer", to_person="cleo", at=T0, expires_at=T0.replace(hour=12)
    ).ownership


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(version=float(d["version"])),
        lambda d: d.update(version=True),
        lambda d: d["history"][0].update(deal_value=None),
        lambda d: d["history"][0].update(at=d["history"][0]["at"].replace("+00:00", "Z")),
    ],
    ids=["version as float", "version as bool", "null deal value", "at rewritten"],
)
def test_a_lead_document_with_a_retyped_or_rewritten_part_is_refused(edit):
    document = _lead().to_dict()
    edit(document)

    with pytest.raises(SalesflowError):
        Lead.from_dict(document)


@pytest.mark.parametrize("key", ["pending", "person", "version", "role"])
def test_an_ownership_document_missing_a_summary_key_is_refused_even_when_it_is_null(key):
    document = _handed().to_dict()
    del document[key]

    with pytest.raises(InvalidField, match=rf"^{key}: got None, expected .* \(it is missing\)"):
        Ownership.from_dict(document)


@pytest.mark.parametrize("key", ["to_person", "expires_at", "from_person"])
def test_an_ownership_event_with_null_written_for_an_omitted_field_is_refused(key):
    document = _handed().history[1].to_dict()
    document[key] = None

    with pytest.raises(InvalidField, match=rf"^event\.{key}: got None"):
        routing.event_from_dict(document)


def test_a_lead_event_reads_back_to_exactly_the_document_it_came_from():
    for event in _lead().history:
        document = event.to_dict()
        assert event_from_dict(document).to_dict() == document


def test_working_hours_without_their_holidays_key_are_refused():
    document = WorkingHours.office("Europe/Berlin").to_dict()
    del document["holidays"]

    with pytest.raises(InvalidField, match=r"holidays"):
        WorkingHours.from_dict(document)


def test_a_ledger_document_with_a_count_written_as_a_float_is_refused():
    document = AssignmentLedger().with_load("quinn", 3).to_dict()
    document["people"]["quinn"]["load"] = 3.0

    with pytest.raises(SalesflowError):
        AssignmentLedger.from_dict(document)


def _report() -> RerouteReport:
    records = []
    for lead_id, steps in (("L-1", ()), ("L-2", ("qualify",)), ("L-3", ("qualify",))):
        lead = Lead.create(lead_id=lead_id, source="inbound", at=T0).lead
        for step in steps:
            lead = getattr(lead, step)(at=T0).lead
        record = Ownership.start(lead_id=lead_id, role="qualifier", person="quinn", at=T0)
        records.append((lead, record.ownership))
    return reroute("two_tier_contact_center", "three_tier", records)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(unchanged=d["unchanged"] + 1),
        lambda d: d["after"].update(closer=d["after"]["closer"] + 1),
        lambda d: d["before"].update(qualifier=d["before"]["qualifier"] + 1),
        lambda d: d["moves"].pop(0),
        lambda d: d["moves"].append(dict(d["moves"][0])),
        lambda d: d["before"].pop("closer"),
    ],
    ids=["unchanged", "after", "before", "a move deleted", "a move repeated", "a role left out"],
)
def test_a_reroute_report_whose_figures_disagree_is_refused(edit):
    document = _report().to_dict()
    assert document["moves"], "the sample must move a lead"
    edit(document)

    with pytest.raises(InvalidField):
        RerouteReport.from_dict(document)


def test_a_move_cannot_withdraw_a_handoff_later_than_the_version_it_read():
    move = _report().moves[0]

    with pytest.raises(InvalidField, match=r"^RoleTransfer: withdraws: got 9"):
        attrs.evolve(move, withdraws=9)
