"""Metric tables as DataFrames of the caller's library (private home of ``to_frame``).

A table with ``to_records()`` hands its rows and its typed columns here; pandas,
polars or pyarrow is imported only then, so salesflow never requires any of
them. Decimals stay exact in a decimal column unless floats are asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_EVEN, Context, Decimal
from types import ModuleType
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

import attrs

from salesflow.errors import InvalidField, InvalidType, MissingExtra

Kind = Literal[
    "id", "text", "int", "int_or_none", "flag", "decimal", "float", "duration", "instant"
]
"""What a column holds. ``id``: str or int ids (int64 when every id is an int,
else strings); ``text``: strings (labels, Period labels, codes); ``int``: counts,
never None; ``int_or_none``: counts that may be None; ``flag``: bools;
``decimal``: Decimals or None; ``float``: floats (probabilities, model times:
float64 whatever ``money`` says); ``duration``: timedeltas or None; ``instant``:
aware datetimes or None, shown in the table's zone."""

Columns = Sequence[tuple[str, Kind]]

BACKENDS: Final = ("pandas", "polars", "pyarrow")
MONEY: Final = ("decimal", "float")
DECIMAL_DIGITS: Final = 38
"""decimal128's precision, the widest decimal polars, pandas (Arrow) and pyarrow share."""

_ROUNDING: Final = Context(prec=DECIMAL_DIGITS + 2, rounding=ROUND_HALF_EVEN)
_EXTRA: Final = {"pandas": "pandas", "polars": "polars", "pyarrow": "pyarrow"}


def check_backend(value: Any) -> str:
    """``"pandas"``, ``"polars"`` or ``"pyarrow"``; anything else refused, naming ``backend``."""
    expected = "'pandas', 'polars' or 'pyarrow'"
    if not isinstance(value, str):
        raise InvalidType("backend", value, expected)
    if value not in BACKENDS:
        raise InvalidField("backend", value, expected)
    return value


def check_money(value: Any) -> str:
    """``"decimal"`` (exact) or ``"float"`` (inexact, for plotting); refused naming ``money``."""
    expected = "'decimal' (exact decimal columns) or 'float' (float64, inexact)"
    if not isinstance(value, str):
        raise InvalidType("money", value, expected)
    if value not in MONEY:
        raise InvalidField("money", value, expected)
    return value


@attrs.frozen
class _Typed:
    """One column ready for a backend: its values and physical type."""

    name: str
    values: list[Any]
    physical: str  # string, int, int_or_none, bool, float, decimal, duration, timestamp
    precision: int = 0
    scale: int = 0


def records_to_frame(
    records: Iterable[Mapping[str, Any]],
    *,
    columns: Columns,
    backend: Any,
    money: Any,
    zone: tzinfo | None = None,
) -> Any:
    """The rows ``records`` as a ``backend`` DataFrame with ``columns``, in that order.

    ``columns`` names every column with its :data:`Kind`, so an empty table
    still has its columns and their types. ``money="decimal"`` keeps Decimals
    exact as decimal128 (precision and scale from the values; a column whose
    values need more than 38 digits together is rounded half-even to the
    places that fit), ``money="float"`` makes them float64. ``zone`` is the
    zone of ``instant`` columns (UTC when None or when the backend cannot name
    it). Refuses an unknown ``backend`` or ``money``; a backend that is not
    installed raises :class:`~salesflow.errors.MissingExtra`.
    """
    backend = check_backend(backend)
    money = check_money(money)
    rows = list(records)
    typed = [_typed(name, kind, [row[name] for row in rows], money=money) for name, kind in columns]
    if backend == "pandas":
        return _pandas(typed, zone, money)
    if backend == "polars":
        return _polars(typed, zone)
    return _pyarrow(typed, zone)


# -- values to physical columns ----------------------------------------------------------------


def _typed(name: str, kind: Kind, values: list[Any], *, money: str) -> _Typed:
    if kind == "id":
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return _Typed(name, values, "int")
        return _Typed(name, [None if v is None else str(v) for v in values], "string")
    if kind == "text":
        return _Typed(name, values, "string")
    if kind == "flag":
        return _Typed(name, values, "bool")
    if kind == "float":
        return _Typed(name, [None if v is None else float(v) for v in values], "float")
    if kind in ("int", "int_or_none", "duration", "instant"):
        physical = {"duration": "duration", "instant": "timestamp"}.get(kind, kind)
        return _Typed(name, values, physical)
    if money == "float":
        return _Typed(name, [None if v is None else float(v) for v in values], "float")
    return _decimal_column(name, values)


def _decimal_column(name: str, values: list[Decimal | None]) -> _Typed:
    """Precision and scale to hold every value exactly, rounded where 38 digits can't."""
    whole, places = _digits(values)
    while whole + places > DECIMAL_DIGITS >= whole:
        # Rounding may carry into one more whole digit (9.99... to 10.0): then round again.
        step = Decimal(1).scaleb(whole - DECIMAL_DIGITS)
        values = [None if v is None else _ROUNDING.quantize(v, step) for v in values]
        whole, places = _digits(values)
    if whole > DECIMAL_DIGITS or whole + places > DECIMAL_DIGITS:
        too_big = max((v for v in values if v is not None), key=abs)
        raise InvalidField(
            name,
            too_big,
            f"a value below 10**{DECIMAL_DIGITS} for a decimal column; use money='float'",
        )
    return _Typed(name, values, "decimal", precision=max(1, whole + places), scale=places)


def _digits(values: list[Decimal | None]) -> tuple[int, int]:
    """The most digits before the point and after it over ``values`` (zero needs none before)."""
    present = [value for value in values if value is not None]
    if not present:
        return 0, 0
    places = max(0, -min(int(shape.exponent) for shape in map(Decimal.as_tuple, present)))
    biggest = max(map(Decimal.copy_abs, present))  # exact, unlike abs() in a context
    return (max(0, biggest.adjusted() + 1) if biggest else 0), places


# -- the libraries -----------------------------------------------------------------------------


def _library(package: str, backend: str, feature: str = "") -> ModuleType:
    try:
        return importlib.import_module(package)
    except ImportError as error:
        if error.name is not None and not error.name.startswith(package):
            raise  # installed but broken: its own error says what is missing
        raise MissingExtra(
            package, _EXTRA[backend], feature=feature or f"to_frame(backend={backend!r})"
        ) from error


def _zone_text(zone: tzinfo | None, *, polars: bool = False) -> str:
    """The zone as Arrow and polars name it; UTC for a zone they have no name for."""
    if isinstance(zone, ZoneInfo) and zone.key:
        return zone.key
    if isinstance(zone, timezone) and not polars:
        offset = zone.utcoffset(None)
        if offset and not offset % timedelta(minutes=1):
            sign = "-" if offset < timedelta(0) else "+"
            hours, minutes = divmod(abs(offset) // timedelta(minutes=1), 60)
            return f"{sign}{hours:02d}:{minutes:02d}"
    return "UTC"


def _pandas_zone(zone: tzinfo | None) -> tzinfo:
    if (isinstance(zone, ZoneInfo) and zone.key) or isinstance(zone, timezone):
        return zone
    return UTC


def _pandas(columns: list[_Typed], zone: tzinfo | None, money: str) -> Any:
    pd = _library("pandas", "pandas")
    pa = None
    if money == "decimal":
        pa = _library("pyarrow", "pandas", "to_frame(backend='pandas', money='decimal')")
    text = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
    series = {}
    for column in columns:
        dtype: Any
        if column.physical == "decimal":
            assert pa is not None  # only decimal money makes a decimal column
            dtype = pd.ArrowDtype(pa.decimal128(column.precision, column.scale))
        elif column.physical == "timestamp":
            dtype = pd.DatetimeTZDtype("us", _pandas_zone(zone))
        else:
            dtype = {
                "string": text,
                "int": "int64",
                "int_or_none": "Int64",
                "bool": "bool",
                "float": "float64",
                "duration": "timedelta64[us]",
            }[column.physical]
        series[column.name] = pd.Series(column.values, dtype=dtype, name=column.name)
    return pd.DataFrame(series, columns=[column.name for column in columns])


def _polars(columns: list[_Typed], zone: tzinfo | None) -> Any:
    pl = _library("polars", "polars")
    types = {
        "string": pl.String,
        "int": pl.Int64,
        "int_or_none": pl.Int64,
        "bool": pl.Boolean,
        "float": pl.Float64,
        "duration": pl.Duration("us"),
        "timestamp": pl.Datetime("us", _zone_text(zone, polars=True)),
    }
    series = [
        pl.Series(
            column.name,
            column.values,
            dtype=pl.Decimal(column.precision, column.scale)
            if column.physical == "decimal"
            else types[column.physical],
        )
        for column in columns
    ]
    return pl.DataFrame(series)


def _pyarrow(columns: list[_Typed], zone: tzinfo | None) -> Any:
    pa = _library("pyarrow", "pyarrow")
    types = {
        "string": pa.string(),
        "int": pa.int64(),
        "int_or_none": pa.int64(),
        "bool": pa.bool_(),
        "float": pa.float64(),
        "duration": pa.duration("us"),
        "timestamp": pa.timestamp("us", tz=_zone_text(zone)),
    }
    arrays = [
        pa.array(
            column.values,
            type=pa.decimal128(column.precision, column.scale)
            if column.physical == "decimal"
            else types[column.physical],
        )
        for column in columns
    ]
    return pa.Table.from_arrays(arrays, names=[column.name for column in columns])
