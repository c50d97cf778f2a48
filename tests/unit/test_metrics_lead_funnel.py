"""The lead funnel: funnel() straight from leads, and the leads lost at each step (issue 15).

The steps reached are held to the funnel of events over the rows a lead's
history gives (what examples/shop_day.py used to build by hand); the losses
to a brute-force count written here from the raw events, never from the
Lead's own lost_from or stage visits.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from salesflow import Command, InvalidField, InvalidType, schemas
from salesflow._durations import Durations
from salesflow.leads import FunnelStep, Lead, LeadSource, LeadStage, LostReason
from salesflow.leads.events import LeadStageChanged
from salesflow.metrics.funnel import DEFAULT_FUNNEL_STEPS, Funnel, FunnelLoss, funnel
from strategies import lead_lives

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
STAGES = ("awareness", "interest", "consideration", "decision", "customer", "retained")
ALIASES = {"action": "customer", "retention": "retained"}


def new(lead_id: str, at: datetime = T0) -> Lead:
    return Lead.create(lead_id=lead_id, source=LeadSource.INBOUND, at=at).lead


def five_leads() -> list[Lead]:
    """The five leads of docs/metrics.md ("Lead funnel and where leads drop out")."""
    ada = new("ada").advance(at=T0 + DAY).lead.advance(at=T0 + 3 * DAY).lead
    ada = ada.advance(at=T0 + 4 * DAY).lead.win(at=T0 + 6 * DAY).lead
    bob = new("bob").advance(at=T0 + DAY).lead.lose(reason="budget", at=T0 + 5 * DAY).lead
    cyd = new("cyd").lose(reason="no_response", at=T0 + 2 * DAY).lead
    dan = new("dan").qualify(at=T0).lead.fast_track(at=T0 + DAY).lead
    dan = dan.lose(reason="competitor", at=T0 + 4 * DAY).lead
    eve = new("eve").advance(at=T0 + DAY).lead.advance(at=T0 + 2 * DAY).lead
    return [ada, bob, cyd, dan, eve]


def lives_to_leads(lives: list[list[dict]]) -> list[Lead]:
    """Each drawn life replayed through Command as a lead of its own id."""
    leads = []
    for number, bodies in enumerate(lives):
        lead = None
        for body in bodies:
            body = dict(body)
            if body["command"] == "create":
                body["lead_id"] = f"L-{number}"
            outcome = Command.from_dict(body).apply(lead)
            lead = outcome.lead
        leads.append(lead)
    return leads


def stage_rows(leads: list[Lead], steps: list[str]) -> list[dict]:
    """Event records from the histories: at each move, every step up to the stage moved to."""
    position = {stage: k for k, stage in enumerate(STAGES)}
    rows = []
    for lead in leads:
        moves = [(LeadStage.AWARENESS, lead.created_at)]
        moves += [
            (event.to_stage, event.at)
            for event in lead.history
            if isinstance(event, LeadStageChanged) and event.to_stage is not LeadStage.LOST
        ]
        for stage, at in moves:
            for step in steps:
                if position[ALIASES.get(step, step)] <= position[stage.value]:
                    rows.append({"person_id": lead.id, "step": step, "at": at})
    return rows


def brute_force_losses(leads, steps, window):
    """Per step: Counter of reasons and the list of stays, from the raw events only.

    A lead counts when its last stage change is a loss; the stage it was lost
    from is that event's from_stage, its stay runs from the last change into
    that stage (or the creation) to the loss, and its entry t0 is the first
    moment it stood at or beyond the first step's stage.
    """
    position = {stage: k for k, stage in enumerate(STAGES)}
    wanted = [position[ALIASES.get(step, step)] for step in steps]
    reasons = [Counter() for _ in steps]
    spans = [[] for _ in steps]
    for lead in leads:
        changes = [e for e in lead.history if isinstance(e, LeadStageChanged)]
        if not changes or changes[-1].to_stage is not LeadStage.LOST:
            continue
        loss = changes[-1]
        moments = [(LeadStage.AWARENESS, lead.created_at)] + [(e.to_stage, e.at) for e in changes]
        entries = [
            at
            for stage, at in moments
            if stage is not LeadStage.LOST and position[stage.value] >= wanted[0]
        ]
        if not entries:
            continue
        t0 = min(entries, key=lambda at: at.astimezone(UTC))
        if window is not None and loss.at - t0 > window:
            continue
        into = [at for stage, at in moments[:-1] if stage is loss.from_stage]
        stay = loss.at - into[-1]
        lost_from = position[loss.from_stage.value]
        step = max([k for k, p in enumerate(wanted) if p <= lost_from], default=0)
        reasons[step][loss.lost_reason] += 1
        spans[step].append(stay)
    return reasons, spans


# -- the hand-counted example ----------------------------------------------------------------


def test_a_funnel_straight_from_leads_counts_each_stage_reached_and_each_loss():
    result = funnel(five_leads(), window=None)

    assert result.steps == tuple(step.value for step in FunnelStep)
    assert result.reached == (5, 4, 3, 2, 1, 0)
    assert [loss.count for loss in result.losses] == [1, 1, 0, 1, 0, 0]
    assert result.lost == 3
    assert result.counted == "leads"


def test_each_loss_carries_its_reason_and_the_time_in_its_stage_before_the_loss():
    result = funnel(five_leads(), window=None)

    awareness, interest, _, decision, *_ = result.losses
    assert awareness.reasons == ((LostReason.NO_RESPONSE, 1),)
    assert interest.reasons == ((LostReason.BUDGET, 1),)
    assert decision.reasons == ((LostReason.COMPETITOR, 1),)
    assert awareness.median_before_loss == 2 * DAY
    assert interest.median_before_loss == 4 * DAY  # in interest from day 1 to day 5
    assert decision.median_before_loss == 3 * DAY  # fast-tracked on day 1, lost on day 4
    assert result.longest_before_loss == "interest"


def test_the_loss_rate_is_the_leads_lost_at_a_step_over_those_that_reached_it():
    result = funnel(five_leads(), window=None)

    decision = result.step("decision")

    assert decision.lost == 1
    assert decision.loss_rate.numerator == 1
    assert decision.loss_rate.denominator == 2
    assert decision.loss_rate.formula == "leads lost at decision / leads that reached decision"
    assert result.step("retention").loss_rate.defined is False


def test_the_median_before_loss_is_the_median_of_the_lost_leads_stays():
    stays = [1, 2, 4, 8]
    leads = [
        new(f"L-{n}").advance(at=T0).lead.lose(reason="budget", at=T0 + days * DAY).lead
        for n, days in enumerate(stays)
    ]

    loss = funnel(leads, window=None).step("interest").loss

    assert loss.count == 4
    assert loss.median_before_loss == statistics.median(stays) * DAY
    assert loss.by_reason[LostReason.BUDGET] == 4
    assert loss.by_reason[LostReason.OTHER] == 0


# -- the shapes a lead comes in ---------------------------------------------------------------


def test_leads_their_documents_their_events_and_loose_events_give_the_same_funnel():
    leads = five_leads()
    expected = funnel(leads, window=None)

    documents = [lead.to_dict() for lead in leads]
    histories = [list(lead.history) for lead in leads]
    loose = [event.to_dict() for lead in reversed(leads) for event in lead.history]

    assert funnel(documents, window=None) == expected
    assert funnel(histories, window=None) == expected
    assert funnel(loose, window=None) == expected
    assert funnel(iter(documents), window=None) == expected
    assert funnel((lead for lead in leads), window=None) == expected


def test_a_lead_funnel_takes_the_stages_own_names_and_a_subset_of_them():
    leads = five_leads()

    by_stage = funnel(leads, window=None, steps=[LeadStage.AWARENESS, "decision", "customer"])

    assert by_stage.steps == ("awareness", "decision", "customer")
    assert by_stage.reached == (5, 2, 1)
    # bob (interest) and cyd (awareness) count at awareness, the step before their stage
    assert [loss.count for loss in by_stage.losses] == [2, 1, 0]
    assert dict(by_stage.losses[0].reasons) == {LostReason.BUDGET: 1, LostReason.NO_RESPONSE: 1}


def test_a_lead_reactivated_since_did_not_drop_out_and_one_lost_twice_counts_once():
    back = new("back").advance(at=T0).lead.lose(reason="budget", at=T0 + DAY).lead
    back = back.reactivate(at=T0 + 2 * DAY).lead
    twice = new("twice").advance(at=T0).lead.lose(reason="budget", at=T0 + DAY).lead
    twice = twice.reactivate(at=T0 + 2 * DAY).lead.advance(at=T0 + 3 * DAY).lead
    twice = twice.lose(reason="competitor", at=T0 + 5 * DAY).lead

    result = funnel([back, twice], window=None)

    assert result.lost == 1
    assert result.step("consideration").loss.reasons == ((LostReason.COMPETITOR, 1),)
    assert result.step("consideration").loss.median_before_loss == 2 * DAY


def test_a_lead_lost_after_the_window_is_not_counted_as_lost():
    early = new("early").lose(reason="no_response", at=T0 + 2 * DAY).lead
    late = new("late").lose(reason="no_response", at=T0 + 40 * DAY).lead

    result = funnel([early, late], window=timedelta(days=30))

    assert result.step("awareness").lost == 1
    assert funnel([early, late], window=None).step("awareness").lost == 2


def test_a_lead_that_moved_back_counts_at_the_stage_it_was_lost_from():
    lead = new("L-1").advance(at=T0).lead.advance(at=T0 + DAY).lead.advance(at=T0 + 2 * DAY).lead
    lead = lead.move_back(reason="needs another demo", at=T0 + 3 * DAY).lead
    lead = lead.lose(reason="budget", at=T0 + 7 * DAY).lead

    result = funnel([lead], window=None)

    assert result.reached[:4] == (1, 1, 1, 1)
    assert result.step("consideration").lost == 1
    assert result.step("consideration").loss.median_before_loss == 4 * DAY
    assert result.step("decision").lost == 0


# -- laws over generated leads ------------------------------------------------------------------

# At least one lead: an empty input says nothing of leads, so it is a funnel of events.
LEADS = st.lists(lead_lives(max_changes=12), min_size=1, max_size=10).map(lives_to_leads)
STEP_LISTS = st.sampled_from(
    [
        [step.value for step in FunnelStep],
        list(STAGES),
        ["awareness", "decision", "customer"],
        ["interest", "consideration", "action"],
        ["consideration", "decision"],
        ["awareness", "retention"],
    ]
)
WINDOWS = st.sampled_from([None, timedelta(hours=20), timedelta(days=2), timedelta(days=5)])
SOME = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SOME
@given(leads=LEADS, steps=STEP_LISTS, window=WINDOWS)
def test_a_lead_funnel_reaches_what_the_funnel_of_its_stage_rows_reaches(leads, steps, window):
    expected = funnel(stage_rows(leads, steps), steps=steps, window=window)

    result = funnel(leads, steps=steps, window=window)

    assert result.reached == expected.reached


@SOME
@given(leads=LEADS, steps=STEP_LISTS, window=WINDOWS)
def test_the_losses_at_each_step_are_the_brute_force_count_of_the_raw_events(leads, steps, window):
    reasons, spans = brute_force_losses(leads, steps, window)

    result = funnel(leads, steps=steps, window=window)

    assert [Counter(dict(loss.reasons)) for loss in result.losses] == reasons
    assert [sorted(loss.time_before_loss.spans) for loss in result.losses] == [
        sorted(found) for found in spans
    ]
    assert all(
        loss.count <= reached for loss, reached in zip(result.losses, result.reached, strict=True)
    )


@SOME
@given(leads=LEADS)
def test_every_lead_lost_now_counts_once_without_a_window(leads):
    result = funnel(leads, window=None)

    assert result.lost == sum(lead.stage is LeadStage.LOST for lead in leads)


# -- the table, its schema and its frame -----------------------------------------------------


def test_a_lead_funnels_records_add_the_loss_columns_and_an_event_funnel_keeps_its_own():
    leads = funnel(five_leads(), window=None)
    events = funnel([{"person_id": 1, "step": "visit", "at": T0}], window=None)

    names = [name for name, _ in (*Funnel.COLUMNS, *Funnel.LOSS_COLUMNS)]
    assert all(list(row) == names for row in leads.to_records())
    assert all(list(row) == [name for name, _ in Funnel.COLUMNS] for row in events.to_records())
    assert leads.to_records()[1]["lost_budget"] == 1
    assert leads.to_records()[1]["loss_rate"] == Decimal("0.25")


def test_a_lead_funnels_records_match_the_funnel_schema_and_a_partial_loss_row_does_not():
    validator = Draft202012Validator(schemas.schema("metric.funnel"))
    records = json.loads(
        json.dumps(schemas.primitives(funnel(five_leads(), window=None).to_records()))
    )

    broken = [dict(records[0])]
    del broken[0]["lost_other"]

    assert validator.is_valid(records)
    assert not validator.is_valid(broken)


def test_a_lead_funnel_as_a_frame_has_the_loss_columns_typed():
    pl = pytest.importorskip("polars")

    frame = funnel(five_leads(), window=None).to_frame("polars")

    assert frame.columns[-1] == "median_before_loss"
    assert frame["median_before_loss"].dtype == pl.Duration("us")
    assert frame["lost"].to_list() == [1, 1, 0, 1, 0, 0]


def test_a_lead_funnels_html_shows_the_leads_lost_and_the_loss_rate():
    markup = funnel(five_leads(), window=None)._repr_html_()

    assert "<th>lost</th>" in markup
    assert "<th>loss rate</th>" in markup


def test_a_lead_funnels_repr_says_how_many_leads_were_lost():
    assert repr(funnel(five_leads(), window=None)).endswith("0 / 5 converted, 3 lost>")


def test_an_empty_input_is_a_funnel_of_events_that_knows_no_losses():
    result = funnel([], window=None)

    assert result.steps == DEFAULT_FUNNEL_STEPS
    assert result.losses is None
    assert result.lost is None


# -- refusals ---------------------------------------------------------------------------------


def test_a_lead_record_without_a_history_is_refused_naming_it_as_the_caller_passed_it():
    leads = five_leads()

    with pytest.raises(InvalidType, match=r"^rows\[1\]: .*the lead funnel reads each lead's"):
        funnel([leads[0], {"lead_id": "x", "won_at": None}], window=None)


def test_an_event_record_among_leads_is_refused_naming_it():
    leads = five_leads()

    with pytest.raises(InvalidType, match=r"^rows\[2\]"):
        funnel([*leads[:2], {"person_id": 1, "step": "visit", "at": T0}], window=None)


def test_a_lead_funnels_steps_must_be_lead_stages_in_order_each_once():
    leads = five_leads()

    with pytest.raises(InvalidField, match=r"^steps\[1\]: got 'visit', expected a stage"):
        funnel(leads, window=None, steps=["awareness", "visit"])
    with pytest.raises(InvalidField, match=r"^steps\[1\]: got 'interest', expected a stage after"):
        funnel(leads, window=None, steps=["decision", "interest"])
    with pytest.raises(InvalidField, match=r"^steps\[2\]: got 'action', expected a stage after"):
        funnel(leads, window=None, steps=["awareness", "customer", "action"])


def test_a_funnel_loss_refuses_a_reason_twice_and_spans_that_are_not_one_per_lead():
    one_day = Durations("time in stage before loss", "x", "x", [DAY], counted="lost leads")

    with pytest.raises(InvalidField, match="each reason once"):
        FunnelLoss("interest", [("budget", 1), (LostReason.BUDGET, 1)], one_day)
    with pytest.raises(
        InvalidField, match=r"^FunnelLoss: reasons: .*time_before_loss, one span each \(1\)"
    ):
        FunnelLoss("interest", {"budget": 2}, one_day)
    with pytest.raises(InvalidField, match=r"reasons\['budget'\]"):
        FunnelLoss("interest", {"budget": 0}, one_day)


def test_a_funnel_refuses_losses_out_of_step_and_more_lost_than_reached():
    one_day = Durations("time in stage before loss", "x", "x", [DAY], counted="lost leads")
    none = Durations("time in stage before loss", "x", "x", [], counted="lost leads")
    losses = (FunnelLoss("a", {"budget": 1}, one_day), FunnelLoss("b", {}, none))

    with pytest.raises(InvalidField, match="one FunnelLoss per step, in step order"):
        Funnel(("b", "a"), (1, 0), None, losses=losses, counted="leads")
    with pytest.raises(InvalidField, match=r"losses\[0\].*at most the leads that reached a \(0\)"):
        Funnel(("a", "b"), (0, 0), None, losses=losses, counted="leads")
