"""Fast status replay over bare event names, compiled from the lifecycle table.

For analysts and bulk checks: fold a sequence of event names (after
placement) into the final status without building orders.

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
from salesflow.orders.lifecycle import _TABLE, _context, _refuse
from salesflow.orders.status import OrderStatus

__all__ = ["replay_status"]

_Context = tuple[OrderStatus, OrderStatus | None]


def _chain() -> dict[_Context, dict[str, _Context]]:
    """Each (status, interrupted status) context -> {event: the context it leads to}.

    Derived from the compiled table, so a replay step is one dict lookup.
    """
    contexts = {key: key for key in _TABLE}  # one shared tuple per context
    chain: dict[_Context, dict[str, _Context]] = {}
    for (status, resumes_to), moves in _TABLE.items():
        step: dict[str, _Context] = {}
        for event, target in moves.items():
            if target is OrderStatus.DELAYED:
                carried = resumes_to if status is OrderStatus.DELAYED else status
            else:
                carried = None
            step[event] = contexts[(target, carried)]
        chain[contexts[(status, resumes_to)]] = step
    return chain


_CHAIN: Final = _chain()
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
        context = _context(start, resumes_to, name="start")  # checks both
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
            _refuse(context, event, f"events[{index}]")  # raises
            raise  # pragma: no cover - _refuse always raises here
    return context[0]
