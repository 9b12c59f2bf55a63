"""The webhook event log: which provider event ids were processed, and what they did.

One table in the engine's SQLite file, beside the flow and ledger tables:

    webhook_events (provider TEXT, event_id TEXT, type TEXT, order_id TEXT,
                    outcome TEXT, at INTEGER, PRIMARY KEY (provider, event_id))

A row is written only after the service call for the event succeeded, so a redelivered
event answers "duplicate" without calling the service again. A crash between the service
call and this insert is safe: the redelivery calls the service again, and payment refs and
refund ids are once-only in the ledger, so it changes nothing and is then recorded.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..errors import LedgerStoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    order_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (provider, event_id)
)
"""


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One processed webhook event."""

    provider: str
    event_id: str
    type: str
    order: str
    outcome: str
    at: int


class EventLog:
    """The processed-event table on its own connection to `path`."""

    def __init__(self, path: str | Path, timeout: float = 10.0) -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            self._db.execute(_SCHEMA)
        except sqlite3.Error as e:
            raise LedgerStoreError(f"{self.path}: webhook event log: {e}") from e

    def outcome(self, provider: str, event_id: str) -> str | None:
        """What the event did when it was processed, or None if it was not."""
        row = self._query(
            "SELECT outcome FROM webhook_events WHERE provider = ? AND event_id = ?",
            (provider, event_id),
        ).fetchone()
        return None if row is None else row[0]

    def record(self, e: LoggedEvent) -> None:
        """Record a processed event (a second record of the same id is ignored)."""
        self._query(
            "INSERT OR IGNORE INTO webhook_events VALUES (?, ?, ?, ?, ?, ?)",
            (e.provider, e.event_id, e.type, e.order, e.outcome, e.at),
        )

    def recent(self, limit: int = 50, order: str | None = None) -> list[LoggedEvent]:
        """The latest processed events, newest first (of one order, when given)."""
        where, args = ("WHERE order_id = ?", (order,)) if order else ("", ())
        rows = self._query(
            f"SELECT * FROM webhook_events {where} ORDER BY rowid DESC LIMIT ?", (*args, limit)
        ).fetchall()
        return [LoggedEvent(*r) for r in rows]

    def ping(self) -> None:
        """Raise LedgerStoreError unless the database answers."""
        self._query("SELECT count(*) FROM webhook_events", ()).fetchone()

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def _query(self, sql: str, args: tuple) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, args)
        except sqlite3.Error as e:
            raise LedgerStoreError(f"{self.path}: webhook event log: {e}") from e
