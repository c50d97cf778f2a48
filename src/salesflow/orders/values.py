"""The small values an order is made of: customer, lines, support contact."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

import attrs

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.money import Money

__all__ = ["Customer", "OrderLine", "SupportContact"]


def _clean(owner: Any, name: str, *, optional: bool = False) -> None:
    """Check a text attribute; strip surrounding white space in place if there is any."""
    value = getattr(owner, name)
    if value is None and optional:
        return
    if type(value) is not str or not value or value[0].isspace() or value[-1].isspace():
        object.__setattr__(owner, name, _check.text(name, value))


@attrs.frozen
class Customer:
    """Who the order is for: an id for the host's records, a name for the greeting.

    Refuses empty or non-string values; strips surrounding white space.
    """

    id: str
    name: str

    def __attrs_post_init__(self) -> None:
        _clean(self, "id")
        _clean(self, "name")

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_dict(cls, document: Any, *, field: str = "customer") -> Customer:
        """Rebuild from :meth:`to_dict`; an unknown key is refused, naming it."""
        doc = _check.mapping(field, document)
        _check.only_keys(field, doc, ("id", "name"))
        try:
            values = {"id": doc["id"], "name": doc["name"]}
        except KeyError as err:
            raise InvalidField(f"{field}.{err.args[0]}", None, "a value (it is missing)") from None
        return _exactly(field, doc, _check.build(field, cls, values))


@attrs.frozen
class OrderLine:
    """One line of an order: ``quantity`` units of ``sku`` at ``unit_price``.

    Refuses an empty sku or name, a quantity below 1 and a negative or non-Money price.

    >>> from salesflow import Money
    >>> OrderLine("MUG-1", "Blue mug", 2, Money("8.50", "EUR")).total
    Money('17.00', 'EUR')
    """

    sku: str
    name: str
    quantity: int
    unit_price: Money

    def __attrs_post_init__(self) -> None:
        _clean(self, "sku")
        _clean(self, "name")
        if type(self.quantity) is not int or self.quantity < 1:
            _check.whole("quantity", self.quantity, minimum=1)
        price = self.unit_price
        if not isinstance(price, Money):
            raise InvalidType("unit_price", price, "Money")
        if price.amount < 0:
            raise InvalidField("unit_price", price, "a price of zero or more")
        try:
            price * self.quantity
        except InvalidField:
            raise InvalidField(
                "quantity",
                self.quantity,
                "a quantity whose line total is a supported amount (at most 10**18)",
            ) from None

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity

    def __str__(self) -> str:
        return f"{self.quantity} x {self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "name": self.name,
            "quantity": self.quantity,
            "unit_price": self.unit_price.to_dict(),
        }

    @classmethod
    def from_dict(cls, document: Any, *, field: str = "line") -> OrderLine:
        """Rebuild from :meth:`to_dict`; an unknown key is refused, naming it."""
        doc = _check.mapping(field, document)
        _check.only_keys(field, doc, ("sku", "name", "quantity", "unit_price"))
        try:
            sku, name, quantity, price = doc["sku"], doc["name"], doc["quantity"], doc["unit_price"]
        except KeyError as err:
            raise InvalidField(f"{field}.{err.args[0]}", None, "a value (it is missing)") from None
        unit_price = Money.from_dict(price, field=f"{field}.unit_price")
        line = _check.build(
            field, cls, {"sku": sku, "name": name, "quantity": quantity, "unit_price": unit_price}
        )
        return _exactly(field, doc, line)


@attrs.frozen
class SupportContact:
    """How a customer reaches the shop; every notification carries it.

    At least one of ``email``, ``phone`` or ``url`` is required.

    >>> str(SupportContact(email="help@shop.example", phone="+44 20 7946 0000"))
    'help@shop.example or +44 20 7946 0000'
    """

    email: str | None = None
    phone: str | None = None
    url: str | None = None

    def __attrs_post_init__(self) -> None:
        _clean(self, "email", optional=True)
        _clean(self, "phone", optional=True)
        _clean(self, "url", optional=True)
        if self.email is None and self.phone is None and self.url is None:
            raise InvalidField("support", self, "at least one of email, phone or url")

    def __str__(self) -> str:
        return " or ".join(part for part in (self.email, self.phone, self.url) if part)

    def to_dict(self) -> dict[str, str]:
        return {
            name: value
            for name, value in (("email", self.email), ("phone", self.phone), ("url", self.url))
            if value is not None
        }

    @classmethod
    def from_dict(cls, document: Any, *, field: str = "support") -> SupportContact:
        """Rebuild from :meth:`to_dict`; an unknown key is refused, naming it."""
        doc = _check.mapping(field, document)
        _check.only_keys(field, doc, _SUPPORT_KEYS)
        return _exactly(field, doc, _check.build(field, cls, doc))


_SUPPORT_KEYS = frozenset({"email", "phone", "url"})


class _Written(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


_W = TypeVar("_W", bound=_Written)


def _exactly(field: str, document: dict[str, Any], value: _W) -> _W:
    """``value``, once ``document`` is exactly what its ``to_dict()`` writes.

    A null where to_dict writes no key, padded text or a retyped number is an
    altered document, refused naming the path.
    """
    _check.same_document(field, document, value.to_dict(), why="as the content gives")
    return value
