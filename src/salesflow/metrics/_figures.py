"""Pieces shared by metric modules (private): result validators, and the results
that the result-document rebuilder makes again from their figures."""

from __future__ import annotations

from typing import Any

from salesflow._results import Ratio
from salesflow.errors import InvalidField, InvalidType


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
