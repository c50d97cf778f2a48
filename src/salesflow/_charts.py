"""Vega-Lite v5 chart specifications as plain dicts, and their Altair charts (private home).

The metric tables build their rows here: a spec holds its data inline, only
JSON values (floats for plotting, ISO strings), in a fixed key order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import timedelta
from fractions import Fraction
from typing import Any, Final

from salesflow._durations import MICROSECONDS_PER_DAY, Durations, microseconds
from salesflow._results import Ratio
from salesflow.errors import MissingExtra

VEGA_LITE_SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v5.json"
OPEN_KIND: Final = "open: still worked"
RESTING_KIND: Final = "resting: won or lost"


def share(ratio: Ratio | None) -> float | None:
    """A ratio as a float for plotting, or None when undefined."""
    fraction = None if ratio is None else ratio.fraction
    return None if fraction is None else float(fraction)


def days(span: timedelta | None) -> float | None:
    """A duration in days as a float for plotting, or None."""
    if span is None:
        return None
    return float(Fraction(microseconds(span), MICROSECONDS_PER_DAY))


def chart(
    *,
    title: str,
    values: list[dict[str, Any]],
    mark: dict[str, Any],
    encoding: dict[str, Any],
    subtitle: str | None = None,
) -> dict[str, Any]:
    """One Vega-Lite v5 specification with inline data."""
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title if subtitle is None else {"text": title, "subtitle": subtitle},
        "data": {"values": values},
        "mark": mark,
        "encoding": encoding,
    }


def duration_bars(
    *,
    title: str,
    field: str,
    label: str,
    names: Sequence[str],
    times: Sequence[Durations],
    resting: Collection[str] = (),
) -> dict[str, Any]:
    """Bars of the mean days per status or stage (``field``), with count and median tooltips.

    Given ``resting`` (the lead stages where leads rest, won or lost, rather
    than stall), each row gets a ``kind`` and those bars are grey: their time
    grows with ``now``, so they are not compared with the open stages.
    """
    values = [
        {
            field: name,
            "count": durations.count,
            "ongoing": durations.ongoing,
            "mean_days": days(durations.mean),
            "median_days": days(durations.median),
            **({"kind": RESTING_KIND if name in resting else OPEN_KIND} if resting else {}),
        }
        for name, durations in zip(names, times, strict=True)
    ]
    kinds: dict[str, Any] = {}
    if resting:
        kinds["color"] = {
            "field": "kind",
            "type": "nominal",
            "title": label,
            "scale": {"domain": [OPEN_KIND, RESTING_KIND], "range": ["#4c78a8", "#bab0ac"]},
            "legend": {"orient": "bottom"},
        }
    return chart(
        title=title,
        values=values,
        mark={"type": "bar", "tooltip": True},
        encoding={
            "x": {"field": field, "type": "nominal", "sort": list(names), "title": label},
            "y": {"field": "mean_days", "type": "quantitative", "title": "Mean days"},
            **kinds,
            "tooltip": [
                {"field": field, "type": "nominal", "title": label},
                {"field": "count", "type": "quantitative", "title": "Count"},
                {"field": "ongoing", "type": "quantitative", "title": "Still in it"},
                {
                    "field": "mean_days",
                    "type": "quantitative",
                    "title": "Mean days",
                    "format": ".2f",
                },
                {
                    "field": "median_days",
                    "type": "quantitative",
                    "title": "Median days",
                    "format": ".2f",
                },
            ],
        },
    )


def _in_order(values: list[dict[str, Any]], field: str) -> list[Any]:
    """The distinct ``field`` values as they come (an explicit axis order, not text order)."""
    return list(dict.fromkeys(value[field] for value in values))


def heatmap(*, title: str, values: list[dict[str, Any]], now: str | None) -> dict[str, Any]:
    """A cohort retention heatmap: cohort x months since, coloured by the retention share.

    A cell whose month had not ended at ``now`` is outlined, and the subtitle says so: its
    share can still grow, so a pale cell there is not yet a drop.
    """
    partial = any(value["partial"] for value in values)
    return chart(
        title=title,
        subtitle=f"outlined: month not ended at {now}" if partial else None,
        values=values,
        mark={"type": "rect", "tooltip": True, "strokeWidth": 1.5},
        encoding={
            "x": {"field": "offset", "type": "ordinal", "title": "Months since first purchase"},
            "y": {
                "field": "cohort",
                "type": "ordinal",
                "title": "Cohort",
                "sort": _in_order(values, "cohort"),
            },
            "color": {
                "field": "retention",
                "type": "quantitative",
                "title": "Retention",
                "scale": {"domain": [0, 1]},
                "legend": {"format": ".0%"},
            },
            "stroke": {"condition": {"test": "datum.partial", "value": "#222222"}, "value": None},
            "tooltip": [
                {"field": "cohort", "type": "ordinal", "title": "Cohort"},
                {"field": "month", "type": "ordinal", "title": "Month"},
                {"field": "offset", "type": "ordinal", "title": "Months since"},
                {"field": "customers", "type": "quantitative", "title": "Customers"},
                {"field": "active", "type": "quantitative", "title": "Active"},
                {
                    "field": "retention",
                    "type": "quantitative",
                    "title": "Retention",
                    "format": ".1%",
                },
                {"field": "partial", "type": "nominal", "title": "Month not ended"},
            ],
        },
    )


def funnel_bars(
    *, title: str, steps: Sequence[str], values: list[dict[str, Any]]
) -> dict[str, Any]:
    """A funnel: one bar per step (in step order) of the people who reached it."""
    return chart(
        title=title,
        values=values,
        mark={"type": "bar", "tooltip": True},
        encoding={
            "x": {"field": "step", "type": "nominal", "sort": list(steps), "title": "Step"},
            "y": {"field": "reached", "type": "quantitative", "title": "Reached"},
            "tooltip": [
                {"field": "step", "type": "nominal", "title": "Step"},
                {"field": "reached", "type": "quantitative", "title": "Reached"},
                {
                    "field": "from_entry",
                    "type": "quantitative",
                    "title": "From entry",
                    "format": ".1%",
                },
                {
                    "field": "conversion",
                    "type": "quantitative",
                    "title": "Step conversion",
                    "format": ".1%",
                },
            ],
        },
    )


def revenue_bars(*, title: str, values: list[dict[str, Any]]) -> dict[str, Any]:
    """Revenue per month as bars in month order, the month-over-month growth in the tooltip."""
    return chart(
        title=title,
        values=values,
        mark={"type": "bar", "tooltip": True},
        encoding={
            "x": {
                "field": "month",
                "type": "ordinal",
                "title": "Month",
                "sort": _in_order(values, "month"),
            },
            "y": {"field": "revenue", "type": "quantitative", "title": "Revenue"},
            "tooltip": [
                {"field": "month", "type": "ordinal", "title": "Month"},
                {"field": "revenue", "type": "quantitative", "title": "Revenue", "format": ",.2f"},
                {"field": "currency", "type": "nominal", "title": "Currency"},
                {"field": "growth", "type": "quantitative", "title": "Growth", "format": ".1%"},
            ],
        },
    )


def altair_chart(spec: dict[str, Any]) -> Any:
    """The Altair chart of ``spec``; :class:`MissingExtra` when Altair is not installed."""
    try:
        import altair  # the optional viz extra, imported only when asked for
    except ImportError as error:
        if not (error.name or "altair").startswith("altair"):
            raise  # Altair is there but broken: its own error says what is missing
        raise MissingExtra("altair", "viz", feature="to_altair()") from error
    return altair.Chart.from_dict(spec)
