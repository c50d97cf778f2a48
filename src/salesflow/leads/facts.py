"""Each stage's default win probability and forecast category (see docs/leads.md).

>>> from salesflow.leads.facts import DEFAULT_STAGE_FACTS
>>> from salesflow.leads import LeadStage
>>> DEFAULT_STAGE_FACTS[LeadStage.DECISION]
StageFacts(probability=Decimal('0.60'), forecast=<ForecastCategory.COMMIT: 'commit'>)
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

import attrs

from salesflow import _check
from salesflow.errors import InvalidField
from salesflow.leads.stage import LeadStage

__all__ = ["DEFAULT_STAGE_FACTS", "ForecastCategory", "StageFacts"]


class ForecastCategory(StrEnum):
    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMIT = "commit"
    CLOSED = "closed"


def _probability(_instance: Any, _attribute: Any, value: Any) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 1:
        raise InvalidField("probability", value, "a Decimal from 0 to 1", context="StageFacts")


def _to_forecast(value: Any) -> ForecastCategory:
    return _check.choice(ForecastCategory, "forecast", value, context="StageFacts")


@attrs.frozen
class StageFacts:
    """A stage's default win probability and forecast category."""

    probability: Decimal = attrs.field(validator=_probability)
    forecast: ForecastCategory = attrs.field(converter=_to_forecast)


_F = ForecastCategory
DEFAULT_STAGE_FACTS: Final[Mapping[LeadStage, StageFacts]] = MappingProxyType(
    {
        LeadStage.AWARENESS: StageFacts(Decimal("0.05"), _F.PIPELINE),
        LeadStage.INTEREST: StageFacts(Decimal("0.10"), _F.PIPELINE),
        LeadStage.CONSIDERATION: StageFacts(Decimal("0.30"), _F.BEST_CASE),
        LeadStage.DECISION: StageFacts(Decimal("0.60"), _F.COMMIT),
        LeadStage.CUSTOMER: StageFacts(Decimal("1"), _F.CLOSED),
        LeadStage.RETAINED: StageFacts(Decimal("1"), _F.CLOSED),
        LeadStage.LOST: StageFacts(Decimal("0"), _F.CLOSED),
    }
)
"""Default facts per stage (read-only); pass your own mapping to override any of them."""
