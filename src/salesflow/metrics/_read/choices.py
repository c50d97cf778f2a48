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


def alternatives(metric: str, *groups: Mapping[str, Any]) -> Mapping[str, Any]:
    """The one group of keyword alternatives given; two groups, none or part of one is refused.

    With none given, the refusal names the first and shows every other as None.
    """
    given = [
        (group, name)
        for group in groups
        for name in (next((name for name, value in group.items() if value is not None), None),)
        if name is not None
    ]
    either = f"{metric} reads either " + " or ".join(listed(group) for group in groups)
    if len(given) > 1:
        (_, first), (group, second) = given[0], given[1]
        raise InvalidField(second, group[second], f"None when {first} is given ({either})")
    if not given:
        first, *others = (name for group in groups for name in group)
        unset = "".join(f", {name}: None" for name in others)
        raise InvalidField(first, None, f"a value ({either}; none is given{unset})")
    chosen = given[0][0]
    for name, value in chosen.items():
        if value is None:
            raise InvalidField(name, None, f"a value ({either})")
    return chosen
