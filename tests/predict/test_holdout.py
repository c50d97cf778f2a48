"""The calibration/holdout split, the comparison with a fitted model, and predicted CLV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from random import Random

import numpy as np
import pytest

from salesflow import InvalidField, InvalidType, UndefinedMetric
from salesflow.predict import calibration_holdout, fit, model_input
from salesflow.predict.inputs import ModelInput

START = datetime(2026, 1, 5, 10, tzinfo=UTC)
CUT = START + timedelta(weeks=10)
STOP = CUT + timedelta(weeks=4)


def _record(customer, days, amount="10", hours=0):
    return {
        "customer_id": customer,
        "placed_at": START + timedelta(days=days, hours=hours),
        "amount": amount,
    }


def _world(customers=600, seed=3):
    """Orders from a BG/NBD world over a year: 39 weeks of calibration, 13 of holdout."""
    rng, orders = Random(seed), []
    for n in range(customers):
        rate, drop, day = rng.gammavariate(0.6, 1 / 4), rng.betavariate(1, 3), rng.uniform(0, 120)
        while day < 364:
            orders.append(
                {
                    "customer_id": n,
                    "placed_at": START + timedelta(days=day),
                    "amount": str(rng.randint(10, 60)),
                }
            )
            if rng.random() < drop:
                break
            day += rng.expovariate(rate) * 7
    return orders


def test_the_calibration_table_is_model_input_before_the_cut():
    records = [_record("ada", 0), _record("ada", 14), _record("ada", 75), _record("bob", 3)]

    split = calibration_holdout(records, calibration_end=CUT, holdout_end=STOP, unit="days")

    assert (
        split.calibration.to_records()
        == model_input(records, calibration_end=CUT, unit="days").to_records()
    )


def test_holdout_purchases_count_distinct_days_between_the_cut_and_the_end():
    records = [
        _record("ada", 0),
        _record("ada", 71),
        _record("ada", 71, hours=2),
        _record("ada", 80),
        _record("ada", 99),  # after the holdout
        _record("bob", 2),
    ]

    split = calibration_holdout(records, calibration_end=CUT, holdout_end=STOP)

    assert split.calibration.customer_ids == ("ada", "bob")
    assert split.actual.tolist() == [2.0, 0.0]
    assert split.duration == pytest.approx(4.0)


def test_a_day_split_by_the_cut_is_not_counted_again_in_the_holdout():
    cut = START + timedelta(days=70, hours=4)  # 14:00 on day 70
    records = [
        _record("ada", 0),
        _record("ada", 70),
        _record("ada", 70, hours=6),
        _record("ada", 72),
    ]

    by_day = calibration_holdout(records, calibration_end=cut, holdout_end=STOP)
    by_purchase = calibration_holdout(
        records, calibration_end=cut, holdout_end=STOP, period="purchase"
    )

    assert by_day.actual.tolist() == [1.0]
    assert by_purchase.actual.tolist() == [2.0]


def test_customers_who_first_buy_in_the_holdout_are_left_out():
    records = [_record("ada", 0), _record("new", 75), _record("new", 76)]

    split = calibration_holdout(records, calibration_end=CUT, holdout_end=STOP)

    assert split.calibration.customer_ids == ("ada",)
    assert split.actual.tolist() == [0.0]


def test_the_comparison_sets_the_models_prediction_beside_the_actual_purchases():
    orders = _world()
    cut, stop = START + timedelta(weeks=39), START + timedelta(weeks=52)
    split = calibration_holdout(orders, calibration_end=cut, holdout_end=stop)
    model = fit(split.calibration, model="bgnbd")

    comparison = split.compare(model)

    assert comparison.predicted.tolist() == pytest.approx(
        model.expected_purchases(13, split.calibration).tolist()
    )
    assert comparison.actual is split.actual
    assert comparison.predicted_total == pytest.approx(float(comparison.predicted.sum()))
    assert comparison.actual_total == float(split.actual.sum())
    # The fitted model is right in aggregate within 15% on a world it describes.
    assert comparison.predicted_total == pytest.approx(comparison.actual_total, rel=0.15)


def test_groups_by_calibration_purchases_cover_every_customer_once_and_average_each_group():
    orders = _world()
    cut, stop = START + timedelta(weeks=39), START + timedelta(weeks=52)
    split = calibration_holdout(orders, calibration_end=cut, holdout_end=stop)

    comparison = split.compare(fit(split.calibration, model="mbgnbd"), groups=3)

    groups = comparison.by_frequency
    assert [g.calibration_purchases for g in groups] == [0, 1, 2]
    assert [g.and_more for g in groups] == [False, False, True]
    assert sum(g.customers for g in groups) == len(split.calibration)
    two_or_more = split.calibration.frequency >= 2
    assert groups[2].actual == pytest.approx(float(split.actual[two_or_more].mean()))
    assert groups[2].predicted == pytest.approx(float(comparison.predicted[two_or_more].mean()))
    assert comparison.mean_absolute_error == pytest.approx(
        float(abs(comparison.predicted - comparison.actual).mean())
    )


def test_the_split_refuses_a_naive_or_early_holdout_end_and_bad_records():
    records = [_record("ada", 0)]

    with pytest.raises(InvalidType, match="holdout_end"):
        calibration_holdout(records, calibration_end=CUT, holdout_end=datetime(2026, 6, 1))
    with pytest.raises(InvalidField, match="holdout_end"):
        calibration_holdout(records, calibration_end=CUT, holdout_end=CUT)
    with pytest.raises(InvalidType, match=r"records\[1\]\.placed_at"):
        calibration_holdout(
            [*records, {"customer_id": "x", "placed_at": "soon", "amount": "1"}],
            calibration_end=CUT,
            holdout_end=STOP,
        )
    with pytest.raises(InvalidType, match="records"):
        calibration_holdout("orders", calibration_end=CUT, holdout_end=STOP)


def test_compare_refuses_a_model_in_another_unit_and_a_bad_group_count():
    records = [_record("ada", 0), _record("ada", 7), _record("bob", 1)]
    in_days = calibration_holdout(records, calibration_end=CUT, holdout_end=STOP, unit="days")
    in_weeks = calibration_holdout(records, calibration_end=CUT, holdout_end=STOP)
    model = fit(in_weeks.calibration, model="bgnbd")

    with pytest.raises(InvalidField, match=r"model\.unit"):
        in_days.compare(model)
    with pytest.raises(InvalidField, match="groups"):
        in_weeks.compare(model, groups=0)
    with pytest.raises(InvalidType, match="model"):
        in_weeks.compare("bgnbd")


# Predicted CLV


@pytest.fixture(scope="module")
def fitted(cdnow):
    return fit(cdnow, model="bgnbd"), fit(cdnow, model="gamma_gamma")


def _unrounded_spend(spend, table):
    x = table.frequency
    z = [0.0 if v is None else float(v) for v in table.monetary_value]
    return [
        spend.p * (spend.gamma + xi * zi) / (spend.p * xi + spend.q - 1)
        for xi, zi in zip(x, z, strict=True)
    ]


def test_clv_is_the_discounted_sum_of_each_periods_purchases_times_the_spend(cdnow, fitted):
    purchases, spend = fitted
    table = ModelInput(
        frequency=cdnow.frequency[:5],
        first_to_last=cdnow.first_to_last[:5],
        first_to_end=cdnow.first_to_end[:5],
        monetary_value=cdnow.monetary_value[:5],
    )
    month = 52 / 12

    values = purchases.clv(
        table, spend=spend, periods=12, period_length=month, discount_rate="0.01"
    )

    per_purchase = _unrounded_spend(spend, table)
    for i, value in enumerate(values):
        cumulative = [0.0] + [
            float(purchases.expected_purchases(k * month, table)[i]) for k in range(1, 13)
        ]
        expected = (
            sum((cumulative[k] - cumulative[k - 1]) / 1.01**k for k in range(1, 13))
            * per_purchase[i]
        )
        assert value == Decimal(repr(float(expected))).quantize(Decimal("0.01")), i


def test_without_discounting_clv_is_expected_purchases_over_the_horizon_times_the_spend(
    cdnow, fitted
):
    purchases, spend = fitted

    values = purchases.clv(cdnow, spend=spend, periods=4, period_length=13, discount_rate=0)

    horizon = purchases.expected_purchases(52, cdnow)
    per_purchase = _unrounded_spend(spend, cdnow)
    assert [float(v) for v in values[:50]] == pytest.approx(
        [h * s for h, s in zip(horizon[:50], per_purchase[:50], strict=True)], abs=0.006
    )


def test_clv_with_a_margin_is_the_revenue_clv_times_the_margin_rounded_once(cdnow, fitted):
    purchases, spend = fitted
    options = {"periods": 6, "period_length": 4, "discount_rate": "0.01"}

    revenue = purchases.clv(cdnow, spend=spend, **options)
    profit = purchases.clv(cdnow, spend=spend, margin="0.3", **options)

    assert profit != revenue
    # Rounded once: the profit is 0.3 x the unrounded revenue, so within a cent of 0.3 x rounded.
    assert all(
        abs(p - r * Decimal("0.3")) <= Decimal("0.01") for p, r in zip(profit, revenue, strict=True)
    )


def test_clv_is_decimal_to_the_cent_at_least_0_and_falls_as_the_discount_rate_rises(cdnow, fitted):
    purchases, spend = fitted

    low = purchases.clv(cdnow, spend=spend, periods=12, period_length=4, discount_rate="0.01")
    high = purchases.clv(cdnow, spend=spend, periods=12, period_length=4, discount_rate="0.10")

    assert all(isinstance(v, Decimal) and v == v.quantize(Decimal("0.01")) for v in low)
    assert all(Decimal(0) <= h <= lo for h, lo in zip(high, low, strict=True))
    assert sum(high) < sum(low)


def test_clv_works_with_mbgnbd_as_the_purchase_model(cdnow, fitted):
    _, spend = fitted

    values = fit(cdnow, model="mbgnbd").clv(
        cdnow, spend=spend, periods=3, period_length=4, discount_rate="0.01"
    )

    assert len(values) == len(cdnow)
    assert min(values) >= 0


def test_clv_refuses_bad_models_units_periods_and_rates(cdnow, fitted):
    purchases, spend = fitted
    no_money = ModelInput(frequency=[1], first_to_last=[2.0], first_to_end=[3.0])
    in_days = ModelInput(
        frequency=[1], first_to_last=[2.0], first_to_end=[3.0], monetary_value=["5"], unit="days"
    )
    good = {"periods": 2, "period_length": 4, "discount_rate": "0.01"}

    with pytest.raises(InvalidType, match="spend"):
        purchases.clv(cdnow, spend=purchases, **good)
    with pytest.raises(InvalidField, match="monetary_value"):
        purchases.clv(no_money, spend=spend, **good)
    with pytest.raises(InvalidField, match=r"customers\.unit"):
        purchases.clv(in_days, spend=spend, **good)
    with pytest.raises(InvalidField, match="margin"):
        purchases.clv(cdnow, spend=spend, margin="1.5", **good)
    with pytest.raises(InvalidField, match="margin"):
        purchases.clv(cdnow, spend=spend, margin=0, **good)
    with pytest.raises(InvalidType, match="margin"):
        purchases.clv(cdnow, spend=spend, margin=None, **good)
    with pytest.raises(InvalidField, match="periods"):
        purchases.clv(cdnow, spend=spend, periods=0, period_length=4, discount_rate=0)
    with pytest.raises(InvalidField, match="period_length"):
        purchases.clv(cdnow, spend=spend, periods=2, period_length=0, discount_rate=0)
    with pytest.raises(InvalidField, match="discount_rate"):
        purchases.clv(cdnow, spend=spend, periods=2, period_length=4, discount_rate="-0.1")
    with pytest.raises(InvalidType, match="discount_rate"):
        purchases.clv(cdnow, spend=spend, periods=2, period_length=4, discount_rate=None)


def test_clv_is_undefined_when_the_spend_models_mean_is_infinite(cdnow, fitted):
    import attrs

    purchases, spend = fitted

    with pytest.raises(UndefinedMetric):
        purchases.clv(
            cdnow, spend=attrs.evolve(spend, q=0.9), periods=2, period_length=4, discount_rate=0
        )


def test_compare_with_a_huge_number_of_groups_answers_at_once_with_one_group_per_level():
    split_table = ModelInput(
        frequency=[0, 1, 3], first_to_last=[0.0, 2.0, 5.0], first_to_end=[6.0, 6.0, 6.0]
    )
    from salesflow.predict._holdout import CalibrationHoldout

    split = CalibrationHoldout(
        calibration=split_table, actual=np.asarray([0.0, 1.0, 2.0]), duration=4.0
    )
    model = fit(split_table, model="bgnbd")

    comparison = split.compare(model, groups=10**12)

    assert [g.calibration_purchases for g in comparison.by_frequency] == [0, 1, 3]
    assert not any(g.and_more for g in comparison.by_frequency)
