"""Every field of a record, given each class of bad value (issue 10, section 7).

Metrics read rows (plain mappings, as ``df.to_dict("records")`` gives them).
For every registry call that passes a list of mappings, each key of its first
row in turn is given each class of bad value: only a ``SalesflowError`` may
escape (a call may also succeed: an optional field may be empty) and nothing
may hang.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fuzz.badvalues import BAD_VALUES
from fuzz.harness import guarded, resolve
from fuzz.registry import REGISTRY, Call, calls
from salesflow import SalesflowError


def record_slots(call: Call) -> Iterator[tuple[str | int, list[dict[str, Any]]]]:
    """The arguments of ``call`` that are lists of mappings (rows), by keyword or position."""
    named: list[tuple[str | int, Any]] = [*enumerate(call.args), *call.kwargs.items()]
    for where, value in named:
        if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
            yield where, value


def _with_row(call: Call, where: str | int, rows: list[dict[str, Any]]) -> Call:
    if isinstance(where, int):
        args = (*call.args[:where], rows, *call.args[where + 1 :])
        return Call(target=call.target, receiver=call.receiver, args=args, kwargs=call.kwargs)
    return Call(
        target=call.target,
        receiver=call.receiver,
        args=call.args,
        kwargs={**call.kwargs, where: rows},
    )


RECORD_CALLS = sorted(
    name for name in REGISTRY if any(any(True for _ in record_slots(c)) for c in calls(name))
)


def test_some_public_callables_read_records() -> None:
    assert "metrics.customer_summary" in RECORD_CALLS


@pytest.mark.parametrize("name", RECORD_CALLS)
def test_a_bad_value_in_any_field_of_a_record_is_refused_cleanly(name: str) -> None:
    problems = []

    for call in calls(name):
        for where, rows in record_slots(call):
            for key in rows[0]:
                for label, make in BAD_VALUES.items():
                    try:
                        value = make()
                    except SalesflowError:  # refused when built (a Money out of range): moot here
                        continue
                    bad = [{**rows[0], key: value}, *rows[1:]]
                    altered = _with_row(call, where, bad)
                    receiver = altered.receiver() if altered.receiver else None
                    target = resolve(name, altered, receiver)
                    outcome = guarded(lambda t=target, c=altered: t(*c.args, **c.kwargs))
                    if outcome.hung:
                        problems.append(f"{where}[0].{key} <- {label}: hangs")
                    elif outcome.error is not None and not isinstance(
                        outcome.error, SalesflowError
                    ):
                        error = outcome.error
                        problems.append(
                            f"{where}[0].{key} <- {label}: {type(error).__name__}: "
                            f"{str(error)[:100]} escaped"
                        )

    assert not problems, f"{name}:\n  " + "\n  ".join(problems)
