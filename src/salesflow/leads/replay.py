"""Fast stage replay over bare event names, compiled from the lead lifecycle table.

Stage events, plus ``qualify`` (which enables ``fast_track``) and
``log_activity`` (which changes no stage), folded without building leads.

>>> from salesflow.leads import replay_stage
>>> replay_stage(["advance", "qualify", "fast_track", "lose", "reactivate", "win"])
<LeadStage.CUSTOMER: 'customer'>
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from salesflow.errors import InvalidField, InvalidTransition, InvalidType
from salesflow.leads.lifecycle import LEAD_EVENTS, TRANSITIONS
from salesflow.leads.stage import LeadStage

__all__ = ["replay_stage"]

_Key = tuple[LeadStage, tuple[LeadStage | None, bool]]


def _carry(at: _Key, target: LeadStage) -> _Key:
    """The key a move lands on: a loss remembers the stage it left."""
    stage, (_lost_from, qualified) = at
    return target, (stage if target is LeadStage.LOST else None, qualified)


def _chain() -> dict[_Key, dict[str, _Key]]:
    chain = TRANSITIONS.chain(_carry)
    shared = {at: at for at in chain}
    for at, step in chain.items():
        stage, (lost_from, _qualified) = at
        if "disqualify" in step:  # disqualifying also ends the qualification
            step["disqualify"] = shared[(LeadStage.LOST, (stage, False))]
        if stage.is_open:
            step["qualify"] = shared[(stage, (lost_from, True))]
        step["log_activity"] = at
    return chain


_CHAIN: Final = _chain()
_NAMES: Final = (*LEAD_EVENTS, "qualify", "log_activity")
_START: Final[_Key] = next(at for at in _CHAIN if at == (LeadStage.AWARENESS, (None, False)))


def replay_stage(events: Iterable[str]) -> LeadStage:
    """The stage reached from a new lead by ``events``; raises ``InvalidTransition``."""
    expected = "an iterable of event names (a list, not a string or a mapping)"
    if isinstance(events, str | bytes | Mapping):
        raise InvalidType("events", events, expected)
    try:
        iterator = iter(events)
    except TypeError:
        raise InvalidType("events", events, expected) from None
    at = _START
    chain = _CHAIN
    for index, event in enumerate(iterator):
        try:
            at = chain[at][event]
        except (KeyError, TypeError):
            name = f"events[{index}]"
            if not isinstance(event, str):
                raise InvalidType(name, event, "an event name (a string)") from None
            if event not in _NAMES:
                raise InvalidField(name, event, f"one of {', '.join(_NAMES)}") from None
            if event == "qualify":
                raise InvalidTransition(at[0].value, event, chain[at], subject="a lead") from None
            TRANSITIONS.refuse(at, event, name=name)
    return at[0]
