"""Shops, catalogs and carts the commerce suites share, and hypothesis strategies for them."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import strategies as st

from commerce import (
    BundlePromo,
    Cart,
    Catalog,
    FixedPromo,
    MemberPromo,
    PercentPromo,
    Product,
    Ruleset,
    Shop,
    StockLevel,
    TaxRate,
    TaxTable,
    Variant,
    Window,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CLASSES = ("food", "goods", "books")
RATES = {"food": 0, "goods": 2000, "books": 500}


def small_catalog(instance: str = "local") -> Catalog:
    """TEA (food 450), MUG (goods 1200; gold +300, plain -200), BOOK (books 2000), PEN (150)."""
    return Catalog.build(
        [
            Product("TEA", "Tea", 450, "food"),
            Product("MUG", "Mug", 1200, "goods", ("kitchen",)),
            Product("BOOK", "Book", 2000, "books"),
            Product("PEN", "Pen", 150, "goods", ("desk", "kitchen")),
        ],
        [Variant("MUG", "gold", 300), Variant("MUG", "plain", -200)],
        [StockLevel("TEA", None, 10), StockLevel("MUG", "gold", 2), StockLevel("BOOK", None, 3)],
        instance=instance,
    )


def uk_taxes(rates: dict[str, int] = RATES) -> TaxTable:
    """UK rates for every class and both customer classes."""
    return TaxTable.build(
        TaxRate("UK", cls, customer, bps)
        for cls, bps in rates.items()
        for customer in ("guest", "member")
    )


def standard_promos() -> list:
    """P10 (10% goods), F5 (500 off from 5000), B3 (3 TEA for 2), M15 (members 15% books)."""
    return [
        PercentPromo("P10", "goods", 1000),
        FixedPromo("F5", 5000, 500),
        BundlePromo("B3", "TEA", 3),
        MemberPromo("M15", "books", 1500, Window(1000, None)),
    ]


def small_shop(promos: list | None = None, exclusions: list | None = None) -> Shop:
    """The small catalog, UK taxes, the standard promos and one exclusion (P10, F5)."""
    catalog = small_catalog()
    rules = Ruleset.build(
        catalog,
        standard_promos() if promos is None else promos,
        [("P10", "F5")] if exclusions is None else exclusions,
    )
    return Shop("GBP", catalog, uk_taxes(), rules)


def cart_of(catalog: Catalog, *items: tuple) -> Cart:
    """A cart from (sku, qty) or (sku, qty, variant) tuples."""
    return Cart.of(catalog, ((i[0], i[2] if len(i) > 2 else None, i[1]) for i in items))


ITEMS = [
    ("TEA", None),
    ("MUG", None),
    ("MUG", "gold"),
    ("MUG", "plain"),
    ("BOOK", None),
    ("PEN", None),
]

carts = st.lists(st.tuples(st.sampled_from(ITEMS), st.integers(1, 12)), min_size=0, max_size=8).map(
    lambda items: [(sku, variant, qty) for (sku, variant), qty in items]
)


@st.composite
def rule_sets(draw: st.DrawFn, max_promos: int = 6) -> tuple[list, list[tuple[str, str]]]:
    """Promotions C0, C1, ... of random kinds (some windowed) and random exclusion pairs."""
    promos = []
    for i in range(draw(st.integers(0, max_promos))):
        code = f"C{i}"
        window = draw(st.sampled_from([Window(), Window(None, 500), Window(500, None)]))
        kind = draw(st.sampled_from(["percent", "fixed", "bundle", "member"]))
        if kind in ("percent", "member"):
            make = PercentPromo if kind == "percent" else MemberPromo
            cls, bps = draw(st.sampled_from(CLASSES)), draw(st.integers(0, 10_000))
            promos.append(make(code, cls, bps, window))
        elif kind == "fixed":
            threshold, amount = draw(st.integers(0, 8000)), draw(st.integers(0, 3000))
            promos.append(FixedPromo(code, threshold, amount, window))
        else:
            sku, n = draw(st.sampled_from(["TEA", "MUG", "PEN"])), draw(st.integers(2, 5))
            promos.append(BundlePromo(code, sku, n, window))
    pairs = []
    if len(promos) >= 2:
        index = st.integers(0, len(promos) - 1)
        for a, b in draw(st.lists(st.tuples(index, index), max_size=4)):
            if a != b:
                pairs.append((f"C{a}", f"C{b}"))
    return promos, pairs


def shop_with(promos, pairs, shuffle: random.Random | None = None) -> Shop:
    """A shop with these rules; with `shuffle`, every list is fed in a shuffled order."""
    catalog = small_catalog()
    rates = list(uk_taxes().rates.facts)
    promos = list(promos)
    if shuffle:
        products = [Product(r[1], r[2], r[3], r[4]) for r in catalog.products.facts]
        shuffle.shuffle(products)
        catalog = Catalog.build(products, *_variants_and_stock())
        shuffle.shuffle(rates)
        shuffle.shuffle(promos)
    taxes = TaxTable.build(TaxRate(*r) for r in rates)
    return Shop("GBP", catalog, taxes, Ruleset.build(catalog, promos, pairs))


def _variants_and_stock():
    variants = [Variant("MUG", "gold", 300), Variant("MUG", "plain", -200)]
    return variants, [StockLevel("TEA", None, 1)]
