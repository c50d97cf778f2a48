"""Every metric refuses bad input with a SalesflowError, at once: one bad value at a time.

For each public metric function a valid call is listed; each argument in
turn, and each key of its first record, is replaced by each class of bad
value (None, wrong types, floats for money, naive datetimes, the edges of
time, NaN, infinite, huge and tiny Decimals, huge ints, empty and huge
strings, unhashable and misbehaving values). Only a SalesflowError may
escape, and every call must come back (a liveness guard, not a speed test).
A test also fails when a public metric function has no valid call listed.
"""

from __future__ import annotations

import inspect
import signal
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

import salesflow.metrics as m
from salesflow import Money, Period
from salesflow.errors import SalesflowError
from salesflow.leads import Lead, LeadSource

T = datetime(2026, 3, 2, 9, tzinfo=UTC)
ROWS = [
    {"order_id": "1", "customer_id": "a", "placed_at": T, "amount": "5", "currency": "EUR"},
    {
        "order_id": "2",
        "customer_id": "a",
        "placed_at": T + timedelta(days=3),
        "amount": "7",
        "currency": "EUR",
        "status": "delivered",
        "delivered_at": T + timedelta(days=4),
        "promised_delivery": "2026-03-07",
    },
]
lead = Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=T).lead
EURO = Money("50", "EUR")
NOW = T + timedelta(days=9)
SESSIONS = [{"session_id": "s", "page": "/", "at": T, "left_at": T + timedelta(seconds=30)}]
MAILS = [{"message_id": 1, "kind": "k", "delivered_at": T, "opened_at": T, "clicked_at": None}]
CALLS = {
    "retention_rate": {"customers_at_start": 500, "new_customers": 50, "customers_at_end": 480},
    "retention_rate_from_ids": {"at_start": ["a", "b"], "at_end": ["a"]},
    "churn_rate": {"customers_at_start": 5, "customers_lost": 1},
    "churn_rate_from_ids": {"at_start": ["a", "b"], "at_end": ["a"]},
    "churn_rate_average_customers": {
        "customers_at_start": 5,
        "customers_at_end": 4,
        "customers_lost": 1,
    },
    "churn_rate_customer_days": {"customers_lost": 1, "customer_days": 100, "days": 30},
    "repeat_purchase_rate": {"orders": {"a": 2}},
    "repeat_purchase_rate_from_counts": {"repeat_customers": 1, "customers": 2},
    "purchase_frequency": {"orders": ["a", "b", "a"]},
    "purchase_frequency_from_counts": {"orders": 3, "customers": 2},
    "historical_clv": {
        "average_order_value": EURO,
        "purchase_frequency": 2,
        "lifespan": 3,
        "lifespan_unit": "years",
        "margin": Decimal("0.5"),
    },
    "churn_clv": {"arpu": EURO, "churn_rate": Decimal("0.05"), "margin": Decimal("0.5")},
    "nps": {"scores": [9, 3], "on_empty": "raise"},
    "nps_from_counts": {"promoters": 1, "passives": 1, "detractors": 1},
    "csat": {"scores": [5, 3], "scale": (1, 5), "satisfied_from": 4},
    "csat_from_counts": {"counts": {5: 1}, "scale": (1, 5)},
    "csat_mean": {"scores": [5, 3]},
    "conversion_rate": {"conversions": 1, "visitors": 3},
    "conversion_rate_from_ids": {"visitors": [1, 2], "converted": [1]},
    "customer_summary": {"rows": ROWS, "now": T + timedelta(days=9), "zone": "UTC", "basis": "net"},
    "cohort_retention": {"rows": ROWS, "zone": "UTC", "now": T + timedelta(days=9)},
    "average_order_value": {
        "orders": ROWS,
        "period": Period.month(2026, 3, "UTC"),
        "now": T + timedelta(days=9),
    },
    "cancellation_rate": {
        "orders": ROWS,
        "period": Period.month(2026, 3, "UTC"),
        "now": T + timedelta(days=9),
    },
    "on_time_delivery_rate": {"orders": ROWS, "zone": "UTC", "now": T + timedelta(days=9)},
    "monthly_revenue": {"orders": ROWS, "zone": "UTC"},
    "compound_monthly_growth_rate": {"revenue": {(2026, 1): EURO, (2026, 2): EURO}, "places": 4},
    "month_over_month_growth": {"revenue": {(2026, 1): EURO, (2026, 2): EURO}},
    "customer_acquisition_cost": {"sales_spend": EURO, "marketing_spend": EURO, "new_customers": 2},
    "sales_cycle_length": {
        "leads": [{"created_at": T, "won_at": T + timedelta(days=1)}],
        "now": T + timedelta(days=9),
    },
    "lead_conversion_rate": {"leads": [{"created_at": T, "won_at": None}]},
    "time_in_lead_stages": {"leads": [lead], "now": T + timedelta(days=9)},
    "slowest_lead_stage": {"leads": [lead], "now": T + timedelta(days=9)},
    "lost_after_demo_rate": {"leads": [lead]},
    "demo_after_intro_call_rate": {"leads": [lead]},
    "funnel": {
        "rows": [{"person_id": "p", "step": "visit", "at": T}],
        "window": timedelta(days=1),
        "steps": ["visit", "purchase"],
    },
    "site_engagement": {"rows": [{"session_id": "s", "page": "/", "at": T}]},
    "email_engagement": {"rows": [{"message_id": 1, "kind": "k", "delivered_at": T}]},
    "time_in_status": {"orders": [], "now": T},
    "manager_kpis": {
        "leads": [
            {
                "lead_id": "L",
                "manager": "ada",
                "created_at": T,
                "won_at": T,
                "revenue": "5",
                "currency": "EUR",
            }
        ],
        "activities": [{"manager": "ada", "kind": "call", "at": T}],
        "surveys": [{"manager": "ada", "score": 5, "at": T}],
        "period": Period.month(2026, 3, "UTC"),
        "now": NOW,
        "csat_scale": (1, 5),
    },
    "average_time_on_site": {"rows": SESSIONS},
    "bounce_rate": {"rows": SESSIONS, "variant": "single_page", "engaged_after": timedelta(1)},
    "pages_per_session": {"rows": SESSIONS},
    "exit_rates": {"rows": SESSIONS},
    "delay_rate": {
        "orders": [{"placed_at": T, "delayed": True}],
        "period": Period.month(2026, 3, "UTC"),
        "now": NOW,
    },
    "email_open_rate": {"rows": MAILS, "kind": "k"},
    "email_click_rate": {"rows": MAILS, "kind": "k"},
    "email_click_to_open_rate": {"rows": MAILS, "kind": "k"},
    "order_status_request_share": {"requests": [{"topic": "where is my order", "at": T}]},
}


class Misbehaving:
    """Equality raises and hashing is refused: what a careless user object does."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq")

    __hash__ = None  # type: ignore[assignment]


BAD = [
    None,
    1.5,
    float("nan"),
    "",
    "x" * 100_000,
    -1,
    10**30,
    10**5000,
    True,
    [],
    {},
    [{}],
    {"a": []},
    [[]],
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("1E+999999"),
    Decimal("1E-999999"),
    datetime(2026, 1, 1),
    datetime.max.replace(tzinfo=UTC),
    datetime.min.replace(tzinfo=UTC),
    date.max,
    timedelta.max,
    timedelta(0),
    object(),
    Misbehaving(),
    [None],
    [1.5],
    [datetime(2026, 1, 1)],
    ["x" * 10],
]
ROW_KEYS = ["discount", "status", "left_at", "opened_at", "clicked_at", "cost", "lost", "qualified"]


def _stop(*_: Any) -> None:
    raise TimeoutError


def _only_salesflow_errors(call: Callable[[], Any]) -> None:
    previous = signal.signal(signal.SIGALRM, _stop)
    signal.alarm(10)
    try:
        result = call()
        repr(result)
        for name in ("to_dict", "format", "to_records"):
            if hasattr(result, name):
                getattr(result, name)()
    except SalesflowError:
        pass
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_every_public_metric_function_has_a_valid_call_listed():
    functions = {name for name in m.__all__ if inspect.isfunction(getattr(m, name))}

    assert functions - {"result_from_dict"} == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_listed_call_is_valid(name):
    getattr(m, name)(**CALLS[name])


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_bad_argument_gives_only_a_salesflow_error_and_comes_back(name):
    function, arguments = getattr(m, name), CALLS[name]

    for key in arguments:
        for bad in BAD:
            _only_salesflow_errors(lambda key=key, bad=bad: function(**{**arguments, key: bad}))


@pytest.mark.parametrize(
    "name",
    sorted(
        name
        for name, arguments in CALLS.items()
        if any(isinstance(v, list) and v and isinstance(v[0], dict) for v in arguments.values())
    ),
)
def test_a_bad_value_in_a_record_gives_only_a_salesflow_error_and_comes_back(name):
    function, arguments = getattr(m, name), CALLS[name]

    for key, value in arguments.items():
        if not (isinstance(value, list) and value and isinstance(value[0], dict)):
            continue
        for field in [*value[0], *ROW_KEYS]:
            for bad in BAD:
                rows = [{**value[0], field: bad}, *value[1:]]
                _only_salesflow_errors(
                    lambda key=key, rows=rows: function(**{**arguments, key: rows})
                )


RESULT_TYPES = [
    getattr(m, name)
    for name in m.__all__
    if isinstance(getattr(m, name), type) and attrs.has(getattr(m, name))
]


@pytest.mark.parametrize("cls", RESULT_TYPES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("bad", [None, 1.5, "", -1, object()], ids=repr)
def test_a_result_type_built_from_garbage_gives_only_a_salesflow_error(cls, bad):
    positional = [field for field in attrs.fields(cls) if field.init and not field.kw_only]

    with pytest.raises(SalesflowError):
        cls(*([bad] * len(positional)))


# -- periods ------------------------------------------------------------------------------------

MARCH = Period.month(2026, 3, "Europe/Berlin")
PERIOD_CALLS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "Period": (Period, {"start": T, "end": NOW, "unit": None, "zone": "UTC"}),
    "Period.day": (Period.day, {"day": date(2026, 3, 29), "zone": "Europe/Berlin"}),
    "Period.week": (Period.week, {"day": date(2026, 3, 29), "zone": "Europe/Berlin"}),
    "Period.month": (Period.month, {"year": 2026, "month": 3, "zone": "UTC"}),
    "Period.quarter": (Period.quarter, {"year": 2026, "quarter": 1, "zone": "UTC"}),
    "Period.containing": (Period.containing, {"at": T, "unit": "month", "zone": "UTC"}),
    "Period.months": (Period.months, {"year": 2026, "month": 3, "count": 2, "zone": "UTC"}),
    "Period.contains": (MARCH.contains, {"at": T}),
    "Period.ended": (MARCH.ended, {"now": T}),
    "Period.overlaps": (MARCH.overlaps, {"other": MARCH}),
    "Period.shifted": (MARCH.shifted, {"steps": 2}),
    "Period.series": (MARCH.series, {"count": 2}),
    "Period.split": (MARCH.split, {"unit": "week"}),
    "Period.from_dict": (Period.from_dict, {"document": MARCH.to_dict()}),
}


@pytest.mark.parametrize("name", sorted(PERIOD_CALLS))
def test_a_bad_argument_to_a_period_gives_only_a_salesflow_error_and_comes_back(name):
    function, arguments = PERIOD_CALLS[name]
    function(**arguments)

    for key in arguments:
        for bad in BAD:
            _only_salesflow_errors(lambda key=key, bad=bad: function(**{**arguments, key: bad}))


def test_a_bad_value_in_a_period_document_gives_only_a_salesflow_error():
    document = MARCH.to_dict()

    for key in [*document, "extra"]:
        for bad in BAD:
            _only_salesflow_errors(
                lambda key=key, bad=bad: Period.from_dict({**document, key: bad})
            )


def test_a_bad_value_in_a_result_document_gives_only_a_salesflow_error():
    documents = [
        m.retention_rate(customers_at_start=5, new_customers=1, customers_at_end=4).to_dict(),
        m.nps([9, 3]).to_dict(),
        m.customer_acquisition_cost(
            sales_spend=EURO, marketing_spend=EURO, new_customers=2
        ).to_dict(),
    ]

    for document in documents:
        for key in [*document, "extra"]:
            for bad in BAD:
                _only_salesflow_errors(
                    lambda key=key, bad=bad, doc=document: m.result_from_dict({**doc, key: bad})
                )
        for position in range(len(document["inputs"])):
            for bad in BAD:
                inputs = [list(pair) for pair in document["inputs"]]
                inputs[position][1] = bad
                _only_salesflow_errors(
                    lambda inputs=inputs, doc=document: m.result_from_dict(
                        {**doc, "inputs": inputs}
                    )
                )
