"""Control: continuations, apply, multiple values, dynamic-wind, exceptions, eval.

These need the machine (see run/machine.py for the transfer protocol); each gets
(machine, args, k) and returns a transfer.
"""

from __future__ import annotations

from typing import Any

from ..equality import is_eqv
from ..errors import ArityError, FileError, ReadError, SchemeError
from ..expand.syntax import compile_checked
from ..run.frames import T_CALL, T_EVAL, T_VALUE, ControlFrame, Handlers, Wind
from ..run.machine import Machine
from ..types import (
    FALSE,
    NIL,
    TRUE,
    CaseLambda,
    Closure,
    Environment,
    MString,
    Pair,
    Values,
    boolean,
    is_procedure,
    list_from,
)
from .registry import control, primitive, wrong_type


def check_arity(name: str, args: list, lo: int, hi: int | None) -> None:
    """ArityError unless lo <= len(args) <= hi (hi None: no upper bound)."""
    n = len(args)
    if n < lo or (hi is not None and n > hi):
        want = str(lo) if hi == lo else f"at least {lo}" if hi is None else f"{lo} to {hi}"
        raise ArityError(f"{name}: expected {want} argument{'' if want == '1' else 's'}, got {n}")


def check_procedure(name: str, x: Any, position: int | None = None) -> None:
    if not is_procedure(x):
        raise wrong_type(name, "a procedure", x, position)


# -- continuations ------------------------------------------------------------------------


@control("call-with-current-continuation")
def call_cc(m: Machine, args: list, k: Any) -> tuple:
    check_arity("call/cc", args, 1, 1)
    check_procedure("call/cc", args[0])
    return (T_CALL, args[0], [m.capture(k)], k)


@control("call/cc")
def call_cc_short(m: Machine, args: list, k: Any) -> tuple:
    return call_cc(m, args, k)


@control("apply")
def apply_(m: Machine, args: list, k: Any) -> tuple:
    # (apply proc arg ... list): R7RS requires the list, so (apply +) is an error
    check_arity("apply", args, 2, None)
    check_procedure("apply", args[0], 1)
    last = args[-1]
    spread = list(args[1:-1])
    x = last
    while type(x) is Pair:
        spread.append(x.car)
        x = x.cdr
    if x is not NIL:
        raise wrong_type("apply", "a proper list as the last argument", last)
    return (T_CALL, args[0], spread, k)


@primitive("values")
def values(*xs: Any) -> Any:
    return xs[0] if len(xs) == 1 else Values(xs)


class _CallWithValuesFrame(ControlFrame):
    __slots__ = ("consumer",)

    def __init__(self, consumer: Any, next: Any) -> None:
        self.consumer = consumer
        self.next = next

    def resume(self, m: Machine, v: Any) -> tuple:
        args = list(v.items) if type(v) is Values else [v]
        return (T_CALL, self.consumer, args, self.next)


@control("call-with-values")
def call_with_values(m: Machine, args: list, k: Any) -> tuple:
    check_arity("call-with-values", args, 2, 2)
    check_procedure("call-with-values", args[0], 1)
    check_procedure("call-with-values", args[1], 2)
    return (T_CALL, args[0], [], _CallWithValuesFrame(args[1], k))


# -- dynamic-wind -------------------------------------------------------------------------


class _WindEnterFrame(ControlFrame):
    """`before` returned: enter the extent and call the thunk."""

    __slots__ = ("before", "thunk", "after")

    def __init__(self, before: Any, thunk: Any, after: Any, next: Any) -> None:
        self.before = before
        self.thunk = thunk
        self.after = after
        self.next = next

    def resume(self, m: Machine, _: Any) -> tuple:
        w = Wind(self.before, self.after, m.handlers, m.winds)
        m.winds = w
        return (T_CALL, self.thunk, [], _WindExitFrame(w, self.next))


class _WindExitFrame(ControlFrame):
    """The thunk returned: leave the extent, call `after`, then return the thunk's value."""

    __slots__ = ("wind",)

    def __init__(self, wind: Wind, next: Any) -> None:
        self.wind = wind
        self.next = next

    def resume(self, m: Machine, v: Any) -> tuple:
        m.winds = self.wind.parent
        return (T_CALL, self.wind.after, [], _ReturnFrame(v, self.next))


class _ReturnFrame(ControlFrame):
    """Ignore the value and return a saved one."""

    __slots__ = ("value",)

    def __init__(self, value: Any, next: Any) -> None:
        self.value = value
        self.next = next

    def resume(self, m: Machine, _: Any) -> tuple:
        return (T_VALUE, self.value, self.next)


@control("dynamic-wind")
def dynamic_wind(m: Machine, args: list, k: Any) -> tuple:
    check_arity("dynamic-wind", args, 3, 3)
    for i, p in enumerate(args):
        check_procedure("dynamic-wind", p, i + 1)
    before, thunk, after = args
    return (T_CALL, before, [], _WindEnterFrame(before, thunk, after, k))


# -- exceptions ---------------------------------------------------------------------------


class _RestoreHandlersFrame(ControlFrame):
    __slots__ = ("saved",)

    def __init__(self, saved: Handlers | None, next: Any) -> None:
        self.saved = saved
        self.next = next

    def resume(self, m: Machine, v: Any) -> tuple:
        m.handlers = self.saved
        return (T_VALUE, v, self.next)


@control("with-exception-handler")
def with_exception_handler(m: Machine, args: list, k: Any) -> tuple:
    check_arity("with-exception-handler", args, 2, 2)
    check_procedure("with-exception-handler", args[0], 1)
    check_procedure("with-exception-handler", args[1], 2)
    saved = m.handlers
    m.handlers = Handlers(args[0], saved)
    return (T_CALL, args[1], [], _RestoreHandlersFrame(saved, k))


@control("raise")
def raise_(m: Machine, args: list, k: Any) -> tuple:
    check_arity("raise", args, 1, 1)
    m.last_raise = (args[0], m.node)
    return m.raise_transfer(args[0], False, k)


@control("raise-continuable")
def raise_continuable(m: Machine, args: list, k: Any) -> tuple:
    check_arity("raise-continuable", args, 1, 1)
    m.last_raise = (args[0], m.node)
    return m.raise_transfer(args[0], True, k)


@control("%reraise")
def reraise(m: Machine, args: list, k: Any) -> tuple:
    # guard raising again (continuably) a condition none of its clauses accepted: if
    # nothing catches it, report it where the program raised it, not at the guard
    last = getattr(m, "last_raise", None)
    if last is not None and last[0] is args[0] and last[1] is not None:
        m.node = last[1]
    return m.raise_transfer(args[0], True, k)


@primitive("error")
def error(message: Any, *irritants: Any) -> Any:
    if type(message) is MString:
        text = message.s
    else:
        from ..printer import display_string

        text = display_string(message)
    raise SchemeError(text, irritants)


@primitive("error-object?")
def error_object_p(x: Any) -> Any:
    return boolean(isinstance(x, SchemeError))


@primitive("error-object-message")
def error_object_message(x: Any) -> MString:
    if not isinstance(x, SchemeError):
        raise wrong_type("error-object-message", "an error object", x)
    return MString(x.message)


@primitive("error-object-irritants")
def error_object_irritants(x: Any) -> Any:
    if not isinstance(x, SchemeError):
        raise wrong_type("error-object-irritants", "an error object", x)
    return list_from(x.irritants)


@primitive("read-error?")
def read_error_p(x: Any) -> Any:
    return boolean(isinstance(x, ReadError))


@primitive("file-error?")
def file_error_p(x: Any) -> Any:
    return boolean(isinstance(x, FileError))


# -- eval ---------------------------------------------------------------------------------


@control("eval")
def eval_(m: Machine, args: list, k: Any) -> tuple:
    check_arity("eval", args, 1, 2)
    env = args[1] if len(args) == 2 else m.env
    if type(env) is not Environment:
        raise wrong_type("eval", "an environment", env, 2)
    compiler = m.compiler if env is m.env else type(m.compiler)(env)
    span = m.node.span if m.node is not None else None
    return (T_EVAL, compile_checked(compiler, args[0], span), None, k)


@control("interaction-environment")
def interaction_environment(m: Machine, args: list, k: Any) -> tuple:
    check_arity("interaction-environment", args, 0, 0)
    return (T_VALUE, m.env, k)


def _standard_environment(m: Machine, name: str, args: list, k: Any) -> tuple:
    # A fresh copy of the standard bindings: definitions made through eval in it do
    # not leak into the program's own environment.
    return (T_VALUE, m.standard_env(name), k)


@control("environment")
def environment(m: Machine, args: list, k: Any) -> tuple:
    # (environment import-set ...): only what those import sets name; with none, every
    # standard binding (as before import existed)
    if not args:
        return _standard_environment(m, "environment", args, k)
    libraries = getattr(m.env, "libraries", None)
    if libraries is None:
        raise SchemeError("environment: this interpreter has no libraries")
    span = m.node.span if m.node is not None else None
    return (T_VALUE, libraries.environment(args, span), k)


@control("scheme-report-environment")
def scheme_report_environment(m: Machine, args: list, k: Any) -> tuple:
    check_arity("scheme-report-environment", args, 0, 1)
    return _standard_environment(m, "scheme-report-environment", args, k)


@control("null-environment")
def null_environment(m: Machine, args: list, k: Any) -> tuple:
    check_arity("null-environment", args, 0, 1)
    return _standard_environment(m, "null-environment", args, k)


# -- helpers for derived forms ------------------------------------------------------------


@primitive("%make-case-lambda")
def make_case_lambda(*clauses: Closure) -> CaseLambda:
    return CaseLambda(tuple(clauses), "case-lambda")


@primitive("%case-member")
def case_member(key: Any, datums: tuple) -> Any:
    for d in datums:
        if is_eqv(key, d):
            return TRUE
    return FALSE


# -- helpers for the prelude --------------------------------------------------------------


@primitive("%all-pairs?")
def all_pairs(ls: Any) -> Any:
    while type(ls) is Pair:
        if type(ls.car) is not Pair:
            return FALSE
        ls = ls.cdr
    return TRUE


@primitive("%cars")
def cars(ls: Any) -> Any:
    out = []
    while type(ls) is Pair:
        out.append(ls.car.car)
        ls = ls.cdr
    return list_from(out)


@primitive("%cdrs")
def cdrs(ls: Any) -> Any:
    out = []
    while type(ls) is Pair:
        out.append(ls.car.cdr)
        ls = ls.cdr
    return list_from(out)


@primitive("features")
def features() -> Any:
    from ..expand.cond_expand import feature_symbols

    return list_from(feature_symbols())
