"""Reading the flow stores' rows back: a damaged row is a StoreError naming table, row, column.

The SQL stores (sqlite_store.py, pg_store.py) keep plain data as JSON text in `flows.args`,
`flows.pending`, `flows.result`, `flow_steps.payload` and `flow_steps.value`. A file edited
by hand, a disk error or another program can leave anything there; reading it must never
raise a raw JSONDecodeError / KeyError / UnicodeDecodeError. The fast path decodes as
before; only when it fails is the row taken apart column by column to say which one is
bad: `shop.db: damaged row: table flows, row id=7, column pending: not valid JSON ...`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from .data import from_json, loads
from .db import StoreError
from .exchange import raw_flow_text
from .records import STATUSES, FlowRecord, Pending, Step
from .strictjson import strict_loads

# Column order of _COLUMNS in both SQL stores (id, flow, args, status, pending, result,
# error, "where", source_hash, version, nsteps, key, created, updated).
_TEXT = {1: "flow", 6: "error", 7: "where", 8: "source_hash", 11: "key"}
_INT = {0: "id", 9: "version", 10: "nsteps"}
_REAL = {12: "created", 13: "updated"}
_JSON = {2: "args", 4: "pending", 5: "result"}
_DECODE = re.compile(r"Could not decode to UTF-8 column '([^']+)'")

_REASONS = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)


class DamagedRowError(StoreError):
    """A stored row that cannot be read back; the message names table, row and column."""


def damaged(name: str, table: str, row: str, column: str, problem: str) -> StoreError:
    """The error for one bad cell."""
    return DamagedRowError(
        f"{name}: damaged row: table {table}, row {row}, column {column}: {problem}"
    )


def pending(text: str | None, name: str, flow_id: Any) -> Pending | None:
    """The pending request stored as JSON text (or None)."""
    if text is None:
        return None
    try:
        return _pending_raw(text)
    except _REASONS as e:
        raise damaged(name, "flows", f"id={flow_id}", "pending", _why(e)) from None


def _pending_raw(text: str) -> Pending:
    d = strict_loads(text, "pending")
    if type(d) is not dict or set(d) != {"kind", "payload"} or type(d["kind"]) is not str:
        raise ValueError("expected an object {kind, payload}")
    return Pending(d["kind"], from_json(d["payload"], "payload"))


def _why(e: BaseException) -> str:
    if isinstance(e, RecursionError):
        return "nested too deeply to read"
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def record(row: tuple, decode: Callable[[tuple], FlowRecord], name: str) -> FlowRecord:
    """decode(row), or a StoreError naming the first bad column of the flows row."""
    try:
        rec = decode(row)
    except _REASONS as e:
        raise _diagnose(row, name, e) from None
    if (
        rec.status not in STATUSES
        or type(rec.id) is not int
        or type(rec.flow) is not str
        or type(rec.created) not in (int, float)
        or type(rec.updated) not in (int, float)
    ):
        raise _diagnose(row, name, ValueError("unreadable"))
    return rec


def _diagnose(row: tuple, name: str, cause: BaseException) -> StoreError:
    rid = row[0] if row else "?"
    where = f"id={rid}"
    for i, col in _INT.items():
        if type(row[i]) is not int:
            return damaged(name, "flows", where, col, f"expected an integer, got {row[i]!r:.40}")
    for i, col in _TEXT.items():
        if row[i] is not None and type(row[i]) is not str:
            return damaged(name, "flows", where, col, f"expected text, got {row[i]!r:.40}")
    if type(row[1]) is not str or type(row[8]) is not str:
        return damaged(name, "flows", where, "flow", "missing")
    if row[3] not in STATUSES:
        return damaged(name, "flows", where, "status", f"expected one of {', '.join(STATUSES)}")
    for i, col in _REAL.items():
        if type(row[i]) not in (int, float):
            return damaged(name, "flows", where, col, f"expected a number, got {row[i]!r:.40}")
    for i, col in _JSON.items():
        text = row[i]
        if text is None and col != "args":
            continue
        try:
            if type(text) is not str:
                raise ValueError(f"expected JSON text, got {text!r:.40}")
            _pending_raw(text) if col == "pending" else loads(text, col)
        except _REASONS as e:
            return damaged(name, "flows", where, col, _why(e))
    return damaged(name, "flows", where, "?", _why(cause))


def step(row: tuple, name: str) -> Step:
    """A Step from (flow_id, step, kind, payload, value, event)."""
    flow_id, n, kind, payload, value, event = row
    where = f"flow_id={flow_id} step={n}"
    if type(kind) is not str:
        raise damaged(name, "flow_steps", where, "kind", f"expected text, got {kind!r:.40}")
    out = []
    for col, text in (("payload", payload), ("value", value)):
        try:
            if type(text) is not str:
                raise ValueError(f"expected JSON text, got {text!r:.40}")
            out.append(loads(text, col))
        except _REASONS as e:
            raise damaged(name, "flow_steps", where, col, _why(e)) from None
    if event is not None and type(event) is not str:
        raise damaged(name, "flow_steps", where, "event", f"expected text, got {event!r:.40}")
    return Step(kind, out[0], out[1], event)


def bad_text(e: BaseException) -> str | None:
    """The column an sqlite3 "Could not decode to UTF-8" error names, else None."""
    m = _DECODE.search(str(e))
    return m.group(1) if m else None


def find_bad_text(
    execute: Callable[..., Any], name: str, table: str, column: str, keys: str = ""
) -> StoreError:
    """The StoreError for the first row of `table` whose `column` is not UTF-8 text (found
    by reading the column as bytes: only on the error path). `keys`: the columns that name
    a row (default: the flow tables' keys)."""
    keys = keys or ("id" if table == "flows" else "flow_id, step")
    names = [k.strip() for k in keys.split(",")]
    quoted = '"where"' if column == "where" else column
    try:
        rows = execute(f"SELECT {keys}, CAST({quoted} AS BLOB) FROM {table} ORDER BY {keys}")
    except Exception:  # noqa: BLE001 -- only naming the damage; it is reported below
        rows = []
    for r in rows:
        blob = r[-1]
        if blob is None:
            continue
        try:
            bytes(blob).decode("utf-8")
        except UnicodeDecodeError as u:
            where = " ".join(f"{k}={v}" for k, v in zip(names, r[:-1], strict=False))
            return damaged(name, table, where, column, f"not UTF-8 text (byte {u.start})")
    return DamagedRowError(f"{name}: damaged text in table {table}, column {column} (not UTF-8)")


def flow_texts(
    query: Callable[[str, tuple], list],
    columns: str,
    mark: str,
    name: str,
    decode: Callable[[tuple], FlowRecord],
    page: int = 1000,
    sqlite: bool = False,
    after: int = 0,
    pages: int | None = None,
) -> Iterator[str]:
    """Each flow as a line of the streamed export, `page` flows (and their steps) per
    query, the stored JSON text spliced in (exchange.raw_flow_text). Every cell is checked
    first -- by SQLite's json_valid in the query itself, else by json.loads here -- and a
    damaged row is the same StoreError reading it any other way gives."""
    fcheck = scheck = ""
    if sqlite:
        fcheck = (  # CASE: json_type() of malformed text is an error, not false
            ", CASE WHEN typeof(args) = 'text' AND typeof(flow) = 'text' "
            "AND typeof(source_hash) = 'text' AND typeof(created) IN ('real', 'integer') "
            "AND typeof(updated) IN ('real', 'integer') "
            "AND status IN ('suspended', 'done', 'failed', 'cancelled') "
            "AND (pending IS NULL OR typeof(pending) = 'text') "
            "AND (result IS NULL OR typeof(result) = 'text') "
            "AND json_valid(args) AND (pending IS NULL OR json_valid(pending)) "
            "AND (result IS NULL OR json_valid(result)) THEN json_type(args) = 'array' "
            "AND (pending IS NULL OR (json_type(pending, '$.kind') = 'text' "
            "AND json_type(pending, '$.payload') IS NOT NULL)) ELSE 0 END"
        )
        scheck = (
            ", typeof(kind) = 'text' AND typeof(payload) = 'text' AND typeof(value) = 'text' "
            "AND json_valid(payload) AND json_valid(value) "
            "AND (event IS NULL OR typeof(event) = 'text')"
        )
    ncols = columns.count(",") + 1  # the check cell, when there is one, comes after them
    flows_sql = f"SELECT {columns}{fcheck} FROM flows WHERE id > {mark} ORDER BY id LIMIT {mark}"
    steps_sql = (
        f"SELECT flow_id, step, kind, payload, value, event{scheck} FROM flow_steps "
        f"WHERE flow_id >= {mark} AND flow_id <= {mark} ORDER BY flow_id, step"
    )
    while pages is None or pages > 0:
        pages = None if pages is None else pages - 1
        rows = query(flows_sql, (after, page))
        if not rows:
            return
        logs: dict[Any, list[tuple]] = {}
        for s in query(steps_sql, (rows[0][0], rows[-1][0])):
            if not (
                s[6]
                if sqlite
                else _cells_ok(s[3:5], None)
                and type(s[2]) is str
                and (s[5] is None or type(s[5]) is str)
            ):
                step(s[:6], name)  # raises, naming the cell
                raise damaged(name, "flow_steps", f"flow_id={s[0]} step={s[1]}", "?", "unreadable")
            logs.setdefault(s[0], []).append(s[2:6])
        for row in rows:
            if not (
                row[ncols]
                if sqlite
                else _cells_ok((row[2], row[4], row[5]), None)
                and type(row[0]) is int
                and row[3] in STATUSES
                and type(row[1]) is str
                and type(row[8]) is str
            ):
                record(row[:ncols], decode, name)  # raises, naming the cell
                raise damaged(name, "flows", f"id={row[0]}", "?", "unreadable")
            yield raw_flow_text(row, logs.get(row[0], ()))
        after = rows[-1][0]


def _cells_ok(texts: tuple, valid: Any) -> bool:
    """Every cell is JSON text (and, for a flow row's args and pending, of their shape)."""
    for t in texts:
        if t is not None and type(t) is not str:
            return False
    if valid is not None:
        return bool(valid)
    try:
        values = [None if t is None else json.loads(t) for t in texts]
    except _REASONS:
        return False
    if len(texts) == 3:  # args, pending, result
        args, pend = values[0], values[1]
        if type(args) is not list or not (
            pend is None or (type(pend) is dict and type(pend.get("kind")) is str)
        ):
            return False
    return True
