"""Records compare and hash their times by the instant, never by a wall-clock reading.

Python compares two datetimes that share one tzinfo by their readings, ignoring
``fold``: 02:30 in the first and in the second pass of Berlin's repeated autumn
hour are equal to it, though an hour apart. A record holding one of them must
not equal a record holding the other; a record holding the same instant
written in another zone must equal it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from salesflow.leads import Lead, LeadSource
from salesflow.orders import CarrierUpdate
from salesflow.routing import Absence, Dispatcher, Person, Role, RoundRobin, Team

BERLIN = ZoneInfo("Europe/Berlin")
FIRST = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)  # 00:30 UTC
SECOND = FIRST.replace(fold=1)  # 01:30 UTC
SAME_AS_FIRST = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)

BUILDERS = {
    "a lead event": lambda at: Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=at).event,
    "an absence": lambda at: Absence(start=at, end=datetime(2026, 10, 26, tzinfo=UTC)),
    "a carrier update": lambda at: CarrierUpdate(
        vocabulary="easypost", code="in_transit", tracking_number="RM1", at=at
    ),
    "a dispatcher decision": lambda at: Dispatcher(
        Team([Person("ana", Role.QUALIFIER)]), RoundRobin()
    ).assign("L-1", Role.QUALIFIER, at=at),
}


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS)
def test_two_readings_of_a_repeated_hour_make_different_records(build):
    assert FIRST == SECOND  # what Python says of the readings

    assert build(FIRST) != build(SECOND)


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS)
def test_one_instant_written_in_two_zones_makes_equal_records(build):
    first, again = build(FIRST), build(SAME_AS_FIRST)

    assert first == again
    assert hash(first) == hash(again)
