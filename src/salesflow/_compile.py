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

from statemachine import StateMachine

from salesflow.errors import InvalidField

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


def checked_start_value(machine: Any, value: Any) -> Any:
    """``value`` as one of ``machine``'s state values, or ``InvalidField`` naming ``start_value``.

    python-statemachine lets its own ``InvalidStateValue`` (or a ``TypeError``
    for an unhashable value) escape for a bad start; this is the check at our
    boundary. A state value may be given as the enum member or its string.
    """
    if value is None:
        return None
    for state in machine.states:
        known = state.value
        if value is known or (isinstance(value, str) and isinstance(known, str) and value == known):
            return known
    names = ", ".join(str(getattr(s.value, "value", s.value)) for s in machine.states)
    raise InvalidField("start_value", value, f"None or one of {names}")


class StrictMachine(StateMachine):
    """The base of our lifecycles: a bad ``start_value`` raises ``InvalidField``.

    Abstract (it has no states); every lifecycle class subclasses it instead
    of ``StateMachine`` so the engine's errors never reach a caller.
    """

    def __init__(
        self,
        model: Any = None,
        state_field: str = "state",
        start_value: Any = None,
        listeners: list[object] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            model,
            state_field,
            checked_start_value(type(self), start_value),
            listeners,
            **kwargs,
        )
