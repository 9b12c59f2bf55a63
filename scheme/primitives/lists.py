"""Pairs and lists (R7RS 6.4) and the c[ad]r compositions of (scheme cxr).

Every walk over a list is a loop, and walks that must reach the end of a list (length,
append, reverse, list-copy, the mem/ass searches) run Floyd's tortoise and hare so a
circular list is reported instead of hanging the interpreter. `member` and `assoc` here
take two arguments and compare with equal?; the versions with a predicate argument call
back into Scheme and are defined in the prelude.
"""

from __future__ import annotations

from itertools import product
from typing import Any

from ..equality import is_eq, is_equal, is_eqv
from ..errors import SchemeError, WrongTypeError
from ..printer import write_string
from ..run import budget
from ..types import FALSE, NIL, UNSPECIFIED, Boolean, Char, Pair, boolean, is_list, list_from
from .registry import primitive, wrong_type

charge = budget.charge

# Allocation requests above this are refused with an error instead of exhausting memory.
MAX_ALLOC = 1 << 25


def check_size(who: str, k: Any, each: int = 8) -> int:
    """k as a non-negative exact integer length that is reasonable to allocate (elements
    of about `each` bytes), charged to the evaluation's work and memory budget."""
    if type(k) is not int or k < 0:
        raise wrong_type(who, "a non-negative exact integer", k)
    if k > MAX_ALLOC:
        raise SchemeError(f"{who}: size {k} is too large (limit {MAX_ALLOC})")
    budget.allocate(who, k * each)
    return k


def _circular(who: str, position: int | None = None) -> WrongTypeError:
    where = f" (argument {position})" if position is not None else ""
    return WrongTypeError(f"{who}: expected a proper list{where}, got a circular list")


def proper_items(who: str, x: Any, position: int | None = None) -> list:
    """The elements of the proper list x as a Python list; improper or circular is an error."""
    out: list = []
    append = out.append
    start = slow = x
    while type(x) is Pair:
        append(x.car)
        x = x.cdr
        if type(x) is not Pair:
            break
        append(x.car)
        x = x.cdr
        slow = slow.cdr
        if x is slow:
            raise _circular(who, position)
    if x is not NIL:
        raise wrong_type(who, "a proper list", start, position)
    charge(len(out))
    return out


# --- pairs ------------------------------------------------------------------------------


@primitive("pair?")
def is_pair(x: Any) -> Boolean:
    """pair?"""
    return boolean(type(x) is Pair)


@primitive("cons")
def cons(a: Any, b: Any) -> Pair:
    """cons"""
    return Pair(a, b)


@primitive("car")
def car(p: Any) -> Any:
    """car"""
    try:
        return p.car
    except AttributeError:
        raise wrong_type("car", "a pair", p) from None


@primitive("cdr")
def cdr(p: Any) -> Any:
    """cdr"""
    try:
        return p.cdr
    except AttributeError:
        raise wrong_type("cdr", "a pair", p) from None


@primitive("set-car!")
def set_car(p: Any, v: Any) -> Any:
    """set-car!"""
    if type(p) is not Pair:
        raise wrong_type("set-car!", "a pair", p)
    p.car = v
    return UNSPECIFIED


@primitive("set-cdr!")
def set_cdr(p: Any, v: Any) -> Any:
    """set-cdr!"""
    if type(p) is not Pair:
        raise wrong_type("set-cdr!", "a pair", p)
    p.cdr = v
    return UNSPECIFIED


def _make_cxr(name: str) -> None:
    # "cadr" applies cdr first, then car: the letters are read right to left.
    path = name[-2:0:-1]

    def cxr(x: Any) -> Any:
        v = x
        for i, step in enumerate(path):
            if type(v) is not Pair:
                done = "c" + path[:i][::-1] + "r"
                what = "the argument" if i == 0 else f"its {done}"
                raise WrongTypeError(
                    f"{name}: expected a pair as {what}, got {write_string(v)} in {write_string(x)}"
                )
            v = v.car if step == "a" else v.cdr
        return v

    cxr.__name__ = name.replace("-", "_")
    cxr.__doc__ = name
    primitive(name)(cxr)


for _n in (2, 3, 4):
    for _letters in product("ad", repeat=_n):
        _make_cxr("c" + "".join(_letters) + "r")


# --- lists ------------------------------------------------------------------------------


@primitive("null?")
def is_null(x: Any) -> Boolean:
    """null?"""
    return boolean(x is NIL)


@primitive("list?")
def is_list_p(x: Any) -> Boolean:
    """list? (false for improper and circular lists)"""
    return boolean(is_list(x))


@primitive("make-list")
def make_list(k: Any, fill: Any = FALSE) -> Any:
    """make-list; the fill defaults to #f."""
    out: Any = NIL
    for _ in range(check_size("make-list", k, 64)):
        out = Pair(fill, out)
    return out


@primitive("list")
def make_list_of(*items: Any) -> Any:
    """list"""
    return list_from(items)


@primitive("length")
def length(x: Any) -> int:
    """length; an improper or circular list is an error."""
    n = 0
    start = slow = x
    while type(x) is Pair:
        x = x.cdr
        n += 1
        if type(x) is not Pair:
            break
        x = x.cdr
        n += 1
        slow = slow.cdr
        if x is slow:
            raise _circular("length")
    if x is not NIL:
        raise wrong_type("length", "a proper list", start)
    charge(n)
    return n


@primitive("append")
def append(*lists: Any) -> Any:
    """append: copies every argument but the last, which becomes the tail as is."""
    if not lists:
        return NIL
    out = lists[-1]
    for i in range(len(lists) - 2, -1, -1):
        out = list_from(proper_items("append", lists[i], i + 1), out)
    return out


@primitive("reverse")
def reverse(x: Any) -> Any:
    """reverse"""
    out: Any = NIL
    start = slow = x
    while type(x) is Pair:
        out = Pair(x.car, out)
        x = x.cdr
        if type(x) is not Pair:
            break
        out = Pair(x.car, out)
        x = x.cdr
        slow = slow.cdr
        if x is slow:
            raise _circular("reverse")
    if x is not NIL:
        raise wrong_type("reverse", "a proper list", start)
    charge(1)  # the pairs made are paid for by whoever made the list
    return out


def _walk(who: str, x: Any, k: Any) -> Any:
    """The k-th cdr of x, with errors naming who."""
    if type(k) is not int or k < 0:
        raise wrong_type(who, "a non-negative exact integer index", k, 2)
    start = x
    done = 0
    while done < k:  # in chunks, each charged first: a circular list runs out of work
        n = min(k - done, 4096)
        charge(n)
        for i in range(done, done + n):
            if type(x) is not Pair:
                raise WrongTypeError(
                    f"{who}: index {k} out of range for a list of length {i}", (start,)
                )
            x = x.cdr
        done += n
    return x


@primitive("list-tail")
def list_tail(x: Any, k: Any) -> Any:
    """list-tail"""
    return _walk("list-tail", x, k)


@primitive("list-ref")
def list_ref(x: Any, k: Any) -> Any:
    """list-ref"""
    p = _walk("list-ref", x, k)
    if type(p) is not Pair:
        raise WrongTypeError(f"list-ref: index {k} out of range for a list of length {k}", (x,))
    return p.car


@primitive("list-set!")
def list_set(x: Any, k: Any, v: Any) -> Any:
    """list-set!"""
    p = _walk("list-set!", x, k)
    if type(p) is not Pair:
        raise WrongTypeError(f"list-set!: index {k} out of range for a list of length {k}", (x,))
    p.car = v
    return UNSPECIFIED


def _member(who: str, same: Any, obj: Any, x: Any) -> Any:
    start = slow = x
    n = 0
    while type(x) is Pair:
        n += 2
        if same(obj, x.car):
            charge(n)
            return x
        x = x.cdr
        if type(x) is not Pair:
            break
        if same(obj, x.car):
            charge(n)
            return x
        x = x.cdr
        slow = slow.cdr
        if x is slow:
            raise _circular(who, 2)
    if x is not NIL:
        raise wrong_type(who, "a proper list", start, 2)
    charge(n)
    return FALSE


def _identical(a: Any, b: Any) -> bool:
    return a is b


@primitive("memq")
def memq(obj: Any, x: Any) -> Any:
    """memq"""
    # Only numbers and characters can be eq? without being the same Python object.
    t = type(obj)
    return _member("memq", is_eq if t is int or t is Char else _identical, obj, x)


@primitive("memv")
def memv(obj: Any, x: Any) -> Any:
    """memv"""
    return _member("memv", is_eqv, obj, x)


@primitive("member")
def member(obj: Any, x: Any) -> Any:
    """member (two arguments, compares with equal?)"""
    return _member("member", is_equal, obj, x)


def _assoc(who: str, same: Any, obj: Any, x: Any) -> Any:
    start = slow = x
    n = 0
    while type(x) is Pair:
        entry = x.car
        if type(entry) is not Pair:
            raise WrongTypeError(f"{who}: element {n} of the list is not a pair", (entry,))
        if same(obj, entry.car):
            charge(n)
            return entry
        x = x.cdr
        n += 1
        if n & 1 == 0:
            slow = slow.cdr
            if x is slow:
                raise _circular(who, 2)
    if x is not NIL:
        raise wrong_type(who, "a proper list", start, 2)
    charge(n)
    return FALSE


@primitive("assq")
def assq(obj: Any, x: Any) -> Any:
    """assq"""
    t = type(obj)
    return _assoc("assq", is_eq if t is int or t is Char else _identical, obj, x)


@primitive("assv")
def assv(obj: Any, x: Any) -> Any:
    """assv"""
    return _assoc("assv", is_eqv, obj, x)


@primitive("assoc")
def assoc(obj: Any, x: Any) -> Any:
    """assoc (two arguments, compares with equal?)"""
    return _assoc("assoc", is_equal, obj, x)


@primitive("list-copy")
def list_copy(x: Any) -> Any:
    """list-copy: copies the pairs; an improper tail is kept; a non-list is returned as is."""
    if type(x) is not Pair:
        return x
    items = []
    slow = p = x
    while type(p) is Pair:
        items.append(p.car)
        p = p.cdr
        if type(p) is not Pair:
            break
        items.append(p.car)
        p = p.cdr
        slow = slow.cdr
        if p is slow:
            raise _circular("list-copy")
    return list_from(items, p)
