"""Reconciliation: kanren relations over order summaries, forward and backward, and the guards.

The books are written through the ledger (append-once, as the services will), folded into
summaries and reconciled. The seed's narrative numbers: subtotal 2400, discount 210, tax
320, total 2510; settle -> ok; a refund of 510 -> refunded, which balances (no mismatch).
"""

from __future__ import annotations

import random

import pytest
from kanren import run, var

from commerce import (
    DuplicateOrderError,
    InvalidFieldError,
    InvalidMoneyError,
    ItemLine,
    Ledger,
    MemoryLedger,
    OrderCreated,
    OrderFulfilled,
    OrderLine,
    PaymentRecorded,
    RefundRejected,
    RefundRequested,
    RefundSettled,
    SQLiteLedger,
    StockReserved,
    UnknownOrderError,
    discrepancyo,
    mismatch_report,
    mismatched_orders,
    mismatcho,
    neto,
    orders_with_net,
    orders_with_status,
    overpaid_orders,
    paido,
    recon_statuso,
    reconcile,
    refunded_orders,
    refundedo,
    settled_orders,
    summaries,
    summarize,
    summary_of,
    totalo,
    underpaid_orders,
    unpaid_orders,
)

AT = 1_767_225_600


def place(ledger: Ledger, order: str, total: int = 2510) -> None:
    """Create and reserve `order`: the seed's 2510 order, or a one-line order of `total`."""
    if total == 2510:
        line = OrderLine(sku="KIT", qty=2, unit=1200, extended=2400, tax=320)
        figures = {"subtotal": 2400, "discount": 210, "tax": 320, "codes": ("P875",)}
    else:
        line = OrderLine(sku="PEN", qty=1, unit=total, extended=total, tax=0)
        figures = {"subtotal": total, "discount": 0, "tax": 0}
    created = OrderCreated(
        at=AT, order=order, currency="GBP", total=total, lines=(line,), **figures
    )
    reserved = StockReserved(at=AT + 1, lines=created.items())
    ledger.append(order, [created, reserved], expected_version=0)


def settle(ledger: Ledger, order: str, ref: str, amount: int = 2510) -> bool:
    """The webhook's ledger half: record the payment once, then fulfil; True if new."""
    r = ledger.append_once(order, PaymentRecorded(at=AT + 10, ref=ref, amount=amount))
    ledger.append_once(order, OrderFulfilled(at=AT + 11))
    return not r.already_recorded


def refund(ledger: Ledger, order: str, rid: str, amount: int, outcome: str) -> None:
    ledger.append_once(order, RefundRequested(at=AT + 20, refund=rid, amount=amount))
    if outcome == "settled":
        ledger.append_once(order, RefundSettled(at=AT + 30, refund=rid, amount=amount))
    elif outcome == "rejected":
        ledger.append_once(order, RefundRejected(at=AT + 30, refund=rid))


def the_books(ledger: Ledger) -> Ledger:
    """Six orders, one of each story."""
    for order in ("o1", "o2", "o3", "o4", "o5"):
        place(ledger, order)
    place(ledger, "o6", total=1000)
    assert settle(ledger, "o1", "pay_1")
    assert not settle(ledger, "o1", "pay_1")  # webhook replay
    settle(ledger, "o2", "pay_2a")
    settle(ledger, "o2", "pay_2b")  # double charge under a second ref
    settle(ledger, "o3", "pay_3")
    refund(ledger, "o3", "r1", 510, "settled")  # partial refund
    # o4 waits for its payment
    settle(ledger, "o5", "pay_5")
    refund(ledger, "o5", "r1", 510, "rejected")
    settle(ledger, "o6", "pay_6", 400)  # short payment
    return ledger


@pytest.fixture(params=["memory", "sqlite"])
def book(request, tmp_path):
    ledger = MemoryLedger() if request.param == "memory" else SQLiteLedger(tmp_path / "shop.db")
    the_books(ledger)
    yield reconcile(summaries(ledger))
    ledger.close()


def test_the_seed_narrative_numbers_from_quote_to_recon():
    ledger = MemoryLedger()
    place(ledger, "o1")
    before = summary_of(ledger, "o1")
    assert (before.subtotal, before.discount, before.tax, before.total) == (2400, 210, 320, 2510)
    assert (before.status, before.recon, before.outstanding) == ("reserved", "unpaid", 2510)
    settle(ledger, "o1", "pay_1")
    after = summary_of(ledger, "o1")
    assert (after.status, after.paid, after.recon) == ("fulfilled", 2510, "ok")
    assert mismatched_orders(reconcile([after])) == []
    refund(ledger, "o1", "r1", 510, "settled")
    book = reconcile(summaries(ledger))
    assert refunded_orders(book) == ["o1"]  # paid in full, then refunded: the books balance
    assert underpaid_orders(book) == [] and mismatch_report(book) == []


def test_which_orders_are_overpaid_underpaid_settled_unpaid(book):
    assert overpaid_orders(book) == ["o2"]
    assert underpaid_orders(book) == ["o6"]
    assert refunded_orders(book) == ["o3"]
    assert settled_orders(book) == ["o1", "o5"]
    assert unpaid_orders(book) == ["o4"]
    assert orders_with_status(book, "ok") == ["o1", "o5"]


def test_recon_statuso_runs_forward_and_backward(book):
    order, status = var("order"), var("status")
    assert run(0, status, recon_statuso(book, "o2", status)) == ("overpaid",)
    assert run(0, order, recon_statuso(book, order, "overpaid")) == ("o2",)
    assert sorted(run(0, order, recon_statuso(book, order, "underpaid"))) == ["o6"]
    assert run(0, order, recon_statuso(book, order, "refunded")) == ("o3",)
    assert run(0, order, recon_statuso(book, order, "overpayed")) == ()
    assert run(0, status, recon_statuso(book, "o99", status)) == ()
    pairs = sorted(run(0, (order, status), recon_statuso(book, order, status)))
    assert pairs == [
        ("o1", "ok"),
        ("o2", "overpaid"),
        ("o3", "refunded"),
        ("o4", "unpaid"),
        ("o5", "ok"),
        ("o6", "underpaid"),
    ]


def test_neto_answers_which_orders_settle_to_net_n(book):
    order, net = var("order"), var("net")
    assert run(0, order, neto(book, order, 2000)) == ("o3",)
    assert sorted(run(0, order, neto(book, order, 2510))) == ["o1", "o5"]
    assert run(0, net, neto(book, "o2", net)) == (5020,)
    assert run(0, order, neto(book, order, 1234)) == ()
    assert orders_with_net(book, 0) == ["o4"]
    assert orders_with_net(book, 2510) == ["o1", "o5"]


def test_mismatcho_is_underpaid_or_overpaid_never_unpaid(book):
    order = var("order")
    assert sorted(run(0, order, mismatcho(book, order))) == ["o2", "o6"]
    assert run(0, order, mismatcho(book, "o3")) == ()  # a settled refund is not a mismatch
    assert run(0, order, mismatcho(book, "o4")) == ()  # awaiting payment is not a mismatch
    assert run(0, order, mismatcho(book, "o5")) == ()  # a rejected refund moves nothing
    assert len(run(0, order, mismatcho(book, "o2"))) == 1
    assert mismatched_orders(book) == ["o2", "o6"]


def test_relations_compose_in_one_query(book):
    order, total, paid = var("order"), var("total"), var("paid")
    # Mismatched orders that were placed for 2510 and were paid more than that.
    found = run(
        0,
        (order, paid),
        mismatcho(book, order),
        totalo(book, order, 2510),
        paido(book, order, paid),
    )
    assert sorted(found) == [("o2", 5020)]
    assert run(0, order, refundedo(book, order, 510)) == ("o3",)
    assert sorted(run(0, (order, total), discrepancyo(book, order, total))) == [
        ("o1", 0),
        ("o2", 2510),
        ("o3", -510),
        ("o4", -2510),
        ("o5", 0),
        ("o6", -600),
    ]


def test_the_double_charge_guard():
    ledger = MemoryLedger()
    place(ledger, "o1")
    settle(ledger, "o1", "pay_a")
    settle(ledger, "o1", "pay_b")
    s = summary_of(ledger, "o1")
    assert (s.paid, s.net, s.recon, s.payments) == (5020, 5020, "overpaid", ("pay_a", "pay_b"))
    assert mismatch_report(reconcile([s]))[0].discrepancy == 2510


def test_a_replayed_webhook_pays_once_and_settles_ok():
    ledger = MemoryLedger()
    place(ledger, "o1")
    assert [settle(ledger, "o1", "pay_1") for _ in range(3)] == [True, False, False]
    s = summary_of(ledger, "o1")
    assert (s.paid, s.recon, s.payments, s.version) == (2510, "ok", ("pay_1",), 4)
    assert settled_orders(reconcile([s])) == ["o1"]


def test_a_partial_refund_is_refunded_only_once_settled_and_never_a_mismatch():
    ledger = MemoryLedger()
    place(ledger, "o1")
    settle(ledger, "o1", "pay_1")
    refund(ledger, "o1", "r1", 510, "requested")
    assert reconcile(summaries(ledger)).summary("o1").recon == "ok"
    ledger.append_once("o1", RefundSettled(at=AT + 30, refund="r1", amount=510))
    book = reconcile(summaries(ledger))
    assert refunded_orders(book) == ["o1"] and orders_with_net(book, 2000) == ["o1"]
    assert mismatch_report(book) == []
    # refunded in full: still refunded, not unpaid
    ledger.append_once("o1", RefundRequested(at=AT + 40, refund="r2", amount=2000))
    ledger.append_once("o1", RefundSettled(at=AT + 41, refund="r2", amount=2000))
    assert reconcile(summaries(ledger)).summary("o1").recon == "refunded"
    # short-paid and refunded: the refund does not hide the shortfall
    place(ledger, "o2")
    settle(ledger, "o2", "pay_2", 2000)
    refund(ledger, "o2", "r1", 100, "settled")
    assert underpaid_orders(reconcile(summaries(ledger))) == ["o2"]


def test_the_report_lists_every_mismatch_with_its_figures(book):
    report = mismatch_report(book)
    assert [m.order for m in report] == ["o2", "o6"]
    assert report[0].to_json() == {
        "order": "o2",
        "recon": "overpaid",
        "total": 2510,
        "paid": 5020,
        "refunded": 0,
        "net": 5020,
        "discrepancy": 2510,
    }
    assert report[1].describe() == "o6 underpaid: total 1000, paid 400, refunded 0, net 400 (-600)"


def test_answers_do_not_depend_on_the_order_of_the_summaries():
    sums = summaries(the_books(MemoryLedger()))
    expected = reconcile(sums)
    for seed in range(5):
        shuffled = list(sums)
        random.Random(seed).shuffle(shuffled)
        book = reconcile(shuffled)
        assert mismatched_orders(book) == mismatched_orders(expected)
        assert mismatch_report(book) == mismatch_report(expected)
        assert settled_orders(book) == settled_orders(expected)


def test_bad_questions_are_errors():
    book = reconcile(summaries(the_books(MemoryLedger())))
    with pytest.raises(InvalidFieldError, match="recon status must be one of ok, refunded, unpaid"):
        orders_with_status(book, "overpayed")
    with pytest.raises(InvalidMoneyError, match="net must be an int"):
        orders_with_net(book, 20.0)
    with pytest.raises(UnknownOrderError, match="no order 'o9'"):
        book.summary("o9")
    s = book.summary("o1")
    with pytest.raises(DuplicateOrderError, match="'o1' is given twice"):
        reconcile([s, s])


def test_ten_thousand_orders_reconcile_in_kanren_without_recursion_trouble():
    # membero over a list this long would overflow Python's recursion limit: facts are indexed.
    stories = ["ok", "overpaid", "underpaid", "unpaid"]
    sums = []
    for i in range(10_000):
        order = f"o{i:05d}"
        line = OrderLine(sku="PEN", qty=1, unit=1000, extended=1000, tax=0)
        events = [
            OrderCreated(
                at=i,
                order=order,
                currency="GBP",
                subtotal=1000,
                discount=0,
                tax=0,
                total=1000,
                lines=(line,),
            ),
            StockReserved(at=i, lines=(ItemLine(sku="PEN", qty=1),)),
        ]
        story = stories[i % 4]
        if story != "unpaid":
            short = 1 + i % 7 if story == "underpaid" else 0
            events.append(PaymentRecorded(at=i, ref=f"p{i}", amount=1000 - short))
        if story == "overpaid":
            events.append(PaymentRecorded(at=i, ref=f"q{i}", amount=1000))
        sums.append(summarize(events))
    book = reconcile(sums)
    assert len(book) == 10_000
    assert len(overpaid_orders(book)) == len(underpaid_orders(book)) == 2_500
    assert len(mismatched_orders(book)) == 5_000
    assert overpaid_orders(book)[:2] == ["o00001", "o00005"]
    assert orders_with_net(book, 2000)[-1] == "o09997"
    assert orders_with_net(book, 994) == [f"o{i:05d}" for i in range(2, 10_000, 4) if i % 7 == 5]
