"""Lead benchmarks: stage replay and one backend request."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from benchmarks._harness import Result, interleaved, scenario
from salesflow import Money
from salesflow.leads import (
    ActivityKind,
    Lead,
    LeadLifecycle,
    LeadSource,
    LeadStage,
    allowed_events,
    replay_stage,
)
from salesflow.leads.lifecycle import TRANSITIONS, key

# The baseline: the stage graph written out by hand.
FORWARD = {"awareness": "interest", "interest": "consideration", "consideration": "decision"}
BACK = {"interest": "awareness", "consideration": "interest", "decision": "consideration"}
OPEN = frozenset({"awareness", "interest", "consideration", "decision"})


def hand_replay(events: list[str]) -> str:
    stage, lost_from, qualified = "awareness", "", False
    for event in events:
        if event == "log_activity":
            continue
        if event == "qualify" and stage in OPEN:
            qualified = True
        elif event == "advance":
            stage = FORWARD[stage]
        elif event == "move_back":
            stage = BACK[stage]
        elif event == "fast_track" and qualified and stage in ("awareness", "interest"):
            stage = "decision"
        elif event in ("lose", "disqualify") and stage in OPEN:
            lost_from, stage = stage, "lost"
            qualified = qualified and event == "lose"
        elif event == "reactivate" and stage == "lost":
            stage, lost_from = lost_from, ""
        elif event == "win" and stage == "decision":
            stage = "customer"
        elif event == "repeat_purchase" and stage in ("customer", "retained"):
            stage = "retained"
        else:
            raise ValueError(event)
    return stage


def histories(count: int, seed: int = 2027) -> list[list[str]]:
    rng = random.Random(seed)
    weights = {
        "advance": 8,
        "win": 4,
        "repeat_purchase": 3,
        "reactivate": 3,
        "lose": 1,
        "disqualify": 1,
        "move_back": 1,
        "fast_track": 3,
    }
    result = []
    for _ in range(count):
        stage, lost_from, qualified, events = LeadStage.AWARENESS, None, False, []
        length = rng.randint(3, 12)
        while len(events) < length:
            if stage.is_open and not qualified and rng.random() < 0.2:
                events.append("qualify")
                qualified = True
                continue
            if rng.random() < 0.15:
                events.append("log_activity")
                continue
            options = sorted(allowed_events(stage, qualified=qualified, lost_from=lost_from))
            event = rng.choices(options, [weights.get(o, 2) for o in options])[0]
            target = TRANSITIONS.next(key(stage, qualified, lost_from), event)
            if target is LeadStage.LOST:
                lost_from, qualified = stage, qualified and event != "disqualify"
            else:
                lost_from = None
            stage = target
            events.append(event)
        result.append(events)
    return result


@scenario
def stage_replay(quick: bool) -> list[Result]:
    count = 10_000 if quick else 100_000
    data = histories(count)
    assert all(replay_stage(h).value == hand_replay(h) for h in data)

    def ours() -> None:
        for history in data:
            replay_stage(history)

    def baseline() -> None:
        for history in data:
            hand_replay(history)

    ours_t, base_t = interleaved(ours, baseline, repeat=3 if quick else 5)
    return [
        Result(
            f"lead stage replay, {count:,} histories",
            ours_t / count * 1e6,
            base_t / count * 1e6,
            "us",
            1.5,
            "hand-written dict table",
        )
    ]


T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@scenario
def lead_request(quick: bool) -> list[Result]:
    lead = Lead.create(
        lead_id="L-1", source=LeadSource.INBOUND, at=T0, deal_value=Money("2400", "EUR")
    ).lead
    lead = lead.log_activity(kind=ActivityKind.INTRO_CALL, at=T0 + timedelta(hours=1), actor="kim").lead
    lead = lead.advance(at=T0 + timedelta(hours=2)).lead
    lead = lead.log_activity(kind=ActivityKind.DEMO, at=T0 + timedelta(hours=3), actor="kim").lead
    lead = lead.advance(at=T0 + timedelta(hours=4)).lead
    document = json.loads(json.dumps(lead.to_dict()))
    later = T0 + timedelta(hours=20)

    def ours() -> None:
        outcome = Lead.from_dict(document).advance(at=later, actor="kim")
        outcome.lead.to_dict()

    def baseline() -> None:
        machine = LeadLifecycle(start_value=LeadStage.CONSIDERATION)
        machine.send("advance", qualified=False, lost_from=None)

    number = 200 if quick else 1000
    ours_t, base_t = interleaved(ours, baseline, repeat=3 if quick else 7, number=number)
    return [
        Result(
            "lead backend request, 5 events, advance (restore, command, serialise)",
            ours_t * 1e6,
            base_t * 1e6,
            "us",
            0.10,
            "python-statemachine restore + send",
        )
    ]
