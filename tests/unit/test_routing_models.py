"""Sales models map every stage and qualification fact to exactly one role; the recommender explains itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType, Money
from salesflow.leads import LeadStage
from salesflow.leads.events import QualificationOutcome
from salesflow.routing import Role, SalesModel, ShopProfile, recommend_model
from salesflow.routing.models import owner

QUALIFICATIONS = (None, *QualificationOutcome)


@pytest.mark.parametrize("model", list(SalesModel), ids=str)
def test_every_stage_and_qualification_fact_has_exactly_one_owning_role_from_the_model(model):
    for stage in LeadStage:
        for qualification in QUALIFICATIONS:
            role = owner(model, stage, qualification)

            assert isinstance(role, Role)
            assert role in model.roles


@pytest.mark.parametrize("model", list(SalesModel), ids=str)
def test_every_role_of_a_model_owns_something(model):
    used = {owner(model, s, q) for s in LeadStage for q in QUALIFICATIONS}

    assert used == set(model.roles)


def test_one_tier_manager_owns_everything_after_sales_included():
    assert {owner("one_tier", s, q) for s in LeadStage for q in QUALIFICATIONS} == {Role.MANAGER}


def test_contact_center_qualifiers_hold_leads_until_qualified_then_a_closer_owns_them():
    model = SalesModel.TWO_TIER_CONTACT_CENTER

    assert owner(model, "interest", None) is Role.QUALIFIER
    assert owner(model, "lost", "disqualified") is Role.QUALIFIER
    assert owner(model, "decision", "qualified") is Role.CLOSER
    assert owner(model, "customer", "qualified") is Role.CLOSER
    assert owner(model, "retained", "qualified") is Role.CLOSER


def test_account_managers_own_customers_after_the_first_sale():
    model = SalesModel.TWO_TIER_ACCOUNT_MANAGER

    assert owner(model, "awareness", None) is Role.CLOSER
    assert owner(model, "decision", "qualified") is Role.CLOSER
    assert owner(model, "customer", "qualified") is Role.ACCOUNT_MANAGER
    assert owner(model, "retained", None) is Role.ACCOUNT_MANAGER


def test_three_tier_goes_qualifier_then_closer_then_account_manager():
    path = [
        owner("three_tier", "interest", None),
        owner("three_tier", "decision", "qualified"),
        owner("three_tier", "customer", "qualified"),
    ]

    assert path == [Role.QUALIFIER, Role.CLOSER, Role.ACCOUNT_MANAGER]


def test_unknown_models_stages_and_facts_are_refused_naming_the_field():
    with pytest.raises(InvalidField, match="model"):
        owner("four_tier", "interest", None)
    with pytest.raises(InvalidField, match="qualification"):
        owner("three_tier", "interest", "maybe")


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


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (shop(average_deal_value=Money("25000", "EUR")), SalesModel.ONE_TIER),
        (
            shop(monthly_inbound_leads=1500, share_not_ready_or_not_target="0.75"),
            SalesModel.TWO_TIER_CONTACT_CENTER,
        ),
        (shop(seasonal_peak_ratio="3"), SalesModel.TWO_TIER_CONTACT_CENTER),
        (
            shop(sales_cycle_days=90, repeat_revenue_share="0.6"),
            SalesModel.TWO_TIER_ACCOUNT_MANAGER,
        ),
        (
            shop(
                monthly_inbound_leads=2000,
                share_not_ready_or_not_target="0.8",
                sales_cycle_days=75,
                repeat_revenue_share="0.55",
            ),
            SalesModel.THREE_TIER,
        ),
    ],
    ids=["boutique", "flood", "seasonal", "long and repeat", "both"],
)
def test_the_recommender_follows_the_rule_of_thumb(profile, expected):
    advice = recommend_model(profile)

    assert advice.model is expected
    assert advice.reasons[-1] == f"Recommended: {expected.value.replace('_', ' ')}."


@given(
    inbound=st.integers(0, 10_000),
    share=st.decimals(0, 1, places=2),
    peak=st.decimals(1, 5, places=2),
    deals=st.integers(0, 5_000),
    cycle=st.integers(0, 365),
    repeat=st.decimals(0, 1, places=2),
)
def test_scores_are_shares_that_add_up_to_one_and_the_best_is_recommended(
    inbound, share, peak, deals, cycle, repeat
):
    profile = ShopProfile(
        monthly_inbound_leads=inbound,
        share_not_ready_or_not_target=share,
        seasonal_peak_ratio=peak,
        deals_per_month=deals,
        sales_cycle_days=cycle,
        repeat_revenue_share=repeat,
    )

    advice = recommend_model(profile)

    assert sum(advice.scores.values()) == Decimal(1)
    assert all(Decimal(0) <= score <= 1 for score in advice.scores.values())
    assert advice.scores[advice.model] == max(advice.scores.values())
    assert advice.reasons


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("monthly_inbound_leads", -1, InvalidField),
        ("share_not_ready_or_not_target", "1.2", InvalidField),
        ("repeat_revenue_share", -0.1, InvalidField),
        ("seasonal_peak_ratio", "0.5", InvalidField),
        ("deals_per_month", "many", InvalidField),
        ("sales_cycle_days", True, InvalidType),
        ("sales_cycle_days", float("nan"), InvalidField),
    ],
)
def test_bad_profiles_raise_naming_the_field(field, value, error):
    with pytest.raises(error) as caught:
        shop(**{field: value})

    assert caught.value.field == field
