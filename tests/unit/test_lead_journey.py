"""The lead's sales journey on the aggregate: intro call, demo, lost after a demo.

``had_intro_call``, ``had_demo``, ``demo_after_intro_call`` and
``lost_after_demo`` are what the activity variants of ``lead_conversion_rate``
read; ``credited_activities`` says who each logged activity counts for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salesflow import InvalidField, InvalidType
from salesflow.leads import ActivityKind, Lead, LostReason
from salesflow.metrics import lead_conversion_rate

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def lead_with(*kinds: ActivityKind, actor: str = "system", lead_id: str = "L-1") -> Lead:
    lead = Lead.create(lead_id=lead_id, source="inbound", at=T0).lead
    for hour, kind in enumerate(kinds, start=1):
        lead = lead.log_activity(kind=kind, at=T0 + hour * HOUR, actor=actor).lead
    return lead


def journey(lead: Lead) -> tuple[bool, bool, bool, bool]:
    return lead.had_intro_call, lead.had_demo, lead.demo_after_intro_call, lead.lost_after_demo


def lost(lead: Lead, hour: int = 10) -> Lead:
    return lead.lose(reason=LostReason.BUDGET, at=T0 + hour * HOUR).lead


def test_a_new_lead_has_had_nothing():
    assert journey(lead_with()) == (False, False, False, False)


def test_a_demo_after_an_intro_call_is_recorded():
    lead = lead_with(ActivityKind.INTRO_CALL, ActivityKind.CALL, ActivityKind.DEMO)

    assert journey(lead) == (True, True, True, False)


def test_a_demo_before_the_intro_call_is_not_a_demo_after_one():
    lead = lead_with(ActivityKind.DEMO, ActivityKind.INTRO_CALL)

    assert journey(lead) == (True, True, False, False)


def test_other_activities_are_neither_intro_calls_nor_demos():
    lead = lead_with(ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.PROPOSAL)

    assert journey(lead) == (False, False, False, False)


def test_a_lead_lost_after_a_demo_stays_so_once_reactivated():
    lead = lost(lead_with(ActivityKind.DEMO))
    back = lead.reactivate(at=T0 + 11 * HOUR).lead

    assert lead.lost_after_demo is True
    assert back.lost_after_demo is True


def test_a_lead_disqualified_after_a_demo_was_lost_after_it():
    lead = lead_with(ActivityKind.DEMO).disqualify(at=T0 + 5 * HOUR).lead

    assert lead.lost_after_demo is True


def test_a_lead_lost_before_its_demo_was_not_lost_after_one():
    lead = lost(lead_with(), hour=1).log_activity(kind=ActivityKind.DEMO, at=T0 + 2 * HOUR).lead

    assert journey(lead) == (False, True, False, False)


def test_a_lead_lost_without_a_demo_was_not_lost_after_one():
    assert lost(lead_with(ActivityKind.INTRO_CALL)).lost_after_demo is False


@pytest.mark.parametrize(
    "kinds",
    [
        (),
        (ActivityKind.INTRO_CALL, ActivityKind.DEMO),
        (ActivityKind.DEMO, ActivityKind.INTRO_CALL),
    ],
    ids=["none", "intro then demo", "demo then intro"],
)
def test_the_journey_survives_the_document_and_replay(kinds):
    lead = lost(lead_with(*kinds))

    assert journey(Lead.from_dict(lead.to_dict())) == journey(lead)
    assert journey(Lead.replay(lead.history)) == journey(lead)


def test_the_conversion_variants_read_the_same_as_records_of_the_journey():
    leads = [
        lost(lead_with(ActivityKind.INTRO_CALL, ActivityKind.DEMO)),
        lead_with(ActivityKind.DEMO, ActivityKind.INTRO_CALL, lead_id="L-2"),
        lead_with(ActivityKind.INTRO_CALL, lead_id="L-3"),
    ]
    records = [
        {
            "won_at": None,
            "intro_call": lead.had_intro_call,
            "demo": lead.had_demo,
            "demo_after_intro_call": lead.demo_after_intro_call,
            "lost_after_demo": lead.lost_after_demo,
        }
        for lead in leads
    ]

    for variant in ("demo_after_intro_call", "lost_after_demo"):
        from_leads = lead_conversion_rate(leads, variant=variant)
        from_records = lead_conversion_rate(records, variant=variant)
        assert (from_leads.numerator, from_leads.denominator) == (
            from_records.numerator,
            from_records.denominator,
        )
    assert lead_conversion_rate(leads, variant="demo_after_intro_call").denominator == 3
    assert lead_conversion_rate(leads, variant="lost_after_demo").numerator == 1


# -- credited_activities -------------------------------------------------------------------


def test_an_activity_counts_for_its_actor_and_a_system_one_for_the_manager():
    lead = lead_with(ActivityKind.CALL, actor="ann")
    lead = lead.log_activity(kind=ActivityKind.DEMO, at=T0 + 5 * HOUR).lead  # the system

    credited = lead.credited_activities(manager="sam")

    assert [(person, event.kind) for person, event in credited] == [
        ("ann", ActivityKind.CALL),
        ("sam", ActivityKind.DEMO),
    ]


def test_a_system_activity_with_no_manager_counts_for_nobody():
    lead = lead_with(ActivityKind.DEMO, ActivityKind.CALL)

    assert lead.credited_activities(manager=None) == ()


def test_the_manager_passed_decides_not_the_leads_own():
    lead = lead_with(ActivityKind.INTRO_CALL, actor="ann")
    lead = lead.log_activity(kind=ActivityKind.DEMO, at=T0 + 5 * HOUR).lead

    assert lead.manager == "ann"
    assert [person for person, _ in lead.credited_activities(manager="cleo")] == ["ann", "cleo"]


@pytest.mark.parametrize(("manager", "error"), [("", InvalidField), (7, InvalidType)])
def test_a_manager_that_is_not_a_name_is_refused_naming_it(manager, error):
    with pytest.raises(error) as caught:
        lead_with().credited_activities(manager=manager)

    assert caught.value.field == "manager"
