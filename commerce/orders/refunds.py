"""Refunds: the refund lifecycle flow (flows/refund.scm) serviced against the ledger.

request -> approve | reject -> settle. The request is recorded (RefundRequested) before
the flow starts and the flow waits on `approve` (a human or policy decision); approval
moves it to `settle` (the provider paying back); settlement records RefundSettled and
ends the flow. A rejection records RefundRejected and cancels the flow. Only a settled
refund moves the books. The flow's argument is (order-id refund-id), which is how the
service finds it again; every step is idempotent like the order service's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flowhost import FlowHost, Symbol

from ..errors import (
    OrderStateError,
    RefundTooLargeError,
    UnknownOrderError,
    UnknownRefundError,
)
from ..ledger.events import RefundApproved, RefundRejected, RefundRequested, RefundSettled
from ..ledger.projections import OrderSummary, RefundView, summary_of
from ..ledger.store import Ledger
from ..money import require_amount, require_text
from .flowcalls import retrying, run_flow_step, waiting_kind

REFUND_FLOW = "refund-lifecycle"


@dataclass(frozen=True, slots=True)
class RefundState:
    """A refund as the books and its flow see it."""

    order: str
    refund: str
    amount: int
    state: str  # requested, settled, rejected
    waiting_on: str | None  # approve, settle, or None
    summary: OrderSummary

    @property
    def stage(self) -> str:
        """requested, approved (waiting for the provider), settled or rejected."""
        if self.state == "requested" and self.waiting_on == "settle":
            return "approved"
        return self.state


class Refunds:
    """The refund service."""

    def __init__(self, host: FlowHost, ledger: Ledger, *, clock: Callable[[], int]) -> None:
        self.host = host
        self.ledger = ledger
        self.clock = clock

    def request(self, order: str, refund: str, amount: int) -> RefundState:
        """Record a refund request and start its flow (waiting on approval); the room
        check, the record and the flow's start are one transaction, so two requests at
        once can never refund more than was paid."""
        require_text(order, "order id")
        require_text(refund, "refund id")
        require_amount(amount, "refund amount")
        return retrying(lambda: self._request(order, refund, amount))

    def _request(self, order: str, refund: str, amount: int) -> RefundState:
        with self.host.store.transaction():
            s = self._summary(order)
            view = self._view(s, refund, missing_ok=True)
            if view is None:
                open_amount = sum(r.requested for r in s.refunds if r.state == "requested")
                room = s.net - open_amount
                if s.net <= 0:
                    raise OrderStateError(f"order {order!r} has nothing paid to refund")
                if amount > room:
                    raise RefundTooLargeError(
                        f"refund {refund} of {amount} is more than order {order!r} can pay "
                        f"back: net paid {s.net}, already being refunded {open_amount}"
                    )
            self.ledger.append_once(
                order, RefundRequested(at=self.clock(), refund=refund, amount=amount)
            )
            flow_id = self._start(order, refund)
            return self.state(order, refund, flow_id)

    def approve(self, order: str, refund: str) -> RefundState:
        """Approve: the flow moves on to wait for the provider's settlement."""
        _require_ids(order, refund)
        return retrying(lambda: self._approve(order, refund))

    def _approve(self, order: str, refund: str) -> RefundState:
        with self.host.store.transaction():
            flow_id, view = self._need_flow(order, refund)
            rec = self.host.record(flow_id)
            if waiting_kind(self.host, flow_id, rec) == "approve":
                self.ledger.append_once(order, RefundApproved(at=self.clock(), refund=refund))
                run_flow_step(
                    "refund flow",
                    lambda: self.host.resume(
                        flow_id, Symbol("approved"), kind="approve", version=rec.version
                    ),
                )
            elif view.state == "rejected":
                raise OrderStateError(f"refund {refund} of order {order!r} was rejected")
            return self.state(order, refund, flow_id)

    def reject(self, order: str, refund: str) -> RefundState:
        """Reject while it waits for approval: recorded, and the flow is cancelled."""
        _require_ids(order, refund)
        return retrying(lambda: self._reject(order, refund))

    def _reject(self, order: str, refund: str) -> RefundState:
        with self.host.store.transaction():
            flow_id, view = self._need_flow(order, refund)
            if view.state == "settled":
                raise OrderStateError(f"refund {refund} of order {order!r} is already settled")
            waiting = waiting_kind(self.host, flow_id)
            if waiting not in ("approve", None):
                raise OrderStateError(f"refund {refund} of order {order!r} was approved already")
            self.ledger.append_once(order, RefundRejected(at=self.clock(), refund=refund))
            if waiting == "approve":
                run_flow_step("refund flow", lambda: self.host.cancel(flow_id))
            return self.state(order, refund, flow_id)

    def settle(self, order: str, refund: str) -> RefundState:
        """The provider paid the refund back: recorded once, the flow ends."""
        _require_ids(order, refund)
        return retrying(lambda: self._settle(order, refund))

    def _settle(self, order: str, refund: str) -> RefundState:
        with self.host.store.transaction():
            flow_id, view = self._need_flow(order, refund)
            rec = self.host.record(flow_id)
            waiting = waiting_kind(self.host, flow_id, rec)
            if view.state == "rejected":
                raise OrderStateError(f"refund {refund} of order {order!r} was rejected")
            if waiting == "approve":
                raise OrderStateError(f"refund {refund} of order {order!r} is not approved yet")
            self.ledger.append_once(
                order, RefundSettled(at=self.clock(), refund=refund, amount=view.requested)
            )
            if waiting == "settle":
                run_flow_step(
                    "refund flow",
                    lambda: self.host.resume(
                        flow_id, Symbol("refunded"), kind="settle", version=rec.version
                    ),
                )
            return self.state(order, refund, flow_id)

    def state(self, order: str, refund: str, flow_id: int | None = None) -> RefundState:
        """Where the refund stands (flow_id: its flow, when the caller knows it)."""
        s = self._summary(order)
        view = self._view(s, refund)
        if flow_id is None:
            flow_id = self._flow(order, refund)
        waiting = waiting_kind(self.host, flow_id) if flow_id is not None else None
        return RefundState(order, refund, view.requested, view.state, waiting, s)

    # -- internals -----------------------------------------------------------------------
    def _summary(self, order: str) -> OrderSummary:
        if not self.ledger.exists(order):
            raise UnknownOrderError(f"no order {order!r}")
        return summary_of(self.ledger, order)

    @staticmethod
    def _view(s: OrderSummary, refund: str, missing_ok: bool = False) -> RefundView:
        for r in s.refunds:
            if r.refund == refund:
                return r
        if missing_ok:
            return None  # type: ignore[return-value]
        raise UnknownRefundError(f"order {s.order!r} has no refund {refund!r}")

    def _flow(self, order: str, refund: str) -> int | None:
        rec = self.host.store.get_by_key(refund_key(order, refund))
        if rec is not None:
            return rec.id
        ids = self.host.find(REFUND_FLOW, [order, refund])  # begun before flows had keys
        return ids[0] if ids else None

    def _start(self, order: str, refund: str) -> int:
        """The refund's flow: started once, under its key (or the one begun before keys)."""
        flow_id = self._flow(order, refund)
        if flow_id is not None:
            return flow_id
        return run_flow_step(
            "refund flow",
            lambda: self.host.start(REFUND_FLOW, [order, refund], key=refund_key(order, refund)),
        ).id

    def _need_flow(self, order: str, refund: str) -> tuple[int, RefundView]:
        """The refund's flow and its ledger view."""
        view = self._view(self._summary(order), refund)
        return self._start(order, refund), view


def _require_ids(order: object, refund: object) -> None:
    require_text(order, "order id")
    require_text(refund, "refund id")


def refund_key(order: str, refund: str) -> str:
    """The flow key of a refund's flow: one flow per refund of an order."""
    return f"refund:{order}:{refund}"
