"""Stripe-style webhook signatures: `Commerce-Signature: t=UNIX_SECONDS,v1=HEX[,v1=HEX...]`.

HEX is HMAC-SHA256(secret, "{t}.{raw body}"). Several v1 entries are allowed so a provider
can sign with the old and the new secret while a secret is rotated; the shop may also hold
several secrets. Every comparison is constant time (hmac.compare_digest), and a timestamp
more than `tolerance` seconds from the shop's clock (either way) is refused, so a captured
request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from ..errors import CommerceError

HEADER = "Commerce-Signature"
TOLERANCE = 300


class SignatureError(CommerceError):
    """A webhook whose signature header is missing, malformed, wrong or too old."""


def sign(secret: str, t: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "{t}.{body}" under `secret`."""
    return hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets: Sequence[str], t: int, body: bytes) -> str:
    """A header value signing `body` at time `t` with each secret (one v1 entry each)."""
    return ",".join([f"t={t}", *(f"v1={sign(s, t, body)}" for s in secrets)])


def parse_header(value: str | None) -> tuple[int, list[str]]:
    """(t, [v1 signatures]) from a header value; SignatureError when it is not one."""
    if not value:
        raise SignatureError(f"missing {HEADER} header")
    t: int | None = None
    v1: list[str] = []
    for part in value.split(","):
        key, eq, val = part.strip().partition("=")
        if not eq:
            raise SignatureError(f"{HEADER}: {part.strip()!r} is not key=value")
        if key == "t":
            if not val.isdigit() or t is not None:
                raise SignatureError(f"{HEADER}: t must be one whole number of seconds")
            t = int(val)
        elif key == "v1":
            v1.append(val)
        # other schemes (v0, ...) are ignored, as Stripe's are
    if t is None:
        raise SignatureError(f"{HEADER}: no t= timestamp")
    if not v1:
        raise SignatureError(f"{HEADER}: no v1= signature")
    return t, v1


def verify(
    header: str | None,
    body: bytes,
    secrets: Sequence[str],
    now: int,
    tolerance: int = TOLERANCE,
) -> int:
    """Check `header` against `body`; return its timestamp or raise SignatureError."""
    t, given = parse_header(header)
    if abs(now - t) > tolerance:
        raise SignatureError(
            f"{HEADER}: timestamp {t} is {abs(now - t)} s from now (tolerance {tolerance} s)"
        )
    expected = [sign(s, t, body) for s in secrets]
    ok = False
    for g in given:
        for e in expected:  # no early exit: every pair is compared
            ok |= hmac.compare_digest(g.encode(), e.encode())
    if not ok:
        raise SignatureError(f"{HEADER}: no v1 signature matches")
    return t
