"""Tampered documents and bad input on orders, money and errors (issue 10, sections 5 and 6)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from helpers import ETA, T0, at, delayed_from, in_transit, processing
from salesflow import (
    CurrencyMismatch,
    InvalidField,
    InvalidType,
    Money,
    SalesflowError,
)
from salesflow.leads import Lead, LeadSource
from salesflow.orders import (
    Customer,
    Order,
    OrderLine,
    SupportContact,
    event_from_dict,
    notification_from_dict,
)
from salesflow.orders.events import OrderPlaced
from salesflow.routing import Ownership, Role


def _paths(document: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping inside ``document``, with its path as error messages write it."""
    if isinstance(document, dict):
        yield path, document
        for name, value in document.items():
            yield from _paths(value, f"{path}.{name}" if path else name)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _paths(value, f"{path}[{index}]")


def _find(document: Any, path: str) -> dict[str, Any]:
    return dict(_paths(document))[path]


def _full_order() -> Order:
    order = delayed_from(processing(), hours=2).resume(at=at(3)).order
    order = order.pick(at=at(4)).order.pack(at=at(5)).order
    order = order.ship(
        carrier="DHL", tracking_number="JD01", tracking_url="https://t.example", at=at(6)
    ).order
    order = order.transit(location="Hub", at=at(7)).order
    return order.deliver(at=at(9), reported_at=at(8), proof="signed", idempotency_key="d").order


def _notices() -> list[Any]:
    order = _full_order()
    notices = [order._notice(event) for event in order.history]
    cancelled = processing().cancel(reason="customer asked", at=at(2))
    return [*notices, cancelled.notification]


READERS: list[tuple[str, Callable[[], dict[str, Any]], Callable[[Any], Any]]] = [
    ("order", lambda: _full_order().to_dict(), Order.from_dict),
    *[
        (f"notice-{n.status.value}-{i}", lambda n=n: n.to_dict(), notification_from_dict)
        for i, n in enumerate(_notices())
    ],
    (
        "lead",
        lambda: Lead.create(
            lead_id="L", source=LeadSource.INBOUND, at=T0, deal_value=Money("1", "EUR")
        ).lead.to_dict(),
        Lead.from_dict,
    ),
    (
        "ownership",
        lambda: (
            Ownership.start(lead_id="L", role=Role.QUALIFIER, person="q", at=T0)
            .ownership.hand_off(to_role=Role.CLOSER, at=at(1))
            .ownership.to_dict()
        ),
        Ownership.from_dict,
    ),
    ("event", lambda: _full_order().history[0].to_dict(), event_from_dict),
    ("money", lambda: Money("1.50", "EUR").to_dict(), Money.from_dict),
    ("customer", lambda: Customer("c", "Ada").to_dict(), Customer.from_dict),
    (
        "line",
        lambda: OrderLine("S", "N", 1, Money("1", "EUR")).to_dict(),
        OrderLine.from_dict,
    ),
    ("support", lambda: SupportContact(email="a@b.example").to_dict(), SupportContact.from_dict),
]
# Lead and ownership events are read by their own modules; their top level is read here.
CASES = [
    pytest.param(build, read, path, id=f"{name}:{path or '<top>'}")
    for name, build, read in READERS
    for path, _ in _paths(build())
    if name not in ("lead", "ownership") or path == ""
]


@pytest.mark.parametrize(("build", "read", "path"), CASES)
def test_a_key_added_anywhere_in_a_document_is_refused_naming_it(build, read, path):
    document = json.loads(json.dumps(build()))
    read(copy.deepcopy(document))  # the untouched document reads
    _find(document, path)["added_by_someone"] = "x"

    with pytest.raises(InvalidField) as caught:
        read(document)

    assert caught.value.field.endswith("added_by_someone")


@pytest.mark.parametrize("bad", ["yes", 1, 0, None, "false", [True]])
def test_a_notice_whose_resumed_is_not_a_boolean_is_refused(bad):
    document = processing().pick(at=at(2)).notification.to_dict()
    document["resumed"] = bad

    with pytest.raises(InvalidType, match="resumed"):
        notification_from_dict(document)


def test_a_received_notice_whose_items_mix_currencies_is_refused():
    document = Order.place(
        number="1",
        customer=Customer("c", "Ada"),
        lines=[
            OrderLine("A", "Tea", 1, Money("2", "USD")),
            OrderLine("B", "Mug", 1, Money("3", "USD")),
        ],
        estimated_delivery=ETA,
        support=SupportContact(email="help@shop.example"),
        at=T0,
    ).notification.to_dict()
    document["items"][1]["unit_price"]["currency"] = "GBP"

    with pytest.raises(CurrencyMismatch, match=r"items\[1\]\.unit_price\.currency"):
        notification_from_dict(document)


def test_a_received_notice_with_items_that_are_not_a_list_is_refused():
    document = Order.place(
        number="1",
        customer=Customer("c", "Ada"),
        lines=[OrderLine("A", "Tea", 1, Money("2", "USD"))],
        estimated_delivery=ETA,
        support=SupportContact(email="help@shop.example"),
        at=T0,
    ).notification.to_dict()
    document["items"] = document["items"][0]

    with pytest.raises(InvalidType, match=r"^items: "):
        notification_from_dict(document)


@pytest.mark.parametrize("bad", [None, 7, 1.5, "MUG", b"MUG", {"sku": "x"}, object()])
def test_place_refuses_lines_that_are_not_a_list_naming_lines(bad):
    with pytest.raises(InvalidType, match=r"^lines: "):
        Order.place(
            number="1",
            customer=Customer("c", "Ada"),
            lines=bad,
            estimated_delivery=ETA,
            support=SupportContact(email="help@shop.example"),
            at=T0,
        )


@pytest.mark.parametrize("bad", [None, 7, 1.5, "MUG"])
def test_an_order_placed_event_refuses_lines_that_are_not_a_list(bad):
    with pytest.raises(InvalidType, match="lines"):
        OrderPlaced(
            order_number="1",
            at=T0,
            actor="a",
            customer=Customer("c", "Ada"),
            lines=bad,
            amount_due=Money("1", "EUR"),
            estimated_delivery=ETA,
            support=SupportContact(email="help@shop.example"),
        )


def test_a_line_of_an_amount_outside_the_range_is_refused_before_any_notice():
    with pytest.raises(InvalidField, match=r"^amount: "):
        OrderLine("A", "Gold", 1, Money("1E+26", "EUR"))


def test_error_messages_name_the_parameter_the_caller_wrote():
    order = processing()

    with pytest.raises(InvalidField) as step:
        order.process(step="bogus", at=at(2))
    with pytest.raises(InvalidField) as key:
        order.pick(at=at(2), idempotency_key=" ")
    with pytest.raises(InvalidField) as rounding:
        Money("1", "EUR").rounded("bogus")

    assert str(step.value).startswith("step: got 'bogus'")
    assert str(key.value).startswith("idempotency_key: got ' '")
    assert str(rounding.value).startswith("rounding: got 'bogus'")


def test_a_refused_carrier_like_step_leaves_the_in_transit_order_unchanged():
    order = in_transit()
    document = order.to_dict()

    with pytest.raises(SalesflowError):
        order.delay(reason="storm", estimated_delivery=date(2020, 1, 1), at=at(9))

    assert order.to_dict() == document
    assert order.version == 6


@pytest.mark.parametrize("bad", [None, "", "  ", 1001])
def test_place_names_the_number_parameter_when_it_is_bad(bad):
    with pytest.raises(InvalidField, match=r"^OrderPlaced: number: "):
        Order.place(
            number=bad,
            customer=Customer("c", "Ada"),
            lines=[OrderLine("A", "Tea", 1, Money("2", "USD"))],
            estimated_delivery=ETA,
            support=SupportContact(email="help@shop.example"),
            at=T0,
        )


def test_a_line_whose_total_leaves_the_supported_range_is_refused_naming_quantity():
    with pytest.raises(InvalidField, match=r"^quantity: "):
        OrderLine("A", "Gold", 10**30, Money("1", "EUR"))


def test_lines_whose_sum_leaves_the_supported_range_are_refused_naming_lines():
    big = OrderLine("A", "Gold", 1, Money("1E+18", "EUR"))

    with pytest.raises(InvalidField, match=r"^lines: "):
        Order.place(
            number="1",
            customer=Customer("c", "Ada"),
            lines=[big, big],
            estimated_delivery=ETA,
            support=SupportContact(email="help@shop.example"),
            at=T0,
        )
