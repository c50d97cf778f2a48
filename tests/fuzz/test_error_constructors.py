"""The error classes check their own arguments (issue 10, section 5).

An error built from garbage used to construct and then fail far away (when
shown, joined or pickled). Each argument that names or counts something is
checked when the error is built, with an ``InvalidType`` naming it.
"""

from __future__ import annotations

import pickle
from datetime import datetime
from typing import Any

import pytest

from fuzz.registry import calls
from salesflow.errors import (
    ClockConflict,
    CorruptDocument,
    CurrencyMismatch,
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    InvalidType,
    MissingExtra,
    UndefinedMetric,
    UnknownCode,
    VersionConflict,
)

ERRORS = (
    ClockConflict,
    CorruptDocument,
    CurrencyMismatch,
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    InvalidType,
    MissingExtra,
    UndefinedMetric,
    UnknownCode,
    VersionConflict,
)
ONLY_IN_ERRORS = (ClockConflict, CorruptDocument, MissingExtra)
"""Exported by ``salesflow.errors`` alone: their registry ids carry the module."""

NAMES: list[Any] = [None, 7, 1.5, [7], object()]
COUNTS: list[Any] = [None, "7", 1.5, True, object()]
TEXTS: list[Any] = [None, 7, 1.5, ["x"], object()]
TIMES: list[Any] = [7, "2026-11-23T09:00:00+00:00", datetime(2026, 11, 23, 9, 0), object()]


def _call(error: type[Exception]) -> Any:
    return calls(f"errors.{error.__name__}" if error in ONLY_IN_ERRORS else error.__name__)[0]


def _garbage(error: type[Exception], parameter: str) -> list[Any]:
    if parameter in ("allowed", "known"):
        return NAMES
    if error is VersionConflict and parameter in ("expected", "actual"):
        return COUNTS
    if parameter == "latest":  # None is allowed: "not known"
        return TIMES
    return TEXTS


CHECKED = [
    pytest.param(error, parameter, garbage, id=f"{error.__name__}-{parameter}-{garbage!r}")
    for error in ERRORS
    for parameter in _call(error).kwargs
    if parameter not in ("value", "code")  # what was received: anything at all
    for garbage in _garbage(error, parameter)
]


@pytest.mark.parametrize(("error", "parameter", "garbage"), CHECKED)
def test_an_error_built_from_a_wrong_type_of_argument_is_refused_naming_it(
    error: type[Exception], parameter: str, garbage: Any
) -> None:
    kwargs = {**_call(error).kwargs, parameter: garbage}

    with pytest.raises(InvalidType) as refused:
        error(**kwargs)

    assert refused.value.field.split("[")[0] == parameter


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: error.__name__)
def test_an_error_built_from_good_arguments_still_pickles_to_the_same_message(
    error: type[Exception],
) -> None:
    built = error(**_call(error).kwargs)

    again = pickle.loads(pickle.dumps(built))

    assert type(again) is error
    assert str(again) == str(built)


@pytest.mark.parametrize(
    ("error", "parameter"), [(InvalidTransition, "allowed"), (UnknownCode, "known")]
)
def test_a_single_string_is_not_taken_for_a_list_of_names(
    error: type[Exception], parameter: str
) -> None:
    kwargs = {**_call(error).kwargs, parameter: "pack"}

    with pytest.raises(InvalidType, match=parameter):
        error(**kwargs)
