"""Metric tables as DataFrames: ``to_frame(backend, money=...)`` on every table with records.

The frame holds exactly the records (values, column order), typed: exact
decimals by default, float64 for plotting when asked; empty tables keep their
columns and types; bad arguments are refused naming the parameter; a missing
library names the extra to install.
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from fuzz import samples
from salesflow import Money
from salesflow.errors import InvalidField, InvalidType, MissingExtra
from salesflow.metrics import cohort_retention, customer_summary
from salesflow.metrics.email import email_engagement
from salesflow.metrics.funnel import Funnel
from salesflow.metrics.growth import MonthlyRevenue
from salesflow.metrics.managers import manager_kpis
from salesflow.metrics.orders import time_in_status
from salesflow.metrics.stages import time_in_lead_stages
from salesflow.metrics.summary import CustomerSummaries, CustomerSummary

BACKENDS = ("pandas", "polars", "pyarrow")
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
MARCH = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _orders(ids: tuple[Any, Any, Any]) -> list[dict[str, Any]]:
    first, second, third = ids
    day = timedelta(days=1)
    placed = [
        (first, MARCH, "40.00"),
        (first, MARCH + 31 * day, "30.00"),
        (first, MARCH + 40 * day, "30.01"),
        (second, MARCH + 3 * day, "20.00"),
        (third, MARCH + 5 * day, "9.99"),
    ]
    return [
        {"order_id": n, "customer_id": c, "placed_at": at, "amount": a, "currency": "EUR"}
        for n, (c, at, a) in enumerate(placed)
    ]


def _summary() -> Any:
    # Three orders of 100.01 in all: an average of 28 significant digits.
    return customer_summary(_orders(("ada", "bob", "cy")), now=NOW, zone="Europe/Berlin")


def _monthly() -> MonthlyRevenue:
    return MonthlyRevenue(
        {
            (2026, 1): Money("300.00", "EUR"),
            (2026, 2): Money("0", "EUR"),
            (2026, 3): Money("450.50", "EUR"),
            (2026, 4): Money("600.00", "EUR"),
        }
    )


TABLES: dict[str, Callable[[], Any]] = {
    "summary": _summary,
    "cohorts": lambda: cohort_retention(_orders(("ada", "bob", "cy")), zone="UTC", now=NOW),
    "funnel": lambda: Funnel(("visit", "cart", "pay", "review"), (300, 100, 7, 0), None),
    "status times": samples.status_times,
    "stage times": samples.stage_times,
    "manager kpis": samples.kpis,
    "email": samples.mails,
    "monthly revenue": _monthly,
}

EMPTY: dict[str, Callable[[], Any]] = {
    "summary": lambda: customer_summary([], now=NOW, zone="Europe/Berlin"),
    "cohorts": lambda: cohort_retention([], zone="UTC", now=NOW),
    "manager kpis": lambda: manager_kpis([], currency="EUR"),
    "email": lambda: email_engagement([]),
    "monthly revenue": MonthlyRevenue,
}

_DURATIONS = {"count": "int", "ongoing": "int", "total": "duration"}
_DURATIONS |= {"metric": "string", "mean": "duration", "median": "duration"}
KINDS: dict[str, dict[str, str]] = {
    "summary": {
        "customer_id": "string",
        "first_purchase": "timestamp",
        "last_purchase": "timestamp",
        "orders": "int",
        "recency": "duration",
        "total_spend": "decimal",
        "first_order_spend": "decimal",
        "average_spend": "decimal",
        "average_repeat_spend": "decimal",
        "days_between_orders": "decimal",
        "currency": "string",
    },
    "cohorts": {
        "cohort": "string",
        "offset": "int",
        "month": "string",
        "customers": "int",
        "active": "int",
        "retention": "decimal",
        "partial": "bool",
    },
    "funnel": {
        "step": "string",
        "position": "int",
        "reached": "int",
        "dropped": "int",
        "conversion": "decimal",
        "from_entry": "decimal",
        "drop_off": "decimal",
    },
    "status times": {"status": "string", **_DURATIONS},
    "stage times": {"stage": "string", **_DURATIONS},
    "manager kpis": {
        "manager": "string",
        "leads": "int",
        "won": "int",
        "lead_conversion": "decimal",
        "sales_volume": "decimal",
        "average_check": "decimal",
        "margin": "decimal",
        "meetings": "int",
        "calls": "int",
        "satisfaction": "decimal",
        "currency": "string",
    },
    "email": {
        "kind": "string",
        "delivered": "int",
        "opened": "int",
        "clicked": "int",
        "undelivered": "int",
        "clicked_unopened": "int",
        "open_rate": "decimal",
        "click_rate": "decimal",
        "click_to_open_rate": "decimal",
    },
    "monthly revenue": {
        "month": "string",
        "revenue": "decimal",
        "currency": "string",
        "growth": "decimal",
    },
}
"""What each column is, written out here rather than read from the code under test."""


# -- reading a frame back ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timedelta):
        return value.to_pytimedelta()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, Decimal):
        return value.item()  # a numpy scalar
    return value


def rows_of(frame: Any) -> list[dict[str, Any]]:
    """The frame's rows as plain Python dicts, nulls as None, in column order."""
    if isinstance(frame, pd.DataFrame):
        rows = [dict(zip(frame.columns, values, strict=True)) for values in frame.itertuples(False)]
    elif isinstance(frame, pl.DataFrame):
        rows = frame.to_dicts()
    else:
        rows = frame.to_pylist()
    return [{key: _plain(value) for key, value in row.items()} for row in rows]


def names_of(frame: Any) -> list[str]:
    return list(frame.columns) if not isinstance(frame, pa.Table) else frame.column_names


def kind_of(frame: Any, column: str) -> str:
    """The column's type family, read from the backend's own dtype."""
    if isinstance(frame, pd.DataFrame):
        dtype = frame[column].dtype
        if isinstance(dtype, pd.ArrowDtype):
            return "decimal" if pa.types.is_decimal(dtype.pyarrow_dtype) else str(dtype)
        if isinstance(dtype, pd.DatetimeTZDtype):
            return "timestamp"
        if pd.api.types.is_string_dtype(dtype):
            return "string"
        if pd.api.types.is_bool_dtype(dtype):
            return "bool"
        if pd.api.types.is_integer_dtype(dtype):
            return "int" if dtype in ("int64", "Int64") else str(dtype)
        if pd.api.types.is_timedelta64_dtype(dtype):
            return "duration"
        return "float" if dtype == "float64" else str(dtype)
    if isinstance(frame, pl.DataFrame):
        dtype = frame.schema[column]
        names = {pl.String: "string", pl.Int64: "int", pl.Boolean: "bool", pl.Float64: "float"}
        if isinstance(dtype, pl.Decimal):
            return "decimal"
        if isinstance(dtype, pl.Datetime):
            return "timestamp"
        if isinstance(dtype, pl.Duration):
            return "duration"
        return names.get(dtype, str(dtype))
    kind = frame.schema.field(column).type
    checks = {
        "decimal": pa.types.is_decimal,
        "timestamp": pa.types.is_timestamp,
        "duration": pa.types.is_duration,
        "string": pa.types.is_string,
        "bool": pa.types.is_boolean,
    }
    for name, check in checks.items():
        if check(kind):
            return name
    return {pa.int64(): "int", pa.float64(): "float"}.get(kind, str(kind))


# -- the frame is the records ------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(TABLES))
def test_the_frame_holds_exactly_the_records_in_their_column_order(name: str, backend: str):
    table = TABLES[name]()
    records = table.to_records()

    frame = table.to_frame(backend)

    assert names_of(frame) == list(records[0])
    assert rows_of(frame) == records
    assert {column: kind_of(frame, column) for column in names_of(frame)} == KINDS[name]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", [n for n in TABLES if "decimal" in KINDS[n].values()])
def test_decimal_columns_come_back_as_decimal_values_not_floats(name: str, backend: str):
    decimals = [column for column, kind in KINDS[name].items() if kind == "decimal"]

    rows = rows_of(TABLES[name]().to_frame(backend))

    values = [row[column] for row in rows for column in decimals]
    assert all(isinstance(value, Decimal) for value in values if value is not None)
    assert any(value is not None for value in values)


def test_the_summary_s_averages_come_through_with_all_28_digits():
    summary = _summary()

    frame = summary.to_frame("polars")

    ada = frame.filter(pl.col("customer_id") == "ada").to_dicts()[0]
    assert ada["average_spend"] == Decimal("33.33666666666666666666666667")
    assert ada["average_spend"] == summary["ada"].average_spend.value.amount


# -- floats for plotting -----------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(TABLES))
def test_float_money_turns_every_decimal_column_into_float64_and_nothing_else(
    name: str, backend: str
):
    table = TABLES[name]()
    records = table.to_records()

    frame = table.to_frame(backend, money="float")

    wanted = {c: "float" if k == "decimal" else k for c, k in KINDS[name].items()}
    assert {column: kind_of(frame, column) for column in names_of(frame)} == wanted
    floated = [
        {k: float(v) if KINDS[name][k] == "decimal" and v is not None else v for k, v in r.items()}
        for r in records
    ]
    assert rows_of(frame) == floated


@pytest.mark.parametrize("name", list(TABLES))
def test_pandas_describe_quantile_and_qcut_work_on_the_float_columns(name: str):
    table = TABLES[name]()
    records = table.to_records()
    frame = table.to_frame("pandas", money="float")

    for column in [c for c, kind in KINDS[name].items() if kind == "decimal"]:
        values = [float(r[column]) for r in records if r[column] is not None]
        series = frame[column]

        described = series.describe()
        median = series.quantile(0.5)

        assert series.dtype == "float64"
        assert described["count"] == len(values)
        if values:
            assert median == pytest.approx(statistics.median(values))
            assert described["max"] == max(values)
        else:
            assert math.isnan(median)
        if len(set(values)) >= 2:
            bins = pd.qcut(series, 2, duplicates="drop")
            assert bins.notna().sum() == len(values)


def test_customers_split_into_spend_quartiles_with_qcut():
    orders = [
        {
            "order_id": n,
            "customer_id": n,
            "placed_at": MARCH,
            "amount": f"{n}.50",
            "currency": "EUR",
        }
        for n in range(1, 9)
    ]
    frame = customer_summary(orders, now=NOW).to_frame(money="float")

    quartile = pd.qcut(frame["total_spend"], 4, labels=[1, 2, 3, 4])

    assert quartile.tolist() == [1, 1, 2, 2, 3, 3, 4, 4]


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_the_exact_decimal_column_takes_a_median(backend: str):
    frame = _summary().to_frame(backend)

    median = frame["total_spend"].quantile(0.5)

    assert float(median) == pytest.approx(20.0)


# -- empty tables ------------------------------------------------------------------------------


@pytest.mark.parametrize("money", ["decimal", "float"])
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(EMPTY))
def test_an_empty_table_keeps_its_columns_and_their_types(name: str, backend: str, money: str):
    table = EMPTY[name]()
    assert table.to_records() == []

    frame = table.to_frame(backend, money=money)

    assert len(frame) == 0
    kinds = {
        c: "float" if k == "decimal" and money == "float" else k for c, k in KINDS[name].items()
    }
    assert {column: kind_of(frame, column) for column in names_of(frame)} == kinds
    assert names_of(frame) == list(KINDS[name])


@pytest.mark.parametrize("backend", BACKENDS)
def test_tables_with_a_row_per_status_or_stage_hold_nulls_when_nothing_was_measured(backend):
    times = time_in_status([], now=NOW)
    stages = time_in_lead_stages([], now=NOW)

    rows = rows_of(times.to_frame(backend)) + rows_of(stages.to_frame(backend))

    assert rows == times.to_records() + stages.to_records()
    assert {(row["count"], row["mean"], row["median"]) for row in rows} == {(0, None, None)}


# -- ids, zones, digits --------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_int_customer_ids_stay_int64_so_the_summary_joins_back_to_the_orders(backend: str):
    frame = customer_summary(_orders((7, 11, 23)), now=NOW).to_frame(backend)

    assert kind_of(frame, "customer_id") == "int"
    assert [row["customer_id"] for row in rows_of(frame)] == [7, 11, 23]


@pytest.mark.parametrize("backend", BACKENDS)
def test_mixed_int_and_text_customer_ids_become_strings(backend: str):
    frame = customer_summary(_orders((7, "ada", 23)), now=NOW).to_frame(backend)

    assert kind_of(frame, "customer_id") == "string"
    assert [row["customer_id"] for row in rows_of(frame)] == ["7", "23", "ada"]


def test_times_are_shown_in_the_summary_s_zone_on_every_backend():
    summary = _summary()

    pandas, polars, arrow = (summary.to_frame(backend) for backend in BACKENDS)

    assert str(pandas["first_purchase"].dtype.tz) == "Europe/Berlin"
    assert polars.schema["first_purchase"].time_zone == "Europe/Berlin"
    assert arrow.schema.field("first_purchase").type.tz == "Europe/Berlin"
    assert pandas["first_purchase"][0].isoformat() == "2026-03-02T11:00:00+01:00"


def test_a_fixed_offset_zone_is_kept_where_the_backend_can_name_it_and_utc_in_polars():
    summary = customer_summary(_orders(("ada", "bob", "cy")), now=NOW, zone="UTC+05:30")

    pandas, polars, arrow = (summary.to_frame(backend) for backend in BACKENDS)

    assert pandas["first_purchase"][0].utcoffset() == timedelta(hours=5, minutes=30)
    assert arrow.schema.field("first_purchase").type.tz == "+05:30"
    assert polars.schema["first_purchase"].time_zone == "UTC"
    assert polars["first_purchase"][0] == MARCH  # the same instant


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_column_needing_more_than_38_digits_is_rounded_half_even_to_fit(backend: str):
    # 2 / 3,000,000,000,000 has 28 significant digits from the 13th place on: with
    # the 1 of the first step, the column needs 41 digits; decimal128 holds 38.
    table = Funnel(("visit", "buy"), (3_000_000_000_000, 2), None)
    share = table.to_records()[1]["from_entry"]

    rows = rows_of(table.to_frame(backend))

    assert share == Decimal("6.666666666666666666666666667E-13")
    assert rows[1]["from_entry"] == Decimal("6.666666666666666666666667E-13")  # 37 places
    assert rows[0]["from_entry"] == 1


# -- refusals and missing libraries --------------------------------------------------------------


@pytest.mark.parametrize("bad", ["spark", "Pandas", "", "duckdb"])
def test_an_unknown_backend_is_refused_naming_backend(bad: str):
    with pytest.raises(InvalidField, match=r"^backend: got '.*', expected 'pandas', 'polars'"):
        _summary().to_frame(bad)


@pytest.mark.parametrize("bad", [None, 1, pd])
def test_a_backend_that_is_not_text_is_refused_as_a_type_naming_backend(bad: Any):
    with pytest.raises(InvalidType, match=r"^backend: got "):
        samples.mails().to_frame(bad)


@pytest.mark.parametrize("bad", ["Decimal", "float64", "int", "exact"])
def test_an_unknown_money_is_refused_naming_money(bad: str):
    with pytest.raises(InvalidField, match=r"^money: got '.*', expected 'decimal' .* or 'float'"):
        samples.kpis().to_frame("polars", money=bad)


def test_money_that_is_not_text_is_refused_as_a_type_naming_money():
    with pytest.raises(InvalidType, match=r"^money: got <class 'float'>"):
        _monthly().to_frame(money=float)


@pytest.mark.parametrize(
    ("backend", "extra"), [("pandas", "pandas"), ("polars", "polars"), ("pyarrow", "pyarrow")]
)
def test_a_missing_library_raises_missing_extra_naming_it_and_its_extra(
    backend: str, extra: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(sys.modules, backend, None)  # import now fails as if not installed

    with pytest.raises(MissingExtra) as caught:
        _summary().to_frame(backend)

    assert (caught.value.package, caught.value.extra) == (backend, extra)
    assert f"pip install 'salesflow[{extra}]'" in str(caught.value)


def test_exact_decimals_on_pandas_need_pyarrow_and_say_so(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)

    with pytest.raises(MissingExtra, match=r"^pyarrow is not installed: pip install 'salesflow\["):
        _summary().to_frame("pandas")


def test_the_library_imports_without_pandas_polars_or_pyarrow():
    blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in (*BACKENDS, "narwhals"))
    code = (
        f"import sys; {blocked}; import salesflow, salesflow.metrics; "
        "from salesflow.metrics.funnel import Funnel; "
        "print(Funnel(('a', 'b'), (2, 1), None).to_records()[1]['conversion'])"
    )

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)

    assert (done.returncode, done.stdout.strip()) == (0, "0.5"), done.stderr


def test_monthly_revenue_gives_one_record_per_month_with_its_growth():
    records = _monthly().to_records()

    assert [(r["month"], r["revenue"], r["growth"]) for r in records] == [
        ("2026-01", Decimal("300.00"), None),
        ("2026-02", Decimal("0"), Decimal("-1")),
        ("2026-03", Decimal("450.50"), None),
        ("2026-04", Decimal("600.00"), Decimal("0.3318534961154273029966703663")),
    ]


def test_a_value_past_decimal128_is_refused_naming_the_column_and_floats_still_work():
    huge = Decimal("1E+40")  # a summary holds totals of up to 60 digits
    one = CustomerSummary("ada", MARCH, MARCH, 1, NOW - MARCH, huge, huge, "EUR")
    summary = CustomerSummaries(NOW, UTC, "net", "EUR", (one,))

    with pytest.raises(InvalidField, match=r"^total_spend: got Decimal\('1E\+40'\), expected a "):
        summary.to_frame("pyarrow")
    assert summary.to_frame("pyarrow", money="float")["total_spend"].to_pylist() == [1e40]
