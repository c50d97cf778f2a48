"""The routing simulator: reproducible from its seed, every lead and handoff accounted for,
capacity and fairness laws, the shape of each model, and clear refusals."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType, Money
from salesflow._rng import Rng
from salesflow.leads import Lead, LeadSource
from salesflow.routing import (
    Absence,
    AssignmentLedger,
    Dispatcher,
    LeastLoaded,
    Person,
    RejectReason,
    Role,
    RoundRobin,
    Rules,
    SalesModel,
    Sticky,
    Team,
    Weighted,
    WorkingHours,
    reassign_overdue,
)
from salesflow.routing._run import Case, Run
from salesflow.routing.deadlines import WaitingLead
from salesflow.routing.profile import ShopProfile
from salesflow.routing.report import format_comparison
from salesflow.routing.simulation import compare_models, default_team, simulate
from salesflow.routing.strategies import Rule
from salesflow.routing.stream import LeadStream, StreamLead

SMALL = ShopProfile(leads_per_day=12)
MONDAY = date(2026, 3, 2)
STRATEGIES = [
    RoundRobin(),
    Weighted(),
    LeastLoaded(),
    Sticky(),
    Sticky(LeastLoaded()),
    Rules([Rule("outbound", when={"source": "outbound"}, then=Sticky()), Rule("rest")]),
]


def run(model=SalesModel.THREE_TIER, strategy=None, *, seed=1, team=None, **options):
    options.setdefault("profile", SMALL)
    options.setdefault("days", 3)
    team = default_team(model) if team is None else team
    return simulate(model, strategy or LeastLoaded(), team=team, seed=seed, **options)


def lead(number, *, account=None, hour=10, **nature):
    """A hand-made lead: target, ready, wins; arrives on Monday 2 March 2026 at ``hour`` UTC."""
    fields = {
        "id": f"L-{number}",
        "at": datetime(2026, 3, 2, hour, number, tzinfo=UTC),
        "source": LeadSource.INBOUND,
        "account": account or f"A-{number}",
        "returning": False,
        "deal_value": Money("100", "EUR"),
        "target": True,
        "ready": True,
        "misqualified": False,
        "missing_information": False,
        "wins": True,
        "sales_cycle": timedelta(hours=1),
        **nature,
    }
    return StreamLead(**fields)


def stream_of(*leads):
    return LeadStream(profile=ShopProfile(), seed=0, start=MONDAY, days=1, leads=leads)


def always_team(role, count):
    return Team([Person(f"p-{n}", role) for n in range(1, count + 1)])


# -- reproducible -----------------------------------------------------------------


def test_the_same_seed_gives_the_same_report_byte_for_byte():
    first = run(seed=5)

    second = run(seed=5)

    assert first == second
    assert first.format() == second.format()
    assert json.dumps(first.to_dict()) == json.dumps(second.to_dict())


def test_different_seeds_give_different_reports():
    reports = {run(seed=seed).format() for seed in range(4)}

    assert len(reports) == 4


def test_the_same_seed_draws_the_same_stream_and_another_seed_another():
    first = LeadStream.generate(SMALL, days=3, seed=9)

    assert first == LeadStream.generate(SMALL, days=3, seed=9)
    assert first.leads != LeadStream.generate(SMALL, days=3, seed=10).leads


# -- laws, on random seeds, models and strategies ----------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    model=st.sampled_from(list(SalesModel)),
    strategy=st.sampled_from(STRATEGIES),
    capacity=st.sampled_from([None, 2, 4]),
    run_on=st.sampled_from([timedelta(0), timedelta(days=2), timedelta(days=14)]),
    max_hops=st.integers(0, 3),
)
def test_every_lead_assignment_and_handoff_is_accounted_for(
    seed, model, strategy, capacity, run_on, max_hops
):
    team = default_team(model, people_per_role=2, capacity=capacity)

    report = run(model, strategy, seed=seed, team=team, run_on=run_on, max_hops=max_hops, days=2)

    assert report.outcomes.total == report.leads
    assert sum(person.assigned for person in report.people) == report.assignments
    # A lead never given to anyone is still waiting in the queue it arrived in.
    assert report.assignments + report.still_queued >= report.leads
    handoffs = report.handoffs
    assert handoffs.submitted == (
        handoffs.accepted + handoffs.rejected_total + handoffs.expired + handoffs.pending
    )
    assert sum(handoffs.routes.values()) == handoffs.submitted
    breaches = report.breaches
    assert breaches.breaches == breaches.reassigned + breaches.escalated
    assert sum(person.lapsed for person in report.people) == breaches.breaches
    assert 0 <= report.still_queued <= report.queued <= report.leads
    for person in report.people:
        assert 0 <= person.open_at_end <= person.peak_open <= person.assigned
        if capacity is not None:
            assert person.peak_open <= capacity
    for role, fairness in report.fairness.items():
        people = len(report.in_role(role))
        assert fairness is None or Decimal(1) / people - Decimal("0.0001") <= fairness <= 1


@settings(max_examples=10, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    model=st.sampled_from(list(SalesModel)),
    strategy=st.sampled_from(STRATEGIES),
)
def test_when_every_lead_has_settled_nobody_holds_an_open_lead(seed, model, strategy):
    quick = ShopProfile(leads_per_day=10, sales_cycle_mean=timedelta(hours=1), follow_up_days=1)

    report = run(model, strategy, seed=seed, profile=quick, days=2, run_on=timedelta(days=60))

    assert report.outcomes.in_progress == 0
    assert report.handoffs.pending == report.still_queued == 0
    assert [person.open_at_end for person in report.people] == [0] * len(report.people)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), managers=st.integers(1, 5))
def test_round_robin_keeps_everyone_within_one_lead_of_each_other(seed, managers):
    team = always_team(Role.MANAGER, managers)

    report = run(
        SalesModel.ONE_TIER, RoundRobin(), seed=seed, team=team, deadline=timedelta(days=30)
    )

    counts = [person.assigned for person in report.people]
    assert max(counts) - min(counts) <= 1
    assert report.breaches.breaches == 0


def test_round_robin_on_a_uniform_team_is_perfectly_fair_when_the_leads_divide_evenly():
    stream = stream_of(*(lead(n) for n in range(12)))
    team = always_team(Role.MANAGER, 4)

    report = simulate(
        SalesModel.ONE_TIER,
        RoundRobin(),
        team=team,
        seed=1,
        stream=stream,
        deadline=timedelta(days=30),
    )

    assert [person.assigned for person in report.people] == [3, 3, 3, 3]
    assert report.fairness[Role.MANAGER] == 1


def test_one_person_taking_every_lead_scores_the_lowest_fairness():
    stream = stream_of(*(lead(n) for n in range(6)))
    team = Team([Person("busy", Role.MANAGER), Person("idle", Role.MANAGER, weight=1)])
    idle_away = team.with_person(
        Person("idle", Role.MANAGER, hours=WorkingHours("UTC", {6: "00:00-01:00"}))
    )

    report = simulate(
        SalesModel.ONE_TIER,
        RoundRobin(),
        team=idle_away,
        seed=1,
        stream=stream,
        deadline=timedelta(days=30),
    )

    assert [person.assigned for person in report.people] == [6, 0]
    assert report.fairness[Role.MANAGER] == Decimal("0.5")


# -- the shape of each model ----------------------------------------------------------


def test_one_tier_has_no_handoffs():
    report = run(SalesModel.ONE_TIER)

    assert report.handoffs.submitted == 0
    assert dict(report.handoffs.routes) == {}
    assert {person.role for person in report.people} == {Role.MANAGER}


def test_three_tier_hands_leads_from_qualifiers_to_closers_and_from_closers_to_account_managers():
    report = run(SalesModel.THREE_TIER)

    routes = report.handoffs.routes
    assert set(routes) == {
        (Role.QUALIFIER, Role.CLOSER),
        (Role.CLOSER, Role.ACCOUNT_MANAGER),
    }
    assert all(count > 0 for count in routes.values())
    assert all(person.assigned > 0 for person in report.people)


def test_a_model_without_a_contact_center_gives_qualifiers_nothing():
    team = default_team(SalesModel.THREE_TIER)

    report = run(SalesModel.TWO_TIER_ACCOUNT_MANAGER, team=team)

    qualifiers = report.in_role(Role.QUALIFIER)
    assert qualifiers
    assert all(person.assigned == person.peak_open == 0 for person in qualifiers)
    assert Role.QUALIFIER not in report.fairness
    assert set(report.handoffs.routes) == {(Role.CLOSER, Role.ACCOUNT_MANAGER)}


def test_a_contact_center_model_keeps_the_customer_with_the_closer():
    report = run(SalesModel.TWO_TIER_CONTACT_CENTER)

    assert set(report.handoffs.routes) == {(Role.QUALIFIER, Role.CLOSER)}
    assert report.outcomes.won > 0


def test_a_closer_sends_a_misqualified_lead_back_and_the_qualifier_marks_it_lost():
    stream = stream_of(lead(1, ready=False, misqualified=True))
    team = Team([Person("quinn", Role.QUALIFIER), Person("cleo", Role.CLOSER)])

    report = simulate(
        SalesModel.TWO_TIER_CONTACT_CENTER, RoundRobin(), team=team, seed=3, stream=stream
    )

    assert dict(report.handoffs.rejected) == {RejectReason.NOT_QUALIFIED: 1}
    assert report.outcomes.lost == 1
    assert [person.open_at_end for person in report.people] == [0, 0]


def test_a_handoff_missing_information_comes_back_once_and_is_then_accepted():
    stream = stream_of(lead(1, missing_information=True))
    team = Team([Person("quinn", Role.QUALIFIER), Person("cleo", Role.CLOSER)])

    report = simulate(
        SalesModel.TWO_TIER_CONTACT_CENTER, RoundRobin(), team=team, seed=3, stream=stream
    )

    assert dict(report.handoffs.rejected) == {RejectReason.MISSING_INFORMATION: 1}
    assert (report.handoffs.submitted, report.handoffs.accepted) == (2, 1)
    assert report.outcomes.won == 1


def test_without_a_contact_center_a_lead_that_is_not_ready_is_never_handed_back():
    profile = ShopProfile(leads_per_day=12, not_ready_share="0.9", misqualified_share="1")

    report = run(SalesModel.TWO_TIER_ACCOUNT_MANAGER, profile=profile)

    assert report.handoffs.rejected_total == 0
    assert report.outcomes.lost > 0


def test_sticky_gives_a_returning_account_to_its_owner_and_round_robin_does_not():
    stream = stream_of(
        lead(1, account="A-1"),
        lead(2, account="A-2"),
        lead(3, account="A-1", returning=True),
    )
    team = always_team(Role.MANAGER, 3)

    def assigned(strategy):
        report = simulate(
            SalesModel.ONE_TIER,
            strategy,
            team=team,
            seed=1,
            stream=stream,
            deadline=timedelta(days=30),
        )
        return [person.assigned for person in report.people]

    assert assigned(Sticky()) == [2, 1, 0]
    assert assigned(RoundRobin()) == [1, 1, 1]


# -- deadlines, queues, capacity --------------------------------------------------------


def test_slow_owners_miss_the_deadline_and_their_leads_go_to_the_next_person():
    slow = ShopProfile(leads_per_day=12, response_mean=timedelta(hours=6))

    report = run(profile=slow)

    assert report.breaches.breaches > 0
    assert report.breaches.reassigned > 0
    assert report.handoffs.expired > 0


def test_without_hops_every_missed_deadline_goes_to_the_queue():
    slow = ShopProfile(leads_per_day=12, response_mean=timedelta(hours=6))

    report = run(profile=slow, max_hops=0)

    assert report.breaches.breaches > 0
    assert report.breaches.reassigned == 0
    assert report.breaches.escalated == report.breaches.breaches


def test_a_deadline_nobody_can_miss_is_never_missed():
    report = run(deadline=timedelta(days=3000))

    assert report.breaches.breaches == 0
    assert report.handoffs.expired == 0


# -- one definition: the simulator's lapses as reassign_overdue decides them -------------

HOURS_IN_ZONES = [
    None,  # always working
    WorkingHours("UTC", {}),  # no working time at all: held to wall-clock time
    WorkingHours.office("Europe/Berlin"),
    WorkingHours.office("America/New_York", start="08:00", end="16:00"),
    WorkingHours("Asia/Kolkata", {0: "10:00-18:00", 2: "22:00-24:00", 3: "00:00-04:00"}),
    WorkingHours.office("Asia/Tokyo", holidays=[date(2026, 3, 4)]),
]
MONDAY_MIDNIGHT = datetime(2026, 3, 2, tzinfo=UTC)


@st.composite
def deadline_scenarios(draw):
    """A small team of managers (hours in different zones, absences, capacities, some
    inactive) and leads waiting for them; an owner numbered past the team left it."""
    size = draw(st.integers(1, 5))
    people = []
    for n in range(size):
        away = draw(st.none() | st.tuples(st.integers(0, 240), st.integers(1, 72)))
        absences = []
        if away is not None:
            start = MONDAY_MIDNIGHT + timedelta(hours=away[0])
            absences = [Absence(start, start + timedelta(hours=away[1]))]
        people.append(
            Person(
                f"p-{n}",
                Role.MANAGER,
                hours=draw(st.sampled_from([None, *HOURS_IN_ZONES])),
                absences=absences,
                active=draw(st.sampled_from([True, True, True, False])),
                capacity=draw(st.sampled_from([None, None, 1, 2])),
                weight=draw(st.integers(1, 2)),
            )
        )
    waiting = draw(
        st.lists(
            st.tuples(
                st.sampled_from([*range(size)] * 4 + [size]),  # the owner: p-<size> left
                st.integers(0, 14 * 24 * 60),  # waiting since, in minutes after Monday 00:00
                st.sampled_from([0, 0, 1, 2, 3]),  # hops so far
                st.frozensets(st.integers(0, size - 1), max_size=2),  # who let it lapse before
            ),
            min_size=1,
            max_size=5,
        )
    )
    return Team(people), [
        WaitingLead(
            f"L-{number}",
            Role.MANAGER,
            f"p-{owner}",
            since=MONDAY_MIDNIGHT + timedelta(minutes=minutes),
            hops=hops,
            tried={f"p-{n}" for n in tried},
            account_owner=f"p-{owner}",
        )
        for number, (owner, minutes, hops, tried) in enumerate(waiting, start=1)
    ]


def simulator_holding(team, waiting, strategy, deadline, max_hops):
    """A simulator's run and a ledger that both count the leads ``waiting`` holds."""
    held = [w.person for w in waiting if w.person in team]
    ledger = AssignmentLedger()
    for owner in sorted(set(held)):
        ledger = ledger.with_load(owner, held.count(owner))
    sim = Run(
        SalesModel.ONE_TIER,
        Dispatcher(team, strategy, ledger),
        team,
        stream_of(),
        0,
        deadline,
        max_hops,
        timedelta(0),
    )
    for owner in held:
        sim.load[owner] += 1
    return sim, ledger


def held_case(sim, w):
    """The simulator's case for a waiting lead, held by its owner (the account's owner)."""
    number = int(w.lead_id.removeprefix("L-"))
    created = Lead.create(lead_id=w.lead_id, source=LeadSource.INBOUND, at=w.since).lead
    case = Case(number, lead(number), Rng(number), created, w.role)
    case.holder, case.hops, case.tried = w.person, w.hops, w.tried
    sim.account_owner[(case.nature.account, w.role)] = w.person
    return case


@settings(max_examples=200, deadline=None)
@given(
    scenario=deadline_scenarios(),
    strategy=st.sampled_from([RoundRobin(), Weighted(), LeastLoaded(), Sticky(LeastLoaded())]),
    deadline=st.sampled_from([timedelta(minutes=30), timedelta(hours=2), timedelta(hours=9)]),
    max_hops=st.integers(0, 3),
)
def test_the_simulator_lapses_a_lead_as_reassign_overdue_does(
    scenario, strategy, deadline, max_hops
):
    team, waiting = scenario
    sim, ledger = simulator_holding(team, waiting, strategy, deadline, max_hops)
    options = {"deadline": deadline, "team": team, "strategy": strategy, "max_hops": max_hops}
    # When the simulator schedules each lead's lapse (place() counts the deadline so).
    due = {w.lead_id: sim.add(w.person, w.since, deadline) for w in waiting}

    for w in sorted(waiting, key=lambda w: (due[w.lead_id], w.lead_id)):
        expected = reassign_overdue([w], now=due[w.lead_id], ledger=ledger, **options)
        (lapse,) = expected.reassignments
        assert lapse.due_at == due[w.lead_id]
        if w.person not in team:
            event("owner left the team")
            continue  # the simulator's leads are held by its team: only the due time to compare
        case = held_case(sim, w)
        escalated_before = sim.escalated

        sim.lapse(case, due[w.lead_id])

        assert case.holder == lapse.to_person
        assert (case.hops, case.tried) == (lapse.hop, w.tried | {w.person})
        escalated = sim.escalated > escalated_before
        assert escalated == (case in sim.queues[Role.MANAGER]) == (case.holder is None)
        assert lapse.escalated_to == ("manager queue" if escalated else None)
        if not escalated:
            (moved,) = expected.waiting
            assert (moved.person, moved.hops, moved.tried) == (case.holder, case.hops, case.tried)
        assert sim.dispatcher.ledger == expected.ledger
        ledger = expected.ledger
        if escalated:
            event("escalated: " + ("nobody eligible left" if lapse.decision else "hop limit"))
        else:
            event("reassigned")


def test_leads_arriving_outside_office_hours_wait_in_a_queue_until_the_shift_starts():
    night = ShopProfile(leads_per_day=5, arrival_weights=[1] * 6 + [0] * 18)

    report = run(SalesModel.ONE_TIER, profile=night, run_on=timedelta(0))

    assert report.queued == report.leads > 0
    assert report.still_queued == 0


def test_capacity_is_never_exceeded_and_the_overflow_waits_in_the_queue():
    team = default_team(SalesModel.ONE_TIER, people_per_role=2, capacity=1)

    report = run(SalesModel.ONE_TIER, team=team, profile=ShopProfile(leads_per_day=40))

    assert all(person.peak_open == 1 for person in report.people)
    assert report.queued > 0


def test_a_run_that_stops_at_the_last_arrival_reports_what_is_still_open():
    report = run(run_on=timedelta(0))

    assert report.outcomes.in_progress > 0
    assert sum(person.open_at_end for person in report.people) > 0


# -- the stream ---------------------------------------------------------------------------


def test_arrivals_follow_the_hourly_weights_in_the_shops_zone_on_working_days():
    berlin = ZoneInfo("Europe/Berlin")
    profile = ShopProfile(leads_per_day=20, zone=berlin, arrival_weights=[0] * 10 + [1] + [0] * 13)

    stream = LeadStream.generate(profile, days=5, seed=4, start=date(2026, 3, 27))

    local = [lead.at.astimezone(berlin) for lead in stream.leads]
    assert local
    assert {moment.hour for moment in local} == {10}
    assert {moment.weekday() for moment in local} <= {0, 1, 2, 3, 4}
    assert [lead.at for lead in stream.leads] == sorted(lead.at for lead in stream.leads)
    assert len({lead.id for lead in stream.leads}) == len(stream.leads)


def test_a_returning_lead_comes_from_an_account_seen_before():
    stream = LeadStream.generate(ShopProfile(returning_share="0.5"), days=2, seed=6)

    seen: set[str] = set()
    for item in stream.leads:
        if item.returning:
            assert item.account in seen
        seen.add(item.account)
    assert any(item.returning for item in stream.leads)


def test_a_seasonal_peak_brings_more_leads():
    flat = LeadStream.generate(ShopProfile(peak_ratio=1), days=10, seed=2)
    peaked = LeadStream.generate(ShopProfile(peak_ratio=3, peak_share="0.5"), days=10, seed=2)

    assert len(peaked.leads) > len(flat.leads) * Decimal("1.5")


def test_deal_values_are_whole_amounts_of_the_profiles_currency():
    stream = LeadStream.generate(ShopProfile(median_deal=Money("250", "USD")), days=2, seed=3)

    assert all(item.deal_value.currency == "USD" for item in stream.leads)
    assert all(
        item.deal_value.amount == item.deal_value.amount.to_integral_value()
        for item in stream.leads
    )


# -- comparing models ---------------------------------------------------------------------


def test_comparing_models_replays_the_same_leads_through_each_in_order():
    models = [SalesModel.THREE_TIER, SalesModel.ONE_TIER]

    reports = compare_models(models, strategy=LeastLoaded(), seed=4, profile=SMALL, days=3)

    assert [report.model for report in reports] == models
    assert len({report.leads for report in reports}) == 1
    assert len({report.stream_seed for report in reports}) == 1
    table = format_comparison(reports).splitlines()
    assert len(table) == 1 + len(models)
    assert table[1].startswith("three_tier")
    assert table[2].startswith("one_tier")


def test_comparing_with_teams_needs_a_team_for_every_model():
    teams = {SalesModel.ONE_TIER: default_team(SalesModel.ONE_TIER)}

    with pytest.raises(InvalidField) as caught:
        compare_models(
            [SalesModel.ONE_TIER, SalesModel.THREE_TIER], strategy=RoundRobin(), seed=1, teams=teams
        )

    assert caught.value.field == "teams"
    assert "three_tier" in str(caught.value)


# -- refusals -----------------------------------------------------------------------------


def test_a_team_missing_a_role_the_model_needs_is_refused_naming_the_role():
    team = default_team(SalesModel.TWO_TIER_CONTACT_CENTER)

    with pytest.raises(InvalidField) as caught:
        run(SalesModel.THREE_TIER, team=team)

    assert caught.value.field == "team"
    assert "missing: account_manager" in str(caught.value)


@pytest.mark.parametrize(
    ("options", "error", "field"),
    [
        ({"days": -1}, InvalidField, "days"),
        ({"days": 0}, InvalidField, "days"),
        ({"seed": "7"}, InvalidType, "seed"),
        ({"seed": 1.5}, InvalidType, "seed"),
        ({"seed": True}, InvalidType, "seed"),
        ({"deadline": timedelta(0)}, InvalidField, "deadline"),
        ({"deadline": 2}, InvalidType, "deadline"),
        ({"max_hops": -1}, InvalidField, "max_hops"),
        ({"run_on": timedelta(hours=-1)}, InvalidField, "run_on"),
        ({"run_on": timedelta(days=10**6)}, InvalidField, "run_on"),
        ({"start": datetime(2026, 3, 2, tzinfo=UTC)}, InvalidType, "start"),
        ({"profile": "busy"}, InvalidType, "profile"),
    ],
)
def test_bad_arguments_to_simulate_are_refused_naming_the_field(options, error, field):
    with pytest.raises(error) as caught:
        run(**options)

    assert caught.value.field == field


def test_a_stream_together_with_a_profile_is_refused():
    stream = LeadStream.generate(SMALL, days=1, seed=1)

    with pytest.raises(InvalidField) as caught:
        simulate(
            SalesModel.ONE_TIER,
            RoundRobin(),
            team=default_team(SalesModel.ONE_TIER),
            seed=1,
            stream=stream,
            profile=SMALL,
        )

    assert caught.value.field == "stream"


def test_an_unknown_model_or_strategy_is_refused():
    with pytest.raises(InvalidField) as model:
        run("four_tier")
    with pytest.raises(InvalidType) as strategy:
        run(strategy="fastest")

    assert model.value.field == "model"
    assert strategy.value.field == "strategy"


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"inbound_share": 0.7}, InvalidType, "inbound_share"),
        ({"win_share": "1.2"}, InvalidField, "win_share"),
        ({"not_ready_share": "lots"}, InvalidType, "not_ready_share"),
        ({"peak_ratio": "0.5"}, InvalidField, "peak_ratio"),
        ({"deal_spread": -1}, InvalidField, "deal_spread"),
        ({"leads_per_day": 0}, InvalidField, "leads_per_day"),
        ({"zone": "Mars/Olympus"}, InvalidField, "zone"),
        ({"arrival_weights": [1] * 23}, InvalidField, "arrival_weights"),
        ({"arrival_weights": [0] * 24}, InvalidField, "arrival_weights"),
        ({"median_deal": Money("0", "EUR")}, InvalidField, "median_deal"),
        ({"response_mean": timedelta(0)}, InvalidField, "response_mean"),
    ],
)
def test_a_bad_shop_profile_is_refused_naming_the_field(changes, error, field):
    with pytest.raises(error) as caught:
        ShopProfile(**changes)

    assert caught.value.field == field


def test_a_stream_out_of_time_order_is_refused():
    with pytest.raises(InvalidField) as caught:
        stream_of(lead(2), lead(1))

    assert caught.value.field == "leads[1].at"


def test_a_stream_with_a_lead_after_its_last_working_day_is_refused():
    with pytest.raises(InvalidField) as caught:
        stream_of(lead(1), lead(2, at=datetime(2026, 3, 3, 0, 0, tzinfo=UTC)))

    assert caught.value.field == "leads[1].at"


def test_a_default_team_needs_a_head_count_for_every_role():
    with pytest.raises(InvalidField) as caught:
        default_team(SalesModel.THREE_TIER, people_per_role={"qualifier": 2, "closer": 1})

    assert caught.value.field == "people_per_role"
    assert "missing: account_manager" in str(caught.value)


def test_under_rules_a_queued_lead_nobody_can_take_does_not_hold_up_the_leads_behind_it():
    early = {"hour": 6}  # before the 09:00 shift: both wait in the queue
    stream = stream_of(lead(1, source=LeadSource.OUTBOUND, **early), lead(2, **early))
    rules = Rules([Rule("outbound", when={"source": "outbound"}, tags={"outbound"}), Rule("rest")])
    team = Team([Person("mgr-1", Role.MANAGER, hours=WorkingHours.office("UTC"))])

    report = simulate(SalesModel.ONE_TIER, rules, team=team, seed=1, stream=stream)

    assert [person.assigned for person in report.people] == [1]
    assert (report.queued, report.still_queued) == (2, 1)
