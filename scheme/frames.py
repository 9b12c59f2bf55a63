"""Continuation frames: plain heap objects linked through `next`.

The machine's own frames (argument evaluation, if, begin, assignment, or) are handled
inline by the machine loop. Frames pushed by control primitives (dynamic-wind, exception
handlers, call-with-values, force, ...) subclass `ControlFrame` and say what happens
next through `resume(machine, value)`, which returns a transfer (see machine.py).

Frames are never mutated after they are pushed, so a continuation -- which is just the
frame at the top of the chain -- can be resumed any number of times.
"""

from __future__ import annotations

from typing import Any


class ArgFrame:
    """Evaluating part `i` of an application or let; `vals` holds the parts before it."""

    __slots__ = ("node", "env", "i", "vals", "next")

    def __init__(self, node: Any, env: Any, i: int, vals: list, next: Any) -> None:
        self.node = node
        self.env = env
        self.i = i
        self.vals = vals
        self.next = next


class IfFrame:
    """Evaluating the test of an if."""

    __slots__ = ("node", "env", "next")

    def __init__(self, node: Any, env: Any, next: Any) -> None:
        self.node = node
        self.env = env
        self.next = next


class SeqFrame:
    """Evaluating expression `i` (not the last) of a sequence."""

    __slots__ = ("node", "env", "i", "next")

    def __init__(self, node: Any, env: Any, i: int, next: Any) -> None:
        self.node = node
        self.env = env
        self.i = i
        self.next = next


class SetFrame:
    """Evaluating the value of a set! or define."""

    __slots__ = ("node", "env", "next")

    def __init__(self, node: Any, env: Any, next: Any) -> None:
        self.node = node
        self.env = env
        self.next = next


class OrFrame:
    """Evaluating expression `i` (not the last) of an or."""

    __slots__ = ("node", "env", "i", "next")

    def __init__(self, node: Any, env: Any, i: int, next: Any) -> None:
        self.node = node
        self.env = env
        self.i = i
        self.next = next


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
