"""Compile a python-statemachine class into a plain transition table (private).

The class stays the single definition; this reads its states, transitions and
guards once, at import, so the aggregates never run the engine per call.
Guards must be plain callables taking keyword arguments; a *context* is one
set of those arguments. For every state and every context the guards are
evaluated in declaration order, and the first transition whose guards pass
wins, as in the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Generic, NoReturn, TypeVar

from statemachine import StateMachine

from salesflow.errors import InvalidField, InvalidTransition, InvalidType

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


_K = TypeVar("_K", bound=tuple[Any, Any])


class Transitions(Generic[_K]):
    """One lifecycle's compiled table and the one lookup every aggregate and replay uses.

    A key is ``(state, context)``: the state value and whatever the guards
    read (``None`` for an unguarded lifecycle). :meth:`next` is one dict
    lookup on the happy path; a refusal is explained in the same words
    whichever aggregate asked. A lifecycle gives, once, a ``detail`` (what a
    refusal adds about a key) and an ``explain`` (its own check of missing
    guard context, which raises).

    For :meth:`replay` over bare event names a lifecycle gives its ``carry``
    (see :meth:`chain`) and, optionally, ``extra``: events outside the table
    that change no state but may change what the guards read (a lead's
    ``qualify``), each a function of the key giving the key it leads to, or
    None where it is refused.
    """

    __slots__ = ("_detail", "_explain", "_extra", "_rows", "_steps", "events", "subject", "table")

    events: tuple[str, ...]
    table: MappingProxyType[_K, MappingProxyType[str, Any]]
    subject: str
    _rows: dict[_K, MappingProxyType[str, Any]]
    _detail: Callable[[_K], str] | None
    _explain: Callable[[_K, str], None] | None
    _extra: tuple[str, ...]
    _steps: dict[_K, dict[str, _K]]

    def __init__(
        self,
        events: tuple[str, ...],
        table: Table,
        *,
        subject: str,
        detail: Callable[[_K], str] | None = None,
        explain: Callable[[_K, str], None] | None = None,
        carry: Callable[[_K, str, Any], _K] | None = None,
        extra: Mapping[str, Callable[[_K], _K | None]] | None = None,
    ) -> None:
        # Read-only once built: the table is a module constant every caller shares.
        rows: dict[_K, MappingProxyType[str, Any]] = dict(table)  # type: ignore[arg-type]
        for name, value in (
            ("events", tuple(events)),
            ("_rows", rows),
            ("table", MappingProxyType(rows)),
            ("subject", subject),
            ("_detail", detail),
            ("_explain", explain),
            ("_extra", tuple(extra or ())),
        ):
            object.__setattr__(self, name, value)
        steps = self.chain(carry, extra) if carry is not None else {}
        object.__setattr__(self, "_steps", steps)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a compiled transition table is read-only (can't set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a compiled transition table is read-only (can't delete {name!r})")

    def allowed(self, key: _K) -> frozenset[str]:
        """The events allowed at ``key`` (none once the state is final)."""
        return frozenset(self._rows[key])

    def next(
        self,
        key: _K,
        event: Any,
        *,
        name: str = "event",
        detail: str | None = None,
    ) -> Any:
        """The state ``event`` leads to from ``key``, or the error that says why not."""
        try:
            return self._rows[key][event]
        except (KeyError, TypeError):
            self.refuse(key, event, name=name, detail=detail)

    def refuse(
        self,
        key: _K,
        event: Any,
        *,
        name: str = "event",
        detail: str | None = None,
    ) -> NoReturn:
        """Raise the error for ``event`` at ``key``; ``name`` is the caller's parameter.

        Not a string, not one of the lifecycle's events, then ``explain`` (a
        lifecycle's own check of missing guard context, which raises), then
        ``InvalidTransition`` naming the allowed events. ``detail``
        defaults to the lifecycle's own.
        """
        if not isinstance(event, str):
            raise InvalidType(name, event, "an event name (a string)")
        if event not in self.events and event not in self._extra:
            raise InvalidField(name, event, f"one of {', '.join((*self.events, *self._extra))}")
        if self._explain is not None:
            self._explain(key, event)
        if detail is None:
            detail = self._detail(key) if self._detail is not None else ""
        state = key[0]
        raise InvalidTransition(
            getattr(state, "value", state),
            event,
            self.table[key],
            subject=self.subject,
            detail=detail,
        )

    def chain(
        self,
        carry: Callable[[_K, str, Any], _K],
        extra: Mapping[str, Callable[[_K], _K | None]] | None = None,
    ) -> dict[_K, dict[str, _K]]:
        """Each key -> {event: the key it leads to}, for replay over bare event names.

        ``carry(key, event, target)`` gives the key reached when ``event``
        moves from ``key`` to ``target`` (what the guards will read next);
        ``extra`` adds the events outside the table. Keys are shared tuples,
        so a replay step is one dict lookup.
        """
        shared = {key: key for key in self.table}
        steps = {
            shared[key]: {
                event: shared[carry(key, event, target)] for event, target in moves.items()
            }
            for key, moves in self.table.items()
        }
        for key, step in steps.items():
            for event, lead_to in (extra or {}).items():
                reached = lead_to(key)
                if reached is not None:
                    step[event] = shared[reached]
        return steps

    def shared(self, key: _K) -> _K:
        """The replay chain's own object for ``key``: a start found by identity skips comparing."""
        return next(at for at in self._steps if at == key)

    def replay(self, events: Iterable[Any], start: _K, *, name: str = "events") -> Any:
        """The state reached by applying ``events`` (bare names) from the key ``start``.

        ``name`` is the caller's parameter: a string or a mapping is refused
        (iterating it would read letters or keys), and the first event not
        allowed raises as :meth:`refuse` does, naming ``name[index]``.
        """
        kind = type(events)
        if kind is not list and kind is not tuple:  # the usual inputs skip the slower checks
            expected = "an iterable of event names (a list, not a string or a mapping)"
            if isinstance(events, str | bytes | Mapping):
                raise InvalidType(name, events, expected)
            try:
                events = iter(events)
            except TypeError:
                raise InvalidType(name, events, expected) from None
        steps = self._steps
        at = start
        for index, event in enumerate(events):
            try:
                at = steps[at][event]
            except (KeyError, TypeError):
                if isinstance(event, str) and event in self._extra:
                    state = at[0]
                    raise InvalidTransition(
                        getattr(state, "value", state), event, steps[at], subject=self.subject
                    ) from None
                self.refuse(at, event, name=f"{name}[{index}]")
        return at[0]


def compile_lifecycle(
    machine: Any,
    contexts: Mapping[Any, Mapping[str, Any]],
    *,
    subject: str,
    detail: Callable[[Any], str] | None = None,
    explain: Callable[[Any, str], None] | None = None,
    carry: Callable[[Any, str, Any], Any] | None = None,
    extra: Mapping[str, Callable[[Any], Any]] | None = None,
) -> Transitions[Any]:
    """:func:`compile_machine` wrapped in :class:`Transitions` (``subject``: "an order")."""
    events, table = compile_machine(machine, contexts)
    return Transitions(
        events,
        table,
        subject=subject,
        detail=detail,
        explain=explain,
        carry=carry,
        extra=extra,
    )


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
