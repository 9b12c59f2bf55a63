"""The continuations a host keeps in memory for suspended flows, bounded.

Resuming a flow whose continuation is at hand skips the replay of its log; one that is
not at hand is replayed from its arguments (the same answer, only slower). So keeping
them is a cache, and a process that leaves many flows suspended -- a server whose orders
wait on payment, an import of a large export -- must not keep one per flow for ever:
`LiveStates` holds the `limit` most recently stored ones and forgets the oldest.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, TypeVar

LIMIT = 4096  # continuations kept: an order flow's is ~1.6 KiB, so ~7 MiB at most

V = TypeVar("V")


class LiveStates(Generic[V]):
    """flow id -> what was kept for it, at most `limit` entries (the oldest stored goes
    first). A dict's interface where the host uses one: get, pop, [id] = v, clear."""

    __slots__ = ("limit", "_d")

    def __init__(self, limit: int = LIMIT, items: Iterable[tuple[int, V]] = ()) -> None:
        if limit < 0:
            raise ValueError(f"the live-state limit is at least 0, got {limit}")
        self.limit = limit
        self._d: dict[int, V] = {}
        for k, v in items:
            self[k] = v

    def __setitem__(self, flow_id: int, value: V) -> None:
        d = self._d
        d.pop(flow_id, None)  # stored again: now the newest
        if self.limit == 0:
            return
        d[flow_id] = value
        if len(d) > self.limit:
            del d[next(iter(d))]

    def get(self, flow_id: int, default: Any = None) -> V | Any:
        return self._d.get(flow_id, default)

    def pop(self, flow_id: int, default: Any = None) -> V | Any:
        return self._d.pop(flow_id, default)

    def clear(self) -> None:
        self._d.clear()

    def __contains__(self, flow_id: object) -> bool:
        return flow_id in self._d

    def __len__(self) -> int:
        return len(self._d)

    def __repr__(self) -> str:
        return f"LiveStates({len(self._d)} of at most {self.limit})"


__all__ = ["LIMIT", "LiveStates"]
