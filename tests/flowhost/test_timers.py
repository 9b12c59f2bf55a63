"""Time and cancellation in flows, on a virtual clock: flow/sleep, request/timeout,
run_due, cancel with compensation, terminate, and flow/patched?."""

from __future__ import annotations

import sqlite3

import pytest

from flowhost import Cancelled, Done, FlowHost, FlowStateError, Suspended
from flowhost.records import CANCEL, PATCH_KIND, TIMEOUT
from scheme import Symbol

from .conftest import FLOWS


class Clock:
    """A virtual clock: time moves only when a test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


TIMER_FLOWS = """
(defflow napper (lambda (s) (flow/sleep s) (request 'after s)))
(defflow waiter
  (lambda (s)
    (let ((v (request/timeout 'answer 'q s)))
      (if (flow/timeout? v) (request 'gave-up 'q) (list 'got v)))))
(defflow careful
  (lambda (x)
    (let ((trail '()))
      (guard (e ((flow/cancelled? e)
                 (request 'undo x)
                 (cons 'compensated trail)))
        (dynamic-wind
          (lambda () #f)
          (lambda () (request 'wait x))
          (lambda () (set! trail (cons 'after-thunk trail))))))))
(defflow stubborn (lambda (x) (request 'wait x)))
(defflow cleanup-then-give-up
  (lambda (x) (guard (e ((flow/cancelled? e) (request 'undo x) (raise e))) (request 'wait x))))
"""

PATCHED_V1 = "(defflow pay (lambda (o) (request 'reserve o) (request 'payment o)))"
PATCHED_V2 = """
(defflow pay
  (lambda (o)
    (request 'reserve o)
    (if (flow/patched? 'expiry)
        (let ((v (request/timeout 'payment o 60)))
          (if (flow/timeout? v) 'expired v))
        (request 'payment o))))
"""


def make(clock: Clock, db=None) -> FlowHost:
    host = FlowHost.open(db, clock=clock) if db else FlowHost(clock=clock)
    host.load_source(TIMER_FLOWS, "timer-flows.scm")
    return host


@pytest.fixture(params=["memory", "sqlite"])
def timed(request, tmp_path):
    clock = Clock()
    host = make(clock, tmp_path / "t.db" if request.param == "sqlite" else None)
    yield host, clock
    host.close()


def test_sleep_fires_once_its_deadline_passes(timed):
    host, clock = timed
    assert host.start("napper", 30) == Suspended(1, "flow/sleep", 30)
    assert host.record(1).due == 1030.0
    clock.now = 1029.9
    assert host.run_due() == []
    clock.now = 1030.0
    assert host.run_due() == [Suspended(1, "after", 30)]
    assert host.record(1).due is None
    assert host.steps(1)[0].event == TIMEOUT
    assert host.run_due() == []  # fired once


def test_request_answered_before_its_timeout_clears_the_deadline(timed):
    host, clock = timed
    host.start("waiter", 5)
    assert host.record(1).due == 1005.0
    assert host.resume(1, 42) == Done(1, [Symbol("got"), 42])
    clock.now = 2000
    assert host.run_due() == []


def test_request_timeout_gives_the_flow_a_value_it_can_test(timed):
    host, clock = timed
    host.start("waiter", 5)
    clock.now = 1006
    assert host.run_due() == [Suspended(1, "gave-up", Symbol("q"))]


def test_handlers_answer_what_a_fired_flow_asks_next(timed):
    host, clock = timed
    host.on("after", lambda i, s: Symbol("woke"))
    host.start("napper", 1)
    clock.now = 1001
    assert host.run_due() == [Done(1, Symbol("woke"))]


def test_run_due_limit_and_order(timed):
    host, clock = timed
    for s in (30, 10, 20):
        host.start("napper", s)
    clock.now = 1100
    assert [r.id for r in host.run_due(limit=2)] == [2, 3]
    assert [r.id for r in host.run_due()] == [1]


def test_a_restart_between_setting_and_firing_keeps_the_deadline(tmp_path):
    db = tmp_path / "t.db"
    first = make(Clock(1000), db)
    first.start("waiter", 60)
    first.start("napper", 5)
    first.close()
    # another process, its clock far on: the deadline is the recorded one, not "now + 60"
    clock = Clock(1059)
    again = make(clock, db)
    assert [r.id for r in again.run_due()] == [2]  # the nap (due 1005) only
    clock.now = 1060
    assert again.run_due() == [Suspended(1, "gave-up", Symbol("q"))]
    again.close()
    # and a third process replays the logged timeout: the flow goes on from there
    third = make(Clock(5000), db)
    assert third.resume(1, Symbol("ok")) == Done(1, Symbol("ok"))
    assert [s.event for s in third.steps(1)] == [TIMEOUT, None]
    third.close()


def test_cancel_delivers_a_condition_the_flow_handles_and_compensates(timed):
    host, _ = timed
    undone = []
    host.on("undo", lambda i, x: undone.append(x) or Symbol("undone"))
    host.start("careful", "o1")
    assert host.cancel(1) == Cancelled(1, [Symbol("compensated"), Symbol("after-thunk")])
    assert undone == ["o1"]
    assert host.status(1) == "cancelled"
    assert [(s.kind, s.event) for s in host.steps(1)] == [("wait", CANCEL), ("undo", None)]


def test_a_cancelled_flow_waiting_on_its_compensation_replays_the_cancellation(tmp_path):
    db = tmp_path / "t.db"
    host = make(Clock(), db)
    host.start("cleanup-then-give-up", "o1")
    assert host.cancel(1) == Suspended(1, "undo", "o1")  # no handler here: it waits
    with pytest.raises(FlowStateError, match="being cancelled already"):
        host.cancel(1)
    host.close()
    again = make(Clock(), db)  # replays: the cancel is delivered again at the same step
    assert again.resume(1, Symbol("undone")) == Cancelled(1, None)
    again.close()


def test_an_unhandled_cancellation_ends_the_flow_cancelled(timed):
    host, _ = timed
    host.start("stubborn", 1)
    assert host.cancel(1) == Cancelled(1, None)
    with pytest.raises(FlowStateError):
        host.resume(1, 2)


def test_terminate_runs_none_of_the_flows_code(timed):
    host, _ = timed
    undone = []
    host.on("undo", lambda i, x: undone.append(x) or Symbol("undone"))
    host.start("careful", "o1")
    assert host.cancel(1, force=True) == Cancelled(1, None)
    assert undone == [] and host.steps(1) == []


def test_cancel_clears_a_pending_timer(timed):
    host, clock = timed
    host.start("napper", 10)
    host.cancel(1)
    clock.now = 5000
    assert host.run_due() == [] and host.record(1).due is None


def test_guest_side_cancel_and_terminate(timed):
    host, _ = timed
    host.start("stubborn", 1)
    host.start("stubborn", 2)
    assert host.eval("(flow/cancel 1)") is True
    assert host.eval("(flow/terminate 2)") is True
    assert [host.status(1), host.status(2)] == ["cancelled", "cancelled"]


@pytest.mark.parametrize(
    "code, message",
    [
        ("(flow/sleep -1)", "seconds"),
        ('(request/timeout \'a 1 "soon")', "seconds"),
        ("(request 'flow/sleep 1)", "reserved"),
        ('(flow/patched? "x")', "one symbol"),
    ],
)
def test_bad_timer_calls_fail_the_flow_with_a_clear_message(code, message):
    host = FlowHost(clock=Clock())
    host.load_source(f"(defflow bad (lambda () {code}))")
    r = host.start("bad")
    assert message in r.message


def test_patched_is_false_replaying_a_log_made_before_the_patch(tmp_path):
    db = tmp_path / "t.db"
    old = FlowHost.open(db, clock=Clock())
    old.load_source(PATCHED_V1)
    old.start("pay", "o-old")
    old.resume(1, Symbol("reserved"))  # waits on payment, recorded before the patch
    old.close()
    clock = Clock()
    new = FlowHost.open(db, clock=clock)
    new.load_source(PATCHED_V2)
    assert new.check(1) == {"expiry": False}
    new.start("pay", "o-new")
    new.resume(2, Symbol("reserved"))
    assert [s.kind for s in new.steps(2)] == ["reserve", PATCH_KIND]
    assert new.record(2).due == 1060.0 and new.record(1).due is None
    assert new.check(2) == {"expiry": True}
    clock.now = 2000
    assert new.run_due() == [Done(2, Symbol("expired"))]
    assert new.resume(1, Symbol("paid")) == Done(1, Symbol("paid"))  # the old path
    new.close()


def test_flowhost_check_reports_each_flows_path(tmp_path):
    from click.testing import CliRunner

    from flowhost.cli import main

    db = tmp_path / "t.db"
    old = FlowHost.open(db, clock=Clock())
    old.load_source(PATCHED_V1)
    old.start("pay", "o-old")
    old.resume(1, Symbol("reserved"))
    old.close()
    src = tmp_path / "flows"
    src.mkdir()
    (src / "pay.scm").write_text(PATCHED_V2)
    new = FlowHost.open(db, clock=Clock())
    new.load_file(src / "pay.scm")
    new.start("pay", "o-new")
    new.resume(2, Symbol("reserved"))
    new.close()
    r = CliRunner().invoke(main, ["check", "--store", str(db), "--flows", str(src)])
    assert r.exit_code == 0, r.output
    assert "flow 1 (pay) replays; expiry: path before the patch" in r.output
    assert "flow 2 (pay) replays; expiry: new path" in r.output


def test_the_due_query_uses_the_index(tmp_path):
    host = make(Clock(), tmp_path / "t.db")
    host.close()
    from flowhost.sqlite_store import SQLiteStore

    plan = (
        sqlite3.connect(tmp_path / "t.db")
        .execute(f"EXPLAIN QUERY PLAN {SQLiteStore.due_query()}", (0, -1))
        .fetchall()
    )
    assert any("flows_by_due" in row[-1] for row in plan), plan


def test_a_schema_2_file_is_migrated_and_its_flows_go_on(tmp_path):
    import shutil

    from .conftest import ROOT

    db = tmp_path / "release.db"
    shutil.copy(ROOT / "tests" / "fixtures" / "release-store.db", db)
    host = FlowHost.open(db, clock=Clock())
    host.load_file(FLOWS / "order.scm")
    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM flow_meta WHERE key='schema'").fetchone() == ("4",)
    assert host.resume(1, Symbol("paid")) == Suspended(1, "fulfil", "o-seed")
    host.close()


def test_a_schema_1_file_is_migrated_via_2_and_its_flows_go_on(tmp_path):
    db = tmp_path / "v1.db"
    con = sqlite3.connect(db)
    con.executescript(
        """
        CREATE TABLE flow_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE flows (id INTEGER PRIMARY KEY, flow TEXT NOT NULL, args TEXT NOT NULL,
            status TEXT NOT NULL, pending TEXT, result TEXT, error TEXT, "where" TEXT,
            source_hash TEXT NOT NULL, version INTEGER NOT NULL, nsteps INTEGER NOT NULL);
        CREATE TABLE flow_steps (flow_id INTEGER NOT NULL, step INTEGER NOT NULL,
            kind TEXT NOT NULL, payload TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (flow_id, step)) WITHOUT ROWID;
        INSERT INTO flow_meta VALUES ('schema', '1'), ('next_id', '2');
        INSERT INTO flows VALUES (1, 'order-lifecycle', '["o1"]', 'suspended',
            '{"kind": "payment", "payload": "o1"}', NULL, NULL, NULL, 'sha256:x', 1, 1);
        INSERT INTO flow_steps VALUES (1, 0, 'reserve', '"o1"', '{"$symbol":"reserved"}');
        """
    )
    con.commit()
    con.close()
    host = FlowHost.open(db, clock=Clock())
    host.load_file(FLOWS / "order.scm")
    assert sqlite3.connect(db).execute(
        "SELECT value FROM flow_meta WHERE key='schema'"
    ).fetchone() == ("4",)
    assert host.resume(1, Symbol("paid")) == Suspended(1, "fulfil", "o1")
    assert host.record(1).due is None and host.steps(1)[0].event is None
    host.close()


def test_a_schema_3_file_is_migrated_and_keeps_ids_and_versions_unrepeated(tmp_path):
    # schema 3 kept exact counters (next_id, and next_version: one stamp for every write
    # in the store); schema 4 reads them as floors, so they carry over as they are
    from flowhost import FlowConflictError
    from flowhost.sqlite_store import SQLiteStore

    db = tmp_path / "v3.db"
    host = FlowHost.open(db, clock=Clock())
    host.load_file(FLOWS / "order.scm")
    host.start("order-lifecycle", "o1")
    host.start("order-lifecycle", "o2")
    host.close()
    con = sqlite3.connect(db)
    con.executescript(  # what schema 3 would hold: counters past flow 3, deleted
        "UPDATE flow_meta SET value = '3' WHERE key = 'schema';"
        "UPDATE flow_meta SET value = '4' WHERE key = 'next_id';"
        "UPDATE flows SET version = 7 WHERE id = 1; UPDATE flows SET version = 9 WHERE id = 2;"
        "UPDATE flow_meta SET value = '12' WHERE key = 'next_version';"
    )
    con.commit()
    con.close()
    store = SQLiteStore(db)
    assert sqlite3.connect(db).execute(
        "SELECT value FROM flow_meta WHERE key='schema'"
    ).fetchone() == ("4",)
    host = FlowHost(store, clock=Clock())
    host.load_file(FLOWS / "order.scm")
    assert store.next_id() == 4  # flow 3 was deleted: its id is not given again
    assert host.start("order-lifecycle", "o3").id == 4
    old = store.get(1)
    assert host.resume(1, Symbol("reserved")).kind == "payment"
    assert store.get(1).version > old.version
    with pytest.raises(FlowConflictError):
        store.update(old, old.version)
    host.close()


def test_export_and_import_keep_deadlines_and_step_events():
    clock = Clock()
    host = make(clock)
    host.start("waiter", 30)
    host.start("cleanup-then-give-up", "o")
    host.cancel(2)  # waits on undo now, its log holds the cancel
    data = host.export()
    assert data["version"] == 3
    assert data["flows"][0]["due"] == 1030.0
    assert data["flows"][1]["steps"][0]["event"] == CANCEL
    for how in ("json", "datum"):
        other = make(clock)
        if how == "json":
            other.import_(data)
        else:
            other.import_datum(host.export_datum())
        assert other.record(1).due == 1030.0
        assert other.resume(2, Symbol("undone")) == Cancelled(2, None)
        clock.now = 1030
        assert other.run_due() == [Suspended(1, "gave-up", Symbol("q"))]
        clock.now = 1000
    old = dict(data, version=2)
    with pytest.raises(Exception, match="unknown keys"):
        make(clock).import_(old)  # a version 2 export has no deadlines


def test_a_postgres_flow_store_at_schema_1_is_migrated():
    import psycopg

    from flowhost.pg_store import PostgresStore

    from ..pgtest import pg_url

    url = pg_url()
    PostgresStore(url).close()
    with psycopg.connect(url, autocommit=True) as conn:  # back to schema 1's shape
        conn.execute("DROP INDEX flows_by_due")
        conn.execute("ALTER TABLE flows DROP COLUMN due")
        conn.execute("ALTER TABLE flow_steps DROP COLUMN event")
        conn.execute("UPDATE schema_versions SET version = 1 WHERE component = 'flowhost'")
    host = FlowHost.open(url, clock=Clock())
    host.load_source(TIMER_FLOWS)
    host.start("napper", 5)
    assert host.run_due(1005.0) == [Suspended(1, "after", 5)]
    host.close()
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT version FROM schema_versions WHERE component = 'flowhost'")
        assert row.fetchone() == (2,)
