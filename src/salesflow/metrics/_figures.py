"""Validators shared by the engagement result records (private): names and limits."""

from __future__ import annotations

from typing import Any

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
