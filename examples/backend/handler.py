"""The command handler: load, apply one command, append only the new events, commit; retry on a race.

Every request runs :meth:`CommandHandler.execute` with a function that
turns the stored aggregate (None before a creation) into an outcome. On a
version collision (another writer appended first) the transaction is rolled
back, and the handler sleeps a little (jittered, growing) and starts again
from the load: the command is decided afresh against the newer aggregate,
where an idempotency key or ``expected_version`` sees what happened.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from examples.backend.aggregates import Kind
from examples.backend.store import Collision, EventStore

from salesflow import InvalidField
from salesflow.errors import CorruptDocument

__all__ = [
    "AlreadyExists",
    "Busy",
    "CommandHandler",
    "Handled",
    "KeyAlreadyUsed",
    "NotFound",
]

MAX_ATTEMPTS = 8
"""How many times a command is tried against a newer aggregate before giving up (503)."""
SNAPSHOT_EVERY = 8
"""Write a snapshot when a command's events cross a multiple of this version (see docs/backend.md)."""


class NotFound(Exception):
    """Nothing is stored under this id (HTTP 404)."""


class AlreadyExists(Exception):
    """A creation without an idempotency key for an id that is taken (HTTP 409)."""


class KeyAlreadyUsed(Exception):
    """The key was stored for this aggregate before the window it remembers (HTTP 409)."""


class Busy(Exception):
    """Other writers kept winning the race; the client may retry later (HTTP 503)."""


@dataclass(frozen=True)
class Handled:
    """What a command did: the aggregate after it, the outcome, and the events it stored.

    ``stored`` is empty for a repeat (the idempotency key was applied before)
    and for a carrier update that changed nothing.
    """

    aggregate: Any
    outcome: Any
    stored: tuple[Any, ...]
    attempts: int = 1

    @property
    def repeated(self) -> bool:
        return bool(getattr(self.outcome, "repeated", False))


@dataclass
class CommandHandler:
    """Runs commands against one store. ``faults`` is a test seam, called at
    ``"before_commit"`` and ``"after_commit"`` (the crash tests kill the process there)."""

    store: EventStore
    max_attempts: int = MAX_ATTEMPTS
    snapshot_every: int = SNAPSHOT_EVERY
    faults: Callable[[str], None] | None = None
    rng: random.Random = field(default_factory=random.Random)

    def load(self, kind: Kind, aggregate_id: str) -> Any:
        """The aggregate as stored (snapshot and tail), or None."""
        stored = self.store.load(kind.name, aggregate_id)
        if stored is None:
            return None
        try:
            return kind.restore(stored)
        except InvalidField as err:  # what we stored fails its checks: an alarm (HTTP 500)
            raise CorruptDocument.of(err) from err

    def execute(
        self,
        kind: Kind,
        aggregate_id: str,
        apply: Callable[[Any], Any],
        *,
        creates: bool = False,
        key: str | None = None,
    ) -> Handled:
        """Apply ``apply`` to the stored aggregate and store what it produced.

        ``apply`` gets the aggregate (None when nothing is stored, only when
        ``creates``) and returns an outcome whose first field is the new
        aggregate (``OrderOutcome``, ``LeadOutcome``, ``CarrierResult``).
        A ``SalesflowError`` it raises is the client's answer and is not retried.
        """
        for attempt in range(1, self.max_attempts + 1):
            current = self.load(kind, aggregate_id)
            if current is None and not creates:
                raise NotFound(f"no {kind.name} {aggregate_id!r}")
            if current is not None and creates and key is None:
                raise AlreadyExists(
                    f"{kind.name} {aggregate_id!r} exists; retry a creation with its idempotency_key"
                )
            outcome = apply(current)
            after = _aggregate(outcome)
            read = 0 if current is None else current.version
            # A restored aggregate's history starts after its snapshot: count from its end.
            fresh = after.history[0 if current is None else len(current.history) :]
            if not fresh:
                return Handled(after, outcome, (), attempts=attempt)
            if attempt > 1:
                self._refuse_a_forgotten_key(kind, aggregate_id, fresh)
            snapshot = None
            crossed = after.version // self.snapshot_every > read // self.snapshot_every
            if crossed:
                snapshot = (after.version, kind.snapshot(after))
            try:
                self.store.append(
                    kind.name,
                    aggregate_id,
                    kind.rows(after, fresh),
                    snapshot=snapshot,
                    before_commit=self._fault("before_commit"),
                )
            except Collision:
                time.sleep(self.rng.uniform(0, 0.002 * 2**attempt))
                continue
            if self.faults is not None:
                self.faults("after_commit")
            return Handled(after, outcome, tuple(fresh), attempts=attempt)
        raise Busy(f"{kind.name} {aggregate_id}: {self.max_attempts} writers won the race first")

    def _refuse_a_forgotten_key(self, kind: Kind, aggregate_id: str, fresh: Any) -> None:
        # After a collision: a key the aggregate no longer remembers may still be
        # stored (the unique index refused it). Say so instead of racing again.
        for event in fresh:
            key = event.idempotency_key
            if key is not None and self.store.key_stored(kind.name, aggregate_id, key):
                raise KeyAlreadyUsed(
                    f"{kind.name} {aggregate_id}: idempotency_key {key!r} was used by an "
                    "earlier command; use a new key"
                )

    def _fault(self, point: str) -> Callable[[], None] | None:
        faults = self.faults
        if faults is None:
            return None
        return lambda: faults(point)


def _aggregate(outcome: Any) -> Any:
    for name in ("order", "lead"):
        found = getattr(outcome, name, None)
        if found is not None:
            return found
    raise TypeError(f"an outcome with an order or a lead, got {outcome!r}")
