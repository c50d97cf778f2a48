"""A metric over a period that has not ended at ``now`` says so; without ``now`` nothing changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType, Money, Period
from salesflow.leads import Lead
from salesflow.metrics import Amount, Ratio, Score
from salesflow.metrics.cycle import sales_cycle_length
from salesflow.metrics.managers import ManagerKPIs, manager_kpis
from salesflow.metrics.orders import (
    average_order_value,
    cancellation_rate,
    delay_rate,
    on_time_delivery_rate,
    order_status_request_share,
    time_in_status,
)
from salesflow.metrics.stages import lead_conversion_rate
from salesflow.orders import Customer, Order, OrderLine, ProcessingStep, SupportContact

MARCH = Period.month(2026, 3, "UTC")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MID_MARCH = datetime(2026, 3, 15, tzinfo=UTC)
END_OF_MARCH = MARCH.end  # the period has ended exactly then
BEFORE_MARCH = datetime(2026, 2, 20, tzinfo=UTC)


def order_row(at: datetime = T0, **changes: Any) -> dict[str, Any]:
    return {
        "placed_at": at,
        "amount": "10",
        "currency": "EUR",
        "status": None,
        "delayed": False,
        "delivered_at": None,
        **changes,
    }


def request_row(at: datetime = T0) -> dict[str, Any]:
    return {"request_id": 1, "topic": "order_status", "at": at}


def lead_row(at: datetime = T0, won: datetime | None = None, **changes: Any) -> dict[str, Any]:
    return {
        "lead_id": f"L-{at.isoformat()}",
        "created_at": at,
        "won_at": won,
        "manager": "ann",
        "revenue": "100",
        "currency": "EUR",
        **changes,
    }


def kpis(rows: list[dict[str, Any]], **options: Any) -> ManagerKPIs:
    return manager_kpis(rows, currency="EUR", **options)


# Each metric that takes a period, with rows dated at T0 and the field a row
# placed at a given time is read from (named when that time is after now).
METRICS = {
    "average order value": (average_order_value, order_row, "orders[1].placed_at"),
    "cancellation rate": (cancellation_rate, order_row, "orders[1].placed_at"),
    "delay rate": (delay_rate, order_row, "orders[1].placed_at"),
    "on-time delivery rate": (
        lambda rows, **options: on_time_delivery_rate(rows, zone="UTC", **options),
        order_row,
        "orders[1].placed_at",
    ),
    "order status request share": (order_status_request_share, request_row, "requests[1].at"),
    "sales cycle length": (sales_cycle_length, lead_row, "leads[1].created_at"),
    "lead conversion rate": (lead_conversion_rate, lead_row, "leads[1].created_at"),
    "manager KPIs": (kpis, lead_row, "leads[1].created_at"),
}


def flags(result: Any) -> set[bool]:
    """The result's flag, and for the KPI table the flag of every figure in it too."""
    found = {result.unfinished}
    if isinstance(result, ManagerKPIs):
        for kpi in result.values():
            found |= {
                kpi.sales_volume.unfinished,
                kpi.lead_conversion.unfinished,
                kpi.average_check.unfinished,
                kpi.meetings.unfinished,
                kpi.calls.unfinished,
                kpi.satisfaction.unfinished,
            }
    return found


def new_order(at: datetime = T0) -> Order:
    return Order.place(
        number="1",
        customer=Customer("c-1", "Ada"),
        lines=[OrderLine("MUG-1", "Mug", 1, Money("8", "EUR"))],
        estimated_delivery=date(2026, 3, 6),
        support=SupportContact(email="help@shop.example"),
        at=at,
    ).order


# -- the flag on the result values --------------------------------------------------------------


def share(**options: Any) -> Ratio:
    return Ratio(
        "order cancellation rate",
        3,
        40,
        variant="orders placed in 2026-03",
        formula="cancelled orders / orders placed",
        **options,
    )


def test_a_result_over_a_period_not_over_says_so_in_its_repr():
    result = share(unfinished=True)

    text = repr(result)

    assert text.endswith("= 0.075, period not over>")
    assert "period not over" not in repr(share())


def test_a_half_finished_result_never_equals_a_finished_one():
    assert share(unfinished=True) != share()
    assert share(unfinished=True) == share(unfinished=True)


def test_every_result_value_carries_the_flag_and_shows_it():
    score = Score("NPS", 10, 100, variant="v", formula="f", scale=100, unfinished=True)
    amount = Amount("AOV", Money("30", "EUR"), 2, variant="v", formula="r / o", unfinished=True)

    assert repr(score).endswith(", period not over>")
    assert repr(amount).endswith(", period not over>")
    assert not Score("NPS", 10, 100, variant="v", formula="f").unfinished


@pytest.mark.parametrize("flag", [1, "yes", None])
def test_the_flag_must_be_a_bool(flag):
    with pytest.raises(InvalidType, match="unfinished"):
        share(unfinished=flag)


# -- every metric that takes a period -----------------------------------------------------------


@pytest.mark.parametrize("name", METRICS)
def test_a_period_not_over_at_now_is_flagged(name):
    metric, row, _ = METRICS[name]

    result = metric([row()], period=MARCH, now=MID_MARCH)

    assert flags(result) == {True}


@pytest.mark.parametrize("name", METRICS)
@pytest.mark.parametrize("now", [END_OF_MARCH, END_OF_MARCH + timedelta(days=40)])
def test_a_period_that_has_ended_at_now_is_not_flagged(name, now):
    metric, row, _ = METRICS[name]

    result = metric([row()], period=MARCH, now=now)

    assert flags(result) == {False}


@pytest.mark.parametrize("name", METRICS)
def test_without_now_nothing_is_flagged_and_the_result_is_unchanged(name):
    metric, row, _ = METRICS[name]
    rows = [row(), row(T0 + timedelta(days=1))]

    without = metric(rows, period=MARCH)
    ended = metric(rows, period=MARCH, now=END_OF_MARCH)

    assert flags(without) == {False}
    assert without == ended


@pytest.mark.parametrize("name", METRICS)
def test_now_without_a_period_flags_nothing(name):
    metric, row, _ = METRICS[name]

    result = metric([row()], now=MID_MARCH)

    assert flags(result) == {False}


@pytest.mark.parametrize("name", METRICS)
def test_a_row_dated_after_now_is_refused_naming_the_row_and_the_field(name):
    metric, row, field = METRICS[name]
    rows = [row(), row(MID_MARCH + timedelta(seconds=1))]

    with pytest.raises(InvalidField, match="not after now") as caught:
        metric(rows, period=MARCH, now=MID_MARCH)

    assert caught.value.field == field


@pytest.mark.parametrize("name", METRICS)
def test_a_row_outside_the_period_is_checked_against_now_too(name):
    metric, row, field = METRICS[name]
    rows = [row(), row(datetime(2026, 5, 1, tzinfo=UTC))]

    with pytest.raises(InvalidField) as caught:
        metric(rows, period=MARCH, now=MID_MARCH)

    assert caught.value.field == field


@pytest.mark.parametrize("name", METRICS)
def test_a_naive_now_is_refused_naming_now(name):
    metric, row, _ = METRICS[name]

    with pytest.raises(InvalidType) as caught:
        metric([row()], period=MARCH, now=datetime(2026, 3, 15))

    assert caught.value.field == "now"


@pytest.mark.parametrize("name", METRICS)
def test_a_now_before_the_period_counts_nothing_and_is_flagged(name):
    metric, row, _ = METRICS[name]
    earlier = row(BEFORE_MARCH - timedelta(days=1))

    result = metric([earlier], period=MARCH, now=BEFORE_MARCH)

    assert flags(result) == {True}
    assert result == metric([earlier], period=MARCH, now=BEFORE_MARCH)


def test_a_delivery_after_now_is_refused():
    rows = [order_row(delivered_at=MID_MARCH + timedelta(hours=1), promised_delivery="2026-03-20")]

    with pytest.raises(InvalidField) as caught:
        on_time_delivery_rate(rows, zone="UTC", period=MARCH, now=MID_MARCH)

    assert caught.value.field == "orders[0].delivered_at"


def test_a_win_after_now_is_refused():
    rows = [lead_row(won=MID_MARCH + timedelta(days=1))]

    with pytest.raises(InvalidField) as caught:
        lead_conversion_rate(rows, period=MARCH, now=MID_MARCH)

    assert caught.value.field == "leads[0].won_at"


@pytest.mark.parametrize("key", ["activities", "surveys"])
def test_an_activity_or_an_answer_after_now_is_refused(key):
    late = MID_MARCH + timedelta(minutes=1)
    records = {
        "activities": [{"manager": "ann", "kind": "call", "at": late}],
        "surveys": [{"manager": "ann", "score": 5, "at": late}],
    }

    with pytest.raises(InvalidField) as caught:
        kpis([lead_row()], period=MARCH, now=MID_MARCH, **{key: records[key]})

    assert caught.value.field == f"{key}[0].at"


def test_an_order_history_that_runs_past_now_is_refused_naming_the_event():
    order = new_order().process(step=ProcessingStep.STOCK_CHECK, at=MID_MARCH).order

    with pytest.raises(InvalidField) as as_order:
        cancellation_rate([order], period=MARCH, now=MID_MARCH - timedelta(hours=1))
    with pytest.raises(InvalidField) as as_events:
        cancellation_rate([list(order.history)], now=MID_MARCH - timedelta(hours=1))

    assert as_order.value.field == "orders[0].history[1].at"
    assert as_events.value.field == "orders[0][1].at"


def test_a_lead_history_that_runs_past_now_is_refused_naming_the_event():
    lead = Lead.create(lead_id="L-1", source="inbound", at=T0).lead
    lead = lead.advance(at=MID_MARCH, actor="ann").lead

    with pytest.raises(InvalidField) as caught:
        sales_cycle_length([lead], period=MARCH, now=T0 + timedelta(days=1))

    assert caught.value.field == "leads[0].history[1].at"


# -- the aggregate results show the flag --------------------------------------------------------


def test_status_times_over_a_period_not_over_say_so_in_the_table_and_the_repr():
    times = time_in_status([new_order()], now=MID_MARCH, period=MARCH)

    heading = times.format().splitlines()[0]

    assert times.unfinished
    assert "period not over at 2026-03-15T00:00:00+00:00" in heading
    assert repr(times).endswith(", period not over>")


def test_status_times_over_an_ended_period_or_all_orders_are_not_flagged():
    ended = time_in_status([new_order()], now=END_OF_MARCH, period=MARCH)
    everything = time_in_status([new_order()], now=MID_MARCH)

    assert not ended.unfinished
    assert not everything.unfinished
    assert "not over" not in ended.format() + everything.format()


def test_the_sales_cycle_of_a_period_not_over_says_so_and_so_does_its_mean():
    rows = [lead_row(won=T0 + timedelta(days=2))]

    cycle = sales_cycle_length(rows, period=MARCH, now=MID_MARCH)

    assert repr(cycle).endswith(", period not over>")
    assert cycle.mean_days.unfinished


def test_the_kpi_table_of_a_period_not_over_says_so_in_its_heading():
    table = kpis([lead_row(won=T0)], period=MARCH, now=MID_MARCH)

    heading = table.format().splitlines()[0]

    assert heading.startswith("Manager KPIs (2026-03, period not over,")
    assert "period not over" in repr(table)
    assert "not over" not in kpis([lead_row(won=T0)], period=MARCH).format()


def test_a_kpi_table_without_a_period_cannot_be_unfinished():
    with pytest.raises(InvalidField, match="unfinished"):
        ManagerKPIs(currency="EUR", period=None, managers=(), unassigned=0, unfinished=True)


# -- the law: now only flags ----------------------------------------------------------------------


@given(
    placed=st.lists(st.integers(min_value=0, max_value=60 * 24), max_size=8),
    later=st.integers(min_value=0, max_value=60 * 24 * 60),
)
def test_now_changes_nothing_but_the_flag_and_the_flag_is_the_period_not_ended(placed, later):
    rows = [order_row(datetime(2026, 2, 25, tzinfo=UTC) + timedelta(hours=h)) for h in placed]
    now = datetime(2026, 2, 25, tzinfo=UTC) + timedelta(hours=max(placed, default=0) + later)

    result = cancellation_rate(rows, period=MARCH, now=now)
    plain = cancellation_rate(rows, period=MARCH)

    assert result.unfinished == (now < MARCH.end)
    assert (result.numerator, result.denominator) == (plain.numerator, plain.denominator)
