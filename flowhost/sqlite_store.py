"""The SQLite flow store (WAL): one transaction per insert, update, replace or clear.

A process killed at any moment leaves each flow as it was before or after a step, never
between: the flow row and its new step row are written in one transaction. An update
names the version it read (`UPDATE ... WHERE version = ?`; versions are stamps unique in
the store, see store.py), so when two processes resume
the same flow only the first commit wins and the other gets FlowConflictError. Steps
live in their own table, so opening a store reads nothing until a flow is touched, and
appending a step writes one row however long the log is.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from .data import dumps, from_json, loads, to_json
from .errors import FlowConflictError, FlowError, NoSuchFlowError
from .records import SUSPENDED, FlowRecord, Pending, Step
from .store import FlowStore

SCHEMA_VERSION = "1"

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
    nsteps INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS flows_by_status ON flows (status, id);
CREATE INDEX IF NOT EXISTS flows_by_args ON flows (flow, args);
CREATE TABLE IF NOT EXISTS flow_steps (
    flow_id INTEGER NOT NULL,
    step INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (flow_id, step)
) WITHOUT ROWID;
"""


class StoreError(FlowError):
    """The database could not be used (locked, corrupt, not a flow store...)."""


def _pending_text(p: Pending | None) -> str | None:
    if p is None:
        return None
    return json.dumps({"kind": p.kind, "payload": to_json(p.payload)})


def _pending(text: str | None) -> Pending | None:
    if text is None:
        return None
    d = json.loads(text)
    return Pending(d["kind"], from_json(d["payload"]))


class SQLiteStore(FlowStore):
    """Flows in an SQLite file (created on first use)."""

    def __init__(self, path: str | Path, timeout: float = 10.0) -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            with self._transaction():
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        self._db.execute(stmt)
                row = self._db.execute(
                    "SELECT value FROM flow_meta WHERE key = 'schema'"
                ).fetchone()
                if row is None:
                    self._db.execute(
                        "INSERT INTO flow_meta VALUES ('schema', ?), ('next_id', '1')",
                        (SCHEMA_VERSION,),
                    )
                elif row[0] != SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.path}: flow store schema {row[0]}, this version reads "
                        f"{SCHEMA_VERSION}"
                    )
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: cannot open the flow store: {e}") from e

    # -- transactions --------------------------------------------------------------------
    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, et: Any, e: Any, tb: Any) -> None:
            if et is None:
                self.db.execute("COMMIT")
            else:
                self.db.execute("ROLLBACK")

    def _transaction(self) -> _Tx:
        return self._Tx(self._db)

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: {e}") from e

    # -- rows ----------------------------------------------------------------------------
    @staticmethod
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
        )

    @staticmethod
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
        )

    _COLUMNS = (
        'id, flow, args, status, pending, result, error, "where", source_hash, version, nsteps'
    )

    @staticmethod
    def _stamps(db: sqlite3.Connection, count: int = 1) -> int:
        """Reserve `count` version stamps (unique in the store); returns the first."""
        row = db.execute("SELECT value FROM flow_meta WHERE key = 'next_version'").fetchone()
        if row is not None:
            first = int(row[0])
        else:  # a store written before stamps: start above every version it holds
            first = db.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM flows").fetchone()[0]
        db.execute(
            "INSERT OR REPLACE INTO flow_meta VALUES ('next_version', ?)", (str(first + count),)
        )
        return first

    # -- the interface -------------------------------------------------------------------
    def insert(self, rec: FlowRecord, steps: list[Step]) -> FlowRecord:
        try:
            with self._transaction() as db:
                new_id = int(
                    db.execute("SELECT value FROM flow_meta WHERE key = 'next_id'").fetchone()[0]
                )
                db.execute(
                    "UPDATE flow_meta SET value = ? WHERE key = 'next_id'", (str(new_id + 1),)
                )
                rec = replace(rec, id=new_id, nsteps=len(steps), version=self._stamps(db))
                db.execute(
                    f"INSERT INTO flows ({self._COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    self._row(rec),
                )
                db.executemany(
                    "INSERT INTO flow_steps VALUES (?, ?, ?, ?, ?)",
                    [
                        (new_id, i, s.kind, dumps(s.payload), dumps(s.value))
                        for i, s in enumerate(steps)
                    ],
                )
                return rec
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: cannot store the new flow: {e}") from e

    def get(self, flow_id: int) -> FlowRecord | None:
        rows = self._query(f"SELECT {self._COLUMNS} FROM flows WHERE id = ?", (flow_id,))
        return self._record(rows[0]) if rows else None

    def steps(self, flow_id: int) -> list[Step]:
        if self.get(flow_id) is None:
            raise NoSuchFlowError(f"no flow with id {flow_id}")
        rows = self._query(
            "SELECT kind, payload, value FROM flow_steps WHERE flow_id = ? ORDER BY step",
            (flow_id,),
        )
        return [Step(k, loads(p), loads(v)) for k, p, v in rows]

    def update(
        self, rec: FlowRecord, expected_version: int, step: Step | None = None
    ) -> FlowRecord:
        try:
            with self._transaction() as db:
                row = db.execute(
                    "SELECT version, nsteps FROM flows WHERE id = ?", (rec.id,)
                ).fetchone()
                if row is None:
                    raise NoSuchFlowError(f"no flow with id {rec.id}")
                if row[0] != expected_version:
                    raise FlowConflictError(
                        f"flow {rec.id} was changed by another process (version {row[0]}, "
                        f"expected {expected_version}); nothing was changed"
                    )
                nsteps = row[1]
                if step is not None:
                    db.execute(
                        "INSERT INTO flow_steps VALUES (?, ?, ?, ?, ?)",
                        (rec.id, nsteps, step.kind, dumps(step.payload), dumps(step.value)),
                    )
                    nsteps += 1
                stored = replace(rec, nsteps=nsteps, version=self._stamps(db))
                db.execute(
                    "UPDATE flows SET flow=?, args=?, status=?, pending=?, result=?, error=?, "
                    '"where"=?, source_hash=?, version=?, nsteps=? WHERE id = ? AND version = ?',
                    (*self._row(stored)[1:], rec.id, expected_version),
                )
                return stored
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: cannot update flow {rec.id}: {e}") from e

    def ids(self, status: str | None = None) -> list[int]:
        if status is None:
            return [r[0] for r in self._query("SELECT id FROM flows ORDER BY id")]
        return [
            r[0]
            for r in self._query("SELECT id FROM flows WHERE status = ? ORDER BY id", (status,))
        ]

    def find(self, flow: str, args: list) -> list[int]:
        rows = self._query(
            "SELECT id FROM flows WHERE flow = ? AND args = ? ORDER BY id", (flow, dumps(args))
        )
        return [r[0] for r in rows]

    def requests(self) -> list[tuple[int, Pending]]:
        rows = self._query(
            "SELECT id, pending FROM flows WHERE status = ? AND pending IS NOT NULL ORDER BY id",
            (SUSPENDED,),
        )
        return [(i, _pending(p)) for i, p in rows]  # type: ignore[misc]

    def records(self) -> Iterator[FlowRecord]:
        for row in self._query(f"SELECT {self._COLUMNS} FROM flows ORDER BY id"):
            yield self._record(row)

    def next_id(self) -> int:
        return int(self._query("SELECT value FROM flow_meta WHERE key = 'next_id'")[0][0])

    def replace_all(
        self, flows: Iterable[tuple[FlowRecord, list[Step]]], next_id: int
    ) -> list[FlowRecord]:
        flows = list(flows)
        stored: list[FlowRecord] = []
        try:
            with self._transaction() as db:
                db.execute("DELETE FROM flow_steps")
                db.execute("DELETE FROM flows")
                top = next_id
                stamp = self._stamps(db, len(flows))
                for n, (rec, steps) in enumerate(flows):
                    rec = replace(rec, nsteps=len(steps), version=stamp + n)
                    stored.append(rec)
                    db.execute(
                        f"INSERT INTO flows ({self._COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        self._row(rec),
                    )
                    db.executemany(
                        "INSERT INTO flow_steps VALUES (?, ?, ?, ?, ?)",
                        [
                            (rec.id, i, s.kind, dumps(s.payload), dumps(s.value))
                            for i, s in enumerate(steps)
                        ],
                    )
                    top = max(top, rec.id + 1)
                db.execute("UPDATE flow_meta SET value = ? WHERE key = 'next_id'", (str(top),))
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: cannot import: {e}") from e
        return sorted(stored, key=lambda r: r.id)

    def clear(self) -> None:
        try:
            with self._transaction() as db:
                db.execute("DELETE FROM flow_steps")
                db.execute("DELETE FROM flows")
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: cannot clear: {e}") from e

    def close(self) -> None:
        self._db.close()
