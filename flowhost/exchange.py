"""The export format: the whole flow store as plain data, and its validation on import.

Two views of one format (docs/flow-store-format.md):
- JSON (FlowHost.export / import_): {"format": "commerce-flows/flow-store",
  "version": 2, "next_id": N, "store": ID, "stamp": S, "flows": [{"id", "flow",
  "status", "args", "steps", "pending", "result", "error", "where", "source_hash",
  "key", "created", "updated"}, ...]} with plain values in the JSON encoding of data.py
  (version 1, without store, stamp, key, created and updated, and version 2, without
  a flow's "due" and a step's "event", are still read);
- a Scheme datum (flow-store-export / flow-store-import!): the same fields as
  association lists keyed by symbols, with the values as ordinary Scheme data.
Import checks everything and names the first bad spot (`flows[2].steps[0].kind: ...`);
it never half-applies (the host replays every suspended flow before it replaces the store).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from json.encoder import encode_basestring as _quote  # the C quoting json.dumps uses
from typing import Any, TextIO

from scheme import FALSE, NIL, Pair, Symbol, Vector, list_from

from .data import brief, from_json, to_json, to_python, to_scheme
from .errors import ExportFormatError, PlainDataError
from .records import (
    CANCELLED,
    DONE,
    EVENTS,
    FAILED,
    STATUSES,
    SUSPENDED,
    FlowRecord,
    Pending,
    Step,
)
from .strictjson import JSONTextError, has_surrogate, strict_loads

FORMAT = "commerce-flows/flow-store"
VERSION = 3


def version_for(flows: Flows) -> int:
    """The version an export is written as: 3 only when it holds a deadline or a step
    event, so a store that uses no timers stays readable by hosts that read 2."""
    new = any(r.due is not None or any(s.event for s in st) for r, st in flows)
    return VERSION if new else 2


READS = (1, 2, 3)

# Ids, next_id and stamps are SQL BIGINTs in every store: 1 .. 2**63 - 1.
MAX_ID = 2**63 - 1

Flows = list[tuple[FlowRecord, list[Step]]]


@dataclass(frozen=True, slots=True)
class Origin:
    """Which store an export was taken from, and that store's stamp at the time."""

    store: str
    stamp: int


# -- JSON ---------------------------------------------------------------------------------


def flow_to_json(rec: FlowRecord, steps: list[Step]) -> dict[str, Any]:
    """One flow as the export holds it (also what `flowhost show --json` prints)."""
    item: dict[str, Any] = {
        "id": rec.id,
        "flow": rec.flow,
        "status": rec.status,
        "args": to_json(rec.args),
        "steps": [_step_json(s) for s in steps],
        "pending": None
        if rec.pending is None
        else {"kind": rec.pending.kind, "payload": to_json(rec.pending.payload)},
        "source_hash": rec.source_hash,
    }
    if rec.key is not None:
        item["key"] = rec.key
    if rec.created:
        item["created"] = rec.created
    if rec.updated:
        item["updated"] = rec.updated
    if rec.due is not None:
        item["due"] = rec.due
    if rec.status in (DONE, CANCELLED) and (rec.status == DONE or rec.result is not None):
        item["result"] = to_json(rec.result)
    if rec.status == FAILED:
        item["error"] = rec.error
        item["where"] = rec.where
    return item


def flow_text(rec: FlowRecord, steps: list[Step]) -> str:
    """One flow as a line of the streamed export (JSON text of flow_to_json)."""
    return json.dumps(flow_to_json(rec, steps), ensure_ascii=False, allow_nan=False)


def raw_flow_text(row: tuple, steps: Iterable[tuple]) -> str:
    """flow_text from a stored row whose plain data is still the JSON text the store wrote
    (data.dumps: the export's own encoding), spliced in without decoding -- what makes a
    streamed export cost little more than reading the rows. `row` is in the SQL stores'
    column order (id, flow, args, status, pending, result, error, where, source_hash,
    version, nsteps, key, created, updated, due); each step is (kind, payload, value,
    event)."""
    q = _quote
    status = row[3]
    text = (
        f'{{"id":{row[0]},"flow":{q(row[1])},"status":{q(status)},"args":{row[2]},"steps":['
        + ",".join([_raw_step(*s) for s in steps])
        + f'],"pending":{"null" if row[4] is None else row[4]},"source_hash":{q(row[8])}'
    )
    if row[11] is not None:
        text += f',"key":{q(row[11])}'
    if row[12]:
        text += f',"created":{float(row[12])!r}'
    if row[13]:
        text += f',"updated":{float(row[13])!r}'
    if len(row) > 14 and row[14] is not None:
        text += f',"due":{float(row[14])!r}'
    if status == DONE:
        text += f',"result":{"null" if row[5] is None else row[5]}'
    elif status == FAILED:
        where = "null" if row[7] is None else q(row[7])
        text += f',"error":{q(row[6] or "")},"where":{where}'
    return text + "}"


def _raw_step(kind: str, payload: str, value: str, event: str | None = None) -> str:
    text = f'{{"kind":{_quote(kind)},"payload":{payload},"value":{value}'
    return text + ("}" if event is None else f',"event":{_quote(event)}}}')


def write_export(
    out: TextIO, next_id: int, origin: Origin | None, flow_texts: Iterable[str]
) -> int:
    """Write the export to out one flow per line, as flow_texts yields them (never the
    whole document in memory); returns how many flows were written."""
    head: dict[str, Any] = {"format": FORMAT, "version": VERSION, "next_id": next_id}
    if origin is not None:
        head["store"] = origin.store
        head["stamp"] = origin.stamp
    out.write(json.dumps(head)[:-1] + ', "flows": [')
    n, texts = 0, iter(flow_texts)
    while batch := list(islice(texts, 1000)):  # one write a thousand flows
        out.write(("\n" if not n else ",\n") + ",\n".join(batch))
        n += len(batch)
    out.write("\n]}\n")
    return n


def _step_json(s: Step) -> dict[str, Any]:
    out = {"kind": s.kind, "payload": to_json(s.payload), "value": to_json(s.value)}
    if s.event is not None:
        out["event"] = s.event
    return out


def to_export(next_id: int, flows: Flows, origin: Origin | None = None) -> dict:
    """The JSON-compatible export of records and their steps."""
    out: dict[str, Any] = {"format": FORMAT, "version": version_for(flows), "next_id": next_id}
    if origin is not None:
        out["store"] = origin.store
        out["stamp"] = origin.stamp
    out["flows"] = [flow_to_json(rec, steps) for rec, steps in flows]
    return out


def _fail(where: str, message: str) -> ExportFormatError:
    return ExportFormatError(f"cannot import: {where}: {message}")


def _want(d: dict, key: str, kind: type | tuple, where: str) -> Any:
    if key not in d:
        raise _fail(where, f"missing key {key!r}")
    v = d[key]
    if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise _fail(f"{where}.{key}", f"expected {names}, got {type(v).__name__}")
    if type(v) is str and has_surrogate(v):
        raise _fail(f"{where}.{key}", "a string holding a lone surrogate (not Unicode text)")
    return v


def _id(d: dict, key: str, where: str, low: int = 1) -> int:
    v = _want(d, key, int, where)
    path = key if where == "export" else f"{where}.{key}"
    if v < low:
        raise _fail(path, f"ids start at 1, got {v}" if low else f"got {v} below 0")
    if v > MAX_ID:
        text = str(v) if len(str(v)) <= 30 else f"a number of {len(str(v))} digits"
        raise _fail(path, f"expected {low} .. 2**63 - 1, got {text}")
    return v


def read_export(text: str | bytes, where: str = "the export") -> Any:
    """Export JSON text as data, read strictly (duplicate keys, NaN, lone surrogates and
    nesting past the limit refused): ExportFormatError naming the spot otherwise."""
    try:
        return strict_loads(text, where)
    except JSONTextError as e:
        raise ExportFormatError(f"cannot import: {e}") from None


def _plain(v: Any, where: str) -> Any:
    try:
        return from_json(v, where)
    except ValueError as e:
        raise ExportFormatError(f"cannot import: {e}") from None


def from_export(data: Any) -> tuple[int, Flows, Origin | None]:
    """(next_id, records with steps, origin) from a JSON export; ExportFormatError if
    malformed."""
    if not isinstance(data, dict):
        raise _fail("the export", f"expected a JSON object, got {type(data).__name__}")
    if data.get("format") != FORMAT:
        raise _fail("format", f"expected {FORMAT!r}, got {brief(data.get('format'))}")
    version = data.get("version")
    if type(version) is not int or version not in READS:
        raise _fail("version", f"this host reads versions 1, 2 and 3, got {brief(version)}")
    top_keys = {"format", "version", "next_id", "flows"}
    if version > 1:
        top_keys |= {"store", "stamp"}
    extra = set(data) - top_keys
    if extra:
        raise _fail("the export", f"unknown keys {_keys(extra)}")
    origin = None
    if "store" in data or "stamp" in data:
        origin = Origin(_want(data, "store", str, "export"), _id(data, "stamp", "export", 0))
    next_id = _id(data, "next_id", "export")
    flows = _want(data, "flows", list, "export")
    out: Flows = []
    seen: set[int] = set()
    for i, item in enumerate(flows):
        where = f"flows[{i}]"
        if not isinstance(item, dict):
            raise _fail(where, "expected an object")
        allowed = {
            "id",
            "flow",
            "status",
            "args",
            "steps",
            "pending",
            "result",
            "error",
            "where",
            "source_hash",
        }
        if version > 1:
            allowed |= {"key", "created", "updated"}
        if version > 2:
            allowed |= {"due"}
        extra = set(item) - allowed
        if extra:
            raise _fail(where, f"unknown keys {_keys(extra)}")
        fid = _id(item, "id", where)
        if fid in seen:  # (the range is _id's)
            raise _fail(f"{where}.id", f"ids must be positive and unique, got {fid}")
        seen.add(fid)
        name = _want(item, "flow", str, where)
        status = _want(item, "status", str, where)
        if status not in STATUSES:
            raise _fail(f"{where}.status", f"expected one of {', '.join(STATUSES)}")
        args = _plain(_want(item, "args", list, where), f"{where}.args")
        steps = []
        for j, st in enumerate(_want(item, "steps", list, where)):
            sw = f"{where}.steps[{j}]"
            keys = {"kind", "payload", "value"}
            optional = {"event"} if version > 2 else set()
            if not isinstance(st, dict) or not keys <= set(st) <= keys | optional:
                raise _fail(sw, "expected {kind, payload, value} (and an optional event)")
            event = st.get("event")
            if event is not None and event not in EVENTS:
                raise _fail(f"{sw}.event", f"expected one of {', '.join(EVENTS)}, got {event!r}")
            steps.append(
                Step(
                    _want(st, "kind", str, sw),
                    _plain(st["payload"], f"{sw}.payload"),
                    _plain(st["value"], f"{sw}.value"),
                    event,
                )
            )
        pending = None
        raw = item.get("pending")
        if raw is not None:
            if not isinstance(raw, dict) or set(raw) != {"kind", "payload"}:
                raise _fail(f"{where}.pending", "expected {kind, payload} or null")
            pending = Pending(
                _want(raw, "kind", str, f"{where}.pending"),
                _plain(raw["payload"], f"{where}.pending.payload"),
            )
        if status == SUSPENDED and pending is None:
            raise _fail(where, "a suspended flow needs its pending request")
        if status != SUSPENDED and pending is not None:
            raise _fail(where, f"a {status} flow has no pending request")
        result = _plain(item["result"], f"{where}.result") if "result" in item else None
        if status == DONE and "result" not in item:
            raise _fail(where, "a done flow needs its result")
        if status not in (DONE, CANCELLED) and "result" in item:
            raise _fail(f"{where}.result", f"a {status} flow has no result")
        due = item.get("due")
        if due is not None and (type(due) not in (int, float) or status != SUSPENDED):
            raise _fail(f"{where}.due", "only a suspended flow has a deadline (seconds)")
        error = item.get("error")
        if status == FAILED and not isinstance(error, str):
            raise _fail(f"{where}.error", "a failed flow needs its error message")
        if status == FAILED:
            _want(item, "error", str, where)
        for key in ("error", "where"):
            if status != FAILED and key in item:
                raise _fail(f"{where}.{key}", f"only a failed flow has {key!r}")
        if item.get("where") is not None:
            _want(item, "where", str, where)
        rec = FlowRecord(
            id=fid,
            flow=name,
            args=args,
            status=status,
            pending=pending,
            result=result,
            error=error if status == FAILED else None,
            where=item.get("where") if status == FAILED else None,
            source_hash=_want(item, "source_hash", str, where),
            nsteps=len(steps),
            key=_want(item, "key", str, where) if "key" in item else None,
            created=_time(item, "created", where),
            updated=_time(item, "updated", where),
            due=None if due is None else float(due),
        )
        out.append((rec, steps))
    if seen and next_id <= max(seen):
        raise _fail("next_id", f"must be above every flow id (got {next_id}, max id {max(seen)})")
    held: dict[str, int] = {}
    for rec, _ in out:
        if rec.key is not None:
            if rec.key in held:
                raise _fail(
                    "flows",
                    f"flow key {rec.key!r:.80} is held by flows {held[rec.key]} and {rec.id}",
                )
            held[rec.key] = rec.id
    return next_id, out, origin


def _keys(keys: set) -> str:
    names = sorted(repr(k)[:40] for k in keys)
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return f"[{', '.join(names[:5])}{more}]"


def _time(item: dict, key: str, where: str) -> float:
    if key not in item:
        return 0.0
    v = item[key]
    if type(v) not in (int, float) or not 0 <= v < 1e11:
        raise _fail(f"{where}.{key}", f"expected a time in seconds, got {brief(v)}")
    return float(v)


# -- the Scheme datum ---------------------------------------------------------------------


def _alist(pairs: list[tuple[str, Any]]) -> Any:
    out: Any = NIL
    for key, value in reversed(pairs):
        out = Pair(Pair(Symbol(key), value), out)
    return out


def to_datum(next_id: int, flows: Flows, origin: Origin | None = None) -> Any:
    """The export as one Scheme datum (association lists)."""
    items = []
    for rec, steps in flows:
        fields = [
            ("id", rec.id),
            ("flow", Symbol(rec.flow)),
            ("status", Symbol(rec.status)),
            ("args", to_scheme(rec.args)),
            (
                "steps",
                list_from(
                    [
                        Vector(
                            [Symbol(s.kind), to_scheme(s.payload), to_scheme(s.value)]
                            + ([Symbol(s.event)] if s.event else [])
                        )
                        for s in steps
                    ]
                ),
            ),
            (
                "pending",
                FALSE
                if rec.pending is None
                else Vector([Symbol(rec.pending.kind), to_scheme(rec.pending.payload)]),
            ),
            ("source-hash", to_scheme(rec.source_hash)),
        ]
        if rec.key is not None:
            fields.append(("key", to_scheme(rec.key)))
        for name in ("created", "updated"):
            if getattr(rec, name):
                fields.append((name, getattr(rec, name)))
        if rec.due is not None:
            fields.append(("due", rec.due))
        if rec.status == CANCELLED and rec.result is not None:
            fields.append(("result", to_scheme(rec.result)))
        if rec.status == DONE:
            fields.append(("result", to_scheme(rec.result)))
        if rec.status == FAILED:
            fields.append(("error", to_scheme(rec.error or "")))
            fields.append(("where", to_scheme(rec.where) if rec.where else FALSE))
        items.append(_alist(fields))
    top: list[tuple[str, Any]] = [
        ("format", to_scheme(FORMAT)),
        ("version", version_for(flows)),
        ("next-id", next_id),
    ]
    if origin is not None:
        top += [("store", to_scheme(origin.store)), ("stamp", origin.stamp)]
    return _alist([*top, ("flows", list_from(items))])


def _fields(datum: Any, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    x = datum
    while type(x) is Pair:
        entry = x.car
        if type(entry) is not Pair or type(entry.car) is not Symbol:
            raise _fail(where, "expected an association list of (key . value)")
        out[entry.car.name] = entry.cdr
        x = x.cdr
    if x is not NIL:
        raise _fail(where, "expected a proper association list")
    return out


def from_datum(datum: Any) -> tuple[int, Flows, Origin | None]:
    """(next_id, records with steps) from the Scheme datum flow-store-export gave."""
    top = _fields(datum, "the export")
    for key in ("format", "version", "next-id", "flows"):
        if key not in top:
            raise _fail("the export", f"missing key {key!r}")
    try:
        flows_json = []
        for i, f in enumerate(_items(top["flows"], "flows")):
            fields = _fields(f, f"flows[{i}]")
            item: dict[str, Any] = {}
            for key, value in fields.items():
                jkey = {"source-hash": "source_hash"}.get(key, key)
                if key in ("flow", "status"):
                    item[jkey] = value.name if type(value) is Symbol else to_python(value)
                elif key == "steps":
                    item[jkey] = [
                        _step(v, f"flows[{i}].steps[{j}]")
                        for j, v in enumerate(_items(value, f"flows[{i}].steps"))
                    ]
                elif key == "pending":
                    item[jkey] = None if value is FALSE else _pending(value, f"flows[{i}].pending")
                elif key == "where" and value is FALSE:
                    item[jkey] = None
                else:
                    item[jkey] = to_json(to_python(value, f"flows[{i}].{key}"))
            flows_json.append(item)
        data = {
            "format": to_python(top["format"]) if "format" in top else None,
            "version": to_python(top["version"], "version"),
            "next_id": to_python(top["next-id"], "next-id"),
            "flows": flows_json,
        }
        for key in ("store", "stamp"):
            if key in top:
                data[key] = to_python(top[key], key)
    except PlainDataError as e:
        raise ExportFormatError(f"cannot import: {e.message}") from None
    extra = set(top) - {"format", "version", "next-id", "flows", "store", "stamp"}
    if extra:
        raise _fail("the export", f"unknown keys {_keys(extra)}")
    return from_export(data)


def _items(x: Any, where: str) -> list:
    out = []
    while type(x) is Pair:
        out.append(x.car)
        x = x.cdr
    if x is not NIL:
        raise _fail(where, "expected a list")
    return out


def _step(v: Any, where: str) -> dict:
    if type(v) is not Vector or len(v.items) not in (3, 4) or type(v.items[0]) is not Symbol:
        raise _fail(where, "expected #(kind payload value) or #(kind payload value event)")
    out = {
        "kind": v.items[0].name,
        "payload": to_json(to_python(v.items[1], where)),
        "value": to_json(to_python(v.items[2], where)),
    }
    if len(v.items) == 4:
        if type(v.items[3]) is not Symbol:
            raise _fail(where, "a step's event is a symbol (timeout or cancel)")
        out["event"] = v.items[3].name
    return out


def _pending(v: Any, where: str) -> dict:
    if type(v) is not Vector or len(v.items) != 2 or type(v.items[0]) is not Symbol:
        raise _fail(where, "expected #(kind payload) or #f")
    return {"kind": v.items[0].name, "payload": to_json(to_python(v.items[1], where))}
