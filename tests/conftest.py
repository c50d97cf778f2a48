"""Hypothesis profiles: the normal suite keeps each test's own settings.

`SALESFLOW_HYPOTHESIS_PROFILE=mutation` (set by scripts/mutate.py) runs every property and
stateful test with at most MUTATION_EXAMPLES examples and no example database, so a sample
of mutants runs in minutes; see docs/development.md.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

MUTATION_EXAMPLES = 25

# No timing health check either: on a loaded machine it fails a test whatever the mutant,
# which would count as a kill.
_UNTIMED = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}

settings.register_profile("mutation", max_examples=MUTATION_EXAMPLES, **_UNTIMED)

MUTATION = os.environ.get("SALESFLOW_HYPOTHESIS_PROFILE") == "mutation"
if MUTATION:
    settings.load_profile("mutation")


def _capped(current: settings) -> settings:
    return settings(
        current,
        max_examples=min(current.max_examples, MUTATION_EXAMPLES),
        **_UNTIMED,
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In the mutation profile, cap the tests that set their own max_examples too."""
    if not MUTATION:
        return
    for item in items:
        test = getattr(item, "obj", None)
        # @given tests keep their @settings here and read it at call time.
        current = getattr(test, "_hypothesis_internal_use_settings", None)
        if isinstance(current, settings):
            test._hypothesis_internal_use_settings = _capped(current)  # type: ignore[union-attr]
        # RuleBasedStateMachine.TestCase classes carry theirs as a class attribute.
        case = getattr(item, "cls", None)
        if case is not None and isinstance(getattr(case, "settings", None), settings):
            case.settings = _capped(case.settings)
