"""Fuzz targets for the flow store's data side (issue 16): the export importer and the SQL
row decoder. The Scheme side's targets live in tools/fuzz.py; `register(registry)` adds
these to it (name -> target(data: bytes)), and tests/flowhost/test_fuzz_data.py runs them
for a bounded number of hypothesis examples in the suite.

    .venv/bin/python tools/fuzz_data.py [--examples N] [--seed S]   # a longer run

The properties, for any input:
- `export-import`: the bytes (a mutated valid export, random JSON or random bytes) import,
  or are refused with a FlowError (ExportFormatError and kin: one line, no traceback) --
  never another Python exception -- and a refused import leaves the store as it was
  (the same export, the same next id);
- `sqlite-rows`: a store whose one cell was overwritten with arbitrary bytes, text, a
  number or NULL reads back (list, page, steps, requests, export stream) or fails with a
  StoreError -- never another exception.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flowhost import FlowError, FlowHost, MemoryStore  # noqa: E402
from flowhost.db import StoreError  # noqa: E402
from flowhost.exchange import read_export  # noqa: E402
from flowhost.sqlite_store import SQLiteStore  # noqa: E402
from scheme import Symbol  # noqa: E402

SRC = "(defflow echo (lambda (x) (request 'echo x) (request 'echo (list x x))))"

CELLS = [
    ("flows", "flow"),
    ("flows", "args"),
    ("flows", "status"),
    ("flows", "pending"),
    ("flows", "result"),
    ("flows", "error"),
    ("flows", '"where"'),
    ("flows", "source_hash"),
    ("flows", "version"),
    ("flows", "key"),
    ("flows", "created"),
    ("flow_steps", "kind"),
    ("flow_steps", "payload"),
    ("flow_steps", "value"),
    ("flow_meta", "value"),
]


def _host() -> FlowHost:
    host = FlowHost(MemoryStore())
    host.load_source(SRC)
    return host


def _populate(host: FlowHost) -> None:
    host.start("echo", 1, key="k-1")
    host.start("echo", [2, "two", Symbol("s"), (1.5, -3)])
    host.resume(2, "deux")
    r = host.start("echo", "three")
    host.resume(r.id, 3)
    host.resume(r.id, [3])


def valid_export() -> str:
    """The JSON text of a small valid export (suspended and done flows, a key, steps)."""
    host = _host()
    _populate(host)
    data = host.export()
    del data["store"], data["stamp"]
    return json.dumps(data)


def fuzz_export_import(data: bytes) -> None:
    """Import `data` into a populated memory store: imported, or refused (FlowError) with
    the store unchanged. Raises AssertionError when the property fails."""
    host = _host()
    _populate(host)
    before, next_id = host.export(), host.store.next_id()
    try:
        host.import_(read_export(data, "fuzz.json"))
    except FlowError as e:
        message = str(e)
        assert message and "\n" not in message.strip(), f"not one line: {message!r:.200}"
        assert host.export() == before, "a refused import changed the store"
        assert host.store.next_id() == next_id, "a refused import moved the next id"
        return
    # imported: the store holds exactly what it says, and ids stay unused
    again = host.export()
    assert host.store.next_id() >= next_id
    assert host.start("echo", 0).id >= again["next_id"]


def _store(tmp: Path) -> Path:
    path = tmp / "fuzz.db"
    host = FlowHost.open(path)
    host.load_source(SRC)
    _populate(host)
    host.close()
    return path


def _damage(path: Path, table: str, column: str, value: object, as_text: bool) -> bool:
    """Overwrite the cell (every row's); False when SQLite's own constraints refuse."""
    db = sqlite3.connect(path)
    where = "WHERE key = 'next_id'" if table == "flow_meta" else ""
    mark = "CAST(? AS TEXT)" if as_text else "?"
    try:
        db.execute(f"UPDATE {table} SET {column} = {mark} {where}", (value,))
        db.commit()
    except sqlite3.IntegrityError:
        return False  # a NOT NULL / UNIQUE column refused the damage itself
    finally:
        db.close()
    return True


def _export(store: SQLiteStore) -> None:
    with store.transaction():
        list(store.flow_texts(2))


def _each_flow(store: SQLiteStore) -> None:
    for i in store.ids():
        store.get(i)
        store.steps(i)


READS: list[Callable[[SQLiteStore], object]] = [
    lambda s: s.page(),
    lambda s: list(s.records()),
    _each_flow,
    lambda s: s.requests(),
    lambda s: s.next_id(),
    lambda s: s.stamp(),
    _export,
    lambda s: s.everything(),
]


def read_everything(store: SQLiteStore) -> None:
    """Every read path a command uses, each on its own: each reads or raises FlowError."""
    for read in READS:
        try:
            read(store)
        except FlowError:
            pass


def fuzz_sqlite_rows(data: bytes) -> None:
    """Overwrite one cell (chosen by the first byte) of a small SQLite store with a value
    made of the rest (text, invalid UTF-8, a number or NULL by the second byte), then read
    everything: it reads or raises StoreError (FlowError for a conflict), nothing else."""
    if len(data) < 2:
        data = data + b"\0\0"
    table, column = CELLS[data[0] % len(CELLS)]
    body = data[2:]
    kind = data[1] % 4
    value: object
    if kind == 0:
        value = body.decode("utf-8", "replace")
    elif kind == 1:
        value = sqlite3.Binary(body) if body else None
    elif kind == 2:
        value = int.from_bytes(body[:8] or b"\0", "big", signed=True)
    else:
        value = None
    with tempfile.TemporaryDirectory() as tmp:
        path = _store(Path(tmp))
        if not _damage(path, table, column, value, as_text=kind == 1):
            return
        try:
            store = SQLiteStore(path)
        except StoreError:
            return
        try:
            read_everything(store)
        finally:
            store.close()


TARGETS: dict[str, Callable[[bytes], None]] = {
    "export-import": fuzz_export_import,
    "sqlite-rows": fuzz_sqlite_rows,
}


def register(registry: dict[str, Callable[[bytes], None]]) -> None:
    """Add this module's targets to a fuzz registry (name -> target(data: bytes))."""
    registry.update(TARGETS)


def mutate(text: str, rng: random.Random) -> bytes:
    """A few random edits of text: delete, duplicate, insert a JSON-ish token, flip a byte."""
    raw = bytearray(text.encode("utf-8"))
    tokens = [b"NaN", b"[", b"]", b"{", b"}", b",", b'"', b"\\ud800", b"1e999", b"-", b"9" * 30]
    for _ in range(rng.randint(1, 4)):
        if not raw:
            break
        i = rng.randrange(len(raw))
        op = rng.randrange(4)
        if op == 0:
            del raw[i : i + rng.randint(1, 8)]
        elif op == 1:
            raw[i:i] = raw[i : i + rng.randint(1, 40)]
        elif op == 2:
            raw[i:i] = rng.choice(tokens)
        else:
            raw[i] = rng.randrange(256)
    return bytes(raw)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Run the data fuzz targets for longer.")
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    base = valid_export()
    failures = 0
    for name, target in TARGETS.items():
        for _ in range(args.examples):
            if name == "export-import":
                data = mutate(base, rng)
            else:
                data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
            try:
                target(data)
            except Exception as e:  # noqa: BLE001 -- a finding, reported with its input
                failures += 1
                print(f"{name}: {type(e).__name__}: {e!s:.200} for {data[:120]!r}")
        print(f"{name}: {args.examples} examples")
    print(f"{failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
