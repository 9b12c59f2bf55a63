"""The net policy: largest-remainder allocation of the discount, then tax on the net lines."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commerce import Cart, InvalidMoneyError, allocate, apply_bps, net_taxes, quote

from .shops import RATES, cart_of, carts, rule_sets, shop_with, small_shop

SHOP = small_shop()


@pytest.mark.parametrize(
    "discount, extendeds, shares",
    [
        (5, [2, 2, 2], (2, 2, 1)),  # equal remainders: the earlier lines get the units
        (2, [1, 1, 1], (1, 1, 0)),
        (0, [500, 300], (0, 0)),
        (800, [500, 300], (500, 300)),  # the whole subtotal: each line's share is the line
        (10, [10, 20, 30, 40], (1, 2, 3, 4)),  # exact proportions, nothing left over
        (7, [10, 0, 20], (2, 0, 5)),  # 7*10/30 = 2.33, 7*20/30 = 4.67: the larger remainder wins
        (0, [], ()),
    ],
)
def test_allocate_by_hand(discount, extendeds, shares):
    assert allocate(discount, extendeds) == shares


money = st.integers(0, 100_000)


@settings(max_examples=200, deadline=None)
@given(st.lists(money, min_size=1, max_size=30), st.data())
def test_shares_sum_to_the_discount_and_none_exceeds_its_line(extendeds, data):
    subtotal = sum(extendeds)
    discount = data.draw(st.integers(0, subtotal))
    shares = allocate(discount, extendeds)
    assert sum(shares) == discount
    for share, ext in zip(shares, extendeds, strict=True):
        assert 0 <= share <= ext
        if subtotal:  # within one unit of the exact proportional share
            assert abs(share - Fraction(discount * ext, subtotal)) < 1


@pytest.mark.parametrize(
    "discount, extendeds",
    [(11, [5, 5]), (-1, [5]), (1.0, [5]), (1, [2.5]), (True, [5]), (1, [-3, 5])],
)
def test_allocate_refuses_bad_amounts(discount, extendeds):
    with pytest.raises(InvalidMoneyError):
        allocate(discount, extendeds)


def test_net_taxes_tax_each_line_after_its_share():
    shares, taxes = net_taxes(1250, [1800, 3000, 2000], [0, 2000, 500])
    assert shares == (331, 551, 368)
    assert taxes == (0, apply_bps(3000 - 551, 2000), apply_bps(2000 - 368, 500)) == (0, 490, 82)


def test_the_net_quote_of_the_worked_cart():
    cart = cart_of(SHOP.catalog, ("TEA", 4), ("MUG", 2, "gold"), ("BOOK", 1))
    q = quote(SHOP, cart, at=2000, member=True, policy="net")
    assert (q.subtotal, q.discount, q.tax, q.total) == (6800, 1250, 572, 6122)
    assert [ln.share for ln in q.lines] == [331, 551, 368]
    assert quote(SHOP, cart, at=2000, member=True).tax == 700  # gross taxes more


@settings(max_examples=50, deadline=None)
@given(rule_sets(), carts, st.booleans())
def test_net_quote_properties(rules, items, member):
    shop = shop_with(*rules)
    q = quote(shop, Cart.of(shop.catalog, items), at=600, member=member, policy="net")
    assert q.total == q.subtotal - q.discount + q.tax
    assert sum(ln.share for ln in q.lines) == q.discount
    for ln in q.lines:
        assert 0 <= ln.share <= ln.extended
        cls = {"TEA": "food", "MUG": "goods", "PEN": "goods", "BOOK": "books"}[ln.sku]
        assert ln.tax == apply_bps(ln.extended - ln.share, RATES[cls])
