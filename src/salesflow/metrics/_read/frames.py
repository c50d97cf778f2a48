"""The frames reader: a native table (pandas, polars, pyarrow, DuckDB, Spark, ...) bound for a metric.

A metric that reads rows takes the frame path when its argument is a table
(:func:`table`). :func:`bind` names the table's columns as the metric reads
them (``columns=``), stands a constant in for a missing column (the stated
currency), checks every column's type on the schema alone and then runs one
aggregate query, the audit, which refuses what a record would be refused
for, naming the caller's column. The metric then computes inside the engine
through narwhals (its stable v2 API), and only aggregates leave it.

narwhals is the ``frames`` extra; it is imported only when a table is given.
Per-engine differences are kept here, and only here (docs/frames.md, "What
differs per engine"): epoch microseconds, calendar months in a zone.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from salesflow import _check, _zones
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType, MissingExtra
from salesflow.metrics._read.fields import shown_ids
from salesflow.money import CURRENCY_MINOR_UNITS

# The libraries whose tables narwhals reads (a Series is not a table).
_TABLE_MODULES: Final = frozenset(
    {
        "pandas",
        "polars",
        "pyarrow",
        "duckdb",
        "pyspark",
        "modin",
        "cudf",
        "dask",
        "sqlframe",
        "ibis",
    }
)
_SERIES: Final = frozenset({"Series", "ChunkedArray", "Array", "Column", "Expr"})
_FLOAT_SCALE_LIMIT: Final = 18
DECIMAL_DIGITS: Final = 38
_US_PER_DAY: Final = 86_400_000_000

# -- kinds of column ---------------------------------------------------------------------

ID: Final = "id"
TIME: Final = "time"
MONEY: Final = "money"
CODE: Final = "currency"
TEXT: Final = "text"
FLAG: Final = "flag"
COUNT: Final = "count"

_EXPECTED: Final = {
    ID: "a column of strings or integers (ids)",
    TIME: "a timezone-aware datetime column (or a naive one with naive_zone= the zone it was written in)",
    MONEY: (
        "a decimal or integer column (a float column is inexact: cast it to a decimal "
        "in your engine, or pass amount_scale= and amount_rounding= to have salesflow "
        "round it inside the engine)"
    ),
    CODE: "a column of ISO 4217 codes (strings), or currency= stated once for the whole table",
    TEXT: "a column of strings",
    FLAG: "a boolean column",
    COUNT: "an integer column",
}


def table(value: Any) -> bool:
    """Whether ``value`` is a native table (a DataFrame, a lazy frame, a relation), not rows."""
    kind = type(value)
    root = kind.__module__.partition(".")[0]
    if root == "narwhals":
        return kind.__name__ in {"DataFrame", "LazyFrame"}
    return root in _TABLE_MODULES and kind.__name__ not in _SERIES


def narwhals(feature: str) -> Any:
    """``narwhals.stable.v2``, or the refusal naming the ``frames`` extra."""
    try:
        return importlib.import_module("narwhals.stable.v2")
    except ImportError:
        raise MissingExtra("narwhals", "frames", feature=feature) from None


class Bound:
    """A table as one metric reads it: the standard column names, checked.

    ``frame`` is a narwhals DataFrame or LazyFrame holding exactly the
    columns read, under their standard names (``placed_at``, ``amount``,
    ...); time columns are aware. ``source`` maps a standard name to the
    caller's column (or to ``None`` for a stated constant), for messages.
    ``lazy`` says whether the caller's table was lazy.
    """

    __slots__ = ("_schema", "argument", "backend", "frame", "lazy", "nw", "source")

    def __init__(
        self, nw: Any, argument: str, frame: Any, source: dict[str, str | None], lazy: bool
    ) -> None:
        self.nw = nw
        self.argument = argument
        self.frame = frame
        self.source = source
        self.lazy = lazy
        self.backend = str(frame.implementation).rpartition(".")[2].lower()
        self._schema: Any = None

    @property
    def schema(self) -> Any:
        """``frame``'s schema, asked once (a SQL engine answers with a query)."""
        if self._schema is None:
            self._schema = self.frame.collect_schema()
        return self._schema

    def field(self, name: str) -> str:
        """The place of the standard column ``name`` as the caller wrote it: ``orders['date']``."""
        column = self.source.get(name)
        return f"{self.argument}[{column if column is not None else name!r}]"

    def has(self, name: str) -> bool:
        return name in self.source

    def collect(self, query: Any) -> list[dict[str, Any]]:
        """A small result (an aggregate) as plain rows."""
        nw = self.nw
        if isinstance(query, nw.LazyFrame):
            query = query.collect()
        return list(query.iter_rows(named=True))

    def native(self, query: Any) -> Any:
        """``query`` as the caller's own type (lazy stays lazy, eager stays eager)."""
        if not self.lazy and isinstance(query, self.nw.LazyFrame):
            query = query.collect()
        return query.to_native()

    def epoch_us(self, name: str, alias: str) -> Any:
        """``frame`` with ``alias``: the instants of time column ``name`` as UTC epoch microseconds."""
        return epoch_microseconds(self.nw, self.frame, name, alias)


def _columns_argument(
    columns: Any, reads: Collection[str], names: Collection[str]
) -> dict[str, str]:
    if columns is None:
        return {}
    if not isinstance(columns, Mapping):
        raise InvalidType(
            "columns", columns, "None or a mapping of salesflow's column names to yours"
        )
    mapped: dict[str, str] = {}
    for key, value in columns.items():
        if not isinstance(key, str) or key not in reads:
            raise InvalidField(
                "columns",
                key,
                f"a column this metric reads, one of {', '.join(sorted(reads))}",
            )
        if not isinstance(value, str) or value not in names:
            raise InvalidField(
                f"columns[{key!r}]",
                value,
                f"a column of the table, one of {shown_ids(sorted(names), few=12)}",
            )
        mapped[key] = value
    return mapped


def bind(
    argument: str,
    native: Any,
    *,
    reads: Mapping[str, str],
    optional: Collection[str] = (),
    columns: Any = None,
    constants: Mapping[str, Any] | None = None,
    naive_zone: tzinfo | str | None = None,
    amount_scale: int | None = None,
    amount_rounding: str | None = None,
    feature: str,
) -> Bound:
    """The table ``native`` (the argument ``argument``) bound for a metric.

    ``reads`` maps each standard column the metric reads to its kind; those in
    ``optional`` may be absent. ``constants`` holds values stated for a
    missing column (``{"currency": "USD"}``); a present column is checked
    against it instead. Checks the schema only: the audit queries the data.
    """
    nw = narwhals(feature)
    try:
        frame = nw.from_native(native)
    except TypeError:
        raise InvalidType(argument, native, "a table narwhals reads") from None
    lazy = isinstance(frame, nw.LazyFrame)
    schema = frame.collect_schema()
    names = list(schema.names())
    mapped = _columns_argument(columns, reads, names)
    converted = native_frame(nw, frame, native, {mapped.get(name, name) for name in reads}, schema)
    if converted is not frame:
        frame, schema = converted, converted.collect_schema()
    constants = {k: v for k, v in (constants or {}).items() if v is not None}
    zone = None if naive_zone is None else _zones.zone("naive_zone", naive_zone)
    money = _float_money(amount_scale, amount_rounding)
    source: dict[str, str | None] = {}
    selected: list[Any] = []
    for name, kind in reads.items():
        column = mapped.get(name, name)
        if column not in names:
            if name in constants:
                source[name] = None
                selected.append(nw.lit(constants[name]).alias(name))
                continue
            if name in optional:
                continue
            hint = f"; map yours with columns={{{name!r}: ...}}" if name not in mapped else ""
            if kind == CODE:
                hint += ", or state currency="
            raise InvalidField(
                f"{argument}[{name!r}]",
                None,
                f"a column named {name!r} (the table has {shown_ids(names, few=12)}{hint})",
            )
        source[name] = column
        place = f"{argument}[{column!r}]"
        selected.append(
            _typed(nw, place, nw.col(column), schema[column], kind, zone=zone, money=money).alias(
                name
            )
        )
    if zone is not None and not any(
        reads[name] == TIME and _naive(schema[source[name]]) for name in source if source[name]
    ):
        raise InvalidField(
            "naive_zone", naive_zone, "None: the table has no naive time column to place"
        )
    if money is not None and not any(
        reads[name] == MONEY and schema[source[name]].is_float() for name in source if source[name]
    ):
        raise InvalidField(
            "amount_scale", amount_scale, "None: the table has no float money column to round"
        )
    frame = frame.select(*selected)
    if zone is not None:
        naive = [n for n in source if source[n] and reads[n] == TIME and _naive(schema[source[n]])]
        frame = place_naive(nw, frame, naive, zone)
    if not lazy and frame.implementation is nw.Implementation.POLARS:
        # One query planned as a whole, not a DataFrame materialised per step.
        frame = frame.lazy()
    return Bound(nw, argument, frame, source, lazy)


def place_naive(nw: Any, frame: Any, names: list[str], zone: tzinfo) -> Any:
    """``frame`` with the naive time columns ``names`` read as wall times in ``zone``, as UTC.

    A wall time that a clock change skips or repeats is placed as the engine
    places it (docs/frames.md, "What differs per engine").
    """
    key = _zones.zone_name(zone, field="naive_zone")
    backend = str(frame.implementation).rpartition(".")[2].lower()
    if backend == "duckdb":
        relation = frame.to_native()
        parts = [
            f'timezone(\'{key}\', "{c}") AS "{c}"' if c in names else f'"{c}"'
            for c in relation.columns
        ]
        return nw.from_native(relation.project(", ".join(parts)))
    if backend in ("pyspark", "pyspark_connect"):
        functions = importlib.import_module("pyspark.sql.functions")
        native = frame.to_native()
        for name in names:
            native = native.withColumn(name, functions.to_utc_timestamp(functions.col(name), key))
        return nw.from_native(native)
    return frame.with_columns(
        nw.col(name).dt.replace_time_zone(key).dt.convert_time_zone("UTC") for name in names
    )


def native_frame(nw: Any, frame: Any, native: Any, read: Collection[str], schema: Any) -> Any:
    """``frame`` (whose schema is ``schema``), with a pandas column of Python Decimals read
    as exact decimals.

    narwhals sees such a column as Object; it is converted through Arrow
    (which infers ``decimal128``) so sums stay exact and typed. Only the
    columns ``read`` are converted; ``frame`` itself is returned when none is.
    """
    objects = [name for name in schema.names() if name in read and schema[name] == nw.Object]
    if not objects or type(native).__module__.partition(".")[0] != "pandas":
        return frame
    # The caller's own pandas (the table is one of its frames); pyarrow comes with it.
    pd = importlib.import_module("pandas")
    pa = importlib.import_module("pyarrow")

    copy = native.copy(deep=False)
    for name in objects:
        column = native[name]
        try:
            array = _arrow_array(pa, column)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            continue
        if pa.types.is_decimal(array.type):
            copy[name] = pd.Series(array, dtype=pd.ArrowDtype(array.type), index=column.index)
    return nw.from_native(copy)


_SAMPLE: Final = 1_000


def _arrow_array(pa: Any, column: Any) -> Any:
    """The pandas object column ``column`` as an Arrow array, its type inferred.

    Inferring a decimal type reads every value twice; when the first values
    are decimals, the column is read once as ``decimal128(38, scale)`` of
    their scale, which Arrow refuses if a later value has more places (or
    more digits): then the whole column is inferred after all.
    """
    sample = pa.array(column.iloc[:_SAMPLE], from_pandas=True)
    if pa.types.is_decimal128(sample.type) and sample.type.scale >= 0:
        try:
            return pa.array(
                column, from_pandas=True, type=pa.decimal128(DECIMAL_DIGITS, sample.type.scale)
            )
        except pa.ArrowInvalid:
            pass
    return pa.array(column, from_pandas=True)


def _naive(dtype: Any) -> bool:
    return getattr(dtype, "time_zone", "") is None


def _float_money(scale: Any, rounding: Any) -> tuple[int, str] | None:
    if scale is None and rounding is None:
        return None
    if scale is None or rounding is None:
        given, missing = (
            ("amount_scale", "amount_rounding")
            if rounding is None
            else (
                "amount_rounding",
                "amount_scale",
            )
        )
        raise InvalidField(missing, None, f"a value too: {given} and {missing} are given together")
    scale = _check.whole("amount_scale", scale, minimum=0)
    if scale > _FLOAT_SCALE_LIMIT:
        raise InvalidField("amount_scale", scale, f"an int from 0 to {_FLOAT_SCALE_LIMIT}")
    if rounding != "ROUND_HALF_UP":
        raise InvalidField(
            "amount_rounding",
            rounding,
            "'ROUND_HALF_UP' (the one rounding of a float that every engine computes alike)",
        )
    return scale, rounding


def _typed(
    nw: Any,
    place: str,
    column: Any,
    dtype: Any,
    kind: str,
    *,
    zone: tzinfo | None,
    money: tuple[int, str] | None,
) -> Any:
    """``column`` checked for ``kind`` on its type alone, converted where stated."""
    if kind == ID:
        if dtype.is_integer() or dtype in (nw.String, nw.Categorical) or isinstance(dtype, nw.Enum):
            return column.cast(nw.String) if not dtype.is_integer() else column
    elif kind in (CODE, TEXT):
        if dtype in (nw.String, nw.Categorical) or isinstance(dtype, nw.Enum):
            return column.cast(nw.String)
    elif kind == FLAG:
        if dtype == nw.Boolean:
            return column
    elif kind == COUNT:
        if dtype.is_integer():
            return column
    elif kind == TIME:
        if isinstance(dtype, nw.Datetime):
            if dtype.time_zone is not None:
                return column
            if zone is None:
                raise InvalidField(
                    place,
                    f"{dtype}",
                    "a timezone-aware datetime column; this one is naive: say which zone its "
                    "times were written in with naive_zone= (an IANA key such as "
                    "'Europe/Berlin', or 'UTC')",
                )
            return column  # placed in ``zone`` by place_naive, once selected
    elif kind == MONEY:
        if isinstance(dtype, nw.Decimal):
            return column
        if dtype.is_integer():
            return column.cast(nw.Decimal(DECIMAL_DIGITS, 0))
        if dtype.is_float():
            if money is None:
                raise InvalidField(place, f"{dtype}", _EXPECTED[MONEY])
            return _rounded_float(nw, column, money[0])
    raise InvalidType(place, f"{dtype}", _EXPECTED[kind])


def _rounded_float(nw: Any, column: Any, scale: int) -> Any:
    """A float money column rounded half up to ``scale`` places, as a decimal, in the engine.

    The float64 product ``x * 10**scale`` plus a half, floored, is an integer
    every engine computes alike (a plain cast to decimal rounds differently
    per engine).
    """
    whole = ((column * (10**scale) + 0.5).floor()).cast(nw.Int64)
    return (
        whole.cast(nw.Decimal(DECIMAL_DIGITS, 0))
        * nw.lit(Decimal(1).scaleb(-scale), nw.Decimal(scale + 1, scale))
    ).cast(nw.Decimal(DECIMAL_DIGITS, scale))


# -- per-engine expressions ----------------------------------------------------------------


def epoch_microseconds(nw: Any, frame: Any, name: str, alias: str) -> Any:
    """``frame`` with ``alias``: time column ``name`` as UTC epoch microseconds (Int64).

    DuckDB and Spark lack narwhals' ``dt.timestamp``; their own functions are used.
    """
    backend = str(frame.implementation).rpartition(".")[2].lower()
    if backend == "duckdb":
        relation = frame.to_native()
        columns = ", ".join(f'"{c}"' for c in relation.columns if c != alias)
        return nw.from_native(relation.project(f'{columns}, epoch_us("{name}") AS "{alias}"'))
    if backend == "pyspark" or backend == "pyspark_connect":
        functions = importlib.import_module("pyspark.sql.functions")
        native = frame.to_native()
        return nw.from_native(native.withColumn(alias, functions.unix_micros(functions.col(name))))
    return frame.with_columns(nw.col(name).dt.timestamp("us").alias(alias))


def zone_offsets(zone: tzinfo, low: int, high: int) -> list[tuple[int, int]]:
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


def local_days(nw: Any, us: Any, offsets: list[tuple[int, int]]) -> Any:
    """Days since 1970-01-01 of the local calendar, from epoch microseconds ``us`` (integers only)."""
    shift: Any = nw.lit(offsets[0][1])
    for start, offset in offsets[1:]:
        shift = nw.when(us >= start).then(nw.lit(offset)).otherwise(shift)
    return (us + shift) // _US_PER_DAY


def with_month_of_days(nw: Any, frame: Any, days: str, alias: str) -> Any:
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


def audit(bound: Bound, checks: list[tuple[Any, Any]]) -> dict[str, Any]:
    """One aggregate query over the bound table: ``checks`` are ``(alias, expression)``."""
    if not checks:
        return {}
    query = bound.frame.select(*(expression.alias(alias) for alias, expression in checks))
    (row,) = bound.collect(query)
    return row


def refuse_currency(bound: Bound, found: list[Any], stated: str | None) -> str | None:
    """The one currency of the table, from its distinct values ``found`` (None when empty)."""
    field = bound.field("currency")
    codes = [code for code in found if code is not None]
    if len(codes) != len(found):
        raise InvalidField(field, None, "an ISO 4217 code in every row")
    for code in codes:
        if code not in CURRENCY_MINOR_UNITS:
            raise InvalidField(field, code, "an ISO 4217 code such as 'EUR'")
    if stated is not None and any(code != stated for code in codes):
        other = next(code for code in codes if code != stated)
        raise CurrencyMismatch(field, other, f"{stated!r}, the currency stated")
    if len(codes) > 1:
        raise CurrencyMismatch(
            field,
            sorted(codes)[1],
            f"one currency in every row (found {', '.join(sorted(codes))}); "
            "filter the table to one currency first",
        )
    return codes[0] if codes else stated


def whole(value: Any) -> int:
    """An engine's count as an int (DuckDB may return a Decimal, pandas a numpy int)."""
    return 0 if value is None else int(value)


def instant(value: Any) -> datetime:
    """An engine's timestamp as an aware datetime in UTC (pandas gives a Timestamp)."""
    if not isinstance(value, datetime):
        raise InvalidType("table", value, "a timestamp")  # pragma: no cover - engine contract
    moment: datetime = (
        value.to_pydatetime() if hasattr(value, "to_pydatetime") else value  # pandas Timestamp
    )
    if moment.tzinfo is None:  # pragma: no cover - the bound columns are aware
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def decimal(value: Any) -> Decimal:
    """An engine's decimal as a Decimal (exact; an int for a sum of integers)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(int(value)) if value is not None else Decimal(0)


def _us(moment: datetime) -> int:
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
) -> Any:
    """``frame`` with ``alias``: the calendar month (``year*12 + month - 1``) or day
    (days since 1970-01-01) of time column ``name`` in ``zone``.

    polars, pandas and pyarrow convert the column to ``zone`` (for a month,
    when ``zone`` is named: they refuse a fixed offset); DuckDB reads the wall
    time in ``zone`` with ``timezone()`` (when its zone database knows the
    zone). Elsewhere the local date is computed from epoch microseconds and
    the zone's offsets between ``earliest`` and ``latest`` with integer
    arithmetic: DuckDB's and Spark's calendar functions on an instant follow
    the session's zone, not the data's.
    """
    backend = str(frame.implementation).rpartition(".")[2].lower()
    named = isinstance(zone, ZoneInfo) or zone == UTC  # not a fixed offset
    if unit == "month" and named and backend in ("polars", "pandas", "pyarrow", "modin", "cudf"):
        local = nw.col(name).dt.convert_time_zone(_zones.zone_name(zone))
        return frame.with_columns(
            (local.dt.year().cast(nw.Int64) * 12 + local.dt.month().cast(nw.Int64) - 1).alias(alias)
        )
    if backend == "duckdb":
        key = _duckdb_zone(frame.to_native(), zone)
        if key is not None:
            return _duckdb_calendar(nw, frame, name, key, unit=unit, alias=alias)
    marker = f"{alias}__us"
    frame = epoch_microseconds(nw, frame, name, marker)
    offsets = zone_offsets(zone, _us(earliest), _us(latest))
    days = local_days(nw, nw.col(marker).cast(nw.Int64), offsets)
    frame = frame.with_columns(days.cast(nw.Int64).alias(f"{alias}__days")).drop(marker)
    if unit == "month":
        frame = with_month_of_days(nw, frame, f"{alias}__days", alias)
        return frame.drop(f"{alias}__days")
    return frame.rename({f"{alias}__days": alias})


def with_duration_since(nw: Any, frame: Any, moment: datetime, name: str, alias: str) -> Any:
    """``frame`` with ``alias``: the exact time from time column ``name`` to ``moment``.

    DuckDB subtracts its timestamps in calendar days of the session's zone
    (a day across a clock change is 23 or 25 hours); there the difference is
    taken in epoch microseconds instead.
    """
    if str(frame.implementation).rpartition(".")[2].lower() == "duckdb":
        relation = frame.to_native()
        columns = ", ".join(f'"{c}"' for c in relation.columns if c != alias)
        value = f'to_microseconds({_us(moment)} - epoch_us("{name}"))'
        return nw.from_native(relation.project(f'{columns}, {value} AS "{alias}"'))
    return frame.with_columns((nw.lit(moment) - nw.col(name)).alias(alias))


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


def rows_only(given: Mapping[str, Any]) -> None:
    """Refuse the table-only arguments ``given`` (``{"columns": ...}``) when rows were given."""
    for name, value in given.items():
        if value is not None:
            raise InvalidField(
                name,
                value,
                "None: it applies to a table (a DataFrame, a lazy frame, a relation); "
                "records are read by their keys",
            )


def found_value(value: Any) -> bool:
    """Whether an engine's aggregate holds a value: not None, NaN, NaT or pandas' NA."""
    if value is None:
        return False
    try:
        return bool(value == value)
    except TypeError:  # pandas' NA refuses to be a bool
        return False
