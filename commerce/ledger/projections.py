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

`apply(summary, events)` is the same fold, incremental: the ledgers keep one summary row
per order with it, updated in the transaction of each append (one upsert), so
`summary_of(ledger, order)` and `summaries(ledger)` (sorted by order id, ready for
`recon.reconcile`) read rows, never events. A new event type folds in by one branch in
`_Fold.step` (and its status in `_STEP`): `summarize` and `apply` are the same code.
"""

from __future__ import annotations

import json
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


def order_recon(total: int, net: int, refunded: int, ended: str | None) -> str:
    """recon_status for an order still in its lifecycle; an expired or cancelled one owes
    nothing: needs-refund while it holds money (net > 0), else refunded or ok."""
    if ended is None:
        return recon_status(total, net, refunded)
    return NEEDS_REFUND if net > 0 else REFUNDED_RECON if refunded else OK


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


class _Fold:
    """The working state of a fold over one order's events (mutable, private): `step`
    takes one event; `summary` freezes what the fold says so far."""

    __slots__ = ("base", "status", "paid", "refunded", "payments", "reserved", "refunds")
    __slots__ += ("version", "updated_at", "ended")

    def __init__(self, base: OrderSummary) -> None:
        self.base = base
        # once expired or cancelled, always so: the lifecycle rank before it is not needed
        self.ended = base.status if base.status in ENDED else None
        self.status = CREATED if self.ended else base.status
        self.paid, self.refunded = base.paid, base.refunded
        self.payments = list(base.payments)
        self.reserved = base.reserved
        self.refunds: dict[str, list[Any]] = {  # id -> [requested, settled, state]
            r.refund: [r.requested, r.settled, r.state] for r in base.refunds
        }
        self.version, self.updated_at = base.version, base.updated_at

    def step(self, event: Event) -> None:
        """Fold one more event (the next of the stream) in."""
        refunds = self.refunds
        if isinstance(event, PaymentRecorded):
            self.paid += event.amount
            self.payments.append(event.ref)
        elif isinstance(event, RefundRequested):
            refunds.setdefault(event.refund, [0, 0, REQUESTED])[0] = event.amount
        elif isinstance(event, RefundSettled):
            entry = refunds.setdefault(event.refund, [0, 0, REQUESTED])
            entry[1], entry[2] = event.amount, SETTLED
            self.refunded += event.amount
        elif isinstance(event, RefundRejected):
            entry = refunds.setdefault(event.refund, [0, 0, REQUESTED])
            if entry[2] != SETTLED:
                entry[2] = REJECTED
        elif isinstance(event, StockReserved):
            self.reserved = event.lines
        elif isinstance(event, StockReleased):
            self.reserved = ()
        elif type(event) in _ENDS:
            self.ended = self.ended or _ENDS[type(event)]
        elif isinstance(event, OrderCreated):
            raise InvalidStreamError(f"order {self.base.order!r} has a second order-created")
        step = _STEP.get(type(event))
        if step is not None and _RANK[step] > _RANK[self.status]:
            self.status = step
        self.version += 1
        self.updated_at = event.at

    def summary(self) -> OrderSummary:
        b, net = self.base, self.paid - self.refunded
        # built field by field (not dataclasses.replace, which costs more than the fold)
        return OrderSummary(
            b.order,
            b.currency,
            self.ended or self.status,
            b.subtotal,
            b.discount,
            b.tax,
            b.total,
            b.codes,
            self.paid,
            self.refunded,
            net,
            order_recon(b.total, net, self.refunded, self.ended),
            tuple(self.payments),
            tuple([RefundView(rid, r[0], r[1], r[2]) for rid, r in self.refunds.items()])
            if self.refunds
            else (),
            self.reserved,
            self.version,
            b.created_at,
            self.updated_at,
        )


def created(event: Event) -> OrderSummary:
    """The summary of an order that has only its OrderCreated event."""
    if not isinstance(event, OrderCreated):
        raise InvalidStreamError(
            f"an order's events must begin with order-created, got {event.type}"
        )
    return OrderSummary(
        order=event.order,
        currency=event.currency,
        status=CREATED,
        subtotal=event.subtotal,
        discount=event.discount,
        tax=event.tax,
        total=event.total,
        codes=event.codes,
        paid=0,
        refunded=0,
        net=0,
        recon=recon_status(event.total, 0),
        payments=(),
        refunds=(),
        reserved=(),
        version=1,
        created_at=event.at,
        updated_at=event.at,
    )


def apply(summary: OrderSummary | None, events: Sequence[Event]) -> OrderSummary:
    """The summary after `events` (the next ones of the stream; from nothing when summary
    is None): the incremental fold the ledgers keep their summary rows with."""
    if summary is None:
        if not events:
            raise InvalidStreamError("an order's events must begin with order-created, got nothing")
        summary, events = created(events[0]), events[1:]
    if not events:
        return summary
    fold = _Fold(summary)
    for event in events:
        fold.step(event)
    return fold.summary()


def summarize(events: Sequence[Event]) -> OrderSummary:
    """Fold one order's events, OrderCreated first, into its summary."""
    return apply(None, events)


_COMPACT = json.JSONEncoder(separators=(",", ":"))  # json.dumps(..., separators) made once


def summary_text(s: OrderSummary) -> str:
    """The summary as one JSON text (a ledger's summary row); summary_from_text reads it."""
    row = [
        s.order, s.currency, s.status, s.subtotal, s.discount, s.tax, s.total, list(s.codes),
        s.paid, s.refunded, list(s.payments),
        [[r.refund, r.requested, r.settled, r.state] for r in s.refunds],
        [[ln.sku, ln.variant, ln.qty] for ln in s.reserved],
        s.version, s.created_at, s.updated_at,
    ]  # fmt: skip
    return _COMPACT.encode(row)


def summary_from_text(text: str) -> OrderSummary:
    """The summary summary_text wrote (trusted: it was folded from validated events)."""
    o, cur, st, sub, disc, tax, total, codes, paid, refd, pays, refs, res, v, c, u = json.loads(
        text
    )
    net = paid - refd
    return OrderSummary(
        o,
        cur,
        st,
        sub,
        disc,
        tax,
        total,
        tuple(codes),
        paid,
        refd,
        net,
        order_recon(total, net, refd, st if st in ENDED else None),
        tuple(pays),
        tuple([RefundView(*r) for r in refs]) if refs else (),
        tuple([_line(*ln) for ln in res]) if res else (),
        v,
        c,
        u,
    )


def _line(sku: str, variant: str | None, qty: int) -> ItemLine:
    """An ItemLine read back from a summary row, without validating it again."""
    line = object.__new__(ItemLine)
    object.__setattr__(line, "sku", sku)
    object.__setattr__(line, "variant", variant)
    object.__setattr__(line, "qty", qty)
    return line


def summary_of(ledger: Ledger, order: str) -> OrderSummary:
    """The summary of `order` as the ledger holds it now (UnknownOrderError if none): its
    summary row, kept by the ledger in the transaction of each append."""
    return ledger.summary(order)


def summaries(ledger: Ledger, status: str | None = None, **page: Any) -> list[OrderSummary]:
    """The summary of every order in the ledger (or those with `status`; `recon`, `after`,
    `limit` as Ledger.summaries), sorted by order id: the ledger's summary rows, not a
    fold over its events."""
    return ledger.summaries(status, **page)
