"""The operator console through the ASGI app: login, pages, refund actions, CSRF."""

from __future__ import annotations

import html
import re

import pytest
from starlette.testclient import TestClient

from commerce.orders.engine import Engine
from commerce.web import Backend, SignedProvider, create_app
from commerce.web.console import COOKIE

from .helpers import SECRET, TOKEN, db_state, event, make_db, signed


@pytest.fixture
def setup(tmp_path):
    db, totals = make_db(tmp_path, n=3)
    app = create_app(Backend(db), [SignedProvider([SECRET])], admin_token=TOKEN)
    with TestClient(app, base_url="https://testserver") as c:
        body = event("evt_1", "o-1", totals["o-1"])
        assert c.post("/webhooks/payments", content=body, headers=signed(body)).status_code == 200
        yield c, db


def login(c):
    r = c.post("/login", data={"token": TOKEN, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303
    return r


def csrf(c, path="/orders/o-1"):
    return re.search(r'name="csrf" value="([0-9a-f]+)"', c.get(path).text).group(1)


def test_pages_need_the_admin_token(setup):
    c, _ = setup
    for path in ("/", "/orders/o-1", "/flows", "/webhooks"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    r = c.post("/login", data={"token": "wrong"}, follow_redirects=False)
    assert r.status_code == 401 and "wrong admin token" in r.text
    assert COOKIE not in c.cookies


def test_login_sets_a_strict_http_only_cookie_that_is_not_the_token(setup):
    c, _ = setup
    r = login(c)
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert TOKEN not in cookie
    assert c.get("/").status_code == 200
    c.post("/logout", follow_redirects=False)
    assert c.get("/", follow_redirects=False).status_code == 303


def test_login_never_redirects_off_the_console(setup):
    c, _ = setup
    r = c.post("/login", data={"token": TOKEN, "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_the_orders_list_shows_the_books_and_filters_by_status(setup):
    c, _ = setup
    login(c)
    page = c.get("/").text
    for order in ("o-1", "o-2", "o-3"):
        assert f">{order}</a>" in page
    assert "fulfilled" in page and "payment" in page and "unpaid" in page
    only = c.get("/?status=fulfilled").text
    assert ">o-1</a>" in only and ">o-2</a>" not in only
    assert "No orders with status paid" in c.get("/?status=paid").text


def test_the_order_page_shows_ledger_and_timeline(setup):
    c, _ = setup
    login(c)
    page = html.unescape(c.get("/orders/o-1").text)
    for word in ("order-created", "stock-reserved", "payment-recorded", "order-fulfilled"):
        assert word in page
    assert '(reserve "o-1") → reserved' in page and '(payment "o-1") → paid' in page
    assert "evt_1" in page and "settled" in page
    assert c.get("/orders/o-404").status_code == 404


def test_refund_actions_are_posts_with_a_csrf_token(setup):
    c, db = setup
    login(c)
    token = csrf(c)
    before = db_state(db)
    r = c.post("/orders/o-1/refunds", data={"refund": "r-1", "amount": "100"})
    assert r.status_code == 403 and db_state(db) == before
    r = c.post("/orders/o-1/refunds", data={"refund": "r-1", "amount": "100", "csrf": "0" * 64})
    assert r.status_code == 403 and db_state(db) == before
    r = c.post("/orders/o-1/refunds", data={"refund": "r-1", "amount": "100", "csrf": token})
    assert r.status_code == 200 and "refund r-1 of 100 requested" in r.text
    assert "waiting on approve" in r.text
    assert c.get("/orders/o-1/refunds/r-1/approve").status_code == 405  # no action is a GET
    r = c.post("/orders/o-1/refunds/r-1/approve", data={"csrf": token})
    assert "refund r-1 approved" in r.text and "waiting on settle" in r.text
    assert '(approve ("o-1" "r-1")) → approved' in html.unescape(r.text)
    e = Engine.open(db)
    assert e.refunds.state("o-1", "r-1").stage == "approved"
    e.close()


def test_a_refused_action_shows_why_and_changes_nothing(setup):
    c, db = setup
    login(c)
    token = csrf(c)
    before = db_state(db)
    r = c.post("/orders/o-1/refunds", data={"refund": "r-9", "amount": "999999", "csrf": token})
    assert "is more than order" in r.text and db_state(db) == before
    r = c.post("/orders/o-1/refunds", data={"refund": "r-9", "amount": "ten", "csrf": token})
    assert "positive whole number" in r.text and db_state(db) == before
    r = c.post("/orders/o-2/refunds", data={"refund": "r-9", "amount": "1", "csrf": token})
    assert "nothing paid to refund" in r.text and db_state(db) == before
    r = c.post("/orders/o-1/refunds/r-404/reject", data={"csrf": token})
    assert "has no refund" in r.text and db_state(db) == before


def test_a_bearer_client_needs_no_cookie_or_csrf(setup):
    c, _ = setup
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = c.post("/orders/o-1/refunds", data={"refund": "r-1", "amount": "5"}, headers=auth)
    assert r.status_code == 200 and "requested" in r.text
    r = c.post("/orders/o-1/refunds/r-1/reject", headers=auth)
    assert "refund r-1 rejected" in r.text
    assert c.post("/orders/o-1/refunds/r-1/reject").status_code == 401  # no token, no cookie


def test_the_flows_page_lists_what_each_suspended_flow_waits_on(setup):
    c, _ = setup
    login(c)
    page = html.unescape(c.get("/flows").text)
    assert page.count("order-lifecycle") == 2  # o-2 and o-3 wait on payment; o-1 is done
    assert '"o-2"' in page and '"o-3"' in page and '"o-1"' not in page
