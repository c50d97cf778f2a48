"""Orders decide on UTC instants: the zone an instant is written in never changes an outcome.

Issue 10, section 1 (orders): the "time going backwards" check, carrier scan
ordering and the delivery time are computed on UTC instants, so the same
instants written in any zone (both folds of a repeated hour included) give
the same outcomes. Only calendar questions (the day of a change, for a date
not before it) read the wall clock, and the law keeps dates well clear of them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from salesflow import InvalidField, Money, SalesflowError
from salesflow._zones import utc
from salesflow.orders import (
    CarrierUpdate,
    Customer,
    Order,
    OrderLine,
    ProcessingStep,
    SupportContact,
    apply_carrier_update,
)
from strategies import CLOCK_CHANGE_ZONES, CLOCK_CHANGES, written_in

BERLIN = ZoneInfo("Europe/Berlin")

# What each step does, given the order so far, the instant (written in a zone) and a date.
STEPS = (
    "process",
    "pick",
    "pack",
    "scan_transit_a",
    "scan_transit_b",
    "delay",
    "scan_problem",
    "scan_transit_c",
    "scan_delivered",
)


def _place(when: datetime, eta: date) -> Order:
    return Order.place(
        number="1001",
        customer=Customer("c-1", "Ada"),
        lines=[OrderLine("MUG-1", "Blue mug", 1, Money("8.50", "EUR"))],
        estimated_delivery=eta,
        support=SupportContact(email="help@shop.example"),
        at=when,
    ).order


def _scan(code: str, when: datetime, **extra: Any) -> CarrierUpdate:
    return CarrierUpdate(
        vocabulary="aftership", code=code, tracking_number="JD01", at=when, carrier="DHL", **extra
    )


def _step(order: Order, step: str, when: datetime, far: date) -> tuple[Order, tuple[Any, ...]]:
    if step == "process":
        out = order.process(step=ProcessingStep.STOCK_CHECK, at=when)
    elif step == "pick":
        out = order.pick(at=when)
    elif step == "pack":
        out = order.pack(at=when)
    elif step == "delay":
        out = order.delay(reason="storm", estimated_delivery=far, at=when)
    else:
        code, _, where = step.removeprefix("scan_").partition("_")
        update = {
            "transit": lambda: _scan("InTransit", when, location=f"hub {where}"),
            "problem": lambda: _scan("Exception", when, estimated_delivery=far, message="storm"),
            "delivered": lambda: _scan("Delivered", when),
        }[code]()
        result = apply_carrier_update(order, update)
        kinds = tuple(o.event.event for o in result.outcomes)
        return result.order, ("carrier", kinds, result.reason)
    return out.order, ("command", out.event.event, out.order.version)


def _story(instants: list[datetime], zone: Any) -> list[Any]:
    """Everything observable about running the steps at ``instants`` written in ``zone``."""
    far = (max(instants) + timedelta(days=10)).date()
    order = _place(written_in(instants[0], zone), far)
    seen: list[Any] = []
    for step, instant in zip(STEPS, instants[1:], strict=False):
        before = order.to_dict()
        try:
            order, what = _step(order, step, written_in(instant, zone), far)
        except SalesflowError as err:
            assert order.to_dict() == before  # a refused step changed nothing
            what = ("refused", type(err).__name__)
        seen.append((step, what))
    seen.append(("history", [(e.event, e.version, utc(e.at)) for e in order.history]))
    seen.append(("status", order.status, order.version, order.estimated_delivery))
    seen.append(("updated_at", utc(order.updated_at)))
    delivered = order.delivered_at
    seen.append(("delivered_at", None if delivered is None else utc(delivered)))
    reported = order.carrier_reported_at
    seen.append(("reported", None if reported is None else utc(reported)))
    return seen


# Instants around one clock change: the first up to 2.5 hours before it, each
# next one minutes after the one before (so that runs cross a repeated or a
# skipped hour), now and then a day later, or up to an hour before it (a late
# scan, a command back in time).
instant_lists = st.builds(
    lambda change, start, steps: [
        change + timedelta(minutes=start + sum(steps[:i])) for i in range(len(steps) + 1)
    ],
    st.sampled_from(CLOCK_CHANGES),
    st.integers(min_value=-150, max_value=30),
    st.lists(
        st.integers(min_value=1, max_value=50)
        | st.integers(min_value=-60, max_value=-1)
        | st.integers(min_value=60, max_value=36 * 60),
        min_size=len(STEPS),
        max_size=len(STEPS),
    ),
)

# The issue's example: 02:45 then 02:15 on the second pass of Berlin's repeated hour.
ISSUE_EXAMPLE = [
    datetime(2026, 10, 25, 0, 45, tzinfo=UTC) + timedelta(minutes=30 * i) for i in range(10)
]


@example(instants=ISSUE_EXAMPLE)
@given(instants=instant_lists)
@settings(max_examples=200, deadline=None)
def test_the_same_instants_in_every_zone_give_the_same_order_outcomes(instants):
    stories = {str(zone): _story(instants, zone) for zone in CLOCK_CHANGE_ZONES}

    reference = stories.pop(str(UTC))
    for zone, story in stories.items():
        assert story == reference, zone


def test_a_change_half_an_hour_later_in_the_repeated_autumn_hour_is_accepted():
    # Berlin, 2026-10-25: 02:45 (first pass, 00:45 UTC), then 02:15 (second pass, 01:15 UTC).
    placed_at = datetime(2026, 10, 25, 2, 45, tzinfo=BERLIN)
    later = datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=BERLIN)
    order = _place(placed_at, date(2026, 10, 30))

    processed = order.process(step=ProcessingStep.STOCK_CHECK, at=later).order

    assert processed.version == 2
    assert utc(processed.updated_at) - utc(order.updated_at) == timedelta(minutes=30)


def test_a_change_fifteen_minutes_earlier_in_the_repeated_hour_is_refused():
    # 02:15 on the second pass (01:15 UTC), then 02:45 on the first pass (00:45 UTC): earlier.
    order = _place(datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=BERLIN), date(2026, 10, 30))

    with pytest.raises(InvalidField, match="on or after the latest change"):
        order.process(
            step=ProcessingStep.STOCK_CHECK, at=datetime(2026, 10, 25, 2, 45, tzinfo=BERLIN)
        )


def test_a_carrier_scan_after_the_latest_change_in_the_repeated_hour_is_not_late():
    shipped = _place(datetime(2026, 10, 24, 9, tzinfo=BERLIN), date(2026, 10, 30))
    shipped = shipped.process(
        step=ProcessingStep.STOCK_CHECK, at=datetime(2026, 10, 24, 10, tzinfo=BERLIN)
    ).order
    shipped = shipped.pick(at=datetime(2026, 10, 24, 11, tzinfo=BERLIN)).order
    shipped = shipped.pack(at=datetime(2026, 10, 24, 12, tzinfo=BERLIN)).order
    shipped = shipped.ship(
        carrier="DHL", tracking_number="JD01", at=datetime(2026, 10, 25, 2, 45, tzinfo=BERLIN)
    ).order

    result = apply_carrier_update(
        shipped,
        _scan("InTransit", datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=BERLIN), location="Hub"),
    )

    assert result.applied
    assert utc(result.order.updated_at) == datetime(2026, 10, 25, 1, 15, tzinfo=UTC)
