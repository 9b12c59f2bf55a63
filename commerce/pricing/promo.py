"""Promotions: four kinds as data, the rule set that holds them, and what each gives a cart.

| kind    | discount                                                                   |
| percent | apply_bps(sum of extended of the lines in class, bps)                      |
| fixed   | min(amount, subtotal) if subtotal >= threshold, else 0                     |
| bundle  | (sum of qty of the sku // n) x the lowest unit price among its lines       |
| member  | like percent, for member customers only                                    |

A promotion applies when it is live, its customer condition holds and its discount is > 0.
`evaluate` computes every promotion's discount on one priced cart once and keeps the answers
as facts, so that `promo_discounto` and `promo_applieso` run in any direction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from kanren import var

from ..errors import (
    DuplicateCodeError,
    InvalidExclusionError,
    InvalidPromoError,
    UnknownClassError,
    UnknownCodeError,
    UnknownSkuError,
)
from ..money import apply_bps, require_bps, require_money, require_text
from ..relation import FactRelation, Goal, Term
from .catalog import Catalog, has_sku, product_classes
from .price import PricedCart, PricedLine
from .window import Window, require_time


@dataclass(frozen=True, slots=True)
class PercentPromo:
    """`bps` off the lines of product class `cls`."""

    code: str
    cls: str
    bps: int
    window: Window = Window()
    kind: ClassVar[str] = "percent"

    def __post_init__(self) -> None:
        require_text(self.code, "promo code")
        require_text(self.cls, f"promo {self.code} class")
        require_bps(self.bps, f"promo {self.code} bps")
        _require_window(self)

    def discount(self, priced: PricedCart) -> int:
        """apply_bps of the class's extended total."""
        return apply_bps(sum(ln.extended for ln in priced.lines if ln.cls == self.cls), self.bps)

    def touches(self, line: PricedLine) -> bool:
        """Lines of the promo's class."""
        return line.cls == self.cls

    def admits(self, member: bool) -> bool:
        """Any customer."""
        return True


@dataclass(frozen=True, slots=True)
class MemberPromo(PercentPromo):
    """Like a percent promo, for member customers only."""

    kind: ClassVar[str] = "member"

    def admits(self, member: bool) -> bool:
        """Members only."""
        return member


@dataclass(frozen=True, slots=True)
class FixedPromo:
    """`amount` off the order when its subtotal reaches `threshold` (never more than it)."""

    code: str
    threshold: int
    amount: int
    window: Window = Window()
    kind: ClassVar[str] = "fixed"

    def __post_init__(self) -> None:
        require_text(self.code, "promo code")
        require_money(self.threshold, f"promo {self.code} threshold")
        require_money(self.amount, f"promo {self.code} amount")
        _require_window(self)

    def discount(self, priced: PricedCart) -> int:
        """min(amount, subtotal) once the subtotal reaches the threshold."""
        return min(self.amount, priced.subtotal) if priced.subtotal >= self.threshold else 0

    def touches(self, line: PricedLine) -> bool:
        """No line: a fixed promo is order level."""
        return False

    def admits(self, member: bool) -> bool:
        """Any customer."""
        return True


@dataclass(frozen=True, slots=True)
class BundlePromo:
    """Every `n` units of `sku` (over its lines) get one unit free, at the lowest unit price."""

    code: str
    sku: str
    n: int
    window: Window = Window()
    kind: ClassVar[str] = "bundle"

    def __post_init__(self) -> None:
        require_text(self.code, "promo code")
        require_text(self.sku, f"promo {self.code} sku")
        if type(self.n) is not int or self.n < 2:
            raise InvalidPromoError(
                f"promo {self.code}: bundle n must be an int >= 2, got {self.n!r}"
            )
        _require_window(self)

    def discount(self, priced: PricedCart) -> int:
        """(units of the sku // n) x the lowest unit price among its lines."""
        lines = [ln for ln in priced.lines if ln.sku == self.sku]
        if not lines:
            return 0
        return sum(ln.qty for ln in lines) // self.n * min(ln.unit for ln in lines)

    def touches(self, line: PricedLine) -> bool:
        """Lines of the promo's sku."""
        return line.sku == self.sku

    def admits(self, member: bool) -> bool:
        """Any customer."""
        return True


Promo = PercentPromo | MemberPromo | FixedPromo | BundlePromo
KINDS: dict[str, type[Promo]] = {
    k.kind: k for k in (PercentPromo, FixedPromo, BundlePromo, MemberPromo)
}


def _require_window(promo: Promo) -> None:
    if not isinstance(promo.window, Window):
        raise InvalidPromoError(f"promo {promo.code}: window must be a Window")


def exclusion(a: str, b: str) -> frozenset[str]:
    """The unordered pair {a, b}: codes that may not be used together."""
    require_text(a, "exclusion code")
    require_text(b, "exclusion code")
    if a == b:
        raise InvalidExclusionError(f"an exclusion pairs two different codes, got {a!r} twice")
    return frozenset((a, b))


@dataclass(frozen=True, slots=True)
class Ruleset:
    """The promotions of a shop, in shop order, and the pairs of codes that exclude each other."""

    promos: tuple[Promo, ...] = ()
    exclusions: frozenset[frozenset[str]] = frozenset()

    @classmethod
    def build(
        cls, catalog: Catalog, promos: Iterable[Promo], exclusions: Iterable[Iterable[str]] = ()
    ) -> Ruleset:
        """Check codes are unique and every class, sku and code named exists; then build.

        Each entry is checked as it is taken from the iterables, so a caller that tracks its
        position while feeding them knows which entry an error is about.
        """
        classes = product_classes(catalog)
        kept: dict[str, Promo] = {}
        for p in promos:
            if not isinstance(p, PercentPromo | FixedPromo | BundlePromo):
                raise InvalidPromoError(f"not a promotion: {p!r}")
            if p.code in kept:
                raise DuplicateCodeError(f"duplicate promo code {p.code!r}")
            if isinstance(p, PercentPromo) and p.cls not in classes:
                known = ", ".join(sorted(classes)) or "none"
                raise UnknownClassError(
                    f"promo {p.code} names unknown product class {p.cls!r} (known: {known})"
                )
            if isinstance(p, BundlePromo) and not has_sku(catalog, p.sku):
                raise UnknownSkuError(f"promo {p.code} names unknown sku {p.sku!r}")
            kept[p.code] = p
        pairs = set()
        for pair in exclusions:
            codes = tuple(pair)
            if len(codes) != 2:
                raise InvalidExclusionError(f"an exclusion is a pair of codes, got {list(codes)}")
            for code in codes:
                if code not in kept:
                    raise UnknownCodeError(f"exclusion names unknown code {code!r}")
            pairs.add(exclusion(*codes))
        return cls(tuple(kept.values()), frozenset(pairs))

    def promo(self, code: str) -> Promo:
        """The promotion with this code; UnknownCodeError if none."""
        for p in self.promos:
            if p.code == code:
                return p
        raise UnknownCodeError(f"unknown promo code {code!r}")

    def excluded(self, a: str, b: str) -> bool:
        """True when codes a and b may not be used together."""
        return frozenset((a, b)) in self.exclusions


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every promotion's discount on one priced cart, for one customer at one instant.

    `discounts` holds facts (code, kind, amount) for every promotion, whatever its window or
    customer condition; `applying` holds facts (code, amount) for the ones that apply.
    """

    rules: Ruleset
    priced: PricedCart
    member: bool
    at: int
    discounts: FactRelation
    applying: FactRelation

    def amounts(self) -> dict[str, int]:
        """code -> discount of every applying promotion, in code order."""
        return dict(sorted((code, amount) for code, amount in self.applying.facts))


def evaluate(rules: Ruleset, priced: PricedCart, *, member: bool, at: int) -> Evaluation:
    """Compute each promotion's discount on `priced`, and which promotions apply."""
    require_time(at)
    rows = [(p.code, p.kind, p.discount(priced)) for p in rules.promos]
    live = {p.code for p in rules.promos if p.window.is_live(at) and p.admits(member)}
    applying = [(code, amount) for code, _, amount in rows if code in live and amount > 0]
    return Evaluation(
        rules,
        priced,
        member,
        at,
        FactRelation("promo_discount", rows),
        FactRelation("promo_applies", applying),
    )


def promo_discounto(ev: Evaluation, code: Term, amount: Term, kind: Term = None) -> Goal:
    """Promotion `code` (of `kind`) gives `amount` off this cart, applying or not."""
    return ev.discounts(code, var() if kind is None else kind, amount)


def promo_applieso(ev: Evaluation, code: Term, amount: Term) -> Goal:
    """Promotion `code` applies to this cart, customer and instant, giving `amount` off."""
    return ev.applying(code, amount)
