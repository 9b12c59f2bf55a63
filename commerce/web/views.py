"""What the console shows and does, computed on the engine thread.

Each function takes (engine, log, ...) as Backend.call passes them, and returns plain
dicts and lists for the templates; nothing here knows about HTTP.
"""

from __future__ import annotations

import dataclasses
import re
import time
from typing import Any

from flowhost.data import show
from flowhost.views import state_text

from ..errors import InvalidFieldError
from ..ledger.projections import STATUSES, summaries
from ..orders.engine import Engine
from ..orders.refunds import REFUND_FLOW
from .eventlog import EventLog

__all__ = ["STATUSES", "order_rows", "order_detail", "suspended_flows", "recent_events"]


def when(at: int) -> str:
    """A Unix time as UTC text."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(at))


def order_rows(engine: Engine, log: EventLog, status: str | None) -> list[dict[str, Any]]:
    """One row per order (with `status` only, when given), by order id."""
    rows = []
    for s in summaries(engine.ledger):
        if status and s.status != status:
            continue
        rows.append(
            {
                "s": s,
                "waiting_on": engine.orders.waiting_on(s.order),
                "updated": when(s.updated_at),
            }
        )
    return rows


def _event_fields(event: Any) -> str:
    fields = []
    for f in dataclasses.fields(event):
        if f.name in ("at", "lines", "order"):
            continue
        fields.append(f"{f.name}={getattr(event, f.name)}")
    return " ".join(fields)


def _timeline(engine: Engine, flow_id: int) -> dict[str, Any]:
    rec = engine.flows.record(flow_id)
    steps = [
        {"n": i, "kind": st.kind, "payload": show(st.payload), "value": show(st.value)}
        for i, st in enumerate(engine.flows.steps(flow_id), 1)
    ]
    return {"id": flow_id, "flow": rec.flow, "status": rec.status, "state": state_text(rec)} | {
        "steps": steps,
        "waiting": rec.pending.kind if rec.status == "suspended" and rec.pending else None,
    }


def order_detail(engine: Engine, log: EventLog, order: str) -> dict[str, Any]:
    """The order's summary, ledger events, flow timelines, refunds and webhook events."""
    s = engine.orders.summary(order)  # UnknownOrderError for a missing order
    events = [
        {
            "version": r.version,
            "type": r.event.type,
            "at": when(r.event.at),
            "fields": _event_fields(r.event),
        }
        for r in engine.ledger.read(order)
    ]
    flows = []
    flow_id = engine.orders.flow_of(order)
    if flow_id is not None:
        flows.append(_timeline(engine, flow_id))
    refunds = []
    for r in s.refunds:
        ids = engine.flows.find(REFUND_FLOW, [order, r.refund])
        state = engine.refunds.state(order, r.refund, ids[0] if ids else None)
        refunds.append({"view": r, "stage": state.stage, "waiting": state.waiting_on})
        if ids:
            flows.append(_timeline(engine, ids[0]))
    return {"s": s, "events": events, "flows": flows, "refunds": refunds} | {
        "waiting_on": engine.orders.waiting_on(order),
        "webhooks": log.recent(20, order),
    }


def suspended_flows(engine: Engine, log: EventLog) -> list[dict[str, Any]]:
    """Every suspended flow: id, name, arguments, what it waits on, steps so far."""
    out = []
    for r in engine.flows.requests():
        rec = engine.flows.record(r.id)
        args = rec.args[0] if len(rec.args) == 1 else rec.args
        order = args if isinstance(args, str) else args[0] if args else None
        out.append(
            {"id": r.id, "flow": rec.flow, "args": " ".join(show(a) for a in rec.args)}
            | {"kind": r.kind, "payload": show(r.payload), "steps": rec.nsteps, "order": order}
        )
    return out


def recent_events(engine: Engine, log: EventLog) -> list[Any]:
    """The latest processed webhook events."""
    return log.recent(100)


def _refund_amount(form: Any) -> int:
    text = str(form.get("amount", "")).strip()
    # ASCII digits only (str.isdigit takes "²"), and few enough to parse; the range is
    # require_amount's, checked by refunds.request
    if not re.fullmatch(r"[0-9]{1,19}", text) or int(text) <= 0:
        shown = text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"
        raise InvalidFieldError(
            f"amount: expected a positive whole number of minor units, got {shown!r}"
        )
    return int(text)


def request_refund(engine: Engine, log: EventLog, order: str, params: Any, form: Any) -> str:
    """Request a refund from the form's refund id and amount."""
    refund = str(form.get("refund", "")).strip()
    r = engine.refunds.request(order, refund, _refund_amount(form))
    return f"refund {r.refund} of {r.amount} requested; it waits for approval"


def approve_refund(engine: Engine, log: EventLog, order: str, params: Any, form: Any) -> str:
    """Approve the refund named in the path."""
    r = engine.refunds.approve(order, params["refund"])
    return f"refund {r.refund} approved; waiting for the provider to settle it"


def reject_refund(engine: Engine, log: EventLog, order: str, params: Any, form: Any) -> str:
    """Reject the refund named in the path."""
    r = engine.refunds.reject(order, params["refund"])
    return f"refund {r.refund} rejected"
