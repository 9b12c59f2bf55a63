"""Shared fixtures: hosts on each store, with the project's flows loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowhost import FlowHost

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "flows"

TEST_FLOWS = """
(defflow looper
  (lambda (n)
    (let loop ((i 0) (acc 0))
      (if (= i n) acc (loop (+ i 1) (+ acc (request 'tick i)))))))
(defflow deep
  (lambda (n)
    (define (down k) (if (= k 0) (request 'bottom n) (+ 1 (down (- k 1)))))
    (down n)))
(defflow echo (lambda (x) (request 'echo x)))
(defflow boom (lambda () (request 'first 1) (car '())))
(defflow spin (lambda () (let loop () (loop))))
"""


def make_host(store: str, tmp_path: Path, **options: object) -> FlowHost:
    """A host on a memory or SQLite store with order, refund and the test flows loaded."""
    host = (
        FlowHost.open(tmp_path / "flows.db", **options)
        if store == "sqlite"
        else FlowHost(**options)
    )
    host.load_file(FLOWS / "order.scm")
    host.load_file(FLOWS / "refund.scm")
    host.load_source(TEST_FLOWS, "test-flows.scm")
    return host


@pytest.fixture(params=["memory", "sqlite"])
def host(request: pytest.FixtureRequest, tmp_path: Path):
    h = make_host(request.param, tmp_path)
    yield h
    h.close()


@pytest.fixture
def mem_host(tmp_path: Path):
    h = make_host("memory", tmp_path)
    yield h
    h.close()
