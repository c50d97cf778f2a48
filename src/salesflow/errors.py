"""The one error hierarchy of salesflow.

Every error the library raises on purpose is a :class:`SalesflowError`. Where a
caller would naturally reach for a built-in (``except ValueError``), the
subclass inherits that built-in as well, so both spellings catch it.

Each error keeps its context as attributes and says what went wrong in one
sentence that names the field, the value received and what was expected.

>>> from salesflow.errors import InvalidField, SalesflowError
>>> err = InvalidField("quantity", -1, "a whole number of at least 1")
>>> str(err)
'quantity: got -1, expected a whole number of at least 1'
>>> isinstance(err, SalesflowError), isinstance(err, ValueError)
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

__all__ = [
    "CurrencyMismatch",
    "IdempotencyConflict",
    "InvalidField",
    "InvalidTransition",
    "InvalidType",
    "SalesflowError",
    "UndefinedMetric",
    "UnknownCode",
    "VersionConflict",
]

_MISSING: Any = object()


def _shown(value: Any) -> str:
    try:
        text = repr(value.value if isinstance(value, Enum) else value)
    except Exception:  # a value whose repr fails must not break the error reporting it
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= 80 else text[:77] + "..."


def _text(value: Any) -> str:
    """A text attribute of an error: kept when it is a string, shown otherwise.

    Errors are built with whatever a caller passed; a garbage argument must
    still give an error that prints, compares and pickles.
    """
    return value if isinstance(value, str) else _shown(value)


def _names(values: Any) -> tuple[str, ...]:
    """A sorted tuple of names from an iterable of names (anything else: shown as one)."""
    if isinstance(values, str) or values is None:
        return () if values is None else (values,)
    try:
        return tuple(sorted(_text(value) for value in values))
    except TypeError:
        return (_shown(values),)


class SalesflowError(Exception):
    """Root of every error salesflow raises on purpose."""


class InvalidField(SalesflowError, ValueError):
    """A field is missing or malformed.

    ``field`` names it (with a path such as ``history[3].at`` inside documents),
    ``value`` is what was received and ``expected`` says what would have been
    accepted.
    """

    def __init__(self, field: str, value: Any, expected: str, *, context: str = "") -> None:
        self.field = _text(field)
        self.value = value
        self.expected = _text(expected)
        self.context = _text(context) if context else ""
        prefix = f"{self.context}: " if self.context else ""
        super().__init__(f"{prefix}{self.field}: got {_shown(value)}, expected {self.expected}")

    def __reduce__(self) -> Any:
        return (
            _rebuild_invalid_field,
            (type(self), self.field, self.value, self.expected, self.context),
        )


def _rebuild_invalid_field(
    cls: type[InvalidField], field: str, value: Any, expected: str, context: str
) -> InvalidField:
    return cls(field, value, expected, context=context)


class InvalidType(InvalidField, TypeError):
    """A field has the wrong type (a float where money is expected, a naive datetime...)."""


class CurrencyMismatch(InvalidField):
    """Two amounts in different currencies were combined or compared."""


class UnknownCode(SalesflowError, LookupError):
    """A code from an outside vocabulary (a carrier status, say) is not known."""

    def __init__(self, vocabulary: str, code: Any, known: Iterable[str]) -> None:
        self.vocabulary = _text(vocabulary)
        self.code = code
        self.known = _names(known)
        super().__init__(
            f"{self.vocabulary}: got {_shown(code)}, expected one of {', '.join(self.known)}"
        )

    def __reduce__(self) -> Any:
        return (type(self), (self.vocabulary, self.code, self.known))


class InvalidTransition(SalesflowError, ValueError):
    """An event is not allowed in the current state.

    ``state`` is the current state's value, ``event`` the name of the refused
    event and ``allowed`` the names of the events that were allowed, sorted.

    >>> err = InvalidTransition("picking", "ship", {"pack", "delay", "cancel"}, subject="an order")
    >>> str(err)
    "Can't ship an order that is picking; allowed: cancel, delay, pack."
    >>> err.allowed
    ('cancel', 'delay', 'pack')
    """

    def __init__(
        self,
        state: str,
        event: str,
        allowed: Iterable[str],
        *,
        subject: str = "it",
        detail: str = "",
    ) -> None:
        self.state = _text(state)
        self.event = _text(event)
        self.allowed = _names(allowed)
        self.subject = _text(subject)
        self.detail = _text(detail) if detail else ""
        allowed_text = ", ".join(self.allowed) if self.allowed else "none (it is final)"
        extra = f" ({self.detail})" if self.detail else ""
        super().__init__(
            f"Can't {self.event} {self.subject} that is {self.state}{extra}; "
            f"allowed: {allowed_text}."
        )

    def __reduce__(self) -> Any:
        return (
            _rebuild_transition,
            (self.state, self.event, self.allowed, self.subject, self.detail),
        )


def _rebuild_transition(
    state: str, event: str, allowed: tuple[str, ...], subject: str, detail: str
) -> InvalidTransition:
    return InvalidTransition(state, event, allowed, subject=subject, detail=detail)


class VersionConflict(SalesflowError):
    """A command expected a version that is no longer current (a stale writer).

    Reload the aggregate, decide again, and retry.
    """

    def __init__(self, subject: str, expected: int, actual: int) -> None:
        self.subject = _text(subject)
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{self.subject}: expected_version {_shown(expected)} is stale, the current version "
            f"is {_shown(actual)}; reload and decide again"
        )

    def __reduce__(self) -> Any:
        return (type(self), (self.subject, self.expected, self.actual))


class IdempotencyConflict(SalesflowError, ValueError):
    """An idempotency key was reused for a different command, or with different arguments.

    A key is bound to the command *and its arguments*: ``recorded_event`` is
    the command the key was first used for and ``event`` the one now asked
    for; when both are the same command, ``argument`` names the first argument
    that differs, with the ``recorded`` value and the value ``given`` now.

    >>> err = IdempotencyConflict("order 1001", "k1", "process", "process",
    ...     argument="step", recorded="stock_check", given="payment_confirmation")
    >>> str(err)
    "order 1001: idempotency_key 'k1' was already used for 'process' with step 'stock_check', got step 'payment_confirmation'; use a new key for a different command"
    """

    def __init__(
        self,
        subject: str,
        key: str,
        recorded_event: str,
        event: str,
        *,
        argument: str | None = None,
        recorded: Any = None,
        given: Any = None,
    ) -> None:
        self.subject = _text(subject)
        self.key = key
        self.recorded_event = _text(recorded_event)
        self.event = _text(event)
        self.argument = None if argument is None else _text(argument)
        self.recorded = recorded
        self.given = given
        used = f"{self.subject}: idempotency_key {_shown(key)} was already used for "
        if self.argument is None:
            text = f"{used}{self.recorded_event!r}, expected a new key for {self.event!r}"
        else:
            text = (
                f"{used}{self.recorded_event!r} with {self.argument} {_shown(recorded)}, "
                f"got {self.argument} {_shown(given)}; use a new key for a different command"
            )
        super().__init__(text)

    def __reduce__(self) -> Any:
        return (
            _rebuild_conflict,
            (
                self.subject,
                self.key,
                self.recorded_event,
                self.event,
                self.argument,
                self.recorded,
                self.given,
            ),
        )


class UndefinedMetric(SalesflowError, ArithmeticError):
    """A metric was required but its denominator is empty (no customers, no answers...).

    ``metric`` names the metric, ``variant`` the variant and ``denominator``
    what was counted in the denominator.
    """

    def __init__(self, metric: str, denominator: str, *, variant: str = "") -> None:
        self.metric = _text(metric)
        self.denominator = _text(denominator)
        self.variant = _text(variant) if variant else ""
        named = f"{self.metric} ({self.variant})" if self.variant else self.metric
        super().__init__(f"{named} is undefined: {self.denominator} is 0 (an empty denominator)")

    def __reduce__(self) -> Any:
        return (_rebuild_undefined, (self.metric, self.denominator, self.variant))


def _rebuild_conflict(
    subject: str,
    key: str,
    recorded_event: str,
    event: str,
    argument: str | None,
    recorded: Any,
    given: Any,
) -> IdempotencyConflict:
    return IdempotencyConflict(
        subject, key, recorded_event, event, argument=argument, recorded=recorded, given=given
    )


def _rebuild_undefined(metric: str, denominator: str, variant: str) -> UndefinedMetric:
    return UndefinedMetric(metric, denominator, variant=variant)
