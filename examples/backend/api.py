"""The HTTP API (FastAPI): orders, leads, carrier webhooks, and errors as status codes.

Routes (bodies are JSON commands, read by ``salesflow.Command``; see
docs/backend.md for curl examples):

- ``POST /orders`` places an order (201; 200 when a retry repeats it);
  ``POST /orders/{number}/<verb>`` for ``process``, ``pick``, ``pack``,
  ``ship``, ``transit``, ``deliver``, ``cancel``, ``delay`` and ``resume``;
  ``GET /orders/{number}`` gives the order's document and snapshot.
- ``POST /leads``, ``POST /leads/{lead_id}/<verb>``, ``GET /leads/{lead_id}`` likewise.
- ``POST /webhooks/easypost``, ``/webhooks/aftership``, ``/webhooks/shopify``.

The OpenAPI document (``/openapi.json``) describes each body with the
library's generated JSON Schemas (openapi.py).

Errors: 422 bad input, 409 a conflict (transition, version, idempotency key,
clock), 404 nothing there, 400 a body that is not JSON, 500 stored data that
fails its checks, 503 the database is busy or unreachable (retry).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

from examples.backend import openapi
from examples.backend.aggregates import KINDS, Kind
from examples.backend.db import Connection, Database
from examples.backend.handler import (
    AlreadyExists,
    Busy,
    Handled,
    KeyAlreadyUsed,
    NotFound,
)
from examples.backend.service import Service, outcome_document
from examples.backend.store import EventStore
from examples.backend.webhooks import PROVIDERS
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from salesflow import (
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    SalesflowError,
    UnknownCode,
    VersionConflict,
    schemas,
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

    @app.exception_handler(SalesflowError)
    @app.exception_handler(NotFound)
    @app.exception_handler(AlreadyExists)
    @app.exception_handler(KeyAlreadyUsed)
    @app.exception_handler(Busy)
    @app.exception_handler(NotJson)
    async def refused(request: Request, err: Exception) -> JSONResponse:
        return error_response(err)

    @app.exception_handler(StarletteHTTPException)
    async def routing(request: Request, err: StarletteHTTPException) -> JSONResponse:
        code = HTTPStatus(err.status_code).phrase.lower().replace(" ", "_")
        return JSONResponse({"error": code, "message": str(err.detail)}, err.status_code)

    for kind in KINDS.values():
        _routes(app, kind, call)
    for provider in PROVIDERS:
        _webhook_route(app, provider, call)

    def with_schemas() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            document.setdefault("components", {}).setdefault("schemas", {}).update(
                openapi.components()
            )
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = with_schemas  # type: ignore[method-assign]
    return app


Call = Callable[[Callable[[Service], Any]], Awaitable[Any]]


def _answer(kind: Kind, handled: Handled, created: bool = False) -> JSONResponse:
    status = 201 if created and not handled.repeated else 200
    return JSONResponse(outcome_document(kind, handled), status_code=status)


def _routes(app: FastAPI, kind: Kind, call: Call) -> None:
    """``POST /<kind>s`` (the creation), ``POST /<kind>s/{id}/<verb>`` per verb, ``GET /<kind>s/{id}``."""
    collection, name = f"/{kind.name}s", kind.name
    outcome = openapi.ref(f"backend.{name}.outcome")
    creation = f"{name}.command.{kind.creation}"

    @app.post(
        collection,
        tags=[collection[1:]],
        summary=f"{kind.creation} a {name}",
        openapi_extra=openapi.request(creation),
        responses=openapi.responses({201: outcome, 200: outcome}),
    )
    async def create(request: Request) -> JSONResponse:
        body = await _json(request)
        return _answer(kind, await call(lambda s: s.command(name, None, kind.creation, body)), True)

    create.__doc__ = schemas.schema(creation)["description"] + _RETRY

    for verb in openapi.verbs(name):
        if verb != kind.creation:
            _verb_route(app, kind, verb, call)

    @app.get(
        f"{collection}/{{{kind.identity}}}",
        tags=[collection[1:]],
        summary=f"read a {name}",
        responses=openapi.responses({200: openapi.ref(f"backend.{name}.read")}),
    )
    async def read(request: Request) -> JSONResponse:
        """The document (its whole history, every event checked) and the snapshot."""
        ident = request.path_params[kind.identity]
        return JSONResponse(await call(lambda s: s.read(name, ident)))


def _verb_route(app: FastAPI, kind: Kind, verb: str, call: Call) -> None:
    name = f"{kind.name}.command.{verb}"

    @app.post(
        f"/{kind.name}s/{{{kind.identity}}}/{verb}",
        tags=[f"{kind.name}s"],
        summary=verb.replace("_", " "),
        description=schemas.schema(name)["description"] + _ENVELOPE,
        openapi_extra=openapi.request(name),
        responses=openapi.responses({200: openapi.ref(f"backend.{kind.name}.outcome")}),
    )
    async def change(request: Request) -> JSONResponse:
        ident = request.path_params[kind.identity]
        body = await _json(request)
        return _answer(kind, await call(lambda s: s.command(kind.name, ident, verb, body)))


def _webhook_route(app: FastAPI, provider: str, call: Call) -> None:
    @app.post(
        f"/webhooks/{provider}",
        tags=["webhooks"],
        summary=f"a {provider} tracking webhook",
        openapi_extra=openapi.request(None),
        responses=openapi.responses(
            {
                200: {
                    "oneOf": [
                        openapi.ref("backend.order.outcome"),
                        openapi.ref("backend.webhook.ignored"),
                    ]
                }
            }
        ),
    )
    async def webhook(request: Request) -> JSONResponse:
        """The provider's own payload; its delivery id is the idempotency key (docs/backend.md)."""
        body = await _json(request)
        headers = {key.lower(): value for key, value in request.headers.items()}
        handled = await call(lambda s: s.webhook(provider, body, headers))
        if handled is None:
            return JSONResponse({"applied": False, "ignored": "not a tracking update"})
        return _answer(KINDS["order"], handled)


_RETRY = "\n\nRetry with the same idempotency_key to get the same answer (200, repeated)."
_ENVELOPE = "\n\nThe body may leave out aggregate and command: the path gives them."
