"""The order metrics on a table equal the records path on the same rows, on every engine.

Law: for random orders (and support requests), ``metric(table)`` == ``metric(rows)``
for average_order_value, cancellation_rate, delay_rate, on_time_delivery_rate,
order_status_request_share and monthly_revenue, with and without a period (whose
bounds are put in the data: a period holds the instants in [start, end)), in
zones whose calendar differs from the DuckDB and Spark session zone. Then the
empty tables, and bad tables refused as records are, naming the caller's column.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from salesflow import CurrencyMismatch, InvalidField, InvalidType, Period, UndefinedMetric
from salesflow.metrics import (
    average_order_value,
    cancellation_rate,
    delay_rate,
    monthly_revenue,
    on_time_delivery_rate,
    order_status_request_share,
    purchase_frequency,
    repeat_purchase_rate,
)
from salesflow.orders import OrderStatus

ZONES = ("Europe/Berlin", "America/Los_Angeles", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC")
START = datetime(2025, 12, 20, tzinfo=UTC)
SPAN_US = (datetime(2026, 4, 20, tzinfo=UTC) - START) // timedelta(microseconds=1)
NOW = datetime(2026, 5, 1, tzinfo=UTC)
STATUSES = (None, *sorted(status.value for status in OrderStatus))
TOPICS = ("order_status", " order_status\t", "returns", "where_is_my_order", "\u00a0billing")

ORDER_SCHEMA = {
    "order_id": pa.string(),
    "customer_id": pa.string(),
    "placed_at": pa.timestamp("us", tz="UTC"),
    "amount": pa.decimal128(12, 2),
    "discount": pa.decimal128(12, 2),
    "currency": pa.string(),
    "status": pa.string(),
    "delayed": pa.bool_(),
    "delivered_at": pa.timestamp("us", tz="UTC"),
    "promised_delivery": pa.date32(),
}
REQUEST_SCHEMA = {
    "request_id": pa.int64(),
    "topic": pa.string(),
    "at": pa.timestamp("us", tz="UTC"),
}

Table = Callable[..., Any]


def cases(engine: str) -> range:
    """The seeds of one law test: a Spark query costs about a second, so Spark gets two."""
    return range(2 if engine == "spark" else 8)


def some_period(rng: random.Random, zone: str) -> Period | None:
    choice = rng.randrange(4)
    if choice == 0:
        return None
    if choice == 1:
        return Period.month(2026, rng.choice((1, 3)), zone)
    if choice == 2:
        return Period.day(date(2026, 3, rng.choice((8, 29))), zone)  # the days clocks change
    return Period.week(date(2026, 3, 25), zone)


def edges(period: Period | None) -> list[datetime]:
    """Instants on and next to the period's bounds (where [start, end) is decided)."""
    if period is None:
        return []
    step = timedelta(microseconds=1)
    return [period.start, period.start - step, period.end, period.end - step]


def instant(rng: random.Random, near: list[datetime]) -> datetime:
    if near and rng.random() < 0.3:
        return rng.choice(near)
    return START + timedelta(microseconds=rng.randrange(SPAN_US))


def money(rng: random.Random, high: int = 100_000) -> Decimal:
    return Decimal(rng.randrange(high)).scaleb(-2)


def order_rows(rng: random.Random, near: list[datetime]) -> list[dict[str, Any]]:
    rows = []
    for number in range(rng.randrange(0, 30)):
        placed = instant(rng, near)
        amount = money(rng)
        delivered = None
        promised = rng.choice((None, date(2026, 3, 1)))
        if rng.random() < 0.6:
            delivered = placed + timedelta(minutes=rng.randrange(60, 60 * 24 * 6))
            promised = delivered.date() + timedelta(days=rng.choice((-1, 0, 0, 1)))
        rows.append(
            {
                "order_id": f"o{number}",
                "customer_id": f"c{rng.randrange(6)}",
                "placed_at": placed,
                "amount": amount,
                "discount": rng.choice((None, Decimal("0.00"), money(rng, int(amount * 100) + 1))),
                "currency": "EUR",
                "status": rng.choice(STATUSES),
                "delayed": rng.random() < 0.3,
                "delivered_at": delivered,
                "promised_delivery": promised,
            }
        )
    return rows


def dropped(
    rng: random.Random, rows: list[dict[str, Any]], optional: tuple[str, ...]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``rows`` and their schema, without some of the ``optional`` columns (absent as keys too)."""
    gone = {name for name in optional if rng.random() < 0.3}
    kept = [{key: value for key, value in row.items() if key not in gone} for row in rows]
    return kept, {key: kind for key, kind in ORDER_SCHEMA.items() if key not in gone}


def request_rows(rng: random.Random, near: list[datetime]) -> list[dict[str, Any]]:
    return [
        {"request_id": number, "topic": rng.choice(TOPICS), "at": instant(rng, near)}
        for number in range(rng.randrange(0, 30))
    ]


# -- the laws --------------------------------------------------------------------------


def test_average_order_value_on_a_table_equals_the_records_result(
    engine: str, to_table: Table
) -> None:
    for seed in cases(engine):
        rng = random.Random(seed)
        period = some_period(rng, rng.choice(ZONES))
        rows, schema = dropped(rng, order_rows(rng, edges(period)), ("status", "discount"))
        options = {
            "basis": rng.choice(("net", "gross")),
            "include_cancelled": rng.random() < 0.3,
            "period": period,
            "now": rng.choice((None, NOW)),
            "currency": "EUR",
        }

        framed = average_order_value(to_table(rows, schema=schema), **options)

        assert framed == average_order_value(rows, **options), (seed, options)


def test_cancellation_rate_on_a_table_equals_the_records_result(
    engine: str, to_table: Table
) -> None:
    for seed in cases(engine):
        rng = random.Random(seed)
        period = some_period(rng, rng.choice(ZONES))
        rows = order_rows(rng, edges(period))
        options = {"period": period, "now": rng.choice((None, NOW))}

        framed = cancellation_rate(to_table(rows, schema=ORDER_SCHEMA), **options)

        assert framed == cancellation_rate(rows, **options), (seed, options)


def test_delay_rate_on_a_table_equals_the_records_result(engine: str, to_table: Table) -> None:
    for seed in cases(engine):
        rng = random.Random(seed)
        period = some_period(rng, rng.choice(ZONES))
        rows = order_rows(rng, edges(period))
        rows, schema = dropped(rng, rows, ("status", "discount", "amount"))
        options = {"period": period, "now": rng.choice((None, NOW))}

        framed = delay_rate(to_table(rows, schema=schema), **options)

        assert framed == delay_rate(rows, **options), (seed, options)


def test_on_time_delivery_rate_on_a_table_equals_the_records_result(
    engine: str, to_table: Table
) -> None:
    for seed in cases(engine):
        rng = random.Random(seed)
        zone = rng.choice(ZONES)
        period = some_period(rng, rng.choice(ZONES))
        rows = order_rows(rng, edges(period))
        options = {"zone": zone, "period": period, "now": rng.choice((None, NOW))}

        framed = on_time_delivery_rate(to_table(rows, schema=ORDER_SCHEMA), **options)

        assert framed == on_time_delivery_rate(rows, **options), (seed, options)


def test_on_time_delivery_counts_the_delivery_day_in_the_zone_not_the_session_zone(
    engine: str, to_table: Table
) -> None:
    # 23:30 UTC on the 5th is the 6th in Berlin and still the 5th in Los Angeles
    # (the DuckDB and Spark session zone).
    delivered = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)
    rows = [
        {
            "status": "delivered",
            "delivered_at": delivered,
            "promised_delivery": date(2026, 3, 5),
        }
    ]
    schema = {name: ORDER_SCHEMA[name] for name in rows[0]}

    berlin = on_time_delivery_rate(to_table(rows, schema=schema), zone="Europe/Berlin")
    los_angeles = on_time_delivery_rate(to_table(rows, schema=schema), zone="America/Los_Angeles")

    assert (berlin.numerator, berlin.denominator) == (0, 1)
    assert (los_angeles.numerator, los_angeles.denominator) == (1, 1)


def test_order_status_request_share_on_a_table_equals_the_records_result(
    engine: str, to_table: Table
) -> None:
    for seed in cases(engine):
        rng = random.Random(seed)
        period = some_period(rng, rng.choice(ZONES))
        rows = request_rows(rng, edges(period))
        topics: Any = rng.choice(
            (
                {"order_status"},
                {"order_status", "where_is_my_order"},
                lambda topic: topic.endswith("order") or topic == "billing",
            )
        )
        options = {"topics": topics, "period": period, "now": rng.choice((None, NOW))}

        framed = order_status_request_share(to_table(rows, schema=REQUEST_SCHEMA), **options)

        assert framed == order_status_request_share(rows, **options), (seed, options)


def test_monthly_revenue_on_a_table_equals_the_records_result(engine: str, to_table: Table) -> None:
    for seed in cases(engine):
        rng = random.Random(seed)
        zone = rng.choice(ZONES)
        # Month starts in the zone, and next to them, are in the data.
        rows = order_rows(rng, edges(Period.month(2026, 3, zone)))
        rows, schema = dropped(rng, rows, ("status", "discount"))
        basis = rng.choice(("net", "gross"))

        framed = monthly_revenue(to_table(rows, schema=schema), zone=zone, basis=basis)

        expected = monthly_revenue(rows, zone=zone, basis=basis)
        assert framed == expected, (seed, zone, basis)
        assert list(framed) == list(expected)  # the months in order, as the records path


def test_a_column_mapping_reads_the_callers_columns(engine: str, to_table: Table) -> None:
    rng = random.Random(7)
    rows = order_rows(rng, [])
    renamed = {"placed_at": "date", "amount": "dollar_value", "status": "state"}
    theirs = [{renamed.get(key, key): value for key, value in row.items()} for row in rows]
    schema = {renamed.get(key, key): kind for key, kind in ORDER_SCHEMA.items()}

    framed = average_order_value(
        to_table(theirs, schema=schema), now=NOW, currency="EUR", columns=renamed
    )

    assert framed == average_order_value(rows, now=NOW, currency="EUR")


def test_one_mapping_serves_every_order_metric_and_a_misspelt_key_is_refused(
    engine: str, to_table: Table
) -> None:
    rows = [{("date" if key == "placed_at" else key): value for key, value in ONE_ORDER.items()}]
    schema = {("date" if key == "placed_at" else key): kind for key, kind in ORDER_SCHEMA.items()}
    table = to_table(rows, schema=schema)

    value = average_order_value(table, columns={"placed_at": "date"})
    with pytest.raises(InvalidField) as caught:
        average_order_value(table, columns={"placed": "date"})

    assert value == average_order_value([ONE_ORDER])
    assert caught.value.field == "columns"
    assert "placed_at" in caught.value.expected


def test_a_stated_currency_stands_in_for_a_missing_column(engine: str, to_table: Table) -> None:
    rows = order_rows(random.Random(3), [])
    without = [{key: value for key, value in row.items() if key != "currency"} for row in rows]
    schema = {key: kind for key, kind in ORDER_SCHEMA.items() if key != "currency"}

    table = to_table(without, schema=schema)

    assert average_order_value(table, currency="EUR") == average_order_value(rows)
    assert monthly_revenue(table, zone="UTC", currency="EUR") == monthly_revenue(rows, zone="UTC")


# -- empty tables --------------------------------------------------------------------------


def test_empty_tables_give_the_records_results(engine: str, to_table: Table) -> None:
    orders = to_table([], schema=ORDER_SCHEMA)
    requests = to_table([], schema=REQUEST_SCHEMA)
    period = Period.month(2026, 3, "Europe/Berlin")

    assert average_order_value(orders, currency="EUR", period=period, now=NOW) == (
        average_order_value([], currency="EUR", period=period, now=NOW)
    )
    assert cancellation_rate(orders) == cancellation_rate([])
    assert delay_rate(orders, period=period) == delay_rate([], period=period)
    assert on_time_delivery_rate(orders, zone="UTC") == on_time_delivery_rate([], zone="UTC")
    assert order_status_request_share(requests, now=NOW) == order_status_request_share([], now=NOW)
    assert monthly_revenue(orders, zone="UTC") == monthly_revenue([], zone="UTC") == {}
    assert not average_order_value(orders, currency="EUR").defined


def test_an_empty_table_raises_with_on_empty_raise_as_records_do(
    engine: str, to_table: Table
) -> None:
    orders = to_table([], schema=ORDER_SCHEMA)

    with pytest.raises(UndefinedMetric):
        cancellation_rate(orders, on_empty="raise")
    with pytest.raises(UndefinedMetric):
        average_order_value(orders, currency="EUR", on_empty="raise")


def test_an_empty_table_without_a_stated_currency_is_refused_as_records_are(
    engine: str, to_table: Table
) -> None:
    orders = to_table([], schema=ORDER_SCHEMA)

    with pytest.raises(InvalidField) as framed:
        average_order_value(orders)
    with pytest.raises(InvalidField) as records:
        average_order_value([])

    assert framed.value.field == records.value.field == "currency"


# -- bad tables -----------------------------------------------------------------------------

ONE_ORDER = {
    "order_id": "o1",
    "customer_id": "c1",
    "placed_at": datetime(2026, 3, 2, 12, tzinfo=UTC),
    "amount": Decimal("20.00"),
    "discount": Decimal("5.00"),
    "currency": "EUR",
    "status": "delivered",
    "delayed": False,
    "delivered_at": datetime(2026, 3, 4, 12, tzinfo=UTC),
    "promised_delivery": date(2026, 3, 5),
}


def one_order(**changes: Any) -> list[dict[str, Any]]:
    return [dict(ONE_ORDER), {**ONE_ORDER, "order_id": "o2", **changes}]


def without(column: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = [{key: value for key, value in row.items() if key != column} for row in one_order()]
    return rows, {key: kind for key, kind in ORDER_SCHEMA.items() if key != column}


@pytest.mark.parametrize(
    ("column", "call"),
    [
        ("amount", lambda table: average_order_value(table)),
        ("status", lambda table: cancellation_rate(table)),
        ("delayed", lambda table: delay_rate(table)),
        ("promised_delivery", lambda table: on_time_delivery_rate(table, zone="UTC")),
        ("delivered_at", lambda table: on_time_delivery_rate(table, zone="UTC")),
        ("placed_at", lambda table: monthly_revenue(table, zone="UTC")),
        ("placed_at", lambda table: delay_rate(table, now=NOW)),
    ],
)
def test_a_missing_column_is_named(
    engine: str, to_table: Table, column: str, call: Callable[[Any], Any]
) -> None:
    rows, schema = without(column)

    with pytest.raises(InvalidField, match="columns=") as caught:
        call(to_table(rows, schema=schema))

    assert caught.value.field == f"orders[{column!r}]"


def test_a_missing_topic_column_is_named(engine: str, to_table: Table) -> None:
    rows = [{"request_id": 1, "at": NOW}]

    with pytest.raises(InvalidField) as caught:
        order_status_request_share(to_table(rows, schema=None))

    assert caught.value.field == "requests['topic']"


def test_a_refusal_names_the_column_as_the_caller_mapped_it(engine: str, to_table: Table) -> None:
    rows = [{"dollar_value": 20.0, "currency": "EUR"}]
    schema = {"dollar_value": pa.float64(), "currency": pa.string()}

    with pytest.raises(InvalidField) as caught:
        average_order_value(to_table(rows, schema=schema), columns={"amount": "dollar_value"})

    assert caught.value.field == "orders['dollar_value']"


def test_a_mapping_to_a_column_the_table_lacks_is_refused(engine: str, to_table: Table) -> None:
    table = to_table(one_order(), schema=ORDER_SCHEMA)

    with pytest.raises(InvalidField) as caught:
        cancellation_rate(table, columns={"status": "state"})

    assert caught.value.field == "columns['status']"


def test_a_float_money_column_is_refused_unless_scale_and_rounding_are_given(
    engine: str, to_table: Table
) -> None:
    rows = [
        {**ONE_ORDER, "amount": 20.125, "discount": 0.005},
        {**ONE_ORDER, "amount": 3.5, "discount": None},
    ]
    schema = {**ORDER_SCHEMA, "amount": pa.float64(), "discount": pa.float64()}
    exact = [
        {**ONE_ORDER, "amount": Decimal("20.13"), "discount": Decimal("0.01")},
        {**ONE_ORDER, "amount": Decimal("3.50"), "discount": None},
    ]

    with pytest.raises(InvalidField) as caught:
        average_order_value(to_table(rows, schema=schema))
    rounded = average_order_value(
        to_table(rows, schema=schema), amount_scale=2, amount_rounding="ROUND_HALF_UP"
    )
    months = monthly_revenue(
        to_table(rows, schema=schema),
        zone="UTC",
        amount_scale=2,
        amount_rounding="ROUND_HALF_UP",
    )

    assert caught.value.field == "orders['amount']"
    assert "amount_scale" in str(caught.value)
    assert rounded == average_order_value(exact)
    assert months == monthly_revenue(exact, zone="UTC")


def naive_table(to_table: Table, engine: str, rows: list[dict[str, Any]], column: str) -> Any:
    """``rows`` as a table whose ``column`` holds naive wall times.

    Spark reads a naive Arrow timestamp as its session's local time; a naive
    Spark column is a TIMESTAMP_NTZ, cast here from text.
    """
    if engine != "spark":
        return to_table(rows, schema={**ORDER_SCHEMA, column: pa.timestamp("us")})
    from pyspark.sql import functions

    text = [{**row, column: row[column].isoformat(sep=" ")} for row in rows]
    table = to_table(text, schema={**ORDER_SCHEMA, column: pa.string()})
    return table.withColumn(column, functions.col(column).cast("timestamp_ntz"))


@pytest.mark.parametrize(
    "call",
    [
        lambda table, **zone: average_order_value(table, now=NOW, **zone),
        lambda table, **zone: cancellation_rate(table, period=Period.month(2026, 3, "UTC"), **zone),
        lambda table, **zone: monthly_revenue(table, zone="UTC", **zone),
    ],
)
def test_a_naive_time_column_is_refused_unless_its_zone_is_stated(
    engine: str, to_table: Table, call: Callable[..., Any]
) -> None:
    # 00:30 on 1 March in Berlin is 23:30 on 28 February in UTC.
    wall = datetime(2026, 3, 1, 0, 30)
    rows = [{**ONE_ORDER, "placed_at": wall}]
    aware = [{**ONE_ORDER, "placed_at": datetime(2026, 2, 28, 23, 30, tzinfo=UTC)}]

    with pytest.raises(InvalidField) as caught:
        call(naive_table(to_table, engine, rows, "placed_at"))
    placed = call(naive_table(to_table, engine, rows, "placed_at"), naive_zone="Europe/Berlin")

    assert caught.value.field == "orders['placed_at']"
    assert "naive_zone" in str(caught.value)
    assert placed == call(aware)


def test_a_naive_delivery_column_is_placed_in_the_stated_zone(engine: str, to_table: Table) -> None:
    rows = [{**ONE_ORDER, "delivered_at": datetime(2026, 3, 6, 0, 30)}]  # Berlin wall time
    aware = [{**ONE_ORDER, "delivered_at": datetime(2026, 3, 5, 23, 30, tzinfo=UTC)}]

    with pytest.raises(InvalidField) as caught:
        on_time_delivery_rate(naive_table(to_table, engine, rows, "delivered_at"), zone="UTC")
    placed = on_time_delivery_rate(
        naive_table(to_table, engine, rows, "delivered_at"),
        zone="UTC",
        naive_zone="Europe/Berlin",
    )

    assert caught.value.field == "orders['delivered_at']"
    assert placed == on_time_delivery_rate(aware, zone="UTC")
    assert placed.numerator == 1


def test_a_second_currency_is_refused_naming_the_column(engine: str, to_table: Table) -> None:
    table = to_table(one_order(currency="USD"), schema=ORDER_SCHEMA)

    with pytest.raises(CurrencyMismatch) as value:
        average_order_value(table)
    with pytest.raises(CurrencyMismatch) as months:
        monthly_revenue(table, zone="UTC")

    assert value.value.field == months.value.field == "orders['currency']"


def test_a_currency_column_that_disagrees_with_the_stated_one_is_refused(
    engine: str, to_table: Table
) -> None:
    table = to_table(one_order(), schema=ORDER_SCHEMA)

    with pytest.raises(CurrencyMismatch) as caught:
        average_order_value(table, currency="USD")

    assert caught.value.field == "orders['currency']"
    assert caught.value.value == "EUR"


@pytest.mark.parametrize(
    "call",
    [
        lambda table: average_order_value(table),
        lambda table: cancellation_rate(table),
        lambda table: delay_rate(table),
        lambda table: on_time_delivery_rate(table, zone="UTC"),
        lambda table: monthly_revenue(table, zone="UTC"),
    ],
)
def test_an_unknown_status_is_named(
    engine: str, to_table: Table, call: Callable[[Any], Any]
) -> None:
    table = to_table(one_order(status="lost"), schema=ORDER_SCHEMA)

    with pytest.raises(InvalidField) as caught:
        call(table)

    assert caught.value.field == "orders['status']"
    assert caught.value.value == "lost"


def test_a_missing_delayed_flag_is_refused_as_records_are(engine: str, to_table: Table) -> None:
    table = to_table(one_order(delayed=None), schema=ORDER_SCHEMA)

    with pytest.raises(InvalidField) as caught:
        delay_rate(table)

    assert caught.value.field == "orders['delayed']"


def test_a_delivered_order_without_a_promised_date_is_refused(engine: str, to_table: Table) -> None:
    table = to_table(one_order(promised_delivery=None), schema=ORDER_SCHEMA)

    with pytest.raises(InvalidField) as caught:
        on_time_delivery_rate(table, zone="UTC")
    with pytest.raises(InvalidField):
        on_time_delivery_rate(one_order(promised_delivery=None), zone="UTC")

    assert caught.value.field == "orders['promised_delivery']"
    assert "delivered_at" in caught.value.expected


def test_a_promised_date_that_is_not_a_date_column_is_refused(engine: str, to_table: Table) -> None:
    rows = one_order()
    for row in rows:
        row["promised_delivery"] = "2026-03-05"
    schema = {**ORDER_SCHEMA, "promised_delivery": pa.string()}

    with pytest.raises(InvalidType) as caught:
        on_time_delivery_rate(to_table(rows, schema=schema), zone="UTC")

    assert caught.value.field == "orders['promised_delivery']"


def test_a_delivery_after_now_is_refused(engine: str, to_table: Table) -> None:
    late = NOW + timedelta(hours=1)
    table = to_table(one_order(delivered_at=late), schema=ORDER_SCHEMA)

    with pytest.raises(InvalidField) as caught:
        on_time_delivery_rate(table, zone="UTC", now=NOW)

    assert caught.value.field == "orders['delivered_at']"


def test_a_blank_topic_is_refused(engine: str, to_table: Table) -> None:
    rows = [{"request_id": 1, "topic": " \t", "at": NOW}]

    with pytest.raises(InvalidField) as caught:
        order_status_request_share(to_table(rows, schema=REQUEST_SCHEMA))

    assert caught.value.field == "requests['topic']"


def test_a_predicate_that_gives_no_bool_is_refused_on_a_table(engine: str, to_table: Table) -> None:
    rows = [{"request_id": 1, "topic": "returns", "at": NOW}]

    with pytest.raises(InvalidType) as caught:
        order_status_request_share(to_table(rows, schema=REQUEST_SCHEMA), topics=len)

    assert caught.value.field == "topics"


# -- records refuse the table-only arguments; Series of customer ids -----------------


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: average_order_value([ONE_ORDER], amount_scale=2), "amount_scale"),
        (lambda: cancellation_rate([ONE_ORDER], columns={"status": "s"}), "columns"),
        (lambda: delay_rate([ONE_ORDER], naive_zone="UTC"), "naive_zone"),
        (lambda: on_time_delivery_rate([ONE_ORDER], zone="UTC", columns={}), "columns"),
        (lambda: order_status_request_share([], naive_zone="UTC"), "naive_zone"),
        (lambda: monthly_revenue([ONE_ORDER], zone="UTC", amount_rounding="x"), "amount_rounding"),
    ],
)
def test_records_refuse_the_table_only_arguments(call: Callable[[], Any], argument: str) -> None:
    with pytest.raises(InvalidField) as caught:
        call()

    assert caught.value.field == argument


def test_monthly_revenue_checks_records_against_a_stated_currency() -> None:
    with pytest.raises(CurrencyMismatch) as caught:
        monthly_revenue(one_order(), zone="UTC", currency="USD")

    assert caught.value.field == "orders[0].currency"


def test_customer_ids_may_be_a_pandas_or_polars_series_or_a_pyarrow_array() -> None:
    import pandas as pd
    import polars as pl

    ids = ["a", "b", "a", "c", "a", "b"]
    columns = [
        pd.Series(ids),
        pd.Series(ids, dtype="string[pyarrow]"),
        pl.Series(ids),
        pa.chunked_array([ids[:4], ids[4:]]),
        pa.array(ids),
        pl.Series([1, 2, 1]),
        pa.chunked_array([[1, 2], [1]]),
    ]

    for column in columns:
        plain = list(column.to_pylist() if hasattr(column, "to_pylist") else column)
        assert purchase_frequency(customer_ids=column) == purchase_frequency(customer_ids=plain)
        assert repeat_purchase_rate(customer_ids=column) == repeat_purchase_rate(customer_ids=plain)


def test_a_missing_id_in_a_pyarrow_array_is_refused_by_its_index() -> None:
    with pytest.raises(InvalidType) as caught:
        purchase_frequency(customer_ids=pa.chunked_array([["a"], ["b", None]]))

    assert caught.value.field == "customer_ids[2]"
