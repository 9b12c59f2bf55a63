"""A cache of read results for source files, like Python's __pycache__ for .pyc.

Reading a file costs a Lark import (40 ms) and a parse; the data it gives depend only on
the text, the file name and the reader. So `read_spanned_cached` keeps the (datum, span)
list in a pickle under $XDG_CACHE_HOME/commerce-flows/scheme (or ~/.cache/...), keyed by
a hash of those three, and a warm start loads it in about a millisecond without
importing Lark. Anything wrong with the cache (unreadable, stale format, no disk space)
just means reading the text again; COMMERCE_FLOWS_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from .errors import Span
from .reader import read_spanned

_HERE = Path(__file__).parent
# The reader's own sources: when any of them changes, every cached entry is stale.
_READER_FILES = (
    "grammar.lark",
    "reader.py",
    "scanner.py",
    "numparse.py",
    "types.py",
    "errors.py",
    "readcache.py",
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
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "commerce-flows" / "scheme"


def read_spanned_cached(text: str, name: str) -> list[tuple[Any, Span | None]]:
    """read_spanned(text, name), from the cache when it was read before."""
    if os.environ.get("COMMERCE_FLOWS_NO_CACHE"):
        return read_spanned(text, name)
    key = hashlib.sha256(f"{_reader_version()}\0{name}\0{text}".encode()).hexdigest()
    path = cache_dir() / key[:2] / f"{key}.pickle"
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
        if isinstance(data, list):
            return data
    except Exception:  # noqa: BLE001 -- any unusable entry is simply read again
        pass
    data = read_spanned(text, name)
    _store(path, data)
    return data


def _store(path: Path, data: list) -> None:
    try:
        blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except (RecursionError, pickle.PicklingError):
        return  # deeply nested data: not worth caching
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, path)
    except OSError:
        pass
