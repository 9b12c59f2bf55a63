"""The guest side: defflow, request and the flow/... procedures in the flow environment.

They are thin: each calls the FlowHost method of the same meaning and turns host errors
into Scheme errors, so guest code can catch them with guard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scheme.compiler import Compiler
from scheme.errors import SchemeError, SchemeSyntaxError
from scheme.frames import T_EXIT, T_VALUE
from scheme.machine import Machine
from scheme.nodes import App, Const, GDef, Node
from scheme.primitives.registry import arity_of, wrong_type
from scheme.printer import write_string
from scheme.syntax import Scope, SpecialForm, base_name, form_items, is_identifier, require, strip
from scheme.types import (
    FALSE,
    TRUE,
    UNSPECIFIED,
    MString,
    Pair,
    Primitive,
    Symbol,
    is_procedure,
    list_from,
)

from .data import PlainDataError, same, show, to_python, to_scheme
from .errors import FlowError, NondeterminismError
from .records import Done, Failed, Result, Suspended

if TYPE_CHECKING:
    from .host import FlowHost


def _shape(r: Result) -> Any:
    """(flow-suspended ID KIND), (flow-done ID RESULT) or (flow-failed ID MESSAGE)."""
    if isinstance(r, Suspended):
        items = [Symbol("flow-suspended"), r.id, Symbol(r.kind)]
    elif isinstance(r, Done):
        items = [Symbol("flow-done"), r.id, to_scheme(r.result)]
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
    from .runner import FlowRef, Suspension, source_hash

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
    def compile_defflow(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
        items = form_items(x, "defflow", span)
        require(
            len(items) == 3 and is_identifier(items[1][0]),
            "defflow",
            "expected (defflow name procedure-expression)",
            x,
            span,
        )
        if scope is not None or top is not True:
            raise SchemeSyntaxError("defflow: only allowed at top level", span=span)
        name = base_name(items[1][0])
        digest = source_hash(write_string(strip(x)))
        value = c.compile_named(items[2][0], None, items[2][1], name.name)
        register = App(
            Const(register_flow),
            [Const(name), value, Const(MString(digest)), Const(span)],
            span,
        )
        return GDef(c.env.cell(name), register, span)

    interp.env.table[Symbol("defflow")] = SpecialForm("defflow", compile_defflow, True)

    def defflow(name: Symbol, proc: Any, digest: MString, span: Any) -> FlowRef:
        if not is_procedure(proc):
            raise SchemeError(
                f"defflow {name.name}: expected a procedure, got {write_string(proc)}"
            )
        return host.define_flow(name.name, proc, digest.s, span)

    register_flow = Primitive("defflow", defflow, 4, 4)  # bound to no name: guests cannot reach it

    # (request KIND PAYLOAD)
    def request(m: Machine, args: list, k: Any) -> tuple:
        run = host._run
        if run is None:
            raise SchemeError("request: only valid while a flow runs (start one with flow/start)")
        if len(args) != 2:
            raise SchemeError(f"request: expected 2 arguments (kind payload), got {len(args)}")
        kind, payload = args
        if type(kind) is not Symbol:
            raise wrong_type("request", "a symbol (the request kind)", kind, 1)
        try:
            payload_py = to_python(payload, "request payload")
        except PlainDataError as e:
            raise SchemeError(f"request: {e.message}") from None
        span = m.node.span if m.node is not None else None
        i = run.step
        if run.stepping:
            run.step += 1
            return (
                T_EXIT,
                Suspension(kind.name, payload_py, m.capture(k), span, m.call_env, m.node),
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
            m.grant_steps(host.step_limit)  # each logged answer starts a new segment
            return (T_VALUE, to_scheme(st.value), k)
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
        return (T_EXIT, Suspension(kind.name, payload_py, m.capture(k), span, m.call_env, m.node))

    interp.define_control("request", request)

    # the guest-side API
    def flow_start(name: Any, *args: Any) -> Any:
        if not isinstance(name, (Symbol, FlowRef)):
            raise wrong_type("flow/start", "a flow (its name)", name, 1)
        try:
            py_args = [to_python(a, f"flow argument {i}") for i, a in enumerate(args, 1)]
        except PlainDataError as e:
            raise SchemeError(f"flow/start: {e.message}") from None
        return _shape(host._serve(host._start(name, py_args)))

    def flow_resume(flow_id: Any, value: Any) -> Any:
        try:
            py_value = to_python(value, "resume value")
        except PlainDataError as e:
            raise SchemeError(f"flow/resume: {e.message}") from None
        return _shape(host._serve(host._resume(_id("flow/resume", flow_id), py_value)))

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
        ("flow-host-requests", flow_host_requests),
        ("flow-store-export", flow_store_export),
        ("flow-reset!", flow_reset),
        ("flow-store-import!", flow_store_import),
    ]:
        define(name, fn)
