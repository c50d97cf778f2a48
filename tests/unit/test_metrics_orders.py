"""Order metrics: AOV, cancellation, delays, on-time delivery, time in status, support share."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow import CurrencyMismatch, InvalidField, InvalidType, Money, Period, UndefinedMetric
from salesflow.metrics._records import OrderRecord
from salesflow.metrics.orders import (
    ORDER_STATUS_TOPICS,
    TIMED_STATUSES,
    Durations,
    average_order_value,
    cancellation_rate,
    delay_rate,
    on_time_delivery_rate,
    order_status_request_share,
    time_in_status,
)
from salesflow.orders import Customer, Order, OrderLine, OrderStatus, ProcessingStep, SupportContact

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PROMISED = date(2026, 3, 6)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def new_order(
    number: str = "1",
    *,
    at: datetime = T0,
    amount_due: Money | None = None,
    currency: str = "EUR",
) -> Order:
    """Two mugs at 8.00 and a tea at 4.00: 20.00 of lines."""
    return Order.place(
        number=number,
        customer=Customer("c-1", "Ada"),
        lines=[
            OrderLine("MUG-1", "Mug", 2, Money("8.00", currency)),
            OrderLine("TEA-1", "Tea", 1, Money("4.00", currency)),
        ],
        estimated_delivery=max(PROMISED, at.date() + timedelta(days=4)),
        support=SupportContact(email="help@shop.example"),
        at=at,
        amount_due=amount_due,
    ).order


def shipped(order: Order, start: float = 1) -> Order:
    order = order.process(step=ProcessingStep.STOCK_CHECK, at=hours(start)).order
    order = order.pick(at=hours(start + 1)).order
    order = order.pack(at=hours(start + 2)).order
    return order.ship(carrier="DHL", tracking_number="JD01", at=hours(start + 3)).order


def record(amount: str = "20.00", **extra: object) -> dict[str, object]:
    return {"placed_at": T0, "amount": amount, "currency": "EUR", **extra}


# -- average order value --------------------------------------------------------------------


def test_aov_is_net_revenue_over_orders_with_cancelled_orders_left_out():
    rows = [
        record("40.00", discount="5.00"),
        record("20.00", status="delivered"),
        record("30.00", status="cancelled"),
    ]

    result = average_order_value(rows)

    assert result.value == Money("27.5", "EUR")
    assert (result.numerator, result.denominator) == (Money("55.00", "EUR"), 2)
    assert result.variant == "net"
    assert dict(result.inputs)["cancelled orders left out"] == 1


def test_the_gross_basis_ignores_discounts_and_cancelled_orders_can_be_included():
    rows = [record("40.00", discount="5.00"), record("30.00", status="cancelled")]

    gross = average_order_value(rows, basis="gross")
    everything = average_order_value(rows, basis="gross", include_cancelled=True)

    assert gross.value == Money("40", "EUR")
    assert everything.value == Money("35", "EUR")
    assert everything.variant == "gross, cancelled included"


def test_an_orders_gross_revenue_is_its_line_totals_and_its_net_revenue_its_amount_due():
    order = new_order(amount_due=Money("17.00", "EUR"))

    assert average_order_value([order], basis="gross").value == Money("20", "EUR")
    assert average_order_value([order]).value == Money("17", "EUR")


def test_an_order_its_events_its_stored_events_and_its_document_count_the_same():
    order = shipped(new_order())
    forms = [order, order.history, list(order.history), [e.to_dict() for e in order.history]]

    result = average_order_value([*forms, order.to_dict()])

    assert result.denominator == 5
    assert result.value == Money("20", "EUR")


def test_order_records_and_order_record_values_are_read_alike():
    row = {"order_id": "9", "customer_id": "c", **record("12.50")}

    result = average_order_value([row, OrderRecord.from_mapping(row)])

    assert result.value == Money("12.5", "EUR")


def test_a_period_keeps_only_orders_placed_in_it():
    march, april = (
        datetime(2026, 3, 31, 21, 30, tzinfo=UTC),
        datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
    )
    rows = [record("10", placed_at=march), record("30", placed_at=april)]

    in_berlin = average_order_value(rows, period=Period.month(2026, 4, "Europe/Berlin"))

    assert in_berlin.value == Money("30", "EUR")  # 22:30 UTC on 31 March is April in Berlin
    assert in_berlin.variant == "net, placed in 2026-04"


def test_no_orders_give_an_undefined_aov_in_the_stated_currency():
    result = average_order_value([], currency="USD")

    assert not result.defined
    assert result.currency == "USD"
    with pytest.raises(UndefinedMetric, match="orders is 0"):
        average_order_value([], currency="USD", on_empty="raise")


def test_no_orders_and_no_currency_is_refused_rather_than_guessed():
    with pytest.raises(InvalidField, match="currency"):
        average_order_value([])


def test_orders_outside_the_period_still_give_the_currency_of_an_undefined_aov():
    result = average_order_value([record()], period=Period.month(2025, 1, "UTC"))

    assert result.value is None
    assert result.currency == "EUR"


def test_mixed_currencies_are_refused_naming_the_order():
    rows = [record(), {**record(), "currency": "USD"}]

    with pytest.raises(CurrencyMismatch) as caught:
        average_order_value(rows)

    assert caught.value.field == "orders[1].currency"


def test_an_order_in_another_currency_than_the_stated_one_is_refused():
    with pytest.raises(CurrencyMismatch, match=r"orders\[0\]\.currency"):
        average_order_value([new_order(currency="USD")], currency="EUR")


@pytest.mark.parametrize(
    ("row", "field", "error"),
    [
        ({"placed_at": T0, "amount": 19.99, "currency": "EUR"}, "orders[0].amount", InvalidType),
        ({"placed_at": T0, "amount": "-1", "currency": "EUR"}, "orders[0].amount", InvalidField),
        ({"placed_at": T0, "currency": "EUR"}, "orders[0].amount", InvalidField),
        ({"placed_at": T0, "amount": "5", "currency": "XYZ"}, "orders[0].currency", InvalidField),
        (record("5", discount="6"), "orders[0].discount", InvalidField),
        (record("5", status="lost"), "orders[0].status", InvalidField),
    ],
)
def test_a_bad_record_is_refused_naming_the_order_and_the_key(row, field, error):
    with pytest.raises(error) as caught:
        average_order_value([row])

    assert caught.value.field == field


def test_a_naive_placement_time_is_refused_when_a_period_needs_it():
    row = record(placed_at=datetime(2026, 3, 2, 9, 0))

    with pytest.raises(InvalidType, match=r"orders\[0\]\.placed_at"):
        average_order_value([row], period=Period.month(2026, 3, "UTC"))


def test_a_tampered_event_history_is_refused_naming_the_order_and_the_event():
    history = list(shipped(new_order()).history)
    history[2] = history[3]

    with pytest.raises(InvalidField) as caught:
        cancellation_rate([new_order(), history])

    assert caught.value.field.startswith("orders[1][2].")


def test_a_tampered_stored_event_names_its_path():
    documents = [event.to_dict() for event in new_order().history]
    documents[0]["at"] = "yesterday"

    with pytest.raises(InvalidField, match=r"orders\[0\]\[0\]\.at"):
        delay_rate([documents])


@pytest.mark.parametrize("bad", ["orders", {"amount": "5"}, 5, None])
def test_anything_but_an_iterable_of_orders_is_refused(bad):
    with pytest.raises(InvalidType, match="orders"):
        average_order_value(bad)


def test_an_item_that_is_not_an_order_is_refused_naming_it():
    with pytest.raises(InvalidType, match=r"orders\[1\]"):
        cancellation_rate([record(), "1001"])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"basis": "list"}, "basis"),
        ({"include_cancelled": "yes"}, "include_cancelled"),
        ({"period": "2026-03"}, "period"),
        ({"currency": "EURO"}, "currency"),
        ({"on_empty": "zero"}, "on_empty"),
    ],
)
def test_bad_aov_options_are_refused_naming_them(kwargs, field):
    with pytest.raises(InvalidField) as caught:
        average_order_value([record()], **kwargs)

    assert caught.value.field == field


# -- cancellation and delay rates --------------------------------------------------------------


def test_the_cancellation_rate_is_cancelled_orders_over_orders_placed():
    orders = [
        new_order("1"),
        new_order("2").cancel(reason="changed my mind", at=hours(1)).order,
        {"status": "cancelled"},
        {"status": None},
    ]

    result = cancellation_rate(orders)

    assert result.fraction == Fraction(1, 2)
    assert dict(result.inputs) == {"orders placed": 4, "cancelled": 2}


def test_an_order_counts_in_the_period_it_was_placed_in_even_if_cancelled_later():
    late_cancel = new_order("1", at=datetime(2026, 2, 27, tzinfo=UTC)).cancel(
        reason="too slow", at=datetime(2026, 3, 3, tzinfo=UTC)
    )
    rows = [late_cancel.order, {"status": None, "placed_at": "2026-03-05T10:00:00+01:00"}]

    february = cancellation_rate(rows, period=Period.month(2026, 2, "UTC"))
    march = cancellation_rate(rows, period=Period.month(2026, 3, "UTC"))

    assert (february.numerator, february.denominator) == (1, 1)
    assert (march.numerator, march.denominator) == (0, 1)
    assert march.variant == "orders placed in 2026-03"


def test_no_orders_give_an_undefined_cancellation_rate():
    assert cancellation_rate([]).percent() == "undefined"
    with pytest.raises(UndefinedMetric, match="orders placed is 0"):
        cancellation_rate([], on_empty="raise")


def test_an_order_delayed_twice_counts_once_in_the_delay_rate():
    order = new_order().process(step=ProcessingStep.STOCK_CHECK, at=hours(1)).order
    order = order.delay(reason="storm", estimated_delivery=date(2026, 3, 8), at=hours(2)).order
    order = order.delay(reason="storm", estimated_delivery=date(2026, 3, 9), at=hours(3)).order
    resumed = order.resume(at=hours(4)).order

    result = delay_rate([resumed, new_order("2")])

    assert (result.numerator, result.denominator) == (1, 2)
    assert result.formula == "orders ever delayed / orders placed"


def test_a_delay_record_must_say_whether_the_order_was_delayed():
    with pytest.raises(InvalidField, match=r"orders\[1\]\.delayed"):
        delay_rate([{"delayed": True}, {}])
    with pytest.raises(InvalidType, match=r"orders\[0\]\.delayed"):
        delay_rate([{"delayed": 1}])


# -- on-time delivery --------------------------------------------------------------------------


def test_on_time_is_judged_against_the_first_promise_not_the_delayed_date():
    order = shipped(new_order())
    order = order.delay(reason="storm", estimated_delivery=date(2026, 3, 9), at=hours(5)).order
    late = order.deliver(at=datetime(2026, 3, 8, 12, tzinfo=UTC)).order
    on_time = shipped(new_order("2")).deliver(at=datetime(2026, 3, 6, 12, tzinfo=UTC)).order

    result = on_time_delivery_rate([late, on_time], zone="UTC")

    assert late.estimated_delivery == date(2026, 3, 9)
    assert (result.numerator, result.denominator) == (1, 2)
    assert dict(result.inputs)["late"] == 1


def test_the_delivery_day_is_read_in_the_stated_zone():
    evening = shipped(new_order()).deliver(at=datetime(2026, 3, 6, 23, 30, tzinfo=UTC)).order

    assert on_time_delivery_rate([evening], zone="UTC").percent() == "100.0%"
    assert on_time_delivery_rate([evening], zone="Europe/Berlin").percent() == "0.0%"
    assert on_time_delivery_rate([evening], zone="America/New_York").percent() == "100.0%"


def test_orders_not_delivered_are_left_out_of_the_denominator_and_reported():
    rows = [
        {"delivered_at": None},
        {"status": "cancelled"},
        {"delivered_at": "2026-03-05T10:00:00+00:00", "promised_delivery": "2026-03-05"},
    ]

    result = on_time_delivery_rate(rows, zone="UTC")

    assert (result.numerator, result.denominator) == (1, 1)
    assert dict(result.inputs)["not delivered (left out)"] == 2


class MissingTime(datetime):
    """What a DataFrame writes for a missing time (pandas' NaT): naive, and not equal to itself."""

    def __new__(cls):
        return super().__new__(cls, 1970, 1, 1)

    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return True

    __hash__ = datetime.__hash__


def test_dataframe_gaps_in_optional_order_keys_mean_none():
    gap = float("nan")
    rows = [
        {**record("40.00", discount=gap, status=gap), "delivered_at": MissingTime()},
        {
            **record("20.00", discount="5.00", status="delivered"),
            "promised_delivery": T0.date(),
            "delivered_at": T0 + timedelta(days=1),
        },
    ]

    on_time = on_time_delivery_rate(rows, zone="UTC")

    assert (on_time.numerator, on_time.denominator) == (0, 1)
    assert dict(on_time.inputs)["not delivered (left out)"] == 1
    assert average_order_value(rows).numerator == Money("55.00", "EUR")
    assert cancellation_rate(rows).fraction == 0


def test_a_delivered_record_needs_its_promised_date_as_a_date():
    delivered = {"delivered_at": T0}

    with pytest.raises(InvalidField, match=r"orders\[0\]\.promised_delivery"):
        on_time_delivery_rate([delivered], zone="UTC")
    with pytest.raises(InvalidType, match=r"orders\[0\]\.promised_delivery"):
        on_time_delivery_rate([{**delivered, "promised_delivery": T0}], zone="UTC")


def test_the_zone_of_the_on_time_rate_must_be_stated_and_known():
    with pytest.raises(TypeError):
        on_time_delivery_rate([])  # type: ignore[call-arg]
    with pytest.raises(InvalidField, match="zone"):
        on_time_delivery_rate([], zone="Mars/Olympus")


# -- time in status -----------------------------------------------------------------------------


def test_time_in_each_status_sums_an_orders_stays_and_counts_an_open_one_up_to_now():
    order = new_order().process(step=ProcessingStep.STOCK_CHECK, at=hours(1)).order
    order = order.delay(reason="storm", estimated_delivery=date(2026, 3, 8), at=hours(3)).order
    order = order.resume(at=hours(7)).order  # back to processing
    waiting = new_order("2")

    times = time_in_status([order, waiting], now=hours(10))

    assert times["processing"].spans == (timedelta(hours=5),)
    assert times["processing"].ongoing == 1
    assert times["delayed"].total == timedelta(hours=4)
    assert times[OrderStatus.RECEIVED].spans == (timedelta(hours=1), timedelta(hours=10))
    assert times["received"].mean == timedelta(hours=5.5)
    assert times["picking"].mean is None


def test_final_statuses_are_not_timed():
    times = time_in_status([new_order()], now=hours(1))

    assert list(times) == list(TIMED_STATUSES)
    with pytest.raises(InvalidField, match="status"):
        times["delivered"]


def test_the_status_table_shows_means_and_flags_open_stays():
    times = time_in_status([new_order(), shipped(new_order("2"))], now=hours(6))

    text = times.format()

    assert text.splitlines()[0] == "Time in each order status (all orders placed, 2 orders)"
    assert "received*" in text
    assert "shipped*" in text
    assert "undefined" in text  # in transit: no order was there


def test_status_times_answer_membership_lookups_and_give_plain_records():
    times = time_in_status([new_order()], now=hours(12))

    assert "received" in times
    assert "delivered" not in times
    assert times.get("cancelled") is None
    assert times.get(OrderStatus.RECEIVED).mean_days.value == Decimal("0.5")
    assert times.to_records()[0] == {
        "status": "received",
        "metric": "time in received",
        "count": 1,
        "ongoing": 1,
        "total": timedelta(hours=12),
        "mean": timedelta(hours=12),
        "median": timedelta(hours=12),
    }


def test_time_in_status_refuses_a_now_before_an_orders_latest_event():
    with pytest.raises(InvalidField, match=r"orders\[0\]"):
        time_in_status([shipped(new_order())], now=hours(2))
    with pytest.raises(InvalidType, match="now"):
        time_in_status([new_order()], now=datetime(2026, 3, 9))


def test_time_in_status_needs_histories_not_records():
    with pytest.raises(InvalidType, match="history"):
        time_in_status([record()], now=hours(1))


def test_time_in_status_of_no_orders_is_undefined_or_an_error_on_request():
    times = time_in_status([], now=hours(1))

    assert times.orders == 0
    assert not times["received"].defined
    with pytest.raises(UndefinedMetric):
        time_in_status([], now=hours(1), on_empty="raise")
    with pytest.raises(UndefinedMetric, match="orders is 0"):
        times["received"].require()


def test_durations_have_a_median_between_the_two_middle_spans_and_refuse_negative_ones():
    durations = Durations(
        "time in picking", "all", "stays", [timedelta(hours=h) for h in (4, 1, 2, 9)]
    )

    assert durations.median == timedelta(hours=3)
    assert (durations.shortest, durations.longest) == (timedelta(hours=1), timedelta(hours=9))
    with pytest.raises(InvalidField, match="spans"):
        Durations("x", "y", "z", [timedelta(hours=-1)])
    with pytest.raises(InvalidField, match="ongoing"):
        Durations("x", "y", "z", [], ongoing=1)


# -- support requests --------------------------------------------------------------------------


def test_the_share_of_support_requests_about_order_status():
    requests = [
        {"request_id": 1, "topic": "order_status", "at": T0},
        {"request_id": 2, "topic": "returns", "at": T0},
        {"request_id": 3, "topic": "order_status", "at": T0},
        {"request_id": 4, "topic": "billing", "at": T0},
    ]

    result = order_status_request_share(requests)

    assert result.value == Decimal("0.5")
    assert result.variant == "topic order_status"
    assert frozenset({"order_status"}) == ORDER_STATUS_TOPICS


def test_the_order_status_topics_can_be_widened_or_chosen_by_a_predicate():
    requests = [{"topic": "WISMO"}, {"topic": "order_status"}, {"topic": "returns"}]

    widened = order_status_request_share(requests, topics=["order_status", "WISMO"])
    chosen = order_status_request_share(requests, topics=lambda topic: topic.lower() == "wismo")

    assert widened.fraction == Fraction(2, 3)
    assert chosen.fraction == Fraction(1, 3)
    assert chosen.variant == "topic chosen by a predicate"


def test_a_period_reads_the_time_of_each_request():
    requests = [
        {"topic": "order_status", "at": "2026-03-01T00:30:00+01:00"},  # still February in UTC
        {"topic": "returns", "at": T0},
    ]

    result = order_status_request_share(requests, period=Period.month(2026, 3, "UTC"))

    assert (result.numerator, result.denominator) == (0, 1)
    with pytest.raises(InvalidField, match=r"requests\[0\]\.at"):
        order_status_request_share([{"topic": "x"}], period=Period.month(2026, 3, "UTC"))


@pytest.mark.parametrize(
    ("requests", "topics", "field"),
    [
        ([{"request_id": 1}], ORDER_STATUS_TOPICS, "requests[0].topic"),
        ([{"topic": "  "}], ORDER_STATUS_TOPICS, "requests[0].topic"),
        ([{"topic": 7}], ORDER_STATUS_TOPICS, "requests[0].topic"),
        (["order_status"], ORDER_STATUS_TOPICS, "requests[0]"),
        ([{"topic": "x"}], [], "topics"),
        ([{"topic": "x"}], "order_status", "topics"),
        ([{"topic": "x"}], lambda topic: "yes", "topics"),
    ],
)
def test_bad_requests_and_topics_are_refused_naming_them(requests, topics, field):
    with pytest.raises(InvalidField) as caught:
        order_status_request_share(requests, topics=topics)

    assert caught.value.field == field


# -- laws against straightforward references ----------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)


@st.composite
def order_rows(draw):
    amount = draw(amounts)
    discount = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=amount, places=2)))
    return {
        "placed_at": draw(instants),
        "amount": amount,
        "discount": discount,
        "currency": "EUR",
        "status": draw(st.sampled_from([None, "delivered", "cancelled", "shipped"])),
        "delayed": draw(st.booleans()),
    }


def reference_aov(rows, *, net, include_cancelled, period=None):
    kept = [
        row
        for row in rows
        if (include_cancelled or row["status"] != "cancelled")
        and (period is None or period.start <= row["placed_at"] < period.end)
    ]
    revenue = sum(
        (Fraction(row["amount"]) - (Fraction(row["discount"] or 0) if net else 0) for row in kept),
        Fraction(0),
    )
    return None if not kept else revenue / len(kept)


@given(
    st.lists(order_rows(), max_size=40),
    st.sampled_from(["net", "gross"]),
    st.booleans(),
    st.one_of(st.none(), st.integers(1, 12)),
)
def test_aov_agrees_with_a_reference_in_every_variant(rows, basis, include_cancelled, month):
    period = None if month is None else Period.month(2026, month, "Europe/Berlin")

    result = average_order_value(
        rows, basis=basis, include_cancelled=include_cancelled, period=period, currency="EUR"
    )

    assert result.fraction == reference_aov(
        rows, net=basis == "net", include_cancelled=include_cancelled, period=period
    )


@given(st.lists(order_rows(), max_size=40), st.randoms(use_true_random=False))
def test_shuffling_the_orders_changes_no_order_metric(rows, rng):
    shuffled = list(rows)
    rng.shuffle(shuffled)

    for metric in (cancellation_rate, delay_rate):
        assert metric(shuffled) == metric(rows)
    assert average_order_value(shuffled, currency="EUR") == average_order_value(
        rows, currency="EUR"
    )


@given(st.lists(order_rows(), max_size=40), st.integers(0, 40))
def test_splitting_the_orders_in_two_adds_up_to_the_same_totals(rows, cut):
    first, second = rows[:cut], rows[cut:]

    for metric in (cancellation_rate, delay_rate):
        whole, a, b = metric(rows), metric(first), metric(second)
        assert whole.numerator == a.numerator + b.numerator
        assert whole.denominator == a.denominator + b.denominator
    whole = average_order_value(rows, currency="EUR")
    a, b = average_order_value(first, currency="EUR"), average_order_value(second, currency="EUR")
    assert whole.numerator == a.numerator + b.numerator
    assert whole.denominator == a.denominator + b.denominator


@given(st.lists(order_rows(), max_size=40))
def test_cancellation_and_delay_rates_agree_with_references_and_stay_within_0_and_1(rows):
    cancelled = cancellation_rate(rows)
    delayed = delay_rate(rows)

    if rows:
        assert cancelled.fraction == Fraction(
            sum(row["status"] == "cancelled" for row in rows), len(rows)
        )
        assert delayed.fraction == Fraction(sum(row["delayed"] for row in rows), len(rows))
        assert 0 <= cancelled.fraction <= 1
        assert 0 <= delayed.fraction <= 1
    else:
        assert not cancelled.defined
        assert not delayed.defined


@st.composite
def delivery_rows(draw):
    placed = draw(instants)
    delivered = draw(st.one_of(st.none(), st.timedeltas(timedelta(0), timedelta(days=20))))
    return {
        "placed_at": placed,
        "promised_delivery": (placed + timedelta(days=draw(st.integers(0, 10)))).date(),
        "delivered_at": None if delivered is None else placed + delivered,
    }


@given(
    st.lists(delivery_rows(), max_size=40),
    st.sampled_from(["UTC", "Asia/Kolkata", "America/Santiago"]),
)
def test_the_on_time_rate_agrees_with_a_reference_and_stays_within_0_and_1(rows, zone):
    from zoneinfo import ZoneInfo

    result = on_time_delivery_rate(rows, zone=zone)

    delivered = [row for row in rows if row["delivered_at"] is not None]
    on_time = [
        row
        for row in delivered
        if row["delivered_at"].astimezone(ZoneInfo(zone)).date() <= row["promised_delivery"]
    ]
    assert (result.numerator, result.denominator) == (len(on_time), len(delivered))
    assert result.fraction is None or 0 <= result.fraction <= 1


@given(
    st.lists(st.sampled_from(["order_status", "returns", "billing", "WISMO"]), max_size=40),
    st.sets(st.sampled_from(["order_status", "returns", "billing", "WISMO"]), min_size=1),
)
def test_the_support_share_agrees_with_a_reference(topics_seen, topics):
    requests = [{"request_id": i, "topic": topic} for i, topic in enumerate(topics_seen)]

    result = order_status_request_share(requests, topics=topics)

    if requests:
        assert result.fraction == Fraction(sum(t in topics for t in topics_seen), len(topics_seen))
    else:
        assert not result.defined


_CONTENT = {
    "process": {"step": ProcessingStep.PAYMENT_CONFIRMATION},
    "ship": {"carrier": "DHL", "tracking_number": "JD01"},
    "transit": {"location": "Leipzig hub"},
    "cancel": {"reason": "customer asked"},
}


@st.composite
def order_histories(draw):
    """A random legal order: placed, then random allowed moves at random later times."""
    placed_at = draw(instants)
    order = new_order(str(draw(st.integers(1, 10_000))), at=placed_at)
    clock = placed_at
    for _ in range(draw(st.integers(0, 12))):
        if order.is_final:
            break
        clock += draw(st.timedeltas(timedelta(0), timedelta(days=3)))
        event = draw(st.sampled_from(sorted(order.allowed_events)))
        content = dict(_CONTENT.get(event, {}))
        if event == "delay":
            content = {"reason": "storm", "estimated_delivery": clock.date() + timedelta(days=2)}
        order = getattr(order, event)(at=clock, **content).order
    return order


def reference_stays(order, now):
    """Per status, the order's total stay, walking the events pairwise."""
    stays = {}
    moments = [event.at for event in order.history] + [now]
    statuses = [event.to_status for event in order.history]
    for status, start, end in zip(statuses, moments, moments[1:], strict=False):
        if not status.is_final:
            stays[status] = stays.get(status, timedelta(0)) + (end - start)
    return stays


@given(st.lists(order_histories(), max_size=8), st.timedeltas(timedelta(0), timedelta(days=30)))
def test_time_in_status_agrees_with_a_reference_and_adds_up_to_each_orders_open_life(orders, extra):
    now = max((order.updated_at for order in orders), default=T0) + extra

    times = time_in_status(orders, now=now)

    for status in TIMED_STATUSES:
        expected = sorted(
            stays[status] for stays in (reference_stays(o, now) for o in orders) if status in stays
        )
        assert list(times[status].spans) == expected
        assert times[status].ongoing == sum(order.status is status for order in orders)
    lives = sum(
        ((order.updated_at if order.is_final else now) - order.placed_at for order in orders),
        timedelta(0),
    )
    assert sum((times[status].total for status in TIMED_STATUSES), timedelta(0)) == lives
