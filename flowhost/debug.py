"""Replaying a flow step by step in a scratch copy: what `flowhost repl` drives.

A Replay runs the flow again from its arguments without touching the store. It stops
at every request; `step` answers the request it stands at with the value the log gave
it, `finish` steps on until the flow stands where it is suspended now. At each stop
`local_variables` names the variables in scope at the request (read from the captured
environment, named through the call site's compile-time scope) and `evaluate` runs an
expression there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scheme.reader import read_all
from scheme.syntax import base_name
from scheme.types import UNDEFINED

from .data import same, show, to_scheme
from .errors import FlowStateError
from .host import Outcome, Run
from .records import DONE, SUSPENDED, Step

if TYPE_CHECKING:
    from .host import FlowHost, Suspension


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
        self.flow = host._def(self.record.flow)
        self.stop: Stop | None = None
        self.ended: Outcome | None = None
        self._susp: Suspension | None = None

    def begin(self) -> Stop | Outcome:
        """Run the flow from its arguments to its first request."""
        run = Run(self.record.id, self.record.flow, [], None, stepping=True)
        args = [to_scheme(a) for a in self.record.args]
        return self._land(self.host._execute(run, self.flow.proc, args), 1)

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
        outcome = self.host._execute(run, cont=self._susp.cont, value=to_scheme(stop.logged.value))
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
        self._susp = susp
        self.stop = Stop(
            number, susp.kind, susp.payload, logged, matches, str(susp.span) if susp.span else None
        )
        return self.stop

    # -- looking around at a stop --------------------------------------------------------
    def local_variables(self) -> list[tuple[str, Any]]:
        """(name, value) of each variable in scope at the current request, innermost
        first; a name shadowed by an inner one is listed once."""
        self._current()
        susp = self._susp
        assert susp is not None
        scope = getattr(susp.site, "scope", None)
        env = susp.env
        out: list[tuple[str, Any]] = []
        seen: set[str] = set()
        while scope is not None and env is not None:
            if scope.is_frame:
                for ident, index in scope.names.items():
                    name = base_name(ident).name
                    if name in seen or index >= len(env):
                        continue
                    seen.add(name)
                    if env[index] is not UNDEFINED:
                        out.append((name, env[index]))
                env = env[0]
            scope = scope.parent
        return out

    def evaluate(self, text: str) -> Any:
        """Evaluate Scheme source at the current request, in its scope."""
        self._current()
        susp = self._susp
        assert susp is not None
        interp = self.host.interp
        value: Any = None
        for datum in read_all(text, "<eval>"):
            scope = getattr(susp.site, "scope", None)
            node = interp.compiler.compile(
                datum, scope, getattr(datum, "span", None), top=scope is None
            )
            value = interp.machine.execute(node, susp.env)
        return value


def outcome_text(outcome: Outcome) -> str:
    """How a replay that ran to the end ended."""
    if outcome.status == DONE:
        return f"the flow returned {show(outcome.result)}"
    return f"the flow failed: {outcome.error}" + (f" at {outcome.where}" if outcome.where else "")
