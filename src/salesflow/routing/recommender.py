"""Recommend a sales-department model from a shop's profile by named rules, and say why.

Each rule of the source material is checked against the profile; the rules
that fire decide the model, and each reason belongs to one of them
(docs/routing.md, "Which model? The recommender").

>>> from salesflow.routing import ShopProfile, recommend_model
>>> shop = ShopProfile(monthly_inbound_leads=1200, share_not_ready_or_not_target="0.7",
...     seasonal_peak_ratio="1.2", deals_per_month=300, sales_cycle_days=3,
...     repeat_revenue_share="0.1")
>>> advice = recommend_model(shop)
>>> advice.model.value
'two_tier_contact_center'
>>> [rule.value for rule in advice.fired]
['huge_inbound', 'unready_inbound']
>>> print(advice.reasons[0])
1,200 inbound requests a month (huge: 1,000 or more): a contact center takes and qualifies them (the qualifiers may be outsourced).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

import attrs

from salesflow import _check
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType
from salesflow.money import Money
from salesflow.routing._simcheck import number
from salesflow.routing.models import SalesModel
from salesflow.routing.profile import ShopProfile

__all__ = [
    "DEALS_PER_SELLER",
    "FEW_DEALS",
    "FEW_EXPENSIVE_DEALS",
    "HUGE_INBOUND",
    "INBOUND_PER_SELLER",
    "LONG_SALE_DAYS",
    "MANY_INBOUND",
    "MOSTLY_NOT_READY",
    "REPEAT_SHARE",
    "SEASONAL_PEAK",
    "ModelRule",
    "Recommendation",
    "RuleCheck",
    "RuleVerdict",
    "Thresholds",
    "recommend_model",
]

_ONE: Final = Decimal(1)
_ZERO: Final = Decimal(0)

# -- what a seller can carry, and the thresholds that follow ---------------------------
# A month has about 21 working days.

DEALS_PER_SELLER: Final = Decimal(20)
"""Deals a month one seller carries from the first call to after-sales: about one a working day."""

INBOUND_PER_SELLER: Final = Decimal(200)
"""New inbound requests a month one seller answers besides selling: about ten a working day."""

FEW_DEALS: Final = DEALS_PER_SELLER / 2
"""Few deals: at most 10 a month, half a seller's month, so one generalist keeps every
customer from the first call through after-sales, long sales and repeat orders included."""

FEW_EXPENSIVE_DEALS: Final = DEALS_PER_SELLER
"""Few very expensive deals: at most 20 a month, a seller's full month. A handoff
risks a big deal, so one generalist keeps them up to a whole month's worth
(read only when :attr:`Thresholds.expensive_deal` is stated)."""

HUGE_INBOUND: Final = 5 * INBOUND_PER_SELLER
"""A huge number of inbound requests: 1,000 a month or more, five sellers' worth of
first calls. Taking them is a job of its own, whatever share of them is ready."""

MANY_INBOUND: Final = INBOUND_PER_SELLER
"""Many inbound requests: 200 a month or more, a full seller's worth of first calls."""

MOSTLY_NOT_READY: Final = Decimal("0.5")
"""Most requests not ready or not target: half or more. With many requests, a seller
would spend most of their first calls on people who will not buy."""

SEASONAL_PEAK: Final = Decimal(2)
"""A sharp seasonal peak: the busiest month brings twice the average month or more,
so staff hired for the peak would sit idle half the year."""

LONG_SALE_DAYS: Final = Decimal(30)
"""A long sale: 30 days or more from lead to sale. A month-long sale is a
relationship, and the customer expects someone to keep it after the purchase."""

REPEAT_SHARE: Final = Decimal("0.5")
"""Repeat sales that matter a lot: half the revenue or more from repeat purchases."""


class ModelRule(StrEnum):
    """The rules :func:`recommend_model` checks, in the order it checks them."""

    NO_SALES_TEAM = "no_sales_team"
    """No sales department yet (the owner sells alone): build one, start one-tier.
    Every other rule is set aside."""
    FEW_DEALS = "few_deals"
    """Few deals (very expensive or niche products): the seller keeps the customer,
    so the account-manager rules are set aside."""
    HUGE_INBOUND = "huge_inbound"
    """A huge number of inbound requests: a contact center."""
    UNREADY_INBOUND = "unready_inbound"
    """Many inbound requests, most of them not ready or not target: a contact center."""
    SEASONAL_PEAK = "seasonal_peak"
    """Requests rise sharply at one time of year: a contact center, outsourced if need be."""
    LONG_SALES = "long_sales"
    """Long sales, where talking to the customer after the purchase is a must: an account manager."""
    REPEAT_SALES = "repeat_sales"
    """Many repeat sales: an account manager."""
    NO_SPECIALIST = "no_specialist"
    """No contact-center or account-manager rule fired: one-tier."""
    BOTH = "both"
    """A contact-center rule and an account-manager rule fired: three-tier."""

    @property
    def conclusion(self) -> str:
        """What the rule concludes; its reason ends with these words, and no other reason does."""
        return _CONCLUSIONS[self]

    @property
    def points_to(self) -> SalesModel | None:
        """The model the rule calls for (``few_deals`` calls for none: it sets rules aside)."""
        return _POINTS_TO[self]


_CONTACT_CENTER: Final = (
    ModelRule.HUGE_INBOUND,
    ModelRule.UNREADY_INBOUND,
    ModelRule.SEASONAL_PEAK,
)
_ACCOUNT_MANAGER: Final = (ModelRule.LONG_SALES, ModelRule.REPEAT_SALES)

_CONCLUSIONS: Final = {
    ModelRule.NO_SALES_TEAM: "build one, and start one-tier with one manager doing everything",
    ModelRule.FEW_DEALS: (
        "the seller who closes a deal can keep the customer after it, "
        "so no account manager is needed"
    ),
    ModelRule.HUGE_INBOUND: (
        "a contact center takes and qualifies them (the qualifiers may be outsourced)"
    ),
    ModelRule.UNREADY_INBOUND: "a contact center qualifies them so that sellers get ready buyers",
    ModelRule.SEASONAL_PEAK: (
        "a contact center, outsourced if need be, takes the peak instead of staff kept all year"
    ),
    ModelRule.LONG_SALES: (
        "talking to the customer after the purchase is a must, so an account manager "
        "looks after them"
    ),
    ModelRule.REPEAT_SALES: (
        "an account manager (a farmer) grows customers after the first sale while the seller hunts"
    ),
    ModelRule.NO_SPECIALIST: "one-tier keeps the department simple, one manager doing everything",
    ModelRule.BOTH: (
        "three-tier, where a contact center takes and qualifies inbound requests, a seller closes, "
        "and an account manager looks after the customer until the order is fulfilled "
        "and grows them"
    ),
}
_POINTS_TO: Final = {
    ModelRule.NO_SALES_TEAM: SalesModel.ONE_TIER,
    ModelRule.FEW_DEALS: None,
    **dict.fromkeys(_CONTACT_CENTER, SalesModel.TWO_TIER_CONTACT_CENTER),
    **dict.fromkeys(_ACCOUNT_MANAGER, SalesModel.TWO_TIER_ACCOUNT_MANAGER),
    ModelRule.NO_SPECIALIST: SalesModel.ONE_TIER,
    ModelRule.BOTH: SalesModel.THREE_TIER,
}


class RuleVerdict(StrEnum):
    """What became of one rule."""

    FIRED = "fired"
    """Its condition holds, and it counts."""
    NOT_MET = "not_met"
    """Its condition does not hold."""
    SET_ASIDE = "set_aside"
    """Its condition holds, but a rule before it decides (``set_aside_by``)."""


# -- the thresholds --------------------------------------------------------------------


_COUNT: Final = "zero or more (a number a month)"
_SHARE: Final = "a share from 0 to 1"


def _figure(field: str, value: Any, low: Decimal, high: Decimal | None, expected: str) -> Decimal:
    figure = number(field, value, context="Thresholds")
    if figure < low or (high is not None and figure > high):
        raise InvalidField(field, value, expected, context="Thresholds")
    return figure


def _few_deals_at(value: Any) -> Decimal:
    return _figure("few_deals", value, _ZERO, None, _COUNT)


def _few_expensive_deals_at(value: Any) -> Decimal:
    return _figure("few_expensive_deals", value, _ZERO, None, _COUNT)


def _huge_inbound_at(value: Any) -> Decimal:
    return _figure("huge_inbound", value, _ZERO, None, _COUNT)


def _many_inbound_at(value: Any) -> Decimal:
    return _figure("many_inbound", value, _ZERO, None, _COUNT)


def _mostly_not_ready_at(value: Any) -> Decimal:
    return _figure("mostly_not_ready", value, _ZERO, _ONE, _SHARE)


def _seasonal_peak_at(value: Any) -> Decimal:
    expected = "1 or more (the busiest month over the average month)"
    return _figure("seasonal_peak", value, _ONE, None, expected)


def _long_sale_days_at(value: Any) -> Decimal:
    return _figure("long_sale_days", value, _ZERO, None, "zero or more (days)")


def _repeat_share_at(value: Any) -> Decimal:
    return _figure("repeat_share", value, _ZERO, _ONE, _SHARE)


def _expensive(value: Any) -> Money | None:
    if value is not None and (not isinstance(value, Money) or value.amount <= 0):
        raise InvalidField(
            "expensive_deal", value, "None or Money above zero", context="Thresholds"
        )
    return value


@attrs.frozen(kw_only=True)
class Thresholds:
    """Where each rule's condition starts; the defaults are this module's constants.

    Numbers are converted exactly to Decimal (floats as they print). There is
    no default ``expensive_deal``: what is very expensive depends on the
    market and the currency, so a shop states it (Money above zero, in the
    currency of its ``average_deal_value``) to let deal value count.
    """

    few_deals: Decimal = attrs.field(default=FEW_DEALS, converter=_few_deals_at)
    expensive_deal: Money | None = attrs.field(default=None, converter=_expensive)
    few_expensive_deals: Decimal = attrs.field(
        default=FEW_EXPENSIVE_DEALS, converter=_few_expensive_deals_at
    )
    huge_inbound: Decimal = attrs.field(default=HUGE_INBOUND, converter=_huge_inbound_at)
    many_inbound: Decimal = attrs.field(default=MANY_INBOUND, converter=_many_inbound_at)
    mostly_not_ready: Decimal = attrs.field(
        default=MOSTLY_NOT_READY, converter=_mostly_not_ready_at
    )
    seasonal_peak: Decimal = attrs.field(default=SEASONAL_PEAK, converter=_seasonal_peak_at)
    long_sale_days: Decimal = attrs.field(default=LONG_SALE_DAYS, converter=_long_sale_days_at)
    repeat_share: Decimal = attrs.field(default=REPEAT_SHARE, converter=_repeat_share_at)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives: numbers as strings, money as :meth:`Money.to_dict`."""
        return {field.name: _plain(getattr(self, field.name)) for field in attrs.fields(Thresholds)}


# -- the result ------------------------------------------------------------------------


def _to_model(value: Any) -> SalesModel:
    return _check.choice(SalesModel, "model", value, context="Recommendation")


def _to_rule(value: Any) -> ModelRule:
    return _check.choice(ModelRule, "rule", value, context="RuleCheck")


def _to_verdict(value: Any) -> RuleVerdict:
    return _check.choice(RuleVerdict, "verdict", value, context="RuleCheck")


def _to_set_aside_by(value: Any) -> ModelRule | None:
    if value is None:
        return None
    return _check.choice(ModelRule, "set_aside_by", value, context="RuleCheck")


def _detail(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not str or not value.strip():
        raise InvalidType("detail", value, "a non-empty string", context="RuleCheck")


def _named_values(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, dict) or not all(
        type(name) is str and (item is None or isinstance(item, bool | Decimal | Money))
        for name, item in value.items()
    ):
        raise InvalidType(
            attribute.name,
            value,
            "a dict of names to a Decimal, Money, bool or None",
            context="RuleCheck",
        )


@attrs.frozen
class RuleCheck:
    """One rule checked against a profile: the verdict, the facts and the thresholds it read.

    ``inputs`` are the profile's fields the rule read (by field name),
    ``thresholds`` the :class:`Thresholds` fields it compared them with;
    ``detail`` says it in words (for a fired rule, the reason itself).
    """

    rule: ModelRule = attrs.field(converter=_to_rule)
    verdict: RuleVerdict = attrs.field(converter=_to_verdict)
    detail: str = attrs.field(validator=_detail)
    inputs: dict[str, Any] = attrs.field(factory=dict, validator=_named_values)
    thresholds: dict[str, Any] = attrs.field(factory=dict, validator=_named_values)
    set_aside_by: ModelRule | None = attrs.field(default=None, converter=_to_set_aside_by)

    @property
    def fired(self) -> bool:
        return self.verdict is RuleVerdict.FIRED

    def __str__(self) -> str:
        return f"{self.rule.value}: {self.verdict.value.replace('_', ' ')}: {self.detail}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives (numbers as strings, money as amount and currency)."""
        return {
            "rule": self.rule.value,
            "verdict": self.verdict.value,
            "detail": self.detail,
            "inputs": {name: _plain(value) for name, value in self.inputs.items()},
            "thresholds": {name: _plain(value) for name, value in self.thresholds.items()},
            "set_aside_by": None if self.set_aside_by is None else self.set_aside_by.value,
        }


def _scores(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, dict) or not all(
        isinstance(model, SalesModel) and isinstance(score, Decimal) and score.is_finite()
        for model, score in value.items()
    ):
        raise InvalidType(
            "scores", value, "a dict of SalesModel to a Decimal score", context="Recommendation"
        )


def _reasons_field(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not tuple or not all(type(reason) is str for reason in value):
        raise InvalidType("reasons", value, "a tuple of strings", context="Recommendation")


def _need(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 1:
        raise InvalidField(attribute.name, value, "a Decimal from 0 to 1", context="Recommendation")


def _checks(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not tuple or not all(type(check) is RuleCheck for check in value):
        raise InvalidType("rules", value, "a tuple of RuleCheck", context="Recommendation")


def _thresholds_field(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not Thresholds:
        raise InvalidType("thresholds", value, "Thresholds", context="Recommendation")


@attrs.frozen
class Recommendation:
    """The recommended model and why: every rule checked, the reasons of those that fired.

    ``rules`` holds one :class:`RuleCheck` per :class:`ModelRule`, in order;
    ``reasons`` the reason of each fired rule, then ``"Recommended: ..."``;
    ``thresholds`` the thresholds the rules used. ``scores`` (1 for the
    model, 0 for the others) and the two needs (1 when a contact-center or
    an account-manager rule fired, else 0) are kept for callers of earlier
    versions.
    """

    model: SalesModel = attrs.field(converter=_to_model)
    scores: dict[SalesModel, Decimal] = attrs.field(validator=_scores)
    reasons: tuple[str, ...] = attrs.field(validator=_reasons_field)
    contact_center_need: Decimal = attrs.field(validator=_need)
    account_manager_need: Decimal = attrs.field(validator=_need)
    rules: tuple[RuleCheck, ...] = attrs.field(default=(), validator=_checks)
    thresholds: Thresholds = attrs.field(factory=Thresholds, validator=_thresholds_field)

    @property
    def fired(self) -> tuple[ModelRule, ...]:
        """The rules that fired, in order."""
        return tuple(check.rule for check in self.rules if check.fired)

    def explain(self) -> str:
        """The recommendation in plain words: the model, then one line per rule."""
        fired = ", ".join(rule.value for rule in self.fired) or "none"
        lines = [f"{self.model.value} (rules fired: {fired})"]
        lines += [f"  {check}" for check in self.rules]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives, every rule and threshold included (for an audit log)."""
        return {
            "model": self.model.value,
            "fired": [rule.value for rule in self.fired],
            "reasons": list(self.reasons),
            "rules": [check.to_dict() for check in self.rules],
            "thresholds": self.thresholds.to_dict(),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return value.to_dict()
    if isinstance(value, Decimal):
        return str(value)
    return value


# -- the rules -------------------------------------------------------------------------


@attrs.frozen
class _Figures:
    """The recommender's figures of a profile, every one known."""

    monthly_inbound_leads: Decimal
    share_not_ready_or_not_target: Decimal
    seasonal_peak_ratio: Decimal
    deals_per_month: Decimal
    sales_cycle_days: Decimal
    repeat_revenue_share: Decimal
    average_deal_value: Money | None
    has_sales_team: bool


def _figures(profile: Any) -> _Figures:
    if not isinstance(profile, ShopProfile):
        raise InvalidType("profile", profile, "a ShopProfile")
    known: dict[str, Any] = {}
    for field in attrs.fields(_Figures):
        value = getattr(profile, field.name)
        if value is None and field.name != "average_deal_value":
            raise InvalidField(f"profile.{field.name}", None, "a number (recommend_model reads it)")
        known[field.name] = value
    return _Figures(**known)


def _num(value: Decimal) -> str:
    """A figure as people write it: 1,200 and 2.5, never 1.2E+3."""
    return f"{value.normalize():,f}"


def _pct(share: Decimal) -> str:
    return f"{_num(share * 100)}%"


@attrs.frozen
class _Test:
    """One rule's test: does it hold, the facts and the bound in words, what it read."""

    holds: bool
    facts: str
    bound: str
    inputs: dict[str, Any]
    thresholds: dict[str, Any]


def _few_deals(p: _Figures, t: Thresholds) -> _Test:
    deals = p.deals_per_month
    value = p.average_deal_value
    expensive = t.expensive_deal
    if expensive is not None and value is not None and value.currency != expensive.currency:
        raise CurrencyMismatch(
            "thresholds.expensive_deal",
            expensive,
            f"Money in {value.currency}, the currency of profile.average_deal_value",
        )
    is_expensive = expensive is not None and value is not None and value >= expensive
    facts = f"{_num(deals)} deals a month"
    if value is not None:
        facts += f" at {value} on average"
    inputs = {"deals_per_month": deals, "average_deal_value": value}
    limits: dict[str, Any] = {"few_deals": t.few_deals, "expensive_deal": expensive}
    if is_expensive:
        limits["few_expensive_deals"] = t.few_expensive_deals
        limit = max(t.few_deals, t.few_expensive_deals)
        bound = f"few for very expensive deals ({expensive} or more): at most {_num(limit)}"
    else:
        limit = t.few_deals
        bound = f"few: at most {_num(limit)}"
    return _Test(deals <= limit, facts, bound, inputs, limits)


def _huge_inbound(p: _Figures, t: Thresholds) -> _Test:
    inbound = p.monthly_inbound_leads
    return _Test(
        inbound >= t.huge_inbound,
        f"{_num(inbound)} inbound requests a month",
        f"huge: {_num(t.huge_inbound)} or more",
        {"monthly_inbound_leads": inbound},
        {"huge_inbound": t.huge_inbound},
    )


def _unready_inbound(p: _Figures, t: Thresholds) -> _Test:
    inbound, share = p.monthly_inbound_leads, p.share_not_ready_or_not_target
    return _Test(
        inbound >= t.many_inbound and share >= t.mostly_not_ready,
        f"{_num(inbound)} inbound requests a month, {_pct(share)} of them not ready or not target",
        f"many: {_num(t.many_inbound)} or more, and most: {_pct(t.mostly_not_ready)} or more",
        {"monthly_inbound_leads": inbound, "share_not_ready_or_not_target": share},
        {"many_inbound": t.many_inbound, "mostly_not_ready": t.mostly_not_ready},
    )


def _seasonal_peak(p: _Figures, t: Thresholds) -> _Test:
    peak = p.seasonal_peak_ratio
    return _Test(
        peak >= t.seasonal_peak,
        f"the busiest month brings {_num(peak)} times the average month",
        f"a sharp peak: {_num(t.seasonal_peak)} times or more",
        {"seasonal_peak_ratio": peak},
        {"seasonal_peak": t.seasonal_peak},
    )


def _long_sales(p: _Figures, t: Thresholds) -> _Test:
    days = p.sales_cycle_days
    return _Test(
        days >= t.long_sale_days,
        f"a sale takes {_num(days)} days",
        f"long: {_num(t.long_sale_days)} days or more",
        {"sales_cycle_days": days},
        {"long_sale_days": t.long_sale_days},
    )


def _repeat_sales(p: _Figures, t: Thresholds) -> _Test:
    share = p.repeat_revenue_share
    return _Test(
        share >= t.repeat_share,
        f"{_pct(share)} of revenue comes from repeat purchases",
        f"many repeat sales: {_pct(t.repeat_share)} or more",
        {"repeat_revenue_share": share},
        {"repeat_share": t.repeat_share},
    )


_FIGURE_RULES: Final[dict[ModelRule, Callable[[_Figures, Thresholds], _Test]]] = {
    ModelRule.FEW_DEALS: _few_deals,
    ModelRule.HUGE_INBOUND: _huge_inbound,
    ModelRule.UNREADY_INBOUND: _unready_inbound,
    ModelRule.SEASONAL_PEAK: _seasonal_peak,
    ModelRule.LONG_SALES: _long_sales,
    ModelRule.REPEAT_SALES: _repeat_sales,
}
_WHY_SET_ASIDE: Final = {
    ModelRule.NO_SALES_TEAM: "no sales department yet, so the shop starts one-tier",
    ModelRule.FEW_DEALS: "deals are few, so the seller keeps the customer",
}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _check_of(rule: ModelRule, test: _Test, set_aside_by: ModelRule | None) -> RuleCheck:
    if not test.holds:
        set_aside_by = None
        verdict, detail = RuleVerdict.NOT_MET, f"{test.facts} (not {test.bound})"
    elif set_aside_by is not None:
        verdict = RuleVerdict.SET_ASIDE
        detail = f"{test.facts} ({test.bound}), but {_WHY_SET_ASIDE[set_aside_by]}"
    else:
        verdict = RuleVerdict.FIRED
        detail = _sentence(f"{test.facts} ({test.bound}): {rule.conclusion}.")
    return RuleCheck(rule, verdict, detail, test.inputs, test.thresholds, set_aside_by)


def _names(rules: list[ModelRule]) -> str:
    return ", ".join(rule.value for rule in rules) or "none"


def _derived(
    rule: ModelRule, holds: bool, facts: str, reason: str, set_aside_by: ModelRule | None
) -> RuleCheck:
    """A check of a rule that reads the other rules, not the profile."""
    if not holds:
        return RuleCheck(rule, RuleVerdict.NOT_MET, facts)
    if set_aside_by is not None:
        why = _WHY_SET_ASIDE[set_aside_by]
        return RuleCheck(
            rule, RuleVerdict.SET_ASIDE, f"{facts}, but {why}", set_aside_by=set_aside_by
        )
    return RuleCheck(rule, RuleVerdict.FIRED, _sentence(f"{reason}: {rule.conclusion}."))


def _evaluate(p: _Figures, t: Thresholds) -> tuple[RuleCheck, ...]:
    team = p.has_sales_team
    if team:
        first = RuleCheck(
            ModelRule.NO_SALES_TEAM,
            RuleVerdict.NOT_MET,
            "the shop has a sales department (has_sales_team is True)",
            {"has_sales_team": team},
        )
    else:
        reason = "No sales department yet (the owner sells alone)"
        first = RuleCheck(
            ModelRule.NO_SALES_TEAM,
            RuleVerdict.FIRED,
            f"{reason}: {ModelRule.NO_SALES_TEAM.conclusion}.",
            {"has_sales_team": team},
        )
    no_team = None if team else ModelRule.NO_SALES_TEAM
    tests = {rule: run(p, t) for rule, run in _FIGURE_RULES.items()}
    few = tests[ModelRule.FEW_DEALS].holds
    checks = [first]
    for rule, test in tests.items():
        aside = no_team or (ModelRule.FEW_DEALS if few and rule in _ACCOUNT_MANAGER else None)
        checks.append(_check_of(rule, test, aside))
    cc = [rule for rule in _CONTACT_CENTER if tests[rule].holds]
    am = [rule for rule in _ACCOUNT_MANAGER if tests[rule].holds and not few]
    held = f"contact-center rules that hold: {_names(cc)}; account-manager rules: {_names(am)}"
    checks.append(
        _derived(
            ModelRule.NO_SPECIALIST,
            not cc and not am,
            held,
            "no contact-center or account-manager rule fired",
            no_team,
        )
    )
    checks.append(
        _derived(
            ModelRule.BOTH,
            bool(cc and am),
            held,
            f"both a contact-center rule ({_names(cc)}) and an account-manager rule "
            f"({_names(am)}) fired",
            no_team,
        )
    )
    return tuple(checks)


def _model_of(fired: set[ModelRule]) -> SalesModel:
    """The model the fired rules call for."""
    if ModelRule.NO_SALES_TEAM in fired:
        return SalesModel.ONE_TIER
    if ModelRule.BOTH in fired:
        return SalesModel.THREE_TIER
    if fired & set(_CONTACT_CENTER):
        return SalesModel.TWO_TIER_CONTACT_CENTER
    if fired & set(_ACCOUNT_MANAGER):
        return SalesModel.TWO_TIER_ACCOUNT_MANAGER
    return SalesModel.ONE_TIER


def recommend_model(
    profile: ShopProfile, *, thresholds: Thresholds | None = None
) -> Recommendation:
    """Check the material's rules against ``profile`` and recommend the model they call for.

    ``thresholds`` (default :class:`Thresholds`, this module's constants)
    says where each rule starts. The rules, in order (docs/routing.md):

    - ``no_sales_team``: ``has_sales_team`` is False: one-tier; every other rule is set aside;
    - ``few_deals``: deals a month at most ``few_deals`` (``few_expensive_deals`` when the
      average deal is at least ``expensive_deal``): the account-manager rules are set aside;
    - ``huge_inbound``, ``unready_inbound``, ``seasonal_peak``: a contact center;
    - ``long_sales``, ``repeat_sales``: an account manager;
    - ``no_specialist``: neither: one-tier; ``both``: both: three-tier.

    Refused: a profile that leaves one of its figures None (only
    ``average_deal_value`` may stay unknown), naming the field, and an
    ``expensive_deal`` in another currency than the profile's average deal.
    """
    p = _figures(profile)
    if thresholds is None:
        thresholds = Thresholds()
    elif not isinstance(thresholds, Thresholds):
        raise InvalidType("thresholds", thresholds, "Thresholds or None (the defaults)")
    checks = _evaluate(p, thresholds)
    fired = {check.rule for check in checks if check.fired}
    best = _model_of(fired)
    reasons = tuple(check.detail for check in checks if check.fired)
    reasons += (f"Recommended: {best.value.replace('_', ' ')}.",)
    scores = {model: _ONE if model is best else _ZERO for model in SalesModel}
    cc = _ONE if fired & set(_CONTACT_CENTER) else _ZERO
    am = _ONE if fired & set(_ACCOUNT_MANAGER) else _ZERO
    return Recommendation(best, scores, reasons, cc, am, checks, thresholds)
