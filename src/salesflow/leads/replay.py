"""Fast stage replay over bare event names, compiled from the lead lifecycle table.

Stage events, plus ``qualify`` (which enables ``fast_track``) and
``log_activity`` (which changes no stage), folded without building leads.

>>> from salesflow.leads import replay_stage
>>> replay_stage(["advance", "qualify", "fast_track", "lose", "reactivate", "win"])
<LeadStage.CUSTOMER: 'customer'>
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from salesflow.leads.lifecycle import TRANSITIONS
from salesflow.leads.stage import LeadStage

__all__ = ["replay_stage"]

_START: Final = TRANSITIONS.shared((LeadStage.AWARENESS, (None, False)))


def replay_stage(events: Iterable[str]) -> LeadStage:
    """The stage reached from a new lead by ``events``; raises ``InvalidTransition``."""
    return TRANSITIONS.replay(events, _START)  # type: ignore[no-any-return]
