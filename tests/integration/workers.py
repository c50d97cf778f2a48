"""The client processes of the concurrency test: each one a shop client hammering the same orders.

A worker loops: pick an order, read it, decide the next command as a client
would (``process`` after ``received``, sometimes a delay or a cancellation),
send it with a fresh idempotency key, and write down the answer. Its memory
is a journal on disk, so it survives the worker's death: the command in
flight is written before it is sent, and a restarted worker sends it again
with the same key (a crash after the commit is a client that never got the
ack). ``faults`` kills the process (``os._exit``) or its connection just
before or after the commit, at random.

The parent process (the test) reads the journals and the database afterwards.
"""

from __future__ import annotations

import json
import os
import random
import traceback
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from examples.backend.aggregates import ORDERS
from examples.backend.db import Database
from examples.backend.handler import AlreadyExists, Busy, KeyAlreadyUsed, NotFound
from examples.backend.service import Service
from examples.backend.store import EventStore

from integration.shop import ETA, T0, place_body
from salesflow import SalesflowError

CRASHED_BEFORE_COMMIT = 70
CRASHED_AFTER_COMMIT = 71
REFUSALS = (SalesflowError, AlreadyExists, Busy, KeyAlreadyUsed, NotFound)


@dataclass(frozen=True)
class Plan:
    """What every worker does; the chances are per request."""

    orders: int = 200
    steps: int = 250
    crash_before_commit: float = 0.02
    crash_after_commit: float = 0.02
    drop_connection: float = 0.01
    retry_at_once: float = 0.10
    retry_later: float = 0.05
    crowd: int = 6
    """Each worker picks among the first ``crowd`` orders it has not seen final."""
    snapshot_every: int = 4
    """Snapshots more often than the service's default, so most orders restore from one."""
    seed: int = 13

    def numbers(self) -> list[str]:
        return [f"C{index:04d}" for index in range(1, self.orders + 1)]


class Journal:
    """A worker's memory on disk: its log of answers and the command in flight."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.log_path = directory / "log.jsonl"
        self.pending_path = directory / "pending.json"
        self.error_path = directory / "error.txt"

    def entries(self) -> list[dict[str, Any]]:
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line]

    def write(self, entry: dict[str, Any]) -> None:
        # Flushed at once: os._exit drops Python's buffers, never the OS's.
        with self.log_path.open("a") as log:
            log.write(json.dumps(entry) + "\n")

    def pending(self) -> dict[str, Any] | None:
        if not self.pending_path.exists():
            return None
        return json.loads(self.pending_path.read_text())  # type: ignore[no-any-return]

    def set_pending(self, command: dict[str, Any]) -> None:
        partial = self.pending_path.with_suffix(".tmp")
        partial.write_text(json.dumps(command))
        os.replace(partial, self.pending_path)

    def clear_pending(self) -> None:
        self.pending_path.unlink(missing_ok=True)


def decide(order: Any, number: str, rng: random.Random) -> tuple[str, dict[str, Any]] | None:
    """The next command a client would send for ``order`` (None when it is final)."""
    if order is None:
        return "place", place_body(number)
    status = order.status.value
    if order.is_final:
        return None
    version = order.version
    body: dict[str, Any] = {"at": (T0 + timedelta(minutes=10 * version)).isoformat()}
    if rng.random() < 0.5:
        body["expected_version"] = version
    delay = {
        "reason": "storm at the depot",
        "estimated_delivery": (ETA + timedelta(days=1 + version)).isoformat(),
    }
    cancel = {"reason": "the customer asked"}
    forward = {
        "received": [("process", {"step": rng.choice(["stock_check", "payment_confirmation"])})] * 9
        + [("cancel", cancel)],
        "processing": [("pick", {})] * 8 + [("delay", delay), ("cancel", cancel)],
        "picking": [("pack", {})] * 8 + [("delay", delay), ("cancel", cancel)],
        "packed": [("ship", {"carrier": "DHL", "tracking_number": f"JD{number}"})] * 8
        + [("delay", delay), ("cancel", cancel)],
        "shipped": [("transit", {"location": f"Hub {version}"})] * 5
        + [("deliver", {})] * 3
        + [("delay", delay)],
        "in_transit": [("transit", {"location": f"Hub {version}"})] * 3
        + [("deliver", {})] * 5
        + [("delay", delay)],
    }
    if status == "delayed":
        options = [("resume", {})] * 6 + [("delay", delay)]
        before_shipping = order.resumes_to.value in ("processing", "picking", "packed")
        options.append(("cancel", cancel) if before_shipping else ("deliver", {}))
    else:
        options = forward[status]
    verb, content = rng.choice(options)
    return verb, {**body, **content}


def run(url: str, worker: int, restarts: int, journal_dir: str, plan: dict[str, Any]) -> None:
    """One worker's life (a process target); exits 0 once its steps are done."""
    journal = Journal(Path(journal_dir) / f"worker-{worker}")
    try:
        _work(Database(url), worker, restarts, journal, Plan(**plan))
    except BaseException:
        journal.error_path.write_text(traceback.format_exc())
        raise


def _work(database: Database, worker: int, restarts: int, journal: Journal, plan: Plan) -> None:
    rng = random.Random(f"{plan.seed}-{worker}-{restarts}")
    entries = journal.entries()
    steps_done = {entry["step"] for entry in entries if "step" in entry}
    acked = [entry for entry in entries if entry.get("kind") == "ack"]
    final: set[str] = set()
    holder: dict[str, Any] = {}

    def faults(point: str) -> None:
        roll = rng.random()
        if point == "before_commit":
            if roll < plan.crash_before_commit:
                os._exit(CRASHED_BEFORE_COMMIT)
            if roll < plan.crash_before_commit + plan.drop_connection:
                holder["connection"].close()  # the connection dies mid-transaction
        elif roll < plan.crash_after_commit:
            os._exit(CRASHED_AFTER_COMMIT)

    def connect() -> Service:
        if "connection" in holder:
            holder["connection"].close()
        holder["connection"] = database.connect()
        store = EventStore(holder["connection"], database.dialect)
        return Service(store, faults=faults, snapshot_every=plan.snapshot_every)

    holder["service"] = connect()

    def send(command: dict[str, Any], *, step: int | None) -> dict[str, Any]:
        while True:
            service: Service = holder["service"]
            verb, number = command["verb"], command["number"]
            try:
                handled = service.command(
                    "order", None if verb == "place" else number, verb, command["body"]
                )
            except database.dialect.unavailable:
                journal.write({"kind": "reconnect"})
                holder["service"] = connect()
                continue
            except REFUSALS as err:
                entry = {"kind": "refused", "error": type(err).__name__}
            else:
                event = handled.outcome.event
                entry = {
                    "kind": "ack",
                    "version": event.version,
                    "event": event.event,
                    "repeated": handled.repeated,
                    "attempts": handled.attempts,
                }
            entry.update(
                number=number, verb=verb, key=command["body"]["idempotency_key"], command=command
            )
            if step is not None:
                entry["step"] = step
            journal.write(entry)
            return entry

    pending = journal.pending()
    if pending is not None:
        if pending["step"] not in steps_done:  # the answer never came: send it again, same key
            entry = send(pending, step=pending["step"])
            steps_done.add(pending["step"])
            if entry["kind"] == "ack":
                acked.append(entry)
        journal.clear_pending()

    numbers = plan.numbers()
    step = max(steps_done, default=-1) + 1
    while step < plan.steps:
        if acked and rng.random() < plan.retry_later:  # a late duplicate of an earlier request
            send(rng.choice(acked)["command"], step=None)
            continue
        # All workers crowd the same few open orders, so their writes race.
        open_orders = [n for n in numbers if n not in final][: plan.crowd]
        if not open_orders:
            break
        number = rng.choice(open_orders)
        order = holder["service"].handler.load(ORDERS, number)
        decision = decide(order, number, rng)
        if decision is None:
            final.add(number)
            continue
        verb, body = decision
        body["idempotency_key"] = f"w{worker}-s{step}"
        command = {"verb": verb, "number": number, "body": body, "step": step}
        journal.set_pending(command)
        entry = send(command, step=step)
        journal.clear_pending()
        if entry["kind"] == "ack":
            acked.append(entry)
            if rng.random() < plan.retry_at_once:  # the client did not trust the first answer
                send(command, step=None)
        step += 1
    holder["connection"].close()


def plan_dict(plan: Plan) -> dict[str, Any]:
    return asdict(plan)
