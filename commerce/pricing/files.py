"""Shop and cart files (JSON): strict loading, with errors that name the offending entry.

Each section's entries are turned into values one at a time while the catalog, rule set
and tax table are being built, and a cursor remembers which entry is current; an error
raised while building is re-raised, same class, prefixed with the file and that entry
(`shop.json: products[2] (sku 'MUG'): ...`). Nothing is returned unless all of it is good.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import CommerceError, FileFormatError
from .cart import Cart
from .catalog import Catalog, Product, StockLevel, Variant
from .promo import KINDS, Promo, Ruleset
from .shop import Shop
from .tax import TaxRate, TaxTable
from .window import Window

SHOP_KEYS = {
    "currency",
    "products",
    "variants",
    "stock",
    "tax",
    "promos",
    "exclusions",
    "payment_timeout",
}
PRODUCT_KEYS = ({"sku", "name", "price", "class"}, {"tags"})
VARIANT_KEYS = ({"sku", "variant", "delta"}, set())
STOCK_KEYS = ({"sku", "on_hand"}, {"variant"})
TAX_KEYS = ({"jurisdiction", "product_class", "customer_class", "bps"}, set())
PROMO_FIELDS = {
    "percent": {"code", "class", "bps"},
    "member": {"code", "class", "bps"},
    "fixed": {"code", "threshold", "amount"},
    "bundle": {"code", "sku", "n"},
}
WINDOW_KEYS = {"from", "until"}
LINE_KEYS = ({"sku", "qty"}, {"variant"})


class _Cursor:
    """Remembers the entry being read, so an error raised later can name it."""

    def __init__(self) -> None:
        self.where = "file"

    def walk(self, section: str, entries: object, label: str | None) -> Iterator[Any]:
        if not isinstance(entries, list):
            self.where = section
            raise FileFormatError(f"{section} must be a list, got {_type(entries)}")
        for i, entry in enumerate(entries):
            name = entry.get(label) if label and isinstance(entry, dict) else None
            self.where = f"{section}[{i}]" + (
                f" ({label} {name!r})" if isinstance(name, str) else ""
            )
            yield entry


def load_shop(path: str | Path) -> Shop:
    """Read and check a shop file."""
    return _prefixed(path, lambda: parse_shop(_read_json(path)))


def load_cart(path: str | Path, catalog: Catalog) -> Cart:
    """Read and check a cart file against `catalog`."""
    return _prefixed(path, lambda: parse_cart(_read_json(path), catalog))


def parse_shop(data: object) -> Shop:
    """A shop from decoded JSON (see docs/pricing.md for the format)."""
    top = _object(data, "the shop", required={"currency", "products"}, optional=SHOP_KEYS)
    cursor = _Cursor()
    try:
        catalog = Catalog.build(
            (_product(e) for e in cursor.walk("products", top["products"], "sku")),
            (_variant(e) for e in cursor.walk("variants", top.get("variants", []), "sku")),
            (_stock(e) for e in cursor.walk("stock", top.get("stock", []), "sku")),
        )
        taxes = TaxTable.build(_tax(e) for e in cursor.walk("tax", top.get("tax", []), None))
        rules = Ruleset.build(
            catalog,
            (_promo(e) for e in cursor.walk("promos", top.get("promos", []), "code")),
            (_pair(e) for e in cursor.walk("exclusions", top.get("exclusions", []), None)),
        )
        cursor.where = "currency"
        timeout = top.get("payment_timeout")
        if timeout is not None:
            cursor.where = "payment_timeout"
        return Shop(top["currency"], catalog, taxes, rules, timeout)
    except CommerceError as e:
        raise type(e)(f"{cursor.where}: {e}") from e


def parse_cart(data: object, catalog: Catalog) -> Cart:
    """A cart from decoded JSON, checked against `catalog`."""
    top = _object(data, "the cart", required={"lines"}, optional=set())
    cursor = _Cursor()
    try:
        return Cart.of(catalog, (_line(e) for e in cursor.walk("lines", top["lines"], "sku")))
    except CommerceError as e:
        raise type(e)(f"{cursor.where}: {e}") from e


# -- entries ---------------------------------------------------------------------------------


def _product(e: object) -> Product:
    d = _object(e, "a product", *PRODUCT_KEYS)
    tags = d.get("tags", [])
    if not isinstance(tags, list):
        raise FileFormatError(f"tags must be a list of strings, got {_type(tags)}")
    return Product(d["sku"], d["name"], d["price"], d["class"], tuple(tags))


def _variant(e: object) -> Variant:
    d = _object(e, "a variant", *VARIANT_KEYS)
    return Variant(d["sku"], d["variant"], d["delta"])


def _stock(e: object) -> StockLevel:
    d = _object(e, "a stock entry", *STOCK_KEYS)
    return StockLevel(d["sku"], d.get("variant"), d["on_hand"])


def _tax(e: object) -> TaxRate:
    d = _object(e, "a tax rate", *TAX_KEYS)
    return TaxRate(d["jurisdiction"], d["product_class"], d["customer_class"], d["bps"])


def _promo(e: object) -> Promo:
    if not isinstance(e, dict):
        raise FileFormatError(f"a promo must be an object, got {_type(e)}")
    kind = e.get("type")
    if kind not in PROMO_FIELDS:
        kinds = ", ".join(sorted(PROMO_FIELDS))
        raise FileFormatError(f"promo type must be one of {kinds}, got {kind!r}")
    fields = PROMO_FIELDS[kind]
    d = _object(e, f"a {kind} promo", fields | {"type"}, WINDOW_KEYS)
    window = Window(d.get("from"), d.get("until"))
    args = {"cls" if k == "class" else k: d[k] for k in fields}
    return KINDS[kind](**args, window=window)  # type: ignore[arg-type]


def _pair(e: object) -> tuple[str, str]:
    if not isinstance(e, list) or len(e) != 2 or not all(isinstance(c, str) for c in e):
        raise FileFormatError(f"an exclusion must be a list of two codes, got {json.dumps(e)}")
    return (e[0], e[1])


def _line(e: object) -> tuple[str, str | None, int]:
    d = _object(e, "a cart line", *LINE_KEYS)
    return (d["sku"], d.get("variant"), d["qty"])


# -- plumbing --------------------------------------------------------------------------------


def _object(
    value: object, what: str, required: set[str], optional: Iterable[str]
) -> dict[str, Any]:
    """`value` as a dict with every required key and no key outside required | optional."""
    if not isinstance(value, dict):
        raise FileFormatError(f"{what} must be a JSON object, got {_type(value)}")
    allowed = required | set(optional)
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise FileFormatError(
            f"unknown key {unknown[0]!r} in {what} (allowed: {', '.join(sorted(allowed))})"
        )
    missing = sorted(required - set(value))
    if missing:
        raise FileFormatError(f"{what} lacks the key {missing[0]!r}")
    return value


def _read_json(path: str | Path) -> object:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise FileFormatError(f"cannot read: {e}") from e
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise FileFormatError(f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from e
    except RecursionError:
        raise FileFormatError("JSON nested too deeply to read") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise FileFormatError(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> object:
    raise FileFormatError(f"{name} is not a number this file may hold")


def _type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    names |= {int: "an int", float: "a float", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _prefixed(path: str | Path, build: Any) -> Any:
    try:
        return build()
    except CommerceError as e:
        raise type(e)(f"{path}: {e}") from e
