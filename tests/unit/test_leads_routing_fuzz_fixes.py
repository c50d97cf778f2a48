"""Bad input in leads and routing is refused at our boundary, naming what the caller wrote."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

import pytest

from salesflow import InvalidField, InvalidType, SalesflowError
from salesflow.leads import (
    DEFAULT_STAGE_FACTS,
    LEAD_EVENTS,
    LeadLifecycle,
    LeadStage,
    allowed_lead_events,
    next_stage,
    replay_stage,
)
from salesflow.routing import HandoffLifecycle, HandoffStatus

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
        allowed_lead_events(LeadStage.LOST, lost_from=value)

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
