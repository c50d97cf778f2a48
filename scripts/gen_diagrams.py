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
from pathlib import Path

from salesflow.leads import LeadLifecycle
from salesflow.orders import OrderLifecycle
from salesflow.routing import HandoffLifecycle, SalesModel
from salesflow.routing.models import model_diagram, ownership_table

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
TABLES: dict[str, Callable[[], str]] = {
    "SalesModels": ownership_table,
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
