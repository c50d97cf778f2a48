"""The HTTP API in a real uvicorn server on 127.0.0.1, driven by httpx, on SQLite and PostgreSQL.

The server runs in a thread on a port the OS picked; every request crosses
a real socket. Each error class comes back with its status code and a JSON
body naming it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
import uvicorn
from examples.backend.api import create_app
from examples.backend.db import Database

from integration.shop import OpenAPIResponses, aftership_event, at, place_body
from salesflow import schemas


@pytest.fixture
def client(database: Database) -> Iterator[httpx.Client]:
    """An httpx client for a uvicorn server of the API over ``database``.

    Every response is checked against the schema the server's own OpenAPI
    document declares for its route and status (the generated schemas inside).
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(database), log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    base = f"http://127.0.0.1:{port}"
    try:
        responses = OpenAPIResponses(httpx.get(f"{base}/openapi.json").json())

        def checked(response: httpx.Response) -> None:
            request = response.request
            if request.url.path != "/openapi.json":  # the document itself, FastAPI's own
                response.read()
                responses.check(
                    request.method, request.url.path, response.status_code, response.json()
                )

        with httpx.Client(base_url=base, timeout=10, event_hooks={"response": [checked]}) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def test_an_order_lives_its_whole_life_over_http(client):
    placed = client.post("/orders", json=place_body("1001", key="req-1"))
    again = client.post("/orders", json=place_body("1001", key="req-1", hours=0.5))
    steps = [
        ("process", {"step": "payment_confirmation", "at": at(1)}),
        ("pick", {"at": at(2), "idempotency_key": "req-2"}),
        ("pack", {"at": at(3), "expected_version": 3}),
        ("ship", {"carrier": "Royal Mail", "tracking_number": "RM1", "at": at(4)}),
        ("transit", {"location": "Birmingham", "at": at(10)}),
        ("deliver", {"proof": "signed by Ada", "at": at(30)}),
    ]
    answers = [client.post(f"/orders/1001/{verb}", json=body) for verb, body in steps]
    read = client.get("/orders/1001")

    assert (placed.status_code, again.status_code) == (201, 200)
    assert again.json()["repeated"] is True
    assert again.json()["events"] == placed.json()["events"]
    assert [a.status_code for a in answers] == [200] * 6
    assert [a.json()["order"]["status"] for a in answers] == [
        "processing",
        "picking",
        "packed",
        "shipped",
        "in_transit",
        "delivered",
    ]
    assert answers[3].json()["notifications"][0]["tracking_number"] == "RM1"
    document = read.json()["document"]
    assert (document["status"], document["version"], len(document["history"])) == (
        "delivered",
        7,
        7,
    )


def test_a_lead_is_created_worked_and_read_over_http(client):
    created = client.post("/leads", json={"lead_id": "L-1", "source": "inbound", "at": at(0)})
    client.post("/leads/L-1/log_activity", json={"kind": "intro_call", "at": at(1), "actor": "kim"})
    client.post("/leads/L-1/qualify", json={"at": at(2), "actor": "kim"})
    fast = client.post("/leads/L-1/fast_track", json={"at": at(2), "actor": "kim"})
    read = client.get("/leads/L-1")

    assert created.status_code == 201
    assert fast.json()["lead"] == {"id": "L-1", "stage": "decision", "version": 4}
    assert read.json()["document"]["stage"] == "decision"


def test_conflicts_answer_409_naming_the_error(client):
    client.post("/orders", json=place_body("1001", key="req-1"))
    client.post(
        "/orders/1001/process", json={"step": "stock_check", "at": at(1), "idempotency_key": "k"}
    )

    transition = client.post(
        "/orders/1001/ship", json={"carrier": "DHL", "tracking_number": "J", "at": at(2)}
    )
    stale = client.post("/orders/1001/pick", json={"at": at(2), "expected_version": 1})
    reused = client.post(
        "/orders/1001/process",
        json={"step": "payment_confirmation", "at": at(2), "idempotency_key": "k"},
    )
    placed_again = client.post(
        "/orders", json=place_body("1001", key="req-1", estimated_delivery="2026-12-01")
    )
    taken = client.post("/orders", json=place_body("1001"))
    skewed = client.post("/orders/1001/pick", json={"at": at(0.5)})
    answers = (transition, stale, reused, placed_again, taken, skewed)

    assert [r.status_code for r in answers] == [409] * 6
    assert [r.json()["error"] for r in answers] == [
        "invalid_transition",
        "version_conflict",
        "idempotency_conflict",
        "idempotency_conflict",
        "already_exists",
        "clock_conflict",
    ]
    assert skewed.json()["latest"] == at(1)


def test_bad_bodies_answer_400_for_non_json_and_422_naming_the_field(client):
    client.post("/orders", json=place_body("1001"))

    not_json = client.post("/orders/1001/pick", content=b"at=yesterday")
    naive = client.post(
        "/orders/1001/process", json={"step": "stock_check", "at": "2026-11-23T10:00:00"}
    )
    missing = client.post("/orders/1001/process", json={"at": at(1)})
    unknown_field = client.post("/orders/1001/pick", json={"at": at(1), "colour": "red"})
    bad_money = client.post(
        "/orders", json=place_body("1002", amount_due={"amount": 1.5, "currency": "EUR"})
    )
    unknown_code = client.post(
        "/webhooks/aftership", json=aftership_event("e-1", "1001", "RM1", "Teleported", 1)
    )

    assert not_json.status_code == 400
    assert (naive.status_code, naive.json()["error"], naive.json()["field"]) == (
        422,
        "invalid_type",
        "at",
    )
    assert (missing.status_code, missing.json()["field"]) == (422, "step")
    assert (unknown_field.status_code, unknown_field.json()["field"]) == (422, "colour")
    assert (bad_money.status_code, bad_money.json()["field"]) == (422, "amount_due.amount")
    assert (unknown_code.status_code, unknown_code.json()["error"]) == (422, "unknown_code")


def test_what_is_not_there_answers_404(client):
    assert client.get("/orders/nope").status_code == 404
    assert client.post("/orders/nope/pick", json={"at": at(1)}).status_code == 404
    assert client.post("/orders/1001/teleport", json={"at": at(1)}).status_code == 404
    assert client.post("/webhooks/fedex", json={}).status_code == 404


def test_a_retried_webhook_delivery_is_answered_as_a_repeat(client):
    client.post("/orders", json=place_body("1001"))
    for verb, body in [
        ("process", {"step": "stock_check", "at": at(1)}),
        ("pick", {"at": at(2)}),
        ("pack", {"at": at(3)}),
    ]:
        client.post(f"/orders/1001/{verb}", json=body)
    scan = aftership_event("evt-9", "1001", "RM1", "InTransit", 5, location="Leeds")

    first = client.post("/webhooks/aftership", json=scan)
    retry = client.post("/webhooks/aftership", json=scan)

    assert (first.status_code, first.json()["applied"], first.json()["repeated"]) == (
        200,
        True,
        False,
    )
    assert [e["event"] for e in first.json()["events"]] == ["ship", "transit"]
    assert (retry.json()["repeated"], retry.json()["events"]) == (True, first.json()["events"])
    assert client.get("/orders/1001").json()["document"]["version"] == 6


def test_the_openapi_document_describes_each_body_with_the_generated_schemas(client):
    document = client.get("/openapi.json").json()
    components = document["components"]["schemas"]

    for kind, ident, creation in (("order", "number", "place"), ("lead", "lead_id", "create")):
        for name in schemas.names():
            if not name.startswith(f"{kind}.command."):
                continue
            verb = name.rsplit(".", 1)[1]
            path = f"/{kind}s" if verb == creation else f"/{kind}s/{{{ident}}}/{verb}"
            body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
            assert body["schema"] == {"$ref": f"#/components/schemas/{name}"}
            assert components[name] == schemas.schema(name)
    for name in (
        "order",
        "order.snapshot",
        "order.event",
        "order.notification",
        "lead.event",
        "error",
    ):
        assert components[name] == schemas.schema(name)
    assert {"/webhooks/easypost", "/webhooks/aftership", "/webhooks/shopify"} <= set(
        document["paths"]
    )


def test_stored_data_that_fails_its_checks_answers_500(client, database):
    client.post("/orders", json=place_body("1001"))
    client.post("/orders/1001/process", json={"step": "stock_check", "at": at(1)})
    with closing(database.connect()) as connection:
        connection.cursor().execute(
            "UPDATE events SET event = REPLACE(event, 'processing', 'shipped')"
        )

    read = client.get("/orders/1001")
    command = client.post("/orders/1001/pick", json={"at": at(2)})

    assert (read.status_code, read.json()["error"]) == (500, "corrupt_document")
    assert (command.status_code, command.json()["field"]) == (500, "events[1].to_status")
