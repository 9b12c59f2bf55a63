"""Line pricing: unit = price + variant delta, extended = unit x qty, subtotal = sum of extended.

`price_cart` reads each line's unit price and class out of the catalog relations once, and
everything downstream (promotions, stacking, tax, attribution) works on the priced lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from kanren import run, var

from .cart import Cart, Key
from .catalog import Catalog, classo, item_name, product_class, unit_price, unit_priceo


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A cart line with its unit price, extended amount and product class."""

    position: int
    sku: str
    variant: str | None
    qty: int
    unit: int
    extended: int
    cls: str

    @property
    def key(self) -> Key:
        """(sku, variant), as on the cart line."""
        return (self.sku, self.variant)

    @property
    def name(self) -> str:
        """`TEA` or `MUG/gold`."""
        return item_name(self.sku, self.variant)


@dataclass(frozen=True, slots=True)
class PricedCart:
    """The priced lines of a cart, in cart order, and their subtotal."""

    lines: tuple[PricedLine, ...]
    subtotal: int


def extended(unit: int, qty: int) -> int:
    """The amount of one line: unit price times quantity."""
    return unit * qty


def price_cart(catalog: Catalog, cart: Cart) -> PricedCart:
    """Price every line of `cart` against `catalog`; UnknownSkuError etc. for a stray line.

    Each line is one query joining its unit price with its class through a shared instance
    (so in a federation a line is priced by one shop at a time). One query per line is
    faster than one join over the whole cart: kanren interleaves the streams of a join,
    which costs quadratic time in the number of lines.
    """
    lines = []
    for i, line in enumerate(cart.lines):
        unit, cls, inst = var(), var(), var()
        goals = (
            unit_priceo(catalog, line.sku, line.variant, unit, inst),
            classo(catalog, line.sku, cls, inst),
        )
        found = set(run(0, (unit, cls), *goals))
        if len(found) != 1:  # unknown or ambiguous: the helpers name the problem
            unit_price(catalog, line.sku, line.variant)
            product_class(catalog, line.sku)
        ((u, c),) = found
        lines.append(PricedLine(i, line.sku, line.variant, line.qty, u, extended(u, line.qty), c))
    return PricedCart(tuple(lines), subtotal(lines))


def subtotal(lines: tuple[PricedLine, ...] | list[PricedLine]) -> int:
    """The sum of the lines' extended amounts."""
    return sum(line.extended for line in lines)
