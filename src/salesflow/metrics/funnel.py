"""The shop's web funnel: conversion rate, and the ordered funnel over event records.

Event records are plain mappings ``{"person_id", "step", "at"}`` (docs/metrics.md,
"Web funnel").

>>> from salesflow.metrics.funnel import conversion_rate
>>> conversion_rate(conversions=30, visitors=1200)
<Ratio conversion rate (counts): 30 / 1200 = 0.025>
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import timedelta, tzinfo
from decimal import ROUND_HALF_EVEN
from typing import Any, ClassVar, Final, Literal

import attrs

from salesflow import _charts, _check
from salesflow._frames_out import Columns, records_to_frame
from salesflow._results import (
    OnEmpty,
    Ratio,
    check_on_empty,
    instance_field,
    settle,
)
from salesflow._tables import Cell, Shaded, html_record, html_table
from salesflow.errors import InvalidField, InvalidType
from salesflow.metrics._figures import distinct_id_conversion
from salesflow.metrics._framed.columns import series
from salesflow.metrics._framed.funnel import framed_funnel
from salesflow.metrics._framed.ids import framed_distinct_ids
from salesflow.metrics._losses import (
    LOSS_COLUMNS,
    Counted,
    FunnelLoss,
    counted_field,
    loss_lines,
    loss_record,
    losses_field,
    stays,
)
from salesflow.metrics._read.choices import variant_arguments
from salesflow.metrics._read.fields import (
    identifier,
    shown_ids,
    values_of,
    whole_number,
)
from salesflow.metrics._read.frames import rows_only, table
from salesflow.metrics._read.funnel_events import (
    PersonId,
    funnel_events,
    funnel_steps,
    funnel_window,
    reached_counts,
    skips_other_steps,
    strict_order,
)
from salesflow.metrics._read.lead_funnel import (
    LEAD_STEPS,
    lead_counts,
    lead_journeys,
    lead_positions,
    leads_given,
)

__all__ = [
    "DEFAULT_FUNNEL_STEPS",
    "ConversionVariant",
    "Funnel",
    "FunnelLoss",
    "FunnelStepResult",
    "OtherSteps",
    "conversion_rate",
    "funnel",
]

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
ConversionVariant = Literal["counts", "distinct_ids"]
_CONVERSION_VARIANTS: Final = {
    "counts": ("conversions", "visitors"),
    "distinct_ids": ("visitors", "converted"),
}


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
        seen.setdefault(identifier(f"{field}[{index}]", value), index)
    return seen


def conversion_rate(
    *,
    conversions: int | None = None,
    visitors: int | Iterable[PersonId] | Any,
    converted: Iterable[PersonId] | Any | None = None,
    variant: ConversionVariant = "counts",
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
) -> Ratio:
    """Conversion rate: visitors who converted / visitors, from counts or from ids.

    - ``variant="counts"`` (the default): ``conversions / visitors``, both
      counts. ``conversions`` counts visitors who converted (each once), so it
      is at most ``visitors``; to divide orders by sessions, count both the
      same way first. Refuses negative counts, floats, bools and more
      conversions than visitors.
    - ``variant="distinct_ids"``: ``|converted| / |visitors|``, both iterables
      of ids. Duplicate ids count once, so a visitor who came back three
      times or bought twice is one visitor and one conversion. Ids are used
      exactly as given, as in :func:`funnel` (``"a"`` and ``"a "`` are two
      visitors). A converted id that is not among the visitors is refused
      (naming its index): it belongs to another period or another site, and
      counting it would push the rate up.

    No visitors give an undefined ratio (or :class:`UndefinedMetric` with
    ``on_empty="raise"``).

    With ``variant="distinct_ids"``, ``visitors`` and ``converted`` may be
    Series (pandas, polars, a pyarrow Array or ChunkedArray) or tables of
    one engine (the ``frames`` extra): a one-column table, its
    ``person_id`` column or the one ``columns={"person_id": ...}`` names.
    The distinct ids are counted, and the converted ids looked up among the
    visitors, inside the engine; missing or empty ids are refused naming
    the column.

    >>> conversion_rate(conversions=30, visitors=1200).percent()
    '2.5%'
    >>> conversion_rate(visitors=["a", "b", "c", "a"], converted=["b", "b"], variant="distinct_ids")
    <Ratio conversion rate (distinct ids): 1 / 3 = 1/3 ≈ 0.3333333333>
    """
    given = {"conversions": conversions, "visitors": visitors, "converted": converted}
    read = variant_arguments("conversion_rate", variant, _CONVERSION_VARIANTS, given)
    if variant == "distinct_ids":
        if any(table(ids) or series(ids) for ids in (visitors, converted)):
            buyers_count, people_count = framed_distinct_ids(
                visitors, converted, columns=columns, read_ids=_id_set
            )
            return settle(distinct_id_conversion(buyers_count, people_count), on_empty)
        rows_only({"columns": columns})
        people = _id_set("visitors", read["visitors"])
        buyers = _id_set("converted", read["converted"])
        for person, index in buyers.items():
            if person not in people:
                raise InvalidField(
                    f"converted[{index}]",
                    person,
                    f"the id of one of visitors ({shown_ids(people)}): a visitor converts",
                )
        return settle(distinct_id_conversion(len(buyers), len(people)), on_empty)
    rows_only({"columns": columns})
    converted_count = whole_number("conversions", conversions, minimum=0)
    total = whole_number("visitors", visitors, minimum=0)
    if converted_count > total:
        raise InvalidField(
            "conversions",
            converted_count,
            f"at most visitors ({total}): count each converting visitor once",
        )
    ratio = Ratio(
        "conversion rate",
        converted_count,
        total,
        variant="counts",
        formula="conversions / visitors",
        inputs=(("conversions", converted_count), ("visitors", total)),
    )
    return settle(ratio, on_empty)


# -- the ordered funnel ------------------------------------------------------------------


def _count_field(instance: Any, attribute: Any, value: Any) -> None:
    _check.whole(attribute.name, value, minimum=0, context=type(instance).__name__)


def _steps_field(value: Any) -> tuple[str, ...]:
    return funnel_steps(value)


def _window_field(value: Any) -> timedelta | None:
    return funnel_window(value)


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
    first step; ``from_entry`` is reached here / entered the funnel. In a
    lead funnel, ``loss`` holds the leads lost at this step (a
    :class:`FunnelLoss`) and ``loss_rate`` is lost here / reached here;
    both are None in a funnel of events, which does not know its losses.
    """

    step: str = attrs.field(validator=_check.text_field)
    position: int = attrs.field(validator=_count_field)
    reached: int = attrs.field(validator=_count_field)
    dropped: int | None = attrs.field(validator=attrs.validators.optional(_count_field))
    conversion: Ratio | None = attrs.field(validator=_optional_ratio)
    from_entry: Ratio = attrs.field(validator=instance_field(Ratio))
    drop_off: Ratio | None = attrs.field(validator=_optional_ratio)
    loss: FunnelLoss | None = attrs.field(
        default=None, kw_only=True, validator=instance_field(FunnelLoss, optional=True)
    )
    loss_rate: Ratio | None = attrs.field(default=None, kw_only=True, validator=_optional_ratio)

    def __attrs_post_init__(self) -> None:
        if (self.loss is None) != (self.loss_rate is None):
            raise InvalidField(
                "loss_rate",
                self.loss_rate,
                "a Ratio exactly when loss is given (a lead funnel's step)",
                context="FunnelStepResult",
            )
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

    @property
    def lost(self) -> int | None:
        """The leads lost at this step (a lead funnel), else None."""
        return None if self.loss is None else self.loss.count

    _repr_html_ = html_record

    def to_dict(self) -> dict[str, Any]:
        """Plain values for a DataFrame row; the ratios as Decimal shares (None when undefined).

        A lead funnel's step adds :attr:`Funnel.LOSS_COLUMNS`: the leads lost,
        the loss rate, the leads lost for each reason and the median time
        before the loss.
        """
        row = {
            "step": self.step,
            "position": self.position,
            "reached": self.reached,
            "dropped": self.dropped,
            "conversion": None if self.conversion is None else self.conversion.value,
            "from_entry": self.from_entry.value,
            "drop_off": None if self.drop_off is None else self.drop_off.value,
        }
        if self.loss is not None and self.loss_rate is not None:
            row.update(loss_record(self.loss, self.loss_rate))
        return row


@attrs.frozen(repr=False)
class Funnel:
    """An ordered funnel: how many people reached each step, in order, within the window.

    ``steps`` are the step names in order, ``reached[k]`` the people who
    reached step k (so ``reached[0]`` entered the funnel), ``window`` the
    conversion window from entry (None: no window). ``without_entry``
    counts people with events of later steps but none of the first step
    (they are not in the funnel); ``skipped_rows`` the rows of other steps
    left out with ``other_steps="skip"``.

    A lead funnel (``counted="leads"``) also knows where its leads dropped
    out: ``losses[k]`` is the :class:`FunnelLoss` of step k (the leads lost
    at it, their reasons and their time in the stage before the loss); a
    funnel of events has none (None).

    The ratios (:attr:`conversions`, :attr:`drop_offs`, :attr:`overall`,
    :meth:`step`) are computed from the counts; a step after one nobody
    reached has undefined ratios, never 0. Refuses fewer than two steps,
    repeated steps, a count per step that is missing or grows along the
    funnel, a window that is not positive, and losses that are not one per
    step, in step order, each at most the leads that reached it.
    """

    COLUMNS: ClassVar[Columns] = (
        ("step", "text"),
        ("position", "int"),
        ("reached", "int"),
        ("dropped", "int_or_none"),
        ("conversion", "decimal"),
        ("from_entry", "decimal"),
        ("drop_off", "decimal"),
    )
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

    LOSS_COLUMNS: ClassVar[Columns] = LOSS_COLUMNS
    """The columns a lead funnel adds after :attr:`COLUMNS`: ``lost``, ``loss_rate``, one
    ``lost_<reason>`` count per :class:`~salesflow.leads.LostReason`, ``median_before_loss``."""

    steps: tuple[str, ...] = attrs.field(converter=_steps_field)
    reached: tuple[int, ...] = attrs.field(converter=_reached_field)
    window: timedelta | None = attrs.field(converter=_window_field)
    without_entry: int = attrs.field(default=0, kw_only=True, validator=_count_field)
    skipped_rows: int = attrs.field(default=0, kw_only=True, validator=_count_field)
    losses: tuple[FunnelLoss, ...] | None = attrs.field(
        default=None, kw_only=True, converter=losses_field
    )
    counted: Counted = attrs.field(default="people", kw_only=True, validator=counted_field)

    def __attrs_post_init__(self) -> None:
        if len(self.reached) != len(self.steps):
            raise InvalidField(
                "reached",
                self.reached,
                f"one count per step ({len(self.steps)})",
                context="Funnel",
            )
        if self.losses is None:
            return
        if tuple(loss.step for loss in self.losses) != self.steps:
            raise InvalidField(
                "losses",
                self.losses,
                f"one FunnelLoss per step, in step order ({', '.join(self.steps)})",
                context="Funnel",
            )
        for k, loss in enumerate(self.losses):
            if loss.count > self.reached[k]:
                raise InvalidField(
                    f"losses[{k}]",
                    loss,
                    f"at most the {self.counted} that reached {loss.step} ({self.reached[k]}): "
                    "a lead is lost at a step it reached",
                    context="Funnel",
                )

    @property
    def columns(self) -> Columns:
        """The columns of this funnel's :meth:`to_records` (a lead funnel's loss columns too)."""
        return self.COLUMNS if self.losses is None else (*self.COLUMNS, *self.LOSS_COLUMNS)

    @property
    def _who(self) -> str:
        return "people who" if self.counted == "people" else "leads that"

    @property
    def variant(self) -> str:
        """How people were counted: ``"strict order, within 30 days of entry"``."""
        return strict_order(self.window)

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
            formula=f"{self._who} reached {last} / {self._who} entered at {first}",
            inputs=(("entered", self.entered), (f"reached {last}", self.reached[-1])),
            denominator_name=f"{self._who} entered at {first}",
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
            formula=f"{self._who} reached {here} / {self._who} reached {before}",
            denominator_name=f"{self._who} reached {before}",
        )

    def _drop_off(self, k: int) -> Ratio:
        before, here = self.steps[k - 1], self.steps[k]
        dropped = self.reached[k - 1] - self.reached[k]
        return Ratio(
            f"drop-off {before} -> {here}",
            dropped,
            self.reached[k - 1],
            variant=self.variant,
            formula=f"{self._who} reached {before} but not {here} / {self._who} reached {before}",
            working=f"({self.reached[k - 1]} - {self.reached[k]}) / {self.reached[k - 1]}",
            denominator_name=f"{self._who} reached {before}",
        )

    def _result(self, k: int) -> FunnelStepResult:
        here = self.steps[k]
        from_entry = Ratio(
            f"reached {here}",
            self.reached[k],
            self.entered,
            variant=self.variant,
            formula=f"{self._who} reached {here} / {self._who} entered at {self.steps[0]}",
            denominator_name=f"{self._who} entered at {self.steps[0]}",
        )
        loss = None if self.losses is None else self.losses[k]
        rate = None if loss is None else self._loss_rate(loss, k)
        if k == 0:
            return FunnelStepResult(
                here, 0, self.reached[0], None, None, from_entry, None, loss=loss, loss_rate=rate
            )
        return FunnelStepResult(
            here,
            k,
            self.reached[k],
            self.reached[k - 1] - self.reached[k],
            self._conversion(k),
            from_entry,
            self._drop_off(k),
            loss=loss,
            loss_rate=rate,
        )

    def _loss_rate(self, loss: FunnelLoss, k: int) -> Ratio:
        here = self.steps[k]
        return Ratio(
            f"loss rate at {here}",
            loss.count,
            self.reached[k],
            variant=self.variant,
            formula=f"leads lost at {here} / leads that reached {here}",
            denominator_name=f"leads that reached {here}",
        )

    @property
    def lost(self) -> int | None:
        """The leads lost at any step (a lead funnel), else None."""
        return None if self.losses is None else sum(loss.count for loss in self.losses)

    @property
    def longest_before_loss(self) -> str | None:
        """The step whose lost leads sat longest in it before they left (by median).

        The step that takes so long that prospects leave; ties go to the
        earlier step. None in a funnel of events, or when no lead was lost.
        """
        best: str | None = None
        longest = timedelta(0)
        for loss in self.losses or ():
            median = loss.median_before_loss
            if median is not None and (best is None or median > longest):
                best, longest = loss.step, median
        return best

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per step (see :meth:`FunnelStepResult.to_dict`)."""
        return [result.to_dict() for result in self.results]

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The funnel as a DataFrame of ``backend``: "pandas", "polars" or "pyarrow".

        One row per step, the columns of :meth:`to_records` (:attr:`columns`), in order and
        typed (the first step's ``dropped`` and ratios null). Decimals stay exact (a decimal128
        column) unless ``money="float"`` makes them float64, inexact, for plotting,
        ``describe()`` and ``qcut``.
        Needs the library (:class:`~salesflow.errors.MissingExtra` names the extra to install); see
        docs/metrics.md ("In a notebook").
        """
        return records_to_frame(
            self.to_records(),
            columns=self.columns,
            backend=backend,
            money=money,
        )

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
        if self.losses is not None:
            rates = [self._loss_rate(loss, k) for k, loss in enumerate(self.losses)]
            lines += loss_lines(zip(self.losses, rates, strict=True), places, rounding)
            slowest = self.longest_before_loss
            if slowest is not None:
                lines.append(f"longest in a step before the loss (by median): {slowest}")
        return "\n".join(lines)

    def to_vega_lite(self) -> dict[str, Any]:
        """A Vega-Lite v5 funnel chart (a plain dict): one bar per step of the people reaching it.

        The tooltip adds the share of the entrants and the step conversion
        (floats for plotting only). See docs/metrics.md ("Charts").
        """
        values = [
            {
                "step": result.step,
                "position": result.position,
                "reached": result.reached,
                "from_entry": _charts.share(result.from_entry),
                "conversion": _charts.share(result.conversion),
            }
            for result in self.results
        ]
        title = f"Funnel ({self.variant}): {self.entered:,} entered"
        return _charts.funnel_bars(title=title, steps=self.steps, values=values)

    def to_altair(self) -> Any:
        """:meth:`to_vega_lite` as an ``altair.Chart`` (needs ``pip install 'salesflow[viz]'``)."""
        return _charts.altair_chart(self.to_vega_lite())

    def _repr_html_(self) -> str:
        """The funnel as HTML, each step's share of the entrants shaded by its value.

        A lead funnel adds the leads lost at each step, the loss rate and the
        median time in the stage before the loss.
        """
        rows: list[tuple[Cell, ...]] = []
        for result in self.results:
            row: tuple[Cell, ...] = (
                result.step,
                f"{result.reached:,}",
                Shaded(result.from_entry.percent(), result.from_entry.fraction),
                "-" if result.conversion is None else result.conversion.percent(),
                "-" if result.dropped is None else f"{result.dropped:,}",
                "-" if result.drop_off is None else result.drop_off.percent(),
            )
            if result.loss is not None and result.loss_rate is not None:
                median = result.loss.median_before_loss
                row += (
                    f"{result.loss.count:,}",
                    result.loss_rate.percent(),
                    "-" if median is None else str(median),
                )
            rows.append(row)
        header: tuple[str, ...] = (
            "step",
            "reached",
            "from entry",
            "step conversion",
            "dropped",
            "drop-off",
        )
        if self.losses is not None:
            header += ("lost", "loss rate", "median before loss")
        notes = [f"overall: {self.reached[-1]:,} / {self.entered:,} = {self.overall.percent()}"]
        if self.without_entry:
            notes.append(
                f"{self.without_entry:,} people with later steps but no {self.steps[0]} "
                "are not in the funnel"
            )
        if self.skipped_rows:
            notes.append(f"{self.skipped_rows:,} rows of other steps skipped")
        return html_table(
            kind="funnel",
            caption=f"Funnel ({self.variant}): {self.entered:,} entered",
            header=header,
            rows=rows,
            notes=notes,
        )

    def __repr__(self) -> str:
        lost = "" if self.lost is None else f", {self.lost:,} lost"
        return (
            f"<Funnel {' -> '.join(self.steps)} ({self.variant}): "
            f"{self.reached[-1]:,} / {self.entered:,} converted{lost}>"
        )


def funnel(
    rows: Iterable[Mapping[str, Any]] | Any,
    *,
    window: timedelta | None,
    steps: Iterable[str] = DEFAULT_FUNNEL_STEPS,
    other_steps: OtherSteps = "refuse",
    on_empty: OnEmpty = "undefined",
    columns: Mapping[str, str] | None = None,
    naive_zone: tzinfo | str | None = None,
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

    ``rows`` may be a table instead (pandas, polars, pyarrow, DuckDB, Spark,
    ...; the ``frames`` extra) with person_id, step and at columns. The
    rule is computed exactly inside its engine: each step's moment is a
    minimum over the person's events given the step before (one windowed
    ``min() over person_id`` per step), and only the counts leave it, so
    the result is the same :class:`Funnel`. ``columns`` maps salesflow's
    column names to the table's; ``naive_zone`` is the zone a naive time
    column was written in. Refusals name the column (``rows['event']``).

    ``rows`` may be leads instead, each with its history (a Lead, its
    events, loose or as a list, or its ``to_dict()`` document, as every
    lead metric takes them; the first item decides): a lead funnel. Its
    steps default to the funnel view of the stages (awareness, interest,
    consideration, decision, action, retention; a stage's own name works
    too, ``customer`` for action, ``retained`` for retention), in stage
    order. A lead enters at its creation and reaches a stage when it first
    moves there; one that jumps ahead (a fast track) reaches the stages it
    skipped at the jump, and a move back un-reaches nothing. The result also
    says where the leads dropped out: the leads lost at each step (the
    stage they were lost from, their loss standing now, within ``window``
    of entry), for which :class:`~salesflow.leads.LostReason`, and their
    time in that stage before the loss (:class:`FunnelLoss`; docs/metrics.md,
    "Lead funnel and where leads drop out"). A lead record (no history) is
    refused, naming it; ``other_steps`` does not apply (a lead has no rows
    of other steps).

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
    names = funnel_steps(steps)
    limit = funnel_window(window)
    skip = skips_other_steps(other_steps)
    check_on_empty(on_empty)
    if table(rows):
        counts = framed_funnel(
            rows, steps=names, window=limit, skip=skip, columns=columns, naive_zone=naive_zone
        )
        result = Funnel(
            names,
            counts.reached,
            limit,
            without_entry=counts.without_entry,
            skipped_rows=counts.skipped,
        )
        settle(result.overall, on_empty)
        return result
    rows_only({"columns": columns, "naive_zone": naive_zone})
    leads, rows = leads_given(rows)
    if leads:
        named = LEAD_STEPS if steps is DEFAULT_FUNNEL_STEPS else names
        return _lead_funnel(rows, named, limit, on_empty)
    positions = {name: position for position, name in enumerate(names)}
    events = funnel_events(rows, positions=positions, steps=names, skip=skip)
    reached, without_entry, skipped = reached_counts(events, len(names), limit)
    result = Funnel(names, tuple(reached), limit, without_entry=without_entry, skipped_rows=skipped)
    settle(result.overall, on_empty)
    return result


def _lead_funnel(
    leads: Any, names: tuple[str, ...], limit: timedelta | None, on_empty: OnEmpty
) -> Funnel:
    """The funnel of ``leads`` over the lead stages ``names``, with the losses at each step."""
    reached, lost = lead_counts(lead_journeys(leads), lead_positions(names), limit)
    losses = tuple(
        FunnelLoss(name, Counter(reason for reason, _ in found), stays(name, (s for _, s in found)))
        for name, found in zip(names, lost, strict=True)
    )
    result = Funnel(names, tuple(reached), limit, losses=losses, counted="leads")
    settle(result.overall, on_empty)
    return result
