"""FlowHost: runs defflow flows on the interpreter over one store (the Python API).

The pieces a run is made of (FlowRef, Run, Outcome, Suspension, the I/O guard, the unit
of work) are in runner.py.

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
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from scheme.errors import SchemeError
from scheme.frames import T_CALL
from scheme.interpreter import Interpreter
from scheme.nodes import TransferNode
from scheme.types import UNSPECIFIED, Continuation, Symbol

from .data import PlainDataError, dumps, show, to_python, to_scheme
from .errors import (
    AlreadyAnsweredError,
    ExportFormatError,
    FlowConflictError,
    FlowError,
    FlowKeyError,
    FlowNotAllowedError,
    FlowStateError,
    HandlerError,
    NondeterminismError,
    NoSuchFlowError,
    UnknownFlowError,
)
from .exchange import Origin, from_datum, from_export, to_datum, to_export
from .records import (
    CANCELLED,
    DONE,
    FAILED,
    SUSPENDED,
    FlowRecord,
    Result,
    Step,
    Suspended,
    result_of,
)
from .runner import (
    FlowDef,
    FlowGuardedStream,
    FlowRef,
    Outcome,
    Run,
    Suspension,
    UnitOfWork,
    canonical,
)
from .store import FlowStore, MemoryStore

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
        self._defs: dict[str, FlowDef] = {}
        self._handlers: dict[str, Callable[[int, Any], Any]] = {}
        self._live: dict[int, tuple[int, Continuation]] = {}
        self._run: Run | None = None
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
        self._defs[name] = FlowDef(name, proc, digest, span)
        return FlowRef(name)

    def flows(self) -> list[str]:
        """Names of the defined flows, sorted."""
        return sorted(self._defs)

    def on(self, kind: str, handler: Callable[[int, Any], Any]) -> None:
        """Answer requests of `kind` at once with handler(flow_id, payload) -> value."""
        self._handlers[kind] = handler

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
        return self._serve(self._start(name, args_c, key))

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
        return self._serve(result) if serve else result

    def cancel(self, flow_id: int) -> None:
        """Cancel a suspended flow."""
        self._outside_flow("flow/cancel")
        with self.store.transaction():
            rec = self._get(flow_id)
            if rec.status != SUSPENDED:
                raise FlowStateError(
                    f"flow {flow_id} is {rec.status}: only a suspended flow can be cancelled"
                )
            self._live.pop(flow_id, None)
            self.store.update(
                replace(rec, status=CANCELLED, pending=None, updated=self.clock()), rec.version
            )

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
        if flow_id is not None:
            rec = self._get(flow_id)
            if rec.status != SUSPENDED or rec.pending is None:
                return []
            pending = [Suspended(flow_id, rec.pending.kind, rec.pending.payload)]
        else:
            pending = self.requests()
        return [self._serve(r) for r in pending if r.kind in self._handlers]

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
        fdef = self._def(rec.flow)
        run = Run(flow_id, rec.flow, steps[:n], None)
        outcome = self._execute(run, fdef.proc, [to_scheme(a) for a in rec.args])
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
            )
        )
        new = self.store.insert(new, steps[: run.step])
        self._keep(new, outcome)
        return self._serve(result_of(new))

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
        self._defs.clear()
        self._live.clear()
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
            if rec.flow not in self._defs:
                raise ExportFormatError(
                    f"cannot import: flow {rec.id} is an instance of {rec.flow}, which is not "
                    f"defined here (defined: {', '.join(self.flows()) or 'none'})"
                )
        conts: dict[int, Continuation] = {}
        for rec, steps in flows:
            if rec.status == SUSPENDED:
                conts[rec.id] = self._replay(rec, steps)
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
                self._live = {r.id: (r.version, conts[r.id]) for r in stored if r.id in conts}

            self._live = {}
            self.store.db.on_commit(keep)

    # -- internals -----------------------------------------------------------------------
    def _outside_flow(self, what: str) -> None:
        if self._run is not None:
            raise FlowNotAllowedError(
                f"{what}: flow code cannot manage flows; ask the host with (request ...)"
            )

    def _get(self, flow_id: int) -> FlowRecord:
        if type(flow_id) is not int:
            raise NoSuchFlowError(f"flow ids are integers, got {flow_id!r}")
        rec = self.store.get(flow_id)
        if rec is None:
            raise NoSuchFlowError(f"no flow with id {flow_id}")
        return rec

    def _def(self, name: str | Symbol | FlowRef) -> FlowDef:
        key = name.name if isinstance(name, (Symbol, FlowRef)) else name
        fdef = self._defs.get(key) if isinstance(key, str) else None
        if fdef is None:
            known = ", ".join(self.flows()) or "none"
            raise UnknownFlowError(f"no flow named {key} (defined: {known})")
        return fdef

    def _start(self, name: str | Symbol | FlowRef, args: list, key: str | None = None) -> Result:
        self._outside_flow("flow/start")
        fdef = self._def(name)
        with self.store.transaction():
            if key is not None:
                held = self.store.get_by_key(key)
                if held is not None:
                    return self._same_start(held, fdef.name, args, key)
            outcome = self._execute(
                Run(None, fdef.name, [], None), fdef.proc, [to_scheme(a) for a in args]
            )
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
                )
            )
            rec = self.store.insert(rec, [])
            self._keep(rec, outcome)
        return result_of(rec)

    @staticmethod
    def _same_start(held: FlowRecord, name: str, args: list, key: str) -> Result:
        """A start under a key that is held: the same flow again, or an error."""
        if held.flow != name or dumps(held.args) != dumps(args):
            raise FlowKeyError(
                f"flow key {key!r} belongs to flow {held.id} ({held.flow} {show(held.args)}); "
                f"it cannot start {name} {show(args)}"
            )
        return result_of(held)

    def _resume(
        self,
        flow_id: int,
        value: Any,
        *,
        kind: str | None = None,
        version: int | None = None,
        rec: FlowRecord | None = None,
    ) -> Result:
        self._outside_flow("flow/resume")
        with self.store.transaction():
            if rec is None:  # (a handler step passes the record it read in this transaction)
                rec = self._get(flow_id)
            self._check_address(rec, kind, version)
            assert rec.pending is not None
            cont = self._continuation(rec)
            # The run may change data the continuation holds, so it is used at most once.
            self._live.pop(flow_id, None)
            outcome = self._execute(
                Run(flow_id, rec.flow, [], None), cont=cont, value=to_scheme(value)
            )
            new = self.store.update(
                replace(outcome.apply_to(rec), updated=self.clock()),
                rec.version,
                Step(rec.pending.kind, rec.pending.payload, value),
            )
            self._keep(new, outcome)
        return result_of(new)

    def _check_address(self, rec: FlowRecord, kind: str | None, version: int | None) -> None:
        """Refuse a resume that no longer matches what the flow waits on."""
        waiting = rec.pending.kind if rec.status == SUSPENDED and rec.pending else None
        if kind is None and version is None:
            if waiting is None:
                raise FlowStateError(
                    f"flow {rec.id} is {rec.status}: only a suspended flow can be resumed"
                )
            return
        if kind is not None and kind != waiting:
            if any(s.kind == kind for s in self.store.steps(rec.id)):
                raise AlreadyAnsweredError(
                    f"flow {rec.id}: its {kind} request was answered already (it is "
                    f"{rec.status}{f', waiting on {waiting}' if waiting else ''}); nothing "
                    "was changed"
                )
            now = f"waits on {waiting}" if waiting else f"is {rec.status}"
            raise FlowConflictError(f"flow {rec.id} {now}, not on {kind}; nothing was changed")
        if version is not None and version != rec.version:
            raise FlowConflictError(
                f"flow {rec.id} moved on since it was read (version {rec.version}, the "
                f"resume read {version}); nothing was changed"
            )
        if waiting is None:
            raise FlowStateError(
                f"flow {rec.id} is {rec.status}: only a suspended flow can be resumed"
            )

    def _keep(self, rec: FlowRecord, outcome: Outcome) -> None:
        """Keep a suspended flow's continuation for its new state -- at once, so a later
        step in the same transaction uses it, and dropped if that state rolls back (an
        SQLite stamp can then be given again: the entry must not outlive its state)."""
        if outcome.status == SUSPENDED:
            self._live[rec.id] = (rec.version, outcome.cont)
            self.store.db.on_rollback(lambda: self._live.pop(rec.id, None))

    def _serve(self, result: Result) -> Result:
        while isinstance(result, Suspended) and result.kind in self._handlers:
            result = self._answer(result)
        return result

    def _answer(self, asked: Suspended) -> Result:
        """One handler step, in one transaction: the handler's own writes (on the same
        database) commit with the flow's new state, or none of it does. The handler's
        value answers exactly the request it was called for."""
        with self.store.transaction():
            rec = self._get(asked.id)
            if rec.status != SUSPENDED or rec.pending is None or rec.pending.kind != asked.kind:
                return result_of(rec)  # answered meanwhile (another worker): where it is now
            try:
                value = self._handlers[asked.kind](rec.id, rec.pending.payload)
            except FlowError:
                raise
            except Exception as e:
                raise HandlerError(rec.id, asked.kind, e) from e
            return self._resume(
                rec.id,
                canonical(value, f"{asked.kind} handler's value"),
                kind=asked.kind,
                version=rec.version,
                rec=rec,
            )

    def _continuation(self, rec: FlowRecord) -> Continuation:
        entry = self._live.get(rec.id)
        if entry is not None and entry[0] == rec.version:
            return entry[1]
        # Only the steps of the state that was read: under READ COMMITTED (PostgreSQL) the
        # log may already hold another worker's newer step; replaying it would look like
        # nondeterminism, while this state's update will simply conflict.
        return self._replay(rec, self.store.steps(rec.id)[: rec.nsteps])

    def _replay(self, rec: FlowRecord, steps: list[Step]) -> Continuation:
        """Run a suspended flow again from its arguments, answering from its log."""
        fdef = self._def(rec.flow)
        run = Run(rec.id, rec.flow, steps, rec.pending)
        outcome = self._execute(run, fdef.proc, [to_scheme(a) for a in rec.args])
        if outcome.status != SUSPENDED and run.step < len(steps):
            st = steps[run.step]
            new = "returns" if outcome.status == DONE else f"fails ({outcome.error})"
            raise NondeterminismError(
                rec.id,
                rec.flow,
                run.step + 1,
                f"({st.kind} {show(st.payload)})",
                new,
                outcome.where,
            )
        if outcome.status != SUSPENDED:
            pending = rec.pending
            recorded = f"a pending ({pending.kind} {show(pending.payload)})" if pending else "?"
            new = "returns" if outcome.status == DONE else f"fails ({outcome.error})"
            raise NondeterminismError(rec.id, rec.flow, run.step + 1, recorded, new, outcome.where)
        return outcome.cont

    def _execute(
        self,
        run: Run,
        proc: Any = None,
        args: list | None = None,
        cont: Continuation | None = None,
        value: Any = None,
    ) -> Outcome:
        """Run flow code until it suspends, returns or fails."""
        m = self.interp.machine
        limit = self.step_limit  # a replay is granted this much again at each logged answer
        self._run = run
        m.globals_locked = (
            "flow code cannot change global variables (a replay would do it "
            "again): keep state in local variables"
        )
        try:
            if cont is None:
                v = m.execute(TransferNode((T_CALL, proc, args, None)), step_limit=limit)
            else:
                v = m.resume(cont, value, step_limit=limit)
        except NondeterminismError:
            raise
        except SchemeError as e:
            return Outcome(FAILED, error=str(e), where=str(e.span) if e.span else None)
        finally:
            self._run = None
            m.globals_locked = None
        if isinstance(v, Suspension):
            return Outcome(SUSPENDED, kind=v.kind, payload=v.payload, cont=v.cont, stop=v)
        if run.step < len(run.steps) and not run.stepping:
            raise NondeterminismError(
                run.flow_id or 0,
                run.name,
                run.step + 1,
                f"({run.steps[run.step].kind} {show(run.steps[run.step].payload)})",
                "returns",
            )
        try:
            return Outcome(DONE, result=to_python(v, "the flow's result"))
        except PlainDataError as e:
            return Outcome(FAILED, error=e.message)


__all__ = ["FlowError", "FlowHost", "FlowRef"]
