"""Assignment strategies: how the eligible people of a role are ranked, and routing rules.

:class:`Rule` (one rule of :class:`Rules`) and the :data:`Strategy` type for hints
are importable from here. See docs/routing.md for how each strategy ranks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType

__all__ = ["LeastLoaded", "RoundRobin", "Rule", "Rules", "Sticky", "Strategy", "Weighted"]


@attrs.frozen
class RoundRobin:
    """Whoever was served least recently, in team order.

    While the same n people stay eligible and nothing is credited back, any run of
    leads gives each of them within one lead of the others. A
    person back from absence, or newly added, takes the next turn and then
    waits like everyone else: neither flooded nor starved. A lead credited
    back (:meth:`AssignmentLedger.credit_back`) earns a make-up turn.
    """

    name: str = attrs.field(default="round robin", init=False)


@attrs.frozen
class Weighted:
    """Smooth weighted round robin: each person's share follows their ``weight``.

    Every decision adds each eligible person's weight to their running credit,
    picks the highest credit and takes the eligible weights' total from it
    (the nginx algorithm). People who are not eligible earn no credit, so
    nobody banks a flood while away.
    """

    name: str = attrs.field(default="weighted", init=False)


def _pace(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        _check.whole("pace", value, minimum=1, context="LeastLoaded")


@attrs.frozen
class LeastLoaded:
    """Fewest open leads first (ties: served least recently, then team order).

    ``pace`` keeps a person with few open leads (back from absence, newly
    added) from being flooded: after a lead, a person waits ``ceil(n / pace)``
    of the role's turns (n = the role's active people) before the next one,
    while someone else is eligible, so nobody takes more than about ``pace``
    times their fair share. None turns pacing off.
    """

    pace: int | None = attrs.field(default=2, validator=_pace)
    name: str = attrs.field(default="least loaded", init=False)


Rank = RoundRobin | Weighted | LeastLoaded


def _to_rank(value: Any) -> Rank:
    if not isinstance(value, RoundRobin | Weighted | LeastLoaded):
        raise InvalidType("then", value, "RoundRobin(), Weighted() or LeastLoaded()")
    return value


@attrs.frozen
class Sticky:
    """The account's existing owner first, when eligible; otherwise ``then``."""

    then: Rank = attrs.field(factory=RoundRobin, converter=_to_rank)

    @property
    def name(self) -> str:
        return f"account owner first, then {self.then.name}"


Inner = Rank | Sticky


def _to_inner(value: Any) -> Inner:
    if isinstance(value, Sticky):
        return value
    return _to_rank(value)


def _to_match(value: Any) -> Mapping[str, frozenset[str]]:
    if not isinstance(value, Mapping):
        raise InvalidType("when", value, "a mapping of lead attribute to accepted values")
    match: dict[str, frozenset[str]] = {}
    for key, accepted in value.items():
        name = _check.text("when", key)
        values = (accepted,) if isinstance(accepted, str) else accepted
        if not isinstance(values, Iterable):
            raise InvalidType(f"when[{name!r}]", accepted, "a string or a set of strings")
        match[name] = frozenset(_check.text(f"when[{name!r}]", v) for v in values)
        if not match[name]:
            raise InvalidField(f"when[{name!r}]", accepted, "at least one accepted value")
    return MappingProxyType(match)


def _to_tag_set(value: Any) -> frozenset[str]:
    values = (value,) if isinstance(value, str) else value
    if not isinstance(values, Iterable):
        raise InvalidType("tags", value, "a tag or a set of tags")
    return frozenset(_check.text("tags", tag) for tag in values)


@attrs.frozen
class Rule:
    """When a lead's attributes match ``when``, only people carrying all ``tags`` are
    considered, ranked by ``then``. An empty ``when`` matches every lead (a catch-all).

    ``when`` maps an attribute name to the accepted value or values, e.g.
    ``{"country": {"DE", "AT"}, "segment": "enterprise"}``.
    """

    name: str = attrs.field(validator=_check.text_field)
    when: Mapping[str, frozenset[str]] = attrs.field(factory=dict, converter=_to_match)
    tags: frozenset[str] = attrs.field(factory=frozenset, converter=_to_tag_set)
    then: Inner = attrs.field(factory=RoundRobin, converter=_to_inner)

    @property
    def catch_all(self) -> bool:
        return not self.when

    def matches(self, attributes: Mapping[str, str]) -> bool:
        """Whether a lead with ``attributes`` (a mapping of name to value) meets ``when``."""
        if not isinstance(attributes, Mapping):
            raise InvalidType("attributes", attributes, "a mapping of attribute name to value")
        for key, accepted in self.when.items():
            value = attributes.get(key)
            if value is not None and type(value) is not str:
                raise InvalidType(f"attributes[{key!r}]", value, "a string (or no value)")
            if value not in accepted:
                return False
        return True


def _to_rules(value: Any) -> tuple[Rule, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidType("rules", value, "a sequence of Rule values")
    rules = tuple(value)
    for index, rule in enumerate(rules):  # every item's type first: the checks below read them
        if not isinstance(rule, Rule):
            raise InvalidType(f"rules[{index}]", rule, "a Rule")
    names: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.name in names:
            raise InvalidField(f"rules[{index}].name", rule.name, "a rule name not used before")
        names.add(rule.name)
        if rule.catch_all and index != len(rules) - 1:
            raise InvalidField(
                f"rules[{index + 1}]",
                rules[index + 1].name,
                f"nothing after the catch-all {rule.name!r}: it could never match",
            )
    if not rules or not rules[-1].catch_all:
        raise InvalidField(
            "rules",
            [rule.name for rule in rules],
            "a catch-all rule last (a Rule with an empty `when`), so no lead falls through",
        )
    return rules


@attrs.frozen
class Rules:
    """Ordered rules: the first whose ``when`` matches the lead decides (a catch-all is required)."""

    rules: tuple[Rule, ...] = attrs.field(converter=_to_rules)

    @property
    def name(self) -> str:
        return "rules"

    def match(self, attributes: Mapping[str, str]) -> Rule:
        """The first rule whose ``when`` matches ``attributes``."""
        if not isinstance(attributes, Mapping):
            raise InvalidType("attributes", attributes, "a mapping of attribute name to value")
        for rule in self.rules:
            if rule.matches(attributes):
                return rule
        raise AssertionError("unreachable: the last rule is a catch-all")  # pragma: no cover


Strategy = Inner | Rules
"""Any assignment strategy: a ranking, :class:`Sticky` around one, or :class:`Rules`."""


def check_strategy(value: Any) -> Strategy:
    """``value`` when it is a strategy; InvalidType naming ``strategy`` otherwise."""
    if isinstance(value, Rules):
        return value
    try:
        return _to_inner(value)
    except InvalidType:
        raise InvalidType(
            "strategy", value, "RoundRobin(), Weighted(), LeastLoaded(), Sticky(...) or Rules(...)"
        ) from None
