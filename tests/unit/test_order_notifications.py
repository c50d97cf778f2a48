"""Every status change carries a checked, content-complete notification."""

from __future__ import annotations

import json
from datetime import date

import pytest

from helpers import (
    T0,
    at,
    delayed_from,
    in_transit,
    packed,
    picking,
    place,
    placed,
    processing,
    shipped,
)
from salesflow import InvalidField
from salesflow.orders import (
    Channel,
    OrderStatus,
    ProcessingStep,
    SupportContact,
    notification_from_dict,
)
from salesflow.orders.notifications import NOTICE_TYPES, ShippedNotice


def _outcomes():
    yield "received", place().notification
    yield (
        "processing",
        placed().process(step=ProcessingStep.PAYMENT_CONFIRMATION, at=at(1)).notification,
    )
    yield "picking", processing().pick(at=at(2)).notification
    yield "packed", picking().pack(at=at(3)).notification
    yield (
        "shipped",
        packed()
        .ship(
            carrier="DHL", tracking_number="JD01", tracking_url="https://t.example/JD01", at=at(4)
        )
        .notification,
    )
    yield "in_transit", shipped().transit(location="Leipzig hub", at=at(5)).notification
    yield (
        "delivered",
        in_transit()
        .deliver(at=at(9), proof="left with neighbour", review_url="https://r.example")
        .notification,
    )
    yield "cancelled", placed().cancel(reason="payment declined", at=at(1)).notification
    yield (
        "delayed",
        picking()
        .delay(reason="supplier is late", estimated_delivery=date(2026, 11, 30), at=at(3))
        .notification,
    )


NOTICES = dict(_outcomes())

REQUIRED = {
    "received": ["1001", "2 x Blue mug", "1 x Earl Grey", "21.00 EUR", "27 November 2026"],
    "processing": ["confirming your payment", "27 November 2026"],
    "picking": ["being picked at the warehouse", "27 November 2026"],
    "packed": ["packed and waiting for the carrier", "27 November 2026"],
    "shipped": ["DHL", "JD01", "https://t.example/JD01", "27 November 2026"],
    "in_transit": ["Leipzig hub", "27 November 2026"],
    "delivered": ["delivered on", "left with neighbour", "How did we do?", "https://r.example"],
    "cancelled": ["payment declined"],
    "delayed": ["supplier is late", "30 November 2026"],
}

CHANNELS = {
    "shipped": {"email", "sms"},
    "delivered": {"email", "sms"},
    "cancelled": {"email", "phone_call"},
    "delayed": {"email", "phone_call"},
}


@pytest.mark.parametrize("status", list(OrderStatus), ids=str)
def test_each_status_has_its_own_notification_type(status):
    notice = NOTICES[status.value]

    assert type(notice) is NOTICE_TYPES[status]
    assert notice.status is status


@pytest.mark.parametrize("status", list(REQUIRED), ids=str)
def test_each_message_carries_what_its_status_requires_with_name_and_support(status):
    message = NOTICES[status].message

    for fragment in [*REQUIRED[status], "Hi Ada", "help@shop.example"]:
        assert fragment in message


@pytest.mark.parametrize("status", list(REQUIRED), ids=str)
def test_channels_are_email_always_sms_for_key_steps_and_a_call_when_something_went_wrong(status):
    channels = {channel.value for channel in NOTICES[status].channels}

    assert channels == CHANNELS.get(status, {"email"})
    assert Channel.EMAIL in NOTICES[status].channels


def test_no_message_is_a_vague_processing():
    for notice in NOTICES.values():
        assert notice.subject.lower() != "processing"
        assert notice.message.split(",", 1)[1].strip().lower() != "processing."


def test_the_estimated_delivery_date_is_carried_where_one_exists():
    assert NOTICES["shipped"].estimated_delivery == date(2026, 11, 27)
    assert NOTICES["delayed"].estimated_delivery == date(2026, 11, 30)
    assert NOTICES["cancelled"].estimated_delivery is None


def test_a_resumed_status_says_it_is_happening_again():
    notice = delayed_from(picking()).resume(at=at(7)).notification

    assert notice.resumed
    assert "being picked at the warehouse again" in notice.message


def test_building_a_notice_without_required_content_raises_naming_the_field():
    with pytest.raises(InvalidField) as caught:
        ShippedNotice(
            order_number="1",
            customer_name="Ada",
            support=SupportContact(email="x@y.example"),
            at=T0,
            version=5,
            event="ship",
            estimated_delivery=date(2026, 11, 27),
            carrier="DHL",
            tracking_number="",
        )

    assert caught.value.field == "tracking_number"
    assert "ShippedNotice" in str(caught.value)


def test_a_notice_that_needs_a_date_refuses_to_be_built_without_one():
    with pytest.raises(InvalidField, match="estimated_delivery"):
        ShippedNotice(
            order_number="1",
            customer_name="Ada",
            support=SupportContact(email="x@y.example"),
            at=T0,
            version=5,
            event="ship",
            carrier="DHL",
            tracking_number="JD01",
        )


# -- the outbox form ------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(OrderStatus), ids=str)
def test_every_notification_round_trips_through_json_text(status):
    notice = NOTICES[status.value]

    document = json.loads(json.dumps(notice.to_dict()))

    assert notification_from_dict(document) == notice
    assert document["status"] == status.value
    assert document["subject"] == notice.subject
    assert document["message"] == notice.message
    assert document["channels"] == [channel.value for channel in notice.channels]


def test_an_outbox_document_whose_message_was_altered_is_refused():
    document = NOTICES["shipped"].to_dict()
    document["message"] = "Your order is lost."

    with pytest.raises(InvalidField, match=r"message: got 'Your order is lost\.'"):
        notification_from_dict(document)


def test_an_outbox_document_missing_required_content_is_refused_as_when_it_was_made():
    document = NOTICES["shipped"].to_dict()
    del document["tracking_number"]
    del document["subject"], document["message"]

    with pytest.raises(InvalidField) as raised:
        notification_from_dict(document)

    assert (raised.value.field, raised.value.expected) == (
        "tracking_number",
        "a value (it is missing)",
    )


def test_an_outbox_document_with_a_bad_amount_names_the_path():
    document = NOTICES["received"].to_dict()
    document["items"][1]["unit_price"]["amount"] = "lots"

    with pytest.raises(InvalidField, match=r"items\[1\]"):
        notification_from_dict(document)
