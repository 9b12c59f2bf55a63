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
