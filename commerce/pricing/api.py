"""A shopper's session: one shop, one customer, one cart, and the questions asked of them.

The session holds the current cart (an immutable value it replaces on each change); a
failed change raises and leaves the cart as it was. The instant used for promotion windows
is fixed when the session starts, so repeated questions get the same answers.
"""

from __future__ import annotations

import time

from ..errors import CommerceError
from ..money import require_qty
from .cart import Cart, Line
from .catalog import on_hand, require_item
from .quote import GROSS, Quote, QuoteLine, quote
from .shop import Shop
from .window import require_time


class Session:
    """The session facade: add, remove, set_qty, total, count, lines, can_add, explain."""

    def __init__(
        self,
        shop: Shop,
        *,
        jurisdiction: str | None = None,
        member: bool = False,
        policy: str = GROSS,
        at: int | None = None,
        cart: Cart | None = None,
    ) -> None:
        self.shop = shop
        self.jurisdiction = shop.jurisdiction(jurisdiction)
        self.member = member
        self.policy = policy
        self.at = require_time(int(time.time()) if at is None else at)
        self.cart = Cart() if cart is None else cart
        # Quote the starting cart now, so a bad policy, flag or cart fails here, not later.
        quote(
            shop,
            self.cart,
            at=self.at,
            jurisdiction=self.jurisdiction,
            member=member,
            policy=policy,
        )

    def add(self, sku: str, qty: int = 1, variant: str | None = None) -> Cart:
        """Add qty of sku/variant to the cart; returns the new cart."""
        self.cart = self.cart.add(self.shop.catalog, sku, qty, variant)
        return self.cart

    def remove(self, sku: str, variant: str | None = None) -> Cart:
        """Remove sku/variant's line; returns the new cart."""
        self.cart = self.cart.remove(sku, variant)
        return self.cart

    def set_qty(self, sku: str, qty: int, variant: str | None = None) -> Cart:
        """Set sku/variant's qty (0 removes the line); returns the new cart."""
        self.cart = self.cart.set_qty(self.shop.catalog, sku, qty, variant)
        return self.cart

    def count(self) -> int:
        """Units in the cart."""
        return self.cart.count()

    def lines(self) -> tuple[Line, ...]:
        """The cart's lines, in order."""
        return self.cart.lines

    def can_add(self, sku: str, qty: int = 1, variant: str | None = None) -> bool:
        """True when the item exists, qty is a positive int and tracked stock covers the cart."""
        try:
            require_qty(qty)
            require_item(self.shop.catalog, sku, variant)
        except CommerceError:
            return False
        stock = on_hand(self.shop.catalog, sku, variant)
        return stock is None or self.cart.qty(sku, variant) + qty <= stock

    def quote(self) -> Quote:
        """The quote of the current cart."""
        return quote(
            self.shop,
            self.cart,
            at=self.at,
            jurisdiction=self.jurisdiction,
            member=self.member,
            policy=self.policy,
        )

    def total(self) -> int:
        """What the customer pays: subtotal - discount + tax."""
        return self.quote().total

    def explain(self) -> tuple[QuoteLine, ...]:
        """Per line: sku, variant, qty, unit, extended, tax (and share under the net policy)."""
        return self.quote().lines
