"""Shared set-up for the order-side suites: the example shop, a cart, engines."""

from __future__ import annotations

from pathlib import Path

from commerce.cli.demo import START, Clock
from commerce.orders.engine import Engine
from commerce.pricing.api import Session
from commerce.pricing.files import load_shop

ROOT = Path(__file__).resolve().parents[2]
SHOP = load_shop(ROOT / "examples" / "shop.json")


def cart(tea: int = 4, gold: int = 2, book: int = 1):
    """The demo's cart (4 teas, 2 gold mugs, a book) or another mix."""
    s = Session(SHOP, jurisdiction="UK", at=START)
    if tea:
        s.add("TEA", tea)
    if gold:
        s.add("MUG", gold, variant="gold")
    if book:
        s.add("BOOK", book)
    return s.cart


def engine(db: Path | None = None) -> Engine:
    """An engine on the example shop, in memory or on an SQLite file, with a ticking clock."""
    if db is None:
        return Engine(SHOP, clock=Clock())
    return Engine.open(db, SHOP, clock=Clock())


def begun(e: Engine, order: str = "o-1", **mix: int):
    """Begin `order` with the cart mix; returns (cart, quote)."""
    c = cart(**mix)
    q = e.quote(c, jurisdiction="UK", at=START)
    e.orders.begin(order, c, q)
    return c, q
