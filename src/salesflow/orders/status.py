"""The nine customer-facing order statuses."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["OrderStatus"]


class OrderStatus(StrEnum):
    """Where an order is, in the words a customer sees.

    ``delivered`` and ``cancelled`` are final; ``delayed`` is an overlay that
    remembers the status it interrupted.

    >>> [status.value for status in OrderStatus]  # doctest: +NORMALIZE_WHITESPACE
    ['received', 'processing', 'picking', 'packed', 'shipped', 'in_transit',
     'delivered', 'cancelled', 'delayed']
    """

    RECEIVED = "received"
    PROCESSING = "processing"
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    DELAYED = "delayed"

    @property
    def label(self) -> str:
        """The status as a customer reads it ("In transit")."""
        return self.value.replace("_", " ").capitalize()

    @property
    def is_final(self) -> bool:
        return self in (OrderStatus.DELIVERED, OrderStatus.CANCELLED)
