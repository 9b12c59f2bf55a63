"""Number syntax (R7RS 7.1.1): text to an exact int/Fraction or an inexact float.

`parse_number` is strict: anything that is not a number in R7RS syntax gives None, so the
reader (whose lexer has already picked out a NUMBER-shaped token) can report a ReadError
through `read_number`, and `string->number` can answer #f. Complex numbers (1+2i, +i,
1@2) are inexact Python complex values: exact complex numbers are not supported.
Python's own `int()` and `float()` are only called on text this module has already
validated, because they accept things Scheme does not (`1_000`, `nan`, `inf`).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from ..errors import ReadError
from ..run.budget import charge

_FLAGS = re.IGNORECASE | re.ASCII
_PREFIX = re.compile(r"#([eidxbo])", _FLAGS)
_RADIX = {"x": 16, "b": 2, "o": 8, "d": 10}
_DIGITS = {2: "[01]", 8: "[0-7]", 10: "[0-9]", 16: "[0-9a-f]"}
_NANINF = re.compile(r"([+-])(inf|nan)\.0\Z", _FLAGS)
_DECIMAL = re.compile(
    r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:e([+-]?[0-9]+))?\Z",
    _FLAGS,
)
_RATIONAL = {r: re.compile(rf"([+-]?)({d}+)(?:/({d}+))?\Z", _FLAGS) for r, d in _DIGITS.items()}

# `#e1e999999999` would need a billion-digit integer: beyond this exponent an exact
# decimal is refused (an inexact one just becomes an infinity or zero).
MAX_EXACT_EXPONENT = 100_000

# Python refuses int(str) beyond 4300 decimal digits (CVE-2020-10735); longer decimal
# literals are converted in chunks below that limit.
_CHUNK = 4000

Number = int | Fraction | float


def _quadratic(digits: int) -> int:
    """The work of converting between `digits` decimal digits and an int chunk by chunk."""
    return (digits // _CHUNK + 1) * (digits >> 2)


def _uint(digits: str, radix: int) -> int:
    """A validated digit string as a non-negative int, however long."""
    if radix != 10 or len(digits) <= _CHUNK:
        charge(len(digits) >> 4)
        return int(digits, radix)
    charge(_quadratic(len(digits)))  # before the work: 10^7 digits stop at once
    n = 0
    for i in range(0, len(digits), _CHUNK):
        chunk = digits[i : i + _CHUNK]
        n = n * 10 ** len(chunk) + int(chunk)
    return n


def _inexact(x: int | Fraction) -> float:
    """x as a float; an exact number too large for a float becomes an infinity."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _split_prefixes(text: str, radix: int) -> tuple[str, int, str | None] | None:
    """(body, radix, exactness 'e'/'i'/None) or None for repeated or clashing prefixes."""
    exactness: str | None = None
    seen_radix = False
    pos = 0
    while True:
        m = _PREFIX.match(text, pos)
        if m is None:
            break
        c = m.group(1).lower()
        if c in "ei":
            if exactness is not None:
                return None
            exactness = c
        else:
            if seen_radix:
                return None
            seen_radix = True
            radix = _RADIX[c]
        pos = m.end()
    return text[pos:], radix, exactness


def _parse_decimal(body: str, exact: bool) -> Number | None:
    """A radix-10 decimal like `1.5`, `.5`, `1.`, `1e10` or `-2.5e-3`."""
    m = _DECIMAL.match(body)
    if m is None:
        return None
    sign, whole, frac, exp = m.groups()
    frac = frac or ""
    if not whole and not frac:
        return None  # `.`, `e5`, `+.e1`
    if not exact:
        return float(body)  # validated text: Python's float() rounds correctly
    e = int(exp) if exp else 0
    if abs(e) > MAX_EXACT_EXPONENT:
        return None
    mantissa = _uint(whole + frac, 10) if whole + frac else 0
    e -= len(frac)
    value: int | Fraction = mantissa * 10**e if e >= 0 else Fraction(mantissa, 10**-e)
    if sign == "-":
        value = -value
    return value.numerator if type(value) is Fraction and value.denominator == 1 else value


def parse_number(text: str, radix: int = 10) -> Number | complex | None:
    """The number `text` denotes in R7RS syntax (default radix 2, 8, 10 or 16), else None."""
    split = _split_prefixes(text, radix)
    if split is None:
        return None
    body, radix, exactness = split
    if not body:
        return None
    value = _real(body, radix, exactness)
    if value is None and ("@" in body or body[-1] in "iI"):
        return _complex(body, radix, exactness)
    return value


def _complex(body: str, radix: int, exactness: str | None) -> Number | complex | None:
    """A rectangular (1+2i, -i, +inf.0i) or polar (1@2) number; complex numbers are
    inexact here (no exact complex), so #e with one is not a number."""
    if exactness == "e":
        return None
    if "@" in body:
        mag_text, _, ang_text = body.partition("@")
        mag = _real(mag_text, radix, exactness) if mag_text else None
        ang = _real(ang_text, radix, exactness) if ang_text else None
        if mag is None or ang is None:
            return None
        if ang == 0 and type(ang) is not float:
            return mag
        return _complex_value(mag * math.cos(ang), mag * math.sin(ang))
    rect = body[:-1]
    cut = next(
        (
            i
            for i in range(len(rect) - 1, -1, -1)
            if rect[i] in "+-" and rect[i - 1 : i] not in "eE" or (rect[i] in "+-" and i == 0)
        ),
        None,
    )
    if cut is None:
        return None
    re_text, im_text = rect[:cut], rect[cut:]
    re_part = _real(re_text, radix, exactness) if re_text else 0
    im_part = (-1 if im_text == "-" else 1) if im_text in "+-" else _real(im_text, radix, exactness)
    if re_part is None or im_part is None:
        return None
    return _complex_value(re_part, im_part)


def _complex_value(re_part: Number, im_part: Number) -> Number | complex:
    if im_part == 0 and type(im_part) is not float:
        return re_part
    return complex(float(re_part), float(im_part))


def _real(body: str, radix: int, exactness: str | None) -> Number | None:
    m = _NANINF.match(body)
    if m is not None:
        if exactness == "e":
            return None  # no exact infinity or NaN
        if m.group(2).lower() == "nan":
            return math.nan
        return math.inf if m.group(1) == "+" else -math.inf
    m = _RATIONAL[radix].match(body)
    if m is not None:
        sign, num, den = m.groups()
        n = _uint(num, radix)
        if sign == "-":
            n = -n
        if den is None:
            if exactness == "i":
                return -0.0 if n == 0 and sign == "-" else _inexact(n)
            return n
        d = _uint(den, radix)
        if d == 0:
            return None  # `1/0` is not a number
        q = Fraction(n, d)
        if exactness == "i":
            return _inexact(q)
        return q.numerator if q.denominator == 1 else q
    if radix == 10:
        return _parse_decimal(body, exactness == "e")
    return None


def int_to_decimal(n: int) -> str:
    """The decimal digits of n, however long (Python's str() stops at 4300 digits)."""
    try:
        return str(n)
    except ValueError:
        pass
    sign, n = ("-" if n < 0 else ""), abs(n)
    charge(2 * _quadratic(n.bit_length() * 30103 // 100000))
    base = 10**_CHUNK
    chunks = []
    while n:
        n, r = divmod(n, base)
        chunks.append(r)
    rest = "".join(f"{c:0{_CHUNK}d}" for c in reversed(chunks[:-1]))
    return sign + str(chunks[-1]) + rest


def read_number(text: str) -> Number:
    """The value of a NUMBER token; ReadError when the token is not a valid number."""
    value = parse_number(text)
    if value is None:
        raise ReadError(f"bad number syntax: {text}")
    return value


__all__ = ["parse_number", "read_number", "int_to_decimal", "MAX_EXACT_EXPONENT"]
