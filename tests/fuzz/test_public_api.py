"""Every public callable, called with one bad argument at a time (issue 10, section 7).

For each callable the registry gives one valid call; each argument in turn is
replaced by each class of bad value (:mod:`fuzz.badvalues`). Only a
``SalesflowError`` may escape (a call may also succeed), nothing may hang, the
message names the parameter as the caller wrote it and shows the value, and a
refused command leaves its object exactly as it was: the same valid call made
afterwards gives the same result as one made without the refusal.
"""

from __future__ import annotations

import pytest

from fuzz.badvalues import BAD_VALUES
from fuzz.harness import guarded, problems_of
from fuzz.registry import REGISTRY
from fuzz.surface import CALLABLE, ENUM, public_surface

SURFACE = public_surface()
CALLABLES = sorted(name for name, item in SURFACE.items() if item.kind == CALLABLE)
ENUMS = sorted(name for name, item in SURFACE.items() if item.kind == ENUM)


def test_every_public_callable_has_an_entry_in_the_registry() -> None:
    missing = sorted(set(CALLABLES) - set(REGISTRY))

    assert not missing, f"add a valid call to tests/fuzz/registry.py for: {', '.join(missing)}"


def test_the_registry_names_only_callables_that_still_exist() -> None:
    stale = sorted(set(REGISTRY) - set(CALLABLES))

    assert not stale, f"remove from tests/fuzz/registry.py: {', '.join(stale)}"


@pytest.mark.parametrize("name", CALLABLES)
def test_bad_arguments_are_refused_cleanly_and_change_nothing(name: str) -> None:
    problems = problems_of(name)

    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("name", ENUMS)
def test_an_enum_called_with_a_bad_value_raises_a_value_error(name: str) -> None:
    enum = SURFACE[name].obj
    leaks = []

    for label, make in BAD_VALUES.items():
        outcome = guarded(lambda make=make: enum(make()))
        if outcome.hung or not isinstance(outcome.error, (ValueError, type(None))):
            leaks.append(f"{label}: {'hangs' if outcome.hung else repr(outcome.error)}")

    assert not leaks, f"{name}:\n  " + "\n  ".join(leaks)
