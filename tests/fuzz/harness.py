"""How the suite calls, watches and judges: the alarm, observation, and message checks."""

from __future__ import annotations

import inspect
import re
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any

import attrs

from fuzz.badvalues import BAD_VALUES, UNKNOWN_KEYWORD, shown
from fuzz.registry import STATEFUL, Call, calls
from salesflow import InvalidField, SalesflowError, UndefinedMetric
from salesflow.routing import Dispatcher
from salesflow.routing.assignment import Decision

ALARM_SECONDS = 10
"""A liveness guard, not a speed test: a call that has not returned by then hangs."""

CALLS = {"made": 0}
"""How many calls the suite made in this process (read by ``fuzz.count`` and the summary)."""


class Hang(BaseException):
    """Raised by the alarm; a BaseException so the library's ``except Exception`` can't eat it."""


def _ring(signum: int, frame: Any) -> None:
    raise Hang


@contextmanager
def alarm(seconds: float = ALARM_SECONDS) -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@attrs.frozen
class Result:
    """What one guarded call did: returned ``value``, raised ``error``, or hung."""

    value: Any = None
    error: BaseException | None = None
    hung: bool = False


def guarded(thunk: Callable[[], Any]) -> Result:
    CALLS["made"] += 1
    try:
        with alarm(ALARM_SECONDS):
            return Result(value=thunk())
    except Hang:
        return Result(hung=True)
    except Exception as error:  # the judge decides which errors were allowed
        return Result(error=error)


def observe(value: Any, depth: int = 0) -> Any:
    """The full observable state of ``value``: its document, its text, its fields.

    Reading the state also proves the value usable: an accepted object whose
    ``to_dict()`` or ``str()`` then fails was accepted with garbage.
    """
    if depth > 4:
        return type(value).__name__
    if isinstance(value, Dispatcher):
        return ("Dispatcher", value.ledger.to_dict(), observe(value.team, depth + 1))
    if getattr(value, "snapshot_version", 0):  # restored from a snapshot: that is its document
        return (type(value).__name__, value.to_snapshot(), str(value))
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and not isinstance(value, type):
        return (type(value).__name__, to_dict(), str(value))
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (
            type(value).__name__,
            tuple(observe(getattr(value, a.name), depth + 1) for a in fields),
            str(value),
        )
    if isinstance(value, Mapping):
        return {repr(k): observe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [observe(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(v) for v in value)
    return repr(value)


def names_parameter(message: str, names: Sequence[str], value: Any) -> bool:
    """Whether ``message`` names one of ``names`` (or a path inside it) and shows ``value``.

    ``lines[0].unit_price: got ...`` names ``lines``; a bare name must be
    followed by ``:`` and the value shown somewhere (``at: got ...``), or by
    the value itself (``expected_version 9 is stale``, ``customers_at_end (7)``).
    """
    forms = shown(value)
    for name in names:
        pattern = rf"(?<![\w.]){re.escape(name)}((?:\[[^\]]*\]|\.\w+)*)(: | \(| |=)"
        for match in re.finditer(pattern, message):
            if match.group(1):
                return True
            rest = message[match.end() :]
            if match.group(2) == ": " and any(form in message for form in forms):
                return True
            if any(rest.startswith(form) for form in forms):
                return True
    return False


def names_for(name: str, call: Call, parameter: str, value: Any) -> list[str] | None:
    """The names a message may use for ``parameter``; None when any path will do.

    A document reader names the document by its ``field=`` argument (or that
    argument's default), and the paths inside a mapping document by its keys.
    """
    names = [parameter]
    if parameter == "document":
        if isinstance(value, Mapping):
            return None
        receiver = call.receiver() if call.receiver else None
        signature = inspect.signature(resolve(name, call, receiver))
        if "field" in signature.parameters:
            names.append(call.kwargs.get("field", signature.parameters["field"].default))
    return names


def _short(error: BaseException) -> str:
    text = str(error).replace("\n", " ")
    return f"{type(error).__name__}: {text[:160]}"


@attrs.frozen
class Slot:
    """One argument of the valid call: its position or keyword, and the name to look for."""

    key: int | str
    parameter: str


def resolve(name: str, call: Call, receiver: Any) -> Callable[..., Any]:
    if call.receiver is None:
        return call.target  # type: ignore[no-any-return]
    return getattr(receiver, name.rsplit(".", 1)[1])  # type: ignore[no-any-return]


def slots(name: str, call: Call) -> list[Slot]:
    if not call.args and not call.kwargs:
        return []
    receiver = call.receiver() if call.receiver else None
    target = resolve(name, call, receiver)
    parameters = list(inspect.signature(target).parameters.values())
    positional = [
        p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    found = [Slot(i, positional[i]) for i in range(len(call.args))]
    found += [Slot(key, key) for key in call.kwargs]
    return found


def takes_options(name: str, call: Call) -> bool:
    receiver = call.receiver() if call.receiver else None
    target = resolve(name, call, receiver)
    try:
        kinds = [p.kind for p in inspect.signature(target).parameters.values()]
    except ValueError:  # a built-in's constructor (the root error) has no signature
        return False
    return inspect.Parameter.VAR_KEYWORD in kinds


def replaced(call: Call, slot: Slot, value: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    args = list(call.args)
    kwargs = dict(call.kwargs)
    if isinstance(slot.key, int):
        args[slot.key] = value
    else:
        kwargs[slot.key] = value
    return tuple(args), kwargs


def _after_valid(name: str, call: Call, receiver: Any) -> Any:
    """Observe the valid call's result (and, on a dispatcher, its explanation)."""
    result = resolve(name, call, receiver)(*call.args, **call.kwargs)
    seen = [observe(result)]
    if isinstance(receiver, Dispatcher) and isinstance(result, Decision):
        seen.append(observe(receiver.explain(result)))
    if isinstance(receiver, STATEFUL):
        seen.append(observe(receiver))
    return seen


def bad_calls(
    name: str, valid: tuple[Call, ...] | None = None
) -> Iterator[tuple[Call, str, str, Callable[[], Call], Any]]:
    """Every (valid call, parameter, bad class, bad call builder, bad value) tried for ``name``."""
    for call in calls(name) if valid is None else valid:
        for slot in slots(name, call):
            for label, make in BAD_VALUES.items():
                try:
                    value = make()
                except SalesflowError:  # refused when built (a Money out of range): moot here
                    continue
                args, kwargs = replaced(call, slot, value)
                yield call, slot.parameter, label, _bound(call, args, kwargs), value
        if takes_options(name, call):
            kwargs = {**call.kwargs, UNKNOWN_KEYWORD: 1}
            yield call, UNKNOWN_KEYWORD, "unknown keyword", _bound(call, call.args, kwargs), 1


def _bound(call: Call, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Callable[[], Call]:
    return lambda: Call(target=call.target, receiver=call.receiver, args=args, kwargs=kwargs)


def problems_of(name: str) -> list[str]:
    """Everything wrong with how ``name`` treats bad arguments (empty when all is well).

    Lines read ``parameter <- bad classes: what happened``; bad classes with
    the same outcome for one parameter share a line.
    """
    valid = calls(name)
    baselines: dict[int, Any] = {}
    for call in valid:
        receiver = call.receiver() if call.receiver else None
        baseline = guarded(lambda call=call, receiver=receiver: _after_valid(name, call, receiver))
        if baseline.error is not None or baseline.hung:
            why = "hangs" if baseline.hung else _short(baseline.error)  # type: ignore[arg-type]
            return [f"the registry's valid call fails ({why}); fix the entry or the callable"]
        baselines[id(call)] = baseline.value
    grouped: dict[tuple[str, str], list[str]] = {}
    for call, parameter, label, build, value in bad_calls(name, valid):
        found = _judge(name, call, build(), parameter, label, value, baselines[id(call)])
        for what in found:
            grouped.setdefault((parameter, _generic(what, value)), []).append(label)
    return [
        f"{parameter} <- {', '.join(labels)}: {what}"
        for (parameter, what), labels in grouped.items()
    ]


def _generic(text: str, value: Any) -> str:
    """``text`` with the bad value's own repr replaced, so like outcomes share a line."""
    shown_value = repr(value.value if isinstance(value, Enum) else value)
    if len(shown_value) > 80:
        shown_value = shown_value[:77] + "..."
    text = text.replace(f"got {shown_value}", "got <value>")
    return re.sub(r" at 0x[0-9a-f]+", " at 0x...", text)


def _judge(
    name: str, valid: Call, call: Call, parameter: str, label: str, value: Any, baseline: Any
) -> list[str]:
    receiver = call.receiver() if call.receiver else None
    before = observe(receiver) if receiver is not None else None
    outcome = guarded(lambda: resolve(name, call, receiver)(*call.args, **call.kwargs))
    if outcome.hung:
        return [f"hangs (no answer within {ALARM_SECONDS} s)"]
    if outcome.error is None:
        checked = guarded(lambda: observe(outcome.value))
        if checked.hung:
            return ["accepted, then reading the result hangs"]
        if checked.error is not None:
            return [f"accepted, then reading the result raises {_short(checked.error)}"]
        return []
    error = outcome.error
    if not isinstance(error, SalesflowError):
        return [f"{_short(error)} escaped"]
    found: list[str] = []
    names = names_for(name, call, parameter, value)
    exempt = isinstance(error, UndefinedMetric) or (
        names is None and isinstance(error, InvalidField)
    )
    if not exempt and not names_parameter(str(error), names or [parameter], value):
        found.append(f"message does not name {parameter!r} with the value: {_short(error)}")
    if receiver is not None:
        after = guarded(lambda: observe(receiver))
        if after.error is not None or after.value != before:
            found.append(f"the refused call changed the {type(receiver).__name__}")
        elif isinstance(receiver, STATEFUL):
            again = guarded(lambda: _after_valid(name, valid, receiver))
            if again.error is not None or again.hung or again.value != baseline:
                found.append(
                    "after the refusal the valid call gives another result"
                    + (f" ({_short(again.error)})" if again.error is not None else "")
                )
    return found
