"""Real documents (``to_dict()`` forms), their readers, and the mutations tried on them.

Every mutation changes what the document says, so every reader must refuse
every mutated document with a ``SalesflowError``. The exceptions are listed
per document in ``harmless``, narrowly (one mutation kind at one path
pattern), each with the reason; and even those must read back to exactly
the original document, so nothing was altered after all.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fuzz import samples
from salesflow import Command, Money, Period
from salesflow.leads import Lead
from salesflow.leads import event_from_dict as lead_event_from_dict
from salesflow.metrics.results import result_from_dict
from salesflow.orders import (
    Customer,
    Order,
    OrderLine,
    SupportContact,
    notification_from_dict,
)
from salesflow.orders import event_from_dict as order_event_from_dict
from salesflow.routing import (
    AssignmentLedger,
    Ownership,
    RoleTransfer,
    WorkingHours,
)
from salesflow.routing import event_from_dict as ownership_event_from_dict
from salesflow.routing.reroute import RerouteReport

Path = tuple[str | int, ...]

UNKNOWN_KEY = "unexpected"
"""The key added to every mapping of a document."""


@dataclass(frozen=True)
class Document:
    """A real document, the reader that must check it and the writer that made it."""

    build: Callable[[], Any]
    read: Callable[[Any], Any]
    write: Callable[[Any], Any] = lambda value: value.to_dict()
    derived: tuple[tuple[str, Any], ...] = ()
    """(path, altered value): fields that follow from the rest (status, version, value...)."""
    harmless: dict[tuple[str, str], str] = field(default_factory=dict)
    """(mutation kind, path pattern) -> why the reader may accept it; ``[*]`` is any index."""
    unprovable: dict[tuple[str, str], str] = field(default_factory=dict)
    """(mutation kind, path pattern) -> why the mutated document is itself a real one.

    Like a swap of two sibling strings (see :func:`mutations`): deleting an
    optional key whose absence is a valid value (a lead's deal value), an item
    of a list (a holiday) or an entry of a mapping (a day off), nulling a
    nullable field, or editing a field that is an independent input, gives the
    genuine document of another valid value, which no reader can tell from a
    tampered one without an integrity check. Such a document may be accepted
    only if it then reads back exactly as written (the reader kept nothing of
    the original). Everything else is still refused.
    """


_SHIP_BODY = {
    "aggregate": "order",
    "command": "ship",
    "carrier": "DHL",
    "tracking_number": "JD01",
    "at": "2026-11-23T13:00:00+00:00",
    "tracking_url": "https://track.example/JD01",
    "estimated_delivery": "2026-11-28",
    "reported_at": "2026-11-23T12:55:00+01:00",
    "actor": "kim",
    "idempotency_key": "k-9",
    "expected_version": 4,
}


_SHIP_OPTIONAL = (
    "tracking_url",
    "estimated_delivery",
    "reported_at",
    "actor",
    "idempotency_key",
    "expected_version",
)
_OPTIONAL_ARGUMENT = "an optional argument left out or null: a request without it is a real one"
_SUMMED = "place sums the lines when no amount due is given"


def _order_event(index: int) -> Document:
    return Document(
        build=lambda: samples.delivered().history[index].to_dict(),
        read=order_event_from_dict,
        harmless={("delete", "version"): _FIRST_VERSION} if index == 0 else {},
        unprovable=_PLACED_UNPROVABLE if index == 0 else {("delete", "idempotency_key"): _NO_KEY},
    )


def _lead_event(index: int) -> Document:
    return Document(
        build=lambda: samples.lost_lead().history[index].to_dict(),
        read=lead_event_from_dict,
        write=lambda event: event.to_dict(),
        harmless={("delete", "version"): _FIRST_VERSION} if index == 0 else {},
        unprovable=_deleted(_LEAD_OPTIONAL),
    )


def _ownership_event(kind: str) -> Document:
    return Document(
        build=lambda: samples.ownership_events()[kind].to_dict(),
        read=ownership_event_from_dict,
        write=lambda event: event.to_dict(),
        unprovable=_deleted(_OWNERSHIP_OPTIONAL),
    )


def _deleted(whys: dict[str, str], prefix: str = "") -> dict[tuple[str, str], str]:
    return {("delete", prefix + name): why for name, why in whys.items()}


_FROM_QUEUE = "a move may take a lead out of a role's queue (no person owns it)"
_NO_DEAL_VALUE = "a lead may be created without a deal value"
_NO_NOTE = "the note of a lost lead, or of a handoff, is optional"
_LEAD_OPTIONAL = {"deal_value": _NO_DEAL_VALUE, "reason": _NO_NOTE}
_OWNERSHIP_OPTIONAL = {
    "from_person": "a handoff may come from a role's queue",
    "to_person": "a handoff may go to a role's queue",
    "expires_at": "a handoff need not have a deadline",
    "note": _NO_NOTE,
}


_FIRST_VERSION = "the first event's version is always 1, so a missing one means 1"
_NOT_UNFINISHED = "a missing unfinished means False, the default (and the value was False)"


def _notice(kind: str, *derived: tuple[str, Any]) -> Document:
    return Document(
        build=lambda: samples.notifications()[kind].to_dict(),
        read=notification_from_dict,
        harmless={("delete", "resumed"): "a missing resumed means False (and the value was False)"},
        derived=(
            ("status", "picking" if kind != "PickingNotice" else "packed"),
            ("subject", "Order 1001: something else"),
            ("message", "Hi Ada, something else happened."),
            ("channels", ["email", "sms", "phone"]),
            ("id", "order:1001:99"),
            ("version", 99),
            ("event", "resume"),
            *derived,
        ),
    )


_RESULT_DERIVED = (
    ("fraction", "44/50"),
    ("value", "0.87"),
    ("numerator", 431),
    ("inputs[2][1]", 481),
    ("inputs", []),
    ("working", "(481 - 50) / 500"),
    ("kind", "score"),
)

# Optional content whose absence is a valid value, and the lines beside an amount due
# that Order.place takes as its own argument (what the customer was charged, net of
# discounts, maybe with shipping: docs/metrics.md), so not derived from the lines.
_NO_SECOND_CONTACT = "a contact needs one of email, phone or url: one fewer is a real contact"
_LINES = "the amount due is given to Order.place, not derived: other lines are a real order"
_PLACED_UNPROVABLE = {
    ("delete", "support.email"): _NO_SECOND_CONTACT,
    ("delete", "support.phone"): _NO_SECOND_CONTACT,
    ("delete", "lines[*]"): _LINES,
    ("duplicate", "lines[*]"): _LINES,
    ("swap with [1]", "lines[0]"): _LINES,
}
_NO_KEY = "a change made without an idempotency key is a real change"
_NO_PROOF = "a delivery without proof is a real delivery"


def _within(prefix: str, entries: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    return {(kind, f"{prefix}.{path}"): why for (kind, path), why in entries.items()}


DOCUMENTS: dict[str, Document] = {
    "Order": Document(
        build=lambda: samples.delivered().to_dict(),
        read=Order.from_dict,
        derived=(
            ("status", "shipped"),
            ("version", 99),
            ("number", "1002"),
            ("history[1].version", 5),
            ("history[1].order_number", "1002"),
            ("history[2].from_status", "received"),
            ("history[0].amount_due.amount", "22.00"),
            ("history[0].lines[1].unit_price.currency", "GBP"),
        ),
        harmless={("delete", "history[0].version"): _FIRST_VERSION},
        unprovable={
            **_within("history[0]", _PLACED_UNPROVABLE),
            ("alter to '22.00'", "history[0].amount_due.amount"): _LINES,
            ("delete", "history[1].idempotency_key"): _NO_KEY,
            ("delete", "history[8].proof"): _NO_PROOF,
        },
    ),
    "Lead": Document(
        build=lambda: samples.lost_lead().to_dict(),
        read=Lead.from_dict,
        derived=(
            ("stage", "customer"),
            ("version", 9),
            ("id", "L-8"),
            ("history[2].to_stage", "consideration"),
            ("history[3].lead_id", "L-8"),
            ("history[4].version", 7),
        ),
        harmless={("delete", "history[0].version"): _FIRST_VERSION},
        unprovable=_deleted(_LEAD_OPTIONAL, "history[*]."),
    ),
    "Ownership": Document(
        build=lambda: samples.accepted().to_dict(),
        read=Ownership.from_dict,
        derived=(
            ("role", "qualifier"),
            ("person", "quinn"),
            ("version", 9),
            ("history[2].handoff", 1),
            ("history[1].to_role", "account_manager"),
        ),
        unprovable=_deleted(_OWNERSHIP_OPTIONAL, "history[*]."),
    ),
    "Ownership with a pending handoff": Document(
        build=lambda: samples.handed().to_dict(),
        read=Ownership.from_dict,
        derived=(("pending", None), ("person", "cleo")),
        unprovable=_deleted(_OWNERSHIP_OPTIONAL, "history[*]."),
    ),
    "ReceivedNotice": _notice(
        "ReceivedNotice",
        ("items[1].unit_price.currency", "GBP"),
        ("amount_due.amount", "99.00"),
    ),
    "ProcessingNotice": _notice("ProcessingNotice", ("step", "payment_confirmation")),
    "PickingNotice": _notice("PickingNotice"),
    "PackedNotice": _notice("PackedNotice"),
    "ShippedNotice": _notice("ShippedNotice", ("carrier", "UPS")),
    "InTransitNotice": _notice("InTransitNotice", ("location", "Somewhere else")),
    "DelayedNotice": _notice("DelayedNotice", ("reason", "no reason")),
    "DeliveredNotice": _notice("DeliveredNotice"),
    "CancelledNotice": _notice("CancelledNotice", ("reason", "no reason")),
    "Money": Document(build=lambda: Money("8.50", "EUR").to_dict(), read=Money.from_dict),
    "Customer": Document(build=lambda: samples.customer().to_dict(), read=Customer.from_dict),
    "OrderLine": Document(build=lambda: samples.line().to_dict(), read=OrderLine.from_dict),
    "SupportContact": Document(
        build=lambda: samples.support().to_dict(),
        read=SupportContact.from_dict,
        unprovable={
            ("delete", "email"): _NO_SECOND_CONTACT,
            ("delete", "phone"): _NO_SECOND_CONTACT,
        },
    ),
    "Period": Document(
        build=lambda: samples.march().to_dict(),
        read=Period.from_dict,
        derived=(("end", "2026-04-02T00:00:00+02:00"), ("unit", "week")),
        # A free span (unit None) may have any bounds, a calendar month's too:
        # Period(start, end, zone=...) writes exactly this document.
        unprovable={("retype to None", "unit"): "a free span over the same month is a Period"},
    ),
    "WorkingHours": Document(
        build=lambda: samples.office().to_dict(),
        read=WorkingHours.from_dict,
        unprovable={
            **{("delete", f"week.{day}"): "a day off is left out of the week" for day in range(7)},
            ("delete", "holidays[*]"): "one holiday fewer is another schedule",
        },
    ),
    "AssignmentLedger": Document(
        build=lambda: samples.assignment().ledger.to_dict(),
        read=AssignmentLedger.from_dict,
        unprovable={
            **{
                ("delete", f"people.{person}"): "a person the ledger never counted is left out"
                for person in ("quinn", "cleo", "ria")
            },
            ("delete", "roles.qualifier"): "a role the ledger never counted is left out",
        },
    ),
    "RoleTransfer": Document(
        build=lambda: samples.move().to_dict(),
        read=RoleTransfer.from_dict,
        unprovable={("retype to None", "from_person"): _FROM_QUEUE},
    ),
    "RerouteReport": Document(
        build=lambda: samples.reroute_report().to_dict(),
        read=RerouteReport.from_dict,
        derived=(("unchanged", 3), ("after.closer", 2), ("before.closer", 1)),
        unprovable={("retype to None", "moves[*].from_person"): _FROM_QUEUE},
    ),
    "Ratio": Document(
        build=lambda: samples.ratio().to_dict(),
        read=result_from_dict,
        derived=_RESULT_DERIVED,
        harmless={
            ("delete", "unfinished"): _NOT_UNFINISHED,
            ("delete", "denominator_name"): "a missing name means '', the default (as it was)",
        },
    ),
    "Score": Document(
        build=lambda: samples.score().to_dict(),
        read=result_from_dict,
        derived=(
            ("fraction", "18/5"),
            ("value", "3.5"),
            ("numerator", 18),
            ("inputs[0][1]", 18),
            ("scale", 100),
            ("kind", "ratio"),
        ),
        harmless={("delete", "unfinished"): _NOT_UNFINISHED},
    ),
    "Amount": Document(
        build=lambda: samples.amount().to_dict(),
        read=result_from_dict,
        derived=(
            ("fraction", "86/3"),
            ("value.amount", "28.34"),
            ("numerator.amount", "86.00"),
            ("inputs[1][1]", 4),
            ("denominator", 4),
            ("kind", "ratio"),
        ),
        harmless={("delete", "unfinished"): _NOT_UNFINISHED},
    ),
    "order event: place": _order_event(0),
    "order event: process": _order_event(1),
    "order event: delay": _order_event(6),
    "lead event: create": _lead_event(0),
    "lead event: lose": _lead_event(5),
    "ownership event: hand_off": _ownership_event("HandoffSubmitted"),
    "ownership event: reject": _ownership_event("HandoffRejected"),
    # Command bodies (salesflow.Command): a client's request, so each optional argument
    # left out, or sent as null, is a real, other request.
    "command: place": Document(
        build=lambda: Command.from_dict(
            {**samples.place_body(), "amount_due": {"amount": "21.00", "currency": "EUR"}}
        ).to_dict(),
        read=Command.from_dict,
        unprovable={
            **_PLACED_UNPROVABLE,
            ("delete", "amount_due"): _SUMMED,
            ("retype to None", "amount_due"): _SUMMED,
        },
    ),
    "command: ship": Document(
        build=lambda: Command.from_dict(_SHIP_BODY).to_dict(),
        read=Command.from_dict,
        unprovable={
            **_deleted(dict.fromkeys(_SHIP_OPTIONAL, _OPTIONAL_ARGUMENT)),
            **{
                ("retype to None", name): _OPTIONAL_ARGUMENT
                for name in _SHIP_OPTIONAL
                if name != "actor"
            },
        },
    ),
}


# -- paths and mutations ----------------------------------------------------


def render(path: Path) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "<document>"


def parse(text: str) -> Path:
    steps: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", text):
        steps.append(int(index) if index else name)
    return tuple(steps)


def matches(pattern: str, path: Path) -> bool:
    regex = re.escape(pattern).replace(r"\[\*\]", r"\[\d+\]")
    return re.fullmatch(regex, render(path)) is not None


def walk(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) in a document, the document itself first."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, (*path, index))


def _get(document: Any, path: Path) -> Any:
    for step in path:
        document = document[step]
    return document


def _changed(document: Any, path: Path, change: Callable[[Any, str | int], None]) -> Any:
    mutated = copy.deepcopy(document)
    change(_get(mutated, path[:-1]), path[-1])
    return mutated


def _set(value: Any) -> Callable[[Any, str | int], None]:
    def apply(parent: Any, step: str | int) -> None:
        parent[step] = copy.deepcopy(value)

    return apply


def _delete(parent: Any, step: str | int) -> None:
    del parent[step]


def _duplicate(parent: Any, step: str | int) -> None:
    assert isinstance(step, int)
    parent.insert(step + 1, copy.deepcopy(parent[step]))


def _other_types(value: Any) -> tuple[Any, ...]:
    """Values of another JSON type than ``value`` (a retyped field)."""
    if value is None:
        return ("x", 7)
    if isinstance(value, bool):
        return (None, 1, "true")
    if isinstance(value, int):
        return (None, str(value), float(value))
    if isinstance(value, str):
        return (None, 7, [value])
    if isinstance(value, list):
        return (None, "x", {})
    return (None, "x", [])


def _is_decimal_text(value: Any) -> bool:
    """A string holding a finite decimal number (an amount or a value, not an id like "1001")."""
    if not isinstance(value, str):
        return False
    try:
        return Decimal(value).is_finite()
    except ArithmeticError:
        return False


@dataclass(frozen=True)
class Mutation:
    kind: str
    path: Path
    document: Any

    @property
    def label(self) -> str:
        return f"{self.kind} {render(self.path)}"


def mutations(document: Any, derived: tuple[tuple[str, Any], ...] = ()) -> Iterator[Mutation]:
    """Every mutation of ``document``: delete, add, retype, swap, duplicate, alter.

    Swaps are of neighbouring list items (events out of order) and of sibling
    values of different types. Two sibling strings (a customer's id and name)
    are not swapped: the result is a well-formed document that says something
    else, which no reader can tell without an integrity check.
    """
    for path, value in walk(document):
        if path:
            yield Mutation("delete", path, _changed(document, path, _delete))
            for other in _other_types(value):
                yield Mutation(f"retype to {other!r}", path, _changed(document, path, _set(other)))
            if _is_decimal_text(value) and (path[-1] in ("amount", "value") or "." in value):
                for other in ("NaN", "-Infinity", "1E+999999"):
                    yield Mutation(
                        f"alter to {other!r}", path, _changed(document, path, _set(other))
                    )
        if isinstance(value, dict):
            added = copy.deepcopy(document)
            _get(added, path)[UNKNOWN_KEY] = 1
            yield Mutation("add key to", path, added)
            keys = list(value)
            for first, second in itertools.pairwise(keys):
                if type(value[first]) is not type(value[second]):
                    swapped = copy.deepcopy(document)
                    target = _get(swapped, path)
                    target[first], target[second] = target[second], target[first]
                    yield Mutation(f"swap with .{second}", (*path, first), swapped)
        if isinstance(value, list):
            for index in range(len(value)):
                if isinstance(value[index], (dict, list)):
                    yield Mutation(
                        "duplicate", (*path, index), _changed(document, (*path, index), _duplicate)
                    )
            for index in range(len(value) - 1):
                if value[index] != value[index + 1] and isinstance(value[index], dict):
                    swapped = copy.deepcopy(document)
                    target = _get(swapped, path)
                    target[index], target[index + 1] = target[index + 1], target[index]
                    yield Mutation(f"swap with [{index + 1}]", (*path, index), swapped)
    for text, altered in derived:
        path = parse(text)
        yield Mutation(f"alter to {altered!r}", path, _changed(document, path, _set(altered)))
