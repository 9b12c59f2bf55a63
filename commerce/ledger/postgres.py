"""The PostgreSQL ledger: the SQLite ledger's table and guarantees on a server.

It shares the database (one connection) with the flow store and the stock
(flowhost.pg.PostgresDatabase) and touches only `ledger_events` and `ledger_summaries`.
The append path is the SQLite ledger's (sql.py); here are its PostgreSQL hooks. An append
runs in the caller's unit of work when there is one (else its own transaction) and first
takes a transaction-scoped advisory lock on its stream (once per transaction), so appends
to one stream are serialised across processes: the second waits, then reads the first's
events (READ COMMITTED: each statement sees what is committed) and gets
LedgerConflictError or an already-recorded result. Appends to other streams do not wait.
Two streams racing for one payment ref meet at UNIQUE key: the loser's `ON CONFLICT DO
NOTHING` waits for the winner and then finds its event (already recorded, or an
idempotency conflict). UNIQUE (stream, version) remains the backstop: a violation undoes
the append's savepoint and is a LedgerConflictError.
Positions come from an identity column: ascending in append order within a process,
never reused (a rolled-back append leaves a gap).

Each append also upserts its stream's row in `ledger_summaries` (projections.apply), in
its transaction, under the stream's lock; summaries are read from those rows.

Schema: component `ledger` version 1 in `schema_versions`; the summary rows are component
`ledger-summaries` version 1 (built from the events on the first open that lacks them).
"""

from __future__ import annotations

from typing import Any

from flowhost.errors import FlowError
from flowhost.pg import (
    PostgresDatabase,
    driver_error_types,
    ensure_schema_versions,
    is_unique_violation,
    open_schema,
    schema_version,
)

from ..errors import CommerceError, LedgerConflictError, LedgerStoreError
from .projections import summarize
from .sql import SQLLedger
from .store import key_prefix, summary_row

SCHEMA_VERSION = 1

_SCHEMA = [
    """CREATE TABLE ledger_events (
        position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream TEXT NOT NULL,
        version INTEGER NOT NULL,
        type TEXT NOT NULL,
        at BIGINT NOT NULL,
        key TEXT NOT NULL UNIQUE,
        data TEXT NOT NULL,
        UNIQUE (stream, version)
    )""",
]

_MARKS7 = "%s, %s, %s, %s, %s, %s, %s"
SUMMARIES_VERSION = 1  # component `ledger-summaries`: the summary rows, built and kept
_SUMMARIES = """CREATE TABLE ledger_summaries (
    stream TEXT COLLATE "C" PRIMARY KEY,
    status TEXT NOT NULL,
    recon TEXT NOT NULL,
    total BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    refunded BIGINT NOT NULL,
    data TEXT NOT NULL
)"""


class PostgresLedger(SQLLedger):
    """The ledger in PostgreSQL: a URL (connected here) or a shared PostgresDatabase."""

    MARK = "%s"
    C = ' COLLATE "C"'
    NO_LIMIT = None

    def __init__(self, target: str | PostgresDatabase) -> None:
        try:
            self.db = target if isinstance(target, PostgresDatabase) else PostgresDatabase(target)
            self.path = self.db.name
            self._init_cache()
            self._sql_insert_at = self._sql_insert + " RETURNING position"
            open_schema(self.db, "ledger", SCHEMA_VERSION, _SCHEMA, "ledger")
            row = self.db.query("SELECT to_regclass('ledger_events')")
        except FlowError as e:
            raise self._flow_error(e) from e
        if row[0][0] is None:  # the schema says it was created: a missing table is damage
            raise LedgerStoreError(
                f"{self.path}: damaged ledger: table ledger_events is missing (the ledger was "
                "created here before; restore it from a backup)"
            )
        try:
            self._open_summaries()
        except FlowError as e:
            raise self._flow_error(e) from e

    def _open_summaries(self) -> None:
        """The summary rows: on a ledger written before them, created and built from the
        events once, in one transaction that keeps appends out (SHARE lock) meanwhile."""
        db = self.db
        try:
            with db.transaction():
                ensure_schema_versions(db)
                have = schema_version(db, "ledger-summaries")
                if have == SUMMARIES_VERSION:
                    return
                if have is not None:
                    raise LedgerStoreError(
                        f"{db.name}: ledger summaries schema {have}, this version reads "
                        f"{SUMMARIES_VERSION}"
                    )
                db.execute("LOCK TABLE ledger_events IN SHARE MODE")
                db.execute(_SUMMARIES)
                db.executemany(
                    f"INSERT INTO ledger_summaries VALUES ({_MARKS7})",
                    [
                        summary_row(stream, s)
                        for stream, recs in self.read_all()
                        for s in [summarize([r.event for r in recs])]
                    ],
                )
                db.execute(
                    "INSERT INTO schema_versions VALUES ('ledger-summaries', %s)",
                    (SUMMARIES_VERSION,),
                )
        except driver_error_types() as e:
            raise db.error(e, "cannot build the ledger's summary rows") from e

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self.db.query(sql, args, "cannot read the ledger")
        except FlowError as e:
            raise self._flow_error(e) from e

    def _lock(self, db: Any, stream: str) -> None:
        if not self._cache.holds(stream):  # held until the transaction ends
            db.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('ledger:' || %s, 0))", (stream,)
            )
            self._cache.lock(stream)

    def _reads_stable(self, stream: str) -> bool:
        return self._cache.holds(stream)

    def _insert(self, db: Any, row: tuple) -> int | None:
        found = db.execute(self._sql_insert_at, row).fetchone()
        return None if found is None else found[0]

    def _driver_errors(self) -> tuple[type[BaseException], ...]:
        return driver_error_types()

    def _append_error(self, e: BaseException, stream: str) -> CommerceError:
        if is_unique_violation(e):
            return LedgerConflictError(
                f"{self.path}: stream {stream!r} changed during the append; nothing was "
                "appended (retry)"
            )
        return self._flow_error(self.db.error(e, f"cannot append to {stream!r}"))

    def streams_keyed(self, kind: str) -> list[str]:
        rows = self._query(
            'SELECT DISTINCT stream COLLATE "C" FROM ledger_events WHERE starts_with(key, %s) '
            "ORDER BY 1",
            (key_prefix(kind),),
        )
        return [r[0] for r in rows]
