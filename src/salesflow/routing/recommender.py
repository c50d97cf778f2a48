"""Recommend a sales-department model from a shop's profile, and say why (docs/routing.md).

>>> from salesflow.routing import ShopProfile, recommend_model
>>> shop = ShopProfile(monthly_inbound_leads=1200, share_not_ready_or_not_target="0.7",
...     seasonal_peak_ratio="1.2", deals_per_month=300, sales_cycle_days=3,
...     repeat_revenue_share="0.1")
>>> advice = recommend_model(shop)
>>> advice.model.value
'two_tier_contact_center'
>>> print(advice.reasons[0])
1200 inbound leads a month, 70% of them not ready or not target: a contact center should qualify them first.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

import attrs

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.money import Money
from salesflow.routing.models import SalesModel
from salesflow.routing.profile import ShopProfile

__all__ = ["Recommendation", "recommend_model"]

_ONE: Final = Decimal(1)
_ZERO: Final = Decimal(0)


def _to_model(value: Any) -> SalesModel:
    return _check.choice(SalesModel, "model", value, context="Recommendation")


def _scores(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, dict) or not all(
        isinstance(model, SalesModel) and isinstance(score, Decimal) and score.is_finite()
        for model, score in value.items()
    ):
        raise InvalidType(
            "scores", value, "a dict of SalesModel to a Decimal score", context="Recommendation"
        )


def _reasons_field(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not tuple or not all(type(reason) is str for reason in value):
        raise InvalidType("reasons", value, "a tuple of strings", context="Recommendation")


def _need(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 1:
        raise InvalidField(attribute.name, value, "a Decimal from 0 to 1", context="Recommendation")


@attrs.frozen
class Recommendation:
    """The recommended model, a score for each of the four (adding up to 1), and why."""

    model: SalesModel = attrs.field(converter=_to_model)
    scores: dict[SalesModel, Decimal] = attrs.field(validator=_scores)
    reasons: tuple[str, ...] = attrs.field(validator=_reasons_field)
    contact_center_need: Decimal = attrs.field(validator=_need)
    account_manager_need: Decimal = attrs.field(validator=_need)


# Where a signal is at full strength; below, it grows linearly from zero.
FLOOD_AT: Final = Decimal(200)  # inbound leads a month
PEAK_AT: Final = Decimal(2)  # busiest month twice the average
CYCLE_AT: Final = Decimal(60)  # days from lead to sale
REPEAT_AT: Final = Decimal("0.5")  # half the revenue from repeat purchases
FEW_DEALS: Final = Decimal(20)  # deals a month that one manager can carry


def _clamp(value: Decimal) -> Decimal:
    return max(_ZERO, min(_ONE, value))


def _pct(share: Decimal) -> str:
    return f"{(share * 100).quantize(_ONE)}%"


_SCORE_PLACES: Final = Decimal("1e-12")


def _shares(scores: dict[SalesModel, Decimal]) -> dict[SalesModel, Decimal]:
    """The scores at 12 places, adding up to exactly 1.

    Divisions such as days / 60 do not end in Decimal, so the four products can
    miss 1 in the last digit; the difference (a few 1e-12 at most) goes to the
    highest score.
    """
    fixed = {model: score.quantize(_SCORE_PLACES) for model, score in scores.items()}
    top = max(SalesModel, key=lambda model: (fixed[model], -list(SalesModel).index(model)))
    fixed[top] += _ONE - sum(fixed.values())
    return {model: score.normalize() for model, score in fixed.items()}


def recommend_model(profile: ShopProfile) -> Recommendation:
    """Score the four models for ``profile`` and recommend the best, with reasons.

    Reads the shop's figures from its books; refuses a profile that leaves one
    of them None (``average_deal_value`` may stay unknown), naming the field.
    """
    p = _figures(profile)
    flood = _clamp(p.monthly_inbound_leads / FLOOD_AT) * p.share_not_ready_or_not_target
    seasonal = _clamp((p.seasonal_peak_ratio - 1) / (PEAK_AT - 1))
    cc = max(flood, seasonal)
    long_cycle = _clamp(p.sales_cycle_days / CYCLE_AT)
    repeat = _clamp(p.repeat_revenue_share / REPEAT_AT)
    am = (long_cycle + repeat) / 2
    scores = _shares(
        {
            SalesModel.ONE_TIER: (1 - cc) * (1 - am),
            SalesModel.TWO_TIER_CONTACT_CENTER: cc * (1 - am),
            SalesModel.TWO_TIER_ACCOUNT_MANAGER: am * (1 - cc),
            SalesModel.THREE_TIER: cc * am,
        }
    )
    # Ties go to the simpler model: declaration order.
    best = max(SalesModel, key=lambda model: (scores[model], -list(SalesModel).index(model)))
    reasons = _reasons(p, flood, seasonal, long_cycle, repeat, best)
    return Recommendation(best, scores, reasons, cc, am)


@attrs.frozen
class _Figures:
    """The recommender's figures of a profile, every one known."""

    monthly_inbound_leads: Decimal
    share_not_ready_or_not_target: Decimal
    seasonal_peak_ratio: Decimal
    deals_per_month: Decimal
    sales_cycle_days: Decimal
    repeat_revenue_share: Decimal
    average_deal_value: Money | None


def _figures(profile: Any) -> _Figures:
    if not isinstance(profile, ShopProfile):
        raise InvalidType("profile", profile, "a ShopProfile")
    known: dict[str, Any] = {}
    for field in attrs.fields(_Figures):
        value = getattr(profile, field.name)
        if value is None and field.name != "average_deal_value":
            raise InvalidField(f"profile.{field.name}", None, "a number (recommend_model reads it)")
        known[field.name] = value
    return _Figures(**known)


def _reasons(
    p: _Figures,
    flood: Decimal,
    seasonal: Decimal,
    long_cycle: Decimal,
    repeat: Decimal,
    best: SalesModel,
) -> tuple[str, ...]:
    half = Decimal("0.5")
    reasons = []
    leads = p.monthly_inbound_leads.normalize()
    if flood >= half:
        reasons.append(
            f"{leads:f} inbound leads a month, {_pct(p.share_not_ready_or_not_target)} of them "
            "not ready or not target: a contact center should qualify them first."
        )
    if seasonal >= half:
        reasons.append(
            f"The busiest month brings {p.seasonal_peak_ratio.normalize():f} times the average: "
            "a contact center absorbs seasonal peaks."
        )
    if long_cycle >= half:
        reasons.append(
            f"A sale takes {p.sales_cycle_days.normalize():f} days: long sales need someone to "
            "keep the relationship."
        )
    if repeat >= half:
        reasons.append(
            f"{_pct(p.repeat_revenue_share)} of revenue comes from repeat purchases: account "
            "managers should grow customers after the first sale."
        )
    if p.deals_per_month <= FEW_DEALS:
        value = f" worth {p.average_deal_value} each" if p.average_deal_value else ""
        reasons.append(
            f"{p.deals_per_month.normalize():f} deals a month{value}: few enough for one "
            "manager to carry from first call to after-sales."
        )
    if not reasons:
        reasons.append("No strong signal either way: keep the department simple.")
    reasons.append(f"Recommended: {best.value.replace('_', ' ')}.")
    return tuple(reasons)
