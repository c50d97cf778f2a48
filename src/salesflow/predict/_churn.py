"""The churn-risk list: customers ranked by P(alive), with the value at stake over a horizon.

Reads a fitted BG/NBD or Pareto/NBD model (P(alive), expected purchases) and a
fitted Gamma-Gamma model (expected spend per purchase). See docs/predict.md.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, ClassVar, Final

import attrs

from salesflow._frames_out import Columns, records_to_frame
from salesflow.errors import InvalidField, InvalidType
from salesflow.predict._numeric import horizon as _horizon
from salesflow.predict._purchases import PurchaseModel
from salesflow.predict._spend import GammaGamma
from salesflow.predict.inputs import ModelInput

__all__ = ["ChurnRisk", "churn_risk"]

_CENT: Final = Decimal("0.01")
_RANKINGS: Final = ("p_alive", "value_at_stake")


@attrs.frozen
class _Risk:
    rank: int
    customer_id: str | int
    p_alive: float
    expected_purchases: float
    expected_spend: Decimal
    value_at_stake: Decimal


@attrs.frozen
class ChurnRisk:
    """Customers from most to least likely to have left, each with the value at stake.

    ``rows`` run from the lowest P(alive); ``horizon`` and ``unit`` are those
    the expected purchases were computed over, ``model`` names the purchase
    model ("bgnbd", "mbgnbd" or "pareto_nbd") and ``rank_by`` the order.
    """

    COLUMNS: ClassVar[Columns] = (
        ("rank", "int"),
        ("customer_id", "id"),
        ("p_alive", "float"),
        ("expected_purchases", "float"),
        ("expected_spend", "decimal"),
        ("value_at_stake", "decimal"),
    )
    """The columns of :meth:`to_records` and :meth:`to_frame`, in order, with their kinds."""

    rows: tuple[_Risk, ...]
    horizon: float
    unit: str
    model: str
    rank_by: str

    def __len__(self) -> int:
        return len(self.rows)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per customer, most at risk first: rank, customer_id, p_alive, ... value_at_stake.

        ``p_alive`` and ``expected_purchases`` are floats, ``expected_spend``
        (per purchase) and ``value_at_stake`` Decimals to the cent.
        """
        return [
            {
                "rank": row.rank,
                "customer_id": row.customer_id,
                "p_alive": row.p_alive,
                "expected_purchases": row.expected_purchases,
                "expected_spend": row.expected_spend,
                "value_at_stake": row.value_at_stake,
            }
            for row in self.rows
        ]

    def to_frame(self, backend: str = "pandas", *, money: str = "decimal") -> Any:
        """The list as a DataFrame of ``backend``: "pandas", "polars" or "pyarrow".

        One row per customer, most at risk first, the columns of
        :meth:`to_records` in order and typed (``p_alive`` and
        ``expected_purchases`` float64; the money exact decimal columns unless
        ``money="float"`` makes them float64). Needs the library
        (:class:`~salesflow.errors.MissingExtra` names the extra to install).
        """
        return records_to_frame(
            self.to_records(), columns=self.COLUMNS, backend=backend, money=money
        )


def churn_risk(
    customers: ModelInput,
    *,
    model: PurchaseModel,
    spend: GammaGamma,
    horizon: float,
    rank_by: str = "p_alive",
) -> ChurnRisk:
    """The churn-risk list of ``customers`` (``model.churn_risk`` documents it).

    Per customer: ``p_alive`` from ``model`` (a fitted BG/NBD, MBG/NBD or Pareto/NBD)
    at the end of calibration; ``expected_purchases`` in the next ``horizon``
    time units (the table's unit); ``expected_spend`` per purchase from
    ``spend`` (a fitted Gamma-Gamma); and ``value_at_stake`` = expected spend
    times expected purchases, to the cent (ROUND_HALF_EVEN). Ranked by
    P(alive), lowest first, equal P(alive) by the larger value at stake
    (``rank_by="p_alive"``); or the likely gone (P(alive) < 0.5) by the larger
    value at stake, then the rest by P(alive) (``rank_by="value_at_stake"``);
    ties by customer id (ints before strings), so the list never depends on
    the table's order.

    Refuses anything but a :class:`ModelInput` with monetary values, a
    ``model`` or ``spend`` of another kind, a model fitted in another time
    unit than the table's, a negative or non-finite ``horizon`` and an unknown
    ``rank_by``; the
    expected spend is undefined (``UndefinedMetric``) when Gamma-Gamma's
    q is at most 1.
    """
    if not isinstance(customers, ModelInput):
        raise InvalidType("customers", customers, "a ModelInput (see model_input)")
    if not isinstance(model, PurchaseModel):
        raise InvalidType("model", model, "a fitted BG/NBD, MBG/NBD or Pareto/NBD model")
    if not isinstance(spend, GammaGamma):
        raise InvalidType(
            "spend", spend, "a fitted Gamma-Gamma model (fit(..., model='gamma_gamma'))"
        )
    if not isinstance(rank_by, str) or rank_by not in _RANKINGS:
        raise InvalidField("rank_by", rank_by, "'p_alive' or 'value_at_stake'")
    if model.unit != customers.unit:
        raise InvalidField(
            "customers.unit", customers.unit, f"the model's time unit ({model.unit!r})"
        )
    length = _horizon("horizon", horizon)
    per_purchase = spend.expected_spend(customers)
    alive = model.p_alive(customers)
    purchases = model.expected_purchases(length, customers)
    unranked = []
    for cid, p, n, amount in zip(
        customers.customer_ids, alive, purchases, per_purchase, strict=True
    ):
        stake = (amount * Decimal(repr(float(n)))).quantize(_CENT, rounding=ROUND_HALF_EVEN)
        unranked.append((cid, float(p), float(n), amount, stake))
    if rank_by == "p_alive":
        unranked.sort(key=lambda row: (row[1], -row[4], isinstance(row[0], str), row[0]))
    else:
        unranked.sort(
            key=lambda row: (
                row[1] >= 0.5,
                -row[4] if row[1] < 0.5 else 0,
                row[1],
                -row[4],
                isinstance(row[0], str),
                row[0],
            )
        )
    rows = tuple(_Risk(rank, *row) for rank, row in enumerate(unranked, start=1))
    return ChurnRisk(
        rows=rows, horizon=length, unit=customers.unit, model=model.NAME, rank_by=rank_by
    )
