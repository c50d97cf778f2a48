"""The one error hierarchy of salesflow, rooted at :class:`SalesflowError`.

Subclasses also inherit the built-in a caller would reach for (``ValueError``,
``TypeError``, ``LookupError``), keep their context as attributes and say what
went wrong in one sentence; :meth:`SalesflowError.to_dict` gives the JSON error
document a host returns. See docs/errors.md ("Errors for hosts").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, Final

__all__ = [
    "ClockConflict",
    "CorruptDocument",
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

# The largest version (a signed 64-bit integer, as databases store it); an
# expected_version beyond it is refused as malformed before a conflict is built.
_MAX_VERSION: Final = 2**63 - 1


def _shown(value: Any) -> str:
    try:
        text = repr(value.value if isinstance(value, Enum) else value)
    except Exception:  # a value whose repr fails must not break the error reporting it
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= 80 else text[:77] + "..."


def _clean(text: str) -> str:
    # A lone surrogate (JSON's "\ud800" reads as one) cannot be encoded as UTF-8:
    # an error document must survive any JSON encoder, so it is written escaped.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _as_text(value: Any) -> str | None:
    """``value`` as text for an error document: None stays None (JSON null)."""
    if value is None:
        return None
    try:
        if isinstance(value, str):
            text = str.__str__(value)  # the characters themselves, whatever a subclass says
        elif isinstance(value, Enum):
            return _as_text(value.value)
        elif isinstance(value, datetime | date | time):
            text = value.isoformat()
        elif isinstance(value, Decimal):
            text = str(value)
        else:
            from salesflow.money import Money  # money imports this module: read at call time

            text = str(value) if isinstance(value, Money) else _shown(value)
    except Exception:  # a value that cannot say itself must not break its error document
        text = _shown(value)
    return _clean(text)


def _message(error: BaseException) -> str:
    try:
        return _clean(str(error))
    except Exception:  # a root error built from an argument whose str fails
        return f"<{type(error).__name__}>"


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


def _version(name: str, value: Any) -> int:
    if not 0 <= _whole(name, value) <= _MAX_VERSION:
        raise InvalidField(name, value, "a version, from 0 to 2**63 - 1")
    return value  # type: ignore[no-any-return]


def _names(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidType(name, value, "an iterable of strings (names)")
    names = tuple(value)
    for index, item in enumerate(names):
        if not isinstance(item, str):
            raise InvalidType(f"{name}[{index}]", item, "a string (a name)")
    return names


_CODE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


class SalesflowError(Exception):
    """Root of every error salesflow raises on purpose.

    Each class has a stable ``error_code`` (snake_case, unique per public class)
    and :meth:`to_dict`, the error document a host returns. A subclass that
    sets its own ``error_code`` must give a snake_case name (else ``InvalidField``
    when the class is defined).
    """

    error_code: ClassVar[str] = "salesflow_error"
    """The ``"error"`` of :meth:`to_dict`: what kind of error this is, for a program."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        code = cls.error_code
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise InvalidField(
                f"{cls.__name__}.error_code", code, "a snake_case name such as 'invalid_field'"
            )

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON-safe primitives: ``{"error": code, "message": str(err), ...}``.

        After ``error`` and ``message`` come the error's details, by class
        (docs/errors.md lists them): names and texts as strings, a value
        received as text (``None`` as null), counts as integers, names allowed
        or known as lists. ``json.dumps`` never fails on it (a lone surrogate
        is written escaped), so a host may return it as the body of an error
        response. It is one-way: there is no ``from_dict``.

        >>> InvalidField("quantity", -1, "a whole number of at least 1").to_dict()
        {'error': 'invalid_field', 'message': 'quantity: got -1, expected a whole number of at least 1', 'field': 'quantity', 'value': '-1', 'expected': 'a whole number of at least 1', 'context': ''}
        """
        return {"error": self.error_code, "message": _message(self), **self._details()}

    def _details(self) -> dict[str, Any]:
        """What :meth:`to_dict` adds after ``error`` and ``message`` (JSON-safe)."""
        return {}


class InvalidField(SalesflowError, ValueError):
    """A field is missing or malformed: bad input (HTTP 422 when it came from a client).

    ``field`` names it (with a path such as ``history[3].at`` inside documents),
    ``value`` is what was received and ``expected`` says what would have been
    accepted; ``context`` names the value being built, when it helps.
    :meth:`to_dict` adds ``field``, ``value`` (as text), ``expected`` and ``context``.
    """

    error_code = "invalid_field"

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

    def _details(self) -> dict[str, Any]:
        return {
            "field": _clean(self.field),
            "value": _as_text(self.value),
            "expected": _clean(self.expected),
            "context": _clean(self.context),
        }


def _rebuild_invalid_field(
    cls: type[InvalidField], field: str, value: Any, expected: str, context: str
) -> InvalidField:
    return cls(field, value, expected, context=context)


class InvalidType(InvalidField, TypeError):
    """A field has the wrong type (a float where money is expected, a naive datetime...).

    It is also a ``TypeError``, and stays one: that is the built-in a caller
    reaches for when a value has the wrong type, and code written against
    earlier releases catches it so. A host builds commands from a request body
    with the command values (``salesflow.Command``), never ``Verb(**body)``, so it
    needs no ``except TypeError`` that could swallow this error; catch
    ``SalesflowError`` (or this class) and map it with :meth:`to_dict`.
    """

    error_code = "invalid_type"


class CurrencyMismatch(InvalidField):
    """Two amounts in different currencies were combined or compared."""

    error_code = "currency_mismatch"


class ClockConflict(InvalidField):
    """A command's time is before the aggregate's latest change: a conflict, not bad input.

    Two app servers whose clocks disagree by a little write one aggregate in
    turn: the second's ``at`` reads earlier than the change the first just
    made. Nothing in the request is malformed (HTTP 409): retry with a time on
    or after ``latest``, the latest change's time. Raised by every verb of
    ``Order``, ``Lead`` and ``Ownership`` (``field`` is ``at``) and by the
    readings up to a time (``time_in_statuses``, ``time_in_stages``, ``stalled``: ``now``). The same problem in
    stored data is a :class:`CorruptDocument`. :meth:`to_dict` adds ``latest``.

    >>> from datetime import datetime, timezone
    >>> latest = datetime(2026, 11, 23, 9, 0, 5, tzinfo=timezone.utc)
    >>> err = ClockConflict("at", datetime(2026, 11, 23, 9, 0, 3, tzinfo=timezone.utc),
    ...     f"a time on or after the latest change ({latest.isoformat()})", latest=latest)
    >>> isinstance(err, InvalidField), err.to_dict()["latest"]
    (True, '2026-11-23T09:00:05+00:00')
    """

    error_code = "clock_conflict"

    def __init__(
        self,
        field: str,
        value: Any,
        expected: str,
        *,
        context: str = "",
        latest: datetime | None = None,
    ) -> None:
        if latest is not None and (not isinstance(latest, datetime) or latest.tzinfo is None):
            raise InvalidType("latest", latest, "a timezone-aware datetime (the latest change's)")
        self.latest = latest
        super().__init__(field, value, expected, context=context)

    def __reduce__(self) -> Any:
        return (
            _rebuild_clock,
            (self.field, self.value, self.expected, self.context, self.latest),
        )

    def _details(self) -> dict[str, Any]:
        # ``latest`` is None only when code that did not know it rebuilt the error.
        return {**super()._details(), "latest": _as_text(self.latest)}


def _rebuild_clock(
    field: str, value: Any, expected: str, context: str, latest: datetime | None
) -> ClockConflict:
    return ClockConflict(field, value, expected, context=context, latest=latest)


class CorruptDocument(InvalidField):
    """Stored data failed its checks: a history, document or snapshot (HTTP 500, an alarm).

    Raised by ``from_dict``, ``replay``, ``from_snapshot`` and
    ``Order(history)``-style construction of ``Order``, ``Lead`` and ``Ownership``: what they read was
    written by the host, so a refusal there means corrupt or tampered data (or
    a bug in the host), never bad client input. ``event_from_dict`` reads one
    event a client may send, and keeps raising ``InvalidField``.

    The field path is the one the check named (``history[3].to_status``). A
    refusal that was an ``InvalidType`` or a ``CurrencyMismatch`` is still one
    (``except InvalidType`` keeps catching it), and every one is still an
    ``InvalidField``; :meth:`of` makes them.
    """

    error_code = "corrupt_document"

    @classmethod
    def of(cls, error: InvalidField, *, field: str | None = None) -> CorruptDocument:
        """The ``CorruptDocument`` for ``error``, met while checking stored data.

        Same field (or ``field``, a path to name instead), value, expected and
        context; still an ``InvalidType`` or ``CurrencyMismatch`` where
        ``error`` was one. A ``CorruptDocument`` comes back as it is (renamed
        when ``field`` is given). Refuses anything but an ``InvalidField``.

        >>> err = CorruptDocument.of(InvalidType("at", "09:00", "a timezone-aware datetime"),
        ...     field="history[2].at")
        >>> isinstance(err, CorruptDocument), isinstance(err, InvalidType), err.field
        (True, True, 'history[2].at')
        """
        if not isinstance(error, InvalidField):
            raise InvalidType("error", error, "an InvalidField, the refusal of the stored data")
        if field is not None:
            _text("field", field)
        elif isinstance(error, CorruptDocument):
            return error
        kind = _CORRUPT[_corrupt_key(error)]
        return kind(
            error.field if field is None else field,
            error.value,
            error.expected,
            context=error.context,
        )

    def __reduce__(self) -> Any:
        # The combined classes are named ``CorruptDocument`` (what a traceback
        # should say), so they pickle by their key, not by their name.
        return (
            _rebuild_corrupt,
            (_corrupt_key(self), self.field, self.value, self.expected, self.context),
        )


def _corrupt_key(error: InvalidField) -> str:
    if isinstance(error, InvalidType):
        return "invalid_type"
    if isinstance(error, CurrencyMismatch):
        return "currency_mismatch"
    return "invalid_field"


class _CorruptType(CorruptDocument, InvalidType):
    """Corrupt stored data that was an ``InvalidType``: still one, for ``except InvalidType``."""


class _CorruptCurrency(CorruptDocument, CurrencyMismatch):
    """Corrupt stored data that was a ``CurrencyMismatch``: still one."""


for _combined in (_CorruptType, _CorruptCurrency):
    _combined.__name__ = _combined.__qualname__ = "CorruptDocument"

_CORRUPT: Final[dict[str, type[CorruptDocument]]] = {
    "invalid_field": CorruptDocument,
    "invalid_type": _CorruptType,
    "currency_mismatch": _CorruptCurrency,
}


def _rebuild_corrupt(
    key: str, field: str, value: Any, expected: str, context: str
) -> CorruptDocument:
    return _CORRUPT[key](field, value, expected, context=context)


class UnknownCode(SalesflowError, LookupError):
    """A code from an outside vocabulary (a carrier status, say) is not known.

    :meth:`to_dict` adds ``vocabulary``, ``code`` (as text) and ``known`` (a list).
    """

    error_code = "unknown_code"

    def __init__(self, vocabulary: str, code: Any, known: Iterable[str]) -> None:
        self.vocabulary = _text("vocabulary", vocabulary)
        self.code = code
        self.known = tuple(sorted(_names("known", known)))
        super().__init__(
            f"{self.vocabulary}: got {_shown(code)}, expected one of {', '.join(self.known)}"
        )

    def __reduce__(self) -> Any:
        return (type(self), (self.vocabulary, self.code, self.known))

    def _details(self) -> dict[str, Any]:
        return {
            "vocabulary": _clean(self.vocabulary),
            "code": _as_text(self.code),
            "known": [_clean(name) for name in self.known],
        }


class InvalidTransition(SalesflowError, ValueError):
    """An event is not allowed in the current state.

    ``state`` is the current state's value, ``event`` the name of the refused
    event and ``allowed`` the names of the events that were allowed, sorted.
    :meth:`to_dict` adds them (``allowed`` as a list), ``subject`` and ``detail``.

    >>> err = InvalidTransition("picking", "ship", {"pack", "delay", "cancel"}, subject="an order")
    >>> str(err)
    "Can't ship an order that is picking; allowed: cancel, delay, pack."
    >>> err.allowed
    ('cancel', 'delay', 'pack')
    """

    error_code = "invalid_transition"

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

    def _details(self) -> dict[str, Any]:
        return {
            "state": _clean(self.state),
            "event": _clean(self.event),
            "allowed": [_clean(name) for name in self.allowed],
            "subject": _clean(self.subject),
            "detail": _clean(self.detail),
        }


def _rebuild_transition(
    state: str, event: str, allowed: tuple[str, ...], subject: str, detail: str
) -> InvalidTransition:
    return InvalidTransition(state, event, allowed, subject=subject, detail=detail)


class VersionConflict(SalesflowError):
    """A command expected a version that is no longer current (a stale writer).

    Reload the aggregate, decide again, and retry. ``expected`` and ``actual``
    are versions (whole numbers from 0 to 2**63 - 1); :meth:`to_dict` adds
    them and ``subject``.
    """

    error_code = "version_conflict"

    def __init__(self, subject: str, expected: int, actual: int) -> None:
        self.subject = _text("subject", subject)
        self.expected = _version("expected", expected)
        self.actual = _version("actual", actual)
        super().__init__(
            f"{self.subject}: expected_version {_shown(expected)} is stale, the current version "
            f"is {_shown(actual)}; reload and decide again"
        )

    def __reduce__(self) -> Any:
        return (type(self), (self.subject, self.expected, self.actual))

    def _details(self) -> dict[str, Any]:
        return {"subject": _clean(self.subject), "expected": self.expected, "actual": self.actual}


class IdempotencyConflict(SalesflowError, ValueError):
    """An idempotency key was reused for a different command, or with different arguments.

    A key is bound to the command *and its arguments*: ``recorded_event`` is
    the command the key was first used for and ``event`` the one now asked
    for; when both are the same command, ``argument`` names the first argument
    that differs, with the ``recorded`` value and the value ``given`` now.
    :meth:`to_dict` adds them all (``recorded`` and ``given`` as text) and ``subject``.

    >>> err = IdempotencyConflict("order 1001", "k1", "process", "process",
    ...     argument="step", recorded="stock_check", given="payment_confirmation")
    >>> str(err)
    "order 1001: idempotency_key 'k1' was already used for 'process' with step 'stock_check', got step 'payment_confirmation'; use a new key for a different command"
    """

    error_code = "idempotency_conflict"

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

    def _details(self) -> dict[str, Any]:
        return {
            "subject": _clean(self.subject),
            "key": _clean(self.key),
            "recorded_event": _clean(self.recorded_event),
            "event": _clean(self.event),
            "argument": None if self.argument is None else _clean(self.argument),
            "recorded": _as_text(self.recorded),
            "given": _as_text(self.given),
        }


class UndefinedMetric(SalesflowError, ArithmeticError):
    """A metric was required but its denominator is empty (no customers, no answers...).

    ``metric`` names the metric, ``variant`` the variant and ``denominator``
    what was counted in the denominator; :meth:`to_dict` adds all three.
    """

    error_code = "undefined_metric"

    def __init__(self, metric: str, denominator: str, *, variant: str = "") -> None:
        self.metric = _text("metric", metric)
        self.denominator = _text("denominator", denominator)
        self.variant = _text("variant", variant)
        named = f"{metric} ({variant})" if variant else metric
        super().__init__(f"{named} is undefined: {denominator} is 0 (an empty denominator)")

    def __reduce__(self) -> Any:
        return (_rebuild_undefined, (self.metric, self.denominator, self.variant))

    def _details(self) -> dict[str, Any]:
        return {
            "metric": _clean(self.metric),
            "denominator": _clean(self.denominator),
            "variant": _clean(self.variant),
        }


class MissingExtra(SalesflowError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it.

    ``package`` is what is missing, ``extra`` the salesflow extra that installs
    it, ``feature`` what needed it; :meth:`to_dict` adds all three.

    >>> raise MissingExtra("altair", "viz", feature="to_altair()")
    Traceback (most recent call last):
    ...
    salesflow.errors.MissingExtra: altair is not installed: pip install 'salesflow[viz]' to use to_altair()
    """

    error_code = "missing_extra"

    def __init__(self, package: str, extra: str, *, feature: str) -> None:
        self.package = _text("package", package)
        self.extra = _text("extra", extra)
        self.feature = _text("feature", feature)
        super().__init__(
            f"{package} is not installed: pip install 'salesflow[{extra}]' to use {feature}"
        )

    def __reduce__(self) -> Any:
        return (_rebuild_missing, (self.package, self.extra, self.feature))

    def _details(self) -> dict[str, Any]:
        return {
            "package": _clean(self.package),
            "extra": _clean(self.extra),
            "feature": _clean(self.feature),
        }


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
