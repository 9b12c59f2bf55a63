"""PostgresDatabase: the unit of work on a server (savepoints, hooks, stats, errors)."""

from __future__ import annotations

import pytest

import flowhost.pg as pg
from flowhost import StoreBusyError, open_database
from flowhost.db import SQLiteDatabase, StoreError, is_postgres
from flowhost.pg import PostgresDatabase, describe

from ..pgtest import pg_url


@pytest.fixture
def db():
    d = open_database(pg_url())
    d.execute("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)")
    yield d
    d.close()


def rows(d) -> list[tuple]:
    return d.query("SELECT k, n FROM t ORDER BY k")


def test_a_postgresql_url_opens_a_server_database_and_a_path_stays_sqlite(tmp_path):
    url = pg_url()
    for u in (url, url.replace("postgresql://", "postgres://", 1)):
        d = open_database(u)
        assert isinstance(d, PostgresDatabase) and is_postgres(d)
        d.close()
    lite = open_database(tmp_path / "x.db")
    assert isinstance(lite, SQLiteDatabase) and not is_postgres(lite)
    lite.close()


def test_a_missing_driver_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setattr(pg, "psycopg", None)
    with pytest.raises(StoreError) as e:
        open_database("postgresql://u:secret@db.example/shop")
    assert "pip install -e '.[postgres]'" in str(e.value) and "\n" not in str(e.value)


def test_an_unreachable_server_is_a_store_error_without_the_password(tmp_path):
    with pytest.raises(StoreError) as e:
        open_database(f"postgresql://u:secret@/shop?host={tmp_path}", timeout=1)
    text = str(e.value)
    assert "cannot open the database" in text and "secret" not in text
    assert not isinstance(e.value, StoreBusyError)
    assert describe("postgresql://u:pw@h:5433/db?x=1") == "postgresql://u@h:5433/db?x=1"


def test_commit_runs_hooks_and_counts(db):
    seen = []
    before = db.stats.commits
    with db.transaction():
        db.execute("INSERT INTO t VALUES ('a', 1)")
        db.on_commit(lambda: seen.append("done"))
        assert seen == [] and db.in_transaction
    assert seen == ["done"] and rows(db) == [("a", 1)]
    assert db.stats.commits == before + 1


def test_rollback_drops_everything_and_the_hooks(db):
    seen = []
    with pytest.raises(RuntimeError), db.transaction():
        db.execute("INSERT INTO t VALUES ('a', 1)")
        db.on_commit(lambda: seen.append("never"))
        raise RuntimeError("boom")
    assert rows(db) == [] and seen == [] and not db.in_transaction


def test_an_inner_failure_undoes_only_its_savepoint(db):
    seen = []
    with db.transaction():
        db.execute("INSERT INTO t VALUES ('a', 1)")
        with pytest.raises(Exception) as e, db.transaction():
            db.on_commit(lambda: seen.append("inner"))
            db.execute("INSERT INTO t VALUES ('b', 2)")
            db.execute("INSERT INTO t VALUES ('a', 3)")  # a unique violation aborts...
        assert pg.is_unique_violation(e.value)
        db.execute("INSERT INTO t VALUES ('c', 4)")  # ...only the savepoint
        db.on_commit(lambda: seen.append("outer"))
    assert rows(db) == [("a", 1), ("c", 4)] and seen == ["outer"]


def test_a_lock_held_past_the_timeout_is_a_busy_conflict(db):
    other = PostgresDatabase(db.url, timeout=0.2)
    db.execute("INSERT INTO t VALUES ('a', 1)")
    with db.transaction():
        db.execute("SELECT * FROM t WHERE k = 'a' FOR UPDATE")
        with pytest.raises(StoreBusyError, match="nothing was changed"), other.transaction():
            try:
                other.execute("UPDATE t SET n = 2 WHERE k = 'a'")
            except Exception as e:
                raise other.error(e, "cannot update") from e
    assert rows(db) == [("a", 1)]
    other.close()


@pytest.mark.parametrize("state", ["40001", "40P01", "55P03"])
def test_serialization_failures_and_deadlocks_are_busy(db, state):
    class Fake(Exception):
        sqlstate = state

    assert isinstance(db.error(Fake("x"), "doing"), StoreBusyError)


def test_other_errors_are_store_errors(db):
    with pytest.raises(StoreError, match="cannot read: .*no_such_table") as e:
        db.query("SELECT * FROM no_such_table")
    assert not isinstance(e.value, StoreBusyError)
