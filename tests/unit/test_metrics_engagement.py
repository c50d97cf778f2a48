"""Engagement metrics: sessions from page views, and email engagement per kind.

Refusals, the stated rules (last page, exit ties, clicks as opens) and laws
against straightforward reference versions written here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType, UndefinedMetric
from salesflow.metrics import Ratio, Score
from salesflow.metrics.email import EmailReport, EmailStats, email_engagement
from salesflow.metrics.site import PageStats, SiteEngagement, site_engagement
from salesflow.orders import OrderStatus

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def view(session, page, seconds=0, **extra):
    return {"session_id": session, "page": page, "at": T0 + timedelta(seconds=seconds), **extra}


def mail(message, kind, *, delivered=0, opened=None, clicked=None):
    def at(seconds):
        return None if seconds is None else T0 + timedelta(seconds=seconds)

    return {
        "message_id": message,
        "kind": kind,
        "delivered_at": at(delivered),
        "opened_at": at(opened),
        "clicked_at": at(clicked),
    }


def reference_sessions(rows, engaged_after=timedelta(seconds=10)):
    """Group the views per session, sort them, and read every figure off the groups."""
    sessions = defaultdict(list)
    for row in rows:
        sessions[row["session_id"]].append(row)
    single = engaged = 0
    total = timedelta(0)
    exits = defaultdict(int)
    for views in sessions.values():
        views.sort(key=lambda v: (v["at"], v["page"]))
        ends = [v["at"] for v in views] + [v["left_at"] for v in views if v.get("left_at")]
        duration = max(ends) - views[0]["at"]
        total += duration
        single += len(views) == 1
        converted = any(v.get("converted") for v in views)
        engaged += len(views) >= 2 or converted or duration >= engaged_after
        exits[views[-1]["page"]] += 1
    pages = defaultdict(int)
    for row in rows:
        pages[row["page"]] += 1
    return {
        "sessions": len(sessions),
        "single": single,
        "engaged": engaged,
        "total": total,
        "exit_rates": {page: Fraction(exits[page], pages[page]) for page in sorted(pages)},
    }


def reference_mail(rows, kind=None):
    chosen = [r for r in rows if kind is None or r["kind"] == kind]
    delivered = [r for r in chosen if r["delivered_at"] is not None]
    opened = [r for r in delivered if r["opened_at"] is not None or r["clicked_at"] is not None]
    clicked = [r for r in delivered if r["clicked_at"] is not None]
    return len(delivered), len(opened), len(clicked)


# -- bounce rate and engagement ------------------------------------------------------------


def test_bounce_rate_is_single_page_sessions_over_sessions():
    rows = [view(1, "/"), view(1, "/mugs", 5), view(2, "/"), view(3, "/tea"), view(4, "/")]

    result = site_engagement(rows).bounce_rate

    assert result.fraction == Fraction(3, 4)
    assert result.formula == "single-page sessions / sessions"
    assert repr(result) == "<Ratio bounce rate (single-page sessions): 3 / 4 = 0.75>"


def test_the_engaged_variant_keeps_long_or_converting_single_page_sessions_out_of_bounces():
    rows = [
        view("long", "/", left_at=T0 + timedelta(seconds=10)),  # exactly the threshold: engaged
        view("short", "/", left_at=T0 + timedelta(seconds=9)),
        view("bought", "/buy", converted=True),
        view("two", "/"),
        view("two", "/a", 1),
        view("silent", "/"),
    ]

    result = site_engagement(rows).engaged_bounce_rate
    single = site_engagement(rows).bounce_rate

    assert result.fraction == Fraction(2, 5)  # short and silent
    assert single.fraction == Fraction(4, 5)
    assert result.variant.startswith("not engaged: under 10 s")


def test_the_engagement_threshold_can_be_stated():
    rows = [view("a", "/", left_at=T0 + timedelta(seconds=30))]

    assert site_engagement(rows).engaged_bounce_rate.value == 0
    assert site_engagement(rows, engaged_after=timedelta(minutes=1)).engaged_bounce_rate.value == 1


def test_the_engagement_rate_is_the_complement_of_the_engaged_bounce_rate():
    rows = [view(1, "/"), view(2, "/"), view(2, "/b", 3), view(3, "/", converted=True)]

    site = site_engagement(rows)

    assert site.engagement_rate.fraction == Fraction(2, 3)
    assert site.engagement_rate.fraction + site.engaged_bounce_rate.fraction == 1
    assert site.converted_sessions == 1


# -- pages, time and exits -----------------------------------------------------------------


def test_pages_per_session_is_page_views_over_sessions_and_not_a_share():
    rows = [view(1, "/"), view(1, "/a", 1), view(1, "/b", 2), view(2, "/")]

    result = site_engagement(rows).pages_per_session

    assert isinstance(result, Score)
    assert result.value == 2


def test_without_an_end_time_the_last_page_adds_nothing_to_time_on_site():
    rows = [view(1, "/", 0), view(1, "/a", 30), view(1, "/b", 75), view(2, "/", 0)]

    result = site_engagement(rows).time_on_site

    assert result.fraction == Fraction(75, 2)  # 75 s and 0 s
    assert result.variant == "seconds; the last page counts only with left_at"


def test_an_end_time_gives_the_last_page_its_duration():
    rows = [
        view(1, "/", 0),
        view(1, "/a", 30, left_at=T0 + timedelta(seconds=90)),
        view(2, "/", 0, left_at=T0 + timedelta(seconds=12.5)),
    ]

    result = site_engagement(rows).time_on_site

    assert result.value == Decimal("51.25")


def test_exit_rate_is_exits_from_the_page_over_its_page_views():
    rows = [
        view(1, "/", 0),
        view(1, "/cart", 5),
        view(2, "/", 0),
        view(2, "/cart", 5),
        view(2, "/", 9),
        view(3, "/cart", 0),
    ]

    result = site_engagement(rows).exit_rates

    assert list(result) == ["/", "/cart"]
    assert result["/"].fraction == Fraction(1, 3)
    assert result["/cart"].fraction == Fraction(2, 3)
    assert all(isinstance(r, Ratio) for r in result.values())


def test_two_last_views_at_the_same_instant_exit_from_the_page_that_sorts_last():
    rows = [view(1, "/b", 5), view(1, "/c", 5), view(1, "/a", 5)]

    assert site_engagement(rows).exit_rates["/c"].value == 1
    assert site_engagement(list(reversed(rows))).exit_rates["/c"].value == 1


def test_times_in_other_zones_and_iso_strings_are_the_same_instants():
    rows = [
        {"session_id": 1, "page": "/", "at": T0.astimezone(BERLIN)},
        {"session_id": 1, "page": "/a", "at": (T0 + timedelta(seconds=20)).isoformat()},
    ]

    assert site_engagement(rows).time_on_site.value == 20


def test_dataframe_missing_values_in_optional_keys_mean_none():
    rows = [view(1, "/", converted=float("nan"), left_at=float("nan"))]

    site = site_engagement(rows)

    assert site.converted_sessions == 0
    assert site.total_duration == timedelta(0)


def test_no_page_views_give_undefined_results_or_errors_on_request():
    site = site_engagement([])

    assert site.bounce_rate.value is None
    assert site.time_on_site.value is None
    assert site.exit_rates == {}
    with pytest.raises(UndefinedMetric, match="sessions is 0"):
        site_engagement([], on_empty="raise")
    with pytest.raises(UndefinedMetric, match="sessions is 0"):
        site.pages_per_session.require()
    with pytest.raises(UndefinedMetric, match="sessions is 0"):
        site.time_on_site.require()


@pytest.mark.parametrize(
    ("extra", "field", "error"),
    [
        ({"session_id": None}, "rows[1].session_id", InvalidType),
        ({"session_id": ""}, "rows[1].session_id", InvalidField),
        ({"session_id": False}, "rows[1].session_id", InvalidType),
        ({"page": ""}, "rows[1].page", InvalidField),
        ({"page": 404}, "rows[1].page", InvalidType),
        ({"at": datetime(2026, 11, 23, 9, 0)}, "rows[1].at", InvalidType),
        ({"at": 1700000000}, "rows[1].at", InvalidType),
        ({"converted": "yes"}, "rows[1].converted", InvalidType),
        ({"converted": 1}, "rows[1].converted", InvalidType),
        ({"left_at": T0 - timedelta(seconds=1)}, "rows[1].left_at", InvalidField),
        ({"left_at": datetime(2026, 11, 23, 10, 0)}, "rows[1].left_at", InvalidType),
    ],
)
def test_a_bad_page_view_is_refused_naming_the_row_and_the_key(extra, field, error):
    rows = [view(1, "/"), {**view(1, "/a"), **extra}]

    with pytest.raises(error) as caught:
        site_engagement(rows)

    assert caught.value.field == field


def test_a_page_view_missing_a_key_or_not_a_mapping_is_refused():
    with pytest.raises(InvalidField) as missing:
        site_engagement([{"session_id": 1, "at": T0}])
    with pytest.raises(InvalidType) as shape:
        site_engagement([view(1, "/"), [1, "/", T0]])

    assert missing.value.field == "rows[0].page"
    assert shape.value.field == "rows[1]"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: site_engagement([], engaged_after=timedelta(0)), "engaged_after"),
        (lambda: site_engagement([], engaged_after=10), "engaged_after"),
        (lambda: site_engagement({"session_id": 1}), "rows"),
        (lambda: site_engagement([], on_empty="zero"), "on_empty"),
    ],
)
def test_bad_options_are_refused_naming_them(call, field):
    with pytest.raises(InvalidField) as caught:
        call()

    assert caught.value.field == field


def test_the_site_figures_refuse_counts_that_do_not_add_up():
    page = PageStats("/", views=2, exits=1)
    figures = {
        "sessions": 1,
        "page_views": 2,
        "single_page_sessions": 0,
        "engaged_sessions": 1,
        "converted_sessions": 0,
        "total_duration": timedelta(seconds=5),
        "engaged_after": timedelta(seconds=10),
        "pages": (page,),
    }

    assert SiteEngagement(**figures).pages_per_session.value == 2
    with pytest.raises(InvalidField, match="single_page_sessions"):
        SiteEngagement(**{**figures, "single_page_sessions": 2})
    with pytest.raises(InvalidField, match="exits adding up"):
        SiteEngagement(**{**figures, "sessions": 2, "page_views": 2})
    with pytest.raises(InvalidField, match="exits"):
        PageStats("/", views=1, exits=2)


def test_the_site_figures_format_as_text():
    text = site_engagement([view(1, "/"), view(1, "/a", 4), view(2, "/")]).format()

    assert "2 sessions, 3 page views" in text
    assert "bounce rate (single-page):   50.0%" in text
    assert text.splitlines()[-1].split() == ["/a", "1", "1", "100.0%"]


# -- session laws --------------------------------------------------------------------------


def with_end(row, seconds):
    return {**row, "left_at": None if seconds is None else row["at"] + timedelta(seconds=seconds)}


one_view = st.builds(
    view,
    st.integers(min_value=0, max_value=5),
    st.sampled_from(["/", "/a", "/b", "/cart"]),
    st.integers(min_value=0, max_value=40),
    converted=st.sampled_from([None, False, True]),
)
views_with_ends = st.lists(
    st.builds(with_end, one_view, st.one_of(st.none(), st.integers(min_value=0, max_value=30))),
    max_size=40,
)


@given(views_with_ends)
def test_session_figures_agree_with_a_group_and_sort_reference(rows):
    site = site_engagement(rows)
    expected = reference_sessions(rows)

    assert site.sessions == expected["sessions"]
    assert site.single_page_sessions == expected["single"]
    assert site.engaged_sessions == expected["engaged"]
    assert site.total_duration == expected["total"]
    assert {page: r.fraction for page, r in site.exit_rates.items()} == expected["exit_rates"]


@given(views_with_ends)
def test_shares_stay_in_0_1_and_the_engaged_bounce_rate_never_exceeds_the_single_page_one(rows):
    site = site_engagement(rows)

    for ratio in (site.bounce_rate, site.engaged_bounce_rate, *site.exit_rates.values()):
        assert ratio.fraction is None or 0 <= ratio.fraction <= 1
    if site.sessions:
        assert site.engaged_bounce_rate.fraction <= site.bounce_rate.fraction
        assert site.pages_per_session.fraction >= 1


@given(views_with_ends, st.randoms(use_true_random=False))
def test_shuffling_the_page_views_changes_nothing(rows, rng):
    shuffled = list(rows)
    rng.shuffle(shuffled)

    assert site_engagement(shuffled) == site_engagement(rows)


@given(views_with_ends)
def test_splitting_the_sessions_in_two_and_adding_the_counts_gives_the_same_totals(rows):
    first = site_engagement([r for r in rows if r["session_id"] % 2 == 0])
    second = site_engagement([r for r in rows if r["session_id"] % 2 == 1])
    whole = site_engagement(rows)

    for name in ("sessions", "page_views", "single_page_sessions", "engaged_sessions"):
        assert getattr(whole, name) == getattr(first, name) + getattr(second, name)
    assert whole.total_duration == first.total_duration + second.total_duration


# -- email ---------------------------------------------------------------------------------


def test_open_click_and_click_to_open_rates_per_kind():
    rows = [
        mail(1, "shipped", opened=60),
        mail(2, "shipped", opened=60, clicked=90),
        mail(3, "shipped"),
        mail(4, "shipped"),
        mail(5, "delayed", opened=10),
    ]

    report = email_engagement(rows)
    shipped = report["shipped"]

    assert shipped.open_rate.fraction == Fraction(2, 4)
    assert shipped.click_rate.fraction == Fraction(1, 4)
    assert shipped.click_to_open_rate.fraction == Fraction(1, 2)
    assert repr(shipped.click_rate) == (
        "<Ratio shipped email click rate (clicks count as opens): 1 / 4 = 0.25>"
    )
    assert report.total.open_rate.fraction == Fraction(3, 5)


def test_a_click_without_a_recorded_open_counts_as_an_open():
    rows = [mail(1, "shipped", clicked=30), mail(2, "shipped")]

    stats = email_engagement(rows)["shipped"]

    assert stats.opened == 1
    assert stats.clicked_unopened == 1
    assert stats.click_to_open_rate.value == 1


def test_undelivered_messages_are_in_no_denominator():
    rows = [mail(1, "shipped", opened=5), mail(2, "shipped", delivered=None)]

    stats = email_engagement(rows)["shipped"]

    assert (stats.delivered, stats.undelivered) == (1, 1)
    assert stats.open_rate.value == 1


def test_order_statuses_are_notification_kinds():
    rows = [mail(1, OrderStatus.SHIPPED, opened=5), mail(2, "shipped")]

    report = email_engagement(rows)

    assert list(report) == ["shipped"]
    assert report[OrderStatus.SHIPPED].open_rate.percent() == "50.0%"
    assert email_engagement(rows)[OrderStatus.SHIPPED].open_rate.fraction == Fraction(1, 2)


def test_the_report_gives_the_rates_of_one_kind_or_of_all_kinds():
    rows = [mail(1, "shipped", clicked=5), mail(2, "delayed"), mail(3, "delayed", opened=1)]

    report = email_engagement(rows)

    assert report.open_rate.fraction == Fraction(2, 3)
    assert report.open_rate == report.total.open_rate
    assert report.click_rate == report.total.click_rate
    assert report["delayed"].click_rate.value == 0
    assert report["shipped"].click_to_open_rate.value == 1
    assert report.get("newsletter") is None


def test_no_delivered_message_gives_undefined_rates_or_errors_on_request():
    rows = [mail(1, "shipped", delivered=None)]

    assert email_engagement(rows).total.open_rate.value is None
    assert email_engagement([mail(1, "shipped")]).click_to_open_rate.value is None
    with pytest.raises(UndefinedMetric, match="delivered is 0"):
        email_engagement(rows, on_empty="raise")
    with pytest.raises(UndefinedMetric, match="opened is 0"):
        email_engagement([mail(1, "shipped")]).click_to_open_rate.require()


@pytest.mark.parametrize(
    ("row", "field", "error"),
    [
        ({"message_id": None}, "rows[1].message_id", InvalidType),
        ({"kind": ""}, "rows[1].kind", InvalidField),
        ({"kind": 3}, "rows[1].kind", InvalidType),
        ({"delivered_at": datetime(2026, 11, 23)}, "rows[1].delivered_at", InvalidType),
        ({"opened_at": T0 - timedelta(seconds=1)}, "rows[1].opened_at", InvalidField),
        ({"clicked_at": T0 - timedelta(seconds=1)}, "rows[1].clicked_at", InvalidField),
        ({"delivered_at": None, "opened_at": T0}, "rows[1].opened_at", InvalidField),
        ({"delivered_at": None, "clicked_at": T0}, "rows[1].clicked_at", InvalidField),
        ({"opened_at": "soon"}, "rows[1].opened_at", InvalidField),
    ],
)
def test_a_bad_message_is_refused_naming_the_row_and_the_key(row, field, error):
    rows = [mail(1, "shipped"), {**mail(2, "shipped"), **row}]

    with pytest.raises(error) as caught:
        email_engagement(rows)

    assert caught.value.field == field


def test_a_message_without_a_delivered_at_key_is_refused():
    with pytest.raises(InvalidField) as caught:
        email_engagement([{"message_id": 1, "kind": "shipped"}])

    assert caught.value.field == "rows[0].delivered_at"


def test_email_stats_refuse_impossible_counts_and_add_up_per_kind():
    one = EmailStats("shipped", 10, 4, 1)
    two = EmailStats("shipped", 5, 5, 2, clicked_unopened=1)

    assert (one + two).open_rate.fraction == Fraction(9, 15)
    with pytest.raises(InvalidField, match="kind"):
        one + EmailStats("delayed", 1, 0, 0)
    with pytest.raises(InvalidField, match="opened"):
        EmailStats("shipped", 1, 2, 0)
    with pytest.raises(InvalidField, match="clicked"):
        EmailStats("shipped", 3, 1, 2)
    with pytest.raises(InvalidType, match="kinds"):
        EmailReport((two, one))


def test_asking_for_a_kind_that_is_not_in_the_records_is_refused():
    report = email_engagement([mail(1, "shipped")])

    assert "delayed" not in report
    assert report.get("delayed") is None
    with pytest.raises(InvalidField, match=r"known: shipped"):
        report["delayed"]


def test_the_email_report_formats_as_a_table_and_exports_plain_records():
    report = email_engagement([mail(1, "shipped", opened=3), mail(2, "shipped")])

    text = report.format()
    records = report.to_records()

    assert text.splitlines()[1].split() == ["shipped", "2", "50.0%", "0.0%", "0.0%"]
    assert text.splitlines()[2].split()[:3] == ["all", "kinds", "2"]
    assert records[0]["open_rate"] == Decimal("0.5")


# -- email laws ----------------------------------------------------------------------------

offsets = st.one_of(st.none(), st.integers(min_value=0, max_value=100))
mails = st.lists(
    st.builds(
        lambda n, kind, delivered, opened, clicked: mail(
            n,
            kind,
            delivered=delivered,
            opened=None if delivered is None or opened is None else delivered + opened,
            clicked=None if delivered is None or clicked is None else delivered + clicked,
        ),
        st.integers(min_value=0, max_value=10_000),
        st.sampled_from(["shipped", "delayed", "newsletter"]),
        st.one_of(st.none(), st.integers(min_value=0, max_value=50)),
        offsets,
        offsets,
    ),
    max_size=50,
)


@given(mails)
def test_email_rates_agree_with_a_reference_and_stay_in_0_1(rows):
    report = email_engagement(rows)

    for kind in [*report, None]:
        stats = report.total if kind is None else report[kind]
        delivered, opened, clicked = reference_mail(rows, kind)
        assert (stats.delivered, stats.opened, stats.clicked) == (delivered, opened, clicked)
        for ratio in (stats.open_rate, stats.click_rate, stats.click_to_open_rate):
            assert ratio.fraction is None or 0 <= ratio.fraction <= 1


@given(mails, st.randoms(use_true_random=False))
def test_shuffling_the_messages_changes_nothing(rows, rng):
    shuffled = list(rows)
    rng.shuffle(shuffled)

    assert email_engagement(shuffled) == email_engagement(rows)


@given(mails, st.integers(min_value=0, max_value=50))
def test_splitting_the_messages_in_two_and_adding_the_stats_gives_the_same_totals(rows, cut):
    first, second = email_engagement(rows[:cut]), email_engagement(rows[cut:])

    whole = email_engagement(rows)

    assert whole.total == first.total + second.total
    for kind in whole:
        parts = [part[kind] for part in (first, second) if kind in part]
        assert whole[kind] == (parts[0] + parts[1] if len(parts) == 2 else parts[0])
