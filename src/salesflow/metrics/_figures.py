"""Pieces shared by metric modules (private): result validators, and the results
that the result-document rebuilder makes again from their figures."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from salesflow import _check, _zones
from salesflow._results import Ratio
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.fields import moment


def name_field(instance: Any, attribute: Any, value: Any) -> None:
    """An attrs validator: a non-empty string, used exactly as given (None allowed for a kind)."""
    if value is None and attribute.name == "kind":
        return
    if not isinstance(value, str) or not value:
        raise InvalidType(
            attribute.name, value, "a non-empty string", context=type(instance).__name__
        )


def at_most(instance: Any, name: str, value: int, limit_name: str, limit: int) -> None:
    """Refuses ``value`` above ``limit``, naming both fields."""
    if value > limit:
        raise InvalidField(
            name, value, f"at most {limit_name} ({limit})", context=type(instance).__name__
        )


def distinct_id_conversion(converted: int, visitors: int) -> Ratio:
    """The distinct-ids conversion result from the sizes of its sets (what a result
    document of that variant is rebuilt from, without making sets of that size)."""
    return Ratio(
        "conversion rate",
        converted,
        visitors,
        variant="distinct ids",
        formula="|converted visitors| / |visitors|",
        inputs=(("converted visitors", converted), ("visitors", visitors)),
        denominator_name="visitors",
    )


def checked_now(value: Any) -> datetime:
    """The ``now`` argument of a table metric: an aware datetime (not an ISO string)."""
    if isinstance(value, str):  # only a datetime is accepted here; an ISO string is a record's
        raise InvalidType("now", value, "a timezone-aware datetime")
    return moment("now", value)


def shown_in(field: str, given: Any, moment: datetime, zone: tzinfo) -> datetime:
    """``moment`` read in ``zone``; refused when that reading falls outside years 1 to 9999."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        raise InvalidField(
            field,
            given,
            f"a moment that reads within the years 1 to 9999 in {_zones.zone_label(zone)}",
        ) from None


def count_field(minimum: int) -> Any:
    """An attrs validator factory: a whole number of at least ``minimum``."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        _check.whole(attribute.name, value, minimum=minimum, context=type(instance).__name__)

    return check


def checked_zone(value: Any) -> tzinfo:
    """The ``zone`` argument of a table metric: a tzinfo or an IANA key."""
    return _zones.zone("zone", value)
