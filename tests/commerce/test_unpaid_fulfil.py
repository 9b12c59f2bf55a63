"""Issue 16, "Paid orders that never ship are invisible": nothing fulfils an unpaid order,
whichever path moves its flow past payment, and a paid order that is not moving is listed
by reconciliation as needing action."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from commerce.cli import main as commerce_main
from commerce.ledger.events import OrderFulfilled, PaymentRecorded
from commerce.ledger.recon import PAID_UNFULFILLED, paid_unfulfilled_orders, stuck_orders
from commerce.orders.orders import EXTRA_PAYMENT, PARTIAL, SETTLED
from flowhost import HandlerError
from flowhost.cli import main as flowhost_main

from .orders_fixtures import ROOT, begun, engine

FLOWS = str(ROOT / "flows")


def flowhost(*args: str):
    return CliRunner().invoke(flowhost_main, list(args))


def _fulfilled(e, order):
    return any(isinstance(ev, OrderFulfilled) for ev in e.ledger.events(order))


def _shop(tmp_path, **mix):
    db = tmp_path / "shop.db"
    e = engine(db)
    _, q = begun(e, "o-1", **mix)
    flow = e.orders.flow_of("o-1")
    e.close()
    return db, flow, q.total


def test_flowhost_resume_of_a_payment_wait_is_refused_in_one_line(tmp_path):
    db, flow, _ = _shop(tmp_path)
    r = flowhost("resume", str(flow), "paid", "--store", str(db), "--flows", FLOWS)
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"flowhost: flow {flow} waits on payment")
    assert "commerce orders settle" in lines[0] and "--force" in lines[0]
    e = engine(db)
    assert e.orders.waiting_on("o-1") == "payment"  # nothing changed
    e.close()


def test_a_forced_resume_never_fulfils_an_unpaid_order_on_recovery(tmp_path):
    db, flow, total = _shop(tmp_path)
    r = flowhost("resume", str(flow), "paid", "--force", "--store", str(db), "--flows", FLOWS)
    assert r.exit_code == 0, r.output
    assert r.stdout == 'flow 1 suspended on (fulfil "o-1")\n'
    e = engine(db)  # a restart: the engine's recovery answers what is pending
    refused = e.recover()
    assert len(refused) == 1 and "not paid in full (net paid 0 of" in refused[0]
    assert not _fulfilled(e, "o-1") and e.orders.waiting_on("o-1") == "fulfil"
    assert e.orders.summary("o-1").status == "reserved"
    e.close()
    # the missing payment, when it comes, is the payment that settles the order
    e = engine(db)
    s = e.orders.settle("o-1", "pay_1", total - 1)
    assert (s.outcome, s.recorded) == (PARTIAL, True)
    assert not _fulfilled(e, "o-1") and e.recover() != []
    s = e.orders.settle("o-1", "pay_2", 1)
    assert s.outcome == SETTLED and s.summary.status == "fulfilled"
    assert e.recover() == [] and e.orders.waiting_on("o-1") is None
    assert e.orders.settle("o-1", "pay_3", 5).outcome == EXTRA_PAYMENT
    e.close()


def test_recovery_answers_the_other_flows_when_one_is_refused(tmp_path):
    db = tmp_path / "shop.db"
    e = engine(db)
    _, q1 = begun(e, "o-1", tea=1, gold=0, book=0)
    _, q2 = begun(e, "o-2", tea=2, gold=0, book=0)
    f1, f2 = e.orders.flow_of("o-1"), e.orders.flow_of("o-2")
    e.close()
    for f in (f1, f2):
        assert flowhost("resume", str(f), "paid", "--force", "--store", str(db)).exit_code == 0
    e = engine(db)
    e.ledger.append_once("o-2", PaymentRecorded(at=1, ref="pay_2", amount=q2.total))
    refused = e.recover()
    assert [line.split(" ")[1] for line in refused] == [str(f1)]
    assert not _fulfilled(e, "o-1") and _fulfilled(e, "o-2")
    e.close()


def test_a_handler_resume_in_the_api_is_refused_too():
    e = engine()
    begun(e, "o-1")
    flow = e.orders.flow_of("o-1")
    with pytest.raises(HandlerError, match="not paid in full"):
        e.flows.resume(flow, "paid")  # the API resumes, and its fulfil step is refused
    assert not _fulfilled(e, "o-1") and e.orders.waiting_on("o-1") == "fulfil"


def test_paid_but_cancelled_is_listed_as_needing_action(tmp_path):
    db, flow, total = _shop(tmp_path)
    assert flowhost("cancel", str(flow), "--store", str(db)).exit_code == 0
    e = engine(db)
    s = e.orders.settle("o-1", "pay_1", total)
    assert s.recorded and s.summary.recon == "ok"  # the books balance, but nothing ships
    found = e.needs_action()
    assert [(a.order, a.reason) for a in found] == [("o-1", PAID_UNFULFILLED)]
    assert "its flow is not running" in found[0].detail
    e.close()
    r = CliRunner().invoke(commerce_main, ["orders", "recon", "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1].startswith("needs action: o-1 paid-unfulfilled: net paid")
    r = CliRunner().invoke(commerce_main, ["orders", "recon", "--db", str(db), "--json"])
    assert '"reason": "paid-unfulfilled"' in r.stdout


def test_a_paid_order_about_to_be_fulfilled_is_not_stuck():
    e = engine()
    _, q = begun(e, "o-1")
    begun(e, "o-2", tea=2, gold=0, book=0)
    e.flows.resume(e.orders.flow_of("o-1"), "paid", serve=False)  # waits on fulfil
    e.ledger.append_once("o-1", PaymentRecorded(at=1, ref="pay_1", amount=q.total))
    book = e.recon()
    assert paid_unfulfilled_orders(book) == ["o-1"]
    assert stuck_orders(book, e.orders.waiting_on) == []  # recover() will fulfil it
    assert stuck_orders(book, lambda o: "payment")[0].detail.endswith("waits on payment")
    assert e.recover() == [] and _fulfilled(e, "o-1")
    assert paid_unfulfilled_orders(e.recon()) == [] and e.needs_action() == []
