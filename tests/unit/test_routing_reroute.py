"""Changing a shop's sales model re-routes open leads deterministically and reports every move."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import T0, at
from salesflow import InvalidField, InvalidType
from salesflow.errors import VersionConflict
from salesflow.leads import Lead, LeadSource, LeadStage, LostReason
from salesflow.routing import HandoffStatus, Ownership, Role, SalesModel
from salesflow.routing.models import owner_of
from salesflow.routing.reroute import RerouteReport, RoleTransfer, Routed, reroute

PATHS = {
    "new": (),
    "interested": ("advance",),
    "qualified": ("qualify",),
    "deciding": ("qualify", "fast_track"),
    "customer": ("qualify", "fast_track", "win"),
    "retained": ("qualify", "fast_track", "win", "repeat_purchase"),
    "disqualified": ("disqualify",),
    "lost_after_qualifying": ("qualify", "lose"),
}


def lead(lead_id: str, path: str) -> Lead:
    current = Lead.create(lead_id=lead_id, source=LeadSource.INBOUND, at=T0).lead
    for step in PATHS[path]:
        if step == "lose":
            current = current.lose(reason=LostReason.NO_RESPONSE, at=T0).lead
        else:
            current = getattr(current, step)(at=T0).lead
    return current


def record(
    lead_id: str, role: Role, person: str | None = "pat", pending_to: Role | None = None
) -> Ownership:
    ownership = Ownership.start(lead_id=lead_id, role=role, person=person, at=T0).ownership
    if pending_to is not None:
        ownership = ownership.hand_off(to_role=pending_to, at=at(1)).ownership
    return ownership


def routed(lead_id: str, path: str, role: Role, **options) -> Routed:
    return Routed(lead(lead_id, path), record(lead_id, role, **options))


# -- examples -------------------------------------------------------------------------


def test_moving_to_three_tier_hands_customers_to_account_managers_and_new_leads_to_qualifiers():
    records = [
        routed("L-3", "customer", Role.CLOSER, person="cleo"),
        routed("L-1", "new", Role.CLOSER, person="cleo"),
        routed("L-2", "deciding", Role.CLOSER, person="cleo"),
    ]

    report = reroute(SalesModel.TWO_TIER_CONTACT_CENTER, SalesModel.THREE_TIER, records)

    assert [(m.lead_id, m.from_role, m.to_role) for m in report.moves] == [
        ("L-1", Role.CLOSER, Role.QUALIFIER),
        ("L-3", Role.CLOSER, Role.ACCOUNT_MANAGER),
    ]
    assert report.unchanged == 1
    assert report.moves[1].from_person == "cleo"
    assert report.moves[1].reason == (
        "customer lead, qualified: three-tier gives it to the account manager, not the closer."
    )


def test_moving_to_one_tier_gives_every_open_lead_to_the_manager():
    records = [
        routed("L-1", "new", Role.QUALIFIER),
        routed("L-2", "deciding", Role.CLOSER),
        routed("L-3", "retained", Role.ACCOUNT_MANAGER),
    ]

    report = reroute("three_tier", "one_tier", records)

    assert {m.to_role for m in report.moves} == {Role.MANAGER}
    assert dict(report.after) == {Role.MANAGER: 3}
    assert dict(report.before) == {Role.QUALIFIER: 1, Role.CLOSER: 1, Role.ACCOUNT_MANAGER: 1}


def test_lost_leads_are_left_alone_and_counted():
    records = [routed("L-1", "disqualified", Role.QUALIFIER), routed("L-2", "new", Role.QUALIFIER)]

    report = reroute("three_tier", "one_tier", records)

    assert report.lost == 1
    assert [m.lead_id for m in report.moves] == ["L-2"]


def test_a_lead_that_was_already_off_the_old_model_says_so():
    records = [routed("L-1", "new", Role.CLOSER)]

    report = reroute("three_tier", "one_tier", records)

    assert "already off three-tier, which gives it to the qualifier" in report.moves[0].reason


def test_applying_a_move_transfers_the_lead_to_the_new_role_with_the_reason_on_record():
    item = routed("L-1", "customer", Role.CLOSER, person="cleo")
    move = reroute("two_tier_contact_center", "three_tier", [item]).moves[0]

    applied = move.apply(item.ownership, at=at(2), person="ava")

    assert (applied.ownership.role, applied.ownership.person) == (Role.ACCOUNT_MANAGER, "ava")
    assert [e.event for e in applied.events] == ["transfer"]
    assert applied.events[0].note == move.reason
    assert applied.ownership.credited(Role.CLOSER) == "cleo"


def test_a_move_without_a_person_puts_the_lead_in_the_new_roles_queue():
    item = routed("L-1", "new", Role.CLOSER)
    move = reroute("two_tier_account_manager", "three_tier", [item]).moves[0]

    applied = move.apply(item.ownership, at=at(2))

    assert (applied.ownership.role, applied.ownership.person) == (Role.QUALIFIER, None)


def test_a_pending_handoff_to_the_right_role_is_left_to_proceed():
    item = routed("L-1", "deciding", Role.QUALIFIER, pending_to=Role.CLOSER)

    report = reroute("two_tier_contact_center", "three_tier", [item])

    assert (report.moves, report.unchanged) == ((), 1)


def test_a_pending_handoff_to_a_role_the_new_model_does_not_want_is_withdrawn_first():
    item = routed("L-1", "customer", Role.CLOSER, person="cleo", pending_to=Role.MANAGER)
    move = reroute("one_tier", "three_tier", [item]).moves[0]

    applied = move.apply(item.ownership, at=at(2))

    assert move.withdraws == 2
    assert "handoff 2 from the closer is withdrawn first" in move.reason
    assert [e.event for e in applied.events] == ["withdraw", "transfer"]
    assert applied.ownership.handoffs[-1].status is HandoffStatus.WITHDRAWN
    assert applied.ownership.role is Role.ACCOUNT_MANAGER


def test_withdrawing_a_handoff_that_was_leaving_the_right_role_is_the_whole_move():
    item = routed("L-1", "new", Role.QUALIFIER, person="quinn", pending_to=Role.CLOSER)
    move = reroute("two_tier_account_manager", "three_tier", [item]).moves[0]

    applied = move.apply(item.ownership, at=at(2))

    assert [e.event for e in applied.events] == ["withdraw"]
    assert (applied.ownership.role, applied.ownership.person) == (Role.QUALIFIER, "quinn")


def test_a_move_applied_to_a_record_that_changed_since_the_report_is_refused_and_changes_nothing():
    item = routed("L-1", "new", Role.CLOSER)
    move = reroute("two_tier_account_manager", "three_tier", [item]).moves[0]
    changed = item.ownership.reassign(person="sam", at=at(1)).ownership

    with pytest.raises(VersionConflict):
        move.apply(changed, at=at(2))
    assert changed.version == 2


def test_a_move_to_a_record_someone_already_moved_is_a_version_conflict():
    item = routed("L-1", "new", Role.CLOSER)
    move = reroute("two_tier_account_manager", "three_tier", [item]).moves[0]
    fixed = item.ownership.transfer(role=Role.QUALIFIER, at=at(1)).ownership

    with pytest.raises(VersionConflict):
        move.apply(fixed, at=at(2))


def test_a_retried_apply_with_the_same_key_records_nothing_twice():
    item = routed("L-1", "customer", Role.CLOSER, pending_to=Role.MANAGER)
    move = reroute("one_tier", "three_tier", [item]).moves[0]
    first = move.apply(item.ownership, at=at(2), person="ava", idempotency_key="switch-1")

    again = move.apply(first.ownership, at=at(3), person="ava", idempotency_key="switch-1")

    assert len(first.events) == 2
    assert again.events == ()
    assert again.ownership == first.ownership


def test_a_key_reused_for_a_later_move_of_the_same_lead_is_not_taken_for_a_retry():
    item = routed("L-1", "new", Role.CLOSER)
    first = reroute("two_tier_account_manager", "three_tier", [item]).moves[0]
    moved = first.apply(item.ownership, at=at(2), idempotency_key="switch").ownership
    back = moved.transfer(role=Role.CLOSER, person="cleo", at=at(3)).ownership
    second = reroute("two_tier_account_manager", "three_tier", [Routed(item.lead, back)]).moves[0]

    applied = second.apply(back, at=at(4), idempotency_key="switch")

    assert [e.event for e in applied.events] == ["transfer"]
    assert applied.ownership.role is Role.QUALIFIER


@pytest.mark.parametrize(("key", "error"), [(5, InvalidType), ("", InvalidField)])
def test_an_idempotency_key_that_is_not_text_is_refused(key, error):
    item = routed("L-1", "new", Role.CLOSER)
    move = reroute("two_tier_account_manager", "three_tier", [item]).moves[0]

    with pytest.raises(error, match="idempotency_key"):
        move.apply(item.ownership, at=at(2), idempotency_key=key)


def test_a_report_refuses_moves_that_are_not_moves_and_counts_that_are_not_counts():
    fields = {"model_from": "one_tier", "model_to": "three_tier", "unchanged": 0, "lost": 0}

    with pytest.raises(InvalidType, match="moves"):
        RerouteReport(**fields, moves=[1], before={}, after={})
    with pytest.raises(InvalidField, match=r"before\.role"):
        RerouteReport(**fields, moves=(), before={"boss": 1}, after={})
    with pytest.raises(InvalidField, match=r"after\.closer"):
        RerouteReport(**fields, moves=(), before={}, after={"closer": -1})


def test_a_move_is_refused_on_another_leads_record():
    item = routed("L-1", "new", Role.CLOSER)
    move = reroute("two_tier_account_manager", "three_tier", [item]).moves[0]

    with pytest.raises(InvalidField, match="ownership"):
        move.apply(record("L-2", Role.CLOSER), at=at(2))


def test_two_records_for_one_lead_are_refused():
    records = [routed("L-1", "new", Role.CLOSER), routed("L-1", "new", Role.QUALIFIER)]

    with pytest.raises(InvalidField) as caught:
        reroute("three_tier", "one_tier", records)

    assert caught.value.field == "records[1]"


def test_a_pair_of_a_lead_and_another_leads_record_is_refused():
    with pytest.raises(InvalidField, match=r"records\[0\]\.ownership"):
        reroute("three_tier", "one_tier", [(lead("L-1", "new"), record("L-2", Role.CLOSER))])


def test_records_that_are_not_pairs_and_unknown_models_are_refused():
    with pytest.raises(InvalidType, match=r"records\[0\]"):
        reroute("three_tier", "one_tier", [lead("L-1", "new")])
    with pytest.raises(InvalidField, match="model_to"):
        reroute("three_tier", "four_tier", [])
    with pytest.raises(InvalidType, match="records"):
        reroute("three_tier", "one_tier", 7)  # type: ignore[arg-type]


def test_a_move_between_the_same_role_is_refused():
    with pytest.raises(InvalidField, match="to_role"):
        RoleTransfer(lead_id="L-1", version=1, from_role="closer", to_role="closer", reason="none")


def test_a_malformed_report_document_is_refused_naming_the_field():
    document = reroute("three_tier", "one_tier", [routed("L-1", "new", Role.QUALIFIER)]).to_dict()
    document["moves"][0]["to_role"] = "boss"

    with pytest.raises(InvalidField) as caught:
        RerouteReport.from_dict(document)

    assert caught.value.field == "moves[0].to_role"


# -- laws -----------------------------------------------------------------------------

record_specs = st.tuples(
    st.sampled_from(sorted(PATHS)),
    st.sampled_from(list(Role)),
    st.sampled_from([None, "pat", "sam"]),
    st.sampled_from([None, *Role]),
)
models = st.sampled_from(list(SalesModel))


def build(specs) -> list[Routed]:
    items = []
    for index, (path, role, person, pending_to) in enumerate(specs):
        lead_id = f"L-{index:03d}"
        pending = pending_to if pending_to is not role else None
        items.append(Routed(lead(lead_id, path), record(lead_id, role, person, pending)))
    return items


@settings(max_examples=60, deadline=None)
@given(models, models, st.lists(record_specs, max_size=12), st.data())
def test_the_same_records_in_any_order_give_the_same_report(old, new, specs, data):
    items = build(specs)
    shuffled = data.draw(st.permutations(items))

    assert reroute(old, new, shuffled) == reroute(old, new, items)


@settings(max_examples=60, deadline=None)
@given(models, models, st.lists(record_specs, max_size=12), st.sampled_from([None, "ava"]))
def test_after_applying_the_moves_every_open_lead_sits_with_the_new_models_role(
    old, new, specs, person
):
    items = build(specs)
    report = reroute(old, new, items)
    moves = {move.lead_id: move for move in report.moves}

    after = {
        item.lead.id: (
            moves[item.lead.id].apply(item.ownership, at=at(5), person=person).ownership
            if item.lead.id in moves
            else item.ownership
        )
        for item in items
    }

    for item in items:
        if item.lead.stage is LeadStage.LOST:
            assert after[item.lead.id] == item.ownership
        else:
            assert after[item.lead.id].role is owner_of(new, item.lead)


@settings(max_examples=60, deadline=None)
@given(models, models, st.lists(record_specs, max_size=12))
def test_only_open_leads_in_the_wrong_role_move_and_the_counts_add_up(old, new, specs):
    items = build(specs)

    report = reroute(old, new, items)

    wrong = sorted(
        item.lead.id
        for item in items
        if item.lead.stage is not LeadStage.LOST
        and item.ownership.role is not owner_of(new, item.lead)
    )
    open_items = [item for item in items if item.lead.stage is not LeadStage.LOST]
    assert [move.lead_id for move in report.moves] == wrong
    assert report.unchanged + len(report.moves) + report.lost == len(items)
    assert {r: n for r, n in report.after.items() if n} == Counter(
        owner_of(new, i.lead) for i in open_items
    )
    assert {r: n for r, n in report.before.items() if n} == Counter(
        i.ownership.role for i in open_items
    )


@settings(max_examples=40, deadline=None)
@given(models, models, st.lists(record_specs, max_size=12), st.sampled_from([None, "ava"]))
def test_once_the_moves_are_applied_rerouting_again_moves_nothing(old, new, specs, person):
    items = build(specs)
    first = reroute(old, new, items)
    moves = {move.lead_id: move for move in first.moves}
    settled = [
        Routed(i.lead, moves[i.lead.id].apply(i.ownership, at=at(5), person=person).ownership)
        if i.lead.id in moves
        else i
        for i in items
    ]

    again = reroute(old, new, settled)

    assert again.moves == ()
    assert again.after == first.after


@settings(max_examples=40, deadline=None)
@given(models, models, st.lists(record_specs, max_size=8))
def test_the_report_round_trips_through_json(old, new, specs):
    report = reroute(old, new, build(specs))

    document = json.loads(json.dumps(report.to_dict()))

    assert RerouteReport.from_dict(document) == report
