"""Characters (R7RS 6.6): comparisons, Unicode classes, case mapping and code points.

A `Char` holds one Python character. Case mappings that would need more than one
character (the upper case of ß is "SS") leave the character unchanged, as R7RS asks of
the single-character procedures; the string procedures apply the full mappings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from ..errors import WrongTypeError
from ..types import FALSE, Boolean, Char, boolean
from .registry import primitive, wrong_type

# str.isspace also accepts the four ASCII information separators, which are not Unicode
# White_Space.
_NOT_WHITESPACE = frozenset("\x1c\x1d\x1e\x1f")


def check_char(who: str, c: Any, position: int | None = None) -> str:
    """The Python character of c, which must be a Scheme character."""
    if type(c) is not Char:
        raise wrong_type(who, "a character", c, position)
    return c.ch


def fold_char(ch: str) -> str:
    """The simple case folding of one character (itself if folding would lengthen it)."""
    f = ch.casefold()
    if len(f) == 1:
        return f
    f = ch.lower()
    return f if len(f) == 1 else ch


def comparisons(
    prefix: str, check: Callable[[str, Any, int], str], fold: Callable[[str], str]
) -> None:
    """Register PREFIX=? <? >? <=? >=? and PREFIX-ci...: variadic, every argument checked
    with `check(who, value, position)`; the -ci versions compare `fold`ed values."""
    for suffix, ok in (
        ("=?", str.__eq__),
        ("<?", str.__lt__),
        (">?", str.__gt__),
        ("<=?", str.__le__),
        (">=?", str.__ge__),
    ):
        _compare(prefix + suffix, ok, check, None)
        _compare(prefix + "-ci" + suffix, ok, check, fold)


def _compare(
    name: str,
    ok: Callable[[str, str], bool],
    check: Callable[[str, Any, int], str],
    key: Callable[[str], str] | None,
) -> None:
    def compare(first: Any, *rest: Any) -> Boolean:
        prev = check(name, first, 1)
        if key is not None:
            prev = key(prev)
        result = True
        for i, x in enumerate(rest, 2):
            cur = check(name, x, i)
            if key is not None:
                cur = key(cur)
            if result and not ok(prev, cur):
                result = False
            prev = cur
        return boolean(result)

    compare.__doc__ = name
    primitive(name)(compare)


comparisons("char", check_char, fold_char)


@primitive("char?")
def is_char(x: Any) -> Boolean:
    """char?"""
    return boolean(type(x) is Char)


@primitive("char-alphabetic?")
def is_alphabetic(c: Any) -> Boolean:
    """char-alphabetic?"""
    return boolean(check_char("char-alphabetic?", c).isalpha())


@primitive("char-numeric?")
def is_numeric(c: Any) -> Boolean:
    """char-numeric? (Unicode decimal digits, category Nd)"""
    return boolean(check_char("char-numeric?", c).isdecimal())


@primitive("char-whitespace?")
def is_whitespace(c: Any) -> Boolean:
    """char-whitespace?"""
    ch = check_char("char-whitespace?", c)
    return boolean(ch.isspace() and ch not in _NOT_WHITESPACE)


@primitive("char-upper-case?")
def is_upper_case(c: Any) -> Boolean:
    """char-upper-case?"""
    return boolean(check_char("char-upper-case?", c).isupper())


@primitive("char-lower-case?")
def is_lower_case(c: Any) -> Boolean:
    """char-lower-case?"""
    return boolean(check_char("char-lower-case?", c).islower())


@primitive("digit-value")
def digit_value(c: Any) -> int | Boolean:
    """digit-value: the value of a decimal digit, #f for any other character."""
    ch = check_char("digit-value", c)
    return unicodedata.decimal(ch) if ch.isdecimal() else FALSE


@primitive("char->integer")
def char_to_integer(c: Any) -> int:
    """char->integer"""
    return ord(check_char("char->integer", c))


@primitive("integer->char")
def integer_to_char(n: Any) -> Char:
    """integer->char; n must be a Unicode scalar value."""
    if type(n) is not int:
        raise wrong_type("integer->char", "an exact integer", n)
    if not (0 <= n <= 0x10FFFF) or 0xD800 <= n <= 0xDFFF:
        raise WrongTypeError(f"integer->char: {n} is not a Unicode scalar value")
    return Char(chr(n))


def _single(mapped: str, ch: str) -> str:
    return mapped if len(mapped) == 1 else ch


@primitive("char-upcase")
def char_upcase(c: Any) -> Char:
    """char-upcase"""
    ch = check_char("char-upcase", c)
    return Char(_single(ch.upper(), ch))


@primitive("char-downcase")
def char_downcase(c: Any) -> Char:
    """char-downcase"""
    ch = check_char("char-downcase", c)
    return Char(_single(ch.lower(), ch))


@primitive("char-foldcase")
def char_foldcase(c: Any) -> Char:
    """char-foldcase"""
    return Char(fold_char(check_char("char-foldcase", c)))
