"""The ownership record's domain events: what the host stores, replays and reads.

A lead's ownership history is ``(OwnerAssigned(start), ...)`` followed by
assignments and handoffs; every event has ``to_dict()``, and
:func:`event_from_dict` reads one back. Events check their own fields; whether
one may follow the others is checked by :class:`~salesflow.routing.ownership.Ownership`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Final

import attrs

from salesflow import _check, _events, _zones
from salesflow.errors import InvalidField
from salesflow.routing.models import Role

__all__ = [
    "HandoffAccepted",
    "HandoffExpired",
    "HandoffRejected",
    "HandoffSubmitted",
    "HandoffWithdrawn",
    "OwnerAssigned",
    "OwnershipEvent",
    "RejectReason",
    "event_from_dict",
]


class RejectReason(StrEnum):
    """Why the receiving role sent a handoff back; ``other`` needs a note."""

    NOT_QUALIFIED = "not_qualified"
    """The lead is not ready or not target yet."""
    MISSING_INFORMATION = "missing_information"
    """The sender left out what the receiver needs (contact, budget, needs)."""
    WRONG_ROLE = "wrong_role"
    """Another role should have it."""
    DUPLICATE = "duplicate"
    """The lead is already being worked under another record."""
    OTHER = "other"

    @property
    def needs_note(self) -> bool:
        return self is RejectReason.OTHER


# -- events -------------------------------------------------------------------------


def _to_role(value: Any) -> Role:
    return _check.choice(Role, "role", value)


def _to_from_role(value: Any) -> Role:
    return _check.choice(Role, "from_role", value)


def _to_to_role(value: Any) -> Role:
    return _check.choice(Role, "to_role", value)


def _to_reason(value: Any) -> RejectReason:
    return _check.choice(RejectReason, "reason", value)


def _optional_aware(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        _check.aware(attribute.name, value, context=type(instance).__name__)


class _Event:
    """What every ownership event shares: its ``to_dict()`` form."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives; fields that are None are left out."""
        return _events.to_dict(self)


_ASSIGNMENTS: Final = ("start", "reassign", "transfer")


@attrs.frozen(kw_only=True)
class OwnerAssigned(_Event):
    """The lead got an owning role and person (``None``: the role's queue).

    ``event`` says how: ``start`` (the first event, version 1), ``reassign``
    (another person in the same role) or ``transfer`` (straight to another
    role without a handoff, as a re-routing does).
    """

    lead_id: str = attrs.field(validator=_check.text_field)
    version: int = attrs.field(validator=_check.whole_field(1))
    event: str = attrs.field()
    role: Role = attrs.field(converter=_to_role)
    person: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    note: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)

    def __attrs_post_init__(self) -> None:
        if self.event not in _ASSIGNMENTS:
            raise InvalidField("event", self.event, "one of start, reassign, transfer")
        if (self.event == "start") != (self.version == 1):
            raise InvalidField(
                "version", self.version, "1 for start, and start only as the first event"
            )
        if self.event == "reassign" and self.person is None:
            raise InvalidField("person", None, "the person who takes the lead over")


@attrs.frozen(kw_only=True)
class HandoffSubmitted(_Event):
    """``from_role`` hands the lead to ``to_role`` (to ``to_person``, or the role's queue).

    The handoff is known by this event's ``version``; ``expires_at`` is the
    deadline for the receiver to act, if any.
    """

    event: ClassVar[str] = "hand_off"

    lead_id: str = attrs.field(validator=_check.text_field)
    version: int = attrs.field(validator=_check.whole_field(2))
    from_role: Role = attrs.field(converter=_to_from_role)
    to_role: Role = attrs.field(converter=_to_to_role)
    from_person: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    to_person: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    expires_at: datetime | None = attrs.field(
        default=None, validator=_optional_aware, eq=_zones.instant_key
    )
    note: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)

    def __attrs_post_init__(self) -> None:
        if self.to_role is self.from_role:
            raise InvalidField(
                "to_role", self.to_role, f"a role other than {self.from_role.value}, the sender's"
            )
        if self.expires_at is not None and _zones.utc(self.expires_at) <= _zones.utc(self.at):
            raise InvalidField(
                "expires_at",
                self.expires_at,
                f"a deadline after at ({self.at.isoformat()})",
            )


@attrs.frozen(kw_only=True)
class HandoffAccepted(_Event):
    """``person`` of the receiving role accepted handoff ``handoff`` and owns the lead."""

    event: ClassVar[str] = "accept"

    lead_id: str = attrs.field(validator=_check.text_field)
    version: int = attrs.field(validator=_check.whole_field(3))
    handoff: int = attrs.field(validator=_check.whole_field(2))
    person: str = attrs.field(validator=_check.text_field)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)


@attrs.frozen(kw_only=True)
class HandoffRejected(_Event):
    """The receiving role sent handoff ``handoff`` back with a structured reason."""

    event: ClassVar[str] = "reject"

    lead_id: str = attrs.field(validator=_check.text_field)
    version: int = attrs.field(validator=_check.whole_field(3))
    handoff: int = attrs.field(validator=_check.whole_field(2))
    reason: RejectReason = attrs.field(converter=_to_reason)
    note: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)

    def __attrs_post_init__(self) -> None:
        if self.reason.needs_note and self.note is None:
            raise InvalidField("note", None, "a few words saying why: the reason is other")


@attrs.frozen(kw_only=True)
class HandoffExpired(_Event):
    """Nobody in the receiving role acted on handoff ``handoff`` by its deadline."""

    event: ClassVar[str] = "expire"

    lead_id: str = attrs.field(validator=_check.text_field)
    version: int = attrs.field(validator=_check.whole_field(3))
    handoff: int = attrs.field(validator=_check.whole_field(2))
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)


@attrs.frozen(kw_only=True)
class HandoffWithdrawn(_Event):
    """The sender (or a re-routing) took handoff ``handoff`` back before anyone acted."""

    event: ClassVar[str] = "withdraw"

    lead_id: str = attrs.field(validator=_check.text_field)
    version: int = attrs.field(validator=_check.whole_field(3))
    handoff: int = attrs.field(validator=_check.whole_field(2))
    note: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)


OwnershipEvent = (
    OwnerAssigned
    | HandoffSubmitted
    | HandoffAccepted
    | HandoffRejected
    | HandoffExpired
    | HandoffWithdrawn
)
"""Any event in a lead's ownership history."""

_EVENT_TYPES: Final[dict[str, type[Any]]] = {
    **dict.fromkeys(_ASSIGNMENTS, OwnerAssigned),
    "hand_off": HandoffSubmitted,
    "accept": HandoffAccepted,
    "reject": HandoffRejected,
    "expire": HandoffExpired,
    "withdraw": HandoffWithdrawn,
}


_PARSERS: Final[dict[str, _events.Parser]] = {
    "at": _check.parse_datetime,
    "expires_at": _check.parse_datetime,
}


def event_from_dict(document: Any, *, field: str = "event") -> OwnershipEvent:
    """Rebuild an event from its ``to_dict()`` form; malformed input raises ``InvalidField``.

    Field names in errors carry the document path (``history[3].at``).
    """
    doc, kind = _events.read(document, _EVENT_TYPES, field=field)
    event: OwnershipEvent = _events.build(doc, kind, field=field, parsers=_PARSERS)
    return event
