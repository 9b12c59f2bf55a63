"""The flow store interface and its in-memory implementation.

A store keeps flow records and their steps as plain data. Every change is one atomic
operation: insert a new flow, update one flow (optionally appending a step) provided
its version is still the one the caller read, replace everything (import), or clear.

A version is a stamp the store gives a record each time it is written, unique within
the store (never reused, not even by an import that brings back an older export), so a
continuation a host keeps for (id, version) can never be mistaken for another state.
The SQLite implementation is in sqlite_store.py; tests run one contract suite against
both.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import replace

from .data import dumps
from .errors import FlowConflictError, NoSuchFlowError
from .records import SUSPENDED, FlowRecord, Pending, Step


class FlowStore(ABC):
    """Where flow records live."""

    @abstractmethod
    def insert(self, rec: FlowRecord, steps: list[Step]) -> FlowRecord:
        """Store a new flow under the next id (rec.id and rec.version are ignored); returns
        it as stored."""

    @abstractmethod
    def get(self, flow_id: int) -> FlowRecord | None:
        """The record, or None for an unknown id."""

    @abstractmethod
    def steps(self, flow_id: int) -> list[Step]:
        """The flow's steps in order."""

    @abstractmethod
    def update(
        self, rec: FlowRecord, expected_version: int, step: Step | None = None
    ) -> FlowRecord:
        """Replace the record (and append step) if its stored version is expected_version;
        FlowConflictError otherwise, with nothing changed. Returns the record as stored
        (with its new version)."""

    @abstractmethod
    def ids(self, status: str | None = None) -> list[int]:
        """Flow ids, ascending, optionally only those with a status."""

    @abstractmethod
    def find(self, flow: str, args: list) -> list[int]:
        """Ids of the instances of `flow` started with exactly these args, ascending."""

    @abstractmethod
    def requests(self) -> list[tuple[int, Pending]]:
        """(id, pending request) of every suspended flow, ascending id."""

    @abstractmethod
    def records(self) -> Iterator[FlowRecord]:
        """Every record, ascending id."""

    @abstractmethod
    def next_id(self) -> int:
        """The id the next insert will get."""

    @abstractmethod
    def replace_all(
        self, flows: Iterable[tuple[FlowRecord, list[Step]]], next_id: int
    ) -> list[FlowRecord]:
        """Atomically replace every flow (an import); returns the records as stored."""

    @abstractmethod
    def clear(self) -> None:
        """Forget every flow (ids are still never reused)."""

    def close(self) -> None:  # noqa: B027 -- optional hook
        """Release resources."""


class MemoryStore(FlowStore):
    """A store in a dict, for tests and short-lived hosts."""

    def __init__(self) -> None:
        self._flows: dict[int, FlowRecord] = {}
        self._steps: dict[int, list[Step]] = {}
        self._next = 1
        self._stamp = 0
        self._by_args: dict[tuple[str, str], list[int]] = {}  # (flow, args) -> ids

    def _version(self) -> int:
        self._stamp += 1
        return self._stamp

    def insert(self, rec: FlowRecord, steps: list[Step]) -> FlowRecord:
        rec = replace(rec, id=self._next, nsteps=len(steps), version=self._version())
        self._next += 1
        self._by_args.setdefault((rec.flow, dumps(rec.args)), []).append(rec.id)
        self._flows[rec.id] = rec
        self._steps[rec.id] = list(steps)
        return rec

    def get(self, flow_id: int) -> FlowRecord | None:
        return self._flows.get(flow_id)

    def steps(self, flow_id: int) -> list[Step]:
        if flow_id not in self._steps:
            raise NoSuchFlowError(f"no flow with id {flow_id}")
        return list(self._steps[flow_id])

    def update(
        self, rec: FlowRecord, expected_version: int, step: Step | None = None
    ) -> FlowRecord:
        current = self._flows.get(rec.id)
        if current is None:
            raise NoSuchFlowError(f"no flow with id {rec.id}")
        if current.version != expected_version:
            raise FlowConflictError(
                f"flow {rec.id} was changed by someone else (version {current.version}, "
                f"expected {expected_version}); nothing was changed"
            )
        if step is not None:
            self._steps[rec.id].append(step)
        stored = replace(rec, nsteps=len(self._steps[rec.id]), version=self._version())
        self._flows[rec.id] = stored
        return stored

    def ids(self, status: str | None = None) -> list[int]:
        return sorted(i for i, r in self._flows.items() if status is None or r.status == status)

    def find(self, flow: str, args: list) -> list[int]:
        return sorted(self._by_args.get((flow, dumps(args)), ()))

    def requests(self) -> list[tuple[int, Pending]]:
        return [
            (i, self._flows[i].pending)  # type: ignore[misc]
            for i in self.ids(SUSPENDED)
            if self._flows[i].pending is not None
        ]

    def records(self) -> Iterator[FlowRecord]:
        for i in sorted(self._flows):
            yield self._flows[i]

    def next_id(self) -> int:
        return self._next

    def replace_all(
        self, flows: Iterable[tuple[FlowRecord, list[Step]]], next_id: int
    ) -> list[FlowRecord]:
        new_flows: dict[int, FlowRecord] = {}
        new_steps: dict[int, list[Step]] = {}
        for rec, steps in flows:
            new_flows[rec.id] = replace(rec, nsteps=len(steps), version=self._version())
            new_steps[rec.id] = list(steps)
        self._flows, self._steps = new_flows, new_steps
        self._by_args = {}
        for rec in new_flows.values():
            self._by_args.setdefault((rec.flow, dumps(rec.args)), []).append(rec.id)
        self._next = max([next_id, *[i + 1 for i in new_flows]])
        return [new_flows[i] for i in sorted(new_flows)]

    def clear(self) -> None:
        self._flows.clear()
        self._steps.clear()
        self._by_args.clear()
