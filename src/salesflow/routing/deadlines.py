"""Response deadlines: a lead whose owner has not acted in time goes to the next person.

Deadlines count working time in the owner's own hours; a lapsed lead hops to the
next eligible person of the role, then is escalated (docs/routing.md, "Response
deadlines").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from salesflow import _check, _zones
from salesflow.errors import InvalidField, InvalidType
from salesflow.routing.assignment import Decision, assign
from salesflow.routing.hours import END_OF_TIME, WorkingHours
from salesflow.routing.ledger import AssignmentLedger
from salesflow.routing.models import Role
from salesflow.routing.people import Team
from salesflow.routing.strategies import Strategy, check_strategy

__all__ = ["DeadlineResult", "Reassignment", "WaitingLead", "reassign_overdue"]


def _to_role(value: Any) -> Role:
    return _check.choice(Role, "role", value)


def _to_tried(value: Any) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidType("tried", value, "a set of person ids")
    return frozenset(_check.text("tried", person) for person in value)


def _hops(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole("hops", value, minimum=0, context="WaitingLead")


def _to_attributes(value: Any) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise InvalidType("attributes", value, "a mapping of attribute name to value")
    return dict(value)


@attrs.frozen
class WaitingLead:
    """A lead waiting for its owner's first response since ``since``.

    ``hops`` counts the reassignments so far and ``tried`` the people who
    already let it lapse; ``account_owner`` and ``attributes`` are passed on
    to the strategy as :func:`~salesflow.routing.assign` takes them.
    """

    lead_id: str = attrs.field(validator=_check.text_field)
    role: Role = attrs.field(converter=_to_role)
    person: str = attrs.field(validator=_check.text_field)
    since: datetime = attrs.field(kw_only=True, validator=_check.aware_field, eq=_zones.instant_key)
    hops: int = attrs.field(default=0, kw_only=True, validator=_hops)
    tried: frozenset[str] = attrs.field(default=frozenset(), kw_only=True, converter=_to_tried)
    account_owner: str | None = attrs.field(
        default=None, kw_only=True, validator=_check.optional_text_field
    )
    attributes: Mapping[str, str] = attrs.field(
        factory=dict, kw_only=True, converter=_to_attributes, eq=False
    )


def _hop(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole("hop", value, minimum=1, context="Reassignment")


def _optional_decision(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None and not isinstance(value, Decision):
        raise InvalidType("decision", value, "a Decision or None", context="Reassignment")


def _tuple_of(kind: type, expected: str) -> Callable[[Any, Any, Any], None]:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if type(value) is not tuple or not all(isinstance(item, kind) for item in value):
            raise InvalidType(attribute.name, value, expected, context=type(instance).__name__)

    return check


def _ledger(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, AssignmentLedger):
        raise InvalidType("ledger", value, "an AssignmentLedger", context=type(instance).__name__)


@attrs.frozen
class Reassignment:
    """A lead whose deadline passed: where it went, and why."""

    lead_id: str = attrs.field(validator=_check.text_field)
    from_person: str = attrs.field(validator=_check.text_field)
    due_at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    """When the deadline passed (counted in the owner's working hours)."""
    hop: int = attrs.field(validator=_hop)
    """The how-many-th reassignment this is."""
    decision: Decision | None = attrs.field(validator=_optional_decision)
    """The assignment decision (a queued one, explaining why nobody was left, when
    it was escalated for that), or None when the hop limit was reached."""
    escalated_to: str | None = attrs.field(validator=_check.optional_text_field)
    """The supervisor or queue it was escalated to (the hop limit was reached,
    or nobody eligible was left)."""

    @property
    def to_person(self) -> str | None:
        return self.decision.person if self.decision is not None else None


@attrs.frozen
class DeadlineResult:
    """The reassignments, the leads still waiting (with new owners and times) and the ledger."""

    reassignments: tuple[Reassignment, ...] = attrs.field(
        validator=_tuple_of(Reassignment, "a tuple of Reassignment values")
    )
    waiting: tuple[WaitingLead, ...] = attrs.field(
        validator=_tuple_of(WaitingLead, "a tuple of WaitingLead values")
    )
    ledger: AssignmentLedger = attrs.field(validator=_ledger)


def reassign_overdue(
    waiting: Iterable[WaitingLead],
    *,
    now: datetime,
    deadline: timedelta,
    team: Team,
    ledger: AssignmentLedger,
    strategy: Strategy,
    max_hops: int = 2,
    supervisors: Mapping[Role, str] | None = None,
) -> DeadlineResult:
    """Reassign every waiting lead whose owner let ``deadline`` of working time pass by ``now``.

    Leads are handled in the order their deadlines passed (then by lead id), so
    the result does not depend on the input's order. A lead that has already
    hopped ``max_hops`` times, or for which nobody eligible is left, is
    escalated to ``supervisors[role]`` if given, else to the role's queue.
    Each lapsed owner's lead is released from their load (it still counts as
    given: no make-up turn for a lapse).
    """
    instant = _zones.utc(_check.aware("now", now))
    if not isinstance(deadline, timedelta) or deadline <= timedelta(0):
        raise InvalidField("deadline", deadline, "a positive timedelta of working time")
    _check.whole("max_hops", max_hops, minimum=0)
    if not isinstance(team, Team):
        raise InvalidType("team", team, "a Team")
    if not isinstance(ledger, AssignmentLedger):
        raise InvalidType("ledger", ledger, "an AssignmentLedger")
    strategy = check_strategy(strategy)
    heads = _supervisors(supervisors)
    if isinstance(waiting, str | Mapping) or not isinstance(waiting, Iterable):
        raise InvalidType("waiting", waiting, "an iterable of WaitingLead values")
    leads = list(waiting)
    seen: set[str] = set()
    for index, lead in enumerate(leads):
        if not isinstance(lead, WaitingLead):
            raise InvalidType(f"waiting[{index}]", lead, "a WaitingLead")
        if lead.lead_id in seen:
            raise InvalidField(
                f"waiting[{index}].lead_id", lead.lead_id, "a lead id not used before in waiting"
            )
        seen.add(lead.lead_id)

    due = sorted(
        ((due_at(team, lead.person, lead.since, deadline), lead) for lead in leads),
        key=lambda item: (item[0], item[1].lead_id),
    )
    reassignments: list[Reassignment] = []
    still: list[WaitingLead] = []
    for lapses_at, lead in due:
        if lapses_at > instant:
            still.append(lead)
            continue
        if ledger.load(lead.person) > 0:  # the host may not count this lead in the ledger
            ledger = ledger.release(lead.person)
        try:
            reassignment, moved, ledger = _reassign(
                lead, lapses_at, now, team, ledger, strategy, max_hops=max_hops, supervisors=heads
            )
        except InvalidField as err:
            if err.value is not now:
                raise
            # Working hours name the time they were asked about ``at``: the caller wrote ``now``.
            raise type(err)("now", now, err.expected) from None
        reassignments.append(reassignment)
        if moved is not None:
            still.append(moved)
    return DeadlineResult(tuple(reassignments), tuple(still), ledger)


def _reassign(
    lead: WaitingLead,
    lapsed_at: datetime,
    now: datetime,
    team: Team,
    ledger: AssignmentLedger,
    strategy: Strategy,
    *,
    max_hops: int,
    supervisors: Mapping[Role, str],
) -> tuple[Reassignment, WaitingLead | None, AssignmentLedger]:
    """One lapsed lead: the reassignment, the lead waiting with its next owner (None
    when it was escalated) and the ledger after."""
    decision: Decision | None = None

    def find(exclude: frozenset[str]) -> str | None:
        nonlocal decision, ledger
        result = assign(
            lead.lead_id,
            lead.role,
            at=now,
            team=team,
            ledger=ledger,
            strategy=strategy,
            account_owner=lead.account_owner,
            attributes=lead.attributes,
            exclude=exclude,
        )
        decision, ledger = result.decision, result.ledger
        return result.decision.person

    step = after_lapse(lead.person, lead.tried, lead.hops, max_hops, find)
    if step.to_person is None:
        target = supervisors.get(lead.role, f"{lead.role.value} queue")
        escalated = Reassignment(lead.lead_id, lead.person, lapsed_at, step.hop, decision, target)
        return escalated, None, ledger
    moved = attrs.evolve(lead, person=step.to_person, since=now, hops=step.hop, tried=step.tried)
    return (
        Reassignment(lead.lead_id, lead.person, lapsed_at, step.hop, decision, None),
        moved,
        ledger,
    )


# -- the rule, shared with the simulator ------------------------------------------------
# reassign_overdue holds an AssignmentLedger and the simulator a Dispatcher, so each asks for the
# next person its own way; what the rule decides is decided here, once, for both.


def _hours_of(team: Team, person: str) -> WorkingHours | None:
    """The working hours ``person``'s deadlines count in: None (wall-clock time) when
    they left the team or have no working time at all."""
    if person not in team:
        return None
    hours = team.get(person).hours
    return hours if hours.has_working_time else None


def hours_by_person(team: Team) -> dict[str, WorkingHours | None]:
    """:func:`_hours_of` for everyone in ``team``, looked up once (the simulator's table)."""
    return {person.id: _hours_of(team, person.id) for person in team}


def due_at(
    team_or_hours: Team | Mapping[str, WorkingHours | None],
    person: str,
    since: datetime,
    deadline: timedelta,
) -> datetime:
    """When ``deadline`` of ``person``'s working time has passed since ``since``.

    ``team_or_hours`` is the team, or :func:`hours_by_person` of it (someone
    missing from the table left the team). An owner who left the team, or who
    has no working time at all, is held to wall-clock time. A deadline their
    hours never reach (beyond the span :class:`~salesflow.routing.WorkingHours`
    counts through, or the calendar's end) never passes: :data:`END_OF_TIME`.
    """
    if isinstance(team_or_hours, Team):
        hours = _hours_of(team_or_hours, person)
    else:
        hours = team_or_hours.get(person)
    try:
        # An instant: wall-clock arithmetic would be off by a clock change.
        return _zones.utc(since) + deadline if hours is None else hours.add(since, deadline)
    except (InvalidField, OverflowError):
        return END_OF_TIME


@attrs.frozen
class _Lapse:
    """What the rule makes of a lapse: who is excluded from now on, the how-many-th
    reassignment this is, and the next owner (None: escalate)."""

    tried: frozenset[str]
    hop: int
    to_person: str | None


def after_lapse(
    person: str,
    tried: Iterable[str],
    hops: int,
    max_hops: int,
    find: Callable[[frozenset[str]], str | None],
) -> _Lapse:
    """``person`` let the deadline of a lead pass that has hopped ``hops`` times:
    reassign it or escalate it.

    Everyone in ``tried`` and ``person`` are excluded from then on. While
    fewer than ``max_hops`` reassignments were made, ``find(excluded)`` gives
    (and places) the next eligible person, or None when nobody is left; at
    the limit it is not asked. Escalated when no next person came of it.
    """
    excluded = frozenset(tried) | {person}
    to_person = find(excluded) if hops < max_hops else None
    return _Lapse(excluded, hops + 1, to_person)


def _supervisors(value: Any) -> dict[Role, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidType("supervisors", value, "a mapping of Role to a person id")
    return {
        _check.choice(Role, "supervisors", role): _check.text(f"supervisors[{role!r}]", head)
        for role, head in value.items()
    }
