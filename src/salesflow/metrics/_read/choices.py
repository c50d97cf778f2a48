"""Argument choices of the metrics: a ``variant=`` and its arguments, or keyword alternatives.

One metric with variants reads different arguments per variant; these helpers
refuse, naming the parameter, an argument the chosen variant does not read and
one it reads left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from salesflow.errors import InvalidField


def listed(names: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: names for a message."""
    *first, last = names
    return f"{', '.join(first)} and {last}" if first else last


def variant_arguments(
    metric: str, variant: Any, variants: Mapping[str, tuple[str, ...]], given: Mapping[str, Any]
) -> dict[str, Any]:
    """The arguments ``variant`` reads; one it does not read, or one missing, is refused."""
    if not isinstance(variant, str) or variant not in variants:
        raise InvalidField("variant", variant, f"one of {', '.join(map(repr, variants))}")
    reads = variants[variant]
    said = f"variant {variant!r} of {metric} reads {listed(reads)}"
    for name, value in given.items():
        if value is not None and name not in reads:
            raise InvalidField(name, value, f"None (not read: {said})")
    for name in reads:
        if given[name] is None:
            raise InvalidField(name, None, f"a value ({said})")
    return {name: given[name] for name in reads}


def alternatives(
    metric: str, one: Mapping[str, Any], other: Mapping[str, Any]
) -> Mapping[str, Any]:
    """The one set of keyword alternatives given; both, neither or part of one is refused."""
    first = next((name for name, value in one.items() if value is not None), None)
    second = next((name for name, value in other.items() if value is not None), None)
    either = f"{metric} reads either {listed(one)} or {listed(other)}"
    if first is not None and second is not None:
        raise InvalidField(second, other[second], f"None when {first} is given ({either})")
    chosen = other if second is not None else one
    for name, value in chosen.items():
        if value is None:
            raise InvalidField(name, None, f"a value ({either})")
    return chosen
