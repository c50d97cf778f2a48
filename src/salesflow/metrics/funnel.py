"""Funnel and journey metrics: conversion, ordered funnels, and how leads move through stages.

Two kinds of input, one vocabulary:

- **Event records** for the shop's funnel (a visit, a product view, a cart,
  a purchase): plain mappings ``{"person_id", "step", "at"}``, so that
  ``df.to_dict("records")`` works without pandas being a dependency.
- **The library's own leads** for the sales journey: :class:`~salesflow.leads.Lead`
  aggregates, their events (any order, any mix of leads), or the dicts of
  :func:`~salesflow.leads.lead_event_to_dict` and :meth:`Lead.to_dict`.

Every figure is an explained result (:class:`Ratio`), or a value made of them
(:class:`Funnel`, :class:`LeadStageTimes`).

>>> from datetime import datetime, timedelta, timezone
>>> from salesflow.metrics.funnel import conversion_rate, funnel
>>> conversion_rate(conversions=30, visitors=1200)
<Ratio conversion rate (counts): 30 / 1200 = 0.025>
>>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
>>> rows = [
...     {"person_id": "ada", "step": "visit", "at": t},
...     {"person_id": "ada", "step": "purchase", "at": t + timedelta(hours=1)},
...     {"person_id": "bob", "step": "visit", "at": t},
... ]
>>> funnel(rows, steps=["visit", "purchase"], window=timedelta(days=7)).overall
<Ratio funnel conversion visit -> purchase (strict order, within 7 days of entry): 1 / 2 = 0.5>
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN
from enum import Enum
from typing import Any, Final, Literal

import attrs

from salesflow import _check, _zones
from salesflow._results import (
    OnEmpty,
    Ratio,
    Score,
    check_on_empty,
    instance_field,
    settle,
)
from salesflow.errors import InvalidField, InvalidType, UndefinedMetric
from salesflow.leads import Lead, LeadStage
from salesflow.leads.events import (
    ActivityKind,
    ActivityLogged,
    LeadCreated,
    LeadQualified,
    LeadStageChanged,
)
from salesflow.leads.events import event_from_dict as lead_event_from_dict
from salesflow.leads.stage import OPEN_STAGES
from salesflow.metrics._records import (
    _id_value,
    _identifier,
    _required,
    _utc,
    _where,
    shown_ids,
    values_of,
    whole_number,
)

__all__ = [
    "DEFAULT_FUNNEL_STEPS",
    "Funnel",
    "FunnelStepResult",
    "LeadStageTimes",
    "StageDuration",
    "conversion_rate",
    "conversion_rate_from_ids",
    "demo_after_intro_call_rate",
    "funnel",
    "lost_after_demo_rate",
    "slowest_lead_stage",
    "time_in_lead_stages",
]

PersonId = str | int
"""A person (visitor, customer) id: a non-empty string or an int, used exactly as given."""

DEFAULT_FUNNEL_STEPS: Final = (
    "visit",
    "product_view",
    "add_to_cart",
    "checkout",
    "order_form",
    "purchase",
)
"""The shop's funnel, in order: visit, product view, add to cart, checkout, order form, purchase."""

OtherSteps = Literal["refuse", "skip"]

_ROW_EXPECTED: Final = (
    "a mapping with the keys person_id, step and at (from a DataFrame, pass df.to_dict('records'))"
)
_MICROSECONDS_PER_DAY: Final = 86_400_000_000


# -- conversion rate ----------------------------------------------------------------


def _id_set(field: str, ids: Any) -> dict[PersonId, int]:
    """Each distinct id and the index where it first occurs."""
    values = values_of(
        field,
        ids,
        expected="an iterable of person ids (strings or ints)",
        instead="a mapping or an indexed Series could be ids per key or counts per id: "
        "pass list(ids) of the ids themselves",
    )
    seen: dict[PersonId, int] = {}
    for index, value in enumerate(values):
        seen.setdefault(_id_value(f"{field}[{index}]", value), index)
    return seen


def conversion_rate(*, conversions: int, visitors: int, on_empty: OnEmpty = "undefined") -> Ratio:
    """Conversion rate from counts: conversions / visitors.

    ``conversions`` counts visitors who converted (each once), so it is at
    most ``visitors``; to divide orders by sessions, count both the same way
    first. No visitors give an undefined ratio (or :class:`UndefinedMetric`
    with ``on_empty="raise"``). Refuses negative counts, floats, bools and
    more conversions than visitors.

    >>> conversion_rate(conversions=30, visitors=1200).percent()
    '2.5%'
    """
    converted = whole_number("conversions", conversions, minimum=0)
    total = whole_number("visitors", visitors, minimum=0)
    if converted > total:
        raise InvalidField(
            "conversions",
            converted,
            f"at most visitors ({total}): count each converting visitor once",
        )
    ratio = Ratio(
        "conversion rate",
        converted,
        total,
        variant="counts",
        formula="conversions / visitors",
        inputs=(("conversions", converted), ("visitors", total)),
    )
    return settle(ratio, on_empty)


def conversion_rate_from_ids(
    *,
    visitors: Iterable[PersonId],
    converted: Iterable[PersonId],
    on_empty: OnEmpty = "undefined",
) -> Ratio:
    """Conversion rate from ids: |converted visitors| / |visitors|.

    Duplicate ids count once, so a visitor who came back three times or
    bought twice is one visitor and one conversion. Ids are used exactly as
    given, as in :func:`funnel` (``"a"`` and ``"a "`` are two visitors). A converted id that is
    not among the visitors is refused (naming its index): it belongs to
    another period or another site, and counting it would push the rate up.

    >>> conversion_rate_from_ids(visitors=["a", "b", "c", "a"], converted=["b", "b"])
    <Ratio conversion rate (distinct ids): 1 / 3 = 1/3 ≈ 0.3333333333>
    """
    people = _id_set("visitors", visitors)
    buyers = _id_set("converted", converted)
    for person, index in buyers.items():
        if person not in people:
            raise InvalidField(
                f"converted[{index}]",
                person,
                f"the id of one of visitors ({shown_ids(people)}): a visitor converts",
            )
    return settle(_distinct_id_conversion(len(buyers), len(people)), on_empty)


def _distinct_id_conversion(converted: int, visitors: int) -> Ratio:
    """The distinct-ids conversion result from the sizes of its sets (what a result
    document of that variant is rebuilt from, without making sets of that size)."""
    return Ratio(
        "conversion rate",
        converted,
        visitors,
        variant="distinct ids",
        formula="|converted visitors| / |visitors|",
        inputs=(("converted visitors", converted), ("visitors", visitors)),
        denominator_name="visitors",
    )


# -- the ordered funnel ------------------------------------------------------------------


def _steps(value: Any) -> tuple[str, ...]:
    expected = "at least two distinct step names (non-empty strings), in funnel order"
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidType("steps", value, expected)
    names: list[str] = []
    for index, step in enumerate(value):
        name = step.value if isinstance(step, Enum) else step
        name = _check.text(f"steps[{index}]", name)
        if name in names:
            raise InvalidField(f"steps[{index}]", step, "a step not already in the funnel")
        names.append(name)
    if len(names) < 2:
        raise InvalidField("steps", value, expected)
    return tuple(names)


def _window(value: Any) -> timedelta | None:
    expected = "a positive timedelta (the conversion window), or None for no window"
    if value is None:
        return None
    if not isinstance(value, timedelta):
        raise InvalidType("window", value, expected)
    if value <= timedelta(0):
        raise InvalidField("window", value, expected)
    return value


def _other_steps(value: Any) -> bool:
    """True when rows of other steps are skipped."""
    if value == "skip" and isinstance(value, str):
        return True
    if value == "refuse" and isinstance(value, str):
        return False
    raise InvalidField("other_steps", value, "'refuse' or 'skip'")


def _duration_text(value: timedelta) -> str:
    for unit, name in (
        (timedelta(days=1), "day"),
        (timedelta(hours=1), "hour"),
        (timedelta(minutes=1), "minute"),
        (timedelta(seconds=1), "second"),
    ):
        if value % unit == timedelta(0):
            count = value // unit
            return f"{count} {name}" if count == 1 else f"{count} {name}s"
    return str(value)


def _variant(window: timedelta | None) -> str:
    if window is None:
        return "strict order, no window"
    return f"strict order, within {_duration_text(window)} of entry"


def _count_field(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)


def _steps_field(value: Any) -> tuple[str, ...]:
    return _steps(value)


def _window_field(value: Any) -> timedelta | None:
    return _window(value)


def _reached_field(value: Any) -> tuple[int, ...]:
    expected = "a tuple of counts (whole numbers of at least 0), one per step, never increasing"
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidType("reached", value, expected, context="Funnel")
    counts = tuple(value)
    for index, count in enumerate(counts):
        _check.whole(f"reached[{index}]", count, minimum=0, context="Funnel")
        if index and count > counts[index - 1]:
            raise InvalidField(
                f"reached[{index}]",
                count,
                f"at most reached[{index - 1}] ({counts[index - 1]}): a step is reached "
                "only by people who reached the one before",
                context="Funnel",
            )
    return counts


def _optional_ratio(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None and not isinstance(value, Ratio):
        raise InvalidType(attribute.name, value, "a Ratio or None", context=type(instance).__name__)


@attrs.frozen
class FunnelStepResult:
    """One step of a :class:`Funnel`: who reached it, and the ratios around it.

    ``conversion`` (reached here / reached the previous step) and
    ``drop_off`` (dropped / reached the previous step) are None for the
    first step; ``from_entry`` is reached here / entered the funnel.
    """

    step: str = attrs.field(validator=_check.text_field)
    position: int = attrs.field(validator=_count_field)
    reached: int = attrs.field(validator=_count_field)
    dropped: int | None = attrs.field(validator=attrs.validators.optional(_count_field))
    conversion: Ratio | None = attrs.field(validator=_optional_ratio)
    from_entry: Ratio = attrs.field(validator=instance_field(Ratio))
    drop_off: Ratio | None = attrs.field(validator=_optional_ratio)

    def __attrs_post_init__(self) -> None:
        first = self.position == 0
        for name in ("conversion", "drop_off"):
            if first != (getattr(self, name) is None):
                raise InvalidField(
                    name,
                    getattr(self, name),
                    f"None for the first step only (it has no previous step; this is step "
                    f"{self.position})",
                    context="FunnelStepResult",
                )

    def to_dict(self) -> dict[str, Any]:
        """Plain values for a DataFrame row; the ratios as Decimal shares (None when undefined)."""
        return {
            "step": self.step,
            "position": self.position,
            "reached": self.reached,
            "dropped": self.dropped,
            "conversion": None if self.conversion is None else self.conversion.value,
            "from_entry": self.from_entry.value,
            "drop_off": None if self.drop_off is None else self.drop_off.value,
        }


@attrs.frozen(repr=False)
class Funnel:
    """An ordered funnel: how many people reached each step, in order, within the window.

    ``steps`` are the step names in order, ``reached[k]`` the people who
    reached step k (so ``reached[0]`` entered the funnel), ``window`` the
    conversion window from entry (None: no window). ``without_entry``
    counts people with events of later steps but none of the first step
    (they are not in the funnel); ``skipped_rows`` the rows of other steps
    left out with ``other_steps="skip"``.

    The ratios (:attr:`conversions`, :attr:`drop_offs`, :attr:`overall`,
    :meth:`step`) are computed from the counts; a step after one nobody
    reached has undefined ratios, never 0. Refuses fewer than two steps,
    repeated steps, a count per step that is missing or grows along the
    funnel, and a window that is not positive.
    """

    steps: tuple[str, ...] = attrs.field(converter=_steps_field)
    reached: tuple[int, ...] = attrs.field(converter=_reached_field)
    window: timedelta | None = attrs.field(converter=_window_field)
    without_entry: int = attrs.field(default=0, kw_only=True, validator=_count_field)
    skipped_rows: int = attrs.field(default=0, kw_only=True, validator=_count_field)

    def __attrs_post_init__(self) -> None:
        if len(self.reached) != len(self.steps):
            raise InvalidField(
                "reached",
                self.reached,
                f"one count per step ({len(self.steps)})",
                context="Funnel",
            )

    @property
    def variant(self) -> str:
        """How people were counted: ``"strict order, within 30 days of entry"``."""
        return _variant(self.window)

    @property
    def entered(self) -> int:
        """People who entered the funnel (reached its first step)."""
        return self.reached[0]

    @property
    def overall(self) -> Ratio:
        """Overall conversion: reached the last step / entered the funnel."""
        first, last = self.steps[0], self.steps[-1]
        return Ratio(
            f"funnel conversion {first} -> {last}",
            self.reached[-1],
            self.entered,
            variant=self.variant,
            formula=f"people who reached {last} / people who entered at {first}",
            inputs=(("entered", self.entered), (f"reached {last}", self.reached[-1])),
            denominator_name=f"people who entered at {first}",
        )

    @property
    def conversions(self) -> tuple[Ratio, ...]:
        """Per-step conversion, one per step after the first: reached k / reached k - 1."""
        return tuple(self._conversion(k) for k in range(1, len(self.steps)))

    @property
    def drop_offs(self) -> tuple[Ratio, ...]:
        """Per-step drop-off, one per step after the first: (reached k-1 - reached k) / reached k-1."""
        return tuple(self._drop_off(k) for k in range(1, len(self.steps)))

    @property
    def results(self) -> tuple[FunnelStepResult, ...]:
        """Every step's figures, in funnel order."""
        return tuple(self._result(k) for k in range(len(self.steps)))

    def step(self, name: str) -> FunnelStepResult:
        """The figures of step ``name``."""
        if isinstance(name, str) and name in self.steps:
            return self._result(self.steps.index(name))
        raise InvalidField("name", name, f"a step of this funnel: {', '.join(self.steps)}")

    def _conversion(self, k: int) -> Ratio:
        before, here = self.steps[k - 1], self.steps[k]
        return Ratio(
            f"step conversion {before} -> {here}",
            self.reached[k],
            self.reached[k - 1],
            variant=self.variant,
            formula=f"people who reached {here} / people who reached {before}",
            denominator_name=f"people who reached {before}",
        )

    def _drop_off(self, k: int) -> Ratio:
        before, here = self.steps[k - 1], self.steps[k]
        dropped = self.reached[k - 1] - self.reached[k]
        return Ratio(
            f"drop-off {before} -> {here}",
            dropped,
            self.reached[k - 1],
            variant=self.variant,
            formula=f"people who reached {before} but not {here} / people who reached {before}",
            working=f"({self.reached[k - 1]} - {self.reached[k]}) / {self.reached[k - 1]}",
            denominator_name=f"people who reached {before}",
        )

    def _result(self, k: int) -> FunnelStepResult:
        here = self.steps[k]
        from_entry = Ratio(
            f"reached {here}",
            self.reached[k],
            self.entered,
            variant=self.variant,
            formula=f"people who reached {here} / people who entered at {self.steps[0]}",
            denominator_name=f"people who entered at {self.steps[0]}",
        )
        if k == 0:
            return FunnelStepResult(here, 0, self.reached[0], None, None, from_entry, None)
        return FunnelStepResult(
            here,
            k,
            self.reached[k],
            self.reached[k - 1] - self.reached[k],
            self._conversion(k),
            from_entry,
            self._drop_off(k),
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per step (see :meth:`FunnelStepResult.to_dict`)."""
        return [result.to_dict() for result in self.results]

    def format(self, places: int = 1, rounding: str = ROUND_HALF_EVEN) -> str:
        """The funnel as a text table; shares rounded to ``places`` with ``rounding`` (only here)."""
        results = self.results
        name_width = max(len("step"), *(len(step) for step in self.steps))
        count_width = max(len("reached"), len(f"{self.entered:,}"))
        header = (
            f"{'step'.ljust(name_width)}  {'reached'.rjust(count_width)}  "
            f"{'from entry':>10}  {'step conversion':>15}  {'dropped':>{count_width}}  "
            f"{'drop-off':>8}"
        )
        lines = [f"Funnel ({self.variant}): {self.entered:,} entered", header]
        for result in results:
            conversion = (
                "-" if result.conversion is None else result.conversion.percent(places, rounding)
            )
            drop_off = "-" if result.drop_off is None else result.drop_off.percent(places, rounding)
            dropped = "-" if result.dropped is None else f"{result.dropped:,}"
            lines.append(
                f"{result.step.ljust(name_width)}  {result.reached:>{count_width},}  "
                f"{result.from_entry.percent(places, rounding):>10}  {conversion:>15}  "
                f"{dropped:>{count_width}}  {drop_off:>8}"
            )
        overall = self.overall
        lines.append(
            f"overall: {self.reached[-1]:,} / {self.entered:,} = {overall.percent(places, rounding)}"
        )
        if self.without_entry:
            lines.append(
                f"{self.without_entry:,} people with later steps but no {self.steps[0]} "
                "are not in the funnel"
            )
        if self.skipped_rows:
            lines.append(f"{self.skipped_rows:,} rows of other steps skipped")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<Funnel {' -> '.join(self.steps)} ({self.variant}): "
            f"{self.reached[-1]:,} / {self.entered:,} converted>"
        )


_Event = tuple[int, datetime]


def _settle(events: list[_Event], window: timedelta | None) -> tuple[list[datetime], list[_Event]]:
    """One person's chain of reached steps, and the kept events that may still change it.

    The chain is the strict-order rule itself: t0 is the earliest entry, and
    t(k) the earliest event of step k at or after t(k-1), at most ``window``
    after t0. More events can only move a t(k) earlier, so an event is kept
    only while it could still count: one before t(k-1) (an earlier t(k-1)
    may reach it), or of a step beyond the chain; events after t(k), or
    beyond the window of t0, never can.
    """
    by_step: dict[int, list[datetime]] = {}
    for position, moment in events:
        by_step.setdefault(position, []).append(moment)
    entries = by_step.pop(0, None)
    if not entries:
        return [], events
    first = min(entries)
    chain = [first]
    previous, position = first, 1
    while position in by_step:
        eligible = [
            moment
            for moment in by_step[position]
            if moment >= previous and (window is None or moment - first <= window)
        ]
        if not eligible:
            break
        previous = min(eligible)
        chain.append(previous)
        position += 1
    kept: list[_Event] = []
    size = len(chain)
    for position, moments in by_step.items():
        before = chain[position - 1] if position <= size else None
        for moment in moments:
            if window is not None and moment - first > window:
                continue
            if before is None or moment < before:
                kept.append((position, moment))
    return chain, kept


def _read_event(
    index: int, row: Any, positions: Mapping[str, int], steps: tuple[str, ...], skip: bool
) -> tuple[PersonId, int | None, datetime]:
    """One event record, checked key by key (the thorough path); None: a step to skip."""
    if not isinstance(row, Mapping):
        raise InvalidType(f"rows[{index}]", row, _ROW_EXPECTED)
    person = _identifier(index, "person_id", _required(index, row, "person_id"))
    step = _required(index, row, "step")
    if not isinstance(step, str):
        raise InvalidType(_where(index, "step"), step, "a step name (a string)")
    position = positions.get(step)
    if position is None and not skip:
        raise InvalidField(
            _where(index, "step"),
            step,
            f"one of the funnel's steps: {', '.join(steps)} "
            "(pass other_steps='skip' to leave other steps out)",
        )
    return person, position, _utc(_where(index, "at"), _required(index, row, "at"))


def _rows(rows: Any) -> Iterable[Any]:
    if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Iterable):
        raise InvalidType("rows", rows, f"an iterable of event records: {_ROW_EXPECTED}")
    return rows


def funnel(
    rows: Iterable[Mapping[str, Any]],
    *,
    window: timedelta | None,
    steps: Iterable[str] = DEFAULT_FUNNEL_STEPS,
    other_steps: OtherSteps = "refuse",
    on_empty: OnEmpty = "undefined",
) -> Funnel:
    """An ordered funnel over ``steps`` from event records, each person counted once.

    per-step conversion(k) = people who reached step k / people who reached step k-1
    drop-off(k)            = (reached k-1 - reached k) / reached k-1
    overall conversion     = people who reached the last step / people who entered

    The rule (strict order, from the first entry): a person enters at their
    earliest event of the first step, t0. They reach step k at their
    earliest event of step k at or after the moment they reached step k-1
    (events at the same instant count in funnel order), and no later than
    ``window`` after t0 (inclusive). A step done out of order, before the
    previous step, does not count as reaching it, and neither does anything
    after the window; repeats count once. ``window`` is required: pass a
    timedelta (the usual choice is 30 days), or None for no window.

    Rows are mappings ``{"person_id": str | int, "step": str, "at": aware
    datetime or ISO 8601 string with an offset}`` in any order (shuffling
    them changes nothing), read once, front to back, holding per person only
    the moments of their chain (plus, for rows out of time order, the events
    that could still count). Extra keys are ignored. A row whose step is not
    in ``steps`` is refused, naming it, unless ``other_steps="skip"``
    (then it is counted in ``skipped_rows``).

    Refuses bad rows naming them (``rows[12].at: got ..., expected ...``):
    missing keys, empty or non-string/int ids, naive times; fewer than two
    steps, repeated steps, a window that is not a positive timedelta. No one
    entering gives undefined ratios, or :class:`UndefinedMetric` with
    ``on_empty="raise"``.

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    >>> rows = [
    ...     {"person_id": 1, "step": "visit", "at": t},
    ...     {"person_id": 1, "step": "add_to_cart", "at": t + timedelta(minutes=5)},
    ...     {"person_id": 2, "step": "add_to_cart", "at": t},   # before their visit
    ...     {"person_id": 2, "step": "visit", "at": t + timedelta(minutes=1)},
    ... ]
    >>> result = funnel(rows, steps=["visit", "add_to_cart"], window=timedelta(days=30))
    >>> result.reached, result.conversions[0].percent()
    ((2, 1), '50.0%')
    """
    names = _steps(steps)
    limit = _window(window)
    skip = _other_steps(other_steps)
    check_on_empty(on_empty)
    positions = {name: position for position, name in enumerate(names)}
    chains: dict[PersonId, list[datetime]] = {}
    pending: dict[PersonId, list[_Event]] = {}
    find, lookup, hold = positions.get, chains.get, pending.get
    skipped = 0
    dt, text, whole, utc = datetime, str, int, UTC
    for index, row in enumerate(_rows(rows)):
        # The inline check accepts the common shape only; anything else,
        # including every error, goes through _read_event, which names it.
        try:
            person = row["person_id"]
            at = row["at"]
            position = find(row["step"])
        except Exception:
            person = at = position = None
        if not (
            position is not None
            and type(at) is dt
            and at.tzinfo is utc
            and ((type(person) is text and person != "") or type(person) is whole)
        ):
            person, position, at = _read_event(index, row, positions, names, skip)
            if position is None:
                skipped += 1
                continue
        chain = lookup(person)
        if chain is None:
            if position:
                chains[person] = []
                pending[person] = [(position, at)]
            else:
                chains[person] = [at]
            continue
        size = len(chain)
        if not size:  # no entry yet: keep everything until one arrives
            if position:
                pending[person].append((position, at))
                continue
        else:
            if position < size and at >= chain[position]:
                continue  # a repeat, or later than the step already counted
            if position and limit is not None and at - chain[0] > limit:
                continue  # beyond the window: t0 only moves earlier, so never
            if position == size and at >= chain[-1] and person not in pending:
                chain.append(at)  # the next step, in order: the common case
                continue
            if position and (position > size or at < chain[position - 1]):
                kept = hold(person)
                if kept is None:
                    pending[person] = [(position, at)]
                else:
                    kept.append((position, at))
                continue
        # The chain may change: settle it again from everything kept.
        events = pending.pop(person, [])
        events.extend(enumerate(chain))
        events.append((position, at))
        chain[:], rest = _settle(events, limit)
        if rest:
            pending[person] = rest
    lengths = Counter(len(chain) for chain in chains.values())
    without_entry = lengths.pop(0, 0)
    reached = [sum(count for size, count in lengths.items() if size > k) for k in range(len(names))]
    result = Funnel(names, tuple(reached), limit, without_entry=without_entry, skipped_rows=skipped)
    settle(result.overall, on_empty)
    return result


# -- leads: time in stage, stalls, demos --------------------------------------------------

_LEAD_EVENTS: Final = (LeadCreated, LeadStageChanged, LeadQualified, ActivityLogged)
_LEADS_EXPECTED: Final = (
    "an iterable of Lead aggregates, lead events (any order, loose or one lead's "
    "as a list), or their dicts (lead_event_to_dict, Lead.to_dict)"
)


def _renamed(error: InvalidField, field: str) -> InvalidField:
    return type(error)(field, error.value, error.expected, context=error.context)


def _items(leads: Any) -> Iterator[tuple[str, Any]]:
    """(field, item) for every item; a list or tuple item (``lead.history``) gives its events."""
    for index, item in enumerate(leads):
        if isinstance(item, list | tuple):
            for position, event in enumerate(item):
                yield f"leads[{index}][{position}]", event
        else:
            yield f"leads[{index}]", item


def _leads(leads: Any) -> list[Lead]:
    """The leads, rebuilt from whatever form they came in, in lead id order.

    Events (loose, or a lead's events as one list or tuple item, as the
    sales metrics take them) are grouped by lead id and put in version order
    before being replayed (and so checked); a lead given twice is refused.
    """
    if isinstance(leads, Lead | str | bytes | Mapping) or not isinstance(leads, Iterable):
        raise InvalidType("leads", leads, _LEADS_EXPECTED)
    whole: dict[str, Lead] = {}
    histories: dict[str, list[Any]] = {}
    for field, item in _items(leads):
        if isinstance(item, Mapping):
            try:
                if "schema" in item:
                    item = Lead.from_dict(dict(item))
                else:
                    item = lead_event_from_dict(dict(item), field=field)
            except InvalidField as error:
                if error.field.startswith(field):
                    raise
                raise _renamed(error, f"{field}.{error.field}") from None
        if isinstance(item, Lead):
            if item.id in whole or item.id in histories:
                raise InvalidField(
                    field, item, f"each lead once (lead {item.id!r} is already given)"
                )
            whole[item.id] = item
        elif isinstance(item, _LEAD_EVENTS):
            if item.lead_id in whole:
                raise InvalidField(
                    field,
                    item,
                    f"each lead once (lead {item.lead_id!r} is already given as a Lead)",
                )
            histories.setdefault(item.lead_id, []).append(item)
        else:
            raise InvalidType(field, item, _LEADS_EXPECTED)
    for lead_id, history in histories.items():
        history.sort(key=lambda event: event.version)
        try:
            whole[lead_id] = Lead(tuple(history))
        except InvalidField as error:
            raise type(error)(
                error.field, error.value, error.expected, context=f"lead {lead_id!r}"
            ) from None
    return [whole[lead_id] for lead_id in sorted(whole)]


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _microseconds(value: timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


def _stage_field(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, LeadStage):
        raise InvalidType(attribute.name, value, "a LeadStage", context=type(instance).__name__)


def _duration_field(instance: Any, attribute: Any, value: Any) -> None:
    context = type(instance).__name__
    if value is None and attribute.name == "median":
        return
    if not isinstance(value, timedelta):
        raise InvalidType(attribute.name, value, "a timedelta of at least 0", context=context)
    if value < timedelta(0):
        raise InvalidField(attribute.name, value, "a timedelta of at least 0", context=context)


@attrs.frozen
class StageDuration:
    """Time leads spent in one stage, across the leads that were in it.

    ``leads`` counts the leads that were ever in ``stage``; ``open`` how many
    of them are still in it, their time counted up to the ``now`` the
    figures were computed at (so the figures can still grow). ``total`` sums
    each lead's time in the stage (every visit), ``median`` is the median of
    those per-lead times (the mean of the middle two for an even count) and
    :attr:`mean` their mean; both are None when no lead was in the stage.

    Refuses open > leads, negative durations, and a median given for no
    leads (or missing for some).
    """

    stage: LeadStage = attrs.field(validator=_stage_field)
    leads: int = attrs.field(validator=_count_field)
    open: int = attrs.field(validator=_count_field)
    total: timedelta = attrs.field(validator=_duration_field)
    median: timedelta | None = attrs.field(validator=_duration_field)

    def __attrs_post_init__(self) -> None:
        if self.open > self.leads:
            raise InvalidField(
                "open", self.open, f"at most leads ({self.leads})", context="StageDuration"
            )
        if (self.median is None) != (self.leads == 0):
            raise InvalidField(
                "median",
                self.median,
                "None exactly when no lead was in the stage",
                context="StageDuration",
            )
        if self.leads == 0 and self.total:
            raise InvalidField(
                "total", self.total, "0 when no lead was in the stage", context="StageDuration"
            )

    @property
    def mean(self) -> timedelta | None:
        """``total / leads``, to the microsecond (rounded half-even); None with no leads."""
        return None if not self.leads else self.total / self.leads

    @property
    def mean_days(self) -> Score:
        """The mean in days, exact: ``total time in stage / leads that were in it``."""
        return Score(
            "mean time in stage",
            _microseconds(self.total),
            self.leads * _MICROSECONDS_PER_DAY,
            variant=f"{self.stage.value}, in days",
            formula="total time in stage / leads that were in it",
            working=f"{self.total} / {self.leads} leads",
            inputs=(("leads", self.leads), ("open", self.open)),
            denominator_name="leads that were in it",
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values for a DataFrame row (timedeltas, None when undefined)."""
        return {
            "stage": self.stage.value,
            "leads": self.leads,
            "open": self.open,
            "total": self.total,
            "mean": self.mean,
            "median": self.median,
        }


def _durations_field(instance: Any, attribute: Any, value: Any) -> None:
    stages = tuple(duration.stage for duration in value) if isinstance(value, tuple) else None
    if stages != tuple(LeadStage) or not all(isinstance(d, StageDuration) for d in value):
        raise InvalidType(
            attribute.name,
            value,
            "a tuple of StageDuration, one per LeadStage in stage order",
            context=type(instance).__name__,
        )


@attrs.frozen(repr=False)
class LeadStageTimes:
    """Time in each lead stage across leads, at ``now``: one :class:`StageDuration` per stage.

    :attr:`slowest` is the open stage (awareness to decision) where leads
    stall longest. :meth:`format` draws the table.
    """

    now: datetime = attrs.field(validator=_check.aware_field, eq=_zones.instant_key)
    leads: int = attrs.field(validator=_count_field)
    stages: tuple[StageDuration, ...] = attrs.field(validator=_durations_field)

    def stage(self, stage: LeadStage | str) -> StageDuration:
        """The figures of ``stage`` (a LeadStage or its value)."""
        return self.stages[list(LeadStage).index(_check.choice(LeadStage, "stage", stage))]

    @property
    def slowest(self) -> StageDuration | None:
        """The open stage with the longest median time in it; ties go to the earlier stage.

        Only the open stages (awareness, interest, consideration, decision)
        are candidates: customer, retained and lost are where leads rest, not
        where they stall. None when no lead was in an open stage.
        """
        best: StageDuration | None = None
        for duration in self.stages:
            if duration.stage not in OPEN_STAGES or duration.median is None:
                continue
            if best is None or best.median is None or duration.median > best.median:
                best = duration
        return best

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per stage (see :meth:`StageDuration.to_dict`)."""
        return [duration.to_dict() for duration in self.stages]

    def format(self) -> str:
        """The figures as a text table; ``*`` marks a stage with leads still in it."""
        width = max(len(stage.value) for stage in LeadStage)
        lines = [
            f"Time in lead stage across {self.leads:,} leads at {self.now.isoformat()}",
            f"{'stage'.ljust(width)}  {'leads':>6}  {'open':>5}  {'median':>18}  "
            f"{'mean':>18}  {'total':>22}",
        ]
        for duration in self.stages:
            median = "-" if duration.median is None else str(duration.median)
            mean = "-" if duration.mean is None else str(duration.mean)
            mark = "*" if duration.open else " "
            lines.append(
                f"{duration.stage.value.ljust(width)}  {duration.leads:>6,}  "
                f"{duration.open:>5,}  {median:>18}  {mean:>18}  {duration.total!s:>22}{mark}"
            )
        slowest = self.slowest
        if slowest is not None:
            lines.append(f"slowest open stage (by median): {slowest.stage.value}")
        if any(duration.open for duration in self.stages):
            lines.append(
                f"* leads still in the stage: their time is counted to {self.now.isoformat()}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        slowest = self.slowest
        name = "none" if slowest is None else slowest.stage.value
        return (
            f"<LeadStageTimes {self.leads:,} leads at {self.now.isoformat()}, slowest open "
            f"stage: {name}>"
        )


def _stage_totals(lead: Lead, now: datetime) -> dict[LeadStage, timedelta]:
    """Elapsed time per stage visited (all visits; the open one up to ``now``), in absolute time."""
    totals: dict[LeadStage, timedelta] = {}
    stage, entered = LeadStage.AWARENESS, _zones.utc(lead.created_at)
    for event in lead.history[1:]:
        if isinstance(event, LeadStageChanged):
            left = _zones.utc(event.at)
            totals[stage] = totals.get(stage, timedelta(0)) + (left - entered)
            stage, entered = event.to_stage, left
    totals[stage] = totals.get(stage, timedelta(0)) + (now - entered)
    return totals


def time_in_lead_stages(
    leads: Iterable[Any], *, now: datetime, on_empty: OnEmpty = "undefined"
) -> LeadStageTimes:
    """Time in each lead stage across leads: total, mean and median per stage, at ``now``.

    time in stage(lead)  = the lead's time in the stage over all its visits,
                           elapsed between its stage changes as UTC instants
                           (an open visit up to ``now``), as :meth:`Lead.time_in_stages`
    total                = sum over the leads that were in the stage
    mean                 = total / leads that were in the stage
    median               = median of the per-lead times

    A lead still in a stage counts up to ``now`` and is flagged in ``open``:
    its time will grow. ``leads`` are :class:`~salesflow.leads.Lead`
    aggregates, their events in any order and mix (grouped by lead id and
    replayed, so checked), or the dicts of ``lead_event_to_dict`` and
    ``Lead.to_dict``; each lead once.

    Refuses a naive ``now``, a ``now`` before a lead's latest change, and
    anything that is not a lead or a valid history, naming it. No leads give
    an empty table, or :class:`UndefinedMetric` with ``on_empty="raise"``.

    >>> from datetime import datetime, timedelta, timezone
    >>> from salesflow.leads import Lead, LeadSource
    >>> t = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    >>> ada = Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=t).lead
    >>> ada = ada.advance(at=t + timedelta(days=2)).lead
    >>> bob = Lead.create(lead_id="L-2", source=LeadSource.INBOUND, at=t).lead
    >>> times = time_in_lead_stages([ada, bob], now=t + timedelta(days=6))
    >>> awareness = times.stage("awareness")
    >>> awareness.leads, awareness.open, awareness.median, awareness.mean_days.value
    (2, 1, datetime.timedelta(days=4), Decimal('4'))
    """
    moment = _zones.utc(_check.aware("now", now))
    check_on_empty(on_empty)
    rebuilt = _leads(leads)
    spent: dict[LeadStage, list[timedelta]] = {stage: [] for stage in LeadStage}
    still: Counter[LeadStage] = Counter()
    for lead in rebuilt:
        if _zones.utc(lead.updated_at) > moment:
            raise InvalidField(
                "now",
                now,
                f"a time on or after every lead's latest change "
                f"(lead {lead.id!r} changed at {lead.updated_at.isoformat()})",
            )
        for stage, total in _stage_totals(lead, moment).items():
            spent[stage].append(total)
        still[lead.stage] += 1
    durations = tuple(
        StageDuration(
            stage,
            len(spent[stage]),
            still[stage],
            sum(spent[stage], timedelta(0)),
            _median(spent[stage]),
        )
        for stage in LeadStage
    )
    if on_empty == "raise" and not rebuilt:
        raise UndefinedMetric("time in lead stages", "leads")
    return LeadStageTimes(now=moment, leads=len(rebuilt), stages=durations)


def slowest_lead_stage(leads: Iterable[Any], *, now: datetime) -> StageDuration | None:
    """The open stage where leads stall longest: the longest median time in stage.

    Ties go to the earlier stage (awareness before interest ...). Only open
    stages count (see :attr:`LeadStageTimes.slowest`); None when no lead was
    in one. Takes leads as :func:`time_in_lead_stages` does.

    >>> from datetime import datetime, timedelta, timezone
    >>> from salesflow.leads import Lead, LeadSource
    >>> t = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=t).lead
    >>> lead = lead.advance(at=t + timedelta(days=1)).lead    # 1 day in awareness
    >>> lead = lead.advance(at=t + timedelta(days=8)).lead    # 7 days in interest
    >>> slowest_lead_stage([lead], now=t + timedelta(days=9)).stage
    <LeadStage.INTEREST: 'interest'>
    """
    return time_in_lead_stages(leads, now=now).slowest


def _demo_then_lost(lead: Lead) -> tuple[bool, bool]:
    """Whether the lead had a demo, and whether it was lost after the first one."""
    seen = False
    for event in lead.history:
        if isinstance(event, ActivityLogged) and event.kind is ActivityKind.DEMO:
            seen = True
        elif seen and isinstance(event, LeadStageChanged) and event.to_stage is LeadStage.LOST:
            return True, True
    return seen, False


def lost_after_demo_rate(leads: Iterable[Any], *, on_empty: OnEmpty = "undefined") -> Ratio:
    """Share of leads lost after a demo: leads with a demo that were later lost / leads with a demo.

    A lead counts in the numerator when it was lost (``lose`` or
    ``disqualify``) after its first demo, in history order; it still counts
    if it was reactivated afterwards (it was lost after the demo). A lead
    lost before any demo is not in the numerator. Leads are taken as in
    :func:`time_in_lead_stages`. No lead with a demo gives an undefined
    ratio, or :class:`UndefinedMetric` with ``on_empty="raise"``.

    >>> from datetime import datetime, timedelta, timezone
    >>> from salesflow.leads import ActivityKind, Lead, LeadSource, LostReason
    >>> t = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    >>> one = Lead.create(lead_id="L-1", source=LeadSource.INBOUND, at=t).lead
    >>> one = one.log_activity(ActivityKind.DEMO, at=t).lead
    >>> one = one.lose(LostReason.BUDGET, at=t + timedelta(days=1)).lead
    >>> two = Lead.create(lead_id="L-2", source=LeadSource.INBOUND, at=t).lead
    >>> two = two.log_activity(ActivityKind.DEMO, at=t).lead
    >>> lost_after_demo_rate([one, two])
    <Ratio share lost after a demo (lost after the first demo): 1 / 2 = 0.5>
    """
    check_on_empty(on_empty)
    demos = lost = 0
    for lead in _leads(leads):
        seen, found = _demo_then_lost(lead)
        demos += seen
        lost += found
    ratio = Ratio(
        "share lost after a demo",
        lost,
        demos,
        variant="lost after the first demo",
        formula="leads with a demo that were later lost / leads with a demo",
        inputs=(("leads with a demo", demos), ("lost after a demo", lost)),
        denominator_name="leads with a demo",
    )
    return settle(ratio, on_empty)


def demo_after_intro_call_rate(leads: Iterable[Any], *, on_empty: OnEmpty = "undefined") -> Ratio:
    """Share asking for a demo after an intro call: leads with a demo after an intro call / leads with an intro call.

    A lead counts in the numerator when a demo activity follows its first
    intro call in history order (a demo before any intro call does not
    count). Leads are taken as in :func:`time_in_lead_stages`. No lead with
    an intro call gives an undefined ratio, or :class:`UndefinedMetric`
    with ``on_empty="raise"``.

    >>> from datetime import datetime, timezone
    >>> from salesflow.leads import ActivityKind, Lead, LeadSource
    >>> t = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    >>> leads = []
    >>> for number, kinds in enumerate([["intro_call", "demo"], ["intro_call"], ["demo"]]):
    ...     lead = Lead.create(lead_id=f"L-{number}", source=LeadSource.INBOUND, at=t).lead
    ...     for kind in kinds:
    ...         lead = lead.log_activity(kind, at=t).lead
    ...     leads.append(lead)
    >>> demo_after_intro_call_rate(leads).percent()
    '50.0%'
    """
    check_on_empty(on_empty)
    calls = demos = 0
    for lead in _leads(leads):
        seen = found = False
        for event in lead.history:
            if not isinstance(event, ActivityLogged):
                continue
            if seen and event.kind is ActivityKind.DEMO:
                found = True
                break
            if event.kind is ActivityKind.INTRO_CALL:
                seen = True
        calls += seen
        demos += found
    ratio = Ratio(
        "share asking for a demo after an intro call",
        demos,
        calls,
        variant="a demo after the first intro call",
        formula="leads with a demo after an intro call / leads with an intro call",
        inputs=(("leads with an intro call", calls), ("demo after the intro call", demos)),
        denominator_name="leads with an intro call",
    )
    return settle(ratio, on_empty)
