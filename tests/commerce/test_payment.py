"""The provider-neutral payment envelope and the pending-payments poller."""

from __future__ import annotations

import pytest

from commerce.errors import OrderStateError
from commerce.orders.payment import PaymentRequest

from .orders_fixtures import begun, engine


def test_the_envelope_takes_its_amount_from_the_ledger():
    e = engine()
    _, q = begun(e, "o-1")
    env = e.orders.payment_request("o-1")
    assert env == PaymentRequest("o-1", q.total, "GBP", "https://shop.example/orders/o-1/paid")
    assert env.to_json() == {
        "order": "o-1",
        "amount": 6550,
        "currency": "GBP",
        "return_url": "https://shop.example/orders/o-1/paid",
    }


def test_a_partial_payment_leaves_the_rest_outstanding():
    e = engine()
    begun(e, "o-1")
    r = e.orders.settle("o-1", "pay_a", 6000)
    assert r.outcome == "partial" and e.orders.waiting_on("o-1") == "payment"
    assert e.orders.payment_request("o-1").amount == 550
    assert e.orders.settle("o-1", "pay_b", 550).outcome == "settled"


def test_pending_payments_lists_every_order_waiting_on_payment():
    e = engine()
    begun(e, "o-1", tea=1, gold=0, book=0)
    begun(e, "o-2", tea=2, gold=0, book=0)
    begun(e, "o-3", tea=3, gold=0, book=0)
    e.orders.settle("o-2", "pay_2", e.orders.payment_request("o-2").amount)
    assert [(p.order, p.amount) for p in e.orders.pending_payments()] == [
        ("o-1", 450),
        ("o-3", 900),
    ]


def test_no_envelope_for_an_order_not_waiting_on_payment():
    e = engine()
    _, q = begun(e, "o-1")
    e.orders.settle("o-1", "pay_1", q.total)
    with pytest.raises(OrderStateError, match="not waiting for payment"):
        e.orders.payment_request("o-1")


def test_the_return_url_is_the_hosts(tmp_path):
    from commerce.cli.demo import Clock
    from commerce.orders.engine import Engine

    from .orders_fixtures import SHOP, cart

    e = Engine(SHOP, clock=Clock(), return_url="https://pay.example/back?o={order}")
    c = cart()
    e.orders.begin("o-9", c, e.quote(c, jurisdiction="UK", at=1767225600))
    assert e.orders.payment_request("o-9").return_url == "https://pay.example/back?o=o-9"
