"""The flow store interface and its in-memory implementation.

A store keeps flow records and their steps as plain data, in a `Database` (db.py) that
it may share with other stores (the ledger, the stock), so a host step and the service
work around it commit as one unit: `store.transaction()` is the database's transaction.
Every method is atomic on its own too (outside a transaction it commits by itself).

- insert a new flow (a `key`, when given, is unique: `FlowKeyTakenError` names the flow
  holding it, and nothing is written);
- update one flow (optionally appending a step) provided its version is still the one
  the caller read (`FlowConflictError` otherwise, nothing changed);
- replace everything (an import) or clear. Ids are never reused: an import never lowers
  the next id, whatever it brings.

A version is a stamp the store gives a record each time it is written, unique within the
store (never reused, not even by an import that brings back an older export), so a
continuation a host keeps for (id, version) can never be mistaken for another state.
`stamp()` is the next stamp: an export records it, and an import into the same store
(`store_id()`) refuses an export older than the store's latest change. The SQLite
implementation is in sqlite_store.py; one contract suite runs against every store.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .data import dumps
from .db import Database, MemoryDatabase, StoreError
from .errors import FlowConflictError, NoSuchFlowError
from .records import SUSPENDED, FlowRecord, Pending, Step, restamp

Flows = list[tuple[FlowRecord, list[Step]]]


@dataclass(frozen=True, slots=True)
class PageQuery:
    """FlowStore.page's filters: records with id > after matching every filter given
    (`since`: updated at or after that time), skipping `offset`, at most `limit`."""

    status: str | None = None
    flow: str | None = None
    key: str | None = None
    since: float | None = None
    after: int = 0
    offset: int = 0
    limit: int | None = None

    def matches(self, r: FlowRecord) -> bool:
        """Whether a record passes the filters (not `after`, `offset`, `limit`)."""
        return (
            (self.status is None or r.status == self.status)
            and (self.flow is None or r.flow == self.flow)
            and (self.key is None or r.key == self.key)
            and (self.since is None or r.updated >= self.since)
        )


def page_where(mark: str, q: PageQuery) -> tuple[str, list]:
    """The WHERE clause (with `mark` as the parameter placeholder) and its arguments that
    a PageQuery's filters make: for the SQL stores, so they page in the database."""
    where, args = [f"id > {mark}"], [q.after]
    for column, value in (("status", q.status), ("flow", q.flow), ("key", q.key)):
        if value is not None:
            where.append(f"{column} = {mark}")
            args.append(value)
    if q.since is not None:
        where.append(f"updated >= {mark}")
        args.append(q.since)
    return " AND ".join(where), args


MAX_ID = 2**63 - 1  # ids, next_id and stamps are SQL BIGINTs in every store


def check_replacement(flows: list[tuple[FlowRecord, list[Step]]], next_id: int, name: str) -> None:
    """Refuse, before anything is written, what no store can hold: ids and next_id outside
    1 .. 2**63 - 1 or not ints, an id given twice (StoreError), a key held twice
    (FlowKeyTakenError). Every store's replace_all calls it, so all refuse alike."""
    if type(next_id) is not int or not 1 <= next_id <= MAX_ID:
        raise StoreError(f"{name}: cannot import: next_id must be 1 .. 2**63 - 1")
    ids: set[int] = set()
    keys: dict[str, int] = {}
    for rec, _ in flows:
        if type(rec.id) is not int or not 1 <= rec.id < MAX_ID:
            raise StoreError(
                f"{name}: cannot import: flow id {rec.id!r:.40} is not in 1 .. 2**63 - 2"
            )
        if rec.id in ids:
            raise StoreError(f"{name}: cannot import: flow id {rec.id} is given twice")
        ids.add(rec.id)
        if rec.key is not None:
            if rec.key in keys:
                raise FlowKeyTakenError(rec.key, keys[rec.key])
            keys[rec.key] = rec.id


class FlowKeyTakenError(FlowConflictError):
    """An insert named a key another flow holds (`existing` is that flow's id)."""

    def __init__(self, key: str, existing: int) -> None:
        super().__init__(f"flow key {key!r} is taken by flow {existing}; nothing was stored")
        self.key = key
        self.existing = existing


class FlowStore(ABC):
    """Where flow records live."""

    db: Database

    def transaction(self) -> Any:
        """The database's unit of work (joined by every store on the same database)."""
        return self.db.transaction()

    @abstractmethod
    def insert(self, rec: FlowRecord, steps: list[Step]) -> FlowRecord:
        """Store a new flow under the next id (rec.id and rec.version are ignored); returns
        it as stored. FlowKeyTakenError when rec.key is held by another flow."""

    @abstractmethod
    def get(self, flow_id: int) -> FlowRecord | None:
        """The record, or None for an unknown id."""

    @abstractmethod
    def get_by_key(self, key: str) -> FlowRecord | None:
        """The record holding `key`, or None."""

    @abstractmethod
    def steps(self, flow_id: int) -> list[Step]:
        """The flow's steps in order."""

    @abstractmethod
    def update(
        self,
        rec: FlowRecord,
        expected_version: int,
        step: Step | None = None,
        more: Sequence[Step] = (),
    ) -> FlowRecord:
        """Replace the record (and append step, then `more`: patch markers the run
        recorded) if its stored version is expected_version; FlowConflictError otherwise,
        with nothing changed. Returns the record as stored (with its new version)."""

    @abstractmethod
    def due(self, now: float, limit: int | None = None) -> list[tuple[int, int]]:
        """(id, version) of the suspended flows whose deadline is at or before `now`,
        earliest deadline first (then id), at most `limit`: an indexed query, its cost
        grows with the flows due, not with every flow waiting."""

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
    def stamp(self) -> int:
        """The version stamp the next write will get (grows with every write)."""

    @abstractmethod
    def store_id(self) -> str:
        """A name given to the store when it was created, kept for its lifetime."""

    @abstractmethod
    def replace_all(
        self, flows: Iterable[tuple[FlowRecord, list[Step]]], next_id: int
    ) -> list[FlowRecord]:
        """Atomically replace every flow (an import); the next id becomes the largest of
        next_id, the current next id and every imported id + 1. Returns what is stored."""

    @abstractmethod
    def clear(self) -> None:
        """Forget every flow (ids are still never reused)."""

    def page(
        self,
        *,
        status: str | None = None,
        flow: str | None = None,
        key: str | None = None,
        since: float | None = None,
        after: int = 0,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[FlowRecord]:
        """Records with id > after that match every filter given (`since`: updated at or
        after that time), ascending id, skipping `offset` of them, at most `limit`."""
        return self._page(PageQuery(status, flow, key, since, after, offset, limit))

    @abstractmethod
    def _page(self, q: PageQuery) -> list[FlowRecord]:
        """page(), its filters in one PageQuery."""

    def flow_texts(self, page: int = 1000) -> Iterator[str]:
        """Each flow as a line of the streamed export (exchange.flow_text), ascending id,
        read `page` flows at a time; call it inside transaction() for one snapshot."""
        from .exchange import flow_text

        after = 0
        while True:
            recs = self.page(after=after, limit=page)
            if not recs:
                return
            for rec in recs:
                yield flow_text(rec, self.steps(rec.id))
            after = recs[-1].id

    def everything(self) -> Flows:
        """Every record with its steps, ascending id (one consistent read)."""
        with self.transaction():
            return [(rec, self.steps(rec.id)) for rec in self.records()]

    def close(self) -> None:  # noqa: B027 -- optional hook
        """Release resources."""


class MemoryStore(FlowStore):
    """A store in dicts, for tests and short-lived hosts; changes undo on rollback."""

    def __init__(self, db: MemoryDatabase | None = None) -> None:
        self.db = db if db is not None else MemoryDatabase()
        self._flows: dict[int, FlowRecord] = {}
        self._steps: dict[int, list[Step]] = {}
        self._keys: dict[str, int] = {}
        self._by_args: dict[tuple[str, str], list[int]] = {}  # (flow, args) -> ids
        self._next = 1
        self._stamp = 0
        self._id = uuid.uuid4().hex

    def _version(self) -> int:
        self._stamp += 1  # stamps are never given back, not even on rollback
        return self._stamp

    def _state(self) -> tuple:
        return (
            dict(self._flows),
            {k: list(v) for k, v in self._steps.items()},
            dict(self._keys),
            {k: list(v) for k, v in self._by_args.items()},
            self._next,
        )

    def _restore(self, state: tuple) -> None:
        self._flows, self._steps, self._keys, self._by_args, self._next = state

    def insert(self, rec: FlowRecord, steps: list[Step]) -> FlowRecord:
        with self.db.transaction():
            if rec.key is not None and rec.key in self._keys:
                raise FlowKeyTakenError(rec.key, self._keys[rec.key])
            if self._next > MAX_ID:
                raise StoreError(f"{self.db.name}: no flow ids left (next id {self._next})")
            rec = restamp(replace(rec, id=self._next), self._version(), len(steps), rec.key)
            self._next += 1
            by_args = (rec.flow, dumps(rec.args))
            self._by_args.setdefault(by_args, []).append(rec.id)
            self._flows[rec.id] = rec
            self._steps[rec.id] = list(steps)
            if rec.key is not None:
                self._keys[rec.key] = rec.id

            def undo() -> None:
                del self._flows[rec.id], self._steps[rec.id]
                self._by_args[by_args].remove(rec.id)
                if rec.key is not None:
                    del self._keys[rec.key]
                self._next = rec.id

            self.db.on_rollback(undo)
            return rec

    def get(self, flow_id: int) -> FlowRecord | None:
        return self._flows.get(flow_id)

    def get_by_key(self, key: str) -> FlowRecord | None:
        i = self._keys.get(key)
        return None if i is None else self._flows[i]

    def steps(self, flow_id: int) -> list[Step]:
        if flow_id not in self._steps:
            raise NoSuchFlowError(f"no flow with id {flow_id}")
        return list(self._steps[flow_id])

    def update(
        self,
        rec: FlowRecord,
        expected_version: int,
        step: Step | None = None,
        more: Sequence[Step] = (),
    ) -> FlowRecord:
        with self.db.transaction():
            current = self._flows.get(rec.id)
            if current is None:
                raise NoSuchFlowError(f"no flow with id {rec.id}")
            if current.version != expected_version:
                raise FlowConflictError(
                    f"flow {rec.id} was changed by someone else (version {current.version}, "
                    f"expected {expected_version}); nothing was changed"
                )
            log = self._steps[rec.id]
            if step is not None:
                log.append(step)
            log.extend(more)
            stored = restamp(rec, self._version(), len(log), current.key)
            self._flows[rec.id] = stored

            def undo() -> None:
                self._flows[rec.id] = current
                del log[current.nsteps :]

            self.db.on_rollback(undo)
            return stored

    def due(self, now: float, limit: int | None = None) -> list[tuple[int, int]]:
        hits = sorted(
            (r.due, i, r.version)
            for i, r in self._flows.items()
            if r.due is not None and r.due <= now and r.status == SUSPENDED
        )
        return [(i, v) for _, i, v in hits[:limit]]

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

    def _page(self, q: PageQuery) -> list[FlowRecord]:
        out = [r for i, r in sorted(self._flows.items()) if i > q.after and q.matches(r)]
        end = None if q.limit is None else q.offset + q.limit
        return out[q.offset : end]

    def next_id(self) -> int:
        return self._next

    def stamp(self) -> int:
        return self._stamp + 1

    def store_id(self) -> str:
        return self._id

    def replace_all(
        self, flows: Iterable[tuple[FlowRecord, list[Step]]], next_id: int
    ) -> list[FlowRecord]:
        flows = list(flows)
        check_replacement(flows, next_id, self.db.name)
        with self.db.transaction():
            before = self._state()
            new_flows: dict[int, FlowRecord] = {}
            new_steps: dict[int, list[Step]] = {}
            for rec, steps in flows:
                new_flows[rec.id] = replace(rec, nsteps=len(steps), version=self._version())
                new_steps[rec.id] = list(steps)
            keys: dict[str, int] = {}
            by_args: dict[tuple[str, str], list[int]] = {}
            for i in sorted(new_flows):
                rec = new_flows[i]
                if rec.key is not None:
                    if rec.key in keys:
                        raise FlowKeyTakenError(rec.key, keys[rec.key])
                    keys[rec.key] = rec.id
                by_args.setdefault((rec.flow, dumps(rec.args)), []).append(rec.id)
            top = max([next_id, self._next, *[i + 1 for i in new_flows]])
            self._restore((new_flows, new_steps, keys, by_args, top))
            self.db.on_rollback(lambda: self._restore(before))
            return [new_flows[i] for i in sorted(new_flows)]

    def clear(self) -> None:
        with self.db.transaction():
            before = self._state()
            self._restore(({}, {}, {}, {}, self._next))
            self.db.on_rollback(lambda: self._restore(before))
