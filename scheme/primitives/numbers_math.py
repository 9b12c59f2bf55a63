"""Integer division, rational parts, rounding, exactness and number<->string (R7RS 6.2.6).

numbers.py has the predicates and arithmetic, numbers_elementary.py exp, log, trigonometry,
roots and powers. Integer division accepts integer-valued floats and then answers in floats.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from ..errors import SchemeError
from ..printer import format_number
from ..read.numparse import int_to_decimal, parse_number
from ..types import FALSE, Boolean, MString, Values, normalize
from .numbers import (
    Number,
    check_integer,
    check_number,
    to_float,
)
from .registry import primitive, wrong_type

# --- integer division -----------------------------------------------------------------


def _operands(who: str, n1: Any, n2: Any) -> tuple[int, int, bool]:
    """(a, b, inexact?) for an integer division; the divisor must not be zero."""
    a = check_integer(who, n1)
    b = check_integer(who, n2)
    if b == 0:
        raise SchemeError(f"{who}: division by zero")
    return a, b, type(n1) is float or type(n2) is float


def _floor_div(a: int, b: int) -> tuple[int, int]:
    return divmod(a, b)


def _truncate_div(a: int, b: int) -> tuple[int, int]:
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return q, a - b * q


def _divide(who: str, n1: Any, n2: Any, how: Any) -> tuple[Number, Number]:
    a, b, inexact = _operands(who, n1, n2)
    q, r = how(a, b)
    return (float(q), float(r)) if inexact else (q, r)


@primitive("floor/")
def floor_div(n1: Any, n2: Any) -> Values:
    """Quotient rounded toward negative infinity, and the remainder (two values)."""
    return Values(_divide("floor/", n1, n2, _floor_div))


@primitive("floor-quotient")
def floor_quotient(n1: Any, n2: Any) -> Number:
    """The quotient of n1 by n2 rounded toward negative infinity."""
    return _divide("floor-quotient", n1, n2, _floor_div)[0]


@primitive("floor-remainder")
def floor_remainder(n1: Any, n2: Any) -> Number:
    """n1 minus n2 times the floor quotient (has the sign of n2)."""
    return _divide("floor-remainder", n1, n2, _floor_div)[1]


@primitive("modulo")
def modulo(n1: Any, n2: Any) -> Number:
    """Same as floor-remainder."""
    return _divide("modulo", n1, n2, _floor_div)[1]


@primitive("truncate/")
def truncate_div(n1: Any, n2: Any) -> Values:
    """Quotient rounded toward zero, and the remainder (two values)."""
    return Values(_divide("truncate/", n1, n2, _truncate_div))


@primitive("truncate-quotient")
def truncate_quotient(n1: Any, n2: Any) -> Number:
    """The quotient of n1 by n2 rounded toward zero."""
    return _divide("truncate-quotient", n1, n2, _truncate_div)[0]


@primitive("truncate-remainder")
def truncate_remainder(n1: Any, n2: Any) -> Number:
    """n1 minus n2 times the truncated quotient (has the sign of n1)."""
    return _divide("truncate-remainder", n1, n2, _truncate_div)[1]


@primitive("quotient")
def quotient(n1: Any, n2: Any) -> Number:
    """Same as truncate-quotient."""
    return _divide("quotient", n1, n2, _truncate_div)[0]


@primitive("remainder")
def remainder(n1: Any, n2: Any) -> Number:
    """Same as truncate-remainder."""
    return _divide("remainder", n1, n2, _truncate_div)[1]


def _integers(who: str, args: tuple) -> tuple[list[int], bool]:
    return [check_integer(who, n) for n in args], any(type(n) is float for n in args)


@primitive("gcd")
def gcd(*args: Any) -> Number:
    """Greatest common divisor (non-negative); (gcd) is 0."""
    ints, inexact = _integers("gcd", args)
    g = math.gcd(*ints)
    return float(g) if inexact else g


@primitive("lcm")
def lcm(*args: Any) -> Number:
    """Least common multiple (non-negative); (lcm) is 1."""
    ints, inexact = _integers("lcm", args)
    m = math.lcm(*ints)
    return to_float(m) if inexact else m


# --- rational parts and rounding ------------------------------------------------------


def _ratio(who: str, q: Any) -> tuple[int, int, bool]:
    t = type(q)
    if t is int:
        return q, 1, False
    if t is Fraction:
        return q.numerator, q.denominator, False
    if t is float and math.isfinite(q):
        n, d = q.as_integer_ratio()
        return n, d, True
    raise wrong_type(who, "a rational number", q)


@primitive("numerator")
def numerator(q: Any) -> Number:
    """The numerator of q in lowest terms (inexact for an inexact q)."""
    n, _, inexact = _ratio("numerator", q)
    return float(n) if inexact else n


@primitive("denominator")
def denominator(q: Any) -> Number:
    """The denominator of q in lowest terms (inexact for an inexact q)."""
    _, d, inexact = _ratio("denominator", q)
    return float(d) if inexact else d


def _rounder(who: str, x: Any, how: Any) -> Number:
    t = type(x)
    if t is int:
        return x
    if t is Fraction:
        return how(x)
    if t is float:
        if not math.isfinite(x):
            return x
        r = float(how(x))
        return math.copysign(r, x) if r == 0 else r  # keep -0.0 for (round -0.4)
    raise wrong_type(who, "a number", x)


@primitive("floor")
def floor(x: Any) -> Number:
    """The largest integer not greater than x."""
    return _rounder("floor", x, math.floor)


@primitive("ceiling")
def ceiling(x: Any) -> Number:
    """The smallest integer not less than x."""
    return _rounder("ceiling", x, math.ceil)


@primitive("truncate")
def truncate(x: Any) -> Number:
    """The integer closest to x whose magnitude is not larger."""
    return _rounder("truncate", x, math.trunc)


@primitive("round")
def round_(x: Any) -> Number:
    """The integer closest to x, rounding to even when halfway."""
    return _rounder("round", x, round)


def _simplest_between(lo: Fraction, hi: Fraction) -> Number:
    """The simplest rational in [lo, hi] (continued fractions, no recursion)."""
    if lo <= 0 <= hi:
        return 0
    negative = hi < 0
    if negative:
        lo, hi = -hi, -lo
    terms = []
    while True:
        fl = math.floor(lo)
        if fl == lo:
            terms.append(fl)
            break
        if fl < math.floor(hi):
            terms.append(fl + 1)
            break
        terms.append(fl)
        lo, hi = 1 / (hi - fl), 1 / (lo - fl)
    result: Number = terms[-1]
    for t in reversed(terms[:-1]):
        result = t + Fraction(1) / result
    result = normalize(result)
    return -result if negative else result


@primitive("rationalize")
def rationalize(x: Any, y: Any) -> Number:
    """The simplest rational differing from x by no more than y."""
    check_number("rationalize", x, 1)
    check_number("rationalize", y, 2)
    inexact = type(x) is float or type(y) is float
    if inexact and not (math.isfinite(x) and math.isfinite(y)):
        if math.isnan(x) or math.isnan(y) or (math.isinf(x) and math.isinf(y)):
            return math.nan
        return float(x) if math.isinf(x) else 0.0
    fx, fy = Fraction(x), abs(Fraction(y))
    r = _simplest_between(fx - fy, fx + fy)
    return to_float(r) if inexact else r


# --- exactness ------------------------------------------------------------------------


def _exact(who: str, z: Any) -> Number:
    t = type(z)
    if t is float:
        if not math.isfinite(z):
            raise SchemeError(f"{who}: {format_number(z)} has no exact representation")
        return normalize(Fraction(z))
    return check_number(who, z)


@primitive("exact")
def exact(z: Any) -> Number:
    """The exact number nearest z (`(exact 1.5)` is 3/2)."""
    return _exact("exact", z)


@primitive("inexact->exact")
def inexact_to_exact(z: Any) -> Number:
    """R5RS name of exact."""
    return _exact("inexact->exact", z)


@primitive("inexact")
def inexact(z: Any) -> float:
    """The float nearest z."""
    return to_float(check_number("inexact", z))


@primitive("exact->inexact")
def exact_to_inexact(z: Any) -> float:
    """R5RS name of inexact."""
    return to_float(check_number("exact->inexact", z))


# --- number <-> string ----------------------------------------------------------------


def _radix(who: str, radix: Any) -> int:
    if type(radix) is not int or radix not in (2, 8, 10, 16):
        raise wrong_type(who, "a radix (2, 8, 10 or 16)", radix, 2)
    return radix


@primitive("number->string")
def number_to_string(z: Any, radix: Any = 10) -> MString:
    """The external representation of z in radix 2, 8, 10 or 16."""
    check_number("number->string", z, 1)
    r = _radix("number->string", radix)
    if type(z) is float and r != 10 and math.isfinite(z):
        if not z.is_integer():
            raise SchemeError(
                f"number->string: inexact {format_number(z)} can only be written in radix 10"
            )
        # A decimal point is radix-10 syntax only: `#i100` is what reads back as 4.0 in radix 2.
        sign = "-" if z == 0 and math.copysign(1.0, z) < 0 else ""
        return MString("#i" + sign + format_number(int(z), r))
    try:
        return MString(format_number(z, r))
    except ValueError:  # an exact number past Python's 4300-digit str() limit
        if type(z) is int:
            return MString(int_to_decimal(z))
        return MString(f"{int_to_decimal(z.numerator)}/{int_to_decimal(z.denominator)}")


@primitive("string->number")
def string_to_number(s: Any, radix: Any = 10) -> Number | Boolean:
    """The number s denotes (in the given default radix), or #f."""
    if type(s) is not MString:
        raise wrong_type("string->number", "a string", s, 1)
    value = parse_number(s.s, _radix("string->number", radix))
    return FALSE if value is None else value
