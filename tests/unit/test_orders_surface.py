"""The orders package's public surface: 15 names, the rest importable from its module."""

from __future__ import annotations

import importlib
import types

import pytest

import salesflow.orders
from helpers import delayed_from, in_transit, placed
from salesflow.orders import Order
from salesflow.orders.order import SCHEMA

EXPORTED = {
    "CarrierUpdate",
    "Channel",
    "Customer",
    "Notification",
    "Order",
    "OrderLifecycle",
    "OrderLine",
    "OrderStatus",
    "ProcessingStep",
    "SupportContact",
    "allowed_events",
    "apply_carrier_update",
    "event_from_dict",
    "notification_from_dict",
    "replay_status",
}

FROM_THEIR_MODULE = {
    "salesflow.orders.events": ["OrderEvent", "OrderPlaced", "StatusChanged"],
    "salesflow.orders.lifecycle": ["INTERRUPTIBLE", "ORDER_EVENTS", "TRANSITIONS"],
    "salesflow.orders.notifications": [
        "NOTICE_TYPES",
        "CancelledNotice",
        "DelayedNotice",
        "DeliveredNotice",
        "InTransitNotice",
        "PackedNotice",
        "PickingNotice",
        "ProcessingNotice",
        "ReceivedNotice",
        "ShippedNotice",
    ],
    "salesflow.orders.carriers": ["CARRIER_VOCABULARIES", "CarrierResult", "IgnoredReason"],
    "salesflow.orders.order": ["SCHEMA", "OrderOutcome"],
}


def test_the_package_exports_exactly_its_fifteen_names():
    exported = set(salesflow.orders.__all__)

    assert exported == EXPORTED
    assert len(salesflow.orders.__all__) == 15


def test_the_package_re_exports_nothing_beyond_its_all():
    public = {
        name
        for name, value in vars(salesflow.orders).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }

    assert public == set(salesflow.orders.__all__)


@pytest.mark.parametrize(
    ("module", "name"),
    [(module, name) for module, names in FROM_THEIR_MODULE.items() for name in names],
)
def test_a_name_no_longer_exported_is_importable_from_its_module(module, name):
    assert hasattr(importlib.import_module(module), name)
    assert name not in salesflow.orders.__all__


@pytest.mark.parametrize("name", ["next_status", "order_event_from_dict", "Outcome", "SCHEMA"])
def test_a_removed_or_renamed_name_is_gone_from_the_package(name):
    assert not hasattr(salesflow.orders, name)


def test_the_schema_is_a_class_constant_of_order():
    order = placed()

    document = order.to_dict()

    assert Order.SCHEMA == SCHEMA == document["schema"]
    assert order.SCHEMA == Order.SCHEMA


def test_the_schema_is_not_an_attrs_field():
    assert "SCHEMA" not in {field.name for field in Order.__attrs_attrs__}


def test_every_event_has_to_dict():
    order = delayed_from(in_transit())

    documents = [event.to_dict() for event in order.history]

    assert [document["event"] for document in documents][-1] == "delay"
    assert all(isinstance(document, dict) for document in documents)
