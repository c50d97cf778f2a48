"""One valid call for every public callable of salesflow.

The ids are those of :mod:`fuzz.surface` (``orders.Order.ship``; names of the
top-level package have no prefix). Each entry is a function returning a
:class:`Call`, so the sample objects are built only when a test needs them.

A valid call passes most optional parameters too, so the bad-input test can
replace each of them. Where an entry is a constructor of a record type, its
arguments are read from a real instance (:func:`ctor`), which keeps the entry
right when the record gains a field.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

import attrs

from fuzz import samples
from salesflow import (
    Command,
    CurrencyMismatch,
    IdempotencyConflict,
    InvalidField,
    InvalidTransition,
    InvalidType,
    Money,
    Period,
    PeriodUnit,
    UndefinedMetric,
    UnknownCode,
    VersionConflict,
    leads,
    metrics,
    orders,
    routing,
    schemas,
)
from salesflow.errors import ClockConflict, CorruptDocument, MissingExtra
from salesflow.leads import lifecycle as lead_lifecycle
from salesflow.leads.facts import DEFAULT_STAGE_FACTS
from salesflow.metrics import growth, results
from salesflow.orders import lifecycle as order_lifecycle
from salesflow.orders import order as order_module
from salesflow.orders.notifications import PickingNotice
from salesflow.routing import deadlines, ledger, models, report, strategies, stream
from salesflow.routing import lifecycle as handoff_lifecycle
from salesflow.routing.reroute import RerouteReport, Routed
from salesflow.routing.simulation import default_team

STATEFUL = (
    orders.Order,
    leads.Lead,
    routing.Ownership,
    routing.Dispatcher,
    routing.AssignmentLedger,
)
"""Receivers whose refused commands must change nothing, checked beyond equality."""


@dataclass(frozen=True)
class Call:
    """One valid call: ``target(*args, **kwargs)``, or a method of ``receiver()``."""

    target: Any = None
    receiver: Callable[[], Any] | None = None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def f(target: Any, *args: Any, **kwargs: Any) -> Call:
    return Call(target=target, args=args, kwargs=kwargs)


def m(receiver: Callable[[], Any], *args: Any, **kwargs: Any) -> Call:
    return Call(receiver=receiver, args=args, kwargs=kwargs)


def ctor(instance: Callable[[], Any]) -> Callable[[], Call]:
    """The constructor call that rebuilds a real instance, read from its fields."""

    def build() -> Call:
        made = instance()
        cls = type(made)
        if attrs.has(cls):
            names = {a.alias: a.name for a in attrs.fields(cls) if a.init}
        else:
            # A plain class keeps a constructor argument as an attribute, public or private.
            names = {
                name: name if hasattr(made, name) else f"_{name}"
                for name in inspect.signature(cls).parameters
            }
        return Call(
            target=cls, kwargs={alias: getattr(made, name) for alias, name in names.items()}
        )

    return build


def _error(cls: type, **kwargs: Any) -> Callable[[], Call]:
    return lambda: f(cls, **kwargs)


_FIELD = {"field": "quantity", "value": -1, "expected": "a whole number", "context": "OrderLine"}
_OPTS = {"actor": "kim", "idempotency_key": "k-9"}


def _history(builder: Callable[[], Any]) -> Callable[[], Any]:
    return lambda: builder().history


def calls(name: str) -> tuple[Call, ...]:
    """The valid calls of ``name``: one, or a few where one call would hide a case."""
    made = REGISTRY[name]()
    return made if isinstance(made, tuple) else (made,)


REGISTRY: dict[str, Callable[[], Call | tuple[Call, ...]]] = {
    # -- errors ----------------------------------------------------------
    "CurrencyMismatch": _error(CurrencyMismatch, **_FIELD),
    "IdempotencyConflict": _error(
        IdempotencyConflict, subject="order 1001", key="k-1", recorded_event="ship", event="pack"
    ),
    "InvalidField": _error(InvalidField, **_FIELD),
    "InvalidTransition": _error(
        InvalidTransition,
        state="picking",
        event="ship",
        allowed=["pack", "cancel"],
        subject="an order",
        detail="not packed yet",
    ),
    "InvalidType": _error(InvalidType, **_FIELD),
    # The root takes a message like any Exception; it has no arguments of its own to check.
    "SalesflowError": lambda: f(__import__("salesflow").SalesflowError),
    "UndefinedMetric": _error(
        UndefinedMetric, metric="churn rate", denominator="customers at start", variant="simple"
    ),
    "UnknownCode": _error(UnknownCode, vocabulary="aftership", code="Nope", known=["InTransit"]),
    "VersionConflict": _error(VersionConflict, subject="order 1001", expected=3, actual=4),
    "errors.MissingExtra": _error(MissingExtra, package="altair", extra="viz", feature="charts"),
    "errors.ClockConflict": _error(
        ClockConflict,
        field="at",
        value=samples.at(1),
        expected="a time on or after the latest change",
        context="",
        latest=samples.at(2),
    ),
    "errors.CorruptDocument": _error(CorruptDocument, **_FIELD),
    "errors.CorruptDocument.of": lambda: f(
        CorruptDocument.of, InvalidType(**_FIELD), field="history[0].lines[0].quantity"
    ),
    # -- money and periods -------------------------------------------------
    "Money": lambda: f(Money, "8.50", "EUR"),
    "Money.zero": lambda: f(Money.zero, "EUR"),
    "Money.total": lambda: f(Money.total, [Money("1", "EUR"), Money("2.5", "EUR")], "EUR"),
    "Money.rounded": lambda: m(lambda: Money("8.505", "EUR"), "ROUND_HALF_UP"),
    "Money.to_dict": lambda: m(lambda: Money("8.50", "EUR")),
    "Money.from_dict": lambda: f(
        Money.from_dict, {"amount": "8.50", "currency": "EUR"}, field="price"
    ),
    "Period": lambda: f(
        Period,
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 4, 1, tzinfo=UTC),
        unit=PeriodUnit.MONTH,
        zone="UTC",
    ),
    "Period.day": lambda: f(Period.day, date(2026, 3, 29), "Europe/Berlin"),
    "Period.week": lambda: f(Period.week, date(2026, 3, 29), "Europe/Berlin"),
    "Period.month": lambda: f(Period.month, 2026, 3, "Europe/Berlin"),
    "Period.quarter": lambda: f(Period.quarter, 2026, 1, "Europe/Berlin"),
    "Period.containing": lambda: f(
        Period.containing, datetime(2026, 3, 31, 22, 30, tzinfo=UTC), "month", "Europe/Berlin"
    ),
    "Period.months": lambda: f(Period.months, 2026, 11, 3, "UTC"),
    "Period.contains": lambda: m(samples.march, datetime(2026, 3, 31, 21, 30, tzinfo=UTC)),
    "Period.ended": lambda: m(samples.march, datetime(2026, 4, 2, tzinfo=UTC)),
    "Period.overlaps": lambda: m(samples.march, Period.month(2026, 3, "UTC")),
    "Period.shifted": lambda: m(samples.march, -2),
    "Period.next": lambda: m(samples.march),
    "Period.previous": lambda: m(samples.march),
    "Period.series": lambda: m(samples.march, 3),
    "Period.split": lambda: m(samples.march, "week"),
    "Period.to_dict": lambda: m(samples.march),
    "Period.from_dict": lambda: f(Period.from_dict, samples.march().to_dict(), field="period"),
    # -- orders ----------------------------------------------------------
    "orders.CarrierUpdate": lambda: f(
        orders.CarrierUpdate,
        vocabulary="aftership",
        code="InTransit",
        tracking_number="JD01",
        at=samples.at(5),
        carrier="DHL",
        location="Leipzig hub",
        estimated_delivery=date(2026, 11, 28),
        message="arrived at hub",
    ),
    "orders.Customer": lambda: f(orders.Customer, "cust-1", "Ada"),
    "orders.Customer.to_dict": lambda: m(samples.customer),
    "orders.Customer.from_dict": lambda: f(
        orders.Customer.from_dict, samples.customer().to_dict(), field="customer"
    ),
    "orders.Notification.to_dict": lambda: m(lambda: samples.notifications()["ReceivedNotice"]),
    "orders.Order": lambda: f(orders.Order, samples.delivered().history),
    "orders.Order.place": lambda: f(
        orders.Order.place,
        **samples.place_kwargs(),
        amount_due=Money("21.00", "EUR"),
        actor="shop",
        idempotency_key="place-1001",
    ),
    "orders.Order.replay": lambda: f(orders.Order.replay, samples.delivered().history),
    "orders.Order.process": lambda: m(
        samples.placed,
        step=orders.ProcessingStep.STOCK_CHECK,
        at=samples.at(1),
        **_OPTS,
        expected_version=1,
    ),
    "orders.Order.pick": lambda: m(
        samples.processing, at=samples.at(2), **_OPTS, expected_version=2
    ),
    "orders.Order.pack": lambda: m(samples.picking, at=samples.at(3), **_OPTS, expected_version=3),
    "orders.Order.ship": lambda: m(
        samples.packed,
        carrier="DHL",
        tracking_number="JD01",
        at=samples.at(4),
        tracking_url="https://track.example/JD01",
        estimated_delivery=date(2026, 11, 28),
        **_OPTS,
        expected_version=4,
    ),
    "orders.Order.transit": lambda: m(
        samples.shipped,
        location="Leipzig hub",
        at=samples.at(5),
        estimated_delivery=date(2026, 11, 28),
        **_OPTS,
        expected_version=5,
    ),
    "orders.Order.deliver": lambda: m(
        samples.in_transit,
        at=samples.at(8),
        proof="signed by Ada",
        review_url="https://shop.example/review",
        **_OPTS,
        expected_version=6,
    ),
    "orders.Order.cancel": lambda: m(
        samples.picking, reason="ordered twice", at=samples.at(3), **_OPTS, expected_version=3
    ),
    "orders.Order.delay": lambda: m(
        samples.in_transit,
        reason="storm",
        estimated_delivery=date(2026, 11, 30),
        at=samples.at(6),
        **_OPTS,
        expected_version=6,
    ),
    "orders.Order.resume": lambda: m(
        samples.delayed,
        at=samples.at(7),
        estimated_delivery=date(2026, 12, 1),
        **_OPTS,
        expected_version=7,
    ),
    "orders.Order.to_dict": lambda: m(samples.delivered),
    "orders.Order.time_in_statuses": lambda: m(samples.resumed, samples.at(48)),
    "orders.Order.from_dict": lambda: f(orders.Order.from_dict, samples.delivered().to_dict()),
    "orders.Order.to_snapshot": lambda: m(samples.delivered),
    "orders.Order.from_snapshot": lambda: f(
        orders.Order.from_snapshot, samples.delivered().to_snapshot(), tail=()
    ),
    "orders.OrderLifecycle": lambda: f(orders.OrderLifecycle, start_value="processing"),
    "orders.OrderLine": lambda: f(orders.OrderLine, "MUG-1", "Blue mug", 2, Money("8.50", "EUR")),
    "orders.OrderLine.to_dict": lambda: m(samples.line),
    "orders.OrderLine.from_dict": lambda: f(
        orders.OrderLine.from_dict, samples.line().to_dict(), field="line"
    ),
    "orders.SupportContact": lambda: f(
        orders.SupportContact,
        email="help@shop.example",
        phone="+49 30 1234",
        url="https://shop.example",
    ),
    "orders.SupportContact.to_dict": lambda: m(samples.support),
    "orders.SupportContact.from_dict": lambda: f(
        orders.SupportContact.from_dict, samples.support().to_dict(), field="support"
    ),
    "orders.allowed_events": lambda: f(orders.allowed_events, "delayed", resumes_to="picking"),
    "orders.apply_carrier_update": lambda: f(
        orders.apply_carrier_update, samples.shipped(), samples.carrier_update(), actor="aftership"
    ),
    "orders.notification_from_dict": lambda: f(
        orders.notification_from_dict, samples.notifications()["ShippedNotice"].to_dict()
    ),
    "orders.event_from_dict": lambda: f(
        orders.event_from_dict, samples.delayed().history[-1].to_dict(), field="history[6]"
    ),
    "orders.replay_status": lambda: f(
        orders.replay_status,
        ["pick", "delay"],
        start=orders.OrderStatus.PROCESSING,
        resumes_to=None,
    ),
    # -- leads -----------------------------------------------------------
    "leads.Lead": lambda: f(leads.Lead, samples.lost_lead().history),
    "leads.Lead.create": lambda: f(
        leads.Lead.create,
        lead_id="L-7",
        source=leads.LeadSource.INBOUND,
        at=samples.at(0),
        deal_value=Money("2400", "EUR"),
        actor="kim",
        idempotency_key="create-L-7",
    ),
    "leads.Lead.replay": lambda: f(leads.Lead.replay, samples.lost_lead().history),
    "leads.Lead.advance": lambda: m(
        samples.interested_lead, at=samples.at(3), **_OPTS, expected_version=3
    ),
    "leads.Lead.fast_track": lambda: m(
        samples.qualified_lead, at=samples.at(3), **_OPTS, expected_version=4
    ),
    "leads.Lead.move_back": lambda: m(
        samples.deciding_lead,
        reason="needs a second demo",
        at=samples.at(4),
        **_OPTS,
        expected_version=5,
    ),
    "leads.Lead.win": lambda: m(
        samples.deciding_lead, at=samples.at(4), **_OPTS, expected_version=5
    ),
    "leads.Lead.repeat_purchase": lambda: m(
        samples.won_lead, at=samples.at(50), **_OPTS, expected_version=6
    ),
    "leads.Lead.lose": lambda: m(
        samples.deciding_lead,
        reason=leads.LostReason.SEASONAL,
        at=samples.at(30),
        come_back_on=date(2027, 3, 1),
        note="winter",
        **_OPTS,
        expected_version=5,
    ),
    "leads.Lead.disqualify": lambda: m(
        samples.interested_lead,
        at=samples.at(3),
        note="student project",
        **_OPTS,
        expected_version=3,
    ),
    "leads.Lead.reactivate": lambda: m(
        samples.lost_lead, at=samples.at(40), **_OPTS, expected_version=6
    ),
    "leads.Lead.qualify": lambda: m(
        samples.interested_lead, at=samples.at(2), **_OPTS, expected_version=3
    ),
    "leads.Lead.log_activity": lambda: m(
        samples.deciding_lead,
        kind=leads.ActivityKind.DEMO,
        at=samples.at(5),
        actor="kim",
        note="went well",
        idempotency_key="demo-1",
        expected_version=5,
    ),
    "leads.Lead.to_dict": lambda: m(samples.lost_lead),
    "leads.Lead.from_dict": lambda: f(leads.Lead.from_dict, samples.lost_lead().to_dict()),
    "leads.Lead.to_snapshot": lambda: m(samples.lost_lead),
    "leads.Lead.from_snapshot": lambda: f(
        leads.Lead.from_snapshot, samples.lost_lead().to_snapshot(), tail=()
    ),
    "leads.Lead.facts": lambda: m(samples.deciding_lead, dict(DEFAULT_STAGE_FACTS)),
    "leads.Lead.expected_value": lambda: m(samples.deciding_lead, dict(DEFAULT_STAGE_FACTS)),
    "leads.Lead.time_in_stages": lambda: m(samples.lost_lead, samples.at(48)),
    "leads.Lead.stage_visits": lambda: m(samples.lost_lead, leads.LeadStage.DECISION),
    "leads.Lead.stalled": lambda: m(samples.deciding_lead, samples.at(300), timedelta(days=5)),
    "leads.Lead.credited_activities": lambda: m(samples.demo_lead, manager="sam"),
    "leads.LeadLifecycle": lambda: f(leads.LeadLifecycle, start_value="interest"),
    "leads.Qualification": ctor(lambda: samples.qualified_lead().qualification),
    "leads.StageFacts": lambda: f(
        leads.StageFacts, Decimal("0.3"), leads.ForecastCategory.BEST_CASE
    ),
    "leads.allowed_events": lambda: f(
        leads.allowed_events, "lost", qualified=True, lost_from="decision"
    ),
    "leads.event_from_dict": lambda: f(
        leads.event_from_dict,
        samples.lost_lead().history[-1].to_dict(),
        field="history[5]",
    ),
    "leads.replay_stage": lambda: f(leads.replay_stage, ["advance", "advance", "lose"]),
    # -- routing ---------------------------------------------------------
    "routing.Absence": lambda: f(
        routing.Absence, samples.at(-48), samples.at(120), "parental leave"
    ),
    "routing.Absence.covers": lambda: m(samples.absence, samples.at(1)),
    "routing.Dispatcher": lambda: f(
        routing.Dispatcher, samples.team(), routing.LeastLoaded(), samples.ledger()
    ),
    "routing.Dispatcher.replace_team": lambda: m(samples.dispatcher, samples.small_team()),
    "routing.Dispatcher.release": lambda: m(samples.dispatcher, "ria"),
    "routing.Dispatcher.credit_back": lambda: m(samples.dispatcher, "ria"),
    # Two calls: the options (one person left) would hide a refusal that skews the next pick.
    "routing.Dispatcher.assign": lambda: (
        m(samples.dispatcher, "L-3", routing.Role.QUALIFIER, at=samples.at(3)),
        m(
            samples.dispatcher,
            "L-3",
            routing.Role.QUALIFIER,
            at=samples.at(3),
            account_owner="ria",
            attributes={"country": "DE"},
            exclude=["quinn"],
        ),
    ),
    "routing.Dispatcher.assign_many": lambda: m(
        samples.dispatcher,
        [("L-3", routing.Role.QUALIFIER, samples.at(3)), ("L-4", "closer", samples.at(4))],
    ),
    "routing.Dispatcher.details": lambda: _on_dispatcher("details"),
    "routing.Dispatcher.explain": lambda: _on_dispatcher("explain"),
    "routing.HandoffLifecycle": lambda: f(routing.HandoffLifecycle, start_value="submitted"),
    "routing.LeastLoaded": lambda: f(routing.LeastLoaded, 3),
    "routing.AssignmentLedger": ctor(samples.ledger),
    "routing.AssignmentLedger.tally": lambda: m(samples.ledger, "quinn"),
    "routing.AssignmentLedger.load": lambda: m(samples.ledger, "quinn"),
    "routing.AssignmentLedger.assigned": lambda: m(samples.ledger, "quinn"),
    "routing.AssignmentLedger.role": lambda: m(samples.ledger, "qualifier"),
    "routing.AssignmentLedger.with_load": lambda: m(samples.ledger, "ria", 2),
    "routing.AssignmentLedger.release": lambda: m(samples.ledger, "quinn"),
    "routing.AssignmentLedger.credit_back": lambda: m(lambda: samples.assignment().ledger, "ria"),
    "routing.AssignmentLedger.to_dict": lambda: m(samples.ledger),
    "routing.AssignmentLedger.from_dict": lambda: f(
        routing.AssignmentLedger.from_dict, samples.assignment().ledger.to_dict()
    ),
    "routing.RoleTransfer": ctor(samples.move),
    "routing.RoleTransfer.apply": lambda: m(
        samples.move,
        samples.move_target(),
        at=samples.at(1),
        person="ava",
        actor="kim",
        idempotency_key="mv-1",
    ),
    "routing.RoleTransfer.to_dict": lambda: m(samples.move),
    "routing.RoleTransfer.from_dict": lambda: f(
        routing.RoleTransfer.from_dict, samples.move().to_dict(), field="moves[0]"
    ),
    "routing.Ownership": lambda: f(routing.Ownership, samples.accepted().history),
    "routing.Ownership.credited": lambda: m(samples.accepted, "closer"),
    "routing.Ownership.start": lambda: f(
        routing.Ownership.start,
        lead_id="L-100",
        role=routing.Role.QUALIFIER,
        at=samples.T0,
        person="quinn",
        actor="kim",
        note="inbound call",
        idempotency_key="start-1",
    ),
    "routing.Ownership.replay": lambda: f(routing.Ownership.replay, samples.accepted().history),
    "routing.Ownership.reassign": lambda: m(
        samples.started,
        person="quincy",
        at=samples.at(1),
        note="holiday cover",
        **_OPTS,
        expected_version=1,
    ),
    "routing.Ownership.transfer": lambda: m(
        samples.started,
        role=routing.Role.CLOSER,
        at=samples.at(1),
        person="cleo",
        note="ready to buy",
        **_OPTS,
        expected_version=1,
    ),
    "routing.Ownership.hand_off": lambda: m(
        samples.started,
        to_role=routing.Role.CLOSER,
        at=samples.at(1),
        to_person="cleo",
        expires_at=samples.at(5),
        note="wants a demo",
        **_OPTS,
        expected_version=1,
    ),
    "routing.Ownership.accept": lambda: m(
        samples.handed, at=samples.at(2), person="cleo", **_OPTS, expected_version=2
    ),
    "routing.Ownership.reject": lambda: m(
        samples.handed,
        reason=routing.RejectReason.MISSING_INFORMATION,
        at=samples.at(2),
        note="no phone number",
        **_OPTS,
        expected_version=2,
    ),
    "routing.Ownership.expire": lambda: m(
        samples.handed, at=samples.at(6), **_OPTS, expected_version=2
    ),
    "routing.Ownership.withdraw": lambda: m(
        samples.handed, at=samples.at(2), note="wrong role", **_OPTS, expected_version=2
    ),
    "routing.Ownership.to_dict": lambda: m(samples.accepted),
    "routing.Ownership.from_dict": lambda: f(
        routing.Ownership.from_dict, samples.accepted().to_dict()
    ),
    "routing.Ownership.to_snapshot": lambda: m(samples.accepted),
    "routing.Ownership.from_snapshot": lambda: f(
        routing.Ownership.from_snapshot, samples.accepted().to_snapshot(), tail=()
    ),
    "routing.Person": lambda: f(
        routing.Person,
        "ana",
        routing.Role.CLOSER,
        active=True,
        weight=2,
        capacity=5,
        hours=samples.office(),
        absences=[samples.absence()],
        tags={"de"},
    ),
    "routing.Person.away_at": lambda: m(lambda: samples.team().get("ben"), samples.at(1)),
    "routing.Person.evolve": lambda: m(samples.person, capacity=7, active=False),
    "routing.RoundRobin": lambda: f(routing.RoundRobin),
    "routing.Rules": lambda: f(routing.Rules, list(samples.rules().rules)),
    "routing.Rules.match": lambda: m(samples.rules, {"country": "AT"}),
    "routing.Shift": lambda: f(routing.Shift, time(9, 0), time(17, 0)),
    "routing.Shift.parse": lambda: f(routing.Shift.parse, "09:00-17:00"),
    "routing.ShopProfile": ctor(samples.shop_profile),
    "routing.Sticky": lambda: f(routing.Sticky, then=routing.RoundRobin()),
    "routing.Team": lambda: f(routing.Team, list(samples.team().people)),
    "routing.Team.get": lambda: m(samples.team, "cleo"),
    "routing.Team.in_role": lambda: m(samples.team, "closer"),
    "routing.Team.with_person": lambda: m(samples.team, routing.Person("dee", routing.Role.CLOSER)),
    "routing.Team.without": lambda: m(samples.team, "ben"),
    "routing.Weighted": lambda: f(routing.Weighted),
    "routing.WorkingHours": lambda: f(
        routing.WorkingHours,
        "Europe/Berlin",
        {0: "09:00-17:00", 1: "09:00-12:00"},
        [date(2026, 12, 24)],
    ),
    "routing.WorkingHours.office": lambda: f(
        routing.WorkingHours.office,
        "Europe/Berlin",
        start=time(8, 0),
        end="16:30",
        days=[0, 1, 2, 3],
        holidays=[date(2026, 12, 24)],
    ),
    "routing.WorkingHours.always": lambda: f(routing.WorkingHours.always),
    "routing.WorkingHours.is_working": lambda: m(samples.office, samples.at(1)),
    "routing.WorkingHours.window": lambda: m(samples.office, samples.at(1)),
    "routing.WorkingHours.next_start": lambda: m(samples.office, samples.at(10)),
    "routing.WorkingHours.add": lambda: m(samples.office, samples.at(1), timedelta(hours=10)),
    "routing.WorkingHours.between": lambda: m(samples.office, samples.at(1), samples.at(60)),
    "routing.WorkingHours.to_dict": lambda: m(samples.office),
    "routing.WorkingHours.from_dict": lambda: f(
        routing.WorkingHours.from_dict, samples.office().to_dict()
    ),
    "routing.allowed_events": lambda: f(routing.allowed_events, "submitted"),
    "routing.assign": lambda: f(
        routing.assign,
        "L-2",
        routing.Role.CLOSER,
        at=samples.T0,
        team=samples.team(),
        ledger=samples.ledger(),
        strategy=samples.rules(),
        account_owner="cleo",
        attributes={"country": "AT"},
        exclude=["ben"],
    ),
    "routing.compare_models": lambda: f(
        routing.compare_models,
        [routing.SalesModel.ONE_TIER, "three_tier"],
        strategy=routing.LeastLoaded(),
        seed=3,
        teams={
            "one_tier": default_team("one_tier", people_per_role=1),
            "three_tier": samples.small_team(),
        },
        profile=samples.shop_profile(),
        days=1,
        start=date(2026, 3, 2),
        deadline=timedelta(hours=3),
        max_hops=1,
        run_on=timedelta(days=2),
    ),
    "routing.event_from_dict": lambda: f(
        routing.event_from_dict,
        samples.ownership_events()["HandoffRejected"].to_dict(),
        field="history[2]",
    ),
    "routing.needs_handoff": lambda: f(
        routing.needs_handoff, "three_tier", *samples.routed_records()[2]
    ),
    "routing.reassign_overdue": lambda: f(
        routing.reassign_overdue,
        [samples.waiting()],
        now=samples.T0,
        deadline=timedelta(hours=2),
        team=samples.team(),
        ledger=samples.ledger(),
        strategy=routing.RoundRobin(),
        max_hops=2,
        supervisors={routing.Role.CLOSER: "head-of-sales"},
    ),
    "routing.recommend_model": lambda: f(
        routing.recommend_model, samples.shop_profile(), thresholds=samples.thresholds()
    ),
    "routing.reroute": lambda: f(
        routing.reroute,
        "two_tier_contact_center",
        routing.SalesModel.THREE_TIER,
        samples.routed_records(),
    ),
    "routing.simulate": lambda: f(
        routing.simulate,
        "three_tier",
        routing.LeastLoaded(),
        team=samples.small_team(),
        seed=1,
        profile=samples.shop_profile(),
        days=1,
        start=date(2026, 3, 2),
        deadline=timedelta(hours=3),
        max_hops=1,
        run_on=timedelta(days=2),
    ),
    # -- metrics results -------------------------------------------------
    "metrics.results.Amount": ctor(samples.amount),
    "metrics.results.Amount.to_dict": lambda: m(samples.amount),
    "metrics.results.Amount.from_dict": lambda: f(
        metrics.Amount.from_dict, samples.amount().to_dict()
    ),
    "metrics.results.Amount.require": lambda: m(samples.amount),
    "metrics.results.Amount.rounded": lambda: m(samples.amount, "ROUND_HALF_UP"),
    "metrics.orders.Durations": ctor(lambda: samples.status_times().statuses[0]),
    "metrics.orders.Durations.to_dict": lambda: m(lambda: samples.status_times().statuses[0]),
    "metrics.orders.Durations.require": lambda: m(lambda: samples.status_times().statuses[0]),
    "metrics.OrderRecord": ctor(lambda: metrics.OrderRecord.from_mapping(samples.order_rows()[0])),
    "metrics.OrderRecord.to_dict": lambda: m(
        lambda: metrics.OrderRecord.from_mapping(samples.order_rows()[0])
    ),
    "metrics.OrderRecord.from_mapping": lambda: f(
        metrics.OrderRecord.from_mapping, samples.order_rows()[0], index=3
    ),
    "metrics.OrderRecord.from_order": lambda: f(
        metrics.OrderRecord.from_order, samples.delivered()
    ),
    "metrics.results.Ratio": ctor(samples.ratio),
    "metrics.results.Ratio.to_dict": lambda: m(samples.ratio),
    "metrics.results.Ratio.from_dict": lambda: f(
        metrics.Ratio.from_dict, samples.ratio().to_dict()
    ),
    "metrics.results.Ratio.require": lambda: m(samples.ratio),
    "metrics.results.Ratio.percent": lambda: m(samples.ratio, 2, ROUND_DOWN),
    "metrics.results.Score": ctor(samples.score),
    "metrics.results.Score.to_dict": lambda: m(samples.score),
    "metrics.results.Score.from_dict": lambda: f(
        metrics.Score.from_dict, samples.score().to_dict()
    ),
    "metrics.results.Score.require": lambda: m(samples.score),
    "metrics.results.Score.rounded": lambda: m(samples.score, 2, ROUND_DOWN),
    "metrics.results.Score.text": lambda: m(samples.score, 2, ROUND_DOWN),
    # -- metrics functions -------------------------------------------------
    "metrics.average_order_value": lambda: f(
        metrics.average_order_value,
        samples.order_rows(),
        basis="gross",
        include_cancelled=True,
        period=samples.march(),
        now=samples.NOW,
        currency="EUR",
        on_empty="raise",
    ),
    "metrics.cancellation_rate": lambda: f(
        metrics.cancellation_rate,
        [samples.delivered(), samples.cancelled()],
        period=None,
        now=samples.at(100),
        on_empty="raise",
    ),
    "metrics.churn_rate": lambda: (
        f(metrics.churn_rate, customers_at_start=500, customers_lost=70, on_empty="raise"),
        f(
            metrics.churn_rate,
            variant="average_customers",
            customers_at_start=500,
            customers_at_end=480,
            customers_lost=70,
            on_empty="raise",
        ),
        f(
            metrics.churn_rate,
            variant="customer_days",
            customers_lost=3,
            customer_days=1500,
            days=30,
            on_empty="raise",
        ),
        f(
            metrics.churn_rate,
            variant="ids",
            at_start=["a", "b", "c"],
            at_end=["a", "d"],
            on_empty="raise",
        ),
        f(
            metrics.churn_rate,
            variant="orders",
            orders=samples.order_rows(),
            period=Period.month(2026, 4, "Europe/Berlin"),
            active_window=timedelta(days=90),
            columns=None,
            naive_zone=None,
        ),
    ),
    "metrics.clv": lambda: (
        f(
            metrics.clv,
            average_order_value=Money("50", "EUR"),
            purchase_frequency=4,
            lifespan=3,
            lifespan_unit="years",
            margin=Decimal("0.3"),
            on_empty="raise",
        ),
        f(
            metrics.clv,
            arpu=Money("100", "USD"),
            churn_rate=Decimal("0.05"),
            margin=Decimal("0.8"),
            on_empty="raise",
        ),
    ),
    "metrics.cohort_retention": lambda: f(
        metrics.cohort_retention,
        samples.order_rows(),
        zone="Europe/Berlin",
        now=samples.NOW,
        purchase="order",
        progress=lambda rows: None,
    ),
    "metrics.conversion_rate": lambda: (
        f(
            metrics.conversion_rate,
            conversions=30,
            visitors=1200,
            variant="counts",
            on_empty="raise",
        ),
        f(
            metrics.conversion_rate,
            visitors=["a", "b", "c"],
            converted=["b"],
            variant="distinct_ids",
            on_empty="raise",
        ),
    ),
    "metrics.csat": lambda: (
        f(metrics.csat, [7, 6, 2, 5], scale=(1, 7), satisfied_from=6, on_empty="raise"),
        f(
            metrics.csat,
            counts={5: 10, 4: 20, 3: 10},
            scale=(1, 5),
            satisfied_from=4,
            on_empty="raise",
        ),
        f(metrics.csat, [5, 4, 3], scale=(1, 5), variant="mean", on_empty="raise"),
    ),
    "metrics.customer_acquisition_cost": lambda: f(
        metrics.customer_acquisition_cost,
        sales_spend=Money("6000", "EUR"),
        marketing_spend=Money("3000", "EUR"),
        overhead_spend=Money("1000", "EUR"),
        new_customers=40,
        on_empty="raise",
    ),
    "metrics.customer_summary": lambda: f(
        metrics.customer_summary,
        samples.order_rows(),
        now=samples.NOW,
        zone="Europe/Berlin",
        basis="gross",
        purchase="customer_day",
        progress=lambda rows: None,
    ),
    "metrics.delay_rate": lambda: f(
        metrics.delay_rate,
        [samples.delivered(), samples.cancelled()],
        period=None,
        now=samples.at(100),
        on_empty="raise",
    ),
    "metrics.email_engagement": lambda: f(
        metrics.email_engagement, samples.mail_rows(), on_empty="raise"
    ),
    "metrics.funnel": lambda: f(
        metrics.funnel,
        samples.funnel_rows(),
        window=timedelta(days=30),
        steps=("visit", "product_view", "add_to_cart"),
        other_steps="skip",
        on_empty="raise",
    ),
    "metrics.lead_conversion_rate": lambda: (
        f(
            metrics.lead_conversion_rate,
            samples.lead_rows(),
            variant="qualified",
            period=samples.march(),
            now=samples.NOW,
            on_empty="raise",
        ),
        f(
            metrics.lead_conversion_rate,
            [samples.deciding_lead()],
            variant="demo_after_intro_call",
            on_empty="raise",
        ),
        f(
            metrics.lead_conversion_rate,
            [samples.demo_lead()],
            variant="lost_after_demo",
            on_empty="raise",
        ),
    ),
    "metrics.manager_kpis": lambda: f(
        metrics.manager_kpis,
        samples.deal_rows(),
        activities=samples.activity_rows(),
        surveys=samples.survey_rows(),
        period=samples.march(),
        now=samples.NOW,
        currency="EUR",
        csat_scale=(1, 5),
    ),
    "metrics.monthly_revenue": lambda: f(
        metrics.monthly_revenue, samples.order_rows(), zone="Europe/Berlin", basis="gross"
    ),
    "metrics.nps": lambda: (
        f(metrics.nps, [10, 9, 8, 3], on_empty="raise"),
        f(metrics.nps, promoters=30, passives=50, detractors=20, on_empty="raise"),
    ),
    "metrics.on_time_delivery_rate": lambda: f(
        metrics.on_time_delivery_rate,
        [samples.delivered(), samples.cancelled()],
        zone="Europe/Berlin",
        period=None,
        now=samples.at(100),
        on_empty="raise",
    ),
    "metrics.order_status_request_share": lambda: f(
        metrics.order_status_request_share,
        samples.request_rows(),
        topics={"order_status"},
        period=samples.march(),
        now=samples.NOW,
        on_empty="raise",
    ),
    "metrics.purchase_frequency": lambda: (
        f(
            metrics.purchase_frequency,
            orders_per_customer={"a": 2, "b": 1, "c": 1},
            on_empty="raise",
        ),
        f(metrics.purchase_frequency, order_count=12, customers=5, on_empty="raise"),
    ),
    "metrics.repeat_purchase_rate": lambda: (
        f(metrics.repeat_purchase_rate, customer_ids=["a", "b", "a"], on_empty="raise"),
        f(metrics.repeat_purchase_rate, repeat_customers=2, customers=5, on_empty="raise"),
    ),
    "metrics.retention_rate": lambda: (
        f(
            metrics.retention_rate,
            customers_at_start=500,
            new_customers=50,
            customers_at_end=480,
            on_empty="raise",
        ),
        f(
            metrics.retention_rate,
            variant="ids",
            at_start=["a", "b"],
            at_end=["a", "c"],
            on_empty="raise",
        ),
        f(
            metrics.retention_rate,
            variant="orders",
            orders=samples.order_rows(),
            period=Period.month(2026, 4, "Europe/Berlin"),
            active_window=timedelta(days=90),
            on_empty="raise",
        ),
    ),
    "metrics.revenue_growth": lambda: (
        f(
            metrics.revenue_growth,
            samples.revenue(),
            variant="compound_monthly",
            places=12,
            on_empty="raise",
        ),
        f(metrics.revenue_growth, samples.revenue(), variant="month_over_month", on_empty="raise"),
    ),
    "metrics.sales_cycle_length": lambda: f(
        metrics.sales_cycle_length,
        samples.lead_rows(),
        period=samples.march(),
        now=samples.NOW,
        on_empty="raise",
    ),
    "metrics.site_engagement": lambda: f(
        metrics.site_engagement,
        samples.view_rows(),
        engaged_after=timedelta(seconds=20),
        on_empty="raise",
    ),
    "metrics.time_in_lead_stages": lambda: f(
        metrics.time_in_lead_stages, [samples.won_lead()], now=samples.at(100), on_empty="raise"
    ),
    "metrics.time_in_status": lambda: f(
        metrics.time_in_status,
        [samples.delivered(), samples.cancelled()],
        now=samples.at(100),
        period=None,
        on_empty="raise",
    ),
}

# Notification is the abstract base of the nine notices: building it directly is
# refused (it has no status and no wording; tests/unit/test_order_notice_documents.py
# proves that), so its valid call builds it the way the library does, through a
# status's notice, with the base's own arguments only.
REGISTRY["orders.Notification"] = lambda: Call(
    target=PickingNotice,
    kwargs={
        "order_number": "1001",
        "customer_name": "Ada",
        "support": samples.support(),
        "at": samples.T0,
        "version": 3,
        "event": "pick",
        "estimated_delivery": samples.ETA,
        "resumed": False,
    },
)


def _error_document(name: str) -> Callable[[], Call]:
    """``to_dict`` on the error the registry's constructor call of ``name`` builds."""

    def build() -> Call:
        made = calls(name)[0]
        return m(lambda: made.target(*made.args, **made.kwargs))

    return build


REGISTRY.update(
    {
        f"{name}.to_dict": _error_document(name)
        for name in (
            "errors.ClockConflict",
            "errors.CorruptDocument",
            "CurrencyMismatch",
            "IdempotencyConflict",
            "InvalidField",
            "InvalidTransition",
            "InvalidType",
            "errors.MissingExtra",
            "SalesflowError",
            "UndefinedMetric",
            "UnknownCode",
            "VersionConflict",
        )
    }
)


def _on_dispatcher(method: str) -> Call:
    """A call of ``Dispatcher.<method>(decision)`` with a decision the dispatcher made."""
    made = samples.dispatcher()
    decision = made.assign("L-9", routing.Role.QUALIFIER, at=samples.at(9))
    return Call(receiver=lambda: made, args=(decision,))


ENUMS_AND_CONSTANTS_NOTE = """
Enums are covered by calling each with every bad value (an unknown value is a
ValueError, the standard enum contract); constants and type aliases are listed
by the surface and need no call.
"""

# -- names importable from their public module (not exported by the package) ----------
# The surface reads every public module's ``__all__``; ids name the module.
REGISTRY.update(
    {
        # orders
        "orders.carriers.CarrierResult": ctor(samples.carrier_result),
        "orders.events.OrderPlaced": ctor(lambda: samples.placed().history[0]),
        "orders.events.OrderPlaced.to_dict": lambda: m(lambda: samples.placed().history[0]),
        "orders.events.StatusChanged": ctor(lambda: samples.delayed().history[-1]),
        "orders.events.StatusChanged.to_dict": lambda: m(lambda: samples.delayed().history[-1]),
        "orders.lifecycle.key": lambda: f(order_lifecycle.key, "delayed", "picking"),
        "orders.order.OrderOutcome": ctor(
            lambda: samples.placed().process(step="stock_check", at=samples.at(1))
        ),
        "orders.order.OrderOutcome.of": lambda: f(
            order_module.OrderOutcome.of,
            samples.delayed(),
            samples.delayed().history[-1],
            repeated=True,
        ),
        # leads
        "leads.events.ActivityLogged": ctor(lambda: samples.interested_lead().history[1]),
        "leads.events.ActivityLogged.to_dict": lambda: m(
            lambda: samples.interested_lead().history[1]
        ),
        "leads.events.LeadCreated": ctor(lambda: samples.new_lead().history[0]),
        "leads.events.LeadCreated.to_dict": lambda: m(lambda: samples.new_lead().history[0]),
        "leads.events.LeadQualified": ctor(lambda: samples.qualified_lead().history[-1]),
        "leads.events.LeadQualified.to_dict": lambda: m(
            lambda: samples.qualified_lead().history[-1]
        ),
        "leads.events.LeadStageChanged": ctor(lambda: samples.lost_lead().history[-1]),
        "leads.events.LeadStageChanged.to_dict": lambda: m(lambda: samples.lost_lead().history[-1]),
        "leads.lead.LeadOutcome": ctor(samples.lead_outcome),
        "leads.lifecycle.key": lambda: f(
            lead_lifecycle.key, "lost", qualified=True, lost_from="decision"
        ),
        # routing
        "routing.assignment.Assignment": ctor(samples.assignment),
        "routing.assignment.AssignmentReason": ctor(
            lambda: samples.assignment().decision.why_not("quinn")
        ),
        "routing.assignment.Decision": ctor(lambda: samples.assignment().decision),
        "routing.assignment.Decision.why_not": lambda: m(
            lambda: samples.assignment().decision, "quinn"
        ),
        "routing.assignment.Decision.explain": lambda: m(lambda: samples.assignment().decision),
        "routing.assignment.Decision.to_dict": lambda: m(lambda: samples.assignment().decision),
        "routing.deadlines.DeadlineResult": ctor(samples.deadline_result),
        "routing.deadlines.Reassignment": ctor(lambda: samples.deadline_result().reassignments[0]),
        "routing.deadlines.WaitingLead": lambda: f(
            deadlines.WaitingLead,
            "L-7",
            routing.Role.CLOSER,
            "cleo",
            since=samples.at(-72),
            hops=1,
            tried={"ben"},
            account_owner="cleo",
            attributes={"country": "DE"},
        ),
        "routing.dispatcher.Decisions": ctor(
            lambda: samples.dispatcher().assign_many(
                [("L-3", routing.Role.QUALIFIER, samples.at(3)), ("L-4", "closer", samples.at(4))]
            )
        ),
        "routing.ledger.LedgerEntry": lambda: f(
            ledger.LedgerEntry, load=2, assigned=5, last_turn=3, credit=1, owed=0
        ),
        "routing.ledger.RoleTurns": ctor(
            lambda: samples.assignment().ledger.role(routing.Role.QUALIFIER)
        ),
        "routing.lifecycle.key": lambda: f(handoff_lifecycle.key, "submitted"),
        "routing.models.model_diagram": lambda: f(models.model_diagram, "three_tier"),
        "routing.models.owner": lambda: f(models.owner, "three_tier", "decision", "qualified"),
        "routing.models.owner_of": lambda: f(
            models.owner_of, "three_tier", samples.deciding_lead()
        ),
        "routing.models.ownership_table": lambda: f(models.ownership_table),
        "routing.ownership.Handoff": ctor(lambda: samples.handed().handoffs[0]),
        "routing.ownership.OwnershipOutcome": ctor(samples.rejected_outcome),
        "routing.recommender.Recommendation": ctor(samples.recommendation),
        "routing.recommender.Recommendation.explain": lambda: m(samples.recommendation),
        "routing.recommender.Recommendation.to_dict": lambda: m(samples.recommendation),
        "routing.recommender.RuleCheck": ctor(lambda: samples.recommendation().rules[1]),
        "routing.recommender.RuleCheck.to_dict": lambda: m(
            lambda: samples.recommendation().rules[1]
        ),
        "routing.recommender.Thresholds": ctor(samples.thresholds),
        "routing.recommender.Thresholds.to_dict": lambda: m(samples.thresholds),
        "routing.report.BreachCounts": ctor(lambda: samples.report().breaches),
        "routing.report.HandoffCounts": ctor(lambda: samples.report().handoffs),
        "routing.report.LeadTotals": ctor(lambda: samples.report().outcomes),
        "routing.report.PersonLoad": ctor(lambda: samples.report().people[0]),
        "routing.report.SimulationReport": ctor(samples.report),
        "routing.report.SimulationReport.in_role": lambda: m(samples.report, "closer"),
        "routing.report.SimulationReport.format": lambda: m(samples.report),
        "routing.report.SimulationReport.to_dict": lambda: m(samples.report),
        "routing.report.format_comparison": lambda: f(report.format_comparison, [samples.report()]),
        "routing.reroute.RerouteReport": ctor(samples.reroute_report),
        "routing.reroute.RerouteReport.to_dict": lambda: m(samples.reroute_report),
        "routing.reroute.RerouteReport.from_dict": lambda: f(
            RerouteReport.from_dict, samples.reroute_report().to_dict()
        ),
        "routing.reroute.RoleTransferApplied": ctor(
            lambda: samples.move().apply(samples.move_target(), at=samples.at(1), person="ava")
        ),
        "routing.reroute.Routed": lambda: f(Routed, *samples.routed_records()[0]),
        "routing.simulation.default_team": lambda: f(
            default_team,
            "three_tier",
            people_per_role={"closer": 2, "qualifier": 1, "account_manager": 1},
            zone="Europe/Berlin",
            hours=samples.office(),
            capacity=4,
        ),
        "routing.strategies.Rule": lambda: f(
            strategies.Rule,
            "German-speaking",
            when={"country": {"DE", "AT"}},
            tags={"de"},
            then=routing.LeastLoaded(),
        ),
        "routing.strategies.Rule.matches": lambda: m(
            lambda: samples.rules().rules[0], {"country": "AT"}
        ),
        "routing.stream.LeadStream": ctor(samples.stream),
        "routing.stream.LeadStream.generate": lambda: f(
            stream.LeadStream.generate,
            samples.shop_profile(),
            days=2,
            seed=7,
            start=date(2026, 3, 2),
        ),
        "routing.stream.StreamLead": ctor(lambda: samples.stream().leads[0]),
        # metrics
        "metrics.cohorts.Cohort": ctor(lambda: samples.cohort_table().cohorts[0]),
        "metrics.cohorts.CohortCell": ctor(lambda: samples.cohort_table().cohorts[0].cells[0]),
        "metrics.cohorts.CohortCell.to_dict": lambda: m(
            lambda: samples.cohort_table().cohorts[0].cells[0]
        ),
        "metrics.cohorts.CohortTable": ctor(samples.cohort_table),
        "metrics.cohorts.CohortTable.cohort": lambda: m(samples.cohort_table, "2026-03"),
        "metrics.cohorts.CohortTable.cell": lambda: m(samples.cohort_table, "2026-03", 1),
        "metrics.cohorts.CohortTable.to_records": lambda: m(samples.cohort_table),
        "metrics.cohorts.CohortTable.to_frame": lambda: m(samples.cohort_table, "polars"),
        "metrics.cohorts.CohortTable.format": lambda: m(samples.cohort_table, 2, ROUND_DOWN),
        "metrics.cohorts.CohortTable.to_vega_lite": lambda: m(samples.cohort_table),
        "metrics.cohorts.CohortTable.to_altair": lambda: m(samples.cohort_table),
        "metrics.summary.CustomerSummaries": ctor(samples.summaries),
        "metrics.summary.CustomerSummaries.to_records": lambda: m(samples.summaries),
        "metrics.summary.CustomerSummaries.to_frame": lambda: m(
            samples.summaries, "pandas", money="float"
        ),
        "metrics.summary.CustomerSummaries.format": lambda: m(samples.summaries, 2, ROUND_DOWN),
        "metrics.summary.CustomerSummary": ctor(lambda: samples.summaries().customers[0]),
        "metrics.summary.CustomerSummary.to_dict": lambda: m(
            lambda: samples.summaries().customers[0]
        ),
        "metrics.cycle.SalesCycle": ctor(samples.cycle),
        "metrics.cycle.SalesCycle.require": lambda: m(samples.cycle),
        "metrics.cycle.SalesCycle.to_dict": lambda: m(samples.cycle),
        "metrics.email.EmailReport": ctor(samples.mails),
        "metrics.email.EmailReport.get": lambda: m(samples.mails, "shipped", None),
        "metrics.email.EmailReport.to_records": lambda: m(samples.mails),
        "metrics.email.EmailReport.to_frame": lambda: m(samples.mails, "pyarrow"),
        "metrics.email.EmailReport.format": lambda: m(samples.mails, 2, ROUND_DOWN),
        "metrics.email.EmailStats": ctor(lambda: samples.mails().kinds[0]),
        "metrics.email.EmailStats.to_dict": lambda: m(lambda: samples.mails().kinds[0]),
        "metrics.funnel.Funnel": ctor(samples.shop_funnel),
        "metrics.funnel.Funnel.step": lambda: m(samples.shop_funnel, "add_to_cart"),
        "metrics.funnel.Funnel.to_records": lambda: m(samples.shop_funnel),
        "metrics.funnel.Funnel.to_frame": lambda: m(samples.shop_funnel, "polars", money="float"),
        "metrics.funnel.Funnel.format": lambda: m(samples.shop_funnel, 2, ROUND_DOWN),
        "metrics.funnel.Funnel.to_vega_lite": lambda: m(samples.shop_funnel),
        "metrics.funnel.Funnel.to_altair": lambda: m(samples.shop_funnel),
        "metrics.funnel.FunnelLoss": ctor(lambda: samples.lead_funnel().step("awareness").loss),
        "metrics.funnel.FunnelLoss.to_dict": lambda: m(
            lambda: samples.lead_funnel().step("awareness").loss
        ),
        "metrics.funnel.FunnelStepResult": ctor(lambda: samples.shop_funnel().step("add_to_cart")),
        "metrics.funnel.FunnelStepResult.to_dict": lambda: m(
            lambda: samples.shop_funnel().step("add_to_cart")
        ),
        "metrics.growth.GrowthRate": ctor(samples.growth),
        "metrics.growth.GrowthRate.require": lambda: m(samples.growth),
        "metrics.growth.GrowthRate.percent": lambda: m(samples.growth, 2, ROUND_DOWN),
        "metrics.growth.GrowthRate.to_dict": lambda: m(samples.growth),
        "metrics.growth.MonthlyRevenue": lambda: f(
            growth.MonthlyRevenue, {(2026, 1): Money("100", "EUR"), (2026, 2): Money("0", "EUR")}
        ),
        "metrics.growth.MonthlyRevenue.to_vega_lite": lambda: m(samples.monthly),
        "metrics.growth.MonthlyRevenue.to_records": lambda: m(samples.monthly),
        "metrics.growth.MonthlyRevenue.to_frame": lambda: m(samples.monthly, "pandas"),
        "metrics.growth.MonthlyRevenue.to_altair": lambda: m(samples.monthly),
        "metrics.managers.ManagerKPI": ctor(lambda: samples.kpis().managers[0]),
        "metrics.managers.ManagerKPI.to_dict": lambda: m(lambda: samples.kpis().managers[0]),
        "metrics.managers.ManagerKPIs": ctor(samples.kpis),
        "metrics.managers.ManagerKPIs.get": lambda: m(samples.kpis, "ann", None),
        "metrics.managers.ManagerKPIs.to_records": lambda: m(samples.kpis),
        "metrics.managers.ManagerKPIs.to_frame": lambda: m(samples.kpis, "pyarrow", money="float"),
        "metrics.managers.ManagerKPIs.format": lambda: m(samples.kpis, 2, ROUND_DOWN),
        "metrics.orders.StatusTimes": ctor(samples.status_times),
        "metrics.orders.StatusTimes.get": lambda: m(samples.status_times, "processing", None),
        "metrics.orders.StatusTimes.to_records": lambda: m(samples.status_times),
        "metrics.orders.StatusTimes.to_frame": lambda: m(samples.status_times, "polars"),
        "metrics.orders.StatusTimes.format": lambda: m(samples.status_times),
        "metrics.orders.StatusTimes.to_vega_lite": lambda: m(samples.status_times),
        "metrics.orders.StatusTimes.to_altair": lambda: m(samples.status_times),
        "metrics.results.result_from_dict": lambda: f(
            results.result_from_dict, samples.ratio().to_dict()
        ),
        "metrics.site.PageStats": ctor(lambda: samples.site().page("/")),
        "metrics.site.SiteEngagement": ctor(samples.site),
        "metrics.site.SiteEngagement.page": lambda: m(samples.site, "/mugs"),
        "metrics.site.SiteEngagement.format": lambda: m(samples.site, 2, ROUND_DOWN),
        "metrics.site.PageStats.to_dict": lambda: m(lambda: samples.site().page("/")),
        "metrics.site.SiteEngagement.to_dict": lambda: m(samples.site),
        "metrics.site.SiteEngagement.to_records": lambda: m(samples.site),
        "metrics.site.SiteEngagement.to_frame": lambda: m(samples.site, "pyarrow"),
        "metrics.stages.LeadStageTimes": ctor(samples.stage_times),
        "metrics.stages.LeadStageTimes.to_records": lambda: m(samples.stage_times),
        "metrics.stages.LeadStageTimes.to_frame": lambda: m(samples.stage_times, "pandas"),
        "metrics.stages.LeadStageTimes.format": lambda: m(samples.stage_times),
        "metrics.stages.LeadStageTimes.to_vega_lite": lambda: m(samples.stage_times),
        "metrics.stages.LeadStageTimes.to_altair": lambda: m(samples.stage_times),
    }
)
_NOTICES = (
    "CancelledNotice",
    "DelayedNotice",
    "DeliveredNotice",
    "InTransitNotice",
    "PackedNotice",
    "PickingNotice",
    "ProcessingNotice",
    "ReceivedNotice",
    "ShippedNotice",
)
for _kind in _NOTICES:
    REGISTRY[f"orders.notifications.{_kind}"] = ctor(lambda _k=_kind: samples.notifications()[_k])
    REGISTRY[f"orders.notifications.{_kind}.to_dict"] = lambda _k=_kind: m(
        lambda: samples.notifications()[_k]
    )
_OWNERSHIP_EVENTS = (
    "HandoffAccepted",
    "HandoffExpired",
    "HandoffRejected",
    "HandoffSubmitted",
    "HandoffWithdrawn",
    "OwnerAssigned",
)
for _kind in _OWNERSHIP_EVENTS:
    REGISTRY[f"routing.events.{_kind}"] = ctor(lambda _k=_kind: samples.ownership_events()[_k])
    REGISTRY[f"routing.events.{_kind}.to_dict"] = lambda _k=_kind: m(
        lambda: samples.ownership_events()[_k]
    )

# -- commands from JSON and the generated schemas (salesflow.commands, salesflow.schemas) ------


def _ship_body() -> dict[str, Any]:
    return {
        "aggregate": "order",
        "command": "ship",
        "carrier": "DHL",
        "tracking_number": "JD01",
        "at": samples.at(4).isoformat(),
        "estimated_delivery": "2026-11-28",
        "actor": "kim",
        "idempotency_key": "k-9",
        "expected_version": 4,
    }


REGISTRY.update(
    {
        "Command": lambda: f(
            Command,
            "order",
            "ship",
            {"carrier": "DHL", "tracking_number": "JD01", "at": samples.at(4)},
        ),
        "Command.from_dict": lambda: f(Command.from_dict, _ship_body()),
        "Command.to_dict": lambda: m(lambda: Command.from_dict(_ship_body())),
        "Command.apply": lambda: (
            m(lambda: Command.from_dict(_ship_body()), samples.packed()),
            m(lambda: Command.from_dict({**samples.place_body(), "idempotency_key": "p-1"}), None),
        ),
        "orders.Order.apply": lambda: m(samples.packed, Command.from_dict(_ship_body())),
        "leads.Lead.apply": lambda: m(
            samples.deciding_lead,
            Command.from_dict(
                {"aggregate": "lead", "command": "win", "at": samples.at(3).isoformat()}
            ),
        ),
        "routing.Ownership.apply": lambda: m(
            samples.handed,
            Command.from_dict(
                {"aggregate": "ownership", "command": "accept", "at": samples.at(2).isoformat()}
            ),
        ),
        "orders.CarrierUpdate.from_dict": lambda: f(
            orders.CarrierUpdate.from_dict, samples.carrier_update().to_dict()
        ),
        "orders.CarrierUpdate.to_dict": lambda: m(samples.carrier_update),
        "schemas.names": lambda: f(schemas.names),
        "schemas.schema": lambda: f(schemas.schema, "order.command.ship"),
        "schemas.primitives": lambda: f(
            schemas.primitives, {"total": timedelta(hours=2), "share": Decimal("0.25")}
        ),
    }
)


def _predict_table() -> Any:
    from salesflow.predict.inputs import ModelInput

    return ModelInput(
        frequency=[2, 0, 1, 3],
        first_to_last=[5.0, 0.0, 2.5, 8.0],
        first_to_end=[10.0, 9.0, 9.5, 10.0],
        monetary_value=[Decimal("20"), None, Decimal("12.50"), Decimal("31")],
        customer_ids=["ada", "bob", "cy", "dee"],
        unit="weeks",
    )


def _predict_entries() -> dict[str, Callable[[], Call | tuple[Call, ...]]]:
    from salesflow import predict
    from salesflow.predict import inputs, segments

    return {
        "predict.inputs.ModelInput": lambda: f(
            inputs.ModelInput,
            frequency=[2, 0],
            first_to_last=[5.0, 0.0],
            first_to_end=[10.0, 9.0],
            monetary_value=[Decimal("20"), None],
            customer_ids=["ada", "bob"],
            unit="weeks",
        ),
        "predict.inputs.ModelInput.to_records": lambda: m(_predict_table),
        "predict.inputs.ModelInput.to_frame": lambda: m(_predict_table, "polars", money="float"),
        "predict.fit": lambda: (
            f(predict.fit, _predict_table(), model="bgnbd"),
            f(predict.fit, _predict_table(), model="mbgnbd"),
            f(predict.fit, _predict_table(), model="pareto_nbd"),
            f(predict.fit, _predict_table(), model="gamma_gamma"),
            f(predict.fit, [1000, 631, 468, 382, 326], model="sbg"),
        ),
        "predict.calibration_holdout": lambda: f(
            predict.calibration_holdout,
            samples.order_rows(),
            calibration_end=samples.at(100),
            holdout_end=samples.at(200),
            unit="days",
        ),
        "predict.rfm": lambda: f(
            predict.rfm,
            samples.order_rows(),
            now=samples.at(24 * 60),
            segments=segments.DEFAULT_RFM_SEGMENTS,
        ),
        "predict.model_input": lambda: f(
            predict.model_input,
            samples.order_rows(),
            calibration_end=samples.at(100),
            unit="days",
            period="purchase",
            zone=UTC,
        ),
    }


REGISTRY.update(_predict_entries())
