"""``Order.time_in_statuses(now)``: the order's stays per status, which ``time_in_status`` reads."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from helpers import at, delayed_from, in_transit, packed, placed, processing
from salesflow import InvalidField, InvalidType
from salesflow.metrics import time_in_status
from salesflow.orders import Order, OrderStatus

HOUR = timedelta(hours=1)


def test_each_status_holds_the_stays_up_to_now_and_the_current_one_is_ongoing():
    order = packed()  # received 0-1, processing 1-2, picking 2-3, packed since 3

    times = order.time_in_statuses(at(10))

    assert list(times) == [
        OrderStatus.RECEIVED,
        OrderStatus.PROCESSING,
        OrderStatus.PICKING,
        OrderStatus.PACKED,
    ]
    assert times[OrderStatus.RECEIVED].total == HOUR
    assert times[OrderStatus.RECEIVED].ongoing == 0
    assert times[OrderStatus.PACKED].total == 7 * HOUR
    assert times[OrderStatus.PACKED].ongoing == 1
    assert sum((d.total for d in times.values()), timedelta(0)) == at(10) - order.placed_at


def test_a_status_left_and_entered_again_has_one_span_per_stay():
    order = delayed_from(packed(), hours=6).resume(at=at(8)).order  # packed 3-6, then 8-

    times = order.time_in_statuses(at(9))

    packed_stays = times[OrderStatus.PACKED]
    assert packed_stays.count == 2
    assert packed_stays.spans == (HOUR, 3 * HOUR)
    assert packed_stays.total == 4 * HOUR
    assert packed_stays.ongoing == 1
    assert times[OrderStatus.DELAYED].total == 2 * HOUR
    assert times[OrderStatus.DELAYED].counted == "stays"


@pytest.mark.parametrize(
    "finish",
    [
        lambda: in_transit().deliver(at=at(8)).order,
        lambda: processing().cancel(reason="ordered twice", at=at(2)).order,
    ],
    ids=["delivered", "cancelled"],
)
def test_a_final_status_measures_no_time_and_nothing_is_ongoing(finish):
    order = finish()

    times = order.time_in_statuses(at(100))

    assert order.status not in times
    assert all(durations.ongoing == 0 for durations in times.values())


def test_a_just_placed_order_is_received_up_to_now():
    times = placed().time_in_statuses(at(2))

    assert dict(times) == {OrderStatus.RECEIVED: times[OrderStatus.RECEIVED]}
    assert times[OrderStatus.RECEIVED].spans == (2 * HOUR,)


def test_now_must_be_aware_and_not_before_the_latest_change():
    order = packed()

    with pytest.raises(InvalidType) as naive:
        order.time_in_statuses(datetime(2026, 11, 24, 9, 0))
    with pytest.raises(InvalidField, match="on or after the latest change") as early:
        order.time_in_statuses(at(2))

    assert naive.value.field == "now"
    assert early.value.field == "now"


def test_now_in_another_zone_is_the_same_instant():
    order = packed()
    elsewhere = at(10).astimezone(timezone(timedelta(hours=-5)))

    assert order.time_in_statuses(elsewhere) == order.time_in_statuses(at(10))


def test_the_stays_survive_the_document_and_replay():
    order = delayed_from(packed()).resume(at=at(8)).order

    expected = order.time_in_statuses(at(9))

    assert Order.from_dict(order.to_dict()).time_in_statuses(at(9)) == expected
    assert Order.replay(order.history).time_in_statuses(at(9)) == expected


def test_time_in_status_adds_up_each_orders_stays():
    orders = [packed(), delayed_from(packed()).resume(at=at(8)).order, placed("1002")]

    result = time_in_status(orders, now=at(12))

    stays = [order.time_in_statuses(at(12)) for order in orders]
    for status in result:
        mine = [times[status] for times in stays if status in times]
        assert result[status].spans == tuple(sorted(durations.total for durations in mine))
        assert result[status].ongoing == sum(durations.ongoing for durations in mine)
