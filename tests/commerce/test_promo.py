"""The four promotion kinds, when they apply, and promo_discounto / promo_applieso."""

from __future__ import annotations

import pytest
from kanren import run, var

from commerce import (
    BundlePromo,
    DuplicateCodeError,
    FixedPromo,
    InvalidExclusionError,
    InvalidMoneyError,
    InvalidPromoError,
    InvalidRateError,
    MemberPromo,
    PercentPromo,
    Ruleset,
    UnknownClassError,
    UnknownCodeError,
    UnknownSkuError,
    Window,
    apply_bps,
    evaluate,
    price_cart,
    promo_applieso,
    promo_discounto,
)

from .shops import cart_of, small_catalog, standard_promos

CAT = small_catalog()


def priced(*items):
    return price_cart(CAT, cart_of(CAT, *items))


def test_percent_is_apply_bps_of_the_class_total():
    p = PercentPromo("P", "goods", 1250)
    cart = priced(("MUG", 1, "gold"), ("PEN", 3), ("TEA", 9))  # goods: 1500 + 450
    assert p.discount(cart) == apply_bps(1950, 1250) == 244  # 243.75 rounds up


@pytest.mark.parametrize("subtotal_items, expected", [((("TEA", 10),), 500), ((("TEA", 9),), 0)])
def test_fixed_applies_from_its_threshold_inclusive(subtotal_items, expected):
    # 10 TEA = 4500 reaches the 4500 threshold; 9 TEA = 4050 does not.
    assert FixedPromo("F", 4500, 500).discount(priced(*subtotal_items)) == expected


def test_fixed_never_exceeds_the_subtotal():
    assert FixedPromo("F", 0, 10_000).discount(priced(("PEN", 2))) == 300


def test_bundle_counts_units_over_the_skus_lines_at_the_lowest_unit():
    p = BundlePromo("B", "MUG", 3)
    # 2 gold (1500) + 2 plain (1000) + 1 plain product (1200) = 5 units -> one free at 1000.
    assert p.discount(priced(("MUG", 2, "gold"), ("MUG", 2, "plain"), ("MUG", 1))) == 1000
    assert p.discount(priced(("MUG", 6, "gold"))) == 2 * 1500
    assert p.discount(priced(("MUG", 2, "gold"), ("TEA", 5))) == 0


def test_member_promo_is_percent_for_members_only():
    rules = Ruleset.build(CAT, [MemberPromo("M", "books", 1500)])
    cart = priced(("BOOK", 2))
    assert evaluate(rules, cart, member=True, at=0).amounts() == {"M": 600}
    assert evaluate(rules, cart, member=False, at=0).amounts() == {}
    # It still has a discount on this cart; it just does not apply to a guest.
    amount = var()
    ev = evaluate(rules, cart, member=False, at=0)
    assert run(0, amount, promo_discounto(ev, "M", amount)) == (600,)


@pytest.fixture(scope="module")
def ev():
    rules = Ruleset.build(
        CAT,
        [
            *standard_promos(),
            PercentPromo("BOOKS", "books", 1000),  # 200 off: never reaches 0
            PercentPromo("ZERO", "food", 0),  # gives 0: never applies
            FixedPromo("OLD", 0, 300, Window(None, 10)),  # expired at 1000
        ],
    )
    cart = priced(("TEA", 4), ("MUG", 2, "gold"), ("BOOK", 1))  # subtotal 6800
    return evaluate(rules, cart, member=False, at=1000)


def test_which_promotions_apply_and_how_much(ev):
    code, amount = var(), var()
    assert sorted(run(0, (code, amount), promo_applieso(ev, code, amount))) == [
        ("B3", 450),
        ("BOOKS", 200),
        ("F5", 500),
        ("P10", 300),
    ]


def test_which_code_gives_discount_d(ev):
    code = var()
    assert run(0, code, promo_applieso(ev, code, 500)) == ("F5",)
    assert run(0, code, promo_applieso(ev, code, 300)) == ("P10",)  # OLD gives 300 but expired
    assert sorted(run(0, code, promo_discounto(ev, code, 300))) == ["M15", "OLD", "P10"]
    assert run(0, code, promo_applieso(ev, code, 0)) == ()


def test_promo_discounto_covers_every_promotion_with_its_kind(ev):
    code, kind, amount = var(), var(), var()
    found = sorted(run(0, (code, kind, amount), promo_discounto(ev, code, amount, kind)))
    assert ("M15", "member", 300) in found
    assert ("ZERO", "percent", 0) in found
    assert len(found) == len(ev.rules.promos)
    assert sorted(run(0, code, promo_discounto(ev, code, var(), "fixed"))) == ["F5", "OLD"]


@pytest.mark.parametrize(
    "build, error",
    [
        (lambda: PercentPromo("P", "goods", 10_001), InvalidRateError),
        (lambda: PercentPromo("P", "goods", 10.0), InvalidRateError),
        (lambda: FixedPromo("F", 100, 5.0), InvalidMoneyError),
        (lambda: FixedPromo("F", True, 5), InvalidMoneyError),
        (lambda: FixedPromo("F", 100, -5), InvalidMoneyError),
        (lambda: BundlePromo("B", "TEA", 1), InvalidPromoError),
        (lambda: BundlePromo("B", "TEA", 2.0), InvalidPromoError),
        (lambda: Ruleset.build(CAT, [PercentPromo("P", "toys", 10)]), UnknownClassError),
        (lambda: Ruleset.build(CAT, [MemberPromo("M", "toys", 10)]), UnknownClassError),
        (lambda: Ruleset.build(CAT, [BundlePromo("B", "KITE", 2)]), UnknownSkuError),
        (
            lambda: Ruleset.build(CAT, [FixedPromo("F", 0, 1), FixedPromo("F", 0, 2)]),
            DuplicateCodeError,
        ),
        (lambda: Ruleset.build(CAT, [FixedPromo("F", 0, 1)], [("F", "G")]), UnknownCodeError),
        (lambda: Ruleset.build(CAT, [FixedPromo("F", 0, 1)], [("F", "F")]), InvalidExclusionError),
        (lambda: Ruleset.build(CAT, [FixedPromo("F", 0, 1)], [("F",)]), InvalidExclusionError),
        (lambda: Ruleset.build(CAT, ["not a promo"]), InvalidPromoError),
    ],
)
def test_bad_promotions_raise(build, error):
    with pytest.raises(error):
        build()


def test_ruleset_lookups():
    rules = Ruleset.build(CAT, standard_promos(), [("F5", "P10"), ("P10", "F5")])
    assert rules.promo("B3").kind == "bundle"
    assert rules.excluded("P10", "F5") and rules.excluded("F5", "P10")
    assert not rules.excluded("B3", "F5")
    assert len(rules.exclusions) == 1
    with pytest.raises(UnknownCodeError):
        rules.promo("NOPE")
