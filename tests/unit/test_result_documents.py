"""The metric results that are neither a quotient nor a table, as JSON documents.

``GrowthRate``, ``SalesCycle``, ``SiteEngagement`` and ``PageStats`` write
``to_dict()`` as JSON primitives; computed from real inputs, every document
validates against its generated schema (``metric.growth_rate``...), survives
JSON text unchanged, holds the result's own figures (read back independently
of salesflow's writers), and an edited document fails its schema.
``SiteEngagement`` is also a table of pages: ``to_records()``/``to_frame()``.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from fuzz import samples
from salesflow import Money, Period, schemas
from salesflow.metrics import sales_cycle_length, site_engagement
from salesflow.metrics.growth import GrowthRate, revenue_growth
from salesflow.metrics.site import PageStats, SiteEngagement

T = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
NAMES = ("metric.growth_rate", "metric.sales_cycle", "metric.site_engagement", "metric.page_stats")


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schemas.schema(name), format_checker=FormatChecker())


def as_json(document: Any) -> Any:
    return json.loads(json.dumps(document))


def valid(name: str, document: Any) -> None:
    validator(name).validate(as_json(document))


def invalid(name: str, document: Any) -> bool:
    return not validator(name).is_valid(as_json(document))


_ISO_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration read independently of salesflow (whole days, no months)."""
    match = _ISO_DURATION.match(text)
    assert match is not None, text
    parts = {key: value or "0" for key, value in match.groupdict().items()}
    seconds = Decimal(parts["seconds"])
    return timedelta(
        days=int(parts["days"]),
        hours=int(parts["hours"]),
        minutes=int(parts["minutes"]),
        seconds=int(seconds),
        microseconds=int((seconds - int(seconds)) * 1_000_000),
    )


def only_json_primitives(value: Any) -> bool:
    if value is None or type(value) in (str, int, bool):
        return True
    if type(value) is list:
        return all(map(only_json_primitives, value))
    if type(value) is dict:
        return all(type(k) is str and only_json_primitives(v) for k, v in value.items())
    return False


# -- real results from real inputs ------------------------------------------------------------


def _months(*amounts: str) -> dict[tuple[int, int], Money]:
    return {(2026, n + 1): Money(amount, "EUR") for n, amount in enumerate(amounts)}


GROWTH = {
    "exact": lambda: revenue_growth(
        _months("1000", "1100", "1250", "1331"), variant="compound_monthly"
    ),
    "rounded to 12 places": lambda: revenue_growth(
        _months("100", "120", "150"), variant="compound_monthly", places=12
    ),
    "a fall": samples.growth,
    "one month only": lambda: revenue_growth(_months("500"), variant="compound_monthly"),
    "a first month of zero": lambda: revenue_growth(
        _months("0", "80.50"), variant="compound_monthly"
    ),
}


def _leads() -> list[dict[str, Any]]:
    return [
        {"lead_id": "a", "created_at": T, "won_at": T + 10 * DAY},
        {"lead_id": "b", "created_at": T, "won_at": T + 13 * DAY + timedelta(seconds=1.5)},
        {"lead_id": "c", "created_at": T + DAY, "won_at": None},
        {"lead_id": "d", "created_at": T + DAY, "won_at": None, "lost": True},
    ]


CYCLES = {
    "won, open and lost leads": lambda: sales_cycle_length(_leads()),
    "sample leads": samples.cycle,
    "no lead won": lambda: sales_cycle_length(_leads()[2:]),
    "a period not over": lambda: sales_cycle_length(
        [{"lead_id": "e", "created_at": T, "won_at": T + 2 * DAY}, *_leads()[2:]],
        period=Period.month(2026, 11, "Europe/Berlin"),
        now=T + 3 * DAY,
    ),
}


def _views() -> list[dict[str, Any]]:
    return [
        {"session_id": 1, "page": "/", "at": T, "left_at": T + timedelta(seconds=30)},
        {"session_id": 2, "page": "/", "at": T},
        {"session_id": 2, "page": "/cart", "at": T + timedelta(seconds=20)},
        {"session_id": 3, "page": "/cart", "at": T, "converted": True},
        {"session_id": 4, "page": "/ sale ", "at": T, "left_at": T + DAY + timedelta(0, 7, 5)},
    ]


SITES = {
    "four sessions": lambda: site_engagement(_views()),
    "sample views": samples.site,
    "no page views": lambda: site_engagement([]),
    "a 30 second threshold": lambda: site_engagement(_views(), engaged_after=timedelta(seconds=30)),
}


@pytest.mark.parametrize("build", GROWTH.values(), ids=list(GROWTH))
def test_a_growth_rate_document_matches_its_schema(build):
    valid("metric.growth_rate", build().to_dict())


@pytest.mark.parametrize("build", CYCLES.values(), ids=list(CYCLES))
def test_a_sales_cycle_document_matches_its_schema(build):
    valid("metric.sales_cycle", build().to_dict())


@pytest.mark.parametrize("build", SITES.values(), ids=list(SITES))
def test_a_site_engagement_document_matches_its_schema(build):
    valid("metric.site_engagement", build().to_dict())


@pytest.mark.parametrize("build", SITES.values(), ids=list(SITES))
def test_each_page_document_matches_its_schema(build):
    for page in build().pages:
        valid("metric.page_stats", page.to_dict())


def test_a_page_nobody_viewed_has_a_null_exit_rate_in_its_schema():
    document = PageStats("/empty", views=0, exits=0).to_dict()

    valid("metric.page_stats", document)
    assert document["exit_rate"] is None


def test_the_sales_cycles_durations_match_the_durations_schema():
    for build in CYCLES.values():
        valid("metric.durations", build().to_dict()["cycles"])


def test_the_four_documents_have_schemas_and_the_tables_test_leaves_them_to_this_file():
    assert set(NAMES) <= set(schemas.names())


# -- round trips and shapes -------------------------------------------------------------------------


EVERY = [
    *(("growth", name, build) for name, build in GROWTH.items()),
    *(("cycle", name, build) for name, build in CYCLES.items()),
    *(("site", name, build) for name, build in SITES.items()),
]


@pytest.mark.parametrize(
    ("area", "name", "build"), EVERY, ids=[f"{area}: {name}" for area, name, _ in EVERY]
)
def test_a_document_is_json_primitives_that_survive_json_text_unchanged(area, name, build):
    document = build().to_dict()

    assert only_json_primitives(document)
    assert json.loads(json.dumps(document)) == document


@pytest.mark.parametrize("build", GROWTH.values(), ids=list(GROWTH))
def test_a_growth_rate_document_rebuilds_the_same_rate_with_the_same_value(build):
    rate = build()
    document = as_json(rate.to_dict())

    again = GrowthRate(
        document["metric"],
        document["variant"],
        document["formula"],
        Money.from_dict(document["first"]),
        Money.from_dict(document["last"]),
        document["months"],
        document["places"],
    )

    assert again == rate
    assert list(document) == [
        "kind",
        "metric",
        "variant",
        "formula",
        "first",
        "last",
        "months",
        "places",
        "value",
        "value_is_exact",
    ]
    assert document["kind"] == "growth_rate"
    assert document["value_is_exact"] is rate.value_is_exact
    assert (None if document["value"] is None else Decimal(document["value"])) == rate.value


def test_an_undefined_growth_rate_writes_a_null_value():
    document = GROWTH["one month only"]().to_dict()

    assert document["value"] is None
    assert document["value_is_exact"] is False


def test_an_exact_growth_rate_writes_its_value_as_a_decimal_string():
    document = GROWTH["exact"]().to_dict()

    assert (document["value"], document["value_is_exact"]) == ("0.1", True)


@pytest.mark.parametrize("build", CYCLES.values(), ids=list(CYCLES))
def test_a_sales_cycle_document_holds_its_figures_and_durations(build):
    cycle = build()
    document = as_json(cycle.to_dict())
    cycles = document["cycles"]

    assert list(document) == ["kind", "variant", "cycles", "still_open", "lost", "unfinished"]
    assert (document["kind"], document["variant"]) == ("sales_cycle", cycle.cycles.variant)
    assert (document["still_open"], document["lost"]) == (cycle.still_open, cycle.lost)
    assert document["unfinished"] is cycle.unfinished
    assert list(cycles) == list(cycle.cycles.to_dict())
    assert (cycles["metric"], cycles["count"], cycles["ongoing"]) == (
        "sales cycle length",
        cycle.won,
        cycle.cycles.ongoing,
    )
    assert parse_duration(cycles["total"]) == cycle.cycles.total
    for key in ("mean", "median"):
        written, held = cycles[key], getattr(cycle, key)
        assert (None if written is None else parse_duration(written)) == held


def test_the_sales_cycles_are_written_as_durations_to_dict_is_through_primitives():
    cycle = CYCLES["won, open and lost leads"]()

    assert cycle.to_dict()["cycles"] == schemas.primitives(cycle.cycles.to_dict())
    assert cycle.to_dict()["cycles"]["median"] == "P11DT12H0.75S"


def test_a_sales_cycle_over_an_unfinished_period_says_so_in_its_document():
    document = CYCLES["a period not over"]().to_dict()

    assert document["unfinished"] is True
    assert document["variant"] == "leads created in 2026-11"


def _site_from(document: dict[str, Any]) -> SiteEngagement:
    """A SiteEngagement built from a document's figures alone."""
    return SiteEngagement(
        sessions=document["sessions"],
        page_views=document["page_views"],
        single_page_sessions=document["single_page_sessions"],
        engaged_sessions=document["engaged_sessions"],
        converted_sessions=document["converted_sessions"],
        total_duration=parse_duration(document["total_duration"]),
        engaged_after=parse_duration(document["engaged_after"]),
        pages=tuple(PageStats(p["page"], p["views"], p["exits"]) for p in document["pages"]),
    )


@pytest.mark.parametrize("build", SITES.values(), ids=list(SITES))
def test_a_site_engagement_document_rebuilds_the_same_figures_and_rates(build):
    site = build()
    document = as_json(site.to_dict())

    again = _site_from(document)

    assert again == site
    for name in SiteEngagement.RATES:
        value = getattr(site, name).value
        assert (None if document[name] is None else Decimal(document[name])) == value
    for page, written in zip(site.pages, document["pages"], strict=True):
        rate = page.exit_rate.value
        assert (None if written["exit_rate"] is None else Decimal(written["exit_rate"])) == rate


def test_a_site_engagement_document_writes_its_durations_as_iso_8601():
    document = SITES["four sessions"]().to_dict()

    assert document["total_duration"] == "P1DT57.000005S"
    assert document["engaged_after"] == "PT10S"
    assert document["kind"] == "site_engagement"


def test_without_page_views_the_rates_are_null_not_zero():
    document = SITES["no page views"]().to_dict()

    assert [document[name] for name in SiteEngagement.RATES] == [None] * 5
    assert (document["sessions"], document["pages"], document["total_duration"]) == (0, [], "PT0S")


def test_a_page_name_is_written_exactly_as_given():
    document = SITES["four sessions"]().to_dict()

    assert [page["page"] for page in document["pages"]] == ["/", "/ sale ", "/cart"]


# -- SiteEngagement as a table of pages ------------------------------------------------------------


@pytest.mark.parametrize("build", SITES.values(), ids=list(SITES))
def test_the_page_records_are_the_declared_columns_and_as_json_the_page_documents(build):
    site = build()
    names = [name for name, _ in SiteEngagement.COLUMNS]

    records = site.to_records()

    assert all(list(row) == names for row in records)
    assert schemas.primitives(records) == [page.to_dict() for page in site.pages]
    for row in schemas.primitives(records):
        valid("metric.page_stats", row)


def test_the_page_records_hold_exact_decimal_exit_rates():
    records = SITES["four sessions"]().to_records()

    assert records == [
        {"page": "/", "views": 2, "exits": 1, "exit_rate": Decimal("0.5")},
        {"page": "/ sale ", "views": 1, "exits": 1, "exit_rate": Decimal("1")},
        {"page": "/cart", "views": 2, "exits": 2, "exit_rate": Decimal("1")},
    ]


def test_the_pages_frame_holds_the_records_in_each_backend():
    site = SITES["four sessions"]()
    names = [name for name, _ in SiteEngagement.COLUMNS]

    frames = {backend: site.to_frame(backend) for backend in ("pandas", "polars", "pyarrow")}

    assert isinstance(frames["pandas"], pd.DataFrame)
    assert isinstance(frames["polars"], pl.DataFrame)
    assert isinstance(frames["pyarrow"], pa.Table)
    assert list(frames["pandas"].columns) == names
    assert frames["polars"].to_dicts() == site.to_records()
    assert frames["pyarrow"].to_pylist() == site.to_records()
    assert frames["pyarrow"].schema.field("exit_rate").type == pa.decimal128(
        2, 1
    )  # 1.0 and 0.5, exact


def test_the_pages_frame_of_no_page_views_keeps_its_typed_columns():
    frame = SITES["no page views"]().to_frame("polars", money="float")

    assert frame.height == 0
    assert frame.schema == {
        "page": pl.String,
        "views": pl.Int64,
        "exits": pl.Int64,
        "exit_rate": pl.Float64,
    }


# -- tampered documents -------------------------------------------------------------------------------


def _tampered(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    copied = copy.deepcopy(document)
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copied


def _without(document: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != key}


GROWTH_DOC = GROWTH["rounded to 12 places"]().to_dict()
CYCLE_DOC = CYCLES["won, open and lost leads"]().to_dict()
SITE_DOC = SITES["four sessions"]().to_dict()
PAGE_DOC = SITES["four sessions"]().pages[0].to_dict()

TAMPERED = [
    ("metric.growth_rate", GROWTH_DOC, ("value",), 0.224744871392),
    ("metric.growth_rate", GROWTH_DOC, ("value",), "22%"),
    ("metric.growth_rate", GROWTH_DOC, ("value_is_exact",), "no"),
    ("metric.growth_rate", GROWTH_DOC, ("months",), "2"),
    ("metric.growth_rate", GROWTH_DOC, ("first", "amount"), 100),
    ("metric.growth_rate", GROWTH_DOC, ("last", "currency"), "euro"),
    ("metric.growth_rate", GROWTH_DOC, ("kind",), "ratio"),
    ("metric.growth_rate", GROWTH_DOC, ("metric",), ""),
    ("metric.growth_rate", GROWTH_DOC, ("fraction",), "3/2"),
    ("metric.sales_cycle", CYCLE_DOC, ("cycles", "mean"), "11 days"),
    ("metric.sales_cycle", CYCLE_DOC, ("cycles", "total"), 2000000),
    ("metric.sales_cycle", CYCLE_DOC, ("cycles", "spans"), []),
    ("metric.sales_cycle", CYCLE_DOC, ("still_open",), 1.5),
    ("metric.sales_cycle", CYCLE_DOC, ("unfinished",), 0),
    ("metric.sales_cycle", CYCLE_DOC, ("kind",), "sales cycle"),
    ("metric.site_engagement", SITE_DOC, ("total_duration",), "57 seconds"),
    ("metric.site_engagement", SITE_DOC, ("engaged_after",), None),
    ("metric.site_engagement", SITE_DOC, ("sessions",), "4"),
    ("metric.site_engagement", SITE_DOC, ("bounce_rate",), 0.5),
    ("metric.site_engagement", SITE_DOC, ("pages", 0, "views"), "2"),
    ("metric.site_engagement", SITE_DOC, ("pages", 0, "colour"), "red"),
    ("metric.site_engagement", SITE_DOC, ("pages", 1), "/cart"),
    ("metric.site_engagement", SITE_DOC, ("exit_rates",), {}),
    ("metric.page_stats", PAGE_DOC, ("page",), ""),
    ("metric.page_stats", PAGE_DOC, ("exit_rate",), "half"),
    ("metric.page_stats", PAGE_DOC, ("kind",), "page_stats"),
]


@pytest.mark.parametrize(
    ("name", "document", "path", "value"),
    TAMPERED,
    ids=[f"{name}:{'.'.join(map(str, path))}={value!r}" for name, _, path, value in TAMPERED],
)
def test_a_tampered_result_document_fails_its_schema(name, document, path, value):
    valid(name, document)

    assert invalid(name, _tampered(document, path, value))


@pytest.mark.parametrize(
    ("name", "document"),
    [
        ("metric.growth_rate", GROWTH_DOC),
        ("metric.sales_cycle", CYCLE_DOC),
        ("metric.site_engagement", SITE_DOC),
        ("metric.page_stats", PAGE_DOC),
    ],
)
def test_a_result_document_missing_any_key_fails_its_schema(name, document):
    for key in document:
        assert invalid(name, _without(document, key)), key
