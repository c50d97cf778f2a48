"""The one lead reader: every lead metric's input, in every shape, read into :class:`LeadRow`.

Each item is a Lead, a lead's events (a list or tuple), a ``lead.to_dict()``
document, a loose lead event or its document (grouped by lead id and
replayed), or a lead record (a mapping); docs/metrics.md lists the record keys.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from salesflow import _check, _zones
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads import Lead, LeadStage
from salesflow.leads.events import (
    ActivityLogged,
    LeadCreated,
    LeadQualified,
    LeadStageChanged,
)
from salesflow.leads.events import event_from_dict as lead_event_from_dict
from salesflow.metrics._read.fields import (
    absent,
    amount,
    currency,
    flag,
    identifier,
    items,
    moment,
    renamed,
    required,
    row_at,
    where,
)
from salesflow.metrics._read.orders import WHOLE_HISTORY
from salesflow.metrics._read.scope import after_now, history_not_after, not_after

__all__ = ["LEADS_EXPECTED", "LeadRow", "lead_rows"]

LEADS_EXPECTED: Final = (
    "a Lead, its events (a list or tuple, or loose events), a lead.to_dict() document, "
    "a lead event document, or a lead record (a mapping)"
)
_POSITION: Final = re.compile(r"events\[(\d+)\]")
_LEAD_EVENTS: Final = (LeadCreated, LeadStageChanged, LeadQualified, ActivityLogged)


class LeadRow:
    """What one lead contributes to the lead metrics, whatever shape it came in (private).

    ``lead`` is the aggregate (None for a record): the metrics that need a
    history (time in stage) read it; every other column is read here once.
    """

    __slots__ = (
        "cost",
        "created_at",
        "currency",
        "demo",
        "demo_after_intro_call",
        "index",
        "intro_call",
        "lead",
        "lead_id",
        "lost",
        "lost_after_demo",
        "manager",
        "qualified",
        "revenue",
        "won_at",
    )

    def __init__(self, index: int, lead: Lead | None) -> None:
        self.index = index
        self.lead = lead
        self.lead_id: str | int | None = None
        self.created_at: datetime | None = None
        self.won_at: datetime | None = None
        self.lost = False
        self.qualified = False
        self.manager: str | None = None
        self.revenue: Decimal | None = None
        self.cost: Decimal | None = None
        self.currency: str | None = None
        self.intro_call = self.demo_after_intro_call = False
        self.demo = self.lost_after_demo = False


# -- items to leads or records ------------------------------------------------------------------


def _replayed(index: int, events: list[Any] | tuple[Any, ...]) -> Lead:
    """One lead's events, in any order (put in version order), replayed and so checked."""
    parsed: list[Any] = []
    for position, event in enumerate(events):
        field = f"leads[{index}][{position}]"
        if isinstance(event, Mapping):
            event = lead_event_from_dict(event, field=field)
        elif not isinstance(event, _LEAD_EVENTS):
            raise InvalidType(field, event, "a lead event or its document")
        parsed.append(event)
    order = sorted(range(len(parsed)), key=lambda position: parsed[position].version)
    try:
        return Lead.replay([parsed[position] for position in order])
    except InvalidField as err:
        # Name the event where the caller put it, not where version order put it.
        found = _POSITION.match(err.field)
        if found is None:
            raise
        given = order[int(found[1])]
        raise renamed(err, f"leads[{index}][{given}]{err.field[found.end() :]}") from None


def _document(index: int, item: Mapping[str, Any]) -> Lead:
    try:
        return Lead.from_dict(item)
    except InvalidField as err:
        raise renamed(err, f"leads[{index}].{err.field}") from None


class _Loose:
    """A lead given as loose events: where each of its events was, in version order."""

    __slots__ = ("indices",)

    def __init__(self, indices: list[int]) -> None:
        self.indices = indices


def _grouped(
    histories: dict[str, list[tuple[int, Any]]],
) -> Iterable[tuple[int, _Loose, Lead]]:
    """Each lead given as loose events, its events in version order, replayed (so checked)."""
    for lead, events in histories.items():
        events.sort(key=lambda pair: pair[1].version)
        indices = [index for index, _ in events]
        try:
            yield min(indices), _Loose(indices), Lead(tuple(event for _, event in events))
        except InvalidField as error:
            raise type(error)(
                error.field, error.value, error.expected, context=f"lead {lead!r}"
            ) from None


def _sources(leads: Any) -> Iterable[tuple[int, Any, Lead | None]]:
    """(index, item, Lead or None for a record) for every lead; loose events come last, grouped."""
    whole: dict[str | int, int] = {}
    histories: dict[str, list[tuple[int, Any]]] = {}

    def once(index: int, identity: str | int) -> None:
        if identity in whole or identity in histories:
            raise InvalidField(
                where(row_at("leads", index), "lead_id"),
                identity,
                f"each lead once (lead {identity!r} is already given)",
            )
        whole[identity] = index

    for index, item in enumerate(
        items("leads", leads, expected=f"an iterable of items, each {LEADS_EXPECTED}")
    ):
        if isinstance(item, Mapping) and "event" in item and "schema" not in item:
            try:
                item = lead_event_from_dict(dict(item), field=f"leads[{index}]")
            except InvalidField as error:
                if error.field.startswith(f"leads[{index}]"):
                    raise
                raise renamed(error, f"leads[{index}].{error.field}") from None
        if isinstance(item, _LEAD_EVENTS):
            if item.lead_id in whole:
                raise InvalidField(
                    f"leads[{index}]",
                    item,
                    f"each lead once (lead {item.lead_id!r} is already given)",
                )
            histories.setdefault(item.lead_id, []).append((index, item))
            continue
        if isinstance(item, Lead):
            if item.snapshot_version:
                raise InvalidField(f"leads[{index}]", item, WHOLE_HISTORY)
            lead = item
        elif isinstance(item, list | tuple):
            lead = _replayed(index, item)
        elif isinstance(item, Mapping) and item.get("schema") == Lead.SCHEMA:
            lead = _document(index, item)
        elif isinstance(item, Mapping):
            value = item.get("lead_id")
            if not absent(value):
                once(index, identifier(where(row_at("leads", index), "lead_id"), value))
            yield index, item, None
            continue
        else:
            raise InvalidType(f"leads[{index}]", item, LEADS_EXPECTED)
        once(index, lead.id)
        yield index, item, lead
    yield from _grouped(histories)


# -- columns ------------------------------------------------------------------------------------


def _from_lead(row: LeadRow, lead: Lead, *, money: bool, journey: bool) -> None:
    row.lead_id = lead.id
    row.created_at = _zones.utc(lead.created_at)
    won = lead.won_at
    row.won_at = None if won is None else _zones.utc(won)
    row.lost = lead.stage is LeadStage.LOST
    row.qualified = lead.was_qualified
    row.manager = lead.manager
    if journey:
        row.intro_call, row.demo = lead.had_intro_call, lead.had_demo
        row.demo_after_intro_call = lead.demo_after_intro_call
        row.lost_after_demo = lead.lost_after_demo
    if money and row.won_at is not None:
        value = lead.deal_value
        if value is None:
            raise InvalidField(
                where(row_at("leads", row.index), "deal_value"),
                None,
                "Money: a won lead needs its deal value for the sales volume "
                "(or pass a record with its revenue)",
            )
        row.revenue, row.currency = value.amount, value.currency


def _from_record(
    row: LeadRow,
    record: Mapping[str, Any],
    *,
    created: bool,
    lost: bool,
    qualified: bool,
    manager: bool,
    owned: Collection[str | int],
    money: bool,
    journey: bool,
) -> None:
    index = row.index
    if not absent(record.get("lead_id")):
        row.lead_id = identifier(where(row_at("leads", index), "lead_id"), record["lead_id"])
    won = required(row_at("leads", index), record, "won_at")
    row.won_at = None if absent(won) else moment(where(row_at("leads", index), "won_at"), won)
    if created:
        row.created_at = moment(
            where(row_at("leads", index), "created_at"),
            required(row_at("leads", index), record, "created_at"),
        )
        if row.won_at is not None and row.won_at < row.created_at:
            raise InvalidField(
                where(row_at("leads", index), "won_at"),
                won,
                f"a moment not before created_at ({row.created_at.isoformat()})",
            )
    if lost:
        row.lost = flag(where(row_at("leads", index), "lost"), record.get("lost"), default=False)
        if row.lost and row.won_at is not None:
            raise InvalidField(
                where(row_at("leads", index), "lost"), True, "False for a won lead (won_at is set)"
            )
    if qualified:
        row.qualified = flag(
            where(row_at("leads", index), "qualified"),
            required(row_at("leads", index), record, "qualified"),
        )
    if manager:
        value = (
            record.get("manager")
            if row.lead_id in owned
            else required(row_at("leads", index), record, "manager")
        )
        row.manager = (
            None if absent(value) else _check.text(where(row_at("leads", index), "manager"), value)
        )
    if journey:
        for key in ("intro_call", "demo_after_intro_call", "demo", "lost_after_demo"):
            setattr(
                row, key, flag(where(row_at("leads", index), key), record.get(key), default=False)
            )
        for later, first in (("demo_after_intro_call", "intro_call"), ("lost_after_demo", "demo")):
            if getattr(row, later) and not getattr(row, first):
                raise InvalidField(
                    where(row_at("leads", index), first), False, f"True when {later} is True"
                )
    if money and row.won_at is not None:
        row.revenue = amount(
            where(row_at("leads", index), "revenue"),
            required(row_at("leads", index), record, "revenue"),
        )
        row.currency = currency(
            where(row_at("leads", index), "currency"),
            required(row_at("leads", index), record, "currency"),
        )
        if not absent(record.get("cost")):
            row.cost = amount(where(row_at("leads", index), "cost"), record["cost"])


def _history_not_after(now: datetime, index: int, item: Any, lead: Lead) -> None:
    """Refuse a history that runs past ``now``, naming its first event after it as given."""
    if not isinstance(item, _Loose):
        history_not_after(now, row_at("leads", index), item, lead.history)
        return
    for position, event in enumerate(lead.history):
        if _zones.utc(event.at) > now:
            raise after_now(now, f"leads[{item.indices[position]}].at", event.at)


def lead_rows(
    leads: Any,
    *,
    created: bool = False,
    lost: bool = False,
    qualified: bool = False,
    manager: bool = False,
    owned: Collection[str | int] = (),
    money: bool = False,
    journey: bool = False,
    history: str | None = None,
    now: datetime | None = None,
) -> list[LeadRow]:
    """One :class:`LeadRow` per lead, every item checked; records read only the keys asked for.

    ``created``, ``lost``, ``qualified``, ``manager``, ``money`` and
    ``journey`` (the activity flags) name the record keys a metric needs;
    a record whose lead id is in ``owned`` may leave out its ``manager``.
    ``history`` (what the metric needs a history for) refuses records. With
    ``now`` (UTC), a record's ``created_at`` is read, and a lead with a time
    after ``now`` is refused, naming it.
    """
    rows: list[LeadRow] = []
    for index, item, lead in _sources(leads):
        row = LeadRow(index, lead)
        if lead is not None:
            if now is not None:
                _history_not_after(now, index, item, lead)
            _from_lead(row, lead, money=money, journey=journey)
        elif history is not None:
            raise InvalidType(
                f"leads[{index}]",
                item,
                f"a Lead, its events or a lead.to_dict() document: {history}",
            )
        else:
            assert isinstance(item, Mapping)
            _from_record(
                row,
                item,
                created=created or now is not None,
                lost=lost,
                qualified=qualified,
                manager=manager,
                owned=owned,
                money=money,
                journey=journey,
            )
            if now is not None:
                for key in ("created_at", "won_at"):
                    not_after(
                        now, where(row_at("leads", index), key), getattr(row, key), item.get(key)
                    )
        rows.append(row)
    return rows
