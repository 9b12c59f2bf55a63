"""Projections: what a stream of ledger events says about its order, as pure folds.

`summarize(events)` folds one order's events into an `OrderSummary`; it knows nothing of
how the events were stored. The rules:

- status: the furthest lifecycle step seen, created -> reserved -> paid -> fulfilled
  (`paid` once any payment is recorded, whatever its amount); `expired` or `cancelled`
  once OrderExpired / OrderCancelled is recorded, whatever comes after.
- reserved: the lines of the order's StockReserved event (empty before it, and again
  after StockReleased), for stock netting.
- total: the OrderCreated snapshot's total. paid: the sum of the recorded payments.
- refunds: each refund id is requested, then settled or rejected. Only a settled refund
  moves the books: refunded = the sum of settled refunds. A settled refund stays settled
  even if a rejection was also recorded (the money has moved).
- net = paid - refunded; recon compares net with total, in this order:
  ok (net == total, so a zero-total order owes nothing), refunded (paid in full, and the
  whole shortfall is settled refunds: the books balance), unpaid (net == 0), underpaid
  (net < total), overpaid (net > total). An expired or cancelled order owes nothing: it is
  needs-refund while money it received is not paid back (net > 0), else ok (or refunded).
- refund_status: none (no refunds), pending (a refund awaits its decision or the
  provider), refunded (settled refunds >= paid), partially-refunded (some settled), or
  rejected (every refund was turned down).

`summaries(ledger)` reads every stream once through the Ledger interface and summarises
each, sorted by order id, ready for `recon.reconcile`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InvalidStreamError
from .events import (
    Event,
    ItemLine,
    OrderCancelled,
    OrderCreated,
    OrderExpired,
    OrderFulfilled,
    PaymentRecorded,
    RefundRejected,
    RefundRequested,
    RefundSettled,
    StockReleased,
    StockReserved,
)

if TYPE_CHECKING:  # projections take a ledger but never depend on a store
    from .store import Ledger

CREATED, RESERVED, PAID, FULFILLED = "created", "reserved", "paid", "fulfilled"
EXPIRED, CANCELLED = "expired", "cancelled"
STATUSES = (CREATED, RESERVED, PAID, FULFILLED, EXPIRED, CANCELLED)
ENDED = (EXPIRED, CANCELLED)  # never to be fulfilled
OK, UNPAID, UNDERPAID, OVERPAID = "ok", "unpaid", "underpaid", "overpaid"
REFUNDED_RECON = "refunded"
NEEDS_REFUND = "needs-refund"
RECON_STATUSES = (OK, REFUNDED_RECON, UNPAID, UNDERPAID, OVERPAID, NEEDS_REFUND)
REQUESTED, SETTLED, REJECTED = "requested", "settled", "rejected"
_RANK = {s: i for i, s in enumerate(STATUSES[:4])}
_ENDS = {OrderExpired: EXPIRED, OrderCancelled: CANCELLED}
_STEP = {StockReserved: RESERVED, PaymentRecorded: PAID, OrderFulfilled: FULFILLED}


def recon_status(total: int, net: int, refunded: int = 0) -> str:
    """ok (net == total), refunded (paid in full, short by settled refunds only), unpaid
    (net == 0), underpaid (net < total) or overpaid."""
    if net == total:
        return OK
    if refunded > 0 and net + refunded == total:
        return REFUNDED_RECON
    if net == 0:
        return UNPAID
    return UNDERPAID if net < total else OVERPAID


@dataclass(frozen=True, slots=True)
class RefundView:
    """One refund: the amount asked for, the amount paid back, and where it stands."""

    refund: str
    requested: int
    settled: int
    state: str

    def to_json(self) -> dict[str, Any]:
        """The refund as a JSON object."""
        return {"refund": self.refund, "requested": self.requested} | {
            "settled": self.settled,
            "state": self.state,
        }


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """Everything the books say about one order (see the module docstring for the rules)."""

    order: str
    currency: str
    status: str
    subtotal: int
    discount: int
    tax: int
    total: int
    codes: tuple[str, ...]
    paid: int
    refunded: int
    net: int
    recon: str
    payments: tuple[str, ...]
    refunds: tuple[RefundView, ...]
    reserved: tuple[ItemLine, ...]
    version: int
    created_at: int
    updated_at: int

    @property
    def outstanding(self) -> int:
        """What is still to pay: total - net, never below 0 (the whole total when unpaid)."""
        return max(self.total - self.net, 0)

    @property
    def discrepancy(self) -> int:
        """net - total: > 0 overpaid, < 0 short, 0 settled exactly."""
        return self.net - self.total

    @property
    def is_mismatch(self) -> bool:
        """Money moved and the books disagree with the order: underpaid or overpaid."""
        return self.recon in (UNDERPAID, OVERPAID)

    @property
    def refund_status(self) -> str:
        """none, pending, refunded, partially-refunded or rejected."""
        if not self.refunds:
            return "none"
        if any(r.state == REQUESTED for r in self.refunds):
            return "pending"
        if self.refunded and self.refunded >= self.paid:
            return "refunded"
        return "partially-refunded" if self.refunded else "rejected"

    def open_refunds(self) -> tuple[str, ...]:
        """The ids of refunds still waiting for a decision or for the provider."""
        return tuple(r.refund for r in self.refunds if r.state == REQUESTED)

    def to_json(self) -> dict[str, Any]:
        """The summary as a JSON object."""
        return {
            "order": self.order,
            "currency": self.currency,
            "status": self.status,
            "subtotal": self.subtotal,
            "discount": self.discount,
            "tax": self.tax,
            "total": self.total,
            "codes": list(self.codes),
            "paid": self.paid,
            "refunded": self.refunded,
            "net": self.net,
            "recon": self.recon,
            "refund_status": self.refund_status,
            "payments": list(self.payments),
            "refunds": [r.to_json() for r in self.refunds],
            "reserved": [ln.to_json() for ln in self.reserved],
            "version": self.version,
        }


def summarize(events: Sequence[Event]) -> OrderSummary:
    """Fold one order's events, OrderCreated first, into its summary."""
    if not events or not isinstance(events[0], OrderCreated):
        first = events[0].type if events else "nothing"
        raise InvalidStreamError(f"an order's events must begin with order-created, got {first}")
    created: OrderCreated = events[0]
    status = CREATED
    ended: str | None = None
    paid = refunded = 0
    payments: list[str] = []
    reserved: tuple[ItemLine, ...] = ()
    refunds: dict[str, list[Any]] = {}  # id -> [requested, settled, state]
    for event in events[1:]:
        if isinstance(event, PaymentRecorded):
            paid += event.amount
            payments.append(event.ref)
        elif isinstance(event, RefundRequested):
            refunds.setdefault(event.refund, [0, 0, REQUESTED])[0] = event.amount
        elif isinstance(event, RefundSettled):
            entry = refunds.setdefault(event.refund, [0, 0, REQUESTED])
            entry[1], entry[2] = event.amount, SETTLED
            refunded += event.amount
        elif isinstance(event, RefundRejected):
            entry = refunds.setdefault(event.refund, [0, 0, REQUESTED])
            if entry[2] != SETTLED:
                entry[2] = REJECTED
        elif isinstance(event, StockReserved):
            reserved = event.lines
        elif isinstance(event, StockReleased):
            reserved = ()
        elif type(event) in _ENDS:
            ended = ended or _ENDS[type(event)]
        elif isinstance(event, OrderCreated):
            raise InvalidStreamError(f"order {created.order!r} has a second order-created")
        step = _STEP.get(type(event))
        if step is not None and _RANK[step] > _RANK[status]:
            status = step
    net = paid - refunded
    if ended is None:
        recon = recon_status(created.total, net, refunded)
    else:
        recon = NEEDS_REFUND if net > 0 else REFUNDED_RECON if refunded else OK
    return OrderSummary(
        order=created.order,
        currency=created.currency,
        status=ended or status,
        subtotal=created.subtotal,
        discount=created.discount,
        tax=created.tax,
        total=created.total,
        codes=created.codes,
        paid=paid,
        refunded=refunded,
        net=net,
        recon=recon,
        payments=tuple(payments),
        refunds=tuple(RefundView(rid, r[0], r[1], r[2]) for rid, r in refunds.items()),
        reserved=reserved,
        version=len(events),
        created_at=created.at,
        updated_at=events[-1].at,
    )


def summary_of(ledger: Ledger, order: str) -> OrderSummary:
    """The summary of `order` as the ledger holds it now (UnknownOrderError if none)."""
    return summarize(ledger.events(order))


def summaries(ledger: Ledger) -> list[OrderSummary]:
    """The summary of every order in the ledger, sorted by order id."""
    return [summarize([r.event for r in recs]) for _, recs in ledger.read_all()]
