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
`refunded_orders`). The helpers sort their answers and never depend on
the order in which kanren yields them. The facts sit in a `FactRelation`, whose index makes
each ground argument a hash lookup: 10,000 orders reconcile in milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kanren import conde, var

from ..errors import DuplicateOrderError, InvalidFieldError, UnknownOrderError
from ..money import require_delta
from ..relation import FactRelation, Goal, Term, answers, paused_gc
from .projections import (
    NEEDS_REFUND,
    OK,
    OVERPAID,
    RECON_STATUSES,
    REFUNDED_RECON,
    UNDERPAID,
    UNPAID,
    OrderSummary,
)


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """The summaries of a set of orders, by id, and their facts as a kanren relation."""

    summaries: Mapping[str, OrderSummary]
    facts: FactRelation

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


def reconcile(summaries: Iterable[OrderSummary]) -> Reconciliation:
    """The reconciliation of `summaries`; an order given twice raises DuplicateOrderError."""
    by_order: dict[str, OrderSummary] = {}
    with paused_gc():
        facts = FactRelation("books")
        for s in summaries:
            if s.order in by_order:
                raise DuplicateOrderError(f"order {s.order!r} is given twice to reconcile")
            by_order[s.order] = s
            facts.add_fact(s.order, s.recon, s.total, s.paid, s.refunded, s.net, s.net - s.total)
    return Reconciliation(by_order, facts)


# -- relations -------------------------------------------------------------------------------
def recon_statuso(book: Reconciliation, order: Term, status: Term) -> Goal:
    """`order` reconciles as `status`: ok, refunded, unpaid, underpaid or overpaid."""
    return book.facts(order, status, var(), var(), var(), var(), var())


def neto(book: Reconciliation, order: Term, net: Term) -> Goal:
    """`order` settles to `net` = paid - refunded."""
    return book.facts(order, var(), var(), var(), var(), net, var())


def totalo(book: Reconciliation, order: Term, total: Term) -> Goal:
    """`order` was placed for `total`."""
    return book.facts(order, var(), total, var(), var(), var(), var())


def paido(book: Reconciliation, order: Term, paid: Term) -> Goal:
    """The payments recorded for `order` sum to `paid`."""
    return book.facts(order, var(), var(), paid, var(), var(), var())


def refundedo(book: Reconciliation, order: Term, refunded: Term) -> Goal:
    """The settled refunds of `order` sum to `refunded`."""
    return book.facts(order, var(), var(), var(), refunded, var(), var())


def discrepancyo(book: Reconciliation, order: Term, amount: Term) -> Goal:
    """`order`'s net is `amount` away from its total (net - total; 0 when it balances)."""
    return book.facts(order, var(), var(), var(), var(), var(), amount)


def mismatcho(book: Reconciliation, order: Term) -> Goal:
    """`order`'s money moved and does not balance: it is underpaid or overpaid."""
    return conde(
        [recon_statuso(book, order, UNDERPAID)],
        [recon_statuso(book, order, OVERPAID)],
    )


# -- deterministic helpers -------------------------------------------------------------------
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
    out = []
    for order in mismatched_orders(book):
        s = book.summaries[order]
        out.append(Mismatch(order, s.recon, s.total, s.paid, s.refunded, s.net, s.discrepancy))
    return out
