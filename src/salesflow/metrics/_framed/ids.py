"""Distinct ids on Series or tables: conversion_rate(variant="distinct_ids") in the engine.

``visitors`` and ``converted`` are each a Series, a one-column table or a
table's ``person_id`` column (see :func:`one_column`), or plain ids as the
records path reads them. Distinct ids are counted in the engine; a converted
id is looked up among the visitors there too: an anti-join when both are in
the engine, an ``is_in`` on the plain ids when one side is plain. As in the
records, ids are used exactly as given: 1 and "1" are two people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from salesflow.errors import InvalidField
from salesflow.metrics._framed.columns import count_where, one_column, series
from salesflow.metrics._read.fields import Id
from salesflow.metrics._read.frames import ID, Bound, audit, table, whole

_FEATURE: Final = "conversion_rate on a table"
_INSTEAD: Final = (
    "this Series is indexed by something other than 0, 1, 2, ..., so it could be ids per "
    "key or counts per id: pass .reset_index(drop=True) or list(ids) of the ids themselves"
)
_NOT_A_VISITOR: Final = "the id of one of {place}: a visitor converts"

Reader = Callable[[str, Any], dict[Id, int]]
"""The records path's reader of plain ids: each distinct id and the index where it first occurs."""


def framed_distinct_ids(
    visitors: Any, converted: Any, *, columns: Any, read_ids: Reader
) -> tuple[int, int]:
    """``(distinct converted ids, distinct visitor ids)``; one side at least is in an engine.

    A side given as plain ids is read by ``read_ids`` (the records' rules).
    Refuses a missing or empty id naming the column, two engines (or two
    DuckDB connections), and a converted id that is not among the visitors
    (it belongs to another period or site).
    """
    people = _side("visitors", visitors, columns, read_ids)
    buyers = _side("converted", converted, columns, read_ids)
    if isinstance(people, dict):
        assert not isinstance(buyers, dict)
        bound, place = buyers
        count = _distinct_ids(bound, place)
        if count:
            _refuse_strangers(bound, place, people)
        return count, len(people)
    visitors_bound, visitors_at = people
    count = _distinct_ids(visitors_bound, visitors_at)
    if isinstance(buyers, dict):
        _refuse_plain_strangers(visitors_bound, visitors_at, buyers)
        return len(buyers), count
    bound, place = buyers
    if bound.backend != visitors_bound.backend:
        raise InvalidField(
            "converted",
            type(converted).__name__,
            f"ids of the same engine as visitors ({visitors_bound.backend}), "
            "so the engine compares them",
        )
    buyers_count = _distinct_ids(bound, place)
    if buyers_count:
        _refuse_joined_strangers(visitors_bound, visitors_at, bound, place, converted)
    return buyers_count, count


def _side(
    argument: str, value: Any, columns: Any, read_ids: Reader
) -> tuple[Bound, str] | dict[Id, int]:
    if table(value) or series(value):
        return one_column(
            argument,
            value,
            name="person_id",
            kind=ID,
            columns=columns,
            expected="an iterable of person ids (strings or ints)",
            instead=_INSTEAD,
            feature=_FEATURE,
        )
    return read_ids(argument, value)


def _text(bound: Bound) -> bool:
    return bool(bound.frame.collect_schema()["person_id"] == bound.nw.String)


def _distinct_ids(bound: Bound, place: str) -> int:
    """The distinct ids of a bound id column; a missing or empty id is refused at ``place``."""
    nw = bound.nw
    ids = nw.col("person_id")
    checks: list[tuple[str, Any]] = [
        ("nulls", count_where(nw, ids.is_null())),
        ("distinct", ids.n_unique()),
    ]
    if _text(bound):
        checks.append(("empty", count_where(nw, ids == "")))
    found = audit(bound, checks)
    missing = whole(found["nulls"])
    if missing:
        raise InvalidField(place, None, f"an id in every row ({missing:,} rows have none)")
    if whole(found.get("empty")):
        raise InvalidField(place, "", "a non-empty string or an int in every row")
    return whole(found["distinct"])


def _refuse_plain_strangers(visitors: Bound, place: str, buyers: dict[Id, int]) -> None:
    """The first plain converted id (by index) that is not among the visitors' column, refused."""
    nw = visitors.nw
    text = _text(visitors)
    candidates = [person for person in buyers if isinstance(person, str) == text]
    found: set[Id] = set()
    if candidates:
        query = visitors.frame.filter(nw.col("person_id").is_in(candidates)).unique(["person_id"])
        found = {
            str(row["person_id"]) if text else whole(row["person_id"])
            for row in visitors.collect(query)
        }
    for person, index in buyers.items():
        if person not in found:
            raise InvalidField(f"converted[{index}]", person, _NOT_A_VISITOR.format(place=place))


def _refuse_strangers(buyers: Bound, place: str, visitors: dict[Id, int]) -> None:
    """A converted id in the column that is not among the plain visitor ids, refused."""
    nw = buyers.nw
    text = _text(buyers)
    known = [person for person in visitors if isinstance(person, str) == text]
    strangers = buyers.frame
    if known:
        strangers = strangers.filter(~nw.col("person_id").is_in(known))
    (found,) = buyers.collect(strangers.select(nw.len().alias("ids"), nw.col("person_id").min()))
    if whole(found["ids"]):
        raise InvalidField(place, found["person_id"], _NOT_A_VISITOR.format(place="visitors"))


def _refuse_joined_strangers(
    visitors: Bound, visitors_at: str, buyers: Bound, place: str, converted: Any
) -> None:
    """A converted id not among the visitors, both columns in one engine: an anti-join."""
    nw = visitors.nw
    visitor_ids, buyer_ids = visitors.frame, buyers.frame
    if _text(visitors) != _text(buyers):  # strings and integers: 1 is not "1"
        (row,) = buyers.collect(buyer_ids.select(nw.col("person_id").min()))
        raise InvalidField(place, row["person_id"], _NOT_A_VISITOR.format(place=visitors_at))
    if not _text(visitors):  # integers of any width
        visitor_ids = visitor_ids.with_columns(nw.col("person_id").cast(nw.Int64))
        buyer_ids = buyer_ids.with_columns(nw.col("person_id").cast(nw.Int64))
    if buyers.lazy != visitors.lazy:
        visitor_ids, buyer_ids = visitor_ids.lazy(), buyer_ids.lazy()
    try:
        strangers = (
            buyer_ids.unique(["person_id"])
            .join(visitor_ids.unique(["person_id"]), on="person_id", how="anti")
            .select(nw.len().alias("ids"), nw.col("person_id").min())
        )
        (found,) = buyers.collect(strangers)
    except Exception as error:  # the engine's own error type, imported by the caller only
        if "different connections" not in str(error):
            raise
        raise InvalidField(
            "converted",
            type(converted).__name__,
            "a relation of the same DuckDB connection as visitors, so the two can be joined",
        ) from None
    if whole(found["ids"]):
        raise InvalidField(place, found["person_id"], _NOT_A_VISITOR.format(place=visitors_at))
