"""Snapshots: constant-size restore, sealed against edits, the key window, the tail checked."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from fuzz.samples import accepted, at, delivered, in_transit, lost_lead, packed, placed
from salesflow import InvalidField, InvalidType
from salesflow._snapshot import _ENCODE, KEY_WINDOW, _sealed
from salesflow.leads import ActivityKind, Lead
from salesflow.metrics import average_order_value
from salesflow.orders import CarrierUpdate, Order, apply_carrier_update
from salesflow.routing import Ownership


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _resealed(snapshot: dict[str, Any]) -> dict[str, Any]:
    """``snapshot`` with its digest made to match again: a forged, not an edited, snapshot."""
    body = {name: value for name, value in snapshot.items() if name not in ("digest", "first")}
    body["recent"] = [[version, digest] for version, digest, _ in snapshot["recent"]]
    return {**snapshot, "digest": _sealed(_ENCODE(snapshot["first"]), body)}


def _busy_lead(activities: int, *, keyed: bool = True) -> Lead:
    lead = Lead.create(lead_id="L-9", source="inbound", at=at(0)).lead
    for n in range(activities):
        lead = lead.log_activity(
            kind=ActivityKind.CALL,
            at=at(1 + n / 60),
            actor="kim",
            idempotency_key=f"call-{n}" if keyed else None,
        ).lead
    return lead


@pytest.mark.parametrize("make", [placed, packed, in_transit, delivered, lost_lead, accepted])
def test_a_snapshot_through_json_restores_the_same_aggregate(make):
    aggregate = make()
    snapshot = _json(aggregate.to_snapshot())

    restored = type(aggregate).from_snapshot(snapshot)

    assert restored.to_snapshot() == snapshot
    assert restored.version == aggregate.version
    assert restored.snapshot_version == aggregate.version
    assert restored.history == ()


def test_a_snapshot_plus_its_tail_is_the_replayed_order():
    order = delivered()
    for cut in range(1, order.version + 1):
        snapshot = _json(Order.replay(order.history[:cut]).to_snapshot())
        tail = [_json(event.to_dict()) for event in order.history[cut:]]

        restored = Order.from_snapshot(snapshot, tail=tail)

        assert restored.to_snapshot() == order.to_snapshot()
        assert restored.delivered_at == order.delivered_at
        assert restored.history == order.history[cut:]


def test_the_snapshot_of_a_lead_with_two_thousand_activities_is_as_small_as_with_forty():
    small = json.dumps(_busy_lead(40).to_snapshot())
    large = json.dumps(_busy_lead(2000).to_snapshot())

    assert len(large) <= len(small) * 1.1  # longer numbers in the keys, nothing more
    assert len(json.loads(large)["keys"]) == KEY_WINDOW


def test_a_key_older_than_the_window_is_forgotten_by_both_paths():
    lead = _busy_lead(KEY_WINDOW + 1)
    restored = Lead.from_snapshot(_json(lead.to_snapshot()))

    again = [
        item.log_activity(kind=ActivityKind.CALL, at=at(5), actor="kim", idempotency_key="call-0")
        for item in (lead, restored)
    ]

    assert [outcome.repeated for outcome in again] == [False, False]
    assert again[0].event == again[1].event
    # A history that used the key again after it was forgotten is valid.
    assert Lead.replay(again[0].lead.history) == again[0].lead


def test_a_key_within_the_window_is_a_repeat_through_a_snapshot():
    lead = _busy_lead(KEY_WINDOW + 5)
    restored = Lead.from_snapshot(_json(lead.to_snapshot()))

    outcome = restored.log_activity(
        kind=ActivityKind.CALL, at=at(9), actor="kim", idempotency_key="call-10"
    )

    assert outcome.repeated
    assert outcome.event == lead.history[11]
    assert outcome.lead is restored


def test_a_retry_without_a_date_compares_with_the_date_in_force_before_its_event():
    order = packed()
    shipped = order.ship(carrier="DHL", tracking_number="JD1", at=at(10), idempotency_key="s1")
    later = shipped.order.transit(location="Leeds", at=at(11)).order
    later = later.transit(location="York", at=at(12)).order
    restored = Order.from_snapshot(_json(later.to_snapshot()))

    again = restored.ship(carrier="DHL", tracking_number="JD1", at=at(13), idempotency_key="s1")

    assert again.repeated
    assert again.event == shipped.event
    assert again.notification == shipped.notification


def test_a_carrier_scan_that_applied_two_events_is_recognised_through_a_snapshot():
    update = CarrierUpdate(
        vocabulary="easypost",
        code="in_transit",
        tracking_number="JD7",
        at=at(10),
        carrier="DHL",
        location="Leeds",
    )
    first = apply_carrier_update(packed(), update, idempotency_key="hook-1")
    moved = first.order.transit(location="York", at=at(11)).order
    restored = Order.from_snapshot(_json(moved.to_snapshot()))

    again = apply_carrier_update(restored, update, idempotency_key="hook-1")

    assert again.repeated
    assert [o.event for o in again.outcomes] == [o.event for o in first.outcomes]


def test_a_snapshot_edited_anywhere_is_refused_naming_its_digest():
    snapshot = _json(packed().to_snapshot())
    snapshot["first"]["customer"]["name"] = "Mallory"

    with pytest.raises(InvalidField) as caught:
        Order.from_snapshot(snapshot)

    assert caught.value.field == "snapshot.digest"


def test_a_snapshot_edited_into_nonsense_is_refused_naming_the_field():
    snapshot = _json(packed().to_snapshot())
    snapshot["state"]["status"] = "teleported"

    with pytest.raises(InvalidField) as caught:
        Order.from_snapshot(snapshot)

    assert caught.value.field == "snapshot.state.status"


def test_an_inconsistent_snapshot_is_refused_even_with_a_matching_digest():
    snapshot = _json(packed().to_snapshot())
    snapshot["state"]["resumes_to"] = "picking"  # packed, not delayed: nothing to resume to

    with pytest.raises(InvalidField) as caught:
        Order.from_snapshot(_resealed(snapshot))

    assert caught.value.field == "snapshot.state.resumes_to"


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda s: s.update(extra=1), "snapshot.extra"),
        (lambda s: s.update(schema="salesflow.order/1"), "snapshot.schema"),
        (lambda s: s.update(version="4"), "snapshot.version"),
        (lambda s: s.update(keys=[["k", 99]]), "snapshot.keys[0]"),
        (lambda s: s["recent"].append([3, "x", {}]), "snapshot.recent[-1]"),
    ],
)
def test_a_malformed_snapshot_is_refused_naming_the_path(edit, field):
    snapshot = _json(packed().to_snapshot())
    edit(snapshot)

    with pytest.raises(InvalidField) as caught:
        Order.from_snapshot(snapshot)

    assert caught.value.field == field.replace("-1", str(len(snapshot["recent"]) - 1))


def test_an_altered_recent_event_is_refused_when_a_retry_reads_it():
    order = packed().ship(carrier="DHL", tracking_number="JD1", at=at(10), idempotency_key="s1")
    snapshot = _json(order.order.transit(location="Leeds", at=at(11)).order.to_snapshot())
    entry = next(e for e in snapshot["recent"] if e[2].get("idempotency_key") == "s1")
    entry[2]["carrier"] = "UPS"  # the entry's own digest no longer matches
    restored = Order.from_snapshot(_resealed(snapshot))

    with pytest.raises(InvalidField) as caught:
        restored.ship(carrier="UPS", tracking_number="JD1", at=at(12), idempotency_key="s1")

    assert caught.value.field.startswith("snapshot.recent[")


def test_a_tail_event_that_may_not_follow_is_refused_naming_it():
    order = in_transit()
    snapshot = _json(Order.replay(order.history[:3]).to_snapshot())
    tail = [_json(event.to_dict()) for event in order.history[4:]]  # one missing

    with pytest.raises(InvalidField) as caught:
        Order.from_snapshot(snapshot, tail=tail)

    assert caught.value.field == "tail[0].version"


def test_a_tail_that_is_not_a_list_of_events_is_refused():
    snapshot = _json(packed().to_snapshot())

    with pytest.raises(InvalidType) as caught:
        Order.from_snapshot(snapshot, tail="events")

    assert caught.value.field == "tail"


def test_a_snapshot_of_another_aggregate_kind_is_refused():
    with pytest.raises(InvalidField) as caught:
        Lead.from_snapshot(_json(packed().to_snapshot()))

    assert caught.value.field == "snapshot.schema"


def test_readings_of_the_whole_history_ask_for_replay():
    order = Order.from_snapshot(_json(in_transit().to_snapshot()))
    lead = Lead.from_snapshot(_json(lost_lead().to_snapshot()))

    with pytest.raises(InvalidField, match="replay"):
        order.time_in_statuses(at(100))
    with pytest.raises(InvalidField, match="replay"):
        lead.activities  # noqa: B018
    with pytest.raises(InvalidField, match="whole history"):
        average_order_value([order])
    with pytest.raises(InvalidField, match="replay"):
        order.to_dict()  # a partial history would not read back


def test_a_refused_command_leaves_a_restored_order_and_its_snapshot_as_they_were():
    restored = Order.from_snapshot(_json(packed().to_snapshot()))
    before = restored.to_snapshot()

    with pytest.raises(InvalidField):
        restored.ship(carrier="DHL", tracking_number=" ", at=at(10))

    assert restored.to_snapshot() == before
    assert restored.history == ()


def test_an_ownership_restored_from_a_snapshot_keeps_its_owners_and_handoffs():
    record = accepted()
    restored = Ownership.from_snapshot(_json(record.to_snapshot()))

    assert restored.owners == record.owners
    assert restored.handoffs == record.handoffs
    assert restored.sales_credit == record.sales_credit
    moved = restored.reassign(person="abe", at=record.updated_at + timedelta(hours=1))
    assert moved.ownership.person == "abe"
