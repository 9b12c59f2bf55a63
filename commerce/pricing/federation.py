"""Federation: several shops' catalogs queried as one.

Every catalog fact already carries its shop instance in its first column, so a federation
is a catalog holding the facts of each member catalog re-tagged with the member's name.
The catalog relations (`producto`, `priceo`, `unit_priceo`, ...) then answer across
instances, and an `instance` argument pins one down. Everything runs in process: there is
no network here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kanren import var

from ..errors import UnknownInstanceError, UnknownSkuError, UnknownVariantError
from ..money import require_text
from ..relation import Goal, Term, answers
from .catalog import Catalog, unit_priceo


@dataclass(frozen=True, slots=True)
class Offer:
    """sku (or sku/variant) sold by `instance` at `unit`."""

    instance: str
    sku: str
    variant: str | None
    unit: int


def federate(catalogs: Mapping[str, Catalog]) -> Catalog:
    """One catalog holding every member's facts, each tagged with the member's name."""
    rows: dict[str, list[tuple[object, ...]]] = {
        k: [] for k in ("products", "variants", "stock", "units", "tags")
    }
    for name, cat in sorted(catalogs.items()):
        require_text(name, "instance name")
        for kind, out in rows.items():
            out.extend((name, *row[1:]) for row in getattr(cat, kind).facts)
    return Catalog.from_rows(**rows, instances=sorted(catalogs))


def offero(fed: Catalog, instance: Term, sku: Term, variant: Term, unit: Term) -> Goal:
    """`instance` sells sku/variant (variant None: the product itself) at `unit`."""
    return unit_priceo(fed, sku, variant, unit, instance)


def instances_with_sku(fed: Catalog, sku: str) -> list[str]:
    """The instances that sell `sku`, sorted."""
    inst = var("instance")
    return answers(inst, offero(fed, inst, sku, var(), var()))


def sku_offers(fed: Catalog, sku: str, variant: str | None = None) -> list[Offer]:
    """Every instance's offer of sku/variant, cheapest first (ties by instance name)."""
    inst, unit = var("instance"), var("unit")
    found = answers((unit, inst), offero(fed, inst, sku, variant, unit))
    return [Offer(i, sku, variant, u) for u, i in found]


def cheapest_offer(fed: Catalog, sku: str, variant: str | None = None) -> Offer:
    """The lowest unit price for sku/variant; a tie goes to the first instance by name."""
    offers = sku_offers(fed, sku, variant)
    if not offers:
        if variant is not None and instances_with_sku(fed, sku):
            raise UnknownVariantError(f"no instance sells variant {variant!r} of {sku!r}")
        raise UnknownSkuError(f"no instance sells sku {sku!r}")
    return offers[0]


def instance_catalog(fed: Catalog, instance: str) -> Catalog:
    """The facts of one member instance, as a catalog of its own."""
    if instance not in fed.instances:
        raise UnknownInstanceError(
            f"unknown instance {instance!r} (known: {', '.join(fed.instances)})"
        )
    rows = {
        kind: [row for row in getattr(fed, kind).facts if row[0] == instance]
        for kind in ("products", "variants", "stock", "units", "tags")
    }
    return Catalog.from_rows(**rows, instances=(instance,))
