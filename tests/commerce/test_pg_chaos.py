"""Chaos on PostgreSQL with several `commerce worker` processes.

WORKERS real `commerce worker` processes serve one database while a shop process begins
orders and pays them -- half of them fully (settle), half only up to the payment step, as
a crash between the two transactions of a settle leaves them, so the workers have
fulfilments to race for (and to race the settles of redelivered webhooks for). This
process SIGKILLs the shop process at random moments and a random worker at about every
other one (starting a fresh worker in its place). After each kill, while the workers run,
one snapshot (REPEATABLE READ) of every order must show what holds at every commit: the
flow's log a prefix of reserve, payment, fulfil, each once; past payment exactly when
paid in full; fulfilled in the flow exactly when in the ledger -- so a service that
commits its ledger write and its flow step in two transactions is caught even when a
later redelivery would heal it. Then the provider redelivers every order's webhook (an
acknowledgement lost: the paid ones too) while the workers keep running; once nothing is
left pending, the workers are stopped with SIGTERM (exit 0, one line each) and every
invariant is checked (race_support): one flow per order, never fulfilled unpaid, each
payment ref once, ledger and flow agree, stock never below zero, no id reused -- and
every order paid exactly once and fulfilled exactly once. $PG_CHAOS_KILLS sets the number
of kills (16 by default).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from commerce.errors import CommerceError, InsufficientStockError
from commerce.ledger.events import OrderFulfilled, PaymentRecorded
from commerce.pricing.api import Session
from flowhost import Symbol

from ..pgtest import pg_url
from ..processes import CTX
from .orders_fixtures import ROOT, SHOP, START, engine
from .race_support import check_commits, check_invariants

KILLS = int(os.environ.get("PG_CHAOS_KILLS", "16"))
WORKERS = 3


def _cart(n: int):
    s = Session(SHOP, jurisdiction="UK", at=START)
    s.add("MUG", 1)  # untracked: never short
    if n % 3 == 0:
        s.add("MUG", 1, variant="plain")  # 25 on hand: runs out during the run
    return s.cart


def _shop(url: str, first: int, ready) -> None:
    e = engine(url)
    ready.set()
    n = first
    while True:  # bounded by the parent's kill
        c = _cart(n)
        q = e.quote(c, jurisdiction="UK", at=START)
        order = f"o-{n}"
        try:
            e.orders.begin(order, c, q)
            if n % 2:
                e.orders.settle(order, f"pay-{n}", q.total)
            else:  # paid, flow past payment, fulfilment left to a worker
                flow_id = e.orders.flow_of(order)
                with e.db.transaction():
                    e.ledger.append_once(
                        order, PaymentRecorded(at=1, ref=f"pay-{n}", amount=q.total)
                    )
                    e.flows.resume(flow_id, Symbol("paid"), kind="payment", serve=False)
        except InsufficientStockError:
            pass
        n += 1


def _worker(url: str) -> subprocess.Popen:
    """A `commerce worker` process (starting: see _serving)."""
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "commerce",
            "worker",
            "--db",
            url,
            "--poll",
            "0.2",
            "--shop",
            str(ROOT / "examples" / "shop.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return p


def _serving(p: subprocess.Popen) -> None:
    """Wait for a worker's first line: it serves, its signal handlers are in place."""
    assert p.stderr is not None and p.stderr.readline().startswith("worker: answering")


def _redeliver(url: str) -> None:
    """The provider's retries: every order's payment again (once more for the paid ones:
    their acknowledgement was lost), each recorded once whatever the workers do meanwhile."""
    e = engine(url)
    try:
        for order in e.ledger.streams():
            s = e.orders.summary(order)
            for attempt in range(5):
                try:
                    e.orders.settle(order, f"pay-{order.split('-')[1]}", s.total)
                    break
                except CommerceError:  # a conflict that outlived the service's retries
                    if attempt == 4:
                        raise
    finally:
        e.close()


def _pending(url: str) -> int:
    e = engine(url)
    try:
        return sum(r.kind in ("reserve", "fulfil") for r in e.flows.requests())
    finally:
        e.close()


def test_workers_and_a_shop_killed_at_random_keep_every_promise_on_postgres():
    url = pg_url()
    engine(url).close()  # the schema before anyone races to create it
    rng = random.Random(20261203)
    workers = [_worker(url) for _ in range(WORKERS)]
    killed_workers, first = 0, 0
    try:
        for _ in range(KILLS):
            ready = CTX.Event()
            shop = CTX.Process(target=_shop, args=(url, first, ready))
            shop.start()
            assert ready.wait(60)
            time.sleep(rng.uniform(0.05, 0.8))
            if rng.random() < 0.5:
                i = rng.randrange(WORKERS)
                workers[i].kill()
                workers[i].communicate(timeout=30)
                killed_workers += 1
                workers[i] = _worker(url)
            os.kill(shop.pid, signal.SIGKILL)
            shop.join(30)
            assert shop.exitcode == -signal.SIGKILL
            e = engine(url)
            first = max([int(o.split("-")[1]) for o in e.ledger.streams()] or [-1]) + 1
            e.close()
            checked = check_commits(url)  # while the workers run
        assert checked > KILLS // 2
        _redeliver(url)  # while the workers run: settles race them for the fulfilments
        deadline = time.monotonic() + 60
        while _pending(url) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _pending(url) == 0, "the workers left requests pending"
    finally:
        for w in workers:
            _serving(w)
            w.send_signal(signal.SIGTERM)
        lines = [w.communicate(timeout=60) for w in workers]
    for w, (out, err) in zip(workers, lines):
        assert w.returncode == 0, err
        assert len(out.strip().splitlines()) == 1 and "stopped by SIGTERM" in out, out
    summaries = check_invariants(url)
    e = engine(url)
    try:
        for order, s in summaries.items():
            assert s.status == "fulfilled" and s.paid == s.total and len(s.payments) == 1, order
            assert sum(isinstance(ev, OrderFulfilled) for ev in e.ledger.events(order)) == 1
    finally:
        e.close()
    assert first > KILLS // 2 and killed_workers >= KILLS // 4
    # the even orders were paid only up to the payment step: nobody but a worker fulfils them
    assert any(int(o.split("-")[1]) % 2 == 0 and s.paid for o, s in summaries.items())
