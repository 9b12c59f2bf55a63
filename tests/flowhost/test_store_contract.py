"""One contract suite for every FlowStore implementation."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from flowhost import FlowConflictError, FlowRecord, MemoryStore, NoSuchFlowError, Pending, Step
from flowhost.pg_store import PostgresStore
from flowhost.sqlite_store import SQLiteStore
from scheme import Symbol

from ..pgtest import pg_url


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "postgres":
        s = PostgresStore(pg_url())
    else:
        s = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "c.db")
    yield s
    s.close()


def rec(flow: str = "f", args=None, status: str = "suspended", **kw) -> FlowRecord:
    pending = kw.pop("pending", Pending("ask", 1) if status == "suspended" else None)
    return FlowRecord(0, flow, args if args is not None else [], status, pending, **kw)


def test_insert_allocates_ids_from_one(store):
    a = store.insert(rec(args=["x"]), [])
    b = store.insert(rec(), [Step("k", 1, 2)])
    assert (a.id, b.id) == (1, 2)
    assert store.next_id() == 3
    assert store.get(1) == a and store.get(2).nsteps == 1
    assert store.get(3) is None


def test_values_round_trip_with_their_types(store):
    args = ["s", 1, Fraction(2, 3), 1.5, True, Symbol("y"), [1, [2]], (3, 4)]
    r = store.insert(
        rec(args=args, pending=Pending("ask", (Symbol("a"), "b"))),
        [Step("k", [True, 1], (False, 0))],
    )
    got = store.get(r.id)
    assert got.args == args and [type(x) for x in got.args] == [type(x) for x in args]
    assert got.pending == Pending("ask", (Symbol("a"), "b"))
    assert store.steps(r.id) == [Step("k", [True, 1], (False, 0))]
    assert store.steps(r.id)[0].payload[0] is True


def test_update_appends_a_step_and_stamps_a_new_version(store):
    r = store.insert(rec(), [])
    stored = store.update(replace(r, pending=Pending("next", 2)), r.version, Step("ask", 1, "v"))
    got = store.get(r.id)
    assert got == stored
    assert got.version > r.version and got.nsteps == 1 and got.pending == Pending("next", 2)
    assert store.steps(r.id) == [Step("ask", 1, "v")]


def test_versions_are_never_reused_not_even_after_an_import(store):
    # (id, version) names one state of one flow for the store's lifetime: what a host's
    # kept continuation relies on (a version alone may repeat across flows)
    a = store.insert(rec(), [])
    b = store.insert(rec(), [])
    a2 = store.update(a, a.version)
    a3 = store.update(a2, a2.version)
    seen = {(a.id, a.version), (b.id, b.version), (a2.id, a2.version), (a3.id, a3.version)}
    assert len(seen) == 4
    again = store.replace_all([(a, []), (b, [])], 3)  # an old export brought back
    assert not {(r.id, r.version) for r in again} & seen
    assert [r.id for r in again] == [1, 2]
    seen |= {(r.id, r.version) for r in again}
    for r in again:  # the brought-back flows move on to states never seen before either
        moved = store.update(r, r.version)
        assert (moved.id, moved.version) not in seen
        seen.add((moved.id, moved.version))
    store.clear()
    back = store.replace_all([(a, []), (b, [])], 3)
    assert not {(r.id, r.version) for r in back} & seen


def test_the_stamp_moves_with_every_write_and_stays_through_a_clear(store):
    stamps = [store.stamp()]
    r = store.insert(rec(), [])
    stamps.append(store.stamp())
    store.update(r, r.version, Step("ask", 1, 2))
    stamps.append(store.stamp())
    store.insert(rec(), [])
    stamps.append(store.stamp())
    assert stamps == sorted(set(stamps))  # strictly growing
    everything = store.everything()
    store.clear()  # a reset that an import of the same export then undoes
    assert store.stamp() == stamps[-1]
    store.replace_all(everything, store.next_id())
    assert store.stamp() > stamps[-1]


def test_export_import_cycles_keep_the_stamp_and_versions_small(store):
    # each cycle adds to the stamp and the version floor; it must not multiply them (one
    # floor serving both overflowed SQLite's integers after eight cycles of 200 flows)
    for _ in range(200):
        store.insert(rec(), [])
    stamps, seen = [store.stamp()], set()
    for _ in range(20):
        everything = store.everything()
        back = store.replace_all(everything, store.next_id())
        assert not {(r.id, r.version) for r in back} & seen
        seen |= {(r.id, r.version) for r in back}
        stamps.append(store.stamp())
    assert stamps == sorted(set(stamps))  # strictly growing
    assert stamps[-1] < 2**40 and max(rec.version for rec, _ in store.everything()) < 2**20


def test_update_with_a_stale_version_conflicts_and_changes_nothing(store):
    r = store.insert(rec(), [])
    store.update(r, r.version, Step("ask", 1, "first"))
    with pytest.raises(FlowConflictError, match="flow 1 was changed"):
        store.update(replace(r, status="done", pending=None), r.version, Step("ask", 1, "second"))
    assert store.get(r.id).status == "suspended"
    assert store.steps(r.id) == [Step("ask", 1, "first")]


def test_unknown_ids(store):
    with pytest.raises(NoSuchFlowError):
        store.steps(9)
    with pytest.raises(NoSuchFlowError):
        store.update(replace(rec(), id=9), 1)


def test_ids_requests_and_records_are_ascending(store):
    for status in ("suspended", "done", "suspended", "failed"):
        store.insert(rec(status=status), [])
    assert store.ids() == [1, 2, 3, 4]
    assert store.ids("suspended") == [1, 3]
    assert store.requests() == [(1, Pending("ask", 1)), (3, Pending("ask", 1))]
    assert [r.id for r in store.records()] == [1, 2, 3, 4]


def test_replace_all_is_a_whole_replacement(store):
    store.insert(rec(), [])
    store.insert(rec(), [])
    new = [(replace(rec(), id=7), [Step("a", 1, 2), Step("b", 3, 4)])]
    store.replace_all(new, 5)
    assert store.ids() == [7]
    assert store.next_id() == 8  # never below an id in use
    assert store.steps(7) == [Step("a", 1, 2), Step("b", 3, 4)]
    assert store.insert(rec(), []).id == 8


def test_clear_forgets_flows_but_not_the_id_counter(store):
    store.insert(rec(), [Step("a", 1, 2)])
    store.clear()
    assert store.ids() == [] and store.get(1) is None
    assert store.insert(rec(), []).id == 2


def test_sqlite_store_survives_reopening(tmp_path):
    s = SQLiteStore(tmp_path / "re.db")
    s.insert(rec(args=["x"]), [Step("a", 1, 2)])
    s.close()
    again = SQLiteStore(tmp_path / "re.db")
    assert again.get(1).args == ["x"] and again.steps(1) == [Step("a", 1, 2)]
    assert again.next_id() == 2
    again.close()


def test_sqlite_store_refuses_a_file_that_is_not_a_database(tmp_path):
    from flowhost.sqlite_store import StoreError

    bad = tmp_path / "not.db"
    bad.write_text("this is not sqlite " * 100)
    with pytest.raises(StoreError, match="cannot open the database: file is not a database"):
        SQLiteStore(bad)


def test_find_by_flow_and_exact_arguments(store):
    store.insert(rec(flow="order", args=["o1"]), [])
    store.insert(rec(flow="order", args=["o2"]), [])
    store.insert(rec(flow="refund", args=["o1"]), [])
    store.insert(rec(flow="order", args=["o1"]), [])
    assert store.find("order", ["o1"]) == [1, 4]
    assert store.find("refund", ["o1"]) == [3]
    assert store.find("order", [Symbol("o1")]) == []  # a symbol is not the string
    assert store.find("order", ["o1", 2]) == []


def test_page_filters_and_pages_in_the_store(store):
    for i in range(6):
        store.insert(
            rec(
                flow="order" if i % 2 == 0 else "refund",
                args=[i],
                key=f"k{i}",
                created=100.0 + i,
                updated=100.0 + i,
            ),
            [],
        )
    assert [r.id for r in store.page()] == [1, 2, 3, 4, 5, 6]
    assert [r.id for r in store.page(flow="order")] == [1, 3, 5]
    assert [r.id for r in store.page(flow="order", after=1, limit=1)] == [3]
    assert [r.id for r in store.page(limit=2, offset=3)] == [4, 5]
    assert [r.id for r in store.page(key="k4")] == [5]
    assert [r.id for r in store.page(since=104.0)] == [5, 6]
    assert store.page(status="done") == []
    assert store.page(status="suspended", flow="refund", since=103.0)[0].id == 4


def test_due_lists_only_the_flows_whose_deadline_passed_earliest_first(store):
    a = store.insert(rec(due=50.0), [])
    b = store.insert(rec(due=10.0), [])
    store.insert(rec(due=99.0), [])
    store.insert(rec(), [])  # no deadline
    assert store.due(50.0) == [(b.id, b.version), (a.id, a.version)]
    assert store.due(50.0, limit=1) == [(b.id, b.version)]
    assert store.due(9.0) == []
    # answering clears the deadline; the step keeps its event
    moved = store.update(
        replace(b, due=None, pending=Pending("next", 2)), b.version, Step("ask", 1, 10.0, "timeout")
    )
    assert store.due(50.0) == [(a.id, a.version)]
    assert store.steps(b.id) == [Step("ask", 1, 10.0, "timeout")]
    assert store.get(b.id).due is None and moved.due is None
    assert store.get(a.id).due == 50.0


def test_update_appends_patch_markers_after_the_step(store):
    r = store.insert(rec(), [Step("flow/patched", "p1", True)])
    store.update(r, r.version, Step("ask", 1, 2), [Step("flow/patched", "p2", True)])
    assert [s.kind for s in store.steps(r.id)] == ["flow/patched", "ask", "flow/patched"]
    assert store.get(r.id).nsteps == 3


def test_updates_in_one_transaction_keep_status_and_deadline_true(store):
    # updates that leave status or due as they were (and ones that change them), all in
    # one transaction where the store has the record it read: what the indexes answer
    # (ids by status, due) is the records' state after each
    with store.transaction():
        r = store.insert(rec(), [])
        r = store.update(replace(r, pending=Pending("a", 1), due=5.0), r.version, Step("x", 0, 0))
        assert store.ids("suspended") == [r.id] and store.due(9.0) == [(r.id, r.version)]
        r = store.update(replace(r, pending=Pending("b", 2)), r.version, Step("a", 1, 1))
        assert store.due(9.0) == [(r.id, r.version)] and store.ids("suspended") == [r.id]
        r = store.update(replace(r, due=5), r.version, Step("b", 2, 2))  # equal, not the same
        assert store.get(r.id).due == 5 and store.due(9.0) == [(r.id, r.version)]
        stale = store.get(r.id)
        r = store.update(replace(r, status="done", pending=None, due=None), r.version)
        assert store.ids("suspended") == [] and store.ids("done") == [r.id]
        assert store.due(9.0) == []
        with pytest.raises(FlowConflictError):  # the version read is gone: nothing written
            store.update(replace(stale, status="failed"), stale.version)
    got = store.get(r.id)
    assert (got.status, got.due, got.pending, got.nsteps) == ("done", None, None, 3)
    assert store.ids("done") == [r.id] and store.ids("failed") == []


def test_sqlite_update_sets_only_the_indexed_columns_that_change(tmp_path):
    # flows_by_status and flows_by_due are rewritten only when status or due change: a
    # step that stays suspended writes one index page fewer to the WAL
    s = SQLiteStore(tmp_path / "c.db")
    seen: list[str] = []
    s.db._db.set_trace_callback(seen.append)

    def set_list() -> str:
        (sql,) = [q for q in seen if q.startswith("UPDATE flows")]
        seen.clear()
        return sql.split(" SET ", 1)[1].split(" WHERE ")[0]

    with s.transaction():
        r = s.insert(rec(), [])
        r = s.update(replace(r, pending=Pending("b", 2)), r.version, Step("ask", 1, 2))
        assert "status=" not in (sql := set_list()) and "due=" not in sql
        r = s.update(replace(r, due=7.0), r.version)
        assert "status=" not in (sql := set_list()) and "due=" in sql
        r = s.update(replace(r, status="done", pending=None, due=None), r.version)
        assert "status=" in (sql := set_list()) and "due=" in sql
    r2 = s.insert(rec(), [])
    s.update(replace(r2, pending=Pending("b", 2)), r2.version)  # nothing read in a transaction
    assert "status=" in (sql := set_list()) and "due=" in sql
    assert s.get(r.id).status == "done" and s.ids("suspended") == [r2.id]
    s.close()
