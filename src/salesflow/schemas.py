"""JSON Schemas (draft 2020-12) of the documents salesflow writes and reads, made from the code.

Every schema is generated from the classes themselves: their attrs fields and
type hints, their class constants (an event's name, a notice's status and
channels), the enums, the verbs' signatures (commands) and the metric tables'
typed columns, following the one convention every ``to_dict()`` keeps (see
:mod:`salesflow._jsonform`). Nothing is written by hand, so a schema cannot
drift from the code; scripts/gen_schemas.py writes them to docs/schemas/ and
docs/api.md lists them.

>>> from salesflow import schemas
>>> schemas.schema("order.command.ship")["required"]
['aggregate', 'command', 'carrier', 'tracking_number', 'at']
>>> "order" in schemas.names()
True
"""

from __future__ import annotations

import copy
import functools
import inspect
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, Final, Union

import attrs

from salesflow import _jsonform, errors
from salesflow._durations import Durations
from salesflow._frames_out import Columns
from salesflow._jsonform import Shape, shape_of, summary
from salesflow._snapshot import KEY_WINDOW, seal, sealed_entry
from salesflow.commands import all_verbs
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads.events import LeadEvent
from salesflow.leads.lead import SNAPSHOT_SCHEMA as LEAD_SNAPSHOT
from salesflow.leads.lead import Lead
from salesflow.metrics._figures import name_field
from salesflow.metrics.cohorts import CohortTable
from salesflow.metrics.cycle import SalesCycle
from salesflow.metrics.email import EmailReport
from salesflow.metrics.funnel import Funnel
from salesflow.metrics.growth import GrowthRate, MonthlyRevenue
from salesflow.metrics.managers import ManagerKPIs
from salesflow.metrics.orders import StatusTimes
from salesflow.metrics.results import Amount, Ratio, Score
from salesflow.metrics.site import PageStats, SiteEngagement
from salesflow.metrics.stages import LeadStageTimes
from salesflow.metrics.summary import CustomerSummaries
from salesflow.money import Money
from salesflow.orders.carriers import CARRIER_VOCABULARIES, CarrierUpdate
from salesflow.orders.events import OrderEvent
from salesflow.orders.notifications import NOTICE_TYPES
from salesflow.orders.order import SNAPSHOT_SCHEMA as ORDER_SNAPSHOT
from salesflow.orders.order import Order
from salesflow.routing.events import OwnershipEvent
from salesflow.routing.ownership import SNAPSHOT_SCHEMA as OWNERSHIP_SNAPSHOT
from salesflow.routing.ownership import Ownership

__all__ = ["BASE_URI", "DIALECT", "names", "primitives", "schema"]

DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
"""The ``$schema`` of every schema: JSON Schema draft 2020-12."""

BASE_URI: Final = "https://salesflow.dev/schemas/"
"""Each schema's ``$id`` is this followed by ``<name>.json`` (its file in docs/schemas/)."""

_FRACTION: Final = r"^-?[0-9]+(/[0-9]+)?$"


class _Defs:
    """The ``$defs`` one schema collects: value objects, events, commands it refers to."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def shape(self, shape: Shape) -> dict[str, Any]:
        """The schema of ``shape``, its value objects added to ``$defs``."""
        for kind in _jsonform.referenced(shape):
            self.defs.setdefault(kind.__name__, _jsonform.value_schema(kind))
        return _jsonform.schema(shape)

    def ref(self, name: str, build: Callable[[_Defs], dict[str, Any]]) -> dict[str, Any]:
        """A ``$ref`` to ``#/$defs/<name>``, built (once) by ``build(self)``."""
        if name not in self.defs:
            self.defs[name] = {}  # a placeholder: the build may refer back to it
            self.defs[name] = build(self)
        return {"$ref": f"#/$defs/{name}"}


def _closed(
    title: str, description: str, properties: dict[str, Any], required: list[str]
) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _one_of(title: str, description: str, refs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"title": title, "description": description, "oneOf": refs}


def _constant(value: Any) -> dict[str, Any]:
    return {"const": value.value if isinstance(value, Enum) else value}


# -- events -------------------------------------------------------------------------------


def _union_members(union: Any) -> tuple[type, ...]:
    return tuple(typing.get_args(union))


def _class_constants(kind: type) -> dict[str, Any]:
    """The class constants a ``to_dict()`` writes: ClassVars whose value is not None."""
    hints = typing.get_type_hints(kind)
    return {
        name: getattr(kind, name)
        for name, hint in hints.items()
        if typing.get_origin(hint) is ClassVar and getattr(kind, name, None) is not None
    }


def _event_names(kind: str, union: Any) -> dict[type, list[str]]:
    """Each event class of an aggregate with the verbs whose events it records.

    A class with an ``event`` constant records that verb; the one class with an
    ``event`` field records every other verb of the aggregate.
    """
    classes = _union_members(union)
    named: dict[type, list[str]] = {}
    claimed: set[str] = set()
    for cls in classes:
        constant = _class_constants(cls).get("event")
        if isinstance(constant, str):
            named[cls] = [constant]
            claimed.add(constant)
    rest = [name for name in all_verbs()[kind] if name not in claimed]
    for cls in classes:
        if cls not in named:
            named[cls] = rest
    return named


def _event(cls: type, names: list[str], defs: _Defs) -> dict[str, Any]:
    """An event's ``to_dict()``: ``event``, its constants, then each field that is not None."""
    properties: dict[str, Any] = {}
    required = ["event"]
    constants = _class_constants(cls)
    properties["event"] = (
        _constant(names[0]) if len(names) == 1 else {"type": "string", "enum": names}
    )
    for name, value in constants.items():
        if name != "event":
            properties[name] = _constant(value)
            required.append(name)
    for field, hint in _jsonform.field_hints(cls):
        if field.name == "event":
            continue
        properties[field.name] = defs.shape(_jsonform.without_none(shape_of(hint)))
        if field.default is attrs.NOTHING:
            required.append(field.name)
    return _closed(cls.__name__, summary(cls), properties, required)


def _snake(name: str) -> str:
    out = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
    return out.lstrip("_")


_EVENTS: Final = {"order": OrderEvent, "lead": LeadEvent, "ownership": OwnershipEvent}
_AGGREGATES: Final[dict[str, type]] = {"order": Order, "lead": Lead, "ownership": Ownership}


def _any_event(kind: str, defs: _Defs) -> dict[str, Any]:
    names = _event_names(kind, _EVENTS[kind])
    refs = [
        defs.ref(cls.__name__, functools.partial(_event, cls, verbs))
        for cls, verbs in names.items()
    ]
    return _one_of(
        f"{kind} event", f"Any event of {_article(kind)} {kind}'s history (its to_dict()).", refs
    )


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


# -- aggregate documents ------------------------------------------------------------------

# The summary an aggregate's to_dict() writes beside ``schema`` and ``history``: each key
# with the property it is read from (its type hint gives the key's type), or a shape.
_SUMMARIES: Final[dict[str, tuple[tuple[str, str | Shape], ...]]] = {
    "order": (("number", "number"), ("status", "status"), ("version", "version")),
    "lead": (("id", "id"), ("stage", "stage"), ("version", "version")),
    "ownership": (
        ("lead_id", "lead_id"),
        ("role", "role"),
        ("person", "person"),
        ("pending", Shape("whole", nullable=True)),  # the pending handoff's version
        ("version", "version"),
    ),
}


def _property_shape(cls: type, name: str) -> Shape:
    getter = getattr(cls, name).fget
    return shape_of(typing.get_type_hints(getter)["return"])


def _history(kind: str, defs: _Defs) -> dict[str, Any]:
    """The history: the creating event first, then changes, each of its class."""
    names = _event_names(kind, _EVENTS[kind])
    creation = next(name for name, verb in all_verbs()[kind].items() if verb.creates)
    first: dict[str, Any] = {}
    items: list[dict[str, Any]] = []
    for cls, verbs in names.items():
        ref = defs.ref(cls.__name__, functools.partial(_event, cls, verbs))
        if creation in verbs:
            first = (
                ref
                if verbs == [creation]
                else {**ref, "properties": {"event": {"const": creation}}}
            )
        changes = [verb for verb in verbs if verb != creation]
        if changes:
            narrowed = changes != verbs
            items.append({**ref, "properties": {"event": {"enum": changes}}} if narrowed else ref)
    return {
        "type": "array",
        "minItems": 1,
        "prefixItems": [first],
        "items": items[0] if len(items) == 1 else {"oneOf": items},
    }


def _aggregate(kind: str, defs: _Defs) -> dict[str, Any]:
    cls = _AGGREGATES[kind]
    properties: dict[str, Any] = {"schema": {"const": cls.SCHEMA}}  # type: ignore[attr-defined]
    for key, source in _SUMMARIES[kind]:
        shape = _property_shape(cls, source) if isinstance(source, str) else source
        properties[key] = defs.shape(shape)
    properties["history"] = _history(kind, defs)
    required = ["schema", *(key for key, _ in _SUMMARIES[kind]), "history"]
    return _closed(cls.__name__, summary(cls), properties, required)


# -- snapshots ------------------------------------------------------------------------------

_SNAPSHOTS: Final = {
    "order": ORDER_SNAPSHOT,
    "lead": LEAD_SNAPSHOT,
    "ownership": OWNERSHIP_SNAPSHOT,
}


class _Empty:
    """An event whose document is ``{}``: what a carried event's digest looks like."""

    def to_dict(self) -> dict[str, Any]:
        return {}


def _hex(length: int) -> dict[str, Any]:
    """A digest as the snapshots write it (its length measured on the code that seals)."""
    return {"type": "string", "pattern": f"^[0-9a-f]{{{length}}}$"}


def _snapshot(kind: str, defs: _Defs) -> dict[str, Any]:
    """A ``to_snapshot()`` document: the creation event, the facts, the keys, recent events.

    ``state`` holds the aggregate's current facts in a form private to the
    snapshot (``from_snapshot`` checks it, the digest seals it): an object here.
    """
    cls = _AGGREGATES[kind]
    names = _event_names(kind, _EVENTS[kind])
    creation = next(name for name, verb in all_verbs()[kind].items() if verb.creates)
    first_class = next(c for c, verbs in names.items() if creation in verbs)
    first = defs.ref(
        first_class.__name__, functools.partial(_event, first_class, names[first_class])
    )
    events = [
        defs.ref(c.__name__, functools.partial(_event, c, verbs)) for c, verbs in names.items()
    ]
    identity, source = _SUMMARIES[kind][0]
    properties: dict[str, Any] = {
        "schema": {"const": _SNAPSHOTS[kind]},
        identity: defs.shape(_property_shape(cls, str(source))),
        "version": {"type": "integer", "minimum": 1},
        "updated_at": defs.shape(Shape("instant")),
        "first": first,
        "state": {
            "type": "object",
            "description": f"The {kind}'s current facts (checked by from_snapshot, sealed by digest).",
        },
        "keys": {
            "type": "array",
            "maxItems": KEY_WINDOW,
            "items": {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "integer", "minimum": 1}],
                "minItems": 2,
                "items": False,
            },
        },
        "recent": {
            "type": "array",
            "items": {
                "type": "array",
                "prefixItems": [
                    {"type": "integer", "minimum": 2},
                    _hex(len(sealed_entry(_Empty())[0])),
                    {"oneOf": events},
                ],
                "minItems": 3,
                "items": False,
            },
        },
        "digest": _hex(len(seal({}))),
    }
    words = f"{cls.__name__}.to_snapshot(): what the next command needs, sealed by a digest."
    return _closed(f"{cls.__name__} snapshot", words, properties, list(properties))


# -- notifications -------------------------------------------------------------------------


def _notice(cls: type, defs: _Defs) -> dict[str, Any]:
    """A notification's ``to_dict()``: id, status, channels, subject, message, fields not None."""
    status = cls.status  # type: ignore[attr-defined]
    channels = [channel.value for channel in cls.channels]  # type: ignore[attr-defined]
    properties: dict[str, Any] = {
        "id": {"type": "string", "pattern": "^order:.+:[1-9][0-9]*$"},  # Notification.id
        "status": _constant(status),
        "channels": {"type": "array", "const": channels},
        "subject": defs.shape(Shape("text")),
        "message": defs.shape(Shape("text")),
    }
    required = ["id", "status", "channels", "subject", "message"]
    for field, hint in _jsonform.field_hints(cls):
        shape = shape_of(hint)
        properties[field.name] = defs.shape(_jsonform.without_none(shape))
        dated = field.name == "estimated_delivery" and cls.requires_date  # type: ignore[attr-defined]
        if dated or not shape.nullable:
            required.append(field.name)
    words = summary(cls) or f"The notification intent of an order that is now {status.value}."
    return _closed(cls.__name__, words, properties, required)


def _any_notice(defs: _Defs) -> dict[str, Any]:
    refs = [
        defs.ref(cls.__name__, functools.partial(_notice, cls)) for cls in NOTICE_TYPES.values()
    ]
    return _one_of(
        "order notification", "Any order notification intent (its to_dict()), by status.", refs
    )


# -- commands ------------------------------------------------------------------------------


def _command(kind: str, name: str, defs: _Defs) -> dict[str, Any]:
    """A command body: ``aggregate``, ``command`` and the verb's keyword arguments (not ``existing``)."""
    verb = all_verbs()[kind][name]
    properties: dict[str, Any] = {"aggregate": {"const": kind}, "command": {"const": name}}
    for parameter in verb.parameters.values():
        properties[parameter.name] = defs.shape(parameter.shape)
    title = f"{kind} {name} command"
    return _closed(title, verb.doc, properties, ["aggregate", "command", *verb.required])


def _command_ref(kind: str, name: str, defs: _Defs) -> dict[str, Any]:
    return defs.ref(f"{kind}.{name}", functools.partial(_command, kind, name))


def _any_command_of(kind: str, defs: _Defs) -> dict[str, Any]:
    refs = [_command_ref(kind, name, defs) for name in all_verbs()[kind]]
    return _one_of(
        f"{kind} command", f"Any {kind} command: one of its verbs, told by its command.", refs
    )


def _any_command(defs: _Defs) -> dict[str, Any]:
    refs = [_command_ref(kind, name, defs) for kind in all_verbs() for name in all_verbs()[kind]]
    return _one_of("command", "Any command: an order, lead or ownership verb.", refs)


# -- carrier updates -----------------------------------------------------------------------


def _carrier_update(defs: _Defs) -> dict[str, Any]:
    """A carrier update (``CarrierUpdate.from_dict``/``to_dict``); a code of its vocabulary."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, (shape, needed) in _jsonform.attrs_shapes(CarrierUpdate).items():
        properties[name] = defs.shape(shape)
        if needed:
            required.append(name)
    properties["vocabulary"] = {"type": "string", "enum": sorted(CARRIER_VOCABULARIES)}
    result = _closed("CarrierUpdate", summary(CarrierUpdate), properties, required)
    result["allOf"] = [
        {
            "if": {"properties": {"vocabulary": {"const": vocabulary}}},
            "then": {"properties": {"code": {"enum": _codes(vocabulary, codes)}}},
        }
        for vocabulary, codes in sorted(CARRIER_VOCABULARIES.items())
    ]
    return result


def _codes(vocabulary: str, codes: frozenset[str]) -> list[str]:
    # Shopify's codes are read in any case (REST writes them lower, GraphQL upper).
    if vocabulary == "shopify":
        return sorted(codes | {code.upper() for code in codes})
    return sorted(codes)


# -- metric results -------------------------------------------------------------------------


def _loose(hint: Any, field: attrs.Attribute[Any] | None, defs: _Defs) -> dict[str, Any]:
    """The schema of a result field's hint: unions of numbers and money, pairs, tuples."""
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        members = [m for m in typing.get_args(hint) if m is not type(None)]
        if len(members) > 1:
            return {"anyOf": [_loose(member, None, defs) for member in members]}
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _loose(args[0], None, defs)}
        return {
            "type": "array",
            "prefixItems": [_loose(arg, None, defs) for arg in args],
            "minItems": len(args),
            "items": False,
        }
    if hint is str and field is not None and field.default == "":
        return {"type": "string"}
    return defs.shape(shape_of(hint))


def _result(cls: type, defs: _Defs) -> dict[str, Any]:
    """A Ratio, Score or Amount ``to_dict()``: kind, every field, the fraction and the value."""
    properties: dict[str, Any] = {"kind": {"const": cls.__name__.lower()}}
    for field, hint in _jsonform.field_hints(cls):
        properties[field.name] = _loose(hint, field, defs)
    properties["fraction"] = {"type": ["string", "null"], "pattern": _FRACTION}
    value = typing.get_type_hints(cls.value.fget)["return"]  # type: ignore[attr-defined]
    properties["value"] = defs.shape(shape_of(value))
    return _closed(cls.__name__, summary(cls), properties, list(properties))


def _any_result(defs: _Defs) -> dict[str, Any]:
    refs = [defs.ref(cls.__name__, functools.partial(_result, cls)) for cls in _RESULTS.values()]
    return _one_of("metric result", "Any metric result: a Ratio, Score or Amount.", refs)


_RESULTS: Final[dict[str, type]] = {"ratio": Ratio, "score": Score, "amount": Amount}

_COLUMN_KINDS: Final[dict[str, dict[str, Any]]] = {
    "id": {"anyOf": [{"type": "integer"}, {"type": "string", "minLength": 1}]},
    "text": {"type": "string"},
    "int": {"type": "integer"},
    "int_or_none": {"type": ["integer", "null"]},
    "flag": {"type": "boolean"},
    "decimal": {"type": ["string", "null"], "pattern": _jsonform.DECIMAL_PATTERN},
    "duration": {
        "type": ["string", "null"],
        "format": "duration",
        "pattern": _jsonform.DURATION_PATTERN,
    },
    "instant": {"type": ["string", "null"], "format": "date-time"},
}


def _row(title: str, description: str, columns: Columns) -> dict[str, Any]:
    properties = {name: copy.deepcopy(_COLUMN_KINDS[kind]) for name, kind in columns}
    return _closed(title, description, properties, [name for name, _ in columns])


def _table(cls: type, _defs: _Defs) -> dict[str, Any]:
    """A table's ``to_records()`` as JSON (:func:`primitives`): a list of rows of its columns.

    A funnel's rows may add its loss columns (a lead funnel): all of them or none.
    """
    columns: Columns = cls.COLUMNS  # type: ignore[attr-defined]
    row = _row(f"{cls.__name__} row", f"One row of {cls.__name__}.to_records().", columns)
    extra: Columns = getattr(cls, "LOSS_COLUMNS", ())
    if extra:
        names = [name for name, _ in extra]
        row["description"] += f" A lead funnel's rows add {', '.join(names)}."
        row["properties"].update({name: copy.deepcopy(_COLUMN_KINDS[kind]) for name, kind in extra})
        row["dependentRequired"] = {names[0]: names[1:], **dict.fromkeys(names[1:], names[:1])}
    return {
        "title": f"{cls.__name__} records",
        "description": summary(cls),
        "type": "array",
        "items": row,
    }


_TABLES: Final[dict[str, type]] = {
    "cohort_table": CohortTable,
    "customer_summaries": CustomerSummaries,
    "email_report": EmailReport,
    "funnel": Funnel,
    "lead_stage_times": LeadStageTimes,
    "manager_kpis": ManagerKPIs,
    "monthly_revenue": MonthlyRevenue,
    "status_times": StatusTimes,
}


# -- metric documents: results that are neither a quotient nor a table ------------------------

_DURATION: Final = {
    "type": "string",
    "format": "duration",
    "pattern": _jsonform.DURATION_PATTERN,
}


def _durations(_defs: _Defs) -> dict[str, Any]:
    return _row("Durations", summary(Durations), Durations.COLUMNS)


def _figure(hint: Any, field: attrs.Attribute[Any] | None, defs: _Defs) -> dict[str, Any]:
    """How a metric document writes a value of type ``hint``: a timedelta as an ISO 8601
    duration, Durations as its ``to_dict()``, a result (Ratio, Score) as its value, a tuple
    of documents as a list of them, the rest as the results' fields are written."""
    if hint is timedelta:
        return dict(_DURATION)
    if hint is str and field is not None and field.validator is name_field:
        return {"type": "string", "minLength": 1}  # a name used exactly as given
    if hint is Durations:
        return defs.ref("Durations", _durations)
    if isinstance(hint, type) and issubclass(hint, Ratio | Score):
        value: Any = hint.value  # the property, read on the class
        return _figure(typing.get_type_hints(value.fget)["return"], None, defs)
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = next((cls for cls, _, _ in _DOCUMENTS.values() if cls is args[0]), None)
        if item is not None:
            return {"type": "array", "items": defs.ref(item.__name__, _document_of(item))}
    return _loose(hint, field, defs)


def _document_of(cls: type) -> Callable[[_Defs], dict[str, Any]]:
    name = next(name for name, (kind, _, _) in _DOCUMENTS.items() if kind is cls)
    return functools.partial(_document, name)


def _document(name: str, defs: _Defs) -> dict[str, Any]:
    """A metric document's ``to_dict()``: ``kind`` (when it stands alone), every field, then
    the properties it writes for readers, each by its type hint."""
    cls, kind, readers = _DOCUMENTS[name]
    properties: dict[str, Any] = {"kind": {"const": name}} if kind else {}
    for field, hint in _jsonform.field_hints(cls):
        properties[field.name] = _figure(hint, field, defs)
    for reader in readers:
        hint = typing.get_type_hints(getattr(cls, reader).fget)["return"]
        properties[reader] = _figure(hint, None, defs)
    return _closed(cls.__name__, summary(cls), properties, list(properties))


# Each document with its class, whether it carries ``kind`` (a result a metric returns does;
# a part of one does not) and the properties written after the fields, for readers.
_DOCUMENTS: Final[dict[str, tuple[type, bool, tuple[str, ...]]]] = {
    "growth_rate": (GrowthRate, True, ("value", "value_is_exact")),
    "page_stats": (PageStats, False, ("exit_rate",)),
    "sales_cycle": (SalesCycle, True, ("variant",)),
    "site_engagement": (SiteEngagement, True, SiteEngagement.RATES),
}


# -- error documents --------------------------------------------------------------------------


def _error_detail(hint: Any) -> dict[str, Any]:
    """A detail of an error document: names and texts as strings, counts as integers,
    names allowed or known as lists, and any value received as text (or null)."""
    if hint is str:
        return {"type": "string"}
    if hint is int:
        return {"type": "integer"}
    if typing.get_origin(hint) in (Iterable, list, tuple):
        return {"type": "array", "items": {"type": "string"}}
    return {"type": ["string", "null"]}


def _error(cls: type, _defs: _Defs) -> dict[str, Any]:
    """An error's ``to_dict()``: its code, its message, then its constructor's arguments."""
    properties: dict[str, Any] = {
        "error": {"const": cls.error_code},  # type: ignore[attr-defined]
        "message": {"type": "string"},
    }
    init = cls.__init__  # type: ignore[misc]
    hints = typing.get_type_hints(init) if inspect.isfunction(init) else {}
    for name, parameter in list(inspect.signature(init).parameters.items())[1:]:
        if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
            properties[name] = _error_detail(hints[name])
    return _closed(cls.__name__, summary(cls), properties, list(properties))


_ERRORS: Final[dict[str, type]] = {
    cls.error_code: cls for cls in (getattr(errors, name) for name in errors.__all__)
}


def _any_error(defs: _Defs) -> dict[str, Any]:
    refs = [defs.ref(cls.__name__, functools.partial(_error, cls)) for cls in _ERRORS.values()]
    return _one_of("error", "Any error document (SalesflowError.to_dict()), by its code.", refs)


# -- the registry ----------------------------------------------------------------------------


def _builders() -> dict[str, Callable[[_Defs], dict[str, Any]]]:
    found: dict[str, Callable[[_Defs], dict[str, Any]]] = {}
    for kind in _AGGREGATES:
        found[kind] = functools.partial(_aggregate, kind)
        found[f"{kind}.snapshot"] = functools.partial(_snapshot, kind)
        found[f"{kind}.event"] = functools.partial(_any_event, kind)
        for cls, verbs in _event_names(kind, _EVENTS[kind]).items():
            found[f"{kind}.event.{_snake(cls.__name__)}"] = functools.partial(_event, cls, verbs)
        found[f"{kind}.command"] = functools.partial(_any_command_of, kind)
        for name in all_verbs()[kind]:
            found[f"{kind}.command.{name}"] = functools.partial(_command, kind, name)
    found["command"] = _any_command
    found["order.notification"] = _any_notice
    for status, cls in NOTICE_TYPES.items():
        found[f"order.notification.{status.value}"] = functools.partial(_notice, cls)
    found["order.carrier_update"] = _carrier_update
    found["error"] = _any_error
    for code, cls in _ERRORS.items():
        found[f"error.{code}"] = functools.partial(_error, cls)
    found["metric.result"] = _any_result
    for name, cls in _RESULTS.items():
        found[f"metric.{name}"] = functools.partial(_result, cls)
    found["metric.durations"] = lambda _defs: _row(
        "Durations", summary(Durations), Durations.COLUMNS
    )
    for name, cls in _TABLES.items():
        found[f"metric.{name}"] = functools.partial(_table, cls)
    for name in _DOCUMENTS:
        found[f"metric.{name}"] = functools.partial(_document, name)
    return dict(sorted(found.items()))


_BUILDERS: Final = _builders()


@functools.cache
def _built(name: str) -> dict[str, Any]:
    defs = _Defs()
    body = _BUILDERS[name](defs)
    document = {"$schema": DIALECT, "$id": f"{BASE_URI}{name}.json", **body}
    if defs.defs:
        document["$defs"] = dict(sorted(defs.defs.items()))
    return document


def names() -> tuple[str, ...]:
    """The name of every schema, sorted: ``"order"``, ``"order.command.ship"``, ``"metric.ratio"``..."""
    return tuple(_BUILDERS)


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema called ``name`` (one of :func:`names`), a fresh copy to use or change.

    Refused: a name that is not a string (``InvalidType``) or not one of
    :func:`names` (``InvalidField``, listing the areas).
    """
    if type(name) is not str:
        raise InvalidType("name", name, "a schema name such as 'order' (see schemas.names())")
    if name not in _BUILDERS:
        areas = sorted({known.split(".")[0] for known in _BUILDERS})
        raise InvalidField(
            "name", name, f"one of schemas.names() (they start with {', '.join(areas)})"
        )
    return copy.deepcopy(_built(name))


# -- JSON primitives of the row tables ---------------------------------------------------------


def primitives(value: Any) -> Any:
    """``value`` as JSON primitives, as the schemas describe them.

    For documents that hold Python values (a metric table's ``to_records()``,
    ``Durations.to_dict()``): a Decimal becomes its string, a datetime or a date
    ISO 8601, a timedelta an ISO 8601 duration (``P1DT2H``), an enum its value,
    anything with ``to_dict()`` that document; mappings (with string keys),
    lists and tuples item by item. Refused (``InvalidType`` naming the path from
    ``value``): a float (not exact) and any other type.

    >>> from datetime import timedelta
    >>> from decimal import Decimal
    >>> primitives({"total": timedelta(days=1, hours=2), "share": Decimal("0.25")})
    {'total': 'P1DT2H', 'share': '0.25'}
    """
    return _primitive(value, "value")


def _primitive(value: Any, path: str) -> Any:
    if value is None or type(value) in (str, int, bool):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidField(path, value, "a finite Decimal (not NaN or infinity)")
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        if value < timedelta(0):
            raise InvalidField(path, value, "a timedelta of zero or more")
        return _jsonform.duration_text(value)
    if isinstance(value, Mapping):
        document: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise InvalidType(f"{path} key", key, "a string key")
            document[key] = _primitive(item, f"{path}.{key}")
        return document
    if isinstance(value, list | tuple):
        return [_primitive(item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, Money) or (attrs.has(type(value)) and hasattr(value, "to_dict")):
        return _primitive(value.to_dict(), path)
    raise InvalidType(
        path,
        value,
        "JSON primitives, a Decimal, datetime, date, timedelta, enum, or a value with to_dict()",
    )
