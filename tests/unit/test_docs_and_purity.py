"""The docs stay true to the code, and the domain stays pure."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import salesflow

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "salesflow"


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "gen_diagrams", ROOT / "scripts" / "gen_diagrams.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_diagram_in_the_docs_matches_the_state_machine_class():
    generator = _load_generator()
    pages = sorted((ROOT / "docs").glob("*.md"))

    drifted = [
        page.name for page in pages if generator.regenerate(page.read_text()) != page.read_text()
    ]

    assert pages
    assert drifted == [], f"run: python scripts/gen_diagrams.py (drifted: {drifted})"


def test_the_orders_page_carries_the_order_lifecycle_diagram():
    text = (ROOT / "docs" / "orders.md").read_text()

    assert "<!-- diagram: OrderLifecycle -->" in text
    assert "delayed --> cancelled : Cancel [interrupted before shipping]" in text


_FORBIDDEN_MODULES = {
    "logging",
    "socket",
    "sqlite3",
    "requests",
    "httpx",
    "urllib",
    "http",
    "subprocess",
    "os",
    "pathlib",
    "io",
    "random",
    "time",
    "asyncio",
    "threading",
}
_FORBIDDEN_CALLS = re.compile(r"\b(print|open|input)\(|datetime\.now\(|date\.today\(|utcnow\(")


def test_the_domain_imports_nothing_that_does_io_reads_a_clock_or_draws_unseeded_randomness():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module.split(".")[0]]
            offenders += [
                f"{path.name}: import {name}" for name in names if name in _FORBIDDEN_MODULES
            ]
        code = "\n".join(
            line
            for line in path.read_text().splitlines()
            if ">>>" not in line and "..." not in line
        )
        offenders += [f"{path.name}: {match.group(0)}" for match in _FORBIDDEN_CALLS.finditer(code)]

    assert offenders == []


def test_the_public_api_names_are_sorted_and_all_exist():
    import salesflow.leads as leads
    import salesflow.metrics as metrics
    import salesflow.orders as orders
    import salesflow.routing as routing

    for module in (salesflow, orders, leads, routing, metrics):
        names = list(module.__all__)

        assert names == sorted(names, key=lambda n: (not n.isupper(), n))
        assert all(hasattr(module, name) for name in names)
