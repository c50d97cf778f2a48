"""The small values an order is made of: customer, lines, support contact."""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.money import Money

__all__ = ["Customer", "OrderLine", "SupportContact"]

_T = TypeVar("_T")


def _text(_instance: Any, attribute: Any, value: Any) -> None:
    _check.text(attribute.name, value)


def _optional_text(_instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        _check.text(attribute.name, value)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


@attrs.frozen
class Customer:
    """Who the order is for: an id for the host's records, a name for the greeting."""

    id: str = attrs.field(converter=_strip, validator=_text)
    name: str = attrs.field(converter=_strip, validator=_text)

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_dict(cls, document: Any, *, field: str = "customer") -> Customer:
        doc = _check.mapping(field, document)
        return _rebuild(
            cls, field, id=_check.key(field, doc, "id"), name=_check.key(field, doc, "name")
        )


def _quantity(_instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=1)


def _unit_price(_instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, Money):
        raise InvalidType(attribute.name, value, "Money")
    if value.amount < 0:
        raise InvalidField(attribute.name, value, "a price of zero or more")


@attrs.frozen
class OrderLine:
    """One line of an order: ``quantity`` units of ``sku`` at ``unit_price``.

    Refuses an empty sku or name, a quantity below 1 and a negative or non-Money price.

    >>> from salesflow import Money
    >>> OrderLine("MUG-1", "Blue mug", 2, Money("8.50", "EUR")).total
    Money('17.00', 'EUR')
    """

    sku: str = attrs.field(converter=_strip, validator=_text)
    name: str = attrs.field(converter=_strip, validator=_text)
    quantity: int = attrs.field(validator=_quantity)
    unit_price: Money = attrs.field(validator=_unit_price)

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
        doc = _check.mapping(field, document)
        price = Money.from_dict(_check.key(field, doc, "unit_price"), field=f"{field}.unit_price")
        return _rebuild(
            cls,
            field,
            sku=_check.key(field, doc, "sku"),
            name=_check.key(field, doc, "name"),
            quantity=_check.key(field, doc, "quantity"),
            unit_price=price,
        )


@attrs.frozen
class SupportContact:
    """How a customer reaches the shop; every notification carries it.

    At least one of ``email``, ``phone`` or ``url`` is required.

    >>> str(SupportContact(email="help@shop.example", phone="+44 20 7946 0000"))
    'help@shop.example or +44 20 7946 0000'
    """

    email: str | None = attrs.field(default=None, converter=_strip, validator=_optional_text)
    phone: str | None = attrs.field(default=None, converter=_strip, validator=_optional_text)
    url: str | None = attrs.field(default=None, converter=_strip, validator=_optional_text)

    def __attrs_post_init__(self) -> None:
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
        doc = _check.mapping(field, document)
        unknown = set(doc) - {"email", "phone", "url"}
        if unknown:
            raise InvalidField(field, sorted(unknown), "only the keys email, phone and url")
        return _rebuild(cls, field, **doc)


def _rebuild(cls: type[_T], field: str, **values: Any) -> _T:
    """Build ``cls`` from document values, naming the document path on error."""
    try:
        return cls(**values)
    except InvalidField as err:
        name = err.field if err.field.startswith(field) else f"{field}.{err.field}"
        raise type(err)(name, err.value, err.expected) from None
