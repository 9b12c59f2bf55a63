"""How a worker claims pending work in the database, and how an idle one waits for more.

A flow suspended on a request kind that a handler answers (reserve, fulfil) is work: a
crash between two steps of a service can leave one there. Workers find it with an
indexed query on the kind the flow waits on -- first a plain look (`look`, no lock, no
transaction: an idle pass costs one statement), then, when there is something, a claim
with row locks inside the step's transaction, so several workers on several machines
never do the same step twice:

- PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED` inside the step's transaction; other
  workers skip the rows one holds, and the flow's version-guarded update (pg_store.py)
  stays the backstop. A worker holding a claim never waits for another lock: the step's
  `lock_timeout` is a few milliseconds (STEP_LOCK_TIMEOUT). The services lock in the
  order stream, then flow row (a settle's fulfilment: the ledger append, then the
  flow's update); a worker's claim takes the flow row first, so a worker that waited on
  the stream of a settle in progress would hold the row that settle waits for -- a
  deadlock PostgreSQL would break only after the wait's timeout. Measured with two
  workers beside one shop process (bench/scale_orders.py): every order's settle stalled
  500 ms that way, 2.7 orders/s instead of 126. Now the worker gives up within
  milliseconds (its step rolls back, counted as a conflict, tried on a later pass) and
  the settle goes on.
- A deferred constraint trigger on `flows` sends `NOTIFY flow_work` when a transaction
  commits leaving a flow waiting on a kind some worker serves (the kinds are in the
  table `flow_work_kinds`, registered by each worker at start): it re-reads the row at
  commit, so a begin, whose `reserve` is answered in its own transaction, wakes nobody,
  and a settle wakes the workers once (its payment step leaves `fulfil`). An idle worker
  `LISTEN`s on its own connection and wakes at that commit; its wait is bounded anyway.
  Every listener gets every NOTIFY: all idle workers wake, and each costs one look.
- SQLite: the outermost transaction is `BEGIN IMMEDIATE`, the file's write lock, so the
  claim and the step are serialised with every other writer; the addressed resume's
  version check is the backstop. The look before it keeps an idle worker from taking
  the write lock. An idle worker sleeps a bounded poll interval.

Schema: the PostgreSQL pieces (index `flows_waiting_on`, table `flow_work_kinds`, trigger
`flows_work_notify`) are component `worker` version 2 in `schema_versions` (version 1's
trigger notified at every row change, the begin's reserve included, and is replaced on
open); on SQLite the index `flows_waiting_on` is created if missing. Neither changes the
flows table itself.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from typing import Any

from flowhost import Database
from flowhost.db import SQLiteDatabase, is_postgres

CHANNEL = "flow_work"
SCHEMA_VERSION = 2
STEP_LOCK_TIMEOUT = "5ms"  # the longest a worker holding a claim waits for another lock

_NOTIFY_FUNCTION = f"""CREATE OR REPLACE FUNCTION flow_work_notify() RETURNS trigger AS $$
    BEGIN
        -- at commit (deferred): the row as this transaction leaves it
        IF EXISTS (
            SELECT 1 FROM flows f JOIN flow_work_kinds k ON k.kind = (f.pending::json ->> 'kind')
            WHERE f.id = NEW.id AND f.status = 'suspended'
        ) THEN
            PERFORM pg_notify('{CHANNEL}', '');
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql"""
_NOTIFY_TRIGGER = (
    "CREATE CONSTRAINT TRIGGER flows_work_notify AFTER INSERT OR UPDATE ON flows "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status = 'suspended') "
    "EXECUTE FUNCTION flow_work_notify()"
)
_PG_SCHEMA = [
    "CREATE INDEX IF NOT EXISTS flows_waiting_on ON flows "
    "(((pending::json) ->> 'kind'), id) WHERE status = 'suspended'",
    "CREATE TABLE IF NOT EXISTS flow_work_kinds (kind TEXT PRIMARY KEY)",
    _NOTIFY_FUNCTION,
    _NOTIFY_TRIGGER,
]
_PG_MIGRATE = {
    1: ["DROP TRIGGER IF EXISTS flows_work_notify ON flows", _NOTIFY_FUNCTION, _NOTIFY_TRIGGER]
}

_SQLITE_INDEX = (
    "CREATE INDEX IF NOT EXISTS flows_waiting_on ON flows "
    "(json_extract(pending, '$.kind'), id) WHERE status = 'suspended'"
)


class Claims(ABC):
    """Claiming pending work on one database, and waiting for more."""

    def __init__(self, db: Any, kinds: list[str]) -> None:
        self.db = db
        self.kinds = list(kinds)

    def look(self, after: int, limit: int) -> list[int]:
        """Ids (> after, ascending, at most limit) of flows waiting on one of the kinds
        now: a plain read, outside any transaction, locking nothing."""
        if not self.kinds:
            return []
        rows = self.db.query(self._sql, self._args(after, limit), "cannot look for work")
        return [r[0] for r in rows]

    @abstractmethod
    def _args(self, after: int, limit: int) -> list:
        """The arguments of the look's query (self._sql)."""

    @abstractmethod
    def claim(self, ids: list[int], limit: int) -> list[int]:
        """Inside the step's transaction: the first `limit` of `ids` (ascending) still
        waiting on one of the kinds, held for this transaction where the backend can
        (PostgreSQL skips the ones another worker holds and takes the next ones)."""

    @abstractmethod
    def wait(self, timeout: float) -> bool:
        """Block until work may have arrived or timeout seconds pass; True if woken."""

    def close(self) -> None:  # noqa: B027 -- optional hook
        """Release what waiting holds (a listening connection)."""


class SQLiteClaims(Claims):
    """The file's write lock is the claim; idle workers poll."""

    def __init__(self, db: SQLiteDatabase, kinds: list[str]) -> None:
        super().__init__(db, kinds)
        with db.transaction():
            db.execute(_SQLITE_INDEX)
        marks = ",".join("?" * len(self.kinds))
        self._where = f"status = 'suspended' AND json_extract(pending, '$.kind') IN ({marks})"
        self._sql = f"SELECT id FROM flows WHERE {self._where} AND id > ? ORDER BY id LIMIT ?"

    def _args(self, after: int, limit: int) -> list:
        return [*self.kinds, after, limit]

    def claim(self, ids: list[int], limit: int) -> list[int]:
        if not self.kinds or not ids:
            return []
        # inside BEGIN IMMEDIATE: the file's write lock is the claim
        rows = self.db.query(
            f"SELECT id FROM flows WHERE {self._where} AND id IN ({','.join('?' * len(ids))}) "
            "ORDER BY id LIMIT ?",
            [*self.kinds, *ids, limit],
            "cannot claim work",
        )
        return [r[0] for r in rows]

    def wait(self, timeout: float) -> bool:
        time.sleep(max(0.0, timeout))
        return False


class PostgresClaims(Claims):
    """FOR UPDATE SKIP LOCKED, and LISTEN on a connection of its own."""

    def __init__(self, db: Any, kinds: list[str]) -> None:
        super().__init__(db, kinds)
        import psycopg

        from flowhost.pg import driver_error_types, open_schema

        open_schema(db, "worker", SCHEMA_VERSION, _PG_SCHEMA, "worker queue", _PG_MIGRATE)
        self._where = "status = 'suspended' AND ((pending::json) ->> 'kind') = ANY(%s)"
        self._sql = f"SELECT id FROM flows WHERE {self._where} AND id > %s ORDER BY id LIMIT %s"
        try:
            with db.transaction():
                for kind in self.kinds:
                    db.execute(
                        "INSERT INTO flow_work_kinds VALUES (%s) ON CONFLICT DO NOTHING", (kind,)
                    )
            # LISTEN before the first look for work: nothing committed after it is missed
            self._listen = psycopg.connect(db.url, autocommit=True)
            self._listen.execute(f"LISTEN {CHANNEL}")
        except driver_error_types() as e:
            raise db.error(e, "cannot start the worker") from e

    def _args(self, after: int, limit: int) -> list:
        return [self.kinds, after, limit]

    def claim(self, ids: list[int], limit: int) -> list[int]:
        if not self.kinds or not ids:
            return []
        # holding these rows, never wait for another lock (a settle holding the order's
        # stream waits for our row: see the module docstring): give up, retry later
        self.db.execute(f"SET LOCAL lock_timeout = '{STEP_LOCK_TIMEOUT}'")
        rows = self.db.query(
            f"SELECT id FROM flows WHERE {self._where} AND id = ANY(%s) ORDER BY id LIMIT %s "
            "FOR UPDATE SKIP LOCKED",
            (self.kinds, ids, limit),
            "cannot claim work",
        )
        return [r[0] for r in rows]

    def wait(self, timeout: float) -> bool:
        woken = False
        for _ in self._listen.notifies(timeout=max(0.0, timeout), stop_after=1):
            woken = True
        if woken:  # take whatever else is queued, without blocking: one wake for all
            for _ in self._listen.notifies(timeout=0):
                pass
        return woken

    def close(self) -> None:
        self._listen.close()


def claims_for(db: Database, kinds: list[str]) -> Claims:
    """The claims of the database's backend (a durable one: SQLite or PostgreSQL)."""
    if is_postgres(db):
        return PostgresClaims(db, kinds)
    if isinstance(db, SQLiteDatabase):
        return SQLiteClaims(db, kinds)
    raise TypeError(f"a worker needs a durable database, not {db.name}")
