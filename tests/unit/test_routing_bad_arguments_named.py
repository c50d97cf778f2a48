"""Routing calls refuse bad arguments with a SalesflowError naming the parameter as written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from fuzz import samples
from salesflow import InvalidField, InvalidType, SalesflowError
from salesflow.routing import (
    Dispatcher,
    LeastLoaded,
    Role,
    Shift,
    WorkingHours,
    compare_models,
    reassign_overdue,
)
from salesflow.routing.assignment import Decision

OUT_OF_RANGE = [
    datetime.min.replace(tzinfo=timezone(timedelta(hours=14))),
    datetime.max.replace(tzinfo=timezone(timedelta(hours=-14))),
]


@pytest.mark.parametrize("at", OUT_OF_RANGE, ids=["min +14:00", "max -14:00"])
def test_an_absence_and_a_person_refuse_a_time_whose_utc_instant_is_out_of_range(at):
    with pytest.raises(InvalidField, match=r"^at: got "):
        samples.absence().covers(at)
    with pytest.raises(InvalidField, match=r"^at: got "):
        samples.person().away_at(at)


def test_evolving_a_person_with_an_unknown_field_is_refused_naming_it():
    with pytest.raises(TypeError, match="unexpected keyword argument 'capacty'"):
        samples.person().evolve(capacty=3)  # type: ignore[call-arg]


def test_evolving_a_person_checks_the_new_values_and_keeps_the_rest():
    person = samples.person()

    changed = person.evolve(capacity=7, active=False)

    assert (changed.capacity, changed.active) == (7, False)
    assert attrs.evolve(changed, capacity=person.capacity, active=person.active) == person
    with pytest.raises(InvalidField, match=r"weight: got 0"):
        person.evolve(weight=0)


@pytest.mark.parametrize("method", ["get", "without"])
def test_a_team_names_person_id_for_someone_not_in_it(method):
    with pytest.raises(InvalidField, match=r"^person_id: got 'zoe'"):
        getattr(samples.team(), method)("zoe")


@pytest.mark.parametrize(("value", "error"), [("9 to 5", InvalidField), (17, InvalidType)])
def test_shift_parse_names_its_value_parameter(value, error):
    with pytest.raises(error, match=r"^value: got "):
        Shift.parse(value)


def test_shift_parse_names_the_part_of_its_value_that_is_wrong():
    with pytest.raises(InvalidField, match=r"^value\.start"):
        Shift.parse("nine-17:00")


def test_working_hours_from_dict_names_the_document_parameter():
    with pytest.raises(InvalidType, match=r"^document: got \['zone'\]"):
        WorkingHours.from_dict(["zone"])


@pytest.mark.parametrize(
    "changes",
    [{"role": "boss"}, {"at": "2026-11-23"}, {"at": datetime(2026, 11, 23)}, {"lead_id": 7}],
    ids=repr,
)
def test_a_decision_refuses_a_malformed_part_when_built(changes):
    made = samples.assignment().decision
    parts = {"lead_id": made.lead_id, "role": made.role, "at": made.at, "person": made.person}
    parts.update(changes)
    (name,) = changes

    with pytest.raises(InvalidField, match=rf"^Decision: {name}: got "):
        Decision(parts["lead_id"], parts["role"], parts["at"], parts["person"], made._source, 0)


@pytest.mark.parametrize("decision", [None, "L-1", object()], ids=repr)
def test_a_dispatcher_refuses_details_of_anything_but_its_own_decision(decision):
    made = Dispatcher(samples.team(), LeastLoaded(), samples.ledger())

    with pytest.raises(InvalidType, match=r"^decision: got "):
        made.details(decision)


def test_a_dispatcher_refuses_details_of_another_dispatchers_decision():
    other = samples.dispatcher().assign("L-9", Role.QUALIFIER, at=samples.at(9))

    with pytest.raises(InvalidType, match=r"^decision: got "):
        samples.dispatcher().details(other)


def test_compare_models_names_the_position_of_an_unknown_model():
    with pytest.raises(InvalidField, match=r"^models\[1\]: got 'four_tier'"):
        compare_models(["one_tier", "four_tier"], strategy=LeastLoaded(), seed=1)


def test_compare_models_names_teams_for_an_unknown_model_key():
    with pytest.raises(InvalidField, match=r"^teams: got 'four_tier'"):
        compare_models(
            ["one_tier"], strategy=LeastLoaded(), seed=1, teams={"four_tier": samples.team()}
        )


def _overdue(**changes):
    arguments = {
        "now": samples.T0,
        "deadline": timedelta(hours=2),
        "team": samples.team(),
        "ledger": samples.ledger(),
        "strategy": LeastLoaded(),
        **changes,
    }
    return reassign_overdue([samples.waiting()], **arguments)


def test_reassign_overdue_names_now_when_it_lies_beyond_working_hours_range():
    with pytest.raises(InvalidField, match=r"^now: got "):
        _overdue(now=datetime.max.replace(tzinfo=UTC))


def test_reassign_overdue_names_supervisors_for_an_unknown_role():
    with pytest.raises(InvalidField, match=r"^supervisors: got 'boss'"):
        _overdue(supervisors={"boss": "head"})


@pytest.mark.parametrize(
    "fairness",
    [{"closer": "0.5"}, {"boss": None}, {Role.CLOSER: 2}, ["closer"]],
    ids=repr,
)
def test_a_simulation_report_refuses_fairness_that_is_not_an_index_per_role(fairness):
    with pytest.raises(SalesflowError, match=r"^SimulationReport: fairness"):
        attrs.evolve(samples.report(), fairness=fairness)
