"""A fast path for the reader: plain data (lists, vectors, numbers, identifiers, simple
strings, booleans, quotes, comments) read by one regular expression and a loop.

It builds exactly what the Lark reader (reader.py) builds, spans included. Anything
else -- block and datum comments, directives, |symbols|, characters, bytevectors,
datum labels, escapes in strings, and every malformed input -- raises `Fallback`, and
the Lark reader reads the text instead, so its error messages stay the only ones.
"""

from __future__ import annotations

import gc
import re
from typing import Any

from ..errors import Source, Span
from ..types import FALSE, NIL, TRUE, MString, Pair, Symbol, Vector
from .numparse import parse_number

_TOKEN = re.compile(
    r"""[ \t\r\f\v]*(?:
     (?P<atom>[^\s()";|#'`,][^\s()";|]*)
    |(?P<close>\))
    |(?P<open>\()
    |(?P<nl>\n)
    |(?P<vec>\#\()
    |(?P<quote>,@|[',`])
    |(?P<str>"[^"\\]*")
    |(?P<comment>;[^\n]*)
    |(?P<bool>\#(?:true|false|t|f)(?=[\s()";]|\Z))
    |(?P<end>\Z))
    """,
    re.X | re.I,
)
# the NUMBER and IDENTIFIER tokens of grammar.lark (a token the fast path must classify)
_REAL = (
    r"(?:[+-]?(?:[0-9]+\/[0-9]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?)"
    r"|[+-](?:inf\.0|nan\.0))"
)
_UREAL = r"(?:[0-9]+\/[0-9]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?|inf\.0|nan\.0)"
_NUMBER = re.compile(
    r"(?:#[a-z])*#x(?:#[a-z])*[+-]?(?:[0-9a-f]+(?:\/[0-9a-f]+)?|inf\.0|nan\.0)\Z"
    rf"|(?:#[bdeio])*(?:{_REAL}@{_REAL}|{_REAL}?[+-]{_UREAL}?i|{_REAL})\Z",
    re.I,
)
_S = r"[A-Za-z0-9!$%&*\/:<=>?^_~+\-.@]|[^\x00-\x7f]"
_IDENT = re.compile(
    rf"(?:(?:[A-Za-z!$%&*\/:<=>?^_~]|[^\x00-\x7f])(?:{_S})*"
    rf"|[+-]|[+-](?:[A-Za-z!$%&*\/:<=>?^_~+\-@]|[^\x00-\x7f])(?:{_S})*"
    rf"|[+-]?\.(?:[A-Za-z!$%&*\/:<=>?^_~+\-.@]|[^\x00-\x7f])(?:{_S})*)\Z"
)
_INT = re.compile(r"-?[0-9]+\Z")
_QUOTES = {"'": "quote", "`": "quasiquote", ",": "unquote", ",@": "unquote-splicing"}
_DOT = Symbol(".")  # stands for a '.' inside a list until the list closes


class Fallback(Exception):  # noqa: N818 -- a signal: let the Lark reader do it
    """The text holds something the fast path does not read."""


class _Open:
    """A list or vector being read: its pairs so far (or items), and where it began."""

    __slots__ = ("head", "last", "span", "items", "dot", "after_dot")

    def __init__(self, span: Span, is_vector: bool) -> None:
        self.head: Any = NIL
        self.last: Any = None
        self.span = span
        self.items: list | None = [] if is_vector else None
        self.dot = False  # a '.' was read: the next datum is the tail
        self.after_dot = 0  # data read after the '.'


def fast_read(
    text: str, name: str, pos: int = 0, first_only: bool = False
) -> tuple[list[tuple[Any, Span | None]], int]:
    """((datum, span) list, end position) for the data in text from pos (or only the first
    datum, when first_only). Raises Fallback for anything outside the fast path."""
    # The cyclic collector would walk the growing data again and again (it halves the
    # speed on a 10^6-element list); what is built here holds no cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read(text, name, pos, first_only)
    finally:
        if collecting:
            gc.enable()


def _read(
    text: str, name: str, pos: int, first_only: bool
) -> tuple[list[tuple[Any, Span | None]], int]:
    source = Source(name, text)
    line = text.count("\n", 0, pos) + 1
    line_start = text.rfind("\n", 0, pos) + 1
    out: list[tuple[Any, Span | None]] = []
    stack: list[_Open] = []
    top: _Open | None = None
    quotes: list[tuple[int, str, Span]] = []  # (stack depth, keyword, span) waiting
    match = _TOKEN.match
    n = len(text)
    while True:
        m = match(text, pos)
        if m is None:
            raise Fallback
        kind = m.lastgroup
        if kind == "atom" and top is not None and top.items is None and not top.dot:
            # the hot path: a run of plain atoms inside a list, linked as they come
            last = top.last
            while kind == "atom":
                tok = m.group(kind)
                if tok.isascii() and tok.isdigit():
                    value = int(tok) if len(tok) < 4000 else parse_number(tok)
                elif tok == "." or (quotes and quotes[-1][0] == len(stack)):
                    break
                elif _NUMBER.match(tok):
                    value = parse_number(tok)
                    if value is None:
                        raise Fallback
                elif _IDENT.match(tok):
                    value = Symbol(tok)
                else:
                    raise Fallback
                end = m.end()
                p = Pair(value, NIL)
                p.span = Span(source, line, end - len(tok) - line_start + 1)
                if last is None:
                    top.head = p
                else:
                    last.cdr = p
                last = p
                pos = end
                m = match(text, pos)
                if m is None:
                    raise Fallback
                kind = m.lastgroup
            top.last = last
        pos = m.end()
        if kind == "atom":
            tok = m.group(kind)
            span = Span(source, line, pos - len(tok) - line_start + 1)
            if tok.isascii() and tok.isdigit():
                value: Any = int(tok) if len(tok) < 4000 else parse_number(tok)
            elif tok == ".":
                if top is None or top.items is not None or top.dot or top.head is NIL:
                    raise Fallback
                if quotes and quotes[-1][0] == len(stack):
                    raise Fallback
                top.dot = True
                continue
            elif _NUMBER.match(tok):
                value = parse_number(tok)
                if value is None:
                    raise Fallback
            elif _IDENT.match(tok):
                value = Symbol(tok)
            else:
                raise Fallback
        elif kind == "close":
            if top is None or (quotes and quotes[-1][0] == len(stack)):
                raise Fallback
            done = top
            stack.pop()
            top = stack[-1] if stack else None
            span = done.span
            if done.items is not None:
                value = Vector(done.items)
                value.span = span
            else:
                if done.dot and done.after_dot != 1:
                    raise Fallback
                value = done.head
                if value is not NIL:
                    value.span = span
        elif kind == "nl":
            line += 1
            line_start = pos
            continue
        elif kind == "open" or kind == "vec":
            tok = m.group(kind)
            span = Span(source, line, pos - len(tok) - line_start + 1)
            top = _Open(span, kind == "vec")
            stack.append(top)
            continue
        elif kind == "end":
            break
        elif kind == "comment":
            continue
        elif kind == "quote":
            tok = m.group(kind)
            span = Span(source, line, pos - len(tok) - line_start + 1)
            quotes.append((len(stack), _QUOTES[tok], span))
            continue
        elif kind == "str":
            tok = m.group(kind)
            span = Span(source, line, pos - len(tok) - line_start + 1)
            if "\n" in tok:
                line += tok.count("\n")
                line_start = pos - len(tok) + tok.rfind("\n") + 1
            value = MString(tok[1:-1])
            value.span = span
        else:  # bool
            tok = m.group(kind)
            span = Span(source, line, pos - len(tok) - line_start + 1)
            value = TRUE if tok.lower() in ("#t", "#true") else FALSE
        # a complete datum: wrap it in the quotes waiting at this depth
        if quotes:
            depth = len(stack)
            while quotes and quotes[-1][0] == depth:
                _, keyword, qspan = quotes.pop()
                inner = Pair(value, NIL)
                inner.span = span
                form = Pair(Symbol(keyword), inner)
                form.span = qspan
                value, span = form, qspan
        if top is None:
            out.append((value, span))
            if first_only:
                return out, pos
        elif top.items is not None:
            top.items.append(value)
        elif top.dot:
            if top.after_dot:
                raise Fallback
            top.after_dot = 1
            top.last.cdr = value
        else:
            p = Pair(value, NIL)
            p.span = span
            if top.last is None:
                top.head = p
            else:
                top.last.cdr = p
            top.last = p
    if stack or quotes:
        raise Fallback
    return out, min(pos, n)
