"""Fast status replay over bare event names (for analysts and bulk checks).

>>> from salesflow.orders import replay_status
>>> replay_status(["process", "pick", "delay", "resume", "pack"])
<OrderStatus.PACKED: 'packed'>
>>> replay_status(["process", "ship"])
Traceback (most recent call last):
...
salesflow.errors.InvalidTransition: Can't ship an order that is processing; allowed: cancel, delay, pick.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from salesflow.orders.lifecycle import TRANSITIONS, key
from salesflow.orders.status import OrderStatus

__all__ = ["replay_status"]

_START: Final = TRANSITIONS.shared((OrderStatus.RECEIVED, None))


def replay_status(
    events: Iterable[str],
    *,
    start: OrderStatus = OrderStatus.RECEIVED,
    resumes_to: OrderStatus | None = None,
) -> OrderStatus:
    """The status reached by applying ``events`` (names) from ``start``.

    Raises ``InvalidTransition`` at the first event that is not allowed.
    """
    if start is OrderStatus.RECEIVED and resumes_to is None:
        return TRANSITIONS.replay(events, _START)  # type: ignore[no-any-return]
    context = key(start, resumes_to, name="start")  # checks both
    return TRANSITIONS.replay(events, context)  # type: ignore[no-any-return]
