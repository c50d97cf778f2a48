"""manager_kpis on tables: each manager's sums taken in the engine, one row per name out.

``leads`` is a table of lead records (``manager``, ``won_at``, ``revenue``,
``currency``, ``cost``, ``created_at``, ``lead_id``), ``activities`` one of
``manager, kind, at`` and ``surveys`` one of ``manager`` or ``lead_id``,
``score``, ``at``: the records' keys as columns. Sums are grouped by the
manager as written; the names are then checked and stripped as a record's
are (in Python, on one row per name: engines strip white space differently)
and the groups of one stripped name added up. An answer given by lead id is
credited through a join with the leads table, so the two are tables of one
engine.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads import ActivityKind
from salesflow.metrics._framed.leads import LeadTable, inside, lead_table, money
from salesflow.metrics._framed.windows import exact_nulls
from salesflow.metrics._read.frames import (
    COUNT,
    ID,
    TEXT,
    TIME,
    Bound,
    audit,
    bind,
    epoch_microseconds,
    found_value,
    instant,
    table,
    whole,
)
from salesflow.metrics._read.orders import sum_exact
from salesflow.metrics._read.scope import after_now
from salesflow.periods import Period

_MEETINGS: Final = sorted(kind.value for kind in (ActivityKind.MEETING, ActivityKind.DEMO))
_CALLS: Final = sorted(kind.value for kind in (ActivityKind.CALL, ActivityKind.INTRO_CALL))
_KINDS: Final = [kind.value for kind in ActivityKind]
_FEATURE: Final = "manager_kpis on tables"


class Figures:
    """One manager's figures (private): the sums :class:`_Tally` keeps on the records path."""

    __slots__ = (
        "calls",
        "cost",
        "costed",
        "deals",
        "leads",
        "meetings",
        "revenue",
        "scores",
        "uncosted",
        "won",
    )

    def __init__(self) -> None:
        self.leads = self.won = self.deals = self.meetings = self.calls = 0
        self.costed = self.uncosted = 0
        self.revenue = self.cost = Decimal(0)
        self.scores: dict[int, int] = {}


def tables_given(leads: Any, activities: Any, surveys: Any) -> bool:
    """Whether manager_kpis takes its frame path: one of its inputs is a table."""
    return any(table(value) for value in (leads, activities, surveys))


def framed_manager_figures(
    leads: Any,
    activities: Any,
    surveys: Any,
    *,
    period: Period | None,
    now: datetime | None,
    currency: str | None,
    scale: tuple[int, int],
    columns: Any,
    activity_columns: Any,
    survey_columns: Any,
    naive_zone: Any,
    amount_scale: Any,
    amount_rounding: Any,
) -> tuple[dict[str, Figures], int, str | None]:
    """``(figures per manager, leads without a manager, the deals' currency)`` of the tables."""
    given = {
        name: _table_or_nothing(name, value)
        for name, value in (("leads", leads), ("activities", activities), ("surveys", surveys))
    }
    timed = period is not None or now is not None
    figures: dict[str, Figures] = {}
    placed: list[str] = []
    unassigned, code, lead = 0, currency, None
    if given["leads"] is not None:
        reads = ["lead_id", "won_at", "manager", "revenue", "currency", "cost"]
        lead = lead_table(
            given["leads"],
            reads=reads + (["created_at"] if timed else []),
            now=now,
            columns=columns,
            naive_zone=naive_zone,
            currency=currency,
            amount_scale=amount_scale,
            amount_rounding=amount_rounding,
            shared_zone=True,
            feature=_FEATURE,
        )
        placed += lead.bound.placed
        unassigned, code = whole(lead.found["manager__nulls"]), lead.currency
        _lead_figures(lead, period, figures)
    else:
        for name, value in (
            ("columns", columns),
            ("amount_scale", amount_scale),
            ("amount_rounding", amount_rounding),
        ):
            if value is not None:
                raise InvalidField(name, value, "None: it applies to a table of leads")
    if given["activities"] is not None:
        placed += _activity_figures(
            given["activities"], period, now, activity_columns, naive_zone, figures
        )
    elif activity_columns is not None:
        raise InvalidField(
            "activity_columns", activity_columns, "None: it applies to a table of activities"
        )
    if given["surveys"] is not None:
        placed += _survey_figures(
            given["surveys"], lead, period, now, scale, survey_columns, naive_zone, figures
        )
    elif survey_columns is not None:
        raise InvalidField(
            "survey_columns", survey_columns, "None: it applies to a table of surveys"
        )
    if naive_zone is not None and not placed:
        raise InvalidField(
            "naive_zone", naive_zone, "None: the tables have no naive time column to place"
        )
    if lead is not None:
        _refuse_partial_margins(lead.bound, figures)
    return figures, unassigned, code


def _table_or_nothing(name: str, value: Any) -> Any:
    if table(value):
        return value
    if isinstance(value, list | tuple) and not value:
        return None
    raise InvalidType(
        name,
        value,
        "a table, as the other inputs are (tables and records do not mix in one call), or nothing",
    )


def _named(field: str, raw: Any) -> str:
    """A manager as written, checked and stripped as a record's ``manager`` is."""
    return _check.text(field, raw)


def _lead_figures(lead: LeadTable, period: Period | None, figures: dict[str, Figures]) -> None:
    bound, nw = lead.bound, lead.nw
    won = lead.won_lead()
    counted = lead.inside("created_us", period)
    deal = won & lead.inside("won_us", period)
    has_cost = ~nw.col("cost").is_null() if bound.has("cost") else nw.lit(False)
    staged = {
        "_lead": counted,
        "_won": counted & won,
        "_deal": deal,
        "_costed": deal & has_cost,
        "_uncosted": deal & ~has_cost,
    }
    frame = lead.frame.filter(~nw.col("manager").is_null()).with_columns(
        value.cast(nw.Int64).alias(name) for name, value in staged.items()
    )
    sums = [*staged]
    for name, alias, when in (("revenue", "_revenue", deal), ("cost", "_cost", deal & has_cost)):
        if bound.has(name):
            frame = frame.with_columns(nw.when(when).then(nw.col(name)).alias(alias))
            sums.append(alias)
    query = frame.group_by("manager").agg(*(nw.col(name).sum() for name in sums))
    for row in bound.collect(query):
        manager = _named(bound.field("manager"), row["manager"])
        found = figures.setdefault(manager, Figures())
        found.leads += whole(row["_lead"])
        found.won += whole(row["_won"])
        found.deals += whole(row["_deal"])
        found.costed += whole(row["_costed"])
        found.uncosted += whole(row["_uncosted"])
        if whole(row["_deal"]) and "_revenue" in row:
            found.revenue = sum_exact(found.revenue, money(row["_revenue"]), bound.field("revenue"))
        if whole(row["_costed"]):
            found.cost = sum_exact(found.cost, money(row["_cost"]), bound.field("cost"))


def _refuse_partial_margins(bound: Bound, figures: dict[str, Figures]) -> None:
    for manager in sorted(figures):
        found = figures[manager]
        if found.costed and found.uncosted:
            raise InvalidField(
                bound.field("cost"),
                None,
                f"a cost for every deal {manager!r} won, or for none: a margin needs every "
                f"won deal's cost ({found.costed:,} have one, {found.uncosted:,} not)",
            )


def _timed(bound: Bound, now: datetime | None, found: dict[str, Any]) -> None:
    """Refuse a missing ``at`` and one after ``now`` (when ``at`` is read)."""
    if not bound.has("at"):
        return
    latest = found["at__max"]
    if now is not None and found_value(latest) and instant(latest) > now:
        raise after_now(now, bound.field("at"), instant(latest))


def _nulls(bound: Bound, found: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        nulls = whole(found.get(f"{name}__nulls"))
        if nulls:
            raise InvalidField(
                bound.field(name), None, f"a value in every row ({nulls:,} rows have none)"
            )


def _activity_figures(
    native: Any,
    period: Period | None,
    now: datetime | None,
    columns: Any,
    naive_zone: Any,
    figures: dict[str, Figures],
) -> tuple[str, ...]:
    reads = {"manager": TEXT, "kind": TEXT}
    if period is not None or now is not None:
        reads["at"] = TIME
    bound = bind(
        "activities",
        native,
        reads=reads,
        columns=columns,
        naive_zone=naive_zone,
        shared_zone=True,
        feature=_FEATURE,
    )
    nw = bound.nw
    frame = exact_nulls(nw, bound.frame)
    if bound.has("at"):
        frame = epoch_microseconds(nw, frame, "at", "at_us")
    kind = nw.col("kind")
    checks = [(f"{name}__nulls", nw.col(name).is_null().cast(nw.Int64).sum()) for name in reads]
    checks.append(("kind__unknown", nw.when(~kind.is_in(_KINDS)).then(kind).min()))
    if bound.has("at"):
        checks.append(("at__max", nw.col("at").max()))
    found = audit(Bound(nw, "activities", frame, bound.source, bound.lazy), checks)
    _nulls(bound, found, tuple(reads))
    if found_value(found["kind__unknown"]):
        raise InvalidField(
            bound.field("kind"),
            found["kind__unknown"],
            f"an activity kind, one of {', '.join(_KINDS)}",
        )
    _timed(bound, now, found)
    held = inside(nw, "at_us", period)
    query = (
        frame.with_columns(
            held.cast(nw.Int64).alias("_in"),
            (held & kind.is_in(_MEETINGS)).cast(nw.Int64).alias("_meetings"),
            (held & kind.is_in(_CALLS)).cast(nw.Int64).alias("_calls"),
        )
        .group_by("manager")
        .agg(nw.col("_in").sum(), nw.col("_meetings").sum(), nw.col("_calls").sum())
    )
    for row in bound.collect(query):
        manager = _named(bound.field("manager"), row["manager"])
        if whole(row["_in"]):
            found_figures = figures.setdefault(manager, Figures())
            found_figures.meetings += whole(row["_meetings"])
            found_figures.calls += whole(row["_calls"])
    return bound.placed


def _survey_figures(
    native: Any,
    lead: LeadTable | None,
    period: Period | None,
    now: datetime | None,
    scale: tuple[int, int],
    columns: Any,
    naive_zone: Any,
    figures: dict[str, Figures],
) -> tuple[str, ...]:
    reads = {"manager": TEXT, "lead_id": ID, "score": COUNT}
    if period is not None or now is not None:
        reads["at"] = TIME
    bound = bind(
        "surveys",
        native,
        reads=reads,
        optional=("manager", "lead_id"),
        columns=columns,
        naive_zone=naive_zone,
        shared_zone=True,
        feature=_FEATURE,
    )
    nw = bound.nw
    frame = exact_nulls(nw, bound.frame)
    if bound.has("at"):
        frame = epoch_microseconds(nw, frame, "at", "at_us")
    frame = _with_owner(bound, frame, lead)
    own = nw.col("_own") == 1
    given = ~nw.col("lead_id").is_null() if bound.has("lead_id") else nw.lit(False)
    low, high = scale
    score = nw.col("score")
    checks = [
        ("score__nulls", score.is_null().cast(nw.Int64).sum()),
        ("score__off", nw.when((score < low) | (score > high)).then(score).min()),
        ("nobody", (~own & ~given).cast(nw.Int64).sum()),
    ]
    if bound.has("lead_id"):
        unknown = ~own & given & nw.col("_known").is_null()
        checks.append(("lead_id__unknown", nw.when(unknown).then(nw.col("lead_id")).min()))
    if bound.has("at"):
        checks += [("at__nulls", nw.col("at").is_null().cast(nw.Int64).sum())]
        checks.append(("at__max", nw.col("at").max()))
    found = audit(Bound(nw, "surveys", frame, bound.source, bound.lazy), checks)
    _nulls(bound, found, ("score", "at"))
    if found_value(found["score__off"]):
        raise InvalidField(
            bound.field("score"), found["score__off"], f"a whole number from {low} to {high}"
        )
    if whole(found["nobody"]):
        raise InvalidField(
            bound.field("manager"), None, "a manager, or a lead_id of one of the leads"
        )
    if found_value(found.get("lead_id__unknown")):
        raise InvalidField(
            bound.field("lead_id"),
            found["lead_id__unknown"],
            "the id of one of leads (a lead_id of the leads table)",
        )
    _timed(bound, now, found)
    held = inside(nw, "at_us", period)
    query = (
        frame.filter(~nw.col("_owner").is_null())
        .with_columns(held.cast(nw.Int64).alias("_in"))
        .group_by("_owner", "_own", "score")
        .agg(nw.col("_in").sum())
    )
    leads_field = "leads['manager']" if lead is None else lead.bound.field("manager")
    for row in bound.collect(query):
        own_field = bound.field("manager") if whole(row["_own"]) else leads_field
        manager = _named(own_field, row["_owner"])
        answers = whole(row["_in"])
        if answers:
            scores = figures.setdefault(manager, Figures()).scores
            scores[whole(row["score"])] = scores.get(whole(row["score"]), 0) + answers
    return bound.placed


def _with_owner(bound: Bound, frame: Any, lead: LeadTable | None) -> Any:
    """``frame`` with ``_own`` (1 when the row names its manager), ``_owner`` (the manager
    credited: the row's own, else its lead's) and ``_known`` (its lead id is a lead's)."""
    nw = bound.nw
    own = ~nw.col("manager").is_null() if bound.has("manager") else nw.lit(False)
    frame = frame.with_columns(own.cast(nw.Int64).alias("_own"))
    owners = None
    if bound.has("lead_id") and lead is not None and lead.bound.has("lead_id"):
        theirs = lead.bound.frame.collect_schema()["lead_id"]
        ours = bound.frame.collect_schema()["lead_id"]
        if (theirs == nw.String) != (ours == nw.String):
            raise InvalidType(
                bound.field("lead_id"),
                f"{ours}",
                f"ids of the type of {lead.bound.field('lead_id')} ({theirs})",
            )
        if (bound.backend, bound.lazy) != (lead.bound.backend, lead.bound.lazy):
            raise InvalidType(
                "surveys",
                f"a {bound.backend} table",
                f"a table of the engine leads is in ({lead.bound.backend}, "
                f"{'lazy' if lead.bound.lazy else 'eager'}): answers by lead id are joined to it",
            )
        key = nw.String if ours == nw.String else nw.Int64
        owners = lead.frame.filter(~nw.col("lead_id").is_null()).select(
            nw.col("lead_id").cast(key),
            nw.col("manager").alias("_lead_manager"),
            nw.lit(1).alias("_known"),
        )
        try:
            frame = frame.with_columns(nw.col("lead_id").cast(key)).join(
                owners, on="lead_id", how="left"
            )
        except Exception as error:  # DuckDB's own error, named by its words only
            if "different connections" not in str(error):
                raise
            raise InvalidType(
                "surveys",
                "a relation of another DuckDB connection",
                "a relation of the connection the leads are in: answers by lead id are joined "
                "to them",
            ) from None
    if owners is None:  # no lead to credit: an answer by lead id is unknown
        frame = frame.with_columns(nw.lit(None, nw.String).alias("_lead_manager"))
        frame = frame.with_columns(nw.col("_lead_manager").alias("_known"))
    manager = nw.col("manager") if bound.has("manager") else nw.col("_lead_manager")
    return frame.with_columns(
        nw.when(nw.col("_own") == 1)
        .then(manager)
        .otherwise(nw.col("_lead_manager"))
        .alias("_owner")
    )
