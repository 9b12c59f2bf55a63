"""The SQLite flow store: tables `flow_*` in a database it may share (db.py).

A process killed at any moment leaves each flow as it was before or after a step, never
between: the flow row and its new step row are written in one transaction -- the
caller's unit of work when there is one (the ledger append and the stock claim of the
same step commit with it), else one of the store's own. An update names the version it
read (`UPDATE ... WHERE version = ?`; versions are stamps unique in the store, see
store.py), so when two processes resume the same flow only the first commit wins and the
other gets FlowConflictError. A flow key is a UNIQUE column: two workers starting the
flow of one order cannot both succeed. Steps live in their own table, so opening a store
reads nothing until a flow is touched, and appending a step writes one row however long
the log is.

Schema 3 (schema 1 and 2 files are migrated on open, 1 via 2): schema 2 gave flows `key`,
`created`, `updated`; schema 3 gives flows `due` (when the pending request times out; a
partial index `flows_by_due` holds only the flows that have one, so `due()` reads the
flows due and nothing else) and steps `event` (timeout, cancel or NULL for an answer).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from . import rows as _rows
from . import sqlite_export
from .data import dumps, from_json, loads, to_json
from .db import SQLiteDatabase, StoreError
from .errors import FlowConflictError, NoSuchFlowError
from .records import SUSPENDED, FlowRecord, Pending, Step
from .store import FlowKeyTakenError, FlowStore, check_replacement, page_where

SCHEMA_VERSION = "3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS flow_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS flows (
    id INTEGER PRIMARY KEY,
    flow TEXT NOT NULL,
    args TEXT NOT NULL,
    status TEXT NOT NULL,
    pending TEXT,
    result TEXT,
    error TEXT,
    "where" TEXT,
    source_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    nsteps INTEGER NOT NULL,
    key TEXT,
    created REAL NOT NULL DEFAULT 0,
    updated REAL NOT NULL DEFAULT 0,
    due REAL
);
CREATE INDEX IF NOT EXISTS flows_by_status ON flows (status, id);
CREATE INDEX IF NOT EXISTS flows_by_args ON flows (flow, args);
CREATE TABLE IF NOT EXISTS flow_steps (
    flow_id INTEGER NOT NULL,
    step INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    value TEXT NOT NULL,
    event TEXT,
    PRIMARY KEY (flow_id, step)
) WITHOUT ROWID;
"""

_MIGRATE_1_TO_2 = [
    "ALTER TABLE flows ADD COLUMN key TEXT",
    "ALTER TABLE flows ADD COLUMN created REAL NOT NULL DEFAULT 0",
    "ALTER TABLE flows ADD COLUMN updated REAL NOT NULL DEFAULT 0",
]
_MIGRATE_2_TO_3 = [
    "ALTER TABLE flows ADD COLUMN due REAL",
    "ALTER TABLE flow_steps ADD COLUMN event TEXT",
]
DUE_INDEX = "CREATE INDEX IF NOT EXISTS flows_by_due ON flows (due) WHERE due IS NOT NULL"

_COLUMNS = (
    'id, flow, args, status, pending, result, error, "where", source_hash, version, nsteps, '
    "key, created, updated, due"
)
_MARKS = ",".join("?" * 15)

# The flows due: only the partial index's entries up to `now` are read (EXPLAIN QUERY PLAN:
# SEARCH flows USING INDEX flows_by_due (due<?)); a due flow is always suspended.
DUE_QUERY = (
    "SELECT id, version FROM flows WHERE due IS NOT NULL AND due <= ? ORDER BY due, id LIMIT ?"
)

__all__ = ["SQLiteStore", "StoreError"]


def _pending_text(p: Pending | None) -> str | None:
    if p is None:
        return None
    return json.dumps({"kind": p.kind, "payload": to_json(p.payload)})


def _pending(text: str | None) -> Pending | None:
    if text is None:
        return None
    d = json.loads(text)
    return Pending(d["kind"], from_json(d["payload"]))


def _row(rec: FlowRecord) -> tuple:
    return (
        rec.id,
        rec.flow,
        dumps(rec.args),
        rec.status,
        _pending_text(rec.pending),
        None if rec.result is None else dumps(rec.result),
        rec.error,
        rec.where,
        rec.source_hash,
        rec.version,
        rec.nsteps,
        rec.key,
        rec.created,
        rec.updated,
        rec.due,
    )


def _record(row: tuple) -> FlowRecord:
    return FlowRecord(
        id=row[0],
        flow=row[1],
        args=loads(row[2]),
        status=row[3],
        pending=_pending(row[4]),
        result=None if row[5] is None else loads(row[5]),
        error=row[6],
        where=row[7],
        source_hash=row[8],
        version=row[9],
        nsteps=row[10],
        key=row[11],
        created=row[12],
        updated=row[13],
        due=row[14],
    )


def _step_rows(flow_id: int, steps: list[Step], first: int = 0) -> list[tuple]:
    return [
        (flow_id, i, s.kind, dumps(s.payload), dumps(s.value), s.event)
        for i, s in enumerate(steps, first)
    ]


class SQLiteStore(FlowStore):
    """Flows in an SQLite database: a file path (opened here) or a shared SQLiteDatabase."""

    def __init__(self, target: str | Path | SQLiteDatabase, timeout: float = 30.0) -> None:
        self.db = target if isinstance(target, SQLiteDatabase) else SQLiteDatabase(target, timeout)
        self.path = self.db.path
        try:
            with self.db.transaction(savepoint=False) as db:
                self._check_tables(db)
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        db.execute(stmt)
                row = db.execute("SELECT value FROM flow_meta WHERE key = 'schema'").fetchone()
                if row is None:
                    db.execute(
                        "INSERT INTO flow_meta VALUES ('schema', ?), ('next_id', '1')",
                        (SCHEMA_VERSION,),
                    )
                elif row[0] in ("1", "2"):
                    for stmt in (_MIGRATE_1_TO_2 if row[0] == "1" else []) + _MIGRATE_2_TO_3:
                        db.execute(stmt)
                    db.execute(
                        "UPDATE flow_meta SET value = ? WHERE key = 'schema'", (SCHEMA_VERSION,)
                    )
                elif row[0] != SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.path}: flow store schema {row[0]}, this version reads "
                        f"{SCHEMA_VERSION}"
                    )
                db.execute(DUE_INDEX)
                db.execute(
                    "CREATE UNIQUE INDEX IF NOT EXISTS flows_by_key ON flows (key) "
                    "WHERE key IS NOT NULL"
                )
                db.execute(
                    "INSERT OR IGNORE INTO flow_meta VALUES ('store_id', ?)", (uuid.uuid4().hex,)
                )
                if db.execute("SELECT 1 FROM flow_meta WHERE key = 'next_version'").fetchone():
                    pass
                else:  # a store written before stamps: start above every version it holds
                    db.execute(
                        "INSERT INTO flow_meta SELECT 'next_version', COALESCE(MAX(version), 0) "
                        "+ 1 FROM flows"
                    )
        except sqlite3.Error as e:
            raise self.db.error(e, "cannot open the flow store") from e

    def _check_tables(self, db: SQLiteDatabase) -> None:
        """An existing store (flow_meta holds its schema) must still have every table: one
        that is gone is an error, never a silent fresh start."""
        have = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "flow_meta" not in have:
            if have & {"flows", "flow_steps"}:
                raise StoreError(f"{self.path}: damaged flow store: table flow_meta is missing")
            return
        if db.execute("SELECT 1 FROM flow_meta WHERE key = 'schema'").fetchone() is None:
            return
        for table in ("flows", "flow_steps"):
            if table not in have:
                raise StoreError(
                    f"{self.path}: damaged flow store: table {table} is missing (the store "
                    "was created here before; restore it from a backup or an export)"
                )

    def _query(self, sql: str, args: tuple | list = ()) -> list:
        """db.query, with text that is not UTF-8 named by table, row and column."""
        try:
            return self.db.query(sql, args)
        except StoreError as e:
            column = _rows.bad_text(e.__cause__) if e.__cause__ is not None else None
            if column is None:
                raise
            table = sql.split(" FROM ", 1)[1].split()[0]
            keys = {"flows": "id", "flow_steps": "flow_id, step", "flow_meta": "key"}[table]
            raise _rows.find_bad_text(self.db.execute, self.path, table, column, keys) from None

    def _read(self, row: tuple) -> FlowRecord:
        return _rows.record(row, _record, self.path)

    def _fail(self, e: sqlite3.Error, doing: str) -> Exception:
        return self.db.error(e, doing)

    def _meta_bump(self, key: str, by: int = 1) -> int:
        """Advance a counter in flow_meta by `by`; returns its value before. Only a counter
        that is a whole number in range moves (a damaged one is a StoreError)."""
        row = self.db.execute(
            "UPDATE flow_meta SET value = CAST(value AS INTEGER) + ? WHERE key = ? "
            "AND CAST(CAST(value AS INTEGER) AS TEXT) = value "
            "AND CAST(value AS INTEGER) BETWEEN 0 AND 9223372036854775807 - ? "
            "RETURNING CAST(value AS INTEGER)",
            (by, key, by),
        ).fetchone()
        if row is None:
            self._meta(key)  # names the damage
            raise StoreError(f"{self.path}: no flow ids or version stamps left ({key})")
        return int(row[0]) - by

    # -- the interface -------------------------------------------------------------------
    def insert(self, rec: FlowRecord, steps: list[Step]) -> FlowRecord:
        try:
            with self.db.transaction(savepoint=False) as db:
                if rec.key is not None:
                    held = db.execute("SELECT id FROM flows WHERE key = ?", (rec.key,)).fetchone()
                    if held is not None:
                        raise FlowKeyTakenError(rec.key, held[0])
                new_id = self._meta_bump("next_id")
                rec = replace(
                    rec, id=new_id, nsteps=len(steps), version=self._meta_bump("next_version")
                )
                db.execute(f"INSERT INTO flows ({_COLUMNS}) VALUES ({_MARKS})", _row(rec))
                if steps:
                    db.executemany(
                        "INSERT INTO flow_steps VALUES (?, ?, ?, ?, ?, ?)",
                        _step_rows(new_id, steps),
                    )
                return rec
        except sqlite3.IntegrityError as e:
            raise FlowConflictError(
                f"{self.path}: another process stored the same flow key first; nothing was "
                f"stored ({e})"
            ) from e
        except sqlite3.Error as e:
            raise self._fail(e, "cannot store the new flow") from e

    def get(self, flow_id: int) -> FlowRecord | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM flows WHERE id = ?", (flow_id,))
        return self._read(rows[0]) if rows else None

    def get_by_key(self, key: str) -> FlowRecord | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM flows WHERE key = ?", (key,))
        return self._read(rows[0]) if rows else None

    def steps(self, flow_id: int) -> list[Step]:
        rows = self._query(
            "SELECT flow_id, step, kind, payload, value, event FROM flow_steps WHERE flow_id = ? "
            "ORDER BY step",
            (flow_id,),
        )
        if not rows and self.get(flow_id) is None:
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
            with self.db.transaction(savepoint=False) as db:
                version = self._meta_bump("next_version")
                cur = db.execute(
                    'UPDATE flows SET status=?, pending=?, result=?, error=?, "where"=?, '
                    "source_hash=?, version=?, nsteps=nsteps + ?, updated=?, due=? "
                    "WHERE id = ? AND version = ? RETURNING nsteps, key, created",
                    (
                        rec.status,
                        _pending_text(rec.pending),
                        None if rec.result is None else dumps(rec.result),
                        rec.error,
                        rec.where,
                        rec.source_hash,
                        version,
                        len(added),
                        rec.updated,
                        rec.due,
                        rec.id,
                        expected_version,
                    ),
                )
                row = cur.fetchone()
                if row is None:
                    now = db.execute("SELECT version FROM flows WHERE id = ?", (rec.id,)).fetchone()
                    if now is None:
                        raise NoSuchFlowError(f"no flow with id {rec.id}")
                    raise FlowConflictError(
                        f"flow {rec.id} was changed by another process (version {now[0]}, "
                        f"expected {expected_version}); nothing was changed"
                    )
                nsteps = row[0]
                if added:
                    db.executemany(
                        "INSERT INTO flow_steps VALUES (?, ?, ?, ?, ?, ?)",
                        _step_rows(rec.id, added, nsteps - len(added)),
                    )
                return replace(rec, nsteps=nsteps, version=version, key=row[1], created=row[2])
        except sqlite3.IntegrityError as e:
            raise FlowConflictError(
                f"flow {rec.id} was changed by another process; nothing was changed ({e})"
            ) from e
        except sqlite3.Error as e:
            raise self._fail(e, f"cannot update flow {rec.id}") from e

    def due(self, now: float, limit: int | None = None) -> list[tuple[int, int]]:
        rows = self.db.query(DUE_QUERY, (now, -1 if limit is None else limit))
        return [(i, v) for i, v in rows]

    def ids(self, status: str | None = None) -> list[int]:
        if status is None:
            return [r[0] for r in self.db.query("SELECT id FROM flows ORDER BY id")]
        return [
            r[0]
            for r in self.db.query("SELECT id FROM flows WHERE status = ? ORDER BY id", (status,))
        ]

    def find(self, flow: str, args: list) -> list[int]:
        rows = self.db.query(
            "SELECT id FROM flows WHERE flow = ? AND args = ? ORDER BY id", (flow, dumps(args))
        )
        return [r[0] for r in rows]

    def requests(self) -> list[tuple[int, Pending]]:
        rows = self._query(
            "SELECT id, pending FROM flows WHERE status = ? AND pending IS NOT NULL ORDER BY id",
            (SUSPENDED,),
        )
        return [(i, _rows.pending(p, self.path, i)) for i, p in rows]  # type: ignore[misc]

    def records(self) -> Iterator[FlowRecord]:
        for row in self._query(f"SELECT {_COLUMNS} FROM flows ORDER BY id"):
            yield self._read(row)

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
        where, args = page_where("?", status=status, flow=flow, key=key, since=since, after=after)
        sql = f"SELECT {_COLUMNS} FROM flows WHERE {where} ORDER BY id LIMIT ? OFFSET ?"
        args += [-1 if limit is None else limit, offset]  # LIMIT -1: no limit
        return [self._read(r) for r in self._query(sql, args)]

    def everything(self) -> list[tuple[FlowRecord, list[Step]]]:
        with self.db.transaction():  # one snapshot: two queries, not one per flow
            recs = list(self.records())
            logs: dict[int, list[Step]] = {r.id: [] for r in recs}
            for row in self._query(
                "SELECT flow_id, step, kind, payload, value, event FROM flow_steps "
                "ORDER BY flow_id, step"
            ):
                logs.setdefault(row[0], []).append(_rows.step(row, self.path))
        return [(r, logs[r.id]) for r in recs]

    def flow_texts(self, page: int = 1000) -> Iterator[str]:
        return sqlite_export.flow_texts(self._query, _COLUMNS, self.path, _record, page)

    def _meta(self, key: str) -> str:
        rows = self._query("SELECT value FROM flow_meta WHERE key = ?", (key,))
        if not rows:
            raise StoreError(f"{self.path}: damaged store: table flow_meta has no row {key!r}")
        value = rows[0][0]
        if key != "store_id" and not (
            type(value) is str and value.isdigit() and value.isascii() and len(value) <= 19
        ):
            raise _rows.damaged(
                self.path,
                "flow_meta",
                f"key={key!r}",
                "value",
                f"expected a whole number, got {value!r:.40}",
            )
        return value

    def next_id(self) -> int:
        return int(self._meta("next_id"))

    def stamp(self) -> int:
        return int(self._meta("next_version"))

    def store_id(self) -> str:
        return self._meta("store_id")

    def replace_all(
        self, flows: Iterable[tuple[FlowRecord, list[Step]]], next_id: int
    ) -> list[FlowRecord]:
        flows = list(flows)
        check_replacement(flows, next_id, self.path)
        stored: list[FlowRecord] = []
        try:
            with self.db.transaction(savepoint=False) as db:
                db.execute("DELETE FROM flow_steps")
                db.execute("DELETE FROM flows")
                top = max(next_id, self.next_id())
                stamp = self._meta_bump("next_version", len(flows))
                for n, (rec, steps) in enumerate(flows):
                    rec = replace(rec, nsteps=len(steps), version=stamp + n)
                    stored.append(rec)
                    top = max(top, rec.id + 1)
                db.executemany(
                    f"INSERT INTO flows ({_COLUMNS}) VALUES ({_MARKS})", [_row(r) for r in stored]
                )
                db.executemany(
                    "INSERT INTO flow_steps VALUES (?, ?, ?, ?, ?, ?)",
                    [row for rec, steps in flows for row in _step_rows(rec.id, steps)],
                )
                db.execute("UPDATE flow_meta SET value = ? WHERE key = 'next_id'", (str(top),))
        except sqlite3.IntegrityError as e:
            raise FlowConflictError(f"{self.path}: cannot import: {e}") from e
        except sqlite3.Error as e:
            raise self._fail(e, "cannot import") from e
        return sorted(stored, key=lambda r: r.id)

    def clear(self) -> None:
        try:
            with self.db.transaction(savepoint=False) as db:
                db.execute("DELETE FROM flow_steps")
                db.execute("DELETE FROM flows")
        except sqlite3.Error as e:
            raise self._fail(e, "cannot clear") from e

    def close(self) -> None:
        self.db.close()
