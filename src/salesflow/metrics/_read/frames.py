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
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any, Final

from salesflow import _check, _zones
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType, MissingExtra
from salesflow.metrics._read.engines import (
    epoch_days as epoch_days,
)
from salesflow.metrics._read.engines import (
    epoch_microseconds as epoch_microseconds,
)
from salesflow.metrics._read.engines import (
    local_days as local_days,
)
from salesflow.metrics._read.engines import (
    with_local_calendar as with_local_calendar,
)
from salesflow.metrics._read.engines import (
    with_month_of_days as with_month_of_days,
)
from salesflow.metrics._read.engines import (
    with_time_since as with_time_since,
)
from salesflow.metrics._read.engines import (
    within as within,
)
from salesflow.metrics._read.engines import (
    zone_offsets as zone_offsets,
)
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
# Every Int64 fits 19 digits; 19 + (scale + 1) + 1, the digits Arrow gives the
# product in _rounded_float, must stay within 38.
_INT64_DIGITS: Final = 19
_FLOAT_SCALE_LIMIT: Final = 17
# A money column with no value to infer a type from: narrow enough that Arrow,
# which widens a comparison to both sides' digits, stays within 38.
_EMPTY_MONEY_DIGITS: Final = 18
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
    MONEY: lambda nw: nw.Decimal(DECIMAL_DIGITS, 0),
    CODE: lambda nw: nw.String,
    TEXT: lambda nw: nw.String,
    FLAG: lambda nw: nw.Boolean,
    COUNT: lambda nw: nw.Int64,
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
    ``lazy`` says whether the caller's table was lazy; ``placed`` names the
    naive time columns read as wall times in ``naive_zone``.
    """

    __slots__ = ("_schema", "argument", "backend", "frame", "lazy", "nw", "placed", "source")

    def __init__(
        self,
        nw: Any,
        argument: str,
        frame: Any,
        source: dict[str, str | None],
        lazy: bool,
        placed: tuple[str, ...] = (),
    ) -> None:
        self.nw = nw
        self.argument = argument
        self.frame = frame
        self.source = source
        self.lazy = lazy
        self.placed = placed
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
    """
    nw = narwhals(feature)
    try:
        frame = nw.from_native(native)
    except TypeError:
        raise InvalidType(argument, native, "a table narwhals reads") from None
    lazy = isinstance(frame, nw.LazyFrame)
    schema = frame.collect_schema()  # asked once: a SQL engine answers with a query
    names = list(schema.names())
    mapped = _columns_argument(columns, {*reads, *mappable}, names)
    wanted = {mapped.get(name, name): kind for name, kind in reads.items()}
    converted = native_frame(nw, frame, native, {k: v for k, v in wanted.items() if k in names})
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
    if (
        zone is not None
        and not shared_zone
        and not any(
            reads[name] == TIME and _naive(schema[source[name]]) for name in source if source[name]
        )
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
    naive: list[str] = []
    if zone is not None:
        naive = [n for n in source if source[n] and reads[n] == TIME and _naive(schema[source[n]])]
        frame = place_naive(nw, frame, naive, zone)
    if not lazy and frame.implementation is nw.Implementation.POLARS:
        # One query planned as a whole, not a DataFrame materialised per step.
        frame = frame.lazy()
    return Bound(nw, argument, frame, source, lazy, tuple(naive))


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


def native_frame(nw: Any, frame: Any, native: Any, kinds: Mapping[str, str]) -> Any:
    """``frame``, with the pandas object columns read (``kinds``: column -> kind) typed.

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
    if type(native).__module__.partition(".")[0] != "pandas":
        return frame
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
    if dtype == nw.Unknown:  # a pandas column holding no value (see native_frame)
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
            return column  # placed in ``zone`` by place_naive, once selected
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
    per engine).
    """
    # A missing value stays missing; it is filled first only because pandas
    # cannot cast a NaN to an integer, even where the result is not kept.
    whole = ((column.fill_null(0.0) * (10**scale) + 0.5).floor()).cast(nw.Int64)
    rounded = (
        whole.cast(nw.Decimal(_INT64_DIGITS, 0))
        * nw.lit(Decimal(1).scaleb(-scale), nw.Decimal(scale + 1, scale))
    ).cast(nw.Decimal(DECIMAL_DIGITS, scale))
    return nw.when(~column.is_null()).then(rounded)


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
    if moment.tzinfo is None:  # pragma: no cover - the bound columns are aware
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def decimal(value: Any) -> Decimal:
    """An engine's decimal as a Decimal (exact; an int for a sum of integers)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(int(value)) if value is not None else Decimal(0)


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
