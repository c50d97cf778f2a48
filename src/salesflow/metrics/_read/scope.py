"""The scope arguments of the metrics: ``period``, ``now`` and the currency stated.

Shared by every metric that takes them, so each is refused the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from salesflow import _check, _zones
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.fields import currency
from salesflow.periods import Period


def period_argument(value: Any) -> Period | None:
    """``period``: None or a :class:`~salesflow.periods.Period`."""
    if value is not None and not isinstance(value, Period):
        raise InvalidType("period", value, "None or a Period (Period.month(2026, 3, 'UTC'), ...)")
    return value


def now_argument(value: Any) -> datetime:
    """``now``: an aware datetime, in UTC."""
    return _check.aware("now", value).astimezone(UTC)


def optional_now(value: Any) -> datetime | None:
    """``now`` in UTC, or None: the library reads no clock, so only a given ``now`` counts."""
    return None if value is None else now_argument(value)


def currency_argument(value: Any) -> str | None:
    """``currency``: None, or the ISO 4217 code the caller states."""
    return None if value is None else currency("currency", value)


def scope_label(period: Period | None, name: str) -> str:
    """``"orders placed in 2026-03"``, or ``"all orders placed"`` without a period."""
    return f"{name} in {period.label}" if period is not None else f"all {name}"


def unfinished(period: Period | None, now: datetime | None) -> bool:
    """True when both a period and ``now`` are given and the period had not ended at ``now``."""
    return period is not None and now is not None and not period.ended(now)


def after_now(now: datetime, field: str, value: Any) -> InvalidField:
    """The refusal of a time past ``now``: what happens after it is not known yet."""
    return InvalidField(field, value, f"a moment not after now ({now.isoformat()})")


def not_after(now: datetime | None, field: str, moment: datetime | None, value: Any) -> None:
    """Refuse ``moment`` (read from ``value`` at ``field``) when it is past ``now``."""
    if now is not None and moment is not None and _zones.utc(moment) > now:
        raise after_now(now, field, value)


def history_not_after(
    now: datetime | None, field: str, item: Any, history: tuple[Any, ...]
) -> None:
    """Refuse a history that runs past ``now``, naming its first event after it.

    The event is named as the item was given: ``orders[3][2].at`` in a list
    of events, ``orders[3].history[2].at`` in an aggregate or its document.
    """
    if now is None or not history or _zones.utc(history[-1].at) <= now:
        return
    for position, event in enumerate(history):
        if _zones.utc(event.at) > now:
            place = (
                f"{field}[{position}].at"
                if isinstance(item, list | tuple)
                else f"{field}.history[{position}].at"
            )
            raise after_now(now, place, event.at)
