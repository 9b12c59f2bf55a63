"""What the host runs flows with: definitions, the run in progress, where a run ended.

`FlowRef` is what `(defflow NAME ...)` binds NAME to; `FlowDef` a registered flow;
`Suspension` what the request primitive stops the machine with; `Run` the flow the
machine is running (its log, and how far a replay got); `Outcome` where a run ended;
`FlowGuardedStream` the interpreter's output, refused while flow code runs (a replay
would write it again); `source_hash` the hash recorded with each flow instance;
`Runner` runs flow code on the host's interpreter (execute, replay, continuation).

Time and cancellation reach a flow at its suspension point: the request primitive
captures its continuation behind an `AnswerFrame`, so resuming it with `TIMEOUT` gives
the flow the `TIMED_OUT` value (or unspecified, for a sleep), and resuming it with
`CANCEL` raises a `FlowCancelled` condition there -- `guard` catches it, dynamic-wind
after-thunks run on the way out. The log records these as steps with an `event`
(timeout, cancel), and a replay delivers them again at the same step.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from typing import Any, TextIO

from scheme import UNSPECIFIED, Continuation, SchemeError, Symbol
from scheme.embed import Raise, call

from .data import PlainDataError, dumps, show, to_python, to_scheme
from .errors import (
    AlreadyAnsweredError,
    FlowConflictError,
    FlowKeyError,
    FlowStateError,
    NondeterminismError,
    UnknownFlowError,
)
from .live import LiveStates
from .records import (
    CANCEL,
    CANCELLED,
    DONE,
    FAILED,
    SLEEP_KIND,
    SUSPENDED,
    TIMEOUT,
    FlowRecord,
    Pending,
    Result,
    Step,
    result_of,
)


class Signal:
    """What the host resumes a continuation with instead of a value (TIMEOUT, CANCEL)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Signal({self.name!r})"


TIMEOUT_SIGNAL, CANCEL_SIGNAL = Signal(TIMEOUT), Signal(CANCEL)


class TimedOut:
    """The value (request/timeout ...) returns when its deadline passed first."""

    __slots__ = ()

    def scheme_name(self) -> str:
        return "#<timeout>"


TIMED_OUT = TimedOut()


class FlowCancelled(SchemeError):
    """The condition a cancelled flow gets at its suspension point (flow/cancelled?)."""

    def __init__(self, flow_id: int | None) -> None:
        super().__init__(f"flow {flow_id} was cancelled")
        self.flow_id = flow_id


def answering(kind: str, flow_id: int | None) -> Callable[[Any], Any]:
    """What a suspended request's continuation does with the value it is resumed with:
    a signal becomes what the flow sees there (the timeout value, or the cancellation
    raised at the request), any other value is the request's answer."""

    def answer(value: Any) -> Any:
        if value is CANCEL_SIGNAL:
            return Raise(FlowCancelled(flow_id))
        if value is TIMEOUT_SIGNAL:
            return UNSPECIFIED if kind == SLEEP_KIND else TIMED_OUT
        return value

    return answer


def logged_answer(step: Step) -> Any:
    """What a logged step answers its request with: a signal, or the value as Scheme."""
    if step.event == CANCEL:
        return CANCEL_SIGNAL
    if step.event == TIMEOUT:
        return TIMEOUT_SIGNAL
    return to_scheme(step.value)


class FlowRef:
    """What `(defflow NAME ...)` binds NAME to: a reference by name to the flow."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def scheme_name(self) -> str:
        return f"#<flow {self.name}>"

    def __repr__(self) -> str:
        return f"FlowRef({self.name!r})"


class FlowDef:
    """A registered flow: its procedure, a hash of its source, where it was defined."""

    __slots__ = ("name", "proc", "source_hash", "span")

    def __init__(self, name: str, proc: Any, source_hash: str, span: Any) -> None:
        self.name = name
        self.proc = proc
        self.source_hash = source_hash
        self.span = span


class Suspension:
    """What the request primitive stops the machine with (env and site: for debuggers;
    timeout: seconds until the request times out, None for never)."""

    __slots__ = ("kind", "payload", "cont", "span", "env", "site", "timeout")

    def __init__(
        self,
        kind: str,
        payload: Any,
        cont: Continuation,
        span: Any,
        env: Any = None,
        site: Any = None,
        timeout: float | None = None,
    ) -> None:
        self.kind = kind
        self.payload = payload
        self.cont = cont
        self.span = span
        self.env = env
        self.site = site
        self.timeout = timeout


class Run:
    """The flow the machine is running: replayed steps and how far the replay got.

    With `stepping`, every request stops the machine (a debugger's replay), and the log
    is only compared, not used to answer. `added` are the patch markers this run
    recorded (they follow its logged steps), `patches` what each (flow/patched? NAME)
    answered, `cancelled` whether the run was given its cancellation.
    """

    __slots__ = (
        "flow_id",
        "name",
        "steps",
        "step",
        "expect",
        "stepping",
        "added",
        "patches",
        "cancelled",
    )

    def __init__(
        self,
        flow_id: int | None,
        name: str,
        steps: list[Step],
        expect: Pending | None,
        stepping: bool = False,
    ) -> None:
        self.flow_id = flow_id
        self.name = name
        self.steps = steps
        self.step = 0
        self.expect = expect
        self.stepping = stepping
        self.added: list[Step] = []
        self.patches: dict[str, bool] = {}
        self.cancelled = False

    def is_replaying(self) -> bool:
        """Whether the flow is still in recorded history (the log, or the recorded
        pending request it is being brought back to)."""
        return self.step < len(self.steps) or self.expect is not None or self.stepping


class Outcome:
    """Where a run of a flow ended: suspended (kind, payload, cont), done or failed."""

    __slots__ = (
        "status",
        "kind",
        "payload",
        "cont",
        "result",
        "error",
        "where",
        "stop",
        "timeout",
    )

    def __init__(self, status: str, **fields: Any) -> None:
        self.status = status
        self.kind = fields.get("kind")
        self.payload = fields.get("payload")
        self.cont = fields.get("cont")
        self.stop: Suspension | None = fields.get("stop")
        self.result = fields.get("result")
        self.error = fields.get("error")
        self.where = fields.get("where")
        self.timeout: float | None = fields.get("timeout")

    def apply_to(
        self, rec: FlowRecord, now: float = 0.0, updated: float | None = None
    ) -> FlowRecord:
        """rec moved to this outcome at host time `now` (version not bumped; `updated`,
        when given, its new time of change): a request with a timeout is due `timeout`
        seconds from now."""
        status, pending, result, error, where, due = self.status, None, rec.result, None, None, None
        if status == SUSPENDED:
            pending = Pending(self.kind, self.payload)  # type: ignore[arg-type]
            due = None if self.timeout is None else now + self.timeout
            error, where = rec.error, rec.where
        elif status in (DONE, CANCELLED):
            result, error, where = self.result, rec.error, rec.where
        else:
            status, error, where = FAILED, self.error, self.where
        return FlowRecord(
            rec.id,
            rec.flow,
            rec.args,
            status,
            pending,
            result,
            error,
            where,
            rec.source_hash,
            rec.version,
            rec.nsteps,
            rec.key,
            rec.created,
            rec.updated if updated is None else updated,
            due,
        )


class FlowGuardedStream:
    """The interpreter's output: refuses to be written while flow code runs."""

    def __init__(self, host: Any, stream: TextIO | None, fallback: str) -> None:
        self.host = host
        self.stream = stream
        self.fallback = fallback

    def _target(self) -> TextIO:
        return self.stream if self.stream is not None else getattr(sys, self.fallback)

    def write(self, text: str) -> int:
        if self.host.runner.current is not None:
            raise SchemeError(
                "flow code cannot do I/O (the flow must replay identically): return data "
                "or ask the host with (request kind payload)"
            )
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()


def source_hash(form_text: str) -> str:
    """The hash recorded with each flow instance of the definition it started from."""
    return "sha256:" + hashlib.sha256(form_text.encode("utf-8")).hexdigest()[:16]


class UnitOfWork:
    """FlowHost.unit_of_work(): the store's transaction, plus the host's definitions put
    back as they were when it fails (so a failed restart leaves the host as it was)."""

    def __init__(self, host: Any) -> None:
        self.host = host

    def __enter__(self) -> UnitOfWork:
        self.defs = dict(self.host.definitions)
        self.tx = self.host.store.transaction()
        self.tx.__enter__()
        return self

    def __exit__(self, et: Any, e: Any, tb: Any) -> Any:
        if et is not None:
            self.host.definitions.clear()
            self.host.definitions.update(self.defs)
            self.host.runner.live.clear()
        return self.tx.__exit__(et, e, tb)


def canonical(value: Any, what: str) -> Any:
    """value checked to be Python plain data, in canonical form (e.g. MString -> str)."""
    return to_python(to_scheme(value, what), what)


class Runner:
    """Runs flow code on a host's interpreter: from its start, from a continuation, or
    again from its arguments against its log (a replay)."""

    def __init__(self, host: Any) -> None:
        self.host = host
        self.current: Run | None = None  # the run in progress (the request primitive's)
        # id -> (version, continuation, whether it was given its cancellation), for the
        # flows stepped last (live.py: a bounded cache; the others are replayed)
        self.live: LiveStates[tuple[int, Continuation, bool]] = LiveStates()

    def definition(self, name: Any) -> FlowDef:
        """The registered flow `name` (a str, Symbol or FlowRef); UnknownFlowError if none."""
        defs = self.host.definitions
        key = name.name if isinstance(name, (Symbol, FlowRef)) else name
        fdef = defs.get(key) if isinstance(key, str) else None
        if fdef is None:
            known = ", ".join(sorted(defs)) or "none"
            raise UnknownFlowError(f"no flow named {key} (defined: {known})")
        return fdef

    def continuation(self, rec: FlowRecord) -> tuple[Continuation, bool]:
        """The continuation of a suspended flow's current state, kept or replayed, and
        whether the flow was given its cancellation on the way there."""
        entry = self.live.get(rec.id)
        if entry is not None and entry[0] == rec.version:
            return entry[1], entry[2]
        # Only the steps of the state that was read: under READ COMMITTED (PostgreSQL) the
        # log may already hold another worker's newer step; replaying it would look like
        # nondeterminism, while this state's update will simply conflict.
        steps = self.host.store.steps(rec.id)[: rec.nsteps]
        return self.replay(rec, steps), any(s.event == CANCEL for s in steps)

    def replay(self, rec: FlowRecord, steps: list[Step]) -> Continuation:
        """Run a suspended flow again from its arguments, answering from its log."""
        return self.replay_run(rec, steps)[1]

    def replay_run(self, rec: FlowRecord, steps: list[Step]) -> tuple[Run, Continuation]:
        """replay, and the Run it made (which patches it met, and how they answered)."""
        fdef = self.definition(rec.flow)
        run = Run(rec.id, rec.flow, steps, rec.pending)
        run.cancelled = any(s.event == CANCEL for s in steps)
        outcome = self.execute(run, fdef.proc, [to_scheme(a) for a in rec.args])
        if outcome.status != SUSPENDED:
            new = "returns" if outcome.status in (DONE, CANCELLED) else f"fails ({outcome.error})"
            if run.step < len(steps):
                st = steps[run.step]
                recorded = f"({st.kind} {show(st.payload)})"
            else:
                p = rec.pending
                recorded = f"a pending ({p.kind} {show(p.payload)})" if p else "?"
            raise NondeterminismError(rec.id, rec.flow, run.step + 1, recorded, new, outcome.where)
        return run, outcome.cont

    def execute(
        self,
        run: Run,
        proc: Any = None,
        args: list | None = None,
        cont: Continuation | None = None,
        value: Any = None,
    ) -> Outcome:
        """Run flow code until it suspends, returns or fails (value: a Scheme value, or
        TIMEOUT_SIGNAL / CANCEL_SIGNAL for a continuation captured by request)."""
        host = self.host
        m = host.interp.machine
        limit = host.step_limit  # a replay is granted this much again at each logged answer
        self.current = run
        m.globals_locked = (
            "flow code cannot change global variables (a replay would do it "
            "again): keep state in local variables"
        )
        try:
            if cont is None:
                v = call(m, proc, args, limit)
            else:
                v = m.resume(cont, value, step_limit=limit)
        except NondeterminismError:
            raise
        except FlowCancelled:
            return Outcome(CANCELLED)
        except SchemeError as e:
            return Outcome(FAILED, error=str(e), where=str(e.span) if e.span else None)
        finally:
            self.current = None
            m.globals_locked = None
        if isinstance(v, Suspension):
            return Outcome(
                SUSPENDED,
                kind=v.kind,
                payload=v.payload,
                cont=v.cont,
                stop=v,
                timeout=v.timeout,
            )
        if run.step < len(run.steps) and not run.stepping:
            raise NondeterminismError(
                run.flow_id or 0,
                run.name,
                run.step + 1,
                f"({run.steps[run.step].kind} {show(run.steps[run.step].payload)})",
                "returns",
            )
        try:
            result = to_python(v, "the flow's result")
        except PlainDataError as e:
            return Outcome(FAILED, error=e.message)
        return Outcome(CANCELLED if run.cancelled else DONE, result=result)


def same_start(held: FlowRecord, name: str, args: list, key: str) -> Result:
    """A start under a key that is held: the same flow again, or an error."""
    if held.flow != name or dumps(held.args) != dumps(args):
        raise FlowKeyError(
            f"flow key {key!r} belongs to flow {held.id} ({held.flow} {show(held.args)}); "
            f"it cannot start {name} {show(args)}"
        )
    return result_of(held)


def check_address(store: Any, rec: FlowRecord, kind: str | None, version: int | None) -> None:
    """Refuse a resume that no longer matches what the flow waits on."""
    waiting = rec.pending.kind if rec.status == SUSPENDED and rec.pending else None
    if kind is None and version is None:
        if waiting is None:
            raise FlowStateError(
                f"flow {rec.id} is {rec.status}: only a suspended flow can be resumed"
            )
        return
    if kind is not None and kind != waiting:
        if any(s.kind == kind for s in store.steps(rec.id)):
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
        raise FlowStateError(f"flow {rec.id} is {rec.status}: only a suspended flow can be resumed")
