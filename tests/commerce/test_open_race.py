"""Several processes open one new database at once (an SQLite file, a PostgreSQL
database): the first open creates every schema (flows, ledger, stock, the worker queue),
and on PostgreSQL workers opening a database of an older worker schema migrate it;
whichever processes race, each open succeeds and the schemas are created (or migrated)
exactly once."""

from __future__ import annotations

import traceback
from typing import Any

import pytest

from commerce.cli.demo import Clock
from commerce.orders.engine import Engine
from commerce.orders.worker import Worker

from ..pgtest import pg_url
from .orders_fixtures import SHOP, begun
from .race_support import CTX

PROCS = 4
TRIALS = 4


def _open_and_work(url: str, order: str, barrier: Any, out: Any) -> None:
    try:
        barrier.wait(30)
        e = Engine.open(url, SHOP, clock=Clock())  # the race: all open at once
        w = Worker(e)
        begun(e, order, tea=1, gold=0, book=0)
        w.close()
        e.close()
        out.put(("ok", order))
    except BaseException as exc:  # the parent asserts on what each process met
        out.put(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))


def _race(url: str) -> list[tuple]:
    barrier, out = CTX.Barrier(PROCS), CTX.Queue()
    procs = [
        CTX.Process(target=_open_and_work, args=(url, f"o-{i}", barrier, out)) for i in range(PROCS)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    return results


def _schema(url: str) -> tuple[list[tuple], list[tuple]]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        versions = conn.execute(
            "SELECT component, version FROM schema_versions ORDER BY component"
        ).fetchall()
        triggers = conn.execute(
            "SELECT tgdeferrable, tginitdeferred FROM pg_trigger WHERE tgname = 'flows_work_notify'"
        ).fetchall()
    return versions, triggers


@pytest.mark.parametrize("trial", range(TRIALS))
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_processes_opening_a_new_database_at_once_each_get_the_schema_created_once(
    backend, trial, tmp_path
):
    url = pg_url() if backend == "postgres" else str(tmp_path / "new.db")
    results = _race(url)
    assert [r for r in results if r[0] != "ok"] == []
    if backend == "postgres":
        versions, triggers = _schema(url)
        components = [c for c, _ in versions]
        assert len(components) == len(set(components)) and "worker" in components
        assert triggers == [(True, True)]
    e = Engine.open(url, SHOP, clock=Clock())
    assert sorted(e.ledger.streams()) == [f"o-{i}" for i in range(PROCS)]
    assert all(e.orders.waiting_on(f"o-{i}") == "payment" for i in range(PROCS))
    e.close()


@pytest.mark.parametrize("trial", range(TRIALS))
def test_workers_opening_a_database_of_worker_schema_1_at_once_migrate_it_once(trial):
    import psycopg

    url = pg_url()
    e = Engine.open(url, SHOP, clock=Clock())
    Worker(e).close()
    e.close()
    with psycopg.connect(url, autocommit=True) as conn:  # as version 1 left it
        conn.execute("UPDATE schema_versions SET version = 1 WHERE component = 'worker'")
        conn.execute("DROP TRIGGER flows_work_notify ON flows")
        conn.execute(
            "CREATE TRIGGER flows_work_notify AFTER INSERT OR UPDATE ON flows "
            "FOR EACH ROW EXECUTE FUNCTION flow_work_notify()"
        )
    results = _race(url)
    assert [r for r in results if r[0] != "ok"] == []
    versions, triggers = _schema(url)
    assert ("worker", 2) in versions and triggers == [(True, True)]
