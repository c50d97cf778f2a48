"""Order records: the plain input form of the order metrics, and its value type.

A record is one order as a mapping (``df.to_dict("records")`` gives them) or an
:class:`OrderRecord`; docs/metrics.md ("The record contract") lists the keys and
what is refused. The checks of the order-only keys (status, discount) live here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from salesflow import _check
from salesflow.errors import CurrencyMismatch, InvalidField, InvalidType
from salesflow.metrics._read.fields import (
    Id,
    absent,
    amount,
    currency,
    id_attribute,
    identifier,
    moment,
    money_attribute,
    required,
    shown_ids,
    values_of,
    whole_number,
)
from salesflow.money import Money
from salesflow.orders import Order, OrderStatus

__all__ = [
    "OPTIONAL_KEYS",
    "REQUIRED_KEYS",
    "CustomerId",
    "OrderRecord",
    "check_basis",
    "discount",
    "order_status",
    "shown_ids",
    "values_of",
    "whole_number",
]

CustomerId = Id
"""A customer or order id: a non-empty string or an int, used exactly as given."""

REQUIRED_KEYS: Final = ("order_id", "customer_id", "placed_at", "amount", "currency")
OPTIONAL_KEYS: Final = ("discount", "status")

_STATUS_VALUES: Final = {status.value: status for status in OrderStatus}
_STATUSES_SHOWN: Final = ", ".join(sorted(_STATUS_VALUES))
_BASES: Final = ("net", "gross")
_ROW_EXPECTED: Final = (
    "a mapping with the keys order_id, customer_id, placed_at, amount and currency, "
    "an OrderRecord or an Order (from a DataFrame, pass df.to_dict('records'))"
)


# -- the order-only keys ---------------------------------------------------------------


def order_status(field: str, value: Any) -> OrderStatus | None:
    """A record's ``status``: an order status (or its value), or None (absent, NaN) for a
    placed order."""
    if absent(value) or isinstance(value, OrderStatus):
        return value if isinstance(value, OrderStatus) else None
    found = _STATUS_VALUES.get(value) if isinstance(value, str) else None
    if found is None:
        raise InvalidField(field, value, f"None or an order status, one of {_STATUSES_SHOWN}")
    return found


def discount(field: str, value: Any, gross: Decimal) -> Decimal | None:
    """A record's ``discount``: from 0 to the amount ``gross``; None (absent, NaN) is none."""
    if absent(value):
        return None
    granted = amount(field, value)
    if granted > gross:
        raise InvalidField(field, value, f"a discount of at most the amount ({gross})")
    return granted


def check_basis(basis: Any) -> bool:
    """``"net"`` (amount minus discount, the default) or ``"gross"``; True for net."""
    if not isinstance(basis, str) or basis not in _BASES:
        raise InvalidField("basis", basis, "'net' (amount minus discount) or 'gross'")
    return basis == "net"


# -- the value type ------------------------------------------------------------------------


def _utc_field(value: Any) -> datetime:
    return moment("placed_at", value)


def _optional_status(value: Any) -> OrderStatus | None:
    if value is None or isinstance(value, OrderStatus):
        return value
    return order_status("status", value)


@attrs.frozen
class OrderRecord:
    """One order as the record-based metrics read it: the library's own record value.

    ``placed_at`` is kept in UTC (an ISO string with an offset or any aware
    datetime is converted). ``discount``, when given, is in the order's
    currency and at most ``amount``. Refuses empty or non-string/int ids,
    naive times, negative or non-Money amounts, mixed currencies and unknown
    statuses. :meth:`to_dict` gives the plain mapping form, and
    :meth:`from_mapping` checks one (naming it ``row``, at ``rows[index]``).
    """

    order_id: CustomerId = attrs.field(validator=id_attribute)
    customer_id: CustomerId = attrs.field(validator=id_attribute)
    placed_at: datetime = attrs.field(converter=_utc_field)
    amount: Money = attrs.field(validator=money_attribute)
    discount: Money | None = attrs.field(default=None, kw_only=True)
    status: OrderStatus | None = attrs.field(default=None, kw_only=True, converter=_optional_status)

    def __attrs_post_init__(self) -> None:
        if self.discount is None:
            return
        money_attribute(self, attrs.fields(OrderRecord).discount, self.discount)
        if self.discount.currency != self.amount.currency:
            raise CurrencyMismatch(
                "discount",
                self.discount.currency,
                f"the currency of amount ({self.amount.currency!r})",
                context="OrderRecord",
            )
        if self.discount > self.amount:
            raise InvalidField(
                "discount",
                self.discount,
                f"a discount of at most the amount ({self.amount})",
                context="OrderRecord",
            )

    @property
    def cancelled(self) -> bool:
        """A cancelled order is not a purchase: the metrics leave it out."""
        return self.status is OrderStatus.CANCELLED

    @property
    def net_amount(self) -> Money:
        """``amount - discount``."""
        return self.amount if self.discount is None else self.amount - self.discount

    def to_dict(self) -> dict[str, Any]:
        """The plain mapping form (Decimal amounts, a UTC datetime, the status value)."""
        return {
            "order_id": self.order_id,
            "customer_id": self.customer_id,
            "placed_at": self.placed_at,
            "amount": self.amount.amount,
            "currency": self.amount.currency,
            "discount": None if self.discount is None else self.discount.amount,
            "status": None if self.status is None else self.status.value,
        }

    @classmethod
    def from_mapping(cls, row: Any, *, index: int = 0) -> OrderRecord:
        """Check one mapping against the contract.

        Errors name the parameter, ``row`` (``row.amount``), and say which row
        of the caller's table it is: ``rows[index]: row.amount: got ...``.
        """
        index = _check.whole("index", index, minimum=0)
        try:
            fields = _fields(row)
            order_id = identifier("row.order_id", required("row", fields, "order_id"))
            customer_id = identifier("row.customer_id", required("row", fields, "customer_id"))
            placed = moment("row.placed_at", required("row", fields, "placed_at"))
            gross = amount("row.amount", required("row", fields, "amount"))
            code = currency("row.currency", required("row", fields, "currency"))
            granted = discount("row.discount", fields.get("discount"), gross)
            status = order_status("row.status", fields.get("status"))
        except InvalidField as error:
            raise type(error)(
                error.field,
                error.value,
                error.expected,
                context=", ".join(filter(None, (f"rows[{index}]", error.context))),
            ) from None
        return cls(
            order_id,
            customer_id,
            placed,
            Money(gross, code),
            discount=None if granted is None else Money(granted, code),
            status=status,
        )

    @classmethod
    def from_order(cls, order: Order) -> OrderRecord:
        """The record of an :class:`~salesflow.orders.Order`: number, customer, amount due, status."""
        if not isinstance(order, Order):
            raise InvalidType("order", order, "an Order")
        return cls(
            order.number,
            order.customer.id,
            order.placed_at,
            order.amount_due,
            status=order.status,
        )


def _fields(row: Any) -> Mapping[str, Any]:
    """The keys of one row given to :meth:`OrderRecord.from_mapping`."""
    if isinstance(row, Mapping):
        return row
    if isinstance(row, OrderRecord):
        return row.to_dict()
    if isinstance(row, Order):
        return OrderRecord.from_order(row).to_dict()
    raise InvalidType("row", row, _ROW_EXPECTED)
