"""Order records: the input contract of the record-based metrics, and its refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import place
from salesflow import CurrencyMismatch, InvalidField, InvalidType, Money
from salesflow.metrics._records import OrderRecord
from salesflow.metrics.cohorts import cohort_retention
from salesflow.metrics.summary import customer_summary
from salesflow.orders import OrderStatus

NOW = datetime(2026, 12, 31, tzinfo=UTC)
JAN = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


class Stamp(datetime):
    """Stands in for pandas.Timestamp, which is a datetime subclass."""


def stamp(moment: datetime) -> Stamp:
    return Stamp(
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        moment.microsecond,
        tzinfo=moment.tzinfo,
        fold=moment.fold,
    )


class Once:
    """An iterable that refuses a second pass, as a generator over a file would."""

    def __init__(self, rows):
        self.rows = rows
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        if self.passes > 1:
            raise AssertionError("the rows were iterated twice")
        return iter(self.rows)


def row(**changes):
    base = {
        "order_id": "1001",
        "customer_id": "ada",
        "placed_at": JAN,
        "amount": Decimal("20.00"),
        "currency": "EUR",
    }
    return {**base, **changes}


def good_rows():
    return [
        row(order_id="1", customer_id="ada", placed_at=JAN),
        row(order_id="2", customer_id="bob", placed_at=JAN + timedelta(days=1)),
        row(order_id="3", customer_id="ada", placed_at=JAN + timedelta(days=40)),
    ]


def refused(rows, error=InvalidField):
    with pytest.raises(error) as caught:
        customer_summary(rows, now=NOW)
    return caught.value


# -- what is accepted -----------------------------------------------------------------


def test_plain_dicts_as_from_a_dataframe_are_read():
    summary = customer_summary(good_rows(), now=NOW)

    assert list(summary) == ["ada", "bob"]
    assert summary["ada"].orders == 2
    assert summary["ada"].total_spend == Money("40.00", "EUR")


def test_a_generator_is_read_once_and_only_once():
    rows = Once(good_rows())

    summary = customer_summary(rows, now=NOW)
    table = cohort_retention(Once(good_rows()), zone="UTC")

    assert rows.passes == 1
    assert summary["ada"].orders == 2
    assert table.customers == 2


def test_a_pandas_timestamp_an_iso_string_and_another_zone_mean_the_same_instant():
    berlin = JAN.astimezone(ZoneInfo("Europe/Berlin"))
    forms = [JAN, stamp(JAN), JAN.isoformat(), berlin, stamp(berlin), "2026-01-10T13:00:00+01:00"]

    summaries = [
        customer_summary([row(placed_at=form)], now=NOW)["ada"].first_purchase for form in forms
    ]

    assert summaries == [JAN] * len(forms)
    assert all(type(moment) is datetime for moment in summaries)


def test_money_may_be_a_decimal_an_int_or_a_decimal_string():
    rows = [
        row(order_id="1", amount=Decimal("1.50")),
        row(order_id="2", amount=2),
        row(order_id="3", amount=" 3.25 "),
    ]

    summary = customer_summary(rows, now=NOW)

    assert summary["ada"].total_amount == Decimal("6.75")


def test_int_ids_are_kept_as_ints_and_sorted_before_string_ids():
    rows = [row(customer_id="b"), row(customer_id=10), row(customer_id=2), row(customer_id="a")]

    summary = customer_summary(rows, now=NOW)

    assert list(summary) == [2, 10, "a", "b"]


def test_order_records_orders_and_read_only_mappings_are_records_too():
    order = place("1001").order
    record = OrderRecord.from_mapping(row(order_id="2", customer_id=order.customer.id))
    rows = [order, record, MappingProxyType(row(order_id="3", customer_id=order.customer.id))]

    summary = customer_summary(rows, now=NOW)

    assert summary[order.customer.id].orders == 3
    assert summary[order.customer.id].total_spend == order.amount_due + Money("40.00", "EUR")


def test_extra_keys_are_ignored():
    summary = customer_summary([row(channel="web", sku_count=3)], now=NOW)

    assert summary["ada"].orders == 1


def test_cancelled_orders_are_checked_then_left_out():
    rows = [*good_rows(), row(order_id="9", customer_id="cy", status="cancelled")]

    summary = customer_summary(rows, now=NOW)
    table = cohort_retention(rows, zone="UTC")

    assert "cy" not in summary
    assert table.customers == 2
    with pytest.raises(InvalidField, match=r"orders\[0\]\.amount"):
        customer_summary([row(status="cancelled", amount=Decimal(-1))], now=NOW)


def test_a_discount_is_subtracted_for_net_spend_and_ignored_for_gross():
    rows = [row(discount=Decimal("5.00"), status="delivered"), row(order_id="2", discount=None)]

    net = customer_summary(rows, now=NOW)
    gross = customer_summary(rows, now=NOW, basis="gross")

    assert net["ada"].total_spend == Money("35.00", "EUR")
    assert gross["ada"].total_spend == Money("40.00", "EUR")


def test_each_metric_reads_only_the_keys_it_needs():
    rows = [{"customer_id": "ada", "placed_at": JAN}, {"customer_id": "bob", "placed_at": JAN}]

    table = cohort_retention(rows, zone="UTC")

    assert table.customers == 2
    with pytest.raises(InvalidField, match=r"orders\[0\]\.order_id: got None, expected a value"):
        customer_summary(rows, now=NOW)


# -- what is refused, named by row and key -------------------------------------------------


def test_a_naive_time_is_refused_naming_the_row_and_the_key():
    rows = [*good_rows(), row(placed_at=datetime(2026, 1, 1, 12, 0))]

    error = refused(rows, InvalidType)

    assert str(error) == (
        "orders[3].placed_at: got datetime.datetime(2026, 1, 1, 12, 0), "
        "expected a timezone-aware datetime (this one is naive)"
    )


def test_a_missing_key_is_refused_naming_the_row_and_the_key():
    rows = good_rows()
    del rows[1]["customer_id"]

    error = refused(rows)

    assert str(error) == "orders[1].customer_id: got None, expected a value (it is missing)"
    assert error.field == "orders[1].customer_id"


def test_a_float_amount_is_refused_and_the_message_says_how_to_convert_it():
    error = refused([*good_rows(), row(amount=19.99)], InvalidType)

    assert error.field == "orders[3].amount"
    assert "floats are inexact" in str(error)
    assert "Decimal(str(x))" in str(error)


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"amount": Decimal("-0.01")}, "amount", "an amount of at least 0"),
        ({"amount": Decimal("NaN")}, "amount", "a finite number"),
        ({"amount": "Infinity"}, "amount", "a finite number"),
        ({"amount": "12,50"}, "amount", "a decimal number"),
        ({"amount": True}, "amount", "floats are inexact"),
        ({"discount": Decimal("25")}, "discount", "at most the amount (20.00)"),
        ({"discount": -1}, "discount", "at least 0"),
        ({"discount": 0.5}, "discount", "floats are inexact"),
        ({"currency": "EURO"}, "currency", "ISO 4217"),
        ({"status": "lost"}, "status", "an order status"),
        ({"customer_id": ""}, "customer_id", "a non-empty string or an int"),
        ({"order_id": False}, "order_id", "a non-empty string or an int"),
        ({"customer_id": 1.0}, "customer_id", "a non-empty string or an int"),
        ({"placed_at": "2026-01-10"}, "placed_at", "timezone-aware"),
        ({"placed_at": "last tuesday"}, "placed_at", "ISO 8601"),
        ({"placed_at": 1767000000}, "placed_at", "timezone-aware datetime"),
        ({"placed_at": NOW + timedelta(seconds=1)}, "placed_at", "not after now"),
    ],
)
def test_a_bad_value_is_refused_naming_the_row_and_the_key(changes, field, expected):
    error = refused([*good_rows(), row(**changes)])

    assert error.field == f"orders[3].{field}"
    assert expected in str(error)


def test_a_second_currency_is_refused_as_a_currency_mismatch():
    error = refused([*good_rows(), row(currency="USD")], CurrencyMismatch)

    assert str(error).startswith("orders[3].currency: got 'USD', expected 'EUR'")
    assert "never mix" in str(error)


def test_something_that_is_not_a_record_is_refused_naming_the_row():
    # (A tuple or list item is an order's events, as in every order metric.)
    error = refused([*good_rows(), 42], InvalidType)

    assert error.field == "orders[3]"
    assert "to_dict('records')" in str(error)


@pytest.mark.parametrize("rows", [None, 42, "rows", {"order_id": "1"}])
def test_rows_that_are_not_an_iterable_of_records_are_refused(rows):
    with pytest.raises(InvalidType, match=r"^orders: got"):
        customer_summary(rows, now=NOW)
    with pytest.raises(InvalidType, match=r"^orders: got"):
        cohort_retention(rows, zone="UTC")


def test_the_cohort_table_names_the_row_and_key_too():
    rows = [*good_rows(), row(placed_at="2026-02-30T00:00:00+00:00")]

    with pytest.raises(
        InvalidField, match=r"^orders\[3\]\.placed_at: got '2026-02-30T00:00:00\+00:00'"
    ):
        cohort_retention(rows, zone="Europe/Berlin")


def test_a_running_total_that_would_need_rounding_is_refused():
    # Each amount is in range (below 10**30, at most 30 places); their sum
    # would need 61 digits.
    rows = [
        row(order_id="1", amount=Decimal("9" * 30)),
        row(order_id="2", amount=Decimal("9" * 30)),
        row(order_id="3", amount=Decimal("1E-30")),
    ]

    error = refused(rows)

    assert error.field == "orders[2].amount"
    assert "exact" in str(error)


def test_a_refused_row_does_not_disturb_the_callers_decimal_context():
    from decimal import getcontext

    before = getcontext().copy()
    refused([*good_rows(), row(amount=Decimal("NaN"))])

    after = getcontext()
    assert (after.prec, after.rounding, after.traps) == (before.prec, before.rounding, before.traps)


def test_a_moment_outside_the_calendar_years_of_periods_is_refused_for_cohorts():
    rows = [row(placed_at=datetime(1, 1, 1, 6, tzinfo=UTC))]

    with pytest.raises(InvalidField, match=r"orders\[0\]\.placed_at: .* years 2 to 9998"):
        cohort_retention(rows, zone="UTC")


# -- the value type ------------------------------------------------------------------------


def test_an_order_record_round_trips_through_its_mapping_form():
    record = OrderRecord(
        "1001",
        "ada",
        JAN.astimezone(timezone(timedelta(hours=2))),
        Money("20.00", "EUR"),
        discount=Money("2.50", "EUR"),
        status="shipped",
    )

    again = OrderRecord.from_mapping(record.to_dict())

    assert again == record
    assert record.placed_at.tzinfo is UTC
    assert record.status is OrderStatus.SHIPPED
    assert record.net_amount == Money("17.50", "EUR")


def test_an_order_record_from_an_order_carries_its_number_customer_amount_and_status():
    order = place("2002").order

    record = OrderRecord.from_order(order)

    assert (record.order_id, record.customer_id) == ("2002", order.customer.id)
    assert record.amount == order.amount_due
    assert record.placed_at == order.placed_at
    assert record.status is OrderStatus.RECEIVED
    assert not record.cancelled


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: OrderRecord("", "ada", JAN, Money("1", "EUR")), "order_id"),
        (lambda: OrderRecord("1", True, JAN, Money("1", "EUR")), "customer_id"),
        (lambda: OrderRecord("1", "ada", datetime(2026, 1, 1), Money("1", "EUR")), "placed_at"),
        (lambda: OrderRecord("1", "ada", JAN, Decimal("1")), "amount: got Decimal"),
        (lambda: OrderRecord("1", "ada", JAN, Money("-1", "EUR")), "at least 0"),
        (
            lambda: OrderRecord("1", "ada", JAN, Money("1", "EUR"), discount=Money("1", "USD")),
            "currency",
        ),
        (
            lambda: OrderRecord("1", "ada", JAN, Money("1", "EUR"), discount=Money("2", "EUR")),
            "at most the amount",
        ),
        (lambda: OrderRecord("1", "ada", JAN, Money("1", "EUR"), status="lost"), "status"),
        (lambda: OrderRecord.from_order("1001"), "order: got '1001', expected an Order"),
    ],
)
def test_an_order_record_refuses_what_the_contract_refuses(build, message):
    with pytest.raises(InvalidField, match=message):
        build()


def test_from_mapping_names_the_row_parameter_and_where_the_row_is():
    with pytest.raises(InvalidField, match=r"^rows\[7\]: row\.currency"):
        OrderRecord.from_mapping(row(currency="XXX1"), index=7)


# -- the fast path and the thorough path agree ------------------------------------------------

ZONES = [UTC, timezone(timedelta(hours=-5)), ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Kolkata")]


@st.composite
def plain_rows(draw):
    count = draw(st.integers(min_value=1, max_value=25))
    rows = []
    for index in range(count):
        amount = draw(st.decimals(min_value=0, max_value=500, places=2))
        discount = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=amount, places=2)))
        rows.append(
            {
                "order_id": str(index),
                "customer_id": draw(st.sampled_from(["ada", "bob", "cy", 7])),
                "placed_at": JAN + timedelta(minutes=draw(st.integers(0, 500_000))),
                "amount": amount,
                "currency": "EUR",
                "discount": discount,
                "status": draw(st.sampled_from([None, "delivered", "cancelled", "shipped"])),
            }
        )
    return rows


def _disguise(record, choice, zone):
    """The same record in another accepted form."""
    moment = record["placed_at"].astimezone(zone)
    if choice == 0:
        return {**record, "placed_at": moment}
    if choice == 1:
        return {**record, "placed_at": moment.isoformat()}
    if choice == 2:
        return {**record, "placed_at": stamp(moment), "amount": str(record["amount"])}
    if choice == 3:
        return MappingProxyType(record)
    if choice == 4:
        return OrderRecord.from_mapping(record)
    return record


@given(plain_rows(), st.data())
def test_every_accepted_form_of_a_record_gives_the_same_results(rows, data):
    choices = data.draw(st.lists(st.integers(0, 5), min_size=len(rows), max_size=len(rows)))
    zones = data.draw(st.lists(st.sampled_from(ZONES), min_size=len(rows), max_size=len(rows)))
    disguised = [_disguise(r, c, z) for r, c, z in zip(rows, choices, zones, strict=True)]

    assert customer_summary(disguised, now=NOW) == customer_summary(rows, now=NOW)
    assert cohort_retention(disguised, zone="Europe/Berlin", now=NOW) == cohort_retention(
        rows, zone="Europe/Berlin", now=NOW
    )


# -- a DataFrame's gaps ----------------------------------------------------------------------

NAN = float("nan")


def test_a_dataframes_nan_in_an_optional_key_means_none():
    gaps = [
        row(order_id="1", discount=NAN, status=NAN),
        row(order_id="2", customer_id="bob", discount=Decimal("5.00"), status=NAN),
        row(order_id="3", customer_id="cy", discount=NAN, status="cancelled"),
    ]
    nones = [
        {**r, "discount": None if r["discount"] is NAN else r["discount"]}
        | {"status": None if r["status"] is NAN else r["status"]}
        for r in gaps
    ]

    summary = customer_summary(gaps, now=NOW)

    assert summary == customer_summary(nones, now=NOW)
    assert summary["bob"].total_spend == Money("15.00", "EUR")
    assert "cy" not in summary
    assert cohort_retention(gaps, zone="UTC") == cohort_retention(nones, zone="UTC")
    record = OrderRecord.from_mapping(gaps[0])
    assert (record.discount, record.status) == (None, None)


def test_a_decimal_nan_discount_is_a_value_and_is_refused_not_a_gap():
    error = refused([*good_rows(), row(discount=Decimal("NaN"))])

    assert error.field == "orders[3].discount"
    assert "a finite number" in str(error)


def test_ids_are_used_exactly_as_given_so_a_trailing_space_makes_another_customer():
    summary = customer_summary([row(customer_id="ada"), row(customer_id="ada ")], now=NOW)

    assert list(summary) == ["ada", "ada "]
