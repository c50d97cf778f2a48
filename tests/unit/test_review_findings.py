"""Defects found in review of issue 10's change, each pinned by a test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest

from helpers import at, shipped
from salesflow import IdempotencyConflict, InvalidField, metrics
from salesflow.orders import CarrierUpdate, apply_carrier_update
from salesflow.routing import Role
from salesflow.routing.handoffs import Ownership


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
    first = start.reassign("rita", at=t0 + timedelta(hours=1), idempotency_key="k-1")
    moved = first.ownership.transfer(Role.CLOSER, person="cleo", at=t0 + timedelta(hours=2))

    again = moved.ownership.reassign("rita", at=t0 + timedelta(hours=3), idempotency_key="k-1")

    assert again.repeated
    assert again.event == first.event
    assert again.ownership is moved.ownership


def test_a_reassign_key_reused_for_another_person_is_still_a_conflict():
    t0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
    start = Ownership.start(lead_id="L-1", role=Role.QUALIFIER, person="quinn", at=t0).ownership
    first = start.reassign("rita", at=t0 + timedelta(hours=1), idempotency_key="k-1")

    with pytest.raises(IdempotencyConflict, match="person"):
        first.ownership.reassign("sam", at=t0 + timedelta(hours=2), idempotency_key="k-1")


@pytest.mark.parametrize(
    "call",
    [
        lambda scale: metrics.csat_from_counts({1: 3}, scale=scale, satisfied_from=2),
        lambda scale: metrics.csat([1, 2], scale=scale, satisfied_from=2),
        lambda scale: metrics.csat_mean([1, 2], scale=scale),
        lambda scale: metrics.manager_kpis(csat_scale=scale),
    ],
    ids=["csat_from_counts", "csat", "csat_mean", "manager_kpis"],
)
def test_a_survey_scale_too_wide_to_tally_is_refused_at_once(call):
    with pytest.raises(InvalidField, match="scale"):
        call((1, 10**30))


def test_a_survey_scale_of_0_to_100_is_still_read():
    result = metrics.csat_from_counts({100: 1, 10: 1}, scale=(0, 100), satisfied_from=90)

    assert result.fraction == Fraction(1, 2)
