"""The HTTP API (FastAPI): orders, leads, carrier webhooks, and errors as status codes.

Routes (bodies are JSON; see docs/backend.md for curl examples):

- ``POST /orders`` places an order (201; 200 when a retry repeats it);
  ``POST /orders/{number}/{verb}`` runs ``process``, ``pick``, ``pack``,
  ``ship``, ``transit``, ``deliver``, ``cancel``, ``delay`` or ``resume``;
  ``GET /orders/{number}`` gives the order's document and snapshot.
- ``POST /leads``, ``POST /leads/{lead_id}/{verb}``, ``GET /leads/{lead_id}`` likewise.
- ``POST /webhooks/{provider}`` for ``easypost``, ``aftership`` and ``shopify``.

Errors: 422 bad input, 409 a conflict (transition, version, idempotency key,
clock), 404 nothing there, 400 a body that is not JSON, 500 stored data that
fails its checks, 503 the database is busy or unreachable (retry).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from examples.backend.aggregates import KINDS
from examples.backend.db import Connection, Database
from examples.backend.handler import (
    AlreadyExists,
    Busy,
    Handled,
    KeyAlreadyUsed,
    NotFound,
)
from examples.backend.service import Service, UnknownRoute, outcome_document
from examples.backend.store import EventStore
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from salesflow import (
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    SalesflowError,
    UnknownCode,
    VersionConflict,
)
from salesflow.errors import ClockConflict, CorruptDocument

__all__ = ["create_app", "error_response"]


class NotJson(Exception):
    """The request body is not JSON (HTTP 400)."""


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except ValueError:  # UnicodeDecodeError included
        raise NotJson("the body is not a JSON document") from None


def _body(name: str) -> dict[str, Any]:
    """The OpenAPI request body of a route (a JSON object; the schemas come with the library)."""
    schema: dict[str, Any] = {"type": "object", "title": name}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


# Most specific first: ClockConflict and CorruptDocument are InvalidFields too (docs/errors.md).
_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (CorruptDocument, 500),
    (ClockConflict, 409),
    (InvalidTransition, 409),
    (VersionConflict, 409),
    (IdempotencyConflict, 409),
    (InvalidField, 422),  # InvalidType and CurrencyMismatch too
    (UnknownCode, 422),
    (NotFound, 404),
    (UnknownRoute, 404),
    (AlreadyExists, 409),
    (KeyAlreadyUsed, 409),
    (Busy, 503),
    (NotJson, 400),
)


def _code(err: Exception) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(err).__name__).lower()


def error_response(err: Exception) -> JSONResponse:
    """The status and JSON body for ``err``: the library's ``to_dict()``, or
    ``{"error": code, "message": ...}`` for the backend's own errors."""
    status = next((code for kind, code in _STATUS if isinstance(err, kind)), 500)
    if isinstance(err, SalesflowError):
        body = err.to_dict()
    else:
        body = {"error": _code(err), "message": str(err)}
    return JSONResponse(body, status_code=status)


class Connections:
    """One connection per worker thread, all closed at shutdown; a broken one is replaced."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.local = threading.local()
        self.lock = threading.Lock()
        self.opened: list[Connection] = []

    def get(self) -> Connection:
        connection: Connection | None = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.database.connect()
            self.local.connection = connection
            with self.lock:
                self.opened.append(connection)
        return connection

    def discard(self) -> None:
        connection = getattr(self.local, "connection", None)
        self.local.connection = None
        if connection is not None:
            with self.lock:
                self.opened.remove(connection)
            # Closing a broken connection may fail; it is gone either way.
            with contextlib.suppress(Exception):
                connection.close()

    def close_all(self) -> None:
        with self.lock:
            opened, self.opened = self.opened, []
        for connection in opened:
            connection.close()


def create_app(database: Database, *, faults: Callable[[str], None] | None = None) -> FastAPI:
    """The API over ``database`` (its tables are created at startup if missing)."""
    connections = Connections(database)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database.create_tables()
        yield
        connections.close_all()

    app = FastAPI(
        title="salesflow reference backend",
        version="0.2.0",
        summary="Orders, leads and carrier webhooks on an event store (examples/backend).",
        lifespan=lifespan,
    )

    def run(action: Callable[[Service], Any]) -> Any:
        service = Service(EventStore(connections.get(), database.dialect), faults=faults)
        try:
            return action(service)
        except database.dialect.unavailable:
            connections.discard()
            raise Busy("the database is unavailable; retry") from None

    async def call(action: Callable[[Service], Any]) -> Any:
        # The store is blocking DB-API: run it on the worker threads, as FastAPI runs `def` routes.
        return await run_in_threadpool(run, action)

    def answer(kind: str, handled: Handled, created: bool = False) -> JSONResponse:
        status = 201 if created and not handled.repeated else 200
        return JSONResponse(outcome_document(KINDS[kind], handled), status_code=status)

    @app.exception_handler(SalesflowError)
    @app.exception_handler(NotFound)
    @app.exception_handler(UnknownRoute)
    @app.exception_handler(AlreadyExists)
    @app.exception_handler(KeyAlreadyUsed)
    @app.exception_handler(Busy)
    @app.exception_handler(NotJson)
    async def refused(request: Request, err: Exception) -> JSONResponse:
        return error_response(err)

    @app.post("/orders", status_code=201, tags=["orders"], openapi_extra=_body("place"))
    async def place_order(request: Request) -> JSONResponse:
        """Place an order; retry with the same ``idempotency_key`` to get the same answer."""
        body = await _json(request)
        return answer("order", await call(lambda s: s.command("order", None, "place", body)), True)

    @app.post("/orders/{number}/{verb}", tags=["orders"], openapi_extra=_body("order verb"))
    async def order_command(number: str, verb: str, request: Request) -> JSONResponse:
        """Run one order verb: ``process``, ``pick``, ``pack``, ``ship``, ``transit``,
        ``deliver``, ``cancel``, ``delay`` or ``resume``."""
        body = await _json(request)
        return answer("order", await call(lambda s: s.command("order", number, verb, body)))

    @app.get("/orders/{number}", tags=["orders"])
    async def read_order(number: str) -> JSONResponse:
        """The order's document (its whole history, checked) and its snapshot."""
        return JSONResponse(await call(lambda s: s.read("order", number)))

    @app.post("/leads", status_code=201, tags=["leads"], openapi_extra=_body("create"))
    async def create_lead(request: Request) -> JSONResponse:
        """Create a lead; retry with the same ``idempotency_key`` to get the same answer."""
        body = await _json(request)
        return answer("lead", await call(lambda s: s.command("lead", None, "create", body)), True)

    @app.post("/leads/{lead_id}/{verb}", tags=["leads"], openapi_extra=_body("lead verb"))
    async def lead_command(lead_id: str, verb: str, request: Request) -> JSONResponse:
        """Run one lead verb (``advance``, ``qualify``, ``log_activity``, ``lose``...)."""
        body = await _json(request)
        return answer("lead", await call(lambda s: s.command("lead", lead_id, verb, body)))

    @app.get("/leads/{lead_id}", tags=["leads"])
    async def read_lead(lead_id: str) -> JSONResponse:
        """The lead's document (its whole history, checked) and its snapshot."""
        return JSONResponse(await call(lambda s: s.read("lead", lead_id)))

    @app.post("/webhooks/{provider}", tags=["webhooks"], openapi_extra=_body("webhook"))
    async def webhook(provider: str, request: Request) -> JSONResponse:
        """A carrier webhook from ``easypost``, ``aftership`` or ``shopify``."""
        body = await _json(request)
        headers = {name.lower(): value for name, value in request.headers.items()}
        handled = await call(lambda s: s.webhook(provider, body, headers))
        if handled is None:
            return JSONResponse({"applied": False, "ignored": "not a tracking update"})
        return answer("order", handled)

    return app
