"""The work and memory budget of one evaluation.

The machine counts closure calls against `step_limit`; everything else an evaluation can
spend time or memory on is charged here, to a *work* budget counted in units of about one
object touched:

- primitives, by the work they do: walking a list costs one unit per pair, building a
  vector, string or list one unit per element (bulk allocations one per 8 elements),
  bignum arithmetic and number/string conversion by the size of the numbers in 64-bit words;
- the macro expander: `EXPANSION_COST` units per expansion plus one per pair it builds;
- the reader: one unit per character read.

A *memory ceiling* refuses, where big objects are made, an object larger than the ceiling,
and (on Linux) an allocation of `BIG` bytes or more that would take the process's resident
memory more than the ceiling past where it stood at the evaluation's first big allocation
(read then, not at every start: most evaluations never make one).

Both limits are attributes of the machine (`work_limit`, `memory_limit`; the Interpreter's
keyword arguments of those names set them, None means the default below). A meter starts
when the outermost evaluation starts (`start`) and stops with it; nested evaluations
(`eval`, a library loaded by `import`) share the outer one's. Running out raises
`WorkLimitError` or `MemoryLimitError`, both `StepLimitError`s: no Scheme handler can catch
them. With no meter running (a host reading data outside any evaluation), only the
single-object ceiling applies.
"""

from __future__ import annotations

import threading
from typing import Any

from ..errors import MemoryLimitError, WorkLimitError

DEFAULT_WORK_LIMIT = 50_000_000
DEFAULT_MEMORY_LIMIT = 512 << 20  # bytes
BIG = 1 << 20  # allocations from this size on are checked against resident memory
EXPANSION_COST = 1_000


class Meter:
    """What the running evaluation may still spend."""

    __slots__ = ("left", "work_limit", "memory_limit", "base")

    def __init__(self, work_limit: int, memory_limit: int) -> None:
        self.left = work_limit
        self.work_limit = work_limit
        self.memory_limit = memory_limit
        self.base = -1  # resident memory at the first big allocation (read lazily: cheap)

    def exhausted(self) -> None:
        raise WorkLimitError(
            f"work budget of {self.work_limit} units used up "
            "(a loop over a huge or circular structure, or a runaway macro?)"
        )


class _State(threading.local):
    meter: Meter | None = None


_state = _State()


def _resident() -> int:
    """The process's resident memory in bytes (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * 4096
    except (OSError, ValueError, IndexError):
        return 0


def start(owner: Any = None) -> Meter | None:
    """Start a meter with owner's `work_limit` / `memory_limit` unless one runs already;
    returns what `stop` needs (None when the outer evaluation's meter goes on)."""
    if _state.meter is not None:
        return None
    work = getattr(owner, "work_limit", None)
    memory = getattr(owner, "memory_limit", None)
    m = Meter(
        DEFAULT_WORK_LIMIT if work is None else work,
        DEFAULT_MEMORY_LIMIT if memory is None else memory,
    )
    _state.meter = m
    return m


def stop(m: Meter | None) -> None:
    """End the meter `start` returned (nothing when it returned None)."""
    if m is not None and _state.meter is m:
        _state.meter = None


def current() -> Meter | None:
    """The running meter (to hand to another thread working for this evaluation)."""
    return _state.meter


def adopt(m: Meter | None) -> None:
    """Make m this thread's meter (a helper thread doing the evaluation's work)."""
    _state.meter = m


def charge(n: int) -> None:
    """Spend n units of work (WorkLimitError when the budget is used up)."""
    m = _state.meter
    if m is not None:
        m.left -= n
        if m.left < 0:
            m.exhausted()


def allocate(who: str, nbytes: int, units: int | None = None) -> None:
    """Before making an object of about nbytes: refuse it past the memory ceiling and
    charge its work (units, by default one per 8 bytes)."""
    m = _state.meter
    limit = DEFAULT_MEMORY_LIMIT if m is None else m.memory_limit
    if nbytes > limit:
        raise MemoryLimitError(
            f"{who}: refusing to allocate about {_size(nbytes)}: past the memory ceiling "
            f"of {_size(limit)}"
        )
    if m is None:
        return
    m.left -= nbytes >> 3 if units is None else units
    if m.left < 0:
        m.exhausted()
    if nbytes >= BIG:
        now = _resident()
        if m.base < 0:
            m.base = now
        if now and now + nbytes - m.base > limit:
            raise MemoryLimitError(
                f"{who}: refusing to allocate about {_size(nbytes)}: the evaluation "
                f"would hold more than its memory ceiling of {_size(limit)}"
            )


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.0f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def int_words(x: int) -> int:
    """The size of an int in 64-bit words (at least 1)."""
    return (x.bit_length() >> 6) + 1


def charge_product(who: str, a: int, b: int) -> None:
    """Before multiplying two ints: refuse a product past the memory ceiling, and charge
    about what Karatsuba multiplication costs (in 64-bit words)."""
    charge_product_bits(who, a.bit_length(), b.bit_length())


def charge_product_bits(who: str, la: int, lb: int) -> None:
    """charge_product for factors of la and lb bits."""
    if la < 4096 or lb < 4096:
        charge(1 + ((la + lb) >> 9))
        return
    big, small = max(la, lb) >> 6, min(la, lb) >> 6
    allocate(who, (la + lb) >> 3, int(big * small**0.585) >> 3)
