"""The one implementation of an assignment decision, shared by assign() and the Dispatcher.

Filter, rank and pick (:func:`choose`, :func:`apply`), the reasons behind a decision
(:func:`explain`, as plain ``(person, verdict, detail)`` triples) and :class:`Core`,
which makes the decisions on a working copy of the ledger, with a heap for least loaded.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final, Literal

from salesflow import _check
from salesflow.errors import InvalidType
from salesflow.routing.ledger import ZERO_ENTRY, AssignmentLedger, LedgerEntry, RoleTurns
from salesflow.routing.models import Role
from salesflow.routing.people import Person, Team
from salesflow.routing.strategies import (
    Inner,
    LeastLoaded,
    Rank,
    RoundRobin,
    Rule,
    Rules,
    Sticky,
    Strategy,
    Weighted,
)

Verdict = Literal[
    "picked",
    "inactive",
    "away",
    "off_hours",
    "excluded",
    "at_capacity",
    "not_matched",
    "paced",
    "not_their_turn",
    "lower_weight",
    "more_loaded",
    "not_account_owner",
]
"""The values of :class:`~salesflow.routing.assignment.AssignmentVerdict` (mypy checks each use)."""

RawReason = tuple[str, Verdict, str]
"""One person's part in a decision: (person id, verdict value, detail)."""


def _counts(tally: LedgerEntry) -> list[int]:
    return [tally.load, tally.assigned, tally.last_turn, tally.credit, tally.owed]


class Work:
    """A mutable copy of a ledger: tallies as lists [load, assigned, last_turn, credit, owed]."""

    __slots__ = ("tallies", "turns")

    def __init__(self, ledger: AssignmentLedger) -> None:
        self.tallies: dict[str, list[int]] = {
            p: [t.load, t.assigned, t.last_turn, t.credit, t.owed] for p, t in ledger.people.items()
        }
        self.turns: dict[Role, int] = {role: t.turns for role, t in ledger.roles.items()}

    def copy(self) -> Work:
        clone = Work.__new__(Work)
        clone.tallies = {p: list(t) for p, t in self.tallies.items()}
        clone.turns = dict(self.turns)
        return clone

    def tally(self, person: str) -> list[int]:
        tally = self.tallies.get(person)
        if tally is None:
            tally = self.tallies[person] = [0, 0, -1, 0, 0]
        return tally

    def ledger(self, base: AssignmentLedger | None = None) -> AssignmentLedger:
        """The state as an AssignmentLedger; tallies unchanged since ``base`` are reused as they are."""
        known = base.people if base is not None else {}
        people: dict[str, LedgerEntry] = {}
        for person, counts in self.tallies.items():
            tally = known.get(person)
            if tally is None or _counts(tally) != counts:
                tally = LedgerEntry(*counts)
            if tally != ZERO_ENTRY:
                people[person] = tally
        roles = {role: RoleTurns(turns) for role, turns in self.turns.items()}
        # Every tally is checked already (built here or taken from a checked ledger).
        ledger: AssignmentLedger = object.__new__(AssignmentLedger)
        object.__setattr__(ledger, "people", MappingProxyType(people))
        object.__setattr__(ledger, "roles", MappingProxyType(roles))
        return ledger

    def give(self, role: Role, person: str, served_owed: bool) -> None:
        tally = self.tally(person)
        tally[0] += 1
        tally[1] += 1
        turn = self.turns.get(role, 0)
        tally[2] = turn
        self.turns[role] = turn + 1
        if served_owed:
            tally[4] -= 1

    def release(self, person: str) -> None:
        self.tally(person)[0] -= 1

    def credit_back(self, person: str) -> None:
        tally = self.tally(person)
        tally[0] -= 1
        tally[1] -= 1
        tally[4] += 1


def blocker(
    person: Person, tally: list[int] | None, at: datetime, exclude: frozenset[str]
) -> RawReason | None:
    """Why ``person`` is not eligible at ``at``, or None (the filter step)."""
    if not person.active:
        return (person.id, "inactive", "not active")
    absence = person.away_at(at)
    if absence is not None:
        until = absence.end.isoformat()
        return (person.id, "away", f"{absence.reason} until {until}")
    if not person.hours.is_working(at):
        return (person.id, "off_hours", "outside their working hours")
    if person.id in exclude:
        return (person.id, "excluded", "already had this lead")
    load = tally[0] if tally is not None else 0
    if person.capacity is not None and load >= person.capacity:
        return (person.id, "at_capacity", f"{load} open leads, capacity {person.capacity}")
    return None


class Request:
    """One assignment asked for, its arguments checked (names as the caller wrote them)."""

    __slots__ = ("account_owner", "at", "attributes", "exclude", "lead_id", "role")

    def __repr__(self) -> str:
        return _slots_repr(self)

    def __init__(
        self,
        lead_id: Any,
        role: Any,
        at: Any,
        account_owner: Any,
        attributes: Any,
        exclude: Any,
    ) -> None:
        if type(lead_id) is not str or not lead_id.strip():
            _check.text("lead_id", lead_id)
        self.lead_id: str = lead_id
        if type(role) is not Role:
            role = _check.choice(Role, "role", role)
        self.role: Role = role
        if type(at) is not datetime or at.tzinfo is not UTC:
            _check.aware("at", at)
        self.at: datetime = at
        if account_owner is not None:
            _check.text("account_owner", account_owner)
        self.account_owner: str | None = account_owner
        if attributes is None:
            attributes = _NO_ATTRIBUTES
        elif not isinstance(attributes, Mapping):
            raise InvalidType("attributes", attributes, "a mapping of attribute name to value")
        self.attributes: Mapping[str, str] = attributes
        if type(exclude) is tuple and not exclude:
            exclude = _NO_ONE
        elif isinstance(exclude, str) or not isinstance(exclude, Iterable):
            raise InvalidType("exclude", exclude, "a set of person ids")
        else:
            exclude = frozenset(_check.text("exclude", person) for person in exclude) or _NO_ONE
        self.exclude: frozenset[str] = exclude


_NO_ATTRIBUTES: Final[Mapping[str, str]] = MappingProxyType({})
_NO_ONE: Final[frozenset[str]] = frozenset()


class Choice:
    """The outcome of the rank step before it is applied."""

    __slots__ = ("candidates", "person", "rank", "rule", "served_owed", "sticky")

    def __init__(self) -> None:
        self.person: str | None = None
        self.rule: Rule | None = None
        self.rank: Rank | None = None
        self.sticky = False
        self.served_owed = False
        self.candidates: list[Person] = []

    def __repr__(self) -> str:
        return _slots_repr(self)


def _slots_repr(value: Any) -> str:
    """A repr naming every slot, so two equal working records read the same."""
    fields = ", ".join(f"{name}={getattr(value, name)!r}" for name in value.__slots__)
    return f"{type(value).__name__}({fields})"


def resolve(strategy: Strategy, request: Request) -> tuple[Rule | None, Inner]:
    if isinstance(strategy, Rules):
        rule = strategy.match(request.attributes)
        return rule, rule.then
    return None, strategy


def gap(team: Team, role: Role, pace: int | None) -> int:
    """Turns of the role a person waits after a lead under pacing (0: no pacing)."""
    if pace is None:
        return 0
    active = sum(1 for person in team.people if person.role is role and person.active)
    return -(-active // pace)


def paced(tally: list[int], turns: int, wait: int) -> bool:
    # A last turn at or past the role's count was taken in another role (the person
    # moved, or the host built the ledger): it says nothing about this role's turns.
    return tally[2] >= 0 and 0 < turns - tally[2] < wait


def served(tally: list[int], turns: int) -> int:
    """The role turn ``tally`` was last served at, -1 for never (or only in another role)."""
    return tally[2] if tally[2] < turns else -1


def choose(work: Work, team: Team, strategy: Strategy, request: Request) -> Choice:
    """Filter, rank and pick on ``work`` without changing it (the definition; O(people))."""
    choice = Choice()
    rule, inner = resolve(strategy, request)
    choice.rule = rule
    at, exclude, tallies = request.at, request.exclude, work.tallies
    candidates = choice.candidates
    for person in team.people:
        if person.role is not request.role:
            continue
        if rule is not None and not rule.tags <= person.tags:
            continue
        if blocker(person, tallies.get(person.id), at, exclude) is None:
            candidates.append(person)
    if not candidates:
        return choice
    rank = inner.then if isinstance(inner, Sticky) else inner
    choice.rank = rank
    if isinstance(inner, Sticky) and request.account_owner is not None:
        for person in candidates:
            if person.id == request.account_owner:
                choice.person, choice.sticky = person.id, True
                return choice
    zero = ZERO_COUNTS
    turns = work.turns.get(request.role, 0)
    if not isinstance(rank, LeastLoaded):
        owed = [p for p in candidates if tallies.get(p.id, zero)[4] > 0]
        if owed:
            first = min(owed, key=lambda p: served(tallies[p.id], turns))
            choice.person, choice.served_owed = first.id, True
            return choice
    if isinstance(rank, RoundRobin):
        choice.person = min(candidates, key=lambda p: served(tallies.get(p.id, zero), turns)).id
    elif isinstance(rank, Weighted):
        best = max(
            enumerate(candidates),
            key=lambda item: (tallies.get(item[1].id, zero)[3] + item[1].weight, -item[0]),
        )
        choice.person = best[1].id
    else:
        choice.person = _least_loaded(work, rank, request.role, team, candidates)
    return choice


ZERO_COUNTS: Final = [0, 0, -1, 0, 0]


def _least_loaded(
    work: Work, rank: LeastLoaded, role: Role, team: Team, candidates: list[Person]
) -> str:
    tallies = work.tallies
    zero = ZERO_COUNTS
    ordered = sorted(
        candidates,
        key=lambda p: (tallies.get(p.id, zero)[0], tallies.get(p.id, zero)[2]),
    )
    wait = gap(team, role, rank.pace)
    turns = work.turns.get(role, 0)
    for person in ordered:
        if not paced(tallies.get(person.id, zero), turns, wait):
            return person.id
    return ordered[0].id


def apply(work: Work, team: Team, request: Request, choice: Choice) -> None:
    if choice.person is None:
        return
    if isinstance(choice.rank, Weighted) and not choice.sticky and not choice.served_owed:
        total = 0
        for person in choice.candidates:
            work.tally(person.id)[3] += person.weight
            total += person.weight
        work.tally(choice.person)[3] -= total
    work.give(request.role, choice.person, choice.served_owed)


def explain(
    work: Work, team: Team, strategy: Strategy, request: Request, choice: Choice
) -> tuple[RawReason, ...]:
    """Every person of the role and why they were or were not picked, from the state before."""
    rule, inner = choice.rule, resolve(strategy, request)[1]
    rank = inner.then if isinstance(inner, Sticky) else inner
    tallies, zero = work.tallies, ZERO_COUNTS
    picked = choice.person
    picked_tally = tallies.get(picked, zero) if picked is not None else zero
    candidate_ids = {person.id for person in choice.candidates}
    pacing = (
        work.turns.get(request.role, 0),
        gap(team, request.role, getattr(rank, "pace", None)),
    )
    first: list[RawReason] = []
    others: list[RawReason] = []
    for person in team.people:
        if person.role is not request.role:
            continue
        tally = tallies.get(person.id, zero)
        if person.id == picked:
            detail = _picked_detail(choice, rank, tally, pacing[0])
            first.append((person.id, "picked", detail))
            continue
        if rule is not None and not rule.tags <= person.tags:
            tags = ", ".join(sorted(rule.tags - person.tags))
            others.append((person.id, "not_matched", f"rule {rule.name!r} needs tags: {tags}"))
            continue
        blocked = blocker(person, tally, request.at, request.exclude)
        if blocked is not None or person.id not in candidate_ids:
            assert blocked is not None
            others.append(blocked)
            continue
        others.append(_loser(person, tally, picked_tally, choice, rank, pacing, picked))
    return (*first, *others)


def _picked_detail(choice: Choice, rank: Rank | None, tally: list[int], turns: int) -> str:
    if choice.sticky:
        return "the account's existing owner"
    if choice.served_owed:
        return "owed a make-up turn for a lead credited back"
    if isinstance(rank, RoundRobin):
        return "served least recently" if served(tally, turns) >= 0 else "not served yet"
    if isinstance(rank, Weighted):
        return "highest weighted credit"
    return f"fewest open leads ({tally[0]})"


def _loser(
    person: Person,
    tally: list[int],
    picked_tally: list[int],
    choice: Choice,
    rank: Rank | None,
    pacing: tuple[int, int],
    picked: str | None,
) -> RawReason:
    pid = person.id
    if choice.sticky:
        return (pid, "not_account_owner", f"the account belongs to {picked}")
    if choice.served_owed:
        return (pid, "not_their_turn", f"{picked} was owed a make-up turn")
    turns, wait = pacing
    if isinstance(rank, RoundRobin):
        if served(tally, turns) < 0:  # a tie: neither was served in this role yet
            return (pid, "not_their_turn", f"not served yet either; {picked} is first")
        return (pid, "not_their_turn", f"served more recently than {picked}")
    if isinstance(rank, Weighted):
        return (
            pid,
            "lower_weight",
            f"credit {tally[3]} + weight {person.weight} is not above {picked}'s",
        )
    assert isinstance(rank, LeastLoaded)
    if paced(tally, turns, wait):
        return (
            pid,
            "paced",
            f"had a lead {_turns(turns - tally[2])} ago; waits {_turns(wait)} (pace {rank.pace})",
        )
    if tally[0] > picked_tally[0]:
        return (pid, "more_loaded", f"{tally[0]} open leads, {picked} had {picked_tally[0]}")
    if tally[2] == picked_tally[2]:  # a tie: neither was served yet
        return (pid, "not_their_turn", f"as loaded as {picked}, who is first")
    return (pid, "not_their_turn", f"as loaded as {picked}, served more recently")


def _turns(count: int) -> str:
    return f"{count} turn" if count == 1 else f"{count} turns"


# -- the core: decisions on a working copy, with a heap for least loaded -------------------

_NO_LIMIT: Final = 1 << 62
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_NEVER: Final = (_EPOCH, _EPOCH, False)  # an empty window: look the hours up
Entry = tuple[int, int, int, str]  # (load, last turn, team index, person id): a heap entry
Gate = tuple[bool, int, bool, datetime, datetime, bool, Person]


class DecisionSource:
    """The maker of a decision (assign() or a Dispatcher): what a Decision may come from."""

    __slots__ = ()


class Core:
    """Makes decisions on ``work`` (changed in place): :func:`choose` and :func:`apply`,
    or, under least loaded without exclusions, the same pick from a heap.

    The least-loaded heap keeps an entry per person of the role; an entry whose
    load or turn no longer matches the person's tally is stale and skipped.
    Eligibility is cached per person while their working hours stay the same.
    """

    __slots__ = ("fast", "gaps", "gates", "heaps", "index", "strategy", "tallies", "team", "work")

    gaps: dict[Role, int]
    """Per role, the turns a person waits after a lead under pacing."""
    heaps: dict[Role, list[Entry]]
    index: dict[str, int]
    """Person id to team index."""
    tallies: list[list[int]]
    """Per team index, the person's tally list in ``work`` (the same list)."""
    gates: list[Gate]

    def __init__(self, team: Team, strategy: Strategy, work: Work) -> None:
        self.strategy = strategy
        self.fast = type(strategy) is LeastLoaded
        self.work = work
        self.set_team(team)

    def set_team(self, team: Team) -> None:
        self.team = team
        self.heaps = {}
        if not self.fast:  # no heap: choose() and apply() read the team and the work
            self.gaps, self.index, self.tallies, self.gates = {}, {}, [], []
            return
        pace = getattr(self.strategy, "pace", None)
        self.gaps = {role: gap(team, role, pace) for role in Role}
        self.index = {person.id: i for i, person in enumerate(team.people)}
        # Per team index: the tally list itself, and a gate: what never changes (active,
        # capacity, has absences) and a working-hours window (since, until, working)
        # whose answer holds while `at` stays inside it.
        self.tallies = [self.work.tally(person.id) for person in team.people]
        self.gates = [
            (person.active, person.capacity or _NO_LIMIT, bool(person.absences), *_NEVER, person)
            for person in team.people
        ]

    def decide(self, request: Request) -> tuple[str | None, Choice | None]:
        """The person picked (None: the role's queue) and, unless the heap picked, the choice."""
        if self.fast and not request.exclude:
            return self.least_loaded(request.role, request.at), None
        choice = choose(self.work, self.team, self.strategy, request)
        apply(self.work, self.team, request, choice)
        if choice.person is not None:
            self.touch(choice.person)
        return choice.person, choice

    def release(self, person: str) -> None:
        self.work.release(person)
        self.touch(person)

    def credit_back(self, person: str) -> None:
        self.work.credit_back(person)
        self.touch(person)

    def touch(self, person_id: str) -> None:
        index = self.index.get(person_id)
        if index is None:
            return
        heap = self.heaps.get(self.team.people[index].role)
        if heap is not None:
            tally = self.work.tallies[person_id]
            heapq.heappush(heap, (tally[0], tally[2], index, person_id))

    def least_loaded(self, role: Role, at: datetime) -> str | None:
        heap = self.heaps.get(role)
        if heap is None:
            heap = self.build_heap(role)
        if heap:
            load, turn, index, pid = heap[0]
            tally = self.tallies[index]
            turns = self.work.turns
            now = turns.get(role, 0)
            active, capacity, away, since, until, working, _person = self.gates[index]
            if (
                tally[0] == load
                and tally[2] == turn
                and (turn < 0 or now - turn >= self.gaps[role] or now <= turn)
                and active
                and load < capacity
                and not away
                and since <= at < until
                and working
            ):
                # The usual case: the top of the heap is current, eligible and not paced.
                tally[0] = load + 1
                tally[1] += 1
                tally[2] = now
                turns[role] = now + 1
                heapq.heapreplace(heap, (load + 1, now, index, pid))
                return pid
        return self._search(role, at, heap)

    def _search(self, role: Role, at: datetime, heap: list[Entry]) -> str | None:
        held: list[Entry] = []
        first_eligible: Entry | None = None
        chosen: Entry | None = None
        now, wait = self.work.turns.get(role, 0), self.gaps[role]
        while heap:
            entry = heapq.heappop(heap)
            load, turn, index, _pid = entry
            tally = self.tallies[index]
            if tally[0] != load or tally[2] != turn:
                continue  # stale: the person's load or turn changed since it was pushed
            held.append(entry)
            if not self._eligible(index, load, at):
                continue
            if first_eligible is None:
                first_eligible = entry
            if not paced(tally, now, wait):
                chosen = entry
                break
        if chosen is None:
            chosen = first_eligible
        for entry in held:
            if entry is not chosen:
                heapq.heappush(heap, entry)
        if chosen is None:
            return None
        index, pid = chosen[2], chosen[3]
        self.work.give(role, pid, False)
        tally = self.tallies[index]
        heapq.heappush(heap, (tally[0], tally[2], index, pid))
        if len(heap) > 4 * len(self.team.people) + 64:
            self.build_heap(role)
        return pid

    def build_heap(self, role: Role) -> list[Entry]:
        tallies = self.work.tallies
        heap = []
        for index, person in enumerate(self.team.people):
            if person.role is role:
                tally = tallies.get(person.id, ZERO_COUNTS)
                heap.append((tally[0], tally[2], index, person.id))
        heapq.heapify(heap)
        self.heaps[role] = heap
        return heap

    def _eligible(self, index: int, load: int, at: datetime) -> bool:
        """:func:`blocker` finds nothing (the heap path has no exclusions)."""
        active, capacity, away, since, until, working, person = self.gates[index]
        if not active or load >= capacity:
            return False
        if away and person.away_at(at) is not None:
            return False
        if not since <= at < until:
            working, until = person.hours.window(at)
            self.gates[index] = (active, capacity, away, at, until, working, person)
        return working
