"""What the SQL flow stores share: the rows, the statements and the guarantees.

sqlite_store.py and pg_store.py keep the same tables -- a flow row, and one row per step
-- written in the caller's unit of work (db.py), so a step's flow row and log row commit
with the ledger append and the stock claim of the same step, or not at all. `SQLStore`
here does the work; a dialect gives its schema, how ids and version stamps are drawn
(`_INSERT`, `_NEXT_VERSION`, `_stamps`, `_retire`, `next_id`, `stamp`), its parameter mark
and its table lock (PostgreSQL keeps writers out of an export or import; SQLite's writers
are serialised by `BEGIN IMMEDIATE` already).

- `insert` is one statement (`INSERT ... ON CONFLICT DO NOTHING RETURNING id, version`):
  a flow key is a UNIQUE column, so of two workers starting the flow of one order only
  one row is written, and the other gets FlowKeyTakenError naming the holder -- with
  nothing written, so its transaction can go on (and the host returns that flow);
- `update` names the version it read (`UPDATE ... WHERE id = ? AND version = ?`), so when
  two processes resume the same flow only the first commit wins and the other gets
  FlowConflictError with nothing changed. It sets `status` and `due` only when they
  change from the record this transaction read at that version, so a step that stays
  suspended does not rewrite their index entries (one WAL page a commit);
- what a unit of work read or wrote of a flow is kept in `db.cache` until it ends (or a
  savepoint rolls back): a step reads the flow row once, and a record it has just
  written is never read back. Inside SQLite's write transaction that is the current row;
  under PostgreSQL's READ COMMITTED a kept row may be older than the latest commit, which
  the version-checked update of the same step turns into a conflict, as a re-read would.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any

from . import rows as _rows
from .data import dumps, from_json, loads, to_json
from .db import SQLDatabase, StoreError
from .errors import FlowConflictError, NoSuchFlowError
from .records import SUSPENDED, FlowRecord, Pending, Step, restamp
from .store import FlowKeyTakenError, FlowStore, PageQuery, check_replacement, page_where

COLUMNS = (
    'id, flow, args, status, pending, result, error, "where", source_hash, version, nsteps, '
    "key, created, updated, due"
)
STEP_COLUMNS = "flow_id, step, kind, payload, value, event"


def tables(bigint: str, real: str, unique_key: bool) -> list[str]:
    """The CREATE TABLE statements of flows and flow_steps in a dialect's types (its 64-bit
    integer and its double), the key UNIQUE in the table or (SQLite) in a partial index."""
    flows = (
        "CREATE TABLE flows (\n    "
        + ",\n    ".join(
            [
                f"id {bigint} PRIMARY KEY",
                "flow TEXT NOT NULL",
                "args TEXT NOT NULL",
                "status TEXT NOT NULL",
                "pending TEXT",
                "result TEXT",
                "error TEXT",
                '"where" TEXT',
                "source_hash TEXT NOT NULL",
                f"version {bigint} NOT NULL",
                "nsteps INTEGER NOT NULL",
                "key TEXT UNIQUE" if unique_key else "key TEXT",
                f"created {real} NOT NULL DEFAULT 0",
                f"updated {real} NOT NULL DEFAULT 0",
                f"due {real}",
            ]
        )
        + "\n)"
    )
    steps = (
        f"CREATE TABLE flow_steps (\n    flow_id {bigint} NOT NULL,\n    step INTEGER NOT NULL,"
        "\n    kind TEXT NOT NULL,\n    payload TEXT NOT NULL,\n    value TEXT NOT NULL,"
        "\n    event TEXT,\n    PRIMARY KEY (flow_id, step)\n)"
    )
    return [flows, steps]


def pending_text(p: Pending | None) -> str | None:
    """The pending request as stored: JSON text {kind, payload}."""
    if p is None:
        return None
    return json.dumps({"kind": p.kind, "payload": to_json(p.payload)})


def _pending(text: str | None) -> Pending | None:
    if text is None:
        return None
    d = json.loads(text)
    return Pending(d["kind"], from_json(d["payload"]))


def flow_row(rec: FlowRecord) -> tuple:
    """The flows row of a record, in COLUMNS order."""
    return (
        rec.id,
        rec.flow,
        dumps(rec.args),
        rec.status,
        pending_text(rec.pending),
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


def record_of(row: tuple) -> FlowRecord:
    """The record of a flows row (COLUMNS order); rows.record checks what this decodes."""
    return FlowRecord(
        row[0],
        row[1],
        loads(row[2]),
        row[3],
        _pending(row[4]),
        None if row[5] is None else loads(row[5]),
        row[6],
        row[7],
        row[8],
        row[9],
        row[10],
        row[11],
        row[12],
        row[13],
        row[14],
    )


@cache
def _update_sql(m: str, next_version: str, status: bool, due: bool) -> str:
    """The UPDATE of one flow row (in a dialect's parameter mark and version expression),
    setting `status` and `due` only when asked (see SQLStore.update)."""
    sets = [f"status={m}"] if status else []
    sets += [f"pending={m}", f"result={m}", f"error={m}", f'"where"={m}', f"source_hash={m}"]
    sets += [f"version={next_version}", f"nsteps=nsteps + {m}", f"updated={m}"]
    sets += [f"due={m}"] if due else []
    return (
        f"UPDATE flows SET {', '.join(sets)} WHERE id = {m} AND version = {m} "
        "RETURNING nsteps, key, created, version"
    )


@cache
def _steps_sql(m: str) -> str:
    return f"INSERT INTO flow_steps VALUES ({','.join([m] * 6)})"


def step_rows(flow_id: int, steps: Sequence[Step], first: int = 0) -> list[tuple]:
    """The flow_steps rows of steps numbered from `first`."""
    return [
        (flow_id, i, s.kind, dumps(s.payload), dumps(s.value), s.event)
        for i, s in enumerate(steps, first)
    ]


class SQLStore(FlowStore):
    """A flow store on an SQLDatabase; a dialect subclass fills in the hooks below."""

    db: SQLDatabase
    path: str
    M = "?"  # the driver's parameter mark
    NO_LIMIT: Any = -1  # what LIMIT takes for "no limit"
    _INSERT: str  # INSERT ... ON CONFLICT DO NOTHING RETURNING id, version (see _insert_args)
    _NEXT_VERSION: str  # the SQL expression of an updated row's new version

    # -- the dialect's hooks --------------------------------------------------------------
    def _insert_args(self, row: tuple) -> tuple:
        """The parameters of _INSERT for a flows row (its id and version are drawn)."""
        return row[1:9] + row[10:]

    @abstractmethod
    def _is_unique(self, e: BaseException) -> bool:
        """True for a driver error that is a UNIQUE (or primary key) violation."""

    def _insert_failed(self) -> None:
        """Raise the StoreError that explains an insert that failed (a damaged counter,
        no ids left), if there is one."""

    def _lock_flows(self) -> None:
        """Keep other writers out of the flow tables until this transaction ends."""

    def _query(self, sql: str, args: tuple | list = ()) -> list:
        return self.db.query(sql, args)

    @abstractmethod
    def _stamps(self, n: int) -> list[int]:
        """n new version stamps for an import (after _retire)."""

    def _retire(self) -> None:
        """Before every flow row is deleted: keep what ids and stamps must never repeat."""

    @abstractmethod
    def _set_next_id(self, top: int) -> None:
        """Make the next id at least `top` (never lower it)."""

    # -- the per-transaction cache --------------------------------------------------------
    def _remember(self, rec: FlowRecord) -> FlowRecord:
        if self.db._depth:
            cache = self.db.cache
            cache[("flow", rec.id)] = rec
            if rec.key is not None:
                cache[("flow-key", rec.key)] = rec.id
        return rec

    def _read(self, row: tuple) -> FlowRecord:
        return _rows.record(row, record_of, self.path)

    def _one(self, where: str, arg: object) -> FlowRecord | None:
        rows = self._query(f"SELECT {COLUMNS} FROM flows WHERE {where} = {self.M}", (arg,))
        return self._remember(self._read(rows[0])) if rows else None

    # -- the interface -------------------------------------------------------------------
    def insert(self, rec: FlowRecord, steps: list[Step]) -> FlowRecord:
        row = flow_row(rec)
        row = row[:10] + (len(steps),) + row[11:]
        errors = self.db.driver_errors
        try:
            with self.db.transaction(savepoint=False) as db:
                got = db.execute(self._INSERT, self._insert_args(row)).fetchone()
                if got is not None and steps:
                    db.executemany(
                        _steps_sql(self.M),
                        step_rows(got[0], steps),
                    )
        except errors as e:
            self._insert_failed()
            if self._is_unique(e):
                raise FlowConflictError(
                    f"{self.path}: another process stored the same flow key first; nothing "
                    "was stored"
                ) from e
            raise self.db.error(e, "cannot store the new flow") from e
        if got is None:  # nothing written: the key is held (or the id counter is damaged)
            held = self.get_by_key(rec.key) if rec.key is not None else None
            if held is not None:
                raise FlowKeyTakenError(rec.key, held.id)  # type: ignore[arg-type]
            self._insert_failed()
            raise StoreError(f"{self.path}: cannot store the new flow: no id was given")
        stored = FlowRecord(
            got[0],
            rec.flow,
            rec.args,
            rec.status,
            rec.pending,
            rec.result,
            rec.error,
            rec.where,
            rec.source_hash,
            got[1],
            len(steps),
            rec.key,
            rec.created,
            rec.updated,
            rec.due,
        )
        return self._remember(stored)

    def get(self, flow_id: int) -> FlowRecord | None:
        if self.db._depth:
            rec = self.db.cache.get(("flow", flow_id))
            if rec is not None:
                return rec
        return self._one("id", flow_id)

    def get_by_key(self, key: str) -> FlowRecord | None:
        if self.db._depth:
            flow_id = self.db.cache.get(("flow-key", key))
            if flow_id is not None:
                rec = self.db.cache.get(("flow", flow_id))
                if rec is not None and rec.key == key:
                    return rec
        return self._one("key", key)

    def steps(self, flow_id: int) -> list[Step]:
        m = self.M
        rows = self._query(
            f"SELECT {STEP_COLUMNS} FROM flow_steps WHERE flow_id = {m} ORDER BY step", (flow_id,)
        )
        if not rows and not self._query(f"SELECT 1 FROM flows WHERE id = {m}", (flow_id,)):
            raise NoSuchFlowError(f"no flow with id {flow_id}")
        return [_rows.step(r, self.path) for r in rows]

    def update(
        self,
        rec: FlowRecord,
        expected_version: int,
        step: Step | None = None,
        more: Sequence[Step] = (),
    ) -> FlowRecord:
        added = [step, *more] if step is not None else list(more)
        m = self.M
        # The indexed columns this update leaves as they are stay out of its SET list, so
        # their index entries are not rewritten (flows_by_status on a step that stays
        # suspended: one WAL page a commit). What the row holds now is known when this
        # transaction read or wrote the flow at the version named: the WHERE clause writes
        # only that state, and (id, version) never names two states.
        prev = self.db.cache.get(("flow", rec.id)) if self.db.in_transaction else None
        if prev is not None and prev.version == expected_version:
            same_status = prev.status == rec.status
            same_due = prev.due is rec.due or (
                type(prev.due) is type(rec.due) and prev.due == rec.due
            )
        else:
            same_status = same_due = False
        head = () if same_status else (rec.status,)
        tail = () if same_due else (rec.due,)
        try:
            with self.db.transaction(savepoint=False) as db:
                row = db.execute(
                    _update_sql(m, self._NEXT_VERSION, not same_status, not same_due),
                    (
                        *head,
                        pending_text(rec.pending),
                        None if rec.result is None else dumps(rec.result),
                        rec.error,
                        rec.where,
                        rec.source_hash,
                        len(added),
                        rec.updated,
                        *tail,
                        rec.id,
                        expected_version,
                    ),
                ).fetchone()
                if row is not None and added:
                    db.executemany(_steps_sql(m), step_rows(rec.id, added, row[0] - len(added)))
        except self.db.driver_errors as e:
            if self._is_unique(e):
                raise FlowConflictError(
                    f"flow {rec.id} was changed by another process; nothing was changed"
                ) from e
            raise self.db.error(e, f"cannot update flow {rec.id}") from e
        if row is None:  # nothing written
            now = self._query(f"SELECT version FROM flows WHERE id = {m}", (rec.id,))
            if not now:
                raise NoSuchFlowError(f"no flow with id {rec.id}")
            raise FlowConflictError(
                f"flow {rec.id} was changed by another process (version {now[0][0]}, "
                f"expected {expected_version}); nothing was changed"
            )
        return self._remember(restamp(rec, row[3], row[0], row[1], row[2]))

    @classmethod
    def due_query(cls) -> str:
        """The SQL `due` runs (parameters: now, the limit): only the due index's entries up
        to now are read, however many flows wait."""
        m = cls.M
        return (
            f"SELECT id, version FROM flows WHERE due IS NOT NULL AND due <= {m} "
            f"ORDER BY due, id LIMIT {m}"
        )

    def due(self, now: float, limit: int | None = None) -> list[tuple[int, int]]:
        rows = self.db.query(self.due_query(), (now, self.NO_LIMIT if limit is None else limit))
        return [(i, v) for i, v in rows]

    def ids(self, status: str | None = None) -> list[int]:
        if status is None:
            return [r[0] for r in self.db.query("SELECT id FROM flows ORDER BY id")]
        rows = self.db.query(f"SELECT id FROM flows WHERE status = {self.M} ORDER BY id", (status,))
        return [r[0] for r in rows]

    def find(self, flow: str, args: list) -> list[int]:
        m = self.M
        rows = self.db.query(
            f"SELECT id FROM flows WHERE flow = {m} AND args = {m} ORDER BY id", (flow, dumps(args))
        )
        return [r[0] for r in rows]

    def requests(self) -> list[tuple[int, Pending]]:
        rows = self._query(
            f"SELECT id, pending FROM flows WHERE status = {self.M} AND pending IS NOT NULL "
            "ORDER BY id",
            (SUSPENDED,),
        )
        return [(i, _rows.pending(p, self.path, i)) for i, p in rows]  # type: ignore[misc]

    def records(self) -> Iterator[FlowRecord]:
        for row in self._query(f"SELECT {COLUMNS} FROM flows ORDER BY id"):
            yield self._read(row)

    def _page(self, q: PageQuery) -> list[FlowRecord]:
        m = self.M
        where, args = page_where(m, q)
        sql = f"SELECT {COLUMNS} FROM flows WHERE {where} ORDER BY id LIMIT {m} OFFSET {m}"
        args += [self.NO_LIMIT if q.limit is None else q.limit, q.offset]
        return [self._read(r) for r in self._query(sql, args)]

    def everything(self) -> list[tuple[FlowRecord, list[Step]]]:
        with self.db.transaction():  # one snapshot: two queries, not one per flow
            self._locked("cannot export")
            recs = list(self.records())
            logs: dict[int, list[Step]] = {r.id: [] for r in recs}
            for row in self._query(f"SELECT {STEP_COLUMNS} FROM flow_steps ORDER BY flow_id, step"):
                logs.setdefault(row[0], []).append(_rows.step(row, self.path))
        return [(r, logs[r.id]) for r in recs]

    def _locked(self, doing: str) -> None:
        try:
            self._lock_flows()
        except self.db.driver_errors as e:
            raise self.db.error(e, doing) from e

    def replace_all(
        self, flows: Iterable[tuple[FlowRecord, list[Step]]], next_id: int
    ) -> list[FlowRecord]:
        flows = list(flows)
        check_replacement(flows, next_id, self.path)
        stored: list[FlowRecord] = []
        m = self.M
        try:
            with self.db.transaction(savepoint=False) as db:
                self._lock_flows()
                top = max(next_id, self.next_id())
                self._retire()
                db.execute("DELETE FROM flow_steps")
                db.execute("DELETE FROM flows")
                for (rec, steps), stamp in zip(flows, self._stamps(len(flows))):
                    stored.append(restamp(rec, stamp, len(steps), rec.key, rec.created))
                    top = max(top, rec.id + 1)
                db.executemany(
                    f"INSERT INTO flows ({COLUMNS}) VALUES ({','.join([m] * 15)})",
                    [flow_row(r) for r in stored],
                )
                db.executemany(
                    f"INSERT INTO flow_steps VALUES ({','.join([m] * 6)})",
                    [row for rec, steps in flows for row in step_rows(rec.id, steps)],
                )
                self._set_next_id(top)
                db.cache.clear()
        except self.db.driver_errors as e:
            if self._is_unique(e):
                raise FlowConflictError(f"{self.path}: cannot import: {e}") from e
            raise self.db.error(e, "cannot import") from e
        return sorted(stored, key=lambda r: r.id)

    def clear(self) -> None:
        try:
            with self.db.transaction(savepoint=False) as db:
                self._lock_flows()
                self._retire()
                db.execute("DELETE FROM flow_steps")
                db.execute("DELETE FROM flows")
                db.cache.clear()
        except self.db.driver_errors as e:
            raise self.db.error(e, "cannot clear") from e

    def close(self) -> None:
        self.db.close()


__all__ = ["SQLStore"]
