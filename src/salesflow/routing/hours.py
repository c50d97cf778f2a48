"""Working hours in a person's own time zone, and time counted in working hours.

A :class:`WorkingHours` is a weekly schedule of local shifts in one time zone,
minus local holidays (docs/routing.md, "Working hours", says how clock changes
are handled).

>>> from datetime import datetime, timedelta, timezone
>>> from salesflow.routing.hours import WorkingHours
>>> friday_4pm = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)  # 16:00 in Berlin
>>> WorkingHours.office("Europe/Berlin").add(friday_4pm, timedelta(hours=2))  # Monday 10:00
datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from itertools import pairwise
from typing import Any, Final

import attrs

from salesflow import _check, _zones
from salesflow.errors import InvalidField, InvalidType

__all__ = ["END_OF_TIME", "MAX_SPAN", "Shift", "WorkingHours"]

END_OF_TIME: Final = datetime.max.replace(tzinfo=UTC)
"""What :meth:`WorkingHours.window` returns when the answer never changes."""

MAX_SPAN: Final = timedelta(days=3653)
"""About ten years: the longest stretch of calendar time that
:meth:`WorkingHours.add` and :meth:`WorkingHours.between` walk through (each
costs time in proportion to the days it spans)."""

# window() looks this far ahead for a change and otherwise answers "may change
# then": a conservative cache expiry, and a bound on the hot path's work.
_WINDOW_DAYS: Final = 32

_DAY: Final = timedelta(days=1)
_ZERO: Final = timedelta(0)
_WEEKDAYS: Final = "weekday 0 (Monday) to 6 (Sunday)"
_CLOCK = re.compile(r"\d\d:\d\d(:\d\d(\.\d{1,6})?)?")
_MIDNIGHT: Final = time(0)
# Far enough from datetime's ends that a day on either side, in any zone, exists.
_FIRST: Final = datetime(1, 1, 3, tzinfo=UTC)
_LAST: Final = datetime(9999, 12, 29, tzinfo=UTC)


def _clock(field: str, value: Any, *, end: bool) -> time:
    if isinstance(value, str):
        stripped = value.strip()
        if end and stripped in ("24:00", "24:00:00"):
            return _MIDNIGHT
        if _CLOCK.fullmatch(stripped):
            try:
                return time.fromisoformat(stripped)
            except ValueError:
                pass
        expected = "a local time such as '09:00'" + (" or '24:00'" if end else "")
        raise InvalidField(field, value, expected, context="Shift")
    if not isinstance(value, time):
        raise InvalidType(
            field, value, "a datetime.time or a string such as '09:00'", context="Shift"
        )
    if value.tzinfo is not None:
        raise InvalidField(
            field,
            value,
            "a local time without tzinfo (the zone belongs to WorkingHours)",
            context="Shift",
        )
    return value.replace(fold=0)


def _start_clock(value: Any) -> time:
    return _clock("start", value, end=False)


def _end_clock(value: Any) -> time:
    return _clock("end", value, end=True)


def _since_midnight(value: time) -> timedelta:
    return timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )


def _clock_text(value: time, *, end: bool = False) -> str:
    if end and value == _MIDNIGHT:
        return "24:00"
    if value.second or value.microsecond:
        return value.isoformat()
    return value.isoformat(timespec="minutes")


@attrs.frozen
class Shift:
    """One local working span on a weekday, from ``start`` up to ``end``.

    ``end`` is exclusive; ``time(0)`` as the end (written ``"24:00"`` in text)
    means midnight at the end of the day, so ``Shift("22:00", "24:00")`` covers
    the last two hours of a day and ``Shift("00:00", "24:00")`` all of it.
    Someone who works across midnight has two shifts, one on each day.
    Refused: a start that is not before the end, times carrying a tzinfo.

    >>> Shift.parse("09:00-17:00")
    Shift('09:00', '17:00')
    >>> str(Shift("22:00", "24:00")), Shift("22:00", "24:00").length
    ('22:00-24:00', datetime.timedelta(seconds=7200))
    >>> Shift("17:00", "09:00")
    Traceback (most recent call last):
    ...
    salesflow.errors.InvalidField: Shift: end: got '09:00', expected a time after start 17:00 ('24:00' for the end of the day)
    """

    start: time = attrs.field(converter=_start_clock)
    end: time = attrs.field(converter=_end_clock)

    def __attrs_post_init__(self) -> None:
        if self.end != _MIDNIGHT and self.end <= self.start:
            raise InvalidField(
                "end",
                _clock_text(self.end, end=True),
                f"a time after start {_clock_text(self.start)} ('24:00' for the end of the day)",
                context="Shift",
            )

    @classmethod
    def parse(cls, value: Any) -> Shift:
        """A shift from a :class:`Shift`, a ``"09:00-17:00"`` string or a ``(start, end)`` pair."""
        try:
            return cls._parse(value, "value")
        except InvalidField as err:
            if err.field == "value":
                raise
            raise type(err)(f"value.{err.field}", err.value, err.expected) from None

    @classmethod
    def _parse(cls, value: Any, field: str) -> Shift:
        if isinstance(value, Shift):
            return value
        if isinstance(value, str):
            start, dash, end = value.partition("-")
            if not dash:
                raise InvalidField(field, value, "a shift such as '09:00-17:00'")
            return cls(start, end)
        if isinstance(value, tuple | list) and len(value) == 2:
            return cls(value[0], value[1])
        raise InvalidType(
            field, value, "a Shift, a string such as '09:00-17:00' or a (start, end) pair"
        )

    @property
    def offsets(self) -> tuple[timedelta, timedelta]:
        """Start and end as wall-clock time since local midnight (the end up to 24 hours)."""
        end = _DAY if self.end == _MIDNIGHT else _since_midnight(self.end)
        return _since_midnight(self.start), end

    @property
    def length(self) -> timedelta:
        """The wall-clock length (a DST change makes the real one differ on that day)."""
        start, end = self.offsets
        return end - start

    def __str__(self) -> str:
        return f"{_clock_text(self.start)}-{_clock_text(self.end, end=True)}"

    def __repr__(self) -> str:
        start, end = _clock_text(self.start), _clock_text(self.end, end=True)
        return f"Shift({start!r}, {end!r})"


class _Week(Mapping[int, tuple[Shift, ...]]):
    """An immutable, hashable weekday -> shifts mapping; absent days are off."""

    __slots__ = ("_days", "_full", "_offsets")

    def __init__(self, days: tuple[tuple[Shift, ...], ...]) -> None:
        self._days = days
        self._offsets = tuple(tuple(shift.offsets for shift in shifts) for shifts in days)
        self._full = all(_covers_the_day(offsets) for offsets in self._offsets)

    def __getitem__(self, day: int) -> tuple[Shift, ...]:
        if isinstance(day, int) and 0 <= day <= 6 and self._days[day]:
            return self._days[day]
        raise KeyError(day)

    def __iter__(self) -> Iterator[int]:
        return (day for day, shifts in enumerate(self._days) if shifts)

    def __len__(self) -> int:
        return sum(1 for shifts in self._days if shifts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Week):
            return self._days == other._days
        return super().__eq__(other)

    def __hash__(self) -> int:
        return hash(self._days)

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __reduce__(self) -> Any:
        return (_Week, (self._days,))


_MEMO_DAYS: Final = 400


def _covers_the_day(offsets: tuple[tuple[timedelta, timedelta], ...]) -> bool:
    reached = _ZERO
    for start, end in offsets:
        if start > reached:
            return False
        reached = end
    return reached == _DAY


def _day_shifts(day: int, value: Any) -> tuple[Shift, ...]:
    if isinstance(value, Shift | str):
        items: Iterable[Any] = (value,)
    elif (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(x, time) or (isinstance(x, str) and "-" not in x) for x in value)
    ):
        items = (tuple(value),)
    elif isinstance(value, Iterable):
        items = value
    else:
        raise InvalidType(
            f"week[{day}]", value, "a shift or a sequence of shifts such as ['09:00-17:00']"
        )
    shifts = sorted((Shift._parse(item, "shift") for item in items), key=lambda s: s.offsets)
    for earlier, later in pairwise(shifts):
        if later.offsets[0] < earlier.offsets[1]:
            raise InvalidField(
                f"week[{day}]",
                [str(shift) for shift in shifts],
                f"shifts that do not overlap ({earlier} and {later} do)",
                context="WorkingHours",
            )
    return tuple(shifts)


def _week(value: Any) -> _Week:
    if isinstance(value, _Week):
        return value
    if not isinstance(value, Mapping):
        raise InvalidType(
            "week",
            value,
            "a mapping of weekday (0 Monday .. 6 Sunday) to shifts",
            context="WorkingHours",
        )
    days: list[tuple[Shift, ...]] = [()] * 7
    for day, shifts in value.items():
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise InvalidField("week", day, _WEEKDAYS, context="WorkingHours")
        days[day] = _day_shifts(day, shifts)
    return _Week(tuple(days))


def _zone(value: Any) -> tzinfo:
    return _zones.zone("zone", value, context="WorkingHours")


def _holidays(value: Any) -> frozenset[date]:
    if isinstance(value, str | date) or not isinstance(value, Iterable):
        raise InvalidType("holidays", value, "a collection of local dates", context="WorkingHours")
    days = set()
    for item in value:
        if isinstance(item, str):
            days.add(_check.parse_date("holidays", item))
        else:
            days.add(_check.calendar_date("holidays", item, context="WorkingHours"))
    return frozenset(days)


def _instant(field: str, value: Any) -> datetime:
    try:
        utc = _zones.utc(_check.aware(field, value, context="WorkingHours"))
    except InvalidType:
        raise
    except InvalidField:  # year 1 ahead of UTC, or year 9999 behind it
        utc = _LAST + _DAY
    if not _FIRST <= utc <= _LAST:
        raise InvalidField(
            field, value, "a datetime from 0001-01-03 to 9999-12-29", context="WorkingHours"
        )
    return utc


def _to_utc(zone: tzinfo, wall: datetime) -> datetime:
    """The instant a naive local wall-clock time means in ``zone`` (see the module doc)."""
    if isinstance(zone, timezone):
        return (wall - zone.utcoffset(None)).replace(tzinfo=UTC)
    first = wall.replace(tzinfo=zone).utcoffset()
    second = wall.replace(tzinfo=zone, fold=1).utcoffset()
    assert first is not None
    assert second is not None
    early = (wall - first).replace(tzinfo=UTC)
    if second <= first:
        # Unambiguous, or ambiguous and resolved to the first occurrence.
        return early
    # In a gap: the transition lies in (wall - second, wall - first]; find its
    # first instant, where the zone's offset is already the later one.
    low = (wall - second).replace(tzinfo=UTC)
    high = early
    while high - low > timedelta(microseconds=1):
        middle = low + (high - low) // 2
        if middle.astimezone(zone).utcoffset() == first:
            low = middle
        else:
            high = middle
    return high


@attrs.frozen
class WorkingHours:
    """A weekly schedule of local shifts in a time zone, minus local holidays.

    ``zone`` is a tzinfo (a ZoneInfo, ``datetime.UTC``...) or a key: an IANA
    name such as ``"Europe/Berlin"``, ``"UTC"`` or a fixed offset such as
    ``"UTC+05:30"``. ``week`` maps a weekday (0 Monday .. 6 Sunday) to its
    shifts; a day may be one shift or a sequence, each a :class:`Shift`, a
    ``"09:00-17:00"`` string or a ``(start, end)`` pair; absent days are off.
    ``holidays`` are local dates off. Refused: unknown zones, weekdays outside
    0..6, overlapping shifts on a day (touching ones are fine), and anything
    that is not a date among the holidays.

    >>> night = WorkingHours("America/New_York", {0: "22:00-24:00", 1: ["00:00-06:00"]})
    >>> night.week
    {0: (Shift('22:00', '24:00'),), 1: (Shift('00:00', '06:00'),)}
    >>> WorkingHours("Europe/Berlin", {0: ["09:00-12:00", "11:00-17:00"]})
    Traceback (most recent call last):
    ...
    salesflow.errors.InvalidField: WorkingHours: week[0]: got ['09:00-12:00', '11:00-17:00'], expected shifts that do not overlap (09:00-12:00 and 11:00-17:00 do)
    """

    zone: tzinfo = attrs.field(converter=_zone)
    week: Mapping[int, tuple[Shift, ...]] = attrs.field(converter=_week)
    holidays: frozenset[date] = attrs.field(default=frozenset(), converter=_holidays)
    # A memo of local days' spans in UTC (working them out takes zone look-ups);
    # bounded, and no part of the value.
    _days: dict[date, tuple[tuple[datetime, datetime], ...]] = attrs.field(
        init=False, factory=dict, eq=False, hash=False, repr=False
    )

    @classmethod
    def office(
        cls,
        zone: tzinfo | str,
        *,
        start: time | str = time(9),
        end: time | str = time(17),
        days: Iterable[int] = range(5),
        holidays: Iterable[date] = (),
    ) -> WorkingHours:
        """The common case: one shift from ``start`` to ``end`` on ``days`` (Monday to Friday)."""
        shift = Shift(start, end)
        if isinstance(days, str) or not isinstance(days, Iterable):
            raise InvalidType("days", days, f"a collection of weekdays, each a {_WEEKDAYS}")
        week: dict[int, tuple[Shift, ...]] = {}
        for day in days:
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise InvalidField("days", day, _WEEKDAYS)
            week[day] = (shift,)
        return cls(zone, week, holidays)

    @classmethod
    def always(cls) -> WorkingHours:
        """Working around the clock, every day, in UTC (for a person with no hours)."""
        return _ALWAYS

    @property
    def has_working_time(self) -> bool:
        """Whether the week has any shift at all (a schedule with none never works)."""
        return bool(self.week)

    def is_working(self, at: datetime) -> bool:
        """Whether ``at`` (any aware datetime) falls inside a shift."""
        moment = _instant("at", at)
        if self._table._full and not self.holidays:
            return True
        local = moment.astimezone(self.zone)
        spans = self._day(local.date())
        if local.fold:
            # A repeated hour that crosses midnight (clocks back from 00:30 to 23:30):
            # this instant comes after the next day's midnight, maybe inside its shifts.
            spans = spans + self._day(local.date() + _DAY)
        return any(start <= moment < end for start, end in spans)

    def window(self, at: datetime) -> tuple[bool, datetime]:
        """Whether working at ``at``, and an instant after ``at`` before which that holds.

        The instant (aware, UTC) is the next change when one comes within about
        a month, and a conservative "look again then" otherwise;
        :data:`END_OF_TIME` when the answer never changes (as for
        :meth:`always`). Meant for caching an eligibility answer.
        """
        moment = _instant("at", at)
        if not self.week:
            return False, END_OF_TIME
        if self._table._full and not self.holidays:
            return True, END_OF_TIME
        first = self._local_day(moment)
        horizon = _later(first, _WINDOW_DAYS)
        for start, end in self._spans(first, horizon):
            if end <= moment:
                continue
            if start <= moment:
                return True, end
            return False, start
        return False, self._midnight(horizon + _DAY)

    def next_start(self, at: datetime) -> datetime | None:
        """``at`` itself (in UTC) if working then, else the next instant working begins.

        None when there is none within :data:`MAX_SPAN` (an empty week, or
        holidays that never end).
        """
        moment = _instant("at", at)
        if not self.week:
            return None
        last = _later(self._local_day(moment), MAX_SPAN.days + 1)
        for start, end in self._spans(self._local_day(moment), last):
            if end > moment:
                return max(start, moment)
        return None

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant (UTC) when ``duration`` of working time has elapsed from ``start``.

        This is a response deadline: the clock only runs during shifts.
        ``add(start, timedelta(0))`` is :meth:`next_start`. Refused: a negative
        duration, a week without working time, and a deadline more than
        :data:`MAX_SPAN` of calendar time after ``start``.
        """
        moment = _instant("start", start)
        if isinstance(duration, bool) or not isinstance(duration, timedelta):
            raise InvalidType("duration", duration, "a datetime.timedelta of at least 0")
        if duration < _ZERO:
            raise InvalidField("duration", duration, "a datetime.timedelta of at least 0")
        if not self.week:
            raise InvalidField(
                "week", {}, "at least one shift to count working time in", context="WorkingHours"
            )
        if self._table._full and not self.holidays:
            # Always working: working time is wall-clock time (no need to walk the days).
            try:
                if duration <= MAX_SPAN:
                    return moment.astimezone(UTC) + duration
            except OverflowError:
                pass
            raise InvalidField(
                "duration",
                duration,
                f"working time that elapses within {MAX_SPAN.days} days of start",
                context="WorkingHours",
            )
        remaining = duration
        first = self._local_day(moment)
        for span_start, span_end in self._spans(first, _later(first, MAX_SPAN.days + 1)):
            if span_end <= moment:
                continue
            begin = max(span_start, moment)
            if remaining <= span_end - begin:
                deadline = begin + remaining
                if deadline - moment > MAX_SPAN:
                    break
                return deadline
            remaining -= span_end - begin
        raise InvalidField(
            "duration",
            duration,
            f"working time that elapses within {MAX_SPAN.days} days of start",
            context="WorkingHours",
        )

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The working time inside ``[start, end)``; zero when ``end <= start``.

        Refused: a range longer than :data:`MAX_SPAN`.
        """
        first = _instant("start", start)
        last = _instant("end", end)
        if last <= first:
            return _ZERO
        if last - first > MAX_SPAN:
            raise InvalidField(
                "end",
                end,
                f"at most {MAX_SPAN.days} days after start {start.isoformat()}",
                context="WorkingHours",
            )
        if self._table._full and not self.holidays:
            return last - first
        total = _ZERO
        # One day more: after a repeated hour across midnight, ``end``'s local date
        # may be the day before shifts that have already begun.
        days = self._local_day(first), _later(self._local_day(last), 1)
        for span_start, span_end in self._spans(*days):
            if span_start >= last:
                break
            overlap = min(span_end, last) - max(span_start, first)
            if overlap > _ZERO:
                total += overlap
        return total

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives; :meth:`from_dict` reads them back.

        >>> WorkingHours.office("Europe/Berlin", days=[0, 2]).to_dict()
        {'zone': 'Europe/Berlin', 'week': {'0': ['09:00-17:00'], '2': ['09:00-17:00']},
         'holidays': []}
        """
        return {
            "zone": _zones.zone_name(self.zone),
            "week": {
                str(day): [str(shift) for shift in shifts] for day, shifts in self.week.items()
            },
            "holidays": sorted(day.isoformat() for day in self.holidays),
        }

    @classmethod
    def from_dict(cls, document: Any) -> WorkingHours:
        """The working hours :meth:`to_dict` wrote; malformed documents are refused."""
        fields = _check.mapping("document", document)
        _check.only_keys("document", fields, {"zone", "week", "holidays"})
        week = _check.mapping("week", _check.key("", fields, "week"))
        days: dict[int, Any] = {}
        for day, shifts in week.items():
            if not (isinstance(day, str) and day in "0123456" and len(day) == 1):
                raise InvalidField("week", day, f"a {_WEEKDAYS} written as a string")
            days[int(day)] = shifts
        hours = cls(_check.key("", fields, "zone"), days, _check.key("", fields, "holidays"))
        _check.same_document(
            "working_hours", fields, hours.to_dict(), why="as WorkingHours.to_dict writes it"
        )
        return hours

    # The schedule as instants: for each local day, its shifts converted to UTC.

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _midnight(self, day: date) -> datetime:
        return _to_utc(self.zone, datetime(day.year, day.month, day.day))

    @property
    def _table(self) -> _Week:
        return self.week  # type: ignore[return-value]

    def _day(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        known = self._days.get(day)
        if known is not None:
            return known
        spans: tuple[tuple[datetime, datetime], ...] = ()
        offsets = self._table._offsets[day.weekday()]
        if day not in self.holidays and offsets:
            midnight = datetime(day.year, day.month, day.day)
            for start, end in offsets:
                span = _to_utc(self.zone, midnight + start), _to_utc(self.zone, midnight + end)
                if span[1] > span[0]:
                    spans += (span,)
        if len(self._days) >= _MEMO_DAYS:
            self._days.clear()
        self._days[day] = spans
        return spans

    def _spans(self, first: date, last: date) -> Iterator[tuple[datetime, datetime]]:
        """Working spans of the local days ``first..last``, in order, touching ones merged."""
        pending: tuple[datetime, datetime] | None = None
        day = first
        while day <= last:
            for start, end in self._day(day):
                if pending is None:
                    pending = start, end
                elif start <= pending[1]:
                    pending = pending[0], end
                else:
                    yield pending
                    pending = start, end
            day += _DAY
        if pending is not None:
            yield pending


def _later(day: date, days: int) -> date:
    """``days`` after ``day``, but never past the last day the methods work with."""
    last = _LAST.date()
    return last if (last - day).days <= days else day + timedelta(days=days)


_ALWAYS: Final = WorkingHours(UTC, dict.fromkeys(range(7), "00:00-24:00"))
