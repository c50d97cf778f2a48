"""The frames reader: a native table (pandas, polars, pyarrow, DuckDB, Spark, ...) bound for a metric.

A metric that reads rows takes the frame path when its argument is a table
(:func:`table`). :func:`bind` names the table's columns as the metric reads
them (``columns=``), stands a constant in for a missing column (the stated
currency), checks every column's type on the schema alone and then runs one
aggregate query, the audit, which refuses what a record would be refused
for, naming the caller's column. The metric then computes inside the engine
through narwhals (its stable v2 API), and only aggregates leave it.

narwhals is the ``frames`` extra; it is imported only when a table is given.
Per-engine differences in reading a table are kept here (columns narwhals
can't type, naive wall times, DuckDB's aware times handed over); those of
time arithmetic in :mod:`frame_times` (docs/frames.md, "What differs per
engine").
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any, Final

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
        "_duckdb",
        "pyspark",
        "modin",
        "cudf",
        "dask",
        "sqlframe",
        "ibis",
    }
)
_SERIES: Final = frozenset({"Series", "ChunkedArray", "Array", "Column", "Expr"})
SPARK: Final = ("pyspark", "pyspark_connect")
# Every Int64 fits 19 digits; 19 + (scale + 1) + 1, the digits Arrow gives the
# product in _rounded_float, must stay within 38.
_INT64_DIGITS: Final = 19
_FLOAT_SCALE_LIMIT: Final = 17
# A float amount times 10**scale must stay below this to be rounded through Int64.
_FLOAT_LIMIT: Final = 2.0**62
# A money column with no value to infer a type from: narrow enough that Arrow,
# which widens a comparison to both sides' digits, stays within 38.
_EMPTY_MONEY_DIGITS: Final = 18
DECIMAL_DIGITS: Final = 38

# -- kinds of column ---------------------------------------------------------------------

ID: Final = "id"
TIME: Final = "time"
MONEY: Final = "money"
CODE: Final = "currency"
TEXT: Final = "text"
FLAG: Final = "flag"
COUNT: Final = "count"
DATE: Final = "date"

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
    DATE: "a date column (calendar dates without a time: cast a datetime column to a date)",
}


# The type an empty column of each kind is read as (it holds only missing values).
_EMPTY: Final = {
    ID: lambda nw: nw.String,
    TIME: lambda nw: nw.Datetime("us", "UTC"),
    MONEY: lambda nw: nw.Decimal(_EMPTY_MONEY_DIGITS, 0),
    CODE: lambda nw: nw.String,
    TEXT: lambda nw: nw.String,
    FLAG: lambda nw: nw.Boolean,
    COUNT: lambda nw: nw.Int64,
    DATE: lambda nw: nw.Date,
}
# The same, as DuckDB names them (its columns of nulls are cast natively; Spark's too).
_EMPTY_SQL: Final = {
    TIME: "TIMESTAMPTZ",
    MONEY: f"DECIMAL({_EMPTY_MONEY_DIGITS}, 0)",
    DATE: "DATE",
    FLAG: "BOOLEAN",
    COUNT: "BIGINT",
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


def backend(frame: Any) -> str:
    """The engine of a narwhals frame: ``"polars"``, ``"pyarrow"``, ``"pandas"``, ``"duckdb"``, ..."""
    return str(frame.implementation).rpartition(".")[2].lower()


class Bound:
    """A table as one metric reads it: the standard column names, checked.

    ``frame`` is a narwhals DataFrame or LazyFrame holding exactly the
    columns read, under their standard names (``placed_at``, ``amount``,
    ...); time columns are aware. ``source`` maps a standard name to the
    caller's column (or to ``None`` for a stated constant), for messages.
    ``lazy`` says whether the caller's table was lazy; ``placed`` names the
    naive time columns read as wall times in ``naive_zone``; ``wrap``, when
    the caller passed a narwhals frame, makes a native result one again.
    """

    __slots__ = ("argument", "backend", "frame", "lazy", "nw", "placed", "source", "wrap")

    def __init__(
        self,
        nw: Any,
        argument: str,
        frame: Any,
        source: dict[str, str | None],
        lazy: bool,
        placed: tuple[str, ...] = (),
        wrap: Any = None,
    ) -> None:
        self.nw = nw
        self.argument = argument
        self.frame = frame
        self.source = source
        self.lazy = lazy
        self.placed = placed
        self.wrap = wrap
        self.backend = backend(frame)

    def field(self, name: str) -> str:
        """The place of the standard column ``name`` as the caller wrote it: ``orders['date']``."""
        column = self.source.get(name)
        return f"{self.argument}[{column if column is not None else name!r}]"

    def has(self, name: str) -> bool:
        """Whether the column ``name`` is read: the table has it, or a constant stands in."""
        return name in self.source

    def collect(self, query: Any) -> list[dict[str, Any]]:
        """A small result (an aggregate) as plain rows.

        DuckDB hands its aware times over in the session's zone, where the
        first or last instants of the years 1 to 9999 may fall outside them:
        they are handed over as UTC wall times instead (:func:`instant` reads
        them as UTC).
        """
        nw = self.nw
        if self.backend == "duckdb":
            relation = query.to_native()
            parts = [
                f"timezone('UTC', {quoted(c)}) AS {quoted(c)}"
                if kind.id == "timestamp with time zone"
                else quoted(c)
                for c, kind in zip(relation.columns, relation.types, strict=True)
            ]
            query = nw.from_native(relation.project(", ".join(parts)))
        if isinstance(query, nw.LazyFrame):
            query = query.collect()
        return list(query.iter_rows(named=True))

    def native(self, query: Any) -> Any:
        """``query`` as the caller's own kind of table (lazy stays lazy, eager stays eager,
        narwhals stays narwhals)."""
        if not self.lazy and isinstance(query, self.nw.LazyFrame):
            query = query.collect()  # an eager polars table was planned lazily (see bind)
        result = query.to_native()
        return result if self.wrap is None else self.wrap(result)


def _columns_argument(
    columns: Any, reads: Collection[str], names: Collection[str]
) -> dict[str, str]:
    """``columns`` checked: keys among ``reads``, values among the table's ``names``."""
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
                f"a column salesflow reads from this table, one of {', '.join(sorted(reads))}",
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
    mappable: Collection[str] = (),
    columns: Any = None,
    constants: Mapping[str, Any] | None = None,
    naive_zone: tzinfo | str | None = None,
    amount_scale: int | None = None,
    amount_rounding: str | None = None,
    shared_zone: bool = False,
    feature: str,
) -> Bound:
    """The table ``native`` (the argument ``argument``) bound for a metric.

    ``reads`` maps each standard column the metric reads to its kind; those in
    ``optional`` may be absent. ``columns`` may also map the names in
    ``mappable`` (what other metrics, or other options, read from the same
    kind of table), so one mapping serves them all. ``constants`` holds
    values stated for a missing column (``{"currency": "USD"}``); a present
    column is checked against it instead. Checks the schema only: the audit
    queries the data.
    With ``shared_zone`` (one ``naive_zone`` for several tables), a table
    without a naive time column is not refused: the metric checks that one
    of its tables had one (``Bound.placed``).

    A narwhals frame is read as the table it wraps; two columns of one name
    are refused. With the float opt-in (``amount_scale``), one aggregate
    query refuses a float amount too large (or infinite) to round, and a NaN
    is a missing value, as in a DataFrame's records.
    """
    nw = narwhals(feature)
    namespace = _narwhals_namespace(native)
    if namespace is not None:
        native = native.to_native()
    _refuse_repeated_names(argument, native)
    try:
        frame = nw.from_native(native)
    except TypeError:
        raise InvalidType(argument, native, "a table narwhals reads") from None
    lazy = isinstance(frame, nw.LazyFrame)
    names = list(frame.collect_schema().names())
    mapped = _columns_argument(columns, {*reads, *mappable}, names)
    wanted = {mapped.get(name, name): kind for name, kind in reads.items()}
    frame, unreadable = _native_types(
        nw, frame, native, {k: v for k, v in wanted.items() if k in names}
    )
    schema = frame.collect_schema()
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
        if column in unreadable:
            raise InvalidType(place, unreadable[column], _EXPECTED[kind])
        selected.append(
            _typed(nw, place, nw.col(column), schema[column], kind, zone=zone, money=money).alias(
                name
            )
        )
    read = {name: column for name, column in source.items() if column is not None}
    if (
        zone is not None
        and not shared_zone
        and not any(reads[name] == TIME and _naive(schema[read[name]]) for name in read)
    ):
        raise InvalidField(
            "naive_zone", naive_zone, "None: the table has no naive time column to place"
        )
    if money is not None:
        floats = {
            column: f"{argument}[{column!r}]"
            for name, column in read.items()
            if reads[name] == MONEY and schema[column].is_float()
        }
        if not floats:
            raise InvalidField(
                "amount_scale", amount_scale, "None: the table has no float money column to round"
            )
        _refuse_unroundable(nw, frame, floats, money[0])
    frame = frame.select(*selected)
    naive: list[str] = []
    if zone is not None:
        naive = [name for name in read if reads[name] == TIME and _naive(schema[read[name]])]
        frame = _place_naive(nw, frame, naive, zone)
    if not lazy and frame.implementation is nw.Implementation.POLARS:
        # One query planned as a whole, not a DataFrame materialised per step.
        frame = frame.lazy()
    wrap = None if namespace is None else namespace.from_native
    return Bound(nw, argument, frame, source, lazy, tuple(naive), wrap)


def _narwhals_namespace(value: Any) -> Any:
    """The narwhals API (``narwhals`` or a stable one) whose frame ``value`` is, else None."""
    module = type(value).__module__
    if module.partition(".")[0] != "narwhals":
        return None
    return importlib.import_module("narwhals" if module == "narwhals.dataframe" else module)


def _refuse_repeated_names(argument: str, native: Any) -> None:
    """Refuse two columns of one name (pandas, pyarrow, DuckDB and Spark tables may have them)."""
    if type(native).__module__.partition(".")[0] == "polars":  # unique by construction
        return
    names = getattr(native, "column_names", None)  # pyarrow
    if names is None:
        names = getattr(native, "columns", ())
    try:
        counts: Counter[Any] = Counter(names)
    except TypeError:  # not a list of names: narwhals judges the table
        return
    for name, count in counts.items():
        if count > 1:
            raise InvalidField(
                f"{argument}[{name!r}]",
                f"{count} columns",
                "one column of that name: rename or drop the others",
            )


def _refuse_unroundable(nw: Any, frame: Any, places: Mapping[str, str], scale: int) -> None:
    """Refuse a float amount too large, or infinite, to round at ``scale`` (one query).

    ``places`` maps each float money column to its place, for the message.
    """
    checks = []
    for index, column in enumerate(places):
        value = _not_nan(nw, nw.col(column))
        large = value.abs() * (10**scale) >= _FLOAT_LIMIT
        checks.append(nw.when(large).then(value).max().alias(f"c{index}"))
    query = frame.select(*checks)
    if isinstance(query, nw.LazyFrame):
        query = query.collect()
    (row,) = query.iter_rows(named=True)
    for index, place in enumerate(places.values()):
        if found_value(row[f"c{index}"]):
            raise InvalidField(
                place,
                float(row[f"c{index}"]),
                f"a finite amount below {_FLOAT_LIMIT / 10**scale:.3g} in size, which "
                f"amount_scale={scale} can round (cast larger ones to a decimal in your engine)",
            )


def _place_naive(nw: Any, frame: Any, names: list[str], zone: tzinfo) -> Any:
    """``frame`` with the naive time columns ``names`` read as wall times in ``zone``, as UTC.

    A wall time that a clock change skips or repeats is placed as the engine
    places it (docs/frames.md, "What differs per engine").
    """
    key = _zones.zone_name(zone, field="naive_zone")
    engine = backend(frame)
    if engine == "duckdb":
        relation = frame.to_native()
        parts = [
            f"timezone('{key}', {quoted(c)}) AS {quoted(c)}" if c in names else quoted(c)
            for c in relation.columns
        ]
        return nw.from_native(relation.project(", ".join(parts)))
    if engine in SPARK:
        # The wall time in ``key`` to its UTC wall time, then to the instant by
        # microsecond arithmetic: no step reads the session's zone (casting a
        # naive timestamp, and to_utc_timestamp, would).
        functions = importlib.import_module("pyspark.sql.functions")
        native = frame.to_native()
        for name in names:
            native = native.withColumn(
                name,
                functions.expr(
                    "timestamp_micros(timestampdiff(MICROSECOND, "
                    "TIMESTAMP_NTZ'1970-01-01 00:00:00', "
                    f"convert_timezone('{key}', 'UTC', `{name}`)))"
                ),
            )
        return nw.from_native(native)
    return frame.with_columns(
        nw.col(name).dt.replace_time_zone(key).dt.convert_time_zone("UTC") for name in names
    )


def _native_types(
    nw: Any, frame: Any, native: Any, kinds: Mapping[str, str]
) -> tuple[Any, dict[str, str]]:
    """``frame`` with the columns read (``kinds``: column -> kind) typed where narwhals can't
    type them, and the columns of a type no metric reads (column -> the engine's type)."""
    engine = backend(frame)
    if engine == "pandas":
        return _pandas_types(nw, frame, native, kinds), {}
    if engine == "duckdb":
        return _duckdb_types(nw, frame, kinds)
    if engine in SPARK:
        return _spark_types(nw, frame, kinds), {}
    return frame, {}


def _pandas_types(nw: Any, frame: Any, native: Any, kinds: Mapping[str, str]) -> Any:
    """``frame``, with the pandas object columns read typed.

    A column of Python Decimals (or dates) is converted through Arrow, which
    infers ``decimal128`` (or ``date32``), so sums stay exact and typed. A
    column without a value (all missing, or no rows) has no type to infer:
    it becomes a column of nulls of the kind read, so it is checked as
    records would be (a missing value where one is required is refused).

    narwhals (2.29) reads a zone key with ``_``, ``-`` or a digit in a
    numpy-backed pandas column (``datetime64[us, America/New_York]``) as
    Unknown; the same instants in UTC are typed (every metric reads the
    instants, and calendars come from the metric's own ``zone``).
    """
    schema = frame.collect_schema()
    objects = [name for name in kinds if str(native[name].dtype) == "object"]
    unknown = [name for name in kinds if schema[name] == nw.Unknown]
    if not (objects or unknown):
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
        if pa.types.is_null(array.type):
            array = pa.nulls(len(array), type=_null_type(pa, kinds[name]))
        elif not (
            pa.types.is_decimal(array.type)
            or pa.types.is_date(array.type)
            or pa.types.is_boolean(array.type)  # bools with gaps
        ):
            continue
        copy[name] = pd.Series(array, dtype=pd.ArrowDtype(array.type), index=column.index)
    for name in unknown:
        if isinstance(native[name].dtype, pd.DatetimeTZDtype):
            copy[name] = native[name].dt.tz_convert("UTC")
    return nw.from_native(copy)


def _duckdb_types(nw: Any, frame: Any, kinds: Mapping[str, str]) -> tuple[Any, dict[str, str]]:
    """``frame`` (a DuckDB relation) with its columns of nulls, and its timestamps in other
    units than microseconds, read as the kind of column read; other types narwhals can't
    type (UUID, BIT, UNION) are returned as unreadable.

    Nanoseconds are dropped (floored), as records drop those of a pandas Timestamp.
    """
    relation = frame.to_native()
    schema = frame.collect_schema()
    unreadable: dict[str, str] = {}
    parts: list[str] = []
    changed = False
    for column, native_type in zip(relation.columns, relation.types, strict=True):
        name = quoted(column)
        if column not in kinds:
            parts.append(name)
            continue
        ns = f"epoch_ns({name})"
        micros = f"make_timestamp(({ns} - (({ns} % 1000) + 1000) % 1000) // 1000)"
        converted = {
            "null": f"CAST(NULL AS {_EMPTY_SQL.get(kinds[column], 'STRING')})",
            "timestamp_ns": micros,
            "timestamptz_ns": f"timezone('UTC', {micros})",
            "timestamp_ms": f"CAST({name} AS TIMESTAMP)",
            "timestamp_s": f"CAST({name} AS TIMESTAMP)",
        }.get(native_type.id)
        if converted is None and schema[column] == nw.Unknown:
            unreadable[column] = str(native_type)
        changed = changed or converted is not None
        parts.append(name if converted is None else f"{converted} AS {name}")
    if not changed:
        return frame, unreadable
    return nw.from_native(relation.project(", ".join(parts))), unreadable


def _spark_types(nw: Any, frame: Any, kinds: Mapping[str, str]) -> Any:
    """``frame`` (a Spark DataFrame) with its columns of nulls (``void``) typed as the kind read."""
    native = frame.to_native()
    types = dict(native.dtypes)
    empty = [column for column in kinds if types.get(column) == "void"]
    if not empty:
        return frame
    functions = importlib.import_module("pyspark.sql.functions")
    for column in empty:
        kind = kinds[column]
        empty_type = "TIMESTAMP" if kind == TIME else _EMPTY_SQL.get(kind, "STRING")
        native = native.withColumn(column, functions.lit(None).cast(empty_type))
    return nw.from_native(native)


def quoted(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _null_type(pa: Any, kind: str) -> Any:
    """The Arrow type of a column of ``kind`` that holds no value."""
    if kind == MONEY:
        return pa.decimal128(_EMPTY_MONEY_DIGITS, 0)
    if kind == TIME:
        return pa.timestamp("us", tz="UTC")
    if kind == DATE:
        return pa.date32()
    if kind == FLAG:
        return pa.bool_()
    if kind == COUNT:
        return pa.int64()
    return pa.string()


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
    """Whether ``dtype`` is a datetime without a zone."""
    return getattr(dtype, "time_zone", "") is None


def _float_money(scale: Any, rounding: Any) -> tuple[int, str] | None:
    """``(scale, rounding)`` of the float opt-in, both given and valid, or None."""
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
    if dtype == nw.Unknown:  # a column of Arrow's or polars' null type: no value at all
        return column.cast(_EMPTY[kind](nw))
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
    elif kind == DATE:
        if dtype == nw.Date:
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
            return column  # placed in ``zone`` by _place_naive, once selected
    elif kind == MONEY:
        if isinstance(dtype, nw.Decimal):
            return column
        if dtype.is_integer():
            return column.cast(nw.Decimal(DECIMAL_DIGITS, 0))
        if dtype.is_float():
            if money is None:
                raise InvalidType(place, f"{dtype}", _EXPECTED[MONEY])
            return _rounded_float(nw, column, money[0])
    raise InvalidType(place, f"{dtype}", _EXPECTED[kind])


def _rounded_float(nw: Any, column: Any, scale: int) -> Any:
    """A float money column rounded half up to ``scale`` places, as a decimal, in the engine.

    The float64 product ``x * 10**scale`` plus a half, floored, is an integer
    every engine computes alike (a plain cast to decimal rounds differently
    per engine). A NaN is a missing value; :func:`_refuse_unroundable` has
    refused the values whose product an Int64 can't hold.
    """
    value = _not_nan(nw, column)
    # Missing values are filled first only because pandas cannot cast a NaN
    # to an integer, even where the result is not kept.
    whole = ((value.fill_null(0.0) * (10**scale) + 0.5).floor()).cast(nw.Int64)
    rounded = (
        whole.cast(nw.Decimal(_INT64_DIGITS, 0))
        * nw.lit(Decimal(1).scaleb(-scale), nw.Decimal(scale + 1, scale))
    ).cast(nw.Decimal(DECIMAL_DIGITS, scale))
    return nw.when(~value.is_null()).then(rounded)


def _not_nan(nw: Any, column: Any) -> Any:
    """A float column with NaN read as a missing value (as a DataFrame's gap is in records)."""
    return nw.when(~column.is_nan()).then(column)


def audit(bound: Bound, checks: list[tuple[Any, Any]], *, frame: Any = None) -> dict[str, Any]:
    """One aggregate query over the bound table (or ``frame``, derived from it):
    ``checks`` are ``(alias, expression)``."""
    if not checks:
        return {}
    source = bound.frame if frame is None else frame
    (row,) = bound.collect(source.select(*(check.alias(alias) for alias, check in checks)))
    return row


def count_where(nw: Any, condition: Any) -> Any:
    """An aggregate: the rows where ``condition`` is true (Spark's ANSI mode sums no booleans)."""
    return nw.when(condition).then(1).otherwise(0).sum()


def null_checks(nw: Any, names: Collection[str]) -> list[tuple[str, Any]]:
    """Audit checks counting the missing values of each column of ``names`` (``name__nulls``)."""
    return [(f"{name}__nulls", count_where(nw, nw.col(name).is_null())) for name in names]


def refuse_nulls(bound: Bound, found: Mapping[str, Any], names: Collection[str]) -> None:
    """Refuse the first column of ``names`` the audit ``found`` missing values in, naming it."""
    for name in names:
        nulls = whole(found.get(f"{name}__nulls"))
        if nulls:
            raise InvalidField(
                bound.field(name), None, f"a value in every row ({nulls:,} rows have none)"
            )


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
    """An engine's count as an int (DuckDB may return a Decimal, pandas a numpy int;
    a sum over no rows may be None, or pandas' NA)."""
    return int(value) if found_value(value) else 0


def instant(value: Any) -> datetime:
    """An engine's timestamp as an aware datetime in UTC (pandas gives a Timestamp)."""
    if not isinstance(value, datetime):
        raise InvalidType("table", value, "a timestamp")  # pragma: no cover - engine contract
    moment: datetime = (
        value.to_pydatetime() if hasattr(value, "to_pydatetime") else value  # pandas Timestamp
    )
    if moment.tzinfo is None:  # DuckDB's, handed over as UTC wall times (Bound.collect)
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def decimal(value: Any) -> Decimal:
    """An engine's decimal sum as a Decimal (exact; an int for a sum of integers; a sum over
    no rows, None or pandas' NA, is 0)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(int(value)) if found_value(value) else Decimal(0)


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


def tables_only(given: Mapping[str, Any]) -> None:
    """Refuse the rows-only arguments ``given`` (``{"progress": ...}``) when a table was given."""
    for name, value in given.items():
        if value is not None:
            raise InvalidField(
                name, value, "None: a table is computed inside its engine, not read row by row"
            )


def found_value(value: Any) -> bool:
    """Whether an engine's aggregate holds a value: not None, NaN, NaT or pandas' NA."""
    if value is None:
        return False
    try:
        return bool(value == value)
    except TypeError:  # pandas' NA refuses to be a bool
        return False
