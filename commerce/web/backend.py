"""The one thread that talks to the engine, and what each webhook event does to it.

The engine (flow host, ledger, stock) is not thread-safe and its SQLite connections
belong to the thread that opened them, so the server opens it inside a single worker
thread and every service call -- webhooks and console alike -- runs there, one at a time.
HTTP requests are taken concurrently by the event loop and queue for that thread.

`Backend.handle(provider, event)` returns a Reply (HTTP status and JSON body); the rules
are in docs/webhooks.md:

- an event id seen before (per provider): 200 duplicate, the service is not called;
- an unknown order: 200 "ignored: unknown order", recorded (a retry cannot help);
- payment.succeeded: engine.orders.settle(order, ref, amount, currency=...); its outcome;
- payment.failed: acknowledged and recorded; it never un-pays an order;
- refund.succeeded: engine.refunds.settle(order, refund);
- the service refuses (CommerceError: e.g. a refund that was never approved): 422, not
  recorded, nothing changed;
- the database is locked, another process moved the order first (LedgerConflictError)
  or a flow step failed (FlowServiceError): 503, retry.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..errors import CommerceError, FlowServiceError, LedgerConflictError, LedgerStoreError
from ..orders.engine import Engine
from ..pricing.shop import Shop
from .eventlog import EventLog, LoggedEvent
from .events import PAYMENT_FAILED, PAYMENT_SUCCEEDED, WebhookEvent

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer to a webhook: its status and JSON body."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)


class Backend:
    """The engine and the event log, opened and used on one worker thread."""

    def __init__(
        self, db: str | Path, shop: Shop | None = None, clock: Callable[[], int] | None = None
    ) -> None:
        self.db = str(db)
        self.shop = shop
        self.clock = clock or (lambda: int(time.time()))
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="engine")
        self._engine: Engine | None = None
        self._log: EventLog | None = None

    # -- the thread ----------------------------------------------------------------------
    def start(self) -> None:
        """Open the engine and the event log on the worker thread (blocks until done)."""
        self._pool.submit(self._open).result()

    def _open(self) -> None:
        self._engine = Engine.open(self.db, self.shop)
        self._log = EventLog(self.db)

    def stop(self) -> None:
        """Close everything on the worker thread and stop it."""

        def close() -> None:
            if self._engine is not None:
                self._engine.close()
            if self._log is not None:
                self._log.close()

        self._pool.submit(close).result()
        self._pool.shutdown()

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(engine, log, *args) on the worker thread, awaited."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._run, fn, args)

    def _run(self, fn: Callable[..., T], args: tuple) -> T:
        assert self._engine is not None and self._log is not None, "Backend.start() first"
        return fn(self._engine, self._log, *args)

    # -- webhooks --------------------------------------------------------------------------
    async def handle(self, provider: str, event: WebhookEvent) -> Reply:
        """Process one verified event (see the module docstring)."""
        return await self.call(self._handle, provider, event)

    def _handle(self, engine: Engine, log: EventLog, provider: str, ev: WebhookEvent) -> Reply:
        seen = log.outcome(provider, ev.id)
        if seen is not None:
            return Reply(200, {"status": "duplicate", "event": ev.id, "outcome": seen})
        try:
            outcome, extra = self._apply(engine, ev)
        except (LedgerStoreError, LedgerConflictError, FlowServiceError) as e:
            return Reply(503, {"error": str(e), "event": ev.id, "retry": True})
        except CommerceError as e:
            return Reply(422, {"error": str(e), "event": ev.id, "retry": False})
        log.record(LoggedEvent(provider, ev.id, ev.type, ev.order, outcome, self.clock()))
        return Reply(200, {"status": "processed", "event": ev.id, "outcome": outcome} | extra)

    @staticmethod
    def _apply(engine: Engine, ev: WebhookEvent) -> tuple[str, dict[str, Any]]:
        if not engine.ledger.exists(ev.order):
            return "ignored: unknown order", {}
        if ev.type == PAYMENT_SUCCEEDED:
            assert ev.ref is not None and ev.amount is not None
            s = engine.orders.settle(ev.order, ev.ref, ev.amount, currency=ev.currency)
            return s.outcome, {"recorded": s.recorded, "order_status": s.summary.status}
        if ev.type == PAYMENT_FAILED:
            status = engine.orders.summary(ev.order).status
            if status in ("paid", "fulfilled"):
                return "ignored: order already paid", {"order_status": status}
            return "payment-failed", {"order_status": status}
        assert ev.refund is not None
        r = engine.refunds.settle(ev.order, ev.refund)
        return f"refund-{r.stage}", {"order_status": r.summary.status}
