"""Bad tables for the lead and history metrics are refused, naming the caller's column.

Where the same rows as records are refused too, the test holds the two
refusals to one rule: the same error class, on the same key
(``leads[2].won_at`` for records, ``leads['won_at']`` for a table).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from frames.conftest import ENGINES
from frames.lead_data import (
    ACTIVITY_SCHEMA,
    DEAL_SCHEMA,
    LEAD_HISTORY_SCHEMA,
    LEAD_SCHEMA,
    ORDER_HISTORY_SCHEMA,
    SURVEY_SCHEMA,
    T0,
    TIME,
    tables,
)
from salesflow import CurrencyMismatch, InvalidField, InvalidType, SalesflowError
from salesflow.metrics import (
    lead_conversion_rate,
    manager_kpis,
    sales_cycle_length,
    time_in_lead_stages,
    time_in_status,
)

WITHOUT_SPARK = tuple(engine for engine in ENGINES if engine != "spark")
NOW = T0 + timedelta(days=40)
# The refusals are made on the audit's aggregates, alike on every engine; Spark's
# case would cost a second a query and repeat them.
on_tables = pytest.mark.parametrize("engine", WITHOUT_SPARK)


def at(hours: float) -> Any:
    return T0 + timedelta(hours=hours)


def refusal(call: Any) -> SalesflowError:
    with pytest.raises(SalesflowError) as caught:
        call()
    return caught.value


def same_rule(records: Any, framed: Any, key: str) -> SalesflowError:
    """The table's refusal, after checking the records are refused alike on ``key``."""
    by_records, by_table = refusal(records), refusal(framed)
    assert type(by_table) is type(by_records)
    assert isinstance(by_records, InvalidField)
    assert by_records.field.endswith(f".{key}")
    assert isinstance(by_table, InvalidField)
    assert by_table.field == f"leads[{key!r}]"
    return by_table


# -- lead records ------------------------------------------------------------------------------


def lead(**changes: Any) -> dict[str, Any]:
    row = {
        "lead_id": "L-1",
        "created_at": at(0),
        "won_at": None,
        "lost": False,
        "qualified": True,
        "intro_call": False,
        "demo_after_intro_call": False,
        "demo": False,
        "lost_after_demo": False,
    }
    return row | changes


@on_tables
def test_a_lead_table_without_won_at_is_refused_naming_the_column(to_table: Any) -> None:
    schema = {key: kind for key, kind in LEAD_SCHEMA.items() if key != "won_at"}
    rows = [{key: value for key, value in lead().items() if key != "won_at"}]

    error = refusal(lambda: lead_conversion_rate(to_table(rows, schema=schema)))

    assert isinstance(error, InvalidField)
    assert error.field == "leads['won_at']"
    assert "a column named 'won_at'" in error.expected


@on_tables
def test_a_win_before_the_creation_is_refused_as_in_records(to_table: Any) -> None:
    rows = [lead(), lead(lead_id="L-2", created_at=at(5), won_at=at(2))]

    error = same_rule(
        lambda: sales_cycle_length(rows),
        lambda: sales_cycle_length(to_table(rows, schema=LEAD_SCHEMA)),
        "won_at",
    )

    assert error.value == at(2)
    assert error.expected == f"a moment not before created_at ({at(5).isoformat()})"


@on_tables
def test_a_lead_both_won_and_lost_is_refused_as_in_records(to_table: Any) -> None:
    rows = [lead(won_at=at(3), lost=True)]

    same_rule(
        lambda: sales_cycle_length(rows),
        lambda: sales_cycle_length(to_table(rows, schema=LEAD_SCHEMA)),
        "lost",
    )


@on_tables
def test_a_lead_id_given_twice_is_refused_as_in_records(to_table: Any) -> None:
    rows = [lead(), lead(lead_id=None), lead()]

    error = same_rule(
        lambda: lead_conversion_rate(rows),
        lambda: lead_conversion_rate(to_table(rows, schema=LEAD_SCHEMA)),
        "lead_id",
    )

    assert error.value == "L-1"


@on_tables
def test_an_empty_lead_id_is_refused_as_in_records(to_table: Any) -> None:
    rows = [lead(lead_id="")]

    same_rule(
        lambda: lead_conversion_rate(rows),
        lambda: lead_conversion_rate(to_table(rows, schema=LEAD_SCHEMA)),
        "lead_id",
    )


@on_tables
def test_a_missing_qualification_is_refused_as_in_records(to_table: Any) -> None:
    rows = [lead(), lead(lead_id="L-2", qualified=None)]

    error = same_rule(
        lambda: lead_conversion_rate(rows, variant="qualified"),
        lambda: lead_conversion_rate(to_table(rows, schema=LEAD_SCHEMA), variant="qualified"),
        "qualified",
    )

    assert isinstance(error, InvalidType)


@on_tables
def test_a_demo_after_an_intro_call_without_the_call_is_refused_as_in_records(
    to_table: Any,
) -> None:
    rows = [lead(demo_after_intro_call=True)]

    same_rule(
        lambda: lead_conversion_rate(rows, variant="demo_after_intro_call"),
        lambda: lead_conversion_rate(
            to_table(rows, schema=LEAD_SCHEMA), variant="demo_after_intro_call"
        ),
        "intro_call",
    )


@on_tables
def test_a_lead_created_after_now_is_refused_as_in_records(to_table: Any) -> None:
    rows = [lead(created_at=NOW + timedelta(seconds=1))]

    error = same_rule(
        lambda: lead_conversion_rate(rows, now=NOW),
        lambda: lead_conversion_rate(to_table(rows, schema=LEAD_SCHEMA), now=NOW),
        "created_at",
    )

    assert error.value == NOW + timedelta(seconds=1)


@on_tables
def test_a_naive_time_column_is_refused_unless_its_zone_is_stated(to_table: Any) -> None:
    rows = [lead(created_at=at(0).replace(tzinfo=None))]
    schema = LEAD_SCHEMA | {"created_at": pa.timestamp("us")}

    error = refusal(lambda: sales_cycle_length(to_table(rows, schema=schema)))

    assert isinstance(error, InvalidField)
    assert error.field == "leads['created_at']"
    assert "naive_zone=" in error.expected
    assert sales_cycle_length(to_table(rows, schema=schema), naive_zone="UTC").still_open == 1


@on_tables
def test_a_refusal_names_the_column_the_caller_mapped(to_table: Any) -> None:
    rows = [{"opened": at(5), "closed": at(1)}]
    schema = {"opened": TIME, "closed": TIME}

    error = refusal(
        lambda: sales_cycle_length(
            to_table(rows, schema=schema), columns={"created_at": "opened", "won_at": "closed"}
        )
    )

    assert isinstance(error, InvalidField)
    assert error.field == "leads['closed']"


def test_columns_are_refused_with_records() -> None:
    error = refusal(lambda: sales_cycle_length([lead()], columns={"won_at": "closed"}))

    assert isinstance(error, InvalidField)
    assert error.field == "columns"


# -- manager KPIs ------------------------------------------------------------------------------


def deal(**changes: Any) -> dict[str, Any]:
    row = {
        "lead_id": "L-1",
        "manager": "sam",
        "created_at": at(0),
        "won_at": at(2),
        "revenue": Decimal("120.00"),
        "currency": "EUR",
        "cost": None,
    }
    return row | changes


@on_tables
def test_a_won_lead_without_revenue_is_refused_as_in_records(to_table: Any) -> None:
    rows = [deal(), deal(lead_id="L-2", revenue=None)]

    same_rule(
        lambda: manager_kpis(rows),
        lambda: manager_kpis(to_table(rows, schema=DEAL_SCHEMA)),
        "revenue",
    )


@on_tables
def test_a_table_with_a_won_lead_needs_a_revenue_column(to_table: Any) -> None:
    schema = {key: kind for key, kind in DEAL_SCHEMA.items() if key != "revenue"}
    rows = [{key: value for key, value in deal().items() if key != "revenue"}]

    error = refusal(lambda: manager_kpis(to_table(rows, schema=schema)))

    assert isinstance(error, InvalidField)
    assert error.field == "leads['revenue']"
    assert "a column named 'revenue'" in error.expected


@on_tables
def test_a_table_without_a_won_lead_needs_no_money_columns(to_table: Any) -> None:
    rows = [{"manager": "sam", "won_at": None}]
    schema = {"manager": pa.string(), "won_at": TIME}

    got = manager_kpis(to_table(rows, schema=schema), currency="EUR")

    assert got == manager_kpis(rows, currency="EUR")


@on_tables
def test_without_a_currency_anywhere_the_kpis_are_refused_as_for_records(to_table: Any) -> None:
    rows = [{"manager": "sam", "won_at": None}]
    schema = {"manager": pa.string(), "won_at": TIME}

    by_table = refusal(lambda: manager_kpis(to_table(rows, schema=schema)))

    assert str(by_table) == str(refusal(lambda: manager_kpis(rows)))


@on_tables
def test_a_float_revenue_column_is_refused_naming_it(to_table: Any) -> None:
    rows = [deal(revenue=120.5)]

    error = refusal(
        lambda: manager_kpis(to_table(rows, schema=DEAL_SCHEMA | {"revenue": pa.float64()}))
    )

    assert isinstance(error, InvalidField)
    assert error.field == "leads['revenue']"
    assert "amount_scale=" in error.expected


@on_tables
def test_a_negative_revenue_is_refused_as_in_records(to_table: Any) -> None:
    rows = [deal(revenue=Decimal("-1.00"))]

    same_rule(
        lambda: manager_kpis(rows),
        lambda: manager_kpis(to_table(rows, schema=DEAL_SCHEMA)),
        "revenue",
    )


@on_tables
def test_two_currencies_are_refused_as_in_records(to_table: Any) -> None:
    rows = [deal(), deal(lead_id="L-2", currency="USD")]

    error = same_rule(
        lambda: manager_kpis(rows),
        lambda: manager_kpis(to_table(rows, schema=DEAL_SCHEMA)),
        "currency",
    )

    assert isinstance(error, CurrencyMismatch)


@on_tables
def test_a_margin_of_some_deals_only_is_refused_as_in_records(to_table: Any) -> None:
    rows = [deal(cost=Decimal("50.00")), deal(lead_id="L-2", manager=" sam")]

    error = same_rule(
        lambda: manager_kpis(rows),
        lambda: manager_kpis(to_table(rows, schema=DEAL_SCHEMA)),
        "cost",
    )

    assert "'sam'" in error.expected


@on_tables
def test_a_blank_manager_is_refused_as_in_records(to_table: Any) -> None:
    rows = [deal(manager="  ")]

    same_rule(
        lambda: manager_kpis(rows),
        lambda: manager_kpis(to_table(rows, schema=DEAL_SCHEMA)),
        "manager",
    )


@on_tables
def test_an_unknown_activity_kind_is_refused_naming_the_column(to_table: Any) -> None:
    rows = [{"manager": "sam", "kind": "lunch", "at": at(1)}]

    error = refusal(
        lambda: manager_kpis(activities=to_table(rows, schema=ACTIVITY_SCHEMA), currency="EUR")
    )

    assert isinstance(error, InvalidField)
    assert error.field == "activities['kind']"
    assert error.value == "lunch"


@on_tables
def test_a_blank_activity_manager_is_refused_naming_the_column(to_table: Any) -> None:
    rows = [{"manager": " ", "kind": "call", "at": at(1)}]

    error = refusal(
        lambda: manager_kpis(activities=to_table(rows, schema=ACTIVITY_SCHEMA), currency="EUR")
    )

    assert isinstance(error, InvalidField)
    assert error.field == "activities['manager']"


@on_tables
def test_an_activity_after_now_is_refused_naming_the_column(to_table: Any) -> None:
    rows = [{"manager": "sam", "kind": "call", "at": NOW + timedelta(hours=1)}]

    error = refusal(
        lambda: manager_kpis(
            activities=to_table(rows, schema=ACTIVITY_SCHEMA), currency="EUR", now=NOW
        )
    )

    assert isinstance(error, InvalidField)
    assert error.field == "activities['at']"


def survey(**changes: Any) -> dict[str, Any]:
    return {"manager": "sam", "lead_id": None, "score": 4, "at": at(3)} | changes


@on_tables
def test_a_score_off_the_scale_is_refused_naming_the_column(to_table: Any) -> None:
    rows = [survey(), survey(score=7)]

    error = refusal(
        lambda: manager_kpis(surveys=to_table(rows, schema=SURVEY_SCHEMA), currency="EUR")
    )

    assert isinstance(error, InvalidField)
    assert error.field == "surveys['score']"
    assert error.value == 7


@on_tables
def test_an_answer_naming_nobody_is_refused_naming_the_column(to_table: Any) -> None:
    rows = [survey(manager=None)]

    error = refusal(
        lambda: manager_kpis(surveys=to_table(rows, schema=SURVEY_SCHEMA), currency="EUR")
    )

    assert isinstance(error, InvalidField)
    assert error.field == "surveys['manager']"


@on_tables
def test_an_answer_for_an_unknown_lead_is_refused_naming_the_column(engine: str) -> None:
    leads, answers = tables(
        engine,
        None,
        ([deal()], DEAL_SCHEMA),
        ([survey(manager=None, lead_id="L-9")], SURVEY_SCHEMA),
    )

    error = refusal(lambda: manager_kpis(leads, surveys=answers))

    assert isinstance(error, InvalidField)
    assert error.field == "surveys['lead_id']"
    assert error.value == "L-9"


@on_tables
def test_tables_and_records_do_not_mix(to_table: Any) -> None:
    error = refusal(
        lambda: manager_kpis(
            to_table([deal()], schema=DEAL_SCHEMA),
            activities=[{"manager": "sam", "kind": "call", "at": at(1)}],
        )
    )

    assert isinstance(error, InvalidType)
    assert error.field == "activities"


@on_tables
def test_ownerships_are_refused_with_tables(to_table: Any) -> None:
    error = refusal(lambda: manager_kpis(to_table([deal()], schema=DEAL_SCHEMA), ownerships=[]))

    assert isinstance(error, InvalidField)
    assert error.field == "ownerships"


def test_table_column_mappings_are_refused_with_records() -> None:
    error = refusal(lambda: manager_kpis([deal()], activity_columns={"at": "when"}))

    assert isinstance(error, InvalidField)
    assert error.field == "activity_columns"


@pytest.mark.parametrize("engine", ["duckdb"])
def test_answers_in_another_duckdb_connection_are_refused(engine: str, to_table: Any) -> None:
    leads = to_table([deal()], schema=DEAL_SCHEMA)
    answers = to_table([survey(manager=None, lead_id="L-1")], schema=SURVEY_SCHEMA)

    error = refusal(lambda: manager_kpis(leads, surveys=answers))

    assert isinstance(error, InvalidType)
    assert error.field == "surveys"


# -- histories ---------------------------------------------------------------------------------


def changes(
    *moves: tuple[str, float], key: str = "N-1", version: bool = True
) -> list[dict[str, Any]]:
    return [
        {"order_id": key, "status": status, "at": at(hours)} | ({"version": n} if version else {})
        for n, (status, hours) in enumerate(moves, start=1)
    ]


def status_refusal(to_table: Any, rows: list[dict[str, Any]], **schema: Any) -> InvalidField:
    error = refusal(
        lambda: time_in_status(to_table(rows, schema=ORDER_HISTORY_SCHEMA | schema), now=NOW)
    )
    assert isinstance(error, InvalidField)
    return error


@on_tables
def test_an_order_that_does_not_start_received_is_refused(to_table: Any) -> None:
    error = status_refusal(to_table, changes(("processing", 0)))

    assert error.field == "orders['status']"
    assert error.value == "processing"
    assert "'received' in the first row of each order" in error.expected


@on_tables
def test_a_move_the_lifecycle_does_not_allow_is_refused(to_table: Any) -> None:
    error = status_refusal(to_table, changes(("received", 0), ("shipped", 1)))

    assert error.field == "orders['status']"
    assert error.value == "shipped"
    assert "from received, one of cancelled, processing" in error.expected


@on_tables
def test_a_resume_to_another_status_than_the_one_delayed_is_refused(to_table: Any) -> None:
    rows = changes(("received", 0), ("processing", 1), ("delayed", 2), ("picking", 3))

    error = status_refusal(to_table, rows)

    assert error.value == "picking"
    assert "delayed (interrupting processing), one of cancelled, delayed, processing" in (
        error.expected
    )


@on_tables
def test_a_change_after_a_final_status_is_refused(to_table: Any) -> None:
    rows = changes(("received", 0), ("cancelled", 1), ("processing", 2))

    error = status_refusal(to_table, rows)

    assert error.value == "processing"
    assert "nothing after cancelled" in error.expected


@on_tables
def test_an_unknown_status_is_refused(to_table: Any) -> None:
    error = status_refusal(to_table, changes(("received", 0), ("lost", 1)))

    assert error.field == "orders['status']"
    assert error.value == "lost"


@on_tables
def test_two_changes_at_one_instant_without_versions_are_refused(to_table: Any) -> None:
    rows = changes(("received", 0), ("processing", 1), ("cancelled", 1), version=False)
    schema = {key: kind for key, kind in ORDER_HISTORY_SCHEMA.items() if key != "version"}

    error = refusal(lambda: time_in_status(to_table(rows, schema=schema), now=NOW))

    assert isinstance(error, InvalidField)
    assert error.field == "orders['at']"
    assert error.value == at(1)
    assert "version" in error.expected


@on_tables
def test_a_version_given_twice_is_refused(to_table: Any) -> None:
    rows = changes(("received", 0), ("processing", 1), ("picking", 2))
    rows[2]["version"] = 2

    error = status_refusal(to_table, rows)

    assert error.field == "orders['version']"
    assert error.value == 2


@on_tables
def test_a_change_earlier_than_the_one_before_it_is_refused(to_table: Any) -> None:
    error = status_refusal(to_table, changes(("received", 2), ("processing", 1)))

    assert error.field == "orders['at']"
    assert error.value == at(1)


@on_tables
def test_a_change_after_now_is_refused_naming_the_column(to_table: Any) -> None:
    rows = changes(("received", 0), ("processing", 40 * 24 + 1))

    error = status_refusal(to_table, rows)

    assert error.field == "orders['at']"
    assert error.value == NOW + timedelta(hours=1)


@on_tables
def test_a_change_without_a_time_is_refused(to_table: Any) -> None:
    rows = changes(("received", 0), ("processing", 1))
    rows[1]["at"] = None

    error = status_refusal(to_table, rows)

    assert error.field == "orders['at']"
    assert "1 rows have none" in error.expected


@on_tables
def test_a_history_table_without_a_status_column_is_refused(to_table: Any) -> None:
    rows = [{"order_id": "N-1", "at": at(0)}]

    error = refusal(
        lambda: time_in_status(
            to_table(rows, schema={"order_id": pa.string(), "at": TIME}), now=NOW
        )
    )

    assert isinstance(error, InvalidField)
    assert error.field == "orders['status']"


def stages(*moves: tuple[str, float]) -> list[dict[str, Any]]:
    return [
        {"lead_id": "L-1", "stage": stage, "at": at(hours), "version": n}
        for n, (stage, hours) in enumerate(moves, start=1)
    ]


@on_tables
def test_a_lead_reactivated_to_another_stage_than_it_was_lost_from_is_refused(
    to_table: Any,
) -> None:
    rows = stages(("awareness", 0), ("interest", 1), ("lost", 2), ("awareness", 3))

    error = refusal(
        lambda: time_in_lead_stages(to_table(rows, schema=LEAD_HISTORY_SCHEMA), now=NOW)
    )

    assert isinstance(error, InvalidField)
    assert error.field == "leads['stage']"
    assert "lost (interrupting interest), one of interest" in error.expected


@on_tables
def test_a_lead_changed_after_now_is_refused_as_for_leads(to_table: Any) -> None:
    rows = stages(("awareness", 0), ("interest", 40 * 24 + 2))

    error = refusal(
        lambda: time_in_lead_stages(to_table(rows, schema=LEAD_HISTORY_SCHEMA), now=NOW)
    )

    assert isinstance(error, InvalidField)
    assert error.field == "now"
    assert f"lead 'L-1' changed at {(NOW + timedelta(hours=2)).isoformat()}" in error.expected


@on_tables
def test_a_fast_track_in_a_stage_table_is_taken_as_recorded(to_table: Any) -> None:
    # A fast track needs a qualification, an event the stage table does not carry.
    rows = stages(("awareness", 0), ("decision", 1))

    times = time_in_lead_stages(to_table(rows, schema=LEAD_HISTORY_SCHEMA), now=at(3))

    assert times["awareness"].total == timedelta(hours=1)
    assert times["decision"].total == timedelta(hours=2)
