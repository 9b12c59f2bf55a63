"""`commerce demo`: one order's story, end to end, on an SQLite file.

Load the example shop, build a cart, check stock, quote it (promotions, stacking, tax)
with attribution, begin the order (a durable Scheme flow, now waiting on payment), show
the payment envelope, restart the host from the file, settle through the payment
webhook, replay the webhook (a no-op), reconcile, request, approve and settle a partial
refund, and print the ledger and the mismatch report. Times come from a fixed clock, so
the story prints the same figures every time (tests/commerce/test_integration.py
asserts them).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from flowhost.db import is_database_url

from ..ledger.projections import summary_of
from ..ledger.recon import mismatch_report, orders_with_status
from ..orders.engine import Engine, project_file
from ..pricing.api import Session
from ..pricing.files import load_shop
from .order_views import event_line
from .views import render_quote, table

START = 1767225600  # 2026-01-01T00:00:00Z
ORDER, PAYMENT_REF, REFUND, REFUND_AMOUNT = "o-1001", "pay_7Hq2", "r-1", 1500


class Clock:
    """A clock that ticks one second each time it is read."""

    def __init__(self, start: int = START) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1
        return self.now


def shop_file() -> Path:
    """The example shop the demo sells from."""
    return project_file("examples") / "shop.json"


def _names(items: list[str]) -> str:
    return ", ".join(items) or "none"


def run_demo(db: Path | str, out: TextIO) -> dict[str, object]:
    """Tell the story on the SQLite file `db` (or a postgresql:// URL); returns the figures
    it printed."""
    say: Callable[[str], None] = lambda text="": out.write(text + "\n")  # noqa: E731
    clock = Clock()
    shop = load_shop(shop_file())
    figures: dict[str, object] = {}

    where: object = db
    if is_database_url(db):
        from flowhost.pg import describe

        where = describe(str(db))  # never print a password
    say(f"commerce demo — flows and ledger in {where}\n")
    say("1. A cart: 4 teas, the last 2 gold mugs, a book")
    session = Session(shop, jurisdiction="UK", at=START)
    session.add("TEA", 4)
    session.add("MUG", 2, variant="gold")
    session.add("BOOK", 1)
    engine = Engine.open(db, shop, clock=clock)
    rows: list[list[object]] = [["item", "wanted", "available"]]
    for line in session.lines():
        left = engine.stock.available(line.sku, line.variant)
        name = line.sku if line.variant is None else f"{line.sku}/{line.variant}"
        rows.append([name, line.qty, "untracked" if left is None else left])
    say("\n".join(table(rows)))
    say(f"   stock check: {'ok' if engine.stock.can_reserve(session.cart) else 'short'}\n")

    say("2. The quote (miniKanren relations: promotions, best stacking, tax)")
    q = engine.quote(session.cart, jurisdiction="UK", at=START)
    say("\n".join("   " + ln if ln else "" for ln in render_quote(q).splitlines()))
    figures.update(
        subtotal=q.subtotal, discount=q.discount, tax=q.tax, total=q.total, codes=list(q.codes)
    )
    say("")

    say("3. Begin the order: the order-lifecycle flow reserves, then waits on payment")
    begun = engine.orders.begin(ORDER, session.cart, q)
    say(f"   order {begun.order}: flow {begun.flow_id}, waiting on {begun.waiting_on}")
    envelope = engine.orders.payment_request(ORDER)
    say(f"   payment request: {json.dumps(envelope.to_json())}")
    figures["envelope"] = envelope.to_json()
    engine.close()

    say("\n4. Restart: a new host opens the same file (nothing is replayed until touched)")
    engine = Engine.open(db, shop, clock=clock)
    pending = engine.orders.pending_payments()
    say(f"   pending payments after the restart: {_names([p.order for p in pending])}")
    engine.restart_flows()
    say(
        "   and the Scheme-side restart (export, reset, define again, import): "
        f"still waiting on {engine.orders.waiting_on(ORDER)}"
    )

    say("\n5. The payment webhook settles the order (the flow resumes, then fulfils)")
    settled = engine.orders.settle(ORDER, PAYMENT_REF, q.total)
    say(
        f"   settle {PAYMENT_REF} {q.total}: {settled.outcome}; order "
        f"{settled.summary.status}, flow {engine.flows.status(begun.flow_id)}"
    )
    replayed = engine.orders.settle(ORDER, PAYMENT_REF, q.total)
    say(f"   the same webhook again: {replayed.outcome} (paid {replayed.summary.paid}, once)")
    figures.update(settle=settled.outcome, replay=replayed.outcome, paid=replayed.summary.paid)

    say("\n6. Reconcile (kanren relations over the ledger's summaries)")
    book = engine.recon()
    say(
        f"   settled exactly: {_names(orders_with_status(book, 'ok'))}; "
        f"mismatches: {_names([m.order for m in mismatch_report(book)])}"
    )

    say(f"\n7. A partial refund of {REFUND_AMOUNT}: request, approve, settle")
    for step in ("request", "approve", "settle"):
        if step == "request":
            state = engine.refunds.request(ORDER, REFUND, REFUND_AMOUNT)
        else:
            state = getattr(engine.refunds, step)(ORDER, REFUND)
        waiting = f", flow waiting on {state.waiting_on}" if state.waiting_on else ""
        say(f"   {step}: refund {state.stage}{waiting}")
    s = summary_of(engine.ledger, ORDER)
    figures.update(refunded=s.refunded, net=s.net, recon=s.recon)

    say(f"\n8. The ledger of {ORDER}")
    for rec in engine.ledger.read(ORDER):
        keys = ("ref", "amount", "refund", "total")
        say("  " + event_line(rec.version, rec.event.to_json(), keys))

    say("\n9. The mismatch report")
    book = engine.recon()
    report = mismatch_report(book)
    for m in report:
        say(f"   {m.describe()}")
    if not report:
        refunded = orders_with_status(book, "refunded")
        say(
            "   no mismatches"
            + (f" ({', '.join(refunded)}: paid in full, then refunded)" if refunded else "")
        )
    figures["mismatches"] = [m.describe() for m in report]
    engine.close()
    return figures


def has_story(db: Path) -> bool:
    """True when the SQLite file `db` already holds the demo's order."""
    if not db.exists():
        return False
    engine = Engine.open(db)
    try:
        return engine.ledger.exists(ORDER)
    finally:
        engine.close()


def main(db: str | None, out: TextIO, replace: bool = False) -> int:
    """Run the demo on `db`, or on a file in a new temporary directory.

    A file that already holds the story is refused (one line, exit 1) unless `replace`:
    then it is deleted and the story told afresh."""
    if db is not None:
        if is_database_url(db):
            run_demo(db, out)
            return 0
        path = Path(db)
        if has_story(path):
            if not replace:
                print(
                    f"commerce demo: {db} already holds the demo's story (order {ORDER}); "
                    "add --replace to tell it afresh, or give another --db",
                    file=sys.stderr,
                )
                return 1
            for extra in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
        run_demo(path, out)
        return 0
    with tempfile.TemporaryDirectory(prefix="commerce-demo-") as tmp:
        run_demo(Path(tmp) / "demo.db", out)
    return 0
