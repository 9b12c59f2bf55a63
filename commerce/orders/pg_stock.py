"""Reservations in PostgreSQL: the SQLite stock store's tables and guarantees on a server.

A claim takes a transaction-scoped advisory lock on its order (one claim per order,
however many workers try), then raises each line's reserved count with one conditional
upsert (`ON CONFLICT DO UPDATE ... WHERE reserved + qty <= on_hand`): PostgreSQL
evaluates the condition on the latest committed row under its row lock, so two workers
can never both take the last unit -- the second one's statement updates no row and its
claim fails whole (its savepoint undone). A release flips the order's unreleased claim
rows in one `UPDATE ... RETURNING`, so it gives units back once. `CHECK (reserved >= 0)`
backs it all up.

Schema: component `stock` version 1 in `schema_versions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flowhost.errors import FlowConflictError, FlowError
from flowhost.pg import PostgresDatabase, driver_error_types, open_schema

from ..errors import CommerceError, ConflictError
from .stock_store import Key, StockStore, StockStoreError, Want, _Short, _v

SCHEMA_VERSION = 1

_SCHEMA = [
    """CREATE TABLE stock_levels (
        sku TEXT NOT NULL,
        variant TEXT NOT NULL,
        on_hand BIGINT NOT NULL,
        reserved BIGINT NOT NULL CHECK (reserved >= 0),
        PRIMARY KEY (sku, variant)
    )""",
    """CREATE TABLE stock_claims (
        order_id TEXT NOT NULL,
        sku TEXT NOT NULL,
        variant TEXT NOT NULL,
        qty BIGINT NOT NULL,
        released BOOLEAN NOT NULL DEFAULT false,
        PRIMARY KEY (order_id, sku, variant)
    )""",
]


class PostgresStockStore(StockStore):
    """Reservations in the tables `stock_levels` and `stock_claims`."""

    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db
        try:
            open_schema(db, "stock", SCHEMA_VERSION, _SCHEMA, "stock tables")
        except FlowError as e:
            raise self._error(e, "cannot open the stock tables") from e

    def _error(self, e: BaseException, doing: str) -> CommerceError:
        err = e if isinstance(e, FlowError) else self.db.error(e, doing)
        if isinstance(err, FlowConflictError):
            return ConflictError(str(err))
        return StockStoreError(str(err))

    def _run(self, doing: str, fn: Any) -> Any:
        try:
            with self.db.transaction():
                return fn()
        except (*driver_error_types(), FlowError) as e:
            raise self._error(e, doing) from e

    def claim(self, order: str, wants: Sequence[Want]) -> list[tuple[Want, int]]:
        def run() -> list[tuple[Want, int]]:
            db = self.db
            db.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('stock:' || %s, 0))", (order,)
            )
            held = db.execute("SELECT 1 FROM stock_claims WHERE order_id = %s LIMIT 1", (order,))
            if held.fetchone():
                return []
            short: list[tuple[int, tuple[Want, int]]] = []
            # rows are locked in one order (sku, variant) whatever the cart's: no deadlock
            for n, w in sorted(enumerate(wants), key=lambda nw: (nw[1].sku, _v(nw[1].variant))):
                if w.qty > w.on_hand:
                    short.append((n, (w, w.on_hand - self.reserved((w.sku, w.variant)))))
                    continue
                cur = db.execute(
                    "INSERT INTO stock_levels AS s VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (sku, variant) DO UPDATE SET on_hand = excluded.on_hand, "
                    "reserved = s.reserved + excluded.reserved "
                    "WHERE s.reserved + excluded.reserved <= excluded.on_hand",
                    (w.sku, _v(w.variant), w.on_hand, w.qty),
                )
                if cur.rowcount == 0:
                    short.append((n, (w, w.on_hand - self.reserved((w.sku, w.variant)))))
            if short:
                raise _Short([s for _, s in sorted(short, key=lambda x: x[0])])
            db.executemany(
                "INSERT INTO stock_claims (order_id, sku, variant, qty) VALUES (%s, %s, %s, %s)",
                [(order, w.sku, _v(w.variant), w.qty) for w in wants],
            )
            return []

        try:
            return self._run(f"cannot reserve stock for {order!r}", run)
        except _Short as s:  # the savepoint rolled the partial claim back
            return s.short

    def release(self, order: str) -> bool:
        def run() -> bool:
            rows = self.db.execute(
                "UPDATE stock_claims SET released = true WHERE order_id = %s AND NOT released "
                "RETURNING sku, variant, qty",
                (order,),
            ).fetchall()
            for sku, variant, qty in sorted(rows):  # one order of row locks: no deadlock
                self.db.execute(
                    "UPDATE stock_levels SET reserved = reserved - %s "
                    "WHERE sku = %s AND variant = %s",
                    (qty, sku, variant),
                )
            return bool(rows)

        return self._run(f"cannot release the stock of {order!r}", run)

    def reserved(self, key: Key) -> int:
        rows = self.db.query(
            "SELECT reserved FROM stock_levels WHERE sku = %s AND variant = %s",
            (key[0], _v(key[1])),
        )
        return int(rows[0][0]) if rows else 0

    def all_reserved(self) -> dict[Key, int]:
        rows = self.db.query("SELECT sku, variant, reserved FROM stock_levels")
        return {(s, v or None): int(r) for s, v, r in rows}

    def has_claims(self) -> bool:
        return bool(self.db.query("SELECT 1 FROM stock_claims LIMIT 1"))
