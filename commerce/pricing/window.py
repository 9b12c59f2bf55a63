"""Validity windows: a promotion is live at t when from <= t <= until (absent bound = open).

The window is part of each promotion; `live_promos` is the rule set in force at an instant,
and `active_codeso` answers "which codes are live at t?" (and "is code C live at t?").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from unification import isvar, reify

from ..errors import InvalidWindowError, UngroundQueryError
from ..money import is_int
from ..relation import FactRelation, Goal, Term


@dataclass(frozen=True, slots=True)
class Window:
    """Inclusive int timestamps `start` ("from") and `until`; None leaves that side open."""

    start: int | None = None
    until: int | None = None

    def __post_init__(self) -> None:
        for name, bound in (("from", self.start), ("until", self.until)):
            if bound is not None and not is_int(bound):
                raise InvalidWindowError(
                    f"window {name} must be an int timestamp or null, got {bound!r}"
                )
        if self.start is not None and self.until is not None and self.start > self.until:
            raise InvalidWindowError(f"window from {self.start} is after until {self.until}")

    def is_live(self, at: int) -> bool:
        """True when `at` lies within the window."""
        require_time(at)
        return (self.start is None or self.start <= at) and (self.until is None or at <= self.until)


def require_time(at: object) -> int:
    """Return `at` if it is an int timestamp, else raise InvalidWindowError."""
    if not is_int(at):
        raise InvalidWindowError(f"a time must be an int timestamp, got {at!r}")
    assert isinstance(at, int)
    return at


class Windowed(Protocol):
    """Anything with a code and a window (every promotion kind)."""

    @property
    def code(self) -> str: ...

    @property
    def window(self) -> Window: ...


W = TypeVar("W", bound=Windowed)


def live_promos(promos: Iterable[W], at: int) -> tuple[W, ...]:
    """The promotions live at `at`, in the order given."""
    return tuple(p for p in promos if p.window.is_live(at))


def active_codeso(promos: Iterable[Windowed], at: Term, code: Term) -> Goal:
    """`code` names a promotion live at `at`; `at` must be ground when the goal runs."""
    promos = tuple(promos)

    def goal(s: Any) -> Iterator[Any]:
        t = reify(at, s)
        if isvar(t):
            raise UngroundQueryError("active_codeso needs the time: a ground int `at`")
        live = FactRelation("live", ((p.code,) for p in live_promos(promos, t)))
        yield from live(code)(s)

    return goal
