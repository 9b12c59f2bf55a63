"""The flow store's plain records, and the results the host API returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SUSPENDED, DONE, FAILED, CANCELLED = "suspended", "done", "failed", "cancelled"
STATUSES = (SUSPENDED, DONE, FAILED, CANCELLED)


@dataclass(frozen=True, slots=True)
class Step:
    """One request the flow made and the value it was resumed with."""

    kind: str
    payload: Any
    value: Any
    # None: the request was answered with `value`; "timeout": its deadline passed (value is
    # the deadline); "cancel": the flow was cancelled while waiting on it.
    event: str | None = None


TIMEOUT, CANCEL = "timeout", "cancel"
EVENTS = (TIMEOUT, CANCEL)
PATCH_KIND = "flow/patched"  # a (flow/patched? NAME) marker in the log: payload NAME
SLEEP_KIND = "flow/sleep"  # what (flow/sleep SECONDS) waits on: payload SECONDS
RESERVED_KINDS = (PATCH_KIND, SLEEP_KIND)


@dataclass(frozen=True, slots=True)
class Pending:
    """The request a suspended flow is waiting on."""

    kind: str
    payload: Any


@dataclass(frozen=True, slots=True)
class FlowRecord:
    """Everything a restart needs about one flow instance (its steps are stored apart).

    `version` is a stamp given at each committed change; an update names the version it
    read, so two writers cannot both win. `key`, when set, is unique in the store.
    """

    id: int
    flow: str
    args: list
    status: str
    pending: Pending | None = None
    result: Any = None
    error: str | None = None
    where: str | None = None
    source_hash: str = ""
    version: int = 0
    nsteps: int = 0
    key: str | None = None  # unique in the store when given (e.g. the order id)
    created: float = 0.0  # host clock, seconds
    updated: float = 0.0
    due: float | None = None  # host clock: when the pending request times out (a timer)


def restamp(
    rec: FlowRecord, version: int, nsteps: int, key: str | None, created: float | None = None
) -> FlowRecord:
    """rec as a store stored it: its version, step count, key (and creation time); a
    store's hot path, so without dataclasses.replace."""
    return FlowRecord(
        rec.id,
        rec.flow,
        rec.args,
        rec.status,
        rec.pending,
        rec.result,
        rec.error,
        rec.where,
        rec.source_hash,
        version,
        nsteps,
        key,
        rec.created if created is None else created,
        rec.updated,
        rec.due,
    )


@dataclass(frozen=True, slots=True)
class Suspended:
    """The flow is waiting on a request: `kind` (a name) with `payload`."""

    id: int
    kind: str
    payload: Any


@dataclass(frozen=True, slots=True)
class Done:
    """The flow returned `result`."""

    id: int
    result: Any


@dataclass(frozen=True, slots=True)
class Failed:
    """The flow raised an error: its message and where (file:line:col) it happened."""

    id: int
    message: str
    where: str | None = None


@dataclass(frozen=True, slots=True)
class Cancelled:
    """The flow was cancelled: `result` is what it returned after handling the
    cancellation (None when it let the condition end it, or was terminated)."""

    id: int
    result: Any = None


Result = Suspended | Done | Failed | Cancelled


def result_of(rec: FlowRecord) -> Result:
    """The API result that describes a record's current state."""
    if rec.status == SUSPENDED and rec.pending is not None:
        return Suspended(rec.id, rec.pending.kind, rec.pending.payload)
    if rec.status == DONE:
        return Done(rec.id, rec.result)
    if rec.status == CANCELLED:
        return Cancelled(rec.id, rec.result)
    return Failed(rec.id, rec.error or rec.status, rec.where)
