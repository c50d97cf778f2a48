"""The people of a sales department: who works in which role, when, and how much.

A :class:`Person` works in one role, with working hours, absences, a capacity, a
weight and tags; a :class:`Team` is the people in round-robin order.

>>> from salesflow.routing import Person, Role, Team
>>> team = Team([Person("ana", Role.CLOSER), Person("cleo", Role.QUALIFIER)])
>>> [person.id for person in team.in_role(Role.CLOSER)]
['ana']
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

import attrs

from salesflow import _check, _zones
from salesflow.errors import InvalidField, InvalidType
from salesflow.routing.hours import WorkingHours
from salesflow.routing.models import Role

__all__ = ["Absence", "Person", "Team"]


def _to_role(value: Any) -> Role:
    return _check.choice(Role, "role", value)


def _to_tags(value: Any) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidType("tags", value, "a set of tag strings")
    return frozenset(_check.text("tags", tag) for tag in value)


@attrs.frozen
class Absence:
    """Away from ``start`` until ``end`` (half-open); the reason shows in explanations.

    ``start`` and ``end`` are instants: an absence from 02:00 in the second
    run of a repeated hour begins an hour after the first 02:00.
    """

    start: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    end: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    reason: str = attrs.field(default="away", validator=_check.text_field)
    # The span as UTC instants, for comparisons (no part of the value).
    _span: tuple[datetime, datetime] = attrs.field(
        init=False, eq=False, hash=False, repr=False, order=False
    )

    def __attrs_post_init__(self) -> None:
        span = _zones.utc(self.start), _zones.utc(self.end)
        if span[1] <= span[0]:
            raise InvalidField("end", self.end, f"a time after start ({self.start.isoformat()})")
        object.__setattr__(self, "_span", span)

    def covers(self, at: datetime) -> bool:
        """Whether ``at`` (timezone-aware; a naive one is refused) falls inside."""
        _check.aware("at", at)
        start, end = self._span
        return start <= _zones.utc(at) < end


def _to_absences(value: Any) -> tuple[Absence, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidType("absences", value, "a sequence of Absence values")
    absences = tuple(value)
    for index, absence in enumerate(absences):
        if not isinstance(absence, Absence):
            raise InvalidType(f"absences[{index}]", absence, "an Absence")
    return tuple(sorted(absences, key=lambda a: a._span))


def _to_hours(value: Any) -> WorkingHours:
    if value is None:
        return WorkingHours.always()
    if not isinstance(value, WorkingHours):
        raise InvalidType("hours", value, "WorkingHours or None (always working)")
    return value


def _positive(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=1, context=type(instance).__name__)


def _optional_positive(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        _positive(instance, attribute, value)


def _flag(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not bool:
        raise InvalidType(attribute.name, value, "True or False", context=type(instance).__name__)


class _Keep(enum.Enum):
    """The default of :meth:`Person.evolve`'s parameters: keep the field as it is."""

    KEEP = "keep"


_KEEP: Final = _Keep.KEEP


@attrs.frozen
class Person:
    """Someone who can own leads in one role.

    ``capacity`` is the most open leads they hold at once (None: no limit);
    ``weight`` their relative share under weighted assignment; ``hours`` their
    working hours in their own time zone (None: always); ``absences`` the
    spans they are away; ``tags`` what routing rules match (languages, regions,
    segments).
    """

    id: str = attrs.field(validator=_check.text_field)
    role: Role = attrs.field(converter=_to_role)
    active: bool = attrs.field(default=True, kw_only=True, validator=_flag)
    weight: int = attrs.field(default=1, kw_only=True, validator=_positive)
    capacity: int | None = attrs.field(default=None, kw_only=True, validator=_optional_positive)
    hours: WorkingHours = attrs.field(default=None, kw_only=True, converter=_to_hours)
    absences: tuple[Absence, ...] = attrs.field(default=(), kw_only=True, converter=_to_absences)
    tags: frozenset[str] = attrs.field(default=frozenset(), kw_only=True, converter=_to_tags)

    def away_at(self, at: datetime) -> Absence | None:
        """The absence covering ``at`` (timezone-aware; a naive one is refused), if any."""
        _check.aware("at", at)
        for absence in self.absences:
            if absence.covers(at):
                return absence
        return None

    def evolve(
        self,
        *,
        id: str | _Keep = _KEEP,
        role: Role | str | _Keep = _KEEP,
        active: bool | _Keep = _KEEP,
        weight: int | _Keep = _KEEP,
        capacity: int | _Keep | None = _KEEP,
        hours: WorkingHours | _Keep | None = _KEEP,
        absences: Iterable[Absence] | _Keep = _KEEP,
        tags: Iterable[str] | _Keep = _KEEP,
    ) -> Person:
        """A copy with the fields given changed, checked like a new person."""
        given: dict[str, Any] = {
            "id": id,
            "role": role,
            "active": active,
            "weight": weight,
            "capacity": capacity,
            "hours": hours,
            "absences": absences,
            "tags": tags,
        }
        return attrs.evolve(self, **{k: v for k, v in given.items() if v is not _KEEP})


def _to_people(value: Any) -> tuple[Person, ...]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise InvalidType("people", value, "a sequence of Person values")
    people = tuple(value)
    seen: set[str] = set()
    for index, person in enumerate(people):
        if not isinstance(person, Person):
            raise InvalidType(f"people[{index}]", person, "a Person")
        if person.id in seen:
            raise InvalidField(
                f"people[{index}].id", person.id, "a person id not used before in the team"
            )
        seen.add(person.id)
    return people


@attrs.frozen
class Team:
    """The people of a sales department in a fixed order (the round-robin order).

    Adding or removing someone keeps everyone else's order; what they were
    given so far lives in the :class:`~salesflow.routing.AssignmentLedger`, which a
    change of team never resets.
    """

    people: tuple[Person, ...] = attrs.field(converter=_to_people)
    _by_id: Mapping[str, Person] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({p.id: p for p in self.people}))

    def __iter__(self) -> Iterator[Person]:
        return iter(self.people)

    def __len__(self) -> int:
        return len(self.people)

    def __contains__(self, person_id: object) -> bool:
        try:
            return person_id in self._by_id
        except TypeError:  # unhashable: no person has such an id
            return False

    def get(self, person_id: str) -> Person:
        """The person with ``person_id``; raises ``InvalidField`` naming the id."""
        try:
            return self._by_id[person_id]
        except (KeyError, TypeError):
            raise InvalidField("person_id", person_id, "the id of a person in the team") from None

    def in_role(self, role: Role | str) -> tuple[Person, ...]:
        """The people of ``role``, in team order."""
        wanted = _to_role(role)
        return tuple(person for person in self.people if person.role is wanted)

    def with_person(self, person: Person) -> Team:
        """The team with ``person`` added at the end, or replacing the one with the same id."""
        if not isinstance(person, Person):
            raise InvalidType("person", person, "a Person")
        if person.id in self._by_id:
            return Team(tuple(person if p.id == person.id else p for p in self.people))
        return Team((*self.people, person))

    def without(self, person_id: str) -> Team:
        """The team without ``person_id`` (everyone else keeps their place)."""
        self.get(person_id)
        return Team(tuple(p for p in self.people if p.id != person_id))
