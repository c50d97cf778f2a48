"""Law tests: the survey, email, site and funnel metrics on a table equal the records result.

For each metric, random rows (a seeded generator, few cases on Spark) are
given once as records and once as a table of each engine; the two results
must be equal (``==``), empty tables and ``on_empty="raise"`` included. Bad
tables are refused naming the caller's column.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from frames.conftest import ENGINES
from salesflow import InvalidField, InvalidType, UndefinedMetric
from salesflow.metrics import (
    conversion_rate,
    csat,
    email_engagement,
    funnel,
    nps,
    site_engagement,
)

# Near Berlin's spring change of offset (2026-03-29 01:00 UTC), in both directions.
T0 = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
LOCAL = [e for e in ENGINES if e != "spark"]


def cases(engine: str, many: int = 16, few: int = 3) -> list[random.Random]:
    """Seeded generators, one per case: few on Spark (a query costs about a second)."""
    count = few if engine == "spark" else many
    return [random.Random(f"{engine}-{seed}") for seed in range(count)]


def time_type(zone: str | None) -> Any:
    return pa.timestamp("us", tz=zone)


def written(moment: datetime | None, zone: str | None) -> datetime | None:
    """``moment`` as a table column of ``zone`` holds it (None: naive, Berlin wall time)."""
    if moment is None or zone is not None:
        return moment
    return moment.astimezone(BERLIN).replace(tzinfo=None)


def column_zone(rng: random.Random, engine: str) -> str | None:
    """The zone of a time column: None for a naive column of Berlin wall times, except on
    Spark, which reads a naive Arrow column as times in its session's zone."""
    zones = ["UTC", "Europe/Berlin", "America/New_York"]
    return rng.choice(zones if engine == "spark" else [*zones, None])


def naive(zone: str | None) -> str | None:
    return "Europe/Berlin" if zone is None else None


# -- surveys ----------------------------------------------------------------------------


def score_table(to_table: Any, scores: list[int], name: str = "score") -> Any:
    return to_table([{name: score} for score in scores], schema={name: pa.int64()})


def test_nps_of_a_one_column_table_equals_nps_of_the_scores(engine: str, to_table: Any) -> None:
    for rng in cases(engine, few=2):
        scores = [rng.randint(0, 10) for _ in range(rng.choice([0, 1, 5, 30]))]

        got = nps(score_table(to_table, scores, name=rng.choice(["score", "answer"])))

        assert got == nps(scores)


def test_csat_of_a_score_column_equals_csat_of_the_scores(engine: str, to_table: Any) -> None:
    for rng in cases(engine, few=2):
        low, high = rng.choice([(1, 5), (1, 7), (0, 10)])
        threshold = rng.randint(low + 1, high)
        scores = [rng.randint(low, high) for _ in range(rng.choice([0, 3, 25]))]
        rows = [{"answer": score, "respondent": index} for index, score in enumerate(scores)]
        table = to_table(rows, schema={"answer": pa.int16(), "respondent": pa.int64()})
        mapping = {"score": "answer"}

        share = csat(table, scale=(low, high), satisfied_from=threshold, columns=mapping)
        mean = csat(table, scale=(low, high), variant="mean", columns=mapping)

        assert share == csat(scores, scale=(low, high), satisfied_from=threshold)
        assert mean == csat(scores, scale=(low, high), variant="mean")


def test_no_answers_in_a_table_are_undefined_or_refused_as_in_records(
    engine: str, to_table: Any
) -> None:
    empty = score_table(to_table, [])

    assert nps(empty) == nps([])
    assert csat(empty) == csat([])
    with pytest.raises(UndefinedMetric):
        nps(empty, on_empty="raise")
    with pytest.raises(UndefinedMetric):
        csat(empty, variant="mean", on_empty="raise")


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow", "pyarrow_chunked", "narwhals"])
def test_a_series_of_scores_counts_in_its_engine(kind: str) -> None:
    scores = [10, 9, 9, 8, 7, 6, 3, 10, 0]
    if kind == "pandas":
        import pandas as pd

        column: Any = pd.Series(scores, name="answer")
    elif kind == "polars":
        import polars as pl

        column = pl.Series("answer", scores)
    elif kind == "pyarrow":
        column = pa.array(scores)
    elif kind == "pyarrow_chunked":
        column = pa.chunked_array([scores[:4], scores[4:]])
    else:
        import narwhals.stable.v2 as nw
        import polars as pl

        column = nw.from_native(pl.Series("answer", scores), series_only=True)

    assert nps(column) == nps(scores)
    assert csat(column, scale=(0, 10), satisfied_from=8) == csat(
        scores, scale=(0, 10), satisfied_from=8
    )


# -- email engagement --------------------------------------------------------------------

MAIL_KINDS = ["shipped", "delayed", "délivré", "Zeta"]


def mail_rows(rng: random.Random, ids: str) -> list[dict[str, Any]]:
    rows = []
    for index in range(rng.choice([0, 1, 6, 20])):
        delivered = rng.choice([None, T0 + timedelta(minutes=rng.randint(-90, 90))])
        opened = clicked = None
        if delivered is not None:
            opened = rng.choice([None, delivered + timedelta(minutes=rng.randint(0, 5))])
            clicked = rng.choice([None, None, delivered + timedelta(seconds=rng.randint(0, 300))])
        rows.append(
            {
                "message_id": index if ids == "int" else f"m{index}",
                "kind": rng.choice(MAIL_KINDS),
                "delivered_at": delivered,
                "opened_at": opened,
                "clicked_at": clicked,
            }
        )
    return rows


def mail_table(to_table: Any, rows: list[dict[str, Any]], ids: str, zone: str | None) -> Any:
    moments = ("delivered_at", "opened_at", "clicked_at")
    table_rows = [
        {key: written(value, zone) if key in moments else value for key, value in row.items()}
        for row in rows
    ]
    schema = {
        "message_id": pa.int64() if ids == "int" else pa.string(),
        "kind": pa.string(),
        **dict.fromkeys(moments, time_type(zone)),
    }
    return to_table(table_rows, schema=schema)


def test_email_engagement_of_a_table_equals_the_records_report(engine: str, to_table: Any) -> None:
    for rng in cases(engine):
        ids, zone = rng.choice(["int", "text"]), column_zone(rng, engine)
        rows = mail_rows(rng, ids)

        got = email_engagement(mail_table(to_table, rows, ids, zone), naive_zone=naive(zone))

        assert got == email_engagement(rows)


def test_email_engagement_reads_mapped_columns_and_absent_opens(engine: str, to_table: Any) -> None:
    rng = random.Random(7)
    rows = [
        {key: row[key] for key in ("message_id", "kind", "delivered_at", "clicked_at")}
        for row in mail_rows(rng, "int") or mail_rows(rng, "int")
    ]
    table = to_table(
        [
            {
                "id": r["message_id"],
                "type": r["kind"],
                "sent": r["delivered_at"],
                "click": r["clicked_at"],
            }
            for r in rows
        ],
        schema={
            "id": pa.int64(),
            "type": pa.string(),
            "sent": time_type("UTC"),
            "click": time_type("UTC"),
        },
    )

    got = email_engagement(
        table,
        columns={"message_id": "id", "kind": "type", "delivered_at": "sent", "clicked_at": "click"},
    )

    assert got == email_engagement(rows)


def test_an_empty_mail_table_is_undefined_or_refused_as_in_records(
    engine: str, to_table: Any
) -> None:
    empty = mail_table(to_table, [], "int", "UTC")

    assert email_engagement(empty) == email_engagement([])
    with pytest.raises(UndefinedMetric):
        email_engagement(empty, on_empty="raise")


# -- site engagement ---------------------------------------------------------------------

PAGES = ["/", "/cart", "/é", "/Z", "/a", "/a/b"]


def view_rows(rng: random.Random, ids: str) -> list[dict[str, Any]]:
    rows = []
    sessions = rng.choice([3, 6, 40])  # 40: mostly one-page sessions
    for _ in range(rng.choice([0, 1, 8, 30])):
        at = T0 + timedelta(seconds=rng.randint(0, 40) * rng.choice([1, 1, 100]))
        number = rng.randint(1, sessions)
        rows.append(
            {
                "session_id": number if ids == "int" else f"s{number}",
                "page": rng.choice(PAGES),
                "at": at,
                "converted": rng.random() < 0.2,
                # Exact thresholds (1, 10, 30 s) as well as durations off the second.
                "left_at": rng.choice(
                    [
                        None,
                        at + timedelta(seconds=rng.choice([0, 1, 10, 30])),
                        at + timedelta(microseconds=rng.randint(1, 3) * 7_000_001),
                    ]
                ),
            }
        )
    return rows


def view_table(to_table: Any, rows: list[dict[str, Any]], ids: str, zone: str | None) -> Any:
    table_rows = [
        {**row, "at": written(row["at"], zone), "left_at": written(row["left_at"], zone)}
        for row in rows
    ]
    schema = {
        "session_id": pa.int64() if ids == "int" else pa.string(),
        "page": pa.string(),
        "at": time_type(zone),
        "converted": pa.bool_(),
        "left_at": time_type(zone),
    }
    return to_table(table_rows, schema=schema)


def test_site_engagement_of_a_table_equals_the_records_figures(engine: str, to_table: Any) -> None:
    for rng in cases(engine):
        ids, zone = rng.choice(["int", "text"]), column_zone(rng, engine)
        rows = view_rows(rng, ids)
        after = timedelta(seconds=rng.choice([1, 10, 30]))

        got = site_engagement(
            view_table(to_table, rows, ids, zone), engaged_after=after, naive_zone=naive(zone)
        )

        assert got == site_engagement(rows, engaged_after=after)


def test_site_engagement_without_the_optional_columns_equals_the_records(
    engine: str, to_table: Any
) -> None:
    rows = [
        {key: row[key] for key in ("session_id", "page", "at")}
        for row in view_rows(random.Random(3), "text")
    ]
    table = to_table(
        rows, schema={"session_id": pa.string(), "page": pa.string(), "at": time_type("UTC")}
    )

    assert site_engagement(table) == site_engagement(rows)


def test_an_empty_view_table_is_undefined_or_refused_as_in_records(
    engine: str, to_table: Any
) -> None:
    empty = view_table(to_table, [], "int", "UTC")

    assert site_engagement(empty) == site_engagement([])
    with pytest.raises(UndefinedMetric):
        site_engagement(empty, on_empty="raise")


# -- the funnel ---------------------------------------------------------------------------

STEPS = ("visit", "view", "cart", "buy")


def event_rows(rng: random.Random, ids: str, other: bool) -> list[dict[str, Any]]:
    """Events of a few people, mostly within minutes of each other (chains form, windows cut)."""
    steps = [*STEPS, "newsletter"] if other else list(STEPS)
    rows = []
    for _ in range(rng.choice([0, 1, 15, 40, 80, 80, 120])):
        number = rng.randint(1, 6)
        minute = rng.randint(0, 8) * (1 if rng.random() < 0.85 else 200)
        rows.append(
            {
                "person_id": number if ids == "int" else f"p{number}",
                "step": rng.choice(steps),
                "at": T0 + timedelta(minutes=minute),
            }
        )
    return rows


def event_table(to_table: Any, rows: list[dict[str, Any]], ids: str, zone: str | None) -> Any:
    schema = {
        "person_id": pa.int64() if ids == "int" else pa.string(),
        "step": pa.string(),
        "at": time_type(zone),
    }
    return to_table([{**row, "at": written(row["at"], zone)} for row in rows], schema=schema)


def test_the_funnel_of_a_table_equals_the_records_funnel(engine: str, to_table: Any) -> None:
    for rng in cases(engine, many=24, few=3):
        ids, zone, other = rng.choice(["int", "text"]), column_zone(rng, engine), rng.random() < 0.4
        rows = event_rows(rng, ids, other)
        window = rng.choice(
            [None, timedelta(minutes=2), timedelta(minutes=5), timedelta(days=30), timedelta.max]
        )
        steps = STEPS[: rng.randint(2, 4)]
        skip = "skip" if other or len(steps) < 4 else "refuse"
        if skip == "refuse":
            assert all(row["step"] in steps for row in rows)

        got = funnel(
            event_table(to_table, rows, ids, zone),
            window=window,
            steps=steps,
            other_steps=skip,
            naive_zone=naive(zone),
        )

        assert got == funnel(rows, window=window, steps=steps, other_steps=skip)


def test_an_empty_event_table_is_undefined_or_refused_as_in_records(
    engine: str, to_table: Any
) -> None:
    empty = event_table(to_table, [], "text", "UTC")

    assert funnel(empty, window=None) == funnel([], window=None)
    with pytest.raises(UndefinedMetric):
        funnel(empty, window=timedelta(days=1), on_empty="raise")


def test_the_funnel_reads_mapped_columns(engine: str, to_table: Any) -> None:
    rows = event_rows(random.Random(11), "text", other=False)
    table = to_table(
        [{"user": r["person_id"], "event": r["step"], "ts": r["at"]} for r in rows],
        schema={"user": pa.string(), "event": pa.string(), "ts": time_type("UTC")},
    )

    got = funnel(
        table,
        steps=STEPS,
        window=timedelta(minutes=30),
        columns={"person_id": "user", "step": "event", "at": "ts"},
    )

    assert got == funnel(rows, steps=STEPS, window=timedelta(minutes=30))


# -- conversion rate from ids --------------------------------------------------------------


def test_the_distinct_id_conversion_of_tables_equals_that_of_the_ids(
    engine: str, to_table: Any
) -> None:
    for rng in cases(engine, many=10, few=2):
        kind = rng.choice(["int", "text"])
        pool = [n if kind == "int" else f"v{n}" for n in range(1, rng.randint(2, 12))]
        visitors = [rng.choice(pool) for _ in range(rng.choice([0, 1, 5, 20]))]
        converted = [rng.choice(visitors) for _ in range(rng.randint(0, 6) if visitors else 0)]
        arrow = pa.int32() if kind == "int" else pa.string()
        people = to_table([{"visitor": v} for v in visitors], schema={"visitor": arrow})
        buyers = to_table(
            [{"person_id": v, "at": 1} for v in converted],
            schema={"person_id": arrow, "at": pa.int64()},
        )
        if engine == "duckdb":  # two relations join only on one connection
            import duckdb

            connection = duckdb.connect()
            people = connection.from_arrow(pa.table({"visitor": pa.array(visitors, type=arrow)}))
            buyers = connection.from_arrow(pa.table({"person_id": pa.array(converted, type=arrow)}))

        got = conversion_rate(visitors=people, converted=buyers, variant="distinct_ids")

        assert got == conversion_rate(
            visitors=visitors, converted=converted, variant="distinct_ids"
        )


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_the_distinct_id_conversion_takes_series(kind: str) -> None:
    visitors, converted = ["a", "b", "c", "a", "d"], ["b", "b", "d"]
    if kind == "pandas":
        import pandas as pd

        people: Any = pd.Series(visitors)
        buyers: Any = pd.Series(converted)
    elif kind == "polars":
        import polars as pl

        people, buyers = pl.Series("visitor", visitors), pl.Series(converted)
    else:
        people, buyers = pa.array(visitors), pa.chunked_array([converted])

    got = conversion_rate(visitors=people, converted=buyers, variant="distinct_ids")

    assert got == conversion_rate(visitors=visitors, converted=converted, variant="distinct_ids")


# -- bad tables are refused naming the column ------------------------------------------------


def refusal(error: pytest.ExceptionInfo[Exception]) -> str:
    return str(error.value)


@pytest.mark.parametrize("engine", LOCAL)
def test_scores_off_the_scale_are_refused_naming_the_column_and_the_score(
    to_table: Any,
) -> None:
    table = score_table(to_table, [3, 11, 7], name="answer")

    with pytest.raises(InvalidField) as high:
        nps(table)
    with pytest.raises(InvalidField) as low:
        csat(score_table(to_table, [3, 0], name="answer"))

    assert high.value.field == "scores['answer']"
    assert high.value.value == 11
    assert low.value.field == "scores['answer']"
    assert low.value.value == 0
    assert "a whole number from 1 to 5" in refusal(low)


@pytest.mark.parametrize("engine", LOCAL)
def test_a_missing_score_is_refused_naming_the_column(engine: str, to_table: Any) -> None:
    table = to_table([{"answer": 9}, {"answer": None}], schema={"answer": pa.int64()})

    with pytest.raises(InvalidType) as error:
        nps(table)

    assert error.value.field == "scores['answer']"
    # pandas without Arrow types holds the gap as NaN: a float column, refused by its type.
    expected = "an integer column" if engine == "pandas" else "(1 rows have none)"
    assert expected in refusal(error)


def test_a_float_or_decimal_score_column_is_refused_by_its_type() -> None:
    import polars as pl

    with pytest.raises(InvalidType) as floats:
        nps(pl.DataFrame({"answer": [9.0, 10.0]}))
    with pytest.raises(InvalidType) as decimals:
        csat(pa.table({"score": pa.array([4, 5], type=pa.decimal128(3, 0)), "n": [1, 2]}))

    assert floats.value.field == "scores['answer']"
    assert "integer column" in refusal(floats)
    assert decimals.value.field == "scores['score']"


def test_a_wide_table_without_a_score_column_is_refused_naming_its_columns() -> None:
    import polars as pl

    with pytest.raises(InvalidField) as error:
        nps(pl.DataFrame({"answer": [9], "when": [1]}))

    assert error.value.field == "scores['score']"
    assert "'answer', 'when'" in refusal(error)
    assert "columns={'score': ...}" in refusal(error)


def test_a_series_with_a_missing_score_is_refused_naming_the_series() -> None:
    import polars as pl

    with pytest.raises(InvalidType) as named:
        nps(pl.Series("answer", [9, None]))
    with pytest.raises(InvalidField) as unnamed:
        nps(pa.array([9, 12]))

    assert named.value.field == "scores['answer']"
    assert unnamed.value.field == "scores"
    assert unnamed.value.value == 12


def test_a_pandas_series_with_a_meaningful_index_is_refused_as_in_records() -> None:
    import pandas as pd

    counts = pd.Series([10, 3], index=[9, 10])  # answers per score, not scores

    with pytest.raises(InvalidType) as framed:
        nps(counts)

    assert framed.value.field == "scores"
    assert "reset_index(drop=True)" in refusal(framed)


def test_columns_are_refused_with_records_counts_or_a_series() -> None:
    import polars as pl

    with pytest.raises(InvalidField, match=r"^columns: "):
        nps([9, 10], columns={"score": "answer"})
    with pytest.raises(InvalidField, match=r"^columns: "):
        csat(counts={5: 1}, columns={"score": "answer"})
    with pytest.raises(InvalidField, match=r"^columns: .*a Series"):
        nps(pl.Series("answer", [9]), columns={"score": "answer"})
    for metric in (email_engagement, site_engagement):
        with pytest.raises(InvalidField, match=r"^columns: "):
            metric([], columns={"kind": "type"})
    with pytest.raises(InvalidField, match=r"^naive_zone: "):
        funnel([], window=None, naive_zone="UTC")


def mail(**changes: Any) -> list[dict[str, Any]]:
    row = {
        "message_id": "m1",
        "kind": "shipped",
        "delivered_at": T0,
        "opened_at": T0 + timedelta(minutes=1),
        "clicked_at": None,
    }
    return [row, {**row, "message_id": "m2", **changes}]


MAIL_SCHEMA = {
    "message_id": pa.string(),
    "kind": pa.string(),
    "delivered_at": time_type("UTC"),
    "opened_at": time_type("UTC"),
    "clicked_at": time_type("UTC"),
}


@pytest.mark.parametrize("engine", LOCAL)
@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"kind": None}, "rows['kind']", "a value in every row"),
        ({"kind": ""}, "rows['kind']", "a kind in every row"),
        ({"message_id": None}, "rows['message_id']", "a value in every row"),
        ({"message_id": ""}, "rows['message_id']", "a non-empty string"),
        ({"opened_at": T0 - timedelta(seconds=1)}, "rows['opened_at']", "not before"),
        ({"clicked_at": T0 - timedelta(seconds=1)}, "rows['clicked_at']", "not before"),
        ({"delivered_at": None}, "rows['opened_at']", "not delivered"),
    ],
)
def test_a_bad_message_row_is_refused_naming_its_column(
    engine: str, to_table: Any, changes: dict[str, Any], field: str, says: str
) -> None:
    rows = mail(**changes)

    with pytest.raises(InvalidField) as framed:
        email_engagement(to_table(rows, schema=MAIL_SCHEMA))
    with pytest.raises(InvalidField):
        email_engagement(rows)

    assert framed.value.field == field
    assert says in refusal(framed)


def test_a_mail_table_without_a_delivery_column_or_with_naive_times_is_refused() -> None:
    import polars as pl

    rows = pl.DataFrame(mail()).drop("delivered_at")
    naive_rows = pl.DataFrame(mail()).with_columns(
        pl.col("delivered_at").dt.replace_time_zone(None)
    )

    with pytest.raises(InvalidField) as missing:
        email_engagement(rows)
    with pytest.raises(InvalidField) as naive_times:
        email_engagement(naive_rows)

    assert missing.value.field == "rows['delivered_at']"
    assert naive_times.value.field == "rows['delivered_at']"
    assert "naive_zone=" in refusal(naive_times)


def view(**changes: Any) -> list[dict[str, Any]]:
    row = {"session_id": "s1", "page": "/", "at": T0, "converted": False, "left_at": None}
    return [row, {**row, "page": "/cart", **changes}]


VIEW_SCHEMA = {
    "session_id": pa.string(),
    "page": pa.string(),
    "at": time_type("UTC"),
    "converted": pa.bool_(),
    "left_at": time_type("UTC"),
}


@pytest.mark.parametrize("engine", LOCAL)
@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"page": None}, "rows['page']", "a value in every row"),
        ({"page": ""}, "rows['page']", "a non-empty string"),
        ({"session_id": ""}, "rows['session_id']", "a non-empty string"),
        ({"at": None}, "rows['at']", "a value in every row"),
        ({"left_at": T0 - timedelta(microseconds=1)}, "rows['left_at']", "not before"),
    ],
)
def test_a_bad_page_view_is_refused_naming_its_column(
    engine: str, to_table: Any, changes: dict[str, Any], field: str, says: str
) -> None:
    rows = view(**changes)

    with pytest.raises(InvalidField) as framed:
        site_engagement(to_table(rows, schema=VIEW_SCHEMA))
    with pytest.raises(InvalidField):
        site_engagement(rows)

    assert framed.value.field == field
    assert says in refusal(framed)


def test_a_converted_column_that_is_not_boolean_is_refused_by_its_type() -> None:
    import polars as pl

    table = pl.DataFrame(view()).with_columns(pl.col("converted").cast(pl.Int8))

    with pytest.raises(InvalidType) as error:
        site_engagement(table, columns={"converted": "converted"})

    assert error.value.field == "rows['converted']"
    assert "a boolean column" in refusal(error)


EVENT_SCHEMA = {"person_id": pa.string(), "step": pa.string(), "at": time_type("UTC")}


@pytest.mark.parametrize("engine", LOCAL)
def test_a_step_of_another_funnel_is_refused_naming_the_column_and_the_step(
    to_table: Any,
) -> None:
    rows = [
        {"person_id": "p", "step": "visit", "at": T0},
        {"person_id": "p", "step": "newsletter", "at": T0},
    ]
    table = to_table(
        [{"user": r["person_id"], "event": r["step"], "ts": r["at"]} for r in rows],
        schema={"user": pa.string(), "event": pa.string(), "ts": time_type("UTC")},
    )
    mapping = {"person_id": "user", "step": "event", "at": "ts"}

    with pytest.raises(InvalidField) as error:
        funnel(table, steps=STEPS, window=None, columns=mapping)
    skipped = funnel(table, steps=STEPS, window=None, columns=mapping, other_steps="skip")

    assert error.value.field == "rows['event']"
    assert error.value.value == "newsletter"
    assert "other_steps='skip'" in refusal(error)
    assert skipped == funnel(rows, steps=STEPS, window=None, other_steps="skip")
    assert skipped.skipped_rows == 1


@pytest.mark.parametrize("engine", LOCAL)
@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"person_id": None}, "rows['person_id']", "a value in every row"),
        ({"person_id": ""}, "rows['person_id']", "a non-empty string"),
        ({"step": None}, "rows['step']", "a value in every row"),
        ({"at": None}, "rows['at']", "a value in every row"),
    ],
)
def test_a_bad_event_is_refused_naming_its_column(
    engine: str, to_table: Any, changes: dict[str, Any], field: str, says: str
) -> None:
    row = {"person_id": "p", "step": "visit", "at": T0}
    rows = [row, {**row, **changes}]

    with pytest.raises(InvalidField) as framed:
        funnel(to_table(rows, schema=EVENT_SCHEMA), window=None, steps=STEPS)
    with pytest.raises(InvalidField):
        funnel(rows, window=None, steps=STEPS)

    assert framed.value.field == field
    assert says in refusal(framed)


@pytest.mark.parametrize("engine", LOCAL)
def test_a_converted_id_that_is_no_visitors_is_refused_naming_the_column(engine: str) -> None:
    import duckdb

    connection = duckdb.connect()
    visitors = pa.table({"person_id": pa.array(["a", "b", "c"])})
    converted = pa.table({"buyer": pa.array(["b", "z", "y"])})
    if engine == "duckdb":
        people, buyers = connection.from_arrow(visitors), connection.from_arrow(converted)
    else:
        from frames.conftest import make_table

        people = make_table(visitors.to_pylist(), engine)
        buyers = make_table(converted.to_pylist(), engine)

    with pytest.raises(InvalidField) as error:
        conversion_rate(visitors=people, converted=buyers, variant="distinct_ids")

    assert error.value.field == "converted['buyer']"
    assert error.value.value == "y"
    assert "the id of one of visitors['person_id']" in refusal(error)


def test_ids_of_two_engines_are_refused() -> None:
    import pandas as pd
    import polars as pl

    with pytest.raises(InvalidField) as engines:
        conversion_rate(
            visitors=pl.Series(["a"]), converted=pd.Series(["a"]), variant="distinct_ids"
        )

    assert engines.value.field == "converted"
    assert "same engine as visitors" in refusal(engines)


@pytest.mark.parametrize("engine", LOCAL)
def test_ids_in_a_table_beside_plain_ids_equal_the_records(engine: str, to_table: Any) -> None:
    for rng in cases(engine, many=8):
        kind = rng.choice(["int", "text"])
        pool = [n if kind == "int" else f"v{n}" for n in range(1, 9)]
        visitors = [rng.choice(pool) for _ in range(rng.choice([0, 1, 12]))]
        converted = [rng.choice(visitors) for _ in range(rng.randint(0, 5) if visitors else 0)]
        arrow = pa.int64() if kind == "int" else pa.string()
        people = to_table([{"v": v} for v in visitors], schema={"v": arrow})
        buyers = to_table([{"b": v} for v in converted], schema={"b": arrow})
        expected = conversion_rate(visitors=visitors, converted=converted, variant="distinct_ids")

        left = conversion_rate(visitors=people, converted=converted, variant="distinct_ids")
        right = conversion_rate(visitors=visitors, converted=buyers, variant="distinct_ids")

        assert left == expected
        assert right == expected


@pytest.mark.parametrize("engine", LOCAL)
def test_a_stranger_beside_a_table_of_ids_is_refused_naming_it(engine: str, to_table: Any) -> None:
    people = to_table([{"v": "a"}, {"v": "b"}], schema={"v": pa.string()})
    buyers = to_table([{"b": "a"}, {"b": "q"}], schema={"b": pa.string()})

    with pytest.raises(InvalidField) as plain:
        conversion_rate(visitors=people, converted=["a", 1, "z"], variant="distinct_ids")
    with pytest.raises(InvalidField) as column:
        conversion_rate(visitors=["a", "b"], converted=buyers, variant="distinct_ids")

    assert plain.value.field == "converted[1]"  # the first by index, as in records
    assert plain.value.value == 1
    assert column.value.field == "converted['b']"
    assert column.value.value == "q"


def test_integer_and_text_ids_never_match_as_in_records() -> None:
    import polars as pl

    with pytest.raises(InvalidField) as framed:
        conversion_rate(
            visitors=pl.Series([1, 2]), converted=pl.Series(["1"]), variant="distinct_ids"
        )
    with pytest.raises(InvalidField):
        conversion_rate(visitors=[1, 2], converted=["1"], variant="distinct_ids")

    assert framed.value.field == "converted"
    assert framed.value.value == "1"


def test_relations_of_two_duckdb_connections_are_refused_naming_converted() -> None:
    import duckdb

    people = duckdb.connect().sql("SELECT 'a' AS person_id")
    buyers = duckdb.connect().sql("SELECT 'a' AS person_id")

    with pytest.raises(InvalidField) as error:
        conversion_rate(visitors=people, converted=buyers, variant="distinct_ids")

    assert error.value.field == "converted"
    assert "same DuckDB connection" in refusal(error)


def test_a_missing_visitor_id_is_refused_naming_the_series() -> None:
    import polars as pl

    with pytest.raises(InvalidField) as error:
        conversion_rate(
            visitors=pl.Series("visitor", ["a", None]),
            converted=pl.Series(["a"]),
            variant="distinct_ids",
        )

    assert error.value.field == "visitors['visitor']"
    assert "1 rows have none" in refusal(error)


def test_a_pandas_time_column_in_a_zone_narwhals_cannot_type_is_read_as_its_instants() -> None:
    # narwhals 2.29 types datetime64[us, America/Los_Angeles] (a "_" in the key) as Unknown.
    rows = view_rows(random.Random(5), "text")
    assert rows
    table = pa.table(
        {
            "session_id": [row["session_id"] for row in rows],
            "page": [row["page"] for row in rows],
            "at": pa.array([row["at"] for row in rows], type=time_type("America/Los_Angeles")),
        }
    ).to_pandas()

    got = site_engagement(table)

    assert str(table["at"].dtype) == "datetime64[us, America/Los_Angeles]"
    assert got == site_engagement(
        [{key: row[key] for key in ("session_id", "page", "at")} for row in rows]
    )
