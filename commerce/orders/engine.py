"""The commerce engine: one flow host, one ledger, the shop, and the services on them.

    engine = Engine.open("shop.db", load_shop("examples/shop.json"))
    q = engine.quote(cart, jurisdiction="UK")
    engine.orders.begin("o-1001", cart, q)          # waits on payment
    engine.orders.settle("o-1001", "pay_1", q.total)
    engine.refunds.request("o-1001", "r-1", 500)

On disk the flow store and the ledger share one SQLite file (their tables are prefixed
`flow*` and `ledger_*`); `Engine()` without a file keeps both in memory. Opening an
engine on an existing file is a restart: suspended orders settle as if nothing happened.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from flowhost import (
    Database,
    FlowHost,
    HandlerError,
    MemoryDatabase,
    MemoryStore,
    SQLiteDatabase,
)
from flowhost.db import is_postgres, open_database

from ..errors import ConflictError, InvalidFieldError, OrderStateError
from ..ledger.events import OrderCreated
from ..ledger.recon import ActionNeeded, Reconciliation, needs_action, reconcile_rows
from ..ledger.store import Ledger, MemoryLedger
from ..pricing.cart import Cart
from ..pricing.catalog import Catalog
from ..pricing.quote import GROSS, Quote, quote
from ..pricing.shop import Shop
from .flowcalls import handler_failure, retrying, run_flow_step
from .orders import Orders
from .refunds import Refunds
from .stock import StockBook
from .stock_store import MemoryStockStore, SQLiteStockStore, StockStore, Want

DEFAULT_RETURN_URL = "https://shop.example/orders/{order}/paid"
_NO_CATALOG = Catalog.build([])  # an engine without a shop tracks no stock


def project_file(name: str) -> Path:
    """A file or directory at the top of the project (flows, examples): beside the package
    in a checkout or an editable install, else under <prefix>/share/commerce-flows."""
    here = Path(__file__).resolve().parents[2] / name
    if here.exists():
        return here
    return Path(sys.prefix) / "share" / "commerce-flows" / name


def flows_dir() -> Path:
    """The directory of the .scm flow sources ($COMMERCE_FLOWS_DIR or the project's flows/)."""
    given = os.environ.get("COMMERCE_FLOWS_DIR")
    return Path(given) if given else project_file("flows")


class Engine:
    """Quotes, orders, refunds and reconciliation over one flow host and one ledger."""

    def __init__(
        self,
        shop: Shop | None = None,
        flows: FlowHost | None = None,
        ledger: Ledger | None = None,
        *,
        stock: StockStore | None = None,
        clock: Callable[[], int] | None = None,
        return_url: str = DEFAULT_RETURN_URL,
        flow_sources: Path | None = None,
        payment_timeout: int | None = None,
    ) -> None:
        self.shop = shop
        # seconds an order may wait for payment: this, else the shop's, else no limit
        if payment_timeout is not None and (
            type(payment_timeout) is not int or payment_timeout <= 0
        ):
            raise InvalidFieldError(
                f"payment_timeout: expected a whole number of seconds above 0, got "
                f"{payment_timeout!r}"
            )
        self.payment_timeout = payment_timeout or (shop.payment_timeout if shop else None)
        self.clock = clock or (lambda: int(time.time()))
        db: Database = flows.store.db if flows is not None else MemoryDatabase()
        if flows is None:
            assert isinstance(db, MemoryDatabase)
            flows = FlowHost(MemoryStore(db), clock=self.clock)
        self.flows = flows
        self.flow_sources = flow_sources or flows_dir()
        for path in sorted(self.flow_sources.glob("*.scm")):
            self.flows.load_file(path)
        if ledger is None:
            ledger = MemoryLedger(db if isinstance(db, MemoryDatabase) else None)
        self.ledger = ledger
        if stock is None:
            shared = ledger.db
            stock = (
                SQLiteStockStore(shared)
                if isinstance(shared, SQLiteDatabase)
                else MemoryStockStore(shared if isinstance(shared, MemoryDatabase) else None)
            )
        self.db = db
        self.stock = StockBook(shop.catalog if shop else _NO_CATALOG, stock)
        if not stock.has_claims():
            self._claim_existing_orders()
        self.orders = Orders(
            self.flows,
            self.ledger,
            self.stock,
            clock=self.clock,
            return_url=return_url,
            payment_timeout=self.payment_timeout,
        )
        self.refunds = Refunds(self.flows, self.ledger, clock=self.clock)

    @classmethod
    def open(cls, db: str | Path, shop: Shop | None = None, **options: object) -> Engine:
        """An engine on one database (an SQLite file, created if missing, or a
        `postgresql://` URL) holding the flows, the ledger and the stock: every service
        step commits there as one unit."""
        from ..ledger.sqlite import SQLiteLedger

        database = open_database(db)
        clock = options.get("clock")
        host = FlowHost.open(database, **({"clock": clock} if clock else {}))
        if is_postgres(database):  # a postgresql:// URL
            from ..ledger.postgres import PostgresLedger
            from .pg_stock import PostgresStockStore

            options.setdefault("stock", PostgresStockStore(database))  # type: ignore[arg-type]
            return cls(shop, host, PostgresLedger(database), **options)  # type: ignore[arg-type]
        assert isinstance(database, SQLiteDatabase)
        return cls(shop, host, SQLiteLedger(database), **options)  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the flow store and the ledger."""
        self.flows.close()
        self.ledger.close()

    def _claim_existing_orders(self) -> None:
        """Once, on a ledger written before stock lived in the database: every order in it
        claims its lines (as it did then, from its creation), without a stock check."""
        if not self.ledger.has_events():
            return
        store = self.stock.store
        tracked = {(sku, variant) for _, sku, variant, _ in self.stock.catalog.stock.facts}
        if not tracked:  # no shop (or one that tracks no stock): nothing to claim
            return
        with self.db.transaction():
            if store.has_claims():
                return
            for _, recorded in self.ledger.read_all():
                created = recorded[0].event
                if isinstance(created, OrderCreated):
                    wants = [
                        Want(ln.sku, ln.variant, ln.qty, 1 << 62)
                        for ln in created.lines
                        if (ln.sku, ln.variant) in tracked
                    ]
                    store.claim(created.order, wants)

    def quote(
        self,
        cart: Cart,
        *,
        jurisdiction: str | None = None,
        member: bool = False,
        policy: str = GROSS,
        at: int | None = None,
    ) -> Quote:
        """The quote of `cart` in this engine's shop (at: now by the engine's clock)."""
        if self.shop is None:
            raise OrderStateError("this engine has no shop to quote from")
        return quote(
            self.shop,
            cart,
            at=self.clock() if at is None else at,
            jurisdiction=jurisdiction,
            member=member,
            policy=policy,
        )

    def recon(self) -> Reconciliation:
        """Every order's summary, as relations for reconciliation queries."""
        return reconcile_rows(self.ledger.recon_rows())

    def run_due(self) -> list:
        """Fire every flow timer that is due by the engine's clock (an order whose payment
        timeout passed expires: its stock released, OrderExpired recorded) and answer
        what those flows ask next; returns where each fired flow stands now. Safe to run
        in several workers at once: each timer fires once."""
        return run_flow_step("timers", self.flows.run_due)

    def needs_action(self, book: Reconciliation | None = None) -> list[ActionNeeded]:
        """The orders a person must act on (recon.needs_action): paid but not moving, and
        charges in the wrong currency. `book`: this engine's recon, when already made."""
        # only the orders holding a wrong-currency charge are read (events.WrongCurrencyPayment)
        streams = ((o, self.ledger.events(o)) for o in self.ledger.streams_keyed("wrong-currency"))
        return needs_action(book or self.recon(), self.orders.waiting_on, streams)

    def recover(self) -> list[str]:
        """Answer every flow request a crash left pending (reserve, fulfil), flow by flow;
        returns one line for each that was refused (e.g. the fulfilment of an order moved
        past payment without a payment in the ledger), the others are answered all the same.
        Safe beside workers and other recoveries: a flow another process moves meanwhile is
        read again and answered where it stands (retrying)."""
        refused = []
        for asked in self.flows.requests():
            line = retrying(lambda flow_id=asked.id: self._recover_flow(flow_id))
            if line is not None:
                refused.append(line)
        return refused

    def _recover_flow(self, flow_id: int) -> str | None:
        """Answer what one flow waits on now: None, or the line saying it was refused. A
        conflict (with another process) is raised, for retrying to try again."""
        try:
            self.flows.service(flow_id)
        except HandlerError as e:
            failure = handler_failure(e)
            if failure is None:
                raise
            if isinstance(failure, ConflictError):
                raise failure from failure.__cause__
            return f"flow {flow_id} ({e.kind}): {failure}"
        return None

    def restart_flows(self) -> None:
        """The original system's order-flow-restart!, done Scheme-side: export the flow
        store into a global, reset, define the flows again from their sources, import.
        One transaction (FlowHost.eval is one unit of work): an import that fails (an
        edited flow) or is interrupted leaves the store exactly as it was. The ledger is
        not touched."""
        sources = " ".join(p.read_text() for p in sorted(self.flow_sources.glob("*.scm")))
        self.flows.eval(
            f"(begin (define saved (flow-store-export)) (flow-reset!) {sources} "
            "(flow-store-import! saved) #t)",
            "order-flow-restart!",
        )
