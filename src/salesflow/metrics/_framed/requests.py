"""order_status_request_share on a table: requests counted per topic inside the engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.frames import (
    TEXT,
    TIME,
    audit,
    bind,
    found_value,
    instant,
    whole,
    within,
)
from salesflow.metrics._read.scope import after_now
from salesflow.periods import Period

_FEATURE: Final = "order_status_request_share on a table"
# What Python's str.strip() strips (every character whose isspace() is True):
# a topic is read stripped on both paths.
_WHITESPACE: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def framed_requests(
    requests: Any,
    *,
    test: Callable[[str], Any],
    scope: Period | None,
    now: datetime | None,
    columns: Any,
    naive_zone: Any,
) -> tuple[int, int]:
    """``(requests in scope, of which about order status)`` of the table ``requests``.

    The requests are counted per topic (stripped of white space) inside the
    engine, and ``test`` is asked once per topic found: only the topics and
    their counts leave it. ``at`` is read with a period or ``now``.
    """
    timed = scope is not None or now is not None
    bound = bind(
        "requests",
        requests,
        reads={"topic": TEXT, **({"at": TIME} if timed else {})},
        mappable=("request_id", "topic", "at"),
        columns=columns,
        naive_zone=naive_zone,
        feature=_FEATURE,
    )
    nw = bound.nw
    topic = nw.col("topic").str.strip_chars(_WHITESPACE)
    checks: list[tuple[str, Any]] = [
        ("topic__nulls", nw.col("topic").is_null().cast(nw.Int64).sum()),
        ("topic__blank", (topic == "").cast(nw.Int64).sum()),
    ]
    if timed:
        checks += [
            ("at__nulls", nw.col("at").is_null().cast(nw.Int64).sum()),
            ("at__max", nw.col("at").max()),
        ]
    found = audit(bound, checks)
    for name in ("topic", "at"):
        nulls = whole(found.get(f"{name}__nulls"))
        if nulls:
            raise InvalidField(
                bound.field(name), None, f"a value in every row ({nulls:,} rows have none)"
            )
    if whole(found["topic__blank"]):
        raise InvalidField(bound.field("topic"), "", "a non-empty string in every row")
    if now is not None and found_value(found["at__max"]) and instant(found["at__max"]) > now:
        raise after_now(now, bound.field("at"), instant(found["at__max"]))
    rows = bound.frame
    if scope is not None:
        rows = within(nw, rows, "at", scope.start, scope.end)
    counts = rows.select(topic.alias("topic")).group_by("topic").agg(nw.len().alias("requests"))
    total = about = 0
    for row in sorted(bound.collect(counts), key=lambda row: str(row["topic"])):
        verdict = test(row["topic"])
        if not isinstance(verdict, bool):
            raise InvalidType(
                "topics", verdict, f"a predicate returning True or False (for {row['topic']!r})"
            )
        count = whole(row["requests"])
        total += count
        about += count if verdict else 0
    return total, about
