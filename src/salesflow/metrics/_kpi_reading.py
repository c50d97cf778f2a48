"""Private readers of the per-manager KPIs' records path: credits, scope, kinds, survey owners."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from salesflow import _check
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads import ActivityKind
from salesflow.metrics._read.fields import (
    absent,
    identifier,
    items,
    moment,
    required,
    row_at,
    shown_ids,
    where,
)
from salesflow.metrics._read.scope import not_after
from salesflow.periods import Period


class Credits(dict[str | int, str | None]):
    """Lead id -> who routing credits the sale to (private); ``positions`` says where each was."""

    def __init__(self) -> None:
        super().__init__()
        self.positions: dict[str | int, int] = {}


def credits(ownerships: Any) -> Credits:
    """Each given Ownership's lead id and the person its sale is credited to."""
    credit = Credits()
    if ownerships is None:
        return credit
    from salesflow.routing import Ownership  # routing sits below; imported when used

    for index, ownership in enumerate(
        items("ownerships", ownerships, expected="an iterable of items, each a routing Ownership")
    ):
        if not isinstance(ownership, Ownership):
            raise InvalidType(f"ownerships[{index}]", ownership, "a routing Ownership")
        if ownership.lead_id in credit:
            raise InvalidField(
                f"ownerships[{index}].lead_id",
                ownership.lead_id,
                "each lead's ownership once (this lead id is already given)",
            )
        credit[ownership.lead_id] = ownership.sales_credit
        credit.positions[ownership.lead_id] = index
    return credit


def in_scope(
    name: str, index: int, row: Mapping[str, Any], scope: Period | None, now: datetime | None
) -> bool:
    """Whether a record's ``at`` is in ``scope``; read (and checked against ``now``) as needed."""
    if scope is None and now is None:
        return True
    at = moment(where(row_at(name, index), "at"), required(row_at(name, index), row, "at"))
    not_after(now, where(row_at(name, index), "at"), at, row["at"])
    return scope is None or scope.contains(at)


def activity_kind(index: int, value: Any) -> ActivityKind:
    try:
        if not isinstance(value, str):  # an enum lookup would hash and compare anything
            raise ValueError(value)
        return ActivityKind(value)
    except ValueError:
        raise InvalidField(
            where(row_at("activities", index), "kind"),
            value,
            f"an activity kind, one of {', '.join(kind.value for kind in ActivityKind)}",
        ) from None


def survey_manager(
    index: int, row: Mapping[str, Any], owners: dict[str | int, str | None]
) -> str | None:
    if not absent(row.get("manager")):
        return _check.text(where(row_at("surveys", index), "manager"), row["manager"])
    value = row.get("lead_id")
    if absent(value):
        raise InvalidField(
            where(row_at("surveys", index), "manager"),
            None,
            "a manager, or a lead_id of one of the leads",
        )
    lead_id = identifier(where(row_at("surveys", index), "lead_id"), value)
    if lead_id not in owners:
        raise InvalidField(
            where(row_at("surveys", index), "lead_id"),
            value,
            f"the id of one of leads ({shown_ids(owners)})",
        )
    return owners[lead_id]
