"""Plain data: what may cross between flows, the host and the store.

Plain data = exact integers and rationals, floats, strings, symbols, booleans,
characters, the empty list, lists (also dotted) and vectors. Three representations:

- Scheme: the interpreter's own objects (MString, Pair, Vector, TRUE/FALSE, ...);
- Python: what the host API takes and gives back, without wrappers -- str, int,
  Fraction, float, bool, Symbol, Char, list (a Scheme list), tuple (a vector) and
  Dotted (an improper list);
- JSON: what stores and exports hold -- strings, numbers, booleans and arrays as
  themselves, the rest as one-key objects {"$symbol": "reserved"}, {"$rational": "1/3"},
  {"$char": "a"}, {"$vector": [...]}, {"$dotted": [items..., tail]}, {"$float": "+inf.0"}.

Every conversion loops with an explicit stack, so deep data never hits Python's
recursion limit. Anything else (procedures, continuations, ports, records, cycles) is
refused with a PlainDataError that says what was found and where.
"""

from __future__ import annotations

import json
import math
import reprlib
from fractions import Fraction
from typing import Any

from scheme import (
    FALSE,
    NIL,
    TRUE,
    Boolean,
    Char,
    MString,
    Pair,
    Symbol,
    Vector,
)

from .errors import PlainDataError
from .strictjson import MAX_INT_DIGITS, has_surrogate, strict_loads

# The largest magnitude an integer in plain data may have: its digits must fit Python's
# int <-> text limit, or no store could write it (nor any JSON reader read it back).
_INT_LIMIT = 10**MAX_INT_DIGITS

# Stores hold plain data as JSON, and Python's json module recurses on nesting: plain
# data may nest this deep (a list inside a list ... counts one level each).
MAX_NESTING = 500

PLAIN_KINDS = (
    "exact integers and rationals, floats, strings, symbols, booleans, characters, "
    "lists and vectors"
)


class Dotted:
    """An improper list on the Python side: items followed by a non-list tail."""

    __slots__ = ("items", "tail")

    def __init__(self, items: list, tail: Any) -> None:
        self.items = items
        self.tail = tail

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dotted) and same(self, other)

    def __hash__(self) -> int:
        return hash(dumps(self))

    def __repr__(self) -> str:
        return f"Dotted({self.items!r}, {self.tail!r})"


def _describe(x: Any) -> str:
    from scheme import write_string

    try:
        text = write_string(x)
    except Exception:  # noqa: BLE001 -- describing a value must never fail
        text = type(x).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _where(path: tuple | list) -> str:
    return "".join(path) or "the value"


# -- Scheme -> Python ---------------------------------------------------------------------


def to_python(x: Any, what: str = "value") -> Any:
    """The Python representation of Scheme plain data x (PlainDataError otherwise)."""
    out: list[Any] = []
    on_path: set[int] = set()  # compound values being converted (a repeat is a cycle)
    stack: list[tuple] = [("v", x, ())]
    while stack:
        item = stack.pop()
        tag = item[0]
        if tag == "v":
            _, v, path = item
            t = type(v)
            if t is int or t is float or t is Fraction:
                out.append(v)
            elif t is MString:
                out.append(v.s)
            elif t is Symbol or t is Char:
                out.append(v)
            elif t is Boolean:
                out.append(v is TRUE)
            elif v is NIL:
                out.append([])
            elif t is Pair or t is Vector:
                if id(v) in on_path:
                    raise PlainDataError(f"{what} is circular at {_where(path)}")
                if len(path) >= MAX_NESTING:
                    raise PlainDataError(f"{what} is nested more than {MAX_NESTING} levels deep")
                if t is Vector:
                    items, tail = v.items, NIL
                else:
                    items = []
                    p = v
                    spine = {id(v)}
                    while type(p) is Pair:
                        items.append(p.car)
                        p = p.cdr
                        if type(p) is Pair:
                            if id(p) in spine or id(p) in on_path:
                                raise PlainDataError(f"{what} is circular at {_where(path)}")
                            spine.add(id(p))
                    tail = p
                on_path.add(id(v))
                kind = "vector" if t is Vector else ("list" if tail is NIL else "dotted")
                stack.append((kind, len(items), id(v)))
                if kind == "dotted":
                    stack.append(("v", tail, (*path, " tail")))
                for i in range(len(items) - 1, -1, -1):
                    stack.append(("v", items[i], (*path, f"[{i}]")))
            else:
                raise PlainDataError(
                    f"{what} must be plain data ({PLAIN_KINDS}); found {_describe(v)} "
                    f"at {_where(path)}"
                )
        else:
            _, n, ident = item
            on_path.discard(ident)
            if tag == "dotted":
                tail = out.pop()
                items = out[len(out) - n :] if n else []
                del out[len(out) - n :]
                out.append(Dotted(items, tail))
            else:
                items = out[len(out) - n :] if n else []
                del out[len(out) - n :]
                out.append(tuple(items) if tag == "vector" else items)
    return out[0]


# -- Python -> Scheme ---------------------------------------------------------------------


def to_scheme(x: Any, what: str = "value") -> Any:
    """Fresh Scheme data for Python plain data x (PlainDataError otherwise)."""
    out: list[Any] = []
    stack: list[tuple] = [("v", x, [])]
    while stack:
        item = stack.pop()
        if item[0] == "v":
            _, v, path = item
            t = type(v)
            if t is bool:
                out.append(TRUE if v else FALSE)
            elif t is int or t is float or t is Fraction:
                out.append(v if t is not Fraction or v.denominator != 1 else v.numerator)
            elif t is str:
                out.append(MString(v))
            elif t is Symbol or t is Char:
                out.append(v)
            elif t is MString:
                out.append(MString(v.s))
            elif t is list or t is tuple:
                stack.append(("vector" if t is tuple else "list", len(v)))
                for i in range(len(v) - 1, -1, -1):
                    stack.append(("v", v[i], path + [f"[{i}]"]))
            elif t is Dotted:
                stack.append(("dotted", len(v.items)))
                stack.append(("v", v.tail, path + [" tail"]))
                for i in range(len(v.items) - 1, -1, -1):
                    stack.append(("v", v.items[i], path + [f"[{i}]"]))
            else:
                raise PlainDataError(
                    f"{what} must be plain data ({PLAIN_KINDS}); found a Python "
                    f"{type(v).__name__} ({v!r:.60}) at {_where(path)}"
                )
        else:
            kind, n = item
            tail = out.pop() if kind == "dotted" else NIL
            items = out[len(out) - n :] if n else []
            del out[len(out) - n :]
            if kind == "vector":
                out.append(Vector(items))
            else:
                lst = tail
                for e in reversed(items):
                    lst = Pair(e, lst)
                out.append(lst)
    return out[0]


# -- Python <-> JSON ----------------------------------------------------------------------


def to_json(x: Any) -> Any:
    """JSON-compatible data for a Python plain value."""
    out: list[Any] = []
    stack: list[tuple] = [("v", x)]
    while stack:
        item = stack.pop()
        if item[0] == "v":
            v = item[1]
            t = type(v)
            if t is bool:
                out.append(v)
            elif t is int:
                if not -_INT_LIMIT < v < _INT_LIMIT:
                    raise PlainDataError(f"an integer of more than {MAX_INT_DIGITS} digits")
                out.append(v)
            elif t is str:
                if has_surrogate(v):
                    raise PlainDataError(f"a string holding a lone surrogate: {v!r:.60}")
                out.append(v)
            elif t is float:
                out.append(v if math.isfinite(v) else {"$float": _float_text(v)})
            elif t is Fraction:
                out.append({"$rational": f"{v.numerator}/{v.denominator}"})
            elif t is Symbol:
                out.append({"$symbol": v.name})
            elif t is Char:
                out.append({"$char": v.ch})
            elif t is list or t is tuple:
                stack.append(("list" if t is list else "vector", len(v)))
                for i in range(len(v) - 1, -1, -1):
                    stack.append(("v", v[i]))
            elif t is Dotted:
                stack.append(("dotted", len(v.items) + 1))
                stack.append(("v", v.tail))
                for i in range(len(v.items) - 1, -1, -1):
                    stack.append(("v", v.items[i]))
            else:
                raise PlainDataError(f"not plain data: a Python {t.__name__}")
        else:
            kind, n = item
            items = out[len(out) - n :] if n else []
            del out[len(out) - n :]
            if kind == "list":
                out.append(items)
            elif kind == "vector":
                out.append({"$vector": items})
            else:
                out.append({"$dotted": items})
    return out[0]


def _float_text(v: float) -> str:
    if math.isnan(v):
        return "+nan.0"
    return "+inf.0" if v > 0 else "-inf.0"


_FLOATS = {"+nan.0": math.nan, "+inf.0": math.inf, "-inf.0": -math.inf}


def _path_text(path: Any) -> str:
    """The text of a path kept as links (parent, segment): built only for a message, so
    deep data never costs more than its own size."""
    segs = []
    while type(path) is tuple:
        path, seg = path
        segs.append(seg)
    segs.append(path)
    segs.reverse()
    if len(segs) > 12:
        segs[7:-4] = [f"...({len(segs) - 11} levels)..."]
    return "".join(segs)


def from_json(x: Any, where: str = "value") -> Any:
    """The Python plain value for JSON data (ValueError naming the bad spot otherwise).

    Loops with an explicit stack; nesting past MAX_NESTING levels, integers past
    MAX_INT_DIGITS digits and strings holding a lone surrogate are refused too."""
    out: list[Any] = []
    stack: list[tuple] = [("v", x, where, 0)]
    while stack:
        item = stack.pop()
        if item[0] == "v":
            _, v, path, depth = item
            t = type(v)
            if t is str:
                if has_surrogate(v):
                    raise ValueError(f"{_path_text(path)}: a string holding a lone surrogate")
                out.append(v)
            elif t is bool or t is float:
                out.append(v)
            elif t is int:
                if not -_INT_LIMIT < v < _INT_LIMIT:
                    raise ValueError(
                        f"{_path_text(path)}: an integer of more than {MAX_INT_DIGITS} digits"
                    )
                out.append(v)
            elif t is list or (t is dict and len(v) == 1):
                if depth >= MAX_NESTING:
                    raise ValueError(
                        f"{_path_text(path)}: nested more than {MAX_NESTING} levels deep"
                    )
                if t is list:
                    stack.append(("list", len(v), path))
                    for i in range(len(v) - 1, -1, -1):
                        stack.append(("v", v[i], (path, f"[{i}]"), depth + 1))
                    continue
                ((key, body),) = v.items()
                if key == "$symbol" and type(body) is str and not has_surrogate(body):
                    out.append(Symbol(body))
                elif key == "$char" and type(body) is str and len(body) == 1:
                    if has_surrogate(body):
                        raise ValueError(f"{_path_text(path)}: a lone surrogate is no character")
                    out.append(Char(body))
                elif key == "$rational" and type(body) is str:
                    out.append(_rational(body, _path_text(path)))
                elif key == "$float" and type(body) is str and body in _FLOATS:
                    out.append(_FLOATS[body])
                elif key in ("$vector", "$dotted") and type(body) is list:
                    if key == "$dotted" and len(body) < 2:
                        raise ValueError(
                            f"{_path_text(path)}: $dotted needs at least one item and a tail"
                        )
                    stack.append((key, len(body), path))
                    for i in range(len(body) - 1, -1, -1):
                        stack.append(("v", body[i], (path, f".{key}[{i}]"), depth + 1))
                else:
                    raise ValueError(
                        f"{_path_text(path)}: unknown or malformed tagged value {brief(v)}"
                    )
            else:
                raise ValueError(f"{_path_text(path)}: not plain data: {brief(v)}")
        else:
            kind, n, path = item
            items = out[len(out) - n :] if n else []
            del out[len(out) - n :]
            if kind == "list":
                out.append(items)
            elif kind == "$vector":
                out.append(tuple(items))
            else:
                tail = items[-1]
                if type(tail) is list and not tail:
                    raise ValueError(f"{_path_text(path)}: a $dotted tail cannot be the empty list")
                out.append(Dotted(items[:-1], tail))
    return out[0]


_BRIEF = reprlib.Repr()
_BRIEF.maxlevel, _BRIEF.maxstring, _BRIEF.maxother = 3, 40, 40


def brief(v: Any) -> str:
    """A short, safe description of a JSON value for a message: bounded depth and length,
    so a deep or huge value never costs more than its first few levels."""
    text = _BRIEF.repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


def _rational(text: str, path: str) -> Fraction | int:
    try:
        num, den = text.split("/")
        if len(num) > MAX_INT_DIGITS + 1 or len(den) > MAX_INT_DIGITS:
            raise ValueError
        value = Fraction(int(num), int(den))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{path}: bad rational {text!r}") from None
    return value.numerator if value.denominator == 1 else value


_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
_QUOTE = json.encoder.encode_basestring  # (what _ENCODE writes a string as)


def dumps(x: Any) -> str:
    """Canonical JSON text of a Python plain value (type-exact: #t is not 1)."""
    t = type(x)
    # the values a step carries most (an order id, a symbol), without the general walk
    if t is str and not has_surrogate(x):
        return _QUOTE(x)
    if t is Symbol and not has_surrogate(x.name):
        return '{"$symbol":' + _QUOTE(x.name) + "}"
    return _ENCODE(to_json(x))


def loads(text: str, where: str = "value") -> Any:
    """The Python plain value from dumps' text (ValueError naming the spot if it is not)."""
    return from_json(strict_loads(text, where), where)


def same(a: Any, b: Any) -> bool:
    """Type-exact equality of Python plain values (True is not 1, 1.0 is not 1)."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        t = type(x)
        if t is not type(y):
            return False
        if t is list or t is tuple:
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif t is Dotted:
            if len(x.items) != len(y.items):
                return False
            stack.extend(zip(x.items, y.items))
            stack.append((x.tail, y.tail))
        elif t is float:
            if x != y and not (math.isnan(x) and math.isnan(y)):
                return False
        elif x != y:
            return False
    return True


def show(x: Any) -> str:
    """A Python plain value written as Scheme (for messages)."""
    from scheme import write_string

    return write_string(to_scheme(x))


def parse_value(text: str, what: str = "VALUE") -> Any:
    """A value typed on a command line: one Scheme datum, not evaluated ('x is taken as x),
    as Python plain data (PlainDataError saying what is wrong otherwise)."""
    from scheme import SchemeError, read_one, strip

    try:
        datum = strip(read_one(text, what))
    except SchemeError as e:
        raise PlainDataError(f"{what} {text!r} is not a Scheme datum: {e}") from None
    if (
        type(datum) is Pair
        and datum.car is Symbol("quote")
        and type(datum.cdr) is Pair
        and datum.cdr.cdr is NIL
    ):
        datum = datum.cdr.car
    return to_python(datum, what)
