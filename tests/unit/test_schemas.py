"""The JSON Schemas (salesflow.schemas, docs/schemas/): generated from the code, and true to it.

Real documents the code writes (whole lives of orders, leads and ownership
records, every event, notification and command, carrier updates, metric
results and tables) validate against their schemas with jsonschema's draft
2020-12 validator, formats checked; tampered documents do not; and the files
in docs/schemas/ are exactly what the generator writes.
"""

from __future__ import annotations

import copy
import importlib.util
import inspect
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator, FormatChecker

from fuzz import samples
from salesflow import Command, InvalidField, InvalidType, Money, schemas
from salesflow.commands import all_verbs
from salesflow.leads import Lead
from salesflow.metrics import (
    average_order_value,
    cancellation_rate,
    churn_rate,
    clv,
    conversion_rate,
    csat,
    nps,
    purchase_frequency,
    repeat_purchase_rate,
    retention_rate,
)
from salesflow.metrics.funnel import Funnel
from salesflow.metrics.growth import MonthlyRevenue
from salesflow.orders import CarrierUpdate, Order
from salesflow.orders.notifications import NOTICE_TYPES
from salesflow.routing import Ownership
from strategies import lead_lives, order_lives, ownership_lives

VERBS = all_verbs()

ROOT = Path(__file__).resolve().parents[2]


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schemas.schema(name), format_checker=FormatChecker())


def valid(name: str, document: Any) -> None:
    """Validate through JSON text: what a wrapper receives is what the schema checks."""
    validator(name).validate(json.loads(json.dumps(document)))


def invalid(name: str, document: Any) -> bool:
    return not validator(name).is_valid(json.loads(json.dumps(document)))


# -- the schemas themselves -------------------------------------------------------------------


@pytest.mark.parametrize("name", schemas.names())
def test_each_schema_is_a_valid_draft_2020_12_schema_with_its_id_title_and_description(name):
    document = schemas.schema(name)

    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == f"https://salesflow.dev/schemas/{name}.json"
    assert document["title"]
    assert document["description"]


def test_the_names_are_sorted_and_cover_every_document_kind():
    names = schemas.names()

    assert list(names) == sorted(set(names))
    assert {"order", "lead", "ownership", "command", "order.carrier_update"} <= set(names)
    assert {"order.snapshot", "lead.snapshot", "ownership.snapshot"} <= set(names)
    assert {f"{a}.command.{v}" for a, verbs in VERBS.items() for v in verbs} <= set(names)
    assert {f"order.notification.{s.value}" for s in NOTICE_TYPES} <= set(names)
    assert {"metric.ratio", "metric.score", "metric.amount", "metric.durations"} <= set(names)


@pytest.mark.parametrize(
    ("aggregate", "verb"),
    [(a, v) for a, verbs in VERBS.items() for v in verbs],
    ids="{0[0]}.{0[1]}".format,
)
def test_a_command_schema_has_exactly_its_verbs_keyword_parameters(aggregate, verb):
    cls = {"order": Order, "lead": Lead, "ownership": Ownership}[aggregate]
    parameters = inspect.signature(getattr(cls, verb)).parameters.values()
    keywords = {p.name: p for p in parameters if p.kind is p.KEYWORD_ONLY and p.name != "existing"}

    document = schemas.schema(f"{aggregate}.command.{verb}")

    assert set(document["properties"]) == {"aggregate", "command", *keywords}
    assert set(document["required"]) == {
        "aggregate",
        "command",
        *(name for name, p in keywords.items() if p.default is p.empty),
    }


def test_a_schema_is_a_fresh_copy_each_time():
    first = schemas.schema("order")
    first["title"] = "changed"

    assert schemas.schema("order")["title"] == "Order"


@pytest.mark.parametrize(
    ("name", "error"), [("invoice", InvalidField), (7, InvalidType), (None, InvalidType)]
)
def test_an_unknown_schema_name_is_refused_naming_name(name, error):
    with pytest.raises(error) as caught:
        schemas.schema(name)

    assert caught.value.field == "name"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "gen_schemas", ROOT / "scripts" / "gen_schemas.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_files_in_docs_schemas_are_exactly_what_the_generator_writes():
    expected = _generator().expected()
    folder = ROOT / "docs" / "schemas"

    present = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.json")}

    assert sorted(present) == sorted(expected), "run: python scripts/gen_schemas.py"
    drifted = [name for name, text in expected.items() if present[name] != text]
    assert drifted == [], f"run: python scripts/gen_schemas.py (drifted: {drifted})"


def test_the_generator_check_reports_a_drifted_file(tmp_path, monkeypatch, capsys):
    generator = _generator()
    monkeypatch.setattr(generator, "SCHEMAS", tmp_path)
    generator.main([])
    (tmp_path / "order.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "gone.json").write_text("{}\n", encoding="utf-8")

    status = generator.main(["--check"])

    assert status == 1
    assert "drifted: docs/schemas/order.json" in capsys.readouterr().out
    assert generator.main([]) == 0
    assert generator.main(["--check"]) == 0
    assert not (tmp_path / "gone.json").exists()


# -- whole lives: every document they write ------------------------------------------------------


def _live(bodies: list[dict[str, Any]]) -> None:
    """Replay ``bodies`` as commands, validating every document written on the way."""
    target = None
    for body in bodies:
        aggregate, verb = body["aggregate"], body["command"]
        command = Command.from_dict(body)
        for name in (f"{aggregate}.command.{verb}", f"{aggregate}.command", "command"):
            valid(name, command.to_dict())
        outcome = command.apply(target)
        event = outcome.event
        valid(f"{aggregate}.event", event.to_dict())
        valid(f"{aggregate}.event.{_snake(type(event).__name__)}", event.to_dict())
        notification = getattr(outcome, "notification", None)
        if notification is not None:
            valid("order.notification", notification.to_dict())
            valid(f"order.notification.{notification.status.value}", notification.to_dict())
        target = getattr(outcome, aggregate)
        valid(aggregate, target.to_dict())
        valid(f"{aggregate}.snapshot", target.to_snapshot())


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


_LIVES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_LIVES
@given(order_lives())
def test_every_document_of_an_orders_life_matches_its_schema(bodies):
    _live(bodies)


@_LIVES
@given(lead_lives())
def test_every_document_of_a_leads_life_matches_its_schema(bodies):
    _live(bodies)


@_LIVES
@given(ownership_lives())
def test_every_document_of_an_ownership_records_life_matches_its_schema(bodies):
    _live(bodies)


def _at(hours: int) -> str:
    return (datetime(2026, 11, 23, 9, tzinfo=UTC) + timedelta(hours=hours)).isoformat()


def _bodies(aggregate: str, *steps: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"aggregate": aggregate, "command": verb, "at": _at(hour), **arguments}
        for hour, (verb, arguments) in enumerate(steps)
    ]


_PLACE = {
    "number": "1001",
    "customer": {"id": "cust-1", "name": "Ada"},
    "lines": [
        {
            "sku": "MUG-1",
            "name": "Blue mug",
            "quantity": 2,
            "unit_price": {"amount": "8.50", "currency": "EUR"},
        }
    ],
    "estimated_delivery": "2026-11-27",
    "support": {"email": "help@shop.example", "url": "https://shop.example/help"},
    "amount_due": {"amount": "17.00", "currency": "EUR"},
    "idempotency_key": "place-1001",
}
_LATER = {"estimated_delivery": "2026-11-30"}

# Fixed lives that, together, run every verb of the three aggregates once at least.
EVERY_VERB = [
    _bodies(
        "order",
        ("place", _PLACE),
        ("process", {"step": "stock_check", "actor": "kim"}),
        ("delay", {"reason": "waiting for stock", **_LATER}),
        ("resume", {}),
        ("pick", {"expected_version": 4}),
        ("pack", {"idempotency_key": "pack-1"}),
        (
            "ship",
            {"carrier": "DHL", "tracking_number": "JD01", "tracking_url": "https://t.example/JD01"},
        ),
        ("transit", {"location": "Leipzig hub", "reported_at": _at(6), **_LATER}),
        ("deliver", {"proof": "signed by Ada", "review_url": "https://shop.example/review"}),
    ),
    _bodies("order", ("place", _PLACE), ("cancel", {"reason": "ordered twice"})),
    _bodies(
        "lead",
        (
            "create",
            {
                "lead_id": "L-1",
                "source": "inbound",
                "deal_value": {"amount": "1200", "currency": "EUR"},
            },
        ),
        ("log_activity", {"kind": "intro_call", "note": "talked budget", "actor": "quinn"}),
        ("advance", {}),
        ("move_back", {"reason": "needs another call"}),
        ("qualify", {"actor": "quinn"}),
        ("fast_track", {}),
        ("lose", {"reason": "seasonal", "come_back_on": "2027-03-01", "note": "winter"}),
        ("reactivate", {}),
        ("win", {"actor": "cleo"}),
        ("repeat_purchase", {}),
    ),
    _bodies(
        "lead",
        ("create", {"lead_id": "L-2", "source": "outbound"}),
        ("disqualify", {"note": "a student"}),
    ),
    _bodies(
        "ownership",
        ("start", {"lead_id": "L-1", "role": "qualifier", "person": "quinn", "note": "inbound"}),
        ("reassign", {"person": "ari"}),
        ("hand_off", {"to_role": "closer", "to_person": "cleo", "expires_at": _at(30)}),
        ("reject", {"reason": "other", "note": "no phone number"}),
        ("hand_off", {"to_role": "closer", "expires_at": _at(5)}),
        ("expire", {}),
        ("hand_off", {"to_role": "closer"}),
        ("withdraw", {"note": "wrong lead"}),
        ("transfer", {"role": "manager", "person": None}),
        ("hand_off", {"to_role": "account_manager"}),
        ("accept", {"person": "sam", "actor": None}),
    ),
]


def test_the_fixed_lives_run_every_verb_of_the_three_aggregates():
    run = {(body["aggregate"], body["command"]) for life in EVERY_VERB for body in life}

    assert run == {(aggregate, verb) for aggregate, verbs in VERBS.items() for verb in verbs}


@pytest.mark.parametrize(
    "bodies", EVERY_VERB, ids=lambda bodies: f"{bodies[0]['aggregate']}-{len(bodies)}"
)
def test_every_command_event_notification_and_document_of_every_verb_matches_its_schema(bodies):
    _live(bodies)


SAMPLE_AGGREGATES = {
    "order": [samples.delivered, samples.cancelled, samples.resumed, samples.in_transit],
    "lead": [samples.lost_lead, samples.won_lead, samples.demo_lead, samples.qualified_lead],
    "ownership": [samples.accepted, samples.handed, samples.started],
}


@pytest.mark.parametrize(
    ("name", "build"),
    [(name, build) for name, builds in SAMPLE_AGGREGATES.items() for build in builds],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_the_sample_aggregates_match_their_schemas(name, build):
    valid(name, build().to_dict())


@pytest.mark.parametrize(
    ("name", "build"),
    [(name, build) for name, builds in SAMPLE_AGGREGATES.items() for build in builds],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_the_sample_aggregates_snapshots_match_their_schemas(name, build):
    valid(f"{name}.snapshot", build().to_snapshot())


def test_every_notification_kind_matches_its_schema():
    notices = samples.notifications()

    for notice in notices.values():
        valid("order.notification", notice.to_dict())
        valid(f"order.notification.{notice.status.value}", notice.to_dict())

    assert {notice.status for notice in notices.values()} == set(NOTICE_TYPES)


def test_every_ownership_event_kind_matches_its_schema():
    events = samples.ownership_events()

    for event in events.values():
        valid("ownership.event", event.to_dict())

    assert {type(event) for event in events.values()} >= {
        type(e) for e in samples.accepted().history
    }


# -- carrier updates ---------------------------------------------------------------------------


CARRIER_UPDATES = [
    CarrierUpdate(
        vocabulary="easypost",
        code="in_transit",
        tracking_number="JD014600",
        at=datetime(2026, 11, 24, 8, 30, tzinfo=UTC),
        carrier="DHL",
        location="Leipzig hub",
        estimated_delivery=date(2026, 11, 27),
        message="arrived at the hub",
    ),
    CarrierUpdate(
        vocabulary="aftership",
        code="Delivered",
        tracking_number="1Z9",
        at=datetime(2026, 11, 25, tzinfo=UTC),
    ),
    CarrierUpdate(
        vocabulary="shopify",
        code="IN_TRANSIT",
        tracking_number="1Z9",
        at=datetime(2026, 11, 25, tzinfo=UTC),
    ),
    CarrierUpdate(
        vocabulary="shopify",
        code="delivered",
        tracking_number="1Z9",
        at=datetime(2026, 11, 25, tzinfo=UTC),
    ),
]


@pytest.mark.parametrize("update", CARRIER_UPDATES, ids=lambda u: f"{u.vocabulary}-{u.code}")
def test_carrier_updates_match_their_schema_and_read_back(update):
    document = update.to_dict()

    valid("order.carrier_update", document)
    assert CarrierUpdate.from_dict(document) == update


def test_a_code_of_another_vocabulary_fails_the_carrier_update_schema():
    document = CARRIER_UPDATES[1].to_dict() | {"code": "in_transit"}  # easypost's, not aftership's

    assert invalid("order.carrier_update", document)


# -- metric results and tables -----------------------------------------------------------------------


def _results() -> list[Any]:
    rows = samples.order_rows()
    return [
        retention_rate(customers_at_start=500, new_customers=50, customers_at_end=480),
        retention_rate(variant="ids", at_start=["a", "b"], at_end=["a", "b"]),
        churn_rate(customers_at_start=500, customers_lost=70),
        churn_rate(variant="customer_days", customers_lost=3, customer_days=1500, days=30),
        nps(promoters=30, passives=50, detractors=20),
        csat(counts={5: 10, 4: 20, 3: 10, 2: 5, 1: 5}),
        csat([5, 4, 4, 3, 1], variant="mean"),
        clv(arpu=Money("100", "USD"), churn_rate=Decimal("0.05"), margin=Decimal("0.8")),
        clv(
            average_order_value=Money("50", "EUR"),
            purchase_frequency=4,
            lifespan=3,
            lifespan_unit="years",
            margin=Decimal("0.3"),
        ),
        repeat_purchase_rate(customer_ids=["a", "b", "c", "a"]),
        repeat_purchase_rate(customer_ids=[]),
        purchase_frequency(orders_per_customer={"a": 2, "b": 1, "c": 1}),
        conversion_rate(conversions=30, visitors=1200),
        average_order_value(rows),
        cancellation_rate(rows, now=samples.NOW),
        samples.shop_funnel().overall,
        samples.kpis()["ann"].sales_volume,
        samples.kpis()["ann"].satisfaction,
        samples.cycle().cycles.mean_days,
    ]


@pytest.mark.parametrize("result", _results(), ids=repr)
def test_metric_results_match_their_schemas(result):
    document = result.to_dict()

    valid(f"metric.{document['kind']}", document)
    valid("metric.result", document)


def _durations() -> list[Any]:
    found = [
        samples.cycle().cycles,
        *samples.status_times().statuses,
        *samples.stage_times().stages,
    ]
    found += list(samples.resumed().time_in_statuses(samples.at(100)).values())
    found += list(samples.lost_lead().time_in_stages(samples.at(100)).values())
    return found


@pytest.mark.parametrize("durations", _durations(), ids=repr)
def test_durations_match_their_schema_as_json_primitives(durations):
    valid("metric.durations", schemas.primitives(durations.to_dict()))


TABLES = {
    "metric.cohort_table": samples.cohort_table,
    "metric.customer_summaries": samples.summaries,
    "metric.email_report": samples.mails,
    "metric.funnel": samples.shop_funnel,
    "metric.lead_stage_times": samples.stage_times,
    "metric.manager_kpis": samples.kpis,
    "metric.monthly_revenue": samples.monthly,
    "metric.status_times": samples.status_times,
}


@pytest.mark.parametrize(("name", "build"), TABLES.items(), ids=list(TABLES))
def test_metric_tables_match_their_schemas_as_json_primitives(name, build):
    records = build().to_records()

    valid(name, schemas.primitives(records))
    assert records


def test_every_table_schema_has_a_real_table_in_these_tests():
    tables = {name for name in schemas.names() if name.startswith("metric.")}

    # growth_rate, sales_cycle, site_engagement, page_stats: tests/unit/test_result_documents.py
    documents = ("growth_rate", "sales_cycle", "site_engagement", "page_stats")
    assert tables - {
        f"metric.{kind}" for kind in ("ratio", "score", "amount", "result", "durations", *documents)
    } == set(TABLES)


@pytest.mark.parametrize(
    "table",
    [
        Funnel(("visit", "cart", "pay", "review"), (300, 100, 7, 0), None),
        MonthlyRevenue({(2026, 1): Money("300.00", "EUR"), (2026, 2): Money("0", "EUR")}),
    ],
    ids=["funnel with an empty step", "revenue with a zero month"],
)
def test_undefined_figures_in_a_table_are_null_in_its_schema(table):
    records = schemas.primitives(table.to_records())
    name = "metric.funnel" if isinstance(table, Funnel) else "metric.monthly_revenue"

    valid(name, records)
    assert any(value is None for row in records for value in row.values())


def test_a_table_row_keys_are_its_declared_columns_in_order():
    for build in TABLES.values():
        table = build()
        names = [name for name, _ in type(table).COLUMNS]

        assert all(list(row) == names for row in table.to_records())


# -- tampered documents ---------------------------------------------------------------------------------


def _tampered(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    copied = copy.deepcopy(document)
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copied


ORDER = samples.delivered().to_dict()
LEAD = samples.lost_lead().to_dict()
OWNERSHIP = samples.accepted().to_dict()
SHIP = Command.from_dict(
    {
        "aggregate": "order",
        "command": "ship",
        "carrier": "DHL",
        "tracking_number": "JD1",
        "at": "2026-11-23T09:00:00+00:00",
    }
).to_dict()
RATIO = samples.ratio().to_dict()

SNAPSHOT = samples.delayed().to_snapshot()

TAMPERED = [
    ("order", ORDER, ("colour",), "red"),
    ("order", ORDER, ("version",), "7"),
    ("order", ORDER, ("status",), "teleported"),
    ("order", ORDER, ("history", 0, "lines", 0, "unit_price", "amount"), 8.5),
    ("order", ORDER, ("history", 0, "lines", 0, "quantity"), 2.5),
    ("order", ORDER, ("history", 1, "at"), "2026-11-23 10:00"),
    ("order", ORDER, ("history", 1, "extra"), 1),
    ("order", ORDER, ("history", 0, "estimated_delivery"), "27/11/2026"),
    ("order", ORDER, ("history", 1, "event"), "place"),
    ("lead", LEAD, ("history", 0, "source"), "carrier pigeon"),
    ("lead", LEAD, ("stage",), None),
    ("ownership", OWNERSHIP, ("history", 0, "event"), "reassign"),
    ("ownership", OWNERSHIP, ("pending",), "2"),
    ("order.command.ship", SHIP, ("tracking_number",), 12345),
    ("order.command.ship", SHIP, ("existing",), None),
    ("order.command.ship", SHIP, ("expected_version",), 1.5),
    ("order.command.ship", SHIP, ("at",), "tomorrow"),
    ("command", SHIP, ("aggregate",), "invoice"),
    ("order.snapshot", SNAPSHOT, ("digest",), "not a digest"),
    ("order.snapshot", SNAPSHOT, ("schema",), "salesflow.order/1"),
    ("order.snapshot", SNAPSHOT, ("keys", 0, 1), "2"),
    ("order.snapshot", SNAPSHOT, ("recent", 0, 2, "event"), "teleport"),
    ("order.snapshot", SNAPSHOT, ("first", "event"), "process"),
    ("order.snapshot", SNAPSHOT, ("extra",), 1),
    ("metric.ratio", RATIO, ("numerator",), 1.5),
    ("metric.ratio", RATIO, ("extra",), 1),
    ("metric.result", RATIO, ("kind",), "fraction"),
]


@pytest.mark.parametrize(
    ("name", "document", "path", "value"),
    TAMPERED,
    ids=[f"{name}:{'.'.join(map(str, path))}={value!r}" for name, _, path, value in TAMPERED],
)
def test_a_tampered_document_fails_its_schema(name, document, path, value):
    valid(name, document)

    assert invalid(name, _tampered(document, path, value))


@pytest.mark.parametrize("key", ["at", "carrier"])
def test_a_command_without_a_required_key_fails_its_schema(key):
    document = {k: v for k, v in SHIP.items() if k != key}

    assert invalid("order.command.ship", document)


def test_a_history_that_does_not_start_with_its_creation_fails_the_schema():
    document = copy.deepcopy(ORDER)
    document["history"] = document["history"][1:]

    assert invalid("order", document)


# -- primitives --------------------------------------------------------------------------------------------


def test_primitives_writes_python_values_as_the_schemas_describe_them():
    value = {
        "total": timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=500000),
        "zero": timedelta(0),
        "share": Decimal("0.25"),
        "at": datetime(2026, 11, 23, 9, tzinfo=UTC),
        "day": date(2026, 11, 23),
        "money": Money("1.50", "EUR"),
        "rows": (1, "a", None, True),
    }

    assert schemas.primitives(value) == {
        "total": "P1DT2H3M4.5S",
        "zero": "PT0S",
        "share": "0.25",
        "at": "2026-11-23T09:00:00+00:00",
        "day": "2026-11-23",
        "money": {"amount": "1.50", "currency": "EUR"},
        "rows": [1, "a", None, True],
    }


@pytest.mark.parametrize(
    ("value", "field"),
    [
        (1.5, "value"),
        ({"a": [object()]}, "value.a[0]"),
        ({1: "x"}, "value key"),
        (timedelta(-1), "value"),
    ],
)
def test_primitives_refuses_what_json_cannot_hold_exactly_naming_the_path(value, field):
    with pytest.raises(InvalidField) as caught:
        schemas.primitives(value)

    assert caught.value.field == field


def test_every_aggregate_document_kind_has_a_schema_its_from_dict_reads():
    for name, cls in (("order", Order), ("lead", Lead), ("ownership", Ownership)):
        document = SAMPLE_AGGREGATES[name][0]().to_dict()

        valid(name, document)
        assert cls.from_dict(document).to_dict() == document


# -- error documents ----------------------------------------------------------------------------------


def _errors() -> list[Any]:
    from salesflow import errors

    at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    return [
        errors.SalesflowError("something went wrong"),
        errors.InvalidField("quantity", -1, "a whole number of at least 1", context="OrderLine"),
        errors.InvalidType("at", datetime(2026, 11, 23, 9), "a timezone-aware datetime"),
        errors.CurrencyMismatch("currency", "GBP", "'EUR'"),
        errors.ClockConflict("at", at, "a time on or after the latest change", latest=at),
        errors.CorruptDocument.of(
            errors.InvalidField("to_status", "x", "a status"), field="history[3].to_status"
        ),
        errors.UnknownCode("easypost code", "nope", ["delivered", "in_transit"]),
        errors.InvalidTransition(
            "picking", "ship", {"pack", "delay", "cancel"}, subject="an order"
        ),
        errors.VersionConflict("order 1001", 3, 4),
        errors.IdempotencyConflict(
            "order 1001",
            "k1",
            "process",
            "process",
            argument="step",
            recorded="stock_check",
            given=Money("1", "EUR"),
        ),
        errors.UndefinedMetric("repeat purchase rate", "customers", variant="counts"),
        errors.MissingExtra("altair", "viz", feature="to_altair()"),
    ]


@pytest.mark.parametrize("error", _errors(), ids=lambda error: type(error).__name__)
def test_error_documents_match_their_schemas(error):
    document = error.to_dict()

    valid("error", document)
    valid(f"error.{document['error']}", document)


def test_every_error_class_has_a_document_in_these_tests():
    codes = {error.to_dict()["error"] for error in _errors()}

    assert {f"error.{code}" for code in codes} == {
        n for n in schemas.names() if n.startswith("error.")
    }


def test_an_error_a_command_raises_matches_the_error_schema():
    with pytest.raises(InvalidField) as caught:
        Command.from_dict({"aggregate": "order", "command": "pick", "at": "2026-11-23T09:00:00"})

    valid("error", caught.value.to_dict())


@pytest.mark.parametrize(
    ("path", "value"), [(("field",), 7), (("extra",), 1), (("error",), "oops")]
)
def test_a_tampered_error_document_fails_its_schema(path, value):
    document = _errors()[1].to_dict()

    assert invalid("error", _tampered(document, path, value))
