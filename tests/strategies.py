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


# Working hours (salesflow.routing.hours): zones with DST, Lord Howe's 30-minute one included.

HOURS_ZONES = (
    "UTC",
    "UTC+05:30",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
)


@st.composite
def working_hours(draw, zones=HOURS_ZONES, *, nonempty=True, holidays_near=None):
    """Random weekly schedules of quarter-hour shifts (some touching across midnight).

    ``holidays_near``: a date around which up to ten local holidays are drawn.
    """
    from datetime import date, time

    from salesflow.routing.hours import Shift, WorkingHours

    def clock(quarter):
        return time(0) if quarter == 96 else time(quarter // 4, 15 * (quarter % 4))

    week = {}
    for day in range(7):
        marks = sorted(draw(st.sets(st.integers(0, 96), max_size=6)))
        shifts = [Shift(clock(a), clock(b)) for a, b in zip(marks[::2], marks[1::2], strict=False)]
        if shifts:
            week[day] = shifts
    if nonempty and not week:
        start = draw(st.integers(0, 95))
        end = draw(st.integers(start + 1, 96))
        week[draw(st.integers(0, 6))] = [Shift(clock(start), clock(end))]
    holidays: set[date] = set()
    if holidays_near is not None:
        offsets = draw(st.sets(st.integers(-10, 10), max_size=10))
        holidays = {holidays_near + timedelta(days=offset) for offset in offsets}
    return WorkingHours(draw(st.sampled_from(zones)), week, holidays)


# Periods and metrics (salesflow.periods, salesflow.metrics).

PERIOD_ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
)

period_zones = st.sampled_from(PERIOD_ZONES)

period_units = st.sampled_from(("day", "week", "month", "quarter"))

customer_ids = st.one_of(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3), st.integers(min_value=0, max_value=40)
)

shares = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False)


def survey_scores(low: int, high: int, max_size: int = 60) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(min_value=low, max_value=high), max_size=max_size)


# Absolute time: the same instants written in zones with clock changes, in
# both folds of a repeated hour. A law over these says a result depends on the
# instants only, never on the zone they were written in.
CLOCK_CHANGE_ZONES = (
    UTC,
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Australia/Lord_Howe"),  # a half-hour change
)

# UTC instants of clock changes in 2026: Berlin spring and autumn, New York
# spring and autumn, Lord Howe autumn (April) and spring (October).
CLOCK_CHANGES = (
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 4, 4, 15, tzinfo=UTC),
    datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
)

# Instants within two days of a clock change, to the minute, in UTC.
instants_near_clock_changes = st.builds(
    lambda change, minutes: change + timedelta(minutes=minutes),
    st.sampled_from(CLOCK_CHANGES),
    st.integers(min_value=-2 * 24 * 60, max_value=2 * 24 * 60),
)


def sorted_instants(min_size: int = 2, max_size: int = 6) -> st.SearchStrategy[list[datetime]]:
    """Ascending UTC instants near one clock change, minutes to days apart."""
    return st.builds(
        lambda change, steps: [change + timedelta(minutes=m) for m in _running(steps)],
        st.sampled_from(CLOCK_CHANGES),
        st.lists(st.integers(min_value=1, max_value=36 * 60), min_size=min_size, max_size=max_size),
    )


def _running(steps: list[int]) -> list[int]:
    total, out = -24 * 60, []
    for step in steps:
        total += step
        out.append(total)
    return out


def written_in(instant: datetime, zone: object) -> datetime:
    """``instant`` as a reading of ``zone``'s wall clock (``fold`` set where the hour repeats)."""
    return instant.astimezone(zone)  # type: ignore[arg-type]
