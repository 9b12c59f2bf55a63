"""commerce: catalog, cart and relational pricing on miniKanren; the ledger; the orders.

Layout: `pricing/` (catalog, cart, tax, promo, window, stack, attribution, nettax, quote,
federation, files, api), `ledger/` (events, store, sqlite, projections, recon), `orders/`
(engine, orders, refunds, stock, payment) and `cli/` (the `commerce` command, its views
and the demo). The names below are the public face; `commerce.Engine` is loaded on first
use so that pricing alone never imports the flow host.

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
`commerce` command. Pricing imports neither `scheme` nor `flowhost`.

Orders are event-sourced. `events` defines the frozen past-tense records (order created,
stock reserved, payment recorded, fulfilled, refund requested / settled / rejected) and
their strict JSON; `ledger` keeps one stream per order behind the `Ledger` interface, with
optimistic appends on (stream, version) and append-once by idempotency key (a payment's
ref, a refund's id), in memory or in SQLite (`ledger.sqlite`, tables `ledger_*`).
`projections` folds a stream into an `OrderSummary` (status, total, paid, refunded, net,
recon status), and `recon` puts many summaries into kanren relations (`recon_statuso`,
`neto`, `mismatcho`) so "which orders are overpaid?" is a `run(0, ...)` query.
"""

from .errors import (
    AmbiguousItemError,
    AmbiguousJurisdictionError,
    CommerceError,
    DuplicateCodeError,
    DuplicateOrderError,
    DuplicateSkuError,
    DuplicateStockError,
    DuplicateTaxRateError,
    DuplicateVariantError,
    EventFormatError,
    FileFormatError,
    IdempotencyConflictError,
    InvalidEventError,
    InvalidExclusionError,
    InvalidFieldError,
    InvalidMoneyError,
    InvalidPolicyError,
    InvalidPromoError,
    InvalidQuantityError,
    InvalidRateError,
    InvalidStreamError,
    InvalidWindowError,
    LedgerConflictError,
    LedgerStoreError,
    MissingTaxRateError,
    NegativePriceError,
    UngroundQueryError,
    UnknownClassError,
    UnknownCodeError,
    UnknownInstanceError,
    UnknownLineError,
    UnknownOrderError,
    UnknownSkuError,
    UnknownVariantError,
)
from .ledger.events import (
    Event,
    ItemLine,
    OrderCreated,
    OrderFulfilled,
    OrderLine,
    PaymentRecorded,
    RefundRejected,
    RefundRequested,
    RefundSettled,
    StockReserved,
    dumps_event,
    event_from_json,
    event_to_json,
    loads_event,
    payment_key,
)
from .ledger.projections import (
    OrderSummary,
    RefundView,
    recon_status,
    summaries,
    summarize,
    summary_of,
)
from .ledger.recon import (
    Mismatch,
    Reconciliation,
    discrepancyo,
    mismatch_report,
    mismatched_orders,
    mismatcho,
    neto,
    orders_with_net,
    orders_with_status,
    overpaid_orders,
    paido,
    recon_statuso,
    reconcile,
    refunded_orders,
    refundedo,
    settled_orders,
    totalo,
    underpaid_orders,
    unpaid_orders,
)
from .money import apply_bps
from .pricing.api import Session
from .pricing.attribution import (
    Attribution,
    attribute,
    codes_for_line,
    lines_for_code,
    order_level_codes,
    promo_toucheso,
)
from .pricing.cart import Cart, Line, cart_lineo
from .pricing.catalog import (
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
from .pricing.federation import (
    Offer,
    cheapest_offer,
    federate,
    instances_with_sku,
    offero,
    sku_offers,
)
from .pricing.files import load_cart, load_shop, parse_cart, parse_shop
from .pricing.nettax import allocate, net_taxes
from .pricing.price import PricedCart, PricedLine, price_cart, subtotal
from .pricing.promo import (
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
from .pricing.quote import AppliedCode, Quote, QuoteLine, evaluation, quote
from .pricing.shop import Shop
from .pricing.stack import (
    Stacking,
    best_stacking,
    brute_force_best,
    legal_stackings,
    stacking_by_discounto,
)
from .pricing.tax import TaxRate, TaxTable, tax_rate, taxo
from .pricing.window import Window, active_codeso, live_promos

__all__ = [
    "Engine",
    "AmbiguousItemError",
    "AmbiguousJurisdictionError",
    "AppendResult",
    "AppliedCode",
    "Attribution",
    "BundlePromo",
    "Cart",
    "Catalog",
    "CommerceError",
    "DuplicateCodeError",
    "DuplicateOrderError",
    "DuplicateSkuError",
    "DuplicateStockError",
    "DuplicateTaxRateError",
    "DuplicateVariantError",
    "Evaluation",
    "Event",
    "EventFormatError",
    "FileFormatError",
    "FixedPromo",
    "IdempotencyConflictError",
    "InvalidEventError",
    "InvalidExclusionError",
    "InvalidFieldError",
    "InvalidMoneyError",
    "InvalidPolicyError",
    "InvalidPromoError",
    "InvalidQuantityError",
    "InvalidRateError",
    "InvalidStreamError",
    "InvalidWindowError",
    "ItemLine",
    "Ledger",
    "LedgerConflictError",
    "LedgerStoreError",
    "Line",
    "MemberPromo",
    "MemoryLedger",
    "Mismatch",
    "MissingTaxRateError",
    "NegativePriceError",
    "Offer",
    "OrderCreated",
    "OrderFulfilled",
    "OrderLine",
    "OrderSummary",
    "PaymentRecorded",
    "PercentPromo",
    "PricedCart",
    "PricedLine",
    "Product",
    "Promo",
    "Quote",
    "QuoteLine",
    "Reconciliation",
    "Recorded",
    "RefundRejected",
    "RefundRequested",
    "RefundSettled",
    "RefundView",
    "Ruleset",
    "SQLiteLedger",
    "Session",
    "Shop",
    "Stacking",
    "StockLevel",
    "StockReserved",
    "TaxRate",
    "TaxTable",
    "UngroundQueryError",
    "UnknownClassError",
    "UnknownCodeError",
    "UnknownInstanceError",
    "UnknownLineError",
    "UnknownOrderError",
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
    "discrepancyo",
    "dumps_event",
    "evaluate",
    "evaluation",
    "event_from_json",
    "event_to_json",
    "federate",
    "instances_with_sku",
    "legal_stackings",
    "lines_for_code",
    "live_promos",
    "load_cart",
    "load_shop",
    "loads_event",
    "mismatch_report",
    "mismatched_orders",
    "mismatcho",
    "net_taxes",
    "neto",
    "offero",
    "on_hand",
    "order_level_codes",
    "orders_with_net",
    "orders_with_status",
    "overpaid_orders",
    "paido",
    "parse_cart",
    "parse_shop",
    "payment_key",
    "price_cart",
    "priceo",
    "producto",
    "product_class",
    "promo_applieso",
    "promo_discounto",
    "promo_toucheso",
    "quote",
    "recon_status",
    "recon_statuso",
    "reconcile",
    "refundedo",
    "settled_orders",
    "sku_offers",
    "stacking_by_discounto",
    "stocko",
    "subtotal",
    "summaries",
    "summarize",
    "summary_of",
    "tago",
    "tax_rate",
    "taxo",
    "totalo",
    "underpaid_orders",
    "unit_price",
    "unit_priceo",
    "refunded_orders",
    "unpaid_orders",
    "varianto",
]


# The engine runs flows, and the ledger stores live in the flow host's database: both
# import the flow host (and the Scheme interpreter). Pricing alone must not, so these
# names are loaded on first use.
_LAZY = {
    "Engine": "orders.engine",
    "AppendResult": "ledger.store",
    "Ledger": "ledger.store",
    "MemoryLedger": "ledger.store",
    "Recorded": "ledger.store",
    "SQLiteLedger": "ledger.sqlite",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'commerce' has no attribute {name!r}")
