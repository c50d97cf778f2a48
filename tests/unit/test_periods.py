"""Periods are half-open, timezone-aware, calendar-aware and DST-safe."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType, Period, PeriodUnit
from strategies import aware_datetimes, period_units, period_zones

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_local_day_in_berlin_on_the_spring_forward_date_is_23_hours_long():
    day = Period.day(date(2026, 3, 29), "Europe/Berlin")

    assert day.duration == timedelta(hours=23)


def test_a_local_day_in_berlin_on_the_fall_back_date_is_25_hours_long():
    day = Period.day(date(2026, 10, 25), BERLIN)

    assert day.duration == timedelta(hours=25)


def test_a_day_whose_midnight_is_skipped_starts_at_the_transition():
    day = Period.day(date(2022, 9, 11), "America/Santiago")

    assert day.local_start.hour == 1
    assert day.duration == timedelta(hours=23)
    assert day.previous().end == day.start


def test_a_month_starts_and_ends_at_local_midnight_in_its_zone():
    march = Period.month(2026, 3, "Europe/Berlin")

    assert march.start == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert march.end == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    assert march.local_start == datetime(2026, 3, 1, tzinfo=BERLIN)
    assert march.label == "2026-03"


def test_an_iso_week_runs_from_monday_to_monday_across_a_year_boundary():
    week = Period.week(date(2026, 1, 1), "UTC")

    assert week.local_start.date() == date(2025, 12, 29)
    assert week.local_end.date() == date(2026, 1, 5)
    assert week.label == "2026-W01"


def test_a_quarter_splits_into_its_three_months():
    quarter = Period.quarter(2026, 2, "America/New_York")

    months = quarter.split("month")

    assert [m.label for m in months] == ["2026-04", "2026-05", "2026-06"]
    assert months[0].start == quarter.start
    assert months[-1].end == quarter.end


def test_weeks_that_straddle_a_month_are_clipped_to_it_as_free_spans():
    march = Period.month(2026, 3, "UTC")

    pieces = march.split(PeriodUnit.WEEK)

    assert pieces[0] == Period(
        datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC), zone="UTC"
    )
    assert pieces[0].unit is None
    assert pieces[1].unit is PeriodUnit.WEEK
    assert pieces[-1].end == march.end


def test_the_start_is_inside_and_the_end_is_outside():
    day = Period.day(date(2026, 5, 4), "UTC")

    assert day.contains(day.start)
    assert not day.contains(day.end)
    assert day.end - timedelta(microseconds=1) in day


def test_contains_compares_instants_not_wall_clocks():
    march = Period.month(2026, 3, "Europe/Berlin")

    assert not march.contains(datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    assert march.contains(datetime(2026, 3, 31, 21, 30, tzinfo=UTC))


def test_a_period_that_has_not_ended_is_flagged():
    march = Period.month(2026, 3, "UTC")

    assert not march.ended(datetime(2026, 3, 31, 23, 59, tzinfo=UTC))
    assert march.ended(datetime(2026, 4, 1, tzinfo=UTC))


def test_next_and_previous_walk_the_calendar():
    december = Period.month(2025, 12, "Europe/Berlin")

    assert december.next().label == "2026-01"
    assert december.previous().label == "2025-11"
    assert december.next().previous() == december


def test_a_free_span_moves_by_its_own_length():
    span = Period(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 6, tzinfo=UTC))

    assert span.next() == Period(
        datetime(2026, 1, 1, 6, tzinfo=UTC), datetime(2026, 1, 1, 12, tzinfo=UTC)
    )


def test_months_lists_consecutive_months():
    months = Period.months(2026, 11, 3, "UTC")

    assert [m.label for m in months] == ["2026-11", "2026-12", "2027-01"]


def test_containing_finds_the_local_calendar_unit_of_an_instant():
    at = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)

    assert Period.containing(at, "month", "Europe/Berlin").label == "2026-04"
    assert Period.containing(at, "month", "UTC").label == "2026-03"
    assert Period.containing(at, "quarter", "Europe/Berlin").label == "2026-Q2"


def test_the_repr_names_the_unit_the_zone_and_the_local_bounds():
    march = Period.month(2026, 3, "Europe/Berlin")

    assert repr(march) == (
        "<Period month 2026-03 in Europe/Berlin: [2026-03-01 00:00+01:00, 2026-04-01 00:00+02:00)>"
    )


def test_a_naive_datetime_is_refused_everywhere():
    naive = datetime(2026, 3, 1)
    day = Period.day(date(2026, 3, 1), "UTC")

    with pytest.raises(InvalidType, match="naive"):
        Period(naive, datetime(2026, 3, 2, tzinfo=UTC))
    with pytest.raises(InvalidType, match="at"):
        day.contains(naive)
    with pytest.raises(InvalidType, match="now"):
        day.ended(naive)
    with pytest.raises(InvalidType, match="at"):
        Period.containing(naive, "day", "UTC")


def test_an_end_not_after_the_start_is_refused():
    moment = datetime(2026, 3, 1, tzinfo=UTC)

    with pytest.raises(InvalidField, match=r"end: .* expected a moment after start"):
        Period(moment, moment)


def test_bounds_that_are_not_the_units_are_refused():
    start = datetime(2026, 3, 1, tzinfo=UTC)

    with pytest.raises(InvalidField, match="end of the calendar month"):
        Period(start, start + timedelta(days=30), unit="month", zone="UTC")
    with pytest.raises(InvalidField, match="start of a calendar month in Europe/Berlin"):
        Period(start, start + timedelta(days=31), unit="month", zone="Europe/Berlin")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: Period.month(2026, 13, "UTC"), "month"),
        (lambda: Period.month(2026, 0, "UTC"), "month"),
        (lambda: Period.quarter(2026, 5, "UTC"), "quarter"),
        (lambda: Period.month(True, 1, "UTC"), "year"),
        (lambda: Period.month(2026, 1, "Mars/Olympus"), "zone"),
        (lambda: Period.month(2026, 1, 5), "zone"),
        (lambda: Period.day(datetime(2026, 1, 1, tzinfo=UTC), "UTC"), "day"),
        (lambda: Period.containing(datetime(2026, 1, 1, tzinfo=UTC), "year", "UTC"), "unit"),
        (lambda: Period.month(2026, 1, "UTC").split("fortnight"), "unit"),
        (lambda: Period.month(2026, 1, "UTC").series(-1), "count"),
        (lambda: Period.month(2026, 1, "UTC").shifted(1.5), "steps"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(call, field):
    with pytest.raises(InvalidField) as caught:
        call()

    assert caught.value.field == field


def test_a_fixed_offset_zone_round_trips_through_json():
    period = Period.day(date(2026, 1, 1), timezone(timedelta(hours=-5, minutes=-30)))

    document = json.loads(json.dumps(period.to_dict()))

    assert document["zone"] == "UTC-05:30"
    assert Period.from_dict(document) == period


def test_a_fixed_offset_written_without_utc_by_older_versions_is_still_read():
    period = Period.day(date(2026, 1, 1), timezone(timedelta(hours=-5, minutes=-30)))
    document = {**period.to_dict(), "zone": "-05:30"}

    assert Period.from_dict(document) == period


def test_a_malformed_document_is_refused_naming_the_key():
    with pytest.raises(InvalidField, match=r"period\.start"):
        Period.from_dict({"end": "2026-01-02T00:00:00+00:00", "unit": None, "zone": "UTC"})


# -- laws ---------------------------------------------------------------------------


@given(period_zones, st.integers(2000, 2040), st.integers(1, 12), st.integers(1, 30))
def test_consecutive_months_tile_time_with_no_gap_or_overlap(zone, year, month, count):
    months = Period.months(year, month, count, zone)

    for earlier, later in pairwise(months):
        assert earlier.end == later.start
        assert not earlier.overlaps(later)
    assert sum((m.duration for m in months), timedelta(0)) == months[-1].end - months[0].start


@given(period_zones, period_units, aware_datetimes)
def test_the_period_containing_an_instant_contains_it_and_its_neighbours_do_not(zone, unit, at):
    period = Period.containing(at, unit, zone)

    assert period.contains(at)
    assert not period.next().contains(at)
    assert not period.previous().contains(at)
    assert period.previous().next() == period


@given(period_zones, period_units, aware_datetimes)
def test_the_period_containing_an_instant_is_the_calendar_unit_of_its_local_date(zone, unit, at):
    period = Period.containing(at, unit, zone)
    local = at.astimezone(ZoneInfo(zone)).date()
    year, week, _ = local.isocalendar()
    expected = {
        "day": local.isoformat(),
        "week": f"{year}-W{week:02d}",
        "month": f"{local.year}-{local.month:02d}",
        "quarter": f"{local.year}-Q{(local.month - 1) // 3 + 1}",
    }

    assert period.label == expected[unit]
    assert period.local_start.date() <= local < period.local_end.date()
    assert period.local_start.date() == period.previous().local_end.date()


@given(period_zones, period_units, aware_datetimes, aware_datetimes)
def test_contains_agrees_with_the_bounds(zone, unit, anchor, at):
    period = Period.containing(anchor, unit, zone)

    assert period.contains(at) == (period.start <= at < period.end)
    assert period.ended(at) == (at >= period.end)


@given(period_zones, st.sampled_from(["month", "quarter"]), aware_datetimes, period_units)
def test_splitting_a_period_tiles_it_exactly(zone, unit, anchor, finer):
    period = Period.containing(anchor, unit, zone)

    pieces = period.split(finer)

    assert pieces[0].start == period.start
    assert pieces[-1].end == period.end
    assert all(a.end == b.start for a, b in pairwise(pieces))


@given(period_zones, aware_datetimes)
def test_every_calendar_day_is_23_24_or_25_hours_or_lord_howes_half_hour(zone, at):
    day = Period.containing(at, "day", zone)

    assert timedelta(hours=23) <= day.duration <= timedelta(hours=25)
    assert day.duration.total_seconds() % 1800 == 0


@given(period_zones, period_units, aware_datetimes)
def test_to_dict_and_from_dict_round_trip_through_json(zone, unit, at):
    period = Period.containing(at, unit, zone)

    document = json.loads(json.dumps(period.to_dict()))

    assert Period.from_dict(document) == period
