"""Commands from JSON (salesflow.Command): every verb, read from JSON primitives, applied as the verb.

A command only converts JSON primitives to the values the verb takes; the verb
does the business checks. So a life driven by JSON bodies must equal the life
driven by the verbs, and a body the verb would refuse is refused with the
verb's own error.
"""

from __future__ import annotations

import inspect
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from helpers import T0, at, packed, place, placed
from salesflow import (
    Command,
    IdempotencyConflict,
    InvalidField,
    InvalidType,
    Money,
    SalesflowError,
    VersionConflict,
)
from salesflow.commands import all_verbs
from salesflow.leads import Lead
from salesflow.leads.lifecycle import LEAD_EVENTS
from salesflow.orders import Customer, Order, OrderLine, ProcessingStep, SupportContact
from salesflow.orders.lifecycle import ORDER_EVENTS
from salesflow.routing import Ownership
from salesflow.routing.lifecycle import TRANSITIONS as HANDOFFS
from strategies import lead_lives, order_lives, ownership_lives

VERBS = all_verbs()

WHEN = "2026-11-23T09:00:00+00:00"

PLACE: dict[str, Any] = {
    "aggregate": "order",
    "command": "place",
    "number": "1001",
    "customer": {"id": "cust-1", "name": "Ada"},
    "lines": [
        {
            "sku": "MUG-1",
            "name": "Blue mug",
            "quantity": 2,
            "unit_price": {"amount": "8.50", "currency": "EUR"},
        },
        {
            "sku": "TEA-1",
            "name": "Earl Grey",
            "quantity": 1,
            "unit_price": {"amount": "4.00", "currency": "EUR"},
        },
    ],
    "estimated_delivery": "2026-11-27",
    "support": {"email": "help@shop.example"},
    "at": WHEN,
}


def body(aggregate: str, command: str, **arguments: Any) -> dict[str, Any]:
    return {"aggregate": aggregate, "command": command, **arguments}


def refusal(document: Any) -> SalesflowError:
    with pytest.raises(SalesflowError) as caught:
        Command.from_dict(document)
    return caught.value


# -- every verb has a command ----------------------------------------------------------


def _signature_parameters(method: Any) -> dict[str, inspect.Parameter]:
    return {
        name: parameter
        for name, parameter in inspect.signature(method).parameters.items()
        if parameter.kind is parameter.KEYWORD_ONLY and name != "existing"
    }


# The verbs, as the design and the state machines name them (not read from the commands).
EXPECTED_VERBS = {
    "order": {"place", *ORDER_EVENTS},
    "lead": {"create", *LEAD_EVENTS, "qualify", "log_activity"},
    "ownership": {"start", "reassign", "transfer", "hand_off", *HANDOFFS.events},
}
AGGREGATES = {"order": Order, "lead": Lead, "ownership": Ownership}


def test_every_verb_of_the_three_aggregates_has_a_command():
    found = {aggregate: set(verbs) for aggregate, verbs in VERBS.items()}

    assert found == EXPECTED_VERBS


@pytest.mark.parametrize(
    ("aggregate", "verb"),
    [(aggregate, verb) for aggregate, verbs in EXPECTED_VERBS.items() for verb in sorted(verbs)],
)
def test_a_commands_arguments_are_its_verbs_keyword_parameters(aggregate, verb):
    parameters = _signature_parameters(getattr(AGGREGATES[aggregate], verb))

    command = VERBS[aggregate][verb]

    assert list(command.parameters) == list(parameters)
    assert set(command.required) == {
        name for name, p in parameters.items() if p.default is inspect.Parameter.empty
    }
    assert command.creates == (
        "existing" in inspect.signature(getattr(AGGREGATES[aggregate], verb)).parameters
    )


def test_no_verb_takes_a_parameter_named_like_the_envelope_keys():
    clashes = [
        f"{aggregate}.{verb}"
        for aggregate, verbs in VERBS.items()
        for verb, command in verbs.items()
        if {"aggregate", "command"} & set(command.parameters)
    ]

    assert clashes == []


def test_a_public_method_that_returns_an_outcome_is_a_verb_with_a_command():
    outcomes = {"order": "OrderOutcome", "lead": "LeadOutcome", "ownership": "OwnershipOutcome"}
    returning = {
        aggregate: {
            name
            for name, member in vars(cls).items()
            if not name.startswith("_")
            and name != "apply"
            and getattr(getattr(member, "__func__", member), "__annotations__", {}).get("return")
            == outcomes[aggregate]
        }
        for aggregate, cls in AGGREGATES.items()
    }

    assert returning == EXPECTED_VERBS


# -- reading and writing --------------------------------------------------------------


def test_a_placement_body_reads_into_the_values_place_takes():
    command = Command.from_dict(PLACE)

    assert command.aggregate == "order"
    assert command.command == "place"
    assert command.arguments["customer"] == Customer("cust-1", "Ada")
    assert command.arguments["lines"][0] == OrderLine("MUG-1", "Blue mug", 2, Money("8.50", "EUR"))
    assert command.arguments["estimated_delivery"] == date(2026, 11, 27)
    assert command.arguments["support"] == SupportContact(email="help@shop.example")
    assert command.arguments["at"] == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_applying_a_placement_gives_what_place_gives():
    outcome = Command.from_dict(PLACE).apply()

    assert outcome == place()


def test_a_command_writes_back_exactly_the_body_it_read():
    command = Command.from_dict(PLACE)

    assert command.to_dict() == PLACE
    assert Command.from_dict(command.to_dict()) == command
    assert json.loads(json.dumps(command.to_dict())) == PLACE


def test_enum_values_are_read_as_their_enums():
    command = Command.from_dict(body("order", "process", step="payment_confirmation", at=WHEN))

    assert command.arguments["step"] is ProcessingStep.PAYMENT_CONFIRMATION


def test_null_is_read_as_none_where_the_verb_takes_none():
    command = Command.from_dict(
        body("ownership", "start", lead_id="L-1", role="qualifier", person=None, at=WHEN)
    )

    assert command.arguments["person"] is None
    assert command.apply().ownership.person is None


def test_a_key_left_out_takes_the_verbs_default_and_stays_out_of_the_body():
    command = Command.from_dict(body("order", "pick", at=WHEN))

    assert dict(command.arguments) == {"at": datetime(2026, 11, 23, 9, 0, tzinfo=UTC)}
    assert command.to_dict() == body("order", "pick", at=WHEN)


def test_a_time_keeps_its_offset():
    command = Command.from_dict(body("order", "pick", at="2026-11-23T10:00:00+01:00"))

    assert command.arguments["at"].utcoffset() == timedelta(hours=1)
    assert command.to_dict()["at"] == "2026-11-23T10:00:00+01:00"


def test_a_command_built_from_python_values_writes_the_same_body():
    command = Command(
        "order", "process", {"step": "stock_check", "at": datetime(2026, 11, 23, 9, tzinfo=UTC)}
    )

    assert command.arguments["step"] is ProcessingStep.STOCK_CHECK
    assert command.to_dict() == body("order", "process", step="stock_check", at=WHEN)
    assert Command.from_dict(command.to_dict()) == command


def test_equal_commands_hash_alike():
    first = Command.from_dict(PLACE)
    second = Command.from_dict(json.loads(json.dumps(PLACE)))

    assert first == second
    assert hash(first) == hash(second)


# -- refusals: the body as the client wrote it ---------------------------------------------


def test_an_unknown_key_is_refused_naming_it():
    error = refusal({**PLACE, "colour": "red"})

    assert isinstance(error, InvalidField)
    assert error.field == "colour"
    assert "no such key" in str(error)


def test_existing_is_not_a_body_key():
    error = refusal({**PLACE, "existing": None})

    assert isinstance(error, InvalidField)
    assert error.field == "existing"


def test_missing_required_keys_are_refused_naming_them_all():
    document = {key: value for key, value in PLACE.items() if key not in ("number", "at")}

    error = refusal(document)

    assert isinstance(error, InvalidField)
    assert error.field == "number"
    assert "number, at" in str(error)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"command": "place"}, "aggregate"),
        ({"aggregate": "order"}, "command"),
        ({"aggregate": "invoice", "command": "place"}, "aggregate"),
        ({"aggregate": 3, "command": "place"}, "aggregate"),
        ({"aggregate": "order", "command": "teleport"}, "command"),
        ({"aggregate": "order", "command": None}, "command"),
        ({"aggregate": "lead", "command": "ship"}, "command"),
    ],
)
def test_an_unknown_aggregate_or_verb_is_refused_naming_the_envelope_key(document, field):
    error = refusal(document)

    assert isinstance(error, InvalidField)
    assert error.field == field


@pytest.mark.parametrize("document", [None, [], "place", 7, (("aggregate", "order"),)])
def test_a_document_that_is_not_a_json_object_is_refused(document):
    error = refusal(document)

    assert isinstance(error, InvalidType)
    assert error.field == "document"


def test_a_naive_time_is_refused_naming_the_key():
    error = refusal({**PLACE, "at": "2026-11-23T09:00:00"})

    assert isinstance(error, InvalidType)
    assert error.field == "at"
    assert error.value == "2026-11-23T09:00:00"
    assert "naive" in str(error)


@pytest.mark.parametrize("value", ["23/11/2026 09:00", "", "2026-13-01T00:00:00+00:00", 1732352400])
def test_a_time_that_is_not_iso_8601_with_an_offset_is_refused(value):
    error = refusal({**PLACE, "at": value})

    assert error.field == "at"  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ["27/11/2026", "2026-11-27T00:00:00+00:00", 20261127, None])
def test_a_date_must_be_yyyy_mm_dd(value):
    error = refusal({**PLACE, "estimated_delivery": value})

    assert error.field == "estimated_delivery"  # type: ignore[attr-defined]


@pytest.mark.parametrize("amount", [8.5, 8, 0])
def test_a_json_number_amount_is_refused_saying_why(amount):
    lines = [dict(PLACE["lines"][0], unit_price={"amount": amount, "currency": "EUR"})]

    error = refusal({**PLACE, "lines": lines})

    assert isinstance(error, InvalidType)
    assert error.field == "lines[0].unit_price.amount"
    assert "exact" in str(error)


def test_a_json_number_amount_of_a_money_argument_is_refused_saying_why():
    error = refusal({**PLACE, "amount_due": {"amount": 21, "currency": "EUR"}})

    assert error.field == "amount_due.amount"  # type: ignore[attr-defined]
    assert "exact" in str(error)


def test_a_malformed_amount_is_refused_with_its_path():
    lines = [dict(PLACE["lines"][0], unit_price={"amount": "8,50", "currency": "EUR"})]

    error = refusal({**PLACE, "lines": lines})

    assert error.field == "lines[0].unit_price.amount"  # type: ignore[attr-defined]


@pytest.mark.parametrize("version", [True, 2.0, "2"])
def test_a_whole_number_must_be_a_json_integer(version):
    error = refusal(body("order", "pick", at=WHEN, expected_version=version))

    assert isinstance(error, InvalidType)
    assert error.field == "expected_version"


@pytest.mark.parametrize("quantity", [True, 2.0, "2"])
def test_a_line_quantity_must_be_a_json_integer(quantity):
    lines = [dict(PLACE["lines"][0], quantity=quantity)]

    error = refusal({**PLACE, "lines": lines})

    assert error.field == "lines[0].quantity"  # type: ignore[attr-defined]


def test_an_unknown_enum_value_is_refused_listing_the_values():
    error = refusal(body("order", "process", step="gift_wrap", at=WHEN))

    assert isinstance(error, InvalidField)
    assert error.field == "step"
    assert "stock_check" in str(error)


def test_null_is_refused_where_the_verb_does_not_take_none():
    error = refusal(body("order", "pick", at=WHEN, actor=None))

    assert isinstance(error, InvalidType)
    assert error.field == "actor"


def test_a_string_is_refused_where_a_list_of_lines_goes():
    error = refusal({**PLACE, "lines": "MUG-1"})

    assert isinstance(error, InvalidType)
    assert error.field == "lines"


def test_an_unknown_key_inside_a_line_is_refused_with_its_path():
    lines = [dict(PLACE["lines"][0], colour="blue")]

    error = refusal({**PLACE, "lines": lines})

    assert error.field == "lines[0].colour"  # type: ignore[attr-defined]


# -- the verb does the checks ----------------------------------------------------------------


def _error_of(thunk: Any) -> SalesflowError:
    with pytest.raises(SalesflowError) as caught:
        thunk()
    return caught.value


def test_a_body_the_verb_refuses_is_refused_with_the_verbs_own_error():
    order = packed()
    arguments = {"carrier": "DHL", "tracking_number": "  ", "at": at(4)}

    direct = _error_of(lambda: order.ship(**arguments))
    through = _error_of(
        lambda: Command.from_dict(
            body("order", "ship", carrier="DHL", tracking_number="  ", at=at(4).isoformat())
        ).apply(order)
    )

    assert type(through) is type(direct)
    assert str(through) == str(direct)


def test_a_move_the_lifecycle_does_not_allow_is_refused_as_the_verb_refuses_it():
    order = placed()

    direct = _error_of(lambda: order.ship(carrier="DHL", tracking_number="JD1", at=at(1)))
    through = _error_of(
        lambda: order.apply(
            Command.from_dict(
                body("order", "ship", carrier="DHL", tracking_number="JD1", at=at(1).isoformat())
            )
        )
    )

    assert str(through) == str(direct)


def test_a_stale_expected_version_is_the_verbs_version_conflict():
    command = Command.from_dict(
        body("order", "process", step="stock_check", at=WHEN, expected_version=7)
    )

    with pytest.raises(VersionConflict):
        command.apply(placed())


def test_a_retried_placement_returns_the_stored_outcome():
    document = {**PLACE, "idempotency_key": "req-1"}
    first = Command.from_dict(document).apply()

    again = Command.from_dict(document).apply(first.order)

    assert again.repeated
    assert again.order == first.order
    assert again.event == first.event


def test_a_placement_retried_with_other_arguments_is_an_idempotency_conflict():
    stored = Command.from_dict({**PLACE, "idempotency_key": "req-1"}).apply().order

    with pytest.raises(IdempotencyConflict):
        Command.from_dict({**PLACE, "idempotency_key": "req-1", "number": "1002"}).apply(stored)


# -- applying to the right target -------------------------------------------------------------


@pytest.mark.parametrize(
    "target", [None, "1001", Lead.create(lead_id="L-1", source="inbound", at=T0).lead]
)
def test_a_change_applied_to_no_order_or_another_aggregate_is_refused_naming_target(target):
    command = Command.from_dict(body("order", "pick", at=WHEN))

    error = _error_of(lambda: command.apply(target))

    assert isinstance(error, InvalidType)
    assert error.field == "target"


def test_a_creation_applied_over_another_aggregate_is_refused_naming_target():
    command = Command.from_dict(PLACE)
    lead = Lead.create(lead_id="L-1", source="inbound", at=T0).lead

    error = _error_of(lambda: command.apply(lead))

    assert isinstance(error, InvalidType)
    assert error.field == "target"


def test_an_aggregate_applies_its_own_change():
    order = placed()
    command = Command.from_dict(body("order", "process", step="stock_check", at=at(1).isoformat()))

    outcome = order.apply(command)

    assert outcome == order.process(step=ProcessingStep.STOCK_CHECK, at=at(1))


@pytest.mark.parametrize(
    "command",
    [
        Command.from_dict(PLACE),
        Command.from_dict(body("lead", "advance", at=WHEN)),
        "pick",
        None,
        {"aggregate": "order", "command": "pick", "at": WHEN},
    ],
    ids=["a placement", "a lead command", "a verb name", "None", "a body"],
)
def test_an_aggregate_refuses_anything_but_its_own_change_naming_command(command):
    order = placed()

    error = _error_of(lambda: order.apply(command))

    assert isinstance(error, InvalidField)
    assert error.field == "command"
    assert order == placed()


def test_a_command_applies_to_an_order_restored_from_its_snapshot_as_to_the_replayed_one():
    order = packed()
    restored = Order.from_snapshot(order.to_snapshot())
    command = Command.from_dict(
        body("order", "ship", carrier="DHL", tracking_number="JD1", at=at(4).isoformat())
    )

    through_snapshot = restored.apply(command)
    through_history = order.apply(command)

    assert through_snapshot.event == through_history.event
    assert through_snapshot.notification == through_history.notification
    assert through_snapshot.order.to_snapshot() == through_history.order.to_snapshot()


def test_a_lead_and_an_ownership_record_apply_their_own_changes():
    lead = Lead.create(lead_id="L-1", source="inbound", at=T0).lead
    record = Ownership.start(lead_id="L-1", role="qualifier", person="quinn", at=T0).ownership

    advanced = lead.apply(Command.from_dict(body("lead", "log_activity", kind="demo", at=WHEN)))
    handed = record.apply(
        Command.from_dict(body("ownership", "hand_off", to_role="closer", at=WHEN))
    )

    assert advanced.lead.had_demo
    assert handed.ownership.pending is not None
    with pytest.raises(InvalidField):
        lead.apply(Command.from_dict(body("ownership", "expire", at=WHEN)))
    with pytest.raises(InvalidField):
        record.apply(Command.from_dict(body("lead", "win", at=WHEN)))


# -- built from Python values -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"at": "2026-11-23T09:00:00+00:00"}, "arguments.at"),
        ({"at": datetime(2026, 11, 23, 9)}, "arguments.at"),
        (
            {"at": datetime(2026, 11, 23, 9, tzinfo=UTC), "expected_version": 1.0},
            "arguments.expected_version",
        ),
        ({"at": datetime(2026, 11, 23, 9, tzinfo=UTC), "colour": "red"}, "arguments.colour"),
        ({}, "arguments.at"),
        (None, "arguments"),
    ],
)
def test_a_command_built_from_python_values_refuses_a_wrong_argument_naming_it(arguments, field):
    error = _error_of(lambda: Command("order", "pick", arguments))

    assert isinstance(error, InvalidField)
    assert error.field == field


def test_a_command_built_for_an_unknown_verb_is_refused_naming_command():
    error = _error_of(lambda: Command("order", "teleport", {}))

    assert error.field == "command"  # type: ignore[attr-defined]


def test_a_commands_arguments_cannot_be_changed():
    command = Command.from_dict(PLACE)

    with pytest.raises(TypeError):
        command.arguments["number"] = "9999"  # type: ignore[index]


# -- whole lives ---------------------------------------------------------------------------------


def _verb_call(aggregate: Any, command: Command) -> Any:
    """The same command made by calling the verb directly with the values it read."""
    if command.creates:
        return getattr(AGGREGATES[command.aggregate], command.command)(**command.arguments)
    return getattr(aggregate, command.command)(**command.arguments)


def _drive(bodies: list[dict[str, Any]]) -> tuple[Any, Any]:
    through = direct = None
    for document in bodies:
        command = Command.from_dict(json.loads(json.dumps(document)))
        outcome = command.apply(through)
        expected = _verb_call(direct, command)
        assert outcome == expected
        assert command.to_dict() == document
        assert Command.from_dict(command.to_dict()) == command
        through = direct = _aggregate_of(outcome)
    return through, direct


def _aggregate_of(outcome: Any) -> Any:
    return getattr(outcome, "order", None) or getattr(outcome, "lead", None) or outcome.ownership


_LIVES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_LIVES
@given(order_lives())
def test_an_order_driven_by_json_commands_lives_the_life_its_verbs_give(bodies):
    order, _ = _drive(bodies)

    assert Order.from_dict(order.to_dict()) == order


@_LIVES
@given(lead_lives())
def test_a_lead_driven_by_json_commands_lives_the_life_its_verbs_give(bodies):
    lead, _ = _drive(bodies)

    assert Lead.from_dict(lead.to_dict()) == lead


@_LIVES
@given(ownership_lives())
def test_an_ownership_record_driven_by_json_commands_lives_the_life_its_verbs_give(bodies):
    record, _ = _drive(bodies)

    assert Ownership.from_dict(record.to_dict()) == record


def test_the_module_example_creates_a_lead():
    document = body("lead", "create", lead_id="L-1", source="inbound", at=WHEN)

    lead = Command.from_dict(document).apply().lead

    assert lead == Lead.create(lead_id="L-1", source="inbound", at=T0).lead
