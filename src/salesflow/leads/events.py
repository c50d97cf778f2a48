"""A lead's domain events, their enums and the one reader (see docs/leads.md).

A lead's history is ``(LeadCreated, change, change, ...)``; each event checks
its own fields, and ``event.to_dict()`` / :func:`event_from_dict` round-trip it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Final

import attrs

from salesflow import _check, _events, _zones
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads.lifecycle import LEAD_EVENTS
from salesflow.leads.stage import LeadStage
from salesflow.money import Money

__all__ = [
    "ActivityKind",
    "ActivityLogged",
    "LeadCreated",
    "LeadEvent",
    "LeadQualified",
    "LeadSource",
    "LeadStageChanged",
    "LostReason",
    "Qualification",
    "QualificationOutcome",
    "event_from_dict",
]


class LeadSource(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class LostReason(StrEnum):
    """Why a lead was lost; not-ready and seasonal leads carry a date to come back."""

    NOT_TARGET = "not_target"
    NOT_READY = "not_ready"
    SEASONAL = "seasonal"
    BUDGET = "budget"
    COMPETITOR = "competitor"
    NO_RESPONSE = "no_response"
    OTHER = "other"

    @property
    def comes_back(self) -> bool:
        return self in (LostReason.NOT_READY, LostReason.SEASONAL)


class ActivityKind(StrEnum):
    INTRO_CALL = "intro_call"
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    DEMO = "demo"
    PROPOSAL = "proposal"
    FOLLOW_UP = "follow_up"


# Converters name the field they convert (never the enum type): an error names
# what the caller wrote.


def _to_source(value: Any) -> LeadSource:
    return _check.choice(LeadSource, "source", value)


def _to_from_stage(value: Any) -> LeadStage:
    return _check.choice(LeadStage, "from_stage", value)


def _to_to_stage(value: Any) -> LeadStage:
    return _check.choice(LeadStage, "to_stage", value)


def _to_lost_reason(value: Any) -> LostReason | None:
    return None if value is None else _check.choice(LostReason, "lost_reason", value)


def _to_activity(value: Any) -> ActivityKind:
    return _check.choice(ActivityKind, "kind", value)


@attrs.frozen(kw_only=True)
class LeadCreated:
    """The first event of every lead."""

    event: ClassVar[str] = "create"
    version: ClassVar[int] = 1

    lead_id: str = attrs.field(validator=_check.text_field)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    source: LeadSource = attrs.field(converter=_to_source)
    deal_value: Money | None = attrs.field(default=None)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives; fields that are None are left out."""
        return _events.to_dict(self, {"version": 1})

    @deal_value.validator
    def _check_value(self, _attribute: Any, value: Any) -> None:
        if value is not None and (not isinstance(value, Money) or value.amount < 0):
            raise InvalidField("deal_value", value, "None or Money of zero or more")


def _stage_event(instance: Any, attribute: Any, value: Any) -> None:
    _check.text_field(instance, attribute, value)
    if value not in LEAD_EVENTS:
        raise InvalidField(
            "event", value, f"one of {', '.join(LEAD_EVENTS)}", context="LeadStageChanged"
        )


@attrs.frozen(kw_only=True)
class LeadStageChanged:
    """``event`` moved the lead from ``from_stage`` to ``to_stage``."""

    lead_id: str = attrs.field(validator=_check.text_field)
    version: int = attrs.field(validator=_check.whole_field(2))
    event: str = attrs.field(validator=_stage_event)
    from_stage: LeadStage = attrs.field(converter=_to_from_stage)
    to_stage: LeadStage = attrs.field(converter=_to_to_stage)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    reason: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    lost_reason: LostReason | None = attrs.field(default=None, converter=_to_lost_reason)
    come_back_on: date | None = attrs.field(default=None)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives; fields that are None are left out."""
        return _events.to_dict(self)

    def __attrs_post_init__(self) -> None:
        if self.come_back_on is not None:
            _check.calendar_date("come_back_on", self.come_back_on, context="LeadStageChanged")
        losing = self.event in ("lose", "disqualify")
        if losing and self.lost_reason is None:
            raise InvalidField("lost_reason", None, "a LostReason: a lost lead carries one")
        if not losing and self.lost_reason is not None:
            raise InvalidField(
                "lost_reason", self.lost_reason, f"nothing: {self.event} carries no lost reason"
            )
        if not losing and self.come_back_on is not None:
            raise InvalidField(
                "come_back_on",
                self.come_back_on,
                f"nothing: {self.event} carries no date to come back (only a loss does)",
            )
        if self.event == "disqualify" and self.lost_reason is not LostReason.NOT_TARGET:
            raise InvalidField(
                "lost_reason", self.lost_reason, "not_target for a disqualified lead"
            )
        if losing and self.lost_reason is not None:
            if self.lost_reason.comes_back and self.come_back_on is None:
                raise InvalidField(
                    "come_back_on",
                    None,
                    f"the date to come back: a {self.lost_reason.value.replace('_', '-')} lead carries it",
                )
            if self.come_back_on is not None and not self.lost_reason.comes_back:
                raise InvalidField(
                    "come_back_on",
                    self.come_back_on,
                    "nothing: only not-ready and seasonal leads come back",
                )
            if self.come_back_on is not None and self.come_back_on <= self.at.date():
                raise InvalidField(
                    "come_back_on",
                    self.come_back_on,
                    f"a date after {self.at.date().isoformat()}, the day of at ({self.at.isoformat()})",
                )
            if self.lost_reason is LostReason.OTHER and self.reason is None:
                raise InvalidField(
                    "reason", None, "a few words saying why: the lost reason is other"
                )
        if self.event == "move_back" and self.reason is None:
            raise InvalidField("reason", None, "why the lead moves back: a backward move needs it")


@attrs.frozen(kw_only=True)
class LeadQualified:
    """The lead was qualified: target and ready to buy."""

    event: ClassVar[str] = "qualify"

    lead_id: str = attrs.field(validator=_check.text_field)
    version: int = attrs.field(validator=_check.whole_field(2))
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives; fields that are None are left out."""
        return _events.to_dict(self)


@attrs.frozen(kw_only=True)
class ActivityLogged:
    """A sales activity on the lead (a call, a demo, a proposal...)."""

    event: ClassVar[str] = "log_activity"

    lead_id: str = attrs.field(validator=_check.text_field)
    version: int = attrs.field(validator=_check.whole_field(2))
    kind: ActivityKind = attrs.field(converter=_to_activity)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    note: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives; fields that are None are left out."""
        return _events.to_dict(self)


LeadEvent = LeadCreated | LeadStageChanged | LeadQualified | ActivityLogged
"""Any event in a lead's history."""


class QualificationOutcome(StrEnum):
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"


def _to_outcome(value: Any) -> QualificationOutcome:
    return _check.choice(QualificationOutcome, "outcome", value, context="Qualification")


@attrs.frozen
class Qualification:
    """Who qualified (or disqualified) the lead, and when: facts routing relies on."""

    outcome: QualificationOutcome = attrs.field(converter=_to_outcome)
    by: str = attrs.field(validator=_check.text_field)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)


# -- serialisation ------------------------------------------------------------------

_EVENT_TYPES: Final[dict[str, type[Any]]] = {
    "create": LeadCreated,
    **dict.fromkeys(LEAD_EVENTS, LeadStageChanged),
    "qualify": LeadQualified,
    "log_activity": ActivityLogged,
}
_PARSERS: Final[dict[str, _events.Parser]] = {
    "at": _check.parse_datetime,
    "come_back_on": _check.parse_date,
    "deal_value": lambda field, value: Money.from_dict(value, field=field),
}


def event_from_dict(document: Any, *, field: str = "event") -> LeadEvent:
    """Rebuild an event from its ``to_dict()``; malformed input raises ``InvalidField``."""
    doc, kind = _events.read(document, _EVENT_TYPES, field=field)
    if kind is LeadCreated and "version" in doc and type(doc["version"]) is not int:
        raise InvalidType(f"{field}.version", doc["version"], "1 for a create event")
    if kind is LeadCreated and doc.get("version", 1) != 1:
        raise InvalidField(f"{field}.version", doc.get("version"), "1 for a create event")
    fixed = {"version": 1} if kind is LeadCreated else None  # the first event's version
    event: LeadEvent = _events.build(doc, kind, field=field, parsers=_PARSERS, fixed=fixed)
    return event
