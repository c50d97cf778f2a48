"""Simulations: replay a lead stream through a sales model and a strategy, and compare models."""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Final

from salesflow import _check, _zones
from salesflow._results import Ratio
from salesflow._rng import Rng
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads import Lead, LeadSource, LeadStage, LostReason
from salesflow.money import Money
from salesflow.routing._simcheck import SECOND, at_most, duration
from salesflow.routing.assignment import Dispatcher, Rules, Strategy
from salesflow.routing.deadlines import after_lapse, due_at, hours_by_person
from salesflow.routing.handoffs import Ownership, RejectReason, needs_handoff
from salesflow.routing.hours import END_OF_TIME, WorkingHours
from salesflow.routing.models import Role, SalesModel, owner_of
from salesflow.routing.people import Person, Team
from salesflow.routing.profile import ShopProfile
from salesflow.routing.report import (
    BreachCounts,
    HandoffCounts,
    LeadTotals,
    PersonLoad,
    SimulationReport,
)
from salesflow.routing.stream import DEFAULT_START, LeadStream, StreamLead

__all__ = ["compare_models", "default_team", "simulate"]

_LOSS_REASONS: Final = (LostReason.COMPETITOR, LostReason.BUDGET, LostReason.NO_RESPONSE)
_COME_BACK: Final = timedelta(days=30)
_FOUR_PLACES: Final = Decimal("0.0001")
_LONGEST_RUN_ON: Final = timedelta(days=3653)
_MOST_PEOPLE_PER_ROLE: Final = 1_000
_SHORT: Final = {
    Role.MANAGER: "mgr",
    Role.QUALIFIER: "qual",
    Role.CLOSER: "closer",
    Role.ACCOUNT_MANAGER: "am",
}


# -- checks -----------------------------------------------------------------------


def _model(value: Any, field: str = "model") -> SalesModel:
    return _check.choice(SalesModel, field, value)


def _span(field: str, value: Any, *, minimum: timedelta) -> timedelta:
    expected = f"a timedelta of at least {duration(minimum)}"
    if not isinstance(value, timedelta):
        raise InvalidType(field, value, expected)
    if value < minimum:
        raise InvalidField(field, value, expected)
    return value


def _jain(values: Sequence[Fraction]) -> Decimal | None:
    total = sum(values, Fraction(0))
    if not values or total == 0:
        return None
    index = total * total / (len(values) * sum((v * v for v in values), Fraction(0)))
    exact = Decimal(index.numerator) / Decimal(index.denominator)
    return exact.quantize(_FOUR_PLACES, rounding=ROUND_HALF_EVEN)


# -- the run ----------------------------------------------------------------------

_ARRIVE, _RESPOND, _DUE, _RESUBMIT, _CLOSE, _REPEAT, _ACCOUNT_DONE, _RETRY = range(8)


class _Case:
    """One lead in flight: its aggregates and where it stands in the run."""

    __slots__ = (
        "epoch",
        "escalated",
        "fixed",
        "handing_off",
        "holder",
        "hops",
        "index",
        "lead",
        "nature",
        "queued_for",
        "record",
        "rng",
        "role",
        "sender",
        "sender_role",
        "tried",
        "waited",
        "won_at",
    )

    def __init__(self, index: int, nature: StreamLead, rng: Rng, lead: Lead, role: Role) -> None:
        self.index = index
        self.nature = nature
        self.rng = rng
        self.lead = lead
        self.record: Ownership | None = None
        self.role = role
        self.holder: str | None = None
        self.sender: str | None = None
        self.sender_role: Role | None = None
        self.handing_off = False
        self.hops = 0
        self.tried: frozenset[str] = frozenset()
        self.escalated = False
        self.queued_for: Role | None = None
        self.waited = False
        self.fixed = False
        self.won_at: datetime | None = None
        self.epoch = 0


class _Run:
    """The event loop of one simulation (private; :func:`simulate` is the way in)."""

    def __init__(
        self,
        model: SalesModel,
        dispatcher: Dispatcher,
        team: Team,
        stream: LeadStream,
        seed: int,
        deadline: timedelta,
        max_hops: int,
        run_on: timedelta,
    ) -> None:
        self.model = model
        self.team = team
        self.stream = stream
        self.dispatcher = dispatcher
        self.deadline = deadline
        self.max_hops = max_hops
        self.end = stream.end + run_on
        self.behaviour = Rng(seed).fork("behaviour")
        self.response_mean = Decimal(stream.profile.response_mean // SECOND)
        self.follow_up = timedelta(days=stream.profile.follow_up_days)
        self.heap: list[tuple[datetime, int, int, int, int]] = []
        self.sequence = 0
        self.cases: list[_Case | None] = [None] * len(stream.leads)
        self.queues: dict[Role, deque[_Case]] = {role: deque() for role in model.roles}
        self.retry_at: dict[Role, datetime] = {}
        self.dirty: set[Role] = set()
        self.people = {role: team.in_role(role) for role in model.roles}
        self.role_of = {person.id: person.role for person in team}
        self.hours = hours_by_person(team)
        self.load = dict.fromkeys(self.role_of, 0)
        self.peak = dict.fromkeys(self.role_of, 0)
        self.assigned = dict.fromkeys(self.role_of, 0)
        self.lapsed = dict.fromkeys(self.role_of, 0)
        self.account_owner: dict[tuple[str, Role], str] = {}
        self.assignments = 0
        self.submitted = 0
        self.accepted = 0
        self.rejected: dict[RejectReason, int] = {}
        self.expired = 0
        self.routes: dict[tuple[Role, Role], int] = {}
        self.breaches = 0
        self.reassigned = 0
        self.escalated = 0
        self.queued = 0
        self.repeats = 0

    # -- the loop ------------------------------------------------------------------

    def push(self, at: datetime, kind: int, index: int, epoch: int = 0) -> None:
        self.sequence += 1
        heapq.heappush(self.heap, (at, self.sequence, kind, index, epoch))

    def run(self) -> None:
        for index, nature in enumerate(self.stream.leads):
            self.push(nature.at, _ARRIVE, index)
        handlers = {
            _RESPOND: self.respond,
            _DUE: self.lapse,
            _RESUBMIT: self.resubmit,
            _CLOSE: self.close,
            _REPEAT: self.repeat,
            _ACCOUNT_DONE: self.account_done,
        }
        heap = self.heap
        while heap:
            at, _sequence, kind, index, epoch = heapq.heappop(heap)
            if at >= self.end:
                break
            if kind == _ARRIVE:
                self.arrive(index, at)
            elif kind == _RETRY:
                role = self.model.roles[index]
                if self.retry_at.get(role) == at:
                    del self.retry_at[role]
                self.dirty.add(role)
            else:
                case = self.cases[index]
                assert case is not None
                if kind in (_RESPOND, _DUE, _RESUBMIT) and epoch != case.epoch:
                    continue  # superseded: the lead moved on since this was scheduled
                handlers[kind](case, at)
            if self.dirty:
                for role in self.model.roles:
                    if role in self.dirty:
                        self.drain(role, at)
                self.dirty.clear()

    # -- people and time -------------------------------------------------------------

    def add(self, person: str, at: datetime, span: timedelta) -> datetime:
        """``span`` of ``person``'s working time from ``at``, as the response deadline
        counts it (a moment beyond what working hours count never comes during the run)."""
        return due_at(self.hours, person, at, span)

    def _deadline(self, person: str, at: datetime) -> datetime:
        """When ``person``'s response deadline from ``at`` passes. Working time never
        runs faster than the calendar, so a deadline that reaches the run's end in
        calendar time passes after it: it is not counted out day by day (a long
        deadline would cost a walk through years of shifts per lead)."""
        if self.deadline >= self.end - at:
            return END_OF_TIME
        return self.add(person, at, self.deadline)

    def delay(self, case: _Case) -> timedelta:
        seconds = case.rng.exponential(self.response_mean)
        return timedelta(seconds=int(seconds))

    def release(self, person: str) -> None:
        self.dispatcher.release(person)
        self.load[person] -= 1
        self.dirty.add(self.role_of[person])

    # -- assigning -------------------------------------------------------------------

    def seek(self, case: _Case, role: Role, at: datetime, exclude: Iterable[str] = ()) -> bool:
        """Give ``case`` to someone of ``role`` now; False when nobody is eligible."""
        nature = case.nature
        decision = self.dispatcher.assign(
            nature.id,
            role,
            at=at,
            account_owner=self.account_owner.get((nature.account, role)),
            attributes=nature.attributes,
            exclude=exclude,
        )
        if decision.person is None:
            return False
        self.place(case, role, decision.person, at)
        return True

    def place(self, case: _Case, role: Role, person: str, at: datetime) -> None:
        self.assignments += 1
        self.assigned[person] += 1
        load = self.load[person] = self.load[person] + 1
        self.peak[person] = max(self.peak[person], load)
        self.account_owner[(case.nature.account, role)] = person
        case.role, case.holder = role, person
        watched = not case.escalated
        due = self._deadline(person, at) if watched else None
        record = case.record
        if case.handing_off:
            assert record is not None
            route = (record.role, role)
            self.routes[route] = self.routes.get(route, 0) + 1
            self.submitted += 1
            case.record = record.hand_off(
                role, to_person=person, at=at, expires_at=due, actor=case.sender or "system"
            ).ownership
        elif record is None:
            case.record = Ownership.start(
                lead_id=case.nature.id, role=role, person=person, at=at
            ).ownership
        elif record.person != person:
            case.record = record.reassign(person, at=at).ownership
        case.epoch += 1
        delay = self.delay(case)
        if due is not None and delay >= self.deadline:
            self.push(due, _DUE, case.index, case.epoch)
        else:
            self.push(self.add(person, at, delay), _RESPOND, case.index, case.epoch)

    def enqueue(self, case: _Case, role: Role, at: datetime) -> None:
        case.queued_for = role
        if not case.waited:
            case.waited = True
            self.queued += 1
        self.queues[role].append(case)
        self.schedule_retry(role, at)

    def schedule_retry(self, role: Role, at: datetime) -> None:
        """Look again when someone of ``role`` comes back or starts a shift (a release
        of someone at capacity looks again by itself)."""
        when: datetime | None = None
        for person in self.people[role]:
            if not person.active:
                continue
            absence = person.away_at(at)
            if absence is not None:
                candidate: datetime | None = _zones.utc(absence.end)
            elif person.hours.window(at)[0]:
                continue
            else:
                candidate = person.hours.next_start(at)
            if candidate is not None and candidate > at and (when is None or candidate < when):
                when = candidate.astimezone(UTC)
        if when is None:
            return
        pending = self.retry_at.get(role)
        if pending is None or when < pending:
            self.retry_at[role] = when
            self.push(when, _RETRY, self.model.roles.index(role))

    def drain(self, role: Role, at: datetime) -> None:
        queue = self.queues[role]
        if not isinstance(self.dispatcher.strategy, Rules):
            # Every queued lead of the role meets the same filter: when the first
            # cannot be placed, none can.
            while queue:
                case = queue[0]
                if not self.seek(case, role, at):
                    self.schedule_retry(role, at)
                    return
                queue.popleft()
                case.queued_for = None
            return
        # Under rules each lead's rule filters people by its own tags: a lead nobody
        # can take now must not hold up the leads behind it.
        blocked: deque[_Case] = deque()
        while queue:
            case = queue.popleft()
            if self.seek(case, role, at):
                case.queued_for = None
            else:
                blocked.append(case)
        if blocked:
            queue.extend(blocked)
            self.schedule_retry(role, at)

    # -- the events ------------------------------------------------------------------

    def arrive(self, index: int, at: datetime) -> None:
        nature = self.stream.leads[index]
        lead = Lead.create(
            lead_id=nature.id, source=nature.source, at=at, deal_value=nature.deal_value
        ).lead
        role = owner_of(self.model, lead)
        case = self.cases[index] = _Case(index, nature, self.behaviour.fork(index), lead, role)
        if not self.seek(case, role, at):
            case.record = Ownership.start(lead_id=nature.id, role=role, at=at).ownership
            self.enqueue(case, role, at)

    def lapse(self, case: _Case, at: datetime) -> None:
        """The owner let the response deadline pass: the next eligible person, or the queue."""
        person = case.holder
        assert person is not None
        self.breaches += 1
        self.lapsed[person] += 1
        self.release(person)
        case.holder = None
        if case.handing_off:
            assert case.record is not None
            case.record = case.record.expire(at=at).ownership
            self.expired += 1
        role = case.role

        def find(exclude: frozenset[str]) -> str | None:
            return case.holder if self.seek(case, role, at, exclude=exclude) else None

        step = after_lapse(person, case.tried, case.hops, self.max_hops, find)
        case.tried, case.hops = step.tried, step.hop
        if step.to_person is not None:
            self.reassigned += 1
            return
        self.escalated += 1
        case.escalated = True
        self.enqueue(case, case.role, at)

    def respond(self, case: _Case, at: datetime) -> None:
        if case.handing_off:
            self.receive(case, at)
        else:
            self.qualify(case, at)

    def qualify(self, case: _Case, at: datetime) -> None:
        """The first owner's first call: qualify or disqualify, then hand on or sell."""
        person = case.holder
        assert person is not None
        nature, lead = case.nature, case.lead
        if nature.source is LeadSource.OUTBOUND:
            lead = lead.advance(at=at, actor=person).lead
        passes = nature.ready or (case.role is Role.QUALIFIER and nature.misqualified)
        if not nature.target:
            case.lead = lead.disqualify(at=at, actor=person).lead
            self.release(person)
            return
        if not passes:
            case.lead = lead.lose(
                LostReason.NOT_READY, at=at, come_back_on=(at + _COME_BACK).date(), actor=person
            ).lead
            self.release(person)
            return
        case.lead = lead.qualify(at=at, actor=person).lead
        self.next_role(case, at, person)

    def next_role(self, case: _Case, at: datetime, person: str) -> None:
        """Hand the lead to the role the model gives it now, or let ``person`` go on."""
        assert case.record is not None
        to_role = needs_handoff(self.model, case.lead, case.record)
        if to_role is not None:
            self.hand_off(case, to_role, at)
        elif case.lead.stage.is_open:
            self.push(self.add(person, at, case.nature.sales_cycle), _CLOSE, case.index)
        else:
            self.release(person)  # a customer who stays with the seller holds no open work

    def hand_off(self, case: _Case, to_role: Role, at: datetime) -> None:
        case.handing_off = True
        case.sender, case.sender_role = case.holder, case.role
        case.hops, case.tried, case.escalated = 0, frozenset(), False
        if not self.seek(case, to_role, at):
            self.enqueue(case, to_role, at)

    def receive(self, case: _Case, at: datetime) -> None:
        """The receiving person acts on a handoff: rejects it back, or accepts it."""
        person, sender = case.holder, case.sender
        assert person is not None
        assert sender is not None
        assert case.record is not None
        nature = case.nature
        from_qualifier = case.sender_role is Role.QUALIFIER
        reason: RejectReason | None = None
        if from_qualifier and nature.misqualified:
            reason = RejectReason.NOT_QUALIFIED
        elif from_qualifier and nature.missing_information and not case.fixed:
            reason = RejectReason.MISSING_INFORMATION
        if reason is not None:
            case.record = case.record.reject(reason, at=at, actor=person).ownership
            self.rejected[reason] = self.rejected.get(reason, 0) + 1
            self.release(person)
            case.handing_off = False
            case.holder, case.role = sender, Role.QUALIFIER
            if reason is RejectReason.NOT_QUALIFIED:
                case.lead = case.lead.lose(
                    LostReason.NOT_READY, at=at, come_back_on=(at + _COME_BACK).date(), actor=sender
                ).lead
                self.release(sender)
            else:
                case.fixed = True
                case.epoch += 1
                self.push(self.add(sender, at, self.delay(case)), _RESUBMIT, case.index, case.epoch)
            return
        case.record = case.record.accept(at=at).ownership
        self.accepted += 1
        self.release(sender)
        case.handing_off, case.sender = False, None
        if case.role is Role.ACCOUNT_MANAGER:
            repeat = nature.repeat_after
            won_at = case.won_at
            assert won_at is not None
            done = max(at, won_at + repeat) if repeat is not None else at + self.follow_up
            self.push(done, _ACCOUNT_DONE, case.index)
        else:
            self.push(self.add(person, at, nature.sales_cycle), _CLOSE, case.index)

    def resubmit(self, case: _Case, at: datetime) -> None:
        """The qualifier added what was missing and hands the lead on again."""
        assert case.holder is not None
        self.next_role(case, at, case.holder)

    def close(self, case: _Case, at: datetime) -> None:
        """The sale ends: won (and perhaps on to an account manager), or lost."""
        person = case.holder
        assert person is not None
        nature = case.nature
        lead = case.lead.fast_track(at=at, actor=person).lead
        if not nature.wins:
            reason = case.rng.choice(_LOSS_REASONS)
            case.lead = lead.lose(reason, at=at, actor=person).lead
            self.release(person)
            return
        case.lead = lead.win(at=at, actor=person).lead
        case.won_at = at
        if nature.repeat_after is not None:
            self.push(at + nature.repeat_after, _REPEAT, case.index)
        self.next_role(case, at, person)

    def repeat(self, case: _Case, at: datetime) -> None:
        assert case.record is not None
        actor = case.record.person or "system"
        case.lead = case.lead.repeat_purchase(at=at, actor=actor).lead
        self.repeats += 1

    def account_done(self, case: _Case, at: datetime) -> None:
        """The account manager's follow-up of a new customer is over."""
        assert case.holder is not None
        self.release(case.holder)

    # -- the report ------------------------------------------------------------------

    def report(self, seed: int, strategy: Strategy) -> SimulationReport:
        people = tuple(
            PersonLoad(
                person.id,
                person.role,
                person.weight,
                self.assigned[person.id],
                self.peak[person.id],
                self.load[person.id],
                self.lapsed[person.id],
            )
            for person in self.team
        )
        weights = {person.id: person.weight for person in self.team}
        fairness = {
            role: _jain(
                [
                    Fraction(self.assigned[p.id], weights[p.id])
                    for p in self.people[role]
                    if p.active
                ]
            )
            for role in self.model.roles
        }
        cases = [case for case in self.cases if case is not None]
        won = lost = disqualified = 0
        currency = self.stream.profile.median_deal.currency
        won_value = Money.zero(currency)
        for case in cases:
            stage = case.lead.stage
            if stage in (LeadStage.CUSTOMER, LeadStage.RETAINED):
                won += 1
                won_value += case.nature.deal_value
            elif stage is LeadStage.LOST:
                if case.lead.lost_reason is LostReason.NOT_TARGET:
                    disqualified += 1
                else:
                    lost += 1
        leads = len(self.stream.leads)
        outcomes = LeadTotals(
            won, lost, disqualified, leads - won - lost - disqualified, self.repeats, won_value
        )
        pending = sum(
            1 for case in cases if case.record is not None and case.record.pending is not None
        )
        reasons = {r: self.rejected[r] for r in RejectReason if r in self.rejected}
        routes = {(a, b): self.routes[(a, b)] for a in Role for b in Role if (a, b) in self.routes}
        return SimulationReport(
            model=self.model,
            strategy=strategy.name,
            seed=seed,
            stream_seed=self.stream.seed,
            start=self.stream.start,
            days=self.stream.days,
            leads=leads,
            deadline=self.deadline,
            max_hops=self.max_hops,
            run_on=self.end - self.stream.end,
            people=people,
            assignments=self.assignments,
            handoffs=HandoffCounts(
                self.submitted,
                self.accepted,
                MappingProxyType(reasons),
                self.expired,
                pending,
                MappingProxyType(routes),
            ),
            breaches=BreachCounts(self.breaches, self.reassigned, self.escalated),
            queued=self.queued,
            still_queued=sum(len(queue) for queue in self.queues.values()),
            outcomes=outcomes,
            conversion=Ratio(
                "lead conversion rate",
                won,
                leads,
                variant="simulated",
                formula="won leads / leads",
            ),
            fairness=MappingProxyType(fairness),
        )


# -- the public functions ---------------------------------------------------------


def _check_team(model: SalesModel, team: Any) -> Team:
    if not isinstance(team, Team):
        raise InvalidType("team", team, "a Team")
    staffed = {person.role for person in team if person.active}
    missing = [role.value for role in model.roles if role not in staffed]
    if missing:
        raise InvalidField(
            "team",
            sorted(role.value for role in staffed),
            f"an active person in every role {model.value} uses "
            f"({', '.join(r.value for r in model.roles)}); missing: {', '.join(missing)}",
        )
    return team


def _stream(stream: Any, profile: Any, days: Any, start: Any, seed: int) -> LeadStream:
    if stream is None:
        return LeadStream.generate(
            profile,
            days=20 if days is None else days,
            seed=seed,
            start=DEFAULT_START if start is None else start,
        )
    if not isinstance(stream, LeadStream):
        raise InvalidType("stream", stream, "a LeadStream or None")
    given = [
        name
        for name, value in (("profile", profile), ("days", days), ("start", start))
        if value is not None
    ]
    if given:
        raise InvalidField(
            "stream",
            stream.seed,
            f"either a stream or {', '.join(given)} to generate one, not both",
        )
    return stream


def simulate(
    model: SalesModel | str,
    strategy: Strategy,
    *,
    team: Team,
    seed: int,
    stream: LeadStream | None = None,
    profile: ShopProfile | None = None,
    days: int | None = None,
    start: date | None = None,
    deadline: timedelta = timedelta(hours=2),
    max_hops: int = 2,
    run_on: timedelta = timedelta(days=14),
) -> SimulationReport:
    """Replay a stream of leads through ``model`` with ``strategy`` and report what happened.

    The stream is ``stream``, or one generated from ``profile`` (default
    :class:`ShopProfile`), ``days`` (20) and ``start`` (:data:`DEFAULT_START`)
    with ``seed``; ``seed`` also drives the owners' response delays. Leads
    arrive over the stream's working days, and the run goes on for
    ``run_on`` after the last one so that late leads settle; whatever is
    still in flight then is reported open (``in_progress``,
    ``open_at_end``, pending handoffs, still queued).

    ``deadline`` is the response deadline in the owner's working hours and
    ``max_hops`` how often a lead is reassigned before it goes to the role's
    queue. Refused: an unknown model or strategy, a team without an active
    person in a role the model uses (the error names it), a seed or day
    count that is not a whole number of at least 0 (1 for days), a
    ``deadline`` under a second, and a stream together with the arguments
    that would generate one.
    """
    sales_model = _model(model)
    team = _check_team(sales_model, team)
    _check.whole("seed", seed, minimum=0)
    _check.whole("max_hops", max_hops, minimum=0)
    deadline = _span("deadline", deadline, minimum=SECOND)
    run_on = _span("run_on", run_on, minimum=timedelta(0))
    if run_on > _LONGEST_RUN_ON:
        raise InvalidField("run_on", run_on, f"at most {duration(_LONGEST_RUN_ON)} (ten years)")
    dispatcher = Dispatcher(team, strategy)
    replayed = _stream(stream, profile, days, start, seed)
    run = _Run(sales_model, dispatcher, team, replayed, seed, deadline, max_hops, run_on)
    run.run()
    return run.report(seed, dispatcher.strategy)


def default_team(
    model: SalesModel | str,
    *,
    people_per_role: int | Mapping[Role | str, int] = 3,
    zone: tzinfo | str = "UTC",
    hours: WorkingHours | None = None,
    capacity: int | None = None,
) -> Team:
    """A uniform team for ``model``: ``people_per_role`` people in each role it uses.

    People are named after their role (``qual-1``, ``closer-2``, ``am-1``,
    ``mgr-1``) and work ``hours`` (default: office hours, Monday to Friday
    9:00 to 17:00 in ``zone``), with weight 1 and ``capacity``.
    ``people_per_role`` may be a mapping from role to head count, which
    must then cover every role of the model.

    >>> from salesflow.routing import SalesModel
    >>> [p.id for p in default_team(SalesModel.TWO_TIER_CONTACT_CENTER, people_per_role=2)]
    ['qual-1', 'qual-2', 'closer-1', 'closer-2']
    """
    sales_model = _model(model)
    if hours is None:
        hours = WorkingHours.office(zone)
    elif not isinstance(hours, WorkingHours):
        raise InvalidType("hours", hours, "WorkingHours or None (office hours in zone)")
    counts: dict[Role, int] = {}
    if isinstance(people_per_role, Mapping):
        given: dict[Role, int] = {}
        for role, count in people_per_role.items():
            key = _check.choice(Role, "people_per_role", role)
            field = f"people_per_role[{key.value!r}]"
            given[key] = at_most(
                field, _check.whole(field, count, minimum=1), _MOST_PEOPLE_PER_ROLE
            )
        for role in sales_model.roles:
            if role not in given:
                raise InvalidField(
                    "people_per_role",
                    sorted(r.value for r in given),
                    f"a head count for every role {sales_model.value} uses (missing: {role.value})",
                )
            counts[role] = given[role]
    else:
        count = at_most(
            "people_per_role",
            _check.whole("people_per_role", people_per_role, minimum=1),
            _MOST_PEOPLE_PER_ROLE,
        )
        counts = dict.fromkeys(sales_model.roles, count)
    return Team(
        [
            Person(f"{_SHORT[role]}-{n}", role, hours=hours, capacity=capacity)
            for role in sales_model.roles
            for n in range(1, counts[role] + 1)
        ]
    )


def compare_models(
    models: Iterable[SalesModel | str] = tuple(SalesModel),
    *,
    strategy: Strategy,
    seed: int,
    teams: Mapping[SalesModel | str, Team] | None = None,
    stream: LeadStream | None = None,
    profile: ShopProfile | None = None,
    days: int | None = None,
    start: date | None = None,
    deadline: timedelta = timedelta(hours=2),
    max_hops: int = 2,
    run_on: timedelta = timedelta(days=14),
) -> tuple[SimulationReport, ...]:
    """Replay the same stream through each of ``models``: one report per model, in order.

    ``teams`` maps each model to its team (it must cover every model);
    None gives each model a :func:`default_team` in the stream's zone. The
    other arguments mean what they mean for :func:`simulate`.
    """
    if isinstance(models, str) or not isinstance(models, Iterable):
        raise InvalidType("models", models, "an iterable of SalesModel values")
    chosen = [_model(model, f"models[{index}]") for index, model in enumerate(models)]
    if not chosen:
        raise InvalidField("models", [], "at least one sales model")
    if len(set(chosen)) != len(chosen):
        raise InvalidField("models", [m.value for m in chosen], "each model at most once")
    replayed = _stream(stream, profile, days, start, seed)
    if teams is None:
        by_model = {model: default_team(model, zone=replayed.profile.zone) for model in chosen}
    elif not isinstance(teams, Mapping):
        raise InvalidType("teams", teams, "a mapping of SalesModel to Team, or None")
    else:
        given = {_model(model, "teams"): team for model, team in teams.items()}
        for model in chosen:
            if model not in given:
                raise InvalidField(
                    "teams", sorted(m.value for m in given), f"a team for {model.value}"
                )
        by_model = given
    return tuple(
        simulate(
            model,
            strategy,
            team=by_model[model],
            seed=seed,
            stream=replayed,
            deadline=deadline,
            max_hops=max_hops,
            run_on=run_on,
        )
        for model in chosen
    )
