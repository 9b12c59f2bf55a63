"""Calling the flow host from a service: flow errors become commerce errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowhost import Failed, FlowError, FlowHost

from ..errors import FlowServiceError


def run_flow_step(what: str, step: Callable[[], Any]) -> Any:
    """step() (a FlowHost call); a FlowError, or a flow that fails, is a FlowServiceError
    naming `what` ("order flow", "refund flow")."""
    try:
        result = step()
    except FlowError as e:
        raise FlowServiceError(f"{what}: {e}") from e
    for r in result if isinstance(result, list) else [result]:
        if isinstance(r, Failed):
            raise FlowServiceError(f"{what} {r.id} failed: {r.message}")
    return result


def waiting_kind(host: FlowHost, flow_id: int) -> str | None:
    """The request kind a flow waits on, or None when it is not suspended."""
    rec = host.record(flow_id)
    return rec.pending.kind if rec.status == "suspended" and rec.pending else None
