"""Vectors (R7RS 6.8) and bytevectors (6.9).

A `Vector` holds a Python list in `.items`, a `Bytevector` a bytearray in `.data`; the
mutators change those in place. Bytes are exact integers 0..255, checked on the way in.
Optional start/end arguments go through `check_range` (shared with strings).
"""

from __future__ import annotations

from typing import Any

from ..errors import SchemeError, WrongTypeError
from ..run.budget import allocate, charge
from ..types import (
    FALSE,
    UNSPECIFIED,
    Boolean,
    Bytevector,
    Char,
    MString,
    Vector,
    boolean,
    list_from,
)
from .lists import check_size, proper_items
from .registry import check_index, primitive, wrong_type
from .strings import chars_to_str, check_range, check_string


def check_vector(who: str, v: Any, position: int | None = None) -> list:
    """The items list of v, which must be a vector."""
    if type(v) is not Vector:
        raise wrong_type(who, "a vector", v, position)
    return v.items


def _fits(who: str, at: int, count: int, size: int) -> None:
    if at + count > size:
        raise WrongTypeError(
            f"{who}: {count} elements do not fit at index {at} of a destination of length {size}"
        )


# --- vectors ----------------------------------------------------------------------------


@primitive("vector?")
def is_vector(x: Any) -> Boolean:
    """vector?"""
    return boolean(type(x) is Vector)


@primitive("make-vector")
def make_vector(k: Any, fill: Any = FALSE) -> Vector:
    """make-vector; the fill defaults to #f."""
    return Vector([fill] * check_size("make-vector", k))


@primitive("vector")
def vector(*items: Any) -> Vector:
    """vector"""
    return Vector(list(items))


@primitive("vector-length")
def vector_length(v: Any) -> int:
    """vector-length"""
    return len(check_vector("vector-length", v))


@primitive("vector-ref")
def vector_ref(v: Any, k: Any) -> Any:
    """vector-ref"""
    if type(v) is Vector and type(k) is int and k >= 0:
        try:
            return v.items[k]
        except IndexError:
            pass
    items = check_vector("vector-ref", v, 1)
    return items[check_index("vector-ref", k, len(items))]


@primitive("vector-set!")
def vector_set(v: Any, k: Any, x: Any) -> Any:
    """vector-set!"""
    items = check_vector("vector-set!", v, 1)
    items[check_index("vector-set!", k, len(items))] = x
    return UNSPECIFIED


@primitive("vector->list")
def vector_to_list(v: Any, start: Any = 0, end: Any = None) -> Any:
    """vector->list"""
    items = check_vector("vector->list", v, 1)
    i, j = check_range("vector->list", start, end, len(items))
    allocate("vector->list", (j - i) * 64)
    return list_from(items[i:j])


@primitive("list->vector")
def list_to_vector(x: Any) -> Vector:
    """list->vector"""
    return Vector(proper_items("list->vector", x))


@primitive("vector->string")
def vector_to_string(v: Any, start: Any = 0, end: Any = None) -> MString:
    """vector->string (the elements must be characters)"""
    items = check_vector("vector->string", v, 1)
    i, j = check_range("vector->string", start, end, len(items))
    allocate("vector->string", (j - i) * 4)
    return MString(chars_to_str("vector->string", items[i:j]))


@primitive("string->vector")
def string_to_vector(s: Any, start: Any = 0, end: Any = None) -> Vector:
    """string->vector"""
    text = check_string("string->vector", s, 1)
    i, j = check_range("string->vector", start, end, len(text))
    allocate("string->vector", (j - i) * 64)
    return Vector([Char(ch) for ch in text[i:j]])


@primitive("vector-copy")
def vector_copy(v: Any, start: Any = 0, end: Any = None) -> Vector:
    """vector-copy (shallow)"""
    items = check_vector("vector-copy", v, 1)
    i, j = check_range("vector-copy", start, end, len(items))
    allocate("vector-copy", (j - i) * 8)
    return Vector(items[i:j])


@primitive("vector-copy!")
def vector_copy_into(to: Any, at: Any, source: Any, start: Any = 0, end: Any = None) -> Any:
    """vector-copy! (overlapping source and destination work)"""
    dest = check_vector("vector-copy!", to, 1)
    at = check_index("vector-copy!", at, len(dest), inclusive=True)
    items = check_vector("vector-copy!", source, 3)
    i, j = check_range("vector-copy!", start, end, len(items))
    _fits("vector-copy!", at, j - i, len(dest))
    charge((j - i) >> 3)
    dest[at : at + j - i] = items[i:j]
    return UNSPECIFIED


@primitive("vector-append")
def vector_append(*vectors: Any) -> Vector:
    """vector-append"""
    out: list = []
    for n, v in enumerate(vectors, 1):
        items = check_vector("vector-append", v, n)
        allocate("vector-append", (len(out) + len(items)) * 8, len(items) >> 3)
        out.extend(items)
    return Vector(out)


@primitive("vector-fill!")
def vector_fill(v: Any, fill: Any, start: Any = 0, end: Any = None) -> Any:
    """vector-fill!"""
    items = check_vector("vector-fill!", v, 1)
    i, j = check_range("vector-fill!", start, end, len(items))
    charge((j - i) >> 1)
    items[i:j] = [fill] * (j - i)
    return UNSPECIFIED


# --- bytevectors ------------------------------------------------------------------------


def check_bytevector(who: str, b: Any, position: int | None = None) -> bytearray:
    """The bytearray of b, which must be a bytevector."""
    if type(b) is not Bytevector:
        raise wrong_type(who, "a bytevector", b, position)
    return b.data


def check_byte(who: str, x: Any, position: int | None = None) -> int:
    """x, which must be an exact integer 0..255."""
    if type(x) is not int or not 0 <= x <= 255:
        raise wrong_type(who, "a byte (an exact integer 0..255)", x, position)
    return x


@primitive("bytevector?")
def is_bytevector(x: Any) -> Boolean:
    """bytevector?"""
    return boolean(type(x) is Bytevector)


@primitive("make-bytevector")
def make_bytevector(k: Any, fill: Any = 0) -> Bytevector:
    """make-bytevector; the fill defaults to 0."""
    n = check_size("make-bytevector", k, 1)
    return Bytevector(bytearray([check_byte("make-bytevector", fill, 2)]) * n)


@primitive("bytevector")
def bytevector(*items: Any) -> Bytevector:
    """bytevector"""
    return Bytevector(bytearray(check_byte("bytevector", b, i) for i, b in enumerate(items, 1)))


@primitive("bytevector-length")
def bytevector_length(b: Any) -> int:
    """bytevector-length"""
    return len(check_bytevector("bytevector-length", b))


@primitive("bytevector-u8-ref")
def bytevector_u8_ref(b: Any, k: Any) -> int:
    """bytevector-u8-ref"""
    data = check_bytevector("bytevector-u8-ref", b, 1)
    return data[check_index("bytevector-u8-ref", k, len(data))]


@primitive("bytevector-u8-set!")
def bytevector_u8_set(b: Any, k: Any, byte: Any) -> Any:
    """bytevector-u8-set!"""
    data = check_bytevector("bytevector-u8-set!", b, 1)
    i = check_index("bytevector-u8-set!", k, len(data))
    data[i] = check_byte("bytevector-u8-set!", byte, 3)
    return UNSPECIFIED


@primitive("bytevector-copy")
def bytevector_copy(b: Any, start: Any = 0, end: Any = None) -> Bytevector:
    """bytevector-copy"""
    data = check_bytevector("bytevector-copy", b, 1)
    i, j = check_range("bytevector-copy", start, end, len(data))
    return Bytevector(data[i:j])


@primitive("bytevector-copy!")
def bytevector_copy_into(to: Any, at: Any, source: Any, start: Any = 0, end: Any = None) -> Any:
    """bytevector-copy! (overlapping source and destination work)"""
    dest = check_bytevector("bytevector-copy!", to, 1)
    at = check_index("bytevector-copy!", at, len(dest), inclusive=True)
    data = check_bytevector("bytevector-copy!", source, 3)
    i, j = check_range("bytevector-copy!", start, end, len(data))
    _fits("bytevector-copy!", at, j - i, len(dest))
    dest[at : at + j - i] = data[i:j]
    return UNSPECIFIED


@primitive("bytevector-append")
def bytevector_append(*bytevectors: Any) -> Bytevector:
    """bytevector-append"""
    out = bytearray()
    for n, b in enumerate(bytevectors, 1):
        out += check_bytevector("bytevector-append", b, n)
    return Bytevector(out)


@primitive("utf8->string")
def utf8_to_string(b: Any, start: Any = 0, end: Any = None) -> MString:
    """utf8->string; malformed UTF-8 is an error."""
    data = check_bytevector("utf8->string", b, 1)
    i, j = check_range("utf8->string", start, end, len(data))
    try:
        return MString(data[i:j].decode("utf-8"))
    except UnicodeDecodeError as e:
        raise SchemeError(f"utf8->string: invalid UTF-8 at byte {i + e.start}") from None


@primitive("string->utf8")
def string_to_utf8(s: Any, start: Any = 0, end: Any = None) -> Bytevector:
    """string->utf8"""
    text = check_string("string->utf8", s, 1)
    i, j = check_range("string->utf8", start, end, len(text))
    try:
        return Bytevector(bytearray(text[i:j].encode("utf-8")))
    except UnicodeEncodeError as e:
        raise SchemeError(f"string->utf8: character {i + e.start} is a lone surrogate") from None
