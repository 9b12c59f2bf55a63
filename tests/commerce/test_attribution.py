"""promo_toucheso: which lines a code touched, and which codes touched a line."""

from __future__ import annotations

import pytest
from kanren import run, var

from commerce import (
    BundlePromo,
    FixedPromo,
    MemberPromo,
    PercentPromo,
    Ruleset,
    UnknownCodeError,
    attribute,
    codes_for_line,
    evaluate,
    lines_for_code,
    order_level_codes,
    price_cart,
    promo_toucheso,
)

from .shops import cart_of, small_catalog

CAT = small_catalog()
RULES = Ruleset.build(
    CAT,
    [
        PercentPromo("GOODS", "goods", 1000),
        BundlePromo("MUGS", "MUG", 2),
        MemberPromo("BOOKS", "books", 1000),
        FixedPromo("BIG", 1000, 100),
        BundlePromo("TEAS", "TEA", 3),  # only 2 TEA in the cart: does not apply
    ],
)
CART = cart_of(CAT, ("TEA", 2), ("MUG", 1, "gold"), ("PEN", 2), ("MUG", 1, "plain"), ("BOOK", 1))


def attribution(member: bool):
    return attribute(evaluate(RULES, price_cart(CAT, CART), member=member, at=0))


@pytest.fixture(scope="module")
def member():
    return attribution(True)


def test_which_lines_did_code_c_touch(member):
    # Percent: the lines of its class, in cart order. Bundle: the lines of its sku.
    assert lines_for_code(member, "GOODS") == [("MUG", "gold"), ("PEN", None), ("MUG", "plain")]
    assert lines_for_code(member, "MUGS") == [("MUG", "gold"), ("MUG", "plain")]
    assert lines_for_code(member, "BOOKS") == [("BOOK", None)]
    assert lines_for_code(member, "BIG") == []  # fixed: order level
    assert lines_for_code(member, "TEAS") == []  # does not apply, touches nothing


def test_which_codes_touched_line_l(member):
    assert codes_for_line(member, "MUG", "gold") == ["GOODS", "MUGS"]
    assert codes_for_line(member, "PEN") == ["GOODS"]
    assert codes_for_line(member, "TEA") == []
    assert codes_for_line(member, "BOOK") == ["BOOKS"]


def test_a_guest_is_not_touched_by_member_promotions():
    guest = attribution(False)
    assert codes_for_line(guest, "BOOK") == []
    assert lines_for_code(guest, "BOOKS") == []


def test_which_lines_and_which_codes_as_run_queries(member):
    sku, variant, code = var(), var(), var()
    lines = run(0, (sku, variant), promo_toucheso(member, "MUGS", sku, variant))
    assert sorted(lines) == [("MUG", "gold"), ("MUG", "plain")]
    assert sorted(run(0, code, promo_toucheso(member, code, "PEN", None))) == ["GOODS"]


def test_the_relation_runs_in_every_direction(member):
    code, sku, variant, pos = var(), var(), var(), var()
    every = sorted(run(0, (code, sku, variant), promo_toucheso(member, code, sku, variant)))
    assert every == [
        ("BOOKS", "BOOK", None),
        ("GOODS", "MUG", "gold"),
        ("GOODS", "MUG", "plain"),
        ("GOODS", "PEN", None),
        ("MUGS", "MUG", "gold"),
        ("MUGS", "MUG", "plain"),
    ]
    # Which codes touched the line at position 3 (the plain mug)?
    assert sorted(run(0, code, promo_toucheso(member, code, var(), var(), 3))) == ["GOODS", "MUGS"]
    assert run(0, pos, promo_toucheso(member, "BOOKS", "BOOK", None, pos)) == (4,)


def test_order_level_codes_are_the_applying_fixed_ones(member):
    assert order_level_codes(member) == ["BIG"]


def test_an_unknown_code_is_an_error(member):
    with pytest.raises(UnknownCodeError):
        lines_for_code(member, "NOPE")
