"""PostgreSQL as the shared database (db.py's interface): `PostgresDatabase(url)`.

Isolation: READ COMMITTED plus row locks, chosen so that workers wait for each other
instead of failing and retrying. Every statement sees what is committed when it starts,
so a store re-reads inside the transaction whatever it decides on, under a lock:

- a flow update names the version it read (`UPDATE ... WHERE version = %s`, re-checked by
  PostgreSQL on the latest row under its lock), so a step decided on a stale read of a
  flow commits nothing and raises FlowConflictError (pg_store.py explains why the read
  is not FOR UPDATE: lock order);
- a ledger append first takes a transaction-scoped advisory lock on its stream, then
  reads the stream's version and the idempotency keys (UNIQUE (stream, version) and
  UNIQUE key stay as a backstop, mapped to the ledger's conflict error);
- a stock claim is one conditional upsert per line (`ON CONFLICT DO UPDATE ... WHERE
  reserved + qty <= on_hand`), which PostgreSQL evaluates on the latest row version
  under its row lock; the order's claim is serialised by an advisory lock on the order;
- an export or import locks the flows table against writers (SHARE ROW EXCLUSIVE) for
  the rest of the transaction, so a restart (export, reset, import in one transaction)
  never writes back a snapshot another worker has moved past.

The outermost `transaction()` is BEGIN ... COMMIT; a nested one is a savepoint, so an
inner failure the caller catches (a unique violation, a conflict) undoes only the inner
part and the transaction stays usable; with savepoint=False it joins the outer one (the
transaction logic is db.SQLDatabase's, shared with SQLite). Serialization failures,
deadlocks and lock timeouts are `StoreBusyError` (a FlowConflictError: nothing changed,
retry); any other driver error is a `StoreError` naming the server and what was being
done. The driver is psycopg 3, from the optional extra `postgres`; without it opening a
URL is one StoreError.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .db import SQLDatabase, StoreBusyError, StoreError
from .errors import FlowError

try:  # the driver is optional: only a postgresql:// URL needs it
    import psycopg
    from psycopg import errors as pg_errors
except ImportError:  # pragma: no cover -- exercised by installs without the extra
    psycopg = None  # type: ignore[assignment]
    pg_errors = None  # type: ignore[assignment]

MISSING_DRIVER = (
    "PostgreSQL needs the psycopg driver: install it with pip install -e '.[postgres]' "
    "(or pip install 'psycopg[binary]>=3.1')"
)

# SQLSTATEs meaning "another transaction was in the way; nothing changed, retry"
_BUSY = {"40001", "40P01", "55P03", "57014"}  # serialization, deadlock, lock/statement timeout


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{user}{host}{parts.path}{query}"


def is_unique_violation(e: BaseException) -> bool:
    """True for a driver error that is a UNIQUE (or primary key) violation."""
    return getattr(e, "sqlstate", None) == "23505"


def driver_error_types() -> tuple[type[BaseException], ...]:
    """The exception classes a store catches around its statements."""
    return (psycopg.Error,) if psycopg is not None else ()


class PostgresDatabase(SQLDatabase):
    """One connection to a PostgreSQL database named by a `postgresql://` URL."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        if psycopg is None:
            raise StoreError(MISSING_DRIVER)
        super().__init__()
        self.driver_errors = (psycopg.Error,)
        self.url = url
        self.name = self.path = describe(url)
        self._written = 0
        try:
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(timeout)))
            self._db.execute(f"SET lock_timeout = '{int(timeout * 1000)}ms'")
            self._db.execute("SET default_transaction_isolation = 'read committed'")
            self._db.execute("SET client_min_messages = warning")
        except psycopg.Error as e:
            raise self.error(e, "cannot open the database") from e

    # -- errors ---------------------------------------------------------------------------
    def error(self, e: BaseException, doing: str) -> FlowError:
        """The FlowError for a driver error met while `doing` something."""
        if isinstance(e, FlowError):
            return e
        state = getattr(e, "sqlstate", None)
        text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if state in _BUSY:
            return StoreBusyError(
                f"{self.name}: {doing}: another transaction was in the way ({text}); nothing "
                "was changed (retry)"
            )
        return StoreError(f"{self.name}: {doing}: {text}")

    # -- statements -----------------------------------------------------------------------
    def execute(self, sql: str, args: tuple | list = ()) -> Any:
        """Run one statement (`%s` placeholders; driver errors are left to the caller)."""
        self.stats.statements += 1
        try:
            cur = self._db.execute(sql, args or None)
        except BaseException:
            self._written += 1  # a failed statement aborts the transaction: like a write
            raise
        if cur.rowcount != 0 and not sql.startswith("SELECT"):
            self._written += 1  # (rowcount is -1 for a statement that is not DML)
        return cur

    def executemany(self, sql: str, rows: Any) -> Any:
        """Run one statement for many rows (counted once)."""
        rows = list(rows)
        self.stats.statements += 1
        self._written += 1
        if not rows:
            return None
        with self._db.cursor() as cur:
            cur.executemany(sql, rows)
            return cur

    def query(self, sql: str, args: tuple | list = (), doing: str = "cannot read") -> list:
        """All rows of a query, driver errors converted."""
        try:
            return self.execute(sql, args).fetchall()
        except psycopg.Error as e:
            raise self.error(e, doing) from e

    # -- the dialect's hooks --------------------------------------------------------------
    # A join (savepoint=False) needs no savepoint here either: a statement that fails in
    # it counts as a write, so the transaction, which PostgreSQL has aborted, is doomed.
    def _changes(self) -> int:
        return self._written

    def _release_sql(self, name: str) -> str:
        return f"RELEASE SAVEPOINT {name}"

    def _rollback_to_sql(self, name: str) -> list[str]:
        return [f"ROLLBACK TO SAVEPOINT {name}"]

    def _can_commit(self) -> bool:
        # an error someone caught outside any savepoint left the transaction aborted, and
        # PostgreSQL would answer COMMIT with a silent ROLLBACK
        return self._db.info.transaction_status != psycopg.pq.TransactionStatus.INERROR

    def _rollback(self, sql: str) -> None:
        self.stats.rollbacks += 1
        try:
            self.execute(sql)
        except psycopg.Error:  # the connection is gone; the server rolls back on its own
            pass

    def close(self) -> None:
        self._db.close()


def ensure_schema_versions(db: PostgresDatabase) -> None:
    """The table recording each component's schema version (created once, race-free)."""
    db.execute("SELECT pg_advisory_xact_lock(hashtextextended('schema_versions', 0))")
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_versions "
        "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    )


def schema_version(db: PostgresDatabase, component: str) -> int | None:
    """The schema version `component` is at in this database, or None (not created)."""
    row = db.execute(
        "SELECT version FROM schema_versions WHERE component = %s", (component,)
    ).fetchone()
    return None if row is None else int(row[0])


def open_schema(
    db: PostgresDatabase,
    component: str,
    version: int,
    create: list[str],
    what: str,
    migrate: dict[int, list[str]] | None = None,
) -> None:
    """Create `component`'s tables on first open (one transaction, serialised by an
    advisory lock so two processes opening a new database at once do not collide), or
    check that the stored version is the one this code reads; `migrate[v]` are the
    statements that take version v to v + 1, run in order up to `version`."""
    try:
        with db.transaction():
            ensure_schema_versions(db)
            have = schema_version(db, component)
            if have is None:
                for stmt in create:
                    db.execute(stmt)
                db.execute("INSERT INTO schema_versions VALUES (%s, %s)", (component, version))
            elif have < version and migrate and all(v in migrate for v in range(have, version)):
                for v in range(have, version):
                    for stmt in migrate[v]:
                        db.execute(stmt)
                db.execute(
                    "UPDATE schema_versions SET version = %s WHERE component = %s",
                    (version, component),
                )
            elif have != version:
                raise StoreError(f"{db.name}: {what} schema {have}, this version reads {version}")
    except driver_error_types() as e:
        raise db.error(e, f"cannot open the {what}") from e
