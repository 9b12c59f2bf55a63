"""Straight-line Python for applications of primitives to simple operands.

An application whose operator is a variable or constant and whose operands are
variables, constants or again such applications -- `(not (< y x))`, `(- n 1)` -- gets
functions written for its shape:

    run(env)    the value, when every operator in the tree is a Python primitive;
                otherwise NOT_PRIMITIVE, returned before anything was evaluated
    args(env)   [None, operand values...] (slot 0 is left for the closure's parent
                frame, so a closure call uses the list as its frame), or NOT_PRIMITIVE
                when an operator inside an operand is not a primitive
    fn(env)     the operator's value

Variable accesses are inlined (`env[0][2]`, `cell.value`), and a few primitives are
inlined behind an identity check on the procedure (`a + b` when `+` is still the
standard `+` and both are exact integers), so `(- n 1)` costs one Python call, not five.
Source is generated once per shape and cached; a node's own constants, cells and names
are passed in as arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import UnboundVariableError
from ..run.calls import convert_error
from ..run.tags import CONST, GREF, is_trivial_tag
from ..types import FALSE, NIL, TRUE, UNBOUND, UNDEFINED, Pair, Primitive

MAX_CALLS = 12  # applications in one tree
MAX_OPERANDS = 8  # operands of one application


class _NotPrimitive:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_PRIMITIVE"


NOT_PRIMITIVE = _NotPrimitive()
_CACHE: dict[tuple, Callable] = {}

# name -> (arity, expression over a0, a1 valid when the guard holds, guard)
_INLINE = {
    "+": (2, "a0 + a1", "type(a0) is int and type(a1) is int"),
    "-": (2, "a0 - a1", "type(a0) is int and type(a1) is int"),
    "*": (  # bignums go to the primitive, which charges their work (budget.py)
        2,
        "a0 * a1",
        "type(a0) is int and type(a1) is int"
        " and -1 << 64 < a0 < 1 << 64 and -1 << 64 < a1 < 1 << 64",
    ),
    "<": (2, "(TRUE if a0 < a1 else FALSE)", "type(a0) is int and type(a1) is int"),
    ">": (2, "(TRUE if a0 > a1 else FALSE)", "type(a0) is int and type(a1) is int"),
    "<=": (2, "(TRUE if a0 <= a1 else FALSE)", "type(a0) is int and type(a1) is int"),
    ">=": (2, "(TRUE if a0 >= a1 else FALSE)", "type(a0) is int and type(a1) is int"),
    "=": (2, "(TRUE if a0 == a1 else FALSE)", "type(a0) is int and type(a1) is int"),
    "eq?": (2, "TRUE", "a0 is a1"),
    "not": (1, "(TRUE if a0 is FALSE else FALSE)", "True"),
    "null?": (1, "(TRUE if a0 is NIL else FALSE)", "True"),
    "pair?": (1, "(TRUE if type(a0) is Pair else FALSE)", "True"),
    "car": (1, "a0.car", "type(a0) is Pair"),
    "cdr": (1, "a0.cdr", "type(a0) is Pair"),
}


def _unbound(cell: Any, span: Any) -> Any:
    raise UnboundVariableError(f"unbound variable: {cell.name.name}", span=span)


def _undefined(name: str, span: Any) -> Any:
    raise UnboundVariableError(f"variable {name} used before its definition", span=span)


def _explain(f: Primitive, args: list, e: Exception, span: Any) -> Exception:
    # the span of this call, not of the whole tree the machine was running
    return convert_error(e, f, args).with_span(span)


def is_trivial(node: Any) -> bool:
    """Constant or variable reference."""
    return is_trivial_tag(node.tag)


def simple_operands(args: list) -> int | None:
    """Applications inside the operands, or None unless each is trivial or simple."""
    if len(args) > MAX_OPERANDS:
        return None
    total = 0
    for a in args:
        if is_trivial(a):
            continue
        size = getattr(a, "calls", None)
        if not size:
            return None
        total += size
    return total if total < MAX_CALLS else None


class _Gen:
    def __init__(self, primitives: dict) -> None:
        self.primitives = primitives
        self.consts: list = []
        self.checks: list[str] = []
        self.body: list[str] = []
        self.nops = 0
        self.ntemps = 0

    def const(self, x: Any) -> str:
        self.consts.append(x)
        return f"k{len(self.consts) - 1}"

    def access(self, node: Any) -> tuple[tuple, str]:
        """(shape key, expression) of a trivial node; its objects become parameters."""
        tag = node.tag
        if tag == CONST:
            return ("C",), self.const(node.value)
        if tag == GREF:
            c, s = self.const(node.cell), self.const(node.span)
            return ("G",), f"(_t if (_t := {c}.value) is not UNBOUND else _unbound({c}, {s}))"
        path = "env" + "[0]" * node.depth + f"[{node.index}]"
        if not node.checked:
            return ("L", node.depth, node.index), path
        n, s = self.const(node.name), self.const(node.span)
        return ("L!", node.depth, node.index), (
            f"(_t if (_t := {path}) is not UNDEFINED else _undefined({n}, {s}))"
        )

    def operands(self, args: list) -> tuple[list, list]:
        keys, temps = [], []
        for a in args:
            if is_trivial(a):
                k, e = self.access(a)
            else:
                k, e = self.app(a.fn, a.args, a.span)
            t = f"a{self.ntemps}"
            self.ntemps += 1
            self.body.append(f"{t} = {e}")
            keys.append(k)
            temps.append(t)
        return keys, temps

    def app(self, fn: Any, args: list, span: Any = None) -> tuple[tuple, str]:
        """Emit one application's operator check and evaluation; (key, result variable)."""
        f = f"f{self.nops}"
        self.nops += 1
        fkey, fexpr = self.access(fn)
        self.checks.append(f"{f} = {fexpr}")
        self.checks.append(f"if type({f}) is not Primitive: return NOT_PRIMITIVE")
        keys, temps = self.operands(args)
        r = f"r{self.ntemps}"
        self.ntemps += 1
        call = ", ".join(temps)
        inline = self._inline(fn, temps)
        if inline is not None:
            guard, expr, prim = inline
            fkey = (*fkey, "inline", fn.cell.name.name)
            self.body.append(f"if {f} is {self.const(prim)} and {guard}: {r} = {expr}")
            self.body.append("else:")
            indent = "    "
        else:
            indent = ""
        self.body += [
            f"{indent}try: {r} = {f}.fn({call})",
            f"{indent}except Exception as e: "
            f"raise _explain({f}, [{call}], e, {self.const(span)}) from e",
        ]
        return ("A", fkey, tuple(keys)), r

    def _inline(self, fn: Any, temps: list) -> tuple[str, str, Any] | None:
        if fn.tag != GREF:
            return None
        spec = _INLINE.get(fn.cell.name.name)
        prim = self.primitives.get(fn.cell.name.name)
        if spec is None or prim is None or spec[0] != len(temps):
            return None
        _, expr, guard = spec
        for i in range(len(temps)):
            expr = expr.replace(f"a{i}", f"@{i}")
            guard = guard.replace(f"a{i}", f"@{i}")
        for i, t in enumerate(temps):
            expr = expr.replace(f"@{i}", t)
            guard = guard.replace(f"@{i}", t)
        return guard, expr, prim


def _indent(lines: list[str], depth: int) -> str:
    pad = "    " * depth
    return "".join(pad + line + "\n" for line in lines)


def app_functions(fn: Any, args: list, primitives: dict) -> tuple:
    """(run, args, fn) for an application with a trivial operator and simple operands.

    `primitives` maps names to the standard primitive objects (for inlining).
    """
    run_gen = _Gen(primitives)
    key, result = run_gen.app(fn, args)
    args_gen = _Gen(primitives)
    akeys, temps = args_gen.operands(args)
    _, fexpr = args_gen.access(fn)
    shape = (key, tuple(akeys))
    make = _CACHE.get(shape)
    if make is None:
        nparams = len(run_gen.consts) + len(args_gen.consts)
        params = ", ".join(f"k{i}" for i in range(nparams))
        offset = len(run_gen.consts)
        args_src = _renumber(
            _indent(args_gen.checks + args_gen.body + [f"return [None, {', '.join(temps)}]"], 2)
            + _indent([f"def fn(env): return {fexpr}"], 1),
            offset,
        )
        src = (
            f"def make({params}):\n"
            "    def run(env):\n"
            + _indent(run_gen.checks + run_gen.body + [f"return {result}"], 2)
            + "    def args(env):\n"
            + args_src
            + "    return run, args, fn\n"
        )
        namespace = {
            "Primitive": Primitive,
            "NOT_PRIMITIVE": NOT_PRIMITIVE,
            "UNBOUND": UNBOUND,
            "UNDEFINED": UNDEFINED,
            "TRUE": TRUE,
            "FALSE": FALSE,
            "NIL": NIL,
            "Pair": Pair,
            "_unbound": _unbound,
            "_undefined": _undefined,
            "_explain": _explain,
        }
        exec(compile(src, "<scheme codegen>", "exec"), namespace)  # noqa: S102 -- our text
        make = _CACHE[shape] = namespace["make"]
    return make(*run_gen.consts, *args_gen.consts)


def _renumber(src: str, offset: int) -> str:
    """Shift the parameter names k0.. of the args/fn source by offset."""
    import re

    return re.sub(r"\bk(\d+)\b", lambda m: f"k{int(m.group(1)) + offset}", src)
