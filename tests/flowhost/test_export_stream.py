"""The streamed export (issue 10): the same document host.export() gives, written a page of
flows at a time from the stored text, on every store."""

from __future__ import annotations

import io
import json
from fractions import Fraction

import pytest

from flowhost import FlowHost, MemoryStore
from flowhost.data import Dotted
from flowhost.exchange import Origin, read_export, write_export
from scheme import Symbol

from ..pgtest import pg_url

SRC = """
(defflow echo (lambda (x) (request 'echo x)))
(defflow twice (lambda (x) (list (request 'a x) (request 'b x))))
(defflow boom (lambda () (request 'first 1) (car '())))
"""
VALUES = [1, "ünïcode ☃", [1, [2, "x"]], (Symbol("v"), 1.5), Fraction(1, 3), Dotted([1], 2)]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def host(request, tmp_path):
    if request.param == "memory":
        h = FlowHost(MemoryStore())
    else:
        h = FlowHost.open(tmp_path / "s.db" if request.param == "sqlite" else pg_url())
    h.load_source(SRC)
    for i, v in enumerate(VALUES):
        h.start("echo", v, key=f"k-{i}" if i % 2 else None)
    h.resume(1, VALUES[2])  # done
    h.start("twice", "t")
    h.resume(len(VALUES) + 1, Symbol("one"))
    r = h.start("boom")
    h.resume(r.id, 0)  # failed
    h.cancel(2)
    yield h
    h.close()


def streamed(host: FlowHost, page: int) -> str:
    out = io.StringIO()
    store = host.store
    with store.transaction():
        origin = Origin(store.store_id(), store.stamp())
        n = write_export(out, store.next_id(), origin, store.flow_texts(page))
    assert n == len(store.ids())
    return out.getvalue()


@pytest.mark.parametrize("page", [1, 3, 1000])
def test_the_stream_is_the_export(host, page):
    text = streamed(host, page)
    assert json.loads(text) == host.export()
    assert len(text.splitlines()) == len(host.store.ids()) + 2  # one flow per line


def test_the_stream_imports_back(host, tmp_path):
    data = read_export(streamed(host, 2))
    again = FlowHost(MemoryStore())
    again.load_source(SRC)
    again.import_(data)
    assert again.export()["flows"] == host.export()["flows"]
