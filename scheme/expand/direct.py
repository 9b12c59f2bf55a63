"""Direct code: pure closure bodies compiled to Python functions on the Python stack.

A closure body made only of constants, unchecked locals, globals, `if`, `begin`, `or`,
`let` and applications of global operators -- `fib`, `tak` -- is compiled, on its first
call, to one Python function `run(env, S, dl)` over the machine's own frame lists. At
that moment each global operator must hold a pure primitive (PURE below: no effects, no
machine) or a closure; the site is compiled for that value and re-checked on every call.

The machine tries this function at closure entry (run/machine.py). Direct code has no heap
continuation, so it runs only while nothing could observe one, and gives up -- raising
`Bail` -- whenever anything else is asked of it: an operator that changed or is not
direct, an error of any kind, more than DIRECT_DEPTH nested calls, or the step budget
running out (S[0] holds the closure calls it may still make). Since everything it did
was pure, the machine then simply runs the same call itself from the start and gets the
same outcome (the error, the budget stop, the continuation) exactly as if direct code did
not exist; the lambda that bailed is never tried directly again. So call/cc, proper tail
calls, the depth cap, step counts and error messages are all the machine's.

`(call/cc (lambda (k) body))` runs directly too, as an escape: k is an `Escape` that is
live while body runs, and `(k v)` then unwinds the Python stack to it (`Throw`). Calling
an escape whose extent has ended (a re-entry) bails, and so does a run that made escapes
and returns anything but an atom (an escape might be inside it): the machine then does
the call with real heap continuations.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..primitives.registry import PRIMITIVES
from ..run.tags import APP, CONST, GREF, IF, LREF, LREF0, OR, PAPP, SEQ, TCALL
from ..types import FALSE, NIL, TRUE, UNBOUND, Boolean, Char, Closure, Pair, Primitive, Symbol

DIRECT_DEPTH = 100  # nested direct calls before the machine takes over
# Expressions nested in one body. A machine running the same call would push at most this
# many frames per nested call, so direct code is tried only where the machine has
# DIRECT_DEPTH * MAX_NEST frames to spare before its depth cap: it can never be the
# reason a program does or does not hit the cap.
MAX_NEST = 16
HEADROOM = DIRECT_DEPTH * MAX_NEST

# Primitives direct code may call: no effects, no machine, no callbacks into Scheme.
PURE = frozenset(
    "+ - * / = < > <= >= quotient remainder modulo abs min max zero? positive? negative? "
    "even? odd? number? integer? exact? inexact? not eq? eqv? equal? null? pair? list? "
    "symbol? string? boolean? vector? char? car cdr cons cadr cddr caar cdar "
    "length list vector-ref vector-length string-length string-ref char=? "
    "string=? exact->inexact inexact->exact exact inexact square".split()
)

# name -> (arity, Python expression over a0, a1 valid when the guard holds, guard)
_INLINE = {
    "+": (2, "a0 + a1", "type(a0) is int and type(a1) is int"),
    "-": (2, "a0 - a1", "type(a0) is int and type(a1) is int"),
    # big products go to the primitive, which charges the work budget for them
    "*": (
        2,
        "a0 * a1",
        "type(a0) is int and type(a1) is int"
        " and -1 << 64 < a0 < 1 << 64 and -1 << 64 < a1 < 1 << 64",
    ),
    "<": (2, "a0 < a1", "type(a0) is int and type(a1) is int"),
    ">": (2, "a0 > a1", "type(a0) is int and type(a1) is int"),
    "<=": (2, "a0 <= a1", "type(a0) is int and type(a1) is int"),
    ">=": (2, "a0 >= a1", "type(a0) is int and type(a1) is int"),
    "=": (2, "a0 == a1", "type(a0) is int and type(a1) is int"),
    "eq?": (2, "True", "a0 is a1"),
    "not": (1, "a0 is FALSE", "True"),
    "null?": (1, "a0 is NIL", "True"),
    "pair?": (1, "type(a0) is Pair", "True"),
    "car": (1, "a0.car", "type(a0) is Pair"),
    "cdr": (1, "a0.cdr", "type(a0) is Pair"),
}
_PREDICATES = frozenset({"<", ">", "<=", ">=", "=", "eq?", "not", "null?", "pair?"})


class Bail(Exception):
    """Direct code gave up; the machine runs the call instead and never tries `lam` again."""

    def __init__(self, lam: Any) -> None:
        self.lam = lam


class Escape:
    """A continuation made by call/cc in direct code; `live` while its body runs."""

    __slots__ = ("live",)  # no __init__: the generated code sets it (a Python call less)


class Thrown(tuple):
    """(escape, v) returned, not raised, where a `(k v)` is in tail position: the
    call/cc site it flows to, or the caller that checks it, takes it from there."""

    __slots__ = ()


class Throw(BaseException):
    """`(k v)` of a live escape, args (escape, v): unwinds to its call/cc. Never leaves
    direct code; a BaseException, so the `except Exception` in between lets it by."""


# What a run that made escapes may return (nothing in it can be an escape).
ATOMS = frozenset({int, float, Fraction, Boolean, Symbol, Char, str})


# What run_direct answers when the machine must run the call itself.
BAILED = object()


def run_direct(lam: Any, env: list, S: list) -> Any:
    """Run lam's body as direct code in env (S[0]: the closure calls it may still make,
    left in S[0] after), or BAILED: then the machine runs the call itself, from its start,
    and neither lam nor the lambda that bailed is tried directly again."""
    S[1] = 0
    try:
        v = lam.direct(env, S, DIRECT_DEPTH)
    except Bail as b:
        b.lam.direct = None
        return BAILED
    if not S[1] or type(v) in ATOMS:
        return v
    lam.direct = None  # it made escapes, and one may be inside v
    return BAILED


class _NotDirect(Exception):
    """The body uses something direct code does not do."""


def _bail(lam: Any) -> Any:
    raise Bail(lam)


def untried(lam: Any) -> Any:
    """A lambda's `direct` before its first call: compiles on first use."""

    def first(env: list, S: list, dl: int) -> Any:
        lam.direct = run = compile_direct(lam)
        if run is None:
            raise Bail(lam)
        return run(env, S, dl)

    return first


def compile_direct(lam: Any) -> Any:
    """The direct function for lam's body, or None when the body is not pure enough."""
    if lam.fast_n < 0:
        return None
    gen = _Gen(lam)
    try:
        gen.tail(lam.body, 0)
    except _NotDirect:
        return None
    params = ", ".join(f"k{i}" for i in range(len(gen.consts)))
    src = (
        f"def make(L, {params}):\n"
        "    def run(e0, S, dl):\n"
        "        try:\n" + "".join("            " + line + "\n" for line in gen.lines) + ""
        "        except Bail:\n"
        "            raise\n"
        "        except Exception:\n"
        "            raise Bail(L) from None\n"
        "    return run\n"
    )
    namespace = {
        "Bail": Bail,
        "_bail": _bail,
        "Closure": Closure,
        "Escape": Escape,
        "Throw": Throw,
        "Thrown": Thrown,
        "FALSE": FALSE,
        "TRUE": TRUE,
        "NIL": NIL,
        "UNBOUND": UNBOUND,
        "Pair": Pair,
    }
    exec(compile(src, f"<direct {lam.name}>", "exec"), namespace)  # noqa: S102 -- our text
    return namespace["make"](lam, *gen.consts)


class _Gen:
    """Emits Python statements for one lambda body; expressions stay side-effect free."""

    def __init__(self, lam: Any) -> None:
        from ..primitives.registry import PRIMITIVES

        self.callcc = (PRIMITIVES["call/cc"], PRIMITIVES["call-with-current-continuation"])
        self.consts: list = []
        self.lines: list[str] = []
        self.ind = ""
        self.ntemps = 0
        self.nest = 0
        self.tail_ok = False  # the next value() is in a transparent position

    def const(self, x: Any) -> str:
        self.consts.append(x)
        return f"k{len(self.consts) - 1}"

    def temp(self) -> str:
        self.ntemps += 1
        return f"t{self.ntemps}"

    def emit(self, line: str) -> None:
        self.lines.append(self.ind + line)

    # -- positions: tail (returns), value (an expression), test (a Python bool) ------------
    def tail(self, node: Any, lvl: int) -> None:
        tag = node.tag
        if tag == IF:
            self.emit(f"if {self.test(node.test, lvl)}:")
            self.block(lambda: self.tail(node.then, lvl))
            self.emit("else:")
            self.block(lambda: self.tail(node.els, lvl))
        elif tag == SEQ:
            self.effects(node.body[:-1], lvl)
            self.tail(node.body[-1], lvl)
        elif tag == APP and node.is_let:
            self.tail(node.body, self.let_frame(node, lvl))
        else:
            self.tail_ok = True
            self.emit(f"return {self.value(node, lvl)}")

    def block(self, body: Any) -> None:
        saved = self.ind
        self.ind += "    "
        body()
        self.ind = saved

    def effects(self, nodes: list, lvl: int) -> None:
        for n in nodes:
            self.emit(self.value(n, lvl))

    def test(self, node: Any, lvl: int) -> str:
        if node.tag in (PAPP, TCALL, APP) and not getattr(node, "is_let", False):
            pred = self.predicate(node, lvl)
            if pred is not None:
                return pred
        return f"{self.value(node, lvl)} is not FALSE"

    def value(self, node: Any, lvl: int) -> str:
        """A Python expression for node's value (statements it needs are emitted first)."""
        transparent, self.tail_ok = self.tail_ok, False
        self.nest += 1
        if self.nest > MAX_NEST:
            raise _NotDirect
        e = self._value(node, lvl, transparent)
        self.nest -= 1
        return e

    def _value(self, node: Any, lvl: int, transparent: bool) -> str:
        # transparent: the value is returned, or is the value of an inline call/cc; a
        # closure called here may return a Thrown, for the call/cc site to look at
        tag = node.tag
        if tag == CONST:
            return self.const(node.value)
        if tag == LREF0 or tag == LREF:
            if node.checked:
                raise _NotDirect
            return self.frame(node.depth, lvl) + f"[{node.index}]"
        if tag == GREF:
            c = self.const(node.cell)
            return f"(_t if (_t := {c}.value) is not UNBOUND else _bail(L))"
        if tag == IF or tag == OR or tag == SEQ or (tag == APP and node.is_let):
            t = self.temp()
            self.assign(t, node, lvl)
            return t
        if tag in (PAPP, TCALL, APP):
            return self.call(node, lvl, transparent)
        raise _NotDirect

    def assign(self, t: str, node: Any, lvl: int, transparent: bool = False) -> None:
        tag = node.tag
        if tag == IF:
            self.emit(f"if {self.test(node.test, lvl)}:")
            self.block(lambda: self.assign(t, node.then, lvl, transparent))
            self.emit("else:")
            self.block(lambda: self.assign(t, node.els, lvl, transparent))
        elif tag == OR:
            saved = self.ind
            last = len(node.exprs) - 1
            for i, e in enumerate(node.exprs):
                if i:
                    self.emit(f"if {t} is FALSE:")
                    self.ind += "    "
                self.assign(t, e, lvl, transparent and i == last)
            self.ind = saved
        elif tag == SEQ:
            self.effects(node.body[:-1], lvl)
            self.assign(t, node.body[-1], lvl, transparent)
        elif tag == APP and node.is_let:
            self.assign(t, node.body, self.let_frame(node, lvl), transparent)
        else:
            self.tail_ok = transparent
            self.emit(f"{t} = {self.value(node, lvl)}")

    def frame(self, depth: int, lvl: int) -> str:
        """The Python variable (and parent links) of the frame `depth` levels up."""
        if depth <= lvl:
            return f"e{lvl - depth}"
        return "e0" + "[0]" * (depth - lvl)

    def let_frame(self, node: Any, lvl: int) -> int:
        inits = [self.operand(a, lvl) for a in node.parts]
        pad = "".join(", " + self.const(x) for x in node.pad)
        self.emit(f"e{lvl + 1} = [e{lvl}, {', '.join(inits)}{pad}]")
        return lvl + 1

    def operand(self, node: Any, lvl: int) -> str:
        """A variable or constant as is; anything else evaluated once into a temp."""
        e = self.value(node, lvl)
        if node.tag <= GREF and node.tag != GREF:
            return e
        t = self.temp()
        self.emit(f"{t} = {e}")
        return t

    # -- applications ------------------------------------------------------------------
    def operator(self, node: Any) -> tuple[Any, Any]:
        if node.is_let:
            raise _NotDirect
        if node.fn.tag in (LREF0, LREF):
            return None, None  # known only when it runs
        if node.fn.tag != GREF:
            raise _NotDirect
        cell = node.fn.cell
        f = cell.value
        if type(f) is Primitive and f.name in PURE and PRIMITIVES.get(f.name) is f:
            return cell, f
        if type(f) is Closure and f.lam.fast_n == len(node.args):
            return cell, f
        if f in self.callcc and len(node.args) == 1 and _escape_lambda(node.args[0]):
            return cell, f
        raise _NotDirect

    def predicate(self, node: Any, lvl: int) -> str | None:
        cell, f = self.operator(node)
        if type(f) is not Primitive or f.name not in _PREDICATES:
            return None
        name = f.name
        if _INLINE[name][0] != len(node.args):
            return None
        args = [self.operand(a, lvl) for a in node.args]
        guard, expr = self.inline(name, args)
        c, p = self.const(cell), self.const(f)
        slow = f"({p}.fn({', '.join(args)}) if {c}.value is {p} else _bail(L)) is not FALSE"
        return f"(({expr}) if {c}.value is {p} and {guard} else {slow})"

    def inline(self, name: str, args: list) -> tuple[str, str]:
        _, expr, guard = _INLINE[name]
        for i, a in enumerate(args):
            expr = expr.replace(f"a{i}", a)
            guard = guard.replace(f"a{i}", a)
        return guard, expr

    def call(self, node: Any, lvl: int, transparent: bool) -> str:
        cell, f = self.operator(node)
        if f is not None and f in self.callcc:
            return self.callcc_site(cell, node.args[0], lvl)
        args = [self.operand(a, lvl) for a in node.args]
        if cell is None:
            return self.local_call(self.value(node.fn, lvl), args, transparent)
        c = self.const(cell)
        if type(f) is Primitive:
            p = self.const(f)
            slow = f"({p}.fn({', '.join(args)}) if {c}.value is {p} else _bail(L))"
            spec = _INLINE.get(f.name)
            if spec is None or spec[0] != len(args):
                return slow
            guard, expr = self.inline(f.name, args)
            if f.name in _PREDICATES:
                expr = f"(TRUE if {expr} else FALSE)"
            return f"({expr} if {c}.value is {p} and {guard} else {slow})"
        fv = self.temp()
        self.emit(f"{fv} = {c}.value")
        self.emit(f"if type({fv}) is not Closure: raise Bail(L)")
        return self.closure_call(fv, args, transparent)

    def local_call(self, fexpr: str, args: list, transparent: bool) -> str:
        """An operator read from a local: a live escape throws (or, where the value goes
        straight to a call/cc site or is returned, becomes a Thrown), a closure is called."""
        fv, r = self.temp(), self.temp()
        self.emit(f"{fv} = {fexpr}")
        if len(args) != 1:
            self.emit(f"if type({fv}) is not Closure: raise Bail(L)")
            return self.closure_call(fv, args, transparent)
        self.emit(f"if type({fv}) is Escape and {fv}.live:")
        if transparent:
            self.emit(f"    {r} = Thrown(({fv}, {args[0]}))")
        else:
            self.emit(f"    raise Throw({fv}, {args[0]})")
        self.emit("else:")

        def closure() -> None:
            self.emit(f"if type({fv}) is not Closure: raise Bail(L)")
            self.emit(f"{r} = {self.closure_call(fv, args, transparent)}")

        self.block(closure)
        return r

    def callcc_site(self, cell: Any, lam: Any, lvl: int) -> str:
        """(call/cc (lambda (k) body)): body inline in a frame holding a fresh escape."""
        c, p = self.const(cell), self.const(cell.value)
        esc, r = self.temp(), self.temp()
        self.emit(f"if {c}.value is not {p}: raise Bail(L)")
        self.emit("S[0] -= 1")  # the lambda's call
        self.emit("if S[0] < 0: raise Bail(L)")
        self.emit(f"{esc} = Escape()")
        self.emit(f"{esc}.live = True")
        self.emit("S[1] = 1")
        self.emit(f"e{lvl + 1} = [e{lvl}, {esc}]")
        self.emit("try:")
        self.block(lambda: self.assign(r, lam.body, lvl + 1, True))
        self.emit("except Throw as x:")
        self.emit(f"    {esc}.live = False")
        self.emit(f"    if x.args[0] is not {esc}: raise")
        self.emit(f"    {r} = x.args[1]")
        self.emit(f"if type({r}) is Thrown:  # from the body's tail call")
        self.emit(f"    {esc}.live = False")
        self.emit(f"    if {r}[0] is not {esc}: raise Throw(*{r})")
        self.emit(f"    {r} = {r}[1]")
        self.emit(f"{esc}.live = False")
        return r

    def closure_call(self, fv: str, args: list, transparent: bool) -> str:
        """Call closure fv: its direct function, with its frame; every check before."""
        lv, dv, r = self.temp(), self.temp(), self.temp()
        self.emit(f"{lv} = {fv}.lam")
        self.emit(f"{dv} = {lv}.direct")
        self.emit(f"if {dv} is None or {lv}.fast_n != {len(args)}: raise Bail(L)")
        self.emit("S[0] -= 1")
        self.emit("if S[0] < 0 or not dl: raise Bail(L)")
        self.emit(f"{r} = {dv}([{fv}.env, {', '.join(args)}], S, dl - 1)")
        if not transparent:
            self.emit(f"if type({r}) is Thrown: raise Throw(*{r})")
        return r


def _escape_lambda(node: Any) -> bool:
    """(lambda (k) body) with nothing beyond its one parameter in its frame."""
    from ..run.tags import LAMBDA

    return node.tag == LAMBDA and node.fast_n == 1
