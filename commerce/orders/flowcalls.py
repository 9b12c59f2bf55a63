"""Calling the flow host from a service: flow errors become commerce errors, and work that
raced another worker is tried again."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flowhost import Failed, FlowConflictError, FlowError, FlowHost, FlowRecord, HandlerError

from ..errors import CommerceError, ConflictError, FlowServiceError

T = TypeVar("T")

ATTEMPTS = 8  # a conflict that survives this many tries is reported to the caller


def handler_failure(e: HandlerError) -> CommerceError | None:
    """What a request handler's failure means to a service: the commerce error it raised
    (a stock shortage, the ledger's conflict) as itself, the flow store's conflict it met
    (another worker holds what it needed) as a ConflictError; None when the handler failed
    some other way (a defect in it, reported as a flow failure). Raise it with
    `raise failure from failure.__cause__`: its own cause (the conflict it stands for),
    never the HandlerError, whose cause it is."""
    cause = e.__cause__
    if isinstance(cause, CommerceError):
        return cause
    if isinstance(cause, FlowConflictError):
        conflict = ConflictError(f"flow {e.flow_id} ({e.kind}): {cause}")
        conflict.__cause__ = cause
        return conflict
    return None


def run_flow_step(what: str, step: Callable[[], Any]) -> Any:
    """step() (a FlowHost call); a FlowError, or a flow that fails, is a FlowServiceError
    naming `what` ("order flow", "refund flow"); a conflict is a ConflictError; a
    commerce error raised by a handler (a stock shortage) comes out as itself."""
    try:
        result = step()
    except HandlerError as e:
        failure = handler_failure(e)
        if failure is None:
            raise FlowServiceError(f"{what}: {e}") from e
        raise failure from failure.__cause__
    except FlowConflictError as e:
        raise ConflictError(f"{what}: {e}") from e
    except FlowError as e:
        raise FlowServiceError(f"{what}: {e}") from e
    for r in result if isinstance(result, list) else [result]:
        if isinstance(r, Failed):
            raise FlowServiceError(f"{what} {r.id} failed: {r.message}")
    return result


def retrying(work: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """work(), again after a short random pause while it raises ConflictError or the flow
    host's FlowConflictError (each try is one transaction that changed nothing when it
    conflicted); after the last try the conflict is a ConflictError."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except (ConflictError, FlowConflictError) as e:
            # a FlowConflictError here came from a plain store read (a busy database)
            if attempt == attempts:
                if isinstance(e, ConflictError):
                    raise
                raise ConflictError(str(e)) from e
            time.sleep(random.uniform(0, 0.002 * 2**attempt))
    raise AssertionError("unreachable")


def waiting_kind(host: FlowHost, flow_id: int, rec: FlowRecord | None = None) -> str | None:
    """The request kind a flow waits on, or None when it is not suspended."""
    rec = rec if rec is not None else host.record(flow_id)
    return rec.pending.kind if rec.status == "suspended" and rec.pending else None
