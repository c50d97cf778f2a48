"""Site engagement from page views: bounces, engagement, pages per session, time on site, exits.

One pass over page-view records gives :class:`SiteEngagement`, whose
properties are the explained rates; the record keys and the rules are on
docs/metrics.md, "Engagement".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, ClassVar, Final

import attrs

from salesflow._frames_out import Columns, records_to_frame
from salesflow._jsonform import duration_text
from salesflow._results import OnEmpty, Ratio, Score, check_on_empty, settle
from salesflow._tables import html_table, html_tables
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._figures import at_most, name_field
from salesflow.metrics._framed.sessions import framed_site
from salesflow.metrics._read.fields import count_attribute
from salesflow.metrics._read.frames import rows_only, table
from salesflow.metrics._read.sessions import SessionId, page_views

__all__ = ["DEFAULT_ENGAGED_AFTER", "PageStats", "SiteEngagement", "site_engagement"]

DEFAULT_ENGAGED_AFTER: Final = timedelta(seconds=10)
"""GA4's default: a session of at least 10 seconds is engaged."""


# -- the page-view fold ---------------------------------------------------------------

_FIRST, _LAST, _EXIT, _VIEWS, _CONVERTED, _END = range(6)


def _fold_views(
    rows: Any,
) -> tuple[dict[SessionId, list[Any]], dict[str, int]]:
    """One pass: per session [first at, last at, exit page, views, converted, end], views per page.

    The exit page is the page of the session's latest view; among views at
    that same instant, the one whose page sorts last (so row order never
    matters).
    """
    sessions: dict[SessionId, list[Any]] = {}
    views: dict[str, int] = {}
    lookup, count = sessions.get, views.get
    for session, page, at, converted, left in page_views(rows):
        views[page] = count(page, 0) + 1
        end = at if left is None or left < at else left
        state = lookup(session)
        if state is None:
            sessions[session] = [at, at, page, 1, converted, end]
            continue
        state[_VIEWS] += 1
        if at < state[_FIRST]:
            state[_FIRST] = at
        if at > state[_LAST]:
            state[_LAST] = at
            state[_EXIT] = page
        elif at == state[_LAST] and page > state[_EXIT]:
            state[_EXIT] = page
        if converted:
            state[_CONVERTED] = True
        if end > state[_END]:
            state[_END] = end
    return sessions, views


# -- results ----------------------------------------------------------------------------


def _duration_field(instance: Any, attribute: Any, value: Any) -> None:
    context = type(instance).__name__
    if not isinstance(value, timedelta):
        raise InvalidType(attribute.name, value, "a timedelta of at least 0", context=context)
    if value < timedelta(0):
        raise InvalidField(attribute.name, value, "a timedelta of at least 0", context=context)


def _threshold(value: Any) -> timedelta:
    expected = "a positive timedelta (GA4's default is 10 seconds)"
    if not isinstance(value, timedelta):
        raise InvalidType("engaged_after", value, expected)
    if value <= timedelta(0):
        raise InvalidField("engaged_after", value, expected)
    return value


def _seconds(value: timedelta) -> Decimal:
    """``value`` in seconds, exactly, written plainly (``10``, ``2.5``)."""
    microseconds = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    whole, rest = divmod(microseconds, 1_000_000)
    return Decimal(whole) if not rest else Decimal(microseconds).scaleb(-6).normalize()


@attrs.frozen
class PageStats:
    """One page: how often it was viewed, and how many sessions ended on it."""

    page: str = attrs.field(validator=name_field)
    views: int = attrs.field(validator=count_attribute)
    exits: int = attrs.field(validator=count_attribute)

    def __attrs_post_init__(self) -> None:
        at_most(self, "exits", self.exits, "views", self.views)

    @property
    def exit_rate(self) -> Ratio:
        """``exits from the page / page views of the page``."""
        return Ratio(
            f"exit rate of {self.page}",
            self.exits,
            self.views,
            variant="exits / page views",
            formula="sessions that ended on the page / page views of the page",
            inputs=(("exits", self.exits), ("page views", self.views)),
            denominator_name="page views of the page",
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives: the page, its views and exits, and for readers its
        exit rate as a decimal string (null with no views).

        A row of :meth:`SiteEngagement.to_records` written as JSON; the schema is
        ``salesflow.schemas.schema("metric.page_stats")``.
        """
        rate = self.exit_rate.value
        return {
            "page": self.page,
            "views": self.views,
            "exits": self.exits,
            "exit_rate": None if rate is None else str(rate),
        }


def _pages_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple) or not all(isinstance(page, PageStats) for page in value):
        raise InvalidType(
            attribute.name, value, "a tuple of PageStats", context=type(instance).__name__
        )


@attrs.frozen(repr=False)
class SiteEngagement:
    """Session figures from page views: bounces, engagement, pages, time and exits.

    ``sessions`` and ``page_views`` are counted from the records;
    ``single_page_sessions`` had one page view; ``engaged_sessions`` lasted
    at least ``engaged_after``, had two page views or more, or a conversion
    (GA4's rule); ``converted_sessions`` had a conversion;
    ``total_duration`` sums the session durations (the last-page rule is on
    docs/metrics.md); ``pages`` gives views and exits per page, sorted by
    page. The properties are explained results.

    Refuses negative counts, more single-page, engaged or converted sessions
    than sessions, fewer page views than sessions, and exits that do not add
    up to the sessions.
    """

    COLUMNS: ClassVar[Columns] = (
        ("page", "text"),
        ("views", "int"),
        ("exits", "int"),
        ("exit_rate", "decimal"),
    )
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

    RATES: ClassVar[tuple[str, ...]] = (
        "bounce_rate",
        "engaged_bounce_rate",
        "engagement_rate",
        "pages_per_session",
        "time_on_site",
    )
    """The explained results whose values :meth:`to_dict` writes, in order."""

    sessions: int = attrs.field(validator=count_attribute)
    page_views: int = attrs.field(validator=count_attribute)
    single_page_sessions: int = attrs.field(validator=count_attribute)
    engaged_sessions: int = attrs.field(validator=count_attribute)
    converted_sessions: int = attrs.field(validator=count_attribute)
    total_duration: timedelta = attrs.field(validator=_duration_field)
    engaged_after: timedelta = attrs.field(converter=_threshold)
    pages: tuple[PageStats, ...] = attrs.field(validator=_pages_field)

    def __attrs_post_init__(self) -> None:
        for name in ("single_page_sessions", "engaged_sessions", "converted_sessions"):
            at_most(self, name, getattr(self, name), "sessions", self.sessions)
        if self.page_views < self.sessions:
            raise InvalidField(
                "page_views",
                self.page_views,
                f"at least sessions ({self.sessions}): every session has a page view",
                context="SiteEngagement",
            )
        exits = sum(page.exits for page in self.pages)
        if exits != self.sessions:
            raise InvalidField(
                "pages",
                len(self.pages),
                f"exits adding up to sessions ({self.sessions}), not {exits}",
                context="SiteEngagement",
            )
        views = sum(page.views for page in self.pages)
        if views != self.page_views:
            raise InvalidField(
                "pages",
                len(self.pages),
                f"views adding up to page_views ({self.page_views}), not {views}",
                context="SiteEngagement",
            )

    @property
    def bounce_rate(self) -> Ratio:
        """Single-page sessions / sessions."""
        return Ratio(
            "bounce rate",
            self.single_page_sessions,
            self.sessions,
            variant="single-page sessions",
            formula="single-page sessions / sessions",
            inputs=(
                ("single-page sessions", self.single_page_sessions),
                ("sessions", self.sessions),
            ),
        )

    @property
    def engaged_bounce_rate(self) -> Ratio:
        """Sessions that were not engaged / sessions (GA4's bounce rate)."""
        return Ratio(
            "bounce rate",
            self.sessions - self.engaged_sessions,
            self.sessions,
            variant=f"not engaged: under {_seconds(self.engaged_after)} s, 1 page view, no conversion",
            formula="sessions not engaged / sessions",
            working=f"({self.sessions} - {self.engaged_sessions}) / {self.sessions}",
            inputs=(("engaged sessions", self.engaged_sessions), ("sessions", self.sessions)),
        )

    @property
    def engagement_rate(self) -> Ratio:
        """Engaged sessions / sessions: one minus the engaged-session bounce rate."""
        return Ratio(
            "engagement rate",
            self.engaged_sessions,
            self.sessions,
            variant=f"at least {_seconds(self.engaged_after)} s, 2+ page views or a conversion",
            formula="engaged sessions / sessions",
            inputs=(("engaged sessions", self.engaged_sessions), ("sessions", self.sessions)),
        )

    @property
    def pages_per_session(self) -> Score:
        """Page views / sessions."""
        return Score(
            "pages per session",
            self.page_views,
            self.sessions,
            variant="all sessions",
            formula="page views / sessions",
            inputs=(("page views", self.page_views), ("sessions", self.sessions)),
        )

    @property
    def time_on_site(self) -> Score:
        """Average session duration in seconds: sum of session durations / sessions."""
        seconds = _seconds(self.total_duration)
        return Score(
            "average time on site",
            seconds,
            self.sessions,
            variant="seconds; the last page counts only with left_at",
            formula="sum of session durations in seconds / sessions",
            inputs=(("total seconds", seconds), ("sessions", self.sessions)),
        )

    @property
    def exit_rates(self) -> dict[str, Ratio]:
        """The exit rate of every viewed page, by page."""
        return {page.page: page.exit_rate for page in self.pages}

    def page(self, name: str) -> PageStats:
        """The views and exits of page ``name``."""
        for page in self.pages:
            if page.page == name:
                return page
        raise InvalidField("name", name, "a page viewed in these records")

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives: ``kind``, the counts, the durations, the pages, the rates.

        The counts are whole numbers; ``total_duration`` and ``engaged_after``
        ISO 8601 durations (``"PT50S"``, the form ``Durations`` is written in);
        ``pages`` each page's :meth:`PageStats.to_dict`, in page order; then,
        for readers, the ``value`` of each rate as a decimal string (null when
        there were no sessions). The schema is
        ``salesflow.schemas.schema("metric.site_engagement")``.
        """
        return {
            "kind": "site_engagement",
            "sessions": self.sessions,
            "page_views": self.page_views,
            "single_page_sessions": self.single_page_sessions,
            "engaged_sessions": self.engaged_sessions,
            "converted_sessions": self.converted_sessions,
            "total_duration": duration_text(self.total_duration),
            "engaged_after": duration_text(self.engaged_after),
            "pages": [page.to_dict() for page in self.pages],
            **{name: _text(getattr(self, name).value) for name in self.RATES},
        }

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per page, in page order: page, views, exits and the exit rate as a
        Decimal share (None for a page without views)."""
        return [
            {
                "page": page.page,
                "views": page.views,
                "exits": page.exits,
                "exit_rate": page.exit_rate.value,
            }
            for page in self.pages
        ]

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The pages as a DataFrame of ``backend``: "pandas", "polars" or "pyarrow".

        One row per page, the columns of :meth:`to_records`, in order and typed. Decimals stay
        exact (a decimal128 column) unless ``money="float"`` makes them float64, inexact, for
        plotting, ``describe()`` and ``qcut``. Needs the library
        (:class:`~salesflow.errors.MissingExtra` names the extra to install); see docs/metrics.md
        ("In a notebook").
        """
        return records_to_frame(
            self.to_records(),
            columns=self.COLUMNS,
            backend=backend,
            money=money,
        )

    def format(self, places: int = 1, rounding: str = ROUND_HALF_EVEN) -> str:
        """The figures and the exit rate of each page as text (rounded only here)."""
        lines = [
            f"{self.sessions:,} sessions, {self.page_views:,} page views",
            f"bounce rate (single-page):   {self.bounce_rate.percent(places, rounding)}",
            f"bounce rate (not engaged):   {self.engaged_bounce_rate.percent(places, rounding)}",
            f"pages per session:           {_shown(self.pages_per_session, places, rounding)}",
            f"average time on site (s):    {_shown(self.time_on_site, places, rounding)}",
        ]
        if self.pages:
            width = max(len("page"), *(len(page.page) for page in self.pages))
            lines.append(f"{'page'.ljust(width)}  {'views':>9}  {'exits':>9}  {'exit rate':>9}")
            for page in self.pages:
                lines.append(
                    f"{page.page.ljust(width)}  {page.views:>9,}  {page.exits:>9,}  "
                    f"{page.exit_rate.percent(places, rounding):>9}"
                )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        figures = html_table(
            kind="site-figures",
            caption=f"{self.sessions:,} sessions, {self.page_views:,} page views",
            header=("figure", "value"),
            rows=[
                ("bounce rate (single-page)", self.bounce_rate.percent()),
                ("bounce rate (not engaged)", self.engaged_bounce_rate.percent()),
                ("pages per session", _shown(self.pages_per_session, 1, ROUND_HALF_EVEN)),
                ("average time on site (s)", _shown(self.time_on_site, 1, ROUND_HALF_EVEN)),
            ],
        )
        pages = html_table(
            kind="site-pages",
            caption="exit rate of each page",
            header=("page", "views", "exits", "exit rate"),
            rows=[
                (page.page, f"{page.views:,}", f"{page.exits:,}", page.exit_rate.percent())
                for page in self.pages
            ],
        )
        return html_tables("site-engagement", [figures, pages] if self.pages else [figures])

    def __repr__(self) -> str:
        return (
            f"<SiteEngagement {self.sessions:,} sessions, {self.page_views:,} page views, "
            f"bounce rate {self.bounce_rate.percent()}>"
        )


def _shown(score: Score, places: int, rounding: str) -> str:
    return score.text(places, rounding)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def site_engagement(
    rows: Iterable[Mapping[str, Any]] | Any,
    *,
    engaged_after: timedelta = DEFAULT_ENGAGED_AFTER,
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> SiteEngagement:
    """Every session figure from page views, in one pass: see :class:`SiteEngagement`.

    .bounce_rate             = single-page sessions / sessions
    .engaged_bounce_rate     = sessions not engaged / sessions (GA4's bounce rate)
    .engagement_rate         = engaged sessions / sessions
    .pages_per_session       = page views / sessions
    .time_on_site            = sum of session durations in seconds / sessions
    .exit_rates[page]        = sessions that ended on the page / its page views

    A session is engaged (GA4) when it lasted at least ``engaged_after``
    (10 seconds by default), had two page views or more, or had a
    conversion. Rows are page views (keys on docs/metrics.md), in
    any order; state is kept per session and per page, not per row. Refuses
    bad rows naming them, and an ``engaged_after`` that is not a positive
    timedelta. No page views give undefined results, or
    :class:`UndefinedMetric` with ``on_empty="raise"``.

    ``rows`` may be a table instead (pandas, polars, pyarrow, DuckDB, Spark,
    ...; the ``frames`` extra) with session_id, page and at columns and,
    optionally, converted (booleans; a missing value is False) and left_at
    (a missing value: the view's end is not known). Sessions and pages are
    found inside its engine (durations in exact microseconds) and the
    result is the same :class:`SiteEngagement`. ``columns`` maps salesflow's column names to
    the table's; ``naive_zone`` is the zone a naive time column was written
    in. Refusals name the column (``rows['left_at']``).

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> views = [
    ...     {"session_id": 1, "page": "/", "at": t, "left_at": t + timedelta(seconds=30)},
    ...     {"session_id": 2, "page": "/", "at": t},
    ...     {"session_id": 2, "page": "/cart", "at": t + timedelta(seconds=20)},
    ...     {"session_id": 3, "page": "/cart", "at": t},
    ... ]
    >>> site = site_engagement(views)
    >>> site.bounce_rate.fraction, site.engaged_bounce_rate.fraction
    (Fraction(2, 3), Fraction(1, 3))
    >>> site.time_on_site
    <Score average time on site (seconds; the last page counts only with left_at): 50 / 3 = 50/3 ≈ 16.66666667>
    """
    threshold = _threshold(engaged_after)
    check_on_empty(on_empty)
    if table(rows):
        figures = framed_site(rows, threshold=threshold, columns=columns, naive_zone=naive_zone)
        count, views, exits = figures.sessions, figures.views, figures.exits
        single, engaged, converted = figures.single, figures.engaged, figures.converted
        total = figures.total
    else:
        rows_only({"columns": columns, "naive_zone": naive_zone})
        sessions, views = _fold_views(rows)
        count = len(sessions)
        single = engaged = converted = 0
        total = timedelta(0)
        exits = {}
        for first, _last, exit_page, viewed, conversion, end in sessions.values():
            duration = end - first
            total += duration
            single += viewed == 1
            converted += conversion
            engaged += viewed > 1 or conversion or duration >= threshold
            exits[exit_page] = exits.get(exit_page, 0) + 1
    result = SiteEngagement(
        sessions=count,
        page_views=sum(views.values()),
        single_page_sessions=single,
        engaged_sessions=engaged,
        converted_sessions=converted,
        total_duration=total,
        engaged_after=threshold,
        pages=tuple(PageStats(page, views[page], exits.get(page, 0)) for page in sorted(views)),
    )
    settle(result.bounce_rate, on_empty)
    return result
