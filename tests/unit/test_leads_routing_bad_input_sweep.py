"""A sweep of leads and routing with bad values: each public callable, one argument at a
time, given each class of bad value (None, wrong types, floats, empty and huge strings,
unhashable values, NaN and huge Decimals, huge and negative ints, naive datetimes,
datetime.min/max, date.max, timedelta.min/max). Only a SalesflowError may escape,
and every call ends (a generous alarm guards liveness; it is not a speed test)."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from salesflow import Money, SalesflowError
from salesflow.leads import (
    Lead,
    Qualification,
    StageFacts,
    StageTime,
    allowed_lead_events,
    funnel_step,
    lead_event_from_dict,
    lead_event_to_dict,
    next_stage,
    replay_stage,
)
from salesflow.routing import (
    LEDGER_SCHEMA,
    Absence,
    BreachTally,
    BusinessProfile,
    DeadlineResult,
    Dispatcher,
    HandoffTally,
    LeadStream,
    LeastLoaded,
    Ledger,
    Move,
    Outcomes,
    Ownership,
    Person,
    PersonLoad,
    Reason,
    Reassignment,
    Recommendation,
    RerouteReport,
    Role,
    RoleTally,
    RoundRobin,
    Routed,
    Rule,
    Rules,
    Shift,
    ShopProfile,
    SimulationReport,
    Sticky,
    StreamLead,
    Tally,
    Team,
    Waiting,
    WorkingHours,
    allowed_handoff_events,
    assign,
    compare_models,
    default_team,
    format_comparison,
    model_diagram,
    needs_handoff,
    next_handoff_status,
    owner,
    owner_of,
    ownership_event_from_dict,
    ownership_event_to_dict,
    reassign_overdue,
    recommend_model,
    reroute,
    simulate,
)

T = datetime(2026, 11, 23, 9, tzinfo=UTC)
lead = Lead.create(lead_id="L", source="inbound", at=T).lead
rec = Ownership.start(lead_id="L", role="closer", person="a", at=T).ownership
team = Team([Person("a", Role.CLOSER)])

BAD: list[Any] = [
    None,
    7,
    1.5,
    "",
    "x" * 100000,
    [],
    {},
    {1},
    Decimal("NaN"),
    Decimal("1E+999999"),
    10**30,
    -1,
    datetime(2026, 1, 1),
    datetime.min.replace(tzinfo=UTC),
    datetime.max.replace(tzinfo=UTC),
    date.max,
    timedelta.max,
    timedelta.min,
    object(),
]

CALLS: dict[str, Callable[[Any], Any]] = {
    "Lead.create.lead_id": lambda v: Lead.create(lead_id=v, source="inbound", at=T),
    "Lead.create.source": lambda v: Lead.create(lead_id="L", source=v, at=T),
    "Lead.create.at": lambda v: Lead.create(lead_id="L", source="inbound", at=v),
    "Lead.create.deal_value": lambda v: Lead.create(
        lead_id="L", source="inbound", at=T, deal_value=v
    ),
    "Lead.create.actor": lambda v: Lead.create(lead_id="L", source="inbound", at=T, actor=v),
    "advance.at": lambda v: lead.advance(at=v),
    "lose.reason": lambda v: lead.lose(v, at=T),
    "lose.come_back_on": lambda v: lead.lose("seasonal", at=T, come_back_on=v),
    "lose.note": lambda v: lead.lose("other", at=T, note=v),
    "log_activity.kind": lambda v: lead.log_activity(v, at=T),
    "time_in_stages": lambda v: lead.time_in_stages(v),
    "stalled.now": lambda v: lead.stalled(v, timedelta(1)),
    "stalled.threshold": lambda v: lead.stalled(T, v),
    "facts": lambda v: lead.facts(v),
    "expected_value": lambda v: lead.expected_value(v),
    "StageFacts.p": lambda v: StageFacts(v, "pipeline"),
    "StageFacts.f": lambda v: StageFacts(Decimal("0.3"), v),
    "Lead.from_dict": lambda v: Lead.from_dict(v),
    "lead_event_from_dict": lambda v: lead_event_from_dict(v),
    "lead_event_to_dict": lambda v: lead_event_to_dict(v),
    "replay_stage": lambda v: replay_stage(v),
    "replay_stage.item": lambda v: replay_stage([v]),
    "next_stage": lambda v: next_stage(v, "advance"),
    "next_stage.event": lambda v: next_stage("awareness", v),
    "allowed_lead_events.lost_from": lambda v: allowed_lead_events("lost", lost_from=v),
    "allowed_lead_events.qualified": lambda v: allowed_lead_events("lost", qualified=v),
    "funnel_step": lambda v: funnel_step(v),
    "Lead.replay": lambda v: Lead.replay(v),
    "Lead": lambda v: Lead(v),
    "Ownership.start.role": lambda v: Ownership.start(lead_id="L", role=v, at=T),
    "hand_off.to_role": lambda v: rec.hand_off(v, at=T),
    "hand_off.expires_at": lambda v: rec.hand_off("qualifier", at=T, expires_at=v),
    "reassign.person": lambda v: rec.reassign(v, at=T),
    "transfer.role": lambda v: rec.transfer(v, at=T),
    "credited": lambda v: rec.credited(v),
    "Ownership.from_dict": lambda v: Ownership.from_dict(v),
    "ownership_event_from_dict": lambda v: ownership_event_from_dict(v),
    "ownership_event_to_dict": lambda v: ownership_event_to_dict(v),
    "needs_handoff.model": lambda v: needs_handoff(v, lead, rec),
    "needs_handoff.lead": lambda v: needs_handoff("one_tier", v, rec),
    "allowed_handoff_events": lambda v: allowed_handoff_events(v),
    "next_handoff_status": lambda v: next_handoff_status("submitted", v),
    "next_handoff_status.lead_id": lambda v: next_handoff_status("submitted", "x", lead_id=v),
    "Person.id": lambda v: Person(v, "closer"),
    "Person.role": lambda v: Person("a", v),
    "Person.weight": lambda v: Person("a", "closer", weight=v),
    "Person.capacity": lambda v: Person("a", "closer", capacity=v),
    "Person.hours": lambda v: Person("a", "closer", hours=v),
    "Person.absences": lambda v: Person("a", "closer", absences=v),
    "Person.tags": lambda v: Person("a", "closer", tags=v),
    "Person.away_at": lambda v: Person("a", "closer").away_at(v),
    "Person.evolve": lambda v: Person("a", "closer").evolve(weight=v),
    "Absence.start": lambda v: Absence(v, T),
    "Absence.reason": lambda v: Absence(T, T + timedelta(1), v),
    "Team": lambda v: Team(v),
    "Team.get": lambda v: team.get(v),
    "Team.in_role": lambda v: team.in_role(v),
    "Team.with_person": lambda v: team.with_person(v),
    "Team.without": lambda v: team.without(v),
    "Team.contains": lambda v: v in team,
    "assign.lead_id": lambda v: assign(
        v, "closer", at=T, team=team, ledger=Ledger(), strategy=RoundRobin()
    ),
    "assign.role": lambda v: assign(
        "L", v, at=T, team=team, ledger=Ledger(), strategy=RoundRobin()
    ),
    "assign.at": lambda v: assign(
        "L", "closer", at=v, team=team, ledger=Ledger(), strategy=RoundRobin()
    ),
    "assign.team": lambda v: assign(
        "L", "closer", at=T, team=v, ledger=Ledger(), strategy=RoundRobin()
    ),
    "assign.ledger": lambda v: assign(
        "L", "closer", at=T, team=team, ledger=v, strategy=RoundRobin()
    ),
    "assign.strategy": lambda v: assign(
        "L", "closer", at=T, team=team, ledger=Ledger(), strategy=v
    ),
    "assign.account_owner": lambda v: assign(
        "L", "closer", at=T, team=team, ledger=Ledger(), strategy=Sticky(), account_owner=v
    ),
    "assign.attributes": lambda v: assign(
        "L", "closer", at=T, team=team, ledger=Ledger(), strategy=RoundRobin(), attributes=v
    ),
    "assign.exclude": lambda v: assign(
        "L", "closer", at=T, team=team, ledger=Ledger(), strategy=RoundRobin(), exclude=v
    ),
    "assign.exclude.item": lambda v: assign(
        "L", "closer", at=T, team=team, ledger=Ledger(), strategy=RoundRobin(), exclude=[v]
    ),
    "Rules.attrs": lambda v: assign(
        "L",
        "closer",
        at=T,
        team=team,
        ledger=Ledger(),
        strategy=Rules([Rule("a", {"x": "y"}), Rule("b")]),
        attributes={"x": v},
    ),
    "Rule.name": lambda v: Rule(v),
    "Rule.when": lambda v: Rule("a", v),
    "Rule.when.value": lambda v: Rule("a", {"x": v}),
    "Rule.tags": lambda v: Rule("a", tags=v),
    "Rule.then": lambda v: Rule("a", then=v),
    "Rule.matches": lambda v: Rule("a").matches(v),
    "Rules": lambda v: Rules(v),
    "Sticky": lambda v: Sticky(v),
    "LeastLoaded": lambda v: LeastLoaded(v),
    "Ledger.people": lambda v: Ledger(v),
    "Ledger.roles": lambda v: Ledger({}, v),
    "Ledger.load": lambda v: Ledger().load(v),
    "Ledger.with_load": lambda v: Ledger().with_load("a", v),
    "Ledger.with_load.p": lambda v: Ledger().with_load(v, 1),
    "Ledger.release": lambda v: Ledger().release(v),
    "Ledger.credit_back": lambda v: Ledger().credit_back(v),
    "Ledger.role": lambda v: Ledger().role(v),
    "Ledger.from_dict": lambda v: Ledger.from_dict(v),
    "Ledger.from_dict.people": lambda v: Ledger.from_dict(
        {"schema": LEDGER_SCHEMA, "people": {"a": v}, "roles": {}}
    ),
    "Ledger.from_dict.tally": lambda v: Ledger.from_dict(
        {"schema": LEDGER_SCHEMA, "people": {"a": {"load": v}}, "roles": {}}
    ),
    "Ledger.from_dict.role": lambda v: Ledger.from_dict(
        {"schema": LEDGER_SCHEMA, "people": {}, "roles": {"closer": v}}
    ),
    "Tally": lambda v: Tally(v),
    "RoleTally": lambda v: RoleTally(v),
    "Reason.verdict": lambda v: str(Reason("a", v, "d")),
    "Reason.person": lambda v: str(Reason(v, "picked", "d")),
    "Dispatcher.team": lambda v: Dispatcher(v, LeastLoaded()),
    "Dispatcher.strategy": lambda v: Dispatcher(team, v),
    "Dispatcher.ledger": lambda v: Dispatcher(team, LeastLoaded(), v),
    "Dispatcher.assign.at": lambda v: Dispatcher(team, LeastLoaded()).assign("L", "closer", at=v),
    "Dispatcher.assign.lead": lambda v: Dispatcher(team, LeastLoaded()).assign(v, "closer", at=T),
    "Dispatcher.assign.role": lambda v: Dispatcher(team, LeastLoaded()).assign("L", v, at=T),
    "Dispatcher.assign.exclude": lambda v: Dispatcher(team, LeastLoaded()).assign(
        "L", "closer", at=T, exclude=v
    ),
    "Dispatcher.assign_many": lambda v: Dispatcher(team, LeastLoaded()).assign_many(v),
    "Dispatcher.assign_many.item": lambda v: Dispatcher(team, LeastLoaded()).assign_many([v]),
    "Dispatcher.explain": lambda v: Dispatcher(team, LeastLoaded()).explain(v),
    "Dispatcher.release": lambda v: Dispatcher(team, LeastLoaded()).release(v),
    "Dispatcher.replace_team": lambda v: Dispatcher(team, LeastLoaded()).replace_team(v),
    "Decision.why_not": lambda v: assign(
        "L", "closer", at=T, team=team, ledger=Ledger(), strategy=RoundRobin()
    ).decision.why_not(v),
    "Decisions.getitem": lambda v: Dispatcher(team, LeastLoaded()).assign_many(
        [("L", "closer", T)]
    )[v],
    "Waiting.since": lambda v: Waiting("L", "closer", "a", since=v),
    "Waiting.hops": lambda v: Waiting("L", "closer", "a", since=T, hops=v),
    "Waiting.tried": lambda v: Waiting("L", "closer", "a", since=T, tried=v),
    "Waiting.attributes": lambda v: Waiting("L", "closer", "a", since=T, attributes=v),
    "reassign_overdue.waiting": lambda v: reassign_overdue(
        v, now=T, deadline=timedelta(hours=1), team=team, ledger=Ledger(), strategy=RoundRobin()
    ),
    "reassign_overdue.now": lambda v: reassign_overdue(
        [Waiting("L", "closer", "a", since=T)],
        now=v,
        deadline=timedelta(hours=1),
        team=team,
        ledger=Ledger(),
        strategy=RoundRobin(),
    ),
    "reassign_overdue.deadline": lambda v: reassign_overdue(
        [Waiting("L", "closer", "a", since=T)],
        now=T,
        deadline=v,
        team=team,
        ledger=Ledger(),
        strategy=RoundRobin(),
    ),
    "reassign_overdue.max_hops": lambda v: reassign_overdue(
        [Waiting("L", "closer", "a", since=T)],
        now=T,
        deadline=timedelta(hours=1),
        team=team,
        ledger=Ledger(),
        strategy=RoundRobin(),
        max_hops=v,
    ),
    "reassign_overdue.supervisors": lambda v: reassign_overdue(
        [],
        now=T,
        deadline=timedelta(hours=1),
        team=team,
        ledger=Ledger(),
        strategy=RoundRobin(),
        supervisors=v,
    ),
    "WorkingHours.zone": lambda v: WorkingHours(v, {}),
    "WorkingHours.week": lambda v: WorkingHours("UTC", v),
    "WorkingHours.week.day": lambda v: WorkingHours("UTC", {0: v}),
    "WorkingHours.holidays": lambda v: WorkingHours("UTC", {}, v),
    "WorkingHours.office.days": lambda v: WorkingHours.office("UTC", days=v),
    "WorkingHours.office.start": lambda v: WorkingHours.office("UTC", start=v),
    "WorkingHours.is_working": lambda v: WorkingHours.office("UTC").is_working(v),
    "WorkingHours.window": lambda v: WorkingHours.office("UTC").window(v),
    "WorkingHours.next_start": lambda v: WorkingHours.office("UTC").next_start(v),
    "WorkingHours.add.start": lambda v: WorkingHours.office("UTC").add(v, timedelta(hours=1)),
    "WorkingHours.add.duration": lambda v: WorkingHours.office("UTC").add(T, v),
    "WorkingHours.between": lambda v: WorkingHours.office("UTC").between(T, v),
    "WorkingHours.from_dict": lambda v: WorkingHours.from_dict(v),
    "Shift": lambda v: Shift(v, "10:00"),
    "Shift.parse": lambda v: Shift.parse(v),
    "owner.model": lambda v: owner(v, "awareness", None),
    "owner.stage": lambda v: owner("one_tier", v, None),
    "owner.qualification": lambda v: owner("one_tier", "awareness", v),
    "owner_of": lambda v: owner_of("one_tier", v),
    "model_diagram": lambda v: model_diagram(v),
    "reroute.model": lambda v: reroute(v, "one_tier", []),
    "reroute.records": lambda v: reroute("one_tier", "one_tier", v),
    "reroute.records.item": lambda v: reroute("one_tier", "one_tier", [v]),
    "RerouteReport.from_dict": lambda v: RerouteReport.from_dict(v),
    "Move.from_dict": lambda v: Move.from_dict(v),
    "Routed": lambda v: Routed(v, rec),
    "recommend_model": recommend_model,
    "default_team.model": lambda v: default_team(v),
    "default_team.ppr": lambda v: default_team("one_tier", people_per_role=v),
    "default_team.zone": lambda v: default_team("one_tier", zone=v),
    "default_team.capacity": lambda v: default_team("one_tier", capacity=v),
    "default_team.hours": lambda v: default_team("one_tier", hours=v),
    "LeadStream.generate.days": lambda v: LeadStream.generate(days=v, seed=1),
    "LeadStream.generate.seed": lambda v: LeadStream.generate(days=1, seed=v),
    "LeadStream.generate.start": lambda v: LeadStream.generate(days=1, seed=1, start=v),
    "LeadStream.start": lambda v: (
        LeadStream(profile=ShopProfile(), seed=1, start=v, days=1, leads=()).end
    ),
    "ShopProfile.leads_per_day": lambda v: ShopProfile(leads_per_day=v),
    "ShopProfile.share": lambda v: ShopProfile(win_share=v),
    "ShopProfile.zone": lambda v: ShopProfile(zone=v),
    "ShopProfile.weights": lambda v: ShopProfile(arrival_weights=v),
    "ShopProfile.median_deal": lambda v: ShopProfile(median_deal=v),
    "ShopProfile.response_mean": lambda v: ShopProfile(response_mean=v),
    "ShopProfile.follow_up_days": lambda v: ShopProfile(follow_up_days=v),
    "ShopProfile.peak_ratio": lambda v: ShopProfile(peak_ratio=v),
    "ShopProfile.deal_spread": lambda v: ShopProfile(deal_spread=v),
    "simulate.model": lambda v: simulate(
        v, LeastLoaded(), team=default_team("one_tier"), seed=1, days=1
    ),
    "simulate.days": lambda v: simulate(
        "one_tier", LeastLoaded(), team=default_team("one_tier"), seed=1, days=v
    ),
    "simulate.seed": lambda v: simulate(
        "one_tier", LeastLoaded(), team=default_team("one_tier"), seed=v, days=1
    ),
    "simulate.start": lambda v: simulate(
        "one_tier", LeastLoaded(), team=default_team("one_tier"), seed=1, days=1, start=v
    ),
    "simulate.deadline": lambda v: simulate(
        "one_tier", LeastLoaded(), team=default_team("one_tier"), seed=1, days=1, deadline=v
    ),
    "simulate.run_on": lambda v: simulate(
        "one_tier", LeastLoaded(), team=default_team("one_tier"), seed=1, days=1, run_on=v
    ),
    "simulate.max_hops": lambda v: simulate(
        "one_tier", LeastLoaded(), team=default_team("one_tier"), seed=1, days=1, max_hops=v
    ),
    "simulate.profile": lambda v: simulate(
        "one_tier", LeastLoaded(), team=default_team("one_tier"), seed=1, days=1, profile=v
    ),
    "simulate.stream": lambda v: simulate(
        "one_tier", LeastLoaded(), team=default_team("one_tier"), seed=1, stream=v
    ),
    "compare_models.models": lambda v: compare_models(v, strategy=LeastLoaded(), seed=1, days=1),
    "compare_models.teams": lambda v: compare_models(
        ["one_tier"], strategy=LeastLoaded(), seed=1, days=1, teams=v
    ),
    "format_comparison": lambda v: format_comparison(v),
    "format_comparison.item": lambda v: format_comparison([v]),
    "SimulationReport": lambda v: SimulationReport(*([v] * 19)),
    "PersonLoad": lambda v: PersonLoad(*([v] * 7)),
    "Outcomes": lambda v: Outcomes(*([v] * 6)),
    "HandoffTally": lambda v: HandoffTally(*([v] * 6)),
    "BreachTally": lambda v: BreachTally(*([v] * 3)),
    "Reassignment": lambda v: Reassignment(*([v] * 6)),
    "DeadlineResult": lambda v: DeadlineResult(*([v] * 3)),
    "StreamLead.at": lambda v: StreamLead(
        id="x",
        at=v,
        source="inbound",
        account="a",
        returning=False,
        deal_value=Money("1", "EUR"),
        target=True,
        ready=True,
        misqualified=False,
        missing_information=False,
        wins=True,
        sales_cycle=timedelta(1),
    ),
    "StreamLead.sales_cycle": lambda v: StreamLead(
        id="x",
        at=T,
        source="inbound",
        account="a",
        returning=False,
        deal_value=Money("1", "EUR"),
        target=True,
        ready=True,
        misqualified=False,
        missing_information=False,
        wins=True,
        sales_cycle=v,
    ),
    "Qualification": lambda v: Qualification(v, v, v),
    "StageTime": lambda v: StageTime(v, v, v, v, v, v),
    "Recommendation": lambda v: Recommendation(v, v, v, v, v),
    "BusinessProfile.x": lambda v: recommend_model(
        BusinessProfile(
            monthly_inbound_leads=v,
            share_not_ready_or_not_target="0.5",
            seasonal_peak_ratio=1,
            deals_per_month=v,
            sales_cycle_days=v,
            repeat_revenue_share="0.1",
        )
    ),
}


class _Hung(Exception):
    pass


@contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    def ring(*_: Any) -> None:
        raise _Hung

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_only_salesflow_errors_escape_and_every_call_ends(name):
    escaped = []

    for bad in BAD:
        try:
            with _alarm(10):
                CALLS[name](bad)
        except SalesflowError:
            pass
        except _Hung:
            escaped.append(("did not end", repr(bad)[:40]))
        except Exception as err:  # the property under test: nothing else escapes
            escaped.append((type(err).__name__, repr(bad)[:40], str(err)[:80]))

    assert escaped == []


def test_the_sweep_covers_every_class_of_bad_value_over_many_callables():
    assert len(CALLS) >= 180
    assert len(CALLS) * len(BAD) >= 3400
