"""Money and rates: int minor units, int basis points, the one rounding rule, input checks.

Every amount that enters the package passes one of the `require_*` checks, so a float, a
Decimal, a bool or a string never reaches the arithmetic.
"""

from __future__ import annotations

from .errors import (
    InvalidFieldError,
    InvalidMoneyError,
    InvalidQuantityError,
    InvalidRateError,
    NegativePriceError,
)

BPS_DENOMINATOR = 10_000
MAX_AMOUNT = 2**63 - 1  # what a signed 64-bit column holds: the range of every amount


def show(value: object) -> str:
    """`value` for an error message: an int too long to print is described by its size."""
    if is_int(value):
        assert isinstance(value, int)
        if value.bit_length() > 200:
            sign = "a negative" if value < 0 else "an"
            return f"{sign} int of about {int(value.bit_length() * 0.30103) + 1} digits"
        return str(value)
    if value is None:
        return "None"
    text = repr(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"{type(value).__name__} {text}"


def require_amount(value: object, field: str, *, minimum: int = 1) -> int:
    """Return `value` if it is an int of minor units from `minimum` to MAX_AMOUNT (2^63 - 1),
    else raise InvalidMoneyError naming `field` and what would be right.

    The one check at every public entry that takes an amount (settle, refunds, webhooks,
    the command line, ledger events): a bool, str, float, Decimal or None is refused, and
    so is an int past 2^63, which no store column holds."""
    if not is_int(value):
        raise InvalidMoneyError(
            f"{field} must be an int of minor units from {minimum} to {MAX_AMOUNT}, got "
            f"{show(value)}"
        )
    assert isinstance(value, int)
    if value < minimum:
        low = "> 0" if minimum == 1 else f">= {minimum}"
        raise InvalidMoneyError(f"{field} must be {low} (minor units), got {show(value)}")
    if value > MAX_AMOUNT:
        raise InvalidMoneyError(
            f"{field} must be at most {MAX_AMOUNT} (2^63 - 1) minor units, got {show(value)}"
        )
    return value


def is_int(value: object) -> bool:
    """True for a plain int; bool is an int subclass in Python and is refused here."""
    return type(value) is int


def require_money(value: object, what: str) -> int:
    """Return `value` if it is an int of minor units from 0 to MAX_AMOUNT, else raise
    InvalidMoneyError."""
    return require_amount(value, what, minimum=0)


def require_delta(value: object, what: str) -> int:
    """Return `value` if it is an int of minor units (negative allowed), else raise."""
    if not is_int(value):
        raise InvalidMoneyError(f"{what} must be an int of minor units, got {show(value)}")
    assert isinstance(value, int)
    if not -MAX_AMOUNT <= value <= MAX_AMOUNT:
        raise InvalidMoneyError(
            f"{what} must be an int of minor units from {-MAX_AMOUNT} to {MAX_AMOUNT}, got "
            f"{show(value)}"
        )
    return value


def require_price(value: object, what: str) -> int:
    """Return `value` if it is an int price >= 0; a negative one raises NegativePriceError."""
    amount = require_delta(value, what)
    if amount < 0:
        raise NegativePriceError(f"{what} must be >= 0, got {show(amount)}")
    return amount


def require_bps(value: object, what: str) -> int:
    """Return `value` if it is an int of basis points from 0 to 10000, else raise."""
    if not is_int(value):
        raise InvalidRateError(f"{what} must be an int of basis points, got {show(value)}")
    assert isinstance(value, int)
    if not 0 <= value <= BPS_DENOMINATOR:
        raise InvalidRateError(f"{what} must be from 0 to {BPS_DENOMINATOR} bps, got {show(value)}")
    return value


def require_qty(value: object, what: str = "qty", *, minimum: int = 1) -> int:
    """Return `value` if it is an int >= `minimum`, else raise InvalidQuantityError."""
    if not is_int(value):
        raise InvalidQuantityError(f"{what} must be an int, got {show(value)}")
    assert isinstance(value, int)
    if value < minimum:
        raise InvalidQuantityError(f"{what} must be >= {minimum}, got {show(value)}")
    return value


def apply_bps(amount: int, bps: int) -> int:
    """`amount` times `bps` / 10000, rounded half up (half away from zero below 0)."""
    require_delta(amount, "amount")
    require_bps(bps, "rate")
    if amount < 0:
        return -apply_bps(-amount, bps)
    return (amount * bps + BPS_DENOMINATOR // 2) // BPS_DENOMINATOR


def require_text(value: object, what: str) -> str:
    """Return `value` if it is a non-empty string, else raise InvalidFieldError."""
    if not isinstance(value, str) or not value:
        got = show(value) if is_int(value) else repr(value)[:60]
        raise InvalidFieldError(f"{what} must be a non-empty string, got {got}")
    return value
