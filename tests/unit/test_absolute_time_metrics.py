"""Metrics and periods in absolute time: the zone an instant is written in never matters.

Each law writes the same UTC instants in each of CLOCK_CHANGE_ZONES (both
folds of a repeated hour come out naturally) and requires identical results.
Calendar results may depend on the ``zone`` *argument*, never on the zone the
input datetimes were written in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from salesflow import InvalidField, Money, Period
from salesflow._zones import utc
from salesflow.leads import Lead, LeadSource
from salesflow.metrics import (
    cohort_retention,
    customer_summary,
    email_engagement,
    funnel,
    manager_kpis,
    monthly_revenue,
    on_time_delivery_rate,
    sales_cycle_length,
    site_engagement,
    time_in_lead_stages,
    time_in_status,
)
from salesflow.orders import Customer, Order, OrderLine, ProcessingStep, SupportContact
from strategies import (
    CLOCK_CHANGE_ZONES,
    instants_near_clock_changes,
    sorted_instants,
    written_in,
)

BERLIN = ZoneInfo("Europe/Berlin")
ZONES = CLOCK_CHANGE_ZONES
zones = st.sampled_from(CLOCK_CHANGE_ZONES)
calendar_zones = st.sampled_from(("UTC", "Europe/Berlin", "America/New_York"))


def _order(instants: list[datetime], zone: object) -> Order:
    at = [written_in(moment, zone) for moment in instants]
    order = Order.place(
        number="1",
        customer=Customer("c-1", "Ada"),
        lines=[OrderLine("MUG-1", "Mug", 1, Money("8.00", "EUR"))],
        estimated_delivery=date(2026, 12, 31),
        support=SupportContact(email="help@shop.example"),
        at=at[0],
    ).order
    steps = [
        lambda o, t: o.process(step=ProcessingStep.STOCK_CHECK, at=t),
        lambda o, t: o.pick(at=t),
        lambda o, t: o.pack(at=t),
        lambda o, t: o.ship(carrier="DHL", tracking_number="JD01", at=t),
        lambda o, t: o.transit(location="Hub", at=t),
    ]
    for step, moment in zip(steps, at[1:], strict=False):
        order = step(order, moment).order
    return order


def _lead(instants: list[datetime], zone: object, lead_id: str = "L-1") -> Lead:
    at = [written_in(moment, zone) for moment in instants]
    lead = Lead.create(lead_id=lead_id, source=LeadSource.INBOUND, at=at[0]).lead
    for moment in at[1:]:
        lead = lead.advance(at=moment).lead
    return lead


def _summary_facts(summary):
    return [
        (
            s.customer_id,
            utc(s.first_purchase),
            utc(s.last_purchase),
            s.orders,
            s.recency,
            s.days_between_orders,
            s.total_amount,
        )
        for s in summary.customers
    ]


def _rows(instants: list[datetime], zone: object) -> list[dict[str, object]]:
    return [
        {
            "order_id": str(index),
            "customer_id": "ab"[index % 2],
            "placed_at": written_in(moment, zone),
            "amount": Decimal(index + 1),
            "currency": "EUR",
        }
        for index, moment in enumerate(instants)
    ]


# -- the examples of the issue -----------------------------------------------------------


def test_time_in_lead_stages_counts_23_hours_across_the_berlin_spring_change():
    created = datetime(2026, 3, 28, 12, tzinfo=BERLIN)
    lead = Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=created).lead
    lead = lead.advance(at=datetime(2026, 3, 29, 12, tzinfo=BERLIN)).lead

    times = time_in_lead_stages([lead], now=datetime(2026, 3, 29, 12, tzinfo=BERLIN))

    assert times["awareness"].total == timedelta(hours=23)


def test_time_in_status_counts_23_hours_across_the_berlin_spring_change():
    order = _order(
        [datetime(2026, 3, 28, 11, tzinfo=UTC), datetime(2026, 3, 29, 10, tzinfo=UTC)], BERLIN
    )

    times = time_in_status([order], now=datetime(2026, 3, 29, 12, tzinfo=BERLIN))

    assert times["received"].total == timedelta(hours=23)
    assert times["processing"].total == timedelta(0)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York"])
def test_days_between_orders_is_elapsed_time_whatever_the_zone_argument(zone):
    start = datetime(2026, 3, 22, 11, tzinfo=UTC)
    rows = _rows([start, start + timedelta(days=7), start + timedelta(days=21)], UTC)
    for row in rows:
        row["customer_id"] = "a"

    summary = customer_summary(rows, now=start + timedelta(days=30), zone=zone)

    assert summary["a"].days_between_orders == Decimal("10.5")
    assert summary["a"].to_dict()["days_between_orders"] == Decimal("10.5")


def test_period_contains_an_instant_in_the_second_of_two_repeated_hours_by_its_instant():
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)  # 00:30 UTC
    second = first.replace(fold=1)  # 01:30 UTC
    period = Period(datetime(2026, 10, 25, 1, tzinfo=UTC), datetime(2026, 10, 25, 2, tzinfo=UTC))

    assert not period.contains(first)
    assert period.contains(second)
    assert period.ended(second) is False


# -- laws: the same instants written in any zone --------------------------------------------


@settings(max_examples=60, deadline=None)
@given(instants=sorted_instants(min_size=2, max_size=7), calendar=calendar_zones)
def test_customer_summary_depends_on_the_instants_not_the_zone_they_are_written_in(
    instants, calendar
):
    now = instants[-1] + timedelta(hours=1)
    results = [
        _summary_facts(
            customer_summary(_rows(instants, zone), now=written_in(now, zone), zone=calendar)
        )
        for zone in ZONES
    ]

    assert all(result == results[0] for result in results)


@settings(max_examples=60, deadline=None)
@given(
    instants=sorted_instants(min_size=2, max_size=7),
    calendar_a=calendar_zones,
    calendar_b=calendar_zones,
)
def test_durations_of_the_customer_summary_do_not_depend_on_the_zone_argument(
    instants, calendar_a, calendar_b
):
    now = instants[-1] + timedelta(hours=1)

    a = customer_summary(_rows(instants, UTC), now=now, zone=calendar_a)
    b = customer_summary(_rows(instants, UTC), now=now, zone=calendar_b)

    assert _summary_facts(a) == _summary_facts(b)


@settings(max_examples=60, deadline=None)
@given(
    instants=sorted_instants(min_size=1, max_size=7),
    calendar=calendar_zones,
    with_now=st.booleans(),
)
def test_cohort_table_depends_on_the_zone_argument_only(instants, calendar, with_now):
    now = instants[-1] + timedelta(minutes=1)
    tables = [
        cohort_retention(
            _rows(instants, zone), zone=calendar, now=written_in(now, zone) if with_now else None
        ).to_records()
        for zone in ZONES
    ]

    assert all(table == tables[0] for table in tables)


@settings(max_examples=60, deadline=None)
@given(instants=sorted_instants(min_size=2, max_size=6), late=st.integers(0, 3 * 60))
def test_time_in_status_depends_on_the_instants_only(instants, late):
    now = instants[-1] + timedelta(minutes=late)
    results = []
    for zone in ZONES:
        times = time_in_status([_order(instants, zone)], now=written_in(now, zone))
        results.append([(status, d.total, d.ongoing) for status, d in times.items()])

    assert all(result == results[0] for result in results)


@settings(max_examples=60, deadline=None)
@given(instants=sorted_instants(min_size=2, max_size=4), late=st.integers(0, 3 * 60))
def test_time_in_lead_stages_depends_on_the_instants_only(instants, late):
    now = instants[-1] + timedelta(minutes=late)
    results = []
    for zone in ZONES:
        times = time_in_lead_stages([_lead(instants, zone)], now=written_in(now, zone))
        results.append(times.to_records())

    assert all(result == results[0] for result in results)


@settings(max_examples=60, deadline=None)
@given(instants=sorted_instants(min_size=2, max_size=2))
def test_sales_cycle_of_records_depends_on_the_instants_only(instants):
    created, won = instants
    results = [
        sales_cycle_length(
            [{"created_at": written_in(created, zone), "won_at": written_in(won, zone)}]
        ).cycles.spans
        for zone in ZONES
    ]

    assert results == [(won - created,)] * len(ZONES)


@settings(max_examples=60, deadline=None)
@given(instants=sorted_instants(min_size=5, max_size=5))
def test_sales_cycle_of_leads_depends_on_the_instants_only(instants):
    results = []
    for zone in ZONES:
        lead = _lead(instants[:-1], zone)
        lead = lead.win(at=written_in(instants[-1], zone)).lead
        results.append(sales_cycle_length([lead]).cycles.spans)

    assert results == [(instants[-1] - instants[0],)] * len(ZONES)


@settings(max_examples=60, deadline=None)
@given(
    instants=sorted_instants(min_size=3, max_size=3),
    window_minutes=st.integers(1, 3 * 24 * 60),
)
def test_funnel_windows_depend_on_the_instants_only(instants, window_minutes):
    steps = ["visit", "cart", "purchase"]
    results = []
    for zone in ZONES:
        rows = [
            {"person_id": "p", "step": step, "at": written_in(moment, zone)}
            for step, moment in zip(steps, instants, strict=True)
        ]
        results.append(funnel(rows, steps=steps, window=timedelta(minutes=window_minutes)).reached)

    assert all(result == results[0] for result in results)


@settings(max_examples=60, deadline=None)
@given(instants=sorted_instants(min_size=2, max_size=6))
def test_site_engagement_depends_on_the_instants_only(instants):
    results = []
    for zone in ZONES:
        rows = [
            {"session_id": "s", "page": f"/{index}", "at": written_in(moment, zone)}
            for index, moment in enumerate(instants)
        ]
        rows[-1]["left_at"] = written_in(instants[-1] + timedelta(minutes=5), zone)
        report = site_engagement(rows)
        results.append((report.total_duration, report.engaged_sessions, report.sessions))

    assert all(result == results[0] for result in results)


@settings(max_examples=60, deadline=None)
@given(instants=sorted_instants(min_size=3, max_size=3))
def test_email_engagement_depends_on_the_instants_only(instants):
    results = []
    for zone in ZONES:
        delivered, opened, clicked = (written_in(moment, zone) for moment in instants)
        rows = [
            {
                "message_id": 1,
                "kind": "welcome",
                "delivered_at": delivered,
                "opened_at": opened,
                "clicked_at": clicked,
            }
        ]
        results.append(email_engagement(rows).total)

    assert all(result == results[0] for result in results)


@settings(max_examples=80, deadline=None)
@given(
    moment=instants_near_clock_changes, edge=instants_near_clock_changes, calendar=calendar_zones
)
def test_period_decisions_depend_on_the_instants_only(moment, edge, calendar):
    assume(moment != edge)
    start, end = min(moment, edge), max(moment, edge)
    span = Period(start, end)
    day = Period.containing(moment, "day", calendar)

    for zone in ZONES:
        probe = written_in(moment, zone)
        assert span.contains(probe) == (start <= moment < end)
        assert span.ended(probe) == (moment >= end)
        assert day.contains(probe)
        assert Period.containing(probe, "day", calendar) == day
        assert Period(written_in(start, zone), written_in(end, zone)) == span


@settings(max_examples=60, deadline=None)
@given(placed=instants_near_clock_changes, now=instants_near_clock_changes)
def test_rows_after_now_are_refused_by_instant_whatever_the_zones(placed, now):
    outcomes = []
    for zone in ZONES:
        rows = [
            {
                "order_id": "1",
                "customer_id": "a",
                "placed_at": written_in(placed, zone),
                "amount": "1",
                "currency": "EUR",
            }
        ]
        for metric in (
            lambda r, n: customer_summary(r, now=n),
            lambda r, n: cohort_retention(r, zone="UTC", now=n),
            lambda r, n: on_time_delivery_rate([{**r[0], "delivered_at": None}], zone="UTC", now=n),
        ):
            try:
                metric(rows, written_in(now, zone))
                outcomes.append(True)
            except InvalidField:
                outcomes.append(False)

    assert outcomes == [placed <= now] * len(outcomes)


@settings(max_examples=60, deadline=None)
@given(instants=sorted_instants(min_size=2, max_size=5), calendar=calendar_zones)
def test_calendar_metrics_depend_on_the_zone_argument_only(instants, calendar):
    revenue = []
    on_time = []
    for zone in ZONES:
        rows = [
            {
                "placed_at": written_in(moment, zone),
                "amount": "10",
                "currency": "EUR",
                "delivered_at": written_in(moment, zone),
                "promised_delivery": instants[0].date(),
            }
            for moment in instants
        ]
        revenue.append(monthly_revenue(rows, zone=calendar))
        on_time.append(on_time_delivery_rate(rows, zone=calendar))

    assert all(result == revenue[0] for result in revenue)
    assert all(result == on_time[0] for result in on_time)


@settings(max_examples=40, deadline=None)
@given(instants=sorted_instants(min_size=3, max_size=3))
def test_manager_kpis_in_a_period_depend_on_the_instants_only(instants):
    created, won, now = instants
    period = Period(created - timedelta(hours=1), won + timedelta(minutes=1))
    results = []
    for zone in ZONES:
        rows = [
            {
                "lead_id": "L-1",
                "manager": "ada",
                "created_at": written_in(created, zone),
                "won_at": written_in(won, zone),
                "revenue": "10",
                "currency": "EUR",
            }
        ]
        results.append(manager_kpis(rows, period=period, now=written_in(now, zone)))

    assert all(result == results[0] for result in results)


@pytest.mark.parametrize("minutes", [-90, -30, -1, 0, 1, 30, 59, 60, 90])
def test_cohort_months_are_right_when_a_month_starts_inside_the_rows_repeated_hour(minutes):
    # 2026-11-01 06:00 UTC starts November at UTC-06:00 and is New York's
    # clock change: 01:00-02:00 happens twice there, and the month starts
    # inside it. Rows written in New York must still fall in the right month.
    new_york = ZoneInfo("America/New_York")
    moment = datetime(2026, 11, 1, 6, tzinfo=UTC) + timedelta(minutes=minutes)
    rows = _rows([datetime(2026, 10, 5, tzinfo=UTC), moment], UTC)

    in_utc = cohort_retention(rows, zone="UTC-06:00").to_records()
    in_new_york = cohort_retention(
        [{**row, "placed_at": written_in(row["placed_at"], new_york)} for row in rows],
        zone="UTC-06:00",
    ).to_records()

    assert in_new_york == in_utc
    assert in_utc[-1]["month"] == ("2026-11" if minutes >= 0 else "2026-10")


MIXED_ZONES = (*CLOCK_CHANGE_ZONES, ZoneInfo("UTC"), ZoneInfo("Etc/UTC"))


@settings(max_examples=60, deadline=None)
@given(
    instants=sorted_instants(min_size=2, max_size=8),
    picks=st.lists(st.sampled_from(MIXED_ZONES), min_size=8, max_size=8),
    calendar=calendar_zones,
    late=st.integers(0, 120),
)
def test_record_metrics_of_rows_written_in_mixed_zones_equal_those_in_utc(
    instants, picks, calendar, late
):
    now = instants[-1] + timedelta(minutes=late)
    plain = _rows(instants, UTC)
    mixed = [
        {**row, "placed_at": written_in(row["placed_at"], zone)}
        for row, zone in zip(plain, picks, strict=False)
    ]

    assert _summary_facts(customer_summary(mixed, now=now, zone=calendar)) == _summary_facts(
        customer_summary(plain, now=now, zone=calendar)
    )
    assert (
        cohort_retention(mixed, zone=calendar, now=now).to_records()
        == cohort_retention(plain, zone=calendar, now=now).to_records()
    )
    for zone in MIXED_ZONES:
        assert _summary_facts(customer_summary(mixed, now=written_in(now, zone))) == (
            _summary_facts(customer_summary(plain, now=now))
        )
