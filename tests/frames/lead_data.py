"""Random lead and order data for the lead-metric law tests: real aggregates and records.

Histories come from real ``Order`` and ``Lead`` aggregates driven through
their verbs by a seeded random walk, then exported as an analyst would from
an event store: one row per change (the creation included) with the event's
version. Lead records, activities and survey answers are plain rows; every
table is built from the same rows the records path reads.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa

from frames.conftest import make_table
from salesflow import Money
from salesflow.leads import Lead, LeadSource
from salesflow.leads.events import LeadCreated, LeadStageChanged
from salesflow.orders import Customer, Order, OrderLine, ProcessingStep, SupportContact

T0 = datetime(2026, 3, 1, tzinfo=UTC)
TIME = pa.timestamp("us", tz="UTC")
ORDER_HISTORY_SCHEMA = {
    "order_id": pa.string(),
    "status": pa.string(),
    "at": TIME,
    "version": pa.int64(),
}
LEAD_HISTORY_SCHEMA = {
    "lead_id": pa.string(),
    "stage": pa.string(),
    "at": TIME,
    "version": pa.int64(),
}
LEAD_SCHEMA = {
    "lead_id": pa.string(),
    "created_at": TIME,
    "won_at": TIME,
    "lost": pa.bool_(),
    "qualified": pa.bool_(),
    "intro_call": pa.bool_(),
    "demo_after_intro_call": pa.bool_(),
    "demo": pa.bool_(),
    "lost_after_demo": pa.bool_(),
}
DEAL_SCHEMA = {
    "lead_id": pa.string(),
    "manager": pa.string(),
    "created_at": TIME,
    "won_at": TIME,
    "revenue": pa.decimal128(12, 2),
    "currency": pa.string(),
    "cost": pa.decimal128(12, 2),
}
ACTIVITY_SCHEMA = {"manager": pa.string(), "kind": pa.string(), "at": TIME}
SURVEY_SCHEMA = {"manager": pa.string(), "lead_id": pa.string(), "score": pa.int64(), "at": TIME}


def _step(rng: random.Random, ties: bool) -> timedelta:
    """The time to the next change; with ``ties``, sometimes none (a change at the same instant)."""
    minutes = rng.choice([0, 1, 7, 90, 600, 2900] if ties else [1, 7, 90, 600, 2900])
    return timedelta(minutes=minutes, microseconds=rng.randrange(1000) if minutes else 0)


# -- orders ---------------------------------------------------------------------------------


def _content(event: str, at: datetime, step: int) -> dict[str, Any]:
    if event == "process":
        return {"step": ProcessingStep.STOCK_CHECK}
    if event == "ship":
        return {"carrier": "DHL", "tracking_number": "JD01"}
    if event == "transit":
        return {"location": f"hub {step}"}
    if event == "cancel":
        return {"reason": "customer asked"}
    if event == "delay":
        return {"reason": "storm", "estimated_delivery": at.date() + timedelta(days=3)}
    return {}


def random_order(rng: random.Random, number: str, *, ties: bool = True) -> Order:
    """An order placed at a random time and moved through up to nine random allowed events."""
    at = T0 + timedelta(hours=rng.randrange(300), minutes=rng.randrange(60))
    order = Order.place(
        number=number,
        customer=Customer(f"c-{number}", "Ada"),
        lines=[OrderLine("MUG-1", "Mug", 1, Money("8", "EUR"))],
        estimated_delivery=at.date() + timedelta(days=5),
        support=SupportContact(email="help@shop.example"),
        at=at,
    ).order
    for step in range(rng.randrange(10)):
        allowed = sorted(order.allowed_events)
        if not allowed:
            break
        event = rng.choice(allowed)
        at += _step(rng, ties)
        order = getattr(order, event)(at=at, **_content(event, at, step)).order
    return order


def order_history_rows(order: Order) -> list[dict[str, Any]]:
    """The order's events as an event store exports them: (order_id, status, at, version)."""
    return [
        {
            "order_id": order.number,
            "status": getattr(event, "to_status", "received").__str__(),
            "at": event.at,
            "version": event.version,
        }
        for event in order.history
    ]


# -- leads ----------------------------------------------------------------------------------

_REASONS = {"move_back": {"reason": "not sure yet"}, "lose": {"reason": "budget"}}


def random_lead(rng: random.Random, lead_id: str, *, ties: bool = True) -> Lead:
    """A lead created at a random time, moved through random stage events, qualified and
    given activities in between (events the stage table leaves out)."""
    at = T0 + timedelta(hours=rng.randrange(300), minutes=rng.randrange(60))
    lead = Lead.create(
        lead_id=lead_id, source=LeadSource.INBOUND, at=at, deal_value=Money("100", "EUR")
    ).lead
    for _ in range(rng.randrange(11)):
        at += _step(rng, ties)
        draw = rng.random()
        if draw < 0.15 and lead.stage.is_open and not lead.was_qualified:
            lead = lead.qualify(at=at).lead
            continue
        if draw < 0.3:
            lead = lead.log_activity(kind="call", at=at, actor="sam").lead
            continue
        allowed = sorted(lead.allowed_events)
        if not allowed:
            break
        event = rng.choice(allowed)
        lead = getattr(lead, event)(at=at, **_REASONS.get(event, {})).lead
    return lead


def lead_history_rows(lead: Lead) -> list[dict[str, Any]]:
    """The lead's creation and stage changes: (lead_id, stage, at, version)."""
    rows = []
    for event in lead.history:
        if isinstance(event, LeadCreated):
            stage = "awareness"
        elif isinstance(event, LeadStageChanged):
            stage = event.to_stage.value
        else:
            continue
        rows.append({"lead_id": lead.id, "stage": stage, "at": event.at, "version": event.version})
    return rows


def lead_records(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Lead records with every key the conversion and cycle metrics read; flags may be None."""
    rows = []
    for index in range(count):
        created = T0 + timedelta(hours=rng.randrange(200), seconds=rng.randrange(60))
        won = created + timedelta(hours=rng.randrange(90)) if rng.random() < 0.4 else None
        intro, demo = rng.random() < 0.5, rng.random() < 0.5
        rows.append(
            {
                "lead_id": rng.choice([f"L-{index}", None]),
                "created_at": created,
                "won_at": won,
                "lost": rng.choice([True, False, None])
                if won is None
                else rng.choice([False, None]),
                "qualified": rng.random() < 0.6,
                "intro_call": intro or rng.choice([False, None]),
                "demo_after_intro_call": intro and rng.random() < 0.5,
                "demo": demo or rng.choice([False, None]),
                "lost_after_demo": demo and rng.choice([True, False, None]),
            }
        )
    return rows


def _spelled(rng: random.Random, manager: str) -> str:
    """A manager's name as typed: records strip surrounding white space."""
    return rng.choice([manager, f" {manager}", f"{manager}  "])


def kpi_rows(
    rng: random.Random, count: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(leads, activities, surveys) records; a manager's won deals carry a cost, or none do."""
    costed = {"sam": True, "kim": False, "ada": rng.random() < 0.5}
    leads = []
    for index in range(count):
        manager = rng.choice([*costed, None])
        created = T0 + timedelta(hours=rng.randrange(200))
        won = created + timedelta(hours=rng.randrange(90)) if rng.random() < 0.5 else None
        revenue = Decimal(rng.randrange(100_000)).scaleb(-2) if won else None
        leads.append(
            {
                "lead_id": f"L-{index}",
                "manager": None if manager is None else _spelled(rng, manager),
                "created_at": created,
                "won_at": won,
                "revenue": revenue,
                "currency": "EUR" if won else None,
                "cost": Decimal(rng.randrange(10_000)).scaleb(-2)
                if won and manager is not None and costed[manager]
                else None,
            }
        )
    activities = [
        {
            "manager": _spelled(rng, rng.choice(["sam", "kim", "bob"])),
            "kind": rng.choice(["call", "demo", "email", "meeting", "intro_call", "proposal"]),
            "at": T0 + timedelta(hours=rng.randrange(250)),
        }
        for _ in range(count)
    ]
    surveys = []
    for _ in range(count):
        by_lead = rng.random() < 0.5
        surveys.append(
            {
                "manager": None if by_lead else _spelled(rng, rng.choice(["sam", "eve"])),
                "lead_id": f"L-{rng.randrange(count)}" if by_lead else None,
                "score": rng.randint(1, 5),
                "at": T0 + timedelta(hours=rng.randrange(250)),
            }
        )
    return leads, activities, surveys


def tables(
    engine: str, spark: Any, *pairs: tuple[list[dict[str, Any]], dict[str, Any]]
) -> list[Any]:
    """Each ``(rows, schema)`` as a table of ``engine``; DuckDB relations share one connection
    (a join needs it)."""
    if engine != "duckdb":
        return [make_table(rows, engine, schema=schema, spark=spark) for rows, schema in pairs]
    import duckdb

    connection = duckdb.connect()
    connection.sql("SET TimeZone = 'America/Los_Angeles'")
    return [
        connection.from_arrow(make_table(rows, "pyarrow", schema=schema)) for rows, schema in pairs
    ]
