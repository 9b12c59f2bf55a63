"""The read cache: JSON of plain data, used only from a private directory."""

from __future__ import annotations

import json
import os
import pickle

import pytest

from scheme import NIL, Pair, Symbol, list_from, write_string
from scheme.read.readcache import cache_dir, read_spanned_cached

TEXT = """(define (f x) (* x 2))
(display "hi") #\\a #(1 2.5 1/3) #u8(1 2) (a . b) #t #f () -0.0 +inf.0 sym
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("COMMERCE_FLOWS_CACHE_DIR", str(d))
    monkeypatch.delenv("COMMERCE_FLOWS_NO_CACHE", raising=False)
    return d


def _shape(forms):
    return [
        (write_string(d), None if s is None else (s.source.name, s.line, s.col)) for d, s in forms
    ]


def test_the_test_session_never_writes_under_home():
    assert str(cache_dir()).startswith(os.environ["COMMERCE_FLOWS_CACHE_DIR"])
    assert not str(cache_dir()).startswith(os.path.expanduser("~/.cache"))


def test_a_warm_read_gives_the_same_data_and_spans(cache):
    cold = read_spanned_cached(TEXT, "t.scm")
    entries = list(cache.glob("*.json"))
    assert len(entries) == 1
    json.loads(entries[0].read_bytes())  # plain JSON, nothing that could run
    warm = read_spanned_cached(TEXT, "t.scm")
    assert warm is not cold
    assert _shape(warm) == _shape(cold)
    inner = warm[0][0].cdr.car  # (f x): spans of nested lists survive
    assert (inner.span.line, inner.span.col) == (1, 9)
    assert (cache.stat().st_mode & 0o777) == 0o700


def _poison(cache, text):
    """Overwrite the entry for text with another program's data."""
    read_spanned_cached(text, "p.scm")
    (entry,) = cache.glob("*.json")
    evil = json.loads(entry.read_bytes())
    evil[0][0] = ["s", "evil"]
    entry.write_text(json.dumps(evil))
    return entry


def test_an_entry_others_can_write_is_not_used(cache):
    entry = _poison(cache, "(good)")
    os.chmod(entry, 0o666)
    assert write_string(read_spanned_cached("(good)", "p.scm")[0][0]) == "(good)"


def test_a_directory_others_can_write_is_not_used(cache):
    _poison(cache, "(good)")
    os.chmod(cache, 0o777)
    assert write_string(read_spanned_cached("(good)", "p.scm")[0][0]) == "(good)"
    os.chmod(cache, 0o700)
    assert write_string(read_spanned_cached("(good)", "p.scm")[0][0]) == "evil"  # check works


def test_a_pickle_in_the_cache_is_never_unpickled(cache):
    read_spanned_cached("(good)", "p.scm")
    (entry,) = cache.glob("*.json")

    class Boom:
        def __reduce__(self):
            return (pytest.fail, ("unpickled",))

    entry.write_bytes(pickle.dumps(Boom()))
    assert write_string(read_spanned_cached("(good)", "p.scm")[0][0]) == "(good)"


def test_shared_structure_is_not_cached_as_copies(cache, monkeypatch):
    # datum labels (#0= #0#) give the reader shared structure; JSON would copy it
    import scheme.read.readcache as rc

    shared = Pair(Symbol("a"), NIL)
    monkeypatch.setattr(
        rc, "read_spanned", lambda text, name: [(list_from([shared, shared]), None)]
    )
    for _ in range(2):
        ((d, _),) = read_spanned_cached("(#0=(a) #0#)", "s.scm")
        assert d.car is d.cdr.car
    assert not list(cache.glob("*.json"))


def test_no_cache_when_turned_off(cache, monkeypatch):
    monkeypatch.setenv("COMMERCE_FLOWS_NO_CACHE", "1")
    read_spanned_cached("(x)", "n.scm")
    assert not cache.exists()


def test_the_reader_sources_the_cache_key_hashes_all_exist():
    # a source that moved or was misspelt would be hashed as its name only, so a change
    # to it would never make cached reads stale
    from scheme.read import readcache

    for name in readcache._READER_FILES:
        assert (readcache._HERE / name).is_file(), name
