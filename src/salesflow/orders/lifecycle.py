"""The order lifecycle: one python-statemachine class, compiled once.

:class:`OrderLifecycle` is the single definition of which event moves an order
from which status to which. At import the class is compiled into a plain table
(status, interrupted status) -> {event: next status} that :func:`next_status`,
:func:`allowed_events` and the :class:`~salesflow.orders.Order` aggregate use;
a test drives every combination through both and requires them to agree.

>>> from salesflow.orders import OrderStatus, allowed_events, next_status
>>> next_status(OrderStatus.PICKING, "pack")
<OrderStatus.PACKED: 'packed'>
>>> sorted(allowed_events(OrderStatus.DELAYED, resumes_to=OrderStatus.SHIPPED))
['delay', 'deliver', 'resume']
>>> next_status(OrderStatus.PICKING, "ship")
Traceback (most recent call last):
...
salesflow.errors.InvalidTransition: Can't ship an order that is picking; allowed: cancel, delay, pack.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any, Final, cast

from statemachine import State
from statemachine.states import States

from salesflow._compile import StrictMachine, compile_machine
from salesflow.errors import InvalidField, InvalidTransition, InvalidType
from salesflow.orders.status import OrderStatus

__all__ = [
    "INTERRUPTIBLE",
    "ORDER_EVENTS",
    "OrderLifecycle",
    "allowed_events",
    "next_status",
]

_S = OrderStatus

INTERRUPTIBLE: Final = (_S.PROCESSING, _S.PICKING, _S.PACKED, _S.SHIPPED, _S.IN_TRANSIT)
"""The statuses a delay can interrupt, in lifecycle order."""

_BEFORE_SHIPPING: Final = frozenset({_S.PROCESSING, _S.PICKING, _S.PACKED})
_ON_THE_ROAD: Final = frozenset({_S.SHIPPED, _S.IN_TRANSIT})


def _guard(name: str, statuses: frozenset[OrderStatus]) -> Callable[..., bool]:
    """A guard on the status a delay interrupted; its name labels the diagram."""

    def guard(resumes_to: OrderStatus | None = None) -> bool:
        return resumes_to in statuses

    guard.__name__ = guard.__qualname__ = name
    return guard


_interrupted_before_shipping = _guard("interrupted before shipping", _BEFORE_SHIPPING)
_interrupted_on_the_road = _guard("interrupted on the road", _ON_THE_ROAD)


def _resumes(status: OrderStatus) -> Callable[..., bool]:
    return _guard(f"interrupted {status.value}", frozenset({status}))


class OrderLifecycle(StrictMachine):
    """The nine order statuses and the events between them (strict: illegal events raise).

    The straight path is received, processing, picking, packed, shipped,
    in transit, delivered; shipped may go straight to delivered and in transit
    repeats for location updates. Cancel is possible until the parcel leaves
    (also from a delay that interrupted one of those statuses). A delay
    interrupts processing to in transit, may be entered again to move the date,
    and ``resume`` returns to exactly the status it interrupted, passed to the
    guards as ``resumes_to``. Delivered and cancelled are final.
    """

    s = States(
        {
            status.value: State(
                status.label,
                value=status,
                initial=status is _S.RECEIVED,
                final=status.is_final,
            )
            for status in OrderStatus
        }
    )

    process = s.received.to(s.processing)
    pick = s.processing.to(s.picking)
    pack = s.picking.to(s.packed)
    ship = s.packed.to(s.shipped)
    transit = s.shipped.to(s.in_transit) | s.in_transit.to.itself()  # type: ignore[no-untyped-call]
    deliver = (
        s.shipped.to(s.delivered)
        | s.in_transit.to(s.delivered)
        | s.delayed.to(s.delivered, cond=_interrupted_on_the_road)
    )
    cancel = (
        s.received.to(s.cancelled)
        | s.processing.to(s.cancelled)
        | s.picking.to(s.cancelled)
        | s.packed.to(s.cancelled)
        | s.delayed.to(s.cancelled, cond=_interrupted_before_shipping)
    )
    delay = (
        s.processing.to(s.delayed)
        | s.picking.to(s.delayed)
        | s.packed.to(s.delayed)
        | s.shipped.to(s.delayed)
        | s.in_transit.to(s.delayed)
        | s.delayed.to.itself()  # type: ignore[no-untyped-call]
    )
    resume = (
        s.delayed.to(s.processing, cond=_resumes(_S.PROCESSING))
        | s.delayed.to(s.picking, cond=_resumes(_S.PICKING))
        | s.delayed.to(s.packed, cond=_resumes(_S.PACKED))
        | s.delayed.to(s.shipped, cond=_resumes(_S.SHIPPED))
        | s.delayed.to(s.in_transit, cond=_resumes(_S.IN_TRANSIT))
    )


_COMPILED: Final = compile_machine(
    OrderLifecycle, {context: {"resumes_to": context} for context in (None, *INTERRUPTIBLE)}
)
ORDER_EVENTS: Final[tuple[str, ...]] = _COMPILED[0]
"""The names of the lifecycle's events, in declaration order."""
_Table = dict[tuple[OrderStatus, OrderStatus | None], MappingProxyType[str, OrderStatus]]
_TABLE: Final = cast(_Table, _COMPILED[1])


def _status(name: str, value: Any) -> OrderStatus:
    """An ``OrderStatus`` given as the member or its value; ``name`` is the parameter."""
    if isinstance(value, OrderStatus):
        return value
    try:
        return OrderStatus(value)
    except (ValueError, TypeError):
        raise InvalidField(
            name, value, f"one of {', '.join(s.value for s in OrderStatus)}"
        ) from None


def _context(
    status: Any, resumes_to: Any, *, name: str = "status"
) -> tuple[OrderStatus, OrderStatus | None]:
    status = _status(name, status)
    if resumes_to is not None and (
        not isinstance(resumes_to, str) or resumes_to not in INTERRUPTIBLE
    ):
        raise InvalidField(
            "resumes_to",
            resumes_to,
            f"None or a status a delay can interrupt ({', '.join(INTERRUPTIBLE)})",
        )
    # The interrupted status only matters while delayed; elsewhere it is ignored,
    # exactly as the engine ignores guard context on unguarded transitions.
    return status, (OrderStatus(resumes_to) if resumes_to is not None else None)


def allowed_events(
    status: OrderStatus | str, *, resumes_to: OrderStatus | str | None = None
) -> frozenset[str]:
    """The events allowed from ``status`` (while delayed, given what it interrupted)."""
    key = _context(status, resumes_to)
    return frozenset(_TABLE[key])


def next_status(
    status: OrderStatus | str, event: str, *, resumes_to: OrderStatus | str | None = None
) -> OrderStatus:
    """The status ``event`` leads to from ``status``; raises ``InvalidTransition``."""
    key = _context(status, resumes_to)
    moves = _TABLE[key]
    try:
        return moves[event]
    except (KeyError, TypeError):
        _refuse(key, event, "event")
        raise AssertionError("unreachable") from None  # pragma: no cover


def _refuse(key: tuple[OrderStatus, OrderStatus | None], event: Any, name: str) -> None:
    """Raise the error for ``event`` not allowed in ``key``; ``name`` is the parameter."""
    moves = _TABLE[key]
    if not isinstance(event, str):
        raise InvalidType(name, event, "an event name (a string)")
    if event not in ORDER_EVENTS:
        raise InvalidField(name, event, f"one of {', '.join(ORDER_EVENTS)}")
    if key == (OrderStatus.DELAYED, None) and event != "delay":
        raise InvalidField(
            "resumes_to",
            None,
            f"the status the delay interrupted (one of {', '.join(INTERRUPTIBLE)}): "
            f"a delayed order can {event} only knowing it",
        )
    detail = ""
    if key[0] is OrderStatus.DELAYED and key[1] is not None:
        detail = f"the delay interrupted {key[1].value}"
    raise InvalidTransition(key[0].value, event, moves, subject="an order", detail=detail)
