"""The models' input from order records, and the refusals of bad input."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from salesflow import InvalidField, InvalidType, Money
from salesflow.errors import CurrencyMismatch
from salesflow.predict import fit, model_input
from salesflow.predict.inputs import ModelInput

START = datetime(2026, 1, 5, 10, tzinfo=UTC)
END = START + timedelta(weeks=10)


def _record(customer, days, amount="10", hours=0):
    return {
        "customer_id": customer,
        "placed_at": START + timedelta(days=days, hours=hours),
        "amount": amount,
    }


def test_repeat_purchases_count_distinct_days_and_times_run_from_the_first_day():
    records = [
        _record("ada", 0, "10"),
        _record("ada", 7, "20"),
        _record("ada", 7, "10", hours=3),
        _record("ada", 14, "40"),
        _record("bob", 21, "5"),
    ]

    table = model_input(records, calibration_end=END, unit="days")
    ada, bob = table.to_records()

    assert (ada["frequency"], ada["first_to_last"]) == (2, 14.0)
    assert ada["monetary_value"] == Decimal("35")
    assert (bob["frequency"], bob["first_to_last"], bob["monetary_value"]) == (0, 0.0, None)
    assert bob["first_to_end"] == pytest.approx(70 - 21 + 10 / 24)


def test_customers_come_in_id_order_whatever_the_order_of_the_records():
    records = [
        _record(cid, day) for cid, day in [("bob", 1), (7, 2), ("ada", 3), (3, 4), ("bob", 9)]
    ]

    table = model_input(records, calibration_end=END)
    backwards = model_input(records[::-1], calibration_end=END)

    assert table.customer_ids == (3, 7, "ada", "bob")
    assert backwards.to_records() == table.to_records()


def test_records_at_or_after_the_calibration_end_are_the_holdout_and_left_out():
    records = [_record("ada", 0), _record("ada", 70), _record("ada", 80)]

    table = model_input(records, calibration_end=END)

    assert table.frequency.tolist() == [0.0]


def test_each_record_is_a_purchase_when_asked():
    records = [_record("ada", 0), _record("ada", 0, hours=3)]

    table = model_input(records, calibration_end=END, period="purchase", unit="days")

    assert table.frequency.tolist() == [1.0]
    assert table.first_to_last.tolist() == [0.125]


@pytest.mark.parametrize(
    ("records", "field", "error"),
    [
        ([{"customer_id": "a", "placed_at": datetime(2026, 1, 5), "amount": "1"}],
         "records[0].placed_at", InvalidType),
        ([{"customer_id": "a", "placed_at": START, "amount": 1.5}], "records[0].amount", InvalidType),
        ([{"customer_id": "a", "placed_at": START}], "records[0].amount", InvalidField),
        ([{"customer_id": None, "placed_at": START, "amount": "1"}],
         "records[0].customer_id", InvalidType),
        ([{"customer_id": "a", "placed_at": START, "amount": "-1"}], "records[0].amount", InvalidField),
        ([{"customer_id": "a", "placed_at": START, "amount": Money("1", "EUR")},
          {"customer_id": "a", "placed_at": START, "amount": Money("1", "USD")}],
         "records[1].amount", CurrencyMismatch),
        ([{"customer_id": "a", "placed_at": START, "amount": "1", "currency": "EUR"},
          {"customer_id": "a", "placed_at": START, "amount": "1", "currency": "USD"}],
         "records[1].amount", CurrencyMismatch),
        ([{"customer_id": "a", "placed_at": START, "amount": "1", "currency": "euro"}],
         "records[0].currency", InvalidField),
        ([{"customer_id": "a", "placed_at": START, "amount": "1", "currency": None}],
         "records[0].currency", InvalidType),
        ([{"customer_id": "", "placed_at": START, "amount": "1"}], "records[0].customer_id", InvalidField),
    ],
)  # fmt: skip
def test_a_bad_record_is_refused_naming_it(records, field, error):
    with pytest.raises(error) as raised:
        model_input(records, calibration_end=END)

    assert raised.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"calibration_end": datetime(2026, 3, 1)}, "calibration_end"),
        ({"calibration_end": END, "unit": "months"}, "unit"),
        ({"calibration_end": END, "period": "order"}, "period"),
        ({"calibration_end": END, "zone": "UTC"}, "zone"),
    ],
)
def test_a_bad_argument_is_refused_naming_the_parameter(kwargs, field):
    with pytest.raises(InvalidField) as raised:
        model_input([_record("ada", 0)], **kwargs)

    assert raised.value.field == field


@pytest.mark.parametrize(
    ("columns", "field"),
    [
        ({"frequency": [1.5], "first_to_last": [1], "first_to_end": [2]}, "frequency[0]"),
        ({"frequency": [1], "first_to_last": [3], "first_to_end": [2]}, "first_to_last[0]"),
        ({"frequency": [1], "first_to_last": [0], "first_to_end": [2]}, "first_to_last[0]"),
        ({"frequency": [0], "first_to_last": [0], "first_to_end": [float("nan")]}, "first_to_end[0]"),
        ({"frequency": [0, 1], "first_to_last": [0], "first_to_end": [2]}, "frequency"),
        ({"frequency": [1], "first_to_last": [1], "first_to_end": [2], "monetary_value": [2.5]},
         "monetary_value[0]"),
        ({"frequency": [0], "first_to_last": [0], "first_to_end": [2], "monetary_value": ["3"]},
         "monetary_value[0]"),
    ],
)  # fmt: skip
def test_a_bad_column_is_refused_naming_the_value(columns, field):
    with pytest.raises(InvalidField) as raised:
        ModelInput(**columns)

    assert raised.value.field == field


def test_the_columns_of_a_model_input_cannot_be_changed():
    table = ModelInput(frequency=[1], first_to_last=[1], first_to_end=[2])

    with pytest.raises(ValueError, match="read-only"):
        table.frequency[0] = 5
    with pytest.raises(AttributeError):
        table.unit = "days"


def test_fitting_refuses_what_is_not_a_model_input_and_spend_needs_monetary_values():
    no_spend = ModelInput(frequency=[1], first_to_last=[1], first_to_end=[2])

    with pytest.raises(InvalidType) as raised:
        fit([1, 2, 3], model="bgnbd")
    assert raised.value.field == "data"
    with pytest.raises(InvalidField) as raised:
        fit(no_spend, model="gamma_gamma")
    assert raised.value.field == "data.monetary_value"


def test_a_fit_on_records_converges_and_predicts_sound_values():
    # Customers who buy at their own random rate until they drop out, each with their own
    # chance of dropping out after a purchase (seeded): BG/NBD's world. (With one chance for
    # all, the likelihood rises without end towards a homogeneous dropout: no maximum.)
    rng = random.Random(11)
    records = []
    for n in range(200):
        rate, day, drop = rng.uniform(0.02, 0.4), rng.uniform(0, 20), rng.betavariate(1.5, 6)
        records.append(_record(f"c{n}", int(day)))
        while rng.random() > drop:
            day += rng.expovariate(rate)
            if day >= 70:
                break
            records.append(_record(f"c{n}", int(day)))
    table = model_input(records, calibration_end=END)

    model = fit(table, model="bgnbd")
    expected = model.expected_purchases(4, table)

    assert model.convergence.converged
    assert all(v >= 0 for v in expected)
