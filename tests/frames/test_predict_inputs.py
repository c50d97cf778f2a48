"""Law tests: model_input, calibration_holdout and rfm on every engine equal the records path.

The same random rows go to the records path (the definition) and, as a table,
to the frame path of each engine; the results must be identical: customers in
the same order, the same whole frequencies, the very same float times (the
same arithmetic on the same instants) and the same Decimal money. Rows cluster
around clock changes and local midnights in the zones used (Santiago's clock
changes at midnight, so a day starts at 01:00 there), tie at one instant,
repeat a customer on one day, and the calibration ends inside a customer's
day, so each rule is exercised.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frames.conftest import ENGINES
from salesflow.predict import calibration_holdout, model_input, rfm

LOCAL = tuple(engine for engine in ENGINES if engine != "spark")
ZONES: tuple[tzinfo, ...] = (
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("Australia/Lord_Howe"),
    ZoneInfo("Asia/Kathmandu"),
    ZoneInfo("America/New_York"),
    ZoneInfo("America/Santiago"),
    timezone(timedelta(hours=-9, minutes=-30)),
    UTC,
)
# Instants near clock changes and local midnights (in the zones above).
ANCHORS = (
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # Berlin springs forward
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # Berlin falls back
    datetime(2026, 3, 31, 22, tzinfo=UTC),  # midnight of 1 April in Berlin (CEST)
    datetime(2026, 4, 4, 15, tzinfo=UTC),  # Lord Howe's half-hour change
    datetime(2026, 2, 28, 18, 15, tzinfo=UTC),  # Kathmandu's midnight
    datetime(2026, 11, 1, 6, tzinfo=UTC),  # New York falls back
    datetime(2026, 4, 5, 3, tzinfo=UTC),  # Santiago falls back at midnight
    datetime(2026, 9, 6, 4, tzinfo=UTC),  # Santiago springs forward at midnight
    datetime(2026, 6, 30, 23, 59, 59, 999_999, tzinfo=UTC),
)
SCHEMA = {
    "customer_id": pa.int64(),
    "placed_at": pa.timestamp("us", tz="UTC"),
    "amount": pa.decimal128(18, 2),
    "currency": pa.string(),
}
NOW = datetime(2027, 1, 15, tzinfo=UTC)
FEW = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def order_rows(seed: int, count: int = 60) -> list[dict[str, Any]]:
    """Random order rows: a few customers, several rows per purchase, ties at one instant."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for _ in range(count):
        customer = rng.randrange(5)
        at = rng.choice(ANCHORS) + timedelta(minutes=rng.choice((-90, -30, -1, 0, 0, 1, 30, 600)))
        at += timedelta(days=rng.choice((0, 0, 0, 1, 6, 40, -60)))
        for part in range(rng.choice((1, 1, 2, 3))):
            rows.append(
                {
                    "customer_id": customer,
                    "placed_at": at + timedelta(minutes=part * rng.choice((0, 5))),
                    "amount": Decimal(rng.randrange(0, 50_000)) / 100,
                    "currency": "EUR",
                }
            )
    rng.shuffle(rows)
    return rows


def split(seed: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A calibration end just after a row (so that customer's day may straddle it), a holdout
    end, a zone, a unit and a period."""
    rng = random.Random(seed ^ 0x5EED)
    at = rng.choice(rows)["placed_at"] if rows else ANCHORS[0]
    end = at + timedelta(minutes=rng.choice((0, 1, 1, 3, 29, 500)))
    return {
        "calibration_end": end,
        "holdout_end": end + timedelta(days=rng.choice((1, 7, 45, 400))),
        "zone": rng.choice(ZONES),
        "unit": rng.choice(("days", "weeks")),
        "period": rng.choice(("day", "day", "purchase")),
    }


def assert_same_split(got: Any, expected: Any) -> None:
    assert got.calibration.to_records() == expected.calibration.to_records()
    assert got.calibration.unit == expected.calibration.unit
    assert got.actual.tolist() == expected.actual.tolist()
    assert got.duration == expected.duration


@FEW
@given(seed=st.integers(0, 2**32 - 1))
@pytest.mark.parametrize("engine", LOCAL)
def test_model_input_on_a_table_equals_model_input_on_its_rows(
    to_table: Any, engine: str, seed: int
) -> None:
    rows = order_rows(seed)
    args = split(seed, rows)
    del args["holdout_end"]

    got = model_input(to_table(rows, schema=SCHEMA), **args)

    assert got.to_records() == model_input(rows, **args).to_records()


@FEW
@given(seed=st.integers(0, 2**32 - 1))
@pytest.mark.parametrize("engine", LOCAL)
def test_calibration_holdout_on_a_table_equals_the_split_of_its_rows(
    to_table: Any, engine: str, seed: int
) -> None:
    rows = order_rows(seed)
    args = split(seed, rows)

    got = calibration_holdout(to_table(rows, schema=SCHEMA), **args)

    assert_same_split(got, calibration_holdout(rows, **args))


@FEW
@given(seed=st.integers(0, 2**32 - 1))
@pytest.mark.parametrize("engine", LOCAL)
def test_rfm_on_a_table_equals_rfm_on_its_rows(to_table: Any, engine: str, seed: int) -> None:
    rows = order_rows(seed)

    got = rfm(to_table(rows, schema=SCHEMA), now=NOW)

    expected = rfm(rows, now=NOW)
    assert got.to_records() == expected.to_records()
    assert (got.currency, got.now) == (expected.currency, expected.now)


@pytest.mark.parametrize("engine", LOCAL)
def test_string_ids_and_a_table_without_a_currency_read_as_their_rows(
    to_table: Any, engine: str
) -> None:
    rows = [
        {
            "customer_id": f"c{row['customer_id']}",
            "placed_at": row["placed_at"],
            "amount": row["amount"],
        }
        for row in order_rows(3)
    ]
    schema = {**SCHEMA, "customer_id": pa.string()}
    del schema["currency"]
    table = to_table(rows, schema=schema)
    args = split(3, rows)
    holdout_end = args.pop("holdout_end")

    assert model_input(table, **args).to_records() == model_input(rows, **args).to_records()
    assert_same_split(
        calibration_holdout(table, holdout_end=holdout_end, **args),
        calibration_holdout(rows, holdout_end=holdout_end, **args),
    )
    assert rfm(table, now=NOW).to_records() == rfm(rows, now=NOW).to_records()
    assert rfm(table, now=NOW).currency is None


@pytest.mark.parametrize("engine", LOCAL)
def test_an_empty_table_gives_the_empty_results(to_table: Any, engine: str) -> None:
    table = to_table([], schema=SCHEMA)
    end = ANCHORS[0]

    assert len(model_input(table, calibration_end=end)) == 0
    assert calibration_holdout(table, calibration_end=end, holdout_end=NOW).actual.tolist() == []
    assert rfm(table, now=NOW).to_records() == []


@pytest.mark.parametrize("engine", LOCAL)
def test_rows_only_after_the_calibration_end_give_no_customer(to_table: Any, engine: str) -> None:
    rows = [row for row in order_rows(5) if row["placed_at"] >= ANCHORS[0]]
    end = min(row["placed_at"] for row in rows)
    table = to_table(rows, schema=SCHEMA)

    assert len(model_input(table, calibration_end=end)) == 0
    split_ = calibration_holdout(table, calibration_end=end, holdout_end=NOW)
    assert (len(split_.calibration), split_.actual.tolist()) == (0, [])


@pytest.mark.spark
@pytest.mark.parametrize(
    ("zone", "period", "unit"),
    [
        (ZoneInfo("America/Santiago"), "day", "weeks"),
        (timezone(timedelta(hours=-9, minutes=-30)), "day", "days"),
        (UTC, "purchase", "days"),
    ],
    ids=["Santiago days", "fixed offset days", "purchases"],
)
def test_spark_gives_the_records_paths_results(
    spark: Any, zone: tzinfo, period: str, unit: str
) -> None:
    from frames.conftest import make_table

    rows = order_rows(11, count=40)
    table = make_table(rows, "spark", schema=SCHEMA, spark=spark)
    args = {**split(11, rows), "zone": zone, "period": period, "unit": unit}
    holdout_end = args.pop("holdout_end")

    assert model_input(table, **args).to_records() == model_input(rows, **args).to_records()
    assert_same_split(
        calibration_holdout(table, holdout_end=holdout_end, **args),
        calibration_holdout(rows, holdout_end=holdout_end, **args),
    )
    assert rfm(table, now=NOW).to_records() == rfm(rows, now=NOW).to_records()
