"""Scale benchmark (issue 10): prints figures, asserts nothing.

    .venv/bin/python bench/scale_bench.py                      # SQLite; PostgreSQL too if
    COMMERCE_TEST_PG_URL=postgresql://... bench/scale_bench.py  # a URL is given (--pg URL)
    .venv/bin/python bench/scale_bench.py --sizes 10000,100000,1000000 --orders 200

1. Orders/s through begin -> settle -> fulfil with 1, 2 and 4 processes at once on one
   database (each process its own orders), alone and with workers beside them, and
   workers draining a backlog, on SQLite and on PostgreSQL: wall time from the barrier to
   the last process done, CPU, statements, commits, retries and conflicts per order
   (bench/scale_orders.py; --repeat N interleaves N runs, --workers, --pending).
2. Reconciliation and `orders list` over ledgers of 10k / 100k / 1M events (recon_bench's
   order mix, ~4.25 events an order), built by bulk insert of the events and their summary
   rows (build time printed separately): reconciliation = the summary rows read, the
   kanren facts built and the mismatch report (target <= 3 s at 1M events); list = one
   page of 50 (first page, a page after an id, a status filter). The reference, measured
   in the same run, is what reconciliation did before the summary rows: decode every event
   and fold each stream (`--reference-max` events at most: it took 33 s at 1M on SQLite).

Measured 2026-12-02 (this container: 2 cores shared by six sessions, so wall times are
inflated; PostgreSQL 15 on a Unix socket, fsync off; 30 orders per process):
  orders/s    see bench/scale_orders.py (with the contention counters and the references)
  recon       SQLite 10k 0.10 s (0.04 CPU), 100k 0.63 s (0.41), 1M 9.4 s (4.0 CPU);
              reference 0.68 s (0.26) at 10k, 4.57 s (2.57) at 100k: x6-7 in CPU
              PostgreSQL 10k 0.06 s (0.03), 100k 0.93 s (0.37), 1M 8.4 s (4.0 CPU);
              reference 0.55 s (0.22), 5.62 s (2.34): x6-8 in CPU
  list        3 pages of 50: 1-6 ms (SQLite), 8-11 ms (PostgreSQL), flat from 10k to 1M
  build 1M    SQLite 12.4 s, PostgreSQL 56.7 s (bulk insert of events and summary rows)
At 1M events reconciliation was 4.0 s of CPU on both (target <= 3 s): the summary rows
read in ~0.3 s, the rest building the kanren facts of 235k orders and the report's 59k
kanren answers. Since (2026-12-02, `--skip-orders`, load average 2.4-3.9 on the 2 cores):
the facts are split by recon status and built from the row tuples when a question first
asks for a status (the report builds the 59k underpaid/overpaid facts only), its figures
come from the row columns, and answers walk atoms instead of the general reifier:
  recon       SQLite 10k 0.01 s (0.01 CPU), 100k 0.05 s (0.05), 1M 0.79 s (0.78 CPU);
              reference 0.17 s (0.17), 1.76 s (1.64): x31 in CPU, same report
              PostgreSQL 10k 0.01 s (0.00), 100k 0.08 s (0.06), 1M 2.63 s (1.16 CPU, the
              server's time is in the wall figure); reference x24-39, same report
At 1M about 0.3 s (SQLite) / 0.5 s (PostgreSQL, wall) of it is `Ledger.recon_rows` reading
every summary row with its JSON text; the relation and the report are ~0.45 s CPU.
A second run at load average 5-7 (the suite of another session running): SQLite 1M 1.83 s
(1.26 CPU), PostgreSQL 1M 3.50 s (0.98 CPU); reference x29-34 / x19-39, same report. At
that load three runs of reconciliation alone on the 1M ledgers took 2.0-3.1 s wall for
0.8-1.3 s CPU on either backend: the wall time is the machine's queue, not the work.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale_orders  # noqa: E402
from recon_bench import order_events  # noqa: E402

from commerce.ledger.events import dumps_event  # noqa: E402
from commerce.ledger.projections import summarize  # noqa: E402
from commerce.ledger.recon import mismatch_report, reconcile  # noqa: E402
from commerce.ledger.store import summary_row  # noqa: E402
from commerce.orders.engine import Engine  # noqa: E402
from flowhost.db import is_database_url  # noqa: E402


def _fresh_pg(url: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET client_min_messages = warning")
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return url


def fresh(backend: str, tmp: Path, name: str) -> str:
    if is_database_url(backend):
        return _fresh_pg(backend)
    path = tmp / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return str(path)


# -- 1. orders/s with N processes: bench/scale_orders.py ----------------------------------


# -- 2. reconciliation and list at scale ------------------------------------------------
def build(db: str, events: int) -> tuple[Engine, int, float]:
    """A ledger of about `events` events by bulk insert (events and summary rows)."""
    e = Engine.open(db)
    ev_rows, sum_rows, n, i = [], [], 0, 0
    while n < events:
        order, head, tail = order_events(i)
        stream = head + [t for k, t in enumerate(tail) if t not in tail[:k]]  # no duplicate
        for v, event in enumerate(stream, 1):
            ev_rows.append((order, v, event.type, event.at, f"{order}:{v}", dumps_event(event)))
        s = summarize(stream)
        sum_rows.append(summary_row(order, s))
        n += len(stream)
        i += 1
    t = time.perf_counter()
    mark = "%s" if is_database_url(db) else "?"
    with e.db.transaction():
        e.db.executemany(
            "INSERT INTO ledger_events (stream, version, type, at, key, data) "
            f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})",
            ev_rows,
        )
        e.db.executemany(f"INSERT INTO ledger_summaries VALUES ({', '.join([mark] * 7)})", sum_rows)
    if is_database_url(db):
        e.db.execute("ANALYZE ledger_events")
        e.db.execute("ANALYZE ledger_summaries")
    return e, n, time.perf_counter() - t


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(wall s, CPU s, result) of one call."""
    t, c = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - t, time.process_time() - c, result


def recon_now(e: Engine) -> tuple[int, list]:
    """(orders, the mismatch report) from the summary rows, as `commerce orders recon` does."""
    book = e.recon()
    return len(book), mismatch_report(book)


def recon_before(e: Engine) -> tuple[int, list]:
    """What reconciliation read before the summary rows: every event, decoded and folded."""
    sums = [summarize([r.event for r in recs]) for _, recs in e.ledger.read_all()]
    book = reconcile(sums)
    return len(book), mismatch_report(book)


def list_pages(e: Engine) -> int:
    first = e.ledger.summaries(limit=50)
    after = e.ledger.summaries(after=first[-1].order, limit=50)
    paid = e.ledger.summaries("fulfilled", recon="overpaid", limit=50)
    return len(first) + len(after) + len(paid)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="events per ledger")
    parser.add_argument("--orders", type=int, default=150, help="orders per process")
    parser.add_argument("--procs", default="1,2,4")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (interleaved)")
    parser.add_argument("--workers", type=int, default=2, help="workers beside the shop")
    parser.add_argument("--pending", type=int, default=300, help="orders a drain starts with")
    parser.add_argument("--pg", default=os.environ.get("COMMERCE_TEST_PG_URL"))
    parser.add_argument("--reference-max", type=int, default=100_000)
    parser.add_argument("--skip-orders", action="store_true", help="section 2 only")
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    backends = [("sqlite", "sqlite")] + ([("postgres", args.pg)] if args.pg else [])
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_orders:
            print("orders/s, begin -> settle -> fulfil, N processes on one database")
            counts = [int(p) for p in args.procs.split(",")]
            scale_orders.report(
                backends,
                lambda backend, name: fresh(backend, Path(tmp), name),
                counts,
                args.orders,
                args.repeat,
                args.workers,
                args.pending,
            )
        if not args.skip_scale:
            print("reconciliation and list (summary rows) vs decoding every event (reference)")
            for label, backend in backends:
                for size in [int(s) for s in args.sizes.split(",")]:
                    db = fresh(backend, Path(tmp), f"scale{size}")
                    e, n, built = build(db, size)
                    wall, cpu, now = timed(lambda: recon_now(e))  # noqa: B023
                    lw, lc, _ = timed(lambda: list_pages(e))  # noqa: B023
                    line = (
                        f"  {label:8} {n:>8} events: build {built:6.1f} s | recon {wall:6.2f} s "
                        f"({cpu:5.2f} CPU) | list 3 pages {lw * 1000:6.1f} ms"
                    )
                    if size <= args.reference_max:
                        rw, rc, ref = timed(lambda: recon_before(e))  # noqa: B023
                        line += f" | reference {rw:6.2f} s ({rc:5.2f} CPU), x{rc / cpu:4.1f} CPU"
                        line += ", same report" if ref == now else ", DIFFERENT REPORT"
                    print(line, flush=True)
                    e.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
