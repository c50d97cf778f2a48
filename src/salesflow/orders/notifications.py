"""Customer notification intents, one type per order status, checked when made.

The host sends them (salesflow never does); docs/orders.md ("Notifications")
lists what each status must carry and the channels it suggests.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar, Final

import attrs

from salesflow import _check, _zones
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType
from salesflow.money import Money
from salesflow.orders.lifecycle import TRANSITIONS
from salesflow.orders.status import OrderStatus
from salesflow.orders.values import OrderLine, SupportContact

__all__ = [
    "NOTICE_TYPES",
    "CancelledNotice",
    "Channel",
    "DelayedNotice",
    "DeliveredNotice",
    "InTransitNotice",
    "Notification",
    "PackedNotice",
    "PickingNotice",
    "ProcessingNotice",
    "ProcessingStep",
    "ReceivedNotice",
    "ShippedNotice",
    "notification_from_dict",
]


class Channel(StrEnum):
    """Where a notification should go; the host decides how."""

    EMAIL = "email"
    SMS = "sms"
    PHONE_CALL = "phone_call"


class ProcessingStep(StrEnum):
    """What the shop is doing while an order is processing."""

    STOCK_CHECK = "stock_check"
    PAYMENT_CONFIRMATION = "payment_confirmation"

    @property
    def description(self) -> str:
        return _STEP_WORDS[self]


_STEP_WORDS = {
    ProcessingStep.STOCK_CHECK: "checking that every item is in stock",
    ProcessingStep.PAYMENT_CONFIRMATION: "confirming your payment",
}


def _instance(kind: type) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if not isinstance(value, kind):
            raise InvalidType(attribute.name, value, kind.__name__, context=type(instance).__name__)

    return check


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _events_into() -> dict[OrderStatus, tuple[str, ...]]:
    into: dict[OrderStatus, set[str]] = {OrderStatus.RECEIVED: {"place"}}
    for row in TRANSITIONS.table.values():
        for name, target in row.items():
            into.setdefault(target, set()).add(name)
    return {status: tuple(sorted(names)) for status, names in into.items()}


# The events that lead into each status (from the lifecycle): what a notice's ``event`` may be.
_EVENTS_INTO: Final = _events_into()
_PLAIN: Final = frozenset({str, int, bool})


@attrs.frozen(kw_only=True)
class Notification:
    """What every intent carries: whose order, how to reach support, when, and where to send.

    Subclasses add what their status requires; a missing or malformed field
    raises ``InvalidField`` when the intent is built, so a change that cannot
    tell the customer what they need to know is refused.

    A notice belongs to one event of its order: ``version`` is that event's
    version and ``event`` its name (``place`` at version 1 for a received
    notice; an event that leads to the notice's status for the others, such as
    ``ship`` or ``resume`` for a shipped one). :attr:`id` joins them into the
    key of an outbox row. ``resumed`` follows from ``event`` (``resume``).
    """

    status: ClassVar[OrderStatus]
    channels: ClassVar[tuple[Channel, ...]] = (Channel.EMAIL,)
    requires_date: ClassVar[bool] = True

    order_number: str = attrs.field(validator=_check.text_field)
    customer_name: str = attrs.field(validator=_check.text_field)
    support: SupportContact = attrs.field(validator=_instance(SupportContact))
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    version: int = attrs.field(validator=_check.whole_field(1))
    event: str = attrs.field(validator=_check.text_field)
    estimated_delivery: date | None = attrs.field(
        default=None, validator=_check.optional_date_field
    )
    resumed: bool = attrs.field(
        default=attrs.Factory(lambda self: self.event == "resume", takes_self=True),
        validator=_instance(bool),
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(getattr(type(self), "status", None), OrderStatus):
            # The base has no status and no wording: an intent that cannot say
            # what happened is refused where it is built.
            raise InvalidType(
                "Notification",
                type(self).__name__,
                "one of the notices for a status (ReceivedNotice ... DelayedNotice); "
                "Notification itself is their common base",
            )
        self._check_identity()
        if self.requires_date and self.estimated_delivery is None:
            raise InvalidField(
                "estimated_delivery",
                None,
                f"a date: a {self.status.value} notification must carry it",
                context=type(self).__name__,
            )

    def _check_identity(self) -> None:
        context = type(self).__name__
        events = _EVENTS_INTO[self.status]
        if self.event not in events:
            raise InvalidField(
                "event",
                self.event,
                f"one of {', '.join(events)}: the events that lead to {self.status.value}",
                context=context,
            )
        first = self.event == "place"
        if first != (self.version == 1):
            expected = "1: place is an order's first event" if first else "2 or more: a change"
            raise InvalidField("version", self.version, expected, context=context)
        if self.resumed != (self.event == "resume"):
            raise InvalidField(
                "resumed",
                self.resumed,
                f"{self.event == 'resume'}, as the event {self.event!r} gives",
                context=context,
            )

    @property
    def id(self) -> str:
        """The notice's stable id, ``order:<order number>:<version>``: an outbox row's key.

        An order's event makes at most one notice, so the order number and the
        event's version name it; a retried command gives back the same notice,
        with the same id.
        """
        return f"order:{self.order_number}:{self.version}"

    @property
    def subject(self) -> str:
        """A one-line subject for email, push or SMS."""
        return f"Order {self.order_number}: {self.headline}"

    @property
    def headline(self) -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _what(self) -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives, for an outbox or an API: the id, the status, the
        channels, the subject and message as rendered, and every content field
        (with ``version`` and ``event``).

        :func:`notification_from_dict` reads it back.
        """
        document: dict[str, Any] = {
            "id": self.id,
            "status": self.status.value,
            "channels": [channel.value for channel in self.channels],
            "subject": self.subject,
            "message": self.message,
        }
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if type(value) in _PLAIN:  # most fields: written as they are, no conversion
                document[field.name] = value
            elif value is not None:
                document[field.name] = _primitive(value)
        return document

    @property
    def message(self) -> str:
        """The full, specific message in plain English (hosts may render their own)."""
        parts = [f"Hi {self.customer_name},", self._what()]
        if self.estimated_delivery is not None and self.status is not OrderStatus.DELIVERED:
            label = (
                "New estimated delivery"
                if self.status is OrderStatus.DELAYED
                else "Estimated delivery"
            )
            parts.append(f"{label}: {self.estimated_delivery:%A %d %B %Y}.")
        parts.append(f"Questions? Contact us at {self.support}.")
        return " ".join(parts)


@attrs.frozen(kw_only=True)
class ReceivedNotice(Notification):
    status = OrderStatus.RECEIVED
    items: tuple[OrderLine, ...] = attrs.field(converter=_as_tuple)
    amount_due: Money = attrs.field(validator=_instance(Money))

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if not self.items or not all(isinstance(line, OrderLine) for line in self.items):
            raise InvalidField(
                "items", self.items, "one or more OrderLine", context="ReceivedNotice"
            )
        currency = self.items[0].unit_price.currency
        for index, line in enumerate(self.items):
            if line.unit_price.currency != currency:
                raise CurrencyMismatch(
                    f"items[{index}].unit_price.currency",
                    line.unit_price.currency,
                    f"{currency!r}, the currency of the first item",
                    context="ReceivedNotice",
                )
        if self.amount_due.currency != currency:
            raise CurrencyMismatch(
                "amount_due.currency",
                self.amount_due.currency,
                f"{currency!r}, the currency of the items",
                context="ReceivedNotice",
            )

    @property
    def headline(self) -> str:
        return "we've received your order"

    def _what(self) -> str:
        items = "; ".join(str(line) for line in self.items)
        return (
            f"thank you for your order {self.order_number}: {items}. "
            f"Amount due: {self.amount_due.rounded()}."
        )


@attrs.frozen(kw_only=True)
class ProcessingNotice(Notification):
    status = OrderStatus.PROCESSING
    step: ProcessingStep = attrs.field(validator=_instance(ProcessingStep))

    @property
    def headline(self) -> str:
        return f"we're {self.step.description}"

    def _what(self) -> str:
        again = " again" if self.resumed else ""
        return f"we're {self.step.description}{again} for order {self.order_number}."


@attrs.frozen(kw_only=True)
class PickingNotice(Notification):
    status = OrderStatus.PICKING

    @property
    def headline(self) -> str:
        return "being picked at the warehouse"

    def _what(self) -> str:
        again = " again" if self.resumed else ""
        return f"your order {self.order_number} is being picked at the warehouse{again}."


@attrs.frozen(kw_only=True)
class PackedNotice(Notification):
    status = OrderStatus.PACKED

    @property
    def headline(self) -> str:
        return "packed and waiting for the carrier"

    def _what(self) -> str:
        return (
            f"your order {self.order_number} is packed and waiting for the carrier to collect it."
        )


@attrs.frozen(kw_only=True)
class ShippedNotice(Notification):
    status = OrderStatus.SHIPPED
    channels = (Channel.EMAIL, Channel.SMS)
    carrier: str = attrs.field(validator=_check.text_field)
    tracking_number: str = attrs.field(validator=_check.text_field)
    tracking_url: str | None = attrs.field(default=None, validator=_check.optional_text_field)

    @property
    def headline(self) -> str:
        return f"shipped with {self.carrier}"

    def _what(self) -> str:
        track = f" Track it at {self.tracking_url}." if self.tracking_url else ""
        return (
            f"your order {self.order_number} has left our warehouse with {self.carrier}, "
            f"tracking number {self.tracking_number}.{track}"
        )


@attrs.frozen(kw_only=True)
class InTransitNotice(Notification):
    status = OrderStatus.IN_TRANSIT
    location: str = attrs.field(validator=_check.text_field)

    @property
    def headline(self) -> str:
        return f"on its way, now at {self.location}"

    def _what(self) -> str:
        return (
            f"your order {self.order_number} is on its way and was last scanned at {self.location}."
        )


@attrs.frozen(kw_only=True)
class DeliveredNotice(Notification):
    status = OrderStatus.DELIVERED
    channels = (Channel.EMAIL, Channel.SMS)
    requires_date = False
    review_request: str = attrs.field(validator=_check.text_field)
    proof: str | None = attrs.field(default=None, validator=_check.optional_text_field)
    review_url: str | None = attrs.field(default=None, validator=_check.optional_text_field)

    @property
    def confirmation(self) -> str:
        proof = f" ({self.proof})" if self.proof else ""
        return f"delivered on {self.at:%A %d %B %Y at %H:%M}{proof}"

    @property
    def headline(self) -> str:
        return "delivered"

    def _what(self) -> str:
        link = f" {self.review_url}" if self.review_url else ""
        return (
            f"your order {self.order_number} was {self.confirmation}. {self.review_request}{link}"
        )


@attrs.frozen(kw_only=True)
class CancelledNotice(Notification):
    status = OrderStatus.CANCELLED
    channels = (Channel.EMAIL, Channel.PHONE_CALL)
    requires_date = False
    reason: str = attrs.field(validator=_check.text_field)

    @property
    def headline(self) -> str:
        return "cancelled"

    def _what(self) -> str:
        return f"your order {self.order_number} has been cancelled: {self.reason}."


@attrs.frozen(kw_only=True)
class DelayedNotice(Notification):
    status = OrderStatus.DELAYED
    channels = (Channel.EMAIL, Channel.PHONE_CALL)
    reason: str = attrs.field(validator=_check.text_field)

    @property
    def headline(self) -> str:
        return "delayed"

    def _what(self) -> str:
        return f"we're sorry, your order {self.order_number} is delayed: {self.reason}."


NOTICE_TYPES: MappingProxyType[OrderStatus, type[Notification]] = MappingProxyType(
    {
        cls.status: cls
        for cls in (
            ReceivedNotice,
            ProcessingNotice,
            PickingNotice,
            PackedNotice,
            ShippedNotice,
            InTransitNotice,
            DeliveredNotice,
            CancelledNotice,
            DelayedNotice,
        )
    }
)
"""The notification type for each status (read-only)."""


def _primitive(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Money | SupportContact | OrderLine):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_primitive(item) for item in value]
    return value


_READERS: dict[str, Any] = {
    "at": _check.parse_datetime,
    "estimated_delivery": _check.parse_date,
    "support": lambda field, value: SupportContact.from_dict(value, field=field),
    "amount_due": lambda field, value: Money.from_dict(value, field=field),
    "step": lambda field, value: _check.choice(ProcessingStep, field, value),
    "items": lambda field, value: _items(field, value),
}


def _items(field: str, value: Any) -> tuple[OrderLine, ...]:
    if not isinstance(value, list):
        raise InvalidType(field, value, "a list of order lines")
    return tuple(
        OrderLine.from_dict(line, field=f"{field}[{index}]") for index, line in enumerate(value)
    )


def notification_from_dict(document: Any) -> Notification:
    """Rebuild a notification intent from :meth:`Notification.to_dict`.

    The content is checked as when the intent was made, and the id, subject,
    message and channels written in the document must be the ones the content
    gives (an altered document raises ``InvalidField``).

    >>> from datetime import date, datetime, timezone
    >>> from salesflow.orders import SupportContact
    >>> from salesflow.orders.notifications import CancelledNotice
    >>> notice = CancelledNotice(order_number="1001", customer_name="Ada",
    ...     support=SupportContact(email="help@shop.example"), reason="out of stock",
    ...     at=datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc), version=2, event="cancel")
    >>> document = notice.to_dict()
    >>> document["id"], document["channels"], document["subject"]
    ('order:1001:2', ['email', 'phone_call'], 'Order 1001: cancelled')
    >>> notification_from_dict(document) == notice
    True
    """
    doc = _check.mapping("document", document)
    status = _check.choice(OrderStatus, "status", _check.key("", doc, "status"))
    kind = NOTICE_TYPES[status]
    names = {field.name for field in attrs.fields(kind)}
    _check.only_keys("", doc, names | {"id", "status", "channels", "subject", "message"})
    for field in attrs.fields(kind):
        if field.default is attrs.NOTHING:
            _check.key("", doc, field.name)  # a required key missing is named
    values = {}
    for name in names & set(doc):
        reader = _READERS.get(name)
        values[name] = reader(name, doc[name]) if reader is not None else doc[name]
    try:
        notice = kind(**values)
    except TypeError as err:
        if isinstance(err, InvalidField):
            raise
        raise InvalidField("document", sorted(doc), f"the keys of a {kind.__name__}") from None
    # Id, subject, message and channels follow from the content, and every field is
    # written back exactly: the document must be the one the notice gives.
    _check.same_document("", doc, notice.to_dict(), why="as the content gives")
    return notice
