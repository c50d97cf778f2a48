"""The assignment ledger: the state the strategies need (open leads, turns, credits).

The host stores it (``to_dict`` / ``from_dict``, schema :data:`SCHEMA`) between calls
of :func:`~salesflow.routing.assign`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Final, TypeVar

import attrs

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.routing.models import Role

__all__ = ["SCHEMA", "AssignmentLedger", "LedgerEntry", "RoleTurns"]

SCHEMA: Final = "salesflow.ledger/1"
"""The ``schema`` of :meth:`AssignmentLedger.to_dict` documents."""

_T = TypeVar("_T")


def _count(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)


def _turn(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=-1, context=type(instance).__name__)


def _integer(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not int:
        raise InvalidType(attribute.name, value, "a whole number", context=type(instance).__name__)


@attrs.frozen
class LedgerEntry:
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


ZERO_ENTRY: Final = LedgerEntry()


@attrs.frozen
class RoleTurns:
    """A role's turn counter: how many leads the role has been given."""

    turns: int = attrs.field(default=0, validator=_count)


_ZERO_ROLE: Final = RoleTurns()


def _to_tallies(value: Any) -> Mapping[str, LedgerEntry]:
    if not isinstance(value, Mapping):
        raise InvalidType("people", value, "a mapping of person id to LedgerEntry")
    for person, tally in value.items():
        _check.text("people", person)
        if not isinstance(tally, LedgerEntry):
            raise InvalidType(f"people[{person!r}]", tally, "a LedgerEntry")
    # Zero tallies are left out: a person the ledger does not know has one.
    return MappingProxyType({p: t for p, t in value.items() if t != ZERO_ENTRY})


def _to_role_tallies(value: Any) -> Mapping[Role, RoleTurns]:
    if not isinstance(value, Mapping):
        raise InvalidType("roles", value, "a mapping of Role to RoleTurns")
    roles: dict[Role, RoleTurns] = {}
    for role, tally in value.items():
        key = _check.choice(Role, "roles", role)
        if not isinstance(tally, RoleTurns):
            raise InvalidType(f"roles[{key.value!r}]", tally, "a RoleTurns")
        roles[key] = tally
    return MappingProxyType(roles)


@attrs.frozen
class AssignmentLedger:
    """Who holds how many open leads and whose turn it is: the state the host stores.

    Immutable; every change returns a new ledger. A person unknown to the
    ledger has a zero tally, so adding someone to the team needs no change
    here, and removing someone resets nobody else's counts.
    """

    SCHEMA: ClassVar[str] = SCHEMA
    """The ``schema`` its documents carry."""

    people: Mapping[str, LedgerEntry] = attrs.field(factory=dict, converter=_to_tallies)
    roles: Mapping[Role, RoleTurns] = attrs.field(factory=dict, converter=_to_role_tallies)

    def tally(self, person: str) -> LedgerEntry:
        """What ``person`` (a person id) holds and has been given (zero when unknown)."""
        if type(person) is not str:
            _check.text("person", person)
        return self.people.get(person, ZERO_ENTRY)

    def load(self, person: str) -> int:
        """Open leads ``person`` holds now."""
        return self.tally(person).load

    def assigned(self, person: str) -> int:
        """Leads given to ``person`` so far, less those credited back."""
        return self.tally(person).assigned

    def role(self, role: Role | str) -> RoleTurns:
        return self.roles.get(_check.choice(Role, "role", role), _ZERO_ROLE)

    def _evolve(self, person: str, **changes: int) -> AssignmentLedger:
        _check.text("person", person)
        tallies = dict(self.people)
        tallies[person] = attrs.evolve(self.tally(person), **changes)
        return AssignmentLedger(tallies, self.roles)

    def with_load(self, person: str, load: int) -> AssignmentLedger:
        """``person`` holds ``load`` open leads (to start from the host's own counts)."""
        return self._evolve(person, load=load)

    def release(self, person: str) -> AssignmentLedger:
        """One of ``person``'s leads closed or moved on: one open lead fewer."""
        tally = self.tally(person)
        if tally.load < 1:
            raise InvalidField("person", person, "someone holding an open lead to release")
        return self._evolve(person, load=tally.load - 1)

    def credit_back(self, person: str) -> AssignmentLedger:
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
            "schema": SCHEMA,
            "people": {person: attrs.asdict(tally) for person, tally in self.people.items()},
            "roles": {role.value: {"turns": tally.turns} for role, tally in self.roles.items()},
        }

    @classmethod
    def from_dict(cls, document: Any) -> AssignmentLedger:
        """Rebuild from :meth:`to_dict`; malformed input raises naming the path."""
        doc = _check.mapping("document", document)
        _check.only_keys("document", doc, _LEDGER_KEYS)
        if doc.get("schema") != SCHEMA:
            raise InvalidField("schema", doc.get("schema"), repr(SCHEMA))
        people = _check.mapping("people", _check.key("", doc, "people"))
        roles = _check.mapping("roles", _check.key("", doc, "roles"))
        tallies = {
            person: _read(LedgerEntry, f"people[{person!r}]", raw) for person, raw in people.items()
        }
        role_tallies = {
            role: _read(RoleTurns, f"roles[{role!r}]", raw) for role, raw in roles.items()
        }
        ledger = cls(tallies, role_tallies)
        _check.same_document("", doc, ledger.to_dict(), why="as AssignmentLedger.to_dict writes it")
        return ledger


_LEDGER_KEYS: Final = frozenset({"schema", "people", "roles"})


def _read(kind: Callable[..., _T], path: str, raw: Any) -> _T:
    """A LedgerEntry or RoleTurns from its document; errors name the path (``people['ana'].load``)."""
    fields = _check.mapping(path, raw)
    known: Any = kind
    _check.only_keys(path, fields, {field.name for field in attrs.fields(known)})
    try:
        return kind(**fields)
    except InvalidField as err:
        raise type(err)(f"{path}.{err.field}", err.value, err.expected) from None
    except TypeError:  # a key missing or one too many
        raise InvalidField(path, sorted(fields), f"the keys of a {kind.__name__}") from None
