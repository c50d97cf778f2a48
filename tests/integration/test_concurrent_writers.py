"""Eight client processes, 200 orders, retries and crashes: nothing lost, nothing twice, nothing back.

The workers (tests/integration/workers.py) apply commands to the same
orders through the reference backend's service, retry requests with the
same idempotency key, and die (or lose their connection) at random just
before or just after a commit; a dead worker is restarted and sends its
unanswered command again. Afterwards the database and the workers'
journals must agree exactly. ``pytest -s`` prints the counts, among them
how often the handler lost a race inside its transaction and retried (that
path is pinned down deterministically in test_event_store.py; here it is
only counted, as SQLite's short write window makes it rare).
"""

from __future__ import annotations

import json
import multiprocessing
import time
from collections import Counter, defaultdict
from contextlib import closing
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from examples.backend.db import Database

from integration.shop import regressions, validator
from integration.workers import (
    CRASHED_AFTER_COMMIT,
    CRASHED_BEFORE_COMMIT,
    Journal,
    Plan,
    plan_dict,
    run,
)
from salesflow.orders import Order, event_from_dict, notification_from_dict
from salesflow.orders.order import OrderOutcome

WORKERS = 8
DEADLINE_SECONDS = 300  # a hang detector only: a normal run takes 10 to 30 s


def supervise(database: Database, journal_dir: Path, plan: Plan) -> Counter[str]:
    """Run the workers to the end of their plans, restarting each one that crashed."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["integration.workers"])
    restarts: Counter[int] = Counter()
    exits: Counter[str] = Counter()

    def start(worker: int) -> Any:
        process = context.Process(
            target=run,
            args=(database.url, worker, restarts[worker], str(journal_dir), plan_dict(plan)),
            name=f"worker-{worker}",
        )
        process.start()
        return process

    running = {start(worker): worker for worker in range(WORKERS)}
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        while running:
            if time.monotonic() > deadline:
                raise AssertionError(f"the workers did not finish in {DEADLINE_SECONDS} s")
            for sentinel in wait([p.sentinel for p in running], timeout=1):
                process = next(p for p in running if p.sentinel == sentinel)
                worker = running.pop(process)
                process.join()
                code = process.exitcode
                if code == 0:
                    continue
                if code not in (CRASHED_BEFORE_COMMIT, CRASHED_AFTER_COMMIT):
                    error = Journal(journal_dir / f"worker-{worker}").error_path
                    raise AssertionError(
                        f"worker {worker} failed (exit {code}):\n"
                        + (error.read_text() if error.exists() else "")
                    )
                exits[
                    "crashed before commit"
                    if code == CRASHED_BEFORE_COMMIT
                    else "crashed after commit"
                ] += 1
                restarts[worker] += 1
                running[start(worker)] = worker
    finally:
        for process in running:
            process.kill()
            process.join()
    return exits


def stored_rows(database: Database) -> tuple[list[Any], list[Any], list[Any]]:
    with closing(database.connect()) as connection:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT aggregate_id, version, event_name, idempotency_key, event FROM events "
            "WHERE aggregate_type = 'order' ORDER BY aggregate_id, version"
        )
        events = cursor.fetchall()
        cursor.execute(
            "SELECT aggregate_id, version, event_name, payload FROM outbox WHERE aggregate_type = 'order'"
        )
        outbox = cursor.fetchall()
        cursor.execute(
            "SELECT aggregate_id, version, snapshot FROM snapshots WHERE aggregate_type = 'order'"
        )
        snapshots = cursor.fetchall()
    return events, outbox, snapshots


def test_eight_crashing_writers_on_200_orders_lose_nothing_and_store_nothing_twice(
    database, tmp_path
):
    plan = Plan()

    crashes = supervise(database, tmp_path / "journals", plan)

    journals = [Journal(tmp_path / "journals" / f"worker-{w}").entries() for w in range(WORKERS)]
    entries = [entry for journal in journals for entry in journal]
    events, outbox, snapshots = stored_rows(database)
    histories: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for number, version, name, key, document in events:
        histories[number].append(
            {"version": version, "name": name, "key": key, "event": json.loads(document)}
        )
    acks = [e for e in entries if e["kind"] == "ack"]
    first_acks = [e for e in acks if not e["repeated"]]
    refused_by = Counter(e["error"] for e in entries if e["kind"] == "refused")
    counts: dict[str, int] = {
        "requests": sum(1 for e in entries if e["kind"] in ("ack", "refused")),
        "acknowledged": len(acks),
        "acknowledged as repeats": len(acks) - len(first_acks),
        **{f"refused ({name})": n for name, n in sorted(refused_by.items())},
        "crashed before commit": crashes["crashed before commit"],
        "crashed after commit": crashes["crashed after commit"],
        "connections dropped": sum(1 for e in entries if e["kind"] == "reconnect"),
        "handler retries after a collision": sum(e["attempts"] - 1 for e in acks),
        "orders": len(histories),
        "events": len(events),
        "outbox rows": len(outbox),
        "snapshots": len(snapshots),
    }
    report = f"{database.dialect.name}: " + ", ".join(f"{name} {n}" for name, n in counts.items())
    print("\n" + report)

    # No version gaps, nothing duplicated: versions run 1..n for every order.
    for number, history in histories.items():
        assert [h["version"] for h in history] == list(range(1, len(history) + 1)), (
            f"{number}: {report}"
        )
    # Every acknowledged key is stored exactly once, at the version and as the event acknowledged;
    # every stored event is one that a client was told about (nothing phantom, nothing lost).
    stored = Counter((number, h["key"]) for number, history in histories.items() for h in history)
    assert all(n == 1 for n in stored.values()), report
    for ack in acks:
        event = histories[ack["number"]][ack["version"] - 1]
        assert (event["key"], event["name"]) == (ack["key"], ack["event"]), f"{ack}: {report}"
    assert set(stored) == {(ack["number"], ack["key"]) for ack in acks}, report
    # Exactly one outbox row per event, carrying that event's notification.
    assert sorted((n, v, name) for n, v, name, _ in outbox) == sorted(
        (n, h["version"], h["name"]) for n, history in histories.items() for h in history
    ), report
    replayed = {
        number: Order.replay(event_from_dict(h["event"]) for h in history)
        for number, history in histories.items()
    }
    for number, version, _, payload in outbox:
        order = replayed[number]
        assert (
            notification_from_dict(json.loads(payload))
            == OrderOutcome.of(order, order.history[version - 1]).notification
        )
    # Every history restores (replay checks every event) and never moves an order back.
    for number, order in replayed.items():
        assert regressions(order.history) == [], f"{number}: {report}"
    # Every snapshot is the one of the latest crossing of the cadence, and restores with
    # its tail to exactly the replayed order.
    snapshot_versions = {number: version for number, version, _ in snapshots}
    assert snapshot_versions == {
        number: len(history) - len(history) % plan.snapshot_every
        for number, history in histories.items()
        if len(history) >= plan.snapshot_every
    }, report
    for number, version, snapshot in snapshots:
        tail = [h["event"] for h in histories[number][version:]]
        restored = Order.from_snapshot(json.loads(snapshot), tail=tail)
        assert restored.to_snapshot() == replayed[number].to_snapshot(), f"{number}: {report}"
    # Every stored document is one the library's generated schemas describe.
    for history in histories.values():
        for stored_event in history:
            validator("order.event").validate(stored_event["event"])
    for *_, payload in outbox:
        validator("order.notification").validate(json.loads(payload))
    for *_, snapshot in snapshots:
        validator("order.snapshot").validate(json.loads(snapshot))
    assert counts["crashed before commit"] > 0, report
    assert counts["crashed after commit"] > 0, report
    assert counts["acknowledged as repeats"] > 0, report
