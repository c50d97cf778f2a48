"""What the aggregates share (private): retries, races, replay and restore."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from salesflow import _check
from salesflow.errors import (
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    InvalidType,
    VersionConflict,
)

_E = TypeVar("_E")
_F = TypeVar("_F")
_A = TypeVar("_A")
_O = TypeVar("_O")


def check_expected_version(subject: str, expected: Any, actual: int) -> None:
    """Raise when a writer's ``expected_version`` is malformed or stale."""
    if expected is None:
        return
    if type(expected) is not int:
        raise InvalidType("expected_version", expected, "the version read, a whole number")
    if expected < 1:
        raise InvalidField("expected_version", expected, "the version read, 1 or more")
    if expected != actual:
        raise VersionConflict(subject, expected, actual)


def recorded(subject: str, history: Iterable[_E], key: str | None, name: str) -> _E | None:
    """The event already recorded under idempotency ``key`` for command ``name``, if any.

    The same key for a different command raises ``IdempotencyConflict``.
    """
    if key is None:
        return None
    for event in history:
        if getattr(event, "idempotency_key", None) == key:
            recorded_name = getattr(event, "event", "")
            if recorded_name != name:
                raise IdempotencyConflict(subject, key, recorded_name, name)
            return event
    return None


def command(
    aggregate: _A,
    *,
    subject: str,
    identity: str,
    name: str,
    key: str | None,
    expected: Any,
    build: Callable[[int], Any],
    outcome: Callable[[_A, Any, bool], _O],
) -> _O:
    """Run one command on an immutable aggregate that *is* its history.

    A malformed or stale ``expected`` version raises; a repeated idempotency
    ``key`` returns ``outcome(aggregate, earlier event, True)`` and changes
    nothing; otherwise ``build(next version)`` makes the event, a copy of the
    aggregate's fold checks and applies it, and the new aggregate comes back as
    ``outcome(new, event, False)``. The aggregate is never changed in place.
    """
    fold: Any = aggregate._fold  # type: ignore[attr-defined]
    history: tuple[Any, ...] = aggregate.history  # type: ignore[attr-defined]
    if expected is not None and type(expected) is not int:
        check_expected_version(subject, expected, fold.version)  # raises
    earlier = recorded(subject, history, key, name)
    if earlier is not None:
        return outcome(aggregate, earlier, True)
    check_expected_version(subject, expected, fold.version)
    event = build(fold.version + 1)
    advanced = fold.copy()
    advanced.advance(identity, event)
    new: _A = object.__new__(type(aggregate))
    object.__setattr__(new, "history", (*history, event))
    object.__setattr__(new, "_fold", advanced)
    return outcome(new, event, False)


def as_history(value: Any) -> tuple[Any, ...]:
    """The converter for an aggregate's ``history``: a tuple or list of events."""
    if isinstance(value, tuple):
        return value
    if not isinstance(value, list):
        raise InvalidType("history", value, "a sequence of events (a tuple or list)")
    return tuple(value)


def fold_checked(
    events: Sequence[Any],
    first: type,
    changes: tuple[type, ...],
    start: Callable[[Any], _F],
    identity: str,
) -> _F:
    """Apply ``events`` to a fold, checking each; errors name ``events[i].field``.

    ``events[0]`` must be a ``first``; the rest ``changes``, applied with
    ``fold.advance(<events[0].identity>, event)``. An event the lifecycle does
    not allow there is reported as an ``InvalidField`` on its ``event``.
    """
    if not events or not isinstance(events[0], first):
        raise InvalidType(
            "events[0]", events[0] if events else None, f"{first.__name__}, the first event"
        )
    fold = start(events[0])
    ident = getattr(events[0], identity)
    for index in range(1, len(events)):
        event = events[index]
        if not isinstance(event, changes):
            raise InvalidType(
                f"events[{index}]", event, " or ".join(kind.__name__ for kind in changes)
            )
        try:
            fold.advance(ident, event)  # type: ignore[attr-defined]
        except InvalidField as err:
            raise type(err)(f"events[{index}].{err.field}", err.value, err.expected) from None
        except InvalidTransition as err:
            raise InvalidField(
                f"events[{index}].event",
                getattr(event, "event", None),
                f"an event allowed from {err.state}: {', '.join(err.allowed) or 'none'}",
            ) from None
    return fold


def restore(
    document: Any,
    *,
    schema: str,
    parse: Callable[..., Any],
    build: Callable[[tuple[Any, ...]], _A],
    summary: Callable[[_A], dict[str, Any]],
) -> _A:
    """Rebuild an aggregate from its ``to_dict`` form, checking every event and the summary."""
    doc = _check.mapping("document", document)
    if doc.get("schema") != schema:
        raise InvalidField("schema", doc.get("schema"), repr(schema))
    raw = _check.key("", doc, "history")
    if not isinstance(raw, list) or not raw:
        raise InvalidField("history", raw, "a non-empty list of events")
    events = tuple(parse(item, field=f"history[{index}]") for index, item in enumerate(raw))
    try:
        aggregate = build(events)
    except InvalidField as err:
        name = err.field.replace("events[", "history[", 1)
        raise type(err)(name, err.value, err.expected) from None
    for name, value in summary(aggregate).items():
        if doc.get(name) != value:
            raise InvalidField(name, doc.get(name), f"{value!r}, as the history says")
    return aggregate
