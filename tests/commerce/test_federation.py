"""Several shops' catalogs as one: the same relations across instances, offers, tie-breaks."""

from __future__ import annotations

import pytest
from kanren import run, var

from commerce import (
    AmbiguousItemError,
    Catalog,
    Offer,
    Product,
    UnknownInstanceError,
    UnknownSkuError,
    UnknownVariantError,
    Variant,
    cheapest_offer,
    classo,
    federate,
    instances_with_sku,
    offero,
    priceo,
    sku_offers,
    unit_price,
)
from commerce.pricing.federation import instance_catalog

NORTH = Catalog.build(
    [Product("TEA", "Tea", 450, "food"), Product("MUG", "Mug", 1200, "goods")],
    [Variant("MUG", "gold", 300)],
)
SOUTH = Catalog.build([Product("TEA", "Tea", 400, "food"), Product("JAM", "Jam", 300, "food")])
WEST = Catalog.build(
    [Product("TEA", "Tea", 400, "food"), Product("MUG", "Mug", 1500, "goods")],
    [Variant("MUG", "gold", 0)],
)
FED = federate({"north": NORTH, "south": SOUTH, "west": WEST})


def test_the_catalog_relations_answer_across_instances():
    inst, price, sku = var(), var(), var()
    assert sorted(run(0, (inst, price), priceo(FED, "TEA", price, inst))) == [
        ("north", 450),
        ("south", 400),
        ("west", 400),
    ]
    assert sorted(run(0, inst, priceo(FED, "JAM", var(), inst))) == ["south"]
    # Pinning the instance asks one shop only.
    assert sorted(run(0, sku, classo(FED, sku, "food", "north"))) == ["TEA"]


def test_which_instance_sells_at_price_p():
    inst, sku, variant = var(), var(), var()
    found = run(0, (inst, sku, variant), offero(FED, inst, sku, variant, 1500))
    found = sorted(found, key=lambda t: (t[0], t[1], t[2] or ""))
    assert found == [("north", "MUG", "gold"), ("west", "MUG", None), ("west", "MUG", "gold")]


def test_instances_with_sku_and_offers():
    assert instances_with_sku(FED, "TEA") == ["north", "south", "west"]
    assert instances_with_sku(FED, "MUG") == ["north", "west"]
    assert instances_with_sku(FED, "KITE") == []
    assert sku_offers(FED, "MUG", "gold") == [
        Offer("north", "MUG", "gold", 1500),
        Offer("west", "MUG", "gold", 1500),
    ]


def test_cheapest_offer_breaks_ties_by_instance_name():
    assert cheapest_offer(FED, "TEA") == Offer("south", "TEA", None, 400)  # south ties west
    assert cheapest_offer(FED, "MUG") == Offer("north", "MUG", None, 1200)
    assert cheapest_offer(FED, "MUG", "gold") == Offer("north", "MUG", "gold", 1500)
    # Built in another order, the federation gives the same answers.
    again = federate({"west": WEST, "south": SOUTH, "north": NORTH})
    assert cheapest_offer(again, "TEA") == cheapest_offer(FED, "TEA")


def test_missing_items_and_instances_raise():
    with pytest.raises(UnknownSkuError):
        cheapest_offer(FED, "KITE")
    with pytest.raises(UnknownVariantError):
        cheapest_offer(FED, "MUG", "silver")
    with pytest.raises(UnknownInstanceError):
        instance_catalog(FED, "east")


def test_single_answer_helpers_need_an_instance_when_shops_disagree():
    with pytest.raises(AmbiguousItemError, match="TEA"):
        unit_price(FED, "TEA")
    assert unit_price(FED, "TEA", None, "north") == 450
    assert unit_price(FED, "JAM") == 300  # only one shop sells it


def test_one_instance_comes_back_out_whole():
    south = instance_catalog(FED, "south")
    assert south.instances == ("south",)
    assert sorted(r[1:] for r in south.products.facts) == sorted(
        r[1:] for r in SOUTH.products.facts
    )
