"""commerce: catalog, cart and relational pricing on miniKanren.

How it works. A shop's products, variants, stock and tax rates are facts in indexed kanren
relations (`catalog`, `tax`); a cart is an immutable value (`cart`). A quote prices each
line from the catalog relations (`price`), computes every promotion's discount on the
priced cart once and keeps the answers as facts (`promo`), picks the best legal stacking by
branch and bound over the exclusion graph (`stack`), relates each chosen code to the lines
it touched (`attribution`), and taxes the lines gross (`quote`) or net of the discount
(`nettax`). Relations end in `o` and run in any direction, so the backward questions in
docs/pricing.md ("which code gives discount D?", "which products cost P?") are `run(0, ...)`
queries; helpers that need one answer sort the answers and never rely on kanren's order.
Money is int minor units, rates are int basis points, and every bad input raises a
`CommerceError` subclass before anything is built. `files` reads shop and cart JSON,
`federation` joins several shops' catalogs, `api` is a session facade and `cli` the
`commerce` command. Nothing here imports `scheme` or `flowhost`.
"""

from .api import Session
from .attribution import (
    Attribution,
    attribute,
    codes_for_line,
    lines_for_code,
    order_level_codes,
    promo_toucheso,
)
from .cart import Cart, Line, cart_lineo
from .catalog import (
    Catalog,
    Product,
    StockLevel,
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
from .errors import (
    AmbiguousItemError,
    AmbiguousJurisdictionError,
    CommerceError,
    DuplicateCodeError,
    DuplicateSkuError,
    DuplicateStockError,
    DuplicateTaxRateError,
    DuplicateVariantError,
    FileFormatError,
    InvalidExclusionError,
    InvalidFieldError,
    InvalidMoneyError,
    InvalidPolicyError,
    InvalidPromoError,
    InvalidQuantityError,
    InvalidRateError,
    InvalidWindowError,
    MissingTaxRateError,
    NegativePriceError,
    UngroundQueryError,
    UnknownClassError,
    UnknownCodeError,
    UnknownInstanceError,
    UnknownLineError,
    UnknownSkuError,
    UnknownVariantError,
)
from .federation import Offer, cheapest_offer, federate, instances_with_sku, offero, sku_offers
from .files import load_cart, load_shop, parse_cart, parse_shop
from .money import apply_bps
from .nettax import allocate, net_taxes
from .price import PricedCart, PricedLine, price_cart, subtotal
from .promo import (
    BundlePromo,
    Evaluation,
    FixedPromo,
    MemberPromo,
    PercentPromo,
    Promo,
    Ruleset,
    evaluate,
    promo_applieso,
    promo_discounto,
)
from .quote import AppliedCode, Quote, QuoteLine, evaluation, quote
from .shop import Shop
from .stack import (
    Stacking,
    best_stacking,
    brute_force_best,
    legal_stackings,
    stacking_by_discounto,
)
from .tax import TaxRate, TaxTable, tax_rate, taxo
from .window import Window, active_codeso, live_promos

__all__ = [
    "AmbiguousItemError",
    "AmbiguousJurisdictionError",
    "AppliedCode",
    "Attribution",
    "BundlePromo",
    "Cart",
    "Catalog",
    "CommerceError",
    "DuplicateCodeError",
    "DuplicateSkuError",
    "DuplicateStockError",
    "DuplicateTaxRateError",
    "DuplicateVariantError",
    "Evaluation",
    "FileFormatError",
    "FixedPromo",
    "InvalidExclusionError",
    "InvalidFieldError",
    "InvalidMoneyError",
    "InvalidPolicyError",
    "InvalidPromoError",
    "InvalidQuantityError",
    "InvalidRateError",
    "InvalidWindowError",
    "Line",
    "MemberPromo",
    "MissingTaxRateError",
    "NegativePriceError",
    "Offer",
    "PercentPromo",
    "PricedCart",
    "PricedLine",
    "Product",
    "Promo",
    "Quote",
    "QuoteLine",
    "Ruleset",
    "Session",
    "Shop",
    "Stacking",
    "StockLevel",
    "TaxRate",
    "TaxTable",
    "UngroundQueryError",
    "UnknownClassError",
    "UnknownCodeError",
    "UnknownInstanceError",
    "UnknownLineError",
    "UnknownSkuError",
    "UnknownVariantError",
    "Variant",
    "Window",
    "active_codeso",
    "allocate",
    "apply_bps",
    "attribute",
    "best_stacking",
    "brute_force_best",
    "cart_lineo",
    "cheapest_offer",
    "classo",
    "codes_for_line",
    "evaluate",
    "evaluation",
    "federate",
    "instances_with_sku",
    "legal_stackings",
    "lines_for_code",
    "live_promos",
    "load_cart",
    "load_shop",
    "net_taxes",
    "offero",
    "on_hand",
    "order_level_codes",
    "parse_cart",
    "parse_shop",
    "price_cart",
    "priceo",
    "producto",
    "product_class",
    "promo_applieso",
    "promo_discounto",
    "promo_toucheso",
    "quote",
    "sku_offers",
    "stacking_by_discounto",
    "stocko",
    "subtotal",
    "tago",
    "tax_rate",
    "taxo",
    "unit_price",
    "unit_priceo",
    "varianto",
]
