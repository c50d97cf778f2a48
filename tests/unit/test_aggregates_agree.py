"""The three aggregates refuse the same malformed input the same way."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from salesflow import Money
from salesflow.errors import InvalidField
from salesflow.leads import Lead
from salesflow.leads.events import event_from_dict as lead_event_from_dict
from salesflow.orders import Customer, Order, OrderLine, SupportContact
from salesflow.orders.events import event_from_dict as order_event_from_dict
from salesflow.routing import Ownership
from salesflow.routing.events import event_from_dict as ownership_event_from_dict

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _order() -> Order:
    return Order.place(
        number="A-1",
        customer=Customer("C-1", "Ada"),
        lines=[OrderLine("SKU", "mug", 1, Money("9.50", "EUR"))],
        estimated_delivery=date(2026, 11, 30),
        support=SupportContact(email="help@example.com"),
        at=T0,
    ).order


def _lead() -> Lead:
    return Lead.create(lead_id="L-1", source="inbound", at=T0).lead


def _ownership() -> Ownership:
    return Ownership.start(lead_id="L-1", role="qualifier", person="quinn", at=T0).ownership


AGGREGATES = [
    pytest.param(_order, Order.from_dict, order_event_from_dict, "place", id="order"),
    pytest.param(_lead, Lead.from_dict, lead_event_from_dict, "create", id="lead"),
    pytest.param(
        _ownership, Ownership.from_dict, ownership_event_from_dict, "start", id="ownership"
    ),
]


@pytest.mark.parametrize(("make", "from_dict", "reader", "first"), AGGREGATES)
def test_an_unknown_document_key_is_refused_first_naming_it(make, from_dict, reader, first):
    document = {**json.loads(json.dumps(make().to_dict())), "note": "added", "history": "x"}

    with pytest.raises(InvalidField) as caught:
        from_dict(document)

    assert caught.value.field == "document.note"
    assert caught.value.expected.startswith("no such key (allowed: ")


@pytest.mark.parametrize(("make", "from_dict", "reader", "first"), AGGREGATES)
def test_an_unknown_event_name_is_named_with_the_valid_ones(make, from_dict, reader, first):
    with pytest.raises(InvalidField) as caught:
        reader({"event": "bogus"}, field="history[1]")

    assert caught.value.field == "history[1].event"
    assert caught.value.value == "bogus"
    assert caught.value.expected.startswith(f"one of {first}, ")


@pytest.mark.parametrize(("make", "from_dict", "reader", "first"), AGGREGATES)
def test_a_missing_event_name_lists_the_valid_ones(make, from_dict, reader, first):
    with pytest.raises(InvalidField) as caught:
        reader({})

    assert caught.value.field == "event.event"
    assert caught.value.expected.startswith(f"one of {first}, ")
    assert caught.value.expected.endswith("(it is missing)")
