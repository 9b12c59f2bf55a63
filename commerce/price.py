"""Line pricing: unit = price + variant delta, extended = unit x qty, subtotal = sum of extended.

`price_cart` reads each line's unit price and class out of the catalog relations once, and
everything downstream (promotions, stacking, tax, attribution) works on the priced lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cart import Cart, Key
from .catalog import Catalog, item_name, product_class, unit_price


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
    """Price every line of `cart` against `catalog`; UnknownSkuError etc. for a stray line."""
    lines = []
    for i, line in enumerate(cart.lines):
        unit = unit_price(catalog, line.sku, line.variant)
        cls = product_class(catalog, line.sku)
        ext = extended(unit, line.qty)
        lines.append(PricedLine(i, line.sku, line.variant, line.qty, unit, ext, cls))
    return PricedCart(tuple(lines), subtotal(lines))


def subtotal(lines: tuple[PricedLine, ...] | list[PricedLine]) -> int:
    """The sum of the lines' extended amounts."""
    return sum(line.extended for line in lines)
