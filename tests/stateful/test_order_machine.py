"""Random command sequences against Order, beside a small reference model of DESIGN.md."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from helpers import placed
from salesflow import IdempotencyConflict, SalesflowError
from salesflow.orders import Channel, Order, OrderStatus, ProcessingStep
from salesflow.orders.notifications import NOTICE_TYPES

# The reference model, written from DESIGN.md without the library's table.
STRAIGHT = {
    "received": {"process": "processing", "cancel": "cancelled"},
    "processing": {"pick": "picking", "cancel": "cancelled", "delay": "delayed"},
    "picking": {"pack": "packed", "cancel": "cancelled", "delay": "delayed"},
    "packed": {"ship": "shipped", "cancel": "cancelled", "delay": "delayed"},
    "shipped": {"transit": "in_transit", "deliver": "delivered", "delay": "delayed"},
    "in_transit": {"transit": "in_transit", "deliver": "delivered", "delay": "delayed"},
    "delivered": {},
    "cancelled": {},
}
BEFORE_SHIPPING = {"processing", "picking", "packed"}


def model_moves(status: str, interrupted: str | None) -> dict[str, str]:
    if status != "delayed":
        return STRAIGHT[status]
    moves = {"delay": "delayed", "resume": interrupted}
    if interrupted in BEFORE_SHIPPING:
        moves["cancel"] = "cancelled"
    else:
        moves["deliver"] = "delivered"
    return moves


EVENTS = ["process", "pick", "pack", "ship", "transit", "deliver", "cancel", "delay", "resume"]


class OrderMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.order = placed()
        self.status = "received"
        self.interrupted: str | None = None
        self.ever_delayed = False
        self.clock = self.order.updated_at
        self.keys: dict[str, str] = {}
        self.contents: dict[str, dict[str, object]] = {}
        self.counter = 0

    def _content(self, event: str, at: datetime, good: bool = True) -> dict[str, object]:
        content: dict[str, object] = {}
        if event == "process":
            content["step"] = ProcessingStep.STOCK_CHECK
        elif event == "ship":
            content.update(carrier="DHL", tracking_number="JD01" if good else " ")
        elif event == "transit":
            content["location"] = f"hub {self.counter}" if good else ""
        elif event == "cancel":
            content["reason"] = "customer asked" if good else "  "
        elif event == "delay":
            content["reason"] = "storm"
            days = 3 if good else -2
            content["estimated_delivery"] = at.date() + timedelta(days=days)
        return content

    def _command(self, event: str, at: datetime, key: str | None, good: bool = True):
        content = self._content(event, at, good)
        if key is not None:
            self.contents.setdefault(key, content)
        return getattr(self.order, event)(at=at, idempotency_key=key, **content)

    def _refused_changes_nothing(self, before: Order, document: dict[str, object]) -> None:
        assert self.order is before
        assert self.order == before
        assert self.order.version == before.version
        assert self.order.to_dict() == document
        assert Order.replay(self.order.history).to_dict() == document

    @rule(hours=st.integers(min_value=0, max_value=30))
    def time_passes(self, hours: int) -> None:
        self.clock += timedelta(hours=hours)

    @rule(event=st.sampled_from(EVENTS), with_key=st.booleans(), good=st.booleans())
    def command(self, event: str, with_key: bool, good: bool) -> None:
        self.counter += 1
        key = f"key-{self.counter}" if with_key else None
        before = self.order
        allowed = model_moves(self.status, self.interrupted)
        needs_content = event in {"ship", "transit", "cancel", "delay"}
        if event in allowed and (good or not needs_content):
            outcome = self._command(event, self.clock, key)
            target = allowed[event]
            if target == "delayed":
                self.ever_delayed = True
            if target == "delayed" and self.status != "delayed":
                self.interrupted = self.status
            elif target != "delayed":
                self.interrupted = None
            self.status = target
            self.order = outcome.order
            if key:
                self.keys[key] = event
            assert outcome.order.version == before.version + 1
            assert type(outcome.notification) is NOTICE_TYPES[OrderStatus(target)]
            self._check_notification(outcome.notification)
        else:
            document = before.to_dict()
            try:
                self._command(event, self.clock, key, good)
            except SalesflowError:
                pass
            else:
                raise AssertionError(f"{event} from {self.status} should be refused")
            self.contents.pop(key or "", None)
            self._refused_changes_nothing(before, document)
            # The refused key was not remembered: it is free for a new command.
            if key is not None:
                assert key not in self.order._fold.keys

    @rule(hours_back=st.integers(min_value=1, max_value=5))
    def a_command_back_in_time_is_refused(self, hours_back: int) -> None:
        before = self.order
        document = before.to_dict()
        event = next(iter(sorted(model_moves(self.status, self.interrupted))), "process")
        try:
            self._command(event, self.order.updated_at - timedelta(hours=hours_back), None)
        except SalesflowError:
            pass
        else:
            raise AssertionError("a command before the latest change was applied")
        self._refused_changes_nothing(before, document)

    @precondition(lambda self: bool(self.keys))
    @rule(data=st.data(), later=st.integers(min_value=0, max_value=48))
    def a_retry_changes_nothing(self, data: st.DataObject, later: int) -> None:
        key = data.draw(st.sampled_from(sorted(self.keys)))
        event = self.keys[key]
        content = self.contents[key]
        before = self.order
        document = before.to_dict()
        earlier = next(e for e in before.history if e.idempotency_key == key)

        # A retry carries a later time and the version it read first: still a repeat.
        outcome = getattr(before, event)(
            at=self.clock + timedelta(hours=later),
            idempotency_key=key,
            expected_version=max(1, earlier.version - 1),
            **content,
        )

        assert outcome.repeated
        assert outcome.order is before
        assert outcome.event is earlier
        assert outcome.notification == before._notice(earlier)
        other = next(e for e in EVENTS if e != event)
        with pytest.raises(SalesflowError):  # a conflict, or another check refusing first
            self._command(other, self.clock, key)
        self._refused_changes_nothing(before, document)

    @precondition(lambda self: any(self.contents.get(k) for k in self.keys))
    @rule(data=st.data())
    def a_retry_with_other_arguments_is_a_conflict(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(k for k in self.keys if self.contents.get(k))))
        event = self.keys[key]
        content = dict(self.contents[key])
        name = data.draw(st.sampled_from(sorted(content)))
        value = content[name]
        if name == "step":
            content[name] = ProcessingStep.PAYMENT_CONFIRMATION
        elif isinstance(value, date):
            content[name] = value + timedelta(days=1)
        else:
            content[name] = f"{value} (changed)"
        before = self.order
        document = before.to_dict()

        with pytest.raises(IdempotencyConflict) as caught:
            getattr(before, event)(at=self.clock, idempotency_key=key, **content)

        assert (caught.value.key, caught.value.argument) == (key, name)

        self._refused_changes_nothing(before, document)

    @precondition(lambda self: self.order.version > 1)
    @rule()
    def a_stale_writer_is_refused(self) -> None:
        before = self.order
        document = before.to_dict()
        event = next(iter(sorted(model_moves(self.status, self.interrupted))), None)
        if event is None:
            return
        try:
            self.order.delay(
                reason="x",
                estimated_delivery=date(2031, 1, 1),
                at=self.clock,
                expected_version=self.order.version - 1,
            )
        except SalesflowError:
            pass
        else:
            raise AssertionError("a stale expected_version was accepted")
        self._refused_changes_nothing(before, document)

    def _check_notification(self, notice: object) -> None:
        assert notice.customer_name == "Ada"  # type: ignore[attr-defined]
        assert "help@shop.example" in notice.message  # type: ignore[attr-defined]
        channels = set(notice.channels)  # type: ignore[attr-defined]
        status = notice.status.value  # type: ignore[attr-defined]
        assert Channel.EMAIL in channels
        assert (Channel.SMS in channels) == (status in {"shipped", "delivered"})
        assert (Channel.PHONE_CALL in channels) == (status in {"cancelled", "delayed"})

    @invariant()
    def status_matches_the_model(self) -> None:
        assert self.order.status.value == self.status
        assert self.order.resumes_to == (
            OrderStatus(self.interrupted) if self.interrupted else None
        )

    @invariant()
    def was_delayed_matches_the_model(self) -> None:
        assert self.order.was_delayed is self.ever_delayed

    @invariant()
    def final_means_no_allowed_events(self) -> None:
        if self.status in {"delivered", "cancelled"}:
            assert self.order.allowed_events == frozenset()
        assert self.order.allowed_events == set(model_moves(self.status, self.interrupted))

    @invariant()
    def the_key_index_is_the_keys_of_the_history(self) -> None:
        history = self.order.history
        assert self.order._fold.keys == {
            e.idempotency_key: e.version for e in history if e.idempotency_key is not None
        }
        assert set(self.order._fold.keys) == set(self.keys)

    @invariant()
    def replay_and_the_serialised_form_round_trip(self) -> None:
        assert Order.replay(self.order.history) == self.order
        document = json.loads(json.dumps(self.order.to_dict()))
        restored = Order.from_dict(document)
        assert restored == self.order
        assert restored.was_delayed is self.order.was_delayed
        assert restored.time_in_statuses(self.clock) == self.order.time_in_statuses(self.clock)

    @invariant()
    def the_stays_add_up_to_the_time_until_now_or_the_final_change(self) -> None:
        times = self.order.time_in_statuses(self.clock)
        until = self.order.updated_at if self.order.is_final else self.clock
        assert sum((d.total for d in times.values()), timedelta()) == until - self.order.placed_at
        assert sum(d.ongoing for d in times.values()) == (0 if self.order.is_final else 1)
        assert sum(d.count for d in times.values()) == len(self.order.history) - (
            1 if self.order.is_final else 0
        )


OrderMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
TestOrderMachine = OrderMachine.TestCase
