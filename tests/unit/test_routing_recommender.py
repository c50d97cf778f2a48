"""The recommender follows the material's rules: every reason belongs to a rule that fired (issue 15)."""

from __future__ import annotations

import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow import Money
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType, SalesflowError
from salesflow.routing import SalesModel, ShopProfile, recommend_model
from salesflow.routing.recommender import (
    FEW_DEALS,
    HUGE_INBOUND,
    LONG_SALE_DAYS,
    MANY_INBOUND,
    MOSTLY_NOT_READY,
    REPEAT_SHARE,
    SEASONAL_PEAK,
    ModelRule,
    RuleVerdict,
    Thresholds,
)

ROOT = Path(__file__).resolve().parents[2]
R = ModelRule
ONE = SalesModel.ONE_TIER
CC = SalesModel.TWO_TIER_CONTACT_CENTER
AM = SalesModel.TWO_TIER_ACCOUNT_MANAGER
THREE = SalesModel.THREE_TIER


def shop(**overrides):
    values = {
        "monthly_inbound_leads": 40,
        "share_not_ready_or_not_target": "0.2",
        "seasonal_peak_ratio": "1.1",
        "deals_per_month": 12,
        "sales_cycle_days": 5,
        "repeat_revenue_share": "0.1",
    }
    values.update(overrides)
    return ShopProfile(**values)


# -- the measured failures ------------------------------------------------------


def test_5_and_10000_deals_a_month_get_different_models_when_repeat_sales_call_for_an_account_manager():
    few = recommend_model(shop(deals_per_month=5, repeat_revenue_share="0.6"))
    many = recommend_model(shop(deals_per_month=10_000, repeat_revenue_share="0.6"))

    assert few.model is ONE
    assert many.model is AM
    assert R.FEW_DEALS in few.fired
    assert R.REPEAT_SALES in many.fired


def test_5_and_10000_deals_a_month_on_a_plain_shop_both_get_one_tier_for_different_reasons():
    few = recommend_model(shop(deals_per_month=5))
    many = recommend_model(shop(deals_per_month=10_000))

    assert few.model is many.model is ONE
    assert few.fired == (R.FEW_DEALS, R.NO_SPECIALIST)
    assert many.fired == (R.NO_SPECIALIST,)
    assert few.reasons != many.reasons


def test_3_deals_a_month_with_a_60_day_sale_get_one_tier_and_no_reason_speaks_for_an_account_manager():
    advice = recommend_model(shop(deals_per_month=3, sales_cycle_days=60))

    assert advice.model is ONE
    assert advice.fired == (R.FEW_DEALS, R.NO_SPECIALIST)
    assert not any("account manager looks after" in reason for reason in advice.reasons)
    assert advice.rules[5].rule is R.LONG_SALES
    assert advice.rules[5].verdict is RuleVerdict.SET_ASIDE
    assert advice.rules[5].set_aside_by is R.FEW_DEALS
    assert advice.reasons[0].startswith("3 deals a month (few: at most 10)")


@pytest.mark.parametrize("deals", [12, 800])
def test_5000_inbound_with_20_percent_not_ready_and_70_percent_repeat_revenue_get_three_tier(deals):
    advice = recommend_model(
        shop(
            monthly_inbound_leads=5000,
            share_not_ready_or_not_target="0.2",
            repeat_revenue_share="0.7",
            deals_per_month=deals,
        )
    )

    assert advice.model is THREE
    assert advice.fired == (R.HUGE_INBOUND, R.REPEAT_SALES, R.BOTH)
    assert advice.reasons[-1] == "Recommended: three tier."


def test_a_huge_inbound_volume_counts_on_its_own_whatever_share_is_ready():
    advice = recommend_model(
        shop(monthly_inbound_leads=5000, share_not_ready_or_not_target=0, deals_per_month=900)
    )

    assert advice.model is CC
    assert advice.fired == (R.HUGE_INBOUND,)


def test_a_shop_without_a_sales_department_starts_one_tier_whatever_its_figures():
    advice = recommend_model(
        shop(
            has_sales_team=False,
            monthly_inbound_leads=5000,
            seasonal_peak_ratio=3,
            sales_cycle_days=90,
            repeat_revenue_share="0.9",
            deals_per_month=900,
        )
    )

    assert advice.model is ONE
    assert advice.fired == (R.NO_SALES_TEAM,)
    assert advice.reasons == (
        "No sales department yet (the owner sells alone): build one, and start one-tier "
        "with one manager doing everything.",
        "Recommended: one tier.",
    )
    aside = {check.rule for check in advice.rules if check.verdict is RuleVerdict.SET_ASIDE}
    assert aside == {R.HUGE_INBOUND, R.SEASONAL_PEAK, R.LONG_SALES, R.REPEAT_SALES, R.BOTH}


def test_profiles_built_without_has_sales_team_have_one():
    assert shop().has_sales_team is True
    assert recommend_model(shop()).rules[0].verdict is RuleVerdict.NOT_MET


def test_deal_value_changes_the_model_once_the_shop_says_what_is_very_expensive():
    expensive = Thresholds(expensive_deal=Money("10000", "EUR"))
    dear = shop(deals_per_month=15, sales_cycle_days=90, average_deal_value=Money("40000", "EUR"))
    cheap = shop(deals_per_month=15, sales_cycle_days=90, average_deal_value=Money("4000", "EUR"))

    assert recommend_model(dear, thresholds=expensive).model is ONE
    assert recommend_model(cheap, thresholds=expensive).model is AM
    assert recommend_model(dear).model is AM  # no expensive_deal stated: value does not count


def test_few_deals_do_not_remove_a_contact_center_that_a_flood_of_requests_needs():
    advice = recommend_model(
        shop(deals_per_month=5, monthly_inbound_leads=2000, repeat_revenue_share="0.6")
    )

    assert advice.model is CC
    assert advice.fired == (R.FEW_DEALS, R.HUGE_INBOUND)


# -- every threshold is where the docs say -----------------------------------------------


@pytest.mark.parametrize(
    ("rule", "at", "below"),
    [
        (R.HUGE_INBOUND, {"monthly_inbound_leads": 1000}, {"monthly_inbound_leads": 999}),
        (
            R.UNREADY_INBOUND,
            {"monthly_inbound_leads": 200, "share_not_ready_or_not_target": "0.5"},
            {"monthly_inbound_leads": 200, "share_not_ready_or_not_target": "0.49"},
        ),
        (
            R.UNREADY_INBOUND,
            {"monthly_inbound_leads": 200, "share_not_ready_or_not_target": "0.5"},
            {"monthly_inbound_leads": 199, "share_not_ready_or_not_target": "0.5"},
        ),
        (R.SEASONAL_PEAK, {"seasonal_peak_ratio": 2}, {"seasonal_peak_ratio": "1.99"}),
        (R.LONG_SALES, {"sales_cycle_days": 30}, {"sales_cycle_days": "29.5"}),
        (R.REPEAT_SALES, {"repeat_revenue_share": "0.5"}, {"repeat_revenue_share": "0.49"}),
        (R.FEW_DEALS, {"deals_per_month": 10}, {"deals_per_month": 11}),
    ],
)
def test_each_rule_fires_from_its_threshold_on(rule, at, below):
    assert rule in recommend_model(shop(**at)).fired
    assert rule not in recommend_model(shop(**below)).fired


def test_the_named_constants_are_the_default_thresholds_and_the_result_carries_them():
    advice = recommend_model(shop())

    assert advice.thresholds == Thresholds()
    documented = {  # docs/routing.md, "The thresholds"
        "few_deals": "10",
        "expensive_deal": None,
        "few_expensive_deals": "20",
        "huge_inbound": "1000",
        "many_inbound": "200",
        "mostly_not_ready": "0.5",
        "seasonal_peak": "2",
        "long_sale_days": "30",
        "repeat_share": "0.5",
    }
    assert advice.thresholds.to_dict() == documented
    constants = [FEW_DEALS, HUGE_INBOUND, MANY_INBOUND, MOSTLY_NOT_READY]
    constants += [SEASONAL_PEAK, LONG_SALE_DAYS, REPEAT_SHARE]
    names = ["few_deals", "huge_inbound", "many_inbound", "mostly_not_ready"]
    names += ["seasonal_peak", "long_sale_days", "repeat_share"]
    assert [str(value) for value in constants] == [documented[name] for name in names]
    for check in advice.rules:
        for name, value in check.thresholds.items():
            assert getattr(advice.thresholds, name) == value


def test_thresholds_the_caller_sets_are_the_ones_the_rules_use():
    advice = recommend_model(shop(), thresholds=Thresholds(few_deals=12, huge_inbound=40))

    assert advice.fired == (R.FEW_DEALS, R.HUGE_INBOUND)
    assert advice.model is CC
    assert advice.rules[2].thresholds == {"huge_inbound": Decimal(40)}


# -- reasons never contradict the choice: a law over generated profiles -------------------

CONTACT_CENTER = {R.HUGE_INBOUND, R.UNREADY_INBOUND, R.SEASONAL_PEAK}
ACCOUNT_MANAGER = {R.LONG_SALES, R.REPEAT_SALES}


def reference_fired(p: ShopProfile, t: Thresholds) -> set[ModelRule]:
    """The rules that fire, worked out from the rule table of docs/routing.md."""
    if not p.has_sales_team:
        return {R.NO_SALES_TEAM}
    limit = t.few_deals
    value, dear = p.average_deal_value, t.expensive_deal
    if dear is not None and value is not None and value.amount >= dear.amount:
        limit = max(limit, t.few_expensive_deals)
    few = p.deals_per_month <= limit
    cc = set()
    if p.monthly_inbound_leads >= t.huge_inbound:
        cc.add(R.HUGE_INBOUND)
    if (
        p.monthly_inbound_leads >= t.many_inbound
        and p.share_not_ready_or_not_target >= t.mostly_not_ready
    ):
        cc.add(R.UNREADY_INBOUND)
    if p.seasonal_peak_ratio >= t.seasonal_peak:
        cc.add(R.SEASONAL_PEAK)
    am = set()
    if not few and p.sales_cycle_days >= t.long_sale_days:
        am.add(R.LONG_SALES)
    if not few and p.repeat_revenue_share >= t.repeat_share:
        am.add(R.REPEAT_SALES)
    fired = cc | am | ({R.FEW_DEALS} if few else set())
    if not cc and not am:
        fired.add(R.NO_SPECIALIST)
    if cc and am:
        fired.add(R.BOTH)
    return fired


def reference_model(fired: set[ModelRule]) -> SalesModel:
    if R.NO_SALES_TEAM in fired or R.NO_SPECIALIST in fired:
        return ONE
    if R.BOTH in fired:
        return THREE
    return CC if fired & CONTACT_CENTER else AM


profiles = st.builds(
    shop,
    has_sales_team=st.booleans(),
    monthly_inbound_leads=st.sampled_from([0, 40, 199, 200, 600, 999, 1000, 5000, 10**6]),
    share_not_ready_or_not_target=st.decimals(0, 1, places=2),
    seasonal_peak_ratio=st.decimals(1, 5, places=2),
    deals_per_month=st.integers(0, 12) | st.sampled_from([19, 20, 21, 800, 10_000]),
    sales_cycle_days=st.integers(0, 120),
    repeat_revenue_share=st.decimals(0, 1, places=2),
    average_deal_value=st.none() | st.builds(Money, st.integers(0, 60_000), st.just("EUR")),
)
thresholds = st.sampled_from(
    [Thresholds(), Thresholds(expensive_deal=Money("10000", "EUR"))]
) | st.builds(
    Thresholds,
    few_deals=st.integers(0, 30),
    expensive_deal=st.none() | st.builds(Money, st.integers(1, 50_000), st.just("EUR")),
    few_expensive_deals=st.integers(0, 40),
    huge_inbound=st.integers(0, 2000),
    many_inbound=st.integers(0, 600),
    mostly_not_ready=st.decimals(0, 1, places=2),
    seasonal_peak=st.decimals(1, 4, places=1),
    long_sale_days=st.integers(0, 90),
    repeat_share=st.decimals(0, 1, places=2),
)


@given(profile=profiles, limits=thresholds)
def test_the_rules_that_fire_are_the_documented_ones_and_they_decide_the_model(profile, limits):
    advice = recommend_model(profile, thresholds=limits)

    fired = set(advice.fired)
    assert fired == reference_fired(profile, limits)
    assert advice.model is reference_model(fired)
    assert [check.rule for check in advice.rules] == list(ModelRule)


@given(profile=profiles, limits=thresholds)
def test_no_reason_comes_from_a_rule_that_did_not_fire(profile, limits):
    advice = recommend_model(profile, thresholds=limits)

    assert advice.reasons[:-1] == tuple(check.detail for check in advice.rules if check.fired)
    assert advice.reasons[-1] == f"Recommended: {advice.model.value.replace('_', ' ')}."
    for check in advice.rules:
        carrying = [reason for reason in advice.reasons if check.rule.conclusion in reason]
        assert len(carrying) == (1 if check.fired else 0), check.rule
    model = advice.model
    for rule in advice.fired:  # what each fired rule asks for, the model has
        if rule in CONTACT_CENTER:
            assert model.has_contact_center
        elif rule in ACCOUNT_MANAGER:
            assert model.has_account_managers
        elif rule is R.FEW_DEALS:
            assert not model.has_account_managers
        else:
            assert model is rule.points_to


@given(profile=profiles, limits=thresholds)
def test_the_old_fields_agree_with_the_rules(profile, limits):
    advice = recommend_model(profile, thresholds=limits)

    assert advice.scores == {m: Decimal(m is advice.model) for m in SalesModel}
    assert advice.contact_center_need == Decimal(bool(set(advice.fired) & CONTACT_CENTER))
    assert advice.account_manager_need == Decimal(bool(set(advice.fired) & ACCOUNT_MANAGER))


# -- the documented table of example shops -------------------------------------------------

# Worked out by hand from the rule table, shop by shop (see the note on each line).
EXPECTED = {
    "owner sells alone": (ONE, "no_sales_team"),  # no department yet
    "owner alone, flooded": (ONE, "no_sales_team"),  # 5,000 inbound set aside
    "niche workshop": (ONE, "few_deals, no_specialist"),  # 3 <= 10; the 60-day sale set aside
    "5 deals, mostly repeat": (ONE, "few_deals, no_specialist"),  # 60% repeat set aside
    "10,000 deals, mostly repeat": (AM, "repeat_sales"),  # 60% >= 50%
    "machines at 40,000 EUR": (ONE, "few_deals, no_specialist"),  # expensive: 15 <= 20
    "machines at 4,000 EUR": (AM, "long_sales"),  # 15 > 10; 90 >= 30 days
    "everyday shop": (ONE, "no_specialist"),  # 150 < 200 inbound, nothing else
    "marketplace": (CC, "huge_inbound, unready_inbound"),  # 1,500 >= 1,000; 75% >= 50%
    "busy, mostly ready": (CC, "huge_inbound"),  # 5,000 >= 1,000 with 0% not ready
    "tyre-kickers": (CC, "unready_inbound"),  # 300 >= 200 and 60% >= 50%
    "Christmas shop": (CC, "seasonal_peak"),  # 3.5 >= 2
    "B2B supplies": (AM, "long_sales, repeat_sales"),  # 90 days, 60% repeat
    "store with wholesale": (THREE, "huge_inbound, repeat_sales, both"),  # 5,000 and 70%
    "seasonal, long sales": (THREE, "seasonal_peak, long_sales, both"),  # 2.5 x and 45 days
    "few deals, seasonal flood": (
        CC,
        "few_deals, huge_inbound, unready_inbound, seasonal_peak",
    ),  # 8 deals: no account manager, but the flood needs a contact center
}


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_diagrams", ROOT / "scripts" / "gen_diagrams.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_shops_of_the_docs_get_the_models_worked_out_by_hand():
    generator = _generator()

    got = {
        name: (advice.model, ", ".join(rule.value for rule in advice.fired))
        for name, profile in generator.PROFILES.items()
        for advice in [recommend_model(profile, thresholds=generator.PROFILE_THRESHOLDS)]
    }

    assert got == EXPECTED
    assert len(got) >= 12
    assert {model for model, _ in got.values()} == set(SalesModel)


def test_the_docs_show_the_table_of_example_shops_with_each_model():
    text = (ROOT / "docs" / "routing.md").read_text()
    table = text.split("<!-- table: RecommenderProfiles -->\n")[1].split("<!-- /table -->")[0]
    rows = {line.split(" | ")[0].removeprefix("| "): line for line in table.splitlines()[2:]}

    assert set(rows) == set(EXPECTED)
    for name, (model, fired) in EXPECTED.items():
        assert f"| **{model.value}** | {fired} |" in rows[name]


# -- the recommendation explains itself ------------------------------------------------------


def test_explain_gives_the_model_then_one_line_per_rule_with_its_verdict():
    advice = recommend_model(shop(monthly_inbound_leads=1500, share_not_ready_or_not_target="0.1"))

    lines = advice.explain().splitlines()

    assert lines[0] == "two_tier_contact_center (rules fired: huge_inbound)"
    assert [line.split(":")[0].strip() for line in lines[1:]] == [r.value for r in ModelRule]
    assert lines[3] == (
        "  huge_inbound: fired: 1,500 inbound requests a month (huge: 1,000 or more): "
        "a contact center takes and qualifies them (the qualifiers may be outsourced)."
    )
    assert lines[4].startswith("  unready_inbound: not met: 1,500 inbound requests a month, 10%")


def test_each_check_names_the_profile_fields_it_read():
    advice = recommend_model(shop(average_deal_value=Money("90", "EUR")))

    read = {check.rule: set(check.inputs) for check in advice.rules}

    assert read[R.NO_SALES_TEAM] == {"has_sales_team"}
    assert read[R.FEW_DEALS] == {"deals_per_month", "average_deal_value"}
    assert read[R.UNREADY_INBOUND] == {"monthly_inbound_leads", "share_not_ready_or_not_target"}
    assert read[R.SEASONAL_PEAK] == {"seasonal_peak_ratio"}
    assert read[R.LONG_SALES] == {"sales_cycle_days"}
    assert read[R.REPEAT_SALES] == {"repeat_revenue_share"}
    assert advice.rules[1].inputs["average_deal_value"] == Money("90", "EUR")


def test_to_dict_is_json_and_carries_every_rule_and_threshold():
    advice = recommend_model(
        shop(average_deal_value=Money("25000", "EUR")),
        thresholds=Thresholds(expensive_deal=Money("10000", "EUR")),
    )

    document = json.loads(json.dumps(advice.to_dict()))

    assert document["model"] == "one_tier"
    assert document["fired"] == ["few_deals", "no_specialist"]
    assert [rule["rule"] for rule in document["rules"]] == [r.value for r in ModelRule]
    assert document["rules"][1]["inputs"]["average_deal_value"] == {
        "amount": "25000",
        "currency": "EUR",
    }
    assert document["thresholds"]["few_expensive_deals"] == "20"
    assert document["reasons"] == list(advice.reasons)


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("few_deals", -1, InvalidField),
        ("huge_inbound", "lots", InvalidField),
        ("mostly_not_ready", "1.5", InvalidField),
        ("repeat_share", True, InvalidType),
        ("seasonal_peak", "0.5", InvalidField),
        ("long_sale_days", float("inf"), InvalidField),
        ("expensive_deal", Money("0", "EUR"), InvalidField),
        ("expensive_deal", 10_000, InvalidField),
    ],
)
def test_bad_thresholds_are_refused_naming_the_field(field, value, error):
    with pytest.raises(error) as caught:
        Thresholds(**{field: value})

    assert caught.value.field == field
    assert caught.value.context == "Thresholds"


def test_has_sales_team_must_be_true_or_false():
    with pytest.raises(InvalidType) as caught:
        shop(has_sales_team=0)

    assert caught.value.field == "has_sales_team"


def test_an_expensive_deal_in_another_currency_is_refused_naming_the_threshold():
    profile = shop(average_deal_value=Money("25000", "EUR"))

    with pytest.raises(CurrencyMismatch) as caught:
        recommend_model(profile, thresholds=Thresholds(expensive_deal=Money("1", "USD")))

    assert caught.value.field == "thresholds.expensive_deal"


def test_thresholds_that_are_not_thresholds_are_refused():
    with pytest.raises(InvalidType, match="thresholds"):
        recommend_model(shop(), thresholds={"few_deals": 3})  # type: ignore[arg-type]


def test_result_records_refuse_garbage_when_built():
    from salesflow.routing.recommender import Recommendation, RuleCheck

    with pytest.raises(SalesflowError, match="rules"):
        Recommendation("one_tier", {}, (), Decimal(0), Decimal(0), ("fired",))  # type: ignore[arg-type]
    with pytest.raises(SalesflowError, match="verdict"):
        RuleCheck("few_deals", "maybe", "detail")
    with pytest.raises(SalesflowError, match="inputs"):
        RuleCheck("few_deals", "fired", "detail", {"deals": 3.5})
