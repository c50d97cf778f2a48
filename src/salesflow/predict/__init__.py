"""Customer-base models: who is still a customer, how often they will buy, what they spend.

BG/NBD, MBG/NBD and Pareto/NBD for purchases, Gamma-Gamma for spend, fitted by
maximum likelihood on the models' per-customer table (:func:`model_input`),
checked on a holdout (:func:`calibration_holdout`) and turned into predicted
CLV (:func:`predicted_clv`); sBG for contractual retention, fitted on a
cohort's survivors per period (:func:`fit_sbg`); RFM segments (:func:`rfm`)
and the churn-risk list (:func:`churn_risk`). Needs the ``predict`` extra
(numpy and scipy); ``import salesflow`` never imports it. See docs/predict.md.
"""

from salesflow.predict._bgnbd import fit_bgnbd
from salesflow.predict._churn import churn_risk
from salesflow.predict._clv import predicted_clv
from salesflow.predict._holdout import calibration_holdout
from salesflow.predict._mbgnbd import fit_mbgnbd
from salesflow.predict._pareto import fit_pareto_nbd
from salesflow.predict._rfm import DEFAULT_RFM_SEGMENTS, rfm
from salesflow.predict._sbg import fit_sbg
from salesflow.predict._spend import fit_gamma_gamma
from salesflow.predict.inputs import ModelInput, model_input

__all__ = [
    "DEFAULT_RFM_SEGMENTS",
    "ModelInput",
    "calibration_holdout",
    "churn_risk",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_mbgnbd",
    "fit_pareto_nbd",
    "fit_sbg",
    "model_input",
    "predicted_clv",
    "rfm",
]
