"""A shop: everything a quote needs besides the cart (catalog, tax rates, promotions)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import AmbiguousJurisdictionError, InvalidFieldError
from ..money import require_text
from .catalog import Catalog
from .promo import Ruleset
from .tax import TaxTable, jurisdictions


@dataclass(frozen=True, slots=True)
class Shop:
    """A currency code, a catalog, a tax table and a rule set, checked against each other."""

    currency: str
    catalog: Catalog
    taxes: TaxTable
    rules: Ruleset
    payment_timeout: int | None = None  # seconds an order may wait for payment (None: ever)

    def __post_init__(self) -> None:
        require_text(self.currency, "currency")
        t = self.payment_timeout
        if t is not None and (type(t) is not int or t <= 0):
            raise InvalidFieldError(
                f"payment_timeout: expected a whole number of seconds above 0, got {t!r}"
            )

    def jurisdiction(self, given: str | None = None) -> str:
        """`given`, or the one jurisdiction the tax rates name when none is given."""
        if given is not None:
            return require_text(given, "jurisdiction")
        named = jurisdictions(self.taxes)
        if len(named) != 1:
            listed = ", ".join(named) if named else "none"
            raise AmbiguousJurisdictionError(
                f"name a jurisdiction: the shop's tax rates name {listed}"
            )
        return named[0]
