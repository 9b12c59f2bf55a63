"""The SQLite flow store: tables `flow_*` in a database it may share (db.py).

A process killed at any moment leaves each flow as it was before or after a step, never
between: the flow row and its new step row are written in one transaction -- the
caller's unit of work when there is one (the ledger append and the stock claim of the
same step commit with it), else one of the store's own. The statements and guarantees
are sql_store.py's (shared with PostgreSQL); this module is SQLite's schema and how it
draws ids and version stamps without a counter row that every write updates:

- an id is the larger of the `next_id` floor in `flow_meta` and the largest id + 1, drawn
  inside the INSERT (writers are serialised by `BEGIN IMMEDIATE`). The floor moves only
  when rows are deleted (a clear, an import), so ids are never reused, whatever an import
  brings;
- a version counts one flow's writes (1 when inserted, + 1 at each update). An import
  gives its flows the version `next_version`, a floor above every version any flow ever
  had (raised past them whenever rows are deleted, and by one at each import), so
  (id, version) never names two states of a flow -- what a host's kept continuation
  relies on;
- `stamp()`, which an export records and an import into the same store compares, is
  `stamp_base` + the sum of every flow's version: each insert, update or import raises
  it, and a clear leaves it where it was (the base takes up what the deleted rows held).
  The two floors are apart so that an export -> import cycle adds to the stamp, never
  multiplies it (one cell for both overflowed after a few cycles).

Schema 4 (schema 1, 2 and 3 files are migrated on open): schema 2 gave flows `key`,
`created`, `updated`; schema 3 gives flows `due` (when the pending request times out; a
partial index `flows_by_due` holds only the flows that have one, so `due()` reads the
flows due and nothing else) and steps `event` (timeout, cancel or NULL for an answer);
schema 4 reads `next_id` and `next_version` as the floors above (the schema 3 counters
are valid floors, so the migration changes no row; a program reading schema 3 would take
them for counters, hence the new number).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

from . import rows as _rows
from . import sqlite_export
from .db import SQLiteDatabase, StoreError
from .sql_store import COLUMNS as _COLUMNS
from .sql_store import SQLStore, record_of, tables
from .store import MAX_ID

SCHEMA_VERSION = "4"

_FLOWS, _STEPS = (
    t.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS")
    for t in tables("INTEGER", "REAL", unique_key=False)
)
_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS flow_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    _FLOWS,
    "CREATE INDEX IF NOT EXISTS flows_by_status ON flows (status, id)",
    "CREATE INDEX IF NOT EXISTS flows_by_args ON flows (flow, args)",
    _STEPS + " WITHOUT ROWID",
]

_MIGRATE_1_TO_2 = [
    "ALTER TABLE flows ADD COLUMN key TEXT",
    "ALTER TABLE flows ADD COLUMN created REAL NOT NULL DEFAULT 0",
    "ALTER TABLE flows ADD COLUMN updated REAL NOT NULL DEFAULT 0",
]
_MIGRATE_2_TO_3 = [
    "ALTER TABLE flows ADD COLUMN due REAL",
    "ALTER TABLE flow_steps ADD COLUMN event TEXT",
]
_MIGRATE = {"1": _MIGRATE_1_TO_2 + _MIGRATE_2_TO_3, "2": _MIGRATE_2_TO_3, "3": []}
DUE_INDEX = "CREATE INDEX IF NOT EXISTS flows_by_due ON flows (due) WHERE due IS NOT NULL"

# The flows due: only the partial index's entries up to `now` are read (EXPLAIN QUERY PLAN:
# SEARCH flows USING INDEX flows_by_due (due<?)); a due flow is always suspended.

# A counter cell of flow_meta as a number, or NULL when it is not a whole number in range
_COUNTER = (
    "CASE WHEN CAST(CAST(value AS INTEGER) AS TEXT) = value "
    f"AND CAST(value AS INTEGER) BETWEEN 0 AND {MAX_ID} THEN CAST(value AS INTEGER) END"
)
# The new flow's id is drawn in the INSERT: a damaged floor, or no id left, makes it text,
# which SQLite refuses for an INTEGER PRIMARY KEY ("datatype mismatch"; _insert_failed
# then names the cause). Nothing is written when the key is held (ON CONFLICT DO NOTHING).
_INSERT = (
    f"INSERT INTO flows ({_COLUMNS}) "
    f"SELECT CASE WHEN n BETWEEN 1 AND {MAX_ID - 1} THEN n ELSE 'no id' END, "
    "?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ? FROM (SELECT max("
    f"{_COUNTER}, COALESCE((SELECT MAX(id) FROM flows), 0) + 1) AS n "
    "FROM flow_meta WHERE key = 'next_id') WHERE true "
    "ON CONFLICT DO NOTHING RETURNING id, version"
)


__all__ = ["SQLiteStore", "StoreError"]


class SQLiteStore(SQLStore):
    """Flows in an SQLite database: a file path (opened here) or a shared SQLiteDatabase."""

    db: SQLiteDatabase
    _INSERT = _INSERT
    _NEXT_VERSION = "version + 1"

    def __init__(self, target: str | Path | SQLiteDatabase, timeout: float = 30.0) -> None:
        self.db = target if isinstance(target, SQLiteDatabase) else SQLiteDatabase(target, timeout)
        self.path = self.db.path
        try:
            with self.db.transaction(savepoint=False) as db:
                self._check_tables(db)
                for stmt in _SCHEMA:
                    db.execute(stmt)
                row = db.execute("SELECT value FROM flow_meta WHERE key = 'schema'").fetchone()
                if row is None:
                    db.execute(
                        "INSERT INTO flow_meta VALUES ('schema', ?), ('next_id', '1')",
                        (SCHEMA_VERSION,),
                    )
                elif row[0] in _MIGRATE:
                    for stmt in _MIGRATE[row[0]]:
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
                # a store written before stamps: start above every version it holds
                db.execute(
                    "INSERT OR IGNORE INTO flow_meta SELECT 'next_version', "
                    "COALESCE(MAX(version), 0) + 1 FROM flows"
                )
                # the stamp's base (the stamp stays what it was: next_version + the sum)
                db.execute(
                    "INSERT OR IGNORE INTO flow_meta SELECT 'stamp_base', value "
                    "FROM flow_meta WHERE key = 'next_version'"
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

    # -- the dialect's hooks --------------------------------------------------------------
    def _query(self, sql: str, args: tuple | list = ()) -> list:
        """db.query, with text that is not UTF-8 named by table, row and column."""
        try:
            return self.db.query(sql, args)
        except StoreError as e:
            column = _rows.bad_text(e.__cause__) if e.__cause__ is not None else None
            if column is None:
                raise
            if sql.count(" FROM ") != 1:  # over several tables: its caller reads carefully
                raise
            table = sql.split(" FROM ", 1)[1].split()[0]
            keys = {"flows": "id", "flow_steps": "flow_id, step", "flow_meta": "key"}[table]
            raise _rows.find_bad_text(self.db.execute, self.path, table, column, keys) from None

    def _is_unique(self, e: BaseException) -> bool:
        # (a NOT NULL, CHECK or datatype failure is no conflict: db.error reports it)
        return isinstance(e, sqlite3.IntegrityError) and getattr(e, "sqlite_errorname", "") in (
            "SQLITE_CONSTRAINT_UNIQUE",
            "SQLITE_CONSTRAINT_PRIMARYKEY",
        )

    def _insert_failed(self) -> None:
        if self.next_id() > MAX_ID - 1:  # (next_id names a damaged floor)
            raise StoreError(f"{self.path}: no flow ids left (next id {self.next_id()})")

    def _retire(self) -> None:
        # floors past everything the rows about to be deleted hold: the next id stays the
        # next id, next_version passes every version, and the stamp does not move
        next_id, stamp = self.next_id(), self.stamp()
        top = self._query("SELECT COALESCE(MAX(version), 0) + 1 FROM flows")[0][0]
        self._set("next_id", next_id)
        self._set("next_version", max(int(self._meta("next_version")), top))
        self._set("stamp_base", stamp)

    def _stamps(self, n: int) -> list[int]:
        # every imported flow starts at the floor: (id, version) is new for each of them
        first = int(self._meta("next_version"))
        if first + 1 > MAX_ID:
            raise StoreError(f"{self.path}: no versions left (next_version {first})")
        self._set("next_version", first + 1)
        return [first] * n

    def _set_next_id(self, top: int) -> None:
        self._set("next_id", max(top, self.next_id()))

    def _set(self, key: str, value: int) -> None:
        self.db.execute("UPDATE flow_meta SET value = ? WHERE key = ?", (str(value), key))

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

    # -- what only this dialect does ------------------------------------------------------
    def flow_texts(self, page: int = 1000) -> Iterator[str]:
        return sqlite_export.flow_texts(self._query, _COLUMNS, self.path, record_of, page)

    def next_id(self) -> int:
        floor = int(self._meta("next_id"))
        top = self._query("SELECT COALESCE(MAX(id), 0) + 1 FROM flows")[0][0]
        return max(floor, top)

    def stamp(self) -> int:
        base = int(self._meta("stamp_base"))
        return base + self._query("SELECT COALESCE(SUM(version), 0) FROM flows")[0][0]

    def store_id(self) -> str:
        return self._meta("store_id")
