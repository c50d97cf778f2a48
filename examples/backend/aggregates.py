"""How the store meets each aggregate: restore it, snapshot it, and turn its events into rows.

One :class:`Kind` per aggregate type (``order``, ``lead``), so the store and
the command handler never name ``Order`` or ``Lead`` themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from examples.backend.store import NewEvent, Stored

from salesflow import leads, orders
from salesflow.leads import Lead
from salesflow.orders import Order
from salesflow.orders.order import OrderOutcome

__all__ = ["KINDS", "LEADS", "ORDERS", "Kind"]


@dataclass(frozen=True)
class Kind:
    """One aggregate type as the store sees it."""

    name: str
    creation: str
    """The verb that makes one (``place``, ``create``): ``POST /orders`` runs it."""
    identity: str
    """The argument of the creation that names it, and the path's id (``number``, ``lead_id``)."""
    restore: Callable[[Stored], Any]
    """The aggregate from its stored snapshot and tail (raises SalesflowError if corrupt)."""
    replay: Callable[[Sequence[dict[str, Any]]], Any]
    """The aggregate from its whole stored history, every event checked (the audit path)."""
    rows: Callable[[Any, Sequence[Any]], list[NewEvent]]
    """The rows to append for ``events``, new events of the aggregate given."""
    snapshot: Callable[[Any], dict[str, Any]]
    """The snapshot document of the aggregate."""
    summary: Callable[[Any], dict[str, Any]]
    """What a response says of the aggregate: its id, status or stage, and version."""


def _restore_order(stored: Stored) -> Order:
    if stored.snapshot is None:
        return _replay_order(stored.tail)
    return Order.from_snapshot(stored.snapshot, tail=stored.tail)


def _replay_order(documents: Sequence[dict[str, Any]]) -> Order:
    return Order.replay(
        orders.event_from_dict(document, field=f"events[{index}]")
        for index, document in enumerate(documents)
    )


def _order_rows(order: Order, events: Sequence[Any]) -> list[NewEvent]:
    return [
        NewEvent(
            version=event.version,
            name=event.event,
            key=event.idempotency_key,
            document=event.to_dict(),
            notification=OrderOutcome.of(order, event).notification.to_dict(),
            tracking_number=getattr(event, "tracking_number", None),
        )
        for event in events
    ]


def _restore_lead(stored: Stored) -> Lead:
    if stored.snapshot is None:
        return _replay_lead(stored.tail)
    return Lead.from_snapshot(stored.snapshot, tail=stored.tail)


def _replay_lead(documents: Sequence[dict[str, Any]]) -> Lead:
    return Lead.replay(
        leads.event_from_dict(document, field=f"events[{index}]")
        for index, document in enumerate(documents)
    )


def _lead_rows(lead: Lead, events: Sequence[Any]) -> list[NewEvent]:
    # A lead's changes notify nobody outside the sales team: no outbox rows.
    return [
        NewEvent(event.version, event.event, event.idempotency_key, event.to_dict())
        for event in events
    ]


def _order_summary(order: Order) -> dict[str, Any]:
    return {"number": order.number, "status": order.status.value, "version": order.version}


def _lead_summary(lead: Lead) -> dict[str, Any]:
    return {"id": lead.id, "stage": lead.stage.value, "version": lead.version}


ORDERS = Kind(
    "order",
    "place",
    "number",
    _restore_order,
    _replay_order,
    _order_rows,
    Order.to_snapshot,
    _order_summary,
)
LEADS = Kind(
    "lead",
    "create",
    "lead_id",
    _restore_lead,
    _replay_lead,
    _lead_rows,
    Lead.to_snapshot,
    _lead_summary,
)
KINDS = {kind.name: kind for kind in (ORDERS, LEADS)}
