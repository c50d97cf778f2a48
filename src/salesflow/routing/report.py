"""What a simulation found: the report, its counts, and the text tables that show them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from types import MappingProxyType
from typing import Any, Final

import attrs

from salesflow import _check
from salesflow._results import Ratio
from salesflow.errors import InvalidField, InvalidType
from salesflow.money import Money
from salesflow.routing._simcheck import (
    SECOND,
    count,
    duration,
    money,
    positive_count,
    positive_span,
)
from salesflow.routing.events import RejectReason
from salesflow.routing.models import Role, SalesModel

__all__ = [
    "BreachCounts",
    "HandoffCounts",
    "LeadTotals",
    "PersonLoad",
    "SimulationReport",
    "format_comparison",
]

_ONE_PLACE: Final = Decimal("0.1")


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
    weight: int = attrs.field(validator=positive_count)
    assigned: int = attrs.field(validator=count)
    peak_open: int = attrs.field(validator=count)
    open_at_end: int = attrs.field(validator=count)
    lapsed: int = attrs.field(validator=count)


@attrs.frozen
class HandoffCounts:
    """Handoffs between roles: ``submitted == accepted + rejected + expired + pending``.

    ``rejected`` counts per reason; ``routes`` counts submissions per
    ``(from role, to role)``.
    """

    submitted: int = attrs.field(validator=count)
    accepted: int = attrs.field(validator=count)
    rejected: Mapping[RejectReason, int] = attrs.field(
        validator=_is(Mapping, "a mapping of RejectReason to a count")
    )
    expired: int = attrs.field(validator=count)
    pending: int = attrs.field(validator=count)
    routes: Mapping[tuple[Role, Role], int] = attrs.field(
        validator=_is(Mapping, "a mapping of (from role, to role) to a count")
    )

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


@attrs.frozen
class BreachCounts:
    """Response deadlines missed: each is reassigned to the next eligible person or escalated
    to the role's queue (the hop limit was reached, or nobody eligible was left)."""

    breaches: int = attrs.field(validator=count)
    reassigned: int = attrs.field(validator=count)
    escalated: int = attrs.field(validator=count)


@attrs.frozen
class LeadTotals:
    """Where the leads ended: ``won + lost + disqualified + in_progress`` is every lead."""

    won: int = attrs.field(validator=count)
    lost: int = attrs.field(validator=count)
    disqualified: int = attrs.field(validator=count)
    in_progress: int = attrs.field(validator=count)
    repeat_purchases: int = attrs.field(validator=count)
    won_value: Money = attrs.field(validator=money)

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
    seed: int = attrs.field(validator=count)
    stream_seed: int = attrs.field(validator=count)
    start: date = attrs.field(validator=_check.date_field)
    days: int = attrs.field(validator=positive_count)
    leads: int = attrs.field(validator=count)
    deadline: timedelta = attrs.field(validator=positive_span)
    max_hops: int = attrs.field(validator=count)
    run_on: timedelta = attrs.field(validator=_is(timedelta, "a timedelta"))
    people: tuple[PersonLoad, ...] = attrs.field(
        validator=_tuple_of(PersonLoad, "a tuple of PersonLoad values")
    )
    assignments: int = attrs.field(validator=count)
    handoffs: HandoffCounts = attrs.field(validator=_is(HandoffCounts, "a HandoffCounts"))
    breaches: BreachCounts = attrs.field(validator=_is(BreachCounts, "a BreachCounts"))
    queued: int = attrs.field(validator=count)
    still_queued: int = attrs.field(validator=count)
    outcomes: LeadTotals = attrs.field(validator=_is(LeadTotals, "a LeadTotals"))
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
            f"(stream seed {self.stream_seed}), {self.leads} leads; ran on {duration(self.run_on)}",
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
            f"Response deadline {duration(self.deadline)} of working time, "
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
            "deadline_seconds": self.deadline // SECOND,
            "max_hops": self.max_hops,
            "run_on_seconds": self.run_on // SECOND,
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
