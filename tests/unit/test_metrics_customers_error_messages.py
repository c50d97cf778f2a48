"""Each refusal in metrics/customers.py names the field, the value and what was expected, in
exactly the words a caller reads (one row per raise site and per wording of the range).

How `orders` is read (a Series of counts, numpy integers) is being changed (issue 10,
section 2), so only its per-customer count rule is pinned here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesflow import InvalidField, InvalidType, Money
from salesflow.metrics import (
    churn_rate,
    clv,
    purchase_frequency,
    repeat_purchase_rate,
    retention_rate,
)

EUR = Money("10", "EUR")
UNDEFINED_RATIO = churn_rate(customers_at_start=0, customers_lost=0)
UNDEFINED_AMOUNT = clv(arpu=EUR, churn_rate=0)
ABOVE_ONE = churn_rate(
    variant="average_customers", customers_at_start=1, customers_at_end=1, customers_lost=2
)
HUGE = 10**70 + 1
FROM_ZERO = "an int or Decimal of at least 0 (floats are inexact)"
ZERO_TO_ONE = "an int or Decimal from 0 to 1 (floats are inexact)"
MONEY = "Money or an Amount (Decimal + currency; floats are inexact)"


def _clv(**changes):
    arguments = {
        "average_order_value": EUR,
        "purchase_frequency": 1,
        "lifespan": 1,
        "lifespan_unit": "years",
        **changes,
    }
    return clv(**arguments)


# (call, error type, field, value, what was expected)
REFUSALS = {
    "more new customers than customers at the end": (
        lambda: retention_rate(customers_at_start=500, new_customers=50, customers_at_end=49),
        InvalidField,
        "new_customers",
        50,
        "at most customers_at_end (49): the count formula assumes the new customers are still"
        " there at the end (when some left within the period, use variant='ids')",
    ),
    "more retained customers than at the start": (
        lambda: retention_rate(customers_at_start=500, new_customers=50, customers_at_end=551),
        InvalidField,
        "customers_at_end",
        551,
        "at most customers_at_start 500 + new_customers 50 = 550",
    ),
    "a negative count": (
        lambda: retention_rate(customers_at_start=-1, new_customers=0, customers_at_end=0),
        InvalidField,
        "customers_at_start",
        -1,
        "a whole number of at least 0",
    ),
    "ids given as one string": (
        lambda: retention_rate(variant="ids", at_start="abc", at_end=[]),
        InvalidType,
        "at_start",
        "abc",
        "an iterable of customer ids (strings or ints)",
    ),
    "ids given as a mapping": (
        lambda: retention_rate(variant="ids", at_start=[], at_end={"a": 1}),
        InvalidType,
        "at_end",
        {"a": 1},
        "an iterable of customer ids (strings or ints) (a mapping or an indexed Series could be"
        " ids per key or counts per id: pass list(ids) of the ids themselves)",
    ),
    "an id that is not a string or int": (
        lambda: retention_rate(variant="ids", at_start=["a", None], at_end=[]),
        InvalidType,
        "at_start[1]",
        None,
        "a non-empty string or an int",
    ),
    "more customers lost than at the start": (
        lambda: churn_rate(customers_at_start=5, customers_lost=6),
        InvalidField,
        "customers_lost",
        6,
        "at most customers_at_start (5): only customers there at the start are lost",
    ),
    "a count past the supported range": (
        lambda: churn_rate(
            variant="average_customers",
            customers_at_start=HUGE,
            customers_at_end=0,
            customers_lost=0,
        ),
        InvalidField,
        "customers_at_start",
        HUGE,
        "a whole number from 0 to below 10**30",
    ),
    "a period of no days": (
        lambda: churn_rate(variant="customer_days", customers_lost=3, customer_days=1500, days=0),
        InvalidField,
        "days",
        0,
        "a number of days above 0 (the period's length)",
    ),
    "a negative number of days": (
        lambda: churn_rate(variant="customer_days", customers_lost=3, customer_days=1500, days=-1),
        InvalidField,
        "days",
        -1,
        FROM_ZERO,
    ),
    "a count of lost customers past the supported range": (
        lambda: churn_rate(
            variant="customer_days", customers_lost=10**40 + 1, customer_days=1, days=HUGE
        ),
        InvalidField,
        "customers_lost",
        10**40 + 1,
        "a whole number from 0 to below 10**30",
    ),
    "float customer-days": (
        lambda: churn_rate(
            variant="customer_days", customers_lost=3, customer_days=1500.0, days=30
        ),
        InvalidType,
        "customer_days",
        1500.0,
        FROM_ZERO,
    ),
    "a bool as customer-days": (
        lambda: churn_rate(variant="customer_days", customers_lost=3, customer_days=True, days=30),
        InvalidType,
        "customer_days",
        True,
        FROM_ZERO,
    ),
    "infinite customer-days": (
        lambda: churn_rate(
            variant="customer_days", customers_lost=3, customer_days=Decimal("Infinity"), days=30
        ),
        InvalidField,
        "customer_days",
        Decimal("Infinity"),
        "a finite number (not NaN or infinity)",
    ),
    "more repeat customers than customers": (
        lambda: repeat_purchase_rate(repeat_customers=5, customers=4),
        InvalidField,
        "repeat_customers",
        5,
        "at most customers (4)",
    ),
    "fewer orders than customers": (
        lambda: purchase_frequency(order_count=3, customers=4),
        InvalidField,
        "order_count",
        3,
        "at least customers (4): each customer ordered",
    ),
    "a customer with no orders": (
        lambda: purchase_frequency(orders_per_customer={"a": 2, "b": 0}),
        InvalidField,
        "orders_per_customer['b']",
        0,
        "a whole number of at least 1",
    ),
    "a negative average order value": (
        lambda: _clv(average_order_value=Money("-1", "EUR")),
        InvalidField,
        "average_order_value",
        Money("-1", "EUR"),
        "an amount of at least 0",
    ),
    "an average order value that is not money": (
        lambda: _clv(average_order_value=Decimal("1")),
        InvalidType,
        "average_order_value",
        Decimal("1"),
        MONEY,
    ),
    "an undefined average order value": (
        lambda: _clv(average_order_value=UNDEFINED_AMOUNT),
        InvalidField,
        "average_order_value",
        UNDEFINED_AMOUNT,
        "a defined amount (this one has an empty denominator)",
    ),
    "a blank lifespan unit": (
        lambda: _clv(lifespan_unit=" "),
        InvalidField,
        "lifespan_unit",
        " ",
        "a non-empty string",
    ),
    "a negative lifespan": (
        lambda: _clv(lifespan=-1),
        InvalidField,
        "lifespan",
        -1,
        FROM_ZERO,
    ),
    "a negative purchase frequency": (
        lambda: _clv(purchase_frequency=Decimal("-0.5")),
        InvalidField,
        "purchase_frequency",
        Decimal("-0.5"),
        FROM_ZERO,
    ),
    "a margin above 1": (
        lambda: _clv(margin=Decimal("1.5")),
        InvalidField,
        "margin",
        Decimal("1.5"),
        ZERO_TO_ONE,
    ),
    "a float margin": (
        lambda: _clv(margin=0.5),
        InvalidType,
        "margin",
        0.5,
        ZERO_TO_ONE,
    ),
    "an undefined ratio as margin": (
        lambda: _clv(margin=UNDEFINED_RATIO),
        InvalidField,
        "margin",
        UNDEFINED_RATIO,
        "a defined ratio (this one has an empty denominator)",
    ),
    "a ratio above 1 as margin": (
        lambda: _clv(margin=ABOVE_ONE),
        InvalidField,
        "margin",
        ABOVE_ONE,
        "a share from 0 to 1",
    ),
    "a negative ARPU": (
        lambda: clv(arpu=Money("-1", "EUR"), churn_rate=Decimal("0.1")),
        InvalidField,
        "arpu",
        Money("-1", "EUR"),
        "an amount of at least 0",
    ),
    "an ARPU that is not money": (
        lambda: clv(arpu=1, churn_rate=Decimal("0.1")),
        InvalidType,
        "arpu",
        1,
        MONEY,
    ),
    "a churn above 1": (
        lambda: clv(arpu=EUR, churn_rate=2),
        InvalidField,
        "churn_rate",
        2,
        ZERO_TO_ONE,
    ),
    "a negative churn": (
        lambda: clv(arpu=EUR, churn_rate=-1),
        InvalidField,
        "churn_rate",
        -1,
        ZERO_TO_ONE,
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_customer_metric_refusal_names_the_field_the_value_and_what_was_expected(case):
    call, error, field, value, expected = REFUSALS[case]

    with pytest.raises(error) as caught:
        call()

    assert type(caught.value) is error
    assert (caught.value.field, caught.value.value, caught.value.expected) == (
        field,
        value,
        expected,
    )
    shown = repr(value)
    assert str(caught.value) == f"{field}: got {shown}, expected {expected}"


COUNTS = [
    (retention_rate, {"customers_at_start": 5, "new_customers": 1, "customers_at_end": 5}),
    (churn_rate, {"customers_at_start": 5, "customers_lost": 1}),
    (
        churn_rate,
        {
            "variant": "average_customers",
            "customers_at_start": 5,
            "customers_at_end": 5,
            "customers_lost": 1,
        },
    ),
    (
        churn_rate,
        {"variant": "customer_days", "customers_lost": 1, "customer_days": 30, "days": 30},
    ),
    (repeat_purchase_rate, {"repeat_customers": 1, "customers": 2}),
    (purchase_frequency, {"order_count": 3, "customers": 2}),
]
NEGATIVE_COUNTS = [
    (function, arguments, name)
    for function, arguments in COUNTS
    for name in arguments
    if name != "variant"
]


@pytest.mark.parametrize(
    ("function", "arguments", "name"),
    NEGATIVE_COUNTS,
    ids=[f"{f.__name__}-{a.get('variant', 'counts')}-{n}" for f, a, n in NEGATIVE_COUNTS],
)
def test_every_negative_count_is_refused_naming_its_parameter(function, arguments, name):
    arguments = {**arguments, name: -1}

    with pytest.raises(InvalidField) as caught:
        function(**arguments)

    assert (caught.value.field, caught.value.value) == (name, -1)
    assert str(caught.value).startswith(f"{name}: got -1, expected ")
    assert "at least 0" in caught.value.expected
