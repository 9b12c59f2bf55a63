"""The PostgreSQL flow store: the SQLite store's tables and guarantees on a server (pg.py).

Same rows as sqlite_store.py (a flow row and one row per step, written in the caller's
unit of work), with what a server with many writers needs:

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
- a flow key is a UNIQUE column; the loser of two concurrent inserts gets
  FlowConflictError (its savepoint undone, the caller's transaction still usable);
- an export, a stamp check and an import lock the flows table against writers (SHARE ROW
  EXCLUSIVE) for the rest of the transaction, so export -> reset -> import in one
  transaction is atomic against other workers, and readers are never blocked.

Schema: component `flowhost` version 2 in `schema_versions` (pg.py); version 1 databases
are migrated on open (flows gain `due` with the partial index `flows_by_due`, steps gain
`event`), as the SQLite store's schema 3.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from . import rows as _rows
from .data import dumps
from .db import StoreError
from .errors import FlowConflictError, NoSuchFlowError
from .pg import PostgresDatabase, driver_error_types, is_unique_violation, open_schema
from .records import SUSPENDED, FlowRecord, Pending, Step
from .sqlite_store import _pending_text, _record, _row, _step_rows
from .store import FlowKeyTakenError, FlowStore, check_replacement, page_where

SCHEMA_VERSION = 2

_SCHEMA = [
    "CREATE TABLE flow_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE SEQUENCE flow_ids",
    "CREATE SEQUENCE flow_versions",
    """CREATE TABLE flows (
        id BIGINT PRIMARY KEY,
        flow TEXT NOT NULL,
        args TEXT NOT NULL,
        status TEXT NOT NULL,
        pending TEXT,
        result TEXT,
        error TEXT,
        "where" TEXT,
        source_hash TEXT NOT NULL,
        version BIGINT NOT NULL,
        nsteps INTEGER NOT NULL,
        key TEXT UNIQUE,
        created DOUBLE PRECISION NOT NULL DEFAULT 0,
        updated DOUBLE PRECISION NOT NULL DEFAULT 0,
        due DOUBLE PRECISION
    )""",
    "CREATE INDEX flows_by_due ON flows (due, id) WHERE due IS NOT NULL",
    "CREATE INDEX flows_by_status ON flows (status, id)",
    "CREATE INDEX flows_by_args ON flows (flow, args)",
    """CREATE TABLE flow_steps (
        flow_id BIGINT NOT NULL,
        step INTEGER NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        value TEXT NOT NULL,
        event TEXT,
        PRIMARY KEY (flow_id, step)
    )""",
]
_MIGRATE = {
    1: [
        "ALTER TABLE flows ADD COLUMN due DOUBLE PRECISION",
        "ALTER TABLE flow_steps ADD COLUMN event TEXT",
        "CREATE INDEX flows_by_due ON flows (due, id) WHERE due IS NOT NULL",
    ]
}

_COLUMNS = (
    'id, flow, args, status, pending, result, error, "where", source_hash, version, nsteps, '
    "key, created, updated, due"
)
_MARKS = ",".join(["%s"] * 15)
_MARKS8, _MARKS5 = ",".join(["%s"] * 8), ",".join(["%s"] * 5)
_STEP = "INSERT INTO flow_steps VALUES (%s, %s, %s, %s, %s, %s)"
_NEXT = "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {}"


class PostgresStore(FlowStore):
    """Flows in a PostgreSQL database: a URL (connected here) or a shared PostgresDatabase."""

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

    def _lock_flows(self) -> None:
        """Keep writers out of the flows table until this transaction ends."""
        self.db.execute("LOCK TABLE flows, flow_steps IN SHARE ROW EXCLUSIVE MODE")

    # -- the interface -------------------------------------------------------------------
    def insert(self, rec: FlowRecord, steps: list[Step]) -> FlowRecord:
        try:
            with self.db.transaction() as db:
                if rec.key is not None:
                    held = db.execute("SELECT id FROM flows WHERE key = %s", (rec.key,)).fetchone()
                    if held is not None:
                        raise FlowKeyTakenError(rec.key, held[0])
                # the id is drawn inside the INSERT, under its table lock: an import
                # (which locks the table and moves the sequence) cannot come between
                row = _row(replace(rec, nsteps=len(steps)))
                new_id, version = db.execute(
                    f"INSERT INTO flows ({_COLUMNS}) VALUES (nextval('flow_ids'), {_MARKS8}, "
                    f"nextval('flow_versions'), {_MARKS5}) RETURNING id, version",
                    row[1:9] + row[10:],
                ).fetchone()
                rec = replace(rec, id=new_id, nsteps=len(steps), version=version)
                if steps:
                    db.executemany(
                        _STEP,
                        _step_rows(new_id, steps),
                    )
                return rec
        except driver_error_types() as e:
            if is_unique_violation(e):
                raise FlowConflictError(
                    f"{self.path}: another process stored the same flow key first; nothing "
                    "was stored"
                ) from e
            raise self.db.error(e, "cannot store the new flow") from e

    def _one(self, where: str, arg: object) -> FlowRecord | None:
        # No FOR UPDATE here, deliberately (see the module docstring): the version-guarded
        # UPDATE of the same step is the re-read that decides.
        rows = self.db.query(f"SELECT {_COLUMNS} FROM flows WHERE {where} = %s", (arg,))
        return _rows.record(rows[0], _record, self.path) if rows else None

    def get(self, flow_id: int) -> FlowRecord | None:
        return self._one("id", flow_id)

    def get_by_key(self, key: str) -> FlowRecord | None:
        return self._one("key", key)

    def steps(self, flow_id: int) -> list[Step]:
        rows = self.db.query(
            "SELECT flow_id, step, kind, payload, value, event FROM flow_steps WHERE flow_id = %s "
            "ORDER BY step",
            (flow_id,),
        )
        if not rows and not self.db.query("SELECT 1 FROM flows WHERE id = %s", (flow_id,)):
            raise NoSuchFlowError(f"no flow with id {flow_id}")
        return [_rows.step(r, self.path) for r in rows]

    def update(
        self,
        rec: FlowRecord,
        expected_version: int,
        step: Step | None = None,
        more: Sequence[Step] = (),
    ) -> FlowRecord:
        added = ([] if step is None else [step]) + list(more)
        try:
            with self.db.transaction() as db:
                row = db.execute(
                    'UPDATE flows SET status=%s, pending=%s, result=%s, error=%s, "where"=%s, '
                    "source_hash=%s, version=nextval('flow_versions'), nsteps=nsteps + %s, "
                    "updated=%s, due=%s WHERE id = %s AND version = %s "
                    "RETURNING nsteps, key, created, version",
                    (
                        rec.status,
                        _pending_text(rec.pending),
                        None if rec.result is None else dumps(rec.result),
                        rec.error,
                        rec.where,
                        rec.source_hash,
                        len(added),
                        rec.updated,
                        rec.due,
                        rec.id,
                        expected_version,
                    ),
                ).fetchone()
                if row is None:
                    now = db.execute(
                        "SELECT version FROM flows WHERE id = %s", (rec.id,)
                    ).fetchone()
                    if now is None:
                        raise NoSuchFlowError(f"no flow with id {rec.id}")
                    raise FlowConflictError(
                        f"flow {rec.id} was changed by another process (version {now[0]}, "
                        f"expected {expected_version}); nothing was changed"
                    )
                nsteps = row[0]
                if added:
                    db.executemany(_STEP, _step_rows(rec.id, added, nsteps - len(added)))
                return replace(rec, nsteps=nsteps, version=row[3], key=row[1], created=row[2])
        except driver_error_types() as e:
            if is_unique_violation(e):
                raise FlowConflictError(
                    f"flow {rec.id} was changed by another process; nothing was changed"
                ) from e
            raise self.db.error(e, f"cannot update flow {rec.id}") from e

    def due(self, now: float, limit: int | None = None) -> list[tuple[int, int]]:
        rows = self.db.query(
            "SELECT id, version FROM flows WHERE due IS NOT NULL AND due <= %s "
            "ORDER BY due, id LIMIT %s",
            (now, limit),
        )
        return [(i, v) for i, v in rows]

    def ids(self, status: str | None = None) -> list[int]:
        if status is None:
            return [r[0] for r in self.db.query("SELECT id FROM flows ORDER BY id")]
        rows = self.db.query("SELECT id FROM flows WHERE status = %s ORDER BY id", (status,))
        return [r[0] for r in rows]

    def find(self, flow: str, args: list) -> list[int]:
        rows = self.db.query(
            "SELECT id FROM flows WHERE flow = %s AND args = %s ORDER BY id", (flow, dumps(args))
        )
        return [r[0] for r in rows]

    def requests(self) -> list[tuple[int, Pending]]:
        rows = self.db.query(
            "SELECT id, pending FROM flows WHERE status = %s AND pending IS NOT NULL ORDER BY id",
            (SUSPENDED,),
        )
        return [(i, _rows.pending(p, self.path, i)) for i, p in rows]  # type: ignore[misc]

    def records(self) -> Iterator[FlowRecord]:
        for row in self.db.query(f"SELECT {_COLUMNS} FROM flows ORDER BY id"):
            yield _rows.record(row, _record, self.path)

    def page(
        self,
        *,
        status: str | None = None,
        flow: str | None = None,
        key: str | None = None,
        since: float | None = None,
        after: int = 0,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[FlowRecord]:
        where, args = page_where("%s", status=status, flow=flow, key=key, since=since, after=after)
        sql = f"SELECT {_COLUMNS} FROM flows WHERE {where} ORDER BY id LIMIT %s OFFSET %s"
        args += [limit, offset]  # LIMIT NULL: no limit
        return [_rows.record(r, _record, self.path) for r in self.db.query(sql, args)]

    def everything(self) -> list[tuple[FlowRecord, list[Step]]]:
        with self.db.transaction():  # one consistent read: writers wait until it ends
            try:
                self._lock_flows()
            except driver_error_types() as e:
                raise self.db.error(e, "cannot export") from e
            recs = list(self.records())
            logs: dict[int, list[Step]] = {r.id: [] for r in recs}
            for row in self.db.query(
                "SELECT flow_id, step, kind, payload, value, event FROM flow_steps "
                "ORDER BY flow_id, step"
            ):
                logs.setdefault(row[0], []).append(_rows.step(row, self.path))
        return [(r, logs[r.id]) for r in recs]

    def flow_texts(self, page: int = 1000) -> Iterator[str]:
        if self.db.in_transaction:  # pages are separate statements: keep writers out
            try:
                self._lock_flows()
            except driver_error_types() as e:
                raise self.db.error(e, "cannot export") from e
        return _rows.flow_texts(self.db.query, _COLUMNS, "%s", self.path, _record, page)

    def next_id(self) -> int:
        return int(self.db.query(_NEXT.format("flow_ids"))[0][0])

    def stamp(self) -> int:
        if self.db.in_transaction:  # a stamp checked before an import must stay true
            try:
                self._lock_flows()
            except driver_error_types() as e:
                raise self.db.error(e, "cannot read the store's stamp") from e
        return int(self.db.query(_NEXT.format("flow_versions"))[0][0])

    def store_id(self) -> str:
        return self.db.query("SELECT value FROM flow_meta WHERE key = 'store_id'")[0][0]

    def replace_all(
        self, flows: Iterable[tuple[FlowRecord, list[Step]]], next_id: int
    ) -> list[FlowRecord]:
        flows = list(flows)
        check_replacement(flows, next_id, self.path)
        stored: list[FlowRecord] = []
        try:
            with self.db.transaction() as db:
                self._lock_flows()
                db.execute("DELETE FROM flow_steps")
                db.execute("DELETE FROM flows")
                top = max(next_id, self.next_id())
                stamps = [
                    r[0]
                    for r in db.execute(
                        "SELECT nextval('flow_versions') FROM generate_series(1, %s)",
                        (len(flows),),
                    ).fetchall()
                ]
                for (rec, steps), stamp in zip(flows, stamps):
                    rec = replace(rec, nsteps=len(steps), version=stamp)
                    stored.append(rec)
                    top = max(top, rec.id + 1)
                db.executemany(
                    f"INSERT INTO flows ({_COLUMNS}) VALUES ({_MARKS})", [_row(r) for r in stored]
                )
                db.executemany(
                    _STEP,
                    [row for rec, steps in flows for row in _step_rows(rec.id, steps)],
                )
                db.execute(  # never lower: GREATEST with what the sequence would give next
                    f"SELECT setval('flow_ids', GREATEST(%s, ({_NEXT.format('flow_ids')})), false)",
                    (top,),
                )
        except driver_error_types() as e:
            if is_unique_violation(e):
                raise FlowConflictError(f"{self.path}: cannot import: {e}") from e
            raise self.db.error(e, "cannot import") from e
        return sorted(stored, key=lambda r: r.id)

    def clear(self) -> None:
        try:
            with self.db.transaction() as db:
                self._lock_flows()
                db.execute("DELETE FROM flow_steps")
                db.execute("DELETE FROM flows")
        except driver_error_types() as e:
            raise self.db.error(e, "cannot clear") from e

    def close(self) -> None:
        self.db.close()
