"""Laws of assignment, on random teams and streams: the Dispatcher agrees with assign(),
round robin is even, capacity holds, and decisions are reproducible."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

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
from salesflow.routing.strategies import Rule

T0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # a Monday
PLUS_TWO = timezone(timedelta(hours=2))  # the same instants, off the Dispatcher's UTC fast path
NAMES = ("ana", "ben", "cy", "dee", "eli", "fay")
ROLES = (Role.CLOSER, Role.QUALIFIER)
HOURS = (
    None,
    WorkingHours.office("Europe/Berlin", start=time(8), end=time(16)),
    WorkingHours.office("America/New_York"),
)


@st.composite
def people(draw, name: str) -> Person:
    start = T0 + timedelta(hours=draw(st.integers(0, 40)))
    absences = draw(
        st.lists(
            st.just(Absence(start, start + timedelta(hours=draw(st.integers(1, 30))))), max_size=1
        )
    )
    return Person(
        name,
        draw(st.sampled_from(ROLES)),
        active=draw(st.booleans().map(lambda b: b or draw(st.booleans()))),
        weight=draw(st.integers(1, 4)),
        capacity=draw(st.one_of(st.none(), st.integers(1, 6))),
        hours=draw(st.sampled_from(HOURS)),
        absences=absences,
        tags=draw(st.sets(st.sampled_from(["de", "vip"]), max_size=2)),
    )


@st.composite
def teams(draw) -> Team:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
    return Team([draw(people(name)) for name in names])


ranks = st.sampled_from(
    [RoundRobin(), Weighted(), LeastLoaded(), LeastLoaded(pace=1), LeastLoaded(pace=None)]
)
strategies = st.one_of(
    ranks,
    ranks.map(Sticky),
    ranks.map(
        lambda rank: Rules(
            [
                Rule("german", when={"country": {"DE", "AT"}}, tags={"de"}, then=rank),
                Rule("vip", when={"segment": "vip"}, tags={"vip"}, then=Sticky(rank)),
                Rule("rest", then=rank),
            ]
        )
    ),
)


@st.composite
def operations(draw, team: Team):
    """A stream of assignments (mostly moving forward in time, sometimes back, in UTC or
    another zone), releases, credits and team changes (people join, leave, change role)."""
    ops = []
    at = T0
    for n in range(draw(st.integers(1, 40))):
        kind = draw(st.sampled_from(["assign"] * 6 + ["release", "credit", "team"]))
        at += timedelta(minutes=draw(st.integers(-60, 240)))
        if kind == "assign":
            ops.append(
                (
                    "assign",
                    f"L-{n}",
                    draw(st.sampled_from(ROLES)),
                    draw(st.sampled_from([at, at.astimezone(PLUS_TWO)])),
                    draw(st.one_of(st.none(), st.sampled_from(NAMES))),
                    {
                        "country": draw(st.sampled_from(["DE", "FR"])),
                        "segment": draw(st.sampled_from(["vip", "smb"])),
                    },
                    frozenset(draw(st.sets(st.sampled_from(NAMES), max_size=2))),
                )
            )
        elif kind == "team":
            ops.append(("team", draw(teams())))
        else:
            ops.append((kind, draw(st.sampled_from(NAMES))))
    return ops


def _replay_with_assign(team, strategy, ops):
    ledger = AssignmentLedger()
    decisions = []
    for op in ops:
        if op[0] == "assign":
            _, lead_id, role, at, owner, attributes, exclude = op
            result = assign(
                lead_id,
                role,
                at=at,
                team=team,
                ledger=ledger,
                strategy=strategy,
                account_owner=owner,
                attributes=attributes,
                exclude=exclude,
            )
            decisions.append(result.decision)
            ledger = result.ledger
        elif op[0] == "team":
            team = op[1]
        elif op[0] == "release" and ledger.load(op[1]) > 0:
            ledger = ledger.release(op[1])
        elif op[0] == "credit" and ledger.load(op[1]) > 0 and ledger.assigned(op[1]) > 0:
            ledger = ledger.credit_back(op[1])
    return decisions, ledger


def _replay_with_dispatcher(team, strategy, ops, *, batch=False):
    """Replay through a Dispatcher; with ``batch``, runs of plain assignments (no account
    owner, exclusions, or attributes that rules would read) go through assign_many."""
    dispatcher = Dispatcher(team, strategy)
    decisions = []
    pending = []

    def flush():
        decisions.extend(dispatcher.assign_many(pending))
        pending.clear()

    for op in ops:
        if op[0] == "assign":
            _, lead_id, role, at, owner, attributes, exclude = op
            if batch and not exclude and owner is None and not isinstance(strategy, Rules):
                pending.append((lead_id, role, at))
                continue
            flush()
            decisions.append(
                dispatcher.assign(
                    lead_id,
                    role,
                    at=at,
                    account_owner=owner,
                    attributes=attributes,
                    exclude=exclude,
                )
            )
            continue
        flush()
        if op[0] == "team":
            dispatcher.replace_team(op[1])
        elif op[0] == "release" and dispatcher.ledger.load(op[1]) > 0:
            dispatcher.release(op[1])
        elif (
            op[0] == "credit"
            and dispatcher.ledger.load(op[1]) > 0
            and dispatcher.ledger.assigned(op[1]) > 0
        ):
            dispatcher.credit_back(op[1])
    flush()
    return decisions, dispatcher.ledger


@settings(max_examples=300, deadline=None)
@given(data=st.data(), batch=st.booleans())
def test_the_dispatcher_makes_the_same_decisions_with_the_same_reasons_as_assign(data, batch):
    team = data.draw(teams())
    strategy = data.draw(strategies)
    ops = data.draw(operations(team))

    expected, expected_ledger = _replay_with_assign(team, strategy, ops)
    actual, actual_ledger = _replay_with_dispatcher(team, strategy, ops, batch=batch)

    assert [d.person for d in actual] == [d.person for d in expected]
    assert actual == expected  # same lead, role, time, person, rule, strategy and reasons
    assert actual_ledger == expected_ledger


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_round_robin_over_n_eligible_people_keeps_everyone_within_one_of_the_others(data):
    n = data.draw(st.integers(1, 6))
    team = Team([Person(name, Role.CLOSER) for name in NAMES[:n]])
    start = data.draw(st.integers(0, 30))
    length = data.draw(st.integers(0, 60))
    ledger = AssignmentLedger()
    picks = []
    for k in range(start + length):
        result = assign(
            f"L-{k}", Role.CLOSER, at=T0, team=team, ledger=ledger, strategy=RoundRobin()
        )
        picks.append(result.decision.person)
        ledger = result.ledger

    counts = Counter(picks[start:])

    assert (
        max(counts.get(name, 0) for name in NAMES[:n])
        - min(counts.get(name, 0) for name in NAMES[:n])
        <= 1
    )


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_no_strategy_ever_gives_a_person_more_open_leads_than_their_capacity(data):
    team = data.draw(teams())
    strategy = data.draw(strategies)
    ops = data.draw(operations(team))

    dispatcher = Dispatcher(team, strategy)
    for op in ops:
        if op[0] == "assign":
            _, lead_id, role, at, owner, attributes, exclude = op
            decision = dispatcher.assign(
                lead_id, role, at=at, account_owner=owner, attributes=attributes, exclude=exclude
            )
            if decision.person is not None:
                person = dispatcher.team.get(decision.person)
                load = dispatcher.ledger.load(person.id)

                assert person.capacity is None or load <= person.capacity
        elif op[0] == "team":
            dispatcher.replace_team(op[1])


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_an_assignment_decision_is_reproducible_from_its_inputs(data):
    team = data.draw(teams())
    strategy = data.draw(strategies)
    ops = data.draw(operations(team))

    first, first_ledger = _replay_with_assign(team, strategy, ops)
    second, second_ledger = _replay_with_assign(team, strategy, ops)

    assert first == second
    assert [d.explain() for d in first] == [d.explain() for d in second]
    assert first_ledger.to_dict() == second_ledger.to_dict()


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_every_decision_names_each_person_of_the_role_once_and_picks_only_the_eligible(data):
    team = data.draw(teams())
    strategy = data.draw(strategies)
    ops = data.draw(operations(team))

    decisions, _ = _replay_with_assign(team, strategy, [op for op in ops if op[0] != "team"])

    for decision in decisions:
        names = [reason.person for reason in decision.reasons]
        assert sorted(names) == sorted(p.id for p in team.in_role(decision.role))
        picked = [r for r in decision.reasons if r.verdict.value == "picked"]
        assert [r.person for r in picked] == ([decision.person] if decision.person else [])
        if decision.queued:
            assert all(r.verdict.blocks for r in decision.reasons)
