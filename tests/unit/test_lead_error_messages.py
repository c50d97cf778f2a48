"""Each refusal in leads/lead.py names the field, the value and what was expected, in exactly
the words a caller reads (one row per raise site).

The enum parameters (source, from_stage, kind...) and the lost-reason note are being
renamed in their messages (issue 10, section 5), so they are pinned elsewhere, not here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from test_lead_verbs_contract import T0, at, at_interest, customer

from salesflow import InvalidField, InvalidTransition, InvalidType, Money
from salesflow.errors import ClockConflict, CorruptDocument
from salesflow.leads import Lead, LeadStage, StageFacts, event_from_dict
from salesflow.leads.events import LeadQualified

# What replay raises for stored data of the wrong type: a CorruptDocument still an InvalidType.
CorruptType = type(CorruptDocument.of(InvalidType("x", None, "y")))

LEAD = at_interest()
CREATED, ADVANCED = LEAD.history
ADVANCED_DOC = ADVANCED.to_dict()
CUSTOMER = customer()
EARLIER = T0 - timedelta(hours=1)
KEYS = "actor, at, come_back_on, event, from_stage, idempotency_key, lead_id, lost_reason, reason, to_stage, version"


def _replay_with_second_event(**changes):
    return Lead.replay([CREATED, attrs.evolve(ADVANCED, **changes)])


def _create_with(**changes):
    return Lead.create(lead_id="L-2", source="inbound", at=T0, **changes)


# (call, error type, field, value, the whole message)
REFUSALS = {
    "a probability above 1": (
        lambda: StageFacts(Decimal("1.5"), "pipeline"),
        InvalidField,
        "probability",
        Decimal("1.5"),
        "StageFacts: probability: got Decimal('1.5'), expected a Decimal from 0 to 1",
    ),
    "a probability below 0": (
        lambda: StageFacts(Decimal("-0.1"), "pipeline"),
        InvalidField,
        "probability",
        Decimal("-0.1"),
        "StageFacts: probability: got Decimal('-0.1'), expected a Decimal from 0 to 1",
    ),
    "a float probability": (
        lambda: StageFacts(0.5, "pipeline"),
        InvalidField,
        "probability",
        0.5,
        "StageFacts: probability: got 0.5, expected a Decimal from 0 to 1",
    ),
    "a negative deal value": (
        lambda: _create_with(deal_value=Money("-1", "EUR")),
        InvalidField,
        "deal_value",
        Money("-1", "EUR"),
        "deal_value: got Money('-1', 'EUR'), expected None or Money of zero or more",
    ),
    "a deal value that is not Money": (
        lambda: _create_with(deal_value=Decimal("100")),
        InvalidField,
        "deal_value",
        Decimal("100"),
        "deal_value: got Decimal('100'), expected None or Money of zero or more",
    ),
    "a stage change numbered 1": (
        lambda: attrs.evolve(ADVANCED, version=1),
        InvalidField,
        "version",
        1,
        "LeadStageChanged: version: got 1, expected a whole number of at least 2",
    ),
    "a lost lead without a lost reason": (
        lambda: attrs.evolve(ADVANCED, event="lose", to_stage="lost"),
        InvalidField,
        "lost_reason",
        None,
        "lost_reason: got None, expected a LostReason: a lost lead carries one",
    ),
    "a lost reason on a move that is not a loss": (
        lambda: attrs.evolve(ADVANCED, event="win", lost_reason="budget"),
        InvalidField,
        "lost_reason",
        "budget",
        "lost_reason: got 'budget', expected nothing: win carries no lost reason",
    ),
    "a disqualification that is not not-target": (
        lambda: attrs.evolve(ADVANCED, event="disqualify", to_stage="lost", lost_reason="budget"),
        InvalidField,
        "lost_reason",
        "budget",
        "lost_reason: got 'budget', expected not_target for a disqualified lead",
    ),
    "a not-ready lead without a date to come back": (
        lambda: LEAD.lose(reason="not_ready", at=at(2)),
        InvalidField,
        "come_back_on",
        None,
        "come_back_on: got None, expected the date to come back: a not-ready lead carries it",
    ),
    "a date to come back for a lead that does not come back": (
        lambda: LEAD.lose(reason="budget", at=at(2), come_back_on=date(2027, 1, 1)),
        InvalidField,
        "come_back_on",
        date(2027, 1, 1),
        "come_back_on: got datetime.date(2027, 1, 1), expected nothing: only not-ready and"
        " seasonal leads come back",
    ),
    "a date to come back that is not after the day of the loss": (
        lambda: LEAD.lose(reason="seasonal", at=at(2), come_back_on=date(2026, 11, 23)),
        InvalidField,
        "come_back_on",
        date(2026, 11, 23),
        "come_back_on: got datetime.date(2026, 11, 23), expected a date after 2026-11-23,"
        " the day of at (2026-11-23T11:00:00+00:00)",
    ),
    "a move back without a reason": (
        lambda: attrs.evolve(ADVANCED, event="move_back"),
        InvalidField,
        "reason",
        None,
        "reason: got None, expected why the lead moves back: a backward move needs it",
    ),
    "an event of another lead": (
        lambda: _replay_with_second_event(lead_id="L-2"),
        CorruptDocument,
        "events[1].lead_id",
        "L-2",
        "events[1].lead_id: got 'L-2', expected 'L-1', this lead's id",
    ),
    "a skipped version": (
        lambda: _replay_with_second_event(version=3),
        CorruptDocument,
        "events[1].version",
        3,
        "events[1].version: got 3, expected 2, the next version",
    ),
    "time going backwards": (
        lambda: _replay_with_second_event(at=EARLIER),
        CorruptDocument,
        "events[1].at",
        EARLIER,
        f"events[1].at: got {EARLIER!r}, expected a time on or after the latest change"
        " (2026-11-23T09:00:00+00:00)",
    ),
    "a wrong from_stage": (
        lambda: _replay_with_second_event(from_stage="interest"),
        CorruptDocument,
        "events[1].from_stage",
        LeadStage.INTEREST,
        "events[1].from_stage: got 'interest', expected 'awareness', the current stage",
    ),
    "a wrong to_stage": (
        lambda: _replay_with_second_event(to_stage="decision"),
        CorruptDocument,
        "events[1].to_stage",
        LeadStage.DECISION,
        "events[1].to_stage: got 'decision', expected 'interest', where advance leads",
    ),
    "qualifying a closed lead on replay": (
        lambda: Lead.replay(
            [
                *CUSTOMER.history,
                LeadQualified(lead_id="L-1", version=CUSTOMER.version + 1, at=at(9), actor="q"),
            ]
        ),
        CorruptDocument,
        "events[5].event",
        "qualify",
        "events[5].event: got 'qualify', expected an event allowed from customer: repeat_purchase",
    ),
    "replaying something not iterable": (
        lambda: Lead.replay(5),
        CorruptType,
        "events",
        5,
        "events: got 5, expected an iterable of lead events",
    ),
    "facts without the current stage": (
        lambda: LEAD.facts({}),
        InvalidField,
        "facts",
        {},
        "facts: got {}, expected StageFacts for every stage (none for interest)",
    ),
    "time in stages before the latest change": (
        lambda: LEAD.time_in_stages(T0),
        ClockConflict,
        "now",
        T0,
        f"now: got {T0!r}, expected a time on or after the latest change (2026-11-23T10:00:00+00:00)",
    ),
    "time in stages at a naive time": (
        lambda: LEAD.time_in_stages(datetime(2027, 1, 1)),
        InvalidType,
        "now",
        datetime(2027, 1, 1),
        "now: got datetime.datetime(2027, 1, 1, 0, 0), expected a timezone-aware datetime"
        " (this one is naive)",
    ),
    "a zero stall threshold": (
        lambda: LEAD.stalled(at(9), timedelta(0)),
        InvalidField,
        "threshold",
        timedelta(0),
        "threshold: got datetime.timedelta(0), expected a positive timedelta",
    ),
    "a stall threshold that is not a timedelta": (
        lambda: LEAD.stalled(at(9), 5),
        InvalidField,
        "threshold",
        5,
        "threshold: got 5, expected a positive timedelta",
    ),
    "an event document whose name is not a string": (
        lambda: event_from_dict({**ADVANCED_DOC, "event": 5}),
        InvalidField,
        "event.event",
        5,
        "event.event: got 5, expected one of create, advance, fast_track, move_back, win,"
        " repeat_purchase, disqualify, lose, reactivate, qualify, log_activity",
    ),
    "an event document with unknown keys": (
        lambda: event_from_dict({**ADVANCED_DOC, "zzz": 1, "aaa": 2}, field="history[1]"),
        InvalidField,
        "history[1]",
        ["aaa", "zzz"],
        f"history[1]: got ['aaa', 'zzz'], expected only the keys {KEYS}",
    ),
    "a create document numbered 2": (
        lambda: event_from_dict({**CREATED.to_dict(), "version": 2}),
        InvalidField,
        "event.version",
        2,
        "event.version: got 2, expected 1 for a create event",
    ),
    "an event document with a naive time": (
        lambda: event_from_dict({**ADVANCED_DOC, "at": "2026-11-23T09:00:00"}, field="h[1]"),
        InvalidType,
        "h[1].at",
        datetime(2026, 11, 23, 9),
        "h[1].at: got datetime.datetime(2026, 11, 23, 9, 0), expected a timezone-aware datetime"
        " (this one is naive)",
    ),
    "an event document numbered 1": (
        lambda: event_from_dict({**ADVANCED_DOC, "version": 1}, field="h[1]"),
        InvalidField,
        "h[1].version",
        1,
        "h[1].version: got 1, expected a whole number of at least 2",
    ),
    "an event document that is not a mapping": (
        lambda: event_from_dict(5),
        InvalidType,
        "event",
        5,
        "event: got 5, expected a mapping (dict)",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_lead_refusal_names_the_field_the_value_and_what_was_expected(case):
    call, error, field, value, message = REFUSALS[case]

    with pytest.raises(error) as caught:
        call()

    assert type(caught.value) is error
    assert (caught.value.field, caught.value.value) == (field, value)
    assert str(caught.value) == message


def test_an_event_document_missing_a_key_is_refused_naming_the_key():
    document = {k: v for k, v in ADVANCED_DOC.items() if k != "actor"}

    with pytest.raises(InvalidField) as caught:
        event_from_dict(document, field="history[1]")

    assert str(caught.value) == "history[1].actor: got None, expected a value (it is missing)"


def test_qualifying_a_closed_lead_says_the_stage_and_what_is_allowed():
    with pytest.raises(InvalidTransition) as caught:
        CUSTOMER.qualify(at=at(9))

    assert (caught.value.state, caught.value.event) == ("customer", "qualify")
    assert str(caught.value) == "Can't qualify a lead that is customer; allowed: repeat_purchase."


def test_stage_facts_that_are_not_a_mapping_are_refused_saying_what_to_pass():
    with pytest.raises(InvalidType) as caught:
        LEAD.facts(5)

    assert str(caught.value) == "facts: got 5, expected a mapping of LeadStage to StageFacts"


@pytest.mark.parametrize("stage", ["won", 5, None])
def test_stage_visits_of_something_that_is_not_a_stage_are_refused_naming_stage(stage):
    with pytest.raises(InvalidField) as caught:
        LEAD.stage_visits(stage)

    assert (caught.value.field, caught.value.value) == ("stage", stage)
