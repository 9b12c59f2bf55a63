"""The machine: runs compiled nodes with continuation frames on the heap.

State is (node, env, k): the node to evaluate, its environment frame, and the
continuation -- a linked chain of frames (frames.py). There is no Python recursion:
a non-tail call pushes a frame object, a tail call pushes nothing, and returning pops
one. (At closure entry a pure body may run as direct code instead, on at most
DIRECT_DEPTH Python frames; whenever that could differ from running it here, it bails
and the call runs here from its start -- see direct.py.) call/cc captures the chain
in O(1); since frames are never mutated after they are pushed, a continuation can be
resumed many times, after its extent has ended.

Control primitives (call/cc, apply, dynamic-wind, raise, ...) return a *transfer*:
    (T_VALUE, value, k)         return value to k
    (T_CALL, proc, args, k)     apply proc to args with continuation k
    (T_EVAL, node, env, k)      evaluate node in env
    (T_INSTATE, cont, value)    resume a captured continuation (winds already run)
    (T_EXIT, payload)           stop the machine; execute() returns payload
The dynamic-wind list and the handler stack are registers of the machine object; a
continuation records both, and resuming it runs the after/before thunks in between.

Limits: an optional step budget (closure calls) and a cap on the number of frames
waiting for a value, both checked at closure entry (_checkpoint). Both stop the program
with an error no Scheme handler can catch. reference.py defines what the loop must
compute; tests/scheme/test_reference.py holds the two to the same results.
"""

from __future__ import annotations

import gc
from typing import Any

from . import budget
from .calls import (
    assign,
    bind,
    not_applicable,
    select_clause,
    unbound_operator,
)
from .codegen import NOT_PRIMITIVE
from .direct import ATOMS, DIRECT_DEPTH, HEADROOM, Bail
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
        self.f: Any = None  # what _apply_other hands back for the loop to apply
        self.xs: Any = None

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
        meter = budget.start(self)  # work and memory budget (budget.py)
        try:
            return self._run(node, env, k, NO_LIMIT if step_limit is None else step_limit)
        finally:
            budget.stop(meter)
            if self.collect_garbage:
                gc.enable()
            self.winds, self.handlers, self.depth, self.collect_garbage, self.budget = saved

    def capture(self, k: Any) -> Continuation:
        """The current continuation (for control primitives, which get k)."""
        return Continuation(k, self.winds, self.handlers, self.depth)

    # -- the loop ------------------------------------------------------------------------
    def _run(self, node: Any, env: Any, k: Any, limit: int) -> Any:
        # The hot loop: eval (node in env until a value v is known), apply (f to xs at
        # site: every closure entry, and the depth and step checks, are written once, at
        # its head) and return (deliver v to the frame k). Argument lists are frame-shaped,
        # xs = [None, arg, ...], so a closure call can use the list as its frame.
        # Names are bound to locals: global lookups cost more here than anything else.
        Prim, Clo, F, NOTP = Primitive, Closure, FALSE, NOT_PRIMITIVE
        _TCALL, _PAPP, _APP, _IF, _GREF, _LREF0 = TCALL, PAPP, APP, IF, GREF, LREF0
        _SEQ, _LAMBDA, _LSET, _GSET, _GDEF, _FRAME, _OR = SEQ, LAMBDA, LSET, GSET, GDEF, FRAME, OR
        _APPLY, _TRANSFER = APPLY, TRANSFER
        _ARGF, _IFF, _SEQF, _SETF, _ORF = ARG_FRAME, IF_FRAME, SEQ_FRAME, SET_FRAME, OR_FRAME
        maxd = self.max_depth
        roomy = maxd - HEADROOM  # below this depth, direct code cannot reach the cap
        S = [0, 0]  # closure calls direct code may still make, escapes it made
        depth = self.depth
        steps = 0
        self.budget = limit
        limit = min(limit, GC_EVERY)
        f: Any = None
        xs: Any = None
        v: Any = None
        site: Any = None
        vals: Any = None
        at = 0  # > 0: an ARG or SEQ frame resumes its node at part `at` (vals: parts so far)
        CC1, CC2 = PRIMITIVES.get("call/cc"), PRIMITIVES.get("call-with-current-continuation")
        while True:
            try:
                while True:
                    # ---------------- eval: node in env, until a value v is known --------
                    while True:
                        tag = node.tag
                        if tag == _APP:  # an application or let, part by part
                            parts = node.parts
                            n = node.nparts
                            if at:
                                i = at
                                at = 0
                            else:
                                i = 0
                                vals = [env] if node.is_let else [] if node.fn_in_parts else [None]
                            while i < n:
                                a = parts[i]
                                at_ = a.tag
                                if at_ == _LREF0:
                                    vals.append(env[a.index])
                                elif at_ <= _GREF:
                                    vals.append(a.ev(env))
                                elif at_ == _PAPP:
                                    v = a.run(env)
                                    if v is NOTP:
                                        a.tag = _TCALL
                                        break
                                    vals.append(v)
                                elif at_ == _LAMBDA:
                                    vals.append(Clo(a, env))
                                else:
                                    break
                                i += 1
                            if i < n:
                                depth += 1
                                k = (_ARGF, node, env, i, vals, k)
                                node = parts[i]
                                continue
                            xs = vals
                            vals = None
                            if node.is_let:
                                xs.extend(node.pad)
                                env = xs
                                node = node.body
                                continue
                            if node.fn_in_parts:
                                f = xs[0]
                                xs[0] = None
                            else:
                                c = node.fncell
                                f = c.value if c is not None else node.fnev(env)
                            site = node
                        elif tag == _IF:
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
                            k = (_IFF, node, env, k)
                            node = t
                            continue
                        elif tag == _APPLY:
                            pass  # f, xs and site are set
                        elif tag == _PAPP or tag == _TCALL:
                            if tag == _PAPP:
                                v = node.run(env)
                                if v is not NOTP:
                                    break
                                node.tag = _TCALL  # an operator is not a primitive
                            xs = node.argsev(env)
                            if xs is NOTP:
                                node.tag = _APP  # an operand needs the machine
                                continue
                            c = node.fncell
                            f = c.value if c is not None else node.fnev(env)
                            site = node
                        elif tag <= _GREF:
                            v = node.ev(env)
                            break
                        elif tag == _SEQ:
                            body = node.body
                            last = len(body) - 1
                            if at:
                                i = at
                                at = 0
                            else:
                                i = 0
                            while i < last:
                                a = body[i]
                                at_ = a.tag
                                if at_ == _PAPP:
                                    if a.run(env) is NOTP:
                                        a.tag = _TCALL
                                        break
                                elif at_ <= _GREF:
                                    a.ev(env)
                                else:
                                    break
                                i += 1
                            if i < last:
                                depth += 1
                                k = (_SEQF, node, env, i, k)
                            node = body[i]
                            continue
                        elif tag == _LAMBDA:
                            v = Clo(node, env)
                            break
                        elif tag == _LSET or tag == _GSET or tag == _GDEF:
                            a = node.value
                            if a.tag <= _GREF:
                                v = assign(node, env, a.ev(env), self)
                                break
                            if a.tag == _LAMBDA:
                                v = assign(node, env, Clo(a, env), self)
                                break
                            depth += 1
                            k = (_SETF, node, env, k)
                            node = a
                            continue
                        elif tag == _FRAME:
                            env = [env, *node.slots]
                            node = node.body
                            continue
                        elif tag == _OR:
                            depth += 1
                            k = (_ORF, node, env, 0, k)
                            node = node.exprs[0]
                            continue
                        elif tag == _TRANSFER:
                            tr = node.transfer
                            kind = tr[0]
                            if kind == T_VALUE:
                                v = tr[1]
                                k = tr[2]
                                break
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
                            if kind != T_CALL:  # T_EXIT
                                self.depth = depth
                                self.last_steps = steps
                                return tr[1]
                            f, xs, k = tr[1], [None, *tr[2]], tr[3]
                            site = node
                        else:
                            raise SchemeError(f"internal error: unknown node {node!r}")

                        # ------------ apply: f to xs (xs[0] is free) at site ----------------
                        if type(f) is Clo:
                            steps += 1
                            if steps > limit or depth > maxd:
                                limit = self._checkpoint(steps, depth, k)
                            lam = f.lam
                            if len(xs) == lam.fast_len:
                                xs[0] = f.env
                                env = xs
                                d = lam.direct
                                if d is not None and depth < roomy:  # pure: Python stack
                                    try:
                                        S[0] = self.budget - steps
                                        S[1] = 0
                                        v = d(env, S, DIRECT_DEPTH)
                                        if not S[1] or type(v) in ATOMS:
                                            steps = self.budget - S[0]
                                            break
                                        lam.direct = None  # an escape may be inside v
                                    except Bail as b:  # the machine does it all itself
                                        b.lam.direct = None
                            else:
                                env = bind(f, xs[1:], site.span)
                            node = lam.body
                            continue
                        if type(f) is Prim:
                            v = f.fn(*xs[1:])
                            break
                        if type(f) is Continuation and f.winds is self.winds and len(xs) == 2:
                            v = xs[1]  # a continuation in the same dynamic extent
                            k = f.k
                            depth = f.depth
                            self.handlers = f.handlers
                            break
                        if (f is CC1 or f is CC2) and len(xs) == 2:  # call/cc: no transfer
                            f = xs[1]
                            xs = [None, Continuation(k, self.winds, self.handlers, depth)]
                            node = APPLYING
                            continue
                        node = APPLYING  # errors below are the call's, at site
                        tr = self._apply_other(f, xs, k, depth, site, env, CC1, CC2)
                        if tr is None:  # a case-lambda clause or call/cc's argument: f, xs set
                            f, xs = self.f, self.xs
                            continue
                        if tr[0] == T_INSTATE and tr[1].winds is self.winds:
                            cont = tr[1]  # a continuation in the same dynamic extent
                            v = tr[2]
                            k = cont.k
                            depth = cont.depth
                            self.handlers = cont.handlers
                            break
                        depth += frames_pushed(tr, k)
                        node = TransferNode(tr, site.span)

                    # ---------------- return: deliver v to k ---------------------------------
                    while True:
                        if k is None:
                            self.last_steps = steps
                            return v
                        fr = k
                        depth -= 1
                        if type(fr) is not tuple:  # a control primitive's frame
                            self.depth = depth
                            tr = fr.resume(self, v)
                            depth += frames_pushed(tr, fr.next)
                            node = TransferNode(tr, fr.span)
                            break
                        kind = fr[0]
                        if kind == _ARGF:
                            _, node, env, at, vals, k = fr
                            vals = [*vals, v]
                            at += 1
                            if at < node.nparts or node.is_let:
                                break  # the eval loop goes on with part `at`
                            at = 0  # the last operand: the call, from here when cheap
                            xs = vals
                            vals = None
                            if node.fn_in_parts:
                                f = xs[0]
                                xs[0] = None
                            else:
                                c = node.fncell
                                f = c.value if c is not None else node.fnev(env)
                            if type(f) is Prim:
                                v = f.fn(*xs[1:])
                                continue
                            site = node
                            node = APPLYING
                            break
                        if kind == _IFF:
                            node = fr[1].els if v is F else fr[1].then
                            env = fr[2]
                            k = fr[3]
                            break
                        if kind == _SEQF:
                            _, node, env, at, k = fr
                            at += 1
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
                args = xs[1:] if type(xs) is list else xs
                tr = self._on_error(e, at_fault, f, args, k)
                depth += frames_pushed(tr, k)
                node = TransferNode(tr)
                env = None
                vals = None
                at = 0

    def _apply_other(
        self, f: Any, xs: list, k: Any, depth: int, site: Any, env: Any, cc1: Any, cc2: Any
    ) -> tuple | None:
        """Apply what is neither a closure nor a primitive: the transfer that follows, or
        None with self.f, self.xs set when the machine should apply those instead."""
        args = xs[1:]
        tf = type(f)
        if f is cc1 or f is cc2:  # call/cc: no transfer needed
            if len(args) != 1:
                raise ArityError(f"call/cc: expected 1 argument, got {len(args)}")
            self.f, self.xs = args[0], [None, Continuation(k, self.winds, self.handlers, depth)]
            return None
        if tf is CaseLambda:
            self.f, self.xs = select_clause(f, args), xs
            return None
        if tf is Continuation:
            v = args[0] if len(args) == 1 else Values(tuple(args))
            if f.winds is self.winds:
                return (T_INSTATE, f, v)
            self.depth = depth
            return self._rewind(f, v)
        if tf is ControlPrimitive:
            self.depth = depth
            self.node = site
            self.call_env = env
            return f.fn(self, args, k)
        if tf is Parameter:
            if args:
                raise ArityError(f"{f.name}: a parameter takes no arguments, got {len(args)}")
            return (T_VALUE, f.value, k)
        if f is UNBOUND:
            raise unbound_operator(site)
        raise not_applicable(f, args)

    def grant_steps(self, n: int) -> None:
        """Raise the running evaluation's step budget by n (a host that replays a flow
        grants a fresh budget at each request it answers)."""
        self.budget += n

    def _checkpoint(self, steps: int, depth: int, k: Any) -> int:
        """Every GC_EVERY closure calls, or when the continuation is too deep: enforce the
        depth cap and the step budget, and collect young garbage.

        The depth cap is checked at closure entry rather than at every frame push: every
        unbounded growth of the continuation goes through closure calls, so the cap still
        stops it, a few frames past max_depth at most. The error points at the expression
        whose frame is on top.

        Automatic garbage collection is off while the machine runs: with a million frames
        waiting, Python's full collections would rescan them all again and again. Young
        generations are collected here instead, so cycles that die young (a named let's
        frame and closure) are still freed during long runs.
        """
        if depth > self.max_depth:
            top = k[1] if type(k) is tuple else k
            raise DepthLimitError(
                f"continuation deeper than {self.max_depth} frames", span=getattr(top, "span", None)
            )
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
