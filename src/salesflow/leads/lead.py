"""The Lead aggregate: an immutable lead whose every change is an event.

>>> from datetime import datetime, timedelta, timezone
>>> from salesflow import Money
>>> from salesflow.leads import ActivityKind, Lead, LeadSource, LostReason
>>> t0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
>>> lead = Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=t0,
...                    deal_value=Money("1200", "EUR")).lead
>>> lead = lead.log_activity(ActivityKind.INTRO_CALL, at=t0 + timedelta(hours=1), actor="sam").lead
>>> lead = lead.qualify(at=t0 + timedelta(hours=1), actor="sam").lead
>>> lead = lead.fast_track(at=t0 + timedelta(hours=2), actor="sam").lead
>>> lead.stage, lead.expected_value()
(<LeadStage.DECISION: 'decision'>, Money('720.00', 'EUR'))
>>> lead.lose(LostReason.SEASONAL, at=t0 + timedelta(days=1))
Traceback (most recent call last):
...
salesflow.errors.InvalidField: come_back_on: got None, expected the date to come back: a seasonal lead carries it
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar, Final

import attrs

from salesflow import _check, _zones
from salesflow._aggregate import (
    SYSTEM,
    Fold,
    as_history,
    command,
    fold_checked,
    repeated_creation,
    replayed,
    restore,
)
from salesflow.errors import InvalidField, InvalidTransition, InvalidType
from salesflow.leads.lifecycle import _TABLE, LEAD_EVENTS, next_stage
from salesflow.leads.stage import LeadStage
from salesflow.money import Money

__all__ = [
    "DEFAULT_STAGE_FACTS",
    "LEAD_SCHEMA",
    "ActivityKind",
    "ActivityLogged",
    "ForecastCategory",
    "Lead",
    "LeadCreated",
    "LeadEvent",
    "LeadOutcome",
    "LeadQualified",
    "LeadSource",
    "LeadStageChanged",
    "LostReason",
    "Qualification",
    "QualificationOutcome",
    "StageFacts",
    "StageTime",
    "lead_event_from_dict",
    "lead_event_to_dict",
]

LEAD_SCHEMA: Final = "salesflow.lead/1"


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


class ForecastCategory(StrEnum):
    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMIT = "commit"
    CLOSED = "closed"


def _probability(_instance: Any, _attribute: Any, value: Any) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 1:
        raise InvalidField("probability", value, "a Decimal from 0 to 1", context="StageFacts")


def _to_forecast(value: Any) -> ForecastCategory:
    return _check.choice(ForecastCategory, "forecast", value, context="StageFacts")


@attrs.frozen
class StageFacts:
    """A stage's default win probability and forecast category."""

    probability: Decimal = attrs.field(validator=_probability)
    forecast: ForecastCategory = attrs.field(converter=_to_forecast)


_F = ForecastCategory
DEFAULT_STAGE_FACTS: Final[Mapping[LeadStage, StageFacts]] = MappingProxyType(
    {
        LeadStage.AWARENESS: StageFacts(Decimal("0.05"), _F.PIPELINE),
        LeadStage.INTEREST: StageFacts(Decimal("0.10"), _F.PIPELINE),
        LeadStage.CONSIDERATION: StageFacts(Decimal("0.30"), _F.BEST_CASE),
        LeadStage.DECISION: StageFacts(Decimal("0.60"), _F.COMMIT),
        LeadStage.CUSTOMER: StageFacts(Decimal("1"), _F.CLOSED),
        LeadStage.RETAINED: StageFacts(Decimal("1"), _F.CLOSED),
        LeadStage.LOST: StageFacts(Decimal("0"), _F.CLOSED),
    }
)
"""Default facts per stage (read-only); pass your own mapping to override any of them."""


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


# The event field -> the parameter of lose() and disqualify() that fills it.
_LOSE_NAMES: Final = MappingProxyType({"lost_reason": "reason", "reason": "note"})


@contextmanager
def _named(names: Mapping[str, str]) -> Iterator[None]:
    """Errors on an event field come out under the name of the verb's parameter."""
    try:
        yield
    except InvalidField as err:
        if err.field not in names:
            raise
        raise type(err)(names[err.field], err.value, err.expected) from None


def _version(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole("version", value, minimum=2, context=type(instance).__name__)


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
    version: int = attrs.field(validator=_version)
    event: str = attrs.field(validator=_stage_event)
    from_stage: LeadStage = attrs.field(converter=_to_from_stage)
    to_stage: LeadStage = attrs.field(converter=_to_to_stage)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    reason: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    lost_reason: LostReason | None = attrs.field(default=None, converter=_to_lost_reason)
    come_back_on: date | None = attrs.field(default=None)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)

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
    version: int = attrs.field(validator=_version)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)


@attrs.frozen(kw_only=True)
class ActivityLogged:
    """A sales activity on the lead (a call, a demo, a proposal...)."""

    event: ClassVar[str] = "log_activity"

    lead_id: str = attrs.field(validator=_check.text_field)
    version: int = attrs.field(validator=_version)
    kind: ActivityKind = attrs.field(converter=_to_activity)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    note: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)


LeadEvent = LeadCreated | LeadStageChanged | LeadQualified | ActivityLogged
"""Any event in a lead's history."""
_LEAD_EVENT_TYPES: Final = (LeadCreated, LeadStageChanged, LeadQualified, ActivityLogged)


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


def _to_stage(value: Any) -> LeadStage:
    return _check.choice(LeadStage, "stage", value, context="StageTime")


def _optional_aware(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        _check.aware_field(instance, attribute, value)


def _span(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not timedelta or value < timedelta(0):
        raise InvalidField("total", value, "a timedelta of zero or more", context="StageTime")


def _visits(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole("visits", value, minimum=1, context="StageTime")


@attrs.frozen
class StageTime:
    """Time a lead spent in one stage: first entered, last exited, latest entry, total."""

    stage: LeadStage = attrs.field(converter=_to_stage)
    first_entered: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    last_exited: datetime | None = attrs.field(validator=_optional_aware, eq=_zones.instant_key)
    latest_entered: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    total: timedelta = attrs.field(validator=_span)
    visits: int = attrs.field(validator=_visits)


@attrs.frozen
class LeadOutcome:
    """What a command produced: the new lead and the event to store.

    ``repeated`` is true when the idempotency key had already been applied.
    """

    lead: Lead
    event: LeadEvent
    repeated: bool = False


class _Fold(Fold):
    __slots__ = (
        "acted_by",
        "closer",
        "come_back_on",
        "keys",
        "last_at",
        "last_utc",
        "lost_from",
        "lost_note",
        "lost_reason",
        "qualification",
        "stage",
        "version",
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

    @property
    def qualified(self) -> bool:
        q = self.qualification
        return q is not None and q.outcome is QualificationOutcome.QUALIFIED

    def advance(self, lead_id: str, event: LeadEvent) -> None:
        if isinstance(event, LeadCreated):
            raise InvalidType("event", event, "a change; create comes first and only once")
        if event.lead_id != lead_id:
            raise InvalidField("lead_id", event.lead_id, f"{lead_id!r}, this lead's id")
        if event.version != self.version + 1:
            raise InvalidField("version", event.version, f"{self.version + 1}, the next version")
        # Ordered by the UTC instant: in a repeated hour a later change may read earlier.
        instant = _zones.utc(event.at)
        if instant < self.last_utc:
            raise InvalidField(
                "at", event.at, f"a time on or after the latest change ({self.last_at.isoformat()})"
            )
        if isinstance(event, LeadStageChanged):
            self._change_stage(event)
        elif isinstance(event, LeadQualified):
            if not self.stage.is_open:
                raise InvalidTransition(
                    self.stage.value, "qualify", self._allowed(), subject="a lead"
                )
            self.qualification = Qualification(
                QualificationOutcome.QUALIFIED, event.actor, event.at
            )
            self.was_qualified = True
        if event.actor != SYSTEM:
            self.acted_by = event.actor
        self.version = event.version
        self.last_at = event.at
        self.last_utc = instant

    def _allowed(self) -> frozenset[str]:
        return frozenset(_TABLE[(self.stage, (self.lost_from, self.qualified))])

    def _change_stage(self, event: LeadStageChanged) -> None:
        if event.from_stage is not self.stage:
            raise InvalidField(
                "from_stage", event.from_stage, f"{self.stage.value!r}, the current stage"
            )
        target = next_stage(
            self.stage, event.event, qualified=self.qualified, lost_from=self.lost_from
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
        if event.event == "win" and self.won_at is None:
            self.won_at = event.at
            self.closer = event.actor if event.actor != SYSTEM else None
        self.stage = target


# Event attributes recorded under another name than the verb's parameter.
_LOSING: Final = {"lost_reason": "reason", "reason": "note"}
_PARAMETERS: Final[Mapping[str, Mapping[str, str]]] = {"lose": _LOSING, "disqualify": _LOSING}


def _fold(events: Sequence[Any]) -> _Fold:
    changes = (LeadStageChanged, LeadQualified, ActivityLogged)
    return fold_checked(events, LeadCreated, changes, _Fold, "lead_id", field="history")


@attrs.frozen(repr=False)
class Lead:
    """A lead through its stages, immutable: every verb returns a new lead.

    A lead *is* its history; ``Lead(history)`` replays and checks it. Every
    verb takes ``at`` (timezone-aware, not before the latest change),
    ``actor``, an optional ``idempotency_key`` and ``expected_version``; a
    refused command raises and leaves the lead as it was.
    """

    history: tuple[LeadEvent, ...] = attrs.field(converter=as_history)
    _fold: _Fold = attrs.field(init=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_fold", _fold(self.history))

    # -- what the lead is --------------------------------------------------------

    @property
    def _created(self) -> LeadCreated:
        return self.history[0]  # type: ignore[return-value]

    @property
    def id(self) -> str:
        return self._created.lead_id

    @property
    def source(self) -> LeadSource:
        return self._created.source

    @property
    def deal_value(self) -> Money | None:
        return self._created.deal_value

    @property
    def created_at(self) -> datetime:
        return self._created.at

    @property
    def stage(self) -> LeadStage:
        return self._fold.stage

    @property
    def version(self) -> int:
        return self._fold.version

    @property
    def updated_at(self) -> datetime:
        return self._fold.last_at

    @property
    def qualification(self) -> Qualification | None:
        return self._fold.qualification

    @property
    def lost_reason(self) -> LostReason | None:
        """The active lost reason (cleared by reactivation; the history keeps it)."""
        return self._fold.lost_reason

    @property
    def lost_note(self) -> str | None:
        return self._fold.lost_note

    @property
    def come_back_on(self) -> date | None:
        return self._fold.come_back_on

    @property
    def lost_from(self) -> LeadStage | None:
        return self._fold.lost_from

    @property
    def activities(self) -> tuple[ActivityLogged, ...]:
        return tuple(e for e in self.history if isinstance(e, ActivityLogged))

    @property
    def won_at(self) -> datetime | None:
        """When the lead was won (the time of its win), or None while it is not."""
        return self._fold.won_at

    @property
    def was_qualified(self) -> bool:
        """Whether the lead was ever qualified (it may have been disqualified or lost since)."""
        return self._fold.was_qualified

    @property
    def closer(self) -> str | None:
        """Who won the lead (the actor of its win, unless the system recorded it), or None."""
        return self._fold.closer

    @property
    def manager(self) -> str | None:
        """The person this lead's figures are credited to on its own record.

        The closer of its win, else the latest person who acted on it (the
        system is nobody); None when only the system acted. Per-manager KPIs
        read this unless routing's :class:`~salesflow.routing.Ownership` is
        given, whose closer credit then decides.
        """
        return self._fold.closer or self._fold.acted_by

    @property
    def allowed_events(self) -> frozenset[str]:
        """Stage events allowed now (``qualify`` and ``log_activity`` aside)."""
        return self._fold._allowed()

    def __repr__(self) -> str:
        return f"<Lead {self.id} {self.stage.value} v{self.version}>"

    # -- creating and restoring ----------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        lead_id: str,
        source: LeadSource | str,
        at: datetime,
        deal_value: Money | None = None,
        actor: str = "system",
        idempotency_key: str | None = None,
        existing: Lead | None = None,
    ) -> LeadOutcome:
        """A new lead at awareness.

        A retried creation: pass the lead already stored for this request as
        ``existing`` (``None`` when there is none) with the same
        ``idempotency_key`` and arguments, and the original outcome comes back
        with ``repeated=True``; the same key with different arguments, or an
        ``existing`` lead created under another key, raises
        ``IdempotencyConflict``. ``at`` does not count.
        """
        event = LeadCreated(
            lead_id=lead_id,
            at=at,
            actor=actor,
            source=source,
            deal_value=deal_value,
            idempotency_key=idempotency_key,
        )
        if existing is not None:
            if not isinstance(existing, Lead):
                raise InvalidType("existing", existing, "the Lead already stored, or None")
            first = repeated_creation(
                f"lead {existing.id}",
                existing,
                idempotency_key,
                event,
                names={"lead_id": "lead_id"},
            )
            return LeadOutcome(existing, first, repeated=True)
        return LeadOutcome(cls((event,)), event)

    @classmethod
    def replay(cls, events: Iterable[LeadEvent]) -> Lead:
        return replayed(cls, events, "an iterable of lead events")

    # -- the verbs -----------------------------------------------------------------

    def advance(
        self,
        *,
        at: datetime,
        actor: str = "system",
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """One stage forward (awareness to decision)."""
        return self._stage(
            "advance",
            at,
            actor=actor,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def fast_track(
        self,
        *,
        at: datetime,
        actor: str = "system",
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """Straight to decision: only for a lead qualified as ready to buy (recorded as such)."""
        return self._stage(
            "fast_track",
            at,
            actor=actor,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def move_back(
        self,
        *,
        reason: str,
        at: datetime,
        actor: str = "system",
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """One stage back; the reason is required."""
        return self._stage(
            "move_back",
            at,
            reason=reason,
            actor=actor,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def win(
        self,
        *,
        at: datetime,
        actor: str = "system",
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """The first sale: the lead becomes a customer."""
        return self._stage(
            "win",
            at,
            actor=actor,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def repeat_purchase(
        self,
        *,
        at: datetime,
        actor: str = "system",
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """A customer bought again: retained."""
        return self._stage(
            "repeat_purchase",
            at,
            actor=actor,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def lose(
        self,
        reason: LostReason | str,
        *,
        at: datetime,
        come_back_on: date | None = None,
        note: str | None = None,
        actor: str = "system",
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """Lost from an open stage, with a structured reason (and a date to come back for
        not-ready and seasonal leads; a note for other)."""
        with _named(_LOSE_NAMES):
            return self._stage(
                "lose",
                at,
                lost_reason=reason,
                come_back_on=come_back_on,
                reason=note,
                actor=actor,
                idempotency_key=idempotency_key,
                expected_version=expected_version,
            )

    def disqualify(
        self,
        *,
        at: datetime,
        note: str | None = None,
        actor: str = "system",
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """Not target: recorded as the qualification outcome, and the lead is lost."""
        with _named(_LOSE_NAMES):
            return self._stage(
                "disqualify",
                at,
                lost_reason=LostReason.NOT_TARGET,
                reason=note,
                actor=actor,
                idempotency_key=idempotency_key,
                expected_version=expected_version,
            )

    def reactivate(
        self,
        *,
        at: datetime,
        actor: str = "system",
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """Back to the stage it was lost from; the active lost reason is cleared."""
        return self._stage(
            "reactivate",
            at,
            actor=actor,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def qualify(
        self,
        *,
        at: datetime,
        actor: str = "system",
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """Qualified: target and ready to buy (routing hands leads on this fact)."""
        return self._apply(
            "qualify",
            idempotency_key,
            expected_version,
            at,
            {"actor": actor},
            lambda version: LeadQualified(
                lead_id=self.id,
                version=version,
                at=at,
                actor=actor,
                idempotency_key=idempotency_key,
            ),
        )

    def log_activity(
        self,
        kind: ActivityKind | str,
        *,
        at: datetime,
        actor: str = "system",
        note: str | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """Record a sales activity (intro call, call, email, meeting, demo, proposal, follow-up)."""
        return self._apply(
            "log_activity",
            idempotency_key,
            expected_version,
            at,
            {"kind": kind, "note": note, "actor": actor},
            lambda version: ActivityLogged(
                lead_id=self.id,
                version=version,
                kind=kind,
                at=at,
                actor=actor,
                note=note,
                idempotency_key=idempotency_key,
            ),
        )

    def _stage(
        self,
        name: str,
        at: datetime,
        *,
        actor: str = "system",
        idempotency_key: str | None = None,
        expected_version: int | None = None,
        **content: Any,
    ) -> LeadOutcome:
        fold = self._fold

        def build(version: int) -> LeadStageChanged:
            target = next_stage(
                fold.stage, name, qualified=fold.qualified, lost_from=fold.lost_from
            )
            return LeadStageChanged(
                lead_id=self.id,
                version=version,
                event=name,
                from_stage=fold.stage,
                to_stage=target,
                at=at,
                actor=actor,
                idempotency_key=idempotency_key,
                **content,
            )

        arguments = {"actor": actor, **content}
        return self._apply(
            name,
            idempotency_key,
            expected_version,
            at,
            arguments,
            build,
            _PARAMETERS.get(name),
        )

    def _apply(
        self,
        name: str,
        key: str | None,
        expected: int | None,
        at: Any,
        arguments: dict[str, Any],
        build: Any,
        names: Mapping[str, str] | None = None,
    ) -> LeadOutcome:
        # A key binds the command and its business arguments (not ``at``: a
        # retry carries a later time); see docs/leads.md.
        return command(
            self,
            subject=f"lead {self.id}",
            identity=self.id,
            name=name,
            key=key,
            expected=expected,
            at=at,
            arguments=lambda _earlier: arguments,
            build=build,
            outcome=LeadOutcome,
            names=names,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives: the history, plus a summary for the host's queries."""
        return {
            "schema": LEAD_SCHEMA,
            "id": self.id,
            "stage": self.stage.value,
            "version": self.version,
            "history": [lead_event_to_dict(event) for event in self.history],
        }

    @classmethod
    def from_dict(cls, document: Any) -> Lead:
        """Rebuild from :meth:`to_dict`, replaying and checking every event.

        Refused: a document with a key :meth:`to_dict` does not write (named).
        """
        _check.only_keys("document", _check.mapping("document", document), _LEAD_KEYS)
        return restore(
            document,
            schema=LEAD_SCHEMA,
            parse=lead_event_from_dict,
            build=cls,
            summary=lambda lead: {
                "id": lead.id,
                "stage": lead.stage.value,
                "version": lead.version,
            },
        )

    # -- reading the history ----------------------------------------------------------

    def facts(self, facts: Mapping[LeadStage, StageFacts] = DEFAULT_STAGE_FACTS) -> StageFacts:
        """The current stage's win probability and forecast category."""
        if not isinstance(facts, Mapping):
            raise InvalidType("facts", facts, "a mapping of LeadStage to StageFacts")
        try:
            found = facts[self.stage]
        except (KeyError, TypeError):
            raise InvalidField(
                "facts", facts, f"StageFacts for every stage (none for {self.stage.value})"
            ) from None
        if not isinstance(found, StageFacts):
            raise InvalidType(f"facts[{self.stage.value!r}]", found, "StageFacts")
        return found

    def expected_value(
        self, facts: Mapping[LeadStage, StageFacts] = DEFAULT_STAGE_FACTS
    ) -> Money | None:
        """Deal value x the current stage's win probability (None without a deal value)."""
        if self.deal_value is None:
            return None
        return self.deal_value * self.facts(facts).probability

    def time_in_stages(self, now: datetime) -> dict[LeadStage, StageTime]:
        """Entered, exited, latest entry and cumulative time per stage visited, up to ``now``.

        The totals add up to the lead's age at ``now``. Durations are absolute
        (elapsed between UTC instants), whatever zones the times were given in:
        a day across a spring clock change is 23 hours.
        """
        _check.aware("now", now)
        if _zones.utc(now) < self._fold.last_utc:
            raise InvalidField(
                "now", now, f"a time on or after the latest change ({self.updated_at.isoformat()})"
            )
        spans: list[tuple[LeadStage, datetime, datetime | None]] = []
        stage, entered = LeadStage.AWARENESS, self.created_at
        for event in self.history[1:]:
            if isinstance(event, LeadStageChanged):
                spans.append((stage, entered, event.at))
                stage, entered = event.to_stage, event.at
        spans.append((stage, entered, None))
        result: dict[LeadStage, StageTime] = {}
        for stage, start, end in spans:
            spent = _zones.elapsed(start, now if end is None else end)
            earlier = result.get(stage)
            if earlier is None:
                result[stage] = StageTime(stage, start, end, start, spent, 1)
            else:
                result[stage] = StageTime(
                    stage,
                    earlier.first_entered,
                    end,
                    start,
                    earlier.total + spent,
                    earlier.visits + 1,
                )
        return result

    def stalled(self, now: datetime, threshold: timedelta) -> LeadStage | None:
        """The open stage the lead has sat in longer than ``threshold`` since entering it, if any."""
        if not isinstance(threshold, timedelta) or threshold <= timedelta(0):
            raise InvalidField("threshold", threshold, "a positive timedelta")
        current = self.time_in_stages(now)[self.stage]
        if self.stage.is_open and _zones.elapsed(current.latest_entered, now) > threshold:
            return self.stage
        return None


_LEAD_KEYS: Final = frozenset({"schema", "id", "stage", "version", "history"})


# -- serialisation ------------------------------------------------------------------

_EVENT_TYPES: Final[dict[str, type[Any]]] = {
    "create": LeadCreated,
    "qualify": LeadQualified,
    "log_activity": ActivityLogged,
}
_PARSERS: Final[dict[str, Any]] = {
    "at": _check.parse_datetime,
    "come_back_on": _check.parse_date,
    "deal_value": lambda field, value: Money.from_dict(value, field=field),
}


def _primitive(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Money):
        return value.to_dict()
    return value


def lead_event_to_dict(event: LeadEvent) -> dict[str, Any]:
    """JSON-compatible primitives; fields that are None are left out."""
    if not isinstance(event, _LEAD_EVENT_TYPES):
        raise InvalidType(
            "event",
            event,
            "a lead event (LeadCreated, LeadStageChanged, LeadQualified, ActivityLogged)",
        )
    document: dict[str, Any] = {"event": event.event}
    if isinstance(event, LeadCreated):
        document["version"] = 1
    for field in attrs.fields(type(event)):
        value = getattr(event, field.name)
        if value is not None:
            document[field.name] = _primitive(value)
    return document


def lead_event_from_dict(document: Any, *, field: str = "event") -> LeadEvent:
    """Rebuild an event from :func:`lead_event_to_dict`; malformed input raises ``InvalidField``."""
    doc = _check.mapping(field, document)
    name = _check.key(field, doc, "event")
    kind = _EVENT_TYPES.get(name, LeadStageChanged) if isinstance(name, str) else None
    if kind is None:
        raise InvalidField(f"{field}.event", name, "an event name")
    names = {f.name for f in attrs.fields(kind)}
    extra = set(doc) - names - {"event", "version"}
    if extra:
        raise InvalidField(field, sorted(extra), f"only the keys {', '.join(sorted(names))}")
    if kind is LeadCreated and "version" in doc and type(doc["version"]) is not int:
        raise InvalidType(f"{field}.version", doc["version"], "1 for a create event")
    if kind is LeadCreated and doc.get("version", 1) != 1:
        raise InvalidField(f"{field}.version", doc.get("version"), "1 for a create event")
    values = {}
    for key, value in doc.items():
        if key == "event" and kind is not LeadStageChanged:
            continue
        if key == "version" and kind is LeadCreated:
            continue
        parser = _PARSERS.get(key)
        values[key] = parser(f"{field}.{key}", value) if parser and value is not None else value
    _check.required_keys(field, values, kind)
    try:
        event: LeadEvent = kind(**values)
    except InvalidField as err:
        raise type(err)(f"{field}.{err.field}", err.value, err.expected) from None
    rebuilt = lead_event_to_dict(event)
    if kind is LeadCreated and "version" not in doc:
        del rebuilt["version"]  # the first event's version is always 1
    _check.same_document(field, doc, rebuilt, why="as the event written by lead_event_to_dict")
    return event
