"""exp, log, trigonometry, square roots and expt (R7RS 6.2.6).

Results are floats except where R7RS asks for exactness: `sqrt` of an exact perfect square
and `expt` of an exact base to an exact integer power. These are the real versions: a
result that would be complex (`(sqrt -4)`, `(log -1)`, `(asin 2)`, `(expt -8 1/3)`) raises
"no real result", and numbers_complex.py, which wraps them, computes it with cmath.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from ..errors import SchemeError
from ..printer import format_number
from ..run.budget import charge_product_bits
from ..types import Values, normalize
from .numbers import Number, check_number, divide, to_float
from .registry import primitive, wrong_type

# `(expt 3 (expt 10 10))` would try to build a multi-gigabyte integer: refuse exact
# powers whose result would need more bits than this.
MAX_EXPT_BITS = 1 << 26


def _no_complex(who: str, x: Number) -> SchemeError:
    return SchemeError(
        f"{who}: no real result for {format_number(x)} (complex numbers are not supported)"
    )


# --- transcendental functions ---------------------------------------------------------


def _real(who: str, x: Any, position: int | None = None) -> float:
    return to_float(check_number(who, x, position))


def _ln(who: str, x: Any) -> float:
    """Natural log of a number, exact for big ints and fractions; -inf.0 at zero."""
    check_number(who, x)
    if x < 0:
        raise _no_complex(who, x)
    if x == 0:
        return -math.inf
    if type(x) is Fraction:
        return math.log(x.numerator) - math.log(x.denominator)
    return math.log(x)


@primitive("exp")
def exp(z: Any) -> float:
    """e to the power z."""
    try:
        return math.exp(_real("exp", z))
    except OverflowError:
        return math.inf


@primitive("log")
def log(z: Any, base: Any = None) -> float:
    """Natural log of z, or log of z in the given base."""
    if base is None:
        return _ln("log", z)
    check_number("log", base, 2)
    if base == 10 and z > 0:
        return math.log10(z) if type(z) is not Fraction else _ln("log", z) / math.log(10)
    if base == 2 and type(z) is not Fraction and z > 0:
        return math.log2(z)
    return divide("log", _ln("log", z), _ln("log", base))


def _trig(who: str, fn: Any, z: Any) -> float:
    try:
        return fn(_real(who, z))
    except ValueError:
        return math.nan  # sin/cos/tan of an infinity


@primitive("sin")
def sin(z: Any) -> float:
    """Sine of z (radians)."""
    return _trig("sin", math.sin, z)


@primitive("cos")
def cos(z: Any) -> float:
    """Cosine of z (radians)."""
    return _trig("cos", math.cos, z)


@primitive("tan")
def tan(z: Any) -> float:
    """Tangent of z (radians)."""
    return _trig("tan", math.tan, z)


@primitive("asin")
def asin(z: Any) -> float:
    """Arcsine of z, for z in [-1, 1]."""
    try:
        return math.asin(_real("asin", z))
    except ValueError:
        raise _no_complex("asin", z) from None


@primitive("acos")
def acos(z: Any) -> float:
    """Arccosine of z, for z in [-1, 1]."""
    try:
        return math.acos(_real("acos", z))
    except ValueError:
        raise _no_complex("acos", z) from None


@primitive("atan")
def atan(y: Any, x: Any = None) -> float:
    """Arctangent of y, or the angle of the point (x, y) with two arguments."""
    if x is None:
        return math.atan(_real("atan", y))
    return math.atan2(_real("atan", y, 1), _real("atan", x, 2))


# --- roots and powers -----------------------------------------------------------------


def _float_sqrt(x: int | Fraction) -> float:
    """Square root of a positive exact number that is not a perfect square, as a float."""
    if type(x) is int and x < 2**53:
        return math.sqrt(x)
    n, d = (x, 1) if type(x) is int else (x.numerator, x.denominator)
    # Scale by 4**k so that the integer square root has about 110 bits (a float keeps 53):
    # accurate far outside the float range too, where float(x) would overflow or vanish.
    k = (220 - (n.bit_length() - d.bit_length())) // 2
    m = (n << 2 * k) // d if k >= 0 else n // (d << -2 * k)
    try:
        return math.ldexp(float(math.isqrt(m)), -k)
    except OverflowError:
        return math.inf


@primitive("square")
def square(z: Any) -> Number:
    """z times z."""
    check_number("square", z)
    return z * z


@primitive("sqrt")
def sqrt(z: Any) -> Number:
    """The square root of z: exact when z is an exact perfect square."""
    check_number("sqrt", z)
    if z < 0:
        raise _no_complex("sqrt", z)
    t = type(z)
    if t is float:
        return math.sqrt(z)
    if t is int:
        r = math.isqrt(z)
        return r if r * r == z else _float_sqrt(z)
    n, d = math.isqrt(z.numerator), math.isqrt(z.denominator)
    if n * n == z.numerator and d * d == z.denominator:
        return Fraction(n, d)
    return _float_sqrt(z)


@primitive("exact-integer-sqrt")
def exact_integer_sqrt(k: Any) -> Values:
    """s and k - s*s, where s is the integer square root of k (two values)."""
    if type(k) is not int or k < 0:
        raise wrong_type("exact-integer-sqrt", "a non-negative exact integer", k)
    s = math.isqrt(k)
    return Values((s, k - s * s))


def _exact_power(base: int | Fraction, e: int) -> Number:
    if base == 0 and e < 0:
        raise SchemeError("expt: division by zero")
    if type(base) is int:
        bits = base.bit_length()
    else:
        bits = max(base.numerator.bit_length(), base.denominator.bit_length())
    if bits > 1 and abs(e) * bits > MAX_EXPT_BITS:
        raise SchemeError(f"expt: result too large ({format_number(base)} to the power {e})")
    if bits > 1:  # the last squaring dominates the work
        half = abs(e) * bits >> 1
        charge_product_bits("expt", half, half)
    if e >= 0:
        return normalize(base**e)
    return normalize(Fraction(base) ** e)


@primitive("expt")
def expt(z1: Any, z2: Any) -> Number:
    """z1 to the power z2: exact for an exact base and an exact integer exponent."""
    check_number("expt", z1, 1)
    check_number("expt", z2, 2)
    if type(z2) is int and type(z1) is not float:
        return _exact_power(z1, z2)
    b, e = to_float(z1), to_float(z2)
    odd = e.is_integer() and abs(e) < 2**53 and int(e) % 2 == 1
    if b == 0 and e < 0:
        return math.copysign(math.inf, b) if odd else math.inf
    try:
        return math.pow(b, e)
    except ValueError:
        raise _no_complex("expt", z1) from None
    except OverflowError:
        return -math.inf if b < 0 and odd else math.inf


# --- (scheme complex) on the real line --------------------------------------------------


@primitive("real-part")
def real_part(z: Any) -> Number:
    """z itself: every number here is real."""
    return check_number("real-part", z)


@primitive("imag-part")
def imag_part(z: Any) -> Number:
    """0 (inexact 0.0 for an inexact z): every number here is real."""
    return 0.0 if type(check_number("imag-part", z)) is float else 0


@primitive("magnitude")
def magnitude(z: Any) -> Number:
    """The absolute value of z."""
    return abs(check_number("magnitude", z))


@primitive("angle")
def angle(z: Any) -> Number:
    """0 for a non-negative z, pi for a negative one (NaN for NaN)."""
    check_number("angle", z)
    if type(z) is float:
        return math.nan if z != z else math.atan2(0.0, z)
    return math.pi if z < 0 else 0


@primitive("make-rectangular")
def make_rectangular(x: Any, y: Any) -> Number:
    """x + yi, which must be real: y must be zero."""
    check_number("make-rectangular", x, 1)
    if check_number("make-rectangular", y, 2) != 0:
        raise SchemeError("make-rectangular: complex numbers are not supported")
    return to_float(x) if type(y) is float else x


@primitive("make-polar")
def make_polar(r: Any, theta: Any) -> Number:
    """r at angle theta, which must be real: theta must be zero."""
    check_number("make-polar", r, 1)
    if check_number("make-polar", theta, 2) != 0:
        raise SchemeError("make-polar: complex numbers are not supported")
    return to_float(r) if type(theta) is float else r
