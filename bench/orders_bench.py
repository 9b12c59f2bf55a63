"""Orders benchmark: figures measured in one run, printed with their targets.

    .venv/bin/python bench/orders_bench.py [--orders N]

- orders per second through begin -> settle -> fulfil (each order: stock check, quote
  snapshot recorded, order flow started and reserved, payment recorded, flow resumed and
  fulfilled), in memory and on SQLite (one file for flows and ledger);
- reconciliation over the resulting orders (summaries folded from the ledger, then the
  kanren relations and the mismatch report);
- `commerce demo` wall time in a fresh process, interpreter start included (target < 2 s).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commerce.cli.demo import START, Clock  # noqa: E402
from commerce.ledger.recon import mismatch_report  # noqa: E402
from commerce.orders.engine import Engine  # noqa: E402
from commerce.pricing.api import Session  # noqa: E402
from commerce.pricing.files import load_shop  # noqa: E402

SHOP = load_shop(ROOT / "examples" / "shop.json")


def drive(engine: Engine, n: int) -> float:
    """Begin and settle n one-line orders; seconds. The item is the mug without a variant,
    whose stock the shop does not track, so the shelves never run out (the stock check
    still runs for every order)."""
    s = Session(SHOP, jurisdiction="UK", at=START)
    s.add("MUG", 1)
    cart = s.cart
    q = engine.quote(cart, jurisdiction="UK", at=START)
    t = time.perf_counter()
    for i in range(n):
        order = f"o-{i}"
        engine.orders.begin(order, cart, q)
        engine.orders.settle(order, f"pay-{i}", q.total)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=2000)
    args = ap.parse_args()
    n = args.orders
    print(f"orders benchmark ({n} orders)\n")

    mem = Engine(SHOP, clock=Clock())
    secs = drive(mem, n)
    print(f"  memory:  begin -> settle -> fulfil   {n / secs:8.0f} orders/s  ({secs:.2f} s)")
    t = time.perf_counter()
    report = mismatch_report(mem.recon())
    recon_mem = time.perf_counter() - t
    assert report == [] and mem.orders.summary(f"o-{n - 1}").status == "fulfilled"

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        disk = Engine.open(db, SHOP, clock=Clock())
        secs = drive(disk, n)
        print(f"  SQLite:  begin -> settle -> fulfil   {n / secs:8.0f} orders/s  ({secs:.2f} s)")
        t = time.perf_counter()
        report = mismatch_report(disk.recon())
        recon_disk = time.perf_counter() - t
        assert report == []
        disk.close()
    print(f"\n  reconcile {n} orders, memory ledger     {recon_mem * 1000:8.0f} ms")
    print(f"  reconcile {n} orders, SQLite ledger     {recon_disk * 1000:8.0f} ms")
    print("  (bench/recon_bench.py reconciles 10,000 orders)")

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for _ in range(4):  # the first run may write bytecode and read caches
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "commerce", "demo"],
            check=True,
            env=env,
            capture_output=True,
            cwd=ROOT,
        )
        times.append(time.perf_counter() - t)
    best = min(times[1:])
    print(
        f"\n  commerce demo, wall time (fresh process) {best * 1000:8.0f} ms   "
        f"{best / 2:.2f}x target (target < 2000 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
