"""The predict tables as DataFrames: ``to_frame(backend, money=...)`` on ModelInput, RFMScores,
ChurnRisk and HoldoutComparison.

The frame holds exactly the records (values, column order), typed: exact
decimals by default, float64 money when asked; an empty table keeps its
columns. ``import salesflow.predict`` imports no DataFrame library.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from salesflow.errors import InvalidField
from salesflow.predict import calibration_holdout, fit, model_input, rfm
from salesflow.predict.inputs import ModelInput

BACKENDS = ("pandas", "polars", "pyarrow")
START = datetime(2025, 1, 6, tzinfo=UTC)


def _orders() -> list[dict[str, Any]]:
    """300 customers who buy at their own rate until they leave, amounts that differ (seeded)."""
    rng = random.Random(11)
    orders = []
    for n in range(300):
        rate, drop, day = rng.gammavariate(1, 1 / 10), rng.betavariate(1, 4), rng.uniform(0, 120)
        while day < 365:
            amount = Decimal(f"{rng.gammavariate(4, 10):.2f}")
            orders.append(
                {
                    "customer_id": f"c{n:03}",
                    "placed_at": START + timedelta(days=day),
                    "amount": amount,
                }
            )
            if rng.random() < drop:
                break
            day += rng.expovariate(rate) * 7
    return orders


@pytest.fixture(scope="module")
def tables() -> dict[str, Any]:
    orders = _orders()
    end = START + timedelta(days=365)
    table = model_input(orders, calibration_end=end)
    purchases, spend = fit(table, model="bgnbd"), fit(table, model="gamma_gamma")
    split = calibration_holdout(
        orders, calibration_end=START + timedelta(days=273), holdout_end=end
    )
    return {
        "model input": table,
        "rfm": rfm(orders, now=end),
        "churn risk": purchases.churn_risk(table, spend=spend, horizon=26),
        "holdout": split.compare(fit(split.calibration, model="bgnbd")),
    }


KINDS: dict[str, dict[str, str]] = {
    "model input": {
        "customer_id": "string",
        "frequency": "int",
        "first_to_last": "float",
        "first_to_end": "float",
        "monetary_value": "decimal",
    },
    "rfm": {
        "customer_id": "string",
        "recency": "duration",
        "frequency": "int",
        "monetary": "decimal",
        "r": "int",
        "f": "int",
        "m": "int",
        "rfm": "string",
        "segment": "string",
    },
    "churn risk": {
        "rank": "int",
        "customer_id": "string",
        "p_alive": "float",
        "expected_purchases": "float",
        "expected_spend": "decimal",
        "value_at_stake": "decimal",
    },
    "holdout": {"customer_id": "string", "predicted": "float", "actual": "int"},
}
"""What each column is, written out here rather than read from the code under test."""


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timedelta):
        return value.to_pytimedelta()
    if hasattr(value, "item") and not isinstance(value, Decimal):
        return value.item()  # a numpy scalar
    return value


def rows_of(frame: Any) -> list[dict[str, Any]]:
    if isinstance(frame, pd.DataFrame):
        rows = [dict(zip(frame.columns, values, strict=True)) for values in frame.itertuples(False)]
    elif isinstance(frame, pl.DataFrame):
        rows = frame.to_dicts()
    else:
        rows = frame.to_pylist()
    return [{key: _plain(value) for key, value in row.items()} for row in rows]


def kind_of(frame: Any, column: str) -> str:
    """The column's type family, read from the backend's own dtype."""
    if isinstance(frame, pd.DataFrame):
        dtype = frame[column].dtype
        if isinstance(dtype, pd.ArrowDtype) and pa.types.is_decimal(dtype.pyarrow_dtype):
            return "decimal"
        if pd.api.types.is_timedelta64_dtype(dtype):
            return "duration"
        if pd.api.types.is_integer_dtype(dtype):
            return "int"
        if pd.api.types.is_float_dtype(dtype):
            return "float"
        return "string" if pd.api.types.is_string_dtype(dtype) else str(dtype)
    if isinstance(frame, pl.DataFrame):
        dtype = frame.schema[column]
        if isinstance(dtype, pl.Decimal):
            return "decimal"
        if isinstance(dtype, pl.Duration):
            return "duration"
        return {pl.Int64: "int", pl.Float64: "float", pl.String: "string"}[dtype]
    kind = frame.schema.field(column).type
    for name, test in (
        ("decimal", pa.types.is_decimal),
        ("duration", pa.types.is_duration),
        ("int", pa.types.is_integer),
        ("float", pa.types.is_floating),
        ("string", pa.types.is_string),
    ):
        if test(kind):
            return name
    raise AssertionError(kind)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(KINDS))
def test_a_predict_table_as_a_frame_holds_its_records_in_typed_columns(
    tables: dict[str, Any], name: str, backend: str
) -> None:
    table = tables[name]

    frame = table.to_frame(backend)

    records = table.to_records()
    assert rows_of(frame) == records
    assert [column for column, _ in type(table).COLUMNS] == list(records[0]) == list(KINDS[name])
    assert {column: kind_of(frame, column) for column in KINDS[name]} == KINDS[name]


@pytest.mark.parametrize("name", ["model input", "rfm", "churn risk"])
def test_money_float_gives_float_columns_for_plotting(tables: dict[str, Any], name: str) -> None:
    table = tables[name]
    money = [column for column, kind in KINDS[name].items() if kind == "decimal"]

    frame = table.to_frame("pandas", money="float")

    for column in money:
        assert frame[column].dtype == "float64"
        expected = [None if r[column] is None else float(r[column]) for r in table.to_records()]
        assert [_plain(v) for v in frame[column]] == expected


def test_a_model_input_without_repeat_buyers_has_a_null_monetary_column_of_its_type() -> None:
    table = ModelInput(
        frequency=[0, 0], first_to_last=[0, 0], first_to_end=[3, 4], customer_ids=[7, 9]
    )

    frame = table.to_frame("polars")

    assert frame.schema["customer_id"] == pl.Int64
    assert frame["monetary_value"].to_list() == [None, None]
    assert frame["first_to_end"].to_list() == [3.0, 4.0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_empty_model_input_keeps_its_columns(backend: str) -> None:
    table = model_input([], calibration_end=START)

    frame = table.to_frame(backend)

    names = list(frame.columns) if backend != "pyarrow" else frame.column_names
    assert names == [column for column, _ in ModelInput.COLUMNS]
    assert len(frame) == 0


def test_an_unknown_backend_or_money_is_refused_naming_the_parameter(
    tables: dict[str, Any],
) -> None:
    with pytest.raises(InvalidField, match="backend: got 'excel'"):
        tables["model input"].to_frame("excel")
    with pytest.raises(InvalidField, match="money: got 'cents'"):
        tables["holdout"].to_frame("polars", money="cents")


def test_importing_salesflow_predict_imports_no_dataframe_library() -> None:
    engines = ("narwhals", "polars", "pandas", "pyarrow", "duckdb", "pyspark")
    code = (
        "import sys, salesflow.predict; "
        f"print([name for name in {engines!r} if name in sys.modules])"
    )

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)

    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr
