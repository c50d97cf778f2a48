"""Refusals that named the wrong thing or escaped as a plain Python error, found while
pinning every raise site's message for mutation testing (issue 10, section 7).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
import pytest

from salesflow import InvalidField, InvalidType
from salesflow.leads import Lead, LeadSource
from salesflow.routing import Rules
from salesflow.routing.strategies import Rule

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_non_rule_after_a_catch_all_is_refused_as_a_wrong_type_naming_its_index():
    with pytest.raises(InvalidType) as caught:
        Rules([Rule("a"), 5])

    assert (caught.value.field, caught.value.value) == ("rules[1]", 5)


def test_a_come_back_date_on_a_move_that_is_not_a_loss_is_refused_naming_come_back_on():
    lead = Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=T0).lead
    advanced = lead.advance(at=T0).event

    with pytest.raises(InvalidField) as caught:
        attrs.evolve(advanced, come_back_on=date(2027, 1, 1))

    assert (caught.value.field, caught.value.value) == ("come_back_on", date(2027, 1, 1))
