"""Refunds: request -> approve | reject -> settle, as a flow; only settlement moves money."""

from __future__ import annotations

import pytest

from commerce.errors import OrderStateError, RefundTooLargeError, UnknownRefundError

from .orders_fixtures import begun, engine


@pytest.fixture
def paid():
    e = engine()
    _, q = begun(e)
    e.orders.settle("o-1", "pay_1", q.total)
    return e


def test_request_approve_settle(paid):
    r = paid.refunds.request("o-1", "r-1", 1500)
    assert (r.state, r.stage, r.waiting_on) == ("requested", "requested", "approve")
    assert r.summary.refunded == 0 and r.summary.recon == "ok"  # a request moves nothing
    r = paid.refunds.approve("o-1", "r-1")
    assert (r.stage, r.waiting_on) == ("approved", "settle")
    assert r.summary.refunded == 0
    r = paid.refunds.settle("o-1", "r-1")
    assert (r.state, r.waiting_on) == ("settled", None)
    assert (r.summary.refunded, r.summary.net, r.summary.recon) == (1500, 5050, "refunded")
    flow_id = paid.flows.find("refund-lifecycle", ["o-1", "r-1"])[0]
    assert paid.flows.status(flow_id) == "done"
    assert [s.kind for s in paid.flows.steps(flow_id)] == ["approve", "settle"]


def test_every_step_is_idempotent(paid):
    paid.refunds.request("o-1", "r-1", 1500)
    paid.refunds.request("o-1", "r-1", 1500)
    paid.refunds.approve("o-1", "r-1")
    paid.refunds.approve("o-1", "r-1")
    paid.refunds.settle("o-1", "r-1")
    r = paid.refunds.settle("o-1", "r-1")
    assert r.summary.refunded == 1500
    assert [type(e).__name__ for e in paid.ledger.events("o-1")].count("RefundSettled") == 1
    assert len(paid.flows.find("refund-lifecycle", ["o-1", "r-1"])) == 1


def test_reject_records_it_cancels_the_flow_and_moves_nothing(paid):
    paid.refunds.request("o-1", "r-1", 1000)
    r = paid.refunds.reject("o-1", "r-1")
    assert (r.state, r.waiting_on) == ("rejected", None)
    assert r.summary.refunded == 0 and r.summary.recon == "ok"
    flow_id = paid.flows.find("refund-lifecycle", ["o-1", "r-1"])[0]
    assert paid.flows.status(flow_id) == "cancelled"
    with pytest.raises(OrderStateError, match="was rejected"):
        paid.refunds.settle("o-1", "r-1")


def test_settling_before_approval_and_rejecting_after_it_are_refused(paid):
    paid.refunds.request("o-1", "r-1", 1000)
    with pytest.raises(OrderStateError, match="not approved yet"):
        paid.refunds.settle("o-1", "r-1")
    paid.refunds.approve("o-1", "r-1")
    with pytest.raises(OrderStateError, match="approved already"):
        paid.refunds.reject("o-1", "r-1")


def test_a_refund_cannot_exceed_what_was_paid_and_not_yet_refunded(paid):
    paid.refunds.request("o-1", "r-1", 6000)
    with pytest.raises(RefundTooLargeError, match="already being refunded 6000"):
        paid.refunds.request("o-1", "r-2", 600)
    paid.refunds.request("o-1", "r-2", 550)


def test_nothing_to_refund_before_payment():
    e = engine()
    begun(e)
    with pytest.raises(OrderStateError, match="nothing paid"):
        e.refunds.request("o-1", "r-1", 100)


def test_unknown_refund(paid):
    with pytest.raises(UnknownRefundError):
        paid.refunds.approve("o-1", "r-9")


def test_two_refunds_of_one_order_have_their_own_flows(paid):
    paid.refunds.request("o-1", "r-1", 1000)
    paid.refunds.request("o-1", "r-2", 500)
    paid.refunds.approve("o-1", "r-2")
    paid.refunds.settle("o-1", "r-2")
    s = paid.refunds.state("o-1", "r-1")
    assert (s.stage, s.waiting_on, s.summary.refunded) == ("requested", "approve", 500)


def test_the_approval_is_recorded_in_the_ledger_once(paid):
    from commerce.ledger.events import RefundApproved

    e, order = paid, "o-1"
    e.refunds.request(order, "r-1", 100)
    assert not any(isinstance(ev, RefundApproved) for ev in e.ledger.events(order))
    e.refunds.approve(order, "r-1")
    e.refunds.approve(order, "r-1")  # a second click changes nothing
    approvals = [ev for ev in e.ledger.events(order) if isinstance(ev, RefundApproved)]
    assert [a.refund for a in approvals] == ["r-1"]
