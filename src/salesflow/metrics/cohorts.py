"""Monthly cohort retention, from order records in one pass.

It reads the order items once, front to back, holding state per customer only,
so a generator of a million records works (docs/metrics.md, "Per-customer
summary and cohorts").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_EVEN
from typing import Any, ClassVar, Final

import attrs

from salesflow import _charts, _check, _zones
from salesflow._frames_out import Columns, records_to_frame
from salesflow._results import (
    Ratio,
    check_places,
    flag_field,
)
from salesflow._tables import Cell, Shaded, html_record, html_table
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._figures import checked_now, checked_zone, count_field, shown_in
from salesflow.metrics._framed.cohorts import framed_cohorts
from salesflow.metrics._read.folds import (
    fold_active_months,
    month_number,
)
from salesflow.metrics._read.frames import rows_only, table, tables_only
from salesflow.metrics._read.progress import reporter
from salesflow.metrics._read.purchases import (
    Purchase,
    check_purchase,
    fold_purchase_months,
)
from salesflow.periods import Period, PeriodUnit

__all__ = ["Cohort", "CohortCell", "CohortTable", "cohort_retention"]

_RETENTION_FORMULA: Final = (
    "customers of the cohort who ordered in the month / customers in the cohort"
)


def _month_of_now(given: Any, moment: datetime, zone: tzinfo) -> int:
    """The calendar month number of ``now`` in ``zone``; refused outside the years 2 to 9998."""
    number = month_number(shown_in("now", given, moment, zone), zone)
    if not 2 * 12 <= number < 9999 * 12:
        raise InvalidField(
            "now",
            given,
            f"a moment whose month in {_zones.zone_label(zone)} lies within the years 2 to 9998",
        )
    return number


def _month_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Period) or value.unit is not PeriodUnit.MONTH:
        raise InvalidType(
            attribute.name, value, "a calendar month Period", context=type(instance).__name__
        )


# -- the cohort table -------------------------------------------------------------------------


@attrs.frozen
class CohortCell:
    """One cell: of the customers whose first purchase fell in ``cohort``, how many ordered in ``month``.

    ``offset`` is k in "month cohort + k" (0 is the first-purchase month
    itself, where every customer of the cohort is active by definition).
    ``customers`` is the cohort's size, ``active`` the customers of it who
    ordered in ``month``. ``partial`` is True when ``month`` had not ended at
    the table's ``now``: its share can still grow.
    """

    cohort: Period = attrs.field(validator=_month_field)
    offset: int = attrs.field(validator=count_field(0))
    month: Period = attrs.field(validator=_month_field)
    customers: int = attrs.field(validator=count_field(0))
    active: int = attrs.field(validator=count_field(0))
    partial: bool = attrs.field(validator=flag_field)

    def __attrs_post_init__(self) -> None:
        if self.active > self.customers:
            raise InvalidField(
                "active",
                self.active,
                f"at most the cohort's customers ({self.customers})",
                context="CohortCell",
            )

    @property
    def retention(self) -> Ratio:
        """``active / customers``: the share of the cohort that ordered in the month."""
        return Ratio(
            "cohort retention",
            self.active,
            self.customers,
            variant=f"month +{self.offset}",
            formula=_RETENTION_FORMULA,
            denominator_name="customers in the cohort",
        )

    _repr_html_ = html_record

    def to_dict(self) -> dict[str, Any]:
        """Plain values for a DataFrame row; ``retention`` is the Decimal share."""
        return {
            "cohort": self.cohort.label,
            "offset": self.offset,
            "month": self.month.label,
            "customers": self.customers,
            "active": self.active,
            "retention": self.retention.value,
            "partial": self.partial,
        }


@attrs.frozen
class Cohort:
    """The customers whose first purchase fell in the calendar month ``period``.

    ``customers`` is how many; ``cells`` are months +0, +1, ... up to the
    table's last month.
    """

    period: Period = attrs.field(validator=_month_field)
    customers: int = attrs.field(validator=count_field(1))
    cells: tuple[CohortCell, ...] = attrs.field(validator=lambda i, a, v: _cells_field(i, a, v))

    @property
    def label(self) -> str:
        return self.period.label


def _cells_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple) or not all(isinstance(c, CohortCell) for c in value):
        raise InvalidType(
            attribute.name, value, "a tuple of CohortCell", context=type(instance).__name__
        )


def _cohorts_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple) or not all(isinstance(c, Cohort) for c in value):
        raise InvalidType(
            attribute.name, value, "a tuple of Cohort", context=type(instance).__name__
        )


def _optional_now(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        _check.aware_field(instance, attribute, value)


@attrs.frozen(repr=False)
class CohortTable:
    """Monthly cohort retention: cohorts by first-purchase month, rows of monthly shares.

    ``cohorts`` run from the earliest first-purchase month to the latest;
    each has cells for months +0 up to the table's last month (the month of
    ``now``, or the latest month with an order when ``now`` is None). Months
    are calendar months in ``zone``. :meth:`cell` finds one cell,
    :meth:`format` draws the table, :meth:`to_records` gives plain dicts.
    """

    COLUMNS: ClassVar[Columns] = (
        ("cohort", "text"),
        ("offset", "int"),
        ("month", "text"),
        ("customers", "int"),
        ("active", "int"),
        ("retention", "decimal"),
        ("partial", "flag"),
    )
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

    zone: tzinfo = attrs.field(converter=checked_zone)
    now: datetime | None = attrs.field(validator=_optional_now, eq=_zones.instant_key)
    cohorts: tuple[Cohort, ...] = attrs.field(validator=_cohorts_field)

    @property
    def customers(self) -> int:
        """Customers in all cohorts together (each counted once, in their first month)."""
        return sum(cohort.customers for cohort in self.cohorts)

    def cohort(self, month: str | Period) -> Cohort:
        """The cohort of ``month`` (a label such as ``"2026-03"`` or a month Period)."""
        return self._cohort("month", month)

    def _cohort(self, field: str, month: Any) -> Cohort:
        label = month.label if isinstance(month, Period) else month
        for cohort in self.cohorts:
            if cohort.label == label:
                return cohort
        known = ", ".join(c.label for c in self.cohorts) or "none"
        raise InvalidField(field, month, f"a cohort month of this table (known: {known})")

    def cell(self, cohort: str | Period, offset: int) -> CohortCell:
        """The cell for months ``offset`` after ``cohort``."""
        row = self._cohort("cohort", cohort)
        offset = _check.whole("offset", offset, minimum=0)
        if offset >= len(row.cells):
            raise InvalidField(
                "offset", offset, f"an offset from 0 to {len(row.cells) - 1} for {row.label}"
            )
        return row.cells[offset]

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per cell (see :meth:`CohortCell.to_dict`), cohort by cohort.

        ``pd.DataFrame(table.to_records()).pivot(index="cohort", columns="offset",
        values="retention")`` gives the usual triangle.
        """
        return [cell.to_dict() for cohort in self.cohorts for cell in cohort.cells]

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The table as a DataFrame of ``backend``: "pandas", "polars" or "pyarrow".

        One row per cell, the columns of :meth:`to_records`, in order and typed (months as labels
        such as ``"2026-03"``). Decimals stay exact (a decimal128 column) unless ``money="float"``
        makes them float64, inexact, for plotting, ``describe()`` and ``qcut``. Needs the library
        (:class:`~salesflow.errors.MissingExtra` names the extra to install); see docs/metrics.md
        ("In a notebook").
        """
        return records_to_frame(
            self.to_records(),
            columns=self.COLUMNS,
            backend=backend,
            money=money,
        )

    def format(self, places: int = 1, rounding: str = ROUND_HALF_EVEN) -> str:
        """The table as text: one row per cohort, shares as percentages.

        Shares are rounded to ``places`` with ``rounding`` (only here). A
        ``*`` marks a month that had not ended at ``now``.
        """
        check_places(places)
        columns = max((len(c.cells) for c in self.cohorts), default=0)
        # "+k " leaves room for the partial mark, so labels sit over the digits.
        table = [["cohort", "customers", *(f"+{k} " for k in range(columns))]]
        for cohort in self.cohorts:
            shares = [
                cell.retention.percent(places, rounding) + ("*" if cell.partial else " ")
                for cell in cohort.cells
            ]
            table.append([cohort.label, str(cohort.customers), *shares])
        widths = [max(len(row[i]) for row in table if i < len(row)) for i in range(columns + 2)]
        lines = [
            f"Cohort retention by first-purchase month in {_zones.zone_label(self.zone)}: "
            "share of each cohort ordering in month +k"
        ]
        for row in table:
            cells = [row[0].ljust(widths[0])]
            cells += [text.rjust(widths[i + 1]) for i, text in enumerate(row[1:])]
            lines.append("  ".join(cells).rstrip())
        if not self.cohorts:
            lines.append("(no purchases)")
        if self.now is not None and any(c.partial for r in self.cohorts for c in r.cells):
            lines.append(f"* month not ended at {self.now.isoformat()} (partial)")
        return "\n".join(lines)

    def to_vega_lite(self) -> dict[str, Any]:
        """A Vega-Lite v5 retention heatmap (a plain dict): cohort x months since, shaded.

        Each cell carries its counts for the tooltip; the retention share is a
        float for plotting only. See docs/metrics.md ("Charts").
        """
        values = [
            {
                "cohort": cohort.label,
                "offset": cell.offset,
                "month": cell.month.label,
                "customers": cell.customers,
                "active": cell.active,
                "retention": _charts.share(cell.retention),
                "partial": cell.partial,
            }
            for cohort in self.cohorts
            for cell in cohort.cells
        ]
        title = f"Cohort retention by first-purchase month in {_zones.zone_label(self.zone)}"
        now = None if self.now is None else self.now.isoformat()
        return _charts.heatmap(title=title, values=values, now=now)

    def to_altair(self) -> Any:
        """:meth:`to_vega_lite` as an ``altair.Chart`` (needs ``pip install 'salesflow[viz]'``)."""
        return _charts.altair_chart(self.to_vega_lite())

    def _repr_html_(self) -> str:
        """The table as HTML, each share shaded by its value like a retention heatmap."""
        columns = max((len(c.cells) for c in self.cohorts), default=0)
        rows: list[list[Cell]] = [
            [
                cohort.label,
                f"{cohort.customers:,}",
                *(_shaded(cell.retention, cell.partial) for cell in cohort.cells),
                *[""] * (columns - len(cohort.cells)),
            ]
            for cohort in self.cohorts
        ]
        notes = [] if self.cohorts else ["(no purchases)"]
        if self.now is not None and any(c.partial for r in self.cohorts for c in r.cells):
            notes.append(f"* month not ended at {self.now.isoformat()} (partial)")
        return html_table(
            kind="cohort-table",
            caption=f"Cohort retention by first-purchase month in {_zones.zone_label(self.zone)}",
            header=("cohort", "customers", *(f"+{k}" for k in range(columns))),
            rows=rows,
            notes=notes,
        )

    def __repr__(self) -> str:
        span = f"{self.cohorts[0].label} to {self.cohorts[-1].label}" if self.cohorts else "empty"
        return (
            f"<CohortTable {len(self.cohorts)} cohorts ({span}), {self.customers:,} customers, "
            f"months in {_zones.zone_label(self.zone)}>"
        )


def _shaded(retention: Ratio, partial: bool) -> Shaded:
    return Shaded(retention.percent() + ("*" if partial else ""), retention.fraction)


def _month(number: int, zone: tzinfo) -> Period:
    year, month = divmod(number, 12)
    return Period.month(year, month + 1, zone)


def cohort_retention(
    orders: Any,
    *,
    zone: tzinfo | str,
    now: datetime | None = None,
    purchase: Purchase = "row",
    progress: Any = None,
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> CohortTable:
    """Cohort retention by first-purchase month: for each cohort and k = 0, 1, 2, ...

    ``retention(cohort, k) = customers of the cohort who ordered in month
    cohort + k / customers in the cohort``. A customer's cohort is the
    calendar month, in ``zone``, of their first purchase: each order time is
    converted to ``zone`` and its year and month taken, so an order at
    23:30 UTC on 31 March is an April order in Berlin (DST included). A
    customer counts once per month however many orders they placed in it.

    With ``now``, the table runs to the month of ``now``, months not yet
    ended are flagged ``partial`` and records after ``now`` are refused;
    without it, the table runs to the latest month with an order and nothing
    is flagged. Months in which no one of a cohort ordered show 0 active.

    One pass over ``orders`` (any iterable of order records), keeping per
    customer only the set of months they ordered in. Reads customer_id,
    placed_at and status (cancelled orders are left out). Refuses an unknown
    zone, a naive ``now`` and any bad record, naming it.

    ``purchase`` (``"row"``, ``"order"`` or ``"customer_day"``, as for
    :func:`customer_summary`): a customer's rows on one day fall in one month,
    so ``"customer_day"`` gives the table of ``"row"``; with ``"order"`` an
    order counts in the month of its earliest row only, and the rows of one
    order must name one customer.

    ``progress`` (None, a callable or a tqdm bar) is told the rows read:
    every 10,000 and the remainder at the end (docs/metrics.md, "Progress on
    long inputs"); an exception it raises propagates unchanged.

    ``orders`` may be a table instead (pandas, polars, pyarrow, DuckDB,
    Spark, ...; the ``frames`` extra): customers' months are found inside its
    engine and only the counts per cohort and month leave it, so the table is
    the same :class:`CohortTable` (docs/frames.md). ``columns`` maps
    salesflow's column names to the table's; ``naive_zone`` is the zone a
    naive time column was written in.
    """
    where = _zones.zone("zone", zone)
    moment = None if now is None else checked_now(now)
    now_month = None if moment is None else _month_of_now(now, moment, where)
    rule = check_purchase(purchase)
    if table(orders):
        tables_only({"progress": progress})
        active_by_cohort = framed_cohorts(
            orders,
            zone=where,
            now=moment,
            by_order=rule == "order",
            columns=columns,
            naive_zone=naive_zone,
        )
        return _table(where, moment, now_month, active_by_cohort)
    rows_only({"columns": columns, "naive_zone": naive_zone})
    report = reporter("progress", progress)
    if rule == "order":
        base, masks = fold_purchase_months(orders, zone=where, now=moment, progress=report)
    else:
        base, masks = fold_active_months(orders, zone=where, now=moment, progress=report)
    patterns: defaultdict[int, Counter[int]] = defaultdict(Counter)
    for mask in masks.values():
        low = (mask & -mask).bit_length() - 1
        patterns[base + low][mask >> low] += 1
    counts: dict[int, dict[int, int]] = {}
    for first, shapes in patterns.items():
        active: Counter[int] = Counter()
        for pattern, customers in shapes.items():
            while pattern:
                bit = pattern & -pattern
                active[bit.bit_length() - 1] += customers
                pattern ^= bit
        counts[first] = dict(active)
    return _table(where, moment, now_month, counts)


def _table(
    where: tzinfo,
    moment: datetime | None,
    now_month: int | None,
    counts: dict[int, dict[int, int]],
) -> CohortTable:
    """The table from ``counts[cohort month][offset]`` = customers active (offset 0 is the size)."""
    last = max((first + max(active) for first, active in counts.items()), default=0)
    if now_month is not None and counts:
        last = now_month
    months: dict[int, Period] = {}

    def month(number: int) -> Period:
        if number not in months:
            months[number] = _month(number, where)
        return months[number]

    cohorts: list[Cohort] = []
    for first in sorted(counts):
        found = counts[first]
        active = [found.get(offset, 0) for offset in range(last - first + 1)]
        size = active[0]
        cells = tuple(
            CohortCell(
                month(first),
                offset,
                month(first + offset),
                size,
                active[offset],
                moment is not None and not month(first + offset).ended(moment),
            )
            for offset in range(len(active))
        )
        cohorts.append(Cohort(month(first), size, cells))
    return CohortTable(
        zone=where,
        now=None if moment is None else moment.astimezone(where),
        cohorts=tuple(cohorts),
    )
