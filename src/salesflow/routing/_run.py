"""The event loop of a simulation: leads in flight, people, queues and handoffs, in time order."""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Final

from salesflow import _zones
from salesflow._results import Ratio
from salesflow._rng import Rng
from salesflow.leads import Lead, LeadSource, LeadStage, LostReason
from salesflow.money import Money
from salesflow.routing._simcheck import SECOND
from salesflow.routing.deadlines import after_lapse, due_at, hours_by_person
from salesflow.routing.dispatcher import Dispatcher
from salesflow.routing.events import RejectReason
from salesflow.routing.hours import END_OF_TIME
from salesflow.routing.models import Role, SalesModel, owner_of
from salesflow.routing.ownership import Ownership, needs_handoff
from salesflow.routing.people import Team
from salesflow.routing.report import (
    BreachCounts,
    HandoffCounts,
    LeadTotals,
    PersonLoad,
    SimulationReport,
)
from salesflow.routing.strategies import Rules, Strategy
from salesflow.routing.stream import LeadStream, StreamLead

_LOSS_REASONS: Final = (LostReason.COMPETITOR, LostReason.BUDGET, LostReason.NO_RESPONSE)
_COME_BACK: Final = timedelta(days=30)
_FOUR_PLACES: Final = Decimal("0.0001")


def jain(values: Sequence[Fraction]) -> Decimal | None:
    total = sum(values, Fraction(0))
    if not values or total == 0:
        return None
    index = total * total / (len(values) * sum((v * v for v in values), Fraction(0)))
    exact = Decimal(index.numerator) / Decimal(index.denominator)
    return exact.quantize(_FOUR_PLACES, rounding=ROUND_HALF_EVEN)


# -- the run ----------------------------------------------------------------------

_ARRIVE, _RESPOND, _DUE, _RESUBMIT, _CLOSE, _REPEAT, _ACCOUNT_DONE, _RETRY = range(8)


class Case:
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


class Run:
    """The event loop of one simulation (:func:`~salesflow.routing.simulate` is the way in)."""

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
        self.cases: list[Case | None] = [None] * len(stream.leads)
        self.queues: dict[Role, deque[Case]] = {role: deque() for role in model.roles}
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
        """Every lead arrives, then events are handled in time order until the run ends."""
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
                self.retry(self.model.roles[index], at)
            else:
                case = self.cases[index]
                assert case is not None
                if kind in (_RESPOND, _DUE, _RESUBMIT) and epoch != case.epoch:
                    continue  # superseded: the lead moved on since this was scheduled
                handlers[kind](case, at)
            if self.dirty:
                self.drain_dirty(at)

    def retry(self, role: Role, at: datetime) -> None:
        """Someone of ``role`` may be free again: look at its queue."""
        if self.retry_at.get(role) == at:
            del self.retry_at[role]
        self.dirty.add(role)

    def drain_dirty(self, at: datetime) -> None:
        """Give queued leads to whoever became free, role by role in the model's order."""
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

    def delay(self, case: Case) -> timedelta:
        seconds = case.rng.exponential(self.response_mean)
        return timedelta(seconds=int(seconds))

    def release(self, person: str) -> None:
        self.dispatcher.release(person)
        self.load[person] -= 1
        self.dirty.add(self.role_of[person])

    # -- assigning -------------------------------------------------------------------

    def seek(self, case: Case, role: Role, at: datetime, exclude: Iterable[str] = ()) -> bool:
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

    def place(self, case: Case, role: Role, person: str, at: datetime) -> None:
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
                to_role=role, to_person=person, at=at, expires_at=due, actor=case.sender or "system"
            ).ownership
        elif record is None:
            case.record = Ownership.start(
                lead_id=case.nature.id, role=role, person=person, at=at
            ).ownership
        elif record.person != person:
            case.record = record.reassign(person=person, at=at).ownership
        case.epoch += 1
        delay = self.delay(case)
        if due is not None and delay >= self.deadline:
            self.push(due, _DUE, case.index, case.epoch)
        else:
            self.push(self.add(person, at, delay), _RESPOND, case.index, case.epoch)

    def enqueue(self, case: Case, role: Role, at: datetime) -> None:
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
        blocked: deque[Case] = deque()
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
        case = self.cases[index] = Case(index, nature, self.behaviour.fork(index), lead, role)
        if not self.seek(case, role, at):
            case.record = Ownership.start(lead_id=nature.id, role=role, at=at).ownership
            self.enqueue(case, role, at)

    def lapse(self, case: Case, at: datetime) -> None:
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

    def respond(self, case: Case, at: datetime) -> None:
        if case.handing_off:
            self.receive(case, at)
        else:
            self.qualify(case, at)

    def qualify(self, case: Case, at: datetime) -> None:
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
                reason=LostReason.NOT_READY,
                at=at,
                come_back_on=(at + _COME_BACK).date(),
                actor=person,
            ).lead
            self.release(person)
            return
        case.lead = lead.qualify(at=at, actor=person).lead
        self.next_role(case, at, person)

    def next_role(self, case: Case, at: datetime, person: str) -> None:
        """Hand the lead to the role the model gives it now, or let ``person`` go on."""
        assert case.record is not None
        to_role = needs_handoff(self.model, case.lead, case.record)
        if to_role is not None:
            self.hand_off(case, to_role, at)
        elif case.lead.stage.is_open:
            self.push(self.add(person, at, case.nature.sales_cycle), _CLOSE, case.index)
        else:
            self.release(person)  # a customer who stays with the seller holds no open work

    def hand_off(self, case: Case, to_role: Role, at: datetime) -> None:
        case.handing_off = True
        case.sender, case.sender_role = case.holder, case.role
        case.hops, case.tried, case.escalated = 0, frozenset(), False
        if not self.seek(case, to_role, at):
            self.enqueue(case, to_role, at)

    def receive(self, case: Case, at: datetime) -> None:
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
            case.record = case.record.reject(reason=reason, at=at, actor=person).ownership
            self.rejected[reason] = self.rejected.get(reason, 0) + 1
            self.release(person)
            case.handing_off = False
            case.holder, case.role = sender, Role.QUALIFIER
            if reason is RejectReason.NOT_QUALIFIED:
                case.lead = case.lead.lose(
                    reason=LostReason.NOT_READY,
                    at=at,
                    come_back_on=(at + _COME_BACK).date(),
                    actor=sender,
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

    def resubmit(self, case: Case, at: datetime) -> None:
        """The qualifier added what was missing and hands the lead on again."""
        assert case.holder is not None
        self.next_role(case, at, case.holder)

    def close(self, case: Case, at: datetime) -> None:
        """The sale ends: won (and perhaps on to an account manager), or lost."""
        person = case.holder
        assert person is not None
        nature = case.nature
        lead = case.lead.fast_track(at=at, actor=person).lead
        if not nature.wins:
            reason = case.rng.choice(_LOSS_REASONS)
            case.lead = lead.lose(reason=reason, at=at, actor=person).lead
            self.release(person)
            return
        case.lead = lead.win(at=at, actor=person).lead
        case.won_at = at
        if nature.repeat_after is not None:
            self.push(at + nature.repeat_after, _REPEAT, case.index)
        self.next_role(case, at, person)

    def repeat(self, case: Case, at: datetime) -> None:
        assert case.record is not None
        actor = case.record.person or "system"
        case.lead = case.lead.repeat_purchase(at=at, actor=actor).lead
        self.repeats += 1

    def account_done(self, case: Case, at: datetime) -> None:
        """The account manager's follow-up of a new customer is over."""
        assert case.holder is not None
        self.release(case.holder)

    # -- the report ------------------------------------------------------------------

    def report(self, seed: int, strategy: Strategy) -> SimulationReport:
        totals = self.lead_totals()
        leads = len(self.stream.leads)
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
            people=self.person_loads(),
            assignments=self.assignments,
            handoffs=self.handoff_counts(),
            breaches=BreachCounts(self.breaches, self.reassigned, self.escalated),
            queued=self.queued,
            still_queued=sum(len(queue) for queue in self.queues.values()),
            outcomes=totals,
            conversion=Ratio(
                "lead conversion rate",
                totals.won,
                leads,
                variant="simulated",
                formula="won leads / leads",
            ),
            fairness=MappingProxyType(self.fairness()),
        )

    def person_loads(self) -> tuple[PersonLoad, ...]:
        return tuple(
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

    def fairness(self) -> dict[Role, Decimal | None]:
        """Per role, Jain's index of leads assigned per weight over its active people."""
        return {
            role: jain(
                [Fraction(self.assigned[p.id], p.weight) for p in self.people[role] if p.active]
            )
            for role in self.model.roles
        }

    def lead_totals(self) -> LeadTotals:
        won = lost = disqualified = 0
        won_value = Money.zero(self.stream.profile.median_deal.currency)
        for case in self.cases:
            if case is None:
                continue
            stage = case.lead.stage
            if stage in (LeadStage.CUSTOMER, LeadStage.RETAINED):
                won += 1
                won_value += case.nature.deal_value
            elif stage is LeadStage.LOST:
                if case.lead.lost_reason is LostReason.NOT_TARGET:
                    disqualified += 1
                else:
                    lost += 1
        in_progress = len(self.stream.leads) - won - lost - disqualified
        return LeadTotals(won, lost, disqualified, in_progress, self.repeats, won_value)

    def handoff_counts(self) -> HandoffCounts:
        pending = sum(
            1
            for case in self.cases
            if case is not None and case.record is not None and case.record.pending is not None
        )
        reasons = {r: self.rejected[r] for r in RejectReason if r in self.rejected}
        routes = {(a, b): self.routes[(a, b)] for a in Role for b in Role if (a, b) in self.routes}
        return HandoffCounts(
            self.submitted,
            self.accepted,
            MappingProxyType(reasons),
            self.expired,
            pending,
            MappingProxyType(routes),
        )
