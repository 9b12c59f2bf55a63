"""The SQL ledgers' one implementation: appends and reads, written once for SQLite and
PostgreSQL, which differ only in small hooks (placeholders, the stream lock, how an insert
reports its position, collation, error mapping).

An append runs in the caller's unit of work (else its own transaction) and costs, in the
usual case, two statements besides the stream's summary row:

1. the summary row (the stream's version, and what the append folds into) is read once
   per transaction: what a transaction reads or writes of it is kept until the
   transaction ends (`_StepCache`), because nothing else can change the row meanwhile --
   SQLite's `BEGIN IMMEDIATE` holds the write lock, and on PostgreSQL the row is kept
   only once the transaction holds the stream's advisory lock. A stream's first event
   (its OrderCreated, under key (created, stream)) is not preceded by the read: a stream
   exists exactly when its created key is recorded, so the insert itself says whether it
   is new.
2. the event is inserted `ON CONFLICT (key) DO NOTHING`: the UNIQUE key is the lookup.
   Only when nothing was inserted (the key is recorded), or the append is not a plain
   one-event append at the stream's end, is it planned again the long way -- the keys
   looked up and `plan_append` deciding between "already recorded", an idempotency
   conflict and a version conflict, exactly as before -- so every outcome is the one
   `plan_append` gives on the ledger as it is.
3. the summary row is upserted with the fold (`projections.apply`).

UNIQUE (stream, version) stays the backstop: a violation is a LedgerConflictError and
nothing of the append is kept.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from flowhost.db import Database
from flowhost.errors import FlowConflictError, FlowError

from ..errors import (
    CommerceError,
    DamagedLedgerRowError,
    LedgerConflictError,
    LedgerStoreError,
    UnknownOrderError,
)
from .events import Event, OrderCreated, dumps_event, loads_event
from .projections import OrderSummary, apply, summary_from_text
from .store import (
    AppendResult,
    Ledger,
    Recorded,
    by_stream,
    plan_append,
    summary_row,
    summary_where,
)

COLUMNS = "stream, version, position, key, data"
_ABSENT = object()  # a cached "this stream has no summary row"


def recorded_row(row: tuple, name: str = "the ledger") -> Recorded:
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


class _StepCache:
    """The summary rows one transaction has read or written (and, on PostgreSQL, the
    streams it has locked), kept in the database's per-transaction `cache` (flowhost.db:
    emptied when the outermost transaction ends and when any savepoint rolls back), so
    every ledger object on the database sees the same, and nothing outlives its
    transaction."""

    __slots__ = ("db",)

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, stream: str) -> Any:
        """The stream's summary (None: no row) if kept in this transaction, else _ABSENT."""
        db = self.db
        return db.cache.get(("ledger-summary", stream), _ABSENT) if db.in_transaction else _ABSENT

    def holds(self, stream: str) -> bool:
        """True when this transaction holds the stream's lock (PostgreSQL)."""
        return self.db.in_transaction and ("ledger-lock", stream) in self.db.cache

    def keep(self, stream: str, summary: OrderSummary | None) -> None:
        """Keep what the transaction now knows of the stream's row."""
        if self.db.in_transaction:
            self.db.cache[("ledger-summary", stream)] = summary

    def lock(self, stream: str) -> None:
        """Note that the transaction holds the stream's lock."""
        if self.db.in_transaction:
            self.db.cache[("ledger-lock", stream)] = True


class SQLLedger(Ledger):
    """The ledger on an SQL database; a dialect subclass supplies the hooks below."""

    path: str
    MARK: ClassVar[str]  # the driver's placeholder
    C: ClassVar[str] = ""  # the collation that sorts stream ids bytewise, if one is needed
    NO_LIMIT: ClassVar[Any]  # LIMIT's "no limit"

    def _init_cache(self) -> None:
        self._cache = _StepCache(self.db)
        m = self.MARK
        self._sql_summary = f"SELECT data FROM ledger_summaries WHERE stream = {m}"
        self._sql_key = f"SELECT {COLUMNS} FROM ledger_events WHERE key = {m}"
        self._sql_insert = (
            "INSERT INTO ledger_events (stream, version, type, at, key, data) "
            f"VALUES ({m}, {m}, {m}, {m}, {m}, {m}) ON CONFLICT (key) DO NOTHING"
        )
        self._sql_upsert = (
            f"INSERT INTO ledger_summaries VALUES ({', '.join([m] * 7)}) ON CONFLICT (stream) "
            "DO UPDATE SET status = excluded.status, recon = excluded.recon, "
            "total = excluded.total, paid = excluded.paid, "
            "refunded = excluded.refunded, data = excluded.data"
        )

    # -- dialect hooks ----------------------------------------------------------------------
    def _lock(self, db: Any, stream: str) -> None:  # noqa: B027 -- SQLite needs no lock
        """Serialise appends to `stream` for the rest of the transaction (if the database's
        own write lock does not already)."""

    def _reads_stable(self, stream: str) -> bool:
        """True when what this transaction reads of `stream`'s summary row stays true until
        it ends (SQLite: always; PostgreSQL: once it holds the stream's lock)."""
        return True

    @abstractmethod
    def _insert(self, db: Any, row: tuple) -> int | None:
        """Insert one ledger_events row (`_sql_insert`); its position, or None when its key
        is recorded already (nothing inserted)."""

    @abstractmethod
    def _driver_errors(self) -> tuple[type[BaseException], ...]:
        """The driver's exception classes that an append turns into commerce errors."""

    @abstractmethod
    def _append_error(self, e: BaseException, stream: str) -> CommerceError:
        """The commerce error for a driver error met appending to `stream`."""

    @abstractmethod
    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        """The rows of one read (SQL in this dialect's parameter marks)."""

    @staticmethod
    def _flow_error(e: FlowError) -> CommerceError:
        if isinstance(e, FlowConflictError):
            return LedgerConflictError(str(e))
        return LedgerStoreError(str(e))

    # -- appends ------------------------------------------------------------------------------
    def append(
        self, stream: str, events: Sequence[Event], *, expected_version: int | None
    ) -> AppendResult:
        try:
            with self.db.transaction(savepoint=False) as db:
                return self._append(db, stream, events, expected_version)
        except self._driver_errors() as e:
            raise self._append_error(e, stream) from e
        except FlowError as e:
            raise self._flow_error(e) from e

    def _append(
        self, db: Any, stream: str, events: Sequence[Event], expected_version: int | None
    ) -> AppendResult:
        self._lock(db, stream)
        cache = self._cache
        before = cache.get(stream)
        guessed = before is _ABSENT and _is_creation(events)
        if guessed:  # a stream's first event: the insert says whether the stream is new
            before = None
        elif before is _ABSENT:
            before = self._read_summary(db, stream)
        current = 0 if before is None else before.version
        written: list[Recorded] = []
        plan = None
        if type(events) in (list, tuple) and len(events) == 1:
            try:  # planned as if the key were new; the insert checks that
                plan = plan_append(
                    stream,
                    events,
                    expected_version=expected_version,
                    current_version=current,
                    lookup=_new_key,
                )
            except CommerceError:
                plan = None  # decided again below, on the ledger as it is
            if plan is not None:
                key, event = plan.new[0]
                position = self._insert(db, _event_row(stream, current + 1, key, event))
                if position is None:
                    plan = None  # the key is recorded: already, or a conflict
                else:
                    written.append(Recorded(stream, current + 1, position, key, event))
        if plan is None:
            if guessed:
                before = self._read_summary(db, stream)
                current = 0 if before is None else before.version

            def lookup(key: str) -> Recorded | None:
                row = db.execute(self._sql_key, (key,)).fetchone()
                return None if row is None else recorded_row(row, self.path)

            plan = plan_append(
                stream,
                events,
                expected_version=expected_version,
                current_version=current,
                lookup=lookup,
            )
            for i, (key, event) in enumerate(plan.new, start=current + 1):
                position = self._insert(db, _event_row(stream, i, key, event))
                if position is None:  # another stream's append took the key meanwhile
                    raise LedgerConflictError(
                        f"{self.path}: key {key} was recorded by another append meanwhile; "
                        f"nothing was appended to {stream!r} (retry)"
                    )
                written.append(Recorded(stream, i, position, key, event))
        after = before
        if written:
            after = apply(before, [r.event for r in written])
            db.execute(self._sql_upsert, summary_row(stream, after))
            cache.keep(stream, after)
            current = after.version
        return AppendResult(stream, current, tuple(written), plan.already, after)

    def _read_summary(self, db: Any, stream: str) -> OrderSummary | None:
        row = db.execute(self._sql_summary, (stream,)).fetchone()
        found = None if row is None else summary_from_text(row[0])
        self._cache.keep(stream, found)
        return found

    # -- reads --------------------------------------------------------------------------------
    def _summary_or_none(self, stream: str) -> OrderSummary | None:
        """The stream's summary row (None: no such stream); inside a transaction, read once."""
        kept = self._cache.get(stream)
        if kept is not _ABSENT:
            return kept
        rows = self._query(self._sql_summary, (stream,))
        found = summary_from_text(rows[0][0]) if rows else None
        if self.db.in_transaction and self._reads_stable(stream):
            self._cache.keep(stream, found)
        return found

    def summary(self, stream: str) -> OrderSummary:
        found = self._summary_or_none(stream)
        if found is None:
            raise UnknownOrderError(f"no order {stream!r} in the ledger")
        return found

    def version(self, stream: str) -> int:
        # the summary row is kept with every append: its version is the stream's
        found = self._summary_or_none(stream)
        return 0 if found is None else found.version

    def read(self, stream: str) -> tuple[Recorded, ...]:
        rows = self._query(
            f"SELECT {COLUMNS} FROM ledger_events WHERE stream = {self.MARK} ORDER BY version",
            (stream,),
        )
        if not rows:
            raise UnknownOrderError(f"no order {stream!r} in the ledger")
        return tuple(recorded_row(r, self.path) for r in rows)

    def find(self, key: str) -> Recorded | None:
        rows = self._query(self._sql_key, (key,))
        return recorded_row(rows[0], self.path) if rows else None

    def has_events(self) -> bool:
        return bool(self._query("SELECT 1 FROM ledger_events LIMIT 1"))

    def streams(self) -> list[str]:
        rows = self._query(f"SELECT DISTINCT stream{self.C} FROM ledger_events ORDER BY 1")
        return [r[0] for r in rows]

    def read_all(self) -> Iterator[tuple[str, tuple[Recorded, ...]]]:
        rows = self._query(f"SELECT {COLUMNS} FROM ledger_events ORDER BY stream{self.C}, version")
        yield from by_stream(recorded_row(r, self.path) for r in rows)

    def recon_rows(self) -> Iterator[tuple[str, str, int, int, int, Any, str]]:
        yield from self._query(
            "SELECT stream, recon, total, paid, refunded, data, status FROM ledger_summaries "
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
        where, args = summary_where(self.MARK, status=status, recon=recon, after=after)
        rows = self._query(
            f"SELECT data FROM ledger_summaries WHERE {where} ORDER BY stream LIMIT {self.MARK}",
            (*args, self.NO_LIMIT if limit is None else limit),
        )
        return [summary_from_text(r[0]) for r in rows]

    def close(self) -> None:
        self.db.close()


def _new_key(key: str) -> None:
    """The fast path's lookup: every key is taken to be new (the insert checks it)."""
    return None


def _is_creation(events: Sequence[Event]) -> bool:
    return type(events) in (list, tuple) and len(events) == 1 and type(events[0]) is OrderCreated


def _event_row(stream: str, version: int, key: str, event: Event) -> tuple:
    return (stream, version, event.type, event.at, key, dumps_event(event))
