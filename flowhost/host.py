"""FlowHost: runs defflow flows on the interpreter over one store (the Python API).

The pieces a run is made of (FlowRef, Run, Outcome, Suspension, the I/O guard, the unit
of work) and the Runner that executes and replays flow code are in runner.py.

A flow runs on the machine until it calls `(request kind payload)`; the request
primitive captures the continuation and stops the machine, and the host records the
flow as suspended on that request. Resuming with a value appends one step (request ->
value) to the flow's log in the same transaction that records the new state. The live
continuation is kept in memory; after a restart (or when another process moved the
flow on) the host replays the flow from its arguments, answering each request from the
log, until it stands at the recorded pending request again -- and raises
NondeterminismError if the flow asks for something else on the way.

Handlers registered with `on(kind, fn)` answer requests of that kind at once (reserve,
fulfil); other kinds (payment) wait until someone calls `resume`.

Time: a request made with a timeout (`flow/sleep`, `request/timeout`) is due at the
host clock's time when the flow reached it plus its seconds; the deadline is kept in the
record (`due`, indexed by the store), so a replay never asks the clock. `run_due()` fires
each due timer once, with the version check of an addressed resume (so a resume and a
timer, or two workers, never both win). `cancel(id)` delivers a cancellation the flow
can handle; `terminate(id)` ends a flow at once without running it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from scheme import UNSPECIFIED, Continuation, Interpreter, Symbol

from .data import PlainDataError, to_python, to_scheme
from .errors import (
    ExportFormatError,
    FlowConflictError,
    FlowError,
    FlowKeyError,
    FlowNotAllowedError,
    FlowStateError,
    HandlerError,
    NoSuchFlowError,
)
from .exchange import Origin, from_datum, from_export, to_datum, to_export
from .live import LiveStates
from .records import (
    CANCEL,
    CANCELLED,
    DONE,
    SUSPENDED,
    TIMEOUT,
    FlowRecord,
    Result,
    Step,
    Suspended,
    result_of,
)
from .runner import (
    CANCEL_SIGNAL,
    TIMEOUT_SIGNAL,
    FlowDef,
    FlowGuardedStream,
    FlowRef,
    Outcome,
    Run,
    Runner,
    UnitOfWork,
    canonical,
    check_address,
    same_start,
)
from .store import FlowKeyTakenError, FlowStore, MemoryStore

DEFAULT_STEP_LIMIT = 1_000_000  # closure calls between two requests (about a second)
DEFAULT_MAX_DEPTH = 1_000_000  # frames a flow may have waiting


class FlowHost:
    """Flows, their store and the handlers that answer their requests."""

    def __init__(
        self,
        store: FlowStore | None = None,
        *,
        step_limit: int = DEFAULT_STEP_LIMIT,
        max_depth: int = DEFAULT_MAX_DEPTH,
        output: TextIO | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        from .guest import install

        self.store = store if store is not None else MemoryStore()
        self.clock = clock or time.time
        self.step_limit = step_limit
        self.definitions: dict[str, FlowDef] = {}
        self._handlers: dict[str, Callable[[int, Any], Any]] = {}
        self.runner = Runner(self)
        self.interp = Interpreter(
            output=FlowGuardedStream(self, output, "stdout"),  # type: ignore[arg-type]
            error=FlowGuardedStream(self, None, "stderr"),  # type: ignore[arg-type]
            max_depth=max_depth,
        )
        install(self)

    @classmethod
    def open(cls, target: str | Path | Any, **options: Any) -> FlowHost:
        """A host on a durable store: an SQLite file path (created if missing) or an open
        Database shared with other stores; nothing is replayed yet."""
        from .db import Database, is_postgres, open_database
        from .sqlite_store import SQLiteStore

        db = target if isinstance(target, Database) else open_database(target)
        if is_postgres(db):  # a postgresql:// URL (flowhost.pg)
            from .pg_store import PostgresStore

            return cls(PostgresStore(db), **options)  # type: ignore[arg-type]
        return cls(SQLiteStore(db), **options)  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    # -- definitions ---------------------------------------------------------------------
    def load_file(self, path: str | Path) -> None:
        """Evaluate a .scm file (its defflow forms register flows)."""
        self.interp.load_file(path, step_limit=self.step_limit)  # a loop at load stops

    def load_source(self, text: str, name: str = "<source>") -> None:
        """Evaluate Scheme source text in the flow environment."""
        self.interp.eval_string(text, name, step_limit=self.step_limit)

    def define_flow(self, name: str, proc: Any, digest: str, span: Any = None) -> FlowRef:
        """Register (or replace) flow `name`; what defflow does."""
        self.definitions[name] = FlowDef(name, proc, digest, span)
        return FlowRef(name)

    def flows(self) -> list[str]:
        """Names of the defined flows, sorted."""
        return sorted(self.definitions)

    def on(self, kind: str, handler: Callable[[int, Any], Any]) -> None:
        """Answer requests of `kind` at once with handler(flow_id, payload) -> value."""
        self._handlers[kind] = handler

    def handled_kinds(self) -> list[str]:
        """The request kinds a handler answers, sorted (what a worker process serves)."""
        return sorted(self._handlers)

    def eval(self, text: str, name: str = "<eval>") -> Any:
        """Run guest code in the flow environment; plain results come back as Python.

        One unit of work: what the code does to the store (start, resume, reset, import)
        commits when it returns, and nothing of it does if it fails or is interrupted --
        so the Scheme-side restart (export, reset, define, import) is atomic."""
        self._outside_flow("eval")
        with self.unit_of_work():
            value = self.interp.eval_string(text, name)
        if value is UNSPECIFIED:
            return None
        try:
            return to_python(value)
        except PlainDataError:
            return value

    # -- the life of a flow --------------------------------------------------------------
    def start(self, name: str | Symbol | FlowRef, *args: Any, key: str | None = None) -> Result:
        """Start flow `name` with plain-data args; run it to its first suspension.

        With `key` (unique in the store, e.g. an order id): if a flow holds the key already,
        starting again with the same flow and arguments returns that flow (its pending
        requests that have handlers are answered); with anything else it is a FlowKeyError.
        """
        args_c = [canonical(a, f"flow argument {i}") for i, a in enumerate(args, 1)]
        if key is not None and (type(key) is not str or not key):
            raise FlowKeyError(f"a flow key is a non-empty string, got {key!r}")
        return self.serve(self._start(name, args_c, key))

    def resume(
        self,
        flow_id: int,
        value: Any,
        *,
        kind: str | None = None,
        version: int | None = None,
        serve: bool = True,
    ) -> Result:
        """Resume a suspended flow with a plain-data value.

        `kind` (and `version`, as read from its record) say which request the value
        answers: if the flow no longer waits on it, nothing changes and the call raises
        FlowConflictError -- AlreadyAnsweredError when that request was answered already.
        Without them the value answers what the flow waits on when this call reads it.
        With serve=False the flow's next request is left for `service` even when a
        handler could answer it (so a service can commit this step on its own)."""
        result = self._resume(flow_id, canonical(value, "resume value"), kind=kind, version=version)
        return self.serve(result) if serve else result

    def cancel(self, flow_id: int, *, force: bool = False) -> Result:
        """Cancel a suspended flow: a FlowCancelled condition is raised at its suspension
        point, which it may handle (`guard`; dynamic-wind after-thunks run) and make its
        compensating requests from (answered by their handlers) before it ends cancelled.
        With force, terminate(flow_id) instead. Returns where the flow stands now."""
        if force:
            return self.terminate(flow_id)
        self._outside_flow("flow/cancel")
        with self.store.transaction():
            rec = self._suspended(flow_id, "cancelled")
            assert rec.pending is not None
            if any(st.event == CANCEL for st in self.store.steps(flow_id)[: rec.nsteps]):
                raise FlowStateError(
                    f"flow {flow_id} is being cancelled already (it waits on "
                    f"{rec.pending.kind} while it cleans up); terminate it to end it at once"
                )
            step = Step(rec.pending.kind, rec.pending.payload, Symbol("cancelled"), CANCEL)
            result = self._advance(rec, CANCEL_SIGNAL, step, cancelling=True)
        return self.serve(result)

    def terminate(self, flow_id: int) -> Result:
        """End a suspended flow as cancelled at once, running none of its code (for a
        flow stuck on a request nobody will answer, or whose cancellation fails)."""
        self._outside_flow("flow/terminate")
        with self.store.transaction():
            rec = self._suspended(flow_id, "terminated")
            self.runner.live.pop(flow_id, None)
            new = self.store.update(
                replace(rec, status=CANCELLED, pending=None, due=None, updated=self.clock()),
                rec.version,
            )
        return result_of(new)

    def run_due(self, now: float | None = None, *, limit: int | None = None) -> list[Result]:
        """Fire every timer due at `now` (default: the host clock), earliest first, at
        most `limit`: each flow waiting on a request whose deadline passed is resumed
        with the timeout (and its handlers answer what it asks next). Safe in many
        workers at once: each timer fires in one of them. Returns where each flow fired
        here stands now."""
        self._outside_flow("run_due")
        now = self.clock() if now is None else now
        fired = []
        for flow_id, version in self.store.due(now, limit):
            try:
                result = self.fire(flow_id, version, now)
            except FlowConflictError:
                continue  # another worker fired it, or an answer came first
            if result is not None:
                fired.append(result)
        return fired

    def fire(self, flow_id: int, version: int, now: float | None = None) -> Result | None:
        """Fire flow_id's timer if the flow is still in state `version` and due at `now`
        (None when it is not: answered, fired elsewhere, or not due); one transaction."""
        self._outside_flow("run_due")
        now = self.clock() if now is None else now
        with self.store.transaction():
            rec = self.store.get(flow_id)
            if (
                rec is None
                or rec.version != version
                or rec.status != SUSPENDED
                or rec.pending is None
                or rec.due is None
                or rec.due > now
            ):
                return None
            step = Step(rec.pending.kind, rec.pending.payload, rec.due, TIMEOUT)
            result = self._advance(rec, TIMEOUT_SIGNAL, step)
        return self.serve(result)

    def check(self, flow_id: int) -> dict[str, bool]:
        """Replay a suspended flow against the current sources, changing nothing:
        NondeterminismError if it no longer replays, else the patches its replay met and
        how each answered (False: the path recorded before the patch)."""
        rec = self._suspended(flow_id, "checked")
        run, _ = self.runner.replay_run(rec, self.store.steps(flow_id)[: rec.nsteps])
        return dict(run.patches)

    def definition(self, name: str | Symbol | FlowRef) -> FlowDef:
        """The registered flow `name` (UnknownFlowError if there is none)."""
        return self.runner.definition(name)

    def unit_of_work(self) -> Any:
        """A transaction on the store's database, in which the host's definitions are
        restored too if it fails (a reset inside it is undone with the store)."""
        return UnitOfWork(self)

    def status(self, flow_id: int) -> str | None:
        """suspended, done, failed, cancelled, or None for an unknown id."""
        rec = self.store.get(flow_id)
        return None if rec is None else rec.status

    def result(self, flow_id: int) -> Any:
        """The result of a done flow (FlowStateError otherwise)."""
        rec = self._get(flow_id)
        if rec.status != DONE:
            raise FlowStateError(f"flow {flow_id} is {rec.status}, not done: it has no result")
        return rec.result

    def record(self, flow_id: int) -> FlowRecord:
        """The stored record of a flow (NoSuchFlowError for an unknown id)."""
        return self._get(flow_id)

    def steps(self, flow_id: int) -> list[Step]:
        """A flow's log: each request and the value it was resumed with."""
        self._get(flow_id)
        return self.store.steps(flow_id)

    def find(self, name: str, *args: Any) -> list[int]:
        """Ids of the instances of flow `name` started with exactly these args (how a
        service finds the flow of an order, idempotently, after a crash)."""
        return self.store.find(
            name, [canonical(a, f"flow argument {i}") for i, a in enumerate(args, 1)]
        )

    def pending(self) -> list[int]:
        """Ids of suspended flows, ascending."""
        return self.store.ids(SUSPENDED)

    def requests(self) -> list[Suspended]:
        """What each suspended flow waits on, ascending id."""
        return [Suspended(i, p.kind, p.payload) for i, p in self.store.requests()]

    def service(self, flow_id: int | None = None) -> list[Result]:
        """Answer every pending request that has a handler (e.g. after a restart), or only
        flow_id's; returns where each serviced flow stands now."""
        if flow_id is None:
            return [self.serve(r) for r in self.requests() if r.kind in self._handlers]
        with self._step():  # the record is read in the transaction that answers it
            rec = self._get(flow_id)
            if rec.status != SUSPENDED or rec.pending is None:
                return []
            if rec.pending.kind not in self._handlers:
                return []
            result = self._answer_record(rec)
        return [self.serve(result)]

    def fork(self, flow_id: int, n: int) -> Result:
        """Start a new flow with flow_id's arguments, answering its first n requests from
        flow_id's log; it is left suspended at request n+1 (or done, or failed). For
        what-if questions, and for re-running a flow after fixing its source."""
        self._outside_flow("fork")
        rec = self._get(flow_id)
        steps = self.store.steps(flow_id)
        if type(n) is not int or not 0 <= n <= len(steps):
            raise FlowStateError(
                f"flow {flow_id} has {len(steps)} steps: fork after 0.."
                f"{len(steps)} of them, not {n!r}"
            )
        fdef = self.definition(rec.flow)
        run = Run(flow_id, rec.flow, steps[:n], None)
        run.cancelled = any(st.event == CANCEL for st in steps[:n])
        outcome = self.runner.execute(run, fdef.proc, [to_scheme(a) for a in rec.args])
        now = self.clock()
        new = outcome.apply_to(
            FlowRecord(
                0,
                rec.flow,
                rec.args,
                SUSPENDED,
                source_hash=fdef.source_hash,
                created=now,
                updated=now,
            ),
            now,
        )
        new = self.store.insert(new, run.steps[: run.step])
        self._keep(new, outcome, run.cancelled)
        return self.serve(result_of(new))

    # -- export / reset / import ---------------------------------------------------------
    def export(self) -> dict:
        """The whole store as JSON-compatible data (json.dumps works on it)."""
        return to_export(*self._snapshot())

    def export_datum(self) -> Any:
        """The whole store as one Scheme datum (what flow-store-export returns)."""
        return to_datum(*self._snapshot())

    def _snapshot(self) -> tuple[int, list[tuple[FlowRecord, list[Step]]], Origin]:
        with self.store.transaction():
            return (
                self.store.next_id(),
                self.store.everything(),
                Origin(self.store.store_id(), self.store.stamp()),
            )

    def reset(self) -> None:
        """Forget every flow definition and instance (other globals stay)."""
        self._outside_flow("flow-reset!")
        self.definitions.clear()
        self.runner.live.clear()
        self.store.clear()

    def import_(self, data: Any, *, force: bool = False) -> None:
        """Replace the store with an export, replaying each suspended flow first.

        Atomic: on any error (malformed export, unknown flow, a log that no longer
        replays) the store is unchanged. An export taken from this same store is refused
        (FlowConflictError) when the store changed after it was taken -- another worker's
        progress would be lost -- unless `force` (restoring an older backup on purpose).
        Ids are never reused: the next id never goes down.
        """
        self._outside_flow("flow-store-import!")
        self._import(*from_export(data), force=force)

    def import_datum(self, datum: Any, *, force: bool = False) -> None:
        """import_ for the Scheme datum flow-store-export gave."""
        self._outside_flow("flow-store-import!")
        self._import(*from_datum(datum), force=force)

    def _import(
        self,
        next_id: int,
        flows: list[tuple[FlowRecord, list[Step]]],
        origin: Origin | None,
        *,
        force: bool,
    ) -> None:
        for rec, _ in flows:
            if rec.flow not in self.definitions:
                raise ExportFormatError(
                    f"cannot import: flow {rec.id} is an instance of {rec.flow}, which is not "
                    f"defined here (defined: {', '.join(self.flows()) or 'none'})"
                )
        # every suspended flow is replayed (the check that its log still replays); only
        # as many continuations are kept as the runner keeps
        conts: LiveStates[tuple[Continuation, bool]] = LiveStates(self.runner.live.limit)
        for rec, steps in flows:
            if rec.status == SUSPENDED:
                cancelled = any(st.event == CANCEL for st in steps)
                conts[rec.id] = (self.runner.replay(rec, steps), cancelled)
        with self.store.transaction():
            if (
                origin is not None
                and not force
                and origin.store == self.store.store_id()
                and origin.stamp != self.store.stamp()
            ):
                raise FlowConflictError(
                    "cannot import: the store changed after this export was taken (another "
                    "worker moved flows on); nothing was changed. Export again, or force the "
                    "import to restore an older export on purpose"
                )
            stored = self.store.replace_all(flows, next_id)

            def keep() -> None:
                live = self.runner.live
                for r in stored:
                    if r.id in conts:
                        live[r.id] = (r.version, *conts.get(r.id))

            self.runner.live.clear()
            self.store.db.on_commit(keep)

    # -- internals -----------------------------------------------------------------------
    def _outside_flow(self, what: str) -> None:
        if self.runner.current is not None:
            raise FlowNotAllowedError(
                f"{what}: flow code cannot manage flows; ask the host with (request ...)"
            )

    def _suspended(self, flow_id: int, what: str) -> FlowRecord:
        rec = self._get(flow_id)
        if rec.status != SUSPENDED or rec.pending is None:
            raise FlowStateError(
                f"flow {flow_id} is {rec.status}: only a suspended flow can be {what}"
            )
        return rec

    def _get(self, flow_id: int) -> FlowRecord:
        if type(flow_id) is not int:
            raise NoSuchFlowError(f"flow ids are integers, got {flow_id!r}")
        rec = self.store.get(flow_id)
        if rec is None:
            raise NoSuchFlowError(f"no flow with id {flow_id}")
        return rec

    def _step(self) -> Any:
        """The unit of work of one host step: the caller's transaction when there is one
        (joined at no cost; a failure after something was written dooms it, so a step
        is never committed half-done), else a transaction of its own."""
        return self.store.db.transaction(savepoint=False)

    def _start(self, name: str | Symbol | FlowRef, args: list, key: str | None = None) -> Result:
        self._outside_flow("flow/start")
        fdef = self.definition(name)
        with self._step():
            run = Run(None, fdef.name, [], None)
            outcome = self.runner.execute(run, fdef.proc, [to_scheme(a) for a in args])
            now = self.clock()
            rec = outcome.apply_to(
                FlowRecord(
                    0,
                    fdef.name,
                    args,
                    SUSPENDED,
                    source_hash=fdef.source_hash,
                    key=key,
                    created=now,
                    updated=now,
                ),
                now,
            )
            try:  # no lookup first: the key is a constraint, and an insert that finds it
                rec = self.store.insert(rec, run.added)  # held writes nothing
            except FlowKeyTakenError as e:
                held = self.store.get(e.existing)
                if held is None:  # (gone again: only a clear in between could do that)
                    raise
                return same_start(held, fdef.name, args, e.key)
            self._keep(rec, outcome, run.cancelled)
        return result_of(rec)

    def _resume(
        self,
        flow_id: int,
        value: Any,
        *,
        kind: str | None = None,
        version: int | None = None,
    ) -> Result:
        self._outside_flow("flow/resume")
        with self._step():
            rec = self._get(flow_id)  # (read once per transaction: the store keeps it)
            check_address(self.store, rec, kind, version)
            assert rec.pending is not None
            step = Step(rec.pending.kind, rec.pending.payload, value)
            return self._advance(rec, to_scheme(value), step)

    def _advance(
        self, rec: FlowRecord, value: Any, step: Step, *, cancelling: bool = False
    ) -> Result:
        """Run a suspended flow on from its pending request with `value` (a Scheme value
        or a signal) and store its new state with `step` -- if rec is still current."""
        cont, cancelled = self.runner.continuation(rec)
        # The run may change data the continuation holds, so it is used at most once.
        self.runner.live.pop(rec.id, None)
        run = Run(rec.id, rec.flow, [], None)
        # a flow that returns after handling its cancellation (now, or at an earlier
        # step) ends cancelled, not done
        run.cancelled = cancelling or cancelled
        outcome = self.runner.execute(run, cont=cont, value=value)
        now = self.clock()
        moved = outcome.apply_to(rec, now, updated=now)
        more = (run.added,) if run.added else ()  # patch markers this run recorded
        new = self.store.update(moved, rec.version, step, *more)
        self._keep(new, outcome, run.cancelled)
        return result_of(new)

    def _keep(self, rec: FlowRecord, outcome: Outcome, cancelled: bool = False) -> None:
        """Keep a suspended flow's continuation for its new state -- at once, so a later
        step in the same transaction uses it, and dropped if that state rolls back (a
        stamp can then be given again: the entry must not outlive its state)."""
        if outcome.status == SUSPENDED:
            live = self.runner.live
            live[rec.id] = (rec.version, outcome.cont, cancelled)
            self.store.db.on_rollback(lambda: live.pop(rec.id, None))

    def serve(self, result: Result) -> Result:
        """Answer the requests that have handlers, from `result` on, each in one
        transaction; returns where the flow stands then."""
        while isinstance(result, Suspended) and result.kind in self._handlers:
            result = self._answer(result)
        return result

    def _answer(self, asked: Suspended) -> Result:
        """One handler step, in one transaction: the handler's own writes (on the same
        database) commit with the flow's new state, or none of it does. The handler's
        value answers exactly the request it was called for."""
        with self._step():
            rec = self._get(asked.id)
            if rec.status != SUSPENDED or rec.pending is None or rec.pending.kind != asked.kind:
                return result_of(rec)  # answered meanwhile (another worker): where it is now
            return self._answer_record(rec)

    def _answer_record(self, rec: FlowRecord) -> Result:
        """Call the handler of what rec waits on and resume the flow with its value (inside
        the step's transaction; rec was read in it)."""
        assert rec.pending is not None
        kind = rec.pending.kind
        try:
            value = self._handlers[kind](rec.id, rec.pending.payload)
        except FlowError:
            raise
        except Exception as e:
            raise HandlerError(rec.id, kind, e) from e
        value = canonical(value, f"{kind} handler's value")
        # the flow row is read again (kept by the store: no statement), so the version
        # check sees whatever the handler did to it
        return self._resume(rec.id, value, kind=kind, version=rec.version)


__all__ = ["FlowError", "FlowHost", "FlowRef"]
