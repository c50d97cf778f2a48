"""Random command sequences against Lead, beside a small reference model of DESIGN.md."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from salesflow import SalesflowError
from salesflow.leads import ActivityKind, Lead, LeadSource, LeadStage, LostReason

OPEN = ["awareness", "interest", "consideration", "decision"]
FORWARD = dict(itertools.pairwise(OPEN))
BACK = {later: earlier for earlier, later in FORWARD.items()}


def model_moves(stage: str, qualified: bool, lost_from: str | None) -> dict[str, str]:
    moves: dict[str, str] = {}
    if stage in FORWARD:
        moves["advance"] = FORWARD[stage]
    if stage in BACK:
        moves["move_back"] = BACK[stage]
    if stage in ("awareness", "interest") and qualified:
        moves["fast_track"] = "decision"
    if stage in OPEN:
        moves["lose"] = moves["disqualify"] = "lost"
    if stage == "decision":
        moves["win"] = "customer"
    if stage in ("customer", "retained"):
        moves["repeat_purchase"] = "retained"
    if stage == "lost":
        moves["reactivate"] = lost_from  # type: ignore[assignment]
    return moves


def snapshot(lead: Lead, now: datetime) -> tuple:
    """Everything a lead says about itself: a refused command must leave all of it as it was."""
    return (
        json.dumps(lead.to_dict(), sort_keys=True),
        lead.stage,
        lead.version,
        lead.updated_at,
        lead.qualification,
        lead.lost_reason,
        lead.lost_note,
        lead.come_back_on,
        lead.lost_from,
        lead.allowed_events,
        lead.time_in_stages(now),
        (lead.had_intro_call, lead.had_demo, lead.demo_after_intro_call, lead.lost_after_demo),
    )


def journey_of(history: tuple) -> tuple[bool, bool, bool, bool]:
    """The reference: intro call, demo, demo after an intro call, lost after a demo."""
    kinds = [getattr(event, "kind", None) for event in history]
    demo_at = kinds.index(ActivityKind.DEMO) if ActivityKind.DEMO in kinds else None
    demos_after_intro = [
        position
        for position, kind in enumerate(kinds)
        if kind is ActivityKind.DEMO and ActivityKind.INTRO_CALL in kinds[:position]
    ]
    lost_after = demo_at is not None and any(
        getattr(event, "to_stage", None) is LeadStage.LOST for event in history[demo_at:]
    )
    return (
        ActivityKind.INTRO_CALL in kinds,
        demo_at is not None,
        bool(demos_after_intro),
        lost_after,
    )


BAD_CALLS = [
    ("advance", (), {"at": datetime(2026, 11, 23, 9)}),  # naive
    ("advance", (), {"at": datetime.min.replace(tzinfo=UTC)}),
    ("advance", (), {"at": None}),
    ("advance", (), {"at": datetime(2026, 11, 22, 9, tzinfo=UTC)}),
    ("advance", (), {"at": datetime(2026, 12, 1, tzinfo=UTC), "actor": ""}),
    ("advance", (), {"at": datetime(2026, 12, 1, tzinfo=UTC), "expected_version": "1"}),
    ("lose", (), {"reason": "bogus", "at": datetime(2026, 12, 1, tzinfo=UTC)}),
    ("lose", (), {"reason": None, "at": datetime(2026, 12, 1, tzinfo=UTC)}),
    ("lose", (), {"reason": "other", "at": datetime(2026, 12, 1, tzinfo=UTC), "note": ""}),
    (
        "lose",
        (),
        {
            "reason": "seasonal",
            "at": datetime(2026, 12, 1, tzinfo=UTC),
            "come_back_on": "2027-01-01",
        },
    ),
    ("move_back", (), {"reason": "", "at": datetime(2026, 12, 1, tzinfo=UTC)}),
    ("log_activity", (), {"kind": -1, "at": datetime(2026, 12, 1, tzinfo=UTC)}),
    ("log_activity", (), {"kind": {}, "at": datetime(2026, 12, 1, tzinfo=UTC)}),
    ("qualify", (), {"at": datetime.max.replace(tzinfo=UTC), "actor": None}),
]

EVENTS = [
    "advance",
    "fast_track",
    "move_back",
    "win",
    "repeat_purchase",
    "lose",
    "disqualify",
    "reactivate",
]
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class LeadMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.lead = Lead.create(lead_id="L-9", source=LeadSource.OUTBOUND, at=T0).lead
        self.stage, self.qualified, self.lost_from = "awareness", False, None
        self.clock = T0
        self.previous_history = self.lead.history

    def _send(self, event: str):
        if event == "move_back":
            return self.lead.move_back(reason="re-think", at=self.clock)
        if event == "lose":
            return self.lead.lose(reason=LostReason.NO_RESPONSE, at=self.clock)
        return getattr(self.lead, event)(at=self.clock)

    @rule(hours=st.integers(min_value=0, max_value=72))
    def time_passes(self, hours: int) -> None:
        self.clock += timedelta(hours=hours)

    @rule(event=st.sampled_from(EVENTS))
    def stage_command(self, event: str) -> None:
        before = self.lead
        moves = model_moves(self.stage, self.qualified, self.lost_from)
        if event in moves:
            self.lead = self._send(event).lead
            target = moves[event]
            if target == "lost":
                self.lost_from = self.stage
                if event == "disqualify":
                    self.qualified = False
            elif self.stage == "lost":
                self.lost_from = None
            self.stage = target
        else:
            try:
                self._send(event)
            except SalesflowError:
                pass
            else:
                raise AssertionError(f"{event} from {self.stage} should be refused")
            assert self.lead == before
            assert snapshot(self.lead, self.clock) == snapshot(before, self.clock)

    @rule()
    def qualify(self) -> None:
        if self.stage in OPEN:
            self.lead = self.lead.qualify(at=self.clock).lead
            self.qualified = True
        else:
            before = self.lead
            try:
                self.lead.qualify(at=self.clock)
            except SalesflowError:
                pass
            else:
                raise AssertionError(f"qualify from {self.stage} should be refused")
            assert self.lead == before

    @rule(call=st.sampled_from(BAD_CALLS))
    def a_refused_call_changes_nothing(self, call) -> None:
        name, args, kwargs = call
        before = snapshot(self.lead, self.clock)

        try:
            getattr(self.lead, name)(*args, **kwargs)
        except SalesflowError:
            pass
        else:
            raise AssertionError(f"{name}{args} {kwargs} should be refused")

        assert snapshot(self.lead, self.clock) == before

    @rule(kind=st.sampled_from(list(ActivityKind)))
    def log_activity(self, kind: ActivityKind) -> None:
        self.lead = self.lead.log_activity(kind=kind, at=self.clock, actor="sam").lead

    @invariant()
    def stage_matches_the_model(self) -> None:
        assert self.lead.stage.value == self.stage
        assert self.lead.allowed_events == set(
            model_moves(self.stage, self.qualified, self.lost_from)
        )

    @invariant()
    def lost_always_has_an_active_reason_and_only_lost_does(self) -> None:
        assert (self.lead.lost_reason is not None) == (self.stage == "lost")

    @invariant()
    def the_history_is_append_only_so_reactivation_keeps_it(self) -> None:
        assert self.lead.history[: len(self.previous_history)] == self.previous_history
        self.previous_history = self.lead.history

    @invariant()
    def replay_and_the_serialised_form_round_trip(self) -> None:
        assert Lead.replay(self.lead.history) == self.lead
        assert Lead.from_dict(json.loads(json.dumps(self.lead.to_dict()))) == self.lead

    @invariant()
    def the_journey_matches_a_scan_of_the_history(self) -> None:
        lead = self.lead
        facts = (
            lead.had_intro_call,
            lead.had_demo,
            lead.demo_after_intro_call,
            lead.lost_after_demo,
        )
        assert facts == journey_of(lead.history)

    @invariant()
    def cumulative_time_in_stages_equals_the_age(self) -> None:
        times = self.lead.time_in_stages(self.clock)
        total = sum((t.total for t in times.values()), timedelta())
        assert total == self.clock - self.lead.created_at
        for stage, durations in times.items():
            visits = self.lead.stage_visits(stage)
            assert durations.count == len(visits)
            assert durations.ongoing == (visits[-1][1] is None)


LeadMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
TestLeadMachine = LeadMachine.TestCase
