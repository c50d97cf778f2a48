"""Response deadlines: a lead whose owner has not acted in time goes to the next person.

The deadline counts working time in the owner's own working hours (an
evening or a weekend does not count against them). When it has passed at
``now``, the lead gets a reassignment decision to the next eligible person of
the role, never someone who already let it lapse. After ``max_hops``
reassignments it stops hopping and is escalated: to the role's supervisor when
one is named, otherwise to the role's queue. Nothing is changed in place: the
result carries the decisions, the leads still waiting (with their new owners)
and the ledger after.

>>> from datetime import datetime, timedelta, timezone
>>> from salesflow.routing import (Ledger, Person, Role, RoundRobin, Team, Waiting,
...     WorkingHours, reassign_overdue)
>>> office = WorkingHours.office("Europe/Berlin")
>>> team = Team([Person(name, Role.CLOSER, hours=office) for name in ("ana", "ben")])
>>> friday_4pm_berlin = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)
>>> lead = Waiting("L-1", Role.CLOSER, "ana", since=friday_4pm_berlin)
>>> monday_10am_berlin = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
>>> result = reassign_overdue([lead], now=monday_10am_berlin, deadline=timedelta(hours=2),
...     team=team, ledger=Ledger().with_load("ana", 1), strategy=RoundRobin())
>>> [(r.lead_id, r.from_person, r.to_person, r.hop) for r in result.reassignments]
[('L-1', 'ana', 'ben', 1)]
>>> result.reassignments[0].due_at.isoformat()  # 1 working hour on Friday, 1 on Monday: 10:00 Berlin
'2026-11-30T09:00:00+00:00'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.routing.assignment import (
    Decision,
    Ledger,
    Strategy,
    _check_strategy,
    assign,
)
from salesflow.routing.hours import END_OF_TIME
from salesflow.routing.models import Role
from salesflow.routing.people import Team, _to_role

__all__ = ["DeadlineResult", "Reassignment", "Waiting", "reassign_overdue"]


def _to_tried(value: Any) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidType("tried", value, "a set of person ids")
    return frozenset(_check.text("tried", person) for person in value)


def _hops(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole("hops", value, minimum=0, context="Waiting")


def _to_attributes(value: Any) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise InvalidType("attributes", value, "a mapping of attribute name to value")
    return dict(value)


@attrs.frozen
class Waiting:
    """A lead waiting for its owner's first response since ``since``.

    ``hops`` counts the reassignments so far and ``tried`` the people who
    already let it lapse; ``account_owner`` and ``attributes`` are passed on
    to the strategy as :func:`~salesflow.routing.assign` takes them.
    """

    lead_id: str = attrs.field(validator=_check.text_field)
    role: Role = attrs.field(converter=_to_role)
    person: str = attrs.field(validator=_check.text_field)
    since: datetime = attrs.field(kw_only=True, validator=_check.aware_field)
    hops: int = attrs.field(default=0, kw_only=True, validator=_hops)
    tried: frozenset[str] = attrs.field(default=frozenset(), kw_only=True, converter=_to_tried)
    account_owner: str | None = attrs.field(
        default=None, kw_only=True, validator=_check.optional_text_field
    )
    attributes: Mapping[str, str] = attrs.field(
        factory=dict, kw_only=True, converter=_to_attributes, eq=False
    )


@attrs.frozen
class Reassignment:
    """A lead whose deadline passed: where it went, and why."""

    lead_id: str
    from_person: str
    due_at: datetime
    """When the deadline passed (counted in the owner's working hours)."""
    hop: int
    """The how-many-th reassignment this is."""
    decision: Decision | None
    """The assignment decision (a queued one, explaining why nobody was left, when
    it was escalated for that), or None when the hop limit was reached."""
    escalated_to: str | None
    """The supervisor or queue it was escalated to (the hop limit was reached,
    or nobody eligible was left)."""

    @property
    def to_person(self) -> str | None:
        return self.decision.person if self.decision is not None else None


@attrs.frozen
class DeadlineResult:
    """The reassignments, the leads still waiting (with new owners and times) and the ledger."""

    reassignments: tuple[Reassignment, ...]
    waiting: tuple[Waiting, ...]
    ledger: Ledger


def reassign_overdue(
    waiting: Iterable[Waiting],
    *,
    now: datetime,
    deadline: timedelta,
    team: Team,
    ledger: Ledger,
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
    _check.aware("now", now)
    if not isinstance(deadline, timedelta) or deadline <= timedelta(0):
        raise InvalidField("deadline", deadline, "a positive timedelta of working time")
    _check.whole("max_hops", max_hops, minimum=0)
    if not isinstance(team, Team):
        raise InvalidType("team", team, "a Team")
    if not isinstance(ledger, Ledger):
        raise InvalidType("ledger", ledger, "a Ledger")
    strategy = _check_strategy(strategy)
    heads = _supervisors(supervisors)
    if isinstance(waiting, str | Mapping) or not isinstance(waiting, Iterable):
        raise InvalidType("waiting", waiting, "an iterable of Waiting values")
    leads = list(waiting)
    seen: set[str] = set()
    for index, lead in enumerate(leads):
        if not isinstance(lead, Waiting):
            raise InvalidType(f"waiting[{index}]", lead, "a Waiting")
        if lead.lead_id in seen:
            raise InvalidField(
                f"waiting[{index}].lead_id", lead.lead_id, "a lead id not used before in waiting"
            )
        seen.add(lead.lead_id)

    due = sorted(
        ((_due(team, lead, deadline), lead) for lead in leads),
        key=lambda item: (item[0], item[1].lead_id),
    )
    reassignments: list[Reassignment] = []
    still: list[Waiting] = []
    for due_at, lead in due:
        if due_at > now:
            still.append(lead)
            continue
        if ledger.load(lead.person) > 0:  # the host may not count this lead in the ledger
            ledger = ledger.release(lead.person)
        tried = lead.tried | {lead.person}
        hop = lead.hops + 1
        decision: Decision | None = None
        if lead.hops < max_hops:
            result = assign(
                lead.lead_id,
                lead.role,
                at=now,
                team=team,
                ledger=ledger,
                strategy=strategy,
                account_owner=lead.account_owner,
                attributes=lead.attributes,
                exclude=tried,
            )
            decision, ledger = result.decision, result.ledger
        if decision is not None and decision.person is not None:
            reassignments.append(
                Reassignment(lead.lead_id, lead.person, due_at, hop, decision, None)
            )
            still.append(
                attrs.evolve(lead, person=decision.person, since=now, hops=hop, tried=tried)
            )
        else:
            target = heads.get(lead.role, f"{lead.role.value} queue")
            reassignments.append(
                Reassignment(lead.lead_id, lead.person, due_at, hop, decision, target)
            )
    return DeadlineResult(tuple(reassignments), tuple(still), ledger)


def _due(team: Team, lead: Waiting, deadline: timedelta) -> datetime:
    """When ``deadline`` of the owner's working time has passed since ``lead.since``.

    An owner who left the team, or who has no working time at all, is held to
    wall-clock time. A deadline their hours never reach (beyond the span
    :class:`~salesflow.routing.WorkingHours` counts through) never passes, as
    in the simulator.
    """
    hours = team.get(lead.person).hours if lead.person in team else None
    try:
        if hours is None or not hours.has_working_time:
            return lead.since + deadline
        return hours.add(lead.since, deadline)
    except (InvalidField, OverflowError):
        return END_OF_TIME


def _supervisors(value: Any) -> dict[Role, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidType("supervisors", value, "a mapping of Role to a person id")
    return {
        _to_role(role): _check.text(f"supervisors[{role!r}]", head) for role, head in value.items()
    }
