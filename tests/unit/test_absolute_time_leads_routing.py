"""Leads and routing read time as instants: the same instants written in any zone
(both folds of a repeated hour included) give the same durations, orderings,
expiries, absences, deadlines and assignments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.errors import InvalidField
from salesflow.leads import Lead, LeadStage
from salesflow.routing import (
    Absence,
    AssignmentLedger,
    Dispatcher,
    LeastLoaded,
    Ownership,
    Person,
    Role,
    RoundRobin,
    Team,
    WorkingHours,
    assign,
    reassign_overdue,
)
from salesflow.routing.deadlines import WaitingLead
from strategies import (
    CLOCK_CHANGE_ZONES,
    CLOCK_CHANGES,
    instants_near_clock_changes,
    sorted_instants,
    written_in,
)

BERLIN = ZoneInfo("Europe/Berlin")


def _close(size: int) -> st.SearchStrategy[list[datetime]]:
    """``size`` ascending distinct instants within an hour of one clock change, where
    wall-clock readings and instants disagree (the repeated hour: both folds)."""
    return st.builds(
        lambda change, minutes: [change + timedelta(minutes=m) for m in sorted(minutes)],
        st.sampled_from(CLOCK_CHANGES),
        st.sets(st.integers(-60, 59), min_size=size, max_size=size),
    )


def ascending(size: int) -> st.SearchStrategy[list[datetime]]:
    return st.one_of(_close(size), sorted_instants(min_size=size, max_size=size))


def pairs() -> st.SearchStrategy[tuple[datetime, datetime]]:
    """Two instants in any order: close to one change, or anywhere near the changes."""
    close = _close(2).flatmap(lambda two: st.sampled_from([tuple(two), tuple(two[::-1])]))
    return st.one_of(close, st.tuples(instants_near_clock_changes, instants_near_clock_changes))


LAWS = settings(max_examples=60, deadline=None)


def berlin(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=BERLIN, fold=fold)  # type: ignore[misc]


# -- the examples of the issue -------------------------------------------------------


def test_a_day_across_the_spring_clock_change_is_23_hours_in_a_stage():
    lead = Lead.create(lead_id="L-1", source="inbound", at=berlin(2026, 3, 28, 12)).lead
    lead = lead.advance(at=berlin(2026, 3, 29, 12)).lead

    spent = lead.time_in_stages(berlin(2026, 3, 29, 12))[LeadStage.AWARENESS].total

    assert spent == timedelta(hours=23)
    assert Lead.from_dict(lead.to_dict()).time_in_stages(berlin(2026, 3, 29, 12)) == (
        lead.time_in_stages(berlin(2026, 3, 29, 12))
    )


def test_a_change_in_the_second_run_of_a_repeated_hour_comes_after_the_first():
    created = berlin(2026, 10, 25, 2, 45)  # 00:45 UTC
    advanced = berlin(2026, 10, 25, 2, 15, fold=1)  # 01:15 UTC, 30 minutes later
    lead = Lead.create(lead_id="L-1", source="inbound", at=created).lead

    lead = lead.advance(at=advanced).lead

    assert lead.stage is LeadStage.INTEREST
    assert lead.time_in_stages(advanced)[LeadStage.AWARENESS].total == timedelta(minutes=30)


def test_a_change_before_the_latest_one_is_refused_even_when_its_wall_clock_reads_later():
    lead = Lead.create(lead_id="L-1", source="inbound", at=berlin(2026, 10, 25, 2, 15, fold=1)).lead

    with pytest.raises(InvalidField, match="on or after the latest change"):
        lead.advance(at=berlin(2026, 10, 25, 2, 45))  # 00:45 UTC: 30 minutes earlier


def _pending(expires_at: datetime) -> Ownership:
    record = Ownership.start(
        lead_id="L-1", role=Role.QUALIFIER, person="quinn", at=berlin(2026, 10, 25, 2, 0)
    ).ownership
    return record.hand_off(
        to_role=Role.CLOSER, to_person="cleo", at=berlin(2026, 10, 25, 2, 0), expires_at=expires_at
    ).ownership


def test_a_handoff_cannot_be_accepted_45_minutes_after_it_expired_in_a_repeated_hour():
    record = _pending(expires_at=berlin(2026, 10, 25, 2, 30))  # 00:30 UTC
    later = berlin(2026, 10, 25, 2, 15, fold=1)  # 01:15 UTC

    with pytest.raises(InvalidField, match="before the deadline"):
        record.accept(at=later)

    assert record.expire(at=later).ownership.pending is None


def test_an_absence_from_the_second_2am_does_not_count_in_the_first():
    absence = Absence(berlin(2026, 10, 25, 2, 0, fold=1), berlin(2026, 10, 25, 4, 0))
    ana = Person("ana", Role.CLOSER, absences=[absence])

    assert not absence.covers(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    assert ana.away_at(berlin(2026, 10, 25, 2, 30)) is None
    assert ana.away_at(berlin(2026, 10, 25, 2, 30, fold=1)) is absence


def test_a_wall_clock_response_deadline_across_the_autumn_change_is_counted_in_real_time():
    # Someone with no working time at all is held to wall-clock time: 2 real hours.
    team = Team(
        [Person("ana", Role.CLOSER, hours=WorkingHours("UTC", {})), Person("ben", Role.CLOSER)]
    )
    lead = WaitingLead("L-1", Role.CLOSER, "ana", since=berlin(2026, 10, 25, 1, 30))  # 23:30 UTC

    result = reassign_overdue(
        [lead],
        now=datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        deadline=timedelta(hours=2),
        team=team,
        ledger=AssignmentLedger(),
        strategy=RoundRobin(),
    )

    assert [r.due_at for r in result.reassignments] == [datetime(2026, 10, 25, 1, 30, tzinfo=UTC)]


# -- the laws: the same instants in any zone, the same results ---------------------------


def _walk(instants: list[datetime], zone: object) -> Lead:
    at = [written_in(instant, zone) for instant in instants]
    lead = Lead.create(lead_id="L-1", source="inbound", at=at[0]).lead
    for index, moment in enumerate(at[1:]):
        if lead.stage is LeadStage.DECISION:
            lead = lead.move_back(reason="re-think", at=moment).lead
        elif index % 3 == 2:
            lead = lead.log_activity(kind="call", at=moment).lead
        else:
            lead = lead.advance(at=moment).lead
    return lead


def _durations(lead: Lead, now: datetime) -> dict[LeadStage, tuple[timedelta, int]]:
    return {stage: (t.total, t.count) for stage, t in lead.time_in_stages(now).items()}


@LAWS
@given(st.one_of(_close(4), sorted_instants(min_size=2, max_size=7)), st.integers(0, 36 * 60))
def test_stage_durations_are_the_same_in_every_zone(instants, minutes):
    now = instants[-1] + timedelta(minutes=minutes)
    expected = _durations(_walk(instants, UTC), now)

    for zone in CLOCK_CHANGE_ZONES:
        lead = _walk(instants, zone)

        assert _durations(lead, written_in(now, zone)) == expected, zone
    assert sum((total for total, _ in expected.values()), timedelta(0)) == now - instants[0]


@LAWS
@given(pairs())
def test_a_change_is_accepted_exactly_when_its_instant_is_not_before_the_latest(ab):
    a, b = ab
    for za in CLOCK_CHANGE_ZONES:
        for zb in CLOCK_CHANGE_ZONES:
            lead = Lead.create(lead_id="L-1", source="inbound", at=written_in(a, za)).lead

            try:
                lead.advance(at=written_in(b, zb))
                accepted = True
            except InvalidField:
                accepted = False

            assert accepted == (b >= a), (za, zb)


@LAWS
@given(ascending(3), st.sampled_from(["accept", "reject", "expire"]))
def test_handoff_deadlines_decide_by_the_instant_in_every_zone(instants, verb):
    submitted, first, second = instants
    options = {"reason": "duplicate"} if verb == "reject" else {}
    # A deadline and an action, in either order, both after the submission.
    for deadline, action in ((first, second), (second, first)):
        expected = (action >= deadline) if verb == "expire" else (action < deadline)
        for zone in CLOCK_CHANGE_ZONES:
            record = Ownership.start(
                lead_id="L-1", role=Role.QUALIFIER, person="quinn", at=written_in(submitted, zone)
            ).ownership
            record = record.hand_off(
                to_role=Role.CLOSER,
                to_person="cleo",
                at=written_in(submitted, zone),
                expires_at=written_in(deadline, zone),
            ).ownership

            try:
                getattr(record, verb)(at=written_in(action, zone), **options)
                done = True
            except InvalidField:
                done = False

            assert done == expected, zone


@LAWS
@given(ascending(3))
def test_an_absence_covers_the_same_instants_in_every_zone(three):
    start, _, end = three
    for zone in CLOCK_CHANGE_ZONES:
        absence = Absence(written_in(start, zone), written_in(end, zone))
        for at_zone in CLOCK_CHANGE_ZONES:
            for moment in three:
                covered = absence.covers(written_in(moment, at_zone))

                assert covered == (start <= moment < end), (zone, at_zone, moment)


@LAWS
@given(
    ascending(5),
    st.sampled_from([None, WorkingHours("UTC", {}), WorkingHours.office("Europe/Berlin")]),
)
def test_response_deadlines_pass_at_the_same_instants_in_every_zone(five, hours):
    sinces, now = five[:-1], five[-1]
    team = Team([Person("ana", Role.CLOSER, hours=hours), Person("ben", Role.CLOSER)])

    def run(written: object):
        waiting = [
            WaitingLead(f"L-{n}", Role.CLOSER, "ana", since=written_in(since, written))
            for n, since in enumerate(sinces)
        ]
        result = reassign_overdue(
            waiting,
            now=written_in(now, written),
            deadline=timedelta(minutes=45),
            team=team,
            ledger=AssignmentLedger(),
            strategy=RoundRobin(),
        )
        return [(r.lead_id, r.due_at, r.to_person) for r in result.reassignments]

    in_utc = run(UTC)

    for zone in CLOCK_CHANGE_ZONES:
        assert run(zone) == in_utc, zone


@LAWS
@given(ascending(6))
def test_assignment_decisions_are_the_same_in_every_zone(six):
    away = (six[1], six[3])

    def picks(written: object) -> tuple[list[str | None], list[str | None]]:
        absence = Absence(written_in(away[0], written), written_in(away[1], written))
        team = Team(
            [
                Person("ana", Role.CLOSER, absences=[absence]),
                Person("ben", Role.CLOSER, hours=WorkingHours.office("America/New_York")),
                Person("cy", Role.CLOSER, capacity=2),
            ]
        )
        ledger, pure, bulk = AssignmentLedger(), [], []
        dispatcher = Dispatcher(team, LeastLoaded())
        for n, moment in enumerate(six):
            at = written_in(moment, written)
            result = assign(
                f"L-{n}", Role.CLOSER, at=at, team=team, ledger=ledger, strategy=LeastLoaded()
            )
            ledger = result.ledger
            pure.append(result.decision.person)
            bulk.append(dispatcher.assign(f"L-{n}", Role.CLOSER, at=at).person)
        return pure, bulk

    in_utc = picks(UTC)

    assert in_utc[0] == in_utc[1]
    for zone in CLOCK_CHANGE_ZONES:
        assert picks(zone) == in_utc, zone
