"""Bad input to leads and routing is refused as a SalesflowError that names the
parameter the caller wrote; nothing hangs; documents with unknown keys are refused."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpers import next_stage
from salesflow import Money, SalesflowError
from salesflow._rng import Rng
from salesflow.errors import InvalidField
from salesflow.leads import Lead, Qualification, StageFacts, allowed_events
from salesflow.leads.events import ActivityLogged, LeadCreated, LeadStageChanged
from salesflow.routing import (
    Absence,
    AssignmentLedger,
    Dispatcher,
    LeastLoaded,
    Ownership,
    Person,
    Role,
    RoleTransfer,
    RoundRobin,
    ShopProfile,
    Team,
    assign,
    needs_handoff,
    reroute,
    simulate,
)
from salesflow.routing.assignment import AssignmentReason, Decision
from salesflow.routing.deadlines import WaitingLead
from salesflow.routing.ledger import LedgerEntry, RoleTurns
from salesflow.routing.models import model_diagram, owner, owner_of
from salesflow.routing.recommender import Recommendation
from salesflow.routing.report import SimulationReport
from salesflow.routing.reroute import RerouteReport
from salesflow.routing.simulation import default_team
from salesflow.routing.strategies import Rule
from salesflow.routing.stream import LeadStream

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LEAD = Lead.create(lead_id="L-1", source="inbound", at=T0).lead
RECORD = Ownership.start(lead_id="L-1", role=Role.QUALIFIER, person="quinn", at=T0).ownership
PENDING = RECORD.hand_off(to_role=Role.CLOSER, at=T0).ownership
TEAM = Team([Person("ana", Role.CLOSER), Person("ben", Role.CLOSER)])


def _assign(**changes: Any):
    arguments: dict[str, Any] = {
        "lead_id": "L-1",
        "role": Role.CLOSER,
        "at": T0,
        "team": TEAM,
        "ledger": AssignmentLedger(),
        "strategy": RoundRobin(),
    }
    arguments.update(changes)
    return assign(**arguments)


# -- a message names the parameter the caller wrote --------------------------------------

# Every public verb and constructor of leads and routing that takes an enum: the
# call with a bad value, and the name of the parameter the caller wrote it in.
ENUM_PARAMETERS = [
    ("Lead.create(source=)", "source", lambda v: Lead.create(lead_id="L", source=v, at=T0)),
    ("Lead.lose(reason)", "reason", lambda v: LEAD.lose(reason=v, at=T0)),
    ("Lead.log_activity(kind)", "kind", lambda v: LEAD.log_activity(kind=v, at=T0)),
    (
        "LeadCreated(source=)",
        "source",
        lambda v: LeadCreated(lead_id="L", at=T0, actor="a", source=v),
    ),
    (
        "LeadStageChanged(from_stage=)",
        "from_stage",
        lambda v: LeadStageChanged(
            lead_id="L",
            version=2,
            event="advance",
            from_stage=v,
            to_stage="interest",
            at=T0,
            actor="a",
        ),
    ),
    (
        "LeadStageChanged(to_stage=)",
        "to_stage",
        lambda v: LeadStageChanged(
            lead_id="L",
            version=2,
            event="advance",
            from_stage="awareness",
            to_stage=v,
            at=T0,
            actor="a",
        ),
    ),
    (
        "LeadStageChanged(lost_reason=)",
        "lost_reason",
        lambda v: LeadStageChanged(
            lead_id="L",
            version=2,
            event="lose",
            from_stage="awareness",
            to_stage="lost",
            at=T0,
            actor="a",
            lost_reason=v,
        ),
    ),
    (
        "ActivityLogged(kind=)",
        "kind",
        lambda v: ActivityLogged(lead_id="L", version=2, kind=v, at=T0, actor="a"),
    ),
    ("StageFacts(forecast)", "forecast", lambda v: StageFacts(Decimal("0.3"), v)),
    ("Qualification(outcome)", "outcome", lambda v: Qualification(v, "sam", T0)),
    ("Lead.stage_visits(stage)", "stage", lambda v: LEAD.stage_visits(v)),
    ("next_stage(stage)", "stage", lambda v: next_stage(v, "advance")),
    ("allowed_events(stage)", "stage", allowed_events),
    (
        "allowed_events(lost_from=)",
        "lost_from",
        lambda v: allowed_events("lost", lost_from=v),
    ),
    ("Ownership.start(role=)", "role", lambda v: Ownership.start(lead_id="L", role=v, at=T0)),
    ("Ownership.hand_off(to_role)", "to_role", lambda v: RECORD.hand_off(to_role=v, at=T0)),
    ("Ownership.transfer(role)", "role", lambda v: RECORD.transfer(role=v, at=T0)),
    ("Ownership.reject(reason)", "reason", lambda v: PENDING.reject(reason=v, at=T0)),
    ("Ownership.credited(role)", "role", RECORD.credited),
    ("Person(role)", "role", lambda v: Person("ana", v)),
    ("Team.in_role(role)", "role", TEAM.in_role),
    ("assign(role)", "role", lambda v: _assign(role=v)),
    (
        "Dispatcher.assign(role)",
        "role",
        lambda v: Dispatcher(TEAM, LeastLoaded()).assign("L", v, at=T0),
    ),
    ("AssignmentLedger.role(role)", "role", AssignmentLedger().role),
    ("AssignmentLedger(roles=)", "roles", lambda v: AssignmentLedger({}, {v: RoleTurns()})),
    ("AssignmentReason(verdict=)", "verdict", lambda v: AssignmentReason("ana", v, "detail")),
    ("WaitingLead(role)", "role", lambda v: WaitingLead("L", v, "ana", since=T0)),
    ("owner(model)", "model", lambda v: owner(v, "awareness", None)),
    ("owner(stage)", "stage", lambda v: owner("three_tier", v, None)),
    ("owner(qualification)", "qualification", lambda v: owner("three_tier", "awareness", v)),
    ("owner_of(model)", "model", lambda v: owner_of(v, LEAD)),
    ("model_diagram(model)", "model", model_diagram),
    ("needs_handoff(model)", "model", lambda v: needs_handoff(v, LEAD, RECORD)),
    ("reroute(model_from)", "model_from", lambda v: reroute(v, "one_tier", [])),
    ("reroute(model_to)", "model_to", lambda v: reroute("one_tier", v, [])),
    (
        "RoleTransfer(from_role=)",
        "from_role",
        lambda v: RoleTransfer(lead_id="L", version=1, from_role=v, to_role="closer", reason="r"),
    ),
    (
        "RoleTransfer(to_role=)",
        "to_role",
        lambda v: RoleTransfer(lead_id="L", version=1, from_role="closer", to_role=v, reason="r"),
    ),
    ("default_team(model)", "model", default_team),
    (
        "default_team(people_per_role=)",
        "people_per_role",
        lambda v: default_team("one_tier", people_per_role={v: 1}),
    ),
    ("simulate(model)", "model", lambda v: simulate(v, LeastLoaded(), team=TEAM, seed=1)),
    ("Recommendation(model)", "model", lambda v: Recommendation(v, {}, (), Decimal(0), Decimal(0))),
]


# None is a valid value where the parameter is optional.
OPTIONAL = {"allowed_events(lost_from=)", "owner(qualification)"}
CASES = [
    pytest.param(parameter, call, bad, id=f"{name}-{bad!r}")
    for name, parameter, call in ENUM_PARAMETERS
    for bad in (-1, "bogus", None, (), 1.5)
    if not (bad is None and name in OPTIONAL)
]


@pytest.mark.parametrize(("parameter", "call", "bad"), CASES)
def test_an_unknown_enum_value_is_refused_naming_the_parameter_not_the_enum_type(
    parameter, call, bad
):
    with pytest.raises(SalesflowError) as caught:
        call(bad)

    assert caught.value.field == parameter  # type: ignore[attr-defined]
    assert f"{parameter}: got " in str(caught.value)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: LEAD.lose(reason="other", at=T0, note=""), "note"),
        (lambda: LEAD.lose(reason="other", at=T0), "note"),
        (lambda: LEAD.disqualify(at=T0, note="   "), "note"),
        (lambda: LEAD.disqualify(at=T0, note=7), "note"),
        (lambda: LEAD.lose(reason="seasonal", at=T0), "come_back_on"),
        (lambda: LEAD.advance(at=T0).lead.move_back(reason="", at=T0), "reason"),
    ],
)
def test_lose_and_disqualify_name_the_note_as_the_caller_wrote_it(call, parameter):
    with pytest.raises(InvalidField) as caught:
        call()

    assert caught.value.field == parameter


# -- the examples of the issue ------------------------------------------------------------


def test_stage_facts_without_a_forecast_is_refused():
    with pytest.raises(InvalidField, match="forecast"):
        StageFacts(Decimal("0.3"), None)  # type: ignore[arg-type]


@pytest.mark.parametrize("attributes", [None, 7, ["country"], {"country": 7}, {"country": ["DE"]}])
def test_rule_matching_refuses_attributes_that_are_not_a_mapping_of_strings(attributes):
    rule = Rule("germany", {"country": "DE"})

    with pytest.raises(SalesflowError, match="attributes"):
        rule.matches(attributes)


@pytest.mark.parametrize("decision", [None, "L-1", _assign().decision])
def test_a_dispatcher_explains_only_its_own_decisions(decision):
    with pytest.raises(SalesflowError, match="decision"):
        Dispatcher(TEAM, LeastLoaded()).explain(decision)


@pytest.mark.parametrize("exclude", [[{"ana"}], [["ana"]], [None], [7], "ana", 7, None])
def test_exclusions_must_be_person_ids(exclude):
    with pytest.raises(SalesflowError, match="exclude"):
        _assign(exclude=exclude)
    with pytest.raises(SalesflowError, match="exclude"):
        Dispatcher(TEAM, LeastLoaded()).assign("L-1", Role.CLOSER, at=T0, exclude=exclude)


@pytest.mark.parametrize("person", [[], {}, None, 7, b"ana"])
def test_ledger_questions_about_a_person_need_a_person_id(person):
    with pytest.raises(SalesflowError, match="person"):
        AssignmentLedger().load(person)
    with pytest.raises(SalesflowError, match="person"):
        AssignmentLedger().assigned(person)
    with pytest.raises(SalesflowError, match="person"):
        Dispatcher(TEAM, LeastLoaded()).release(person)


@pytest.mark.parametrize("start", [date.max, date.min, date(9999, 12, 20), date(1, 1, 1)])
def test_a_stream_starting_at_the_calendar_edges_is_refused(start):
    with pytest.raises(InvalidField, match="start"):
        LeadStream(profile=ShopProfile(), seed=1, start=start, days=1, leads=())
    with pytest.raises(InvalidField, match="start"):
        LeadStream.generate(seed=1, start=start, days=1)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (
            lambda n: simulate(
                "one_tier", LeastLoaded(), team=default_team("one_tier"), seed=1, days=n
            ),
            "days",
        ),
        (lambda n: LeadStream.generate(seed=1, days=n), "days"),
        (lambda n: default_team("one_tier", people_per_role=n), "people_per_role"),
        (
            lambda n: default_team("one_tier", people_per_role={"manager": n}),
            "people_per_role['manager']",
        ),
        (lambda n: ShopProfile(leads_per_day=n), "leads_per_day"),
        (lambda n: ShopProfile(follow_up_days=n), "follow_up_days"),
    ],
)
@pytest.mark.parametrize("huge", [10**30, 10**6])
def test_sizes_beyond_their_documented_bound_are_refused_not_run(call, parameter, huge):
    with pytest.raises(InvalidField) as caught:
        call(huge)

    assert caught.value.field == parameter


@pytest.mark.parametrize("field", ["response_mean", "sales_cycle_mean"])
def test_mean_spans_beyond_a_year_are_refused(field):
    with pytest.raises(InvalidField, match=field):
        ShopProfile(**{field: timedelta.max})


@pytest.mark.parametrize("deadline", [timedelta.max, timedelta(days=10**6), timedelta(days=3000)])
def test_a_deadline_beyond_the_run_is_never_missed_and_costs_no_walk_through_the_calendar(deadline):
    report = simulate(
        "three_tier",
        LeastLoaded(),
        team=default_team("three_tier"),
        seed=3,
        days=5,
        deadline=deadline,
    )

    assert report.breaches.breaches == 0
    assert report.deadline == deadline


def test_result_records_refuse_garbage_when_built():
    with pytest.raises(SalesflowError, match="verdict"):
        AssignmentReason("ana", None, "detail")  # type: ignore[arg-type]
    with pytest.raises(SalesflowError):
        SimulationReport(*([None] * 19))  # type: ignore[arg-type]
    with pytest.raises(SalesflowError, match="source"):
        Decision("L-1", Role.CLOSER, T0, None, None, 0)  # type: ignore[arg-type]
    with pytest.raises(SalesflowError, match="reasons"):
        Recommendation("one_tier", {}, None, Decimal(0), Decimal(0))  # type: ignore[arg-type]
    with pytest.raises(SalesflowError, match="by"):
        Qualification("qualified", None, T0)  # type: ignore[arg-type]


def test_an_index_past_the_decisions_is_a_salesflow_error_and_an_index_error():
    decisions = Dispatcher(TEAM, LeastLoaded()).assign_many([("L-1", Role.CLOSER, T0)])

    with pytest.raises(IndexError) as caught:
        decisions[1]

    assert isinstance(caught.value, SalesflowError)
    assert [d.person for d in decisions] == ["ana"]


# -- documents with an added key are refused, naming it ----------------------------------


def _documents() -> list[tuple[str, dict[str, Any], Any]]:
    lead = LEAD.advance(at=T0).lead
    ledger = AssignmentLedger().with_load("ana", 2)
    report = reroute(
        "one_tier",
        "three_tier",
        [(LEAD, Ownership.start(lead_id="L-1", role="manager", at=T0).ownership)],
    )
    return [
        ("lead", lead.to_dict(), Lead.from_dict),
        ("ownership", PENDING.to_dict(), Ownership.from_dict),
        ("ledger", ledger.to_dict(), AssignmentLedger.from_dict),
        ("reroute report", report.to_dict(), RerouteReport.from_dict),
    ]


@pytest.mark.parametrize(
    ("name", "document", "reader"), _documents(), ids=[d[0] for d in _documents()]
)
def test_every_document_reader_refuses_an_unknown_key_naming_it(name, document, reader):
    assert reader(json.loads(json.dumps(document))) is not None
    tampered = {**json.loads(json.dumps(document)), "note": "added"}

    with pytest.raises(InvalidField) as caught:
        reader(tampered)

    assert "note" in caught.value.field


def test_a_ledger_tally_with_an_added_key_is_refused_naming_it():
    document = AssignmentLedger().with_load("ana", 2).to_dict()
    document["people"]["ana"]["bonus"] = 1

    with pytest.raises(InvalidField) as caught:
        AssignmentLedger.from_dict(document)

    assert caught.value.field == "people['ana'].bonus"


def test_a_ledger_tally_with_a_key_left_out_is_refused_naming_it():
    # A tally document carries every count; one left out may have been deleted.
    with pytest.raises(InvalidField, match=r"^people\.ana\.assigned: got None"):
        AssignmentLedger.from_dict(
            {"schema": AssignmentLedger.SCHEMA, "people": {"ana": {"load": 2}}, "roles": {}}
        )


# -- least loaded pacing ------------------------------------------------------------------

FOUR = Team(
    [Person(name, Role.CLOSER) for name in ("ana", "ben", "cy", "dee")]
)  # pace 2: wait 2 turns


def _pick(ledger: AssignmentLedger) -> tuple[str | None, str | None]:
    pure = assign("L-9", Role.CLOSER, at=T0, team=FOUR, ledger=ledger, strategy=LeastLoaded(pace=2))
    bulk = Dispatcher(FOUR, LeastLoaded(pace=2), ledger).assign("L-9", Role.CLOSER, at=T0)
    return pure.decision.person, bulk.person


def test_the_least_loaded_person_served_long_ago_is_not_paced():
    # ana holds nothing and was served 5 turns ago; cy was never served but holds one.
    ledger = AssignmentLedger(
        {
            "ana": LedgerEntry(load=0, assigned=1, last_turn=0),
            "ben": LedgerEntry(load=3, assigned=3, last_turn=3),
            "cy": LedgerEntry(load=1, assigned=0, last_turn=-1),
            "dee": LedgerEntry(load=3, assigned=3, last_turn=4),
        },
        {Role.CLOSER: RoleTurns(5)},
    )

    assert _pick(ledger) == ("ana", "ana")


def test_the_least_loaded_person_served_one_turn_ago_waits_while_someone_else_can_take_it():
    ledger = AssignmentLedger(
        {
            "ana": LedgerEntry(load=0, assigned=1, last_turn=4),
            "ben": LedgerEntry(load=1, assigned=1, last_turn=2),
            "cy": LedgerEntry(load=2, assigned=2, last_turn=1),
            "dee": LedgerEntry(load=2, assigned=2, last_turn=3),
        },
        {Role.CLOSER: RoleTurns(5)},
    )

    assert _pick(ledger) == ("ben", "ben")


def test_a_turn_taken_in_another_role_does_not_pace():
    # ana's last turn (7) is past the closers' count (5): it was in another role.
    ledger = AssignmentLedger(
        {
            "ana": LedgerEntry(load=0, assigned=1, last_turn=7),
            "ben": LedgerEntry(load=1, assigned=1, last_turn=2),
            "cy": LedgerEntry(load=2, assigned=2, last_turn=1),
            "dee": LedgerEntry(load=2, assigned=2, last_turn=3),
        },
        {Role.CLOSER: RoleTurns(5)},
    )

    assert _pick(ledger) == ("ana", "ana")


def test_a_person_never_served_is_not_paced_before_the_first_turns():
    ledger = AssignmentLedger(
        {"ben": LedgerEntry(load=1, assigned=1, last_turn=-1)}, {Role.CLOSER: RoleTurns(0)}
    )

    assert _pick(ledger) == ("ana", "ana")


def test_absence_edges_are_compared_as_instants():
    with pytest.raises(InvalidField, match="end"):
        Absence(T0, T0.astimezone(ZoneInfo("Asia/Tokyo")))  # the same instant


def test_money_is_what_a_deal_value_takes():
    with pytest.raises(InvalidField, match="deal_value"):
        Lead.create(lead_id="L", source="inbound", at=T0, deal_value=Money("-1", "EUR"))


@pytest.mark.parametrize("field", ["peak_ratio", "deal_spread"])
@pytest.mark.parametrize("huge", [10**30, Decimal("1E+999999"), 1000])
def test_shop_profile_ratios_beyond_their_bound_are_refused(field, huge):
    with pytest.raises(InvalidField, match=field):
        ShopProfile(**{field: huge})


def test_the_generator_refuses_draws_that_would_not_end():
    rng = Rng(1)

    with pytest.raises(InvalidField, match="count"):
        rng.bits(10**30)
    with pytest.raises(InvalidField, match="sigma"):
        rng.lognormal(Decimal(1), Decimal("1E+30"))
    assert rng.chance(Decimal("1E-999999")) is False
    assert rng.chance(1 - Decimal("1E-999999")) is True
