"""`commerce worker`: answers the requests a crash left pending, on SQLite and PostgreSQL.

An order is left waiting on `fulfil` as a crash between the two transactions of a settle
leaves it (the payment and the flow's payment step committed, fulfilment not yet). The
worker answers it once; a second worker finds nothing; it waits without spinning, stops
on SIGTERM with one line and exit status 0.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from commerce.ledger.events import OrderFulfilled, PaymentRecorded
from commerce.orders.engine import Engine
from commerce.orders.worker import Worker
from flowhost import Symbol

from ..pgtest import pg_url
from ..processes import race_processes
from .orders_fixtures import ROOT, SHOP, begun, engine
from .worker_schema import as_worker_schema_1, schema_state

BACKENDS = ["sqlite", "postgres"]


def target(backend: str, tmp_path) -> str:
    return pg_url() if backend == "postgres" else str(tmp_path / "shop.db")


def open_engine(db: str) -> Engine:
    return engine(db) if not db.startswith("postgresql") else Engine.open(db, SHOP)


def paid_not_fulfilled(e: Engine, order: str) -> int:
    """What a crash between the two steps of settle leaves: paid, waiting on fulfil."""
    _, q = begun(e, order, tea=1, gold=0, book=0)
    flow_id = e.orders.flow_of(order)
    with e.db.transaction():
        e.ledger.append_once(order, PaymentRecorded(at=1, ref=f"pay-{order}", amount=q.total))
        e.flows.resume(flow_id, Symbol("paid"), kind="payment", serve=False)
    assert e.orders.waiting_on(order) == "fulfil"
    return flow_id


def fulfilled(e: Engine, order: str) -> int:
    return sum(isinstance(r.event, OrderFulfilled) for r in e.ledger.read(order))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_worker_answers_what_a_crash_left_pending_once(backend, tmp_path):
    db = target(backend, tmp_path)
    e = open_engine(db)
    for order in ("o-1", "o-2", "o-3"):
        paid_not_fulfilled(e, order)
    begun(e, "o-4", tea=1, gold=0, book=0)  # waits on payment: not the worker's
    w = Worker(e, batch=2)
    assert w.run(once=True) == "drained"
    assert w.tally.answered == 3 and w.tally.failed == 0
    for order in ("o-1", "o-2", "o-3"):
        assert e.orders.summary(order).status == "fulfilled"
        assert e.orders.waiting_on(order) is None
        assert fulfilled(e, order) == 1
    assert e.orders.waiting_on("o-4") == "payment"
    again = Worker(open_engine(db))
    assert again.run(once=True) == "drained" and again.tally.answered == 0
    w.close()
    again.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_worker_without_the_shop_leaves_reserve_alone(backend, tmp_path):
    db = target(backend, tmp_path)
    open_engine(db).close()
    w = Worker(Engine.open(db))
    assert "reserve" not in w.kinds and "fulfil" in w.kinds
    w.close()


def test_an_idle_postgres_worker_wakes_on_notify_not_on_a_poll():
    db = pg_url()
    e = open_engine(db)
    w = Worker(e, poll=30)
    assert w.run(once=True) == "drained"
    assert not w.claims.wait(0.05)  # nothing committed: it times out
    other = open_engine(db)
    paid_not_fulfilled(other, "o-9")  # commits a flow waiting on fulfil: NOTIFY
    started = time.monotonic()
    assert w.claims.wait(10)
    assert time.monotonic() - started < 5
    assert w.drain() == 1 and fulfilled(e, "o-9") == 1
    w.close()


def test_the_timer_hook_runs_engine_run_due_when_there_is_one(tmp_path):
    e = engine(tmp_path / "t.db")
    calls = []
    # what issue 11 adds to the engine: fires what is due, once
    e.run_due = lambda: calls.append(1) or (["fired"] if len(calls) == 1 else [])
    w = Worker(e)
    w.run(once=True)
    assert len(calls) == 2 and w.tally.timers == 1
    w.close()


def worker_cli(db: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "commerce",
            "worker",
            "--db",
            db,
            "--shop",
            str(ROOT / "examples" / "shop.json"),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_worker_command_drains_and_stops_on_sigterm(backend, tmp_path):
    db = target(backend, tmp_path)
    e = open_engine(db)
    paid_not_fulfilled(e, "o-1")
    once = worker_cli(db, "--once")
    out, err = once.communicate(timeout=120)
    assert once.returncode == 0, err
    assert out.strip().splitlines() == ["worker: 1 requests answered, 0 failed; drained"]
    assert fulfilled(e, "o-1") == 1
    running = worker_cli(db, "--poll", "0.2")
    assert running.stderr.readline().startswith(
        "worker: answering expire, fulfil, release, reserve on "
    )
    paid_not_fulfilled(e, "o-2")
    deadline = time.monotonic() + 60
    while fulfilled(e, "o-2") == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert fulfilled(e, "o-2") == 1
    running.send_signal(signal.SIGTERM)
    out, err = running.communicate(timeout=30)
    assert running.returncode == 0, err
    assert out.strip().splitlines() == ["worker: 1 requests answered, 0 failed; stopped by SIGTERM"]


def test_the_worker_command_exits_when_idle_and_refuses_a_missing_file(tmp_path):
    db = str(tmp_path / "shop.db")
    engine(db).close()
    idle = worker_cli(db, "--idle-timeout", "0.3", "--poll", "0.1")
    out, err = idle.communicate(timeout=60)
    assert idle.returncode == 0, err
    assert out.strip() == "worker: 0 requests answered, 0 failed; idle for 0.3s"
    missing = worker_cli(str(tmp_path / "nope.db"), "--once")
    out, err = missing.communicate(timeout=60)
    assert missing.returncode == 1
    assert err.strip().splitlines()[-1].endswith("nope.db: no such database")
    assert "Traceback" not in err


def test_a_begin_wakes_no_worker_and_a_payment_step_wakes_them_once():
    db = pg_url()
    e = open_engine(db)
    w = Worker(e, poll=30)
    other = open_engine(db)
    begun(other, "o-1", tea=1, gold=0, book=0)  # its reserve is answered in its transaction
    assert not w.claims.wait(0.3)
    paid_not_fulfilled(other, "o-2")  # leaves a flow waiting on fulfil at commit
    assert w.claims.wait(10)
    w.close()


def test_a_worker_schema_of_version_1_gets_the_trigger_deferred_to_commit():
    db = pg_url()
    e = open_engine(db)
    Worker(e).close()
    as_worker_schema_1(db)
    w = Worker(e)
    versions, deferred = schema_state(db)
    assert ("worker", 2) in versions and deferred == [(True, True)]
    w.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_worker_leaves_a_flow_to_its_service_for_the_grace(backend, tmp_path):
    db = target(backend, tmp_path)
    e = open_engine(db)
    w = Worker(e, grace=0.3)
    paid_not_fulfilled(e, "o-1")
    answered, cursor, young = w.step()  # seen for the first time: the settle's to finish
    assert (answered, young) == (0, 1) and cursor == e.orders.flow_of("o-1")
    time.sleep(0.3)
    assert w.step()[0] == 1 and fulfilled(e, "o-1") == 1
    w.close()


def test_a_worker_gives_way_to_a_settle_holding_the_order_stream():
    """A settle's fulfilment holds the order's stream, then updates the flow row: a worker
    that claimed the row must not wait for the stream (a deadlock until a timeout)."""
    import psycopg

    db = pg_url()
    e = open_engine(db)
    flow_id = paid_not_fulfilled(e, "o-1")
    w = Worker(e, grace=0)
    with psycopg.connect(db) as settle:  # a transaction, as a settle's step is
        settle.execute("SELECT pg_advisory_xact_lock(hashtextextended('ledger:' || 'o-1', 0))")
        assert w.step() == (0, flow_id, 0)
        assert (w.tally.conflicts, w.tally.failed) == (1, 0)  # a conflict, not reported
        # and the row is let go: the settle can take it at once
        settle.execute("SET LOCAL lock_timeout = '100ms'")
        settle.execute("SELECT 1 FROM flows WHERE id = %s FOR UPDATE", (flow_id,))
        settle.rollback()
    assert w.step()[0] == 1 and fulfilled(e, "o-1") == 1
    w.close()


def _recover(db: str, barrier, out) -> None:
    e = open_engine(db)
    barrier.wait(30)
    try:
        out.put(("ok", e.recover()))
    except BaseException as exc:  # the parent asserts on what each process met
        out.put(("error", f"{type(exc).__name__}: {exc}"))
    e.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_processes_recovering_at_once_fulfil_each_order_once_and_refuse_nothing(backend, tmp_path):
    orders = [f"o-{i}" for i in range(6)]
    for trial in range(4):
        db = pg_url() if backend == "postgres" else str(tmp_path / f"recover-{trial}.db")
        e = open_engine(db)
        for order in orders:
            paid_not_fulfilled(e, order)
        e.close()
        results = race_processes([(_recover, (db,))] * 3)
        assert results == [("ok", [])] * 3
        e = open_engine(db)
        assert [fulfilled(e, order) for order in orders] == [1] * len(orders)
        e.close()
