"""Continuation frames: plain heap data linked through `next`.

The machine's own frames (argument evaluation, if, begin, assignment, or) are tuples,
returned to inline by the machine's driver (assignment and or: by steps.py). Frames
pushed by control primitives (dynamic-wind, exception handlers, call-with-values,
force, ...) subclass `ControlFrame` and say what happens next through
`resume(machine, value)`, which returns a transfer (see machine.py).

Frames are never mutated after they are pushed, so a continuation -- which is just the
frame at the top of the chain -- can be resumed any number of times.
"""

from __future__ import annotations

from typing import Any

# The machine's own frames are tuples (cheaper to build than objects, and immutable):
#   (ARG_FRAME, node, env, i, vals, next)   evaluating part i of an application or let;
#                                           vals holds the parts before it
#   (IF_FRAME, node, env, next)             evaluating the test of an if
#   (SEQ_FRAME, node, env, i, next)         evaluating expression i (not the last) of a body
#   (SET_FRAME, node, env, next)            evaluating the value of a set! or define
#   (OR_FRAME, node, env, i, next)          evaluating expression i (not the last) of an or
# `next` is always the last element.
# The frame kinds, and the transfer kinds control primitives return (see machine.py), are
# numbered in tags.py with the node tags.
from .tags import (  # noqa: F401 -- re-exported for the modules that import them from here
    ARG_FRAME,
    IF_FRAME,
    OR_FRAME,
    SEQ_FRAME,
    SET_FRAME,
    T_CALL,
    T_EVAL,
    T_EXIT,
    T_INSTATE,
    T_VALUE,
)


class ControlFrame:
    """Base of frames pushed by control primitives.

    Each subclass defines `resume(machine, value) -> transfer`.
    """

    __slots__ = ("next",)
    span = None


class Wind:
    """One dynamic-wind extent: its before/after thunks and the handlers in force."""

    __slots__ = ("before", "after", "handlers", "parent", "depth")

    def __init__(self, before: Any, after: Any, handlers: Any, parent: Wind | None) -> None:
        self.before = before
        self.after = after
        self.handlers = handlers
        self.parent = parent
        self.depth = 0 if parent is None else parent.depth + 1


class Handlers:
    """The exception handler stack, innermost first."""

    __slots__ = ("handler", "next")

    def __init__(self, handler: Any, next: Handlers | None) -> None:
        self.handler = handler
        self.next = next
