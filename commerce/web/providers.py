"""Payment provider adapters: each turns one HTTP notification into a WebhookEvent.

    class Provider:                      # the interface
        name: str                        # the event log's namespace for event ids
        async def receive(body, headers) -> WebhookEvent | None

`receive` raises WebhookRejected(status, message) when the notification must be refused
(nothing has changed then), and returns None for a notification that needs no action.

- SignedProvider (Stripe style): the body is the event; the `Commerce-Signature` header
  proves who sent it (see signature.py). The clock is injectable for tests.
- SumUpProvider: the provider does not sign. The notification only names a checkout
  (`{"event_type": "CHECKOUT_STATUS_CHANGED", "id": CHECKOUT_ID}`), so nothing in it is
  trusted: the shop fetches `GET {api}/v0.1/checkouts/{id}` from the provider and acts on
  what that says (status, amount, currency, checkout_reference = the order id).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from ..errors import CommerceError, InvalidMoneyError
from ..money import require_amount, show
from .events import PAYMENT_FAILED, PAYMENT_SUCCEEDED, MalformedEventError, WebhookEvent
from .events import parse_event as parse_signed_body
from .signature import HEADER, TOLERANCE, SignatureError, verify


class WebhookRejected(CommerceError):
    """A notification refused before anything was done: the HTTP status and why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Provider(Protocol):
    """A payment provider's notification format."""

    name: str

    async def receive(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent | None:
        """The event the notification reports, None if none; WebhookRejected if refused."""
        ...


class SignedProvider:
    """Stripe-style signed events, checked against any of `secrets` (rotation)."""

    name = "signed"

    def __init__(
        self,
        secrets: Sequence[str],
        *,
        clock: Callable[[], float] = time.time,
        tolerance: int = TOLERANCE,
    ) -> None:
        if not secrets or not all(secrets):
            raise ValueError("SignedProvider needs at least one non-empty secret")
        self.secrets = list(secrets)
        self.clock = clock
        self.tolerance = tolerance

    async def receive(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        try:
            verify(headers.get(HEADER), body, self.secrets, int(self.clock()), self.tolerance)
            return parse_signed_body(body)
        except (SignatureError, MalformedEventError) as e:
            raise WebhookRejected(400, str(e)) from e


_SUMUP_STATUS = {"PAID": PAYMENT_SUCCEEDED, "FAILED": PAYMENT_FAILED}


def minor_units(amount: Any, where: str) -> int:
    """A decimal major-unit amount (12.5) as integer minor units (1250), exactly, in the
    range every amount has (require_amount); anything else is a 502 naming it."""
    if isinstance(amount, bool) or not isinstance(amount, int | float | str):
        raise WebhookRejected(502, f"{where}: amount {show(amount)} is not a number")
    if isinstance(amount, int):
        units: Decimal | int = amount * 100
    else:
        text = str(amount)
        try:
            units = Decimal(text) * 100 if len(text) <= 40 else Decimal("NaN")
        except (InvalidOperation, ArithmeticError) as e:
            raise WebhookRejected(502, f"{where}: amount {show(amount)} is not a number") from e
        if not units.is_finite() or units != units.to_integral_value():
            raise WebhookRejected(502, f"{where}: amount {show(amount)} is not a money amount")
    try:
        return require_amount(int(units), f"{where}: amount in minor units")
    except InvalidMoneyError as e:
        raise WebhookRejected(502, str(e)) from None


class SumUpProvider:
    """Unsigned notifications; the truth is fetched from the provider's checkout API."""

    name = "sumup"

    def __init__(self, api_base: str, *, api_key: str | None = None, timeout: float = 5.0):
        self.api_base = api_base.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    async def receive(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent | None:
        try:
            note = json.loads(body)
        except (ValueError, UnicodeDecodeError) as e:
            raise WebhookRejected(400, f"body is not JSON: {e}") from e
        checkout = note.get("id") if isinstance(note, dict) else None
        if not isinstance(checkout, str) or not checkout:
            raise WebhookRejected(400, "id: expected the checkout id as a non-empty string")
        doc = await asyncio.to_thread(self._fetch, checkout)
        return self._event(checkout, doc)

    def _fetch(self, checkout: str) -> dict[str, Any]:
        url = f"{self.api_base}/v0.1/checkouts/{urllib.parse.quote(checkout, safe='')}"
        req = urllib.request.Request(url, headers={"Accept": "application/json"})
        if self.api_key:
            req.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                doc = json.loads(resp.read())
        except urllib.error.HTTPError as e:
            if e.code == 404:  # a notification for a checkout the provider never had
                raise WebhookRejected(400, f"checkout {checkout!r}: the provider has none") from e
            raise WebhookRejected(503, f"checkout {checkout!r}: provider answered {e.code}") from e
        except (OSError, ValueError) as e:
            raise WebhookRejected(503, f"checkout {checkout!r}: provider unreachable: {e}") from e
        if not isinstance(doc, dict):
            raise WebhookRejected(502, f"checkout {checkout!r}: provider sent no object")
        return doc

    @staticmethod
    def _event(checkout: str, doc: dict[str, Any]) -> WebhookEvent | None:
        where = f"checkout {checkout!r}"
        status = doc.get("status")
        kind = _SUMUP_STATUS.get(status) if isinstance(status, str) else None
        if kind is None:  # PENDING and the like: nothing happened yet
            return None
        order = doc.get("checkout_reference")
        currency = doc.get("currency")
        if not isinstance(order, str) or not order or not isinstance(currency, str):
            raise WebhookRejected(502, f"{where}: no checkout_reference or currency")
        ref = doc.get("transaction_code") or checkout
        return WebhookEvent(
            id=f"{checkout}:{status}",
            type=kind,
            order=order,
            ref=str(ref),
            amount=minor_units(doc.get("amount"), where),
            currency=currency,
        )
