"""The handoff lifecycle: one python-statemachine class, compiled once.

:class:`HandoffLifecycle` is the single definition of a handoff's statuses;
at import it becomes :data:`TRANSITIONS`, the table the
:class:`~salesflow.routing.ownership.Ownership` aggregate reads.

>>> from salesflow.routing import allowed_events
>>> sorted(allowed_events("submitted"))
['accept', 'expire', 'reject', 'withdraw']
>>> TRANSITIONS.next(key("expired"), "accept")
Traceback (most recent call last):
...
salesflow.errors.InvalidTransition: Can't accept a handoff that is expired; allowed: none (it is final).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from statemachine import State
from statemachine.states import States

from salesflow import _check
from salesflow._compile import StrictMachine, Transitions, compile_lifecycle

__all__ = [
    "HANDOFF_EVENTS",
    "TRANSITIONS",
    "HandoffLifecycle",
    "HandoffStatus",
    "allowed_events",
    "key",
]


class HandoffStatus(StrEnum):
    """Where a handoff between two roles stands."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"

    @property
    def is_final(self) -> bool:
        return self is not HandoffStatus.SUBMITTED


class HandoffLifecycle(StrictMachine):
    """A handoff's statuses (strict: an illegal event raises).

    A submitted handoff is accepted by the receiving role, rejected back to
    the sender with a reason, expires when nobody acted by its deadline, or is
    withdrawn by the sender (or by a re-routing). The four outcomes are final.
    """

    s = States(
        {
            status.value: State(
                status.value.capitalize(),
                value=status,
                initial=status is HandoffStatus.SUBMITTED,
                final=status.is_final,
            )
            for status in HandoffStatus
        }
    )

    accept = s.submitted.to(s.accepted)
    reject = s.submitted.to(s.rejected)
    expire = s.submitted.to(s.expired)
    withdraw = s.submitted.to(s.withdrawn)


_Key = tuple[HandoffStatus, None]

TRANSITIONS: Final[Transitions[_Key]] = compile_lifecycle(
    HandoffLifecycle, {None: {}}, subject="a handoff"
)
"""The compiled table: (status, None) -> {event: next status} (no guards: no context)."""
HANDOFF_EVENTS: Final[tuple[str, ...]] = TRANSITIONS.events
"""The names of the handoff lifecycle's events, in declaration order."""


def key(status: Any, *, name: str = "status") -> _Key:
    """The table key for ``status`` (the member or its value), checked; ``name`` is the parameter."""
    return _check.choice(HandoffStatus, name, status), None


def allowed_events(status: HandoffStatus | str) -> frozenset[str]:
    """The events allowed from ``status`` (none once it is final)."""
    return TRANSITIONS.allowed(key(status))
