"""Retention and churn straight from orders: variant="orders" with an active window (issue 15).

Hand-computed examples, the half-open windows at their edges, the law that
the result is the set-based ("ids") rate over the active sets built here by
brute force, and the refusals.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz import samples
from salesflow import InvalidField, InvalidType, Period, UndefinedMetric
from salesflow.metrics import churn_rate, retention_rate
from salesflow.metrics.results import result_from_dict

MARCH = Period.month(2026, 3, "UTC")
MONTH = timedelta(days=30)


def placed(order_id, customer_id, at, status=None):
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "placed_at": at,
        "amount": Decimal("20.00"),
        "currency": "EUR",
        "status": status,
    }


ORDERS = [
    placed("1", "ada", "2026-02-14T10:00:00+00:00"),
    placed("2", "ada", "2026-03-20T10:00:00+00:00"),
    placed("3", "bob", "2026-02-10T10:00:00+00:00"),
    placed("4", "cyd", "2026-02-25T10:00:00+00:00"),
    placed("5", "cyd", "2026-03-05T10:00:00+00:00", status="cancelled"),
    placed("6", "dee", "2026-03-20T10:00:00+00:00"),
    placed("7", "eve", "2026-01-10T10:00:00+00:00"),
]


def test_retention_from_orders_keeps_the_customers_active_at_both_ends_of_the_period():
    # Active on 1 March (orders from 30 January): ada, bob, cyd. On 1 April (from 2 March):
    # ada and dee (cyd's March order was cancelled). Retained: ada.
    result = retention_rate(variant="orders", orders=ORDERS, period=MARCH, active_window=MONTH)

    assert (result.numerator, result.denominator) == (1, 3)
    assert dict(result.inputs) == {
        "customers at start": 3,
        "customers at end": 2,
        "retained": 1,
        "lost": 2,
        "new or back": 1,
    }
    assert result.variant == (
        "active = a purchase in the 30 days before the start and the end of 2026-03"
    )


def test_churn_from_orders_is_the_share_of_the_active_customers_no_longer_active():
    result = churn_rate(variant="orders", orders=ORDERS, period=MARCH, active_window=MONTH)

    assert (result.numerator, result.denominator) == (2, 3)
    assert result.denominator_name == "customers active at start"


def test_a_window_longer_than_the_period_keeps_last_months_buyers_active():
    result = retention_rate(
        variant="orders", orders=ORDERS, period=MARCH, active_window=timedelta(days=90)
    )

    # From 1 December: ada, bob, cyd, eve; from 1 January to 1 April: all five.
    assert (result.numerator, result.denominator) == (4, 4)


def test_the_windows_are_half_open_at_their_start_and_end():
    start, end = MARCH.start, MARCH.end
    orders = [
        placed("1", "first", start - MONTH),  # the window's first instant: active at start
        placed("2", "late", start),  # after the start window, before the end window (2 March)
        placed("3", "edge", end - MONTH - timedelta(microseconds=1)),  # just before the end window
        placed("4", "first", end - MONTH),  # the end window's first instant
        placed("5", "after", end),  # the period's end is outside it
    ]

    result = retention_rate(variant="orders", orders=orders, period=MARCH, active_window=MONTH)

    assert dict(result.inputs)["customers at start"] == 1
    assert dict(result.inputs)["customers at end"] == 1  # first only
    assert dict(result.inputs)["retained"] == 1


def test_orders_their_documents_and_their_events_are_read_as_every_order_metric_reads_them():
    period = Period(samples.at(0) - timedelta(days=1), samples.at(0) + timedelta(days=1))
    orders = [samples.delivered(), samples.cancelled().to_dict()]

    kept = retention_rate(
        variant="orders", orders=orders, period=period, active_window=timedelta(days=2)
    )

    # The delivered order, placed at at(0), is within two days before the end only;
    # the cancelled one is no purchase.
    assert dict(kept.inputs)["customers at start"] == 0
    assert dict(kept.inputs)["customers at end"] == 1


@settings(max_examples=60, deadline=None)
@given(
    orders=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d", "e"]),
            st.integers(-100, 60),
            st.booleans(),
        ),
        max_size=25,
    ),
    window_days=st.integers(1, 70),
)
def test_from_orders_is_the_set_based_rate_over_the_active_sets_found_by_brute_force(
    orders, window_days
):
    window = timedelta(days=window_days)
    start, end = MARCH.start, MARCH.end
    rows = [
        placed(str(n), who, start + timedelta(days=day), "cancelled" if gone else "delivered")
        for n, (who, day, gone) in enumerate(orders)
    ]
    kept = [(row["customer_id"], row["placed_at"]) for row in rows if row["status"] != "cancelled"]
    at_start = sorted({who for who, at in kept if start - window <= at < start})
    at_end = sorted({who for who, at in kept if end - window <= at < end})

    asked = {"variant": "orders", "orders": rows, "period": MARCH, "active_window": window}
    retention, churn = retention_rate(**asked), churn_rate(**asked)

    expected = retention_rate(variant="ids", at_start=at_start, at_end=at_end)
    assert (retention.numerator, retention.denominator) == (
        expected.numerator,
        expected.denominator,
    )
    assert churn.numerator == len(set(at_start) - set(at_end))
    if retention.defined:
        assert retention.value + churn.value == 1


@pytest.mark.parametrize("build", [retention_rate, churn_rate])
def test_a_result_from_orders_rebuilds_from_its_document_and_a_forged_one_is_refused(build):
    result = build(variant="orders", orders=ORDERS, period=MARCH, active_window=MONTH)
    document = result.to_dict()
    forged = {**document, "numerator": document["denominator"]}

    assert result_from_dict(document) == result
    with pytest.raises(InvalidField):
        result_from_dict(forged)


def test_no_customer_active_at_the_start_is_undefined_or_raises_when_asked():
    asked = {"variant": "orders", "orders": ORDERS[-2:], "period": MARCH, "active_window": MONTH}

    assert not retention_rate(**asked).defined
    with pytest.raises(UndefinedMetric):
        churn_rate(**asked, on_empty="raise")


def test_the_orders_variant_refuses_what_it_does_not_read_and_needs_what_it_does():
    with pytest.raises(InvalidField, match=r"^active_window: got None, expected a value"):
        retention_rate(variant="orders", orders=ORDERS, period=MARCH)
    with pytest.raises(InvalidField, match=r"^at_start: got \['a'\], expected None \(not read"):
        churn_rate(
            variant="orders", orders=ORDERS, period=MARCH, active_window=MONTH, at_start=["a"]
        )
    with pytest.raises(InvalidField, match=r"^orders: got .*expected None \(not read: variant"):
        retention_rate(customers_at_start=5, new_customers=1, customers_at_end=5, orders=ORDERS)
    with pytest.raises(InvalidField, match=r"^columns: got .*expected None \(not read: variant"):
        churn_rate(variant="ids", at_start=["a"], at_end=["a"], columns={"customer_id": "c"})


def test_a_bad_window_period_or_record_is_refused_naming_it():
    asked = {"variant": "orders", "orders": ORDERS}

    with pytest.raises(InvalidField, match=r"^active_window: got datetime.timedelta\(0\)"):
        retention_rate(**asked, period=MARCH, active_window=timedelta(0))
    with pytest.raises(InvalidType, match=r"^active_window: got 90, expected a positive timedelta"):
        retention_rate(**asked, period=MARCH, active_window=90)
    with pytest.raises(InvalidType, match=r"^period: got '2026-03', expected a Period"):
        churn_rate(**asked, period="2026-03", active_window=MONTH)
    with pytest.raises(InvalidField, match=r"^active_window: .*no further than the year 1"):
        retention_rate(**asked, period=MARCH, active_window=timedelta(days=999_999_999))
    with pytest.raises(InvalidType, match=r"^orders\[1\]\.placed_at: got datetime"):
        retention_rate(
            variant="orders",
            orders=[ORDERS[0], placed("9", "x", datetime(2026, 3, 1))],
            period=MARCH,
            active_window=MONTH,
        )
    with pytest.raises(InvalidField, match=r"^columns: .*applies to a table"):
        retention_rate(**asked, period=MARCH, active_window=MONTH, columns={"customer_id": "c"})


def test_records_in_any_zone_are_compared_as_instants():
    berlin = "2026-03-01T00:30:00+01:00"  # 23:30 UTC on 28 February: before the period
    result = retention_rate(
        variant="orders",
        orders=[placed("1", "ada", berlin)],
        period=MARCH,
        active_window=MONTH,
    )

    assert dict(result.inputs)["customers at start"] == 1
    assert MARCH.start == datetime(2026, 3, 1, tzinfo=UTC)
