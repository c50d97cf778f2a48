"""Lead record tables: bound, audited once; lead conversion and the sales cycle on them.

A table of lead records has the record keys of docs/metrics.md ("The lead
inputs") as columns: ``lead_id``, ``created_at``, ``won_at`` (empty when not
won), ``lost``, ``qualified``, the activity flags, ``manager``, ``revenue``,
``currency``, ``cost``. A metric binds the columns it reads, as a record's
keys are read, and the audit refuses what a record would be refused for,
naming the caller's column.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._framed.windows import exact_nulls, span_counts, us
from salesflow.metrics._read.frames import (
    CODE,
    DECIMAL_DIGITS,
    FLAG,
    ID,
    MONEY,
    TEXT,
    TIME,
    Bound,
    audit,
    bind,
    epoch_microseconds,
    found_value,
    instant,
    refuse_currency,
    whole,
)
from salesflow.metrics._read.scope import after_now
from salesflow.periods import Period

LEAD_KINDS: Final = {
    "lead_id": ID,
    "created_at": TIME,
    "won_at": TIME,
    "lost": FLAG,
    "qualified": FLAG,
    "intro_call": FLAG,
    "demo_after_intro_call": FLAG,
    "demo": FLAG,
    "lost_after_demo": FLAG,
    "manager": TEXT,
    "revenue": MONEY,
    "currency": CODE,
    "cost": MONEY,
}
# Keys a record may leave out (None, False), and the money a lead not won never reads.
_OPTIONAL: Final = (
    "lead_id",
    "lost",
    "intro_call",
    "demo_after_intro_call",
    "demo",
    "lost_after_demo",
    "revenue",
    "currency",
    "cost",
)
# (later, first): a record saying the later without the first is refused.
_JOURNEY: Final = (("demo_after_intro_call", "intro_call"), ("lost_after_demo", "demo"))
JOURNEY_FLAGS: Final = ("intro_call", "demo_after_intro_call", "demo", "lost_after_demo")


class LeadTable:
    """A bound, audited table of lead records (private).

    ``frame`` holds the columns read, times also as UTC epoch microseconds
    (``created_us``, ``won_us``); ``won`` counts the won leads and
    ``currency`` is their one currency (or the stated one; None when neither).
    """

    __slots__ = ("bound", "currency", "found", "frame", "rows", "won")

    def __init__(self, bound: Bound, frame: Any, rows: int, won: int, currency: str | None) -> None:
        self.bound = bound
        self.frame = frame
        self.rows = rows
        self.won = won
        self.currency = currency
        self.found: dict[str, Any] = {}

    @property
    def nw(self) -> Any:
        return self.bound.nw

    def flag(self, name: str) -> Any:
        """A flag column, absent or empty as False (a record's default)."""
        nw = self.nw
        if not self.bound.has(name):
            return nw.lit(False)
        return nw.col(name).fill_null(False)

    def won_lead(self) -> Any:
        return ~self.nw.col("won_us").is_null()

    def inside(self, name: str, period: Period | None) -> Any:
        """Whether time column ``name`` (epoch microseconds) lies in ``period`` (all: True)."""
        return inside(self.nw, name, period)

    def within(self, frame: Any, name: str, period: Period | None) -> Any:
        """``frame``'s rows whose time column ``name`` (epoch microseconds) lies in ``period``."""
        nw = self.nw
        if period is None:
            return frame
        return frame.filter((nw.col(name) >= us(period.start)) & (nw.col(name) < us(period.end)))


def lead_table(
    native: Any,
    *,
    reads: Collection[str],
    now: datetime | None,
    columns: Any,
    naive_zone: Any,
    currency: str | None = None,
    amount_scale: Any = None,
    amount_rounding: Any = None,
    shared_zone: bool = False,
    feature: str,
) -> LeadTable:
    """The table of lead records ``native``, bound for the keys ``reads`` and audited.

    Refused as a record would be, naming the caller's column: an empty or
    repeated lead id, a missing ``created_at`` (when read) or ``qualified``,
    a win before the creation, a lead both won and lost, a later activity
    flag without the first, a time after ``now``; for a won lead, a missing
    or negative revenue, a negative cost, a missing or second currency.
    """
    bound = bind(
        "leads",
        native,
        reads={name: LEAD_KINDS[name] for name in reads},
        optional=[name for name in _OPTIONAL if name in reads],
        columns=columns,
        constants={"currency": currency},
        naive_zone=naive_zone,
        amount_scale=amount_scale,
        amount_rounding=amount_rounding,
        shared_zone=shared_zone,
        feature=feature,
    )
    nw = bound.nw
    frame = exact_nulls(nw, bound.frame)
    for name, alias in (("created_at", "created_us"), ("won_at", "won_us")):
        if bound.has(name):
            frame = epoch_microseconds(nw, frame, name, alias)
    if bound.has("lead_id"):
        frame = frame.with_columns(nw.len().over("lead_id").alias("_copies"))
    table = LeadTable(bound, frame, 0, 0, currency)
    found = audit(Bound(nw, "leads", frame, bound.source, bound.lazy), _checks(table))
    table.found = found
    table.rows = whole(found["rows"])
    table.won = whole(found["won"])
    _refuse(table, found, now)
    if table.won and "revenue" in reads:
        for name in ("revenue", "currency"):
            if not bound.has(name):
                _refuse_missing(native, name, columns, feature)
        if bound.has("currency") and bound.source["currency"] is not None:
            codes = sorted({found["currency__min"], found["currency__max"]} - {None})
            table.currency = refuse_currency(bound, codes, currency)
    return table


def _checks(table: LeadTable) -> list[tuple[str, Any]]:
    bound, nw = table.bound, table.nw
    won = table.won_lead()
    count = [("rows", nw.len()), ("won", won.cast(nw.Int64).sum())]
    for name in ("created_at", "qualified"):
        if bound.has(name):
            count.append((f"{name}__nulls", nw.col(name).is_null().cast(nw.Int64).sum()))
    if bound.has("lead_id"):
        if bound.frame.collect_schema()["lead_id"] == nw.String:
            count.append(("lead_id__empty", (nw.col("lead_id") == "").cast(nw.Int64).sum()))
        twice = ~nw.col("lead_id").is_null() & (nw.col("_copies") > 1)
        count.append(("lead_id__twice", nw.when(twice).then(nw.col("lead_id")).min()))
    if bound.has("created_at"):
        count.append(("created_us__max", nw.col("created_us").max()))
        early = nw.col("won_us") < nw.col("created_us")
        count.append(("won_at__early", early.cast(nw.Int64).sum()))
    count.append(("won_us__max", nw.col("won_us").max()))
    if bound.has("manager"):
        count.append(("manager__nulls", nw.col("manager").is_null().cast(nw.Int64).sum()))
    if bound.has("lost"):
        count.append(("lost__won", (table.flag("lost") & won).cast(nw.Int64).sum()))
    for later, first in _JOURNEY:
        if bound.has(later):
            alone = table.flag(later) & ~table.flag(first)
            count.append((f"{first}__missing", alone.cast(nw.Int64).sum()))
    for name in ("revenue", "cost"):
        if bound.has(name):
            value = nw.when(won).then(nw.col(name))
            count.append((f"{name}__min", value.min()))
            count.append((f"{name}__size", value.cast(nw.Float64).abs().sum()))
    if bound.has("revenue"):
        count.append(("revenue__nulls", (won & nw.col("revenue").is_null()).cast(nw.Int64).sum()))
    if bound.has("currency") and bound.source["currency"] is not None:
        code = nw.when(won).then(nw.col("currency"))
        count.append(("currency__nulls", (won & nw.col("currency").is_null()).cast(nw.Int64).sum()))
        count += [("currency__min", code.min()), ("currency__max", code.max())]
    return count


def _refuse(table: LeadTable, found: dict[str, Any], now: datetime | None) -> None:
    bound, nw = table.bound, table.nw
    for name in ("created_at", "qualified"):
        nulls = whole(found.get(f"{name}__nulls"))
        if nulls:
            expected = "True or False" if name == "qualified" else "a moment"
            error = InvalidType if name == "qualified" else InvalidField
            raise error(
                bound.field(name), None, f"{expected} in every row ({nulls:,} rows have none)"
            )
    if found.get("lead_id__empty"):
        raise InvalidField(bound.field("lead_id"), "", "None, a non-empty string or an int")
    if found_value(found.get("lead_id__twice")):
        twice = found["lead_id__twice"]
        raise InvalidField(
            bound.field("lead_id"),
            twice,
            f"each lead once (lead {twice!r} is in more than one row)",
        )
    if whole(found.get("won_at__early")):
        query = (
            table.frame.filter(nw.col("won_us") < nw.col("created_us"))
            .sort("won_us")
            .head(1)
            .select("won_at", "created_at")
        )
        (row,) = bound.collect(query)
        raise InvalidField(
            bound.field("won_at"),
            instant(row["won_at"]),
            f"a moment not before created_at ({instant(row['created_at']).isoformat()})",
        )
    if now is not None:
        for name, alias in (("created_at", "created_us"), ("won_at", "won_us")):
            latest = found.get(f"{alias}__max")
            if found_value(latest) and whole(latest) > us(now):
                moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=whole(latest))
                raise after_now(now, bound.field(name), moment)
    if whole(found.get("lost__won")):
        raise InvalidField(bound.field("lost"), True, "False for a won lead (won_at is set)")
    for later, first in _JOURNEY:
        if whole(found.get(f"{first}__missing")):
            raise InvalidField(bound.field(first), False, f"True when {later} is True")
    if whole(found.get("revenue__nulls")):
        raise InvalidType(
            bound.field("revenue"),
            None,
            f"a revenue for every won lead ({whole(found['revenue__nulls']):,} have none)",
        )
    for name in ("revenue", "cost"):
        lowest: Any = found.get(f"{name}__min")
        if found_value(lowest) and lowest < 0:
            raise InvalidField(bound.field(name), lowest, "an amount of at least 0")
        size: Any = found.get(f"{name}__size")
        if not found_value(size):
            continue
        scale: int = bound.frame.collect_schema()[name].scale
        if size >= 10 ** (DECIMAL_DIGITS - 1 - scale) / 2:
            raise InvalidField(
                bound.field(name),
                f"sums near {size:.3g}",
                f"amounts whose sums fit the engine's {DECIMAL_DIGITS}-digit decimals "
                "(pass the rows as records for 60 digits)",
            )
    if whole(found.get("currency__nulls")):
        raise InvalidField(bound.field("currency"), None, "an ISO 4217 code for every won lead")


def _refuse_missing(native: Any, name: str, columns: Any, feature: str) -> None:
    """Refuse the missing column ``name`` as binding refuses one (a won lead reads it)."""
    mapped = {name: columns[name]} if isinstance(columns, Mapping) and name in columns else None
    bind("leads", native, reads={name: LEAD_KINDS[name]}, columns=mapped, feature=feature)
    raise AssertionError(name)  # pragma: no cover - the bind above refuses it


# -- the metrics -----------------------------------------------------------------------------


def framed_conversion(
    native: Any,
    *,
    variant: str,
    period: Period | None,
    now: datetime | None,
    columns: Any,
    naive_zone: Any,
) -> tuple[int, int]:
    """``(counted, reached)`` of lead conversion ``variant`` over the table ``native``."""
    reads = ["lead_id", "won_at"]
    if period is not None or now is not None:
        reads.append("created_at")
    if variant == "qualified":
        reads.append("qualified")
    if variant in ("demo_after_intro_call", "lost_after_demo"):
        reads += JOURNEY_FLAGS
    table = lead_table(
        native,
        reads=reads,
        now=now,
        columns=columns,
        naive_zone=naive_zone,
        feature="lead_conversion_rate on a table",
    )
    nw = table.nw
    if variant == "demo_after_intro_call":
        mark, went_on = table.flag("intro_call"), table.flag("demo_after_intro_call")
    elif variant == "lost_after_demo":
        mark, went_on = table.flag("demo"), table.flag("lost_after_demo")
    else:
        mark = table.flag("qualified") if variant == "qualified" else nw.lit(True)
        went_on = table.won_lead()
    query = (
        table.within(table.frame, "created_us", period)
        .with_columns(
            mark.cast(nw.Int64).alias("_mark"), (mark & went_on).cast(nw.Int64).alias("_went")
        )
        .select(nw.col("_mark").sum(), nw.col("_went").sum())
    )
    (row,) = table.bound.collect(query)
    return whole(row["_mark"]), whole(row["_went"])


def framed_cycle(
    native: Any,
    *,
    period: Period | None,
    now: datetime | None,
    columns: Any,
    naive_zone: Any,
) -> tuple[list[timedelta], int, int]:
    """``(cycles of the won leads, still open, lost)`` over the table ``native``."""
    table = lead_table(
        native,
        reads=("lead_id", "created_at", "won_at", "lost"),
        now=now,
        columns=columns,
        naive_zone=naive_zone,
        feature="sales_cycle_length on a table",
    )
    nw = table.nw
    counted = table.within(table.frame, "created_us", period)
    won = counted.filter(table.won_lead()).with_columns(
        (nw.col("won_us") - nw.col("created_us")).alias("_cycle")
    )
    cycles: list[timedelta] = []
    for span, times in span_counts(table.bound, won, keys=(), span="_cycle"):
        cycles += [span] * times
    rest = counted.with_columns(
        (~table.won_lead() & table.flag("lost")).cast(nw.Int64).alias("_lost"),
        (~table.won_lead() & ~table.flag("lost")).cast(nw.Int64).alias("_open"),
    ).select(nw.col("_open").sum(), nw.col("_lost").sum())
    (row,) = table.bound.collect(rest)
    return cycles, whole(row["_open"]), whole(row["_lost"])


def inside(nw: Any, name: str, period: Period | None) -> Any:
    """Whether time column ``name`` (epoch microseconds) lies in ``period`` (all: True)."""
    if period is None:
        return nw.lit(True)
    return (nw.col(name) >= us(period.start)) & (nw.col(name) < us(period.end))


def money(value: Any) -> Decimal:
    """An engine's decimal sum as a Decimal (None, for no rows, is 0)."""
    if not found_value(value):
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(int(value))
