"""One database, SQLite or PostgreSQL, behind one DB-API code path.

The SQL is written once (``?`` placeholders, standard ``ON CONFLICT`` upserts
and partial indexes, which SQLite 3.24+ and PostgreSQL both speak); a
:class:`Dialect` holds the few things that differ: the placeholder, the
statement that opens a write transaction, how to connect, and which
exceptions mean "a unique key collided" and "the database is unavailable"
(the connection died, or the write lock stayed busy).

Connections run in autocommit mode and every write transaction is opened
explicitly (``BEGIN IMMEDIATE`` on SQLite takes the write lock up front, so
``busy_timeout`` applies instead of a deadlock between two readers upgrading).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

__all__ = ["DEFAULT_URL", "Connection", "Database", "Dialect"]

DEFAULT_URL = "sqlite:///salesflow-backend.db"
"""Where ``python -m examples.backend`` keeps its data without ``DATABASE_URL``."""

BUSY_TIMEOUT_MS = 5_000
"""How long a SQLite writer waits for the write lock before giving up."""

SCHEMA = (
    # The history: append-only, one row per event. The primary key is the
    # version key every append races on; the partial unique index keeps an
    # idempotency key from being stored twice for one aggregate, ever (the
    # aggregate itself remembers only its latest keys).
    """CREATE TABLE IF NOT EXISTS events (
        aggregate_type TEXT NOT NULL,
        aggregate_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        event_name TEXT NOT NULL,
        idempotency_key TEXT,
        event TEXT NOT NULL,
        PRIMARY KEY (aggregate_type, aggregate_id, version)
    )""",
    """CREATE UNIQUE INDEX IF NOT EXISTS events_idempotency_key
        ON events (aggregate_type, aggregate_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL""",
    # A cache beside the history: the latest snapshot of each aggregate.
    """CREATE TABLE IF NOT EXISTS snapshots (
        aggregate_type TEXT NOT NULL,
        aggregate_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        snapshot TEXT NOT NULL,
        PRIMARY KEY (aggregate_type, aggregate_id)
    )""",
    # The transactional outbox: one row per event that notifies someone,
    # written in the event's own transaction; a relay sends and marks it.
    """CREATE TABLE IF NOT EXISTS outbox (
        aggregate_type TEXT NOT NULL,
        aggregate_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        event_name TEXT NOT NULL,
        payload TEXT NOT NULL,
        sent INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (aggregate_type, aggregate_id, version)
    )""",
    "CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (aggregate_type, aggregate_id) WHERE sent = 0",
    # Which order a tracking number belongs to, for carrier webhooks that
    # name only the parcel (written with the event that shipped it).
    """CREATE TABLE IF NOT EXISTS parcels (
        tracking_number TEXT PRIMARY KEY,
        order_number TEXT NOT NULL
    )""",
)


class Cursor(Protocol):
    def execute(self, sql: Any, params: Sequence[Any] = ..., /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """The slice of a DB-API connection the store uses (sqlite3 and psycopg 3 both fit)."""

    def cursor(self) -> Any: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Dialect:
    """What differs between the two databases; everything else is shared SQL."""

    name: str
    placeholder: str
    begin: str
    unique_violation: tuple[type[Exception], ...]
    unavailable: tuple[type[Exception], ...]

    def sql(self, statement: str) -> str:
        """``statement`` with its ``?`` placeholders in this database's style."""
        return statement if self.placeholder == "?" else statement.replace("?", self.placeholder)


@dataclass(frozen=True)
class Database:
    """Where the data lives: a ``sqlite:///path`` or ``postgresql://...`` URL.

    Refuses any other scheme. ``connect()`` opens a new connection in
    autocommit mode; share a connection between threads only with a lock
    (the API keeps one per thread).
    """

    url: str = DEFAULT_URL
    dialect: Dialect = field(init=False)

    def __post_init__(self) -> None:
        scheme = urlsplit(self.url).scheme
        if scheme == "sqlite":
            dialect = Dialect(
                "sqlite",
                "?",
                "BEGIN IMMEDIATE",
                (sqlite3.IntegrityError,),
                (sqlite3.ProgrammingError, sqlite3.OperationalError),
            )
        elif scheme in ("postgresql", "postgres"):
            psycopg = _psycopg()
            dialect = Dialect(
                "postgresql",
                "%s",
                "BEGIN",
                (psycopg.errors.UniqueViolation,),
                (psycopg.OperationalError, psycopg.InterfaceError),
            )
        else:
            raise ValueError(
                f"DATABASE_URL: got {self.url!r}, expected sqlite:///<path> or postgresql://..."
            )
        object.__setattr__(self, "dialect", dialect)

    def connect(self) -> Connection:
        if self.dialect.name == "sqlite":
            path = self.url[len("sqlite:///") :] or ":memory:"
            connection = sqlite3.connect(
                path,
                isolation_level=None,  # autocommit; transactions are opened explicitly
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # An acknowledged command must survive a power cut, not only a crash.
            connection.execute("PRAGMA synchronous=FULL")
            return connection
        psycopg = _psycopg()
        connection_pg: Connection = psycopg.connect(self.url, autocommit=True)
        return connection_pg

    def create_tables(self) -> None:
        """Create the tables and indexes that are missing (safe to run on every start)."""
        connection = self.connect()
        try:
            cursor = connection.cursor()
            for statement in SCHEMA:
                cursor.execute(statement)
        finally:
            connection.close()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection closed when the block ends."""
        connection = self.connect()
        try:
            yield connection
        finally:
            connection.close()


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise ImportError("PostgreSQL needs psycopg 3: pip install 'psycopg[binary]'") from None
    return psycopg
