"""Processes inserting and resuming flows while another one clears and imports the store
over and over: a flow's (id, version) never names two states, ids are never handed out
twice, on SQLite and on PostgreSQL (ids and versions drawn without counter rows there)."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from flowhost import FlowConflictError, FlowRecord, NoSuchFlowError, Pending
from flowhost.pg_store import PostgresStore
from flowhost.sqlite_store import SQLiteStore

from ..pgtest import pg_url

CTX = multiprocessing.get_context("fork")
INSERTERS, INSERTS, CYCLES = 3, 25, 6


def _open(target: str):
    return PostgresStore(target) if target.startswith("postgresql:") else SQLiteStore(target)


def _inserter(target: str, barrier, out) -> None:
    store = _open(target)
    seen = []
    barrier.wait(60)
    for _ in range(INSERTS):
        r = store.insert(FlowRecord(0, "f", [], "suspended", Pending("ask", 1)), [])
        seen.append(("insert", r.id, r.version))
        try:
            r = store.update(r, r.version)
            seen.append(("update", r.id, r.version))
        except (FlowConflictError, NoSuchFlowError):  # a reset or an import took it first
            pass
    store.close()
    out.put(seen)


def _resetter(target: str, barrier, out) -> None:
    store = _open(target)
    seen = []
    barrier.wait(60)
    for cycle in range(CYCLES):
        everything = store.everything()
        if cycle % 2:
            store.clear()  # a reset, then (a moment later) the import of what was read
            time.sleep(0.02)  # before it: the inserters write into the empty store meanwhile
        for r in store.replace_all(everything, store.next_id()):
            seen.append(("import", r.id, r.version))
    store.close()
    out.put(seen)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_ids_and_versions_are_never_reused_while_another_process_imports(backend, tmp_path):
    target = pg_url() if backend == "postgres" else str(tmp_path / "race.db")
    _open(target).close()  # the schema, made once
    barrier, out = CTX.Barrier(INSERTERS + 1), CTX.Queue()
    procs = [CTX.Process(target=_inserter, args=(target, barrier, out)) for _ in range(3)]
    procs.append(CTX.Process(target=_resetter, args=(target, barrier, out)))
    for p in procs:
        p.start()
    seen = [row for _ in procs for row in out.get(timeout=60)]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    inserted = [i for what, i, _ in seen if what == "insert"]
    assert len(inserted) == INSERTERS * INSERTS
    assert len(set(inserted)) == len(inserted)  # no id handed out twice
    states = [(i, v) for what, i, v in seen if what != "import"]
    assert len(set(states)) == len(states)  # no (id, version) written twice
    imported = {(i, v) for what, i, v in seen if what == "import"}
    assert not imported & set(states)  # an import never gives a state already named
    store = _open(target)
    try:
        ids = [rec.id for rec, _ in store.everything()]
        assert ids == sorted(set(ids)) and store.next_id() > max(inserted)
    finally:
        store.close()
