"""Quotes under the gross policy: the figures, the identity, determinism and scale."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commerce import (
    AmbiguousJurisdictionError,
    Cart,
    Catalog,
    FixedPromo,
    InvalidFieldError,
    InvalidPolicyError,
    InvalidWindowError,
    MissingTaxRateError,
    PercentPromo,
    Product,
    Ruleset,
    Shop,
    TaxRate,
    TaxTable,
    apply_bps,
    product_class,
    quote,
)

from .shops import RATES, cart_of, carts, rule_sets, shop_with, small_shop

SHOP = small_shop()


def test_the_gross_quote_of_a_small_cart():
    cart = cart_of(SHOP.catalog, ("TEA", 4), ("MUG", 2, "gold"), ("BOOK", 1))
    q = quote(SHOP, cart, at=2000, jurisdiction="UK")
    assert (q.subtotal, q.discount, q.tax, q.total) == (6800, 950, 700, 6550)
    assert q.codes == ("B3", "F5")  # B3 450 + F5 500 beats B3 + P10 (750); F5 excludes P10
    assert [(ln.extended, ln.tax) for ln in q.lines] == [(1800, 0), (3000, 600), (2000, 100)]
    assert [(a.code, a.amount, a.lines) for a in q.applied] == [
        ("B3", 450, (("TEA", None),)),
        ("F5", 500, ()),
    ]


def test_a_member_gets_the_member_promotion_once_its_window_opens():
    cart = cart_of(SHOP.catalog, ("TEA", 4), ("MUG", 2, "gold"), ("BOOK", 1))
    assert quote(SHOP, cart, at=2000, member=True).codes == ("B3", "F5", "M15")
    assert quote(SHOP, cart, at=999, member=True).codes == ("B3", "F5")  # M15 opens at 1000


def test_line_tax_is_apply_bps_of_extended_and_tax_is_their_sum():
    cart = cart_of(SHOP.catalog, ("PEN", 3), ("BOOK", 1), ("MUG", 1, "plain"))
    q = quote(SHOP, cart, at=0)
    for line in q.lines:
        cls = product_class(SHOP.catalog, line.sku)
        assert line.tax == apply_bps(line.extended, RATES[cls])
    assert q.tax == sum(line.tax for line in q.lines) == 90 + 100 + 200


def test_the_discount_is_capped_at_the_subtotal():
    rules = Ruleset.build(SHOP.catalog, [FixedPromo("A", 0, 400), FixedPromo("B", 0, 400)])
    shop = Shop("GBP", SHOP.catalog, SHOP.taxes, rules)
    q = quote(shop, cart_of(shop.catalog, ("PEN", 4)), at=0)  # subtotal 600
    assert q.discount == 600
    assert q.codes == ("A", "B")
    assert q.total == 0 + q.tax


def test_an_empty_cart_quotes_zero():
    q = quote(SHOP, Cart(), at=0)
    assert (q.subtotal, q.discount, q.tax, q.total, q.codes, q.lines) == (0, 0, 0, 0, (), ())


def test_json_has_exactly_the_documented_keys():
    q = quote(SHOP, cart_of(SHOP.catalog, ("MUG", 1, "gold")), at=0)
    data = q.to_json()
    assert list(data) == ["subtotal", "discount", "tax", "total", "codes", "lines"]
    assert data["lines"][0] == {
        "sku": "MUG",
        "variant": "gold",
        "qty": 1,
        "unit": 1500,
        "extended": 1500,
        "tax": 300,
    }


def test_errors_of_the_quote_itself():
    cart = cart_of(SHOP.catalog, ("BOOK", 1))
    with pytest.raises(MissingTaxRateError, match="'FR'.*'books'.*'guest'"):
        quote(SHOP, cart, at=0, jurisdiction="FR")
    with pytest.raises(InvalidPolicyError):
        quote(SHOP, cart, at=0, policy="sideways")
    with pytest.raises(InvalidWindowError):
        quote(SHOP, cart, at=1.5)
    with pytest.raises(InvalidFieldError):
        quote(SHOP, cart, at=0, member=1)
    two = TaxTable.build([TaxRate("UK", "books", "guest", 0), TaxRate("IE", "books", "guest", 0)])
    with pytest.raises(AmbiguousJurisdictionError, match="IE, UK"):
        quote(Shop("EUR", SHOP.catalog, two, SHOP.rules), cart, at=0)


@settings(max_examples=60, deadline=None)
@given(rule_sets(), carts, st.booleans(), st.sampled_from([0, 499, 500, 1000]), st.randoms())
def test_total_identity_and_the_same_inputs_give_the_same_quote(rules, items, member, at, rnd):
    promos, pairs = rules
    shop = shop_with(promos, pairs)
    cart = Cart.of(shop.catalog, items)
    q = quote(shop, cart, at=at, member=member)
    assert q.total == q.subtotal - q.discount + q.tax
    assert 0 <= q.discount <= q.subtotal
    assert q.codes == tuple(sorted(q.codes))
    assert quote(shop, cart, at=at, member=member) == q
    # The same shop, entered in another order, gives the same quote.
    other = shop_with(promos, pairs, shuffle=rnd)
    assert quote(other, Cart.of(other.catalog, items), at=at, member=member) == q


@pytest.fixture(scope="module")
def big_shop() -> Shop:
    """100,000 products in one class; a percent and a fixed promotion."""
    catalog = Catalog.build(Product(f"S{i}", "n", 100 + i % 900, "goods") for i in range(BIG))
    rules = Ruleset.build(catalog, [PercentPromo("P", "goods", 500), FixedPromo("F", 0, 999)])
    return Shop("GBP", catalog, TaxTable.build([TaxRate("UK", "goods", "guest", 2000)]), rules)


BIG = 100_000


@pytest.mark.parametrize("lines", [20, 1000])
def test_scale_large_carts_over_a_100k_product_catalog(big_shop, lines):
    cart = Cart.of(big_shop.catalog, ((f"S{i * 97 % BIG}", None, 1 + i % 4) for i in range(lines)))
    q = quote(big_shop, cart, at=0)
    assert len(q.lines) == lines
    assert q.subtotal == sum((100 + (i * 97 % BIG) % 900) * (1 + i % 4) for i in range(lines))
    assert q.discount == min(q.subtotal, apply_bps(q.subtotal, 500) + 999)
    assert q.tax == sum(apply_bps(ln.extended, 2000) for ln in q.lines)
    assert q.total == q.subtotal - q.discount + q.tax
