"""The SQLite ledger: tables prefixed `ledger_`, in a database it may share (flowhost.db).

It shares the database (one connection) with the flow store and the stock: its tables are
`ledger_meta`, `ledger_events` and `ledger_summaries`, and nothing else is touched. Each
append runs in the caller's unit of work when there is one, else in its own
`BEGIN IMMEDIATE` transaction (sql.py: the append path both SQL ledgers share), so two
processes (or two connections) appending to the same stream are serialised by SQLite's
write lock: the second sees the first's events and gets LedgerConflictError or an
already-recorded result, and nothing is lost. A process killed mid-append leaves the
append wholly done or not at all. sqlite3 errors become LedgerStoreError here, with the
file's path in the message.

Schema (version 1):

    ledger_meta   (key TEXT PRIMARY KEY, value TEXT)        -- ('schema', '1')
    ledger_events (position INTEGER PRIMARY KEY,            -- global append order, from 1
                   stream TEXT, version INTEGER,            -- UNIQUE (stream, version)
                   type TEXT, at INTEGER,                   -- copies of the event's, for SQL
                   key TEXT UNIQUE,                         -- the idempotency key
                   data TEXT)                               -- dumps_event(event)
    ledger_summaries (stream TEXT PRIMARY KEY,             -- one row per order, kept by
                      status, recon, data)                 -- each append (projections.apply)

A ledger opened without the summary rows (written by an older release: no
('summaries', '1') in ledger_meta) has them built from its events once, in the opening
transaction; from then on every append upserts its stream's row in its own transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from flowhost.db import SQLiteDatabase
from flowhost.errors import FlowError
from flowhost.rows import bad_text, find_bad_text

from ..errors import (
    CommerceError,
    DamagedLedgerRowError,
    LedgerConflictError,
    LedgerStoreError,
)
from .projections import summarize
from .sql import SQLLedger
from .store import key_prefix, summary_row

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
CREATE TABLE IF NOT EXISTS ledger_summaries (
    stream TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    recon TEXT NOT NULL,
    total BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    refunded BIGINT NOT NULL,
    data TEXT NOT NULL
) WITHOUT ROWID;
"""
SUMMARIES_VERSION = "1"  # ledger_meta 'summaries': the summary rows are built and kept

_MARKS7 = "?, ?, ?, ?, ?, ?, ?"


class SQLiteLedger(SQLLedger):
    """The ledger in SQLite: a file path (opened here; `":memory:"` for a private one) or
    an SQLiteDatabase shared with the flow store and the stock."""

    MARK = "?"
    NO_LIMIT = -1

    def __init__(self, target: str | Path | SQLiteDatabase, timeout: float = 30.0) -> None:
        try:
            self.db = (
                target if isinstance(target, SQLiteDatabase) else SQLiteDatabase(target, timeout)
            )
        except FlowError as e:
            raise LedgerStoreError(f"{target}: cannot open the ledger: {e}") from e
        self.path = self.db.path
        self._init_cache()
        try:
            with self.db.transaction(savepoint=False) as db:
                have = {
                    r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                }
                if "ledger_meta" in have and "ledger_events" not in have:
                    raise LedgerStoreError(
                        f"{self.path}: damaged ledger: table ledger_events is missing (the "
                        "ledger was created here before; restore it from a backup)"
                    )
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        db.execute(stmt)
                row = db.execute("SELECT value FROM ledger_meta WHERE key = 'schema'").fetchone()
                if row is None:
                    db.execute("INSERT INTO ledger_meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                elif row[0] != SCHEMA_VERSION:
                    raise LedgerStoreError(
                        f"{self.path}: ledger schema {row[0]}, this version reads {SCHEMA_VERSION}"
                    )
                built = db.execute(
                    "SELECT value FROM ledger_meta WHERE key = 'summaries'"
                ).fetchone()
                if built is None:  # a ledger written before summary rows: build them once
                    db.execute("DELETE FROM ledger_summaries")
                    db.executemany(
                        f"INSERT INTO ledger_summaries VALUES ({_MARKS7})",
                        (
                            summary_row(stream, s)
                            for stream, recs in self.read_all()
                            for s in [summarize([r.event for r in recs])]
                        ),
                    )
                    db.execute(
                        "INSERT INTO ledger_meta VALUES ('summaries', ?)", (SUMMARIES_VERSION,)
                    )
        except sqlite3.Error as e:
            raise self._error(e, "cannot open the ledger") from e
        except FlowError as e:
            raise self._flow_error(e) from e

    def _error(self, e: sqlite3.Error, doing: str) -> CommerceError:
        return self._flow_error(self.db.error(e, doing))

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.Error as e:
            column = bad_text(e)
            if column is not None:  # name the row whose text is not UTF-8
                found = find_bad_text(
                    self.db.execute, self.path, "ledger_events", column, "position"
                )
                raise DamagedLedgerRowError(str(found)) from None
            raise self._error(e, "cannot read the ledger") from e

    def _insert(self, db: Any, row: tuple) -> int | None:
        cur = db.execute(self._sql_insert, row)
        return cur.lastrowid if cur.rowcount == 1 else None

    def _driver_errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.Error,)

    def _append_error(self, e: BaseException, stream: str) -> CommerceError:
        if isinstance(e, sqlite3.IntegrityError):
            # BEGIN IMMEDIATE serialises writers, so this is a backstop, not the usual path.
            return LedgerConflictError(
                f"{self.path}: stream {stream!r} changed during the append; nothing was "
                f"appended ({e})"
            )
        assert isinstance(e, sqlite3.Error)
        return self._error(e, f"cannot append to {stream!r}")

    def streams_keyed(self, kind: str) -> list[str]:
        prefix = key_prefix(kind)  # a range on the UNIQUE key index: ',' + 1 is '-'
        rows = self._query(
            "SELECT DISTINCT stream FROM ledger_events WHERE key >= ? AND key < ? ORDER BY 1",
            (prefix, prefix[:-1] + "-"),
        )
        return [r[0] for r in rows]
