"""Tax rates as facts keyed by (jurisdiction, product class, customer class) -> bps.

The customer class is "guest" or "member". A rate a quote needs but the table lacks is an
error naming the missing key, never a silent 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kanren import var

from ..errors import DuplicateTaxRateError, InvalidFieldError, MissingTaxRateError
from ..money import apply_bps, require_bps, require_text
from ..relation import FactRelation, Goal, Term, answers

__all__ = [
    "CUSTOMER_CLASSES",
    "TaxRate",
    "TaxTable",
    "apply_bps",
    "customer_class",
    "jurisdictions",
    "tax_rate",
    "taxo",
]

GUEST = "guest"
MEMBER = "member"
CUSTOMER_CLASSES = (GUEST, MEMBER)


def customer_class(member: bool) -> str:
    """The customer class of a member (True) or a guest (False)."""
    return MEMBER if member else GUEST


@dataclass(frozen=True, slots=True)
class TaxRate:
    """One fact: in `jurisdiction`, `product_class` sold to `customer_class` is taxed `bps`."""

    jurisdiction: str
    product_class: str
    customer_class: str
    bps: int

    def __post_init__(self) -> None:
        require_text(self.jurisdiction, "tax jurisdiction")
        require_text(self.product_class, "tax product_class")
        if self.customer_class not in CUSTOMER_CLASSES:
            raise InvalidFieldError(
                f"tax customer_class must be guest or member, got {self.customer_class!r}"
            )
        require_bps(self.bps, f"tax rate for {self.key}")

    @property
    def key(self) -> tuple[str, str, str]:
        """(jurisdiction, product class, customer class)."""
        return (self.jurisdiction, self.product_class, self.customer_class)


@dataclass(frozen=True, slots=True)
class TaxTable:
    """Tax rates as facts (jurisdiction, product class, customer class, bps)."""

    rates: FactRelation

    @classmethod
    def build(cls, rates: Iterable[TaxRate]) -> TaxTable:
        """Check that no key appears twice, then build the facts."""
        seen: set[tuple[str, str, str]] = set()
        rows = []
        for rate in rates:
            if rate.key in seen:
                raise DuplicateTaxRateError(f"duplicate tax rate for {_key_text(rate.key)}")
            seen.add(rate.key)
            rows.append((*rate.key, rate.bps))
        return cls(FactRelation("tax", rows))

    def __len__(self) -> int:
        return len(self.rates)


def taxo(
    table: TaxTable, jurisdiction: Term, product_class: Term, customer: Term, bps: Term
) -> Goal:
    """In `jurisdiction`, `product_class` sold to `customer` is taxed at `bps`."""
    return table.rates(jurisdiction, product_class, customer, bps)


def tax_rate(table: TaxTable, jurisdiction: str, product_class: str, customer: str) -> int:
    """The rate for one key; MissingTaxRateError naming the key when the table has none."""
    bps = var("bps")
    found = answers(bps, taxo(table, jurisdiction, product_class, customer, bps))
    if not found:
        key = _key_text((jurisdiction, product_class, customer))
        raise MissingTaxRateError(f"no tax rate for {key}")
    return found[0]  # keys are unique, so there is exactly one


def jurisdictions(table: TaxTable) -> list[str]:
    """Every jurisdiction the table names, sorted."""
    j = var("j")
    return answers(j, taxo(table, j, var(), var(), var()))


def _key_text(key: tuple[str, str, str]) -> str:
    j, pc, cc = key
    return f"jurisdiction {j!r}, product class {pc!r}, customer class {cc!r}"
