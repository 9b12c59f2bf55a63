"""Text and JSON views of flows, shared by the command line and the REPL."""

from __future__ import annotations

from collections.abc import Callable

from .data import show, to_json
from .exchange import flow_to_json
from .records import (
    CANCELLED,
    DONE,
    FAILED,
    SUSPENDED,
    Cancelled,
    Done,
    FlowRecord,
    Result,
    Step,
    Suspended,
)


def waiting_on(rec: FlowRecord) -> str:
    """`(payment "o1")` for a suspended flow, '' otherwise."""
    if rec.status == SUSPENDED and rec.pending is not None:
        return f"({rec.pending.kind} {show(rec.pending.payload)})"
    return ""


def list_table(records: list[FlowRecord], paint: Callable[[str, str], str] | None = None) -> str:
    """One line per flow: id, flow, status, what it waits on, log length.

    paint(cell, status) may colour each (padded) status cell."""
    if not records:
        return "no flows"
    rows = [("id", "flow", "status", "waiting on", "steps")]
    rows += [(str(r.id), r.flow, r.status, waiting_on(r), str(r.nsteps)) for r in records]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]

    def cell_text(n: int, i: int, cell: str, w: int) -> str:
        text = cell.ljust(w) if i < 4 else cell.rjust(w)
        return paint(text, cell) if paint is not None and i == 2 and n > 0 else text

    return "\n".join(
        "  ".join(cell_text(n, i, cell, w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
        for n, row in enumerate(rows)
    )


def list_json(records: list[FlowRecord]) -> list[dict]:
    return [
        {
            "id": r.id,
            "flow": r.flow,
            "status": r.status,
            "waiting_on": None
            if r.pending is None or r.status != SUSPENDED
            else {"kind": r.pending.kind, "payload": to_json(r.pending.payload)},
            "steps": r.nsteps,
        }
        for r in records
    ]


def state_text(rec: FlowRecord) -> str:
    """The flow's current state in words."""
    if rec.status == SUSPENDED:
        return f"suspended, waiting on {waiting_on(rec)}"
    if rec.status == DONE:
        return f"done, result {show(rec.result)}"
    if rec.status == FAILED:
        return f"failed: {rec.error}" + (f" (at {rec.where})" if rec.where else "")
    return rec.status


def show_text(rec: FlowRecord, steps: list[Step]) -> str:
    """A flow's arguments, every step and its current state."""
    lines = [
        f"flow {rec.id}: {rec.flow}",
        f"arguments: {' '.join(show(a) for a in rec.args) or '(none)'}",
        f"source:    {rec.source_hash}",
        "steps:" if steps else "steps:     (none yet)",
    ]
    for i, s in enumerate(steps, 1):
        lines.append(f"  {i:>3}. ({s.kind} {show(s.payload)}) -> {show(s.value)}")
    lines.append(f"state:     {state_text(rec)}")
    return "\n".join(lines)


def show_json(rec: FlowRecord, steps: list[Step]) -> dict:
    """A flow as JSON: the same object the export holds for it."""
    return flow_to_json(rec, steps)


def result_text(r: Result) -> str:
    """`flow 3 suspended on (payment "o3")`, `flow 3 done: fulfilled`, ..."""
    if isinstance(r, Suspended):
        return f"flow {r.id} suspended on ({r.kind} {show(r.payload)})"
    if isinstance(r, Done):
        return f"flow {r.id} done: {show(r.result)}"
    if isinstance(r, Cancelled):
        return f"flow {r.id} cancelled" + ("" if r.result is None else f": {show(r.result)}")
    where = f" (at {r.where})" if getattr(r, "where", None) else ""
    return f"flow {r.id} failed: {r.message}{where}"  # type: ignore[union-attr]


def result_json(r: Result) -> dict:
    """A start/resume result as JSON: id, status and what the status carries."""
    if isinstance(r, Suspended):
        return {"id": r.id, "status": SUSPENDED, "kind": r.kind, "payload": to_json(r.payload)}
    if isinstance(r, Done):
        return {"id": r.id, "status": DONE, "result": to_json(r.result)}
    if isinstance(r, Cancelled):
        out = {"id": r.id, "status": CANCELLED}
        return out if r.result is None else {**out, "result": to_json(r.result)}
    return {"id": r.id, "status": FAILED, "error": r.message, "where": r.where}
