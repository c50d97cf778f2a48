"""Orders through the nine customer-facing statuses, with checked notifications.

See docs/orders.md for a walkthrough.
"""

from salesflow.orders.carriers import (
    CARRIER_VOCABULARIES,
    CarrierResult,
    CarrierUpdate,
    IgnoredReason,
    apply_carrier_update,
)
from salesflow.orders.events import OrderEvent, OrderPlaced, StatusChanged, order_event_from_dict
from salesflow.orders.lifecycle import (
    INTERRUPTIBLE,
    ORDER_EVENTS,
    OrderLifecycle,
    allowed_events,
    next_status,
)
from salesflow.orders.notifications import (
    NOTICE_TYPES,
    CancelledNotice,
    Channel,
    DelayedNotice,
    DeliveredNotice,
    InTransitNotice,
    Notification,
    PackedNotice,
    PickingNotice,
    ProcessingNotice,
    ProcessingStep,
    ReceivedNotice,
    ShippedNotice,
    notification_from_dict,
)
from salesflow.orders.order import SCHEMA, Order, Outcome
from salesflow.orders.replay import replay_status
from salesflow.orders.status import OrderStatus
from salesflow.orders.values import Customer, OrderLine, SupportContact

__all__ = [
    "CARRIER_VOCABULARIES",
    "INTERRUPTIBLE",
    "NOTICE_TYPES",
    "ORDER_EVENTS",
    "SCHEMA",
    "CancelledNotice",
    "CarrierResult",
    "CarrierUpdate",
    "Channel",
    "Customer",
    "DelayedNotice",
    "DeliveredNotice",
    "IgnoredReason",
    "InTransitNotice",
    "Notification",
    "Order",
    "OrderEvent",
    "OrderLifecycle",
    "OrderLine",
    "OrderPlaced",
    "OrderStatus",
    "Outcome",
    "PackedNotice",
    "PickingNotice",
    "ProcessingNotice",
    "ProcessingStep",
    "ReceivedNotice",
    "ShippedNotice",
    "StatusChanged",
    "SupportContact",
    "allowed_events",
    "apply_carrier_update",
    "next_status",
    "notification_from_dict",
    "order_event_from_dict",
    "replay_status",
]
