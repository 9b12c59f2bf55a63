"""Where reservations live: per item a reserved count, per order its claims.

A claim is atomic and conditional: for each line, `reserved + qty <= on_hand` is checked
and the count raised in one statement (SQLite: an upsert whose update has a WHERE), all
lines inside one savepoint of the caller's unit of work. Two workers can never both take
the last unit: the second one's statement matches no row and its claim fails whole. An
order claims once (its claim rows are keyed by order), and `release(order)` gives its
units back once. On-hand figures come from the shop's catalog; the store keeps what is
reserved.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flowhost.db import Database, MemoryDatabase, SQLiteDatabase
from flowhost.errors import FlowError

from ..errors import CommerceError, ConflictError

Key = tuple[str, str | None]


@dataclass(frozen=True, slots=True)
class Want:
    """One line of a claim: the item, how many, and how many the shop holds."""

    sku: str
    variant: str | None
    qty: int
    on_hand: int


class StockStoreError(CommerceError):
    """The stock tables could not be used."""


class StockStore(ABC):
    """Reserved counts and per-order claims, in a database shared with the ledger."""

    db: Database

    @abstractmethod
    def claim(self, order: str, wants: Sequence[Want]) -> list[tuple[Want, int]]:
        """Reserve every line or none: returns [] when done (or when `order` had claimed
        already), else each (want, available) that did not fit, with nothing changed."""

    @abstractmethod
    def release(self, order: str) -> bool:
        """Give back what `order` holds; False when it held nothing (or released already)."""

    @abstractmethod
    def reserved(self, key: Key) -> int:
        """Units of the item held by orders."""

    @abstractmethod
    def all_reserved(self) -> dict[Key, int]:
        """Every item's reserved count."""

    @abstractmethod
    def has_claims(self) -> bool:
        """True once any order has claimed (used to migrate an older ledger once)."""


class MemoryStockStore(StockStore):
    """Reservations in dicts; on a shared MemoryDatabase a rollback undoes a claim."""

    def __init__(self, db: MemoryDatabase | None = None) -> None:
        self.db = db if db is not None else MemoryDatabase()
        self._reserved: dict[Key, int] = {}
        self._claims: dict[str, list[Want] | None] = {}  # None: released

    def claim(self, order: str, wants: Sequence[Want]) -> list[tuple[Want, int]]:
        with self.db.transaction():
            if order in self._claims:
                return []
            short = []
            for w in wants:
                held = self._reserved.get((w.sku, w.variant), 0)
                if held + w.qty > w.on_hand:
                    short.append((w, w.on_hand - held))
            if short:
                return short
            for w in wants:
                key = (w.sku, w.variant)
                self._reserved[key] = self._reserved.get(key, 0) + w.qty
            self._claims[order] = list(wants)

            def undo() -> None:
                for w in wants:
                    self._reserved[(w.sku, w.variant)] -= w.qty
                del self._claims[order]

            assert isinstance(self.db, MemoryDatabase)
            self.db.on_rollback(undo)
            return []

    def release(self, order: str) -> bool:
        with self.db.transaction():
            wants = self._claims.get(order)
            if not wants:
                return False
            for w in wants:
                self._reserved[(w.sku, w.variant)] -= w.qty
            self._claims[order] = None

            def undo() -> None:
                for w in wants:
                    self._reserved[(w.sku, w.variant)] += w.qty
                self._claims[order] = wants

            assert isinstance(self.db, MemoryDatabase)
            self.db.on_rollback(undo)
            return True

    def reserved(self, key: Key) -> int:
        return self._reserved.get(key, 0)

    def all_reserved(self) -> dict[Key, int]:
        return dict(self._reserved)

    def has_claims(self) -> bool:
        return bool(self._claims)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS stock_levels (
    sku TEXT NOT NULL,
    variant TEXT NOT NULL,          -- '' for the product itself
    on_hand INTEGER NOT NULL,
    reserved INTEGER NOT NULL CHECK (reserved >= 0),
    PRIMARY KEY (sku, variant)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stock_claims (
    order_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    variant TEXT NOT NULL,
    qty INTEGER NOT NULL,
    released INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, sku, variant)
) WITHOUT ROWID;
"""


def _v(variant: str | None) -> str:
    return "" if variant is None else variant


class SQLiteStockStore(StockStore):
    """Reservations in the tables `stock_levels` and `stock_claims`."""

    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db
        try:
            with db.transaction():
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        db.execute(stmt)
        except (sqlite3.Error, FlowError) as e:
            raise self._error(e, "cannot open the stock tables") from e

    def _error(self, e: Exception, doing: str) -> CommerceError:
        err = self.db.error(e, doing) if isinstance(e, sqlite3.Error) else e
        if isinstance(err, FlowError) and "locked" in str(err):
            return ConflictError(str(err))
        return StockStoreError(str(err))

    def _run(self, doing: str, fn: Any, savepoint: bool = False) -> Any:
        try:
            with self.db.transaction(savepoint=savepoint):
                return fn()
        except (sqlite3.Error, FlowError) as e:
            raise self._error(e, doing) from e

    def claim(self, order: str, wants: Sequence[Want]) -> list[tuple[Want, int]]:
        def run() -> list[tuple[Want, int]]:
            db = self.db
            held = db.execute("SELECT 1 FROM stock_claims WHERE order_id = ? LIMIT 1", (order,))
            if held.fetchone():
                return []
            short = []
            for w in wants:
                if w.qty > w.on_hand:
                    short.append((w, w.on_hand - self.reserved((w.sku, w.variant))))
                    continue
                cur = db.execute(
                    "INSERT INTO stock_levels VALUES (?, ?, ?, ?) ON CONFLICT (sku, variant) "
                    "DO UPDATE SET on_hand = excluded.on_hand, "
                    "reserved = reserved + excluded.reserved "
                    "WHERE reserved + excluded.reserved <= excluded.on_hand",
                    (w.sku, _v(w.variant), w.on_hand, w.qty),
                )
                if cur.rowcount == 0:
                    short.append((w, w.on_hand - self.reserved((w.sku, w.variant))))
            if short:
                raise _Short(short)
            db.executemany(
                "INSERT INTO stock_claims (order_id, sku, variant, qty) VALUES (?, ?, ?, ?)",
                [(order, w.sku, _v(w.variant), w.qty) for w in wants],
            )
            return []

        try:
            # a savepoint: a claim that does not fit undoes its partial upserts
            return self._run(f"cannot reserve stock for {order!r}", run, savepoint=True)
        except _Short as s:  # the savepoint rolled the partial claim back
            return s.short

    def release(self, order: str) -> bool:
        def run() -> bool:
            rows = self.db.execute(
                "SELECT sku, variant, qty FROM stock_claims WHERE order_id = ? AND released = 0",
                (order,),
            ).fetchall()
            for sku, variant, qty in rows:
                self.db.execute(
                    "UPDATE stock_levels SET reserved = reserved - ? WHERE sku = ? AND variant = ?",
                    (qty, sku, variant),
                )
            if rows:
                self.db.execute("UPDATE stock_claims SET released = 1 WHERE order_id = ?", (order,))
            return bool(rows)

        return self._run(f"cannot release the stock of {order!r}", run)

    def reserved(self, key: Key) -> int:
        rows = self.db.query(
            "SELECT reserved FROM stock_levels WHERE sku = ? AND variant = ?",
            (key[0], _v(key[1])),
        )
        return rows[0][0] if rows else 0

    def all_reserved(self) -> dict[Key, int]:
        rows = self.db.query("SELECT sku, variant, reserved FROM stock_levels")
        return {(s, v or None): r for s, v, r in rows}

    def has_claims(self) -> bool:
        return bool(self.db.query("SELECT 1 FROM stock_claims LIMIT 1"))


class _Short(Exception):
    """A claim that did not fit: raised through the savepoint so it rolls back."""

    def __init__(self, short: list[tuple[Want, int]]) -> None:
        self.short = short
