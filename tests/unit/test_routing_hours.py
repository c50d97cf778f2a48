"""Working hours in a person's own time zone: the clock only runs during shifts."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType
from salesflow.routing.hours import END_OF_TIME, MAX_SPAN, Shift, WorkingHours
from strategies import working_hours

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
# Until 2010 Goose Bay set its clocks back at 00:01 to 23:01: a repeated hour across midnight.
GOOSE_BAY = ZoneInfo("America/Goose_Bay")

# Days the clocks change in 2026 (Lord Howe moves them by 30 minutes).
DST_DAYS = (
    date(2026, 3, 8),  # New York springs forward
    date(2026, 3, 29),  # Berlin springs forward
    date(2026, 4, 5),  # Lord Howe falls back
    date(2026, 10, 4),  # Lord Howe springs forward
    date(2026, 10, 25),  # Berlin falls back
    date(2026, 11, 1),  # New York falls back
)


def local(zone, *args):
    return datetime(*args, tzinfo=zone)


def utc_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def whole_local_day(hours: WorkingHours, day: date) -> timedelta:
    start = datetime.combine(day, time(0), tzinfo=hours.zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=hours.zone)
    return hours.between(start, end)


# Strategies: instants close to a clock change, schedules with holidays near them.


@st.composite
def near_a_clock_change(draw):
    day = draw(st.sampled_from(DST_DAYS))
    offset = draw(st.integers(-4 * 86_400_000_000, 4 * 86_400_000_000))
    return utc_day(day) + timedelta(microseconds=offset)


instants = st.one_of(
    near_a_clock_change(),
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
)
schedules = st.sampled_from(DST_DAYS).flatmap(lambda day: working_hours(holidays_near=day))
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=120))


# Laws.


@given(schedules, instants, durations)
def test_the_working_time_up_to_a_deadline_is_the_duration_it_was_set_for(hours, start, duration):
    deadline = hours.add(start, duration)

    assert hours.between(start, deadline) == duration
    assert deadline >= start


@given(schedules, instants, durations, durations)
def test_a_longer_duration_never_gives_an_earlier_deadline(hours, start, first, second):
    shorter, longer = sorted((first, second))

    assert hours.add(start, shorter) <= hours.add(start, longer)


@given(schedules, instants)
def test_adding_nothing_gives_the_next_start_which_is_a_working_instant(hours, start):
    begins = hours.add(start, timedelta(0))

    assert begins == hours.next_start(start)
    assert hours.is_working(begins)
    assert hours.between(start, begins) == timedelta(0)


@given(schedules, instants, st.lists(st.integers(0, 999_999), max_size=8))
def test_the_answer_holds_until_the_window_says_it_may_change(hours, at, millionths):
    working, until = hours.window(at)
    horizon = min(until, at + timedelta(days=40))
    samples = [at + (horizon - at) * part // 1_000_000 for part in millionths]
    samples.append(horizon - timedelta(microseconds=1))

    assert until > at
    assert hours.is_working(at) is working
    assert all(hours.is_working(sample) is working for sample in samples)


@given(schedules, instants)
def test_the_window_ends_where_the_answer_changes(hours, at):
    working, until = hours.window(at)

    if until < at + timedelta(days=28):
        assert hours.is_working(until) is not working


@settings(deadline=None)  # a liveness law, not a speed test (long spans walk many days)
@given(schedules, instants, instants, instants)
def test_working_time_between_instants_adds_up(hours, one, two, three):
    a, b, c = sorted((one, two, three))

    assert hours.between(a, b) + hours.between(b, c) == hours.between(a, c)
    assert timedelta(0) <= hours.between(a, c) <= c - a


@given(schedules, instants, instants)
def test_there_is_no_working_time_in_an_empty_or_backward_range(hours, one, two):
    assert hours.between(max(one, two), min(one, two)) == timedelta(0)


@given(working_hours(zones=("UTC", "UTC+05:30")), st.dates(date(2025, 1, 1), date(2026, 12, 31)))
def test_a_week_without_clock_changes_holds_the_wall_clock_length_of_its_shifts(hours, day):
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time(0), tzinfo=hours.zone)
    expected = sum((s.length for shifts in hours.week.values() for s in shifts), timedelta(0))

    assert hours.between(start, start + timedelta(days=7)) == expected


@given(schedules)
def test_working_hours_round_trip_through_json(hours):
    document = json.loads(json.dumps(hours.to_dict()))

    assert WorkingHours.from_dict(document) == hours


# Examples.


def test_two_working_hours_from_friday_4pm_at_the_office_end_at_monday_10am():
    office = WorkingHours.office("Europe/Berlin")

    deadline = office.add(local(BERLIN, 2026, 11, 27, 16), timedelta(hours=2))

    assert deadline == local(BERLIN, 2026, 11, 30, 10)
    assert deadline.tzinfo is UTC


def test_a_holiday_is_skipped():
    office = WorkingHours.office("Europe/Berlin", holidays=[date(2026, 11, 27)])

    deadline = office.add(local(BERLIN, 2026, 11, 26, 16), timedelta(hours=2))

    assert deadline == local(BERLIN, 2026, 11, 30, 10)
    assert not office.is_working(local(BERLIN, 2026, 11, 27, 12))


def test_a_shift_over_2am_is_an_hour_shorter_when_berlin_springs_forward():
    hours = WorkingHours.office("Europe/Berlin", start="01:00", end="04:00", days=range(7))

    assert whole_local_day(hours, date(2026, 3, 28)) == timedelta(hours=3)
    assert whole_local_day(hours, date(2026, 3, 29)) == timedelta(hours=2)


def test_a_shift_over_2am_is_an_hour_longer_when_berlin_falls_back():
    hours = WorkingHours.office("Europe/Berlin", start="02:00", end="03:00", days=range(7))

    assert whole_local_day(hours, date(2026, 10, 24)) == timedelta(hours=1)
    assert whole_local_day(hours, date(2026, 10, 25)) == timedelta(hours=2)


def test_lord_howe_loses_half_an_hour_when_it_springs_forward():
    hours = WorkingHours.office("Australia/Lord_Howe", start="01:00", end="04:00", days=range(7))

    assert whole_local_day(hours, date(2026, 10, 4)) == timedelta(hours=2, minutes=30)
    assert whole_local_day(hours, date(2026, 4, 5)) == timedelta(hours=3, minutes=30)


def test_a_shift_starting_in_the_spring_forward_gap_starts_at_the_first_instant_after_it():
    hours = WorkingHours("Europe/Berlin", {6: "02:30-05:00"})

    begins = hours.next_start(local(BERLIN, 2026, 3, 29, 0))

    assert begins == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 summer time
    assert begins == local(BERLIN, 2026, 3, 29, 3)


def test_a_shift_starting_at_an_ambiguous_time_starts_at_its_first_occurrence():
    hours = WorkingHours("Europe/Berlin", {6: "02:30-05:00"})

    begins = hours.next_start(local(BERLIN, 2026, 10, 25, 0))

    assert begins == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 summer time
    assert hours.between(begins, local(BERLIN, 2026, 10, 26)) == timedelta(hours=3, minutes=30)


def test_a_night_shift_across_midnight_is_one_stretch_of_work():
    night = WorkingHours("America/New_York", {0: "22:00-24:00", 1: "00:00-06:00"})
    monday_11pm = local(NEW_YORK, 2026, 11, 23, 23)

    working, until = night.window(monday_11pm)

    assert (working, until) == (True, local(NEW_YORK, 2026, 11, 24, 6))
    assert night.is_working(local(NEW_YORK, 2026, 11, 24, 0))
    assert night.add(monday_11pm, timedelta(hours=2)) == local(NEW_YORK, 2026, 11, 24, 1)
    assert night.between(local(NEW_YORK, 2026, 11, 23, 12), local(NEW_YORK, 2026, 11, 24, 12)) == (
        timedelta(hours=8)
    )


def test_the_end_of_a_shift_is_not_working_time():
    office = WorkingHours.office("Europe/Berlin")

    assert office.is_working(local(BERLIN, 2026, 11, 23, 9))
    assert not office.is_working(local(BERLIN, 2026, 11, 23, 17))
    assert office.window(local(BERLIN, 2026, 11, 23, 17)) == (False, local(BERLIN, 2026, 11, 24, 9))


def test_a_deadline_that_runs_out_at_the_end_of_a_shift_is_that_end():
    office = WorkingHours.office("Europe/Berlin")

    assert office.add(local(BERLIN, 2026, 11, 27, 16), timedelta(hours=1)) == (
        local(BERLIN, 2026, 11, 27, 17)
    )


def test_a_repeated_hour_across_midnight_counts_the_next_days_shift_that_has_begun():
    night = WorkingHours(GOOSE_BAY, {5: "23:00-24:00", 6: "00:00-02:00"})
    saturday_1130pm_again = datetime(2009, 11, 1, 3, 30, tzinfo=UTC)  # 23:30 -04:00, 2nd time
    start = datetime(2009, 11, 1, 2, 30, tzinfo=UTC)  # 23:30 -03:00, the first time

    assert saturday_1130pm_again.astimezone(GOOSE_BAY).day == 31
    assert night.is_working(saturday_1130pm_again)
    assert night.window(saturday_1130pm_again)[0]
    assert night.between(start, saturday_1130pm_again) == timedelta(hours=1)
    assert night.add(start, timedelta(hours=1)) == saturday_1130pm_again


def test_always_working_never_changes_its_answer():
    always = WorkingHours.always()

    assert always.window(local(NEW_YORK, 2026, 3, 8, 2, 30)) == (True, END_OF_TIME)
    assert always.is_working(local(BERLIN, 2026, 10, 25, 2, 30))
    assert always.add(datetime(2026, 1, 1, tzinfo=UTC), timedelta(days=3)) == (
        datetime(2026, 1, 4, tzinfo=UTC)
    )


def test_an_empty_week_never_works_and_counts_no_deadline():
    never = WorkingHours("Europe/Berlin", {})
    at = local(BERLIN, 2026, 11, 23, 10)

    assert never.window(at) == (False, END_OF_TIME)
    assert never.next_start(at) is None
    assert never.between(at, at + timedelta(days=30)) == timedelta(0)
    with pytest.raises(InvalidField, match="week"):
        never.add(at, timedelta(0))


def test_every_day_at_work_but_a_holiday_changes_at_the_holiday():
    hours = WorkingHours("UTC", dict.fromkeys(range(7), "00:00-24:00"), [date(2026, 12, 25)])

    assert hours.window(datetime(2026, 12, 1, tzinfo=UTC)) == (True, utc_day(date(2026, 12, 25)))
    assert hours.window(datetime(2026, 12, 25, 8, tzinfo=UTC)) == (
        False,
        utc_day(date(2026, 12, 26)),
    )


def test_shifts_may_be_written_as_shifts_strings_or_pairs_and_are_kept_sorted():
    hours = WorkingHours(
        "Europe/Berlin",
        {
            0: "09:00-17:00",
            1: (time(9), time(17)),
            2: ["13:00-17:00", ("09:00", "12:00")],
            3: [Shift(time(9), time(17))],
        },
    )

    assert hours.week[0] == hours.week[1] == hours.week[3] == (Shift("09:00", "17:00"),)
    assert hours.week[2] == (Shift("09:00", "12:00"), Shift("13:00", "17:00"))
    assert 4 not in hours.week


def test_touching_shifts_are_allowed_and_count_as_one_stretch():
    hours = WorkingHours("UTC", {0: ["09:00-12:00", "12:00-17:00"]})

    assert hours.window(datetime(2026, 11, 23, 10, tzinfo=UTC)) == (
        True,
        datetime(2026, 11, 23, 17, tzinfo=UTC),
    )


def test_a_fixed_offset_zone_and_an_iana_key_are_accepted():
    india = WorkingHours.office("UTC+05:30")
    berlin = WorkingHours.office(BERLIN)

    assert india.zone == timezone(timedelta(hours=5, minutes=30))
    assert berlin == WorkingHours.office("Europe/Berlin")
    assert india.is_working(datetime(2026, 11, 23, 4, tzinfo=UTC))  # 09:30 in India


def test_zoneinfo_utc_round_trips_as_the_utc_it_is_written_as():
    hours = WorkingHours.office(ZoneInfo("UTC"))

    assert WorkingHours.from_dict(json.loads(json.dumps(hours.to_dict()))) == hours
    assert hours == WorkingHours.office("UTC")


def test_working_hours_are_hashable_and_pickle():
    hours = WorkingHours.office("Europe/Berlin", holidays=[date(2026, 12, 24)])

    assert pickle.loads(pickle.dumps(hours)) == hours
    assert hash(hours) == hash(WorkingHours.office("Europe/Berlin", holidays=[date(2026, 12, 24)]))


# Refusals: each names its field.


@pytest.mark.parametrize("method", ["is_working", "window", "next_start"])
def test_a_naive_datetime_is_refused(method):
    office = WorkingHours.office("Europe/Berlin")

    with pytest.raises(InvalidType, match=r"at: .*naive"):
        getattr(office, method)(datetime(2026, 11, 23, 10))


def test_naive_starts_and_ends_are_refused_when_counting():
    office = WorkingHours.office("Europe/Berlin")
    aware = datetime(2026, 11, 23, 10, tzinfo=UTC)

    with pytest.raises(InvalidType, match=r"start: .*naive"):
        office.add(datetime(2026, 11, 23, 10), timedelta(hours=1))
    with pytest.raises(InvalidType, match=r"end: .*naive"):
        office.between(aware, datetime(2026, 11, 24, 10))


def test_instants_at_the_very_ends_of_the_calendar_are_refused():
    office = WorkingHours.office("Europe/Berlin")

    with pytest.raises(InvalidField, match="at: "):
        office.is_working(datetime(1, 1, 1, tzinfo=UTC))
    with pytest.raises(InvalidField, match="start: "):
        office.add(datetime.max.replace(tzinfo=UTC), timedelta(0))


@pytest.mark.parametrize(
    "instant",
    [
        datetime(1, 1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
        datetime.max.replace(tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_instants_whose_utc_time_falls_off_the_calendar_are_refused(instant):
    office = WorkingHours.office("Europe/Berlin")

    with pytest.raises(InvalidField, match=r"at: .*0001-01-03 to 9999-12-29"):
        office.window(instant)


def test_overlapping_shifts_are_refused():
    with pytest.raises(InvalidField, match=r"week\[2\].*09:00-12:00 and 11:00-17:00"):
        WorkingHours("Europe/Berlin", {2: ["11:00-17:00", "09:00-12:00"]})


@pytest.mark.parametrize(("start", "end"), [("17:00", "09:00"), ("09:00", "09:00")])
def test_a_shift_whose_start_is_not_before_its_end_is_refused(start, end):
    with pytest.raises(InvalidField, match=r"end: .*after start"):
        Shift(start, end)


@pytest.mark.parametrize("value", ["9am", "09:00-25:00", "09:00-", "12:60-13:00"])
def test_malformed_shift_text_is_refused(value):
    with pytest.raises(InvalidField, match=r"start|end|shift"):
        Shift.parse(value)


def test_a_shift_time_carrying_a_zone_is_refused():
    with pytest.raises(InvalidField, match=r"start: .*without tzinfo"):
        Shift(time(9, tzinfo=UTC), time(17))


@pytest.mark.parametrize("day", [7, -1, "mon", True])
def test_a_weekday_outside_monday_to_sunday_is_refused(day):
    with pytest.raises(InvalidField, match=r"week: .*weekday 0"):
        WorkingHours("Europe/Berlin", {day: "09:00-17:00"})


def test_a_bad_weekday_in_the_office_shortcut_is_refused():
    with pytest.raises(InvalidField, match="days: got 7"):
        WorkingHours.office("Europe/Berlin", days=[0, 7])


@pytest.mark.parametrize(
    "key", ["Mars/Olympus_Mons", "Europe", "", "../etc/passwd", "UTC+05:99", "UTC+24:00"]
)
def test_an_unknown_zone_key_is_refused(key):
    with pytest.raises(InvalidField, match="zone: "):
        WorkingHours.office(key)


def test_a_zone_that_is_neither_a_tzinfo_nor_a_key_is_refused():
    with pytest.raises(InvalidType, match="zone: got 1"):
        WorkingHours.office(1)


def test_a_tzinfo_that_gives_no_offset_is_refused():
    with pytest.raises(InvalidField, match=r"zone: .*gives a UTC offset"):
        WorkingHours.office(tzinfo())


def test_a_document_with_unknown_keys_is_refused():
    document = {**WorkingHours.office("UTC").to_dict(), "timezone": "Europe/Berlin"}

    with pytest.raises(
        InvalidField, match=r"^document\.timezone: got 'Europe/Berlin', expected no such key"
    ):
        WorkingHours.from_dict(document)


def test_a_negative_duration_is_refused():
    office = WorkingHours.office("Europe/Berlin")

    with pytest.raises(InvalidField, match=r"duration: .*at least 0"):
        office.add(datetime(2026, 11, 23, 10, tzinfo=UTC), timedelta(seconds=-1))
    with pytest.raises(InvalidType, match="duration: got 3600"):
        office.add(datetime(2026, 11, 23, 10, tzinfo=UTC), 3600)


def test_a_deadline_beyond_the_longest_span_is_refused():
    one_minute_a_week = WorkingHours("Europe/Berlin", {0: "09:00-09:01"})

    with pytest.raises(InvalidField, match=r"duration: .*within 3653 days"):
        one_minute_a_week.add(datetime(2026, 1, 1, tzinfo=UTC), timedelta(days=4))


def test_counting_over_more_than_the_longest_span_is_refused():
    office = WorkingHours.office("Europe/Berlin")
    start = datetime(2026, 1, 1, tzinfo=UTC)

    assert office.between(start, start + MAX_SPAN) > timedelta(0)
    with pytest.raises(InvalidField, match="end: "):
        office.between(start, start + MAX_SPAN + timedelta(microseconds=1))


def test_holidays_must_be_dates():
    with pytest.raises(InvalidType, match="holidays"):
        WorkingHours.office("Europe/Berlin", holidays=[datetime(2026, 12, 24, tzinfo=UTC)])
    with pytest.raises(InvalidType, match="holidays"):
        WorkingHours.office("Europe/Berlin", holidays=date(2026, 12, 24))
