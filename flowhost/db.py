"""One database, shared by the flow store, the ledger and the stock: the unit of work.

A service step -- the ledger append, the stock claim, the flow's new state and its log
step -- must commit together or not at all. So the stores do not own connections: they
are given a `Database`, and `db.transaction()` opens one unit of work that every store
on the same database joins. Transactions nest: an inner one is a savepoint, so an inner
failure that the caller catches undoes only the inner part; the outermost one commits.
An inner one with savepoint=False costs nothing: it joins the outer one, and a failure
inside it after it wrote something makes the whole transaction refuse to commit.

- `SQLDatabase`: what the SQL databases share -- one connection, the transaction state
  (depth, savepoints, the doomed flag, commit and rollback hooks, `cache`), statement
  and commit counts -- with small per-dialect hooks (how to begin, name a savepoint,
  count the rows written, convert a driver error).
- `SQLiteDatabase(path)`: one connection, WAL, `synchronous=FULL` (a payment acknowledged
  to a provider must survive a power cut, not only a crash), `BEGIN IMMEDIATE` for the
  outermost transaction, so writers on one file are serialised by SQLite and everything
  read inside a transaction is current. A lock that is not released within the busy
  timeout is a `StoreBusyError`, which is a `FlowConflictError`: contention always
  surfaces as a conflict, never as "database is locked". PostgreSQL is pg.py.
- `MemoryDatabase()`: the same semantics in memory for tests: a re-entrant lock held for
  the outermost transaction, and an undo log that the stores fill, replayed backwards on
  rollback.

`db.cache` is a dict that lives as long as the outermost transaction (emptied at its end
and when a savepoint rolls back): a store keeps there what it read or wrote in this unit
of work, so a step never reads the same row twice (flows: sql_store.py). Every database
counts statements and commits (`db.stats`), which the benchmarks print.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
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


class _Outer:
    """The outermost transaction of an SQLDatabase (one per database, reused)."""

    __slots__ = ("db",)

    def __init__(self, db: SQLDatabase) -> None:
        self.db = db

    def __enter__(self) -> Any:
        self.db._begin()
        return self.db

    def __exit__(self, et: Any, e: Any, tb: Any) -> bool:
        if et is None:
            self.db._commit()
        else:
            self.db._abort()
        return False


class _Join:
    """A nested transaction without a savepoint (one per database, reused): a failure
    that leaves rows written behind dooms the transaction."""

    __slots__ = ("db",)

    def __init__(self, db: SQLDatabase) -> None:
        self.db = db

    def __enter__(self) -> Any:
        db = self.db
        db._marks.append(db._changes())
        db._depth += 1
        return db

    def __exit__(self, et: Any, e: Any, tb: Any) -> bool:
        db = self.db
        db._depth -= 1
        mark = db._marks.pop()
        if et is not None and db._changes() != mark:
            db._doomed = True
        return False


class _Savepoint:
    """A nested transaction that is a savepoint: a failure undoes only its part."""

    __slots__ = ("db", "name", "after", "undo", "doomed")

    def __init__(self, db: SQLDatabase) -> None:
        self.db = db

    def __enter__(self) -> Any:
        db = self.db
        self.name = f"sp{db._depth}"
        try:
            db.execute(f"SAVEPOINT {self.name}")
        except db.driver_errors as e:
            raise db.error(e, "cannot open a savepoint") from e
        self.after, self.undo, self.doomed = len(db._after), len(db._undo), db._doomed
        db._depth += 1
        return db

    def __exit__(self, et: Any, e: Any, tb: Any) -> bool:
        db = self.db
        db._depth -= 1
        if et is None:
            try:
                db.execute(db._release_sql(self.name))
            except db.driver_errors as e:
                raise db.error(e, "cannot release a savepoint") from e
            return False
        del db._after[self.after :]
        db._undo_to(self.undo)
        db._doomed = self.doomed  # whatever failed inside is undone with the savepoint
        db.cache.clear()
        for sql in db._rollback_to_sql(self.name):
            db._rollback(sql)
        return False


class SQLDatabase(Database):
    """A database on one driver connection: the transactions of SQLite and PostgreSQL,
    with the dialect's hooks (`_BEGIN`, `_release_sql`, `_rollback_to_sql`, `_changes`,
    `_rollback`, `error`, `driver_errors`) filled in by the subclass."""

    _BEGIN = "BEGIN"
    driver_errors: tuple[type[BaseException], ...] = ()
    path: str

    def __init__(self) -> None:
        self.stats = Stats()
        self.cache: dict[Any, Any] = {}
        self._depth = 0
        self._doomed = False  # a join failed after writing: the transaction must not commit
        self._marks: list[int] = []
        self._after: list[Callable[[], None]] = []
        self._undo: list[Callable[[], None]] = []
        self._outer, self._join = _Outer(self), _Join(self)

    @abstractmethod
    def error(self, e: BaseException, doing: str) -> FlowError:
        """The FlowError for a driver error met while `doing` something."""

    @abstractmethod
    def execute(self, sql: str, args: tuple | list = ()) -> Any:
        """Run one statement (driver errors are left to the caller to convert)."""

    @abstractmethod
    def _changes(self) -> int:
        """A count that grows with every row written (and every failed statement)."""

    @abstractmethod
    def _rollback(self, sql: str) -> None:
        """Run a ROLLBACK statement, ignoring a connection that is gone."""

    def _release_sql(self, name: str) -> str:
        return f"RELEASE {name}"

    def _rollback_to_sql(self, name: str) -> list[str]:
        return [f"ROLLBACK TO {name}", f"RELEASE {name}"]

    def _can_commit(self) -> bool:
        """False when the connection can only roll back (a dialect's check)."""
        return True

    # -- transactions ---------------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def transaction(self, savepoint: bool = True) -> Any:
        if self._depth == 0:
            return self._outer
        return _Savepoint(self) if savepoint else self._join

    def _begin(self) -> None:
        try:
            self.execute(self._BEGIN)
        except self.driver_errors as e:
            raise self.error(e, "cannot begin a transaction") from e
        self._depth = 1

    def _abort(self) -> None:
        self._depth = 0
        self._doomed = False
        self._marks.clear()
        self._after.clear()
        self.cache.clear()
        self._rollback("ROLLBACK")
        self._undo_to(0)

    def _commit(self) -> None:
        if self._doomed or not self._can_commit():
            self._abort()
            raise StoreError(
                f"{self.path}: a write inside this transaction failed part-way and its "
                "error was caught; nothing was committed"
            )
        self._depth = 0
        try:
            self.execute("COMMIT")
        except self.driver_errors as e:
            self._abort()
            raise self.error(e, "cannot commit") from e
        self._undo.clear()
        self.cache.clear()
        self.stats.commits += 1
        self._committed()


def _is_busy(e: sqlite3.Error) -> bool:
    text = str(e).lower()
    return isinstance(e, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class SQLiteDatabase(SQLDatabase):
    """An SQLite file (created if missing), or ":memory:" for a private one."""

    _BEGIN = "BEGIN IMMEDIATE"
    driver_errors = (sqlite3.Error,)

    def __init__(self, path: str | Path, timeout: float = 30.0) -> None:
        super().__init__()
        self.path = str(path)
        self.name = self.path
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
    def error(self, e: BaseException, doing: str) -> FlowError:
        """The FlowError for an sqlite3 error met while `doing` something."""
        if isinstance(e, FlowError):
            return e
        if isinstance(e, sqlite3.Error) and _is_busy(e):
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

    # -- the dialect's hooks --------------------------------------------------------------
    def _changes(self) -> int:
        # rows written by statements that completed (a failed statement is undone by SQLite)
        return self._db.total_changes

    def _rollback(self, sql: str) -> None:
        self.stats.rollbacks += 1
        try:
            if self._db.in_transaction:
                self.execute(sql)
        except sqlite3.Error:  # the connection is gone; SQLite rolls back on its own
            pass

    def close(self) -> None:
        self._db.close()


class _MemoryTx:
    """A transaction (any level) of a MemoryDatabase: every level is a savepoint here, as
    the undo log is fine-grained at no cost."""

    __slots__ = ("db", "mark", "after")

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db

    def __enter__(self) -> Any:
        db = self.db
        db._lock.acquire()
        self.mark, self.after = len(db._undo), len(db._after)
        db._depth += 1
        return db

    def __exit__(self, et: Any, e: Any, tb: Any) -> bool:
        db = self.db
        try:
            db._depth -= 1
            if et is not None:
                del db._after[self.after :]
                while len(db._undo) > self.mark:
                    db._undo.pop()()
                if db._depth == 0:
                    db._after.clear()
                    db.stats.rollbacks += 1
            elif db._depth == 0:
                db._undo.clear()
                db.stats.commits += 1
                db._committed()
        finally:
            db._lock.release()
        return False


class MemoryDatabase(Database):
    """Transactions for the in-memory stores: a lock and an undo log."""

    def __init__(self) -> None:
        self.name = "<memory>"
        self.stats = Stats()
        self.cache: dict[Any, Any] = {}  # (unused: memory stores read their dicts)
        self._lock = threading.RLock()
        self._undo: list[Callable[[], None]] = []
        self._after: list[Callable[[], None]] = []
        self._depth = 0

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def transaction(self, savepoint: bool = True) -> Any:
        return _MemoryTx(self)


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
