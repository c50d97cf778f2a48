"""The order lifecycle: one python-statemachine class, compiled once at import.

:class:`OrderLifecycle` is the single definition of the order's moves;
``TRANSITIONS`` is its compiled table, used by :func:`allowed_events`, the
:class:`~salesflow.orders.Order` aggregate and :func:`~salesflow.orders.replay_status`.

>>> from salesflow.orders import OrderStatus, allowed_events
>>> sorted(allowed_events(OrderStatus.DELAYED, resumes_to=OrderStatus.SHIPPED))
['delay', 'deliver', 'resume']
>>> TRANSITIONS.next(key(OrderStatus.PICKING, None), "ship")
Traceback (most recent call last):
...
salesflow.errors.InvalidTransition: Can't ship an order that is picking; allowed: cancel, delay, pack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from statemachine import State
from statemachine.states import States

from salesflow import _check
from salesflow._compile import StrictMachine, Transitions, compile_lifecycle
from salesflow.errors import InvalidField
from salesflow.orders.status import OrderStatus

__all__ = [
    "INTERRUPTIBLE",
    "ORDER_EVENTS",
    "TRANSITIONS",
    "OrderLifecycle",
    "allowed_events",
    "key",
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


_Key = tuple[OrderStatus, OrderStatus | None]


def key(status: Any, resumes_to: Any, *, name: str = "status") -> _Key:
    """The table key for ``status`` (and, while delayed, the status it interrupted), checked."""
    status = _check.choice(OrderStatus, name, status)
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


def _detail(at: _Key) -> str:
    """What an ``InvalidTransition`` adds about ``at``: the status a delay interrupted."""
    if at[0] is OrderStatus.DELAYED and at[1] is not None:
        return f"the delay interrupted {at[1].value}"
    return ""


def _explain(at: _Key, event: str) -> None:
    """Refuse a move from delayed that needs to know what the delay interrupted."""
    if at == (OrderStatus.DELAYED, None) and event != "delay":
        raise InvalidField(
            "resumes_to",
            None,
            f"the status the delay interrupted (one of {', '.join(INTERRUPTIBLE)}): "
            f"a delayed order can {event} only knowing it",
        )


def _carry(at: _Key, _event: str, target: OrderStatus) -> _Key:
    """The key a move lands on: a delay remembers what it interrupted."""
    status, resumes_to = at
    if target is OrderStatus.DELAYED:
        return target, (resumes_to if status is OrderStatus.DELAYED else status)
    return target, None


TRANSITIONS: Final[Transitions[_Key]] = compile_lifecycle(
    OrderLifecycle,
    {context: {"resumes_to": context} for context in (None, *INTERRUPTIBLE)},
    subject="an order",
    detail=_detail,
    explain=_explain,
    carry=_carry,
)
"""The compiled table: (status, interrupted status) -> {event: next status}.

``TRANSITIONS.next(key(status, resumes_to), event)`` is the next status, or
the ``InvalidTransition`` (``InvalidField`` for an unknown event) that says why not.
"""
ORDER_EVENTS: Final[tuple[str, ...]] = TRANSITIONS.events
"""The names of the lifecycle's events, in declaration order."""


def allowed_events(
    status: OrderStatus | str, *, resumes_to: OrderStatus | str | None = None
) -> frozenset[str]:
    """The events allowed from ``status`` (while delayed, given what it interrupted)."""
    return TRANSITIONS.allowed(key(status, resumes_to))
