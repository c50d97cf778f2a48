"""Real, valid objects of every public type, built the way the docs build them.

Each builder is cached: the values are immutable (the aggregates return new
objects from their commands), so one copy serves every call. The stateful
``Dispatcher`` is the exception and is built fresh by :func:`dispatcher`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from salesflow import Money, Period
from salesflow.leads import ActivityKind, Lead, LeadSource, LeadStage, LostReason
from salesflow.metrics import (
    average_order_value,
    cohort_retention,
    csat,
    customer_summary,
    email_engagement,
    funnel,
    manager_kpis,
    retention_rate,
    revenue_growth,
    sales_cycle_length,
    site_engagement,
    time_in_lead_stages,
    time_in_status,
)
from salesflow.metrics.growth import MonthlyRevenue
from salesflow.orders import (
    CarrierUpdate,
    Customer,
    Order,
    OrderLine,
    ProcessingStep,
    SupportContact,
    apply_carrier_update,
)
from salesflow.routing import (
    Absence,
    AssignmentLedger,
    Dispatcher,
    LeastLoaded,
    Ownership,
    Person,
    RejectReason,
    Role,
    RoundRobin,
    Rules,
    SalesModel,
    ShopProfile,
    Team,
    WorkingHours,
    assign,
    reassign_overdue,
    recommend_model,
    reroute,
    simulate,
)
from salesflow.routing.deadlines import WaitingLead
from salesflow.routing.recommender import Recommendation, Thresholds
from salesflow.routing.strategies import Rule
from salesflow.routing.stream import LeadStream

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ETA = date(2026, 11, 27)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# -- orders ------------------------------------------------------------------


def customer() -> Customer:
    return Customer("cust-1", "Ada")


def line() -> OrderLine:
    return OrderLine("MUG-1", "Blue mug", 2, Money("8.50", "EUR"))


def support() -> SupportContact:
    return SupportContact(email="help@shop.example", phone="+49 30 1234")


def place_kwargs() -> dict[str, Any]:
    return {
        "number": "1001",
        "customer": customer(),
        "lines": [line(), OrderLine("TEA-1", "Earl Grey", 1, Money("4.00", "EUR"))],
        "estimated_delivery": ETA,
        "support": support(),
        "at": T0,
    }


@cache
def placed() -> Order:
    return Order.place(**place_kwargs()).order


@cache
def processing() -> Order:
    return placed().process(step=ProcessingStep.STOCK_CHECK, at=at(1), idempotency_key="p1").order


@cache
def picking() -> Order:
    return processing().pick(at=at(2)).order


@cache
def packed() -> Order:
    return picking().pack(at=at(3)).order


@cache
def shipped() -> Order:
    return packed().ship(carrier="DHL", tracking_number="JD01", at=at(4)).order


@cache
def in_transit() -> Order:
    return shipped().transit(location="Leipzig hub", at=at(5)).order


@cache
def delayed() -> Order:
    return in_transit().delay(reason="storm", estimated_delivery=date(2026, 11, 30), at=at(6)).order


@cache
def resumed() -> Order:
    return delayed().resume(at=at(7)).order


@cache
def delivered() -> Order:
    return resumed().deliver(at=at(8), proof="signed by Ada").order


@cache
def cancelled() -> Order:
    return processing().cancel(reason="ordered twice", at=at(2)).order


@cache
def notifications() -> dict[str, Any]:
    """One notification of every kind, keyed by its status."""
    found: dict[str, Any] = {}
    for outcome in (
        Order.place(**place_kwargs()),
        placed().process(step=ProcessingStep.STOCK_CHECK, at=at(1)),
        processing().pick(at=at(2)),
        picking().pack(at=at(3)),
        packed().ship(carrier="DHL", tracking_number="JD01", at=at(4)),
        shipped().transit(location="Leipzig hub", at=at(5)),
        in_transit().delay(reason="storm", estimated_delivery=date(2026, 11, 30), at=at(6)),
        delayed().resume(at=at(7)),
        resumed().deliver(at=at(8)),
        processing().cancel(reason="ordered twice", at=at(2)),
    ):
        found.setdefault(type(outcome.notification).__name__, outcome.notification)
    return found


def place_body() -> dict[str, Any]:
    """The JSON body of a placement command (salesflow.Command), as place_kwargs() places."""
    kwargs = place_kwargs()
    return {
        "aggregate": "order",
        "command": "place",
        "number": kwargs["number"],
        "customer": kwargs["customer"].to_dict(),
        "lines": [line.to_dict() for line in kwargs["lines"]],
        "estimated_delivery": kwargs["estimated_delivery"].isoformat(),
        "support": kwargs["support"].to_dict(),
        "at": kwargs["at"].isoformat(),
    }


def carrier_update() -> CarrierUpdate:
    return CarrierUpdate(
        vocabulary="aftership",
        code="InTransit",
        tracking_number="JD01",
        at=at(5),
        location="Leipzig hub",
    )


@cache
def carrier_result() -> Any:
    return apply_carrier_update(shipped(), carrier_update())


# -- leads -------------------------------------------------------------------


@cache
def new_lead() -> Lead:
    return Lead.create(
        lead_id="L-7", source=LeadSource.INBOUND, at=at(0), deal_value=Money("2400", "EUR")
    ).lead


@cache
def interested_lead() -> Lead:
    lead = new_lead().log_activity(kind=ActivityKind.INTRO_CALL, at=at(1), actor="kim").lead
    return lead.advance(at=at(1), actor="kim").lead


@cache
def qualified_lead() -> Lead:
    return interested_lead().qualify(at=at(2), actor="kim").lead


@cache
def deciding_lead() -> Lead:
    return qualified_lead().fast_track(at=at(2), actor="kim").lead


@cache
def lost_lead() -> Lead:
    return (
        deciding_lead()
        .lose(reason=LostReason.SEASONAL, at=at(30), come_back_on=date(2027, 3, 1), note="winter")
        .lead
    )


@cache
def won_lead() -> Lead:
    return deciding_lead().win(at=at(40)).lead


@cache
def demo_lead() -> Lead:
    lead = Lead.create(lead_id="D-1", source=LeadSource.OUTBOUND, at=at(0)).lead
    lead = lead.log_activity(kind=ActivityKind.INTRO_CALL, at=at(1)).lead
    lead = lead.log_activity(kind=ActivityKind.DEMO, at=at(24)).lead
    return lead.lose(reason=LostReason.COMPETITOR, at=at(48)).lead


@cache
def lead_outcome() -> Any:
    return interested_lead().qualify(at=at(2), actor="kim")


# -- routing -----------------------------------------------------------------


@cache
def started() -> Ownership:
    return Ownership.start(lead_id="L-100", role=Role.QUALIFIER, person="quinn", at=T0).ownership


@cache
def handed() -> Ownership:
    return (
        started()
        .hand_off(to_role=Role.CLOSER, to_person="cleo", at=at(1), expires_at=at(5))
        .ownership
    )


@cache
def accepted() -> Ownership:
    return handed().accept(at=at(2)).ownership


@cache
def rejected_outcome() -> Any:
    return handed().reject(reason=RejectReason.MISSING_INFORMATION, note="no phone", at=at(2))


@cache
def ownership_events() -> dict[str, Any]:
    """One ownership event of every kind, keyed by its class name."""
    outcomes = [
        Ownership.start(lead_id="L-100", role=Role.QUALIFIER, person="quinn", at=T0),
        started().hand_off(to_role=Role.CLOSER, to_person="cleo", at=at(1), expires_at=at(5)),
        handed().accept(at=at(2)),
        rejected_outcome(),
        handed().expire(at=at(6)),
        handed().withdraw(at=at(2), note="wrong role"),
        started().reassign(person="quincy", at=at(1)),
    ]
    return {type(outcome.event).__name__: outcome.event for outcome in outcomes}


@cache
def team() -> Team:
    return Team(
        [
            Person("quinn", Role.QUALIFIER),
            Person("ria", Role.QUALIFIER, weight=2),
            Person("cleo", Role.CLOSER, capacity=5, hours=WorkingHours.office("Europe/Berlin")),
            Person(
                "ben",
                Role.CLOSER,
                tags={"de"},
                absences=[Absence(at(-48), at(120), "parental leave")],
            ),
            Person("ava", Role.ACCOUNT_MANAGER),
        ]
    )


def person() -> Person:
    return team().get("cleo")


def absence() -> Absence:
    return Absence(at(-48), at(120), "parental leave")


@cache
def ledger() -> AssignmentLedger:
    return AssignmentLedger().with_load("quinn", 3).with_load("cleo", 1)


def rules() -> Rules:
    return Rules(
        [
            Rule(
                "German-speaking", when={"country": {"DE", "AT"}}, tags={"de"}, then=LeastLoaded()
            ),
            Rule("everyone else", then=RoundRobin()),
        ]
    )


@cache
def assignment() -> Any:
    return assign(
        "L-1", Role.QUALIFIER, at=T0, team=team(), ledger=ledger(), strategy=LeastLoaded()
    )


def dispatcher() -> Dispatcher:
    """A fresh dispatcher that has already made two decisions (it is stateful)."""
    made = Dispatcher(team(), LeastLoaded(), ledger())
    made.assign("L-1", Role.QUALIFIER, at=at(1))
    made.assign("L-2", Role.CLOSER, at=at(2))
    return made


def office() -> WorkingHours:
    return WorkingHours.office("Europe/Berlin", holidays=[date(2026, 12, 24)])


def waiting() -> WaitingLead:
    return WaitingLead("L-7", Role.CLOSER, "cleo", since=at(-72))


@cache
def deadline_result() -> Any:
    return reassign_overdue(
        [waiting(), WaitingLead("L-8", Role.CLOSER, "ben", since=at(-72), hops=2, tried={"cleo"})],
        now=T0,
        deadline=timedelta(hours=2),
        team=team(),
        ledger=ledger(),
        strategy=RoundRobin(),
        supervisors={Role.CLOSER: "head-of-sales"},
    )


def shop_profile() -> ShopProfile:
    return ShopProfile(
        monthly_inbound_leads=40,
        share_not_ready_or_not_target="0.2",
        seasonal_peak_ratio="1.1",
        deals_per_month=12,
        sales_cycle_days=5,
        repeat_revenue_share="0.1",
        average_deal_value=Money("25000", "EUR"),
        leads_per_day=4,
        zone="Europe/Berlin",
    )


def thresholds() -> Thresholds:
    return Thresholds(expensive_deal=Money("10000", "EUR"), few_deals=12)


def recommendation() -> Recommendation:
    return recommend_model(shop_profile(), thresholds=thresholds())


@cache
def stream() -> LeadStream:
    return LeadStream.generate(shop_profile(), days=2, seed=7)


@cache
def report() -> Any:
    return simulate(
        SalesModel.THREE_TIER, LeastLoaded(), team=small_team(), seed=1, stream=stream()
    )


@cache
def small_team() -> Team:
    return Team(
        [
            Person("quinn", Role.QUALIFIER),
            Person("cleo", Role.CLOSER),
            Person("ava", Role.ACCOUNT_MANAGER),
        ]
    )


@cache
def routed_records() -> list[tuple[Lead, Ownership]]:
    def pair(lead_id: str, role: Role, person: str, *steps: str) -> tuple[Lead, Ownership]:
        lead = Lead.create(lead_id=lead_id, source="inbound", at=T0).lead
        for step in steps:
            lead = getattr(lead, step)(at=T0).lead
        record = Ownership.start(lead_id=lead_id, role=role, person=person, at=T0).ownership
        return lead, record

    return [
        pair("L-3", Role.CLOSER, "cleo", "qualify", "fast_track", "win"),
        pair("L-1", Role.QUALIFIER, "quinn"),
        pair("L-2", Role.CLOSER, "cleo", "qualify", "fast_track"),
    ]


@cache
def reroute_report() -> Any:
    return reroute(SalesModel.TWO_TIER_CONTACT_CENTER, SalesModel.THREE_TIER, routed_records())


def move() -> Any:
    return reroute_report().moves[0]


def move_target() -> Ownership:
    return routed_records()[0][1]


# -- metrics -----------------------------------------------------------------

PLACED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)


def ratio() -> Any:
    return retention_rate(customers_at_start=500, new_customers=50, customers_at_end=480)


def score() -> Any:
    return csat([5, 4, 4, 3, 1], variant="mean")


def order_rows() -> list[dict[str, Any]]:
    return [
        {"order_id": "1001", "customer_id": "ada", "placed_at": PLACED, "amount": "40.00",
         "discount": "5.00", "currency": "EUR"},
        {"order_id": "1002", "customer_id": "bob", "placed_at": PLACED + timedelta(days=3),
         "amount": "20.00", "currency": "EUR", "status": "delivered"},
        {"order_id": "1003", "customer_id": "ada", "placed_at": PLACED + timedelta(days=30),
         "amount": "30.00", "currency": "EUR"},
    ]  # fmt: skip


def amount() -> Any:
    return average_order_value(order_rows())


def revenue() -> dict[Any, Money]:
    return {
        (2026, 1): Money("1000", "EUR"),
        (2026, 2): Money("1200", "EUR"),
        (2026, 3): Money("900", "EUR"),
    }


def growth() -> Any:
    return revenue_growth(revenue(), variant="compound_monthly")


def monthly() -> Any:
    return MonthlyRevenue(revenue())


@cache
def cohort_table() -> Any:
    return cohort_retention(order_rows(), zone="Europe/Berlin", now=NOW)


@cache
def summaries() -> Any:
    return customer_summary(order_rows(), now=NOW, zone="Europe/Berlin")


def funnel_rows() -> list[dict[str, Any]]:
    gap = timedelta(minutes=3)
    steps = ("visit", "product_view", "add_to_cart", "checkout", "order_form", "purchase")
    rows = [{"person_id": "ada", "step": s, "at": T0 + n * gap} for n, s in enumerate(steps)]
    rows += [{"person_id": "bob", "step": s, "at": T0 + n * gap} for n, s in enumerate(steps[:3])]
    return rows


@cache
def shop_funnel() -> Any:
    return funnel(funnel_rows(), window=timedelta(days=30))


@cache
def lead_funnel() -> Any:
    return funnel([lost_lead(), demo_lead()], window=None)


@cache
def stage_times() -> Any:
    return time_in_lead_stages([won_lead()], now=at(100))


@cache
def status_times() -> Any:
    return time_in_status([delivered(), cancelled()], now=at(100))


def lead_rows() -> list[dict[str, Any]]:
    def day(n: int) -> datetime:
        return datetime(2026, 3, n, tzinfo=UTC)

    return [
        {"lead_id": "a", "created_at": day(1), "won_at": day(11), "qualified": True},
        {"lead_id": "b", "created_at": day(2), "won_at": day(22), "qualified": True},
        {"lead_id": "d", "created_at": day(3), "won_at": None, "qualified": True},
    ]


@cache
def cycle() -> Any:
    return sales_cycle_length(lead_rows())


def deal_rows() -> list[dict[str, Any]]:
    day1, day5 = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)
    return [
        {"lead_id": 1, "manager": "ann", "created_at": day1, "won_at": day5, "revenue": "1200",
         "cost": "700", "currency": "EUR"},
        {"lead_id": 2, "manager": "ann", "created_at": day1, "won_at": None},
        {"lead_id": 4, "manager": "bob", "created_at": day1, "won_at": day5, "revenue": "300",
         "currency": "EUR"},
    ]  # fmt: skip


def activity_rows() -> list[dict[str, Any]]:
    return [{"manager": "ann", "kind": "demo", "at": datetime(2026, 3, 2, tzinfo=UTC)}]


def survey_rows() -> list[dict[str, Any]]:
    return [{"lead_id": 1, "score": 5, "at": datetime(2026, 3, 6, tzinfo=UTC)}]


@cache
def kpis() -> Any:
    return manager_kpis(deal_rows(), activities=activity_rows(), surveys=survey_rows())


def view_rows() -> list[dict[str, Any]]:
    s = timedelta(seconds=1)
    return [
        {"session_id": 1, "page": "/", "at": T0},
        {"session_id": 1, "page": "/mugs", "at": T0 + 40 * s},
        {"session_id": 2, "page": "/", "at": T0, "left_at": T0 + 25 * s},
        {"session_id": 3, "page": "/mugs", "at": T0, "converted": True},
    ]


@cache
def site() -> Any:
    return site_engagement(view_rows())


def mail_rows() -> list[dict[str, Any]]:
    later = T0 + timedelta(hours=2)
    return [
        {"message_id": 1, "kind": "shipped", "delivered_at": T0, "opened_at": later,
         "clicked_at": later},
        {"message_id": 2, "kind": "shipped", "delivered_at": T0, "opened_at": None,
         "clicked_at": None},
        {"message_id": 3, "kind": "delayed", "delivered_at": T0, "opened_at": later,
         "clicked_at": None},
    ]  # fmt: skip


@cache
def mails() -> Any:
    return email_engagement(mail_rows())


def request_rows() -> list[dict[str, Any]]:
    return [
        {"request_id": 1, "topic": "order_status", "at": PLACED},
        {"request_id": 2, "topic": "returns", "at": PLACED},
    ]


def march() -> Period:
    return Period.month(2026, 3, "Europe/Berlin")


def stage_facts() -> Any:
    return deciding_lead().facts()


def lead_stage() -> LeadStage:
    return LeadStage.DECISION


def high_precision() -> Decimal:
    return Decimal("0.3")
