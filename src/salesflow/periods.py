"""Periods: half-open, timezone-aware spans of time, calendar-aware and DST-safe.

A :class:`Period` is ``[start, end)``: a calendar day, ISO week, month or quarter
in a stated time zone; naive datetimes are refused (docs/metrics.md, "Periods").

>>> from salesflow import Period
>>> Period.month(2026, 3, "Europe/Berlin")
<Period month 2026-03 in Europe/Berlin: [2026-03-01 00:00+01:00, 2026-04-01 00:00+02:00)>
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any, Final

import attrs

from salesflow import _check, _zones
from salesflow.errors import InvalidField, InvalidType

__all__ = ["Period", "PeriodUnit"]


class PeriodUnit(StrEnum):
    """The calendar units a :class:`Period` can be."""

    DAY = "day"
    WEEK = "week"
    """An ISO week: Monday 00:00 to the next Monday 00:00."""
    MONTH = "month"
    QUARTER = "quarter"


_MIN_YEAR: Final = 2
_MAX_YEAR: Final = 9998


def _zone(value: Any) -> tzinfo:
    return _zones.zone("zone", value)


def _unit(value: Any) -> PeriodUnit:
    try:
        if not isinstance(value, str):  # an enum lookup would hash and compare anything
            raise ValueError(value)
        return PeriodUnit(value)
    except ValueError:
        raise InvalidField(
            "unit", value, f"one of {', '.join(unit.value for unit in PeriodUnit)}"
        ) from None


def _optional_unit(value: Any) -> PeriodUnit | None:
    return None if value is None else _unit(value)


def _utc(field: str, value: Any) -> datetime:
    return _check.aware(field, value, context="Period").astimezone(UTC)


def _to_utc_start(value: Any) -> datetime:
    return _utc("start", value)


def _to_utc_end(value: Any) -> datetime:
    return _utc("end", value)


def _midnight(day: date, zone: tzinfo) -> datetime:
    # fold=0 on a day whose midnight is skipped by DST gives the pre-transition
    # offset, which lands exactly on the transition: the first instant of the day.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _first_day(unit: PeriodUnit, day: date) -> date:
    if unit is PeriodUnit.DAY:
        return day
    if unit is PeriodUnit.WEEK:
        return day - timedelta(days=day.weekday())
    if unit is PeriodUnit.MONTH:
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _after(unit: PeriodUnit, first: date, steps: int = 1) -> date:
    """The first day of the period ``steps`` units after the one starting on ``first``."""
    if unit is PeriodUnit.DAY:
        return first + timedelta(days=steps)
    if unit is PeriodUnit.WEEK:
        return first + timedelta(weeks=steps)
    months = steps * (3 if unit is PeriodUnit.QUARTER else 1)
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _year(value: Any) -> int:
    year = _check.whole("year", value, minimum=_MIN_YEAR)
    if year > _MAX_YEAR:
        raise InvalidField("year", value, f"a year from {_MIN_YEAR} to {_MAX_YEAR}")
    return year


def _in_range(field: str, value: Any, low: int, high: int) -> int:
    number = _check.whole(field, value, minimum=low)
    if number > high:
        raise InvalidField(field, value, f"a whole number from {low} to {high}")
    return number


def _day_value(value: Any) -> date:
    day = _check.calendar_date("day", value)
    if not _MIN_YEAR <= day.year <= _MAX_YEAR:
        raise InvalidField("day", value, f"a date in the years {_MIN_YEAR} to {_MAX_YEAR}")
    return day


@attrs.frozen(repr=False)
class Period:
    """A half-open span of time ``[start, end)``, optionally a calendar unit in a zone.

    ``start`` and ``end`` are stored in UTC (so equality and ordering are by
    instant, even inside a repeated DST hour); :attr:`local_start` and
    :attr:`local_end` show them in ``zone``. ``unit`` is the calendar unit
    (day, ISO week, month, quarter) or None for a free span; a calendar
    period's ``start`` and ``end`` must be that unit's boundaries in ``zone``.

    Build calendar periods with :meth:`day`, :meth:`week`, :meth:`month`,
    :meth:`quarter` or :meth:`containing`. Refuses naive datetimes, an end not
    after the start, unknown zones and units, and bounds that are not a
    calendar unit's.
    """

    start: datetime = attrs.field(converter=_to_utc_start)
    end: datetime = attrs.field(converter=_to_utc_end)
    unit: PeriodUnit | None = attrs.field(default=None, converter=_optional_unit, kw_only=True)
    zone: tzinfo = attrs.field(default=UTC, converter=_zone, kw_only=True)

    def __attrs_post_init__(self) -> None:
        for name in ("start", "end"):
            try:
                getattr(self, name).astimezone(self.zone)
            except OverflowError:
                raise InvalidField(
                    name,
                    getattr(self, name),
                    f"a moment that reads within the years 1 to 9999 in "
                    f"{_zones.zone_label(self.zone)}",
                    context="Period",
                ) from None
        if self.end <= self.start:
            raise InvalidField(
                "end",
                self.end,
                f"a moment after start ({self.start.isoformat()})",
                context="Period",
            )
        if self.unit is not None:
            first = self.local_start.date()
            expected_start = _midnight(_first_day(self.unit, first), self.zone)
            expected_end = _midnight(_after(self.unit, _first_day(self.unit, first)), self.zone)
            where = f"in {_zones.zone_label(self.zone)}"
            if self.start != expected_start:
                raise InvalidField(
                    "start",
                    self.start,
                    f"the start of a calendar {self.unit} {where}",
                    context="Period",
                )
            if self.end != expected_end:
                raise InvalidField(
                    "end",
                    self.end,
                    f"{expected_end.isoformat()}, the end of the calendar {self.unit} {where} "
                    f"that starts at start ({self.start.isoformat()})",
                    context="Period",
                )

    # -- constructors ----------------------------------------------------------

    @classmethod
    def _calendar(cls, unit: PeriodUnit, first: date, zone: tzinfo) -> Period:
        return cls(
            _midnight(first, zone), _midnight(_after(unit, first), zone), unit=unit, zone=zone
        )

    @classmethod
    def day(cls, day: date, zone: tzinfo | str) -> Period:
        """The local calendar ``day`` in ``zone`` (23 or 25 hours when the clocks change)."""
        return cls._calendar(PeriodUnit.DAY, _day_value(day), _zone(zone))

    @classmethod
    def week(cls, day: date, zone: tzinfo | str) -> Period:
        """The ISO week (Monday 00:00 to the next Monday 00:00) that contains ``day``, in ``zone``.

        >>> from datetime import date
        >>> Period.week(date(2026, 1, 1), "UTC")  # a Thursday: ISO week 1 of 2026
        <Period week 2026-W01 in UTC: [2025-12-29 00:00+00:00, 2026-01-05 00:00+00:00)>
        """
        first = _first_day(PeriodUnit.WEEK, _day_value(day))
        return cls._calendar(PeriodUnit.WEEK, first, _zone(zone))

    @classmethod
    def month(cls, year: int, month: int, zone: tzinfo | str) -> Period:
        """Calendar ``month`` (1-12) of ``year`` in ``zone``."""
        first = date(_year(year), _in_range("month", month, 1, 12), 1)
        return cls._calendar(PeriodUnit.MONTH, first, _zone(zone))

    @classmethod
    def quarter(cls, year: int, quarter: int, zone: tzinfo | str) -> Period:
        """Calendar ``quarter`` (1-4) of ``year`` in ``zone``: Q1 is January to March."""
        first = date(_year(year), 3 * _in_range("quarter", quarter, 1, 4) - 2, 1)
        return cls._calendar(PeriodUnit.QUARTER, first, _zone(zone))

    @classmethod
    def containing(cls, at: datetime, unit: PeriodUnit | str, zone: tzinfo | str) -> Period:
        """The calendar ``unit`` in ``zone`` that contains the instant ``at``.

        >>> from datetime import datetime, timezone
        >>> Period.containing(datetime(2026, 3, 31, 22, 30, tzinfo=timezone.utc), "month", "Europe/Berlin")
        <Period month 2026-04 in Europe/Berlin: [2026-04-01 00:00+02:00, 2026-05-01 00:00+02:00)>
        """
        calendar_unit = _unit(unit)
        where = _zone(zone)
        moment = _check.aware("at", at)
        expected = (
            f"a moment whose calendar {calendar_unit} in {_zones.zone_label(where)} lies "
            f"within the years {_MIN_YEAR} to {_MAX_YEAR}"
        )
        try:
            day = moment.astimezone(where).date()
        except OverflowError:
            raise InvalidField("at", at, expected) from None
        first = _first_day(calendar_unit, day) if _MIN_YEAR <= day.year <= _MAX_YEAR else None
        if first is None or first.year < _MIN_YEAR:
            raise InvalidField("at", at, expected)
        return cls._calendar(calendar_unit, first, where)

    @classmethod
    def months(cls, year: int, month: int, count: int, zone: tzinfo | str) -> tuple[Period, ...]:
        """``count`` consecutive calendar months in ``zone``, starting with ``month`` of ``year``.

        >>> [str(m) for m in Period.months(2025, 11, 3, "Europe/Berlin")]
        ['2025-11', '2025-12', '2026-01']
        """
        return cls.month(year, month, zone).series(count)

    # -- reading -------------------------------------------------------------------

    @property
    def local_start(self) -> datetime:
        """``start`` in the period's zone."""
        return self.start.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        """``end`` in the period's zone."""
        return self.end.astimezone(self.zone)

    @property
    def duration(self) -> timedelta:
        """Elapsed time from start to end (23 hours for a spring-forward day)."""
        return self.end - self.start

    @property
    def label(self) -> str:
        """A short name: ``2026-03-29``, ``2026-W01``, ``2026-03``, ``2026-Q1`` or the bounds."""
        first = self.local_start.date()
        if self.unit is PeriodUnit.DAY:
            return first.isoformat()
        if self.unit is PeriodUnit.WEEK:
            year, week, _ = first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.unit is PeriodUnit.MONTH:
            return f"{first.year}-{first.month:02d}"
        if self.unit is PeriodUnit.QUARTER:
            return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
        return f"[{_local_text(self.local_start)}, {_local_text(self.local_end)})"

    def contains(self, at: datetime) -> bool:
        """True when ``start <= at < end``; a naive ``at`` is refused."""
        moment = _zones.utc(_check.aware("at", at))
        return self.start <= moment < self.end

    def __contains__(self, at: object) -> bool:
        return self.contains(at)  # type: ignore[arg-type]

    def ended(self, now: datetime) -> bool:
        """True once ``now`` has reached ``end``: the period is complete and its figures final.

        A metric over a period that has not ended yet covers only part of it.
        """
        return _zones.utc(_check.aware("now", now)) >= self.end

    def overlaps(self, other: Period) -> bool:
        """True when the two periods share at least one instant."""
        if not isinstance(other, Period):
            raise InvalidType("other", other, "a Period")
        return self.start < other.end and other.start < self.end

    # -- moving --------------------------------------------------------------------

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` units later (earlier when negative).

        A calendar period moves by calendar units in its zone; a free span
        moves by its own duration.
        """
        if isinstance(steps, bool) or not isinstance(steps, int):
            raise InvalidType("steps", steps, "a whole number")
        if self.unit is None:
            offset = self.duration * steps
            try:
                return Period(self.start + offset, self.end + offset, unit=None, zone=self.zone)
            except OverflowError:
                raise InvalidField(
                    "steps", steps, "a shift that stays within the calendar"
                ) from None
        first = self.local_start.date()
        try:
            target = _after(self.unit, first, steps)
        except (OverflowError, ValueError):
            raise InvalidField("steps", steps, "a shift that stays within the calendar") from None
        if not _MIN_YEAR <= target.year <= _MAX_YEAR:
            raise InvalidField(
                "steps", steps, f"a shift that stays within the years {_MIN_YEAR} to {_MAX_YEAR}"
            )
        return Period._calendar(self.unit, target, self.zone)

    def next(self) -> Period:
        """The period that starts where this one ends (the next calendar unit)."""
        return self.shifted(1)

    def previous(self) -> Period:
        """The period that ends where this one starts (the previous calendar unit)."""
        return self.shifted(-1)

    def series(self, count: int) -> tuple[Period, ...]:
        """This period and the ``count - 1`` that follow it, consecutive and gap-free."""
        count = _check.whole("count", count, minimum=0)
        if count > 1:
            try:
                self.shifted(count - 1)
            except InvalidField:
                raise InvalidField(
                    "count",
                    count,
                    f"a number of periods that stays within the years {_MIN_YEAR} to {_MAX_YEAR}",
                ) from None
        periods: list[Period] = []
        current = self
        for index in range(count):
            if index:
                current = current.next()
            periods.append(current)
        return tuple(periods)

    def split(self, unit: PeriodUnit | str) -> tuple[Period, ...]:
        """The calendar ``unit`` periods (in this period's zone) that make up this period.

        A quarter splits into three months, a month into its days. Where the
        units do not line up (weeks in a month), the first and last pieces are
        clipped to this period and returned as free spans (``unit`` None), so
        the pieces always tile the period exactly.

        >>> from datetime import date
        >>> [p.label for p in Period.month(2026, 3, "UTC").split("week")][:2]
        ['[2026-03-01 00:00+00:00, 2026-03-02 00:00+00:00)', '2026-W10']
        """
        calendar_unit = _unit(unit)
        try:
            return tuple(self._pieces(calendar_unit))
        except InvalidField:
            raise InvalidField(
                "unit",
                unit,
                f"a unit to split a period within the years {_MIN_YEAR} to {_MAX_YEAR} "
                f"(this one runs from {self.start.isoformat()} to {self.end.isoformat()})",
            ) from None

    def _pieces(self, unit: PeriodUnit) -> Iterator[Period]:
        current = Period.containing(self.start, unit, self.zone)
        while current.start < self.end:
            start = max(current.start, self.start)
            end = min(current.end, self.end)
            if start == current.start and end == current.end:
                yield current
            else:
                yield Period(start, end, zone=self.zone)
            current = current.next()

    # -- text and documents ------------------------------------------------------------

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        bounds = f"[{_local_text(self.local_start)}, {_local_text(self.local_end)})"
        if self.unit is None:
            return f"<Period {bounds} in {_zones.zone_label(self.zone)}>"
        return f"<Period {self.unit} {self.label} in {_zones.zone_label(self.zone)}: {bounds}>"

    def to_dict(self) -> dict[str, str | None]:
        """JSON-compatible form: ISO bounds with offsets, the unit and the zone's name.

        >>> Period.from_dict(Period.month(2026, 3, "Europe/Berlin").to_dict()).label
        '2026-03'
        """
        return {
            "start": self.local_start.isoformat(),
            "end": self.local_end.isoformat(),
            "unit": None if self.unit is None else self.unit.value,
            "zone": _zones.zone_name(self.zone),
        }

    @classmethod
    def from_dict(cls, document: Any, *, field: str = "period") -> Period:
        """Rebuild from :meth:`to_dict`; a malformed document raises ``InvalidField``."""
        doc = _check.mapping(field, document)
        _check.only_keys(field, doc, ("start", "end", "unit", "zone"))
        start = _check.parse_datetime(f"{field}.start", _check.key(field, doc, "start"))
        end = _check.parse_datetime(f"{field}.end", _check.key(field, doc, "end"))
        unit = _check.key(field, doc, "unit")
        zone_text = _check.text(f"{field}.zone", _check.key(field, doc, "zone"))
        return cls(start, end, unit=unit, zone=_zones.zone(f"{field}.zone", zone_text))


def _local_text(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="minutes")
