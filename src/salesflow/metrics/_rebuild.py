"""Rebuilding a result document from its inputs, so an edited document is refused (private).

For the metrics listed here, :func:`~salesflow.metrics.result_from_dict` rebuilds
the result from its ``inputs`` by the metric itself and requires it to equal the
document (docs/metrics.md, "Results", says which metrics and why).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from salesflow._results import Amount, Ratio, Score, settle
from salesflow.metrics._figures import distinct_id_conversion
from salesflow.metrics.customers import (
    active_churn,
    active_retention,
    churn_rate,
    is_active_variant,
    purchase_frequency,
    repeat_purchase_rate,
    retention_rate,
    set_based_churn,
    set_based_retention,
)
from salesflow.metrics.funnel import conversion_rate
from salesflow.metrics.managers import customer_acquisition_cost
from salesflow.metrics.surveys import csat, nps
from salesflow.money import Money

Result = Ratio | Score | Amount
Rebuild = Callable[[Mapping[str, Any], Result], Result]

_SHARE: Final = re.compile(r"share of (\d+)(?:-(\d+))? on (-?\d+)-(\d+)")


def _retention(inputs: Mapping[str, Any], result: Result) -> Result:
    if result.variant == "counts":
        return retention_rate(
            customers_at_start=inputs["customers at start"],
            new_customers=inputs["new customers"],
            customers_at_end=inputs["customers at end"],
        )
    # From the sizes of the sets: making sets of a forged size would never end.
    start, end = _count(inputs, "customers at start"), _count(inputs, "customers at end")
    retained = _count(inputs, "retained")
    if not 0 <= retained <= min(start, end):
        raise ValueError("retained")
    if is_active_variant(result.variant):
        return settle(active_retention(start, end, retained, result.variant), "undefined")
    return settle(set_based_retention(start, end, retained), "undefined")


def _churn(inputs: Mapping[str, Any], result: Result) -> Result:
    if result.variant == "counts":
        return churn_rate(
            customers_at_start=inputs["customers at start"], customers_lost=inputs["customers lost"]
        )
    if result.variant == "set-based":
        start, lost = _count(inputs, "customers at start"), _count(inputs, "customers lost")
        if not 0 <= lost <= start:
            raise ValueError("customers lost")
        return settle(set_based_churn(start, lost), "undefined")
    if is_active_variant(result.variant):
        start, end = _count(inputs, "customers at start"), _count(inputs, "customers at end")
        lost = _count(inputs, "customers lost")
        if not 0 <= lost <= start or start - lost > end:
            raise ValueError("customers lost")
        return settle(active_churn(start, end, lost, result.variant), "undefined")
    if result.variant == "average customers":
        return churn_rate(
            variant="average_customers",
            customers_at_start=inputs["customers at start"],
            customers_at_end=inputs["customers at end"],
            customers_lost=inputs["customers lost"],
        )
    return churn_rate(
        variant="customer_days",
        customers_lost=inputs["customers lost"],
        customer_days=inputs["customer-days"],
        days=inputs["days"],
    )


def _conversion(inputs: Mapping[str, Any], result: Result) -> Result:
    if result.variant == "counts":
        return conversion_rate(conversions=inputs["conversions"], visitors=inputs["visitors"])
    visitors, converted = _count(inputs, "visitors"), _count(inputs, "converted visitors")
    if not 0 <= converted <= visitors:
        raise ValueError("converted visitors")
    return settle(distinct_id_conversion(converted, visitors), "undefined")


def _csat(inputs: Mapping[str, Any], result: Result) -> Result:
    shape = _SHARE.fullmatch(result.variant)
    if shape is None:
        raise KeyError("variant")
    threshold, low, high = int(shape[1]), int(shape[3]), int(shape[4])
    counts = {int(name.rsplit(" ", 1)[1]): count for name, count in inputs.items()}
    return csat(counts=counts, scale=(low, high), satisfied_from=threshold)


def _acquisition(inputs: Mapping[str, Any], result: Result) -> Result:
    return customer_acquisition_cost(
        sales_spend=inputs["sales spend"],
        marketing_spend=inputs["marketing spend"],
        overhead_spend=inputs.get("overhead spend"),
        new_customers=inputs["new customers"],
    )


def _shares(numerator: str, denominator: str, formula: str, denominator_name: str = "") -> Rebuild:
    """A share whose numerator and denominator are two of its inputs, under a fixed formula.

    Its variant (the period) and ``unfinished`` (the period not over at the
    ``now`` given) are not determined by the inputs and are taken as written.
    """

    def rebuild(inputs: Mapping[str, Any], result: Result) -> Result:
        if not isinstance(result, Ratio):
            raise TypeError(result)
        return Ratio(
            result.metric,
            inputs[numerator],
            inputs[denominator],
            variant=result.variant,
            formula=formula,
            inputs=tuple((name, inputs[name]) for name in (denominator, numerator)),
            denominator_name=denominator_name,
            unfinished=result.unfinished,
        )

    return rebuild


def _on_time(inputs: Mapping[str, Any], result: Result) -> Result:
    delivered, on_time = inputs["orders delivered"], inputs["on time"]
    if not isinstance(result, Ratio):
        raise TypeError(result)
    return Ratio(
        result.metric,
        on_time,
        delivered,
        variant=result.variant,
        formula="orders delivered on or before the first promised date / orders delivered",
        inputs=(
            ("orders delivered", delivered),
            ("on time", on_time),
            ("late", delivered - on_time),
            ("not delivered (left out)", inputs["not delivered (left out)"]),
        ),
        unfinished=result.unfinished,
    )


def _count(inputs: Mapping[str, Any], name: str) -> int:
    """The input ``name``, which a metric writes as a whole number (not a Decimal's text)."""
    value = inputs[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(name)
    return value


def _average_order_value(inputs: Mapping[str, Any], result: Result) -> Result:
    if not isinstance(result, Amount):
        raise TypeError(result)
    basis = result.variant.split(",", 1)[0]
    if basis not in ("net", "gross"):
        raise KeyError("variant")
    revenue = "net revenue (amount - discount)" if basis == "net" else "gross revenue"
    if not isinstance(inputs[revenue], Money):
        raise TypeError(revenue)
    figures: list[tuple[str, Money | int]] = [
        (revenue, inputs[revenue]),
        ("orders", _count(inputs, "orders")),
    ]
    if ", cancelled included" not in result.variant:
        figures.append(("cancelled orders left out", _count(inputs, "cancelled orders left out")))
    return Amount(
        "average order value",
        inputs[revenue],
        _count(inputs, "orders"),
        variant=result.variant,
        formula=f"{revenue} / orders",
        inputs=tuple(figures),
        denominator_name="orders",
        unfinished=result.unfinished,
    )


_MEAN_ON: Final = re.compile(r"mean on (-?\d+)-(-?\d+)")


def _mean_satisfaction(inputs: Mapping[str, Any], result: Result) -> Result:
    shape = _MEAN_ON.fullmatch(result.variant)
    if shape is None:
        raise KeyError("variant")
    low, high = int(shape[1]), int(shape[2])
    total, answers = _count(inputs, "sum of scores"), _count(inputs, "answers")
    if low >= high or not low * answers <= total <= high * answers:
        raise ValueError("sum of scores")
    return Score(
        "mean satisfaction",
        total,
        answers,
        variant=result.variant,
        formula="sum of scores / answers",
        inputs=(("sum of scores", total), ("answers", answers)),
        denominator_name="answers",
    )


def _lead_conversion(inputs: Mapping[str, Any], result: Result) -> Result:
    name = "qualified leads" if "qualified leads" in inputs else "leads"
    return _shares(f"won {name}", name, f"won {name} / {name}", name)(inputs, result)


REBUILDERS: Final[dict[tuple[type, str], Rebuild]] = {
    (Ratio, "retention rate"): _retention,
    (Ratio, "churn rate"): _churn,
    (Ratio, "repeat purchase rate"): lambda inputs, _: repeat_purchase_rate(
        repeat_customers=_count(inputs, "customers with 2+ orders"),
        customers=_count(inputs, "customers"),
    ),
    (Score, "purchase frequency"): lambda inputs, _: purchase_frequency(
        order_count=_count(inputs, "orders"), customers=_count(inputs, "customers")
    ),
    (Score, "NPS"): lambda inputs, _: nps(
        promoters=inputs["promoters"], passives=inputs["passives"], detractors=inputs["detractors"]
    ),
    (Ratio, "CSAT"): _csat,
    (Ratio, "conversion rate"): _conversion,
    (Amount, "customer acquisition cost"): _acquisition,
    (Ratio, "order cancellation rate"): _shares(
        "cancelled", "orders placed", "cancelled orders / orders placed"
    ),
    (Ratio, "delay rate"): _shares(
        "ever delayed", "orders placed", "orders ever delayed / orders placed"
    ),
    (Ratio, "on-time delivery rate"): _on_time,
    (Ratio, "share of support requests about order status"): _shares(
        "about order status", "requests", "requests about order status / all requests"
    ),
    (Ratio, "share lost after a demo"): _shares(
        "lost after a demo",
        "leads with a demo",
        "leads with a demo that were later lost / leads with a demo",
        "leads with a demo",
    ),
    (Ratio, "share asking for a demo after an intro call"): _shares(
        "demo after the intro call",
        "leads with an intro call",
        "leads with a demo after an intro call / leads with an intro call",
        "leads with an intro call",
    ),
    (Ratio, "lead conversion rate"): _lead_conversion,
    (Amount, "average order value"): _average_order_value,
    (Score, "mean satisfaction"): _mean_satisfaction,
}


def from_inputs(result: Any) -> Result | None:
    """``result`` rebuilt from its inputs by its metric, or None when it is not a listed metric.

    Raises ``KeyError``, ``TypeError`` or a ``SalesflowError`` when the inputs
    cannot rebuild it (missing, renamed, retyped or impossible figures).
    """
    rebuild = REBUILDERS.get((type(result), result.metric))
    if rebuild is None:
        return None
    inputs = dict(result.inputs)
    if len(inputs) != len(result.inputs):
        raise KeyError("inputs")
    return rebuild(inputs, result)
