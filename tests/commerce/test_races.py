"""Races between real worker processes on one SQLite file (a barrier, many trials).

Each trial starts N processes at the same instant on the same order (or the same last
unit of stock), then checks every invariant on the file (race_support.check_invariants).
TRIALS can be raised with $RACE_TRIALS for a longer soak.
"""

from __future__ import annotations

import os

import pytest

from commerce.errors import InsufficientStockError, OrderStateError
from commerce.orders.orders import ALREADY_SETTLED, EXTRA_PAYMENT, NEEDS_REFUND, SETTLED

from .orders_fixtures import START, cart, engine
from .race_support import check_invariants, race

TRIALS = int(os.environ.get("RACE_TRIALS", "8"))


def _begin(e, order, mix):
    c = cart(**mix)
    r = e.orders.begin(order, c, e.quote(c, jurisdiction="UK", at=START))
    return (r.flow_id, r.waiting_on)


def _settle(e, order, ref, amount):
    return e.orders.settle(order, ref, amount).outcome


def _begin_or_short(e, order, mix):
    try:
        return _begin(e, order, mix)
    except InsufficientStockError:
        return "short"


def _total(db, order="o-1", **mix):
    e = engine(db)
    c = cart(**mix)
    total = e.quote(c, jurisdiction="UK", at=START).total
    e.close()
    return total


@pytest.mark.parametrize("trial", range(TRIALS))
def test_three_workers_begin_the_same_order(tmp_path, trial):
    db = tmp_path / "shop.db"
    results = race(db, [(_begin, ("o-1", {"tea": 1, "gold": 1, "book": 0}))] * 3)
    assert [r[0] for r in results] == ["ok"] * 3, results
    assert len({r[1] for r in results}) == 1  # the same flow, waiting on payment
    assert results[0][1][1] == "payment"
    s = check_invariants(db)
    assert s["o-1"].status == "reserved" and s["o-1"].paid == 0


@pytest.mark.parametrize("trial", range(TRIALS))
def test_three_workers_settle_the_same_payment(tmp_path, trial):
    db = tmp_path / "shop.db"
    mix = {"tea": 1, "gold": 0, "book": 1}
    race(db, [(_begin, ("o-1", mix))])
    total = _total(db, **mix)
    results = race(db, [(_settle, ("o-1", "pay_1", total))] * 3)
    outcomes = sorted(r[1] for r in results)
    assert outcomes == sorted([SETTLED, ALREADY_SETTLED, ALREADY_SETTLED]), results
    s = check_invariants(db)
    assert (s["o-1"].status, s["o-1"].paid, s["o-1"].payments) == ("fulfilled", total, ("pay_1",))


@pytest.mark.parametrize("trial", range(TRIALS))
def test_three_workers_settle_with_different_refs(tmp_path, trial):
    db = tmp_path / "shop.db"
    mix = {"tea": 2, "gold": 0, "book": 0}
    race(db, [(_begin, ("o-1", mix))])
    total = _total(db, **mix)
    results = race(db, [(_settle, ("o-1", f"pay_{i}", total)) for i in range(3)])
    outcomes = sorted(r[1] for r in results)
    assert outcomes == sorted([SETTLED, EXTRA_PAYMENT, EXTRA_PAYMENT]), results
    s = check_invariants(db)
    assert s["o-1"].status == "fulfilled" and s["o-1"].paid == 3 * total
    assert s["o-1"].recon == "overpaid"


@pytest.mark.parametrize("trial", range(TRIALS))
def test_four_workers_want_the_last_two_gold_mugs(tmp_path, trial):
    db = tmp_path / "shop.db"
    jobs = [(_begin_or_short, (f"o-{i}", {"tea": 0, "gold": 2, "book": 0})) for i in range(4)]
    results = race(db, jobs)
    got = [r[1] for r in results]
    assert got.count("short") == 3, results
    check_invariants(db)
    e = engine(db)
    assert e.stock.available("MUG", "gold") == 0
    assert len(e.ledger.streams()) == 1  # a short order leaves no trace
    e.close()


def _approve(e, order, refund):
    return e.refunds.approve(order, refund).stage


def _refund_settle(e, order, refund):
    try:
        return e.refunds.settle(order, refund).stage
    except Exception as exc:  # not approved yet: the provider retries later
        return type(exc).__name__


def _refund_request(e, order, refund, amount):
    try:
        return e.refunds.request(order, refund, amount).stage
    except Exception as exc:
        return type(exc).__name__


@pytest.mark.parametrize("trial", range(TRIALS))
def test_refund_requests_approvals_and_settlements_race(tmp_path, trial):
    db = tmp_path / "shop.db"
    mix = {"tea": 2, "gold": 0, "book": 0}
    race(db, [(_begin, ("o-1", mix))])
    total = _total(db, **mix)
    race(db, [(_settle, ("o-1", "pay_1", total))])
    # two full refunds asked for at once: only one fits
    results = race(db, [(_refund_request, ("o-1", f"r-{i}", total)) for i in range(2)])
    stages = sorted(r[1] for r in results)
    assert stages == ["RefundTooLargeError", "requested"], results
    refund = next(f"r-{i}" for i in range(2) if _stage(db, f"r-{i}") == "requested")
    race(db, [(_approve, ("o-1", refund)), (_refund_settle, ("o-1", refund))] * 2)
    check_invariants(db)
    race(db, [(_refund_settle, ("o-1", refund))] * 2)
    s = check_invariants(db)
    assert s["o-1"].refunded == total  # settled once, however often it was delivered


def _stage(db, refund):
    e = engine(db)
    try:
        return e.refunds.state("o-1", refund).stage
    except Exception:
        return None
    finally:
        e.close()


def _restart(e):
    e.restart_flows()
    return "restarted"


@pytest.mark.parametrize("trial", range(max(TRIALS // 2, 1)))
def test_a_restart_during_settles_loses_nothing(tmp_path, trial):
    db = tmp_path / "shop.db"
    mix = {"tea": 1, "gold": 0, "book": 0}
    race(db, [(_begin, (f"o-{i}", mix)) for i in range(3)])
    total = _total(db, **mix)
    jobs = [(_settle, (f"o-{i}", f"pay_{i}", total)) for i in range(3)] + [(_restart, ())]
    results = race(db, jobs)
    assert all(r[0] == "ok" for r in results), results
    s = check_invariants(db)
    assert all(s[f"o-{i}"].status == "fulfilled" for i in range(3))
    e = engine(db)
    before = e.flows.store.next_id()
    e.close()
    assert before == 4  # three flows, ids 1..3, none reused by the restart


def _cancel(e, order):
    try:
        return e.orders.cancel(order).status
    except OrderStateError:
        return "refused"


@pytest.mark.parametrize("trial", range(TRIALS))
def test_a_cancel_races_the_payment_webhook(tmp_path, trial):
    db = tmp_path / "shop.db"
    mix = {"tea": 0, "gold": 1, "book": 0}
    race(db, [(_begin, ("o-1", mix))])
    total = _total(db, **mix)
    results = race(db, [(_cancel, ("o-1",)), (_settle, ("o-1", "pay_1", total))])
    assert [r[0] for r in results] == ["ok", "ok"], results
    outcomes = sorted(r[1] for r in results)
    s = check_invariants(db)
    e = engine(db)
    try:
        kinds = [type(ev).__name__ for ev in e.ledger.events("o-1")]
        gold = e.stock.available("MUG", "gold")
    finally:
        e.close()
    if "refused" in outcomes:  # the payment won: the order ships, nothing is cancelled
        assert outcomes == sorted(["refused", SETTLED]), results
        assert s["o-1"].status == "fulfilled" and "OrderCancelled" not in kinds
    else:  # the cancel won: the payment is kept and owed back, the mug is on the shelf
        assert outcomes == sorted(["cancelled", NEEDS_REFUND]), results
        assert s["o-1"].status == "cancelled" and s["o-1"].recon == "needs-refund"
        assert "OrderFulfilled" not in kinds and "StockReleased" in kinds and gold == 2
