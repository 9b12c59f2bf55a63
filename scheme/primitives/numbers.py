"""Numeric predicates, arithmetic and comparison (R7RS 6.2.6, first half).

Exact numbers are Python `int` and normalised `Fraction`; inexact ones are `float`, and
inexact complex numbers Python `complex` (numbers_complex.py; no exact complex numbers).
`+ - * < > <= >= =` are the interpreter's hot path: each starts with a two-exact-integer
case that does no other work, then a two-number case; every other case checks the type of
every argument, so a Python `bool` or a non-number never reaches Python arithmetic. The
rest of 6.2.6 is in numbers_math.py and numbers_elementary.py.
"""

from __future__ import annotations

import math
import operator
from fractions import Fraction
from typing import Any

from ..errors import SchemeError
from ..run.budget import charge_product, charge_product_bits
from ..types import FALSE, TRUE, Boolean, is_number, normalize
from .registry import primitive, wrong_type

Number = int | Fraction | float
NUMBER_TYPES = frozenset((int, Fraction, float))
_EXPECTS = (is_number, "a number")
_W = 1 << 4096  # products of ints at least this big are charged to the work budget


# --- helpers shared with numbers_math.py -------------------------------------------------


def check_number(who: str, x: Any, position: int | None = None) -> Number:
    """x itself when it is a number, else a WrongTypeError naming `who`."""
    if type(x) not in NUMBER_TYPES:
        raise wrong_type(who, "a number", x, position)
    return x


def check_numbers(who: str, args: tuple) -> None:
    """Every element of args is a number (the error names the first that is not)."""
    for i, x in enumerate(args):
        if type(x) not in NUMBER_TYPES:
            raise wrong_type(who, "a number", x, i + 1 if len(args) > 1 else None)


def is_integer_value(x: Any) -> bool:
    """An exact integer or an integer-valued (finite) float."""
    t = type(x)
    return t is int or (t is float and x.is_integer())


def to_float(x: Number) -> float:
    """x as a float; an exact number too large for a float becomes an infinity."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _inexact_retry(op: Any, args: tuple) -> Number:
    """Redo a fold whose exact-to-float conversion overflowed, with saturated floats."""
    return op(*(to_float(x) for x in args))


def _has_complex(args: tuple) -> bool:
    for x in args:
        if type(x) is complex:
            return True
    return False


def _complex_fold(who: str, args: tuple) -> Any:
    from .numbers_complex import complex_fold

    return complex_fold(who, args)


# --- predicates -----------------------------------------------------------------------


@primitive("number?")
def number_p(x: Any) -> Boolean:
    """Is x a number?"""
    return TRUE if type(x) in NUMBER_TYPES or type(x) is complex else FALSE


@primitive("complex?")
def complex_p(x: Any) -> Boolean:
    """Is x a complex number? (Every number is.)"""
    return TRUE if type(x) in NUMBER_TYPES or type(x) is complex else FALSE


@primitive("real?")
def real_p(x: Any) -> Boolean:
    """Is x a real number?"""
    return TRUE if type(x) in NUMBER_TYPES else FALSE


@primitive("rational?")
def rational_p(x: Any) -> Boolean:
    """Is x a rational number (exact, or a finite float)?"""
    t = type(x)
    return TRUE if t is int or t is Fraction or (t is float and math.isfinite(x)) else FALSE


@primitive("integer?")
def integer_p(x: Any) -> Boolean:
    """Is x an integer (exact, or an integer-valued float)?"""
    return TRUE if is_integer_value(x) else FALSE


@primitive("exact-integer?")
def exact_integer_p(x: Any) -> Boolean:
    """Is x an exact integer?"""
    return TRUE if type(x) is int else FALSE


@primitive("exact?")
def exact_p(z: Any) -> Boolean:
    """Is the number z exact?"""
    return TRUE if type(check_number("exact?", z)) is not float else FALSE


@primitive("inexact?")
def inexact_p(z: Any) -> Boolean:
    """Is the number z inexact?"""
    return TRUE if type(check_number("inexact?", z)) is float else FALSE


@primitive("finite?")
def finite_p(z: Any) -> Boolean:
    """Is the number z neither infinite nor a NaN?"""
    check_number("finite?", z)
    return TRUE if type(z) is not float or math.isfinite(z) else FALSE


@primitive("infinite?")
def infinite_p(z: Any) -> Boolean:
    """Is the number z +inf.0 or -inf.0?"""
    check_number("infinite?", z)
    return TRUE if type(z) is float and math.isinf(z) else FALSE


@primitive("nan?")
def nan_p(z: Any) -> Boolean:
    """Is the number z a NaN?"""
    check_number("nan?", z)
    return TRUE if type(z) is float and math.isnan(z) else FALSE


@primitive("zero?")
def zero_p(z: Any) -> Boolean:
    """Is the number z zero?"""
    return TRUE if check_number("zero?", z) == 0 else FALSE


@primitive("positive?")
def positive_p(x: Any) -> Boolean:
    """Is the real x greater than zero?"""
    return TRUE if check_number("positive?", x) > 0 else FALSE


@primitive("negative?")
def negative_p(x: Any) -> Boolean:
    """Is the real x less than zero?"""
    return TRUE if check_number("negative?", x) < 0 else FALSE


def check_integer(who: str, n: Any) -> int:
    """n as a Python int when it is an integer (exact or integer-valued float)."""
    t = type(n)
    if t is int:
        return n
    if t is float and n.is_integer():
        return int(n)
    raise wrong_type(who, "an integer", n)


@primitive("odd?")
def odd_p(n: Any) -> Boolean:
    """Is the integer n odd?"""
    return TRUE if check_integer("odd?", n) & 1 else FALSE


@primitive("even?")
def even_p(n: Any) -> Boolean:
    """Is the integer n even?"""
    return FALSE if check_integer("even?", n) & 1 else TRUE


# --- comparison -----------------------------------------------------------------------
# Python compares int, Fraction and float exactly (no rounding), and NaN compares false.


def _compare(who: str, args: tuple, op: Any) -> Boolean:
    check_numbers(who, args)
    for i in range(len(args) - 1):
        if not op(args[i], args[i + 1]):
            return FALSE
    return TRUE


@primitive("=", expects=_EXPECTS)
def num_eq(a: Any, *rest: Any) -> Boolean:
    """Are all the numbers equal?"""
    if len(rest) == 1:
        b = rest[0]
        if type(a) is int and type(b) is int:
            return TRUE if a == b else FALSE
        if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
            return TRUE if a == b else FALSE
    if _has_complex((a, *rest)):
        return _complex_fold("=", (a, *rest))
    return _compare("=", (a, *rest), operator.eq)


@primitive("<", expects=_EXPECTS)
def num_lt(a: Any, *rest: Any) -> Boolean:
    """Are the numbers strictly increasing?"""
    if len(rest) == 1:
        b = rest[0]
        if type(a) is int and type(b) is int:
            return TRUE if a < b else FALSE
        if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
            return TRUE if a < b else FALSE
    return _compare("<", (a, *rest), operator.lt)


@primitive(">", expects=_EXPECTS)
def num_gt(a: Any, *rest: Any) -> Boolean:
    """Are the numbers strictly decreasing?"""
    if len(rest) == 1:
        b = rest[0]
        if type(a) is int and type(b) is int:
            return TRUE if a > b else FALSE
        if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
            return TRUE if a > b else FALSE
    return _compare(">", (a, *rest), operator.gt)


@primitive("<=", expects=_EXPECTS)
def num_le(a: Any, *rest: Any) -> Boolean:
    """Are the numbers non-decreasing?"""
    if len(rest) == 1:
        b = rest[0]
        if type(a) is int and type(b) is int:
            return TRUE if a <= b else FALSE
        if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
            return TRUE if a <= b else FALSE
    return _compare("<=", (a, *rest), operator.le)


@primitive(">=", expects=_EXPECTS)
def num_ge(a: Any, *rest: Any) -> Boolean:
    """Are the numbers non-increasing?"""
    if len(rest) == 1:
        b = rest[0]
        if type(a) is int and type(b) is int:
            return TRUE if a >= b else FALSE
        if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
            return TRUE if a >= b else FALSE
    return _compare(">=", (a, *rest), operator.ge)


def _extreme(who: str, args: tuple, pick: Any) -> Number:
    check_numbers(who, args)
    inexact = False
    for x in args:
        if type(x) is float:
            if math.isnan(x):
                return x
            inexact = True
    best = pick(args)
    return to_float(best) if inexact else best


@primitive("max", expects=_EXPECTS)
def num_max(x: Any, *rest: Any) -> Number:
    """The largest argument (inexact if any argument is)."""
    return _extreme("max", (x, *rest), max)


@primitive("min", expects=_EXPECTS)
def num_min(x: Any, *rest: Any) -> Number:
    """The smallest argument (inexact if any argument is)."""
    return _extreme("min", (x, *rest), min)


# --- arithmetic -----------------------------------------------------------------------


def _sum(*args: Number) -> Number:
    total: Number = 0
    for x in args:
        total += x
    return total


def _product(*args: Number) -> Number:
    total: Number = 1
    for x in args:
        total *= x
    return total


def _difference(*args: Number) -> Number:
    total = args[0]
    for x in args[1:]:
        total -= x
    return total


@primitive("+", expects=_EXPECTS)
def add(*args: Any) -> Number:
    """The sum of the arguments; (+) is 0."""
    if len(args) == 2:
        a, b = args
        if type(a) is int and type(b) is int:
            return a + b
        if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
            try:
                return normalize(a + b)
            except OverflowError:
                return to_float(a) + to_float(b)
    if _has_complex(args):
        return _complex_fold("+", args)
    check_numbers("+", args)
    try:
        return normalize(_sum(*args))
    except OverflowError:
        return _inexact_retry(_sum, args)


@primitive("*", expects=_EXPECTS)
def mul(*args: Any) -> Number:
    """The product of the arguments; (*) is 1."""
    if len(args) == 2:
        a, b = args
        if type(a) is int and type(b) is int:
            if -_W < a < _W or -_W < b < _W:
                return a * b
            charge_product("*", a, b)
            return a * b
        if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
            try:
                return normalize(a * b)
            except OverflowError:
                return to_float(a) * to_float(b)
    if _has_complex(args):
        return _complex_fold("*", args)
    check_numbers("*", args)
    bits = 1
    for x in args:  # the product's size as the multiplication grows it
        if type(x) is int and not -_W < x < _W:
            charge_product_bits("*", bits, x.bit_length())
            bits += x.bit_length()
    try:
        return normalize(_product(*args))
    except OverflowError:
        return _inexact_retry(_product, args)


@primitive("-", expects=_EXPECTS)
def sub(a: Any, *rest: Any) -> Number:
    """a minus the rest, or the negation of a alone."""
    if len(rest) == 1:
        b = rest[0]
        if type(a) is int and type(b) is int:
            return a - b
        if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
            try:
                return normalize(a - b)
            except OverflowError:
                return to_float(a) - to_float(b)
    args = (a, *rest)
    if _has_complex(args):
        return _complex_fold("-", args)
    if not rest:
        return -check_number("-", a)
    check_numbers("-", args)
    try:
        return normalize(_difference(*args))
    except OverflowError:
        return _inexact_retry(_difference, args)


def divide(who: str, a: Number, b: Number) -> Number:
    """a / b for numbers: exact when both are exact, IEEE rules for a float zero divisor."""
    tb = type(b)
    if tb is not float:
        if b == 0:
            raise SchemeError(f"{who}: division by zero")
        ta = type(a)
        if ta is int and tb is int:
            return a // b if a % b == 0 else Fraction(a, b)
        if ta is not float:
            return normalize(Fraction(a) / b)
    elif b == 0.0:
        if a == 0 or a != a:
            return math.nan
        negative = (a < 0) != (math.copysign(1.0, b) < 0)
        return -math.inf if negative else math.inf
    try:
        return a / b
    except OverflowError:
        return to_float(a) / to_float(b)


@primitive("/", expects=_EXPECTS)
def div(a: Any, *rest: Any) -> Number:
    """a divided by each of the rest, or the reciprocal of a alone."""
    if _has_complex((a, *rest)):
        return _complex_fold("/", (a, *rest))
    if not rest:
        return divide("/", 1, check_number("/", a))
    check_numbers("/", (a, *rest))
    for b in rest:
        a = divide("/", a, b)
    return a


@primitive("abs")
def num_abs(x: Any) -> Number:
    """The absolute value of x."""
    return abs(check_number("abs", x))


__all__ = [
    "NUMBER_TYPES",
    "check_number",
    "check_numbers",
    "is_integer_value",
    "check_integer",
    "to_float",
    "divide",
]

# The rest of 6.2.6 registers itself on import; loading this module loads all of it.
from . import numbers_complex, numbers_elementary, numbers_math  # noqa: E402, F401

numbers_complex.install()  # complex arguments for exp, log, sqrt, expt, ... (after them)
