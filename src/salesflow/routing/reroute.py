"""Re-routing open leads when a shop changes its sales model.

:func:`reroute` decides which role owns each open lead under the new model and
returns a :class:`RerouteReport` of :class:`RoleTransfer` values that the host
applies one by one (:meth:`RoleTransfer.apply`); it changes nothing itself
(docs/routing.md, "Changing the model").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, cast

import attrs

from salesflow import _check
from salesflow._aggregate import check_expected_version
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads import Lead, LeadStage
from salesflow.leads.events import QualificationOutcome
from salesflow.routing.events import OwnershipEvent
from salesflow.routing.models import Role, SalesModel, owner_of
from salesflow.routing.ownership import Ownership, OwnershipOutcome

__all__ = ["RerouteReport", "RoleTransfer", "RoleTransferApplied", "Routed", "reroute"]

_MODEL_WORDS: Final = {
    SalesModel.ONE_TIER: "one-tier",
    SalesModel.TWO_TIER_CONTACT_CENTER: "two-tier with a contact center",
    SalesModel.TWO_TIER_ACCOUNT_MANAGER: "two-tier with account managers",
    SalesModel.THREE_TIER: "three-tier",
}


def _words(role: Role) -> str:
    return role.value.replace("_", " ")


def _to_from_role(value: Any) -> Role:
    return _check.choice(Role, "from_role", value)


def _to_to_role(value: Any) -> Role:
    return _check.choice(Role, "to_role", value)


def _to_model_from(value: Any) -> SalesModel:
    return _check.choice(SalesModel, "model_from", value)


def _to_model_to(value: Any) -> SalesModel:
    return _check.choice(SalesModel, "model_to", value)


def _whole(minimum: int) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        _check.whole(attribute.name, value, minimum=minimum, context=type(instance).__name__)

    return check


def _optional_whole(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        _check.whole(attribute.name, value, minimum=2, context=type(instance).__name__)


@attrs.frozen
class Routed:
    """A lead with its ownership record, the input of :func:`reroute`."""

    lead: Lead
    ownership: Ownership

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.lead, Lead):
            raise InvalidType("lead", self.lead, "a Lead")
        if not isinstance(self.ownership, Ownership):
            raise InvalidType("ownership", self.ownership, "an Ownership")
        if self.ownership.lead_id != self.lead.id:
            raise InvalidField(
                "ownership",
                self.ownership.lead_id,
                f"the ownership record of lead {self.lead.id!r}",
            )


@attrs.frozen
class RoleTransferApplied:
    """The ownership record after a move, and the new events to store (oldest first)."""

    ownership: Ownership
    events: tuple[OwnershipEvent, ...]


@attrs.frozen(kw_only=True)
class RoleTransfer:
    """One lead that changes role: from where, to where, and why in plain words.

    ``version`` is the ownership version the decision read; applying the move
    to a record that has changed since raises ``VersionConflict``.
    ``withdraws`` is the pending handoff that has to be withdrawn first, if any.
    """

    lead_id: str = attrs.field(validator=_check.text_field)
    version: int = attrs.field(validator=_whole(1))
    from_role: Role = attrs.field(converter=_to_from_role)
    to_role: Role = attrs.field(converter=_to_to_role)
    from_person: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    withdraws: int | None = attrs.field(default=None, validator=_optional_whole)
    reason: str = attrs.field(validator=_check.text_field)

    def __attrs_post_init__(self) -> None:
        if self.to_role is self.from_role:
            raise InvalidField("to_role", self.to_role, f"a role other than {self.from_role.value}")
        if self.withdraws is not None and not 2 <= self.withdraws <= self.version:
            raise InvalidField(
                "withdraws",
                self.withdraws,
                f"None or a pending handoff's version, from 2 to the version read ({self.version})",
                context="RoleTransfer",
            )

    def apply(
        self,
        ownership: Ownership,
        *,
        at: datetime,
        person: str | None = None,
        actor: str = "system",
        idempotency_key: str | None = None,
    ) -> RoleTransferApplied:
        """Apply the move to ``ownership``: withdraw its pending handoff, then transfer.

        ``person`` takes the lead in the new role (``None``: that role's queue).
        With an ``idempotency_key``, a retried apply records nothing twice (the
        events carry it per step and per move, so a key reused for a later
        move of the same lead is not mistaken for a retry). Refused, with
        nothing changed, when the record is not this move's or has changed
        since the report (``VersionConflict``).
        """
        if not isinstance(ownership, Ownership):
            raise InvalidType("ownership", ownership, "an Ownership")
        if ownership.lead_id != self.lead_id:
            raise InvalidField(
                "ownership", ownership.lead_id, f"the ownership record of lead {self.lead_id!r}"
            )
        if idempotency_key is not None:
            idempotency_key = _check.text(
                "idempotency_key", idempotency_key, context="RoleTransfer"
            )

        current = ownership

        def key(step: str) -> str | None:
            # The version the move read tells this move's steps from an earlier move's.
            return None if idempotency_key is None else f"{idempotency_key}:v{self.version}:{step}"

        def done(step: str) -> bool:
            # A retried apply replays the steps it took, whatever the record says now.
            k = key(step)
            return k is not None and any(
                getattr(event, "idempotency_key", None) == k for event in current.history
            )

        outcomes: list[OwnershipOutcome] = []
        expected: int | None = self.version
        common: dict[str, Any] = {"at": at, "note": self.reason, "actor": actor}
        if self.withdraws is not None:
            outcomes.append(
                current.withdraw(
                    idempotency_key=key("withdraw"), expected_version=expected, **common
                )
            )
            current, expected = outcomes[-1].ownership, None
        if done("transfer") or current.role is not self.to_role:
            outcomes.append(
                current.transfer(
                    role=self.to_role,
                    person=person,
                    idempotency_key=key("transfer"),
                    expected_version=expected,
                    **common,
                )
            )
        elif expected is not None:
            # Already in the new role without this move: someone changed the record since.
            check_expected_version(f"ownership of lead {self.lead_id}", expected, current.version)
        elif done("reassign") or (person is not None and person != current.person):
            outcomes.append(
                current.reassign(
                    person=cast(str, person), idempotency_key=key("reassign"), **common
                )
            )
        final = outcomes[-1].ownership if outcomes else current
        return RoleTransferApplied(final, tuple(o.event for o in outcomes if not o.repeated))

    def to_dict(self) -> dict[str, Any]:
        return {
            "lead_id": self.lead_id,
            "version": self.version,
            "from_role": self.from_role.value,
            "to_role": self.to_role.value,
            "from_person": self.from_person,
            "withdraws": self.withdraws,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, document: Any, *, field: str = "move") -> RoleTransfer:
        doc = _check.mapping(field, document)
        names = {f.name for f in attrs.fields(cls)}
        _check.only_keys(field, doc, names)
        for name in sorted(names):
            _check.key(field, doc, name)
        try:
            move = cls(**doc)
        except InvalidField as err:
            raise type(err)(f"{field}.{err.field}", err.value, err.expected) from None
        _check.same_document(field, doc, move.to_dict(), why="as RoleTransfer.to_dict writes it")
        return move


def _counts(field: str, value: Any) -> Mapping[Role, int]:
    if not isinstance(value, Mapping):
        raise InvalidType(field, value, "a mapping of role to a count", context="RerouteReport")
    return MappingProxyType(
        {
            _check.choice(Role, f"{field}.role", role): _check.whole(
                f"{field}.{role}", count, minimum=0, context="RerouteReport"
            )
            for role, count in value.items()
        }
    )


def _text(counts: Mapping[Role, int]) -> str:
    return ", ".join(f"{role.value} {count}" for role, count in counts.items())


def _before_counts(value: Any) -> Mapping[Role, int]:
    return _counts("before", value)


def _after_counts(value: Any) -> Mapping[Role, int]:
    return _counts("after", value)


def _moves(value: Any) -> tuple[RoleTransfer, ...]:
    if not isinstance(value, tuple | list) or not all(isinstance(m, RoleTransfer) for m in value):
        raise InvalidType(
            "moves", value, "a sequence of RoleTransfer values", context="RerouteReport"
        )
    return tuple(value)


@attrs.frozen(kw_only=True)
class RerouteReport:
    """What changing from ``model_from`` to ``model_to`` does to the open leads.

    ``moves`` (sorted by lead id) are the leads that change role; ``unchanged``
    counts the open leads already where the new model wants them, and
    ``lost`` the lost leads left alone. ``before`` and ``after`` count the
    open leads per role, now and once the moves are applied.
    """

    model_from: SalesModel = attrs.field(converter=_to_model_from)
    model_to: SalesModel = attrs.field(converter=_to_model_to)
    moves: tuple[RoleTransfer, ...] = attrs.field(converter=_moves)
    unchanged: int = attrs.field(validator=_whole(0))
    lost: int = attrs.field(validator=_whole(0))
    before: Mapping[Role, int] = attrs.field(converter=_before_counts, hash=False)
    after: Mapping[Role, int] = attrs.field(converter=_after_counts, hash=False)

    def __attrs_post_init__(self) -> None:
        # The figures follow from one another; a report whose parts disagree was edited.
        ids = [move.lead_id for move in self.moves]
        if any(a >= b for a, b in itertools.pairwise(ids)):
            raise InvalidField(
                "moves", ids, "one move per lead, in lead id order", context="RerouteReport"
            )
        for name, counts, model in (
            ("before", self.before, self.model_from),
            ("after", self.after, self.model_to),
        ):
            wanted = _ordered(dict(counts), model.roles)
            if set(counts) != set(wanted):
                raise InvalidField(
                    name,
                    {role.value: count for role, count in counts.items()},
                    f"a count for each role of {model.value} (and only other roles with leads)",
                    context="RerouteReport",
                )
        for role in Role:
            moved = sum(m.to_role is role for m in self.moves) - sum(
                m.from_role is role for m in self.moves
            )
            if self.after.get(role, 0) != self.before.get(role, 0) + moved:
                raise InvalidField(
                    "moves",
                    self.moves,
                    f"the moves that take before ({_text(self.before)}) to after "
                    f"({_text(self.after)}); they leave {role.value} at "
                    f"{self.before.get(role, 0) + moved}",
                    context="RerouteReport",
                )
        if sum(self.before.values()) != self.unchanged + len(self.moves):
            raise InvalidField(
                "unchanged",
                self.unchanged,
                f"{sum(self.before.values()) - len(self.moves)}: the open leads in before "
                "less the moves",
                context="RerouteReport",
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives."""
        return {
            "model_from": self.model_from.value,
            "model_to": self.model_to.value,
            "moves": [move.to_dict() for move in self.moves],
            "unchanged": self.unchanged,
            "lost": self.lost,
            "before": {role.value: count for role, count in self.before.items()},
            "after": {role.value: count for role, count in self.after.items()},
        }

    @classmethod
    def from_dict(cls, document: Any) -> RerouteReport:
        """Rebuild from :meth:`to_dict`; malformed input raises ``InvalidField``."""
        doc = _check.mapping("document", document)
        _check.only_keys("document", doc, _REPORT_KEYS)
        raw_moves = _check.key("", doc, "moves")
        if not isinstance(raw_moves, list):
            raise InvalidType("moves", raw_moves, "a list of moves")
        moves = tuple(
            RoleTransfer.from_dict(item, field=f"moves[{index}]")
            for index, item in enumerate(raw_moves)
        )
        report = cls(
            model_from=_check.key("", doc, "model_from"),
            model_to=_check.key("", doc, "model_to"),
            moves=moves,
            unchanged=_check.key("", doc, "unchanged"),
            lost=_check.key("", doc, "lost"),
            before=_check.key("", doc, "before"),
            after=_check.key("", doc, "after"),
        )
        _check.same_document("", doc, report.to_dict(), why="as RerouteReport.to_dict writes it")
        return report


_REPORT_KEYS: Final = frozenset(
    {"model_from", "model_to", "moves", "unchanged", "lost", "before", "after"}
)


def _routed(item: Any, index: int) -> Routed:
    if isinstance(item, Routed):
        return item
    if not isinstance(item, tuple) or len(item) != 2:
        raise InvalidType(f"records[{index}]", item, "a Routed or a (Lead, Ownership) pair")
    try:
        return Routed(*item)
    except InvalidField as err:
        raise type(err)(f"records[{index}].{err.field}", err.value, err.expected) from None


def _qualification_words(lead: Lead) -> str:
    q = lead.qualification
    if q is None:
        return "not yet qualified"
    return "qualified" if q.outcome is QualificationOutcome.QUALIFIED else "disqualified"


def _reason(model_from: SalesModel, model_to: SalesModel, record: Routed, target: Role) -> str:
    lead, ownership = record.lead, record.ownership
    text = (
        f"{lead.stage.value} lead, {_qualification_words(lead)}: {_MODEL_WORDS[model_to]} "
        f"gives it to the {_words(target)}, not the {_words(ownership.role)}"
    )
    pending = ownership.pending
    if pending is not None:
        text += (
            f"; handoff {pending.version} from the {_words(pending.from_role)} is withdrawn first"
        )
    before = owner_of(model_from, lead)
    if before is not ownership.role:
        text += f" (it was already off {_MODEL_WORDS[model_from]}, which gives it to the {_words(before)})"
    return text + "."


def _ordered(counts: dict[Role, int], first: Iterable[Role]) -> dict[Role, int]:
    order = [*first, *(role for role in Role if role not in first)]
    return {role: counts.get(role, 0) for role in order if role in first or counts.get(role)}


def reroute(
    model_from: SalesModel | str,
    model_to: SalesModel | str,
    records: Iterable[Routed | tuple[Lead, Ownership]],
) -> RerouteReport:
    """Decide, for every open lead and customer, the role that owns it under ``model_to``.

    Lost leads are left alone (counted in ``lost``). A lead whose record has a
    pending handoff counts as where the handoff sends it; a move for it
    withdraws the handoff first. Nothing is changed: apply the moves.
    Refused: unknown models, records that are not (Lead, Ownership) pairs of
    the same lead, and two records for one lead.
    """
    old = _to_model_from(model_from)
    new = _to_model_to(model_to)
    try:
        items = list(records)
    except TypeError:
        raise InvalidType("records", records, "an iterable of (Lead, Ownership) pairs") from None
    seen: dict[str, int] = {}
    routed: list[Routed] = []
    for index, item in enumerate(items):
        record = _routed(item, index)
        earlier = seen.setdefault(record.lead.id, index)
        if earlier != index:
            raise InvalidField(
                f"records[{index}]",
                record.lead.id,
                f"one record per lead (also records[{earlier}])",
            )
        routed.append(record)
    routed.sort(key=lambda r: r.lead.id)

    moves: list[RoleTransfer] = []
    unchanged = lost = 0
    before: dict[Role, int] = {}
    after: dict[Role, int] = {}
    for record in routed:
        if record.lead.stage is LeadStage.LOST:
            lost += 1
            continue
        ownership = record.ownership
        target = owner_of(new, record.lead)
        before[ownership.role] = before.get(ownership.role, 0) + 1
        after[target] = after.get(target, 0) + 1
        if target is ownership.role:
            unchanged += 1
            continue
        pending = ownership.pending
        moves.append(
            RoleTransfer(
                lead_id=record.lead.id,
                version=ownership.version,
                from_role=ownership.role,
                to_role=target,
                from_person=ownership.person,
                withdraws=None if pending is None else pending.version,
                reason=_reason(old, new, record, target),
            )
        )
    return RerouteReport(
        model_from=old,
        model_to=new,
        moves=tuple(moves),
        unchanged=unchanged,
        lost=lost,
        before=_ordered(before, old.roles),
        after=_ordered(after, new.roles),
    )
