"""One column of values, from a Series or a table: survey scores, visitor ids (private).

A metric that reads plain values (``scores``, ``visitors``) takes them, on
the frame path, as a Series (pandas, polars, a pyarrow Array or
ChunkedArray), as a one-column table, or as the column of a wider table
named as salesflow names it (``score``, ``person_id``) or mapped with
``columns=``. The column is bound under that standard name, so the metric
computes the same way whatever it came as; refusals name the Series or the
caller's column.
"""

from __future__ import annotations

import importlib
from typing import Any, Final

from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.fields import renamed
from salesflow.metrics._read.frames import Bound, bind, narwhals

_SERIES_MODULES: Final = frozenset({"pandas", "polars", "pyarrow", "modin", "cudf"})


def series(value: Any) -> bool:
    """Whether ``value`` is a Series (pandas, polars, narwhals) or a pyarrow Array or ChunkedArray."""
    kind = type(value)
    root = kind.__module__.partition(".")[0]
    if root == "narwhals":
        return kind.__name__ == "Series"
    if root not in _SERIES_MODULES:
        return False
    if root == "pyarrow":
        return kind.__name__.endswith("Array")
    return kind.__name__ == "Series"


def count_where(nw: Any, condition: Any) -> Any:
    """An aggregate: the rows where ``condition`` is true (Spark's ANSI mode sums no booleans)."""
    return nw.when(condition).then(1).otherwise(0).sum()


def _positional(value: Any) -> bool:
    """Whether a pandas Series is indexed 0, 1, 2, ... (a DataFrame column as read)."""
    index = getattr(value, "index", None)
    if index is None:
        return True
    if type(index).__name__ == "RangeIndex":
        return bool(index.start == 0 and index.step == 1)
    pd = importlib.import_module("pandas")  # the caller's own: the Series is one of its
    return bool(index.equals(pd.RangeIndex(len(index))))


def one_column(
    argument: str,
    value: Any,
    *,
    name: str,
    kind: str,
    columns: Any,
    expected: str,
    instead: str,
    feature: str,
) -> tuple[Bound, str]:
    """``value`` (a Series or a table) bound as the one column ``name``, and its place.

    A Series is the column itself (``columns=`` is refused with it); its
    place is ``argument``, or ``argument['its name']`` when it has one. A
    pandas Series indexed other than 0, 1, 2, ... is refused as the records
    path refuses it: it could be values per key or counts per value
    (``expected`` and ``instead`` say so). A table gives the column ``name``,
    the one ``columns={name: ...}`` maps, or its only column.
    """
    nw = narwhals(feature)
    if series(value):
        if columns is not None:
            raise InvalidField(
                "columns",
                columns,
                f"None: {argument} is a Series, and the Series is the column read",
            )
        native = value
        if type(value).__module__.partition(".")[0] == "pyarrow":
            if type(value).__name__ != "ChunkedArray":
                native = importlib.import_module("pyarrow").chunked_array([value])
        elif type(value).__module__.partition(".")[0] == "pandas" and not _positional(value):
            raise InvalidType(argument, value, f"{expected} ({instead})")
        column = nw.from_native(native, series_only=True)
        label = column.name if isinstance(column.name, str) and column.name else None
        place = argument if label is None else f"{argument}[{label!r}]"
        frame = column.alias(name).to_frame().to_native()
        try:
            bound = bind(argument, frame, reads={name: kind}, feature=feature)
        except InvalidField as error:  # the type check, made on the Series itself
            raise renamed(error, place) from None
        return bound, place
    if columns is None:
        try:
            names = list(nw.from_native(value).collect_schema().names())
        except TypeError:
            raise InvalidType(argument, type(value).__name__, "a table narwhals reads") from None
        if len(names) == 1 and names[0] != name:
            columns = {name: names[0]}
    bound = bind(argument, value, reads={name: kind}, columns=columns, feature=feature)
    return bound, bound.field(name)
