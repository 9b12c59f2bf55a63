"""Helpers for the race and chaos suites: worker processes on one SQLite file (or one
PostgreSQL database), and the invariants every trial must leave true."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from commerce.ledger.events import OrderCreated, OrderFulfilled, PaymentRecorded
from commerce.orders.engine import Engine
from commerce.orders.orders import ORDER_FLOW
from commerce.orders.refunds import REFUND_FLOW
from flowhost.db import is_postgres

from ..processes import race_processes
from .orders_fixtures import SHOP, engine


def _child(target: Callable[..., Any], db: str, args: tuple, barrier: Any, out: Any) -> None:
    try:
        e = engine(Path(db))
        barrier.wait(30)
        out.put(("ok", target(e, *args)))
        e.close()
    except BaseException as exc:  # the parent asserts on what each worker met
        out.put(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))


def race(db: Path, jobs: list[tuple[Callable[..., Any], tuple]]) -> list[tuple]:
    """Run each (target, args) in its own process, all released at once by a barrier;
    returns what each one returned or raised, in the order they finished."""
    return race_processes([(_child, (t, str(db), a)) for t, a in jobs])


def check_invariants(db: Path | str) -> dict[str, Any]:
    """Every promise, checked on the file (or a postgresql:// URL): one flow per order
    and refund, never fulfilled unpaid, each payment ref once, ledger and flow agree,
    stock never below zero, ids never reused. Returns the per-order summaries for the
    caller's own checks."""
    e: Engine = engine(db)  # type: ignore[arg-type]
    try:
        summaries = {}
        for order in e.ledger.streams():
            s = e.orders.summary(order)
            summaries[order] = s
            flows = e.flows.find(ORDER_FLOW, order)
            assert len(flows) == 1, f"{order}: {len(flows)} order flows"
            events = e.ledger.events(order)
            refs = [ev.ref for ev in events if isinstance(ev, PaymentRecorded)]
            assert len(refs) == len(set(refs)), f"{order}: a payment ref recorded twice"
            fulfilled = any(isinstance(ev, OrderFulfilled) for ev in events)
            if fulfilled:
                assert s.paid >= s.total, f"{order}: fulfilled with {s.paid} of {s.total} paid"
            rec = e.flows.record(flows[0])
            steps = [st.kind for st in e.flows.steps(flows[0])]
            assert ("fulfil" in steps) == fulfilled, f"{order}: ledger and flow disagree"
            if rec.status == "done":
                assert fulfilled
            if "payment" in steps:
                assert s.paid >= s.total, f"{order}: moved past payment unpaid"
            for r in s.refunds:
                assert len(e.flows.find(REFUND_FLOW, [order, r.refund])) == 1
            assert s.refunded <= s.paid, f"{order}: refunded more than paid"
        for _inst, sku, variant, _held in SHOP.catalog.stock.facts:
            left = e.stock.available(sku, variant)
            assert left is not None and left >= 0, f"{sku}/{variant}: {left} available"
        store = e.flows.store  # the store's own view: SQLite's flow_meta, PostgreSQL's sequence
        ids = store.ids()
        next_id = store.next_id()
        keys = [r.key for r in store.records() if r.key is not None]
        assert not ids or next_id > max(ids), "an id could be reused"
        assert len(keys) == len(set(keys))
        return summaries
    finally:
        e.close()


def check_commits(db: Path | str) -> int:
    """What holds at every commit of orders begun and paid in full (no refunds, no
    cancels), read in one snapshot -- so while workers run, and before a redelivery
    heals anything: each order's flow log is a prefix of reserve, payment, fulfil (each
    once), it is past payment exactly when the ledger has it paid in full, fulfilled in
    the flow exactly when in the ledger, its payment ref recorded once. A service that
    commits its ledger write and its flow step in two transactions fails this after a
    kill between them. Returns the number of orders checked."""
    e: Engine = engine(db)  # type: ignore[arg-type]
    try:
        if is_postgres(e.db):
            e.db.execute(
                "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ"
            )
        with e.db.transaction():
            orders = e.ledger.streams()
            for order in orders:
                events = e.ledger.events(order)
                total = next(ev.total for ev in events if isinstance(ev, OrderCreated))
                refs = [ev.ref for ev in events if isinstance(ev, PaymentRecorded)]
                paid = sum(ev.amount for ev in events if isinstance(ev, PaymentRecorded))
                fulfilled = sum(isinstance(ev, OrderFulfilled) for ev in events)
                steps = [st.kind for st in e.flows.steps(e.orders.flow_of(order))]
                assert steps == ["reserve", "payment", "fulfil"][: len(steps)], (order, steps)
                assert len(refs) == len(set(refs)) <= 1, (order, refs)
                assert ("payment" in steps) == (paid >= total), (order, steps, paid, total)
                assert ("fulfil" in steps) == (fulfilled == 1) and fulfilled <= 1, (order, steps)
        return len(orders)
    finally:
        e.close()
