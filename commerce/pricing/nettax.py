"""The net tax policy: tax the lines after the basket discount is spread over them.

share_i = floor(D x ext_i / subtotal); the units left over go one each to the lines with
the largest remainders (D x ext_i mod subtotal), ties to the earlier line. The shares sum
to D exactly, and since D <= subtotal no share exceeds its line. Line tax is
apply_bps(ext_i - share_i, bps_i).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import InvalidMoneyError
from ..money import apply_bps, require_money


def allocate(discount: int, extendeds: Sequence[int]) -> tuple[int, ...]:
    """Split `discount` over lines in proportion to their extended amounts (largest remainder)."""
    require_money(discount, "discount")
    for ext in extendeds:
        require_money(ext, "extended amount")
    subtotal = sum(extendeds)
    if discount > subtotal:
        raise InvalidMoneyError(f"discount {discount} exceeds the subtotal {subtotal}")
    if discount == 0:
        return tuple(0 for _ in extendeds)
    shares = [discount * ext // subtotal for ext in extendeds]
    remainders = [discount * ext % subtotal for ext in extendeds]
    left = discount - sum(shares)
    # Fewer units are left than there are lines: each remainder is below the subtotal.
    for i in sorted(range(len(shares)), key=lambda i: (-remainders[i], i))[:left]:
        shares[i] += 1
    return tuple(shares)


def net_taxes(
    discount: int, extendeds: Sequence[int], rates: Sequence[int]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(shares, line taxes): each line taxed at its rate on its extended amount less its share."""
    shares = allocate(discount, extendeds)
    taxes = tuple(
        apply_bps(ext - share, bps)
        for ext, share, bps in zip(extendeds, shares, rates, strict=True)
    )
    return shares, taxes
