"""The per-customer summary and the monthly cohort table agree with plain reference code."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType, Money
from salesflow._results import Amount, Ratio
from salesflow.metrics.cohorts import cohort_retention
from salesflow.metrics.summary import CustomerSummary, customer_summary
from salesflow.periods import Period
from strategies import zones

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def order(order_id, customer_id, placed_at, amount="10.00", **extra):
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


# -- reference implementations: the obvious code, holding every row ---------------------


def _id_key(value):
    return (isinstance(value, str), value)


def reference_summary(rows, now, *, net=True):
    orders = defaultdict(list)
    for row in rows:
        if row.get("status") == "cancelled":
            continue
        spend = Decimal(row["amount"])
        if net and row.get("discount") is not None:
            spend -= Decimal(row["discount"])
        # In UTC: Python never calls a time in a DST gap equal to one in another zone.
        moment = row["placed_at"].astimezone(UTC)
        orders[row["customer_id"]].append((moment, _id_key(row["order_id"]), spend))
    result = {}
    for customer, placed in orders.items():
        placed.sort()
        first, last = placed[0], max(p[0] for p in placed)
        result[customer] = {
            "first": first[0],
            "last": last,
            "orders": len(placed),
            "total": sum((p[2] for p in placed), Decimal(0)),
            "first_spend": first[2],
            "recency": now - last,
        }
    return result


def reference_cohorts(rows, zone):
    months = defaultdict(set)
    for row in rows:
        if row.get("status") == "cancelled":
            continue
        local = row["placed_at"].astimezone(zone)
        months[row["customer_id"]].add(local.year * 12 + local.month - 1)
    sizes, active = Counter(), defaultdict(Counter)
    for ordered in months.values():
        first = min(ordered)
        sizes[first] += 1
        for month in ordered:
            active[first][month - first] += 1
    latest = max((max(m) for m in months.values()), default=None)
    return sizes, active, latest


# -- strategies ---------------------------------------------------------------------------

CUSTOMERS = ["ada", "bob", "cy", "dee", "eve", 7, 42]
TIES = [utc(2024, 3, 31, 22, 30), utc(2024, 10, 27, 0, 30), utc(2025, 1, 1, 0, 0)]


@st.composite
def order_rows(draw, *, wide=False):
    low = datetime(1995, 1, 1) if wide else datetime(2023, 1, 1)
    high = datetime(2026, 6, 1)
    moments = st.one_of(
        st.datetimes(min_value=low, max_value=high, timezones=zones),
        st.sampled_from(TIES),  # shared instants, so first orders tie
    )
    count = draw(st.integers(min_value=0, max_value=40))
    rows = []
    for index in range(count):
        amount = draw(st.decimals(min_value=0, max_value=1000, places=2))
        discount = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=amount, places=2)))
        rows.append(
            order(
                draw(st.one_of(st.just(str(index)), st.integers(0, 5), st.sampled_from("xyz"))),
                draw(st.sampled_from(CUSTOMERS)),
                draw(moments),
                str(amount),
                discount=discount,
                status=draw(st.sampled_from([None, "delivered", "cancelled", "in_transit"])),
            )
        )
    return rows


# -- the per-customer summary ---------------------------------------------------------------


def test_a_one_time_customer_has_no_repeat_average_and_no_interval_never_zero():
    rows = [order("1", "ada", utc(2026, 1, 5), "30.00")]

    ada = customer_summary(rows, now=NOW)["ada"]

    assert ada.orders == 1
    assert not ada.is_repeat_customer
    assert ada.average_repeat_spend is None
    assert ada.days_between_orders is None
    assert ada.average_spend.value == Money("30.00", "EUR")
    assert ada.to_dict()["average_repeat_spend"] is None


def test_a_repeat_customer_has_averages_that_say_how_they_were_computed():
    rows = [
        order("1", "ada", utc(2026, 1, 1), "30.00"),
        order("2", "ada", utc(2026, 1, 11), "50.00"),
        order("3", "ada", utc(2026, 1, 16), "20.00"),
    ]

    ada = customer_summary(rows, now=NOW)["ada"]

    assert ada.total_spend == Money("100.00", "EUR")
    assert ada.first_order_spend == Money("30.00", "EUR")
    assert ada.average_spend.value == Money("33.33333333333333333333333333", "EUR")
    assert isinstance(ada.average_repeat_spend, Amount)
    assert ada.average_repeat_spend.value == Money("35", "EUR")
    assert ada.days_between_orders == Decimal("7.5")
    assert ada.recency == NOW - utc(2026, 1, 16)


def test_the_plain_records_carry_the_same_figures_as_the_values():
    rows = [order("1", "ada", utc(2026, 1, 1), "10.00"), order("2", "ada", utc(2026, 1, 2), "5")]
    summary = customer_summary(rows, now=NOW)

    (record,) = summary.to_records()

    ada = summary["ada"]
    assert record["average_spend"] == ada.average_spend.value.amount
    assert record["average_repeat_spend"] == ada.average_repeat_spend.value.amount
    assert record["total_spend"] == Decimal("15.00")
    assert record["currency"] == "EUR"
    assert set(record) == {
        "customer_id",
        "first_purchase",
        "last_purchase",
        "orders",
        "recency",
        "total_spend",
        "first_order_spend",
        "average_spend",
        "average_repeat_spend",
        "days_between_orders",
        "currency",
    }


def test_the_plain_records_stay_exact_under_a_callers_low_decimal_precision():
    from decimal import localcontext

    rows = [
        order("1", "ada", utc(2026, 1, 1), "1.01"),
        order("2", "ada", utc(2026, 1, 2), "1234.56"),
    ]
    summary = customer_summary(rows, now=NOW)

    with localcontext() as context:
        context.prec = 3
        (record,) = summary.to_records()

    assert record["average_repeat_spend"] == Decimal("1234.56")
    assert record["average_spend"] == Decimal("617.785")


def test_first_and_last_purchase_are_shown_in_the_zone_asked_for():
    rows = [order("1", "ada", utc(2026, 3, 31, 22, 30))]

    ada = customer_summary(rows, now=NOW, zone="Europe/Berlin")["ada"]

    assert ada.first_purchase == utc(2026, 3, 31, 22, 30)
    assert ada.first_purchase.tzinfo == BERLIN
    assert (ada.first_purchase.month, ada.first_purchase.day) == (4, 1)


def test_first_orders_at_the_same_instant_are_resolved_by_the_lowest_order_id():
    tie = utc(2026, 2, 1, 9)
    rows = [order("B-2", "ada", tie, "70.00"), order("A-9", "ada", tie, "10.00")]

    forwards = customer_summary(rows, now=NOW)["ada"]
    backwards = customer_summary(rows[::-1], now=NOW)["ada"]

    assert forwards.first_order_spend == backwards.first_order_spend == Money("10.00", "EUR")


def test_no_records_give_an_empty_summary_with_no_currency():
    summary = customer_summary([], now=NOW)

    assert len(summary) == 0
    assert summary.currency is None
    assert summary.to_records() == []


def test_asking_for_a_customer_without_purchases_names_the_id():
    summary = customer_summary([order("1", "ada", utc(2026, 1, 1))], now=NOW)

    with pytest.raises(InvalidField, match=r"^customer_id: got 'zed', expected the id") as caught:
        summary["zed"]
    assert isinstance(caught.value, KeyError)
    assert summary.get("zed") is None
    assert "zed" not in summary
    assert ["x"] not in summary


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"now": datetime(2026, 1, 1)}, "now"),
        ({"now": "2026-01-01"}, "now"),
        ({"now": NOW, "zone": "Mars/Olympus"}, "zone"),
        ({"now": NOW, "basis": "list price"}, "basis"),
    ],
)
def test_customer_summary_refuses_bad_arguments_naming_them(arguments, field):
    with pytest.raises(InvalidField) as caught:
        customer_summary([], **arguments)

    assert caught.value.field == field


def test_a_customer_summary_built_by_hand_is_checked():
    good = {
        "customer_id": "ada",
        "first_purchase": utc(2026, 1, 1),
        "last_purchase": utc(2026, 2, 1),
        "orders": 2,
        "recency": timedelta(days=3),
        "total_amount": Decimal("10"),
        "first_order_amount": Decimal("4"),
        "currency": "EUR",
    }

    assert CustomerSummary(**good).total_spend == Money("10", "EUR")
    for change, error in [
        ({"last_purchase": utc(2025, 1, 1)}, InvalidField),
        ({"orders": 0}, InvalidField),
        ({"total_amount": 10.0}, InvalidType),
        ({"first_order_amount": Decimal("11")}, InvalidField),
        ({"currency": "EURO"}, InvalidField),
        ({"recency": timedelta(days=-1)}, InvalidField),
        ({"first_purchase": datetime(2026, 1, 1)}, InvalidType),
    ]:
        with pytest.raises(error, match=next(iter(change))):
            CustomerSummary(**{**good, **change})


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(order_rows())
def test_the_summary_agrees_with_the_reference_on_random_records(rows):
    summary = customer_summary(rows, now=NOW, zone="America/New_York")
    expected = reference_summary(rows, NOW)

    assert set(summary) == set(expected)
    for customer, figures in expected.items():
        mine = summary[customer]
        assert mine.first_purchase.astimezone(UTC) == figures["first"]
        assert mine.last_purchase.astimezone(UTC) == figures["last"]
        assert mine.first_purchase.tzinfo == ZoneInfo("America/New_York")
        assert mine.orders == figures["orders"]
        assert mine.total_amount == figures["total"]
        assert mine.first_order_amount == figures["first_spend"]
        assert mine.recency == figures["recency"]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(order_rows())
def test_gross_spend_is_net_spend_plus_the_discounts(rows):
    net = customer_summary(rows, now=NOW)
    gross = customer_summary(rows, now=NOW, basis="gross")
    discounts = Counter()
    for row in rows:
        if row["status"] != "cancelled" and row["discount"] is not None:
            discounts[row["customer_id"]] += row["discount"]

    for customer in net:
        assert gross[customer].total_amount == net[customer].total_amount + discounts[customer]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(order_rows(), st.randoms(use_true_random=False))
def test_shuffling_the_records_changes_nothing(rows, random):
    shuffled = list(rows)
    random.shuffle(shuffled)

    assert customer_summary(shuffled, now=NOW) == customer_summary(rows, now=NOW)
    assert cohort_retention(shuffled, zone=BERLIN, now=NOW) == cohort_retention(
        rows, zone=BERLIN, now=NOW
    )


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(order_rows(), st.data())
def test_summaries_of_two_halves_merge_into_the_summary_of_the_whole(rows, data):
    cut = data.draw(st.integers(0, len(rows)))
    whole = customer_summary(rows, now=NOW)
    left, right = customer_summary(rows[:cut], now=NOW), customer_summary(rows[cut:], now=NOW)

    for customer, summary in whole.items():
        parts = [part[customer] for part in (left, right) if customer in part]
        assert summary.orders == sum(p.orders for p in parts)
        assert summary.total_amount == sum((p.total_amount for p in parts), Decimal(0))
        assert summary.first_purchase == min(p.first_purchase for p in parts)
        assert summary.last_purchase == max(p.last_purchase for p in parts)
        assert summary.first_order_amount in {
            p.first_order_amount for p in parts if p.first_purchase == summary.first_purchase
        }
    assert set(whole) == set(left) | set(right)


# -- the cohort table ---------------------------------------------------------------------


def test_an_order_late_on_the_last_night_of_march_is_an_april_order_in_berlin():
    rows = [
        order("1", "ada", utc(2026, 3, 31, 22, 30)),  # 00:30 on 1 April in Berlin (CEST)
        order("2", "bob", utc(2026, 3, 31, 21, 30)),  # 23:30 on 31 March in Berlin
    ]

    berlin = cohort_retention(rows, zone="Europe/Berlin")
    london = cohort_retention(rows, zone="UTC")

    assert [c.label for c in berlin.cohorts] == ["2026-03", "2026-04"]
    assert [c.label for c in london.cohorts] == ["2026-03"]


def test_a_customer_counts_once_per_month_however_many_orders():
    rows = [
        order("1", "ada", utc(2026, 1, 3)),
        order("2", "ada", utc(2026, 1, 20)),
        order("3", "ada", utc(2026, 3, 2)),
        order("4", "bob", utc(2026, 1, 9)),
    ]

    table = cohort_retention(rows, zone="UTC")

    january = table.cohort("2026-01")
    assert january.customers == 2
    assert [cell.active for cell in january.cells] == [2, 0, 1]
    assert table.cell("2026-01", 2).retention == Ratio(
        "cohort retention",
        1,
        2,
        variant="month +2",
        formula="customers of the cohort who ordered in the month / customers in the cohort",
        denominator_name="customers in the cohort",
    )
    assert table.cell("2026-01", 1).retention.value == 0


def test_months_not_ended_at_now_are_flagged_partial_and_the_table_runs_to_now():
    rows = [order("1", "ada", utc(2026, 4, 3)), order("2", "ada", utc(2026, 6, 1))]

    table = cohort_retention(rows, zone="UTC", now=NOW)

    cells = table.cohort("2026-04").cells
    assert [cell.month.label for cell in cells] == ["2026-04", "2026-05", "2026-06"]
    assert [cell.partial for cell in cells] == [False, False, True]
    assert "* month not ended at 2026-06-15T12:00:00+00:00 (partial)" in table.format()


def test_without_now_nothing_is_flagged_and_the_table_runs_to_the_last_order():
    rows = [order("1", "ada", utc(2026, 4, 3)), order("2", "bob", utc(2026, 5, 1))]

    table = cohort_retention(rows, zone="UTC")

    assert [len(c.cells) for c in table.cohorts] == [2, 1]
    assert not any(cell.partial for c in table.cohorts for cell in c.cells)


def test_records_after_now_are_refused_for_the_cohort_table():
    rows = [order("1", "ada", NOW + timedelta(minutes=1))]

    with pytest.raises(InvalidField, match=r"orders\[0\]\.placed_at: .*not after now"):
        cohort_retention(rows, zone="UTC", now=NOW)


def test_the_text_table_shows_each_cohort_and_its_shares():
    rows = [
        order("1", "ada", utc(2026, 1, 3)),
        order("2", "bob", utc(2026, 1, 9)),
        order("3", "cy", utc(2026, 1, 9)),
        order("4", "ada", utc(2026, 2, 1)),
        order("5", "dee", utc(2026, 2, 7)),
    ]

    text = cohort_retention(rows, zone="UTC", now=utc(2026, 2, 15)).format(places=0)

    assert text.splitlines()[1:] == [
        "cohort   customers    +0    +1",
        "2026-01          3  100%   33%*",
        "2026-02          1  100%*",
        "* month not ended at 2026-02-15T00:00:00+00:00 (partial)",
    ]


def test_the_plain_records_have_one_row_per_cell():
    rows = [order("1", "ada", utc(2026, 1, 3)), order("2", "ada", utc(2026, 2, 3))]

    records = cohort_retention(rows, zone="UTC").to_records()

    assert records == [
        {
            "cohort": "2026-01",
            "offset": 0,
            "month": "2026-01",
            "customers": 1,
            "active": 1,
            "retention": Decimal(1),
            "partial": False,
        },
        {
            "cohort": "2026-01",
            "offset": 1,
            "month": "2026-02",
            "customers": 1,
            "active": 1,
            "retention": Decimal(1),
            "partial": False,
        },
    ]


def test_no_records_give_an_empty_table():
    table = cohort_retention([], zone="UTC", now=NOW)

    assert table.cohorts == ()
    assert table.to_records() == []
    assert "(no purchases)" in table.format()


def test_looking_up_a_cohort_or_offset_that_is_not_there_names_it():
    table = cohort_retention([order("1", "ada", utc(2026, 1, 3))], zone="UTC")

    with pytest.raises(InvalidField, match="month: got '2025-12'"):
        table.cohort("2025-12")
    with pytest.raises(InvalidField, match="offset: got 1"):
        table.cell("2026-01", 1)
    assert table.cell(Period.month(2026, 1, "UTC"), 0).active == 1


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"zone": "Nowhere/Else"}, "zone"),
        ({"zone": 5}, "zone"),
        ({"zone": "UTC", "now": utc(2026, 1, 1).replace(tzinfo=None)}, "now"),
    ],
)
def test_cohort_retention_refuses_bad_arguments_naming_them(arguments, field):
    with pytest.raises(InvalidField) as caught:
        cohort_retention([], **arguments)

    assert caught.value.field == field


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(order_rows(wide=True), zones)
def test_the_cohort_table_agrees_with_the_reference_on_random_records(rows, zone):
    table = cohort_retention(rows, zone=zone)
    sizes, active, latest = reference_cohorts(rows, zone)

    assert [c.customers for c in table.cohorts] == [sizes[m] for m in sorted(sizes)]
    for cohort, first in zip(table.cohorts, sorted(sizes), strict=True):
        start = cohort.period.local_start
        assert start.year * 12 + start.month - 1 == first
        assert len(cohort.cells) == latest - first + 1
        assert [cell.active for cell in cohort.cells] == [
            active[first][k] for k in range(len(cohort.cells))
        ]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(order_rows(), zones)
def test_shares_stay_between_0_and_1_and_month_0_is_the_whole_cohort(rows, zone):
    table = cohort_retention(rows, zone=zone, now=NOW)

    for cohort in table.cohorts:
        assert cohort.cells[0].active == cohort.customers
        for cell in cohort.cells:
            assert 0 <= cell.retention.require() <= 1
            assert cell.month == cohort.period.shifted(cell.offset)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(order_rows(), zones)
def test_every_customer_is_in_exactly_one_cohort(rows, zone):
    table = cohort_retention(rows, zone=zone)
    buyers = {r["customer_id"] for r in rows if r["status"] != "cancelled"}

    assert table.customers == len(buyers)


def test_a_fixed_offset_zone_moves_the_month_boundary_by_its_offset():
    rows = [order("1", "ada", utc(2026, 1, 31, 20, 0))]

    east = cohort_retention(rows, zone=timezone(timedelta(hours=5)))

    assert east.cohorts[0].label == "2026-02"
