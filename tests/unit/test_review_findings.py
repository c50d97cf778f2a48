"""Defects found in review of issue 10's change, each pinned by a test."""

from __future__ import annotations

import json
import signal
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest

from helpers import at, packed, shipped
from salesflow import IdempotencyConflict, InvalidField, metrics
from salesflow._results import Ratio
from salesflow.metrics.results import result_from_dict
from salesflow.orders import CarrierUpdate, Order, apply_carrier_update
from salesflow.routing import Ownership, Role


def _scan(code: str, hours: float = 10.0, **extra: object) -> CarrierUpdate:
    extra.setdefault("tracking_number", "JD01")
    return CarrierUpdate(vocabulary="aftership", code=code, at=at(hours), **extra)  # type: ignore[arg-type]


def test_a_delivery_id_reused_for_a_scan_with_another_code_is_a_conflict():
    first = apply_carrier_update(
        shipped(), _scan("InTransit", location="Leipzig hub"), idempotency_key="d-1"
    )

    with pytest.raises(IdempotencyConflict, match="d-1"):
        apply_carrier_update(first.order, _scan("Delivered"), idempotency_key="d-1")


def test_a_delivery_id_reused_for_another_parcel_is_a_conflict():
    first = apply_carrier_update(
        shipped(), _scan("InTransit", location="Leipzig hub"), idempotency_key="d-1"
    )
    other = _scan("InTransit", location="Leipzig hub", tracking_number="ZZ99")

    with pytest.raises(IdempotencyConflict, match="tracking_number"):
        apply_carrier_update(first.order, other, idempotency_key="d-1")


@pytest.mark.parametrize(
    "changed",
    [{"message": "fire"}, {"estimated_delivery": date(2026, 12, 9)}],
    ids=["another reason", "another date"],
)
def test_a_delivery_id_reused_for_another_problem_is_a_conflict(changed):
    problem = {"message": "flood", "estimated_delivery": date(2026, 12, 2)}
    first = apply_carrier_update(shipped(), _scan("Exception", **problem), idempotency_key="d-2")

    with pytest.raises(IdempotencyConflict, match="d-2"):
        apply_carrier_update(
            first.order, _scan("Exception", **{**problem, **changed}), idempotency_key="d-2"
        )


def test_a_delivery_id_retried_with_the_same_problem_scan_repeats_the_earlier_outcome():
    problem = _scan("Exception", message="flood", estimated_delivery=date(2026, 12, 2))
    first = apply_carrier_update(shipped(), problem, idempotency_key="d-2")

    again = apply_carrier_update(first.order, problem, idempotency_key="d-2")

    assert again.repeated
    assert again.order is first.order
    assert [o.event for o in again.outcomes] == [o.event for o in first.outcomes]


def test_a_retried_reassign_repeats_after_the_lead_moved_to_another_role():
    t0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
    start = Ownership.start(lead_id="L-1", role=Role.QUALIFIER, person="quinn", at=t0).ownership
    first = start.reassign(person="rita", at=t0 + timedelta(hours=1), idempotency_key="k-1")
    moved = first.ownership.transfer(role=Role.CLOSER, person="cleo", at=t0 + timedelta(hours=2))

    again = moved.ownership.reassign(
        person="rita", at=t0 + timedelta(hours=3), idempotency_key="k-1"
    )

    assert again.repeated
    assert again.event == first.event
    assert again.ownership is moved.ownership


def test_a_reassign_key_reused_for_another_person_is_still_a_conflict():
    t0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
    start = Ownership.start(lead_id="L-1", role=Role.QUALIFIER, person="quinn", at=t0).ownership
    first = start.reassign(person="rita", at=t0 + timedelta(hours=1), idempotency_key="k-1")

    with pytest.raises(IdempotencyConflict, match="person"):
        first.ownership.reassign(person="sam", at=t0 + timedelta(hours=2), idempotency_key="k-1")


@pytest.mark.parametrize(
    "call",
    [
        lambda scale: metrics.csat(counts={1: 3}, scale=scale, satisfied_from=2),
        lambda scale: metrics.csat([1, 2], scale=scale, satisfied_from=2),
        lambda scale: metrics.csat([1, 2], scale=scale, variant="mean"),
        lambda scale: metrics.manager_kpis(csat_scale=scale),
    ],
    ids=["csat counts", "csat", "csat mean", "manager_kpis"],
)
def test_a_survey_scale_too_wide_to_tally_is_refused_at_once(call):
    with pytest.raises(InvalidField, match="scale"):
        call((1, 10**30))


def test_a_survey_scale_of_0_to_100_is_still_read():
    result = metrics.csat(counts={100: 1, 10: 1}, scale=(0, 100), satisfied_from=90)

    assert result.fraction == Fraction(1, 2)


def _within_seconds(seconds: int, call):
    def too_slow(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(seconds)
    try:
        return call()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _set_based(metric, numerator, denominator, formula, inputs):
    return Ratio(
        metric,
        numerator,
        denominator,
        variant="set-based" if metric != "conversion rate" else "distinct ids",
        formula=formula,
        inputs=inputs,
        denominator_name="customers at start" if metric != "conversion rate" else "visitors",
    ).to_dict()


HUGE = 10**15
SET_BASED_DOCUMENTS = {
    "retention": _set_based(
        "retention rate",
        HUGE - 1,
        HUGE,
        "|customers at start ∩ customers at end| / |customers at start|",
        (
            ("customers at start", HUGE),
            ("customers at end", HUGE),
            ("retained", HUGE - 1),
            ("lost", 1),
            ("new and still there", 1),
        ),
    ),
    "churn": _set_based(
        "churn rate",
        1,
        HUGE,
        "|customers at start - customers at end| / |customers at start|",
        (("customers at start", HUGE), ("customers lost", 1)),
    ),
    "conversion": _set_based(
        "conversion rate",
        3,
        HUGE,
        "|converted visitors| / |visitors|",
        (("converted visitors", 3), ("visitors", HUGE)),
    ),
}


@pytest.mark.parametrize("name", sorted(SET_BASED_DOCUMENTS))
def test_a_set_based_result_document_with_huge_counts_is_read_without_making_the_sets(name):
    document = SET_BASED_DOCUMENTS[name]

    result = _within_seconds(5, lambda: result_from_dict(document))

    assert result.to_dict() == document


def test_a_set_based_retention_document_retaining_more_than_it_started_with_is_refused():
    document = _set_based(
        "retention rate",
        5,
        3,
        "|customers at start ∩ customers at end| / |customers at start|",
        (
            ("customers at start", 3),
            ("customers at end", 5),
            ("retained", 5),
            ("lost", -2),
            ("new and still there", 0),
        ),
    )

    with pytest.raises(InvalidField):
        result_from_dict(document)


def test_a_delivery_id_that_shipped_the_order_is_a_conflict_when_retried_with_another_carrier():
    first = apply_carrier_update(
        packed(), _scan("InTransit", location="Leipzig hub", carrier="DHL"), idempotency_key="d-3"
    )
    other = _scan("InTransit", location="Leipzig hub", carrier="UPS")

    with pytest.raises(IdempotencyConflict, match="carrier"):
        apply_carrier_update(first.order, other, idempotency_key="d-3")

    again = apply_carrier_update(
        first.order,
        _scan("InTransit", location="Leipzig hub", carrier="DHL"),
        idempotency_key="d-3",
    )
    assert again.repeated


def test_an_order_document_read_into_ordered_dicts_is_read_back():
    order = shipped()
    document = json.loads(json.dumps(order.to_dict()), object_pairs_hook=OrderedDict)

    assert Order.from_dict(document) == order


def test_an_order_document_read_into_ordered_dicts_is_still_refused_when_added_to():
    document = json.loads(json.dumps(shipped().to_dict()), object_pairs_hook=OrderedDict)
    document["history"][0]["customer"]["vip"] = True
    document["status"] = "delivered"

    with pytest.raises(InvalidField, match=r"customer\.vip"):
        Order.from_dict(document)
