"""The Order aggregate: an immutable order whose every change is an event.

Each verb returns an :class:`OrderOutcome` (the new order, the event to store,
the notification to send). See docs/orders.md for a walkthrough.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, Final, cast

import attrs

from salesflow import _check, _snapshot
from salesflow._aggregate import (
    SYSTEM,
    Aggregate,
    as_history,
    command,
    fold_checked,
    repeated_creation,
    replayed,
    restore,
    restore_snapshot,
)
from salesflow._durations import Durations
from salesflow._zones import elapsed, utc
from salesflow.errors import ClockConflict, InvalidField, InvalidType
from salesflow.money import Money
from salesflow.orders import _state
from salesflow.orders._state import OrderFold
from salesflow.orders.events import OrderEvent, OrderPlaced, StatusChanged, event_from_dict
from salesflow.orders.lifecycle import TRANSITIONS
from salesflow.orders.notifications import (
    CancelledNotice,
    DelayedNotice,
    DeliveredNotice,
    InTransitNotice,
    Notification,
    PackedNotice,
    PickingNotice,
    ProcessingNotice,
    ProcessingStep,
    ReceivedNotice,
    ShippedNotice,
)
from salesflow.orders.status import OrderStatus
from salesflow.orders.values import Customer, OrderLine, SupportContact

__all__ = ["REVIEW_REQUEST", "SCHEMA", "SNAPSHOT_SCHEMA", "Order", "OrderOutcome"]

SCHEMA: Final = "salesflow.order/1"
"""The ``schema`` tag of :meth:`Order.to_dict` documents."""

SNAPSHOT_SCHEMA: Final = "salesflow.order-snapshot/1"
"""The ``schema`` tag of :meth:`Order.to_snapshot` documents."""

REVIEW_REQUEST: Final = "How did we do? We'd love to hear what you think of your order."


@attrs.frozen
class OrderOutcome:
    """What a command produced: the new order, the event to store, the notification to send.

    ``repeated`` is true when the command's idempotency key had already been
    applied: nothing changed, and the event and notification are the earlier ones.
    """

    order: Order
    event: OrderEvent
    notification: Notification
    repeated: bool = False

    @classmethod
    def of(cls, order: Order, event: OrderEvent, repeated: bool = False) -> OrderOutcome:
        """The outcome of ``event``, one of ``order``'s: its notification is built from it."""
        if not isinstance(order, Order):
            raise InvalidType("order", order, "an Order")
        if not isinstance(event, OrderPlaced | StatusChanged):
            raise InvalidType("event", event, "an OrderPlaced or StatusChanged event")
        return cls(order, event, order._notice(event), repeated)


def _fold_history(events: Sequence[Any]) -> OrderFold:
    return fold_checked(events, OrderPlaced, (StatusChanged,), OrderFold, "order_number")


@attrs.frozen(repr=False)
class Order(Aggregate):
    """An order through its nine statuses, immutable: every verb returns a new order.

    An order *is* its history: ``Order(history)`` replays and checks the events,
    and every other attribute is derived from them. Create one with
    :meth:`place`; restore one with :meth:`replay` or :meth:`from_dict`.

    Every verb takes ``at`` (timezone-aware, not before the latest change),
    ``actor``, an optional ``idempotency_key`` and an optional
    ``expected_version`` (a stale one raises ``VersionConflict``). A key binds
    the command and its arguments (``at`` and ``expected_version`` aside): a
    retry with the same arguments returns the earlier outcome with
    ``repeated=True`` and changes nothing; different arguments raise
    ``IdempotencyConflict``. The verbs a carrier drives (ship, transit,
    deliver, delay, resume) also take ``reported_at``, the carrier's own time
    when it is earlier than ``at``. A refused command raises and leaves the
    order as it was.
    """

    SCHEMA: ClassVar[str] = SCHEMA
    """The ``schema`` tag of :meth:`to_dict` documents."""

    history: tuple[OrderEvent, ...] = attrs.field(converter=as_history)
    _fold: OrderFold = attrs.field(init=False, eq=False, hash=False)
    # The digest of the snapshot it was restored from ("" with its whole history).
    _origin: str = attrs.field(init=False, default="", repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_fold", _fold_history(self.history))

    # -- what the order is -------------------------------------------------

    @property
    def _placed(self) -> OrderPlaced:
        return self._fold.first  # type: ignore[no-any-return]

    @property
    def number(self) -> str:
        return self._placed.order_number

    @property
    def customer(self) -> Customer:
        return self._placed.customer

    @property
    def lines(self) -> tuple[OrderLine, ...]:
        return self._placed.lines

    @property
    def amount_due(self) -> Money:
        return self._placed.amount_due

    @property
    def support(self) -> SupportContact:
        return self._placed.support

    @property
    def placed_at(self) -> datetime:
        return self._placed.at

    @property
    def promised_delivery(self) -> date:
        """The estimated delivery date first promised, at placement."""
        return self._placed.estimated_delivery

    @property
    def estimated_delivery(self) -> date:
        """The estimated delivery date in force now."""
        return self._fold.eta

    @property
    def status(self) -> OrderStatus:
        return self._fold.status

    @property
    def resumes_to(self) -> OrderStatus | None:
        """While delayed, the status the delay interrupted (``resume`` returns there)."""
        return self._fold.resumes_to

    @property
    def processing_step(self) -> ProcessingStep | None:
        return self._fold.step

    @property
    def carrier(self) -> str | None:
        return self._fold.carrier

    @property
    def tracking_number(self) -> str | None:
        return self._fold.tracking_number

    @property
    def tracking_url(self) -> str | None:
        return self._fold.tracking_url

    @property
    def location(self) -> str | None:
        """The last location reported in transit."""
        return self._fold.location

    @property
    def carrier_reported_at(self) -> datetime | None:
        """The latest time a carrier reported for a change of this order (its own clock)."""
        return self._fold.reported

    @property
    def delivered_at(self) -> datetime | None:
        """When the order was delivered: the carrier's own time when it reported the
        delivery (a late scan is recorded later, in order), else the time of the change;
        None until delivered. On-time metrics read this."""
        if self._fold.status is not OrderStatus.DELIVERED:
            return None
        last = self._event(self._fold.version)
        return last.reported_at or last.at if isinstance(last, StatusChanged) else None

    @property
    def was_delayed(self) -> bool:
        """Whether the order was ever delayed (it may have resumed and arrived since).

        Delay-rate metrics read this: an order delayed twice counts once.
        """
        return self._fold.delayed

    @property
    def is_final(self) -> bool:
        return self._fold.status.is_final

    @property
    def allowed_events(self) -> frozenset[str]:
        """The events this order accepts now."""
        return frozenset(TRANSITIONS.table[(self._fold.status, self._fold.resumes_to)])

    def __repr__(self) -> str:
        return f"<Order {self.number} {self.status.value} v{self.version}>"

    # -- creating ------------------------------------------------------------

    @classmethod
    def place(
        cls,
        *,
        number: str,
        customer: Customer,
        lines: Iterable[OrderLine],
        estimated_delivery: date,
        support: SupportContact,
        at: datetime,
        amount_due: Money | None = None,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        existing: Order | None = None,
    ) -> OrderOutcome:
        """A new order, received. ``amount_due`` defaults to the sum of the lines.

        Refuses: no lines (or ``lines`` that is not a list of ``OrderLine``),
        lines in mixed currencies, an amount due in another
        currency or below zero, an estimated delivery before the day of ``at``.

        A retried placement: pass the order already stored for this request as
        ``existing`` (``None`` when there is none) with the same
        ``idempotency_key`` and arguments, and the original outcome comes back
        with ``repeated=True`` (its event and notification, the stored order);
        the same key with different arguments, or an ``existing`` order placed
        under another key, raises ``IdempotencyConflict``. ``at`` does not count.
        """
        if isinstance(lines, str | bytes | dict) or not isinstance(lines, Iterable):
            raise InvalidType("lines", lines, "a list of OrderLine")
        line_tuple = tuple(lines)
        if amount_due is None and line_tuple and all(isinstance(x, OrderLine) for x in line_tuple):
            first = line_tuple[0].unit_price.currency
            if all(line.unit_price.currency == first for line in line_tuple):
                try:
                    amount_due = Money.total((line.total for line in line_tuple), first)
                except InvalidField:
                    raise InvalidField(
                        "lines",
                        line_tuple,
                        "lines whose sum is a supported amount (at most 10**18)",
                    ) from None
        try:
            event = OrderPlaced(
                order_number=number,
                at=at,
                actor=actor,
                customer=customer,
                lines=line_tuple,
                # None only when the lines are invalid, which OrderPlaced reports first.
                amount_due=cast(Money, amount_due),
                estimated_delivery=estimated_delivery,
                support=support,
                idempotency_key=idempotency_key,
            )
        except InvalidField as err:
            if err.field != "order_number":
                raise
            # Named as the caller wrote it: the parameter is ``number``.
            raise type(err)("number", err.value, err.expected, context=err.context) from None
        if existing is not None:
            if not isinstance(existing, Order):
                raise InvalidType("existing", existing, "the Order already stored, or None")
            first_event = repeated_creation(
                f"order {existing.number}",
                existing,
                idempotency_key,
                event,
                names={"order_number": "number"},
            )
            return OrderOutcome.of(existing, first_event, repeated=True)
        order = cls((event,))
        return OrderOutcome.of(order, event)

    @classmethod
    def replay(cls, events: Iterable[OrderEvent]) -> Order:
        """Rebuild an order from its stored events, checking each may follow the last."""
        return replayed(cls, events, "an iterable of order events")

    # -- the verbs -----------------------------------------------------------

    def process(
        self,
        *,
        step: ProcessingStep,
        at: datetime,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OrderOutcome:
        """Start processing: ``step`` says what is being done (stock check, payment)."""
        if isinstance(step, str) and not isinstance(step, ProcessingStep):
            try:
                step = ProcessingStep(step)
            except ValueError:
                raise InvalidField("step", step, f"one of {', '.join(ProcessingStep)}") from None
        return self._change("process", at, actor, idempotency_key, expected_version, step=step)

    def pick(
        self,
        *,
        at: datetime,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OrderOutcome:
        """The order is being picked at the warehouse."""
        return self._change("pick", at, actor, idempotency_key, expected_version)

    def pack(
        self,
        *,
        at: datetime,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OrderOutcome:
        """The order is packed and waiting for the carrier."""
        return self._change("pack", at, actor, idempotency_key, expected_version)

    def ship(
        self,
        *,
        carrier: str,
        tracking_number: str,
        at: datetime,
        tracking_url: str | None = None,
        estimated_delivery: date | None = None,
        reported_at: datetime | None = None,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OrderOutcome:
        """The parcel left with ``carrier``; a tracking number is required."""
        return self._change(
            "ship",
            at,
            actor,
            idempotency_key,
            expected_version,
            estimated_delivery=estimated_delivery,
            carrier=carrier,
            tracking_number=tracking_number,
            tracking_url=tracking_url,
            reported_at=reported_at,
        )

    def transit(
        self,
        *,
        location: str,
        at: datetime,
        estimated_delivery: date | None = None,
        reported_at: datetime | None = None,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OrderOutcome:
        """The parcel is on its way, now at ``location`` (repeat for each new location)."""
        return self._change(
            "transit",
            at,
            actor,
            idempotency_key,
            expected_version,
            estimated_delivery=estimated_delivery,
            location=location,
            reported_at=reported_at,
        )

    def deliver(
        self,
        *,
        at: datetime,
        proof: str | None = None,
        review_url: str | None = None,
        reported_at: datetime | None = None,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OrderOutcome:
        """Delivered (final); the notification confirms it and asks for a review."""
        return self._change(
            "deliver",
            at,
            actor,
            idempotency_key,
            expected_version,
            proof=proof,
            review_url=review_url,
            reported_at=reported_at,
        )

    def cancel(
        self,
        *,
        reason: str,
        at: datetime,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OrderOutcome:
        """Cancel before the parcel leaves (final); a reason is required."""
        return self._change("cancel", at, actor, idempotency_key, expected_version, reason=reason)

    def delay(
        self,
        *,
        reason: str,
        estimated_delivery: date,
        at: datetime,
        reported_at: datetime | None = None,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OrderOutcome:
        """Delayed: a reason and a new estimated delivery date (not before ``at``'s day).

        Delaying a delayed order moves the date again.
        """
        if estimated_delivery is None:
            raise InvalidField("estimated_delivery", None, "the new estimated delivery date")
        return self._change(
            "delay",
            at,
            actor,
            idempotency_key,
            expected_version,
            estimated_delivery=estimated_delivery,
            reason=reason,
            reported_at=reported_at,
        )

    def resume(
        self,
        *,
        at: datetime,
        estimated_delivery: date | None = None,
        reported_at: datetime | None = None,
        actor: str = SYSTEM,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> OrderOutcome:
        """End a delay: back to exactly the status it interrupted."""
        fold = self._fold
        target = fold.resumes_to
        return self._change(
            "resume",
            at,
            actor,
            idempotency_key,
            expected_version,
            estimated_delivery=estimated_delivery,
            step=fold.step if target is OrderStatus.PROCESSING else None,
            location=fold.location if target is OrderStatus.IN_TRANSIT else None,
            reported_at=reported_at,
        )

    def _change(
        self,
        name: str,
        at: datetime,
        actor: str,
        idempotency_key: str | None,
        expected_version: int | None,
        *,
        estimated_delivery: date | None = None,
        **content: Any,
    ) -> OrderOutcome:
        """One verb through the one command pipeline, :func:`salesflow._aggregate.command`."""
        fold = self._fold

        def arguments(earlier: Any) -> dict[str, Any]:
            # The business content: what the event records, and who asked.
            # ``at`` does not count (a retry carries a later time); a missing
            # estimated delivery means the date in force before the earlier event.
            eta = estimated_delivery
            if eta is None:
                eta = self._event(earlier.version - 1).estimated_delivery
            counted = {"actor": actor, "estimated_delivery": eta, **content}
            if name == "resume":  # its step or location is the order's, not an argument
                counted.pop("step", None)
                counted.pop("location", None)
            return counted

        def build(version: int) -> StatusChanged:
            target = TRANSITIONS.next((fold.status, fold.resumes_to), name)
            return StatusChanged(
                order_number=self.number,
                version=version,
                event=name,
                from_status=fold.status,
                to_status=target,
                at=at,
                actor=actor,
                estimated_delivery=fold.eta if estimated_delivery is None else estimated_delivery,
                idempotency_key=idempotency_key,
                **content,
            )

        return command(
            self,
            subject=f"order {self.number}",
            identity=self.number,
            name=name,
            key=idempotency_key,
            expected=expected_version,
            at=at,
            arguments=arguments,
            build=build,
            outcome=OrderOutcome.of,
        )

    # -- notifications -----------------------------------------------------------

    def _notice(self, event: OrderEvent) -> Notification:
        """The notification for ``event``, built from it and the order's fixed facts."""
        placed = self._placed
        common: dict[str, Any] = {
            "order_number": placed.order_number,
            "customer_name": placed.customer.name,
            "support": placed.support,
            "at": event.at,
            "version": event.version,
            "event": event.event,
            "estimated_delivery": event.estimated_delivery,
        }
        if isinstance(event, StatusChanged) and event.event == "deliver" and event.reported_at:
            common["at"] = event.reported_at  # "delivered on ...": the carrier's time
        if isinstance(event, OrderPlaced):
            return ReceivedNotice(items=placed.lines, amount_due=placed.amount_due, **common)
        status = event.to_status
        if status is OrderStatus.PROCESSING:
            return ProcessingNotice(step=cast(ProcessingStep, event.step), **common)
        if status is OrderStatus.PICKING:
            return PickingNotice(**common)
        if status is OrderStatus.PACKED:
            return PackedNotice(**common)
        if status is OrderStatus.SHIPPED:
            shipped = event if event.carrier is not None else self._fold
            return ShippedNotice(
                carrier=cast(str, shipped.carrier),
                tracking_number=cast(str, shipped.tracking_number),
                tracking_url=shipped.tracking_url,
                **common,
            )
        if status is OrderStatus.IN_TRANSIT:
            return InTransitNotice(location=cast(str, event.location), **common)
        if status is OrderStatus.DELAYED:
            return DelayedNotice(reason=cast(str, event.reason), **common)
        common["estimated_delivery"] = None
        if status is OrderStatus.CANCELLED:
            return CancelledNotice(reason=cast(str, event.reason), **common)
        return DeliveredNotice(
            review_request=REVIEW_REQUEST, proof=event.proof, review_url=event.review_url, **common
        )

    # -- serialisation -----------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible primitives: the history, plus a summary for the host's queries.

        Amounts are strings, datetimes ISO 8601 with their offset, dates ISO 8601.
        An order restored from a snapshot has no whole history to write: refused
        (store its new events and :meth:`to_snapshot` instead).
        """
        self._whole("to_dict")
        return {
            "schema": SCHEMA,
            "number": self.number,
            "status": self._fold.status.value,
            "version": self._fold.version,
            "history": [event.to_dict() for event in self.history],
        }

    @classmethod
    def from_dict(cls, document: Any) -> Order:
        """Rebuild from :meth:`to_dict`, replaying and checking every event.

        A tampered or invalid document (an impossible transition, a summary that
        disagrees with the history, a malformed field) raises ``CorruptDocument``
        (an ``InvalidField``) naming the path, such as ``history[3].to_status``.
        """
        return restore(
            document,
            schema=SCHEMA,
            keys=_SUMMARY_KEYS,
            parse=event_from_dict,
            build=cls,
            summary=_summary,
        )

    def to_snapshot(self) -> dict[str, Any]:
        """What the next command needs, as JSON primitives, sealed by a digest.

        Store it beside the history and restore with :meth:`from_snapshot` in
        time independent of the history's length. It holds the placement, the
        current facts, the idempotency keys still remembered (the last
        ``KEY_WINDOW`` = 32 keyed commands) and the events their repeats read.
        See docs/orders.md ("Snapshots").
        """
        fold = self._fold
        first = fold.recent.first if fold.recent is not None else self._placed.to_dict()
        return _snapshot.write(
            schema=SNAPSHOT_SCHEMA,
            identity=("number", self.number),
            fold=fold,
            history=self.history,
            state=_state.state(fold),
            first=first,
            needed=_state.needed(fold),
        )

    @classmethod
    def from_snapshot(cls, snapshot: Any, *, tail: Iterable[Any] = ()) -> Order:
        """The order a :meth:`to_snapshot` document describes, with the events stored after it.

        ``tail`` holds those events (``OrderEvent`` objects or their
        ``to_dict()`` forms) in version order, each checked as :meth:`replay`
        checks it. Refused, naming the path: a snapshot altered anywhere (its
        digest no longer matches), malformed or inconsistent
        (``snapshot.state.resumes_to``), and a tail event that may not follow
        (``tail[0].version``). The order's ``history`` then holds only the tail
        and later events (``snapshot_version`` says where it starts); readings
        of the whole history (``time_in_statuses``) ask for :meth:`replay`.
        """
        return restore_snapshot(
            cls,
            snapshot,
            tail,
            schema=SNAPSHOT_SCHEMA,
            identity="number",
            parse=event_from_dict,
            first=OrderPlaced,
            changes=(StatusChanged,),
            fold=_state.restored,
            sealed=_state.placement,
            needed=_state.needed,
        )

    # -- reading the history -------------------------------------------------------

    def time_in_statuses(self, now: datetime) -> Mapping[OrderStatus, Durations]:
        """Time in each status the order stayed in, up to ``now``: one span per stay.

        A stay runs from the change that entered the status to the next change
        (an order processing, delayed, then processing again has two
        processing stays); ``count`` is the number of stays, ``total`` their
        sum, and ``ongoing`` is 1 for the status the order is in at ``now``,
        counted up to ``now``. Delivered and cancelled are final: no time is
        measured there, so they never appear. Durations are absolute (elapsed
        between UTC instants). Refused: a naive ``now``, or one before the
        latest change (named ``now``). Example: docs/orders.md.
        """
        _check.aware("now", now)
        self._whole("time_in_statuses")
        if utc(now) < utc(self._fold.last_at):
            raise ClockConflict(
                "now",
                now,
                f"a time on or after the latest change ({self.updated_at.isoformat()})",
                latest=self.updated_at,
            )
        stays: dict[OrderStatus, list[timedelta]] = {}
        status, entered = OrderStatus.RECEIVED, self.placed_at
        for event in cast(tuple[StatusChanged, ...], self.history[1:]):
            stays.setdefault(status, []).append(elapsed(entered, event.at))
            status, entered = event.to_status, event.at
        if not status.is_final:
            stays.setdefault(status, []).append(elapsed(entered, now))
        return {
            stayed: Durations(
                f"time in {stayed.value}",
                f"order {self.number}'s stays",
                "sum of the stays (the ongoing one up to now)",
                spans,
                counted="stays",
                ongoing=1 if stayed is status and not status.is_final else 0,
            )
            for stayed, spans in stays.items()
        }

    def apply(self, command: Any) -> OrderOutcome:
        """Run ``command`` (a :class:`salesflow.Command` changing an order) on this order.

        Refused, naming ``command``: anything but an order change (place with
        ``command.apply(existing)``).
        """
        from salesflow.commands import Command  # here: commands imports this module

        return Command._on(self, command)


_SUMMARY_KEYS: Final = ("number", "status", "version")


def _summary(order: Order) -> dict[str, Any]:
    return {"number": order.number, "status": order.status.value, "version": order.version}
