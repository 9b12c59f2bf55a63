"""What an embedding host needs beyond evaluating text, as public names.

    interp.call(proc, arg, ...)              apply a Scheme procedure; its value, or the
                                             payload of a Suspend that stopped it
    interp.resume(cont, value)               resume a captured continuation with value
    interp.define_suspending(name, fn)       a procedure fn(point, *args) that returns a
                                             value, or Suspend(payload) to stop the machine
    with interp.globals_locked(reason): ...  set! and define of globals raise meanwhile
    point.continuation / .span / .variables() / .evaluate(text)
                                             what the host keeps of a suspension point
    point.capture(translate)                 its continuation, resumed through translate:
                                             translate(value) gives what the call returns
                                             there, or Raise(condition) to raise it there
    Raise(condition)                         returned by a suspending fn or a translate:
                                             raise condition at the call (guard sees it)
    call(machine, proc, args, step_limit)    interp.call on a machine, with a fresh state
    define_definer(interp, keyword, register)
                                             a top-level form (keyword NAME EXPR) that
                                             defines NAME as register(NAME, value, form, span)
    arity_of(fn), wrong_type(who, what, x)   for hosts defining primitives of their own

A suspension point is plain data plus code: its continuation is a chain of heap frames,
so the host may resume it now, later, or several times (call/cc semantics).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .errors import SchemeSyntaxError, Span
from .expand.nodes import App, Const, GDef, TransferNode
from .expand.syntax import SpecialForm, base_name, form_items, is_identifier, require, strip
from .primitives.registry import arity_of, wrong_type
from .run.frames import ControlFrame
from .run.tags import T_CALL, T_EXIT, T_VALUE
from .types import UNDEFINED, Continuation, Symbol


@dataclass(frozen=True, slots=True)
class Raise:
    """Returned by a suspending primitive or a capture's translate: raise `condition`
    (non-continuably) at the call, where the guest's guard and dynamic-wind see it."""

    condition: Any


class _Translate(ControlFrame):
    """The frame point.capture puts on top of a continuation: the value it is resumed
    with goes through translate first."""

    __slots__ = ("translate",)

    def __init__(self, translate: Callable[[Any], Any], next: Any) -> None:
        self.translate = translate
        self.next = next

    def resume(self, machine: Any, value: Any) -> tuple:
        return _give(machine, self.translate(value), self.next)


def _give(machine: Any, result: Any, k: Any) -> tuple:
    if type(result) is Raise:
        return machine.raise_transfer(result.condition, False, k)
    return (T_VALUE, result, k)


@dataclass(frozen=True, slots=True)
class Suspend:
    """Returned by a suspending primitive: stop the machine; call/resume return payload."""

    payload: Any


class SuspensionPoint:
    """Where a suspending primitive was called: its continuation, place and scope."""

    __slots__ = ("span", "_machine", "_site", "_env", "_k", "_cont")

    def __init__(self, machine: Any, k: Any) -> None:
        self._machine = machine
        self._site = machine.node
        self._env = machine.call_env
        self._k = k
        self._cont: Continuation | None = None
        self.span: Span | None = self._site.span if self._site is not None else None

    @property
    def continuation(self) -> Continuation:
        """The continuation of the call (captured when first asked for)."""
        if self._cont is None:
            self._cont = self._machine.capture(self._k)
        return self._cont

    def capture(self, translate: Callable[[Any], Any]) -> Continuation:
        """The continuation of the call, resumed through translate: resuming it with v
        makes the call return translate(v), or raise c where translate gives Raise(c)."""
        return self._machine.capture(_Translate(translate, self._k))

    @property
    def env(self) -> Any:
        """The environment frame the call was evaluated in (what `evaluate` runs in)."""
        return self._env

    @property
    def site(self) -> Any:
        """The call's compiled node; its `.scope` names the frame slots (for debuggers)."""
        return self._site

    def grant_steps(self, n: int) -> None:
        """Raise the running evaluation's step budget by n."""
        self._machine.grant_steps(n)

    def variables(self) -> list[tuple[str, Any]]:
        """(name, value) of each local variable in scope here, innermost first; a name
        shadowed by an inner one is listed once, a letrec variable not yet defined not."""
        return variables_at(self._site, self._env)

    def evaluate(self, datum: Any, interp: Any) -> Any:
        """Evaluate a datum here, in this point's scope (its local variables are visible)."""
        scope = getattr(self._site, "scope", None)
        node = interp.compiler.compile(
            datum, scope, getattr(datum, "span", None), top=scope is None
        )
        return interp.machine.execute(node, self._env)


def variables_at(site: Any, env: Any) -> list[tuple[str, Any]]:
    """SuspensionPoint.variables for a point's kept `.site` and `.env` (a host that keeps
    those rather than the point itself)."""
    scope = getattr(site, "scope", None)
    out: list[tuple[str, Any]] = []
    seen: set[str] = set()
    while scope is not None and env is not None:
        if scope.is_frame:
            for ident, index in scope.names.items():
                name = base_name(ident).name
                if name in seen or index >= len(env):
                    continue
                seen.add(name)
                if env[index] is not UNDEFINED:
                    out.append((name, env[index]))
            env = env[0]
        scope = scope.parent
    return out


def call(machine: Any, proc: Any, args: list, step_limit: int | None) -> Any:
    """Apply proc to args on machine, with a fresh dynamic state."""
    return machine.execute(TransferNode((T_CALL, proc, list(args), None)), step_limit=step_limit)


def suspending(fn: Callable[..., Any]) -> Callable[[Any, list, Any], tuple]:
    """The control primitive behind define_suspending."""

    def control(machine: Any, args: list, k: Any) -> tuple:
        result = fn(SuspensionPoint(machine, k), *args)
        if type(result) is Suspend:
            return (T_EXIT, result.payload)
        return _give(machine, result, k)

    return control


@contextmanager
def globals_locked(machine: Any, reason: str) -> Iterator[None]:
    """While the block runs, set! and define of global variables raise with reason."""
    saved = machine.globals_locked
    machine.globals_locked = reason
    try:
        yield
    finally:
        machine.globals_locked = saved


def define_definer(interp: Any, keyword: str, register: Any, what: str = "expression") -> None:
    """Make `(keyword NAME EXPR)` a top-level definition: NAME is defined as the Scheme
    procedure register applied to (NAME, value of EXPR, the whole form as plain data,
    span); a lambda EXPR is named NAME in messages (flowhost's defflow)."""

    # (keyword NAME EXPR)
    def compile_form(c: Any, x: Any, scope: Any, span: Any, top: Any) -> Any:
        items = form_items(x, keyword, span)
        require(
            len(items) == 3 and is_identifier(items[1][0]),
            keyword,
            f"expected ({keyword} name {what})",
            x,
            span,
        )
        if scope is not None or top is not True:
            raise SchemeSyntaxError(f"{keyword}: only allowed at top level", span=span)
        name = base_name(items[1][0])
        value = c.compile_named(items[2][0], None, items[2][1], name.name)
        call = App(Const(register), [Const(name), value, Const(strip(x)), Const(span)], span)
        return GDef(c.env.cell(name), call, span)

    interp.env.table[Symbol(keyword)] = SpecialForm(keyword, compile_form, True)


__all__ = [
    "Raise",
    "Suspend",
    "SuspensionPoint",
    "arity_of",
    "call",
    "define_definer",
    "globals_locked",
    "suspending",
    "variables_at",
    "wrong_type",
]
