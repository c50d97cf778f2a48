"""What counts as a purchase: ``purchase="row"``, ``"order"`` and ``"customer_day"``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesflow import InvalidField
from salesflow.metrics.cohorts import cohort_retention
from salesflow.metrics.summary import customer_summary
from strategies import CLOCK_CHANGE_ZONES, instants_near_clock_changes, zones

NOW = datetime(2026, 12, 31, tzinfo=UTC)
CUSTOMERS = ["ada", "bob", "cy", 7]
STATUSES = [None, "delivered", "cancelled", "in_transit"]
slow = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def row(order_id, customer_id, placed_at, amount="10.00", **extra):
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "placed_at": placed_at,
        "amount": Decimal(amount),
        "currency": "EUR",
        **extra,
    }


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@st.composite
def whole_orders(draw):
    """Orders of one row each, ids unique, times in 2024-2026 written in any zone."""
    count = draw(st.integers(min_value=0, max_value=25))
    moments = st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2026, 11, 30), timezones=zones
    )
    orders = []
    for index in range(count):
        amount = draw(st.decimals(min_value=0, max_value=500, places=2))
        discount = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=amount, places=2)))
        orders.append(
            row(
                f"o{index}",
                draw(st.sampled_from(CUSTOMERS)),
                draw(moments),
                str(amount),
                discount=discount,
                status=draw(st.sampled_from(STATUSES)),
            )
        )
    return orders


def split(order, data):
    """The order as 1 to 4 rows: amounts and discounts that sum to its own, times not before."""
    parts = data.draw(st.integers(min_value=1, max_value=4))
    cents = int(order["amount"] * 100)
    cuts = sorted(
        data.draw(st.lists(st.integers(0, cents), min_size=parts - 1, max_size=parts - 1))
    )
    amounts = [Decimal(b - a) / 100 for a, b in zip([0, *cuts], [*cuts, cents], strict=True)]
    left = order["discount"]
    rows = []
    for number, amount in enumerate(amounts):
        discount = None
        if left is not None:
            discount = min(amount, left)
            left -= discount
        # Whole minutes later, as instants (wall-clock arithmetic would drop ``fold``).
        later = data.draw(st.integers(0, 3 * 24 * 60)) if number else 0
        at = order["placed_at"]
        if later:
            at = at.astimezone(UTC) + timedelta(minutes=later)
        rows.append({**order, "amount": amount, "discount": discount, "placed_at": at})
    return rows


# -- the law: an order split into rows is the order ----------------------------------------


@slow
@given(whole_orders(), st.data(), st.randoms(use_true_random=False))
def test_rows_split_from_whole_orders_summarise_as_the_whole_orders(orders, data, random):
    rows = [part for order in orders for part in split(order, data)]
    random.shuffle(rows)

    for basis in ("net", "gross"):
        assert customer_summary(
            rows, now=NOW, zone="Europe/Berlin", basis=basis, purchase="order"
        ) == customer_summary(orders, now=NOW, zone="Europe/Berlin", basis=basis)
    assert cohort_retention(rows, zone="Europe/Berlin", now=NOW, purchase="order") == (
        cohort_retention(orders, zone="Europe/Berlin", now=NOW)
    )


@slow
@given(whole_orders())
def test_one_row_per_order_counts_the_same_whatever_a_purchase_is(orders):
    assert customer_summary(orders, now=NOW, purchase="order") == customer_summary(orders, now=NOW)
    assert cohort_retention(orders, zone=UTC, purchase="order") == cohort_retention(
        orders, zone=UTC
    )


# -- customer-days in the zone, clock changes included ---------------------------------------


@st.composite
def rows_near_clock_changes(draw):
    count = draw(st.integers(min_value=0, max_value=25))
    rows = []
    for index in range(count):
        instant = draw(instants_near_clock_changes)
        rows.append(
            row(
                f"r{index}",
                draw(st.sampled_from(CUSTOMERS)),
                instant.astimezone(draw(st.sampled_from(CLOCK_CHANGE_ZONES))),
                str(draw(st.decimals(min_value=0, max_value=500, places=2))),
                status=draw(st.sampled_from(STATUSES)),
            )
        )
    return rows


def merged_by_day(rows, zone):
    """One row per customer and local day: its amounts summed, its earliest time.

    Cancelled rows pass through as they are: left out of the purchases, they still
    say which currency the records were in.
    """
    days = {}
    cancelled = []
    for item in rows:
        if item["status"] == "cancelled":
            cancelled.append(item)
            continue
        key = (item["customer_id"], item["placed_at"].astimezone(zone).date())
        if key not in days:
            days[key] = row(f"day{len(days)}", item["customer_id"], item["placed_at"], "0")
        days[key]["amount"] += item["amount"]
        days[key]["placed_at"] = min(days[key]["placed_at"], item["placed_at"])
    return [*days.values(), *cancelled]


@slow
@given(rows_near_clock_changes(), st.sampled_from(CLOCK_CHANGE_ZONES))
def test_a_customer_day_merges_the_rows_of_one_calendar_day_in_the_zone(rows, zone):
    merged = merged_by_day(rows, zone)

    assert customer_summary(rows, now=NOW, zone=zone, purchase="customer_day") == (
        customer_summary(merged, now=NOW, zone=zone)
    )


@slow
@given(rows_near_clock_changes(), st.sampled_from(CLOCK_CHANGE_ZONES))
def test_customer_days_give_the_cohort_table_of_the_rows_merged_by_hand(rows, zone):
    merged = merged_by_day(rows, zone)

    assert cohort_retention(rows, zone=zone, now=NOW, purchase="customer_day") == (
        cohort_retention(merged, zone=zone, now=NOW)
    )


def test_the_day_is_the_zones_day_across_a_clock_change():
    # 2026-03-29 Berlin: 00:30 CET and 23:30 CEST are one day, 22:30 UTC both times.
    rows = [
        row("1", "ada", utc(2026, 3, 28, 23, 30)),
        row("2", "ada", utc(2026, 3, 29, 21, 30)),
    ]

    berlin = customer_summary(rows, now=NOW, zone="Europe/Berlin", purchase="customer_day")
    in_utc = customer_summary(rows, now=NOW, zone=UTC, purchase="customer_day")

    assert berlin["ada"].orders == 1
    assert berlin["ada"].total_amount == Decimal("20.00")
    assert in_utc["ada"].orders == 2


# -- the CDNOW case --------------------------------------------------------------------------


def test_a_second_row_on_the_first_day_no_longer_makes_a_repeat_buyer():
    # CDNOW-style: one customer, two rows on the first day, nothing after.
    rows = [
        row("1", "ada", utc(2026, 1, 5, 10), "12.00"),
        row("1", "ada", utc(2026, 1, 5, 10, 5), "8.00"),
    ]

    by_row = customer_summary(rows, now=NOW)["ada"]
    by_order = customer_summary(rows, now=NOW, purchase="order")["ada"]
    by_day = customer_summary(rows, now=NOW, zone=UTC, purchase="customer_day")["ada"]

    assert by_row.is_repeat_customer
    assert not by_order.is_repeat_customer
    assert not by_day.is_repeat_customer
    assert by_day.orders == by_order.orders == 1
    assert by_day.first_order_amount == by_order.first_order_amount == Decimal("20.00")
    assert by_day.days_between_orders is None


def test_an_order_is_cancelled_only_when_all_its_rows_are():
    rows = [
        row("1", "ada", utc(2026, 1, 5), "12.00", status="cancelled"),
        row("1", "ada", utc(2026, 1, 6), "8.00"),
        row("2", "ada", utc(2026, 2, 1), "5.00", status="cancelled"),
    ]

    ada = customer_summary(rows, now=NOW, purchase="order")["ada"]

    assert ada.orders == 1
    assert ada.total_amount == Decimal("8.00")
    assert ada.first_purchase == utc(2026, 1, 6)


def test_an_order_counts_in_the_month_of_its_earliest_row():
    rows = [
        row("1", "ada", utc(2026, 1, 31, 12)),
        row("1", "ada", utc(2026, 2, 1, 12)),
    ]

    by_row = cohort_retention(rows, zone=UTC, purchase="row")
    by_order = cohort_retention(rows, zone=UTC, purchase="order")

    assert by_row.cell("2026-01", 1).active == 1
    assert len(by_order.cohort("2026-01").cells) == 1


# -- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("purchase", ["basket", "", None, 1, "ROW"])
def test_an_unknown_purchase_is_refused_by_name(purchase):
    rows = [row("1", "ada", utc(2026, 1, 5))]

    with pytest.raises(InvalidField, match=r"^purchase: ") as summary:
        customer_summary(rows, now=NOW, purchase=purchase)
    with pytest.raises(InvalidField, match=r"^purchase: "):
        cohort_retention(rows, zone=UTC, purchase=purchase)

    assert summary.value.field == "purchase"


def test_rows_of_one_order_naming_two_customers_are_refused_naming_the_row():
    rows = [
        row("1", "ada", utc(2026, 1, 5)),
        row("2", "bob", utc(2026, 1, 5)),
        row("1", "bob", utc(2026, 1, 6)),
    ]

    with pytest.raises(InvalidField, match=r"^orders\[2\]\.customer_id: got 'bob'"):
        customer_summary(rows, now=NOW, purchase="order")
    with pytest.raises(InvalidField, match=r"^orders\[2\]\.customer_id: "):
        cohort_retention(rows, zone=UTC, purchase="order")
    assert customer_summary(rows, now=NOW)["bob"].orders == 2


def test_a_bad_row_is_named_by_its_own_index_whatever_a_purchase_is():
    rows = [row("1", "ada", utc(2026, 1, 5)), row("2", "ada", utc(2026, 1, 5), "-1")]

    for purchase in ("row", "order", "customer_day"):
        with pytest.raises(InvalidField, match=r"^orders\[1\]\.amount: "):
            customer_summary(rows, now=NOW, zone=UTC, purchase=purchase)


def test_an_order_in_a_month_outside_the_years_2_to_9998_is_named_by_its_row():
    rows = [
        row("1", "ada", utc(2026, 1, 5), status="cancelled"),
        row("2", "ada", datetime(1, 6, 1, tzinfo=UTC)),
    ]

    with pytest.raises(InvalidField, match=r"^orders\[1\]\.placed_at: "):
        cohort_retention(rows, zone=UTC, purchase="order")


def test_a_purchase_time_unreadable_in_the_zone_is_refused_naming_the_row():
    rows = [row("1", "ada", datetime(1, 1, 1, 0, 30, tzinfo=UTC))]

    with pytest.raises(InvalidField, match=r"^orders\[0\]\.placed_at: "):
        customer_summary(rows, now=NOW, zone=ZoneInfo("America/New_York"), purchase="customer_day")


def test_customer_days_need_the_zone_whose_days_they_are():
    rows = [row("1", "ada", utc(2026, 1, 5, 23, 30))]

    with pytest.raises(
        InvalidField, match=r"^zone: got None, expected the zone whose calendar days"
    ):
        customer_summary(rows, now=NOW, purchase="customer_day")
