"""Customer-base models: who is still a customer, how often they will buy, what they spend.

Four names. :func:`model_input` turns order records (or a DataFrame) into the
models' per-customer table, :func:`calibration_holdout` splits them to check a
model on a holdout, :func:`fit` fits BG/NBD, MBG/NBD or Pareto/NBD (purchases),
Gamma-Gamma (spend) or sBG (contractual retention) by maximum likelihood, and
:func:`rfm` scores and segments customers. A fitted purchase model predicts
P(alive), expected purchases and the probability of n purchases, and gives
predicted CLV (``.clv``) and the churn-risk list (``.churn_risk``). Needs the
``predict`` extra (numpy and scipy); ``import salesflow`` never imports it.
The types live in :mod:`salesflow.predict.inputs` (``ModelInput``) and
:mod:`salesflow.predict.segments` (the RFM segment table). See docs/predict.md.
"""

from salesflow.predict._fit import fit
from salesflow.predict._holdout import calibration_holdout
from salesflow.predict._rfm import rfm
from salesflow.predict.inputs import model_input

__all__ = [
    "calibration_holdout",
    "fit",
    "model_input",
    "rfm",
]
