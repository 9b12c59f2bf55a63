"""The worker: a process that answers the flow requests a service left pending.

    worker = Worker(Engine.open(url, shop))
    worker.run(stop=lambda: stopping)        # until stop() is true
    worker.run(once=True)                    # drain what is pending, then return

A flow suspended on a kind the engine's handlers answer (reserve, fulfil) is work: a crash
between the two steps of a settle, say, leaves an order waiting on `fulfil`. A worker
finds such flows (claims.py: an indexed query, row locks on PostgreSQL), answers each in
one transaction -- the handler's ledger and stock writes with the flow's new state -- and
moves on. Several workers on several machines share the work without doing a step twice.
Due timers are run in the same loop once the engine has them (`engine.run_due`).

A pass walks the pending flows in id order: a plain look first (no transaction when
there is nothing), then the claim and the step. A worker answers only what it has seen
pending for `grace` seconds (GRACE, 50 ms): most flows a worker sees waiting on fulfil
were left there a moment ago by a settle's payment step, whose own fulfilment follows at
once -- a worker racing it does the step twice and one of the two rolls back (and on
PostgreSQL the settle waits for the worker's claim). So a pass that found only young
flows waits out their grace once and passes again. After a pass that answered something
another pass starts at once (a flow answered may wait on more), otherwise the worker is
idle and waits: LISTEN/NOTIFY on PostgreSQL (woken, it lets `grace` pass before it looks,
so a burst of commits is one wake-up), a bounded sleep on SQLite. A flow whose step
fails (a handler error, a flow whose source changed) is reported and left pending; one
that conflicts (another process was moving it on: a lock the worker would have had to
wait for, a version that moved) is counted, not reported. Either is tried again on a
later pass, never in a tight loop, and a conflict ends its batch at once, so the rows
the batch holds are let go.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from flowhost import Failed, FlowConflictError, FlowError, HandlerError

from ..errors import CommerceError, ConflictError
from .claims import Claims, claims_for
from .flowcalls import handler_failure

MAX_PASSES = 100  # per drain; a worker then looks at its stop flag and goes on
GRACE = 0.05  # seconds a flow must have been seen pending before a worker answers it
LOOK = 32  # flows looked at per step (at least: the batch)
_CONFLICTS = (FlowConflictError, ConflictError)
NEEDS_SHOP = ("reserve",)  # answered only with the shop: its catalog says what is on hand


@dataclass
class Tally:
    """What a worker did: requests answered, steps that failed, timers run, conflicts met
    (another worker or a busy database was in the way: nothing changed, tried again), and
    how often it was woken (NOTIFY) and looked for work."""

    answered: int = 0
    failed: int = 0
    timers: int = 0
    conflicts: int = 0
    wakes: int = 0
    looks: int = 0
    failures: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line: the counts."""
        timers = f", {self.timers} timers run" if self.timers else ""
        return f"{self.answered} requests answered, {self.failed} failed{timers}"


class Worker:
    """Answers pending requests (and due timers) of one engine's database."""

    def __init__(
        self,
        engine: Any,
        *,
        batch: int = 1,
        poll: float = 1.0,
        grace: float = GRACE,
        kinds: list[str] | None = None,
        errors: TextIO | None = None,
    ) -> None:
        if batch < 1:
            raise ValueError(f"batch is at least 1, got {batch}")
        self.engine = engine
        self.host = engine.flows
        self.db = engine.db
        self.batch = batch
        self.poll = poll
        self.grace = grace
        self.errors = errors
        served = self.host.handled_kinds()
        if engine.shop is None:
            served = [k for k in served if k not in NEEDS_SHOP]
        self.kinds = served if kinds is None else [k for k in kinds if k in served]
        self.claims: Claims = claims_for(self.db, self.kinds)
        self.tally = Tally()
        self._seen: dict[int, float] = {}  # flow id -> when a look first saw it pending
        self._looked: set[int] = set()  # the ids the current drain saw

    def close(self) -> None:
        """Stop listening (the engine stays open: the caller owns it)."""
        self.claims.close()

    # -- one step, one pass, one drain ----------------------------------------------------
    def step(self, after: int = 0) -> tuple[int, int, int]:
        """One look at the pending flows with ids > after, then one transaction: claim up
        to `batch` of those seen pending for `grace` seconds and answer each (a savepoint
        each: one that fails is undone alone; one that conflicts ends the batch).
        Returns (requests answered, the id to look after next or -1 when nothing is
        pending, flows left to their grace). Nothing pending: one look, no transaction."""
        self.tally.looks += 1
        ids = self.claims.look(after, max(self.batch, LOOK))
        if not ids:
            return 0, -1, 0
        now = time.monotonic()
        self._looked.update(ids)
        ready = [i for i in ids if now - self._seen.setdefault(i, now) >= self.grace]
        young = len(ids) - len(ready)
        cursor, answered = ids[-1], 0
        if not ready:
            return 0, cursor, young
        try:
            with self.db.transaction():
                # any `batch` of the ready ones: those other workers hold are skipped, so
                # workers walking the same ids do not all queue for the first one
                claimed = self.claims.claim(ready, self.batch)
                if len(claimed) == self.batch and claimed[-1] != ready[-1]:
                    cursor = claimed[-1]  # the rest of the window: the next step's
                    young = sum(1 for i in ids if i <= cursor and i not in ready)
                for flow_id in claimed:
                    done = self._answer(flow_id)
                    if done is None:  # a conflict: commit what is done, let the rows go
                        cursor = flow_id  # the rest of the batch: looked at again
                        break
                    answered += done
        except _CONFLICTS:  # a busy database: nothing was changed
            self.tally.conflicts += 1
            self.tally.answered -= answered  # rolled back with the rest
            return 0, cursor, young  # the flows of this step are tried on a later pass
        return answered, cursor, young

    def _answer(self, flow_id: int) -> int | None:
        """Answer one flow in a savepoint: the requests answered, or None on a conflict."""
        try:
            with self.db.transaction():
                results = self.host.service(flow_id)
        except _CONFLICTS:
            self.tally.conflicts += 1  # another worker moved it on: theirs, not ours
            return None
        except HandlerError as e:
            if isinstance(handler_failure(e), ConflictError):  # a lock we would have waited for
                self.tally.conflicts += 1
                return None
            self._failed(f"flow {flow_id}: {e}")
            return 0
        except (FlowError, CommerceError) as e:
            self._failed(f"flow {flow_id}: {e}")
            return 0
        failed = [r for r in results if isinstance(r, Failed)]
        for r in failed:
            self._failed(f"flow {flow_id} failed: {r.message}")
        self.tally.answered += len(results) - len(failed)
        return len(results) - len(failed)

    def _failed(self, line: str) -> None:
        self.tally.failed += 1
        self.tally.failures.append(line)
        del self.tally.failures[:-100]  # the latest hundred are enough to show
        if self.errors is not None:
            print(f"worker: {line}", file=self.errors, flush=True)

    def run_due(self) -> int:
        """Due timers, once the engine has them (issue 11 adds engine.run_due); 0 before."""
        # -- THE place timers are run: guarded, so this works before and after they land --
        run_due = getattr(self.engine, "run_due", None)
        if run_due is None:
            return 0
        try:
            done = run_due()
        except _CONFLICTS:
            self.tally.conflicts += 1
            return 0
        except (FlowError, CommerceError) as e:
            self._failed(f"timers: {e}")
            return 0
        n = len(done) if hasattr(done, "__len__") else int(bool(done))
        self.tally.timers += n
        return n

    def drain(self, stop: Callable[[], bool] = lambda: False) -> int:
        """Passes over the pending flows (and due timers) until one answers nothing (a
        pass that found only flows in their grace waits it out once and passes again),
        or stop() is true between two steps. Returns how many steps were answered."""
        total, waited = 0, False
        self._looked = set()
        for _ in range(MAX_PASSES):
            if stop():
                break
            done = self.run_due()
            after, young = 0, 0
            while not stop():
                answered, cursor, left = self.step(after)
                if cursor == -1:
                    break
                done += answered
                young += left
                after = cursor
            total += done
            if done:
                waited = False
                continue
            if not young or waited:
                break
            waited = True
            self._sleep(self.grace, stop)
        # forget what is no longer pending (a drain looks at every pending flow)
        self._seen = {i: t for i, t in self._seen.items() if i in self._looked}
        return total

    @staticmethod
    def _sleep(seconds: float, stop: Callable[[], bool]) -> None:
        deadline = time.monotonic() + seconds
        while not stop() and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.5))

    def run(
        self,
        *,
        once: bool = False,
        idle_timeout: float | None = None,
        stop: Callable[[], bool] = lambda: False,
    ) -> str:
        """Drain, then wait for more, until stop() is true, or (once) nothing is left, or
        nothing came for idle_timeout seconds. Returns why it stopped."""
        idle_since = time.monotonic()
        while True:
            if self.drain(stop):
                idle_since = time.monotonic()
            if stop():
                return "stopped"
            if once:
                return "drained"
            waited = time.monotonic() - idle_since
            if idle_timeout is not None and waited >= idle_timeout:
                return f"idle for {idle_timeout:g}s"
            wait = self.poll if idle_timeout is None else min(self.poll, idle_timeout - waited)
            self._wait(wait, stop)

    def _wait(self, seconds: float, stop: Callable[[], bool]) -> None:
        """Idle: until woken (NOTIFY), `seconds` pass or stop() -- in bounded slices, so a
        stop request is seen within half a second. Woken, wait `grace` more first."""
        deadline = time.monotonic() + seconds
        while not stop():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if self.claims.wait(min(left, 0.5)):
                self.tally.wakes += 1
                self._sleep(self.grace, stop)  # a burst of commits: one wake-up
                return
