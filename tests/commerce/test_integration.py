"""One narrative across every module: catalog -> cart -> stock -> quote (promotions,
stacking, tax, attribution) -> order flow -> payment envelope -> restart -> settle ->
reconciliation -> refund flow -> mismatch report. The same subtotal, discount, tax and
total must appear at every seam, and `commerce demo` must tell the same story."""

from __future__ import annotations

import io

from kanren import run, var

from commerce.cli.demo import ORDER, START, Clock, run_demo
from commerce.ledger.recon import mismatch_report, neto, recon_statuso
from commerce.orders.engine import Engine
from commerce.pricing.attribution import attribute, codes_for_line, lines_for_code
from commerce.pricing.catalog import Catalog, Product, priceo
from commerce.pricing.federation import cheapest_offer, federate
from commerce.pricing.promo import promo_discounto
from commerce.pricing.quote import evaluation, quote
from commerce.pricing.stack import stacking_by_discounto
from commerce.pricing.window import active_codeso

from .orders_fixtures import SHOP, cart

SUBTOTAL, DISCOUNT, TAX, TOTAL = 6800, 950, 700, 6550
REFUND = 1500


def test_the_story_ties_together(tmp_path):
    # catalog and cart
    sku = var()
    assert run(0, sku, priceo(SHOP.catalog, sku, 450)) == ("TEA",)
    c = cart()
    assert [(ln.sku, ln.variant, ln.qty) for ln in c.lines] == [
        ("TEA", None, 4),
        ("MUG", "gold", 2),
        ("BOOK", None, 1),
    ]
    engine = Engine.open(tmp_path / "shop.db", SHOP, clock=Clock())
    assert engine.stock.can_reserve(c)

    # pricing: windows, promotions, stacking, tax, attribution
    code = var()
    assert sorted(run(0, code, active_codeso(SHOP.rules.promos, START, code))) == [
        "B3",
        "F5",
        "M15",
        "P10",
    ]  # XMAS ended in December
    ev = evaluation(SHOP, c, member=False, at=START)
    assert run(0, code, promo_discounto(ev, code, 450)) == ("B3",)
    codes = var()
    assert set(run(0, codes, stacking_by_discounto(ev, codes, DISCOUNT))) == {("B3", "F5")}
    q = quote(SHOP, c, at=START, jurisdiction="UK")
    assert (q.subtotal, q.discount, q.tax, q.total) == (SUBTOTAL, DISCOUNT, TAX, TOTAL)
    assert q.codes == ("B3", "F5")
    attr = attribute(ev)
    assert lines_for_code(attr, "B3") == [("TEA", None)]
    assert lines_for_code(attr, "F5") == []  # order level
    assert codes_for_line(attr, "MUG", "gold") == ["P10"]  # applies; excluded with F5
    net = quote(SHOP, c, at=START, jurisdiction="UK", policy="net")
    assert sum(line.share for line in net.lines) == net.discount == DISCOUNT

    # federation: the same relations across shop instances
    other = Catalog.build([Product("TEA", "Tea", 430, "food")], instance="market")
    fed = federate({"local": SHOP.catalog, "market": other})
    assert cheapest_offer(fed, "TEA").instance == "market"

    # the order: the quote's figures are what the ledger records
    begun = engine.orders.begin(ORDER, c, q)
    assert begun.waiting_on == "payment"
    created = engine.ledger.events(ORDER)[0]
    assert (created.subtotal, created.discount, created.tax, created.total) == (
        SUBTOTAL,
        DISCOUNT,
        TAX,
        TOTAL,
    )
    assert created.codes == q.codes
    assert engine.orders.payment_request(ORDER).amount == TOTAL
    engine.close()

    # restart, then the webhook
    engine = Engine.open(tmp_path / "shop.db", SHOP, clock=Clock(START + 100))
    assert [p.order for p in engine.orders.pending_payments()] == [ORDER]
    settled = engine.orders.settle(ORDER, "pay_1", TOTAL)
    assert settled.outcome == "settled" and settled.summary.status == "fulfilled"
    book = engine.recon()
    status, amount = var(), var()
    assert run(0, status, recon_statuso(book, ORDER, status)) == ("ok",)
    assert run(0, amount, neto(book, ORDER, amount)) == (TOTAL,)

    # a partial refund: only its settlement moves the books
    engine.refunds.request(ORDER, "r-1", REFUND)
    engine.refunds.approve(ORDER, "r-1")
    assert engine.orders.summary(ORDER).net == TOTAL
    engine.refunds.settle(ORDER, "r-1")
    s = engine.orders.summary(ORDER)
    assert (s.paid, s.refunded, s.net, s.recon) == (TOTAL, REFUND, TOTAL - REFUND, "refunded")
    assert mismatch_report(engine.recon()) == []  # a settled refund is not a mismatch
    engine.close()


def test_the_demo_prints_the_same_numbers(tmp_path):
    out = io.StringIO()
    figures = run_demo(tmp_path / "demo.db", out)
    assert figures == {
        "subtotal": SUBTOTAL,
        "discount": DISCOUNT,
        "tax": TAX,
        "total": TOTAL,
        "codes": ["B3", "F5"],
        "envelope": {
            "order": ORDER,
            "amount": TOTAL,
            "currency": "GBP",
            "return_url": f"https://shop.example/orders/{ORDER}/paid",
        },
        "settle": "settled",
        "replay": "already-settled",
        "paid": TOTAL,
        "refunded": REFUND,
        "net": TOTAL - REFUND,
        "recon": "refunded",
        "mismatches": [],
    }
    text = out.getvalue()
    for needle in (
        f"total                {TOTAL}",
        "waiting on payment",
        "pending payments after the restart: o-1001",
        "settle pay_7Hq2 6550: settled; order fulfilled, flow done",
        "the same webhook again: already-settled (paid 6550, once)",
        "approve: refund approved, flow waiting on settle",
        "6  refund-approved   at 2026-01-01T00:00:12Z  refund=r-1",
        "7  refund-settled    at 2026-01-01T00:00:14Z  refund=r-1 amount=1500",
        "2  stock-reserved    at 2026-01-01T00:00:03Z  items=TEA x4, MUG/gold x2, BOOK x1",
        'payment request: {"order": "o-1001", "amount": 6550, "currency": "GBP", "return_url"',
        "no mismatches (o-1001: paid in full, then refunded)",
    ):
        assert needle in text, needle
    assert "None" not in text and "['" not in text
