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

from .errors import Span, UnboundVariableError
from .types import UNBOUND, UNDEFINED, Cell

(
    CONST,
    LREF,
    GREF,
    TAPP,
    APP,
    IF,
    LAMBDA,
    SEQ,
    LSET,
    GSET,
    GDEF,
    LET,
    FRAME,
    OR,
    APPLY,
    TRANSFER,
) = range(16)
TRIVIAL = (CONST, LREF, GREF)


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
    __slots__ = ("depth", "index", "name", "ev")

    def __init__(self, depth: int, index: int, name: str, checked: bool, span: Span | None) -> None:
        self.tag = LREF
        self.span = span
        self.depth = depth
        self.index = index
        self.name = name
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


def _args_getter(evs: tuple) -> Callable[[list], list]:
    n = len(evs)
    if n == 0:
        return lambda env: []
    if n == 1:
        (a,) = evs
        return lambda env: [a(env)]
    if n == 2:
        a, b = evs
        return lambda env: [a(env), b(env)]
    if n == 3:
        a, b, c = evs
        return lambda env: [a(env), b(env), c(env)]
    if n == 4:
        a, b, c, d = evs
        return lambda env: [a(env), b(env), c(env), d(env)]
    return lambda env: [e(env) for e in evs]


class App(Node):
    # (operator operand ...)
    # tag TAPP when operator and operands are all trivial: `fnev` and `argsev` evaluate
    # them inline. Otherwise `parts` lists what the machine evaluates one by one (the
    # operator first when it is not trivial, i.e. when `fn_in_parts`).
    __slots__ = ("fn", "args", "fnev", "argsev", "parts", "fn_in_parts", "nparts")

    def __init__(self, fn: Node, args: list[Node], span: Span | None) -> None:
        self.span = span
        self.fn = fn
        self.args = args
        fn_trivial = fn.tag in TRIVIAL
        all_trivial = fn_trivial and all(a.tag in TRIVIAL for a in args)
        self.tag = TAPP if all_trivial else APP
        self.fnev = fn.ev if fn_trivial else None
        self.argsev = _args_getter(tuple(a.ev for a in args)) if all_trivial else None
        self.fn_in_parts = not fn_trivial
        self.parts = ([fn] if not fn_trivial else []) + list(args)
        self.nparts = len(self.parts)


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
    __slots__ = ("nreq", "rest", "nslots", "body", "name", "fast_n", "pad")

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
    __slots__ = ("parts", "nparts", "body", "pad")

    def __init__(self, inits: list[Node], nslots: int, body: Node, span: Span | None) -> None:
        self.tag = LET
        self.span = span
        self.parts = inits
        self.nparts = len(inits)
        self.body = body
        self.pad = (UNDEFINED,) * (nslots - len(inits))


class NewFrame(Node):
    # letrec / letrec*: a new frame whose slots start undefined, then `body` (which
    # assigns them in order and goes on) runs in it
    __slots__ = ("nslots", "body")

    def __init__(self, nslots: int, body: Node, span: Span | None) -> None:
        self.tag = FRAME
        self.span = span
        self.nslots = nslots
        self.body = body


class Or(Node):
    # (or e ...): the first true value; the last expression in tail position
    __slots__ = ("exprs",)

    def __init__(self, exprs: list[Node], span: Span | None) -> None:
        self.tag = OR
        self.span = span
        self.exprs = exprs


class ApplyNode(Node):
    # not produced by the compiler: the machine's way to say "apply f to vals next"
    __slots__ = ("f", "vals")

    def __init__(self, f: Any, vals: list, span: Span | None = None) -> None:
        self.tag = APPLY
        self.span = span
        self.f = f
        self.vals = vals


class TransferNode(Node):
    # not produced by the compiler: a control primitive's transfer, for the machine to act on
    __slots__ = ("transfer",)

    def __init__(self, transfer: tuple, span: Span | None = None) -> None:
        self.tag = TRANSFER
        self.span = span
        self.transfer = transfer
