"""Webhooks benchmark: one `commerce serve` process on SQLite, a load generator in the
same run, and the in-process service as the reference.

    .venv/bin/python bench/webhooks_bench.py [--orders N] [--clients C] [--dup-share F]

- reference: engine.orders.settle called directly for N orders (no HTTP, no signature,
  no event log) on a copy of the same database -- what the server could at best do;
- server: C concurrent HTTP/1.1 keep-alive clients POST N signed payment.succeeded
  webhooks (one per order) plus F*N redeliveries, all shuffled, at a real uvicorn process
  on 127.0.0.1; every answer must be 200. Prints webhooks/s accepted and processed (wall
  time), p50/p99/max latency, the server's CPU seconds per 1,000 webhooks, and the ratio
  to the reference. Bounded: N requests, each with a 60 s timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from commerce.cli.demo import START, Clock  # noqa: E402
from commerce.orders.engine import Engine  # noqa: E402
from commerce.pricing.api import Session  # noqa: E402
from commerce.pricing.files import load_shop  # noqa: E402
from commerce.web.signature import HEADER, signature_header  # noqa: E402

SHOP = load_shop(ROOT / "examples" / "shop.json")
SECRET = "whsec_bench"


def prepare(db: Path, n: int) -> int:
    """n orders waiting on payment (the untracked mug, so stock never runs out); the total."""
    e = Engine.open(db, SHOP, clock=Clock())
    s = Session(SHOP, jurisdiction="UK", at=START)
    s.add("MUG", 1)
    q = e.quote(s.cart, jurisdiction="UK", at=START)
    for i in range(n):
        e.orders.begin(f"o-{i}", s.cart, q)
    e.close()
    return q.total


def reference(db: Path, n: int, total: int) -> float:
    """Seconds for n direct settle calls."""
    e = Engine.open(db)
    t = time.perf_counter()
    for i in range(n):
        e.orders.settle(f"o-{i}", f"pay_{i}", total, currency="GBP")
    elapsed = time.perf_counter() - t
    e.close()
    return elapsed


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def body_of(i: int, total: int) -> bytes:
    data = {"order": f"o-{i}", "ref": f"pay_{i}", "amount": total, "currency": "GBP"}
    return json.dumps({"id": f"evt_{i}", "type": "payment.succeeded", "data": data}).encode()


def pct(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(p * len(sorted_ms)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--dup-share", type=float, default=0.25)
    args = ap.parse_args()
    n = args.orders
    tmp = Path(tempfile.mkdtemp(prefix="webhooks-bench-"))
    try:
        db, ref_db = tmp / "shop.db", tmp / "ref.db"
        total = prepare(db, n)
        shutil.copy(db, ref_db)
        ref = reference(ref_db, n, total)

        rng = random.Random(1)
        work = list(range(n)) + [rng.randrange(n) for _ in range(int(n * args.dup_share))]
        rng.shuffle(work)
        port = free_port()
        env = os.environ | {"COMMERCE_WEBHOOK_SECRET": SECRET, "COMMERCE_ADMIN_TOKEN": "bench"}
        cmd = [sys.executable, "-m", "commerce", "serve", "--db", str(db), "--port", str(port)]
        log = open(tmp / "serve.log", "w")
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        latencies: list[float] = []
        bad: list[int] = []
        lock = threading.Lock()

        def client(share: list[int]) -> None:
            mine = []
            with httpx.Client(base_url=url, timeout=60) as http:
                for i in share:
                    body = body_of(i, total)
                    headers = {HEADER: signature_header([SECRET], int(time.time()), body)}
                    t = time.perf_counter()
                    r = http.post("/webhooks/payments", content=body, headers=headers)
                    mine.append((time.perf_counter() - t) * 1000)
                    if r.status_code != 200:
                        bad.append(r.status_code)
            with lock:
                latencies.extend(mine)

        cpu0 = cpu_seconds(proc.pid)
        threads = [
            threading.Thread(target=client, args=(work[k :: args.clients],))
            for k in range(args.clients)
        ]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
        cpu = cpu_seconds(proc.pid) - cpu0
        proc.terminate()
        proc.wait(10)
        log.close()
        e = Engine.open(db)
        settled = sum(1 for i in range(n) if e.orders.summary(f"o-{i}").status == "fulfilled")
        e.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ms = sorted(latencies)
    total_req = len(work)
    print(
        f"webhooks bench: {n} orders, {total_req} webhooks ({total_req - n} redeliveries), "
        f"{args.clients} clients, SQLite, one server process"
    )
    print(f"  reference (settle in process): {n / ref:8.0f} settles/s")
    print(
        f"  server: {total_req / wall:8.0f} webhooks/s accepted and processed "
        f"({n / wall:.0f} payments/s), wall {wall:.2f} s"
    )
    print(f"  latency ms: p50 {pct(ms, 0.50):.1f}  p99 {pct(ms, 0.99):.1f}  max {ms[-1]:.1f}")
    print(f"  server CPU: {cpu:.2f} s = {1000 * cpu / total_req:.2f} ms per webhook")
    print(f"  ratio server/reference throughput (payments): {(n / wall) / (n / ref):.2f}")
    print(f"  non-200 answers: {len(bad)}; orders fulfilled: {settled}/{n}")
    if bad or settled != n:
        sys.exit(1)


if __name__ == "__main__":
    main()
