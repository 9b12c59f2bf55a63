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
from ..processes import race_processes
from .orders_fixtures import SHOP, begun
from .worker_schema import as_worker_schema_1, schema_state

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
    return race_processes([(_open_and_work, (url, f"o-{i}")) for i in range(PROCS)])


def _schema_of_one_open(url: str) -> tuple[list[tuple], list[tuple]]:
    """The schemas one process alone leaves on a new database: the race's reference."""
    e = Engine.open(url, SHOP, clock=Clock())
    Worker(e).close()
    e.close()
    return schema_state(url)


@pytest.mark.parametrize("trial", range(TRIALS))
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_processes_opening_a_new_database_at_once_each_get_the_schema_created_once(
    backend, trial, tmp_path
):
    if backend == "postgres":
        alone = _schema_of_one_open(pg_url())
        url = pg_url()  # empty again, for the race
    else:
        alone, url = None, str(tmp_path / "new.db")
    results = _race(url)
    assert [r for r in results if r[0] != "ok"] == []
    if alone is not None:
        assert schema_state(url) == alone and alone[1] == [(True, True)]
    e = Engine.open(url, SHOP, clock=Clock())
    assert sorted(e.ledger.streams()) == [f"o-{i}" for i in range(PROCS)]
    assert all(e.orders.waiting_on(f"o-{i}") == "payment" for i in range(PROCS))
    e.close()


@pytest.mark.parametrize("trial", range(TRIALS))
def test_workers_opening_a_database_of_worker_schema_1_at_once_migrate_it_once(trial):
    url = pg_url()
    alone = _schema_of_one_open(url)
    as_worker_schema_1(url)
    results = _race(url)
    assert [r for r in results if r[0] != "ok"] == []
    assert schema_state(url) == alone and ("worker", 2) in alone[0]
