"""The dynamic extent: running after/before thunks between two dynamic-wind extents, the
frames `raise` and `raise-continuable` push under a handler, and the count of control
frames a transfer adds (for the depth cap).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import AbortEvaluation, DepthLimitError, SchemeError, SchemeRaise, StepLimitError
from ..types import Continuation
from .calls import backtrace, convert_error
from .frames import ControlFrame, Handlers, Wind
from .tags import T_CALL, T_EVAL, T_INSTATE, T_VALUE

if TYPE_CHECKING:
    from .machine import Machine


def frames_pushed(tr: tuple, base: Any) -> int:
    """How many control frames a transfer's continuation adds on top of base.

    Control primitives push frame objects rather than the machine's tuples; counting
    them keeps the depth cap honest for recursion through call-with-values,
    dynamic-wind, with-exception-handler, force, ... (0 when the transfer does not
    continue base, e.g. it resumes another continuation).
    """
    kind = tr[0]
    if kind == T_CALL or kind == T_EVAL:
        k = tr[3]
    elif kind == T_VALUE:
        k = tr[2]
    else:
        return 0
    n = 0
    while k is not base:
        if k is None or type(k) is tuple or n == 4:
            return 0
        n += 1
        k = k.next
    return n


def wind_steps(frm: Wind | None, to: Wind | None) -> list[tuple]:
    """(thunk, winds while it runs, handlers while it runs) to go from frm to to."""
    a, b = frm, to
    da = a.depth if a is not None else -1
    db = b.depth if b is not None else -1
    afters: list[Wind] = []
    befores: list[Wind] = []
    while da > db:
        afters.append(a)  # type: ignore[arg-type]
        a = a.parent  # type: ignore[union-attr]
        da -= 1
    while db > da:
        befores.append(b)  # type: ignore[arg-type]
        b = b.parent  # type: ignore[union-attr]
        db -= 1
    while a is not b:
        afters.append(a)  # type: ignore[arg-type]
        a = a.parent  # type: ignore[union-attr]
        befores.append(b)  # type: ignore[arg-type]
        b = b.parent  # type: ignore[union-attr]
    steps = [(w.after, w.parent, w.handlers) for w in afters]
    steps += [(w.before, w.parent, w.handlers) for w in reversed(befores)]
    return steps


class WindStepFrame(ControlFrame):
    """Runs the after/before thunks between two dynamic extents, then resumes `cont`."""

    __slots__ = ("steps", "i", "cont", "value")

    def __init__(self, steps: list, i: int, cont: Continuation, value: Any) -> None:
        self.steps = steps
        self.i = i
        self.cont = cont
        self.value = value
        self.next = None

    def resume(self, machine: Machine, _: Any) -> tuple:
        if self.i < len(self.steps):
            thunk, winds, handlers = self.steps[self.i]
            machine.winds = winds
            machine.handlers = handlers
            return (T_CALL, thunk, [], WindStepFrame(self.steps, self.i + 1, self.cont, self.value))
        return (T_INSTATE, self.cont, self.value)


class RaiseFrame(ControlFrame):
    """A handler called by `raise` returned: that is itself an error."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any, next: Any) -> None:
        self.obj = obj
        self.next = next

    def resume(self, machine: Machine, _: Any) -> tuple:
        obj = self.obj
        what = str(obj) if isinstance(obj, SchemeError) else None
        if what is None:
            from ..printer import write_string

            what = write_string(obj)
        err = SchemeError(f"exception handler returned from a non-continuable raise of: {what}")
        if isinstance(obj, SchemeError):
            err.span = obj.span
        return machine.raise_transfer(err, False, self.next)


class RaiseContinuableFrame(ControlFrame):
    """A handler called by `raise-continuable` returned: its value goes to the raise."""

    __slots__ = ("saved",)

    def __init__(self, saved: Handlers, next: Any) -> None:
        self.saved = saved
        self.next = next

    def resume(self, machine: Machine, value: Any) -> tuple:
        machine.handlers = self.saved
        return (T_VALUE, value, self.next)


def error_transfer(m: Machine, e: Exception, node: Any, f: Any, xs: Any, k: Any) -> tuple:
    """A Python exception raised while the machine ran, raised in Scheme at k.

    AbortEvaluation and the limit errors stop the machine instead: no Scheme handler may
    catch them (a guard around a runaway loop must not keep it running).
    """
    span = getattr(node, "span", None)
    if isinstance(e, AbortEvaluation):
        raise e
    if isinstance(e, (StepLimitError, DepthLimitError)):
        e.with_span(span)
        if not e.backtrace:
            e.backtrace = backtrace(k)
        raise e
    err = convert_error(e, f, xs)
    err.with_span(span)
    if m.handlers is None and not err.backtrace:
        err.backtrace = backtrace(k)
    return raise_transfer(m, err, False, k)


def raise_transfer(m: Machine, obj: Any, continuable: bool, k: Any) -> tuple:
    """Call the current handler with obj (raise / raise-continuable); with no handler the
    error leaves the machine as a Python exception."""
    h = m.handlers
    if h is None:
        if isinstance(obj, SchemeError):
            if obj.span is None and m.node is not None:
                obj.with_span(m.node.span)
            if not obj.backtrace:
                obj.backtrace = backtrace(k)
            raise obj
        err = SchemeRaise(obj, continuable)
        if m.node is not None:
            err.with_span(m.node.span)
        err.backtrace = backtrace(k)
        raise err
    m.handlers = h.next
    frame = RaiseContinuableFrame(h, k) if continuable else RaiseFrame(obj, k)
    return (T_CALL, h.handler, [obj], frame)
