"""Compiled code: the tree of nodes the machine runs.

The compiler resolves every variable to a frame slot or a global cell, so the machine
never looks a name up. A runtime frame is a Python list `[parent, v1, v2, ...]`.

Nodes that can be evaluated without the machine -- constants, variable references and
(when the operator turns out to be a Python primitive) applications whose operator and
arguments are all such nodes -- carry an `ev(env)` function, so the machine evaluates
them inline without pushing a frame. `tag` is a small int the machine dispatches on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import Span, UnboundVariableError
from ..run.tags import (
    APP,
    APPLY,
    CONST,
    FRAME,
    GDEF,
    GREF,
    GSET,
    IF,
    LAMBDA,
    LREF,
    LREF0,
    LSET,
    OR,
    PAPP,
    SEQ,
    TRANSFER,
    TRIVIAL,
)
from ..types import UNBOUND, UNDEFINED, Cell
from .codegen import app_functions, simple_operands
from .direct import untried


class Node:
    __slots__ = ("tag", "span")


class Const(Node):
    # 'datum  (and self-evaluating literals)
    __slots__ = ("value", "ev")

    def __init__(self, value: Any, span: Span | None = None) -> None:
        self.tag = CONST
        self.span = span
        self.value = value
        self.ev = lambda env: value


def _local_getter(depth: int, index: int) -> Callable[[list], Any]:
    if depth == 0:
        return lambda env: env[index]
    if depth == 1:
        return lambda env: env[0][index]
    if depth == 2:
        return lambda env: env[0][0][index]

    def ev(env: list) -> Any:
        for _ in range(depth):
            env = env[0]
        return env[index]

    return ev


class LRef(Node):
    # a local variable: `depth` frames up, slot `index`
    __slots__ = ("depth", "index", "name", "checked", "ev")

    def __init__(self, depth: int, index: int, name: str, checked: bool, span: Span | None) -> None:
        self.tag = LREF0 if depth == 0 and not checked else LREF
        self.span = span
        self.depth = depth
        self.index = index
        self.name = name
        self.checked = checked
        get = _local_getter(depth, index)
        if not checked:
            self.ev = get
            return

        def ev(env: list) -> Any:
            v = get(env)
            if v is UNDEFINED:
                raise UnboundVariableError(f"variable {name} used before its definition", span=span)
            return v

        self.ev = ev


class GRef(Node):
    # a top-level variable, through its cell
    __slots__ = ("cell", "ev")

    def __init__(self, cell: Cell, span: Span | None) -> None:
        self.tag = GREF
        self.span = span
        self.cell = cell
        name = cell.name.name

        def ev(env: list) -> Any:
            v = cell.value
            if v is UNBOUND:
                raise UnboundVariableError(f"unbound variable: {name}", span=span)
            return v

        self.ev = ev


class App(Node):
    # (operator operand ...)
    # The tag says how the machine evaluates it, and the machine changes it as it learns
    # (every path gives the same result; only the speed differs):
    #   PAPP  operator trivial, operands trivial or simple trees: try `run`, the whole
    #         tree as direct primitive calls (codegen.py). Once an operator in it turns
    #         out not to be a primitive, the node becomes
    #   TCALL operator via `fncell`/`fnev`, operands via `argsev` in one call, then the
    #         application (the closure-call path); if an operand's operator is not a
    #         primitive either, it becomes
    #   APP   `parts` evaluated one by one (operator first when `fn_in_parts`).
    __slots__ = (
        "fn",
        "args",
        "fnev",
        "fncell",
        "argsev",
        "run",
        "calls",
        "parts",
        "fn_in_parts",
        "nparts",
        "scope",
        "is_let",
    )

    def __init__(self, fn: Node, args: list[Node], span: Span | None) -> None:
        self.scope: Any = None  # the compile-time Scope, for debuggers (names of slots)
        self.is_let = False
        self.span = span
        self.fn = fn
        self.args = args
        fn_trivial = fn.tag in TRIVIAL
        self.fnev = fn.ev if fn_trivial else None
        # a global operator is read straight from its cell (an unbound cell's UNBOUND
        # value is caught where the machine finds it is not applicable)
        self.fncell = fn.cell if fn.tag == GREF else None
        self.argsev = self.run = None
        inner = simple_operands(args) if fn_trivial else None
        self.calls = None if inner is None else inner + 1
        self.tag = APP
        if self.calls is not None:
            self.run = self._generate  # on first use: most code in a program never runs
            self.tag = PAPP
        self.fn_in_parts = not fn_trivial
        self.parts = ([fn] if not fn_trivial else []) + list(args)
        self.nparts = len(self.parts)

    def _generate(self, env: list) -> Any:
        """Generate run/argsev/fnev for this node's shape, then run."""
        from ..primitives.registry import PRIMITIVES

        self.run, self.argsev, self.fnev = app_functions(self.fn, self.args, PRIMITIVES)
        return self.run(env)


class If(Node):
    # (if test then else)
    __slots__ = ("test", "then", "els")

    def __init__(self, test: Node, then: Node, els: Node, span: Span | None) -> None:
        self.tag = IF
        self.span = span
        self.test = test
        self.then = then
        self.els = els


class Lambda(Node):
    # (lambda formals body ...)
    # `fast_n` is the argument count that needs no work beyond [env, *args] (-1 when
    # there is a rest parameter or internal definitions need extra slots).
    # `direct` is the body compiled to a Python function (direct.py), None when it is not
    # pure enough or once it has bailed.
    __slots__ = ("nreq", "rest", "nslots", "body", "name", "fast_n", "fast_len", "pad", "direct")

    def __init__(
        self, nreq: int, rest: bool, nslots: int, body: Node, name: str, span: Span | None
    ) -> None:
        self.tag = LAMBDA
        self.span = span
        self.nreq = nreq
        self.rest = rest
        self.nslots = nslots
        self.body = body
        self.name = name
        nparams = nreq + (1 if rest else 0)
        self.pad = (UNDEFINED,) * (nslots - nparams)
        self.fast_n = nreq if not rest and not self.pad else -1
        self.fast_len = self.fast_n + 1 if self.fast_n >= 0 else -1  # with the parent slot
        self.direct = untried(self) if self.fast_n >= 0 else None

    def arity_text(self) -> str:
        return f"at least {self.nreq}" if self.rest else str(self.nreq)


class Seq(Node):
    # (begin e1 e2 ...): all but the last for effect, the last in tail position
    __slots__ = ("body",)

    def __init__(self, body: list[Node], span: Span | None) -> None:
        self.tag = SEQ
        self.span = span
        self.body = body


class LSet(Node):
    # (set! local value), also internal define
    __slots__ = ("depth", "index", "value", "name", "is_define")

    def __init__(
        self, depth: int, index: int, value: Node, name: str, is_define: bool, span: Span | None
    ) -> None:
        self.tag = LSET
        self.span = span
        self.depth = depth
        self.index = index
        self.value = value
        self.name = name
        self.is_define = is_define


class GSet(Node):
    # (set! global value): the variable must already be bound
    __slots__ = ("cell", "value")

    def __init__(self, cell: Cell, value: Node, span: Span | None) -> None:
        self.tag = GSET
        self.span = span
        self.cell = cell
        self.value = value


class GDef(Node):
    # (define global value)
    __slots__ = ("cell", "value")

    def __init__(self, cell: Cell, value: Node, span: Span | None) -> None:
        self.tag = GDEF
        self.span = span
        self.cell = cell
        self.value = value


class Let(Node):
    # (let ((v init) ...) body): inits evaluated in the current frame, then a new frame of
    # `nslots` holds them (plus slots for the body's internal definitions)
    # (`parts`/`nparts` as in App: the machine evaluates both with one loop)
    __slots__ = ("parts", "nparts", "body", "pad", "is_let")

    def __init__(self, inits: list[Node], nslots: int, body: Node, span: Span | None) -> None:
        self.tag = APP  # the machine evaluates its parts as an application's
        self.is_let = True
        self.span = span
        self.parts = inits
        self.nparts = len(inits)
        self.body = body
        self.pad = (UNDEFINED,) * (nslots - len(inits))


class NewFrame(Node):
    # letrec / letrec*: a new frame whose slots start undefined, then `body` (which
    # assigns them in order and goes on) runs in it
    __slots__ = ("slots", "body")

    def __init__(self, nslots: int, body: Node, span: Span | None) -> None:
        self.tag = FRAME
        self.span = span
        self.slots = (UNDEFINED,) * nslots
        self.body = body


class Or(Node):
    # (or e ...): the first true value; the last expression in tail position
    __slots__ = ("exprs",)

    def __init__(self, exprs: list[Node], span: Span | None) -> None:
        self.tag = OR
        self.span = span
        self.exprs = exprs


class ApplyNode(Node):
    # not produced by the compiler: the machine's marker for "apply f to xs next"
    __slots__ = ()

    def __init__(self) -> None:
        self.tag = APPLY
        self.span = None


class TransferNode(Node):
    # not produced by the compiler: a control primitive's transfer, for the machine to act on
    __slots__ = ("transfer",)

    def __init__(self, transfer: tuple, span: Span | None = None) -> None:
        self.tag = TRANSFER
        self.span = span
        self.transfer = transfer
