"""The orders benchmark's reference figures measure what they claim: the statements it
replays with bare sqlite3 are the engine's own, and replayed they rebuild the same rows.
(The benchmark's timings are printed, never asserted here.)"""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location(
        "orders_bench", ROOT / "bench" / "orders_bench.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    tables = [t for (t,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
    rows = {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    con.close()
    return rows


def test_the_replayed_statements_rebuild_the_engines_rows(tmp_path: Path) -> None:
    bench = _bench()
    bench.Engine.open(tmp_path / "start.db", bench.SHOP, clock=bench.Clock()).close()
    shutil.copy(tmp_path / "start.db", tmp_path / "record.db")
    shutil.copy(tmp_path / "start.db", tmp_path / "replay.db")
    log = bench.record_orders(tmp_path / "record.db", 4)
    assert sum(sql == "COMMIT" for _, sql, _ in log) == 12  # 3 commits an order
    wall, cpu = bench.replay(tmp_path / "replay.db", log)
    assert wall > 0 and cpu >= 0
    recorded, replayed = _rows(tmp_path / "record.db"), _rows(tmp_path / "replay.db")
    assert len(recorded["ledger_events"]) == 16  # created, reserved, payment, fulfilled
    assert replayed == recorded


def test_pages_per_commit_are_read_from_an_unchecked_wal(tmp_path: Path) -> None:
    bench = _bench()
    raw = bench.replay(tmp_path / "raw.db", bench.raw_log(50), pages=True)[0]
    assert 0.9 <= raw <= 2.5  # a one-row insert: its leaf, now and then the header page
    bench.Engine.open(tmp_path / "start.db", bench.SHOP, clock=bench.Clock()).close()
    shutil.copy(tmp_path / "start.db", tmp_path / "record.db")
    shutil.copy(tmp_path / "start.db", tmp_path / "pages.db")
    log = bench.record_orders(tmp_path / "record.db", 20)
    pages = bench.replay(tmp_path / "pages.db", log, pages=True)[0]
    assert pages > raw + 2  # an order's commit writes to several tables and indexes
