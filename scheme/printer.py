"""write and display, without Python recursion.

`write_string(x)` gives the external representation R7RS `write` prints: strings and
characters escaped, symbols in |bars| when they would not read back, and datum labels
(`#0=` / `#0#`) for cycles. `display_string(x)` prints strings and characters raw.
Both walk the datum with an explicit stack, so a list nested 1,000,000 deep prints.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

from .ports import Port
from .read.numparse import int_to_decimal
from .types import (
    EOF,
    NIL,
    UNDEFINED,
    UNSPECIFIED,
    Boolean,
    Bytevector,
    Char,
    Closure,
    Continuation,
    Environment,
    MString,
    Pair,
    Parameter,
    Procedure,
    Promise,
    Record,
    RecordType,
    Symbol,
    Values,
    Vector,
)

CHAR_NAMES = {
    " ": "space",
    "\n": "newline",
    "\t": "tab",
    "\r": "return",
    "\0": "null",
    "\a": "alarm",
    "\b": "backspace",
    "\x7f": "delete",
    "\x1b": "escape",
}

_STRING_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\a": "\\a",
    "\b": "\\b",
}

# A symbol whose name matches this reads back as the same symbol without |bars|.
_PLAIN_SYMBOL = re.compile(
    r"(?:(?:[A-Za-z!$%&*/:<=>?^_~]|[^\x00-\x7f])(?:[A-Za-z0-9!$%&*/:<=>?^_~+\-.@]|[^\x00-\x7f])*"
    r"|[+-]|\.\.\.|[+-](?:[A-Za-z!$%&*/:<=>?^_~+\-@]|[^\x00-\x7f])(?:[A-Za-z0-9!$%&*/:<=>?^_~+\-.@]|[^\x00-\x7f])*"
    r"|[+-]?\.(?:[A-Za-z!$%&*/:<=>?^_~+\-.@]|[^\x00-\x7f])(?:[A-Za-z0-9!$%&*/:<=>?^_~+\-.@]|[^\x00-\x7f])*)\Z"
)


# ... but these plain-looking names read back as numbers (R7RS 7.1.1 keeps +i, -i, +inf.0,
# -nan.0 and the complex numbers built from them out of the identifiers).
_NUMBER_LIKE = re.compile(r"[+-](?:(?:inf\.0|nan\.0).*|i(?:[+\-@].*)?)\Z", re.I | re.S)


class _Lit(str):
    """Text to emit as is (distinguishes output text from data on the work stack)."""

    __slots__ = ()


_OPEN, _CLOSE, _SPACE, _DOT = _Lit("("), _Lit(")"), _Lit(" "), _Lit(" . ")


def format_number(x: Any, radix: int = 10) -> str:
    """The external representation of a number."""
    t = type(x)
    if t is int:
        return _int_to_radix(x, radix)
    if t is Fraction:
        return f"{_int_to_radix(x.numerator, radix)}/{_int_to_radix(x.denominator, radix)}"
    if t is complex:
        if radix != 10:
            raise ValueError("complex numbers print only in radix 10")
        im = format_number(x.imag)
        im = im if im[0] in "+-" else "+" + im
        return (format_number(x.real) if x.real != 0 else "") + im + "i"
    if t is float:
        if math.isnan(x):
            return "+nan.0"
        if math.isinf(x):
            return "+inf.0" if x > 0 else "-inf.0"
        if radix != 10:
            if x.is_integer():
                return _int_to_radix(int(x), radix) + "."
            raise ValueError("inexact non-integers print only in radix 10")
        r = repr(x)
        if "e" in r:
            mant, exp = r.split("e")
            exp = exp.lstrip("+")
            sign = "-" if exp.startswith("-") else ""
            exp = exp.lstrip("-").lstrip("0") or "0"
            return f"{mant}e{sign}{exp}"
        return r
    raise TypeError(f"not a number: {x!r}")


def _int_to_radix(n: int, radix: int) -> str:
    if radix == 10:
        return int_to_decimal(n)
    if radix == 16:
        return format(n, "x")
    if radix == 8:
        return format(n, "o")
    if radix == 2:
        return format(n, "b")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return "0"
    sign, n, out = ("-" if n < 0 else ""), abs(n), []
    while n:
        n, d = divmod(n, radix)
        out.append(digits[d])
    return sign + "".join(reversed(out))


def write_char(c: Char) -> str:
    """#\\a, #\\space, #\\x7; (the written form of a character)."""
    ch = c.ch
    name = CHAR_NAMES.get(ch)
    if name is not None:
        return "#\\" + name
    if ch.isprintable():
        return "#\\" + ch
    return f"#\\x{ord(ch):x}"


def write_symbol(name: str) -> str:
    """A symbol's name, in |bars| with escapes when it would not read back plainly."""
    if _PLAIN_SYMBOL.match(name) and not _NUMBER_LIKE.match(name):
        return name
    out = []
    for ch in name:
        if ch == "|":
            out.append("\\|")
        elif ch == "\\":
            out.append("\\\\")
        elif not ch.isprintable() and ch != " ":
            out.append(f"\\x{ord(ch):x};")
        else:
            out.append(ch)
    return "|" + "".join(out) + "|"


def write_mstring(s: str) -> str:
    """A string literal with R7RS escapes."""
    out = ['"']
    for ch in s:
        esc = _STRING_ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            out.append(f"\\x{ord(ch):x};")
    out.append('"')
    return "".join(out)


def _atom(x: Any, display: bool) -> str:
    t = type(x)
    if t is Values:  # several values where one was expected, e.g. (list (values 1 2))
        inner = " ".join(display_string(v) if display else write_string(v) for v in x.items)
        return f"#<values {inner}>" if inner else "#<values>"
    if t is Symbol:
        return x.name if display else write_symbol(x.name)
    if t is MString:
        return x.s if display else write_mstring(x.s)
    if t is int or t is float or t is Fraction or t is complex:
        return format_number(x)
    if t is Boolean:
        return "#t" if x.value else "#f"
    if t is Char:
        return x.ch if display else write_char(x)
    if x is NIL:
        return "()"
    if x is UNSPECIFIED or x is EOF or x is UNDEFINED:
        return repr(x)
    if t is Bytevector:
        return "#u8(" + " ".join(str(b) for b in x.data) + ")"
    if t is Closure or isinstance(x, Procedure):
        if t is Continuation:
            return "#<continuation>"
        if t is Parameter:
            return "#<parameter>"
        return f"#<procedure {getattr(x, 'name', None) or 'anonymous'}>"
    if t is Promise:
        return "#<promise>"
    if t is RecordType:
        return f"#<record-type {x.name}>"
    if t is Environment:
        return f"#<environment {x.name}>"
    if isinstance(x, Port):
        return repr(x)
    from .errors import SchemeError

    if isinstance(x, SchemeError):
        parts = [write_mstring(x.message)] + [write_string(i) for i in x.irritants]
        return "#<error " + " ".join(parts) + ">"
    name = getattr(x, "scheme_name", None)
    if name is not None:  # syntax objects (aliases) print as their symbol
        return x.scheme_name()
    if type(x).__name__ in ("SpecialForm", "Macro") and isinstance(getattr(x, "name", None), str):
        return x.name  # a keyword in a rewritten form prints as the keyword
    return "#<host object>"  # never a Python repr: the guest sees no host internals


def _shared_nodes(x: Any, all_shared: bool = False) -> dict[int, int | None]:
    """Ids of pairs/vectors to label, each mapped to None (not yet numbered).

    Those that close a cycle; with all_shared, every one reached twice.
    """
    if type(x) is not Pair and type(x) is not Vector and type(x) is not Record:
        return {}
    # Fast path: no node seen twice means no sharing, so no cycles.
    seen: set[int] = set()
    todo = [x]
    shared = False
    while todo:
        n = todo.pop()
        t = type(n)
        if t is Pair:
            while type(n) is Pair:
                i = id(n)
                if i in seen:
                    shared = True
                    break
                seen.add(i)
                car = n.car
                tc = type(car)
                if tc is Pair or tc is Vector or tc is Record:
                    todo.append(car)
                n = n.cdr
            else:
                if type(n) is Vector or type(n) is Record:
                    todo.append(n)
        elif t is Vector or t is Record:
            i = id(n)
            if i in seen:
                shared = True
                continue
            seen.add(i)
            items = n.items if t is Vector else n.values
            todo.extend(c for c in items if type(c) in (Pair, Vector, Record))
        if shared:
            break
    if not shared:
        return {}
    # Full DFS: a node reached again while still on the path closes a cycle.
    on_path: set[int] = set()
    done: set[int] = set()
    labels: dict[int, int | None] = {}
    stack: list[tuple[Any, int]] = [(x, 0)]
    while stack:
        node, state = stack.pop()
        i = id(node)
        if state == 0:
            if i in on_path:
                labels[i] = None
                continue
            if i in done:
                if all_shared:
                    labels[i] = None
                continue
            on_path.add(i)
            stack.append((node, 1))
            t = type(node)
            kids = (
                [node.cdr, node.car]
                if t is Pair
                else list(reversed(node.items if t is Vector else node.values))
            )
            for c in kids:
                if type(c) in (Pair, Vector, Record):
                    stack.append((c, 0))
        else:
            on_path.discard(i)
            done.add(i)
    return labels


def _render(x: Any, display: bool, all_shared: bool = False) -> str:
    labels = _shared_nodes(x, all_shared)
    counter = 0
    out: list[str] = []
    stack: list[Any] = [x]
    while stack:
        item = stack.pop()
        if type(item) is _Lit:
            out.append(item)
            continue
        t = type(item)
        if t is not Pair and t is not Vector and t is not Record:
            out.append(_atom(item, display))
            continue
        if labels:
            i = id(item)
            if i in labels:
                n = labels[i]
                if n is not None:
                    out.append(f"#{n}#")
                    continue
                labels[i] = counter
                out.append(f"#{counter}=")
                counter += 1
        if t is Vector:
            out.append("#(")
            stack.append(_CLOSE)
            items = item.items
            for j in range(len(items) - 1, -1, -1):
                stack.append(items[j])
                if j:
                    stack.append(_SPACE)
            continue
        if t is Record:
            out.append("#<" + item.rtype.name)
            stack.append(_Lit(">"))
            for v in reversed(item.values):
                stack.append(v)
                stack.append(_SPACE)
            continue
        # A list: collect the elements along the cdr chain, stopping at a labelled pair.
        elems = [item.car]
        tail = item.cdr
        while type(tail) is Pair and not (labels and id(tail) in labels):
            elems.append(tail.car)
            tail = tail.cdr
        out.append("(")
        stack.append(_CLOSE)
        if tail is not NIL:
            stack.append(tail)
            stack.append(_DOT)
        for j in range(len(elems) - 1, -1, -1):
            stack.append(elems[j])
            if j:
                stack.append(_SPACE)
    return "".join(out)


def write_string(x: Any) -> str:
    """What `write` prints for x."""
    if type(x) is Values:
        return " ".join(write_string(v) for v in x.items)
    return _render(x, False)


def write_shared_string(x: Any) -> str:
    """What `write-shared` prints: labels for every shared pair or vector."""
    if type(x) is Values:
        return " ".join(write_shared_string(v) for v in x.items)
    return _render(x, False, True)


def display_string(x: Any) -> str:
    """What `display` prints for x."""
    if type(x) is Values:
        return " ".join(display_string(v) for v in x.items)
    return _render(x, True)
