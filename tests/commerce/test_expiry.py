"""Payment expiry, cancellation that compensates, late payments, and the upgrade of a
store made by the release before expiry -- on a virtual clock."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from commerce.cli.demo import START
from commerce.errors import CommerceError, OrderStateError
from commerce.ledger.events import OrderCancelled, OrderExpired, PaymentRecorded, StockReleased
from commerce.ledger.recon import needs_refund_orders
from commerce.orders.engine import Engine
from commerce.orders.orders import NEEDS_REFUND, SETTLED
from flowhost import Done

from .orders_fixtures import SHOP, cart

FIXTURES = Path(__file__).parents[1] / "fixtures"


class Clock:
    """Virtual time: moves only when the test moves it."""

    def __init__(self, now: int = START) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def _begin(e: Engine, order: str, gold: int = 2):
    c = cart(tea=0, gold=gold, book=0)
    q = e.quote(c, jurisdiction="UK", at=START)
    e.orders.begin(order, c, q)
    return q


@pytest.fixture
def timed(tmp_path):
    clock = Clock()
    e = Engine.open(tmp_path / "shop.db", SHOP, clock=clock, payment_timeout=600)
    yield e, clock
    e.close()


def test_an_unpaid_order_expires_and_its_stock_goes_to_another_order(timed):
    e, clock = timed
    _begin(e, "o-1")  # both gold mugs
    assert e.stock.available("MUG", "gold") == 0
    with pytest.raises(CommerceError):
        _begin(e, "o-2")
    clock.now += 599
    assert e.run_due() == []
    clock.now += 1
    [fired] = e.run_due()
    assert fired == Done(e.orders.flow_of("o-1"), fired.result)
    assert e.orders.summary("o-1").status == "expired"
    kinds = [type(ev) for ev in e.ledger.events("o-1")]
    assert kinds[-2:] == [StockReleased, OrderExpired]
    assert e.stock.available("MUG", "gold") == 2
    _begin(e, "o-2")  # the released mugs sell again
    assert e.orders.waiting_on("o-2") == "payment"
    assert e.run_due() == []  # fired once


def test_a_payment_in_time_settles_and_the_timer_never_fires(timed):
    e, clock = timed
    q = _begin(e, "o-1")
    clock.now += 10
    assert e.orders.settle("o-1", "pay-1", q.total).outcome == SETTLED
    clock.now += 10_000
    assert e.run_due() == []
    assert e.orders.summary("o-1").status == "fulfilled"


def test_a_late_payment_after_expiry_is_recorded_and_needs_a_refund(timed):
    e, clock = timed
    q = _begin(e, "o-1")
    clock.now += 601
    e.run_due()
    s = e.orders.settle("o-1", "pay-late", q.total)
    assert (s.outcome, s.recorded, s.summary.status) == (NEEDS_REFUND, True, "expired")
    assert isinstance(e.ledger.events("o-1")[-1], PaymentRecorded)
    assert "fulfilled" not in [ev.type for ev in e.ledger.events("o-1")]
    assert needs_refund_orders(e.recon()) == ["o-1"]
    assert e.orders.summary("o-1").recon == "needs-refund"
    # the redelivered webhook changes nothing and still says so
    assert e.orders.settle("o-1", "pay-late", q.total).outcome == NEEDS_REFUND
    assert e.orders.summary("o-1").paid == q.total


def test_cancel_compensates_in_the_flow_and_a_later_payment_needs_a_refund(timed):
    e, _ = timed
    q = _begin(e, "o-1")
    flow = e.orders.flow_of("o-1")
    s = e.orders.cancel("o-1")
    assert s.status == "cancelled" and s.reserved == ()
    assert e.flows.status(flow) == "cancelled"
    steps = e.flows.steps(flow)
    assert [(st.kind, st.event) for st in steps[-2:]] == [("payment", "cancel"), ("release", None)]
    assert e.stock.available("MUG", "gold") == 2
    assert [type(ev) for ev in e.ledger.events("o-1")][-2:] == [OrderCancelled, StockReleased]
    assert e.orders.cancel("o-1").status == "cancelled"  # again: no change
    assert e.orders.settle("o-1", "pay-1", q.total).outcome == NEEDS_REFUND
    assert needs_refund_orders(e.recon()) == ["o-1"]


def test_a_paid_order_cannot_be_cancelled(timed):
    e, _ = timed
    q = _begin(e, "o-1")
    e.orders.settle("o-1", "pay-1", q.total)
    with pytest.raises(OrderStateError, match="only an order not yet paid"):
        e.orders.cancel("o-1")


def test_an_order_without_a_timeout_is_cancelled_by_the_service(tmp_path):
    e = Engine.open(tmp_path / "shop.db", SHOP, clock=Clock())
    _begin(e, "o-1")
    assert e.orders.cancel("o-1").status == "cancelled"
    assert e.stock.available("MUG", "gold") == 2
    e.close()


def test_the_release_store_upgrades_and_its_orders_finish(tmp_path):
    db = tmp_path / "release.db"
    shutil.copy(FIXTURES / "release-store.db", db)
    clock = Clock(START + 10)
    e = Engine.open(db, SHOP, clock=clock, payment_timeout=600)
    assert e.orders.waiting_on("o-seed") == e.orders.waiting_on("o-release") == "payment"
    for order in ("o-seed", "o-release"):  # replay on the path before the patch
        assert e.flows.check(e.orders.flow_of(order)) == {}
    clock.now += 100_000
    assert e.run_due() == []  # begun before expiry: they never expire
    total = e.orders.summary("o-seed").total
    for order in ("o-seed", "o-release"):
        assert e.orders.settle(order, f"pay-{order}", total).outcome == SETTLED
        assert e.orders.summary(order).status == "fulfilled"
    e.close()


def test_the_release_export_imports_and_replays(tmp_path):
    import json

    e = Engine.open(tmp_path / "x.db", SHOP, clock=Clock())
    e.flows.import_(json.loads((FIXTURES / "release-flows.json").read_text()))
    assert [r.kind for r in e.flows.requests()] == ["payment", "payment"]
    e.close()


def test_the_command_line_cancels_runs_timers_and_lists_needs_refund(tmp_path):
    from click.testing import CliRunner

    from commerce.cli.main import main

    db = tmp_path / "shop.db"
    clock = Clock()
    e = Engine.open(db, SHOP, clock=clock, payment_timeout=1)
    q = _begin(e, "o-1", gold=1)
    _begin(e, "o-2", gold=1)
    e.close()
    run = CliRunner().invoke
    r = run(main, ["orders", "cancel", "o-1", "--db", str(db)])
    assert (r.exit_code, r.output) == (0, "o-1: cancelled; stock released\n")
    r = run(main, ["orders", "cancel", "o-9", "--db", str(db)])
    assert r.exit_code == 1 and "no order 'o-9'" in r.output
    r = run(main, ["timers", "run", "--db", str(db)])  # the wall clock is far past START
    assert r.exit_code == 0 and r.output.endswith("1 timer fired\n"), r.output
    assert "order:o-2" in r.output
    r = run(main, ["orders", "settle", "o-2", "pay-2", str(q.total), "--db", str(db)])
    r = run(main, ["orders", "recon", "--db", str(db)])
    assert "needs refund: o-2" in r.output.splitlines()


def test_the_shop_sets_the_payment_timeout_and_bad_values_are_refused(tmp_path):
    import json

    from commerce.errors import InvalidFieldError
    from commerce.pricing.files import load_shop

    data = json.loads((Path(__file__).parents[2] / "examples" / "shop.json").read_text())
    path = tmp_path / "shop.json"
    path.write_text(json.dumps(dict(data, payment_timeout=900)))
    shop = load_shop(path)
    assert shop.payment_timeout == 900
    assert Engine(shop).payment_timeout == 900
    assert Engine(shop, payment_timeout=60).payment_timeout == 60
    for bad in (0, -5, "900", 1.5):
        path.write_text(json.dumps(dict(data, payment_timeout=bad)))
        with pytest.raises(CommerceError, match="payment_timeout"):
            load_shop(path)
    with pytest.raises(InvalidFieldError, match="payment_timeout"):
        Engine(shop, payment_timeout="soon")  # type: ignore[arg-type]


def test_a_worker_expires_an_unpaid_order_through_its_timer_pass(timed):
    from commerce.orders.worker import Worker

    e, clock = timed
    _begin(e, "o-1")
    w = Worker(e)
    w.run(once=True)
    assert e.orders.summary("o-1").status != "expired" and w.tally.timers == 0
    clock.now += 600
    w.run(once=True)
    assert w.tally.timers == 1 and e.orders.summary("o-1").status == "expired"
    assert e.stock.available("MUG", "gold") == 2
    w.close()
