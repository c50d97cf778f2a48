"""The shop profile: one shop's figures, read by the recommender and by the simulator."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Final

import attrs

from salesflow import _check, _zones
from salesflow.errors import InvalidField, InvalidType
from salesflow.money import Money
from salesflow.routing._simcheck import bounded_count, duration, number, positive_span

__all__ = ["ShopProfile"]

# Arrivals per local hour, 00 to 23: quiet nights, busy mornings and afternoons, a dip at lunch.
_NIGHT_AND_MORNING: Final = (1, 1, 1, 1, 1, 1, 2, 3, 6, 9, 10, 10)
_AFTERNOON_AND_EVENING: Final = (8, 8, 10, 10, 9, 7, 5, 4, 3, 3, 2, 1)
_DEFAULT_ARRIVALS: Final = _NIGHT_AND_MORNING + _AFTERNOON_AND_EVENING
# Upper bounds (documented in docs/routing.md): beyond them a run would take hours.
_MOST_LEADS_PER_DAY: Final = 10_000
_MOST_FOLLOW_UP_DAYS: Final = 3653
_LONGEST_MEAN: Final = timedelta(days=365)
_ONE: Final = Decimal(1)
_ZERO: Final = Decimal(0)


# -- the recommender's figures ------------------------------------------------------


def _non_negative(field: str, value: Any) -> Decimal | None:
    if value is None:
        return None
    figure = number(field, value)
    if figure < 0:
        raise InvalidField(field, value, "zero or more")
    return figure


def _share_of(field: str, value: Any) -> Decimal | None:
    if value is None:
        return None
    figure = number(field, value)
    if not _ZERO <= figure <= _ONE:
        raise InvalidField(field, value, "a share from 0 to 1")
    return figure


def _seasonal_peak(value: Any) -> Decimal | None:
    if value is None:
        return None
    figure = number("seasonal_peak_ratio", value)
    if figure < _ONE:
        raise InvalidField(
            "seasonal_peak_ratio", value, "1 or more (the busiest month over the average month)"
        )
    return figure


def _value(value: Any) -> Money | None:
    if value is not None and (not isinstance(value, Money) or value.amount < 0):
        raise InvalidField("average_deal_value", value, "None or Money of zero or more")
    return value


def _has_team(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not bool:
        raise InvalidType(
            "has_sales_team",
            value,
            "True or False (False: no sales department yet, the owner sells alone)",
        )


def _inbound(value: Any) -> Decimal | None:
    return _non_negative("monthly_inbound_leads", value)


def _deals(value: Any) -> Decimal | None:
    return _non_negative("deals_per_month", value)


def _cycle(value: Any) -> Decimal | None:
    return _non_negative("sales_cycle_days", value)


def _not_ready(value: Any) -> Decimal | None:
    return _share_of("share_not_ready_or_not_target", value)


def _repeat(value: Any) -> Decimal | None:
    return _share_of("repeat_revenue_share", value)


# -- the simulator's figures --------------------------------------------------------


def _to_decimal(value: Any) -> Any:
    """A number as a Decimal; anything else is left for the validator to refuse by name."""
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except ArithmeticError:
            return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _number(low: int, high: int | None, expected: str) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        context = type(instance).__name__
        if not isinstance(value, Decimal):
            raise InvalidType(
                attribute.name,
                value,
                f"{expected} (a Decimal or decimal string; floats are inexact)",
                context=context,
            )
        if not value.is_finite() or value < low or (high is not None and value > high):
            raise InvalidField(attribute.name, value, expected, context=context)

    return check


_share = _number(0, 1, "a share from 0 to 1")
_peak_ratio = _number(1, 10, "from 1 to 10 (a peak day's leads over an ordinary day's)")
_spread = _number(0, 3, "from 0 to 3 (the spread of log deal values)")


def _to_zone(value: Any) -> tzinfo:
    return _zones.zone("zone", value, context="ShopProfile")


def _to_weights(value: Any) -> tuple[int, ...]:
    expected = "24 whole numbers of at least 0 (one per local hour), not all 0"
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidType("arrival_weights", value, expected)
    weights = tuple(value)
    if len(weights) != 24:
        raise InvalidField("arrival_weights", weights, expected)
    for hour, weight in enumerate(weights):
        _check.whole(f"arrival_weights[{hour}]", weight, minimum=0)
    if not any(weights):
        raise InvalidField("arrival_weights", weights, expected)
    return weights


def _mean_span(instance: Any, attribute: Any, value: Any) -> None:
    positive_span(instance, attribute, value)
    if value > _LONGEST_MEAN:
        raise InvalidField(
            attribute.name,
            value,
            f"a timedelta from 1s to {duration(_LONGEST_MEAN)}",
            context=type(instance).__name__,
        )


def _deal(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise InvalidField(
            attribute.name, value, "Money above zero", context=type(instance).__name__
        )


@attrs.frozen(kw_only=True)
class ShopProfile:
    """One shop, as :func:`recommend_model` and :func:`simulate` read it.

    The recommender reads what the shop knows from its books (the fields from
    ``monthly_inbound_leads`` to ``average_deal_value``, converted exactly to
    Decimal, floats included, and ``has_sales_team``, True unless the owner
    still sells alone); :func:`recommend_model` refuses a profile that leaves
    one of the figures None (only ``average_deal_value`` may stay unknown).
    The simulator reads how leads are drawn (the fields from ``leads_per_day``
    on, all with defaults; shares are Decimals or decimal strings from 0 to 1,
    floats are refused). docs/routing.md explains each field.
    """

    # What the recommender reads: the shop's figures from its books.
    monthly_inbound_leads: Decimal | None = attrs.field(default=None, converter=_inbound)
    share_not_ready_or_not_target: Decimal | None = attrs.field(default=None, converter=_not_ready)
    seasonal_peak_ratio: Decimal | None = attrs.field(default=None, converter=_seasonal_peak)
    deals_per_month: Decimal | None = attrs.field(default=None, converter=_deals)
    sales_cycle_days: Decimal | None = attrs.field(default=None, converter=_cycle)
    repeat_revenue_share: Decimal | None = attrs.field(default=None, converter=_repeat)
    average_deal_value: Money | None = attrs.field(default=None, converter=_value)
    has_sales_team: bool = attrs.field(default=True, validator=_has_team)
    # What the simulator reads: how its leads are drawn.
    leads_per_day: int = attrs.field(default=40, validator=bounded_count(_MOST_LEADS_PER_DAY))
    inbound_share: Decimal = attrs.field(
        default=Decimal("0.7"), converter=_to_decimal, validator=_share
    )
    not_target_share: Decimal = attrs.field(
        default=Decimal("0.25"), converter=_to_decimal, validator=_share
    )
    not_ready_share: Decimal = attrs.field(
        default=Decimal("0.3"), converter=_to_decimal, validator=_share
    )
    misqualified_share: Decimal = attrs.field(
        default=Decimal("0.15"), converter=_to_decimal, validator=_share
    )
    missing_information_share: Decimal = attrs.field(
        default=Decimal("0.08"), converter=_to_decimal, validator=_share
    )
    win_share: Decimal = attrs.field(
        default=Decimal("0.35"), converter=_to_decimal, validator=_share
    )
    repeat_share: Decimal = attrs.field(
        default=Decimal("0.3"), converter=_to_decimal, validator=_share
    )
    returning_share: Decimal = attrs.field(
        default=Decimal("0.2"), converter=_to_decimal, validator=_share
    )
    median_deal: Money = attrs.field(default=Money("400", "EUR"), validator=_deal)
    deal_spread: Decimal = attrs.field(
        default=Decimal("0.6"), converter=_to_decimal, validator=_spread
    )
    peak_ratio: Decimal = attrs.field(
        default=Decimal("1.5"), converter=_to_decimal, validator=_peak_ratio
    )
    peak_share: Decimal = attrs.field(
        default=Decimal("0.2"), converter=_to_decimal, validator=_share
    )
    zone: tzinfo = attrs.field(default=UTC, converter=_to_zone)
    arrival_weights: tuple[int, ...] = attrs.field(default=_DEFAULT_ARRIVALS, converter=_to_weights)
    response_mean: timedelta = attrs.field(default=timedelta(minutes=40), validator=_mean_span)
    sales_cycle_mean: timedelta = attrs.field(default=timedelta(hours=12), validator=_mean_span)
    follow_up_days: int = attrs.field(default=14, validator=bounded_count(_MOST_FOLLOW_UP_DAYS))
