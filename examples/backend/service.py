"""What one request does, with no HTTP in sight: commands, webhooks and reads on one store.

The HTTP layer (api.py) and the tests call the same three methods, so the
integration tests exercise exactly the code the service runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from examples.backend.aggregates import KINDS, ORDERS, Kind
from examples.backend.handler import (
    SNAPSHOT_EVERY,
    CommandHandler,
    Handled,
    NotFound,
)
from examples.backend.store import EventStore
from examples.backend.webhooks import parse_delivery

from salesflow import Command, InvalidField, InvalidType
from salesflow.errors import CorruptDocument
from salesflow.orders import apply_carrier_update

__all__ = ["Service", "outcome_document"]


@dataclass
class Service:
    """Commands, webhooks and reads against one :class:`EventStore`."""

    store: EventStore
    faults: Callable[[str], None] | None = None
    snapshot_every: int = SNAPSHOT_EVERY

    def __post_init__(self) -> None:
        self.handler = CommandHandler(
            self.store, faults=self.faults, snapshot_every=self.snapshot_every
        )

    def command(self, kind_name: str, aggregate_id: str | None, verb: str, body: Any) -> Handled:
        """Apply ``verb`` with the JSON ``body`` to the aggregate ``aggregate_id``.

        The body is a ``salesflow.Command`` document whose ``aggregate`` and
        ``command`` keys may be left out (the caller, here the path, gives
        them). A creation (``place``, ``create``) takes its id from the body
        (``aggregate_id`` is None then). Raises ``SalesflowError`` for a
        refused command, and the handler's errors (``NotFound``...).
        """
        kind = KINDS[kind_name]
        if not isinstance(body, dict):
            raise InvalidType("body", body, "a JSON object: the command's arguments")
        for key, given in (("aggregate", kind_name), ("command", verb)):
            if key in body and body[key] != given:
                raise InvalidField(key, body[key], f"{given!r}, as the path says (or no {key})")
        command = Command.from_dict({**body, "aggregate": kind_name, "command": verb})
        if command.creates != (aggregate_id is None):
            raise ValueError(f"{verb!r} on {kind_name} {aggregate_id!r}: a route mistake")
        target: str = command.arguments[kind.identity] if aggregate_id is None else aggregate_id
        return self.handler.execute(
            kind,
            target,
            command.apply,
            creates=command.creates,
            key=command.arguments.get("idempotency_key"),
        )

    def webhook(self, provider: str, payload: Any, headers: Mapping[str, str]) -> Handled | None:
        """Apply a carrier webhook; None when the delivery is no tracking update."""
        delivery = parse_delivery(provider, payload, headers)
        if delivery is None:
            return None
        number = delivery.order_number or self.store.order_for_parcel(
            delivery.update.tracking_number
        )
        if number is None:
            raise NotFound(f"no order ships tracking number {delivery.update.tracking_number!r}")
        return self.handler.execute(
            ORDERS,
            number,
            lambda order: apply_carrier_update(
                order, delivery.update, idempotency_key=delivery.idempotency_key
            ),
            key=delivery.idempotency_key,
        )

    def read(self, kind_name: str, aggregate_id: str) -> dict[str, Any]:
        """The aggregate's document (its whole history, replayed and checked) and snapshot."""
        kind = KINDS[kind_name]
        history = self.store.history(kind_name, aggregate_id)
        if not history:
            raise NotFound(f"no {kind_name} {aggregate_id!r}")
        try:
            aggregate = kind.replay(history)
        except InvalidField as err:  # what we stored fails its checks: an alarm (HTTP 500)
            raise CorruptDocument.of(err) from err
        return {"document": aggregate.to_dict(), "snapshot": kind.snapshot(aggregate)}


def outcome_document(kind: Kind, handled: Handled) -> dict[str, Any]:
    """The response body of a command or webhook: the aggregate's summary and what happened."""
    outcome = handled.outcome
    body: dict[str, Any] = {
        kind.name: kind.summary(handled.aggregate),
        "repeated": handled.repeated,
    }
    outcomes = getattr(outcome, "outcomes", None)
    if outcomes is None:  # one verb: OrderOutcome or LeadOutcome
        outcomes = (outcome,)
    else:  # a carrier update
        body["applied"] = outcome.applied
        body["ignored"] = outcome.ignored
        body["reason"] = None if outcome.reason is None else outcome.reason.value
        body["needs_attention"] = outcome.needs_attention
    body["events"] = [item.event.to_dict() for item in outcomes]
    notices = [getattr(item, "notification", None) for item in outcomes]
    if any(notice is not None for notice in notices):
        body["notifications"] = [notice.to_dict() for notice in notices if notice is not None]
    return body
