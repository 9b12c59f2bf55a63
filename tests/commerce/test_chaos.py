"""Chaos: a worker begins and settles orders while this process SIGKILLs it at random
moments. After each kill: reopen, check what holds at every commit before anything heals
it (race_support.check_commits: a service that commits its ledger write and its flow step
in two transactions fails it), redeliver the webhook of every order not yet fulfilled
(as a payment provider would), and check every invariant (race_support). $CHAOS_KILLS
sets the number of kills (100 by default)."""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

from commerce.errors import InsufficientStockError
from commerce.pricing.api import Session

from ..processes import CTX
from .orders_fixtures import SHOP, START, engine
from .race_support import check_commits, check_invariants

KILLS = int(os.environ.get("CHAOS_KILLS", "100"))


def _cart(n: int):
    s = Session(SHOP, jurisdiction="UK", at=START)
    s.add("MUG", 1)  # untracked: never short
    if n % 3 == 0:
        s.add("MUG", 1, variant="plain")  # 25 on hand: runs out during the run
    return s.cart


def _worker(db: str, first: int) -> None:
    e = engine(Path(db))
    n = first
    while True:  # bounded by the parent's kill
        c = _cart(n)
        q = e.quote(c, jurisdiction="UK", at=START)
        try:
            e.orders.begin(f"o-{n}", c, q)
            e.orders.settle(f"o-{n}", f"pay-{n}", q.total)
        except InsufficientStockError:
            pass
        n += 1


def _redeliver(db: Path) -> int:
    """What the provider does after the shop went away: every unfulfilled order's payment
    again (an order whose begin never committed was never offered to the customer)."""
    e = engine(db)
    try:
        count = 0
        for order in e.ledger.streams():
            s = e.orders.summary(order)
            if s.status != "fulfilled":
                n = order.split("-")[1]
                e.orders.settle(order, f"pay-{n}", s.total)
                count += 1
        return count
    finally:
        e.close()


def test_a_worker_killed_at_random_moments_loses_and_doubles_nothing(tmp_path):
    db = tmp_path / "shop.db"
    engine(db).close()
    rng = random.Random(20261202)
    first, redelivered = 0, 0
    for _ in range(KILLS):
        p = CTX.Process(target=_worker, args=(str(db), first))
        p.start()
        time.sleep(rng.uniform(0.02, 0.35))
        os.kill(p.pid, signal.SIGKILL)
        p.join(30)
        assert p.exitcode == -signal.SIGKILL
        check_commits(db)  # as the kill left it: before a redelivery heals anything
        redelivered += _redeliver(db)
        summaries = check_invariants(db)
        for s in summaries.values():
            assert s.status == "fulfilled" and s.paid == s.total and len(s.payments) == 1
        first = max([int(o.split("-")[1]) for o in summaries] or [-1]) + 1
    assert first > KILLS // 2  # the worker got real work done between kills
    e = engine(db)
    plain = e.stock.available("MUG", "plain")
    e.close()
    assert plain is not None and plain >= 0
