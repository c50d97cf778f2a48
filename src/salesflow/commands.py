"""Commands from JSON: every verb of Order, Lead and Ownership as a value an API wrapper can read.

A :class:`Command` reads a request body of JSON primitives, names the verb it
runs and applies it; the verb does every business check, so a command gives
the same checks and errors as calling the verb. The list of verbs and their
arguments is read once, on first use, from the verbs' own signatures and type
hints. docs/api.md shows a wrapper end to end.

>>> from salesflow import Command
>>> body = {"aggregate": "lead", "command": "create", "lead_id": "L-1", "source": "inbound",
...         "at": "2026-11-23T09:00:00+00:00"}
>>> Command.from_dict(body).apply().lead
<Lead L-1 awareness v1>
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeAlias, overload

import attrs

from salesflow import _jsonform
from salesflow._jsonform import Shape
from salesflow.errors import InvalidField, InvalidType

if TYPE_CHECKING:  # the aggregates are imported when a command is first read or run
    from salesflow.leads.lead import Lead, LeadOutcome
    from salesflow.orders.order import Order, OrderOutcome
    from salesflow.routing.ownership import Ownership, OwnershipOutcome

__all__ = ["Command"]

Outcome: TypeAlias = "OrderOutcome | LeadOutcome | OwnershipOutcome"
"""What a command's verb returns."""

_CREATED_FROM: Final = "existing"
"""The parameter a creation verb takes the aggregate already stored in (not a body field)."""


@attrs.frozen
class _Parameter:
    name: str
    shape: Shape
    required: bool


@attrs.frozen
class _Verb:
    """One verb: its aggregate, name, whether it creates the aggregate, and its parameters."""

    aggregate: str
    name: str
    creates: bool
    parameters: Mapping[str, _Parameter]
    required: tuple[str, ...]
    doc: str

    @property
    def label(self) -> str:
        return f"{_ARTICLE[self.aggregate]} {self.aggregate} {self.name} command"


_ARTICLE: Final = {"order": "an", "lead": "a", "ownership": "an"}


def _verbs_of(kind: str, aggregate: type, outcome: type) -> dict[str, _Verb]:
    """The verbs of ``aggregate``: its public methods that return ``outcome``, as written."""
    verbs: dict[str, _Verb] = {}
    for name, member in vars(aggregate).items():
        function = getattr(member, "__func__", member)
        annotations = getattr(function, "__annotations__", {})
        if name.startswith("_") or name == "apply" or annotations.get("return") != outcome.__name__:
            continue
        hints = typing.get_type_hints(function)
        parameters: dict[str, _Parameter] = {}
        creates = False
        for parameter in inspect.signature(function).parameters.values():
            if parameter.kind is not parameter.KEYWORD_ONLY:
                continue  # self or cls
            if parameter.name == _CREATED_FROM:
                creates = True
                continue
            parameters[parameter.name] = _Parameter(
                parameter.name,
                _jsonform.shape_of(hints[parameter.name]),
                parameter.default is parameter.empty,
            )
        required = tuple(p.name for p in parameters.values() if p.required)
        doc = _jsonform.summary(function)
        verbs[name] = _Verb(kind, name, creates, MappingProxyType(parameters), required, doc)
    return verbs


@functools.cache
def aggregates() -> Mapping[str, tuple[type, type]]:
    """Each aggregate kind's class and outcome class (imported on first use, then kept)."""
    from salesflow.leads.lead import Lead, LeadOutcome
    from salesflow.orders.order import Order, OrderOutcome
    from salesflow.routing.ownership import Ownership, OwnershipOutcome

    return MappingProxyType(
        {
            "lead": (Lead, LeadOutcome),
            "order": (Order, OrderOutcome),
            "ownership": (Ownership, OwnershipOutcome),
        }
    )


@functools.cache
def all_verbs() -> Mapping[str, Mapping[str, _Verb]]:
    """Each aggregate's verbs, read from its signatures once, on first use (read-only)."""
    return MappingProxyType(
        {
            kind: MappingProxyType(_verbs_of(kind, aggregate, outcome))
            for kind, (aggregate, outcome) in aggregates().items()
        }
    )


_KINDS: Final = "lead, order, ownership"
_ENVELOPE: Final = ("aggregate", "command")
"""The body keys that say which verb runs (no verb has a parameter of these names)."""


def _verb(kind: Any, name: Any) -> _Verb:
    """The verb ``name`` of the aggregate ``kind``; an unknown or malformed one is refused,
    naming ``aggregate`` or ``command``."""
    if type(kind) is not str:
        raise InvalidType("aggregate", kind, f"one of {_KINDS}")
    verbs = all_verbs().get(kind)
    if verbs is None:
        raise InvalidField("aggregate", kind, f"one of {_KINDS}")
    known = f"one of {', '.join(verbs)} (the verbs of {_ARTICLE[kind]} {kind})"
    if type(name) is not str:
        raise InvalidType("command", name, known)
    verb = verbs.get(name)
    if verb is None:
        raise InvalidField("command", name, known)
    return verb


def _check_keys(verb: _Verb, given: Mapping[Any, Any], prefix: str) -> None:
    """Refuse a key ``verb`` does not take, then a missing required one (naming them all)."""
    for key, value in given.items():
        if key not in verb.parameters:
            shown = key if isinstance(key, str) else repr(key)
            taken = ", ".join(verb.parameters)
            raise InvalidField(
                f"{prefix}{shown}", value, f"no such key ({verb.label} takes {taken})"
            )
    missing = [name for name in verb.required if name not in given]
    if missing:
        raise InvalidField(
            f"{prefix}{missing[0]}",
            None,
            f"a value (it is missing; {verb.label} requires {', '.join(missing)})",
        )


@attrs.frozen(repr=False)
class Command:
    """One verb of an order, a lead or an ownership record, with its arguments, ready to apply.

    ``aggregate`` is ``"order"``, ``"lead"`` or ``"ownership"``, ``command`` the
    verb (``"ship"``, ``"lose"``, ``"hand_off"``...) and ``arguments`` the
    verb's keyword arguments as the Python values it takes (read-only).
    Build one from a request body with :meth:`from_dict`, write it back with
    :meth:`to_dict`, run it with :meth:`apply`. The verb does the business
    checks when applied; a command only checks that each argument is one the
    verb takes, of the type it takes.

    Refuses: an unknown aggregate or verb, an argument the verb does not take
    (``existing`` included: it is :meth:`apply`'s ``target``), a missing
    required argument, a value of the wrong type (named ``arguments.<name>``).
    """

    aggregate: str
    command: str
    arguments: Mapping[str, Any] = attrs.field(factory=dict, hash=False)

    def __attrs_post_init__(self) -> None:
        verb = _verb(self.aggregate, self.command)
        given = self.arguments
        if not isinstance(given, Mapping):
            raise InvalidType(
                "arguments", given, f"a mapping of the keyword arguments of {verb.label}"
            )
        _check_keys(verb, given, "arguments.")
        checked = {
            name: _jsonform.canonical(verb.parameters[name].shape, value, f"arguments.{name}")
            for name, value in given.items()
        }
        object.__setattr__(self, "arguments", MappingProxyType(checked))

    @classmethod
    def _trusted(cls, verb: _Verb, arguments: dict[str, Any]) -> Command:
        command: Command = object.__new__(cls)
        object.__setattr__(command, "aggregate", verb.aggregate)
        object.__setattr__(command, "command", verb.name)
        object.__setattr__(command, "arguments", MappingProxyType(arguments))
        return command

    @classmethod
    def from_dict(cls, document: Any) -> Command:
        """A command read from a request body of JSON primitives.

        ``document`` is ``{"aggregate": ..., "command": <verb>, ...the verb's keyword
        arguments}``: times as ISO 8601 strings with an offset, dates as
        ``YYYY-MM-DD``, money as ``{"amount": "12.00", "currency": "GBP"}``,
        enums as their values, customers, lines and support contacts as their
        ``to_dict()`` forms, ``null`` for an argument that may be None.

        Refused (``InvalidField``, or ``InvalidType`` for a value of the wrong
        type), naming the key as the body spells it, with a path inside it
        (``lines[0].unit_price.amount``): an unknown aggregate or verb, a key the
        verb does not take, a missing required key, a naive time, a JSON
        number for an amount (a decimal string is exact), a float or a bool
        for a whole number.
        """
        if not isinstance(document, dict):
            raise InvalidType(
                "document",
                document,
                "a JSON object (dict) with aggregate, command and the arguments",
            )
        if "aggregate" not in document:
            raise InvalidField("aggregate", None, f"one of {_KINDS} (it is missing)")
        if "command" not in document:
            raise InvalidField("command", None, "the verb to run (it is missing)")
        verb = _verb(document["aggregate"], document["command"])
        body = {key: value for key, value in document.items() if key not in _ENVELOPE}
        _check_keys(verb, body, "")
        parameters = verb.parameters
        arguments = {
            name: _jsonform.read(parameters[name].shape, value, name)
            for name, value in body.items()
        }
        return cls._trusted(verb, {name: arguments[name] for name in parameters if name in body})

    def to_dict(self) -> dict[str, Any]:
        """The JSON form :meth:`from_dict` reads: ``from_dict(c.to_dict()) == c``."""
        parameters = all_verbs()[self.aggregate][self.command].parameters
        document: dict[str, Any] = {"aggregate": self.aggregate, "command": self.command}
        for name, value in self.arguments.items():
            document[name] = _jsonform.write(parameters[name].shape, value, name)
        return document

    @property
    def creates(self) -> bool:
        """Whether the verb creates the aggregate (``place``, ``create``, ``start``)."""
        return all_verbs()[self.aggregate][self.command].creates

    def apply(self, target: Any = None) -> Outcome:
        """Run the verb and return its outcome (an ``OrderOutcome``, ``LeadOutcome``...).

        For a creation (``place``, ``create``, ``start``) ``target`` is the
        aggregate already stored for this idempotency key, or None: it is the
        verb's ``existing`` (a retry then returns the stored outcome). For a
        change ``target`` is the aggregate the verb runs on. Refused, naming
        ``target``: another aggregate, or none for a change.
        """
        aggregate, _ = aggregates()[self.aggregate]
        verb: Callable[..., Outcome]
        if self.creates:
            if target is not None and not isinstance(target, aggregate):
                raise InvalidType(
                    "target",
                    target,
                    f"the {aggregate.__name__} already stored for this request, or None "
                    f"(for {all_verbs()[self.aggregate][self.command].label})",
                )
            verb = getattr(aggregate, self.command)
            return verb(**self.arguments, existing=target)
        if not isinstance(target, aggregate):
            raise InvalidType(
                "target",
                target,
                f"the {aggregate.__name__} that {all_verbs()[self.aggregate][self.command].label} changes",
            )
        verb = getattr(target, self.command)
        return verb(**self.arguments)

    @overload
    @staticmethod
    def _on(target: Order, command: Any) -> OrderOutcome: ...

    @overload
    @staticmethod
    def _on(target: Lead, command: Any) -> LeadOutcome: ...

    @overload
    @staticmethod
    def _on(target: Ownership, command: Any) -> OwnershipOutcome: ...

    @staticmethod
    def _on(target: Order | Lead | Ownership, command: Any) -> Outcome:
        """``target.apply(command)``: a change of ``target``, errors naming ``command``."""
        kind = next(name for name, (cls, _) in aggregates().items() if isinstance(target, cls))
        changes = [name for name, verb in all_verbs()[kind].items() if not verb.creates]
        expected = f"{_ARTICLE[kind]} {kind} change: a Command of aggregate {kind!r}, one of {', '.join(changes)}"
        if not isinstance(command, Command):
            raise InvalidType("command", command, expected)
        if command.aggregate != kind or command.creates:
            raise InvalidField("command", command, expected)
        return command.apply(target)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name!r}: {value!r}" for name, value in self.arguments.items())
        return f"Command({self.aggregate!r}, {self.command!r}, {{{shown}}})"
