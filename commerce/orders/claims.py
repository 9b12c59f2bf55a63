"""How a worker claims pending work in the database, and how an idle one waits for more.

A flow suspended on a request kind that a handler answers (reserve, fulfil) is work: a
crash between two steps of a service can leave one there. Workers find it with an
indexed query on the kind the flow waits on and claim it with row locks, so several
workers on several machines never do the same step twice:

- PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED` inside the step's transaction; other
  workers skip the rows one holds, and the flow's version-guarded update (pg_store.py)
  stays the backstop. A trigger on `flows` sends `NOTIFY flow_work` in the transaction
  that leaves a flow waiting on a kind some worker serves (the kinds are in the table
  `flow_work_kinds`, registered by each worker at start), so an idle worker `LISTEN`s on
  its own connection and wakes at that transaction's commit; its wait is bounded anyway.
- SQLite: the outermost transaction is `BEGIN IMMEDIATE`, the file's write lock, so the
  claim and the step are serialised with every other writer; the addressed resume's
  version check is the backstop. An idle worker sleeps a bounded poll interval.

Schema: the PostgreSQL pieces (index `flows_waiting_on`, table `flow_work_kinds`, trigger
`flows_work_notify`) are component `worker` version 1 in `schema_versions`; on SQLite the
index `flows_waiting_on` is created if missing. Neither changes the flows table itself.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from typing import Any

from flowhost import Database
from flowhost.db import SQLiteDatabase, is_postgres

CHANNEL = "flow_work"
SCHEMA_VERSION = 1

_PG_SCHEMA = [
    "CREATE INDEX IF NOT EXISTS flows_waiting_on ON flows "
    "(((pending::json) ->> 'kind'), id) WHERE status = 'suspended'",
    "CREATE TABLE IF NOT EXISTS flow_work_kinds (kind TEXT PRIMARY KEY)",
    f"""CREATE OR REPLACE FUNCTION flow_work_notify() RETURNS trigger AS $$
    BEGIN
        IF NEW.status = 'suspended' AND NEW.pending IS NOT NULL AND EXISTS (
            SELECT 1 FROM flow_work_kinds WHERE kind = (NEW.pending::json ->> 'kind')
        ) THEN
            PERFORM pg_notify('{CHANNEL}', '');
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER flows_work_notify AFTER INSERT OR UPDATE ON flows "
    "FOR EACH ROW EXECUTE FUNCTION flow_work_notify()",
]

_SQLITE_INDEX = (
    "CREATE INDEX IF NOT EXISTS flows_waiting_on ON flows "
    "(json_extract(pending, '$.kind'), id) WHERE status = 'suspended'"
)


class Claims(ABC):
    """Claiming pending work on one database, and waiting for more."""

    def __init__(self, db: Any, kinds: list[str]) -> None:
        self.db = db
        self.kinds = list(kinds)

    @abstractmethod
    def claim(self, after: int, limit: int) -> list[int]:
        """Inside the step's transaction: ids (> after, ascending, at most limit) of flows
        waiting on one of the kinds, held for this transaction where the backend can."""

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
        self._sql = (
            "SELECT id FROM flows WHERE status = 'suspended' AND "
            f"json_extract(pending, '$.kind') IN ({marks}) AND id > ? ORDER BY id LIMIT ?"
        )

    def claim(self, after: int, limit: int) -> list[int]:
        if not self.kinds:
            return []
        rows = self.db.query(self._sql, [*self.kinds, after, limit], "cannot look for work")
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

        open_schema(db, "worker", SCHEMA_VERSION, _PG_SCHEMA, "worker queue")
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

    def claim(self, after: int, limit: int) -> list[int]:
        if not self.kinds:
            return []
        # a step waiting on a lock (a settle holding the order's stream) gives up soon and
        # is tried again later, rather than queueing behind it (or deadlocking with it)
        self.db.execute("SET LOCAL lock_timeout = '500ms'")
        rows = self.db.query(
            "SELECT id FROM flows WHERE status = 'suspended' AND "
            "((pending::json) ->> 'kind') = ANY(%s) AND id > %s ORDER BY id LIMIT %s "
            "FOR UPDATE SKIP LOCKED",
            (self.kinds, after, limit),
            "cannot look for work",
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
