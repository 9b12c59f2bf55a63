"""Inexact complex numbers (R7RS 6.2): Python `complex`, with `cmath` for the elementary
functions. There are no exact complex numbers: `1+2i` reads as inexact, and `(sqrt -4)`
is `+2.0i`. A complex result whose imaginary part is zero becomes a real (R7RS allows it).

The real-only procedures keep their definitions (numbers.py, numbers_math.py,
numbers_elementary.py); this module wraps the ones R7RS extends to complex numbers, so
they take the complex path when an argument is complex or the real one has no real result.
"""

from __future__ import annotations

import cmath
from typing import Any

from ..errors import SchemeError
from ..types import FALSE, TRUE, Primitive
from .numbers import NUMBER_TYPES, check_number
from .registry import PRIMITIVES, wrong_type


def to_number(z: complex) -> Any:
    """z, or its real part when its imaginary part is zero."""
    return z.real if z.imag == 0 else z


def check_complex(who: str, x: Any, position: int | None = None) -> complex:
    """x as a Python complex; a WrongTypeError for anything that is not a number."""
    if type(x) is complex:
        return x
    if type(x) not in NUMBER_TYPES:
        raise wrong_type(who, "a number", x, position)
    return complex(float(x), 0.0)


def complex_fold(who: str, args: tuple) -> Any:
    """+ - * / = over arguments of which at least one is complex."""
    zs = [check_complex(who, x, i + 1) for i, x in enumerate(args)]
    if who == "=":
        return TRUE if all(z == zs[0] for z in zs[1:]) else FALSE
    if who == "-" and len(zs) == 1:
        return to_number(-zs[0])
    if who == "/" and len(zs) == 1:
        zs = [complex(1.0, 0.0), zs[0]]
    acc = zs[0]
    try:
        for z in zs[1:]:
            if who == "+":
                acc += z
            elif who == "-":
                acc -= z
            elif who == "*":
                acc *= z
            else:
                acc /= z
    except ZeroDivisionError:
        raise SchemeError(f"{who}: division by zero") from None
    except OverflowError:
        raise SchemeError(f"{who}: result too large") from None
    return to_number(acc)


def _atan(*args: Any) -> Any:
    if len(args) == 2:
        raise wrong_type("atan", "real numbers with two arguments", args[0], 1)
    return to_number(cmath.atan(args[0]))


def _log(z: Any, base: Any = None) -> Any:
    if z == 0:
        raise SchemeError("log: no logarithm of zero")
    value = cmath.log(check_complex("log", z, 1))
    if base is not None:
        value /= cmath.log(check_complex("log", base, 2))
    return to_number(value)


def _expt(z1: Any, z2: Any) -> Any:
    a, b = check_complex("expt", z1, 1), check_complex("expt", z2, 2)
    if a == 0:
        if b.real > 0:
            return 0.0
        raise SchemeError("expt: division by zero")
    try:
        if type(z2) is int:
            return to_number(a**z2)  # repeated multiplication: (expt +i 2) is -1.0
        return to_number(a**b)
    except OverflowError:
        raise SchemeError("expt: result too large") from None


def _sqrt(z: Any) -> Any:
    return to_number(cmath.sqrt(check_complex("sqrt", z)))


def _make_rectangular(x: Any, y: Any) -> Any:
    check_number("make-rectangular", x, 1)
    check_number("make-rectangular", y, 2)
    if y == 0 and type(y) is not float:
        return x
    return to_number(complex(float(x), float(y)))


def _make_polar(r: Any, theta: Any) -> Any:
    check_number("make-polar", r, 1)
    check_number("make-polar", theta, 2)
    if theta == 0 and type(theta) is not float:
        return r
    return to_number(cmath.rect(float(r), float(theta)))


def _unary(name: str, fn: Any) -> Any:
    return lambda z: to_number(fn(check_complex(name, z)))


# name -> the complex version; used when an argument is complex, or when the real
# version finds no real result (sqrt of a negative, log of a negative, asin 2, ...)
_COMPLEX = {
    "exp": _unary("exp", cmath.exp),
    "log": _log,
    "sin": _unary("sin", cmath.sin),
    "cos": _unary("cos", cmath.cos),
    "tan": _unary("tan", cmath.tan),
    "asin": _unary("asin", cmath.asin),
    "acos": _unary("acos", cmath.acos),
    "atan": _atan,
    "sqrt": _sqrt,
    "expt": _expt,
    "magnitude": lambda z: abs(check_complex("magnitude", z)),
    "angle": lambda z: cmath.phase(check_complex("angle", z)),
    "real-part": lambda z: check_complex("real-part", z).real,
    "imag-part": lambda z: check_complex("imag-part", z).imag,
    "exact?": lambda z: FALSE,
    "inexact?": lambda z: TRUE,
    "zero?": lambda z: TRUE if z == 0 else FALSE,
    "nan?": lambda z: TRUE if cmath.isnan(z) else FALSE,
    "finite?": lambda z: TRUE if cmath.isfinite(z) else FALSE,
    "infinite?": lambda z: TRUE if cmath.isinf(z) else FALSE,
    "number->string": lambda z, radix=10: _number_to_string(z, radix),
    "exact": lambda z: _no_exact("exact", z),
    "inexact": lambda z: z,
    "exact->inexact": lambda z: z,
    "inexact->exact": lambda z: _no_exact("inexact->exact", z),
    "square": lambda z: to_number(z * z),
}
_ALWAYS_COMPLEX = {"make-rectangular": _make_rectangular, "make-polar": _make_polar}


def _no_exact(who: str, z: Any) -> Any:
    raise SchemeError(f"{who}: no exact complex numbers here ({z!r} is inexact only)")


def _number_to_string(z: Any, radix: Any) -> Any:
    from ..printer import format_number
    from ..types import MString

    if radix != 10:
        raise SchemeError("number->string: complex numbers are written only in radix 10")
    return MString(format_number(z))


def _extend(name: str, complex_fn: Any) -> None:
    real = PRIMITIVES[name]
    real_fn = real.fn

    def fn(*args: Any) -> Any:
        for a in args:
            if type(a) is complex:
                return complex_fn(*args)
        try:
            return real_fn(*args)
        except SchemeError as e:
            if "no real result" not in e.message:
                raise
            return complex_fn(*args)

    PRIMITIVES[name] = Primitive(name, fn, real.min_args, real.max_args, real.expects)


def install() -> None:
    """Wrap the real procedures R7RS extends to complex numbers (once)."""
    if getattr(install, "done", False):
        return
    install.done = True  # type: ignore[attr-defined]
    for name, fn in _COMPLEX.items():
        _extend(name, fn)
    for name, fn in _ALWAYS_COMPLEX.items():
        real = PRIMITIVES[name]
        PRIMITIVES[name] = Primitive(name, fn, real.min_args, real.max_args, real.expects)


__all__ = ["check_complex", "complex_fold", "install", "to_number"]
