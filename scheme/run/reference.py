"""The reference evaluator: what compiled code means, written as plainly as possible.

It runs the same nodes the compiler makes for the fast machine (machine.py), but reads
only their plain fields (a Const's value, an LRef's depth and index, an App's operator
and operands, ...) -- never the tags the machine rewrites, the generated code or the
inline fast paths. The tests run programs through both and require the same output,
the same error class and the same step count.

State is a *transfer*, the same protocol control primitives speak (machine.py):
    (T_EVAL, node, env, k)   evaluate node in env, deliver its value to k
    (T_VALUE, v, k)          deliver v to k
    (T_CALL, f, xs, k)       apply f to xs, deliver the result to k
    (T_INSTATE, cont, v)     resume a continuation (its winds already run)
    (T_EXIT, payload)        stop; execute returns payload
Each step turns one transfer into the next; nothing recurses in Python. Every
continuation frame is a heap object with `resume(machine, v) -> transfer`, exactly like
the frames control primitives push, so call/cc captures k in O(1) and a continuation
can be resumed any number of times. Tail calls are proper because evaluating a node in
tail position pushes no frame.

Evaluation order (the language's, which the machine must match): the operands of an
application left to right, then the operator when it is a variable or constant;
an operator that is itself an expression is evaluated first. A step is one closure
call; a budget of n lets n calls run and stops the (n+1)th with StepLimitError.
The depth cap counts the frames waiting for a value: each frame here records its depth
(control primitives' frames count one each), and evaluating with a continuation deeper
than max_depth stops with DepthLimitError. (The machine pushes fewer frames -- it
evaluates simple operands inline -- so the two caps trip at different programs sizes;
both must trip for any unbounded non-tail recursion and never for a loop.)
"""

from __future__ import annotations

from typing import Any

from ..errors import (
    ArityError,
    DepthLimitError,
    SchemeError,
    StepLimitError,
    UnboundVariableError,
)
from ..expand.nodes import (
    App,
    Const,
    GDef,
    GRef,
    GSet,
    If,
    Lambda,
    Let,
    LRef,
    LSet,
    NewFrame,
    Or,
    Seq,
    TransferNode,
)
from ..types import (
    FALSE,
    UNBOUND,
    UNDEFINED,
    CaseLambda,
    Closure,
    Continuation,
    ControlPrimitive,
    Parameter,
    Primitive,
    Values,
)
from . import budget
from .calls import assign, bind, not_applicable, select_clause
from .dynamic import WindStepFrame, error_transfer, raise_transfer, wind_steps
from .frames import ControlFrame
from .tags import T_CALL, T_EVAL, T_EXIT, T_INSTATE, T_VALUE

NO_LIMIT = 1 << 62
DEFAULT_MAX_DEPTH = 2_000_000
T_APPLY = "apply"  # (T_APPLY, f, xs, k, call node, env): T_CALL with its call site


class Reference:
    """Runs nodes one transfer at a time; a drop-in for Machine in an Interpreter."""

    def __init__(self, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        self.winds: Any = None
        self.handlers: Any = None
        self.depth = 0
        self.max_depth = max_depth
        self.node: Any = None  # the call being applied (for control primitives' spans)
        self.call_env: Any = None
        self.env: Any = None
        self.compiler: Any = None
        self.standard_env: Any = None
        self.globals_locked: str | None = None
        self.budget = NO_LIMIT
        self.steps = 0
        self.last_steps = 0

    # -- entry points (as Machine's) -------------------------------------------------------
    def execute(self, node: Any, env: Any = None, *, step_limit: int | None = None) -> Any:
        """Evaluate node (in env) to its value, with a fresh dynamic state."""
        return self._enter((T_EVAL, node, env, None), None, None, step_limit)

    def resume(self, cont: Continuation, value: Any, *, step_limit: int | None = None) -> Any:
        """Deliver value to a captured continuation and run until it returns or exits."""
        return self._enter((T_VALUE, value, cont.k), cont.winds, cont.handlers, step_limit)

    def capture(self, k: Any) -> Continuation:
        """The current continuation."""
        return Continuation(k, self.winds, self.handlers, 0)

    def raise_transfer(self, obj: Any, continuable: bool, k: Any) -> tuple:
        """Call the current handler with obj (raise / raise-continuable)."""
        return raise_transfer(self, obj, continuable, k)

    def grant_steps(self, n: int) -> None:
        """Raise the running evaluation's step budget by n."""
        self.budget += n

    def _enter(self, tr: tuple, winds: Any, handlers: Any, step_limit: int | None) -> Any:
        saved = (self.winds, self.handlers, self.budget, self.steps)
        self.winds, self.handlers = winds, handlers
        self.budget = NO_LIMIT if step_limit is None else step_limit
        self.steps = 0
        meter = budget.start(self)  # work and memory budget (budget.py)
        try:
            return self._run(tr)
        finally:
            budget.stop(meter)
            self.winds, self.handlers, self.budget, self.steps = saved

    # -- the loop --------------------------------------------------------------------------
    def _run(self, tr: tuple) -> Any:
        while True:
            self.at: Any = None  # the node at fault if this step fails
            self.f: Any = None
            self.xs: Any = None
            k = None
            try:
                kind = tr[0]
                if kind == T_EVAL:
                    _, node, env, k = tr
                    self.at = node
                    if isinstance(k, Frame) and k.depth > self.max_depth:
                        raise DepthLimitError(f"continuation deeper than {self.max_depth} frames")
                    tr = self.eval(node, env, k)
                elif kind == T_VALUE:
                    _, v, k = tr
                    if k is None:
                        self.last_steps = self.steps
                        return v
                    self.at = k
                    tr = k.resume(self, v)
                elif kind == T_APPLY:  # from an application: its node is the call site
                    _, f, xs, k, site, self.call_env = tr
                    tr = self.apply(f, xs, k, site)
                elif kind == T_CALL:  # from a control primitive, called at self.node
                    _, f, xs, k = tr
                    tr = self.apply(f, list(xs), k, self.node)
                elif kind == T_INSTATE:
                    _, cont, v = tr
                    self.winds, self.handlers = cont.winds, cont.handlers
                    tr = (T_VALUE, v, cont.k)
                else:
                    assert kind == T_EXIT
                    self.last_steps = self.steps
                    return tr[1]
            except Exception as e:  # noqa: BLE001 -- every error becomes a Scheme raise
                tr = error_transfer(self, e, self.at, self.f, self.xs, k)

    # -- evaluating a node -----------------------------------------------------------------
    def eval(self, node: Any, env: Any, k: Any) -> tuple:
        """The transfer that evaluates node in env with continuation k."""
        t = type(node)
        if t is Const:
            return (T_VALUE, node.value, k)
        if t is LRef:
            frame = env
            for _ in range(node.depth):
                frame = frame[0]
            v = frame[node.index]
            if v is UNDEFINED and node.checked:
                raise UnboundVariableError(
                    f"variable {node.name} used before its definition", span=node.span
                )
            return (T_VALUE, v, k)
        if t is GRef:
            v = node.cell.value
            if v is UNBOUND:
                raise UnboundVariableError(
                    f"unbound variable: {node.cell.name.name}", span=node.span
                )
            return (T_VALUE, v, k)
        if t is Lambda:
            return (T_VALUE, Closure(node, env), k)
        if t is If:
            return (T_EVAL, node.test, env, IfFrame(node, env, k))
        if t is App or t is Let:
            return EvalList(node, env, operands(node), 0, [], k).next_part()
        if t is Seq:
            return SeqFrame(node, env, 0, k).next_part()
        if t is LSet or t is GSet or t is GDef:
            return (T_EVAL, node.value, env, SetFrame(node, env, k))
        if t is NewFrame:
            return (T_EVAL, node.body, [env, *node.slots], k)
        if t is Or:
            return OrFrame(node, env, 0, k).next_part()
        if t is TransferNode:  # a host's request (embed.call): the transfer itself
            return node.transfer
        raise SchemeError(f"internal error: the reference cannot evaluate {node!r}")

    # -- applying a procedure --------------------------------------------------------------
    def apply(self, f: Any, xs: list, k: Any, site: Any) -> tuple:
        """The transfer that applies f to xs with continuation k (site: the call)."""
        self.at, self.f, self.xs = site, f, xs
        span = site.span if site is not None else None
        t = type(f)
        if t is Closure:
            frame = bind(f, xs, span)
            self.steps += 1
            if self.steps > self.budget:
                raise StepLimitError(f"step budget of {self.budget} closure calls used up")
            return (T_EVAL, f.lam.body, frame, k)
        if t is Primitive:
            return (T_VALUE, f.fn(*xs), k)
        if t is Continuation:
            v = xs[0] if len(xs) == 1 else Values(tuple(xs))
            if f.winds is self.winds:
                self.handlers = f.handlers
                return (T_VALUE, v, f.k)
            return WindStepFrame(wind_steps(self.winds, f.winds), 0, f, v).resume(self, None)
        if t is ControlPrimitive:
            self.node = site
            return f.fn(self, xs, k)
        if t is Parameter:
            if xs:
                raise ArityError(f"{f.name}: a parameter takes no arguments, got {len(xs)}")
            return (T_VALUE, f.value, k)
        if t is CaseLambda:
            return self.apply(select_clause(f, xs), xs, k, site)
        raise not_applicable(f, xs)


def is_trivial(node: Any) -> bool:
    """A constant or a variable reference."""
    return type(node) in (Const, LRef, GRef)


def operands(node: Any) -> list:
    """What an App or Let evaluates, in order (see the evaluation order above)."""
    if type(node) is Let:
        return list(node.parts)
    if is_trivial(node.fn):
        return [*node.args, node.fn]
    return [node.fn, *node.args]


class Frame(ControlFrame):
    """A frame of the reference's own; `depth` counts it and every frame below it."""

    __slots__ = ("depth",)

    def __init__(self, k: Any) -> None:
        self.next = k
        n = 1
        while k is not None and not isinstance(k, Frame):  # control primitives' frames
            n += 1
            k = k.next
        self.depth = n + (k.depth if k is not None else 0)


class EvalList(Frame):
    """Evaluating the parts of an application or let; vals holds those done."""

    __slots__ = ("node", "env", "parts", "i", "vals", "span")

    def __init__(self, node: Any, env: Any, parts: list, i: int, vals: list, k: Any) -> None:
        self.node, self.env, self.parts, self.i, self.vals = node, env, parts, i, vals
        self.span = node.span
        super().__init__(k)

    def next_part(self) -> tuple:
        if self.i < len(self.parts):
            return (T_EVAL, self.parts[self.i], self.env, self)
        node, vals = self.node, self.vals
        if type(node) is Let:
            return (T_EVAL, node.body, [self.env, *vals, *node.pad], self.next)
        if is_trivial(node.fn):
            f, xs = vals[-1], vals[:-1]
        else:
            f, xs = vals[0], vals[1:]
        return (T_APPLY, f, xs, self.next, node, self.env)

    def resume(self, m: Reference, v: Any) -> tuple:
        # a new frame: this one may be resumed again by a re-entered continuation
        vals = [*self.vals, v]
        return EvalList(self.node, self.env, self.parts, self.i + 1, vals, self.next).next_part()


class IfFrame(Frame):
    """Waiting for the test of an if."""

    __slots__ = ("node", "env", "span")

    def __init__(self, node: Any, env: Any, k: Any) -> None:
        self.node, self.env, self.span = node, env, node.span
        super().__init__(k)

    def resume(self, m: Reference, v: Any) -> tuple:
        return (T_EVAL, self.node.els if v is FALSE else self.node.then, self.env, self.next)


class SeqFrame(Frame):
    """Evaluating expression i of a body; the last one is evaluated in tail position."""

    __slots__ = ("node", "env", "i", "span")

    def __init__(self, node: Any, env: Any, i: int, k: Any) -> None:
        self.node, self.env, self.i, self.span = node, env, i, node.span
        super().__init__(k)

    def next_part(self) -> tuple:
        body = self.node.body
        if self.i == len(body) - 1:
            return (T_EVAL, body[self.i], self.env, self.next)
        return (T_EVAL, body[self.i], self.env, self)

    def resume(self, m: Reference, v: Any) -> tuple:
        return SeqFrame(self.node, self.env, self.i + 1, self.next).next_part()


class SetFrame(Frame):
    """Waiting for the value of a set! or define."""

    __slots__ = ("node", "env", "span")

    def __init__(self, node: Any, env: Any, k: Any) -> None:
        self.node, self.env, self.span = node, env, node.span
        super().__init__(k)

    def resume(self, m: Reference, v: Any) -> tuple:
        m.at = self.node
        return (T_VALUE, assign(self.node, self.env, v, m), self.next)


class OrFrame(Frame):
    """Evaluating expression i of an or; the last one is evaluated in tail position."""

    __slots__ = ("node", "env", "i", "span")

    def __init__(self, node: Any, env: Any, i: int, k: Any) -> None:
        self.node, self.env, self.i, self.span = node, env, i, node.span
        super().__init__(k)

    def next_part(self) -> tuple:
        exprs = self.node.exprs
        if self.i == len(exprs) - 1:
            return (T_EVAL, exprs[self.i], self.env, self.next)
        return (T_EVAL, exprs[self.i], self.env, self)

    def resume(self, m: Reference, v: Any) -> tuple:
        if v is not FALSE:
            return (T_VALUE, v, self.next)
        return OrFrame(self.node, self.env, self.i + 1, self.next).next_part()
