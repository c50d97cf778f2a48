"""Funnel and journey metrics: conversion, the ordered funnel, and lead stage metrics.

Refusals, the strict-order rule, and laws against straightforward reference
versions written here.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType, UndefinedMetric
from salesflow._durations import Durations
from salesflow.leads import Lead, LeadSource, LeadStage, LostReason
from salesflow.metrics.funnel import (
    DEFAULT_FUNNEL_STEPS,
    Funnel,
    FunnelStepResult,
    conversion_rate,
    funnel,
)
from salesflow.metrics.stages import lead_conversion_rate, time_in_lead_stages

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
BERLIN = ZoneInfo("Europe/Berlin")


def event(person, step, minutes=0.0, *, zone=UTC):
    return {
        "person_id": person,
        "step": step,
        "at": (T0 + timedelta(minutes=minutes)).astimezone(zone),
    }


def reference_reached(rows, steps, window):
    """Per person: sort their events by (time, step order), then walk them once."""
    position = {step: k for k, step in enumerate(steps)}
    by_person = defaultdict(list)
    for row in rows:
        if row["step"] in position:
            by_person[row["person_id"]].append((row["at"], position[row["step"]]))
    reached = [0] * len(steps)
    for events in by_person.values():
        events.sort()
        entries = [at for at, k in events if k == 0]
        if not entries:
            continue
        entry = entries[0]
        depth = 1
        for at, k in events:
            if at < entry or k != depth:
                continue
            if window is not None and at - entry > window:
                break
            depth += 1
            if depth == len(steps):
                break
        for k in range(depth):
            reached[k] += 1
    return reached


# -- conversion rate ---------------------------------------------------------------------


def test_conversion_rate_is_conversions_over_visitors():
    result = conversion_rate(conversions=30, visitors=1200)

    assert result.value == Decimal("0.025")
    assert result.formula == "conversions / visitors"
    assert repr(result) == "<Ratio conversion rate (counts): 30 / 1200 = 0.025>"


def test_no_visitors_give_an_undefined_conversion_rate_or_an_error_on_request():
    assert conversion_rate(conversions=0, visitors=0).value is None
    with pytest.raises(UndefinedMetric, match="visitors is 0"):
        conversion_rate(conversions=0, visitors=0, on_empty="raise")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"conversions": 5, "visitors": 4}, "conversions"),
        ({"conversions": -1, "visitors": 4}, "conversions"),
        ({"conversions": 1, "visitors": 4.0}, "visitors"),
        ({"conversions": True, "visitors": 4}, "conversions"),
        ({"conversions": 1, "visitors": 4, "on_empty": "zero"}, "on_empty"),
    ],
)
def test_impossible_conversion_counts_are_refused_naming_the_field(kwargs, field):
    with pytest.raises(InvalidField) as caught:
        conversion_rate(**kwargs)

    assert caught.value.field == field


def test_conversion_from_ids_counts_each_visitor_once():
    result = conversion_rate(
        visitors=["a", "b", "a", 7, "c"], variant="distinct_ids", converted=[7, 7, "a"]
    )

    assert result.fraction == Fraction(2, 4)
    assert result.variant == "distinct ids"


def test_visitor_ids_are_used_exactly_as_given_as_in_the_funnel_rows():
    result = conversion_rate(visitors=["a", "a ", "A"], variant="distinct_ids", converted=["a "])

    assert (result.numerator, result.denominator) == (1, 3)


def test_a_conversion_by_someone_who_never_visited_is_refused_naming_its_index():
    with pytest.raises(InvalidField) as caught:
        conversion_rate(visitors=["a", "b"], variant="distinct_ids", converted=["a", "z"])

    assert caught.value.field == "converted[1]"


def test_a_string_is_not_a_set_of_visitor_ids():
    with pytest.raises(InvalidType, match="visitors"):
        conversion_rate(visitors="abc", variant="distinct_ids", converted=[])


# -- the ordered funnel ------------------------------------------------------------------


def test_the_default_funnel_counts_each_step_and_the_ratios_between_them():
    rows = []
    for person, depth in enumerate([6, 6, 4, 3, 2, 2, 1, 1, 1, 1]):
        rows += [event(person, step, k) for k, step in enumerate(DEFAULT_FUNNEL_STEPS[:depth])]

    result = funnel(rows, window=timedelta(days=30))

    assert result.steps == DEFAULT_FUNNEL_STEPS
    assert result.reached == (10, 6, 4, 3, 2, 2)
    assert [r.fraction for r in result.conversions] == [
        Fraction(6, 10),
        Fraction(4, 6),
        Fraction(3, 4),
        Fraction(2, 3),
        Fraction(1),
    ]
    assert result.step("product_view").drop_off.fraction == Fraction(4, 10)
    assert result.step("product_view").dropped == 4
    assert result.overall.percent() == "20.0%"
    assert result.overall.variant == "strict order, within 30 days of entry"


def test_a_person_is_counted_once_however_often_they_repeat_a_step():
    rows = [event("ada", "visit", m) for m in (0, 1, 2)] + [
        event("ada", "purchase", m) for m in (3, 4)
    ]

    result = funnel(rows, steps=["visit", "purchase"], window=None)

    assert result.reached == (1, 1)


def test_a_step_done_before_the_previous_one_does_not_count():
    rows = [event("ada", "add_to_cart", 0), event("ada", "visit", 1)]

    result = funnel(rows, steps=["visit", "add_to_cart"], window=None)

    assert result.reached == (1, 0)


def test_a_step_repeated_in_order_after_an_early_one_counts():
    rows = [
        event("ada", "add_to_cart", 0),
        event("ada", "visit", 1),
        event("ada", "add_to_cart", 2),
    ]

    result = funnel(rows, steps=["visit", "add_to_cart"], window=None)

    assert result.reached == (1, 1)


def test_an_early_row_that_arrives_late_can_complete_the_chain():
    rows = [
        event("ada", "visit", 0),
        event("ada", "view", 20),
        event("ada", "cart", 10),  # before the view seen so far: cannot count yet
        event("ada", "view", 5),  # an earlier view: now the cart at 10 follows it
    ]

    result = funnel(rows, steps=["visit", "view", "cart"], window=None)

    assert result.reached == (1, 1, 1)


def test_steps_at_the_same_instant_count_in_funnel_order():
    rows = [event("ada", "purchase", 5), event("ada", "checkout", 5), event("ada", "visit", 5)]

    result = funnel(rows, steps=["visit", "checkout", "purchase"], window=timedelta(minutes=1))

    assert result.reached == (1, 1, 1)


def test_a_step_after_the_window_does_not_count_and_the_window_bound_is_inclusive():
    rows = [
        event("ada", "visit", 0),
        event("ada", "purchase", 60),  # exactly an hour after entry: counts
        event("bob", "visit", 0),
        event("bob", "purchase", 61),  # a minute too late
    ]

    result = funnel(rows, steps=["visit", "purchase"], window=timedelta(hours=1))

    assert result.reached == (2, 1)


def test_the_window_runs_from_the_first_entry_not_a_later_one():
    rows = [
        event("ada", "visit", 0),
        event("ada", "visit", 40 * 24 * 60),
        event("ada", "purchase", 41 * 24 * 60),
    ]

    result = funnel(rows, steps=["visit", "purchase"], window=timedelta(days=30))

    assert result.reached == (1, 0)


def test_people_with_later_steps_but_no_entry_are_not_in_the_funnel_and_are_reported():
    rows = [event("ada", "visit"), event("bob", "purchase")]

    result = funnel(rows, steps=["visit", "purchase"], window=None)

    assert result.reached == (1, 0)
    assert result.without_entry == 1
    assert "1 people with later steps but no visit" in result.format()


def test_rows_of_other_steps_are_refused_unless_skipped():
    rows = [event("ada", "visit"), event("ada", "search"), event("ada", "purchase", 1)]

    with pytest.raises(InvalidField) as caught:
        funnel(rows, steps=["visit", "purchase"], window=None)
    skipped = funnel(rows, steps=["visit", "purchase"], window=None, other_steps="skip")

    assert caught.value.field == "rows[1].step"
    assert skipped.reached == (1, 1)
    assert skipped.skipped_rows == 1


def test_times_in_other_zones_and_iso_strings_are_the_same_instants():
    rows = [
        event("ada", "visit", 0, zone=BERLIN),
        {"person_id": "ada", "step": "purchase", "at": (T0 + timedelta(minutes=5)).isoformat()},
        event("bob", "purchase", -5, zone=timezone(timedelta(hours=-8))),
        event("bob", "visit", 0),
    ]

    result = funnel(rows, steps=["visit", "purchase"], window=timedelta(hours=1))

    assert result.reached == (2, 1)


@pytest.mark.parametrize(
    ("row", "field", "error"),
    [
        ({"step": "visit", "at": T0}, "rows[1].person_id", InvalidField),
        ({"person_id": "", "step": "visit", "at": T0}, "rows[1].person_id", InvalidField),
        ({"person_id": True, "step": "visit", "at": T0}, "rows[1].person_id", InvalidType),
        ({"person_id": 1.5, "step": "visit", "at": T0}, "rows[1].person_id", InvalidType),
        ({"person_id": "a", "step": 3, "at": T0}, "rows[1].step", InvalidType),
        ({"person_id": "a", "step": ["visit"], "at": T0}, "rows[1].step", InvalidType),
        ({"person_id": "a", "at": T0}, "rows[1].step", InvalidField),
        (
            {"person_id": "a", "step": "visit", "at": datetime(2026, 1, 1)},
            "rows[1].at",
            InvalidType,
        ),
        ({"person_id": "a", "step": "visit", "at": "yesterday"}, "rows[1].at", InvalidField),
        ({"person_id": "a", "step": "visit"}, "rows[1].at", InvalidField),
    ],
)
def test_a_bad_row_is_refused_naming_the_row_and_the_key(row, field, error):
    rows = [event("ada", "visit"), row]

    with pytest.raises(error) as caught:
        funnel(rows, steps=["visit", "purchase"], window=None)

    assert caught.value.field == field


def test_a_row_that_is_not_a_mapping_is_refused_by_its_index():
    with pytest.raises(InvalidType) as caught:
        funnel([event("ada", "visit"), ("ada", "visit", T0)], window=None)

    assert caught.value.field == "rows[1]"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"steps": ["visit"]}, "steps"),
        ({"steps": ["visit", "cart", "visit"]}, "steps[2]"),
        ({"steps": ["visit", ""]}, "steps[1]"),
        ({"steps": "visit,purchase"}, "steps"),
        ({"window": timedelta(0)}, "window"),
        ({"window": timedelta(days=-1)}, "window"),
        ({"window": 30}, "window"),
        ({"other_steps": "ignore"}, "other_steps"),
        ({"on_empty": 0}, "on_empty"),
    ],
)
def test_bad_funnel_options_are_refused_naming_them(kwargs, field):
    arguments = {"window": timedelta(days=30), **kwargs}

    with pytest.raises(InvalidField) as caught:
        funnel([event("ada", "visit")], **arguments)

    assert caught.value.field == field


def test_the_window_must_be_stated():
    with pytest.raises(TypeError):
        funnel([event("ada", "visit")])  # type: ignore[call-arg]


def test_nobody_entering_gives_undefined_ratios_or_an_error_on_request():
    result = funnel([], steps=["visit", "purchase"], window=None)

    assert result.overall.value is None
    assert result.conversions[0].percent() == "undefined"
    with pytest.raises(UndefinedMetric, match="people who entered at visit is 0"):
        funnel([], steps=["visit", "purchase"], window=None, on_empty="raise")


def test_a_step_nobody_reached_leaves_the_next_ratios_undefined_not_zero():
    result = funnel([event("ada", "visit")], steps=["visit", "cart", "purchase"], window=None)

    assert result.conversions[0].value == 0
    assert result.conversions[1].value is None
    assert result.drop_offs[1].value is None


def test_the_funnel_value_refuses_counts_that_grow_along_the_funnel():
    with pytest.raises(InvalidField, match=r"reached\[1\]"):
        Funnel(("visit", "purchase"), (3, 4), None)
    with pytest.raises(InvalidField, match="one count per step"):
        Funnel(("visit", "purchase"), (3,), None)


def test_a_step_result_has_a_conversion_exactly_when_it_has_a_previous_step():
    result = funnel([event(1, "visit")], steps=["visit", "purchase"], window=None)
    first, second = result.results

    with pytest.raises(InvalidField, match="None for the first step only"):
        FunnelStepResult("visit", 0, 1, None, second.conversion, first.from_entry, None)
    with pytest.raises(InvalidField, match="None for the first step only"):
        FunnelStepResult("purchase", 1, 0, 1, None, second.from_entry, second.drop_off)


def test_the_funnel_formats_as_a_table_and_exports_plain_records():
    rows = [event(1, "visit"), event(1, "purchase", 1), event(2, "visit")]
    result = funnel(rows, steps=["visit", "purchase"], window=timedelta(hours=2))

    text = result.format()
    records = result.to_records()

    assert text.splitlines()[0] == "Funnel (strict order, within 2 hours of entry): 2 entered"
    assert "purchase" in text.splitlines()[3]
    assert "50.0%" in text.splitlines()[3]
    assert text.splitlines()[-1] == "overall: 1 / 2 = 50.0%"
    assert records[1] == {
        "step": "purchase",
        "position": 1,
        "reached": 1,
        "dropped": 1,
        "conversion": Decimal("0.5"),
        "from_entry": Decimal("0.5"),
        "drop_off": Decimal("0.5"),
    }


def test_asking_for_a_step_that_is_not_in_the_funnel_is_refused():
    result = funnel([event(1, "visit")], steps=["visit", "purchase"], window=None)

    with pytest.raises(InvalidField, match="a step of this funnel: visit, purchase"):
        result.step("cart")


def test_the_funnel_reads_a_generator_once():
    rows = (event(person, "visit") for person in range(5))

    result = funnel(rows, steps=["visit", "purchase"], window=None)

    assert result.entered == 5


# -- funnel laws -------------------------------------------------------------------------

STEPS = ("visit", "view", "cart", "buy")

funnel_rows = st.lists(
    st.builds(
        event,
        st.integers(min_value=0, max_value=3),
        st.sampled_from(STEPS),
        st.integers(min_value=0, max_value=24).map(lambda n: 5 * n),  # many equal instants
        zone=st.sampled_from([UTC, BERLIN]),
    ),
    max_size=60,
)
windows = st.sampled_from([None, timedelta(minutes=10), timedelta(minutes=45), timedelta(hours=3)])


@settings(max_examples=300)
@given(funnel_rows, windows)
def test_the_funnel_agrees_with_a_sort_and_walk_reference_and_its_shares_stay_in_0_1(rows, window):
    result = funnel(rows, steps=STEPS, window=window)

    assert list(result.reached) == reference_reached(rows, STEPS, window)
    for ratio in (*result.conversions, *result.drop_offs, result.overall):
        assert ratio.fraction is None or 0 <= ratio.fraction <= 1


@given(funnel_rows, windows, st.randoms(use_true_random=False))
def test_shuffling_the_event_rows_changes_nothing(rows, window, rng):
    shuffled = list(rows)
    rng.shuffle(shuffled)

    assert funnel(shuffled, steps=STEPS, window=window) == funnel(rows, steps=STEPS, window=window)


@given(funnel_rows, windows)
def test_splitting_the_people_in_two_and_adding_the_counts_gives_the_same_funnel(rows, window):
    evens = [row for row in rows if row["person_id"] % 2 == 0]
    odds = [row for row in rows if row["person_id"] % 2 == 1]

    first = funnel(evens, steps=STEPS, window=window)
    second = funnel(odds, steps=STEPS, window=window)
    whole = funnel(rows, steps=STEPS, window=window)

    assert whole.reached == tuple(a + b for a, b in zip(first.reached, second.reached, strict=True))
    assert whole.without_entry == first.without_entry + second.without_entry


# -- leads ---------------------------------------------------------------------------------


def new_lead(lead_id, at=T0):
    return Lead.create(lead_id=lead_id, source=LeadSource.INBOUND, at=at).lead


def test_time_in_stage_sums_averages_and_takes_the_median_across_leads():
    ada = new_lead("L-1").advance(at=T0 + 2 * DAY).lead.advance(at=T0 + 5 * DAY).lead
    bob = new_lead("L-2").advance(at=T0 + 4 * DAY).lead.advance(at=T0 + 6 * DAY).lead
    cyd = new_lead("L-3").advance(at=T0 + 3 * DAY).lead

    times = time_in_lead_stages([ada, bob, cyd], now=T0 + 10 * DAY)
    awareness, interest = times[LeadStage.AWARENESS], times["interest"]

    assert (awareness.count, awareness.ongoing, awareness.total) == (3, 0, 9 * DAY)
    assert awareness.median == 3 * DAY
    assert awareness.mean == 3 * DAY
    assert (interest.count, interest.ongoing) == (3, 1)  # cyd is still in interest
    assert interest.total == 3 * DAY + 2 * DAY + 7 * DAY
    assert interest.median == 3 * DAY
    assert interest.mean_days.fraction == 4
    assert times["consideration"].ongoing == 2


def test_an_even_number_of_leads_takes_the_mean_of_the_middle_two_as_median():
    ada = new_lead("L-1").advance(at=T0 + DAY).lead
    bob = new_lead("L-2").advance(at=T0 + 2 * DAY).lead

    times = time_in_lead_stages([ada, bob], now=T0 + 3 * DAY)

    assert times["awareness"].median == timedelta(days=1, hours=12)


def test_a_stage_no_lead_was_in_has_no_mean_or_median():
    times = time_in_lead_stages([new_lead("L-1")], now=T0 + DAY)

    lost = times["lost"]

    assert (lost.count, lost.mean, lost.median) == (0, None, None)
    assert lost.mean_days.value is None


def test_a_stage_visited_twice_adds_both_visits():
    lead = new_lead("L-1").advance(at=T0 + DAY).lead
    lead = lead.move_back(reason="wrong contact", at=T0 + 2 * DAY).lead
    lead = lead.advance(at=T0 + 4 * DAY).lead

    times = time_in_lead_stages([lead], now=T0 + 4 * DAY)

    assert times["awareness"].total == 3 * DAY


def test_the_slowest_stage_is_the_open_stage_with_the_longest_median():
    one = new_lead("L-1").advance(at=T0 + DAY).lead.advance(at=T0 + 9 * DAY).lead
    two = new_lead("L-2").advance(at=T0 + DAY).lead.advance(at=T0 + 3 * DAY).lead
    three = new_lead("L-3").advance(at=T0 + 8 * DAY).lead

    slowest = time_in_lead_stages([one, two, three], now=T0 + 40 * DAY).slowest

    assert slowest is LeadStage.CONSIDERATION  # two leads have sat there for weeks


def test_a_tie_in_median_goes_to_the_earlier_stage():
    lead = new_lead("L-1").advance(at=T0 + 2 * DAY).lead.advance(at=T0 + 4 * DAY).lead

    times = time_in_lead_stages([lead], now=T0 + 5 * DAY)

    assert times["awareness"].median == times["interest"].median
    assert times.slowest is LeadStage.AWARENESS


def test_customer_and_lost_leads_are_resting_not_stalling():
    won = new_lead("L-1").advance(at=T0 + DAY).lead.advance(at=T0 + 2 * DAY).lead
    won = won.advance(at=T0 + 3 * DAY).lead.win(at=T0 + 4 * DAY).lead

    times = time_in_lead_stages([won], now=T0 + 400 * DAY)

    assert times["customer"].median == 396 * DAY
    assert times.slowest is LeadStage.AWARENESS


def test_no_leads_give_no_slowest_stage_and_an_error_on_request():
    assert time_in_lead_stages([], now=T0).slowest is None
    assert time_in_lead_stages([], now=T0).leads == 0
    with pytest.raises(UndefinedMetric, match="leads is 0"):
        time_in_lead_stages([], now=T0, on_empty="raise")


def test_a_now_before_a_leads_latest_change_is_refused_naming_the_lead():
    lead = new_lead("L-1").advance(at=T0 + DAY).lead

    with pytest.raises(InvalidField, match="lead 'L-1' changed at"):
        time_in_lead_stages([lead], now=T0)
    with pytest.raises(InvalidType, match="naive"):
        time_in_lead_stages([lead], now=datetime(2027, 1, 1))


def test_leads_can_come_as_events_in_any_order_or_as_dicts():
    ada = new_lead("L-1").advance(at=T0 + DAY).lead.log_activity(kind="demo", at=T0 + 2 * DAY).lead
    bob = new_lead("L-2").advance(at=T0 + 3 * DAY).lead
    events = [*reversed(ada.history), *bob.history]
    documents = [e.to_dict() for e in events]

    expected = time_in_lead_stages([ada, bob], now=T0 + 5 * DAY)

    assert time_in_lead_stages(events, now=T0 + 5 * DAY) == expected
    assert time_in_lead_stages(documents, now=T0 + 5 * DAY) == expected
    assert time_in_lead_stages([ada.to_dict(), bob], now=T0 + 5 * DAY) == expected


def test_a_leads_events_can_come_as_one_item_as_the_sales_metrics_take_them():
    ada = new_lead("L-1").advance(at=T0 + DAY).lead
    bob = new_lead("L-2").advance(at=T0 + 3 * DAY).lead

    grouped = time_in_lead_stages([ada.history, list(reversed(bob.history))], now=T0 + 5 * DAY)

    assert grouped == time_in_lead_stages([ada, bob], now=T0 + 5 * DAY)
    with pytest.raises(InvalidType) as caught:
        time_in_lead_stages([ada.history, [bob.history[0], "L-3"]], now=T0 + 5 * DAY)
    assert caught.value.field == "leads[1][1]"


def test_a_lead_given_twice_is_refused():
    lead = new_lead("L-1")

    with pytest.raises(InvalidField, match="each lead once"):
        time_in_lead_stages([lead, lead], now=T0)
    with pytest.raises(InvalidField, match="each lead once"):
        time_in_lead_stages([lead, *lead.history], now=T0)


def test_a_history_without_its_create_event_is_refused_naming_the_lead():
    lead = new_lead("L-7").advance(at=T0 + DAY).lead

    with pytest.raises(InvalidField, match="lead 'L-7'"):
        time_in_lead_stages(list(lead.history[1:]), now=T0 + DAY)


@pytest.mark.parametrize("bad", ["L-1", 42, None, {"event": "teleport", "lead_id": "L-1"}])
def test_something_that_is_not_a_lead_is_refused(bad):
    with pytest.raises(InvalidField):
        time_in_lead_stages([new_lead("L-0"), bad], now=T0)


def test_stage_durations_refuse_impossible_figures():
    times = time_in_lead_stages([new_lead("L-1")], now=T0 + DAY)

    with pytest.raises(InvalidField, match="ongoing"):
        Durations("time in stage", "interest", "f", [DAY], counted="leads", ongoing=2)
    with pytest.raises(InvalidType, match="one per LeadStage"):
        type(times)(now=times.now, leads=1, stages=times.stages[:-1])
    with pytest.raises(InvalidField, match="the stage 'awareness'"):
        type(times)(now=times.now, leads=1, stages=(times["lost"], *times.stages[1:]))


def test_the_stage_times_format_as_a_table_marking_open_stages():
    times = time_in_lead_stages([new_lead("L-1")], now=T0 + DAY)

    text = times.format()

    assert "awareness" in text
    assert text.splitlines()[2].endswith("*")
    assert "slowest open stage (by median): awareness" in text


# -- demos ----------------------------------------------------------------------------------


def with_activities(lead_id, *steps):
    """A lead through ``steps``: activity kinds, "lose", "reactivate", an hour apart."""
    lead = new_lead(lead_id)
    for hour, step in enumerate(steps, start=1):
        at = T0 + timedelta(hours=hour)
        if step == "lose":
            lead = lead.lose(reason=LostReason.BUDGET, at=at).lead
        elif step == "disqualify":
            lead = lead.disqualify(at=at).lead
        elif step == "reactivate":
            lead = lead.reactivate(at=at).lead
        else:
            lead = lead.log_activity(kind=step, at=at).lead
    return lead


def test_the_share_lost_after_a_demo_counts_losses_after_the_first_demo_only():
    leads = [
        with_activities("L-1", "demo", "lose"),
        with_activities("L-2", "demo", "demo"),
        with_activities("L-3", "lose", "reactivate", "demo"),  # lost before the demo
        with_activities("L-4", "intro_call"),  # no demo: not in the denominator
    ]

    result = lead_conversion_rate(leads, variant="lost_after_demo")

    assert (result.numerator, result.denominator) == (1, 3)
    assert result.formula == "leads with a demo that were later lost / leads with a demo"


def test_a_lead_lost_after_a_demo_counts_even_if_reactivated_or_disqualified():
    leads = [
        with_activities("L-1", "demo", "lose", "reactivate"),
        with_activities("L-2", "demo", "disqualify"),
    ]

    assert lead_conversion_rate(leads, variant="lost_after_demo").fraction == 1


def test_the_share_asking_for_a_demo_after_an_intro_call():
    leads = [
        with_activities("L-1", "intro_call", "call", "demo"),
        with_activities("L-2", "intro_call", "call"),
        with_activities("L-3", "demo", "intro_call"),  # the demo came first
        with_activities("L-4", "intro_call", "intro_call", "demo"),
        with_activities("L-5", "demo"),  # no intro call: not in the denominator
    ]

    result = lead_conversion_rate(leads, variant="demo_after_intro_call")

    assert result.fraction == Fraction(2, 4)
    assert dict(result.inputs) == {"leads with an intro call": 4, "demo after the intro call": 2}


def test_no_demos_or_intro_calls_give_undefined_shares_or_errors_on_request():
    leads = [with_activities("L-1", "call")]

    assert lead_conversion_rate(leads, variant="lost_after_demo").value is None
    assert lead_conversion_rate(leads, variant="demo_after_intro_call").value is None
    with pytest.raises(UndefinedMetric, match="leads with a demo is 0"):
        lead_conversion_rate(leads, variant="lost_after_demo", on_empty="raise")
    with pytest.raises(UndefinedMetric, match="leads with an intro call is 0"):
        lead_conversion_rate(leads, variant="demo_after_intro_call", on_empty="raise")


def test_leads_must_be_an_iterable_of_leads():
    with pytest.raises(InvalidType, match="leads"):
        lead_conversion_rate(new_lead("L-1"), variant="lost_after_demo")


# -- lead laws ------------------------------------------------------------------------------

ACTIONS = ("intro_call", "demo", "call", "lose", "reactivate", "advance")


def build(lead_id, actions):
    """Apply the actions that are legal at each point; return the lead and those applied."""
    lead, applied = new_lead(lead_id), []
    for hour, action in enumerate(actions, start=1):
        at = T0 + timedelta(hours=hour)
        lost = lead.stage is LeadStage.LOST
        if action == "lose" and not lost:
            lead = lead.lose(reason=LostReason.BUDGET, at=at).lead
        elif action == "reactivate" and lost:
            lead = lead.reactivate(at=at).lead
        elif action == "advance" and lead.stage in (LeadStage.AWARENESS, LeadStage.INTEREST):
            lead = lead.advance(at=at).lead
        elif action in ("intro_call", "demo", "call"):
            lead = lead.log_activity(kind=action, at=at).lead
        else:
            continue
        applied.append(action)
    return lead, applied


def reference_lost_after_demo(sequences):
    demos = [s for s in sequences if "demo" in s]
    lost = [s for s in demos if "lose" in s[s.index("demo") :]]
    return Fraction(len(lost), len(demos)) if demos else None


def reference_demo_after_intro(sequences):
    calls = [s for s in sequences if "intro_call" in s]
    asked = [s for s in calls if "demo" in s[s.index("intro_call") :]]
    return Fraction(len(asked), len(calls)) if calls else None


lead_actions = st.lists(st.lists(st.sampled_from(ACTIONS), max_size=8), max_size=6)


@given(lead_actions, st.randoms(use_true_random=False))
def test_demo_shares_agree_with_references_from_shuffled_events(plans, rng):
    built = [build(f"L-{n}", plan) for n, plan in enumerate(plans)]
    events = [e for lead, _ in built for e in lead.history]
    rng.shuffle(events)
    sequences = [applied for _, applied in built]

    lost = lead_conversion_rate(events, variant="lost_after_demo")
    asked = lead_conversion_rate(events, variant="demo_after_intro_call")

    assert lost.fraction == reference_lost_after_demo(sequences)
    assert asked.fraction == reference_demo_after_intro(sequences)
    for ratio in (lost, asked):
        assert ratio.fraction is None or 0 <= ratio.fraction <= 1


@given(lead_actions)
def test_stage_totals_add_up_to_the_leads_ages_and_medians_match_a_reference(plans):
    leads = [build(f"L-{n}", plan)[0] for n, plan in enumerate(plans)]
    now = T0 + timedelta(days=2)

    times = time_in_lead_stages(leads, now=now)

    assert sum((d.total for d in times.values()), timedelta(0)) == (now - T0) * len(leads)
    for stage, duration in times.items():
        spent = [
            lead.time_in_stages(now)[stage].total
            for lead in leads
            if stage in lead.time_in_stages(now)
        ]
        assert duration.count == len(spent)
        assert duration.median == (statistics.median(spent) if spent else None)
        assert duration.ongoing == sum(1 for lead in leads if lead.stage is stage)


def test_conversion_rate_takes_counts_or_ids_by_variant_and_refuses_a_mix():
    by_ids = conversion_rate(visitors=["a", "b"], converted=["a"], variant="distinct_ids")

    assert (by_ids.numerator, by_ids.denominator, by_ids.variant) == (1, 2, "distinct ids")
    with pytest.raises(InvalidField) as caught:
        conversion_rate(conversions=1, visitors=["a"], converted=["a"], variant="distinct_ids")
    assert caught.value.field == "conversions"
    with pytest.raises(InvalidField) as caught:
        conversion_rate(visitors=["a"], variant="distinct_ids")
    assert caught.value.field == "converted"
    with pytest.raises(InvalidField) as caught:
        conversion_rate(conversions=1, visitors=2, converted=["a"])
    assert caught.value.field == "converted"
    with pytest.raises(InvalidField) as caught:
        conversion_rate(conversions=1, visitors=2, variant="ids")
    assert caught.value.field == "variant"
