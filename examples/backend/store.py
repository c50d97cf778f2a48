"""The event store: an append-only history, a snapshot cache and an outbox, in one transaction.

A writer appends the events a command produced at the versions after the
one it read. Two writers that read the same version race for the same
primary key: one commits, the other gets :class:`Collision` and nothing of
its transaction stays; the command handler reloads and decides again. The
snapshot upsert and the outbox rows ride in the same transaction, so a
crash leaves all of them or none.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from examples.backend.db import Connection, Dialect

__all__ = ["Collision", "EventStore", "NewEvent", "OutboxRow", "Stored"]


class Collision(Exception):
    """Another writer stored this version (or this idempotency key) first; nothing was written."""


@dataclass(frozen=True)
class Stored:
    """What a request restores from: the latest snapshot (if any) and the events after it."""

    snapshot: dict[str, Any] | None
    snapshot_version: int
    tail: list[dict[str, Any]]

    @property
    def version(self) -> int:
        return self.snapshot_version + len(self.tail)


@dataclass(frozen=True)
class NewEvent:
    """One event to append, with its outbox payload (None when it notifies nobody)."""

    version: int
    name: str
    key: str | None
    document: dict[str, Any]
    notification: dict[str, Any] | None = None
    tracking_number: str | None = None


@dataclass(frozen=True)
class OutboxRow:
    aggregate_type: str
    aggregate_id: str
    version: int
    event_name: str
    payload: dict[str, Any]


def dumps(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class EventStore:
    """The three tables of one database, read and written through one connection.

    Not thread-safe: give each thread (or request) its own store and connection.
    """

    def __init__(self, connection: Connection, dialect: Dialect) -> None:
        self.connection = connection
        self.dialect = dialect
        sql = dialect.sql
        self._snapshot = sql(
            "SELECT version, snapshot FROM snapshots WHERE aggregate_type = ? AND aggregate_id = ?"
        )
        self._tail = sql(
            "SELECT event FROM events WHERE aggregate_type = ? AND aggregate_id = ? "
            "AND version > ? ORDER BY version"
        )
        self._insert_event = sql(
            "INSERT INTO events (aggregate_type, aggregate_id, version, event_name, "
            "idempotency_key, event) VALUES (?, ?, ?, ?, ?, ?)"
        )
        self._insert_outbox = sql(
            "INSERT INTO outbox (aggregate_type, aggregate_id, version, event_name, payload) "
            "VALUES (?, ?, ?, ?, ?)"
        )
        self._upsert_snapshot = sql(
            "INSERT INTO snapshots (aggregate_type, aggregate_id, version, snapshot) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE "
            "SET version = excluded.version, snapshot = excluded.snapshot "
            "WHERE snapshots.version < excluded.version"
        )
        self._upsert_parcel = sql(
            "INSERT INTO parcels (tracking_number, order_number) VALUES (?, ?) "
            "ON CONFLICT (tracking_number) DO UPDATE SET order_number = excluded.order_number"
        )
        self._key = sql(
            "SELECT version FROM events WHERE aggregate_type = ? AND aggregate_id = ? "
            "AND idempotency_key = ?"
        )
        self._parcel = sql("SELECT order_number FROM parcels WHERE tracking_number = ?")
        self._unsent = sql(
            "SELECT aggregate_type, aggregate_id, version, event_name, payload FROM outbox "
            "WHERE sent = 0 ORDER BY aggregate_type, aggregate_id, version LIMIT ?"
        )
        self._mark_sent = sql(
            "UPDATE outbox SET sent = 1 "
            "WHERE aggregate_type = ? AND aggregate_id = ? AND version = ?"
        )

    # -- reading ---------------------------------------------------------------

    def load(self, aggregate_type: str, aggregate_id: str) -> Stored | None:
        """The latest snapshot and the events after it; None when nothing is stored.

        Two statements outside a transaction are enough: the events are
        append-only and the snapshot only moves forward, so the events after
        the snapshot read first are always the right tail.
        """
        cursor = self.connection.cursor()
        cursor.execute(self._snapshot, (aggregate_type, aggregate_id))
        row = cursor.fetchone()
        snapshot, version = (None, 0) if row is None else (json.loads(row[1]), int(row[0]))
        cursor.execute(self._tail, (aggregate_type, aggregate_id, version))
        tail = [json.loads(event) for (event,) in cursor.fetchall()]
        if snapshot is None and not tail:
            return None
        return Stored(snapshot, version, tail)

    def history(self, aggregate_type: str, aggregate_id: str) -> list[dict[str, Any]]:
        """Every stored event of one aggregate, in version order (the audit path)."""
        cursor = self.connection.cursor()
        cursor.execute(self._tail, (aggregate_type, aggregate_id, 0))
        return [json.loads(event) for (event,) in cursor.fetchall()]

    def key_stored(self, aggregate_type: str, aggregate_id: str, key: str) -> int | None:
        """The version that stored ``key`` for this aggregate, or None."""
        cursor = self.connection.cursor()
        cursor.execute(self._key, (aggregate_type, aggregate_id, key))
        row = cursor.fetchone()
        return None if row is None else int(row[0])

    def order_for_parcel(self, tracking_number: str) -> str | None:
        """The order that shipped ``tracking_number`` most recently, or None."""
        cursor = self.connection.cursor()
        cursor.execute(self._parcel, (tracking_number,))
        row = cursor.fetchone()
        return None if row is None else str(row[0])

    # -- writing ---------------------------------------------------------------

    def append(
        self,
        aggregate_type: str,
        aggregate_id: str,
        events: Sequence[NewEvent],
        *,
        snapshot: tuple[int, dict[str, Any]] | None = None,
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        """Append ``events`` with their outbox rows (and ``snapshot``) in one transaction.

        Raises :class:`Collision` when a version or idempotency key is already
        stored (another writer won); the transaction is rolled back then, and
        on any other error.
        """
        cursor = self.connection.cursor()
        cursor.execute(self.dialect.begin)
        try:
            cursor.executemany(
                self._insert_event,
                [
                    (aggregate_type, aggregate_id, e.version, e.name, e.key, dumps(e.document))
                    for e in events
                ],
            )
            outbox = [
                (aggregate_type, aggregate_id, e.version, e.name, dumps(e.notification))
                for e in events
                if e.notification is not None
            ]
            if outbox:
                cursor.executemany(self._insert_outbox, outbox)
            for event in events:
                if event.tracking_number is not None:
                    cursor.execute(self._upsert_parcel, (event.tracking_number, aggregate_id))
            if snapshot is not None:
                version, document = snapshot
                cursor.execute(
                    self._upsert_snapshot, (aggregate_type, aggregate_id, version, dumps(document))
                )
            if before_commit is not None:
                before_commit()
            cursor.execute("COMMIT")
        except self.dialect.unique_violation as err:
            self._rollback(cursor)
            raise Collision(f"{aggregate_type} {aggregate_id}: {err}") from None
        except BaseException:
            self._rollback(cursor)
            raise

    def _rollback(self, cursor: Any) -> None:
        # A connection that is gone took its transaction with it.
        with contextlib.suppress(*self.dialect.unavailable):
            cursor.execute("ROLLBACK")

    # -- the outbox relay --------------------------------------------------------

    def unsent(self, limit: int = 100) -> list[OutboxRow]:
        """The oldest rows not yet sent (one relay at a time; see docs/backend.md)."""
        cursor = self.connection.cursor()
        cursor.execute(self._unsent, (limit,))
        return [
            OutboxRow(kind, ident, int(version), name, json.loads(payload))
            for kind, ident, version, name, payload in cursor.fetchall()
        ]

    def mark_sent(self, rows: Iterable[OutboxRow]) -> None:
        """Record that ``rows`` were handed to the sender (after it accepted them)."""
        cursor = self.connection.cursor()
        cursor.execute(self.dialect.begin)
        try:
            cursor.executemany(
                self._mark_sent, [(r.aggregate_type, r.aggregate_id, r.version) for r in rows]
            )
            cursor.execute("COMMIT")
        except BaseException:
            self._rollback(cursor)
            raise
