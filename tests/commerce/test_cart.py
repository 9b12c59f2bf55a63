"""The cart value: add / remove / set_qty / qty / count / skus / lines, and cart_lineo."""

from __future__ import annotations

import dataclasses

import pytest
from kanren import lall, run, var

from commerce import (
    Cart,
    Catalog,
    DuplicateSkuError,
    InvalidQuantityError,
    Line,
    Product,
    UnknownLineError,
    UnknownSkuError,
    UnknownVariantError,
    cart_lineo,
    unit_priceo,
)

from .shops import small_catalog


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return small_catalog()


@pytest.fixture
def cart(cat) -> Cart:
    return Cart().add(cat, "TEA", 2).add(cat, "MUG", 1, "gold").add(cat, "BOOK")


def test_add_appends_new_lines_in_order(cart):
    assert cart.lines == (Line("TEA", None, 2), Line("MUG", "gold", 1), Line("BOOK", None, 1))


def test_adding_an_existing_line_adds_in_place(cat, cart):
    more = cart.add(cat, "MUG", 3, "gold")
    assert more.lines[1] == Line("MUG", "gold", 4)
    assert len(more) == 3
    # The plain product and a variant of it are different lines.
    assert cart.add(cat, "MUG", 1).lines[3] == Line("MUG", None, 1)


def test_operations_return_new_carts_and_leave_the_old_one(cat, cart):
    before = cart.lines
    cart.add(cat, "TEA", 5)
    cart.remove("TEA")
    cart.set_qty(cat, "BOOK", 9)
    assert cart.lines == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        cart.lines = ()


def test_set_qty_replaces_adds_and_zero_removes(cat, cart):
    assert cart.set_qty(cat, "TEA", 7).qty("TEA") == 7
    assert cart.set_qty(cat, "PEN", 3).lines[-1] == Line("PEN", None, 3)
    gone = cart.set_qty(cat, "MUG", 0, "gold")
    assert gone.skus() == ("TEA", "BOOK")
    assert cart.set_qty(cat, "PEN", 0) == cart  # zero on an absent line changes nothing


def test_remove_drops_the_line_and_names_a_missing_one(cart):
    assert cart.remove("MUG", "gold").lines == (Line("TEA", None, 2), Line("BOOK", None, 1))
    with pytest.raises(UnknownLineError, match="MUG/plain"):
        cart.remove("MUG", "plain")


def test_qty_count_skus(cat, cart):
    bigger = cart.add(cat, "MUG", 2)
    assert bigger.qty("MUG", "gold") == 1
    assert bigger.qty("MUG") == 2
    assert bigger.qty("PEN") == 0
    assert bigger.count() == 6
    assert bigger.skus() == ("TEA", "MUG", "BOOK")
    assert Cart().is_empty() and not cart.is_empty()


@pytest.mark.parametrize(
    "change, error",
    [
        (lambda c, cat: c.add(cat, "NOPE"), UnknownSkuError),
        (lambda c, cat: c.add(cat, "MUG", 1, "silver"), UnknownVariantError),
        (lambda c, cat: c.add(cat, "TEA", 0), InvalidQuantityError),
        (lambda c, cat: c.add(cat, "TEA", -2), InvalidQuantityError),
        (lambda c, cat: c.add(cat, "TEA", 1.5), InvalidQuantityError),
        (lambda c, cat: c.add(cat, "TEA", True), InvalidQuantityError),
        (lambda c, cat: c.add(cat, "TEA", "2"), InvalidQuantityError),
        (lambda c, cat: c.set_qty(cat, "TEA", -1), InvalidQuantityError),
        (lambda c, cat: c.set_qty(cat, "NOPE", 1), UnknownSkuError),
        (lambda c, cat: Cart.of(cat, [("TEA", None, 1), ("NOPE", None, 1)]), UnknownSkuError),
        (lambda c, cat: Cart((Line("TEA", None, 1), Line("TEA", None, 2))), DuplicateSkuError),
        (lambda c, cat: Line("TEA", None, 0), InvalidQuantityError),
    ],
)
def test_bad_requests_raise_and_the_cart_is_unchanged(cat, cart, change, error):
    before = cart.lines
    with pytest.raises(error):
        change(cart, cat)
    assert cart.lines == before


def test_cart_of_adds_repeats_up(cat):
    cart = Cart.of(cat, [("TEA", None, 1), ("MUG", "gold", 1), ("TEA", None, 2)])
    assert cart.lines == (Line("TEA", None, 3), Line("MUG", "gold", 1))


def test_cart_lineo_forward_and_backward(cart):
    sku, variant, qty, pos = var(), var(), var(), var()
    assert run(0, qty, cart_lineo(cart, "TEA", None, qty)) == (2,)
    assert sorted(run(0, (sku, variant), cart_lineo(cart, sku, variant, 1))) == [
        ("BOOK", None),
        ("MUG", "gold"),
    ]
    assert run(0, pos, cart_lineo(cart, "BOOK", None, var(), pos)) == (2,)
    assert run(0, sku, cart_lineo(cart, sku, None, 99)) == ()


def test_cart_lineo_joins_with_the_catalog(cat, cart):
    sku, variant, qty, unit = var(), var(), var(), var()
    goal = lall(cart_lineo(cart, sku, variant, qty), unit_priceo(cat, sku, variant, unit))
    found = sorted(run(0, (sku, qty, unit), goal))
    assert found == [("BOOK", 1, 2000), ("MUG", 1, 1500), ("TEA", 2, 450)]


def test_a_thousand_line_cart_works_relationally():
    cat = Catalog.build(Product(f"S{i}", "n", 100 + i, "x") for i in range(1000))
    cart = Cart.of(cat, ((f"S{i}", None, 1 + i % 3) for i in range(1000)))
    sku = var()
    threes = sorted(run(0, sku, cart_lineo(cart, sku, None, 3)), key=lambda s: int(s[1:]))
    assert threes == [f"S{i}" for i in range(1000) if i % 3 == 2]
    assert cart.count() == sum(1 + i % 3 for i in range(1000))
