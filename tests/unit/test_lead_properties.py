"""The rules that live on the Lead: when it was won, who closed it, who manages it, was it qualified.

Each property holds on the lead itself, on the lead restored from its
``to_dict()`` document (through JSON) and on the lead replayed from its history.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from salesflow._durations import Durations
from salesflow.leads import ActivityKind, Lead, LeadSource, LeadStage, LostReason, event_from_dict

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def _itself(lead: Lead) -> Lead:
    return lead


def _from_document(lead: Lead) -> Lead:
    return Lead.from_dict(json.loads(json.dumps(lead.to_dict())))


def _replayed(lead: Lead) -> Lead:
    return Lead.replay(lead.history)


READS: list[Callable[[Lead], Lead]] = [_itself, _from_document, _replayed]
read = pytest.mark.parametrize("read", READS, ids=["lead", "from_dict", "replay"])


def new_lead(actor: str = "system") -> Lead:
    return Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=T0, actor=actor).lead


def at_decision(actor: str = "system") -> Lead:
    lead = new_lead()
    for hour in (1, 2, 3):
        lead = lead.advance(at=at(hour), actor=actor).lead
    return lead


@read
def test_an_open_lead_was_not_won_and_has_no_closer(read):
    lead = read(at_decision("kim"))

    assert (lead.won_at, lead.closer) == (None, None)


@read
def test_won_at_is_the_time_of_the_win(read):
    lead = read(at_decision().win(at=at(5), actor="kim").lead)

    assert lead.won_at == at(5)


@read
def test_won_at_stays_the_first_sale_after_a_repeat_purchase(read):
    won = at_decision().win(at=at(5), actor="kim").lead

    lead = read(won.repeat_purchase(at=at(50), actor="lee").lead)

    assert lead.won_at == at(5)
    assert lead.closer == "kim"


@read
def test_the_closer_is_whoever_won_the_lead(read):
    lead = read(at_decision("sam").win(at=at(5), actor="kim").lead)

    assert lead.closer == "kim"


@read
def test_a_win_the_system_recorded_has_no_closer(read):
    lead = read(at_decision("sam").win(at=at(5)).lead)

    assert lead.won_at == at(5)
    assert lead.closer is None


@read
def test_the_manager_of_a_won_lead_is_its_closer(read):
    won = at_decision("sam").win(at=at(5), actor="kim").lead

    lead = read(won.log_activity(kind=ActivityKind.CALL, at=at(6), actor="lee").lead)

    assert lead.manager == "kim"


@read
def test_the_manager_of_a_lead_not_won_is_the_latest_person_who_acted(read):
    lead = at_decision("sam").log_activity(kind=ActivityKind.DEMO, at=at(4), actor="kim").lead

    lead = read(lead.move_back(reason="second demo", at=at(5)).lead)

    assert lead.manager == "kim"


@read
def test_the_manager_of_a_lead_won_by_the_system_is_the_latest_person_who_acted(read):
    lead = read(at_decision("sam").win(at=at(5)).lead)

    assert lead.manager == "sam"


@read
def test_the_person_who_created_the_lead_manages_it_until_someone_else_acts(read):
    lead = read(new_lead(actor="quinn").advance(at=at(1)).lead)

    assert lead.manager == "quinn"


@read
def test_a_lead_only_the_system_acted_on_has_no_manager(read):
    lead = read(at_decision().lose(reason=LostReason.BUDGET, at=at(5)).lead)

    assert lead.manager is None


@read
def test_a_lead_never_qualified_was_not_qualified(read):
    lead = read(at_decision("kim"))

    assert lead.was_qualified is False


@read
def test_a_qualified_lead_was_qualified(read):
    lead = read(new_lead().qualify(at=at(1), actor="quinn").lead)

    assert lead.was_qualified is True


@read
def test_a_lead_disqualified_after_qualifying_still_was_qualified(read):
    qualified = new_lead().qualify(at=at(1), actor="quinn").lead

    lead = read(qualified.disqualify(at=at(2), actor="quinn").lead)

    assert lead.qualification is not None
    assert lead.qualification.outcome.value == "disqualified"
    assert lead.was_qualified is True


@read
def test_a_lead_lost_and_reactivated_after_qualifying_still_was_qualified(read):
    qualified = new_lead().qualify(at=at(1), actor="quinn").lead
    lost = qualified.lose(reason=LostReason.BUDGET, at=at(2)).lead

    assert read(lost).was_qualified is True
    assert read(lost.reactivate(at=at(3)).lead).was_qualified is True


@read
def test_a_lead_disqualified_without_qualifying_was_not_qualified(read):
    lead = read(new_lead().disqualify(at=at(1), actor="quinn").lead)

    assert lead.was_qualified is False


def test_time_in_each_stage_is_one_duration_per_visit():
    lead = at_decision().move_back(reason="re-think", at=at(5)).lead.advance(at=at(8)).lead

    times = lead.time_in_stages(at(10))

    decision = times[LeadStage.DECISION]
    assert isinstance(decision, Durations)
    assert decision.counted == "visits"
    assert decision.spans == (timedelta(hours=2), timedelta(hours=2))
    assert (decision.count, decision.ongoing, decision.mean) == (2, 1, timedelta(hours=2))
    assert times[LeadStage.CONSIDERATION].ongoing == 0
    assert LeadStage.CUSTOMER not in times


def test_stage_visits_give_each_entry_and_exit_in_order():
    lead = at_decision().move_back(reason="re-think", at=at(5)).lead.advance(at=at(8)).lead

    assert lead.stage_visits(LeadStage.DECISION) == ((at(3), at(5)), (at(8), None))
    assert lead.stage_visits("consideration") == ((at(2), at(3)), (at(5), at(8)))
    assert lead.stage_visits(LeadStage.LOST) == ()


def test_a_lead_document_carries_the_lead_schema():
    assert new_lead().to_dict()["schema"] == Lead.SCHEMA == "salesflow.lead/1"


def test_every_event_writes_itself_and_reads_back_equal():
    lead = new_lead().log_activity(kind=ActivityKind.CALL, at=at(1), actor="kim").lead
    lead = (
        lead.qualify(at=at(2), actor="kim").lead.lose(reason=LostReason.COMPETITOR, at=at(3)).lead
    )

    for event in lead.history:
        assert event_from_dict(json.loads(json.dumps(event.to_dict()))) == event
