"""The frame path of the metrics: each metric computed inside the caller's engine (private).

A metric module hands a native table here (see
:func:`salesflow.metrics._read.frames.table`); these modules bind it, audit it
and compute the metric's figures through narwhals, so only aggregates leave
the engine. The records path stays the definition; the law tests
(tests/frames) hold the two equal on every engine.
"""
