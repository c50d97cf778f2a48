"""The predictions' charts: the holdout check, P(alive) by frequency and recency, the RFM map.

Each is a plain Vega-Lite v5 dict with its data inline (valid by Altair's
schema, as the metrics' charts are checked), whose data rows are the table's
records, and ``to_altair()`` gives its chart.
"""

from __future__ import annotations

import builtins
import json
import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from random import Random

import attrs
import pytest

from salesflow import InvalidField, InvalidType, SalesflowError
from salesflow.predict import calibration_holdout, fit, rfm
from salesflow.predict._bgnbd import BGNBD
from salesflow.predict._holdout import FrequencyGroup, HoldoutComparison
from salesflow.predict._mbgnbd import MBGNBD
from salesflow.predict._numeric import Convergence, np
from salesflow.predict.inputs import ModelInput

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
START = datetime(2026, 1, 5, tzinfo=UTC)
CONVERGED = Convergence(converged=True, iterations=1, message="given", gradient_norm=0.0)
# The published CDNOW BG/NBD fit (Fader, Hardie and Lee 2005).
CDNOW_BGNBD = BGNBD(
    r=0.243,
    alpha=4.414,
    a=0.793,
    b=2.426,
    log_likelihood=-9582.4,
    standard_errors=None,
    convergence=CONVERGED,
    unit="weeks",
)


def _world(customers=400, seed=5):
    """Orders from a seeded BG/NBD world over 40 weeks, with amounts that differ."""
    rng, orders = Random(seed), []
    for n in range(customers):
        rate, drop, day = rng.gammavariate(0.6, 1 / 4), rng.betavariate(1, 3), rng.uniform(0, 60)
        while day < 280:
            placed = START + timedelta(days=day)
            amount = str(rng.randint(5, 90))
            orders.append({"customer_id": n, "placed_at": placed, "amount": amount})
            if rng.random() < drop:
                break
            day += rng.expovariate(rate) * 7
    return orders


@pytest.fixture(scope="module")
def split():
    return calibration_holdout(
        _world(),
        calibration_end=START + timedelta(weeks=26),
        holdout_end=START + timedelta(weeks=40),
        unit="weeks",
    )


@pytest.fixture(scope="module")
def comparison(split):
    return split.compare(fit(split.calibration, model="bgnbd"), groups=4)


def _json_and_stable(make):
    first, second = make(), make()
    text = json.dumps(first, allow_nan=False)
    assert text == json.dumps(second, allow_nan=False)
    assert json.loads(text) == first


def _no_altair(monkeypatch):
    real_import = builtins.__import__

    def no_altair(name, *args, **kwargs):
        if name == "altair" or name.startswith("altair."):
            raise ImportError("No module named 'altair'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_altair)


# -- the holdout check ------------------------------------------------------------------------


def test_the_holdout_chart_has_one_row_per_frequency_group_the_last_labelled_k_plus(comparison):
    spec = comparison.to_vega_lite()

    rows = spec["data"]["values"]
    assert [row["group"] for row in rows] == ["0", "1", "2", "3+"]
    assert [{k: v for k, v in row.items() if k != "group"} for row in rows] == [
        attrs.asdict(group) for group in comparison.by_frequency
    ]
    assert spec["encoding"]["x"]["sort"] == ["0", "1", "2", "3+"]


def test_the_holdout_chart_draws_actual_and_predicted_means_by_calibration_purchases(comparison):
    spec = comparison.to_vega_lite()

    assert spec["$schema"] == SCHEMA
    assert spec["mark"]["type"] == "line"
    assert spec["transform"] == [{"fold": ["actual", "predicted"], "as": ["series", "purchases"]}]
    encoding = spec["encoding"]
    assert (encoding["x"]["field"], encoding["x"]["type"]) == ("group", "ordinal")
    assert (encoding["y"]["field"], encoding["y"]["type"]) == ("purchases", "quantitative")
    assert encoding["color"]["field"] == "series"
    assert encoding["color"]["scale"]["domain"] == ["actual", "predicted"]


def test_the_holdout_points_are_the_means_of_the_customers_in_each_group(split, comparison):
    rows = comparison.to_vega_lite()["data"]["values"]
    levels = [min(int(x), 3) for x in split.calibration.frequency]

    for row in rows:
        level = row["calibration_purchases"]
        members = [i for i, capped in enumerate(levels) if capped == level]
        assert row["customers"] == len(members)
        actual = math.fsum(float(comparison.actual[i]) for i in members) / len(members)
        predicted = math.fsum(float(comparison.predicted[i]) for i in members) / len(members)
        assert math.isclose(row["actual"], actual, rel_tol=1e-12)
        assert math.isclose(row["predicted"], predicted, rel_tol=1e-12)
    assert sum(row["customers"] for row in rows) == len(split.calibration)


def test_a_group_that_is_not_open_ended_keeps_its_plain_label():
    groups = (
        FrequencyGroup(
            calibration_purchases=0, and_more=False, customers=3, predicted=0.5, actual=0.0
        ),
        FrequencyGroup(
            calibration_purchases=2, and_more=False, customers=1, predicted=1.5, actual=2.0
        ),
    )
    table = HoldoutComparison(
        customer_ids=(1, 2, 3, 4),
        predicted=np.zeros(4),
        actual=np.zeros(4),
        by_frequency=groups,
        predicted_total=3.0,
        actual_total=2.0,
        mean_absolute_error=0.5,
    )

    assert [row["group"] for row in table.to_vega_lite()["data"]["values"]] == ["0", "2"]


# -- P(alive) by frequency and first-to-last ----------------------------------------------------


def _bgnbd_p_alive(model, x, t_x, big_t):
    """Fader, Hardie and Lee (2005), eq. 11, written out with math."""
    if x == 0:
        return 1.0
    odds = (
        model.a / (model.b + x - 1) * ((model.alpha + big_t) / (model.alpha + t_x)) ** (model.r + x)
    )
    return 1 / (1 + odds)


def _mbgnbd_p_alive(model, x, t_x, big_t):
    """Batislam, Denizel and Filiztekin (2007): dropout possible after every purchase."""
    odds = model.a / (model.b + x) * ((model.alpha + big_t) / (model.alpha + t_x)) ** (model.r + x)
    return 1 / (1 + odds)


def test_the_alive_matrix_is_bgnbd_p_alive_on_the_grid_by_the_closed_form():
    matrix = CDNOW_BGNBD.alive_matrix(first_to_end=38.86, max_frequency=29)

    records = matrix.to_records()
    assert len(matrix) == len(records) == 1 + 29 * 38
    assert records[0] == {"frequency": 0, "first_to_last": 0.0, "p_alive": 1.0}
    for record in records:
        expected = _bgnbd_p_alive(CDNOW_BGNBD, record["frequency"], record["first_to_last"], 38.86)
        assert math.isclose(record["p_alive"], expected, rel_tol=1e-12)


def test_the_alive_matrix_grid_is_frequency_by_whole_units_of_first_to_last():
    cells = CDNOW_BGNBD.alive_matrix(
        first_to_end=10, max_frequency=3, max_first_to_last=4.5
    ).to_records()

    assert [(c["frequency"], c["first_to_last"]) for c in cells] == [(0, 0.0)] + [
        (x, float(t)) for x in (1, 2, 3) for t in (1, 2, 3, 4)
    ]


def test_the_alive_matrix_of_mbgnbd_has_one_time_buyers_below_one():
    model = MBGNBD(
        r=0.525,
        alpha=6.183,
        a=0.891,
        b=1.614,
        log_likelihood=-9582.13,
        standard_errors=None,
        convergence=CONVERGED,
        unit="weeks",
    )

    matrix = model.alive_matrix(first_to_end=20, max_frequency=5)

    assert (matrix.model, matrix.unit, matrix.first_to_end) == ("mbgnbd", "weeks", 20.0)
    for record in matrix.to_records():
        expected = _mbgnbd_p_alive(model, record["frequency"], record["first_to_last"], 20.0)
        assert math.isclose(record["p_alive"], expected, rel_tol=1e-12)
    assert matrix.to_records()[0]["p_alive"] < 1


def test_the_pareto_nbd_alive_matrix_is_its_p_alive_of_the_same_customers(cdnow):
    model = fit(cdnow, model="pareto_nbd")
    matrix = model.alive_matrix(first_to_end=30, max_frequency=8, max_first_to_last=12)
    records = matrix.to_records()
    table = ModelInput(
        frequency=[r["frequency"] for r in records],
        first_to_last=[r["first_to_last"] for r in records],
        first_to_end=[30.0] * len(records),
    )

    assert [r["p_alive"] for r in records] == model.p_alive(table).tolist()


def test_p_alive_grows_with_a_later_last_purchase_at_every_frequency(cdnow):
    for name in ("bgnbd", "mbgnbd", "pareto_nbd"):
        matrix = fit(cdnow, model=name).alive_matrix(first_to_end=38.86, max_frequency=10)
        for x in range(1, 11):
            row = [c[2] for c in matrix.cells if c[0] == x]
            assert row == sorted(row), (name, x)
            assert all(0 <= p <= 1 for p in row)


def test_the_alive_matrix_heatmap_encodes_frequency_by_first_to_last_coloured_by_p_alive():
    matrix = CDNOW_BGNBD.alive_matrix(first_to_end=12, max_frequency=4)

    spec = matrix.to_vega_lite()

    assert spec["$schema"] == SCHEMA
    assert spec["mark"]["type"] == "rect"
    assert spec["data"]["values"] == matrix.to_records()
    encoding = spec["encoding"]
    assert (encoding["x"]["field"], encoding["x"]["type"]) == ("first_to_last", "ordinal")
    assert (encoding["y"]["field"], encoding["y"]["sort"]) == ("frequency", "descending")
    assert encoding["color"]["field"] == "p_alive"
    assert encoding["color"]["scale"]["domain"] == [0, 1]
    assert "BG/NBD" in spec["title"]["subtitle"]
    assert "12 weeks" in spec["title"]["subtitle"]


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"first_to_end": "39", "max_frequency": 5}, InvalidType, r"^first_to_end: got '39'"),
        ({"first_to_end": True, "max_frequency": 5}, InvalidType, r"^first_to_end: got True"),
        ({"first_to_end": 0.5, "max_frequency": 5}, InvalidField, r"^first_to_end: got 0\.5"),
        ({"first_to_end": math.nan, "max_frequency": 5}, InvalidField, r"^first_to_end: got nan"),
        ({"first_to_end": math.inf, "max_frequency": 5}, InvalidField, r"^first_to_end: got inf"),
        ({"first_to_end": 10, "max_frequency": 0}, InvalidField, r"^max_frequency: got 0"),
        ({"first_to_end": 10, "max_frequency": 1001}, InvalidField, r"^max_frequency: got 1001"),
        ({"first_to_end": 10, "max_frequency": 2.0}, InvalidType, r"^max_frequency: got 2\.0"),
        ({"first_to_end": 10, "max_frequency": True}, InvalidType, r"^max_frequency: got True"),
        (
            {"first_to_end": 10, "max_frequency": 5, "max_first_to_last": 11},
            InvalidField,
            r"^max_first_to_last: got 11, expected at most first_to_end \(10\)",
        ),
        (
            {"first_to_end": 10, "max_frequency": 5, "max_first_to_last": 0.9},
            InvalidField,
            r"^max_first_to_last: got 0\.9",
        ),
        (
            {"first_to_end": 10, "max_frequency": 5, "max_first_to_last": "5"},
            InvalidType,
            r"^max_first_to_last: got '5'",
        ),
    ],
)
def test_bad_alive_matrix_arguments_are_refused_naming_them(arguments, error, message):
    with pytest.raises(error, match=message):
        CDNOW_BGNBD.alive_matrix(**arguments)


def test_a_grid_too_large_to_draw_is_refused_before_anything_is_computed():
    with pytest.raises(InvalidField, match=r"^first_to_end: got 1e\+300, .*at most 50,000 cells"):
        CDNOW_BGNBD.alive_matrix(first_to_end=1e300, max_frequency=10)
    with pytest.raises(InvalidField, match=r"^max_first_to_last: got 5001, .*, not 50,011$"):
        CDNOW_BGNBD.alive_matrix(first_to_end=1e300, max_frequency=10, max_first_to_last=5001)
    largest = CDNOW_BGNBD.alive_matrix(first_to_end=5000, max_frequency=9, max_first_to_last=5000)
    assert len(largest) == 45_001


# -- the RFM segment map ------------------------------------------------------------------------

# The default segment table's grid as docs/predict.md ("RFM segments") states it.
GRID = {
    5: ("new", "potential loyalists", "loyal", "champions"),
    4: ("promising", "potential loyalists", "loyal", "champions"),
    3: ("about to sleep", "need attention", "need attention", "loyal"),
    2: ("hibernating", "about to sleep", "at risk", "at risk"),
    1: ("lost", "hibernating", "at risk", "can't lose them"),
}


def _column(fm):
    return 0 if fm <= 1.5 else 1 if fm <= 2.5 else 2 if fm <= 3.5 else 3


@pytest.fixture(scope="module")
def scores():
    return rfm(_world(), now=START + timedelta(weeks=40))


def test_the_rfm_map_has_every_r_by_fm_cell_with_the_segment_the_table_gives_it(scores):
    rows = scores.to_vega_lite()["data"]["values"]

    assert [(row["r"], row["fm"]) for row in rows] == [
        (r, fm / 2) for r in (5, 4, 3, 2, 1) for fm in range(2, 11)
    ]
    assert all(row["segment"] == GRID[row["r"]][_column(row["fm"])] for row in rows)


def test_each_rfm_cell_counts_its_customers(scores):
    counted = Counter(
        (record["r"], (record["f"] + record["m"]) / 2) for record in scores.to_records()
    )

    rows = scores.to_vega_lite()["data"]["values"]

    assert {(row["r"], row["fm"]): row["customers"] for row in rows if row["customers"]} == counted
    assert sum(row["customers"] for row in rows) == len(scores) == 400


def test_the_rfm_map_is_a_coloured_grid_with_the_counts_written_on_it(scores):
    spec = scores.to_vega_lite()

    assert spec["$schema"] == SCHEMA
    assert (spec["encoding"]["x"]["field"], spec["encoding"]["y"]["field"]) == ("fm", "r")
    assert spec["encoding"]["y"]["sort"] == "descending"
    cells, labels = spec["layer"]
    assert cells["mark"]["type"] == "rect"
    assert cells["encoding"]["color"]["field"] == "segment"
    assert cells["encoding"]["color"]["scale"]["domain"] == list(scores.segments())
    assert labels["mark"]["type"] == "text"
    assert labels["encoding"]["text"]["field"] == "customers"


def test_the_rfm_map_of_a_custom_table_colours_its_own_segments():
    table = [("recent", (4, 5), (1, 5)), ("fading", (1, 3), (1, 5))]
    orders = [
        {"customer_id": "ada", "placed_at": START, "amount": "10"},
        {"customer_id": "bob", "placed_at": START + timedelta(days=20), "amount": "30"},
    ]

    spec = rfm(orders, now=START + timedelta(days=30), segments=table).to_vega_lite()

    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["recent", "fading"]
    assert {row["segment"] for row in spec["data"]["values"] if row["r"] >= 4} == {"recent"}
    assert Counter(row["customers"] for row in spec["data"]["values"]) == {0: 43, 1: 2}


def test_the_rfm_map_of_no_customers_is_the_empty_grid():
    spec = rfm([], now=START).to_vega_lite()

    assert len(spec["data"]["values"]) == 45
    assert {row["customers"] for row in spec["data"]["values"]} == {0}


def test_the_rfm_cells_keep_fm_halves_exact():
    assert [Fraction(h, 2) for h in range(2, 11)] == [
        Fraction(row["fm"]) for row in rfm([], now=START).to_vega_lite()["data"]["values"][:9]
    ]


# -- all three: JSON, the same on every call, valid, and their Altair charts ----------------------


def _builds(comparison, scores):
    return {
        "holdout": comparison,
        "alive": CDNOW_BGNBD.alive_matrix(first_to_end=20, max_frequency=6),
        "rfm": scores,
    }


@pytest.mark.parametrize("which", ["holdout", "alive", "rfm"])
def test_every_prediction_spec_is_json_and_the_same_on_every_call(which, comparison, scores):
    table = _builds(comparison, scores)[which]
    _json_and_stable(table.to_vega_lite)


@pytest.mark.parametrize("which", ["holdout", "alive", "rfm"])
def test_every_prediction_spec_is_valid_vega_lite_and_to_altair_gives_its_chart(
    which, comparison, scores
):
    import altair  # the test extra has it

    table = _builds(comparison, scores)[which]
    spec = table.to_vega_lite()

    altair.Chart.from_dict(spec, validate=True)  # raises when invalid
    chart = table.to_altair()

    drawn = chart.to_dict()
    assert isinstance(chart, altair.LayerChart if which == "rfm" else altair.Chart)
    assert drawn["datasets"][drawn["data"]["name"]] == spec["data"]["values"]
    assert drawn["encoding"] == spec["encoding"]
    if which == "rfm":
        assert [layer["encoding"] for layer in drawn["layer"]] == [
            layer["encoding"] for layer in spec["layer"]
        ]


@pytest.mark.parametrize("which", ["holdout", "alive", "rfm"])
def test_to_altair_without_altair_says_which_extra_to_install(
    which, comparison, scores, monkeypatch
):
    table = _builds(comparison, scores)[which]
    _no_altair(monkeypatch)

    with pytest.raises(SalesflowError, match=r"pip install 'salesflow\[viz\]'"):
        table.to_altair()
