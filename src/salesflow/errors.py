"""The one error hierarchy of salesflow, rooted at :class:`SalesflowError`.

Subclasses also inherit the built-in a caller would reach for (``ValueError``,
``TypeError``, ``LookupError``), keep their context as attributes and say what
went wrong in one sentence. See docs/orders.md ("Errors").
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
    "MissingExtra",
    "SalesflowError",
    "UndefinedMetric",
    "UnknownCode",
    "VersionConflict",
]


def _shown(value: Any) -> str:
    try:
        text = repr(value.value if isinstance(value, Enum) else value)
    except Exception:  # a value whose repr fails must not break the error reporting it
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= 80 else text[:77] + "..."


# An error is built from garbage only by mistake, and would then fail far from
# the mistake (when shown, pickled or joined): its own arguments are checked
# here, with the same kind of error it would have raised.


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidType(name, value, "a string")
    return value


def _whole(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidType(name, value, "a whole number")
    return value


def _names(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidType(name, value, "an iterable of strings (names)")
    names = tuple(value)
    for index, item in enumerate(names):
        if not isinstance(item, str):
            raise InvalidType(f"{name}[{index}]", item, "a string (a name)")
    return names


class SalesflowError(Exception):
    """Root of every error salesflow raises on purpose."""


class InvalidField(SalesflowError, ValueError):
    """A field is missing or malformed.

    ``field`` names it (with a path such as ``history[3].at`` inside documents),
    ``value`` is what was received and ``expected`` says what would have been
    accepted.
    """

    def __init__(self, field: str, value: Any, expected: str, *, context: str = "") -> None:
        self.field = _text("field", field)
        self.value = value
        self.expected = _text("expected", expected)
        self.context = _text("context", context)
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
        self.vocabulary = _text("vocabulary", vocabulary)
        self.code = code
        self.known = tuple(sorted(_names("known", known)))
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
        self.state = _text("state", state)
        self.event = _text("event", event)
        self.allowed = tuple(sorted(_names("allowed", allowed)))
        self.subject = _text("subject", subject)
        self.detail = _text("detail", detail)
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
        self.subject = _text("subject", subject)
        self.expected = _whole("expected", expected)
        self.actual = _whole("actual", actual)
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
        self.subject = _text("subject", subject)
        self.key = _text("key", key)
        self.recorded_event = _text("recorded_event", recorded_event)
        self.event = _text("event", event)
        self.argument = None if argument is None else _text("argument", argument)
        self.recorded = recorded
        self.given = given
        used = f"{subject}: idempotency_key {key!r} was already used for "
        if argument is None:
            text = f"{used}{recorded_event!r}, expected a new key for {event!r}"
        else:
            text = (
                f"{used}{recorded_event!r} with {argument} {_shown(recorded)}, "
                f"got {argument} {_shown(given)}; use a new key for a different command"
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
        self.metric = _text("metric", metric)
        self.denominator = _text("denominator", denominator)
        self.variant = _text("variant", variant)
        named = f"{metric} ({variant})" if variant else metric
        super().__init__(f"{named} is undefined: {denominator} is 0 (an empty denominator)")

    def __reduce__(self) -> Any:
        return (_rebuild_undefined, (self.metric, self.denominator, self.variant))


class MissingExtra(SalesflowError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it.

    ``package`` is what is missing, ``extra`` the salesflow extra that installs
    it, ``feature`` what needed it.

    >>> raise MissingExtra("altair", "viz", feature="to_altair()")
    Traceback (most recent call last):
    ...
    salesflow.errors.MissingExtra: altair is not installed: pip install 'salesflow[viz]' to use to_altair()
    """

    def __init__(self, package: str, extra: str, *, feature: str) -> None:
        self.package = _text("package", package)
        self.extra = _text("extra", extra)
        self.feature = _text("feature", feature)
        super().__init__(
            f"{package} is not installed: pip install 'salesflow[{extra}]' to use {feature}"
        )

    def __reduce__(self) -> Any:
        return (_rebuild_missing, (self.package, self.extra, self.feature))


def _rebuild_missing(package: str, extra: str, feature: str) -> MissingExtra:
    return MissingExtra(package, extra, feature=feature)


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
