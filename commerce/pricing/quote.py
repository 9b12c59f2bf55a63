"""Quotes: subtotal, discount, tax and total of a cart, and how each figure arose.

The pipeline: price the lines, evaluate the promotions, pick the best legal stacking,
attribute each chosen code to the lines it touched, then tax the lines. Under the gross
policy (the default) line tax = apply_bps(extended, bps); under the net policy the discount
is first spread over the lines (see `nettax`). total = subtotal - discount + tax.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import InvalidFieldError, InvalidPolicyError
from ..money import apply_bps
from .attribution import attribute, lines_for_code
from .cart import Cart, Key
from .catalog import item_name
from .nettax import net_taxes
from .price import price_cart
from .promo import Evaluation, evaluate
from .shop import Shop
from .stack import Stacking, best
from .tax import customer_class, tax_rate
from .window import require_time

GROSS = "gross"
NET = "net"
POLICIES = (GROSS, NET)


@dataclass(frozen=True, slots=True)
class QuoteLine:
    """One priced, taxed line; `share` is its part of the discount under the net policy."""

    sku: str
    variant: str | None
    qty: int
    unit: int
    extended: int
    tax: int
    share: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The line as a JSON object."""
        out = {"sku": self.sku, "variant": self.variant, "qty": self.qty, "unit": self.unit}
        out |= {"extended": self.extended, "tax": self.tax}
        if self.share is not None:
            out["share"] = self.share
        return out


@dataclass(frozen=True, slots=True)
class AppliedCode:
    """A chosen promotion: its code, kind, own discount and the lines it touched."""

    code: str
    kind: str
    amount: int
    lines: tuple[Key, ...]

    def line_names(self) -> str:
        """`TEA, MUG/gold`, or `order` for a promotion that touches no line."""
        return ", ".join(item_name(*key) for key in self.lines) or "order"


@dataclass(frozen=True, slots=True)
class Quote:
    """A priced cart. `applied` lists the chosen codes; their amounts sum to `discount` unless
    the sum was capped at the subtotal."""

    currency: str
    policy: str
    jurisdiction: str
    member: bool
    at: int
    subtotal: int
    discount: int
    tax: int
    total: int
    codes: tuple[str, ...]
    lines: tuple[QuoteLine, ...]
    applied: tuple[AppliedCode, ...]

    def to_json(self) -> dict[str, Any]:
        """subtotal, discount, tax, total, codes and lines, as a JSON object."""
        return {
            "subtotal": self.subtotal,
            "discount": self.discount,
            "tax": self.tax,
            "total": self.total,
            "codes": list(self.codes),
            "lines": [line.to_json() for line in self.lines],
        }


def evaluation(shop: Shop, cart: Cart, *, member: bool, at: int) -> Evaluation:
    """Price `cart` and evaluate the shop's promotions on it for this customer and instant."""
    require_time(at)
    return evaluate(shop.rules, price_cart(shop.catalog, cart), member=_flag(member), at=at)


def quote(
    shop: Shop,
    cart: Cart,
    *,
    at: int,
    jurisdiction: str | None = None,
    member: bool = False,
    policy: str = GROSS,
) -> Quote:
    """The quote of `cart` in `shop`; the same inputs always give the same quote."""
    if policy not in POLICIES:
        raise InvalidPolicyError(f"policy must be gross or net, got {policy!r}")
    where = shop.jurisdiction(jurisdiction)
    ev = evaluation(shop, cart, member=member, at=at)
    chosen: Stacking = best(ev)
    lines = ev.priced.lines
    customer = customer_class(member)
    rates_by_class: dict[str, int] = {}
    rates = []
    for line in lines:  # rates are looked up once per class: a cart has few classes
        if line.cls not in rates_by_class:
            rates_by_class[line.cls] = tax_rate(shop.taxes, where, line.cls, customer)
        rates.append(rates_by_class[line.cls])
    extendeds = [line.extended for line in lines]
    if policy == GROSS:
        shares: tuple[int | None, ...] = (None,) * len(lines)
        taxes = tuple(apply_bps(ext, bps) for ext, bps in zip(extendeds, rates, strict=True))
    else:
        shares, taxes = net_taxes(chosen.discount, extendeds, rates)
    attr = attribute(ev)
    amounts = ev.amounts()
    applied = tuple(
        AppliedCode(c, shop.rules.promo(c).kind, amounts[c], tuple(lines_for_code(attr, c)))
        for c in chosen.codes
    )
    tax = sum(taxes)
    subtotal = ev.priced.subtotal
    return Quote(
        currency=shop.currency,
        policy=policy,
        jurisdiction=where,
        member=member,
        at=at,
        subtotal=subtotal,
        discount=chosen.discount,
        tax=tax,
        total=subtotal - chosen.discount + tax,
        codes=chosen.codes,
        lines=tuple(
            QuoteLine(ln.sku, ln.variant, ln.qty, ln.unit, ln.extended, t, sh)
            for ln, t, sh in zip(lines, taxes, shares, strict=True)
        ),
        applied=applied,
    )


def _flag(member: object) -> bool:
    if not isinstance(member, bool):
        raise InvalidFieldError(f"member must be True or False, got {member!r}")
    return member
