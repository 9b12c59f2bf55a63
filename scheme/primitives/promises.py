"""Promises (delay, delay-force, make-promise, force) and parameter objects.

force follows R7RS's reference implementation: forcing a delay-force chain runs in
constant space because each step replaces the force frame instead of stacking one, and
promises linked by delay-force share one box.
"""

from __future__ import annotations

from typing import Any

from ..run.frames import T_CALL, T_VALUE, ControlFrame
from ..run.machine import Machine
from ..types import NIL, UNSPECIFIED, Pair, Parameter, Primitive, Promise, boolean
from .control import check_arity, check_procedure
from .registry import PRIMITIVES, control, primitive, wrong_type


@primitive("%make-lazy-promise")
def make_lazy_promise(thunk: Any) -> Promise:
    return Promise(False, thunk)


@primitive("%make-done-promise")
def make_done_promise(value: Any) -> Promise:
    return Promise(True, value)


@primitive("make-promise")
def make_promise(value: Any) -> Promise:
    return value if type(value) is Promise else Promise(True, value)


@primitive("promise?")
def promise_p(x: Any) -> Any:
    return boolean(type(x) is Promise)


class _ForceFrame(ControlFrame):
    __slots__ = ("promise",)

    def __init__(self, promise: Promise, next: Any) -> None:
        self.promise = promise
        self.next = next

    def resume(self, m: Machine, v: Any) -> tuple:
        p = self.promise
        if not p.box[0]:  # not forced meanwhile by a re-entrant force
            if type(v) is Promise:
                p.box[0], p.box[1] = v.box
                v.box = p.box
            else:  # delay-force of a non-promise: take the value as the result
                p.box[0], p.box[1] = True, v
        return _force(p, self.next)


def _force(p: Promise, k: Any) -> tuple:
    if p.box[0]:
        return (T_VALUE, p.box[1], k)
    return (T_CALL, p.box[1], [], _ForceFrame(p, k))


@control("force")
def force(m: Machine, args: list, k: Any) -> tuple:
    check_arity("force", args, 1, 1)
    p = args[0]
    if type(p) is not Promise:
        return (T_VALUE, p, k)
    return _force(p, k)


# -- parameters ---------------------------------------------------------------------------


class _MakeParameterFrame(ControlFrame):
    __slots__ = ("converter",)

    def __init__(self, converter: Any, next: Any) -> None:
        self.converter = converter
        self.next = next

    def resume(self, m: Machine, v: Any) -> tuple:
        return (T_VALUE, Parameter(v, self.converter), self.next)


@control("make-parameter")
def make_parameter(m: Machine, args: list, k: Any) -> tuple:
    check_arity("make-parameter", args, 1, 2)
    if len(args) == 1:
        return (T_VALUE, Parameter(args[0], None), k)
    check_procedure("make-parameter", args[1], 2)
    return (T_CALL, args[1], [args[0]], _MakeParameterFrame(args[1], k))


class _ConvertFrame(ControlFrame):
    """Runs each parameter's converter on its new value, then the body in the extent."""

    __slots__ = ("params", "values", "done", "thunk")

    def __init__(self, params: list, values: list, done: list, thunk: Any, next: Any) -> None:
        self.params = params
        self.values = values
        self.done = done
        self.thunk = thunk
        self.next = next

    def resume(self, m: Machine, v: Any) -> tuple:
        return _convert_next(self.params, self.values, self.done + [v], self.thunk, self.next)


def _convert_next(params: list, values: list, done: list, thunk: Any, k: Any) -> tuple:
    i = len(done)
    if i < len(params):
        conv = params[i].converter
        if conv is None:
            return _convert_next(params, values, done + [values[i]], thunk, k)
        return (T_CALL, conv, [values[i]], _ConvertFrame(params, values, done, thunk, k))
    # Swap the values in on entry and out on exit, so re-entry by a continuation
    # sees the parameterized values again.
    cell = list(done)

    def swap() -> Any:
        for j, p in enumerate(params):
            p.value, cell[j] = cell[j], p.value
        return UNSPECIFIED

    swapper = Primitive("parameterize", swap, 0, 0)
    return (T_CALL, PRIMITIVES["dynamic-wind"], [swapper, thunk, swapper], k)


@control("%parameterize")
def parameterize(m: Machine, args: list, k: Any) -> tuple:
    params_list, values_list, thunk = args
    params, values = [], []
    x = params_list
    while type(x) is Pair:
        if type(x.car) is not Parameter:
            raise wrong_type("parameterize", "a parameter object", x.car)
        params.append(x.car)
        x = x.cdr
    x = values_list
    while type(x) is Pair:
        values.append(x.car)
        x = x.cdr
    assert x is NIL
    return _convert_next(params, values, [], thunk, k)
