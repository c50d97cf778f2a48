"""The OpenAPI document's schemas: the library's generated JSON Schemas, and the backend's envelopes.

Request bodies are the generated command schemas (``order.command.ship``...)
as they are; a body may leave out ``aggregate`` and ``command``, which the
path gives. Responses wrap generated schemas (events, notifications,
aggregate documents, snapshots, error documents) in the backend's small
envelopes, written here; nothing the library describes is written by hand.
"""

from __future__ import annotations

from typing import Any

from salesflow import schemas

__all__ = ["ERROR_STATUSES", "components", "request", "responses", "verbs"]

BACKEND_ERRORS = (
    "not_found",
    "method_not_allowed",
    "already_exists",
    "key_already_used",
    "busy",
    "not_json",
)
"""The codes of the backend's own errors (the library's are in the ``error`` schema)."""
ERROR_STATUSES = (400, 404, 409, 422, 500, 503)


def verbs(kind: str) -> list[str]:
    """The verbs of ``kind`` (``order``, ``lead``), as the library's command schemas name them."""
    prefix = f"{kind}.command."
    return [name[len(prefix) :] for name in schemas.names() if name.startswith(prefix)]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _summary(kind: str, keys: tuple[str, ...]) -> dict[str, Any]:
    properties = schemas.schema(kind)["properties"]
    return {
        "type": "object",
        "properties": {key: properties[key] for key in keys},
        "required": list(keys),
        "additionalProperties": False,
    }


def components() -> dict[str, Any]:
    """Every schema the routes refer to, by name: generated ones and the envelopes."""
    generated = ["error", "order.notification"]
    for kind in ("order", "lead"):
        generated += [kind, f"{kind}.snapshot", f"{kind}.event"]
        generated += [f"{kind}.command.{verb}" for verb in verbs(kind)]
    found: dict[str, Any] = {name: schemas.schema(name) for name in generated}
    summaries = {
        "order": _summary("order", ("number", "status", "version")),
        "lead": _summary("lead", ("id", "stage", "version")),
    }
    for kind, summary in summaries.items():
        properties: dict[str, Any] = {
            kind: summary,
            "repeated": {"type": "boolean", "description": "A retry: nothing new was stored."},
            "events": {"type": "array", "items": ref(f"{kind}.event")},
        }
        if kind == "order":
            properties["notifications"] = {"type": "array", "items": ref("order.notification")}
            properties |= {
                "applied": {
                    "type": "boolean",
                    "description": "A carrier update changed the order.",
                },
                "ignored": {"type": ["string", "null"], "description": "Why it did not."},
                "reason": {"type": ["string", "null"], "description": "The IgnoredReason code."},
                "needs_attention": {"type": "boolean"},
            }
        found[f"backend.{kind}.outcome"] = {
            "title": f"{kind} outcome",
            "description": f"What a command did to the {kind}: its summary and the events stored.",
            "type": "object",
            "properties": properties,
            "required": [kind, "repeated", "events"],
            "additionalProperties": False,
        }
        found[f"backend.{kind}.read"] = {
            "title": f"{kind} read",
            "description": f"The {kind}'s document (its whole history, checked) and its snapshot.",
            "type": "object",
            "properties": {"document": ref(kind), "snapshot": ref(f"{kind}.snapshot")},
            "required": ["document", "snapshot"],
            "additionalProperties": False,
        }
    found["backend.error"] = {
        "title": "backend error",
        "description": "An error of the backend itself (the library's are the error schema's).",
        "type": "object",
        "properties": {"error": {"enum": list(BACKEND_ERRORS)}, "message": {"type": "string"}},
        "required": ["error", "message"],
        "additionalProperties": False,
    }
    found["backend.webhook.ignored"] = {
        "title": "webhook ignored",
        "description": "A provider event that is no tracking update, accepted and ignored.",
        "type": "object",
        "properties": {"applied": {"const": False}, "ignored": {"type": "string"}},
        "required": ["applied", "ignored"],
        "additionalProperties": False,
    }
    return found


def request(name: str | None) -> dict[str, Any]:
    """A route's ``openapi_extra``: its JSON request body, described by the schema ``name``."""
    schema = {"type": "object"} if name is None else ref(name)
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def responses(success: dict[int, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses``: the success schemas given, and the error documents."""
    described: dict[int | str, dict[str, Any]] = {
        status: {"description": "Success", "content": {"application/json": {"schema": schema}}}
        for status, schema in success.items()
    }
    error = {"oneOf": [ref("error"), ref("backend.error")]}
    for status in ERROR_STATUSES:
        described[status] = {
            "description": "Refused",
            "content": {"application/json": {"schema": error}},
        }
    return described
