"""The ownership record's fold and its snapshot form (private to the Ownership aggregate).

The fold is the working state while events are applied; :func:`state` writes
the part of it a snapshot keeps and :func:`restored` reads it back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import attrs

from salesflow import _check, _zones
from salesflow._aggregate import Fold
from salesflow._snapshot import Recent
from salesflow.errors import InvalidField
from salesflow.routing.events import (
    HandoffAccepted,
    HandoffExpired,
    HandoffRejected,
    HandoffSubmitted,
    HandoffWithdrawn,
    OwnerAssigned,
    OwnershipEvent,
    event_from_dict,
)
from salesflow.routing.lifecycle import TRANSITIONS, HandoffStatus, key
from salesflow.routing.models import Role

__all__ = [
    "CLOSING",
    "Closing",
    "Handoff",
    "OwnershipFold",
    "assigned",
    "needed",
    "restored",
    "state",
]

Closing = HandoffAccepted | HandoffRejected | HandoffExpired | HandoffWithdrawn
CLOSING: Final = (HandoffAccepted, HandoffRejected, HandoffExpired, HandoffWithdrawn)


@attrs.frozen
class Handoff:
    """One handoff as the history tells it: its submission, status and closing event."""

    submitted: HandoffSubmitted
    status: HandoffStatus
    closed_by: Closing | None = None


class OwnershipFold(Fold):
    IDENTITY = "lead_id"
    OWNED = "this lead's id"
    CREATION = "start"

    __slots__ = (
        "handoffs",
        "lead_id",
        "owners",
        "pending",
        "person",
        "role",
    )

    def __init__(self, first: OwnerAssigned) -> None:
        self.lead_id = first.lead_id
        self.role = first.role
        self.person = first.person
        self.version = 1
        self.last_at = first.at
        self.last_utc = _zones.utc(first.at)
        self.pending: HandoffSubmitted | None = None
        self.owners: dict[Role, tuple[str, ...]] = {}
        self.handoffs: tuple[Handoff, ...] = ()
        self.keys: dict[str, int] = {}  # idempotency key -> version (kept by _aggregate)
        self._own()

    @property
    def _detail(self) -> str:
        return f"lead {self.lead_id}"

    def _own(self) -> None:
        if self.person is None:
            return
        spells = self.owners.get(self.role, ())
        if not spells or spells[-1] != self.person:
            # Copy on write: a command's copy of the fold shares the dict until it changes.
            self.owners = {**self.owners, self.role: (*spells, self.person)}

    def refuse_pending(self) -> None:
        """Raise when a handoff is pending: ownership changes wait until it is settled."""
        if self.pending is not None:
            raise InvalidField(
                "pending",
                f"handoff {self.pending.version} to {self.pending.to_role.value}",
                "no pending handoff: accept, reject, expire or withdraw it first",
            )

    def need_pending(self, name: str) -> HandoffSubmitted:
        """The pending handoff ``name`` acts on; raises when there is none."""
        if self.pending is not None:
            return self.pending
        if self.handoffs:
            TRANSITIONS.next(key(self.handoffs[-1].status), name, detail=self._detail)  # raises
        raise InvalidField(
            "pending", None, f"a pending handoff to {name} (lead {self.lead_id} has had none)"
        )

    def apply(self, event: OwnershipEvent) -> None:
        if isinstance(event, OwnerAssigned):
            self._apply_assign(event)
        elif isinstance(event, HandoffSubmitted):
            self._apply_submit(event)
        else:
            self._apply_close(event)

    def _apply_assign(self, event: OwnerAssigned) -> None:
        self.refuse_pending()
        if event.event == "reassign":
            if event.role is not self.role:
                raise InvalidField(
                    "role",
                    event.role,
                    f"{self.role.value!r}, the current role (transfer moves to another role)",
                )
            if event.person == self.person:
                raise InvalidField("person", event.person, "someone other than the current owner")
        elif event.role is self.role:
            raise InvalidField(
                "role",
                event.role,
                f"a role other than {self.role.value!r}, the current one (reassign stays in it)",
            )
        self.role, self.person = event.role, event.person
        self._own()

    def _apply_submit(self, event: HandoffSubmitted) -> None:
        self.refuse_pending()
        if event.from_role is not self.role:
            raise InvalidField(
                "from_role", event.from_role, f"{self.role.value!r}, the current role"
            )
        if event.from_person != self.person:
            raise InvalidField(
                "from_person", event.from_person, f"{self.person!r}, the current owner"
            )
        self.pending = event
        self.role, self.person = event.to_role, None
        self.handoffs = (*self.handoffs, Handoff(event, HandoffStatus.SUBMITTED))

    def _apply_close(self, event: Closing) -> None:
        pending = self.need_pending(event.event)
        if event.handoff != pending.version:
            raise InvalidField(
                "handoff", event.handoff, f"{pending.version}, the pending handoff's version"
            )
        status: HandoffStatus = TRANSITIONS.next(
            (HandoffStatus.SUBMITTED, None), event.event, detail=self._detail
        )
        deadline = pending.expires_at
        # The deadline is an instant: compared in UTC, never by wall-clock readings.
        passed = deadline is not None and _zones.utc(event.at) >= _zones.utc(deadline)
        if isinstance(event, HandoffExpired):
            if deadline is None:
                raise InvalidField(
                    "expires_at", None, "a deadline: only a handoff with one can expire"
                )
            if not passed:
                raise InvalidField(
                    "at", event.at, f"a time at or after the deadline ({deadline.isoformat()})"
                )
        elif not isinstance(event, HandoffWithdrawn) and passed:
            assert deadline is not None
            raise InvalidField(
                "at",
                event.at,
                f"a time before the deadline ({deadline.isoformat()}); it has run out: expire it",
            )
        if isinstance(event, HandoffAccepted):
            if pending.to_person is not None and event.person != pending.to_person:
                raise InvalidField(
                    "person", event.person, f"{pending.to_person!r}, who the handoff was offered to"
                )
            self.person = event.person
            self._own()
        else:
            self.role, self.person = pending.from_role, pending.from_person
        self.pending = None
        self.handoffs = (*self.handoffs[:-1], Handoff(pending, status, event))

    def submitted(self, version: int) -> HandoffSubmitted:
        """The submission of the handoff at ``version`` (one of this record's handoffs)."""
        for handoff in reversed(self.handoffs):
            if handoff.submitted.version == version:
                return handoff.submitted
        raise InvalidField("handoff", version, "the version of one of this record's handoffs")


_STATE_KEYS: Final = frozenset({"role", "person", "owners", "handoffs"})


def state(fold: OwnershipFold) -> dict[str, Any]:
    """What a snapshot keeps of the fold, as JSON primitives."""
    return {
        "role": fold.role.value,
        "person": fold.person,
        "owners": {role.value: list(people) for role, people in fold.owners.items()},
        "handoffs": [
            [
                handoff.submitted.to_dict(),
                handoff.status.value,
                None if handoff.closed_by is None else handoff.closed_by.to_dict(),
            ]
            for handoff in fold.handoffs
        ],
    }


def restored(
    first: OwnerAssigned,
    document: dict[str, Any],
    *,
    version: int,
    at: datetime,
    keys: dict[str, int],
    recent: Recent,
) -> OwnershipFold:
    """The fold a snapshot describes; a malformed state raises, naming the field."""
    field = "snapshot.state"
    _check.only_keys(field, document, _STATE_KEYS)
    for name in _STATE_KEYS:
        if name not in document:
            raise InvalidField(f"{field}.{name}", None, "a value (it is missing)")
    fold = OwnershipFold(first)
    fold.role = _check.choice(Role, f"{field}.role", document["role"])
    person = document["person"]
    fold.person = None if person is None else _check.text(f"{field}.person", person)
    owners = _check.mapping(f"{field}.owners", document["owners"])
    fold.owners = {}
    for role, people in owners.items():
        if not isinstance(people, list) or not all(type(p) is str and p for p in people):
            raise InvalidField(f"{field}.owners.{role}", people, "a list of people")
        fold.owners[_check.choice(Role, f"{field}.owners", role)] = tuple(people)
    raw = document["handoffs"]
    if not isinstance(raw, list):
        raise InvalidField(f"{field}.handoffs", raw, "a list of [submitted, status, closed]")
    handoffs = []
    for index, entry in enumerate(raw):
        path = f"{field}.handoffs[{index}]"
        if not isinstance(entry, list) or len(entry) != 3:
            raise InvalidField(path, entry, "[submitted event, status, closing event or null]")
        submitted = event_from_dict(entry[0], field=f"{path}[0]")
        closed = None if entry[2] is None else event_from_dict(entry[2], field=f"{path}[2]")
        if not isinstance(submitted, HandoffSubmitted) or not (
            closed is None or isinstance(closed, CLOSING)
        ):
            raise InvalidField(path, entry, "a submission and its closing event")
        status = _check.choice(HandoffStatus, f"{path}[1]", entry[1])
        if (closed is None) is not (status is HandoffStatus.SUBMITTED):
            raise InvalidField(f"{path}[2]", entry[2], "a closing event unless still submitted")
        handoffs.append(Handoff(submitted, status, closed))
    fold.handoffs = tuple(handoffs)
    last = fold.handoffs[-1] if fold.handoffs else None
    fold.pending = last.submitted if last and last.status is HandoffStatus.SUBMITTED else None
    fold.version, fold.last_at, fold.last_utc = version, at, _zones.utc(at)
    fold.keys, fold.recent, fold.base, fold.first = keys, recent, version, first
    return fold


def needed(fold: OwnershipFold) -> set[int]:
    """The versions a later command may read: the last and each keyed one."""
    return {fold.version, *fold.keys.values()}


def assigned(document: Any, *, field: str) -> OwnerAssigned:
    """The record's first event, as a sealed snapshot carries it."""
    event = event_from_dict(document, field=field)
    if not isinstance(event, OwnerAssigned):
        raise InvalidField(field, document, "an OwnerAssigned event")
    return event
