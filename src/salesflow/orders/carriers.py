"""Carrier tracking updates, mapped onto order events, that never move an order backwards.

Carriers and tracking services speak their own vocabularies (EasyPost tracker
statuses, AfterShip tags, Shopify fulfilment-event statuses). A
:class:`CarrierUpdate` names its vocabulary and code; :func:`apply_carrier_update`
maps it onto the order's events and applies what moves the order forward.
An update that arrives late, out of order, for another parcel or for an order
that is already final is reported as ignored, with the reason; one that a
person should look at (a parcel returning to the sender, a delivery problem
with no new date) is flagged ``needs_attention``.

>>> from datetime import date, datetime, timezone
>>> from salesflow import Money
>>> from salesflow.orders import (
...     CarrierUpdate, Customer, Order, OrderLine, ProcessingStep, SupportContact,
...     apply_carrier_update)
>>> t = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
>>> order = Order.place(number="1001", customer=Customer("c-1", "Ada"),
...     lines=[OrderLine("MUG-1", "Blue mug", 1, Money("8.50", "EUR"))],
...     estimated_delivery=date(2026, 11, 27), support=SupportContact(email="help@shop.example"),
...     at=t).order
>>> order = order.process(step=ProcessingStep.STOCK_CHECK, at=t).order.pick(at=t).order.pack(at=t).order
>>> order = order.ship(carrier="DHL", tracking_number="JD01", at=t).order
>>> scan = CarrierUpdate(vocabulary="aftership", code="InTransit", tracking_number="JD01",
...     at=datetime(2026, 11, 24, 7, tzinfo=timezone.utc), location="Leipzig hub")
>>> result = apply_carrier_update(order, scan)
>>> result.order.status, result.order.location
(<OrderStatus.IN_TRANSIT: 'in_transit'>, 'Leipzig hub')
>>> late = CarrierUpdate(vocabulary="aftership", code="InTransit", tracking_number="JD01",
...     at=datetime(2026, 11, 23, 18, tzinfo=timezone.utc), location="Berlin depot")
>>> apply_carrier_update(result.order, late).ignored
'the update is from 2026-11-23T18:00:00+00:00, older than the latest change (2026-11-24T07:00:00+00:00); a late scan never moves an order back'
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, Final

import attrs

from salesflow import _check
from salesflow.errors import InvalidType, UnknownCode
from salesflow.orders.order import Order, Outcome
from salesflow.orders.status import OrderStatus

__all__ = ["CARRIER_VOCABULARIES", "CarrierResult", "CarrierUpdate", "apply_carrier_update"]


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

CARRIER_VOCABULARIES: Final[dict[str, frozenset[str]]] = {
    name: frozenset(codes) for name, codes in _VOCABULARIES.items()
}
"""The vocabularies :class:`CarrierUpdate` understands, and their codes."""


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
    at: datetime = attrs.field(validator=_check.aware_field)
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


@attrs.frozen
class CarrierResult:
    """What a carrier update did: the order after it, the outcomes applied, or why not.

    ``outcomes`` holds one :class:`Outcome` per event applied (a scan showing
    a packed order in transit applies ``ship`` then ``transit``); ``ignored``
    says why nothing was applied; ``needs_attention`` asks a person to look.
    """

    order: Order
    outcomes: tuple[Outcome, ...] = ()
    ignored: str | None = None
    needs_attention: bool = False

    @property
    def applied(self) -> bool:
        return bool(self.outcomes)


_ON_THE_ROAD: Final = (OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT)


def apply_carrier_update(
    order: Order, update: CarrierUpdate, *, actor: str = "carrier"
) -> CarrierResult:
    """Apply ``update`` to ``order`` where it moves the order forward; report it otherwise.

    Never moves an order backwards: a late scan, a scan of another parcel,
    or one for an order that is delivered or cancelled is ignored with the
    reason. A packed order that the carrier reports moving is shipped first
    (with the update's carrier and tracking number), then moved on.
    """
    if not isinstance(order, Order):
        raise InvalidType("order", order, "an Order")
    if not isinstance(update, CarrierUpdate):
        raise InvalidType("update", update, "a CarrierUpdate")
    kind = _kind(update.vocabulary, update.code)
    label = f"{update.vocabulary} {update.code!r}"

    def ignored(reason: str, *, attention: bool = False) -> CarrierResult:
        return CarrierResult(order, (), reason, attention)

    if order.tracking_number is not None and update.tracking_number != order.tracking_number:
        return ignored(
            f"tracking number {update.tracking_number!r} is not this order's "
            f"({order.tracking_number!r})"
        )
    if order.is_final:
        moving = kind in (_T, _D) and order.status is OrderStatus.CANCELLED
        return ignored(
            f"the order is already {order.status.value}; {label} cannot move it back",
            attention=moving,
        )
    if kind is _I:
        return ignored(f"{label} is {kind.value}")
    if kind is _R:
        return ignored(f"{label}: {kind.value}; handle it as a return", attention=True)

    stage = order.resumes_to if order.status is OrderStatus.DELAYED else order.status
    if stage not in (OrderStatus.PACKED, *_ON_THE_ROAD):
        return ignored(
            f"{label} reports {kind.value}, but the order is {order.status.value} and not yet packed",
            attention=True,
        )
    if update.at < order.updated_at and (kind is _T or (kind is _P and stage in _ON_THE_ROAD)):
        return ignored(
            f"the update is from {update.at.isoformat()}, older than the latest change "
            f"({order.updated_at.isoformat()}); a late scan never moves an order back"
        )
    # A delivery reported late still counts; it is recorded at the latest change's time.
    at = max(update.at, order.updated_at)
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
                f"{label} reports {kind.value}"
                + (f" ({update.message})" if update.message else "")
                + " without a usable new delivery date; decide on a delay",
                attention=True,
            )
        steps = [
            (
                "delay",
                {
                    "reason": update.message or _problem_words(update.code),
                    "estimated_delivery": eta,
                },
            )
        ]
    elif kind is _T:
        network = order.carrier or update.carrier
        location = update.location or (
            f"the {network} network" if network else "the carrier's network"
        )
        if order.status is OrderStatus.IN_TRANSIT and location == order.location:
            return ignored(f"{label}: the parcel is still at {location}; nothing new to tell")
        steps.append(("transit", {"location": location, "estimated_delivery": eta}))
    else:
        steps.append(("deliver", {"proof": update.message}))

    outcomes: list[Outcome] = []
    current = order
    for verb, content in steps:
        if verb == "resume" and content == {}:
            outcome = current.resume(at=at, actor=actor)
        else:
            outcome = getattr(current, verb)(at=at, actor=actor, **content)
        outcomes.append(outcome)
        current = outcome.order
    return CarrierResult(current, tuple(outcomes))


def _problem_words(code: str) -> str:
    return f"the carrier reported {code.replace('_', ' ').lower()}"
