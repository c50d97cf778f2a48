"""A simulator: replay a seeded stream of leads through a sales model and a strategy.

A shop that thinks of switching models (say from two tiers to three) can
replay the same leads through each and compare the load per person, the
handoffs between roles, the response deadlines missed and how evenly the work
was spread, before it changes anything.

:meth:`LeadStream.generate` draws the leads from a :class:`ShopProfile` and a
seed: arrival times over working days (mostly in business hours in the shop's
zone, with a seasonal peak), inbound or outbound, some not target, some not
ready, deal values as :class:`~salesflow.Money`, and accounts that come back
(so the account's existing owner matters under :class:`Sticky`). Every lead's
nature (will it buy? is it ready?) is drawn with the stream, so every model
sees the same leads.

:func:`simulate` replays a stream with the real aggregates and the real
routing: each lead is a :class:`~salesflow.leads.Lead`; the role that owns it
comes from :func:`owner_of` and :func:`needs_handoff`; one
:class:`Dispatcher` assigns people for every role; an :class:`Ownership`
record carries each lead through its handoffs (submitted, then accepted,
rejected back or expired). Owners respond after a seeded delay counted in
their own working hours, and an owner who lets the response deadline pass
loses the lead to the next eligible person (as :func:`reassign_overdue`
decides: never someone who already let it lapse, at most ``max_hops`` times,
then the role's queue). Events run in time order off a heap, so a run is
reproducible from its inputs and seed, and the :class:`SimulationReport`
formats byte for byte the same.

>>> from salesflow.routing import LeastLoaded, SalesModel
>>> from salesflow.routing.simulator import ShopProfile, default_team, simulate
>>> model = SalesModel.THREE_TIER
>>> report = simulate(model, LeastLoaded(), team=default_team(model, people_per_role=2),
...                   profile=ShopProfile(leads_per_day=10), days=5, seed=7)
>>> report.leads == report.outcomes.total
True
>>> sum(person.assigned for person in report.people) == report.assignments
True
>>> report.format() == simulate(model, LeastLoaded(), team=default_team(model, people_per_role=2),
...                             profile=ShopProfile(leads_per_day=10), days=5, seed=7).format()
True
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Final

import attrs

from salesflow import _check, _zones
from salesflow._rng import Rng
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads import Lead, LeadSource, LeadStage, LostReason
from salesflow.metrics import Ratio
from salesflow.money import Money
from salesflow.routing.assignment import Dispatcher, Rules, Strategy
from salesflow.routing.deadlines import _after_lapse, _due_at, _hours_by_person
from salesflow.routing.events import RejectReason
from salesflow.routing.hours import END_OF_TIME, WorkingHours
from salesflow.routing.models import Role, SalesModel, owner_of
from salesflow.routing.ownership import Ownership, needs_handoff
from salesflow.routing.people import Person, Team

__all__ = [
    "DEFAULT_START",
    "BreachTally",
    "HandoffTally",
    "LeadStream",
    "Outcomes",
    "PersonLoad",
    "ShopProfile",
    "SimulationReport",
    "StreamLead",
    "compare_models",
    "default_team",
    "format_comparison",
    "simulate",
]

DEFAULT_START: Final = date(2026, 3, 2)
"""The Monday a generated stream starts on unless told otherwise."""

# Arrivals per local hour, 00 to 23: quiet nights, busy mornings and afternoons, a dip at lunch.
_DEFAULT_ARRIVALS: Final = tuple(
    int(weight)
    for weight in [
        "1",
        "1",
        "1",
        "1",
        "1",
        "1",
        "2",
        "3",
        "6",
        "9",
        "10",
        "10",
        "8",
        "8",
        "10",
        "10",
        "9",
        "7",
        "5",
        "4",
        "3",
        "3",
        "2",
        "1",
    ]
)
_LOSS_REASONS: Final = (LostReason.COMPETITOR, LostReason.BUDGET, LostReason.NO_RESPONSE)
_COME_BACK: Final = timedelta(days=30)
_SECOND: Final = timedelta(seconds=1)
_FOUR_PLACES: Final = Decimal("0.0001")
_ONE_PLACE: Final = Decimal("0.1")
_LONGEST_RUN_ON: Final = timedelta(days=3653)
# Upper bounds on sizes and spans: beyond them a run would take hours or
# overflow the calendar, so they are refused (documented in docs/routing.md).
_MOST_DAYS: Final = 2610  # ten years of working days
_MOST_LEADS_PER_DAY: Final = 10_000
_MOST_PEOPLE_PER_ROLE: Final = 1_000
_MOST_FOLLOW_UP_DAYS: Final = 3653
_LONGEST_MEAN: Final = timedelta(days=365)
# A stream starts where its days, plus the longest run on, stay inside the calendar in any zone.
_FIRST_START: Final = date(1, 1, 3)
_LAST_START: Final = date(9979, 12, 31)
_SHORT: Final = {
    Role.MANAGER: "mgr",
    Role.QUALIFIER: "qual",
    Role.CLOSER: "closer",
    Role.ACCOUNT_MANAGER: "am",
}


# -- checks -----------------------------------------------------------------------


def _to_decimal(value: Any) -> Any:
    """A number as a Decimal; anything else is left for the validator to refuse by name."""
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except ArithmeticError:
            return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _number(low: int, high: int | None, expected: str) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        context = type(instance).__name__
        if not isinstance(value, Decimal):
            raise InvalidType(
                attribute.name,
                value,
                f"{expected} (a Decimal or decimal string; floats are inexact)",
                context=context,
            )
        if not value.is_finite() or value < low or (high is not None and value > high):
            raise InvalidField(attribute.name, value, expected, context=context)

    return check


_share = _number(0, 1, "a share from 0 to 1")
_peak_ratio = _number(1, 10, "from 1 to 10 (a peak day's leads over an ordinary day's)")
_spread = _number(0, 3, "from 0 to 3 (the spread of log deal values)")


def _to_zone(value: Any) -> tzinfo:
    return _zones.zone("zone", value, context="ShopProfile")


def _to_weights(value: Any) -> tuple[int, ...]:
    expected = "24 whole numbers of at least 0 (one per local hour), not all 0"
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidType("arrival_weights", value, expected)
    weights = tuple(value)
    if len(weights) != 24:
        raise InvalidField("arrival_weights", weights, expected)
    for hour, weight in enumerate(weights):
        _check.whole(f"arrival_weights[{hour}]", weight, minimum=0)
    if not any(weights):
        raise InvalidField("arrival_weights", weights, expected)
    return weights


def _positive_count(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=1, context=type(instance).__name__)


def _at_most(field: str, value: int, most: int, *, context: str = "") -> int:
    """``value`` (already a whole number) when it is at most ``most``."""
    if value > most:
        raise InvalidField(field, value, f"a whole number from 1 to {most}", context=context)
    return value


def _bounded_count(most: int) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        context = type(instance).__name__
        _check.whole(attribute.name, value, minimum=1, context=context)
        _at_most(attribute.name, value, most, context=context)

    return check


def _start_date(field: str, value: Any, *, context: str = "") -> date:
    _check.calendar_date(field, value, context=context)
    if not _FIRST_START <= value <= _LAST_START:
        raise InvalidField(
            field,
            value,
            f"a date from {_FIRST_START.isoformat()} to {_LAST_START.isoformat()}",
            context=context,
        )
    return value  # type: ignore[no-any-return]


def _start_field(instance: Any, attribute: Any, value: Any) -> None:
    _start_date(attribute.name, value, context=type(instance).__name__)


def _count(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)


def _positive_span(instance: Any, attribute: Any, value: Any) -> None:
    context = type(instance).__name__
    if not isinstance(value, timedelta):
        raise InvalidType(attribute.name, value, "a timedelta of at least 1s", context=context)
    if value < _SECOND:
        raise InvalidField(attribute.name, value, "a timedelta of at least 1s", context=context)


def _mean_span(instance: Any, attribute: Any, value: Any) -> None:
    _positive_span(instance, attribute, value)
    if value > _LONGEST_MEAN:
        raise InvalidField(
            attribute.name,
            value,
            f"a timedelta from 1s to {_duration(_LONGEST_MEAN)}",
            context=type(instance).__name__,
        )


def _deal(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise InvalidField(
            attribute.name, value, "Money above zero", context=type(instance).__name__
        )


def _model(value: Any, field: str = "model") -> SalesModel:
    return _check.choice(SalesModel, field, value)


def _to_fairness(value: Any) -> Mapping[Role, Decimal | None]:
    """Per role, Jain's index (a Decimal from 0 to 1) or None; read-only."""
    expected = "a mapping of Role to a Decimal from 0 to 1, or None"
    if not isinstance(value, Mapping):
        raise InvalidType("fairness", value, expected, context="SimulationReport")
    checked: dict[Role, Decimal | None] = {}
    for role, index in value.items():
        member = _check.choice(Role, "fairness", role, context="SimulationReport")
        if index is not None and (
            not isinstance(index, Decimal) or not index.is_finite() or not 0 <= index <= 1
        ):
            raise InvalidField(
                f"fairness[{member.value!r}]", index, expected, context="SimulationReport"
            )
        checked[member] = index
    return MappingProxyType(checked)


def _span(field: str, value: Any, *, minimum: timedelta) -> timedelta:
    expected = f"a timedelta of at least {_duration(minimum)}"
    if not isinstance(value, timedelta):
        raise InvalidType(field, value, expected)
    if value < minimum:
        raise InvalidField(field, value, expected)
    return value


# -- the stream -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ShopProfile:
    """What a shop's leads look like: how many, from where, how good, how big.

    Shares are Decimals (or decimal strings) from 0 to 1; floats are refused.
    ``leads_per_day`` is the mean on an ordinary working day; the middle
    ``peak_share`` of the days bring ``peak_ratio`` times as many. Arrivals
    follow ``arrival_weights`` (one weight per local hour in ``zone``).
    ``not_target_share`` of leads get disqualified; of the rest,
    ``not_ready_share`` are not ready to buy, and a contact center passes
    ``misqualified_share`` of those on anyway (the closer sends them back);
    ``missing_information_share`` of handoffs are sent back once for missing
    information. ``win_share`` of the ready leads buy, ``repeat_share`` of the
    customers buy again within ``follow_up_days``, and ``returning_share`` of
    leads come from an account seen before. Owners respond after
    ``response_mean`` of working time on average (exponentially distributed);
    a sale takes ``sales_cycle_mean`` of the closer's working time.
    """

    leads_per_day: int = attrs.field(default=40, validator=_bounded_count(_MOST_LEADS_PER_DAY))
    inbound_share: Decimal = attrs.field(
        default=Decimal("0.7"), converter=_to_decimal, validator=_share
    )
    not_target_share: Decimal = attrs.field(
        default=Decimal("0.25"), converter=_to_decimal, validator=_share
    )
    not_ready_share: Decimal = attrs.field(
        default=Decimal("0.3"), converter=_to_decimal, validator=_share
    )
    misqualified_share: Decimal = attrs.field(
        default=Decimal("0.15"), converter=_to_decimal, validator=_share
    )
    missing_information_share: Decimal = attrs.field(
        default=Decimal("0.08"), converter=_to_decimal, validator=_share
    )
    win_share: Decimal = attrs.field(
        default=Decimal("0.35"), converter=_to_decimal, validator=_share
    )
    repeat_share: Decimal = attrs.field(
        default=Decimal("0.3"), converter=_to_decimal, validator=_share
    )
    returning_share: Decimal = attrs.field(
        default=Decimal("0.2"), converter=_to_decimal, validator=_share
    )
    median_deal: Money = attrs.field(default=Money("400", "EUR"), validator=_deal)
    deal_spread: Decimal = attrs.field(
        default=Decimal("0.6"), converter=_to_decimal, validator=_spread
    )
    peak_ratio: Decimal = attrs.field(
        default=Decimal("1.5"), converter=_to_decimal, validator=_peak_ratio
    )
    peak_share: Decimal = attrs.field(
        default=Decimal("0.2"), converter=_to_decimal, validator=_share
    )
    zone: tzinfo = attrs.field(default=UTC, converter=_to_zone)
    arrival_weights: tuple[int, ...] = attrs.field(default=_DEFAULT_ARRIVALS, converter=_to_weights)
    response_mean: timedelta = attrs.field(default=timedelta(minutes=40), validator=_mean_span)
    sales_cycle_mean: timedelta = attrs.field(default=timedelta(hours=12), validator=_mean_span)
    follow_up_days: int = attrs.field(default=14, validator=_bounded_count(_MOST_FOLLOW_UP_DAYS))


def _optional_span(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        _positive_span(instance, attribute, value)


def _utc(instance: Any, attribute: Any, value: Any) -> None:
    _check.aware(attribute.name, value, context=type(instance).__name__)
    if value.tzinfo is not UTC:
        raise InvalidField(
            attribute.name, value, "a datetime in datetime.UTC", context=type(instance).__name__
        )


def _to_source(value: Any) -> LeadSource:
    return _check.choice(LeadSource, "source", value, context="StreamLead")


def _flag(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not bool:
        raise InvalidType(attribute.name, value, "True or False", context=type(instance).__name__)


def _money(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Money) or value.amount < 0:
        raise InvalidField(
            attribute.name, value, "Money of zero or more", context=type(instance).__name__
        )


@attrs.frozen(kw_only=True)
class StreamLead:
    """One lead of a stream and its nature: what will happen to it, whoever works it.

    ``at`` is when it arrives (in UTC). ``target`` and ``ready`` are the
    truth the qualification finds; ``misqualified`` marks a lead that is not
    ready yet passed on by a contact center; ``missing_information`` a
    handoff that comes back once for a missing detail; ``wins`` whether a
    ready lead buys after ``sales_cycle`` of the closer's working time; and
    ``repeat_after`` when (after the first sale) a customer buys again.
    """

    id: str = attrs.field(validator=_check.text_field)
    at: datetime = attrs.field(validator=_utc)
    source: LeadSource = attrs.field(converter=_to_source)
    account: str = attrs.field(validator=_check.text_field)
    returning: bool = attrs.field(validator=_flag)
    deal_value: Money = attrs.field(validator=_money)
    target: bool = attrs.field(validator=_flag)
    ready: bool = attrs.field(validator=_flag)
    misqualified: bool = attrs.field(validator=_flag)
    missing_information: bool = attrs.field(validator=_flag)
    wins: bool = attrs.field(validator=_flag)
    sales_cycle: timedelta = attrs.field(validator=_positive_span)
    repeat_after: timedelta | None = attrs.field(default=None, validator=_optional_span)

    @property
    def attributes(self) -> Mapping[str, str]:
        """What :class:`Rules` match on: ``source`` and ``account`` (``new`` or ``returning``)."""
        return {
            "source": self.source.value,
            "account": "returning" if self.returning else "new",
        }


def _to_leads(value: Any) -> tuple[StreamLead, ...]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise InvalidType("leads", value, "a sequence of StreamLead values")
    leads = tuple(value)
    seen: set[str] = set()
    for index, lead in enumerate(leads):
        if not isinstance(lead, StreamLead):
            raise InvalidType(f"leads[{index}]", lead, "a StreamLead")
        if lead.id in seen:
            raise InvalidField(f"leads[{index}].id", lead.id, "a lead id not used before")
        seen.add(lead.id)
        if index and lead.at < leads[index - 1].at:
            raise InvalidField(
                f"leads[{index}].at",
                lead.at,
                f"a time on or after the lead before ({leads[index - 1].at.isoformat()})",
            )
    return leads


def _profile(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, ShopProfile):
        raise InvalidType(attribute.name, value, "a ShopProfile", context=type(instance).__name__)


def _working_days(start: date, days: int) -> tuple[date, ...]:
    found: list[date] = []
    day = start
    while len(found) < days:
        if day.weekday() < 5:
            found.append(day)
        day += timedelta(days=1)
    return tuple(found)


def _midnight_after(day: date, zone: tzinfo) -> datetime:
    following = day + timedelta(days=1)
    return datetime(following.year, following.month, following.day, tzinfo=zone).astimezone(UTC)


@attrs.frozen(kw_only=True)
class LeadStream:
    """The leads of ``days`` working days (Monday to Friday) from ``start``, in arrival order.

    Build one with :meth:`generate`; the constructor takes hand-made leads
    too (in time order, ids unique), to replay a shop's own history.
    """

    profile: ShopProfile = attrs.field(validator=_profile)
    seed: int = attrs.field(validator=_count)
    start: date = attrs.field(validator=_start_field)
    days: int = attrs.field(validator=_bounded_count(_MOST_DAYS))
    leads: tuple[StreamLead, ...] = attrs.field(converter=_to_leads)

    def __attrs_post_init__(self) -> None:
        if self.leads and self.leads[-1].at >= self.end:
            raise InvalidField(
                f"leads[{len(self.leads) - 1}].at",
                self.leads[-1].at,
                f"a time before the stream's end ({self.end.isoformat()}), "
                f"midnight after its last working day",
                context="LeadStream",
            )

    @property
    def working_days(self) -> tuple[date, ...]:
        return _working_days(self.start, self.days)

    @property
    def end(self) -> datetime:
        """Midnight after the last working day, in the profile's zone (as UTC)."""
        return _midnight_after(self.working_days[-1], self.profile.zone)

    @classmethod
    def generate(
        cls,
        profile: ShopProfile | None = None,
        *,
        days: int = 20,
        seed: int,
        start: date = DEFAULT_START,
    ) -> LeadStream:
        """Draw the leads of ``days`` working days from ``profile`` and ``seed``.

        The same arguments give the same stream. Each day's count is drawn
        around its mean (binomial: mean ``m``, variance ``m / 2``), each lead
        from a generator of its own, so one lead's draws never shift another's.
        """
        profile = ShopProfile() if profile is None else profile
        if not isinstance(profile, ShopProfile):
            raise InvalidType("profile", profile, "a ShopProfile or None")
        _at_most("days", _check.whole("days", days, minimum=1), _MOST_DAYS)
        _check.whole("seed", seed, minimum=0)
        _start_date("start", start)
        root = Rng(seed).fork("stream")
        working = _working_days(start, days)
        peak_days = int((profile.peak_share * days).to_integral_value(rounding=ROUND_HALF_EVEN))
        first_peak = (days - peak_days) // 2
        peak_mean = int(
            (profile.peak_ratio * profile.leads_per_day).to_integral_value(rounding=ROUND_HALF_EVEN)
        )
        arrivals: list[datetime] = []
        for number, day in enumerate(working):
            day_rng = root.fork("day", number)
            peak = first_peak <= number < first_peak + peak_days
            for _ in range(day_rng.coin_flips(2 * (peak_mean if peak else profile.leads_per_day))):
                hour = day_rng.weighted_index(profile.arrival_weights)
                wall = datetime.combine(day, time(hour)) + timedelta(seconds=day_rng.below(3600))
                arrivals.append(wall.replace(tzinfo=profile.zone).astimezone(UTC))
        # Accounts are drawn in arrival order, so a returning lead's account came before it.
        arrivals.sort()
        account_rng = root.fork("accounts")
        accounts: list[str] = []
        natures: list[StreamLead] = []
        for number, at in enumerate(arrivals, start=1):
            returning = bool(accounts) and account_rng.chance(profile.returning_share)
            if returning:
                account = account_rng.choice(accounts)
            else:
                account = f"A-{len(accounts) + 1:05d}"
                accounts.append(account)
            natures.append(
                _nature(
                    profile, root.fork("lead", number), f"L-{number:05d}", at, account, returning
                )
            )
        leads = tuple(natures)
        return cls(profile=profile, seed=seed, start=start, days=days, leads=leads)


def _nature(
    profile: ShopProfile, rng: Rng, lead_id: str, at: datetime, account: str, returning: bool
) -> StreamLead:
    inbound = rng.chance(profile.inbound_share)
    target = not rng.chance(profile.not_target_share)
    ready = not rng.chance(profile.not_ready_share)
    misqualified = rng.chance(profile.misqualified_share)
    missing = rng.chance(profile.missing_information_share)
    wins = rng.chance(profile.win_share)
    repeats = rng.chance(profile.repeat_share)
    repeat_day = rng.randint(1, profile.follow_up_days)
    amount = rng.lognormal(profile.median_deal.amount, profile.deal_spread)
    cycle = rng.exponential(Decimal(profile.sales_cycle_mean // _SECOND))
    return StreamLead(
        id=lead_id,
        at=at,
        source=LeadSource.INBOUND if inbound else LeadSource.OUTBOUND,
        account=account,
        returning=returning,
        deal_value=Money(
            amount.to_integral_value(rounding=ROUND_HALF_EVEN), profile.median_deal.currency
        ),
        target=target,
        ready=ready,
        misqualified=target and not ready and misqualified,
        missing_information=missing,
        wins=wins,
        sales_cycle=max(_SECOND, timedelta(seconds=int(cycle))),
        repeat_after=timedelta(days=repeat_day) if repeats else None,
    )


# -- the report -------------------------------------------------------------------


def _is(kind: Any, expected: str) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if not isinstance(value, kind):
            raise InvalidType(attribute.name, value, expected, context=type(instance).__name__)

    return check


def _tuple_of(kind: type, expected: str) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if type(value) is not tuple or not all(isinstance(item, kind) for item in value):
            raise InvalidType(attribute.name, value, expected, context=type(instance).__name__)

    return check


@attrs.frozen
class PersonLoad:
    """One person's share of the run.

    ``assigned`` counts the leads given to them (first assignments,
    handoffs offered, reassignments and leads claimed from a queue);
    ``peak_open`` the most open leads they held at once; ``open_at_end``
    those they still held when the run ended; ``lapsed`` the response
    deadlines they let pass.
    """

    person: str = attrs.field(validator=_check.text_field)
    role: Role = attrs.field(validator=_is(Role, "a Role"))
    weight: int = attrs.field(validator=_positive_count)
    assigned: int = attrs.field(validator=_count)
    peak_open: int = attrs.field(validator=_count)
    open_at_end: int = attrs.field(validator=_count)
    lapsed: int = attrs.field(validator=_count)


@attrs.frozen
class HandoffTally:
    """Handoffs between roles: ``submitted == accepted + rejected + expired + pending``.

    ``rejected`` counts per reason; ``routes`` counts submissions per
    ``(from role, to role)``.
    """

    submitted: int = attrs.field(validator=_count)
    accepted: int = attrs.field(validator=_count)
    rejected: Mapping[RejectReason, int] = attrs.field(
        validator=_is(Mapping, "a mapping of RejectReason to a count")
    )
    expired: int = attrs.field(validator=_count)
    pending: int = attrs.field(validator=_count)
    routes: Mapping[tuple[Role, Role], int] = attrs.field(
        validator=_is(Mapping, "a mapping of (from role, to role) to a count")
    )

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


@attrs.frozen
class BreachTally:
    """Response deadlines missed: each is reassigned to the next eligible person or escalated
    to the role's queue (the hop limit was reached, or nobody eligible was left)."""

    breaches: int = attrs.field(validator=_count)
    reassigned: int = attrs.field(validator=_count)
    escalated: int = attrs.field(validator=_count)


@attrs.frozen
class Outcomes:
    """Where the leads ended: ``won + lost + disqualified + in_progress`` is every lead."""

    won: int = attrs.field(validator=_count)
    lost: int = attrs.field(validator=_count)
    disqualified: int = attrs.field(validator=_count)
    in_progress: int = attrs.field(validator=_count)
    repeat_purchases: int = attrs.field(validator=_count)
    won_value: Money = attrs.field(validator=_money)

    @property
    def total(self) -> int:
        return self.won + self.lost + self.disqualified + self.in_progress


@attrs.frozen
class SimulationReport:
    """What a run of :func:`simulate` found; :meth:`format` shows it as a table.

    ``people`` lists everyone in the team, in team order (people of a role
    the model does not use are there too, with nothing assigned).
    ``fairness`` is, per role, Jain's fairness index over the role's active
    people of leads assigned divided by weight: ``(sum x)^2 / (n * sum x^2)``,
    from ``1/n`` (one person got everything) to 1 (perfectly even), rounded
    half-even to four places; None when the role was given no leads.
    ``queued`` counts the leads that waited in a queue at least once,
    ``still_queued`` those waiting when the run ended.
    """

    model: SalesModel = attrs.field(validator=_is(SalesModel, "a SalesModel"))
    strategy: str = attrs.field(validator=_check.text_field)
    seed: int = attrs.field(validator=_count)
    stream_seed: int = attrs.field(validator=_count)
    start: date = attrs.field(validator=_check.date_field)
    days: int = attrs.field(validator=_positive_count)
    leads: int = attrs.field(validator=_count)
    deadline: timedelta = attrs.field(validator=_positive_span)
    max_hops: int = attrs.field(validator=_count)
    run_on: timedelta = attrs.field(validator=_is(timedelta, "a timedelta"))
    people: tuple[PersonLoad, ...] = attrs.field(
        validator=_tuple_of(PersonLoad, "a tuple of PersonLoad values")
    )
    assignments: int = attrs.field(validator=_count)
    handoffs: HandoffTally = attrs.field(validator=_is(HandoffTally, "a HandoffTally"))
    breaches: BreachTally = attrs.field(validator=_is(BreachTally, "a BreachTally"))
    queued: int = attrs.field(validator=_count)
    still_queued: int = attrs.field(validator=_count)
    outcomes: Outcomes = attrs.field(validator=_is(Outcomes, "an Outcomes"))
    conversion: Ratio = attrs.field(validator=_is(Ratio, "a Ratio"))
    fairness: Mapping[Role, Decimal | None] = attrs.field(converter=_to_fairness)

    def in_role(self, role: Role | str) -> tuple[PersonLoad, ...]:
        """The people of ``role``, in team order."""
        wanted = _check.choice(Role, "role", role)
        return tuple(person for person in self.people if person.role is wanted)

    def format(self) -> str:
        """The report as readable text: the figures, then one row per person."""
        out = self.outcomes
        hand = self.handoffs
        rejected = ", ".join(f"{reason.value} {n}" for reason, n in hand.rejected.items())
        lines = [
            f"Simulation: {self.model.value} with {self.strategy}, seed {self.seed}",
            f"Stream: {self.days} working days from {self.start.isoformat()} "
            f"(stream seed {self.stream_seed}), {self.leads} leads; ran on {_duration(self.run_on)}",
            f"Outcomes: {out.won} won ({out.won_value}), {out.lost} lost, "
            f"{out.disqualified} disqualified, {out.in_progress} in progress; "
            f"{out.repeat_purchases} repeat purchases",
            f"Conversion: {self.conversion.percent()} ({out.won} won / {self.leads} leads)",
            f"Handoffs: {hand.submitted} submitted, {hand.accepted} accepted, "
            f"{hand.rejected_total} rejected{f' ({rejected})' if rejected else ''}, "
            f"{hand.expired} expired, {hand.pending} pending",
        ]
        lines += [
            f"  {source.value} -> {target.value}: {count}"
            for (source, target), count in hand.routes.items()
        ]
        lines += [
            f"Response deadline {_duration(self.deadline)} of working time, "
            f"at most {self.max_hops} hops: {self.breaches.breaches} missed, "
            f"{self.breaches.reassigned} reassigned, {self.breaches.escalated} escalated to a queue",
            f"Queues: {self.queued} leads waited in a queue, {self.still_queued} still waiting",
            "Fairness (Jain's index of leads per weight, 1 = even): "
            + ", ".join(f"{role.value} {_fair(value)}" for role, value in self.fairness.items()),
            "",
        ]
        width = max([len("person"), *(len(p.person) for p in self.people)])
        lines.append(
            f"{'person':<{width}}  {'role':<15}  {'assigned':>8}  {'peak open':>9}  "
            f"{'open at end':>11}  {'lapsed':>6}"
        )
        lines += [
            f"{p.person:<{width}}  {p.role.value:<15}  {p.assigned:>8}  {p.peak_open:>9}  "
            f"{p.open_at_end:>11}  {p.lapsed:>6}"
            for p in self.people
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives."""
        return {
            "model": self.model.value,
            "strategy": self.strategy,
            "seed": self.seed,
            "stream_seed": self.stream_seed,
            "start": self.start.isoformat(),
            "days": self.days,
            "leads": self.leads,
            "deadline_seconds": self.deadline // _SECOND,
            "max_hops": self.max_hops,
            "run_on_seconds": self.run_on // _SECOND,
            "people": [
                {
                    "person": p.person,
                    "role": p.role.value,
                    "weight": p.weight,
                    "assigned": p.assigned,
                    "peak_open": p.peak_open,
                    "open_at_end": p.open_at_end,
                    "lapsed": p.lapsed,
                }
                for p in self.people
            ],
            "assignments": self.assignments,
            "handoffs": {
                "submitted": self.handoffs.submitted,
                "accepted": self.handoffs.accepted,
                "rejected": {r.value: n for r, n in self.handoffs.rejected.items()},
                "expired": self.handoffs.expired,
                "pending": self.handoffs.pending,
                "routes": [
                    {"from": a.value, "to": b.value, "submitted": n}
                    for (a, b), n in self.handoffs.routes.items()
                ],
            },
            "breaches": attrs.asdict(self.breaches),
            "queued": self.queued,
            "still_queued": self.still_queued,
            "outcomes": {
                "won": self.outcomes.won,
                "lost": self.outcomes.lost,
                "disqualified": self.outcomes.disqualified,
                "in_progress": self.outcomes.in_progress,
                "repeat_purchases": self.outcomes.repeat_purchases,
                "won_value": self.outcomes.won_value.to_dict(),
            },
            "conversion": {
                "numerator": self.conversion.numerator,
                "denominator": self.conversion.denominator,
                "value": None if self.conversion.value is None else str(self.conversion.value),
            },
            "fairness": {
                role.value: None if value is None else str(value)
                for role, value in self.fairness.items()
            },
        }


def _fair(value: Decimal | None) -> str:
    return "n/a" if value is None else str(value)


def _duration(span: timedelta) -> str:
    """``2h``, ``1h30m``, ``14d``: short and exact to the minute (seconds shown when present)."""
    seconds = span // _SECOND
    if seconds == 0:
        return "0"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)


def _jain(values: Sequence[Fraction]) -> Decimal | None:
    total = sum(values, Fraction(0))
    if not values or total == 0:
        return None
    index = total * total / (len(values) * sum((v * v for v in values), Fraction(0)))
    exact = Decimal(index.numerator) / Decimal(index.denominator)
    return exact.quantize(_FOUR_PLACES, rounding=ROUND_HALF_EVEN)


# -- the run ----------------------------------------------------------------------

_ARRIVE, _RESPOND, _DUE, _RESUBMIT, _CLOSE, _REPEAT, _ACCOUNT_DONE, _RETRY = range(8)


class _Case:
    """One lead in flight: its aggregates and where it stands in the run."""

    __slots__ = (
        "epoch",
        "escalated",
        "fixed",
        "handing_off",
        "holder",
        "hops",
        "index",
        "lead",
        "nature",
        "queued_for",
        "record",
        "rng",
        "role",
        "sender",
        "sender_role",
        "tried",
        "waited",
        "won_at",
    )

    def __init__(self, index: int, nature: StreamLead, rng: Rng, lead: Lead, role: Role) -> None:
        self.index = index
        self.nature = nature
        self.rng = rng
        self.lead = lead
        self.record: Ownership | None = None
        self.role = role
        self.holder: str | None = None
        self.sender: str | None = None
        self.sender_role: Role | None = None
        self.handing_off = False
        self.hops = 0
        self.tried: frozenset[str] = frozenset()
        self.escalated = False
        self.queued_for: Role | None = None
        self.waited = False
        self.fixed = False
        self.won_at: datetime | None = None
        self.epoch = 0


class _Run:
    """The event loop of one simulation (private; :func:`simulate` is the way in)."""

    def __init__(
        self,
        model: SalesModel,
        dispatcher: Dispatcher,
        team: Team,
        stream: LeadStream,
        seed: int,
        deadline: timedelta,
        max_hops: int,
        run_on: timedelta,
    ) -> None:
        self.model = model
        self.team = team
        self.stream = stream
        self.dispatcher = dispatcher
        self.deadline = deadline
        self.max_hops = max_hops
        self.end = stream.end + run_on
        self.behaviour = Rng(seed).fork("behaviour")
        self.response_mean = Decimal(stream.profile.response_mean // _SECOND)
        self.follow_up = timedelta(days=stream.profile.follow_up_days)
        self.heap: list[tuple[datetime, int, int, int, int]] = []
        self.sequence = 0
        self.cases: list[_Case | None] = [None] * len(stream.leads)
        self.queues: dict[Role, deque[_Case]] = {role: deque() for role in model.roles}
        self.retry_at: dict[Role, datetime] = {}
        self.dirty: set[Role] = set()
        self.people = {role: team.in_role(role) for role in model.roles}
        self.role_of = {person.id: person.role for person in team}
        self.hours = _hours_by_person(team)
        self.load = dict.fromkeys(self.role_of, 0)
        self.peak = dict.fromkeys(self.role_of, 0)
        self.assigned = dict.fromkeys(self.role_of, 0)
        self.lapsed = dict.fromkeys(self.role_of, 0)
        self.account_owner: dict[tuple[str, Role], str] = {}
        self.assignments = 0
        self.submitted = 0
        self.accepted = 0
        self.rejected: dict[RejectReason, int] = {}
        self.expired = 0
        self.routes: dict[tuple[Role, Role], int] = {}
        self.breaches = 0
        self.reassigned = 0
        self.escalated = 0
        self.queued = 0
        self.repeats = 0

    # -- the loop ------------------------------------------------------------------

    def push(self, at: datetime, kind: int, index: int, epoch: int = 0) -> None:
        self.sequence += 1
        heapq.heappush(self.heap, (at, self.sequence, kind, index, epoch))

    def run(self) -> None:
        for index, nature in enumerate(self.stream.leads):
            self.push(nature.at, _ARRIVE, index)
        handlers = {
            _RESPOND: self.respond,
            _DUE: self.lapse,
            _RESUBMIT: self.resubmit,
            _CLOSE: self.close,
            _REPEAT: self.repeat,
            _ACCOUNT_DONE: self.account_done,
        }
        heap = self.heap
        while heap:
            at, _sequence, kind, index, epoch = heapq.heappop(heap)
            if at >= self.end:
                break
            if kind == _ARRIVE:
                self.arrive(index, at)
            elif kind == _RETRY:
                role = self.model.roles[index]
                if self.retry_at.get(role) == at:
                    del self.retry_at[role]
                self.dirty.add(role)
            else:
                case = self.cases[index]
                assert case is not None
                if kind in (_RESPOND, _DUE, _RESUBMIT) and epoch != case.epoch:
                    continue  # superseded: the lead moved on since this was scheduled
                handlers[kind](case, at)
            if self.dirty:
                for role in self.model.roles:
                    if role in self.dirty:
                        self.drain(role, at)
                self.dirty.clear()

    # -- people and time -------------------------------------------------------------

    def add(self, person: str, at: datetime, span: timedelta) -> datetime:
        """``span`` of ``person``'s working time from ``at``, as the response deadline
        counts it (a moment beyond what working hours count never comes during the run)."""
        return _due_at(self.hours, person, at, span)

    def _deadline(self, person: str, at: datetime) -> datetime:
        """When ``person``'s response deadline from ``at`` passes. Working time never
        runs faster than the calendar, so a deadline that reaches the run's end in
        calendar time passes after it: it is not counted out day by day (a long
        deadline would cost a walk through years of shifts per lead)."""
        if self.deadline >= self.end - at:
            return END_OF_TIME
        return self.add(person, at, self.deadline)

    def delay(self, case: _Case) -> timedelta:
        seconds = case.rng.exponential(self.response_mean)
        return timedelta(seconds=int(seconds))

    def release(self, person: str) -> None:
        self.dispatcher.release(person)
        self.load[person] -= 1
        self.dirty.add(self.role_of[person])

    # -- assigning -------------------------------------------------------------------

    def seek(self, case: _Case, role: Role, at: datetime, exclude: Iterable[str] = ()) -> bool:
        """Give ``case`` to someone of ``role`` now; False when nobody is eligible."""
        nature = case.nature
        decision = self.dispatcher.assign(
            nature.id,
            role,
            at=at,
            account_owner=self.account_owner.get((nature.account, role)),
            attributes=nature.attributes,
            exclude=exclude,
        )
        if decision.person is None:
            return False
        self.place(case, role, decision.person, at)
        return True

    def place(self, case: _Case, role: Role, person: str, at: datetime) -> None:
        self.assignments += 1
        self.assigned[person] += 1
        load = self.load[person] = self.load[person] + 1
        self.peak[person] = max(self.peak[person], load)
        self.account_owner[(case.nature.account, role)] = person
        case.role, case.holder = role, person
        watched = not case.escalated
        due = self._deadline(person, at) if watched else None
        record = case.record
        if case.handing_off:
            assert record is not None
            route = (record.role, role)
            self.routes[route] = self.routes.get(route, 0) + 1
            self.submitted += 1
            case.record = record.hand_off(
                role, to_person=person, at=at, expires_at=due, actor=case.sender or "system"
            ).ownership
        elif record is None:
            case.record = Ownership.start(
                lead_id=case.nature.id, role=role, person=person, at=at
            ).ownership
        elif record.person != person:
            case.record = record.reassign(person, at=at).ownership
        case.epoch += 1
        delay = self.delay(case)
        if due is not None and delay >= self.deadline:
            self.push(due, _DUE, case.index, case.epoch)
        else:
            self.push(self.add(person, at, delay), _RESPOND, case.index, case.epoch)

    def enqueue(self, case: _Case, role: Role, at: datetime) -> None:
        case.queued_for = role
        if not case.waited:
            case.waited = True
            self.queued += 1
        self.queues[role].append(case)
        self.schedule_retry(role, at)

    def schedule_retry(self, role: Role, at: datetime) -> None:
        """Look again when someone of ``role`` comes back or starts a shift (a release
        of someone at capacity looks again by itself)."""
        when: datetime | None = None
        for person in self.people[role]:
            if not person.active:
                continue
            absence = person.away_at(at)
            if absence is not None:
                candidate: datetime | None = _zones.utc(absence.end)
            elif person.hours.window(at)[0]:
                continue
            else:
                candidate = person.hours.next_start(at)
            if candidate is not None and candidate > at and (when is None or candidate < when):
                when = candidate.astimezone(UTC)
        if when is None:
            return
        pending = self.retry_at.get(role)
        if pending is None or when < pending:
            self.retry_at[role] = when
            self.push(when, _RETRY, self.model.roles.index(role))

    def drain(self, role: Role, at: datetime) -> None:
        queue = self.queues[role]
        if not isinstance(self.dispatcher.strategy, Rules):
            # Every queued lead of the role meets the same filter: when the first
            # cannot be placed, none can.
            while queue:
                case = queue[0]
                if not self.seek(case, role, at):
                    self.schedule_retry(role, at)
                    return
                queue.popleft()
                case.queued_for = None
            return
        # Under rules each lead's rule filters people by its own tags: a lead nobody
        # can take now must not hold up the leads behind it.
        blocked: deque[_Case] = deque()
        while queue:
            case = queue.popleft()
            if self.seek(case, role, at):
                case.queued_for = None
            else:
                blocked.append(case)
        if blocked:
            queue.extend(blocked)
            self.schedule_retry(role, at)

    # -- the events ------------------------------------------------------------------

    def arrive(self, index: int, at: datetime) -> None:
        nature = self.stream.leads[index]
        lead = Lead.create(
            lead_id=nature.id, source=nature.source, at=at, deal_value=nature.deal_value
        ).lead
        role = owner_of(self.model, lead)
        case = self.cases[index] = _Case(index, nature, self.behaviour.fork(index), lead, role)
        if not self.seek(case, role, at):
            case.record = Ownership.start(lead_id=nature.id, role=role, at=at).ownership
            self.enqueue(case, role, at)

    def lapse(self, case: _Case, at: datetime) -> None:
        """The owner let the response deadline pass: the next eligible person, or the queue."""
        person = case.holder
        assert person is not None
        self.breaches += 1
        self.lapsed[person] += 1
        self.release(person)
        case.holder = None
        if case.handing_off:
            assert case.record is not None
            case.record = case.record.expire(at=at).ownership
            self.expired += 1
        role = case.role

        def find(exclude: frozenset[str]) -> str | None:
            return case.holder if self.seek(case, role, at, exclude=exclude) else None

        step = _after_lapse(person, case.tried, case.hops, self.max_hops, find)
        case.tried, case.hops = step.tried, step.hop
        if step.to_person is not None:
            self.reassigned += 1
            return
        self.escalated += 1
        case.escalated = True
        self.enqueue(case, case.role, at)

    def respond(self, case: _Case, at: datetime) -> None:
        if case.handing_off:
            self.receive(case, at)
        else:
            self.qualify(case, at)

    def qualify(self, case: _Case, at: datetime) -> None:
        """The first owner's first call: qualify or disqualify, then hand on or sell."""
        person = case.holder
        assert person is not None
        nature, lead = case.nature, case.lead
        if nature.source is LeadSource.OUTBOUND:
            lead = lead.advance(at=at, actor=person).lead
        passes = nature.ready or (case.role is Role.QUALIFIER and nature.misqualified)
        if not nature.target:
            case.lead = lead.disqualify(at=at, actor=person).lead
            self.release(person)
            return
        if not passes:
            case.lead = lead.lose(
                LostReason.NOT_READY, at=at, come_back_on=(at + _COME_BACK).date(), actor=person
            ).lead
            self.release(person)
            return
        case.lead = lead.qualify(at=at, actor=person).lead
        self.next_role(case, at, person)

    def next_role(self, case: _Case, at: datetime, person: str) -> None:
        """Hand the lead to the role the model gives it now, or let ``person`` go on."""
        assert case.record is not None
        to_role = needs_handoff(self.model, case.lead, case.record)
        if to_role is not None:
            self.hand_off(case, to_role, at)
        elif case.lead.stage.is_open:
            self.push(self.add(person, at, case.nature.sales_cycle), _CLOSE, case.index)
        else:
            self.release(person)  # a customer who stays with the seller holds no open work

    def hand_off(self, case: _Case, to_role: Role, at: datetime) -> None:
        case.handing_off = True
        case.sender, case.sender_role = case.holder, case.role
        case.hops, case.tried, case.escalated = 0, frozenset(), False
        if not self.seek(case, to_role, at):
            self.enqueue(case, to_role, at)

    def receive(self, case: _Case, at: datetime) -> None:
        """The receiving person acts on a handoff: rejects it back, or accepts it."""
        person, sender = case.holder, case.sender
        assert person is not None
        assert sender is not None
        assert case.record is not None
        nature = case.nature
        from_qualifier = case.sender_role is Role.QUALIFIER
        reason: RejectReason | None = None
        if from_qualifier and nature.misqualified:
            reason = RejectReason.NOT_QUALIFIED
        elif from_qualifier and nature.missing_information and not case.fixed:
            reason = RejectReason.MISSING_INFORMATION
        if reason is not None:
            case.record = case.record.reject(reason, at=at, actor=person).ownership
            self.rejected[reason] = self.rejected.get(reason, 0) + 1
            self.release(person)
            case.handing_off = False
            case.holder, case.role = sender, Role.QUALIFIER
            if reason is RejectReason.NOT_QUALIFIED:
                case.lead = case.lead.lose(
                    LostReason.NOT_READY, at=at, come_back_on=(at + _COME_BACK).date(), actor=sender
                ).lead
                self.release(sender)
            else:
                case.fixed = True
                case.epoch += 1
                self.push(self.add(sender, at, self.delay(case)), _RESUBMIT, case.index, case.epoch)
            return
        case.record = case.record.accept(at=at).ownership
        self.accepted += 1
        self.release(sender)
        case.handing_off, case.sender = False, None
        if case.role is Role.ACCOUNT_MANAGER:
            repeat = nature.repeat_after
            won_at = case.won_at
            assert won_at is not None
            done = max(at, won_at + repeat) if repeat is not None else at + self.follow_up
            self.push(done, _ACCOUNT_DONE, case.index)
        else:
            self.push(self.add(person, at, nature.sales_cycle), _CLOSE, case.index)

    def resubmit(self, case: _Case, at: datetime) -> None:
        """The qualifier added what was missing and hands the lead on again."""
        assert case.holder is not None
        self.next_role(case, at, case.holder)

    def close(self, case: _Case, at: datetime) -> None:
        """The sale ends: won (and perhaps on to an account manager), or lost."""
        person = case.holder
        assert person is not None
        nature = case.nature
        lead = case.lead.fast_track(at=at, actor=person).lead
        if not nature.wins:
            reason = case.rng.choice(_LOSS_REASONS)
            case.lead = lead.lose(reason, at=at, actor=person).lead
            self.release(person)
            return
        case.lead = lead.win(at=at, actor=person).lead
        case.won_at = at
        if nature.repeat_after is not None:
            self.push(at + nature.repeat_after, _REPEAT, case.index)
        self.next_role(case, at, person)

    def repeat(self, case: _Case, at: datetime) -> None:
        assert case.record is not None
        actor = case.record.person or "system"
        case.lead = case.lead.repeat_purchase(at=at, actor=actor).lead
        self.repeats += 1

    def account_done(self, case: _Case, at: datetime) -> None:
        """The account manager's follow-up of a new customer is over."""
        assert case.holder is not None
        self.release(case.holder)

    # -- the report ------------------------------------------------------------------

    def report(self, seed: int, strategy: Strategy) -> SimulationReport:
        people = tuple(
            PersonLoad(
                person.id,
                person.role,
                person.weight,
                self.assigned[person.id],
                self.peak[person.id],
                self.load[person.id],
                self.lapsed[person.id],
            )
            for person in self.team
        )
        weights = {person.id: person.weight for person in self.team}
        fairness = {
            role: _jain(
                [
                    Fraction(self.assigned[p.id], weights[p.id])
                    for p in self.people[role]
                    if p.active
                ]
            )
            for role in self.model.roles
        }
        cases = [case for case in self.cases if case is not None]
        won = lost = disqualified = 0
        currency = self.stream.profile.median_deal.currency
        won_value = Money.zero(currency)
        for case in cases:
            stage = case.lead.stage
            if stage in (LeadStage.CUSTOMER, LeadStage.RETAINED):
                won += 1
                won_value += case.nature.deal_value
            elif stage is LeadStage.LOST:
                if case.lead.lost_reason is LostReason.NOT_TARGET:
                    disqualified += 1
                else:
                    lost += 1
        leads = len(self.stream.leads)
        outcomes = Outcomes(
            won, lost, disqualified, leads - won - lost - disqualified, self.repeats, won_value
        )
        pending = sum(
            1 for case in cases if case.record is not None and case.record.pending is not None
        )
        reasons = {r: self.rejected[r] for r in RejectReason if r in self.rejected}
        routes = {(a, b): self.routes[(a, b)] for a in Role for b in Role if (a, b) in self.routes}
        return SimulationReport(
            model=self.model,
            strategy=strategy.name,
            seed=seed,
            stream_seed=self.stream.seed,
            start=self.stream.start,
            days=self.stream.days,
            leads=leads,
            deadline=self.deadline,
            max_hops=self.max_hops,
            run_on=self.end - self.stream.end,
            people=people,
            assignments=self.assignments,
            handoffs=HandoffTally(
                self.submitted,
                self.accepted,
                MappingProxyType(reasons),
                self.expired,
                pending,
                MappingProxyType(routes),
            ),
            breaches=BreachTally(self.breaches, self.reassigned, self.escalated),
            queued=self.queued,
            still_queued=sum(len(queue) for queue in self.queues.values()),
            outcomes=outcomes,
            conversion=Ratio(
                "lead conversion rate",
                won,
                leads,
                variant="simulated",
                formula="won leads / leads",
            ),
            fairness=MappingProxyType(fairness),
        )


# -- the public functions ---------------------------------------------------------


def _check_team(model: SalesModel, team: Any) -> Team:
    if not isinstance(team, Team):
        raise InvalidType("team", team, "a Team")
    staffed = {person.role for person in team if person.active}
    missing = [role.value for role in model.roles if role not in staffed]
    if missing:
        raise InvalidField(
            "team",
            sorted(role.value for role in staffed),
            f"an active person in every role {model.value} uses "
            f"({', '.join(r.value for r in model.roles)}); missing: {', '.join(missing)}",
        )
    return team


def _stream(stream: Any, profile: Any, days: Any, start: Any, seed: int) -> LeadStream:
    if stream is None:
        return LeadStream.generate(
            profile,
            days=20 if days is None else days,
            seed=seed,
            start=DEFAULT_START if start is None else start,
        )
    if not isinstance(stream, LeadStream):
        raise InvalidType("stream", stream, "a LeadStream or None")
    given = [
        name
        for name, value in (("profile", profile), ("days", days), ("start", start))
        if value is not None
    ]
    if given:
        raise InvalidField(
            "stream",
            stream.seed,
            f"either a stream or {', '.join(given)} to generate one, not both",
        )
    return stream


def simulate(
    model: SalesModel | str,
    strategy: Strategy,
    *,
    team: Team,
    seed: int,
    stream: LeadStream | None = None,
    profile: ShopProfile | None = None,
    days: int | None = None,
    start: date | None = None,
    deadline: timedelta = timedelta(hours=2),
    max_hops: int = 2,
    run_on: timedelta = timedelta(days=14),
) -> SimulationReport:
    """Replay a stream of leads through ``model`` with ``strategy`` and report what happened.

    The stream is ``stream``, or one generated from ``profile`` (default
    :class:`ShopProfile`), ``days`` (20) and ``start`` (:data:`DEFAULT_START`)
    with ``seed``; ``seed`` also drives the owners' response delays. Leads
    arrive over the stream's working days, and the run goes on for
    ``run_on`` after the last one so that late leads settle; whatever is
    still in flight then is reported open (``in_progress``,
    ``open_at_end``, pending handoffs, still queued).

    ``deadline`` is the response deadline in the owner's working hours and
    ``max_hops`` how often a lead is reassigned before it goes to the role's
    queue. Refused: an unknown model or strategy, a team without an active
    person in a role the model uses (the error names it), a seed or day
    count that is not a whole number of at least 0 (1 for days), a
    ``deadline`` under a second, and a stream together with the arguments
    that would generate one.
    """
    sales_model = _model(model)
    team = _check_team(sales_model, team)
    _check.whole("seed", seed, minimum=0)
    _check.whole("max_hops", max_hops, minimum=0)
    deadline = _span("deadline", deadline, minimum=_SECOND)
    run_on = _span("run_on", run_on, minimum=timedelta(0))
    if run_on > _LONGEST_RUN_ON:
        raise InvalidField("run_on", run_on, f"at most {_duration(_LONGEST_RUN_ON)} (ten years)")
    dispatcher = Dispatcher(team, strategy)
    replayed = _stream(stream, profile, days, start, seed)
    run = _Run(sales_model, dispatcher, team, replayed, seed, deadline, max_hops, run_on)
    run.run()
    return run.report(seed, dispatcher.strategy)


def default_team(
    model: SalesModel | str,
    *,
    people_per_role: int | Mapping[Role | str, int] = 3,
    zone: tzinfo | str = "UTC",
    hours: WorkingHours | None = None,
    capacity: int | None = None,
) -> Team:
    """A uniform team for ``model``: ``people_per_role`` people in each role it uses.

    People are named after their role (``qual-1``, ``closer-2``, ``am-1``,
    ``mgr-1``) and work ``hours`` (default: office hours, Monday to Friday
    9:00 to 17:00 in ``zone``), with weight 1 and ``capacity``.
    ``people_per_role`` may be a mapping from role to head count, which
    must then cover every role of the model.

    >>> from salesflow.routing import SalesModel
    >>> [p.id for p in default_team(SalesModel.TWO_TIER_CONTACT_CENTER, people_per_role=2)]
    ['qual-1', 'qual-2', 'closer-1', 'closer-2']
    """
    sales_model = _model(model)
    if hours is None:
        hours = WorkingHours.office(zone)
    elif not isinstance(hours, WorkingHours):
        raise InvalidType("hours", hours, "WorkingHours or None (office hours in zone)")
    counts: dict[Role, int] = {}
    if isinstance(people_per_role, Mapping):
        given: dict[Role, int] = {}
        for role, count in people_per_role.items():
            key = _check.choice(Role, "people_per_role", role)
            field = f"people_per_role[{key.value!r}]"
            given[key] = _at_most(
                field, _check.whole(field, count, minimum=1), _MOST_PEOPLE_PER_ROLE
            )
        for role in sales_model.roles:
            if role not in given:
                raise InvalidField(
                    "people_per_role",
                    sorted(r.value for r in given),
                    f"a head count for every role {sales_model.value} uses (missing: {role.value})",
                )
            counts[role] = given[role]
    else:
        count = _at_most(
            "people_per_role",
            _check.whole("people_per_role", people_per_role, minimum=1),
            _MOST_PEOPLE_PER_ROLE,
        )
        counts = dict.fromkeys(sales_model.roles, count)
    return Team(
        [
            Person(f"{_SHORT[role]}-{n}", role, hours=hours, capacity=capacity)
            for role in sales_model.roles
            for n in range(1, counts[role] + 1)
        ]
    )


def compare_models(
    models: Iterable[SalesModel | str] = tuple(SalesModel),
    *,
    strategy: Strategy,
    seed: int,
    teams: Mapping[SalesModel | str, Team] | None = None,
    stream: LeadStream | None = None,
    profile: ShopProfile | None = None,
    days: int | None = None,
    start: date | None = None,
    deadline: timedelta = timedelta(hours=2),
    max_hops: int = 2,
    run_on: timedelta = timedelta(days=14),
) -> tuple[SimulationReport, ...]:
    """Replay the same stream through each of ``models``: one report per model, in order.

    ``teams`` maps each model to its team (it must cover every model);
    None gives each model a :func:`default_team` in the stream's zone. The
    other arguments mean what they mean for :func:`simulate`.
    """
    if isinstance(models, str) or not isinstance(models, Iterable):
        raise InvalidType("models", models, "an iterable of SalesModel values")
    chosen = [_model(model, f"models[{index}]") for index, model in enumerate(models)]
    if not chosen:
        raise InvalidField("models", [], "at least one sales model")
    if len(set(chosen)) != len(chosen):
        raise InvalidField("models", [m.value for m in chosen], "each model at most once")
    replayed = _stream(stream, profile, days, start, seed)
    if teams is None:
        by_model = {model: default_team(model, zone=replayed.profile.zone) for model in chosen}
    elif not isinstance(teams, Mapping):
        raise InvalidType("teams", teams, "a mapping of SalesModel to Team, or None")
    else:
        given = {_model(model, "teams"): team for model, team in teams.items()}
        for model in chosen:
            if model not in given:
                raise InvalidField(
                    "teams", sorted(m.value for m in given), f"a team for {model.value}"
                )
        by_model = given
    return tuple(
        simulate(
            model,
            strategy,
            team=by_model[model],
            seed=seed,
            stream=replayed,
            deadline=deadline,
            max_hops=max_hops,
            run_on=run_on,
        )
        for model in chosen
    )


def format_comparison(reports: Iterable[SimulationReport]) -> str:
    """One row per report: leads, people, leads assigned per person (min / mean / max),
    handoffs, missed response deadlines, conversion and the least even role's fairness."""
    if isinstance(reports, str) or not isinstance(reports, Iterable):
        raise InvalidType("reports", reports, "an iterable of SimulationReport values")
    rows = list(reports)
    for index, report in enumerate(rows):
        if not isinstance(report, SimulationReport):
            raise InvalidType(f"reports[{index}]", report, "a SimulationReport")
    header = (
        f"{'model':<26}  {'leads':>5}  {'people':>6}  {'assigned per person':>21}  "
        f"{'handoffs':>8}  {'missed':>6}  {'conversion':>10}  fairness (least even role)"
    )
    lines = [header]
    for report in rows:
        roles = report.model.roles
        counts = [person.assigned for person in report.people if person.role in roles]
        mean = (Decimal(sum(counts)) / Decimal(len(counts))).quantize(
            _ONE_PLACE, rounding=ROUND_HALF_EVEN
        )
        load = f"{min(counts)} / {mean} / {max(counts)}"
        defined = [(value, role) for role, value in report.fairness.items() if value is not None]
        fairness = "n/a"
        if defined:
            value, role = min(defined, key=lambda item: item[0])
            fairness = f"{value} ({role.value})"
        lines.append(
            f"{report.model.value:<26}  {report.leads:>5}  {len(counts):>6}  {load:>21}  "
            f"{report.handoffs.submitted:>8}  {report.breaches.breaches:>6}  "
            f"{report.conversion.percent():>10}  {fairness}"
        )
    return "\n".join(lines)
