"""Shared hypothesis strategies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from salesflow import Money

CURRENCIES = ("EUR", "USD", "GBP", "JPY", "KWD")

zones = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=5, minutes=30)),
        timezone(timedelta(hours=-8)),
        ZoneInfo("Europe/Berlin"),
        ZoneInfo("America/New_York"),
    ]
)

aware_datetimes = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=zones,
)

amounts = st.decimals(
    min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=4, allow_nan=False
)


def money(currency: str | None = None) -> st.SearchStrategy[Money]:
    currencies = st.just(currency) if currency else st.sampled_from(CURRENCIES)
    return st.builds(Money, amounts, currencies)


# Working hours (salesflow.routing.hours): zones with DST, Lord Howe's 30-minute one included.

HOURS_ZONES = (
    "UTC",
    "UTC+05:30",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
)


@st.composite
def working_hours(draw, zones=HOURS_ZONES, *, nonempty=True, holidays_near=None):
    """Random weekly schedules of quarter-hour shifts (some touching across midnight).

    ``holidays_near``: a date around which up to ten local holidays are drawn.
    """
    from datetime import date, time

    from salesflow.routing.hours import Shift, WorkingHours

    def clock(quarter):
        return time(0) if quarter == 96 else time(quarter // 4, 15 * (quarter % 4))

    week = {}
    for day in range(7):
        marks = sorted(draw(st.sets(st.integers(0, 96), max_size=6)))
        shifts = [Shift(clock(a), clock(b)) for a, b in zip(marks[::2], marks[1::2], strict=False)]
        if shifts:
            week[day] = shifts
    if nonempty and not week:
        start = draw(st.integers(0, 95))
        end = draw(st.integers(start + 1, 96))
        week[draw(st.integers(0, 6))] = [Shift(clock(start), clock(end))]
    holidays: set[date] = set()
    if holidays_near is not None:
        offsets = draw(st.sets(st.integers(-10, 10), max_size=10))
        holidays = {holidays_near + timedelta(days=offset) for offset in offsets}
    return WorkingHours(draw(st.sampled_from(zones)), week, holidays)


# Periods and metrics (salesflow.periods, salesflow.metrics).

PERIOD_ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
)

period_zones = st.sampled_from(PERIOD_ZONES)

period_units = st.sampled_from(("day", "week", "month", "quarter"))

customer_ids = st.one_of(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3), st.integers(min_value=0, max_value=40)
)

shares = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False)


def survey_scores(low: int, high: int, max_size: int = 60) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(min_value=low, max_value=high), max_size=max_size)


# Absolute time: the same instants written in zones with clock changes, in
# both folds of a repeated hour. A law over these says a result depends on the
# instants only, never on the zone they were written in.
CLOCK_CHANGE_ZONES = (
    UTC,
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Australia/Lord_Howe"),  # a half-hour change
)

# UTC instants of clock changes in 2026: Berlin spring and autumn, New York
# spring and autumn, Lord Howe autumn (April) and spring (October).
CLOCK_CHANGES = (
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 4, 4, 15, tzinfo=UTC),
    datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
)

# Instants within two days of a clock change, to the minute, in UTC.
instants_near_clock_changes = st.builds(
    lambda change, minutes: change + timedelta(minutes=minutes),
    st.sampled_from(CLOCK_CHANGES),
    st.integers(min_value=-2 * 24 * 60, max_value=2 * 24 * 60),
)


def sorted_instants(min_size: int = 2, max_size: int = 6) -> st.SearchStrategy[list[datetime]]:
    """Ascending UTC instants near one clock change, minutes to days apart."""
    return st.builds(
        lambda change, steps: [change + timedelta(minutes=m) for m in _running(steps)],
        st.sampled_from(CLOCK_CHANGES),
        st.lists(st.integers(min_value=1, max_value=36 * 60), min_size=min_size, max_size=max_size),
    )


def _running(steps: list[int]) -> list[int]:
    total, out = -24 * 60, []
    for step in steps:
        total += step
        out.append(total)
    return out


def written_in(instant: datetime, zone: object) -> datetime:
    """``instant`` as a reading of ``zone``'s wall clock (``fold`` set where the hour repeats)."""
    return instant.astimezone(zone)  # type: ignore[arg-type]


# Whole lives of the three aggregates, as the JSON bodies of their commands
# (salesflow.Command.from_dict): the first creates, each next one is allowed
# where it comes. Each life is drawn beside the real aggregate, so every body
# is one the aggregate accepts; a test replays them through Command.


def _written(draw, instant: datetime) -> str:
    return instant.astimezone(draw(zones)).isoformat()


def _extras(draw, version: int) -> dict[str, object]:
    extras: dict[str, object] = {}
    if draw(st.booleans()):
        extras["actor"] = draw(st.sampled_from(["sam", "kim", "system"]))
    if draw(st.booleans()):
        extras["idempotency_key"] = f"key-{version}-{draw(st.integers(0, 10**6))}"
    if draw(st.booleans()):
        extras["expected_version"] = version
    return extras


def _forward(allowed: list[str], setbacks: tuple[str, ...]) -> list[str]:
    """``allowed``, each move forward four times over, so a life seldom ends at its start."""
    return [name for name in allowed for _ in range(1 if name in setbacks else 4)]


@st.composite
def order_lives(draw, max_changes: int = 12):
    """The command bodies of one order's life: a placement, then allowed changes."""
    from salesflow import Command

    currency = draw(st.sampled_from(CURRENCIES))
    price = st.decimals(min_value=0, max_value=10_000, places=0 if currency == "JPY" else 2)
    lines = [
        {
            "sku": f"SKU-{index}",
            "name": draw(st.sampled_from(["Blue mug", "Earl Grey", "Tea pot"])),
            "quantity": draw(st.integers(1, 5)),
            "unit_price": Money(draw(price), currency).to_dict(),
        }
        for index in range(draw(st.integers(1, 3)))
    ]
    clock = draw(aware_datetimes).astimezone(UTC)  # steps are elapsed time, not wall clock
    place = {
        "aggregate": "order",
        "command": "place",
        "number": f"{draw(st.integers(1000, 9999))}",
        "customer": {"id": "cust-1", "name": "Ada"},
        "lines": lines,
        "estimated_delivery": (clock + timedelta(days=draw(st.integers(0, 9)))).date().isoformat(),
        "support": draw(
            st.sampled_from([{"email": "help@shop.example"}, {"phone": "+44 20 7946 0000"}])
        ),
        "at": clock.isoformat(),
        **({"idempotency_key": "place-1"} if draw(st.booleans()) else {}),
    }
    bodies = [place]
    order = Command.from_dict(place).apply().order
    for _ in range(draw(st.integers(0, max_changes))):
        allowed = sorted(order.allowed_events)
        if not allowed:
            break
        verb = draw(st.sampled_from(_forward(allowed, ("cancel", "delay"))))
        clock += timedelta(minutes=draw(st.integers(1, 3000)))
        later = (clock + timedelta(days=draw(st.integers(1, 9)))).date().isoformat()
        body: dict[str, object] = {
            "aggregate": "order",
            "command": verb,
            "at": _written(draw, clock),
        }
        if verb == "process":
            body["step"] = draw(st.sampled_from(["stock_check", "payment_confirmation"]))
        elif verb == "ship":
            body |= {"carrier": "DHL", "tracking_number": "JD014600"}
            if draw(st.booleans()):
                body |= {
                    "tracking_url": "https://track.example/JD014600",
                    "estimated_delivery": later,
                }
        elif verb == "transit":
            body["location"] = draw(st.sampled_from(["Leipzig hub", "Berlin depot", "on the van"]))
        elif verb == "deliver" and draw(st.booleans()):
            body |= {"proof": "signed by A. Lovelace", "review_url": "https://shop.example/r"}
        elif verb in ("cancel", "delay"):
            body["reason"] = draw(st.sampled_from(["out of stock", "storm", "customer asked"]))
            if verb == "delay":
                body["estimated_delivery"] = later
        if verb in ("ship", "transit", "deliver", "delay", "resume") and draw(st.booleans()):
            body["reported_at"] = (clock - timedelta(minutes=5)).isoformat()
        body |= _extras(draw, order.version)
        order = Command.from_dict(body).apply(order).order
        bodies.append(body)
    return bodies


@st.composite
def lead_lives(draw, max_changes: int = 10):
    """The command bodies of one lead's life: a creation, then allowed changes."""
    from salesflow import Command
    from salesflow.leads import LeadStage

    clock = draw(aware_datetimes).astimezone(UTC)  # steps are elapsed time, not wall clock
    create: dict[str, object] = {
        "aggregate": "lead",
        "command": "create",
        "lead_id": f"L-{draw(st.integers(1, 999))}",
        "source": draw(st.sampled_from(["inbound", "outbound"])),
        "at": clock.isoformat(),
    }
    if draw(st.booleans()):
        create["deal_value"] = {"amount": "1200.00", "currency": "EUR"}
    bodies = [create]
    lead = Command.from_dict(create).apply().lead
    for _ in range(draw(st.integers(0, max_changes))):
        choices = _forward(sorted(lead.allowed_events), ("lose", "disqualify", "move_back"))
        choices.append("log_activity")
        if lead.stage.is_open and lead.stage is not LeadStage.LOST:
            choices.append("qualify")
        verb = draw(st.sampled_from(choices))
        clock += timedelta(minutes=draw(st.integers(1, 3000)))
        body: dict[str, object] = {
            "aggregate": "lead",
            "command": verb,
            "at": _written(draw, clock),
        }
        if verb == "move_back":
            body["reason"] = "needs another demo"
        elif verb == "lose":
            reason = draw(
                st.sampled_from(["not_ready", "seasonal", "budget", "competitor", "other"])
            )
            body["reason"] = reason
            if reason in ("not_ready", "seasonal"):
                come_back = clock + timedelta(days=draw(st.integers(2, 90)))
                body["come_back_on"] = come_back.date().isoformat()
            if reason == "other" or draw(st.booleans()):
                body["note"] = "went quiet after the proposal"
        elif verb == "disqualify" and draw(st.booleans()):
            body["note"] = "a student project"
        elif verb == "log_activity":
            body["kind"] = draw(st.sampled_from(["intro_call", "call", "email", "demo"]))
            if draw(st.booleans()):
                body["note"] = "talked budget"
        body |= _extras(draw, lead.version)
        lead = Command.from_dict(body).apply(lead).lead
        bodies.append(body)
    return bodies


@st.composite
def ownership_lives(draw, max_changes: int = 10):
    """The command bodies of one lead's ownership record: a start, then accepted changes."""
    from salesflow import Command, SalesflowError

    roles = ["manager", "qualifier", "closer", "account_manager"]
    people = ["quinn", "cleo", "sam", "ari"]
    clock = draw(aware_datetimes).astimezone(UTC)  # steps are elapsed time, not wall clock
    start: dict[str, object] = {
        "aggregate": "ownership",
        "command": "start",
        "lead_id": "L-1",
        "role": draw(st.sampled_from(roles)),
        "at": clock.isoformat(),
        "person": draw(st.one_of(st.none(), st.sampled_from(people))),
    }
    bodies = [start]
    record = Command.from_dict(start).apply().ownership
    for _ in range(draw(st.integers(0, max_changes))):
        if record.pending is not None:
            verb = draw(st.sampled_from(["accept", "reject", "expire", "withdraw"]))
        else:
            verb = draw(st.sampled_from(["reassign", "transfer", "hand_off"]))
        clock += timedelta(minutes=draw(st.integers(1, 600)))
        body: dict[str, object] = {
            "aggregate": "ownership",
            "command": verb,
            "at": _written(draw, clock),
        }
        if verb == "reassign":
            body["person"] = draw(st.sampled_from([p for p in people if p != record.person]))
        elif verb == "transfer":
            body["role"] = draw(st.sampled_from([r for r in roles if r != record.role.value]))
            body["person"] = draw(st.one_of(st.none(), st.sampled_from(people)))
        elif verb == "hand_off":
            body["to_role"] = draw(st.sampled_from([r for r in roles if r != record.role.value]))
            body["to_person"] = draw(st.one_of(st.none(), st.sampled_from(people)))
            if draw(st.booleans()):
                body["expires_at"] = (clock + timedelta(minutes=300)).isoformat()
        elif verb == "accept":
            body["person"] = record.pending.to_person or draw(st.sampled_from(people))
        elif verb == "reject":
            body["reason"] = draw(st.sampled_from(["not_qualified", "wrong_role", "other"]))
            body["note"] = "not ready to buy"
        if verb in ("reassign", "transfer", "hand_off", "withdraw") and draw(st.booleans()):
            body["note"] = "re-routed"
        body |= _extras(draw, record.version)
        try:
            record = Command.from_dict(body).apply(record).ownership
        except SalesflowError:  # refused where it came (an expiry before the deadline...)
            continue
        bodies.append(body)
    return bodies
