"""Shop and cart files: the examples load, and every kind of bad entry is named."""

from __future__ import annotations

import copy
import json

import pytest

from commerce import (
    DuplicateCodeError,
    DuplicateSkuError,
    DuplicateTaxRateError,
    FileFormatError,
    InvalidExclusionError,
    InvalidFieldError,
    InvalidMoneyError,
    InvalidPromoError,
    InvalidQuantityError,
    InvalidRateError,
    InvalidWindowError,
    Line,
    NegativePriceError,
    UnknownClassError,
    UnknownCodeError,
    UnknownSkuError,
    UnknownVariantError,
    load_cart,
    load_shop,
    parse_cart,
    parse_shop,
    unit_price,
)

from .shops import EXAMPLES

BASE = json.loads((EXAMPLES / "shop.json").read_text())


def test_the_example_files_load():
    shop = load_shop(EXAMPLES / "shop.json")
    cart = load_cart(EXAMPLES / "cart.json", shop.catalog)
    assert shop.currency == "GBP"
    assert unit_price(shop.catalog, "MUG", "gold") == 1500
    assert [p.code for p in shop.rules.promos] == [p["code"] for p in BASE["promos"]]
    assert cart.lines == (Line("TEA", None, 4), Line("MUG", "gold", 2), Line("BOOK", None, 1))


def changed(edit):
    data = copy.deepcopy(BASE)
    edit(data)
    return data


def at(section, i, **fields):
    """An edit that updates entry i of a section (`cls` stands for the key "class")."""
    fields = {("class" if k == "cls" else k): v for k, v in fields.items()}
    return lambda d: d[section][i].update(fields)


@pytest.mark.parametrize(
    "edit, error, where",
    [
        (
            at("products", 1, colour="red"),
            FileFormatError,
            "products[1] (sku 'MUG')",
        ),
        (
            at("products", 1, price=12.5),
            InvalidMoneyError,
            "products[1] (sku 'MUG')",
        ),
        (
            at("products", 0, price=True),
            InvalidMoneyError,
            "products[0] (sku 'TEA')",
        ),
        (at("products", 0, price="450"), InvalidMoneyError, "products[0]"),
        (
            at("products", 2, price=-1),
            NegativePriceError,
            "products[2] (sku 'BOOK')",
        ),
        (lambda d: d["products"][0].pop("class"), FileFormatError, "products[0]"),
        (at("products", 0, tags="hot"), FileFormatError, "products[0]"),
        (lambda d: d["products"].append(dict(d["products"][0])), DuplicateSkuError, "products[3]"),
        (at("variants", 1, delta=-1201), NegativePriceError, "variants[1]"),
        (at("variants", 0, sku="HAT"), UnknownSkuError, "variants[0] (sku 'HAT')"),
        (at("stock", 1, variant="red"), UnknownVariantError, "stock[1]"),
        (at("stock", 0, on_hand=-3), InvalidQuantityError, "stock[0]"),
        (at("tax", 4, bps=10_001), InvalidRateError, "tax[4]"),
        (at("tax", 4, bps=20.0), InvalidRateError, "tax[4]"),
        (lambda d: d["tax"].append(d["tax"][0]), DuplicateTaxRateError, "tax[12]"),
        (at("tax", 0, customer_class="vip"), InvalidFieldError, "tax[0]"),
        (at("promos", 0, cls="toys"), UnknownClassError, "promos[0]"),
        (at("promos", 2, sku="KITE"), UnknownSkuError, "promos[2] (code 'B3')"),
        (at("promos", 2, n=1), InvalidPromoError, "promos[2] (code 'B3')"),
        (at("promos", 1, type="bogof"), FileFormatError, "promos[1] (code 'F5')"),
        (at("promos", 1, amount=5.0), InvalidMoneyError, "promos[1] (code 'F5')"),
        (at("promos", 1, bps=100), FileFormatError, "promos[1]"),
        (at("promos", 3, until=1), InvalidWindowError, "promos[3] (code 'M15')"),
        (lambda d: d["promos"][3].update({"from": 1.5}), InvalidWindowError, "promos[3]"),
        (lambda d: d["promos"].append(d["promos"][0]), DuplicateCodeError, "promos[5]"),
        (lambda d: d["exclusions"].append(["P10", "NOPE"]), UnknownCodeError, "exclusions[2]"),
        (lambda d: d["exclusions"].append(["P10"]), FileFormatError, "exclusions[2]"),
        (lambda d: d["exclusions"].append(["F5", "F5"]), InvalidExclusionError, "exclusions[2]"),
        (lambda d: d.update(products={}), FileFormatError, "products"),
        (lambda d: d.update(currency=3), InvalidFieldError, "currency"),
        (lambda d: d.update(region="EU"), FileFormatError, "'region'"),
        (lambda d: d.pop("currency"), FileFormatError, "'currency'"),
    ],
)
def test_bad_shop_entries_are_named(edit, error, where):
    with pytest.raises(error) as caught:
        parse_shop(changed(edit))
    assert where in str(caught.value)
    assert "\n" not in str(caught.value)


SHOP = parse_shop(BASE)


@pytest.mark.parametrize(
    "lines, error, where",
    [
        ([{"sku": "TEA", "qty": 0}], InvalidQuantityError, "lines[0] (sku 'TEA')"),
        ([{"sku": "TEA", "qty": 1}, {"sku": "TEA", "qty": -1}], InvalidQuantityError, "lines[1]"),
        ([{"sku": "TEA", "qty": 1.0}], InvalidQuantityError, "lines[0]"),
        ([{"sku": "TEA", "qty": True}], InvalidQuantityError, "lines[0]"),
        ([{"sku": "KITE", "qty": 1}], UnknownSkuError, "lines[0] (sku 'KITE')"),
        ([{"sku": "MUG", "variant": "red", "qty": 1}], UnknownVariantError, "lines[0]"),
        ([{"sku": "TEA", "qty": 1, "note": "x"}], FileFormatError, "lines[0]"),
        ([{"qty": 1}], FileFormatError, "lines[0]"),
        ("TEA", FileFormatError, "lines"),
    ],
)
def test_bad_cart_lines_are_named(lines, error, where):
    with pytest.raises(error) as caught:
        parse_cart({"lines": lines}, SHOP.catalog)
    assert where in str(caught.value)


def test_repeated_cart_lines_add_up_like_adding_twice():
    cart = parse_cart({"lines": [{"sku": "TEA", "qty": 1}, {"sku": "TEA", "qty": 2}]}, SHOP.catalog)
    assert cart.lines == (Line("TEA", None, 3),)


@pytest.mark.parametrize(
    "text, words",
    [
        ("{", "not valid JSON"),
        ('{"lines": [], "lines": []}', "appears twice"),
        ('{"lines": [{"sku": "TEA", "qty": NaN}]}', "NaN"),
        ("[]", "must be a JSON object"),
    ],
)
def test_unreadable_files_name_the_file(tmp_path, text, words):
    path = tmp_path / "cart.json"
    path.write_text(text)
    with pytest.raises(FileFormatError, match=words) as caught:
        load_cart(path, SHOP.catalog)
    assert str(caught.value).startswith(str(path))


def test_a_missing_file_is_a_commerce_error(tmp_path):
    with pytest.raises(FileFormatError, match="cannot read"):
        load_shop(tmp_path / "nope.json")
