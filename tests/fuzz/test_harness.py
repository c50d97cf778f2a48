"""The judge itself: each kind of failure the suite promises to catch is caught.

Small fakes stand in for salesflow callables, so a harness that judged
everything fine (and made the whole suite pass for nothing) fails here.
"""

from __future__ import annotations

from typing import Any

import pytest

from fuzz import harness
from fuzz.harness import _judge, names_parameter
from fuzz.registry import Call
from salesflow.errors import InvalidField, InvalidType


def _verdict(target: Any, value: Any = None, receiver: Any = None) -> list[str]:
    valid = Call(target=target, receiver=receiver, args=(1,))
    bad = Call(target=target, receiver=receiver, args=(value,))
    name = "fake.method" if receiver else "fake"
    return _judge(name, valid, bad, "amount", "None", value, None)


def _refuses_with(message_field: str) -> Any:
    def fake(amount: Any) -> None:
        raise InvalidType(message_field, amount, "a number")

    return fake


def test_a_plain_python_error_that_escapes_is_reported() -> None:
    def fake(amount: Any) -> int:
        return amount + 1  # type: ignore[no-any-return]

    assert _verdict(fake) == [
        "TypeError: unsupported operand type(s) for +: 'NoneType' and 'int' escaped"
    ]


def test_a_call_that_never_returns_is_reported_as_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "ALARM_SECONDS", 0.2)

    def fake(amount: Any) -> None:
        while True:
            pass

    assert _verdict(fake)[0].startswith("hangs")


def test_a_refusal_naming_the_parameter_and_the_value_is_accepted() -> None:
    assert _verdict(_refuses_with("amount"), value=-1) == []


def test_a_refusal_naming_another_field_is_reported() -> None:
    found = _verdict(_refuses_with("price"), value=-1)

    assert len(found) == 1
    assert found[0].startswith("message does not name 'amount'")


def test_an_accepted_value_whose_result_cannot_be_read_is_reported() -> None:
    class Broken:
        def to_dict(self) -> dict[str, Any]:
            raise ArithmeticError("cannot show it")

    assert _verdict(lambda amount: Broken()) == [
        "accepted, then reading the result raises ArithmeticError: cannot show it"
    ]


def test_a_refused_command_that_changed_its_object_is_reported() -> None:
    class Counter:
        def __init__(self) -> None:
            self.count = 0

        def method(self, amount: Any) -> None:
            self.count += 1
            raise InvalidField("amount", amount, "a number")

        def to_dict(self) -> dict[str, int]:
            return {"count": self.count}

    counter = Counter()

    assert _verdict(None, receiver=lambda: counter) == ["the refused call changed the Counter"]


@pytest.mark.parametrize(
    ("message", "parameter", "value"),
    [
        ("at: got None, expected a timezone-aware datetime", "at", None),
        ("lines[0].unit_price: got 1.5, expected Money", "lines", [1.5]),
        (
            "Order 1001: expected_version 9 is stale, the current version is 4",
            "expected_version",
            9,
        ),
        ("new_customers: got 50, expected at most customers_at_end (7)", "customers_at_end", 7),
        ("source: got -1, expected one of inbound, outbound", "source", -1),
    ],
)
def test_a_message_that_names_the_parameter_and_shows_the_value_passes(
    message: str, parameter: str, value: Any
) -> None:
    assert names_parameter(message, [parameter], value)


@pytest.mark.parametrize(
    ("message", "parameter", "value"),
    [
        ("LeadSource: got -1, expected one of inbound, outbound", "source", -1),
        ("quantity: got 7, expected a whole number of at least 1", "at", 7),
        ("reason: got '', expected a non-empty string", "note", ""),
        ("at: got 7, expected a datetime", "at", None),
    ],
)
def test_a_message_that_names_something_else_or_hides_the_value_fails(
    message: str, parameter: str, value: Any
) -> None:
    assert not names_parameter(message, [parameter], value)
