"""Email engagement from message records: open, click and click-to-open rates per kind.

One pass over message records gives an :class:`EmailReport` (a mapping kind ->
:class:`EmailStats`) of explained rates; the record keys and the rules are on
docs/metrics.md, "Email open, click and click-to-open rates".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import tzinfo
from decimal import ROUND_HALF_EVEN
from enum import Enum
from typing import Any, ClassVar, Final

import attrs

from salesflow._frames_out import Columns, records_to_frame
from salesflow._results import OnEmpty, Ratio, check_on_empty, settle
from salesflow._tables import html_record, html_table
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._figures import at_most, name_field
from salesflow.metrics._framed.emails import framed_mail_counts
from salesflow.metrics._read.emails import messages
from salesflow.metrics._read.fields import count_attribute
from salesflow.metrics._read.frames import rows_only, table

__all__ = ["EmailReport", "EmailStats", "email_engagement"]

_ALL_KINDS: Final = "all kinds"

# per kind: delivered, opened (a recorded open, or a click), clicked, undelivered, clicked unopened
_DELIVERED, _OPENED, _CLICKED, _UNDELIVERED, _CLICKED_UNOPENED = range(5)


def _fold_mails(rows: Any) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {}
    lookup = counts.get
    for kind, was_delivered, was_opened, was_clicked in messages(rows):
        tally = lookup(kind)
        if tally is None:
            tally = counts[kind] = [0, 0, 0, 0, 0]
        if not was_delivered:
            tally[_UNDELIVERED] += 1
            continue
        tally[_DELIVERED] += 1
        if was_clicked:
            tally[_CLICKED] += 1
            tally[_OPENED] += 1
            if not was_opened:
                tally[_CLICKED_UNOPENED] += 1
        elif was_opened:
            tally[_OPENED] += 1
    return counts


@attrs.frozen
class EmailStats:
    """Email engagement of one notification kind (or of all kinds together).

    ``delivered`` messages, of which ``opened`` were opened (a click without
    a recorded open counts as an open: ``clicked_unopened`` says how many)
    and ``clicked`` had a click; ``undelivered`` messages are in no
    denominator. ``kind`` is None for the figures of all kinds together.
    Stats of the same kind add up: ``first + second``.

    Refuses negative counts, more opens than deliveries, more clicks than
    opens and more clicked-unopened than clicks.
    """

    kind: str | None = attrs.field(validator=name_field)
    delivered: int = attrs.field(validator=count_attribute)
    opened: int = attrs.field(validator=count_attribute)
    clicked: int = attrs.field(validator=count_attribute)
    undelivered: int = attrs.field(default=0, kw_only=True, validator=count_attribute)
    clicked_unopened: int = attrs.field(default=0, kw_only=True, validator=count_attribute)

    def __attrs_post_init__(self) -> None:
        at_most(self, "opened", self.opened, "delivered", self.delivered)
        at_most(self, "clicked", self.clicked, "opened", self.opened)
        at_most(self, "clicked_unopened", self.clicked_unopened, "clicked", self.clicked)

    def _ratio(self, name: str, numerator: int, denominator: int, formula: str) -> Ratio:
        metric = name if self.kind is None else f"{self.kind} {name}"
        return Ratio(
            metric,
            numerator,
            denominator,
            variant="clicks count as opens",
            formula=formula,
            inputs=(
                ("delivered", self.delivered),
                ("opened", self.opened),
                ("clicked", self.clicked),
                ("clicked without a recorded open", self.clicked_unopened),
            ),
        )

    @property
    def open_rate(self) -> Ratio:
        """Opened / delivered."""
        return self._ratio("email open rate", self.opened, self.delivered, "opened / delivered")

    @property
    def click_rate(self) -> Ratio:
        """Clicked / delivered (the click-through rate)."""
        return self._ratio("email click rate", self.clicked, self.delivered, "clicked / delivered")

    @property
    def click_to_open_rate(self) -> Ratio:
        """Clicked / opened."""
        return self._ratio(
            "email click-to-open rate", self.clicked, self.opened, "clicked / opened"
        )

    def __add__(self, other: Any) -> EmailStats:
        if not isinstance(other, EmailStats):
            return NotImplemented
        if other.kind != self.kind:
            raise InvalidField("kind", other.kind, f"{self.kind!r}: only stats of one kind add up")
        return EmailStats(
            self.kind,
            self.delivered + other.delivered,
            self.opened + other.opened,
            self.clicked + other.clicked,
            undelivered=self.undelivered + other.undelivered,
            clicked_unopened=self.clicked_unopened + other.clicked_unopened,
        )

    _repr_html_ = html_record

    def to_dict(self) -> dict[str, Any]:
        """Plain values for a DataFrame row; the rates as Decimal shares (None when undefined)."""
        return {
            "kind": self.kind,
            "delivered": self.delivered,
            "opened": self.opened,
            "clicked": self.clicked,
            "undelivered": self.undelivered,
            "clicked_unopened": self.clicked_unopened,
            "open_rate": self.open_rate.value,
            "click_rate": self.click_rate.value,
            "click_to_open_rate": self.click_to_open_rate.value,
        }


def _kinds_field(instance: Any, attribute: Any, value: Any) -> None:
    if (
        not isinstance(value, tuple)
        or not all(isinstance(stats, EmailStats) and stats.kind is not None for stats in value)
        or [stats.kind for stats in value] != sorted({str(stats.kind) for stats in value})
    ):
        raise InvalidType(
            attribute.name,
            value,
            "a tuple of EmailStats with distinct kinds, sorted by kind",
            context=type(instance).__name__,
        )


@attrs.frozen(repr=False)
class EmailReport(Mapping[str, EmailStats]):
    """Email engagement per notification kind: a mapping kind -> :class:`EmailStats`.

    Iterates in kind order; :attr:`total` adds all kinds together.
    """

    COLUMNS: ClassVar[Columns] = (
        ("kind", "text"),
        ("delivered", "int"),
        ("opened", "int"),
        ("clicked", "int"),
        ("undelivered", "int"),
        ("clicked_unopened", "int"),
        ("open_rate", "decimal"),
        ("click_rate", "decimal"),
        ("click_to_open_rate", "decimal"),
    )
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

    kinds: tuple[EmailStats, ...] = attrs.field(validator=_kinds_field)

    def __getitem__(self, kind: str) -> EmailStats:
        name = kind.value if isinstance(kind, Enum) else kind
        for stats in self.kinds:
            if stats.kind == name:
                return stats
        known = ", ".join(str(stats.kind) for stats in self.kinds) or "none"
        raise InvalidField("kind", kind, f"a kind in these records (known: {known})")

    def __contains__(self, kind: object) -> bool:
        name = kind.value if isinstance(kind, Enum) else kind
        return any(stats.kind == name for stats in self.kinds)

    def get(self, kind: str, default: Any = None) -> Any:
        """The stats of ``kind``, or ``default`` when the records have none of that kind."""
        name = kind.value if isinstance(kind, Enum) else kind
        for stats in self.kinds:
            if stats.kind == name:
                return stats
        return default

    def __iter__(self) -> Iterator[str]:
        return (str(stats.kind) for stats in self.kinds)

    def __len__(self) -> int:
        return len(self.kinds)

    @property
    def open_rate(self) -> Ratio:
        """Opened / delivered, all kinds together (``report[kind].open_rate`` for one kind)."""
        return self.total.open_rate

    @property
    def click_rate(self) -> Ratio:
        """Clicked / delivered, all kinds together (``report[kind].click_rate`` for one kind)."""
        return self.total.click_rate

    @property
    def click_to_open_rate(self) -> Ratio:
        """Clicked / opened, all kinds together (``report[kind].click_to_open_rate`` for one)."""
        return self.total.click_to_open_rate

    @property
    def total(self) -> EmailStats:
        """All kinds together."""
        return EmailStats(
            None,
            sum(stats.delivered for stats in self.kinds),
            sum(stats.opened for stats in self.kinds),
            sum(stats.clicked for stats in self.kinds),
            undelivered=sum(stats.undelivered for stats in self.kinds),
            clicked_unopened=sum(stats.clicked_unopened for stats in self.kinds),
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per kind (see :meth:`EmailStats.to_dict`)."""
        return [stats.to_dict() for stats in self.kinds]

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The report as a DataFrame of ``backend``: "pandas", "polars" or "pyarrow".

        One row per kind, the columns of :meth:`to_records`, in order and typed (undefined rates
        null). Decimals stay exact (a decimal128 column) unless ``money="float"`` makes them
        float64, inexact, for plotting, ``describe()`` and ``qcut``. Needs the library
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
        """A table of the three rates per kind and in total (rounded only here)."""
        rows = [*self.kinds, self.total]
        width = max(len("kind"), len(_ALL_KINDS), *(len(str(stats.kind)) for stats in self.kinds))
        lines = [
            f"{'kind'.ljust(width)}  {'delivered':>9}  {'open rate':>9}  {'click rate':>10}  "
            f"{'click-to-open':>13}"
        ]
        for stats in rows:
            name = _ALL_KINDS if stats.kind is None else stats.kind
            lines.append(
                f"{name.ljust(width)}  {stats.delivered:>9,}  "
                f"{stats.open_rate.percent(places, rounding):>9}  "
                f"{stats.click_rate.percent(places, rounding):>10}  "
                f"{stats.click_to_open_rate.percent(places, rounding):>13}"
            )
        lines.append("(a click without a recorded open counts as an open)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [
            (
                _ALL_KINDS if stats.kind is None else stats.kind,
                f"{stats.delivered:,}",
                stats.open_rate.percent(),
                stats.click_rate.percent(),
                stats.click_to_open_rate.percent(),
            )
            for stats in [*self.kinds, self.total]
        ]
        return html_table(
            kind="email-report",
            caption=f"Email engagement ({len(self.kinds)} kinds)",
            header=("kind", "delivered", "open rate", "click rate", "click-to-open"),
            rows=rows,
            notes=("(a click without a recorded open counts as an open)",),
        )

    def __repr__(self) -> str:
        total = self.total
        return (
            f"<EmailReport {len(self.kinds)} kinds, {total.delivered:,} delivered, "
            f"open rate {total.open_rate.percent()}>"
        )


def email_engagement(
    rows: Iterable[Mapping[str, Any]] | Any,
    *,
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
) -> EmailReport:
    """Email engagement per notification kind, in one pass over message records.

    open rate            = opened / delivered
    click rate           = clicked / delivered
    click-to-open rate   = clicked / opened

    per kind (``report[kind].open_rate``) and in total (``report.open_rate``,
    or :attr:`EmailReport.total` for all the figures). A click without a
    recorded open counts as an open, so clicks never exceed opens.
    Undelivered messages (``delivered_at`` None) are counted apart and in
    no denominator. The keys are on docs/metrics.md. Refuses bad rows
    naming them. No delivered message at all gives undefined rates, or
    :class:`UndefinedMetric` with ``on_empty="raise"``.

    ``rows`` may be a table instead (pandas, polars, pyarrow, DuckDB, Spark,
    ...; the ``frames`` extra) with message_id, kind and delivered_at
    columns and, optionally, opened_at and clicked_at (a missing value where
    there was none): the counts per kind are found inside its engine and
    the report is the same :class:`EmailReport`. ``columns`` maps
    salesflow's column names to the table's; ``naive_zone`` is the zone a
    naive time column was written in. Refusals name the column
    (``rows['sent']``).

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> later = t + timedelta(hours=2)
    >>> mails = [
    ...     {"message_id": 1, "kind": "shipped", "delivered_at": t, "opened_at": later},
    ...     {"message_id": 2, "kind": "shipped", "delivered_at": t, "clicked_at": later},
    ...     {"message_id": 3, "kind": "shipped", "delivered_at": t},
    ...     {"message_id": 4, "kind": "delayed", "delivered_at": t, "opened_at": t, "clicked_at": later},
    ... ]
    >>> report = email_engagement(mails)
    >>> list(report), report["shipped"].open_rate
    (['delayed', 'shipped'], <Ratio shipped email open rate (clicks count as opens): 2 / 3 = 2/3 ≈ 0.6666666667>)
    >>> report.click_to_open_rate.percent()
    '66.7%'
    """
    check_on_empty(on_empty)
    if table(rows):
        counts = framed_mail_counts(rows, columns=columns, naive_zone=naive_zone)
    else:
        rows_only({"columns": columns, "naive_zone": naive_zone})
        counts = _fold_mails(rows)
    report = EmailReport(
        tuple(
            EmailStats(
                kind,
                tally[_DELIVERED],
                tally[_OPENED],
                tally[_CLICKED],
                undelivered=tally[_UNDELIVERED],
                clicked_unopened=tally[_CLICKED_UNOPENED],
            )
            for kind, tally in sorted(counts.items())
        )
    )
    settle(report.total.open_rate, on_empty)
    return report
