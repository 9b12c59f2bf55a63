"""Several processes on one PostgreSQL database begin and settle the same orders at once.

Each trial empties the database, starts WORKERS processes that meet at a barrier and then
each begin and settle every order (in a different order per process, so they also race
for the last gold mugs), with the same payment ref in some processes and their own ref in
others. Invariants after each trial: one flow per order, never fulfilled unpaid, each
payment ref recorded once, every begun order fulfilled with each of its flow's requests
answered once, stock never below zero and every
unit reserved accounted for by exactly one order's claim.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections import Counter

import pytest

from commerce.errors import InsufficientStockError
from commerce.ledger.events import PaymentRecorded
from commerce.ledger.projections import FULFILLED, summary_of
from commerce.orders.engine import Engine

from ..pgtest import pg_url
from .orders_fixtures import SHOP, START, Clock, cart

WORKERS = 3
TRIALS = 6
ORDERS = ["o-1", "o-2", "o-3"]  # one gold mug each; the shop holds 2


def worker(url: str, me: int, barrier, results) -> None:
    e = Engine.open(url, SHOP, clock=Clock())
    c = cart(tea=1, gold=1, book=0)
    q = e.quote(c, jurisdiction="UK", at=START)
    mine = ORDERS[me % len(ORDERS) :] + ORDERS[: me % len(ORDERS)]
    barrier.wait(timeout=120)
    out = []
    for order in mine:
        try:
            e.orders.begin(order, c, q)
        except InsufficientStockError:
            out.append((order, "short"))
            continue
        ref = f"pay-{order}" if me % 2 == 0 else f"pay-{order}-w{me}"
        out.append((order, e.orders.settle(order, ref, q.total).outcome))
    e.close()
    results.put((me, out))


def trial(url: str) -> list:
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(url, me, barrier, results)) for me in range(WORKERS)]
    for p in procs:
        p.start()
    outs: list = []
    deadline = time.monotonic() + 300
    while len(outs) < WORKERS and time.monotonic() < deadline:
        try:
            outs.append(results.get(timeout=0.5))
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in procs):
                break  # a worker died: do not wait for its result
    for p in procs:
        p.join(timeout=60)
        if p.exitcode is None:
            p.kill()
    assert [p.exitcode for p in procs] == [0] * WORKERS, "a worker failed (see its traceback)"
    return outs


@pytest.mark.parametrize("n", range(TRIALS))
def test_workers_racing_on_the_same_orders_keep_every_promise(n):
    url = pg_url()
    Engine.open(url, SHOP, clock=Clock()).close()  # the schema, before the race
    outs = trial(url)
    e = Engine.open(url, SHOP, clock=Clock())
    try:
        flows = Counter(tuple(r.args) for r in e.flows.store.records())
        assert all(count == 1 for count in flows.values()), f"two flows for an order: {flows}"
        refs = Counter(
            rec.event.ref
            for _, stream in e.ledger.read_all()
            for rec in stream
            if isinstance(rec.event, PaymentRecorded)
        )
        assert all(count == 1 for count in refs.values()), f"a ref recorded twice: {refs}"
        begun = [o for o in ORDERS if e.ledger.exists(o)]
        assert len(begun) == 2, f"2 gold mugs, 3 orders: {begun} began ({outs})"
        for order in begun:
            s = summary_of(e.ledger, order)
            assert s.net >= s.total, f"{order} unpaid: {s}"
            assert s.status == FULFILLED, f"{order} paid but not fulfilled: {s}"
            assert e.orders.waiting_on(order) is None
            assert flows[(order,)] == 1
            log = [step.kind for step in e.flows.store.steps(e.orders.flow_of(order))]
            assert log == ["reserve", "payment", "fulfil"], f"{order}: each answered once: {log}"
        for order in set(ORDERS) - set(begun):
            assert e.orders.flow_of(order) is None  # a refused begin left no flow
        assert e.stock.available("MUG", "gold") == 0
        assert e.stock.available("TEA") == 10 - len(begun)
        every = e.stock.store.all_reserved()
        assert all(v >= 0 for v in every.values())
        assert every[("MUG", "gold")] == len(begun)
    finally:
        e.close()
