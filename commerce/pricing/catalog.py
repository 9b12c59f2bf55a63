"""The catalog: products, variants and stock as indexed kanren facts.

Every fact carries the shop instance it came from as its first column, so that a federation
(see `federation`) is just a catalog holding the facts of several instances, and the same
relations answer across them. A single shop's catalog has one instance, "local" unless told.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kanren import var

from ..errors import (
    AmbiguousItemError,
    DuplicateSkuError,
    DuplicateStockError,
    DuplicateVariantError,
    InvalidFieldError,
    NegativePriceError,
    UnknownSkuError,
    UnknownVariantError,
)
from ..money import require_delta, require_price, require_qty, require_text
from ..relation import FactRelation, Goal, Term, answers, paused_gc

LOCAL = "local"
Row = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Product:
    """A product: sku, display name, base price in minor units, product class, optional tags."""

    sku: str
    name: str
    price: int
    cls: str
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        require_text(self.sku, "product sku")
        require_text(self.name, f"product {self.sku} name")
        require_price(self.price, f"product {self.sku} price")
        require_text(self.cls, f"product {self.sku} class")
        for tag in self.tags:
            require_text(tag, f"product {self.sku} tag")


@dataclass(frozen=True, slots=True)
class Variant:
    """A variant of a product; its unit price is the product price plus `delta`."""

    sku: str
    variant: str
    delta: int

    def __post_init__(self) -> None:
        require_text(self.sku, "variant sku")
        require_text(self.variant, f"variant of {self.sku}")
        require_delta(self.delta, f"variant {self.sku}/{self.variant} delta")


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Units on hand of a product (variant None) or of one of its variants."""

    sku: str
    variant: str | None
    on_hand: int

    def __post_init__(self) -> None:
        require_text(self.sku, "stock sku")
        if self.variant is not None:
            require_text(self.variant, f"stock variant of {self.sku}")
        require_qty(self.on_hand, f"stock {item_name(self.sku, self.variant)} on_hand", minimum=0)


def item_name(sku: str, variant: str | None) -> str:
    """`TEA` or `MUG/gold`: how messages and tables name a sellable item."""
    return sku if variant is None else f"{sku}/{variant}"


@dataclass(frozen=True, slots=True)
class Catalog:
    """Products, variants, stock and unit prices as kanren facts, each tagged with its instance.

    Facts: products (instance, sku, name, price, class); variants (instance, sku, variant,
    delta); stock (instance, sku, variant, on_hand); units (instance, sku, variant, unit),
    with variant None for the product itself; tags (instance, sku, tag).
    """

    products: FactRelation
    variants: FactRelation
    stock: FactRelation
    units: FactRelation
    tags: FactRelation
    instances: tuple[str, ...]

    @classmethod
    def build(
        cls,
        products: Iterable[Product],
        variants: Iterable[Variant] = (),
        stock: Iterable[StockLevel] = (),
        *,
        instance: str = LOCAL,
    ) -> Catalog:
        """Check every entry, then build the facts; any error leaves nothing built."""
        with paused_gc():
            return cls._build(products, variants, stock, instance)

    @classmethod
    def _build(
        cls,
        products: Iterable[Product],
        variants: Iterable[Variant],
        stock: Iterable[StockLevel],
        instance: str,
    ) -> Catalog:
        require_text(instance, "instance")
        prices: dict[str, int] = {}
        rows: dict[str, list[Row]] = {k: [] for k in ("products", "variants", "stock", "tags")}
        for p in products:
            _require_kind(p, Product)
            if p.sku in prices:
                raise DuplicateSkuError(f"duplicate product sku {p.sku!r}")
            prices[p.sku] = p.price
            rows["products"].append((instance, p.sku, p.name, p.price, p.cls))
            rows["tags"].extend((instance, p.sku, tag) for tag in p.tags)
        units: list[Row] = [(instance, sku, None, price) for sku, price in prices.items()]
        known: set[tuple[str, str]] = set()
        for v in variants:
            _require_kind(v, Variant)
            if v.sku not in prices:
                raise UnknownSkuError(f"variant {v.sku}/{v.variant} names unknown sku {v.sku!r}")
            if (v.sku, v.variant) in known:
                raise DuplicateVariantError(f"duplicate variant {v.sku}/{v.variant}")
            known.add((v.sku, v.variant))
            unit = prices[v.sku] + v.delta
            if unit < 0:
                raise NegativePriceError(
                    f"variant {v.sku}/{v.variant}: price {prices[v.sku]} + delta {v.delta}"
                    f" = {unit} is below 0"
                )
            rows["variants"].append((instance, v.sku, v.variant, v.delta))
            units.append((instance, v.sku, v.variant, unit))
        stocked: set[tuple[str, str | None]] = set()
        for s in stock:
            _require_kind(s, StockLevel)
            where = f"stock entry {item_name(s.sku, s.variant)}"
            if s.sku not in prices:
                raise UnknownSkuError(f"{where} names unknown sku {s.sku!r}")
            if s.variant is not None and (s.sku, s.variant) not in known:
                raise UnknownVariantError(f"{where} names unknown variant {s.variant!r}")
            if (s.sku, s.variant) in stocked:
                raise DuplicateStockError(f"duplicate {where}")
            stocked.add((s.sku, s.variant))
            rows["stock"].append((instance, s.sku, s.variant, s.on_hand))
        return cls.from_rows(**rows, units=units, instances=(instance,))

    @classmethod
    def from_rows(
        cls,
        *,
        products: Iterable[Row],
        variants: Iterable[Row],
        stock: Iterable[Row],
        units: Iterable[Row],
        tags: Iterable[Row],
        instances: Iterable[str],
    ) -> Catalog:
        """A catalog over rows that were already checked (by `build` or a federation)."""
        return cls(
            products=FactRelation("products", products),
            variants=FactRelation("variants", variants),
            stock=FactRelation("stock", stock),
            units=FactRelation("units", units),
            tags=FactRelation("tags", tags),
            instances=tuple(instances),
        )

    def __len__(self) -> int:
        return len(self.products)


def _require_kind(value: object, kind: type) -> None:
    if not isinstance(value, kind):
        raise InvalidFieldError(f"expected a {kind.__name__}, got {value!r}")


# -- relations -------------------------------------------------------------------------------
# Each takes the catalog (a Python value, not a logic term) and logic terms; `instance` is a
# fresh variable unless given, so over a federation the relations answer for every instance.


def producto(
    cat: Catalog, sku: Term, name: Term, price: Term, cls: Term, instance: Term = None
) -> Goal:
    """sku has this name, price and class (in this instance)."""
    return cat.products(_inst(instance), sku, name, price, cls)


def priceo(cat: Catalog, sku: Term, price: Term, instance: Term = None) -> Goal:
    """sku's base price is `price`."""
    return cat.products(_inst(instance), sku, var(), price, var())


def classo(cat: Catalog, sku: Term, cls: Term, instance: Term = None) -> Goal:
    """sku belongs to product class `cls`."""
    return cat.products(_inst(instance), sku, var(), var(), cls)


def varianto(cat: Catalog, sku: Term, variant: Term, delta: Term, instance: Term = None) -> Goal:
    """sku has a variant `variant` whose price differs from the product's by `delta`."""
    return cat.variants(_inst(instance), sku, variant, delta)


def stocko(cat: Catalog, sku: Term, variant: Term, on_hand: Term, instance: Term = None) -> Goal:
    """`on_hand` units of sku (variant None: the product itself) are in stock."""
    return cat.stock(_inst(instance), sku, variant, on_hand)


def unit_priceo(cat: Catalog, sku: Term, variant: Term, unit: Term, instance: Term = None) -> Goal:
    """sku (variant None) or sku/variant costs `unit`: price + delta (0 without a variant)."""
    return cat.units(_inst(instance), sku, variant, unit)


def tago(cat: Catalog, sku: Term, tag: Term, instance: Term = None) -> Goal:
    """sku carries `tag`."""
    return cat.tags(_inst(instance), sku, tag)


def _inst(instance: Term) -> Term:
    return var() if instance is None else instance


# -- deterministic helpers: one canonical answer, or an error naming what is missing ----------


def has_sku(cat: Catalog, sku: str, instance: str | None = None) -> bool:
    """True when the catalog (or the named instance) holds `sku`."""
    return bool(answers(sku, priceo(cat, sku, var(), instance)))


def unit_price(
    cat: Catalog, sku: str, variant: str | None = None, instance: str | None = None
) -> int:
    """The unit price of sku or sku/variant; UnknownSkuError / UnknownVariantError if absent."""
    unit = var("unit")
    found = answers(unit, unit_priceo(cat, sku, variant, unit, instance))
    if not found:
        if variant is not None and has_sku(cat, sku, instance):
            raise UnknownVariantError(f"unknown variant {variant!r} of sku {sku!r}")
        raise UnknownSkuError(f"unknown sku {sku!r}")
    return _single(found, sku)


def product_class(cat: Catalog, sku: str, instance: str | None = None) -> str:
    """The product class of `sku`; UnknownSkuError if absent."""
    cls = var("cls")
    found = answers(cls, classo(cat, sku, cls, instance))
    if not found:
        raise UnknownSkuError(f"unknown sku {sku!r}")
    return _single(found, sku)


def require_item(cat: Catalog, sku: str, variant: str | None = None) -> None:
    """Raise UnknownSkuError or UnknownVariantError unless the catalog sells sku/variant."""
    unit_price(cat, sku, variant)


def on_hand(cat: Catalog, sku: str, variant: str | None = None) -> int | None:
    """Units on hand of sku/variant, or None when its stock is not tracked."""
    require_item(cat, sku, variant)
    n = var("n")
    found = answers(n, stocko(cat, sku, variant, n))
    return None if not found else _single(found, sku)


def skus(cat: Catalog) -> list[str]:
    """Every sku, sorted."""
    sku = var("sku")
    return answers(sku, priceo(cat, sku, var()))


def product_classes(cat: Catalog) -> frozenset[str]:
    """Every product class some product has."""
    return frozenset(row[4] for row in cat.products.facts)


def _single(values: list[Any], sku: str) -> Any:
    # Only a federation can give two answers: several instances selling sku differently.
    if len(values) > 1:
        raise AmbiguousItemError(f"sku {sku!r} differs between instances here: {values}; name one")
    return values[0]
