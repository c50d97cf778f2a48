"""The public surface of salesflow, found by introspection (not by a hand-kept list).

Every name in the ``__all__`` of every public module and every public method
of the public classes (including those a class inherits from a salesflow base)
gets one dotted id without the ``salesflow.`` prefix, e.g. ``orders.Order.ship``
or ``Money.rounded``. The packages come first, so a name a package exports keeps
its short id (``orders.Order``); then every public submodule (no part of its path
starts with ``_``), so a record only importable from its module is still found
(``orders.events.StatusChanged``). An object exported by two modules is listed
once, under the first.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

PACKAGES = (
    "salesflow",
    "salesflow.errors",
    "salesflow.orders",
    "salesflow.leads",
    "salesflow.routing",
    "salesflow.metrics",
)
"""Read first, in this order: the ids of what they export stay short."""


def _is_public(module_name: str) -> bool:
    return not any(part.startswith("_") for part in module_name.split("."))


def public_modules() -> tuple[str, ...]:
    """The packages, then every other public module of salesflow, sorted."""
    import salesflow

    found = sorted(
        info.name
        for info in pkgutil.walk_packages(salesflow.__path__, "salesflow.")
        if _is_public(info.name)
    )
    return PACKAGES + tuple(name for name in found if name not in PACKAGES)


PUBLIC_MODULES = public_modules()

CALLABLE = "callable"
ENUM = "enum"
CONSTANT = "constant"


@dataclass(frozen=True)
class Item:
    kind: str
    obj: Any
    owner: type | None = None


def _is_type_alias(obj: Any) -> bool:
    return typing.get_origin(obj) is not None


def _methods(cls: type) -> dict[str, Any]:
    """Public methods (plain, class and static) defined by ``cls`` or a salesflow base."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("salesflow"):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_"):
                continue
            if isinstance(value, (classmethod, staticmethod)) or inspect.isfunction(value):
                found[name] = getattr(cls, name)
            elif name in found:
                del found[name]
    return found


@cache
def public_surface() -> dict[str, Item]:
    surface: dict[str, Item] = {}
    seen: set[int] = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            prefix = module_name.removeprefix("salesflow").removeprefix(".")
            dotted = f"{prefix}.{name}" if prefix else name
            if inspect.isclass(obj) and issubclass(obj, enum.Enum):
                surface[dotted] = Item(ENUM, obj)
            elif inspect.isclass(obj) or (callable(obj) and not _is_type_alias(obj)):
                surface[dotted] = Item(CALLABLE, obj)
            else:
                surface[dotted] = Item(CONSTANT, obj)
            if inspect.isclass(obj):
                for method_name, method in _methods(obj).items():
                    surface[f"{dotted}.{method_name}"] = Item(CALLABLE, method, owner=obj)
    return surface
