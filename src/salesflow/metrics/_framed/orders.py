"""Order tables: bound, audited once, and the revenue and purchase expressions on them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, tzinfo
from typing import Any, Final

from salesflow.errors import InvalidField
from salesflow.metrics._read.frames import (
    CODE,
    DATE,
    DECIMAL_DIGITS,
    FLAG,
    ID,
    MONEY,
    TEXT,
    TIME,
    Bound,
    audit,
    bind,
    found_value,
    instant,
    refuse_currency,
    whole,
)
from salesflow.metrics._read.scope import after_now
from salesflow.orders import OrderStatus

_CANCELLED: Final = OrderStatus.CANCELLED.value
_STATUSES: Final = tuple(sorted(status.value for status in OrderStatus))

ORDER_KINDS: Final = {
    "order_id": ID,
    "customer_id": ID,
    "placed_at": TIME,
    "amount": MONEY,
    "discount": MONEY,
    "currency": CODE,
    "status": TEXT,
    "delayed": FLAG,
    "delivered_at": TIME,
    "promised_delivery": DATE,
}
# Columns whose missing values mean something: no status is a placed order,
# no discount is none, no delivery time is an order not delivered (whose
# promised date is then not read).
_NULLABLE: Final = frozenset({"status", "discount", "delivered_at", "promised_delivery"})
_TIMES: Final = ("placed_at", "delivered_at")


class OrderTable:
    """A bound, audited order table: the frame, its currency and time ranges (UTC).

    ``earliest`` and ``latest`` are the range of ``placed_at`` (None when the
    table has no row or the column is not read); :meth:`span` gives any
    time column's.
    """

    __slots__ = ("bound", "currency", "rows", "spans")

    def __init__(
        self,
        bound: Bound,
        currency: str | None,
        rows: int,
        spans: dict[str, tuple[datetime, datetime]],
    ) -> None:
        self.bound = bound
        self.currency = currency
        self.rows = rows
        self.spans = spans

    @property
    def nw(self) -> Any:
        return self.bound.nw

    @property
    def earliest(self) -> datetime | None:
        span = self.spans.get("placed_at")
        return None if span is None else span[0]

    @property
    def latest(self) -> datetime | None:
        span = self.spans.get("placed_at")
        return None if span is None else span[1]

    def span(self, name: str) -> tuple[datetime, datetime] | None:
        """The earliest and latest value of time column ``name`` (None when it has none)."""
        return self.spans.get(name)

    def cancelled(self) -> Any:
        """Whether a row is a cancelled order (False without a status column)."""
        nw = self.nw
        if not self.bound.has("status"):
            return nw.lit(False)
        return nw.col("status").fill_null("") == _CANCELLED

    def kept(self) -> Any:
        """The rows that count: all but cancelled orders."""
        nw = self.nw
        frame = self.bound.frame
        if not self.bound.has("status"):
            return frame
        return frame.filter(~(nw.col("status").fill_null("") == _CANCELLED))

    def spend(self, net: bool) -> Any:
        """The revenue of a row: ``amount - discount`` (net, a missing discount is none) or ``amount``."""
        nw = self.nw
        if net and self.bound.has("discount"):
            # A row's figures keep the amount's own precision (at most 37 digits:
            # Arrow widens a difference by one, and the audit has bounded every
            # amount, and a discount is at most its amount); only sums are
            # widened to 38 digits. Engines compute 18 digits or fewer in 64 bits.
            amount_type = self.bound.schema["amount"]
            digits = min(amount_type.precision, DECIMAL_DIGITS - 1)
            narrow = nw.Decimal(digits, amount_type.scale)
            row = nw.Decimal(digits + 1, amount_type.scale)
            amount = nw.col("amount").cast(narrow)
            net_amount = amount - nw.col("discount").cast(narrow)
            return (
                nw.when(nw.col("discount").is_null())
                .then(amount.cast(row))
                .otherwise(net_amount.cast(row))
            )
        return nw.col("amount")

    def scale(self) -> int:
        scale: int = self.bound.schema["amount"].scale
        return scale

    def money_type(self) -> Any:
        return self.nw.Decimal(DECIMAL_DIGITS, self.scale())


def order_table(
    argument: str,
    native: Any,
    *,
    reads: Collection[str],
    optional: Collection[str] = (),
    needs: Collection[str] = (),
    now: datetime | None,
    columns: Any = None,
    currency: str | None = None,
    naive_zone: tzinfo | str | None = None,
    amount_scale: int | None = None,
    amount_rounding: str | None = None,
    feature: str,
) -> OrderTable:
    """The order table ``native`` bound for the columns ``reads`` and audited in one query.

    Refused as a record would be, naming the caller's column: a missing value
    in a column read, an empty id, an unknown status, a negative amount, a
    discount above the amount, a time after ``now``, a second currency, and
    sums beyond the engine's 38 decimal digits; a delivered order (a
    ``delivered_at``) without a ``promised_delivery``. ``status`` and
    ``discount`` may be absent unless named in ``needs``.
    """
    kinds = {name: ORDER_KINDS[name] for name in reads}
    bound = bind(
        argument,
        native,
        reads=kinds,
        optional=[name for name in (*optional, "status", "discount") if name not in needs],
        mappable=ORDER_KINDS,
        columns=columns,
        constants={"currency": currency},
        naive_zone=naive_zone,
        amount_scale=amount_scale,
        amount_rounding=amount_rounding,
        feature=feature,
    )
    nw = bound.nw
    schema = bound.schema
    checks: list[tuple[str, Any]] = [("rows", nw.len())]
    for name in bound.source:
        if name not in _NULLABLE:
            checks.append((f"{name}__nulls", nw.col(name).is_null().cast(nw.Int64).sum()))
    if bound.has("promised_delivery"):
        unpromised = nw.col("promised_delivery").is_null()
        if bound.has("delivered_at"):
            unpromised = unpromised & ~nw.col("delivered_at").is_null()
        checks.append(("promised_delivery__nulls", unpromised.cast(nw.Int64).sum()))
    for name in ("order_id", "customer_id"):
        if bound.has(name) and schema[name] == nw.String:
            checks.append((f"{name}__empty", (nw.col(name) == "").cast(nw.Int64).sum()))
    if bound.has("status"):
        unknown = ~nw.col("status").is_in(_STATUSES) & ~nw.col("status").is_null()
        checks.append(("status__unknown", nw.when(unknown).then(nw.col("status")).min()))
    for name in _TIMES:
        if bound.has(name):
            checks.append((f"{name}__min", nw.col(name).min()))
            checks.append((f"{name}__max", nw.col(name).max()))
    if bound.has("amount"):
        checks.append(("amount__min", nw.col("amount").min()))
        checks.append(("amount__size", nw.col("amount").cast(nw.Float64).abs().sum()))
    if bound.has("discount"):
        checks.append(("discount__min", nw.col("discount").min()))
        over = nw.col("discount") > nw.col("amount")
        checks.append(("discount__over", nw.when(over).then(nw.col("discount")).min()))
    if bound.has("currency") and bound.source["currency"] is not None:
        checks.append(("currency__min", nw.col("currency").min()))
        checks.append(("currency__max", nw.col("currency").max()))
    found = audit(bound, checks)
    rows = whole(found["rows"])
    for name in bound.source:
        nulls = whole(found.get(f"{name}__nulls"))
        if nulls and name == "promised_delivery":
            raise InvalidField(
                bound.field(name),
                None,
                f"a promised date in every row with a {bound.field('delivered_at')} "
                f"({nulls:,} delivered rows have none)",
            )
        if nulls:
            raise InvalidField(
                bound.field(name), None, f"a value in every row ({nulls:,} rows have none)"
            )
    for name in ("order_id", "customer_id"):
        if found.get(f"{name}__empty"):
            raise InvalidField(bound.field(name), "", "a non-empty string or an int in every row")
    if found_value(found.get("status__unknown")):
        raise InvalidField(
            bound.field("status"),
            found["status__unknown"],
            f"None or an order status, one of {', '.join(_STATUSES)}",
        )
    _audit_money(bound, found, schema)
    spans: dict[str, tuple[datetime, datetime]] = {}
    for name in _TIMES:
        if bound.has(name) and found_value(found[f"{name}__max"]):
            earliest, latest = instant(found[f"{name}__min"]), instant(found[f"{name}__max"])
            if now is not None and latest > now:
                raise after_now(now, bound.field(name), latest)
            spans[name] = (earliest, latest)
    code = currency
    if bound.has("currency"):
        if bound.source["currency"] is not None:
            ends = (found["currency__min"], found["currency__max"])
            distinct = sorted({code for code in ends if found_value(code)})
            code = refuse_currency(bound, distinct, currency)
        elif rows == 0:
            code = None
    return OrderTable(bound, code, rows, spans)


def _audit_money(bound: Bound, found: dict[str, Any], schema: Any) -> None:
    if not bound.has("amount"):
        return
    lowest = found["amount__min"]
    if found_value(lowest) and lowest < 0:
        raise InvalidField(bound.field("amount"), lowest, "an amount of at least 0 in every row")
    scale = schema["amount"].scale
    size = found["amount__size"]
    if found_value(size) and size >= 10 ** (DECIMAL_DIGITS - 1 - scale) / 2:
        raise InvalidField(
            bound.field("amount"),
            f"sums near {size:.3g}",
            f"amounts whose sums fit the engine's {DECIMAL_DIGITS}-digit decimals "
            "(pass the rows as records for 60 digits)",
        )
    if bound.has("discount"):
        low = found["discount__min"]
        if found_value(low) and low < 0:
            raise InvalidField(bound.field("discount"), low, "None or a discount of at least 0")
        over = found["discount__over"]
        if found_value(over):
            raise InvalidField(
                bound.field("discount"), over, "a discount of at most the row's amount"
            )


def check_one_customer_per_order(table: OrderTable) -> None:
    """With purchase='order': the rows of one order name one customer (as the records path)."""
    nw = table.nw
    query = (
        table.bound.frame.group_by("order_id")
        .agg(nw.col("customer_id").n_unique().alias("customers"))
        .filter(nw.col("customers") > 1)
        .select(nw.col("order_id").min().alias("order_id"), nw.len().alias("orders"))
    )
    (row,) = table.bound.collect(query)
    if whole(row["orders"]):
        raise InvalidField(
            table.bound.field("customer_id"),
            row["order_id"],
            "one customer for all the rows of an order (with purchase='order'); "
            f"order {row['order_id']!r} names more than one",
        )
