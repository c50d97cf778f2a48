"""The lead stage graph: one python-statemachine class, compiled once.

Forward moves go one stage at a time (``advance``), except that a qualified,
ready-to-buy lead may be fast-tracked to decision, as inbound teams do.
``move_back`` steps back one stage (the lead records the reason), ``lose``
leaves any open stage (``disqualify`` too, for a lead that is not target), ``reactivate`` returns a lost lead to the stage it was
lost from, ``win`` makes a customer, and a repeat purchase retains one.

>>> from salesflow.leads import LeadStage, allowed_lead_events, next_stage
>>> next_stage(LeadStage.INTEREST, "advance")
<LeadStage.CONSIDERATION: 'consideration'>
>>> next_stage(LeadStage.AWARENESS, "fast_track", qualified=True)
<LeadStage.DECISION: 'decision'>
>>> sorted(allowed_lead_events(LeadStage.LOST, lost_from=LeadStage.DECISION))
['reactivate']
>>> next_stage(LeadStage.AWARENESS, "win")
Traceback (most recent call last):
...
salesflow.errors.InvalidTransition: Can't win a lead that is awareness; allowed: advance, disqualify, lose.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any, Final, cast

from statemachine import State
from statemachine.states import States

from salesflow._compile import StrictMachine, compile_machine
from salesflow.errors import InvalidField, InvalidTransition, InvalidType
from salesflow.leads.stage import OPEN_STAGES, LeadStage

__all__ = ["LEAD_EVENTS", "LeadLifecycle", "allowed_lead_events", "next_stage"]

_S = LeadStage
_OPEN_ORDER: Final = (_S.AWARENESS, _S.INTEREST, _S.CONSIDERATION, _S.DECISION)


def _qualified(qualified: bool = False, lost_from: LeadStage | None = None) -> bool:
    return qualified


def _lost_from(stage: LeadStage) -> Callable[..., bool]:
    def guard(qualified: bool = False, lost_from: LeadStage | None = None) -> bool:
        return lost_from is stage

    guard.__name__ = guard.__qualname__ = f"lost from {stage.value}"
    return guard


_qualified.__name__ = _qualified.__qualname__ = "qualified, ready to buy"


class LeadLifecycle(StrictMachine):
    """The canonical lead stages and the events between them (strict).

    Guards read two facts passed as keyword arguments: ``qualified`` (the lead
    was qualified as target and ready to buy) and ``lost_from`` (while lost,
    the stage it was lost from).
    """

    s = States(
        {
            stage.value: State(stage.value.capitalize(), value=stage, initial=stage is _S.AWARENESS)
            for stage in LeadStage
        }
    )

    advance = (
        s.awareness.to(s.interest) | s.interest.to(s.consideration) | s.consideration.to(s.decision)
    )
    fast_track = s.awareness.to(s.decision, cond=_qualified) | s.interest.to(
        s.decision, cond=_qualified
    )
    move_back = (
        s.interest.to(s.awareness) | s.consideration.to(s.interest) | s.decision.to(s.consideration)
    )
    win = s.decision.to(s.customer)
    repeat_purchase = s.customer.to(s.retained) | s.retained.to.itself()  # type: ignore[no-untyped-call]
    disqualify = (
        s.awareness.to(s.lost)
        | s.interest.to(s.lost)
        | s.consideration.to(s.lost)
        | s.decision.to(s.lost)
    )
    lose = (
        s.awareness.to(s.lost)
        | s.interest.to(s.lost)
        | s.consideration.to(s.lost)
        | s.decision.to(s.lost)
    )
    reactivate = (
        s.lost.to(s.awareness, cond=_lost_from(_S.AWARENESS))
        | s.lost.to(s.interest, cond=_lost_from(_S.INTEREST))
        | s.lost.to(s.consideration, cond=_lost_from(_S.CONSIDERATION))
        | s.lost.to(s.decision, cond=_lost_from(_S.DECISION))
    )


_Context = tuple[LeadStage | None, bool]
_CONTEXTS: Final = {
    (lost_from, qualified): {"lost_from": lost_from, "qualified": qualified}
    for lost_from in (None, *_OPEN_ORDER)
    for qualified in (False, True)
}
_COMPILED: Final = compile_machine(LeadLifecycle, _CONTEXTS)
LEAD_EVENTS: Final[tuple[str, ...]] = _COMPILED[0]
"""The names of the lead lifecycle's events, in declaration order."""
_Table = dict[tuple[LeadStage, _Context], MappingProxyType[str, LeadStage]]
_TABLE: Final = cast(_Table, _COMPILED[1])


def _key(stage: Any, qualified: Any, lost_from: Any) -> tuple[LeadStage, _Context]:
    try:
        stage = LeadStage(stage)
    except ValueError:
        raise InvalidField(
            "stage", stage, f"one of {', '.join(s.value for s in LeadStage)}"
        ) from None
    if type(qualified) is not bool:
        raise InvalidType("qualified", qualified, "True or False")
    if lost_from is not None:
        given = lost_from
        try:
            lost_from = LeadStage(lost_from)
        except (ValueError, TypeError):
            lost_from = None
        if lost_from not in OPEN_STAGES:
            raise InvalidField("lost_from", given, "None or an open stage (awareness to decision)")
    return stage, (lost_from, qualified)


def allowed_lead_events(
    stage: LeadStage | str,
    *,
    qualified: bool = False,
    lost_from: LeadStage | str | None = None,
) -> frozenset[str]:
    """The events allowed from ``stage`` given the qualification and lost-from facts."""
    return frozenset(_TABLE[_key(stage, qualified, lost_from)])


def next_stage(
    stage: LeadStage | str,
    event: str,
    *,
    qualified: bool = False,
    lost_from: LeadStage | str | None = None,
) -> LeadStage:
    """The stage ``event`` leads to from ``stage``; raises ``InvalidTransition``."""
    key = _key(stage, qualified, lost_from)
    moves = _TABLE[key]
    try:
        return moves[event]
    except (KeyError, TypeError):
        if not isinstance(event, str):
            raise InvalidType("event", event, "an event name (a string)") from None
        if event not in LEAD_EVENTS:
            raise InvalidField("event", event, f"one of {', '.join(LEAD_EVENTS)}") from None
        if event == "reactivate" and key[1][0] is None and key[0] is LeadStage.LOST:
            raise InvalidField(
                "lost_from", None, "the open stage the lead was lost from: reactivate returns there"
            ) from None
        raise InvalidTransition(key[0].value, event, moves, subject="a lead") from None
