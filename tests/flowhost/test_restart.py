"""Restarts: the seed's Scheme-side order-flow-restart!, Python export/reset/import,
and a new process on the same SQLite file after the old one was killed."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flowhost import Done, FlowHost, Suspended
from flowhost.runner import Runner
from scheme import Symbol
from scheme.printer import write_string

from .conftest import FLOWS, ROOT

ORDER_SRC = (FLOWS / "order.scm").read_text()


def test_the_seeds_scheme_side_restart(host):
    ev = host.interp.eval_string
    ev('(define id (cadr (flow/start order-lifecycle "o1")))')
    ev("(flow/resume id 'reserved)")
    ev('(flow/start order-lifecycle "o2")')
    # order-flow-restart!: export into a global, reset, define the flows again, import.
    restart = (
        f"(begin (define saved (flow-store-export)) (flow-reset!) {ORDER_SRC} "
        "(flow-store-import! saved) #t)"
    )
    assert write_string(ev(restart)) == "#t"
    assert write_string(ev("(flow-host-requests)")) == '((1 payment "o1") (2 reserve "o2"))'
    assert write_string(ev("(flow/resume id 'paid)")) == "(flow-suspended 1 fulfil)"
    assert write_string(ev("(flow/resume id 'fulfilled)")) == "(flow-done 1 fulfilled)"
    assert write_string(ev("(flow/resume 2 'reserved)")) == "(flow-suspended 2 payment)"


def test_restart_replays_instead_of_using_live_continuations(host, monkeypatch):
    host.start("order-lifecycle", "o1")
    host.resume(1, Symbol("reserved"))
    replays = []
    original = host.runner.replay
    monkeypatch.setattr(
        host.runner, "replay", lambda rec, steps: replays.append(rec.id) or original(rec, steps)
    )
    data = host.export()
    host.reset()
    host.load_file(FLOWS / "order.scm")
    host.import_(data)
    assert replays == [1]
    assert host.resume(1, Symbol("paid")) == Suspended(1, "fulfil", "o1")


def test_python_export_reset_import_round_trip(host):
    host.start("order-lifecycle", "a")
    host.resume(1, Symbol("reserved"))
    host.start("refund-lifecycle", "r")
    host.start("echo", 5)
    host.resume(3, 6)
    before = host.export()
    host.reset()
    assert host.pending() == []
    host.load_file(FLOWS / "order.scm")
    host.load_file(FLOWS / "refund.scm")
    host.load_source("(defflow echo (lambda (x) (request 'echo x)))")
    host.import_(before)
    after = host.export()
    assert after["stamp"] > before["stamp"]  # the import wrote every flow again
    assert {**after, "stamp": 0} == {**before, "stamp": 0}
    assert host.start("echo", 1).id == 4
    assert host.resume(2, Symbol("approved")) == Suspended(2, "settle", "r")


def _child(script: str, db: Path) -> subprocess.CompletedProcess:
    code = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from flowhost import FlowHost
        from scheme import Symbol
        host = FlowHost.open({str(db)!r})
        host.load_file({str(FLOWS / "order.scm")!r})
    """) + textwrap.dedent(script)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_a_killed_process_leaves_flows_a_new_process_can_resume(tmp_path):
    db = tmp_path / "shop.db"
    r = _child(
        """
        for oid in ("o1", "o2", "o3"):
            host.start("order-lifecycle", oid)
        host.resume(1, Symbol("reserved"))
        host.resume(2, Symbol("reserved"))
        host.resume(2, Symbol("paid"))
        os.kill(os.getpid(), signal.SIGKILL)
        """,
        db,
    )
    assert r.returncode == -signal.SIGKILL, r.stderr
    host = FlowHost.open(db)
    host.load_file(FLOWS / "order.scm")
    assert host.requests() == [
        Suspended(1, "payment", "o1"),
        Suspended(2, "fulfil", "o2"),
        Suspended(3, "reserve", "o3"),
    ]
    assert host.resume(1, Symbol("paid")) == Suspended(1, "fulfil", "o1")
    assert host.resume(2, Symbol("fulfilled")) == Done(2, Symbol("fulfilled"))
    assert [s.value for s in host.steps(2)] == [
        Symbol(x) for x in ("reserved", "paid", "fulfilled")
    ]
    host.close()


@pytest.mark.parametrize("moment", ["before-commit", "after-commit"])
def test_a_kill_in_the_middle_of_a_resume_leaves_the_flow_before_or_after(tmp_path, moment):
    db = tmp_path / "shop.db"
    r = _child(
        f"""
        host.start("order-lifecycle", "o1")
        store = host.store
        original = store.update
        def update(rec, expected, step=None, more=()):
            if {moment!r} == "after-commit":
                stored = original(rec, expected, step, more)
                store.db.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
                return stored
            # before-commit: write the step row inside the step's transaction, then die
            db = store.db
            db.execute("INSERT INTO flow_steps VALUES (?, 0, 'reserve', '\\"o1\\"', '1', NULL)",
                       (rec.id,))
            db.execute("UPDATE flows SET status = 'done' WHERE id = ?", (rec.id,))
            os.kill(os.getpid(), signal.SIGKILL)
        store.update = update
        host.resume(1, Symbol("reserved"))
        """,
        db,
    )
    assert r.returncode == -signal.SIGKILL, r.stderr
    host = FlowHost.open(db)
    host.load_file(FLOWS / "order.scm")
    expected_kind = "reserve" if moment == "before-commit" else "payment"
    assert host.requests() == [Suspended(1, expected_kind, "o1")]
    assert len(host.steps(1)) == (0 if moment == "before-commit" else 1)
    # and it carries on from there
    value = Symbol("reserved") if moment == "before-commit" else Symbol("paid")
    assert isinstance(host.resume(1, value), Suspended)
    host.close()


def test_opening_a_store_replays_nothing_until_a_flow_is_touched(tmp_path, monkeypatch):
    from flowhost.records import FlowRecord, Pending, Step
    from flowhost.sqlite_store import SQLiteStore

    db = tmp_path / "big.db"
    store = SQLiteStore(db)
    flows = [
        (
            FlowRecord(i, "order-lifecycle", [f"o{i}"], "suspended", Pending("payment", f"o{i}")),
            [Step("reserve", f"o{i}", Symbol("reserved"))],
        )
        for i in range(1, 10_001)
    ]
    store.replace_all(flows, 10_001)
    store.close()

    replays: list[int] = []
    original = Runner.replay
    monkeypatch.setattr(
        Runner,
        "replay",
        lambda self, rec, steps: replays.append(rec.id) or original(self, rec, steps),
    )
    host = FlowHost.open(db)
    host.load_file(FLOWS / "order.scm")
    assert len(host.pending()) == 10_000
    assert host.requests()[4321] == Suspended(4322, "payment", "o4322")
    assert replays == []
    assert host.resume(777, Symbol("paid")) == Suspended(777, "fulfil", "o777")
    assert replays == [777]
    host.close()
