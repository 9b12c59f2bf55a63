"""Catalog facts and relations, forward and backward, and the errors for bad entries."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kanren import Relation, lall, run, var

from commerce import (
    Catalog,
    DuplicateSkuError,
    DuplicateStockError,
    DuplicateVariantError,
    InvalidFieldError,
    InvalidMoneyError,
    InvalidQuantityError,
    NegativePriceError,
    Product,
    StockLevel,
    UnknownSkuError,
    UnknownVariantError,
    Variant,
    classo,
    on_hand,
    priceo,
    product_class,
    producto,
    stocko,
    tago,
    unit_price,
    unit_priceo,
    varianto,
)
from commerce.pricing.catalog import skus
from commerce.relation import FactRelation, answers

from .shops import small_catalog


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return small_catalog()


def test_producto_forward_gives_the_product_row(cat):
    name, price, cls = var(), var(), var()
    assert run(0, (name, price, cls), producto(cat, "MUG", name, price, cls)) == (
        ("Mug", 1200, "goods"),
    )


def test_which_products_cost_p(cat):
    sku = var()
    assert sorted(run(0, sku, priceo(cat, sku, 450))) == ["TEA"]
    assert sorted(run(0, sku, priceo(cat, sku, 1200))) == ["MUG"]
    assert run(0, sku, priceo(cat, sku, 999)) == ()


def test_classo_both_ways(cat):
    sku, cls = var(), var()
    assert sorted(run(0, sku, classo(cat, sku, "goods"))) == ["MUG", "PEN"]
    assert run(0, cls, classo(cat, "BOOK", cls)) == ("books",)


def test_varianto_lists_variants_and_finds_sku_by_delta(cat):
    v, d, sku = var(), var(), var()
    assert sorted(run(0, (v, d), varianto(cat, "MUG", v, d))) == [("gold", 300), ("plain", -200)]
    assert run(0, (sku, v), varianto(cat, sku, v, -200)) == (("MUG", "plain"),)


def test_unit_priceo_adds_delta_and_runs_backward(cat):
    u, sku, v = var(), var(), var()
    assert run(0, u, unit_priceo(cat, "MUG", None, u)) == (1200,)
    assert run(0, u, unit_priceo(cat, "MUG", "gold", u)) == (1500,)
    assert run(0, u, unit_priceo(cat, "MUG", "plain", u)) == (1000,)
    # Which sellable items cost 1500? Only the gold mug: the plain one is 1000.
    assert run(0, (sku, v), unit_priceo(cat, sku, v, 1500)) == (("MUG", "gold"),)


def test_stocko_tracks_products_and_variants(cat):
    n, sku, v = var(), var(), var()
    assert run(0, n, stocko(cat, "MUG", "gold", n)) == (2,)
    assert run(0, n, stocko(cat, "MUG", None, n)) == ()
    assert sorted(run(0, (sku, v), stocko(cat, sku, v, 10))) == [("TEA", None)]


def test_tago_both_ways(cat):
    sku = var()
    assert sorted(run(0, sku, tago(cat, sku, "kitchen"))) == ["MUG", "PEN"]
    assert sorted(run(0, sku, tago(cat, "PEN", sku))) == ["desk", "kitchen"]


def test_relations_join_through_a_shared_variable(cat):
    # Goods that cost under 1000 as a plain product: the join walks sku before the lookup.
    sku, price = var(), var()
    goal = lall(classo(cat, sku, "goods"), priceo(cat, sku, price))
    assert sorted(run(0, (sku, price), goal)) == [("MUG", 1200), ("PEN", 150)]


def test_helpers_pick_the_one_answer(cat):
    assert unit_price(cat, "MUG", "gold") == 1500
    assert product_class(cat, "TEA") == "food"
    assert on_hand(cat, "MUG", "gold") == 2
    assert on_hand(cat, "PEN") is None  # stock not tracked
    assert skus(cat) == ["BOOK", "MUG", "PEN", "TEA"]


@pytest.mark.parametrize(
    "sku, variant, error",
    [
        ("NOPE", None, UnknownSkuError),
        ("MUG", "silver", UnknownVariantError),
        ("NOPE", "x", UnknownSkuError),
    ],
)
def test_unknown_items_raise(cat, sku, variant, error):
    with pytest.raises(error, match=repr(variant) if error is UnknownVariantError else repr(sku)):
        unit_price(cat, sku, variant)


PRODUCTS = [Product("A", "a", 100, "x"), Product("B", "b", 50, "y")]
build = Catalog.build


@pytest.mark.parametrize(
    "build, error, words",
    [
        (lambda: Product("A", "a", 4.5, "x"), InvalidMoneyError, "float"),
        (lambda: Product("A", "a", True, "x"), InvalidMoneyError, "bool"),
        (lambda: Product("A", "a", "450", "x"), InvalidMoneyError, "str"),
        (lambda: Product("A", "a", -1, "x"), NegativePriceError, ">= 0"),
        (lambda: Product("", "a", 1, "x"), InvalidFieldError, "sku"),
        (lambda: Variant("A", "v", 2.0), InvalidMoneyError, "delta"),
        (lambda: StockLevel("A", None, -1), InvalidQuantityError, "on_hand"),
        (
            lambda: Catalog.build([*PRODUCTS, Product("A", "again", 1, "x")]),
            DuplicateSkuError,
            "'A'",
        ),
        (lambda: Catalog.build(PRODUCTS, [Variant("Z", "v", 1)]), UnknownSkuError, "'Z'"),
        (lambda: build([{"sku": "A"}]), InvalidFieldError, "expected a Product"),
        (
            lambda: Catalog.build(PRODUCTS, [Variant("A", "v", 1), Variant("A", "v", 2)]),
            DuplicateVariantError,
            "A/v",
        ),
        (lambda: Catalog.build(PRODUCTS, [Variant("B", "v", -51)]), NegativePriceError, "-1"),
        (
            lambda: Catalog.build(PRODUCTS, [], [StockLevel("A", "v", 1)]),
            UnknownVariantError,
            "'v'",
        ),
        (lambda: Catalog.build(PRODUCTS, [], [StockLevel("Q", None, 1)]), UnknownSkuError, "'Q'"),
        (
            lambda: Catalog.build(
                PRODUCTS, [], [StockLevel("A", None, 1), StockLevel("A", None, 2)]
            ),
            DuplicateStockError,
            "A",
        ),
    ],
)
def test_bad_entries_raise_a_named_error(build, error, words):
    with pytest.raises(error, match=words):
        build()


def test_variant_may_bring_the_unit_price_to_exactly_zero():
    cat = Catalog.build(PRODUCTS, [Variant("B", "free", -50)])
    assert unit_price(cat, "B", "free") == 0


def test_a_large_catalog_answers_by_index_without_recursion():
    # membero over a 300-element list overflows the recursion limit in miniKanren 1.0.5;
    # facts in an indexed relation do not, however many there are.
    cat = Catalog.build(Product(f"S{i}", f"n{i}", i % 1000, f"c{i % 7}") for i in range(20_000))
    sku = var()
    assert sorted(run(0, sku, priceo(cat, sku, 999))) == sorted(
        f"S{i}" for i in range(20_000) if i % 1000 == 999
    )
    assert unit_price(cat, "S12345", None) == 345


facts_rows = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)), max_size=30
)
# None: a fresh variable; "x": one variable shared by every column that names it.
query_terms = st.tuples(*[st.one_of(st.none(), st.just("x"), st.integers(0, 4))] * 3)


@settings(max_examples=60, deadline=None)
@given(facts_rows, query_terms, st.integers(0, 3))
def test_fact_relation_answers_like_kanren_relation(rows, pattern, join_value):
    """FactRelation is an index optimisation only: it answers as kanren's Relation does."""
    mine, theirs = FactRelation("mine", rows), Relation("theirs")
    for row in rows:
        theirs.add_fact(*row)
    x, y, shared = var(), var(), var()
    terms = tuple(var() if t is None else shared if t == "x" else t for t in pattern)

    def joined(rel):
        # The conjunction binds y before the second goal: the case kanren's own index misses.
        return lall(rel(x, join_value, y), rel(y, *terms[1:]))

    assert answers((x, y), joined(mine)) == answers((x, y), joined(theirs))
    assert answers(terms, mine(*terms)) == answers(terms, theirs(*terms))
