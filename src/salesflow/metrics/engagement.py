"""Engagement metrics: bounce, exits, pages per session, time on site, and email engagement.

Inputs are plain records with documented keys, so that
``df.to_dict("records")`` from pandas (``df.to_dicts()`` from polars) works
without either being a dependency. Each is read once, front to back, in any
order (shuffling the rows changes nothing); bad rows raise
:class:`~salesflow.errors.InvalidField` naming them: ``rows[12].at``.

**Page views** (bounce rate, exit rate, pages per session, time on site):

=========== ========= ===========================================================
key         required  value
=========== ========= ===========================================================
session_id  yes       a non-empty string or an int, used exactly as given
page        yes       a non-empty string (a path or a page name), exactly as given
at          yes       when the page was viewed: an aware datetime or an ISO 8601
                      string with an offset
converted   no        True when a conversion happened on this page view; None,
                      absent (or NaN) means no
left_at     no        when the visitor left this page, if the tracker knows it
                      (an end-of-session or page-hide event); not before ``at``;
                      None, absent (or NaT) means unknown
=========== ========= ===========================================================

A session's duration runs from its first page view to the latest of its page
views' ``at`` and ``left_at``. Without a ``left_at`` the last page has no
duration (nothing says when the visitor left: the classic analytics rule), so
a single-page session without one lasts 0 s.

**Email messages** (open rate, click rate, click-to-open rate):

============= ========= =========================================================
key           required  value
============= ========= =========================================================
message_id    yes       a non-empty string or an int
kind          yes       a non-empty string: the notification kind, such as an
                        :class:`~salesflow.orders.OrderStatus` (``"shipped"``,
                        the ``status`` of a salesflow.orders notification) or any
                        name of your own (``"newsletter"``)
delivered_at  yes       when it was delivered (aware), or None if it was not
opened_at     no        when it was first opened, or None / absent (not opened)
clicked_at    no        when a link was first clicked, or None / absent
============= ========= =========================================================

A click without a recorded open counts as an open (mail clients that block
images never report the open); opens and clicks on an undelivered message,
or before its delivery, are refused. Message ids are not de-duplicated (that
would mean holding every row): pass each message once.

>>> from datetime import datetime, timedelta, timezone
>>> from salesflow.metrics.engagement import bounce_rate, email_engagement
>>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
>>> views = [
...     {"session_id": "s1", "page": "/", "at": t},
...     {"session_id": "s1", "page": "/mugs", "at": t + timedelta(seconds=40)},
...     {"session_id": "s2", "page": "/", "at": t},
... ]
>>> bounce_rate(views)
<Ratio bounce rate (single-page sessions): 1 / 2 = 0.5>
>>> mails = [{"message_id": 1, "kind": "shipped", "delivered_at": t, "opened_at": t}]
>>> email_engagement(mails)["shipped"].open_rate.percent()
'100.0%'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum
from typing import Any, Final, Literal

import attrs

from salesflow import _check
from salesflow._results import OnEmpty, Ratio, Score, check_on_empty, settle
from salesflow.errors import InvalidField, InvalidType, UndefinedMetric
from salesflow.metrics._records import _absent, _identifier, _required, _utc, _where

__all__ = [
    "DEFAULT_ENGAGED_AFTER",
    "EmailReport",
    "EmailStats",
    "PageStats",
    "SiteEngagement",
    "average_time_on_site",
    "bounce_rate",
    "email_click_rate",
    "email_click_to_open_rate",
    "email_engagement",
    "email_open_rate",
    "exit_rates",
    "pages_per_session",
    "site_engagement",
]

SessionId = str | int

DEFAULT_ENGAGED_AFTER: Final = timedelta(seconds=10)
"""GA4's default: a session of at least 10 seconds is engaged."""

BounceVariant = Literal["single_page", "engaged"]

_VIEWS_EXPECTED: Final = (
    "a mapping with the keys session_id, page and at (from a DataFrame, pass df.to_dict('records'))"
)
_MAILS_EXPECTED: Final = (
    "a mapping with the keys message_id, kind and delivered_at "
    "(from a DataFrame, pass df.to_dict('records'))"
)
_ALL_KINDS: Final = "all kinds"


# -- reading records ------------------------------------------------------------------


def _rows(rows: Any, expected: str) -> Iterable[Any]:
    if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Iterable):
        raise InvalidType("rows", rows, f"an iterable of records: {expected}")
    return rows


def _flag(index: int, key: str, value: Any) -> bool:
    if _absent(value):
        return False
    if isinstance(value, bool):
        return value
    item = getattr(value, "item", None)  # a numpy bool from a DataFrame
    if callable(item) and type(value).__name__ == "bool_":
        return bool(item())
    raise InvalidType(_where(index, key), value, "True, False or None")


def _optional_time(index: int, key: str, value: Any) -> datetime | None:
    return None if _absent(value) else _utc(_where(index, key), value)


def _page(index: int, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidType(_where(index, "page"), value, "a page (a non-empty string)")
    if not value:
        raise InvalidField(_where(index, "page"), value, "a page (a non-empty string)")
    return str(value)


def _read_view(index: int, row: Any) -> tuple[SessionId, str, datetime, bool, datetime | None]:
    """One page view, checked key by key (the thorough path)."""
    if not isinstance(row, Mapping):
        raise InvalidType(f"rows[{index}]", row, _VIEWS_EXPECTED)
    session = _identifier(index, "session_id", _required(index, row, "session_id"))
    page = _page(index, _required(index, row, "page"))
    at = _utc(_where(index, "at"), _required(index, row, "at"))
    converted = _flag(index, "converted", row.get("converted"))
    left = _optional_time(index, "left_at", row.get("left_at"))
    if left is not None and left < at:
        raise InvalidField(
            _where(index, "left_at"),
            row.get("left_at"),
            f"a moment not before at ({at.isoformat()})",
        )
    return session, page, at, converted, left


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
    dt, text, whole, utc = datetime, str, int, UTC
    for index, row in enumerate(_rows(rows, _VIEWS_EXPECTED)):
        try:
            session = row["session_id"]
            page = row["page"]
            at = row["at"]
            get = row.get
            converted = get("converted")
            left = get("left_at")
        except Exception:
            session = page = at = None
        if not (
            type(at) is dt
            and at.tzinfo is utc
            and type(page) is text
            and page != ""
            and ((type(session) is text and session != "") or type(session) is whole)
            and (converted is None or converted is True or converted is False)
            and (left is None or (type(left) is dt and left.tzinfo is utc and left >= at))
        ):
            session, page, at, converted, left = _read_view(index, row)
        views[page] = count(page, 0) + 1
        end = at if left is None or left < at else left
        state = lookup(session)
        if state is None:
            sessions[session] = [at, at, page, 1, converted is True, end]
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


def _count_field(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)


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


def _name_field(instance: Any, attribute: Any, value: Any) -> None:
    """A non-empty string, used exactly as given (None allowed for a kind)."""
    if value is None and attribute.name == "kind":
        return
    if not isinstance(value, str) or not value:
        raise InvalidType(
            attribute.name, value, "a non-empty string", context=type(instance).__name__
        )


def _at_most(instance: Any, name: str, value: int, limit_name: str, limit: int) -> None:
    if value > limit:
        raise InvalidField(
            name, value, f"at most {limit_name} ({limit})", context=type(instance).__name__
        )


@attrs.frozen
class PageStats:
    """One page: how often it was viewed, and how many sessions ended on it."""

    page: str = attrs.field(validator=_name_field)
    views: int = attrs.field(validator=_count_field)
    exits: int = attrs.field(validator=_count_field)

    def __attrs_post_init__(self) -> None:
        _at_most(self, "exits", self.exits, "views", self.views)

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
    ``total_duration`` sums the session durations (see the module docs for
    the last-page rule); ``pages`` gives views and exits per page, sorted by
    page. The properties are explained results.

    Refuses negative counts, more single-page, engaged or converted sessions
    than sessions, fewer page views than sessions, and exits that do not add
    up to the sessions.
    """

    sessions: int = attrs.field(validator=_count_field)
    page_views: int = attrs.field(validator=_count_field)
    single_page_sessions: int = attrs.field(validator=_count_field)
    engaged_sessions: int = attrs.field(validator=_count_field)
    converted_sessions: int = attrs.field(validator=_count_field)
    total_duration: timedelta = attrs.field(validator=_duration_field)
    engaged_after: timedelta = attrs.field(converter=_threshold)
    pages: tuple[PageStats, ...] = attrs.field(validator=_pages_field)

    def __attrs_post_init__(self) -> None:
        for name in ("single_page_sessions", "engaged_sessions", "converted_sessions"):
            _at_most(self, name, getattr(self, name), "sessions", self.sessions)
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

    def __repr__(self) -> str:
        return (
            f"<SiteEngagement {self.sessions:,} sessions, {self.page_views:,} page views, "
            f"bounce rate {self.bounce_rate.percent()}>"
        )


def _shown(score: Score, places: int, rounding: str) -> str:
    return score.text(places, rounding)


def site_engagement(
    rows: Iterable[Mapping[str, Any]],
    *,
    engaged_after: timedelta = DEFAULT_ENGAGED_AFTER,
    on_empty: OnEmpty = "undefined",
) -> SiteEngagement:
    """Every session figure from page views, in one pass: see :class:`SiteEngagement`.

    bounce rate              = single-page sessions / sessions
    bounce rate (engaged)    = sessions not engaged / sessions
    pages per session        = page views / sessions
    average time on site     = sum of session durations / sessions
    exit rate of a page      = sessions that ended on it / its page views

    A session is engaged (GA4) when it lasted at least ``engaged_after``
    (10 seconds by default), had two page views or more, or had a
    conversion. Rows are page views (see the module docs for the keys), in
    any order; state is kept per session and per page, not per row. Refuses
    bad rows naming them, and an ``engaged_after`` that is not a positive
    timedelta. No page views give undefined results, or
    :class:`UndefinedMetric` with ``on_empty="raise"``.

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
    sessions, views = _fold_views(rows)
    single = engaged = converted = 0
    total = timedelta(0)
    exits: dict[str, int] = {}
    for first, _last, exit_page, count, conversion, end in sessions.values():
        duration = end - first
        total += duration
        single += count == 1
        converted += conversion
        engaged += count > 1 or conversion or duration >= threshold
        exits[exit_page] = exits.get(exit_page, 0) + 1
    result = SiteEngagement(
        sessions=len(sessions),
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


def _bounce_variant(value: Any) -> bool:
    """True for the engaged-session variant."""
    if isinstance(value, str) and value == "engaged":
        return True
    if isinstance(value, str) and value == "single_page":
        return False
    raise InvalidField("variant", value, "'single_page' or 'engaged'")


def bounce_rate(
    rows: Iterable[Mapping[str, Any]],
    *,
    variant: BounceVariant = "single_page",
    engaged_after: timedelta = DEFAULT_ENGAGED_AFTER,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Bounce rate from page views: single-page sessions / sessions.

    ``variant="engaged"`` gives GA4's definition instead: sessions not
    engaged / sessions, where a session is engaged when it lasted at least
    ``engaged_after`` (10 s), had 2+ page views or a conversion. The
    engaged variant is never above the single-page one (every session with
    2+ page views is engaged). Rows as for :func:`site_engagement`.

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> views = [
    ...     {"session_id": "a", "page": "/", "at": t, "left_at": t + timedelta(seconds=45)},
    ...     {"session_id": "b", "page": "/", "at": t},
    ... ]
    >>> bounce_rate(views).percent(), bounce_rate(views, variant="engaged").percent()
    ('100.0%', '50.0%')
    """
    engaged = _bounce_variant(variant)
    site = site_engagement(rows, engaged_after=engaged_after, on_empty=on_empty)
    return site.engaged_bounce_rate if engaged else site.bounce_rate


def exit_rates(
    rows: Iterable[Mapping[str, Any]], *, on_empty: OnEmpty = "undefined"
) -> dict[str, Ratio]:
    """Exit rate per page: exits from the page / page views of the page.

    A session exits from the page of its latest page view (among views at
    the same instant, the page that sorts last). Returns every viewed page,
    sorted, with its :class:`Ratio`; no page views give an empty dict, or
    :class:`UndefinedMetric` with ``on_empty="raise"``. Rows as for
    :func:`site_engagement`.

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> views = [
    ...     {"session_id": 1, "page": "/", "at": t},
    ...     {"session_id": 1, "page": "/cart", "at": t + timedelta(seconds=5)},
    ...     {"session_id": 2, "page": "/", "at": t},
    ... ]
    >>> exit_rates(views)
    {'/': <Ratio exit rate of / (exits / page views): 1 / 2 = 0.5>, '/cart': <Ratio exit rate of /cart (exits / page views): 1 / 1 = 1>}
    """
    check_on_empty(on_empty)
    site = site_engagement(rows)
    if on_empty == "raise" and not site.pages:
        raise UndefinedMetric("exit rate", "page views")
    return site.exit_rates


def pages_per_session(
    rows: Iterable[Mapping[str, Any]], *, on_empty: OnEmpty = "undefined"
) -> Score:
    """Pages per session: page views / sessions. Rows as for :func:`site_engagement`.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> views = [{"session_id": s, "page": p, "at": t} for s, p in [(1, "/"), (1, "/a"), (2, "/")]]
    >>> pages_per_session(views)
    <Score pages per session (all sessions): 3 / 2 = 1.5>
    """
    check_on_empty(on_empty)
    return settle(site_engagement(rows).pages_per_session, on_empty)


def average_time_on_site(
    rows: Iterable[Mapping[str, Any]], *, on_empty: OnEmpty = "undefined"
) -> Score:
    """Average time on site in seconds: sum of session durations / sessions.

    A session lasts from its first page view to the latest of its views'
    ``at`` and ``left_at``: without ``left_at`` the last page adds nothing,
    so sessions of one page count 0 s and pull the average down. Exact (the
    value is a Decimal of seconds). Rows as for :func:`site_engagement`.

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> views = [
    ...     {"session_id": 1, "page": "/", "at": t},
    ...     {"session_id": 1, "page": "/a", "at": t + timedelta(seconds=90)},
    ...     {"session_id": 2, "page": "/", "at": t, "left_at": t + timedelta(seconds=30)},
    ... ]
    >>> average_time_on_site(views).value
    Decimal('60')
    """
    check_on_empty(on_empty)
    return settle(site_engagement(rows).time_on_site, on_empty)


# -- email -------------------------------------------------------------------------------


def _kind(index: int, value: Any) -> str:
    name = value.value if isinstance(value, Enum) else value
    if not isinstance(name, str):
        raise InvalidType(_where(index, "kind"), value, "a notification kind (a non-empty string)")
    if not name:
        raise InvalidField(_where(index, "kind"), value, "a notification kind (a non-empty string)")
    return str(name)


def _kind_filter(value: Any) -> str | None:
    if value is None:
        return None
    name = value.value if isinstance(value, Enum) else value
    return _check.text("kind", name)


def _not_before(
    index: int, key: str, value: Any, moment: datetime | None, delivered: datetime
) -> None:
    if moment is not None and moment < delivered:
        raise InvalidField(
            _where(index, key), value, f"a moment not before delivered_at ({delivered.isoformat()})"
        )


def _read_mail(index: int, row: Any) -> tuple[str, bool, bool, bool]:
    """One message, checked key by key: (kind, delivered, opened, clicked)."""
    if not isinstance(row, Mapping):
        raise InvalidType(f"rows[{index}]", row, _MAILS_EXPECTED)
    _identifier(index, "message_id", _required(index, row, "message_id"))
    kind = _kind(index, _required(index, row, "kind"))
    delivered = _optional_time(index, "delivered_at", _required(index, row, "delivered_at"))
    opened = _optional_time(index, "opened_at", row.get("opened_at"))
    clicked = _optional_time(index, "clicked_at", row.get("clicked_at"))
    if delivered is None:
        for key, moment in (("opened_at", opened), ("clicked_at", clicked)):
            if moment is not None:
                raise InvalidField(
                    _where(index, key),
                    row.get(key),
                    "None: the message was not delivered (delivered_at is None)",
                )
        return kind, False, False, False
    _not_before(index, "opened_at", row.get("opened_at"), opened, delivered)
    _not_before(index, "clicked_at", row.get("clicked_at"), clicked, delivered)
    return kind, True, opened is not None, clicked is not None


# per kind: delivered, opened (a recorded open, or a click), clicked, undelivered, clicked unopened
_DELIVERED, _OPENED, _CLICKED, _UNDELIVERED, _CLICKED_UNOPENED = range(5)


def _fold_mails(rows: Any) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {}
    lookup = counts.get
    dt, text, whole, utc = datetime, str, int, UTC
    for index, row in enumerate(_rows(rows, _MAILS_EXPECTED)):
        try:
            message = row["message_id"]
            kind = row["kind"]
            delivered = row["delivered_at"]
            get = row.get
            opened = get("opened_at")
            clicked = get("clicked_at")
        except Exception:
            kind = delivered = None
        if (
            type(kind) is text
            and kind != ""
            and type(delivered) is dt
            and delivered.tzinfo is utc
            and ((type(message) is text and message != "") or type(message) is whole)
            and (
                opened is None
                or (type(opened) is dt and opened.tzinfo is utc and opened >= delivered)
            )
            and (
                clicked is None
                or (type(clicked) is dt and clicked.tzinfo is utc and clicked >= delivered)
            )
        ):
            was_delivered, was_opened, was_clicked = True, opened is not None, clicked is not None
        else:
            kind, was_delivered, was_opened, was_clicked = _read_mail(index, row)
        tally = lookup(kind)
        if tally is None:
            tally = counts[kind] = [0, 0, 0, 0, 0]
        if not was_delivered:
            tally[_UNDELIVERED] += 1
            continue
        tally[_DELIVERED] += 1
        if was_clicked:
            tally[_CLICKED] += 1
            tally[_OPENED] += 1
            if not was_opened:
                tally[_CLICKED_UNOPENED] += 1
        elif was_opened:
            tally[_OPENED] += 1
    return counts


@attrs.frozen
class EmailStats:
    """Email engagement of one notification kind (or of all kinds together).

    ``delivered`` messages, of which ``opened`` were opened (a click without
    a recorded open counts as an open: ``clicked_unopened`` says how many)
    and ``clicked`` had a click; ``undelivered`` messages are in no
    denominator. ``kind`` is None for the figures of all kinds together.
    Stats of the same kind add up: ``first + second``.

    Refuses negative counts, more opens than deliveries, more clicks than
    opens and more clicked-unopened than clicks.
    """

    kind: str | None = attrs.field(validator=_name_field)
    delivered: int = attrs.field(validator=_count_field)
    opened: int = attrs.field(validator=_count_field)
    clicked: int = attrs.field(validator=_count_field)
    undelivered: int = attrs.field(default=0, kw_only=True, validator=_count_field)
    clicked_unopened: int = attrs.field(default=0, kw_only=True, validator=_count_field)

    def __attrs_post_init__(self) -> None:
        _at_most(self, "opened", self.opened, "delivered", self.delivered)
        _at_most(self, "clicked", self.clicked, "opened", self.opened)
        _at_most(self, "clicked_unopened", self.clicked_unopened, "clicked", self.clicked)

    def _ratio(self, name: str, numerator: int, denominator: int, formula: str) -> Ratio:
        metric = name if self.kind is None else f"{self.kind} {name}"
        return Ratio(
            metric,
            numerator,
            denominator,
            variant="clicks count as opens",
            formula=formula,
            inputs=(
                ("delivered", self.delivered),
                ("opened", self.opened),
                ("clicked", self.clicked),
                ("clicked without a recorded open", self.clicked_unopened),
            ),
        )

    @property
    def open_rate(self) -> Ratio:
        """Opened / delivered."""
        return self._ratio("email open rate", self.opened, self.delivered, "opened / delivered")

    @property
    def click_rate(self) -> Ratio:
        """Clicked / delivered (the click-through rate)."""
        return self._ratio("email click rate", self.clicked, self.delivered, "clicked / delivered")

    @property
    def click_to_open_rate(self) -> Ratio:
        """Clicked / opened."""
        return self._ratio(
            "email click-to-open rate", self.clicked, self.opened, "clicked / opened"
        )

    def __add__(self, other: Any) -> EmailStats:
        if not isinstance(other, EmailStats):
            return NotImplemented
        if other.kind != self.kind:
            raise InvalidField("kind", other.kind, f"{self.kind!r}: only stats of one kind add up")
        return EmailStats(
            self.kind,
            self.delivered + other.delivered,
            self.opened + other.opened,
            self.clicked + other.clicked,
            undelivered=self.undelivered + other.undelivered,
            clicked_unopened=self.clicked_unopened + other.clicked_unopened,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values for a DataFrame row; the rates as Decimal shares (None when undefined)."""
        return {
            "kind": self.kind,
            "delivered": self.delivered,
            "opened": self.opened,
            "clicked": self.clicked,
            "undelivered": self.undelivered,
            "clicked_unopened": self.clicked_unopened,
            "open_rate": self.open_rate.value,
            "click_rate": self.click_rate.value,
            "click_to_open_rate": self.click_to_open_rate.value,
        }


def _kinds_field(instance: Any, attribute: Any, value: Any) -> None:
    if (
        not isinstance(value, tuple)
        or not all(isinstance(stats, EmailStats) and stats.kind is not None for stats in value)
        or [stats.kind for stats in value] != sorted({str(stats.kind) for stats in value})
    ):
        raise InvalidType(
            attribute.name,
            value,
            "a tuple of EmailStats with distinct kinds, sorted by kind",
            context=type(instance).__name__,
        )


@attrs.frozen(repr=False)
class EmailReport(Mapping[str, EmailStats]):
    """Email engagement per notification kind: a mapping kind -> :class:`EmailStats`.

    Iterates in kind order; :attr:`total` adds all kinds together.
    """

    kinds: tuple[EmailStats, ...] = attrs.field(validator=_kinds_field)

    def __getitem__(self, kind: str) -> EmailStats:
        name = kind.value if isinstance(kind, Enum) else kind
        for stats in self.kinds:
            if stats.kind == name:
                return stats
        known = ", ".join(str(stats.kind) for stats in self.kinds) or "none"
        raise InvalidField("kind", kind, f"a kind in these records (known: {known})")

    def __contains__(self, kind: object) -> bool:
        name = kind.value if isinstance(kind, Enum) else kind
        return any(stats.kind == name for stats in self.kinds)

    def get(self, kind: str, default: Any = None) -> Any:
        """The stats of ``kind``, or ``default`` when the records have none of that kind."""
        name = kind.value if isinstance(kind, Enum) else kind
        for stats in self.kinds:
            if stats.kind == name:
                return stats
        return default

    def __iter__(self) -> Iterator[str]:
        return (str(stats.kind) for stats in self.kinds)

    def __len__(self) -> int:
        return len(self.kinds)

    @property
    def total(self) -> EmailStats:
        """All kinds together."""
        return EmailStats(
            None,
            sum(stats.delivered for stats in self.kinds),
            sum(stats.opened for stats in self.kinds),
            sum(stats.clicked for stats in self.kinds),
            undelivered=sum(stats.undelivered for stats in self.kinds),
            clicked_unopened=sum(stats.clicked_unopened for stats in self.kinds),
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per kind (see :meth:`EmailStats.to_dict`)."""
        return [stats.to_dict() for stats in self.kinds]

    def format(self, places: int = 1, rounding: str = ROUND_HALF_EVEN) -> str:
        """A table of the three rates per kind and in total (rounded only here)."""
        rows = [*self.kinds, self.total]
        width = max(len("kind"), len(_ALL_KINDS), *(len(str(stats.kind)) for stats in self.kinds))
        lines = [
            f"{'kind'.ljust(width)}  {'delivered':>9}  {'open rate':>9}  {'click rate':>10}  "
            f"{'click-to-open':>13}"
        ]
        for stats in rows:
            name = _ALL_KINDS if stats.kind is None else stats.kind
            lines.append(
                f"{name.ljust(width)}  {stats.delivered:>9,}  "
                f"{stats.open_rate.percent(places, rounding):>9}  "
                f"{stats.click_rate.percent(places, rounding):>10}  "
                f"{stats.click_to_open_rate.percent(places, rounding):>13}"
            )
        lines.append("(a click without a recorded open counts as an open)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        total = self.total
        return (
            f"<EmailReport {len(self.kinds)} kinds, {total.delivered:,} delivered, "
            f"open rate {total.open_rate.percent()}>"
        )


def email_engagement(
    rows: Iterable[Mapping[str, Any]], *, on_empty: OnEmpty = "undefined"
) -> EmailReport:
    """Email engagement per notification kind, in one pass over message records.

    open rate            = opened / delivered
    click rate           = clicked / delivered
    click-to-open rate   = clicked / opened

    per kind and in total (:attr:`EmailReport.total`). A click without a
    recorded open counts as an open, so clicks never exceed opens.
    Undelivered messages (``delivered_at`` None) are counted apart and in
    no denominator. See the module docs for the keys. Refuses bad rows
    naming them. No delivered message at all gives undefined rates, or
    :class:`UndefinedMetric` with ``on_empty="raise"``.

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> later = t + timedelta(hours=2)
    >>> mails = [
    ...     {"message_id": 1, "kind": "shipped", "delivered_at": t, "opened_at": later},
    ...     {"message_id": 2, "kind": "shipped", "delivered_at": t, "clicked_at": later},
    ...     {"message_id": 3, "kind": "shipped", "delivered_at": t},
    ...     {"message_id": 4, "kind": "delayed", "delivered_at": t, "opened_at": t, "clicked_at": later},
    ... ]
    >>> report = email_engagement(mails)
    >>> list(report), report["shipped"].open_rate
    (['delayed', 'shipped'], <Ratio shipped email open rate (clicks count as opens): 2 / 3 = 2/3 ≈ 0.6666666667>)
    >>> report.total.click_to_open_rate.percent()
    '66.7%'
    """
    check_on_empty(on_empty)
    counts = _fold_mails(rows)
    report = EmailReport(
        tuple(
            EmailStats(
                kind,
                tally[_DELIVERED],
                tally[_OPENED],
                tally[_CLICKED],
                undelivered=tally[_UNDELIVERED],
                clicked_unopened=tally[_CLICKED_UNOPENED],
            )
            for kind, tally in sorted(counts.items())
        )
    )
    settle(report.total.open_rate, on_empty)
    return report


def _stats(rows: Any, kind: Any) -> EmailStats:
    name = _kind_filter(kind)
    report = email_engagement(rows)
    if name is None:
        return report.total
    return report[name] if name in report else EmailStats(name, 0, 0, 0)


def email_open_rate(
    rows: Iterable[Mapping[str, Any]],
    *,
    kind: str | None = None,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Email open rate: opened / delivered, for one ``kind`` or all kinds (None).

    A click without a recorded open counts as an open. A kind with no
    delivered message gives an undefined ratio. Rows as for
    :func:`email_engagement`.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> mails = [{"message_id": n, "kind": "delivered", "delivered_at": t,
    ...           "opened_at": t if n < 3 else None} for n in range(10)]
    >>> email_open_rate(mails, kind="delivered").percent()
    '30.0%'
    """
    check_on_empty(on_empty)
    return settle(_stats(rows, kind).open_rate, on_empty)


def email_click_rate(
    rows: Iterable[Mapping[str, Any]],
    *,
    kind: str | None = None,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Email click rate: clicked / delivered, for one ``kind`` or all kinds (None).

    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> mails = [{"message_id": n, "kind": "shipped", "delivered_at": t,
    ...           "clicked_at": t if n == 0 else None} for n in range(4)]
    >>> email_click_rate(mails)
    <Ratio email click rate (clicks count as opens): 1 / 4 = 0.25>
    """
    check_on_empty(on_empty)
    return settle(_stats(rows, kind).click_rate, on_empty)


def email_click_to_open_rate(
    rows: Iterable[Mapping[str, Any]],
    *,
    kind: str | None = None,
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Email click-to-open rate: clicked / opened, for one ``kind`` or all kinds (None).

    A click without a recorded open counts as an open, so the rate stays
    within 0..1. No opens give an undefined ratio.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> mails = [
    ...     {"message_id": 1, "kind": "shipped", "delivered_at": t, "opened_at": t},
    ...     {"message_id": 2, "kind": "shipped", "delivered_at": t, "clicked_at": t},
    ... ]
    >>> email_click_to_open_rate(mails, kind="shipped").percent()
    '50.0%'
    """
    check_on_empty(on_empty)
    return settle(_stats(rows, kind).click_to_open_rate, on_empty)
