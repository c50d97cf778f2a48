"""The event store and the command handler, one race at a time, on SQLite and PostgreSQL.

Each race is staged deterministically: the command's own ``apply`` lets a
rival writer commit first, so the append collides and the handler must
reload and decide again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import pytest
from examples.backend.aggregates import LEADS, ORDERS
from examples.backend.db import Database
from examples.backend.handler import (
    AlreadyExists,
    Busy,
    CommandHandler,
    KeyAlreadyUsed,
    NotFound,
)
from examples.backend.service import Service
from examples.backend.store import EventStore

from integration.shop import at, place_body, when
from salesflow import Command, IdempotencyConflict, VersionConflict
from salesflow.errors import CorruptDocument
from salesflow.orders import Order, OrderStatus, event_from_dict, notification_from_dict
from salesflow.orders.order import OrderOutcome


@pytest.fixture
def service(database: Database) -> Iterator[Service]:
    with closing(database.connect()) as connection:
        yield Service(EventStore(connection, database.dialect))


@pytest.fixture
def rival(database: Database) -> Iterator[Service]:
    """A second writer with its own connection."""
    with closing(database.connect()) as connection:
        yield Service(EventStore(connection, database.dialect))


def first_call_lets(
    rival_commits: Callable[[], Any], apply: Callable[[Any], Any]
) -> Callable[[Any], Any]:
    """``apply``, except that before its first call returns, the rival commits its command."""
    calls = []

    def racing(current: Any) -> Any:
        outcome = apply(current)
        if not calls:
            rival_commits()
        calls.append(current)
        return outcome

    racing.calls = calls  # type: ignore[attr-defined]
    return racing


def test_an_order_round_trips_through_the_store_with_one_outbox_row_per_event(service):
    service.command("order", None, "place", place_body("1001", key="p-1"))
    service.command("order", "1001", "process", {"step": "stock_check", "at": at(1)})
    service.command("order", "1001", "pick", {"at": at(2), "idempotency_key": "k-2"})

    order = service.handler.load(ORDERS, "1001")
    outbox = service.store.unsent()

    assert (order.status, order.version) == (OrderStatus.PICKING, 3)
    assert [(row.version, row.event_name) for row in outbox] == [
        (1, "place"),
        (2, "process"),
        (3, "pick"),
    ]
    for row, event in zip(outbox, order.history, strict=True):
        assert notification_from_dict(row.payload) == OrderOutcome.of(order, event).notification
    assert Order.replay(event_from_dict(e) for e in service.store.history("order", "1001")) == order


def test_a_writer_that_lost_the_race_reloads_and_applies_its_command_to_the_newer_order(
    service, rival
):
    service.command("order", None, "place", place_body("1001"))
    stale = service.handler.load(ORDERS, "1001")
    apply = first_call_lets(
        lambda: rival.command("order", "1001", "process", {"step": "stock_check", "at": at(1)}),
        lambda order: order.cancel(reason="customer asked", at=when(2)),
    )

    handled = service.handler.execute(ORDERS, "1001", apply)

    assert handled.attempts == 2
    assert apply.calls[0] == stale
    assert apply.calls[1].version == 2  # decided again on the newer order
    history = service.store.history("order", "1001")
    assert [e["event"] for e in history] == ["place", "process", "cancel"]
    assert [row.version for row in service.store.unsent()] == [1, 2, 3]


def test_a_stale_expected_version_is_refused_after_the_reload(service, rival):
    service.command("order", None, "place", place_body("1001"))
    apply = first_call_lets(
        lambda: rival.command("order", "1001", "process", {"step": "stock_check", "at": at(1)}),
        lambda order: order.cancel(reason="customer asked", at=when(2), expected_version=1),
    )

    with pytest.raises(VersionConflict):
        service.handler.execute(ORDERS, "1001", apply)

    assert [e["event"] for e in service.store.history("order", "1001")] == ["place", "process"]


def test_a_retried_placement_that_lost_the_race_gets_the_stored_order_back(service, rival):
    body = place_body("1001", key="req-1")
    apply = first_call_lets(
        lambda: rival.command("order", None, "place", body),
        Command.from_dict({"aggregate": "order", "command": "place", **body}).apply,
    )

    handled = service.handler.execute(ORDERS, "1001", apply, creates=True, key="req-1")

    assert handled.repeated
    assert handled.attempts == 2
    assert handled.stored == ()
    assert len(service.store.history("order", "1001")) == 1
    assert len(service.store.unsent()) == 1


def test_a_placement_under_a_used_key_with_other_arguments_is_an_idempotency_conflict(service):
    service.command("order", None, "place", place_body("1001", key="req-1"))

    with pytest.raises(IdempotencyConflict):
        service.command(
            "order", None, "place", place_body("1001", key="req-1", estimated_delivery="2026-11-28")
        )


def test_a_placement_without_a_key_for_a_number_that_is_taken_is_refused(service):
    service.command("order", None, "place", place_body("1001"))

    with pytest.raises(AlreadyExists):
        service.command("order", None, "place", place_body("1001"))


def test_a_command_for_an_order_never_placed_is_not_found(service):
    with pytest.raises(NotFound):
        service.command("order", "404", "pick", {"at": at(1)})


def test_a_crash_before_the_commit_leaves_no_event_no_outbox_row_and_no_parcel(database, service):
    service.command("order", None, "place", place_body("1001"))
    for verb, body in [
        ("process", {"step": "stock_check", "at": at(1)}),
        ("pick", {"at": at(2)}),
        ("pack", {"at": at(3)}),
    ]:
        service.command("order", "1001", verb, body)

    def crash(point: str) -> None:
        if point == "before_commit":
            raise ConnectionAbortedError("the process died")

    with closing(database.connect()) as connection:
        crashing = Service(EventStore(connection, database.dialect), faults=crash)
        with pytest.raises(ConnectionAbortedError):
            crashing.command(
                "order", "1001", "ship", {"carrier": "DHL", "tracking_number": "JD1", "at": at(4)}
            )

    assert [e["event"] for e in service.store.history("order", "1001")][-1] == "pack"
    assert len(service.store.unsent()) == 4
    assert service.store.order_for_parcel("JD1") is None


def test_the_outbox_relay_sends_each_row_once(service):
    service.command("order", None, "place", place_body("1001"))
    service.command("order", None, "place", place_body("1002"))

    first = service.store.unsent(limit=1)
    service.store.mark_sent(first)
    rest = service.store.unsent()
    service.store.mark_sent(rest)

    assert [(r.aggregate_id, r.version) for r in first + rest] == [("1001", 1), ("1002", 1)]
    assert service.store.unsent() == []


def test_a_lead_is_stored_without_outbox_rows(service):
    service.command("lead", None, "create", {"lead_id": "L-1", "source": "inbound", "at": at(0)})
    service.command(
        "lead", "L-1", "log_activity", {"kind": "intro_call", "at": at(1), "actor": "kim"}
    )

    lead = service.handler.load(LEADS, "L-1")

    assert (lead.stage.value, lead.version) == ("awareness", 2)
    assert service.store.unsent() == []


def test_a_tampered_stored_event_is_reported_as_corrupt_not_as_bad_input(database, service):
    service.command("order", None, "place", place_body("1001"))
    service.command("order", "1001", "process", {"step": "stock_check", "at": at(1)})
    with closing(database.connect()) as connection:
        connection.cursor().execute(
            database.dialect.sql(
                "UPDATE events SET event = REPLACE(event, 'processing', 'shipped') WHERE version = ?"
            ),
            (2,),
        )

    with pytest.raises(CorruptDocument, match="to_status"):
        service.command("order", "1001", "pick", {"at": at(2)})


def test_a_handler_gives_up_as_busy_when_rivals_keep_winning(service, rival):
    service.command("order", None, "place", place_body("1001"))
    handler = CommandHandler(service.store, max_attempts=2)
    rivals = iter([("process", {"step": "stock_check", "at": at(1)}), ("pick", {"at": at(2)})])

    def always_beaten(order: Any) -> Any:
        rival.command("order", "1001", *next(rivals))
        return order.cancel(reason="changed my mind", at=when(3))

    with pytest.raises(Busy):
        handler.execute(ORDERS, "1001", always_beaten)

    assert [e["event"] for e in service.store.history("order", "1001")] == [
        "place",
        "process",
        "pick",
    ]


def test_a_snapshot_is_written_each_time_the_history_crosses_the_cadence(database):
    with closing(database.connect()) as connection:
        store = EventStore(connection, database.dialect)
        service = Service(store, snapshot_every=4)
        service.command(
            "lead", None, "create", {"lead_id": "L-1", "source": "inbound", "at": at(0)}
        )
        versions = []
        for hour in range(1, 10):
            service.command("lead", "L-1", "log_activity", {"kind": "call", "at": at(hour)})
            versions.append(store.load("lead", "L-1").snapshot_version)

    assert versions == [0, 0, 4, 4, 4, 4, 8, 8, 8]


def test_an_aggregate_restored_from_its_snapshot_and_tail_is_the_replayed_one(database):
    with closing(database.connect()) as connection:
        store = EventStore(connection, database.dialect)
        service = Service(store, snapshot_every=4)
        service.command("order", None, "place", place_body("1001"))
        for verb, body in [
            ("process", {"step": "stock_check", "at": at(1), "idempotency_key": "k-1"}),
            ("pick", {"at": at(2)}),
            ("delay", {"reason": "storm", "estimated_delivery": "2026-11-30", "at": at(3)}),
            ("resume", {"at": at(4), "idempotency_key": "k-4"}),
            ("pack", {"at": at(5)}),
        ]:
            service.command("order", "1001", verb, body)
        stored = store.load("order", "1001")

        restored = service.handler.load(ORDERS, "1001")
        replayed = ORDERS.replay(store.history("order", "1001"))
        repeat = service.command(
            "order",
            "1001",
            "process",
            {"step": "stock_check", "at": at(6), "idempotency_key": "k-1"},
        )

    assert (stored.snapshot_version, len(stored.tail)) == (4, 2)
    assert restored.snapshot_version == 4
    assert restored.to_snapshot() == replayed.to_snapshot()
    assert repeat.repeated
    assert repeat.outcome.event.version == 2


def test_a_key_the_aggregate_forgot_is_still_refused_by_the_store(service):
    service.command("lead", None, "create", {"lead_id": "L-1", "source": "inbound", "at": at(0)})
    for index in range(33):  # one more keyed command than the lead remembers
        service.command(
            "lead",
            "L-1",
            "log_activity",
            {"kind": "call", "at": at(1), "idempotency_key": f"k-{index}"},
        )

    with pytest.raises(KeyAlreadyUsed, match="'k-0'"):
        service.command(
            "lead", "L-1", "log_activity", {"kind": "call", "at": at(2), "idempotency_key": "k-0"}
        )

    assert len(service.store.history("lead", "L-1")) == 34


def test_a_tampered_snapshot_is_reported_as_corrupt(database):
    with closing(database.connect()) as connection:
        service = Service(EventStore(connection, database.dialect), snapshot_every=2)
        service.command("order", None, "place", place_body("1001"))
        service.command("order", "1001", "process", {"step": "stock_check", "at": at(1)})
        connection.cursor().execute(
            "UPDATE snapshots SET snapshot = REPLACE(snapshot, 'Ada', 'Mallory')"
        )

        with pytest.raises(CorruptDocument, match="digest"):
            service.command("order", "1001", "pick", {"at": at(2)})
