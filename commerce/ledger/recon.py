"""Reconciliation: the books of many orders as miniKanren relations over their summaries.

`reconcile(summaries)` turns per-order summaries (`projections.summarize`) into one indexed
fact relation, (order, recon, total, paid, refunded, net, discrepancy), so each question is
a relation that runs in any direction with `run(0, ...)`:

    run(0, o, recon_statuso(book, o, "overpaid"))   # which orders are overpaid?
    run(0, o, neto(book, o, 2000))                  # which orders settle to net 2000?
    run(0, s, recon_statuso(book, "o1", s))         # how does o1 stand?
    run(0, o, mismatcho(book, o))                   # which orders do not balance?

A mismatch is an order whose money moved and does not balance: recon underpaid or overpaid.
Unpaid orders (net 0, awaiting payment) are not mismatches; they have their own question
(`unpaid_orders`); nor are refunded ones (paid in full, then refunded in part or whole:
`refunded_orders`). Orders a person must act on are a question of their own
(`needs_action`): paid in full but not fulfilled and not about to be (`stuck_orders`,
reason paid-unfulfilled), and charges in the wrong currency (`wrong_currency_payments`).
The helpers sort their answers and never depend on
the order in which kanren yields them.

The facts (`Books`) are built straight from the summary rows' columns (`reconcile_rows`;
`reconcile` turns summaries into the same rows), split by recon status: a status's facts
are an indexed `FactRelation` built the first time a goal asks for that status, so the
mismatch report over a million events builds the facts of its underpaid and overpaid
orders only, and decodes no summary (its figures are the rows' columns). Columns a
relation does not bind are `ANY`. A summary is decoded from its row when a question
looks at it (`LazySummaries`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from kanren import conde, var
from unification import isvar

from ..errors import DuplicateOrderError, InvalidFieldError, UnknownOrderError
from ..money import require_delta
from ..relation import ANY, FactRelation, Goal, Term, answers, paused_gc, walk
from .events import Event, OrderCreated, WrongCurrencyPayment
from .projections import (
    NEEDS_REFUND,
    OK,
    OVERPAID,
    PAID,
    RECON_STATUSES,
    REFUNDED_RECON,
    UNDERPAID,
    UNPAID,
    OrderSummary,
    summary_from_text,
)

# order, recon, total, paid, refunded, summary|text, the order's status
Row = tuple[str, str, int, int, int, Any, str]


class Books:
    """The relation (order, recon, total, paid, refunded, net, discrepancy) over summary
    rows, as a kanren goal constructor: `book.facts(o, "overpaid", t, p, r, n, d)`.

    The facts are split by recon status, and a status's facts (an indexed `FactRelation`
    of the other six columns) are built from its rows the first time a goal asks for
    that status: the mismatch report builds the underpaid and overpaid ones only, not the
    facts of every settled order. A goal with the order ground reads its one row."""

    def __init__(self, rows: Mapping[str, Row]) -> None:
        self.rows = rows  # order -> its row
        self._statuses: list[str] | None = None
        self._parts: dict[str, FactRelation] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def statuses(self) -> list[str]:
        """The recon statuses some order has, sorted."""
        if self._statuses is None:
            self._statuses = sorted({row[1] for row in self.rows.values()})
        return self._statuses

    def built(self) -> list[str]:
        """The statuses whose facts have been built so far, sorted."""
        return sorted(self._parts)

    def part(self, status: str) -> FactRelation:
        """The facts (order, total, paid, refunded, net, discrepancy) of the orders that
        reconcile as `status` (none for a status no order has)."""
        found = self._parts.get(status)
        if found is None:
            with paused_gc():
                rows = [row for row in self.rows.values() if row[1] == status]
                facts = [(o, t, p, r, p - r, p - r - t) for o, _, t, p, r, *_ in rows]
                found = self._parts[status] = FactRelation(f"books-{status}", facts)
        return found

    def __call__(self, order: Term, status: Term, *figures: Term) -> Goal:
        def goal(s: Any) -> Iterator[Any]:
            at = walk(status, s)
            if not (type(at) is str or isvar(at) or at is ANY):
                return  # a recon status is a string
            known = walk(order, s)
            if not (isvar(known) or known is ANY):  # one order: its row, no status's facts
                row = self._row_of(known)
                if row is None or (type(at) is str and row[1] != at):
                    return
                parts = [(row[1], FactRelation("book", [_fact(row)]))]
            elif type(at) is str:
                yield from self.part(at)(order, *figures)(s)
                return
            else:
                parts = [(st, self.part(st)) for st in self.statuses()]
            for st, part in parts:
                for found in part(order, *figures)(s):
                    if type(at) is str or at is ANY:
                        yield found
                        continue
                    bound = walk(at, found)  # the status variable may be among the figures
                    if isvar(bound):
                        found = dict(found)
                        found[bound] = st
                        yield found
                    elif bound == st:
                        yield found

        return goal

    def _row_of(self, order: Any) -> Row | None:
        try:
            return self.rows.get(order)
        except TypeError:  # unhashable: no order id
            return None


def _fact(row: Row) -> tuple[str, int, int, int, int, int]:
    order, _, total, paid, refunded, *_ = row
    net = paid - refunded
    return order, total, paid, refunded, net, net - total


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """The summaries of a set of orders, by id, and their facts as a kanren relation."""

    summaries: Mapping[str, OrderSummary]
    facts: Books

    def summary(self, order: str) -> OrderSummary:
        """The summary of `order`; UnknownOrderError if it is not in this reconciliation."""
        try:
            return self.summaries[order]
        except KeyError:
            raise UnknownOrderError(f"no order {order!r} in this reconciliation") from None

    def __len__(self) -> int:
        return len(self.summaries)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One order whose books do not balance, and by how much (discrepancy = net - total)."""

    order: str
    recon: str
    total: int
    paid: int
    refunded: int
    net: int
    discrepancy: int

    def describe(self) -> str:
        """One line: `o1 underpaid: total 2510, paid 2510, refunded 510, net 2000 (-510)`."""
        return (
            f"{self.order} {self.recon}: total {self.total}, paid {self.paid}, refunded "
            f"{self.refunded}, net {self.net} ({self.discrepancy:+d})"
        )

    def to_json(self) -> dict[str, Any]:
        """The mismatch as a JSON object."""
        return {
            "order": self.order,
            "recon": self.recon,
            "total": self.total,
            "paid": self.paid,
            "refunded": self.refunded,
            "net": self.net,
            "discrepancy": self.discrepancy,
        }


class LazySummaries(Mapping[str, OrderSummary]):
    """Order id -> summary, each decoded from its summary row the first time it is asked
    for: a reconciliation of a million events builds its facts from the rows' columns and
    decodes only the summaries a question looks at."""

    def __init__(self, rows: Mapping[str, Row]) -> None:
        self._rows = rows  # order -> its row, whose last column is the summary or its text
        self._decoded: dict[str, OrderSummary] = {}

    def __getitem__(self, order: str) -> OrderSummary:
        found = self._decoded.get(order)
        if found is None:
            found = self._rows[order][5]
            if isinstance(found, str):
                found = self._decoded[order] = summary_from_text(found)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def reconcile_rows(rows: Iterable[Row]) -> Reconciliation:
    """The reconciliation of a ledger's summary rows: (order, recon, total, paid, refunded,
    the summary or its text, the order's status), as `Ledger.recon_rows` gives them."""
    rows = rows if isinstance(rows, list) else list(rows)
    by_order = dict(zip(map(itemgetter(0), rows), rows))
    if len(by_order) != len(rows):
        seen: set[str] = set()
        for row in rows:
            if row[0] in seen:
                raise DuplicateOrderError(f"order {row[0]!r} is given twice to reconcile")
            seen.add(row[0])
    return Reconciliation(LazySummaries(by_order), Books(by_order))


def reconcile(summaries: Iterable[OrderSummary]) -> Reconciliation:
    """The reconciliation of `summaries`; an order given twice raises DuplicateOrderError."""
    rows = [(s.order, s.recon, s.total, s.paid, s.refunded, s, s.status) for s in summaries]
    return reconcile_rows(rows)


# -- relations -------------------------------------------------------------------------------
def recon_statuso(book: Reconciliation, order: Term, status: Term) -> Goal:
    """`order` reconciles as `status`: ok, refunded, unpaid, underpaid or overpaid."""
    return book.facts(order, status, ANY, ANY, ANY, ANY, ANY)


def neto(book: Reconciliation, order: Term, net: Term) -> Goal:
    """`order` settles to `net` = paid - refunded."""
    return book.facts(order, ANY, ANY, ANY, ANY, net, ANY)


def totalo(book: Reconciliation, order: Term, total: Term) -> Goal:
    """`order` was placed for `total`."""
    return book.facts(order, ANY, total, ANY, ANY, ANY, ANY)


def paido(book: Reconciliation, order: Term, paid: Term) -> Goal:
    """The payments recorded for `order` sum to `paid`."""
    return book.facts(order, ANY, ANY, paid, ANY, ANY, ANY)


def refundedo(book: Reconciliation, order: Term, refunded: Term) -> Goal:
    """The settled refunds of `order` sum to `refunded`."""
    return book.facts(order, ANY, ANY, ANY, refunded, ANY, ANY)


def discrepancyo(book: Reconciliation, order: Term, amount: Term) -> Goal:
    """`order`'s net is `amount` away from its total (net - total; 0 when it balances)."""
    return book.facts(order, ANY, ANY, ANY, ANY, ANY, amount)


def mismatcho(book: Reconciliation, order: Term) -> Goal:
    """`order`'s money moved and does not balance: it is underpaid or overpaid."""
    return conde(
        [recon_statuso(book, order, UNDERPAID)],
        [recon_statuso(book, order, OVERPAID)],
    )


# -- deterministic helpers -------------------------------------------------------------------
def status_counts(book: Reconciliation) -> dict[str, int]:
    """How many orders reconcile as each status, every one of RECON_STATUSES in order (0
    where none): a count, so it is taken from the rows' recon column, not by enumerating
    answers (which at a million events costs seconds)."""
    counts = dict.fromkeys(RECON_STATUSES, 0)
    for row in book.facts.rows.values():
        counts[row[1]] = counts.get(row[1], 0) + 1  # (a status it does not know: counted)
    return counts


def orders_with_status(book: Reconciliation, status: str) -> list[str]:
    """The orders that reconcile as `status`, sorted."""
    if status not in RECON_STATUSES:
        raise InvalidFieldError(
            f"recon status must be one of {', '.join(RECON_STATUSES)}, got {status!r}"
        )
    order = var("order")
    return answers(order, recon_statuso(book, order, status))


def overpaid_orders(book: Reconciliation) -> list[str]:
    """Orders whose net exceeds their total (e.g. charged twice), sorted."""
    return orders_with_status(book, OVERPAID)


def underpaid_orders(book: Reconciliation) -> list[str]:
    """Orders whose net is short of their total (e.g. after a partial refund), sorted."""
    return orders_with_status(book, UNDERPAID)


def settled_orders(book: Reconciliation) -> list[str]:
    """Orders whose net equals their total, sorted."""
    return orders_with_status(book, OK)


def refunded_orders(book: Reconciliation) -> list[str]:
    """Orders paid in full whose shortfall is all settled refunds, sorted."""
    return orders_with_status(book, REFUNDED_RECON)


def needs_refund_orders(book: Reconciliation) -> list[str]:
    """Expired or cancelled orders holding money they must pay back, sorted."""
    return orders_with_status(book, NEEDS_REFUND)


def unpaid_orders(book: Reconciliation) -> list[str]:
    """Orders with net 0 and a total to pay, sorted."""
    return orders_with_status(book, UNPAID)


def mismatched_orders(book: Reconciliation) -> list[str]:
    """Orders that are underpaid or overpaid, sorted."""
    order = var("order")
    return answers(order, mismatcho(book, order))


def orders_with_net(book: Reconciliation, net: int) -> list[str]:
    """Orders that settle to `net` (paid - refunded), sorted."""
    require_delta(net, "net")
    order = var("order")
    return answers(order, neto(book, order, net))


def mismatch_report(book: Reconciliation) -> list[Mismatch]:
    """Every mismatched order with its figures, sorted by order id."""
    rows = book.facts.rows
    out = []
    for order in mismatched_orders(book):
        _, recon, total, paid, refunded, *_ = rows[order]
        net = paid - refunded
        out.append(Mismatch(order, recon, total, paid, refunded, net, net - total))
    return out


# -- orders that need a person -------------------------------------------------------------
PAID_UNFULFILLED, WRONG_CURRENCY_CHARGE = "paid-unfulfilled", "wrong-currency"
ACTION_REASONS = (PAID_UNFULFILLED, WRONG_CURRENCY_CHARGE)


@dataclass(frozen=True, slots=True)
class ActionNeeded:
    """One order a person must look at: why (one of ACTION_REASONS) and the figures."""

    order: str
    reason: str
    detail: str

    def describe(self) -> str:
        """One line: `o1 paid-unfulfilled: net paid 2510 of 2510, not fulfilled; ...`."""
        return f"{self.order} {self.reason}: {self.detail}"

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON object."""
        return {"order": self.order, "reason": self.reason, "detail": self.detail}


def paid_unfulfilled_orders(book: Reconciliation) -> list[str]:
    """Orders at status paid (a payment, no fulfilment) whose net covers the total, sorted
    (each is either about to be fulfilled by its flow, or stuck: `stuck_orders`)."""
    # the figures and the status are columns of the rows: no summary is decoded
    rows = book.facts.rows.values()
    return sorted(o for o, _, t, p, r, _, st in rows if st == PAID and p > 0 and p - r >= t)


def stuck_orders(
    book: Reconciliation, waiting_on: Callable[[str], str | None]
) -> list[ActionNeeded]:
    """Paid-unfulfilled orders whose flow is not about to fulfil them: `waiting_on(order)`
    (what the order's flow waits on, None when it is not suspended or has none) is not
    `fulfil` -- a flow waiting on fulfil is answered by the next settle or recover."""
    out = []
    for order in paid_unfulfilled_orders(book):
        waiting = waiting_on(order)
        if waiting == "fulfil":
            continue
        s = book.summaries[order]
        flow = f"its flow waits on {waiting}" if waiting else "its flow is not running"
        out.append(
            ActionNeeded(
                order,
                PAID_UNFULFILLED,
                f"net paid {s.net} of {s.total}, not fulfilled, and {flow}",
            )
        )
    return out


def wrong_currency_payments(streams: Iterable[tuple[str, Sequence[Event]]]) -> list[ActionNeeded]:
    """Every charge recorded in another currency than its order's (it paid nothing: refund
    it at the provider or charge again), from (order, events) pairs, sorted by order."""
    out = []
    for order, events in streams:
        created = events[0] if events else None
        currency = created.currency if isinstance(created, OrderCreated) else "?"
        for e in events:
            if isinstance(e, WrongCurrencyPayment):
                detail = (
                    f"charge {e.ref} of {e.amount} {e.currency}, but the order is in "
                    f"{currency}: it paid nothing; refund it at the provider"
                )
                out.append(ActionNeeded(order, WRONG_CURRENCY_CHARGE, detail))
    return sorted(out, key=lambda a: (a.order, a.detail))


def needs_action(
    book: Reconciliation,
    waiting_on: Callable[[str], str | None],
    streams: Iterable[tuple[str, Sequence[Event]]] = (),
) -> list[ActionNeeded]:
    """Stuck paid orders and wrong-currency charges, sorted by order then reason."""
    found = stuck_orders(book, waiting_on) + wrong_currency_payments(streams)
    return sorted(found, key=lambda a: (a.order, ACTION_REASONS.index(a.reason), a.detail))
