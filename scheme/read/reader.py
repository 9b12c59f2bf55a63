"""The reader: Scheme text -> data, with a source span on every compound datum.

Lark parses with the LALR grammar in grammar.lark and calls the `_Builder` callbacks as
it reduces each rule, so data are built bottom-up inside the parser's own loop: input
nested 100,000 deep reads without Python recursion. Atoms travel up as (value, line,
col) so that each `Pair` can record where its car starts; the first pair of a list
records where the list's '(' is. Lark's errors become `ReadError` with the position,
the line and a caret.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # lark itself is imported on the first parse (40 ms saved at start-up)
    from lark import Lark, Token
    from lark.exceptions import UnexpectedInput

from ..errors import ReadError, Source, Span
from ..types import EOF, FALSE, NIL, TRUE, Bytevector, Char, MString, Pair, Symbol, Vector
from .fastread import Fallback, fast_read
from .numparse import parse_number
from .scanner import ScanError, datum_extent, lexemes, prescan, unclosed_parens

CHAR_BY_NAME = {
    "space": " ",
    "newline": "\n",
    "tab": "\t",
    "return": "\r",
    "null": "\0",
    "nul": "\0",
    "alarm": "\a",
    "backspace": "\b",
    "delete": "\x7f",
    "escape": "\x1b",
    "altmode": "\x1b",
    "linefeed": "\n",
}
_MNEMONIC = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\", "|": "|"}
_QUOTES = {"'": "quote", "`": "quasiquote", ",": "unquote", ",@": "unquote-splicing"}
_DELIMITERS = ' \t\n\r\f\v()";|'


_HEX = re.compile(r"[0-9a-fA-F]+")


def _hex_char(digits: str) -> str | None:
    """The character with hex scalar value digits, or None (int() alone would also take
    ' 41', '+41' and '4_1')."""
    if not _HEX.fullmatch(digits):
        return None
    code = int(digits, 16)
    return chr(code) if code <= 0x10FFFF else None


class _Builder:
    """Lark callbacks: each returns the datum for the rule it is named after."""

    def __init__(self) -> None:
        self.source = Source("<string>", "")
        self.folds: list[tuple[int, bool]] = []  # (position, fold-case on from there)
        self.fold_initial = False
        self.labels: dict[int, Any] = {}
        self.unresolved = 0  # datum label references still waiting for their datum

    def reset(self, source: Source, text: str, fold_case: bool) -> None:
        """Prepare for parsing text: fold-case directives, datum labels."""
        self.source = source
        self.fold_initial = fold_case
        self.folds = _fold_marks(text) if "#!" in text else []
        self.labels = {}
        self.unresolved = 0

    def _folding(self, pos: int) -> bool:
        on = self.fold_initial
        for at, state in self.folds:
            if at > pos:
                break
            on = state
        return on

    def _span(self, tok: Token) -> Span:
        return Span(self.source, tok.line, tok.column)

    def _fail(self, message: str, tok: Token) -> ReadError:
        return ReadError(message, span=self._span(tok))

    # atoms: (value, line, col)
    def number(self, children: list) -> tuple:
        tok = children[0]
        value = parse_number(str(tok))
        if value is None:
            raise self._fail(f"bad number syntax: {tok}", tok)
        return (value, tok.line, tok.column)

    def identifier(self, children: list) -> tuple:
        tok = children[0]
        text = str(tok)
        if text.startswith("|"):
            name = self._unescape(text[1:-1], tok, "|symbol|")
        elif (self.folds or self.fold_initial) and self._folding(tok.start_pos):
            name = text.casefold()
        else:
            name = text
        return (Symbol(name), tok.line, tok.column)

    def string(self, children: list) -> MString:
        tok = children[0]
        s = MString(self._unescape(str(tok)[1:-1], tok, "string"))
        s.span = self._span(tok)
        return s

    def character(self, children: list) -> tuple:
        tok = children[0]
        body = str(tok)[2:]
        if len(body) > 1 and (self.folds or self.fold_initial) and self._folding(tok.start_pos):
            body = body.casefold()  # #!fold-case folds character names too
        if len(body) == 1:
            ch = body
        elif body in CHAR_BY_NAME:
            ch = CHAR_BY_NAME[body]
        elif body[0] in "xX" and len(body) > 1:
            ch = _hex_char(body[1:])
            if ch is None:
                raise self._fail(f"bad character: #\\{body}", tok)
        else:
            raise self._fail(
                f"unknown character name: #\\{body} (try #\\space, #\\newline, #\\x41)", tok
            )
        return (Char(ch), tok.line, tok.column)

    def boolean(self, children: list) -> tuple:
        tok = children[0]
        return (TRUE if str(tok).lower() in ("#t", "#true") else FALSE, tok.line, tok.column)

    # datum labels: #n=datum defines n, #n# refers to it (also from inside the datum)
    def _label(self, tok: Any) -> int:
        digits = str(tok)[1:-1]
        if len(digits) > 18:
            raise self._fail(f"datum label {str(tok)[:24]}... has too many digits", tok)
        return int(digits)

    def label_ref(self, children: list) -> tuple:
        tok = children[0]
        n = self._label(tok)
        value = self.labels.get(n)
        if value is None:
            value = _Placeholder(n)
            self.unresolved += 1
        return (value, tok.line, tok.column)

    def labeled(self, children: list) -> Any:
        tok, datum = children
        n = self._label(tok)
        value = datum[0] if type(datum) is tuple else datum
        if type(value) is _Placeholder:
            raise self._fail(f"datum label #{n}= labels only a reference to itself", tok)
        self.labels[n] = value
        if self.unresolved:
            self.unresolved -= _patch(value, n, value)
        return datum

    # compound data
    def _chain(self, items: list, tail: Any) -> Any:
        out = tail
        src = self.source
        for child in reversed(items):
            if type(child) is tuple:
                value, line, col = child
                span = Span(src, line, col)
            else:
                value = child
                span = getattr(child, "span", None)
            p = Pair(value, out)
            p.span = span
            out = p
        return out

    def list(self, children: list) -> Any:
        head = self._chain(children[1:-1], NIL)
        if head is NIL:  # () is unique and cannot hold a span: travel up like an atom
            return (NIL, children[0].line, children[0].column)
        head.span = self._span(children[0])
        return head

    def dotted_list(self, children: list) -> Any:
        tail = children[-2]
        if type(tail) is tuple:
            tail = tail[0]
        head = self._chain(children[1:-3], tail)
        head.span = self._span(children[0])
        return head

    def vector(self, children: list) -> Vector:
        v = Vector([c[0] if type(c) is tuple else c for c in children[1:-1]])
        v.span = self._span(children[0])
        return v

    def bytevector(self, children: list) -> Bytevector:
        data = bytearray()
        for c in children[1:-1]:
            value = c[0] if type(c) is tuple else c
            if type(value) is not int or not 0 <= value <= 255:
                raise self._fail("bytevector elements must be exact integers 0..255", children[0])
            data.append(value)
        bv = Bytevector(data)
        bv.span = self._span(children[0])
        return bv

    def abbreviation(self, children: list) -> Pair:
        tok, datum = children
        form = self._chain([(Symbol(_QUOTES[str(tok)]), tok.line, tok.column), datum], NIL)
        form.span = self._span(tok)
        return form

    def start(self, children: list) -> list:
        # (datum, span): top-level atoms have nowhere else to keep where they were
        src = self.source
        if self.unresolved:
            raise ReadError("a datum label reference #n# has no #n= before it")
        return [
            (c[0], Span(src, c[1], c[2])) if type(c) is tuple else (c, getattr(c, "span", None))
            for c in children
        ]

    def _unescape(self, body: str, tok: Token, what: str) -> str:
        if "\\" not in body:
            return body
        out = []
        i, n = 0, len(body)
        while i < n:
            ch = body[i]
            if ch != "\\":
                out.append(ch)
                i += 1
                continue
            nxt = body[i + 1] if i + 1 < n else ""
            if nxt in _MNEMONIC:
                out.append(_MNEMONIC[nxt])
                i += 2
            elif nxt in "xX":
                end = body.find(";", i)
                ch = _hex_char(body[i + 2 : end]) if end > 0 else None
                if ch is None:
                    raise self._fail(f"bad \\x escape in {what} (write \\x41;)", tok)
                out.append(ch)
                i = end + 1
            elif nxt in " \t\n\r":
                # line continuation: \ <intraline ws>* <newline> <intraline ws>*
                j = i + 1
                while j < n and body[j] in " \t":
                    j += 1
                if j < n and body[j] == "\r":
                    j += 1
                if j >= n or body[j] != "\n":
                    raise self._fail(f"bad escape '\\{nxt}' in {what}", tok)
                j += 1
                while j < n and body[j] in " \t":
                    j += 1
                i = j
            else:
                raise self._fail(
                    f"unknown escape '\\{nxt}' in {what} (known: \\n \\t \\r \\a \\b \\\\ "
                    f'\\" \\| \\xHH;)',
                    tok,
                )
        return "".join(out)


class _Placeholder:
    """A #n# read inside the datum #n= labels, before that datum is complete."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n


def _patch(root: Any, n: int, value: Any) -> int:
    """Replace the placeholders for label n inside root by value; how many were replaced."""
    count = 0
    seen: set[int] = set()
    stack = [root]
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if type(x) is Pair:
            if type(x.car) is _Placeholder and x.car.n == n:
                x.car = value
                count += 1
            if type(x.cdr) is _Placeholder and x.cdr.n == n:
                x.cdr = value
                count += 1
            stack.append(x.car)
            stack.append(x.cdr)
        elif type(x) is Vector:
            items = x.items
            for i, item in enumerate(items):
                if type(item) is _Placeholder and item.n == n:
                    items[i] = value
                    count += 1
                else:
                    stack.append(item)
    return count


def _fold_marks(text: str) -> list[tuple[int, bool]]:
    """Where #!fold-case and #!no-fold-case directives turn folding on and off."""
    marks = []
    try:
        for kind, start, end in lexemes(text):
            if kind == "comment" and text.startswith("#!", start):
                word = text[start + 2 : end].lower()
                if word in ("fold-case", "no-fold-case"):
                    marks.append((start, word == "fold-case"))
    except ScanError:
        pass
    return marks


_LOCK = threading.Lock()
_BUILDER = _Builder()
_PARSER: Lark | None = None


def _parser() -> Lark:
    global _PARSER
    if _PARSER is None:
        from lark import Lark

        grammar = (Path(__file__).with_name("grammar.lark")).read_text()
        _PARSER = Lark(
            grammar,
            parser="lalr",
            lexer="basic",
            transformer=_BUILDER,
            maybe_placeholders=False,
            cache=True,  # the LALR tables, in the temp dir: 3 ms to load instead of 40 ms
        )
    return _PARSER


def read_all(text: str, name: str = "<string>") -> list:
    """Every datum in text, in order. Raises ReadError for malformed input."""
    return [datum for datum, _ in read_spanned(text, name)]


def read_spanned(
    text: str, name: str = "<string>", *, fold_case: bool = False
) -> list[tuple[Any, Span | None]]:
    """(datum, span) for every datum in text: also where a symbol, number or () was.

    fold_case: read as if the text began with #!fold-case (include-ci)."""
    if not fold_case:
        try:
            return fast_read(text, name)[0]
        except Fallback:
            pass
    return read_spanned_lark(text, name, fold_case=fold_case)


def read_spanned_lark(
    text: str, name: str = "<string>", *, fold_case: bool = False
) -> list[tuple[Any, Span | None]]:
    """read_spanned by the Lark grammar alone (what fastread.py must agree with)."""
    source = Source(name, text)
    try:
        cleaned = prescan(text)
    except ScanError as e:
        raise ReadError(e.message, span=_span_at(source, e.pos)) from None
    from lark.exceptions import UnexpectedInput

    with _LOCK:
        _BUILDER.reset(source, text, fold_case)
        try:
            return _parser().parse(cleaned)
        except ReadError:
            raise
        except UnexpectedInput as e:
            raise _convert(e, source, cleaned) from None


def _span_at(source: Source, pos: int) -> Span:
    text = source.text
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return Span(source, line, col)


def _convert(e: UnexpectedInput, source: Source, cleaned: str) -> ReadError:
    """A Lark error as a ReadError that says what was wrong and where."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    if isinstance(e, UnexpectedCharacters):
        pos = e.pos_in_stream
        end = pos
        while end < len(cleaned) and cleaned[end] not in _DELIMITERS:
            end += 1
        bad = cleaned[pos:end] or cleaned[pos : pos + 1]
        if bad[0].isdigit() or (bad[0] in "+-." and len(bad) > 1 and bad[1].isdigit()):
            msg = f"bad syntax: {bad} (not a number in R7RS syntax, and not a symbol)"
        elif bad.startswith("#"):
            msg = f"bad syntax: {bad} (unknown # notation)"
        elif cleaned[pos] == '"':
            msg = 'unterminated string (no closing ")'
        elif cleaned[pos] == "|":
            msg = "unterminated |symbol| (no closing |)"
        elif bad.startswith("."):
            msg = f"bad syntax: {bad}"
        else:
            msg = f"unexpected character {cleaned[pos]!r}"
        return ReadError(msg, span=_span_at(source, pos))
    if isinstance(e, (UnexpectedToken, UnexpectedEOF)):
        tok = getattr(e, "token", None)
        if tok is None or tok.type == "$END":
            opens = unclosed_parens(cleaned)
            if opens:
                return ReadError(
                    "unexpected end of input: this '(' is never closed",
                    span=_span_at(source, opens[0]),
                )
            return ReadError("unexpected end of input", span=_span_at(source, len(cleaned)))
        where = _span_at(source, tok.start_pos)
        if tok.type == "RPAR":
            before = cleaned[: tok.start_pos]
            if not unclosed_parens(before):
                return ReadError("unexpected ')' (no '(' to close)", span=where)
            last = _last_lexeme(before)
            if last == ".":
                return ReadError("unexpected ')': a datum must follow '.'", span=where)
            if last in _QUOTES:
                return ReadError(f"unexpected ')': {last} must be followed by a datum", span=where)
            return ReadError("unexpected ')'", span=where)
        if tok.type == "DOT":
            return ReadError("unexpected '.' (a dotted pair needs (a . b))", span=where)
        if set(getattr(e, "expected", ())) == {"RPAR"}:
            return ReadError(
                f"unexpected {tok!s}: exactly one datum may follow '.' before ')'", span=where
            )
        return ReadError(f"unexpected {tok!s}", span=where)
    return ReadError(str(e))


def _last_lexeme(text: str) -> str | None:
    """The text of the last lexeme in text that is not a comment."""
    last = None
    try:
        for kind, start, end in lexemes(text):
            if kind != "comment":
                last = text[start:end]
    except ScanError:
        return None
    return last


def read_datum(text: str, pos: int = 0, name: str = "<string>") -> tuple[Any, int]:
    """The first datum at or after pos and the position after it; (EOF, len) if none."""
    if text.find("#!", 0, pos) < 0:  # no fold-case directive before pos
        try:
            found, end = fast_read(text, name, pos, first_only=True)
            return (found[0][0], end) if found else (EOF, len(text))
        except Fallback:
            pass
    try:
        extent = datum_extent(text, pos)
    except ScanError as e:
        raise ReadError(e.message, span=_span_at(Source(name, text), e.pos)) from None
    if extent is None:
        return EOF, len(text)
    start, end = extent
    # Keep the line structure so spans still point at the right place.
    piece = "".join(c if c == "\n" else " " for c in text[:start]) + text[start:end]
    fold = False
    if "#!" in text[:start]:
        for _, on in _fold_marks(text[:start]):
            fold = on
    datums = [d for d, _ in read_spanned(piece, name, fold_case=fold)]
    return datums[0], end


def read_one(text: str, name: str = "<string>") -> Any:
    """Exactly one datum from text (ReadError if there are none or several)."""
    datums = read_all(text, name)
    if len(datums) != 1:
        raise ReadError(f"expected one datum, found {len(datums)}")
    return datums[0]
