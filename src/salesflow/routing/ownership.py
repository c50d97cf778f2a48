"""The Ownership aggregate: who owns a lead, in which role, and who owned it before.

Rules and longer examples: docs/routing.md ("Handoffs between roles").

>>> from datetime import datetime, timezone
>>> from salesflow.routing import Ownership
>>> t0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
>>> record = Ownership.start(lead_id="L-1", role="qualifier", person="quinn", at=t0).ownership
>>> record = record.hand_off(to_role="closer", to_person="cleo", at=t0).ownership
>>> record = record.accept(at=t0).ownership
>>> record.person, record.credited("qualifier")
('cleo', 'quinn')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, Final

import attrs

from salesflow import _check, _snapshot
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
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads import Lead, LeadStage
from salesflow.routing import _state
from salesflow.routing._state import CLOSING, Handoff, OwnershipFold
from salesflow.routing.events import (
    HandoffAccepted,
    HandoffExpired,
    HandoffRejected,
    HandoffSubmitted,
    HandoffWithdrawn,
    OwnerAssigned,
    OwnershipEvent,
    RejectReason,
    event_from_dict,
)
from salesflow.routing.lifecycle import TRANSITIONS, HandoffStatus
from salesflow.routing.models import Role, SalesModel, owner_of

__all__ = ["SCHEMA", "SNAPSHOT_SCHEMA", "Handoff", "Ownership", "OwnershipOutcome", "needs_handoff"]

SCHEMA: Final = "salesflow.ownership/1"
"""The ``schema`` tag of :meth:`Ownership.to_dict` documents."""

SNAPSHOT_SCHEMA: Final = "salesflow.ownership-snapshot/1"
"""The ``schema`` tag of :meth:`Ownership.to_snapshot` documents."""


@attrs.frozen
class OwnershipOutcome:
    """What a command produced: the new record and the event to store.

    ``repeated`` is true when the idempotency key had already been applied.
    """

    ownership: Ownership
    event: OwnershipEvent
    repeated: bool = False


def _fold_history(events: Sequence[Any]) -> OwnershipFold:
    changes = (OwnerAssigned, HandoffSubmitted, *CLOSING)
    return fold_checked(events, OwnerAssigned, changes, OwnershipFold, "lead_id")


# -- the aggregate ------------------------------------------------------------------


@attrs.frozen(repr=False)
class Ownership(Aggregate):
    """The routing record of one lead: who owns it, in which role, and who did before.

    It *is* its history; ``Ownership(history)`` replays and checks it. Every
    verb takes ``at`` (timezone-aware, not before the latest change),
    ``actor``, an optional ``idempotency_key`` and ``expected_version``; a
    refused command raises and leaves the record as it was. One handoff may be
    pending at a time, and while it is the owner cannot change otherwise.
    """

    SCHEMA: ClassVar[str] = SCHEMA
    """The ``schema`` tag of :meth:`to_dict` documents."""

    history: tuple[OwnershipEvent, ...] = attrs.field(converter=as_history)
    _fold: OwnershipFold = attrs.field(init=False, eq=False, hash=False)
    # The digest of the snapshot it was restored from ("" with its whole history).
    _origin: str = attrs.field(init=False, default="", repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_fold", _fold_history(self.history))

    # -- what the record says ----------------------------------------------------------

    @property
    def lead_id(self) -> str:
        return self._fold.lead_id

    @property
    def role(self) -> Role:
        """The role that holds the lead now (the receiving role while a handoff is pending)."""
        return self._fold.role

    @property
    def person(self) -> str | None:
        """The owner now; ``None`` while the lead waits in a role's queue or a pending handoff."""
        return self._fold.person

    @property
    def pending(self) -> HandoffSubmitted | None:
        """The open handoff, if any."""
        return self._fold.pending

    @property
    def handoffs(self) -> tuple[Handoff, ...]:
        """Every handoff so far, oldest first, with its status."""
        return self._fold.handoffs

    @property
    def owners(self) -> Mapping[Role, tuple[str, ...]]:
        """Per role, the people who owned the lead there, in order (a return is no new spell)."""
        return MappingProxyType(self._fold.owners)

    @property
    def allowed_events(self) -> frozenset[str]:
        """The handoff events this record accepts now (none unless a handoff is pending)."""
        if self._fold.pending is None:
            return frozenset()
        return TRANSITIONS.allowed((HandoffStatus.SUBMITTED, None))

    def credited(self, role: Role | str) -> str | None:
        """The last person who owned the lead in ``role`` (the closer keeps the sale's credit).

        ``None`` when nobody owned it in that role. Refused: a ``role`` that is not a
        :class:`~salesflow.routing.Role` (or its value), named as ``role``.
        """
        spells = self._fold.owners.get(_check.choice(Role, "role", role), ())
        return spells[-1] if spells else None

    def __repr__(self) -> str:
        who = self.person or "queue"
        return f"<Ownership {self.lead_id} {self.role.value}:{who} v{self.version}>"

    # -- creating and restoring --------------------------------------------------------

    @classmethod
    def start(
        cls,
        *,
        lead_id: str,
        role: Role | str,
        at: datetime,
        person: str | None = None,
        actor: str = SYSTEM,
        note: str | None = None,
        idempotency_key: str | None = None,
        existing: Ownership | None = None,
    ) -> OwnershipOutcome:
        """A new record: the lead starts with ``person`` in ``role`` (``None``: the role's queue).

        A retried start: pass the record already stored for this request as
        ``existing`` with the same ``idempotency_key`` and arguments, and the
        original outcome comes back with ``repeated=True``; different
        arguments, or a record started under another key, raise
        ``IdempotencyConflict`` (as ``Order.place`` and ``Lead.create`` do).
        """
        event = OwnerAssigned(
            lead_id=lead_id,
            version=1,
            event="start",
            role=role,
            person=person,
            at=at,
            actor=actor,
            note=note,
            idempotency_key=idempotency_key,
        )
        if existing is not None:
            if not isinstance(existing, Ownership):
                raise InvalidType("existing", existing, "the Ownership already stored, or None")
            first = repeated_creation(
                f"ownership of lead {existing.lead_id}",
                existing,
                idempotency_key,
                event,
                ignore=("version", "event"),
            )
            return OwnershipOutcome(existing, first, repeated=True)
        return OwnershipOutcome(cls((event,)), event)

    @classmethod
    def replay(cls, events: Iterable[OwnershipEvent]) -> Ownership:
        return replayed(cls, events, "an iterable of ownership events")

    # -- the verbs ---------------------------------------------------------------------

    def reassign(
        self,
        *,
        person: str,
        at: datetime,
        note: str | None = None,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OwnershipOutcome:
        """Another person of the current role takes the lead (also: someone claims it from the queue)."""
        return self._change_owner(
            "reassign",
            self.role,
            person,
            at,
            note,
            actor=actor,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def transfer(
        self,
        *,
        role: Role | str,
        at: datetime,
        person: str | None = None,
        note: str | None = None,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OwnershipOutcome:
        """Straight to another role with no handoff (a re-routing, an admin's fix).

        ``person`` takes it there; ``None`` puts it in that role's queue.
        """
        return self._change_owner(
            "transfer",
            role,
            person,
            at,
            note,
            actor=actor,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def hand_off(
        self,
        *,
        to_role: Role | str,
        at: datetime,
        to_person: str | None = None,
        expires_at: datetime | None = None,
        note: str | None = None,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OwnershipOutcome:
        """Submit a handoff to ``to_role`` (to ``to_person``, or the role's queue).

        The lead waits in ``to_role`` with no owner until the handoff is
        accepted; a rejection, expiry or withdrawal returns it to the sender.
        """
        fold = self._fold

        def build(version: int) -> HandoffSubmitted:
            return HandoffSubmitted(
                lead_id=self.lead_id,
                version=version,
                from_role=fold.role,
                to_role=to_role,
                from_person=fold.person,
                to_person=to_person,
                at=at,
                actor=actor,
                expires_at=expires_at,
                note=note,
                idempotency_key=idempotency_key,
            )

        arguments = {
            "to_role": to_role,
            "to_person": to_person,
            "expires_at": expires_at,
            "note": note,
            "actor": actor,
        }
        return self._change(
            "hand_off",
            at,
            idempotency_key,
            expected_version,
            arguments=lambda _: arguments,
            build=build,
        )

    def accept(
        self,
        *,
        at: datetime,
        person: str | None = None,
        actor: str | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OwnershipOutcome:
        """The receiving role accepts the pending handoff; ``person`` owns the lead.

        ``person`` defaults to the one the handoff was offered to, and must be
        that person when one was named; a handoff to a queue needs it.
        ``actor`` defaults to ``None``, meaning the person receiving the lead
        (who accepts is, unless told otherwise, the one who takes it).
        Refused at or after the handoff's deadline.
        """

        def build(version: int) -> HandoffAccepted:
            pending = self._fold.need_pending("accept")
            taker = pending.to_person if person is None else person
            if taker is None:
                raise InvalidField(
                    "person",
                    None,
                    f"who accepts: the handoff went to the {pending.to_role.value} queue",
                )
            return HandoffAccepted(
                lead_id=self.lead_id,
                version=version,
                handoff=pending.version,
                person=taker,
                at=at,
                actor=taker if actor is None else actor,
                idempotency_key=idempotency_key,
            )

        def arguments(earlier: Any) -> dict[str, Any]:
            # Defaults resolved as they were then: the person the handoff was offered to.
            offered = self._fold.submitted(earlier.handoff)
            taker = getattr(offered, "to_person", None) if person is None else person
            return {"person": taker, "actor": taker if actor is None else actor}

        return self._change(
            "accept", at, idempotency_key, expected_version, arguments=arguments, build=build
        )

    def reject(
        self,
        *,
        reason: RejectReason | str,
        at: datetime,
        note: str | None = None,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OwnershipOutcome:
        """Send the pending handoff back with a structured reason (``other`` needs a note).

        The lead returns to the sending role and person. Refused at or after the deadline.
        """
        return self._change_close(
            HandoffRejected,
            at,
            {"reason": reason, "note": note},
            actor=actor,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def expire(
        self,
        *,
        at: datetime,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OwnershipOutcome:
        """The pending handoff ran out: only at or after its ``expires_at``.

        The lead returns to the sending role and person.
        """
        return self._change_close(
            HandoffExpired,
            at,
            {},
            actor=actor,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def withdraw(
        self,
        *,
        at: datetime,
        note: str | None = None,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OwnershipOutcome:
        """The sender takes the pending handoff back; the lead returns to them."""
        return self._change_close(
            HandoffWithdrawn,
            at,
            {"note": note},
            actor=actor,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    def _change_close(
        self,
        kind: type[HandoffRejected | HandoffExpired | HandoffWithdrawn],
        at: datetime,
        content: dict[str, Any],
        *,
        actor: str,
        idempotency_key: str | None,
        expected_version: int | None,
    ) -> OwnershipOutcome:
        """A command that closes the pending handoff; ``content`` is the event's own fields."""

        def build(version: int) -> OwnershipEvent:
            pending = self._fold.need_pending(kind.event)
            return kind(
                lead_id=self.lead_id,
                version=version,
                handoff=pending.version,
                at=at,
                actor=actor,
                idempotency_key=idempotency_key,
                **content,
            )

        arguments = {"actor": actor, **content}
        return self._change(
            kind.event,
            at,
            idempotency_key,
            expected_version,
            arguments=lambda _: arguments,
            build=build,
        )

    def _change_owner(
        self,
        name: str,
        role: Role | str,
        person: str | None,
        at: datetime,
        note: str | None,
        *,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OwnershipOutcome:
        def build(version: int) -> OwnerAssigned:
            return OwnerAssigned(
                lead_id=self.lead_id,
                version=version,
                event=name,
                role=role,
                person=person,
                at=at,
                actor=actor,
                note=note,
                idempotency_key=idempotency_key,
            )

        arguments: dict[str, Any] = {"person": person, "note": note, "actor": actor}
        if name != "reassign":  # reassign's role is the lead's role then, not an argument
            arguments["role"] = role
        return self._change(
            name, at, idempotency_key, expected_version, arguments=lambda _: arguments, build=build
        )

    def _change(
        self,
        name: str,
        at: datetime,
        idempotency_key: str | None,
        expected_version: int | None,
        *,
        arguments: Callable[[Any], dict[str, Any]],
        build: Callable[[int], OwnershipEvent],
    ) -> OwnershipOutcome:
        """One verb through the one command pipeline, :func:`salesflow._aggregate.command`."""
        # A key binds the command and its business arguments (not ``at``: a
        # retry carries a later time); see docs/routing.md.
        return command(
            self,
            subject=f"ownership of lead {self.lead_id}",
            identity=self.lead_id,
            name=name,
            key=idempotency_key,
            expected=expected_version,
            at=at,
            arguments=arguments,
            build=build,
            outcome=OwnershipOutcome,
        )

    # -- serialisation -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives: the history, plus a summary for the host's queries.

        Refused on one restored from a snapshot (it has no whole history to write).
        """
        self._whole("to_dict")
        return {
            "schema": SCHEMA,
            **_summary(self),
            "history": [event.to_dict() for event in self.history],
        }

    @classmethod
    def from_dict(cls, document: Any) -> Ownership:
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

        Restore with :meth:`from_snapshot`; see docs/orders.md ("Snapshots").
        """
        fold = self._fold
        first = fold.recent.first if fold.recent is not None else fold.first.to_dict()
        return _snapshot.write(
            schema=SNAPSHOT_SCHEMA,
            identity=("lead_id", self.lead_id),
            fold=fold,
            history=self.history,
            state=_state.state(fold),
            first=first,
            needed=_state.needed(fold),
        )

    @classmethod
    def from_snapshot(cls, snapshot: Any, *, tail: Iterable[Any] = ()) -> Ownership:
        """The record a :meth:`to_snapshot` document describes, with the events stored after it.

        ``tail`` holds those events (objects or their ``to_dict()`` forms) in
        version order, each checked as :meth:`replay` checks it; an altered,
        malformed or inconsistent snapshot is refused naming the path.
        """
        return restore_snapshot(
            cls,
            snapshot,
            tail,
            schema=SNAPSHOT_SCHEMA,
            identity="lead_id",
            parse=event_from_dict,
            first=OwnerAssigned,
            changes=(OwnerAssigned, HandoffSubmitted, *CLOSING),
            fold=_state.restored,
            sealed=_state.assigned,
            needed=_state.needed,
        )

    # -- what the record credits -------------------------------------------------------

    @property
    def sales_credit(self) -> str | None:
        """Who the lead's sale is credited to: the closer who owned it, else its manager.

        Whatever the sales model, the person who owned the lead in the role that
        makes the sale: the last closer (two- and three-tier models, where a
        qualifier only qualifies and an account manager grows the customer after
        the first sale), else, with no closer, the last one-tier manager.
        ``None`` when nobody owned the lead in either role (still with a
        qualifier, or only in a queue): per-manager KPIs count it as unassigned.

        >>> from datetime import datetime, timezone
        >>> t0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
        >>> Ownership.start(lead_id="L-3", role="manager", person="sam", at=t0).ownership.sales_credit
        'sam'
        """
        owners = self._fold.owners
        for role in _SELLING_ROLES:
            spells = owners.get(role, ())
            if spells:
                return spells[-1]
        return None

    def apply(self, command: Any) -> OwnershipOutcome:
        """Run ``command`` (a :class:`salesflow.Command` changing an ownership record) on it.

        Refused, naming ``command``: anything but an ownership change (start
        with ``command.apply(existing)``).
        """
        from salesflow.commands import Command  # here: commands imports this module

        return Command._on(self, command)


_SELLING_ROLES: Final = (Role.CLOSER, Role.MANAGER)
"""The roles that make a lead's sale, the closer first (see :attr:`Ownership.sales_credit`)."""

_SUMMARY_KEYS: Final = ("lead_id", "role", "person", "pending", "version")


def _summary(ownership: Ownership) -> dict[str, Any]:
    pending = ownership.pending
    return {
        "lead_id": ownership.lead_id,
        "role": ownership.role.value,
        "person": ownership.person,
        "pending": None if pending is None else pending.version,
        "version": ownership.version,
    }


def needs_handoff(model: SalesModel | str, lead: Lead, ownership: Ownership) -> Role | None:
    """The role that should own ``lead`` now under ``model``, when a handoff is due.

    ``None`` when the record's role is already right, a handoff is pending
    (wait for it to settle) or the lead is lost (nobody works it).

    >>> from datetime import datetime, timezone
    >>> from salesflow.leads import Lead
    >>> from salesflow.routing import Ownership, needs_handoff
    >>> t0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> lead = Lead.create(lead_id="L-2", source="inbound", at=t0).lead
    >>> record = Ownership.start(lead_id="L-2", role="qualifier", person="quinn", at=t0).ownership
    >>> needs_handoff("three_tier", lead, record) is None
    True
    >>> needs_handoff("three_tier", lead.qualify(at=t0).lead, record)
    <Role.CLOSER: 'closer'>
    """
    if not isinstance(lead, Lead):
        raise InvalidType("lead", lead, "a Lead")
    if not isinstance(ownership, Ownership):
        raise InvalidType("ownership", ownership, "an Ownership")
    if ownership.lead_id != lead.id:
        raise InvalidField(
            "ownership", ownership.lead_id, f"the ownership record of lead {lead.id!r}"
        )
    role = owner_of(model, lead)
    if ownership.pending is not None or lead.stage is LeadStage.LOST or role is ownership.role:
        return None
    return role
