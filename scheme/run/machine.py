"""The machine: runs compiled nodes with continuation frames on the heap.

State is (node, env, k): the node to evaluate, its environment frame, and the
continuation -- a linked chain of frames (frames.py). There is no Python recursion:
a non-tail call pushes a frame object, a tail call pushes nothing, and returning pops
one. (At closure entry a pure body may run as direct code instead, on at most
DIRECT_DEPTH Python frames; whenever that could differ from running it here, it bails
and the call runs here from its start -- see expand/direct.py.) call/cc captures the chain
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

How the code is split:
- `Machine._run` (here) is the driver: eval, apply, return. It does inline only what
  nearly every program does all the time -- applications and lets of simple parts
  (evaluated in one place, which an ARG frame resumes), `if`, `begin`, variables,
  lambdas, closure entry (the one place steps are counted and the limits checked),
  primitive calls, call/cc and calling a continuation of the same dynamic extent -- and
  returning to the ARG, IF and SEQ frames those push.
- steps.py: every other node kind (set!/define, letrec frames, or), the other frames,
  and applying anything but a closure or a primitive, each a small function that answers
  with a transfer; `instate` (continuation delivery) is shared by both.
- expand/direct.py: pure closure bodies run on the Python stack (`run_direct`); calls.py:
  binding arguments, assignment, errors; dynamic.py: dynamic-wind and raise.

Node tags say how a node is run, and the driver rewrites some as it learns (PAPP ->
TCALL -> APP, see nodes.App): every path computes the same result, only the speed
differs.

Limits: an optional step budget (closure calls) and a cap on the number of frames
waiting for a value, both checked at closure entry (_checkpoint). Both stop the program
with an error no Scheme handler can catch. reference.py defines what the loop must
compute; tests/scheme/test_reference.py holds the two to the same results.
"""

from __future__ import annotations

import gc
from typing import Any

from ..errors import DepthLimitError, StepLimitError
from ..expand.codegen import NOT_PRIMITIVE
from ..expand.direct import BAILED, HEADROOM, run_direct
from ..expand.nodes import ApplyNode, Const, TransferNode
from ..primitives.registry import PRIMITIVES
from ..types import FALSE, Closure, Continuation, Primitive
from . import budget
from .calls import bind
from .dynamic import error_transfer, frames_pushed, raise_transfer
from .frames import Handlers, Wind
from .steps import (
    EVAL_OUT_OF_LINE,
    RETURN_OUT_OF_LINE,
    apply_other,
    effects,
    instate,
)
from .tags import (
    APP,
    APPLY,
    ARG_FRAME,
    GREF,
    IF,
    IF_FRAME,
    LAMBDA,
    LREF0,
    PAPP,
    SEQ,
    SEQ_FRAME,
    T_CALL,
    T_EVAL,
    T_INSTATE,
    T_VALUE,
    TCALL,
    TRANSFER,
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
        self.f: Any = None  # what steps.apply_other hands back for the driver to apply
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

    # -- the driver ----------------------------------------------------------------------
    def _run(self, node: Any, env: Any, k: Any, limit: int) -> Any:
        # The driver: eval (node in env, until a value v is known), apply (f to xs at
        # site) and return (deliver v to the frame k), inline only for what nearly every
        # program does all the time; everything else is a step in steps.py that answers
        # with a transfer, which the out-of-line branch acts on. Each concern is written
        # once: argument evaluation (APP, resumed there by an ARG frame), closure entry
        # with the step and depth checks (apply), continuation delivery (instate).
        # Argument lists are frame-shaped, xs = [None, arg, ...], so a closure call can
        # use the list as its frame. Everything is bound to locals: global lookups cost
        # more here than anything else.
        Clo, Prim, Cont, F, NOTP = Closure, Primitive, Continuation, FALSE, NOT_PRIMITIVE
        _APP, _IF, _PAPP, _TCALL, _SEQ, _LAMBDA, _APPLY = APP, IF, PAPP, TCALL, SEQ, LAMBDA, APPLY
        _GREF, _LREF0, _TRANSFER = GREF, LREF0, TRANSFER
        _ARGF, _IFF, _SEQF = ARG_FRAME, IF_FRAME, SEQ_FRAME
        _instate, _effects, _run_direct = instate, effects, run_direct
        eval_out_of_line, return_out_of_line = EVAL_OUT_OF_LINE, RETURN_OUT_OF_LINE
        maxd = self.max_depth
        roomy = maxd - HEADROOM  # below this depth, direct code cannot reach the cap
        cc1, cc2 = PRIMITIVES.get("call/cc"), PRIMITIVES.get("call-with-current-continuation")
        S = [0, 0]  # closure calls direct code may still make, escapes it made
        depth = self.depth
        steps = 0
        self.budget = limit
        limit = min(limit, GC_EVERY)
        f: Any = None
        xs: Any = None
        v: Any = None
        site: Any = None
        vals: Any = None  # the parts of an APP evaluated so far
        at = 0  # > 0: an ARG or SEQ frame resumes its node at part `at`
        while True:
            try:
                while True:
                    # ---- eval: node in env, until v is known (break) or f(xs) is due --
                    while True:
                        tag = node.tag
                        if tag == _APP:  # an application or a let: its parts in order
                            if at:
                                i = at
                                at = 0
                            else:
                                i = 0
                                vals = [env] if node.is_let else [] if node.fn_in_parts else [None]
                            parts = node.parts
                            n = node.nparts
                            while i < n:  # the simple parts inline, up to one that is not
                                a = parts[i]
                                t = a.tag
                                if t == _LREF0:
                                    vals.append(env[a.index])
                                elif t <= _GREF:
                                    vals.append(a.ev(env))
                                elif t == _PAPP:
                                    v = a.run(env)
                                    if v is NOTP:
                                        a.tag = _TCALL  # its operator is not a primitive
                                        break
                                    vals.append(v)
                                elif t == _LAMBDA:
                                    vals.append(Clo(a, env))
                                else:
                                    break
                                i += 1
                            if i < n:  # part i needs the machine; its ARG frame resumes here
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
                        elif tag == _IF:  # a simple test inline, any other under an IF frame
                            test = node.test
                            t = test.tag
                            if t <= _GREF:
                                node = node.els if test.ev(env) is F else node.then
                                continue
                            if t == _PAPP:
                                v = test.run(env)
                                if v is not NOTP:
                                    node = node.els if v is F else node.then
                                    continue
                                test.tag = _TCALL
                            depth += 1
                            k = (_IFF, node, env, k)
                            node = test
                            continue
                        elif tag == _TCALL or tag == _PAPP:  # operands in one generated call
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
                        elif tag == _SEQ:  # (begin ...): simple effects inline, then the rest
                            body = node.body
                            last = len(body) - 1
                            i = _effects(body, at, last, env)
                            at = 0
                            if i < last:
                                depth += 1
                                k = (_SEQF, node, env, i, k)
                            node = body[i]
                            continue
                        elif tag == _LAMBDA:
                            v = Clo(node, env)
                            break
                        elif tag != _APPLY:  # (APPLY: f, xs and site are already set)
                            # ---- out of line: a step or a control primitive says what next
                            if tag == _TRANSFER:
                                tr = node.transfer
                            else:
                                self.depth = depth
                                tr = eval_out_of_line[tag](self, node, env, k)
                                depth = self.depth
                            kind = tr[0]
                            if kind == T_EVAL:
                                node, env, k = tr[1], tr[2], tr[3]
                                continue
                            if kind == T_VALUE:
                                v, k = tr[1], tr[2]
                                break
                            if kind == T_INSTATE:
                                k, depth = _instate(self, tr[1])
                                v = tr[2]
                                break
                            if kind != T_CALL:  # T_EXIT
                                self.depth = depth
                                self.last_steps = steps
                                return tr[1]
                            f, xs, k = tr[1], [None, *tr[2]], tr[3]
                            site = node

                        # ---- apply: f to xs (xs[0] is free) at site -----------------------
                        if type(f) is Clo:  # closure entry: count the step, check the limits
                            steps += 1
                            if steps > limit or depth > maxd:
                                limit = self._checkpoint(steps, depth, k)
                            lam = f.lam
                            if len(xs) == lam.fast_len:
                                xs[0] = f.env
                                env = xs
                                if lam.direct is not None and depth < roomy:  # Python stack
                                    S[0] = self.budget - steps
                                    v = _run_direct(lam, env, S)
                                    if v is not BAILED:
                                        steps = self.budget - S[0]
                                        break
                            else:
                                env = bind(f, xs[1:], site.span)
                            node = lam.body
                            continue
                        if type(f) is Prim:
                            v = f.fn(*xs[1:])
                            break
                        if len(xs) == 2:
                            if type(f) is Cont and f.winds is self.winds:  # same dynamic extent
                                k, depth = _instate(self, f)
                                v = xs[1]
                                break
                            if f is cc1 or f is cc2:  # call/cc: apply its argument to k here
                                f = xs[1]
                                xs = [None, Cont(k, self.winds, self.handlers, depth)]
                                node = APPLYING
                                continue
                        node = APPLYING  # errors from here on are the call's, at site
                        self.depth = depth
                        tr = apply_other(self, f, xs, k, site, env)
                        if tr is None:  # a case-lambda clause: f, xs set
                            f, xs = self.f, self.xs
                            continue
                        depth += frames_pushed(tr, k)
                        node = TransferNode(tr, site.span)

                    # ---- return: deliver v to the frame on top of k -----------------------
                    while True:
                        if k is None:
                            self.last_steps = steps
                            return v
                        fr = k
                        depth -= 1
                        if type(fr) is tuple:
                            kind = fr[0]
                            if kind == _ARGF:  # the APP goes on with its next part
                                _, node, env, at, vals, k = fr
                                vals = [*vals, v]
                                at += 1
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
                            node = fr[1]  # an error in the step is this node's
                            self.depth = depth
                            tr = return_out_of_line[kind](self, fr, v)
                            depth = self.depth
                            span = node.span
                        else:  # a control primitive's frame
                            self.depth = depth
                            tr = fr.resume(self, v)
                            depth += frames_pushed(tr, fr.next)
                            span = fr.span
                        kind = tr[0]
                        if kind == T_VALUE:
                            v, k = tr[1], tr[2]
                            continue
                        if kind == T_EVAL:
                            node, env, k = tr[1], tr[2], tr[3]
                        else:  # for the out-of-line branch
                            node = TransferNode(tr, span)
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


# The machine's "apply f to xs" state: f, xs and the call site live in locals.
APPLYING = ApplyNode()
