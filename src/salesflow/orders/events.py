"""The order's domain events, ``OrderPlaced`` then ``StatusChanged``, and their reader.

Each event has ``to_dict()``; :func:`event_from_dict` reads one back. What the
events carry is described in docs/orders.md.
"""

from __future__ import annotations

import operator
import sys
from datetime import date, datetime
from typing import Any, ClassVar, Final

import attrs

from salesflow import _check, _events, _zones
from salesflow._zones import utc
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType
from salesflow.money import Money
from salesflow.orders.lifecycle import ORDER_EVENTS
from salesflow.orders.notifications import ProcessingStep
from salesflow.orders.status import OrderStatus
from salesflow.orders.values import Customer, OrderLine, SupportContact

__all__ = ["OrderEvent", "OrderPlaced", "StatusChanged", "event_from_dict"]


def _of(kind: type) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if isinstance(value, kind):
            return
        raise InvalidType(attribute.name, value, kind.__name__, context=type(instance).__name__)

    return check


def _lines(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple):
        raise InvalidType("lines", value, "a list of OrderLine", context="OrderPlaced")
    if not value:
        raise InvalidField("lines", value, "at least one OrderLine", context="OrderPlaced")
    currency = None
    for index, line in enumerate(value):
        if not isinstance(line, OrderLine):
            raise InvalidType(f"lines[{index}]", line, "an OrderLine", context="OrderPlaced")
        if currency is None:
            currency = line.unit_price.currency
        elif line.unit_price.currency != currency:
            raise CurrencyMismatch(
                f"lines[{index}].unit_price.currency",
                line.unit_price.currency,
                f"{currency!r}, the currency of the first line",
                context="OrderPlaced",
            )


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


@attrs.frozen(kw_only=True)
class OrderPlaced:
    """The first event of every order: what was ordered, by whom, and when it should arrive."""

    event: ClassVar[str] = "place"
    version: ClassVar[int] = 1
    from_status: ClassVar[None] = None
    to_status: ClassVar[OrderStatus] = OrderStatus.RECEIVED
    reason: ClassVar[None] = None

    order_number: str = attrs.field(validator=_check.text_field)
    at: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    actor: str = attrs.field(validator=_check.text_field)
    customer: Customer = attrs.field(validator=_of(Customer))
    lines: tuple[OrderLine, ...] = attrs.field(converter=_as_tuple, validator=_lines)
    amount_due: Money = attrs.field(validator=_of(Money))
    estimated_delivery: date = attrs.field(validator=_check.date_field)
    support: SupportContact = attrs.field(validator=_of(SupportContact))
    idempotency_key: str | None = attrs.field(default=None, validator=_check.optional_text_field)

    def __attrs_post_init__(self) -> None:
        currency = self.lines[0].unit_price.currency
        if self.amount_due.currency != currency:
            raise CurrencyMismatch(
                "amount_due.currency",
                self.amount_due.currency,
                f"{currency!r}, the currency of the lines",
                context="OrderPlaced",
            )
        if self.amount_due.amount < 0:
            raise InvalidField("amount_due", self.amount_due, "zero or more", context="OrderPlaced")
        today = self.at.date()
        if self.estimated_delivery < today:
            raise InvalidField(
                "estimated_delivery",
                self.estimated_delivery,
                f"a date on or after {today.isoformat()}, "
                f"the day the order was placed (at {self.at.isoformat()})",
                context="OrderPlaced",
            )

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "event": "place",
            "order_number": self.order_number,
            "version": 1,
            "to_status": "received",
            "at": self.at.isoformat(),
            "actor": self.actor,
            "customer": self.customer.to_dict(),
            "lines": [line.to_dict() for line in self.lines],
            "amount_due": self.amount_due.to_dict(),
            "estimated_delivery": self.estimated_delivery.isoformat(),
            "support": self.support.to_dict(),
        }
        if self.idempotency_key is not None:
            document["idempotency_key"] = self.idempotency_key
        return document


# Which optional content each event may carry, and which it must. Anything else
# on an event is refused, so a tampered or mislabelled event cannot slip in.
_REQUIRED: Final[dict[str, frozenset[str]]] = {
    "process": frozenset({"step"}),
    "pick": frozenset(),
    "pack": frozenset(),
    "ship": frozenset({"carrier", "tracking_number"}),
    "transit": frozenset({"location"}),
    "deliver": frozenset(),
    "cancel": frozenset({"reason"}),
    "delay": frozenset({"reason"}),
    "resume": frozenset(),
}
_ALLOWED: Final[dict[str, frozenset[str]]] = {
    "process": frozenset({"step"}),
    "pick": frozenset(),
    "pack": frozenset(),
    "ship": frozenset({"carrier", "tracking_number", "tracking_url"}),
    "transit": frozenset({"location"}),
    "deliver": frozenset({"proof", "review_url"}),
    "cancel": frozenset({"reason"}),
    "delay": frozenset({"reason"}),
    "resume": frozenset({"step", "location"}),
}
_CONTENT: Final = (
    "reason",
    "step",
    "carrier",
    "tracking_number",
    "tracking_url",
    "location",
    "proof",
    "review_url",
)
_CONTENT_OF: Final = operator.attrgetter(*_CONTENT)
_NO_CONTENT: Final = (None,) * len(_CONTENT)
_SERIALISED: Final = {
    event: tuple(name for name in _CONTENT if name in allowed)
    for event, allowed in _ALLOWED.items()
}
_EXPECTED_WORDS: Final = {
    "reason": "a non-empty reason",
    "step": "a ProcessingStep (stock_check or payment_confirmation)",
    "carrier": "the carrier's name",
    "tracking_number": "the carrier's tracking number",
    "location": "the parcel's current location",
}


_CTX: Final = "StatusChanged"


@attrs.frozen(kw_only=True)
class StatusChanged:
    """One status change: ``event`` moved the order from ``from_status`` to ``to_status``.

    Refuses an unknown event, a naive ``at``, missing required content for the
    event (a ``ship`` without ``tracking_number``, a ``cancel`` without
    ``reason``) and content that does not belong to it.
    """

    order_number: str
    version: int
    event: str
    from_status: OrderStatus
    to_status: OrderStatus
    at: datetime = attrs.field(eq=_zones.instant_key)
    actor: str
    estimated_delivery: date
    idempotency_key: str | None = None
    reason: str | None = None
    step: ProcessingStep | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    location: str | None = None
    proof: str | None = None
    review_url: str | None = None
    reported_at: datetime | None = attrs.field(default=None, eq=_zones.instant_key)

    def __attrs_post_init__(self) -> None:
        # One pass instead of a validator per field: events are rebuilt on every
        # request that restores an order, so this path is kept lean. Each check
        # is a fast test that falls back to the shared checker to raise.
        allowed = _ALLOWED.get(self.event) if type(self.event) is str else None
        if allowed is None:
            raise InvalidField(
                "event", self.event, f"one of {', '.join(ORDER_EVENTS)}", context=_CTX
            )
        if type(self.version) is not int or self.version < 2:
            _check.whole("version", self.version, minimum=2, context=_CTX)
        if type(self.from_status) is not OrderStatus:
            raise InvalidType("from_status", self.from_status, "an OrderStatus", context=_CTX)
        if type(self.to_status) is not OrderStatus:
            raise InvalidType("to_status", self.to_status, "an OrderStatus", context=_CTX)
        at = self.at
        if not isinstance(at, datetime) or at.utcoffset() is None:
            _check.aware("at", at, context=_CTX)
        if type(self.estimated_delivery) is not date:
            _check.calendar_date("estimated_delivery", self.estimated_delivery, context=_CTX)
        value = self.order_number
        if type(value) is not str or not value or value.isspace():
            _check.text("order_number", value, context=_CTX)
        value = self.actor
        if type(value) is not str or not value or value.isspace():
            _check.text("actor", value, context=_CTX)
        key = self.idempotency_key
        if key is not None and (type(key) is not str or not key or key.isspace()):
            _check.text("idempotency_key", key, context=_CTX)
        if self.reported_at is not None:
            reported = _check.aware("reported_at", self.reported_at, context=_CTX)
            if utc(reported) > utc(at):
                raise InvalidField(
                    "reported_at",
                    reported,
                    f"the carrier's time, not after the change was recorded ({at.isoformat()})",
                    context=_CTX,
                )
        values = _CONTENT_OF(self)
        required = _REQUIRED[self.event]
        if values == _NO_CONTENT:
            if required:
                name = min(required)
                raise InvalidField(
                    name,
                    None,
                    f"{_EXPECTED_WORDS[name]}: a {self.event} event requires it",
                    context=_CTX,
                )
            return
        for name, value in zip(_CONTENT, values, strict=True):
            if value is None:
                if name in required:
                    raise InvalidField(
                        name,
                        None,
                        f"{_EXPECTED_WORDS[name]}: a {self.event} event requires it",
                        context=_CTX,
                    )
                continue
            if name not in allowed:
                raise InvalidField(
                    name,
                    value,
                    f"nothing: a {self.event} event does not carry {name}",
                    context=_CTX,
                )
            if name == "step":
                if not isinstance(value, ProcessingStep):
                    raise InvalidType("step", value, _EXPECTED_WORDS["step"], context=_CTX)
            elif type(value) is not str or not value or value.isspace():
                _check.text(name, value, context=_CTX)

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "event": self.event,
            "order_number": self.order_number,
            "version": self.version,
            "from_status": self.from_status.value,
            "to_status": self.to_status.value,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "estimated_delivery": self.estimated_delivery.isoformat(),
        }
        if self.idempotency_key is not None:
            document["idempotency_key"] = self.idempotency_key
        if self.reported_at is not None:
            document["reported_at"] = self.reported_at.isoformat()
        for name in _SERIALISED[self.event]:
            value = getattr(self, name)
            if value is not None:
                document[name] = str(value)
        return document


OrderEvent = OrderPlaced | StatusChanged
"""Any event in an order's history."""

_PLACED_KEYS: Final = frozenset(
    {
        "event",
        "order_number",
        "version",
        "to_status",
        "at",
        "actor",
        "customer",
        "lines",
        "amount_due",
        "estimated_delivery",
        "support",
        "idempotency_key",
    }
)
_CHANGED_KEYS: Final = frozenset(
    {
        "event",
        "order_number",
        "version",
        "from_status",
        "to_status",
        "at",
        "actor",
        "estimated_delivery",
        "idempotency_key",
        "reported_at",
        *_CONTENT,
    }
)


def event_from_dict(document: Any, *, field: str = "event") -> OrderEvent:
    """Rebuild an event from its ``to_dict()`` form; anything malformed raises ``InvalidField``.

    Field names in errors carry the document path (``history[3].at``).
    """
    doc, kind = _events.read(document, _EVENT_TYPES, field=field)
    name = doc["event"]
    if kind is OrderPlaced:
        _check.only_keys(field, doc, _PLACED_KEYS)
        if doc.get("version", 1) != 1 or doc.get("to_status", "received") != "received":
            raise InvalidField(f"{field}.version", doc.get("version"), "1 for a place event")
        placed = _check.build(
            field,
            OrderPlaced,
            {
                "order_number": _interned(_check.key(field, doc, "order_number")),
                "at": _check.parse_datetime(f"{field}.at", _check.key(field, doc, "at")),
                "actor": _check.key(field, doc, "actor"),
                "customer": Customer.from_dict(
                    _check.key(field, doc, "customer"), field=f"{field}.customer"
                ),
                "lines": _parse_lines(field, _check.key(field, doc, "lines")),
                "amount_due": Money.from_dict(
                    _check.key(field, doc, "amount_due"), field=f"{field}.amount_due"
                ),
                "estimated_delivery": _check.parse_date(
                    f"{field}.estimated_delivery", _check.key(field, doc, "estimated_delivery")
                ),
                "support": SupportContact.from_dict(
                    _check.key(field, doc, "support"), field=f"{field}.support"
                ),
                "idempotency_key": doc.get("idempotency_key"),
            },
        )
        _check.same_document(field, doc, placed.to_dict(), why="as the event's content gives")
        return placed
    if not _CHANGED_KEYS.issuperset(doc):
        _check.only_keys(field, doc, _CHANGED_KEYS)
    try:
        from_status = _STATUS_OF.get(doc["from_status"])
        to_status = _STATUS_OF.get(doc["to_status"])
        number, version, actor = doc["order_number"], doc["version"], doc["actor"]
        # Repeated on every event: share one string per value, as the live order would.
        number, actor = _interned(number), _interned(actor)
        at, eta = doc["at"], doc["estimated_delivery"]
    except KeyError as err:
        raise InvalidField(f"{field}.{err.args[0]}", None, "a value (it is missing)") from None
    except TypeError:  # an unhashable status value
        from_status = to_status = None
    if from_status is None or to_status is None:
        bad = "from_status" if from_status is None else "to_status"
        raise InvalidField(f"{field}.{bad}", doc[bad], f"one of {', '.join(OrderStatus)}")
    step = doc.get("step")
    if step is not None:
        try:
            step = ProcessingStep(step)
        except ValueError:
            raise InvalidField(
                f"{field}.step", step, "stock_check or payment_confirmation"
            ) from None
    reported = doc.get("reported_at")
    try:
        parsed_at = _check.parse_datetime("at", at)
        if reported is not None:
            reported = _check.parse_datetime("reported_at", reported)
        event = StatusChanged(
            order_number=number,
            version=version,
            event=name,
            from_status=from_status,
            to_status=to_status,
            at=parsed_at,
            actor=actor,
            estimated_delivery=_check.parse_date("estimated_delivery", eta),
            idempotency_key=doc.get("idempotency_key"),
            reason=doc.get("reason"),
            step=step,
            carrier=doc.get("carrier"),
            tracking_number=doc.get("tracking_number"),
            tracking_url=doc.get("tracking_url"),
            location=doc.get("location"),
            proof=doc.get("proof"),
            review_url=doc.get("review_url"),
            reported_at=reported,
        )
    except InvalidField as err:
        raise type(err)(f"{field}.{err.field}", err.value, err.expected) from None
    # Written exactly as to_dict writes it: a null for an absent key, a version
    # of 5.0 or a padded name is an altered event.
    _check.same_document(field, doc, event.to_dict(), why="as the event's content gives")
    return event


_STATUS_OF: Final = {status.value: status for status in OrderStatus}
_EVENT_TYPES: Final[dict[str, type[OrderEvent]]] = {
    "place": OrderPlaced,
    **dict.fromkeys(ORDER_EVENTS, StatusChanged),
}


def _interned(value: Any) -> Any:
    return sys.intern(value) if type(value) is str else value


def _parse_lines(field: str, value: Any) -> tuple[OrderLine, ...]:
    if not isinstance(value, list):
        raise InvalidType(f"{field}.lines", value, "a list of lines")
    return tuple(
        OrderLine.from_dict(line, field=f"{field}.lines[{index}]")
        for index, line in enumerate(value)
    )
