"""POST /webhooks/payments through the ASGI app: signatures, replays, duplicates, odd orders."""

from __future__ import annotations

import json
import logging

import pytest
from starlette.testclient import TestClient

from commerce.orders.engine import Engine
from commerce.web import Backend, SignedProvider, create_app
from commerce.web.signature import HEADER, sign

from .helpers import SECRET, TOKEN, db_state, event, make_db, signed

NOW = 1_800_000_000


@pytest.fixture
def shop(tmp_path):
    db, totals = make_db(tmp_path, n=3)
    return db, totals


def client_for(db, secrets=(SECRET,), now=NOW):
    provider = SignedProvider(list(secrets), clock=lambda: now)
    return TestClient(create_app(Backend(db), [provider], admin_token=TOKEN))


@pytest.fixture
def client(shop):
    with client_for(shop[0]) as c:
        yield c


def post(c, body, headers=None, t=NOW):
    return c.post("/webhooks/payments", content=body, headers=signed(body, t=t) | (headers or {}))


def books(db, order):
    e = Engine.open(db)
    try:
        return e.orders.summary(order), e.orders.waiting_on(order)
    finally:
        e.close()


def test_a_signed_payment_settles_and_fulfils_the_order(client, shop):
    db, totals = shop
    r = post(client, event("evt_1", "o-1", totals["o-1"]))
    assert r.status_code == 200, r.text
    assert r.json() | {} == r.json() and r.json()["outcome"] == "settled"
    assert r.json()["status"] == "processed" and r.json()["recorded"] is True
    s, waiting = books(db, "o-1")
    assert (s.status, s.paid, s.payments, waiting) == (
        "fulfilled",
        totals["o-1"],
        ("pay_evt_1",),
        None,
    )


BODY = event("evt_x", "o-1", 100)
GOOD_T = NOW - 10


@pytest.mark.parametrize(
    "header, why",
    [
        (None, "missing Commerce-Signature header"),
        ("", "missing Commerce-Signature header"),
        ("garbage", "is not key=value"),
        (f"v1={sign(SECRET, GOOD_T, BODY)}", "no t= timestamp"),
        (f"t={GOOD_T}", "no v1= signature"),
        (f"t=abc,v1={sign(SECRET, GOOD_T, BODY)}", "t must be one whole number"),
        (f"t={GOOD_T},t={GOOD_T},v1={sign(SECRET, GOOD_T, BODY)}", "t must be one whole number"),
        (f"t={GOOD_T},v1={sign('wrong-secret', GOOD_T, BODY)}", "no v1 signature matches"),
        (f"t={GOOD_T},v1={sign(SECRET, GOOD_T + 1, BODY)}", "no v1 signature matches"),
        (f"t={GOOD_T},v1={sign(SECRET, GOOD_T, BODY + b' ')}", "no v1 signature matches"),
        (f"t={GOOD_T},v1={sign(SECRET, GOOD_T, BODY).upper()}", "no v1 signature matches"),
        (f"t={GOOD_T},v0={sign(SECRET, GOOD_T, BODY)}", "no v1= signature"),
        (f"t={NOW - 301},v1={sign(SECRET, NOW - 301, BODY)}", "301 s from now"),
        (f"t={NOW + 301},v1={sign(SECRET, NOW + 301, BODY)}", "301 s from now"),
    ],
)
def test_a_bad_signature_is_refused_with_400_and_changes_nothing(client, shop, header, why):
    before = db_state(shop[0])
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers[HEADER] = header
    r = client.post("/webhooks/payments", content=BODY, headers=headers)
    assert r.status_code == 400
    assert why in r.json()["error"]
    assert db_state(shop[0]) == before


def test_a_timestamp_inside_the_tolerance_is_accepted(client, shop):
    r = post(client, event("evt_1", "o-1", shop[1]["o-1"]), t=NOW - 299)
    assert r.status_code == 200 and r.json()["outcome"] == "settled"


def test_a_body_changed_after_signing_is_refused(client, shop):
    body = event("evt_1", "o-1", shop[1]["o-1"])
    headers = signed(body, t=NOW)
    before = db_state(shop[0])
    r = client.post("/webhooks/payments", content=body.replace(b"o-1", b"o-2"), headers=headers)
    assert r.status_code == 400 and db_state(shop[0]) == before


def test_rotation_several_v1_entries_and_several_shop_secrets(shop):
    db, totals = shop
    body1 = event("evt_1", "o-1", totals["o-1"])
    # the provider signs with the old and the new secret; the shop already holds only the new
    with client_for(db, secrets=("new",)) as c:
        r = c.post(
            "/webhooks/payments",
            content=body1,
            headers=signed(body1, secrets=("old", "new"), t=NOW),
        )
        assert r.status_code == 200, r.text
        body2 = event("evt_2", "o-2", totals["o-2"])
        r = c.post(
            "/webhooks/payments", content=body2, headers=signed(body2, secrets=("old",), t=NOW)
        )
        assert r.status_code == 400
    # the shop holds both while the provider still signs with the old one only
    with client_for(db, secrets=("new", "old")) as c:
        r = c.post(
            "/webhooks/payments", content=body2, headers=signed(body2, secrets=("old",), t=NOW)
        )
        assert r.status_code == 200 and r.json()["outcome"] == "settled"


def test_a_replayed_request_is_a_duplicate_and_calls_nothing(client, shop, monkeypatch):
    db, totals = shop
    body = event("evt_1", "o-1", totals["o-1"])
    headers = signed(body, t=NOW)
    assert client.post("/webhooks/payments", content=body, headers=headers).status_code == 200
    before = db_state(db)
    calls = []
    monkeypatch.setattr(Backend, "_apply", staticmethod(lambda *a: calls.append(a)))
    r = client.post("/webhooks/payments", content=body, headers=headers)
    assert r.status_code == 200
    assert r.json() == {"status": "duplicate", "event": "evt_1", "outcome": "settled"}
    assert calls == [] and db_state(db) == before


def test_the_same_payment_ref_under_a_new_event_id_records_nothing_new(client, shop):
    db, totals = shop
    assert post(client, event("evt_1", "o-1", totals["o-1"], ref="pay_A")).status_code == 200
    r = post(client, event("evt_2", "o-1", totals["o-1"], ref="pay_A"))
    assert r.status_code == 200
    assert (r.json()["outcome"], r.json()["recorded"]) == ("already-settled", False)
    s, _ = books(db, "o-1")
    assert s.payments == ("pay_A",) and s.paid == totals["o-1"]


def test_payment_failed_after_success_is_a_no_op(client, shop):
    db, totals = shop
    assert post(client, event("evt_ok", "o-1", totals["o-1"], ref="pay_A")).status_code == 200
    before = books(db, "o-1")
    r = post(client, event("evt_fail", "o-1", totals["o-1"], ref="pay_A", type="payment.failed"))
    assert r.status_code == 200
    assert r.json()["outcome"] == "ignored: order already paid"
    assert books(db, "o-1") == before and before[0].status == "fulfilled"
    assert post(client, event("evt_fail", "o-1", 1, type="payment.failed")).json()["status"] == (
        "duplicate"
    )


def test_payment_failed_before_success_leaves_the_order_waiting(client, shop):
    db, totals = shop
    r = post(client, event("evt_fail", "o-1", totals["o-1"], type="payment.failed"))
    assert r.json()["outcome"] == "payment-failed"
    s, waiting = books(db, "o-1")
    assert (s.paid, waiting) == (0, "payment")
    assert post(client, event("evt_ok", "o-1", totals["o-1"])).json()["outcome"] == "settled"


def test_an_unknown_order_is_acknowledged_and_recorded_so_the_provider_stops(client, shop):
    db, _ = shop
    r = post(client, event("evt_1", "o-404", 500))
    assert r.status_code == 200 and r.json()["outcome"] == "ignored: unknown order"
    e = Engine.open(db)
    assert not e.ledger.exists("o-404")
    e.close()
    assert post(client, event("evt_1", "o-404", 500)).json()["status"] == "duplicate"


def test_a_wrong_currency_is_recorded_as_such_and_never_fulfils(client, shop):
    db, totals = shop
    before = books(db, "o-1")
    r = post(client, event("evt_1", "o-1", totals["o-1"], currency="EUR"))
    assert r.status_code == 200
    assert (r.json()["outcome"], r.json()["recorded"]) == ("wrong-currency", False)
    after = books(db, "o-1")
    figures = lambda b: (b[0].status, b[0].paid, b[0].net, b[0].recon, b[1])  # noqa: E731
    assert figures(after) == figures(before) and before[1] == "payment"
    assert after[0].version == before[0].version + 1  # kept as a payment-wrong-currency


def test_a_short_amount_is_recorded_and_does_not_fulfil(client, shop):
    db, totals = shop
    r = post(client, event("evt_1", "o-1", totals["o-1"] - 1))
    assert (r.json()["outcome"], r.json()["recorded"]) == ("partial", True)
    s, waiting = books(db, "o-1")
    assert (s.paid, s.recon, waiting) == (totals["o-1"] - 1, "underpaid", "payment")
    r = post(client, event("evt_2", "o-1", 1))
    assert r.json()["outcome"] == "settled"


@pytest.mark.parametrize(
    "doc, why",
    [
        (b"not json", "body is not JSON"),
        (b"[1, 2]", "body must be a JSON object"),
        (json.dumps({"type": "payment.succeeded", "data": {}}).encode(), "id:"),
        (json.dumps({"id": "e", "type": "payment.exploded", "data": {}}).encode(), "type:"),
        (json.dumps({"id": "e", "type": "payment.succeeded"}).encode(), "data:"),
        (
            json.dumps({"id": "e", "type": "payment.succeeded", "data": {"order": "o-1"}}).encode(),
            "data.amount",
        ),
        (
            json.dumps(
                {
                    "id": "e",
                    "type": "payment.succeeded",
                    "data": {"order": "o-1", "ref": "p", "amount": "10", "currency": "GBP"},
                }
            ).encode(),
            "data.amount",
        ),
        (
            json.dumps(
                {
                    "id": "e",
                    "type": "payment.succeeded",
                    "data": {"order": "o-1", "ref": "p", "amount": True, "currency": "GBP"},
                }
            ).encode(),
            "data.amount",
        ),
        (
            json.dumps(
                {
                    "id": "e",
                    "type": "payment.succeeded",
                    "data": {"order": "o-1", "amount": 10, "currency": "GBP"},
                }
            ).encode(),
            "data.ref",
        ),
        (
            json.dumps({"id": "e", "type": "refund.succeeded", "data": {"order": "o-1"}}).encode(),
            "data.refund",
        ),
    ],
)
def test_a_malformed_signed_body_is_refused_with_400(client, shop, doc, why):
    before = db_state(shop[0])
    r = post(client, doc)
    assert r.status_code == 400 and why in r.json()["error"]
    assert db_state(shop[0]) == before


def test_refund_succeeded_settles_an_approved_refund_and_refuses_an_unapproved_one(client, shop):
    db, totals = shop
    post(client, event("evt_pay", "o-1", totals["o-1"]))
    e = Engine.open(db)
    e.refunds.request("o-1", "r-1", 100)
    e.close()
    before = db_state(db)
    r = post(client, event("evt_r", "o-1", 0, ref="r-1", type="refund.succeeded"))
    assert r.status_code == 422 and "not approved" in r.json()["error"]
    assert db_state(db) == before  # not recorded: the redelivery after approval settles it
    e = Engine.open(db)
    e.refunds.approve("o-1", "r-1")
    e.close()
    r = post(client, event("evt_r", "o-1", 0, ref="r-1", type="refund.succeeded"))
    assert (r.status_code, r.json()["outcome"]) == (200, "refund-settled")
    s, _ = books(db, "o-1")
    assert s.refunded == 100


def test_a_crash_after_the_service_call_is_safe_on_redelivery(client, shop, monkeypatch):
    """The event id is written after the service call; if the process dies in between, the
    redelivery calls settle again, which records nothing new (refs are once-only)."""
    from commerce.web.eventlog import EventLog

    db, totals = shop
    real = EventLog.record

    def crash(self, e):
        raise RuntimeError("killed between the service call and the event-id insert")

    monkeypatch.setattr(EventLog, "record", crash)
    body = event("evt_1", "o-1", totals["o-1"])
    with pytest.raises(RuntimeError, match="killed between"):
        post(client, body)
    monkeypatch.setattr(EventLog, "record", real)
    r = post(client, body)
    assert (r.status_code, r.json()["outcome"], r.json()["recorded"]) == (
        200,
        "already-settled",
        False,
    )
    s, _ = books(db, "o-1")
    assert s.payments == ("pay_evt_1",)


def test_health_readiness_and_one_json_log_line_per_request(client, caplog):
    caplog.set_level(logging.INFO, logger="commerce.web.requests")
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    assert client.get("/webhooks/payments").status_code == 405  # no GET on the webhook
    lines = [json.loads(r.getMessage()) for r in caplog.records]
    assert [(x["method"], x["path"], x["status"]) for x in lines] == [
        ("GET", "/healthz", 200),
        ("GET", "/readyz", 200),
        ("GET", "/webhooks/payments", 405),
    ]
    assert all(isinstance(x["ms"], float) for x in lines)


def test_readiness_fails_when_the_database_does_not_answer(client, monkeypatch):
    from commerce.errors import LedgerStoreError
    from commerce.web.eventlog import EventLog

    def broken(self):
        raise LedgerStoreError("shop.db: database is locked")

    monkeypatch.setattr(EventLog, "ping", broken)
    r = client.get("/readyz")
    assert r.status_code == 503 and "locked" in r.json()["error"]


def test_an_oversized_body_is_refused_with_413(client, shop):
    before = db_state(shop[0])
    body = b"{" + b" " * (64 * 1024) + b"}"
    r = post(client, body)
    assert r.status_code == 413 and "over 65536 bytes" in r.json()["error"]
    assert db_state(shop[0]) == before
