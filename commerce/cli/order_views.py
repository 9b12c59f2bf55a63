"""Text for `commerce orders show` and `commerce orders refunds`, and the demo's ledger.

Times are ISO-8601 in UTC; a stock reservation lists the items it holds; values are
written as JSON would write them (lists, no Python `None` or quotes).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ..ledger.projections import OrderSummary
from ..orders.engine import Engine
from .views import table


def iso(at: int) -> str:
    """Unix time `at` as ISO-8601 UTC: 2026-01-01T00:00:01Z."""
    return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")


def item_text(line: dict[str, Any]) -> str:
    """`MUG/gold x2` for a reserved or ordered line."""
    name = line["sku"] if line.get("variant") is None else f"{line['sku']}/{line['variant']}"
    return f"{name} x{line['qty']}"


def _value(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v)


def event_detail(data: dict[str, Any], keys: tuple[str, ...] | None = None) -> str:
    """An event's fields as `k=v` pairs (all but type, at and lines, or just `keys`), with
    the items of its lines when it has any; fields with no value are left out."""
    parts = [
        f"{k}={_value(v)}"
        for k, v in data.items()
        if k not in ("type", "at", "lines") and v is not None and (keys is None or k in keys)
    ]
    if data.get("lines") and (keys is None or data["type"] == "stock-reserved"):
        parts.append("items=" + ", ".join(item_text(ln) for ln in data["lines"]))
    return " ".join(parts)


def event_line(version: int, data: dict[str, Any], keys: tuple[str, ...] | None = None) -> str:
    """One ledger event: version, type, ISO time and its details."""
    detail = event_detail(data, keys)
    return f"{version:>3}  {data['type']:<17} at {iso(data['at'])}  {detail}".rstrip()


def show_text(engine: Engine, s: OrderSummary) -> str:
    """An order: totals, books, its flow, its refunds and every ledger event."""
    lines = [
        f"order {s.order} ({s.currency})",
        f"status:  {s.status}",
        f"totals:  subtotal {s.subtotal}, discount {s.discount}, tax {s.tax}, "
        f"total {s.total}" + (f" (codes {', '.join(s.codes)})" if s.codes else ""),
        f"books:   paid {s.paid}, refunded {s.refunded}, net {s.net} -> {s.recon}",
    ]
    flow_id = engine.orders.flow_of(s.order)
    if flow_id is not None:
        waiting = engine.orders.waiting_on(s.order) or ""
        lines.append(
            f"flow:    {flow_id} {engine.flows.status(flow_id)}"
            + (f", waiting on {waiting}" if waiting else "")
        )
    if s.refunds:
        lines.append("refunds:")
        rows: list[list[object]] = [["refund", "requested", "settled", "stage", "waiting on"]]
        for r in s.refunds:
            state = engine.refunds.state(s.order, r.refund)
            rows.append([r.refund, r.requested, r.settled, state.stage, state.waiting_on or ""])
        lines += table(rows, indent="  ")
    else:
        lines.append("refunds: none")
    lines.append("events:")
    for rec in engine.ledger.read(s.order):
        lines.append("  " + event_line(rec.version, rec.event.to_json()))
    return "\n".join(lines)


def refund_rows(engine: Engine, summaries: list[OrderSummary], pending: bool) -> list[dict]:
    """Every refund (only those still open when pending) with its stage, as JSON objects."""
    out = []
    for s in summaries:
        for r in s.refunds:
            state = engine.refunds.state(s.order, r.refund)
            if pending and state.waiting_on is None:
                continue
            out.append(
                {
                    "order": s.order,
                    "refund": r.refund,
                    "requested": r.requested,
                    "settled": r.settled,
                    "stage": state.stage,
                    "waiting_on": state.waiting_on,
                }
            )
    return out


def refunds_text(rows: list[dict], pending: bool) -> str:
    """The refunds as a table."""
    if not rows:
        return "no pending refunds" if pending else "no refunds"
    head: list[object] = ["order", "refund", "requested", "settled", "stage", "waiting on"]
    body = [
        [r["order"], r["refund"], r["requested"], r["settled"], r["stage"], r["waiting_on"] or ""]
        for r in rows
    ]
    return "\n".join(table([head, *body], indent=""))
