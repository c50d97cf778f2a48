"""One trading day of a mid-sized online shop, run end to end on salesflow.

Kaffeekontor sells coffee, grinders and espresso machines from Berlin, to homes
and to offices. This script simulates Tuesday 24 November 2026, the week of
Black Friday:

- a few thousand leads arrive: inbound (web chat, calls, forms; some at night)
  and outbound (offices the team prospects); some are not target, some are not
  ready to buy, some give up when nobody answers in time;
- the sales department works them under one of the four sales models
  (``salesflow.routing``): people in their own time zones and working hours,
  a few of them away, assigned by a ``Dispatcher``, owning each lead through an
  ``Ownership`` record, handing leads between roles (accepted, rejected back,
  expired) against a response deadline counted in working hours;
- each lead is a real ``Lead`` (``salesflow.leads``): intro calls, demos and
  proposals, qualification, fast track or step by step, lost with a structured
  reason, won, and sometimes bought again;
- each sale becomes a real ``Order`` (``salesflow.orders``) that goes through
  the nine statuses: cancellations, delays with new dates, carrier webhooks in
  three vocabularies (AfterShip, EasyPost, Shopify) that arrive late, twice or
  out of order, and every customer notification that comes out of it;
- the day's leads and orders are followed until they settle (a sale, a
  delivery and a repeat purchase take days), and the report at the end is what
  a sales director reads: the funnel, retention and churn against a seeded
  year of earlier orders, AOV and CLV, cancellation and delay rates, the
  notifications, per-manager KPIs and the load per person
  (``salesflow.metrics``).

Run it from a checkout, after the README's first command (which makes ``.venv``)::

    .venv/bin/python examples/shop_day.py                   # the model the recommender picks
    .venv/bin/python examples/shop_day.py --model one_tier  # or any of the four
    .venv/bin/python examples/shop_day.py --compare         # the four models, one table
    .venv/bin/python examples/shop_day.py --seed 8 --leads 500 --no-progress

The script plays the host application: it owns the clock, the random draws
and the storage; salesflow decides. Everything is seeded, so the same seed
and flags print byte for byte the same report; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import random
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from salesflow import Money, Period
from salesflow.leads import ActivityKind, Lead, LeadSource, LeadStage, LostReason
from salesflow.metrics import (
    average_order_value,
    cancellation_rate,
    churn_rate,
    clv,
    cohort_retention,
    customer_summary,
    delay_rate,
    funnel,
    lead_conversion_rate,
    manager_kpis,
    monthly_revenue,
    on_time_delivery_rate,
    purchase_frequency,
    repeat_purchase_rate,
    retention_rate,
    sales_cycle_length,
    time_in_status,
)
from salesflow.orders import (
    CarrierUpdate,
    Customer,
    Notification,
    Order,
    OrderLine,
    OrderStatus,
    ProcessingStep,
    SupportContact,
    apply_carrier_update,
)
from salesflow.orders.carriers import CarrierResult, IgnoredReason
from salesflow.orders.order import OrderOutcome
from salesflow.routing import (
    Absence,
    Dispatcher,
    LeastLoaded,
    Ownership,
    Person,
    RejectReason,
    Role,
    SalesModel,
    ShopProfile,
    Team,
    WorkingHours,
    needs_handoff,
    recommend_model,
)
from salesflow.routing.assignment import Decision
from salesflow.routing.models import owner_of
from salesflow.routing.recommender import Recommendation, RuleVerdict

# -- the shop ------------------------------------------------------------------------

SHOP = "Kaffeekontor"
DAY = date(2026, 11, 24)  # a Tuesday, the week of Black Friday
BERLIN = ZoneInfo("Europe/Berlin")
ZONE = "Europe/Berlin"
DAY_START = datetime.combine(DAY, time(0), BERLIN).astimezone(UTC)
DAY_END = DAY_START + timedelta(days=1)
FOLLOW_FOR = timedelta(days=28)  # how long the day's leads and orders are followed
CURRENCY = "EUR"
SUPPORT = SupportContact(email="hilfe@kaffeekontor.example", phone="+49 30 901820")
GROSS_MARGIN = Decimal("0.35")
WORKING_DAYS_A_MONTH = 21
SALES_CYCLE_DAYS = 4  # lead to paying customer on average, from the shop's CRM

# (sku, name, price): beans and small things for homes, machines for homes and offices.
CATALOG = {
    "BEAN-ESP": ("Espresso beans, 1 kg", "24.90"),
    "BEAN-FIL": ("Filter coffee, 500 g", "12.50"),
    "BEAN-DEC": ("Decaf beans, 500 g", "13.90"),
    "TEA-SEN": ("Sencha, 100 g", "9.90"),
    "ACC-JUG": ("Milk jug, 350 ml", "14.90"),
    "ACC-TAMP": ("Tamper, 58 mm", "29.00"),
    "GRD-HAND": ("Hand grinder", "79.00"),
    "GRD-BURR": ("Burr grinder", "189.00"),
    "MCH-HOME": ("Home espresso machine", "649.00"),
    "MCH-DUAL": ("Dual-boiler espresso machine", "1490.00"),
    "MCH-OFFICE": ("Office bean-to-cup machine", "2890.00"),
}
SMALL_ITEMS = ("BEAN-ESP", "BEAN-FIL", "BEAN-DEC", "TEA-SEN", "ACC-JUG", "ACC-TAMP", "GRD-HAND")
HOME_MACHINES = ("GRD-BURR", "MCH-HOME", "MCH-DUAL")
MACHINES = frozenset({"MCH-HOME", "MCH-DUAL", "MCH-OFFICE"})

# Arrivals per local hour, 00 to 23: web leads come day and night, prospecting in office hours.
WEB_HOURS = (1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 8, 8, 9, 9, 8, 8, 9, 10, 10, 8, 5, 2)
OFFICE_HOURS = (0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 9, 9, 6, 7, 9, 9, 7, 4, 0, 0, 0, 0, 0, 0)

FIRST_NAMES = (
    "Lena", "Jonas", "Mia", "Felix", "Emma", "Paul", "Hannah", "Leon", "Sofia", "Noah",
    "Clara", "Elias", "Marie", "Ben", "Lea", "Finn", "Amira", "Luca", "Nora", "Emil",
)  # fmt: skip
LAST_NAMES = (
    "Becker", "Schulz", "Wagner", "Klein", "Wolf", "Neumann", "Braun", "Krause", "Vogel",
    "Hartmann", "Yilmaz", "Kowalski", "Rossi", "Novak", "Jansen", "Lindqvist",
)  # fmt: skip


@dataclass(frozen=True)
class Carrier:
    """A carrier and the tracking vocabulary its webhooks speak (codes by meaning)."""

    name: str
    vocabulary: str
    prefix: str
    hub: str
    info: str
    moving: str
    out_for_delivery: str
    problem: str
    delivered: str


CARRIERS = (
    Carrier("DHL", "aftership", "JD0146", "Leipzig hub", "InfoReceived", "InTransit",
            "OutForDelivery", "AttemptFail", "Delivered"),
    Carrier("UPS", "easypost", "1Z84E", "Cologne hub", "pre_transit", "in_transit",
            "out_for_delivery", "failure", "delivered"),
    Carrier("Kiez Kurier", "shopify", "KK", "Berlin depot", "label_printed", "in_transit",
            "out_for_delivery", "attempted_delivery", "delivered"),
)  # fmt: skip

# The warehouse picks and packs from 06:00 to 22:00, Monday to Saturday; carriers collect at 17:00.
WAREHOUSE = WorkingHours(ZONE, dict.fromkeys(range(6), "06:00-22:00"))
COLLECTION = WorkingHours(ZONE, dict.fromkeys(range(5), "17:00-17:30"))

# -- the sales department ------------------------------------------------------------

LEADS_PER_HEAD = 50  # the head count follows the day's volume
SPLITS = {
    SalesModel.ONE_TIER: {Role.MANAGER: Decimal(1)},
    SalesModel.TWO_TIER_CONTACT_CENTER: {
        Role.QUALIFIER: Decimal("0.5"),
        Role.CLOSER: Decimal("0.5"),
    },
    SalesModel.TWO_TIER_ACCOUNT_MANAGER: {
        Role.CLOSER: Decimal("0.7"),
        Role.ACCOUNT_MANAGER: Decimal("0.3"),
    },
    SalesModel.THREE_TIER: {
        Role.QUALIFIER: Decimal("0.4"),
        Role.CLOSER: Decimal("0.4"),
        Role.ACCOUNT_MANAGER: Decimal("0.2"),
    },
}
MON_FRI, MON_SAT = range(5), range(6)
# Where each role sits and when it works, cycled through the people of the role.
DESKS = {
    Role.QUALIFIER: (
        ("Europe/Lisbon", "08:00-16:00", MON_SAT),
        ("Europe/Lisbon", "12:00-20:00", MON_FRI),
    ),
    Role.CLOSER: (
        ("Europe/Berlin", "09:00-18:00", MON_FRI),
        ("Europe/Warsaw", "08:00-16:00", MON_FRI),
    ),
    Role.ACCOUNT_MANAGER: (
        ("Europe/London", "09:00-17:30", MON_FRI),
        ("America/New_York", "09:00-17:00", MON_FRI),
    ),
    Role.MANAGER: (
        ("Europe/Berlin", "09:00-18:00", MON_FRI),
        ("Europe/Lisbon", "08:00-16:00", MON_SAT),
        ("Europe/Lisbon", "12:00-20:00", MON_FRI),
    ),
}
CAPACITY = {Role.QUALIFIER: 40, Role.CLOSER: 40, Role.ACCOUNT_MANAGER: 40, Role.MANAGER: 50}
# Mean time to a first answer, in the person's working time, when their desk is empty;
# a busier desk answers slower (the mean grows with open leads / capacity).
RESPONSE = {
    Role.QUALIFIER: timedelta(minutes=6),
    Role.CLOSER: timedelta(minutes=15),
    Role.ACCOUNT_MANAGER: timedelta(minutes=25),
    Role.MANAGER: timedelta(minutes=20),
}
SAMPLE_AFTER = DAY_START + timedelta(hours=10)  # the assignment the report explains
# A closer who only sells wins more often than a generalist who also prospects and
# handles returns and defects.
WIN_CHANCE = {Role.CLOSER: 0.6, Role.MANAGER: 0.5}
DEADLINE = timedelta(hours=1)  # of the owner's working time, for every first answer
MAX_HOPS = 2  # reassignments after missed deadlines before the lead goes to the role's queue
FIX_TIME = timedelta(minutes=30)  # a qualifier filling in what a closer found missing
STAFF_NAMES = (
    "ana", "ben", "chiara", "dario", "eva", "farid", "greta", "hugo", "ines", "jonas",
    "kira", "lars", "mila", "nils", "olga", "paul", "quinn", "rosa", "sven", "tara",
    "ugo", "vera", "wim", "xenia", "yusuf", "zoe", "ada", "bruno", "cleo", "dev",
    "elif", "finn", "gil", "hana", "ivo", "jana", "kai", "lea", "max", "nora",
    "omar", "pia", "raj", "sara", "tom", "uma", "vic", "wen", "yara", "zeno",
)  # fmt: skip

Row = dict[str, Any]
"""A plain record, as ``df.to_dict("records")`` gives it: what metrics read besides aggregates."""

Process = Generator[datetime, None, None]
"""A simulated actor: a generator that yields the instant it wants to be woken at."""


def local(at: datetime) -> datetime:
    return at.astimezone(BERLIN)


def delivery_day(day: date) -> date:
    """Parcels arrive Monday to Saturday: a Sunday moves to the Monday."""
    return day + timedelta(days=1) if day.weekday() == 6 else day


def duration(span: timedelta | None) -> str:
    """A duration for the report, to the minute: ``2 d 3 h 5 min``, ``1 h``."""
    if span is None:
        return "undefined"
    minutes = round(span.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min"]
    return " ".join(part for part in parts if part and part != "0 min") or "0 min"


def money(value: Money | None) -> str:
    """Money for the report: rounded once to cents, with thousands separators."""
    if value is None:
        return "undefined"
    return f"{value.rounded().amount:,} {value.currency}"


# -- the leads of the day ------------------------------------------------------------


@dataclass(frozen=True)
class OrderPlan:
    """What will happen to an order after it is placed, drawn with its lead."""

    cancel_at: OrderStatus | None  # received, processing, picking, packed or delayed
    supplier_delay: bool  # an item is late from the supplier while picking
    carrier: Carrier
    road_problem: bool  # a failed delivery attempt with a new date
    late_scan: bool  # the hub scan's webhook arrives after a later scan
    duplicate_scan: bool  # the out-for-delivery webhook arrives twice
    retried_pack: bool  # the packing station sends its command twice
    csat: int | None  # the customer's answer to the satisfaction survey (1-5), if any


@dataclass(frozen=True)
class Prospect:
    """A lead's nature: who it is and what it will do, whatever the model.

    Drawn from the seed before the day starts, so that every sales model works
    exactly the same leads; how the team answers is drawn as the day runs.
    """

    lead_id: str
    arrives: datetime
    source: LeadSource
    customer: Customer
    returning: bool
    lines: tuple[OrderLine, ...]
    reorder: tuple[OrderLine, ...]
    target: bool
    ready: bool
    seasonal: bool  # not ready: buying after the holidays
    misqualified: bool  # not ready, yet a contact center passes it on
    missing_information: bool  # the first handoff lacks a detail and comes back once
    patience: timedelta | None  # how long it waits for an answer (None: it was not waiting)
    sales_cycle: timedelta  # of the seller's working time
    doubt: float  # from 0 to 1: it buys when the seller's win chance is above its doubt
    lost_reason: LostReason  # why it does not buy, if it does not
    haggles: bool  # asks for a new quote once at the decision stage
    repeat_after: timedelta | None  # buys again by itself
    repeat_if_followed: timedelta | None  # buys again only after an account manager's follow-up
    first_order: OrderPlan
    second_order: OrderPlan

    @property
    def value(self) -> Money:
        return Money.total((line.total for line in self.lines), CURRENCY)

    @property
    def needs_demo(self) -> bool:
        """A machine is a considered purchase: a demo and a proposal before the decision."""
        return any(line.sku in MACHINES for line in self.lines)


def line(sku: str, quantity: int) -> OrderLine:
    name, price = CATALOG[sku]
    return OrderLine(sku, name, quantity, Money(price, CURRENCY))


def basket(rng: random.Random, office: bool) -> tuple[OrderLine, ...]:
    """An office buys machines and beans by the case; a home buys a few things."""
    if office:
        return (line("MCH-OFFICE", rng.randint(1, 2)), line("BEAN-ESP", rng.randint(4, 12)))
    skus = rng.sample(SMALL_ITEMS, rng.randint(1, 3))
    if rng.random() < 0.15:
        skus.append(rng.choice(HOME_MACHINES))
    return tuple(line(sku, rng.randint(1, 2)) for sku in skus)


def order_plan(rng: random.Random) -> OrderPlan:
    fate = rng.random()
    cancel_at = None
    if fate < 0.06:
        cancel_at = rng.choice(
            (OrderStatus.RECEIVED, OrderStatus.PROCESSING, OrderStatus.PICKING, OrderStatus.PACKED)
        )
    supplier_delay = 0.06 <= fate < 0.13
    if supplier_delay and rng.random() < 0.25:
        cancel_at = OrderStatus.DELAYED
    answered = rng.random() < 0.4
    return OrderPlan(
        cancel_at=cancel_at,
        supplier_delay=supplier_delay,
        carrier=rng.choice(CARRIERS),
        road_problem=rng.random() < 0.07,
        late_scan=rng.random() < 0.1,
        duplicate_scan=rng.random() < 0.08,
        retried_pack=rng.random() < 0.03,
        csat=rng.choices((1, 2, 3, 4, 5), (5, 5, 15, 35, 40))[0] if answered else None,
    )


def arrival(rng: random.Random, weights: Sequence[int]) -> datetime:
    hour = rng.choices(range(24), weights)[0]
    wall = datetime.combine(DAY, time(hour), BERLIN) + timedelta(seconds=rng.randrange(3600))
    return wall.astimezone(UTC)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def draw_prospects(seed: int, count: int, customers: Sequence[Customer]) -> list[Prospect]:
    """The day's leads in arrival order, each drawn from a generator of its own."""
    day = random.Random(f"{seed}:arrivals")
    sources = [
        LeadSource.INBOUND if day.random() < 0.75 else LeadSource.OUTBOUND for _ in range(count)
    ]
    times = sorted(
        (arrival(day, WEB_HOURS if s is LeadSource.INBOUND else OFFICE_HOURS), s) for s in sources
    )
    prospects = []
    for number, (arrives, source) in enumerate(times, start=1):
        rng = random.Random(f"{seed}:lead:{number}")
        returning = bool(customers) and rng.random() < 0.2
        if returning:
            customer = rng.choice(customers)
        else:
            customer = Customer(f"C-N{number:05d}", person_name(rng))
        office = source is LeadSource.OUTBOUND
        target = rng.random() >= 0.25
        ready = rng.random() >= 0.3
        prospects.append(
            Prospect(
                lead_id=f"L-{number:05d}",
                arrives=arrives,
                source=source,
                customer=customer,
                returning=returning,
                lines=basket(rng, office),
                reorder=(line("BEAN-ESP", rng.randint(10, 30) if office else rng.randint(1, 3)),),
                target=target,
                ready=ready,
                seasonal=rng.random() < 0.35,
                misqualified=target and not ready and rng.random() < 0.2,
                missing_information=rng.random() < 0.1,
                patience=(
                    None if office else timedelta(seconds=round(rng.expovariate(1 / (24 * 3600))))
                ),
                sales_cycle=timedelta(
                    seconds=round(rng.expovariate(1 / (16 * 3600 if office else 5400)))
                ),
                doubt=rng.random(),
                lost_reason=rng.choices(
                    (
                        LostReason.COMPETITOR,
                        LostReason.BUDGET,
                        LostReason.NO_RESPONSE,
                        LostReason.OTHER,
                    ),
                    (35, 30, 20, 15),
                )[0],
                haggles=rng.random() < 0.15,
                repeat_after=timedelta(days=rng.randint(2, 14)) if rng.random() < 0.2 else None,
                repeat_if_followed=(
                    timedelta(days=rng.randint(3, 14)) if rng.random() < 0.15 else None
                ),
                first_order=order_plan(rng),
                second_order=order_plan(rng),
            )
        )
    return prospects


# -- a year of earlier orders --------------------------------------------------------

# How busy each calendar month is (Christmas and Black Friday weigh most).
SEASON = {1: 7, 2: 7, 3: 8, 4: 8, 5: 8, 6: 7, 7: 6, 8: 6, 9: 8, 10: 9, 11: 14, 12: 16}


def next_purchase(rng: random.Random, after: datetime, mean_days: int) -> datetime:
    """The next order after ``after``: chances come every ``mean_days`` on average, and
    the season decides which of them turn into orders."""
    at = after
    while True:
        at += timedelta(seconds=round(rng.expovariate(1 / (mean_days * 86400))))
        if rng.random() * max(SEASON.values()) < SEASON[local(at).month]:
            return at


def shop_history(seed: int, count: int) -> tuple[list[Customer], list[Row]]:
    """``count`` customers and their orders over the year before the day, as plain records.

    The records follow salesflow's record contract (what ``df.to_dict("records")``
    of an export would give): order and customer ids, an aware ``placed_at``, a
    Decimal amount and discount, the currency and the final status.
    """
    rng = random.Random(f"{seed}:history")
    year_ago = DAY_START - timedelta(days=365)
    customers, orders = [], []
    for number in range(1, count + 1):
        customer = Customer(f"C-{number:05d}", person_name(rng))
        customers.append(customer)
        placed = next_purchase(rng, year_ago, 180)
        office = rng.random() < 0.1
        while placed < DAY_START:
            amount = Money.total((item.total for item in basket(rng, office)), CURRENCY).amount
            discount = (amount / 10).quantize(Decimal("0.01")) if rng.random() < 0.2 else None
            orders.append(
                {
                    "customer_id": customer.id,
                    "placed_at": placed,
                    "amount": amount,
                    "discount": discount,
                    "currency": CURRENCY,
                    "status": "cancelled" if rng.random() < 0.04 else "delivered",
                }
            )
            if rng.random() >= 0.7:  # most customers come back, until one day they do not
                break
            placed = next_purchase(rng, placed, 25)
    orders.sort(key=lambda record: (record["placed_at"], record["customer_id"]))
    for number, record in enumerate(orders, start=1):
        record["order_id"] = f"H-{number:06d}"
    return customers, orders


# -- which model? ---------------------------------------------------------------------


def business_profile(prospects: Sequence[Prospect], history: list[Row]) -> ShopProfile:
    """The shop as the recommender sees it, measured from the day's leads and the history."""
    inbound = [p for p in prospects if p.source is LeadSource.INBOUND]
    unready = sum(not (p.target and p.ready) for p in inbound)
    months = monthly_revenue(history, zone=ZONE)
    full = [revenue.amount for period, revenue in months.items() if period.end <= DAY_START][-11:]
    mean = sum(full, Decimal(0)) / len(full)
    summary = customer_summary(history, now=DAY_START, zone=ZONE)
    spend = sum((s.total_spend.amount for s in summary.values()), Decimal(0))
    repeat = sum(
        ((s.total_spend - s.first_order_spend).amount for s in summary.values()), Decimal(0)
    )
    delivered = [r for r in history if r["status"] != "cancelled"]
    return ShopProfile(
        monthly_inbound_leads=len(inbound) * WORKING_DAYS_A_MONTH,
        share_not_ready_or_not_target=(Decimal(unready) / max(1, len(inbound))).quantize(
            Decimal("0.01")
        ),
        seasonal_peak_ratio=(max(full) / mean).quantize(Decimal("0.01")),
        deals_per_month=len(delivered) // 12,
        sales_cycle_days=SALES_CYCLE_DAYS,
        repeat_revenue_share=(repeat / spend).quantize(Decimal("0.01")),
        average_deal_value=average_order_value(history).value,
    )


# -- the team ------------------------------------------------------------------------


def head_counts(model: SalesModel, leads: int) -> dict[Role, int]:
    """The day's head count split over the model's roles (largest remainder, two at least)."""
    total = max(2 * len(model.roles), round(leads / LEADS_PER_HEAD))
    shares = {role: share * total for role, share in SPLITS[model].items()}
    counts = {role: max(2, int(share)) for role, share in shares.items()}
    by_remainder = sorted(shares, key=lambda role: shares[role] - int(shares[role]), reverse=True)
    for role in itertools.islice(
        itertools.cycle(by_remainder), max(0, total - sum(counts.values()))
    ):
        counts[role] += 1
    return counts


def absences(index: int, zone: str) -> list[Absence]:
    """A few people are away: a week's leave, a sick day, a morning's training."""
    start = datetime.combine(DAY, time(0), ZoneInfo(zone))
    if index % 13 == 2:
        return [Absence(start - timedelta(days=1), start + timedelta(days=6), "annual leave")]
    if index % 13 == 9:
        return [Absence(start, start + timedelta(days=1), "sick")]
    if index % 17 == 5:
        return [Absence(start, start + timedelta(hours=13), "product training")]
    return []


def build_team(model: SalesModel, leads: int) -> Team:
    """The sales department for ``model``, sized for ``leads`` a day."""
    people: list[Person] = []
    for role, count in head_counts(model, leads).items():
        desks = DESKS[role]
        for n in range(count):
            index = len(people)
            zone, shift, days = desks[n % len(desks)]
            name = STAFF_NAMES[index % len(STAFF_NAMES)]
            if index >= len(STAFF_NAMES):
                name += str(index // len(STAFF_NAMES) + 1)
            people.append(
                Person(
                    name,
                    role,
                    capacity=CAPACITY[role],
                    hours=WorkingHours(zone, dict.fromkeys(days, shift)),
                    absences=absences(index, zone),
                )
            )
    return Team(people)


# -- the clock -----------------------------------------------------------------------


class Clock:
    """Runs processes in time order: each yields the instant it wants to be woken at.

    Ties go to the process scheduled first, so a run is reproducible.
    """

    def __init__(self, start: datetime) -> None:
        self.now = start
        self._queue: list[tuple[datetime, int, Process]] = []
        self._turn = itertools.count()

    def start(self, process: Process, at: datetime) -> None:
        heapq.heappush(self._queue, (at, next(self._turn), process))

    def run(self, until: datetime) -> None:
        while self._queue and self._queue[0][0] <= until:
            at, _, process = heapq.heappop(self._queue)
            self.now = at
            wake = next(process, None)
            if wake is not None:
                # Whole seconds, rounded up: a deadline is never woken for before it is due.
                whole = (
                    wake + (timedelta(seconds=1) - timedelta(microseconds=wake.microsecond))
                    if wake.microsecond
                    else wake
                )
                self.start(process, max(whole, at))


# -- the day ---------------------------------------------------------------------------


@dataclass
class Case:
    """One lead in flight: its aggregates (the values a host would store) and its draws."""

    prospect: Prospect
    lead: Lead
    work: random.Random  # how the team answers this lead
    record: Ownership | None = None
    queued: bool = False

    @property
    def id(self) -> str:
        return self.prospect.lead_id


@dataclass
class Tallies:
    """What the routing side saw during the day."""

    queued: int = 0
    breaches: int = 0
    reassigned: int = 0
    escalated: int = 0
    submitted: int = 0
    accepted: int = 0
    expired: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    routes: Counter[str] = field(default_factory=Counter)


class ShopDay:
    """The day under one sales model: the team, the leads, the orders and what they produced."""

    def __init__(
        self,
        model: SalesModel,
        prospects: Sequence[Prospect],
        seed: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.model = model
        self.prospects = prospects
        self.seed = seed
        self.progress = progress
        self.team = build_team(model, len(prospects))
        self.dispatcher = Dispatcher(self.team, LeastLoaded())
        self.people = {person.id: person for person in self.team}
        self.clock = Clock(DAY_START)
        self.cases: list[Case] = []
        self.orders: list[Order] = []
        self.order_leads: list[str] = []
        self.open = Counter[str]()
        self.peak = Counter[str]()
        self.lapsed = Counter[str]()
        self.routing = Tallies()
        self.notices = Counter[str]()
        self.channels = Counter[str]()
        self.samples: dict[str, Notification] = {}
        self.carrier_updates = Counter[str]()
        self.retries_absorbed = 0
        self.surveys: list[Row] = []
        self.settled = 0
        self.sample_decision: Decision | None = None
        self.chances: dict[tuple[Role, datetime], datetime] = {}
        self.end = DAY_START + FOLLOW_FOR

    @property
    def now(self) -> datetime:
        return self.clock.now

    def run(self) -> ShopDay:
        for prospect in self.prospects:
            self.clock.start(self.arrive(prospect), prospect.arrives)
        self.clock.run(until=self.end)
        return self

    def arrive(self, prospect: Prospect) -> Process:
        lead = Lead.create(
            lead_id=prospect.lead_id,
            source=prospect.source,
            at=self.now,
            deal_value=prospect.value,
        ).lead
        case = Case(prospect, lead, random.Random(f"{self.seed}:work:{prospect.lead_id}"))
        self.cases.append(case)
        yield from self.lead_life(case)
        self.settled += 1
        if self.progress is not None:
            self.progress(self.settled, len(self.prospects))

    # -- a lead's life ---------------------------------------------------------------

    def lead_life(self, case: Case) -> Process:
        """From arrival to the last sale: what the sales department does with one lead."""
        p = case.prospect
        person = yield from self.take(case, owner_of(self.model, case.lead))
        if self.gone_cold(case, person):
            return
        case.lead = case.lead.log_activity(
            kind=ActivityKind.INTRO_CALL, at=self.now, actor=person
        ).lead
        case.lead = case.lead.advance(at=self.now, actor=person).lead  # they talk: interest
        if not p.target:
            note = (
                "a reseller asking for wholesale prices" if p.source is LeadSource.INBOUND else None
            )
            case.lead = case.lead.disqualify(at=self.now, actor=person, note=note).lead
            self.release(person)
            return
        passes_on = self.people[person].role is Role.QUALIFIER and p.misqualified
        if not p.ready and not passes_on:
            self.not_ready(case, person)
            self.release(person)
            return
        case.lead = case.lead.qualify(at=self.now, actor=person).lead
        seller = person
        assert case.record is not None
        to_role = needs_handoff(self.model, case.lead, case.record)
        if to_role is not None:  # the contact center passes a ready buyer to a closer
            taker = yield from self.hand_off(case, to_role)
            if taker is None or self.gone_cold(case, taker):
                return
            seller = taker
        won = yield from self.sell(case, seller)
        if won:
            yield from self.after_sale(case, seller)

    def gone_cold(self, case: Case, person: str) -> bool:
        """A buyer who waited longer than their patience has gone elsewhere."""
        patience = case.prospect.patience
        if patience is None or self.now - case.prospect.arrives <= patience:
            return False
        case.lead = case.lead.lose(
            reason=LostReason.NO_RESPONSE,
            at=self.now,
            actor=person,
            note="stopped answering after waiting for us",
        ).lead
        self.release(person)
        return True

    def not_ready(self, case: Case, person: str) -> None:
        if case.prospect.seasonal:
            reason, back = LostReason.SEASONAL, date(2027, 3, 1)
        else:
            reason, back = LostReason.NOT_READY, local(self.now).date() + timedelta(days=30)
        case.lead = case.lead.lose(reason=reason, at=self.now, actor=person, come_back_on=back).lead

    def sell(self, case: Case, seller: str) -> Generator[datetime, None, bool]:
        """The sale: a quick one for a ready home buyer, demo and proposal for a machine."""
        p, hours = case.prospect, self.people[seller].hours
        buys = p.doubt < WIN_CHANCE[self.people[seller].role]
        if p.needs_demo:
            yield hours.add(self.now, p.sales_cycle / 3)
            case.lead = case.lead.log_activity(
                kind=ActivityKind.DEMO, at=self.now, actor=seller
            ).lead
            case.lead = case.lead.advance(at=self.now, actor=seller).lead  # consideration
            if not buys and p.lost_reason is LostReason.BUDGET:  # the demo showed the price
                return self.lost_sale(case, seller)
            yield hours.add(self.now, p.sales_cycle / 3)
            case.lead = case.lead.log_activity(
                kind=ActivityKind.PROPOSAL, at=self.now, actor=seller
            ).lead
            case.lead = case.lead.advance(at=self.now, actor=seller).lead  # decision
            if p.haggles:
                reason = "asked for a quote with a leasing option"
                case.lead = case.lead.move_back(reason=reason, at=self.now, actor=seller).lead
                yield hours.add(self.now, timedelta(hours=2))
                case.lead = case.lead.log_activity(
                    kind=ActivityKind.PROPOSAL, at=self.now, actor=seller, note="leasing quote"
                ).lead
                case.lead = case.lead.advance(at=self.now, actor=seller).lead
            yield hours.add(self.now, p.sales_cycle / 3)
        else:
            case.lead = case.lead.fast_track(at=self.now, actor=seller).lead  # ready: decision
            yield hours.add(self.now, p.sales_cycle)
            case.lead = case.lead.log_activity(
                kind=ActivityKind.CALL, at=self.now, actor=seller
            ).lead
        if not buys:
            return self.lost_sale(case, seller)
        case.lead = case.lead.win(at=self.now, actor=seller).lead
        self.place_order(case, p.lines, p.first_order, seller)
        return True

    def lost_sale(self, case: Case, seller: str) -> bool:
        reason = case.prospect.lost_reason
        note = "chose to rent a machine instead" if reason is LostReason.OTHER else None
        case.lead = case.lead.lose(reason=reason, at=self.now, actor=seller, note=note).lead
        self.release(seller)
        return False

    def after_sale(self, case: Case, seller: str) -> Process:
        """An account manager welcomes the customer where the model has one, and their
        follow-up turns some extra customers into repeat buyers."""
        p, won_at = case.prospect, self.now
        assert case.record is not None
        to_role = needs_handoff(self.model, case.lead, case.record)
        if to_role is None:
            keeper, repeat = seller, p.repeat_after
        else:
            taker = yield from self.hand_off(case, to_role)
            assert taker is not None  # only a contact center's handoffs are sent back for good
            keeper, repeat = taker, p.repeat_after or p.repeat_if_followed
            case.lead = case.lead.log_activity(
                kind=ActivityKind.CALL, at=self.now, actor=keeper, note="welcome call"
            ).lead
        self.release(keeper)  # a customer between purchases is no open work
        if repeat is not None:
            yield max(self.now, won_at + repeat)
            self.buy_again(case, keeper)

    def buy_again(self, case: Case, person: str) -> None:
        case.lead = case.lead.repeat_purchase(at=self.now, actor=person).lead
        self.place_order(case, case.prospect.reorder, case.prospect.second_order, person)

    # -- routing: who takes the lead, and do they answer in time? ---------------------

    def take(self, case: Case, role: Role) -> Generator[datetime, None, str]:
        """Give the lead to someone of ``role``; the next person if they miss the deadline."""
        tried: list[str] = []
        while True:
            person, watched = yield from self.find(case, role, tried, hop=bool(tried))
            if case.record is None:
                start = Ownership.start(lead_id=case.id, role=role, person=person, at=self.now)
                case.record = start.ownership
            elif person != case.record.person:
                case.record = case.record.reassign(person=person, at=self.now).ownership
            due = self.due(person) if watched else None
            if (yield from self.answer(case, person, due)):
                return person
            self.lapse(person)
            tried.append(person)

    def hand_off(self, case: Case, to_role: Role) -> Generator[datetime, None, str | None]:
        """Hand the lead to ``to_role``; the person who accepts it, or None if it was lost."""
        p = case.prospect
        assert case.record is not None
        sender, from_role = case.record.person, case.record.role
        assert sender is not None
        tried: list[str] = []
        fixed = hop = False
        while True:
            taker, watched = yield from self.find(case, to_role, tried, hop=hop)
            hop = False
            due = self.due(taker) if watched else None
            case.record = case.record.hand_off(
                to_role=to_role, to_person=taker, at=self.now, expires_at=due, actor=sender
            ).ownership
            self.routing.submitted += 1
            self.routing.routes[f"{from_role.value} -> {to_role.value}"] += 1
            if not (yield from self.answer(case, taker, due)):
                case.record = case.record.expire(at=self.now).ownership
                self.routing.expired += 1
                self.lapse(taker)
                tried.append(taker)
                hop = True
                continue
            from_contact_center = from_role is Role.QUALIFIER
            if from_contact_center and p.misqualified:
                self.reject(case, taker, RejectReason.NOT_QUALIFIED, "wants to wait for the sales")
                self.not_ready(case, sender)
                self.release(sender)
                return None
            if from_contact_center and p.missing_information and not fixed:
                self.reject(case, taker, RejectReason.MISSING_INFORMATION, "no delivery address")
                fixed = True
                yield self.people[sender].hours.add(self.now, FIX_TIME)
                case.lead = case.lead.log_activity(
                    kind=ActivityKind.CALL, at=self.now, actor=sender
                ).lead
                continue
            case.record = case.record.accept(at=self.now).ownership
            self.routing.accepted += 1
            self.release(sender)
            return taker

    def reject(self, case: Case, taker: str, reason: RejectReason, note: str) -> None:
        assert case.record is not None
        case.record = case.record.reject(
            reason=reason, at=self.now, note=note, actor=taker
        ).ownership
        self.routing.rejected[reason.value] += 1
        self.release(taker)

    def find(
        self, case: Case, role: Role, tried: list[str], *, hop: bool = False
    ) -> Generator[datetime, None, tuple[str, bool]]:
        """Someone of ``role`` for the lead, and whether their answer is watched.

        The dispatcher skips whoever is away, off shift or at capacity, and the
        people who already let this lead's deadline pass. After ``MAX_HOPS``
        of those, or when nobody untried is free, the lead is escalated to the
        role's queue: the first free person takes it, with no deadline. When
        nobody at all is free, the lead waits until someone may be. ``hop``
        says the last owner just missed the deadline.
        """
        watched = len(tried) <= MAX_HOPS
        while True:
            decision = self.dispatcher.assign(
                case.id, role, at=self.now, exclude=tried if watched else ()
            )
            person = decision.person
            if person is not None:
                first_owner = case.record is None
                if first_owner and self.sample_decision is None and decision.at >= SAMPLE_AFTER:
                    self.sample_decision = decision  # explained in the report
                if hop and watched:
                    self.routing.reassigned += 1
                elif hop:
                    self.routing.escalated += 1
                self.open[person] += 1
                self.peak[person] = max(self.peak[person], self.open[person])
                return person, watched
            if tried and watched:
                watched = False
                continue
            if not case.queued:
                case.queued = True
                self.routing.queued += 1
            yield self.next_chance(role)

    def due(self, person: str) -> datetime:
        return self.people[person].hours.add(self.now, DEADLINE)

    def answer(
        self, case: Case, person: str, due: datetime | None
    ) -> Generator[datetime, None, bool]:
        """Wait for ``person``'s first answer: True when it comes before ``due`` (None: no deadline)."""
        role = self.people[person].role
        busy = 1 + self.open[person] / CAPACITY[role]
        mean = RESPONSE[role].total_seconds() * busy
        delay = timedelta(seconds=round(case.work.expovariate(1 / mean)))
        answered_at = self.people[person].hours.add(self.now, delay)
        if due is not None and answered_at >= due:
            yield due
            return False
        yield answered_at
        return True

    def next_chance(self, role: Role) -> datetime:
        """When someone of ``role`` may be free: a shift starts, someone is back, or soon.

        Every lead waiting for the role asks at the same moments: the answer is kept.
        """
        key = (role, self.now)
        if key not in self.chances:
            chances = [self.now + timedelta(minutes=15)]
            for person in self.team.in_role(role):
                away = person.away_at(self.now)
                if away is not None:
                    chances.append(away.end.astimezone(UTC))
                elif not person.hours.is_working(self.now):
                    start = person.hours.next_start(self.now)
                    if start is not None:
                        chances.append(start)
            self.chances = {key: max(self.now + timedelta(minutes=1), min(chances))}
        return self.chances[key]

    def lapse(self, person: str) -> None:
        """``person`` let the response deadline pass: the lead leaves their desk."""
        self.routing.breaches += 1
        self.lapsed[person] += 1
        self.release(person)

    def release(self, person: str) -> None:
        self.dispatcher.release(person)
        self.open[person] -= 1

    # -- an order's life -------------------------------------------------------------

    def place_order(
        self, case: Case, lines: Iterable[OrderLine], plan: OrderPlan, seller: str
    ) -> None:
        number = f"{100001 + len(self.orders)}"
        placed = Order.place(
            number=number,
            customer=case.prospect.customer,
            lines=lines,
            estimated_delivery=delivery_day(local(self.now).date() + timedelta(days=3)),
            support=SUPPORT,
            at=self.now,
            actor=seller,
        )
        self.orders.append(placed.order)
        self.order_leads.append(case.id)
        self.notify(placed)
        self.clock.start(self.order_life(len(self.orders) - 1, plan), self.now)

    def handle(self, index: int, outcome: OrderOutcome) -> Order:
        """What the host does with an outcome: store the order, send the notification."""
        self.orders[index] = outcome.order
        if outcome.repeated:
            self.retries_absorbed += 1
        else:
            self.notify(outcome)
        return outcome.order

    def notify(self, outcome: OrderOutcome) -> None:
        notice = outcome.notification
        kind = notice.status.value
        self.notices[kind] += 1
        for channel in notice.channels:
            self.channels[channel.value] += 1
        if kind not in self.samples:
            self.samples[kind] = notice

    def order_life(self, index: int, plan: OrderPlan) -> Process:
        """From received to delivered (or cancelled): the warehouse, then the carrier."""
        order = self.orders[index]
        yield self.now + timedelta(minutes=2)
        if plan.cancel_at is OrderStatus.RECEIVED:
            self.cancel(index, order, "you ordered the same items twice")
            return
        machine = any(item.sku in MACHINES for item in order.lines)
        step = ProcessingStep.STOCK_CHECK if machine else ProcessingStep.PAYMENT_CONFIRMATION
        order = self.handle(index, order.process(step=step, at=self.now))
        yield self.now + timedelta(minutes=5)
        if plan.cancel_at is OrderStatus.PROCESSING:
            self.cancel(index, order, "the payment was declined")
            return
        yield WAREHOUSE.add(self.now, timedelta(minutes=45))
        order = self.handle(index, order.pick(at=self.now, actor="warehouse"))
        if plan.cancel_at is OrderStatus.PICKING:
            self.cancel(index, order, "an item turned out to be out of stock")
            return
        if plan.supplier_delay:
            new_date = delivery_day(local(self.now).date() + timedelta(days=5))
            reason = "an item is on its way to us from the roaster"
            order = self.handle(
                index, order.delay(reason=reason, estimated_delivery=new_date, at=self.now)
            )
            yield self.now + timedelta(days=2)
            if plan.cancel_at is OrderStatus.DELAYED:
                self.cancel(index, order, "you preferred not to wait for the new date")
                return
            order = self.handle(index, order.resume(at=self.now, actor="warehouse"))
        yield WAREHOUSE.add(self.now, timedelta(minutes=30))
        key = f"pack-{order.number}"
        order = self.handle(index, order.pack(at=self.now, actor="warehouse", idempotency_key=key))
        if plan.retried_pack:  # the packing station's retry: the same key changes nothing
            self.handle(index, order.pack(at=self.now, actor="warehouse", idempotency_key=key))
        if plan.cancel_at is OrderStatus.PACKED:
            self.cancel(index, order, "you asked us to cancel before dispatch")
            return
        yield COLLECTION.next_start(self.now) or self.now
        carrier = plan.carrier
        tracking = f"{carrier.prefix}{order.number}"
        order = self.handle(
            index,
            order.ship(
                carrier=carrier.name,
                tracking_number=tracking,
                tracking_url=f"https://track.example/{tracking}",
                at=self.now,
                actor="warehouse",
            ),
        )
        for arrives, update in self.webhooks(order, plan):
            yield arrives
            result = apply_carrier_update(order, update)
            for outcome in result.outcomes:
                order = self.handle(index, outcome)
            self.carrier_updates[carrier_verdict(result)] += 1
            if result.needs_attention:
                self.carrier_updates["flagged for a person"] += 1
        if order.status is OrderStatus.DELIVERED and plan.csat is not None:
            answered = self.now + timedelta(days=1)
            self.surveys.append(
                {"lead_id": self.order_leads[index], "score": plan.csat, "at": answered}
            )

    def cancel(self, index: int, order: Order, reason: str) -> None:
        self.handle(index, order.cancel(reason=reason, at=self.now, actor="customer service"))

    def webhooks(self, order: Order, plan: OrderPlan) -> list[tuple[datetime, CarrierUpdate]]:
        """The carrier's scans, in the order their webhooks reach the shop (not always the
        order they happened in)."""
        c, shipped = plan.carrier, self.now
        tracking = order.tracking_number
        assert tracking is not None
        city = f"{c.name} delivery base Berlin"

        def scan(
            hours: float,
            code: str,
            location: str | None = None,
            estimated_delivery: date | None = None,
            message: str | None = None,
        ) -> CarrierUpdate:
            return CarrierUpdate(
                vocabulary=c.vocabulary,
                code=code,
                tracking_number=tracking,
                at=shipped + timedelta(hours=hours),
                location=location,
                estimated_delivery=estimated_delivery,
                message=message,
            )

        lag = timedelta(minutes=2)
        hub = scan(4, c.moving, location=c.hub)
        out = scan(15, c.out_for_delivery, location=city)
        arrivals = [(scan(0.2, c.info), lag), (hub, lag), (out, lag)]
        if plan.late_scan:  # the hub's webhook was held up and arrives after the next scan
            arrivals[1] = (hub, timedelta(hours=12))
        if plan.duplicate_scan:
            arrivals.append((out, timedelta(minutes=7)))
        if plan.road_problem:
            new_date = delivery_day(local(shipped + timedelta(hours=19)).date() + timedelta(days=2))
            arrivals.append(
                (
                    scan(
                        19,
                        c.problem,
                        estimated_delivery=new_date,
                        message="nobody was home to sign for the parcel",
                    ),
                    lag,
                )
            )
            if c.vocabulary != "shopify":  # a second attempt; the courier just delivers
                arrivals.append(
                    (scan(43, c.out_for_delivery, location=f"{city}, second attempt"), lag)
                )
            arrivals.append((scan(47, c.delivered, message="signed for at the door"), lag))
        else:
            arrivals.append((scan(19, c.delivered, message="left with a neighbour"), lag))
        timed = [(update.at + delay, n, update) for n, (update, delay) in enumerate(arrivals)]
        return [(arrives, update) for arrives, _, update in sorted(timed, key=lambda t: t[:2])]

    # -- what the day produced -------------------------------------------------------

    @property
    def leads(self) -> list[Lead]:
        return [case.lead for case in self.cases]

    def load(self) -> list[tuple[Person, int, int, int, int]]:
        """Per person: leads assigned, the most open at once, open at the end, deadlines missed."""
        ledger = self.dispatcher.ledger
        return [
            (person, ledger.assigned(person.id), self.peak[person.id], ledger.load(person.id),
             self.lapsed[person.id])
            for person in self.team
        ]  # fmt: skip


def carrier_verdict(result: CarrierResult) -> str:
    """A carrier update's fate in a word or two, for the tally."""
    if result.applied:
        return "applied"
    words = {
        IgnoredReason.LATE: "ignored: late, out of order",
        IgnoredReason.SAME_INSTANT: "ignored: late, out of order",
        IgnoredReason.DUPLICATE: "ignored: duplicate",
        IgnoredReason.INFORMATIONAL: "ignored: informational",
    }
    return words.get(result.reason, "ignored: other") if result.reason else "ignored: other"


# -- the report ------------------------------------------------------------------------


def heading(title: str) -> list[str]:
    return ["", title, "-" * len(title)]


def report_model(
    model: SalesModel, advice: Recommendation, chosen: bool, profile: ShopProfile
) -> list[str]:
    lines = heading("Sales model")
    if chosen:
        lines.append(
            f"{model.value}: chosen with --model (recommend_model picks {advice.model.value})."
        )
    else:
        lines.append(f"{model.value}: what recommend_model picks for this shop (--model auto).")
    p = profile
    lines += [
        f"Profile: {p.monthly_inbound_leads:,f} inbound leads a month (a month of days like today),",
        f"  {p.share_not_ready_or_not_target:.0%} of them not ready or not target; the busiest month "
        f"brings {p.seasonal_peak_ratio:f} x the average;",
        f"  {p.deals_per_month:,f} orders a month at {money(p.average_deal_value)} on average; "
        f"{p.sales_cycle_days:f} days from lead to sale;",
        f"  {p.repeat_revenue_share:.0%} of revenue from repeat purchases (the last 12 months).",
        "Why:",
    ]
    lines += [f"  {reason}" for reason in advice.reasons]
    verdicts = [
        (label, [check.rule.value for check in advice.rules if check.verdict is verdict])
        for label, verdict in (
            ("set aside", RuleVerdict.SET_ASIDE),
            ("not met", RuleVerdict.NOT_MET),
        )
    ]
    lines.append(
        "Rules: " + "; ".join(f"{label}: {', '.join(rules)}" for label, rules in verdicts if rules)
    )
    return lines


def report_team(day: ShopDay) -> list[str]:
    lines = heading("Team")
    counts = Counter(person.role.value for person in day.team)
    lines.append(f"{len(day.team)} people: " + ", ".join(f"{n} {r}" for r, n in counts.items()))
    lines.append(
        f"Response deadline: {duration(DEADLINE)} of the owner's working time; at most "
        f"{MAX_HOPS} reassignments, then the role's queue"
    )
    for person in day.team:
        for absence in person.absences:
            until = absence.end.astimezone(person.hours.zone)
            lines.append(
                f"  away: {person.id} ({person.role.value}), {absence.reason} "
                f"until {until:%a %d %b %H:%M} {until.tzname()}"
            )
    return lines


def report_leads(day: ShopDay) -> list[str]:
    leads = day.leads
    inbound = sum(lead.source is LeadSource.INBOUND for lead in leads)
    stages = Counter(lead.stage for lead in leads)
    lines = heading("Leads and the funnel")
    returning = sum(p.returning for p in day.prospects)
    lines.append(
        f"{len(leads):,} leads arrived on {DAY:%A %d %B %Y}, each followed for "
        f"{FOLLOW_FOR.days} days (a sale and a delivery take days):"
    )
    lines.append(
        f"  {inbound:,} inbound, {len(leads) - inbound:,} outbound; "
        f"{returning:,} from earlier customers."
    )
    won = stages[LeadStage.CUSTOMER] + stages[LeadStage.RETAINED]
    still_open = sum(n for stage, n in stages.items() if stage.is_open)
    lines.append(
        f"Now: {won:,} customers ({stages[LeadStage.RETAINED]:,} bought again), "
        f"{stages[LeadStage.LOST]:,} lost, {still_open:,} still open."
    )
    reasons = Counter(lead.lost_reason.value for lead in leads if lead.lost_reason is not None)
    by_reason = ", ".join(f"{r} {n:,}" for r, n in sorted(reasons.items()))
    lines.append(f"Lost, by reason: {by_reason or 'none'}")
    lines.append("  (not_target: disqualified at the first call)")
    lines.append("")
    # The funnel straight from the leads: the steps each reached, and where the lost ones left.
    lines.append(funnel(leads, window=None).format())
    lines.append("")
    everyone = lead_conversion_rate(leads)
    qualified = lead_conversion_rate(leads, variant="qualified")
    cycle = sales_cycle_length(leads)
    lines.append(
        f"Lead conversion: {everyone.percent()} of all leads ({everyone.numerator:,} / "
        f"{everyone.denominator:,}), {qualified.percent()} of qualified leads"
    )
    lines.append(
        f"Sales cycle of the won leads: mean {duration(cycle.mean)}, median {duration(cycle.median)}"
    )
    demo = lead_conversion_rate(leads, variant="demo_after_intro_call")
    lost = lead_conversion_rate(leads, variant="lost_after_demo")
    lines.append(
        f"Asked for a demo after an intro call: {demo.percent()}; "
        f"lost after a demo: {lost.percent()}"
    )
    return lines


def report_routing(day: ShopDay) -> list[str]:
    r = day.routing
    lines = heading("Routing: handoffs and response deadlines")
    rejected = ", ".join(f"{reason} {n}" for reason, n in sorted(r.rejected.items())) or "none"
    lines.append(
        f"Handoffs: {r.submitted:,} submitted, {r.accepted:,} accepted, "
        f"{sum(r.rejected.values()):,} rejected back ({rejected}), {r.expired:,} expired"
    )
    lines += [f"  {route}: {n:,}" for route, n in sorted(r.routes.items())]
    lines.append(
        f"Response deadlines missed: {r.breaches:,}; {r.reassigned:,} reassigned to the next "
        f"person, {r.escalated:,} escalated to the role's queue"
    )
    lines.append(
        f"Leads that waited in a queue until someone was free (nights, full desks): {r.queued:,}"
    )
    if day.sample_decision is not None:
        lines.append("One decision, explained (the first after 10:00 Berlin time):")
        lines += [f"  {text}" for text in day.sample_decision.explain().splitlines()]
    lines += heading("Load per person")
    lines.append(
        f"{'person':<8} {'role':<15} {'zone':<17} {'assigned':>8} {'peak open':>9} "
        f"{'open at end':>11} {'deadlines missed':>16}"
    )
    for person, assigned, peak, still_open, missed in day.load():
        zone = str(person.hours.zone)
        lines.append(
            f"{person.id:<8} {person.role.value:<15} {zone:<17} {assigned:>8} {peak:>9} "
            f"{still_open:>11} {missed:>16}"
        )
    return lines


def report_orders(day: ShopDay) -> list[str]:
    orders = day.orders
    lines = heading("Orders: cancellations and delays")
    final = Counter(order.status.value for order in orders)
    reached = Counter(
        status for order in orders for status in {e.to_status.value for e in order.history}
    )
    lines.append(
        f"{len(orders):,} orders placed; now "
        + ", ".join(f"{s} {n:,}" for s, n in sorted(final.items()))
    )
    lines.append(
        "Orders that passed through each status: "
        + ", ".join(f"{status.value} {reached[status.value]:,}" for status in OrderStatus)
    )
    reasons = Counter(
        event.reason for order in orders for event in order.history if event.event == "cancel"
    )
    lines += [f"  cancelled: {reason}: {n}" for reason, n in sorted(reasons.items())]
    lines.append(
        f"Cancellation rate {cancellation_rate(orders).percent()}, "
        f"delay rate {delay_rate(orders).percent()}, "
        f"on-time delivery {on_time_delivery_rate(orders, zone=ZONE).percent()} (promised date, Berlin)"
    )
    moved = sum(1 for order in orders if order.estimated_delivery != order.promised_delivery)
    lines.append(f"Orders whose delivery date moved: {moved:,}")
    lines.append(
        "Carrier webhooks: "
        + ", ".join(f"{verdict} {n:,}" for verdict, n in sorted(day.carrier_updates.items()))
    )
    lines.append(f"Repeated commands absorbed by their idempotency key: {day.retries_absorbed}")
    lines.append("")
    lines.append(time_in_status(orders, now=day.end).format())
    return lines


def report_notifications(day: ShopDay) -> list[str]:
    lines = heading("Notifications")
    total = sum(day.notices.values())
    lines.append(
        f"{total:,} sent, one per status change: "
        + ", ".join(f"{status.value} {day.notices[status.value]:,}" for status in OrderStatus)
    )
    lines.append(
        "  (an order can enter a status twice: picking again after a delay, in transit at the "
        "hub and out for delivery, delayed by the supplier and by the carrier)"
    )
    lines.append("By channel: " + ", ".join(f"{c} {n:,}" for c, n in sorted(day.channels.items())))
    lines.append("Samples:")
    for kind in ("received", "shipped", "delayed", "cancelled", "delivered"):
        notice = day.samples.get(kind)
        if notice is not None:
            channels = ", ".join(channel.value for channel in notice.channels)
            lines.append(f"  [{kind}] via {channels}: {notice.subject}")
            lines.append(f"    {notice.message}")
    return lines


def order_records(day: ShopDay, history: list[Row]) -> list[Row]:
    """The history and the day's orders placed by the end of the day, as one list of records."""
    today = [
        {
            "order_id": order.number,
            "customer_id": order.customer.id,
            "placed_at": order.placed_at,
            "amount": order.amount_due.amount,
            "currency": CURRENCY,
            "status": order.status.value,
        }
        for order in day.orders
        if order.placed_at < DAY_END
    ]
    return history + today


def report_customers(
    day: ShopDay, history: list[Row], progress: Callable[[int], object] | None = None
) -> list[str]:
    """Retention and churn over the 30 days to the end of the day (a customer is
    active while their last order is less than 90 days old), AOV and CLV over the
    last 12 months, and the AOV of the orders of the day's leads. ``progress``
    (the metrics' optional hook) is told the order records read."""
    records = order_records(day, history)
    start, end = DAY_END - timedelta(days=30), DAY_END
    # Active = an order in the 90 days before: the library finds who was active when.
    window = {"orders": records, "period": Period(start, end), "active_window": timedelta(days=90)}
    retained = retention_rate(variant="orders", **window)
    churn = churn_rate(variant="orders", **window)
    counts = dict(retained.inputs)
    after = customer_summary(records, now=end, zone=ZONE, progress=progress)
    new = sum(1 for s in after.values() if s.first_purchase >= start)
    kept, at_end = counts["retained"], counts["customers at end"]
    lines = heading("Customers: retention and churn")
    lines.append(
        f"Active customers (an order in the last 90 days): {counts['customers at start']:,} on "
        f"{local(start):%d %b}, {at_end:,} at the end of the day: {kept:,} kept, {new:,} new, "
        f"{at_end - kept - new:,} back after a lapse"
    )
    lines.append(
        f"30-day retention {retained.percent()}, churn {churn.percent()} (set-based, of the "
        f"customers active on {local(start):%d %b})"
    )
    year = [
        r
        for r in records
        if r["placed_at"] >= end - timedelta(days=365) and r["status"] != "cancelled"
    ]
    per_customer = Counter(r["customer_id"] for r in year)
    frequency = purchase_frequency(orders_per_customer=per_customer)
    lines.append(
        f"Last 12 months: {len(per_customer):,} customers, repeat purchase rate "
        f"{repeat_purchase_rate(orders_per_customer=per_customer).percent()}, "
        f"{frequency.text(2)} orders per customer"
    )
    lines += heading("Order value and customer lifetime value")
    today = average_order_value(day.orders, currency=CURRENCY)
    aov = average_order_value(year, currency=CURRENCY)
    lines.append(
        f"AOV of the orders of the day's leads: {money(today.value)} (net, over the "
        f"{today.denominator:,} orders placed in the {FOLLOW_FOR.days} days followed and not "
        "cancelled)"
    )
    lines.append(f"AOV over the last 12 months: {money(aov.value)}")
    if churn.value:
        # A customer stays 1 / churn months on average: the lifespan, in years.
        years = (1 / (12 * churn.value)).quantize(Decimal("0.01"))
        lifetime = clv(
            average_order_value=aov,
            purchase_frequency=frequency,
            lifespan=years,
            lifespan_unit="years",
            margin=GROSS_MARGIN,
        )
        lines.append(
            f"CLV (historical): AOV {money(aov.value)} x {frequency.text(2)} orders a year x "
            f"{years} years (1 / (12 x monthly churn)) x margin {GROSS_MARGIN:.0%} "
            f"= {money(lifetime.rounded())}"
        )
    lines += cohort_lines(records, progress=progress)
    return lines


def cohort_lines(
    records: list[Row], months: int = 6, progress: Callable[[int], object] | None = None
) -> list[str]:
    """The latest cohorts of the retention table, months +0 to +5."""
    table = cohort_retention(records, zone=ZONE, now=DAY_END, progress=progress)
    recent = table.cohorts[-months:]
    lines = [
        "",
        f"Cohort retention, the last {months} first-purchase months (share ordering in month +k):",
    ]
    lines.append(
        f"{'cohort':<8} {'customers':>9}" + "".join(f"{'+' + str(k):>8}" for k in range(months))
    )
    for cohort in recent:
        cells = [
            cell.retention.percent() + ("*" if cell.partial else " ")
            for cell in cohort.cells[:months]
        ]
        lines.append(f"{cohort.label:<8} {cohort.customers:>9}" + "".join(f"{c:>8}" for c in cells))
    lines.append("* month not over yet")
    return lines


def report_managers(day: ShopDay) -> list[str]:
    lines = heading("Per-manager KPIs")
    kpis = manager_kpis(day.leads, surveys=day.surveys, currency=CURRENCY)
    lines.append(
        "A lead counts for whoever won it, else whoever last worked it (a qualifier's are the "
        "leads they closed out); calls and meetings count for whoever logged them; CSAT comes "
        "from the delivery surveys of each manager's customers; margin is '-': the deals "
        "carry no costs."
    )
    lines.append(kpis.format())
    return lines


def shop_report(
    day: ShopDay,
    history: list[Row],
    advice: Recommendation,
    chosen: bool,
    profile: ShopProfile,
    progress: Callable[[int], object] | None = None,
) -> str:
    lines = [
        f"{SHOP}, Berlin: one trading day, {DAY:%A %d %B %Y}",
        f"seed {day.seed}, {len(day.prospects):,} leads, "
        f"{len(history):,} earlier orders over the year before",
    ]
    lines += report_model(day.model, advice, chosen, profile)
    lines += report_team(day)
    lines += report_leads(day)
    lines += report_routing(day)
    lines += report_orders(day)
    lines += report_notifications(day)
    lines += report_customers(day, history, progress)
    lines += report_managers(day)
    return "\n".join(folded(lines))


def folded(lines: Iterable[str], width: int = 100) -> Iterator[str]:
    """Long lines folded at ``width``, continued under their own indent plus two spaces."""
    for text in "\n".join(lines).splitlines():
        indent = " " * (len(text) - len(text.lstrip()) + 2)
        yield from (
            textwrap.wrap(text, width, subsequent_indent=indent, break_on_hyphens=False)
            if text.strip()
            else [""]
        )


# -- the four models side by side ------------------------------------------------------


def comparison(days: Sequence[ShopDay], recommended: SalesModel) -> str:
    """One row per model: people, leads per person, handoffs, missed deadlines, conversion."""
    lines = [
        f"{'model':<26}{'people':>7}{'leads/person':>16}{'peak':>6}{'handoffs':>10}"
        f"{'missed':>8}{'conversion':>12}{'revenue EUR':>15}"
    ]
    for day in days:
        load = day.load()
        noon = DAY_START + timedelta(hours=12)
        assigned = [n for person, n, *_ in load if person.away_at(noon) is None]
        spread = f"{min(assigned)}/{Decimal(sum(assigned)) / len(assigned):.0f}/{max(assigned)}"
        sold = average_order_value(day.orders, currency=CURRENCY)
        revenue = sold.numerator.rounded().amount if sold.defined else Decimal(0)
        mark = " *" if day.model is recommended else ""
        lines.append(
            f"{day.model.value + mark:<26}{len(day.team):>7}{spread:>16}"
            f"{max(peak for _, _, peak, *_ in load):>6}{day.routing.submitted:>10,}"
            f"{day.routing.breaches:>8,}{lead_conversion_rate(day.leads).percent():>12}"
            f"{revenue:>15,}"
        )
    lines += [
        "",
        "leads/person: leads assigned (first owners, handoffs received, reassignments), min/mean/max",
        "  over the people not away at noon; peak: the most open leads one person held at once;",
        "handoffs: between roles, submitted; missed: response deadlines missed (1 h of working",
        "  time); conversion: won / all leads; revenue: net, orders not cancelled.",
    ]
    return "\n".join(lines)


# -- the command line --------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="shop_day.py",
        description=f"Simulate one trading day of {SHOP}, a mid-sized online shop, on salesflow.",
    )
    parser.add_argument(
        "--model",
        choices=["auto", *(model.value for model in SalesModel)],
        default="auto",
        help="the sales model (default: auto, the one recommend_model picks for the shop)",
    )
    parser.add_argument("--seed", type=int, default=7, help="the seed of every draw (default: 7)")
    parser.add_argument(
        "--leads", type=int, default=2000, help="leads arriving during the day (default: 2000)"
    )
    parser.add_argument(
        "--compare", action="store_true", help="run the day under each of the four models"
    )
    parser.add_argument("--no-progress", action="store_true", help="print no progress to stderr")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed: got {args.seed}, expected a whole number of 0 or more")
    if args.leads < 1:
        parser.error(f"--leads: got {args.leads}, expected a whole number of 1 or more")
    return args


def progress_printer(label: str, stream: TextIO) -> Callable[[int, int], None]:
    """Prints to ``stream`` (stderr) at every tenth of the leads settled."""
    shown = [0]

    def show(done: int, total: int) -> None:
        tenth = done * 10 // total
        if tenth > shown[0]:
            shown[0] = tenth
            print(f"{label}: {tenth * 10}% of the leads settled ({done}/{total})", file=stream)

    return show


def rows_printer(stream: TextIO) -> Callable[[int], None]:
    """A metrics ``progress`` hook: prints to ``stream`` (stderr) the order records read.

    The metrics call it every 10,000 records and once at the end with the
    rest; a tqdm bar's ``update`` would do as well (``progress=tqdm(total=...)``).
    """
    read = [0]

    def show(count: int) -> None:
        read[0] += count
        print(f"metrics: {read[0]:,} order records read", file=stream)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    customers, history = shop_history(args.seed, max(200, 4 * args.leads))
    prospects = draw_prospects(args.seed, args.leads, customers)
    profile = business_profile(prospects, history)
    advice = recommend_model(profile)

    def run(model: SalesModel) -> ShopDay:
        show = None if args.no_progress else progress_printer(model.value, sys.stderr)
        return ShopDay(model, prospects, args.seed, show).run()

    if args.compare:
        days = [run(model) for model in SalesModel]
        lines = [
            f"{SHOP}: the same {len(prospects):,} leads under each model, seed {args.seed}",
            f"recommend_model picks {advice.model.value} (marked *):",
            *(f"  {reason}" for reason in advice.reasons[:-1]),
            "",
            comparison(days, advice.model),
        ]
        print("\n".join(folded(lines)))
        return 0
    chosen = args.model != "auto"
    model = SalesModel(args.model) if chosen else advice.model
    rows = None if args.no_progress else rows_printer(sys.stderr)
    print(shop_report(run(model), history, advice, chosen, profile, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
