"""A cache of read results for source files, like Python's __pycache__ for .pyc.

Reading a file costs a Lark import (40 ms) and a parse; the data it gives depend only on
the text, the file name and the reader. So `read_spanned_cached` keeps the (datum, span)
list of a file, keyed by a hash of those three, and a warm start loads it in a few
milliseconds without importing Lark.

Safety: an entry is JSON of plain data (numbers, strings, lists) decoded by a strict
reader of our own, so a poisoned entry cannot run code; and an entry is used only when
the file and its directory belong to the current user and nobody else may write them
(the directory is created with mode 0700), so another user cannot substitute a program
for the file either. Data the format cannot express exactly (shared or circular
structure, objects of other types) is simply not cached.

Where: $COMMERCE_FLOWS_CACHE_DIR, else $XDG_CACHE_HOME/commerce-flows/scheme (or
~/.cache/...). COMMERCE_FLOWS_NO_CACHE=1 turns the cache off. Anything wrong with it
(unreadable, stale, foreign, no disk space) just means reading the text again.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..errors import Source, Span
from ..types import FALSE, NIL, TRUE, Bytevector, Char, MString, Pair, Symbol, Vector
from .reader import read_spanned

FORMAT = 1
_HERE = Path(__file__).parents[1]  # scheme/
# The reader's own sources: when any of them changes, every cached entry is stale.
_READER_FILES = (
    "read/grammar.lark",
    "read/reader.py",
    "read/fastread.py",
    "read/scanner.py",
    "read/numparse.py",
    "types.py",
    "errors.py",
    "read/readcache.py",
)
_reader_hash: str | None = None


def _reader_version() -> str:
    global _reader_hash
    if _reader_hash is None:
        h = hashlib.sha256()
        for name in _READER_FILES:
            try:
                h.update((_HERE / name).read_bytes())
            except OSError:
                h.update(name.encode())
        _reader_hash = h.hexdigest()[:16]
    return _reader_hash


def cache_dir() -> Path:
    """Where cached reads live."""
    explicit = os.environ.get("COMMERCE_FLOWS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "commerce-flows" / "scheme"


def is_private(st: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else."""
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read_spanned_cached(text: str, name: str) -> list[tuple[Any, Span | None]]:
    """read_spanned(text, name), from the cache when it was read before."""
    if os.environ.get("COMMERCE_FLOWS_NO_CACHE") or not hasattr(os, "getuid"):
        return read_spanned(text, name)
    key = hashlib.sha256(f"{FORMAT}\0{_reader_version()}\0{name}\0{text}".encode()).hexdigest()
    directory = cache_dir()
    path = directory / f"{key}.json"
    data = _load(directory, path, name, text)
    if data is not None:
        return data
    data = read_spanned(text, name)
    _store(directory, path, data)
    return data


def _load(directory: Path, path: Path, name: str, text: str) -> list | None:
    try:
        if not is_private(os.stat(directory)):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            if not is_private(os.fstat(fh.fileno())):
                return None
            blob = fh.read()
        return _Decoder(Source(name, text)).forms(json.loads(blob))
    except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None


def _store(directory: Path, path: Path, data: list) -> None:
    try:
        blob = json.dumps([[_encode(d, set()), _span(s)] for d, s in data]).encode()
    except (_Unencodable, RecursionError):
        return
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not is_private(os.stat(directory)):
            return
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, path)
    except OSError:
        pass


class _Unencodable(Exception):
    pass


def _span(s: Span | None) -> list | None:
    return None if s is None else [s.line, s.col]


def _encode(x: Any, seen: set) -> Any:
    """Plain JSON data for a datum the reader made; _Unencodable when it cannot be exact."""
    t = type(x)
    if t is int:
        return x
    if t is Symbol:
        return ["s", x.name]
    if x is NIL or x is TRUE or x is FALSE:
        return ["n"] if x is NIL else ["b", x is TRUE]
    if id(x) in seen:  # shared structure (datum labels) would come back as copies
        raise _Unencodable
    seen.add(id(x))
    if t is Pair:
        items, spans = [], []
        while type(x) is Pair:
            items.append(_encode(x.car, seen))
            spans.append(_span(x.span))
            x = x.cdr
            if type(x) is Pair:
                if id(x) in seen:
                    raise _Unencodable
                seen.add(id(x))
        return ["p", items, spans, _encode(x, seen)]
    if t is float:
        return ["f", repr(x)]
    if t is Fraction:
        return ["q", x.numerator, x.denominator]
    if t is MString:
        return ["t", x.s, _span(x.span)]
    if t is Char:
        return ["c", x.ch]
    if t is Vector:
        return ["v", [_encode(i, seen) for i in x.items], _span(x.span)]
    if t is Bytevector:
        return ["y", list(x.data), _span(x.span)]
    raise _Unencodable


class _Decoder:
    """Rebuilds data from _encode's output; anything unexpected is a ValueError."""

    def __init__(self, source: Source) -> None:
        self.source = source

    def forms(self, blob: Any) -> list:
        return [(self.datum(d), self.span(s)) for d, s in blob]

    def span(self, s: Any) -> Span | None:
        if s is None:
            return None
        line, col = s
        if type(line) is not int or type(col) is not int:
            raise ValueError("bad span")
        return Span(self.source, line, col)

    def datum(self, x: Any) -> Any:
        if type(x) is int:
            return x
        tag = x[0]
        if tag == "s":
            return Symbol(_str(x[1]))
        if tag == "n":
            return NIL
        if tag == "b":
            return TRUE if x[1] is True else FALSE
        if tag == "p":
            _, items, spans, tail = x
            result = self.datum(tail)
            for item, span in zip(reversed(items), reversed(spans), strict=True):
                result = Pair(self.datum(item), result)
                result.span = self.span(span)
            return result
        if tag == "f":
            return float(_str(x[1]))
        if tag == "q":
            return Fraction(_int(x[1]), _int(x[2]))
        if tag == "t":
            s = MString(_str(x[1]))
            s.span = self.span(x[2])
            return s
        if tag == "c":
            return Char(_str(x[1]))
        if tag == "v":
            v = Vector([self.datum(i) for i in x[1]])
            v.span = self.span(x[2])
            return v
        if tag == "y":
            b = Bytevector(bytearray(_int(i) for i in x[1]))
            b.span = self.span(x[2])
            return b
        raise ValueError(f"bad tag {tag!r}")


def _str(x: Any) -> str:
    if type(x) is not str:
        raise ValueError("expected a string")
    return x


def _int(x: Any) -> int:
    if type(x) is not int:
        raise ValueError("expected an integer")
    return x
