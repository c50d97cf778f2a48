"""Customer metrics show their working exactly, and accept every value on the edge of
their range (mutation testing found `purchase_frequency_from_counts` refusing orders equal
to customers and purchase frequencies between 0 and 1 refused; nothing pinned the
working, inputs or denominators that a reader relies on).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from salesflow import Money, UndefinedMetric
from salesflow.metrics import (
    churn_rate,
    clv,
    purchase_frequency,
    repeat_purchase_rate,
    retention_rate,
)


def _eur(amount):
    return {"amount": amount, "currency": "EUR"}


# (call, repr, working, inputs as in to_dict, denominator_name, formula)
RESULTS = {
    "retention from counts": (
        lambda: retention_rate(customers_at_start=500, new_customers=50, customers_at_end=480),
        "<Ratio retention rate (counts): (480 - 50) / 500 = 0.86>",
        "(480 - 50) / 500",
        [["customers at start", 500], ["new customers", 50], ["customers at end", 480]],
        "",
        "(customers at end - new customers) / customers at start",
    ),
    "retention from ids": (
        lambda: retention_rate(
            variant="ids", at_start=["a", "b", "c", "d"], at_end=["a", "b", "c", "e", "f", "e"]
        ),
        "<Ratio retention rate (set-based): 3 / 4 = 0.75>",
        "",
        [
            ["customers at start", 4],
            ["customers at end", 5],
            ["retained", 3],
            ["lost", 1],
            ["new and still there", 2],
        ],
        "customers at start",
        "|customers at start ∩ customers at end| / |customers at start|",
    ),
    "churn from counts": (
        lambda: churn_rate(customers_at_start=500, customers_lost=70),
        "<Ratio churn rate (counts): 70 / 500 = 0.14>",
        "",
        [["customers at start", 500], ["customers lost", 70]],
        "",
        "customers lost / customers at start",
    ),
    "churn from ids": (
        lambda: churn_rate(variant="ids", at_start=["a", "b", "c", "d"], at_end=["a", "e"]),
        "<Ratio churn rate (set-based): 3 / 4 = 0.75>",
        "",
        [["customers at start", 4], ["customers lost", 3]],
        "customers at start",
        "|customers at start - customers at end| / |customers at start|",
    ),
    "churn against the average customer count": (
        lambda: churn_rate(
            variant="average_customers",
            customers_at_start=500,
            customers_at_end=481,
            customers_lost=70,
        ),
        "<Ratio churn rate (average customers): 70 / ((500 + 481) / 2) = 140/981 ≈ 0.1427115189>",
        "70 / ((500 + 481) / 2)",
        [["customers at start", 500], ["customers at end", 481], ["customers lost", 70]],
        "the average customer count",
        "customers lost / ((customers at start + customers at end) / 2)",
    ),
    "churn against customer-days": (
        lambda: churn_rate(
            variant="customer_days", customers_lost=3, customer_days=Decimal("1500"), days=30
        ),
        "<Ratio churn rate (customer-days): 3 / (1500 / 30) = 0.06>",
        "3 / (1500 / 30)",
        [["customers lost", 3], ["customer-days", "1500"], ["days", "30"]],
        "customer-days",
        "customers lost / (customer-days / days in period)",
    ),
    "repeat purchases from counts per customer": (
        lambda: repeat_purchase_rate(orders_per_customer={"a": 3, "b": 1, "c": 2}),
        "<Ratio repeat purchase rate (counts): 2 / 3 = 2/3 ≈ 0.6666666667>",
        "",
        [["customers with 2+ orders", 2], ["customers", 3]],
        "",
        "customers with 2+ orders / customers",
    ),
    "repeat purchases from totals": (
        lambda: repeat_purchase_rate(repeat_customers=120, customers=400),
        "<Ratio repeat purchase rate (counts): 120 / 400 = 0.3>",
        "",
        [["customers with 2+ orders", 120], ["customers", 400]],
        "",
        "customers with 2+ orders / customers",
    ),
    "purchase frequency from one id per order": (
        lambda: purchase_frequency(customer_ids=["a", "b", "a"]),
        "<Score purchase frequency (counts): 3 / 2 = 1.5>",
        "",
        [["orders", 3], ["customers", 2]],
        "",
        "orders / customers",
    ),
    "purchase frequency from totals": (
        lambda: purchase_frequency(order_count=600, customers=400),
        "<Score purchase frequency (counts): 600 / 400 = 1.5>",
        "",
        [["orders", 600], ["customers", 400]],
        "",
        "orders / customers",
    ),
    "historical CLV with a margin and a frequency below 1": (
        lambda: clv(
            average_order_value=Money("50", "EUR"),
            purchase_frequency=Decimal("0.5"),
            lifespan=3,
            lifespan_unit="years",
            margin=Decimal("0.2"),
        ),
        "<Amount historical CLV (AOV * frequency * lifespan * margin):"
        " 50 EUR * 0.5 * 3 years * 0.2 = 15 EUR>",
        "50 EUR * 0.5 * 3 years * 0.2",
        [
            ["average order value", _eur("50")],
            ["purchase frequency", "0.5"],
            ["lifespan (years)", "3"],
            ["margin", "0.2"],
        ],
        "the purchase frequency's customer count",
        "average order value * purchase frequency * lifespan * margin",
    ),
    "historical CLV from a purchase frequency score": (
        lambda: clv(
            average_order_value=Money("50", "EUR"),
            purchase_frequency=purchase_frequency(order_count=4, customers=3),
            lifespan=3,
            lifespan_unit="years",
        ),
        "<Amount historical CLV (AOV * frequency * lifespan): 50 EUR * (4/3) * 3 years = 200 EUR>",
        "50 EUR * (4/3) * 3 years",
        [
            ["average order value", _eur("50")],
            ["purchase frequency", "1.333333333333333333333333333"],
            ["lifespan (years)", "3"],
        ],
        "the purchase frequency's customer count",
        "average order value * purchase frequency * lifespan",
    ),
    "historical CLV with a ratio as margin": (
        lambda: clv(
            average_order_value=Money("30", "EUR"),
            purchase_frequency=2,
            lifespan=1,
            lifespan_unit="years",
            margin=repeat_purchase_rate(repeat_customers=1, customers=3),
        ),
        "<Amount historical CLV (AOV * frequency * lifespan * margin):"
        " 30 EUR * 2 * 1 years * (1/3) = 20 EUR>",
        "30 EUR * 2 * 1 years * (1/3)",
        [
            ["average order value", _eur("30")],
            ["purchase frequency", "2"],
            ["lifespan (years)", "1"],
            ["margin", "0.3333333333333333333333333333"],
        ],
        "the purchase frequency's customer count",
        "average order value * purchase frequency * lifespan * margin",
    ),
    "churn-based CLV with a margin": (
        lambda: clv(arpu=Money("100", "EUR"), churn_rate=Decimal("0.05"), margin=Decimal("0.8")),
        "<Amount churn-based CLV (ARPU * margin / churn): 100 EUR * 0.8 / 0.05 = 1600 EUR>",
        "100 EUR * 0.8 / 0.05",
        [["ARPU", _eur("100")], ["churn rate", "0.05"], ["margin", "0.8"]],
        "churn rate",
        "average revenue per user * margin / churn rate",
    ),
    "churn-based CLV from a churn ratio": (
        lambda: clv(
            arpu=Money("100", "EUR"), churn_rate=churn_rate(customers_at_start=3, customers_lost=1)
        ),
        "<Amount churn-based CLV (ARPU / churn): 100 EUR / (1/3) = 300 EUR>",
        "100 EUR / (1/3)",
        [["ARPU", _eur("100")], ["churn rate", "0.3333333333333333333333333333"]],
        "churn rate",
        "average revenue per user / churn rate",
    ),
    "churn-based CLV at no churn": (
        lambda: clv(arpu=Money("100", "EUR"), churn_rate=0),
        "<Amount churn-based CLV (ARPU / churn): 100 EUR / 0 = undefined>",
        "100 EUR / 0",
        [["ARPU", _eur("100")], ["churn rate", "0"]],
        "churn rate",
        "average revenue per user / churn rate",
    ),
}


@pytest.mark.parametrize("case", RESULTS)
def test_a_customer_metric_shows_its_working_inputs_and_denominator(case):
    call, shown, working, inputs, denominator_name, formula = RESULTS[case]

    result = call()
    document = result.to_dict()

    assert repr(result) == shown
    assert document["working"] == working
    assert document["inputs"] == inputs
    assert document["denominator_name"] == denominator_name
    assert document["formula"] == formula


@pytest.mark.parametrize("customers", [1, 2, 400])
def test_orders_equal_to_customers_give_a_purchase_frequency_of_one(customers):
    score = purchase_frequency(order_count=customers, customers=customers)

    assert score.fraction == 1


def test_no_orders_and_no_customers_give_an_undefined_purchase_frequency():
    assert purchase_frequency(order_count=0, customers=0).fraction is None


@pytest.mark.parametrize(
    "frequency", [0, Decimal("0"), Decimal("0.001"), Decimal("0.5"), Decimal("0.999"), 1]
)
def test_historical_clv_accepts_any_purchase_frequency_from_zero_up(frequency):
    lifetime_value = clv(
        average_order_value=Money("40", "EUR"),
        purchase_frequency=frequency,
        lifespan=2,
        lifespan_unit="years",
    )

    assert lifetime_value.fraction == Fraction(40) * Fraction(frequency) * 2


@pytest.mark.parametrize("share", [0, Decimal("0.25"), 1])
def test_every_share_from_zero_to_one_is_a_valid_margin_and_churn(share):
    historical = clv(
        average_order_value=Money("10", "EUR"),
        purchase_frequency=1,
        lifespan=1,
        lifespan_unit="months",
        margin=share,
    )
    churned = clv(arpu=Money("10", "EUR"), churn_rate=share)

    assert historical.fraction == 10 * Fraction(share)
    assert churned.fraction == (None if share == 0 else 10 / Fraction(share))


def test_the_edges_of_the_count_rules_are_accepted():
    assert retention_rate(customers_at_start=5, new_customers=5, customers_at_end=5).fraction == 0
    assert retention_rate(customers_at_start=5, new_customers=2, customers_at_end=7).fraction == 1
    assert churn_rate(customers_at_start=5, customers_lost=5).fraction == 1
    assert repeat_purchase_rate(repeat_customers=4, customers=4).fraction == 1
    assert (
        churn_rate(variant="customer_days", customers_lost=0, customer_days=0, days=1).fraction
        is None
    )


def test_a_customer_with_exactly_two_orders_is_a_repeat_customer():
    assert repeat_purchase_rate(orders_per_customer={"a": 2, "b": 1}).fraction == Fraction(1, 2)
    assert repeat_purchase_rate(customer_ids=["a", "a", "b"]).fraction == Fraction(1, 2)


def test_counts_for_the_same_customer_id_add_up():
    assert purchase_frequency(orders_per_customer={"a": 2, "b": 1}).fraction == Fraction(3, 2)


def test_an_amount_as_average_order_value_keeps_its_denominator():
    aov = clv(
        average_order_value=Money("90", "EUR"),
        purchase_frequency=1,
        lifespan=1,
        lifespan_unit="years",
    )
    third = clv(arpu=aov, churn_rate=Decimal("0.5"))

    assert third.fraction == 180
    assert third.to_dict()["working"] == "90 EUR / 0.5"


EMPTY = {
    "retention_rate": lambda **o: retention_rate(
        customers_at_start=0, new_customers=0, customers_at_end=0, **o
    ),
    "retention_rate_from_ids": lambda **o: retention_rate(
        variant="ids", at_start=[], at_end=["a"], **o
    ),
    "churn_rate": lambda **o: churn_rate(customers_at_start=0, customers_lost=0, **o),
    "churn_rate_from_ids": lambda **o: churn_rate(variant="ids", at_start=[], at_end=[], **o),
    "churn_rate_average_customers": lambda **o: churn_rate(
        variant="average_customers", customers_at_start=0, customers_at_end=0, customers_lost=0, **o
    ),
    "churn_rate_customer_days": lambda **o: churn_rate(
        variant="customer_days", customers_lost=0, customer_days=0, days=30, **o
    ),
    "repeat_purchase_rate": lambda **o: repeat_purchase_rate(customer_ids=[], **o),
    "repeat_purchase_rate_from_counts": lambda **o: repeat_purchase_rate(
        repeat_customers=0, customers=0, **o
    ),
    "purchase_frequency": lambda **o: purchase_frequency(orders_per_customer={}, **o),
    "purchase_frequency_from_counts": lambda **o: purchase_frequency(
        order_count=0, customers=0, **o
    ),
    "historical_clv": lambda **o: clv(
        average_order_value=Money("10", "EUR"),
        purchase_frequency=purchase_frequency(order_count=0, customers=0),
        lifespan=1,
        lifespan_unit="years",
        **o,
    ),
    "churn_clv": lambda **o: clv(arpu=Money("10", "EUR"), churn_rate=0, **o),
}


@pytest.mark.parametrize("name", EMPTY)
def test_an_empty_denominator_is_undefined_by_default_and_raises_on_request(name):
    result = EMPTY[name]()

    assert not result.defined
    assert result.value is None
    with pytest.raises(UndefinedMetric):
        EMPTY[name](on_empty="raise")


def test_a_clv_of_terminating_decimals_keeps_the_callers_terms():
    churned = clv(arpu=Money("100", "EUR"), churn_rate=Decimal("0.05"), margin=Decimal("0.8"))
    historical = clv(
        average_order_value=Money("50", "EUR"),
        purchase_frequency=Decimal("0.5"),
        lifespan=3,
        lifespan_unit="years",
    )

    assert (churned.numerator, churned.denominator) == (Money("80", "EUR"), Decimal("0.05"))
    assert (historical.numerator, historical.denominator) == (Money("75", "EUR"), 1)


def test_a_clv_with_a_share_that_does_not_terminate_is_one_exact_fraction():
    churned = clv(
        arpu=Money("100", "EUR"), churn_rate=churn_rate(customers_at_start=3, customers_lost=1)
    )

    assert (churned.numerator, churned.denominator) == (Money("300", "EUR"), 1)
    assert churned.fraction == 300
