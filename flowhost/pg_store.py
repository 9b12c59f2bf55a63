"""The PostgreSQL flow store: the SQLite store's tables and guarantees on a server (pg.py).

Same rows as sqlite_store.py (a flow row and one row per step, written in the caller's
unit of work) and the same statements (sql_store.py), with what a server with many
writers needs:

- ids and version stamps come from sequences (`flow_ids`, `flow_versions`): never given
  back, not even by a rollback or an import (an import only ever raises `flow_ids`), and
  writers do not queue on a counter row. A stamp consumed by a transaction that rolled
  back is skipped, so `stamp()` may grow without a visible change: an import of an export
  taken before such a rollback is refused as stale -- conservative, never wrong;
- `update` names the version it read (`UPDATE ... WHERE id = %s AND version = %s`, which
  PostgreSQL re-checks on the latest committed row under the row lock it then holds to
  commit): whatever a step decided from its read of the flow (the pending kind, its
  handler's writes in the same transaction) commits only if the flow is still in that
  state; otherwise FlowConflictError and the whole step rolls back. A read is not
  `SELECT ... FOR UPDATE`: that would take the flow row before the ledger's stream lock in
  a handler step (fulfil: flow, then stream) but after it in a settle (stream, then flow),
  and the race suite showed those deadlocking. Without it every step locks stream, then
  flow row (then stock rows): one order, no deadlock;
- a flow key is a UNIQUE column; of two concurrent inserts the second waits for the
  first to commit, writes nothing (ON CONFLICT DO NOTHING) and gets FlowKeyTakenError
  naming the winner, with the caller's transaction still usable;
- an export, a stamp check and an import lock the flows table against writers (SHARE ROW
  EXCLUSIVE) for the rest of the transaction, so export -> reset -> import in one
  transaction is atomic against other workers, and readers are never blocked.

Schema: component `flowhost` version 2 in `schema_versions` (pg.py); version 1 databases
are migrated on open (flows gain `due` with the partial index `flows_by_due`, steps gain
`event`), as the SQLite store's schema 3.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from . import rows as _rows
from .db import StoreError
from .pg import PostgresDatabase, driver_error_types, is_unique_violation, open_schema
from .sql_store import COLUMNS, SQLStore, record_of, tables

SCHEMA_VERSION = 2

_FLOWS, _STEPS = tables("BIGINT", "DOUBLE PRECISION", unique_key=True)
_SCHEMA = [
    "CREATE TABLE flow_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE SEQUENCE flow_ids",
    "CREATE SEQUENCE flow_versions",
    _FLOWS,
    "CREATE INDEX flows_by_due ON flows (due, id) WHERE due IS NOT NULL",
    "CREATE INDEX flows_by_status ON flows (status, id)",
    "CREATE INDEX flows_by_args ON flows (flow, args)",
    _STEPS,
]
_MIGRATE = {
    1: [
        "ALTER TABLE flows ADD COLUMN due DOUBLE PRECISION",
        "ALTER TABLE flow_steps ADD COLUMN event TEXT",
        "CREATE INDEX flows_by_due ON flows (due, id) WHERE due IS NOT NULL",
    ]
}

_MARKS8, _MARKS5 = ",".join(["%s"] * 8), ",".join(["%s"] * 5)
_NEXT = "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {}"
# The id and version are drawn inside the INSERT, under its table lock: an import (which
# locks the table and moves the sequence) cannot come between.
_INSERT = (
    f"INSERT INTO flows ({COLUMNS}) VALUES (nextval('flow_ids'), {_MARKS8}, "
    f"nextval('flow_versions'), {_MARKS5}) ON CONFLICT DO NOTHING RETURNING id, version"
)


class PostgresStore(SQLStore):
    """Flows in a PostgreSQL database: a URL (connected here) or a shared PostgresDatabase."""

    db: PostgresDatabase
    M = "%s"
    NO_LIMIT = None  # LIMIT NULL: no limit
    _INSERT = _INSERT
    _NEXT_VERSION = "nextval('flow_versions')"

    def __init__(self, target: str | PostgresDatabase, timeout: float = 30.0) -> None:
        self.db = target if isinstance(target, PostgresDatabase) else PostgresDatabase(target)
        self.path = self.db.name
        open_schema(self.db, "flowhost", SCHEMA_VERSION, _SCHEMA, "flow store", _MIGRATE)
        try:
            with self.db.transaction() as db:
                for table in ("flow_meta", "flows", "flow_steps"):  # created with the schema
                    if db.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
                        raise StoreError(
                            f"{self.path}: damaged flow store: table {table} is missing (the "
                            "schema was created here before; restore it from a backup)"
                        )
                db.execute(
                    "INSERT INTO flow_meta VALUES ('store_id', %s) ON CONFLICT DO NOTHING",
                    (uuid.uuid4().hex,),
                )
        except driver_error_types() as e:
            raise self.db.error(e, "cannot open the flow store") from e

    # -- the dialect's hooks --------------------------------------------------------------
    def _lock_flows(self) -> None:
        self.db.execute("LOCK TABLE flows, flow_steps IN SHARE ROW EXCLUSIVE MODE")

    def _is_unique(self, e: BaseException) -> bool:
        return is_unique_violation(e)

    def _stamps(self, n: int) -> list[int]:
        rows = self.db.execute(
            "SELECT nextval('flow_versions') FROM generate_series(1, %s)", (n,)
        ).fetchall()
        return [r[0] for r in rows]

    def _set_next_id(self, top: int) -> None:
        self.db.execute(  # never lower: GREATEST with what the sequence would give next
            f"SELECT setval('flow_ids', GREATEST(%s, ({_NEXT.format('flow_ids')})), false)",
            (top,),
        )

    # -- what only this dialect does ------------------------------------------------------
    def flow_texts(self, page: int = 1000) -> Iterator[str]:
        if self.db.in_transaction:  # pages are separate statements: keep writers out
            self._locked("cannot export")
        return _rows.flow_texts(self.db.query, COLUMNS, "%s", self.path, record_of, page)

    def next_id(self) -> int:
        return int(self.db.query(_NEXT.format("flow_ids"))[0][0])

    def stamp(self) -> int:
        if self.db.in_transaction:  # a stamp checked before an import must stay true
            self._locked("cannot read the store's stamp")
        return int(self.db.query(_NEXT.format("flow_versions"))[0][0])

    def store_id(self) -> str:
        return self.db.query("SELECT value FROM flow_meta WHERE key = 'store_id'")[0][0]
