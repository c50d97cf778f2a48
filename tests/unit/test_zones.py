"""Time zones are read and written one way everywhere (salesflow._zones)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType, Period
from salesflow._zones import zone, zone_label, zone_name
from salesflow.routing.hours import WorkingHours
from strategies import HOURS_ZONES, PERIOD_ZONES

INDIA = timezone(timedelta(hours=5, minutes=30))

# Every key the machine knows, and at least the ones the other tests rely on.
IANA_KEYS = sorted(available_timezones() | set(HOURS_ZONES[2:]) | set(PERIOD_ZONES))

# Whole-minute offsets strictly inside a day either way, as datetime.timezone allows.
offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timedelta(minutes=minutes)
)
fixed_zones = offsets.map(timezone)
iana_zones = st.sampled_from(IANA_KEYS).map(lambda key: zone("zone", key))
zones = st.one_of(st.just(UTC), fixed_zones, iana_zones)


class _Offset(tzinfo):
    """A tzinfo of its own class: it gives an offset but has no name to write."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=2)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def __repr__(self) -> str:
        return "_Offset()"


# -- laws ---------------------------------------------------------------------------------------


@given(zones)
def test_a_zone_reads_back_from_its_name_as_an_equal_zone(given_zone):
    name = zone_name(given_zone)

    assert zone("zone", name) == given_zone


@given(offsets.filter(bool))
def test_a_fixed_offset_written_without_utc_reads_as_the_same_zone(offset):
    old_text = zone_name(timezone(offset)).removeprefix("UTC")

    assert old_text[0] in "+-"
    assert zone("zone", old_text) == timezone(offset)


@given(zones)
def test_reading_a_zone_that_was_already_read_changes_nothing(given_zone):
    assert zone("zone", given_zone) is given_zone


@given(st.sampled_from(PERIOD_ZONES), st.dates(date(2000, 1, 1), date(2040, 12, 31)))
def test_a_period_reads_back_from_json_with_an_equal_zone(key, day):
    period = Period.day(day, key)

    assert Period.from_dict(json.loads(json.dumps(period.to_dict()))) == period


# -- reading ------------------------------------------------------------------------------------


def test_zoneinfo_utc_reads_as_datetime_utc():
    assert zone("zone", ZoneInfo("UTC")) is UTC
    assert zone("zone", "UTC") is UTC
    assert zone("zone", " UTC ") is UTC


def test_periods_built_with_zoneinfo_utc_and_the_text_utc_are_equal():
    from_zoneinfo = Period.month(2026, 3, ZoneInfo("UTC"))
    from_text = Period.month(2026, 3, "UTC")

    assert from_zoneinfo == from_text
    assert hash(from_zoneinfo) == hash(from_text)
    assert from_zoneinfo.zone is UTC


def test_a_period_made_directly_with_zoneinfo_utc_equals_one_made_with_utc():
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)

    assert Period(start, end, zone=ZoneInfo("UTC")) == Period(start, end, zone=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UTC+05:30", INDIA),
        ("+05:30", INDIA),
        ("UTC-05:30", timezone(-timedelta(hours=5, minutes=30))),
        ("UTC+00:00", UTC),
        ("-00:00", UTC),
        ("UTC+23:59", timezone(timedelta(hours=23, minutes=59))),
        (" Europe/Berlin ", ZoneInfo("Europe/Berlin")),
    ],
)
def test_utc_fixed_offsets_and_iana_keys_are_read(text, expected):
    assert zone("zone", text) == expected


def test_a_tzinfo_that_gives_an_offset_is_kept_as_it_is():
    own = _Offset()

    assert zone("zone", own) is own


def test_fixed_offsets_are_written_with_utc_in_front():
    assert zone_name(INDIA) == "UTC+05:30"
    assert zone_name(timezone(-timedelta(minutes=1))) == "UTC-00:01"
    assert zone_name(timezone(timedelta(0))) == "UTC"
    assert zone_name(ZoneInfo("UTC")) == "UTC"


def test_periods_and_working_hours_write_a_fixed_offset_the_same_way():
    period = Period.day(date(2026, 1, 1), INDIA)
    hours = WorkingHours.office(INDIA)

    assert period.to_dict()["zone"] == hours.to_dict()["zone"] == "UTC+05:30"
    assert repr(period).endswith("in UTC+05:30: [2026-01-01 00:00+05:30, 2026-01-02 00:00+05:30)>")


# -- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Mars/Olympus_Mons", "Europe", "", "../etc/passwd", "utc", "UTC+5:30", "UTC+0530"]
)
def test_an_unknown_key_is_refused_naming_the_field_and_the_context(text):
    with pytest.raises(InvalidField, match=r"^WorkingHours: zone: got .*IANA time zone key"):
        zone("zone", text, context="WorkingHours")


@pytest.mark.parametrize("text", ["UTC+24:00", "+24:00", "UTC+05:60", "-99:00"])
def test_an_offset_of_a_day_or_more_or_sixty_minutes_is_refused(text):
    with pytest.raises(
        InvalidField, match=r"^period\.zone: got .*hours below 24, minutes below 60"
    ):
        zone("period.zone", text)


def test_a_value_that_is_neither_a_tzinfo_nor_text_is_refused_as_the_wrong_type():
    with pytest.raises(InvalidType, match=r"^ShopProfile: zone: got 1, expected a tzinfo"):
        zone("zone", 1, context="ShopProfile")


def test_a_tzinfo_that_gives_no_offset_is_refused():
    with pytest.raises(InvalidField, match=r"^zone: .*a tzinfo that gives a UTC offset"):
        zone("zone", tzinfo())


@pytest.mark.parametrize("unnamed", [timezone(timedelta(seconds=30)), _Offset()])
def test_a_zone_with_no_name_to_write_is_refused_naming_the_field(unnamed):
    with pytest.raises(InvalidType, match=r"^period\.zone: got .*to serialise"):
        zone_name(unnamed, field="period.zone")


def test_a_zone_with_no_name_is_still_shown_in_reprs_and_messages():
    period = Period.day(date(2026, 1, 1), _Offset())

    assert zone_label(_Offset()) == "_Offset()"
    assert repr(period).startswith("<Period day 2026-01-01 in _Offset(): ")
    with pytest.raises(InvalidType, match=r"^zone: got _Offset\(\)"):
        period.to_dict()
