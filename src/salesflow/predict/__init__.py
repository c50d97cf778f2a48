"""Customer-base models: who is still a customer, how often they will buy, what they spend.

BG/NBD and Pareto/NBD for purchases, Gamma-Gamma for spend, fitted by maximum
likelihood on the models' per-customer table (:func:`model_input`); sBG for
contractual retention, fitted on a cohort's survivors per period
(:func:`fit_sbg`). Needs the ``predict`` extra (numpy and scipy);
``import salesflow`` never imports it. See docs/predict.md.
"""

from salesflow.predict._bgnbd import fit_bgnbd
from salesflow.predict._pareto import fit_pareto_nbd
from salesflow.predict._sbg import fit_sbg
from salesflow.predict._spend import fit_gamma_gamma
from salesflow.predict.inputs import ModelInput, model_input

__all__ = [
    "ModelInput",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_pareto_nbd",
    "fit_sbg",
    "model_input",
]
