"""The lead stage graph: views are total, and the compiled table agrees with the engine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statemachine.exceptions import TransitionNotAllowed

from helpers import next_stage
from salesflow import InvalidField, InvalidTransition, InvalidType
from salesflow.leads import (
    FunnelStep,
    JourneyStage,
    LeadLifecycle,
    LeadStage,
    TeamPhase,
    allowed_events,
    replay_stage,
)
from salesflow.leads.lifecycle import LEAD_EVENTS
from salesflow.leads.stage import FUNNEL, JOURNEY, OPEN_STAGES, TEAM_PHASES

LOST_FROM = (None, *sorted(OPEN_STAGES, key=list(LeadStage).index))
COMBINATIONS = [
    (stage, event, lost_from, qualified)
    for stage in LeadStage
    for event in (*LEAD_EVENTS, "teleport")
    for lost_from in LOST_FROM
    for qualified in (False, True)
]


@pytest.mark.parametrize(
    "view", [FUNNEL, JOURNEY, TEAM_PHASES], ids=["funnel", "journey", "phases"]
)
def test_every_view_is_a_total_mapping_over_the_stages(view):
    assert set(view) == set(LeadStage)


@pytest.mark.parametrize(
    ("view", "kind"), [(FUNNEL, FunnelStep), (JOURNEY, JourneyStage), (TEAM_PHASES, TeamPhase)]
)
def test_every_step_of_every_view_is_reached_by_some_stage(view, kind):
    assert {value for value in view.values() if value is not None} == set(kind)


def test_the_funnel_runs_from_awareness_to_retention_in_order():
    steps = [stage.funnel_step for stage in LeadStage if stage is not LeadStage.LOST]

    assert steps == list(FunnelStep)


def test_interest_belongs_to_consideration_in_the_buyers_journey():
    assert LeadStage("interest").journey_stage is JourneyStage.CONSIDERATION


def test_team_phases_split_pre_sales_sales_and_after_sales():
    phases = [LeadStage(s).team_phase for s in ("awareness", "interest")]
    assert phases == [TeamPhase.PRE_SALES] * 2
    phases = [LeadStage(s).team_phase for s in ("consideration", "decision")]
    assert phases == [TeamPhase.SALES] * 2
    phases = [LeadStage(s).team_phase for s in ("customer", "retained")]
    assert phases == [TeamPhase.AFTER_SALES] * 2


def test_lost_belongs_to_no_view():
    lost = LeadStage.LOST

    assert (lost.funnel_step, lost.journey_stage, lost.team_phase) == (None, None, None)


@pytest.mark.parametrize("stage", list(LeadStage), ids=str)
def test_each_stage_property_reads_its_view(stage):
    assert stage.funnel_step is FUNNEL[stage]
    assert stage.journey_stage is JOURNEY[stage]
    assert stage.team_phase is TEAM_PHASES[stage]


def test_an_unknown_stage_is_refused_naming_the_choices():
    with pytest.raises(InvalidField, match="awareness, interest"):
        allowed_events("won")


def _engine(stage, event, lost_from, qualified):
    machine = LeadLifecycle(start_value=stage)
    try:
        machine.send(event, lost_from=lost_from, qualified=qualified)
    except TransitionNotAllowed:
        return None
    return machine.current_state_value


@pytest.mark.parametrize(("stage", "event", "lost_from", "qualified"), COMBINATIONS, ids=str)
def test_engine_and_compiled_table_agree_on_every_stage_event_and_guard_context(
    stage, event, lost_from, qualified
):
    expected = _engine(stage, event, lost_from, qualified)

    try:
        actual = next_stage(stage, event, lost_from=lost_from, qualified=qualified)
    except (InvalidTransition, InvalidField):  # refused: an illegal move, or no such event
        actual = None

    assert actual == expected


@pytest.mark.parametrize("stage", list(LeadStage), ids=str)
@pytest.mark.parametrize("lost_from", LOST_FROM, ids=str)
@pytest.mark.parametrize("qualified", [False, True])
def test_allowed_events_equal_the_engines_enabled_events(stage, lost_from, qualified):
    machine = LeadLifecycle(start_value=stage)

    enabled = {e.id for e in machine.enabled_events(lost_from=lost_from, qualified=qualified)}

    assert allowed_events(stage, lost_from=lost_from, qualified=qualified) == enabled


def test_forward_moves_go_one_stage_at_a_time():
    assert next_stage("awareness", "advance") is LeadStage.INTEREST
    with pytest.raises(InvalidTransition):
        next_stage("awareness", "fast_track")


def test_a_qualified_ready_to_buy_lead_may_enter_at_decision():
    assert next_stage("interest", "fast_track", qualified=True) is LeadStage.DECISION


def test_lost_is_reachable_from_every_open_stage_and_only_there():
    for stage in LeadStage:
        assert ("lose" in allowed_events(stage)) == (stage in OPEN_STAGES)


def test_a_lost_lead_is_reactivated_into_the_stage_it_was_lost_from():
    for stage in OPEN_STAGES:
        assert next_stage("lost", "reactivate", lost_from=stage) is stage


def test_a_customer_becomes_retained_on_a_repeat_purchase():
    assert next_stage("customer", "repeat_purchase") is LeadStage.RETAINED
    assert next_stage("retained", "repeat_purchase") is LeadStage.RETAINED


def test_guard_facts_of_the_wrong_kind_are_refused():
    with pytest.raises(InvalidType, match="qualified"):
        allowed_events("interest", qualified="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidField, match="lost_from"):
        allowed_events("lost", lost_from="customer")


def test_invalid_transition_names_the_lead_and_the_allowed_events():
    with pytest.raises(InvalidTransition) as caught:
        next_stage("customer", "lose")

    assert str(caught.value) == "Can't lose a lead that is customer; allowed: repeat_purchase."


def _engine_replay(events):
    machine = LeadLifecycle()
    qualified, lost_from = False, None
    try:
        for event in events:
            stage = machine.current_state_value
            if event == "log_activity":
                continue
            if event == "qualify":
                if stage not in OPEN_STAGES:
                    return "refused"
                qualified = True
                continue
            machine.send(event, qualified=qualified, lost_from=lost_from)
            after = machine.current_state_value
            if after is LeadStage.LOST:
                lost_from = stage
                qualified = qualified and event != "disqualify"
            else:
                lost_from = None
    except TransitionNotAllowed:
        return "refused"
    return machine.current_state_value


@given(
    st.lists(st.sampled_from([*LEAD_EVENTS, "qualify", "log_activity", "teleport"]), max_size=14)
)
def test_replay_stage_equals_firing_the_same_events_on_the_engine(events):
    expected = _engine_replay(events)

    try:
        actual: object = replay_stage(events)
    except (InvalidTransition, InvalidField):  # refused: an illegal move, or no such event
        actual = "refused"

    assert actual == expected
