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
from salesflow.leads.lifecycle import _TABLE, LEAD_EVENTS, next_stage
from salesflow.leads.stage import LeadStage

__all__ = ["replay_stage"]

# (stage, lost_from, qualified)
_Context = tuple[LeadStage, LeadStage | None, bool]


def _chain() -> dict[_Context, dict[str, _Context]]:
    contexts: dict[_Context, _Context] = {}

    def shared(context: _Context) -> _Context:
        return contexts.setdefault(context, context)

    chain: dict[_Context, dict[str, _Context]] = {}
    for (stage, (lost_from, qualified)), moves in _TABLE.items():
        step: dict[str, _Context] = {}
        for event, target in moves.items():
            carried = stage if target is LeadStage.LOST else None
            still_qualified = qualified and event != "disqualify"
            step[event] = shared((target, carried, still_qualified))
        if stage.is_open:
            step["qualify"] = shared((stage, lost_from, True))
        step["log_activity"] = shared((stage, lost_from, qualified))
        chain[shared((stage, lost_from, qualified))] = step
    return chain


_CHAIN: Final = _chain()
_NAMES: Final = (*LEAD_EVENTS, "qualify", "log_activity")
_START: Final[_Context] = next(key for key in _CHAIN if key == (LeadStage.AWARENESS, None, False))


def replay_stage(events: Iterable[str]) -> LeadStage:
    """The stage reached from a new lead by ``events``; raises ``InvalidTransition``."""
    expected = "an iterable of event names (a list, not a string or a mapping)"
    if isinstance(events, str | bytes | Mapping):
        raise InvalidType("events", events, expected)
    try:
        iterator = iter(events)
    except TypeError:
        raise InvalidType("events", events, expected) from None
    context = _START
    chain = _CHAIN
    for index, event in enumerate(iterator):
        try:
            context = chain[context][event]
        except (KeyError, TypeError):
            if not isinstance(event, str):
                raise InvalidType(f"events[{index}]", event, "an event name (a string)") from None
            if event not in _NAMES:
                raise InvalidField(
                    f"events[{index}]", event, f"one of {', '.join(_NAMES)}"
                ) from None
            stage, lost_from, qualified = context
            if event == "qualify":
                raise InvalidTransition(
                    stage.value, event, chain[context], subject="a lead"
                ) from None
            next_stage(stage, event, qualified=qualified, lost_from=lost_from)  # raises
            raise  # pragma: no cover - next_stage always raises here
    return context[0]
