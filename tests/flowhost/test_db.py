"""The unit of work shared by the stores (flowhost/db.py, pg.py): joins and savepoints."""

from __future__ import annotations

import pytest

from flowhost.db import SQLiteDatabase, StoreError

from ..pgtest import pg_url


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path):
    if request.param == "postgres":
        from flowhost.pg import PostgresDatabase

        d = PostgresDatabase(pg_url())
    else:
        d = SQLiteDatabase(tmp_path / "u.db")
    d.execute("CREATE TABLE t (v INTEGER PRIMARY KEY)")
    yield d
    d.close()


def values(db) -> list[int]:
    return [r[0] for r in db.query("SELECT v FROM t ORDER BY v")]


def insert(db, v: int) -> None:
    db.execute(
        "INSERT INTO t VALUES (%s)"
        if db.__class__.__name__.startswith("P")
        else "INSERT INTO t VALUES (?)",
        (v,),
    )


def test_a_join_that_fails_after_writing_dooms_the_transaction(db):
    with pytest.raises(StoreError, match="failed part-way"):
        with db.transaction():
            insert(db, 1)
            try:
                with db.transaction(savepoint=False):
                    insert(db, 2)
                    raise ValueError("half done")
            except ValueError:
                pass  # caught: the half-done join must not be committed
    assert values(db) == []


def test_a_join_that_fails_before_writing_leaves_the_transaction_usable(db):
    with db.transaction():
        insert(db, 1)
        try:
            with db.transaction(savepoint=False):
                db.query("SELECT v FROM t")
                raise ValueError("refused before any write")
        except ValueError:
            pass
        insert(db, 2)
    assert values(db) == [1, 2]
    assert db.stats.commits >= 1


def test_a_savepoint_undoes_a_doomed_join_inside_it_but_not_one_before_it(db):
    with db.transaction():
        try:
            with db.transaction():  # a savepoint
                with db.transaction(savepoint=False):
                    insert(db, 1)
                    raise ValueError("inner")
        except ValueError:
            pass
        insert(db, 2)
    assert values(db) == [2]  # the savepoint undid the join, and its doom
    with pytest.raises(StoreError, match="failed part-way"):
        with db.transaction():
            try:
                with db.transaction(savepoint=False):
                    insert(db, 3)
                    raise ValueError("doomed")
            except ValueError:
                pass
            try:
                with db.transaction():  # rolled back later: must not lift the earlier doom
                    raise ValueError("other")
            except ValueError:
                pass
    assert values(db) == [2]


def test_the_cache_lives_as_long_as_the_unit_of_work(db):
    with db.transaction():
        db.cache["x"] = 1
        try:
            with db.transaction():
                raise ValueError
        except ValueError:
            pass
        assert "x" not in db.cache  # a savepoint rolled back: what was kept may be undone
        db.cache["y"] = 2
    assert db.cache == {}
