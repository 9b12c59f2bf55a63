"""The SQLite export builds each line in SQL and checks every cell in the same query
(sqlite_export): a step that fails the check anywhere in a flow's log sends the page to the
careful reader, which names the cell; a flow without steps still exports `"steps":[]`."""

from __future__ import annotations

import json
import sqlite3

import pytest

from flowhost import FlowHost, SQLiteStore, StoreError

SRC = "(defflow three (lambda (x) (request 'a x) (request 'b x) (request 'c x)))"


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "s.db"
    h = FlowHost.open(path)
    h.load_source(SRC)
    for n in range(3):
        r = h.start("three", n)
        for _ in range(n):
            h.resume(r.id, n)  # flow 1: no step, 2: one, 3: two
    h.store.close()
    return path


def texts(path) -> list[str]:
    store = SQLiteStore(path)
    try:
        return list(store.flow_texts())
    finally:
        store.close()


def test_every_flow_exports_its_steps_in_order(store_path):
    lines = [json.loads(t) for t in texts(store_path)]
    assert [len(x["steps"]) for x in lines] == [0, 1, 2]
    assert [s["kind"] for s in lines[2]["steps"]] == ["a", "b"]


DAMAGE = [
    ("payload = x'35'", "step=1, column payload"),  # a blob holding valid JSON
    ("value = '[1,'", "step=1, column value"),
    ("value = ''", "step=1, column value"),
    ("event = x'74'", "step=1, column event"),
]


@pytest.mark.parametrize(("change", "names"), DAMAGE, ids=[d[0] for d in DAMAGE])
def test_a_damaged_later_step_is_named(store_path, change, names):
    conn = sqlite3.connect(store_path)
    conn.execute(f"UPDATE flow_steps SET {change} WHERE flow_id = 3 AND step = 1")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=f"table flow_steps, row flow_id=3 {names}"):
        texts(store_path)


def test_pages_the_careful_reader_reads_lose_no_flow(tmp_path):
    """When the fast page query flags a page (its check column false), the careful reader
    reads that page; paging then goes on after the page's last id, every flow once."""
    from flowhost import sqlite_export
    from flowhost.sql_store import COLUMNS, record_of

    path = tmp_path / "p.db"
    h = FlowHost.open(path)
    h.load_source(SRC)
    ids = [h.start("three", n).id for n in range(7)]
    h.store.close()
    store = SQLiteStore(path)
    try:
        fast = list(store.flow_texts(page=2))

        def flagging(sql, args=()):  # every fast page looks damaged: the careful path
            rows = store._query(sql, args)
            if sql == sqlite_export._PAGE:
                return [(r[0], 0, *r[2:]) for r in rows]
            return rows

        careful = list(sqlite_export.flow_texts(flagging, COLUMNS, store.path, record_of, 2))
    finally:
        store.close()
    assert [json.loads(t)["id"] for t in fast] == ids
    assert [json.loads(t)["id"] for t in careful] == ids
