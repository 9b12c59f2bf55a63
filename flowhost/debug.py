"""Replaying a flow step by step in a scratch copy: what `flowhost repl` drives.

A Replay runs the flow again from its arguments without touching the store. It stops
at every request; `step` answers the request it stands at with the value the log gave
it, `finish` steps on until the flow stands where it is suspended now. At each stop
`local_variables` names the variables in scope at the request (read from the captured
environment, named through the call site's compile-time scope) and `evaluate` runs an
expression there.

A replay never writes the store: while it runs flow code or typed input, the guest
procedures that would (flow/start, flow/resume, flow/cancel, flow-reset!,
flow-store-import!) are refused with an error saying why. `refresh` follows the store when
the flow has moved on since the replay began (its log grew), and says the replay is stale
when the store no longer holds the log it replays.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scheme import Primitive, SchemeError, Symbol, read_spanned, strip
from scheme.embed import variables_at

from .data import same, show, to_scheme
from .errors import FlowError, FlowStateError
from .records import DONE, SUSPENDED, Step
from .runner import Outcome, Run, logged_answer

if TYPE_CHECKING:
    from scheme import Interpreter

    from .host import FlowHost
    from .runner import Suspension

# The guest procedures that write the store; refused while a replay runs anything.
STORE_WRITERS = ("flow/start", "flow/resume", "flow/cancel", "flow-reset!", "flow-store-import!")


@contextmanager
def store_untouched(interp: Interpreter) -> Iterator[None]:
    """Within: the guest procedures that write the store raise an error instead."""
    saved: dict[str, Any] = {}
    for name in STORE_WRITERS:
        try:
            saved[name] = interp.lookup(name)
        except SchemeError:
            continue
        interp.define(name, _refusal(name))
    try:
        yield
    finally:
        for name, proc in saved.items():
            interp.define(name, proc)


def _refusal(name: str) -> Primitive:
    def refuse(*args: Any) -> Any:
        raise SchemeError(
            f"{name}: refused during a replay, which never writes the store "
            "(,end leaves the replay; ,resume ID VALUE resumes a flow for real)"
        )

    return Primitive(name, refuse, 0, None)


class StaleReplayError(FlowStateError):
    """The store no longer holds the log the replay was replaying."""


@dataclass(frozen=True, slots=True)
class Stop:
    """The replay stands before request `number` (1-based)."""

    number: int
    kind: str
    payload: Any
    logged: Step | None  # what the log recorded for this request; None past the log
    matches: bool  # the request is the one the log recorded
    where: str | None

    def describe(self) -> str:
        ask = f"({self.kind} {show(self.payload)})"
        if self.logged is None:
            return (
                f"request {self.number}: {ask} -- the flow is suspended here now; the log "
                "has no answer yet"
            )
        if not self.matches:
            rec = f"({self.logged.kind} {show(self.logged.payload)})"
            return (
                f"request {self.number}: {ask} -- but the log recorded {rec}: the flow "
                "no longer replays"
            )
        return f"request {self.number}: {ask} -> the log answered {show(self.logged.value)}"


class Replay:
    """A scratch replay of one flow (the store is never written)."""

    def __init__(self, host: FlowHost, flow_id: int) -> None:
        self.host = host
        self.record = host.record(flow_id)
        self.steps = host.steps(flow_id)
        self.flow = host.definition(self.record.flow)
        self.stop: Stop | None = None
        self.ended: Outcome | None = None
        self._susp: Suspension | None = None

    def begin(self) -> Stop | Outcome:
        """Run the flow from its arguments to its first request."""
        run = Run(self.record.id, self.record.flow, [], None, stepping=True)
        args = [to_scheme(a) for a in self.record.args]
        with store_untouched(self.host.interp):
            return self._land(self.host.runner.execute(run, self.flow.proc, args), 1)

    def refresh(self) -> str | None:
        """Follow the store: when the flow's log grew since the replay read it, take the new
        steps (and say so); StaleReplayError when the store no longer holds that log."""
        flow_id = self.record.id
        try:
            record, steps = self.host.record(flow_id), self.host.steps(flow_id)
        except FlowError:
            raise StaleReplayError(
                f"the replay of flow {flow_id} is stale: the store no longer has that flow"
            ) from None
        if record == self.record and len(steps) == len(self.steps):
            return None
        old = self.steps
        if len(steps) < len(old) or any(
            a.kind != b.kind or not same(a.payload, b.payload) or not same(a.value, b.value)
            for a, b in zip(old, steps)
        ):
            raise StaleReplayError(
                f"the replay of flow {flow_id} is stale: its log in the store changed "
                f"(start again with ,replay {flow_id})"
            )
        moved = len(steps) != len(old) or record.status != self.record.status
        self.record, self.steps = record, steps
        if not moved:
            return None
        if self.stop is not None and self._susp is not None:
            self.stop = self._make_stop(self._susp, self.stop.number)
        return (
            f"flow {flow_id} moved on in the store since the replay read it (its log has "
            f"{len(steps)} steps now, the flow is {record.status}); the replay follows it"
        )

    def step(self) -> Stop | Outcome:
        """Answer the current request with the logged value and run to the next one."""
        stop = self._current()
        if stop.logged is None:
            raise FlowStateError(
                f"request {stop.number} is where flow {self.record.id} is suspended now: the "
                "log has no answer for it (resume the flow itself to go on)"
            )
        if not stop.matches:
            raise FlowStateError(
                f"request {stop.number} differs from the log: cannot answer it from the log"
            )
        run = Run(self.record.id, self.record.flow, [], None, stepping=True)
        assert self._susp is not None
        with store_untouched(self.host.interp):
            outcome = self.host.runner.execute(
                run, cont=self._susp.cont, value=logged_answer(stop.logged)
            )
        return self._land(outcome, stop.number + 1)

    def finish(self) -> Stop | Outcome:
        """Step until the flow stands where it is suspended now (or ends)."""
        result: Stop | Outcome = self._current()
        while isinstance(result, Stop) and result.logged is not None and result.matches:
            result = self.step()
        return result

    def _current(self) -> Stop:
        if self.stop is None:
            if self.ended is not None:
                raise FlowStateError("the replay has ended")
            raise FlowStateError("the replay has not started")
        return self.stop

    def _land(self, outcome: Outcome, number: int) -> Stop | Outcome:
        if outcome.status != SUSPENDED:
            self.stop, self._susp, self.ended = None, None, outcome
            return outcome
        susp = outcome.stop
        assert susp is not None
        self._susp = susp
        self.stop = self._make_stop(susp, number)
        return self.stop

    def _make_stop(self, susp: Suspension, number: int) -> Stop:
        logged = self.steps[number - 1] if number <= len(self.steps) else None
        if logged is not None:
            matches = logged.kind == susp.kind and same(logged.payload, susp.payload)
        else:
            pending = self.record.pending
            matches = (
                pending is not None
                and pending.kind == susp.kind
                and same(pending.payload, susp.payload)
            )
        return Stop(
            number, susp.kind, susp.payload, logged, matches, str(susp.span) if susp.span else None
        )

    # -- looking around at a stop --------------------------------------------------------
    def local_variables(self) -> list[tuple[str, Any]]:
        """(name, value) of each variable in scope at the current request, innermost
        first; a name shadowed by an inner one is listed once."""
        self._current()
        susp = self._susp
        assert susp is not None
        return variables_at(susp.site, susp.env)

    def evaluate(self, text: str, name: str = "<eval>", step_limit: int | None = None) -> list[Any]:
        """Evaluate Scheme source at the current request, in its scope (the store is not
        touched); the value of each form, in order."""
        self._current()
        susp = self._susp
        assert susp is not None
        interp = self.host.interp
        values: list[Any] = []
        with store_untouched(interp):
            for datum, span in read_spanned(text, name):
                if _is_definition(datum):  # a new top-level name, as at the top level
                    values.append(interp.eval_datum(datum, span, step_limit=step_limit))
                    continue
                scope = getattr(susp.site, "scope", None)
                node = interp.compiler.compile(datum, scope, span, top=scope is None)
                values.append(interp.machine.execute(node, susp.env, step_limit=step_limit))
        return values


_DEFINERS = ("define", "define-syntax", "define-values", "define-record-type")


def _is_definition(datum: Any) -> bool:
    head = getattr(strip(datum), "car", None)
    return isinstance(head, Symbol) and head.name in _DEFINERS


def outcome_text(outcome: Outcome) -> str:
    """How a replay that ran to the end ended."""
    if outcome.status == DONE:
        return f"the flow returned {show(outcome.result)}"
    return f"the flow failed: {outcome.error}" + (f" at {outcome.where}" if outcome.where else "")
