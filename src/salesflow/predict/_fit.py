"""One way in to every model: ``fit(data, model=...)`` picks the maximum-likelihood fit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Literal, overload

from salesflow.errors import InvalidField, InvalidType
from salesflow.predict._bgnbd import BGNBD, fit_bgnbd
from salesflow.predict._mbgnbd import MBGNBD, fit_mbgnbd
from salesflow.predict._pareto import ParetoNBD, fit_pareto_nbd
from salesflow.predict._sbg import ShiftedBetaGeometric, fit_sbg
from salesflow.predict._spend import GammaGamma, fit_gamma_gamma

__all__ = ["MODELS", "fit"]

_FITS: Final[dict[str, Callable[[Any], Any]]] = {
    "bgnbd": fit_bgnbd,
    "mbgnbd": fit_mbgnbd,
    "pareto_nbd": fit_pareto_nbd,
    "gamma_gamma": fit_gamma_gamma,
    "sbg": fit_sbg,
}
#: The models ``fit`` knows, by the name it takes.
MODELS: Final = tuple(_FITS)


@overload
def fit(data: Any, *, model: Literal["bgnbd"]) -> BGNBD: ...
@overload
def fit(data: Any, *, model: Literal["mbgnbd"]) -> MBGNBD: ...
@overload
def fit(data: Any, *, model: Literal["pareto_nbd"]) -> ParetoNBD: ...
@overload
def fit(data: Any, *, model: Literal["gamma_gamma"]) -> GammaGamma: ...
@overload
def fit(data: Any, *, model: Literal["sbg"]) -> ShiftedBetaGeometric: ...
@overload
def fit(
    data: Any, *, model: str
) -> BGNBD | MBGNBD | ParetoNBD | GammaGamma | ShiftedBetaGeometric: ...


def fit(data: Any, *, model: str) -> BGNBD | MBGNBD | ParetoNBD | GammaGamma | ShiftedBetaGeometric:
    """``model`` fitted to ``data`` by maximum likelihood.

    - ``"bgnbd"``, ``"mbgnbd"``, ``"pareto_nbd"`` (purchases) and
      ``"gamma_gamma"`` (spend per purchase, on the customers with repeat
      purchases) read the models' per-customer table, a :class:`ModelInput`
      from :func:`model_input` or :func:`calibration_holdout`;
    - ``"sbg"`` (contractual retention) reads one cohort's counts alive per
      period: whole numbers, period 0 first, never increasing.

    The fit carries the parameters by their published names, the
    log-likelihood, standard errors from the Hessian (None when they cannot be
    had) and ``convergence``: a fit that did not converge is still returned
    and says so there. Refuses an unknown ``model`` (listing the known ones)
    and data the model cannot read, naming it ``data``.

    >>> fit([1000, 631, 468, 382, 326], model="sbg").retention_rate(1).round(3).tolist()  # fitted, not observed
    [0.629]
    """
    if not isinstance(model, str):
        raise InvalidType("model", model, f"a model name, one of {', '.join(MODELS)}")
    chosen = _FITS.get(model)
    if chosen is None:
        raise InvalidField("model", model, f"one of {', '.join(MODELS)}")
    try:
        fitted: BGNBD | MBGNBD | ParetoNBD | GammaGamma | ShiftedBetaGeometric = chosen(data)
    except (InvalidType, InvalidField) as error:
        raise _renamed(error) from None
    return fitted


def _renamed(error: InvalidType | InvalidField) -> InvalidType | InvalidField:
    """``error`` naming the caller's ``data`` where the fit named its own argument."""
    if type(error) not in (InvalidType, InvalidField):
        return error  # a subclass (a currency mismatch, say) keeps its own wording
    field = error.field
    for own in ("customers", "survivors"):
        if field == own or field.startswith((own + "[", own + ".")):
            return type(error)(
                "data" + field[len(own) :], error.value, error.expected, context=error.context
            )
    return error
