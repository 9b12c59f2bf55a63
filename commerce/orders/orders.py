"""Orders: the order lifecycle flow (flows/order.scm) serviced against the ledger.

The flow is pure orchestration -- reserve, wait for payment, fulfil -- and this service is
the Python host that answers it:

- begin(order, cart, quote): check stock (a precondition, outside the flow), record
  OrderCreated, start `order-lifecycle`; its `reserve` request is answered at once
  (StockReserved is recorded) and the flow is left waiting on `payment`.
- settle(order, ref, amount): the payment webhook. Records the payment (once per ref),
  resumes the flow past `payment` when the order is paid in full, and answers `fulfil`
  (OrderFulfilled). A replayed webhook changes nothing; a second payment under another
  ref is recorded and shows as overpaid.
- expiry: begun with a payment timeout, an order not paid in time is moved on by
  `engine.run_due()`: its flow asks `release` (stock given back, StockReleased) and
  `expire` (OrderExpired) and ends.
- cancel(order): an order not yet paid is cancelled (OrderCancelled); its flow is told at
  its suspension point and asks `release` before it ends cancelled.
- a payment for an expired or cancelled order is recorded and settles as needs-refund:
  never fulfilled, never an extra-payment.

Every step is idempotent and resumable, so a crash anywhere converges when the same call
is made again: ledger appends are keyed (a payment by its ref, fulfilment by its order),
the flow is found again by its argument (the order id), and a flow left waiting on a
request this service answers is answered before anything else happens to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flowhost import FlowHost, FlowRecord, Suspended, Symbol

from ..errors import OrderStateError, UnknownOrderError, UnpaidOrderError
from ..ledger.events import (
    OrderCancelled,
    OrderCreated,
    OrderExpired,
    OrderFulfilled,
    OrderLine,
    PaymentRecorded,
    StockReleased,
    StockReserved,
    WrongCurrencyPayment,
    created_key,
)
from ..ledger.projections import ENDED, FULFILLED, OrderSummary, summary_of
from ..ledger.store import Ledger
from ..money import require_amount, require_text
from ..pricing.cart import Cart
from ..pricing.quote import Quote
from .flowcalls import retrying, run_flow_step, waiting_kind
from .payment import PaymentRequest, payment_request
from .stock import StockBook

ORDER_FLOW = "order-lifecycle"
SETTLED, ALREADY_SETTLED, EXTRA_PAYMENT, PARTIAL, WRONG_CURRENCY = (
    "settled",
    "already-settled",
    "extra-payment",
    "partial",
    "wrong-currency",
)
NEEDS_REFUND = "needs-refund"


def created_from_quote(order: str, quote: Quote, *, at: int) -> OrderCreated:
    """The event that places `order` on `quote` (its figures, codes and lines)."""
    names = OrderLine.__dataclass_fields__
    return OrderCreated(
        at=at,
        order=order,
        currency=quote.currency,
        subtotal=quote.subtotal,
        discount=quote.discount,
        tax=quote.tax,
        total=quote.total,
        codes=tuple(quote.codes),
        # A quote line has every OrderLine field (and a net-policy share, not kept).
        lines=tuple(OrderLine(**{n: getattr(ln, n) for n in names}) for ln in quote.lines),
    )


@dataclass(frozen=True, slots=True)
class Begun:
    """An order that has begun: its flow, and what the flow waits on now."""

    order: str
    flow_id: int
    waiting_on: str | None


@dataclass(frozen=True, slots=True)
class Settlement:
    """What a payment webhook did.

    outcome: settled (the flow moved past payment), already-settled (a replayed webhook:
    nothing changed), extra-payment (recorded, the order was paid already: overpaid),
    partial (recorded, the order still waits for the rest), wrong-currency (not a
    payment: kept in the ledger as a payment-wrong-currency event, which pays nothing, and
    the order not moved; `recorded` is False); needs-refund (recorded,
    but the order had expired or was cancelled: the money is to be paid back).
    """

    order: str
    ref: str
    outcome: str
    recorded: bool
    summary: OrderSummary


class Orders:
    """The order service: one flow host, one ledger, the stock book, on one database."""

    def __init__(
        self,
        host: FlowHost,
        ledger: Ledger,
        stock: StockBook,
        *,
        clock: Callable[[], int],
        return_url: str,
        payment_timeout: int | None = None,
    ) -> None:
        self.host = host
        self.payment_timeout = payment_timeout
        self.ledger = ledger
        self.stock = stock
        self.clock = clock
        self.return_url = return_url
        self._creating: dict[str, Any] = {}  # order -> its OrderCreated, while begin runs
        self._fulfilled: dict[str, OrderSummary | None] = {}  # settles awaiting a fulfilment
        host.on("reserve", self._reserve)
        host.on("fulfil", self._fulfil)
        host.on("release", self._release)
        host.on("expire", self._expire)

    # -- the flow's requests (each runs inside the host's step transaction) ----------------
    def _reserve(self, flow_id: int, order: Any) -> Symbol:
        # begin hands over the event it has just recorded (same transaction); a flow
        # serviced later (a recovery) reads it back by its key
        created = self._creating.get(order) or self._created(order)
        self.stock.claim(order, created.lines)  # all lines or none; rolls the step back
        self.ledger.append_once(order, StockReserved(at=self.clock(), lines=created.items()))
        return Symbol("reserved")

    def _fulfil(self, flow_id: int, order: Any) -> Symbol:
        # The guarantee that nothing fulfils an unpaid order, whichever path moved the flow
        # past payment (a settle, or `flowhost resume ID paid`): the ledger must agree.
        # Refused, the step rolls back -- nothing recorded, the flow still waits on fulfil,
        # and the payment's settle fulfils it later.
        s = summary_of(self.ledger, order)
        if s.net < s.total:
            raise UnpaidOrderError(
                f"order {order!r} is not paid in full (net paid {s.net} of {s.total}): not "
                "fulfilled; record its payment with `commerce orders settle ORDER REF AMOUNT`"
            )
        done = self.ledger.append_once(order, OrderFulfilled(at=self.clock()))
        if order in self._fulfilled:  # a settle waits for it: handed over once committed
            self.ledger.db.on_commit(lambda: self._fulfilled.__setitem__(order, done.summary))
        return Symbol("fulfilled")

    def _release(self, flow_id: int, order: Any) -> Symbol:
        self.stock.release(order)
        self.ledger.append_once(order, StockReleased(at=self.clock()))
        return Symbol("released")

    def _expire(self, flow_id: int, order: Any) -> Symbol:
        self.ledger.append_once(order, OrderExpired(at=self.clock()))
        return Symbol("expired")

    def _created(self, order: str) -> OrderCreated:
        found = self.ledger.find(created_key(order))
        if found is None:
            raise UnknownOrderError(f"no order {order!r} in the ledger")
        assert isinstance(found.event, OrderCreated)
        return found.event

    # -- the lifecycle -------------------------------------------------------------------
    def begin(self, order: str, cart: Cart, quote: Quote) -> Begun:
        """Create the order, start its flow and reserve its stock -- one transaction, so a
        crash or a shortage leaves no trace -- and leave it waiting on payment. Begun again
        with the same quote it returns the same order; with another quote it is an error."""
        require_text(order, "order id")
        created = created_from_quote(order, quote, at=self.clock())
        return retrying(lambda: self._begin(order, created))

    def _begin(self, order: str, created: OrderCreated) -> Begun:
        with self.host.store.transaction():
            # a retry with the same quote is "already recorded", a different one a conflict
            appended = self.ledger.append(order, [created], expected_version=0)
            legacy = self._legacy_flow(order) if appended.already_recorded else None
            if legacy is not None:
                r = run_flow_step("order flow", lambda: self.host.service(legacy))
                return Begun(order, legacy, waiting_kind(self.host, legacy))
            # with a payment timeout the order's flow carries it (flows/order.scm); without
            # one it is started exactly as the original system's flow was
            terms = [] if self.payment_timeout is None else [self.payment_timeout]
            self._creating[order] = (appended.recorded or appended.already)[0].event
            try:
                r = run_flow_step(
                    "order flow",
                    lambda: self.host.start(ORDER_FLOW, order, *terms, key=order_key(order)),
                )
            finally:
                self._creating.pop(order, None)
        return Begun(order, r.id, r.kind if isinstance(r, Suspended) else None)

    def settle(
        self, order: str, ref: str, amount: int, *, currency: str | None = None
    ) -> Settlement:
        """The payment webhook: record the payment once, move the order on when paid.

        The payment and the flow's `payment` step commit together; fulfilment is its own
        step after it (a failing fulfilment never loses the payment). `currency`, when
        given, must be the order's: a payment in another currency is kept as a
        WrongCurrencyPayment (wrong-currency), pays nothing and never fulfils the order.
        Safe to call from many workers at once and as often as a provider redelivers."""
        require_text(order, "order id")
        require_text(ref, "payment ref")
        require_amount(amount, "payment amount")
        if currency is not None:
            require_text(currency, "payment currency")
        settlement, flow_id, waiting = retrying(lambda: self._settle(order, ref, amount, currency))
        s = settlement.summary
        if waiting == "fulfil" and s.net >= s.total:  # moved past payment now, or a crash
            self._fulfilled[order] = None  # _fulfil hands its summary over when committed
            try:
                # answered as the request it was seen waiting on: the host's step re-reads
                # the flow and answers only if it still waits on fulfil
                fulfil = Suspended(flow_id, "fulfil", order)
                retrying(lambda: run_flow_step("order flow", lambda: self.host.serve(fulfil)))
            finally:
                handed = self._fulfilled.pop(order, None)
            # the books as the fulfilment committed them, else (fulfilled by another worker
            # meanwhile, or the flow did not fulfil) as they are now
            after = handed or summary_of(self.ledger, order)
            settlement = Settlement(order, ref, settlement.outcome, settlement.recorded, after)
        return settlement

    def _settle(
        self, order: str, ref: str, amount: int, currency: str | None
    ) -> tuple[Settlement, int, str | None]:
        """(what happened, the order's flow, what the flow waits on after it)."""
        with self.host.store.transaction():
            if not self.ledger.exists(order):
                raise UnknownOrderError(f"no order {order!r}")
            rec = self._flow_record(order)
            if rec is None:  # only a store from before flow keys can lack it
                raise OrderStateError(f"order {order!r} has no order flow")
            waiting = waiting_kind(self.host, rec.id, rec)
            if currency is not None:
                summary = summary_of(self.ledger, order)
                if currency != summary.currency:  # kept as what it is: it pays nothing
                    wrong = WrongCurrencyPayment(
                        at=self.clock(), ref=ref, amount=amount, currency=currency
                    )
                    summary = self.ledger.append_once(order, wrong).summary or summary
                    return Settlement(order, ref, WRONG_CURRENCY, False, summary), rec.id, waiting
            result = self.ledger.append_once(
                order, PaymentRecorded(at=self.clock(), ref=ref, amount=amount)
            )
            recorded = not result.already_recorded
            summary = result.summary or summary_of(self.ledger, order)
            if summary.status in ENDED:  # expired or cancelled: never fulfilled
                return Settlement(order, ref, NEEDS_REFUND, recorded, summary), rec.id, waiting
            if waiting == "payment":
                if summary.net < summary.total:
                    return Settlement(order, ref, PARTIAL, recorded, summary), rec.id, waiting
                r = run_flow_step(
                    "order flow",
                    lambda: self.host.resume(
                        rec.id, Symbol("paid"), kind="payment", version=rec.version, serve=False
                    ),
                )
                after = r.kind if isinstance(r, Suspended) else None
                return Settlement(order, ref, SETTLED, recorded, summary), rec.id, after
            outcome = _past_payment_outcome(recorded, waiting, summary, amount)
            return Settlement(order, ref, outcome, recorded, summary), rec.id, waiting

    def cancel(self, order: str) -> OrderSummary:
        """Cancel an order not yet paid: OrderCancelled is recorded and its flow told at
        its suspension point, where it gives its stock back (release) and ends cancelled
        -- one transaction. A cancelled order again is no change; a paid, fulfilled or
        expired one is an OrderStateError."""
        return retrying(lambda: self._cancel(order))

    def _cancel(self, order: str) -> OrderSummary:
        with self.host.store.transaction():
            if not self.ledger.exists(order):
                raise UnknownOrderError(f"no order {order!r}")
            summary = summary_of(self.ledger, order)
            if summary.status == "cancelled":
                return summary
            if summary.status in ENDED or summary.status == FULFILLED or summary.net > 0:
                raise OrderStateError(
                    f"order {order!r} is {summary.status}: only an order not yet paid can be "
                    "cancelled (refund a paid one)"
                )
            rec = self._flow_record(order)
            self.ledger.append_once(order, OrderCancelled(at=self.clock()))
            if rec is not None and waiting_kind(self.host, rec.id, rec) is not None:
                run_flow_step("order flow", lambda: self.host.cancel(rec.id))
                if len(rec.args) < 2:  # a flow without payment terms leaves it to us
                    self._release(rec.id, order)
            else:
                self._release(rec.id if rec else 0, order)
            return summary_of(self.ledger, order)

    # -- looking --------------------------------------------------------------------------
    def flow_of(self, order: str) -> int | None:
        """The id of the order's flow, or None if it has none (yet)."""
        rec = self._flow_record(order)
        return None if rec is None else rec.id

    def _flow_record(self, order: str) -> FlowRecord | None:
        rec = self.host.store.get_by_key(order_key(order))
        if rec is None:
            legacy = self._legacy_flow(order)
            rec = None if legacy is None else self.host.record(legacy)
        return rec

    def _legacy_flow(self, order: str) -> int | None:
        """The flow of an order begun before flows had keys (found by its argument)."""
        ids = self.host.find(ORDER_FLOW, order)
        return ids[0] if ids else None

    def waiting_on(self, order: str) -> str | None:
        """The request the order's flow waits on (reserve, payment, fulfil) or None."""
        flow_id = self.flow_of(order)
        return None if flow_id is None else waiting_kind(self.host, flow_id)

    def summary(self, order: str) -> OrderSummary:
        """What the books say about the order."""
        return summary_of(self.ledger, order)

    def payment_request(self, order: str) -> PaymentRequest:
        """The envelope to send to the payment provider for this order."""
        if self.waiting_on(order) != "payment":
            raise OrderStateError(f"order {order!r} is not waiting for payment")
        return payment_request(self.ledger, order, self.return_url)

    def pending_payments(self) -> list[PaymentRequest]:
        """Every order waiting on payment, with its envelope, by flow id."""
        return [
            payment_request(self.ledger, r.payload, self.return_url)
            for r in self.host.requests()
            if r.kind == "payment"
            and isinstance(r.payload, str)
            and self.host.record(r.id).flow == ORDER_FLOW
        ]


def _past_payment_outcome(recorded: bool, waiting: str | None, s: OrderSummary, amount: int) -> str:
    """What a payment did to an order whose flow is past `payment`: normally a replay or an
    extra payment; on a flow forced past payment unpaid (waiting on fulfil) it is the
    payment that was missing (settled, or partial while still short)."""
    if not recorded:
        return ALREADY_SETTLED
    if waiting == "fulfil" and s.net - amount < s.total:
        return SETTLED if s.net >= s.total else PARTIAL
    return EXTRA_PAYMENT


def order_key(order: str) -> str:
    """The flow key of an order's flow: one flow per order, enforced by the store."""
    return f"order:{order}"
