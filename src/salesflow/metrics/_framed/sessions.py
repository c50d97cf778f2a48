"""site_engagement on a table: page views in, the session and page figures found in the engine.

The columns and rules are the records path's (metrics/_read/sessions.py,
docs/metrics.md "Engagement"): session_id, page and at are read; converted
(a missing value is False) and left_at (a missing value: the page's time is
unknown) may be absent. Times are compared as UTC epoch microseconds, so
durations are exact integers on every engine. Three queries leave the
engine: the audit, the session figures and the views and exits per page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from salesflow.errors import InvalidField
from salesflow.metrics._framed.columns import count_where
from salesflow.metrics._read.frames import (
    FLAG,
    ID,
    TEXT,
    TIME,
    audit,
    bind,
    epoch_microseconds,
    found_value,
    instant,
    whole,
)

_FEATURE: Final = "site_engagement on a table"
_READS: Final = {
    "session_id": ID,
    "page": TEXT,
    "at": TIME,
    "converted": FLAG,
    "left_at": TIME,
}
# Durations are summed as 64-bit integers of microseconds (about 292,000 years).
_MOST_MICROSECONDS: Final = 2**62
_MICROSECOND: Final = timedelta(microseconds=1)


class SiteFigures:
    """The session figures and the views and exits per page, as the records fold gives them."""

    __slots__ = ("converted", "engaged", "exits", "sessions", "single", "total", "views")

    def __init__(
        self,
        *,
        sessions: int,
        single: int,
        engaged: int,
        converted: int,
        total: timedelta,
        views: dict[str, int],
        exits: dict[str, int],
    ) -> None:
        self.sessions = sessions
        self.single = single
        self.engaged = engaged
        self.converted = converted
        self.total = total
        self.views = views
        self.exits = exits


def framed_site(rows: Any, *, threshold: timedelta, columns: Any, naive_zone: Any) -> SiteFigures:
    """The figures of the page-view table ``rows``, computed in its engine.

    Per session: the first view, the end (the latest ``left_at``, or view
    time where ``left_at`` is missing), views, conversion; a session is
    engaged with two views or more, a conversion or a duration of at least
    ``threshold``. The exit page is the page of the latest view; among
    views at that instant, the page that sorts last. Refuses, naming the
    column, a missing or empty session id or page, a missing time and a
    ``left_at`` before the row's ``at``.
    """
    bound = bind(
        "rows",
        rows,
        reads=_READS,
        optional=("converted", "left_at"),
        columns=columns,
        naive_zone=naive_zone,
        feature=_FEATURE,
    )
    nw = bound.nw
    col = nw.col
    _audit(bound)
    frame = bound.frame
    ended = col("left_at").fill_null(col("at")) if bound.has("left_at") else col("at")
    conversion = (
        nw.when(col("converted")).then(1).otherwise(0) if bound.has("converted") else nw.lit(0)
    )
    frame = frame.select("session_id", "page", "at", ended.alias("ended"), conversion.alias("conv"))
    frame = epoch_microseconds(nw, frame, "at", "us")
    frame = epoch_microseconds(nw, frame, "ended", "end_us")
    views = frame.select("session_id", "page", "us", "end_us", "conv")
    sessions = views.group_by("session_id").agg(
        col("us").min().alias("first"),
        col("end_us").max().alias("end"),
        nw.len().alias("views"),
        col("conv").max().alias("converted"),
    )
    duration = col("end") - col("first")
    sessions = sessions.with_columns(duration.alias("duration"))
    engaged = (
        (col("views") > 1) | (col("converted") > 0) | (col("duration") >= threshold // _MICROSECOND)
    )
    staged = sessions.with_columns(
        nw.when(col("views") == 1).then(1).otherwise(0).alias("single"),
        nw.when(engaged).then(1).otherwise(0).alias("engaged"),
        col("duration").cast(nw.Float64).alias("size"),
    )
    figures = staged.select(
        nw.len().alias("sessions"),
        col("views").sum().alias("page_views"),
        col("single").sum(),
        col("engaged").sum(),
        col("converted").sum(),
        col("duration").sum(),
        col("size").sum(),
    )
    (found,) = bound.collect(figures)
    size = found["size"]
    if found_value(size) and size >= _MOST_MICROSECONDS:
        raise InvalidField(
            bound.field("at"),
            f"session durations summing to about {size / 1e6 / 86_400 / 365.25:,.0f} years",
            "durations whose sum fits 64-bit microseconds on the frame path "
            "(pass the rows as records)",
        )
    last = views.filter(col("us") == col("us").max().over("session_id"))
    exits = (
        last.group_by("session_id")
        .agg(col("page").max())
        .group_by("page")
        .agg(nw.len().alias("exits"))
    )
    per_page = views.group_by("page").agg(nw.len().alias("views"))
    page_views: dict[str, int] = {}
    page_exits: dict[str, int] = {}
    for row in bound.collect(per_page.join(exits, on="page", how="left")):
        page = str(row["page"])
        page_views[page] = whole(row["views"])
        if found_value(row["exits"]):
            page_exits[page] = whole(row["exits"])
    return SiteFigures(
        sessions=whole(found["sessions"]),
        single=whole(found["single"]),
        engaged=whole(found["engaged"]),
        converted=whole(found["converted"]),
        total=timedelta(microseconds=whole(found["duration"])),
        views=page_views,
        exits=page_exits,
    )


def _audit(bound: Any) -> None:
    nw = bound.nw
    col = nw.col
    schema = bound.frame.collect_schema()
    checks: list[tuple[str, Any]] = [
        (f"{name}__nulls", count_where(nw, col(name).is_null()))
        for name in ("session_id", "page", "at")
    ]
    checks.append(("page__empty", count_where(nw, col("page") == "")))
    if schema["session_id"] == nw.String:
        checks.append(("session_id__empty", count_where(nw, col("session_id") == "")))
    if bound.has("left_at"):
        early = col("left_at") < col("at")
        checks.append(("left_at__early", nw.when(early).then(col("left_at")).min()))
    found = audit(bound, checks)
    for name in ("session_id", "page", "at"):
        missing = whole(found[f"{name}__nulls"])
        if missing:
            raise InvalidField(
                bound.field(name), None, f"a value in every row ({missing:,} rows have none)"
            )
    for name in ("session_id", "page"):
        if whole(found.get(f"{name}__empty")):
            raise InvalidField(bound.field(name), "", "a non-empty string in every row")
    if found_value(found.get("left_at__early")):
        raise InvalidField(
            bound.field("left_at"),
            instant(found["left_at__early"]),
            "None or a moment not before the row's at",
        )
