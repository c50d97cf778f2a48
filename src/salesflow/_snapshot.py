"""Snapshots of the aggregates (private): what the next command needs, sealed by a digest.

A snapshot holds the aggregate's creation event, its current facts (its
``state``), the idempotency keys it still remembers and the ``recent`` events
a repeat or a rule may read (each with its own digest, parsed only when read).
The ``digest`` covers everything else, so a snapshot altered anywhere is
refused. It is a cache the host keeps beside the append-only history: rebuild
it from the history (``replay(...).to_snapshot()``), never edit it.
See docs/orders.md ("Snapshots") for the format and the key window.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from salesflow import _check
from salesflow.errors import CorruptDocument, InvalidField, InvalidType
from salesflow.money import Money

KEY_WINDOW: Final = 32
"""How many idempotency keys an aggregate remembers: those of its latest 32 keyed commands.

A retry within the window is recognised (one dictionary lookup); a key that
has left it is forgotten and may be used again, as a payment API forgets a key
after a day. Replay and snapshots apply the same window, so both agree.
"""

_ENCODE: Final = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


def seal(value: Any, *, size: int = 16) -> str:
    """The digest of a JSON value: BLAKE2b (``size`` bytes) of its canonical JSON text.

    A snapshot is sealed with 128 bits; each event it carries with 64, which
    is plenty to tell an edited event from the one written (and keeps the
    sealed part of a snapshot short).
    """
    return _digest(_ENCODE(value), size)


def _bytes(text: str) -> bytes:
    # A lone surrogate (JSON's "\ud800" reads as one, and the verbs take it) has no
    # UTF-8 form; "surrogatepass" gives it one no other text has, so sealing never fails.
    return text.encode("utf-8", "surrogatepass")


def _sealable(value: Any) -> str | None:
    """``value``'s canonical JSON text; None when it has none (NaN, Infinity, nested too deep)."""
    try:
        return _ENCODE(value)
    except (ValueError, RecursionError):
        return None


def remember(keys: dict[str, int], key: str, version: int) -> dict[str, int]:
    """A new key index with ``key`` recorded at ``version``, the oldest beyond the window gone."""
    index = {**keys, key: version}
    if len(index) > KEY_WINDOW:
        del index[next(iter(index))]
    return index


def made(kind: type, values: Mapping[str, Any]) -> Any:
    """An instance of an attrs class built from values already checked once (a sealed snapshot's)."""
    instance: Any = object.__new__(kind)
    for name, value in values.items():
        object.__setattr__(instance, name, value)
    return instance


def sealed_money(document: dict[str, str]) -> Money:
    """The Money a sealed snapshot wrote (``{"amount": "12.00", "currency": "GBP"}``)."""
    return made(Money, {"amount": Decimal(document["amount"]), "currency": document["currency"]})  # type: ignore[no-any-return]


def iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


class Recent:
    """The events a snapshot carries, by version: parsed when first read, digest checked then."""

    __slots__ = ("entries", "first", "first_text", "parse", "parsed")

    def __init__(
        self,
        entries: dict[int, tuple[str, dict[str, Any]]],
        parse: Callable[..., Any],
        first: dict[str, Any],
        first_text: str,
    ) -> None:
        self.entries = entries
        self.first_text = first_text  # its canonical JSON text, as sealed
        self.parse = parse
        self.first = first  # the creation event as the snapshot wrote it (sealed by its digest)
        self.parsed: dict[int, Any] = {}

    def event(self, version: int) -> Any:
        found = self.parsed.get(version)
        if found is not None:
            return found
        position = sorted(self.entries).index(version) if version in self.entries else -1
        if position < 0:
            raise CorruptDocument(
                "snapshot.recent",
                version,
                "the events the snapshot needs: rebuild it from the history",
            )
        digest, document = self.entries[version]
        field = f"snapshot.recent[{position}]"
        # Stored data, read while a command runs: a refusal is corrupt data, not bad input.
        text = _sealable(document)
        if text is None or _digest(text, 8) != digest:
            raise CorruptDocument(
                f"{field}[2]", document, "the event the digest seals: the snapshot was altered"
            )
        try:
            event = self.parse(document, field=f"{field}[2]")
        except InvalidField as err:
            raise CorruptDocument.of(err) from None
        if event.version != version:
            raise CorruptDocument(f"{field}[0]", version, f"{event.version}, the event's version")
        self.parsed[version] = event
        return event


def sealed_entry(event: Any) -> tuple[str, dict[str, Any]]:
    document = event.to_dict()
    return seal(document, size=8), document


def write(
    *,
    schema: str,
    identity: tuple[str, str],
    fold: Any,
    history: tuple[Any, ...],
    state: dict[str, Any],
    first: dict[str, Any],
    needed: Iterable[int],
) -> dict[str, Any]:
    """The snapshot document of an aggregate whose fold is ``fold``.

    ``history`` holds the events after ``fold.base``; ``needed`` are the
    versions a later command may read (the last one, and those the
    remembered keys recorded, with what their repeats compare against).
    """
    base: int = fold.base
    recent: Recent | None = fold.recent
    entries: list[list[Any]] = []
    for version in sorted({v for v in needed if v > 1}):
        if version > base:
            digest, document = sealed_entry(history[version - base - 1])
        else:
            assert recent is not None  # an aggregate with its whole history has base 0
            digest, document = recent.entries[version]
        entries.append([version, digest, document])
    body: dict[str, Any] = {
        "schema": schema,
        identity[0]: identity[1],
        "version": fold.version,
        "updated_at": fold.last_at.isoformat(),
        "state": state,
        "keys": [[key, version] for key, version in fold.keys.items()],
        "recent": [[version, digest] for version, digest, _ in entries],
    }
    # The creation event never changes: its text, read once from the snapshot restored, is reused.
    first_text = recent.first_text if recent is not None else _ENCODE(first)
    body["digest"] = _sealed(first_text, body)
    body["first"] = first
    body["recent"] = entries
    return body


def _sealed(first_text: str, rest: dict[str, Any]) -> str:
    """The snapshot's digest: of its creation event's canonical text, then the rest's."""
    return _digest(f"{first_text}\n{_ENCODE(rest)}", 16)


def _digest(text: str, size: int) -> str:
    return hashlib.blake2b(_bytes(text), digest_size=size).hexdigest()


_TOP: Final = frozenset(
    {"schema", "version", "updated_at", "first", "state", "keys", "recent", "digest"}
)


def read(
    snapshot: Any, *, schema: str, identity: str, parse: Callable[..., Any]
) -> tuple[dict[str, Any], dict[str, int], Recent, datetime, bool]:
    """Check a snapshot's form; return it, its key index, recent events, time and whether sealed.

    Sealed means its digest matches its content.

    Errors name the path inside the snapshot (``snapshot.state.status``).
    """
    doc = _check.mapping("snapshot", snapshot)
    if doc.get("schema") != schema:
        raise InvalidField("snapshot.schema", doc.get("schema"), repr(schema))
    _check.only_keys("snapshot", doc, _TOP | {identity})
    version = _check.key("snapshot", doc, "version")
    if type(version) is not int or version < 1:
        raise InvalidField("snapshot.version", version, "a version of 1 or more")
    for name in ("first", "state"):
        if not isinstance(_check.key("snapshot", doc, name), dict):
            raise InvalidType(f"snapshot.{name}", doc[name], "a mapping (dict)")
    raw_keys = _check.key("snapshot", doc, "keys")
    raw_recent = _check.key("snapshot", doc, "recent")
    digest = _check.key("snapshot", doc, "digest")
    if not isinstance(raw_recent, list):
        raise InvalidType("snapshot.recent", raw_recent, "a list of [version, digest, event]")
    if not isinstance(raw_keys, list) or len(raw_keys) > KEY_WINDOW:
        raise InvalidField(
            "snapshot.keys", raw_keys, f"a list of at most {KEY_WINDOW} [key, version]"
        )
    try:  # the usual, well-formed snapshot: read in bulk, checked in bulk
        entries = {number: (sealed_with, event) for number, sealed_with, event in raw_recent}
        pairs = [[number, sealed_with] for number, sealed_with, _ in raw_recent]
        keys = dict(raw_keys)
        well_formed = (
            len(entries) == len(raw_recent)
            and len(keys) == len(raw_keys)
            and all(
                type(number) is int and 1 < number <= version and type(sealed_with) is str
                for number, sealed_with in pairs
            )
            and all(isinstance(event, dict) for _, event in entries.values())
            and all(
                type(key) is str and type(number) is int and (number in entries or number == 1)
                for key, number in keys.items()
            )
        )
    except (TypeError, ValueError):
        well_formed = False
    if not well_formed:
        entries, pairs, keys = _checked_one_by_one(raw_recent, raw_keys, version)
    at = _check.parse_datetime("snapshot.updated_at", doc.get("updated_at"))
    body = {name: value for name, value in doc.items() if name != "digest" and name != "first"}
    body["recent"] = pairs
    # Content with no canonical text (NaN, Infinity, nested too deep) was not sealed: altered.
    first_text = _sealable(doc["first"])
    rest = _sealable(body)
    sealed = (
        type(digest) is str
        and first_text is not None
        and rest is not None
        and _digest(f"{first_text}\n{rest}", 16) == digest
    )
    return doc, keys, Recent(entries, parse, doc["first"], first_text or ""), at, sealed


ALTERED: Final = (
    "the digest of the snapshot's content: the snapshot was altered (rebuild it from the history)"
)


def check_identity(snapshot: Mapping[str, Any], identity: str, first: Any, attribute: str) -> None:
    """Refuse a snapshot whose identity is not its creation event's."""
    if snapshot[identity] != getattr(first, attribute):
        raise InvalidField(
            f"snapshot.{identity}", snapshot[identity], repr(getattr(first, attribute))
        )


def _checked_one_by_one(
    raw_recent: list[Any], raw_keys: list[Any], version: int
) -> tuple[dict[int, tuple[str, dict[str, Any]]], list[list[Any]], dict[str, int]]:
    """The recent events and keys of a snapshot read one by one, the first malformed named."""
    entries: dict[int, tuple[str, dict[str, Any]]] = {}
    pairs: list[list[Any]] = []
    for index, entry in enumerate(raw_recent):
        number: Any
        sealed_with: Any
        event: Any
        try:
            number, sealed_with, event = entry
        except (TypeError, ValueError):
            number, sealed_with, event = None, None, None
        if (
            type(number) is not int
            or not 1 < number <= version
            or type(sealed_with) is not str
            or not isinstance(event, dict)
            or number in entries
        ):
            raise InvalidField(
                f"snapshot.recent[{index}]",
                entry,
                f"[version, digest, event]: a new version from 2 to {version}",
            )
        entries[number] = (sealed_with, event)
        pairs.append([number, sealed_with])
    keys: dict[str, int] = {}
    for index, entry in enumerate(raw_keys):
        try:
            key, number = entry
        except (TypeError, ValueError):
            key, number = None, None
        if (
            type(key) is not str
            or type(number) is not int
            or (number not in entries and number != 1)
            or key in keys
        ):
            raise InvalidField(
                f"snapshot.keys[{index}]",
                entry,
                f"[key, version]: a new key, a version from 1 to {version} the snapshot holds",
            )
        keys[key] = number
    return entries, pairs, keys
