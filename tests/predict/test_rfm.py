"""RFM scores and segments, and the churn-risk list."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow import Money
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType
from salesflow.metrics import customer_summary
from salesflow.predict import fit, rfm
from salesflow.predict.inputs import ModelInput
from salesflow.predict.segments import DEFAULT_RFM_SEGMENTS

NOW = datetime(2026, 6, 30, tzinfo=UTC)
SEGMENTS = (
    "champions",
    "loyal",
    "potential loyalists",
    "new",
    "promising",
    "need attention",
    "about to sleep",
    "at risk",
    "can't lose them",
    "hibernating",
    "lost",
)


def _order(customer, days_ago, amount):
    return {"customer_id": customer, "placed_at": NOW - timedelta(days=days_ago), "amount": amount}


orders = st.lists(
    st.tuples(
        st.one_of(st.integers(0, 30), st.sampled_from(["ada", "bob", "cy", "dee", "eve"])),
        st.integers(0, 400),
        st.integers(0, 500).map(lambda cents: Decimal(cents) / 4),
    ),
    min_size=1,
    max_size=60,
).map(lambda rows: [_order(*row) for row in rows])


# -- RFM scores ----------------------------------------------------------------------------


@settings(max_examples=200)
@given(orders)
def test_scores_are_within_1_to_5_and_every_customer_has_one_of_the_tables_segments(records):
    scores = rfm(records, now=NOW)

    assert {row.customer_id for row in scores.rows} == {r["customer_id"] for r in records}
    for row in scores.rows:
        assert {row.r, row.f, row.m} <= {1, 2, 3, 4, 5}
        assert row.segment in SEGMENTS
    assert sum(scores.segments().values()) == len(scores)


@settings(max_examples=200)
@given(orders)
def test_a_better_value_never_gets_a_lower_score_and_equal_values_get_equal_scores(records):
    rows = rfm(records, now=NOW).rows

    for one in rows:
        for other in rows:
            if one.recency <= other.recency:
                assert one.r >= other.r
            if one.frequency >= other.frequency:
                assert one.f >= other.f
            if one.monetary >= other.monetary:
                assert one.m >= other.m


@settings(max_examples=100)
@given(orders, st.randoms(use_true_random=False))
def test_the_order_of_the_records_never_changes_the_scores(records, rng):
    shuffled = list(records)
    rng.shuffle(shuffled)

    assert rfm(shuffled, now=NOW).to_records() == rfm(records, now=NOW).to_records()


def test_ten_distinct_values_fall_two_to_each_quintile():
    records = [_order(n, days_ago=n + 1, amount=str(10 * (n + 1))) for n in range(10)]

    scores = rfm(records, now=NOW)

    assert [row.r for row in scores.rows] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert [row.m for row in scores.rows] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [row.f for row in scores.rows] == [1] * 10  # all tied: no one is strictly worse


def test_a_tie_takes_the_score_of_its_lowest_rank():
    # Spend 5 (x4), 10, 20, 30, 40, 50, 60 over ten customers: the tied four share rank 0.
    amounts = ["5", "5", "5", "5", "10", "20", "30", "40", "50", "60"]
    records = [_order(n, days_ago=1, amount=a) for n, a in enumerate(amounts)]

    scores = rfm(records, now=NOW)

    assert [row.m for row in scores.rows] == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]


def test_records_give_recency_frequency_and_total_spend():
    records = [
        _order("ada", 40, Money("10.50", "EUR")),
        _order("ada", 5, Money("4.50", "EUR")),
        _order("bob", 90, Money("7", "EUR")),
    ]

    scores = rfm(records, now=NOW)

    ada, bob = scores.to_records()
    assert (ada["recency"], ada["frequency"], ada["monetary"]) == (
        timedelta(days=5),
        2,
        Decimal("15.00"),
    )
    assert (bob["recency"], bob["frequency"], bob["monetary"]) == (timedelta(days=90), 1, 7)
    assert scores.currency == "EUR"
    assert ada["rfm"] == f"{ada['r']}{ada['f']}{ada['m']}"


def test_a_customer_summary_scores_as_its_records_do():
    records = [
        {**_order(cid, days, str(amount)), "order_id": str(n), "currency": "EUR"}
        for n, (cid, days, amount) in enumerate(
            [("ada", 3, 40), ("ada", 50, 10), ("bob", 9, 25), ("cy", 120, 5), ("dee", 30, 70)]
        )
    ]

    from_summary = rfm(customer_summary(records, now=NOW, basis="gross"))
    from_records = rfm(records, now=NOW)

    assert from_summary.to_records() == from_records.to_records()
    assert from_summary.now == NOW


def test_the_default_table_names_all_eleven_segments_and_one_for_every_r_and_fm():
    names = {rule[0] for rule in DEFAULT_RFM_SEGMENTS}
    cells = {
        (r, half): [
            rule[0]
            for rule in DEFAULT_RFM_SEGMENTS
            if rule[1][0] <= r <= rule[1][1] and rule[2][0] <= half / 2 <= rule[2][1]
        ]
        for r in range(1, 6)
        for half in range(2, 11)
    }

    assert names == set(SEGMENTS)
    assert all(len(found) == 1 for found in cells.values())  # no cell is left to rule order
    assert cells[5, 10] == ["champions"]
    assert cells[1, 10] == ["can't lose them"]
    assert cells[5, 2] == ["new"]
    assert cells[1, 2] == ["lost"]


def test_a_table_of_the_callers_own_replaces_the_default_first_match_winning():
    records = [_order(n, days_ago=n + 1, amount=str(n + 1)) for n in range(5)]
    table = [
        ("best", (5, 5), (1, 5)),
        ("best-but-shadowed", (5, 5), (1, 5)),
        ("rest", (1, 5), (1, 5)),
    ]

    scores = rfm(records, now=NOW, segments=table)

    assert [row.segment for row in scores.rows] == ["best", "rest", "rest", "rest", "rest"]
    assert scores.segments() == {"best": 1, "best-but-shadowed": 0, "rest": 4}


def test_a_table_that_leaves_a_cell_without_a_segment_is_refused():
    table = [("recent", (3, 5), (1, 5)), ("old", (1, 2), (1, 4.5))]

    with pytest.raises(InvalidField, match=r"segments: .*none holds R 1, FM 5"):
        rfm([_order("ada", 1, "5")], now=NOW, segments=table)


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ("champions", "segments"),
        ([("x", (1, 5))], r"segments\[0\]"),
        ([("", (1, 5), (1, 5))], r"segments\[0\]\[0\]"),
        ([("x", (0, 5), (1, 5))], r"segments\[0\]\[1\]"),
        ([("x", (1, 4.5), (1, 5))], r"segments\[0\]\[1\]"),
        ([("x", (1, 5), (5, 1))], r"segments\[0\]\[2\]"),
        ([("x", (1, 5), (1, "5"))], r"segments\[0\]\[2\]"),
    ],
)
def test_a_malformed_rule_is_refused_naming_it(table, field):
    with pytest.raises((InvalidField, InvalidType), match=rf"^{field}: "):
        rfm([_order("ada", 1, "5")], now=NOW, segments=table)


@pytest.mark.parametrize(
    ("records", "now", "field"),
    [
        ([_order("ada", 1, "5")], None, "now"),
        ([_order("ada", 1, "5")], datetime(2026, 6, 30), "now"),
        ([_order("ada", 1, 5.0)], NOW, r"customers\[0\]\.amount"),
        ([_order("ada", 1, "-1")], NOW, r"customers\[0\]\.amount"),
        ([_order("ada", 1, "5"), _order("bob", -1, "5")], NOW, r"customers\[1\]\.placed_at"),
        ([{"customer_id": "ada", "amount": "5"}], NOW, r"customers\[0\]\.placed_at"),
        ([_order(True, 1, "5")], NOW, r"customers\[0\]\.customer_id"),
        ([{**_order("ada", 1, "5"), "currency": 3}], NOW, r"customers\[0\]\.currency"),
        ([{**_order("ada", 1, "5"), "currency": "euro"}], NOW, r"customers\[0\]\.currency"),
        ([_order("", 1, "5")], NOW, r"customers\[0\]\.customer_id"),
        ("ada", NOW, "customers"),
        ([("ada", NOW, "5")], NOW, r"customers\[0\]"),
    ],
)
def test_bad_input_is_refused_naming_the_field(records, now, field):
    with pytest.raises((InvalidField, InvalidType), match=rf"^{field}: "):
        rfm(records, now=now)


def test_a_second_currency_is_refused():
    records = [_order("ada", 1, Money("5", "EUR")), _order("bob", 1, Money("5", "USD"))]

    with pytest.raises(CurrencyMismatch, match=r"^customers\[1\]\.amount: "):
        rfm(records, now=NOW)


def test_a_now_other_than_the_summarys_is_refused():
    summary = customer_summary(
        [{**_order("ada", 1, "5"), "order_id": "1", "currency": "EUR"}], now=NOW
    )

    with pytest.raises(InvalidField, match=r"^now: "):
        rfm(summary, now=NOW + timedelta(days=1))


# -- the churn-risk list -------------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted(cdnow):
    return (
        fit(cdnow, model="bgnbd"),
        fit(cdnow, model="pareto_nbd"),
        fit(cdnow, model="gamma_gamma"),
    )


def test_the_churn_list_runs_from_the_lowest_p_alive_ties_by_value_then_id(cdnow, fitted):
    bgnbd, _, spend = fitted

    risk = bgnbd.churn_risk(cdnow, spend=spend, horizon=52)

    records = risk.to_records()
    assert len(records) == len(cdnow)
    assert [r["rank"] for r in records] == list(range(1, len(cdnow) + 1))
    keys = [(r["p_alive"], -r["value_at_stake"], r["customer_id"]) for r in records]
    assert keys == sorted(keys)
    ones = [r for r in records if r["p_alive"] == 1.0]  # one-time buyers under BG/NBD
    assert len(ones) > 1000


def test_the_value_at_stake_is_expected_spend_times_expected_purchases(cdnow, fitted):
    bgnbd, _, spend = fitted

    risk = bgnbd.churn_risk(cdnow, spend=spend, horizon=39)

    alive = dict(zip(cdnow.customer_ids, bgnbd.p_alive(cdnow), strict=True))
    purchases = dict(zip(cdnow.customer_ids, bgnbd.expected_purchases(39, cdnow), strict=True))
    per_purchase = dict(zip(cdnow.customer_ids, spend.expected_spend(cdnow), strict=True))
    for row in risk.to_records()[:50] + risk.to_records()[-50:]:
        cid = row["customer_id"]
        assert row["p_alive"] == float(alive[cid])
        assert row["expected_spend"] == per_purchase[cid]
        expected = per_purchase[cid] * Decimal(repr(float(purchases[cid])))
        assert row["value_at_stake"] == expected.quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        assert row["value_at_stake"] >= 0


def test_the_churn_list_does_not_depend_on_the_tables_order(cdnow, fitted):
    _, pareto, spend = fitted
    order = list(range(len(cdnow)))
    random.Random(3).shuffle(order)
    shuffled = ModelInput(
        frequency=[cdnow.frequency[i] for i in order],
        first_to_last=[cdnow.first_to_last[i] for i in order],
        first_to_end=[cdnow.first_to_end[i] for i in order],
        monetary_value=[cdnow.monetary_value[i] for i in order],
        customer_ids=[cdnow.customer_ids[i] for i in order],
        unit="weeks",
    )

    one = pareto.churn_risk(cdnow, spend=spend, horizon=26)
    other = pareto.churn_risk(shuffled, spend=spend, horizon=26)

    assert one.to_records() == other.to_records()
    assert one.model == "pareto_nbd"


def test_a_longer_horizon_never_lowers_the_value_at_stake(cdnow, fitted):
    bgnbd, _, spend = fitted

    short = {
        r["customer_id"]: r for r in bgnbd.churn_risk(cdnow, spend=spend, horizon=13).to_records()
    }
    long = bgnbd.churn_risk(cdnow, spend=spend, horizon=52).to_records()

    assert all(r["value_at_stake"] >= short[r["customer_id"]]["value_at_stake"] for r in long)


def test_churn_risk_refuses_a_model_in_another_unit_and_bad_arguments(cdnow, fitted):
    bgnbd, _, spend = fitted
    in_days = ModelInput(
        frequency=[1], first_to_last=[3.0], first_to_end=[9.0], monetary_value=["5"], unit="days"
    )

    with pytest.raises(InvalidField, match=r"^customers\.unit: "):
        bgnbd.churn_risk(in_days, spend=spend, horizon=5)
    with pytest.raises(InvalidField, match=r"^rank_by: "):
        bgnbd.churn_risk(cdnow, spend=spend, horizon=5, rank_by="value")
    with pytest.raises(InvalidType, match=r"^spend: "):
        bgnbd.churn_risk(cdnow, spend=bgnbd, horizon=5)
    with pytest.raises(InvalidField, match=r"^horizon: "):
        bgnbd.churn_risk(cdnow, spend=spend, horizon=-1)
    with pytest.raises(InvalidType, match=r"^customers: "):
        bgnbd.churn_risk(cdnow.to_records(), spend=spend, horizon=5)


def test_ranked_by_value_at_stake_the_likely_gone_come_first_largest_value_first(cdnow, fitted):
    bgnbd, _, spend = fitted

    rows = bgnbd.churn_risk(cdnow, spend=spend, horizon=26, rank_by="value_at_stake").to_records()

    gone = [r for r in rows if r["p_alive"] < 0.5]
    assert gone, "CDNOW has customers more likely gone than not"
    assert rows[: len(gone)] == gone
    stakes = [r["value_at_stake"] for r in gone]
    assert stakes == sorted(stakes, reverse=True)
    rest = [r["p_alive"] for r in rows[len(gone) :]]
    assert rest == sorted(rest)
    assert sorted(r["customer_id"] for r in rows) == sorted(cdnow.customer_ids)


def test_mbgnbd_gives_one_time_buyers_a_p_alive_below_1_in_the_churn_list(cdnow, fitted):
    _, _, spend = fitted
    mbgnbd = fit(cdnow, model="mbgnbd")

    risk = mbgnbd.churn_risk(cdnow, spend=spend, horizon=26)

    assert risk.model == "mbgnbd"
    by_id = {r["customer_id"]: r for r in risk.to_records()}
    one_time = [cid for cid, x in zip(cdnow.customer_ids, cdnow.frequency, strict=True) if x == 0]
    assert all(by_id[cid]["p_alive"] < 1.0 for cid in one_time)
