"""Timer benchmark: run_due over a store of many suspended flows. Prints figures and
ratios measured in this run (CPU time, time.process_time); asserts nothing on time.

    .venv/bin/python bench/timers_bench.py            # 100,000 flows waiting, 1,000 due
    .venv/bin/python bench/timers_bench.py --quick    # 10,000 waiting, 1,000 due

Reports (issue 11):
- the due query's plan (SQLite EXPLAIN QUERY PLAN: a search of the partial index
  flows_by_due, not a scan of flows);
- the due query's CPU time with 1k flows due among 1k waiting and among 100k waiting
  (median of 5): the ratio shows its cost does not grow with the flows that are not due;
- run_due firing the 1k due timers of the 100k store: CPU time per fired timer, against
  the reference of this run: an addressed resume of the same flows (host.resume with kind
  and version), per flow, in a store of the same size. Every fired flow is checked done.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flowhost import Done, FlowHost, FlowRecord, Pending  # noqa: E402
from flowhost.sqlite_store import SQLiteStore  # noqa: E402
from scheme.types import Symbol  # noqa: E402

FLOW = """(defflow waiter
  (lambda (s) (let ((v (request/timeout 'answer 'q s))) (if (flow/timeout? v) 'timed-out v))))"""
NOW = 1_000_000.0
DUE = 1_000


def make_store(path: Path, waiting: int, due: int) -> None:
    """`waiting` suspended flows on request/timeout; the first `due` are due at NOW."""
    store = SQLiteStore(path)
    flows = [
        (
            FlowRecord(
                i,
                "waiter",
                [60],
                "suspended",
                Pending("answer", Symbol("q")),
                due=NOW - 1 if i <= due else NOW + 10_000 + i,
            ),
            [],
        )
        for i in range(1, waiting + 1)
    ]
    store.replace_all(flows, waiting + 1)
    store.close()


def host(path: Path) -> FlowHost:
    h = FlowHost.open(path, clock=lambda: NOW)
    h.load_source(FLOW)
    return h


def cpu(fn) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def query_time(path: Path) -> float:
    store = SQLiteStore(path)
    samples = []
    for _ in range(5):
        samples.append(cpu(lambda: len(store.due(NOW)) == DUE or sys.exit("wrong due count")))
    store.close()
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10,000 flows waiting, not 100,000")
    waiting = 10_000 if ap.parse_args().quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        small, big, ref = Path(tmp) / "small.db", Path(tmp) / "big.db", Path(tmp) / "ref.db"
        make_store(small, DUE, DUE)
        make_store(big, waiting, DUE)
        make_store(ref, waiting, DUE)

        plan = sqlite3.connect(big).execute(
            f"EXPLAIN QUERY PLAN {SQLiteStore.due_query()}", (NOW, -1)
        )
        print("due query plan:", "; ".join(row[-1] for row in plan))
        q_small, q_big = query_time(small), query_time(big)
        print(f"due query, {DUE:,} due of {DUE:,} waiting:   {q_small * 1e3:8.2f} ms CPU")
        print(f"due query, {DUE:,} due of {waiting:,} waiting: {q_big * 1e3:8.2f} ms CPU")
        print(f"  ratio (big / small): {q_big / q_small:.2f}  (1.00 = no growth with not-due)")

        h = host(big)
        fired: list = []
        t_fire = cpu(lambda: fired.extend(h.run_due()))
        assert len(fired) == DUE and all(isinstance(r, Done) for r in fired), fired[:3]
        assert h.run_due() == []
        h.close()

        r = host(ref)
        versions = [(i, r.record(i).version) for i in range(1, DUE + 1)]
        t_resume = cpu(lambda: [r.resume(i, 1, kind="answer", version=v) for i, v in versions])
        r.close()
        per_fire, per_resume = t_fire / DUE * 1e3, t_resume / DUE * 1e3
        print(f"run_due, {DUE:,} fired of {waiting:,} waiting: {per_fire:.3f} ms CPU per timer")
        print(f"reference, addressed resume of the same flows: {per_resume:.3f} ms CPU per flow")
        print(f"  ratio (timer / resume): {per_fire / per_resume:.2f}")


if __name__ == "__main__":
    main()
