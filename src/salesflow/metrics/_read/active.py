"""Active customers from orders (private): who purchased within a window before a moment.

Retention and churn with ``variant="orders"`` (docs/metrics.md, "Retention
and churn from an orders table") read their orders here: every item through
the one orders reader, so an Order, its events, its document and an order
record are taken as every order metric takes them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.fields import row_at
from salesflow.metrics._read.funnel_events import duration_words
from salesflow.metrics._read.orders import order_items, order_row
from salesflow.periods import Period

__all__ = ["ACTIVE_PREFIX", "ActiveWindows", "active_counts", "active_windows"]

ACTIVE_PREFIX: Final = "active = a purchase in the "
"""How a result of the rule begins its variant (``"active = a purchase in the 90 days before ..."``)."""

_EXPECTED: Final = (
    "a positive timedelta: a customer is active at a moment when they purchased within it "
    "before (timedelta(days=90))"
)


class ActiveWindows:
    """The two windows of a period (private): ``[start - window, start)`` and ``[end - window, end)``.

    ``text`` names the rule for a result's variant (``"active = a purchase in
    the 90 days before"``).
    """

    __slots__ = ("end", "end_from", "start", "start_from", "text")

    def __init__(self, period: Period, window: timedelta) -> None:
        self.start, self.end = period.start, period.end
        self.start_from, self.end_from = self.start - window, self.end - window
        self.text = f"{ACTIVE_PREFIX}{duration_words(window)} before"


def active_windows(period: Any, window: Any) -> ActiveWindows:
    """``period`` (a Period) and ``active_window`` (a positive timedelta), checked."""
    if not isinstance(period, Period):
        raise InvalidType("period", period, "a Period (Period.month(2026, 3, 'UTC'), ...)")
    if not isinstance(window, timedelta):
        raise InvalidType("active_window", window, _EXPECTED)
    if window <= timedelta(0):
        raise InvalidField("active_window", window, _EXPECTED)
    try:
        return ActiveWindows(period, window)
    except OverflowError:
        raise InvalidField(
            "active_window",
            window,
            f"a window reaching back no further than the year 1 from the period's start "
            f"({period.start.isoformat()})",
        ) from None


def active_counts(orders: Any, windows: ActiveWindows) -> tuple[int, int, int]:
    """``(customers active at the start, at the end, at both)`` of the order items ``orders``.

    A customer is active at a moment when one of their orders that is not
    cancelled was placed in the window before it (``[moment - window,
    moment)``). One pass, holding only the ids of the customers active.
    """
    at_start: set[Any] = set()
    at_end: set[Any] = set()
    start_from, start, end_from, end = (
        windows.start_from,
        windows.start,
        windows.end_from,
        windows.end,
    )
    for index, item in enumerate(order_items("orders", orders)):
        row = order_row(row_at("orders", index), item, placed=True, customer_id=True)
        if row.cancelled:
            continue
        at = row.placed_at
        assert at is not None  # read with placed=True
        if start_from <= at < start:
            at_start.add(row.customer_id)
        if end_from <= at < end:
            at_end.add(row.customer_id)
    return len(at_start), len(at_end), len(at_start & at_end)
