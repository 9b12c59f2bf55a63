"""The SumUp-style adapter against a fake provider API on 127.0.0.1 over real HTTP."""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from starlette.testclient import TestClient

from commerce.orders.engine import Engine
from commerce.web import Backend, SignedProvider, SumUpProvider, create_app
from commerce.web.providers import minor_units

from .helpers import SECRET, TOKEN, Server, db_state, free_port, make_db


class FakeSumUp:
    """GET /v0.1/checkouts/{id} answers from `checkouts`; `fail` forces a status code."""

    def __init__(self) -> None:
        self.checkouts: dict[str, dict] = {}
        self.fail: int | None = None
        self.fetched: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                cid = self.path.removeprefix("/v0.1/checkouts/")
                fake.fetched.append(cid)
                doc = fake.checkouts.get(cid)
                code = fake.fail or (200 if doc else 404)
                out = json.dumps(doc if code == 200 else {"error": "NOT_FOUND"}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def checkout(self, cid, order, amount, status="PAID", currency="GBP", code=None):
        self.checkouts[cid] = {
            "id": cid,
            "checkout_reference": order,
            "amount": amount,
            "currency": currency,
            "status": status,
        } | ({"transaction_code": code} if code else {})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    f = FakeSumUp()
    yield f
    f.close()


@pytest.fixture
def setup(tmp_path, fake):
    db, totals = make_db(tmp_path, n=3)
    providers = [SignedProvider([SECRET]), SumUpProvider(fake.url, timeout=5)]
    with TestClient(create_app(Backend(db), providers, admin_token=TOKEN)) as c:
        yield c, db, totals


def notify(c, cid, **extra):
    body = json.dumps({"event_type": "CHECKOUT_STATUS_CHANGED", "id": cid} | extra)
    return c.post("/webhooks/sumup", content=body, headers={"Content-Type": "application/json"})


def books(db, order):
    e = Engine.open(db)
    try:
        return e.orders.summary(order), e.orders.waiting_on(order)
    finally:
        e.close()


def test_a_paid_checkout_is_fetched_and_settles_the_order(setup, fake):
    c, db, totals = setup
    fake.checkout("chk_1", "o-1", totals["o-1"] / 100, code="TX1")
    r = notify(c, "chk_1", amount=1, status="PAID")  # what the notification says is not trusted
    assert r.status_code == 200 and r.json()["outcome"] == "settled"
    assert fake.fetched == ["chk_1"]
    s, _ = books(db, "o-1")
    assert (s.status, s.paid, s.payments) == ("fulfilled", totals["o-1"], ("TX1",))
    r = notify(c, "chk_1")
    assert r.json()["status"] == "duplicate"


def test_a_pending_checkout_changes_nothing_and_a_later_paid_one_settles(setup, fake):
    c, db, totals = setup
    fake.checkout("chk_1", "o-1", totals["o-1"] / 100, status="PENDING")
    before = db_state(db)
    r = notify(c, "chk_1")
    assert r.status_code == 200 and r.json()["status"] == "ignored: nothing to do"
    assert db_state(db) == before
    fake.checkout("chk_1", "o-1", totals["o-1"] / 100, status="PAID")
    assert notify(c, "chk_1").json()["outcome"] == "settled"


def test_a_failed_checkout_is_recorded_and_never_unpays(setup, fake):
    c, db, totals = setup
    fake.checkout("chk_1", "o-1", totals["o-1"] / 100)
    assert notify(c, "chk_1").json()["outcome"] == "settled"
    fake.checkout("chk_1", "o-1", totals["o-1"] / 100, status="FAILED")
    assert notify(c, "chk_1").json()["outcome"] == "ignored: order already paid"
    fake.checkout("chk_2", "o-2", totals["o-2"] / 100, status="FAILED")
    assert notify(c, "chk_2").json()["outcome"] == "payment-failed"
    assert books(db, "o-1")[0].status == "fulfilled"
    assert books(db, "o-2")[1] == "payment"


def test_wrong_currency_and_short_amounts_from_the_provider(setup, fake):
    c, db, totals = setup
    fake.checkout("chk_1", "o-1", totals["o-1"] / 100, currency="EUR")
    assert notify(c, "chk_1").json()["outcome"] == "wrong-currency"
    fake.checkout("chk_2", "o-2", "0.01")
    assert notify(c, "chk_2").json()["outcome"] == "partial"
    assert books(db, "o-1")[1] == "payment" and books(db, "o-2")[0].paid == 1


@pytest.mark.parametrize(
    "body, status, why",
    [
        (b"nope", 400, "not JSON"),
        (b'{"event_type": "CHECKOUT_STATUS_CHANGED"}', 400, "checkout id"),
        (b'{"id": "chk_404"}', 400, "the provider has none"),
    ],
)
def test_bad_notifications_are_refused_and_change_nothing(setup, body, status, why):
    c, db, _ = setup
    before = db_state(db)
    r = c.post("/webhooks/sumup", content=body)
    assert r.status_code == status and why in r.json()["error"]
    assert db_state(db) == before


def test_a_provider_that_is_down_gets_a_503_so_the_notification_is_retried(setup, fake):
    c, db, totals = setup
    fake.checkout("chk_1", "o-1", totals["o-1"] / 100)
    fake.fail = 500
    before = db_state(db)
    r = notify(c, "chk_1")
    assert r.status_code == 503 and "provider answered 500" in r.json()["error"]
    assert db_state(db) == before
    fake.fail = None
    assert notify(c, "chk_1").json()["outcome"] == "settled"


def test_an_unreachable_provider_is_a_503(tmp_path):
    db, _ = make_db(tmp_path, n=1)
    dead = SumUpProvider(f"http://127.0.0.1:{free_port()}", timeout=2)
    with TestClient(create_app(Backend(db), [dead], admin_token=TOKEN)) as c:
        r = notify(c, "chk_1")
    assert r.status_code == 503 and "unreachable" in r.json()["error"]


@pytest.mark.parametrize(
    "amount, units", [(4.5, 450), ("4.50", 450), (12, 1200), ("0.01", 1), (1e-2, 1)]
)
def test_minor_units_are_exact(amount, units):
    assert minor_units(amount, "x") == units


@pytest.mark.parametrize("amount", ["4.505", "abc", 0, -1, True, None])
def test_amounts_that_are_not_money_are_refused(amount):
    with pytest.raises(Exception, match="amount"):
        minor_units(amount, "checkout 'c'")


def test_through_a_real_server(tmp_path, fake):
    db, totals = make_db(tmp_path, n=1)
    fake.checkout("chk_1", "o-1", totals["o-1"] / 100)
    with Server(db, "--sumup-api", fake.url) as srv:
        req = urllib.request.Request(srv.url + "/webhooks/sumup", b'{"id": "chk_1"}')
        with urllib.request.urlopen(req, timeout=30) as r:
            assert json.loads(r.read())["outcome"] == "settled"
    assert books(db, "o-1")[0].status == "fulfilled"
