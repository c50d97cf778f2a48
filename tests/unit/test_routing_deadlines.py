"""Response deadlines: counted in the owner's working hours, a hop limit, then a supervisor or queue."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from salesflow import InvalidField, InvalidType
from salesflow.routing import (
    AssignmentLedger,
    Person,
    Role,
    RoundRobin,
    Team,
    WorkingHours,
    reassign_overdue,
)
from salesflow.routing.assignment import AssignmentVerdict
from salesflow.routing.deadlines import WaitingLead, after_lapse, due_at, hours_by_person

C = Role.CLOSER
OFFICE = WorkingHours.office("Europe/Berlin")
TEAM = Team([Person(name, C, hours=OFFICE) for name in ("ana", "ben", "cy")])
# Tuesday 2026-11-24, 10:00 in Berlin.
TUESDAY_10 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TWO_HOURS = timedelta(hours=2)


def overdue(waiting, now, **options):
    options = {
        "deadline": TWO_HOURS,
        "team": TEAM,
        "ledger": AssignmentLedger(),
        "strategy": RoundRobin(),
        **options,
    }
    return reassign_overdue(waiting, now=now, **options)


def test_a_lead_within_its_deadline_keeps_waiting_with_its_owner():
    lead = WaitingLead("L-1", C, "ana", since=TUESDAY_10)

    result = overdue([lead], TUESDAY_10 + timedelta(hours=1, minutes=59))

    assert result.reassignments == ()
    assert result.waiting == (lead,)


def test_a_lapsed_lead_goes_to_the_next_eligible_person_and_waits_again():
    lead = WaitingLead("L-1", C, "ana", since=TUESDAY_10)
    now = TUESDAY_10 + TWO_HOURS

    result = overdue([lead], now, ledger=AssignmentLedger().with_load("ana", 1))

    (moved,) = result.reassignments
    assert (moved.from_person, moved.to_person, moved.hop) == ("ana", "ben", 1)
    assert moved.decision.why_not("ana").verdict is AssignmentVerdict.EXCLUDED
    assert result.waiting == (WaitingLead("L-1", C, "ben", since=now, hops=1, tried={"ana"}),)
    assert result.ledger.load("ana") == 0
    assert result.ledger.load("ben") == 1


def test_the_evening_and_the_night_do_not_count_against_the_owner():
    monday_16 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 16:00 in Berlin
    lead = WaitingLead("L-1", C, "ana", since=monday_16)

    before = overdue([lead], TUESDAY_10 - timedelta(hours=1, minutes=1))  # 08:59 Berlin
    after = overdue([lead], TUESDAY_10)

    assert before.reassignments == ()
    assert after.reassignments[0].due_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_after_the_hop_limit_a_lead_goes_to_the_roles_supervisor():
    lead = WaitingLead("L-1", C, "cy", since=TUESDAY_10, hops=2, tried={"ana", "ben"})

    result = overdue([lead], TUESDAY_10 + TWO_HOURS, supervisors={C: "head-of-sales"})

    (escalated,) = result.reassignments
    assert escalated.decision is None
    assert escalated.escalated_to == "head-of-sales"
    assert escalated.hop == 3
    assert result.waiting == ()


def test_without_a_supervisor_an_escalated_lead_goes_to_the_roles_queue():
    lead = WaitingLead("L-1", C, "cy", since=TUESDAY_10, hops=1, tried={"ana"})

    result = overdue([lead], TUESDAY_10 + TWO_HOURS, max_hops=1)

    assert result.reassignments[0].escalated_to == "closer queue"


def test_when_everyone_eligible_already_let_it_lapse_the_lead_is_escalated_not_lost():
    lead = WaitingLead("L-1", C, "cy", since=TUESDAY_10, hops=1, tried={"ana", "ben"})

    result = overdue([lead], TUESDAY_10 + TWO_HOURS, max_hops=5)

    (escalated,) = result.reassignments
    assert escalated.decision is not None
    assert escalated.decision.queued
    assert escalated.escalated_to == "closer queue"


def test_the_result_does_not_depend_on_the_order_of_the_waiting_leads():
    leads = [
        WaitingLead(f"L-{n}", C, "ana", since=TUESDAY_10 - timedelta(minutes=n)) for n in range(6)
    ]
    shuffled = leads[:]
    random.Random(7).shuffle(shuffled)
    now = TUESDAY_10 + TWO_HOURS

    first = overdue(leads, now)
    second = overdue(shuffled, now)

    assert [(r.lead_id, r.to_person) for r in first.reassignments] == [
        (r.lead_id, r.to_person) for r in second.reassignments
    ]
    assert [r.lead_id for r in first.reassignments] == [f"L-{n}" for n in range(5, -1, -1)]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"deadline": timedelta(0)}, "deadline"),
        ({"max_hops": -1}, "max_hops"),
        ({"team": []}, "team"),
        ({"supervisors": ["boss"]}, "supervisors"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(options, field):
    with pytest.raises((InvalidField, InvalidType)) as raised:
        overdue([], TUESDAY_10, **options)

    assert raised.value.field == field


def test_a_naive_now_is_refused():
    with pytest.raises(InvalidType, match="now"):
        overdue([], datetime(2026, 11, 24, 10))


def test_a_waiting_lead_must_say_since_when_in_an_aware_time():
    with pytest.raises(InvalidType, match="since"):
        WaitingLead("L-1", C, "ana", since=datetime(2026, 11, 24, 10))


def test_the_same_lead_waiting_twice_is_refused_naming_it():
    lead = WaitingLead("L-1", C, "ana", since=TUESDAY_10)

    with pytest.raises(InvalidField) as raised:
        overdue([lead, lead], TUESDAY_10 + TWO_HOURS)

    assert raised.value.field == "waiting[1].lead_id"


def test_a_deadline_beyond_what_working_hours_count_never_passes_as_in_the_simulator():
    always = Team([Person("ana", C), Person("ben", C)])
    lead = WaitingLead("L-1", C, "ana", since=TUESDAY_10)

    result = overdue(
        [lead], TUESDAY_10 + timedelta(days=4000), team=always, deadline=timedelta(days=4000)
    )

    assert result.reassignments == ()
    assert result.waiting == (lead,)


@pytest.mark.parametrize(
    ("hops", "max_hops", "found", "asked", "to_person"),
    [
        (0, 2, "ben", True, "ben"),
        (1, 2, None, True, None),  # nobody eligible left: escalated
        (2, 2, "ben", False, None),  # the hop limit: nobody is even looked for
    ],
)
def test_a_lapse_excludes_everyone_who_let_it_pass_and_hops_until_the_limit(
    hops, max_hops, found, asked, to_person
):
    looked_for = []

    def find(exclude):
        looked_for.append(exclude)
        return found

    step = after_lapse("cy", {"ana"}, hops, max_hops, find)

    assert looked_for == ([frozenset({"ana", "cy"})] if asked else [])
    assert (step.tried, step.hop, step.to_person) == (frozenset({"ana", "cy"}), hops + 1, to_person)


def test_an_owner_who_left_or_never_works_is_held_to_wall_clock_time_in_team_and_table_alike():
    idle = WorkingHours("Europe/Berlin", {})
    team = Team([Person("ana", C, hours=OFFICE), Person("ben", C, hours=idle)])
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    monday_11_berlin = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)

    due = {
        person: (
            due_at(team, person, saturday, TWO_HOURS),
            due_at(hours_by_person(team), person, saturday, TWO_HOURS),
        )
        for person in ("ana", "ben", "gone")
    }

    assert due == {
        "ana": (monday_11_berlin, monday_11_berlin),
        "ben": (saturday + TWO_HOURS, saturday + TWO_HOURS),
        "gone": (saturday + TWO_HOURS, saturday + TWO_HOURS),
    }
