"""Request bodies and checks shared by the integration tests (plain builders, no fixtures)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from salesflow.orders import OrderStatus

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ETA = date(2026, 11, 27)


def when(hours: float) -> datetime:
    """``T0`` plus ``hours``."""
    return T0 + timedelta(hours=hours)


def at(hours: float) -> str:
    """``T0`` plus ``hours``, as a body writes it."""
    return when(hours).isoformat()


def place_body(
    number: str, *, key: str | None = None, hours: float = 0, **changes: Any
) -> dict[str, Any]:
    """The body of ``POST /orders`` for a two-line EUR order."""
    body: dict[str, Any] = {
        "number": number,
        "customer": {"id": f"cust-{number}", "name": "Ada"},
        "lines": [
            {
                "sku": "MUG-1",
                "name": "Blue mug",
                "quantity": 2,
                "unit_price": {"amount": "8.50", "currency": "EUR"},
            },
            {
                "sku": "TEA-1",
                "name": "Earl Grey",
                "quantity": 1,
                "unit_price": {"amount": "4.00", "currency": "EUR"},
            },
        ],
        "estimated_delivery": ETA.isoformat(),
        "support": {"email": "help@shop.example"},
        "at": at(hours),
    }
    if key is not None:
        body["idempotency_key"] = key
    body.update(changes)
    return body


# How far along the road an order is; a delayed order is as far as the status it interrupted.
PROGRESS = {
    OrderStatus.RECEIVED: 0,
    OrderStatus.PROCESSING: 1,
    OrderStatus.PICKING: 2,
    OrderStatus.PACKED: 3,
    OrderStatus.SHIPPED: 4,
    OrderStatus.IN_TRANSIT: 5,
    OrderStatus.DELIVERED: 6,
    OrderStatus.CANCELLED: 6,
}


def regressions(history: Sequence[Any]) -> list[str]:
    """Where an order's history moves it back along the road (a delay keeps its place)."""
    found = []
    reached = 0
    for event in history:
        status = event.to_status
        if status is OrderStatus.DELAYED:
            continue
        if PROGRESS[status] < reached:
            found.append(f"v{event.version} {event.event} -> {status.value}")
        reached = max(reached, PROGRESS[status])
    return found
