"""A bad-input hunt on the backend-facing API (issue 13): each test is a finding, or a check that held.

Snapshots edited, retyped, resealed, read back through other JSON readers;
command bodies read with other dict types; dates in forms the docs do not
promise. Every refusal is a ``SalesflowError`` naming the path.
"""

from __future__ import annotations

import json
import random
from collections import OrderedDict
from typing import Any

import pytest

from fuzz.samples import (
    accepted,
    at,
    delayed,
    delivered,
    in_transit,
    lost_lead,
    packed,
    place_kwargs,
    placed,
    won_lead,
)
from salesflow import Command, InvalidField, InvalidType, SalesflowError
from salesflow._snapshot import _ENCODE, KEY_WINDOW, _sealed
from salesflow.errors import CorruptDocument
from salesflow.leads import ActivityKind, Lead
from salesflow.orders import Customer, Order

MAKERS = [packed, in_transit, delayed, delivered, lost_lead, won_lead, accepted]


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _resealed(snapshot: dict[str, Any]) -> dict[str, Any]:
    """``snapshot`` with its digest made to match again: a forged, not an edited, snapshot."""
    body = {name: value for name, value in snapshot.items() if name not in ("digest", "first")}
    body["recent"] = [[version, digest] for version, digest, _ in snapshot["recent"]]
    return {**snapshot, "digest": _sealed(_ENCODE(snapshot["first"]), body)}


def _refusal(thunk: Any) -> SalesflowError:
    with pytest.raises(SalesflowError) as caught:
        thunk()
    json.dumps(caught.value.to_dict())
    return caught.value


def _shuffled(value: Any, rng: random.Random) -> Any:
    """``value`` with every object's keys in another order, as JSONB gives them back."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {key: _shuffled(item, rng) for key, item in items}
    if isinstance(value, list):
        return [_shuffled(item, rng) for item in value]
    return value


# -- lone surrogates (JSON's "\ud800" reads as one) -----------------------------------------


def test_an_order_whose_customer_name_holds_a_lone_surrogate_writes_and_restores_its_snapshot():
    kwargs = {**place_kwargs(), "customer": Customer("cust-1", "Ad\ud800a")}
    order = Order.place(**kwargs).order.process(step="stock_check", at=at(1)).order

    snapshot = json.loads(json.dumps(order.to_snapshot()))
    restored = Order.from_snapshot(snapshot)

    assert restored.customer.name == "Ad\ud800a"
    assert restored.to_snapshot() == order.to_snapshot()


def test_a_snapshot_with_a_lone_surrogate_edited_in_is_refused_naming_its_digest():
    snapshot = _json(packed().to_snapshot())
    snapshot["state"]["carrier"] = "\ud800"

    error = _refusal(lambda: Order.from_snapshot(snapshot))

    assert isinstance(error, CorruptDocument)
    assert error.field == "snapshot.digest"


# -- NaN, Infinity and deep nesting (json.loads reads them) --------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("state", "carrier"), "snapshot.state.carrier"),
        (("state", "delayed"), "snapshot.state.delayed"),
        (("first", "actor"), "snapshot.first.actor"),
        (("number",), "snapshot.digest"),
    ],
)
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_a_snapshot_with_a_non_finite_number_edited_in_is_refused_as_corrupt(path, field, number):
    snapshot = _json(packed().to_snapshot())
    target = snapshot
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = json.loads(number)

    error = _refusal(lambda: Order.from_snapshot(snapshot))

    assert isinstance(error, CorruptDocument)
    assert error.field == field


def test_a_snapshot_nested_too_deep_to_encode_is_refused_as_corrupt_not_a_recursion_error():
    snapshot = _json(packed().to_snapshot())
    deep: list[Any] = []
    for _ in range(50_000):
        deep = [deep]
    snapshot["state"]["location"] = deep

    error = _refusal(lambda: Order.from_snapshot(snapshot))

    assert isinstance(error, CorruptDocument)
    assert error.field == "snapshot.state.location"


def test_a_recent_event_with_a_non_finite_number_is_refused_when_a_retry_reads_it():
    order = packed().ship(carrier="DHL", tracking_number="JD1", at=at(10), idempotency_key="s1")
    snapshot = _json(order.order.to_snapshot())
    entry = next(e for e in snapshot["recent"] if e[2].get("idempotency_key") == "s1")
    entry[2]["carrier"] = float("nan")
    restored = Order.from_snapshot(snapshot)  # recent events are checked when read

    error = _refusal(
        lambda: restored.ship(carrier="DHL", tracking_number="JD1", at=at(12), idempotency_key="s1")
    )

    assert isinstance(error, CorruptDocument)
    assert error.field.startswith("snapshot.recent[")


def test_an_altered_recent_event_read_by_a_retry_is_corrupt_stored_data_not_bad_input():
    order = packed().ship(carrier="DHL", tracking_number="JD1", at=at(10), idempotency_key="s1")
    snapshot = _json(order.order.transit(location="Leeds", at=at(11)).order.to_snapshot())
    entry = next(e for e in snapshot["recent"] if e[2].get("idempotency_key") == "s1")
    entry[2]["carrier"] = "UPS"
    restored = Order.from_snapshot(snapshot)

    error = _refusal(
        lambda: restored.ship(carrier="UPS", tracking_number="JD1", at=at(12), idempotency_key="s1")
    )

    assert isinstance(error, CorruptDocument)  # HTTP 500: the client did nothing wrong
    assert error.to_dict()["error"] == "corrupt_document"


# -- other JSON readers: OrderedDict, keys in another order --------------------------------


@pytest.mark.parametrize("make", MAKERS)
def test_a_snapshot_read_with_ordered_dicts_restores_the_same_aggregate(make):
    aggregate = make()
    text = json.dumps(aggregate.to_snapshot())

    restored = type(aggregate).from_snapshot(json.loads(text, object_pairs_hook=OrderedDict))

    assert restored.to_snapshot() == json.loads(text)
    assert restored.version == aggregate.version


@pytest.mark.parametrize("make", MAKERS)
def test_a_snapshot_whose_keys_come_back_in_another_order_restores_the_same_aggregate(make):
    aggregate = make()
    original = _json(aggregate.to_snapshot())

    restored = type(aggregate).from_snapshot(_shuffled(original, random.Random(13)))

    assert restored.to_snapshot() == original


def test_a_command_body_read_with_ordered_dicts_is_read_as_the_same_command():
    body = {
        "aggregate": "order",
        "command": "place",
        "number": "1001",
        "customer": {"id": "cust-1", "name": "Ada"},
        "lines": [
            {
                "sku": "MUG-1",
                "name": "Blue mug",
                "quantity": 2,
                "unit_price": {"amount": "8.50", "currency": "EUR"},
            }
        ],
        "estimated_delivery": "2026-11-27",
        "support": {"email": "help@shop.example"},
        "at": "2026-11-23T09:00:00+00:00",
    }

    read = Command.from_dict(json.loads(json.dumps(body), object_pairs_hook=OrderedDict))

    assert read == Command.from_dict(body)


def test_a_json_number_amount_inside_an_ordered_dict_body_is_still_refused_saying_why():
    line = OrderedDict(
        sku="MUG-1", name="Blue mug", quantity=2, unit_price=OrderedDict(amount=8.5, currency="EUR")
    )
    body = OrderedDict(
        aggregate="order",
        command="place",
        number="1001",
        customer=OrderedDict(id="cust-1", name="Ada"),
        lines=[line],
        estimated_delivery="2026-11-27",
        support=OrderedDict(email="help@shop.example"),
        at="2026-11-23T09:00:00+00:00",
    )

    error = _refusal(lambda: Command.from_dict(body))

    assert isinstance(error, InvalidType)
    assert error.field == "lines[0].unit_price.amount"


# -- resealed snapshots (a digest recomputed over an edit) ---------------------------------


@pytest.mark.parametrize("make", [packed, in_transit, lost_lead, accepted])
def test_a_resealed_snapshot_missing_an_event_it_needs_is_refused_at_restore(make):
    snapshot = _json(make().to_snapshot())
    snapshot["recent"] = [entry for entry in snapshot["recent"] if entry[0] != snapshot["version"]]

    error = _refusal(lambda: type(make()).from_snapshot(_resealed(snapshot)))

    assert isinstance(error, CorruptDocument)
    assert error.field == "snapshot.recent"


def test_a_resealed_snapshot_with_a_version_beyond_64_bits_is_refused_naming_it():
    snapshot = _json(placed().to_snapshot())
    snapshot["version"] = 2**70

    error = _refusal(lambda: Order.from_snapshot(_resealed(snapshot)))

    assert isinstance(error, CorruptDocument)
    assert error.field == "snapshot.version"


@pytest.mark.parametrize("value", [True, 1, ["in_transit"], {"status": "in_transit"}])
def test_a_resealed_snapshot_whose_interrupted_status_is_not_a_status_is_refused(value):
    snapshot = _json(delayed().to_snapshot())
    snapshot["state"]["resumes_to"] = value

    error = _refusal(lambda: Order.from_snapshot(_resealed(snapshot)))

    assert isinstance(error, CorruptDocument)
    assert error.field == "snapshot.state.resumes_to"


# -- dates in a form the docs do not promise -----------------------------------------------


@pytest.mark.parametrize("value", ["2026-W48-5", "2026-W485", "2026-11-2\uff17", "+2026-11-2"])
def test_a_date_that_is_not_yyyy_mm_dd_is_refused_naming_the_key(value):
    body = {
        "aggregate": "order",
        "command": "delay",
        "reason": "storm",
        "estimated_delivery": value,
        "at": "2026-11-23T09:00:00+00:00",
    }

    error = _refusal(lambda: Command.from_dict(body))

    assert isinstance(error, InvalidField)
    assert error.field == "estimated_delivery"


# -- what held: the key window, tails, final orders ----------------------------------------


def test_a_key_evicted_then_reused_gives_the_same_lead_through_replay_and_every_snapshot():
    lead = Lead.create(lead_id="L-9", source="inbound", at=at(0), idempotency_key="k0").lead
    for n in range(1, KEY_WINDOW + 3):
        lead = lead.log_activity(
            kind=ActivityKind.CALL, at=at(n), actor="kim", idempotency_key=f"k{n}"
        ).lead
    reused = lead.log_activity(
        kind=ActivityKind.EMAIL, at=at(50), actor="kim", idempotency_key="k1"
    )  # k1 left the window: a new command, not a repeat
    lead = reused.lead

    assert not reused.repeated
    assert Lead.replay(lead.history) == lead
    for cut in range(1, lead.version + 1):
        snapshot = _json(Lead.replay(lead.history[:cut]).to_snapshot())
        tail = [_json(event.to_dict()) for event in lead.history[cut:]]
        restored = Lead.from_snapshot(snapshot, tail=tail)
        assert restored.to_snapshot() == lead.to_snapshot()
        again = restored.log_activity(
            kind=ActivityKind.EMAIL, at=at(51), actor="kim", idempotency_key="k1"
        )
        assert again.repeated
        assert again.event == reused.event


def test_a_snapshot_of_a_final_order_refuses_any_tail_event_naming_it():
    order = delivered()
    snapshot = _json(order.to_snapshot())
    late = _json(order.history[-2].to_dict()) | {"version": order.version + 1}

    error = _refusal(lambda: Order.from_snapshot(snapshot, tail=[late]))

    assert isinstance(error, CorruptDocument)
    assert error.field.startswith("tail[0].")


@pytest.mark.parametrize("tail_of", [lost_lead, accepted])
def test_a_tail_of_another_aggregates_events_is_refused_naming_it(tail_of):
    snapshot = _json(Order.replay(in_transit().history[:3]).to_snapshot())
    tail = [_json(event.to_dict()) for event in tail_of().history[1:]]

    error = _refusal(lambda: Order.from_snapshot(snapshot, tail=tail))

    assert isinstance(error, CorruptDocument)
    assert error.field == "tail[0].event"
