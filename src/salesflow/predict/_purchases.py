"""What BG/NBD, MBG/NBD and Pareto/NBD share: predicted CLV and the churn-risk list."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, overload

from salesflow.predict._counts import count_values
from salesflow.predict._fitting import customers_table
from salesflow.predict._numeric import FloatArray, horizon, np
from salesflow.predict.inputs import ModelInput

if TYPE_CHECKING:
    from salesflow.predict._churn import ChurnRisk
    from salesflow.predict._pictures import AliveMatrix
    from salesflow.predict._spend import GammaGamma

__all__ = ["PurchaseModel"]


class PurchaseModel:
    """The base of the fitted purchase models: what each predicts, and what follows from it."""

    __slots__ = ()
    NAME: ClassVar[str]
    unit: str

    def p_alive(self, customers: ModelInput) -> FloatArray:
        raise NotImplementedError  # pragma: no cover - every model defines it

    def expected_purchases(self, t: float, customers: ModelInput) -> FloatArray:
        raise NotImplementedError  # pragma: no cover - every model defines it

    def _counts(self, n: FloatArray, t: float, customers: ModelInput | None) -> FloatArray:
        """P(X(t) = n) of a new customer (``customers`` None: one value per n) or, per
        customer of ``customers`` known to be alive at the end of calibration, one row
        per customer and one column per n."""
        raise NotImplementedError  # pragma: no cover - every model defines it

    @overload
    def probability_of_purchases(self, n: int, t: float, customers: None = None) -> float: ...

    @overload
    def probability_of_purchases(
        self, n: Iterable[int], t: float, customers: None = None
    ) -> FloatArray: ...

    @overload
    def probability_of_purchases(
        self, n: int | Iterable[int], t: float, customers: ModelInput
    ) -> FloatArray: ...

    def probability_of_purchases(self, n: Any, t: Any, customers: Any = None) -> float | FloatArray:
        """P(X(t) = n): the probability of exactly ``n`` purchases in ``t`` time units.

        Without ``customers``: for a newly acquired customer, the number of
        repeat purchases in the ``t`` time units after the first purchase (the
        distribution whose mean is ``expected_cumulative_purchases(t)``); a
        float for one ``n``, an array for a sequence of them. With
        ``customers`` (a :class:`ModelInput`): for each of them, the number of
        purchases in the ``t`` time units after the end of calibration, given
        their history (x, t_x, T) - one value per customer for one ``n``, one
        row per customer and one column per ``n`` for a sequence (the mean of
        the distribution is ``expected_purchases(t, customers)``). ``n`` is a
        whole number from 0 to 1,000,000,000 (at most 10,000 of them); ``t`` a
        number of time units in the table's unit, at least 0. Each value is a
        probability, finite and between 0 and 1.
        """
        counts, single = count_values("n", n)
        length = horizon("t", t)
        if customers is None:
            values = self._counts(counts, length, None)
        else:
            table = customers_table(customers)
            alive = self.p_alive(table)[:, None]
            # Alive at T: the model's process afresh, with the customer's posterior rates;
            # gone: no more purchases.
            values = alive * self._counts(counts, length, table) + (1 - alive) * (counts == 0)
        # A sum of positive parts can round a hair above 1 (1 + 2e-16): that is rounding.
        result: FloatArray = np.minimum(values, 1.0)
        if customers is None:
            return float(result[0]) if single else result
        return result[:, 0] if single else result

    def _expected_purchases_over(
        self, lengths: Sequence[float], customers: ModelInput
    ) -> Iterator[FloatArray]:
        """``expected_purchases(t, customers)`` for each t of ``lengths`` (checked horizons).

        The models share between the horizons what does not depend on them
        (P(alive), and the hypergeometric terms of each distinct (x, T)), so a
        CLV over many periods costs little more than one horizon.
        """
        for length in lengths:
            yield self.expected_purchases(length, customers)

    def clv(
        self,
        customers: ModelInput,
        *,
        spend: GammaGamma,
        periods: int,
        period_length: float,
        discount_rate: Decimal | int | float | str,
        margin: Decimal | int | float | str = 1,
    ) -> tuple[Decimal, ...]:
        """Each customer's predicted value over ``periods`` periods, to the cent (ROUND_HALF_EVEN).

        ``spend`` is a fitted Gamma-Gamma model; ``period_length`` one period
        in the table's unit (``52 / 12`` weeks for a month) and
        ``discount_rate`` the rate per period. Period k's expected purchases,
        E[X(k L)] - E[X((k-1) L)], times the expected spend per purchase and
        ``margin`` (the share of revenue that is profit, above 0 and at most
        1; 1, the default, gives revenue), are discounted by
        (1 + discount_rate) ** k (the value arrives at the period's end); the
        sum is rounded once. Refuses a unit mismatch, a table without monetary
        values, ``periods`` not a whole number from 1 to 10,000, a
        ``period_length`` not above 0, a negative or non-finite rate, a margin
        outside (0, 1]; undefined (``UndefinedMetric``) when Gamma-Gamma's q <= 1.
        """
        from salesflow.predict._clv import predicted_clv

        return predicted_clv(
            self,
            spend,
            customers,
            periods=periods,
            period_length=period_length,
            discount_rate=discount_rate,
            margin=margin,
        )

    def churn_risk(
        self,
        customers: ModelInput,
        *,
        spend: GammaGamma,
        horizon: float,
        rank_by: str = "p_alive",
    ) -> ChurnRisk:
        """The churn-risk list of ``customers``: most at risk first, with the value at stake.

        Per customer: ``p_alive`` at the end of calibration;
        ``expected_purchases`` in the next ``horizon`` time units (the table's
        unit); ``expected_spend`` per purchase from ``spend`` (a fitted
        Gamma-Gamma); ``value_at_stake`` = expected spend times expected
        purchases, to the cent. ``rank_by="p_alive"`` (the default) puts the
        lowest P(alive) first, equal ones by the larger value at stake;
        ``rank_by="value_at_stake"`` ranks the customers who are more likely
        gone than not (P(alive) < 0.5) by the larger value at stake, then the
        rest by P(alive) - the list to work through when calls are scarce. Ties
        end by customer id (ints before strings), so the list never depends on
        the table's order.
        """
        from salesflow.predict._churn import churn_risk

        return churn_risk(customers, model=self, spend=spend, horizon=horizon, rank_by=rank_by)

    def alive_matrix(
        self,
        *,
        first_to_end: float,
        max_frequency: int,
        max_first_to_last: float | None = None,
    ) -> AliveMatrix:
        """P(alive) by frequency and first-to-last, for customers ``first_to_end`` units old.

        One cell per hypothetical customer whose first purchase was
        ``first_to_end`` time units (the model's unit, at least 1) before the
        end of calibration: frequency 0 with first_to_last 0, and frequency 1
        to ``max_frequency`` (a whole number, 1 to 1,000) with first_to_last
        1, 2, ... whole units up to ``max_first_to_last`` (at least 1, at most
        ``first_to_end``, which it defaults to). ``.to_records()`` gives the
        cells, ``.to_vega_lite()`` and ``.to_altair()`` the heatmap. Refuses
        a grid of more than 50,000 cells.
        """
        from salesflow.predict._pictures import alive_matrix

        return alive_matrix(
            self,
            first_to_end=first_to_end,
            max_frequency=max_frequency,
            max_first_to_last=max_first_to_last,
        )
