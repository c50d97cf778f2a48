"""Carrier webhooks: EasyPost, AfterShip and Shopify payloads to ``CarrierUpdate``.

Each parser reads the few fields a tracking update needs from the
provider's own payload and returns a :class:`Delivery`: the provider's
delivery id (the idempotency key: a provider retries a delivery with the
same id), the order when the payload names it, and the update. The library
then decides what the scan means for the order (never backwards, never twice).

- EasyPost ``tracker.updated`` Event: the id is the event's ``id``; the
  order is found by the tracker's ``tracking_code`` (the parcel the shop
  shipped); the scan is the latest ``tracking_details`` entry.
- AfterShip tracking webhook: the id is ``event_id``; the order is
  ``msg.order_number``; the scan is the latest checkpoint.
- Shopify ``fulfillments/update``: the id is the ``X-Shopify-Webhook-Id``
  header; the order is the fulfillment's ``name`` (``#1001.1`` is order
  1001's first fulfillment); Shopify sends no scan location.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from salesflow import InvalidField, InvalidType
from salesflow.orders import CarrierUpdate

__all__ = ["PROVIDERS", "Delivery", "parse_delivery"]


@dataclass(frozen=True)
class Delivery:
    """One webhook delivery: who sent it, its id, the order it names (if any), the update."""

    provider: str
    delivery_id: str
    order_number: str | None
    update: CarrierUpdate

    @property
    def idempotency_key(self) -> str:
        return f"{self.provider}:{self.delivery_id}"


def _get(document: Any, path: str) -> Any:
    """The value at ``path`` (``result.tracking_code``); a missing step is refused, named."""
    value = document
    walked = ""
    for step in path.split("."):
        walked = f"{walked}.{step}" if walked else step
        if not isinstance(value, Mapping):
            raise InvalidType(walked.rsplit(".", 1)[0] or "body", value, "a JSON object")
        if step not in value or value[step] is None:
            raise InvalidField(walked, None, "a value (it is missing)")
        value = value[step]
    return value


def _optional(document: Mapping[str, Any], key: str) -> Any:
    value = document.get(key)
    return value if value not in ("", None) else None


def _time(field: str, value: Any) -> datetime:
    if not isinstance(value, str):
        raise InvalidType(field, value, "an ISO 8601 date-time string")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidField(field, value, "an ISO 8601 date-time with an offset") from None


def _day(field: str, value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidType(field, value, "an ISO 8601 date or date-time string")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidField(field, value, "an ISO 8601 date or date-time") from None


def _latest(document: Any, path: str, time_key: str) -> tuple[str, Mapping[str, Any]] | None:
    """The newest scan in the list at ``path`` and its path (``msg.checkpoints[2]``), or None."""
    entries = document
    for step in path.split("."):
        entries = entries.get(step) if isinstance(entries, Mapping) else None
    if not isinstance(entries, list) or not entries:
        return None
    scans: list[tuple[datetime, str, Mapping[str, Any]]] = []
    for index, entry in enumerate(entries):
        where = f"{path}[{index}]"
        if not isinstance(entry, Mapping):
            raise InvalidType(where, entry, "a JSON object")
        scans.append((_time(f"{where}.{time_key}", entry.get(time_key)), where, entry))
    # Providers list scans oldest first; take the newest anyway (a list may come unsorted).
    _, where, newest = max(scans, key=lambda scan: scan[0])
    return where, newest


def _place(*parts: Any) -> str | None:
    words = [str(part) for part in parts if part not in ("", None)]
    return ", ".join(words) if words else None


def easypost(payload: Any, headers: Mapping[str, str]) -> Delivery | None:
    if _get(payload, "object") != "Event":
        raise InvalidField("object", payload.get("object"), "'Event'")
    if _get(payload, "description") not in ("tracker.updated", "tracker.created"):
        return None
    tracker = _get(payload, "result")
    latest = _latest(payload, "result.tracking_details", "datetime")
    if latest is None:
        at = _time("result.updated_at", _get(payload, "result.updated_at"))
        code, message, location = _get(payload, "result.status"), None, None
    else:
        where, detail = latest
        at = _time(f"{where}.datetime", detail["datetime"])
        code = detail.get("status") or _get(payload, "result.status")
        message = _optional(detail, "message")
        place = detail.get("tracking_location")
        place = place if isinstance(place, Mapping) else {}
        location = _place(place.get("city"), place.get("state"), place.get("country"))
    return Delivery(
        "easypost",
        str(_get(payload, "id")),
        None,
        CarrierUpdate(
            vocabulary="easypost",
            code=code,
            tracking_number=_get(payload, "result.tracking_code"),
            at=at,
            carrier=_optional(tracker, "carrier"),
            location=location,
            estimated_delivery=_day("result.est_delivery_date", tracker.get("est_delivery_date")),
            message=message,
        ),
    )


def aftership(payload: Any, headers: Mapping[str, str]) -> Delivery | None:
    if _get(payload, "event") != "tracking_update":
        return None
    msg = _get(payload, "msg")
    latest = _latest(payload, "msg.checkpoints", "checkpoint_time")
    if latest is None:
        at = _time("msg.updated_at", _get(payload, "msg.updated_at"))
        code, message, location = _get(payload, "msg.tag"), None, None
    else:
        where, checkpoint = latest
        at = _time(f"{where}.checkpoint_time", checkpoint["checkpoint_time"])
        code = checkpoint.get("tag") or _get(payload, "msg.tag")
        message = _optional(checkpoint, "message")
        location = _optional(checkpoint, "location") or _place(
            checkpoint.get("city"), checkpoint.get("country_name")
        )
    number = _optional(msg, "order_number")
    return Delivery(
        "aftership",
        str(_get(payload, "event_id")),
        None if number is None else str(number),
        CarrierUpdate(
            vocabulary="aftership",
            code=code,
            tracking_number=_get(payload, "msg.tracking_number"),
            at=at,
            carrier=_optional(msg, "slug"),
            location=location,
            estimated_delivery=_day("msg.expected_delivery", msg.get("expected_delivery")),
            message=message,
        ),
    )


def shopify(payload: Any, headers: Mapping[str, str]) -> Delivery | None:
    delivery_id = headers.get("x-shopify-webhook-id")
    if not delivery_id:
        raise InvalidField("X-Shopify-Webhook-Id", delivery_id, "the delivery id header")
    status = _optional(payload, "shipment_status") if isinstance(payload, Mapping) else None
    if status is None:
        return None  # a fulfillment change that is no tracking update (created, cancelled...)
    name = str(_get(payload, "name"))
    number = name.lstrip("#").rsplit(".", 1)[0] or None
    return Delivery(
        "shopify",
        delivery_id,
        number,
        CarrierUpdate(
            vocabulary="shopify",
            code=status,
            tracking_number=_get(payload, "tracking_number"),
            at=_time("updated_at", _get(payload, "updated_at")),
            carrier=_optional(payload, "tracking_company"),
            estimated_delivery=_day("estimated_delivery_at", payload.get("estimated_delivery_at")),
        ),
    )


PROVIDERS: dict[str, Callable[[Any, Mapping[str, str]], Delivery | None]] = {
    "easypost": easypost,
    "aftership": aftership,
    "shopify": shopify,
}


def parse_delivery(provider: str, payload: Any, headers: Mapping[str, str]) -> Delivery | None:
    """The delivery in ``payload``, or None for a provider event that is no tracking update.

    ``headers`` are looked up in lower case. A payload missing a field the
    update needs, or carrying a malformed one, raises ``InvalidField`` naming
    its path in the payload; an unknown status code raises ``UnknownCode``.
    """
    if not isinstance(payload, Mapping):
        raise InvalidType("body", payload, "a JSON object")
    return PROVIDERS[provider](payload, headers)
