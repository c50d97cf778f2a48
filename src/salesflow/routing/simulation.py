"""Simulations: replay a lead stream through a sales model and a strategy, and compare models."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta, tzinfo
from typing import Any, Final

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.routing._run import Run
from salesflow.routing._simcheck import SECOND, at_most, duration
from salesflow.routing.dispatcher import Dispatcher
from salesflow.routing.hours import WorkingHours
from salesflow.routing.models import Role, SalesModel
from salesflow.routing.people import Person, Team
from salesflow.routing.profile import ShopProfile
from salesflow.routing.report import SimulationReport
from salesflow.routing.strategies import Strategy
from salesflow.routing.stream import DEFAULT_START, LeadStream

__all__ = ["compare_models", "default_team", "simulate"]

_LONGEST_RUN_ON: Final = timedelta(days=3653)
_MOST_PEOPLE_PER_ROLE: Final = 1_000
_SHORT: Final = {
    Role.MANAGER: "mgr",
    Role.QUALIFIER: "qual",
    Role.CLOSER: "closer",
    Role.ACCOUNT_MANAGER: "am",
}


# -- checks -----------------------------------------------------------------------


def _model(value: Any, field: str = "model") -> SalesModel:
    return _check.choice(SalesModel, field, value)


def _span(field: str, value: Any, *, minimum: timedelta) -> timedelta:
    expected = f"a timedelta of at least {duration(minimum)}"
    if not isinstance(value, timedelta):
        raise InvalidType(field, value, expected)
    if value < minimum:
        raise InvalidField(field, value, expected)
    return value


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
    deadline = _span("deadline", deadline, minimum=SECOND)
    run_on = _span("run_on", run_on, minimum=timedelta(0))
    if run_on > _LONGEST_RUN_ON:
        raise InvalidField("run_on", run_on, f"at most {duration(_LONGEST_RUN_ON)} (ten years)")
    dispatcher = Dispatcher(team, strategy)
    replayed = _stream(stream, profile, days, start, seed)
    run = Run(sales_model, dispatcher, team, replayed, seed, deadline, max_hops, run_on)
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
            given[key] = at_most(
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
        count = at_most(
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
