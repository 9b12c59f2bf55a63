"""Crash safety: settle is two transactions -- (append paid, resume past payment), then
(append fulfilled, resume past fulfil). Kill the process (SIGKILL) after each of the four
writes (inside its transaction: it rolls back) and after each commit, restart, redeliver
the webhook: the order ends fulfilled, paid exactly once, ledger and flow store agreeing."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from commerce.ledger.events import OrderCreated, OrderFulfilled, PaymentRecorded, StockReserved
from commerce.orders.orders import ALREADY_SETTLED, SETTLED
from flowhost import Symbol

from .orders_fixtures import ROOT, begun, engine

CHILD = """
import os, signal, sys
sys.path.insert(0, {root!r})
sys.path.insert(0, {tests!r})
from orders_fixtures import engine
from pathlib import Path
e = engine(Path({db!r}))
point = {point!r}
append_once = e.ledger.append_once
def patched_append(stream, event, **kw):
    result = append_once(stream, event, **kw)
    if (point, type(event).__name__) in (("after-paid", "PaymentRecorded"),
                                        ("after-fulfilled", "OrderFulfilled")):
        os.kill(os.getpid(), signal.SIGKILL)
    return result
e.ledger.append_once = patched_append
update = e.flows.store.update
def patched_update(rec, expected, step=None):
    stored = update(rec, expected, step)
    if step is not None and (point, step.kind) in (("after-resume-paid", "payment"),
                                                    ("after-resume-fulfilled", "fulfil")):
        os.kill(os.getpid(), signal.SIGKILL)
    if step is not None and (point, step.kind) in (("after-commit-paid", "payment"),
                                                    ("after-commit-fulfilled", "fulfil")):
        e.flows.store.db.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
    return stored
e.flows.store.update = patched_update
e.orders.settle("o-1", "pay_1", {amount})
print("not killed")
"""

POINTS = [
    "after-paid",
    "after-resume-paid",
    "after-commit-paid",
    "after-fulfilled",
    "after-resume-fulfilled",
    "after-commit-fulfilled",
]


@pytest.mark.parametrize("point", POINTS)
def test_settle_converges_after_a_kill_between_any_two_steps(tmp_path, point):
    db = tmp_path / "shop.db"
    first = engine(db)
    _, q = begun(first, "o-1")
    first.close()

    code = textwrap.dedent(CHILD).format(
        root=str(ROOT),
        tests=str(ROOT / "tests" / "commerce"),
        db=str(db),
        point=point,
        amount=q.total,
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == -signal.SIGKILL, r.stdout + r.stderr

    again = engine(db)  # the restart
    result = again.orders.settle("o-1", "pay_1", q.total)  # the webhook, redelivered
    # the redelivery moves the flow past payment only if the crash came before that commit
    payment_undone = point in ("after-paid", "after-resume-paid")
    assert result.outcome == (SETTLED if payment_undone else ALREADY_SETTLED)
    events = again.ledger.events("o-1")
    assert [type(e) for e in events] == [
        OrderCreated,
        StockReserved,
        PaymentRecorded,
        OrderFulfilled,
    ]
    s = again.orders.summary("o-1")
    assert (s.status, s.paid, s.payments, s.recon) == ("fulfilled", q.total, ("pay_1",), "ok")
    flow_id = again.orders.flow_of("o-1")
    assert again.flows.status(flow_id) == "done"
    assert [st.kind for st in again.flows.steps(flow_id)] == ["reserve", "payment", "fulfil"]
    assert [st.value for st in again.flows.steps(flow_id)] == [
        Symbol("reserved"),
        Symbol("paid"),
        Symbol("fulfilled"),
    ]
    # and a third delivery changes nothing
    assert again.orders.settle("o-1", "pay_1", q.total).outcome == ALREADY_SETTLED
    assert len(again.ledger.events("o-1")) == 4
    again.close()
