"""Stock: what is left of each item, and the reservations orders hold.

What is available of an item is what the shop has on hand (the catalog) minus what
orders hold. Holding is a claim in the database (stock_store.py), made by the order
flow's `reserve` step inside the same transaction as the order's creation: conditional,
all lines or none, so two workers can never both sell the last unit, and nothing is
counted in any process's memory. `release(order)` gives the units back.

`availableo` and `sufficient_stocko` are the relational views: "how many MUG/gold are
left?", "which items can I still order 3 of?" are run(0, ...) queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from unification import isvar, reify

from ..errors import InsufficientStockError, UngroundQueryError
from ..pricing.cart import Cart
from ..pricing.catalog import Catalog, on_hand
from ..relation import FactRelation, Goal, Term, answers
from .stock_store import MemoryStockStore, StockStore, Want

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
    """On-hand stock of the tracked items (from the catalog) and what orders hold of it
    (in a StockStore, in the database the ledger and flows share)."""

    def __init__(self, catalog: Catalog, store: StockStore | None = None) -> None:
        self.catalog = catalog
        self.store = store if store is not None else MemoryStockStore()
        self._on_hand: dict[Key, int | None] = {}  # the catalog is frozen: asked once per item

    def claim(self, order: str, lines: Iterable[Any]) -> None:
        """Reserve an order's lines (objects with sku, variant, qty), all or none, once per
        order; InsufficientStockError naming each line that does not fit."""
        wants: dict[Key, int] = {}
        for ln in lines:
            wants[(ln.sku, ln.variant)] = wants.get((ln.sku, ln.variant), 0) + ln.qty
        tracked = []
        for (sku, variant), qty in wants.items():
            held = self.on_hand(sku, variant)
            if held is not None:
                tracked.append(Want(sku, variant, qty, held))
        if not tracked:  # nothing to hold (no line's stock is tracked): nothing to claim
            return
        short = self.store.claim(order, tracked)
        if short:
            shortfalls = [Shortfall(w.sku, w.variant, w.qty, max(left, 0)) for w, left in short]
            raise InsufficientStockError(
                "not enough stock: " + "; ".join(s.describe() for s in shortfalls), shortfalls
            )

    def release(self, order: str) -> bool:
        """Give back what the order holds (cancel, expiry); False if it held nothing."""
        return self.store.release(order)

    def on_hand(self, sku: str, variant: str | None) -> int | None:
        """Units the shop holds of the item, or None when its stock is not tracked."""
        key = (sku, variant)
        if key in self._on_hand:
            return self._on_hand[key]
        found = on_hand(self.catalog, sku, variant)  # an unknown item raises: not kept
        self._on_hand[key] = found
        return found

    def available(self, sku: str, variant: str | None = None) -> int | None:
        """on hand - reserved; None when the item's stock is not tracked."""
        held = self.on_hand(sku, variant)
        if held is None:
            return None
        return held - self.store.reserved((sku, variant))

    def shortfalls(self, cart: Cart) -> list[Shortfall]:
        """The cart's lines that exceed what is available, in cart order."""
        wanted: dict[Key, int] = {}
        for line in cart.lines:
            key = (line.sku, line.variant)
            wanted[key] = wanted.get(key, 0) + line.qty
        out = []
        for (sku, variant), qty in wanted.items():
            left = self.available(sku, variant)
            if left is not None and qty > left:
                out.append(Shortfall(sku, variant, qty, max(left, 0)))
        return out

    def can_reserve(self, cart: Cart) -> bool:
        """True when every line of the cart can be reserved now (a claim still checks)."""
        return not self.shortfalls(cart)

    def check(self, cart: Cart) -> None:
        """InsufficientStockError naming every line that cannot be reserved now."""
        short = self.shortfalls(cart)
        if short:
            raise InsufficientStockError(
                "not enough stock: " + "; ".join(s.describe() for s in short), short
            )

    def facts(self) -> FactRelation:
        """(sku, variant, available) for every tracked item, as an indexed relation."""
        reserved = self.store.all_reserved()
        rows = []
        for _instance, sku, variant, held in self.catalog.stock.facts:
            rows.append((sku, variant, held - reserved.get((sku, variant), 0)))
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
