"""Laws: each reader's inline fast path gives what its checked path gives.

The readers of the metrics layer take a fast path for a plain dict of the
common shape and check every other item key by key. A read-only mapping
(``MappingProxyType``) holds the same keys but is no dict, so it always takes
the checked path: for any rows, valid and invalid mixed, reading the dicts and
reading their proxies must give the same rows, or the same error (type, field
and message).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.errors import SalesflowError
from salesflow.metrics._read.emails import messages
from salesflow.metrics._read.folds import fold_active_months, fold_spending
from salesflow.metrics._read.funnel_events import funnel_events
from salesflow.metrics._read.sessions import page_views
from salesflow.orders import OrderStatus

NOW = datetime(2026, 6, 1, tzinfo=UTC)

_zones = st.sampled_from(
    [UTC, ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), timezone(timedelta(hours=-5))]
)
_instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 7, 1), timezones=_zones
)
_utc_instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 7, 1), timezones=st.just(UTC)
)
# Mostly datetime.UTC (the fast path's shape), sometimes another zone.
_times = st.one_of(_utc_instants, _instants)
_ids = st.one_of(st.sampled_from(["a", "b", "c"]), st.integers(0, 3))
_bad_ids = st.sampled_from(["", None, True, 1.5, b"a", ("a",)])
_bad_times = st.one_of(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 7, 1)),  # naive
    st.sampled_from(["2026-01-05T10:00:00+00:00", "2026-01-05", "yesterday", 3, float("nan")]),
)
_amounts = st.decimals(min_value=0, max_value=1000, places=2)
_bad_amounts = st.sampled_from(
    [
        Decimal("-1"),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("1E+30"),
        Decimal("1E-31"),
        Decimal("1.0000000000000000000000000000000"),  # trailing zeros beyond 30 places: fine
        Decimal("0E+100"),
        Decimal("-0"),
        19.99,
        "19.99",
        "x",
        5,
        True,
        None,
    ]
)
_statuses = st.sampled_from([None, "placed", "delivered", "shipped"])
_bad_statuses = st.sampled_from(["cancelled", OrderStatus.CANCELLED, "lost", 3, float("nan")])


@st.composite
def _records(
    draw: st.DrawFn,
    valid: dict[str, st.SearchStrategy[Any]],
    bad: dict[str, st.SearchStrategy[Any]],
) -> Any:
    """A valid record, or one with a key made bad or left out, or not a mapping at all."""
    record = {key: draw(strategy) for key, strategy in valid.items()}
    change = draw(st.sampled_from(["none", "bad", "bad", "bad", "missing", "extra", "other"]))
    if change == "bad":
        key = draw(st.sampled_from(sorted(bad)))
        record[key] = draw(bad[key])
    elif change == "missing":
        del record[draw(st.sampled_from(sorted(record)))]
    elif change == "extra":
        record["note"] = "ignored"
    elif change == "other":
        return draw(st.sampled_from([None, "a row", 3, ["a", "b"]]))
    return record


def _rows(
    valid: dict[str, st.SearchStrategy[Any]], bad: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[list[Any]]:
    """Rows that start well (a reader settles some state on its first rows), then any."""
    good = st.fixed_dictionaries(valid)
    return st.builds(
        lambda head, tail: [*head, *tail],
        st.lists(good, min_size=1, max_size=2),
        st.lists(_records(valid, bad), min_size=1, max_size=4),
    )


def _outcome(read: Callable[[Any], Any], rows: list[Any]) -> tuple[Any, ...]:
    try:
        return ("rows", read(rows))
    except SalesflowError as error:
        return ("error", type(error), getattr(error, "field", None), str(error))


def _checked(rows: list[Any]) -> list[Any]:
    return [MappingProxyType(row) if isinstance(row, dict) else row for row in rows]


def _same_on_both_paths(read: Callable[[Any], Any], rows: list[Any]) -> None:
    fast, checked = _outcome(read, rows), _outcome(read, _checked(rows))

    assert fast == checked


# -- page views -----------------------------------------------------------------------------

_views = _rows(
    {
        "session_id": _ids,
        "page": st.sampled_from(["/", "/cart", "/p/1"]),
        "at": _times,
        "converted": st.sampled_from([None, True, False]),
        "left_at": st.one_of(st.none(), _times),
    },
    {
        "session_id": _bad_ids,
        "page": st.sampled_from(["", None, 3]),
        "at": _bad_times,
        "converted": st.sampled_from([1, 0, "yes", float("nan")]),
        "left_at": _bad_times,
    },
)


@settings(max_examples=300, deadline=None)
@given(rows=_views)
def test_page_views_read_the_same_on_the_fast_and_the_checked_path(rows):
    _same_on_both_paths(lambda given: list(page_views(given)), rows)


# -- email messages ---------------------------------------------------------------------------

_messages = _rows(
    {
        "message_id": _ids,
        "kind": st.sampled_from(["shipped", "delayed"]),
        "delivered_at": st.one_of(_times, st.none()),
        "opened_at": st.one_of(st.none(), _times),
        "clicked_at": st.one_of(st.none(), _times),
    },
    {
        "message_id": _bad_ids,
        "kind": st.sampled_from(["", None, 3]),
        "delivered_at": _bad_times,
        "opened_at": _bad_times,
        "clicked_at": _bad_times,
    },
)


@settings(max_examples=300, deadline=None)
@given(rows=_messages)
def test_messages_read_the_same_on_the_fast_and_the_checked_path(rows):
    _same_on_both_paths(lambda given: list(messages(given)), rows)


# -- funnel events ----------------------------------------------------------------------------

_STEPS = ("visit", "add_to_cart", "purchase")
_events = _rows(
    {
        "person_id": _ids,
        "step": st.sampled_from(_STEPS),
        "at": _times,
    },
    {
        "person_id": _bad_ids,
        "step": st.sampled_from(["checkout", "", None, 3, ["visit"]]),
        "at": _bad_times,
    },
)


@settings(max_examples=300, deadline=None)
@given(rows=_events, skip=st.booleans())
def test_funnel_events_read_the_same_on_the_fast_and_the_checked_path(rows, skip):
    positions = {step: position for position, step in enumerate(_STEPS)}

    _same_on_both_paths(
        lambda given: list(funnel_events(given, positions=positions, steps=_STEPS, skip=skip)),
        rows,
    )


# -- the cohort folds -------------------------------------------------------------------------

_orders = _rows(
    {
        "order_id": _ids,
        "customer_id": _ids,
        "placed_at": _times,
        "amount": _amounts,
        "currency": st.just("EUR"),
        "status": _statuses,
        "discount": st.one_of(st.none(), st.just(Decimal(0)), st.just(Decimal("0.50"))),
    },
    {
        "order_id": _bad_ids,
        "customer_id": _bad_ids,
        "placed_at": _bad_times,
        "amount": _bad_amounts,
        "currency": st.sampled_from(["USD", "XXX1", None, "eur"]),
        "status": _bad_statuses,
        "discount": _bad_amounts,
    },
)


def _spending(net: bool) -> Callable[[Any], Any]:
    def read(rows: Any) -> Any:
        currency, state = fold_spending(rows, now=NOW, net=net)
        return currency, {customer: tuple(spend) for customer, spend in state.items()}

    return read


@settings(max_examples=400, deadline=None)
@given(rows=_orders, net=st.booleans())
def test_the_spending_fold_gives_the_same_on_the_fast_and_the_checked_path(rows, net):
    _same_on_both_paths(_spending(net), rows)


@settings(max_examples=400, deadline=None)
@given(
    rows=_orders,
    zone=st.sampled_from([UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("UTC")]),
    now=st.sampled_from([None, NOW]),
)
def test_the_month_fold_gives_the_same_on_the_fast_and_the_checked_path(rows, zone, now):
    _same_on_both_paths(lambda given: fold_active_months(given, zone=zone, now=now), rows)
