"""Request bodies to commands (a thin local adapter until ``salesflow.Command`` lands).

A body is JSON: times as ISO 8601 strings with an offset, dates as ISO
dates, money as ``{"amount": "12.50", "currency": "EUR"}``. Each verb's
fields are listed once here; an unknown or missing field is refused as the
library refuses a bad argument, naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from salesflow import InvalidField, InvalidType, Money
from salesflow.leads import Lead
from salesflow.orders import Customer, Order, OrderLine, SupportContact

__all__ = ["Command", "parse_command"]


def _text(field: str, value: Any) -> Any:
    return value  # the verb checks text itself, naming the field


def _whole(field: str, value: Any) -> Any:
    return value  # expected_version: the verb checks it


def _datetime(field: str, value: Any) -> datetime:
    if not isinstance(value, str):
        raise InvalidType(field, value, "an ISO 8601 date-time string with an offset")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidField(field, value, "an ISO 8601 date-time with an offset") from None


def _date(field: str, value: Any) -> date:
    if not isinstance(value, str):
        raise InvalidType(field, value, "an ISO 8601 date string")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidField(field, value, "an ISO 8601 date (YYYY-MM-DD)") from None


def _money(field: str, value: Any) -> Money:
    return Money.from_dict(value, field=field)


def _customer(field: str, value: Any) -> Customer:
    return Customer.from_dict(value, field=field)


def _support(field: str, value: Any) -> SupportContact:
    return SupportContact.from_dict(value, field=field)


def _lines(field: str, value: Any) -> list[OrderLine]:
    if not isinstance(value, list):
        raise InvalidType(field, value, "a list of order lines")
    return [OrderLine.from_dict(line, field=f"{field}[{i}]") for i, line in enumerate(value)]


Parser = Callable[[str, Any], Any]
_COMMON: dict[str, Parser] = {"actor": _text, "idempotency_key": _text}
_CHANGE: dict[str, Parser] = {"at": _datetime, **_COMMON, "expected_version": _whole}
_CARRIER: dict[str, Parser] = {"reported_at": _datetime}

# verb -> (required fields, optional fields), beside at/actor/idempotency_key/expected_version
_ORDER_VERBS: dict[str, tuple[dict[str, Parser], dict[str, Parser]]] = {
    "process": ({"step": _text}, {}),
    "pick": ({}, {}),
    "pack": ({}, {}),
    "ship": (
        {"carrier": _text, "tracking_number": _text},
        {"tracking_url": _text, "estimated_delivery": _date, **_CARRIER},
    ),
    "transit": ({"location": _text}, {"estimated_delivery": _date, **_CARRIER}),
    "deliver": ({}, {"proof": _text, "review_url": _text, **_CARRIER}),
    "cancel": ({"reason": _text}, {}),
    "delay": ({"reason": _text, "estimated_delivery": _date}, _CARRIER),
    "resume": ({}, {"estimated_delivery": _date, **_CARRIER}),
}
_PLACE = (
    {
        "number": _text,
        "customer": _customer,
        "lines": _lines,
        "estimated_delivery": _date,
        "support": _support,
        "at": _datetime,
    },
    {"amount_due": _money, **_COMMON},
)
_LEAD_VERBS: dict[str, tuple[dict[str, Parser], dict[str, Parser]]] = {
    "advance": ({}, {}),
    "fast_track": ({}, {}),
    "move_back": ({"reason": _text}, {}),
    "win": ({}, {}),
    "repeat_purchase": ({}, {}),
    "lose": ({"reason": _text}, {"come_back_on": _date, "note": _text}),
    "disqualify": ({}, {"note": _text}),
    "reactivate": ({}, {}),
    "qualify": ({}, {}),
    "log_activity": ({"kind": _text}, {"note": _text}),
}
_CREATE = (
    {"lead_id": _text, "source": _text, "at": _datetime},
    {"deal_value": _money, **_COMMON},
)
CREATION = {"order": "place", "lead": "create"}
VERBS = {"order": {"place", *_ORDER_VERBS}, "lead": {"create", *_LEAD_VERBS}}


@dataclass(frozen=True)
class Command:
    """One parsed command: apply it to the stored aggregate (None before a creation)."""

    kind: str
    name: str
    arguments: Mapping[str, Any]

    @property
    def creates(self) -> bool:
        return self.name == CREATION[self.kind]

    @property
    def idempotency_key(self) -> Any:
        return self.arguments.get("idempotency_key")

    @property
    def aggregate_id(self) -> Any:
        """The id a creation names in its body (``number``, ``lead_id``)."""
        return self.arguments.get("number" if self.kind == "order" else "lead_id")

    def apply(self, target: Any) -> Any:
        if self.creates:
            build = Order.place if self.kind == "order" else Lead.create
            return build(**self.arguments, existing=target)
        return getattr(target, self.name)(**self.arguments)


def parse_command(kind: str, name: str, body: Any) -> Command:
    """The command ``name`` of ``kind`` from a JSON body; refuses unknown and missing fields."""
    if kind == "order":
        required, optional = _PLACE if name == "place" else _spec(_ORDER_VERBS, name)
    else:
        required, optional = _CREATE if name == "create" else _spec(_LEAD_VERBS, name)
    if name != CREATION[kind]:
        required, optional = {**required, "at": _datetime}, {**optional, **_CHANGE}
    if not isinstance(body, dict):
        raise InvalidType("body", body, "a JSON object")
    allowed = {**required, **optional}
    for field in body:
        if field not in allowed:
            raise InvalidField(field, body[field], f"no such field (allowed: {', '.join(allowed)})")
    for field in required:
        if field not in body:
            raise InvalidField(field, None, "a value (it is missing)")
    arguments = {field: allowed[field](field, value) for field, value in body.items()}
    return Command(kind, name, arguments)


def _spec(
    verbs: dict[str, tuple[dict[str, Parser], dict[str, Parser]]], name: str
) -> tuple[dict[str, Parser], dict[str, Parser]]:
    try:
        return verbs[name]
    except KeyError:
        raise InvalidField("verb", name, f"one of {', '.join(sorted(verbs))}") from None
