"""Every metric result and table shows itself as HTML in a notebook (issue 12, §4).

``_repr_html_`` needs no dependency: a small ``<div>`` for a single result, a
``<table>`` with one body row per item for a table, the numbers its repr or
``format()`` shows, and every user-provided string escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN
from fractions import Fraction
from typing import Any

import pytest

from fuzz import samples
from salesflow import InvalidField
from salesflow._tables import MAX_ROWS, html_table, shading, text_table
from salesflow.metrics import Durations, customer_summary, manager_kpis, site_engagement
from salesflow.metrics.email import EmailReport, EmailStats
from salesflow.metrics.funnel import Funnel

HOSTILE = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)


def body_rows(markup: str) -> int:
    """The ``<tr>`` rows inside the table bodies of ``markup``."""
    bodies = re.findall(r"<tbody>(.*?)</tbody>", markup)
    return sum(body.count("<tr>") for body in bodies)


SCALARS: dict[str, Callable[[], Any]] = {
    "ratio": samples.ratio,
    "score": samples.score,
    "amount": samples.amount,
    "growth": samples.growth,
}


@pytest.mark.parametrize("name", sorted(SCALARS))
def test_a_single_result_is_a_small_div_with_its_value_and_working(name: str) -> None:
    result = SCALARS[name]()

    markup = result._repr_html_()

    assert isinstance(markup, str)
    assert markup.startswith("<div")
    assert "<table" not in markup
    assert len(markup) < 400
    assert result.metric in markup
    assert markup == result._repr_html_()


def test_the_scalars_show_the_numbers_of_their_repr() -> None:
    assert "<b>86.0%</b>" in samples.ratio()._repr_html_()
    assert "(480 - 50) / 500 = 0.86" in samples.ratio()._repr_html_()
    assert "<b>3.40</b>" in samples.score()._repr_html_()
    assert "<b>28.33 EUR</b>" in samples.amount()._repr_html_()
    assert "<b>-5.1%</b>" in samples.growth()._repr_html_()


TABLES: dict[str, tuple[Callable[[], Any], Callable[[Any], int]]] = {
    "cohort_table": (samples.cohort_table, lambda t: len(t.cohorts)),
    "summaries": (samples.summaries, len),
    "status_times": (samples.status_times, len),
    "stage_times": (samples.stage_times, len),
    "funnel": (samples.shop_funnel, lambda f: len(f.steps)),
    "kpis": (samples.kpis, len),
    "mails": (samples.mails, lambda r: len(r) + 1),  # and the total
    "site": (samples.site, lambda s: 4 + len(s.pages)),  # four figures, then the pages
    "cycle": (samples.cycle, lambda _: 5),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_a_table_has_one_body_row_per_item(name: str) -> None:
    make, items = TABLES[name]
    table = make()

    markup = table._repr_html_()

    assert isinstance(markup, str)
    assert "<table" in markup
    assert body_rows(markup) == items(table)
    assert markup == table._repr_html_()
    assert "<script" not in markup


def test_durations_show_count_mean_median_and_total() -> None:
    durations = Durations("wait", "per order", "sum / orders", [timedelta(hours=1)] * 3)

    markup = durations._repr_html_()

    assert "<table" in markup
    assert body_rows(markup) == 6
    assert "1:00:00" in markup
    assert "3:00:00" in markup


def test_the_cohort_table_shades_each_share_by_its_value() -> None:
    markup = samples.cohort_table()._repr_html_()

    assert 'background:rgba(31,119,180,1.00);color:#fff">100.0%</td>' in markup
    assert 'background:rgba(31,119,180,0.50)">50.0%*</td>' in markup
    assert "month not ended" in markup


def test_the_funnel_shows_its_drop_offs() -> None:
    funnel = samples.shop_funnel()

    markup = funnel._repr_html_()

    assert "drop-off" in markup
    for ratio in funnel.drop_offs:
        assert f"<td>{ratio.percent()}</td>" in markup
    assert f"overall: 1 / 2 = {funnel.overall.percent()}" in markup


def test_tables_show_the_numbers_of_their_format() -> None:
    kpis = samples.kpis()._repr_html_()
    site = samples.site()._repr_html_()
    mails = samples.mails()._repr_html_()

    assert "<td>1200.00</td>" in kpis
    assert "<td>50.0%</td>" in kpis
    assert "<td>66.7%</td>" in site
    assert "<td>/mugs</td>" not in site
    assert "<th>/mugs</th>" in site
    assert "<th>all kinds</th><td>3</td><td>66.7%</td>" in mails


def test_user_strings_are_escaped_in_every_table() -> None:
    rows = [{"order_id": "1", "customer_id": HOSTILE, "placed_at": samples.PLACED,
             "amount": "10", "currency": "EUR"}]  # fmt: skip
    deals = [{"lead_id": 1, "manager": HOSTILE, "created_at": samples.PLACED,
              "won_at": NOW, "revenue": "10", "currency": "EUR"}]  # fmt: skip
    views = [{"session_id": 1, "page": HOSTILE, "at": samples.PLACED}]
    tables = [
        customer_summary(rows, now=NOW),
        manager_kpis(deals),
        site_engagement(views),
        Funnel((HOSTILE, "buy"), (2, 1), None),
        EmailReport((EmailStats(HOSTILE, 2, 1, 0),)),
    ]

    for table in tables:
        markup = table._repr_html_()

        assert "<script" not in markup
        assert ESCAPED in markup


def test_a_long_table_shows_its_ends_and_says_how_many_rows_it_has() -> None:
    rows = [(f"row {n}", str(n)) for n in range(100)]

    markup = html_table(kind="t", caption="c", header=("name", "n"), rows=rows)

    assert body_rows(markup) == MAX_ROWS + 1  # and the "…" row between the ends
    assert "row 0<" in markup
    assert "row 99<" in markup
    assert "row 50<" not in markup
    assert "showing 40 of 100 rows" in markup


def test_a_long_customer_summary_is_cut_before_its_rows_are_built() -> None:
    rows = [
        {"order_id": str(n), "customer_id": n, "placed_at": samples.PLACED, "amount": "1",
         "currency": "EUR"}
        for n in range(250)
    ]  # fmt: skip

    markup = customer_summary(rows, now=NOW)._repr_html_()

    assert body_rows(markup) == MAX_ROWS + 1
    assert "showing 40 of 250 rows" in markup
    assert "<th>249</th>" in markup


def test_shading_is_clamped_and_absent_for_an_undefined_share() -> None:
    assert shading(None) == ""
    assert shading(Fraction(-1)) == "background:rgba(31,119,180,0.00)"
    assert shading(Fraction(1, 3)) == "background:rgba(31,119,180,0.33)"
    assert shading(Fraction(2)) == "background:rgba(31,119,180,1.00);color:#fff"


def test_the_text_table_aligns_the_first_column_left_and_the_rest_right() -> None:
    assert text_table([("a", "1"), ("bbb", "22")]) == ["a     1", "bbb  22"]


def test_customer_summaries_format_as_a_text_table() -> None:
    text = samples.summaries().format()

    lines = text.splitlines()

    assert lines[0].startswith("Customer summary (2 customers, net spend in EUR")
    assert lines[1].split()[:2] == ["customer", "orders"]
    assert lines[2].split() == [
        "ada", "2", "2026-03-02", "11:00", "2026-04-01", "12:00", "9.1", "65.00", "32.50", "30.0"
    ]  # fmt: skip
    assert lines[3].split()[-1] == "-"


def test_customer_summaries_format_rounds_with_the_places_and_mode_given() -> None:
    lines = samples.summaries().format(3, ROUND_DOWN).splitlines()

    assert "rounded ROUND_DOWN" in lines[0]
    assert lines[2].split()[6] == "9.083"


def test_customer_summaries_format_refuses_bad_places_and_rounding() -> None:
    summaries = samples.summaries()

    with pytest.raises(InvalidField, match="places"):
        summaries.format(-1)
    with pytest.raises(InvalidField, match="rounding"):
        summaries.format(1, "nearest")


def test_an_empty_customer_summary_says_so() -> None:
    empty = customer_summary([], now=NOW)

    assert empty.format().endswith("(no customers)")
    assert body_rows(empty._repr_html_()) == 0


def test_a_row_record_shows_its_plain_values_one_row_per_field() -> None:
    records = [
        samples.summaries()["ada"],
        samples.cohort_table().cell("2026-03", 1),
        samples.mails()["shipped"],
        samples.shop_funnel().step("checkout"),
        samples.kpis()["ann"],
    ]

    for record in records:
        markup = record._repr_html_()

        assert "<table" in markup
        assert body_rows(markup) == len(record.to_dict())
        assert f"<caption>{type(record).__name__}</caption>" in markup


def test_a_row_record_escapes_its_strings() -> None:
    markup = EmailStats(HOSTILE, 2, 1, 0)._repr_html_()

    assert "<script" not in markup
    assert ESCAPED in markup
