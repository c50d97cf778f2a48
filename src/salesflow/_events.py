"""How every aggregate's events become documents and come back (private).

An event document is a flat mapping of JSON primitives whose ``"event"`` key
names the event; :func:`read` finds the event class from it, :func:`build`
rebuilds an attrs event and checks it is written exactly as :func:`to_dict` writes it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar, cast

import attrs

from salesflow import _check
from salesflow.errors import InvalidField

_T = TypeVar("_T")

Parser = Callable[[str, Any], Any]
"""Reads one document value: ``parser(path, value)`` (``history[3].at``)."""


_AS_IS: frozenset[type] = frozenset({str, int, bool, float})


def primitive(value: Any) -> Any:
    """``value`` as a JSON primitive: an enum's value, an ISO 8601 date or time, a dict."""
    if type(value) in _AS_IS:  # the usual case, first
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    return value


def to_dict(event: Any, fixed: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An attrs event's ``to_dict()``: ``"event"``, then ``fixed``, then each field not None."""
    document: dict[str, Any] = {"event": event.event, **(fixed or {})}
    for name in _ordered_names(cast(Hashable, type(event))):
        value = getattr(event, name)
        if value is not None:
            document[name] = primitive(value)
    return document


@functools.cache
def _ordered_names(kind: Any) -> tuple[str, ...]:
    return tuple(field.name for field in attrs.fields(kind))


def read(document: Any, kinds: Mapping[str, _T], *, field: str) -> tuple[dict[str, Any], _T]:
    """The document (a dict) and the kind its ``"event"`` names among ``kinds``.

    A document that is not a mapping is refused naming ``field``; a missing or
    unknown event name is refused naming ``field.event`` and listing every name.
    """
    doc = _check.mapping(field, document)
    name = doc.get("event")
    kind = kinds.get(name) if isinstance(name, str) else None
    if kind is None:
        expected = f"one of {', '.join(kinds)}"
        if "event" not in doc:
            expected += " (it is missing)"
        raise InvalidField(f"{field}.event", name, expected)
    return doc, kind


@functools.cache
def _field_names(kind: type) -> frozenset[str]:
    return frozenset(field.name for field in attrs.fields(cast(Any, kind)))


def build(
    doc: dict[str, Any],
    kind: type[_T],
    *,
    field: str,
    parsers: Mapping[str, Parser],
    fixed: Mapping[str, Any] | None = None,
) -> _T:
    """The attrs event ``kind`` read from ``doc``, written exactly as its ``to_dict()``.

    ``parsers`` read the keys that are not JSON primitives (``at``); ``fixed``
    are keys ``to_dict()`` writes that are no fields (a first event's
    ``version``: absent is read as that value). Errors name ``field.key``.
    """
    names = _field_names(cast(Any, kind))
    fixed = fixed or {}
    extra = doc.keys() - names - {"event", *fixed}
    if extra:
        raise InvalidField(field, sorted(extra), f"only the keys {', '.join(sorted(names))}")
    values: dict[str, Any] = {}
    for key, value in doc.items():
        if key not in names:
            continue
        parser = parsers.get(key)
        values[key] = parser(f"{field}.{key}", value) if parser and value is not None else value
    _check.required_keys(field, values, kind)
    try:
        event = kind(**values)
    except InvalidField as err:
        raise type(err)(f"{field}.{err.field}", err.value, err.expected) from None
    rebuilt = event.to_dict()  # type: ignore[attr-defined]
    for key in fixed:
        if key not in doc:
            del rebuilt[key]
    _check.same_document(field, doc, rebuilt, why="as the event's to_dict() writes it")
    return event
