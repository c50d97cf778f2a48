"""Law: the lead metrics and the history metrics give on a table what they give on records.

lead_conversion_rate, sales_cycle_length and manager_kpis read tables of lead
records (and of activities and survey answers); time_in_status and
time_in_lead_stages read tables of changes exported from real Order and Lead
histories. On every engine the result must equal the records path's on the
same rows (the same aggregates), empty input and ``on_empty`` included.
Spark runs one seed of each law (a Spark query costs about a second).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from frames.conftest import ENGINES
from frames.lead_data import (
    ACTIVITY_SCHEMA,
    DEAL_SCHEMA,
    LEAD_HISTORY_SCHEMA,
    LEAD_SCHEMA,
    ORDER_HISTORY_SCHEMA,
    SURVEY_SCHEMA,
    T0,
    TIME,
    kpi_rows,
    lead_history_rows,
    lead_records,
    order_history_rows,
    random_lead,
    random_order,
    tables,
)
from salesflow import UndefinedMetric
from salesflow.metrics import (
    lead_conversion_rate,
    manager_kpis,
    sales_cycle_length,
    time_in_lead_stages,
    time_in_status,
)
from salesflow.periods import Period

SEEDS = (1, 2, 3, 4, 5)
NOW = T0 + timedelta(days=40)
PERIOD = Period(T0 + timedelta(hours=30), T0 + timedelta(hours=150))
# Laws whose Spark case would repeat one already run there (Spark costs a second a query).
WITHOUT_SPARK = tuple(engine for engine in ENGINES if engine != "spark")


def seeds(engine: str) -> tuple[int, ...]:
    return SEEDS[:1] if engine == "spark" else SEEDS


def session(engine: str, request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("spark") if engine == "spark" else None


# -- lead records ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "variant"),
    [
        (engine, variant)
        for engine in ENGINES
        for variant in ("leads", "qualified", "demo_after_intro_call", "lost_after_demo")
        if engine != "spark" or variant in ("qualified", "demo_after_intro_call")
    ],
)
def test_lead_conversion_rate_on_a_table_equals_the_records(
    engine: str, to_table: Any, variant: str
) -> None:
    for seed in seeds(engine):
        rows = lead_records(random.Random(seed), 30)

        for period, now in ((None, None), (PERIOD, NOW)):
            got = lead_conversion_rate(
                to_table(rows, schema=LEAD_SCHEMA), variant=variant, period=period, now=now
            )

            assert got == lead_conversion_rate(rows, variant=variant, period=period, now=now)


def test_sales_cycle_length_on_a_table_equals_the_records(engine: str, to_table: Any) -> None:
    for seed in seeds(engine):
        rows = lead_records(random.Random(seed), 30)

        for period, now in ((None, None), (PERIOD, NOW)):
            got = sales_cycle_length(to_table(rows, schema=LEAD_SCHEMA), period=period, now=now)

            assert got == sales_cycle_length(rows, period=period, now=now)


def test_manager_kpis_on_tables_equal_the_records(
    engine: str, request: pytest.FixtureRequest
) -> None:
    spark = session(engine, request)
    for seed in seeds(engine):
        leads, activities, surveys = kpi_rows(random.Random(seed), 24)

        for period, now in ((None, None), (PERIOD, NOW)):
            lead_table, activity_table, survey_table = tables(
                engine,
                spark,
                (leads, DEAL_SCHEMA),
                (activities, ACTIVITY_SCHEMA),
                (surveys, SURVEY_SCHEMA),
            )
            got = manager_kpis(
                lead_table, activities=activity_table, surveys=survey_table, period=period, now=now
            )

            assert got == manager_kpis(
                leads, activities=activities, surveys=surveys, period=period, now=now
            )


@pytest.mark.parametrize("engine", WITHOUT_SPARK)
def test_manager_kpis_on_a_lead_table_alone_equal_the_records(engine: str, to_table: Any) -> None:
    leads, _, _ = kpi_rows(random.Random(7), 20)

    got = manager_kpis(to_table(leads, schema=DEAL_SCHEMA), currency="EUR")

    assert got == manager_kpis(leads, currency="EUR")


def test_manager_kpis_on_activities_and_surveys_alone_equal_the_records(
    engine: str, request: pytest.FixtureRequest
) -> None:
    _, activities, surveys = kpi_rows(random.Random(8), 20)
    surveys = [row for row in surveys if row["manager"] is not None]
    activity_table, survey_table = tables(
        engine, session(engine, request), (activities, ACTIVITY_SCHEMA), (surveys, SURVEY_SCHEMA)
    )

    got = manager_kpis(activities=activity_table, surveys=survey_table, currency="EUR", now=NOW)

    assert got == manager_kpis(activities=activities, surveys=surveys, currency="EUR", now=NOW)


# -- histories ---------------------------------------------------------------------------------


def test_time_in_status_on_a_history_table_equals_the_orders(engine: str, to_table: Any) -> None:
    for seed in seeds(engine):
        rng = random.Random(seed)
        orders = [random_order(rng, f"N-{number}") for number in range(14)]
        rows = [row for order in orders for row in order_history_rows(order)]

        for period in (None, PERIOD):
            got = time_in_status(
                to_table(rows, schema=ORDER_HISTORY_SCHEMA), now=NOW, period=period
            )

            assert got == time_in_status(orders, now=NOW, period=period)


def test_time_in_status_without_versions_orders_changes_by_time(engine: str, to_table: Any) -> None:
    rng = random.Random(11)
    orders = [random_order(rng, f"N-{number}", ties=False) for number in range(10)]
    rows = [
        {key: value for key, value in row.items() if key != "version"}
        for order in orders
        for row in order_history_rows(order)
    ]
    schema = {key: kind for key, kind in ORDER_HISTORY_SCHEMA.items() if key != "version"}

    got = time_in_status(to_table(rows, schema=schema), now=NOW)

    assert got == time_in_status(orders, now=NOW)


def test_time_in_lead_stages_on_a_history_table_equals_the_leads(
    engine: str, to_table: Any
) -> None:
    for seed in seeds(engine):
        rng = random.Random(seed)
        leads = [random_lead(rng, f"L-{number}") for number in range(14)]
        rows = [row for lead in leads for row in lead_history_rows(lead)]

        got = time_in_lead_stages(to_table(rows, schema=LEAD_HISTORY_SCHEMA), now=NOW)

        assert got == time_in_lead_stages(leads, now=NOW)


# -- empty input -------------------------------------------------------------------------------


def test_empty_tables_give_what_no_records_give(
    engine: str, request: pytest.FixtureRequest
) -> None:
    spark = session(engine, request)
    leads, histories, stages, activities, surveys = tables(
        engine,
        spark,
        ([], DEAL_SCHEMA | LEAD_SCHEMA),
        ([], ORDER_HISTORY_SCHEMA),
        ([], LEAD_HISTORY_SCHEMA),
        ([], ACTIVITY_SCHEMA),
        ([], SURVEY_SCHEMA),
    )

    assert lead_conversion_rate(leads, period=PERIOD, now=NOW) == lead_conversion_rate(
        [], period=PERIOD, now=NOW
    )
    assert sales_cycle_length(leads) == sales_cycle_length([])
    assert time_in_status(histories, now=NOW) == time_in_status([], now=NOW)
    assert time_in_lead_stages(stages, now=NOW) == time_in_lead_stages([], now=NOW)
    assert manager_kpis(
        leads, activities=activities, surveys=surveys, currency="EUR", now=NOW
    ) == manager_kpis([], currency="EUR", now=NOW)


@pytest.mark.parametrize("engine", WITHOUT_SPARK)
@pytest.mark.parametrize(
    "metric",
    [
        lambda rows: lead_conversion_rate(rows, on_empty="raise"),
        lambda rows: sales_cycle_length(rows, on_empty="raise"),
    ],
    ids=["lead_conversion_rate", "sales_cycle_length"],
)
def test_on_empty_raise_refuses_an_empty_lead_table_as_it_refuses_no_records(
    engine: str, to_table: Any, metric: Any
) -> None:
    with pytest.raises(UndefinedMetric) as records:
        metric([])

    with pytest.raises(UndefinedMetric) as framed:
        metric(to_table([], schema=LEAD_SCHEMA))

    assert str(framed.value) == str(records.value)


@pytest.mark.parametrize("engine", WITHOUT_SPARK)
def test_on_empty_raise_refuses_empty_histories_as_it_refuses_no_aggregates(
    engine: str, to_table: Any
) -> None:
    with pytest.raises(UndefinedMetric) as orders:
        time_in_status(to_table([], schema=ORDER_HISTORY_SCHEMA), now=NOW, on_empty="raise")
    with pytest.raises(UndefinedMetric) as leads:
        time_in_lead_stages(to_table([], schema=LEAD_HISTORY_SCHEMA), now=NOW, on_empty="raise")

    with pytest.raises(UndefinedMetric) as no_orders:
        time_in_status([], now=NOW, on_empty="raise")
    with pytest.raises(UndefinedMetric) as no_leads:
        time_in_lead_stages([], now=NOW, on_empty="raise")
    assert (str(orders.value), str(leads.value)) == (str(no_orders.value), str(no_leads.value))


# -- the caller's columns and zones ------------------------------------------------------------


def test_columns_name_the_callers_columns(engine: str, to_table: Any) -> None:
    rng = random.Random(21)
    leads = [random_lead(rng, f"L-{number}") for number in range(6)]
    rows = [
        {"ref": row["lead_id"], "step": row["stage"], "when": row["at"], "seq": row["version"]}
        for lead in leads
        for row in lead_history_rows(lead)
    ]
    schema = {"ref": pa.string(), "step": pa.string(), "when": TIME, "seq": pa.int64()}

    got = time_in_lead_stages(
        to_table(rows, schema=schema),
        now=NOW,
        columns={"lead_id": "ref", "stage": "step", "at": "when", "version": "seq"},
    )

    assert got == time_in_lead_stages(leads, now=NOW)


# Spark's createDataFrame reads a naive Arrow time as a session-zone TIMESTAMP: the
# table is no longer naive there, so Spark has no case here.
@pytest.mark.parametrize("engine", WITHOUT_SPARK)
def test_naive_times_are_read_in_the_stated_zone(engine: str, to_table: Any) -> None:
    rng = random.Random(22)
    orders = [random_order(rng, f"N-{number}") for number in range(6)]
    tokyo = ZoneInfo("Asia/Tokyo")
    rows = [
        dict(row, at=row["at"].astimezone(tokyo).replace(tzinfo=None))
        for order in orders
        for row in order_history_rows(order)
    ]
    schema = ORDER_HISTORY_SCHEMA | {"at": pa.timestamp("us")}

    got = time_in_status(to_table(rows, schema=schema), now=NOW, naive_zone="Asia/Tokyo")

    assert got == time_in_status(orders, now=NOW)
