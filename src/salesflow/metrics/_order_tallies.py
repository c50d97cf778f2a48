"""Private helpers of the order metrics' records path: status stays, request topics, shares."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from salesflow import _check
from salesflow._results import OnEmpty, Ratio, settle
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.orders import order_histories
from salesflow.metrics._read.scope import unfinished
from salesflow.orders import OrderStatus
from salesflow.periods import Period

TIMED_STATUSES: Final = tuple(status for status in OrderStatus if not status.is_final)
"""The statuses an order spends time in (all but the final ones), in lifecycle order."""


def status_stays(
    orders: Iterable[Any], now: datetime, scope: Period | None
) -> tuple[dict[OrderStatus, list[timedelta]], dict[OrderStatus, int], int]:
    """Per timed status, each order's total stay and the orders still there; the orders."""
    spans: dict[OrderStatus, list[timedelta]] = {status: [] for status in TIMED_STATUSES}
    ongoing = dict.fromkeys(TIMED_STATUSES, 0)
    count = 0
    for order in order_histories("orders", orders, now=now):
        if scope is not None and not scope.contains(order.placed_at):
            continue
        count += 1
        for status, stays in order.time_in_statuses(now).items():
            spans[status].append(stays.total)
            ongoing[status] += stays.ongoing
    return spans, ongoing, count


def topic_test(topics: Any) -> tuple[Callable[[str], Any], str]:
    if callable(topics):
        return topics, "topic chosen by a predicate"
    if isinstance(topics, str | bytes | Mapping) or not isinstance(topics, Collection):
        raise InvalidType(
            "topics", topics, "a collection of topic strings, or a predicate taking the topic"
        )
    chosen = frozenset(
        _check.text(f"topics[{index}]", topic)
        for index, topic in enumerate(sorted(topics, key=str))
    )
    if not chosen:
        raise InvalidField("topics", topics, "at least one topic")
    return chosen.__contains__, "topic " + " or ".join(sorted(chosen))


def request_share(
    variant: str,
    total: int,
    about: int,
    scope: Period | None,
    moment: datetime | None,
    on_empty: OnEmpty,
) -> Ratio:
    if scope is not None:
        variant += f", in {scope.label}"
    result = Ratio(
        "share of support requests about order status",
        about,
        total,
        variant=variant,
        formula="requests about order status / all requests",
        inputs=(("requests", total), ("about order status", about)),
        unfinished=unfinished(scope, moment),
    )
    return settle(result, on_empty)
