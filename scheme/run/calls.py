"""What the machine does around a call: binding arguments, assignments, case-lambda
clauses, and turning Python exceptions into Scheme errors with a backtrace.

Kept apart from machine.py so the loop there stays readable; none of this is on the
fast path except `bind` for calls that need more than [parent, *args].
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ArityError, SchemeError, Span, UnboundVariableError, WrongTypeError
from ..types import UNBOUND, UNSPECIFIED, CaseLambda, Closure, Primitive, list_from
from .tags import GSET, LSET

if TYPE_CHECKING:
    from .machine import Machine


def bind(f: Closure, xs: list, span: Span | None) -> list:
    """The frame for calling closure f with xs (rest args, internal-define slots, arity)."""
    lam = f.lam
    n = len(xs)
    if n < lam.nreq or (not lam.rest and n > lam.nreq):
        plural = "" if lam.nreq == 1 else "s"
        raise ArityError(
            f"{lam.name}: expected {lam.arity_text()} argument{plural}, got {n}", span=span
        )
    if lam.rest:
        env = [f.env, *xs[: lam.nreq], list_from(xs[lam.nreq :])]
    else:
        env = [f.env, *xs]
    env.extend(lam.pad)
    return env


def assign(node: Any, env: Any, value: Any, machine: Machine) -> Any:
    """Perform a set! or define node's assignment; returns the unspecified value."""
    tag = node.tag
    if tag == LSET:
        for _ in range(node.depth):
            env = env[0]
        env[node.index] = value
        return UNSPECIFIED
    if machine.globals_locked is not None:
        raise SchemeError(
            f"{'set!' if tag == GSET else 'define'} {node.cell.name.name}: "
            f"{machine.globals_locked}",
            span=node.span,
        )
    if tag == GSET:
        if node.cell.value is UNBOUND:
            raise UnboundVariableError(
                f"set!: unbound variable: {node.cell.name.name}", span=node.span
            )
        node.cell.value = value
    else:
        node.cell.value = value
    return UNSPECIFIED


def unbound_operator(node: Any) -> UnboundVariableError:
    """The error for an operator read straight from an unbound cell."""
    return UnboundVariableError(f"unbound variable: {node.fncell.name.name}", span=node.span)


def select_clause(f: CaseLambda, xs: list) -> Closure:
    """The first case-lambda clause that accepts len(xs) arguments."""
    n = len(xs)
    for clause in f.clauses:
        lam = clause.lam
        if n == lam.nreq or (lam.rest and n >= lam.nreq):
            return clause
    raise ArityError(f"{f.name}: no clause accepts {n} argument{'s' if n != 1 else ''}")


def not_applicable(f: Any, xs: list) -> SchemeError:
    from ..printer import write_string

    return WrongTypeError(
        f"not a procedure: {write_string(f)} (called with {len(xs)} "
        f"argument{'s' if len(xs) != 1 else ''})"
    )


def convert_error(e: Exception, f: Any, xs: Any) -> SchemeError:
    """A Python exception raised while running Scheme code, as a SchemeError."""
    if isinstance(e, SchemeError):
        return e
    name = f.name if type(f) is Primitive else "primitive"
    if isinstance(e, (TypeError, AttributeError)) and type(f) is Primitive and xs is not None:
        from ..printer import write_string

        n = len(xs)
        if n < f.min_args or (f.max_args is not None and n > f.max_args):
            want = (
                f"{f.min_args}"
                if f.max_args == f.min_args
                else f"at least {f.min_args}"
                if f.max_args is None
                else f"{f.min_args} to {f.max_args}"
            )
            err: SchemeError = ArityError(
                f"{name}: expected {want} argument{'' if want == '1' else 's'}, got {n}"
            )
        elif f.expects is not None:
            pred, what = f.expects
            pos, bad = next(((i, x) for i, x in enumerate(xs) if not pred(x)), (None, None))
            if pos is None:
                err = WrongTypeError(f"{name}: {e}")
            else:
                err = WrongTypeError(
                    f"{name}: expected {what} (argument {pos + 1}), got {write_string(bad)}"
                )
        else:
            args = " ".join(write_string(x) for x in xs)
            err = WrongTypeError(f"{name}: wrong type of argument in ({name} {args})")
    elif isinstance(e, ZeroDivisionError):
        err = SchemeError(f"{name}: division by zero")
    elif isinstance(e, OverflowError):
        err = SchemeError(f"{name}: number too large")
    elif isinstance(e, MemoryError):
        err = SchemeError("out of memory")
    elif isinstance(e, (ValueError, IndexError, KeyError)):
        err = SchemeError(f"{name}: {e}")
    else:
        err = SchemeError(f"internal error in {name}: {type(e).__name__}: {e}")
    err.__cause__ = e
    return err


def backtrace(k: Any, limit: int = 12) -> list[Span]:
    """Spans of the frames waiting for a value, innermost first."""
    out: list[Span] = []
    while k is not None and len(out) < limit:
        if type(k) is tuple:
            span = k[1].span
            nxt = k[-1]
        else:
            span = k.span
            nxt = k.next
        if span is not None and (not out or out[-1] is not span):
            out.append(span)
        k = nxt
    return out
