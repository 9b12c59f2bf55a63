"""Strings (R7RS 6.7) and symbols (6.5).

A Scheme string is an `MString` whose `.s` is a Python str; mutation changes the MString
in place (string-set! and string-fill! in O(1) per character, see types.MString), so every
reference to it sees the change.
Every procedure that makes a string returns a new MString. `check_range` is the one
start/end check shared by the string, vector, bytevector and port procedures.
"""

from __future__ import annotations

from typing import Any

from ..errors import WrongTypeError
from ..run.budget import allocate, charge
from ..types import UNSPECIFIED, Boolean, Char, MString, Symbol, boolean, list_from
from .chars import check_char, comparisons
from .lists import check_size, proper_items
from .registry import check_index, primitive, wrong_type


def check_range(who: str, start: Any, end: Any, size: int) -> tuple[int, int]:
    """Optional start/end arguments as a valid slice 0 <= start <= end <= size."""
    if type(start) is not int:
        raise wrong_type(who, "an exact integer start index", start)
    if not 0 <= start <= size:
        raise WrongTypeError(f"{who}: start index {start} out of range 0..{size}")
    if end is None:
        return start, size
    if type(end) is not int:
        raise wrong_type(who, "an exact integer end index", end)
    if not start <= end <= size:
        raise WrongTypeError(f"{who}: end index {end} out of range {start}..{size}")
    return start, end


def check_string(who: str, s: Any, position: int | None = None) -> str:
    """The Python str held by s, which must be a Scheme string."""
    if type(s) is not MString:
        raise wrong_type(who, "a string", s, position)
    return s.s


def chars_to_str(who: str, items: Any, position: int | None = None) -> str:
    """A Python str from an iterable of Scheme characters (anything else is an error)."""
    out = []
    for x in items:
        if type(x) is not Char:
            raise wrong_type(who, "a character", x, position)
        out.append(x.ch)
    return "".join(out)


SPACE = Char(" ")


# --- symbols ----------------------------------------------------------------------------


@primitive("symbol?")
def is_symbol(x: Any) -> Boolean:
    """symbol?"""
    return boolean(type(x) is Symbol)


@primitive("symbol=?")
def symbol_eq(a: Any, *rest: Any) -> Boolean:
    """symbol=?"""
    for i, x in enumerate((a, *rest), 1):
        if type(x) is not Symbol:
            raise wrong_type("symbol=?", "a symbol", x, i)
    return boolean(all(x is a for x in rest))


@primitive("symbol->string")
def symbol_to_string(x: Any) -> MString:
    """symbol->string (a new string)"""
    if type(x) is not Symbol:
        raise wrong_type("symbol->string", "a symbol", x)
    return MString(x.name)


@primitive("string->symbol")
def string_to_symbol(s: Any) -> Symbol:
    """string->symbol"""
    return Symbol(check_string("string->symbol", s))


# --- construction and access ------------------------------------------------------------


@primitive("string?")
def is_string(x: Any) -> Boolean:
    """string?"""
    return boolean(type(x) is MString)


@primitive("make-string")
def make_string(k: Any, fill: Any = SPACE) -> MString:
    """make-string; the fill defaults to a space."""
    n = check_size("make-string", k, 1)
    return MString(check_char("make-string", fill, 2) * n)


@primitive("string")
def string(*chars: Any) -> MString:
    """string"""
    return MString(chars_to_str("string", chars))


@primitive("string-length")
def string_length(s: Any) -> int:
    """string-length"""
    if type(s) is not MString:
        raise wrong_type("string-length", "a string", s)
    return s.length()


@primitive("string-ref")
def string_ref(s: Any, k: Any) -> Char:
    """string-ref"""
    if type(s) is not MString:
        raise wrong_type("string-ref", "a string", s, 1)
    return Char(s.char_at(check_index("string-ref", k, s.length())))


@primitive("string-set!")
def string_set(s: Any, k: Any, c: Any) -> Any:
    """string-set! (changes s in place)"""
    if type(s) is not MString:
        raise wrong_type("string-set!", "a string", s, 1)
    i = check_index("string-set!", k, s.length())
    s.fill(i, i + 1, check_char("string-set!", c, 3))
    return UNSPECIFIED


# --- comparison -------------------------------------------------------------------------


comparisons("string", check_string, str.casefold)


# --- case -------------------------------------------------------------------------------


@primitive("string-upcase")
def string_upcase(s: Any) -> MString:
    """string-upcase (full Unicode mapping: ß becomes SS)"""
    charge(len(check_string("string-upcase", s)) >> 3)
    return MString(check_string("string-upcase", s).upper())


@primitive("string-downcase")
def string_downcase(s: Any) -> MString:
    """string-downcase (a final sigma becomes ς)"""
    charge(len(check_string("string-downcase", s)) >> 3)
    return MString(check_string("string-downcase", s).lower())


@primitive("string-foldcase")
def string_foldcase(s: Any) -> MString:
    """string-foldcase"""
    charge(len(check_string("string-foldcase", s)) >> 3)
    return MString(check_string("string-foldcase", s).casefold())


# --- pieces and copies ------------------------------------------------------------------


@primitive("substring")
def substring(s: Any, start: Any, end: Any) -> MString:
    """substring"""
    text = check_string("substring", s, 1)
    i, j = check_range("substring", start, end, len(text))
    allocate("substring", j - i)
    return MString(text[i:j])


@primitive("string-append")
def string_append(*strings: Any) -> MString:
    """string-append"""
    parts = [check_string("string-append", s, i) for i, s in enumerate(strings, 1)]
    allocate("string-append", sum(map(len, parts)))
    return MString("".join(parts))


@primitive("string->list")
def string_to_list(s: Any, start: Any = 0, end: Any = None) -> Any:
    """string->list"""
    text = check_string("string->list", s, 1)
    i, j = check_range("string->list", start, end, len(text))
    allocate("string->list", (j - i) * 64)
    return list_from([Char(ch) for ch in text[i:j]])


@primitive("list->string")
def list_to_string(x: Any) -> MString:
    """list->string"""
    return MString(chars_to_str("list->string", proper_items("list->string", x)))


@primitive("string-copy")
def string_copy(s: Any, start: Any = 0, end: Any = None) -> MString:
    """string-copy"""
    text = check_string("string-copy", s, 1)
    i, j = check_range("string-copy", start, end, len(text))
    allocate("string-copy", j - i)
    return MString(text[i:j])


@primitive("string-copy!")
def string_copy_into(to: Any, at: Any, source: Any, start: Any = 0, end: Any = None) -> Any:
    """string-copy! (overlapping source and destination work)"""
    dest = check_string("string-copy!", to, 1)
    at = check_index("string-copy!", at, len(dest), inclusive=True)
    text = check_string("string-copy!", source, 3)
    i, j = check_range("string-copy!", start, end, len(text))
    if at + (j - i) > len(dest):
        raise WrongTypeError(
            f"string-copy!: {j - i} characters do not fit at index {at} "
            f"of a string of length {len(dest)}"
        )
    charge(len(dest) >> 3)
    to.s = dest[:at] + text[i:j] + dest[at + j - i :]
    return UNSPECIFIED


@primitive("string-fill!")
def string_fill(s: Any, fill: Any, start: Any = 0, end: Any = None) -> Any:
    """string-fill!"""
    if type(s) is not MString:
        raise wrong_type("string-fill!", "a string", s, 1)
    ch = check_char("string-fill!", fill, 2)
    i, j = check_range("string-fill!", start, end, s.length())
    charge((j - i) >> 3)
    s.fill(i, j, ch)
    return UNSPECIFIED
