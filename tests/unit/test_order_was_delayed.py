"""``Order.was_delayed``: whether an order was ever delayed, kept by the aggregate."""

from __future__ import annotations

import json
from datetime import date

import pytest

from helpers import at, delayed_from, in_transit, packed, placed, processing, shipped
from salesflow.orders import Order


def _delivered_after_a_delay() -> Order:
    resumed = delayed_from(in_transit()).resume(at=at(7)).order
    return resumed.deliver(at=at(8)).order


@pytest.mark.parametrize("build", [placed, processing, packed, shipped, in_transit], ids=str)
def test_an_order_never_delayed_was_not_delayed(build):
    order = build()

    assert order.was_delayed is False


def test_an_order_delivered_without_a_delay_was_not_delayed():
    order = in_transit().deliver(at=at(8)).order

    assert order.was_delayed is False


def test_a_cancelled_order_never_delayed_was_not_delayed():
    order = processing().cancel(reason="customer asked", at=at(2)).order

    assert order.was_delayed is False


@pytest.mark.parametrize("build", [processing, packed, shipped, in_transit], ids=str)
def test_a_delayed_order_was_delayed(build):
    order = delayed_from(build())

    assert order.was_delayed is True


def test_an_order_stays_delayed_once_it_resumes():
    order = delayed_from(packed()).resume(at=at(7)).order

    assert order.was_delayed is True


def test_an_order_delayed_then_delivered_was_delayed():
    order = _delivered_after_a_delay()

    assert order.was_delayed is True


def test_an_order_delayed_then_cancelled_was_delayed():
    order = delayed_from(packed())

    cancelled = order.cancel(reason="out of stock", at=at(7)).order

    assert cancelled.was_delayed is True


def test_delaying_twice_is_still_one_yes():
    once = delayed_from(shipped())
    twice = once.delay(reason="strike", estimated_delivery=date(2026, 12, 2), at=at(7)).order

    assert twice.was_delayed is True


def test_the_order_a_delay_came_from_is_unchanged():
    before = packed()

    delayed_from(before)

    assert before.was_delayed is False


@pytest.mark.parametrize("delayed", [True, False], ids=["delayed", "never delayed"])
def test_was_delayed_survives_a_round_trip_through_json(delayed):
    order = _delivered_after_a_delay() if delayed else in_transit().deliver(at=at(8)).order

    restored = Order.from_dict(json.loads(json.dumps(order.to_dict())))

    assert restored.was_delayed is delayed


@pytest.mark.parametrize("delayed", [True, False], ids=["delayed", "never delayed"])
def test_was_delayed_survives_a_replay_of_the_history(delayed):
    order = _delivered_after_a_delay() if delayed else in_transit().deliver(at=at(8)).order

    assert Order.replay(order.history).was_delayed is delayed
    assert Order(order.history).was_delayed is delayed
