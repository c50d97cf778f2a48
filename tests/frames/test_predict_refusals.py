"""Bad tables given to salesflow.predict get the records path's clear errors, naming the caller's
column as the metrics do (``records['placed_at']``, ``customers['amount']``)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType, MissingExtra
from salesflow.predict import calibration_holdout, model_input, rfm

END = datetime(2026, 3, 10, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def orders(**changes: Any) -> pl.DataFrame:
    data: dict[str, Any] = {
        "customer_id": ["x", "x", "y", "x"],
        "placed_at": [datetime(2026, 3, day, 12, tzinfo=UTC) for day in (1, 2, 3, 20)],
        "amount": [Decimal("10.00"), Decimal("5.50"), Decimal("7.25"), Decimal("1.00")],
        "currency": ["EUR"] * 4,
    }
    data.update(changes)
    return pl.DataFrame(data, schema_overrides={"amount": pl.Decimal(12, 2)})


def every_reader(table: Any) -> list[Any]:
    """Each predict function reading ``table``, as a thunk."""
    return [
        lambda: model_input(table, calibration_end=END),
        lambda: calibration_holdout(table, calibration_end=END, holdout_end=NOW),
        lambda: rfm(table, now=NOW),
    ]


def argument(index: int) -> str:
    return "customers" if index == 2 else "records"


def test_a_missing_column_is_named_with_the_columns_the_table_has() -> None:
    for index, read in enumerate(every_reader(orders().drop("placed_at"))):
        with pytest.raises(InvalidField) as raised:
            read()

        assert raised.value.field == f"{argument(index)}['placed_at']"
        assert "the table has ['customer_id', 'amount', 'currency']" in str(raised.value)


def test_columns_maps_the_callers_names_and_errors_then_name_the_callers_column() -> None:
    renamed = {"customer_id": "cust", "placed_at": "date", "amount": "dollars"}
    table = orders().rename(renamed)
    mapping = dict(renamed)

    assert (
        model_input(table, calibration_end=END, columns=mapping).to_records()
        == model_input(orders(), calibration_end=END).to_records()
    )
    negative = table.with_columns(pl.lit(Decimal("-1.00")).cast(pl.Decimal(12, 2)).alias("dollars"))
    with pytest.raises(InvalidField, match=r"records\['dollars'\]: got Decimal\('-1.00'\)"):
        model_input(negative, calibration_end=END, columns=mapping)
    with pytest.raises(InvalidField, match=r"columns\['amount'\]: got 'price'"):
        rfm(table, now=NOW, columns={"amount": "price"})


def test_a_float_amount_column_is_refused_as_the_metrics_refuse_it_unless_its_rounding_is_stated() -> (
    None
):
    floats = orders().with_columns(pl.Series("amount", [10.005, 5.5, 7.125, 1.0]))
    rounded = orders(amount=[Decimal("10.01"), Decimal("5.50"), Decimal("7.13"), Decimal("1.00")])

    for index, read in enumerate(every_reader(floats)):
        with pytest.raises(InvalidType, match="float column is inexact") as raised:
            read()
        assert raised.value.field == f"{argument(index)}['amount']"
    got = rfm(floats, now=NOW, amount_scale=2, amount_rounding="ROUND_HALF_UP")
    assert got.to_records() == rfm(rounded, now=NOW).to_records()
    split = calibration_holdout(
        floats,
        calibration_end=END,
        holdout_end=NOW,
        amount_scale=2,
        amount_rounding="ROUND_HALF_UP",
    )
    assert split.calibration.to_records() == model_input(rounded, calibration_end=END).to_records()


def test_a_naive_time_column_is_refused_unless_its_zone_is_stated() -> None:
    walls = [
        datetime(2026, 3, 1, 23, 30),
        datetime(2026, 3, 2, 0, 30),
        datetime(2026, 3, 3),
        datetime(2026, 3, 20),
    ]
    berlin = ZoneInfo("Europe/Berlin")
    naive = orders(placed_at=walls)

    with pytest.raises(InvalidField, match=r"records\['placed_at'\].*naive: say which zone"):
        model_input(naive, calibration_end=END)
    got = model_input(naive, calibration_end=END, zone=berlin, naive_zone="Europe/Berlin")
    aware = [
        {**row, "placed_at": row["placed_at"].replace(tzinfo=berlin)} for row in naive.to_dicts()
    ]
    assert got.to_records() == model_input(aware, calibration_end=END, zone=berlin).to_records()
    # 23:30 and 00:30 in Berlin are two days there (one repeat purchase), one day in UTC.
    assert got.frequency.tolist() == [1.0, 0.0]
    in_utc = model_input(naive, calibration_end=END, naive_zone="Europe/Berlin")
    assert in_utc.frequency.tolist() == [0.0, 0.0]


def test_a_second_currency_is_a_mismatch_naming_the_column() -> None:
    for index, read in enumerate(every_reader(orders(currency=["EUR", "USD", "EUR", "EUR"]))):
        with pytest.raises(CurrencyMismatch) as raised:
            read()
        assert raised.value.field == f"{argument(index)}['currency']"


def test_missing_values_and_empty_ids_are_named() -> None:
    with pytest.raises(InvalidField, match=r"records\['customer_id'\].*1 rows have none"):
        model_input(orders(customer_id=["x", None, "y", "x"]), calibration_end=END)
    with pytest.raises(InvalidField, match=r"customers\['customer_id'\]"):
        rfm(orders(customer_id=["x", "", "y", "x"]), now=NOW)
    none = orders().with_columns(
        pl.Series("amount", [None, Decimal("1"), None, None], dtype=pl.Decimal(12, 2))
    )
    with pytest.raises(InvalidField, match=r"records\['amount'\].*3 rows have none"):
        calibration_holdout(none, calibration_end=END, holdout_end=NOW)


def test_rfm_refuses_a_purchase_after_now_and_a_table_without_now() -> None:
    with pytest.raises(InvalidField, match=r"customers\['placed_at'\].*not after now"):
        rfm(orders(), now=datetime(2026, 3, 2, tzinfo=UTC))
    with pytest.raises(InvalidField, match="now: got None"):
        rfm(orders())


def test_a_calendar_day_outside_the_years_1_to_9999_is_refused_only_where_records_refuse_it() -> (
    None
):
    plus_five = timezone(timedelta(hours=5))
    late = datetime(9999, 12, 31, 21, tzinfo=UTC)  # already the year 10000 at UTC+5
    rows = [
        {
            "customer_id": "x",
            "placed_at": datetime(2026, 3, 1, tzinfo=UTC),
            "amount": Decimal("1.00"),
        },
        {"customer_id": "x", "placed_at": late, "amount": Decimal("1.00")},
    ]
    table = pl.DataFrame(rows, schema_overrides={"amount": pl.Decimal(12, 2)})

    for data in (rows, table):
        with pytest.raises(InvalidField) as raised:
            model_input(data, calibration_end=late + timedelta(hours=1), zone=plus_five)
        assert "placed_at" in raised.value.field
        # Past the end of calibration the row's day is not read: nothing to refuse.
        assert len(model_input(data, calibration_end=late, zone=plus_five)) == 1


def test_table_arguments_given_with_records_are_refused() -> None:
    rows = orders().to_dicts()

    with pytest.raises(InvalidField, match=r"columns: got .* applies to a table"):
        model_input(rows, calibration_end=END, columns={"amount": "price"})
    with pytest.raises(InvalidField, match="naive_zone"):
        calibration_holdout(rows, calibration_end=END, holdout_end=NOW, naive_zone="UTC")
    with pytest.raises(InvalidField, match="amount_scale"):
        rfm(rows, now=NOW, amount_scale=2)


def test_without_narwhals_a_table_names_the_frames_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "narwhals.stable.v2", None)  # import now fails

    for read in every_reader(orders()):
        with pytest.raises(MissingExtra, match=r"pip install 'salesflow\[frames\]'"):
            read()
