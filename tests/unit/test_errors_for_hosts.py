"""Errors that map cleanly to HTTP, and notifications an outbox can key (issue 13, section 2).

Every error has ``to_dict()`` (JSON-safe, a stable code per class); a command's
``at`` before the latest change is a ``ClockConflict`` on every verb; stored
data that fails its checks is a ``CorruptDocument`` on every restore path of
the three aggregates, still the ``InvalidField``/``InvalidType`` it was; every
order notification carries the order number, version and event it belongs to.
"""

from __future__ import annotations

import inspect
import json
import pickle
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz import samples
from fuzz.registry import calls
from fuzz.surface import public_surface
from salesflow import Money, errors
from salesflow.errors import (
    ClockConflict,
    CorruptDocument,
    CurrencyMismatch,
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    InvalidType,
    MissingExtra,
    SalesflowError,
    UndefinedMetric,
    UnknownCode,
    VersionConflict,
)
from salesflow.leads import Lead
from salesflow.leads import event_from_dict as lead_event_from_dict
from salesflow.orders import Order, OrderStatus, ProcessingStep, notification_from_dict
from salesflow.orders import event_from_dict as order_event_from_dict
from salesflow.orders.notifications import PickingNotice, ReceivedNotice
from salesflow.routing import Ownership
from salesflow.routing import event_from_dict as ownership_event_from_dict

CODES = {
    SalesflowError: "salesflow_error",
    InvalidField: "invalid_field",
    InvalidType: "invalid_type",
    CurrencyMismatch: "currency_mismatch",
    ClockConflict: "clock_conflict",
    CorruptDocument: "corrupt_document",
    UnknownCode: "unknown_code",
    InvalidTransition: "invalid_transition",
    VersionConflict: "version_conflict",
    IdempotencyConflict: "idempotency_conflict",
    UndefinedMetric: "undefined_metric",
    MissingExtra: "missing_extra",
}
PUBLIC = [getattr(errors, name) for name in errors.__all__]
LATEST = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
SKEWED = datetime(2026, 11, 23, 9, 4, 59, tzinfo=UTC)


# -- codes ---------------------------------------------------------------------------------


def test_every_public_error_class_has_its_stable_code():
    assert {cls: cls.error_code for cls in PUBLIC} == CODES


def test_no_two_public_error_classes_share_a_code():
    codes = [cls.error_code for cls in PUBLIC]

    assert len(set(codes)) == len(codes)


def test_a_subclass_whose_code_is_not_snake_case_is_refused_when_it_is_defined():
    with pytest.raises(InvalidField, match=r"Bad\.error_code: got 'Bad Code'"):

        class Bad(InvalidField):
            error_code = "Bad Code"


def test_a_subclass_without_a_code_of_its_own_reports_its_parent_s():
    class OutOfStock(InvalidField):
        pass

    assert OutOfStock("sku", "MUG-1", "an item in stock").to_dict()["error"] == "invalid_field"


# -- to_dict, class by class ---------------------------------------------------------------

DOCUMENTS = {
    "InvalidField": (
        InvalidField("quantity", -1, "a whole number of at least 1", context="OrderLine"),
        {
            "error": "invalid_field",
            "message": "OrderLine: quantity: got -1, expected a whole number of at least 1",
            "field": "quantity",
            "value": "-1",
            "expected": "a whole number of at least 1",
            "context": "OrderLine",
        },
    ),
    "InvalidType": (
        InvalidType("at", datetime(2026, 11, 23, 9, 0), "a timezone-aware datetime"),
        {
            "error": "invalid_type",
            "message": "at: got datetime.datetime(2026, 11, 23, 9, 0), "
            "expected a timezone-aware datetime",
            "field": "at",
            "value": "2026-11-23T09:00:00",
            "expected": "a timezone-aware datetime",
            "context": "",
        },
    ),
    "CurrencyMismatch": (
        CurrencyMismatch("amount_due", Money("21.00", "GBP"), "an amount in EUR"),
        {
            "error": "currency_mismatch",
            "message": "amount_due: got Money('21.00', 'GBP'), expected an amount in EUR",
            "field": "amount_due",
            "value": "21.00 GBP",
            "expected": "an amount in EUR",
            "context": "",
        },
    ),
    "ClockConflict": (
        ClockConflict("at", SKEWED, "a time on or after the latest change", latest=LATEST),
        {
            "error": "clock_conflict",
            "message": f"at: got {SKEWED!r}, expected a time on or after the latest change",
            "field": "at",
            "value": "2026-11-23T09:04:59+00:00",
            "expected": "a time on or after the latest change",
            "context": "",
            "latest": "2026-11-23T09:05:00+00:00",
        },
    ),
    "CorruptDocument": (
        CorruptDocument("history[1].to_status", "shipped", "'processing'"),
        {
            "error": "corrupt_document",
            "message": "history[1].to_status: got 'shipped', expected 'processing'",
            "field": "history[1].to_status",
            "value": "shipped",
            "expected": "'processing'",
            "context": "",
        },
    ),
    "UnknownCode": (
        UnknownCode("aftership", 404, ["Delivered", "InTransit"]),
        {
            "error": "unknown_code",
            "message": "aftership: got 404, expected one of Delivered, InTransit",
            "vocabulary": "aftership",
            "code": "404",
            "known": ["Delivered", "InTransit"],
        },
    ),
    "InvalidTransition": (
        InvalidTransition("picking", "ship", ["pack", "cancel"], subject="an order", detail="x"),
        {
            "error": "invalid_transition",
            "message": "Can't ship an order that is picking (x); allowed: cancel, pack.",
            "state": "picking",
            "event": "ship",
            "allowed": ["cancel", "pack"],
            "subject": "an order",
            "detail": "x",
        },
    ),
    "VersionConflict": (
        VersionConflict("order 1001", 3, 4),
        {
            "error": "version_conflict",
            "message": "order 1001: expected_version 3 is stale, the current version is 4; "
            "reload and decide again",
            "subject": "order 1001",
            "expected": 3,
            "actual": 4,
        },
    ),
    "IdempotencyConflict": (
        IdempotencyConflict(
            "order 1001",
            "k1",
            "delay",
            "delay",
            argument="estimated_delivery",
            recorded=date(2026, 11, 30),
            given=None,
        ),
        {
            "error": "idempotency_conflict",
            "message": "order 1001: idempotency_key 'k1' was already used for 'delay' with "
            "estimated_delivery datetime.date(2026, 11, 30), got estimated_delivery None; "
            "use a new key for a different command",
            "subject": "order 1001",
            "key": "k1",
            "recorded_event": "delay",
            "event": "delay",
            "argument": "estimated_delivery",
            "recorded": "2026-11-30",
            "given": None,
        },
    ),
    "IdempotencyConflict for another command": (
        IdempotencyConflict("order 1001", "k1", "process", "cancel"),
        {
            "error": "idempotency_conflict",
            "message": "order 1001: idempotency_key 'k1' was already used for 'process', "
            "expected a new key for 'cancel'",
            "subject": "order 1001",
            "key": "k1",
            "recorded_event": "process",
            "event": "cancel",
            "argument": None,
            "recorded": None,
            "given": None,
        },
    ),
    "UndefinedMetric": (
        UndefinedMetric("churn rate", "customers at start", variant="simple"),
        {
            "error": "undefined_metric",
            "message": "churn rate (simple) is undefined: customers at start is 0 "
            "(an empty denominator)",
            "metric": "churn rate",
            "denominator": "customers at start",
            "variant": "simple",
        },
    ),
    "MissingExtra": (
        MissingExtra("altair", "viz", feature="to_altair()"),
        {
            "error": "missing_extra",
            "message": "altair is not installed: pip install 'salesflow[viz]' to use to_altair()",
            "package": "altair",
            "extra": "viz",
            "feature": "to_altair()",
        },
    ),
    "SalesflowError": (
        SalesflowError("something went wrong"),
        {"error": "salesflow_error", "message": "something went wrong"},
    ),
}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_an_error_document_holds_the_code_the_message_and_the_details_of_its_class(name):
    error, expected = DOCUMENTS[name]

    document = error.to_dict()

    assert document == expected
    assert list(document)[:2] == ["error", "message"]
    assert json.loads(json.dumps(document)) == document


def test_every_public_error_class_is_shown_in_an_error_document_above():
    shown = {type(error) for error, _ in DOCUMENTS.values()}

    assert shown == set(CODES)


class Colour(Enum):
    BLUE = "blue"


class Level(Enum):
    HIGH = 3


class Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class Shouting(str):
    def __str__(self) -> str:
        raise RuntimeError("no str")


class BrokenZone(datetime):
    def isoformat(self, *args: Any, **kwargs: Any) -> str:
        raise ValueError("no isoformat")


VALUES = {
    "a string, as it is (not its repr)": ("it's", "it's"),
    "a long string, whole": ("x" * 500, "x" * 500),
    "a string subclass, its characters": (Shouting("loud"), "loud"),
    "an aware datetime": (LATEST, "2026-11-23T09:05:00+00:00"),
    "a naive datetime": (datetime(2026, 11, 23, 9, 0), "2026-11-23T09:00:00"),
    "a date": (date(2026, 11, 27), "2026-11-27"),
    "a time": (time(9, 30), "09:30:00"),
    "Money": (Money("12.00", "GBP"), "12.00 GBP"),
    "a Decimal": (Decimal("1.50"), "1.50"),
    "a Decimal NaN": (Decimal("NaN"), "NaN"),
    "an enum member, its value": (OrderStatus.IN_TRANSIT, "in_transit"),
    "a plain enum member, its value": (Colour.BLUE, "blue"),
    "an enum member with a number value": (Level.HIGH, "3"),
    "None, as null": (None, None),
    "a whole number": (7, "7"),
    "a bool": (True, "True"),
    "a float NaN": (float("nan"), "nan"),
    "a list, its repr": ([1, "a"], "[1, 'a']"),
    "a long list, its repr cut to 80 characters": (
        list(range(100)),
        repr(list(range(100)))[:77] + "...",
    ),
    "an object whose repr fails": (Unprintable(), "<Unprintable object>"),
    "a datetime whose isoformat fails, its repr": (
        BrokenZone(2026, 1, 1, tzinfo=UTC),
        repr(BrokenZone(2026, 1, 1, tzinfo=UTC)),
    ),
    "a lone surrogate, escaped": ("a\ud800b", "a\\ud800b"),
}


@pytest.mark.parametrize("case", VALUES)
def test_the_value_received_is_written_as_text(case):
    value, text = VALUES[case]

    document = InvalidField("field", value, "something else").to_dict()

    assert document["value"] == text


def test_a_root_error_whose_argument_cannot_be_shown_still_gives_a_document():
    document = SalesflowError(Unprintable()).to_dict()

    assert document == {"error": "salesflow_error", "message": "<SalesflowError>"}


# -- JSON-safe whatever the values ----------------------------------------------------------

_SURROGATES = st.sampled_from(["\ud800", "\udfff", "a\udc80b"])
_TEXT = st.one_of(st.text(st.characters(codec=None, exclude_categories=())), _SURROGATES)
_ATOMS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**4000, max_value=10**4000 + 1),  # too long for int's str
    st.floats(allow_nan=True, allow_infinity=True),
    _TEXT,
    st.binary(max_size=20),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.just(Decimal("sNaN")),
    st.datetimes(timezones=st.none() | st.just(UTC) | st.timezones()),
    st.dates(),
    st.times(),
    st.timedeltas(),
    st.sampled_from([*OrderStatus, *ProcessingStep, Colour.BLUE, Level.HIGH]),
    st.builds(Money, st.decimals(-(10**6), 10**6, places=2), st.sampled_from(["EUR", "JPY"])),
    st.builds(Unprintable),
    st.builds(object),
    st.builds(Shouting, _TEXT),
)
WEIRD = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.frozensets(st.integers(), max_size=3),
    ),
    max_leaves=8,
)


def _errors_from(value: Any, other: Any, text: str) -> list[SalesflowError]:
    return [
        InvalidField(text, value, text, context=text),
        InvalidType(text, value, text),
        CurrencyMismatch(text, value, text),
        ClockConflict(text, value, text, latest=LATEST),
        CorruptDocument.of(InvalidType(text, value, text), field=text),
        UnknownCode(text, value, [text, "x"]),
        InvalidTransition(text, text, [text], subject=text, detail=text),
        IdempotencyConflict(text, text, text, text, argument=text, recorded=value, given=other),
        UndefinedMetric(text, text, variant=text),
        MissingExtra(text, text, feature=text),
        SalesflowError(value),
    ]


def _primitive(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(item, str) for item in value)
    return value is None or isinstance(value, str) or type(value) is int


@settings(max_examples=200, deadline=None)
@given(WEIRD, WEIRD, _TEXT)
def test_an_error_document_always_dumps_to_json_and_encodes_as_utf8(value, other, text):
    for error in _errors_from(value, other, text):
        document = error.to_dict()

        dumped = json.dumps(document, ensure_ascii=False, allow_nan=False)

        dumped.encode("utf-8")
        assert json.loads(json.dumps(document)) == document
        assert all(_primitive(item) for item in document.values()), document


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=2**63 - 1), st.integers(min_value=0, max_value=2**63 - 1))
def test_a_version_conflict_document_dumps_whatever_the_versions(expected, actual):
    document = VersionConflict("order 1001", expected, actual).to_dict()

    assert json.loads(json.dumps(document))["expected"] == expected


@pytest.mark.parametrize("version", [-1, 2**63])
def test_a_version_conflict_beyond_what_a_version_can_be_is_refused_naming_it(version):
    with pytest.raises(InvalidField, match=r"^expected: got"):
        VersionConflict("order 1001", version, 4)


def test_an_expected_version_beyond_the_largest_version_is_malformed_not_a_conflict():
    order = samples.placed()

    with pytest.raises(InvalidField, match=r"^expected_version: got 9223372036854775808"):
        order.pick(at=samples.at(1), expected_version=2**63)
    with pytest.raises(VersionConflict):
        order.pick(at=samples.at(1), expected_version=2**63 - 1)


# -- pickling ---------------------------------------------------------------------------------

PICKLED = [
    ClockConflict("at", SKEWED, "later", context="Order", latest=LATEST),
    ClockConflict("at", SKEWED, "later"),
    CorruptDocument("history[1].at", SKEWED, "later", context="x"),
    CorruptDocument.of(InvalidType("history[1].at", "09:00", "a datetime")),
    CorruptDocument.of(CurrencyMismatch("history[0].amount_due", "GBP", "EUR")),
]


@pytest.mark.parametrize("error", PICKLED, ids=lambda error: repr(error)[:60])
def test_an_error_for_hosts_pickles_to_the_same_class_message_and_document(error):
    again = pickle.loads(pickle.dumps(error))

    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.to_dict() == error.to_dict()


# -- ClockConflict on every verb ---------------------------------------------------------------


def _verbs() -> list[str]:
    """Every verb of the three aggregates that changes one: it takes ``at`` and a version."""
    found = []
    for name, item in public_surface().items():
        if item.owner not in (Order, Lead, Ownership):
            continue
        parameters = inspect.signature(item.obj).parameters
        if "at" in parameters and "expected_version" in parameters:
            found.append(name)
    return sorted(found)


VERBS = _verbs()


def test_the_verbs_are_found_for_all_three_aggregates():
    owners = {name.rsplit(".", 2)[-2] for name in VERBS}

    assert owners == {"Order", "Lead", "Ownership"}
    assert len(VERBS) >= 25


@pytest.mark.parametrize("verb", VERBS)
def test_a_verb_whose_at_is_before_the_latest_change_raises_a_clock_conflict(verb):
    call = calls(verb)[0]
    aggregate = call.receiver()
    latest = aggregate.updated_at
    skewed = latest - timedelta(seconds=1)
    kwargs = {**call.kwargs, "at": skewed}
    if kwargs.get("reported_at") is not None:
        kwargs["reported_at"] = skewed - timedelta(hours=1)
    history = aggregate.history

    with pytest.raises(ClockConflict) as caught:
        getattr(aggregate, verb.rsplit(".", 1)[1])(*call.args, **kwargs)

    assert (caught.value.field, caught.value.value, caught.value.latest) == ("at", skewed, latest)
    assert caught.value.to_dict()["latest"] == latest.isoformat()
    assert aggregate.history == history


# Expiring a handoff needs a time at or after its deadline, later than the latest change.
AT_THE_LATEST_TIME = [verb for verb in VERBS if verb != "routing.Ownership.expire"]


@pytest.mark.parametrize("verb", AT_THE_LATEST_TIME)
def test_a_verb_at_the_latest_change_s_very_time_is_applied(verb):
    call = calls(verb)[0]
    aggregate = call.receiver()
    kwargs = {**call.kwargs, "at": aggregate.updated_at}
    kwargs.pop("reported_at", None)

    outcome = getattr(aggregate, verb.rsplit(".", 1)[1])(*call.args, **kwargs)

    assert (outcome.event.version, outcome.event.at) == (
        aggregate.version + 1,
        aggregate.updated_at,
    )


@pytest.mark.parametrize(
    ("aggregate", "method"),
    [
        (samples.delayed, "time_in_statuses"),
        (samples.lost_lead, "time_in_stages"),
        (samples.deciding_lead, "stalled"),
    ],
)
def test_a_reading_whose_now_is_before_the_latest_change_raises_a_clock_conflict(aggregate, method):
    made = aggregate()
    now = made.updated_at - timedelta(microseconds=1)

    with pytest.raises(ClockConflict) as caught:
        getattr(made, method)(now, *([timedelta(days=1)] if method == "stalled" else []))

    assert (caught.value.field, caught.value.latest) == ("now", made.updated_at)


def test_a_rebuilt_clock_conflict_without_its_latest_time_still_gives_a_document():
    err = ClockConflict("at", SKEWED, "later", latest=LATEST)

    rebuilt = type(err)("command.at", err.value, err.expected)

    assert rebuilt.to_dict()["latest"] is None


# -- CorruptDocument on every restore path -------------------------------------------------------

AGGREGATES = {
    "order": (Order, samples.delivered),
    "lead": (Lead, samples.lost_lead),
    "ownership": (Ownership, samples.accepted),
}


def _document(kind: str) -> dict[str, Any]:
    return json.loads(json.dumps(AGGREGATES[kind][1]().to_dict()))


def _earlier(kind: str) -> Any:
    return AGGREGATES[kind][1]().history[0].at - timedelta(hours=1)


@pytest.mark.parametrize("kind", AGGREGATES)
def test_a_stored_document_with_time_going_backwards_is_corrupt_not_a_clock_conflict(kind):
    cls = AGGREGATES[kind][0]
    document = _document(kind)
    document["history"][1]["at"] = _earlier(kind).isoformat()

    with pytest.raises(CorruptDocument) as caught:
        cls.from_dict(document)

    assert caught.value.field == "history[1].at"
    assert isinstance(caught.value, InvalidField)
    assert not isinstance(caught.value, ClockConflict)
    assert caught.value.to_dict()["error"] == "corrupt_document"


@pytest.mark.parametrize("kind", AGGREGATES)
def test_a_stored_document_with_a_naive_time_is_corrupt_and_still_an_invalid_type(kind):
    cls = AGGREGATES[kind][0]
    document = _document(kind)
    document["history"][1]["at"] = "2026-11-23T10:00:00"

    with pytest.raises(InvalidType) as caught:
        cls.from_dict(document)

    assert isinstance(caught.value, CorruptDocument)
    assert isinstance(caught.value, TypeError)
    assert caught.value.field == "history[1].at"


@pytest.mark.parametrize("kind", AGGREGATES)
@pytest.mark.parametrize("document", [None, [], "x"], ids=["None", "list", "str"])
def test_a_stored_document_that_is_not_a_mapping_is_corrupt_and_still_an_invalid_type(
    kind, document
):
    with pytest.raises(InvalidType) as caught:
        AGGREGATES[kind][0].from_dict(document)

    assert isinstance(caught.value, CorruptDocument)


@pytest.mark.parametrize("kind", AGGREGATES)
def test_a_stored_document_whose_summary_disagrees_is_corrupt(kind):
    document = _document(kind)
    document["version"] += 1

    with pytest.raises(CorruptDocument) as caught:
        AGGREGATES[kind][0].from_dict(document)

    assert caught.value.field == "version"


def test_a_stored_order_whose_amounts_mix_currencies_is_corrupt_and_still_a_currency_mismatch():
    document = _document("order")
    document["history"][0]["amount_due"]["currency"] = "GBP"

    with pytest.raises(CurrencyMismatch) as caught:
        Order.from_dict(document)

    assert isinstance(caught.value, CorruptDocument)
    assert caught.value.field.startswith("history[0].")


@pytest.mark.parametrize("kind", AGGREGATES)
def test_a_replayed_history_with_time_going_backwards_is_corrupt_not_a_clock_conflict(kind):
    cls, build = AGGREGATES[kind]
    events = list(build().history)
    events[1] = attrs.evolve(events[1], at=_earlier(kind))

    with pytest.raises(CorruptDocument) as caught:
        cls.replay(events)

    assert caught.value.field == "events[1].at"
    assert not isinstance(caught.value, ClockConflict)


@pytest.mark.parametrize("kind", AGGREGATES)
def test_a_history_given_to_the_constructor_with_a_skipped_version_is_corrupt(kind):
    cls, build = AGGREGATES[kind]
    events = list(build().history)
    events[1] = attrs.evolve(events[1], version=9)

    with pytest.raises(CorruptDocument) as caught:
        cls(events)

    assert (caught.value.field, caught.value.value) == ("history[1].version", 9)


@pytest.mark.parametrize("kind", AGGREGATES)
def test_replaying_something_that_is_not_a_history_is_corrupt_and_still_an_invalid_type(kind):
    cls = AGGREGATES[kind][0]

    with pytest.raises(InvalidType) as caught:
        cls.replay(5)
    with pytest.raises(InvalidType) as built:
        cls(history=5)

    assert isinstance(caught.value, CorruptDocument)
    assert isinstance(built.value, CorruptDocument)
    assert (caught.value.field, built.value.field) == ("events", "history")


@pytest.mark.parametrize("kind", AGGREGATES)
def test_an_altered_snapshot_is_corrupt(kind):
    cls, build = AGGREGATES[kind]
    snapshot = json.loads(json.dumps(build().to_snapshot()))
    snapshot["version"] += 1

    with pytest.raises(CorruptDocument) as caught:
        cls.from_snapshot(snapshot)

    assert caught.value.field.startswith("snapshot.")


@pytest.mark.parametrize("kind", AGGREGATES)
def test_a_snapshot_tail_with_time_going_backwards_is_corrupt_not_a_clock_conflict(kind):
    cls, build = AGGREGATES[kind]
    history = build().history
    snapshot = cls.replay(history[:1]).to_snapshot()
    tail = [attrs.evolve(history[1], at=_earlier(kind)).to_dict()]

    with pytest.raises(CorruptDocument) as caught:
        cls.from_snapshot(snapshot, tail=tail)

    assert caught.value.field == "tail[0].at"
    assert not isinstance(caught.value, ClockConflict)


@pytest.mark.parametrize("kind", AGGREGATES)
def test_a_snapshot_tail_that_is_not_a_list_is_corrupt_and_still_an_invalid_type(kind):
    cls, build = AGGREGATES[kind]

    with pytest.raises(InvalidType) as caught:
        cls.from_snapshot(build().to_snapshot(), tail=5)

    assert isinstance(caught.value, CorruptDocument)
    assert caught.value.field == "tail"


@pytest.mark.parametrize(
    ("kind", "read"),
    [
        ("order", order_event_from_dict),
        ("lead", lead_event_from_dict),
        ("ownership", ownership_event_from_dict),
    ],
)
def test_one_event_a_client_may_send_is_refused_as_bad_input_not_as_corrupt(kind, read):
    event = _document(kind)["history"][1]
    event["at"] = "2026-11-23T10:00:00"

    with pytest.raises(InvalidType) as caught:
        read(event)

    assert not isinstance(caught.value, CorruptDocument)


def test_a_corrupt_document_comes_back_as_it_is_and_a_clock_conflict_stops_being_one():
    corrupt = CorruptDocument("history[1].at", SKEWED, "later")
    conflict = ClockConflict("at", SKEWED, "later", latest=LATEST)

    marked = CorruptDocument.of(conflict, field="history[2].at")

    assert CorruptDocument.of(corrupt) is corrupt
    assert type(marked) is CorruptDocument
    assert (marked.field, marked.value, marked.expected) == ("history[2].at", SKEWED, "later")


@pytest.mark.parametrize("error", [ValueError("x"), None, "history[1]"], ids=repr)
def test_only_an_invalid_field_can_be_marked_as_corrupt(error):
    with pytest.raises(InvalidType, match=r"^error: got"):
        CorruptDocument.of(error)


# -- notifications an outbox can key --------------------------------------------------------------


def _life() -> list[Any]:
    outcomes = [Order.place(**samples.place_kwargs())]
    for verb, kwargs in [
        ("process", {"step": "stock_check"}),
        ("pick", {}),
        ("pack", {}),
        ("ship", {"carrier": "DHL", "tracking_number": "JD01"}),
        ("transit", {"location": "Leipzig hub"}),
        ("delay", {"reason": "storm", "estimated_delivery": date(2026, 11, 30)}),
        ("resume", {}),
        ("deliver", {}),
    ]:
        order = outcomes[-1].order
        outcomes.append(getattr(order, verb)(at=samples.at(len(outcomes)), **kwargs))
    return outcomes


def test_every_notification_carries_the_order_version_and_event_it_belongs_to():
    outcomes = _life()

    identities = [
        (o.notification.order_number, o.notification.version, o.notification.event)
        for o in outcomes
    ]

    assert identities == [(o.event.order_number, o.event.version, o.event.event) for o in outcomes]
    assert [o.notification.id for o in outcomes] == [f"order:1001:{v}" for v in range(1, 10)]


def test_a_notification_document_keeps_its_identity_through_json():
    for outcome in _life():
        document = json.loads(json.dumps(outcome.notification.to_dict()))

        notice = notification_from_dict(document)

        assert (document["id"], document["version"], document["event"]) == (
            outcome.notification.id,
            outcome.event.version,
            outcome.event.event,
        )
        assert (notice.id, notice.version, notice.event) == (
            outcome.notification.id,
            outcome.notification.version,
            outcome.notification.event,
        )


def test_a_retried_command_gives_back_the_notification_with_the_same_id():
    first = samples.placed().process(step="stock_check", at=samples.at(1), idempotency_key="k")

    again = first.order.process(step="stock_check", at=samples.at(2), idempotency_key="k")

    assert again.repeated
    assert again.notification.id == first.notification.id == "order:1001:2"


# (key, tampered value or None to delete it, the field the refusal names)
TAMPERED = {
    "another id": ("id", "order:1001:9", "id"),
    "another version, the id unchanged": ("version", 9, "id"),
    "an event that does not lead to the status": ("event", "pick", "event"),
    "resume for a notice that did not resume": ("event", "resume", "resumed"),
    "a version that is not a whole number": ("version", 5.0, "version"),
    "version 1 for a change": ("version", 1, "version"),
    "no version": ("version", None, "version"),
    "no event": ("event", None, "event"),
}


@pytest.mark.parametrize("case", TAMPERED)
def test_a_notification_document_with_a_tampered_identity_is_refused(case):
    key, value, named = TAMPERED[case]
    document = samples.notifications()["ShippedNotice"].to_dict()
    if value is None:
        del document[key]
    else:
        document[key] = value

    with pytest.raises(InvalidField) as caught:
        notification_from_dict(document)

    assert caught.value.field == named


def test_a_received_notice_belongs_to_the_place_event_at_version_1():
    placed = samples.notifications()["ReceivedNotice"]
    kwargs = {f.name: getattr(placed, f.name) for f in attrs.fields(ReceivedNotice)}

    with pytest.raises(InvalidField, match=r"version: got 2, expected 1"):
        ReceivedNotice(**{**kwargs, "version": 2})
    with pytest.raises(InvalidField, match=r"event: got 'process', expected one of place"):
        ReceivedNotice(**{**kwargs, "event": "process"})


def test_a_notice_s_resumed_follows_from_its_event_and_may_not_contradict_it():
    common = {
        "order_number": "1001",
        "customer_name": "Ada",
        "support": samples.support(),
        "at": samples.T0,
        "version": 4,
        "estimated_delivery": samples.ETA,
    }

    assert PickingNotice(**common, event="resume").resumed
    assert not PickingNotice(**common, event="pick").resumed
    with pytest.raises(InvalidField, match=r"resumed: got True, expected False"):
        PickingNotice(**common, event="pick", resumed=True)
