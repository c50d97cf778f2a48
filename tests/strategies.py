"""Shared hypothesis strategies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from salesflow import Money

CURRENCIES = ("EUR", "USD", "GBP", "JPY", "KWD")

zones = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=5, minutes=30)),
        timezone(timedelta(hours=-8)),
        ZoneInfo("Europe/Berlin"),
        ZoneInfo("America/New_York"),
    ]
)

aware_datetimes = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=zones,
)

amounts = st.decimals(
    min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=4, allow_nan=False
)


def money(currency: str | None = None) -> st.SearchStrategy[Money]:
    currencies = st.just(currency) if currency else st.sampled_from(CURRENCIES)
    return st.builds(Money, amounts, currencies)
