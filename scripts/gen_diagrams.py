"""Regenerate the diagrams and tables in docs/ from the code.

Usage: python scripts/gen_diagrams.py [--check]

Each diagram sits between ``<!-- diagram: NAME -->`` and ``<!-- /diagram -->``
in a docs page (NAME is a key of DIAGRAMS), each table between
``<!-- table: NAME -->`` and ``<!-- /table -->`` (a key of TABLES). With
--check nothing is written and the exit code says whether any page has drifted
from the code.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from salesflow import Money
from salesflow.leads import LeadLifecycle
from salesflow.orders import OrderLifecycle
from salesflow.routing import HandoffLifecycle, SalesModel, ShopProfile, recommend_model
from salesflow.routing.models import model_diagram, ownership_table
from salesflow.routing.recommender import Thresholds

DOCS = Path(__file__).resolve().parent.parent / "docs"

DIAGRAMS: dict[str, Callable[[], str]] = {
    "OrderLifecycle": lambda: f"{OrderLifecycle:mermaid}",
    "LeadLifecycle": lambda: f"{LeadLifecycle:mermaid}",
    "HandoffLifecycle": lambda: f"{HandoffLifecycle:mermaid}",
    "OneTierModel": lambda: model_diagram(SalesModel.ONE_TIER),
    "ContactCenterModel": lambda: model_diagram(SalesModel.TWO_TIER_CONTACT_CENTER),
    "AccountManagerModel": lambda: model_diagram(SalesModel.TWO_TIER_ACCOUNT_MANAGER),
    "ThreeTierModel": lambda: model_diagram(SalesModel.THREE_TIER),
}


def _shop(
    team: bool,
    deals: int,
    value: str | None,
    inbound: int,
    not_ready: str,
    peak: str,
    days: int,
    repeat: str,
) -> ShopProfile:
    return ShopProfile(
        has_sales_team=team,
        deals_per_month=deals,
        average_deal_value=None if value is None else Money(value, "EUR"),
        monthly_inbound_leads=inbound,
        share_not_ready_or_not_target=not_ready,
        seasonal_peak_ratio=peak,
        sales_cycle_days=days,
        repeat_revenue_share=repeat,
    )


# The recommender's example shops (docs/routing.md); tests/unit/test_routing_recommender.py
# holds the model each must get, worked out by hand from the rules.
PROFILE_THRESHOLDS = Thresholds(expensive_deal=Money("10000", "EUR"))
PROFILES: dict[str, ShopProfile] = {
    "owner sells alone": _shop(False, 8, "300", 30, "0.3", "1.2", 7, "0.2"),
    "owner alone, flooded": _shop(False, 300, "60", 5000, "0.2", "1.1", 3, "0.7"),
    "niche workshop": _shop(True, 3, "2500", 20, "0.3", "1.2", 60, "0.2"),
    "5 deals, mostly repeat": _shop(True, 5, "400", 600, "0.3", "1.3", 10, "0.6"),
    "10,000 deals, mostly repeat": _shop(True, 10000, "400", 600, "0.3", "1.3", 10, "0.6"),
    "machines at 40,000 EUR": _shop(True, 15, "40000", 60, "0.3", "1.1", 90, "0.2"),
    "machines at 4,000 EUR": _shop(True, 15, "4000", 60, "0.3", "1.1", 90, "0.2"),
    "everyday shop": _shop(True, 120, "45", 150, "0.3", "1.2", 2, "0.2"),
    "marketplace": _shop(True, 400, "80", 1500, "0.75", "1.3", 2, "0.15"),
    "busy, mostly ready": _shop(True, 900, "70", 5000, "0", "1.1", 2, "0.2"),
    "tyre-kickers": _shop(True, 40, "150", 300, "0.6", "1.2", 3, "0.2"),
    "Christmas shop": _shop(True, 60, "35", 150, "0.3", "3.5", 2, "0.1"),
    "B2B supplies": _shop(True, 60, "1200", 80, "0.2", "1.1", 90, "0.6"),
    "store with wholesale": _shop(True, 800, "90", 5000, "0.2", "1.2", 5, "0.7"),
    "seasonal, long sales": _shop(True, 25, "3000", 100, "0.3", "2.5", 45, "0.3"),
    "few deals, seasonal flood": _shop(True, 8, "900", 2000, "0.9", "2", 60, "0.6"),
}


def _share(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def recommender_table() -> str:
    """The example shops, their figures and the model each gets, from :func:`recommend_model`."""
    lines = [
        "| shop | sales team | deals a month | average deal | inbound a month "
        "| not ready or not target | busiest month | days to sale | repeat revenue "
        "| model | rules fired | set aside |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for name, shop in PROFILES.items():
        advice = recommend_model(shop, thresholds=PROFILE_THRESHOLDS)
        value = shop.average_deal_value
        cells = [
            name,
            "yes" if shop.has_sales_team else "no",
            f"{shop.deals_per_month:,f}",
            "" if value is None else f"{value.amount:,f} {value.currency}",
            f"{shop.monthly_inbound_leads:,f}",
            _share(shop.share_not_ready_or_not_target or Decimal(0)),
            f"{shop.seasonal_peak_ratio} x",
            f"{shop.sales_cycle_days}",
            _share(shop.repeat_revenue_share or Decimal(0)),
            f"**{advice.model.value}**",
            ", ".join(rule.value for rule in advice.fired),
            ", ".join(check.rule.value for check in advice.rules if check.set_aside_by),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


TABLES: dict[str, Callable[[], str]] = {
    "SalesModels": ownership_table,
    "RecommenderProfiles": recommender_table,
}

_BLOCK = re.compile(r"(<!-- diagram: (\w+) -->\n)(.*?)(<!-- /diagram -->)", re.DOTALL)
_TABLE = re.compile(r"(<!-- table: (\w+) -->\n)(.*?)(<!-- /table -->)", re.DOTALL)


def render(name: str) -> str:
    return "```mermaid\n" + DIAGRAMS[name]().rstrip("\n") + "\n```\n"


def regenerate(text: str) -> str:
    text = _BLOCK.sub(lambda m: m.group(1) + render(m.group(2)) + m.group(4), text)
    return _TABLE.sub(lambda m: m.group(1) + TABLES[m.group(2)]() + m.group(4), text)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    drifted = []
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        new = regenerate(text)
        if new != text:
            drifted.append(page.name)
            if not check:
                page.write_text(new, encoding="utf-8")
    verb = "drifted" if check else "regenerated"
    for name in drifted:
        print(f"{verb}: docs/{name}")
    return 1 if (check and drifted) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
