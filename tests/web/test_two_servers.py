"""Two server processes on one SQLite file, every webhook delivered to both at once (a
provider retrying against a load balancer): each payment is recorded exactly once. Until
the services retry cross-process conflicts themselves (issue 9), a loser may answer 503
(retry); the provider's redelivery then converges."""

from __future__ import annotations

import threading

import httpx

from commerce.orders.engine import Engine

from .helpers import Server, event, make_db, signed

ORDERS = 60


def test_two_servers_racing_on_the_same_events_record_each_payment_once(tmp_path):
    db, totals = make_db(tmp_path, n=ORDERS)
    bodies = [
        event(f"evt_{k}", f"o-{k}", totals[f"o-{k}"], ref=f"pay_{k}") for k in range(1, ORDERS + 1)
    ]
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()
    with Server(db) as a, Server(db) as b:
        barrier = threading.Barrier(4)

        def client(url):
            mine = []
            with httpx.Client(base_url=url, timeout=60) as http:
                barrier.wait()
                for body in bodies:
                    r = http.post("/webhooks/payments", content=body, headers=signed(body))
                    mine.append((r.status_code, r.json()))
            with lock:
                answers.extend(mine)

        threads = [threading.Thread(target=client, args=(u,)) for u in (a.url, b.url) * 2]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        with httpx.Client(base_url=a.url, timeout=60) as http:  # the provider's retries
            for body in bodies:
                r = http.post("/webhooks/payments", content=body, headers=signed(body))
                assert r.status_code == 200, r.text
    assert len(answers) == 4 * ORDERS
    retry = [body for status, body in answers if status != 200]
    assert all(status in (200, 503) for status, _ in answers), answers
    e = Engine.open(db)
    try:
        for k in range(1, ORDERS + 1):
            s = e.orders.summary(f"o-{k}")
            assert s.payments == (f"pay_{k}",) and s.paid == totals[f"o-{k}"]
            assert s.status == "fulfilled" and e.orders.waiting_on(f"o-{k}") is None
    finally:
        e.close()
    print(f"{len(retry)} answers asked the provider to retry (503)")
