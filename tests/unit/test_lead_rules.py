"""One test per lead rule."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from salesflow import (
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    InvalidType,
    Money,
    VersionConflict,
)
from salesflow.leads import (
    ActivityKind,
    ForecastCategory,
    Lead,
    LeadSource,
    LeadStage,
    LostReason,
    StageFacts,
)
from salesflow.leads.events import QualificationOutcome

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def new_lead(value: str | None = "1000") -> Lead:
    deal = Money(value, "EUR") if value else None
    return Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=T0, deal_value=deal).lead


def at_decision() -> Lead:
    lead = new_lead()
    for hour in (1, 2, 3):
        lead = lead.advance(at=at(hour)).lead
    return lead


def test_a_new_lead_starts_at_awareness():
    lead = new_lead()

    assert (lead.stage, lead.version, lead.source) == (LeadStage.AWARENESS, 1, LeadSource.INBOUND)


def test_forward_moves_go_one_stage_at_a_time():
    assert at_decision().stage is LeadStage.DECISION
    assert [e.to_stage for e in at_decision().history[1:]] == [
        LeadStage.INTEREST,
        LeadStage.CONSIDERATION,
        LeadStage.DECISION,
    ]


def test_fast_track_needs_a_qualified_lead_and_is_recorded_as_such():
    with pytest.raises(InvalidTransition, match="fast_track"):
        new_lead().fast_track(at=at(1))

    lead = new_lead().qualify(at=at(1), actor="sam").lead.fast_track(at=at(2)).lead

    assert lead.stage is LeadStage.DECISION
    assert lead.history[-1].event == "fast_track"


def test_qualification_is_explicit_with_who_and_when():
    lead = new_lead().qualify(at=at(1), actor="sam").lead

    assert lead.qualification.outcome is QualificationOutcome.QUALIFIED
    assert (lead.qualification.by, lead.qualification.at) == ("sam", at(1))


def test_disqualifying_loses_the_lead_as_not_target():
    lead = new_lead().disqualify(at=at(1), actor="sam").lead

    assert lead.stage is LeadStage.LOST
    assert lead.lost_reason is LostReason.NOT_TARGET
    assert lead.qualification.outcome is QualificationOutcome.DISQUALIFIED


def test_moving_backwards_needs_a_reason():
    with pytest.raises(InvalidField, match="reason"):
        at_decision().move_back(reason="", at=at(4))

    lead = at_decision().move_back(reason="budget review", at=at(4)).lead

    assert lead.stage is LeadStage.CONSIDERATION
    assert lead.history[-1].reason == "budget review"


@pytest.mark.parametrize("reason", [LostReason.NOT_READY, LostReason.SEASONAL])
def test_not_ready_and_seasonal_carry_a_date_to_come_back(reason):
    with pytest.raises(InvalidField, match="come_back_on"):
        at_decision().lose(reason=reason, at=at(4))

    lead = at_decision().lose(reason=reason, at=at(4), come_back_on=date(2027, 3, 1)).lead

    assert (lead.lost_reason, lead.come_back_on) == (reason, date(2027, 3, 1))


def test_only_not_ready_and_seasonal_leads_come_back():
    with pytest.raises(InvalidField, match="come_back_on"):
        at_decision().lose(reason=LostReason.BUDGET, at=at(4), come_back_on=date(2027, 3, 1))


def test_a_come_back_date_must_lie_in_the_future():
    with pytest.raises(InvalidField, match="a date after 2026-11-23"):
        at_decision().lose(reason=LostReason.SEASONAL, at=at(4), come_back_on=date(2026, 11, 23))


def test_other_needs_a_note():
    with pytest.raises(InvalidField, match="reason"):
        at_decision().lose(reason=LostReason.OTHER, at=at(4))


def test_an_unknown_lost_reason_is_refused_naming_the_choices():
    with pytest.raises(InvalidField, match="not_target, not_ready"):
        at_decision().lose(reason="bored", at=at(4))


def test_reactivation_returns_to_the_stage_lost_from_clears_the_reason_and_keeps_history():
    lost = at_decision().lose(reason=LostReason.COMPETITOR, at=at(4), note="went with X").lead

    back = lost.reactivate(at=at(5)).lead

    assert back.stage is LeadStage.DECISION
    assert (back.lost_reason, back.lost_note, back.lost_from) == (None, None, None)
    assert back.history[: len(lost.history)] == lost.history


def test_a_customer_becomes_retained_on_a_repeat_purchase():
    customer = at_decision().win(at=at(4)).lead

    retained = customer.repeat_purchase(at=at(100)).lead

    assert (customer.stage, retained.stage) == (LeadStage.CUSTOMER, LeadStage.RETAINED)


def test_activities_are_recorded_with_actor_and_time():
    lead = (
        new_lead()
        .log_activity(kind=ActivityKind.DEMO, at=at(1), actor="sam", note="went well")
        .lead
    )

    (activity,) = lead.activities
    assert (activity.kind, activity.actor, activity.at, activity.note) == (
        ActivityKind.DEMO,
        "sam",
        at(1),
        "went well",
    )


def test_a_refused_command_leaves_the_lead_untouched():
    lead = new_lead()
    before = lead.to_dict()

    with pytest.raises(InvalidTransition):
        lead.win(at=at(1))

    assert lead.to_dict() == before


def test_naive_time_and_time_going_backwards_are_refused():
    with pytest.raises(InvalidType, match="naive"):
        new_lead().advance(at=datetime(2026, 11, 24))
    with pytest.raises(InvalidField, match="latest change"):
        at_decision().win(at=at(0.5))


def test_idempotency_and_expected_versions_work_as_for_orders():
    first = new_lead().advance(at=at(1), idempotency_key="a1")

    again = first.lead.advance(at=at(2), idempotency_key="a1")

    assert again.repeated
    assert again.lead == first.lead
    with pytest.raises(IdempotencyConflict):
        first.lead.qualify(at=at(2), idempotency_key="a1")
    with pytest.raises(VersionConflict):
        first.lead.advance(at=at(2), expected_version=1)


def test_expected_value_is_deal_value_times_the_stage_probability():
    assert at_decision().expected_value() == Money("600.00", "EUR")
    assert new_lead(None).expected_value() is None


def test_stage_facts_are_overridable():
    facts = {stage: StageFacts(Decimal("0.5"), ForecastCategory.BEST_CASE) for stage in LeadStage}

    assert at_decision().expected_value(facts) == Money("500.0", "EUR")


def test_a_probability_outside_zero_to_one_is_refused():
    with pytest.raises(InvalidField, match="probability"):
        StageFacts(Decimal("1.5"), ForecastCategory.COMMIT)


def test_time_in_stage_follows_from_the_history_and_adds_up_to_the_age():
    lead = at_decision().move_back(reason="re-think", at=at(5)).lead.advance(at=at(8)).lead
    now = at(10)

    times = lead.time_in_stages(now)

    assert times[LeadStage.CONSIDERATION].total == timedelta(hours=1 + 3)
    assert times[LeadStage.CONSIDERATION].count == 2
    assert times[LeadStage.DECISION].ongoing == 1
    assert lead.stage_visits(LeadStage.DECISION)[-1] == (at(8), None)
    assert sum((t.total for t in times.values()), timedelta()) == now - lead.created_at


def test_a_lead_stalls_when_it_sits_in_an_open_stage_longer_than_the_threshold():
    lead = at_decision()

    assert lead.stalled(at(3 + 47), timedelta(hours=48)) is None
    assert lead.stalled(at(3 + 49), timedelta(hours=48)) is LeadStage.DECISION


def test_replay_and_the_serialised_form_round_trip():
    lead = (
        at_decision()
        .log_activity(kind="demo", at=at(4), actor="sam")
        .lead.lose(reason=LostReason.SEASONAL, at=at(5), come_back_on=date(2027, 1, 10))
        .lead
    )

    assert Lead.replay(lead.history) == lead
    assert Lead.from_dict(json.loads(json.dumps(lead.to_dict()))) == lead


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["history"][2].update(to_stage="decision"), "history[2].to_stage"),
        (lambda d: d["history"][3].update(version=7), "history[3].version"),
        (lambda d: d.update(stage="customer"), "stage"),
        (lambda d: d["history"][1].update(at="2026-11-23T10:00:00"), "history[1].at"),
        (lambda d: d["history"][4].pop("come_back_on"), "history[4]"),
    ],
    ids=["to_stage", "version", "summary", "naive", "come back"],
)
def test_a_tampered_document_is_refused_naming_the_path(change, field):
    lead = (
        at_decision()
        .lose(reason=LostReason.SEASONAL, at=at(5), come_back_on=date(2027, 1, 10))
        .lead
    )
    document = json.loads(json.dumps(lead.to_dict()))
    change(document)

    with pytest.raises(InvalidField) as caught:
        Lead.from_dict(document)

    assert caught.value.field.startswith(field)
