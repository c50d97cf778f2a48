"""The library's shape, as docs/development.md states it: a small public API, modules that
do one job, no reaching into another module's private names, verbs without ``**options``."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import salesflow

SRC = Path(salesflow.__file__).parent
PACKAGES = (
    "salesflow",
    "salesflow.orders",
    "salesflow.leads",
    "salesflow.routing",
    "salesflow.metrics",
    "salesflow.predict",
)


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_the_public_api_holds_fewer_than_100_names():
    # Every package's __all__, private subpackages included, read as the before-stop report reads them.
    names = set()
    for path in SRC.rglob("__init__.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                names.update(ast.literal_eval(node.value))

    assert len(names) < 100, sorted(names)
    assert {"fit", "model_input", "Order", "customer_summary"} <= names


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_exports_exactly_its_sorted_all(package):
    module = importlib.import_module(package)
    tree = ast.parse(inspect.getsource(module))
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }

    assert module.__all__ == sorted(module.__all__)
    assert len(set(module.__all__)) == len(module.__all__)
    assert imported == set(module.__all__)
    assert all(hasattr(module, name) for name in module.__all__)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_is_over_800_lines(path):
    assert path.read_text(encoding="utf-8").count("\n") <= 800


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_imports_a_private_name_of_a_public_module(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    reached = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("salesflow"):
            continue
        parts = node.module.split(".")
        if any(part.startswith("_") for part in parts):
            continue  # a private module is where shared helpers live
        source = SRC.parent.joinpath(*parts)
        for alias in node.names:
            name = alias.name
            if not name.startswith("_") or name.startswith("__"):
                continue
            if (source / f"{name}.py").exists() or (source / name).is_dir():
                continue  # importing a private module itself
            reached.append(f"from {node.module} import {name}")

    assert reached == []


def test_no_public_function_or_method_takes_arbitrary_keywords():
    found = []
    for info in pkgutil.walk_packages(salesflow.__path__, "salesflow."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != info.name:
                continue
            members = [value]
            if inspect.isclass(value):
                members = [
                    m for n, m in vars(value).items() if not n.startswith("_") and callable(m)
                ]
            for member in members:
                try:
                    signature = inspect.signature(member)
                except (TypeError, ValueError):
                    continue
                if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
                    found.append(f"{info.name}.{name}")

    assert found == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_function_with_a_public_name_takes_arbitrary_keywords_even_in_a_private_module(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))

    found = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and not node.name.startswith("_")
        and node.args.kwarg is not None
    ]

    assert found == []
