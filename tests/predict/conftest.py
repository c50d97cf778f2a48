"""The CDNOW cohort (tests/data/README.md), read once per session."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from salesflow.predict.inputs import ModelInput

CDNOW = Path(__file__).parent.parent / "data" / "cdnow_summary.csv"


@pytest.fixture(scope="session")
def cdnow() -> ModelInput:
    with CDNOW.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return ModelInput(
        frequency=[int(row["x"]) for row in rows],
        first_to_last=[float(row["t_x"]) for row in rows],
        first_to_end=[float(row["T"]) for row in rows],
        monetary_value=[Decimal(row["zbar"]) if int(row["x"]) else None for row in rows],
        customer_ids=[row["ID"] for row in rows],
        unit="weeks",
    )
