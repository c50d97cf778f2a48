"""email_engagement on a table: one message per row, the counts per kind found in the engine.

The columns and rules are the records path's (metrics/_read/emails.py,
docs/metrics.md "Email open, click and click-to-open rates"): message_id,
kind and delivered_at are read (delivered_at may be missing in a row: the
message was not delivered), opened_at and clicked_at may be absent
altogether. One audit query refuses what a record is refused for, naming the
caller's column; one ``group_by(kind)`` gives the five counts per kind.
"""

from __future__ import annotations

from typing import Any, Final

from salesflow.errors import InvalidField
from salesflow.metrics._framed.columns import count_where
from salesflow.metrics._read.frames import ID, TEXT, TIME, audit, bind, found_value, instant, whole

_FEATURE: Final = "email_engagement on a table"
_READS: Final = {
    "message_id": ID,
    "kind": TEXT,
    "delivered_at": TIME,
    "opened_at": TIME,
    "clicked_at": TIME,
}
_COUNTS: Final = ("delivered", "opened", "clicked", "undelivered", "clicked_unopened")


def framed_mail_counts(rows: Any, *, columns: Any, naive_zone: Any) -> dict[str, list[int]]:
    """``{kind: [delivered, opened, clicked, undelivered, clicked unopened]}`` of the table ``rows``.

    A click without a recorded open counts as an open; an undelivered
    message counts in ``undelivered`` only. Refuses, naming the column, a
    missing or empty message id or kind, an open or click on an undelivered
    message, and one before its delivery.
    """
    bound = bind(
        "rows",
        rows,
        reads=_READS,
        optional=("opened_at", "clicked_at"),
        columns=columns,
        naive_zone=naive_zone,
        feature=_FEATURE,
    )
    nw = bound.nw
    col = nw.col
    schema = bound.frame.collect_schema()
    delivered = col("delivered_at")
    checks: list[tuple[str, Any]] = [
        ("message_id__nulls", count_where(nw, col("message_id").is_null())),
        ("kind__nulls", count_where(nw, col("kind").is_null())),
        ("kind__empty", count_where(nw, col("kind") == "")),
    ]
    if schema["message_id"] == nw.String:
        checks.append(("message_id__empty", count_where(nw, col("message_id") == "")))
    moments = [name for name in ("opened_at", "clicked_at") if bound.has(name)]
    for name in moments:
        moment = col(name)
        undelivered = ~moment.is_null() & delivered.is_null()
        checks.append((f"{name}__undelivered", nw.when(undelivered).then(moment).min()))
        checks.append((f"{name}__early", nw.when(moment < delivered).then(moment).min()))
    found = audit(bound, checks)
    for name in ("message_id", "kind"):
        missing = whole(found[f"{name}__nulls"])
        if missing:
            raise InvalidField(
                bound.field(name), None, f"a value in every row ({missing:,} rows have none)"
            )
        if whole(found.get(f"{name}__empty")):
            expected = "a non-empty string or an int" if name == "message_id" else "a kind"
            raise InvalidField(bound.field(name), "", f"{expected} in every row (not '')")
    for name in moments:
        if found_value(found[f"{name}__undelivered"]):
            raise InvalidField(
                bound.field(name),
                instant(found[f"{name}__undelivered"]),
                "None where the message was not delivered (delivered_at is None)",
            )
        if found_value(found[f"{name}__early"]):
            raise InvalidField(
                bound.field(name),
                instant(found[f"{name}__early"]),
                "a moment not before the row's delivered_at",
            )
    was_delivered = ~delivered.is_null()
    opened = ~col("opened_at").is_null() if bound.has("opened_at") else nw.lit(False)
    clicked = ~col("clicked_at").is_null() if bound.has("clicked_at") else nw.lit(False)
    flags = {
        "delivered": was_delivered,
        "opened": was_delivered & (opened | clicked),
        "clicked": was_delivered & clicked,
        "undelivered": ~was_delivered,
        "clicked_unopened": was_delivered & clicked & ~opened,
    }
    staged = bound.frame.select(
        col("kind"),
        *(nw.when(flag).then(1).otherwise(0).alias(name) for name, flag in flags.items()),
    )
    per_kind = staged.group_by("kind").agg(*(col(name).sum() for name in _COUNTS))
    return {
        str(row["kind"]): [whole(row[name]) for name in _COUNTS] for row in bound.collect(per_kind)
    }
