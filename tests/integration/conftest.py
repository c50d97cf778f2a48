"""The databases the reference backend is tested on: SQLite always, PostgreSQL when reachable.

PostgreSQL is looked for on 127.0.0.1:5432, database ``test`` (trust auth),
as the user in ``SALESFLOW_TEST_POSTGRES_USER``, else the login user,
``postgres`` or ``root``; ``SALESFLOW_TEST_POSTGRES`` may give a whole URL.
Each test gets a fresh schema (dropped afterwards), so runs never collide.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # examples/ is not a package on the path
    sys.path.insert(0, str(ROOT))

from examples.backend.db import Database  # noqa: E402

NO_POSTGRES = "no PostgreSQL server on 127.0.0.1:5432"


@functools.cache
def postgres_url() -> str | None:
    """A URL that reaches the test server, or None when there is none."""
    import psycopg

    given = os.environ.get("SALESFLOW_TEST_POSTGRES")
    users = [os.environ.get("SALESFLOW_TEST_POSTGRES_USER"), getpass.getuser(), "postgres", "root"]
    candidates = [given] if given else [f"postgresql://{u}@127.0.0.1:5432/test" for u in users if u]
    for url in candidates:
        try:
            with psycopg.connect(url, connect_timeout=3):
                return url
        except psycopg.Error:
            continue
    return None


@contextlib.contextmanager
def postgres_schema() -> Iterator[Database]:
    """A Database in a schema of its own, dropped when the block ends."""
    import psycopg

    url = postgres_url()
    if url is None:
        pytest.skip(NO_POSTGRES)
    schema = f"salesflow_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    database = Database(f"{url}{separator}options=-csearch_path%3D{schema}")
    try:
        database.create_tables()
        yield database
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty store with its tables, on each database."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'store.db'}")
        database.create_tables()
        yield database
    else:
        with postgres_schema() as database:
            yield database
