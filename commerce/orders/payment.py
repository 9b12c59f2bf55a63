"""The provider-neutral payment request: what the host hands to a payment provider.

The amount comes from the ledger (what is still to pay), currency and return address from
the host, so the engine never names a provider; an adapter turns the envelope into a
SumUp or Stripe call, and the provider's webhook comes back through `Orders.settle`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..ledger.projections import summary_of
from ..ledger.store import Ledger


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """Ask the customer to pay `amount` (minor units of `currency`) for `order`."""

    order: str
    amount: int
    currency: str
    return_url: str

    def to_json(self) -> dict[str, Any]:
        """The envelope as a JSON object."""
        return {
            "order": self.order,
            "amount": self.amount,
            "currency": self.currency,
            "return_url": self.return_url,
        }


def return_url_for(template: str, order: str) -> str:
    """`template` with each `{order}` replaced by the order id, percent-escaped as one path
    segment: an id such as `x?next=https://evil.example/#` cannot add a query, a fragment
    or a path to the address. Any other text of the template is kept as it is."""
    return template.replace("{order}", quote(order, safe="", errors="surrogatepass"))


def payment_request(ledger: Ledger, order: str, return_url: str) -> PaymentRequest:
    """The envelope for `order`: its outstanding amount as the ledger has it now.

    `return_url` may contain `{order}`, which is replaced by the order id, escaped
    (`return_url_for`).
    """
    s = summary_of(ledger, order)
    return PaymentRequest(order, s.outstanding, s.currency, return_url_for(return_url, order))
