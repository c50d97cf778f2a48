"""The lead's fold and its snapshot form (private to the Lead aggregate).

The fold is the working state while events are applied; :func:`state` writes
the part of it a snapshot keeps and :func:`restored` reads it back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from salesflow import _check, _zones
from salesflow._aggregate import SYSTEM, Fold
from salesflow._snapshot import Recent, iso, made, sealed_money
from salesflow.errors import InvalidField, InvalidTransition
from salesflow.leads.events import (
    ActivityKind,
    ActivityLogged,
    LeadCreated,
    LeadEvent,
    LeadQualified,
    LeadSource,
    LeadStageChanged,
    LostReason,
    Qualification,
    QualificationOutcome,
)
from salesflow.leads.lifecycle import TRANSITIONS
from salesflow.leads.stage import LeadStage

__all__ = ["LeadFold", "created", "needed", "restored", "state"]


class LeadFold(Fold):
    IDENTITY = "lead_id"
    OWNED = "this lead's id"
    CREATION = "create"

    __slots__ = (
        "acted_by",
        "closer",
        "come_back_on",
        "demo",
        "demo_after_intro_call",
        "intro_call",
        "lost_after_demo",
        "lost_from",
        "lost_note",
        "lost_reason",
        "qualification",
        "stage",
        "was_qualified",
        "won_at",
    )

    def __init__(self, created: LeadCreated) -> None:
        self.stage = LeadStage.AWARENESS
        self.version = 1
        self.last_at = created.at
        self.last_utc = _zones.utc(created.at)
        self.lost_from: LeadStage | None = None
        self.lost_reason: LostReason | None = None
        self.lost_note: str | None = None
        self.come_back_on: date | None = None
        self.qualification: Qualification | None = None
        self.keys: dict[str, int] = {}  # idempotency key -> version (kept by _aggregate)
        self.won_at: datetime | None = None
        self.was_qualified = False
        self.closer: str | None = None
        self.acted_by: str | None = created.actor if created.actor != SYSTEM else None
        self.intro_call = self.demo = self.demo_after_intro_call = self.lost_after_demo = False

    @property
    def qualified(self) -> bool:
        q = self.qualification
        return q is not None and q.outcome is QualificationOutcome.QUALIFIED

    def apply(self, event: LeadEvent) -> None:
        if isinstance(event, LeadStageChanged):
            self._apply_stage(event)
        elif isinstance(event, LeadQualified):
            if not self.stage.is_open:
                raise InvalidTransition(
                    self.stage.value, "qualify", self._allowed(), subject="a lead"
                )
            self.qualification = Qualification(
                QualificationOutcome.QUALIFIED, event.actor, event.at
            )
            self.was_qualified = True
        elif isinstance(event, ActivityLogged) and event.kind is ActivityKind.DEMO:
            self.demo_after_intro_call = self.demo_after_intro_call or self.intro_call
            self.demo = True
        elif isinstance(event, ActivityLogged) and event.kind is ActivityKind.INTRO_CALL:
            self.intro_call = True
        if event.actor != SYSTEM:
            self.acted_by = event.actor

    def _allowed(self) -> frozenset[str]:
        return TRANSITIONS.allowed((self.stage, (self.lost_from, self.qualified)))

    def _apply_stage(self, event: LeadStageChanged) -> None:
        if event.from_stage is not self.stage:
            raise InvalidField(
                "from_stage", event.from_stage, f"{self.stage.value!r}, the current stage"
            )
        target: LeadStage = TRANSITIONS.next(
            (self.stage, (self.lost_from, self.qualified)), event.event
        )
        if event.to_stage is not target:
            raise InvalidField(
                "to_stage", event.to_stage, f"{target.value!r}, where {event.event} leads"
            )
        if target is LeadStage.LOST:
            self.lost_from = self.stage
            self.lost_reason = event.lost_reason
            self.lost_note = event.reason
            self.come_back_on = event.come_back_on
            if event.event == "disqualify":
                self.qualification = Qualification(
                    QualificationOutcome.DISQUALIFIED, event.actor, event.at
                )
        elif self.stage is LeadStage.LOST:
            self.lost_from = self.lost_reason = self.lost_note = self.come_back_on = None
        self.lost_after_demo = self.lost_after_demo or (self.demo and target is LeadStage.LOST)
        if event.event == "win" and self.won_at is None:
            self.won_at = event.at
            self.closer = event.actor if event.actor != SYSTEM else None
        self.stage = target


_FLAGS: Final = (
    "was_qualified",
    "intro_call",
    "demo",
    "demo_after_intro_call",
    "lost_after_demo",
)
_STATE_KEYS: Final = frozenset(
    {
        "stage",
        "lost_from",
        "lost_reason",
        "lost_note",
        "come_back_on",
        "qualification",
        "won_at",
        "closer",
        "acted_by",
        *_FLAGS,
    }
)


def state(fold: LeadFold) -> dict[str, Any]:
    """What a snapshot keeps of the fold, as JSON primitives."""
    q = fold.qualification
    return {
        "stage": fold.stage.value,
        "lost_from": None if fold.lost_from is None else fold.lost_from.value,
        "lost_reason": None if fold.lost_reason is None else fold.lost_reason.value,
        "lost_note": fold.lost_note,
        "come_back_on": iso(fold.come_back_on),
        "qualification": None
        if q is None
        else {"outcome": q.outcome.value, "by": q.by, "at": q.at.isoformat()},
        "won_at": iso(fold.won_at),
        "closer": fold.closer,
        "acted_by": fold.acted_by,
        **{flag: getattr(fold, flag) for flag in _FLAGS},
    }


def _choice(field: str, kind: Any, value: Any) -> Any:
    if value is None:
        return None
    try:
        return kind(value)
    except (ValueError, TypeError):
        raise InvalidField(field, value, f"one of {', '.join(kind)} or null") from None


def _text(field: str, value: Any) -> str | None:
    if value is not None and type(value) is not str:
        raise InvalidField(field, value, "a string or null")
    return value


def restored(
    first: LeadCreated,
    document: dict[str, Any],
    *,
    version: int,
    at: datetime,
    keys: dict[str, int],
    recent: Recent,
) -> LeadFold:
    """The fold a snapshot describes; a malformed state raises, naming the field."""
    field = "snapshot.state"
    _check.only_keys(field, document, _STATE_KEYS)
    for name in _STATE_KEYS:
        if name not in document:
            raise InvalidField(f"{field}.{name}", None, "a value (it is missing)")
    fold = LeadFold(first)
    stage = _choice(f"{field}.stage", LeadStage, document["stage"])
    if stage is None:
        raise InvalidField(f"{field}.stage", None, "a lead stage")
    fold.stage = stage
    fold.lost_from = _choice(f"{field}.lost_from", LeadStage, document["lost_from"])
    fold.lost_reason = _choice(f"{field}.lost_reason", LostReason, document["lost_reason"])
    if (fold.lost_from is None) is (stage is LeadStage.LOST):
        raise InvalidField(
            f"{field}.lost_from", document["lost_from"], "the stage it was lost from, while lost"
        )
    fold.lost_note = _text(f"{field}.lost_note", document["lost_note"])
    back = document["come_back_on"]
    fold.come_back_on = None if back is None else _check.parse_date(f"{field}.come_back_on", back)
    q = document["qualification"]
    if q is not None:
        if not isinstance(q, dict) or set(q) != {"outcome", "by", "at"}:
            raise InvalidField(f"{field}.qualification", q, "{outcome, by, at} or null")
        fold.qualification = Qualification(
            _choice(f"{field}.qualification.outcome", QualificationOutcome, q["outcome"]),
            _check.text(f"{field}.qualification.by", q["by"]),
            _check.parse_datetime(f"{field}.qualification.at", q["at"]),
        )
    won = document["won_at"]
    fold.won_at = None if won is None else _check.parse_datetime(f"{field}.won_at", won)
    fold.closer = _text(f"{field}.closer", document["closer"])
    fold.acted_by = _text(f"{field}.acted_by", document["acted_by"])
    for flag in _FLAGS:
        if type(document[flag]) is not bool:
            raise InvalidField(f"{field}.{flag}", document[flag], "true or false")
        setattr(fold, flag, document[flag])
    fold.version, fold.last_at, fold.last_utc = version, at, _zones.utc(at)
    fold.keys, fold.recent, fold.base, fold.first = keys, recent, version, first
    return fold


def needed(fold: LeadFold) -> set[int]:
    """The versions a later command may read: the last and each keyed one."""
    return {fold.version, *fold.keys.values()}


def created(document: Any, *, field: str) -> LeadCreated:
    """The creation event a sealed snapshot carries, built without checking again."""
    try:
        value = document.get("deal_value")
        values = {
            "lead_id": document["lead_id"],
            "at": datetime.fromisoformat(document["at"]),
            "actor": document["actor"],
            "source": LeadSource(document["source"]),
            "deal_value": None if value is None else sealed_money(value),
            "idempotency_key": document.get("idempotency_key"),
        }
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
        raise InvalidField(field, document, "a creation event as Lead.to_dict writes it") from None
    return made(LeadCreated, values)  # type: ignore[no-any-return]
