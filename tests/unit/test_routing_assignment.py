"""Assigning people within a role: each strategy, eligibility, fairness and explanations."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest

from salesflow import InvalidField, InvalidType, SalesflowError
from salesflow.routing import (
    Absence,
    AssignmentLedger,
    Dispatcher,
    LeastLoaded,
    Person,
    Role,
    RoundRobin,
    Rules,
    Sticky,
    Team,
    Weighted,
    WorkingHours,
    assign,
)
from salesflow.routing.assignment import AssignmentVerdict
from salesflow.routing.ledger import LedgerEntry
from salesflow.routing.strategies import Rule

C = Role.CLOSER
# A Wednesday, 10:00 UTC.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def closers(*names: str, **options) -> Team:
    return Team([Person(name, C, **options) for name in names])


def run(team: Team, strategy, count: int, ledger: AssignmentLedger | None = None, **options):
    """Fold assign() over ``count`` leads; return the picks and the final ledger."""
    ledger = ledger or AssignmentLedger()
    picks = []
    for n in range(count):
        result = assign(
            f"L-{n}",
            C,
            at=NOW + timedelta(minutes=n),
            team=team,
            ledger=ledger,
            strategy=strategy,
            **options,
        )
        picks.append(result.decision.person)
        ledger = result.ledger
    return picks, ledger


# -- round robin ---------------------------------------------------------------------


def test_round_robin_goes_through_the_team_in_order_and_starts_again():
    picks, _ = run(closers("ana", "ben", "cy"), RoundRobin(), 7)

    assert picks == ["ana", "ben", "cy", "ana", "ben", "cy", "ana"]


def test_round_robin_skips_someone_away_and_gives_them_the_next_turn_when_back():
    back = NOW + timedelta(minutes=3)
    team = Team(
        [
            Person("ana", C),
            Person("ben", C, absences=[Absence(NOW - timedelta(days=3), back, "holiday")]),
            Person("cy", C),
        ]
    )

    picks, _ = run(team, RoundRobin(), 8)

    # Away for leads 0-2; back for lead 3, served once, then waits like everyone else.
    assert picks == ["ana", "cy", "ana", "ben", "cy", "ana", "ben", "cy"]


def test_a_person_added_to_the_team_takes_one_turn_and_nobody_elses_counts_reset():
    team = closers("ana", "ben")
    _, ledger = run(team, RoundRobin(), 4)

    picks, after = run(team.with_person(Person("cy", C)), RoundRobin(), 4, ledger)

    assert picks == ["cy", "ana", "ben", "cy"]
    assert after.assigned("ana") == 3
    assert after.assigned("ben") == 3


def test_removing_a_person_keeps_everyone_elses_tallies():
    team = closers("ana", "ben", "cy")
    _, ledger = run(team, RoundRobin(), 6)

    picks, after = run(team.without("ben"), RoundRobin(), 2, ledger)

    assert picks == ["ana", "cy"]
    assert after.assigned("ana") == 3
    assert after.assigned("ben") == 2


def test_a_lead_credited_back_earns_a_make_up_turn():
    team = closers("ana", "ben", "cy")
    _, ledger = run(team, RoundRobin(), 3)
    ledger = ledger.credit_back("ben")  # a no-show

    picks, after = run(team, RoundRobin(), 4, ledger)

    assert picks == ["ben", "ana", "cy", "ben"]
    assert after.tally("ben").owed == 0
    assert [after.assigned(p) for p in ("ana", "ben", "cy")] == [2, 2, 2]


def test_crediting_back_someone_who_holds_nothing_is_refused():
    with pytest.raises(InvalidField, match="person: got 'ana'"):
        AssignmentLedger().credit_back("ana")


# -- weighted ------------------------------------------------------------------------


def test_weighted_gives_each_person_their_weight_in_every_full_round():
    team = Team([Person("ana", C, weight=3), Person("ben", C, weight=1), Person("cy", C, weight=2)])

    picks, _ = run(team, Weighted(), 60)

    assert Counter(picks) == {"ana": 30, "ben": 10, "cy": 20}


def test_weighted_spreads_the_heavy_persons_turns_rather_than_bunching_them():
    team = Team([Person("ana", C, weight=2), Person("ben", C, weight=1)])

    picks, _ = run(team, Weighted(), 6)

    assert picks == ["ana", "ben", "ana", "ana", "ben", "ana"]


def test_weighted_explains_who_had_lower_credit():
    team = Team([Person("ana", C, weight=3), Person("ben", C, weight=1)])

    result = assign("L-1", C, at=NOW, team=team, ledger=AssignmentLedger(), strategy=Weighted())

    assert result.decision.why_not("ben").verdict is AssignmentVerdict.LOWER_WEIGHT


# -- least loaded ---------------------------------------------------------------------


def test_least_loaded_picks_the_person_with_fewest_open_leads():
    ledger = AssignmentLedger().with_load("ana", 5).with_load("ben", 2).with_load("cy", 4)

    result = assign(
        "L-1", C, at=NOW, team=closers("ana", "ben", "cy"), ledger=ledger, strategy=LeastLoaded()
    )

    assert result.decision.person == "ben"
    assert result.decision.why_not("ana").verdict is AssignmentVerdict.MORE_LOADED
    assert result.decision.why_not("ana").detail == "5 open leads, ben had 2"


def test_least_loaded_never_exceeds_a_capacity():
    team = Team([Person("ana", C, capacity=2), Person("ben", C, capacity=3)])

    picks, ledger = run(team, LeastLoaded(), 7)

    assert picks[5:] == [None, None]
    assert ledger.load("ana") == 2
    assert ledger.load("ben") == 3


def test_a_person_back_from_absence_with_no_leads_is_paced_not_flooded():
    team = closers(*[f"p{i}" for i in range(10)])
    ledger = AssignmentLedger()
    for i in range(1, 10):
        ledger = ledger.with_load(f"p{i}", 20)  # p0 comes back with an empty desk

    picks, after = run(team, LeastLoaded(pace=2), 50, ledger)

    # Without pacing p0 would take all 20 leads until level; paced, it takes one
    # lead every ceil(10 / 2) = 5 turns while the others are eligible.
    assert picks.count("p0") == 10
    assert all(picks[i] == "p0" for i in range(0, 50, 5))
    assert after.load("p0") == 10


def test_without_pacing_least_loaded_levels_a_returner_at_once():
    team = closers("p0", "p1", "p2")
    ledger = AssignmentLedger().with_load("p1", 5).with_load("p2", 5)

    picks, _ = run(team, LeastLoaded(pace=None), 5, ledger)

    assert picks == ["p0"] * 5


def test_pacing_never_leaves_a_lead_unassigned_while_someone_is_eligible():
    team = Team([Person("ana", C), Person("ben", C), Person("cy", C, active=False)])
    ledger = AssignmentLedger().with_load("ben", 50)

    picks, _ = run(team, LeastLoaded(pace=1), 4, ledger)

    assert None not in picks


# -- eligibility, queues and explanations -------------------------------------------------


def test_when_nobody_is_eligible_the_lead_goes_to_the_roles_queue_with_every_reason():
    late = NOW.replace(hour=22)
    office = WorkingHours.office("Europe/Berlin")
    team = Team(
        [
            Person("ana", C, active=False),
            Person("ben", C, hours=office),
            Person("cy", C, absences=[Absence(NOW, NOW + timedelta(days=1), "sick")]),
            Person("dee", C, capacity=1),
        ]
    )
    ledger = AssignmentLedger().with_load("dee", 1)

    decision = assign("L-1", C, at=late, team=team, ledger=ledger, strategy=RoundRobin()).decision

    assert decision.queued
    assert decision.queue == "closer queue"
    assert [(r.person, r.verdict) for r in decision.reasons] == [
        ("ana", AssignmentVerdict.INACTIVE),
        ("ben", AssignmentVerdict.OFF_HOURS),
        ("cy", AssignmentVerdict.AWAY),
        ("dee", AssignmentVerdict.AT_CAPACITY),
    ]
    assert "sick until 2026-11-26T10:00:00+00:00" in decision.why_not("cy").detail


def test_working_hours_are_read_in_the_persons_own_time_zone():
    tokyo = WorkingHours.office("Asia/Tokyo", start=time(9), end=time(18))
    berlin = WorkingHours.office("Europe/Berlin", start=time(9), end=time(18))
    team = Team([Person("kenji", C, hours=tokyo), Person("lena", C, hours=berlin)])
    morning_utc = NOW.replace(hour=2)  # 11:00 in Tokyo, 03:00 in Berlin

    decision = assign(
        "L-1", C, at=morning_utc, team=team, ledger=AssignmentLedger(), strategy=RoundRobin()
    ).decision

    assert decision.person == "kenji"
    assert decision.why_not("lena").verdict is AssignmentVerdict.OFF_HOURS


def test_every_person_of_the_role_has_exactly_one_reason_and_the_picked_comes_first():
    team = Team([Person("q", Role.QUALIFIER), *closers("ana", "ben", "cy")])

    decision = assign(
        "L-1", C, at=NOW, team=team, ledger=AssignmentLedger(), strategy=RoundRobin()
    ).decision

    assert [r.person for r in decision.reasons] == ["ana", "ben", "cy"]
    assert decision.reasons[0].verdict is AssignmentVerdict.PICKED
    assert {r.verdict for r in decision.reasons[1:]} == {AssignmentVerdict.NOT_THEIR_TURN}


def test_a_decision_is_reproducible_from_its_inputs():
    team = Team([Person("ana", C, weight=2), Person("ben", C, capacity=4), Person("cy", C)])
    ledger = AssignmentLedger().with_load("ben", 3)

    first = assign("L-9", C, at=NOW, team=team, ledger=ledger, strategy=Weighted())
    again = assign("L-9", C, at=NOW, team=team, ledger=ledger, strategy=Weighted())

    assert first.decision == again.decision
    assert first.ledger == again.ledger
    assert first.decision.explain() == again.decision.explain()


def test_assign_changes_nothing_it_was_given():
    ledger = AssignmentLedger().with_load("ana", 1)
    before = ledger.to_dict()

    assign("L-1", C, at=NOW, team=closers("ana", "ben"), ledger=ledger, strategy=LeastLoaded())

    assert ledger.to_dict() == before


def test_excluded_people_are_skipped_and_say_so():
    decision = assign(
        "L-1",
        C,
        at=NOW,
        team=closers("ana", "ben"),
        ledger=AssignmentLedger(),
        strategy=RoundRobin(),
        exclude={"ana"},
    ).decision

    assert decision.person == "ben"
    assert decision.why_not("ana").verdict is AssignmentVerdict.EXCLUDED


# -- sticky and rules -----------------------------------------------------------------------


def test_sticky_gives_the_lead_to_the_accounts_existing_owner():
    decision = assign(
        "L-1",
        C,
        at=NOW,
        team=closers("ana", "ben"),
        ledger=AssignmentLedger(),
        strategy=Sticky(RoundRobin()),
        account_owner="ben",
    ).decision

    assert decision.person == "ben"
    assert decision.why_not("ana").verdict is AssignmentVerdict.NOT_ACCOUNT_OWNER


def test_sticky_falls_back_to_its_strategy_when_the_owner_is_not_eligible():
    team = Team([Person("ana", C), Person("ben", C, active=False)])

    decision = assign(
        "L-1",
        C,
        at=NOW,
        team=team,
        ledger=AssignmentLedger(),
        strategy=Sticky(LeastLoaded()),
        account_owner="ben",
    ).decision

    assert decision.person == "ana"
    assert decision.why_not("ben").verdict is AssignmentVerdict.INACTIVE


GERMAN_FIRST = Rules(
    [
        Rule(
            "German-speaking", when={"country": {"DE", "AT", "CH"}}, tags={"de"}, then=LeastLoaded()
        ),
        Rule("everyone else", then=RoundRobin()),
    ]
)


def test_the_first_matching_rule_decides_and_only_its_people_are_considered():
    team = Team([Person("ana", C), Person("ben", C, tags={"de"})])

    decision = assign(
        "L-1",
        C,
        at=NOW,
        team=team,
        ledger=AssignmentLedger(),
        strategy=GERMAN_FIRST,
        attributes={"country": "AT"},
    ).decision

    assert decision.person == "ben"
    assert decision.rule == "German-speaking"
    assert decision.why_not("ana").verdict is AssignmentVerdict.NOT_MATCHED


def test_a_lead_no_rule_names_falls_to_the_catch_all():
    team = Team([Person("ana", C), Person("ben", C, tags={"de"})])

    decision = assign(
        "L-1",
        C,
        at=NOW,
        team=team,
        ledger=AssignmentLedger(),
        strategy=GERMAN_FIRST,
        attributes={"country": "FR"},
    ).decision

    assert decision.rule == "everyone else"
    assert decision.person == "ana"


def test_a_rule_set_without_a_catch_all_is_refused_when_built():
    with pytest.raises(InvalidField, match="a catch-all rule last"):
        Rules([Rule("big deals", when={"segment": "enterprise"})])


def test_a_rule_after_the_catch_all_is_refused_as_unreachable():
    with pytest.raises(InvalidField, match="it could never match"):
        Rules([Rule("all"), Rule("big deals", when={"segment": "enterprise"})])


# -- the ledger -------------------------------------------------------------------------------


def test_the_ledger_round_trips_through_json_primitives():
    _, ledger = run(closers("ana", "ben"), Weighted(), 5)
    ledger = ledger.credit_back("ana")

    assert AssignmentLedger.from_dict(ledger.to_dict()) == ledger


def test_a_malformed_ledger_document_names_the_field():
    document = AssignmentLedger().with_load("ana", 2).to_dict()
    document["people"]["ana"]["load"] = -1

    with pytest.raises(InvalidField, match=r"people\['ana'\]\.load: got -1"):
        AssignmentLedger.from_dict(document)


def test_a_ledger_document_with_a_number_written_as_text_names_the_path_and_the_type():
    document = AssignmentLedger().with_load("ana", 2).to_dict()
    document["people"]["ana"]["load"] = "3"

    with pytest.raises(InvalidType, match=r"people\['ana'\]\.load: got '3'"):
        AssignmentLedger.from_dict(document)


def test_releasing_a_lead_lowers_the_load():
    ledger = AssignmentLedger().with_load("ana", 2).release("ana")

    assert ledger.load("ana") == 1
    assert ledger.tally("ana") == LedgerEntry(load=1)


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"at": datetime(2026, 11, 25, 10)}, "at"),
        ({"lead_id": "  "}, "lead_id"),
        ({"role": "ceo"}, "role"),
        ({"strategy": "fastest"}, "strategy"),
        ({"team": ["ana"]}, "team"),
        ({"ledger": {}}, "ledger"),
        ({"exclude": "ana"}, "exclude"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(changes, field):
    arguments = {
        "lead_id": "L-1",
        "role": C,
        "at": NOW,
        "team": closers("ana"),
        "ledger": AssignmentLedger(),
        "strategy": RoundRobin(),
    }
    arguments.update(changes)

    with pytest.raises(SalesflowError) as raised:
        assign(arguments.pop("lead_id"), arguments.pop("role"), **arguments)

    assert raised.value.field == field


def test_a_person_with_a_float_weight_is_refused():
    with pytest.raises(InvalidType, match=r"weight: got 1\.5"):
        Person("ana", C, weight=1.5)


# -- the dispatcher ------------------------------------------------------------------------------


def test_the_dispatcher_explains_a_decision_long_after_it_was_made():
    team = closers(*[f"p{i}" for i in range(5)], capacity=400)
    dispatcher = Dispatcher(team, LeastLoaded())
    leads = [(f"L-{n}", C, NOW + timedelta(seconds=n)) for n in range(1500)]
    decisions = dispatcher.assign_many(leads)
    dispatcher.release("p1")
    ledger = AssignmentLedger()
    for lead_id, role, at in leads[:700]:
        ledger = assign(
            lead_id, role, at=at, team=team, ledger=ledger, strategy=LeastLoaded()
        ).ledger

    expected = assign(
        "L-700", C, at=leads[700][2], team=team, ledger=ledger, strategy=LeastLoaded()
    ).decision

    assert decisions[700] == expected
    assert decisions[700].explain() == expected.explain()


def test_the_dispatcher_refuses_a_malformed_batch_item_naming_its_index():
    dispatcher = Dispatcher(closers("ana"), LeastLoaded())

    with pytest.raises(InvalidType, match=r"leads\[1\]"):
        dispatcher.assign_many([("L-1", C, NOW), ("L-2", C)])


@pytest.mark.parametrize(
    "bad", [("L-9", C), ("L-9", C, datetime(2026, 11, 25, 10)), ("L-9", "ceo", NOW)]
)
def test_a_refused_batch_leaves_the_dispatcher_as_it_was(bad):
    dispatcher = Dispatcher(closers("ana", "ben"), LeastLoaded())
    earlier = dispatcher.assign_many([(f"E-{n}", C, NOW) for n in range(3)])
    ledger = dispatcher.ledger
    batch = [(f"L-{n}", C, NOW + timedelta(seconds=n)) for n in range(600)] + [bad]

    with pytest.raises(SalesflowError):
        dispatcher.assign_many(batch)

    assert dispatcher.ledger == ledger
    after = dispatcher.assign_many([("L-1", C, NOW)])
    expected = assign(
        "L-1", C, at=NOW, team=closers("ana", "ben"), ledger=ledger, strategy=LeastLoaded()
    ).decision
    assert list(after) == [expected]
    assert [d.person for d in earlier] == ["ana", "ben", "ana"]


def test_a_batch_read_from_an_iterator_that_changes_the_team_uses_the_team_it_changed_to():
    dispatcher = Dispatcher(closers("ana", "ben"), LeastLoaded())
    ana_leaves = Team([Person("ana", C, active=False), Person("ben", C)])

    def leads():
        yield ("L-1", C, NOW)
        dispatcher.replace_team(ana_leaves)
        yield ("L-2", C, NOW)

    decisions = dispatcher.assign_many(leads())

    assert [d.person for d in decisions] == ["ben", "ben"]
    assert decisions[0].why_not("ana").verdict is AssignmentVerdict.INACTIVE


@pytest.mark.parametrize(("option", "value"), [("account_owner", 42), ("attributes", ["x"])])
def test_the_dispatcher_refuses_what_assign_refuses_even_on_its_fast_path(option, value):
    dispatcher = Dispatcher(closers("ana"), LeastLoaded())

    with pytest.raises(InvalidType) as raised:
        dispatcher.assign("L-1", C, at=NOW, **{option: value})

    assert raised.value.field == option
    assert dispatcher.ledger == AssignmentLedger()


@pytest.mark.parametrize("strategy", [RoundRobin(), LeastLoaded()])
def test_a_person_who_moves_to_another_role_takes_turns_there_at_once(strategy):
    team = Team([Person("ana", Role.QUALIFIER), Person("ben", C), Person("cy", C)])
    ledger = AssignmentLedger()
    for n in range(40):  # a busy contact center: ana's last turn is far past the closers' count
        ledger = assign(
            f"Q-{n}", Role.QUALIFIER, at=NOW, team=team, ledger=ledger, strategy=strategy
        ).ledger
        ledger = ledger.release("ana")
    promoted = Team([Person("ana", C), Person("ben", C), Person("cy", C)])

    picks, _ = run(promoted, strategy, 9, ledger)

    assert picks.count("ana") == 3


def test_a_tie_between_people_never_served_is_explained_as_a_tie():
    team = closers("ana", "ben")

    round_robin = assign(
        "L-1", C, at=NOW, team=team, ledger=AssignmentLedger(), strategy=RoundRobin()
    )
    least_loaded = assign(
        "L-1", C, at=NOW, team=team, ledger=AssignmentLedger(), strategy=LeastLoaded()
    )
    weighted = assign("L-1", C, at=NOW, team=team, ledger=AssignmentLedger(), strategy=Weighted())

    assert round_robin.decision.why_not("ben").detail == "not served yet either; ana is first"
    assert least_loaded.decision.why_not("ben").detail == "as loaded as ana, who is first"
    assert weighted.decision.why_not("ben").detail == "credit 0 + weight 1 is not above ana's"


def test_asking_whether_someone_is_away_at_a_naive_time_is_refused():
    ben = Person("ben", C, absences=[Absence(NOW, NOW + timedelta(days=1))])

    with pytest.raises(InvalidType, match="at: got"):
        ben.away_at(datetime(2026, 11, 25, 12))


def test_the_core_speaks_exactly_the_verdicts_a_reason_can_carry():
    from typing import get_args

    from salesflow.routing import _engine

    core_verdicts = set(get_args(_engine.Verdict))

    assert core_verdicts == {verdict.value for verdict in AssignmentVerdict}
