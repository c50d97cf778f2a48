"""RFM: recency, frequency and monetary scores 1-5 by quintile, and the segment each names.

Pure Python (no numpy): scores from order records or from a
:class:`~salesflow.metrics.CustomerSummaries`, segments from an ordered,
overridable rule table on R and the mean of F and M. See docs/predict.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, ClassVar, Final

import attrs

from salesflow._frames_out import Columns, records_to_frame
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._read.frames import rows_only
from salesflow.metrics._read.frames import table as _table
from salesflow.metrics.summary import CustomerSummaries
from salesflow.money import Money
from salesflow.predict._customers import record_currency, record_customer
from salesflow.predict.segments import DEFAULT_RFM_SEGMENTS, Rule

__all__ = ["RFMScores", "rfm"]

_SCORES: Final = range(1, 6)
_HALVES: Final = tuple(Fraction(n, 2) for n in range(2, 11))


@attrs.frozen
class _Row:
    customer_id: str | int
    recency: timedelta
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int
    segment: str


@attrs.frozen
class RFMScores:
    """Each customer's recency, frequency and monetary value, their 1-5 scores and segment.

    ``rows`` are in customer id order (ints first, then strings); ``now`` is
    the moment recency was measured from, ``currency`` the amounts' currency
    (None when they were plain Decimals), ``rules`` the segment table used.
    """

    COLUMNS: ClassVar[Columns] = (
        ("customer_id", "id"),
        ("recency", "duration"),
        ("frequency", "int"),
        ("monetary", "decimal"),
        ("r", "int"),
        ("f", "int"),
        ("m", "int"),
        ("rfm", "text"),
        ("segment", "text"),
    )
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

    rows: tuple[_Row, ...]
    now: datetime
    currency: str | None
    rules: tuple[Rule, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def segments(self) -> dict[str, int]:
        """How many customers each segment of the table holds (0 for an empty one), in table order."""
        counts = dict.fromkeys((rule[0] for rule in self.rules), 0)
        for row in self.rows:
            counts[row.segment] += 1
        return counts

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per customer: customer_id, recency, frequency, monetary, r, f, m, rfm, segment.

        ``recency`` is a timedelta, ``monetary`` the exact Decimal total and
        ``rfm`` the three scores as one string ("545").
        """
        return [
            {
                "customer_id": row.customer_id,
                "recency": row.recency,
                "frequency": row.frequency,
                "monetary": row.monetary,
                "r": row.r,
                "f": row.f,
                "m": row.m,
                "rfm": f"{row.r}{row.f}{row.m}",
                "segment": row.segment,
            }
            for row in self.rows
        ]

    def to_vega_lite(self) -> dict[str, Any]:
        """The RFM segment map as a Vega-Lite v5 spec (a plain dict): R by FM, one cell each.

        y is the R score (5 at the top), x FM = (F + M) / 2 (1, 1.5, ... 5);
        each of the 45 cells is coloured by the segment the rule table gives
        it and labelled with its customers (0 shown grey). One data row per
        cell: ``r``, ``fm``, ``segment``, ``customers``. See docs/predict.md
        ("Charts").
        """
        from salesflow.predict._pictures import rfm_map

        return rfm_map(self)

    def to_altair(self) -> Any:
        """:meth:`to_vega_lite` as an Altair (layered) chart (needs ``pip install 'salesflow[viz]'``)."""
        from salesflow._charts import altair_chart

        return altair_chart(self.to_vega_lite())

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The scores as a DataFrame of ``backend``: "pandas", "polars" or "pyarrow".

        One row per customer, the columns of :meth:`to_records` in order and
        typed (``recency`` a duration, ``monetary`` an exact decimal column
        unless ``money="float"`` makes it float64). Needs the library
        (:class:`~salesflow.errors.MissingExtra` names the extra to install).
        """
        return records_to_frame(
            self.to_records(), columns=self.COLUMNS, backend=backend, money=money
        )


def rfm(
    customers: Any,
    *,
    now: datetime | None = None,
    segments: Sequence[Rule] = DEFAULT_RFM_SEGMENTS,
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
    amount_scale: int | None = None,
    amount_rounding: str | None = None,
) -> RFMScores:
    """RFM scores 1-5 and a named segment for each customer.

    ``customers`` is a :class:`~salesflow.metrics.CustomerSummaries` (its
    ``recency``, ``orders`` and total spend; ``now`` is then the summary's
    and may be left out) or an iterable of order records, each one purchase:
    a mapping with ``customer_id`` (str or int), ``placed_at`` (timezone-aware,
    not after ``now``, which must then be given) and ``amount`` (Money,
    Decimal, int or a decimal string; never a float; a ``currency`` key, where
    present, is read as the amount's). Recency is ``now`` minus
    the last purchase, frequency the purchases, monetary the total spend.

    Scores are quintiles of rank with ties shared: a customer's score is
    ``1 + floor(5 * worse / n)``, where ``worse`` counts the customers with a
    strictly worse value (a longer recency, fewer purchases, less spend) among
    ``n``. So equal values always get equal scores, a better value never gets
    a lower one, and the input order never matters. The segment is that of the
    first rule of ``segments`` whose ranges hold R and FM = (F + M) / 2.

    Refuses a bad record (naming it: ``customers[3].amount``), a naive or
    missing ``now``, a ``now`` other than the summary's, a second currency and
    a rule table that is malformed or leaves some (R, FM) without a segment.

    ``customers`` may be a table of order rows instead (pandas, polars,
    pyarrow, DuckDB, Spark, ...; the ``frames`` extra), each row a purchase,
    with the columns ``customer_id``, ``placed_at``, ``amount`` and,
    optionally, ``currency``: the last purchase, purchases and total spend
    per customer are computed in its engine, and the scores are those of
    the same rows as records. ``columns``, ``naive_zone``, ``amount_scale``
    and ``amount_rounding`` read it as :func:`model_input` reads a table.

    >>> from datetime import datetime, timezone
    >>> at = lambda day: datetime(2026, 3, day, tzinfo=timezone.utc)
    >>> scores = rfm(
    ...     [{"customer_id": "ada", "placed_at": at(1), "amount": "80"},
    ...      {"customer_id": "ada", "placed_at": at(28), "amount": "60"},
    ...      {"customer_id": "bob", "placed_at": at(2), "amount": "15"}],
    ...     now=at(31))
    >>> [(r["customer_id"], r["rfm"], r["segment"]) for r in scores.to_records()]
    [('ada', '333', 'need attention'), ('bob', '111', 'lost')]
    """
    rules = _rules(segments)
    table_only = {
        "columns": columns,
        "naive_zone": naive_zone,
        "amount_scale": amount_scale,
        "amount_rounding": amount_rounding,
    }
    if _table(customers):
        if now is None:
            raise InvalidField("now", None, "a timezone-aware datetime (recency is measured to it)")
        from salesflow.predict._framed import framed_rfm

        currency, values = framed_rfm(customers, now=_instant("now", now), **table_only)
        return _scored(values, now, currency, rules)
    rows_only(table_only)
    if isinstance(customers, CustomerSummaries):
        if now is not None and _instant("now", now) != customers.now.astimezone(UTC):
            raise InvalidField(
                "now", now, f"None or the summary's own now ({customers.now.isoformat()})"
            )
        moment = customers.now
        currency = customers.currency
        values = {s.customer_id: (s.recency, s.orders, s.total_amount) for s in customers.customers}
    else:
        if now is None:
            raise InvalidField("now", None, "a timezone-aware datetime (recency is measured to it)")
        moment = now
        currency, values = _from_records(customers, _instant("now", now))
    return _scored(values, moment, currency, rules)


def _instant(name: str, value: Any) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidType(name, value, "a timezone-aware datetime")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidField(
            name, value, "a time whose instant has a date in the year 1 to 9999 in UTC"
        ) from None


def _amount(name: str, value: Any) -> Decimal:
    if isinstance(value, Money):
        value = value.amount
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidType(name, value, "an amount: Money, Decimal, int or a decimal string")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise InvalidField(name, value, "an amount: a decimal number") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidField(name, value, "a finite amount, at least 0")
    return amount


def _from_records(
    records: Any, now: datetime
) -> tuple[str | None, dict[Any, tuple[timedelta, int, Decimal]]]:
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise InvalidType(
            "customers", records, "a CustomerSummaries or an iterable of order records"
        )
    last: dict[Any, datetime] = {}
    count: dict[Any, int] = {}
    spend: dict[Any, Decimal] = {}
    currency: str | None = None
    for index, record in enumerate(records):
        name = f"customers[{index}]"
        cid = record_customer(name, record)
        placed = _instant(f"{name}.placed_at", record["placed_at"])
        if placed > now:
            raise InvalidField(
                f"{name}.placed_at",
                record["placed_at"],
                f"a time not after now ({now.isoformat()})",
            )
        raw = record["amount"]
        currency = record_currency(name, record, currency)
        amount = _amount(f"{name}.amount", raw)
        if cid not in last or placed > last[cid]:
            last[cid] = placed
        count[cid] = count.get(cid, 0) + 1
        spend[cid] = spend.get(cid, Decimal(0)) + amount
    return currency, {cid: (now - last[cid], count[cid], spend[cid]) for cid in last}


def _rules(value: Any) -> tuple[Rule, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidType("segments", value, "a sequence of (segment, (R from, to), (FM from, to))")
    rules: list[Rule] = []
    for index, rule in enumerate(value):
        name = f"segments[{index}]"
        shape = "(segment name, (lowest R, highest R), (lowest FM, highest FM))"
        if not isinstance(rule, tuple | list) or len(rule) != 3:
            raise InvalidType(name, rule, shape)
        segment, r_range, fm_range = rule
        if not isinstance(segment, str) or not segment:
            raise InvalidType(f"{name}[0]", segment, "a segment name (a non-empty string)")
        low_r, high_r = _range(f"{name}[1]", r_range, whole=True)
        low_fm, high_fm = _range(f"{name}[2]", fm_range, whole=False)
        rules.append((segment, (int(low_r), int(high_r)), (low_fm, high_fm)))
    for r in _SCORES:
        for fm in _HALVES:
            if _segment(rules, r, fm) is None:
                raise InvalidField(
                    "segments",
                    value,
                    f"a rule for every R 1-5 and FM 1-5 in halves (none holds R {r}, FM {fm})",
                )
    return tuple(rules)


def _range(name: str, value: Any, *, whole: bool) -> tuple[float, float]:
    what = "scores from 1 to 5" + (" (whole numbers)" if whole else "")
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise InvalidType(name, value, f"a (lowest, highest) pair of {what}")
    for end in value:
        if isinstance(end, bool) or not isinstance(end, int | float | Decimal | Fraction):
            raise InvalidType(name, value, f"a (lowest, highest) pair of {what}")
        if not 1 <= end <= 5 or (whole and end != int(end)):
            raise InvalidField(name, value, f"a (lowest, highest) pair of {what}")
    if value[0] > value[1]:
        raise InvalidField(name, value, "a (lowest, highest) pair, lowest first")
    return float(value[0]), float(value[1])


def _segment(rules: Sequence[Rule], r: int, fm: Fraction) -> str | None:
    for segment, (low_r, high_r), (low_fm, high_fm) in rules:
        if low_r <= r <= high_r and Fraction(low_fm) <= fm <= Fraction(high_fm):
            return segment
    return None


def _scores(values: dict[Any, Any], *, lower_is_better: bool) -> dict[Any, int]:
    """1 + floor(5 * worse / n): ``worse`` counts the strictly worse values, so ties share."""
    ordered = sorted(set(values.values()), reverse=lower_is_better)  # worst first
    below: dict[Any, int] = {}
    seen = 0
    counts: dict[Any, int] = {}
    for value in values.values():
        counts[value] = counts.get(value, 0) + 1
    for value in ordered:
        below[value] = seen
        seen += counts[value]
    n = len(values)
    return {cid: 1 + 5 * below[value] // n for cid, value in values.items()}


def _scored(
    values: dict[Any, tuple[timedelta, int, Decimal]],
    now: datetime,
    currency: str | None,
    rules: tuple[Rule, ...],
) -> RFMScores:
    r = _scores({cid: v[0] for cid, v in values.items()}, lower_is_better=True)
    f = _scores({cid: v[1] for cid, v in values.items()}, lower_is_better=False)
    m = _scores({cid: v[2] for cid, v in values.items()}, lower_is_better=False)
    rows = []
    named: dict[tuple[int, int], str] = {}  # (R, F + M): at most 5 x 9 cells to look up
    for cid in sorted(values, key=lambda c: (isinstance(c, str), c)):
        recency, frequency, monetary = values[cid]
        cell = (r[cid], f[cid] + m[cid])
        segment = named.get(cell)
        if segment is None:
            found = _segment(rules, cell[0], Fraction(cell[1], 2))
            assert found is not None  # _rules checked that every (R, FM) has one
            segment = named[cell] = found
        rows.append(_Row(cid, recency, frequency, monetary, r[cid], f[cid], m[cid], segment))
    return RFMScores(rows=tuple(rows), now=now, currency=currency, rules=rules)
