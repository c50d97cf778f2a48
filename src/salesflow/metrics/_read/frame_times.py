"""Time on a table, alike on every engine: instants, durations, dates and calendars (private).

A bound table's time columns are aware; here they become UTC epoch
microseconds (:func:`epoch_microseconds`), durations to ``now``, dates as
days since 1970 and calendar months or days in a zone
(:func:`with_local_calendar`), and a period filters rows by instants. DuckDB
and Spark compute calendars and differences on the session's wall clock, so
there the engine's own SQL on epoch microseconds is used instead (docs/frames.md,
"What differs per engine").
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo

from salesflow import _zones
from salesflow.errors import InvalidField
from salesflow.metrics._read.frames import SPARK, backend, quoted

_US_PER_DAY: Final = 86_400_000_000


def _with_sql(nw: Any, frame: Any, alias: str, *, duckdb: str, spark: str) -> Any:
    """``frame`` (a DuckDB relation or a Spark DataFrame) with ``alias``, the engine's own SQL."""
    native = frame.to_native()
    if backend(frame) in SPARK:
        functions = importlib.import_module("pyspark.sql.functions")
        return nw.from_native(native.withColumn(alias, functions.expr(spark)))
    kept = [quoted(column) for column in native.columns if column != alias]
    return nw.from_native(native.project(", ".join([*kept, f"{duckdb} AS {quoted(alias)}"])))


def epoch_microseconds(nw: Any, frame: Any, name: str, alias: str) -> Any:
    """``frame`` with ``alias``: time column ``name`` as UTC epoch microseconds (Int64).

    DuckDB and Spark lack narwhals' ``dt.timestamp``; their own functions are used.
    """
    if backend(frame) in ("duckdb", *SPARK):
        duckdb, spark = f"epoch_us({quoted(name)})", f"unix_micros(`{name}`)"
        return _with_sql(nw, frame, alias, duckdb=duckdb, spark=spark)
    return frame.with_columns(nw.col(name).dt.timestamp("us").alias(alias))


def with_time_since(nw: Any, frame: Any, now: datetime, name: str, alias: str) -> Any:
    """``frame`` with ``alias``: the duration from time column ``name`` to ``now``, on instants.

    DuckDB and Spark subtract timestamps on the session's wall clock (an
    hour off across a clock change); there the epoch microseconds are
    subtracted instead. DuckDB's interval is days and microseconds (Arrow
    reads its microseconds as nanoseconds, which wrap after 292 years).
    """
    if backend(frame) in ("duckdb", *SPARK):
        since = f"({us(now)} - epoch_us({quoted(name)}))"
        duckdb = (
            f"to_days(CAST({since} // {_US_PER_DAY} AS INTEGER)) "
            f"+ to_microseconds({since} % {_US_PER_DAY})"
        )
        spark = (
            f"make_dt_interval(0, 0, 0, CAST(CAST({us(now)} - unix_micros(`{name}`) "
            "AS DECIMAL(18, 0)) / 1000000 AS DECIMAL(18, 6)))"
        )
        return _with_sql(nw, frame, alias, duckdb=duckdb, spark=spark)
    return frame.with_columns((nw.lit(now) - nw.col(name)).alias(alias))


def epoch_days(nw: Any, frame: Any, name: str, alias: str) -> Any:
    """``frame`` with ``alias``: date column ``name`` as days since 1970-01-01 (Int64).

    DuckDB and Spark refuse to cast a date to an integer; their own date
    arithmetic is used.
    """
    if backend(frame) in ("duckdb", *SPARK):
        duckdb = f"CAST({quoted(name)} - DATE '1970-01-01' AS BIGINT)"
        spark = f"CAST(unix_date(`{name}`) AS BIGINT)"
        return _with_sql(nw, frame, alias, duckdb=duckdb, spark=spark)
    return frame.with_columns(nw.col(name).cast(nw.Int32).cast(nw.Int64).alias(alias))


def within(nw: Any, frame: Any, name: str, start: datetime, end: datetime) -> Any:
    """``frame``'s rows whose time column ``name`` lies in ``[start, end)``, as
    :meth:`salesflow.periods.Period.contains` decides (compared as UTC epoch microseconds)."""
    marker = f"{name}__us"
    frame = epoch_microseconds(nw, frame, name, marker)
    micros = nw.col(marker)
    return frame.filter((micros >= us(start)) & (micros < us(end))).drop(marker)


def _zone_offsets(zone: tzinfo, low: int, high: int) -> list[tuple[int, int]]:
    """``[(from_us, offset_us), ...]``: ``zone``'s UTC offset from each instant on, low to high.

    The first entry starts at ``low``; every later one at a change of offset
    (found day by day, then to the microsecond by bisection).
    """

    def offset(us: int) -> int:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
        shift = moment.astimezone(zone).utcoffset()
        return 0 if shift is None else (shift // timedelta(microseconds=1))

    changes = [(low, offset(low))]
    step = _US_PER_DAY
    at = low
    while at < high:
        following = min(at + step, high)
        if offset(following) != changes[-1][1]:
            before, after = at, following
            while after - before > 1:
                middle = (before + after) // 2
                if offset(middle) == changes[-1][1]:
                    before = middle
                else:
                    after = middle
            changes.append((after, offset(after)))
        at = following
    return changes


def _local_days(nw: Any, micros: Any, offsets: list[tuple[int, int]]) -> Any:
    """Days since 1970-01-01 of the local calendar, from epoch microseconds ``micros``."""
    shift: Any = nw.lit(offsets[0][1])
    for start, offset in offsets[1:]:
        shift = nw.when(micros >= start).then(nw.lit(offset)).otherwise(shift)
    return (micros + shift) // _US_PER_DAY


def _with_month_of_days(nw: Any, frame: Any, days: str, alias: str) -> Any:
    """``frame`` with ``alias``: ``year * 12 + month - 1`` of column ``days`` (days since
    1970-01-01, proleptic Gregorian).

    Howard Hinnant's ``civil_from_days`` in integer arithmetic, for engines
    whose calendar functions follow the session's zone rather than the data's;
    staged column by column, as a SQL engine would otherwise repeat each
    subexpression wherever it is used.
    """
    col = nw.col
    frame = frame.with_columns((col(days) + 719_468).alias("_z"))
    frame = frame.with_columns((col("_z") // 146_097).alias("_era"))
    frame = frame.with_columns((col("_z") - col("_era") * 146_097).alias("_doe"))
    frame = frame.with_columns(
        (
            (col("_doe") - col("_doe") // 1_460 + col("_doe") // 36_524 - col("_doe") // 146_096)
            // 365
        ).alias("_yoe")
    )
    frame = frame.with_columns(
        (col("_doe") - (365 * col("_yoe") + col("_yoe") // 4 - col("_yoe") // 100)).alias("_doy")
    )
    frame = frame.with_columns(((5 * col("_doy") + 2) // 153).alias("_mp"))
    frame = frame.with_columns(
        nw.when(col("_mp") < 10).then(col("_mp") + 3).otherwise(col("_mp") - 9).alias("_m")
    )
    frame = frame.with_columns(
        (
            (col("_yoe") + col("_era") * 400 + nw.when(col("_m") <= 2).then(1).otherwise(0)) * 12
            + col("_m")
            - 1
        ).alias(alias)
    )
    return frame.drop("_z", "_era", "_doe", "_yoe", "_doy", "_mp", "_m")


def distinct_with_first(nw: Any, frame: Any, group: str, value: str, alias: str) -> Any:
    """``frame``'s distinct (``group``, ``value``) rows, each with ``alias``: the smallest
    ``value`` of its ``group``.

    A SQL engine (DuckDB, Spark) runs hash aggregates and a join: there a
    ``unique`` and a window each cost several hash aggregates. A DataFrame
    engine (polars, pandas, pyarrow) runs ``unique`` and a window, cheaper
    there than a join.
    """
    pairs = frame.select(group, value)
    if backend(frame) in ("duckdb", "pyspark", "pyspark_connect", "sqlframe", "ibis"):
        pairs = pairs.group_by(group, value).agg(nw.len()).select(group, value)
        firsts = pairs.group_by(group).agg(nw.col(value).min().alias(alias))
        return pairs.join(firsts, on=group)
    pairs = pairs.unique([group, value])
    return pairs.with_columns(nw.col(value).min().over(group).alias(alias))


def us(moment: datetime) -> int:
    """An aware datetime as UTC epoch microseconds (exact)."""
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def with_local_calendar(
    nw: Any,
    frame: Any,
    name: str,
    zone: tzinfo,
    *,
    unit: str,
    alias: str,
    earliest: datetime,
    latest: datetime,
    place: str,
) -> Any:
    """``frame`` with ``alias``: the calendar month (``year*12 + month - 1``) or day
    (days since 1970-01-01) of time column ``name`` in ``zone``.

    polars, pandas and pyarrow convert the column to ``zone`` (for a month,
    when ``zone`` is named: they refuse a fixed offset); DuckDB reads the wall
    time in ``zone`` with ``timezone()`` (when its zone database knows the
    zone). Elsewhere the local date is computed from epoch microseconds and
    the zone's offsets between ``earliest`` and ``latest`` with integer
    arithmetic: DuckDB's and Spark's calendar functions on an instant follow
    the session's zone, not the data's. As in records, a month must fall in
    the years 2 to 9998 in ``zone`` and a day in the years 1 to 9999; a
    moment outside them is refused at ``place``, the column as the caller
    wrote it.
    """
    _refuse_outside_calendar(place, zone, unit, earliest, latest)
    engine = backend(frame)
    named = isinstance(zone, ZoneInfo) or zone == UTC  # not a fixed offset
    if unit == "month" and named and engine in ("polars", "pandas", "pyarrow", "modin", "cudf"):
        local = nw.col(name).dt.convert_time_zone(_zones.zone_name(zone))
        return frame.with_columns(
            (local.dt.year().cast(nw.Int64) * 12 + local.dt.month().cast(nw.Int64) - 1).alias(alias)
        )
    if engine == "duckdb":
        key = _duckdb_zone(frame.to_native(), zone)
        if key is not None:
            return _duckdb_calendar(nw, frame, name, key, unit=unit, alias=alias)
    marker = f"{alias}__us"
    frame = epoch_microseconds(nw, frame, name, marker)
    offsets = _zone_offsets(zone, us(earliest), us(latest))
    days = _local_days(nw, nw.col(marker).cast(nw.Int64), offsets)
    frame = frame.with_columns(days.cast(nw.Int64).alias(f"{alias}__days")).drop(marker)
    if unit == "month":
        frame = _with_month_of_days(nw, frame, f"{alias}__days", alias)
        return frame.drop(f"{alias}__days")
    return frame.rename({f"{alias}__days": alias})


def _refuse_outside_calendar(
    place: str, zone: tzinfo, unit: str, earliest: datetime, latest: datetime
) -> None:
    """Refuse ``earliest`` or ``latest`` when its month (or day) in ``zone`` is outside the
    years the records path reads (docs/metrics.md, "Supported ranges")."""
    low, high = (2, 9998) if unit == "month" else (1, 9999)
    for moment in (earliest, latest):
        try:
            year = moment.astimezone(zone).year
        except OverflowError:  # the year 0 or 10000 there
            year = 0 if moment.year == 1 else 10_000
        if not low <= year <= high:
            label = _zones.zone_label(zone)
            raise InvalidField(
                place,
                moment,
                f"a moment whose month in {label} lies within the years 2 to 9998"
                if unit == "month"
                else f"a moment that reads within the years 1 to 9999 in {label}",
            )


def _duckdb_zone(relation: Any, zone: tzinfo) -> str | None:
    """The IANA key of ``zone`` when DuckDB's time zone database knows it, else None."""
    if zone == UTC:
        return "UTC"
    key = getattr(zone, "key", None)
    if not isinstance(zone, ZoneInfo) or not isinstance(key, str) or "'" in key:
        return None
    ((known,),) = relation.query(
        "salesflow_zone", f"SELECT count(*) FROM pg_timezone_names() WHERE name = '{key}'"
    ).fetchall()
    return key if known else None


def _duckdb_calendar(nw: Any, frame: Any, name: str, key: str, *, unit: str, alias: str) -> Any:
    """:func:`with_local_calendar` with DuckDB's own calendar: ``timezone(key, t)`` is the
    wall time in ``key`` (a plain timestamp, whose year, month and date do not follow the
    session's zone)."""
    relation = frame.to_native()
    local = f"timezone('{key}', \"{name}\")"
    if unit == "month":
        value = f"CAST(year({local}) * 12 + month({local}) - 1 AS BIGINT)"
    else:
        value = f"CAST(CAST({local} AS DATE) - DATE '1970-01-01' AS BIGINT)"
    columns = ", ".join(f'"{c}"' for c in relation.columns if c != alias)
    return nw.from_native(relation.project(f'{columns}, {value} AS "{alias}"'))
