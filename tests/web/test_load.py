"""A bounded load test against a real `commerce serve` on SQLite: 8 clients POST 2,000
webhooks at once -- a quarter redeliveries, some payment.failed out of order, some with bad
signatures -- then every valid payment is recorded exactly once, every bad one refused, and
nothing else changed. $COMMERCE_LOAD_WEBHOOKS and $COMMERCE_LOAD_CLIENTS scale it."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter

import httpx

from commerce.orders.engine import Engine
from commerce.web.signature import HEADER, signature_header

from .helpers import SECRET, Server, event, make_db

N = int(os.environ.get("COMMERCE_LOAD_WEBHOOKS", "2000"))
CLIENTS = int(os.environ.get("COMMERCE_LOAD_CLIENTS", "8"))
UNTOUCHED = 20


def _headers(body: bytes, *, secret: str = SECRET, t: int | None = None) -> dict:
    when = int(time.time()) if t is None else t
    return {HEADER: signature_header([secret], when, body), "Content-Type": "application/json"}


def plan(totals: dict[str, int], n_valid: int, n_failed: int, n_bad: int, n_dup: int, rng):
    """[(kind, event id, body, headers)]: valid payments to o-1..o-n_valid, out-of-order
    payment.failed for some of them, bad signatures, redeliveries of the good ones."""
    good = []
    for k in range(1, n_valid + 1):
        order = f"o-{k}"
        good.append(
            ("valid", f"evt_p{k}", event(f"evt_p{k}", order, totals[order], ref=f"pay_{k}"))
        )
    for k in range(n_failed):
        order = f"o-{rng.randint(1, n_valid)}"
        eid = f"evt_f{k}"
        good.append(("failed", eid, event(eid, order, totals[order], type="payment.failed")))
    out = [(kind, eid, body, _headers(body)) for kind, eid, body in good]
    for k in range(n_bad):
        target = f"o-{rng.randint(1, n_valid + UNTOUCHED)}"
        eid = f"evt_bad{k}"
        body = event(eid, target, totals[target], ref=f"pay_bad_{k}")
        how = k % 3
        if how == 0:  # signed with a secret the shop does not hold
            headers = _headers(body, secret="whsec_attacker")
        elif how == 1:  # changed after signing
            headers = _headers(body)
            body = body.replace(b'"amount": ', b'"amount": 1')
        else:  # a captured request replayed long after
            headers = _headers(body, t=int(time.time()) - 3600)
        out.append(("bad", eid, body, headers))
    for _ in range(n_dup):
        kind, eid, body = rng.choice(good)
        out.append(("dup", eid, body, None))  # re-signed when sent, as a provider retries
    rng.shuffle(out)
    return out


def test_concurrent_webhooks_record_every_valid_payment_exactly_once(tmp_path):
    rng = random.Random(12)
    n_dup, n_bad, n_failed = N // 4, max(N // 20, 3), max(N // 20, 1)
    n_valid = N - n_dup - n_bad - n_failed
    db, totals = make_db(tmp_path, n=n_valid + UNTOUCHED)
    e = Engine.open(db)
    untouched_before = {
        f"o-{k}": e.orders.summary(f"o-{k}") for k in range(n_valid + 1, n_valid + UNTOUCHED + 1)
    }
    e.close()
    work = plan(totals, n_valid, n_failed, n_bad, n_dup, rng)
    assert len(work) == N
    answers: list[tuple[str, str, int, dict]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    with Server(db) as srv:

        def client(share):
            mine = []
            with httpx.Client(base_url=srv.url, timeout=60) as http:
                barrier.wait()
                for kind, eid, body, headers in share:
                    r = http.post(
                        "/webhooks/payments", content=body, headers=headers or _headers(body)
                    )
                    mine.append((kind, eid, r.status_code, r.json()))
            with lock:
                answers.extend(mine)

        threads = [
            threading.Thread(target=client, args=(work[i::CLIENTS],)) for i in range(CLIENTS)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        elapsed = time.monotonic() - started
    print(f"{N} webhooks from {CLIENTS} clients in {elapsed:.1f} s ({N / elapsed:.0f}/s)")

    assert len(answers) == N
    statuses = Counter((kind, status) for kind, _, status, _ in answers)
    assert (
        statuses[("bad", 400)] == n_bad
        and sum(v for (k, _), v in statuses.items() if k == "bad") == n_bad
    )
    assert all(status == 200 for kind, _, status, _ in answers if kind != "bad"), statuses
    processed = Counter(eid for kind, eid, _, body in answers if body.get("status") == "processed")
    sent = {eid for kind, eid, _, _ in answers if kind != "bad"}
    assert set(processed) == sent and set(processed.values()) == {1}  # each event acted on once
    assert all(
        body["status"] == "duplicate"
        for kind, eid, _, body in answers
        if kind == "dup" and body["status"] != "processed"
    )

    e = Engine.open(db)
    try:
        for k in range(1, n_valid + 1):
            s = e.orders.summary(f"o-{k}")
            assert (s.payments, s.paid, s.status) == ((f"pay_{k}",), totals[f"o-{k}"], "fulfilled")
            assert e.orders.waiting_on(f"o-{k}") is None
        for order, before in untouched_before.items():
            assert e.orders.summary(order) == before
            assert e.orders.waiting_on(order) == "payment"
        assert not any(
            ref.startswith("pay_bad")
            for _, rs in e.ledger.read_all()
            for r in rs
            if hasattr(r.event, "ref")
            for ref in [r.event.ref]
        )
    finally:
        e.close()
    import sqlite3

    con = sqlite3.connect(db)
    logged = dict(con.execute("SELECT event_id, outcome FROM webhook_events").fetchall())
    con.close()
    assert set(logged) == sent
    assert {logged[f"evt_p{k}"] for k in range(1, n_valid + 1)} == {"settled"}
    assert {v for k, v in logged.items() if k.startswith("evt_f")} <= {
        "payment-failed",
        "ignored: order already paid",
    }
