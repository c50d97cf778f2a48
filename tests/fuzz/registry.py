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

from fuzz import samples as S
from salesflow import (
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
)
from salesflow import leads as L
from salesflow import metrics as M
from salesflow import orders as O
from salesflow import routing as R

STATEFUL = (O.Order, L.Lead, R.Ownership, R.Dispatcher, R.Ledger)
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
        return Call(target=cls, kwargs={alias: getattr(made, name) for alias, name in names.items()})

    return build


def _error(cls: type, **kwargs: Any) -> Callable[[], Call]:
    return lambda: f(cls, **kwargs)


_FIELD = {"field": "quantity", "value": -1, "expected": "a whole number", "context": "OrderLine"}
_OPTS = {"actor": "kim", "idempotency_key": "k-9"}


def _history(builder: Callable[[], Any]) -> Callable[[], Any]:
    return lambda: builder().history


REGISTRY: dict[str, Callable[[], Call]] = {
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
    "SalesflowError": lambda: f(__import__("salesflow").SalesflowError, "something went wrong"),
    "UndefinedMetric": _error(
        UndefinedMetric, metric="churn rate", denominator="customers at start", variant="simple"
    ),
    "UnknownCode": _error(UnknownCode, vocabulary="aftership", code="Nope", known=["InTransit"]),
    "VersionConflict": _error(VersionConflict, subject="order 1001", expected=3, actual=4),
    # -- money and periods -------------------------------------------------
    "Money": lambda: f(Money, "8.50", "EUR"),
    "Money.zero": lambda: f(Money.zero, "EUR"),
    "Money.total": lambda: f(Money.total, [Money("1", "EUR"), Money("2.5", "EUR")], "EUR"),
    "Money.rounded": lambda: m(lambda: Money("8.505", "EUR"), "ROUND_HALF_UP"),
    "Money.to_dict": lambda: m(lambda: Money("8.50", "EUR")),
    "Money.from_dict": lambda: f(Money.from_dict, {"amount": "8.50", "currency": "EUR"}, field="price"),
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
    "Period.contains": lambda: m(S.march, datetime(2026, 3, 31, 21, 30, tzinfo=UTC)),
    "Period.ended": lambda: m(S.march, datetime(2026, 4, 2, tzinfo=UTC)),
    "Period.overlaps": lambda: m(S.march, Period.month(2026, 3, "UTC")),
    "Period.shifted": lambda: m(S.march, -2),
    "Period.next": lambda: m(S.march),
    "Period.previous": lambda: m(S.march),
    "Period.series": lambda: m(S.march, 3),
    "Period.split": lambda: m(S.march, "week"),
    "Period.to_dict": lambda: m(S.march),
    "Period.from_dict": lambda: f(Period.from_dict, S.march().to_dict(), field="period"),
    # -- orders ----------------------------------------------------------
    "orders.CarrierResult": ctor(S.carrier_result),
    "orders.CarrierUpdate": lambda: f(
        O.CarrierUpdate,
        vocabulary="aftership",
        code="InTransit",
        tracking_number="JD01",
        at=S.at(5),
        carrier="DHL",
        location="Leipzig hub",
        estimated_delivery=date(2026, 11, 28),
        message="arrived at hub",
    ),
    "orders.Customer": lambda: f(O.Customer, "cust-1", "Ada"),
    "orders.Customer.to_dict": lambda: m(S.customer),
    "orders.Customer.from_dict": lambda: f(
        O.Customer.from_dict, S.customer().to_dict(), field="customer"
    ),
    "orders.Notification.to_dict": lambda: m(lambda: S.notifications()["ReceivedNotice"]),
    "orders.Order": lambda: f(O.Order, S.delivered().history),
    "orders.Order.place": lambda: f(
        O.Order.place,
        **S.place_kwargs(),
        amount_due=Money("21.00", "EUR"),
        actor="shop",
        idempotency_key="place-1001",
    ),
    "orders.Order.replay": lambda: f(O.Order.replay, S.delivered().history),
    "orders.Order.process": lambda: m(
        S.placed, step=O.ProcessingStep.STOCK_CHECK, at=S.at(1), **_OPTS, expected_version=1
    ),
    "orders.Order.pick": lambda: m(S.processing, at=S.at(2), **_OPTS, expected_version=2),
    "orders.Order.pack": lambda: m(S.picking, at=S.at(3), **_OPTS, expected_version=3),
    "orders.Order.ship": lambda: m(
        S.packed,
        carrier="DHL",
        tracking_number="JD01",
        at=S.at(4),
        tracking_url="https://track.example/JD01",
        estimated_delivery=date(2026, 11, 28),
        **_OPTS,
        expected_version=4,
    ),
    "orders.Order.transit": lambda: m(
        S.shipped,
        location="Leipzig hub",
        at=S.at(5),
        estimated_delivery=date(2026, 11, 28),
        **_OPTS,
        expected_version=5,
    ),
    "orders.Order.deliver": lambda: m(
        S.in_transit,
        at=S.at(8),
        proof="signed by Ada",
        review_url="https://shop.example/review",
        **_OPTS,
        expected_version=6,
    ),
    "orders.Order.cancel": lambda: m(
        S.picking, reason="ordered twice", at=S.at(3), **_OPTS, expected_version=3
    ),
    "orders.Order.delay": lambda: m(
        S.in_transit,
        reason="storm",
        estimated_delivery=date(2026, 11, 30),
        at=S.at(6),
        **_OPTS,
        expected_version=6,
    ),
    "orders.Order.resume": lambda: m(
        S.delayed, at=S.at(7), estimated_delivery=date(2026, 12, 1), **_OPTS, expected_version=7
    ),
    "orders.Order.to_dict": lambda: m(S.delivered),
    "orders.Order.from_dict": lambda: f(O.Order.from_dict, S.delivered().to_dict()),
    "orders.OrderLifecycle": lambda: f(O.OrderLifecycle, start_value="processing"),
    "orders.OrderLine": lambda: f(O.OrderLine, "MUG-1", "Blue mug", 2, Money("8.50", "EUR")),
    "orders.OrderLine.to_dict": lambda: m(S.line),
    "orders.OrderLine.from_dict": lambda: f(O.OrderLine.from_dict, S.line().to_dict(), field="line"),
    "orders.OrderPlaced": ctor(lambda: S.placed().history[0]),
    "orders.OrderPlaced.to_dict": lambda: m(lambda: S.placed().history[0]),
    "orders.Outcome": ctor(lambda: S.placed().process(step="stock_check", at=S.at(1))),
    "orders.StatusChanged": ctor(lambda: S.delayed().history[-1]),
    "orders.StatusChanged.to_dict": lambda: m(lambda: S.delayed().history[-1]),
    "orders.SupportContact": lambda: f(
        O.SupportContact, email="help@shop.example", phone="+49 30 1234", url="https://shop.example"
    ),
    "orders.SupportContact.to_dict": lambda: m(S.support),
    "orders.SupportContact.from_dict": lambda: f(
        O.SupportContact.from_dict, S.support().to_dict(), field="support"
    ),
    "orders.allowed_events": lambda: f(O.allowed_events, "delayed", resumes_to="picking"),
    "orders.apply_carrier_update": lambda: f(
        O.apply_carrier_update, S.shipped(), S.carrier_update(), actor="aftership"
    ),
    "orders.next_status": lambda: f(O.next_status, "delayed", "resume", resumes_to="picking"),
    "orders.notification_from_dict": lambda: f(
        O.notification_from_dict, S.notifications()["ShippedNotice"].to_dict()
    ),
    "orders.order_event_from_dict": lambda: f(
        O.order_event_from_dict, S.delayed().history[-1].to_dict(), field="history[6]"
    ),
    "orders.replay_status": lambda: f(
        O.replay_status, ["pick", "delay"], start=O.OrderStatus.PROCESSING, resumes_to=None
    ),
    # -- leads -----------------------------------------------------------
    "leads.ActivityLogged": ctor(lambda: S.interested_lead().history[1]),
    "leads.Lead": lambda: f(L.Lead, S.lost_lead().history),
    "leads.Lead.create": lambda: f(
        L.Lead.create,
        lead_id="L-7",
        source=L.LeadSource.INBOUND,
        at=S.at(0),
        deal_value=Money("2400", "EUR"),
        actor="kim",
        idempotency_key="create-L-7",
    ),
    "leads.Lead.replay": lambda: f(L.Lead.replay, S.lost_lead().history),
    "leads.Lead.advance": lambda: m(S.interested_lead, at=S.at(3), **_OPTS, expected_version=3),
    "leads.Lead.fast_track": lambda: m(S.qualified_lead, at=S.at(3), **_OPTS, expected_version=4),
    "leads.Lead.move_back": lambda: m(
        S.deciding_lead, reason="needs a second demo", at=S.at(4), **_OPTS, expected_version=5
    ),
    "leads.Lead.win": lambda: m(S.deciding_lead, at=S.at(4), **_OPTS, expected_version=5),
    "leads.Lead.repeat_purchase": lambda: m(S.won_lead, at=S.at(50), **_OPTS, expected_version=6),
    "leads.Lead.lose": lambda: m(
        S.deciding_lead,
        L.LostReason.SEASONAL,
        at=S.at(30),
        come_back_on=date(2027, 3, 1),
        note="winter",
        **_OPTS,
        expected_version=5,
    ),
    "leads.Lead.disqualify": lambda: m(
        S.interested_lead, at=S.at(3), note="student project", **_OPTS, expected_version=3
    ),
    "leads.Lead.reactivate": lambda: m(S.lost_lead, at=S.at(40), **_OPTS, expected_version=6),
    "leads.Lead.qualify": lambda: m(S.interested_lead, at=S.at(2), **_OPTS, expected_version=3),
    "leads.Lead.log_activity": lambda: m(
        S.deciding_lead,
        L.ActivityKind.DEMO,
        at=S.at(5),
        actor="kim",
        note="went well",
        idempotency_key="demo-1",
        expected_version=5,
    ),
    "leads.Lead.to_dict": lambda: m(S.lost_lead),
    "leads.Lead.from_dict": lambda: f(L.Lead.from_dict, S.lost_lead().to_dict()),
    "leads.Lead.facts": lambda: m(S.deciding_lead, dict(L.DEFAULT_STAGE_FACTS)),
    "leads.Lead.expected_value": lambda: m(S.deciding_lead, dict(L.DEFAULT_STAGE_FACTS)),
    "leads.Lead.time_in_stages": lambda: m(S.lost_lead, S.at(48)),
    "leads.Lead.stalled": lambda: m(S.deciding_lead, S.at(300), timedelta(days=5)),
    "leads.LeadCreated": ctor(lambda: S.new_lead().history[0]),
    "leads.LeadLifecycle": lambda: f(L.LeadLifecycle, start_value="interest"),
    "leads.LeadOutcome": ctor(S.lead_outcome),
    "leads.LeadQualified": ctor(lambda: S.qualified_lead().history[-1]),
    "leads.LeadStageChanged": ctor(lambda: S.lost_lead().history[-1]),
    "leads.Qualification": ctor(lambda: S.qualified_lead().qualification),
    "leads.StageFacts": lambda: f(L.StageFacts, Decimal("0.3"), L.ForecastCategory.BEST_CASE),
    "leads.StageTime": ctor(lambda: S.lost_lead().time_in_stages(S.at(48))[L.LeadStage.DECISION]),
    "leads.allowed_lead_events": lambda: f(
        L.allowed_lead_events, "lost", qualified=True, lost_from="decision"
    ),
    "leads.funnel_step": lambda: f(L.funnel_step, "interest"),
    "leads.journey_stage": lambda: f(L.journey_stage, "interest"),
    "leads.lead_event_from_dict": lambda: f(
        L.lead_event_from_dict, L.lead_event_to_dict(S.lost_lead().history[-1]), field="history[5]"
    ),
    "leads.lead_event_to_dict": lambda: f(L.lead_event_to_dict, S.lost_lead().history[-1]),
    "leads.next_stage": lambda: f(
        L.next_stage, "lost", "reactivate", qualified=True, lost_from="decision"
    ),
    "leads.replay_stage": lambda: f(L.replay_stage, ["advance", "advance", "lose"]),
    "leads.team_phase": lambda: f(L.team_phase, "decision"),
    # -- routing ---------------------------------------------------------
    "routing.Absence": lambda: f(R.Absence, S.at(-48), S.at(120), "parental leave"),
    "routing.Absence.covers": lambda: m(S.absence, S.at(1)),
    "routing.Assignment": ctor(S.assignment),
    "routing.BreachTally": ctor(lambda: S.report().breaches),
    "routing.BusinessProfile": ctor(S.business_profile),
    "routing.DeadlineResult": ctor(S.deadline_result),
    "routing.Decision": ctor(lambda: S.assignment().decision),
    "routing.Decision.why_not": lambda: m(lambda: S.assignment().decision, "quinn"),
    "routing.Decision.explain": lambda: m(lambda: S.assignment().decision),
    "routing.Decision.to_dict": lambda: m(lambda: S.assignment().decision),
    "routing.Dispatcher": lambda: f(R.Dispatcher, S.team(), R.LeastLoaded(), S.ledger()),
    "routing.Dispatcher.replace_team": lambda: m(S.dispatcher, S.small_team()),
    "routing.Dispatcher.release": lambda: m(S.dispatcher, "ria"),
    "routing.Dispatcher.credit_back": lambda: m(S.dispatcher, "ria"),
    "routing.Dispatcher.assign": lambda: m(
        S.dispatcher,
        "L-3",
        R.Role.CLOSER,
        at=S.at(3),
        account_owner="cleo",
        attributes={"country": "DE"},
        exclude=["ben"],
    ),
    "routing.Dispatcher.assign_many": lambda: m(
        S.dispatcher, [("L-3", R.Role.QUALIFIER, S.at(3)), ("L-4", "closer", S.at(4))]
    ),
    "routing.Dispatcher.details": lambda: _on_dispatcher("details"),
    "routing.Dispatcher.explain": lambda: _on_dispatcher("explain"),
    "routing.Handoff": ctor(lambda: S.handed().handoffs[0]),
    "routing.HandoffAccepted": ctor(lambda: S.ownership_events()["HandoffAccepted"]),
    "routing.HandoffExpired": ctor(lambda: S.ownership_events()["HandoffExpired"]),
    "routing.HandoffLifecycle": lambda: f(R.HandoffLifecycle, start_value="submitted"),
    "routing.HandoffRejected": ctor(lambda: S.ownership_events()["HandoffRejected"]),
    "routing.HandoffSubmitted": ctor(lambda: S.ownership_events()["HandoffSubmitted"]),
    "routing.HandoffTally": ctor(lambda: S.report().handoffs),
    "routing.HandoffWithdrawn": ctor(lambda: S.ownership_events()["HandoffWithdrawn"]),
    "routing.LeadStream": ctor(S.stream),
    "routing.LeadStream.generate": lambda: f(
        R.LeadStream.generate, S.shop_profile(), days=2, seed=7, start=date(2026, 3, 2)
    ),
    "routing.LeastLoaded": lambda: f(R.LeastLoaded, 3),
    "routing.Ledger": ctor(S.ledger),
    "routing.Ledger.tally": lambda: m(S.ledger, "quinn"),
    "routing.Ledger.load": lambda: m(S.ledger, "quinn"),
    "routing.Ledger.assigned": lambda: m(S.ledger, "quinn"),
    "routing.Ledger.role": lambda: m(S.ledger, "qualifier"),
    "routing.Ledger.with_load": lambda: m(S.ledger, "ria", 2),
    "routing.Ledger.release": lambda: m(S.ledger, "quinn"),
    "routing.Ledger.credit_back": lambda: m(lambda: S.assignment().ledger, "ria"),
    "routing.Ledger.to_dict": lambda: m(S.ledger),
    "routing.Ledger.from_dict": lambda: f(R.Ledger.from_dict, S.assignment().ledger.to_dict()),
    "routing.Move": ctor(S.move),
    "routing.Move.apply": lambda: m(
        S.move, S.move_target(), at=S.at(1), person="ava", actor="kim", idempotency_key="mv-1"
    ),
    "routing.Move.to_dict": lambda: m(S.move),
    "routing.Move.from_dict": lambda: f(R.Move.from_dict, S.move().to_dict(), field="moves[0]"),
    "routing.MoveApplied": ctor(lambda: S.move().apply(S.move_target(), at=S.at(1), person="ava")),
    "routing.Outcomes": ctor(lambda: S.report().outcomes),
    "routing.OwnerAssigned": ctor(lambda: S.ownership_events()["OwnerAssigned"]),
    "routing.Ownership": lambda: f(R.Ownership, S.accepted().history),
    "routing.Ownership.credited": lambda: m(S.accepted, "closer"),
    "routing.Ownership.start": lambda: f(
        R.Ownership.start,
        lead_id="L-100",
        role=R.Role.QUALIFIER,
        at=S.T0,
        person="quinn",
        actor="kim",
        note="inbound call",
        idempotency_key="start-1",
    ),
    "routing.Ownership.replay": lambda: f(R.Ownership.replay, S.accepted().history),
    "routing.Ownership.reassign": lambda: m(
        S.started, "quincy", at=S.at(1), note="holiday cover", **_OPTS, expected_version=1
    ),
    "routing.Ownership.transfer": lambda: m(
        S.started,
        R.Role.CLOSER,
        at=S.at(1),
        person="cleo",
        note="ready to buy",
        **_OPTS,
        expected_version=1,
    ),
    "routing.Ownership.hand_off": lambda: m(
        S.started,
        R.Role.CLOSER,
        at=S.at(1),
        to_person="cleo",
        expires_at=S.at(5),
        note="wants a demo",
        **_OPTS,
        expected_version=1,
    ),
    "routing.Ownership.accept": lambda: m(
        S.handed, at=S.at(2), person="cleo", **_OPTS, expected_version=2
    ),
    "routing.Ownership.reject": lambda: m(
        S.handed,
        R.RejectReason.MISSING_INFORMATION,
        at=S.at(2),
        note="no phone number",
        **_OPTS,
        expected_version=2,
    ),
    "routing.Ownership.expire": lambda: m(S.handed, at=S.at(6), **_OPTS, expected_version=2),
    "routing.Ownership.withdraw": lambda: m(
        S.handed, at=S.at(2), note="wrong role", **_OPTS, expected_version=2
    ),
    "routing.Ownership.to_dict": lambda: m(S.accepted),
    "routing.Ownership.from_dict": lambda: f(R.Ownership.from_dict, S.accepted().to_dict()),
    "routing.OwnershipOutcome": ctor(S.rejected_outcome),
    "routing.Person": lambda: f(
        R.Person,
        "ana",
        R.Role.CLOSER,
        active=True,
        weight=2,
        capacity=5,
        hours=S.office(),
        absences=[S.absence()],
        tags={"de"},
    ),
    "routing.Person.away_at": lambda: m(lambda: S.team().get("ben"), S.at(1)),
    "routing.Person.evolve": lambda: m(S.person, capacity=7, active=False),
    "routing.PersonLoad": ctor(lambda: S.report().people[0]),
    "routing.Reason": ctor(lambda: S.assignment().decision.why_not("quinn")),
    "routing.Reassignment": ctor(lambda: S.deadline_result().reassignments[0]),
    "routing.Recommendation": ctor(S.recommendation),
    "routing.RerouteReport": ctor(S.reroute_report),
    "routing.RerouteReport.to_dict": lambda: m(S.reroute_report),
    "routing.RerouteReport.from_dict": lambda: f(
        R.RerouteReport.from_dict, S.reroute_report().to_dict()
    ),
    "routing.RoleTally": ctor(lambda: S.assignment().ledger.role(R.Role.QUALIFIER)),
    "routing.RoundRobin": lambda: f(R.RoundRobin),
    "routing.Routed": lambda: f(R.Routed, *S.routed_records()[0]),
    "routing.Rule": lambda: f(
        R.Rule, "German-speaking", when={"country": {"DE", "AT"}}, tags={"de"}, then=R.LeastLoaded()
    ),
    "routing.Rule.matches": lambda: m(lambda: S.rules().rules[0], {"country": "AT"}),
    "routing.Rules": lambda: f(R.Rules, list(S.rules().rules)),
    "routing.Rules.match": lambda: m(S.rules, {"country": "AT"}),
    "routing.Shift": lambda: f(R.Shift, time(9, 0), time(17, 0)),
    "routing.Shift.parse": lambda: f(R.Shift.parse, "09:00-17:00"),
    "routing.ShopProfile": ctor(S.shop_profile),
    "routing.SimulationReport": ctor(S.report),
    "routing.SimulationReport.in_role": lambda: m(S.report, "closer"),
    "routing.SimulationReport.format": lambda: m(S.report),
    "routing.SimulationReport.to_dict": lambda: m(S.report),
    "routing.Sticky": lambda: f(R.Sticky, then=R.RoundRobin()),
    "routing.StreamLead": ctor(lambda: S.stream().leads[0]),
    "routing.Tally": lambda: f(R.Tally, load=2, assigned=5, last_turn=3, credit=1, owed=0),
    "routing.Team": lambda: f(R.Team, list(S.team().people)),
    "routing.Team.get": lambda: m(S.team, "cleo"),
    "routing.Team.in_role": lambda: m(S.team, "closer"),
    "routing.Team.with_person": lambda: m(S.team, R.Person("dee", R.Role.CLOSER)),
    "routing.Team.without": lambda: m(S.team, "ben"),
    "routing.Waiting": lambda: f(
        R.Waiting,
        "L-7",
        R.Role.CLOSER,
        "cleo",
        since=S.at(-72),
        hops=1,
        tried={"ben"},
        account_owner="cleo",
        attributes={"country": "DE"},
    ),
    "routing.Weighted": lambda: f(R.Weighted),
    "routing.WorkingHours": lambda: f(
        R.WorkingHours, "Europe/Berlin", {0: "09:00-17:00", 1: "09:00-12:00"}, [date(2026, 12, 24)]
    ),
    "routing.WorkingHours.office": lambda: f(
        R.WorkingHours.office,
        "Europe/Berlin",
        start=time(8, 0),
        end="16:30",
        days=[0, 1, 2, 3],
        holidays=[date(2026, 12, 24)],
    ),
    "routing.WorkingHours.always": lambda: f(R.WorkingHours.always),
    "routing.WorkingHours.is_working": lambda: m(S.office, S.at(1)),
    "routing.WorkingHours.window": lambda: m(S.office, S.at(1)),
    "routing.WorkingHours.next_start": lambda: m(S.office, S.at(10)),
    "routing.WorkingHours.add": lambda: m(S.office, S.at(1), timedelta(hours=10)),
    "routing.WorkingHours.between": lambda: m(S.office, S.at(1), S.at(60)),
    "routing.WorkingHours.to_dict": lambda: m(S.office),
    "routing.WorkingHours.from_dict": lambda: f(R.WorkingHours.from_dict, S.office().to_dict()),
    "routing.allowed_handoff_events": lambda: f(R.allowed_handoff_events, "submitted"),
    "routing.assign": lambda: f(
        R.assign,
        "L-2",
        R.Role.CLOSER,
        at=S.T0,
        team=S.team(),
        ledger=S.ledger(),
        strategy=S.rules(),
        account_owner="cleo",
        attributes={"country": "AT"},
        exclude=["ben"],
    ),
    "routing.compare_models": lambda: f(
        R.compare_models,
        [R.SalesModel.ONE_TIER, "three_tier"],
        strategy=R.LeastLoaded(),
        seed=3,
        teams={"one_tier": R.default_team("one_tier", people_per_role=1), "three_tier": S.small_team()},
        profile=S.shop_profile(),
        days=1,
        start=date(2026, 3, 2),
        deadline=timedelta(hours=3),
        max_hops=1,
        run_on=timedelta(days=2),
    ),
    "routing.default_team": lambda: f(
        R.default_team,
        "three_tier",
        people_per_role={"closer": 2, "qualifier": 1, "account_manager": 1},
        zone="Europe/Berlin",
        hours=S.office(),
        capacity=4,
    ),
    "routing.format_comparison": lambda: f(R.format_comparison, [S.report()]),
    "routing.model_diagram": lambda: f(R.model_diagram, "three_tier"),
    "routing.needs_handoff": lambda: f(
        R.needs_handoff, "three_tier", *S.routed_records()[2]
    ),
    "routing.next_handoff_status": lambda: f(
        R.next_handoff_status, "submitted", "accept", lead_id="L-100"
    ),
    "routing.owner": lambda: f(R.owner, "three_tier", "decision", "qualified"),
    "routing.owner_of": lambda: f(R.owner_of, "three_tier", S.deciding_lead()),
    "routing.ownership_event_from_dict": lambda: f(
        R.ownership_event_from_dict,
        R.ownership_event_to_dict(S.ownership_events()["HandoffRejected"]),
        field="history[2]",
    ),
    "routing.ownership_event_to_dict": lambda: f(
        R.ownership_event_to_dict, S.ownership_events()["HandoffRejected"]
    ),
    "routing.ownership_table": lambda: f(R.ownership_table),
    "routing.reassign_overdue": lambda: f(
        R.reassign_overdue,
        [S.waiting()],
        now=S.T0,
        deadline=timedelta(hours=2),
        team=S.team(),
        ledger=S.ledger(),
        strategy=R.RoundRobin(),
        max_hops=2,
        supervisors={R.Role.CLOSER: "head-of-sales"},
    ),
    "routing.recommend_model": lambda: f(R.recommend_model, S.business_profile()),
    "routing.reroute": lambda: f(
        R.reroute, "two_tier_contact_center", R.SalesModel.THREE_TIER, S.routed_records()
    ),
    "routing.simulate": lambda: f(
        R.simulate,
        "three_tier",
        R.LeastLoaded(),
        team=S.small_team(),
        seed=1,
        profile=S.shop_profile(),
        days=1,
        start=date(2026, 3, 2),
        deadline=timedelta(hours=3),
        max_hops=1,
        run_on=timedelta(days=2),
    ),
    # -- metrics results -------------------------------------------------
    "metrics.Amount": ctor(S.amount),
    "metrics.Amount.to_dict": lambda: m(S.amount),
    "metrics.Amount.from_dict": lambda: f(M.Amount.from_dict, S.amount().to_dict()),
    "metrics.Amount.require": lambda: m(S.amount),
    "metrics.Amount.rounded": lambda: m(S.amount, "ROUND_HALF_UP"),
    "metrics.Cohort": ctor(lambda: S.cohort_table().cohorts[0]),
    "metrics.CohortCell": ctor(lambda: S.cohort_table().cohorts[0].cells[0]),
    "metrics.CohortCell.to_dict": lambda: m(lambda: S.cohort_table().cohorts[0].cells[0]),
    "metrics.CohortTable": ctor(S.cohort_table),
    "metrics.CohortTable.cohort": lambda: m(S.cohort_table, "2026-03"),
    "metrics.CohortTable.cell": lambda: m(S.cohort_table, "2026-03", 1),
    "metrics.CohortTable.to_records": lambda: m(S.cohort_table),
    "metrics.CohortTable.format": lambda: m(S.cohort_table, 2, ROUND_DOWN),
    "metrics.CustomerSummaries": ctor(S.summaries),
    "metrics.CustomerSummaries.to_records": lambda: m(S.summaries),
    "metrics.CustomerSummary": ctor(lambda: S.summaries().customers[0]),
    "metrics.CustomerSummary.to_dict": lambda: m(lambda: S.summaries().customers[0]),
    "metrics.Durations": ctor(lambda: S.status_times().statuses[0]),
    "metrics.Durations.to_dict": lambda: m(lambda: S.status_times().statuses[0]),
    "metrics.Durations.require": lambda: m(lambda: S.status_times().statuses[0]),
    "metrics.EmailReport": ctor(S.mails),
    "metrics.EmailReport.get": lambda: m(S.mails, "shipped", None),
    "metrics.EmailReport.to_records": lambda: m(S.mails),
    "metrics.EmailReport.format": lambda: m(S.mails, 2, ROUND_DOWN),
    "metrics.EmailStats": ctor(lambda: S.mails().kinds[0]),
    "metrics.EmailStats.to_dict": lambda: m(lambda: S.mails().kinds[0]),
    "metrics.Funnel": ctor(S.shop_funnel),
    "metrics.Funnel.step": lambda: m(S.shop_funnel, "add_to_cart"),
    "metrics.Funnel.to_records": lambda: m(S.shop_funnel),
    "metrics.Funnel.format": lambda: m(S.shop_funnel, 2, ROUND_DOWN),
    "metrics.FunnelStepResult": ctor(lambda: S.shop_funnel().step("add_to_cart")),
    "metrics.FunnelStepResult.to_dict": lambda: m(lambda: S.shop_funnel().step("add_to_cart")),
    "metrics.GrowthRate": ctor(S.growth),
    "metrics.GrowthRate.require": lambda: m(S.growth),
    "metrics.GrowthRate.percent": lambda: m(S.growth, 2, ROUND_DOWN),
    "metrics.LeadStageTimes": ctor(S.stage_times),
    "metrics.LeadStageTimes.stage": lambda: m(S.stage_times, "interest"),
    "metrics.LeadStageTimes.to_records": lambda: m(S.stage_times),
    "metrics.LeadStageTimes.format": lambda: m(S.stage_times),
    "metrics.ManagerKPI": ctor(lambda: S.kpis().managers[0]),
    "metrics.ManagerKPI.to_dict": lambda: m(lambda: S.kpis().managers[0]),
    "metrics.ManagerKPIs": ctor(S.kpis),
    "metrics.ManagerKPIs.get": lambda: m(S.kpis, "ann", None),
    "metrics.ManagerKPIs.to_records": lambda: m(S.kpis),
    "metrics.ManagerKPIs.format": lambda: m(S.kpis, 2, ROUND_DOWN),
    "metrics.OrderRecord": ctor(lambda: M.OrderRecord.from_mapping(S.order_rows()[0])),
    "metrics.OrderRecord.to_dict": lambda: m(lambda: M.OrderRecord.from_mapping(S.order_rows()[0])),
    "metrics.OrderRecord.from_mapping": lambda: f(
        M.OrderRecord.from_mapping, S.order_rows()[0], index=3
    ),
    "metrics.OrderRecord.from_order": lambda: f(M.OrderRecord.from_order, S.delivered()),
    "metrics.PageStats": ctor(lambda: S.site().page("/")),
    "metrics.Ratio": ctor(S.ratio),
    "metrics.Ratio.to_dict": lambda: m(S.ratio),
    "metrics.Ratio.from_dict": lambda: f(M.Ratio.from_dict, S.ratio().to_dict()),
    "metrics.Ratio.require": lambda: m(S.ratio),
    "metrics.Ratio.percent": lambda: m(S.ratio, 2, ROUND_DOWN),
    "metrics.SalesCycle": ctor(S.cycle),
    "metrics.SalesCycle.require": lambda: m(S.cycle),
    "metrics.Score": ctor(S.score),
    "metrics.Score.to_dict": lambda: m(S.score),
    "metrics.Score.from_dict": lambda: f(M.Score.from_dict, S.score().to_dict()),
    "metrics.Score.require": lambda: m(S.score),
    "metrics.Score.rounded": lambda: m(S.score, 2, ROUND_DOWN),
    "metrics.Score.text": lambda: m(S.score, 2, ROUND_DOWN),
    "metrics.SiteEngagement": ctor(S.site),
    "metrics.SiteEngagement.page": lambda: m(S.site, "/mugs"),
    "metrics.SiteEngagement.format": lambda: m(S.site, 2, ROUND_DOWN),
    "metrics.StageDuration": ctor(lambda: S.stage_times().stages[0]),
    "metrics.StageDuration.to_dict": lambda: m(lambda: S.stage_times().stages[0]),
    "metrics.StatusTimes": ctor(S.status_times),
    "metrics.StatusTimes.get": lambda: m(S.status_times, "processing", None),
    "metrics.StatusTimes.to_records": lambda: m(S.status_times),
    "metrics.StatusTimes.format": lambda: m(S.status_times),
    # -- metrics functions -------------------------------------------------
    "metrics.average_order_value": lambda: f(
        M.average_order_value,
        S.order_rows(),
        basis="gross",
        include_cancelled=True,
        period=S.march(),
        now=S.NOW,
        currency="EUR",
        on_empty="raise",
    ),
    "metrics.average_time_on_site": lambda: f(
        M.average_time_on_site, S.view_rows(), on_empty="raise"
    ),
    "metrics.bounce_rate": lambda: f(
        M.bounce_rate,
        S.view_rows(),
        variant="engaged",
        engaged_after=timedelta(seconds=20),
        on_empty="raise",
    ),
    "metrics.cancellation_rate": lambda: f(
        M.cancellation_rate, [S.delivered(), S.cancelled()], period=None, now=S.at(100)
    ),
    "metrics.churn_clv": lambda: f(
        M.churn_clv,
        arpu=Money("100", "USD"),
        churn_rate=Decimal("0.05"),
        margin=Decimal("0.8"),
        on_empty="raise",
    ),
    "metrics.churn_rate": lambda: f(
        M.churn_rate, customers_at_start=500, customers_lost=70, on_empty="raise"
    ),
    "metrics.churn_rate_average_customers": lambda: f(
        M.churn_rate_average_customers,
        customers_at_start=500,
        customers_at_end=480,
        customers_lost=70,
        on_empty="raise",
    ),
    "metrics.churn_rate_customer_days": lambda: f(
        M.churn_rate_customer_days, customers_lost=3, customer_days=1500, days=30, on_empty="raise"
    ),
    "metrics.churn_rate_from_ids": lambda: f(
        M.churn_rate_from_ids, at_start=["a", "b", "c"], at_end=["a", "d"], on_empty="raise"
    ),
    "metrics.cohort_retention": lambda: f(
        M.cohort_retention, S.order_rows(), zone="Europe/Berlin", now=S.NOW
    ),
    "metrics.compound_monthly_growth_rate": lambda: f(
        M.compound_monthly_growth_rate, S.revenue(), places=12, on_empty="raise"
    ),
    "metrics.conversion_rate": lambda: f(
        M.conversion_rate, conversions=30, visitors=1200, on_empty="raise"
    ),
    "metrics.conversion_rate_from_ids": lambda: f(
        M.conversion_rate_from_ids, visitors=["a", "b", "c"], converted=["b"], on_empty="raise"
    ),
    "metrics.csat": lambda: f(
        M.csat, [7, 6, 2, 5], scale=(1, 7), satisfied_from=6, on_empty="raise"
    ),
    "metrics.csat_from_counts": lambda: f(
        M.csat_from_counts, {5: 10, 4: 20, 3: 10}, scale=(1, 5), satisfied_from=4, on_empty="raise"
    ),
    "metrics.csat_mean": lambda: f(M.csat_mean, [5, 4, 3], scale=(1, 5), on_empty="raise"),
    "metrics.customer_acquisition_cost": lambda: f(
        M.customer_acquisition_cost,
        sales_spend=Money("6000", "EUR"),
        marketing_spend=Money("3000", "EUR"),
        overhead_spend=Money("1000", "EUR"),
        new_customers=40,
        on_empty="raise",
    ),
    "metrics.customer_summary": lambda: f(
        M.customer_summary, S.order_rows(), now=S.NOW, zone="Europe/Berlin", basis="gross"
    ),
    "metrics.delay_rate": lambda: f(
        M.delay_rate, [S.delivered(), S.cancelled()], period=None, now=S.at(100), on_empty="raise"
    ),
    "metrics.demo_after_intro_call_rate": lambda: f(
        M.demo_after_intro_call_rate, [S.deciding_lead()], on_empty="raise"
    ),
    "metrics.email_click_rate": lambda: f(
        M.email_click_rate, S.mail_rows(), kind="shipped", on_empty="raise"
    ),
    "metrics.email_click_to_open_rate": lambda: f(
        M.email_click_to_open_rate, S.mail_rows(), kind="shipped", on_empty="raise"
    ),
    "metrics.email_engagement": lambda: f(M.email_engagement, S.mail_rows(), on_empty="raise"),
    "metrics.email_open_rate": lambda: f(
        M.email_open_rate, S.mail_rows(), kind="shipped", on_empty="raise"
    ),
    "metrics.exit_rates": lambda: f(M.exit_rates, S.view_rows(), on_empty="raise"),
    "metrics.funnel": lambda: f(
        M.funnel,
        S.funnel_rows(),
        window=timedelta(days=30),
        steps=("visit", "product_view", "add_to_cart"),
        other_steps="skip",
        on_empty="raise",
    ),
    "metrics.historical_clv": lambda: f(
        M.historical_clv,
        average_order_value=Money("50", "EUR"),
        purchase_frequency=4,
        lifespan=3,
        lifespan_unit="years",
        margin=Decimal("0.3"),
        on_empty="raise",
    ),
    "metrics.lead_conversion_rate": lambda: f(
        M.lead_conversion_rate,
        S.lead_rows(),
        denominator="qualified",
        period=S.march(),
        now=S.NOW,
        on_empty="raise",
    ),
    "metrics.lost_after_demo_rate": lambda: f(
        M.lost_after_demo_rate, [S.demo_lead()], on_empty="raise"
    ),
    "metrics.manager_kpis": lambda: f(
        M.manager_kpis,
        S.deal_rows(),
        activities=S.activity_rows(),
        surveys=S.survey_rows(),
        period=S.march(),
        now=S.NOW,
        currency="EUR",
        csat_scale=(1, 5),
    ),
    "metrics.month_over_month_growth": lambda: f(
        M.month_over_month_growth, S.revenue(), on_empty="raise"
    ),
    "metrics.monthly_revenue": lambda: f(
        M.monthly_revenue, S.order_rows(), zone="Europe/Berlin", basis="gross"
    ),
    "metrics.nps": lambda: f(M.nps, [10, 9, 8, 3], on_empty="raise"),
    "metrics.nps_from_counts": lambda: f(
        M.nps_from_counts, promoters=30, passives=50, detractors=20, on_empty="raise"
    ),
    "metrics.on_time_delivery_rate": lambda: f(
        M.on_time_delivery_rate,
        [S.delivered(), S.cancelled()],
        zone="Europe/Berlin",
        period=None,
        now=S.at(100),
        on_empty="raise",
    ),
    "metrics.order_status_request_share": lambda: f(
        M.order_status_request_share,
        S.request_rows(),
        topics={"order_status"},
        period=S.march(),
        now=S.NOW,
        on_empty="raise",
    ),
    "metrics.pages_per_session": lambda: f(M.pages_per_session, S.view_rows(), on_empty="raise"),
    "metrics.purchase_frequency": lambda: f(
        M.purchase_frequency, {"a": 2, "b": 1, "c": 1}, on_empty="raise"
    ),
    "metrics.purchase_frequency_from_counts": lambda: f(
        M.purchase_frequency_from_counts, orders=12, customers=5, on_empty="raise"
    ),
    "metrics.repeat_purchase_rate": lambda: f(
        M.repeat_purchase_rate, ["a", "b", "a"], on_empty="raise"
    ),
    "metrics.repeat_purchase_rate_from_counts": lambda: f(
        M.repeat_purchase_rate_from_counts, repeat_customers=2, customers=5, on_empty="raise"
    ),
    "metrics.result_from_dict": lambda: f(M.result_from_dict, S.ratio().to_dict()),
    "metrics.retention_rate": lambda: f(
        M.retention_rate,
        customers_at_start=500,
        new_customers=50,
        customers_at_end=480,
        on_empty="raise",
    ),
    "metrics.retention_rate_from_ids": lambda: f(
        M.retention_rate_from_ids, at_start=["a", "b"], at_end=["a", "c"], on_empty="raise"
    ),
    "metrics.sales_cycle_length": lambda: f(
        M.sales_cycle_length, S.lead_rows(), period=S.march(), now=S.NOW, on_empty="raise"
    ),
    "metrics.site_engagement": lambda: f(
        M.site_engagement, S.view_rows(), engaged_after=timedelta(seconds=20), on_empty="raise"
    ),
    "metrics.slowest_lead_stage": lambda: f(M.slowest_lead_stage, [S.won_lead()], now=S.at(100)),
    "metrics.time_in_lead_stages": lambda: f(
        M.time_in_lead_stages, [S.won_lead()], now=S.at(100), on_empty="raise"
    ),
    "metrics.time_in_status": lambda: f(
        M.time_in_status, [S.delivered(), S.cancelled()], now=S.at(100), period=None
    ),
}

# The nine notification kinds share one shape: one entry each, built from a real notice.
for _kind in (
    "CancelledNotice",
    "DelayedNotice",
    "DeliveredNotice",
    "InTransitNotice",
    "PackedNotice",
    "PickingNotice",
    "ProcessingNotice",
    "ReceivedNotice",
    "ShippedNotice",
):
    REGISTRY[f"orders.{_kind}"] = ctor(lambda _k=_kind: S.notifications()[_k])
    REGISTRY[f"orders.{_kind}.to_dict"] = (lambda _k=_kind: m(lambda: S.notifications()[_k]))
REGISTRY["orders.Notification"] = lambda: Call(
    target=O.Notification,
    kwargs={
        "order_number": "1001",
        "customer_name": "Ada",
        "support": S.support(),
        "at": S.T0,
        "estimated_delivery": S.ETA,
        "resumed": False,
    },
)


def _on_dispatcher(method: str) -> Call:
    """A call of ``Dispatcher.<method>(decision)`` with a decision the dispatcher made."""
    made = S.dispatcher()
    decision = made.assign("L-9", R.Role.QUALIFIER, at=S.at(9))
    return Call(receiver=lambda: made, args=(decision,))


ENUMS_AND_CONSTANTS_NOTE = """
Enums are covered by calling each with every bad value (an unknown value is a
ValueError, the standard enum contract); constants and type aliases are listed
by the surface and need no call.
"""
