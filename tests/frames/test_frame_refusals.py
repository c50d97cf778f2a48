"""Bad tables get the records path's clear errors, naming the caller's column."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType, MissingExtra
from salesflow.metrics import cohort_retention, customer_summary

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def orders(**changes: Any) -> pl.DataFrame:
    data: dict[str, Any] = {
        "order_id": ["a", "b", "c"],
        "customer_id": ["x", "x", "y"],
        "placed_at": [datetime(2026, 3, day, 12, tzinfo=UTC) for day in (1, 2, 3)],
        "amount": [Decimal("10.00"), Decimal("5.50"), Decimal("7.25")],
        "currency": ["EUR", "EUR", "EUR"],
    }
    data.update(changes)
    return pl.DataFrame(data, schema_overrides={"amount": pl.Decimal(12, 2)})


def test_a_missing_column_is_named_with_the_columns_the_table_has() -> None:
    table = orders().drop("placed_at")
    with pytest.raises(InvalidField, match=r"orders\['placed_at'\].*a column named 'placed_at'"):
        customer_summary(table, now=NOW)


def test_columns_maps_the_callers_names_and_errors_then_name_the_callers_column() -> None:
    table = orders().rename({"customer_id": "cust", "placed_at": "date", "amount": "dollars"})
    mapping = {"customer_id": "cust", "placed_at": "date", "amount": "dollars"}
    assert customer_summary(table, now=NOW, columns=mapping).height == 2
    bad = table.with_columns(pl.lit(Decimal("-1.00")).cast(pl.Decimal(12, 2)).alias("dollars"))
    with pytest.raises(InvalidField, match=r"orders\['dollars'\]: got Decimal\('-1.00'\)"):
        customer_summary(bad, now=NOW, columns=mapping)


def test_columns_refuses_a_name_the_metric_does_not_read_or_the_table_lacks() -> None:
    with pytest.raises(InvalidField, match="columns: got 'price'"):
        customer_summary(orders(), now=NOW, columns={"price": "amount"})
    with pytest.raises(InvalidField, match=r"columns\['amount'\]: got 'price'"):
        customer_summary(orders(), now=NOW, columns={"amount": "price"})
    with pytest.raises(InvalidType, match="columns"):
        customer_summary(orders(), now=NOW, columns=["amount"])


def test_a_float_money_column_is_refused_unless_its_rounding_is_stated() -> None:
    table = orders().with_columns(pl.Series("amount", [10.005, 5.5, 7.125]))
    with pytest.raises(InvalidType, match=r"orders\['amount'\].*float column is inexact"):
        customer_summary(table, now=NOW)
    got = customer_summary(table, now=NOW, amount_scale=2, amount_rounding="ROUND_HALF_UP")
    spend = dict(zip(got["customer_id"], got["total_spend"], strict=True))
    # Half up on the float64 product x * 10**scale, the same on every engine:
    # 10.005 * 100 is 1000.5000000000001 and 7.125 * 100 is 712.5 exactly.
    assert spend == {"x": Decimal("15.51"), "y": Decimal("7.13")}


def test_float_rounding_arguments_come_together_and_only_half_up() -> None:
    table = orders().with_columns(pl.Series("amount", [1.0, 2.0, 3.0]))
    with pytest.raises(InvalidField, match="amount_rounding: got None"):
        customer_summary(table, now=NOW, amount_scale=2)
    with pytest.raises(InvalidField, match="amount_rounding: got 'ROUND_HALF_EVEN'"):
        customer_summary(table, now=NOW, amount_scale=2, amount_rounding="ROUND_HALF_EVEN")
    with pytest.raises(InvalidField, match="amount_scale: got 2"):
        customer_summary(orders(), now=NOW, amount_scale=2, amount_rounding="ROUND_HALF_UP")


def test_a_naive_time_column_is_refused_unless_its_zone_is_stated() -> None:
    naive = orders(placed_at=[datetime(2026, 3, 31, 23, 30), datetime(2026, 4, 1), datetime(2026, 4, 2)])
    with pytest.raises(InvalidField, match=r"orders\['placed_at'\].*naive: say which zone"):
        cohort_retention(naive, zone="Europe/Berlin")
    table = cohort_retention(naive, zone="Europe/Berlin", naive_zone="Europe/Berlin")
    # 23:30 on 31 March in Berlin stays a March purchase: no phantom cohort from UTC.
    assert [cohort.label for cohort in table.cohorts] == ["2026-03", "2026-04"]
    with pytest.raises(InvalidField, match="naive_zone"):
        cohort_retention(orders(), zone="UTC", naive_zone="Europe/Berlin")


def test_a_second_currency_is_a_mismatch_naming_the_column() -> None:
    with pytest.raises(CurrencyMismatch, match=r"orders\['currency'\]: got 'USD'"):
        customer_summary(orders(currency=["EUR", "USD", "EUR"]), now=NOW)


def test_a_stated_currency_stands_in_for_a_missing_column_and_is_checked_against_a_present_one() -> None:
    got = customer_summary(orders().drop("currency"), now=NOW, currency="USD")
    assert set(got["currency"]) == {"USD"}
    with pytest.raises(CurrencyMismatch, match=r"orders\['currency'\]: got 'EUR'.*'USD'"):
        customer_summary(orders(), now=NOW, currency="USD")
    with pytest.raises(InvalidField, match=r"orders\['currency'\].*state currency="):
        customer_summary(orders().drop("currency"), now=NOW)


def test_missing_values_unknown_statuses_and_empty_ids_are_named() -> None:
    with pytest.raises(InvalidField, match=r"orders\['customer_id'\].*1 rows have none"):
        customer_summary(orders(customer_id=["x", None, "y"]), now=NOW)
    with pytest.raises(InvalidField, match=r"orders\['status'\]: got 'lost'"):
        customer_summary(orders(status=["delivered", "lost", None]), now=NOW)
    with pytest.raises(InvalidField, match=r"orders\['order_id'\]"):
        customer_summary(orders(order_id=["a", "", "c"]), now=NOW)


def test_a_time_after_now_and_a_discount_above_the_amount_are_refused() -> None:
    with pytest.raises(InvalidField, match=r"orders\['placed_at'\].*not after now"):
        customer_summary(orders(), now=datetime(2026, 3, 2, tzinfo=UTC))
    over = orders(discount=[Decimal("11.00"), None, None]).with_columns(
        pl.col("discount").cast(pl.Decimal(12, 2))
    )
    with pytest.raises(InvalidField, match=r"orders\['discount'\]: got Decimal\('11.00'\)"):
        customer_summary(over, now=NOW)


def test_one_order_naming_two_customers_is_refused_when_orders_are_the_purchases() -> None:
    table = orders(order_id=["a", "a", "c"], customer_id=["x", "y", "y"])
    with pytest.raises(InvalidField, match=r"orders\['customer_id'\]: got 'a'"):
        customer_summary(table, now=NOW, purchase="order")


def test_sums_beyond_the_engines_decimals_are_refused_not_wrapped() -> None:
    huge = Decimal("9" * 36 + ".00")  # three of them overflow 38 digits: polars would wrap
    table = orders().with_columns(pl.Series("amount", [huge] * 3, dtype=pl.Decimal(38, 2)))
    with pytest.raises(InvalidField, match="38-digit decimals"):
        customer_summary(table, now=NOW)


def test_table_arguments_given_with_records_are_refused() -> None:
    with pytest.raises(InvalidField, match=r"columns: got .* applies to a table"):
        customer_summary([], now=NOW, columns={"amount": "price"})
    with pytest.raises(InvalidField, match="naive_zone"):
        cohort_retention([], zone="UTC", naive_zone="UTC")


def test_without_narwhals_a_table_names_the_frames_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "narwhals.stable.v2", None)  # import now fails
    with pytest.raises(MissingExtra, match=r"pip install 'salesflow\[frames\]'"):
        customer_summary(orders(), now=NOW)


def test_progress_is_refused_with_a_table_which_is_not_read_row_by_row() -> None:
    with pytest.raises(InvalidField, match=r"progress: got .*inside its engine"):
        customer_summary(orders(), now=NOW, progress=print)
    with pytest.raises(InvalidField, match="progress"):
        cohort_retention(orders(), zone="UTC", progress=print)
