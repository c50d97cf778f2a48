"""``Ownership.sales_credit``: who a lead's sale is credited to, in every sales model.

Per-manager KPIs read it when given routing's records (the one-tier manager
used to count as unassigned: only the closer was credited).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salesflow import Money
from salesflow.leads import ActivityKind, Lead, LeadStage
from salesflow.metrics import manager_kpis
from salesflow.routing import Ownership, Role, SalesModel
from salesflow.routing.models import owner

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def won(lead_id: str = "L-1", *, actor: str = "bob") -> Lead:
    lead = Lead.create(
        lead_id=lead_id, source="inbound", at=T0, deal_value=Money("500", "EUR")
    ).lead
    lead = lead.qualify(at=T0 + HOUR).lead
    lead = lead.fast_track(at=T0 + 2 * HOUR).lead
    return lead.win(at=T0 + 3 * HOUR, actor=actor).lead


def handed(record: Ownership, role: Role, person: str, hour: int) -> Ownership:
    record = record.hand_off(to_role=role, to_person=person, at=T0 + hour * HOUR).ownership
    return record.accept(at=T0 + hour * HOUR).ownership


def routed(model: SalesModel, lead_id: str = "L-1") -> Ownership:
    """A won lead's record under ``model``: each role of the model owned it in turn."""
    people = {
        Role.MANAGER: "sam",
        Role.QUALIFIER: "quinn",
        Role.CLOSER: "cleo",
        Role.ACCOUNT_MANAGER: "ava",
    }
    first, *later = model.roles
    record = Ownership.start(lead_id=lead_id, role=first, person=people[first], at=T0).ownership
    for hour, role in enumerate(later, start=1):
        record = handed(record, role, people[role], hour)
    return record


CREDITED = {
    SalesModel.ONE_TIER: "sam",
    SalesModel.TWO_TIER_CONTACT_CENTER: "cleo",
    SalesModel.TWO_TIER_ACCOUNT_MANAGER: "cleo",
    SalesModel.THREE_TIER: "cleo",
}


def test_every_sales_model_has_an_expected_credit():
    assert set(CREDITED) == set(SalesModel)


@pytest.mark.parametrize("model", list(SalesModel), ids=str)
def test_the_sale_is_credited_to_the_person_in_the_role_that_sells(model):
    record = routed(model)

    assert record.sales_credit == CREDITED[model]
    assert owner(model, LeadStage.DECISION, "qualified") in (Role.CLOSER, Role.MANAGER)


@pytest.mark.parametrize("model", list(SalesModel), ids=str)
def test_manager_kpis_credit_the_won_lead_to_the_seller_in_every_model(model):
    kpis = manager_kpis([won()], ownerships=[routed(model)])

    assert list(kpis) == [CREDITED[model]]
    assert kpis[CREDITED[model]].sales_volume.value == Money("500", "EUR")
    assert kpis.unassigned == 0


def test_a_one_tier_manager_is_credited_with_the_sale():
    record = Ownership.start(lead_id="L-1", role="manager", person="sam", at=T0).ownership

    kpis = manager_kpis([won()], ownerships=[record])

    assert list(kpis) == ["sam"]
    assert kpis["sam"].lead_conversion.numerator == 1


def test_a_reassigned_manager_credits_the_last_one():
    record = Ownership.start(lead_id="L-1", role="manager", person="sam", at=T0).ownership
    record = record.reassign(person="max", at=T0 + HOUR).ownership

    assert record.sales_credit == "max"


def test_the_closer_keeps_the_credit_after_the_account_manager_takes_over():
    record = routed(SalesModel.THREE_TIER)

    assert record.role is Role.ACCOUNT_MANAGER
    assert record.person == "ava"
    assert record.sales_credit == "cleo"


def test_a_closer_is_credited_before_a_one_tier_manager_who_owned_the_lead_too():
    record = Ownership.start(lead_id="L-1", role="manager", person="sam", at=T0).ownership
    record = record.transfer(role=Role.CLOSER, person="cleo", at=T0 + HOUR).ownership

    assert record.sales_credit == "cleo"


@pytest.mark.parametrize(
    "role", [Role.QUALIFIER, Role.ACCOUNT_MANAGER], ids=["qualifier", "account manager"]
)
def test_a_qualifier_or_account_manager_alone_is_not_credited(role):
    record = Ownership.start(lead_id="L-1", role=role, person="quinn", at=T0).ownership

    kpis = manager_kpis([won()], ownerships=[record])

    assert record.sales_credit is None
    assert list(kpis) == []
    assert kpis.unassigned == 1


def test_a_lead_in_a_queue_or_a_pending_handoff_has_no_credit_yet():
    queued = Ownership.start(lead_id="L-1", role=Role.CLOSER, at=T0).ownership
    pending = Ownership.start(lead_id="L-1", role=Role.QUALIFIER, person="quinn", at=T0)
    pending_record = pending.ownership.hand_off(
        to_role=Role.CLOSER, to_person="cleo", at=T0
    ).ownership
    rejected = pending_record.reject(reason="missing_information", at=T0 + HOUR).ownership

    assert queued.sales_credit is None
    assert pending_record.sales_credit is None
    assert rejected.sales_credit is None


@pytest.mark.parametrize("model", list(SalesModel), ids=str)
def test_the_credit_survives_the_document_and_replay(model):
    record = routed(model)

    assert Ownership.from_dict(record.to_dict()).sales_credit == record.sales_credit
    assert Ownership.replay(record.history).sales_credit == record.sales_credit


def test_a_system_logged_activity_counts_for_the_person_routing_credits():
    lead = Lead.create(lead_id="L-1", source="inbound", at=T0).lead
    lead = lead.log_activity(kind=ActivityKind.DEMO, at=T0 + HOUR).lead  # actor: system
    record = Ownership.start(lead_id="L-1", role="manager", person="sam", at=T0).ownership

    kpis = manager_kpis([lead], ownerships=[record], currency="EUR")

    assert kpis["sam"].meetings.value == 1
