"""The SQLite ledger (WAL): one transaction per append, tables prefixed `ledger_`.

It may share a database file with the flow store: its tables are `ledger_meta` and
`ledger_events`, and nothing else is touched. Each append runs in one `BEGIN IMMEDIATE`
transaction that reads the stream's version and the idempotency keys, checks them with
`plan_append` and inserts, so two processes (or two connections) appending to the same
stream are serialised by SQLite's write lock: the second sees the first's events and gets
LedgerConflictError or an already-recorded result, and nothing is lost. A process killed
mid-append leaves the append wholly done or not at all. sqlite3 errors become
LedgerStoreError here, with the file's path in the message.

Schema (version 1):

    ledger_meta   (key TEXT PRIMARY KEY, value TEXT)        -- ('schema', '1')
    ledger_events (position INTEGER PRIMARY KEY,            -- global append order, from 1
                   stream TEXT, version INTEGER,            -- UNIQUE (stream, version)
                   type TEXT, at INTEGER,                   -- copies of the event's, for SQL
                   key TEXT UNIQUE,                         -- the idempotency key
                   data TEXT)                               -- dumps_event(event)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import LedgerConflictError, LedgerStoreError, UnknownOrderError
from .events import Event, dumps_event, loads_event
from .store import AppendResult, Ledger, Recorded, plan_append

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_events (
    position INTEGER PRIMARY KEY,
    stream TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    key TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    UNIQUE (stream, version)
);
"""

_COLUMNS = "stream, version, position, key, data"


def _recorded(row: tuple) -> Recorded:
    stream, version, position, key, data = row
    return Recorded(stream, version, position, key, loads_event(data))


class SQLiteLedger(Ledger):
    """The ledger in an SQLite file (created on first use); `":memory:"` for a private one."""

    def __init__(self, path: str | Path, timeout: float = 10.0) -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        self._db.execute(stmt)
                row = self._db.execute(
                    "SELECT value FROM ledger_meta WHERE key = 'schema'"
                ).fetchone()
                if row is None:
                    self._db.execute(
                        "INSERT INTO ledger_meta VALUES ('schema', ?)", (SCHEMA_VERSION,)
                    )
                elif row[0] != SCHEMA_VERSION:
                    raise LedgerStoreError(
                        f"{self.path}: ledger schema {row[0]}, this version reads {SCHEMA_VERSION}"
                    )
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as e:
            raise LedgerStoreError(f"{self.path}: cannot open the ledger: {e}") from e

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as e:
            raise LedgerStoreError(f"{self.path}: cannot read the ledger: {e}") from e

    def append(
        self, stream: str, events: Sequence[Event], *, expected_version: int | None
    ) -> AppendResult:
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                current = db.execute(
                    "SELECT COALESCE(MAX(version), 0) FROM ledger_events WHERE stream = ?",
                    (stream,),
                ).fetchone()[0]

                def lookup(key: str) -> Recorded | None:
                    row = db.execute(
                        f"SELECT {_COLUMNS} FROM ledger_events WHERE key = ?", (key,)
                    ).fetchone()
                    return None if row is None else _recorded(row)

                plan = plan_append(
                    stream,
                    events,
                    expected_version=expected_version,
                    current_version=current,
                    lookup=lookup,
                )
                written = []
                for key, event in plan.new:
                    current += 1
                    cur = db.execute(
                        "INSERT INTO ledger_events (stream, version, type, at, key, data) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (stream, current, event.type, event.at, key, dumps_event(event)),
                    )
                    assert cur.lastrowid is not None
                    written.append(Recorded(stream, current, cur.lastrowid, key, event))
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.IntegrityError as e:
            # BEGIN IMMEDIATE serialises writers, so this is a backstop, not the usual path.
            raise LedgerConflictError(
                f"{self.path}: stream {stream!r} changed during the append; nothing was "
                f"appended ({e})"
            ) from e
        except sqlite3.Error as e:
            raise LedgerStoreError(f"{self.path}: cannot append to {stream!r}: {e}") from e
        return AppendResult(stream, current, tuple(written), plan.already)

    def version(self, stream: str) -> int:
        rows = self._query(
            "SELECT COALESCE(MAX(version), 0) FROM ledger_events WHERE stream = ?", (stream,)
        )
        return int(rows[0][0])

    def read(self, stream: str) -> tuple[Recorded, ...]:
        rows = self._query(
            f"SELECT {_COLUMNS} FROM ledger_events WHERE stream = ? ORDER BY version", (stream,)
        )
        if not rows:
            raise UnknownOrderError(f"no order {stream!r} in the ledger")
        return tuple(_recorded(r) for r in rows)

    def find(self, key: str) -> Recorded | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM ledger_events WHERE key = ?", (key,))
        return _recorded(rows[0]) if rows else None

    def streams(self) -> list[str]:
        return [r[0] for r in self._query("SELECT DISTINCT stream FROM ledger_events ORDER BY 1")]

    def read_all(self) -> Iterator[tuple[str, tuple[Recorded, ...]]]:
        rows = self._query(f"SELECT {_COLUMNS} FROM ledger_events ORDER BY stream, version")
        group: list[Recorded] = []
        for row in rows:
            if group and group[0].stream != row[0]:
                yield group[0].stream, tuple(group)
                group = []
            group.append(_recorded(row))
        if group:
            yield group[0].stream, tuple(group)

    def close(self) -> None:
        self._db.close()
