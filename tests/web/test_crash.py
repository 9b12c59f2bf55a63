"""SIGKILL a real server in the middle of a burst of webhooks, start it again on the same
file, let the provider redeliver everything: each payment is recorded exactly once and
every order is fulfilled."""

from __future__ import annotations

import sqlite3
import threading

import httpx
import pytest

from commerce.orders.engine import Engine

from .helpers import Server, event, make_db, signed

ORDERS = 150
CLIENTS = 4


@pytest.mark.parametrize("kill_after", [20, 90])
def test_a_server_killed_mid_burst_converges_on_redelivery(tmp_path, kill_after):
    db, totals = make_db(tmp_path, n=ORDERS)
    bodies = {
        f"evt_{k}": event(f"evt_{k}", f"o-{k}", totals[f"o-{k}"], ref=f"pay_{k}")
        for k in range(1, ORDERS + 1)
    }
    answered = []
    enough = threading.Event()
    lock = threading.Lock()

    with Server(db) as srv:

        def client(ids):
            with httpx.Client(base_url=srv.url, timeout=30) as http:
                for eid in ids:
                    try:
                        r = http.post(
                            "/webhooks/payments", content=bodies[eid], headers=signed(bodies[eid])
                        )
                    except httpx.HTTPError:
                        return  # the server is gone: the provider will redeliver
                    with lock:
                        answered.append((eid, r.status_code))
                        if len(answered) >= kill_after:
                            enough.set()

        ids = list(bodies)
        threads = [threading.Thread(target=client, args=(ids[i::CLIENTS],)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        assert enough.wait(120)
        srv.proc.kill()  # SIGKILL: no shutdown, whatever was in flight is cut
        srv.proc.wait()
        for t in threads:
            t.join(60)
    assert kill_after <= len(answered) < ORDERS
    assert all(status == 200 for _, status in answered)

    with Server(db) as srv, httpx.Client(base_url=srv.url, timeout=30) as http:
        for body in bodies.values():  # the provider redelivers every event
            r = http.post("/webhooks/payments", content=body, headers=signed(body))
            assert r.status_code == 200, r.text
            assert r.json()["status"] in ("processed", "duplicate")
            if r.json()["status"] == "processed":
                assert r.json()["outcome"] in ("settled", "already-settled")

    e = Engine.open(db)
    try:
        for k in range(1, ORDERS + 1):
            s = e.orders.summary(f"o-{k}")
            assert (s.payments, s.paid, s.status) == ((f"pay_{k}",), totals[f"o-{k}"], "fulfilled")
            assert e.orders.waiting_on(f"o-{k}") is None
    finally:
        e.close()
    con = sqlite3.connect(db)
    (n,) = con.execute("SELECT count(*) FROM webhook_events").fetchone()
    con.close()
    assert n == ORDERS
