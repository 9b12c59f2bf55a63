"""Section 1 of scale_bench.py: orders/s with N processes on one database, and what each
order cost -- CPU, statements, commits, and the contention counters.

Three shapes, each run with 1, 2 and 4 processes, the configurations interleaved when
repeated (`--repeat`), the median printed:

- shop: N processes each begin and settle their own orders (begin -> settle -> fulfil);
- shop + workers: the same with W `Worker` processes running beside them (a shop's real
  shape: webhooks settle inline, workers pick up what a crash left and run timers), so
  every order's NOTIFY reaches the workers and they race the settle's own fulfilment;
- drain: N worker processes draining a queue of K orders left waiting on `fulfil` (a
  crash between the two steps of each settle), as `commerce worker` would (and once with
  `--batch 10`).

Per order it prints the CPU of all processes (ms), statements, commits, retries (a
service's try that conflicted and was run again: `flowcalls.retrying`, counted by wrapping
it in the child), rollbacks, and for workers the NOTIFY wake-ups, steps answered, steps
that conflicted or failed. Two references for CPU, run the same way: the shop on private
in-memory engines (`memory`: Python alone), and on PostgreSQL N processes doing nothing
but `SELECT 1` round trips (`round trip`, in microseconds of client CPU a statement):
whatever those grow by with N is the machine (2 shared cores, a server process per
client), not contention in the database.

Measured 2026-12-02 (2 cores shared by five sessions; PostgreSQL 15, Unix socket, fsync
off; 60 orders a process, three interleaved runs of the code before and after the worker
fixes of that day -- claims.py and worker.py explain them):
  shop alone, PostgreSQL 1/2/4 procs: 0 retries, 0 rollbacks, 0 conflicts, 77 statements
    and 3 commits an order at every N; CPU/order 6.4-8.4 / 6.1-11.3 / 8.0-11.3 ms, and
    `SELECT 1` 22-32 / 27-43 / 31-52 us: the growth with N is the machine's, per round
    trip (the server's sampled wait events: no lock waits, backends idle on the client).
  shop + 2 workers, PostgreSQL 1/2/4 procs, before: 1.9-3.4 / 3.8-4.9 / 14-26 orders/s,
    per order 0.1-1.0 worker steps failed (lock timeout: the worker held the flow row
    waiting for the stream lock the settle held, the settle waited for the row), 82-118
    statements, 3.6-8.0 commits; after: 45-66 / 27-156 / 38-182 orders/s, no conflict, no
    failure, no worker step, 78-80 statements, 3.00 commits, 0.1-0.9 wake-ups an order.
  drain of 150 (200) pending fulfils, 1/2/4 workers: 27.1-27.5 statements, 1.00-1.05
    commits, no conflict at any N; --batch 10: 22.6-23.1 statements, 0.10-0.16 commits.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from collections import Counter
from typing import Any

from orders_bench import SHOP

from commerce.ledger.events import PaymentRecorded
from commerce.orders.engine import Engine
from flowhost import Symbol

CTX = multiprocessing.get_context("fork")
START = 1_767_225_600


def _quote(e: Engine) -> tuple[Any, Any]:
    from commerce.pricing.api import Session

    s = Session(SHOP, jurisdiction="UK", at=START)
    s.add("MUG", 1)  # untracked stock: the shelves never run out (the check still runs)
    return s.cart, e.quote(s.cart, jurisdiction="UK", at=START)


def _count_retries(c: Counter) -> None:
    """Count every try of a service's retry loop (in this forked child only)."""
    import commerce.orders.orders as orders_module
    import commerce.orders.refunds as refunds_module

    real = orders_module.retrying

    def retrying(work: Any, attempts: int = 8) -> Any:
        def counted() -> Any:
            c["tries"] += 1
            return work()

        c["calls"] += 1
        return real(counted, attempts)

    orders_module.retrying = refunds_module.retrying = retrying  # type: ignore[assignment]


def _engine(db: str | None) -> Engine:
    return Engine(SHOP) if db is None else Engine.open(db, SHOP)


def _stats(e: Engine) -> tuple[int, int, int]:
    s = e.db.stats
    return s.statements, s.commits, s.rollbacks


def _shop_child(db: str | None, me: int, n: int, barrier: Any, out: Any) -> None:
    c: Counter = Counter()
    _count_retries(c)
    e = _engine(db)  # opened (flows loaded) before the barrier
    cart, q = _quote(e)
    barrier.wait(120)
    s0, cpu = _stats(e), time.process_time()
    for i in range(n):
        order = f"w{me}-o{i}"
        e.orders.begin(order, cart, q)
        e.orders.settle(order, f"w{me}-pay-{i}", q.total)
    c["cpu"] = time.process_time() - cpu
    s1 = _stats(e)
    c["statements"], c["commits"], c["rollbacks"] = (a - b for a, b in zip(s1, s0))
    c["retries"] = c.pop("tries", 0) - c.pop("calls", 0)
    out.put(dict(c))
    e.close()


def _worker_child(db: str, barrier: Any, stop: Any, out: Any, once: bool, batch: int) -> None:
    from commerce.orders.worker import Worker

    e = Engine.open(db, SHOP)
    w = Worker(e, batch=batch, poll=1.0)
    barrier.wait(120)
    s0, cpu = _stats(e), time.process_time()
    w.run(once=True) if once else w.run(stop=stop.is_set)
    c: Counter = Counter(cpu=time.process_time() - cpu)
    s1 = _stats(e)
    for k, a, b in zip(("statements", "commits", "rollbacks"), s1, s0):
        c[f"w_{k}"] = a - b
    t = w.tally
    c.update(w_steps=t.answered, w_conflicts=t.conflicts, w_failed=t.failed)
    c.update(w_wakes=t.wakes, w_looks=t.looks)
    out.put(dict(c))
    w.close()
    e.close()


def _gather(procs: list, out: Any, timeout: float = 600) -> tuple[Counter, float]:
    """The children's figures summed, and when the last of them was reported (the clock
    stops there: a child's close and exit after its report are not its work)."""
    total: Counter = Counter()
    for _ in procs:
        total.update(out.get(timeout=timeout))
    done = time.perf_counter()
    for p in procs:
        p.join(60)
    return total, done


def shop(db: str | None, procs: int, n: int, workers: int = 0) -> dict[str, float]:
    """`procs` shop processes of n orders each (and `workers` Worker processes running)."""
    if db is not None:
        Engine.open(db, SHOP).close()
        if workers:  # the worker schema (trigger, kinds) before the barrier
            from commerce.orders.worker import Worker

            e = Engine.open(db, SHOP)
            Worker(e).close()
            e.close()
    barrier = CTX.Barrier(procs + workers + 1)
    out, wout, stop = CTX.Queue(), CTX.Queue(), CTX.Event()
    ws = [
        CTX.Process(target=_worker_child, args=(db, barrier, stop, wout, False, 1))
        for _ in range(workers)
    ]
    ps = [CTX.Process(target=_shop_child, args=(db, me, n, barrier, out)) for me in range(procs)]
    for p in ws + ps:
        p.start()
    barrier.wait(120)
    t0 = time.perf_counter()
    total, done = _gather(ps, out)
    wall = done - t0
    if workers:
        time.sleep(0.3)  # what the workers were doing when the shop finished
        stop.set()
        total.update(_gather(ws, wout)[0])
    return _per_order(total, procs * n, wall)


def drain(db: str, workers: int, pending: int, batch: int = 1) -> dict[str, float]:
    """`workers` Worker processes draining `pending` orders left waiting on fulfil."""
    e = Engine.open(db, SHOP)
    cart, q = _quote(e)
    for i in range(pending):  # what a crash between the two steps of each settle leaves
        order = f"d-{i}"
        e.orders.begin(order, cart, q)
        flow_id = e.orders.flow_of(order)
        with e.db.transaction():
            e.ledger.append_once(order, PaymentRecorded(at=1, ref=f"p-{i}", amount=q.total))
            e.flows.resume(flow_id, Symbol("paid"), kind="payment", serve=False)
    e.close()
    barrier, out = CTX.Barrier(workers + 1), CTX.Queue()
    ws = [
        CTX.Process(target=_worker_child, args=(db, barrier, None, out, True, batch))
        for _ in range(workers)
    ]
    for p in ws:
        p.start()
    barrier.wait(120)
    t0 = time.perf_counter()
    total, done = _gather(ws, out)
    wall = done - t0
    e = Engine.open(db, SHOP)
    left = sum(r.kind == "fulfil" for r in e.flows.requests())
    e.close()
    assert left == 0 and total["w_steps"] == pending, (left, total)
    return _per_order(total, pending, wall)


def _roundtrip_child(url: str, n: int, barrier: Any, out: Any) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        barrier.wait(120)
        cpu = time.process_time()
        for _ in range(n):
            conn.execute("SELECT 1").fetchone()
        out.put({"cpu": time.process_time() - cpu})


def roundtrips(url: str, procs: int, n: int = 3000) -> dict[str, float]:
    """`procs` processes of n `SELECT 1` each: client CPU per statement."""
    barrier, out = CTX.Barrier(procs + 1), CTX.Queue()
    ps = [CTX.Process(target=_roundtrip_child, args=(url, n, barrier, out)) for _ in range(procs)]
    for p in ps:
        p.start()
    barrier.wait(120)
    t0 = time.perf_counter()
    total, done = _gather(ps, out)
    return {"us": total["cpu"] / (procs * n) * 1e6, "rate": procs * n / (done - t0)}


def _per_order(total: Counter, n: int, wall: float) -> dict[str, float]:
    figures = {k: v / n for k, v in total.items()}
    figures["cpu"] *= 1000  # ms
    figures["rate"] = n / wall
    return figures


def median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r.get(k, 0.0) for r in runs) for k in runs[0]}


def describe(f: dict[str, float]) -> str:
    if "us" in f:
        return f"{f['rate']:7.0f} statements/s {f['us']:5.1f} us CPU/statement"
    line = (
        f"{f['rate']:7.1f} orders/s {f['cpu']:5.1f} ms CPU/order | per order: "
        f"{f.get('statements', 0) + f.get('w_statements', 0):5.1f} stmts "
        f"{f.get('commits', 0) + f.get('w_commits', 0):4.2f} commits "
        f"{f.get('retries', 0):4.2f} retries "
        f"{f.get('rollbacks', 0) + f.get('w_rollbacks', 0):4.2f} rollbacks"
    )
    if "w_steps" in f:
        line += (
            f" | workers: {f['w_wakes']:4.2f} wakes {f['w_looks']:4.2f} looks "
            f"{f['w_steps']:4.2f} steps {f['w_conflicts']:4.2f} conflicts "
            f"{f['w_failed']:4.2f} failed"
        )
    return line


def report(
    backends: list[tuple[str, str]],
    fresh: Any,
    counts: list[int],
    n: int,
    repeat: int,
    workers: int,
    pending: int,
) -> None:
    """Print section 1: every shape, backend and process count; repeats interleaved."""
    configs: list[tuple[str, Any]] = [
        (f"memory   {p} proc", lambda p=p: shop(None, p, n)) for p in counts
    ]
    for label, backend in backends:
        if label == "postgres":
            for p in counts:
                configs.append(
                    (f"{label:8} {p} proc round trip", lambda b=backend, p=p: roundtrips(b, p))
                )
        for p in counts:
            configs.append(
                (f"{label:8} {p} proc", lambda b=backend, p=p: shop(fresh(b, "o"), p, n))
            )
        for p in counts:
            configs.append(
                (
                    f"{label:8} {p} proc + {workers} workers",
                    lambda b=backend, p=p: shop(fresh(b, "w"), p, n, workers),
                )
            )
        for p, batch in [(p, 1) for p in counts] + [(max(counts), 10)]:
            configs.append(
                (
                    f"{label:8} drain {pending}, {p} workers" + (f", batch {batch}" * (batch > 1)),
                    lambda b=backend, p=p, batch=batch: drain(fresh(b, "d"), p, pending, batch),
                )
            )
    runs: dict[str, list] = {label: [] for label, _ in configs}
    for _ in range(repeat):
        for label, run in configs:
            runs[label].append(run())
    for label, _ in configs:
        print(f"  {label:30} {describe(median(runs[label]))}", flush=True)
