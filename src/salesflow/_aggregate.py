"""What the aggregates share (private): retries, races, replay and restore."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Final, ParamSpec, Self, TypeVar

import attrs

from salesflow import _check, _snapshot
from salesflow._snapshot import KEY_WINDOW, Recent, remember
from salesflow._zones import utc
from salesflow.errors import (
    ClockConflict,
    CorruptDocument,
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    InvalidType,
    VersionConflict,
)

SYSTEM: Final = "system"
"""The actor of a change no person made (a timer, an import): never a manager."""

MAX_VERSION: Final = 2**63 - 1
"""The largest version (a signed 64-bit integer, as databases store it; VersionConflict's bound)."""

_E = TypeVar("_E")
_R = TypeVar("_R")
_P = ParamSpec("_P")
_F = TypeVar("_F")
_A = TypeVar("_A")
_O = TypeVar("_O")


class Aggregate:
    """What every aggregate answers the same way, read from its fold (private base)."""

    __slots__ = ()
    _fold: Fold
    history: tuple[Any, ...]

    @property
    def version(self) -> int:
        """How many events the aggregate has; pass it back as ``expected_version``."""
        return self._fold.version

    @property
    def updated_at(self) -> datetime:
        """The time of the latest change, as it was written."""
        return self._fold.last_at

    @property
    def snapshot_version(self) -> int:
        """0 when ``history`` holds every event; else the version of the snapshot it was
        restored from (``from_snapshot``), and ``history`` holds only the events after it."""
        return self._fold.base

    def _event(self, version: int) -> Any:
        """The event at ``version``: from ``history``, or from the snapshot's recent events."""
        fold = self._fold
        if version > fold.base:
            return self.history[version - fold.base - 1]
        if version == 1:
            return fold.first
        assert fold.recent is not None  # base > 0 only for an aggregate restored from a snapshot
        return fold.recent.event(version)

    def _whole(self, what: str) -> None:
        """Refuse ``what`` (a reading of the whole history) on an aggregate restored from a snapshot."""
        base = self._fold.base
        if base:
            raise InvalidField(
                what,
                f"restored from a snapshot at version {base}",
                "the whole history: restore with replay() or from_dict() to read it",
            )


class Fold:
    """The working state while an aggregate's events are applied (private to it).

    Subclasses list their own fields in ``__slots__`` (``version``,
    ``last_at``, ``last_utc`` and ``keys`` are here), name the event attribute that
    carries the aggregate's identity in ``IDENTITY`` (and say what it is in
    ``OWNED``), the creation event's name in ``CREATION``, and implement
    :meth:`apply`. A command works on a :meth:`copy`, so a refused change
    leaves the aggregate's own fold as it was.
    """

    __slots__ = ("base", "first", "keys", "last_at", "last_utc", "recent", "version")

    IDENTITY: ClassVar[str]
    """The event attribute naming the aggregate (``order_number``, ``lead_id``)."""
    OWNED: ClassVar[str]
    """What the identity is, for an error: "this order's number"."""
    CREATION: ClassVar[str]
    """The name of the event that comes first and only once."""

    version: int
    last_at: datetime
    last_utc: datetime
    keys: dict[str, int]
    first: Any
    """The creation event."""
    base: int
    """0, or the version of the snapshot this fold was restored from."""
    recent: Recent | None
    """The events a snapshot carried (None for a fold of the whole history)."""
    _FIELDS: ClassVar[tuple[str, ...]] = __slots__

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls._FIELDS = (*Fold.__slots__, *cls.__dict__.get("__slots__", ()))

    def copy(self) -> Self:
        clone = type(self).__new__(type(self))
        for name in self._FIELDS:
            setattr(clone, name, getattr(self, name))
        return clone

    def advance(self, identity: str, event: Any) -> None:
        """Check that ``event`` may follow the ones before it, then :meth:`apply` it.

        Checked here for every aggregate: it is a change (not the creation),
        of this aggregate, the next version, and not before the latest change
        (ordered by the UTC instant: in a repeated hour a later change may read earlier).
        A time before the latest change raises ``ClockConflict`` (a live command
        met clock skew); :func:`fold_checked` reports it as corrupt data instead.
        """
        if getattr(event, "event", None) == self.CREATION:
            raise InvalidType(
                "event", event, f"a change; {self.CREATION} comes first and only once"
            )
        given = getattr(event, self.IDENTITY)
        if given != identity:
            raise InvalidField(self.IDENTITY, given, f"{identity!r}, {self.OWNED}")
        if event.version != self.version + 1:
            raise InvalidField("version", event.version, f"{self.version + 1}, the next version")
        instant = utc(event.at)
        if instant < self.last_utc:
            raise ClockConflict(
                "at",
                event.at,
                f"a time on or after the latest change ({self.last_at.isoformat()})",
                latest=self.last_at,
            )
        self.apply(event)
        self.version = event.version
        self.last_at = event.at
        self.last_utc = instant

    def apply(self, event: Any) -> None:
        """The aggregate's own checks of ``event`` and its effect on the fold."""
        raise NotImplementedError


def check_expected_version(subject: str, expected: Any, actual: int) -> None:
    """Raise when a writer's ``expected_version`` is malformed or stale."""
    if expected is None:
        return
    if type(expected) is not int:
        raise InvalidType("expected_version", expected, "the version read, a whole number")
    if expected < 1:
        raise InvalidField("expected_version", expected, "the version read, 1 or more")
    if expected > MAX_VERSION:
        raise InvalidField("expected_version", expected, "the version read, at most 2**63 - 1")
    if expected != actual:
        raise VersionConflict(subject, expected, actual)


def same(given: Any, recorded: Any) -> bool:
    """Whether an argument given now is the one recorded (datetimes as UTC instants)."""
    if isinstance(given, datetime) and isinstance(recorded, datetime):
        if given.utcoffset() is None or recorded.utcoffset() is None:
            return False
        return bool(utc(given) == utc(recorded))
    try:
        return bool(given == recorded)
    except Exception:  # an argument whose comparison fails is not the recorded one
        return False


def check_repeat(
    subject: str,
    key: str,
    earlier: Any,
    name: str,
    arguments: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
) -> None:
    """Raise ``IdempotencyConflict`` unless ``earlier`` was recorded by the same command.

    ``arguments`` are the command's business arguments as they would be
    recorded on its event (attribute name to value); the first one that
    differs from ``earlier``'s is named in the error, as the parameter the
    caller wrote (``names`` maps an attribute to its parameter where they differ).
    """
    recorded_name = getattr(earlier, "event", "")
    if recorded_name != name:
        raise IdempotencyConflict(subject, key, recorded_name, name)
    for argument, given in arguments.items():
        recorded_value = getattr(earlier, argument, None)
        if not same(given, recorded_value):
            raise IdempotencyConflict(
                subject,
                key,
                recorded_name,
                name,
                argument=names.get(argument, argument) if names else argument,
                recorded=recorded_value,
                given=given,
            )


def idempotency_key(value: Any) -> str | None:
    """A command's ``idempotency_key``: None, or a non-empty string (checked before lookup)."""
    if value is None:
        return None
    if type(value) is not str or not value or value.isspace():
        _check.text("idempotency_key", value)
    return value  # type: ignore[no-any-return]


def recall(aggregate: Any, *, subject: str, key: Any, expected: Any) -> tuple[str | None, Any]:
    """The one check of a command's ``idempotency_key`` and ``expected_version``.

    A malformed key or version raises first. A key already recorded gives
    back the event it recorded (one dict lookup in the fold's key index,
    never a scan): a stale ``expected`` is no error then, as a retry carries
    the version it read first. Otherwise a stale ``expected`` raises
    ``VersionConflict``. Returns the checked key and the earlier event (or None).
    """
    fold: Any = aggregate._fold
    key = idempotency_key(key)
    if expected is not None and (type(expected) is not int or not 1 <= expected <= MAX_VERSION):
        check_expected_version(subject, expected, fold.version)  # raises: malformed
    if key is not None:
        version = fold.keys.get(key)
        if version is not None:
            return key, aggregate._event(version)
    check_expected_version(subject, expected, fold.version)
    return key, None


def command(
    aggregate: _A,
    *,
    subject: str,
    identity: str,
    name: str,
    key: str | None,
    expected: Any,
    at: Any,
    arguments: Callable[[Any], Mapping[str, Any]],
    build: Callable[[int], Any],
    outcome: Callable[[_A, Any, bool], _O],
    names: Mapping[str, str] | None = None,
) -> _O:
    """Run one command on an immutable aggregate that *is* its history.

    A malformed ``at`` raises first, then :func:`recall` checks ``key`` and
    ``expected``. A key already recorded: if its event was recorded by the
    same command with the same ``arguments(earlier event)``, the result is
    ``outcome(aggregate, earlier event, True)`` and nothing changes;
    otherwise ``IdempotencyConflict`` names the key and what differs.
    ``arguments`` receives the earlier event so an argument whose default means
    "as before" can be resolved as it was then.

    A new command checks ``expected``, makes its event with ``build(next
    version)``, and a copy of the fold checks and applies it; the new aggregate
    comes back as ``outcome(new, event, False)``. The aggregate, its fold and
    its key index are never changed in place, so a refused command changes
    nothing.
    """
    fold: Any = aggregate._fold  # type: ignore[attr-defined]
    history: tuple[Any, ...] = aggregate.history  # type: ignore[attr-defined]
    _check.aware("at", at)
    key, earlier = recall(aggregate, subject=subject, key=key, expected=expected)
    if earlier is not None and key is not None:  # recall finds an earlier event only by key
        recorded_name = getattr(earlier, "event", "")
        if recorded_name != name:  # before ``arguments``, which may read its fields
            raise IdempotencyConflict(subject, key, recorded_name, name)
        check_repeat(subject, key, earlier, name, arguments(earlier), names)
        return outcome(aggregate, earlier, True)
    event = build(fold.version + 1)
    advanced = fold.copy()
    advanced.advance(identity, event)
    if key is not None:
        # Copy on write: the index of the aggregate this came from stays as it was.
        advanced.keys = remember(fold.keys, key, event.version)
    new: _A = object.__new__(type(aggregate))
    object.__setattr__(new, "history", (*history, event))
    object.__setattr__(new, "_fold", advanced)
    object.__setattr__(new, "_origin", aggregate._origin)  # type: ignore[attr-defined]
    return outcome(new, event, False)


def repeated_creation(
    subject: str,
    existing: Any,
    key: Any,
    candidate: Any,
    *,
    ignore: Iterable[str] = (),
    names: Mapping[str, str] | None = None,
) -> Any:
    """The first event of ``existing`` when ``candidate`` repeats its creation.

    For ``Order.place(existing=...)`` and the like: a creation has no history
    to look in, so the host passes the aggregate it already stored. The
    ``candidate`` event (built from the arguments given now) must carry the
    same ``key`` as the stored first event, and the same content apart from
    ``at`` and the names in ``ignore``; otherwise ``IdempotencyConflict``
    (naming the parameter: ``names`` maps attributes to parameters).
    """
    if key is None:
        raise InvalidField(
            "idempotency_key",
            None,
            f"the key {subject} was created with: a repeated creation is recognised by it",
        )
    first = existing._fold.first
    if first.idempotency_key != key:
        raise IdempotencyConflict(
            subject,
            key,
            f"{first.event} (with idempotency_key {first.idempotency_key!r})",
            candidate.event,
        )
    skipped = {"at", "idempotency_key", *ignore}
    fields = [field.name for field in attrs.fields(type(candidate)) if field.name not in skipped]
    check_repeat(
        subject,
        key,
        first,
        candidate.event,
        {name: getattr(candidate, name) for name in fields},
        names,
    )
    return first


def _stored(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """A reader of stored data: every refusal it raises is a ``CorruptDocument`` (see :func:`corrupt`)."""

    @functools.wraps(function)
    def _reading(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except InvalidField as err:
            raise corrupt(err) from None

    return _reading


def corrupt(err: InvalidField, field: str | None = None) -> CorruptDocument:
    """``err``, met while checking stored data, as a ``CorruptDocument`` (see ``CorruptDocument.of``).

    For every path that reads what the host stored (a history, a document, a
    snapshot): the field path stays (or becomes ``field``), and an
    ``InvalidType`` or ``CurrencyMismatch`` stays one too.
    """
    return CorruptDocument.of(err, field=field)


def as_history(value: Any) -> tuple[Any, ...]:
    """The converter for an aggregate's ``history``: a tuple or list of events."""
    if isinstance(value, tuple):
        return value
    if not isinstance(value, list):
        raise corrupt(InvalidType("history", value, "a sequence of events (a tuple or list)"))
    return tuple(value)


def renamed(err: InvalidField, old: str, new: str) -> InvalidField:
    """``err`` with a field path starting ``old`` renamed to start ``new`` (else ``err``)."""
    if err.field != old and not err.field.startswith((f"{old}[", f"{old}.")):
        return err
    return type(err)(new + err.field[len(old) :], err.value, err.expected, context=err.context)


def replayed(build: Callable[[tuple[Any, ...]], _A], events: Any, expected: str) -> _A:
    """``build(tuple(events))``, errors named after ``events`` (the parameter of ``replay``).

    A string or a mapping is refused: iterating it would read letters or keys.
    """
    if isinstance(events, str | bytes | Mapping) or not isinstance(events, Iterable):
        raise corrupt(InvalidType("events", events, expected))
    try:
        history = tuple(events)
    except TypeError:
        raise corrupt(InvalidType("events", events, expected)) from None
    try:
        return build(history)
    except InvalidField as err:
        raise renamed(err, "history", "events") from None


@_stored
def fold_checked(
    events: Sequence[Any],
    first: type,
    changes: tuple[type, ...],
    start: Callable[[Any], _F],
    identity: str,
) -> _F:
    """Apply ``events`` to a fold, checking each; errors name ``history[i].field``.

    ``events[0]`` must be a ``first``; the rest ``changes``, applied with
    ``fold.advance(<events[0].identity>, event)``. An event the lifecycle does
    not allow there is reported on its ``event``. The events are stored data:
    every refusal is a ``CorruptDocument`` (see :func:`corrupt`).
    """
    field = "history"  # the aggregate's attribute; ``replayed`` renames it for ``replay``
    if not events or not isinstance(events[0], first):
        raise InvalidType(
            f"{field}[0]", events[0] if events else None, f"{first.__name__}, the first event"
        )
    fold = start(events[0])
    fold.first = events[0]  # type: ignore[attr-defined]
    fold.base = 0  # type: ignore[attr-defined]
    fold.recent = None  # type: ignore[attr-defined]
    first_key = getattr(events[0], "idempotency_key", None)
    fold.keys = {} if first_key is None else {first_key: 1}  # type: ignore[attr-defined]
    advance_all(fold, getattr(events[0], identity), events, changes, field=field, offset=1)
    return fold


def advance_all(
    fold: Any,
    identity: str,
    events: Sequence[Any],
    changes: tuple[type, ...],
    *,
    field: str,
    offset: int,
) -> None:
    """Advance ``fold`` through ``events[offset:]``, each checked; errors name ``field[i]``.

    A key already remembered (within the window) may not be used again.
    """
    for index in range(offset, len(events)):
        event: Any = events[index]
        if type(event) not in changes and not isinstance(event, changes):
            raise InvalidType(
                f"{field}[{index}]", event, " or ".join(kind.__name__ for kind in changes)
            )
        key = getattr(event, "idempotency_key", None)
        keys: dict[str, int] = fold.keys
        if key is not None and key in keys:
            raise InvalidField(
                f"{field}[{index}].idempotency_key",
                key,
                f"a key not used before in this history (version {keys[key]} used it)",
            )
        try:
            fold.advance(identity, event)
        except InvalidField as err:  # a ClockConflict too: in stored data, it is corrupt
            raise corrupt(err, f"{field}[{index}].{err.field}") from None
        except InvalidTransition as err:
            raise InvalidField(
                f"{field}[{index}].event",
                getattr(event, "event", None),
                f"an event allowed from {err.state}: {', '.join(err.allowed) or 'none'}",
            ) from None
        if key is not None:  # the fold's own index, not shared yet: changed in place
            if len(keys) >= KEY_WINDOW:
                del keys[next(iter(keys))]
            keys[key] = event.version


@_stored
def restore(
    document: Any,
    *,
    schema: str,
    keys: Iterable[str],
    parse: Callable[..., Any],
    build: Callable[[tuple[Any, ...]], _A],
    summary: Callable[[_A], dict[str, Any]],
) -> _A:
    """Rebuild an aggregate from its ``to_dict`` form, checking every event and the summary.

    ``keys`` are the summary's keys (``to_dict`` writes them beside ``schema``
    and ``history``); any other key is refused first, named ``document.<key>``.
    The document is stored data: every refusal is a ``CorruptDocument``.
    """
    doc = _check.mapping("document", document)
    _check.only_keys("document", doc, {"schema", "history", *keys})
    if doc.get("schema") != schema:
        raise InvalidField("schema", doc.get("schema"), repr(schema))
    raw = _check.key("", doc, "history")
    if not isinstance(raw, list) or not raw:
        raise InvalidField("history", raw, "a non-empty list of events")
    events = tuple(parse(item, field=f"history[{index}]") for index, item in enumerate(raw))
    aggregate = build(events)
    expected = summary(aggregate)
    _check.same_document(
        "",
        {name: doc.get(name) for name in expected if name in doc},
        expected,
        why="as the history gives",
    )
    return aggregate


@_stored
def restore_snapshot(
    kind: type[_A],
    snapshot: Any,
    tail: Any,
    *,
    schema: str,
    identity: str,
    parse: Callable[..., Any],
    first: type,
    changes: tuple[type, ...],
    fold: Callable[..., Any],
    sealed: Callable[..., Any],
    needed: Callable[[Any], set[int]],
) -> _A:
    """An aggregate from its snapshot and the events stored after it (``tail``), each checked.

    ``identity`` is the snapshot's key naming the aggregate (``number``); the
    creation event carries it as the fold's ``IDENTITY``. ``fold(first event,
    state, version=, at=, keys=, recent=)`` reads the snapshot's state and
    ``sealed(document, field=)`` builds the creation event it carries (its
    digest matched, so it is not checked again); ``needed(fold)`` are the
    versions whose events the snapshot must carry (as ``to_snapshot`` wrote
    them), so a resealed snapshot missing one is refused here. Tail
    items are events or their ``to_dict()`` forms, in version order; errors
    name ``tail[i].field``. Every refusal is a ``CorruptDocument``.
    """
    doc, keys, recent, at, intact = _snapshot.read(
        snapshot, schema=schema, identity=identity, parse=parse
    )
    if doc["version"] > MAX_VERSION:
        raise InvalidField("snapshot.version", doc["version"], "a version from 1 to 2**63 - 1")
    if not intact:
        # Altered: name the field when the change made it malformed, else the digest.
        checked = parse(doc["first"], field="snapshot.first")
        if isinstance(checked, first):
            fold(checked, doc["state"], version=doc["version"], at=at, keys=keys, recent=recent)
        raise InvalidField("snapshot.digest", doc["digest"], _snapshot.ALTERED)
    created = sealed(doc["first"], field="snapshot.first")
    if not isinstance(created, first):
        raise InvalidType("snapshot.first", doc["first"], f"{first.__name__}, the first event")
    name = doc.get(identity)
    folded = fold(created, doc["state"], version=doc["version"], at=at, keys=keys, recent=recent)
    if name != getattr(created, folded.IDENTITY):
        raise InvalidField(f"snapshot.{identity}", name, repr(getattr(created, folded.IDENTITY)))
    missing = sorted({version for version in needed(folded) if version > 1} - recent.entries.keys())
    if missing:
        raise InvalidField(
            "snapshot.recent",
            missing,
            "the events of every version the snapshot needs: rebuild it from the history",
        )
    if isinstance(tail, str | bytes | Mapping) or not isinstance(tail, Iterable):
        raise InvalidType("tail", tail, "the events stored after the snapshot (a list)")
    events = tuple(
        parse(item, field=f"tail[{index}]") if isinstance(item, dict) else item
        for index, item in enumerate(tail)
    )
    advance_all(folded, name, events, changes, field="tail", offset=0)
    aggregate: _A = object.__new__(kind)
    object.__setattr__(aggregate, "history", events)
    object.__setattr__(aggregate, "_fold", folded)
    object.__setattr__(aggregate, "_origin", doc["digest"])
    return aggregate
