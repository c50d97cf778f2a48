"""Assigning people within a role: strategies, eligibility, fairness, decisions that explain themselves.

A decision runs three steps, always in this order:

1. **filter**: people of the role who are active, not away, within their
   working hours (in their own time zone), under capacity, not excluded, and
   (under :class:`Rules`) matched by the rule that applies;
2. **rank** by the strategy: :class:`RoundRobin` (whoever was served least
   recently, in team order), :class:`Weighted` (smooth weighted round robin),
   :class:`LeastLoaded` (fewest open leads, with pacing), :class:`Sticky` (the
   account's existing owner first, then another strategy);
3. **pick** the first; nobody left means the lead goes to the role's queue,
   and the decision says so.

The state a strategy needs (open leads, turns, credits) is a :class:`Ledger`
value that the host stores; :func:`assign` is the pure function, and a
:class:`Dispatcher` keeps a ledger in memory and answers the same decisions
faster for bulk work. Nothing here draws random numbers: ties go to team
order, so a decision is reproducible from its inputs.

>>> from datetime import datetime, timezone
>>> from salesflow.routing import Ledger, LeastLoaded, Person, Role, Team, assign
>>> team = Team([Person("ana", Role.CLOSER, capacity=2), Person("ben", Role.CLOSER)])
>>> ledger = Ledger().with_load("ana", 2).with_load("ben", 1)
>>> at = datetime(2026, 11, 25, 10, tzinfo=timezone.utc)
>>> result = assign("L-7", Role.CLOSER, at=at, team=team, ledger=ledger, strategy=LeastLoaded())
>>> result.decision.person
'ben'
>>> print(result.decision.explain())
L-7 -> ben (closer, least loaded)
  ben: picked: fewest open leads (1)
  ana: at capacity: 2 open leads, capacity 2
>>> result.ledger.load("ben")
2
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, Protocol, TypeVar, overload

import attrs

from salesflow import _check, _zones
from salesflow.errors import InvalidField, InvalidType
from salesflow.routing.models import Role
from salesflow.routing.people import Person, Team

__all__ = [
    "LEDGER_SCHEMA",
    "Assignment",
    "Decision",
    "Decisions",
    "Dispatcher",
    "LeastLoaded",
    "Ledger",
    "Reason",
    "RoleTally",
    "RoundRobin",
    "Rule",
    "Rules",
    "Sticky",
    "Strategy",
    "Tally",
    "Verdict",
    "Weighted",
    "assign",
]

LEDGER_SCHEMA: Final = "salesflow.ledger/1"
_T = TypeVar("_T")


class Verdict(StrEnum):
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
        Verdict.INACTIVE,
        Verdict.AWAY,
        Verdict.OFF_HOURS,
        Verdict.EXCLUDED,
        Verdict.AT_CAPACITY,
        Verdict.NOT_MATCHED,
    }
)


def _to_verdict(value: Any) -> Verdict:
    if type(value) is Verdict:
        return value
    return _check.choice(Verdict, "verdict", value, context="Reason")


def _detail(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not str:
        raise InvalidType("detail", value, "a string", context="Reason")


@attrs.frozen
class Reason:
    """One person's part in a decision: the verdict and the facts behind it."""

    person: str = attrs.field(validator=_check.text_field)
    verdict: Verdict = attrs.field(converter=_to_verdict)
    detail: str = attrs.field(validator=_detail)

    def __str__(self) -> str:
        return f"{self.person}: {self.verdict.value.replace('_', ' ')}: {self.detail}"


# -- strategies --------------------------------------------------------------------


@attrs.frozen
class RoundRobin:
    """Whoever was served least recently, in team order.

    While the same n people stay eligible and nothing is credited back, any run of
    leads gives each of them within one lead of the others. A
    person back from absence, or newly added, takes the next turn and then
    waits like everyone else: neither flooded nor starved. A lead credited
    back (:meth:`Ledger.credit_back`) earns a make-up turn.
    """

    name: str = attrs.field(default="round robin", init=False)


@attrs.frozen
class Weighted:
    """Smooth weighted round robin: each person's share follows their ``weight``.

    Every decision adds each eligible person's weight to their running credit,
    picks the highest credit and takes the eligible weights' total from it
    (the nginx algorithm). People who are not eligible earn no credit, so
    nobody banks a flood while away.
    """

    name: str = attrs.field(default="weighted", init=False)


def _pace(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        _check.whole("pace", value, minimum=1, context="LeastLoaded")


@attrs.frozen
class LeastLoaded:
    """Fewest open leads first (ties: served least recently, then team order).

    ``pace`` keeps a person with few open leads (back from absence, newly
    added) from being flooded: after a lead, a person waits ``ceil(n / pace)``
    of the role's turns (n = the role's active people) before the next one,
    while someone else is eligible, so nobody takes more than about ``pace``
    times their fair share. None turns pacing off.
    """

    pace: int | None = attrs.field(default=2, validator=_pace)
    name: str = attrs.field(default="least loaded", init=False)


Rank = RoundRobin | Weighted | LeastLoaded


def _to_rank(value: Any) -> Rank:
    if not isinstance(value, RoundRobin | Weighted | LeastLoaded):
        raise InvalidType("then", value, "RoundRobin(), Weighted() or LeastLoaded()")
    return value


@attrs.frozen
class Sticky:
    """The account's existing owner first, when eligible; otherwise ``then``."""

    then: Rank = attrs.field(factory=RoundRobin, converter=_to_rank)

    @property
    def name(self) -> str:
        return f"account owner first, then {self.then.name}"


Inner = Rank | Sticky


def _to_inner(value: Any) -> Inner:
    if isinstance(value, Sticky):
        return value
    return _to_rank(value)


def _to_match(value: Any) -> Mapping[str, frozenset[str]]:
    if not isinstance(value, Mapping):
        raise InvalidType("when", value, "a mapping of lead attribute to accepted values")
    match: dict[str, frozenset[str]] = {}
    for key, accepted in value.items():
        name = _check.text("when", key)
        values = (accepted,) if isinstance(accepted, str) else accepted
        if not isinstance(values, Iterable):
            raise InvalidType(f"when[{name!r}]", accepted, "a string or a set of strings")
        match[name] = frozenset(_check.text(f"when[{name!r}]", v) for v in values)
        if not match[name]:
            raise InvalidField(f"when[{name!r}]", accepted, "at least one accepted value")
    return MappingProxyType(match)


def _to_tag_set(value: Any) -> frozenset[str]:
    values = (value,) if isinstance(value, str) else value
    if not isinstance(values, Iterable):
        raise InvalidType("tags", value, "a tag or a set of tags")
    return frozenset(_check.text("tags", tag) for tag in values)


@attrs.frozen
class Rule:
    """When a lead's attributes match ``when``, only people carrying all ``tags`` are
    considered, ranked by ``then``. An empty ``when`` matches every lead (a catch-all).

    ``when`` maps an attribute name to the accepted value or values, e.g.
    ``{"country": {"DE", "AT"}, "segment": "enterprise"}``.
    """

    name: str = attrs.field(validator=_check.text_field)
    when: Mapping[str, frozenset[str]] = attrs.field(factory=dict, converter=_to_match)
    tags: frozenset[str] = attrs.field(factory=frozenset, converter=_to_tag_set)
    then: Inner = attrs.field(factory=RoundRobin, converter=_to_inner)

    @property
    def catch_all(self) -> bool:
        return not self.when

    def matches(self, attributes: Mapping[str, str]) -> bool:
        """Whether a lead with ``attributes`` (a mapping of name to value) meets ``when``."""
        if not isinstance(attributes, Mapping):
            raise InvalidType("attributes", attributes, "a mapping of attribute name to value")
        for key, accepted in self.when.items():
            value = attributes.get(key)
            if value is not None and type(value) is not str:
                raise InvalidType(f"attributes[{key!r}]", value, "a string (or no value)")
            if value not in accepted:
                return False
        return True


def _to_rules(value: Any) -> tuple[Rule, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidType("rules", value, "a sequence of Rule values")
    rules = tuple(value)
    for index, rule in enumerate(rules):  # every item's type first: the checks below read them
        if not isinstance(rule, Rule):
            raise InvalidType(f"rules[{index}]", rule, "a Rule")
    names: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.name in names:
            raise InvalidField(f"rules[{index}].name", rule.name, "a rule name not used before")
        names.add(rule.name)
        if rule.catch_all and index != len(rules) - 1:
            raise InvalidField(
                f"rules[{index + 1}]",
                rules[index + 1].name,
                f"nothing after the catch-all {rule.name!r}: it could never match",
            )
    if not rules or not rules[-1].catch_all:
        raise InvalidField(
            "rules",
            [rule.name for rule in rules],
            "a catch-all rule last (a Rule with an empty `when`), so no lead falls through",
        )
    return rules


@attrs.frozen
class Rules:
    """Ordered rules: the first whose ``when`` matches the lead decides (a catch-all is required)."""

    rules: tuple[Rule, ...] = attrs.field(converter=_to_rules)

    @property
    def name(self) -> str:
        return "rules"

    def match(self, attributes: Mapping[str, str]) -> Rule:
        """The first rule whose ``when`` matches ``attributes``."""
        if not isinstance(attributes, Mapping):
            raise InvalidType("attributes", attributes, "a mapping of attribute name to value")
        for rule in self.rules:
            if rule.matches(attributes):
                return rule
        raise AssertionError("unreachable: the last rule is a catch-all")  # pragma: no cover


Strategy = Inner | Rules
"""Any assignment strategy: a ranking, :class:`Sticky` around one, or :class:`Rules`."""


def _check_strategy(value: Any) -> Strategy:
    if isinstance(value, Rules):
        return value
    try:
        return _to_inner(value)
    except InvalidType:
        raise InvalidType(
            "strategy", value, "RoundRobin(), Weighted(), LeastLoaded(), Sticky(...) or Rules(...)"
        ) from None


# -- the ledger ---------------------------------------------------------------------


def _count(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)


def _turn(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=-1, context=type(instance).__name__)


def _integer(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not int:
        raise InvalidType(attribute.name, value, "a whole number", context=type(instance).__name__)


@attrs.frozen
class Tally:
    """What one person holds and has been given."""

    load: int = attrs.field(default=0, validator=_count)
    """Open leads now (released when a lead closes or moves on)."""
    assigned: int = attrs.field(default=0, validator=_count)
    """Leads given so far, less those credited back."""
    last_turn: int = attrs.field(default=-1, validator=_turn)
    """The role's turn number when last given a lead (-1: never)."""
    credit: int = attrs.field(default=0, validator=_integer)
    """Weighted round robin's running credit."""
    owed: int = attrs.field(default=0, validator=_count)
    """Leads credited back and not yet made up."""


_ZERO_TALLY: Final = Tally()


@attrs.frozen
class RoleTally:
    """A role's turn counter: how many leads the role has been given."""

    turns: int = attrs.field(default=0, validator=_count)


_ZERO_ROLE: Final = RoleTally()


def _to_tallies(value: Any) -> Mapping[str, Tally]:
    if not isinstance(value, Mapping):
        raise InvalidType("people", value, "a mapping of person id to Tally")
    for person, tally in value.items():
        _check.text("people", person)
        if not isinstance(tally, Tally):
            raise InvalidType(f"people[{person!r}]", tally, "a Tally")
    # Zero tallies are left out: a person the ledger does not know has one.
    return MappingProxyType({p: t for p, t in value.items() if t != _ZERO_TALLY})


def _to_role_tallies(value: Any) -> Mapping[Role, RoleTally]:
    if not isinstance(value, Mapping):
        raise InvalidType("roles", value, "a mapping of Role to RoleTally")
    roles: dict[Role, RoleTally] = {}
    for role, tally in value.items():
        key = _check.choice(Role, "roles", role)
        if not isinstance(tally, RoleTally):
            raise InvalidType(f"roles[{key.value!r}]", tally, "a RoleTally")
        roles[key] = tally
    return MappingProxyType(roles)


@attrs.frozen
class Ledger:
    """Who holds how many open leads and whose turn it is: the state the host stores.

    Immutable; every change returns a new ledger. A person unknown to the
    ledger has a zero tally, so adding someone to the team needs no change
    here, and removing someone resets nobody else's counts.
    """

    people: Mapping[str, Tally] = attrs.field(factory=dict, converter=_to_tallies)
    roles: Mapping[Role, RoleTally] = attrs.field(factory=dict, converter=_to_role_tallies)

    def tally(self, person: str) -> Tally:
        """What ``person`` (a person id) holds and has been given (zero when unknown)."""
        if type(person) is not str:
            _check.text("person", person)
        return self.people.get(person, _ZERO_TALLY)

    def load(self, person: str) -> int:
        """Open leads ``person`` holds now."""
        return self.tally(person).load

    def assigned(self, person: str) -> int:
        """Leads given to ``person`` so far, less those credited back."""
        return self.tally(person).assigned

    def role(self, role: Role | str) -> RoleTally:
        return self.roles.get(_check.choice(Role, "role", role), _ZERO_ROLE)

    def _evolve(self, person: str, **changes: int) -> Ledger:
        _check.text("person", person)
        tallies = dict(self.people)
        tallies[person] = attrs.evolve(self.tally(person), **changes)
        return Ledger(tallies, self.roles)

    def with_load(self, person: str, load: int) -> Ledger:
        """``person`` holds ``load`` open leads (to start from the host's own counts)."""
        return self._evolve(person, load=load)

    def release(self, person: str) -> Ledger:
        """One of ``person``'s leads closed or moved on: one open lead fewer."""
        tally = self.tally(person)
        if tally.load < 1:
            raise InvalidField("person", person, "someone holding an open lead to release")
        return self._evolve(person, load=tally.load - 1)

    def credit_back(self, person: str) -> Ledger:
        """A lead that should not count (disqualified, a no-show): released, not counted
        as given, and owed a make-up turn under round robin and weighted assignment."""
        tally = self.tally(person)
        if tally.load < 1 or tally.assigned < 1:
            raise InvalidField("person", person, "someone holding a lead given by assignment")
        return self._evolve(
            person, load=tally.load - 1, assigned=tally.assigned - 1, owed=tally.owed + 1
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives."""
        return {
            "schema": LEDGER_SCHEMA,
            "people": {person: attrs.asdict(tally) for person, tally in self.people.items()},
            "roles": {role.value: {"turns": tally.turns} for role, tally in self.roles.items()},
        }

    @classmethod
    def from_dict(cls, document: Any) -> Ledger:
        """Rebuild from :meth:`to_dict`; malformed input raises naming the path."""
        doc = _check.mapping("document", document)
        _check.only_keys("document", doc, _LEDGER_KEYS)
        if doc.get("schema") != LEDGER_SCHEMA:
            raise InvalidField("schema", doc.get("schema"), repr(LEDGER_SCHEMA))
        people = _check.mapping("people", _check.key("", doc, "people"))
        roles = _check.mapping("roles", _check.key("", doc, "roles"))
        tallies = {
            person: _read(Tally, f"people[{person!r}]", raw) for person, raw in people.items()
        }
        role_tallies = {
            role: _read(RoleTally, f"roles[{role!r}]", raw) for role, raw in roles.items()
        }
        ledger = cls(tallies, role_tallies)
        _check.same_document("", doc, ledger.to_dict(), why="as Ledger.to_dict writes it")
        return ledger


_LEDGER_KEYS: Final = frozenset({"schema", "people", "roles"})


def _read(kind: Callable[..., _T], path: str, raw: Any) -> _T:
    """A Tally or RoleTally from its document; errors name the path (``people['ana'].load``)."""
    fields = _check.mapping(path, raw)
    known: Any = kind
    _check.only_keys(path, fields, {field.name for field in attrs.fields(known)})
    try:
        return kind(**fields)
    except InvalidField as err:
        raise type(err)(f"{path}.{err.field}", err.value, err.expected) from None
    except TypeError:  # a key missing or one too many
        raise InvalidField(path, sorted(fields), f"the keys of a {kind.__name__}") from None


# -- decisions ----------------------------------------------------------------------


class Decision:
    """Who gets a lead, or the queue it waits in; explains itself when asked.

    ``reasons`` says, for the picked person and every other person of the
    role, why (away, off hours, at capacity, not their turn, lower weight,
    more loaded...). It is worked out when first read, from the state the
    decision was made in, so bulk assignment does not pay for it.

    Decisions come from :func:`assign` and :class:`Dispatcher`; one cannot be
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
        if not isinstance(source, _Explainer | Dispatcher):
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
        self._source = source
        self._position = position
        self._reasons: tuple[Reason, ...] | None = None

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
    def reasons(self) -> tuple[Reason, ...]:
        """The picked person first, then everyone else of the role in team order."""
        if self._reasons is None:
            self._reasons = self._source.explain(self)
        return self._reasons

    def why_not(self, person: str) -> Reason:
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
    ledger: Ledger


# -- the working state, shared by assign() and the Dispatcher -------------------------


def _counts(tally: Tally) -> list[int]:
    return [tally.load, tally.assigned, tally.last_turn, tally.credit, tally.owed]


class _Work:
    """A mutable copy of a ledger: tallies as lists [load, assigned, last_turn, credit, owed]."""

    __slots__ = ("tallies", "turns")

    def __init__(self, ledger: Ledger) -> None:
        self.tallies: dict[str, list[int]] = {
            p: [t.load, t.assigned, t.last_turn, t.credit, t.owed] for p, t in ledger.people.items()
        }
        self.turns: dict[Role, int] = {role: t.turns for role, t in ledger.roles.items()}

    def copy(self) -> _Work:
        clone = _Work.__new__(_Work)
        clone.tallies = {p: list(t) for p, t in self.tallies.items()}
        clone.turns = dict(self.turns)
        return clone

    def tally(self, person: str) -> list[int]:
        tally = self.tallies.get(person)
        if tally is None:
            tally = self.tallies[person] = [0, 0, -1, 0, 0]
        return tally

    def ledger(self, base: Ledger | None = None) -> Ledger:
        """The state as a Ledger; tallies unchanged since ``base`` are reused as they are."""
        known = base.people if base is not None else {}
        people: dict[str, Tally] = {}
        for person, counts in self.tallies.items():
            tally = known.get(person)
            if tally is None or _counts(tally) != counts:
                tally = Tally(*counts)
            if tally != _ZERO_TALLY:
                people[person] = tally
        roles = {role: RoleTally(turns) for role, turns in self.turns.items()}
        # Every tally is checked already (built here or taken from a checked ledger).
        ledger: Ledger = object.__new__(Ledger)
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


def _blocker(
    person: Person, tally: list[int] | None, at: datetime, exclude: frozenset[str]
) -> Reason | None:
    """Why ``person`` is not eligible at ``at``, or None (the filter step)."""
    if not person.active:
        return Reason(person.id, Verdict.INACTIVE, "not active")
    absence = person.away_at(at)
    if absence is not None:
        until = absence.end.isoformat()
        return Reason(person.id, Verdict.AWAY, f"{absence.reason} until {until}")
    if not person.hours.is_working(at):
        return Reason(person.id, Verdict.OFF_HOURS, "outside their working hours")
    if person.id in exclude:
        return Reason(person.id, Verdict.EXCLUDED, "already had this lead")
    load = tally[0] if tally is not None else 0
    if person.capacity is not None and load >= person.capacity:
        return Reason(
            person.id, Verdict.AT_CAPACITY, f"{load} open leads, capacity {person.capacity}"
        )
    return None


class _Request:
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
        if isinstance(exclude, str) or not isinstance(exclude, Iterable):
            raise InvalidType("exclude", exclude, "a set of person ids")
        exclude = frozenset(_check.text("exclude", person) for person in exclude) or _NO_ONE
        self.exclude: frozenset[str] = exclude


_NO_ATTRIBUTES: Final[Mapping[str, str]] = MappingProxyType({})
_NO_ONE: Final[frozenset[str]] = frozenset()


class _Choice:
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


def _resolve(strategy: Strategy, request: _Request) -> tuple[Rule | None, Inner]:
    if isinstance(strategy, Rules):
        rule = strategy.match(request.attributes)
        return rule, rule.then
    return None, strategy


def _gap(team: Team, role: Role, pace: int | None) -> int:
    """Turns of the role a person waits after a lead under pacing (0: no pacing)."""
    if pace is None:
        return 0
    active = sum(1 for person in team.people if person.role is role and person.active)
    return -(-active // pace)


def _paced(tally: list[int], turns: int, gap: int) -> bool:
    # A last turn at or past the role's count was taken in another role (the person
    # moved, or the host built the ledger): it says nothing about this role's turns.
    return tally[2] >= 0 and 0 < turns - tally[2] < gap


def _served(tally: list[int], turns: int) -> int:
    """The role turn ``tally`` was last served at, -1 for never (or only in another role)."""
    return tally[2] if tally[2] < turns else -1


def _choose(work: _Work, team: Team, strategy: Strategy, request: _Request) -> _Choice:
    """Filter, rank and pick on ``work`` without changing it (the definition; O(people))."""
    choice = _Choice()
    rule, inner = _resolve(strategy, request)
    choice.rule = rule
    at, exclude, tallies = request.at, request.exclude, work.tallies
    candidates = choice.candidates
    for person in team.people:
        if person.role is not request.role:
            continue
        if rule is not None and not rule.tags <= person.tags:
            continue
        if _blocker(person, tallies.get(person.id), at, exclude) is None:
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
    zero = _ZERO_LIST
    turns = work.turns.get(request.role, 0)
    if not isinstance(rank, LeastLoaded):
        owed = [p for p in candidates if tallies.get(p.id, zero)[4] > 0]
        if owed:
            first = min(owed, key=lambda p: _served(tallies[p.id], turns))
            choice.person, choice.served_owed = first.id, True
            return choice
    if isinstance(rank, RoundRobin):
        choice.person = min(candidates, key=lambda p: _served(tallies.get(p.id, zero), turns)).id
    elif isinstance(rank, Weighted):
        best = max(
            enumerate(candidates),
            key=lambda item: (tallies.get(item[1].id, zero)[3] + item[1].weight, -item[0]),
        )
        choice.person = best[1].id
    else:
        choice.person = _least_loaded(work, rank, request.role, team, candidates)
    return choice


_ZERO_LIST: Final = [0, 0, -1, 0, 0]


def _least_loaded(
    work: _Work, rank: LeastLoaded, role: Role, team: Team, candidates: list[Person]
) -> str:
    tallies = work.tallies
    zero = _ZERO_LIST
    ordered = sorted(
        candidates,
        key=lambda p: (tallies.get(p.id, zero)[0], tallies.get(p.id, zero)[2]),
    )
    gap = _gap(team, role, rank.pace)
    turns = work.turns.get(role, 0)
    for person in ordered:
        if not _paced(tallies.get(person.id, zero), turns, gap):
            return person.id
    return ordered[0].id


def _apply(work: _Work, team: Team, request: _Request, choice: _Choice) -> None:
    if choice.person is None:
        return
    if isinstance(choice.rank, Weighted) and not choice.sticky and not choice.served_owed:
        total = 0
        for person in choice.candidates:
            work.tally(person.id)[3] += person.weight
            total += person.weight
        work.tally(choice.person)[3] -= total
    work.give(request.role, choice.person, choice.served_owed)


def _explain(
    work: _Work, team: Team, strategy: Strategy, request: _Request, choice: _Choice
) -> tuple[Reason, ...]:
    """Every person of the role and why they were or were not picked, from the state before."""
    rule, inner = choice.rule, _resolve(strategy, request)[1]
    rank = inner.then if isinstance(inner, Sticky) else inner
    tallies, zero = work.tallies, _ZERO_LIST
    picked = choice.person
    picked_tally = tallies.get(picked, zero) if picked is not None else zero
    candidate_ids = {person.id for person in choice.candidates}
    pacing = (
        work.turns.get(request.role, 0),
        _gap(team, request.role, getattr(rank, "pace", None)),
    )
    first: list[Reason] = []
    others: list[Reason] = []
    for person in team.people:
        if person.role is not request.role:
            continue
        tally = tallies.get(person.id, zero)
        if person.id == picked:
            detail = _picked_detail(choice, rank, tally, pacing[0])
            first.append(Reason(person.id, Verdict.PICKED, detail))
            continue
        if rule is not None and not rule.tags <= person.tags:
            tags = ", ".join(sorted(rule.tags - person.tags))
            others.append(
                Reason(person.id, Verdict.NOT_MATCHED, f"rule {rule.name!r} needs tags: {tags}")
            )
            continue
        blocker = _blocker(person, tally, request.at, request.exclude)
        if blocker is not None or person.id not in candidate_ids:
            assert blocker is not None
            others.append(blocker)
            continue
        others.append(_loser(person, tally, picked_tally, choice, rank, pacing, picked))
    return (*first, *others)


def _picked_detail(choice: _Choice, rank: Rank | None, tally: list[int], turns: int) -> str:
    if choice.sticky:
        return "the account's existing owner"
    if choice.served_owed:
        return "owed a make-up turn for a lead credited back"
    if isinstance(rank, RoundRobin):
        return "served least recently" if _served(tally, turns) >= 0 else "not served yet"
    if isinstance(rank, Weighted):
        return "highest weighted credit"
    return f"fewest open leads ({tally[0]})"


def _loser(
    person: Person,
    tally: list[int],
    picked_tally: list[int],
    choice: _Choice,
    rank: Rank | None,
    pacing: tuple[int, int],
    picked: str | None,
) -> Reason:
    pid = person.id
    if choice.sticky:
        return Reason(pid, Verdict.NOT_ACCOUNT_OWNER, f"the account belongs to {picked}")
    if choice.served_owed:
        return Reason(pid, Verdict.NOT_THEIR_TURN, f"{picked} was owed a make-up turn")
    turns, gap = pacing
    if isinstance(rank, RoundRobin):
        if _served(tally, turns) < 0:  # a tie: neither was served in this role yet
            return Reason(pid, Verdict.NOT_THEIR_TURN, f"not served yet either; {picked} is first")
        return Reason(pid, Verdict.NOT_THEIR_TURN, f"served more recently than {picked}")
    if isinstance(rank, Weighted):
        return Reason(
            pid,
            Verdict.LOWER_WEIGHT,
            f"credit {tally[3]} + weight {person.weight} is not above {picked}'s",
        )
    assert isinstance(rank, LeastLoaded)
    if _paced(tally, turns, gap):
        return Reason(
            pid,
            Verdict.PACED,
            f"had a lead {_turns(turns - tally[2])} ago; waits {_turns(gap)} (pace {rank.pace})",
        )
    if tally[0] > picked_tally[0]:
        return Reason(
            pid, Verdict.MORE_LOADED, f"{tally[0]} open leads, {picked} had {picked_tally[0]}"
        )
    if tally[2] == picked_tally[2]:  # a tie: neither was served yet
        return Reason(pid, Verdict.NOT_THEIR_TURN, f"as loaded as {picked}, who is first")
    return Reason(pid, Verdict.NOT_THEIR_TURN, f"as loaded as {picked}, served more recently")


class _Source(Protocol):
    """Where a decision's details and reasons come from (its maker)."""

    strategy: Strategy

    def details(self, decision: Decision) -> tuple[_Request, _Choice]: ...

    def explain(self, decision: Decision) -> tuple[Reason, ...]: ...


def _turns(count: int) -> str:
    return f"{count} turn" if count == 1 else f"{count} turns"


class _Explainer:
    """The maker of a decision made by :func:`assign`: it keeps the state before."""

    __slots__ = ("choice", "request", "strategy", "team", "work")

    def __init__(
        self, work: _Work, team: Team, strategy: Strategy, request: _Request, choice: _Choice
    ) -> None:
        self.work, self.team, self.strategy = work, team, strategy
        self.request, self.choice = request, choice

    def details(self, decision: Decision) -> tuple[_Request, _Choice]:
        return self.request, self.choice

    def explain(self, decision: Decision) -> tuple[Reason, ...]:
        return _explain(self.work, self.team, self.strategy, self.request, self.choice)


def assign(
    lead_id: str,
    role: Role | str,
    *,
    at: datetime,
    team: Team,
    ledger: Ledger,
    strategy: Strategy,
    account_owner: str | None = None,
    attributes: Mapping[str, str] | None = None,
    exclude: Iterable[str] = (),
) -> Assignment:
    """Decide who of ``role`` gets ``lead_id`` at ``at``; the pure function.

    ``account_owner`` is the account's existing owner (for :class:`Sticky`),
    ``attributes`` what :class:`Rules` match on, ``exclude`` people who must
    not get it (those who already let it lapse). Returns the decision and the
    ledger after it; nothing is changed in place.
    """
    if not isinstance(team, Team):
        raise InvalidType("team", team, "a Team")
    if not isinstance(ledger, Ledger):
        raise InvalidType("ledger", ledger, "a Ledger")
    strategy = _check_strategy(strategy)
    request = _Request(lead_id, role, at, account_owner, attributes, exclude)
    before = _Work(ledger)
    choice = _choose(before, team, strategy, request)
    after = before.copy()
    _apply(after, team, request, choice)
    explainer = _Explainer(before, team, strategy, request, choice)
    decision = Decision(request.lead_id, request.role, request.at, choice.person, explainer, 0)
    return Assignment(decision, after.ledger(ledger))


# -- the Dispatcher: the same decisions, in bulk ---------------------------------------

_CHECKPOINT_EVERY: Final = 512
_NO_LIMIT: Final = 1 << 62
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_NEVER: Final = (_EPOCH, _EPOCH, False)  # an empty window: look the hours up
_Entry = tuple[int, int, int, str]  # (load, last turn, team index, person id): a heap entry
_Gate = tuple[bool, int, bool, datetime, datetime, bool, Person]


class Dispatcher:
    """Keeps a ledger in memory and assigns in bulk, with the same decisions as :func:`assign`.

    Made for simulations, imports and batch jobs: the least-loaded strategy
    keeps a heap instead of scanning everyone, eligibility is cached per
    person while their working hours stay the same, and a decision's reasons
    are rebuilt only when read (from a checkpoint of the state and the log of
    changes since). The log grows with every decision, so use one dispatcher
    per batch; a backend answering one request at a time calls :func:`assign`.

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

    def __init__(self, team: Team, strategy: Strategy, ledger: Ledger | None = None) -> None:
        if not isinstance(team, Team):
            raise InvalidType("team", team, "a Team")
        if ledger is not None and not isinstance(ledger, Ledger):
            raise InvalidType("ledger", ledger, "a Ledger or None")
        self.strategy: Strategy = _check_strategy(strategy)
        self._fast = type(self.strategy) is LeastLoaded
        self._work = _Work(ledger if ledger is not None else Ledger())
        # The log: one entry per decision, release, credit or team change, and the
        # person each decision picked (None otherwise) at the same position.
        self._log: list[tuple[Any, ...]] = []
        self._picks: list[str | None] = []
        self._slow: dict[int, tuple[_Request, _Choice]] = {}
        self._set_team(team)
        self._checkpoints: list[tuple[int, _Work, Team]] = [(0, self._work.copy(), team)]

    # -- the team and the ledger --------------------------------------------------

    @property
    def team(self) -> Team:
        return self._team

    @property
    def ledger(self) -> Ledger:
        """The current state, as a value the host can store."""
        return self._work.ledger()

    def replace_team(self, team: Team) -> None:
        """People join, leave or change (hours, absences, capacity); counts are kept."""
        if not isinstance(team, Team):
            raise InvalidType("team", team, "a Team")
        self._log.append(("team", team))
        self._picks.append(None)
        self._set_team(team)

    def _set_team(self, team: Team) -> None:
        self._team = team
        pace = getattr(self.strategy, "pace", None)
        self._gaps = {role: _gap(team, role, pace) for role in Role}
        self._heaps: dict[Role, list[_Entry]] = {}
        self._index = {person.id: i for i, person in enumerate(team.people)}
        # Per team index: the tally list itself, and a gate: what never changes (active,
        # capacity, has absences) and a working-hours window (since, until, working)
        # whose answer holds while `at` stays inside it.
        self._tallies = [self._work.tally(person.id) for person in team.people]
        self._gates: list[_Gate] = [
            (person.active, person.capacity or _NO_LIMIT, bool(person.absences), *_NEVER, person)
            for person in team.people
        ]

    def release(self, person: str) -> None:
        """One of ``person``'s leads closed or moved on."""
        _check.text("person", person)
        if self._work.tallies.get(person, _ZERO_LIST)[0] < 1:
            raise InvalidField("person", person, "someone holding an open lead to release")
        self._log.append(("release", person))
        self._picks.append(None)
        self._work.release(person)
        self._touch(person)

    def credit_back(self, person: str) -> None:
        """A lead that should not count (disqualified, a no-show); see :meth:`Ledger.credit_back`."""
        _check.text("person", person)
        tally = self._work.tallies.get(person, _ZERO_LIST)
        if tally[0] < 1 or tally[1] < 1:
            raise InvalidField("person", person, "someone holding a lead given by assignment")
        self._log.append(("credit", person))
        self._picks.append(None)
        self._work.credit_back(person)
        self._touch(person)

    def _touch(self, person_id: str) -> None:
        index = self._index.get(person_id)
        if index is None:
            return
        heap = self._heaps.get(self._team.people[index].role)
        if heap is not None:
            tally = self._work.tallies[person_id]
            heapq.heappush(heap, (tally[0], tally[2], index, person_id))

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
        """The same decision :func:`assign` makes on the current ledger; the ledger moves on.

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
            self._checkpoints.append((position, self._work.copy(), self._team))
        if (
            self._fast
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
            # The hot path: least loaded on already-valid arguments (the account
            # owner and attributes play no part in least loaded, but are checked alike).
            person = self._least_loaded(role, at)
        else:
            request = _Request(lead_id, role, at, account_owner, attributes, exclude)
            lead_id, role, at = request.lead_id, request.role, request.at
            choice = _choose(self._work, self._team, self.strategy, request)
            _apply(self._work, self._team, request, choice)
            person = choice.person
            if person is not None:
                self._touch(person)
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
        sequence whose :class:`Decision` values are made when read.
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
        fast = self._fast
        least_loaded = self._least_loaded
        heaps, tallies, gates = self._heaps, self._tallies, self._gates
        turns, gaps = self._work.turns, self._gaps
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
                checkpoints.append((len(log), self._work.copy(), self._team))
                next_checkpoint = len(log) + _CHECKPOINT_EVERY
            # The top-of-heap case of _least_loaded, inlined for speed (the agreement
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
        self._work = work
        self._set_team(team)

    def _least_loaded(self, role: Role, at: datetime) -> str | None:
        heap = self._heaps.get(role)
        if heap is None:
            heap = self._build_heap(role)
        if heap:
            load, turn, index, pid = heap[0]
            tally = self._tallies[index]
            turns = self._work.turns
            now = turns.get(role, 0)
            active, capacity, away, since, until, working, _person = self._gates[index]
            if (
                tally[0] == load
                and tally[2] == turn
                and (turn < 0 or now - turn >= self._gaps[role] or now <= turn)
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
        return self._least_loaded_search(role, at, heap)

    def _least_loaded_search(self, role: Role, at: datetime, heap: list[_Entry]) -> str | None:
        held: list[_Entry] = []
        first_eligible: _Entry | None = None
        chosen: _Entry | None = None
        now, gap = self._work.turns.get(role, 0), self._gaps[role]
        while heap:
            entry = heapq.heappop(heap)
            load, turn, index, _pid = entry
            tally = self._tallies[index]
            if tally[0] != load or tally[2] != turn:
                continue  # stale: the person's load or turn changed since it was pushed
            held.append(entry)
            if not self._eligible(index, load, at):
                continue
            if first_eligible is None:
                first_eligible = entry
            if not _paced(tally, now, gap):
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
        self._work.give(role, pid, False)
        tally = self._tallies[index]
        heapq.heappush(heap, (tally[0], tally[2], index, pid))
        if len(heap) > 4 * len(self._team.people) + 64:
            self._build_heap(role)
        return pid

    def _build_heap(self, role: Role) -> list[_Entry]:
        tallies = self._work.tallies
        heap = []
        for index, person in enumerate(self._team.people):
            if person.role is role:
                tally = tallies.get(person.id, _ZERO_LIST)
                heap.append((tally[0], tally[2], index, person.id))
        heapq.heapify(heap)
        self._heaps[role] = heap
        return heap

    def _eligible(self, index: int, load: int, at: datetime) -> bool:
        """:func:`_blocker` finds nothing (the fast path has no exclusions)."""
        active, capacity, away, since, until, working, person = self._gates[index]
        if not active or load >= capacity:
            return False
        if away and person.away_at(at) is not None:
            return False
        if not since <= at < until:
            working, until = person.hours.window(at)
            self._gates[index] = (active, capacity, away, at, until, working, person)
        return working

    # -- explaining, later ----------------------------------------------------------------

    def details(self, decision: Decision) -> tuple[_Request, _Choice]:
        if not isinstance(decision, Decision) or decision._source is not self:
            raise InvalidType("decision", decision, "a Decision this dispatcher made")
        position = decision._position
        slow = self._slow.get(position)
        if slow is not None:
            return slow
        request = _Request(decision.lead_id, decision.role, decision.at, None, None, ())
        choice = _Choice()
        choice.rank = self.strategy  # type: ignore[assignment]
        choice.person = decision.person
        return request, choice

    def explain(self, decision: Decision) -> tuple[Reason, ...]:
        """Why ``decision`` (one this dispatcher made) went as it did (see :attr:`Decision.reasons`)."""
        if not isinstance(decision, Decision) or decision._source is not self:
            raise InvalidType("decision", decision, "a Decision this dispatcher made")
        work, team = self._state_before(decision._position)
        request, choice = self.details(decision)
        full = _choose(work, team, self.strategy, request)
        if full.person != choice.person:  # pragma: no cover - the agreement tests guard this
            raise AssertionError(f"the dispatcher disagrees with assign() on {decision!r}")
        return _explain(work, team, self.strategy, request, full)

    def _decision(self, position: int) -> Decision:
        lead_id, role, at = self._log[position]
        return Decision(lead_id, role, at, self._picks[position], self, position)

    def _state_before(self, position: int) -> tuple[_Work, Team]:
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
                    _apply(work, team, request, choice)
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
