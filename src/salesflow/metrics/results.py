"""The metric result types, for type hints and for reading stored results back.

Every metric returns a :class:`Ratio`, :class:`Score` or :class:`Amount`
(durations: :class:`Durations`); :func:`result_from_dict` rebuilds one from
its ``to_dict()`` document. ``OnEmpty`` is the type of every ``on_empty=``.
"""

from salesflow._durations import Durations
from salesflow._results import Amount, OnEmpty, Ratio, Score, result_from_dict

__all__ = ["Amount", "Durations", "OnEmpty", "Ratio", "Score", "result_from_dict"]
