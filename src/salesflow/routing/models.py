"""Roles and the four sales-department models: who owns a lead at each moment.

>>> from salesflow.leads import LeadStage
>>> from salesflow.leads.events import QualificationOutcome
>>> from salesflow.routing import Role, SalesModel
>>> from salesflow.routing.models import owner
>>> owner(SalesModel.THREE_TIER, LeadStage.INTEREST, None)
<Role.QUALIFIER: 'qualifier'>
>>> owner(SalesModel.THREE_TIER, LeadStage.DECISION, QualificationOutcome.QUALIFIED)
<Role.CLOSER: 'closer'>
>>> owner(SalesModel.THREE_TIER, LeadStage.CUSTOMER, QualificationOutcome.QUALIFIED)
<Role.ACCOUNT_MANAGER: 'account_manager'>
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from salesflow import _check
from salesflow.errors import InvalidField
from salesflow.leads import Lead, LeadStage
from salesflow.leads.events import QualificationOutcome

__all__ = [
    "AFTER_SALE",
    "Role",
    "SalesModel",
    "model_diagram",
    "owner",
    "owner_of",
    "ownership_table",
]


class Role(StrEnum):
    """The roles of a sales department."""

    MANAGER = "manager"
    """The one-tier generalist: prospecting, inbound calls, the sale, returns and defects."""
    QUALIFIER = "qualifier"
    """Contact center (may be outsourced): qualifies inbound leads."""
    CLOSER = "closer"
    """Sales manager or hunter: finds and closes deals."""
    ACCOUNT_MANAGER = "account_manager"
    """The farmer: grows a customer after the first sale."""


class SalesModel(StrEnum):
    """How a shop organises its sales department."""

    ONE_TIER = "one_tier"
    TWO_TIER_CONTACT_CENTER = "two_tier_contact_center"
    TWO_TIER_ACCOUNT_MANAGER = "two_tier_account_manager"
    THREE_TIER = "three_tier"

    @property
    def roles(self) -> tuple[Role, ...]:
        """The roles this model uses, in the order a lead meets them."""
        return _ROLES[self]

    @property
    def has_contact_center(self) -> bool:
        return Role.QUALIFIER in self.roles

    @property
    def has_account_managers(self) -> bool:
        return Role.ACCOUNT_MANAGER in self.roles


_ROLES: Final = {
    SalesModel.ONE_TIER: (Role.MANAGER,),
    SalesModel.TWO_TIER_CONTACT_CENTER: (Role.QUALIFIER, Role.CLOSER),
    SalesModel.TWO_TIER_ACCOUNT_MANAGER: (Role.CLOSER, Role.ACCOUNT_MANAGER),
    SalesModel.THREE_TIER: (Role.QUALIFIER, Role.CLOSER, Role.ACCOUNT_MANAGER),
}

AFTER_SALE: Final = frozenset({LeadStage.CUSTOMER, LeadStage.RETAINED})
"""Stages after the first sale, where account managers take over."""


def owner(
    model: SalesModel | str,
    stage: LeadStage | str,
    qualification: QualificationOutcome | str | None,
) -> Role:
    """The role that owns a lead in ``stage`` with ``qualification`` under ``model``.

    - one-tier: the manager owns everything, after-sales questions included;
    - contact center: qualifiers own a lead until it is qualified (and keep the
      ones they disqualify); a closer owns qualified leads through the sale and after;
    - account manager: a closer finds and closes; after the first sale the
      account manager owns the customer and the repeat sales;
    - three-tier: qualifier, then closer, then account manager.

    A lost lead stays with the role that owned it when it was lost.
    """
    sales_model: SalesModel = _parse(SalesModel, "model", model)
    lead_stage: LeadStage = _parse(LeadStage, "stage", stage)
    qualified = qualification is not None and (
        _parse(QualificationOutcome, "qualification", qualification)
        is QualificationOutcome.QUALIFIED
    )
    if sales_model is SalesModel.ONE_TIER:
        return Role.MANAGER
    after_sale = lead_stage in AFTER_SALE
    if after_sale and sales_model.has_account_managers:
        return Role.ACCOUNT_MANAGER
    if sales_model.has_contact_center and not qualified and not after_sale:
        return Role.QUALIFIER
    return Role.CLOSER


def owner_of(model: SalesModel | str, lead: Lead) -> Role:
    """The role that owns ``lead`` now under ``model``."""
    if not isinstance(lead, Lead):
        raise InvalidField("lead", lead, "a Lead")
    qualification = lead.qualification.outcome if lead.qualification else None
    return owner(model, lead.stage, qualification)


_parse = _check.choice


# -- how the models read: a table and a diagram, both derived from owner() ------------------

_Q = QualificationOutcome
_OPEN: Final = (
    LeadStage.AWARENESS,
    LeadStage.INTEREST,
    LeadStage.CONSIDERATION,
    LeadStage.DECISION,
)
_FACTS: Final = (
    ("awareness to decision", _OPEN, (None,), "none yet"),
    ("awareness to decision", _OPEN, (_Q.QUALIFIED,), "qualified"),
    ("lost", (LeadStage.LOST,), (None, _Q.DISQUALIFIED), "disqualified or none"),
    ("lost", (LeadStage.LOST,), (_Q.QUALIFIED,), "qualified"),
    ("customer, retained", tuple(AFTER_SALE), (None, *_Q), "any"),
)

# The path a lead that is won and buys again takes, and what happens at each step.
_PATH: Final = (
    (LeadStage.AWARENESS, None, "new lead"),
    (LeadStage.DECISION, QualificationOutcome.QUALIFIED, "qualified, ready to buy"),
    (LeadStage.CUSTOMER, QualificationOutcome.QUALIFIED, "first sale"),
    (LeadStage.RETAINED, QualificationOutcome.QUALIFIED, "repeat purchase"),
)


def ownership_table() -> str:
    """The four models side by side as a markdown table, computed from :func:`owner`."""
    models = list(SalesModel)
    header = "| stage | qualification | " + " | ".join(_words(m) for m in models) + " |"
    lines = [header, "|---|---|" + "---|" * len(models)]
    for label, stages, qualifications, facts in _FACTS:
        cells = []
        for model in models:
            roles = {owner(model, stage, q) for stage in stages for q in qualifications}
            cells.append(" or ".join(sorted(r.value.replace("_", " ") for r in roles)))
        lines.append(f"| {label} | {facts} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def model_diagram(model: SalesModel | str) -> str:
    """A mermaid flowchart of who owns a won lead at each step under ``model``, from :func:`owner`."""
    sales_model: SalesModel = _parse(SalesModel, "model", model)
    lines = ["flowchart LR"]
    stage, qualification, step = _PATH[0]
    current = owner(sales_model, stage, qualification)
    lines.append(f"    start(({step})) --> {current.value}")
    for stage, qualification, step in _PATH[1:]:
        role = owner(sales_model, stage, qualification)
        if role is not current:
            lines.append(f"    {current.value} -- {step} --> {role.value}")
            current = role
        else:
            lines.append(f"    {role.value} -- {step} --> {role.value}")
    for role in sales_model.roles:
        lines.append(f"    {role.value}[{role.value.replace('_', ' ')}]")
    return "\n".join(lines) + "\n"


def _words(model: SalesModel) -> str:
    return {
        SalesModel.ONE_TIER: "one-tier",
        SalesModel.TWO_TIER_CONTACT_CENTER: "two-tier, contact center",
        SalesModel.TWO_TIER_ACCOUNT_MANAGER: "two-tier, account manager",
        SalesModel.THREE_TIER: "three-tier",
    }[model]
