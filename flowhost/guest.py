"""The guest side: defflow, request and the flow/... procedures in the flow environment.

They are thin: each calls the FlowHost method of the same meaning and turns host errors
into Scheme errors, so guest code can catch them with guard. The suspending forms --
`request`, `request/timeout`, `flow/sleep` -- share `suspend`; the continuation they stop
with sits behind an AnswerFrame (runner.py), which turns a timeout or a cancellation the
host delivers into what the flow sees there. `flow/patched?` records its marker in the run.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from scheme import (
    FALSE,
    TRUE,
    UNSPECIFIED,
    MString,
    Primitive,
    SchemeError,
    Suspend,
    SuspensionPoint,
    Symbol,
    is_procedure,
    list_from,
    write_string,
)
from scheme.embed import arity_of, define_definer, wrong_type

from .data import PlainDataError, same, show, to_python, to_scheme
from .errors import FlowError, NondeterminismError
from .records import (
    CANCEL,
    PATCH_KIND,
    RESERVED_KINDS,
    SLEEP_KIND,
    Cancelled,
    Done,
    Failed,
    Result,
    Step,
    Suspended,
)

if TYPE_CHECKING:
    from .host import FlowHost


def _shape(r: Result) -> Any:
    """(flow-suspended ID KIND), (flow-done ID RESULT), (flow-cancelled ID RESULT) or
    (flow-failed ID MESSAGE)."""
    if isinstance(r, Suspended):
        items = [Symbol("flow-suspended"), r.id, Symbol(r.kind)]
    elif isinstance(r, Done):
        items = [Symbol("flow-done"), r.id, to_scheme(r.result)]
    elif isinstance(r, Cancelled):
        items = [Symbol("flow-cancelled"), r.id, FALSE if r.result is None else to_scheme(r.result)]
    else:
        assert isinstance(r, Failed)
        items = [Symbol("flow-failed"), r.id, MString(r.message)]
    return list_from(items)


def _id(who: str, x: Any) -> int:
    if type(x) is not int or x < 1:
        raise wrong_type(who, "a flow id (a positive integer)", x)
    return x


def install(host: FlowHost) -> None:
    """Define defflow, request and the guest API in the host's interpreter."""
    from .runner import (
        TIMED_OUT,
        FlowCancelled,
        FlowRef,
        Suspension,
        answering,
        logged_answer,
        source_hash,
    )

    interp = host.interp

    def guarded(who: str, fn: Any) -> Any:
        def call(*args: Any) -> Any:
            try:
                return fn(*args)
            except NondeterminismError as e:
                raise SchemeError(f"{who}: {e.message}", span=e.span) from None
            except FlowError as e:
                prefix = "" if e.message.startswith(f"{who}:") else f"{who}: "
                raise SchemeError(f"{prefix}{e.message}") from None

        return call

    def define(name: str, fn: Any) -> None:
        lo, hi = arity_of(fn)  # the wrapper takes *args; arity errors name the real arity
        interp.define(name, Primitive(name, guarded(name, fn), lo, hi))

    # (defflow NAME EXPR)
    def defflow(name: Symbol, proc: Any, form: Any, span: Any) -> FlowRef:
        if not is_procedure(proc):
            raise SchemeError(
                f"defflow {name.name}: expected a procedure, got {write_string(proc)}"
            )
        return host.define_flow(name.name, proc, source_hash(write_string(form)), span)

    register = Primitive("defflow", defflow, 4, 4)  # bound to no name: guests cannot reach it
    define_definer(interp, "defflow", register, "procedure-expression")

    def seconds(who: str, x: Any, i: int) -> float:
        if type(x) not in (int, float, Fraction) or not 0 <= x < 1e10 or x != x:
            raise wrong_type(who, "seconds (a non-negative real number)", x, i)
        return float(x)

    # (request KIND PAYLOAD)
    def request(point: SuspensionPoint, *args: Any) -> Any:
        if len(args) != 2:
            raise SchemeError(f"request: expected 2 arguments (kind payload), got {len(args)}")
        if type(args[0]) is Symbol and args[0].name in RESERVED_KINDS:
            raise SchemeError(f"request: the kind {args[0].name} is reserved for the host")
        return suspend("request", point, args[0], args[1], None)

    # (request/timeout KIND PAYLOAD SECONDS): the answer, or the timeout value
    def request_timeout(point: SuspensionPoint, *args: Any) -> Any:
        if len(args) != 3:
            raise SchemeError(
                f"request/timeout: expected 3 arguments (kind payload seconds), got {len(args)}"
            )
        if type(args[0]) is Symbol and args[0].name in RESERVED_KINDS:
            raise SchemeError(f"request/timeout: the kind {args[0].name} is reserved")
        return suspend(
            "request/timeout", point, args[0], args[1], seconds("request/timeout", args[2], 3)
        )

    # (flow/sleep SECONDS)
    def flow_sleep(point: SuspensionPoint, *args: Any) -> Any:
        if len(args) != 1:
            raise SchemeError(f"flow/sleep: expected 1 argument (seconds), got {len(args)}")
        secs = seconds("flow/sleep", args[0], 1)
        return suspend("flow/sleep", point, Symbol(SLEEP_KIND), args[0], secs)

    def suspend(who: str, point: SuspensionPoint, kind: Any, payload: Any, timeout: Any) -> Any:
        run = host.runner.current
        if run is None:
            raise SchemeError(f"{who}: only valid while a flow runs (start one with flow/start)")
        if type(kind) is not Symbol:
            raise wrong_type(who, "a symbol (the request kind)", kind, 1)
        try:
            payload_py = to_python(payload, "request payload")
        except PlainDataError as e:
            raise SchemeError(f"{who}: {e.message}") from None
        span = point.span
        i = run.step
        answer = answering(kind.name, run.flow_id)
        if run.stepping:
            run.step += 1
            return Suspend(
                Suspension(
                    kind.name,
                    payload_py,
                    point.capture(answer),
                    span,
                    point.env,
                    point.site,
                    timeout,
                )
            )
        if i < len(run.steps):
            st = run.steps[i]
            if st.kind != kind.name or not same(st.payload, payload_py):
                raise NondeterminismError(
                    run.flow_id or 0,
                    run.name,
                    i + 1,
                    f"({st.kind} {show(st.payload)})",
                    f"asks ({kind.name} {show(payload_py)})",
                    span,
                )
            run.step += 1
            point.grant_steps(host.step_limit)  # each logged answer starts a new segment
            if st.event == CANCEL:
                run.cancelled = True
            return answer(logged_answer(st))
        expect = run.expect
        if expect is not None and (
            expect.kind != kind.name or not same(expect.payload, payload_py)
        ):
            raise NondeterminismError(
                run.flow_id or 0,
                run.name,
                i + 1,
                f"a pending ({expect.kind} {show(expect.payload)})",
                f"asks ({kind.name} {show(payload_py)})",
                span,
            )
        return Suspend(
            Suspension(
                kind.name, payload_py, point.capture(answer), span, point.env, point.site, timeout
            )
        )

    interp.define_suspending("request", request)
    interp.define_suspending("request/timeout", request_timeout)
    interp.define_suspending("flow/sleep", flow_sleep)

    # (flow/patched? NAME): #t under code that has the patch, #f replaying a log made
    # before it; the first answer is recorded in the log as a marker step.
    def flow_patched(point: SuspensionPoint, *args: Any) -> Any:
        run = host.runner.current
        if run is None:
            raise SchemeError("flow/patched?: only valid while a flow runs")
        if len(args) != 1 or type(args[0]) is not Symbol:
            raise SchemeError("flow/patched?: expected one symbol, the patch's name")
        name = args[0].name
        i = run.step
        if i < len(run.steps) and run.steps[i].kind == PATCH_KIND:
            if run.steps[i].payload != name:
                raise NondeterminismError(
                    run.flow_id or 0,
                    run.name,
                    i + 1,
                    f"(flow/patched? {show(run.steps[i].payload)})",
                    f"asks (flow/patched? {name})",
                    point.span,
                )
            run.step += 1
            answer = True
        elif run.is_replaying():
            answer = False  # history goes on without the marker: recorded before the patch
        else:
            marker = Step(PATCH_KIND, name, True)
            run.steps.append(marker)
            run.added.append(marker)
            run.step += 1
            answer = True
        run.patches.setdefault(name, answer)
        return TRUE if answer else FALSE

    interp.define_suspending("flow/patched?", flow_patched)

    # the guest-side API
    def flow_start(name: Any, *args: Any) -> Any:
        if not isinstance(name, (Symbol, FlowRef)):
            raise wrong_type("flow/start", "a flow (its name)", name, 1)
        try:
            py_args = [to_python(a, f"flow argument {i}") for i, a in enumerate(args, 1)]
        except PlainDataError as e:
            raise SchemeError(f"flow/start: {e.message}") from None
        return _shape(host.start(name, *py_args))

    def flow_resume(flow_id: Any, value: Any) -> Any:
        try:
            py_value = to_python(value, "resume value")
        except PlainDataError as e:
            raise SchemeError(f"flow/resume: {e.message}") from None
        return _shape(host.resume(_id("flow/resume", flow_id), py_value))

    def flow_status(flow_id: Any) -> Any:
        status = host.status(_id("flow/status", flow_id))
        return FALSE if status is None else Symbol(status)

    def flow_result(flow_id: Any) -> Any:
        return to_scheme(host.result(_id("flow/result", flow_id)))

    def flow_pending() -> Any:
        return list_from(host.pending())

    def flow_cancel(flow_id: Any) -> Any:
        host.cancel(_id("flow/cancel", flow_id))
        return TRUE

    def flow_terminate(flow_id: Any) -> Any:
        host.terminate(_id("flow/terminate", flow_id))
        return TRUE

    def flow_timeout_p(x: Any) -> Any:
        return TRUE if x is TIMED_OUT else FALSE

    def flow_cancelled_p(x: Any) -> Any:
        return TRUE if isinstance(x, FlowCancelled) else FALSE

    def flow_host_requests() -> Any:
        return list_from(
            [list_from([r.id, Symbol(r.kind), to_scheme(r.payload)]) for r in host.requests()]
        )

    def flow_store_export() -> Any:
        return host.export_datum()

    def flow_reset() -> Any:
        host.reset()
        return UNSPECIFIED

    def flow_store_import(datum: Any) -> Any:
        host.import_datum(datum)
        return TRUE

    for name, fn in [
        ("flow/start", flow_start),
        ("flow/resume", flow_resume),
        ("flow/status", flow_status),
        ("flow/result", flow_result),
        ("flow/pending", flow_pending),
        ("flow/cancel", flow_cancel),
        ("flow/terminate", flow_terminate),
        ("flow/timeout?", flow_timeout_p),
        ("flow/cancelled?", flow_cancelled_p),
        ("flow-host-requests", flow_host_requests),
        ("flow-store-export", flow_store_export),
        ("flow-reset!", flow_reset),
        ("flow-store-import!", flow_store_import),
    ]:
        define(name, fn)
