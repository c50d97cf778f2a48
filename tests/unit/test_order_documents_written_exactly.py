"""Order, notice, value and Money documents are refused unless written exactly as to_dict writes them.

Each reader rebuilds the value and compares the whole document with the
rebuilt ``to_dict()``, types too: a derived field removed, a ``null`` where
to_dict writes no key, or ``5.0`` for the version ``5`` is an altered document.
"""

from __future__ import annotations

import copy
from types import MappingProxyType

import pytest

from helpers import at, delayed_from, in_transit, placed
from salesflow import InvalidField, Money, SalesflowError
from salesflow.money import CURRENCY_MINOR_UNITS
from salesflow.orders import Order, SupportContact, event_from_dict, notification_from_dict
from salesflow.orders.carriers import CARRIER_VOCABULARIES
from salesflow.orders.notifications import NOTICE_TYPES


def _delivered() -> Order:
    resumed = delayed_from(in_transit()).resume(at=at(8)).order
    return resumed.deliver(at=at(9), proof="signed by Ada").order


def _notices():
    """One notice of each of the nine statuses (and a resumed one)."""
    order = _delivered()
    cancelled = placed().cancel(reason="ordered twice", at=at(1))
    return [order._notice(event) for event in order.history] + [cancelled.notification]


NOTICE_DOCUMENTS = [notice.to_dict() for notice in _notices()]
EVENT_DOCUMENTS = [event.to_dict() for event in _delivered().history]


@pytest.mark.parametrize("key", ["channels", "subject", "message"])
@pytest.mark.parametrize("document", NOTICE_DOCUMENTS, ids=lambda d: d["status"])
def test_a_notice_document_without_its_rendered_part_is_refused(document, key):
    altered = {name: value for name, value in document.items() if name != key}

    with pytest.raises(InvalidField, match=key):
        notification_from_dict(altered)


@pytest.mark.parametrize("document", NOTICE_DOCUMENTS, ids=lambda d: d["status"])
def test_a_notice_document_reads_back_to_itself(document):
    assert notification_from_dict(document).to_dict() == document


@pytest.mark.parametrize(
    ("index", "key"),
    [(i, key) for i, doc in enumerate(EVENT_DOCUMENTS) for key in doc if key != "event"],
)
def test_every_field_of_every_event_retyped_to_a_float_or_null_is_refused(index, key):
    document = EVENT_DOCUMENTS[index]
    value = document[key]
    others = [None, float(value)] if type(value) is int else [None]

    for other in others:
        altered = {**copy.deepcopy(document), key: other}
        with pytest.raises(SalesflowError):
            event_from_dict(altered)


def test_a_place_event_without_its_to_status_is_refused():
    altered = {k: v for k, v in EVENT_DOCUMENTS[0].items() if k != "to_status"}

    with pytest.raises(InvalidField, match="to_status"):
        event_from_dict(altered)


def test_a_null_where_an_event_writes_no_key_is_refused():
    altered = {**EVENT_DOCUMENTS[1], "idempotency_key": None}

    with pytest.raises(InvalidField, match=r"event\.idempotency_key"):
        event_from_dict(altered)


def test_an_order_document_whose_version_is_a_float_is_refused():
    document = _delivered().to_dict()
    document["version"] = float(document["version"])

    with pytest.raises(InvalidField, match="version"):
        Order.from_dict(document)


def test_a_support_contact_document_with_a_null_email_is_refused():
    with pytest.raises(InvalidField, match=r"support.email"):
        SupportContact.from_dict({"email": None, "phone": "+49 30 1234"})


@pytest.mark.parametrize("amount", [" 8.50", "8.5E0", "08.50"])
def test_a_money_document_not_written_as_to_dict_writes_it_is_refused(amount):
    with pytest.raises(InvalidField, match=r"money\.amount"):
        Money.from_dict({"amount": amount, "currency": "EUR"})


@pytest.mark.parametrize(
    "constant",
    [NOTICE_TYPES, CARRIER_VOCABULARIES, CURRENCY_MINOR_UNITS],
    ids=["NOTICE_TYPES", "CARRIER_VOCABULARIES", "CURRENCY_MINOR_UNITS"],
)
def test_a_public_mapping_of_orders_and_money_is_read_only(constant):
    assert isinstance(constant, MappingProxyType)
    with pytest.raises(TypeError):
        constant["new"] = None  # type: ignore[index]


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_a_notice_document_whose_resumed_is_not_a_bool_is_refused(value):
    document = delayed_from(in_transit()).resume(at=at(8)).notification.to_dict()

    with pytest.raises(InvalidField, match="resumed"):
        notification_from_dict({**document, "resumed": value})
