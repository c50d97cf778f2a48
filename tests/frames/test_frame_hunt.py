"""Tables an analyst really passes: each gives the records' result or a SalesflowError naming
the caller's column, never an engine's own error or a wrong number.

Found by a bad-input hunt over the frame path (issue 12): NaN and out-of-range
floats with the float money opt-in, columns of Arrow's null type, DuckDB
timestamps in nanoseconds or milliseconds, two columns of one name, a narwhals
frame passed as it is, calendar months and days outside the supported years,
durations of centuries on DuckDB, unsigned 64-bit ids, and one column mapping
for every lead metric. Each test builds a few rows; Spark runs three cases.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import narwhals.stable.v2 as nw
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from frames.conftest import make_table, rows_of
from frames.test_customer_tables import summary_rows
from salesflow.errors import InvalidField, InvalidType, SalesflowError
from salesflow.metrics import (
    average_order_value,
    cohort_retention,
    conversion_rate,
    customer_summary,
    lead_conversion_rate,
    manager_kpis,
    monthly_revenue,
    on_time_delivery_rate,
    sales_cycle_length,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)
LOCAL = ("polars", "polars_lazy", "pyarrow", "pandas", "pandas_arrow", "duckdb")
TIME = pa.timestamp("us", tz="UTC")
SCHEMA = {
    "order_id": pa.string(),
    "customer_id": pa.string(),
    "placed_at": TIME,
    "amount": pa.decimal128(12, 2),
    "discount": pa.decimal128(12, 2),
    "currency": pa.string(),
    "status": pa.string(),
    "delivered_at": TIME,
    "promised_delivery": pa.date32(),
}


def orders() -> list[dict[str, Any]]:
    """Three orders of two customers: a discount, a cancellation, one not delivered."""
    return [
        {
            "order_id": "a",
            "customer_id": "x",
            "placed_at": datetime(2026, 3, 1, 12, tzinfo=UTC),
            "amount": Decimal("10.00"),
            "discount": None,
            "currency": "EUR",
            "status": "delivered",
            "delivered_at": datetime(2026, 3, 3, 23, 30, tzinfo=UTC),
            "promised_delivery": date(2026, 3, 4),
        },
        {
            "order_id": "b",
            "customer_id": "x",
            "placed_at": datetime(2026, 4, 2, 12, tzinfo=UTC),
            "amount": Decimal("5.50"),
            "discount": Decimal("1.00"),
            "currency": "EUR",
            "status": None,
            "delivered_at": None,
            "promised_delivery": None,
        },
        {
            "order_id": "c",
            "customer_id": "y",
            "placed_at": datetime(2026, 3, 3, 12, tzinfo=UTC),
            "amount": Decimal("7.25"),
            "discount": None,
            "currency": "EUR",
            "status": "cancelled",
            "delivered_at": None,
            "promised_delivery": None,
        },
    ]


def as_floats(rows: list[dict[str, Any]], **changes: dict[str, Any]) -> list[dict[str, Any]]:
    """``rows`` with float money; ``changes[order_id]`` replaces values of that row."""
    floats = [
        {
            **row,
            "amount": float(row["amount"]),
            "discount": None if row["discount"] is None else float(row["discount"]),
        }
        for row in rows
    ]
    return [{**row, **changes.get(row["order_id"], {})} for row in floats]


FLOATS = {**SCHEMA, "amount": pa.float64(), "discount": pa.float64()}
ROUNDED = {"amount_scale": 2, "amount_rounding": "ROUND_HALF_UP"}


# -- float money with the opt-in ----------------------------------------------------------------


@pytest.mark.parametrize("engine", LOCAL)
def test_nan_in_a_float_discount_is_no_discount_as_a_records_gap_is(engine: str) -> None:
    rows = as_floats(orders(), b={"discount": float("nan")})
    table = make_table(rows, engine, schema=FLOATS)
    expected = [{**row, "discount": None} for row in orders()]

    got = average_order_value(table, now=NOW, **ROUNDED)

    assert got == average_order_value(expected, now=NOW)


@pytest.mark.parametrize("engine", LOCAL)
def test_nan_in_a_float_amount_is_a_missing_amount_naming_the_column(engine: str) -> None:
    rows = as_floats(orders(), b={"amount": float("nan")})

    with pytest.raises(InvalidField, match="a value in every row") as caught:
        customer_summary(make_table(rows, engine, schema=FLOATS), now=NOW, **ROUNDED)

    assert caught.value.field == "orders['amount']"


@pytest.mark.parametrize("engine", LOCAL)
@pytest.mark.parametrize("value", [float("inf"), -float("inf"), 1e300, 2e17])
def test_an_infinite_or_huge_float_amount_is_refused_naming_the_column(
    engine: str, value: float
) -> None:
    rows = as_floats(orders(), a={"amount": value})

    with pytest.raises(InvalidField) as caught:
        monthly_revenue(make_table(rows, engine, schema=FLOATS), zone="UTC", **ROUNDED)

    assert caught.value.field == "orders['amount']"
    assert "amount_scale" in str(caught.value)


# -- columns of Arrow's null type ---------------------------------------------------------------


@pytest.mark.parametrize("engine", LOCAL)
def test_a_discount_column_of_the_null_type_is_no_discount(engine: str) -> None:
    rows = [{**row, "discount": None} for row in orders()]
    table = make_table(rows, engine, schema={**SCHEMA, "discount": pa.null()})

    got = average_order_value(table, now=NOW)

    assert got == average_order_value(rows, now=NOW)


@pytest.mark.parametrize("engine", LOCAL)
def test_a_delivery_column_of_the_null_type_is_no_delivery(engine: str) -> None:
    rows = [{**row, "delivered_at": None} for row in orders()]
    table = make_table(rows, engine, schema={**SCHEMA, "delivered_at": pa.null()})

    got = on_time_delivery_rate(table, zone="Europe/Berlin", now=NOW)

    assert got == on_time_delivery_rate(rows, zone="Europe/Berlin", now=NOW)


@pytest.mark.parametrize("engine", LOCAL)
def test_a_promised_date_column_of_the_null_type_is_refused_as_records_are(engine: str) -> None:
    rows = [{**row, "promised_delivery": None} for row in orders()]
    table = make_table(rows, engine, schema={**SCHEMA, "promised_delivery": pa.null()})

    with pytest.raises(InvalidField) as caught:
        on_time_delivery_rate(table, zone="UTC")
    with pytest.raises(SalesflowError):
        on_time_delivery_rate(rows, zone="UTC")

    assert caught.value.field == "orders['promised_delivery']"


# -- timestamps in other units ------------------------------------------------------------------


def duckdb_of(table: pa.Table) -> Any:
    connection = duckdb.connect()
    connection.sql("SET TimeZone = 'America/Los_Angeles'")
    return connection.from_arrow(table)


def test_duckdb_reads_nanosecond_times_dropping_the_nanoseconds_as_records_do() -> None:
    # Half a microsecond after each order, and one 1.5 microseconds before 1970.
    nanos = [int(row["placed_at"].timestamp()) * 10**9 + 500 for row in orders()[:2]] + [-1_500]
    arrow = make_table(orders(), "pyarrow", schema=SCHEMA)
    arrow = arrow.set_column(2, "placed_at", pa.array(nanos, pa.timestamp("ns", tz="UTC")))
    rows = [
        {**row, "placed_at": pd.Timestamp(n, unit="ns", tz="UTC").floor("us").to_pydatetime()}
        for row, n in zip(orders(), nanos, strict=True)
    ]
    relation = duckdb_of(arrow)

    got = customer_summary(relation, now=NOW)
    cohorts = cohort_retention(relation, zone="Europe/Berlin", now=NOW)

    assert summary_rows(rows_of(got)) == summary_rows(customer_summary(rows, now=NOW).to_records())
    assert cohorts == cohort_retention(rows, zone="Europe/Berlin", now=NOW)


@pytest.mark.parametrize("unit", ["ns", "ms", "s"])
def test_duckdb_reads_naive_times_of_any_unit_in_the_stated_zone(unit: str) -> None:
    berlin = pd.Timestamp(0).tz_localize("Europe/Berlin").tzinfo
    walls = [row["placed_at"].astimezone(berlin).replace(tzinfo=None) for row in orders()]
    arrow = make_table(orders(), "pyarrow", schema=SCHEMA)
    arrow = arrow.set_column(2, "placed_at", pa.array(walls, pa.timestamp(unit)))

    got = monthly_revenue(duckdb_of(arrow), zone="Europe/Berlin", naive_zone="Europe/Berlin")

    assert got == monthly_revenue(orders(), zone="Europe/Berlin")


# -- two columns of one name --------------------------------------------------------------------


def doubled(engine: str, name: str) -> Any:
    """The orders with two columns called ``name`` (the second holding other values)."""
    arrow = make_table(orders(), "pyarrow", schema=SCHEMA)
    if name not in arrow.column_names:
        arrow = arrow.append_column(name, pa.array(["n"] * arrow.num_rows))
    if engine == "duckdb":
        return duckdb_of(arrow).query("t", f"SELECT *, 'z' AS \"{name}\" FROM t")
    other = pa.array(["z"] * arrow.num_rows)
    arrow = pa.Table.from_arrays([*arrow.columns, other], names=[*arrow.column_names, name])
    return arrow if engine == "pyarrow" else arrow.to_pandas()  # polars can't hold two


@pytest.mark.parametrize("engine", ["pyarrow", "pandas", "duckdb"])
@pytest.mark.parametrize("name", ["customer_id", "notes"])
def test_two_columns_of_one_name_are_refused_naming_it(engine: str, name: str) -> None:
    table = doubled(engine, name)

    with pytest.raises(InvalidField, match="2 columns") as caught:
        customer_summary(table, now=NOW)

    assert caught.value.field == f"orders[{name!r}]"


# -- a narwhals frame ---------------------------------------------------------------------------


def test_a_narwhals_frame_is_read_as_the_table_it_wraps_and_given_back_as_one() -> None:
    frame = nw.from_native(make_table(orders(), "pandas", schema=SCHEMA))  # Decimal objects

    got = customer_summary(frame, now=NOW)
    value = average_order_value(frame, now=NOW)

    assert isinstance(got, nw.DataFrame)
    assert summary_rows(rows_of(got)) == summary_rows(
        customer_summary(orders(), now=NOW).to_records()
    )
    assert value == average_order_value(orders(), now=NOW)


# -- calendars beyond the supported years -------------------------------------------------------


def moved(year: int, month: int = 12, day: int = 31, hour: int = 23) -> list[dict[str, Any]]:
    """The orders placed (and delivered) at one moment of the year ``year``."""
    at = datetime(year, month, day, hour, tzinfo=UTC)
    return [
        {**row, "placed_at": at, "delivered_at": at if row["delivered_at"] else None}
        for row in orders()
    ]


CALENDARS = {
    # The year 10000 in Berlin: past the months and days a calendar reads.
    "cohorts": (9999, lambda table: cohort_retention(table, zone="Europe/Berlin")),
    "monthly": (9999, lambda table: monthly_revenue(table, zone="Europe/Berlin")),
    # The year 0 in New York: before the first day.
    "days": (
        1,
        lambda table: customer_summary(
            table, now=NOW, zone="America/New_York", purchase="customer_day"
        ),
    ),
}


@pytest.mark.parametrize("engine", LOCAL)
@pytest.mark.parametrize("metric", list(CALENDARS))
def test_a_moment_whose_month_or_day_is_outside_the_supported_years_names_its_column(
    engine: str, metric: str
) -> None:
    year, call = CALENDARS[metric]
    rows = moved(year) if year == 9999 else moved(1, 1, 1, 0)

    with pytest.raises(InvalidField, match="years") as caught:
        call(make_table(rows, engine, schema=SCHEMA))
    with pytest.raises(InvalidField) as records:
        call(rows)

    assert caught.value.field == "orders['placed_at']"
    assert records.value.field == "orders[0].placed_at"


@pytest.mark.parametrize("engine", LOCAL)
def test_a_cohort_before_the_year_2_names_the_column_not_a_year(engine: str) -> None:
    table = make_table(moved(1, 3, 1, 12), engine, schema=SCHEMA)

    with pytest.raises(InvalidField) as caught:
        cohort_retention(table, zone="Europe/Berlin")
    with pytest.raises(InvalidField) as records:
        cohort_retention(moved(1, 3, 1, 12), zone="Europe/Berlin")

    assert caught.value.field == "orders['placed_at']"
    assert "years 2 to 9998" in str(records.value)


@pytest.mark.parametrize("engine", LOCAL)
def test_a_delivery_day_past_the_supported_years_names_its_column_as_records_do(
    engine: str,
) -> None:
    rows = moved(9999)

    with pytest.raises(InvalidField) as caught:
        on_time_delivery_rate(make_table(rows, engine, schema=SCHEMA), zone="Europe/Berlin")
    with pytest.raises(InvalidField) as records:
        on_time_delivery_rate(rows, zone="Europe/Berlin")

    assert caught.value.field == "orders['delivered_at']"
    assert records.value.field == "orders[0].delivered_at"


# -- long durations -----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", LOCAL)
def test_the_recency_of_a_purchase_centuries_ago_is_exact(engine: str) -> None:
    rows = moved(1, 3, 1, 12)  # 2025 years before now: past 2**63 nanoseconds

    got = customer_summary(make_table(rows, engine, schema=SCHEMA), now=NOW)

    recency = [row["recency"] for row in summary_rows(rows_of(got))]
    assert recency == [row["recency"] for row in customer_summary(rows, now=NOW).to_records()]
    assert recency[0] > timedelta(days=700_000)


# -- ids ----------------------------------------------------------------------------------------

BIG = 2**63 + 5  # an unsigned 64-bit id no signed 64-bit integer holds


@pytest.mark.parametrize("other", [pl.Int64, pl.UInt64, pl.UInt8])
def test_distinct_ids_of_unsigned_64_bit_integers_are_compared_exactly(other: Any) -> None:
    visitors = pl.Series("v", [1, 2, 3, BIG], dtype=pl.UInt64)
    converted = pl.Series("c", [1, 3], dtype=other)

    got = conversion_rate(visitors=visitors, converted=converted, variant="distinct_ids")

    assert got == conversion_rate(visitors=[1, 2, 3, BIG], converted=[1, 3], variant="distinct_ids")


def test_answers_by_a_lead_id_past_signed_64_bits_credit_its_manager() -> None:
    won = datetime(2026, 3, 2, tzinfo=UTC)
    leads = [
        {"lead_id": 1, "manager": "sam", "won_at": won, "revenue": Decimal(5), "currency": "EUR"},
        {"lead_id": BIG, "manager": "kim", "won_at": None, "revenue": None, "currency": None},
    ]
    lead_table = pl.DataFrame(
        leads,
        schema={
            "lead_id": pl.UInt64,
            "manager": pl.String,
            "won_at": pl.Datetime("us", "UTC"),
            "revenue": pl.Decimal(12, 2),
            "currency": pl.String,
        },
    )
    few = [{"lead_id": 1, "score": 5}]
    both = [*few, {"lead_id": BIG, "score": 4}]

    signed = manager_kpis(
        lead_table, surveys=pl.DataFrame(few, schema={"lead_id": pl.Int64, "score": pl.Int64})
    )
    unsigned = manager_kpis(
        lead_table, surveys=pl.DataFrame(both, schema={"lead_id": pl.UInt64, "score": pl.Int64})
    )

    assert signed.to_records() == manager_kpis(leads, surveys=few).to_records()
    assert unsigned.to_records() == manager_kpis(leads, surveys=both).to_records()


# -- one mapping for the lead metrics -----------------------------------------------------------


def test_one_mapping_serves_every_lead_metric() -> None:
    rows = [
        {
            "id": "L1",
            "opened": datetime(2026, 3, 1, tzinfo=UTC),
            "closed": datetime(2026, 3, 4, tzinfo=UTC),
            "q": True,
        },
        {"id": "L2", "opened": datetime(2026, 3, 2, tzinfo=UTC), "closed": None, "q": False},
    ]
    table = pl.DataFrame(rows, schema_overrides={"closed": pl.Datetime("us", "UTC")})
    mapping = {"lead_id": "id", "created_at": "opened", "won_at": "closed", "qualified": "q"}
    records = [
        {"lead_id": r["id"], "created_at": r["opened"], "won_at": r["closed"], "qualified": r["q"]}
        for r in rows
    ]

    cycle = sales_cycle_length(table, columns=mapping, now=NOW)
    rate = lead_conversion_rate(table, columns=mapping, variant="qualified", now=NOW)

    assert cycle == sales_cycle_length(records, now=NOW)
    assert rate == lead_conversion_rate(records, variant="qualified", now=NOW)


# -- Spark --------------------------------------------------------------------------------------


def test_spark_reads_nan_in_a_float_amount_as_a_missing_amount(spark: Any) -> None:
    rows = as_floats(orders(), b={"amount": float("nan")})
    table = make_table(rows, "spark", schema=FLOATS, spark=spark)

    with pytest.raises(InvalidField, match="a value in every row") as caught:
        average_order_value(table, now=NOW, **ROUNDED)

    assert caught.value.field == "orders['amount']"


def test_spark_reads_a_time_column_of_the_null_type_as_no_times(spark: Any) -> None:
    rows = [{**row, "delivered_at": None} for row in orders()]
    table = make_table(rows, "spark", schema={**SCHEMA, "delivered_at": pa.null()}, spark=spark)

    got = on_time_delivery_rate(table, zone="UTC", now=NOW)

    assert got == on_time_delivery_rate(rows, zone="UTC", now=NOW)


def test_spark_refuses_two_columns_of_one_name_naming_it(spark: Any) -> None:
    table = make_table(orders(), "spark", schema=SCHEMA, spark=spark)
    table = table.select(*table.columns, table["customer_id"].alias("customer_id"))

    with pytest.raises(InvalidField, match="2 columns") as caught:
        customer_summary(table, now=NOW)

    assert caught.value.field == "orders['customer_id']"


def test_a_table_with_an_unreadable_column_type_is_refused_naming_it() -> None:
    relation = duckdb.sql("SELECT uuid() AS customer_id, 1 AS x")

    with pytest.raises(InvalidType) as caught:
        conversion_rate(
            visitors=relation,
            converted=[],
            variant="distinct_ids",
            columns={"person_id": "customer_id"},
        )

    assert caught.value.field == "visitors['customer_id']"
