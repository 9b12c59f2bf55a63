"""The cart: an immutable, ordered list of lines (sku, variant, qty).

Every operation returns a new cart and checks everything before building it, so a bad
request (unknown sku or variant, a qty that is not a positive int) raises and leaves the
cart the caller holds exactly as it was. A (sku, variant) appears on at most one line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kanren import var

from ..errors import DuplicateSkuError, InvalidFieldError, UnknownLineError
from ..money import require_qty, require_text
from ..relation import FactRelation, Goal, Term
from .catalog import Catalog, item_name, require_item

Key = tuple[str, str | None]


@dataclass(frozen=True, slots=True)
class Line:
    """One cart line: `qty` units of sku (variant None) or of sku/variant."""

    sku: str
    variant: str | None
    qty: int

    def __post_init__(self) -> None:
        require_text(self.sku, "line sku")
        if self.variant is not None:
            require_text(self.variant, f"line variant of {self.sku}")
        require_qty(self.qty, f"qty of {item_name(self.sku, self.variant)}")

    @property
    def key(self) -> Key:
        """(sku, variant): what identifies the line within its cart."""
        return (self.sku, self.variant)


@dataclass(frozen=True, slots=True)
class Cart:
    """An ordered tuple of lines with distinct (sku, variant) keys."""

    lines: tuple[Line, ...] = ()
    _facts: FactRelation | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.lines, tuple) or not all(isinstance(x, Line) for x in self.lines):
            raise InvalidFieldError("a cart's lines must be a tuple of Line")
        if len({line.key for line in self.lines}) != len(self.lines):
            raise DuplicateSkuError("a cart holds each (sku, variant) on one line only")

    @classmethod
    def of(cls, catalog: Catalog, items: Iterable[tuple[str, str | None, int]]) -> Cart:
        """A cart from (sku, variant, qty) items, added in order (repeats add up)."""
        qtys: dict[Key, int] = {}
        for sku, variant, qty in items:
            require_qty(qty, f"qty of {item_name(sku, variant)}")
            require_item(catalog, sku, variant)
            qtys[(sku, variant)] = qtys.get((sku, variant), 0) + qty
        return cls(tuple(Line(sku, variant, qty) for (sku, variant), qty in qtys.items()))

    def add(self, catalog: Catalog, sku: str, qty: int = 1, variant: str | None = None) -> Cart:
        """Add `qty` of sku/variant: to its line if the cart has one, else as a new last line."""
        require_qty(qty, f"qty of {item_name(sku, variant)}")
        require_item(catalog, sku, variant)
        i = self.position(sku, variant)
        if i is None:
            return Cart((*self.lines, Line(sku, variant, qty)))
        return self._replace(i, Line(sku, variant, self.lines[i].qty + qty))

    def set_qty(self, catalog: Catalog, sku: str, qty: int, variant: str | None = None) -> Cart:
        """Set the qty of sku/variant's line (adding it if absent); qty 0 removes the line."""
        require_qty(qty, f"qty of {item_name(sku, variant)}", minimum=0)
        require_item(catalog, sku, variant)
        i = self.position(sku, variant)
        if qty == 0:
            return self if i is None else self.remove(sku, variant)
        if i is None:
            return Cart((*self.lines, Line(sku, variant, qty)))
        return self._replace(i, Line(sku, variant, qty))

    def remove(self, sku: str, variant: str | None = None) -> Cart:
        """The cart without sku/variant's line; UnknownLineError if it has none."""
        i = self.position(sku, variant)
        if i is None:
            raise UnknownLineError(f"the cart has no line for {item_name(sku, variant)}")
        return Cart(self.lines[:i] + self.lines[i + 1 :])

    def position(self, sku: str, variant: str | None = None) -> int | None:
        """Index of sku/variant's line, or None."""
        for i, line in enumerate(self.lines):
            if line.sku == sku and line.variant == variant:
                return i
        return None

    def qty(self, sku: str, variant: str | None = None) -> int:
        """Units of sku/variant in the cart (0 when it has no line)."""
        i = self.position(sku, variant)
        return 0 if i is None else self.lines[i].qty

    def count(self) -> int:
        """Units in the cart, over all lines."""
        return sum(line.qty for line in self.lines)

    def skus(self) -> tuple[str, ...]:
        """The distinct skus in the cart, in the order they first appear."""
        return tuple(dict.fromkeys(line.sku for line in self.lines))

    def is_empty(self) -> bool:
        """True when the cart has no line."""
        return not self.lines

    def __len__(self) -> int:
        return len(self.lines)

    def facts(self) -> FactRelation:
        """The lines as facts (position, sku, variant, qty), built once per cart."""
        if self._facts is None:
            rows = ((i, ln.sku, ln.variant, ln.qty) for i, ln in enumerate(self.lines))
            object.__setattr__(self, "_facts", FactRelation("cart", rows))
        assert self._facts is not None
        return self._facts

    def _replace(self, i: int, line: Line) -> Cart:
        return Cart((*self.lines[:i], line, *self.lines[i + 1 :]))


def cart_lineo(cart: Cart, sku: Term, variant: Term, qty: Term, position: Term = None) -> Goal:
    """The cart has a line of `qty` units of sku/variant (at `position`, counting from 0)."""
    return cart.facts()(var() if position is None else position, sku, variant, qty)
