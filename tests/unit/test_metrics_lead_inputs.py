"""Every lead metric reads the same shapes through one reader; manager KPIs can follow routing's credit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salesflow import InvalidField, InvalidType, Money
from salesflow.leads import ActivityKind, Lead, LostReason
from salesflow.metrics import (
    lead_conversion_rate,
    manager_kpis,
    sales_cycle_length,
    time_in_lead_stages,
)
from salesflow.routing import Ownership, Role

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def won_lead(lead_id: str, *, closer: str = "bob", after: int = 10) -> Lead:
    lead = Lead.create(
        lead_id=lead_id, source="inbound", at=T0, deal_value=Money("1000", "EUR")
    ).lead
    lead = lead.log_activity(kind=ActivityKind.INTRO_CALL, at=T0 + DAY, actor="ann").lead
    for step in range(3):
        lead = lead.advance(at=T0 + (step + 2) * DAY, actor="ann").lead
    lead = lead.log_activity(kind=ActivityKind.DEMO, at=T0 + 6 * DAY, actor="ann").lead
    return lead.win(at=T0 + after * DAY, actor=closer).lead


def lost_lead(lead_id: str) -> Lead:
    lead = Lead.create(lead_id=lead_id, source="inbound", at=T0).lead
    lead = lead.log_activity(kind=ActivityKind.DEMO, at=T0 + DAY, actor="cy").lead
    return lead.lose(reason=LostReason.BUDGET, at=T0 + 2 * DAY, actor="cy").lead


def shapes(leads: list[Lead]) -> dict[str, list[object]]:
    """The same leads in every shape the lead reader takes."""
    loose = [event for lead in leads for event in reversed(lead.history)]
    return {
        "aggregates": list(leads),
        "histories": [lead.history for lead in leads],
        "documents": [lead.to_dict() for lead in leads],
        "loose events": loose,
        "loose event documents": [event.to_dict() for event in loose],
    }


LEADS = [won_lead("L-1"), won_lead("L-2", closer="dana", after=20), lost_lead("L-3")]


@pytest.mark.parametrize("shape", list(shapes(LEADS)))
def test_the_sales_cycle_reads_loose_lead_events_like_the_leads(shape):
    given = shapes(LEADS)[shape]

    assert sales_cycle_length(given) == sales_cycle_length(LEADS)


@pytest.mark.parametrize("shape", list(shapes(LEADS)))
def test_every_lead_conversion_variant_reads_every_shape_alike(shape):
    given = shapes(LEADS)[shape]

    for variant in ("leads", "qualified", "demo_after_intro_call", "lost_after_demo"):
        assert lead_conversion_rate(given, variant=variant) == lead_conversion_rate(
            LEADS, variant=variant
        )


@pytest.mark.parametrize("shape", list(shapes(LEADS)))
def test_manager_kpis_and_stage_times_read_every_shape_alike(shape):
    given = shapes(LEADS)[shape]
    now = T0 + 30 * DAY

    assert manager_kpis(given) == manager_kpis(LEADS)
    assert time_in_lead_stages(given, now=now) == time_in_lead_stages(LEADS, now=now)


def test_the_demo_variants_read_lead_records_as_the_sales_metrics_do():
    records = [
        {"won_at": None, "intro_call": True, "demo_after_intro_call": True},
        {"won_at": None, "intro_call": True},
        {"won_at": None, "demo": True, "lost_after_demo": True},
        {"won_at": None},
    ]

    asked = lead_conversion_rate(records, variant="demo_after_intro_call")
    lost = lead_conversion_rate(records, variant="lost_after_demo")

    assert (asked.numerator, asked.denominator) == (1, 2)
    assert (lost.numerator, lost.denominator) == (1, 1)
    assert asked.metric == "share asking for a demo after an intro call"
    assert lost.variant == "lost after the first demo"


def test_a_record_claiming_a_demo_after_an_intro_call_without_the_call_is_refused():
    with pytest.raises(InvalidField) as caught:
        lead_conversion_rate(
            [{"won_at": None, "demo_after_intro_call": True}], variant="demo_after_intro_call"
        )

    assert caught.value.field == "leads[0].intro_call"


def test_time_in_stage_refuses_a_lead_record_saying_it_needs_the_history():
    with pytest.raises(InvalidType, match="stage history") as caught:
        time_in_lead_stages([LEADS[0], {"won_at": None}], now=T0 + 30 * DAY)

    assert caught.value.field == "leads[1]"


def test_a_lead_given_twice_in_two_shapes_is_refused_by_every_lead_metric():
    lead = LEADS[0]

    for metric in (sales_cycle_length, lead_conversion_rate, manager_kpis):
        with pytest.raises(InvalidField, match="each lead once"):
            metric([lead, lead.to_dict()])
        with pytest.raises(InvalidField, match="each lead once"):
            metric([lead, *lead.history])


def test_a_loose_event_after_now_is_named_where_it_was_given():
    events = list(LEADS[0].history)

    with pytest.raises(InvalidField) as caught:
        sales_cycle_length(events, now=T0 + 5 * DAY)

    assert caught.value.field == "leads[5].at"


# -- manager: the lead's own, or routing's credit -------------------------------------------------


def closer(lead_id: str, person: str) -> Ownership:
    return Ownership.start(lead_id=lead_id, role=Role.CLOSER, person=person, at=T0).ownership


def test_without_ownerships_the_manager_is_the_leads_own():
    kpis = manager_kpis(LEADS)

    assert sorted(kpis) == ["ann", "bob", "cy", "dana"]  # ann logged activities only
    assert kpis["bob"].lead_conversion.denominator == 1
    assert kpis["ann"].lead_conversion.denominator == 0


def test_with_ownerships_the_manager_is_the_person_credited_as_closer():
    kpis = manager_kpis(LEADS, ownerships=[closer("L-1", "erin"), closer("L-2", "erin")])

    assert sorted(kpis) == ["ann", "cy", "erin"]  # ann logged activities; L-3 stays cy's
    assert kpis["erin"].sales_volume.value == Money("2000", "EUR")
    assert kpis["erin"].lead_conversion.numerator == 2
    assert kpis["ann"].lead_conversion.denominator == 0


def test_a_lead_whose_ownership_has_no_closer_yet_has_no_manager():
    qualifier = Ownership.start(lead_id="L-3", role=Role.QUALIFIER, person="quinn", at=T0)

    kpis = manager_kpis(LEADS, ownerships=[qualifier.ownership])

    assert kpis.unassigned == 1
    assert kpis["cy"].lead_conversion.denominator == 0


def test_a_record_with_an_ownership_may_leave_out_its_manager():
    rows = [
        {"lead_id": "R-1", "won_at": T0, "revenue": "50", "currency": "EUR"},
        {"lead_id": "R-2", "manager": "sam", "won_at": None},
    ]

    kpis = manager_kpis(rows, ownerships=[closer("R-1", "erin")])

    assert kpis["erin"].sales_volume.value == Money("50", "EUR")
    assert kpis["sam"].lead_conversion.denominator == 1
    with pytest.raises(InvalidField, match="missing") as caught:
        manager_kpis(rows)
    assert caught.value.field == "leads[0].manager"


def test_ownerships_that_are_not_ownerships_of_the_leads_are_refused_naming_them():
    with pytest.raises(InvalidType) as caught:
        manager_kpis(LEADS, ownerships=[closer("L-1", "erin"), "L-2"])
    assert caught.value.field == "ownerships[1]"
    with pytest.raises(InvalidField, match="one of leads") as caught:
        manager_kpis(LEADS, ownerships=[closer("L-9", "erin")])
    assert caught.value.field == "ownerships[0].lead_id"
    with pytest.raises(InvalidField, match="once") as caught:
        manager_kpis(LEADS, ownerships=[closer("L-1", "erin"), closer("L-1", "fay")])
    assert caught.value.field == "ownerships[1].lead_id"
    with pytest.raises(InvalidType) as caught:
        manager_kpis(LEADS, ownerships=closer("L-1", "erin"))
    assert caught.value.field == "ownerships"
