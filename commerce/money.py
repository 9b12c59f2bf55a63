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


def is_int(value: object) -> bool:
    """True for a plain int; bool is an int subclass in Python and is refused here."""
    return type(value) is int


def require_money(value: object, what: str) -> int:
    """Return `value` if it is a non-negative int of minor units, else raise InvalidMoneyError."""
    if not is_int(value):
        raise InvalidMoneyError(
            f"{what} must be an int of minor units, got {type(value).__name__} {value!r}"
        )
    assert isinstance(value, int)
    if value < 0:
        raise InvalidMoneyError(f"{what} must be >= 0, got {value}")
    return value


def require_delta(value: object, what: str) -> int:
    """Return `value` if it is an int of minor units (negative allowed), else raise."""
    if not is_int(value):
        raise InvalidMoneyError(
            f"{what} must be an int of minor units, got {type(value).__name__} {value!r}"
        )
    assert isinstance(value, int)
    return value


def require_price(value: object, what: str) -> int:
    """Return `value` if it is an int price >= 0; a negative one raises NegativePriceError."""
    amount = require_delta(value, what)
    if amount < 0:
        raise NegativePriceError(f"{what} must be >= 0, got {amount}")
    return amount


def require_bps(value: object, what: str) -> int:
    """Return `value` if it is an int of basis points from 0 to 10000, else raise."""
    if not is_int(value):
        raise InvalidRateError(
            f"{what} must be an int of basis points, got {type(value).__name__} {value!r}"
        )
    assert isinstance(value, int)
    if not 0 <= value <= BPS_DENOMINATOR:
        raise InvalidRateError(f"{what} must be from 0 to {BPS_DENOMINATOR} bps, got {value}")
    return value


def require_qty(value: object, what: str = "qty", *, minimum: int = 1) -> int:
    """Return `value` if it is an int >= `minimum`, else raise InvalidQuantityError."""
    if not is_int(value):
        raise InvalidQuantityError(f"{what} must be an int, got {type(value).__name__} {value!r}")
    assert isinstance(value, int)
    if value < minimum:
        raise InvalidQuantityError(f"{what} must be >= {minimum}, got {value}")
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
        raise InvalidFieldError(f"{what} must be a non-empty string, got {value!r}")
    return value
