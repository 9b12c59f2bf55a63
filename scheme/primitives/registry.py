"""The one place Scheme-visible procedures are registered.

    @primitive("car")
    def car(p): ...

registers `car` under its Scheme name, which is also the name errors use. Arity is read
from the Python signature (required positionals .. all positionals, or unbounded with
*args), so the machine can tell an arity mistake from a type mistake without checking
on every call. `expects=(predicate, "a number")` lets the machine explain a Python
TypeError raised inside the function by naming the first argument that fails.

Control primitives (call/cc, apply, dynamic-wind, ...) need the machine and are
registered with `@control`; see run/machine.py for their protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import WrongTypeError
from ..types import ControlPrimitive, Primitive

PRIMITIVES: dict[str, Primitive | ControlPrimitive] = {}


def arity_of(fn: Callable, skip: int = 0) -> tuple[int, int | None]:
    """(min, max) positional arguments of fn after the first `skip`; max None = any."""
    code = getattr(fn, "__code__", None)
    if code is not None and not hasattr(fn, "__wrapped__"):
        # A plain function: read its code object (importing inspect costs 12 ms at start).
        n = code.co_argcount
        defaults = len(fn.__defaults__ or ())
        unbounded = bool(code.co_flags & 0x04)  # CO_VARARGS
        return max(n - defaults - skip, 0), (None if unbounded else max(n - skip, 0))
    import inspect

    lo = hi = 0
    unbounded = False
    params = list(inspect.signature(fn).parameters.values())[skip:]
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            unbounded = True
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            hi += 1
            if p.default is p.empty:
                lo += 1
    return lo, (None if unbounded else hi)


def primitive(
    name: str, expects: tuple[Callable[[Any], bool], str] | None = None
) -> Callable[[Callable], Callable]:
    """Register the decorated function as the Scheme procedure `name`."""

    def deco(fn: Callable) -> Callable:
        lo, hi = arity_of(fn)
        PRIMITIVES[name] = Primitive(name, fn, lo, hi, expects)
        return fn

    return deco


def alias(name: str, existing: str) -> None:
    """Register `name` as another name for an already registered procedure."""
    PRIMITIVES[name] = PRIMITIVES[existing]


def control(name: str) -> Callable[[Callable], Callable]:
    """Register fn(machine, args, k) as a control primitive (see run/machine.py)."""

    def deco(fn: Callable) -> Callable:
        PRIMITIVES[name] = ControlPrimitive(name, fn, 0, None)
        return fn

    return deco


def wrong_type(who: str, expected: str, got: Any, position: int | None = None) -> WrongTypeError:
    """The error for a bad argument: `car: expected a pair, got 5`."""
    from ..printer import write_string

    where = f" (argument {position})" if position is not None else ""
    return WrongTypeError(f"{who}: expected {expected}{where}, got {clip(write_string(got))}")


def clip(text: str, limit: int = 200) -> str:
    """text cut to limit characters (error messages must stay readable)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_index(who: str, k: Any, size: int, inclusive: bool = False) -> int:
    """k as a valid index into a sequence of `size` (size itself allowed when inclusive)."""
    if type(k) is not int:
        raise wrong_type(who, "an exact integer index", k)
    limit = size if inclusive else size - 1
    if k < 0 or k > limit:
        raise WrongTypeError(f"{who}: index {k} out of range 0..{limit}")
    return k
