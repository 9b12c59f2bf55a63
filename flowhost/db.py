"""One database, shared by the flow store, the ledger and the stock: the unit of work.

A service step -- the ledger append, the stock claim, the flow's new state and its log
step -- must commit together or not at all. So the stores do not own connections: they
are given a `Database`, and `db.transaction()` opens one unit of work that every store
on the same database joins. Transactions nest: an inner one is a savepoint, so an inner
failure that the caller catches undoes only the inner part; the outermost one commits.

- `SQLiteDatabase(path)`: one connection, WAL, `synchronous=FULL` (a payment acknowledged
  to a provider must survive a power cut, not only a crash), `BEGIN IMMEDIATE` for the
  outermost transaction, so writers on one file are serialised by SQLite and everything
  read inside a transaction is current. A lock that is not released within the busy
  timeout is a `StoreBusyError`, which is a `FlowConflictError`: contention always
  surfaces as a conflict, never as "database is locked".
- `MemoryDatabase()`: the same semantics in memory for tests: a re-entrant lock held for
  the outermost transaction, and an undo log that the stores fill, replayed backwards on
  rollback.

Both count statements and commits (`db.stats`), which the benchmarks print.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import FlowConflictError, FlowError


class StoreError(FlowError):
    """The database could not be used (corrupt, not a store of this kind, a disk error...)."""


class StoreBusyError(FlowConflictError):
    """Another process held the database longer than the busy timeout; nothing changed."""


@dataclass
class Stats:
    """What a database did: statements executed and transactions committed."""

    statements: int = 0
    commits: int = 0
    rollbacks: int = 0


class Database(ABC):
    """A database the stores share; `transaction()` is the unit of work."""

    name: str
    stats: Stats

    @abstractmethod
    def transaction(self, savepoint: bool = True) -> Any:
        """A context manager: one unit of work. Nested, it is a savepoint (an inner failure
        the caller catches undoes only the inner part); with savepoint=False it joins the
        outer transaction at no cost -- for a store's own all-or-nothing writes -- and a
        failure inside it that someone catches makes the whole transaction refuse to
        commit (a StoreError), so a half-done write can never be committed."""

    @property
    @abstractmethod
    def in_transaction(self) -> bool:
        """True inside transaction()."""

    def on_commit(self, fn: Callable[[], None]) -> None:
        """Run fn once the outermost transaction has committed (now, outside one); it is
        dropped if the transaction rolls back. For state kept beside the database (a
        host's live continuations) that must never describe an uncommitted change."""
        if self.in_transaction:
            self._after.append(fn)
        else:
            fn()

    def on_rollback(self, undo: Callable[[], None]) -> None:
        """Register how to undo a change just made beside the database (or, for the
        memory stores, in it): run, newest first, if the change's transaction or
        savepoint rolls back; forgotten at commit. Ignored outside a transaction."""
        if self.in_transaction:
            self._undo.append(undo)

    def _undo_to(self, mark: int) -> None:
        while len(self._undo) > mark:
            self._undo.pop()()

    def _committed(self) -> None:
        after, self._after = self._after, []
        for fn in after:
            fn()

    def close(self) -> None:  # noqa: B027 -- optional hook
        """Release the connection."""


def _is_busy(e: sqlite3.Error) -> bool:
    text = str(e).lower()
    return isinstance(e, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class SQLiteDatabase(Database):
    """An SQLite file (created if missing), or ":memory:" for a private one."""

    def __init__(self, path: str | Path, timeout: float = 30.0) -> None:
        self.path = str(path)
        self.name = self.path
        self.stats = Stats()
        self._depth = 0
        self._doomed: int | None = None  # depth of a failed savepoint-less block
        self._after: list[Callable[[], None]] = []
        self._undo: list[Callable[[], None]] = []
        try:
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            self._db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            self._enter_wal(timeout)
            self._db.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as e:
            raise self.error(e, "cannot open the database") from e

    def _enter_wal(self, timeout: float) -> None:
        """Switch a file to WAL. SQLite does not call the busy handler for a journal-mode
        change, so processes opening a fresh file together see `database is locked` at
        once: retry it here, bounded by the busy timeout."""
        deadline = time.monotonic() + timeout
        pause = 0.002
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as e:
                if not _is_busy(e) or time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.05)

    # -- errors ---------------------------------------------------------------------------
    def error(self, e: sqlite3.Error, doing: str) -> FlowError:
        """The FlowError for an sqlite3 error met while `doing` something."""
        if _is_busy(e):
            return StoreBusyError(
                f"{self.path}: {doing}: the database stayed locked by another process; "
                "nothing was changed (retry)"
            )
        return StoreError(f"{self.path}: {doing}: {e}")

    # -- statements -----------------------------------------------------------------------
    def execute(self, sql: str, args: tuple | list = ()) -> sqlite3.Cursor:
        """Run one statement (sqlite3 errors are left to the caller to convert)."""
        self.stats.statements += 1
        return self._db.execute(sql, args)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        """Run one statement for many rows (counted once)."""
        self.stats.statements += 1
        return self._db.executemany(sql, rows)

    def query(self, sql: str, args: tuple | list = (), doing: str = "cannot read") -> list:
        """All rows of a query, sqlite3 errors converted."""
        try:
            return self.execute(sql, args).fetchall()
        except sqlite3.Error as e:
            raise self.error(e, doing) from e

    # -- transactions ---------------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def transaction(self, savepoint: bool = True) -> Iterator[SQLiteDatabase]:
        if self._depth == 0:
            try:
                self.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise self.error(e, "cannot begin a transaction") from e
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._depth = 0
                self._doomed = None
                self._after.clear()
                self._rollback("ROLLBACK")
                self._undo_to(0)
                raise
            self._depth = 0
            if self._doomed is not None:
                self._doomed = None
                self._after.clear()
                self._rollback("ROLLBACK")
                self._undo_to(0)
                raise StoreError(
                    f"{self.path}: a write inside this transaction failed part-way and its "
                    "error was caught; nothing was committed"
                )
            try:
                self.execute("COMMIT")
            except sqlite3.Error as e:
                self._after.clear()
                self._rollback("ROLLBACK")
                self._undo_to(0)
                raise self.error(e, "cannot commit") from e
            self._undo.clear()
            self.stats.commits += 1
            self._committed()
            return
        if not savepoint:
            self._depth += 1
            try:
                yield self
            except BaseException:
                if self._doomed is None:
                    self._doomed = self._depth
                raise
            finally:
                self._depth -= 1
            return
        name = f"sp{self._depth}"
        self.execute(f"SAVEPOINT {name}")
        self._depth += 1
        after, mark = len(self._after), len(self._undo)
        try:
            yield self
        except BaseException:
            del self._after[after:]
            self._undo_to(mark)
            if self._doomed is not None and self._doomed >= self._depth:
                self._doomed = None  # the savepoint undid the failed part
            self._depth -= 1
            self._rollback(f"ROLLBACK TO {name}")
            self.execute(f"RELEASE {name}")
            raise
        self._depth -= 1
        self.execute(f"RELEASE {name}")

    def _rollback(self, sql: str) -> None:
        self.stats.rollbacks += 1
        try:
            if self._db.in_transaction:
                self.execute(sql)
        except sqlite3.Error:  # the connection is gone; SQLite rolls back on its own
            pass

    def close(self) -> None:
        self._db.close()


class MemoryDatabase(Database):
    """Transactions for the in-memory stores: a lock and an undo log."""

    def __init__(self) -> None:
        self.name = "<memory>"
        self.stats = Stats()
        self._lock = threading.RLock()
        self._undo: list[Callable[[], None]] = []
        self._after: list[Callable[[], None]] = []
        self._depth = 0

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def transaction(self, savepoint: bool = True) -> Iterator[MemoryDatabase]:
        # the undo log is fine-grained at no cost: every level is a savepoint here
        with self._lock:
            mark, after = len(self._undo), len(self._after)
            self._depth += 1
            try:
                yield self
            except BaseException:
                del self._after[after:]
                self._depth -= 1
                while len(self._undo) > mark:
                    self._undo.pop()()
                if self._depth == 0:
                    self._after.clear()
                    self.stats.rollbacks += 1
                raise
            self._depth -= 1
            if self._depth == 0:
                self._undo.clear()
                self.stats.commits += 1
                self._committed()


def is_database_url(target: object) -> bool:
    """True for a `postgresql://` or `postgres://` URL (anything else is a file path)."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def is_postgres(db: Database) -> bool:
    """True for a PostgresDatabase (without importing the driver for an SQLite one)."""
    pg = sys.modules.get("flowhost.pg")
    return pg is not None and isinstance(db, pg.PostgresDatabase)


def open_database(target: str | Path, **options: Any) -> Database:
    """The database a path or URL names: a `postgresql://` (or `postgres://`) URL is a
    PostgresDatabase (pg.py; needs the `postgres` extra), a file path is SQLite (created if
    missing)."""
    text = str(target)
    if is_database_url(text):
        from .pg import PostgresDatabase

        return PostgresDatabase(text, **options)
    return SQLiteDatabase(target, **options)
