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

from collections.abc import Iterable, Mapping
from typing import Final

from salesflow.errors import InvalidType
from salesflow.orders.lifecycle import TRANSITIONS, key
from salesflow.orders.status import OrderStatus

__all__ = ["replay_status"]

_Context = tuple[OrderStatus, OrderStatus | None]


def _carry(at: _Context, target: OrderStatus) -> _Context:
    """The context a move lands in: a delay remembers what it interrupted."""
    status, resumes_to = at
    if target is OrderStatus.DELAYED:
        return target, (resumes_to if status is OrderStatus.DELAYED else status)
    return target, None


_CHAIN: Final = TRANSITIONS.chain(_carry)
_START: Final[_Context] = next(key for key in _CHAIN if key == (OrderStatus.RECEIVED, None))


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
        context = _START
    else:
        context = key(start, resumes_to, name="start")  # checks both
    chain = _CHAIN
    if isinstance(events, str | bytes | Mapping):  # iterating them would read letters or keys
        raise InvalidType("events", events, "an iterable of event names (not a single string)")
    try:
        events = iter(events)
    except TypeError:
        raise InvalidType("events", events, "an iterable of event names") from None
    for index, event in enumerate(events):
        try:
            context = chain[context][event]
        except (KeyError, TypeError):
            TRANSITIONS.refuse(context, event, name=f"events[{index}]")
    return context[0]
