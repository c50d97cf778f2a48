"""Where leads drop out of a lead funnel: the leads lost at each step, why, and how long they stayed.

The private home of :class:`FunnelLoss` (exported by
:mod:`salesflow.metrics.funnel`) and of the loss columns and lines a lead
funnel adds to its table (docs/metrics.md, "Lead funnel and where leads drop out").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import ROUND_HALF_EVEN
from typing import Any, Final, Literal

import attrs

from salesflow import _check
from salesflow._durations import Durations
from salesflow._frames_out import Columns
from salesflow._results import Ratio, instance_field
from salesflow._tables import html_record
from salesflow.errors import InvalidField, InvalidType
from salesflow.leads import LostReason

__all__ = [
    "LOSS_COLUMNS",
    "Counted",
    "FunnelLoss",
    "counted_field",
    "loss_lines",
    "loss_record",
    "losses_field",
    "stays",
]

LOSS_COLUMNS: Final[Columns] = (
    ("lost", "int"),
    ("loss_rate", "decimal"),
    *((f"lost_{reason.value}", "int") for reason in LostReason),
    ("median_before_loss", "duration"),
)
"""The columns a lead funnel adds to each row of its table, after the funnel's own."""

_STAY_FORMULA: Final = (
    "time in the stage a lead was lost from, from when it last entered the stage to the loss"
)


def stays(step: str, spans: Iterable[timedelta]) -> Durations:
    """The time before loss of the leads lost at ``step``: one span per lead."""
    return Durations(
        "time in stage before loss",
        f"leads lost at {step}",
        _STAY_FORMULA,
        spans,
        counted="lost leads",
    )


def _reasons(value: Any) -> tuple[tuple[LostReason, int], ...]:
    """Each reason once with its count (at least 1), in LostReason order."""
    expected = "a mapping or pairs of LostReason -> leads lost for it (each at least 1)"
    pairs = value.items() if isinstance(value, Mapping) else value
    if isinstance(pairs, str | bytes) or not isinstance(pairs, Iterable):
        raise InvalidType("reasons", value, expected, context="FunnelLoss")
    counts: dict[LostReason, int] = {}
    for index, pair in enumerate(pairs):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidType(f"reasons[{index}]", pair, expected, context="FunnelLoss")
        reason = _check.choice(LostReason, f"reasons[{index}]", pair[0], context="FunnelLoss")
        if reason in counts:
            raise InvalidField(
                f"reasons[{index}]", pair[0], "each reason once", context="FunnelLoss"
            )
        counts[reason] = _check.whole(
            f"reasons[{reason.value!r}]", pair[1], minimum=1, context="FunnelLoss"
        )
    return tuple((reason, counts[reason]) for reason in LostReason if reason in counts)


@attrs.frozen(repr=False)
class FunnelLoss:
    """The leads lost at one step of a lead funnel: how many, for which reasons, after how long.

    ``reasons`` pairs each :class:`~salesflow.leads.LostReason` with the
    leads lost for it (a reason with none is left out; in LostReason
    order). ``time_before_loss`` holds one span per lost lead: its time in
    the stage it was lost from, from when it last entered that stage to the
    loss, so its median says how long leads sat in the step before they
    left. Refuses a reason twice, a count below 1, and spans that are not
    one per lost lead.
    """

    step: str = attrs.field(validator=_check.text_field)
    reasons: tuple[tuple[LostReason, int], ...] = attrs.field(converter=_reasons)
    time_before_loss: Durations = attrs.field(validator=instance_field(Durations))

    def __attrs_post_init__(self) -> None:
        if self.time_before_loss.count != self.count:
            raise InvalidField(
                "reasons",
                self.reasons,
                f"counts adding up to the lost leads of time_before_loss, one span each "
                f"({self.time_before_loss.count})",
                context="FunnelLoss",
            )

    @property
    def count(self) -> int:
        """The leads lost at this step."""
        return sum(count for _, count in self.reasons)

    @property
    def by_reason(self) -> dict[LostReason, int]:
        """The leads lost for each reason, every LostReason included (0 for none)."""
        found = dict(self.reasons)
        return {reason: found.get(reason, 0) for reason in LostReason}

    @property
    def median_before_loss(self) -> timedelta | None:
        """The median time before loss (None when no lead was lost here)."""
        return self.time_before_loss.median

    def to_dict(self) -> dict[str, Any]:
        """Plain values: the step, the leads lost, one count per reason and the median stay."""
        return {
            "step": self.step,
            "lost": self.count,
            **{f"lost_{reason.value}": count for reason, count in self.by_reason.items()},
            "median_before_loss": self.median_before_loss,
        }

    _repr_html_ = html_record

    def __repr__(self) -> str:
        if not self.reasons:
            return f"<FunnelLoss {self.step}: 0 lost>"
        reasons = ", ".join(f"{reason.value} {count:,}" for reason, count in _by_count(self))
        return (
            f"<FunnelLoss {self.step}: {self.count:,} lost ({reasons}), "
            f"median {self.median_before_loss} in the stage first>"
        )


def _by_count(loss: FunnelLoss) -> list[tuple[LostReason, int]]:
    """The reasons, most leads first (ties in LostReason order)."""
    return sorted(loss.reasons, key=lambda pair: -pair[1])


def loss_record(loss: FunnelLoss, rate: Ratio) -> dict[str, Any]:
    """The loss columns of one row of a lead funnel's table (:data:`LOSS_COLUMNS`)."""
    counts = loss.by_reason
    return {
        "lost": loss.count,
        "loss_rate": rate.value,
        **{f"lost_{reason.value}": counts[reason] for reason in LostReason},
        "median_before_loss": loss.median_before_loss,
    }


def loss_lines(
    losses: Iterable[tuple[FunnelLoss, Ratio]], places: int, rounding: str = ROUND_HALF_EVEN
) -> list[str]:
    """The text block under a lead funnel's table: per step, lost, rate, median stay, reasons."""
    rows = [
        (
            loss.step,
            f"{loss.count:,}",
            rate.percent(places, rounding),
            "-" if loss.median_before_loss is None else str(loss.median_before_loss),
            ", ".join(f"{reason.value} {count:,}" for reason, count in _by_count(loss)) or "-",
        )
        for loss, rate in losses
    ]
    header = ("step", "lost", "loss rate", "median time in stage before loss", "reasons")
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(4)]
    lines = ["Lost at each step (from its stage; loss rate = lost / reached):"]
    for row in (header, *rows):
        cells = [
            row[0].ljust(widths[0]),
            *(text.rjust(widths[i]) for i, text in enumerate(row[1:4], 1)),
        ]
        lines.append("  ".join([*cells, row[4]]))
    return lines


Counted = Literal["people", "leads"]


def counted_field(instance: Any, attribute: Any, value: Any) -> None:
    """``Funnel.counted``: what a funnel counts, "people" (events) or "leads"."""
    if not isinstance(value, str) or value not in ("people", "leads"):
        raise InvalidField("counted", value, "'people' or 'leads'", context="Funnel")


def losses_field(value: Any) -> tuple[FunnelLoss, ...] | None:
    """``Funnel.losses``: None (a funnel of events), or one FunnelLoss per step."""
    expected = "None or a tuple of FunnelLoss, one per step (a lead funnel)"
    if value is None:
        return None
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidType("losses", value, expected, context="Funnel")
    losses = tuple(value)
    for index, loss in enumerate(losses):
        if not isinstance(loss, FunnelLoss):
            raise InvalidType(f"losses[{index}]", loss, "a FunnelLoss", context="Funnel")
    return losses
