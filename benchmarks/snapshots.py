"""Backend requests through a snapshot, and the cost per event of the full-history audit.

A request: restore from the snapshot's dict (as json.loads gives it), apply
one command, produce its event and notification, and serialise the new event
and the new snapshot to primitives (the host's json.dumps is not counted; it
is printed for information). The baseline restores python-statemachine's
class at the state and sends one event, and checks nothing.
"""

from __future__ import annotations

import json
from datetime import timedelta

from benchmarks._harness import Result, best_time, interleaved, scenario
from benchmarks.orders import T0, _order
from salesflow import Money
from salesflow.leads import ActivityKind, Lead, LeadLifecycle, LeadSource, LeadStage
from salesflow.orders import Order, OrderLifecycle, OrderStatus

LATER = T0 + timedelta(days=400)


def _order_request(steps: int) -> tuple[str, object, object, object]:
    order = _order(steps)
    snapshot = json.loads(json.dumps(order.to_snapshot()))
    status = order.status
    event = "ship" if status is OrderStatus.PACKED else "deliver"

    def command(restored: Order):  # type: ignore[no-untyped-def]
        if event == "ship":
            return restored.ship(
                carrier="DPD", tracking_number="DPD-1", at=LATER, idempotency_key="req-9"
            )
        return restored.deliver(at=LATER, proof="signed", idempotency_key="req-9")

    def ours() -> object:
        outcome = command(Order.from_snapshot(snapshot))
        outcome.notification.to_dict()
        return outcome.event.to_dict(), outcome.order.to_snapshot()

    def baseline() -> None:
        machine = OrderLifecycle(start_value=status)
        machine.send(event)

    return f"order request via snapshot, {steps} events, {event}", ours, baseline, order


def _lead(activities: int, *, keyed: bool = True) -> Lead:
    lead = Lead.create(
        lead_id="L-1", source=LeadSource.INBOUND, at=T0, deal_value=Money("2400", "EUR")
    ).lead
    lead = lead.advance(at=T0 + timedelta(minutes=1), actor="kim").lead
    lead = lead.advance(at=T0 + timedelta(minutes=2), actor="kim").lead
    for n in range(activities):
        lead = lead.log_activity(
            kind=ActivityKind.CALL,
            at=T0 + timedelta(minutes=3 + n),
            actor="kim",
            idempotency_key=f"call-{n}" if keyed else None,
        ).lead
    return lead


def _lead_request(activities: int, *, keyed: bool = True) -> tuple[object, object, Lead]:
    lead = _lead(activities, keyed=keyed)
    snapshot = json.loads(json.dumps(lead.to_snapshot()))

    def ours() -> object:
        outcome = Lead.from_snapshot(snapshot).log_activity(
            kind=ActivityKind.MEETING, at=LATER, actor="kim", idempotency_key="req-9"
        )
        return outcome.event.to_dict(), outcome.lead.to_snapshot()

    def baseline() -> None:
        machine = LeadLifecycle(start_value=LeadStage.CONSIDERATION)
        machine.send("advance", qualified=False, lost_from=None)

    return ours, baseline, lead


@scenario
def snapshot_requests(quick: bool) -> list[Result]:
    number, repeat = (200, 3) if quick else (1000, 7)
    results = []
    for steps in (4, 7):
        name, ours, baseline, order = _order_request(steps)
        ours_t, base_t = interleaved(ours, baseline, repeat=repeat, number=number)
        size = len(json.dumps(order.to_snapshot()))
        results.append(
            Result(
                f"{name} ({size:,} B snapshot)",
                ours_t * 1e6,
                base_t * 1e6,
                "us",
                0.10,
                "python-statemachine restore + send",
            )
        )
    lead_times: dict[int, float] = {}
    for activities in (5, 50, 500, 2000):
        ours, baseline, lead = _lead_request(activities)
        ours_t, base_t = interleaved(ours, baseline, repeat=repeat, number=number)
        lead_times[activities] = ours_t
        size = len(json.dumps(lead.to_snapshot()))
        results.append(
            Result(
                f"lead request via snapshot, {activities:,} activities ({size:,} B snapshot)",
                ours_t * 1e6,
                base_t * 1e6,
                "us",
                0.10,
                "python-statemachine restore + send",
            )
        )
    results.append(
        Result(
            "lead request via snapshot: 2,000 keyed activities against 5",
            lead_times[2000] * 1e6,
            lead_times[5] * 1e6,
            "us",
            1.3,
            "the same request at 5 activities",
        )
    )
    # What grows from 5 to 2,000 is the key window filling (5 keys, then 32), not the
    # history: against 50 activities (a full window), and without keys, the cost is flat.
    results.append(
        Result(
            "lead request via snapshot: 2,000 keyed activities against 50",
            lead_times[2000] * 1e6,
            lead_times[50] * 1e6,
            "us",
            None,
            "the same request at 50 activities",
        )
    )
    plain = {}
    for activities in (5, 2000):
        ours, _, _ = _lead_request(activities, keyed=False)
        plain[activities] = best_time(ours, repeat=repeat, number=number)
    results.append(
        Result(
            "lead request via snapshot: 2,000 activities against 5, no keys",
            plain[2000] * 1e6,
            plain[5] * 1e6,
            "us",
            None,
            "the same request at 5 activities",
        )
    )
    return results


@scenario
def full_history_restore(quick: bool) -> list[Result]:
    """The audit path: from_dict parses and checks every event (for information)."""
    results = []
    order = _order(7)
    document = json.loads(json.dumps(order.to_dict()))
    text = json.dumps(order.to_dict())
    repeat, number = (3, 50) if quick else (5, 200)
    parsed = best_time(lambda: Order.from_dict(document), repeat=repeat, number=number)
    with_json = best_time(lambda: Order.from_dict(json.loads(text)), repeat=repeat, number=number)
    results.append(
        Result(
            "order from_dict per event (7 events; json.loads included)",
            parsed / order.version * 1e6,
            with_json / order.version * 1e6,
            "us",
            None,
            "the same with json.loads",
        )
    )
    lead = _lead(2000)
    document = json.loads(json.dumps(lead.to_dict()))
    text = json.dumps(lead.to_dict())
    parsed = best_time(lambda: Lead.from_dict(document), repeat=repeat, number=1)
    with_json = best_time(lambda: Lead.from_dict(json.loads(text)), repeat=repeat, number=1)
    results.append(
        Result(
            "lead from_dict per event (2,003 events)",
            parsed / lead.version * 1e6,
            with_json / lead.version * 1e6,
            "us",
            None,
            "the same with json.loads",
        )
    )
    return results
