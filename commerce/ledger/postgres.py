"""The PostgreSQL ledger: the SQLite ledger's table and guarantees on a server.

It shares the database (one connection) with the flow store and the stock
(flowhost.pg.PostgresDatabase) and touches only `ledger_events`. An append runs in the
caller's unit of work when there is one (else its own transaction) and first takes a
transaction-scoped advisory lock on its stream, so appends to one stream are serialised
across processes: the second waits, then reads the first's events (READ COMMITTED: each
statement sees what is committed) and gets LedgerConflictError or an already-recorded
result. Appends to other streams do not wait. UNIQUE (stream, version) and UNIQUE key
remain as a backstop (two streams racing for one payment ref): a violation undoes the
append's savepoint and is a LedgerConflictError, so a retry reads the winner's event.
Positions come from an identity column: ascending in append order within a process,
never reused (a rolled-back append leaves a gap).

Each append also upserts its stream's row in `ledger_summaries` (projections.apply), in
its transaction, under the stream's lock; summaries are read from those rows.

Schema: component `ledger` version 1 in `schema_versions`; the summary rows are component
`ledger-summaries` version 1 (built from the events on the first open that lacks them).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flowhost.errors import FlowConflictError, FlowError
from flowhost.pg import (
    PostgresDatabase,
    driver_error_types,
    ensure_schema_versions,
    is_unique_violation,
    open_schema,
    schema_version,
)

from ..errors import CommerceError, LedgerConflictError, LedgerStoreError, UnknownOrderError
from .events import Event, dumps_event
from .projections import OrderSummary, apply, summarize, summary_from_text
from .sqlite import _recorded
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

_COLUMNS = "stream, version, position, key, data"
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


class PostgresLedger(Ledger):
    """The ledger in PostgreSQL: a URL (connected here) or a shared PostgresDatabase."""

    def __init__(self, target: str | PostgresDatabase) -> None:
        try:
            self.db = target if isinstance(target, PostgresDatabase) else PostgresDatabase(target)
            self.path = self.db.name
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

    @staticmethod
    def _flow_error(e: FlowError) -> CommerceError:
        if isinstance(e, FlowConflictError):
            return LedgerConflictError(str(e))
        return LedgerStoreError(str(e))

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self.db.query(sql, args, "cannot read the ledger")
        except FlowError as e:
            raise self._flow_error(e) from e

    def append(
        self, stream: str, events: Sequence[Event], *, expected_version: int | None
    ) -> AppendResult:
        try:
            with self.db.transaction() as db:
                db.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended('ledger:' || %s, 0))",
                    (stream,),
                )
                # the summary row is the stream's version (and what the append folds into)
                row = db.execute(
                    "SELECT data FROM ledger_summaries WHERE stream = %s", (stream,)
                ).fetchone()
                before = None if row is None else summary_from_text(row[0])
                current = 0 if before is None else before.version

                def lookup(key: str) -> Recorded | None:
                    row = db.execute(
                        f"SELECT {_COLUMNS} FROM ledger_events WHERE key = %s", (key,)
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
                    position = db.execute(
                        "INSERT INTO ledger_events (stream, version, type, at, key, data) "
                        "VALUES (%s, %s, %s, %s, %s, %s) RETURNING position",
                        (stream, current, event.type, event.at, key, dumps_event(event)),
                    ).fetchone()[0]
                    written.append(Recorded(stream, current, position, key, event))
                if written:
                    after = apply(before, [r.event for r in written])
                    db.execute(
                        f"INSERT INTO ledger_summaries VALUES ({_MARKS7}) ON CONFLICT (stream) "
                        "DO UPDATE SET status = excluded.status, recon = excluded.recon, "
                        "total = excluded.total, paid = excluded.paid, "
                        "refunded = excluded.refunded, data = excluded.data",
                        summary_row(stream, after),
                    )
        except driver_error_types() as e:
            if is_unique_violation(e):
                raise LedgerConflictError(
                    f"{self.path}: stream {stream!r} changed during the append; nothing was "
                    "appended (retry)"
                ) from e
            raise self._flow_error(self.db.error(e, f"cannot append to {stream!r}")) from e
        except FlowError as e:
            raise self._flow_error(e) from e
        return AppendResult(stream, current, tuple(written), plan.already)

    def version(self, stream: str) -> int:
        rows = self._query(
            "SELECT COALESCE(MAX(version), 0) FROM ledger_events WHERE stream = %s", (stream,)
        )
        return int(rows[0][0])

    def read(self, stream: str) -> tuple[Recorded, ...]:
        rows = self._query(
            f"SELECT {_COLUMNS} FROM ledger_events WHERE stream = %s ORDER BY version", (stream,)
        )
        if not rows:
            raise UnknownOrderError(f"no order {stream!r} in the ledger")
        return tuple(_recorded(r, self.path) for r in rows)

    def find(self, key: str) -> Recorded | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM ledger_events WHERE key = %s", (key,))
        return _recorded(rows[0], self.path) if rows else None

    def streams_keyed(self, kind: str) -> list[str]:
        rows = self._query(
            'SELECT DISTINCT stream COLLATE "C" FROM ledger_events WHERE starts_with(key, %s) '
            "ORDER BY 1",
            (key_prefix(kind),),
        )
        return [r[0] for r in rows]

    def has_events(self) -> bool:
        return bool(self._query("SELECT 1 FROM ledger_events LIMIT 1"))

    def streams(self) -> list[str]:
        rows = self._query('SELECT DISTINCT stream COLLATE "C" FROM ledger_events ORDER BY 1')
        return [r[0] for r in rows]

    def read_all(self) -> Iterator[tuple[str, tuple[Recorded, ...]]]:
        rows = self._query(
            f'SELECT {_COLUMNS} FROM ledger_events ORDER BY stream COLLATE "C", version'
        )
        yield from by_stream(_recorded(r, self.path) for r in rows)

    def summary(self, stream: str) -> OrderSummary:
        rows = self._query("SELECT data FROM ledger_summaries WHERE stream = %s", (stream,))
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
        where, args = summary_where("%s", status=status, recon=recon, after=after)
        rows = self._query(
            f"SELECT data FROM ledger_summaries WHERE {where} ORDER BY stream LIMIT %s",
            (*args, limit),
        )
        return [summary_from_text(r[0]) for r in rows]

    def close(self) -> None:
        self.db.close()
