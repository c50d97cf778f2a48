"""Engines for the frame-path law tests: the same rows as a table of each engine.

``engine`` is parametrised over every engine the frames extra promises;
``table(rows, engine)`` builds the table, ``rows_of(result)`` reads a table
result back as plain dicts. Spark runs in local mode and needs Java: where
Java is missing its cases skip, saying so (CI has Java 17).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

ENGINES = ("polars", "polars_lazy", "pyarrow", "pandas", "pandas_arrow", "duckdb", "spark")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java (a JRE 17) and this machine has none; CI has it")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("salesflow-law-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "America/Los_Angeles")
        .config("spark.sql.ansi.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _arrow(rows: list[dict[str, Any]], schema: dict[str, Any] | None) -> Any:
    import pyarrow as pa

    if not rows:
        assert schema is not None, "an empty table needs a schema"
        return pa.table({name: pa.array([], type=kind) for name, kind in schema.items()})
    columns = {name: [row.get(name) for row in rows] for name in rows[0]}
    if schema is None:
        return pa.table(columns)
    return pa.table(
        {name: pa.array(values, type=schema.get(name)) for name, values in columns.items()}
    )


def make_table(
    rows: list[dict[str, Any]],
    engine: str,
    *,
    schema: dict[str, Any] | None = None,
    spark: Any = None,
) -> Any:
    """``rows`` as a table of ``engine``; ``schema`` maps column names to pyarrow types.

    Every engine is built from the same Arrow table, so each sees the same
    types (decimals stay decimals, aware times stay aware).
    """
    arrow = _arrow(rows, schema)
    if engine == "pyarrow":
        return arrow
    if engine in ("polars", "polars_lazy"):
        import polars as pl

        frame = pl.from_arrow(arrow)
        return frame.lazy() if engine == "polars_lazy" else frame
    if engine == "pandas":
        return arrow.to_pandas()  # decimals become object columns of Decimals
    if engine == "pandas_arrow":
        import pandas as pd

        return arrow.to_pandas(types_mapper=pd.ArrowDtype)
    if engine == "duckdb":
        import duckdb

        connection = duckdb.connect()
        # A session zone other than the data's: calendar units must not follow it.
        connection.sql("SET TimeZone = 'America/Los_Angeles'")
        return connection.from_arrow(arrow)
    if engine == "spark":
        assert spark is not None, "the spark engine needs the spark fixture"
        return spark.createDataFrame(arrow)
    raise AssertionError(engine)


def rows_of(result: Any) -> list[dict[str, Any]]:
    """A table result as plain dicts (intervals as timedeltas, numpy/pandas values as Python)."""
    import narwhals.stable.v2 as nw

    frame = nw.from_native(result)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    rows = list(frame.iter_rows(named=True))
    return [{key: _plain(value) for key, value in row.items()} for row in rows]


def _plain(value: Any) -> Any:
    if hasattr(value, "to_pytimedelta"):
        return value.to_pytimedelta()
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if type(value).__name__ == "MonthDayNano":  # DuckDB's interval through Arrow
        months, days, nanoseconds = value
        assert months == 0, value
        return timedelta(days=days, microseconds=nanoseconds // 1000)
    if hasattr(value, "item") and not isinstance(value, Decimal):
        return value.item()
    return value


@pytest.fixture
def to_table(engine: str, request: pytest.FixtureRequest) -> Any:
    """``to_table(rows, schema=...)``: the rows as a table of this test's engine."""
    session = request.getfixturevalue("spark") if engine == "spark" else None

    def build(rows: list[dict[str, Any]], *, schema: dict[str, Any] | None = None) -> Any:
        return make_table(rows, engine, schema=schema, spark=session)

    return build
