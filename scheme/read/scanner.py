"""A light scan of Scheme text for what the Lark grammar cannot express.

Nested block comments `#| ... |#`, datum comments `#;` and `#!fold-case`-style directives
are not regular; `prescan` blanks them out (newlines kept, so every position stays
put) before Lark parses. The same lexeme walk tells the REPL whether an entry is complete
(`needs_more`) and finds where the first datum of a text ends (`datum_extent`, used by
`read` on string ports). Everything here loops; nothing recurses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_LEXEME = re.compile(
    r"""
     (?P<ws>\s+)
    |(?P<line>;[^\n]*)
    |(?P<block>\#\|)
    |(?P<dcom>\#;)
    |(?P<directive>\#![A-Za-z][A-Za-z0-9-]*)
    |(?P<str>"(?:[^"\\]|\\.)*(?:"|\Z))
    |(?P<bar>\|(?:[^|\\]|\\.)*(?:\||\Z))
    |(?P<char>\#\\.[^\s()";|]*)
    |(?P<open>\(|\#\(|\#[uU]8\()
    |(?P<close>\))
    |(?P<quote>,@|[',`]|\#[0-9]+=)
    |(?P<atom>[^\s()";|]+)
    """,
    re.X | re.S,
)
_BLOCK_EDGE = re.compile(r"\#\||\|\#")


class ScanError(Exception):
    """Malformed text found while scanning: `pos` is where, `message` says what."""

    def __init__(self, message: str, pos: int, incomplete: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.incomplete = incomplete


def _block_end(text: str, start: int) -> int:
    """End of the nested block comment opening at start."""
    depth = 0
    pos = start
    while True:
        m = _BLOCK_EDGE.search(text, pos)
        if m is None:
            raise ScanError("unterminated block comment '#|'", start, incomplete=True)
        depth += 1 if m.group() == "#|" else -1
        pos = m.end()
        if depth == 0:
            return pos


def lexemes(text: str, pos: int = 0) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) for each lexeme from pos; comments come out as kind 'comment'."""
    n = len(text)
    while pos < n:
        m = _LEXEME.match(text, pos)
        if m is None:  # cannot happen: `atom` matches any non-delimiter
            raise ScanError(f"unexpected character {text[pos]!r}", pos)
        kind = m.lastgroup
        end = m.end()
        if kind == "ws":
            pos = end
            continue
        if kind == "block":
            end = _block_end(text, pos)
            kind = "comment"
        elif kind in ("line", "directive"):
            kind = "comment"
        elif kind == "str":
            if end == n and (end - pos < 2 or text[end - 1] != '"' or _escaped(text, end - 1)):
                raise ScanError("unterminated string", pos, incomplete=True)
            kind = "atom"
        elif kind == "bar":
            if end == n and (end - pos < 2 or text[end - 1] != "|" or _escaped(text, end - 1)):
                raise ScanError("unterminated |symbol|", pos, incomplete=True)
            kind = "atom"
        elif kind == "char":
            kind = "atom"
        yield kind, pos, end
        pos = end


def _escaped(text: str, i: int) -> bool:
    """Is the character at i preceded by an odd number of backslashes?"""
    count = 0
    i -= 1
    while i >= 0 and text[i] == "\\":
        count += 1
        i -= 1
    return count % 2 == 1


class _Level:
    __slots__ = ("open_pos", "prefixes")

    def __init__(self, open_pos: int) -> None:
        self.open_pos = open_pos
        self.prefixes: list[tuple[str, int]] = []


def _walk(text: str, pos: int, stop_after_first: bool):
    """Walk datums from pos. Yields ('blank', start, end) for comment ranges and
    ('datum', start, end) for each complete top-level datum; ('unclosed', pos, 0) at the
    end for each '(' never closed, outermost first."""
    levels = [_Level(-1)]
    for kind, start, end in lexemes(text, pos):
        if kind == "comment":
            if text.startswith("#|", start) or text.startswith("#!", start):
                yield "blank", start, end
            continue
        level = levels[-1]
        if kind == "dcom":
            level.prefixes.append(("c", start))
            continue
        if kind == "quote":
            level.prefixes.append(("q", start))
            continue
        if kind == "open":
            levels.append(_Level(start))
            continue
        if kind == "atom" and level.prefixes and text[start:end] == ".":
            kind_, at = level.prefixes[-1]
            what = "#;" if kind_ == "c" else "quote"
            raise ScanError(f"{what} must be followed by a datum, not '.'", at)
        if kind == "close":
            if len(levels) == 1:
                yield "datum", start, end  # a stray ')': let the parser report it
                continue
            done = levels.pop()
            if done.prefixes:
                kind_, at = done.prefixes[-1]
                what = "#;" if kind_ == "c" else "quote"
                raise ScanError(f"{what} has no datum after it", at)
            start = done.open_pos
            level = levels[-1]
        # A datum [start, end) is complete at `level`: apply pending prefixes.
        while level.prefixes:
            kind_, at = level.prefixes.pop()
            if kind_ == "q":
                start = at
                continue
            yield "blank", at, end
            break
        else:
            if len(levels) == 1:
                yield "datum", start, end
                if stop_after_first:
                    return
    for level in levels[1:]:
        yield "unclosed", level.open_pos, 0
    if levels[0].prefixes:
        kind_, at = levels[0].prefixes[-1]
        what = "#;" if kind_ == "c" else "quote"
        raise ScanError(f"{what} has no datum after it", at, incomplete=True)


def prescan(text: str) -> str:
    """text with block comments, datum comments and directives replaced by spaces."""
    if "#|" not in text and "#;" not in text and "#!" not in text:
        return text
    ranges = sorted((start, end) for what, start, end in _walk(text, 0, False) if what == "blank")
    if not ranges:
        return text
    # Nested datum comments give nested ranges: merge them first, so each character is
    # blanked once (blanking every range in turn was quadratic in the nesting).
    out: list[str] = []
    at = 0
    for start, end in ranges:
        if end <= at:
            continue
        start = max(start, at)
        out.append(text[at:start])
        out.append(_blank(text[start:end]))
        at = end
    out.append(text[at:])
    return "".join(out)


def _blank(piece: str) -> str:
    """piece with every character but newlines made a space."""
    return "\n".join(" " * len(line) for line in piece.split("\n"))


def unclosed_parens(text: str) -> list[int]:
    """Positions of '(' that are never closed, outermost first ([] if the scan fails)."""
    try:
        return [start for what, start, _ in _walk(text, 0, False) if what == "unclosed"]
    except ScanError:
        return []


def needs_more(text: str) -> bool:
    """True when text is an unfinished entry: open parens, an open string or comment."""
    try:
        for what, _, _ in _walk(text, 0, False):
            if what == "unclosed":
                return True
    except ScanError as e:
        return e.incomplete
    return False


def datum_extent(text: str, pos: int) -> tuple[int, int] | None:
    """(start, end) of the first datum at or after pos, or None if none is left."""
    for what, start, end in _walk(text, pos, True):
        if what == "datum":
            return start, end
        if what == "unclosed":
            raise ScanError("missing ')'", start, incomplete=True)
    return None
