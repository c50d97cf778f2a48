"""Seeded lead streams: the leads a simulation replays, drawn from a shop profile."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Final

import attrs

from salesflow import _check
from salesflow._rng import Rng
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads import LeadSource
from salesflow.money import Money
from salesflow.routing._simcheck import SECOND, at_most, bounded_count, count, money, positive_span
from salesflow.routing.profile import ShopProfile

__all__ = ["DEFAULT_START", "LeadStream", "StreamLead"]

DEFAULT_START: Final = date(2026, 3, 2)
"""The Monday a generated stream starts on unless told otherwise."""

_MOST_DAYS: Final = 2610  # ten years of working days
# A stream starts where its days, plus the longest run on, stay inside the calendar in any zone.
_FIRST_START: Final = date(1, 1, 3)
_LAST_START: Final = date(9979, 12, 31)


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


def _optional_span(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        positive_span(instance, attribute, value)


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
    deal_value: Money = attrs.field(validator=money)
    target: bool = attrs.field(validator=_flag)
    ready: bool = attrs.field(validator=_flag)
    misqualified: bool = attrs.field(validator=_flag)
    missing_information: bool = attrs.field(validator=_flag)
    wins: bool = attrs.field(validator=_flag)
    sales_cycle: timedelta = attrs.field(validator=positive_span)
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
    seed: int = attrs.field(validator=count)
    start: date = attrs.field(validator=_start_field)
    days: int = attrs.field(validator=bounded_count(_MOST_DAYS))
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
        at_most("days", _check.whole("days", days, minimum=1), _MOST_DAYS)
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
    cycle = rng.exponential(Decimal(profile.sales_cycle_mean // SECOND))
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
        sales_cycle=max(SECOND, timedelta(seconds=int(cycle))),
        repeat_after=timedelta(days=repeat_day) if repeats else None,
    )
