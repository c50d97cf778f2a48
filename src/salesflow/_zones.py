"""Time zones, read and written one way everywhere (private).

A zone is read from a tzinfo, ``"UTC"``, an IANA key or a fixed offset such as
``"UTC+05:30"``, and written so that reading it back gives an equal zone
(docs/development.md, "Time zones").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from salesflow.errors import InvalidField, InvalidType

# "UTC+05:30", or "+05:30" as periods wrote it before the "UTC" prefix.
_OFFSET: Final = re.compile(r"(?:UTC)?([+-])(\d\d):(\d\d)")
_MINUTE: Final = timedelta(minutes=1)
_KEY: Final = (
    "an IANA time zone key such as 'Europe/Berlin', 'UTC' or a fixed offset such as 'UTC+05:30'"
)


def zone(field: str, value: Any, *, context: str = "") -> tzinfo:
    """A tzinfo from a tzinfo or a zone's text (see the module doc).

    Refused: a tzinfo that gives no UTC offset, an unknown key, an offset of
    24 hours or more, and anything that is neither a tzinfo nor a string.
    """
    if isinstance(value, timezone):
        return value
    if isinstance(value, ZoneInfo):
        return UTC if value.key == "UTC" else value
    if isinstance(value, tzinfo):
        try:
            sample = value.utcoffset(datetime(2000, 1, 1))
        except NotImplementedError:  # the bare tzinfo base class
            sample = None
        if not isinstance(sample, timedelta):
            raise InvalidField(field, value, "a tzinfo that gives a UTC offset", context=context)
        return value
    if not isinstance(value, str):
        raise InvalidType(
            field,
            value,
            "a tzinfo or a time zone key such as 'Europe/Berlin', 'UTC' or 'UTC+05:30'",
            context=context,
        )
    key = value.strip()
    if key == "UTC":
        return UTC
    offset = _OFFSET.fullmatch(key)
    if offset:
        hours, minutes = int(offset[2]), int(offset[3])
        if hours >= 24 or minutes >= 60:
            raise InvalidField(
                field,
                value,
                "a fixed offset such as 'UTC+05:30' (hours below 24, minutes below 60)",
                context=context,
            )
        amount = timedelta(hours=hours, minutes=minutes)
        return timezone(-amount if offset[1] == "-" else amount)
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidField(field, value, _KEY, context=context) from None


def zone_name(zone: tzinfo, *, field: str = "zone") -> str:
    """What :func:`zone` reads back as an equal zone: ``"UTC"``, the IANA key or ``"UTC+05:30"``.

    Refused: a zone with no such name (a ZoneInfo read from a file, an
    offset with seconds, another tzinfo class).
    """
    if isinstance(zone, ZoneInfo) and zone.key:
        return zone.key
    if isinstance(zone, timezone):
        offset = zone.utcoffset(None)
        if not offset:
            return "UTC"
        if not offset % _MINUTE:
            sign = "-" if offset < timedelta(0) else "+"
            hours, minutes = divmod(abs(offset) // _MINUTE, 60)
            return f"UTC{sign}{hours:02d}:{minutes:02d}"
    raise InvalidType(
        field, zone, "a ZoneInfo with a key or a whole-minute datetime.timezone to serialise"
    )


def zone_label(zone: tzinfo) -> str:
    """The zone's name for reprs and messages, or its repr when it has none (never raises)."""
    try:
        return zone_name(zone)
    except InvalidType:
        return repr(zone)


# Absolute time. Python subtracts and compares two datetimes that share one
# tzinfo object by their wall-clock readings, ignoring the UTC offset and
# ``fold``: across a clock change that is wrong by the change. Every duration,
# ordering check, deadline and expiry therefore goes through ``utc`` first.

_UTC_KEYS: Final = frozenset(
    {
        "UTC",
        "Etc/UTC",
        "Etc/UCT",
        "Etc/Universal",
        "Etc/Zulu",
        "UCT",
        "Universal",
        "Zulu",
        "Etc/GMT",
        "GMT",
        "Etc/GMT0",
        "Etc/GMT+0",
        "Etc/GMT-0",
        "GMT0",
        "GMT+0",
        "GMT-0",
        "Etc/Greenwich",
        "Greenwich",
    }
)


def is_utc(zone: tzinfo | None) -> bool:
    """Whether ``zone`` is UTC under any name (``datetime.UTC``, ``ZoneInfo("UTC")``, ``Etc/UTC``...)."""
    if zone is UTC:
        return True
    if isinstance(zone, ZoneInfo):
        return zone.key in _UTC_KEYS
    if isinstance(zone, timezone):
        return not zone.utcoffset(None)
    return False


def utc(value: datetime) -> datetime:
    """The UTC instant of an aware ``value``, for arithmetic and ordering.

    ``value`` must already be checked as aware and representable (see
    :func:`salesflow._check.aware`).

    >>> from zoneinfo import ZoneInfo
    >>> berlin = ZoneInfo("Europe/Berlin")
    >>> a = datetime(2026, 3, 28, 12, tzinfo=berlin)
    >>> b = datetime(2026, 3, 29, 12, tzinfo=berlin)
    >>> b - a, utc(b) - utc(a)
    (datetime.timedelta(days=1), datetime.timedelta(seconds=82800))
    """
    # astimezone is the cheapest conversion even for ZoneInfo("UTC") (cheaper
    # than replace(tzinfo=UTC)), so only datetime.UTC itself skips it.
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """``end - start`` in absolute time (never by wall-clock readings)."""
    return utc(end) - utc(start)


def instant_key(value: object) -> object:
    """The key a record compares and hashes a datetime field by: its UTC instant.

    An attrs ``eq=`` key, so that two readings of one zone's clock an hour
    apart in a repeated hour (02:30 fold=0 and fold=1) are never equal, and a
    reading in another zone of the same instant is. ``None`` stays ``None``.
    """
    return utc(value) if isinstance(value, datetime) else value
