"""Each refusal in routing/assignment.py names the field, the value and what was expected, in
exactly the words a caller reads (one row per raise site).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from salesflow import InvalidField, InvalidType
from salesflow.routing import (
    AssignmentLedger,
    Dispatcher,
    LeastLoaded,
    Person,
    Role,
    RoundRobin,
    Rules,
    Sticky,
    Team,
    assign,
)
from salesflow.routing.assignment import AssignmentReason, AssignmentVerdict, Decision
from salesflow.routing.ledger import LedgerEntry, RoleTurns
from salesflow.routing.strategies import Rule

Q = Role.QUALIFIER
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TEAM = Team([Person("ana", Q)])
LEDGER = "salesflow.ledger/1"
RANKS = "RoundRobin(), Weighted() or LeastLoaded()"
NOT_CATCH_ALL = Rule("a", when={"c": "x"})


def _assign(lead_id="L-1", role=Q, **changes):
    arguments = {
        "at": NOW,
        "team": TEAM,
        "ledger": AssignmentLedger(),
        "strategy": RoundRobin(),
        **changes,
    }
    return assign(lead_id, role, **arguments)


def _ledger_document(people=None, roles=None, schema=LEDGER):
    return {"schema": schema, "people": people or {}, "roles": roles or {}}


def _batch(items, strategy=None):
    return Dispatcher(TEAM, strategy or LeastLoaded()).assign_many(items)


# (call, error type, field, value, the whole message)
REFUSALS = {
    "a pace of 0": (
        lambda: LeastLoaded(pace=0),
        InvalidField,
        "pace",
        0,
        "LeastLoaded: pace: got 0, expected a whole number of at least 1",
    ),
    "a Sticky inside a Sticky": (
        lambda: Sticky(then=Sticky()),
        InvalidType,
        "then",
        Sticky(),
        f"then: got {Sticky()!r}, expected {RANKS}",
    ),
    "a rule's then that is not a strategy": (
        lambda: Rule("r", then=5),
        InvalidType,
        "then",
        5,
        f"then: got 5, expected {RANKS}",
    ),
    "a when that is not a mapping": (
        lambda: Rule("r", when=5),
        InvalidType,
        "when",
        5,
        "when: got 5, expected a mapping of lead attribute to accepted values",
    ),
    "a when with a blank attribute": (
        lambda: Rule("r", when={"": "x"}),
        InvalidField,
        "when",
        "",
        "when: got '', expected a non-empty string",
    ),
    "a when value that is not text": (
        lambda: Rule("r", when={"c": 5}),
        InvalidType,
        "when['c']",
        5,
        "when['c']: got 5, expected a string or a set of strings",
    ),
    "a when with no accepted values": (
        lambda: Rule("r", when={"c": []}),
        InvalidField,
        "when['c']",
        [],
        "when['c']: got [], expected at least one accepted value",
    ),
    "a blank accepted value": (
        lambda: Rule("r", when={"c": [" "]}),
        InvalidField,
        "when['c']",
        " ",
        "when['c']: got ' ', expected a non-empty string",
    ),
    "tags that are not text": (
        lambda: Rule("r", tags=5),
        InvalidType,
        "tags",
        5,
        "tags: got 5, expected a tag or a set of tags",
    ),
    "a blank tag": (
        lambda: Rule("r", tags=[""]),
        InvalidField,
        "tags",
        "",
        "tags: got '', expected a non-empty string",
    ),
    "rules given as a string": (
        lambda: Rules("abc"),
        InvalidType,
        "rules",
        "abc",
        "rules: got 'abc', expected a sequence of Rule values",
    ),
    "a rule that is not a Rule": (
        lambda: Rules([NOT_CATCH_ALL, 5]),
        InvalidType,
        "rules[1]",
        5,
        "rules[1]: got 5, expected a Rule",
    ),
    "two rules of one name": (
        lambda: Rules([NOT_CATCH_ALL, Rule("a")]),
        InvalidField,
        "rules[1].name",
        "a",
        "rules[1].name: got 'a', expected a rule name not used before",
    ),
    "a rule after the catch-all": (
        lambda: Rules([Rule("a"), Rule("b")]),
        InvalidField,
        "rules[1]",
        "b",
        "rules[1]: got 'b', expected nothing after the catch-all 'a': it could never match",
    ),
    "no catch-all last": (
        lambda: Rules([NOT_CATCH_ALL]),
        InvalidField,
        "rules",
        ["a"],
        "rules: got ['a'], expected a catch-all rule last (a Rule with an empty `when`),"
        " so no lead falls through",
    ),
    "a strategy that is not one": (
        lambda: _assign(strategy=5),
        InvalidType,
        "strategy",
        5,
        "strategy: got 5, expected RoundRobin(), Weighted(), LeastLoaded(), Sticky(...) or Rules(...)",
    ),
    "a negative load": (
        lambda: LedgerEntry(load=-1),
        InvalidField,
        "load",
        -1,
        "LedgerEntry: load: got -1, expected a whole number of at least 0",
    ),
    "a last turn before never": (
        lambda: LedgerEntry(last_turn=-2),
        InvalidField,
        "last_turn",
        -2,
        "LedgerEntry: last_turn: got -2, expected a whole number of at least -1",
    ),
    "a credit that is not whole": (
        lambda: LedgerEntry(credit=1.5),
        InvalidType,
        "credit",
        1.5,
        "LedgerEntry: credit: got 1.5, expected a whole number",
    ),
    "negative role turns": (
        lambda: RoleTurns(turns=-1),
        InvalidField,
        "turns",
        -1,
        "RoleTurns: turns: got -1, expected a whole number of at least 0",
    ),
    "people that are not a mapping": (
        lambda: AssignmentLedger(people=5),
        InvalidType,
        "people",
        5,
        "people: got 5, expected a mapping of person id to LedgerEntry",
    ),
    "a blank person id in a ledger": (
        lambda: AssignmentLedger(people={"": LedgerEntry()}),
        InvalidField,
        "people",
        "",
        "people: got '', expected a non-empty string",
    ),
    "a tally that is not a LedgerEntry": (
        lambda: AssignmentLedger(people={"ana": 5}),
        InvalidType,
        "people['ana']",
        5,
        "people['ana']: got 5, expected a LedgerEntry",
    ),
    "roles that are not a mapping": (
        lambda: AssignmentLedger(roles=5),
        InvalidType,
        "roles",
        5,
        "roles: got 5, expected a mapping of Role to RoleTurns",
    ),
    "a role tally that is not a RoleTurns": (
        lambda: AssignmentLedger(roles={"qualifier": 5}),
        InvalidType,
        "roles['qualifier']",
        5,
        "roles['qualifier']: got 5, expected a RoleTurns",
    ),
    "releasing from someone with no open lead": (
        lambda: AssignmentLedger().release("ana"),
        InvalidField,
        "person",
        "ana",
        "person: got 'ana', expected someone holding an open lead to release",
    ),
    "crediting back a lead that was not assigned": (
        lambda: AssignmentLedger().with_load("ana", 1).credit_back("ana"),
        InvalidField,
        "person",
        "ana",
        "person: got 'ana', expected someone holding a lead given by assignment",
    ),
    "a blank person": (
        lambda: AssignmentLedger().with_load("", 1),
        InvalidField,
        "person",
        "",
        "person: got '', expected a non-empty string",
    ),
    "a ledger document of another schema": (
        lambda: AssignmentLedger.from_dict(_ledger_document(schema="x")),
        InvalidField,
        "schema",
        "x",
        "schema: got 'x', expected 'salesflow.ledger/1'",
    ),
    "a ledger document with a negative load": (
        lambda: AssignmentLedger.from_dict(_ledger_document(people={"ana": {"load": -1}})),
        InvalidField,
        "people['ana'].load",
        -1,
        "people['ana'].load: got -1, expected a whole number of at least 0",
    ),
    "a ledger document with an unknown tally key": (
        lambda: AssignmentLedger.from_dict(_ledger_document(people={"ana": {"lode": 1}})),
        InvalidField,
        "people['ana'].lode",
        1,
        "people['ana'].lode: got 1, expected no such key (allowed: assigned, credit, last_turn,"
        " load, owed)",
    ),
    "a ledger document with negative turns": (
        lambda: AssignmentLedger.from_dict(_ledger_document(roles={"qualifier": {"turns": -1}})),
        InvalidField,
        "roles['qualifier'].turns",
        -1,
        "roles['qualifier'].turns: got -1, expected a whole number of at least 0",
    ),
    "asking why not of someone outside the role": (
        lambda: _assign().decision.why_not("zed"),
        InvalidField,
        "person",
        "zed",
        "person: got 'zed', expected someone of the qualifier role",
    ),
    "a blank lead id": (
        lambda: _assign(lead_id=" "),
        InvalidField,
        "lead_id",
        " ",
        "lead_id: got ' ', expected a non-empty string",
    ),
    "an unknown role": (
        lambda: _assign(role="boss"),
        InvalidField,
        "role",
        "boss",
        "role: got 'boss', expected one of manager, qualifier, closer, account_manager",
    ),
    "a naive time": (
        lambda: _assign(at=datetime(2026, 1, 1)),
        InvalidType,
        "at",
        datetime(2026, 1, 1),
        "at: got datetime.datetime(2026, 1, 1, 0, 0), expected a timezone-aware datetime"
        " (this one is naive)",
    ),
    "a blank account owner": (
        lambda: _assign(account_owner=""),
        InvalidField,
        "account_owner",
        "",
        "account_owner: got '', expected a non-empty string",
    ),
    "attributes that are not a mapping": (
        lambda: _assign(attributes=5),
        InvalidType,
        "attributes",
        5,
        "attributes: got 5, expected a mapping of attribute name to value",
    ),
    "exclude given as one string": (
        lambda: _assign(exclude="ana"),
        InvalidType,
        "exclude",
        "ana",
        "exclude: got 'ana', expected a set of person ids",
    ),
    "a team that is not a Team": (
        lambda: _assign(team=5),
        InvalidType,
        "team",
        5,
        "team: got 5, expected a Team",
    ),
    "a ledger that is not an AssignmentLedger": (
        lambda: _assign(ledger=5),
        InvalidType,
        "ledger",
        5,
        "ledger: got 5, expected an AssignmentLedger",
    ),
    "a dispatcher without a Team": (
        lambda: Dispatcher(5, RoundRobin()),
        InvalidType,
        "team",
        5,
        "team: got 5, expected a Team",
    ),
    "a dispatcher with a ledger that is not one": (
        lambda: Dispatcher(TEAM, RoundRobin(), 5),
        InvalidType,
        "ledger",
        5,
        "ledger: got 5, expected an AssignmentLedger or None",
    ),
    "replacing the team with something else": (
        lambda: Dispatcher(TEAM, RoundRobin()).replace_team(5),
        InvalidType,
        "team",
        5,
        "team: got 5, expected a Team",
    ),
    "a dispatcher releasing from someone with no open lead": (
        lambda: Dispatcher(TEAM, RoundRobin()).release("ana"),
        InvalidField,
        "person",
        "ana",
        "person: got 'ana', expected someone holding an open lead to release",
    ),
    "a dispatcher crediting back a lead never given": (
        lambda: Dispatcher(TEAM, RoundRobin()).credit_back("ana"),
        InvalidField,
        "person",
        "ana",
        "person: got 'ana', expected someone holding a lead given by assignment",
    ),
    "a batch given as a string": (
        lambda: _batch("abc"),
        InvalidType,
        "leads",
        "abc",
        "leads: got 'abc', expected an iterable of (lead_id, role, at) tuples",
    ),
    "a batch item that is not a triple": (
        lambda: _batch([("L-1", Q, NOW), ("L-2", Q)]),
        InvalidType,
        "leads[1]",
        ("L-2", Q),
        f"leads[1]: got {('L-2', Q)!r}, expected a (lead_id, role, at) tuple",
    ),
    "a batch index that is not a number": (
        lambda: _batch([("L-1", Q, NOW)])["0"],
        InvalidType,
        "index",
        "0",
        "index: got '0', expected a whole number or a slice",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_an_assignment_refusal_names_the_field_the_value_and_what_was_expected(case):
    call, error, field, value, message = REFUSALS[case]

    with pytest.raises(error) as caught:
        call()

    assert type(caught.value) is error
    assert (caught.value.field, caught.value.value) == (field, value)
    assert str(caught.value) == message


def test_a_batch_index_out_of_range_says_which_positions_there_are():
    decisions = _batch([("L-1", Q, NOW), ("L-2", Q, NOW)])

    with pytest.raises(IndexError, match=r"^index: got 2, expected a position from -2 to 1$"):
        decisions[2]
    with pytest.raises(InvalidField, match=r"^index: got -3, expected a position from -2 to 1$"):
        decisions[-3]
    assert decisions[-1].lead_id == "L-2"
    assert [d.lead_id for d in decisions[0:2]] == ["L-1", "L-2"]
    assert repr(decisions) == "<Decisions: 2 from a Dispatcher>"


def test_a_refused_batch_item_leaves_the_dispatcher_as_it_was():
    dispatcher = Dispatcher(Team([Person("ana", Q), Person("ben", Q)]), LeastLoaded())
    dispatcher.assign("L-0", Q, at=NOW)
    before = dispatcher.ledger

    with pytest.raises(InvalidType):
        dispatcher.assign_many([("L-1", Q, NOW), ("L-2", Q, NOW), "L-3"])

    assert dispatcher.ledger == before
    assert dispatcher.assign("L-4", Q, at=NOW).person == "ben"


def test_a_batch_holds_as_many_decisions_as_leads_given():
    dispatcher = Dispatcher(TEAM, LeastLoaded())
    dispatcher.assign_many([("L-1", Q, NOW), ("L-2", Q, NOW)])

    decisions = dispatcher.assign_many([("L-3", Q, NOW), ("L-4", Q, NOW), ("L-5", Q, NOW)])

    assert len(decisions) == 3
    assert len(decisions[1:]) == 2
    assert [decision.lead_id for decision in decisions] == ["L-3", "L-4", "L-5"]


def test_a_lead_id_that_is_not_text_in_a_fast_batch_is_refused_naming_lead_id():
    with pytest.raises(InvalidType) as caught:
        _batch([(7, Q, NOW)])

    assert (caught.value.field, caught.value.value) == ("lead_id", 7)


def test_a_naive_time_in_a_dispatcher_assignment_is_refused_naming_at():
    naive = datetime(2026, 11, 25, 10, 0)

    with pytest.raises(InvalidType) as caught:
        Dispatcher(TEAM, RoundRobin()).assign("L-1", Q, at=naive)

    assert (caught.value.field, caught.value.value) == ("at", naive)


def test_crediting_back_a_person_who_is_not_text_is_refused_naming_person():
    with pytest.raises(InvalidType) as caught:
        Dispatcher(TEAM, RoundRobin()).credit_back(5)

    assert (caught.value.field, caught.value.value) == ("person", 5)


def test_a_reason_reads_its_verdict_from_text():
    reason = AssignmentReason(person="ana", verdict="picked", detail="the least recently served")

    assert reason.verdict is AssignmentVerdict.PICKED


def test_a_decision_is_made_only_by_assign_or_a_dispatcher():
    with pytest.raises(InvalidType) as caught:
        Decision("L-1", Q, NOW, "ana", object(), 0)

    assert caught.value.field == "source"
    assert str(caught.value).startswith("source: got <object object at")
