"""The predictions' charts as Vega-Lite v5 specifications (plain dicts), like the metrics' charts.

- :func:`holdout_chart`: a holdout comparison's mean predicted and actual
  holdout purchases by number of calibration repeat purchases;
- :func:`alive_matrix` and :class:`AliveMatrix`: a fitted purchase model's
  P(alive) on a grid of frequency by first-to-last, drawn as a heatmap;
- :func:`rfm_map`: the RFM segment map, R by FM, each cell coloured by its
  segment and labelled with its customers.

The methods of the result types (``HoldoutComparison.to_vega_lite``,
``PurchaseModel.alive_matrix``, ``RFMScores.to_vega_lite``) call these. Floats
here are for plotting only; the exact figures stay on the tables.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

import attrs

from salesflow import _charts
from salesflow.errors import InvalidField, InvalidType
from salesflow.predict._numeric import np
from salesflow.predict.inputs import ModelInput

if TYPE_CHECKING:
    from salesflow.predict._holdout import HoldoutComparison
    from salesflow.predict._purchases import PurchaseModel
    from salesflow.predict._rfm import RFMScores

__all__ = ["AliveMatrix", "alive_matrix", "holdout_chart", "rfm_map"]

#: The most cells :func:`alive_matrix` computes (and a heatmap draws).
MAX_CELLS: Final = 50_000
#: The most repeat purchases a row of :func:`alive_matrix` may stand for.
MAX_FREQUENCY: Final = 1_000
_MODEL_NAMES: Final = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "pareto_nbd": "Pareto/NBD"}
_SERIES: Final = ("actual", "predicted")


# -- 1. the holdout check ---------------------------------------------------------------------


def holdout_chart(comparison: HoldoutComparison) -> dict[str, Any]:
    """Mean predicted and actual holdout purchases per calibration group, as two lines.

    One data row per group of ``comparison.by_frequency`` (its fields, and
    ``group``, the x label: "0", "1", ... and "k+" for the open-ended last
    group); a fold transform makes the two series.
    """
    values = [
        {
            "group": f"{g.calibration_purchases}+" if g.and_more else str(g.calibration_purchases),
            "calibration_purchases": g.calibration_purchases,
            "and_more": g.and_more,
            "customers": g.customers,
            "predicted": g.predicted,
            "actual": g.actual,
        }
        for g in comparison.by_frequency
    ]
    customers = len(comparison.customer_ids)
    spec = _charts.chart(
        title="Predicted vs actual purchases in the holdout",
        subtitle=(
            f"{customers:,} customers by repeat purchases in calibration; in all "
            f"{comparison.predicted_total:.1f} predicted, {comparison.actual_total:.0f} actual"
        ),
        values=values,
        mark={"type": "line", "point": True, "tooltip": True},
        encoding={
            "x": {
                "field": "group",
                "type": "ordinal",
                "sort": [value["group"] for value in values],
                "title": "Repeat purchases in calibration",
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "purchases",
                "type": "quantitative",
                "title": "Mean purchases in the holdout",
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "title": "Holdout purchases",
                "scale": {"domain": list(_SERIES), "range": ["#4c78a8", "#f58518"]},
                "legend": {"orient": "bottom"},
            },
            "tooltip": [
                {"field": "group", "type": "ordinal", "title": "Calibration purchases"},
                {"field": "customers", "type": "quantitative", "title": "Customers"},
                {"field": "actual", "type": "quantitative", "title": "Actual", "format": ".3f"},
                {
                    "field": "predicted",
                    "type": "quantitative",
                    "title": "Predicted",
                    "format": ".3f",
                },
            ],
        },
    )
    spec["transform"] = [{"fold": list(_SERIES), "as": ["series", "purchases"]}]
    spec["width"] = 400
    return spec


# -- 2. P(alive) by frequency and first-to-last --------------------------------------------------


@attrs.frozen
class AliveMatrix:
    """P(alive) of a hypothetical customer on a grid of frequency by first-to-last.

    Each cell is a customer whose first purchase was ``first_to_end`` time
    units (``unit``) before the end of calibration, with ``frequency`` repeat
    purchases, the last ``first_to_last`` after the first, and that
    customer's P(alive) under ``model`` ("bgnbd", "mbgnbd" or "pareto_nbd").
    ``cells`` holds (frequency, first_to_last, p_alive), by frequency, then
    first_to_last. A customer without repeat purchases has first_to_last 0
    and one with repeat purchases more than 0, so frequency 0 is one cell (at
    0) and the other rows start at 1.
    """

    model: str
    unit: str
    first_to_end: float
    cells: tuple[tuple[int, float, float], ...]

    def __len__(self) -> int:
        return len(self.cells)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per cell: frequency (int), first_to_last and p_alive (floats)."""
        return [{"frequency": x, "first_to_last": t_x, "p_alive": p} for x, t_x, p in self.cells]

    def to_vega_lite(self) -> dict[str, Any]:
        """A Vega-Lite v5 heatmap (a plain dict): frequency by first_to_last, coloured by P(alive).

        The data rows are :meth:`to_records`; the most frequent buyers are at
        the top, the most recent last purchases on the right. See
        docs/predict.md ("Charts").
        """
        name = _MODEL_NAMES.get(self.model, self.model)
        spec = _charts.chart(
            title="P(alive) by frequency and first-to-last",
            subtitle=(
                f"{name}: customers whose first purchase was {self.first_to_end:g} "
                f"{self.unit} before the end of calibration"
            ),
            values=self.to_records(),
            mark={"type": "rect", "tooltip": True},
            encoding={
                "x": {
                    "field": "first_to_last",
                    "type": "ordinal",
                    "title": f"First to last purchase ({self.unit})",
                    "axis": {"labelAngle": 0},
                },
                "y": {
                    "field": "frequency",
                    "type": "ordinal",
                    "sort": "descending",
                    "title": "Repeat purchases (frequency)",
                },
                "color": {
                    "field": "p_alive",
                    "type": "quantitative",
                    "title": "P(alive)",
                    "scale": {"domain": [0, 1], "scheme": "viridis"},
                    "legend": {"format": ".0%"},
                },
                "tooltip": [  # titles as on the axes: a cell's description names each once
                    {
                        "field": "frequency",
                        "type": "ordinal",
                        "title": "Repeat purchases (frequency)",
                    },
                    {
                        "field": "first_to_last",
                        "type": "ordinal",
                        "title": f"First to last purchase ({self.unit})",
                    },
                    {
                        "field": "p_alive",
                        "type": "quantitative",
                        "title": "P(alive)",
                        "format": ".1%",
                    },
                ],
            },
        )
        spec["width"], spec["height"] = 480, 360
        return spec

    def to_altair(self) -> Any:
        """:meth:`to_vega_lite` as an ``altair.Chart`` (needs ``pip install 'salesflow[viz]'``)."""
        return _charts.altair_chart(self.to_vega_lite())


def _time(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InvalidType(name, value, "a number of time units, at least 1")
    number = float(value)
    if not math.isfinite(number) or number < 1:
        raise InvalidField(name, value, "a finite number of time units, at least 1")
    return number


def alive_matrix(
    model: PurchaseModel,
    *,
    first_to_end: Any,
    max_frequency: Any,
    max_first_to_last: Any = None,
) -> AliveMatrix:
    """``model``'s P(alive) for frequency 0..max_frequency by first_to_last 0, 1, ... whole units.

    See :meth:`PurchaseModel.alive_matrix`, which calls this.
    """
    big_t = _time("first_to_end", first_to_end)
    expected = f"a whole number of repeat purchases from 1 to {MAX_FREQUENCY:,}"
    if isinstance(max_frequency, bool) or not isinstance(max_frequency, int | np.integer):
        raise InvalidType("max_frequency", max_frequency, expected)
    if not 1 <= max_frequency <= MAX_FREQUENCY:
        raise InvalidField("max_frequency", max_frequency, expected)
    rows = int(max_frequency)
    if max_first_to_last is None:
        named, latest = "first_to_end", big_t
    else:
        named, latest = "max_first_to_last", _time("max_first_to_last", max_first_to_last)
        if latest > big_t:
            raise InvalidField(
                "max_first_to_last", max_first_to_last, f"at most first_to_end ({big_t:g})"
            )
    columns = math.floor(latest)  # first_to_last 1, 2, ... columns (and 0 for frequency 0)
    cells = 1 + rows * columns
    if cells > MAX_CELLS:
        raise InvalidField(
            named,
            max_first_to_last if max_first_to_last is not None else first_to_end,
            f"a grid of at most {MAX_CELLS:,} cells (max_frequency rows by whole "
            f"{model.unit} of first_to_last)" + (f", not {cells:,}" if cells < 10**12 else ""),
        )
    frequency = [0] + [x for x in range(1, rows + 1) for _ in range(columns)]
    first_to_last = [0.0] + [float(t) for _ in range(rows) for t in range(1, columns + 1)]
    table = ModelInput(
        frequency=frequency,
        first_to_last=first_to_last,
        first_to_end=[big_t] * cells,
        unit=model.unit,
    )
    p_alive = model.p_alive(table)
    return AliveMatrix(
        model=model.NAME,
        unit=model.unit,
        first_to_end=big_t,
        cells=tuple(
            (x, t_x, float(p))
            for x, t_x, p in zip(frequency, first_to_last, p_alive.tolist(), strict=True)
        ),
    )


# -- 3. the RFM segment map -------------------------------------------------------------------


def rfm_cells(scores: RFMScores) -> list[dict[str, Any]]:
    """One dict per (R, FM) cell, R 5 to 1, FM 1 to 5 in halves: r, fm, segment, customers."""
    from salesflow.predict._rfm import _HALVES, _SCORES, _segment

    counts: dict[tuple[int, Fraction], int] = {}
    for row in scores.rows:
        key = (row.r, Fraction(row.f + row.m, 2))
        counts[key] = counts.get(key, 0) + 1
    return [
        {
            "r": r,
            "fm": float(fm),
            "segment": _segment(scores.rules, r, fm),
            "customers": counts.get((r, fm), 0),
        }
        for r in reversed(_SCORES)
        for fm in _HALVES
    ]


def _distinct(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def rfm_map(scores: RFMScores) -> dict[str, Any]:
    """The RFM segment map: R (y) by FM (x), each cell coloured by its segment, its count on it."""
    values = rfm_cells(scores)
    segments = _distinct(rule[0] for rule in scores.rules)
    tooltip = [
        {"field": "segment", "type": "nominal", "title": "Segment"},
        {"field": "r", "type": "ordinal", "title": "R"},
        {"field": "fm", "type": "ordinal", "title": "FM"},
        {"field": "customers", "type": "quantitative", "title": "Customers"},
    ]
    return {
        "$schema": _charts.VEGA_LITE_SCHEMA,
        "title": {
            "text": "RFM segments",
            "subtitle": f"{len(scores):,} customers scored at {scores.now.isoformat()}",
        },
        "data": {"values": values},
        "width": 480,
        "height": 270,
        "encoding": {
            "x": {
                "field": "fm",
                "type": "ordinal",
                "title": "FM: mean of the F and M scores",
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "r",
                "type": "ordinal",
                "sort": "descending",
                "title": "R score (5: bought most recently)",
            },
            "tooltip": tooltip,
        },
        "layer": [
            {
                "mark": {"type": "rect", "stroke": "#ffffff", "strokeWidth": 1},
                "encoding": {
                    "color": {
                        "field": "segment",
                        "type": "nominal",
                        "title": "Segment",
                        "scale": {"domain": segments, "scheme": "set3"},
                    }
                },
            },
            {
                "mark": {"type": "text", "fontSize": 13},
                "encoding": {
                    "text": {"field": "customers", "type": "quantitative"},
                    "color": {
                        "condition": {"test": "datum.customers === 0", "value": "#9a9a9a"},
                        "value": "#222222",
                    },
                },
            },
        ],
    }
