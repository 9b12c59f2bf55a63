"""The commerce engine's edge: payment webhooks over HTTP and the operator console.

`commerce serve` runs `create_app` (Starlette) on uvicorn. A provider adapter
(providers.py) turns a notification into a WebhookEvent -- the signed adapter checks the
`Commerce-Signature` HMAC (signature.py), the SumUp-style one fetches the checkout from the
provider -- and the Backend (backend.py) applies it on the one thread that owns the
engine, after checking the event id against the webhook event log (eventlog.py). The
console (console.py, views.py, templates/) reads and acts through the same Backend.
Status codes and retry advice: docs/webhooks.md.
"""

from __future__ import annotations

import importlib
from typing import Any

# Loaded on first use, so `commerce serve --help` (which imports commerce.web.serve) works
# and fails with one clear line when the web extra is not installed.
_HOME = {
    "create_app": "app",
    "Backend": "backend",
    "Reply": "backend",
    "EventLog": "eventlog",
    "LoggedEvent": "eventlog",
    "MalformedEventError": "events",
    "WebhookEvent": "events",
    "parse_event": "events",
    "Provider": "providers",
    "SignedProvider": "providers",
    "SumUpProvider": "providers",
    "WebhookRejected": "providers",
    "HEADER": "signature",
    "SignatureError": "signature",
    "sign": "signature",
    "signature_header": "signature",
    "verify": "signature",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)


__all__ = [
    "HEADER",
    "Backend",
    "EventLog",
    "LoggedEvent",
    "MalformedEventError",
    "Provider",
    "Reply",
    "SignatureError",
    "SignedProvider",
    "SumUpProvider",
    "WebhookEvent",
    "WebhookRejected",
    "create_app",
    "parse_event",
    "sign",
    "signature_header",
    "verify",
]
