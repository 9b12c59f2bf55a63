"""Stock: can a cart be reserved? A precondition the host checks before an order begins.

The order flow stays pure orchestration; the host checks stock first (as the original
system did: validate, then begin). What is available of an item is what the shop has on
hand minus what orders already claim. Every order in the ledger claims the quantities of
its lines from the moment it is created (before its `reserve` step runs), so two orders
begun one after the other cannot both take the last unit. A `StockBook` is built once
from the ledger and kept up to date with the orders its host begins.

`availableo` and `sufficient_stocko` are the relational views: "how many MUG/gold are
left?", "which items can I still order 3 of?" are run(0, ...) queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from unification import isvar, reify

from ..errors import InsufficientStockError, UngroundQueryError
from ..ledger.events import OrderCreated
from ..pricing.cart import Cart
from ..pricing.catalog import Catalog, on_hand
from ..relation import FactRelation, Goal, Term, answers

Key = tuple[str, str | None]


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A cart line that cannot be reserved: how many were wanted and how many are left."""

    sku: str
    variant: str | None
    wanted: int
    available: int

    def describe(self) -> str:
        item = self.sku if self.variant is None else f"{self.sku}/{self.variant}"
        return f"{item}: {self.wanted} wanted, {self.available} available"


class StockBook:
    """On-hand stock of the tracked items and what orders claim of it.

    `orders` is the orders already claiming stock, or a function giving them, called the
    first time the book is used (so opening an engine reads no ledger until needed).
    """

    def __init__(
        self,
        catalog: Catalog,
        orders: Iterable[OrderCreated] | Callable[[], Iterable[OrderCreated]] = (),
    ) -> None:
        self.catalog = catalog
        self._claimed: dict[Key, int] = {}
        self._by_order: dict[str, list[tuple[Key, int]]] = {}
        self._pending = orders

    def _load(self) -> None:
        pending, self._pending = self._pending, ()
        for created in pending() if callable(pending) else pending:
            self._take(created)

    def claim(self, created: OrderCreated) -> None:
        """Count an order's lines as taken (once per order)."""
        self._load()
        self._take(created)

    def _take(self, created: OrderCreated) -> None:
        if created.order in self._by_order:
            return
        lines = [((ln.sku, ln.variant), ln.qty) for ln in created.lines]
        self._by_order[created.order] = lines
        for key, qty in lines:
            self._claimed[key] = self._claimed.get(key, 0) + qty

    def on_hand(self, sku: str, variant: str | None) -> int | None:
        """Units the shop holds of the item, or None when its stock is not tracked."""
        return on_hand(self.catalog, sku, variant)

    def available(
        self, sku: str, variant: str | None = None, *, exclude: str | None = None
    ) -> int | None:
        """on hand - claimed (an order's own claim left out with `exclude`); None: untracked."""
        self._load()
        held = self.on_hand(sku, variant)
        if held is None:
            return None
        claimed = self._claimed.get((sku, variant), 0)
        if exclude is not None:
            claimed -= sum(q for k, q in self._by_order.get(exclude, ()) if k == (sku, variant))
        return held - claimed

    def shortfalls(self, cart: Cart, *, exclude: str | None = None) -> list[Shortfall]:
        """The cart's lines that exceed what is available, in cart order."""
        wanted: dict[Key, int] = {}
        for line in cart.lines:
            key = (line.sku, line.variant)
            wanted[key] = wanted.get(key, 0) + line.qty
        out = []
        for (sku, variant), qty in wanted.items():
            left = self.available(sku, variant, exclude=exclude)
            if left is not None and qty > left:
                out.append(Shortfall(sku, variant, qty, max(left, 0)))
        return out

    def can_reserve(self, cart: Cart, *, exclude: str | None = None) -> bool:
        """True when every line of the cart can be reserved."""
        return not self.shortfalls(cart, exclude=exclude)

    def check(self, cart: Cart, *, exclude: str | None = None) -> None:
        """InsufficientStockError naming every line that cannot be reserved."""
        short = self.shortfalls(cart, exclude=exclude)
        if short:
            raise InsufficientStockError(
                "not enough stock: " + "; ".join(s.describe() for s in short), short
            )

    def facts(self) -> FactRelation:
        """(sku, variant, available) for every tracked item, as an indexed relation."""
        self._load()
        rows = []
        for _instance, sku, variant, held in self.catalog.stock.facts:
            rows.append((sku, variant, held - self._claimed.get((sku, variant), 0)))
        return FactRelation("available", rows)


def availableo(book: StockBook, sku: Term, variant: Term, available: Term) -> Goal:
    """`available` units of sku/variant (variant None: the product) can still be ordered."""
    return book.facts()(sku, variant, available)


def sufficient_stocko(book: StockBook, sku: Term, variant: Term, qty: Term) -> Goal:
    """sku/variant has at least `qty` units available; `qty` must be ground when it runs."""
    facts = book.facts()

    def goal(s: Any) -> Iterator[Any]:
        n = reify(qty, s)
        if isvar(n):
            raise UngroundQueryError("sufficient_stocko needs the quantity: a ground int qty")
        left = FactRelation("left", [(r[0], r[1]) for r in facts.facts if r[2] >= n])
        yield from left(sku, variant)(s)

    return goal


def orderable(book: StockBook, qty: int) -> list[Key]:
    """Items of which `qty` units can still be ordered, sorted (a run(0, ...) query)."""
    from kanren import var

    sku, variant = var("sku"), var("variant")
    return answers((sku, variant), sufficient_stocko(book, sku, variant, qty))
