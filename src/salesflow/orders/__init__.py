"""Orders through the nine customer-facing statuses, with checked notifications.

Events, notice types and constants are imported from their modules
(``salesflow.orders.events``...). See docs/orders.md for a walkthrough.
"""

from salesflow.orders.carriers import CarrierUpdate, apply_carrier_update
from salesflow.orders.events import event_from_dict
from salesflow.orders.lifecycle import OrderLifecycle, allowed_events
from salesflow.orders.notifications import (
    Channel,
    Notification,
    ProcessingStep,
    notification_from_dict,
)
from salesflow.orders.order import Order
from salesflow.orders.replay import replay_status
from salesflow.orders.status import OrderStatus
from salesflow.orders.values import Customer, OrderLine, SupportContact

__all__ = [
    "CarrierUpdate",
    "Channel",
    "Customer",
    "Notification",
    "Order",
    "OrderLifecycle",
    "OrderLine",
    "OrderStatus",
    "ProcessingStep",
    "SupportContact",
    "allowed_events",
    "apply_carrier_update",
    "event_from_dict",
    "notification_from_dict",
    "replay_status",
]
