"""The lead stage graph: one python-statemachine class, compiled once (see docs/leads.md).

>>> from salesflow.leads import LeadStage, allowed_events
>>> sorted(allowed_events(LeadStage.INTEREST))
['advance', 'disqualify', 'lose', 'move_back']
>>> sorted(allowed_events(LeadStage.LOST, lost_from=LeadStage.DECISION))
['reactivate']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from statemachine import State
from statemachine.states import States

from salesflow import _check
from salesflow._compile import StrictMachine, Transitions, compile_lifecycle
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads.stage import OPEN_STAGES, LeadStage

__all__ = ["LEAD_EVENTS", "TRANSITIONS", "LeadLifecycle", "allowed_events", "key"]

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


# A key is (stage, (lost_from, qualified)): the stage and the two facts the guards read.
_Key = tuple[LeadStage, tuple[LeadStage | None, bool]]


def explain(at: _Key, event: str) -> None:
    """Refuse ``reactivate`` from lost when the stage it was lost from is not known."""
    if event == "reactivate" and at[0] is LeadStage.LOST and at[1][0] is None:
        raise InvalidField(
            "lost_from", None, "the open stage the lead was lost from: reactivate returns there"
        )


def _carry(at: _Key, event: str, target: LeadStage) -> _Key:
    """The key a move lands on: a loss remembers the stage it left, and
    disqualifying also ends the qualification."""
    stage, (_lost_from, qualified) = at
    lost_from = stage if target is LeadStage.LOST else None
    return target, (lost_from, qualified and event != "disqualify")


def _qualify(at: _Key) -> _Key | None:
    """Qualifying changes no stage but enables ``fast_track``; only an open lead qualifies."""
    stage, (lost_from, _qualified) = at
    return (stage, (lost_from, True)) if stage.is_open else None


TRANSITIONS: Final[Transitions[_Key]] = compile_lifecycle(
    LeadLifecycle,
    {
        (lost_from, qualified): {"lost_from": lost_from, "qualified": qualified}
        for lost_from in (None, *_OPEN_ORDER)
        for qualified in (False, True)
    },
    subject="a lead",
    explain=explain,
    carry=_carry,
    extra={"qualify": _qualify, "log_activity": lambda at: at},
)
"""The compiled table: (stage, (lost_from, qualified)) -> {event: next stage}."""
LEAD_EVENTS: Final[tuple[str, ...]] = TRANSITIONS.events
"""The names of the lead lifecycle's stage events, in declaration order."""


def key(stage: Any, qualified: Any = False, lost_from: Any = None, *, name: str = "stage") -> _Key:
    """The table key for ``stage`` given the qualification and lost-from facts, checked."""
    stage = _check.choice(LeadStage, name, stage)
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


def allowed_events(
    stage: LeadStage | str,
    *,
    qualified: bool = False,
    lost_from: LeadStage | str | None = None,
) -> frozenset[str]:
    """The stage events allowed from ``stage`` given the qualification and lost-from facts.

    ``qualify`` and ``log_activity`` change no stage and are not listed.
    """
    return TRANSITIONS.allowed(key(stage, qualified, lost_from))
