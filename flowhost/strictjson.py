"""Strict JSON text, read like a database reads its input: `strict_loads(text, where)`.

Python's json module accepts what a store must refuse -- a key given twice (the last one
silently wins: `"flows"` twice empties an import), `NaN` / `Infinity` / `1e999`, strings
holding a lone surrogate (which no UTF-8 file or database column can hold) -- and it
recurses, so deep nesting is a RecursionError and a 5,000-digit number a bare ValueError.
Here the fast path is still json.loads (with hooks that refuse the first two); when it
fails for anything but a syntax error, a second pass that never recurses re-reads the text
token by token and either returns the value (input nested deeper than the C parser's stack
but within MAX_DEPTH) or names the first bad spot as a path: `flows[3].steps[2].value: ...`.
Every error is a `JSONTextError` (a ValueError) with one line of text.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# JSON nesting allowed: plain data may nest MAX_NESTING levels (data.py), and a vector is
# two JSON levels ({"$vector": [...]}), inside an export's own few levels.
MAX_DEPTH = 1_016
MAX_INT_DIGITS = 4_300  # Python's own limit for int <-> str

_SURROGATE = re.compile("[\ud800-\udfff]")
_TOKEN = re.compile(
    r'[ \t\n\r]*(?:(?P<s>"(?:[^"\\\x00-\x1f]|\\.)*")'
    r"|(?P<n>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"
    r"|(?P<p>[\[\]{}:,])|(?P<w>true|false|null|NaN|-?Infinity))",
    re.S,
)
_WORDS = {"true": True, "false": False, "null": None}
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")


class JSONTextError(ValueError):
    """JSON text that is malformed or that strict reading refuses; one line, with where."""


class _Refused(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Refused
    return out


def _constant(name: str) -> float:
    raise _Refused


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused
    return value


def _decoder() -> Any:
    return json.JSONDecoder(
        object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float
    ).decode


def has_surrogate(text: str) -> bool:
    """True when text holds a lone surrogate (not encodable as UTF-8)."""
    return _SURROGATE.search(text) is not None


_DECODE = _decoder()  # one decoder, made once (json.loads with hooks makes one per call)


def strict_loads(text: str | bytes, where: str = "the JSON text") -> Any:
    """The value of JSON text, refusing duplicate keys, non-finite numbers, integers of more
    than MAX_INT_DIGITS digits, lone surrogates and nesting past MAX_DEPTH (JSONTextError
    naming `where` and the spot inside it)."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise JSONTextError(
                f"{where}: not a JSON text file (not UTF-8: bad byte at offset {e.start})"
            ) from None
    try:
        if isinstance(text, str) and text.startswith("\ufeff"):  # as json.loads refuses it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        value = _DECODE(text)
    except json.JSONDecodeError as e:
        raise JSONTextError(
            f"{where}: not valid JSON (line {e.lineno}, column {e.colno}): {e.msg}"
        ) from None
    except (_Refused, RecursionError, ValueError, MemoryError):
        return _slow(text, where)
    if _SURROGATE.search(text) or ("\\u" in text and _escaped_surrogate(text)):
        return _slow(text, where)  # maybe a lone surrogate: find and name it
    return value


def _escaped_surrogate(text: str) -> bool:
    return re.search(r"\\u[dD][89abcdefABCDEF]", text) is not None


def render_path(where: str, frames: list[list]) -> str:
    """`where`, then the spot: each open container's current key or index."""
    parts: list[str] = []
    for frame in frames:
        if frame[0] == "[":
            parts.append(f"[{frame[2]}]")
        elif frame[3] is not None:
            key = frame[3]
            parts.append(f".{key}" if _IDENT.match(key) else f"[{json.dumps(key)[:40]}]")
    if len(parts) > 12:  # one readable line, however deep
        parts[6:-4] = [f"...({len(parts) - 10} levels)..."]
    spot = "".join(parts).lstrip(".")
    return f"{where}: {spot}" if spot else where


def _slow(text: str, where: str) -> Any:
    """Read text token by token, without recursion; the value, or the first bad spot."""
    frames: list[list] = []  # [kind, container, index, key, keys seen]
    pos = 0
    result: Any = None
    have = False

    def fail(problem: str) -> JSONTextError:
        return JSONTextError(f"{render_path(where, frames)}: {problem}")

    def put(value: Any) -> None:
        nonlocal result, have
        if not frames:
            result, have = value, True
            return
        top = frames[-1]
        if top[0] == "[":
            top[1].append(value)
        else:
            top[1][top[3]] = value

    while True:
        m = _TOKEN.match(text, pos)
        if m is None:
            if text[pos:].strip(" \t\n\r") == "" and have and not frames:
                return result
            raise JSONTextError(f"{where}: not valid JSON at offset {pos}")
        pos = m.end()
        kind = m.lastgroup
        tok = m.group(kind)  # type: ignore[arg-type]
        if kind == "p":
            if tok in "[{":
                if len(frames) >= MAX_DEPTH:
                    raise fail(f"nested too deeply (more than {MAX_DEPTH} levels)")
                frames.append(["[", [], 0, None, None] if tok == "[" else ["{", {}, 0, None, set()])
            elif tok in "]}":
                if not frames:
                    raise JSONTextError(f"{where}: not valid JSON at offset {m.start(kind)}")
                done = frames.pop()[1]
                put(done)
                if not frames:
                    rest = text[pos:].strip(" \t\n\r")
                    if rest:
                        raise JSONTextError(f"{where}: extra data after the JSON value")
                    return result
            elif tok == ",":
                if frames and frames[-1][0] == "[":
                    frames[-1][2] += 1
                elif frames:
                    frames[-1][3] = None
            continue
        if kind == "s":
            value = json.loads(tok)  # one flat string: no recursion
            if _SURROGATE.search(value):
                raise fail("a string holds a lone surrogate (not Unicode text)")
            top = frames[-1] if frames else None
            if top is not None and top[0] == "{" and top[3] is None:
                if value in top[4]:
                    top[3] = value
                    raise fail("this key is given twice in one object")
                top[4].add(value)
                top[3] = value
                continue
            put(value)
        elif kind == "n":
            digits = len(tok.split(".")[0].split("e")[0].split("E")[0].lstrip("-"))
            if "." not in tok and "e" not in tok and "E" not in tok:
                if digits > MAX_INT_DIGITS:
                    raise fail(f"an integer of {digits} digits (at most {MAX_INT_DIGITS})")
                put(int(tok))
            else:
                value = float(tok)
                if not math.isfinite(value):
                    raise fail(f"{tok[:20]} is not a finite number")
                put(value)
        else:
            if tok not in _WORDS:
                raise fail(f"{tok} is not a JSON number (only finite numbers are)")
            put(_WORDS[tok])
        if not frames:
            if text[pos:].strip(" \t\n\r"):
                raise JSONTextError(f"{where}: extra data after the JSON value")
            return result
