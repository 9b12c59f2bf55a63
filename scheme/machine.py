"""The machine: runs compiled nodes with continuation frames on the heap.

State is (node, env, k): the node to evaluate, its environment frame, and the
continuation -- a linked chain of frames (frames.py). There is no Python recursion:
a non-tail call pushes a frame object, a tail call pushes nothing, and returning pops
one. call/cc captures the chain in O(1); since frames are never mutated after they are
pushed, a continuation can be resumed many times, after its extent has ended.

Control primitives (call/cc, apply, dynamic-wind, raise, ...) return a *transfer*:
    (T_VALUE, value, k)         return value to k
    (T_CALL, proc, args, k)     apply proc to args with continuation k
    (T_EVAL, node, env, k)      evaluate node in env
    (T_INSTATE, cont, value)    resume a captured continuation (winds already run)
    (T_EXIT, payload)           stop the machine; execute() returns payload
The dynamic-wind list and the handler stack are registers of the machine object; a
continuation records both, and resuming it runs the after/before thunks in between.

Limits: an optional step budget (closure calls) and a cap on the number of frames
waiting for a value. Both stop the program with an error no Scheme handler can catch.
"""

from __future__ import annotations

import gc
from typing import Any

from .calls import (
    assign,
    bind,
    not_applicable,
    select_clause,
    unbound_operator,
)
from .codegen import NOT_PRIMITIVE
from .dynamic import WindStepFrame, error_transfer, frames_pushed, raise_transfer, wind_steps
from .errors import (
    ArityError,
    DepthLimitError,
    SchemeError,
    StepLimitError,
)
from .frames import Handlers, Wind
from .nodes import ApplyNode, Const, TransferNode
from .primitives.registry import PRIMITIVES
from .tags import (
    APP,
    APPLY,
    ARG_FRAME,
    FRAME,
    GDEF,
    GREF,
    GSET,
    IF,
    IF_FRAME,
    LAMBDA,
    LET,
    LREF0,
    LSET,
    OR,
    OR_FRAME,
    PAPP,
    SEQ,
    SEQ_FRAME,
    SET_FRAME,
    T_CALL,
    T_EVAL,
    T_INSTATE,
    T_VALUE,
    TCALL,
    TRANSFER,
)
from .types import (
    FALSE,
    UNBOUND,
    CaseLambda,
    Closure,
    Continuation,
    ControlPrimitive,
    Parameter,
    Primitive,
    Values,
)

GC_EVERY = 1 << 16
NO_LIMIT = 1 << 62
# Frames waiting for a value: a million-deep recursion fits; runaway recursion stops at
# about half a gigabyte instead of eating the machine.
DEFAULT_MAX_DEPTH = 2_000_000


class Machine:
    """Runs nodes. One per interpreter; `execute` may be called again after it returns."""

    def __init__(self, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        self.winds: Wind | None = None
        self.handlers: Handlers | None = None
        self.depth = 0
        self.max_depth = max_depth
        self.node: Any = None  # the call being applied when a control primitive runs
        self.call_env: Any = None  # and the environment that call was evaluated in
        self.env: Any = None  # the default environment for eval (set by the interpreter)
        self.compiler: Any = None
        self.standard_env: Any = None  # name -> a fresh standard Environment
        self.collect_garbage = False
        self.budget = NO_LIMIT  # closure calls the running evaluation may still make
        self.last_steps = 0  # closure calls the last evaluation that returned made
        # When set (a reason), set! and define of global variables raise: the flow host
        # sets it while flow code runs, since replay cannot undo changes to globals.
        self.globals_locked: str | None = None

    # -- entry points --------------------------------------------------------------------
    def execute(self, node: Any, env: Any = None, *, step_limit: int | None = None) -> Any:
        """Evaluate node (in env) to its value, with a fresh dynamic state."""
        return self._enter(node, env, None, None, None, 0, step_limit)

    def resume(self, cont: Continuation, value: Any, *, step_limit: int | None = None) -> Any:
        """Deliver value to a captured continuation and run until it returns or exits."""
        return self._enter(
            Const(value), None, cont.k, cont.winds, cont.handlers, cont.depth, step_limit
        )

    def _enter(
        self,
        node: Any,
        env: Any,
        k: Any,
        winds: Any,
        handlers: Any,
        depth: int,
        step_limit: int | None,
    ) -> Any:
        saved = (self.winds, self.handlers, self.depth, self.collect_garbage, self.budget)
        self.winds, self.handlers, self.depth = winds, handlers, depth
        self.collect_garbage = gc.isenabled()
        gc.disable()
        try:
            return self._run(node, env, k, NO_LIMIT if step_limit is None else step_limit)
        finally:
            if self.collect_garbage:
                gc.enable()
            self.winds, self.handlers, self.depth, self.collect_garbage, self.budget = saved

    def capture(self, k: Any) -> Continuation:
        """The current continuation (for control primitives, which get k)."""
        return Continuation(k, self.winds, self.handlers, self.depth)

    # -- the loop ------------------------------------------------------------------------
    def _run(self, node: Any, env: Any, k: Any, limit: int) -> Any:  # noqa: C901
        # The hot loop. Frames pushed here are tuples (see frames.py); names are bound to
        # locals because global lookups cost more in this loop than anything else.
        Prim, Clo, F, NOTP = Primitive, Closure, FALSE, NOT_PRIMITIVE
        _TCALL, _PAPP, _APP, _LET, _IF, _GREF, _LREF0 = TCALL, PAPP, APP, LET, IF, GREF, LREF0
        _SEQ, _LAMBDA, _LSET, _GSET, _GDEF, _FRAME, _OR = SEQ, LAMBDA, LSET, GSET, GDEF, FRAME, OR
        _APPLY, _TRANSFER = APPLY, TRANSFER
        _ARGF, _IFF, _SEQF, _SETF, _ORF = ARG_FRAME, IF_FRAME, SEQ_FRAME, SET_FRAME, OR_FRAME
        maxd = self.max_depth
        depth = self.depth
        steps = 0
        self.budget = limit
        limit = min(limit, GC_EVERY)
        f: Any = None
        xs: Any = None
        v: Any = None
        site: Any = None
        CC1, CC2 = PRIMITIVES.get("call/cc"), PRIMITIVES.get("call-with-current-continuation")
        while True:
            try:
                while True:
                    # ---------------- eval: node in env, until a value v is known --------
                    while True:
                        tag = node.tag
                        if tag == _IF:
                            t = node.test
                            tt = t.tag
                            if tt == _PAPP:
                                v = t.run(env)
                                if v is not NOTP:
                                    node = node.els if v is F else node.then
                                    continue
                                t.tag = _TCALL
                            elif tt <= _GREF:
                                node = node.els if t.ev(env) is F else node.then
                                continue
                            depth += 1
                            if depth > maxd:
                                raise DepthLimitError(f"continuation deeper than {maxd} frames")
                            k = (_IFF, node, env, k)
                            node = t
                            continue
                        if tag == _APPLY:  # apply f to xs (site: the call, for spans)
                            tf = type(f)
                            if tf is Clo:
                                lam = f.lam
                                if len(xs) == lam.fast_n:
                                    env = [f.env, *xs]
                                else:
                                    env = bind(f, xs, site.span)
                                node = lam.body
                                steps += 1
                                if steps > limit:
                                    limit = self._checkpoint(steps)
                                continue
                            if tf is Prim:
                                v = f.fn(*xs)
                                break
                            if f is CC1 or f is CC2:  # call/cc without a transfer
                                if len(xs) != 1:
                                    raise ArityError(f"call/cc: expected 1 argument, got {len(xs)}")
                                f = xs[0]
                                xs = [Continuation(k, self.winds, self.handlers, depth)]
                                continue
                            if tf is Continuation:
                                v = xs[0] if len(xs) == 1 else Values(tuple(xs))
                                if f.winds is self.winds:
                                    k = f.k
                                    depth = f.depth
                                    self.handlers = f.handlers
                                    break
                                self.depth = depth
                                node = TransferNode(self._rewind(f, v), site.span)
                                continue
                            if tf is ControlPrimitive:
                                self.depth = depth
                                self.node = site
                                self.call_env = env
                                tr = f.fn(self, xs, k)
                                n = frames_pushed(tr, k)
                                if n:
                                    depth += n
                                    if depth > maxd:
                                        raise DepthLimitError(
                                            f"continuation deeper than {maxd} frames"
                                        )
                                node = TransferNode(tr, site.span)
                                continue
                            if tf is Parameter:
                                if xs:
                                    raise ArityError(
                                        f"{f.name}: a parameter takes no arguments, got {len(xs)}"
                                    )
                                v = f.value
                                break
                            if tf is CaseLambda:
                                f = select_clause(f, xs)
                                continue
                            raise not_applicable(f, xs)
                        if tag == _PAPP:
                            v = node.run(env)
                            if v is not NOTP:
                                break
                            node.tag = tag = _TCALL  # an operator is not a primitive
                        if tag == _TCALL:
                            xs = node.argsev(env)
                            if xs is not NOTP:
                                c = node.fncell
                                f = c.value if c is not None else node.fnev(env)
                                if type(f) is Clo:
                                    lam = f.lam
                                    if len(xs) == lam.fast_len:
                                        xs[0] = f.env
                                        env = xs
                                    else:
                                        env = bind(f, xs[1:], node.span)
                                    node = lam.body
                                    steps += 1
                                    if steps > limit:
                                        limit = self._checkpoint(steps)
                                    continue
                                xs = xs[1:]
                                if type(f) is Prim:
                                    v = f.fn(*xs)
                                    break
                                if f is UNBOUND:
                                    raise unbound_operator(node)
                                site = node
                                node = APPLYING
                                continue
                            node.tag = tag = _APP  # an operand needs the machine
                        if tag <= _GREF:
                            v = node.ev(env)
                            break
                        if tag == _APP or tag == _LET:
                            parts = node.parts
                            n = node.nparts
                            vals: list = []
                            i = 0
                            while i < n:
                                a = parts[i]
                                at = a.tag
                                if at == _LREF0:
                                    vals.append(env[a.index])
                                elif at <= _GREF:
                                    vals.append(a.ev(env))
                                elif at == _PAPP:
                                    v = a.run(env)
                                    if v is NOTP:
                                        a.tag = _TCALL
                                        break
                                    vals.append(v)
                                elif at == _LAMBDA:
                                    vals.append(Clo(a, env))
                                else:
                                    break
                                i += 1
                            if i < n:
                                depth += 1
                                if depth > maxd:
                                    raise DepthLimitError(f"continuation deeper than {maxd} frames")
                                k = (_ARGF, node, env, i, vals, k)
                                node = parts[i]
                                continue
                            if tag == _LET:
                                env = [env, *vals, *node.pad]
                                node = node.body
                                continue
                            if node.fn_in_parts:
                                f = vals[0]
                                xs = vals[1:]
                            else:
                                c = node.fncell
                                f = c.value if c is not None else node.fnev(env)
                                xs = vals
                            if type(f) is Clo:
                                lam = f.lam
                                if len(xs) == lam.fast_n:
                                    env = [f.env, *xs]
                                else:
                                    env = bind(f, xs, node.span)
                                node = lam.body
                                steps += 1
                                if steps > limit:
                                    limit = self._checkpoint(steps)
                                continue
                            if type(f) is Prim:
                                v = f.fn(*xs)
                                break
                            if f is UNBOUND:
                                raise unbound_operator(node)
                            site = node
                            node = APPLYING
                            continue
                        if tag == _SEQ:
                            body = node.body
                            last = len(body) - 1
                            i = 0
                            while i < last:
                                a = body[i]
                                at = a.tag
                                if at == _PAPP:
                                    if a.run(env) is NOTP:
                                        a.tag = _TCALL
                                        break
                                elif at <= _GREF:
                                    a.ev(env)
                                else:
                                    break
                                i += 1
                            if i < last:
                                depth += 1
                                if depth > maxd:
                                    raise DepthLimitError(f"continuation deeper than {maxd} frames")
                                k = (_SEQF, node, env, i, k)
                            node = body[i]
                            continue
                        if tag == _LAMBDA:
                            v = Clo(node, env)
                            break
                        if tag == _LSET or tag == _GSET or tag == _GDEF:
                            a = node.value
                            if a.tag <= _GREF:
                                v = assign(node, env, a.ev(env), self)
                                break
                            if a.tag == _LAMBDA:
                                v = assign(node, env, Clo(a, env), self)
                                break
                            depth += 1
                            if depth > maxd:
                                raise DepthLimitError(f"continuation deeper than {maxd} frames")
                            k = (_SETF, node, env, k)
                            node = a
                            continue
                        if tag == _FRAME:
                            env = [env, *node.slots]
                            node = node.body
                            continue
                        if tag == _OR:
                            depth += 1
                            if depth > maxd:
                                raise DepthLimitError(f"continuation deeper than {maxd} frames")
                            k = (_ORF, node, env, 0, k)
                            node = node.exprs[0]
                            continue
                        if tag == _TRANSFER:
                            tr = node.transfer
                            kind = tr[0]
                            if kind == T_VALUE:
                                v = tr[1]
                                k = tr[2]
                                break
                            if kind == T_CALL:
                                f, xs, k = tr[1], tr[2], tr[3]
                                site = node
                                node = APPLYING
                                continue
                            if kind == T_EVAL:
                                node, env, k = tr[1], tr[2], tr[3]
                                continue
                            if kind == T_INSTATE:
                                cont = tr[1]
                                v = tr[2]
                                k = cont.k
                                depth = cont.depth
                                self.winds = cont.winds
                                self.handlers = cont.handlers
                                break
                            self.depth = depth
                            self.last_steps = steps
                            return tr[1]  # T_EXIT
                        raise SchemeError(f"internal error: unknown node {node!r}")

                    # ---------------- return: deliver v to k ---------------------------------
                    while True:
                        if k is None:
                            self.last_steps = steps
                            return v
                        fr = k
                        if type(fr) is not tuple:  # a control primitive's frame
                            depth -= 1
                            self.depth = depth
                            tr = fr.resume(self, v)
                            n = frames_pushed(tr, fr.next)
                            if n:
                                depth += n
                                if depth > maxd:
                                    raise DepthLimitError(f"continuation deeper than {maxd} frames")
                            node = TransferNode(tr, fr.span)
                            break
                        kind = fr[0]
                        depth -= 1
                        if kind == _ARGF:
                            _, node, env, i, vals, k = fr
                            vals = [*vals, v]
                            parts = node.parts
                            n = node.nparts
                            i += 1
                            while i < n:
                                a = parts[i]
                                at = a.tag
                                if at == _LREF0:
                                    vals.append(env[a.index])
                                elif at <= _GREF:
                                    vals.append(a.ev(env))
                                elif at == _PAPP:
                                    v = a.run(env)
                                    if v is NOTP:
                                        a.tag = _TCALL
                                        break
                                    vals.append(v)
                                elif at == _LAMBDA:
                                    vals.append(Clo(a, env))
                                else:
                                    break
                                i += 1
                            if i < n:
                                depth += 1
                                if depth > maxd:
                                    raise DepthLimitError(f"continuation deeper than {maxd} frames")
                                k = (_ARGF, node, env, i, vals, k)
                                node = parts[i]
                                break
                            if node.tag == _LET:
                                env = [env, *vals, *node.pad]
                                node = node.body
                                break
                            if node.fn_in_parts:
                                f = vals[0]
                                xs = vals[1:]
                            else:
                                c = node.fncell
                                f = c.value if c is not None else node.fnev(env)
                                xs = vals
                            if type(f) is Prim:
                                v = f.fn(*xs)
                                continue
                            if type(f) is Clo:
                                lam = f.lam
                                if len(xs) == lam.fast_n:
                                    env = [f.env, *xs]
                                else:
                                    env = bind(f, xs, node.span)
                                node = lam.body
                                steps += 1
                                if steps > limit:
                                    limit = self._checkpoint(steps)
                                break
                            if f is UNBOUND:
                                raise unbound_operator(node)
                            site = node
                            node = APPLYING
                            break
                        if kind == _IFF:
                            node = fr[1].els if v is F else fr[1].then
                            env = fr[2]
                            k = fr[3]
                            break
                        if kind == _SEQF:
                            _, node, env, i, k = fr
                            body = node.body
                            last = len(body) - 1
                            i += 1
                            while i < last:
                                a = body[i]
                                at = a.tag
                                if at == _PAPP:
                                    if a.run(env) is NOTP:
                                        a.tag = _TCALL
                                        break
                                elif at <= _GREF:
                                    a.ev(env)
                                else:
                                    break
                                i += 1
                            if i < last:
                                depth += 1
                                k = (_SEQF, node, env, i, k)
                            node = body[i]
                            break
                        if kind == _SETF:
                            node = fr[1]
                            v = assign(node, fr[2], v, self)
                            k = fr[3]
                            continue
                        # _ORF
                        k = fr[4]
                        if v is not F:
                            continue
                        node = fr[1]
                        env = fr[2]
                        exprs = node.exprs
                        i = fr[3] + 1
                        if i < len(exprs) - 1:
                            depth += 1
                            k = (_ORF, node, env, i, k)
                        node = exprs[i]
                        break
            except Exception as e:  # noqa: BLE001 -- every error becomes a Scheme raise
                self.depth = depth
                at_fault = site if node is APPLYING else node
                tr = self._on_error(e, at_fault, f, xs, k)
                depth += frames_pushed(tr, k)
                node = TransferNode(tr)
                env = None

    def grant_steps(self, n: int) -> None:
        """Raise the running evaluation's step budget by n (a host that replays a flow
        grants a fresh budget at each request it answers)."""
        self.budget += n

    def _checkpoint(self, steps: int) -> int:
        """Every GC_EVERY closure calls: enforce the budget and collect young garbage.

        Automatic garbage collection is off while the machine runs: with a million frames
        waiting, Python's full collections would rescan them all again and again. Young
        generations are collected here instead, so cycles that die young (a named let's
        frame and closure) are still freed during long runs.
        """
        budget = self.budget
        if steps > budget:
            raise StepLimitError(f"step budget of {budget} closure calls used up")
        if self.collect_garbage:
            gc.collect(1)
        return min(budget, steps + GC_EVERY)

    # -- errors and raise ----------------------------------------------------------------
    def _on_error(self, e: Exception, node: Any, f: Any, xs: Any, k: Any) -> tuple:
        return error_transfer(self, e, node, f, xs, k)

    def raise_transfer(self, obj: Any, continuable: bool, k: Any) -> tuple:
        """Call the current handler with obj (raise / raise-continuable)."""
        return raise_transfer(self, obj, continuable, k)

    # -- dynamic-wind --------------------------------------------------------------------
    def _rewind(self, cont: Continuation, value: Any) -> tuple:
        return WindStepFrame(wind_steps(self.winds, cont.winds), 0, cont, value).resume(self, None)


# The machine's "apply f to xs" state: f, xs and the call site live in locals.
APPLYING = ApplyNode()
