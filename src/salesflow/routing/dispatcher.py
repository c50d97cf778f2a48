"""The Dispatcher: a ledger kept in memory, and the decisions of :func:`~salesflow.routing.assign`
made in bulk (simulations, imports, batch jobs), explained when read.

>>> from datetime import datetime, timezone
>>> from salesflow.routing import Dispatcher, LeastLoaded, Person, Role, Team
>>> team = Team([Person(name, Role.QUALIFIER) for name in ("ana", "ben", "cy")])
>>> dispatcher = Dispatcher(team, LeastLoaded())
>>> at = datetime(2026, 11, 25, 10, tzinfo=timezone.utc)
>>> [dispatcher.assign(f"L-{n}", "qualifier", at=at).person for n in range(4)]
['ana', 'ben', 'cy', 'ana']
>>> dispatcher.ledger.load("ana")
2
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final, overload

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.routing._engine import (
    ZERO_COUNTS,
    Choice,
    Core,
    DecisionSource,
    RawReason,
    Request,
    Work,
    apply,
    choose,
    explain,
)
from salesflow.routing.assignment import AssignmentReason, Decision
from salesflow.routing.ledger import AssignmentLedger
from salesflow.routing.models import Role
from salesflow.routing.people import Team
from salesflow.routing.strategies import Strategy, check_strategy

__all__ = ["Decisions", "Dispatcher"]

_CHECKPOINT_EVERY: Final = 512


class Dispatcher(DecisionSource):
    """Keeps a ledger in memory and assigns in bulk: the decisions of
    :func:`~salesflow.routing.assign`.

    Both make their decisions with one core; the dispatcher keeps it between
    calls, so the least-loaded heap and the eligibility cache last, and a
    decision's reasons are rebuilt only when read (from a checkpoint of the
    state and the log of changes since). The log grows with every decision, so
    use one dispatcher per batch; a backend answering one request at a time
    calls :func:`~salesflow.routing.assign`.
    """

    def __init__(
        self, team: Team, strategy: Strategy, ledger: AssignmentLedger | None = None
    ) -> None:
        if not isinstance(team, Team):
            raise InvalidType("team", team, "a Team")
        if ledger is not None and not isinstance(ledger, AssignmentLedger):
            raise InvalidType("ledger", ledger, "an AssignmentLedger or None")
        self.strategy: Strategy = check_strategy(strategy)
        self._core = Core(
            team, self.strategy, Work(ledger if ledger is not None else AssignmentLedger())
        )
        # The log: one entry per decision, release, credit or team change, and the
        # person each decision picked (None otherwise) at the same position.
        self._log: list[tuple[Any, ...]] = []
        self._picks: list[str | None] = []
        self._slow: dict[int, tuple[Request, Choice]] = {}
        self._checkpoints: list[tuple[int, Work, Team]] = [(0, self._core.work.copy(), team)]

    # -- the team and the ledger --------------------------------------------------

    @property
    def team(self) -> Team:
        return self._core.team

    @property
    def ledger(self) -> AssignmentLedger:
        """The current state, as a value the host can store."""
        return self._core.work.ledger()

    def replace_team(self, team: Team) -> None:
        """People join, leave or change (hours, absences, capacity); counts are kept."""
        if not isinstance(team, Team):
            raise InvalidType("team", team, "a Team")
        self._log.append(("team", team))
        self._picks.append(None)
        self._core.set_team(team)

    def release(self, person: str) -> None:
        """One of ``person``'s leads closed or moved on."""
        _check.text("person", person)
        if self._core.work.tallies.get(person, ZERO_COUNTS)[0] < 1:
            raise InvalidField("person", person, "someone holding an open lead to release")
        self._log.append(("release", person))
        self._picks.append(None)
        self._core.release(person)

    def credit_back(self, person: str) -> None:
        """A lead that should not count (disqualified, a no-show); see
        :meth:`~salesflow.routing.AssignmentLedger.credit_back`."""
        _check.text("person", person)
        tally = self._core.work.tallies.get(person, ZERO_COUNTS)
        if tally[0] < 1 or tally[1] < 1:
            raise InvalidField("person", person, "someone holding a lead given by assignment")
        self._log.append(("credit", person))
        self._picks.append(None)
        self._core.credit_back(person)

    # -- assigning -------------------------------------------------------------------

    def assign(
        self,
        lead_id: str,
        role: Role | str,
        *,
        at: datetime,
        account_owner: str | None = None,
        attributes: Mapping[str, str] | None = None,
        exclude: Iterable[str] = (),
    ) -> Decision:
        """The same decision :func:`~salesflow.routing.assign` makes on the current ledger; the ledger moves on.

        A refused call changes nothing: the dispatcher is left as it was.
        """
        position = len(self._log)
        try:
            return self._assign(lead_id, role, at, account_owner, attributes, exclude)
        except BaseException:
            self._rollback(position)
            raise

    def _assign(
        self,
        lead_id: Any,
        role: Any,
        at: Any,
        account_owner: Any,
        attributes: Any,
        exclude: Any,
    ) -> Decision:
        log = self._log
        position = len(log)
        if position >= self._checkpoints[-1][0] + _CHECKPOINT_EVERY:
            self._checkpoints.append((position, self._core.work.copy(), self._core.team))
        if (
            self._core.fast
            and type(exclude) is tuple
            and not exclude
            and type(lead_id) is str
            and type(role) is Role
            and type(at) is datetime
            and at.tzinfo is UTC
            and lead_id.strip()
            and (account_owner is None or (type(account_owner) is str and account_owner.strip()))
            and (attributes is None or isinstance(attributes, Mapping))
        ):
            # Arguments Request would accept as they are: skip building one (the hot path).
            person = self._core.least_loaded(role, at)
        else:
            request = Request(lead_id, role, at, account_owner, attributes, exclude)
            lead_id, role, at = request.lead_id, request.role, request.at
            person, choice = self._core.decide(request)
            if choice is not None:
                self._slow[position] = (request, choice)
        log.append((lead_id, role, at))
        self._picks.append(person)
        return Decision(lead_id, role, at, person, self, position)

    def assign_many(self, leads: Iterable[tuple[str, Role | str, datetime]]) -> Decisions:
        """Assign ``(lead_id, role, at)`` items in order: the same decisions as calling
        :meth:`assign` on each, with less overhead per lead.

        The items are read in full first (an iterator that changes this
        dispatcher does so before the batch). A refused item refuses the
        whole batch: the dispatcher is left as it was. The result is a
        sequence whose :class:`~salesflow.routing.assignment.Decision` values
        are made when read.
        """
        if isinstance(leads, str | Mapping) or not isinstance(leads, Iterable):
            raise InvalidType("leads", leads, "an iterable of (lead_id, role, at) tuples")
        items = leads if type(leads) is list or type(leads) is tuple else list(leads)
        start = len(self._log)
        try:
            self._assign_many(items)
        except BaseException:
            self._rollback(start)
            raise
        return Decisions(self, start, len(self._log))

    def _assign_many(self, leads: Sequence[Any]) -> None:
        log, picks = self._log, self._picks
        start = len(log)
        checkpoints = self._checkpoints
        core = self._core
        fast = core.fast
        least_loaded = core.least_loaded
        heaps, tallies, gates = core.heaps, core.tallies, core.gates
        turns, gaps = core.work.turns, core.gaps
        next_checkpoint = checkpoints[-1][0] + _CHECKPOINT_EVERY
        replace = heapq.heapreplace
        for item in leads:
            if type(item) is not tuple or len(item) != 3:
                raise InvalidType(f"leads[{len(log) - start}]", item, "a (lead_id, role, at) tuple")
            lead_id, role, at = item
            if not (
                fast
                and type(lead_id) is str
                and type(role) is Role
                and type(at) is datetime
                and at.tzinfo is UTC
                and lead_id.strip()
            ):
                self._assign(lead_id, role, at, None, None, ())
                next_checkpoint = checkpoints[-1][0] + _CHECKPOINT_EVERY
                continue
            if len(log) >= next_checkpoint:
                checkpoints.append((len(log), core.work.copy(), core.team))
                next_checkpoint = len(log) + _CHECKPOINT_EVERY
            # The top-of-heap case of Core.least_loaded, inlined for speed (the agreement
            # tests run assign_many against assign() too); anything else goes there.
            heap = heaps.get(role)
            if heap:
                load, turn, index, pid = heap[0]
                tally = tallies[index]
                now = turns.get(role, 0)
                active, capacity, away, since, until, working, _person = gates[index]
                if (
                    tally[0] == load
                    and tally[2] == turn
                    and (turn < 0 or now - turn >= gaps[role] or now <= turn)
                    and active
                    and load < capacity
                    and not away
                    and since <= at < until
                    and working
                ):
                    tally[0] = load + 1
                    tally[1] += 1
                    tally[2] = now
                    turns[role] = now + 1
                    replace(heap, (load + 1, now, index, pid))
                    picks.append(pid)
                    log.append(item)
                    continue
            picks.append(least_loaded(role, at))
            log.append(item)

    def _rollback(self, start: int) -> None:
        """Forget log entries from ``start`` on, and the state they made."""
        work, team = self._state_before(start)
        del self._log[start:], self._picks[start:]
        for position in [position for position in self._slow if position >= start]:
            del self._slow[position]
        while self._checkpoints[-1][0] > start:
            self._checkpoints.pop()
        self._core = Core(team, self.strategy, work)

    # -- explaining, later ----------------------------------------------------------------

    def details(self, decision: Decision) -> tuple[Request, Choice]:
        """The request and the choice behind ``decision`` (one this dispatcher made)."""
        if not isinstance(decision, Decision) or decision._source is not self:
            raise InvalidType("decision", decision, "a Decision this dispatcher made")
        position = decision._position
        slow = self._slow.get(position)
        if slow is not None:
            return slow
        request = Request(decision.lead_id, decision.role, decision.at, None, None, ())
        choice = Choice()
        choice.rank = self.strategy  # type: ignore[assignment]
        choice.person = decision.person
        return request, choice

    def explain(self, decision: Decision) -> tuple[AssignmentReason, ...]:
        """Why ``decision`` (one this dispatcher made) went as it did (see
        :attr:`~salesflow.routing.assignment.Decision.reasons`)."""
        if not isinstance(decision, Decision) or decision._source is not self:
            raise InvalidType("decision", decision, "a Decision this dispatcher made")
        return decision.reasons

    def _raw_reasons(self, decision: Decision) -> tuple[RawReason, ...]:
        work, team = self._state_before(decision._position)
        request, choice = self.details(decision)
        full = choose(work, team, self.strategy, request)
        if full.person != choice.person:  # pragma: no cover - the agreement tests guard this
            raise AssertionError(f"the dispatcher disagrees with assign() on {decision!r}")
        return explain(work, team, self.strategy, request, full)

    def _decision(self, position: int) -> Decision:
        lead_id, role, at = self._log[position]
        return Decision(lead_id, role, at, self._picks[position], self, position)

    def _state_before(self, position: int) -> tuple[Work, Team]:
        """The working state just before log entry ``position``, from the nearest checkpoint."""
        start, checkpoint, team = self._checkpoints[0]
        for mark, work, at_team in self._checkpoints:
            if mark > position:
                break
            start, checkpoint, team = mark, work, at_team
        work = checkpoint.copy()
        for index in range(start, position):
            entry = self._log[index]
            if len(entry) == 3:
                request, choice = self.details(self._decision(index))
                if choice.person is not None:
                    apply(work, team, request, choice)
            elif entry[0] == "team":
                team = entry[1]
            elif entry[0] == "release":
                work.release(entry[1])
            else:
                work.credit_back(entry[1])
        return work, team


class _OutOfRange(InvalidField, IndexError):
    """An index past the end (an IndexError too, as a sequence's iteration expects)."""


class Decisions(Sequence[Decision]):
    """The decisions of one :meth:`Dispatcher.assign_many` call, made when read."""

    __slots__ = ("_dispatcher", "_start", "_stop")

    def __init__(self, dispatcher: Dispatcher, start: int, stop: int) -> None:
        if not isinstance(dispatcher, Dispatcher):
            raise InvalidType("dispatcher", dispatcher, "a Dispatcher")
        made = len(dispatcher._log)
        _check.whole("start", start, minimum=0)
        if start > made:
            raise InvalidField("start", start, f"a position from 0 to {made}")
        _check.whole("stop", stop, minimum=start)
        if stop > made:
            raise InvalidField("stop", stop, f"a position from {start} to {made}")
        self._dispatcher, self._start, self._stop = dispatcher, start, stop

    def __len__(self) -> int:
        return self._stop - self._start

    @overload
    def __getitem__(self, index: int) -> Decision: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Decision]: ...

    def __getitem__(self, index: int | slice) -> Decision | Sequence[Decision]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if type(index) is not int:
            raise InvalidType("index", index, "a whole number or a slice")
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise _OutOfRange("index", index, f"a position from {-len(self)} to {len(self) - 1}")
        return self._dispatcher._decision(self._start + position)

    def __repr__(self) -> str:
        return f"<Decisions: {len(self)} from a Dispatcher>"
