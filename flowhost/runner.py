"""What the host runs flows with: definitions, the run in progress, where a run ended.

`FlowRef` is what `(defflow NAME ...)` binds NAME to; `FlowDef` a registered flow;
`Suspension` what the request primitive stops the machine with; `Run` the flow the
machine is running (its log, and how far a replay got); `Outcome` where a run ended;
`FlowGuardedStream` the interpreter's output, refused while flow code runs (a replay
would write it again); `source_hash` the hash recorded with each flow instance.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import replace
from typing import Any, TextIO

from scheme import Continuation, SchemeError

from .data import to_python, to_scheme
from .records import DONE, FAILED, SUSPENDED, FlowRecord, Pending, Step


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
    """What the request primitive stops the machine with (env and site: for debuggers)."""

    __slots__ = ("kind", "payload", "cont", "span", "env", "site")

    def __init__(
        self,
        kind: str,
        payload: Any,
        cont: Continuation,
        span: Any,
        env: Any = None,
        site: Any = None,
    ) -> None:
        self.kind = kind
        self.payload = payload
        self.cont = cont
        self.span = span
        self.env = env
        self.site = site


class Run:
    """The flow the machine is running: replayed steps and how far the replay got.

    With `stepping`, every request stops the machine (a debugger's replay), and the log
    is only compared, not used to answer.
    """

    __slots__ = ("flow_id", "name", "steps", "step", "expect", "stepping")

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


class Outcome:
    """Where a run of a flow ended: suspended (kind, payload, cont), done or failed."""

    __slots__ = ("status", "kind", "payload", "cont", "result", "error", "where", "stop")

    def __init__(self, status: str, **fields: Any) -> None:
        self.status = status
        self.kind = fields.get("kind")
        self.payload = fields.get("payload")
        self.cont = fields.get("cont")
        self.stop: Suspension | None = fields.get("stop")
        self.result = fields.get("result")
        self.error = fields.get("error")
        self.where = fields.get("where")

    def apply_to(self, rec: FlowRecord) -> FlowRecord:
        """rec moved to this outcome (version not bumped)."""
        if self.status == SUSPENDED:
            return replace(rec, status=SUSPENDED, pending=Pending(self.kind, self.payload))
        if self.status == DONE:
            return replace(rec, status=DONE, pending=None, result=self.result)
        return replace(rec, status=FAILED, pending=None, error=self.error, where=self.where)


class FlowGuardedStream:
    """The interpreter's output: refuses to be written while flow code runs."""

    def __init__(self, host: Any, stream: TextIO | None, fallback: str) -> None:
        self.host = host
        self.stream = stream
        self.fallback = fallback

    def _target(self) -> TextIO:
        return self.stream if self.stream is not None else getattr(sys, self.fallback)

    def write(self, text: str) -> int:
        if self.host._run is not None:
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
        self.defs = dict(self.host._defs)
        self.tx = self.host.store.transaction()
        self.tx.__enter__()
        return self

    def __exit__(self, et: Any, e: Any, tb: Any) -> Any:
        if et is not None:
            self.host._defs.clear()
            self.host._defs.update(self.defs)
            self.host._live.clear()
        return self.tx.__exit__(et, e, tb)


def canonical(value: Any, what: str) -> Any:
    """value checked to be Python plain data, in canonical form (e.g. MString -> str)."""
    return to_python(to_scheme(value, what), what)
