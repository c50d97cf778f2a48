"""The optional ``progress`` hook of the records-path metrics (issue 12, section 4).

Counts add up to the rows read, every EVERY rows and the remainder at the end;
an empty input calls nothing; a tqdm-like ``.update`` works; a bad hook is
refused naming ``progress``; an exception from the hook propagates unchanged;
and the results never depend on the hook.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType
from salesflow.metrics._read import progress as progress_module
from salesflow.metrics.cohorts import cohort_retention
from salesflow.metrics.summary import customer_summary

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
START = datetime(2025, 1, 1, tzinfo=UTC)
EVERY = progress_module.EVERY


def rows(count, customers=37):
    return [
        {
            "order_id": index,
            "customer_id": index % customers,
            "placed_at": START + timedelta(hours=7 * index % 9000),
            "amount": Decimal(index % 50) + Decimal("0.99"),
            "currency": "EUR",
            "status": "cancelled" if index % 11 == 0 else "delivered",
        }
        for index in range(count)
    ]


def summary(orders, **kwargs):
    return customer_summary(orders, now=NOW, zone=UTC, **kwargs)


def cohorts(orders, **kwargs):
    return cohort_retention(orders, zone="Europe/Berlin", now=NOW, **kwargs)


METRICS = [
    pytest.param(summary, "row", id="customer_summary"),
    pytest.param(summary, "order", id="customer_summary-order"),
    pytest.param(summary, "customer_day", id="customer_summary-customer_day"),
    pytest.param(cohorts, "row", id="cohort_retention"),
    pytest.param(cohorts, "order", id="cohort_retention-order"),
    pytest.param(cohorts, "customer_day", id="cohort_retention-customer_day"),
]


class Bar:
    """Enough of a tqdm bar: ``update(n)`` adds to ``n``."""

    def __init__(self):
        self.n = 0
        self.updates = 0

    def update(self, n=1):
        self.n += n
        self.updates += 1


@pytest.mark.parametrize(("metric", "purchase"), METRICS)
def test_counts_come_every_n_rows_and_the_remainder_at_the_end(metric, purchase):
    data = rows(2 * EVERY + 123)
    seen = []
    assert metric(data, purchase=purchase, progress=seen.append) == metric(data, purchase=purchase)
    assert seen == [EVERY, EVERY, 123]


@pytest.mark.parametrize(("metric", "purchase"), METRICS)
def test_a_generator_is_counted_too(metric, purchase):
    seen = []
    metric((row for row in rows(EVERY + 5)), purchase=purchase, progress=seen.append)
    assert seen == [EVERY, 5]


def test_an_exact_multiple_ends_with_a_full_count_and_no_zero():
    seen = []
    summary(rows(EVERY), progress=seen.append)
    assert seen == [EVERY]


@pytest.mark.parametrize(("metric", "purchase"), METRICS)
def test_an_empty_input_calls_nothing(metric, purchase):
    seen = []
    metric([], purchase=purchase, progress=seen.append)
    metric(iter(()), purchase=purchase, progress=seen.append)
    assert seen == []


@pytest.mark.parametrize(("metric", "purchase"), METRICS)
def test_a_tqdm_like_bar_is_updated_with_every_row(metric, purchase):
    bar = Bar()
    metric(rows(EVERY + 7), purchase=purchase, progress=bar)
    assert (bar.n, bar.updates) == (EVERY + 7, 2)


@pytest.mark.parametrize("bad", [7, "bogus", 1.5, True, [1], {"x": 1}, set(), object(), Bar])
@pytest.mark.parametrize(("metric", "purchase"), METRICS)
def test_a_bad_progress_is_refused_naming_it(metric, purchase, bad):
    with pytest.raises(InvalidType) as caught:
        metric(rows(3), purchase=purchase, progress=bad)
    assert caught.value.field == "progress"
    assert str(caught.value).startswith("progress: got ")


def test_a_bad_progress_is_refused_before_any_row_is_read():
    def never():
        raise AssertionError("read")
        yield

    with pytest.raises(InvalidType, match=r"^progress: "):
        cohorts(never(), progress=42)


@pytest.mark.parametrize(("metric", "purchase"), METRICS)
def test_an_exception_from_the_hook_propagates_unchanged(metric, purchase):
    failure = KeyboardInterrupt()

    def stop(count):
        raise failure

    with pytest.raises(KeyboardInterrupt) as caught:
        metric(rows(5), purchase=purchase, progress=stop)
    assert caught.value is failure


def test_a_bad_row_is_still_named_with_progress():
    data = rows(10)
    data[4]["amount"] = 19.99
    seen = []
    with pytest.raises(InvalidField, match=r"^orders\[4\]\.amount: "):
        summary(data, progress=seen.append)
    assert seen == []  # the failing chunk is not reported


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(min_value=0, max_value=40),
    customers=st.integers(min_value=1, max_value=9),
    every=st.integers(min_value=1, max_value=12),
    purchase=st.sampled_from(["row", "order", "customer_day"]),
    basis=st.sampled_from(["net", "gross"]),
)
def test_results_are_the_same_with_and_without_progress(count, customers, every, purchase, basis):
    data = rows(count, customers)
    with mock.patch.object(progress_module, "EVERY", every):
        seen, bar = [], Bar()
        plain = summary(data, purchase=purchase, basis=basis)
        assert summary(iter(data), purchase=purchase, basis=basis, progress=seen.append) == plain
        assert cohorts(data, purchase=purchase) == cohorts(data, purchase=purchase, progress=bar)
    assert sum(seen) == bar.n == count
    assert all(0 < n <= every for n in seen)
    assert seen[:-1] == [every] * (len(seen) - 1)
