"""Assigning a lead to a person of a role: :func:`assign` and the decision it returns.

A decision filters the role's people, ranks them by the strategy and picks the
first (nobody left means the role's queue), and explains itself person by
person (docs/routing.md, "Assigning people within a role").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Protocol

import attrs

from salesflow import _check, _zones
from salesflow.errors import InvalidField, InvalidType
from salesflow.routing._engine import (
    Choice,
    Core,
    DecisionSource,
    RawReason,
    Request,
    Work,
    choose,
    explain,
)
from salesflow.routing.ledger import AssignmentLedger
from salesflow.routing.models import Role
from salesflow.routing.people import Team
from salesflow.routing.strategies import Strategy, check_strategy

__all__ = ["Assignment", "AssignmentReason", "AssignmentVerdict", "Decision", "assign"]


class AssignmentVerdict(StrEnum):
    """Why a person was, or was not, given a lead."""

    PICKED = "picked"
    INACTIVE = "inactive"
    AWAY = "away"
    OFF_HOURS = "off_hours"
    EXCLUDED = "excluded"
    AT_CAPACITY = "at_capacity"
    NOT_MATCHED = "not_matched"
    PACED = "paced"
    NOT_THEIR_TURN = "not_their_turn"
    LOWER_WEIGHT = "lower_weight"
    MORE_LOADED = "more_loaded"
    NOT_ACCOUNT_OWNER = "not_account_owner"

    @property
    def blocks(self) -> bool:
        """True when the person could not have been picked at all (not eligible)."""
        return self in _BLOCKING


_BLOCKING: Final = frozenset(
    {
        AssignmentVerdict.INACTIVE,
        AssignmentVerdict.AWAY,
        AssignmentVerdict.OFF_HOURS,
        AssignmentVerdict.EXCLUDED,
        AssignmentVerdict.AT_CAPACITY,
        AssignmentVerdict.NOT_MATCHED,
    }
)


def _to_verdict(value: Any) -> AssignmentVerdict:
    if type(value) is AssignmentVerdict:
        return value
    return _check.choice(AssignmentVerdict, "verdict", value, context="AssignmentReason")


def _detail(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not str:
        raise InvalidType("detail", value, "a string", context="AssignmentReason")


@attrs.frozen
class AssignmentReason:
    """One person's part in a decision: the verdict and the facts behind it."""

    person: str = attrs.field(validator=_check.text_field)
    verdict: AssignmentVerdict = attrs.field(converter=_to_verdict)
    detail: str = attrs.field(validator=_detail)

    def __str__(self) -> str:
        return f"{self.person}: {self.verdict.value.replace('_', ' ')}: {self.detail}"


class Decision:
    """Who gets a lead, or the queue it waits in; explains itself when asked.

    ``reasons`` says, for the picked person and every other person of the
    role, why (away, off hours, at capacity, not their turn, lower weight,
    more loaded...). It is worked out when first read, from the state the
    decision was made in, so bulk assignment does not pay for it.

    Decisions come from :func:`assign` and :class:`~salesflow.routing.Dispatcher`; one cannot be
    built by hand (it would have no state to explain itself from).
    """

    __slots__ = ("_position", "_reasons", "_source", "at", "lead_id", "person", "role")

    def __init__(
        self,
        lead_id: str,
        role: Role,
        at: datetime,
        person: str | None,
        source: _Source,
        position: int,
    ) -> None:
        if not isinstance(source, DecisionSource):
            raise InvalidType(
                "source", source, "the maker of the decision: assign() or a Dispatcher"
            )
        # Cheap type tests first: a dispatcher builds one of these per decision read.
        if type(lead_id) is not str or not lead_id.strip():
            _check.text("lead_id", lead_id, context="Decision")
        if type(role) is not Role:
            role = _check.choice(Role, "role", role, context="Decision")
        if type(at) is not datetime or at.tzinfo is None:
            _check.aware("at", at, context="Decision")
        if person is not None and (type(person) is not str or not person.strip()):
            _check.text("person", person, context="Decision")
        if type(position) is not int or position < 0:
            _check.whole("position", position, minimum=0, context="Decision")
        self.lead_id = lead_id
        self.role = role
        self.at = at
        self.person = person
        self._source: _Source = source
        self._position = position
        self._reasons: tuple[AssignmentReason, ...] | None = None

    @property
    def queued(self) -> bool:
        """Nobody was eligible: the lead waits in the role's queue."""
        return self.person is None

    @property
    def queue(self) -> str | None:
        """The queue the lead waits in when nobody was eligible (``"<role> queue"``)."""
        return None if self.person is not None else f"{self.role.value} queue"

    @property
    def strategy(self) -> str:
        """The name of the strategy that decided."""
        return self._source.strategy.name

    @property
    def rule(self) -> str | None:
        """The name of the rule that matched, under :class:`Rules`."""
        choice = self._source.details(self)[1]
        return choice.rule.name if choice.rule is not None else None

    @property
    def reasons(self) -> tuple[AssignmentReason, ...]:
        """The picked person first, then everyone else of the role in team order."""
        if self._reasons is None:
            raw = self._source._raw_reasons(self)
            self._reasons = tuple(AssignmentReason(p, AssignmentVerdict(v), d) for p, v, d in raw)
        return self._reasons

    def why_not(self, person: str) -> AssignmentReason:
        """The reason for one person; raises ``InvalidField`` for someone outside the role."""
        for reason in self.reasons:
            if reason.person == person:
                return reason
        raise InvalidField("person", person, f"someone of the {self.role.value} role")

    def explain(self) -> str:
        """The decision in plain words, one line per person."""
        rule = self.rule
        extra = f", rule {rule!r}" if rule else ""
        head = self.person if self.person is not None else f"{self.queue} (nobody eligible)"
        lines = [f"{self.lead_id} -> {head} ({self.role.value}, {self.strategy}{extra})"]
        lines += [f"  {reason}" for reason in self.reasons]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives, reasons included (for an audit log)."""
        return {
            "lead_id": self.lead_id,
            "role": self.role.value,
            "at": self.at.isoformat(),
            "person": self.person,
            "queue": self.queue,
            "strategy": self.strategy,
            "rule": self.rule,
            "reasons": [
                {"person": r.person, "verdict": r.verdict.value, "detail": r.detail}
                for r in self.reasons
            ],
        }

    def _key(self) -> tuple[Any, ...]:
        return (self.lead_id, self.role, _zones.utc(self.at), self.person, self.rule, self.strategy)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self._key() == other._key() and self.reasons == other.reasons

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        target = self.person if self.person is not None else self.queue
        return f"<Decision {self.lead_id} -> {target} ({self.role.value})>"


@attrs.frozen
class Assignment:
    """What :func:`assign` returns: the decision and the ledger after it."""

    decision: Decision
    ledger: AssignmentLedger


class _Source(Protocol):
    """Where a decision's details and reasons come from (its maker)."""

    strategy: Strategy

    def details(self, decision: Decision) -> tuple[Request, Choice]: ...

    def _raw_reasons(self, decision: Decision) -> tuple[RawReason, ...]: ...


class _Explainer(DecisionSource):
    """The maker of a decision made by :func:`assign`: it keeps the state before."""

    __slots__ = ("choice", "person", "request", "strategy", "team", "work")

    def __init__(
        self,
        work: Work,
        team: Team,
        strategy: Strategy,
        request: Request,
        person: str | None,
        choice: Choice | None,
    ) -> None:
        self.work, self.team, self.strategy = work, team, strategy
        self.request, self.person, self.choice = request, person, choice

    def details(self, decision: Decision) -> tuple[Request, Choice]:
        if self.choice is None:  # the heap picked: the full choice is worked out when asked
            choice = choose(self.work, self.team, self.strategy, self.request)
            if choice.person != self.person:  # pragma: no cover - the agreement tests guard this
                raise AssertionError(f"the heap disagrees with the scan on {decision!r}")
            self.choice = choice
        return self.request, self.choice

    def _raw_reasons(self, decision: Decision) -> tuple[RawReason, ...]:
        request, choice = self.details(decision)
        return explain(self.work, self.team, self.strategy, request, choice)


def assign(
    lead_id: str,
    role: Role | str,
    *,
    at: datetime,
    team: Team,
    ledger: AssignmentLedger,
    strategy: Strategy,
    account_owner: str | None = None,
    attributes: Mapping[str, str] | None = None,
    exclude: Iterable[str] = (),
) -> Assignment:
    """Decide who of ``role`` gets ``lead_id`` at ``at``; the pure function.

    ``account_owner`` is the account's existing owner (for :class:`~salesflow.routing.Sticky`),
    ``attributes`` what :class:`~salesflow.routing.Rules` match on, ``exclude`` people who
    must not get it (those who already let it lapse). Returns the decision and the
    ledger after it; nothing is changed in place. The decision is made by the same
    core as :class:`~salesflow.routing.Dispatcher`'s.
    """
    if not isinstance(team, Team):
        raise InvalidType("team", team, "a Team")
    if not isinstance(ledger, AssignmentLedger):
        raise InvalidType("ledger", ledger, "an AssignmentLedger")
    strategy = check_strategy(strategy)
    request = Request(lead_id, role, at, account_owner, attributes, exclude)
    before = Work(ledger)
    core = Core(team, strategy, before.copy())
    person, choice = core.decide(request)
    explainer = _Explainer(before, team, strategy, request, person, choice)
    decision = Decision(request.lead_id, request.role, request.at, person, explainer, 0)
    return Assignment(decision, core.work.ledger(ledger))
