"""Assignment strategies give exactly the picks their definitions promise, through assign(),
Dispatcher.assign and Dispatcher.assign_many alike, and explain each verdict in exact words.

Scripted sequences worked out by hand from the docstrings: small enough to check on paper,
chosen so that pacing, ties, owed turns and credits all decide some pick (mutation testing
found least-loaded pacing with `or` and `and` swapped surviving the property tests).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salesflow import SalesflowError
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
    assign,
)
from salesflow.routing.assignment import AssignmentVerdict
from salesflow.routing.strategies import Rule

Q = Role.QUALIFIER
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
FOUR = Team([Person(name, Q) for name in ("ana", "ben", "cy", "dee")])
# ana is back with no open leads; the others hold 5 each.
BACK = AssignmentLedger().with_load("ben", 5).with_load("cy", 5).with_load("dee", 5)


def _by_assign(team, strategy, count, ledger=None):
    ledger = ledger or AssignmentLedger()
    picks = []
    for n in range(count):
        result = assign(f"L-{n}", Q, at=NOW, team=team, ledger=ledger, strategy=strategy)
        picks.append(result.decision.person)
        ledger = result.ledger
    return picks, ledger


def _by_dispatcher(team, strategy, count, ledger=None):
    dispatcher = Dispatcher(team, strategy, ledger)
    picks = [dispatcher.assign(f"L-{n}", Q, at=NOW).person for n in range(count)]
    return picks, dispatcher.ledger


def _by_batch(team, strategy, count, ledger=None):
    dispatcher = Dispatcher(team, strategy, ledger)
    decisions = dispatcher.assign_many([(f"L-{n}", Q, NOW) for n in range(count)])
    return [decision.person for decision in decisions], dispatcher.ledger


WAYS = [_by_assign, _by_dispatcher, _by_batch]

SEQUENCES = {
    # gap = ceil(4 active / pace 2) = 2 turns: ana, back with no leads, gets every other lead.
    "least loaded paces a person back from absence": (
        FOUR,
        LeastLoaded(pace=2),
        BACK,
        ["ana", "ben", "ana", "cy", "ana", "dee", "ana", "ben", "ana"],
    ),
    # gap = ceil(4 / 4) = 1 turn: never paced, ana takes leads until she holds as many
    # (then the tie goes to whoever was served least recently).
    "least loaded with a pace of one gap never holds anyone back": (
        FOUR,
        LeastLoaded(pace=4),
        BACK,
        ["ana", "ana", "ana", "ana", "ana", "ben", "cy", "dee", "ana"],
    ),
    "least loaded without pacing fills the emptiest first": (
        FOUR,
        LeastLoaded(pace=None),
        BACK,
        ["ana", "ana", "ana", "ana", "ana", "ben", "cy", "dee", "ana"],
    ),
    "least loaded on an empty ledger goes round in team order": (
        FOUR,
        LeastLoaded(),
        None,
        ["ana", "ben", "cy", "dee", "ana", "ben"],
    ),
    "round robin goes round in team order": (
        FOUR,
        RoundRobin(),
        BACK,
        ["ana", "ben", "cy", "dee", "ana", "ben"],
    ),
    "weighted gives shares by weight, smoothly": (
        Team([Person("ana", Q, weight=3), Person("ben", Q, weight=1)]),
        Weighted(),
        None,
        ["ana", "ana", "ben", "ana", "ana", "ana", "ben", "ana"],
    ),
}


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("case", SEQUENCES)
def test_a_strategy_gives_exactly_the_picks_its_definition_promises(case, way):
    team, strategy, ledger, expected = SEQUENCES[case]

    picks, after = way(team, strategy, len(expected), ledger)

    assert picks == expected
    for person in ("ana", "ben", "cy", "dee"):
        before = (ledger or AssignmentLedger()).load(person)
        assert after.load(person) == before + picks.count(person)
        assert after.assigned(person) == picks.count(person)
    assert after.role(Q).turns == len(expected)


@pytest.mark.parametrize("way", WAYS)
def test_a_paced_person_still_gets_a_lead_when_nobody_else_is_eligible(way):
    team = Team([Person("ana", Q), Person("ben", Q, capacity=5)])
    ledger = AssignmentLedger().with_load("ben", 5)

    picks, _ = way(team, LeastLoaded(pace=1), 3, ledger)

    assert picks == ["ana", "ana", "ana"]


@pytest.mark.parametrize("way", WAYS)
def test_nobody_eligible_queues_the_lead_and_changes_no_count(way):
    team = Team([Person("ana", Q, capacity=1), Person("ben", Q, active=False)])
    ledger = AssignmentLedger().with_load("ana", 1)

    picks, after = way(team, LeastLoaded(), 2, ledger)

    assert picks == [None, None]
    assert after.load("ana") == 1
    assert after.role(Q).turns == 0


def _explained(team, strategy, ledger, **options):
    decision = assign("L-9", Q, at=NOW, team=team, ledger=ledger, strategy=strategy, **options)
    return decision.decision.explain()


def test_least_loaded_explains_pacing_load_and_ties_in_exact_words():
    ledger = _by_assign(FOUR, LeastLoaded(pace=2), 1, BACK)[1]

    text = _explained(FOUR, LeastLoaded(pace=2), ledger)

    assert text == (
        "L-9 -> ben (qualifier, least loaded)\n"
        "  ben: picked: fewest open leads (5)\n"
        "  ana: paced: had a lead 1 turn ago; waits 2 turns (pace 2)\n"
        "  cy: not their turn: as loaded as ben, who is first\n"
        "  dee: not their turn: as loaded as ben, who is first"
    )


def test_least_loaded_explains_more_load_and_more_recent_service():
    ledger = AssignmentLedger().with_load("ben", 2)
    ledger = _by_assign(FOUR, LeastLoaded(pace=None), 1, ledger)[1].release("ana")

    text = _explained(FOUR, LeastLoaded(pace=None), ledger)

    assert text == (
        "L-9 -> cy (qualifier, least loaded)\n"
        "  cy: picked: fewest open leads (0)\n"
        "  ana: not their turn: as loaded as cy, served more recently\n"
        "  ben: more loaded: 2 open leads, cy had 0\n"
        "  dee: not their turn: as loaded as cy, who is first"
    )


def test_round_robin_explains_turns_in_exact_words():
    ledger = _by_assign(FOUR, RoundRobin(), 1)[1]

    text = _explained(FOUR, RoundRobin(), ledger)

    assert text == (
        "L-9 -> ben (qualifier, round robin)\n"
        "  ben: picked: not served yet\n"
        "  ana: not their turn: served more recently than ben\n"
        "  cy: not their turn: not served yet either; ben is first\n"
        "  dee: not their turn: not served yet either; ben is first"
    )


def test_weighted_and_owed_turns_explain_themselves_in_exact_words():
    team = Team([Person("ana", Q, weight=3), Person("ben", Q)])
    ledger = _by_assign(team, Weighted(), 1)[1]
    owed = ledger.credit_back("ana")

    weighted = _explained(team, Weighted(), ledger)
    make_up = _explained(team, Weighted(), owed)

    assert weighted == (
        "L-9 -> ana (qualifier, weighted)\n"
        "  ana: picked: highest weighted credit\n"
        "  ben: lower weight: credit 1 + weight 1 is not above ana's"
    )
    assert make_up == (
        "L-9 -> ana (qualifier, weighted)\n"
        "  ana: picked: owed a make-up turn for a lead credited back\n"
        "  ben: not their turn: ana was owed a make-up turn"
    )


def test_every_blocking_verdict_is_explained_in_exact_words():
    away = Absence(NOW - timedelta(days=1), NOW + timedelta(days=1), reason="holiday")
    team = Team(
        [
            Person("ana", Q),
            Person("ben", Q, active=False),
            Person("cy", Q, absences=[away]),
            Person("dee", Q, capacity=1),
            Person("eve", Q),
            Person("fay", Q, tags={"de"}),
        ]
    )
    rules = Rules([Rule("german", when={"country": "DE"}, tags={"de"}), Rule("rest")])
    ledger = AssignmentLedger().with_load("dee", 1)

    by_rules = _explained(team, rules, ledger, attributes={"country": "DE"})
    by_owner = _explained(team, Sticky(), ledger, account_owner="eve", exclude={"ana"})

    assert by_rules == (
        "L-9 -> fay (qualifier, rules, rule 'german')\n"
        "  fay: picked: not served yet\n"
        "  ana: not matched: rule 'german' needs tags: de\n"
        "  ben: not matched: rule 'german' needs tags: de\n"
        "  cy: not matched: rule 'german' needs tags: de\n"
        "  dee: not matched: rule 'german' needs tags: de\n"
        "  eve: not matched: rule 'german' needs tags: de"
    )
    assert by_owner == (
        "L-9 -> eve (qualifier, account owner first, then round robin)\n"
        "  eve: picked: the account's existing owner\n"
        "  ana: excluded: already had this lead\n"
        "  ben: inactive: not active\n"
        f"  cy: away: holiday until {away.end.isoformat()}\n"
        "  dee: at capacity: 1 open leads, capacity 1\n"
        "  fay: not account owner: the account belongs to eve"
    )


def test_a_queued_decision_says_where_the_lead_waits():
    team = Team([Person("ana", Q, active=False)])

    result = assign("L-1", Q, at=NOW, team=team, ledger=AssignmentLedger(), strategy=RoundRobin())

    assert result.decision.queued
    assert result.decision.queue == "qualifier queue"
    assert repr(result.decision) == "<Decision L-1 -> qualifier queue (qualifier)>"
    assert result.decision.explain() == (
        "L-1 -> qualifier queue (nobody eligible) (qualifier, round robin)\n"
        "  ana: inactive: not active"
    )
    assert result.decision.why_not("ana").verdict is AssignmentVerdict.INACTIVE
    assert result.decision.to_dict()["queue"] == "qualifier queue"
    assert result.decision.to_dict()["person"] is None


def _script(team, later_team):
    """Decisions with a release, a credit back and a team change between them."""
    return [
        ("assign", "L-0"),
        ("assign", "L-1"),
        ("assign", "L-2"),
        ("release", "ana"),
        ("assign", "L-3"),
        ("credit_back", "ben"),
        ("assign", "L-4"),
        ("team", later_team),
        ("assign", "L-5"),
        ("assign", "L-6"),
    ]


LATER = Team([Person("ana", Q), Person("ben", Q), Person("cy", Q, active=False), Person("eve", Q)])
THREE = Team([Person(name, Q) for name in ("ana", "ben", "cy")])


@pytest.mark.parametrize(
    "strategy", [LeastLoaded(), LeastLoaded(pace=1), RoundRobin(), Weighted()], ids=repr
)
def test_every_dispatcher_decision_explains_itself_exactly_as_assign_does(strategy):
    dispatcher = Dispatcher(THREE, strategy)
    team, ledger = THREE, AssignmentLedger()
    made, expected = [], []

    for step, value in _script(THREE, LATER):
        if step == "assign":
            result = assign(value, Q, at=NOW, team=team, ledger=ledger, strategy=strategy)
            expected.append(result.decision)
            ledger = result.ledger
            made.append(dispatcher.assign(value, Q, at=NOW))
        elif step == "release":
            ledger = ledger.release(value)
            dispatcher.release(value)
        elif step == "credit_back":
            ledger = ledger.credit_back(value)
            dispatcher.credit_back(value)
        else:
            team = value
            dispatcher.replace_team(value)
        assert dispatcher.ledger == ledger

    assert [d.explain() for d in made] == [d.explain() for d in expected]
    assert made == expected


def test_equal_decisions_are_equal_and_different_ones_are_not():
    first = assign("L-1", Q, at=NOW, team=FOUR, ledger=AssignmentLedger(), strategy=RoundRobin())
    again = assign("L-1", Q, at=NOW, team=FOUR, ledger=AssignmentLedger(), strategy=RoundRobin())
    other = assign("L-1", Q, at=NOW, team=FOUR, ledger=first.ledger, strategy=RoundRobin())

    assert first.decision == again.decision
    assert hash(first.decision) == hash(again.decision)
    assert first.decision != other.decision
    assert first.decision != "ana"


def test_a_batch_read_from_an_iterator_that_assigns_on_the_side_holds_only_its_own_decisions():
    dispatcher = Dispatcher(FOUR, LeastLoaded())

    def leads():
        for n in range(3):
            dispatcher.assign(f"side-{n}", Q, at=NOW)
            yield (f"L-{n}", Q, NOW)

    decisions = dispatcher.assign_many(leads())

    assert [d.lead_id for d in decisions] == ["L-0", "L-1", "L-2"]
    assert [d.person for d in decisions] == ["dee", "ana", "ben"]


def test_a_refused_batch_after_a_slow_item_leaves_later_decisions_explained_by_their_own_request():
    later = NOW + timedelta(days=3)
    away = Absence(later - timedelta(hours=1), later + timedelta(hours=1), reason="training")
    team = Team([Person("ana", Q, absences=[away]), Person("ben", Q)])
    dispatcher = Dispatcher(team, LeastLoaded())

    with pytest.raises(SalesflowError):
        dispatcher.assign_many([("L-1", "qualifier", later), ("L-2", Q, "not a time")])
    decision = dispatcher.assign("L-3", Q, at=NOW)
    expected = assign(
        "L-3", Q, at=NOW, team=team, ledger=AssignmentLedger(), strategy=LeastLoaded()
    )

    assert decision.person == "ana"
    assert decision.explain() == expected.decision.explain()
    assert dispatcher.ledger == expected.ledger
