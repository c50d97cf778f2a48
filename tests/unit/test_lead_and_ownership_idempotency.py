"""Idempotency keys on leads and ownership records: the same mechanism as orders."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from helpers import T0, at
from salesflow import IdempotencyConflict, InvalidField, Money, VersionConflict
from salesflow.leads import ActivityKind, Lead, LeadSource, LostReason
from salesflow.routing import Ownership, RejectReason, Role


def _lead() -> Lead:
    return Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=T0).lead


def _lost() -> Lead:
    return _lead().lose(reason=LostReason.BUDGET, at=at(1)).lead


# verb, the lead it applies to, positional and keyword arguments, another value for each.
LEAD_COMMANDS: list[tuple[str, Any, tuple[Any, ...], dict[str, Any], dict[str, Any]]] = [
    ("advance", _lead, (), {}, {"actor": "sam"}),
    ("qualify", _lead, (), {}, {"actor": "sam"}),
    ("move_back", lambda: _lead().advance(at=at(1)).lead, (), {"reason": "x"}, {"reason": "y"}),
    ("reactivate", _lost, (), {}, {"actor": "sam"}),
    (
        "lose",
        _lead,
        (),
        {"reason": LostReason.SEASONAL, "come_back_on": date(2027, 3, 1), "note": "winter"},
        {"come_back_on": date(2027, 4, 1), "note": "spring", "actor": "sam"},
    ),
    ("disqualify", _lead, (), {"note": "students"}, {"note": "a competitor", "actor": "sam"}),
    (
        "log_activity",
        _lead,
        (),
        {"kind": ActivityKind.CALL, "note": "left a message"},
        {"note": "spoke to Ada", "actor": "sam"},
    ),
]


def _lead_run(lead: Lead, verb: str, args: tuple[Any, ...], kwargs: dict[str, Any], **options):
    return getattr(lead, verb)(*args, at=at(5), **kwargs, **options)


@pytest.mark.parametrize(
    ("verb", "make", "args", "kwargs"),
    [pytest.param(v, m, a, k, id=v) for v, m, a, k, _ in LEAD_COMMANDS],
)
def test_a_lead_command_retried_with_the_same_arguments_is_repeated(verb, make, args, kwargs):
    first = _lead_run(make(), verb, args, kwargs, idempotency_key="k")

    again = getattr(first.lead, verb)(
        *args, at=at(9), **kwargs, idempotency_key="k", expected_version=1
    )

    assert first.event.idempotency_key == "k"
    assert again.repeated
    assert again.lead is first.lead
    assert again.event is first.event


@pytest.mark.parametrize(
    ("verb", "make", "args", "kwargs", "name", "value"),
    [
        pytest.param(v, m, a, k, name, value, id=f"{v}-{name}")
        for v, m, a, k, others in LEAD_COMMANDS
        for name, value in others.items()
    ],
)
def test_a_lead_command_with_the_same_key_and_another_argument_is_a_conflict_naming_it(
    verb, make, args, kwargs, name, value
):
    first = _lead_run(make(), verb, args, kwargs, idempotency_key="k")
    document = first.lead.to_dict()

    with pytest.raises(IdempotencyConflict) as caught:
        _lead_run(first.lead, verb, args, {**kwargs, name: value}, idempotency_key="k")

    assert (caught.value.key, caught.value.argument) == ("k", name)
    assert first.lead.to_dict() == document


def test_a_lose_with_another_reason_names_the_reason_parameter():
    first = _lead().lose(reason=LostReason.BUDGET, at=at(1), idempotency_key="k")

    with pytest.raises(IdempotencyConflict) as caught:
        first.lead.lose(reason=LostReason.COMPETITOR, at=at(1), idempotency_key="k")

    assert caught.value.argument == "reason"


def test_reactivate_records_its_actor_and_key_and_checks_its_expected_version():
    lost = _lost()

    with pytest.raises(VersionConflict):
        lost.reactivate(at=at(2), expected_version=1)
    outcome = lost.reactivate(at=at(2), actor="sam", idempotency_key="k", expected_version=2)

    assert (outcome.event.actor, outcome.event.idempotency_key) == ("sam", "k")
    assert outcome.lead.reactivate(at=at(3), actor="sam", idempotency_key="k").repeated


def test_qualify_stores_its_key_and_a_retry_is_repeated():
    outcome = _lead().qualify(at=at(1), actor="sam", idempotency_key="q")

    assert outcome.event.idempotency_key == "q"
    assert Lead.from_dict(outcome.lead.to_dict())._fold.keys == {"q": 2}
    again = outcome.lead.qualify(at=at(2), actor="sam", idempotency_key="q")
    assert again.repeated
    assert again.lead.version == 2


def test_a_repeated_lead_creation_returns_the_original_outcome():
    first = Lead.create(
        lead_id="L-1", source="inbound", at=T0, deal_value=Money("10", "EUR"), idempotency_key="c"
    )
    stored = Lead.from_dict(json.loads(json.dumps(first.lead.to_dict())))

    again = Lead.create(
        lead_id="L-1",
        source=LeadSource.INBOUND,
        at=T0 + timedelta(minutes=3),
        deal_value=Money("10.00", "EUR"),
        idempotency_key="c",
        existing=stored,
    )

    assert again.repeated
    assert again.lead is stored
    assert again.event == first.event


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("lead_id", "L-2"),
        ("source", LeadSource.OUTBOUND),
        ("deal_value", Money("11", "EUR")),
        ("actor", "sam"),
    ],
)
def test_a_repeated_lead_creation_with_another_argument_is_a_conflict(name, value):
    arguments: dict[str, Any] = {"lead_id": "L-1", "source": "inbound", "at": T0}
    stored = Lead.create(**arguments, idempotency_key="c").lead

    with pytest.raises(IdempotencyConflict) as caught:
        Lead.create(**{**arguments, name: value}, idempotency_key="c", existing=stored)

    assert caught.value.argument == name
    with pytest.raises(IdempotencyConflict):
        Lead.create(**arguments, idempotency_key="other", existing=stored)
    with pytest.raises(InvalidField, match="idempotency_key"):
        Lead.create(**arguments, existing=stored)


def _started() -> Ownership:
    return Ownership.start(lead_id="L-1", role=Role.QUALIFIER, person="quinn", at=T0).ownership


def _offered() -> Ownership:
    return _started().hand_off(to_role=Role.CLOSER, to_person="cleo", at=at(1)).ownership


OWNERSHIP_COMMANDS: list[tuple[str, Any, tuple[Any, ...], dict[str, Any], dict[str, Any]]] = [
    (
        "hand_off",
        _started,
        (),
        {"to_role": Role.CLOSER, "to_person": "cleo", "expires_at": at(30), "note": "hot"},
        {"to_person": "carl", "expires_at": at(31), "note": "warm", "actor": "x"},
    ),
    ("accept", _offered, (), {}, {"person": "carl", "actor": "x"}),
    (
        "reject",
        _offered,
        (),
        {"reason": RejectReason.OTHER, "note": "not ours"},
        {"note": "wrong region", "actor": "x"},
    ),
    ("withdraw", _offered, (), {"note": "oops"}, {"note": "changed mind", "actor": "x"}),
    (
        "reassign",
        _started,
        (),
        {"person": "rita", "note": "holiday"},
        {"note": "sick", "actor": "x"},
    ),
    (
        "transfer",
        _started,
        (),
        {"role": Role.CLOSER, "person": "cleo"},
        {"person": "carl", "actor": "x"},
    ),
]


@pytest.mark.parametrize(
    ("verb", "make", "args", "kwargs", "name", "value"),
    [
        pytest.param(v, m, a, k, name, value, id=f"{v}-{name}")
        for v, m, a, k, others in OWNERSHIP_COMMANDS
        for name, value in others.items()
    ],
)
def test_an_ownership_command_is_bound_to_its_arguments(verb, make, args, kwargs, name, value):
    first = getattr(make(), verb)(*args, at=at(5), **kwargs, idempotency_key="k")

    again = getattr(first.ownership, verb)(*args, at=at(8), **kwargs, idempotency_key="k")
    with pytest.raises(IdempotencyConflict) as caught:
        getattr(first.ownership, verb)(
            *args, at=at(8), **{**kwargs, name: value}, idempotency_key="k"
        )

    assert again.repeated
    assert again.event is first.event
    assert (caught.value.key, caught.value.argument) == ("k", name)


def test_a_deadline_given_in_another_zone_is_the_same_argument():
    from zoneinfo import ZoneInfo

    deadline = at(30)
    first = _started().hand_off(
        to_role=Role.CLOSER, at=at(1), expires_at=deadline, idempotency_key="k"
    )

    again = first.ownership.hand_off(
        to_role=Role.CLOSER,
        at=at(2),
        expires_at=deadline.astimezone(ZoneInfo("Australia/Lord_Howe")),
        idempotency_key="k",
    )

    assert again.repeated


def test_a_repeated_ownership_start_returns_the_original_outcome_or_a_conflict():
    first = Ownership.start(
        lead_id="L-1", role=Role.QUALIFIER, person="q", at=T0, idempotency_key="s"
    )
    stored = Ownership.from_dict(json.loads(json.dumps(first.ownership.to_dict())))

    again = Ownership.start(
        lead_id="L-1", role="qualifier", person="q", at=at(1), idempotency_key="s", existing=stored
    )

    assert again.repeated
    assert again.ownership is stored
    assert again.event == first.event
    with pytest.raises(IdempotencyConflict) as caught:
        Ownership.start(
            lead_id="L-1", role=Role.CLOSER, person="q", at=T0, idempotency_key="s", existing=stored
        )
    assert caught.value.argument == "role"


@pytest.mark.parametrize("verb", ["accept", "withdraw", "expire"])
def test_a_key_of_the_start_reused_for_a_later_command_is_a_conflict(verb):
    started = Ownership.start(
        lead_id="L-1", role=Role.QUALIFIER, person="q", at=T0, idempotency_key="k"
    ).ownership
    offered = started.hand_off(
        to_role=Role.CLOSER, to_person="c", at=at(1), expires_at=at(2)
    ).ownership

    with pytest.raises(IdempotencyConflict, match="'k' was already used for 'start'"):
        getattr(offered, verb)(at=at(3), idempotency_key="k")
