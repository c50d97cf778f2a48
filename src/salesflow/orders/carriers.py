"""Carrier tracking updates (EasyPost, AfterShip, Shopify) applied to orders, never backwards.

An update that changes nothing is reported with its :class:`IgnoredReason`;
see docs/orders.md for the rules.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import Any, Final

import attrs

from salesflow import _check, _jsonform, _zones
from salesflow._aggregate import recall, same
from salesflow._zones import utc
from salesflow.errors import IdempotencyConflict, InvalidType, UnknownCode
from salesflow.orders.events import StatusChanged
from salesflow.orders.order import Order, OrderOutcome
from salesflow.orders.status import OrderStatus

__all__ = [
    "CARRIER_VOCABULARIES",
    "CarrierResult",
    "CarrierUpdate",
    "IgnoredReason",
    "apply_carrier_update",
]


class _Kind(Enum):
    INFO = "informational; no status change"
    TRANSIT = "the parcel is moving"
    DELIVERED = "the parcel was delivered"
    PROBLEM = "a delivery problem"
    RETURNING = "the parcel is not coming (returning, cancelled or lost)"


_I, _T, _D, _P, _R = _Kind.INFO, _Kind.TRANSIT, _Kind.DELIVERED, _Kind.PROBLEM, _Kind.RETURNING

_VOCABULARIES: Final[dict[str, dict[str, _Kind]]] = {
    # EasyPost Tracker.status
    "easypost": {
        "unknown": _I,
        "pre_transit": _I,
        "in_transit": _T,
        "out_for_delivery": _T,
        "available_for_pickup": _T,
        "delivered": _D,
        "failure": _P,
        "return_to_sender": _R,
        "cancelled": _R,
        "canceled": _R,  # both spellings appear in EasyPost's material
        "error": _R,
    },
    # AfterShip tracking tag
    "aftership": {
        "Pending": _I,
        "InfoReceived": _I,
        "InTransit": _T,
        "OutForDelivery": _T,
        "AvailableForPickup": _T,
        "Delivered": _D,
        "AttemptFail": _P,
        "Exception": _P,
        "Expired": _R,
    },
    # Shopify FulfillmentEventStatus (REST's lower case; GraphQL's upper case is accepted
    # too), including the values of the newer API versions
    "shopify": {
        "label_printed": _I,
        "label_purchased": _I,
        "confirmed": _I,
        "carrier_picked_up": _T,
        "in_transit": _T,
        "out_for_delivery": _T,
        "ready_for_pickup": _T,
        "picked_up": _D,
        "delivered": _D,
        "ready_for_recipient_pickup": _T,
        "attempted_delivery": _P,
        "delayed": _P,
        "failure": _P,
        "buyer_action_required": _P,
        "returning_to_sender": _R,
    },
}

CARRIER_VOCABULARIES: Final[MappingProxyType[str, frozenset[str]]] = MappingProxyType(
    {name: frozenset(codes) for name, codes in _VOCABULARIES.items()}
)
"""The vocabularies :class:`CarrierUpdate` understands, and their codes (read-only)."""


def _kind(vocabulary: str, code: str) -> _Kind:
    try:
        codes = _VOCABULARIES[vocabulary]
    except (KeyError, TypeError):
        raise UnknownCode("vocabulary", vocabulary, _VOCABULARIES) from None
    if vocabulary == "shopify" and isinstance(code, str):
        code = code.lower()
    try:
        return codes[code]
    except (KeyError, TypeError):
        raise UnknownCode(f"{vocabulary} code", code, codes) from None


@attrs.frozen(kw_only=True)
class CarrierUpdate:
    """One tracking update as a carrier or tracking service reported it.

    Refuses an unknown vocabulary or code (``UnknownCode``), a naive ``at`` and
    empty texts.
    """

    vocabulary: str = attrs.field()
    code: str = attrs.field()
    tracking_number: str = attrs.field(validator=_check.text_field)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    carrier: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    location: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    estimated_delivery: date | None = attrs.field(
        default=None, validator=_check.optional_date_field
    )
    message: str | None = attrs.field(default=None, validator=_check.optional_text_field)

    def __attrs_post_init__(self) -> None:
        _kind(self.vocabulary, self.code)

    @property
    def meaning(self) -> str:
        """What the code means for the order, in plain words."""
        return _kind(self.vocabulary, self.code).value

    @classmethod
    def from_dict(cls, document: Any) -> CarrierUpdate:
        """An update read from JSON primitives: ``at`` ISO 8601 with an offset,
        ``estimated_delivery`` ``YYYY-MM-DD``, ``null`` or no key for an absent field.

        Refused as the constructor refuses, and an unknown or missing key or a
        value of the wrong type, naming the key; see docs/api.md.
        """
        return _jsonform.read_attrs(cls, document)

    def to_dict(self) -> dict[str, Any]:
        """The JSON primitives :meth:`from_dict` reads (fields that are None left out)."""
        return _jsonform.write_attrs(self)


class IgnoredReason(StrEnum):
    """Why a carrier update changed nothing: a code to branch on (the text explains it)."""

    OTHER_PARCEL = "other_parcel"
    """The tracking number is not this order's."""
    ALREADY_FINAL = "already_final"
    """The order is delivered or cancelled; nothing moves it back."""
    INFORMATIONAL = "informational"
    """The code carries no status change (a label printed, information received)."""
    RETURNING = "returning"
    """The parcel is not coming (returning, cancelled, lost): handle it as a return."""
    NOT_YET_PACKED = "not_yet_packed"
    """The carrier reports a parcel the shop has not packed yet."""
    NO_CARRIER = "no_carrier"
    """A parcel moving for an order never shipped, and the update names no carrier."""
    NO_NEW_DATE = "no_new_date"
    """A delivery problem without a usable new delivery date: a person decides."""
    LATE = "late"
    """Older than the latest change: a late scan never moves an order back."""
    SAME_INSTANT = "same_instant"
    """Another location reported for the same instant as the latest scan: the first stands."""
    DUPLICATE = "duplicate"
    """Nothing new: the same location, or the same delay (reason and date) again."""


@attrs.frozen
class CarrierResult:
    """What a carrier update did: the order after it, the outcomes applied, or why not.

    ``outcomes`` holds one :class:`OrderOutcome` per event applied (a scan showing
    a packed order in transit applies ``ship`` then ``transit``); when nothing
    was applied, ``reason`` says why as an :class:`IgnoredReason` code and
    ``ignored`` in words; ``needs_attention`` asks a person to look;
    ``repeated`` is true when the update's delivery id had already been
    applied (the outcomes are the earlier ones).
    """

    order: Order
    outcomes: tuple[OrderOutcome, ...] = ()
    ignored: str | None = None
    needs_attention: bool = False
    reason: IgnoredReason | None = None
    repeated: bool = False

    @property
    def applied(self) -> bool:
        return bool(self.outcomes)


_ON_THE_ROAD: Final = (OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT)
# The event a scan of each kind records last: what a retried delivery id must match.
_EVENT_OF: Final = {_T: "transit", _D: "deliver", _P: "delay"}


def apply_carrier_update(
    order: Order,
    update: CarrierUpdate,
    *,
    actor: str = "carrier",
    idempotency_key: str | None = None,
    expected_version: int | None = None,
) -> CarrierResult:
    """Apply ``update`` to ``order`` where it moves the order forward; report it otherwise.

    Never moves an order backwards: a late scan, a scan of another parcel,
    or one for an order that is delivered or cancelled is ignored with the
    reason. A packed order that the carrier reports moving is shipped first
    (with the update's carrier and tracking number), then moved on.

    ``idempotency_key`` is the provider's delivery id (a webhook delivery):
    a retried delivery returns the earlier outcomes with ``repeated=True``;
    the same id for another scan raises ``IdempotencyConflict``. Without a
    key, an exactly repeated scan is a no-op anyway: the same location, the
    same delay (reason and date), or another location at the same instant as
    the latest scan is ignored. A late delivery scan is recorded at the
    latest change's time (the history stays in order) with the carrier's own
    time as ``reported_at`` (``order.delivered_at`` reads it).
    ``expected_version`` is checked as for any command.
    """
    if not isinstance(order, Order):
        raise InvalidType("order", order, "an Order")
    if not isinstance(update, CarrierUpdate):
        raise InvalidType("update", update, "a CarrierUpdate")
    _check.text("actor", actor)
    key, earlier = recall(
        order, subject=f"order {order.number}", key=idempotency_key, expected=expected_version
    )
    if earlier is not None and key is not None:
        return _repeated(order, update, key, earlier.version)
    kind = _kind(update.vocabulary, update.code)
    label = f"{update.vocabulary} {update.code!r}"

    def ignored(why: IgnoredReason, text: str, *, attention: bool = False) -> CarrierResult:
        return CarrierResult(order, (), text, attention, why)

    if order.tracking_number is not None and update.tracking_number != order.tracking_number:
        return ignored(
            IgnoredReason.OTHER_PARCEL,
            f"tracking number {update.tracking_number!r} is not this order's "
            f"({order.tracking_number!r})",
        )
    if order.is_final:
        moving = kind in (_T, _D) and order.status is OrderStatus.CANCELLED
        return ignored(
            IgnoredReason.ALREADY_FINAL,
            f"the order is already {order.status.value}; {label} cannot move it back",
            attention=moving,
        )
    if kind is _I:
        return ignored(IgnoredReason.INFORMATIONAL, f"{label} is {kind.value}")
    if kind is _R:
        return ignored(
            IgnoredReason.RETURNING, f"{label}: {kind.value}; handle it as a return", attention=True
        )

    stage = order.resumes_to if order.status is OrderStatus.DELAYED else order.status
    if stage not in (OrderStatus.PACKED, *_ON_THE_ROAD):
        return ignored(
            IgnoredReason.NOT_YET_PACKED,
            f"{label} reports {kind.value}, but the order is {order.status.value} and not yet packed",
            attention=True,
        )
    scanned = utc(update.at)
    latest = utc(order.updated_at)
    if scanned < latest and (kind is _T or (kind is _P and stage in _ON_THE_ROAD)):
        return ignored(
            IgnoredReason.LATE,
            f"the update is from {update.at.isoformat()}, older than the latest change "
            f"({order.updated_at.isoformat()}); a late scan never moves an order back",
        )
    # A delivery reported late still counts; it is recorded at the latest change's
    # time (the history stays in order) and keeps the carrier's time as reported_at.
    at = update.at if scanned >= latest else order.updated_at
    eta = update.estimated_delivery
    if eta is not None and eta < at.date():
        eta = None

    steps: list[tuple[str, dict[str, Any]]] = []
    if stage is OrderStatus.PACKED:
        if order.status is OrderStatus.DELAYED:
            steps.append(("resume", {}))
        if kind is not _P:
            if update.carrier is None:
                return ignored(
                    IgnoredReason.NO_CARRIER,
                    f"{label} reports {kind.value} for an order that was never shipped, and "
                    "names no carrier; ship it with the carrier's name first",
                    attention=True,
                )
            steps.append(
                ("ship", {"carrier": update.carrier, "tracking_number": update.tracking_number})
            )
    elif order.status is OrderStatus.DELAYED and kind is _T:
        steps.append(("resume", {}))

    if kind is _P:
        if stage is OrderStatus.PACKED or update.estimated_delivery is None or eta is None:
            return ignored(
                IgnoredReason.NO_NEW_DATE,
                f"{label} reports {kind.value}"
                + (f" ({update.message})" if update.message else "")
                + " without a usable new delivery date; decide on a delay",
                attention=True,
            )
        reason = update.message or _problem_words(update.code)
        if order.status is OrderStatus.DELAYED and _same_delay(order, reason, eta):
            return ignored(
                IgnoredReason.DUPLICATE,
                f"{label}: the order is already delayed ({reason}) to {eta.isoformat()}; "
                "nothing new to tell",
            )
        steps = [("delay", {"reason": reason, "estimated_delivery": eta})]
    elif kind is _T:
        network = order.carrier or update.carrier
        location = update.location or (
            f"the {network} network" if network else "the carrier's network"
        )
        if order.status is OrderStatus.IN_TRANSIT and location == order.location:
            return ignored(
                IgnoredReason.DUPLICATE,
                f"{label}: the parcel is still at {location}; nothing new to tell",
            )
        reported = order.carrier_reported_at
        if reported is not None and scanned == utc(reported) and stage in _ON_THE_ROAD:
            return ignored(
                IgnoredReason.SAME_INSTANT,
                f"{label} reports {location} at {update.at.isoformat()}, the instant of the "
                "latest scan; the first report for an instant stands",
            )
        steps.append(("transit", {"location": location, "estimated_delivery": eta}))
    else:
        steps.append(("deliver", {"proof": update.message}))

    outcomes: list[OrderOutcome] = []
    current = order
    for index, (verb, content) in enumerate(steps):
        step_key = None if key is None else key if index == 0 else f"{key}#{index + 1}"
        outcome = getattr(current, verb)(
            at=at,
            actor=actor,
            reported_at=update.at,
            idempotency_key=step_key,
            expected_version=expected_version if index == 0 else None,
            **content,
        )
        outcomes.append(outcome)
        current = outcome.order
    return CarrierResult(current, tuple(outcomes))


def _same_delay(order: Order, reason: str, eta: date) -> bool:
    last = order._event(order.version)
    return last.event == "delay" and last.reason == reason and order.estimated_delivery == eta


def _repeated(order: Order, update: CarrierUpdate, key: str, version: int) -> CarrierResult:
    """The result of the delivery ``key``, already applied as event ``version``.

    A delivery id names one scan: the same id with another scan (another time,
    parcel or location) raises ``IdempotencyConflict``.
    """
    events = [order._event(version)]
    while order.version > version - 1 + len(events):
        # A scan that applied several events keyed the later ones "<key>#2"...: remembered too.
        following = order._event(version + len(events))
        if following.idempotency_key != f"{key}#{len(events) + 1}":
            break
        events.append(following)
    last = events[-1]
    subject = f"order {order.number}"
    recorded = getattr(last, "reported_at", None)
    kind = _kind(update.vocabulary, update.code)
    if _EVENT_OF.get(kind) != last.event:  # a scan that means another change
        raise IdempotencyConflict(
            subject,
            key,
            last.event,
            "a carrier update",
            argument="update.code",
            recorded=last.event,
            given=update.code,
        )
    checks: list[tuple[str, Any, Any]] = [
        ("update.at", recorded, update.at),
        ("update.tracking_number", order.tracking_number, update.tracking_number),
    ]
    if isinstance(last, StatusChanged):
        if last.location is not None and update.location is not None:
            checks.append(("update.location", last.location, update.location))
        if last.event == "delay":
            reason = update.message or _problem_words(update.code)
            checks.append(("update.message", last.reason, reason))
            checks.append(
                ("update.estimated_delivery", last.estimated_delivery, update.estimated_delivery)
            )
        elif last.event == "deliver":
            checks.append(("update.message", last.proof, update.message))
    for event in events:
        if isinstance(event, StatusChanged) and event.event == "ship":
            checks.append(("update.carrier", event.carrier, update.carrier))
    for argument, was, now in checks:
        if not same(now, was):
            raise IdempotencyConflict(
                subject,
                key,
                last.event,
                "a carrier update",
                argument=argument,
                recorded=was,
                given=now,
            )
    outcomes = tuple(OrderOutcome.of(order, event, repeated=True) for event in events)
    return CarrierResult(order, outcomes, repeated=True)


def _problem_words(code: str) -> str:
    return f"the carrier reported {code.replace('_', ' ').lower()}"
