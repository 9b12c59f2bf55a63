"""The order ledger: one append-only event stream per order, behind a small store interface.

A stream is named by its order id and begins with that order's `OrderCreated`. Appends are
optimistic and idempotent at once:

- `append(stream, events, expected_version=v)` writes all of `events` in one step, or
  nothing. If the stream is no longer at version `v` (another writer got there first) it
  raises LedgerConflictError; the caller re-reads and decides again. `expected_version=None`
  skips that check (append at the end, whatever it is).
- Every event has an idempotency key (`Event.key`): a payment's ref, a refund's id, the
  order's lifecycle step. An event whose key is already recorded with the same fields (on
  the same stream, ignoring `at`) is not written again: the result reports it under
  `already`, with the event as first recorded, and this holds whatever the expected version.
  The same key with different fields raises IdempotencyConflictError. Either error leaves
  the ledger unchanged.

`append_once(stream, event)` is the one-event form the services use: a replayed webhook
gets `result.already_recorded` instead of a second payment. Versions count a stream's
events from 1 (0: no stream); `position` counts every event in the ledger from 1.

`MemoryLedger` is here; `SQLiteLedger` and `PostgresLedger` share one implementation in
`sql`. Every store decides with `plan_append`, so they agree by construction, and one
contract suite (tests/commerce/test_ledger.py) runs against all three.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from types import TracebackType
from typing import Any, Self

from flowhost.db import Database, MemoryDatabase

from ..errors import (
    IdempotencyConflictError,
    InvalidEventError,
    InvalidStreamError,
    LedgerConflictError,
    UnknownOrderError,
)
from ..money import is_int, require_text
from .events import Event, OrderCreated, payment_key
from .projections import OrderSummary, apply, summarize, summary_text


@dataclass(frozen=True, slots=True)
class Recorded:
    """An event as the ledger holds it: its stream, version in the stream, global position."""

    stream: str
    version: int
    position: int
    key: str
    event: Event


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What an append did: the events it wrote, the ones already recorded, the new version,
    and the stream's summary after it (as the append's transaction sees it; None when the
    store did not fold it, e.g. nothing was written and the row was not read)."""

    stream: str
    version: int
    recorded: tuple[Recorded, ...]
    already: tuple[Recorded, ...]
    summary: OrderSummary | None = None

    @property
    def already_recorded(self) -> bool:
        """True when nothing was written because every event was already recorded."""
        return not self.recorded and bool(self.already)


@dataclass(frozen=True, slots=True)
class AppendPlan:
    """The events an append must write (with their keys), and those already recorded."""

    new: tuple[tuple[str, Event], ...]
    already: tuple[Recorded, ...]


Lookup = Callable[[str], Recorded | None]


def plan_append(
    stream: str,
    events: Sequence[Event],
    *,
    expected_version: int | None,
    current_version: int,
    lookup: Lookup,
) -> AppendPlan:
    """Check an append against the ledger as it is (`current_version`, `lookup` by key).

    Raises IdempotencyConflictError, LedgerConflictError or InvalidStreamError; every
    implementation calls this inside its own atomic step, so they all behave alike.
    """
    require_text(stream, "stream")
    if expected_version is not None and (not is_int(expected_version) or expected_version < 0):
        raise InvalidEventError(f"expected_version must be an int >= 0, got {expected_version!r}")
    if isinstance(events, Event) or not events:
        raise InvalidEventError("append needs a non-empty sequence of events")
    new: list[tuple[str, Event]] = []
    already: list[Recorded] = []
    pending: dict[str, Event] = {}
    for event in events:
        if not isinstance(event, Event) or type(event) is Event:
            raise InvalidEventError(f"not a ledger event: {event!r}")
        key = event.key(stream)
        seen = lookup(key)
        if seen is not None:
            if seen.stream != stream or not seen.event.same_fact(event):
                raise IdempotencyConflictError(
                    f"{event.type} on {stream!r}: key {key} is already recorded with "
                    f"different fields ({_differences(seen, stream, event)}); "
                    f"nothing was appended"
                )
            already.append(seen)
        elif key in pending:
            if not pending[key].same_fact(event):
                raise IdempotencyConflictError(
                    f"one append holds two different events under key {key}; nothing was appended"
                )
        else:
            pending[key] = event
            new.append((key, event))
    if new:
        if expected_version is not None and expected_version != current_version:
            raise LedgerConflictError(
                f"stream {stream!r} is at version {current_version}, the writer expected "
                f"{expected_version}; nothing was appended (re-read and retry)"
            )
        _check_shape(stream, [e for _, e in new], current_version)
    return AppendPlan(tuple(new), tuple(already))


def _differences(seen: Recorded, stream: str, event: Event) -> str:
    """`amount 2510, now 2511`: how `event` on `stream` differs from the recorded one."""
    if type(seen.event) is not type(event):
        return f"recorded as {seen.event.type}, now {event.type}"
    parts = [f"order {seen.stream!r}, now {stream!r}"] if seen.stream != stream else []
    for f in fields(event):
        old, new = getattr(seen.event, f.name), getattr(event, f.name)
        if f.name != "at" and old != new:
            parts.append(f"{f.name} {_show(old)}, now {_show(new)}")
    return "; ".join(parts)


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return json.dumps([v.to_json() if hasattr(v, "to_json") else v for v in value])
    return repr(value)


def _check_shape(stream: str, events: list[Event], version: int) -> None:
    """A stream starts with its own OrderCreated, and holds exactly one."""
    for i, event in enumerate(events, start=version + 1):
        if isinstance(event, OrderCreated):
            if i != 1:
                raise InvalidStreamError(
                    f"order-created can only begin a stream; {stream!r} already has events"
                )
            if event.order != stream:
                raise InvalidStreamError(
                    f"order-created for order {event.order!r} appended to stream {stream!r}"
                )
        elif i == 1:
            raise UnknownOrderError(
                f"no order {stream!r} in the ledger: its stream must begin with order-created, "
                f"got {event.type}"
            )


def by_stream(recorded: Iterable[Recorded]) -> Iterator[tuple[str, tuple[Recorded, ...]]]:
    """(stream, its events) for events that come ordered by stream, then version: what
    the SQL ledgers' read_all makes of one ordered query."""
    group: list[Recorded] = []
    for rec in recorded:
        if group and group[0].stream != rec.stream:
            yield group[0].stream, tuple(group)
            group = []
        group.append(rec)
    if group:
        yield group[0].stream, tuple(group)


def page_summaries(
    rows: Iterable[OrderSummary],
    *,
    status: str | None,
    recon: str | None,
    after: str | None,
    limit: int | None,
) -> list[OrderSummary]:
    """The page of summaries (sorted by order id) that Ledger.summaries's filters select."""
    out: list[OrderSummary] = []
    for s in rows:
        if limit is not None and len(out) >= limit:
            break
        if (
            (status is None or s.status == status)
            and (recon is None or s.recon == recon)
            and (after is None or s.order > after)
        ):
            out.append(s)
    return out


def summary_row(stream: str, s: OrderSummary) -> tuple:
    """The SQL ledgers' summary row of `s`: stream, status, recon, total, paid, refunded
    (the columns filters and reconciliation read) and the whole summary as text."""
    return (stream, s.status, s.recon, s.total, s.paid, s.refunded, summary_text(s))


def summary_where(mark: str, **filters: Any) -> tuple[str, list]:
    """The WHERE clause (with `mark` as the placeholder) and arguments of Ledger.summaries's
    filters, for the SQL ledgers' summary rows: status, recon, after."""
    where, args = ["TRUE"], []
    for column, op in (("status", "="), ("recon", "="), ("after", ">")):
        if filters.get(column) is not None:
            where.append(f"{'stream' if column == 'after' else column} {op} {mark}")
            args.append(filters[column])
    return " AND ".join(where), args


def key_prefix(kind: str) -> str:
    """How every idempotency key (kind, ...) begins (keys are JSON arrays: events._key)."""
    return json.dumps([kind], separators=(",", ":"))[:-1] + ","


class Ledger(ABC):
    """The ledger store: optimistic, idempotent appends; streams read whole.

    It lives in a `Database` that it may share with the flow store and the stock, so an
    append made inside `db.transaction()` commits with the flow step around it."""

    db: Database

    def transaction(self) -> Any:
        """The database's unit of work."""
        return self.db.transaction()

    @abstractmethod
    def append(
        self, stream: str, events: Sequence[Event], *, expected_version: int | None
    ) -> AppendResult:
        """Append `events` to `stream` atomically if it is at `expected_version` (None: any)."""

    def append_once(
        self, stream: str, event: Event, *, expected_version: int | None = None
    ) -> AppendResult:
        """Append one event unless its key is recorded: `result.already_recorded` says which."""
        return self.append(stream, [event], expected_version=expected_version)

    @abstractmethod
    def version(self, stream: str) -> int:
        """The number of events in `stream` (0 for a stream that does not exist)."""

    @abstractmethod
    def read(self, stream: str) -> tuple[Recorded, ...]:
        """Every event of `stream` in order; UnknownOrderError if there is no such stream."""

    @abstractmethod
    def find(self, key: str) -> Recorded | None:
        """The event recorded under idempotency key `key`, if any."""

    def streams_keyed(self, kind: str) -> list[str]:
        """The streams holding an event whose idempotency key is (kind, ...), sorted: a
        lookup on the key index in the SQL stores, so a rare event type is found without
        reading every event. (This default reads them all.)"""
        prefix = key_prefix(kind)
        return sorted(
            {r.stream for _, recs in self.read_all() for r in recs if r.key.startswith(prefix)}
        )

    @abstractmethod
    def streams(self) -> list[str]:
        """Every stream (order id), sorted."""

    @abstractmethod
    def read_all(self) -> Iterator[tuple[str, tuple[Recorded, ...]]]:
        """(stream, its events) for every stream, streams sorted: one pass for projections."""

    def has_events(self) -> bool:
        """True when anything was ever appended."""
        return bool(self.streams())

    def summary(self, stream: str) -> OrderSummary:
        """What the books say about one order (UnknownOrderError if there is no stream).
        The stores keep it as a row updated with each append; this fold is the reference."""
        return summarize(self.events(stream))

    def recon_rows(self) -> Iterator[tuple[str, str, int, int, int, Any, str]]:
        """(order, recon, total, paid, refunded, its summary or summary_text, its status)
        for every order, sorted by id: what recon.reconcile_rows builds its facts from."""
        for s in self.summaries():
            yield s.order, s.recon, s.total, s.paid, s.refunded, s, s.status

    def summaries(
        self,
        status: str | None = None,
        *,
        recon: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[OrderSummary]:
        """Every order's summary, sorted by order id: only those with `status` / `recon`,
        with an id after `after`, at most `limit` (the SQL ledgers page in the database)."""
        out = (summarize([r.event for r in recs]) for _, recs in self.read_all())
        return page_summaries(out, status=status, recon=recon, after=after, limit=limit)

    def events(self, stream: str) -> tuple[Event, ...]:
        """The events of `stream`, without their envelopes."""
        return tuple(r.event for r in self.read(stream))

    def exists(self, stream: str) -> bool:
        """True when `stream` has been created."""
        return self.version(stream) > 0

    def find_payment(self, ref: str) -> Recorded | None:
        """The payment recorded under provider ref `ref`, on whichever order, if any."""
        return self.find(payment_key(ref))

    def close(self) -> None:  # noqa: B027 -- optional hook
        """Release the store's resources."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        et: type[BaseException] | None,
        e: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class MemoryLedger(Ledger):
    """A ledger in memory, for tests and benchmarks; safe to share between threads. On a
    MemoryDatabase shared with a MemoryStore, a rolled-back step undoes its appends."""

    def __init__(self, db: MemoryDatabase | None = None) -> None:
        self.db = db if db is not None else MemoryDatabase()
        self._streams: dict[str, list[Recorded]] = {}
        self._keys: dict[str, Recorded] = {}
        self._summaries: dict[str, OrderSummary] = {}  # kept with each append
        self._position = 0

    def append(
        self, stream: str, events: Sequence[Event], *, expected_version: int | None
    ) -> AppendResult:
        with self.db.transaction():
            log = self._streams.get(stream, [])
            plan = plan_append(
                stream,
                events,
                expected_version=expected_version,
                current_version=len(log),
                lookup=self._keys.get,
            )
            written = []
            for key, event in plan.new:
                self._position += 1
                rec = Recorded(stream, len(log) + 1, self._position, key, event)
                log.append(rec)
                self._keys[key] = rec
                written.append(rec)
            if written:
                self._streams[stream] = log
                before = self._summaries.get(stream)
                self._summaries[stream] = apply(before, [r.event for r in written])

                def undo() -> None:
                    del log[len(log) - len(written) :]
                    for rec in written:
                        del self._keys[rec.key]
                    if before is None:
                        self._summaries.pop(stream, None)
                    else:
                        self._summaries[stream] = before
                    if not log:
                        self._streams.pop(stream, None)

                assert isinstance(self.db, MemoryDatabase)
                self.db.on_rollback(undo)
            summary = self._summaries.get(stream)
            return AppendResult(stream, len(log), tuple(written), plan.already, summary)

    def version(self, stream: str) -> int:
        return len(self._streams.get(stream, ()))

    def read(self, stream: str) -> tuple[Recorded, ...]:
        log = self._streams.get(stream)
        if not log:
            raise UnknownOrderError(f"no order {stream!r} in the ledger")
        return tuple(log)

    def find(self, key: str) -> Recorded | None:
        return self._keys.get(key)

    def streams(self) -> list[str]:
        return sorted(self._streams)

    def read_all(self) -> Iterator[tuple[str, tuple[Recorded, ...]]]:
        for stream in self.streams():
            yield stream, tuple(self._streams[stream])

    def summary(self, stream: str) -> OrderSummary:
        found = self._summaries.get(stream)
        if found is None:
            raise UnknownOrderError(f"no order {stream!r} in the ledger")
        return found

    def summaries(
        self,
        status: str | None = None,
        *,
        recon: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[OrderSummary]:
        rows = (self._summaries[k] for k in sorted(self._summaries))
        return page_summaries(rows, status=status, recon=recon, after=after, limit=limit)
