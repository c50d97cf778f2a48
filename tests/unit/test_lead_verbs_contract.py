"""Every lead verb keeps the command contract: actor, idempotency key, expected version.

One table of verbs, each with the lead it applies to and its arguments, so a verb
that forgets part of the pipeline fails here (mutation testing found `reactivate`
ignoring actor, key and expected version, and `qualify` not storing its key).
"""

from __future__ import annotations

import inspect
from datetime import UTC, date, datetime, timedelta

import pytest

from salesflow import InvalidField, InvalidType, Money, VersionConflict
from salesflow.leads import (
    ActivityKind,
    ForecastCategory,
    Lead,
    LeadSource,
    LeadStage,
    LostReason,
    event_from_dict,
)
from salesflow.leads.events import (
    ActivityLogged,
    LeadCreated,
    LeadQualified,
    LeadStageChanged,
    QualificationOutcome,
)
from salesflow.leads.facts import DEFAULT_STAGE_FACTS

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def new_lead() -> Lead:
    return Lead.create(
        lead_id="L-1", source=LeadSource.INBOUND, at=T0, deal_value=Money("1000", "EUR")
    ).lead


def at_interest() -> Lead:
    return new_lead().advance(at=at(1)).lead


def qualified() -> Lead:
    return new_lead().qualify(at=at(1)).lead


def at_decision() -> Lead:
    lead = new_lead()
    for hour in (1, 2, 3):
        lead = lead.advance(at=at(hour)).lead
    return lead


def customer() -> Lead:
    return at_decision().win(at=at(4)).lead


def lost_at_interest() -> Lead:
    return at_interest().lose(reason=LostReason.BUDGET, at=at(2)).lead


# name: (the lead it applies to, positional arguments, keyword arguments besides the contract)
VERBS = {
    "advance": (new_lead, (), {}),
    "fast_track": (qualified, (), {}),
    "move_back": (at_interest, (), {"reason": "needs more research"}),
    "win": (at_decision, (), {}),
    "repeat_purchase": (customer, (), {}),
    "lose": (
        at_interest,
        (),
        {"reason": LostReason.NOT_READY, "come_back_on": date(2027, 1, 15)},
    ),
    "disqualify": (at_interest, (), {"note": "a student"}),
    "reactivate": (lost_at_interest, (), {}),
    "qualify": (at_interest, (), {}),
    "log_activity": (at_interest, (), {"kind": ActivityKind.DEMO, "note": "went well"}),
}


def _call(name, lead, **contract):
    _, positional, arguments = VERBS[name]
    return getattr(lead, name)(*positional, **arguments, **contract)


@pytest.mark.parametrize("name", VERBS)
def test_every_lead_verb_records_its_actor_and_idempotency_key_on_its_event(name):
    lead = VERBS[name][0]()

    outcome = _call(name, lead, at=at(7), actor="sam", idempotency_key=f"{name}-1")

    assert outcome.event.actor == "sam"
    assert outcome.event.idempotency_key == f"{name}-1"
    assert outcome.event.at == at(7)
    assert outcome.lead.history[-1] == outcome.event
    restored = Lead.from_dict(outcome.lead.to_dict())
    assert restored.history[-1].idempotency_key == f"{name}-1"
    assert restored.history[-1].actor == "sam"


@pytest.mark.parametrize("name", VERBS)
def test_every_lead_verb_refuses_an_expected_version_other_than_the_current(name):
    lead = VERBS[name][0]()
    before = lead.to_dict()
    wrong = [lead.version + 1] + ([lead.version - 1] if lead.version > 1 else [])

    for expected in wrong:
        with pytest.raises(VersionConflict) as caught:
            _call(name, lead, at=at(7), expected_version=expected)

        assert (caught.value.expected, caught.value.actual) == (expected, lead.version)
    assert lead.to_dict() == before


@pytest.mark.parametrize("name", VERBS)
def test_every_lead_verb_accepts_the_current_expected_version(name):
    lead = VERBS[name][0]()

    outcome = _call(name, lead, at=at(7), expected_version=lead.version)

    assert outcome.lead.version == lead.version + 1
    assert not outcome.repeated


@pytest.mark.parametrize("name", VERBS)
def test_a_repeated_idempotency_key_returns_the_earlier_event_and_changes_nothing(name):
    first = _call(name, VERBS[name][0](), at=at(7), idempotency_key="k-1")

    again = _call(name, first.lead, at=at(7), idempotency_key="k-1")

    assert again.repeated
    assert again.lead is first.lead
    assert again.event == first.event


@pytest.mark.parametrize("bad", ["3", 3.0, True])
@pytest.mark.parametrize("name", VERBS)
def test_a_malformed_expected_version_is_refused_even_on_an_idempotent_repeat(name, bad):
    first = _call(name, VERBS[name][0](), at=at(7), idempotency_key="k-1")

    with pytest.raises(InvalidType) as caught:
        _call(name, first.lead, at=at(7), idempotency_key="k-1", expected_version=bad)

    assert (caught.value.field, caught.value.value) == ("expected_version", bad)


def test_create_records_its_actor_and_idempotency_key():
    outcome = Lead.create(
        lead_id="L-9", source="outbound", at=T0, actor="hunter", idempotency_key="import-9"
    )

    assert (outcome.event.actor, outcome.event.idempotency_key) == ("hunter", "import-9")
    assert outcome.lead.source is LeadSource.OUTBOUND
    assert outcome.lead.deal_value is None
    assert Lead.from_dict(outcome.lead.to_dict()).history[0].idempotency_key == "import-9"


def test_qualify_records_who_qualified_and_when():
    outcome = at_interest().qualify(at=at(5), actor="quinn")

    assert outcome.lead.qualification.outcome is QualificationOutcome.QUALIFIED
    assert (outcome.lead.qualification.by, outcome.lead.qualification.at) == ("quinn", at(5))
    assert outcome.lead.stage is LeadStage.INTEREST


def test_disqualify_records_who_disqualified_and_the_note():
    outcome = at_interest().disqualify(at=at(5), actor="quinn", note="a student")

    assert outcome.lead.qualification.outcome is QualificationOutcome.DISQUALIFIED
    assert outcome.lead.qualification.by == "quinn"
    assert outcome.lead.lost_reason is LostReason.NOT_TARGET
    assert outcome.lead.lost_note == "a student"
    assert outcome.lead.lost_from is LeadStage.INTEREST


def test_reactivation_clears_every_lost_fact_and_returns_to_the_stage_lost_from():
    lost = (
        at_interest().lose(reason=LostReason.SEASONAL, at=at(2), come_back_on=date(2027, 3, 1)).lead
    )

    back = lost.reactivate(at=at(3), actor="sam").lead

    assert (lost.lost_reason, lost.come_back_on) == (LostReason.SEASONAL, date(2027, 3, 1))
    assert back.stage is LeadStage.INTEREST
    assert (back.lost_from, back.lost_reason, back.lost_note, back.come_back_on) == (
        None,
        None,
        None,
        None,
    )


def test_logged_activities_keep_their_kind_note_and_actor():
    lead = _call("log_activity", at_interest(), at=at(3), actor="sam").lead

    (activity,) = lead.activities

    assert (activity.kind, activity.note, activity.actor) == (ActivityKind.DEMO, "went well", "sam")
    assert lead.stage is LeadStage.INTEREST


def test_a_lead_stalls_only_after_more_than_the_threshold_in_an_open_stage():
    lead = at_interest()

    assert lead.stalled(at(25), timedelta(hours=24)) is None
    assert lead.stalled(at(25) + timedelta(seconds=1), timedelta(hours=24)) is LeadStage.INTEREST
    assert customer().stalled(at(1000), timedelta(hours=1)) is None


def test_time_in_stages_counts_each_visit_and_the_latest_entry():
    lead = at_interest().move_back(reason="not yet", at=at(3)).lead.advance(at=at(6)).lead

    times = lead.time_in_stages(at(10))

    assert times[LeadStage.AWARENESS].total == timedelta(hours=4)
    assert times[LeadStage.AWARENESS].count == 2
    assert times[LeadStage.AWARENESS].ongoing == 0
    assert lead.stage_visits(LeadStage.AWARENESS) == ((T0, at(1)), (at(3), at(6)))
    assert times[LeadStage.INTEREST].total == timedelta(hours=6)
    assert times[LeadStage.INTEREST].ongoing == 1
    assert lead.stage_visits("interest") == ((at(1), at(3)), (at(6), None))
    assert times[LeadStage.INTEREST].count == 2
    assert lead.stage_visits(LeadStage.DECISION) == ()


@pytest.mark.parametrize("name", VERBS)
def test_every_lead_verb_refuses_a_blank_actor_naming_its_event(name):
    lead = VERBS[name][0]()
    kind = {"qualify": "LeadQualified", "log_activity": "ActivityLogged"}.get(
        name, "LeadStageChanged"
    )

    with pytest.raises(InvalidField) as caught:
        _call(name, lead, at=at(7), actor=" ")

    assert (caught.value.field, caught.value.value) == ("actor", " ")
    assert str(caught.value) == f"{kind}: actor: got ' ', expected a non-empty string"


def test_a_lead_knows_its_creation_facts():
    lead = at_interest()

    assert (lead.id, lead.source, lead.created_at) == ("L-1", LeadSource.INBOUND, T0)
    assert lead.deal_value == Money("1000", "EUR")
    assert lead.updated_at == at(1)
    assert repr(lead) == "<Lead L-1 interest v2>"


def test_the_lead_vocabularies_are_the_values_written_in_documents():
    assert [s.value for s in LeadSource] == ["inbound", "outbound"]
    assert [k.value for k in ActivityKind] == [
        "intro_call",
        "call",
        "email",
        "meeting",
        "demo",
        "proposal",
        "follow_up",
    ]
    assert [r.value for r in LostReason] == [
        "not_target",
        "not_ready",
        "seasonal",
        "budget",
        "competitor",
        "no_response",
        "other",
    ]
    assert [r for r in LostReason if r.comes_back] == [LostReason.NOT_READY, LostReason.SEASONAL]
    assert [c.value for c in ForecastCategory] == ["pipeline", "best_case", "commit", "closed"]
    assert [o.value for o in QualificationOutcome] == ["qualified", "disqualified"]


@pytest.mark.parametrize("kind", [LeadCreated, LeadStageChanged, LeadQualified, ActivityLogged])
def test_lead_events_are_built_with_keywords_only(kind):
    parameters = inspect.signature(kind).parameters.values()

    assert {p.kind for p in parameters} == {inspect.Parameter.KEYWORD_ONLY}


@pytest.mark.parametrize(
    ("deal_value", "field", "message"),
    [
        (
            {"amount": "x", "currency": "EUR"},
            "history[0].deal_value.amount",
            "history[0].deal_value.amount: got 'x', expected a decimal number written as a string",
        ),
        (
            5,
            "history[0].deal_value",
            "history[0].deal_value: got 5, expected a mapping (dict)",
        ),
    ],
)
def test_a_malformed_deal_value_in_a_document_is_refused_naming_its_path(
    deal_value, field, message
):
    document = {**new_lead().history[0].to_dict(), "deal_value": deal_value}

    with pytest.raises(InvalidField) as caught:
        event_from_dict(document, field="history[0]")

    assert caught.value.field == field
    assert str(caught.value) == message


def test_default_stage_facts_give_each_stage_its_probability_and_forecast():
    facts = {stage: DEFAULT_STAGE_FACTS[stage] for stage in LeadStage}

    assert {s.value: (str(f.probability), f.forecast.value) for s, f in facts.items()} == {
        "awareness": ("0.05", "pipeline"),
        "interest": ("0.10", "pipeline"),
        "consideration": ("0.30", "best_case"),
        "decision": ("0.60", "commit"),
        "customer": ("1", "closed"),
        "retained": ("1", "closed"),
        "lost": ("0", "closed"),
    }


@pytest.mark.parametrize("reason", [LostReason.OTHER, LostReason.BUDGET])
def test_a_lost_lead_keeps_the_note_given_with_its_reason(reason):
    outcome = at_interest().lose(reason=reason, at=at(2), note="went with a cheaper shop")

    assert outcome.event.reason == "went with a cheaper shop"
    assert outcome.lead.lost_note == "went with a cheaper shop"
    assert outcome.lead.lost_reason is reason


@pytest.mark.parametrize("name", VERBS)
def test_a_lead_retry_with_the_expected_version_first_sent_returns_the_earlier_outcome(name):
    lead = VERBS[name][0]()
    first = _call(name, lead, at=at(7), idempotency_key="k-1", expected_version=lead.version)

    again = _call(name, first.lead, at=at(7), idempotency_key="k-1", expected_version=lead.version)

    assert again.repeated
    assert again.event == first.event


@pytest.mark.parametrize("name", VERBS)
def test_every_lead_verb_refuses_a_blank_idempotency_key(name):
    with pytest.raises(InvalidField) as caught:
        _call(name, VERBS[name][0](), at=at(7), idempotency_key=" ")

    assert (caught.value.field, caught.value.value) == ("idempotency_key", " ")


def test_a_lead_needs_a_non_blank_id():
    with pytest.raises(InvalidField) as caught:
        Lead.create(lead_id=" ", source="inbound", at=T0)

    assert (caught.value.field, caught.value.value) == ("lead_id", " ")


def test_a_come_back_date_that_is_not_a_date_is_refused_naming_come_back_on():
    with pytest.raises(InvalidField) as caught:
        at_interest().lose(reason=LostReason.SEASONAL, at=at(2), come_back_on="2027-03-01")

    assert (caught.value.field, caught.value.value) == ("come_back_on", "2027-03-01")
