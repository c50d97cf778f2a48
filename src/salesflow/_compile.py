"""Compile a python-statemachine class into a plain transition table (private).

The class stays the single definition; this reads its states, transitions and
guards once, at import, so the aggregates never run the engine per call.
Guards must be plain callables taking keyword arguments; a *context* is one
set of those arguments. For every state and every context the guards are
evaluated in declaration order, and the first transition whose guards pass
wins, as in the engine.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from types import MappingProxyType
from typing import Any

Table = dict[tuple[Any, Hashable], MappingProxyType[str, Any]]


def compile_machine(
    machine: Any, contexts: Mapping[Any, Mapping[str, Any]]
) -> tuple[tuple[str, ...], Table]:
    """Return the machine's event names (declaration order) and its table.

    The table maps ``(state value, context key)`` to ``{event name: target state value}``.
    """
    events = tuple(str(event) for event in machine._events)
    table: Table = {}
    for state in machine.states:
        for key, context in contexts.items():
            moves: dict[str, Any] = {}
            for transition in state.transitions:
                passes = True
                for spec in transition.cond:
                    if not callable(spec.func):  # pragma: no cover - a definition error
                        raise TypeError(f"guard {spec.func!r} must be a callable")
                    passes = passes and bool(spec.func(**context)) == spec.expected_value
                if passes:
                    for event in transition.events:
                        moves.setdefault(str(event), transition.target.value)
            table[(state.value, key)] = MappingProxyType(moves)
    return events, table
