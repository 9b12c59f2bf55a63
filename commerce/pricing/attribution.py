"""Attribution: which cart lines each applying promotion touched.

Percent and member promotions touch the lines of their class, a bundle the lines of its
sku; a fixed promotion touches no line (it is order level). The facts (code, position,
sku, variant) answer both "which lines did code C touch?" and "which codes touched line L?".
"""

from __future__ import annotations

from dataclasses import dataclass

from kanren import var

from ..relation import FactRelation, Goal, Term, answers
from .cart import Key
from .promo import Evaluation, FixedPromo


@dataclass(frozen=True, slots=True)
class Attribution:
    """The (code, position, sku, variant) facts of one evaluation's applying promotions."""

    ev: Evaluation
    touches: FactRelation


def attribute(ev: Evaluation) -> Attribution:
    """Relate each applying promotion of `ev` to the lines it touches."""
    applying = ev.amounts()
    rows = [
        (p.code, line.position, line.sku, line.variant)
        for p in ev.rules.promos
        if p.code in applying
        for line in ev.priced.lines
        if p.touches(line)
    ]
    return Attribution(ev, FactRelation("touches", rows))


def promo_toucheso(
    attr: Attribution, code: Term, sku: Term, variant: Term, position: Term = None
) -> Goal:
    """Applying promotion `code` touched the line of sku/variant (at `position`)."""
    return attr.touches(code, var() if position is None else position, sku, variant)


def lines_for_code(attr: Attribution, code: str) -> list[Key]:
    """The (sku, variant) lines `code` touched, in cart order ([] for a fixed promotion)."""
    attr.ev.rules.promo(code)  # UnknownCodeError for a code the shop does not have
    pos, sku, variant = var("pos"), var("sku"), var("variant")
    found = answers((pos, sku, variant), promo_toucheso(attr, code, sku, variant, pos))
    return [(s, v) for _, s, v in found]


def codes_for_line(attr: Attribution, sku: str, variant: str | None = None) -> list[str]:
    """The applying codes that touched the line of sku/variant, sorted."""
    code = var("code")
    return answers(code, promo_toucheso(attr, code, sku, variant))


def order_level_codes(attr: Attribution) -> list[str]:
    """The applying codes that touch no line: fixed promotions, sorted."""
    applying = attr.ev.amounts()
    return sorted(
        p.code for p in attr.ev.rules.promos if isinstance(p, FixedPromo) and p.code in applying
    )
