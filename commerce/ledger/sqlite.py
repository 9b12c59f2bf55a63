"""The SQLite ledger: tables prefixed `ledger_`, in a database it may share (flowhost.db).

It shares the database (one connection) with the flow store and the stock: its tables are
`ledger_meta` and `ledger_events`, and nothing else is touched. Each append runs in the
caller's unit of work when there is one, else in its own `BEGIN IMMEDIATE`
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
    ledger_summaries (stream TEXT PRIMARY KEY,             -- one row per order, kept by
                      status, recon, data)                 -- each append (projections.apply)

A ledger opened without the summary rows (written by an older release: no
('summaries', '1') in ledger_meta) has them built from its events once, in the opening
transaction; from then on every append upserts its stream's row in its own transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from flowhost.db import SQLiteDatabase
from flowhost.errors import FlowConflictError, FlowError
from flowhost.rows import bad_text, find_bad_text

from ..errors import (
    CommerceError,
    DamagedLedgerRowError,
    LedgerConflictError,
    LedgerStoreError,
    UnknownOrderError,
)
from .events import Event, dumps_event, loads_event
from .projections import OrderSummary, apply, summarize, summary_from_text
from .store import (
    AppendResult,
    Ledger,
    Recorded,
    by_stream,
    key_prefix,
    plan_append,
    summary_row,
    summary_where,
)

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

_COLUMNS = "stream, version, position, key, data"
_MARKS7 = "?, ?, ?, ?, ?, ?, ?"


def _recorded(row: tuple, name: str = "the ledger") -> Recorded:
    """A Recorded from a ledger_events row; a damaged row is a LedgerStoreError naming it."""
    stream, version, position, key, data = row
    try:
        if type(data) is not str:
            raise ValueError(f"expected JSON text, got {data!r:.40}")
        event = loads_event(data)
    except (CommerceError, ValueError, TypeError, KeyError, RecursionError) as e:
        text = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise DamagedLedgerRowError(
            f"{name}: damaged row: table ledger_events, row position={position}, column data: "
            f"{text[:160]}"
        ) from None
    for column, value, kind in (("stream", stream, str), ("version", version, int)):
        if type(value) is not kind:
            raise DamagedLedgerRowError(
                f"{name}: damaged row: table ledger_events, row position={position}, column "
                f"{column}: {value!r:.40}"
            )
    return Recorded(stream, version, position, key, event)


class SQLiteLedger(Ledger):
    """The ledger in SQLite: a file path (opened here; `":memory:"` for a private one) or
    an SQLiteDatabase shared with the flow store and the stock."""

    def __init__(self, target: str | Path | SQLiteDatabase, timeout: float = 30.0) -> None:
        try:
            self.db = (
                target if isinstance(target, SQLiteDatabase) else SQLiteDatabase(target, timeout)
            )
        except FlowError as e:
            raise LedgerStoreError(f"{target}: cannot open the ledger: {e}") from e
        self.path = self.db.path
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

    @staticmethod
    def _flow_error(e: FlowError) -> CommerceError:
        if isinstance(e, FlowConflictError):
            return LedgerConflictError(str(e))
        return LedgerStoreError(str(e))

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

    def append(
        self, stream: str, events: Sequence[Event], *, expected_version: int | None
    ) -> AppendResult:
        try:
            with self.db.transaction(savepoint=False) as db:
                # the summary row is the stream's version (and what the append folds into)
                row = db.execute(
                    "SELECT data FROM ledger_summaries WHERE stream = ?", (stream,)
                ).fetchone()
                before = None if row is None else summary_from_text(row[0])
                current = 0 if before is None else before.version

                def lookup(key: str) -> Recorded | None:
                    row = db.execute(
                        f"SELECT {_COLUMNS} FROM ledger_events WHERE key = ?", (key,)
                    ).fetchone()
                    return None if row is None else _recorded(row, self.path)

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
                if written:
                    after = apply(before, [r.event for r in written])
                    db.execute(
                        f"INSERT INTO ledger_summaries VALUES ({_MARKS7}) ON CONFLICT (stream) "
                        "DO UPDATE SET status = excluded.status, recon = excluded.recon, "
                        "total = excluded.total, paid = excluded.paid, "
                        "refunded = excluded.refunded, data = excluded.data",
                        summary_row(stream, after),
                    )
        except sqlite3.IntegrityError as e:
            # BEGIN IMMEDIATE serialises writers, so this is a backstop, not the usual path.
            raise LedgerConflictError(
                f"{self.path}: stream {stream!r} changed during the append; nothing was "
                f"appended ({e})"
            ) from e
        except sqlite3.Error as e:
            raise self._error(e, f"cannot append to {stream!r}") from e
        except FlowError as e:
            raise self._flow_error(e) from e
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
        return tuple(_recorded(r, self.path) for r in rows)

    def find(self, key: str) -> Recorded | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM ledger_events WHERE key = ?", (key,))
        return _recorded(rows[0], self.path) if rows else None

    def streams_keyed(self, kind: str) -> list[str]:
        prefix = key_prefix(kind)  # a range on the UNIQUE key index: ',' + 1 is '-'
        rows = self._query(
            "SELECT DISTINCT stream FROM ledger_events WHERE key >= ? AND key < ? ORDER BY 1",
            (prefix, prefix[:-1] + "-"),
        )
        return [r[0] for r in rows]

    def has_events(self) -> bool:
        return bool(self._query("SELECT 1 FROM ledger_events LIMIT 1"))

    def streams(self) -> list[str]:
        return [r[0] for r in self._query("SELECT DISTINCT stream FROM ledger_events ORDER BY 1")]

    def read_all(self) -> Iterator[tuple[str, tuple[Recorded, ...]]]:
        rows = self._query(f"SELECT {_COLUMNS} FROM ledger_events ORDER BY stream, version")
        yield from by_stream(_recorded(r, self.path) for r in rows)

    def summary(self, stream: str) -> OrderSummary:
        rows = self._query("SELECT data FROM ledger_summaries WHERE stream = ?", (stream,))
        if not rows:
            raise UnknownOrderError(f"no order {stream!r} in the ledger")
        return summary_from_text(rows[0][0])

    def recon_rows(self) -> Iterator[tuple[str, str, int, int, int, Any]]:
        yield from self._query(
            "SELECT stream, recon, total, paid, refunded, data FROM ledger_summaries "
            "ORDER BY stream"
        )

    def summaries(
        self,
        status: str | None = None,
        *,
        recon: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[OrderSummary]:
        where, args = summary_where("?", status=status, recon=recon, after=after)
        rows = self._query(
            f"SELECT data FROM ledger_summaries WHERE {where} ORDER BY stream LIMIT ?",
            (*args, -1 if limit is None else limit),
        )
        return [summary_from_text(r[0]) for r in rows]

    def close(self) -> None:
        self.db.close()
