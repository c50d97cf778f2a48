"""Request bodies and checks shared by the integration tests (plain builders, no fixtures)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from salesflow import schemas
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


# -- carrier webhook payloads, as each provider sends them (the fields the backend reads) --------


def easypost_event(
    event_id: str,
    tracking_code: str,
    status: str,
    hours: float,
    *,
    city: str | None = None,
    est_delivery: str | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """An EasyPost ``tracker.updated`` Event whose latest tracking detail is this scan."""
    detail = {
        "object": "TrackingDetail",
        "message": message or status.replace("_", " "),
        "status": status,
        "datetime": (T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": "DHLExpress",
        "tracking_location": {
            "object": "TrackingLocation",
            "city": city,
            "state": None,
            "country": "GB" if city else None,
            "zip": None,
        },
    }
    return {
        "id": event_id,
        "object": "Event",
        "description": "tracker.updated",
        "mode": "test",
        "result": {
            "id": f"trk_{tracking_code}",
            "object": "Tracker",
            "tracking_code": tracking_code,
            "status": status,
            "carrier": "DHLExpress",
            "est_delivery_date": est_delivery and f"{est_delivery}T00:00:00Z",
            "tracking_details": [
                {
                    **detail,
                    "status": "pre_transit",
                    "message": "label created",
                    "datetime": T0.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "tracking_location": {},
                },
                detail,
            ],
        },
    }


def aftership_event(
    event_id: str,
    order_number: str,
    tracking_number: str,
    tag: str,
    hours: float,
    *,
    location: str | None = None,
    expected_delivery: str | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """An AfterShip tracking webhook whose latest checkpoint is this scan."""
    return {
        "event": "tracking_update",
        "event_id": event_id,
        "is_tracking_first_tag": False,
        "ts": int((T0 + timedelta(hours=hours)).timestamp()),
        "msg": {
            "id": f"as-{tracking_number}",
            "tracking_number": tracking_number,
            "slug": "royal-mail",
            "tag": tag,
            "order_number": order_number,
            "expected_delivery": expected_delivery,
            "checkpoints": [
                {
                    "checkpoint_time": (T0 + timedelta(hours=hours)).isoformat(),
                    "tag": tag,
                    "location": location,
                    "message": message or tag,
                    "slug": "royal-mail",
                },
            ],
        },
    }


def shopify_fulfillment(
    order_number: str, tracking_number: str, shipment_status: str, hours: float
) -> dict[str, Any]:
    """A Shopify ``fulfillments/update`` payload (the delivery id travels in a header)."""
    return {
        "id": 255858046,
        "order_id": 450789469,
        "name": f"#{order_number}.1",
        "status": "success",
        "shipment_status": shipment_status,
        "tracking_company": "DHL eCommerce",
        "tracking_number": tracking_number,
        "tracking_numbers": [tracking_number],
        "created_at": T0.isoformat(),
        "updated_at": (T0 + timedelta(hours=hours)).isoformat(),
    }


# -- validating documents against the generated schemas ------------------------------------------


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A draft 2020-12 validator of the library's schema ``name``, formats checked."""
    return Draft202012Validator(schemas.schema(name), format_checker=FormatChecker())


class OpenAPIResponses:
    """Checks each response against the schema the OpenAPI document declares for it.

    The document's ``#/components/schemas/<name>`` references are rewritten to
    each component's ``$id`` (the generated schemas have one; the backend's
    envelopes get ``urn:component:<name>``), so every schema resolves on its own.
    """

    def __init__(self, document: dict[str, Any]) -> None:
        components = document["components"]["schemas"]
        self.ids = {
            name: schema.get("$id", f"urn:component:{name}") for name, schema in components.items()
        }
        registry: Registry[Any] = Registry()
        for name, schema in components.items():
            registry = registry.with_resource(
                self.ids[name], DRAFT202012.create_resource(self._rewrite(schema))
            )
        self.registry = registry
        self.paths = [
            (re.compile("^" + re.sub(r"\{[^}/]+\}", "[^/]+", path) + "$"), operations)
            for path, operations in document["paths"].items()
        ]

    def _rewrite(self, node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                return {**node, "$ref": self.ids[ref.rsplit("/", 1)[1]]}
            return {key: self._rewrite(value) for key, value in node.items()}
        if isinstance(node, list):
            return [self._rewrite(item) for item in node]
        return node

    def check(self, method: str, path: str, status: int, body: Any) -> None:
        """Raise unless ``body`` is what the document declares for this route and status."""
        operations = next((ops for pattern, ops in self.paths if pattern.match(path)), None)
        if operations is None or method.lower() not in operations:  # no such route
            schema = {"$ref": self.ids["backend.error"]}
        else:
            declared = operations[method.lower()]["responses"][str(status)]
            schema = self._rewrite(declared["content"]["application/json"]["schema"])
        Draft202012Validator(
            schema, registry=self.registry, format_checker=FormatChecker()
        ).validate(body)
