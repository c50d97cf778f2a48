"""Retry and race checks shared by the aggregates (private)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from salesflow.errors import IdempotencyConflict, InvalidType, VersionConflict

_E = TypeVar("_E")


def check_expected_version(subject: str, expected: Any, actual: int) -> None:
    """Raise when a writer's ``expected_version`` is malformed or stale."""
    if expected is None:
        return
    if type(expected) is not int or expected < 1:
        raise InvalidType("expected_version", expected, "the version read, a whole number")
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
