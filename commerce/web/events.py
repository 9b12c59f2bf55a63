"""The webhook event every provider adapter produces, and the JSON body it is read from.

    {"id": EVENT_ID, "type": "payment.succeeded" | "payment.failed" | "refund.succeeded",
     "data": {"order": ..., "ref": ..., "amount": N, "currency": "GBP"}}

`refund.succeeded` carries "refund" (the refund id) instead of "ref". Amounts are integer
minor units from 1 to 2^63 - 1. Anything else is a MalformedEventError naming the field
that was wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..errors import CommerceError, InvalidMoneyError
from ..money import require_amount

PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"
REFUND_SUCCEEDED = "refund.succeeded"
TYPES = (PAYMENT_SUCCEEDED, PAYMENT_FAILED, REFUND_SUCCEEDED)


class MalformedEventError(CommerceError):
    """A webhook body that is not a well-formed event."""


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One provider notification, as the shop acts on it."""

    id: str
    type: str
    order: str
    ref: str | None = None  # payment events
    refund: str | None = None  # refund.succeeded
    amount: int | None = None
    currency: str | None = None


def _text(obj: dict, key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MalformedEventError(f"{where}{key}: expected a non-empty string, got {value!r}")
    return value


def parse_event(body: bytes) -> WebhookEvent:
    """The event in a JSON body; MalformedEventError says what is wrong with it."""
    try:
        doc: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise MalformedEventError(f"body is not JSON: {e}") from e
    if not isinstance(doc, dict):
        raise MalformedEventError("body must be a JSON object")
    event_id = _text(doc, "id", "")
    kind = doc.get("type")
    if kind not in TYPES:
        raise MalformedEventError(f"type: expected one of {', '.join(TYPES)}, got {kind!r}")
    data = doc.get("data")
    if not isinstance(data, dict):
        raise MalformedEventError("data: expected an object")
    order = _text(data, "order", "data.")
    if kind == REFUND_SUCCEEDED:
        return WebhookEvent(event_id, kind, order, refund=_text(data, "refund", "data."))
    try:
        amount = require_amount(data.get("amount"), "data.amount")
    except InvalidMoneyError as e:
        raise MalformedEventError(str(e)) from None
    currency = _text(data, "currency", "data.")
    ref = _text(data, "ref", "data.")
    return WebhookEvent(event_id, kind, order, ref=ref, amount=amount, currency=currency)
