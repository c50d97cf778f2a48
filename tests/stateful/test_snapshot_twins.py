"""A snapshot is the aggregate: every command gives the same answer through either path.

Each machine drives an aggregate with its whole history beside the same
aggregate restored from a snapshot taken at a random earlier version plus the
events stored after it (both through JSON, as a host stores them). Every
command, retry, conflict, stale writer, clock skew and refusal must give the
same outcome or the same error on both, and the snapshot written after each
step must be the same document.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from salesflow import Money, SalesflowError
from salesflow.leads import ActivityKind, Lead
from salesflow.orders import (
    CarrierUpdate,
    Customer,
    Order,
    OrderLine,
    ProcessingStep,
    SupportContact,
    apply_carrier_update,
)
from salesflow.routing import Ownership

T0 = datetime.fromisoformat("2026-11-02T09:00:00+01:00")
KEYS = [f"k{n}" for n in range(40)]  # more than the key window: old keys are forgotten


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _answer(call: Any) -> tuple[Any, ...]:
    """What a call gave, comparable across the two paths."""
    try:
        outcome = call()
    except SalesflowError as err:
        return ("refused", type(err).__name__, str(err))
    if hasattr(outcome, "outcomes"):  # a carrier result
        return (
            "carrier",
            outcome.repeated,
            outcome.reason,
            tuple(
                (o.event.to_dict(), o.notification.to_dict(), o.repeated) for o in outcome.outcomes
            ),
        )
    event = outcome.event.to_dict()
    notice = getattr(outcome, "notification", None)
    return ("done", outcome.repeated, event, None if notice is None else notice.to_dict())


def _new(outcome: Any) -> Any:
    return getattr(outcome, "order", None) or getattr(outcome, "lead", None) or outcome.ownership


class Twins(RuleBasedStateMachine):
    """The two paths side by side; subclasses say how to make and drive the aggregate."""

    kind: Any

    def __init__(self) -> None:
        super().__init__()
        self.full = self.start()
        self.clock = self.full.updated_at
        self.counter = 0
        self.calls: dict[str, Any] = {}  # key -> the call that recorded it, to retry

    def start(self) -> Any:  # pragma: no cover - each machine defines it
        raise NotImplementedError

    def twin(self, data: st.DataObject) -> Any:
        cut = data.draw(st.integers(min_value=1, max_value=self.full.version), label="cut")
        snapshot = _json(self.kind.replay(self.full.history[:cut]).to_snapshot())
        tail = [_json(event.to_dict()) for event in self.full.history[cut:]]
        return self.kind.from_snapshot(snapshot, tail=tail)

    def both(self, data: st.DataObject, call: Any, key: str | None = None) -> None:
        twin = self.twin(data)
        before = self.full.to_snapshot()
        first = _answer(lambda: call(self.full))
        second = _answer(lambda: call(twin))
        assert first == second
        if first[0] == "refused":
            assert self.full.to_snapshot() == before == twin.to_snapshot()
            return
        if first[0] == "carrier":
            full, other = call(self.full).order, call(twin).order
        else:
            full, other = _new(call(self.full)), _new(call(twin))
        assert full.to_snapshot() == other.to_snapshot()
        if key is not None and full is not self.full:
            self.calls.setdefault(key, call)
        self.full = full

    @rule(data=st.data())
    def a_retry_of_a_recorded_key(self, data: st.DataObject) -> None:
        remembered = [key for key in self.calls if key in self.full._fold.keys]
        if remembered:
            key = data.draw(st.sampled_from(remembered), label="retried")
            self.both(data, self.calls[key])

    @rule(data=st.data(), count=st.integers(min_value=1, max_value=12))
    def a_burst_of_keyed_commands(self, data: st.DataObject, count: int) -> None:
        for _ in range(count):  # pushes old keys out of the window
            self.counter += 1
            call = self.busy(f"burst-{self.counter}")
            if call is not None:
                self.both(data, call, key=f"burst-{self.counter}")

    def busy(self, key: str) -> Any:  # pragma: no cover - each machine defines it
        raise NotImplementedError

    @rule(hours=st.integers(min_value=-3, max_value=30))
    def time_passes(self, hours: int) -> None:
        self.clock += timedelta(hours=hours)  # backwards too: a command then is a clock conflict

    @invariant()
    def a_snapshot_restores_to_the_same_snapshot(self) -> None:
        snapshot = _json(self.full.to_snapshot())
        assert self.kind.from_snapshot(snapshot).to_snapshot() == snapshot

    @invariant()
    def the_key_window_holds(self) -> None:
        assert len(self.full._fold.keys) <= 32


class OrderTwins(Twins):
    kind = Order

    def start(self) -> Order:
        return Order.place(
            number="1001",
            customer=Customer("c-1", "Ada"),
            lines=[OrderLine("M-1", "Mug", 2, Money("8.50", "EUR"))],
            estimated_delivery=date(2026, 11, 20),
            support=SupportContact(email="help@shop.example"),
            at=T0,
            idempotency_key="place-1",
        ).order

    @rule(
        data=st.data(),
        verb=st.sampled_from(
            ["process", "pick", "pack", "ship", "transit", "transit", "delay", "resume", "deliver"]
        ),
        key=st.none() | st.sampled_from(KEYS),
        given_eta=st.booleans(),
        expected=st.none() | st.integers(min_value=1, max_value=60),
    )
    def command(
        self, data: st.DataObject, verb: str, key: str | None, given_eta: bool, expected: int | None
    ) -> None:
        self.counter += 1
        at = self.clock
        content: dict[str, Any] = {}
        if verb == "process":
            content["step"] = ProcessingStep.STOCK_CHECK
        elif verb == "ship":
            content.update(carrier="DHL", tracking_number="JD01")
        elif verb == "transit":
            content["location"] = f"hub {self.counter % 3}"
        elif verb == "delay":
            content.update(reason="storm", estimated_delivery=at.date() + timedelta(days=4))
        if given_eta and verb in {"ship", "transit", "resume"}:
            content["estimated_delivery"] = at.date() + timedelta(days=self.counter % 5)
        self.both(
            data,
            lambda order: getattr(order, verb)(
                at=at, idempotency_key=key, expected_version=expected, **content
            ),
            key=key,
        )

    def busy(self, key: str) -> Any:
        at, place = self.clock, f"hub {self.counter % 4}"
        if self.full.status.value in {"shipped", "in_transit"}:
            return lambda order: order.transit(location=place, at=at, idempotency_key=key)
        if self.full.status.value == "delayed":
            return lambda order: order.delay(
                reason="storm",
                estimated_delivery=at.date() + timedelta(days=5),
                at=at,
                idempotency_key=key,
            )
        return None

    @rule(
        data=st.data(),
        code=st.sampled_from(["in_transit", "out_for_delivery", "delivered", "failure"]),
        delivery=st.sampled_from([f"d{n}" for n in range(6)]),
        hours_back=st.integers(min_value=0, max_value=4),
    )
    def a_carrier_scan(
        self, data: st.DataObject, code: str, delivery: str, hours_back: int
    ) -> None:
        update = CarrierUpdate(
            vocabulary="easypost",
            code=code,
            tracking_number="JD01",
            at=self.clock - timedelta(hours=hours_back),
            carrier="DHL",
            location=f"depot {hours_back}",
            estimated_delivery=self.clock.date() + timedelta(days=3),
        )
        self.both(data, lambda order: apply_carrier_update(order, update, idempotency_key=delivery))

    @rule(data=st.data())
    def a_repeated_placement(self, data: st.DataObject) -> None:
        twin = self.twin(data)
        place = self.start().history[0]
        again = [
            Order.place(
                number=place.order_number,
                customer=place.customer,
                lines=place.lines,
                estimated_delivery=place.estimated_delivery,
                support=place.support,
                at=self.clock,
                idempotency_key="place-1",
                existing=existing,
            )
            for existing in (self.full, twin)
        ]
        assert all(outcome.repeated for outcome in again)
        assert again[0].event.to_dict() == again[1].event.to_dict()
        assert again[0].notification.to_dict() == again[1].notification.to_dict()


class LeadTwins(Twins):
    kind = Lead

    def start(self) -> Lead:
        return Lead.create(
            lead_id="L-1", source="inbound", at=T0, deal_value=Money("1200", "EUR")
        ).lead

    @rule(
        data=st.data(),
        verb=st.sampled_from(
            [
                "advance",
                "fast_track",
                "move_back",
                "win",
                "repeat_purchase",
                "lose",
                "disqualify",
                "reactivate",
                "qualify",
                "log_activity",
                "log_activity",
                "log_activity",
            ]
        ),
        key=st.none() | st.sampled_from(KEYS),
        actor=st.sampled_from(["kim", "lee", "system"]),
        kind=st.sampled_from(list(ActivityKind)),
    )
    def command(
        self, data: st.DataObject, verb: str, key: str | None, actor: str, kind: ActivityKind
    ) -> None:
        at = self.clock
        content: dict[str, Any] = {"actor": actor}
        if verb == "log_activity":
            content["kind"] = kind
        elif verb == "move_back":
            content["reason"] = "needs more time"
        elif verb == "lose":
            content.update(reason="not_ready", come_back_on=at.date() + timedelta(days=30))
        elif verb == "disqualify":
            content["note"] = "not our market"
        self.both(
            data, lambda lead: getattr(lead, verb)(at=at, idempotency_key=key, **content), key=key
        )

    def busy(self, key: str) -> Any:
        at = self.clock
        return lambda lead: lead.log_activity(
            kind=ActivityKind.CALL, at=at, actor="kim", idempotency_key=key
        )


class OwnershipTwins(Twins):
    kind = Ownership

    def start(self) -> Ownership:
        return Ownership.start(lead_id="L-1", role="qualifier", person="quinn", at=T0).ownership

    @rule(
        data=st.data(),
        verb=st.sampled_from(["hand_off", "accept", "reject", "withdraw", "expire", "reassign"]),
        key=st.none() | st.sampled_from(KEYS[:8]),
        role=st.sampled_from(["qualifier", "closer", "account_manager"]),
        person=st.none() | st.sampled_from(["cleo", "quinn", "abe"]),
    )
    def command(
        self, data: st.DataObject, verb: str, key: str | None, role: str, person: str | None
    ) -> None:
        at = self.clock
        content: dict[str, Any] = {}
        if verb == "hand_off":
            content.update(to_role=role, to_person=person, expires_at=at + timedelta(hours=5))
        elif verb == "accept":
            content["person"] = person
        elif verb == "reject":
            content["reason"] = "not_qualified"
        elif verb == "reassign":
            content["person"] = person or "abe"
        self.both(
            data,
            lambda record: getattr(record, verb)(at=at, idempotency_key=key, **content),
            key=key,
        )

    def busy(self, key: str) -> Any:
        at, person = self.clock, ["cleo", "abe"][self.counter % 2]
        if self.full.pending is not None:
            return None
        return lambda record: record.reassign(person=person, at=at, idempotency_key=key)


TestOrderTwins = OrderTwins.TestCase
TestOrderTwins.settings = settings(max_examples=60, stateful_step_count=60, deadline=None)
TestLeadTwins = LeadTwins.TestCase
TestLeadTwins.settings = settings(max_examples=60, stateful_step_count=60, deadline=None)
TestOwnershipTwins = OwnershipTwins.TestCase
TestOwnershipTwins.settings = settings(max_examples=40, stateful_step_count=40, deadline=None)
