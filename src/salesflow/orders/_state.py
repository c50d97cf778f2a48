"""The order's fold and its snapshot form (private to the Order aggregate).

The fold is the working state while events are applied; :func:`state` writes
the part of it a snapshot keeps and :func:`restored` reads it back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from salesflow import _check
from salesflow._aggregate import Fold
from salesflow._snapshot import Recent, iso, made, sealed_money
from salesflow._zones import utc
from salesflow.errors import InvalidField
from salesflow.orders.events import OrderPlaced, StatusChanged
from salesflow.orders.lifecycle import TRANSITIONS
from salesflow.orders.notifications import ProcessingStep
from salesflow.orders.status import OrderStatus
from salesflow.orders.values import Customer, OrderLine, SupportContact

__all__ = ["OrderFold", "needed", "placement", "restored", "state"]


class OrderFold(Fold):
    """The working state while events are applied (private, never shared once attached)."""

    IDENTITY = "order_number"
    OWNED = "this order's number"
    CREATION = "place"

    __slots__ = (
        "carrier",
        "delayed",
        "eta",
        "location",
        "reported",
        "resumes_to",
        "status",
        "step",
        "tracking_number",
        "tracking_url",
    )

    def __init__(self, placed: OrderPlaced) -> None:
        self.status: OrderStatus = OrderStatus.RECEIVED
        self.version = 1
        self.last_at: datetime = placed.at
        self.last_utc: datetime = utc(placed.at)
        self.keys: dict[str, int] = {}
        self.eta: date = placed.estimated_delivery
        self.resumes_to: OrderStatus | None = None
        self.step: ProcessingStep | None = None
        self.carrier: str | None = None
        self.tracking_number: str | None = None
        self.tracking_url: str | None = None
        self.location: str | None = None
        self.reported: datetime | None = None
        self.delayed = False

    def apply(self, event: StatusChanged) -> None:
        if event.from_status is not self.status:
            raise InvalidField(
                "from_status", event.from_status, f"{self.status.value!r}, the current status"
            )
        at = (self.status, self.resumes_to)
        target = TRANSITIONS.table[at].get(event.event)
        if target is None:
            TRANSITIONS.refuse(at, event.event)
        if event.to_status is not target:
            raise InvalidField(
                "to_status",
                event.to_status,
                f"{target.value!r}, where {event.event} leads from {self.status.value}",
            )
        # A new date (and any delay's date) may not lie before the day of the change;
        # an unchanged date carried by other events may, when the order runs late.
        # The day of the change is the calendar day where the change was written.
        changed = event.estimated_delivery != self.eta or event.event == "delay"
        if changed and event.estimated_delivery < event.at.date():
            raise InvalidField(
                "estimated_delivery",
                event.estimated_delivery,
                f"a date on or after {event.at.date().isoformat()}, "
                f"the day of the change (at {event.at.isoformat()})",
            )
        if event.event == "resume":
            if target is OrderStatus.PROCESSING and event.step is None:
                raise InvalidField("step", None, "the processing step to resume")
            if target is OrderStatus.IN_TRANSIT and event.location is None:
                raise InvalidField("location", None, "the last known location to resume from")
        if target is OrderStatus.DELAYED:
            self.delayed = True
            if self.status is not OrderStatus.DELAYED:
                self.resumes_to = self.status
        else:
            self.resumes_to = None
        if event.step is not None:
            self.step = event.step
        if event.carrier is not None:
            self.carrier = event.carrier
            self.tracking_number = event.tracking_number
            self.tracking_url = event.tracking_url
        if event.location is not None:
            self.location = event.location
        reported = event.reported_at
        if reported is not None and (self.reported is None or utc(reported) > utc(self.reported)):
            self.reported = reported
        self.status = target
        self.eta = event.estimated_delivery


_STATUS: Final = {status.value: status for status in OrderStatus}
_STEP: Final = {step.value: step for step in ProcessingStep}
_STATE_KEYS: Final = frozenset(
    {
        "status",
        "resumes_to",
        "estimated_delivery",
        "step",
        "carrier",
        "tracking_number",
        "tracking_url",
        "location",
        "carrier_reported_at",
        "delayed",
    }
)


def state(fold: OrderFold) -> dict[str, Any]:
    """What a snapshot keeps of the fold, as JSON primitives."""
    return {
        "status": fold.status.value,
        "resumes_to": None if fold.resumes_to is None else fold.resumes_to.value,
        "estimated_delivery": fold.eta.isoformat(),
        "step": None if fold.step is None else fold.step.value,
        "carrier": fold.carrier,
        "tracking_number": fold.tracking_number,
        "tracking_url": fold.tracking_url,
        "location": fold.location,
        "carrier_reported_at": iso(fold.reported),
        "delayed": fold.delayed,
    }


def _text(field: str, value: Any) -> str | None:
    if value is not None and type(value) is not str:
        raise InvalidField(field, value, "a string or null")
    return value


def restored(
    placed: OrderPlaced,
    document: dict[str, Any],
    *,
    version: int,
    at: datetime,
    keys: dict[str, int],
    recent: Recent,
) -> OrderFold:
    """The fold a snapshot describes; a malformed or inconsistent state raises, naming it."""
    _check.only_keys("snapshot.state", document, _STATE_KEYS)
    for name in _STATE_KEYS:
        if name not in document:
            raise InvalidField(f"snapshot.state.{name}", None, "a value (it is missing)")
    fold = OrderFold(placed)
    status = _STATUS.get(document["status"]) if type(document["status"]) is str else None
    if status is None:
        raise InvalidField("snapshot.state.status", document["status"], "an order status")
    interrupted = document["resumes_to"]
    resumes_to = _STATUS.get(interrupted) if type(interrupted) is str else None
    if (interrupted is None) is not (status is not OrderStatus.DELAYED) or (
        interrupted is not None
        and (resumes_to is None or (status, resumes_to) not in TRANSITIONS.table)
    ):
        raise InvalidField(
            "snapshot.state.resumes_to",
            interrupted,
            "the status a delay interrupted, while delayed (else null)",
        )
    step = document["step"]
    fold.step = None if step is None else _STEP.get(step) if type(step) is str else None
    if step is not None and fold.step is None:
        raise InvalidField("snapshot.state.step", step, "a processing step or null")
    fold.status, fold.resumes_to = status, resumes_to
    fold.eta = _check.parse_date(
        "snapshot.state.estimated_delivery", document["estimated_delivery"]
    )
    fold.carrier = _text("snapshot.state.carrier", document["carrier"])
    fold.tracking_number = _text("snapshot.state.tracking_number", document["tracking_number"])
    fold.tracking_url = _text("snapshot.state.tracking_url", document["tracking_url"])
    fold.location = _text("snapshot.state.location", document["location"])
    reported = document["carrier_reported_at"]
    fold.reported = (
        None
        if reported is None
        else _check.parse_datetime("snapshot.state.carrier_reported_at", reported)
    )
    if type(document["delayed"]) is not bool:
        raise InvalidField("snapshot.state.delayed", document["delayed"], "true or false")
    fold.delayed = document["delayed"]
    fold.version, fold.last_at, fold.last_utc = version, at, utc(at)
    fold.keys, fold.recent, fold.base, fold.first = keys, recent, version, placed
    return fold


def needed(fold: OrderFold) -> set[int]:
    """The versions a later command may read: the last, and each keyed one with its neighbours.

    A repeat compares with the date in force before its event, and a carrier
    scan's repeat reads the events it applied after it.
    """
    versions = {fold.version}
    for version in fold.keys.values():
        versions.update((version - 1, version, version + 1))
    return {version for version in versions if version <= fold.version}


def placement(document: Any, *, field: str) -> OrderPlaced:
    """The placement a sealed snapshot carries, built without checking again.

    Only for a snapshot whose digest matched: its content is what ``to_dict``
    wrote from a checked placement. A document that still does not read
    (a forged digest) raises, naming ``field``.
    """
    try:
        lines = tuple(
            made(
                OrderLine,
                {
                    "sku": line["sku"],
                    "name": line["name"],
                    "quantity": line["quantity"],
                    "unit_price": sealed_money(line["unit_price"]),
                },
            )
            for line in document["lines"]
        )
        customer, support = document["customer"], document["support"]
        values = {
            "order_number": document["order_number"],
            "at": datetime.fromisoformat(document["at"]),
            "actor": document["actor"],
            "customer": made(Customer, {"id": customer["id"], "name": customer["name"]}),
            "lines": lines,
            "amount_due": sealed_money(document["amount_due"]),
            "estimated_delivery": date.fromisoformat(document["estimated_delivery"]),
            "support": made(
                SupportContact,
                {name: support.get(name) for name in ("email", "phone", "url")},
            ),
            "idempotency_key": document.get("idempotency_key"),
        }
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
        raise InvalidField(field, document, "a placement as Order.to_dict writes it") from None
    return made(OrderPlaced, values)  # type: ignore[no-any-return]
