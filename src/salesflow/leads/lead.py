"""The Lead aggregate: an immutable lead whose every change is an event (see docs/leads.md).

>>> from datetime import datetime, timezone
>>> from salesflow.leads import Lead
>>> at = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
>>> Lead.create(lead_id="L-1", source="inbound", at=at).lead.qualify(at=at, actor="sam").lead
<Lead L-1 awareness v2>
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, ClassVar, Final

import attrs

from salesflow import _check, _snapshot, _zones
from salesflow._aggregate import (
    SYSTEM,
    Aggregate,
    as_history,
    command,
    fold_checked,
    repeated_creation,
    replayed,
    restore,
    restore_snapshot,
)
from salesflow._durations import Durations
from salesflow.errors import ClockConflict, InvalidField, InvalidType
from salesflow.leads import _state
from salesflow.leads._state import LeadFold
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
    event_from_dict,
)
from salesflow.leads.facts import DEFAULT_STAGE_FACTS, StageFacts
from salesflow.leads.lifecycle import TRANSITIONS
from salesflow.leads.stage import LeadStage
from salesflow.money import Money

__all__ = ["SCHEMA", "SNAPSHOT_SCHEMA", "Lead", "LeadOutcome"]

SCHEMA: Final = "salesflow.lead/1"
"""The ``schema`` of a :meth:`Lead.to_dict` document."""

SNAPSHOT_SCHEMA: Final = "salesflow.lead-snapshot/1"
"""The ``schema`` of a :meth:`Lead.to_snapshot` document."""


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


@attrs.frozen
class LeadOutcome:
    """What a command produced: the new lead and the event to store.

    ``repeated`` is true when the idempotency key had already been applied.
    """

    lead: Lead
    event: LeadEvent
    repeated: bool = False


# The content each stage verb records on its event, in the order a conflict is named.
_CONTENT: Final[Mapping[str, tuple[str, ...]]] = {
    "move_back": ("reason",),
    "lose": ("lost_reason", "come_back_on", "reason"),
    "disqualify": ("lost_reason", "reason"),
}
# Event attributes recorded under another name than the verb's parameter.
_PARAMETERS: Final[Mapping[str, Mapping[str, str]]] = {
    "lose": _LOSE_NAMES,
    "disqualify": _LOSE_NAMES,
}


def _fold_history(events: Sequence[Any]) -> LeadFold:
    changes = (LeadStageChanged, LeadQualified, ActivityLogged)
    return fold_checked(events, LeadCreated, changes, LeadFold, "lead_id")


@attrs.frozen(repr=False)
class Lead(Aggregate):
    """A lead through its stages, immutable: every verb returns a new lead.

    A lead *is* its history; ``Lead(history)`` replays and checks it. Every
    verb takes ``at`` (timezone-aware, not before the latest change),
    ``actor``, an optional ``idempotency_key`` and ``expected_version``; a
    refused command raises and leaves the lead as it was.
    """

    SCHEMA: ClassVar[str] = SCHEMA
    """The ``schema`` of a :meth:`to_dict` document."""

    history: tuple[LeadEvent, ...] = attrs.field(converter=as_history)
    _fold: LeadFold = attrs.field(init=False, eq=False, hash=False)
    # The digest of the snapshot it was restored from ("" with its whole history).
    _origin: str = attrs.field(init=False, default="", repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_fold", _fold_history(self.history))

    # -- what the lead is --------------------------------------------------------

    @property
    def _created(self) -> LeadCreated:
        return self._fold.first  # type: ignore[no-any-return]

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
        """Every logged activity, oldest first (read from the whole history)."""
        self._whole("activities")
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
        given, whose :attr:`~salesflow.routing.Ownership.sales_credit` then decides.
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
        actor: str = SYSTEM,
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
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """One stage forward (awareness to decision)."""
        return self._change_stage(
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
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """Straight to decision: only for a lead qualified as ready to buy (recorded as such)."""
        return self._change_stage(
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
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """One stage back; the reason is required."""
        return self._change_stage(
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
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """The first sale: the lead becomes a customer."""
        return self._change_stage(
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
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """A customer bought again: retained."""
        return self._change_stage(
            "repeat_purchase",
            at,
            actor=actor,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def lose(
        self,
        *,
        reason: LostReason | str,
        at: datetime,
        come_back_on: date | None = None,
        note: str | None = None,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """Lost from an open stage, with a structured reason (and a date to come back for
        not-ready and seasonal leads; a note for other)."""
        with _named(_LOSE_NAMES):
            return self._change_stage(
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
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """Not target: recorded as the qualification outcome, and the lead is lost."""
        with _named(_LOSE_NAMES):
            return self._change_stage(
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
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """Back to the stage it was lost from; the active lost reason is cleared."""
        return self._change_stage(
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
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """Qualified: target and ready to buy (routing hands leads on this fact)."""
        return self._change(
            "qualify",
            at,
            idempotency_key,
            expected_version,
            arguments={"actor": actor},
            build=lambda version: LeadQualified(
                lead_id=self.id,
                version=version,
                at=at,
                actor=actor,
                idempotency_key=idempotency_key,
            ),
        )

    def log_activity(
        self,
        *,
        kind: ActivityKind | str,
        at: datetime,
        actor: str = SYSTEM,
        note: str | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> LeadOutcome:
        """Record a sales activity (intro call, call, email, meeting, demo, proposal, follow-up)."""
        return self._change(
            "log_activity",
            at,
            idempotency_key,
            expected_version,
            arguments={"kind": kind, "note": note, "actor": actor},
            build=lambda version: ActivityLogged(
                lead_id=self.id,
                version=version,
                kind=kind,
                at=at,
                actor=actor,
                note=note,
                idempotency_key=idempotency_key,
            ),
        )

    def _change_stage(
        self,
        name: str,
        at: datetime,
        *,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
        reason: str | None = None,
        lost_reason: LostReason | str | None = None,
        come_back_on: date | None = None,
    ) -> LeadOutcome:
        fold = self._fold
        given = {"lost_reason": lost_reason, "come_back_on": come_back_on, "reason": reason}
        content: dict[str, Any] = {field: given[field] for field in _CONTENT.get(name, ())}

        def build(version: int) -> LeadStageChanged:
            target = TRANSITIONS.next((fold.stage, (fold.lost_from, fold.qualified)), name)
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

        return self._change(
            name,
            at,
            idempotency_key,
            expected_version,
            arguments={"actor": actor, **content},
            build=build,
            names=_PARAMETERS.get(name),
        )

    def _change(
        self,
        name: str,
        at: datetime,
        idempotency_key: str | None,
        expected_version: int | None,
        *,
        arguments: dict[str, Any],
        build: Callable[[int], LeadEvent],
        names: Mapping[str, str] | None = None,
    ) -> LeadOutcome:
        """One verb through the one command pipeline, :func:`salesflow._aggregate.command`."""
        # A key binds the command and its business arguments (not ``at``: a
        # retry carries a later time); see docs/leads.md.
        return command(
            self,
            subject=f"lead {self.id}",
            identity=self.id,
            name=name,
            key=idempotency_key,
            expected=expected_version,
            at=at,
            arguments=lambda _earlier: arguments,
            build=build,
            outcome=LeadOutcome,
            names=names,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives: the history, plus a summary for the host's queries.

        Refused on one restored from a snapshot (it has no whole history to write).
        """
        self._whole("to_dict")
        return {
            "schema": SCHEMA,
            "id": self.id,
            "stage": self.stage.value,
            "version": self.version,
            "history": [event.to_dict() for event in self.history],
        }

    @classmethod
    def from_dict(cls, document: Any) -> Lead:
        """Rebuild from :meth:`to_dict`, replaying and checking every event.

        Refused: a document with a key :meth:`to_dict` does not write (named).
        """
        return restore(
            document,
            schema=SCHEMA,
            keys=_SUMMARY_KEYS,
            parse=event_from_dict,
            build=cls,
            summary=_summary,
        )

    def to_snapshot(self) -> dict[str, Any]:
        """What the next command needs, as JSON primitives, sealed by a digest.

        Restore with :meth:`from_snapshot` in time independent of how many
        activities the lead has; see :meth:`Order.to_snapshot
        <salesflow.orders.Order.to_snapshot>` and docs/orders.md ("Snapshots").
        """
        fold = self._fold
        first = fold.recent.first if fold.recent is not None else self._created.to_dict()
        return _snapshot.write(
            schema=SNAPSHOT_SCHEMA,
            identity=("id", self.id),
            fold=fold,
            history=self.history,
            state=_state.state(fold),
            first=first,
            needed=_state.needed(fold),
        )

    @classmethod
    def from_snapshot(cls, snapshot: Any, *, tail: Iterable[Any] = ()) -> Lead:
        """The lead a :meth:`to_snapshot` document describes, with the events stored after it.

        ``tail`` holds those events (objects or their ``to_dict()`` forms) in
        version order, each checked as :meth:`replay` checks it; an altered,
        malformed or inconsistent snapshot is refused naming the path. Readings
        of the whole history (``activities``, ``time_in_stages``) ask for
        :meth:`replay`.
        """
        return restore_snapshot(
            cls,
            snapshot,
            tail,
            schema=SNAPSHOT_SCHEMA,
            identity="id",
            parse=event_from_dict,
            first=LeadCreated,
            changes=(LeadStageChanged, LeadQualified, ActivityLogged),
            fold=_state.restored,
            sealed=_state.created,
            needed=_state.needed,
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

    def stage_visits(self, stage: LeadStage | str) -> tuple[tuple[datetime, datetime | None], ...]:
        """Each visit to ``stage`` in order: (entered, exited), exited None while still in it.

        The times are those of the events, as given; ``()`` for a stage never visited.
        """
        wanted = _check.choice(LeadStage, "stage", stage)
        return tuple((start, end) for visited, start, end in self._visits() if visited is wanted)

    def time_in_stages(self, now: datetime) -> Mapping[LeadStage, Durations]:
        """Time in each stage visited, up to ``now``: one span per visit (``counted="visits"``).

        ``count`` is the number of visits, ``total`` the cumulative time, and
        ``ongoing`` is 1 for the stage the lead is in at ``now``. The totals add
        up to the lead's age at ``now``. Durations are absolute (elapsed between
        UTC instants), whatever zones the times were given in: a day across a
        spring clock change is 23 hours. :meth:`stage_visits` gives the times.
        """
        self._check_now(now)
        spans: dict[LeadStage, list[timedelta]] = {}
        for stage, start, end in self._visits():
            spans.setdefault(stage, []).append(_zones.elapsed(start, now if end is None else end))
        return {
            stage: Durations(
                f"time in {stage.value}",
                "this lead's visits",
                "sum of the visits (the ongoing one up to now)",
                visits,
                counted="visits",
                ongoing=1 if stage is self.stage else 0,
            )
            for stage, visits in spans.items()
        }

    def _check_now(self, now: Any) -> None:
        _check.aware("now", now)
        if _zones.utc(now) < self._fold.last_utc:
            raise ClockConflict(
                "now",
                now,
                f"a time on or after the latest change ({self.updated_at.isoformat()})",
                latest=self.updated_at,
            )

    def _visits(self) -> list[tuple[LeadStage, datetime, datetime | None]]:
        self._whole("stage visits")
        visits: list[tuple[LeadStage, datetime, datetime | None]] = []
        stage, entered = LeadStage.AWARENESS, self.created_at
        for event in self.history[1:]:
            if isinstance(event, LeadStageChanged):
                visits.append((stage, entered, event.at))
                stage, entered = event.to_stage, event.at
        visits.append((stage, entered, None))
        return visits

    def stalled(self, now: datetime, threshold: timedelta) -> LeadStage | None:
        """The open stage the lead has sat in longer than ``threshold`` since entering it, if any."""
        if not isinstance(threshold, timedelta) or threshold <= timedelta(0):
            raise InvalidField("threshold", threshold, "a positive timedelta")
        self._check_now(now)
        if self.stage.is_open and _zones.elapsed(self._visits()[-1][1], now) > threshold:
            return self.stage
        return None

    @property
    def had_intro_call(self) -> bool:
        """Whether an intro call was ever logged (lead conversion's activity variants read it)."""
        return self._fold.intro_call

    @property
    def had_demo(self) -> bool:
        return self._fold.demo

    @property
    def demo_after_intro_call(self) -> bool:
        """Whether a demo was logged after an intro call (in history order)."""
        return self._fold.demo_after_intro_call

    @property
    def lost_after_demo(self) -> bool:
        """Whether it was lost or disqualified after a demo (still true once reactivated)."""
        return self._fold.lost_after_demo

    def credited_activities(self, *, manager: str | None) -> tuple[tuple[str, ActivityLogged], ...]:
        """Each logged activity with who it counts for: its actor; for one the system logged,
        ``manager`` (``lead.manager``, or routing's ``Ownership.sales_credit``), and with
        no manager (None) nobody: it is left out. A ``manager`` not a string is refused."""
        if manager is not None:
            _check.text("manager", manager)
        self._whole("credited_activities")
        return tuple(
            (person, event)
            for event in self.history
            if isinstance(event, ActivityLogged)
            and (person := manager if event.actor == SYSTEM else event.actor) is not None
        )

    def apply(self, command: Any) -> LeadOutcome:
        """Run ``command`` (a :class:`salesflow.Command` changing a lead) on this lead.

        Refused, naming ``command``: anything but a lead change (create with
        ``command.apply(existing)``).
        """
        from salesflow.commands import Command  # here: commands imports this module

        return Command._on(self, command)


_SUMMARY_KEYS: Final = ("id", "stage", "version")


def _summary(lead: Lead) -> dict[str, Any]:
    return {"id": lead.id, "stage": lead.stage.value, "version": lead.version}
